/* SPDX-License-Identifier: GPL-2.0-or-later */
/* initramfs-tools (Debian, Ubuntu): the modules in
 * /etc/initramfs-tools/modules; with identical cards, a hook that puts the
 * driver_override script into the image. */
#include "plan/boot/backend.h"
#include "plan/override.h"

static int itools_plan(const struct boot_plan_ctx *c)
{
	const char *text = boot_text(&c->h->boot, "etc/initramfs-tools/modules");
	char *hook = NULL;

	if (c->p->by_address && (override_initramfs_hook(&hook) < 0 ||
				 setup_add_file(c->p, "etc/initramfs-tools/hooks/vfio-pci-override", hook) < 0))
		return -ENOMEM;
	if (setup_add_file(c->p, "etc/initramfs-tools/modules", list_file_add(text ? text : "", &c->p->modules)) < 0 ||
	    strv_push(&c->p->commands, c->regen) < 0)
		return -ENOMEM;
	return 0;
}

const struct boot_backend boot_initramfs_tools = {
	.name = "initramfs-tools",
	.kind = BOOT_GENERATOR,
	.detect_any = (const char *const[]){ "usr/sbin/update-initramfs", "etc/initramfs-tools/initramfs.conf", NULL },
	.files = (const struct boot_path[]){ { "etc/initramfs-tools/modules", NULL, false }, { NULL } },
	.regen = (const struct boot_regen[]){ { NULL, "update-initramfs -u -k all" }, { NULL, NULL } },
	.by_hand = "/etc/initramfs-tools/modules (one a line), then run update-initramfs -u -k all",
	.plan = itools_plan,
};
