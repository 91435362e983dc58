/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rpm-ostree (Silverblue, Kinoite, CoreOS): the deployment's kargs, by
 * `rpm-ostree kargs`; ostree writes the BLS entries and grub.cfg itself. */
#include "plan/boot/backend.h"

/* Whether every ostree entry has param (none: no). */
static bool ostree_has(const struct host_boot *b, const char *param)
{
	bool any = false;

	for (size_t i = 0; i < b->files.n; i++) {
		const struct boot_file *f = &b->files.v[i];
		const char *base = strrchr(f->path, '/');
		if (!boot_is_bls_entry(f->path) || !startswith(base ? base + 1 : f->path, "ostree-"))
			continue;
		any = true;
		if (!cmdline_has_word(f->text, param))
			return false;
	}
	return any;
}

/* The first parameter of an ostree entry's options named as param but
 * with another value (isolcpus=2-5 for isolcpus=6-11); NULL when none,
 * or on ENOMEM (*oom). */
static char *ostree_other_value(const struct host_boot *b, const char *param, bool *oom)
{
	for (size_t i = 0; i < b->files.n; i++) {
		const struct boot_file *f = &b->files.v[i];
		const char *base = strrchr(f->path, '/');
		if (!boot_is_bls_entry(f->path) || !startswith(base ? base + 1 : f->path, "ostree-"))
			continue;
		for (const char *l = f->text; l && *l; l = next_line(l)) {
			const char *e = l + strcspn(l, "\n");
			if (!startswith(l, "options") || !strchr(" \t", l[strlen("options")]))
				continue;
			for (const char *t = l + strlen("options"); t < e;) {
				size_t n;
				char *w;
				t += strspn(t, " \t");
				n = strcspn(t, " \t\n");
				if (!n)
					break;
				if (!(w = strndup(t, n))) {
					*oom = true;
					return NULL;
				}
				if (!streq(w, param) && cmdline_param_same_name(w, param))
					return w;
				free(w);
				t += n;
			}
		}
	}
	return NULL;
}

/* "rpm-ostree kargs OPT P1 OPT P2 ..." */
static char *kargs(const char *opt, const struct strv *params)
{
	_cleanup_(strv_clear) struct strv w = { 0 };

	if (strv_push(&w, "rpm-ostree kargs") < 0)
		return NULL;
	for (size_t i = 0; i < params->n; i++)
		if (strv_push_take(&w, strdupf("%s%s", opt, params->v[i])) < 0)
			return NULL;
	return strv_join(&w, " ");
}

static int ostree_plan(const struct boot_plan_ctx *c)
{
	const struct host_boot *b = &c->h->boot;
	_cleanup_(strv_clear) struct strv add = { 0 }, del = { 0 }, rep = { 0 }, old = { 0 };
	bool oom = false;
	int k = 0;

	for (size_t i = 0; i < c->p->stale.n && k >= 0; i++)
		if (ostree_has(b, c->p->stale.v[i]))
			k = strv_push(&del, c->p->stale.v[i]);
	for (size_t i = 0; i < c->p->params.n && k >= 0; i++) {
		char *other;
		if (ostree_has(b, c->p->params.v[i]))
			continue;
		/* Another value of it: replaced (--replace), as the file
		 * backends do; undo replaces it back. */
		if ((other = ostree_other_value(b, c->p->params.v[i], &oom))) {
			/* rpm-ostree finds the key as it is spelt there (rcu-nocbs). */
			const char *v = c->p->params.v[i] + strcspn(c->p->params.v[i], "=");
			k = strv_push_take(&rep, strdupf("%.*s%s", (int)strcspn(other, "="), other, v));
			if (k >= 0)
				k = strv_push_take(&old, other);
			else
				free(other);
		} else
			k = oom ? -ENOMEM : strv_push(&add, c->p->params.v[i]);
	}
	if (k >= 0 && rep.n)
		k = setup_exec_pair(c->p, kargs("--replace=", &rep), kargs("--replace=", &old));
	if (k >= 0 && add.n)
		k = setup_exec_pair(c->p, kargs("--append-if-missing=", &add), kargs("--delete-if-present=", &add));
	if (k >= 0 && del.n)
		k = setup_exec_pair(c->p, kargs("--delete-if-present=", &del), kargs("--append-if-missing=", &del));
	return k < 0 ? -ENOMEM : 0;
}

/* kargs() of the options ostree_plan uses, with at least one parameter. */
static bool ostree_records(const char *cmd)
{
	const char *w = startswith(cmd, "rpm-ostree kargs ") ? cmd + strlen("rpm-ostree kargs") : NULL;

	while (w && *w == ' ') {
		const char *opt = startswith(w + 1, "--append-if-missing=") ? "--append-if-missing=" :
				  startswith(w + 1, "--delete-if-present=") ? "--delete-if-present=" :
				  startswith(w + 1, "--replace=")	   ? "--replace=" :
									     NULL;
		_cleanup_free_ char *word = opt ? strndup(w + 1 + strlen(opt), strcspn(w + 1 + strlen(opt), " ")) : NULL;
		if (!word || !boot_param_word(word))
			return false;
		w += 1 + strlen(opt) + strlen(word);
	}
	return w && !*w;
}

const struct boot_backend boot_rpm_ostree = {
	.name = "rpm-ostree",
	.kind = BOOT_LOADER,
	.detect_all = (const char *const[]){ "usr/bin/rpm-ostree", "run/ostree-booted", NULL },
	.files = (const struct boot_path[]){ BOOT_BLS_ENTRIES, { NULL } },
	.supersedes = (const struct boot_backend *const[]){ &boot_grub, &boot_systemd_boot, &boot_grubby, NULL },
	.by_hand = "the kernel arguments (rpm-ostree kargs --append-if-missing=... each)",
	.plan = ostree_plan,
	.records = ostree_records,
};
