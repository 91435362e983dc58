/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Vendor, device, subsystem and class names from pci.ids, through libpci.
 * The database is the one inside the root, so a snapshot names devices the
 * way the machine it came from did; udev's hwdb and the network are never
 * asked (they would describe this machine, not the root). */
#include <pci/pci.h>
#include <stdarg.h>

#include "host.h"

static const char *const pci_ids_paths[] = {
	"usr/share/misc/pci.ids",
	"usr/share/hwdata/pci.ids",
	"usr/share/pci.ids",
};

static void quiet(char *msg _unused_, ...)
{
	/* libpci reports a malformed pci.ids line here; the affected names
	 * simply stay unknown. */
}

static char *lookup(struct pci_access *pacc, int flags, ...)
{
	char buf[256];
	const char *r;
	va_list ap;

	/* pci_lookup_name takes its IDs as varargs; forward them as ints. */
	va_start(ap, flags);
	int a = va_arg(ap, int), b = va_arg(ap, int), c = va_arg(ap, int), d = va_arg(ap, int);
	va_end(ap);
	r = pci_lookup_name(pacc, buf, sizeof(buf), flags | PCI_LOOKUP_NO_NUMBERS | PCI_LOOKUP_NO_HWDB, a, b, c, d);
	return r ? strdup(r) : NULL;
}

int names_load(struct host *h)
{
	const char *rel = NULL;
	struct pci_access *pacc;
	char *abs;

	for (size_t i = 0; i < ARRAY_SIZE(pci_ids_paths) && !rel; i++)
		if (path_exists(h->root, pci_ids_paths[i]))
			rel = pci_ids_paths[i];

	if (!rel) {
		host_diag(h, "usr/share/misc/pci.ids", "no PCI ID database in the root: devices are shown by number");
		return 0;
	}
	h->pci_ids = strdup(rel);
	abs = path_abs(h->root, rel);
	if (!abs || !h->pci_ids) {
		free(abs);
		return -ENOMEM;
	}
	pacc = pci_alloc();
	if (!pacc) {
		free(abs);
		return -ENOMEM;
	}
	pacc->warning = quiet;
	pacc->id_lookup_mode = 0; /* no network, no ~/.pciids-cache */
	pci_set_name_list_path(pacc, abs, 1);
	path_trace_note(h->root, PATH_TRACE_FILE, rel);

	for (size_t i = 0; i < h->npci; i++) {
		struct pci_device *d = &h->pci[i];

		d->vendor_name = lookup(pacc, PCI_LOOKUP_VENDOR, d->vendor, 0, 0, 0);
		d->device_name = lookup(pacc, PCI_LOOKUP_DEVICE, d->vendor, d->device, 0, 0);
		d->class_name = lookup(pacc, PCI_LOOKUP_CLASS, (int)(d->class >> 8), 0, 0, 0);
		if (d->has_subsys)
			d->subsys_name = lookup(pacc, PCI_LOOKUP_SUBSYSTEM | PCI_LOOKUP_DEVICE, d->vendor, d->device,
						d->subvendor, d->subdevice);
	}
	pci_cleanup(pacc);
	return 0;
}
