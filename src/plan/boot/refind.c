/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rEFInd: the options of every line of /boot/refind_linux.conf (as mkrlconf writes it). */
#include "plan/boot/backend.h"

static int refind_plan(const struct boot_plan_ctx *c)
{
	const char *text = boot_text(&c->h->boot, "boot/refind_linux.conf");
	char *out = NULL, *problem = NULL;
	int k;

	if (!text)
		return 0;
	k = refind_conf_add_params(text, c->edits, &out, &problem);
	if (k == -EINVAL || k == -ENOENT)
		k = setup_by_hand(c->p, strdupf("rEFInd: /boot/refind_linux.conf %s: add \"%s\" to the options",
						problem ? problem : "has no entry", c->params));
	else if (k >= 0)
		k = setup_add_file(c->p, "boot/refind_linux.conf", out);
	free(problem);
	return k < 0 ? -ENOMEM : 0;
}

const struct boot_backend boot_refind = {
	.name = "rEFInd",
	.kind = BOOT_LOADER,
	.detect_any = (const char *const[]){ "boot/refind_linux.conf", NULL },
	.files = (const struct boot_path[]){ { "boot/refind_linux.conf", NULL, true }, { NULL } },
	.by_hand = "the options of each line of /boot/refind_linux.conf",
	.plan = refind_plan,
};
