/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What boots this machine: the bootloaders and initramfs generators that
 * are installed (each backend of src/plan/boot says by which files and
 * programs; this file knows none by name), every installed kernel and
 * which VFIO modules it has (modules.dep, or built in: vfio_virqfd is gone
 * since 6.2, and a built-in module needs no entry), and the text of the
 * files `vfiokit setup` edits.
 */
#include "host/host.h"
#include "plan/boot/backend.h"

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
	for (; rels && *rels; rels++)
		if (exists(h, *rels))
			return true;
	return false;
}

static bool all(struct host *h, const char *const *rels)
{
	for (const char *const *r = rels; r && *r; r++)
		if (!exists(h, *r))
			return false;
	return rels && *rels;
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

/* drm: the loadable KMS drivers (modules.dep only), for setup's early KMS. */
static int scan_table(struct host *h, const char *rel, unsigned *bits, struct strv *drm)
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
		else if (drm && strstr(line, "/drivers/gpu/drm/")) {
			_cleanup_free_ char *name = module_name_from_path(line);
			if (!name || strv_push(drm, name) < 0)
				return -ENOMEM;
		}
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
		k = scan_table(h, dep, &kn.module, &kn.drm);
		kn.tables = k == 0;
		if (k == -ENOMEM || scan_table(h, bi, &kn.builtin, NULL) == -ENOMEM ||
		    GROW(b->kernels, b->kernels_alloc, b->nkernels + 1) < 0) {
			free(kn.release);
			strv_clear(&kn.drm);
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

static int add_file(struct boot_files *f, const char *rel, char *text, bool cmdline)
{
	char *p = strdup(rel);

	if (!p || GROW(f->v, f->alloc, f->n + 1) < 0) {
		free(p);
		free(text);
		return -ENOMEM;
	}
	f->v[f->n++] = (struct boot_file){ p, text, cmdline };
	return 0;
}

static bool have_file(const struct boot_files *f, const char *rel)
{
	for (size_t i = 0; i < f->n; i++)
		if (streq(f->v[i].path, rel))
			return true;
	return false;
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

/* Why a file that is there could not be read; a link to nothing inside
 * the root reads as absent (-ENOENT), and is told apart from no file here. */
static char *unreadable_reason(struct host *h, const char *rel, int k)
{
	_cleanup_free_ char *res = NULL, *link = NULL;

	if (k != -ENOENT)
		return strdup(path_strerror(k));
	if (path_resolve(h->root, rel, &res, &link) == -EXDEV)
		return strdupf("a symbolic link out of the root (%s)", link ? link : "?");
	return strdup("a symbolic link to a file that is not there");
}

/* One file a backend names, read once however many backends name it: its
 * text in b->files, nothing when it is not there. One that is there but
 * cannot be read (no permission, a directory, a FIFO, a link to nothing
 * or out of the root) is a diag and goes to b->unreadable with the reason:
 * its backends plan by hand (boot_plan()), never as if it were absent. */
static int load_file(struct host *h, struct host_boot *b, const char *rel, bool cmdline)
{
	char *text = NULL, *why;
	int k;

	if (have_file(&b->files, rel) || have_file(&b->unreadable, rel))
		return 0;
	k = path_read_file(h->root, rel, 1u << 20, &text, NULL);
	if (k >= 0)
		return add_file(&b->files, rel, text, cmdline);
	if (k == -ENOMEM)
		return k;
	if ((k == -ENOENT || k == -ENOTDIR) && !exists(h, rel))
		return 0;
	if (!(why = unreadable_reason(h, rel, k)))
		return -ENOMEM;
	host_diag(h, rel, "cannot read: %s", why);
	return add_file(&b->unreadable, rel, why, cmdline);
}

/* A file a backend names; of a directory, the files whose names end with
 * the suffix, in name order (a directory that cannot be listed is
 * unreadable as a file is). */
static int load_path(struct host *h, struct host_boot *b, const struct boot_path *bp)
{
	struct strv names = { 0 };
	int k;

	if (!bp->suffix)
		return load_file(h, b, bp->path, bp->cmdline);
	k = path_list(h->root, bp->path, &names);
	if (k == -ENOMEM)
		return k;
	if (k < 0 && k != -ENOENT && k != -ENOTDIR && !have_file(&b->unreadable, bp->path)) {
		char *why = strdup(path_strerror(k));
		if (!why)
			return -ENOMEM;
		host_diag(h, bp->path, "cannot list: %s", why);
		return add_file(&b->unreadable, bp->path, why, bp->cmdline);
	}
	strv_sort(&names);
	k = 0;
	for (size_t i = 0; i < names.n && k >= 0; i++) {
		_cleanup_free_ char *rel = NULL;
		if (!endswith(names.v[i], bp->suffix))
			continue;
		k = (rel = strdupf("%s/%s", bp->path, names.v[i])) ? load_file(h, b, rel, bp->cmdline) : -ENOMEM;
	}
	strv_clear(&names);
	return k;
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
		struct modprobe_conf one = { 0 };
		if ((k = read_optional(h, rels.v[i], &text)) >= 0 && text)
			k = modprobe_conf_parse(text, &b->modprobe);
		/* modprobe joins the options lines in this order: the last value wins. */
		if (k >= 0 && text && strcmp(names.v[i], "kvm.conf") > 0 && (k = modprobe_conf_parse(text, &one)) >= 0 &&
		    one.kvm_msrs.n && (k = strv_push(&b->modprobe_kvm_later, rels.v[i])) >= 0)
			k = strv_push_take(&b->modprobe_kvm_later_opts, strv_join(&one.kvm_msrs, " "));
		modprobe_conf_free(&one);
	}
	strv_clear(&names);
	strv_clear(&rels);
	return k;
}

static bool has_files(const struct boot_files *f, const struct boot_path *bp)
{
	for (size_t i = 0; i < f->n; i++)
		if (boot_path_names(bp, f->v[i].path))
			return true;
	return false;
}

static const char *pick_regen(struct host *h, const struct boot_regen *r)
{
	for (; r && r->command; r++)
		if (!r->program || exists(h, r->program))
			return r->command;
	return NULL;
}

/* Which backends are installed, in the order of boot_backends[]: by their
 * paths, or by their files where no backend of detect_unless is there by
 * its paths (BLS entries are systemd-boot's only where neither grubby nor
 * ostree writes them). */
static int detect(struct host *h, struct host_boot *b)
{
	_cleanup_free_ bool *by_path = NULL;
	size_t n = 0;

	while (boot_backends[n])
		n++;
	if (!(by_path = calloc(n, sizeof(*by_path))))
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		by_path[i] = any(h, boot_backends[i]->detect_any) || all(h, boot_backends[i]->detect_all);
	for (size_t i = 0; i < n; i++) {
		const struct boot_backend *be = boot_backends[i];
		bool yes = by_path[i] || (be->detect_by_files && (has_files(&b->files, be->files) ||
								 has_files(&b->unreadable, be->files)));
		for (const struct boot_backend *const *u = be->detect_unless; !by_path[i] && yes && u && *u; u++)
			for (size_t j = 0; j < n; j++)
				if (boot_backends[j] == *u && by_path[j])
					yes = false;
		if (!yes)
			continue;
		if (GROW(b->found, b->found_alloc, b->nfound + 1) < 0)
			return -ENOMEM;
		b->found[b->nfound++] = (struct boot_found){ be, pick_regen(h, be->regen) };
	}
	return 0;
}

/* kvm.conf, where setup puts kvm's options: /etc's; a file of the same
 * name elsewhere is one /etc's would replace (modprobe.d(5)). */
static int load_kvm_conf(struct host *h, struct host_boot *b)
{
	static const char *const other[] = { "run/modprobe.d/kvm.conf", "usr/local/lib/modprobe.d/kvm.conf",
					      "usr/lib/modprobe.d/kvm.conf", "lib/modprobe.d/kvm.conf" };
	struct stat st;
	int k;

	if (path_lstat(h->root, "etc/modprobe.d/kvm.conf", &st) == 0) {
		if ((k = read_optional(h, "etc/modprobe.d/kvm.conf", &b->modprobe_kvm)) < 0)
			return k;
		b->modprobe_kvm_odd = !b->modprobe_kvm;
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(other) && !b->modprobe_kvm; i++) {
		if ((k = read_optional(h, other[i], &b->modprobe_kvm)) < 0)
			return k;
		if (b->modprobe_kvm)
			b->modprobe_kvm_from = other[i];
	}
	return 0;
}

int boot_load(struct host *h)
{
	struct host_boot *b = &h->boot;
	int k;

	if ((k = load_kernels(h, b)) < 0 || (k = read_optional(h, "etc/modprobe.d/vfio.conf", &b->modprobe_vfio)) < 0 ||
	    (k = read_optional(h, OVERRIDE_SCRIPT, &b->override_script)) < 0 || (k = load_kvm_conf(h, b)) < 0)
		return k;
	for (const struct boot_backend *const *be = boot_backends; *be; be++)
		for (const struct boot_path *bp = (*be)->files; bp && bp->path; bp++)
			if ((k = load_path(h, b, bp)) < 0)
				return k;
	if ((k = detect(h, b)) < 0 || (k = load_modprobe(h, b)) < 0)
		return k;
	return 0;
}

void boot_free(struct host_boot *b)
{
	for (size_t i = 0; i < b->nkernels; i++) {
		free(b->kernels[i].release);
		strv_clear(&b->kernels[i].drm);
	}
	free(b->kernels);
	free(b->found);
	free(b->modprobe_vfio);
	free(b->override_script);
	free(b->modprobe_kvm);
	strv_clear(&b->modprobe_kvm_later);
	strv_clear(&b->modprobe_kvm_later_opts);
	boot_files_free(&b->files);
	boot_files_free(&b->unreadable);
	modprobe_conf_free(&b->modprobe);
	*b = (struct host_boot){ 0 };
}
