/* SPDX-License-Identifier: GPL-2.0-or-later */
/* mkinitcpio (Arch): the modules first in MODULES=(...) of
 * /etc/mkinitcpio.conf, the modconf hook kept; what its drop-ins and
 * presets may change after it is said. */
#include "plan/boot/backend.h"

/* Whether a line of a shell file (not a comment) assigns key ("NAME="). */
static bool assigns(const char *text, const char *key)
{
	for (const char *l = text; *l; l = next_line(l)) {
		const char *s = l + strspn(l, " \t");
		if (startswith(s, key))
			return true;
	}
	return false;
}

/* The *_config= lines of a mkinitcpio preset naming another file than
 * /etc/mkinitcpio.conf: a warning each. */
static int preset_configs(const struct boot_file *f, struct setup_plan *p)
{
	for (const char *l = f->text; *l; l = next_line(l)) {
		const char *s = l + strspn(l, " \t"), *eq = s + strcspn(s, "=\n"), *v, *e;
		if (*s == '#' || *eq != '=' || eq - s < 7 || strncmp(eq - 7, "_config", 7) != 0)
			continue;
		v = eq + 1 + strspn(eq + 1, "\"'");
		e = v + strcspn(v, "\"' \t\n");
		if ((size_t)(e - v) == strlen("/etc/mkinitcpio.conf") && strncmp(v, "/etc/mkinitcpio.conf", (size_t)(e - v)) == 0)
			continue;
		if (strv_push_take(&p->warnings, strdupf("/%s: %.*s builds from %.*s, not /etc/mkinitcpio.conf: put the "
							 "VFIO modules first in its MODULES too",
							 f->path, (int)(eq - s), s, (int)(e - v), v)) < 0)
			return -ENOMEM;
	}
	return 0;
}

static int mkinitcpio_plan(const struct boot_plan_ctx *c)
{
	const struct host_boot *b = &c->h->boot;
	const char *conf = boot_text(b, "etc/mkinitcpio.conf");
	struct setup_plan *p = c->p;
	_cleanup_(strv_clear) struct strv files = { 0 };
	char *text = NULL, *problem = NULL;
	int k;

	if (p->by_address && strv_push(&files, "/" OVERRIDE_SCRIPT) < 0)
		return -ENOMEM;
	k = mkinitcpio_conf_edit(conf ? conf : "", &p->modules, &files, &text, &problem);
	if (k == -EINVAL)
		k = setup_by_hand(p, strdupf("mkinitcpio: /etc/mkinitcpio.conf %s: put %s first in MODULES=(...), "
					     "before any KMS driver, keep modconf in HOOKS,%s then run mkinitcpio -P",
					     problem, c->mods, p->by_address ? " add /" OVERRIDE_SCRIPT " to FILES=(...)," : ""));
	else if (k >= 0 && (k = setup_add_file(p, "etc/mkinitcpio.conf", text)) >= 0)
		k = strv_push(&p->commands, c->regen);
	free(problem);
	if (k < 0)
		return -ENOMEM;
	/* A preset may build from another configuration file. */
	for (size_t i = 0; i < b->files.n; i++)
		if (startswith(b->files.v[i].path, "etc/mkinitcpio.d/") && (k = preset_configs(&b->files.v[i], p)) < 0)
			return k;
	/* mkinitcpio 36 and later source these after mkinitcpio.conf. */
	for (size_t i = 0; i < b->files.n; i++) {
		const struct boot_file *f = &b->files.v[i];
		if (!startswith(f->path, "etc/mkinitcpio.conf.d/"))
			continue;
		for (const char *const *key = (const char *const[]){ "MODULES=", "HOOKS=", NULL }; *key; key++)
			if (assigns(f->text, *key) &&
			    strv_push_take(&p->warnings,
					   strdupf("/%s sets %.*s after /etc/mkinitcpio.conf: make sure it keeps %s", f->path,
						   (int)strlen(*key) - 1, *key,
						   **key == 'M' ? "the VFIO modules first" : "the modconf hook")) < 0)
				return -ENOMEM;
	}
	return 0;
}

const struct boot_backend boot_mkinitcpio = {
	.name = "mkinitcpio",
	.kind = BOOT_GENERATOR,
	.detect_any = (const char *const[]){ "etc/mkinitcpio.conf", NULL },
	.files = (const struct boot_path[]){ { "etc/mkinitcpio.conf", NULL, false },
					     { "etc/mkinitcpio.conf.d", ".conf", false },
					     { "etc/mkinitcpio.d", ".preset", false },
					     { NULL } },
	.regen = (const struct boot_regen[]){ { NULL, "mkinitcpio -P" }, { NULL, NULL } },
	.by_hand = "the start of MODULES=(...) in /etc/mkinitcpio.conf, then run mkinitcpio -P",
	.plan = mkinitcpio_plan,
};
