/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The inventory as a JSON document through json-c (docs/inventory.md: every
 * member, always present, null when unknown, so that readers need not
 * guess whether a member was left out or is unknown). */
#include <json-c/json.h>
#include <stdarg.h>

#include "emit/inventory.h"

static json_object *str_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static json_object *int_or_null(int v)
{
	return v >= 0 ? json_object_new_int(v) : NULL;
}

_printf_(1, 2) static json_object *fmt_string(const char *fmt, ...)
{
	char buf[32];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return json_object_new_string(buf);
}

static json_object *strv_array(const struct strv *v)
{
	json_object *a = json_object_new_array();

	for (size_t i = 0; a && i < v->n; i++)
		json_object_array_add(a, json_object_new_string(v->v[i]));
	return a;
}

/* Add a member; json_object_object_add takes the value (NULL is null). */
#define ADD(o, k, v) json_object_object_add(o, k, v)

static json_object *device_json(const struct inv_device *d)
{
	json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	ADD(o, "address", json_object_new_string(d->addr));
	ADD(o, "id", fmt_string("%04x:%04x", d->vendor, d->device));
	ADD(o, "subsystem_id", d->has_subsys ? fmt_string("%04x:%04x", d->subvendor, d->subdevice) : NULL);
	ADD(o, "class", fmt_string("%06x", d->class));
	ADD(o, "vendor_name", str_or_null(d->vendor_name));
	ADD(o, "device_name", str_or_null(d->device_name));
	ADD(o, "class_name", str_or_null(d->class_name));
	ADD(o, "role", json_object_new_string(d->role));
	ADD(o, "driver", str_or_null(d->driver));
	ADD(o, "iommu_group", int_or_null(d->group));
	ADD(o, "reset", json_object_new_boolean(d->has_reset));
	ADD(o, "reset_methods", str_or_null(d->reset));
	ADD(o, "host_use", strv_array(&d->host_use));
	ADD(o, "bound_from", str_or_null(d->bound_from));
	ADD(o, "numa_node", int_or_null(d->numa_node));
	ADD(o, "slot", str_or_null(d->slot));
	ADD(o, "label", str_or_null(d->label));
	ADD(o, "topology", json_object_new_string(d->topology));
	ADD(o, "link_speed", str_or_null(d->link_speed));
	ADD(o, "link_width", int_or_null(d->link_width));
	return o;
}

static json_object *group_json(const struct inv_group *g)
{
	json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	ADD(o, "number", json_object_new_int(g->number));
	ADD(o, "verdict", json_object_new_string(g->verdict));
	ADD(o, "devices", strv_array(&g->devices));
	ADD(o, "missing", strv_array(&g->missing));
	return o;
}

int inventory_to_json(const struct inventory *inv, char **ret)
{
	json_object *root = json_object_new_object(), *o, *a;
	const char *text;
	int r = -ENOMEM;

	if (!root)
		return -ENOMEM;
	ADD(root, "schema", json_object_new_string(INVENTORY_SCHEMA));
	o = json_object_new_object();
	ADD(root, "host", o);
	if (o) {
		ADD(o, "hostname", str_or_null(inv->hostname));
		ADD(o, "use_unknown", strv_array(&inv->use_unknown));
	}
	o = json_object_new_object();
	ADD(root, "kernel", o);
	if (o) {
		ADD(o, "release", str_or_null(inv->kernel));
		ADD(o, "cmdline", str_or_null(inv->cmdline));
	}
	o = json_object_new_object();
	ADD(root, "iommu", o);
	if (o) {
		ADD(o, "kind", json_object_new_string(inv->iommu_kind));
		ADD(o, "groups_dir", json_object_new_boolean(inv->groups_dir));
		ADD(o, "interrupt_remapping", inv->ir >= 0 ? json_object_new_boolean(inv->ir) : NULL);
	}
	o = json_object_new_object();
	ADD(root, "cpu", o);
	if (o) {
		ADD(o, "vendor", str_or_null(inv->cpu_vendor));
		ADD(o, "model", str_or_null(inv->cpu_model));
		ADD(o, "online", int_or_null(inv->cpus_online));
		ADD(o, "cores", int_or_null(inv->cores));
		ADD(o, "l3_domains", int_or_null(inv->l3_domains));
		ADD(o, "packages", int_or_null(inv->packages));
		ADD(o, "numa_nodes", int_or_null(inv->numa_nodes));
	}
	a = json_object_new_array();
	ADD(root, "devices", a);
	for (size_t i = 0; a && i < inv->ndevs; i++)
		if (json_object_array_add(a, device_json(&inv->devs[i])) < 0)
			goto out;
	a = json_object_new_array();
	ADD(root, "groups", a);
	for (size_t i = 0; a && i < inv->ngroups; i++)
		if (json_object_array_add(a, group_json(&inv->groups[i])) < 0)
			goto out;
	text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
							    JSON_C_TO_STRING_NOSLASHESCAPE);
	if (text && (*ret = strdupf("%s\n", text)))
		r = 0;
out:
	json_object_put(root);
	return r;
}
