/* SPDX-License-Identifier: GPL-2.0-or-later */
/* proxmox-boot-tool (Proxmox VE on ZFS, or booting from several ESPs): it
 * copies the kernels to the ESPs it lists in /etc/kernel/proxmox-boot-uuids
 * and writes their systemd-boot entries from /etc/kernel/cmdline (one
 * line); `proxmox-boot-tool refresh` applies a change (Proxmox VE admin
 * guide, "Editing the Kernel Commandline"). With GRUB it is
 * /etc/default/grub (grub.c), still synced by the refresh. */
#include "plan/boot/backend.h"

static int proxmox_plan(const struct boot_plan_ctx *c)
{
	const struct host_boot *b = &c->h->boot;
	const char *text = boot_text(b, "etc/kernel/cmdline");
	char *out = NULL;
	int k;

	if (text) {
		if ((k = cmdline_file_add_params(text, c->edits, &out)) < 0 ||
		    (k = setup_add_file(c->p, "etc/kernel/cmdline", out)) < 0)
			return k;
	} else if (!boot_active(b, &boot_grub))
		return setup_by_hand(c->p, strdupf("proxmox-boot-tool: no /etc/kernel/cmdline: write the kernel command "
						   "line there with \"%s\" (one line), then run proxmox-boot-tool refresh",
						   c->params));
	return strv_push(&c->p->commands, c->regen) < 0 ? -ENOMEM : 0;
}

const struct boot_backend boot_proxmox = {
	.name = "proxmox-boot-tool",
	.kind = BOOT_LOADER,
	.detect_all = (const char *const[]){ "usr/sbin/proxmox-boot-tool", "etc/kernel/proxmox-boot-uuids", NULL },
	.files = (const struct boot_path[]){ { "etc/kernel/cmdline", NULL, true }, { NULL } },
	.regen = (const struct boot_regen[]){ { NULL, "proxmox-boot-tool refresh" }, { NULL, NULL } },
	.supersedes = (const struct boot_backend *const[]){ &boot_systemd_boot, NULL },
	.by_hand = "/etc/kernel/cmdline (one line), then run proxmox-boot-tool refresh",
	.plan = proxmox_plan,
};
