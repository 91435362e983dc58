/* SPDX-License-Identifier: GPL-2.0-or-later */
/* booster (Arch): modules_force_load in /etc/booster.yaml. It ignores
 * modprobe.d, so vfio-pci's IDs go on the kernel command line too. */
#include "plan/boot/backend.h"

static int booster_plan(const struct boot_plan_ctx *c)
{
	const char *yaml = boot_text(&c->h->boot, "etc/booster.yaml");
	char *text = NULL, *problem = NULL;
	int k = booster_yaml_edit(yaml ? yaml : "", &c->p->modules, &text, &problem);

	if (k == -EINVAL)
		k = setup_by_hand(c->p, strdupf("booster: /etc/booster.yaml %s: add %s to modules_force_load, then "
						"rebuild the images", problem, c->mods));
	else if (k >= 0 && (k = setup_add_file(c->p, "etc/booster.yaml", text)) >= 0)
		k = c->regen ? strv_push(&c->p->commands, c->regen) :
			       setup_by_hand(c->p, strdup("booster: rebuild each image with booster build --force "
							  "--kernel-version VERSION /boot/booster-NAME.img"));
	free(problem);
	return k < 0 ? -ENOMEM : 0;
}

const struct boot_backend boot_booster = {
	.name = "booster",
	.kind = BOOT_GENERATOR,
	.detect_any = (const char *const[]){ "etc/booster.yaml", "usr/bin/booster", NULL },
	.files = (const struct boot_path[]){ { "etc/booster.yaml", NULL, false }, { NULL } },
	.regen = (const struct boot_regen[]){ { "usr/lib/booster/regenerate_images", "/usr/lib/booster/regenerate_images" },
					       { NULL, NULL } },
	.ignores_modprobe_d = true,
	.by_hand = "modules_force_load in /etc/booster.yaml, then rebuild the images",
	.plan = booster_plan,
};
