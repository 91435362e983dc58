/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * CPU topology, as the article reads it with lscpu -e: packages, dies,
 * cores and their SMT siblings, L3 domains (the cache index whose level is 3), NUMA
 * nodes, Intel's P- and E-cores. Every file may be missing (offline CPUs
 * have no topology directory; some dumps lack cache levels): what is
 * missing falls back and is said in diags. An online CPU's siblings,
 * package or L3 that are there but cannot be read (or siblings absent) are
 * recorded in topo.unknown as well: pin refuses rather than guess.
 */
#include <ctype.h>

#include "host/host.h"

#define CPU_DIR "sys/devices/system/cpu"

/* 0, a read error, or -EINVAL (said) when it is not a number; *ret -1 then. */
static int read_number(struct host *h, const char *rel, int *ret)
{
	_cleanup_free_ char *s = NULL;
	long v;
	int k;

	*ret = -1;
	if ((k = path_read_string(h->root, rel, &s)) < 0)
		return k;
	if (parse_int(s, -1, INT32_MAX, &v) < 0) {
		host_diag(h, rel, "not a number: '%s'", s);
		return -EINVAL;
	}
	*ret = (int)v;
	return 0;
}

static int read_int(struct host *h, const char *rel)
{
	int v;

	(void)read_number(h, rel, &v);
	return v;
}

/* A list file (0-3,8), else its mask twin; -ENOENT when neither is there;
 * -EINVAL when the one read is not a list or mask, or the error of a list
 * there that cannot be read (*bad, when not NULL: that file). */
static int read_set_from(struct host *h, const char *list_rel, const char *mask_rel, struct cpuset *ret,
			 const char **bad)
{
	_cleanup_free_ char *s = NULL;
	int k, r = -ENOENT;

	if (list_rel && (r = path_read_string_nul_end(h->root, list_rel, &s)) == 0) {
		if ((k = cpuset_parse_list(s, ret)) == 0 || k == -ENOMEM)
			return k;
		host_diag(h, list_rel, "not a CPU list: '%s'", s);
		if (bad)
			*bad = list_rel;
		return -EINVAL;
	}
	free(s);
	s = NULL;
	if (mask_rel && path_read_string_nul_end(h->root, mask_rel, &s) == 0) {
		if ((k = cpuset_parse_mask(s, ret)) == 0 || k == -ENOMEM)
			return k;
		host_diag(h, mask_rel, "not a CPU mask: '%s'", s);
		if (bad)
			*bad = mask_rel;
		return -EINVAL;
	}
	if (r == -ENOMEM || r == -ENOENT || r == -ENOTDIR)
		return r == -ENOMEM ? r : -ENOENT;
	if (bad)
		*bad = list_rel;
	return r;
}

static int read_set(struct host *h, const char *list_rel, const char *mask_rel, struct cpuset *ret)
{
	return read_set_from(h, list_rel, mask_rel, ret, NULL);
}

/* The first fact of an online CPU's topology that could not be read: pin
 * refuses (plan/pin.c), as cores or L3 domains guessed would pin vCPUs
 * where they share what they should not. */
static int unknown_fact(struct host *h, const char *rel, const char *why)
{
	struct cpu_topology *t = &h->topo;

	if (t->unknown)
		return 0;
	t->unknown = strdupf("/%s: %s", rel, why);
	return t->unknown ? 0 : -ENOMEM;
}

static bool cpu_dir_name(const char *name, unsigned *cpu)
{
	long v;

	if (strncmp(name, "cpu", 3) != 0 || !isdigit((unsigned char)name[3]))
		return false;
	if (parse_int(name + 3, 0, CPUSET_MAX - 1, &v) < 0)
		return false;
	*cpu = (unsigned)v;
	return true;
}

static int cmp_cpu(const void *a, const void *b)
{
	const struct cpu_info *x = a, *y = b;

	return (x->cpu > y->cpu) - (x->cpu < y->cpu);
}

const struct cpu_info *topology_cpu(const struct cpu_topology *t, unsigned cpu)
{
	struct cpu_info key = { .cpu = cpu };

	return t->ncpus ? bsearch(&key, t->cpus, t->ncpus, sizeof(key), cmp_cpu) : NULL;
}

/* Index of set in sets (restricted to online CPUs), added when new. */
static int intern(struct cpuset **sets, size_t *n, size_t *alloc, struct cpuset *set, const struct cpuset *online)
{
	struct cpuset s = { 0 };
	int k;

	if ((k = cpuset_copy(&s, set)) < 0)
		return k;
	for (size_t i = 0; i < s.nwords; i++)
		s.bits[i] &= i < online->nwords ? online->bits[i] : 0;
	for (size_t i = 0; i < *n; i++)
		if (cpuset_equal(&(*sets)[i], &s)) {
			cpuset_clear(&s);
			return (int)i;
		}
	if (GROW(*sets, *alloc, *n + 1) < 0) {
		cpuset_clear(&s);
		return -ENOMEM;
	}
	(*sets)[*n] = s;
	return (int)(*n)++;
}

/* Sort sets by their lowest CPU and renumber the CPUs' indexes. */
static void order_sets(struct cpu_topology *t, struct cpuset *sets, size_t n, bool l3)
{
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && cpuset_first(&sets[j]) < cpuset_first(&sets[j - 1]); j--) {
			struct cpuset tmp = sets[j];
			sets[j] = sets[j - 1];
			sets[j - 1] = tmp;
		}
	for (size_t c = 0; c < t->ncpus; c++) {
		struct cpu_info *ci = &t->cpus[c];
		if (!ci->online)
			continue;
		for (size_t i = 0; i < n; i++)
			if (cpuset_has(&sets[i], ci->cpu)) {
				*(l3 ? &ci->l3 : &ci->core) = (int)i;
				break;
			}
	}
}

static int load_l3(struct host *h, unsigned cpu, struct cpuset *ret)
{
	_cleanup_free_ char *dir = strdupf(CPU_DIR "/cpu%u/cache", cpu);
	struct strv idx = { 0 };
	int k = -ENOENT;

	if (!dir)
		return -ENOMEM;
	if (path_list(h->root, dir, &idx) < 0)
		return -ENOENT;
	for (size_t i = 0; i < idx.n && k == -ENOENT; i++) {
		_cleanup_free_ char *lvl = NULL, *list = NULL, *mask = NULL, *text = NULL;
		const char *bad = NULL;
		long level;
		int r;
		if (strncmp(idx.v[i], "index", 5) != 0)
			continue;
		lvl = strdupf("%s/%s/level", dir, idx.v[i]);
		list = strdupf("%s/%s/shared_cpu_list", dir, idx.v[i]);
		mask = strdupf("%s/%s/shared_cpu_map", dir, idx.v[i]);
		if (!lvl || !list || !mask) {
			k = -ENOMEM;
			break;
		}
		/* A cache index whose level or CPUs cannot be read may be the L3. */
		if ((r = path_read_string(h->root, lvl, &text)) < 0 || parse_int(text, 0, 255, &level) < 0) {
			if (r == -ENOMEM ||
			    unknown_fact(h, lvl, r == -ENOENT ? "absent" : r < 0 ? path_strerror(r) : "not a cache level") < 0)
				k = -ENOMEM;
			continue;
		}
		if (level != 3)
			continue;
		k = read_set_from(h, list, mask, ret, &bad);
		if (k < 0 && k != -ENOMEM &&
		    unknown_fact(h, bad ? bad : list, !bad ? "absent (nor shared_cpu_map)"
						  : k == -EINVAL ? "not a CPU list" : path_strerror(k)) < 0)
			k = -ENOMEM;
		else if (k < 0 && k != -ENOMEM)
			k = -EINVAL; /* the L3 is there, its CPUs are not said: not "no L3 information" */
	}
	strv_clear(&idx);
	return k;
}

static int load_cpu(struct host *h, struct cpu_info *ci, struct cpuset *siblings, struct cpuset *l3)
{
	_cleanup_free_ char *base = strdupf(CPU_DIR "/cpu%u/topology", ci->cpu);
	_cleanup_free_ char *pkg = NULL, *die = NULL, *core = NULL, *tsl = NULL, *ccl = NULL, *ts = NULL;
	const char *bad = NULL;
	int k;

	if (!base)
		return -ENOMEM;
	pkg = strdupf("%s/physical_package_id", base);
	die = strdupf("%s/die_id", base);
	core = strdupf("%s/core_id", base);
	tsl = strdupf("%s/thread_siblings_list", base);
	ccl = strdupf("%s/core_cpus_list", base);
	ts = strdupf("%s/thread_siblings", base);
	if (!pkg || !die || !core || !tsl || !ccl || !ts)
		return -ENOMEM;
	k = read_number(h, pkg, &ci->package);
	ci->die = read_int(h, die);
	ci->core_id = read_int(h, core);
	/* Which package: each package is one L3 domain where caches are not said. */
	if (k == -ENOMEM || (k < 0 && unknown_fact(h, pkg, k == -EINVAL ? "not a number" : k == -ENOENT ? "absent"
											   : path_strerror(k)) < 0))
		return -ENOMEM;
	k = read_set_from(h, tsl, ts, siblings, &bad);
	if (k == -ENOENT)
		k = read_set_from(h, ccl, NULL, siblings, &bad);
	if (k == -ENOMEM)
		return k;
	if (k < 0 || !cpuset_has(siblings, ci->cpu)) {
		_cleanup_free_ char *why = k == -ENOENT ? strdup("absent (nor thread_siblings, core_cpus_list)")
				       : k == -EINVAL	? strdup("not a CPU list")
				       : k < 0		? strdup(path_strerror(k))
							: strdupf("does not hold cpu%u", ci->cpu);
		if (!why || unknown_fact(h, bad ? bad : tsl, why) < 0)
			return -ENOMEM;
		host_diag(h, base, "no usable SMT siblings of cpu%u: counted as a core of its own", ci->cpu);
		cpuset_clear(siblings);
		if (cpuset_add(siblings, ci->cpu) < 0)
			return -ENOMEM;
	}
	k = load_l3(h, ci->cpu, l3);
	if (k == -ENOMEM)
		return k;
	if (k < 0)
		cpuset_clear(l3);
	return 0;
}

static int load_nodes(struct host *h, struct cpu_topology *t)
{
	struct strv nodes = { 0 };
	int k = path_list(h->root, "sys/devices/system/node", &nodes);

	if (k < 0)
		return k == -ENOMEM ? k : 0;
	for (size_t i = 0; i < nodes.n; i++) {
		_cleanup_free_ char *rel = NULL, *map = NULL;
		struct cpuset s = { 0 };
		long node;
		if (strncmp(nodes.v[i], "node", 4) != 0 || parse_int(nodes.v[i] + 4, 0, 65535, &node) < 0)
			continue;
		rel = strdupf("sys/devices/system/node/%s/cpulist", nodes.v[i]);
		map = strdupf("sys/devices/system/node/%s/cpumap", nodes.v[i]);
		if (!rel || !map) {
			k = -ENOMEM;
			break;
		}
		k = read_set(h, rel, map, &s);
		if (k == -ENOMEM)
			break;
		k = 0;
		CPUSET_FOREACH(c, &s)
		{
			struct cpu_info *ci = (struct cpu_info *)topology_cpu(t, (unsigned)c);
			if (ci)
				ci->node = (int)node;
		}
		cpuset_clear(&s);
	}
	strv_clear(&nodes);
	return k;
}

static int load_hybrid(struct host *h, struct cpu_topology *t)
{
	static const struct {
		const char *rel;
		enum cpu_kind kind;
	} types[] = { { "sys/devices/cpu_core/cpus", CPU_KIND_PERFORMANCE }, { "sys/devices/cpu_atom/cpus", CPU_KIND_EFFICIENCY } };

	for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
		struct cpuset s = { 0 };
		int k = read_set(h, types[i].rel, NULL, &s);
		if (k == -ENOMEM)
			return k;
		if (k < 0)
			continue;
		t->hybrid = true;
		CPUSET_FOREACH(c, &s)
		{
			struct cpu_info *ci = (struct cpu_info *)topology_cpu(t, (unsigned)c);
			if (ci)
				ci->kind = types[i].kind;
		}
		cpuset_clear(&s);
	}
	return 0;
}

/* How fast each online CPU is, from the first source every online CPU has:
 * cpu_capacity (the scheduler's, ARM big.LITTLE and recent x86 hybrids),
 * acpi_cppc/highest_perf (Intel's ITMT ranks P-cores and their favoured
 * cores with it), cpufreq's cpuinfo_max_freq. One source for all CPUs, as
 * two sources' units do not compare. */
static int load_perf(struct host *h, struct cpu_topology *t)
{
	static const char *const sources[] = { "cpu_capacity", "acpi_cppc/highest_perf", "cpufreq/cpuinfo_max_freq" };

	for (size_t s = 0; s < ARRAY_SIZE(sources); s++) {
		bool all = true;
		for (size_t i = 0; i < t->ncpus && all; i++) {
			_cleanup_free_ char *rel = NULL, *text = NULL;
			long v;
			int k;
			if (!t->cpus[i].online)
				continue;
			if (!(rel = strdupf(CPU_DIR "/cpu%u/%s", t->cpus[i].cpu, sources[s])))
				return -ENOMEM;
			k = path_read_string(h->root, rel, &text);
			if (k == -ENOMEM)
				return k;
			all = k == 0 && parse_int(text, 1, INT32_MAX, &v) == 0;
			t->cpus[i].perf = all ? (int)v : -1;
		}
		if (all) {
			t->perf_source = sources[s];
			return 0;
		}
	}
	for (size_t i = 0; i < t->ncpus; i++)
		t->cpus[i].perf = -1;
	return 0;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* P- and E-cores where the kernel has no cpu_core/cpu_atom (before 5.13;
 * ARM): the CPUs below the widest jump in speed, when the slower side is
 * under 80% of the faster (Intel E-cores 39 against P-cores' 64-67 in
 * highest_perf, Cortex-A725 731 against X925's 997 in cpu_capacity). Speeds
 * that climb in small steps (AMD's preferred cores, Intel's favoured cores
 * 5% apart) are one kind, faster or slower. Without speeds, an Intel hybrid
 * shows itself by SMT on the P-cores only: cores of one thread beside cores
 * of two, every CPU online. */
static int guess_kinds(struct cpu_topology *t)
{
	_cleanup_free_ int *v = calloc(t->ncpus ? t->ncpus : 1, sizeof(*v));
	size_t n = 0;
	int cut = -1;
	bool smt = false, single = false, all_online = true;

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < t->ncpus; i++)
		if (t->cpus[i].online && t->cpus[i].perf > 0)
			v[n++] = t->cpus[i].perf;
	qsort(v, n, sizeof(*v), cmp_int);
	/* The widest jump, v[i - 1] / v[i] lowest, if under 8/10. */
	for (size_t i = 1, lo = 8, hi = 10; i < n; i++)
		if ((int64_t)v[i - 1] * (int64_t)hi < (int64_t)lo * v[i]) {
			cut = v[i];
			lo = (size_t)v[i - 1];
			hi = (size_t)v[i];
		}
	if (cut > 0) {
		t->hybrid = true;
		t->kinds_from = t->perf_source;
		for (size_t i = 0; i < t->ncpus; i++)
			if (t->cpus[i].online)
				t->cpus[i].kind = t->cpus[i].perf < cut ? CPU_KIND_EFFICIENCY : CPU_KIND_PERFORMANCE;
		return 0;
	}
	for (size_t i = 0; i < t->ncores; i++) {
		smt |= cpuset_count(&t->cores[i]) > 1;
		single |= cpuset_count(&t->cores[i]) == 1;
	}
	for (size_t i = 0; i < t->ncpus; i++)
		all_online &= t->cpus[i].online;
	if (!smt || !single || !all_online || t->perf_source)
		return 0;
	t->hybrid = true;
	t->kinds_from = "SMT";
	for (size_t i = 0; i < t->ncpus; i++)
		t->cpus[i].kind = cpuset_count(&t->cores[t->cpus[i].core]) > 1 ? CPU_KIND_PERFORMANCE : CPU_KIND_EFFICIENCY;
	return 0;
}

int topology_load(struct host *h)
{
	struct cpu_topology *t = &h->topo;
	struct strv names = { 0 };
	struct cpuset *sib = NULL, *l3 = NULL;
	int k;

	k = path_list(h->root, CPU_DIR, &names);
	if (k < 0) {
		/* A machine copy without CPUs (a fixture of PCI devices): no topology. */
		if (k == -ENOMEM)
			return k;
		if (k != -ENOENT)
			host_diag(h, CPU_DIR, "cannot list: %s", path_strerror(k));
		return 0;
	}
	for (size_t i = 0; i < names.n; i++) {
		unsigned cpu;
		if (!cpu_dir_name(names.v[i], &cpu))
			continue;
		if (GROW(t->cpus, t->cpus_alloc, t->ncpus + 1) < 0) {
			k = -ENOMEM;
			goto out;
		}
		t->cpus[t->ncpus++] = (struct cpu_info){ .cpu = cpu, .package = -1, .die = -1, .core_id = -1,
							  .node = -1, .core = -1, .l3 = -1, .perf = -1 };
	}
	if (t->ncpus > 1)
		qsort(t->cpus, t->ncpus, sizeof(*t->cpus), cmp_cpu);
	k = read_set(h, CPU_DIR "/online", NULL, &t->online);
	if (k == -ENOMEM)
		goto out;
	if (k < 0) {
		/* No online file: a CPU is online unless its own online file says 0. */
		if (k == -ENOENT)
			host_diag(h, CPU_DIR "/online", "missing: taking CPUs whose cpuN/online is not 0");
		for (size_t i = 0; i < t->ncpus; i++) {
			_cleanup_free_ char *rel = strdupf(CPU_DIR "/cpu%u/online", t->cpus[i].cpu);
			if (!rel) {
				k = -ENOMEM;
				goto out;
			}
			if (read_int(h, rel) != 0 && cpuset_add(&t->online, t->cpus[i].cpu) < 0) {
				k = -ENOMEM;
				goto out;
			}
		}
	}
	/* An online CPU without its cpuN directory (the kernel makes none
	 * such): its topology cannot be read; pin refuses, and no CPU is
	 * counted online without a cpu_info. */
	CPUSET_FOREACH(c, &t->online)
	{
		_cleanup_free_ char *rel = NULL;
		if (topology_cpu(t, (unsigned)c))
			continue;
		if (!(rel = strdupf(CPU_DIR "/cpu%d", c)) ||
		    unknown_fact(h, rel, "absent, but /" CPU_DIR "/online lists the CPU") < 0) {
			k = -ENOMEM;
			goto out;
		}
		cpuset_del(&t->online, (unsigned)c);
	}
	sib = calloc(t->ncpus ? t->ncpus : 1, sizeof(*sib));
	l3 = calloc(t->ncpus ? t->ncpus : 1, sizeof(*l3));
	if (!sib || !l3) {
		k = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < t->ncpus; i++) {
		struct cpu_info *ci = &t->cpus[i];
		ci->online = cpuset_has(&t->online, ci->cpu);
		if (ci->online && (k = load_cpu(h, ci, &sib[i], &l3[i])) < 0)
			goto out;
	}
	/* Without L3 information for some CPU, an L3 domain per package. */
	for (size_t i = 0; i < t->ncpus; i++)
		if (t->cpus[i].online && l3[i].nwords == 0 && !t->l3_guessed) {
			t->l3_guessed = true;
			host_diag(h, CPU_DIR, "no L3 cache information for cpu%u: each package counts as one L3 domain",
				  t->cpus[i].cpu);
		}
	if (t->l3_guessed)
		for (size_t i = 0; i < t->ncpus; i++) {
			cpuset_clear(&l3[i]);
			for (size_t j = 0; t->cpus[i].online && j < t->ncpus; j++)
				if (t->cpus[j].online && t->cpus[j].package == t->cpus[i].package &&
				    cpuset_add(&l3[i], t->cpus[j].cpu) < 0) {
					k = -ENOMEM;
					goto out;
				}
		}
	for (size_t i = 0; i < t->ncpus; i++) {
		if (!t->cpus[i].online)
			continue;
		if ((k = intern(&t->cores, &t->ncores, &t->cores_alloc, &sib[i], &t->online)) < 0 ||
		    (k = intern(&t->l3s, &t->nl3s, &t->l3s_alloc, &l3[i], &t->online)) < 0)
			goto out;
	}
	order_sets(t, t->cores, t->ncores, false);
	order_sets(t, t->l3s, t->nl3s, true);
	if ((k = load_nodes(h, t)) < 0 || (k = load_hybrid(h, t)) < 0 || (k = load_perf(h, t)) < 0)
		goto out;
	if (!t->hybrid && (k = guess_kinds(t)) < 0)
		goto out;
	k = 0;
out:
	for (size_t i = 0; i < t->ncpus; i++) {
		if (sib)
			cpuset_clear(&sib[i]);
		if (l3)
			cpuset_clear(&l3[i]);
	}
	free(sib);
	free(l3);
	strv_clear(&names);
	return k;
}

void topology_free(struct cpu_topology *t)
{
	for (size_t i = 0; i < t->ncores; i++)
		cpuset_clear(&t->cores[i]);
	for (size_t i = 0; i < t->nl3s; i++)
		cpuset_clear(&t->l3s[i]);
	free(t->cores);
	free(t->l3s);
	free(t->cpus);
	free(t->unknown);
	cpuset_clear(&t->online);
	*t = (struct cpu_topology){ 0 };
}
