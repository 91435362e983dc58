/* SPDX-License-Identifier: GPL-2.0-or-later */
/* PCI devices from /sys/bus/pci/devices (Documentation/ABI/testing/sysfs-bus-pci). */
#include <sys/mman.h>

#include "host/host.h"
#include "shared/parse-number.h"

#define PCI_DEVICES "sys/bus/pci/devices"
#define PCI_SLOTS "sys/bus/pci/slots"

void pci_device_free(struct pci_device *d)
{
	free(d->driver);
	free(d->driver_override);
	free(d->modalias);
	strv_clear(&d->modules);
	free(d->reset_method);
	free(d->link_speed);
	free(d->label);
	free(d->slot);
	free(d->parents);
	for (size_t i = 0; i < d->nusb; i++) {
		struct usb_bus *b = &d->usb[i];
		for (size_t j = 0; j < b->ndevs; j++) {
			free(b->devs[j].sysname);
			free(b->devs[j].manufacturer);
			free(b->devs[j].product_name);
		}
		free(b->devs);
		free(b->sysname);
	}
	free(d->usb);
	for (size_t i = 0; i < d->nuses; i++)
		free(d->uses[i].what);
	free(d->uses);
	holders_free(d);
	if (d->bound)
		bind_state_free(d->bound);
	free(d->bound);
}

/* Read a hex attribute: 1 read, 0 absent (only when optional: older kernels
 * lack revision and subsystem_*), < 0 unusable, with the reason recorded. */
static int read_hex(struct host *h, struct path_dir *d, const char *attr, uint32_t max, bool optional,
		    uint32_t *ret)
{
	_cleanup_free_ char *s = NULL;
	int k = path_dir_read(d, attr, &s);

	if (k == -ENOENT && optional)
		return 0;
	if (k < 0) {
		host_diag(h, d->rel, "cannot read %s: %s", attr, path_strerror(k));
		return k;
	}
	if (parse_hex_u32(s, max, ret) < 0) {
		host_diag(h, d->rel, "%s is not a hex number of the expected size: \"%.40s\"", attr, s);
		return -EINVAL;
	}
	return 1;
}

/* Optional attribute: absent is fine (older kernels, other device types). */
static int read_optional(struct host *h, struct path_dir *d, const char *attr, char **ret)
{
	int k = path_dir_read(d, attr, ret);

	*ret = k == 0 ? *ret : NULL;
	if (k < 0 && k != -ENOENT) {
		host_diag(h, d->rel, "cannot read %s: %s", attr, path_strerror(k));
		return k;
	}
	return 0;
}

/* The last component of a link's target, or NULL where it names nothing:
 * "" (a trailing slash), "." or "..", which would name a directory above
 * drivers/ in the paths bind writes (/sys/bus/pci/drivers/../unbind). */
static const char *link_name(const char *target)
{
	const char *b = strrchr(target, '/');

	b = b ? b + 1 : target;
	return !*b || streq(b, ".") || streq(b, "..") ? NULL : b;
}

/* A link such as driver -> ../../../bus/pci/drivers/nouveau: its last
 * component, *base pointing into buf (NULL when there is no link). */
static int link_base(struct host *h, struct path_dir *d, const char *attr, char buf[static PATH_MAX], const char **base)
{
	int k = path_dir_readlink_buf(d, attr, buf);

	*base = NULL;
	if (k == -ENOENT)
		return 0;
	if (k < 0) {
		host_diag(h, d->rel, "%s is not a readable link: %s", attr, path_strerror(k));
		return k;
	}
	if (!(*base = link_name(buf))) {
		host_diag(h, d->rel, "%s link has no name: \"%s\"", attr, buf);
		return -EINVAL;
	}
	return 0;
}

static int read_link_base(struct host *h, struct path_dir *d, const char *attr, char **ret)
{
	char buf[PATH_MAX];
	const char *base;
	int k = link_base(h, d, attr, buf, &base);

	*ret = NULL;
	if (k < 0 || !base)
		return k;
	*ret = strdup(base);
	return *ret ? 0 : -ENOMEM;
}

/* The bus link ("../../../devices/pci0000:00/0000:00:01.0/0000:01:00.0")
 * names every bridge between the root bus and the device. target: the link
 * as read (cut up here), k: how reading it went. */
static int parse_parents(struct host *h, struct pci_device *dev, char *target, int k, const char *linkrel)
{
	struct pci_addr stack[32], *chain = stack;
	_cleanup_free_ struct pci_addr *heap = NULL;
	size_t n = 0, alloc = 1;
	char *save = NULL, *tok;

	if (k == -EINVAL) /* a directory, not a link: a copied tree without links */
		return 0;
	if (k < 0) {
		host_diag(h, linkrel, "cannot read link: %s", path_strerror(k));
		return 0;
	}
	/* As many as the link has components at most (on the stack, as a
	 * rule), then kept in an allocation of the addresses found. */
	for (const char *c = target; *c; c++)
		alloc += *c == '/';
	if (alloc > ARRAY_SIZE(stack) && !(chain = heap = calloc(alloc, sizeof(*chain))))
		return -ENOMEM;
	for (tok = strtok_r(target, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
		struct pci_addr a;
		if (parse_pci_addr(tok, &a) < 0)
			continue;
		chain[n++] = a;
	}
	if (n == 0 || pci_addr_cmp(&chain[n - 1], &dev->addr) != 0) {
		host_diag(h, linkrel, "link does not end in the device's own address");
		return 0;
	}
	if (!(dev->parents = malloc(n * sizeof(*chain))))
		return -ENOMEM;
	memcpy(dev->parents, chain, n * sizeof(*chain));
	dev->nparents = n - 1;
	return 0;
}

static enum pci_role classify(const struct pci_device *d)
{
	unsigned cls = d->class >> 8;

	if (cls == 0x0600)
		return PCI_ROLE_HOST_BRIDGE;
	if (cls == 0x0604 || cls == 0x0609)
		return d->nparents == 0 ? PCI_ROLE_ROOT_PORT : PCI_ROLE_BRIDGE;
	return PCI_ROLE_ENDPOINT;
}

static int read_small_int(struct host *h, struct path_dir *d, const char *attr, long min, long max, int *ret)
{
	_cleanup_free_ char *s = NULL;
	long v;
	int k = read_optional(h, d, attr, &s);

	if (k < 0 || !s)
		return k;
	if (parse_int(s, min, max, &v) < 0) {
		host_diag(h, d->rel, "%s is not a number in [%ld, %ld]: \"%.40s\"", attr, min, max, s);
		return -EINVAL;
	}
	*ret = (int)v;
	return 0;
}

/* resourceN_resize: "%016llx\n" of pci_rebar_get_possible_sizes(), bit k
 * for a BAR of 2^k MiB (drivers/pci/pci-sysfs.c, Linux 6.1+); and, for a
 * resizable BAR, its length now from "resource". A file that is not as the
 * kernel writes it is a diag and the BAR is left unknown. */
static int load_rebar(struct host *h, struct path_dir *d, struct pci_device *dev)
{
	_cleanup_free_ char *res = NULL;
	bool any = false;
	int k;

	for (unsigned n = 0; n < PCI_STD_BARS; n++) {
		_cleanup_free_ char *s = NULL;
		char attr[32];
		uint64_t v;

		snprintf(attr, sizeof(attr), "resource%u_resize", n);
		if ((k = read_optional(h, d, attr, &s)) == -ENOMEM)
			return k;
		if (!s)
			continue;
		if (strlen(s) > 16 || parse_u64(s, 16, UINT64_MAX, &v) < 0) {
			host_diag(h, d->rel, "%s is not the kernel's mask of BAR sizes (up to 16 hex digits): \"%.40s\"",
				  attr, s);
			continue;
		}
		dev->rebar_sizes[n] = v;
		any = any || v;
	}
	if (!any)
		return 0;
	if ((k = read_optional(h, d, "resource", &res)) == -ENOMEM)
		return k;
	if (!res) {
		if (k == 0)
			host_diag(h, d->rel, "resource: absent: the size of its resizable BARs now is unknown");
		return 0;
	}
	for (unsigned n = 0; n < PCI_STD_BARS; n++)
		if (dev->rebar_sizes[n] && pci_resource_len(res, n, &dev->bar_len[n]) < 0)
			host_diag(h, d->rel, "resource: line %u is not \"0xSTART 0xEND 0xFLAGS\": the size of BAR %u now is "
				  "unknown", n + 1, n);
	return 0;
}

/* The link (PCIe devices; drivers/pci/pci-sysfs.c) and the firmware's
 * label. An empty attribute (a copy that could not read it) is unknown. */
static int load_link(struct host *h, struct path_dir *d, struct pci_device *dev)
{
	_cleanup_free_ char *width = NULL;
	long v;

	if (read_optional(h, d, "current_link_speed", &dev->link_speed) == -ENOMEM ||
	    read_optional(h, d, "current_link_width", &width) == -ENOMEM ||
	    read_optional(h, d, "label", &dev->label) == -ENOMEM)
		return -ENOMEM;
	if (dev->link_speed && !*dev->link_speed) {
		free(dev->link_speed);
		dev->link_speed = NULL;
	}
	if (dev->label && !*dev->label) {
		free(dev->label);
		dev->label = NULL;
	}
	if (width && *width) {
		if (parse_int(width, 0, 32, &v) < 0)
			host_diag(h, d->rel, "current_link_width is not a number in [0, 32]: \"%.40s\"", width);
		else
			dev->link_width = (int)v;
	}
	return 0;
}

/* The identity from the attribute files, as the kernel has it (dev->vendor,
 * ->class, ... after its fixups): where config space cannot say. */
static int identity_from_attrs(struct host *h, struct path_dir *d, struct pci_device *dev, bool need_ids,
			       bool need_class, bool need_subsys)
{
	uint32_t v;

	if (need_ids) {
		if (read_hex(h, d, "vendor", 0xffff, false, &v) < 0)
			return -EINVAL;
		dev->vendor = (uint16_t)v;
		if (read_hex(h, d, "device", 0xffff, false, &v) < 0)
			return -EINVAL;
		dev->device = (uint16_t)v;
	}
	if (need_class && read_hex(h, d, "class", 0xffffff, false, &dev->class) < 0)
		return -EINVAL;
	if (need_subsys) {
		uint32_t sv, sd;
		if (read_hex(h, d, "subsystem_vendor", 0xffff, true, &sv) > 0 &&
		    read_hex(h, d, "subsystem_device", 0xffff, true, &sd) > 0) {
			dev->subvendor = (uint16_t)sv;
			dev->subdevice = (uint16_t)sd;
			dev->has_subsys = true;
		}
	}
	if (!dev->has_revision && read_hex(h, d, "revision", 0xff, true, &v) > 0) {
		dev->revision = (uint8_t)v;
		dev->has_revision = true;
	}
	return 0;
}

/* Vendors with a fixup that gives a device another class than its config
 * space says, from a class kept_class() would keep: Juniper, Huawei and
 * Freescale (quirk_jnx_asic, quirk_jnx_fpga, quirk_hisi_fixup_np_class,
 * quirk_la9310_cc, as posted), NetMos serial cards with parallel ports
 * (quirk_netmos: 0x0700 made 0x0780) and SysKonnect's SD host (its
 * programming interface, set by sdhci-pci's syskt_probe). */
static bool vendor_reclassed(uint16_t vendor)
{
	switch (vendor) {
	case 0x1304: /* Juniper */
	case 0x19e5: /* Huawei */
	case 0x1957: /* Freescale */
	case 0x9710: /* NetMos */
	case 0x1148: /* SysKonnect */
		return true;
	}
	return false;
}

/* Base classes no fixup rewrites: network, display, communication, system
 * peripheral, input, wireless, encryption, signal processing, accelerators,
 * instrumentation. The kernel rewrites the others on some machines, and the
 * class file says what it made of them: USB host controllers made USB
 * devices for dwc3 (quirk_amd_nl_class, quirk_synopsys_haps), host bridges,
 * processors and "other" bridges made PCI bridges by SoC host controller
 * drivers (qcom, layerscape, mvebu, tegra ...), IDE and SATA modes
 * (quirk_ide_samemode, quirk_sb600_sata), class 0 made SCSI
 * (fixup_rev1_53c810), multimedia (quirk_tw686x_class, fixup_ti816x_class). */
static bool kept_class(uint32_t cls)
{
	switch (cls >> 16) {
	case 0x02: case 0x03: case 0x07: case 0x08: case 0x09: case 0x0d: case 0x10: case 0x11: case 0x12: case 0x13:
		return true;
	}
	return false;
}

/* A PCI-to-PCI bridge's class, 0x060400, with a bridge's header (type 1):
 * pci_setup_device() keeps it (with another header type it is "ignored",
 * made 0, which the class file says). The fixups that set a bridge class
 * (Linux 6.18: qcom, tegra, loongson, iproc, powernv's P7IOC, sb1250, fsl)
 * make a device of another class one, 0x060400, never the reverse; a
 * subtractive-decode bridge (0x060401) may become one, so its class file
 * is read. So are those of the vendors whose boards' host controllers a
 * fixup makes host or "other" bridges: Marvell and Galileo (arch/arm orion,
 * dove, mv78xx0; MIPS cobalt), DEC (footbridge), and from older kernels NEC
 * (EMMA2RH), Toshiba (TC90490) and Intel's IXP4xx and IXP23xx; and on
 * powerpc, where a device tree may give the class (pci_of_scan.c), every
 * bridge's. Checked in Linux 6.18.15's drivers/ and arch/: every write of
 * a device's class. 4 calls a bridge fewer: a quarter of the devices at
 * 10,000 behind 2,500 root ports. A known limit: a --root copied from a
 * powerpc machine and read on another is not told apart. */
static bool bridge_class_kept(uint32_t cls, uint8_t header, uint16_t vendor, uint16_t device)
{
#if defined(__powerpc__) || defined(__powerpc64__)
	return false;
#endif
	if (cls != 0x060400 || header != 1 || vendor_reclassed(vendor))
		return false;
	switch (vendor) {
	case 0x11ab: /* Marvell, Galileo */
	case 0x1011: /* DEC */
	case 0x1033: /* NEC */
	case 0x102f: /* Toshiba */
		return false;
	case 0x8086: /* Intel: IXP4xx, IXP23xx */
		return device != 0x8500 && device != 0x9002;
	}
	return true;
}

/* Vendor, device, class, revision and subsystem from the first 64 bytes of
 * config space (one file where there were six), as the kernel reads them in
 * pci_setup_device(). Config space does not always say what the kernel has:
 *   - a file shorter than the header (a copied tree, a snapshot cut short)
 *     or none at all: the attribute files, as before;
 *   - vendor 0xffff or 0: an SR-IOV virtual function (whose IDs the kernel
 *     takes from its physical function) or a device that went away: the
 *     attribute files;
 *   - a class a fixup may rewrite: the class file, which shows the
 *     kernel's, unless kept_class() and not vendor_reclassed(), or
 *     bridge_class_kept();
 *   - subsystem IDs of a bridge (header type 1: from its SSVID capability,
 *     past 64 bytes) or of CardBus (type 2), or none (0000:0000): the
 *     subsystem files, which older kernels and some trees lack.
 * A config that is there but cannot be read (a directory, a FIFO, a link)
 * is named in a diag, and the attribute files say the rest. */
static int load_identity(struct host *h, struct path_dir *d, struct pci_device *dev)
{
	uint8_t cfg[64];
	size_t len = 0;
	bool ids_read = false, class_read = false, subsys_read = false;
	int k = path_dir_read_head(d, "config", cfg, sizeof(cfg), &len);

	if (k == -ENOMEM)
		return k;
	if (k < 0 && k != -ENOENT)
		host_diag(h, d->rel, "cannot read config: %s; its identity is read from the attribute files",
			  path_strerror(k));
	if (k == 0 && len == sizeof(cfg)) {
		uint16_t vendor = (uint16_t)(cfg[0] | cfg[1] << 8);
		uint8_t header = cfg[0x0e] & 0x7f;

		if (vendor != 0xffff && vendor != 0) {
			ids_read = true;
			dev->vendor = vendor;
			dev->device = (uint16_t)(cfg[2] | cfg[3] << 8);
			dev->revision = cfg[0x08];
			dev->has_revision = true;
			dev->class = (uint32_t)cfg[0x09] | (uint32_t)cfg[0x0a] << 8 | (uint32_t)cfg[0x0b] << 16;
			class_read = (kept_class(dev->class) && !vendor_reclassed(vendor)) ||
				     bridge_class_kept(dev->class, header, vendor, dev->device);
			if (header == 0 && (cfg[0x2c] | cfg[0x2d] | cfg[0x2e] | cfg[0x2f])) {
				dev->subvendor = (uint16_t)(cfg[0x2c] | cfg[0x2d] << 8);
				dev->subdevice = (uint16_t)(cfg[0x2e] | cfg[0x2f] << 8);
				dev->has_subsys = subsys_read = true;
			}
		}
	}
	return identity_from_attrs(h, d, dev, !ids_read, !class_read, !subsys_read);
}

/* The bus's directories, opened once for every device. */
struct pci_bus {
	struct path_dir devices; /* sys/bus/pci/devices */
	/* sys/devices, where devices/'s links lead ("../../../devices/..."),
	 * when devices/ was reached through no link (then "../../.." from it
	 * is sys/); fd -1 otherwise. */
	struct path_dir sys_devices;
};

#define BUS_LINK_PREFIX "../../../devices/"

/* A device's directory. Where its link is the kernel's, beneath
 * sys/devices, with no other link on the way: the same directory the link
 * leads to, without walking sys/bus/pci/devices, the link and "../../.."
 * again for each device (a sixth of groups' time at 10,000 devices). Any
 * other link, or a directory in its place, is followed inside the root as
 * before. */
static int open_device_dir(struct host *h, struct pci_bus *bus, const char *rel, const char *target, int link_k,
			   struct path_dir *d)
{
	/* No "..": the kernel's links have none, and openat2 gives EAGAIN
	 * for a walk through one while anything on the machine is renamed. */
	if (link_k == 0 && bus->sys_devices.fd >= 0 && startswith(target, BUS_LINK_PREFIX) &&
	    !strstr(target + strlen(BUS_LINK_PREFIX), ".."))
		return path_dir_open_beneath(&bus->sys_devices, target + strlen(BUS_LINK_PREFIX), rel, d);
	return path_dir_open(h->root, rel, d);
}

static int load_device(struct host *h, struct pci_bus *bus, const char *name, unsigned flags,
		       struct path_listing *listing, struct pci_device *dev)
{
	char rel[sizeof(PCI_DEVICES "/") + NAME_MAX], target[PATH_MAX], glink[PATH_MAX];
	const char *group;
	struct path_dir d = { .fd = -1 };
	size_t len = strlen(name);
	int k, link_k;

	if (len > NAME_MAX)
		return -ENAMETOOLONG; /* not from a directory listing */
	memcpy(rel, PCI_DEVICES "/", sizeof(PCI_DEVICES "/") - 1);
	memcpy(rel + sizeof(PCI_DEVICES "/") - 1, name, len + 1);
	if (parse_pci_addr(name, &dev->addr) < 0) {
		host_diag(h, rel, "not a PCI address");
		return -EINVAL;
	}
	format_pci_addr(&dev->addr, dev->name);
	if (!streq(dev->name, name)) {
		/* 03:00.0 beside 0000:03:00.0 would be one device twice. */
		host_diag(h, rel, "not a PCI address as the kernel writes it (%s)", dev->name);
		return -EINVAL;
	}
	dev->iommu_group = dev->boot_vga = dev->numa_node = dev->link_width = -1;

	link_k = path_dir_readlink_buf(&bus->devices, name, target);
	k = open_device_dir(h, bus, rel, target, link_k, &d);
	if (k < 0) {
		host_diag(h, rel, "cannot open device directory: %s", path_strerror(k));
		return k;
	}
	/* The directory's entries once: the attributes a device lacks (reset,
	 * boot_vga, the link's) then cost no lookup each. Unlisted, each is
	 * asked for as before. */
	if (path_dir_scan(&d, listing) == -ENOMEM)
		goto fail;
	k = load_identity(h, &d, dev);
	if (k == -ENOMEM)
		goto fail;
	if (k < 0)
		goto invalid;

	k = read_link_base(h, &d, "driver", &dev->driver);
	if (k == -ENOMEM)
		goto fail;
	k = (flags & HOST_PCI_NO_OVERRIDE) ? 0 : read_optional(h, &d, "driver_override", &dev->driver_override);
	if (k == -ENOMEM)
		goto fail;
	if (dev->driver_override && (streq(dev->driver_override, "(null)") || !*dev->driver_override)) {
		free(dev->driver_override);
		dev->driver_override = NULL;
	}
	/* Only to match modules (HOST_LOAD_MODULES). */
	if ((flags & HOST_LOAD_MODULES) && read_optional(h, &d, "modalias", &dev->modalias) == -ENOMEM)
		goto fail;
	if (read_optional(h, &d, "reset_method", &dev->reset_method) == -ENOMEM)
		goto fail;
	dev->has_reset = path_dir_exists(&d, "reset");
	/* Six lookups for what only a GPU's resizable BAR is asked for
	 * (doctor's resizable-bar): other devices' are left 0. */
	if (pci_is_display(dev) && load_rebar(h, &d, dev) == -ENOMEM)
		goto fail;
	/* The kernel shows boot_vga for VGA devices only (pci_is_vga():
	 * display, or the pre-2.0 VGA class 0x0001). */
	if (pci_is_display(dev) || dev->class >> 8 == 0x0001)
		read_small_int(h, &d, "boot_vga", 0, 1, &dev->boot_vga);
	if (!(flags & HOST_PCI_NO_NUMA))
		read_small_int(h, &d, "numa_node", -1, 65535, &dev->numa_node);
	/* Only the inventory shows them (HOST_LOAD_LINKS): three files a
	 * PCIe device has that no other command reads. */
	if ((flags & HOST_LOAD_LINKS) && load_link(h, &d, dev) == -ENOMEM)
		goto fail;

	link_base(h, &d, "iommu_group", glink, &group);
	if (group) {
		long g;
		if (parse_int(group, 0, INT32_MAX, &g) < 0)
			host_diag(h, d.rel, "iommu_group link does not name a group number: \"%.40s\"", group);
		else
			dev->iommu_group = (int)g;
	}
	path_dir_close(&d);

	if (parse_parents(h, dev, target, link_k, rel) < 0)
		return -ENOMEM;
	dev->role = classify(dev);
	return 0;

invalid:
	path_dir_close(&d);
	return -EINVAL;
fail:
	path_dir_close(&d);
	return -ENOMEM;
}

/* n devices, cleared. The count is known: the array is made that size, not
 * the next power of two. From 2 MiB (5,000 devices), in whole 2 MiB pages,
 * huge ones where transparent huge pages are "madvise": the array is
 * written whole at once, and in a virtual machine a page fault a 4 KiB
 * (500 a 2 MiB) was most of what it cost. Where they are off, the same
 * memory in small pages. */
static struct pci_device *alloc_devices(size_t n)
{
	const size_t huge = 2u << 20;
	size_t bytes;
	void *p;

	if (!size_mul(n, sizeof(struct pci_device), &bytes) || bytes > SIZE_MAX - huge)
		return NULL;
	if (bytes < huge)
		return calloc(n, sizeof(struct pci_device));
	bytes = (bytes + huge - 1) & ~(huge - 1);
	p = aligned_alloc(huge, bytes);
	if (!p)
		return NULL;
	(void)madvise(p, bytes, MADV_HUGEPAGE);
	memset(p, 0, bytes);
	return p;
}

static int cmp_dev(const void *a, const void *b)
{
	return pci_addr_cmp(&((const struct pci_device *)a)->addr, &((const struct pci_device *)b)->addr);
}

/* Physical slots (drivers/pci/slot.c): sys/bus/pci/slots/NAME/address
 * holds "DOMAIN:BUS:DEV", the slot's functions are the devices there. */
static int load_slots(struct host *h)
{
	struct strv names = { 0 };
	int k = path_list(h->root, PCI_SLOTS, &names);

	if (k == -ENOMEM)
		return k;
	for (size_t i = 0; k >= 0 && i < names.n; i++) {
		_cleanup_free_ char *rel = strdupf(PCI_SLOTS "/%s/address", names.v[i]), *addr = NULL, *full = NULL;
		struct pci_addr a;

		if (!rel)
			goto oom;
		k = path_read_string(h->root, rel, &addr);
		if (k == -ENOMEM)
			goto oom;
		if (k < 0) {
			if (k != -ENOENT) /* slots without an address (hotplug drivers' placeholders) */
				host_diag(h, rel, "cannot read: %s", path_strerror(k));
			k = 0;
			continue;
		}
		full = strdupf("%s.0", addr);
		if (!full)
			goto oom;
		if (parse_pci_addr(full, &a) < 0) {
			host_diag(h, rel, "not a slot address (DOMAIN:BUS:DEV)");
			continue;
		}
		for (size_t j = 0; j < h->npci; j++)
			if (pci_addr_same_slot(&h->pci[j].addr, &a) && !h->pci[j].slot &&
			    !(h->pci[j].slot = strdup(names.v[i])))
				goto oom;
	}
	strv_clear(&names);
	return 0;
oom:
	strv_clear(&names);
	return -ENOMEM;
}

int pci_load(struct host *h, unsigned flags)
{
	struct pci_bus bus = { .devices.fd = -1, .sys_devices.fd = -1 };
	struct path_listing listing = { 0 }, buslist = { 0 };
	const char **names = NULL;
	size_t n = 0;
	int k = path_dir_open_no_links(h->root, PCI_DEVICES, &bus.devices);

	if (k == 0 && (k = path_dir_open(h->root, "sys/devices", &bus.sys_devices)) < 0)
		k = k == -ENOMEM ? k : 0; /* then each link is followed */
	else if (k == -ELOOP)
		k = path_dir_open(h->root, PCI_DEVICES, &bus.devices);
	if (k == -ENOENT)
		return 0; /* no PCI bus (or not a Linux root): nothing to list */
	/* The names once, pointers into the listing: no copy of each. */
	if (k == 0)
		k = path_dir_names(&bus.devices, &buslist, &names, &n);
	if (k < 0) {
		host_diag(h, PCI_DEVICES, "cannot list: %s", path_strerror(k));
		k = k == -ENOMEM ? k : 0;
		goto out;
	}
	if (n > h->pci_alloc) {
		struct pci_device *p = alloc_devices(n);
		if (!p) {
			k = -ENOMEM;
			goto out;
		}
		if (h->npci)
			memcpy(p, h->pci, h->npci * sizeof(*p));
		free(h->pci);
		h->pci = p;
		h->pci_alloc = n;
	}
	for (size_t i = 0; i < n; i++) {
		struct pci_device *dev = &h->pci[h->npci];

		memset(dev, 0, sizeof(*dev));
		k = load_device(h, &bus, names[i], flags, &listing, dev);
		if (k == -ENOMEM) {
			pci_device_free(dev);
			goto out;
		}
		if (k < 0) {
			pci_device_free(dev); /* unusable: reported in diags, skipped */
			continue;
		}
		h->npci++;
	}
	/* In order already, as a rule: the names were sorted, and strcmp()
	 * orders the kernel's fixed-width lower-case form as the numbers. */
	for (size_t i = 1; i < h->npci; i++)
		if (cmp_dev(&h->pci[i - 1], &h->pci[i]) > 0) {
			qsort(h->pci, h->npci, sizeof(*h->pci), cmp_dev);
			break;
		}
	k = (flags & HOST_LOAD_LINKS) ? load_slots(h) : 0;
out:
	free(names);
	path_dir_close(&bus.devices);
	path_dir_close(&bus.sys_devices);
	path_listing_free(&buslist);
	path_listing_free(&listing);
	return k;
}

bool host_path_exists(struct host *h, const char *path)
{
	return path_exists(h->root, path);
}

static int probe_driver(struct host *h, const char *driver)
{
	_cleanup_free_ char *rel = NULL;

	if (strv_contains(&h->pci_drivers, driver))
		return 0;
	if (!(rel = strdupf("sys/bus/pci/drivers/%s", driver)))
		return -ENOMEM;
	return path_exists(h->root, rel) && strv_push(&h->pci_drivers, driver) < 0 ? -ENOMEM : 0;
}

int host_pci_drivers_probe(struct host *h, const char *driver)
{
	if (driver && probe_driver(h, driver) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < h->npci; i++)
		for (size_t j = 0; j < h->pci[i].modules.n; j++) {
			_cleanup_free_ char *dashed = strdup(h->pci[i].modules.v[j]);
			if (!dashed)
				return -ENOMEM;
			for (char *c = dashed; *c; c++)
				if (*c == '_')
					*c = '-';
			if (probe_driver(h, h->pci[i].modules.v[j]) < 0 || probe_driver(h, dashed) < 0)
				return -ENOMEM;
		}
	return 0;
}

const struct pci_device *host_find_pci(const struct host *h, const struct pci_addr *a)
{
	struct pci_device key = { .addr = *a };

	if (h->npci == 0)
		return NULL;
	return bsearch(&key, h->pci, h->npci, sizeof(*h->pci), cmp_dev);
}

int pci_read_driver(struct path_root *r, const char *device, char **ret)
{
	_cleanup_free_ char *rel = strdupf(PCI_DEVICES "/%s/driver", device), *target = NULL;
	const char *base;
	int k;

	if (!rel)
		return -ENOMEM;
	*ret = NULL;
	k = path_readlink(r, rel, &target);
	if (k == -ENOENT)
		return 0;
	if (k < 0)
		return k;
	if (!(base = link_name(target)))
		return -EINVAL;
	*ret = strdup(base);
	return *ret ? 0 : -ENOMEM;
}
