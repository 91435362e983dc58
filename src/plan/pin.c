/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "pin.h"

void pin_plan_free(struct pin_plan *p)
{
	free(p->vcpu_cpu);
	cpuset_clear(&p->guest);
	cpuset_clear(&p->host);
	strv_clear(&p->notes);
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
	int whole, node, perf, first;
};

static int cmp_rank(const void *a, const void *b)
{
	const struct domain_rank *x = a, *y = b;

	if (x->whole != y->whole)
		return x->whole - y->whole;
	if (x->node != y->node)
		return x->node - y->node;
	if (x->perf != y->perf)
		return x->perf - y->perf;
	return x->first - y->first;
}

static bool core_has_kind(const struct cpu_topology *t, const struct cpuset *core, enum cpu_kind kind)
{
	CPUSET_FOREACH(c, core)
	{
		const struct cpu_info *ci = topology_cpu(t, (unsigned)c);
		if (ci && ci->kind == kind)
			return true;
	}
	return false;
}

/* What the host keeps when the user does not say: the L3 domain of the
 * first online CPU, else its core, else nothing, whichever leaves the guest
 * enough. */
static int choose_host(const struct cpu_topology *t, unsigned nvcpus, struct cpuset *host, struct pin_plan *p)
{
	size_t online = cpuset_count(&t->online);
	const struct cpu_info *first = topology_cpu(t, (unsigned)cpuset_first(&t->online));
	_cleanup_free_ char *s = NULL;
	int k;

	if (first && first->l3 >= 0 && t->nl3s > 1 && online - cpuset_count(&t->l3s[first->l3]) >= nvcpus) {
		if ((k = cpuset_copy(host, &t->l3s[first->l3])) < 0 || !(s = fmt(host)))
			return k < 0 ? k : -ENOMEM;
		return note(p, strdupf("the host keeps CPUs %s, the L3 domain of CPU %u, so that guest and host do not "
				       "evict each other's cache", s, first->cpu));
	}
	if (first && first->core >= 0 && online - cpuset_count(&t->cores[first->core]) >= nvcpus) {
		if ((k = cpuset_copy(host, &t->cores[first->core])) < 0 || !(s = fmt(host)))
			return k < 0 ? k : -ENOMEM;
		return note(p, strdupf("the host keeps CPUs %s, core 0 with its SMT siblings (\"Core 0 is a good choice "
				       "for the host in most cases\", the article)", s));
	}
	return 0;
}

int pin_plan_make(const struct cpu_topology *t, const struct pin_request *rq, struct pin_plan *ret, char **err)
{
	struct pin_plan p = { 0 };
	struct cpuset keep = { 0 }, avail = { 0 };
	struct domain_rank *rank = NULL;
	size_t online = cpuset_count(&t->online), navail, nrank = 0, need = rq->nvcpus;
	bool split = false, uniform = true, partial = false;
	unsigned width = 0;
	int k = 0;

	*err = NULL;
	if (online == 0 || t->ncores == 0) {
		*err = strdup("no CPU topology: /sys/devices/system/cpu lists no online CPU; run it on the "
			      "machine itself, or on a 'vfiokit snapshot' of it");
		return *err ? -EINVAL : -ENOMEM;
	}
	/* Cores or L3 domains guessed would put a vCPU beside the host's
	 * threads or split a core: refused, the fact named. */
	if (t->unknown) {
		*err = strdupf("cannot tell which CPUs share a core or a cache: %s; pin by hand from the "
			       "article's 'lscpu -e'", t->unknown);
		return *err ? -EINVAL : -ENOMEM;
	}
	if (rq->nvcpus == 0) {
		*err = strdup("--vcpus must be at least 1");
		return *err ? -EINVAL : -ENOMEM;
	}
	if (rq->nvcpus > online) {
		*err = strdupf("%u vCPUs asked, but the machine has %zu online CPUs: pinning more vCPUs than CPUs makes "
			       "them compete for the same CPUs; ask fewer with --vcpus", rq->nvcpus, online);
		return *err ? -EINVAL : -ENOMEM;
	}
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
			*err = strdupf("--host-cpus names CPUs %s, which are not online CPUs of this machine (online: %s)",
				       o ? o : "?", on ? on : "?");
			k = *err ? -EINVAL : -ENOMEM;
			goto out;
		}
		cpuset_clear(&outside);
		if ((k = cpuset_copy(&keep, rq->host)) < 0 || !(o = fmt(&keep)) ||
		    (k = note(&p, strdupf("the host keeps CPUs %s, as asked", o))) < 0)
			goto oom;
	} else if ((k = choose_host(t, rq->nvcpus, &keep, &p)) < 0)
		goto oom;
	if ((k = cpuset_copy(&avail, &t->online)) < 0)
		goto oom;
	cpuset_minus(&avail, &keep);
	navail = cpuset_count(&avail);
	if (rq->nvcpus > navail) {
		_cleanup_free_ char *h = fmt(&keep);
		*err = strdupf("%u vCPUs asked, but only %zu CPUs are left when the host keeps %s; ask fewer "
			       "with --vcpus", rq->nvcpus, navail,
			       h ? h : "?");
		k = *err ? -EINVAL : -ENOMEM;
		goto out;
	}

	/* Rank the L3 domains that have CPUs for the guest. */
	rank = calloc(t->nl3s ? t->nl3s : 1, sizeof(*rank));
	if (!rank)
		goto oom;
	for (size_t i = 0; i < t->nl3s; i++) {
		struct domain_rank r = { .l3 = i, .node = 1, .perf = 1, .first = cpuset_first(&t->l3s[i]) };
		size_t in = 0;
		CPUSET_FOREACH(c, &t->l3s[i])
		{
			const struct cpu_info *ci = topology_cpu(t, (unsigned)c);
			if (!cpuset_has(&avail, (unsigned)c))
				continue;
			in++;
			if (ci && rq->prefer_node >= 0 && ci->node == rq->prefer_node)
				r.node = 0;
			if (ci && ci->kind != CPU_KIND_EFFICIENCY)
				r.perf = 0;
		}
		if (!in)
			continue;
		r.whole = in == cpuset_count(&t->l3s[i]) ? 0 : 1;
		rank[nrank++] = r;
	}
	qsort(rank, nrank, sizeof(*rank), cmp_rank);

	p.vcpu_cpu = calloc(rq->nvcpus, sizeof(*p.vcpu_cpu));
	if (!p.vcpu_cpu)
		goto oom;
	/* Core by core, SMT siblings together: in each domain the cores the
	 * host left whole first, P-cores before E-cores. */
	for (size_t d = 0; d < nrank && need; d++) {
		const struct cpuset *dom = &t->l3s[rank[d].l3];
		for (int pass = 0; pass < 4 && need; pass++)
			for (size_t c = 0; c < t->ncores && need; c++) {
				const struct cpuset *core = &t->cores[c];
				bool eff = core_has_kind(t, core, CPU_KIND_EFFICIENCY);
				size_t threads = 0, took = 0;
				if (!cpuset_subset(core, dom) || eff != (pass % 2 == 1))
					continue;
				CPUSET_FOREACH(cpu, core) threads += cpuset_has(&avail, (unsigned)cpu);
				if (!threads || (threads == cpuset_count(core)) != (pass < 2))
					continue;
				CPUSET_FOREACH(cpu, core)
				{
					if (!need || !cpuset_has(&avail, (unsigned)cpu))
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
	cpuset_clear(&keep);
	cpuset_clear(&avail);
	pin_plan_free(&p);
	return k;
}
