/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the article's "Performance tuning" looks at besides the CPU
 * topology: memory and huge pages (/proc/meminfo, sys/kernel/mm), the
 * frequency driver and governor of each CPU, CPUs isolated at boot, the
 * cgroup hierarchy and the systemd version (dynamic isolation needs cgroup
 * v2 and systemd 244 for AllowedCPUs). Missing files leave "unknown".
 */
#include <ctype.h>
#include <limits.h>
#include <sys/stat.h>

#include "host/host.h"

static int load_memory(struct host *h, struct host_tuning *t)
{
	_cleanup_free_ char *mi = NULL, *thp = NULL;
	struct strv pools = { 0 };
	int k;

	if ((k = path_read_file(h->root, "proc/meminfo", 1u << 20, &mi, NULL)) == 0) {
		if (meminfo_get_kb(mi, "MemTotal", &t->mem_total_kb) < 0)
			host_diag(h, "proc/meminfo", "no MemTotal line");
		(void)meminfo_get_kb(mi, "MemAvailable", &t->mem_available_kb);
	} else if (k == -ENOMEM)
		return k;
	else if (k != -ENOENT) /* there, but not read: not "no /proc/meminfo" */
		host_diag(h, "proc/meminfo", "cannot read: %s", path_strerror(k));
	if (path_read_string(h->root, "sys/kernel/mm/transparent_hugepage/enabled", &thp) == 0 &&
	    (k = thp_mode_parse(thp, &t->thp)) < 0) {
		if (k == -ENOMEM)
			return k;
		host_diag(h, "sys/kernel/mm/transparent_hugepage/enabled", "no mode in brackets: '%s'", thp);
	}
	k = path_list(h->root, "sys/kernel/mm/hugepages", &pools);
	if (k == -ENOMEM)
		return k;
	for (size_t i = 0; i < pools.n; i++) {
		struct hugepage_pool p = { .nr = -1, .free = -1 };
		_cleanup_free_ char *nr = NULL, *fr = NULL, *a = NULL, *b = NULL;
		unsigned long long kb;
		char end;
		long v;
		if (sscanf(pools.v[i], "hugepages-%llukB%c", &kb, &end) != 1)
			continue;
		p.size_kb = kb;
		nr = strdupf("sys/kernel/mm/hugepages/%s/nr_hugepages", pools.v[i]);
		fr = strdupf("sys/kernel/mm/hugepages/%s/free_hugepages", pools.v[i]);
		if (!nr || !fr || GROW(t->pools, t->pools_alloc, t->npools + 1) < 0) {
			strv_clear(&pools);
			return -ENOMEM;
		}
		if (path_read_string(h->root, nr, &a) == 0 && parse_int(a, 0, LONG_MAX, &v) == 0)
			p.nr = v;
		if (path_read_string(h->root, fr, &b) == 0 && parse_int(b, 0, LONG_MAX, &v) == 0)
			p.free = v;
		t->pools[t->npools++] = p;
	}
	strv_clear(&pools);
	/* Smallest page size first. */
	for (size_t i = 1; i < t->npools; i++)
		for (size_t j = i; j > 0 && t->pools[j].size_kb < t->pools[j - 1].size_kb; j--) {
			struct hugepage_pool x = t->pools[j];
			t->pools[j] = t->pools[j - 1];
			t->pools[j - 1] = x;
		}
	return 0;
}

static int load_freq(struct host *h, struct host_tuning *t)
{
	CPUSET_FOREACH(cpu, &h->topo.online)
	{
		_cleanup_free_ char *drel = strdupf("sys/devices/system/cpu/cpu%d/cpufreq/scaling_driver", cpu);
		_cleanup_free_ char *grel = strdupf("sys/devices/system/cpu/cpu%d/cpufreq/scaling_governor", cpu);
		_cleanup_free_ char *drv = NULL, *gov = NULL;
		size_t i;

		if (!drel || !grel)
			return -ENOMEM;
		if (path_read_string(h->root, drel, &drv) == -ENOMEM || path_read_string(h->root, grel, &gov) == -ENOMEM)
			return -ENOMEM;
		if (!drv && !gov)
			continue;
		for (i = 0; i < t->nfreq; i++)
			if (streq(strempty(t->freq[i].driver), strempty(drv)) &&
			    streq(strempty(t->freq[i].governor), strempty(gov)))
				break;
		if (i == t->nfreq) {
			if (GROW(t->freq, t->freq_alloc, t->nfreq + 1) < 0)
				return -ENOMEM;
			t->freq[t->nfreq++] = (struct cpufreq_group){ .driver = TAKE_PTR(drv), .governor = TAKE_PTR(gov) };
		}
		if (cpuset_add(&t->freq[i].cpus, (unsigned)cpu) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* libsystemd-shared-252.so, libsystemd-shared-255.4-1.fc40.so: the number. */
static int systemd_version(struct host *h)
{
	static const char *const dirs[] = { "usr/lib/systemd", "usr/lib64/systemd", "usr/lib/x86_64-linux-gnu/systemd",
					    "lib/systemd", "lib/x86_64-linux-gnu/systemd" };

	for (size_t d = 0; d < ARRAY_SIZE(dirs); d++) {
		struct strv names = { 0 };
		int v = -1;
		if (path_list(h->root, dirs[d], &names) == -ENOMEM)
			return -ENOMEM;
		for (size_t i = 0; i < names.n && v < 0; i++) {
			const char *n = names.v[i];
			if (startswith(n, "libsystemd-shared-") && isdigit((unsigned char)n[18]))
				v = atoi(n + 18);
		}
		strv_clear(&names);
		if (v > 0)
			return v;
	}
	return -1;
}

int tuning_load(struct host *h)
{
	struct host_tuning *t = &h->tuning;
	struct stat st;
	int k;

	t->systemd = -1;
	if ((k = load_memory(h, t)) < 0 || (k = load_freq(h, t)) < 0)
		return k;
	{
		_cleanup_free_ char *iso = NULL, *nohz = NULL;
		if (path_read_string(h->root, "sys/devices/system/cpu/isolated", &iso) == 0 &&
		    cpuset_parse_list(iso, &t->isolated) == -ENOMEM)
			return -ENOMEM;
		if (path_read_string(h->root, "sys/devices/system/cpu/nohz_full", &nohz) == 0 &&
		    cpuset_parse_list(nohz, &t->nohz_full) == -ENOMEM)
			return -ENOMEM;
	}
	if (path_lstat(h->root, "sys/fs/cgroup/cgroup.controllers", &st) == 0)
		t->cgroup = 2;
	else if (path_lstat(h->root, "sys/fs/cgroup", &st) == 0 && S_ISDIR(st.st_mode))
		t->cgroup = 1;
	k = systemd_version(h);
	if (k == -ENOMEM)
		return k;
	t->systemd = k;
	return 0;
}

void tuning_free(struct host_tuning *t)
{
	free(t->thp);
	free(t->pools);
	for (size_t i = 0; i < t->nfreq; i++) {
		free(t->freq[i].driver);
		free(t->freq[i].governor);
		cpuset_clear(&t->freq[i].cpus);
	}
	free(t->freq);
	cpuset_clear(&t->isolated);
	cpuset_clear(&t->nohz_full);
	*t = (struct host_tuning){ 0 };
}
