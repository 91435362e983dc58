/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What `vfiokit next` judges progress by, beyond the rest of the model: the
 * guests libvirt keeps, and when the running kernel booted. */
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <string.h>

#include "host/host.h"
#include "shared/libxml.h"
#include "shared/parse-number.h"

/* libvirt's persistent QEMU domains (virQEMUDriverConfig's configDir). */
#define GUESTS_DIR "etc/libvirt/qemu"
/* A domain is a few KiB; anything much larger is not one. */
#define GUEST_XML_MAX (1u << 20)

static void xml_free_p(xmlChar **p)
{
	if (*p)
		libxml_free(*p);
}

static void xml_doc_free_p(xmlDoc **p)
{
	if (*p)
		sym_xmlFreeDoc(*p);
}

void progress_free(struct host_progress *p)
{
	for (size_t i = 0; i < p->nguests; i++) {
		free(p->guests[i].name);
		free(p->guests[i].file);
		free(p->guests[i].hostdevs);
	}
	free(p->guests);
	free(p->guests_unknown);
	free(p->boot_time_unknown);
	*p = (struct host_progress){ .boot_time = -1 };
}

static bool is(const xmlNode *n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && streq((const char *)n->name, name);
}

static const xmlNode *child(const xmlNode *n, const char *name)
{
	for (const xmlNode *c = n ? n->children : NULL; c; c = c->next)
		if (is(c, name))
			return c;
	return NULL;
}

/* An address attribute as libvirt writes it: "0x06" (or decimal). */
static int attr_number(const xmlNode *n, const char *name, uint32_t max, uint32_t *ret)
{
	_cleanup_(xml_free_p) xmlChar *v = sym_xmlGetProp(n, (const xmlChar *)name);
	unsigned u;

	if (!v)
		return -EINVAL;
	if (parse_unsigned((const char *)v, 0, max, &u) < 0)
		return -EINVAL;
	*ret = u;
	return 0;
}

/* <hostdev mode='subsystem' type='pci'><source><address domain= bus= slot= function=/>. */
static int guest_hostdev(struct host_guest *g, const xmlNode *hd)
{
	_cleanup_(xml_free_p) xmlChar *type = sym_xmlGetProp(hd, (const xmlChar *)"type");
	const xmlNode *a = child(child(hd, "source"), "address");
	uint32_t dom = 0, bus, slot, fn;
	struct pci_addr *v;

	if (!type || !streq((const char *)type, "pci") || !a)
		return 0;
	if ((sym_xmlHasProp(a, (const xmlChar *)"domain") && attr_number(a, "domain", 0xffff, &dom) < 0) ||
	    attr_number(a, "bus", 0xff, &bus) < 0 || attr_number(a, "slot", 0x1f, &slot) < 0 ||
	    attr_number(a, "function", 7, &fn) < 0)
		return -EINVAL;
	if (!(v = reallocarray(g->hostdevs, g->nhostdevs + 1, sizeof(*v))))
		return -ENOMEM;
	g->hostdevs = v;
	v[g->nhostdevs++] = (struct pci_addr){ .domain = dom, .bus = (uint8_t)bus, .dev = (uint8_t)slot, .fn = (uint8_t)fn };
	return 0;
}

static bool attr_is(const xmlNode *n, const char *name, const char *value)
{
	_cleanup_(xml_free_p) xmlChar *v = n ? sym_xmlGetProp(n, (const xmlChar *)name) : NULL;

	return v && streq((const char *)v, value);
}

/* What the article's Code 43 entries ask of <features> ("Video card driver
 * virtualisation detection"; "QEMU 4.0: ... using Q35"), and the machine. */
static int guest_features(struct host_guest *g, const xmlNode *root)
{
	const xmlNode *f = child(root, "features");
	_cleanup_(xml_free_p) xmlChar *machine = NULL;
	const xmlNode *type = child(child(root, "os"), "type");

	g->kvm_hidden = attr_is(child(child(f, "kvm"), "hidden"), "state", "on");
	g->hv_vendor_id = attr_is(child(child(f, "hyperv"), "vendor_id"), "state", "on");
	g->ioapic_kvm = attr_is(child(f, "ioapic"), "driver", "kvm");
	if (type && (machine = sym_xmlGetProp(type, (const xmlChar *)"machine")))
		g->q35 = strstr((const char *)machine, "q35") != NULL;
	return 0;
}

/* 0, -ENOMEM, or -EINVAL with *why saying what is wrong with the domain. */
static int guest_parse(struct host_guest *g, const char *xml, size_t len, const char **why)
{
	_cleanup_(xml_doc_free_p) xmlDoc *doc = NULL;
	const xmlNode *root, *n;
	int k;

	/* No network, no entity expansion, no DTD: the file is input. */
	doc = sym_xmlReadMemory(xml, (int)len, "domain.xml", NULL,
				XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!doc)
		return *why = "not well-formed XML", -EINVAL;
	root = sym_xmlDocGetRootElement(doc);
	if (!is(root, "domain"))
		return *why = "not a libvirt domain (the root element is not <domain>)", -EINVAL;
	if ((n = child(root, "name"))) {
		_cleanup_(xml_free_p) xmlChar *name = sym_xmlNodeGetContent(n);
		if (name && *name) {
			free(g->name);
			if (!(g->name = strdup((const char *)name)))
				return -ENOMEM;
		}
	}
	for (const xmlNode *c = child(child(root, "cputune"), "vcpupin"); c && !g->pinned; c = c->next)
		g->pinned = is(c, "vcpupin");
	g->hugepages = child(child(root, "memoryBacking"), "hugepages") != NULL;
	if ((k = guest_features(g, root)) < 0)
		return k;
	for (const xmlNode *c = (n = child(root, "devices")) ? n->children : NULL; c; c = c->next)
		if (is(c, "hostdev") && (k = guest_hostdev(g, c)) < 0)
			return k == -EINVAL ? (*why = "a PCI <hostdev> without a readable source address", k) : k;
	return 0;
}

/* etc/libvirt/qemu/FILE into the model: 0 (read, or a diag recorded and
 * guests_unknown set), -ENOENT absent, -ENOMEM, -ELIBACC when libxml2
 * cannot be loaded (libxml_load() says why: the cli asks it again). */
static int guest_load_file(struct host *h, const char *file)
{
	struct host_progress *p = &h->progress;
	size_t nl = strlen(file);
	_cleanup_free_ char *rel = NULL, *xml = NULL;
	const char *why = NULL;
	struct host_guest g = { 0 };
	size_t len;
	int k;

	if (!(rel = strdupf(GUESTS_DIR "/%s", file)))
		return -ENOMEM;
	k = path_read_file(h->root, rel, GUEST_XML_MAX, &xml, &len);
	if (k == -ENOMEM || k == -ENOENT)
		return k;
	/* libxml2 loaded where a guest is there to parse, not before: a
	 * machine without guests (or a command without them) never loads it. */
	if (k >= 0 && (k = libxml_load(NULL)) < 0)
		return k;
	if (k >= 0 && !(g.name = strndup(file, nl - 4)))
		return -ENOMEM;
	if (k >= 0 && (k = guest_parse(&g, xml, len, &why)) == -ENOMEM) {
		free(g.name);
		free(g.hostdevs);
		return k;
	}
	if (k < 0) {
		free(g.name);
		free(g.hostdevs);
		host_diag(h, rel, "%s", why ? why : path_strerror(k));
		if (!p->guests_unknown && !(p->guests_unknown = strdupf("/%s: %s", rel, why ? why : path_strerror(k))))
			return -ENOMEM;
		return 0;
	}
	g.file = TAKE_PTR(rel);
	if (GROW(p->guests, p->guests_alloc, p->nguests + 1) < 0) {
		free(g.name);
		free(g.file);
		free(g.hostdevs);
		return -ENOMEM;
	}
	p->guests[p->nguests++] = g;
	return 0;
}

static int guests_load(struct host *h)
{
	struct host_progress *p = &h->progress;
	_cleanup_(strv_clear) struct strv names = { 0 };
	int k = path_list(h->root, GUESTS_DIR, &names);

	if (k == -ENOENT)
		return 0; /* no libvirt, or no guest yet */
	if (k < 0)
		return k == -ENOMEM ? k :
				      (p->guests_unknown = strdupf("/" GUESTS_DIR ": cannot read: %s", path_strerror(k))) ?
				      0 :
				      -ENOMEM;
	for (size_t i = 0; i < names.n; i++) {
		const char *name = names.v[i];
		size_t nl = strlen(name);

		if (nl <= 4 || !streq(name + nl - 4, ".xml"))
			continue;
		/* -ENOENT: gone since the listing. */
		if ((k = guest_load_file(h, name)) == -ENOMEM || k == -ELIBACC)
			return k;
	}
	return 0;
}

int host_guest_load(struct host *h, const char *name, const struct host_guest **ret)
{
	_cleanup_free_ char *file = strdupf("%s.xml", name);
	size_t n = h->progress.nguests;
	int k;

	*ret = NULL;
	if (!file)
		return -ENOMEM;
	if ((k = guest_load_file(h, file)) < 0)
		return k;
	if (h->progress.nguests == n)
		return -EINVAL;
	*ret = &h->progress.guests[n];
	return 0;
}

/* proc(5): "btime N", the boot time in seconds since the epoch. */
static int boot_time_load(struct host *h)
{
	struct host_progress *p = &h->progress;
	_cleanup_free_ char *text = NULL;
	const char *why = "no btime line";
	size_t len;
	int k = path_read_file(h->root, "proc/stat", 1u << 20, &text, &len);

	if (k == -ENOMEM)
		return k;
	if (k < 0)
		why = k == -ENOENT ? "absent" : path_strerror(k);
	for (char *line = k < 0 ? NULL : text, *next; line && *line; line = next) {
		uint64_t t;
		if ((next = strchr(line, '\n')))
			*next++ = '\0';
		if (strncmp(line, "btime ", 6) != 0)
			continue;
		if (parse_u64(line + 6, 10, INT64_MAX, &t) < 0) {
			why = "btime is not a number";
			break;
		}
		p->boot_time = (long long)t;
		return 0;
	}
	return (p->boot_time_unknown = strdupf("/proc/stat: %s", why)) ? 0 : -ENOMEM;
}

int progress_load(struct host *h)
{
	int k;

	h->progress.boot_time = -1;
	if ((k = guests_load(h)) < 0 || (k = boot_time_load(h)) < 0)
		return k;
	return 0;
}
