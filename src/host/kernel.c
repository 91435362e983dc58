/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The running kernel: release, command line, and its modules
 * (/proc/modules, lib/modules/<release>/modules.{dep,builtin,alias}). */
#include <fnmatch.h>

#include "host/host.h"

static void table_clear(struct module_table *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->e[i].name);
		free(t->e[i].line);
		free(t->e[i].pattern);
	}
	free(t->e);
	free(t->rel);
	*t = (struct module_table){ 0 };
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct module_entry *)a)->name, ((const struct module_entry *)b)->name);
}

static int table_add(struct module_table *t, const char *line, size_t len, const char *name_src,
		     size_t name_len, const char *pattern, size_t pattern_len)
{
	struct module_entry *e;
	_cleanup_free_ char *path = strndup(name_src, name_len);

	if (!path || GROW(t->e, t->alloc, t->n + 1) < 0)
		return -ENOMEM;
	e = &t->e[t->n];
	*e = (struct module_entry){ 0 };
	e->name = pattern ? strdup(path) : module_name_from_path(path);
	e->line = strndup(line, len);
	if (pattern) {
		e->pattern = strndup(pattern, pattern_len);
		if (e->pattern)
			e->prefix = strcspn(e->pattern, "*?[\\");
	}
	if (!e->name || !e->line || (pattern && !e->pattern)) {
		free(e->name);
		free(e->line);
		free(e->pattern);
		return -ENOMEM;
	}
	if (pattern)
		module_name_normalize(e->name);
	t->n++;
	return 0;
}

/* modules.dep: "kernel/drivers/vfio/vfio.ko.xz: dep dep";
 * modules.builtin: "kernel/drivers/vfio/vfio.ko". */
static int load_path_table(struct host *h, const char *moddir, const char *file, struct module_table *t)
{
	_cleanup_free_ char *text = NULL, *rel = strdupf("%s/%s", moddir, file);
	int k;

	if (!rel)
		return -ENOMEM;
	k = path_read_file(h->root, rel, PATH_READ_MAX, &text, NULL);

	if (k == -ENOENT)
		return 0;
	if (k < 0) {
		host_diag(h, rel, "cannot read: %s", path_strerror(k));
		return k == -ENOMEM ? k : 0;
	}
	t->rel = TAKE_PTR(rel);
	for (char *line = text; *line;) {
		char *end = strchrnul(line, '\n');
		size_t len = (size_t)(end - line), plen = strcspn(line, ":\n");
		if (len > 0 && plen > 0 && table_add(t, line, len, line, plen, NULL, 0) < 0)
			return -ENOMEM;
		line = *end ? end + 1 : end;
	}
	if (t->n > 1)
		qsort(t->e, t->n, sizeof(*t->e), cmp_entry);
	return 0;
}

/* modules.alias: "alias pci:v000010DEd*sv*sd*bc03sc*i* nouveau". Only PCI
 * aliases matter here. */
static int load_aliases(struct host *h, const char *moddir)
{
	_cleanup_free_ char *text = NULL, *rel = strdupf("%s/modules.alias", moddir);
	struct module_table *t = &h->kernel.aliases;
	int k;

	if (!rel)
		return -ENOMEM;
	k = path_read_file(h->root, rel, PATH_READ_MAX, &text, NULL);

	if (k == -ENOENT)
		return 0;
	if (k < 0) {
		host_diag(h, rel, "cannot read: %s", path_strerror(k));
		return k == -ENOMEM ? k : 0;
	}
	t->rel = TAKE_PTR(rel);
	for (char *line = text; *line;) {
		char *end = strchrnul(line, '\n');
		if (startswith(line, "alias pci:")) {
			const char *pat = line + 6;
			size_t plen = strcspn(pat, " \t\n");
			const char *mod = pat + plen;
			while (*mod == ' ' || *mod == '\t')
				mod++;
			size_t mlen = strcspn(mod, " \t\n");
			if (mlen > 0 && table_add(t, line, (size_t)(end - line), mod, mlen, pat, plen) < 0)
				return -ENOMEM;
		}
		line = *end ? end + 1 : end;
	}
	return 0;
}

static int load_loaded(struct host *h)
{
	_cleanup_free_ char *text = NULL;
	int k = path_read_file(h->root, "proc/modules", PATH_READ_MAX, &text, NULL);

	if (k < 0)
		return k == -ENOMEM ? k : 0;
	for (char *line = text; *line;) {
		char *end = strchrnul(line, '\n');
		size_t n = strcspn(line, " \n");
		if (n > 0) {
			char *name = strndup(line, n);
			if (!name || strv_push_take(&h->kernel.loaded, name) < 0)
				return -ENOMEM;
			module_name_normalize(name);
		}
		line = *end ? end + 1 : end;
	}
	strv_sort(&h->kernel.loaded);
	return 0;
}

int kernel_load(struct host *h, bool modules)
{
	struct host_kernel *kn = &h->kernel;
	_cleanup_free_ char *moddir = NULL;
	int k;

	k = path_read_string(h->root, "proc/sys/kernel/osrelease", &kn->release);
	if (k == -ENOMEM)
		return k;
	if (k < 0) {
		if (k != -ENOENT)
			host_diag(h, "proc/sys/kernel/osrelease", "cannot read: %s", path_strerror(k));
		kn->release = NULL;
	} else if (!*kn->release || strchr(kn->release, '/') || streq(kn->release, "..")) {
		host_diag(h, "proc/sys/kernel/osrelease", "not a kernel release: \"%.40s\"", kn->release);
		free(kn->release);
		kn->release = NULL;
	}

	k = path_read_string(h->root, "proc/cmdline", &kn->cmdline_raw);
	if (k == -ENOMEM)
		return k;
	if (k < 0) {
		if (k != -ENOENT)
			host_diag(h, "proc/cmdline", "cannot read: %s", path_strerror(k));
		kn->cmdline_raw = NULL;
	}
	if (cmdline_parse(kn->cmdline_raw ? kn->cmdline_raw : "", &kn->cmdline) < 0)
		return -ENOMEM;

	if (!modules)
		return 0;
	if (load_loaded(h) < 0)
		return -ENOMEM;
	if (!kn->release)
		return 0;
	moddir = strdupf("lib/modules/%s", kn->release);
	if (!moddir)
		return -ENOMEM;
	kn->modules_dir = path_exists(h->root, moddir);
	if (!kn->modules_dir)
		return 0;
	if (load_path_table(h, moddir, "modules.dep", &kn->available) < 0 ||
	    load_path_table(h, moddir, "modules.builtin", &kn->builtin) < 0 || load_aliases(h, moddir) < 0)
		return -ENOMEM;
	return 0;
}

static struct module_entry *table_find(struct module_table *t, const char *name)
{
	struct module_entry key = { .name = (char *)name };

	if (t->n == 0)
		return NULL;
	return bsearch(&key, t->e, t->n, sizeof(*t->e), cmp_entry);
}

enum module_state host_module_state(struct host *h, const char *name)
{
	_cleanup_free_ char *norm = strdup(name);
	struct module_entry *e;

	if (!norm)
		return MODULE_ABSENT;
	module_name_normalize(norm);
	if ((e = table_find(&h->kernel.builtin, norm))) {
		e->used = true;
		return MODULE_BUILTIN;
	}
	e = table_find(&h->kernel.available, norm);
	if (e)
		e->used = true;
	if (strv_contains(&h->kernel.loaded, norm))
		return MODULE_LOADED;
	return e ? MODULE_AVAILABLE : MODULE_ABSENT;
}

const char *module_state_name(enum module_state s)
{
	switch (s) {
	case MODULE_LOADED:
		return "loaded";
	case MODULE_BUILTIN:
		return "built-in";
	case MODULE_AVAILABLE:
		return "available";
	case MODULE_ABSENT:
		break;
	}
	return "absent";
}

/* lspci -k's "Kernel modules": every module with an alias matching the
 * device's modalias. Devices often share a modalias (identical functions,
 * SR-IOV virtual functions), so a match is reused for the next identical one. */
int kernel_match_modules(struct host *h)
{
	struct module_table *t = &h->kernel.aliases;
	const struct pci_device *prev = NULL;

	for (size_t i = 0; i < h->npci; i++) {
		struct pci_device *d = &h->pci[i];

		if (!d->modalias)
			continue;
		if (prev && streq(prev->modalias, d->modalias)) {
			for (size_t j = 0; j < prev->modules.n; j++)
				if (strv_push(&d->modules, prev->modules.v[j]) < 0)
					return -ENOMEM;
			prev = d;
			continue;
		}
		for (size_t j = 0; j < t->n; j++) {
			struct module_entry *e = &t->e[j];
			if (strncmp(d->modalias, e->pattern, e->prefix) != 0)
				continue;
			if (fnmatch(e->pattern, d->modalias, 0) != 0)
				continue;
			e->used = true;
			if (!strv_contains(&d->modules, e->name) && strv_push(&d->modules, e->name) < 0)
				return -ENOMEM;
		}
		strv_sort(&d->modules);
		prev = d;
	}
	return 0;
}

void kernel_free(struct host_kernel *kn)
{
	free(kn->release);
	free(kn->cmdline_raw);
	cmdline_free(&kn->cmdline);
	strv_clear(&kn->loaded);
	table_clear(&kn->builtin);
	table_clear(&kn->available);
	table_clear(&kn->aliases);
}
