/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Planning runtime isolation, per the article's driver_override method:
 * for each device, driver_override := vfio-pci, unbind from its driver,
 * drivers_probe. Never new_id, which would claim every identical card.
 * The set always grows to every endpoint of each IOMMU group, because VFIO
 * only hands a group to a guest when all of its devices are on vfio-pci,
 * pci-stub or no driver (bridges may stay on pcieport).
 */
#include <stdarg.h>

#include "plan/bind.h"
#include "plan/isolation.h"

static int fail(struct error *err, int errnum, enum error_kind kind, const char *fmt, ...) _printf_(4, 5);
static int fail(struct error *err, int errnum, enum error_kind kind, const char *fmt, ...)
{
	va_list ap;
	int k;

	va_start(ap, fmt);
	k = error_setv(err, errnum, kind, fmt, ap);
	va_end(ap);
	return k;
}

static size_t dev_index(const struct host *h, const struct pci_device *d)
{
	return (size_t)(d - h->pci);
}

static bool has_item(const struct bind_plan *p, size_t dev)
{
	for (size_t i = 0; i < p->nitems; i++)
		if (p->items[i].dev == dev)
			return true;
	return false;
}

static int add_item(struct bind_plan *p, size_t dev, bool named)
{
	if (has_item(p, dev)) {
		for (size_t i = 0; i < p->nitems; i++)
			if (p->items[i].dev == dev)
				p->items[i].named |= named;
		return 0;
	}
	if (GROW(p->items, p->items_alloc, p->nitems + 1) < 0)
		return -ENOMEM;
	p->items[p->nitems++] = (struct bind_item){ .dev = dev, .named = named };
	return 0;
}

static int add_group(struct bind_plan *p, int g)
{
	for (size_t i = 0; i < p->ngroups; i++)
		if (p->groups[i] == g)
			return 0;
	if (GROW(p->groups, p->groups_alloc, p->ngroups + 1) < 0)
		return -ENOMEM;
	p->groups[p->ngroups++] = g;
	return 0;
}

static int add_step(struct bind_plan *p, enum bind_step_kind kind, size_t item, char *path, char *value,
		    const char *expect)
{
	char *e = expect ? strdup(expect) : NULL;

	if ((!path && kind != STEP_MODPROBE) || !value || (expect && !e) ||
	    GROW(p->steps, p->steps_alloc, p->nsteps + 1) < 0) {
		free(path);
		free(value);
		free(e);
		return -ENOMEM;
	}
	p->steps[p->nsteps++] = (struct bind_step){ kind, item, path, value, e };
	return 0;
}

void bind_plan_clear(struct bind_plan *p)
{
	free(p->driver);
	for (size_t i = 0; i < p->nitems; i++) {
		free(p->items[i].orig_driver);
		free(p->items[i].orig_override);
		free(p->items[i].orig_state);
	}
	free(p->items);
	free(p->groups);
	refusal_list_clear(&p->refusals);
	strv_clear(&p->warnings);
	for (size_t i = 0; i < p->nsteps; i++) {
		free(p->steps[i].path);
		free(p->steps[i].value);
		free(p->steps[i].expect);
	}
	free(p->steps);
	*p = (struct bind_plan){ 0 };
}

/* "vendor:device": exactly four hex digits each side. */
static bool parse_id_pair(const char *s, uint16_t *ven, uint16_t *dev)
{
	uint32_t v, d;
	char a[5], b[5];

	if (strlen(s) != 9 || s[4] != ':' || strspn(s, "0123456789abcdefABCDEF:") != 9)
		return false;
	memcpy(a, s, 4);
	a[4] = '\0';
	memcpy(b, s + 5, 4);
	b[4] = '\0';
	if (parse_hex_u32(a, 0xffff, &v) < 0 || parse_hex_u32(b, 0xffff, &d) < 0)
		return false;
	*ven = (uint16_t)v;
	*dev = (uint16_t)d;
	return true;
}

/* Resolve targets to devices named directly (no group growth yet). */
static int resolve(struct host *h, char *const *targets, size_t n, bool unbind, struct bind_plan *p, struct error *err)
{
	for (size_t t = 0; t < n; t++) {
		const char *s = targets[t];
		struct pci_addr a;
		uint16_t ven, did;
		int k;

		if (startswith(s, "group:")) {
			long g;
			const struct iommu_group *grp;
			if (parse_int(s + 6, 0, INT32_MAX, &g) < 0)
				return fail(err, -EINVAL, ERROR_USAGE,
					    "'%s': expected group:N with N a group number ('vfiokit groups' lists them)",
					    s);
			grp = host_find_group(h, (int)g);
			if (!grp)
				return fail(err, -ENOENT, ERROR_FAILED,
					    "there is no IOMMU group %ld%s; 'vfiokit groups' lists them", g,
					    h->ngroups ? "" : " (no IOMMU groups at all: is the IOMMU on?)");
			if ((k = add_group(p, (int)g)) < 0)
				return k;
			for (size_t i = 0; i < grp->ndevs; i++) {
				const struct pci_device *d = &h->pci[grp->devs[i]];
				if ((d->role == PCI_ROLE_ENDPOINT || d->role == PCI_ROLE_HOST_BRIDGE) &&
				    (k = add_item(p, grp->devs[i], true)) < 0)
					return k;
			}
			continue;
		}
		if (parse_pci_addr(s, &a) == 0) {
			const struct pci_device *d = host_find_pci(h, &a);
			char name[PCI_ADDR_STRLEN];
			format_pci_addr(&a, name);
			if (!d)
				return fail(err, -ENOENT, ERROR_FAILED,
					    "there is no PCI device %s ('vfiokit groups' lists the devices)", name);
			if (d->role == PCI_ROLE_BRIDGE || d->role == PCI_ROLE_ROOT_PORT)
				return fail(err, -EOPNOTSUPP, ERROR_FAILED,
					    "%s is a PCI bridge (%s); bridges and root ports stay on the host. "
					    "Name the devices behind it, or its group with 'group:%d'",
					    name, d->role == PCI_ROLE_ROOT_PORT ? "root port" : "bridge",
					    d->iommu_group);
			if (d->iommu_group < 0 && !unbind)
				return fail(err, -ENODEV, ERROR_FAILED,
					    "%s is in no IOMMU group: the IOMMU is off or not supported "
					    "(see 'vfiokit check')",
					    name);
			if ((k = add_item(p, dev_index(h, d), true)) < 0)
				return k;
			continue;
		}
		if (parse_id_pair(s, &ven, &did)) {
			size_t found = 0, first = 0;
			for (size_t i = 0; i < h->npci; i++)
				if (h->pci[i].vendor == ven && h->pci[i].device == did && !found++)
					first = i;
			if (found == 0)
				return fail(err, -ENOENT, ERROR_FAILED,
					    "no PCI device has the ID %04x:%04x ('vfiokit groups' lists the devices with "
					    "their IDs)",
					    ven, did);
			if (found > 1) {
				_cleanup_free_ char *list = NULL;
				struct strv names = { 0 };
				for (size_t i = 0; i < h->npci; i++)
					if (h->pci[i].vendor == ven && h->pci[i].device == did &&
					    strv_push(&names, h->pci[i].name) < 0) {
						strv_clear(&names);
						return -ENOMEM;
					}
				list = strv_join(&names, ", ");
				strv_clear(&names);
				if (!list)
					return -ENOMEM;
				return fail(err, -ENOTUNIQ, ERROR_FAILED,
					    "%04x:%04x matches %zu devices (%s); name the one you mean by its address "
					    "('vfiokit groups' shows them)",
					    ven, did, found, list);
			}
			/* Then as an address. */
			if (h->pci[first].role == PCI_ROLE_BRIDGE || h->pci[first].role == PCI_ROLE_ROOT_PORT)
				return fail(err, -EOPNOTSUPP, ERROR_FAILED,
					    "%s (%04x:%04x) is a PCI bridge; bridges stay on the host; name the devices "
					    "behind it ('vfiokit groups')",
					    h->pci[first].name, ven, did);
			if (h->pci[first].iommu_group < 0 && !unbind)
				return fail(err, -ENODEV, ERROR_FAILED,
					    "%s is in no IOMMU group: the IOMMU is off or not supported (see 'vfiokit check')",
					    h->pci[first].name);
			if ((k = add_item(p, first, true)) < 0)
				return k;
			continue;
		}
		return fail(err, -EINVAL, ERROR_USAGE,
			    "'%s' is not a PCI address (0000:01:00.0 or 01:00.0), a vendor:device ID (10de:13c2) or group:N",
			    s);
	}
	return 0;
}

/* Every endpoint (and host bridge, to refuse it) of the groups of the items. */
static int grow_to_groups(struct host *h, struct bind_plan *p)
{
	size_t n = p->nitems;
	int k;

	for (size_t i = 0; i < n; i++) {
		const struct pci_device *d = &h->pci[p->items[i].dev];
		const struct iommu_group *g;
		if (d->iommu_group < 0 || !(g = host_find_group(h, d->iommu_group)))
			continue;
		if ((k = add_group(p, g->number)) < 0)
			return k;
		for (size_t j = 0; j < g->ndevs; j++) {
			const struct pci_device *m = &h->pci[g->devs[j]];
			if ((m->role == PCI_ROLE_ENDPOINT || m->role == PCI_ROLE_HOST_BRIDGE) &&
			    (k = add_item(p, g->devs[j], false)) < 0)
				return k;
		}
	}
	return 0;
}

static int cmp_items(const void *a, const void *b, void *hp)
{
	const struct host *h = hp;
	return pci_addr_cmp(&h->pci[((const struct bind_item *)a)->dev].addr,
			    &h->pci[((const struct bind_item *)b)->dev].addr);
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

static int remember_origin(struct host *h, struct bind_plan *p)
{
	for (size_t i = 0; i < p->nitems; i++) {
		struct bind_item *it = &p->items[i];
		const struct pci_device *d = &h->pci[it->dev];
		if ((d->driver && !(it->orig_driver = strdup(d->driver))) ||
		    (d->driver_override && !(it->orig_override = strdup(d->driver_override))))
			return -ENOMEM;
		if (d->bound) {
			it->orig_state = bind_state_format(d->bound, d->name);
			if (!it->orig_state)
				return -ENOMEM;
		}
	}
	return 0;
}

/* The running kernel has the PCI driver: host_pci_drivers_probe() looked. */
static bool driver_present(const struct host *h, const char *driver)
{
	return strv_contains(&h->pci_drivers, driver);
}

/* The module that provides a PCI driver: vfio-pci -> vfio_pci. */
static int need_driver(struct host *h, struct bind_plan *p, struct error *err)
{
	_cleanup_free_ char *mod = NULL;
	enum module_state st;

	if (driver_present(h, p->driver))
		return 0;
	mod = strdup(p->driver);
	if (!mod)
		return -ENOMEM;
	module_name_normalize(mod);
	st = host_module_state(h, mod);
	if (st == MODULE_ABSENT)
		return fail(err, -ENOPKG, ERROR_FAILED,
			    "the driver %s is not available: kernel %s has no module %s and does not build it in%s; "
			    "boot a kernel that has it ('vfiokit check' says which VFIO modules it has)",
			    p->driver, h->kernel.release ? h->kernel.release : "(unknown)", mod,
			    h->kernel.modules_dir ?
				    "" :
				    " (its /lib/modules directory is missing: was the kernel updated without a reboot?)");
	if (st == MODULE_LOADED || st == MODULE_BUILTIN)
		return 0; /* a driver directory will be there; nothing to load */
	return add_step(p, STEP_MODPROBE, 0, NULL, strdup(p->driver), NULL);
}

/* refuse.c's refusals for the devices that move, then bind's own: a group
 * VFIO would not accept once they have moved. */
static int judge(struct host *h, struct bind_plan *p)
{
	_cleanup_free_ size_t *moving = calloc(p->nitems ? p->nitems : 1, sizeof(*moving));
	struct strv noreset = { 0 };
	size_t nmoving = 0;
	int k;

	if (!moving)
		return -ENOMEM;
	for (size_t i = 0; i < p->nitems; i++) {
		const struct pci_device *d = &h->pci[p->items[i].dev];
		if (!p->items[i].change)
			continue;
		moving[nmoving++] = p->items[i].dev;
		if (!d->has_reset && !(d->reset_method && *d->reset_method) && strv_push(&noreset, d->name) < 0)
			goto oom;
	}
	if (refusals_judge(h, moving, nmoving, &p->refusals) < 0)
		goto oom;
	if (noreset.n) {
		_cleanup_free_ char *list = strv_join(&noreset, ", ");
		if (!list || strv_push_take(&p->warnings,
					    strdupf("no reset method: %s. The article: when the guest stops, libvirt and "
						    "QEMU \"will hang in a 'Shutting down' state where they will not be able "
						    "to be restarted until the host system has been rebooted\"",
						    list)) < 0)
			goto oom;
	}
	strv_clear(&noreset);
	if (!startswith(p->driver, "vfio"))
		return 0;
	/* After the binds, would VFIO accept each group? Every item is on
	 * the driver then, moved or already there. */
	for (size_t i = 0; i < p->nitems; i++)
		moving[i] = p->items[i].dev;
	for (size_t gi = 0; gi < p->ngroups; gi++) {
		const struct iommu_group *g = host_find_group(h, p->groups[gi]);
		_cleanup_(group_blockers_clear) struct group_blockers b = { 0 };
		if (!g)
			continue;
		if (isolation_group_blockers(h, g, moving, p->nitems, &b) < 0)
			return -ENOMEM;
		for (size_t j = 0; j < b.ndevs; j++)
			if ((k = refusal_list_add(&p->refusals, REFUSE_NONVIABLE,
						  strdupf("group %d would not be viable: %s stays on %s, and VFIO only "
							  "hands a group to a guest when every device in it is on "
							  "vfio-pci, pci-stub or no driver",
							  g->number, h->pci[b.devs[j]].name, h->pci[b.devs[j]].driver))) < 0)
				return k;
		for (size_t j = 0; j < b.missing->n; j++)
			if ((k = refusal_list_add(&p->refusals, REFUSE_NONVIABLE,
						  strdupf("group %d may not be viable: it lists %s, which is not in "
							  "/sys/bus/pci, so whether its driver lets VFIO hand the group "
							  "to a guest cannot be told",
							  g->number, b.missing->v[j]))) < 0)
				return k;
	}
	return 0;
oom:
	strv_clear(&noreset);
	return -ENOMEM;
}

static int plan_bind_steps(struct host *h, struct bind_plan *p)
{
	int k;

	for (size_t i = 0; i < p->nitems; i++) {
		struct bind_item *it = &p->items[i];
		const struct pci_device *d = &h->pci[it->dev];
		struct bind_state st = { .driver = d->driver ? d->driver : (char *)"",
					 .driver_override = d->driver_override ? d->driver_override : (char *)"",
					 .target = p->driver };
		if (!it->change)
			continue;
		if ((k = add_step(p, STEP_SAVE_STATE, i, strdupf(BIND_STATE_DIR "/%s", d->name),
				  bind_state_format(&st, d->name), NULL)) < 0)
			return k;
	}
	for (size_t i = 0; i < p->nitems; i++) {
		struct bind_item *it = &p->items[i];
		const struct pci_device *d = &h->pci[it->dev];
		if (!it->change)
			continue;
		if ((k = add_step(p, STEP_OVERRIDE, i, strdupf("sys/bus/pci/devices/%s/driver_override", d->name),
				  strdup(p->driver), NULL)) < 0)
			return k;
		if (d->driver && (k = add_step(p, STEP_UNBIND, i, strdupf("sys/bus/pci/drivers/%s/unbind", d->driver),
					       strdup(d->name), NULL)) < 0)
			return k;
		if ((k = add_step(p, STEP_PROBE, i, strdup("sys/bus/pci/drivers_probe"), strdup(d->name), p->driver)) < 0)
			return k;
	}
	if (startswith(p->driver, "vfio"))
		for (size_t gi = 0; gi < p->ngroups; gi++)
			if ((k = add_step(p, STEP_WAIT_VFIO, 0, strdupf("dev/vfio/%d", p->groups[gi]),
					  strdupf("%d", p->groups[gi]), NULL)) < 0)
				return k;
	return 0;
}

static void sort_plan(struct host *h, struct bind_plan *p)
{
	if (p->nitems > 1)
		qsort_r(p->items, p->nitems, sizeof(*p->items), cmp_items, h);
	if (p->ngroups > 1)
		qsort(p->groups, p->ngroups, sizeof(*p->groups), cmp_int);
}

int bind_plan_make(struct host *h, char *const *targets, size_t ntargets, const struct bind_options *o,
		   struct bind_plan *p, struct error *err)
{
	bool any = false;
	int k;

	*p = (struct bind_plan){ 0 };
	*err = (struct error){ 0 };
	p->driver = strdup(o->driver ? o->driver : BIND_DRIVER_DEFAULT);
	if (!p->driver)
		return -ENOMEM;
	if ((k = resolve(h, targets, ntargets, false, p, err)) != 0)
		return k;
	if (!o->only && (k = grow_to_groups(h, p)) < 0)
		return k;
	if (o->only)
		for (size_t i = 0; i < p->nitems; i++)
			if (h->pci[p->items[i].dev].iommu_group >= 0 &&
			    (k = add_group(p, h->pci[p->items[i].dev].iommu_group)) < 0)
				return k;
	sort_plan(h, p);
	if ((k = remember_origin(h, p)) < 0)
		return k;
	for (size_t i = 0; i < p->nitems; i++) {
		const struct pci_device *d = &h->pci[p->items[i].dev];
		p->items[i].change = !(d->driver && streq(d->driver, p->driver));
		any |= p->items[i].change;
	}
	if ((k = judge(h, p)) < 0)
		return k;
	if (!any)
		return 0;
	if ((k = need_driver(h, p, err)) != 0)
		return k;
	return plan_bind_steps(h, p);
}

/* The loaded driver a device's modalias matches, other than VFIO's own and
 * pci-stub: where a device bound at boot (vfio-pci.ids=, a driver_override
 * script) goes back to, since no state file says where it was. *module
 * gets the first matching module when none of them is loaded. */
static int modalias_driver(struct host *h, const struct pci_device *d, char **driver, const char **module)
{
	*driver = NULL;
	*module = NULL;
	for (size_t i = 0; i < d->modules.n; i++) {
		const char *m = d->modules.v[i];
		_cleanup_free_ char *dashed = strdup(m);
		if (!dashed)
			return -ENOMEM;
		if (startswith(m, "vfio") || streq(m, "pci_stub"))
			continue;
		for (char *c = dashed; *c; c++)
			if (*c == '_')
				*c = '-';
		if (driver_present(h, m))
			return (*driver = strdup(m)) ? 0 : -ENOMEM;
		if (driver_present(h, dashed)) {
			*driver = TAKE_PTR(dashed);
			return 0;
		}
		if (!*module)
			*module = m;
	}
	return 0;
}

/* Steps for a device on the driver with no state file: driver_override to
 * the driver its modalias matches, which it keeps (else vfio-pci's ids= or
 * an override script takes it back at the next probe); or, with none
 * loaded, a plain reprobe and a warning saying why. */
static int plan_unbind_nostate(struct host *h, struct bind_plan *p, size_t i)
{
	const struct pci_device *d = &h->pci[p->items[i].dev];
	_cleanup_free_ char *drv = NULL;
	const char *module;
	int k = modalias_driver(h, d, &drv, &module);

	if (k < 0)
		return k;
	if (drv) {
		if ((k = add_step(p, STEP_OVERRIDE, i, strdupf("sys/bus/pci/devices/%s/driver_override", d->name),
				  strdupf("%s\n", drv), NULL)) < 0 ||
		    (k = add_step(p, STEP_UNBIND, i, strdupf("sys/bus/pci/drivers/%s/unbind", d->driver), strdup(d->name),
				  NULL)) < 0 ||
		    (k = add_step(p, STEP_PROBE, i, strdup("sys/bus/pci/drivers_probe"), strdup(d->name), drv)) < 0)
			return k;
		return strv_push_take(&p->warnings,
				      strdupf("%s has no state from 'vfiokit bind' (bound at boot: vfio-pci.ids= or a "
					      "driver_override script): it goes to %s, the driver its modalias matches, "
					      "and its driver_override stays %s so that %s does not take it back",
					      d->name, drv, drv, p->driver));
	}
	if ((k = strv_push_take(&p->warnings,
				strdupf("%s has no state from 'vfiokit bind' and no loaded driver matches its modalias%s%s%s: "
					"the kernel chooses, and %s takes it back if its ids= name it",
					d->name, module ? " (module " : "", module ? module : "",
					module ? " is not loaded: modprobe it, then unbind again)" : "", p->driver))) < 0)
		return k;
	if ((k = add_step(p, STEP_OVERRIDE, i, strdupf("sys/bus/pci/devices/%s/driver_override", d->name), strdup("\n"),
			  NULL)) < 0 ||
	    (k = add_step(p, STEP_UNBIND, i, strdupf("sys/bus/pci/drivers/%s/unbind", d->driver), strdup(d->name),
			  NULL)) < 0)
		return k;
	return add_step(p, STEP_PROBE, i, strdup("sys/bus/pci/drivers_probe"), strdup(d->name), NULL);
}

int unbind_plan_make(struct host *h, char *const *targets, size_t ntargets, const struct bind_options *o,
		     struct bind_plan *p, struct error *err)
{
	struct bind_plan named = { 0 };
	int k;

	*p = (struct bind_plan){ .unbind = true };
	*err = (struct error){ 0 };
	p->driver = strdup(o->driver ? o->driver : BIND_DRIVER_DEFAULT);
	if (!p->driver)
		return -ENOMEM;
	if ((k = resolve(h, targets, ntargets, true, p, err)) != 0)
		return k;
	if (!o->only && (k = grow_to_groups(h, p)) < 0)
		return k;
	/* Only what is on the driver being left, or that vfiokit bound. */
	named = *p;
	p->items = NULL;
	p->nitems = p->items_alloc = 0;
	for (size_t i = 0; i < named.nitems; i++) {
		const struct pci_device *d = &h->pci[named.items[i].dev];
		if ((d->driver && streq(d->driver, p->driver)) || d->bound) {
			if ((k = add_item(p, named.items[i].dev, named.items[i].named)) < 0)
				break;
		}
	}
	free(named.items);
	if (k < 0)
		return k;
	sort_plan(h, p);
	if ((k = remember_origin(h, p)) < 0)
		return k;
	for (size_t i = 0; i < p->nitems; i++) {
		struct bind_item *it = &p->items[i];
		const struct pci_device *d = &h->pci[it->dev];
		const char *back = d->bound ? d->bound->driver : NULL; /* "" = none */
		bool on = d->driver && streq(d->driver, p->driver);

		it->change = true;
		if (!d->bound && on) {
			if ((k = plan_unbind_nostate(h, p, i)) < 0)
				return k;
			continue;
		}
		/* driver_override first, so the reprobe does not come straight back. */
		if ((k = add_step(p, STEP_OVERRIDE, i, strdupf("sys/bus/pci/devices/%s/driver_override", d->name),
				  strdupf("%s\n", d->bound ? d->bound->driver_override : ""), NULL)) < 0)
			return k;
		if (on && (k = add_step(p, STEP_UNBIND, i, strdupf("sys/bus/pci/drivers/%s/unbind", d->driver),
					strdup(d->name), NULL)) < 0)
			return k;
		if (back && *back && on && driver_present(h, back)) {
			if ((k = add_step(p, STEP_BIND, i, strdupf("sys/bus/pci/drivers/%s/bind", back), strdup(d->name),
					  back)) < 0)
				return k;
		} else if (!back || (*back && on)) {
			/* No state, or the old driver is not loaded: let the kernel choose. */
			if (back && *back &&
			    strv_push_take(&p->warnings,
					   strdupf("%s was on %s, which is not loaded now; the kernel chooses its driver",
						   d->name, back)) < 0)
				return -ENOMEM;
			if ((k = add_step(p, STEP_PROBE, i, strdup("sys/bus/pci/drivers_probe"), strdup(d->name),
					  NULL)) < 0)
				return k;
		}
		if (d->bound && (k = add_step(p, STEP_FORGET, i, strdupf(BIND_STATE_DIR "/%s", d->name),
					      strdup(""), NULL)) < 0)
			return k;
	}
	return 0;
}

char *bind_step_describe(const struct host *h, const struct bind_plan *p, const struct bind_step *s)
{
	(void)h;
	(void)p;
	switch (s->kind) {
	case STEP_MODPROBE:
		return strdupf("modprobe %s", s->value);
	case STEP_SAVE_STATE:
		return strdupf("save /%s (what 'vfiokit unbind' restores)", s->path);
	case STEP_OVERRIDE:
		if (streq(s->value, "\n"))
			return strdupf("echo > /%s", s->path);
		return strdupf("echo %.*s > /%s", (int)strcspn(s->value, "\n"), s->value, s->path);
	case STEP_UNBIND:
	case STEP_PROBE:
	case STEP_BIND:
		return strdupf("echo %s > /%s", s->value, s->path);
	case STEP_FORGET:
		return strdupf("rm /%s", s->path);
	case STEP_WAIT_VFIO:
		return strdupf("wait for /%s", s->path);
	}
	return NULL;
}
