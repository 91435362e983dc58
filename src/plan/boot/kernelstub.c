/* SPDX-License-Identifier: GPL-2.0-or-later */
/* kernelstub (Pop!_OS): it writes the systemd-boot entries from its JSON
 * configuration, so the parameters go through `kernelstub -a` (undone by
 * `kernelstub -d`), only those its user kernel_options lack. */
#include <json-c/json.h>

#include "plan/boot/backend.h"

static const char config[] = "etc/kernelstub/configuration";

/* The user's kernel_options: -EINVAL when the text is not kernelstub's JSON. */
static int kernelstub_options(const char *text, struct strv *ret)
{
	json_object *root = text ? json_tokener_parse(text) : NULL, *user, *opts;
	int k = -EINVAL;

	if (root && json_object_object_get_ex(root, "user", &user) &&
	    json_object_object_get_ex(user, "kernel_options", &opts) && json_object_is_type(opts, json_type_array)) {
		k = 0;
		for (size_t i = 0; i < json_object_array_length(opts) && k >= 0; i++) {
			json_object *o = json_object_array_get_idx(opts, i);
			if (json_object_is_type(o, json_type_string))
				k = strv_push(ret, json_object_get_string(o));
		}
	}
	json_object_put(root);
	return k;
}

static int kernelstub_texts(const struct host_boot *b, struct strv *texts)
{
	int k = kernelstub_options(boot_text(b, config), texts);

	return k == -ENOMEM ? k : 0;
}

static int kernelstub_plan(const struct boot_plan_ctx *c)
{
	_cleanup_(strv_clear) struct strv opts = { 0 };
	const struct setup_plan *p = c->p;
	int k = kernelstub_options(boot_text(&c->h->boot, config), &opts);

	if (k == -EINVAL)
		return setup_by_hand(c->p, strdupf("kernelstub: its configuration could not be read: run kernelstub -a \"%s\"",
						   c->params));
	for (size_t i = 0; i < p->params.n && k >= 0; i++) {
		if (strv_contains(&opts, p->params.v[i]))
			continue;
		/* Another value of it (isolcpus=2-5 for isolcpus=6-11) goes
		 * first, as the file backends replace it; undo puts it back. */
		for (size_t j = 0; j < opts.n && k >= 0; j++)
			if (cmdline_param_same_name(opts.v[j], p->params.v[i]))
				k = setup_exec_pair(c->p, strdupf("kernelstub -d %s", opts.v[j]),
						    strdupf("kernelstub -a %s", opts.v[j]));
		if (k >= 0)
			k = setup_exec_pair(c->p, strdupf("kernelstub -a %s", p->params.v[i]),
					    strdupf("kernelstub -d %s", p->params.v[i]));
	}
	for (size_t i = 0; i < p->stale.n && k >= 0; i++)
		if (strv_contains(&opts, p->stale.v[i]))
			k = setup_exec_pair(c->p, strdupf("kernelstub -d %s", p->stale.v[i]),
					    strdupf("kernelstub -a %s", p->stale.v[i]));
	return k < 0 ? -ENOMEM : 0;
}

static bool kernelstub_records(const char *cmd)
{
	return (startswith(cmd, "kernelstub -a ") || startswith(cmd, "kernelstub -d ")) &&
	       boot_param_word(cmd + strlen("kernelstub -a "));
}

const struct boot_backend boot_kernelstub = {
	.name = "kernelstub",
	.kind = BOOT_LOADER,
	.detect_any = (const char *const[]){ config, NULL },
	.files = (const struct boot_path[]){ { config, NULL, false }, { NULL } },
	.supersedes = (const struct boot_backend *const[]){ &boot_systemd_boot, &boot_grubby, NULL },
	.by_hand = "its kernel options (kernelstub -a each)",
	.plan = kernelstub_plan,
	.cmdline_texts = kernelstub_texts,
	.records = kernelstub_records,
};
