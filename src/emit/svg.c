/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The IOMMU groups as an SVG picture in their PCIe tree (see svg.h). */
#include <stdio.h>
#include <string.h>

#include "emit/svg.h"
#include "plan/isolation.h"
#include "shared/escape.h"
#include "shared/libxml.h"

#define SVG_NS "http://www.w3.org/2000/svg"

/* Geometry, in pixels, for 12 px monospace text: a character is at most
 * 0.61 em wide in the usual monospace fonts (DejaVu Sans Mono, Liberation
 * Mono), 7.3 px, written here as tenths. */
#define CHAR_W10 73
#define LINE_H 16
#define HEADER_H 22
#define BUS_H 20
#define PAD 6
#define GAP 10
#define INDENT 28
#define STRIPE 22
#define MARGIN 12
#define TREE_TOP 80

enum node_kind { NODE_BUS, NODE_GROUP, NODE_UNGROUPED };
enum line_style { LINE_HEADER, LINE_DEVICE, LINE_DETAIL, LINE_MISSING };

struct line {
	char *text; /* fit for XML (svg_fit_text) */
	enum line_style style;
};

struct node {
	enum node_kind kind;
	size_t group;                    /* NODE_GROUP: index into host->groups */
	struct pci_addr key;             /* order among siblings: the anchor's address, or the bus */
	const struct pci_device *anchor; /* NODE_GROUP: its shallowest device; NULL for none */
	enum group_verdict verdict;
	ssize_t parent; /* index into nodes, -1: none */
	int depth, x, y, w, h;
	struct line *lines;
	size_t nlines, lines_alloc;
};

struct layout {
	struct node *v;
	size_t n, alloc;
	ssize_t *order; /* preorder of the tree: indexes into v */
	size_t norder;
	int width, height;
};

char *svg_fit_text(const char *s)
{
	char *t = text_escape(s ? s : "", NULL), *out, *o;

	/* U+FFFE and U+FFFF are valid UTF-8 but no XML character. */
	if (!t || !strstr(t, "\xef\xbf"))
		return t;
	out = malloc(strlen(t) * 4 + 1);
	if (!out) {
		free(t);
		return NULL;
	}
	o = out;
	for (const char *p = t; *p;) {
		if (p[0] == '\xef' && p[1] == '\xbf' && (p[2] == '\xbe' || p[2] == '\xbf')) {
			o += sprintf(o, "\\xef\\xbf\\x%02x", (unsigned char)p[2]);
			p += 3;
		} else
			*o++ = *p++;
	}
	*o = '\0';
	free(t);
	return out;
}

/* Characters of valid UTF-8 text: code points, as a monospace font draws them. */
static size_t text_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static int text_px(const char *s)
{
	size_t c = text_chars(s);

	if (c > 100000)
		c = 100000;
	return (int)((c * CHAR_W10 + 9) / 10);
}

static void layout_free(struct layout *l)
{
	for (size_t i = 0; i < l->n; i++) {
		for (size_t k = 0; k < l->v[i].nlines; k++)
			free(l->v[i].lines[k].text);
		free(l->v[i].lines);
	}
	free(l->v);
	free(l->order);
	*l = (struct layout){ 0 };
}

static struct node *node_add(struct layout *l, enum node_kind kind)
{
	if (grow_array((void **)&l->v, &l->alloc, l->n + 1, sizeof(*l->v)) < 0)
		return NULL;
	l->v[l->n] = (struct node){ .kind = kind, .parent = -1 };
	return &l->v[l->n++];
}

/* A line of text; fmt's arguments from the machine must be fit already. */
static int line_add(struct node *n, enum line_style style, const char *fmt, ...) _printf_(3, 4);
static int line_add(struct node *n, enum line_style style, const char *fmt, ...)
{
	va_list ap;
	char *t;

	if (grow_array((void **)&n->lines, &n->lines_alloc, n->nlines + 1, sizeof(*n->lines)) < 0)
		return -ENOMEM;
	va_start(ap, fmt);
	if (vasprintf(&t, fmt, ap) < 0)
		t = NULL;
	va_end(ap);
	if (!t)
		return -ENOMEM;
	n->lines[n->nlines++] = (struct line){ .text = t, .style = style };
	return 0;
}

/* "VGA compatible controller: NVIDIA Corporation GM204 [...] (rev a1)", as groups shows it. */
static char *describe(const struct pci_device *d)
{
	_cleanup_free_ char *type = d->class_name ? strdup(d->class_name) : strdupf("Class %04x", d->class >> 8);
	_cleanup_free_ char *rev = d->has_revision && d->revision ? strdupf(" (rev %02x)", d->revision) : strdup("");

	if (!type || !rev)
		return NULL;
	if (d->vendor_name && d->device_name)
		return strdupf("%s: %s %s%s", type, d->vendor_name, d->device_name, rev);
	if (d->vendor_name)
		return strdupf("%s: %s Device %04x%s", type, d->vendor_name, d->device, rev);
	return strdupf("%s: Device %04x:%04x%s", type, d->vendor, d->device, rev);
}

static const char *role_word(enum pci_role r)
{
	switch (r) {
	case PCI_ROLE_BRIDGE:
		return "bridge; ";
	case PCI_ROLE_ROOT_PORT:
		return "root port; ";
	case PCI_ROLE_HOST_BRIDGE:
		return "host bridge; ";
	case PCI_ROLE_ENDPOINT:
		break;
	}
	return "";
}

/* Two lines a device: address, IDs and names; then its role, driver, host
 * use and bound state. */
static int device_lines(struct node *n, const struct pci_device *d)
{
	_cleanup_free_ char *desc = describe(d), *fdesc = NULL, *drv = NULL, *use = NULL, *was = NULL;
	struct strv u = { 0 };
	int r = -ENOMEM;

	if (!desc || !(fdesc = svg_fit_text(desc)) || !(drv = svg_fit_text(d->driver ? d->driver : "none")))
		return -ENOMEM;
	for (size_t i = 0; i < d->nuses; i++)
		if (strv_push_take(&u, strdupf("%s: %s", pci_use_kind_name(d->uses[i].kind), d->uses[i].what)) < 0)
			goto out;
	{
		_cleanup_free_ char *joined = strv_join(&u, ", ");
		if (!joined || !(use = svg_fit_text(u.n ? joined : "none")))
			goto out;
	}
	if (d->bound && !(was = svg_fit_text(*d->bound->driver ? d->bound->driver : "no driver")))
		goto out;
	if (line_add(n, LINE_DEVICE, "%s [%04x:%04x] %s", d->name, d->vendor, d->device, fdesc) < 0)
		goto out;
	if (was)
		r = line_add(n, LINE_DETAIL, "%sdriver: %s; host use: %s; bound by vfiokit: yes, was %s",
			     role_word(d->role), drv, use, was);
	else
		r = line_add(n, LINE_DETAIL, "%sdriver: %s; host use: %s; bound by vfiokit: no", role_word(d->role),
			     drv, use);
out:
	strv_clear(&u);
	return r;
}

static const char *verdict_word(const struct node *n)
{
	return n->kind == NODE_UNGROUPED ? "no IOMMU group" : group_verdict_name(n->verdict);
}

static const char *pattern_id(const struct node *n)
{
	if (n->kind == NODE_UNGROUPED)
		return "vk-no-group";
	switch (n->verdict) {
	case VERDICT_ISOLATED:
		return "vk-isolated";
	case VERDICT_WITH_ROOT_PORT:
		return "vk-with-root-port";
	case VERDICT_SHARED:
		return "vk-shared";
	case VERDICT_BRIDGES_ONLY:
		break;
	}
	return "vk-bridges-only";
}

static int group_index(const struct host *h, int number)
{
	const struct iommu_group *g = host_find_group(h, number);

	return g ? (int)(g - h->groups) : -1;
}

static int cmp_key(const struct pci_addr *a, const struct pci_addr *b)
{
	return pci_addr_cmp(a, b);
}

/* The nodes, their parents, and the preorder. */
static int layout_tree(const struct host *h, const struct svg_groups_filter *f, struct layout *l)
{
	_cleanup_free_ ssize_t *node_of = calloc(h->ngroups ? h->ngroups : 1, sizeof(ssize_t));
	size_t ngroups_nodes;
	bool ungrouped = false;

	if (!node_of)
		return -ENOMEM;
	for (size_t i = 0; i < h->ngroups; i++) {
		const struct iommu_group *g = &h->groups[i];
		struct group_assessment a = { 0 };
		struct node *n;

		node_of[i] = -1;
		if (f && f->show_group && !f->show_group[i])
			continue;
		if (!(n = node_add(l, NODE_GROUP)))
			return -ENOMEM;
		n->group = i;
		for (size_t k = 0; k < g->ndevs; k++) {
			const struct pci_device *d = &h->pci[g->devs[k]];
			if (!n->anchor || d->nparents < n->anchor->nparents)
				n->anchor = d;
		}
		if (n->anchor)
			n->key = n->anchor->addr;
		else
			n->key = (struct pci_addr){ .domain = UINT32_MAX, .bus = 0xff, .dev = 0xff, .fn = 0xff };
		if (isolation_assess(h, g, NULL, &a) < 0)
			return -ENOMEM;
		n->verdict = a.verdict;
		group_assessment_clear(&a);
		node_of[i] = (ssize_t)(l->n - 1);
	}
	ngroups_nodes = l->n;
	/* A group's parent: the drawn group of the nearest bridge above its
	 * anchor whose own anchor lies higher (so that no loop can form, even
	 * from a tree whose paths disagree); else its root bus. */
	for (size_t i = 0; i < ngroups_nodes; i++) {
		struct node *n = &l->v[i];
		if (!n->anchor)
			continue;
		for (size_t k = n->anchor->nparents; k-- > 0 && n->parent < 0;) {
			const struct pci_device *b = host_find_pci(h, &n->anchor->parents[k]);
			int gi = b && b->iommu_group >= 0 ? group_index(h, b->iommu_group) : -1;
			if (gi < 0 || node_of[gi] < 0 || (size_t)node_of[gi] == i)
				continue;
			const struct node *p = &l->v[node_of[gi]];
			if (p->anchor && p->anchor->nparents < n->anchor->nparents)
				n->parent = node_of[gi];
		}
	}
	for (size_t i = 0; i < ngroups_nodes; i++) {
		struct pci_addr bus;
		ssize_t found = -1;
		struct node *b;

		if (l->v[i].parent >= 0 || !l->v[i].anchor)
			continue;
		bus = l->v[i].anchor->nparents ? l->v[i].anchor->parents[0] : l->v[i].anchor->addr;
		bus.dev = bus.fn = 0;
		for (size_t k = ngroups_nodes; k < l->n && found < 0; k++)
			if (cmp_key(&l->v[k].key, &bus) == 0)
				found = (ssize_t)k;
		if (found < 0) {
			if (!(b = node_add(l, NODE_BUS)))
				return -ENOMEM;
			b->key = bus;
			found = (ssize_t)(l->n - 1);
		}
		l->v[i].parent = found;
	}
	for (size_t i = 0; i < h->npci && !ungrouped; i++)
		ungrouped = h->pci[i].iommu_group < 0 && (!f || !f->show_ungrouped || f->show_ungrouped[i]);
	if (ungrouped) {
		struct node *n = node_add(l, NODE_UNGROUPED);
		if (!n)
			return -ENOMEM;
		n->key = (struct pci_addr){ .domain = UINT32_MAX, .bus = 0xff, .dev = 0xff, .fn = 0xff };
	}
	return 0;
}

/* Children of parent (-1: the top) in their order, appended to the
 * preorder depth first. Depth is bounded: a child's anchor lies deeper
 * than its parent's. */
static int walk(struct layout *l, ssize_t parent, int depth)
{
	for (;;) {
		ssize_t next = -1;
		/* The smallest child not yet placed: nodes are few (a group each). */
		for (size_t i = 0; i < l->n; i++) {
			const struct node *c = &l->v[i];
			if (c->parent != parent || c->depth >= 0)
				continue;
			if (next < 0 || cmp_key(&c->key, &l->v[next].key) < 0 ||
			    (cmp_key(&c->key, &l->v[next].key) == 0 && c->kind < l->v[next].kind))
				next = (ssize_t)i;
		}
		if (next < 0)
			return 0;
		l->v[next].depth = depth;
		l->order[l->norder++] = next;
		if (walk(l, next, depth + 1) < 0)
			return -ENOMEM;
	}
}

static int layout_text(const struct host *h, const struct svg_groups_filter *f, struct layout *l)
{
	for (size_t i = 0; i < l->n; i++) {
		struct node *n = &l->v[i];
		char bus[PCI_ADDR_STRLEN];

		switch (n->kind) {
		case NODE_BUS:
			format_pci_addr(&n->key, bus);
			bus[strlen(bus) - 5] = '\0'; /* "0000:00" */
			if (line_add(n, LINE_HEADER, "PCI root bus %s", bus) < 0)
				return -ENOMEM;
			break;
		case NODE_GROUP: {
			const struct iommu_group *g = &h->groups[n->group];
			if (line_add(n, LINE_HEADER, "group %d: %s", g->number, verdict_word(n)) < 0)
				return -ENOMEM;
			for (size_t k = 0; k < g->ndevs; k++)
				if (device_lines(n, &h->pci[g->devs[k]]) < 0)
					return -ENOMEM;
			for (size_t k = 0; k < g->missing.n; k++) {
				_cleanup_free_ char *m = svg_fit_text(g->missing.v[k]);
				if (!m ||
				    line_add(n, LINE_MISSING, "%s: listed in the group, not in /sys/bus/pci", m) < 0)
					return -ENOMEM;
			}
			break;
		}
		case NODE_UNGROUPED:
			if (line_add(n, LINE_HEADER, "no IOMMU group (the IOMMU is off or does not cover them)") < 0)
				return -ENOMEM;
			for (size_t k = 0; k < h->npci; k++)
				if (h->pci[k].iommu_group < 0 && (!f || !f->show_ungrouped || f->show_ungrouped[k]) &&
				    device_lines(n, &h->pci[k]) < 0)
					return -ENOMEM;
			break;
		}
	}
	return 0;
}

static void layout_place(struct layout *l)
{
	int y = TREE_TOP;

	l->width = 640;
	for (size_t o = 0; o < l->norder; o++) {
		struct node *n = &l->v[l->order[o]];
		int text = 0;

		for (size_t k = 0; k < n->nlines; k++)
			if (text_px(n->lines[k].text) > text)
				text = text_px(n->lines[k].text);
		n->x = MARGIN + n->depth * INDENT;
		n->y = y;
		if (n->kind == NODE_BUS) {
			n->w = text;
			n->h = BUS_H;
		} else {
			n->w = STRIPE + 2 * PAD + text;
			n->h = HEADER_H + (int)(n->nlines - 1) * LINE_H + PAD;
		}
		y += n->h + GAP;
		if (n->x + n->w + MARGIN > l->width)
			l->width = n->x + n->w + MARGIN;
	}
	l->height = y + MARGIN;
}

static xmlNodePtr el(xmlNodePtr parent, xmlNsPtr ns, const char *name, const char *text)
{
	return sym_xmlNewTextChild(parent, ns, BAD_CAST name, text ? BAD_CAST text : NULL);
}

/* Attributes as name, printf format, ... pairs would hide the types: one at a time. */
#define ATTR(n, name, ...) ok &= xml_attrf_ok(n, name, __VA_ARGS__)
static bool xml_attrf_ok(xmlNodePtr n, const char *name, const char *fmt, ...) _printf_(3, 4);
static bool xml_attrf_ok(xmlNodePtr n, const char *name, const char *fmt, ...)
{
	_cleanup_free_ char *v = NULL;
	va_list ap;
	int k;

	if (!n)
		return false;
	va_start(ap, fmt);
	k = vasprintf(&v, fmt, ap);
	va_end(ap);
	return k >= 0 && sym_xmlSetProp(n, BAD_CAST name, BAD_CAST v) != NULL;
}

static bool draw_patterns(xmlNodePtr defs, xmlNsPtr ns)
{
	static const struct {
		const char *id, *fill, *d, *stroke;
	} pats[] = {
		{ "vk-isolated", "#d8f0d8", NULL, "#1b5e20" }, /* dots */
		{ "vk-with-root-port", "#dbe7f7", "M-2,2 L2,-2 M0,8 L8,0 M6,10 L10,6", "#0d47a1" },
		{ "vk-shared", "#fbe0d4", "M0,0 L8,8 M8,0 L0,8", "#b71c1c" },
		{ "vk-bridges-only", "#ebebeb", "M0,4 H8", "#555555" },
		{ "vk-no-group", "#ffffff", "M4,0 V8", "#888888" },
	};
	bool ok = true;

	for (size_t i = 0; i < ARRAY_SIZE(pats); i++) {
		xmlNodePtr p = el(defs, ns, "pattern", NULL), r, m;
		ATTR(p, "id", "%s", pats[i].id);
		ATTR(p, "width", "8");
		ATTR(p, "height", "8");
		ATTR(p, "patternUnits", "userSpaceOnUse");
		r = el(p, ns, "rect", NULL);
		ATTR(r, "width", "8");
		ATTR(r, "height", "8");
		ATTR(r, "fill", "%s", pats[i].fill);
		if (pats[i].d) {
			m = el(p, ns, "path", NULL);
			ATTR(m, "d", "%s", pats[i].d);
			ATTR(m, "stroke", "%s", pats[i].stroke);
			ATTR(m, "stroke-width", "1.5");
		} else {
			m = el(p, ns, "circle", NULL);
			ATTR(m, "cx", "4");
			ATTR(m, "cy", "4");
			ATTR(m, "r", "1.6");
			ATTR(m, "fill", "%s", pats[i].stroke);
		}
	}
	return ok;
}

static bool draw_legend(xmlNodePtr svg, xmlNsPtr ns, const char *title)
{
	static const char *const words[][2] = {
		{ "vk-isolated", "isolated" },       { "vk-with-root-port", "with-root-port" },
		{ "vk-shared", "shared" },           { "vk-bridges-only", "bridges-only" },
		{ "vk-no-group", "no IOMMU group" },
	};
	xmlNodePtr t = el(svg, ns, "text", title), g = el(svg, ns, "g", NULL);
	bool ok = true;
	int x = MARGIN;

	ATTR(t, "x", "%d", MARGIN);
	ATTR(t, "y", "26");
	ATTR(t, "font-size", "16");
	ATTR(t, "font-weight", "bold");
	ATTR(g, "id", "legend");
	for (size_t i = 0; i < ARRAY_SIZE(words); i++) {
		xmlNodePtr r = el(g, ns, "rect", NULL), w = el(g, ns, "text", words[i][1]);
		ATTR(r, "x", "%d", x);
		ATTR(r, "y", "42");
		ATTR(r, "width", "28");
		ATTR(r, "height", "16");
		ATTR(r, "fill", "url(#%s)", words[i][0]);
		ATTR(r, "stroke", "#333333");
		ATTR(w, "x", "%d", x + 34);
		ATTR(w, "y", "54");
		x += 34 + text_px(words[i][1]) + 18;
	}
	return ok;
}

static bool draw_node(xmlNodePtr svg, xmlNsPtr ns, const struct host *h, const struct node *n)
{
	xmlNodePtr g = el(svg, ns, "g", NULL), r, s;
	bool ok = true;

	if (n->kind == NODE_BUS) {
		xmlNodePtr t = el(g, ns, "text", n->lines[0].text);
		ATTR(g, "class", "bus");
		ATTR(t, "x", "%d", n->x);
		ATTR(t, "y", "%d", n->y + 14);
		ATTR(t, "font-weight", "bold");
		return ok;
	}
	if (n->kind == NODE_GROUP) {
		ATTR(g, "id", "group-%d", h->groups[n->group].number);
		ATTR(g, "class", "group");
	} else
		ATTR(g, "id", "no-group");
	r = el(g, ns, "rect", NULL);
	ATTR(r, "x", "%d", n->x);
	ATTR(r, "y", "%d", n->y);
	ATTR(r, "width", "%d", n->w);
	ATTR(r, "height", "%d", n->h);
	ATTR(r, "fill", "#ffffff");
	ATTR(r, "stroke", "#333333");
	/* The verdict's pattern, with its word for a reader that shows none. */
	s = el(g, ns, "rect", NULL);
	ATTR(s, "x", "%d", n->x);
	ATTR(s, "y", "%d", n->y);
	ATTR(s, "width", "%d", STRIPE);
	ATTR(s, "height", "%d", n->h);
	ATTR(s, "fill", "url(#%s)", pattern_id(n));
	ATTR(s, "stroke", "#333333");
	ok &= el(s, ns, "title", verdict_word(n)) != NULL;
	for (size_t k = 0; k < n->nlines; k++) {
		xmlNodePtr t = el(g, ns, "text", n->lines[k].text);
		ATTR(t, "x", "%d", n->x + STRIPE + PAD);
		ATTR(t, "y", "%d", k == 0 ? n->y + 15 : n->y + HEADER_H + (int)k * LINE_H - 4);
		if (n->lines[k].style == LINE_HEADER)
			ATTR(t, "font-weight", "bold");
		else if (n->lines[k].style != LINE_DEVICE)
			ATTR(t, "fill", "#444444");
	}
	return ok;
}

/* The tree's lines: from below the parent's stripe down to the child's header. */
static bool draw_links(xmlNodePtr svg, xmlNsPtr ns, const struct layout *l)
{
	xmlNodePtr g = el(svg, ns, "g", NULL);
	bool ok = true;

	ATTR(g, "id", "tree");
	ATTR(g, "fill", "none");
	ATTR(g, "stroke", "#777777");
	for (size_t o = 0; o < l->norder; o++) {
		const struct node *c = &l->v[l->order[o]];
		if (c->parent < 0)
			continue;
		const struct node *p = &l->v[c->parent];
		xmlNodePtr d = el(g, ns, "path", NULL);
		ATTR(d, "d", "M%d,%d V%d H%d", p->x + STRIPE / 2, p->y + p->h, c->y + 11, c->x);
	}
	return ok;
}

xmlNodePtr svg_groups_node(const struct host *h, const struct svg_groups_filter *f, xmlDocPtr doc)
{
	struct layout l = { 0 };
	xmlNodePtr svg = NULL, defs;
	xmlNsPtr ns;
	_cleanup_free_ char *host = NULL, *title = NULL;
	bool ok = true;

	/* doc is libxml2's, loaded already; this guards a NULL one. */
	if (!doc)
		return NULL;
	if (layout_tree(h, f, &l) < 0 || !(l.order = calloc(l.n ? l.n : 1, sizeof(*l.order))))
		goto fail;
	for (size_t i = 0; i < l.n; i++)
		l.v[i].depth = -1;
	if (walk(&l, -1, 0) < 0 || layout_text(h, f, &l) < 0)
		goto fail;
	layout_place(&l);
	if (!(host = svg_fit_text(h->sys.hostname ? h->sys.hostname : "this machine")) ||
	    !(title = strdupf("IOMMU groups of %s, in their PCIe tree", host)))
		goto fail;

	svg = sym_xmlNewDocNode(doc, NULL, BAD_CAST "svg", NULL);
	ns = svg ? sym_xmlNewNs(svg, BAD_CAST SVG_NS, NULL) : NULL;
	if (!ns)
		goto fail;
	sym_xmlSetNs(svg, ns);
	ATTR(svg, "width", "%d", l.width);
	ATTR(svg, "height", "%d", l.height);
	ATTR(svg, "viewBox", "0 0 %d %d", l.width, l.height);
	ATTR(svg, "role", "img");
	ATTR(svg, "aria-labelledby", "vk-title");
	ATTR(svg, "font-family", "monospace");
	ATTR(svg, "font-size", "12");
	ATTR(el(svg, ns, "title", title), "id", "vk-title");
	ok &= el(svg, ns, "desc",
		 "Each box is an IOMMU group, below the group of the bridge above it. The verdict is its word "
		 "and the pattern of the box's left stripe: dots isolated, diagonal lines with-root-port, "
		 "crossed lines shared, horizontal lines bridges-only, vertical lines no IOMMU group.") != NULL;
	defs = el(svg, ns, "defs", NULL);
	ok &= defs && draw_patterns(defs, ns);
	ok &= draw_legend(svg, ns, title);
	ok &= draw_links(svg, ns, &l);
	for (size_t o = 0; o < l.norder && ok; o++)
		ok &= draw_node(svg, ns, h, &l.v[l.order[o]]);
	if (!ok)
		goto fail;
	layout_free(&l);
	return svg;
fail:
	if (svg)
		sym_xmlFreeNode(svg);
	layout_free(&l);
	return NULL;
}

char *svg_groups_text(const struct host *h, const struct svg_groups_filter *f)
{
	/* Its callers have loaded libxml2 (groups --format svg, saying why
	 * not); NULL as on ENOMEM where none did. */
	xmlDocPtr doc = libxml_load(NULL) < 0 ? NULL : sym_xmlNewDoc(BAD_CAST "1.0");
	xmlNodePtr svg = doc ? svg_groups_node(h, f, doc) : NULL;
	xmlChar *mem = NULL;
	char *out = NULL;
	int len = 0;

	if (svg) {
		sym_xmlDocSetRootElement(doc, svg);
		sym_xmlDocDumpFormatMemoryEnc(doc, &mem, &len, "UTF-8", 1);
		if (mem)
			out = strdup((const char *)mem);
		libxml_free(mem);
	}
	if (doc)
		sym_xmlFreeDoc(doc);
	return out;
}
