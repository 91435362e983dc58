/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <limits.h>

#include "plan/pin.h"

void pin_plan_free(struct pin_plan *p)
{
	free(p->vcpu_cpu);
	cpuset_clear(&p->guest);
	cpuset_clear(&p->host);
	strv_clear(&p->notes);
	strv_clear(&p->warnings);
	*p = (struct pin_plan){ 0 };
}

static int note(struct pin_plan *p, char *s)
{
	return strv_push_take(&p->notes, s);
}

static char *fmt(const struct cpuset *s)
{
	return cpuset_format(s);
}

struct domain_rank {
	size_t l3;
	int order, whole, perf, first;
};

static int cmp_rank(const void *a, const void *b)
{
	const struct domain_rank *x = a, *y = b;

	if (x->order != y->order)
		return x->order < y->order ? -1 : 1;
	if (x->whole != y->whole)
		return x->whole - y->whole;
	if (x->perf != y->perf)
		return x->perf > y->perf ? -1 : 1;
	return x->first - y->first;
}

struct core_rank {
	size_t core;
	int order, partial, eff, perf, first;
};

static int cmp_core(const void *a, const void *b)
{
	const struct core_rank *x = a, *y = b;

	if (x->order != y->order)
		return x->order < y->order ? -1 : 1;
	if (x->partial != y->partial)
		return x->partial - y->partial;
	if (x->eff != y->eff)
		return x->eff - y->eff;
	if (x->perf != y->perf)
		return x->perf > y->perf ? -1 : 1;
	return x->first - y->first;
}

/* The speed of a core: its fastest CPU's (-1 when not said). */
static int set_perf(const struct cpu_topology *t, const struct cpuset *s)
{
	int perf = -1;

	CPUSET_FOREACH(c, s)
	{
		const struct cpu_info *ci = topology_cpu(t, (unsigned)c);
		if (ci && ci->perf > perf)
			perf = ci->perf;
	}
	return perf;
}

static bool set_has_kind(const struct cpu_topology *t, const struct cpuset *s, enum cpu_kind kind)
{
	CPUSET_FOREACH(c, s)
	{
		const struct cpu_info *ci = topology_cpu(t, (unsigned)c);
		if (ci && ci->kind == kind)
			return true;
	}
	return false;
}

static int cpu_node(const struct cpu_topology *t, unsigned cpu)
{
	const struct cpu_info *ci = topology_cpu(t, cpu);

	return ci ? ci->node : -1;
}

static size_t count_and(const struct cpuset *a, const struct cpuset *b)
{
	size_t n = 0;

	CPUSET_FOREACH(c, a) n += cpuset_has(b, (unsigned)c);
	return n;
}

/* The CPUs of avail in a NUMA node (-1: those whose node is not said). */
static int node_cpus(const struct cpu_topology *t, const struct cpuset *avail, int node, struct cpuset *ret)
{
	cpuset_clear(ret);
	CPUSET_FOREACH(c, avail)
	{
		int k;
		if (cpu_node(t, (unsigned)c) == node && (k = cpuset_add(ret, (unsigned)c)) < 0)
			return k;
	}
	return 0;
}

struct node_pick {
	int node;
	size_t free, free_l3; /* CPUs for the guest; those outside CPU 0's L3 domain */
	int first;            /* the lowest of them */
	int package;          /* its package; near: in the package of the first node spanned */
	bool near;
	size_t cap; /* free or free_l3: what spanning counts */
};

static int cmp_first(const void *a, const void *b)
{
	const struct node_pick *x = a, *y = b;

	return x->first - y->first;
}

/* Nodes to span after the first: those in its package (a package's nodes
 * are nearer each other than another package's), the most room first, so
 * that the guest spans as few as it can. */
static int cmp_free(const void *a, const void *b)
{
	const struct node_pick *x = a, *y = b;

	if (x->near != y->near)
		return x->near ? -1 : 1;
	if (x->cap != y->cap)
		return x->cap < y->cap ? 1 : -1;
	return x->first - y->first;
}

/* Put nodes[start] first and the others after it by cmp_free; the number
 * of nodes from the front the guest needs, and in *packages how many
 * packages they are in. */
static size_t span_from(struct node_pick *nodes, size_t n, size_t start, unsigned nvcpus, size_t *packages)
{
	struct node_pick s = nodes[start];
	size_t sum = 0, used;

	memmove(&nodes[1], &nodes[0], start * sizeof(*nodes));
	nodes[0] = s;
	for (size_t i = 1; i < n; i++)
		nodes[i].near = nodes[i].package == nodes[0].package;
	qsort(nodes + 1, n - 1, sizeof(*nodes), cmp_free);
	*packages = 0;
	for (used = 0; used < n && sum < nvcpus; used++) {
		bool seen = false;
		for (size_t j = 0; j < used; j++)
			seen |= nodes[j].package == nodes[used].package;
		*packages += !seen;
		sum += nodes[used].cap;
	}
	return used;
}

/* Which NUMA nodes the guest runs in: the GPU's node when the guest fits
 * there; else one node whenever it fits in one, one that leaves the host
 * CPU 0's L3 domain first, then the one with the lowest CPU; else as few
 * nodes as it needs, the GPU's first, with a warning. allowed gets their
 * CPUs of avail, order[i] the rank of t->cpus[i]'s node. */
static int choose_nodes(const struct cpu_topology *t, const struct pin_request *rq, const struct cpuset *avail,
			const struct cpuset *l3_0, struct cpuset *allowed, int *order, struct pin_plan *p)
{
	_cleanup_free_ struct node_pick *nodes = calloc(t->ncpus ? t->ncpus : 1, sizeof(*nodes));
	size_t n = 0, fit = SIZE_MAX, gpu = SIZE_MAX;
	int k = 0;

	if (!nodes)
		return -ENOMEM;
	CPUSET_FOREACH(c, avail)
	{
		int node = cpu_node(t, (unsigned)c);
		size_t i;
		for (i = 0; i < n && nodes[i].node != node; i++)
			;
		if (i == n)
			nodes[n++] = (struct node_pick){ .node = node, .first = c,
							 .package = topology_cpu(t, (unsigned)c)->package };
		nodes[i].free++;
		nodes[i].free_l3 += !l3_0 || !cpuset_has(l3_0, (unsigned)c);
	}
	qsort(nodes, n, sizeof(*nodes), cmp_first);
	for (size_t i = 0; i < n; i++) {
		if (rq->prefer_node >= 0 && nodes[i].node == rq->prefer_node)
			gpu = i;
		if (nodes[i].free >= rq->nvcpus &&
		    (fit == SIZE_MAX || (nodes[i].free_l3 >= rq->nvcpus && nodes[fit].free_l3 < rq->nvcpus)))
			fit = i;
	}
	if (gpu != SIZE_MAX && nodes[gpu].free >= rq->nvcpus)
		fit = gpu;
	for (size_t i = 0; i < t->ncpus; i++)
		order[i] = 1;
	if (fit != SIZE_MAX || n <= 1) {
		int node = n ? nodes[fit != SIZE_MAX ? fit : 0].node : -1;
		for (size_t i = 0; i < t->ncpus; i++)
			order[i] = t->cpus[i].node == node ? 0 : 1;
		return node_cpus(t, avail, node, allowed);
	}
	/* The guest spans nodes: from the GPU's, or from the node that spans
	 * the fewest packages, then nodes, and has the most room; leaving the
	 * host CPU 0's L3 domain when the nodes have room without it. */
	{
		_cleanup_free_ struct node_pick *work = calloc(n, sizeof(*work));
		struct cpuset s = { 0 };
		_cleanup_free_ char *list = NULL;
		size_t total_l3 = 0, largest = 0, best = SIZE_MAX, best_pk = 0, best_used = 0, used = 0, pk;
		bool use_l3;
		if (!work)
			return -ENOMEM;
		for (size_t i = 0; i < n; i++) {
			total_l3 += nodes[i].free_l3;
			largest = nodes[i].free > largest ? nodes[i].free : largest;
		}
		use_l3 = l3_0 && total_l3 >= rq->nvcpus && (gpu == SIZE_MAX || nodes[gpu].free_l3 > 0);
		for (size_t i = 0; i < n; i++)
			nodes[i].cap = use_l3 ? nodes[i].free_l3 : nodes[i].free;
		for (size_t i = 0; i < n; i++) {
			if ((gpu != SIZE_MAX && i != gpu) || nodes[i].cap == 0)
				continue;
			memcpy(work, nodes, n * sizeof(*work));
			used = span_from(work, n, i, rq->nvcpus, &pk);
			if (best == SIZE_MAX || pk < best_pk || (pk == best_pk && used < best_used) ||
			    (pk == best_pk && used == best_used && nodes[i].cap > nodes[best].cap)) {
				best = i;
				best_pk = pk;
				best_used = used;
			}
		}
		used = span_from(nodes, n, best != SIZE_MAX ? best : 0, rq->nvcpus, &pk);
		cpuset_clear(allowed);
		for (size_t i = 0; i < used; i++) {
			char *prev = list;
			if ((k = node_cpus(t, avail, nodes[i].node, &s)) < 0 || (k = cpuset_or(allowed, &s)) < 0)
				break;
			for (size_t j = 0; j < t->ncpus; j++)
				if (t->cpus[j].node == nodes[i].node)
					order[j] = (int)i;
			list = prev ? strdupf("%s, %d", prev, nodes[i].node) : strdupf("%d", nodes[i].node);
			free(prev);
			if (!list) {
				k = -ENOMEM;
				break;
			}
		}
		cpuset_clear(&s);
		if (k < 0)
			return k;
		return strv_push_take(&p->warnings,
				      strdupf("%u vCPUs do not fit in one NUMA node (%zu CPUs free in the largest): the "
					      "guest spans nodes %s, and its memory accesses cross nodes; give it fewer "
					      "vCPUs, or a <numatune> and a guest NUMA topology to match",
					      rq->nvcpus, largest, list));
	}
}

int pin_plan_make(const struct cpu_topology *t, const struct pin_request *rq, struct pin_plan *ret, struct error *err)
{
	struct pin_plan p = { 0 };
	struct cpuset keep = { 0 }, avail = { 0 }, allowed = { 0 }, l3_0 = { 0 };
	struct domain_rank *rank = NULL;
	struct core_rank *cores = NULL;
	int *order = NULL;
	size_t online = cpuset_count(&t->online), navail, nrank = 0, need = rq->nvcpus;
	const struct cpu_info *first = topology_cpu(t, (unsigned)cpuset_first(&t->online));
	bool split = false, uniform = true, partial = false, host_l3 = false, host_core = false;
	unsigned width = 0;
	int k = 0;

	if (online == 0 || t->ncores == 0) {
		return error_take(err, -EINVAL, ERROR_FAILED,
				  strdup("no CPU topology: /sys/devices/system/cpu lists no online CPU; run it on the "
					 "machine itself, or on a 'vfiokit snapshot' of it"));
	}
	/* Cores or L3 domains guessed would put a vCPU beside the host's
	 * threads or split a core: refused, the fact named. */
	if (t->unknown) {
		return error_take(err, -EINVAL, ERROR_FAILED,
				  strdupf("cannot tell which CPUs share a core or a cache: %s; pin by hand from the "
					  "article's 'lscpu -e'",
					  t->unknown));
	}
	if (rq->nvcpus == 0) {
		return error_take(err, -EINVAL, ERROR_FAILED, strdup("--vcpus must be at least 1"));
	}
	if (rq->nvcpus > online) {
		return error_take(err, -EINVAL, ERROR_FAILED,
				  strdupf("%u vCPUs asked, but the machine has %zu online CPUs: pinning more vCPUs than CPUs makes "
					  "them compete for the same CPUs; ask fewer with --vcpus",
					  rq->nvcpus, online));
	}
	/* The host keeps what the user names, else CPU 0's core while the
	 * guest fits without it. */
	if (rq->host) {
		struct cpuset outside = { 0 };
		_cleanup_free_ char *o = NULL, *on = NULL;
		if ((k = cpuset_copy(&outside, rq->host)) < 0)
			goto oom;
		cpuset_minus(&outside, &t->online);
		if (cpuset_count(&outside)) {
			o = fmt(&outside);
			on = fmt(&t->online);
			cpuset_clear(&outside);
			k = error_take(
				err, -EINVAL, ERROR_FAILED,
				strdupf("--host-cpus names CPUs %s, which are not online CPUs of this machine (online: %s)",
					o ? o : "?", on ? on : "?"));
			goto out;
		}
		cpuset_clear(&outside);
		if ((k = cpuset_copy(&keep, rq->host)) < 0 || !(o = fmt(&keep)) ||
		    (k = note(&p, strdupf("the host keeps CPUs %s, as asked", o))) < 0)
			goto oom;
	} else if (first && first->core >= 0 && online - cpuset_count(&t->cores[first->core]) >= rq->nvcpus) {
		if ((k = cpuset_copy(&keep, &t->cores[first->core])) < 0)
			goto oom;
		host_core = true;
	}
	if ((k = cpuset_copy(&avail, &t->online)) < 0)
		goto oom;
	cpuset_minus(&avail, &keep);
	navail = cpuset_count(&avail);
	if (rq->nvcpus > navail) {
		_cleanup_free_ char *h = fmt(&keep);
		k = error_take(err, -EINVAL, ERROR_FAILED,
			       strdupf("%u vCPUs asked, but only %zu CPUs are left when the host keeps %s; ask fewer "
				       "with --vcpus",
				       rq->nvcpus, navail, h ? h : "?"));
		goto out;
	}

	/* The GPU's node, one node, or as few as the guest needs; then the
	 * host keeps CPU 0's L3 domain if the guest still fits there without it. */
	if (!rq->host && first && first->l3 >= 0 && t->nl3s > 1 && (k = cpuset_copy(&l3_0, &t->l3s[first->l3])) < 0)
		goto oom;
	order = calloc(t->ncpus ? t->ncpus : 1, sizeof(*order));
	if (!order || (k = choose_nodes(t, rq, &avail, l3_0.nwords ? &l3_0 : NULL, &allowed, order, &p)) < 0)
		goto oom;
	if (l3_0.nwords) {
		struct cpuset rest = { 0 };
		if ((k = cpuset_copy(&rest, &allowed)) < 0)
			goto oom;
		cpuset_minus(&rest, &l3_0);
		if (cpuset_count(&rest) >= rq->nvcpus) {
			cpuset_clear(&allowed);
			allowed = rest;
			host_l3 = true;
		} else
			cpuset_clear(&rest);
	}
	if (host_l3) {
		_cleanup_free_ char *s = fmt(&l3_0);
		if (!s || (k = note(&p, strdupf("the host keeps CPUs %s, the L3 domain of CPU %u, so that guest and host "
						"do not evict each other's cache", s, first->cpu))) < 0)
			goto oom;
	} else if (host_core) {
		_cleanup_free_ char *s = fmt(&keep);
		if (!s || (k = note(&p, strdupf("the host keeps CPUs %s, core 0 with its SMT siblings (\"Core 0 is a good "
						"choice for the host in most cases\", the article)", s))) < 0)
			goto oom;
	}

	/* Rank the L3 domains that have CPUs for the guest: the chosen nodes
	 * in order, whole domains, then the faster. */
	rank = calloc(t->nl3s ? t->nl3s : 1, sizeof(*rank));
	cores = calloc(t->ncores ? t->ncores : 1, sizeof(*cores));
	if (!rank || !cores)
		goto oom;
	for (size_t i = 0; i < t->nl3s; i++) {
		struct domain_rank r = { .l3 = i, .order = INT_MAX, .first = cpuset_first(&t->l3s[i]) };
		size_t in = 0;
		bool perf_core = false;
		CPUSET_FOREACH(c, &t->l3s[i])
		{
			const struct cpu_info *ci = topology_cpu(t, (unsigned)c);
			if (!ci || !cpuset_has(&allowed, (unsigned)c))
				continue;
			in++;
			r.order = order[ci - t->cpus] < r.order ? order[ci - t->cpus] : r.order;
			perf_core |= ci->kind != CPU_KIND_EFFICIENCY;
			r.perf = ci->perf > r.perf ? ci->perf : r.perf;
		}
		if (!in)
			continue;
		/* A domain of E-cores only after every domain with P-cores. */
		r.perf = perf_core ? r.perf : -1;
		r.whole = in == cpuset_count(&t->l3s[i]) ? 0 : 1;
		rank[nrank++] = r;
	}
	qsort(rank, nrank, sizeof(*rank), cmp_rank);

	p.vcpu_cpu = calloc(rq->nvcpus, sizeof(*p.vcpu_cpu));
	if (!p.vcpu_cpu)
		goto oom;
	/* Core by core, SMT siblings together: in each domain the cores the
	 * host left whole first, P-cores before E-cores, faster before slower. */
	for (size_t d = 0; d < nrank && need; d++) {
		const struct cpuset *dom = &t->l3s[rank[d].l3];
		size_t ncr = 0;
		for (size_t c = 0; c < t->ncores; c++) {
			const struct cpuset *core = &t->cores[c];
			size_t threads = count_and(core, &allowed);
			if (!threads || !cpuset_subset(core, dom))
				continue;
			/* An L3 domain across nodes (a Xeon's with sub-NUMA clustering): the first node's cores first. */
			cores[ncr++] = (struct core_rank){ .core = c, .order = order[topology_cpu(t, (unsigned)cpuset_first(core)) - t->cpus],
							   .partial = threads != cpuset_count(core),
							   .eff = set_has_kind(t, core, CPU_KIND_EFFICIENCY),
							   .perf = set_perf(t, core), .first = cpuset_first(core) };
		}
		qsort(cores, ncr, sizeof(*cores), cmp_core);
		for (size_t i = 0; i < ncr && need; i++) {
			const struct cpuset *core = &t->cores[cores[i].core];
			size_t threads = count_and(core, &allowed), took = 0;
			CPUSET_FOREACH(cpu, core)
			{
				if (!need || !cpuset_has(&allowed, (unsigned)cpu))
					continue;
				p.vcpu_cpu[p.nvcpus++] = (unsigned)cpu;
				if ((k = cpuset_add(&p.guest, (unsigned)cpu)) < 0)
					goto oom;
				need--;
				took++;
			}
			if (took < cpuset_count(core)) {
				uniform = false;
				partial = true;
				split |= took < threads;
			}
			if (width && took != width)
				uniform = false;
			width = width ? width : (unsigned)took;
		}
	}
	if ((k = cpuset_copy(&p.host, &t->online)) < 0)
		goto oom;
	cpuset_minus(&p.host, &p.guest);

	/* The guest's topology matches what it runs on. */
	p.sockets = 1;
	p.dies = 1;
	p.threads = uniform && width && rq->nvcpus % width == 0 ? width : 1;
	p.cores = rq->nvcpus / p.threads;
	if (!uniform && t->ncores < online)
		k = note(&p, strdup(partial ? "the vCPUs do not take whole cores everywhere: the guest sees one thread per "
					      "core" :
					      "the cores taken have different thread counts (P-cores with SMT, E-cores "
					      "without): the guest sees one thread per core"));
	if (k >= 0 && split)
		k = note(&p, strdup("an odd number of vCPUs splits a core: one SMT sibling runs a vCPU, the other stays "
				    "with the host; an even count keeps siblings together"));
	if (k < 0)
		goto oom;
	{
		/* L3 domains the guest shares with the host. */
		for (size_t i = 0; i < t->nl3s; i++) {
			bool g = false, h = false;
			CPUSET_FOREACH(c, &t->l3s[i])
			{
				g |= cpuset_has(&p.guest, (unsigned)c);
				h |= cpuset_has(&p.host, (unsigned)c);
			}
			if (g && h && t->nl3s > 1) {
				_cleanup_free_ char *s = fmt(&t->l3s[i]);
				if (!s || (k = note(&p, strdupf("the guest shares the L3 cache of CPUs %s with the host: they "
								"will evict each other's cache (the article's Ryzen "
								"example)", s))) < 0)
					goto oom;
			}
		}
	}
	if (rq->prefer_node >= 0) {
		bool off = false;
		CPUSET_FOREACH(c, &p.guest)
		{
			const struct cpu_info *ci = topology_cpu(t, (unsigned)c);
			off |= ci && ci->node >= 0 && ci->node != rq->prefer_node;
		}
		if (off && (k = note(&p, strdupf("some vCPUs run outside NUMA node %d, the GPU's: its DMA and "
						 "interrupts cross nodes", rq->prefer_node))) < 0)
			goto oom;
	}
	if (t->hybrid) {
		bool eff = false;
		CPUSET_FOREACH(c, &p.guest)
		{
			const struct cpu_info *ci = topology_cpu(t, (unsigned)c);
			eff |= ci && ci->kind == CPU_KIND_EFFICIENCY;
		}
		if (eff && (k = note(&p, strdup("some vCPUs run on E-cores: the guest cannot tell them from P-cores"))) < 0)
			goto oom;
	}
	if (cpuset_count(&p.host) == 0 &&
	    (k = note(&p, strdup("every CPU goes to the guest: no emulator or I/O thread pinning (\"If all cores are "
				 "passed to the guest, there is no need or benefit\", the article)"))) < 0)
		goto oom;
	*ret = p;
	p = (struct pin_plan){ 0 };
	k = 0;
	goto out;
oom:
	k = -ENOMEM;
out:
	free(rank);
	free(cores);
	free(order);
	cpuset_clear(&allowed);
	cpuset_clear(&l3_0);
	cpuset_clear(&keep);
	cpuset_clear(&avail);
	pin_plan_free(&p);
	return k;
}
