/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One backend per bootloader and per initramfs generator: what says it is
 * installed, the files it reads, how it plans its part of `vfiokit setup`
 * (the kernel command line, or the VFIO modules in the initramfs), the
 * command that rebuilds what boots, and the backends it makes moot.
 *
 * The descriptors are data for host/boot.c, which knows no backend by name:
 * it asks whether their paths exist, reads their files and picks their
 * regenerate command by the program that is there. The plan functions are
 * pure: the host model in, the plan's files, commands and lines out.
 */
#pragma once

#include "plan/confedit.h"
#include "plan/setup.h"

enum boot_kind { BOOT_LOADER, BOOT_GENERATOR };

/* A file a backend reads (root-relative): path itself, or with suffix the
 * files of directory path whose names end with it, in name order. */
struct boot_path {
	const char *path;
	const char *suffix;
	bool cmdline; /* holds kernel command lines: setup looks there for earlier IDs and stale parameters */
};

/* A regenerate command, taken when program exists (NULL: always). */
struct boot_regen {
	const char *program;
	const char *command;
};

/* What a plan function gets. */
struct boot_plan_ctx {
	const struct host *h;
	const struct boot_backend *be;
	struct setup_plan *p;
	const struct cmdline_edits *edits; /* the parameters set and the stale ones removed */
	const char *params;                /* the parameters, joined, for the lines the user follows */
	const char *mods;                  /* the initramfs modules, joined */
	const char *regen;                 /* this backend's regenerate command; NULL when none was found */
};

struct boot_backend {
	const char *name; /* as `setup` prints it */
	enum boot_kind kind;
	const char *const *detect_any; /* installed when one of these exists */
	const char *const *detect_all; /* ... or when all of these do */
	bool detect_by_files;          /* ... or when one of its files could be read */
	const struct boot_backend *const *detect_unless; /* not by its files where one of these is installed */
	const struct boot_path *files; /* ends with { NULL } */
	const struct boot_regen *regen; /* the first whose program exists; ends with { NULL, NULL } */
	const struct boot_backend *const *supersedes; /* installed, it plans instead of these */
	bool ignores_modprobe_d; /* vfio-pci's ids= must go on the kernel command line */
	/* Where the user puts the parameters (a bootloader) or the modules (a
	 * generator) when a file of it cannot be read: "add X to <by_hand>". */
	const char *by_hand;
	int (*plan)(const struct boot_plan_ctx *c);
	/* The kernel command lines it holds (for earlier IDs and stale
	 * parameters), where they are not whole files (cmdline above). */
	int (*cmdline_texts)(const struct host_boot *b, struct strv *texts);
	/* Whether cmd is one of the commands (exec or its inverse) plan()
	 * makes; NULL: it makes none. */
	bool (*records)(const char *cmd);
};

extern const struct boot_backend boot_grub, boot_systemd_boot, boot_kernelstub, boot_grubby, boot_refind, boot_limine,
	boot_rpm_ostree, boot_proxmox, boot_initramfs_tools, boot_dracut, boot_mkinitcpio, boot_booster;

/* Every backend: the bootloaders, then the generators, each in the order
 * setup plans them; NULL-terminated. */
extern const struct boot_backend *const boot_backends[];

/* Whether be is installed, and whether it plans (installed, and no
 * installed backend supersedes it). */
bool boot_installed(const struct host_boot *b, const struct boot_backend *be);
bool boot_active(const struct host_boot *b, const struct boot_backend *be);

/* The text of a file the backends read (root-relative path); NULL when
 * it is absent or could not be read. */
const char *boot_text(const struct host_boot *b, const char *path);
/* Whether path is one of the files bp names (a directory of files, too);
 * bp ends with { NULL }. */
bool boot_path_names(const struct boot_path *bp, const char *path);
/* be's part of the plan: be->plan(), or, where a file of it is there but
 * could not be read, only the line the user adds by hand (the plan cannot
 * tell what that file holds: it never edits around it). */
int boot_plan(const struct boot_plan_ctx *c);

/* The Boot Loader Specification entries of every loader/entries
 * directory: systemd-boot's, grubby's and ostree's files. */
#define BOOT_BLS_ENTRIES                                                                   \
	{ "boot/loader/entries", ".conf", true }, { "efi/loader/entries", ".conf", true }, \
	{ "boot/efi/loader/entries", ".conf", true }
bool boot_is_bls_entry(const char *path);

/* dracut's regenerate command on rpm-ostree. */
#define BOOT_OSTREE_INITRAMFS "rpm-ostree initramfs --enable"
/* Whether cmd is a command setup could have put in a journal entry: a
 * backend's regenerate command, or the form of one its plan() runs. A
 * journal inside a machine copy may come from anyone: undo --chroot runs
 * only these unless told otherwise. */
bool boot_command_recorded(const char *cmd);
/* A kernel parameter as a word of such a command: printable, no blank, not
 * an option. */
bool boot_param_word(const char *w);

/* Shared by the plan functions (plan/setup.c). */
int setup_add_file(struct setup_plan *p, const char *path, char *content); /* content: taken, NULL is -ENOMEM */
int setup_by_hand(struct setup_plan *p, char *line);                     /* line: taken, NULL is -ENOMEM */
int setup_exec_pair(struct setup_plan *p, char *run, char *undo);         /* both taken */
bool cmdline_has_word(const char *text, const char *word);
/* Every kernel command line the backends' files hold, installed or not
 * (whole files: comments too), copied into texts. 0, -ENOMEM. */
int cmdline_texts(const struct host_boot *b, struct strv *texts);
int bls_plan(const struct boot_plan_ctx *c); /* systemd-boot's and grubby's entries, /etc/kernel/cmdline */
