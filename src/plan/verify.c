/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "boot/backend.h"
#include "verify.h"

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

int verify_run(const struct host *h, struct verify_result *ret)
{
	struct verify_result r = { 0 };
	struct strv ids = { 0 }, devs = { 0 };
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
