/* SPDX-License-Identifier: GPL-2.0-or-later */
/* grubby (Fedora, RHEL): GRUB reads the BLS entries grubby writes, and
 * kernel-install fills new ones from /etc/kernel/cmdline: the same edits
 * as systemd-boot's, made once where both are there. */
#include "plan/boot/backend.h"

const struct boot_backend boot_grubby = {
	.name = "grubby",
	.kind = BOOT_LOADER,
	.detect_any = (const char *const[]){ "usr/sbin/grubby", NULL },
	.files = (const struct boot_path[]){ { "etc/kernel/cmdline", NULL, true }, BOOT_BLS_ENTRIES, { NULL } },
	.supersedes = (const struct boot_backend *const[]){ &boot_systemd_boot, NULL },
	.by_hand = "every entry (grubby --update-kernel=ALL --args=...) and to /etc/kernel/cmdline",
	.plan = bls_plan,
};
