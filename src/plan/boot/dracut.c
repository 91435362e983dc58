/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dracut (Fedora, openSUSE, EndeavourOS): a drop-in of its own,
 * /etc/dracut.conf.d/vfio.conf, with the modules and vfio-pci's options. */
#include "plan/boot/backend.h"

static int dracut_plan(const struct boot_plan_ctx *c)
{
	const struct host_boot *b = &c->h->boot;
	const char *mine = boot_text(b, "etc/dracut.conf.d/vfio.conf");
	/* An earlier setup's driver_override script stays in the image. */
	bool by_address = c->p->by_address || (mine && strstr(mine, "/" OVERRIDE_SCRIPT));

	/* On rpm-ostree the image is the deployment's: regenerated on the
	 * client from /etc (rpm-ostree initramfs), never by dracut itself. */
	if (setup_add_file(c->p, "etc/dracut.conf.d/vfio.conf",
			   strdupf("# Written by vfiokit setup: the VFIO modules in the initramfs, and vfio-pci's\n"
				   "# options (dracut leaves modprobe.d out of images built with hostonly=\"no\").\n"
				   "force_drivers+=\" %s \"\n"
				   "install_items+=\" /etc/modprobe.d/vfio.conf%s \"\n",
				   c->mods, by_address ? " /" OVERRIDE_SCRIPT : "")) < 0 ||
	    strv_push(&c->p->commands, boot_installed(b, &boot_rpm_ostree) ? BOOT_OSTREE_INITRAMFS : c->regen) < 0)
		return -ENOMEM;
	return 0;
}

const struct boot_backend boot_dracut = {
	.name = "dracut",
	.kind = BOOT_GENERATOR,
	.detect_any = (const char *const[]){ "usr/bin/dracut", "etc/dracut.conf", NULL },
	.files = (const struct boot_path[]){ { "etc/dracut.conf.d/vfio.conf", NULL, false }, { NULL } },
	/* Plain dracut -f fails on systemd-boot layouts (EndeavourOS, Garuda):
	 * those distributions rebuild through their own wrapper. */
	.regen = (const struct boot_regen[]){ { "usr/bin/reinstall-kernels", "reinstall-kernels" },
					       { "usr/bin/dracut-rebuild", "dracut-rebuild" },
					       { NULL, "dracut --regenerate-all -f" },
					       { NULL, NULL } },
	.by_hand = "force_drivers in a file of /etc/dracut.conf.d, then rebuild the initramfs",
	.plan = dracut_plan,
};
