/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The table of backends, and the questions the plan functions ask of the
 * host model about them. */
#include "plan/boot/backend.h"

const struct boot_backend *const boot_backends[] = {
	&boot_grub,    &boot_systemd_boot,	&boot_kernelstub, &boot_grubby,	    &boot_refind,  &boot_limine,
	&boot_rpm_ostree, &boot_proxmox,	&boot_initramfs_tools, &boot_dracut, &boot_mkinitcpio, &boot_booster,
	NULL,
};

bool boot_installed(const struct host_boot *b, const struct boot_backend *be)
{
	for (size_t i = 0; i < b->nfound; i++)
		if (b->found[i].be == be)
			return true;
	return false;
}

bool boot_active(const struct host_boot *b, const struct boot_backend *be)
{
	if (!boot_installed(b, be))
		return false;
	for (size_t i = 0; i < b->nfound; i++)
		for (const struct boot_backend *const *s = b->found[i].be->supersedes; s && *s; s++)
			if (*s == be)
				return false;
	return true;
}

const char *boot_text(const struct host_boot *b, const char *path)
{
	for (size_t i = 0; i < b->files.n; i++)
		if (streq(b->files.v[i].path, path))
			return b->files.v[i].text;
	return NULL;
}

bool boot_path_names(const struct boot_path *bp, const char *path)
{
	for (; bp && bp->path; bp++) {
		size_t n = strlen(bp->path);
		if (streq(path, bp->path) || (bp->suffix && strncmp(path, bp->path, n) == 0 && path[n] == '/'))
			return true;
	}
	return false;
}

int boot_plan(const struct boot_plan_ctx *c)
{
	const struct boot_files *u = &c->h->boot.unreadable;
	bool loader = c->be->kind == BOOT_LOADER;

	for (size_t i = 0; i < u->n; i++)
		if (boot_path_names(c->be->files, u->v[i].path))
			return setup_by_hand(c->p, strdupf("%s: /%s could not be read (%s): add %s%s%s to %s", c->be->name,
							   u->v[i].path, u->v[i].text, loader ? "\"" : "",
							   loader ? c->params : c->mods, loader ? "\"" : "", c->be->by_hand));
	return c->be->plan(c);
}

bool boot_param_word(const char *w)
{
	if (!*w || *w == '-')
		return false;
	for (; *w; w++)
		if (*w < 0x21 || *w > 0x7e)
			return false;
	return true;
}

bool boot_command_recorded(const char *cmd)
{
	if (streq(cmd, BOOT_OSTREE_INITRAMFS))
		return true;
	for (const struct boot_backend *const *be = boot_backends; *be; be++) {
		for (const struct boot_regen *r = (*be)->regen; r && r->command; r++)
			if (streq(cmd, r->command))
				return true;
		if ((*be)->records && (*be)->records(cmd))
			return true;
	}
	return false;
}

bool boot_is_bls_entry(const char *path)
{
	static const struct boot_path entries[] = { BOOT_BLS_ENTRIES };

	for (size_t i = 0; i < ARRAY_SIZE(entries); i++)
		if (startswith(path, entries[i].path) && path[strlen(entries[i].path)] == '/')
			return true;
	return false;
}
