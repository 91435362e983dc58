/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The host inventory: from the host model, or parsed from a document
 * (docs/inventory.md). */
#include <json-c/json.h>
#include <stdarg.h>
#include <stddef.h>

#include "plan/inventory.h"
#include "plan/isolation.h"
#include "shared/escape.h"

static const char *const role_names[] = { "endpoint", "bridge", "root-port", "host-bridge" };

static void inv_device_clear(struct inv_device *d)
{
	free(d->vendor_name);
	free(d->device_name);
	free(d->class_name);
	free(d->driver);
	free(d->role);
	free(d->reset);
	strv_clear(&d->host_use);
	free(d->bound_from);
	free(d->slot);
	free(d->label);
	free(d->topology);
	free(d->link_speed);
}

void inventory_clear(struct inventory *inv)
{
	for (size_t i = 0; i < inv->ndevs; i++)
		inv_device_clear(&inv->devs[i]);
	free(inv->devs);
	for (size_t i = 0; i < inv->ngroups; i++) {
		free(inv->groups[i].verdict);
		strv_clear(&inv->groups[i].devices);
		strv_clear(&inv->groups[i].missing);
	}
	free(inv->groups);
	free(inv->hostname);
	strv_clear(&inv->use_unknown);
	free(inv->kernel);
	free(inv->cmdline);
	free(inv->iommu_kind);
	free(inv->cpu_vendor);
	free(inv->cpu_model);
	*inv = (struct inventory){ 0 };
}

/* strdup that keeps NULL; *ok turns false on ENOMEM. */
static char *dup_or_null(const char *s, bool *ok)
{
	char *r = s ? strdup(s) : NULL;

	if (s && !r)
		*ok = false;
	return r;
}

/* The path from the root bus down, by device.function only: bus numbers
 * below a root bus are handed out at enumeration and change when a card
 * upstream appears or goes (NOTES.md, Proxmox), the chain of ports does not. */
static char *topology_path(const struct pci_device *d)
{
	const struct pci_addr *top = d->nparents ? &d->parents[0] : &d->addr;
	char *s = strdupf("%04x:%02x", top->domain, top->bus);

	for (size_t i = 0; s && i <= d->nparents; i++) {
		const struct pci_addr *a = i < d->nparents ? &d->parents[i] : &d->addr;
		char *n = strdupf("%s/%02x.%x", s, a->dev, a->fn);
		free(s);
		s = n;
	}
	return s;
}

static int device_from_host(const struct pci_device *d, struct inv_device *o)
{
	bool ok = true;

	*o = (struct inv_device){ .a = d->addr,
				  .vendor = d->vendor,
				  .device = d->device,
				  .subvendor = d->subvendor,
				  .subdevice = d->subdevice,
				  .has_subsys = d->has_subsys,
				  .class = d->class,
				  .group = d->iommu_group,
				  .has_reset = d->has_reset,
				  .numa_node = d->numa_node,
				  .link_width = d->link_width };
	memcpy(o->addr, d->name, sizeof(o->addr));
	o->vendor_name = dup_or_null(d->vendor_name, &ok);
	o->device_name = dup_or_null(d->device_name, &ok);
	o->class_name = dup_or_null(d->class_name, &ok);
	o->driver = dup_or_null(d->driver, &ok);
	o->role = dup_or_null(role_names[d->role], &ok);
	o->reset = dup_or_null(d->reset_method && *d->reset_method ? d->reset_method : NULL, &ok);
	o->bound_from = d->bound ? dup_or_null(*d->bound->driver ? d->bound->driver : "none", &ok) : NULL;
	o->slot = dup_or_null(d->slot, &ok);
	o->label = dup_or_null(d->label, &ok);
	o->link_speed = dup_or_null(d->link_speed, &ok);
	o->topology = topology_path(d);
	for (size_t i = 0; ok && i < d->nuses; i++)
		ok = strv_push_take(&o->host_use,
				    strdupf("%s: %s", pci_use_kind_name(d->uses[i].kind), d->uses[i].what)) >= 0;
	return ok && o->topology ? 0 : -ENOMEM;
}

static int group_from_host(const struct host *h, const struct iommu_group *g, struct inv_group *o)
{
	struct group_assessment a;
	int k;

	o->number = g->number;
	if ((k = isolation_assess(h, g, NULL, &a)) < 0)
		return k;
	o->verdict = strdup(group_verdict_name(a.verdict));
	group_assessment_clear(&a);
	if (!o->verdict)
		return -ENOMEM;
	for (size_t i = 0; i < g->ndevs; i++)
		if (strv_push(&o->devices, h->pci[g->devs[i]].name) < 0)
			return -ENOMEM;
	for (size_t i = 0; i < g->missing.n; i++)
		if (strv_push(&o->missing, g->missing.v[i]) < 0)
			return -ENOMEM;
	return 0;
}

static const char *iommu_kind_name(enum iommu_kind k)
{
	static const char *const names[] = { "unread", "none", "both", "intel", "amd" };

	return names[k];
}

/* How many distinct values of a field the online CPUs have; -1 if one is unknown. */
static int count_distinct(const struct cpu_topology *t, size_t off)
{
	int seen[64], n = 0;

	for (size_t i = 0; i < t->ncpus; i++) {
		int v = *(const int *)((const char *)&t->cpus[i] + off);
		bool dup = false;
		if (!t->cpus[i].online)
			continue;
		if (v < 0)
			return -1;
		for (int j = 0; j < n; j++)
			dup |= seen[j] == v;
		if (!dup) {
			if (n == (int)ARRAY_SIZE(seen))
				return -1;
			seen[n++] = v;
		}
	}
	return t->ncpus ? n : -1;
}

int inventory_from_host(const struct host *h, struct inventory *ret)
{
	struct inventory inv = { .ir = h->iommu.ir_active, .groups_dir = h->iommu.groups_dir };
	bool ok = true;
	int k = -ENOMEM;

	inv.hostname = dup_or_null(h->sys.hostname, &ok);
	for (unsigned u = 0; ok && u < ARRAY_SIZE(h->usage_unknown); u++)
		if (h->usage_unknown[u])
			ok = strv_push_take(&inv.use_unknown, strdupf("%s: %s", pci_use_kind_name((enum pci_use_kind)u),
								      h->usage_unknown[u])) >= 0;
	inv.kernel = dup_or_null(h->kernel.release, &ok);
	inv.cmdline = dup_or_null(h->kernel.cmdline_raw, &ok);
	inv.iommu_kind = dup_or_null(iommu_kind_name(host_iommu_kind(h)), &ok);
	inv.cpu_vendor = dup_or_null(h->cpu.vendor_id, &ok);
	inv.cpu_model = dup_or_null(h->cpu.model_name, &ok);
	inv.cpus_online = h->topo.ncpus ? (int)cpuset_count(&h->topo.online) : -1;
	inv.cores = h->topo.ncpus ? (int)h->topo.ncores : -1;
	inv.l3_domains = h->topo.ncpus && !h->topo.l3_guessed ? (int)h->topo.nl3s : -1;
	inv.packages = count_distinct(&h->topo, offsetof(struct cpu_info, package));
	inv.numa_nodes = count_distinct(&h->topo, offsetof(struct cpu_info, node));
	if (!ok)
		goto fail;
	inv.devs = calloc(h->npci ? h->npci : 1, sizeof(*inv.devs));
	inv.groups = calloc(h->ngroups ? h->ngroups : 1, sizeof(*inv.groups));
	if (!inv.devs || !inv.groups)
		goto fail;
	for (size_t i = 0; i < h->npci; i++) {
		inv.ndevs++;
		if ((k = device_from_host(&h->pci[i], &inv.devs[i])) < 0)
			goto fail;
	}
	for (size_t i = 0; i < h->ngroups; i++) {
		inv.ngroups++;
		if ((k = group_from_host(h, &h->groups[i], &inv.groups[i])) < 0)
			goto fail;
	}
	*ret = inv;
	return 0;
fail:
	inventory_clear(&inv);
	return k < 0 ? k : -ENOMEM;
}

const struct inv_device *inventory_find(const struct inventory *inv, const struct pci_addr *a)
{
	for (size_t i = 0; i < inv->ndevs; i++)
		if (pci_addr_cmp(&inv->devs[i].a, a) == 0)
			return &inv->devs[i];
	return NULL;
}

const struct inv_device *inventory_find_topology(const struct inventory *inv, const char *topology)
{
	for (size_t i = 0; i < inv->ndevs; i++)
		if (inv->devs[i].topology && streq(inv->devs[i].topology, topology))
			return &inv->devs[i];
	return NULL;
}

const struct inv_group *inventory_find_group(const struct inventory *inv, int number)
{
	for (size_t i = 0; i < inv->ngroups; i++)
		if (inv->groups[i].number == number)
			return &inv->groups[i];
	return NULL;
}

/* Parsing. Every member is checked for its type; a member that is absent
 * or null where the schema allows null is left unknown. The first problem
 * ends the parse with *err naming the member. */
struct parser {
	char *err;
	bool oom;
};

_printf_(2, 3) static void fail(struct parser *p, const char *fmt, ...)
{
	va_list ap;

	if (p->err || p->oom)
		return;
	va_start(ap, fmt);
	if (vasprintf(&p->err, fmt, ap) < 0) {
		p->err = NULL;
		p->oom = true;
	}
	va_end(ap);
}

static bool failed(const struct parser *p)
{
	return p->err || p->oom;
}

/* A member of type t; NULL when absent or null (then required fails). */
static json_object *get(struct parser *p, json_object *o, const char *where, const char *key, json_type t,
			bool required)
{
	json_object *v = NULL;

	if (failed(p))
		return NULL;
	if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null)) {
		if (required)
			fail(p, "%s: \"%s\" is missing", where, key);
		return NULL;
	}
	if (!json_object_is_type(v, t)) {
		fail(p, "%s: \"%s\" is not %s", where, key, json_type_to_name(t));
		return NULL;
	}
	return v;
}

/* A string member: an identifier (address, driver, role...) must be UTF-8
 * without control characters; free text (names, the command line) only
 * without NUL bytes, as every message escapes it (cli_error) and no
 * export writes it but through a sanitizer. */
static char *get_str(struct parser *p, json_object *o, const char *where, const char *key, bool required, bool text)
{
	json_object *v = get(p, o, where, key, json_type_string, required);
	const char *s;
	char *r;

	if (!v)
		return NULL;
	s = json_object_get_string(v);
	if (strlen(s) != (size_t)json_object_get_string_len(v)) {
		fail(p, "%s: \"%s\" holds a NUL byte", where, key);
		return NULL;
	}
	if (!text && text_unfit_reason(s)) {
		fail(p, "%s: \"%s\" %s", where, key, text_unfit_reason(s));
		return NULL;
	}
	if (!(r = strdup(s)))
		p->oom = true;
	return r;
}

static char *get_string(struct parser *p, json_object *o, const char *where, const char *key, bool required)
{
	return get_str(p, o, where, key, required, false);
}

static char *get_text(struct parser *p, json_object *o, const char *where, const char *key)
{
	return get_str(p, o, where, key, false, true);
}

static int get_int(struct parser *p, json_object *o, const char *where, const char *key, long min, long max, int dflt)
{
	json_object *v = get(p, o, where, key, json_type_int, false);
	int64_t n;

	if (!v)
		return dflt;
	n = json_object_get_int64(v);
	if (n < min || n > max) {
		fail(p, "%s: \"%s\" is %lld, not from %ld to %ld", where, key, (long long)n, min, max);
		return dflt;
	}
	return (int)n;
}

/* "10de:13c2" */
static bool get_id_pair(struct parser *p, json_object *o, const char *where, const char *key, bool required,
			uint16_t *a, uint16_t *b)
{
	_cleanup_free_ char *s = get_string(p, o, where, key, required);
	uint32_t x, y;
	char *colon;

	if (!s)
		return false;
	colon = strchr(s, ':');
	if (!colon || colon - s != 4 || strlen(colon + 1) != 4)
		goto bad;
	*colon = '\0';
	if (parse_hex_u32(s, 0xffff, &x) < 0 || parse_hex_u32(colon + 1, 0xffff, &y) < 0)
		goto bad;
	*a = (uint16_t)x;
	*b = (uint16_t)y;
	return true;
bad:
	fail(p, "%s: \"%s\" is not VENDOR:DEVICE in hex (10de:13c2)", where, key);
	return false;
}

static void get_strv(struct parser *p, json_object *o, const char *where, const char *key, bool text, struct strv *ret)
{
	json_object *a = get(p, o, where, key, json_type_array, false);
	size_t n = a ? json_object_array_length(a) : 0;

	for (size_t i = 0; i < n && !failed(p); i++) {
		json_object *v = json_object_array_get_idx(a, i);
		const char *s = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
		if (!s || strlen(s) != (size_t)json_object_get_string_len(v) || (!text && text_unfit_reason(s)))
			fail(p, "%s: \"%s\"[%zu] is not a string of text", where, key, i);
		else if (strv_push(ret, s) < 0)
			p->oom = true;
	}
}

static void parse_device(struct parser *p, json_object *o, size_t idx, struct inv_device *d)
{
	char where[48];
	_cleanup_free_ char *addr = NULL, *cls = NULL;
	uint32_t c;

	snprintf(where, sizeof(where), "devices[%zu]", idx);
	d->group = d->numa_node = d->link_width = -1;
	if (!json_object_is_type(o, json_type_object)) {
		fail(p, "%s is not an object", where);
		return;
	}
	addr = get_string(p, o, where, "address", true);
	if (addr) {
		if (parse_pci_addr(addr, &d->a) < 0) {
			fail(p, "%s: \"address\" is not a PCI address (0000:06:00.0)", where);
			return;
		}
		format_pci_addr(&d->a, d->addr);
		snprintf(where, sizeof(where), "device %s", d->addr);
	}
	get_id_pair(p, o, where, "id", true, &d->vendor, &d->device);
	d->has_subsys = get_id_pair(p, o, where, "subsystem_id", false, &d->subvendor, &d->subdevice);
	cls = get_string(p, o, where, "class", true);
	if (cls && (strlen(cls) != 6 || parse_hex_u32(cls, 0xffffff, &c) < 0))
		fail(p, "%s: \"class\" is not 6 hex digits", where);
	else if (cls)
		d->class = c;
	d->vendor_name = get_text(p, o, where, "vendor_name");
	d->device_name = get_text(p, o, where, "device_name");
	d->class_name = get_text(p, o, where, "class_name");
	d->driver = get_string(p, o, where, "driver", false);
	d->group = get_int(p, o, where, "iommu_group", 0, INT32_MAX, -1);
	d->role = get_string(p, o, where, "role", true);
	d->reset = get_string(p, o, where, "reset_methods", false);
	{
		json_object *v = get(p, o, where, "reset", json_type_boolean, false);
		d->has_reset = v && json_object_get_boolean(v);
	}
	get_strv(p, o, where, "host_use", true, &d->host_use);
	d->bound_from = get_string(p, o, where, "bound_from", false);
	d->numa_node = get_int(p, o, where, "numa_node", -1, 65535, -1);
	d->slot = get_string(p, o, where, "slot", false);
	d->label = get_text(p, o, where, "label");
	d->topology = get_string(p, o, where, "topology", true);
	d->link_speed = get_text(p, o, where, "link_speed");
	d->link_width = get_int(p, o, where, "link_width", 0, 32, -1);
	if (!failed(p)) {
		bool known = false;
		for (size_t i = 0; i < ARRAY_SIZE(role_names); i++)
			known |= streq(d->role, role_names[i]);
		if (!known)
			fail(p, "%s: \"role\" is \"%s\", not endpoint, bridge, root-port or host-bridge", where,
			     d->role);
	}
}

static void parse_group(struct parser *p, json_object *o, size_t idx, struct inv_group *g)
{
	char where[32];

	snprintf(where, sizeof(where), "groups[%zu]", idx);
	if (!json_object_is_type(o, json_type_object)) {
		fail(p, "%s is not an object", where);
		return;
	}
	g->number = get_int(p, o, where, "number", 0, INT32_MAX, -1);
	if (g->number < 0)
		fail(p, "%s: \"number\" is missing", where);
	g->verdict = get_string(p, o, where, "verdict", true);
	get_strv(p, o, where, "devices", false, &g->devices);
	get_strv(p, o, where, "missing", false, &g->missing);
}

static void parse_root(struct parser *p, json_object *root, struct inventory *inv)
{
	json_object *host, *iommu, *cpu, *devs, *groups, *kernel;
	_cleanup_free_ char *schema = NULL;
	size_t n;

	if (!json_object_is_type(root, json_type_object)) {
		fail(p, "not a JSON object");
		return;
	}
	schema = get_string(p, root, "document", "schema", true);
	if (schema && !streq(schema, INVENTORY_SCHEMA)) {
		fail(p, "schema is \"%s\"; this vfiokit reads \"" INVENTORY_SCHEMA "\"", schema);
		return;
	}
	host = get(p, root, "document", "host", json_type_object, true);
	kernel = get(p, root, "document", "kernel", json_type_object, true);
	iommu = get(p, root, "document", "iommu", json_type_object, true);
	cpu = get(p, root, "document", "cpu", json_type_object, true);
	devs = get(p, root, "document", "devices", json_type_array, true);
	groups = get(p, root, "document", "groups", json_type_array, true);
	if (failed(p))
		return;
	inv->hostname = get_string(p, host, "host", "hostname", false);
	get_strv(p, host, "host", "use_unknown", true, &inv->use_unknown);
	if (inv->hostname && !hostname_is_valid(inv->hostname))
		fail(p, "host: \"hostname\" is not a host name (RFC 1123: letters, digits, '-', '.')");
	inv->kernel = get_text(p, kernel, "kernel", "release");
	inv->cmdline = get_text(p, kernel, "kernel", "cmdline");
	inv->iommu_kind = get_string(p, iommu, "iommu", "kind", true);
	{
		json_object *v = get(p, iommu, "iommu", "groups_dir", json_type_boolean, false);
		inv->groups_dir = v && json_object_get_boolean(v);
		v = get(p, iommu, "iommu", "interrupt_remapping", json_type_boolean, false);
		inv->ir = v ? json_object_get_boolean(v) : -1;
	}
	inv->cpu_vendor = get_text(p, cpu, "cpu", "vendor");
	inv->cpu_model = get_text(p, cpu, "cpu", "model");
	inv->cpus_online = get_int(p, cpu, "cpu", "online", 0, 1 << 20, -1);
	inv->cores = get_int(p, cpu, "cpu", "cores", 0, 1 << 20, -1);
	inv->l3_domains = get_int(p, cpu, "cpu", "l3_domains", 0, 1 << 20, -1);
	inv->packages = get_int(p, cpu, "cpu", "packages", 0, 1 << 20, -1);
	inv->numa_nodes = get_int(p, cpu, "cpu", "numa_nodes", 0, 1 << 20, -1);
	if (failed(p))
		return;
	n = json_object_array_length(devs);
	if (n > INVENTORY_MAX_DEVICES || json_object_array_length(groups) > INVENTORY_MAX_DEVICES) {
		fail(p, "more than %u devices or groups: not one host", INVENTORY_MAX_DEVICES);
		return;
	}
	inv->devs = calloc(n ? n : 1, sizeof(*inv->devs));
	if (!inv->devs) {
		p->oom = true;
		return;
	}
	for (size_t i = 0; i < n && !failed(p); i++) {
		inv->ndevs++;
		parse_device(p, json_object_array_get_idx(devs, i), i, &inv->devs[i]);
		for (size_t j = 0; j < i && !failed(p); j++)
			if (pci_addr_cmp(&inv->devs[j].a, &inv->devs[i].a) == 0)
				fail(p, "device %s is listed twice", inv->devs[i].addr);
	}
	n = json_object_array_length(groups);
	inv->groups = calloc(n ? n : 1, sizeof(*inv->groups));
	if (!inv->groups) {
		p->oom = true;
		return;
	}
	for (size_t i = 0; i < n && !failed(p); i++) {
		inv->ngroups++;
		parse_group(p, json_object_array_get_idx(groups, i), i, &inv->groups[i]);
		for (size_t j = 0; j < i && !failed(p); j++)
			if (inv->groups[j].number == inv->groups[i].number)
				fail(p, "group %d is listed twice", inv->groups[i].number);
	}
}

int inventory_parse(const char *buf, size_t len, struct inventory *ret, struct error *err)
{
	struct parser p = { 0 };
	struct json_tokener *tok;
	json_object *root;

	*ret = (struct inventory){ 0 };
	if (len > INVENTORY_MAX_SIZE)
		return error_take(err, -EINVAL, ERROR_FAILED,
				  strdup("larger than 16 MiB; one from 'vfiokit inventory -J' is some kB"));
	tok = json_tokener_new_ex(32); /* the schema nests 4 deep */
	if (!tok)
		return -ENOMEM;
	root = json_tokener_parse_ex(tok, buf, (int)len);
	if (!root || json_tokener_get_error(tok) != json_tokener_success ||
	    (size_t)json_tokener_get_parse_end(tok) != len) {
		/* Whitespace after the document is fine; anything else is not. */
		size_t end = root ? json_tokener_get_parse_end(tok) : 0;
		while (root && end < len && strchr(" \t\r\n", buf[end]) && buf[end])
			end++;
		if (!root || json_tokener_get_error(tok) != json_tokener_success || end != len) {
			enum json_tokener_error e = json_tokener_get_error(tok);
			fail(&p, "not JSON: %s",
			     root                       ? "bytes after the document" :
			     e == json_tokener_continue ? "the document ends early" :
							  json_tokener_error_desc(e));
			goto out;
		}
	}
	parse_root(&p, root, ret);
out:
	json_object_put(root);
	json_tokener_free(tok);
	if (p.oom) {
		free(p.err);
		inventory_clear(ret);
		return -ENOMEM;
	}
	if (p.err) {
		inventory_clear(ret);
		return error_take(err, -EINVAL, ERROR_FAILED, p.err);
	}
	return 0;
}
