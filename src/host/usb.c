/* SPDX-License-Identifier: GPL-2.0-or-later */
/* USB buses of each PCI USB controller and the devices on them, as the
 * article's "USB controller" section lists them (busnum, lsusb -s BUS:). */
#include <ctype.h>

#include "host/host.h"

#define USB_DEVICES "sys/bus/usb/devices"

static int read_uint(struct host *h, struct path_dir *d, const char *attr, unsigned max, unsigned *ret)
{
	_cleanup_free_ char *s = NULL;
	long v;
	int k = path_dir_read(d, attr, &s);

	if (k < 0) {
		if (k != -ENOENT)
			host_diag(h, d->rel, "cannot read %s: %s", attr, path_strerror(k));
		return k;
	}
	if (parse_int(s, 0, max, &v) < 0) {
		host_diag(h, d->rel, "%s is not a number: \"%.40s\"", attr, s);
		return -EINVAL;
	}
	*ret = (unsigned)v;
	return 0;
}

static int read_id(struct host *h, struct path_dir *d, const char *attr, uint16_t *ret)
{
	_cleanup_free_ char *s = NULL;
	uint32_t v;
	int k = path_dir_read(d, attr, &s);

	if (k < 0)
		return k;
	if (parse_hex_u32(s, 0xffff, &v) < 0) {
		host_diag(h, d->rel, "%s is not a 16-bit hex number: \"%.40s\"", attr, s);
		return -EINVAL;
	}
	*ret = (uint16_t)v;
	return 0;
}

static int load_usb_device(struct host *h, const char *name, struct usb_device *u)
{
	_cleanup_free_ char *rel = strdupf(USB_DEVICES "/%s", name);
	struct path_dir d = { .fd = -1 };
	int k;

	if (!rel)
		return -ENOMEM;
	k = path_dir_open(h->root, rel, &d);
	if (k < 0) {
		host_diag(h, rel, "cannot open: %s", path_strerror(k));
		return k;
	}
	k = read_uint(h, &d, "busnum", 1023, &u->busnum);
	if (k == 0)
		k = read_uint(h, &d, "devnum", 1023, &u->devnum);
	if (k == 0)
		k = read_id(h, &d, "idVendor", &u->vendor);
	if (k == 0)
		k = read_id(h, &d, "idProduct", &u->product);
	if (k == 0) {
		if (path_dir_read(&d, "manufacturer", &u->manufacturer) < 0)
			u->manufacturer = NULL;
		if (path_dir_read(&d, "product", &u->product_name) < 0)
			u->product_name = NULL;
		u->sysname = strdup(name);
		if (!u->sysname)
			k = -ENOMEM;
	}
	path_dir_close(&d);
	return k;
}

static int cmp_usb(const void *a, const void *b)
{
	const struct usb_device *x = a, *y = b;

	if (x->busnum != y->busnum)
		return x->busnum < y->busnum ? -1 : 1;
	return (x->devnum > y->devnum) - (x->devnum < y->devnum);
}

static bool is_root_hub_name(const char *s)
{
	if (!startswith(s, "usb") || !s[3])
		return false;
	for (s += 3; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

static int attach_buses(struct host *h, struct pci_device *dev, struct usb_device *all, size_t nall)
{
	_cleanup_free_ char *rel = strdupf("sys/bus/pci/devices/%s", dev->name);
	struct strv names = { 0 };
	struct path_dir d = { .fd = -1 };
	int k;

	if (!rel)
		return -ENOMEM;
	if (path_dir_open(h->root, rel, &d) < 0)
		return 0;
	k = path_dir_list(&d, ".", &names);
	for (size_t i = 0; k == 0 && i < names.n; i++) {
		_cleanup_free_ char *attr = NULL;
		struct usb_bus *b;
		unsigned busnum;

		if (!is_root_hub_name(names.v[i]))
			continue;
		attr = strdupf("%s/busnum", names.v[i]);
		if (!attr) {
			k = -ENOMEM;
			break;
		}
		if (read_uint(h, &d, attr, 1023, &busnum) < 0)
			continue;
		b = realloc(dev->usb, (dev->nusb + 1) * sizeof(*dev->usb));
		if (!b) {
			k = -ENOMEM;
			break;
		}
		dev->usb = b;
		b = &dev->usb[dev->nusb++];
		*b = (struct usb_bus){ .sysname = strdup(names.v[i]), .busnum = busnum };
		if (!b->sysname) {
			k = -ENOMEM;
			break;
		}
		for (size_t j = 0; j < nall; j++) {
			if (all[j].busnum != busnum)
				continue;
			if (GROW(b->devs, b->alloc, b->ndevs + 1) < 0) {
				k = -ENOMEM;
				break;
			}
			/* Move the device to its bus; the list keeps a husk. */
			b->devs[b->ndevs++] = all[j];
			all[j] = (struct usb_device){ .busnum = UINT32_MAX };
		}
	}
	strv_clear(&names);
	path_dir_close(&d);
	return k == -ENOMEM ? k : 0;
}

int usb_load(struct host *h)
{
	struct strv names = { 0 };
	struct usb_device *all = NULL;
	size_t nall = 0, alloc = 0;
	int k = path_list(h->root, USB_DEVICES, &names), r = 0;

	if (k == -ENOMEM)
		return k;
	for (size_t i = 0; k == 0 && i < names.n; i++) {
		if (strchr(names.v[i], ':'))
			continue; /* an interface ("1-1:1.0"), not a device */
		if (GROW(all, alloc, nall + 1) < 0) {
			r = -ENOMEM;
			break;
		}
		all[nall] = (struct usb_device){ 0 };
		k = load_usb_device(h, names.v[i], &all[nall]);
		if (k == -ENOMEM) {
			r = k;
			break;
		}
		if (k == 0)
			nall++;
		else {
			free(all[nall].sysname);
			free(all[nall].manufacturer);
			free(all[nall].product_name);
		}
		k = 0;
	}
	if (r == 0) {
		if (nall > 1)
			qsort(all, nall, sizeof(*all), cmp_usb);
		for (size_t i = 0; i < h->npci && r == 0; i++)
			if (pci_is_usb_controller(&h->pci[i]))
				r = attach_buses(h, &h->pci[i], all, nall);
	}
	for (size_t j = 0; j < nall; j++) {
		free(all[j].sysname);
		free(all[j].manufacturer);
		free(all[j].product_name);
	}
	free(all);
	strv_clear(&names);
	return r;
}
