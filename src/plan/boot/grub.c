/* SPDX-License-Identifier: GPL-2.0-or-later */
/* GRUB: GRUB_CMDLINE_LINUX_DEFAULT in /etc/default/grub (the article's
 * "Enabling IOMMU"), then grub.cfg made again by the distribution's tool. */
#include "plan/boot/backend.h"

static int grub_plan(const struct boot_plan_ctx *c)
{
	const char *text = boot_text(&c->h->boot, "etc/default/grub");
	_cleanup_free_ char *mid = NULL;
	char *out = NULL, *problem = NULL;
	int k;

	if (!text)
		/* There (detected), but unreadable (a link to nothing, not a
		 * regular file): the parameters would reach no command line. */
		return setup_by_hand(c->p, strdupf("GRUB: /etc/default/grub could not be read (a link to a file that is "
						   "not there, or see the warnings): add \"%s\" to "
						   "GRUB_CMDLINE_LINUX_DEFAULT and regenerate grub.cfg",
						   c->params)) < 0 ? -ENOMEM : 0;
	/* GRUB_CMDLINE_LINUX comes first on the kernel's line: a parameter of
	 * the same name there (isolcpus=2-5) would stay, and win. */
	k = shell_var_drop_params(text, "GRUB_CMDLINE_LINUX", c->edits, &mid, &problem);
	if (k >= 0)
		k = shell_var_add_params(mid, "GRUB_CMDLINE_LINUX_DEFAULT", c->edits, &out, &problem);
	if (k == -EINVAL)
		k = setup_by_hand(c->p, strdupf("GRUB: /etc/default/grub %s: add \"%s\" to GRUB_CMDLINE_LINUX_DEFAULT", problem,
						c->params));
	else if (k >= 0 && (k = setup_add_file(c->p, "etc/default/grub", out)) >= 0)
		k = c->regen ? strv_push(&c->p->commands, c->regen) :
			       setup_by_hand(c->p, strdup("GRUB: regenerate grub.cfg (no update-grub or grub-mkconfig was found)"));
	free(problem);
	return k < 0 ? -ENOMEM : 0;
}

const struct boot_backend boot_grub = {
	.name = "GRUB",
	.kind = BOOT_LOADER,
	.detect_any = (const char *const[]){ "etc/default/grub", NULL },
	.files = (const struct boot_path[]){ { "etc/default/grub", NULL, true }, { NULL } },
	.regen = (const struct boot_regen[]){ { "usr/sbin/update-grub", "update-grub" },
					       { "usr/sbin/grub2-mkconfig", "grub2-mkconfig -o /boot/grub2/grub.cfg" },
					       { "usr/sbin/grub-mkconfig", "grub-mkconfig -o /boot/grub/grub.cfg" },
					       { "usr/bin/grub-mkconfig", "grub-mkconfig -o /boot/grub/grub.cfg" },
					       { NULL, NULL } },
	.by_hand = "GRUB_CMDLINE_LINUX_DEFAULT in /etc/default/grub, then regenerate grub.cfg",
	.plan = grub_plan,
};
