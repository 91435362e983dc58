/* SPDX-License-Identifier: GPL-2.0-or-later */
/* systemd-boot: the options lines of the BLS entries, and
 * /etc/kernel/cmdline, which kernel-install reads for kernels installed
 * later. grubby's entries are edited the same way (grubby.c). */
#include <stdlib.h>
#include <string.h>

#include "plan/boot/backend.h"

/* A command line file as kernel-install's 90-loaderentry.install puts it
 * on an entry's options line (tr -s "$IFS" ' ', one trailing space off). */
static char *kernel_install_words(const char *text)
{
	char *out = malloc(strlen(text) + 1), *o = out;

	if (!out)
		return NULL;
	for (const char *p = text; *p;)
		if (strchr(" \t\n", *p)) {
			p += strspn(p, " \t\n");
			*o++ = ' ';
		} else
			*o++ = *p++;
	if (o > out && o[-1] == ' ')
		o--;
	*o = '\0';
	return out;
}

/* An entry that kernel-install wrote from /etc/kernel/cmdline: its one
 * options line is that file's words, and systemd.machine_id=ID after them
 * where kernel-install added it. The regenerate command writes such an
 * entry again from the edited file (Debian's update-initramfs runs
 * kernel-install add through its systemd-boot hook), with the parameters
 * before systemd.machine_id=: *ret is what it will write, so that the
 * entry holds what the journal says vfiokit wrote (undo finds no drift).
 * *ret NULL when the entry is not such an entry. */
static int kernel_install_entry(const char *entry, const char *cmdline, const char *edited, char **ret)
{
	_cleanup_free_ char *old = kernel_install_words(cmdline), *new = kernel_install_words(edited);
	const char *value = NULL, *end = NULL, *tail;
	size_t ol;

	*ret = NULL;
	if (!old || !new)
		return -ENOMEM;
	for (const char *p = entry; *p;) {
		const char *e = p + strcspn(p, "\n");
		if (startswith(p, "options") && (p[7] == ' ' || p[7] == '\t')) {
			if (value)
				return 0; /* two options lines: not kernel-install's */
			value = p + 7 + strspn(p + 7, " \t");
			end = e;
		}
		p = *e ? e + 1 : e;
	}
	ol = strlen(old);
	if (!value || !*old || (size_t)(end - value) < ol || strncmp(value, old, ol) != 0)
		return 0;
	tail = value + ol;
	if (tail != end && (*tail != ' ' || !startswith(tail + 1, "systemd.machine_id=") || strstr(old, "systemd.machine_id=") ||
			    memchr(tail + 1, ' ', (size_t)(end - tail - 1))))
		return 0;
	*ret = strdupf("%.*s%s%s", (int)(value - entry), entry, new, tail);
	return *ret ? 0 : -ENOMEM;
}

int bls_plan(const struct boot_plan_ctx *c)
{
	const struct host_boot *b = &c->h->boot;
	const char *cmdline = boot_text(b, "etc/kernel/cmdline");
	_cleanup_free_ char *new_cmdline = NULL;
	size_t edited = 0;
	int k;

	if (cmdline && (k = cmdline_file_add_params(cmdline, c->edits, &new_cmdline)) < 0)
		return k;
	for (size_t i = 0; i < b->files.n; i++) {
		const struct boot_file *f = &b->files.v[i];
		char *text = NULL;
		if (!boot_is_bls_entry(f->path))
			continue;
		k = cmdline ? kernel_install_entry(f->text, cmdline, new_cmdline, &text) : 0;
		if (k >= 0 && !text)
			k = bls_entry_add_params(f->text, c->edits, &text);
		if (k == -EINVAL)
			k = setup_by_hand(c->p, strdupf("/%s takes its options from a variable: run grubby "
							"--update-kernel=ALL --args=\"%s\"", f->path, c->params));
		else if (k >= 0 && (k = setup_add_file(c->p, f->path, text)) >= 0)
			edited++;
		if (k < 0)
			return -ENOMEM;
	}
	if (cmdline && (k = setup_add_file(c->p, "etc/kernel/cmdline", TAKE_PTR(new_cmdline))) < 0)
		return k;
	if (!edited && !cmdline && boot_installed(b, &boot_systemd_boot) &&
	    (k = setup_by_hand(c->p, strdupf("systemd-boot: no entry in /boot/loader/entries: add \"%s\" to the options "
					     "line of each entry (or create /etc/kernel/cmdline)", c->params))) < 0)
		return k;
	if (!edited && cmdline &&
	    (k = setup_by_hand(c->p, strdup("systemd-boot: /etc/kernel/cmdline applies when kernel-install next writes "
					    "the entries: reinstall the kernel"))) < 0)
		return k;
	return 0;
}

const struct boot_backend boot_systemd_boot = {
	.name = "systemd-boot",
	.kind = BOOT_LOADER,
	.detect_any = (const char *const[]){ "etc/kernel/cmdline", "boot/loader/loader.conf", "efi/loader/loader.conf",
					     "boot/efi/loader/loader.conf", NULL },
	.detect_by_files = true,
	.detect_unless = (const struct boot_backend *const[]){ &boot_grubby, &boot_rpm_ostree, NULL },
	.files = (const struct boot_path[]){ { "etc/kernel/cmdline", NULL, true }, BOOT_BLS_ENTRIES, { NULL } },
	.by_hand = "the options line of each entry in /boot/loader/entries and to /etc/kernel/cmdline",
	.plan = bls_plan,
};
