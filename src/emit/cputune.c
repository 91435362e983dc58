/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <libxml/tree.h>

#include "cputune.h"

static xmlNodePtr child(xmlNodePtr parent, const char *name, const char *content)
{
	return xmlNewTextChild(parent, NULL, BAD_CAST name, content ? BAD_CAST content : NULL);
}

static bool attr(xmlNodePtr n, const char *name, const char *fmt, ...) _printf_(3, 4);

static bool attr(xmlNodePtr n, const char *name, const char *fmt, ...)
{
	_cleanup_free_ char *v = NULL;
	va_list ap;
	int r;

	if (!n)
		return false;
	va_start(ap, fmt);
	r = vasprintf(&v, fmt, ap);
	va_end(ap);
	return r >= 0 && xmlNewProp(n, BAD_CAST name, BAD_CAST v) != NULL;
}

static bool build(xmlNodePtr dom, const struct pin_plan *p, unsigned iothreads)
{
	_cleanup_free_ char *count = strdupf("%zu", p->nvcpus), *host = cpuset_format(&p->host);
	_cleanup_free_ char *io = strdupf("%u", iothreads);
	xmlNodePtr vcpu, tune, cpu, topo;
	bool ok = count && host && io;

	vcpu = ok ? child(dom, "vcpu", count) : NULL;
	ok = ok && attr(vcpu, "placement", "static");
	if (ok && iothreads)
		ok = child(dom, "iothreads", io) != NULL;
	tune = ok ? child(dom, "cputune", NULL) : NULL;
	ok = ok && tune;
	for (size_t i = 0; ok && i < p->nvcpus; i++) {
		xmlNodePtr pin = child(tune, "vcpupin", NULL);
		ok = attr(pin, "vcpu", "%zu", i) && attr(pin, "cpuset", "%u", p->vcpu_cpu[i]);
	}
	/* Emulator and I/O threads on the host's CPUs, when it keeps any. */
	if (ok && *host) {
		ok = attr(child(tune, "emulatorpin", NULL), "cpuset", "%s", host);
		for (unsigned t = 1; ok && t <= iothreads; t++) {
			xmlNodePtr pin = child(tune, "iothreadpin", NULL);
			ok = attr(pin, "iothread", "%u", t) && attr(pin, "cpuset", "%s", host);
		}
	}
	cpu = ok ? child(dom, "cpu", NULL) : NULL;
	ok = ok && attr(cpu, "mode", "host-passthrough") && attr(cpu, "check", "none");
	topo = ok ? child(cpu, "topology", NULL) : NULL;
	return ok && attr(topo, "sockets", "%u", p->sockets) && attr(topo, "dies", "%u", p->dies) &&
	       attr(topo, "cores", "%u", p->cores) && attr(topo, "threads", "%u", p->threads);
}

char *cputune_domain_xml(const struct pin_plan *p, unsigned iothreads)
{
	xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
	xmlNodePtr dom = doc ? xmlNewDocNode(doc, NULL, BAD_CAST "domain", NULL) : NULL;
	xmlBufferPtr buf = xmlBufferCreate();
	char *out = NULL;

	if (!doc || !dom || !buf)
		goto out;
	xmlDocSetRootElement(doc, dom);
	if (!build(dom, p, iothreads))
		goto out;
	for (xmlNodePtr n = dom->children; n; n = n->next) {
		if (xmlNodeDump(buf, doc, n, 0, 1) < 0 || xmlBufferCCat(buf, "\n") != 0)
			goto out;
	}
	out = strdup((const char *)xmlBufferContent(buf));
out:
	xmlBufferFree(buf);
	xmlFreeDoc(doc);
	return out;
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
	_cleanup_free_ char *g = cpuset_format(&p->guest);

	return g ? strdupf("isolcpus=%s nohz_full=%s rcu_nocbs=%s", g, g, g) : NULL;
}
