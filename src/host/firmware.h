/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * UEFI firmware for the guest (the article's "Setting up an OVMF-based
 * guest" and "Plain QEMU without libvirt"): the OVMF code image and the
 * variable-store template, found through QEMU's firmware descriptors
 * (docs/interop/firmware.json in QEMU's source), with the paths Arch,
 * Debian and Fedora install as a fallback.
 */
#pragma once
#include <stdbool.h>

#include "host/path.h"
#include "shared/error.h"

struct firmware {
	char *code, *code_format; /* absolute, as the guest's host sees it */
	char *vars, *vars_format; /* the template each VM copies */
	bool secure_boot, enrolled_keys, requires_smm;
	char *descriptor; /* root-relative JSON it came from; NULL: a known path */
};

/* What one descriptor says. Pure: text is untrusted. Returns 0: a usable
 * descriptor; -ENOMEM; with err (ERROR_FAILED) saying why: -EINVAL when the
 * text is no descriptor, -EOPNOTSUPP for a valid descriptor that is not an
 * x86_64 q35 UEFI flash image with a variable store. */
int firmware_descriptor_parse(const char *text, size_t len, struct firmware *ret, struct error *err);

/* The firmware for a q35 x86_64 guest: descriptors first (directories
 * usr/share/qemu/firmware then etc/qemu/firmware, merged by file name, the
 * later directory winning, an empty file hiding the name; then sorted by
 * name, first usable wins), else the known paths. secure: only images with
 * Secure Boot (enrolled keys preferred); otherwise only images without.
 * Images must exist under the root; 4 MiB images come before 2 MiB ones.
 * Returns 0, -ENOMEM, or -ENOENT with err (ERROR_FAILED) saying what was looked at and
 * which package provides it on os_id / os_id_like (either may be NULL).
 * skipped collects "NAME: why" for descriptors that were passed over. */
int firmware_find(struct path_root *r, bool secure, const char *os_id, const char *os_id_like, struct firmware *ret,
		  struct strv *skipped, struct error *err);

/* "apt install ovmf" and the like for a distribution; a generic line when unknown. */
const char *firmware_package_hint(const char *os_id, const char *os_id_like);

void firmware_clear(struct firmware *f);
