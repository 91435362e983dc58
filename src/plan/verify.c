/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "plan/boot/backend.h"
#include "plan/isolation.h"
#include "plan/inventory.h"
#include "plan/verify.h"

void verify_result_free(struct verify_result *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->rows[i].cause);
	free(r->rows);
	free(r->nothing);
	*r = (struct verify_result){ 0 };
}

/* The IDs vfio-pci is told to take: modprobe.d and the kernel command line. */
static int wanted_ids(const struct host *h, struct strv *ids)
{
	const struct cmdline_param *p = cmdline_get(&h->kernel.cmdline, "vfio-pci.ids");
	int k = 0;

	for (size_t i = 0; i < h->boot.modprobe.vfio_ids.n && k >= 0; i++)
		k = strv_push(ids, h->boot.modprobe.vfio_ids.v[i]);
	if (!p)
		p = cmdline_get(&h->kernel.cmdline, "vfio_pci.ids");
	if (p && p->value && k >= 0) {
		_cleanup_free_ char *copy = strdup(p->value);
		char *save = NULL;
		if (!copy)
			return -ENOMEM;
		for (char *t = strtok_r(copy, ",", &save); t && k >= 0; t = strtok_r(NULL, ",", &save))
			if (!strv_contains(ids, t))
				k = strv_push(ids, t);
	}
	return k < 0 ? -ENOMEM : 0;
}

/* The devices setup's driver_override script (identical cards: by
 * address) names, when modprobe.d's install line for vfio-pci runs it. */
static int script_devs(const struct host *h, struct strv *devs)
{
	const struct host_boot *b = &h->boot;
	const char *cmd = b->modprobe.vfio_install;

	if (!b->override_script || !cmd || !strstr(cmd, "/" OVERRIDE_SCRIPT))
		return 0;
	return override_script_devs(b->override_script, devs);
}

static char *cause(const struct host *h, const struct pci_device *d, bool by_script)
{
	const struct host_boot *b = &h->boot;
	const char *drv = d->driver;

	if (h->ngroups == 0)
		return strdup("the IOMMU is off, so vfio-pci cannot take it: see 'vfiokit check' (kernel parameters)");
	if (!drv)
		return strdup("no driver: vfio-pci did not load at boot; is vfio_pci in the initramfs (regenerate it after "
			      "changing the configuration), and does the running kernel have it?");
	/* By address: the script must have run before the driver probed. */
	if (by_script && (!d->driver_override || !streq(d->driver_override, "vfio-pci")))
		return strdupf("%s took it and its driver_override is not vfio-pci: the driver_override script (/%s) did "
			       "not run before %s loaded; is it in the initramfs (regenerate it), with the softdep for %s?",
			       drv, OVERRIDE_SCRIPT, drv, d->modules.n ? d->modules.v[0] : drv);
	if (strv_contains(&b->modprobe.vfio_first, drv) || (d->modules.n && strv_contains(&b->modprobe.vfio_first, d->modules.v[0]))) {
		if (boot_installed(b, &boot_booster))
			return strdupf("%s took it first although vfio-pci should load before it: booster ignores "
				       "vfio-pci.ids from modprobe.d; pass vfio-pci.ids on the kernel command line, or load "
				       "vfio_pci with modules_force_load in /etc/booster.yaml", drv);
		return strdupf("%s took it first although a softdep asks for vfio-pci before it: the initramfs probably has "
			       "%s but not vfio-pci, or was not regenerated since the change (update-initramfs -u, dracut "
			       "-f or mkinitcpio -P), then reboot", drv, drv);
	}
	return strdupf("%s took it first: add 'softdep %s pre: vfio-pci' to /etc/modprobe.d/vfio.conf ('vfiokit setup' "
		       "writes it), regenerate the initramfs, reboot", drv, d->modules.n ? d->modules.v[0] : drv);
}

/* The article's "Ensuring that the groups are valid", after the reboot: a
 * guest gets d only with its whole group, so every other device in it must
 * be on vfio-pci (pci-stub, or no driver) as well. Setup made while the
 * IOMMU was off could not know the group. 0 with *ret NULL: viable. */
static int group_problem(const struct host *h, const struct pci_device *d, char **ret)
{
	const struct iommu_group *g = host_find_group(h, d->iommu_group);
	_cleanup_(strv_clear) struct strv stay = { 0 };
	_cleanup_(group_blockers_clear) struct group_blockers b = { 0 };
	_cleanup_free_ char *list = NULL;
	size_t self = (size_t)(d - h->pci);
	int k = 0;

	*ret = NULL;
	if (!h->ngroups)
		return 0; /* the IOMMU is off: cause() says so */
	if (d->iommu_group < 0 || !g)
		return (*ret = strdupf("%s is in no IOMMU group, though the IOMMU is on: VFIO cannot hand it to a guest "
				       "(see 'vfiokit groups')", d->name)) ? 0 : -ENOMEM;
	if (isolation_group_blockers(h, g, &self, 1, &b) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < b.ndevs && k >= 0; i++)
		k = strv_push_take(&stay, strdupf("%s (on %s)", h->pci[b.devs[i]].name, h->pci[b.devs[i]].driver));
	for (size_t i = 0; i < b.missing->n && k >= 0; i++)
		k = strv_push_take(&stay, strdupf("%s (not in /sys/bus/pci)", b.missing->v[i]));
	if (k < 0)
		return -ENOMEM;
	if (!stay.n)
		return 0;
	if (!(list = strv_join(&stay, ", ")))
		return -ENOMEM;
	*ret = strdupf("IOMMU group %d is not viable: it also holds %s, and VFIO hands a group to a guest only when "
		       "every device in it is on vfio-pci, pci-stub or no driver; now that the IOMMU is on, 'vfiokit setup "
		       "--gpu %s' takes the whole group (a shared one with --include-group), or use a slot whose "
		       "group is isolated ('vfiokit groups')",
		       g->number, list, d->name);
	return *ret ? 0 : -ENOMEM;
}

int verify_run(const struct host *h, struct verify_result *ret)
{
	struct verify_result r = { 0 };
	struct strv ids = { 0 }, devs = { 0 };
	char *group = NULL;
	int k;

	if ((k = wanted_ids(h, &ids)) < 0 || (k = script_devs(h, &devs)) < 0)
		goto fail;
	for (size_t i = 0; i < h->npci; i++) {
		const struct pci_device *d = &h->pci[i];
		_cleanup_free_ char *id = strdupf("%04x:%04x", d->vendor, d->device);
		bool on = d->driver && (streq(d->driver, "vfio-pci") || streq(d->driver, "vfio_pci"));
		if (!id) {
			k = -ENOMEM;
			goto fail;
		}
		bool by_script = strv_contains(&devs, d->name);
		if (!strv_contains(&ids, id) && !by_script)
			continue;
		if (GROW(r.rows, r.alloc, r.n + 1) < 0) {
			k = -ENOMEM;
			goto fail;
		}
		r.rows[r.n] = (struct verify_row){ .dev = i, .ok = on };
		if (!on && !(r.rows[r.n].cause = cause(h, d, by_script))) {
			k = -ENOMEM;
			goto fail;
		}
		r.n++;
		if ((k = group_problem(h, d, &group)) < 0)
			goto fail;
		if (group) {
			char *both = on ? TAKE_PTR(group) : strdupf("%s; and %s", r.rows[r.n - 1].cause, group);
			free(group);
			group = NULL;
			if (!both) {
				k = -ENOMEM;
				goto fail;
			}
			free(r.rows[r.n - 1].cause);
			r.rows[r.n - 1].cause = both;
			r.rows[r.n - 1].ok = false;
		}
	}
	if (!r.n) {
		_cleanup_free_ char *list = devs.n ? strv_join(&devs, " ") : NULL;
		r.nothing = devs.n ? (list ? strdupf("no device here is named by the driver_override script (/%s: %s)%s",
						     OVERRIDE_SCRIPT, list, ids.n ? " or has the IDs given to vfio-pci" : "") :
					     NULL) :
			    ids.n ? strdup("no device here has the IDs given to vfio-pci (modprobe.d, vfio-pci.ids)") :
				    strdup("nothing asks vfio-pci to take a device at boot: no 'options vfio-pci ids=' in "
					   "/etc/modprobe.d, no vfio-pci.ids on the kernel command line and no driver_override "
					   "script run by an install line ('vfiokit setup' writes them)");
		if (!r.nothing) {
			k = -ENOMEM;
			goto fail;
		}
	}
	strv_clear(&ids);
	strv_clear(&devs);
	*ret = r;
	return 0;
fail:
	strv_clear(&ids);
	strv_clear(&devs);
	verify_result_free(&r);
	return k;
}

const char *drift_kind_name(enum drift_kind k)
{
	static const char *const names[] = {
		[DRIFT_MOVED] = "moved", [DRIFT_ADDRESS] = "renumbered", [DRIFT_SWAPPED] = "swapped",
		[DRIFT_DRIVER] = "driver", [DRIFT_GROUP] = "group", [DRIFT_GONE] = "gone", [DRIFT_NEW] = "new",
	};

	return names[k];
}

static int drift_add(struct drift_result *r, enum drift_kind kind, const char *device, char *was, char *now)
{
	if (GROW(r->rows, r->alloc, r->n + 1) < 0 || !(r->rows[r->n].device = strdup(device))) {
		free(was);
		free(now);
		return -ENOMEM;
	}
	r->rows[r->n].kind = kind;
	r->rows[r->n].was = was;
	r->rows[r->n++].now = now;
	return 0;
}

static char *ids(const struct inv_device *d)
{
	if (d->has_subsys)
		return strdupf("%04x:%04x (%04x:%04x)", d->vendor, d->device, d->subvendor, d->subdevice);
	return strdupf("%04x:%04x", d->vendor, d->device);
}

static bool same_card(const struct inv_device *a, const struct inv_device *b)
{
	return a->vendor == b->vendor && a->device == b->device && a->has_subsys == b->has_subsys &&
	       (!a->has_subsys || (a->subvendor == b->subvendor && a->subdevice == b->subdevice));
}

static char *str_or(const char *s, const char *none)
{
	return strdup(s ? s : none);
}

static char *group_str(int g)
{
	return g < 0 ? strdup("none") : strdupf("%d", g);
}

/* One device found again: what changed about it. */
static int drift_compare(struct drift_result *r, const struct inv_device *t, const struct inv_device *n)
{
	int k = 0;

	if (!streq(t->addr, n->addr))
		k = drift_add(r, DRIFT_ADDRESS, t->addr, strdup(t->addr), strdup(n->addr));
	if (k == 0 && !same_card(t, n))
		return drift_add(r, DRIFT_SWAPPED, t->addr, ids(t), ids(n));
	if (k == 0 && !streq(strempty(t->driver), strempty(n->driver)))
		k = drift_add(r, DRIFT_DRIVER, t->addr, str_or(t->driver, "none"), str_or(n->driver, "none"));
	if (k == 0 && t->group != n->group)
		k = drift_add(r, DRIFT_GROUP, t->addr, group_str(t->group), group_str(n->group));
	return k;
}

int verify_against(const struct inventory *then, const struct inventory *now, struct drift_result *ret)
{
	_cleanup_free_ bool *used = calloc(now->ndevs + 1, sizeof(bool));
	_cleanup_free_ bool *gone = calloc(then->ndevs + 1, sizeof(bool));
	struct drift_result r = { 0 };
	int k = 0;

	*ret = r;
	if (!used || !gone)
		return -ENOMEM;
	for (size_t i = 0; i < then->ndevs && k == 0; i++) {
		const struct inv_device *t = &then->devs[i];
		const struct inv_device *n = inventory_find_topology(now, t->topology);
		if (!n || used[n - now->devs])
			n = inventory_find(now, &t->a);
		if (!n || used[n - now->devs]) {
			gone[i] = true;
			continue;
		}
		used[n - now->devs] = true;
		k = drift_compare(&r, t, n);
	}
	/* Gone and new with the same IDs: the card moved to another slot. */
	for (size_t i = 0; i < then->ndevs && k == 0; i++) {
		const struct inv_device *t = &then->devs[i];
		if (!gone[i])
			continue;
		for (size_t j = 0; j < now->ndevs; j++)
			if (!used[j] && same_card(t, &now->devs[j])) {
				used[j] = true;
				gone[i] = false;
				k = drift_add(&r, DRIFT_MOVED, t->addr, strdupf("%s at %s", t->addr, t->topology),
					      strdupf("%s at %s", now->devs[j].addr, now->devs[j].topology));
				break;
			}
		if (gone[i] && k == 0)
			k = drift_add(&r, DRIFT_GONE, t->addr, ids(t), NULL);
	}
	for (size_t j = 0; j < now->ndevs && k == 0; j++)
		if (!used[j])
			k = drift_add(&r, DRIFT_NEW, now->devs[j].addr, NULL, ids(&now->devs[j]));
	if (k < 0) {
		drift_result_free(&r);
		return k;
	}
	*ret = r;
	return 0;
}

void drift_result_free(struct drift_result *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->rows[i].device);
		free(r->rows[i].was);
		free(r->rows[i].now);
	}
	free(r->rows);
	*r = (struct drift_result){ 0 };
}
