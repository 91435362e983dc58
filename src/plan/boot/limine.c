/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Limine: every entry's command line in each limine.conf (or the older
 * limine.cfg) found; the file is what says Limine is there. */
#include "plan/boot/backend.h"

static int limine_plan(const struct boot_plan_ctx *c)
{
	for (const struct boot_path *bp = c->be->files; bp->path; bp++) {
		const char *text = boot_text(&c->h->boot, bp->path);
		char *out = NULL;
		int k;
		if (!text)
			continue;
		k = limine_conf_add_params(text, c->edits, &out);
		if (k == -ENOENT)
			k = setup_by_hand(c->p, strdupf("Limine: /%s has no cmdline: add \"%s\" to each entry's", bp->path,
							c->params));
		else if (k >= 0)
			k = setup_add_file(c->p, bp->path, out);
		if (k < 0)
			return -ENOMEM;
	}
	return 0;
}

const struct boot_backend boot_limine = {
	.name = "Limine",
	.kind = BOOT_LOADER,
	.detect_by_files = true,
	.files = (const struct boot_path[]){ { "boot/limine.conf", NULL, true },
					     { "boot/limine/limine.conf", NULL, true },
					     { "boot/EFI/limine/limine.conf", NULL, true },
					     { "efi/limine/limine.conf", NULL, true },
					     { "boot/efi/limine/limine.conf", NULL, true },
					     { "boot/efi/EFI/limine/limine.conf", NULL, true },
					     { "boot/limine.cfg", NULL, true },
					     { NULL } },
	.by_hand = "each entry's cmdline in that file",
	.plan = limine_plan,
};
