/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What boots this machine: the bootloaders and initramfs generators that
 * are installed (by their configuration files and programs), every
 * installed kernel and which VFIO modules it has (modules.dep, or built in:
 * vfio_virqfd is gone since 6.2, and a built-in module needs no entry),
 * and the text of the files `vfiokit setup` edits.
 */
#include "host.h"

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
		host_diag(h, rel, "cannot read: %s", strerror(-k));
	return k == -ENOMEM ? k : 0;
}

static int load_modprobe(struct host *h, struct host_boot *b)
{
	struct strv names = { 0 };
	int k = path_list(h->root, "etc/modprobe.d", &names);

	if (k < 0)
		return k == -ENOMEM ? k : 0;
	strv_sort(&names);
	for (size_t i = 0; i < names.n && k >= 0; i++) {
		_cleanup_free_ char *rel = NULL, *text = NULL;
		size_t len = strlen(names.v[i]);
		if (len < 6 || !streq(names.v[i] + len - 5, ".conf"))
			continue;
		rel = strdupf("etc/modprobe.d/%s", names.v[i]);
		if (!rel) {
			k = -ENOMEM;
			break;
		}
		if ((k = read_optional(h, rel, &text)) >= 0 && text)
			k = modprobe_conf_parse(text, &b->modprobe);
	}
	strv_clear(&names);
	return k;
}

int boot_load(struct host *h)
{
	static const char *const sdboot[] = { "etc/kernel/cmdline", "boot/loader/loader.conf", "efi/loader/loader.conf",
					      "boot/efi/loader/loader.conf", NULL };
	static const char *const limine[] = { "boot/limine.conf", "boot/limine/limine.conf", "boot/limine.cfg", NULL };
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
	if (any(h, limine))
		b->loaders |= LOADER_LIMINE;
	if (exists(h, "usr/bin/rpm-ostree") && exists(h, "run/ostree-booted"))
		b->loaders |= LOADER_RPM_OSTREE;
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
	    (k = load_modprobe(h, b)) < 0)
		return k;
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
	modprobe_conf_free(&b->modprobe);
	*b = (struct host_boot){ 0 };
}
