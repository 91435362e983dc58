/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Exports for the engines that run fleets, from inventories. The forms are
 * the engines' documented ones (shared/corpus/fleet/NOTES.md): Nova's
 * [pci] device_spec and alias, KubeVirt's and HyperConverged's
 * permittedHostDevices, Proxmox VE's /etc/pve/mapping/pci.cfg and its
 * pvesh line, Incus's `incus config device add`. None of these engines
 * checks IOMMU groups or host use, so what they would get wrong is refused
 * here, with the reason.
 */
#include <ctype.h>
#include <json-c/json.h>
#include <stdarg.h>

#include "emit/inventory.h"
#include "plan/isolation.h"

static const char *const format_names[] = {
	[EXPORT_KUBEVIRT] = "kubevirt",       [EXPORT_HCO] = "hco",     [EXPORT_NOVA] = "nova",
	[EXPORT_PROXMOX] = "proxmox-mapping", [EXPORT_INCUS] = "incus",
};

int export_format_from_name(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(format_names); i++)
		if (streq(name, format_names[i]))
			return (int)i;
	return -EINVAL;
}

char *export_resource_name(const char *device_name)
{
	char *r = malloc(strlen(device_name) + 1), *o = r;

	if (!r)
		return NULL;
	for (const char *p = device_name; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (isspace(c)) {
			if (o == r || o[-1] != '_' || !isspace((unsigned char)p[-1]))
				*o++ = '_';
		} else if (c == '/' || c == '.')
			*o++ = '_';
		else if (isascii(c) && (isalnum(c) || c == '_'))
			*o++ = (char)toupper(c);
	}
	*o = '\0';
	return r;
}

/* Text being built, and the reasons to refuse; a failed append sets oom. */
struct out {
	char *text, *why;
	size_t len, wlen;
	bool oom;
};

_printf_(3, 4) static void appendf(struct out *o, bool why, const char *fmt, ...)
{
	char **buf = why ? &o->why : &o->text;
	size_t *len = why ? &o->wlen : &o->len;
	_cleanup_free_ char *s = NULL;
	va_list ap;
	char *n;
	int k;

	va_start(ap, fmt);
	k = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (k < 0 || !(n = realloc(*buf, *len + (size_t)k + 1))) {
		if (k < 0)
			s = NULL;
		o->oom = true;
		return;
	}
	memcpy(n + *len, s, (size_t)k + 1);
	*buf = n;
	*len += (size_t)k;
}

#define say(o, ...) appendf(o, false, __VA_ARGS__)
#define refuse(o, ...) appendf(o, true, __VA_ARGS__)

static const char *host_label(const struct inventory *inv)
{
	return inv->hostname ? inv->hostname : "this host";
}

static bool is_endpoint(const struct inv_device *d)
{
	return streq(d->role, "endpoint");
}

/* The devices of one host the request names (sel[i] for inv->devs[i]);
 * false when one is not there (said in o). */
static bool select_devices(const struct inventory *inv, const struct export_request *req, bool *sel, struct out *o)
{
	bool ok = true;

	for (size_t i = 0; i < req->ngroups; i++) {
		const struct inv_group *g = inventory_find_group(inv, req->groups[i]);
		size_t n = 0;
		if (!g) {
			refuse(o, "%s: no IOMMU group %d\n", host_label(inv), req->groups[i]);
			ok = false;
			continue;
		}
		for (size_t j = 0; j < inv->ndevs; j++)
			if (inv->devs[j].group == g->number && is_endpoint(&inv->devs[j]))
				n += sel[j] = true;
		if (!n) {
			refuse(o, "%s: group %d holds no endpoint a guest could take\n", host_label(inv), g->number);
			ok = false;
		}
	}
	for (size_t i = 0; i < req->ndevices; i++) {
		const struct inv_device *d = inventory_find(inv, &req->devices[i]);
		char name[PCI_ADDR_STRLEN];
		if (!d) {
			format_pci_addr(&req->devices[i], name);
			refuse(o, "%s: no PCI device %s\n", host_label(inv), name);
			ok = false;
		} else if (!is_endpoint(d)) {
			refuse(o, "%s: %s is a %s, which stays on the host\n", host_label(inv), d->addr, d->role);
			ok = false;
		} else
			sel[d - inv->devs] = true;
	}
	return ok;
}

/* What the engine would get wrong on this host. */
static void check_host(const struct inventory *inv, const bool *sel, struct out *o)
{
	for (size_t i = 0; i < inv->ndevs; i++) {
		const struct inv_device *d = &inv->devs[i];
		const struct inv_group *g;
		if (!sel[i])
			continue;
		if (d->group < 0) {
			refuse(o, "%s: %s is in no IOMMU group: the IOMMU is off (see 'vfiokit check')\n",
			       host_label(inv), d->addr);
			continue;
		}
		if (d->host_use.n)
			refuse(o, "%s: %s is used by the host (%s): a guest would take it away\n", host_label(inv),
			       d->addr, d->host_use.v[0]);
		/* As plan/refuse.c: a use that could not be read is refused. */
		for (size_t k = 0; k < inv->use_unknown.n; k++)
			refuse(o, "%s: cannot tell whether the host uses %s (%s)\n", host_label(inv), d->addr,
			       inv->use_unknown.v[k]);
		g = inventory_find_group(inv, d->group);
		/* Each group once: at its first selected member. */
		bool first = true;
		for (size_t j = 0; j < i; j++)
			first &= !(sel[j] && inv->devs[j].group == d->group);
		if (!first)
			continue;
		if (!g) {
			/* A host whose group directory could not be read: its
			 * members cannot be told, so neither can viability. */
			refuse(o,
			       "%s: group %d of %s is not among the inventory's groups: whether it is viable cannot be told\n",
			       host_label(inv), d->group, d->addr);
			continue;
		}
		/* The rule of isolation_group_blockers(), over the document:
		 * every other member on a driver VFIO refuses. */
		for (size_t j = 0; j < inv->ndevs; j++)
			if (inv->devs[j].group == d->group && !sel[j] && !isolation_vfio_accepts(inv->devs[j].driver))
				refuse(o,
				       "%s: group %d is not viable: %s stays on %s (add --device %s, or take --group %d)\n",
				       host_label(inv), g->number, inv->devs[j].addr, inv->devs[j].driver,
				       inv->devs[j].addr, g->number);
		for (size_t j = 0; j < g->devices.n; j++) {
			struct pci_addr a;
			const struct inv_device *m = parse_pci_addr(g->devices.v[j], &a) == 0 ?
							     inventory_find(inv, &a) :
							     NULL;
			if (!m || m->group != g->number)
				refuse(o,
				       "%s: group %d lists %s, which the inventory does not describe in it: its driver is unknown\n",
				       host_label(inv), g->number, g->devices.v[j]);
		}
		for (size_t j = 0; j < g->missing.n; j++)
			refuse(o, "%s: group %d lists %s, which /sys/bus/pci lacks: its driver cannot be read\n",
			       host_label(inv), g->number, g->missing.v[j]);
	}
}

/* A vendor:device selector matches every such device on every node: one
 * the host uses or one of a group not exported goes to guests too. */
static void check_selector(const struct inventory *const *invs, bool *const *sels, size_t n, uint16_t ven, uint16_t dev,
			   struct out *o)
{
	for (size_t h = 0; h < n; h++)
		for (size_t i = 0; i < invs[h]->ndevs; i++) {
			const struct inv_device *d = &invs[h]->devs[i];
			if (sels[h][i] || d->vendor != ven || d->device != dev)
				continue;
			if (d->host_use.n)
				refuse(o, "%s: selector %04X:%04X also matches %s, which the host uses (%s)\n",
				       host_label(invs[h]), ven, dev, d->addr, d->host_use.v[0]);
			else
				refuse(o,
				       "%s: selector %04X:%04X also matches %s (group %d), which is not exported: identical "
				       "devices are handed out at random (export it too, or use nova or proxmox-mapping, "
				       "which name addresses)\n",
				       host_label(invs[h]), ven, dev, d->addr, d->group);
		}
}

/* "gm204-geforce-gtx-970": a Proxmox mapping id, an Incus device or Nova
 * alias name ([a-z][a-z0-9-]*). */
static char *slug(const struct inv_device *d)
{
	char *s = d->device_name ? strdup(d->device_name) : NULL, *o = s;
	bool dash = true;

	if (!d->device_name)
		return strdupf("pci-%04x-%04x", d->vendor, d->device);
	if (!s)
		return NULL;
	for (const char *p = d->device_name; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (isascii(c) && isalnum(c)) {
			*o++ = (char)tolower(c);
			dash = false;
		} else if (!dash) {
			*o++ = '-';
			dash = true;
		}
	}
	while (o > s && o[-1] == '-')
		o--;
	*o = '\0';
	if (!*s || !isalpha((unsigned char)*s)) {
		free(s);
		return strdupf("pci-%04x-%04x", d->vendor, d->device);
	}
	return s;
}

static const char *resource_domain(uint16_t vendor)
{
	switch (vendor) {
	case 0x10de:
		return "nvidia.com";
	case 0x1002:
		return "amd.com";
	case 0x8086:
		return "intel.com";
	default:
		return "devices.kubevirt.io";
	}
}

static void render_kubevirt(const struct inventory *const *invs, bool *const *sels, size_t n, bool hco, struct out *o)
{
	struct strv seen = { 0 };

	say(o,
	    "# %s: kubectl patch %s --type merge --patch-file THIS-FILE\n"
	    "# KubeVirt's device plugin skips a device not on vfio-pci: bind at boot on every node first\n"
	    "# ('vfiokit setup' with these devices).\n",
	    hco ? "HyperConverged (hco.kubevirt.io/v1) spec.permittedHostDevices" :
		  "KubeVirt spec.configuration.permittedHostDevices",
	    hco ? "hyperconverged kubevirt-hyperconverged -n openshift-cnv" : "kubevirt kubevirt -n kubevirt");
	say(o, "%s",
	    hco ? "spec:\n  permittedHostDevices:\n    pciHostDevices:\n" :
		  "spec:\n  configuration:\n    permittedHostDevices:\n      pciHostDevices:\n");
	for (size_t h = 0; h < n; h++)
		for (size_t i = 0; i < invs[h]->ndevs; i++) {
			const struct inv_device *d = &invs[h]->devs[i];
			_cleanup_free_ char *key = strdupf("%04X:%04X", d->vendor, d->device), *res = NULL;
			if (!sels[h][i])
				continue;
			if (!key || strv_contains(&seen, key))
				goto next;
			res = d->device_name ? export_resource_name(d->device_name) :
					       strdupf("%04X_%04X", d->vendor, d->device);
			if (!res || strv_push(&seen, key) < 0) {
				o->oom = true;
				goto next;
			}
			check_selector(invs, sels, n, d->vendor, d->device, o);
			say(o, "%s- %s: \"%s\"\n%s  resourceName: \"%s/%s\"\n", hco ? "    " : "      ",
			    hco ? "pciDeviceSelector" : "pciVendorSelector", key, hco ? "    " : "      ",
			    resource_domain(d->vendor), *res ? res : key);
next:;
		}
	strv_clear(&seen);
}

/* One JSON dict of a nova.conf [pci] line, as json-c writes it spaced. */
static void nova_dict(struct out *o, const char *key, json_object *dict)
{
	if (!dict) {
		o->oom = true;
		return;
	}
	say(o, "%s = %s\n", key,
	    json_object_to_json_string_ext(dict, JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(dict);
}

static json_object *hex4(uint16_t v)
{
	char b[8];

	snprintf(b, sizeof(b), "%04x", v);
	return json_object_new_string(b);
}

static void render_nova(const struct inventory *inv, const bool *sel, const char *name, struct out *o)
{
	struct strv seen = { 0 };

	say(o, "# nova.conf of %s; \"managed\": \"no\" wants vfio-pci bound at boot ('vfiokit setup')\n[pci]\n",
	    host_label(inv));
	for (size_t i = 0; i < inv->ndevs; i++) {
		const struct inv_device *d = &inv->devs[i];
		json_object *spec;
		if (!sel[i])
			continue;
		if (d->a.domain > 0xffff) {
			refuse(o,
			       "%s: %s: Nova ignores addresses past domain ffff (Intel VMD): move the card out of "
			       "the VMD domain or turn VMD off in the firmware\n",
			       host_label(inv), d->addr);
			continue;
		}
		spec = json_object_new_object();
		if (spec) {
			json_object_object_add(spec, "vendor_id", hex4(d->vendor));
			json_object_object_add(spec, "product_id", hex4(d->device));
			json_object_object_add(spec, "address", json_object_new_string(d->addr));
			json_object_object_add(spec, "managed", json_object_new_string("no"));
		}
		nova_dict(o, "device_spec", spec);
	}
	for (size_t i = 0; i < inv->ndevs; i++) {
		const struct inv_device *d = &inv->devs[i];
		_cleanup_free_ char *key = strdupf("%04x:%04x", d->vendor, d->device), *base = NULL, *alias = NULL;
		json_object *a;
		if (!sel[i] || !key || strv_contains(&seen, key))
			continue;
		base = name ? strdup(name) : slug(d);
		alias = base && seen.n && name ? strdupf("%s-%04x-%04x", base, d->vendor, d->device) : TAKE_PTR(base);
		if (!alias || strv_push(&seen, key) < 0) {
			o->oom = true;
			continue;
		}
		a = json_object_new_object();
		if (a) {
			json_object_object_add(a, "name", json_object_new_string(alias));
			json_object_object_add(a, "vendor_id", hex4(d->vendor));
			json_object_object_add(a, "product_id", hex4(d->device));
			json_object_object_add(a, "device_type", json_object_new_string("type-PCI"));
		}
		nova_dict(o, "alias", a);
	}
	strv_clear(&seen);
}

/* Proxmox maps one card per node: path without the function is every
 * function of the slot. The first selected device gives id, subsystem-id and
 * iommugroup. NULL (said in o) when the selection is not one card. */
static const struct inv_device *proxmox_card(const struct inventory *inv, const bool *sel,
					     char path[static PCI_ADDR_STRLEN], struct out *o)
{
	const struct inv_device *first = NULL;
	size_t nsel = 0, nslot = 0;

	for (size_t i = 0; i < inv->ndevs; i++)
		if (sel[i]) {
			if (!first)
				first = &inv->devs[i];
			else if (!pci_addr_same_slot(&first->a, &inv->devs[i].a)) {
				refuse(o,
				       "%s: %s and %s are two cards: a Proxmox mapping is one card per node (export "
				       "each with its own --name)\n",
				       host_label(inv), first->addr, inv->devs[i].addr);
				return NULL;
			}
			nsel++;
		}
	if (!first)
		return NULL;
	for (size_t i = 0; i < inv->ndevs; i++)
		nslot += pci_addr_same_slot(&first->a, &inv->devs[i].a);
	memcpy(path, first->addr, PCI_ADDR_STRLEN);
	if (nsel == nslot && nsel > 1)
		*strrchr(path, '.') = '\0'; /* the slot: every function */
	else if (nsel > 1) {
		refuse(o, "%s: some functions of slot %.*s only: Proxmox maps one function or all of them\n",
		       host_label(inv), (int)(strrchr(first->addr, '.') - first->addr), first->addr);
		return NULL;
	}
	return first;
}

static void render_proxmox(const struct inventory *const *invs, bool *const *sels, size_t n, const char *name,
			   struct out *o)
{
	_cleanup_free_ char *id = NULL, *maps = NULL, *pvesh = NULL;
	struct out m = { 0 };

	for (size_t h = 0; h < n; h++) {
		char path[PCI_ADDR_STRLEN], sub[32] = "";
		const struct inv_device *d = proxmox_card(invs[h], sels[h], path, o);
		if (!d)
			continue;
		if (!invs[h]->hostname) {
			refuse(o, "the host name of %s is unknown (/etc/hostname): it is the node of the map line\n",
			       d->addr);
			continue;
		}
		for (size_t j = 0; j < h; j++)
			if (invs[j]->hostname && streq(invs[j]->hostname, invs[h]->hostname))
				refuse(o, "%s: two inventories of one node\n", invs[h]->hostname);
		if (!id && !(id = name ? strdup(name) : slug(d))) {
			o->oom = true;
			return;
		}
		if (d->has_subsys)
			snprintf(sub, sizeof(sub), ",subsystem-id=%04x:%04x", d->subvendor, d->subdevice);
		/* pci.cfg lists the keys sorted, as Proxmox writes them. */
		say(&m, "\tmap id=%04x:%04x,iommugroup=%d,node=%s,path=%s%s\n", d->vendor, d->device, d->group,
		    invs[h]->hostname, path, sub);
		appendf(&m, true, " --map node=%s,path=%s,id=%04x:%04x,iommugroup=%d%s", invs[h]->hostname, path,
			d->vendor, d->device, d->group, sub);
	}
	o->oom |= m.oom;
	if (!o->why && !o->oom && id) {
		say(o,
		    "# /etc/pve/mapping/pci.cfg (or the pvesh line below); guests: qm set VMID -hostpci0 mapping=%s,pcie=1\n"
		    "%s\n%s",
		    id, id, m.text ? m.text : "");
		say(o, "\n# pvesh create /cluster/mapping/pci --id %s%s\n", id, m.why ? m.why : "");
	}
	free(m.text);
	free(m.why);
}

static void render_incus(const struct inventory *inv, const bool *sel, const char *name, const char *vm, size_t nhosts,
			 struct out *o)
{
	size_t k = 0;

	if (nhosts > 1)
		say(o, "# on %s\n", host_label(inv));
	for (size_t i = 0; i < inv->ndevs; i++) {
		const struct inv_device *d = &inv->devs[i];
		bool gpu = (d->class >> 16) == 0x03;
		bool first = true;
		if (!sel[i])
			continue;
		/* Incus binds every function of the slot in the group itself:
		 * one device per slot. */
		for (size_t j = 0; j < i; j++)
			first &= !(sel[j] && pci_addr_same_slot(&inv->devs[j].a, &d->a));
		if (!first)
			continue;
		for (size_t j = 0; j < inv->ndevs; j++)
			if (j != i && pci_addr_same_slot(&inv->devs[j].a, &d->a) && inv->devs[j].group != d->group)
				refuse(o,
				       "%s: %s is in group %d, not %d with %s: Incus takes the slot's functions of one group only\n",
				       host_label(inv), inv->devs[j].addr, inv->devs[j].group, d->group, d->addr);
		if (name)
			say(o, "incus config device add %s %s", vm, name);
		else
			say(o, "incus config device add %s %s%zu", vm, gpu ? "gpu" : "pci", k);
		if (name && k)
			say(o, "-%zu", k);
		say(o, gpu ? " gpu gputype=physical pci=%s\n" : " pci address=%s\n", d->addr);
		k++;
	}
}

int export_render(const struct inventory *const *invs, size_t n, const struct export_request *req, char **ret,
		  struct error *err)
{
	struct out o = { 0 };
	bool **sels = calloc(n ? n : 1, sizeof(*sels));
	int r;

	*ret = NULL;
	if (!sels)
		return -ENOMEM;
	for (size_t h = 0; h < n; h++) {
		if (!(sels[h] = calloc(invs[h]->ndevs + 1, sizeof(bool)))) {
			o.oom = true;
			goto out;
		}
		if (select_devices(invs[h], req, sels[h], &o))
			check_host(invs[h], sels[h], &o);
	}
	if (o.why)
		goto out;
	switch (req->format) {
	case EXPORT_KUBEVIRT:
	case EXPORT_HCO:
		render_kubevirt(invs, sels, n, req->format == EXPORT_HCO, &o);
		break;
	case EXPORT_NOVA:
		for (size_t h = 0; h < n; h++)
			render_nova(invs[h], sels[h], req->name, &o);
		break;
	case EXPORT_PROXMOX:
		render_proxmox(invs, sels, n, req->name, &o);
		break;
	case EXPORT_INCUS:
		for (size_t h = 0; h < n; h++)
			render_incus(invs[h], sels[h], req->name, req->vm ? req->vm : "VM", n, &o);
		break;
	case _EXPORT_MAX:
		break;
	}
out:
	for (size_t h = 0; h < n; h++)
		free(sels[h]);
	free(sels);
	if (o.oom) {
		r = -ENOMEM;
	} else if (o.why) {
		o.why[o.wlen - 1] = '\0'; /* the last newline */
		r = error_take(err, -EINVAL, ERROR_FAILED, TAKE_PTR(o.why));
	} else {
		*ret = TAKE_PTR(o.text);
		r = *ret ? 0 : -ENOMEM;
	}
	free(o.text);
	free(o.why);
	return r;
}
