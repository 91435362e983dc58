/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What boots this machine: the bootloaders and initramfs generators that
 * are installed (by their configuration files and programs), every
 * installed kernel and which VFIO modules it has (modules.dep, or built in:
 * vfio_virqfd is gone since 6.2, and a built-in module needs no entry),
 * and the text of the files `vfiokit setup` edits.
 */
#include <json-c/json.h>

#include "host.h"

const char *boot_loader_name(unsigned bit)
{
	switch (bit) {
	case LOADER_GRUB: return "GRUB";
	case LOADER_SYSTEMD_BOOT: return "systemd-boot";
	case LOADER_KERNELSTUB: return "kernelstub";
	case LOADER_GRUBBY: return "grubby";
	case LOADER_REFIND: return "rEFInd";
	case LOADER_LIMINE: return "Limine";
	case LOADER_RPM_OSTREE: return "rpm-ostree";
	default: return NULL;
	}
}

const char *initramfs_gen_name(unsigned bit)
{
	switch (bit) {
	case GEN_MKINITCPIO: return "mkinitcpio";
	case GEN_DRACUT: return "dracut";
	case GEN_BOOSTER: return "booster";
	case GEN_INITRAMFS_TOOLS: return "initramfs-tools";
	default: return NULL;
	}
}

const char *vfio_module_name(unsigned i)
{
	static const char *const names[] = { "vfio_pci", "vfio", "vfio_iommu_type1", "vfio_virqfd" };

	return i < ARRAY_SIZE(names) ? names[i] : NULL;
}

static bool exists(struct host *h, const char *rel)
{
	struct stat st;

	return path_lstat(h->root, rel, &st) == 0;
}

static bool any(struct host *h, const char *const *rels)
{
	for (; *rels; rels++)
		if (exists(h, *rels))
			return true;
	return false;
}

/* Which VFIO module a modules.dep or modules.builtin path names. */
static int vfio_index(const char *path)
{
	_cleanup_free_ char *name = module_name_from_path(path);

	for (unsigned i = 0; name && i < _VFIO_MOD_MAX; i++)
		if (streq(name, vfio_module_name(i)))
			return (int)i;
	return -1;
}

static int scan_table(struct host *h, const char *rel, unsigned *bits)
{
	_cleanup_free_ char *text = NULL;
	char *save = NULL, *line;
	int k = path_read_file(h->root, rel, 16u << 20, &text, NULL);

	if (k < 0)
		return k;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *colon = strchr(line, ':');
		int i;
		if (colon)
			*colon = '\0';
		if ((i = vfio_index(line)) >= 0)
			*bits |= 1u << i;
	}
	return 0;
}

static int load_kernels(struct host *h, struct host_boot *b)
{
	struct strv rel = { 0 };
	int k = path_list(h->root, "lib/modules", &rel);

	if (k == -ENOENT)
		return 0;
	if (k < 0)
		return k == -ENOMEM ? k : 0;
	strv_sort(&rel);
	for (size_t i = 0; i < rel.n; i++) {
		struct boot_kernel kn = { 0 };
		_cleanup_free_ char *dep = strdupf("lib/modules/%s/modules.dep", rel.v[i]);
		_cleanup_free_ char *bi = strdupf("lib/modules/%s/modules.builtin", rel.v[i]);
		if (!dep || !bi || !(kn.release = strdup(rel.v[i]))) {
			strv_clear(&rel);
			return -ENOMEM;
		}
		k = scan_table(h, dep, &kn.module);
		kn.tables = k == 0;
		if (k == -ENOMEM || scan_table(h, bi, &kn.builtin) == -ENOMEM ||
		    GROW(b->kernels, b->kernels_alloc, b->nkernels + 1) < 0) {
			free(kn.release);
			strv_clear(&rel);
			return -ENOMEM;
		}
		if (!kn.tables)
			host_diag(h, dep, "cannot read: which VFIO modules kernel %s has is unknown", kn.release);
		b->kernels[b->nkernels++] = kn;
	}
	strv_clear(&rel);
	return 0;
}

static int read_optional(struct host *h, const char *rel, char **ret)
{
	int k = path_read_file(h->root, rel, 1u << 20, ret, NULL);

	if (k == -ENOENT || k == -ENOTDIR) {
		*ret = NULL;
		return 0;
	}
	if (k < 0 && k != -ENOMEM)
		host_diag(h, rel, "cannot read: %s", path_strerror(k));
	return k == -ENOMEM ? k : 0;
}

static int add_file(struct boot_files *f, const char *rel, char *text)
{
	char *p = strdup(rel);

	if (!p || GROW(f->v, f->alloc, f->n + 1) < 0) {
		free(p);
		free(text);
		return -ENOMEM;
	}
	f->v[f->n++] = (struct boot_file){ p, text };
	return 0;
}

static void boot_files_free(struct boot_files *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->v[i].path);
		free(f->v[i].text);
	}
	free(f->v);
	*f = (struct boot_files){ 0 };
}

/* The files of the directories dirs whose names end with suffix, in name order. */
static int load_confs(struct host *h, const char *const *dirs, size_t ndirs, const char *suffix,
		      struct boot_files *f)
{
	int k = 0;

	for (size_t d = 0; d < ndirs && k >= 0; d++) {
		struct strv names = { 0 };
		if (path_list(h->root, dirs[d], &names) < 0)
			continue;
		strv_sort(&names);
		for (size_t i = 0; i < names.n && k >= 0; i++) {
			_cleanup_free_ char *rel = endswith(names.v[i], suffix) ? strdupf("%s/%s", dirs[d], names.v[i]) : NULL;
			char *text = NULL;
			if (!endswith(names.v[i], suffix))
				continue;
			if (!rel || (k = read_optional(h, rel, &text)) < 0) {
				k = -ENOMEM;
				break;
			}
			if (text)
				k = add_file(f, rel, text);
		}
		strv_clear(&names);
	}
	return k;
}

/* The BLS entries of every loader/entries directory, and mkinitcpio's
 * drop-ins. */
static int load_entries(struct host *h, struct host_boot *b)
{
	static const char *const dirs[] = { "boot/loader/entries", "efi/loader/entries", "boot/efi/loader/entries" };
	static const char *const dropins[] = { "etc/mkinitcpio.conf.d" }, *const presets[] = { "etc/mkinitcpio.d" };
	int k = load_confs(h, dirs, ARRAY_SIZE(dirs), ".conf", &b->entries);

	if (k >= 0)
		k = load_confs(h, dropins, 1, ".conf", &b->mkinitcpio_dropins);
	if (k >= 0)
		k = load_confs(h, presets, 1, ".preset", &b->mkinitcpio_presets);
	return k;
}

static int load_limine(struct host *h, struct host_boot *b)
{
	static const char *const rels[] = { "boot/limine.conf", "boot/limine/limine.conf", "boot/EFI/limine/limine.conf",
					    "efi/limine/limine.conf", "boot/efi/limine/limine.conf",
					    "boot/efi/EFI/limine/limine.conf", "boot/limine.cfg", NULL };
	int k = 0;

	for (size_t i = 0; rels[i] && k >= 0; i++) {
		char *text = NULL;
		if ((k = read_optional(h, rels[i], &text)) >= 0 && text) {
			b->loaders |= LOADER_LIMINE;
			k = add_file(&b->limine, rels[i], text);
		}
	}
	return k;
}

/* kernelstub's configuration (JSON): the user's kernel_options. */
static int load_kernelstub(struct host *h, struct host_boot *b)
{
	static const char rel[] = "etc/kernelstub/configuration";
	_cleanup_free_ char *text = NULL;
	json_object *root, *user, *opts;
	int k = read_optional(h, rel, &text);

	if (k < 0 || !text)
		return k;
	root = json_tokener_parse(text);
	if (root && json_object_object_get_ex(root, "user", &user) &&
	    json_object_object_get_ex(user, "kernel_options", &opts) && json_object_is_type(opts, json_type_array)) {
		b->kernelstub_read = true;
		for (size_t i = 0; i < json_object_array_length(opts) && k >= 0; i++) {
			json_object *o = json_object_array_get_idx(opts, i);
			if (json_object_is_type(o, json_type_string))
				k = strv_push(&b->kernelstub_options, json_object_get_string(o));
		}
	} else
		host_diag(h, rel, "not kernelstub's JSON with user.kernel_options: which options it has is unknown");
	json_object_put(root);
	return k < 0 ? -ENOMEM : 0;
}

/* Every modprobe.d file kmod reads (modprobe.d(5)): the .conf files of
 * five directories; of files with the same name only the one in the first
 * directory below counts (one in /etc replaces, or as an empty file or a
 * link to /dev/null masks, the packaged one), and they are read in the
 * order of their names, whichever directory each is in. */
static int load_modprobe(struct host *h, struct host_boot *b)
{
	static const char *const dirs[] = { "etc/modprobe.d", "run/modprobe.d", "usr/local/lib/modprobe.d",
					    "usr/lib/modprobe.d", "lib/modprobe.d" };
	struct strv names = { 0 }, rels = { 0 };
	int k = 0;

	for (size_t d = 0; d < ARRAY_SIZE(dirs) && k >= 0; d++) {
		struct strv here = { 0 };
		int l = path_list(h->root, dirs[d], &here);
		if (l == -ENOMEM)
			k = l;
		else if (l < 0 && l != -ENOENT && l != -ENOTDIR)
			host_diag(h, dirs[d], "cannot list: %s; the modprobe.d files there are not seen", strerror(-l));
		for (size_t i = 0; i < here.n && k >= 0; i++)
			if (endswith(here.v[i], ".conf") && strlen(here.v[i]) > 5 && !strv_contains(&names, here.v[i]) &&
			    (strv_push(&names, here.v[i]) < 0 || strv_push_take(&rels, strdupf("%s/%s", dirs[d], here.v[i])) < 0))
				k = -ENOMEM;
		strv_clear(&here);
	}
	/* By name, the directory each came from kept with it. */
	for (size_t i = 1; i < names.n && k >= 0; i++)
		for (size_t j = i; j > 0 && strcmp(names.v[j - 1], names.v[j]) > 0; j--) {
			char *t = names.v[j];
			names.v[j] = names.v[j - 1];
			names.v[j - 1] = t;
			t = rels.v[j];
			rels.v[j] = rels.v[j - 1];
			rels.v[j - 1] = t;
		}
	for (size_t i = 0; i < rels.n && k >= 0; i++) {
		_cleanup_free_ char *text = NULL;
		if ((k = read_optional(h, rels.v[i], &text)) >= 0 && text)
			k = modprobe_conf_parse(text, &b->modprobe);
	}
	strv_clear(&names);
	strv_clear(&rels);
	return k;
}

int boot_load(struct host *h)
{
	static const char *const sdboot[] = { "etc/kernel/cmdline", "boot/loader/loader.conf", "efi/loader/loader.conf",
					      "boot/efi/loader/loader.conf", NULL };
	static const char *const dracut[] = { "usr/bin/dracut", "etc/dracut.conf", NULL };
	static const char *const booster[] = { "etc/booster.yaml", "usr/bin/booster", NULL };
	static const char *const itools[] = { "usr/sbin/update-initramfs", "etc/initramfs-tools/initramfs.conf", NULL };
	struct host_boot *b = &h->boot;
	int k;

	if (exists(h, "etc/default/grub")) {
		b->loaders |= LOADER_GRUB;
		b->grub_regen = exists(h, "usr/sbin/update-grub")	  ? strdup("update-grub") :
				exists(h, "usr/sbin/grub2-mkconfig")	  ? strdup("grub2-mkconfig -o /boot/grub2/grub.cfg") :
				exists(h, "usr/sbin/grub-mkconfig") ||
						exists(h, "usr/bin/grub-mkconfig") ? strdup("grub-mkconfig -o /boot/grub/grub.cfg") :
										    NULL;
	}
	if (any(h, sdboot))
		b->loaders |= LOADER_SYSTEMD_BOOT;
	if (exists(h, "etc/kernelstub/configuration"))
		b->loaders |= LOADER_KERNELSTUB;
	if (exists(h, "usr/sbin/grubby"))
		b->loaders |= LOADER_GRUBBY;
	if (exists(h, "boot/refind_linux.conf"))
		b->loaders |= LOADER_REFIND;
	if (exists(h, "usr/bin/rpm-ostree") && exists(h, "run/ostree-booted"))
		b->loaders |= LOADER_RPM_OSTREE;
	b->booster_regen = exists(h, "usr/lib/booster/regenerate_images");
	/* Plain dracut -f fails on systemd-boot layouts (EndeavourOS, Garuda):
	 * those distributions rebuild through their own wrapper. */
	b->dracut_regen = exists(h, "usr/bin/reinstall-kernels") ? "reinstall-kernels" :
			  exists(h, "usr/bin/dracut-rebuild")	 ? "dracut-rebuild" :
								   "dracut --regenerate-all -f";
	if (exists(h, "etc/mkinitcpio.conf"))
		b->generators |= GEN_MKINITCPIO;
	if (any(h, dracut))
		b->generators |= GEN_DRACUT;
	if (any(h, booster))
		b->generators |= GEN_BOOSTER;
	if (any(h, itools))
		b->generators |= GEN_INITRAMFS_TOOLS;
	if ((k = load_kernels(h, b)) < 0 || (k = read_optional(h, "etc/default/grub", &b->grub_default)) < 0 ||
	    (k = read_optional(h, "etc/kernel/cmdline", &b->kernel_cmdline)) < 0 ||
	    (k = read_optional(h, "etc/initramfs-tools/modules", &b->initramfs_modules)) < 0 ||
	    (k = read_optional(h, "etc/modprobe.d/vfio.conf", &b->modprobe_vfio)) < 0 ||
	    (k = read_optional(h, "etc/dracut.conf.d/vfio.conf", &b->dracut_vfio)) < 0 ||
	    (k = read_optional(h, OVERRIDE_SCRIPT, &b->override_script)) < 0 ||
	    (k = read_optional(h, "etc/mkinitcpio.conf", &b->mkinitcpio_conf)) < 0 ||
	    (k = read_optional(h, "etc/booster.yaml", &b->booster_yaml)) < 0 ||
	    (k = read_optional(h, "boot/refind_linux.conf", &b->refind_conf)) < 0 || (k = load_entries(h, b)) < 0 ||
	    (k = load_limine(h, b)) < 0 || (k = load_kernelstub(h, b)) < 0 || (k = load_modprobe(h, b)) < 0)
		return k;
	/* Entries that neither grubby nor ostree writes: systemd-boot's. */
	if (b->entries.n && !(b->loaders & (LOADER_GRUBBY | LOADER_RPM_OSTREE)))
		b->loaders |= LOADER_SYSTEMD_BOOT;
	return 0;
}

void boot_free(struct host_boot *b)
{
	for (size_t i = 0; i < b->nkernels; i++)
		free(b->kernels[i].release);
	free(b->kernels);
	free(b->grub_regen);
	free(b->grub_default);
	free(b->kernel_cmdline);
	free(b->initramfs_modules);
	free(b->modprobe_vfio);
	free(b->dracut_vfio);
	free(b->override_script);
	free(b->mkinitcpio_conf);
	free(b->booster_yaml);
	free(b->refind_conf);
	boot_files_free(&b->entries);
	boot_files_free(&b->limine);
	boot_files_free(&b->mkinitcpio_dropins);
	boot_files_free(&b->mkinitcpio_presets);
	strv_clear(&b->kernelstub_options);
	modprobe_conf_free(&b->modprobe);
	*b = (struct host_boot){ 0 };
}
