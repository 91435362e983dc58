/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once
/*
 * Edits of configuration files that keep everything they do not own:
 * comments, order, other parameters, quoting. Pure: text in, text out.
 * Running an edit on its own output changes nothing.
 */
#include "shared/strv.h"

/* A change to a kernel command line: set a parameter (the first token of
 * the same name, - and _ alike, replaced; a later one removed; appended
 * where none), or remove one exact token (a stale amd_iommu=on). A bool
 * parameter (CMDLINE_SET_BOOL, "ignore_msrs=1") is set the same way, but a
 * token there whose value means the same (Y, y, 1; N, n, 0) is left as it
 * is written. */
enum cmdline_op { CMDLINE_SET, CMDLINE_REMOVE, CMDLINE_SET_BOOL };

struct cmdline_edit {
	enum cmdline_op op;
	const char *token; /* "intel_iommu=on"; not owned */
};

struct cmdline_edits {
	struct cmdline_edit *v;
	size_t n, alloc;
};

int cmdline_edits_add(struct cmdline_edits *e, enum cmdline_op op, const char *token);
/* Whether two parameters have the same name ("isolcpus=2-5" and
 * "isolcpus=6-11"), - and _ alike as the kernel compares them. */
bool cmdline_param_same_name(const char *a, const char *b);
void cmdline_edits_clear(struct cmdline_edits *e);
/* Whether a (alen bytes) and b are the same bool parameter with values
 * of the same meaning ("ignore_msrs=Y" and "ignore-msrs=1"): the values
 * param_set_bool() reads alike (kstrtobool's Y, y, 1 and N, n, 0). */
bool cmdline_bool_same(const char *a, size_t alen, const char *b);

/* In a shell-style KEY="..." file (/etc/default/grub), add params to the
 * value of the last assignment of key (export KEY=... too), keeping its
 * quotes (", ' or none) and continuation lines; a parameter already there
 * with another value (intel_iommu=off) is replaced; a missing key is
 * appended. -EINVAL when the assignment cannot be read safely (an
 * unterminated quote, $( or ` in it), or when an earlier assignment holds
 * a parameter the edit would change (sh may pass it on: $KEY, an if):
 * *problem says which lines, and nothing is edited. */
int shell_var_add_params(const char *text, const char *key, const struct cmdline_edits *params, char **ret, char **problem);

/* The same assignment with every parameter of params' names taken out
 * (and the removals done), nothing added: GRUB_CMDLINE_LINUX, which comes
 * before GRUB_CMDLINE_LINUX_DEFAULT on the kernel's line, where a second
 * isolcpus= with another value is ignored. */
int shell_var_drop_params(const char *text, const char *key, const struct cmdline_edits *params, char **ret, char **problem);

/* A kernel command line file (/etc/kernel/cmdline: one line): the same. */
int cmdline_file_add_params(const char *text, const struct cmdline_edits *params, char **ret);

/* A list file, one item a line (/etc/initramfs-tools/modules): append the
 * items whose first word is on no line yet. */
char *list_file_add(const char *text, const struct strv *items);

/* /etc/mkinitcpio.conf: the modules first in MODULES=(...), before any KMS
 * driver (moved there when a KMS driver comes first); the modconf hook in
 * HOOKS (after autodetect); files (may be NULL) in FILES=(...). Other
 * items, comments and lines are kept. -EINVAL with *problem when an array
 * cannot be read safely (quotes, expansions, no closing parenthesis). */
int mkinitcpio_conf_edit(const char *text, const struct strv *modules, const struct strv *files, char **ret,
			 char **problem);

/* /etc/booster.yaml: the modules in modules_force_load (a comma-separated
 * list), added at its front; the key appended when missing. -EINVAL with
 * *problem when its value is not a plain list. */
int booster_yaml_edit(const char *text, const struct strv *modules, char **ret, char **problem);

/* A Boot Loader Specification entry (systemd-boot, grubby's BLS): params
 * in its options lines (one entry: a parameter is replaced where it is,
 * the new ones go on the last options line; an options line is added when
 * there is none). -EINVAL when the options hold a $variable (GRUB's
 * $kernelopts). */
int bls_entry_add_params(const char *text, const struct cmdline_edits *params, char **ret);

/* limine.conf (cmdline:, kernel_cmdline:) or the older limine.cfg
 * (CMDLINE=, KERNEL_CMDLINE=): params in every entry's command line.
 * -ENOENT when no entry has one. */
int limine_conf_add_params(const char *text, const struct cmdline_edits *params, char **ret);

/* rEFInd's refind_linux.conf ("title" "options" lines): params in the
 * options of every line. -ENOENT when there is no line; -EINVAL with
 * *problem for a line of another form. */
int refind_conf_add_params(const char *text, const struct cmdline_edits *params, char **ret, char **problem);

/* /etc/modprobe.d/vfio.conf, a file vfiokit shares with the user (the
 * article's "options kvm ignore_msrs=1" may be there): only vfiokit's
 * lines change. ids join the ids= of the first "options vfio-pci" line
 * (its other options kept; - and _ alike in module names), or a line
 * "options vfio-pci ids=..." is added; "install vfio-pci INSTALL"
 * (install NULL: none) and "softdep M pre: vfio-pci" for each of softdeps
 * are added where no line has them. A new file (text NULL or "") starts
 * with header. -EINVAL with *problem when that options line continues on
 * the next one. */
int modprobe_vfio_edit(const char *text, const char *header, const struct strv *ids, const char *install,
		       const struct strv *softdeps, char **ret, char **problem);

/* A modprobe.d file's options for module (the article's "options kvm
 * ignore_msrs=1" in /etc/modprobe.d/kvm.conf): each of opts (CMDLINE_SET,
 * or CMDLINE_SET_BOOL: ignore_msrs=Y stays for ignore_msrs=1) replaces an
 * option of the same name on every "options MODULE" line that has it (-
 * and _ alike), the others go on the last such line, or on a new
 * "options MODULE ..." line when there is none (a new file, text NULL or
 * "", starting with header). Other lines are kept byte for byte. -EINVAL
 * with *problem when such a line continues on the next one. */
int modprobe_options_edit(const char *text, const char *header, const char *module, const struct cmdline_edits *opts,
			  char **ret, char **problem);
