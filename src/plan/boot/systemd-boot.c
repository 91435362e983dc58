/* SPDX-License-Identifier: GPL-2.0-or-later */
/* systemd-boot: the options lines of the BLS entries, and
 * /etc/kernel/cmdline, which kernel-install reads for kernels installed
 * later. grubby's entries are edited the same way (grubby.c). */
#include "backend.h"

int bls_plan(const struct boot_plan_ctx *c)
{
	const struct host_boot *b = &c->h->boot;
	const char *cmdline = boot_text(b, "etc/kernel/cmdline");
	size_t edited = 0;
	int k;

	for (size_t i = 0; i < b->files.n; i++) {
		const struct boot_file *f = &b->files.v[i];
		char *text = NULL;
		if (!boot_is_bls_entry(f->path))
			continue;
		k = bls_entry_add_params(f->text, c->edits, &text);
		if (k == -EINVAL)
			k = setup_by_hand(c->p, strdupf("/%s takes its options from a variable: run grubby "
							"--update-kernel=ALL --args=\"%s\"", f->path, c->params));
		else if (k >= 0 && (k = setup_add_file(c->p, f->path, text)) >= 0)
			edited++;
		if (k < 0)
			return -ENOMEM;
	}
	if (cmdline) {
		char *text = NULL;
		if ((k = cmdline_file_add_params(cmdline, c->edits, &text)) < 0 ||
		    (k = setup_add_file(c->p, "etc/kernel/cmdline", text)) < 0)
			return k;
	}
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
