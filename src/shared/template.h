/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once
/*
 * The scripts vfiokit writes are shell templates in src/emit/scripts/NAME.sh.in,
 * embedded at build time (scripts/embed.py) as the strings below, and
 * checked by shellcheck (tests/scripts.sh). A template is a real script
 * but for its placeholders:
 *   @NAME@          a value, written by its kind (below); an unknown name or
 *                   one that is a section is refused
 *   #@if NAME       a line of its own: the lines up to "#@endif" are kept
 *   #@endif         when the section NAME is on; not nested
 *   #@vars          a line of its own, once, outside the sections: the block
 *                   of assignments "name='value'" goes here, one for each
 *                   TMPL_QUOTE or TMPL_WORD value whose name in lower case
 *                   the rendered body refers to ("$name", "${name"), through
 *                   sh_quote. The body uses "$name"; @NAME@ stays for TMPL_CODE
 *   # shellcheck    a directive for checking the template itself: left out
 * Every value goes through sh_quote (TMPL_QUOTE) or is refused unless the
 * shell takes each of its bytes literally (TMPL_WORD); nothing else is
 * spliced but fragments an emitter built the same way (TMPL_CODE).
 */
#include <stdbool.h>

enum tmpl_kind {
	TMPL_QUOTE,   /* any bytes, written as one word by sh_quote */
	TMPL_WORD,    /* only [A-Za-z0-9,.:/_+-] and spaces (numbers, PCI addresses, CPU lists), as is */
	TMPL_CODE,    /* shell an emitter built, its every value through sh_quote */
	TMPL_SECTION, /* on: the section's lines are kept */
};

struct tmpl_var {
	const char *name;
	enum tmpl_kind kind;
	const char *value; /* not for TMPL_SECTION */
	bool on;           /* TMPL_SECTION only */
};

/* tmpl with vars (ended by a NULL name) put in. 0; -ENOMEM; -EINVAL: a
 * TMPL_WORD value holding another byte, or a template naming no var of
 * vars (*bad, when not NULL, is then that var's name, or NULL). */
int tmpl_render(const char *tmpl, const struct tmpl_var *vars, char **ret, const char **bad);

/* The templates (generated from src/emit/scripts/NAME.sh.in). */
extern const char tmpl_libvirt_hook[];
extern const char tmpl_handover_hook[];
extern const char tmpl_qemu_launch[];
extern const char tmpl_vfio_pci_override[];
extern const char tmpl_initramfs_tools_hook[];
