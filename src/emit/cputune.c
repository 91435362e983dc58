/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "emit/cputune.h"
#include "plan/kparams.h"
#include "emit/xml.h"

bool cputune_domain_build(xmlNodePtr dom, const struct pin_plan *p, unsigned iothreads, bool amd)
{
	_cleanup_free_ char *count = strdupf("%zu", p->nvcpus), *host = cpuset_format(&p->host);
	_cleanup_free_ char *io = strdupf("%u", iothreads);
	xmlNodePtr vcpu, tune, cpu, topo;
	bool ok = count && host && io;

	vcpu = ok ? xml_child(dom, "vcpu", count) : NULL;
	ok = ok && xml_attrf(vcpu, "placement", "static");
	if (ok && iothreads)
		ok = xml_child(dom, "iothreads", io) != NULL;
	tune = ok ? xml_child(dom, "cputune", NULL) : NULL;
	ok = ok && tune;
	for (size_t i = 0; ok && i < p->nvcpus; i++) {
		xmlNodePtr pin = xml_child(tune, "vcpupin", NULL);
		ok = xml_attrf(pin, "vcpu", "%zu", i) && xml_attrf(pin, "cpuset", "%u", p->vcpu_cpu[i]);
	}
	/* Emulator and I/O threads on the host's CPUs, when it keeps any. */
	if (ok && *host) {
		ok = xml_attrf(xml_child(tune, "emulatorpin", NULL), "cpuset", "%s", host);
		for (unsigned t = 1; ok && t <= iothreads; t++) {
			xmlNodePtr pin = xml_child(tune, "iothreadpin", NULL);
			ok = xml_attrf(pin, "iothread", "%u", t) && xml_attrf(pin, "cpuset", "%s", host);
		}
	}
	cpu = ok ? xml_child(dom, "cpu", NULL) : NULL;
	ok = ok && xml_attrf(cpu, "mode", "host-passthrough") && xml_attrf(cpu, "check", "none");
	topo = ok ? xml_child(cpu, "topology", NULL) : NULL;
	ok = ok && xml_attrf(topo, "sockets", "%u", p->sockets) && xml_attrf(topo, "dies", "%u", p->dies) &&
	     xml_attrf(topo, "cores", "%u", p->cores) && xml_attrf(topo, "threads", "%u", p->threads);
	if (ok && amd && p->threads > 1) {
		xmlNodePtr f = xml_child(cpu, "feature", NULL);
		ok = xml_attrf(f, "policy", "require") && xml_attrf(f, "name", "topoext");
	}
	return ok;
}

char *cputune_domain_xml(const struct pin_plan *p, unsigned iothreads, bool amd)
{
	struct xml_frag f = { 0 };

	if (!xml_frag_new(&f))
		return NULL;
	if (!cputune_domain_build(f.root, p, iothreads, amd)) {
		xml_frag_free(&f);
		return NULL;
	}
	return xml_frag_finish(&f);
}

char *cputune_qemu_prefix(const struct pin_plan *p)
{
	_cleanup_free_ char *g = cpuset_format(&p->guest);

	if (!g)
		return NULL;
	return strdupf("chrt -r 1 taskset -c %s qemu-system-x86_64 -smp %zu,sockets=%u,dies=%u,cores=%u,threads=%u", g,
		       p->nvcpus, p->sockets, p->dies, p->cores, p->threads);
}

char *cputune_isolation_params(const struct pin_plan *p)
{
	return kparams_isolation_params(&p->guest);
}
