/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the running host does with its PCI devices, so that `vfiokit bind`
 * never takes away the screen, the disk or the network it depends on:
 *
 *  - displays: DRM connectors that are connected and enabled
 *    (/sys/class/drm/cardN-*), framebuffers (/sys/class/graphics/fbN,
 *    /proc/fb), and boot framebuffers (efifb, simplefb, BOOTFB in
 *    /proc/iomem) that lie inside a display device's memory BARs;
 *  - mounts and swap: /proc/self/mountinfo and /proc/swaps, device numbers
 *    through /sys/dev/block (and the slaves of device-mapper and md devices)
 *    to the PCI devices in the block device's sysfs path;
 *  - default routes: /proc/net/route and /proc/net/ipv6_route, interfaces
 *    through /sys/class/net (and lower_* / brif for bonds, VLANs, bridges).
 *
 * A use is attached to every PCI device in the sysfs path (the controller
 * and the bridges above it). A source that cannot be read (absent,
 * unreadable, a NUL byte, too large, a table line not as the kernel writes
 * it or a missing header) leaves its kind unknown
 * (host->usage_unknown), which bind, vm and setup refuse; a kernel without DRM
 * (no sys/module/drm), without framebuffers (no sys/class/graphics) or
 * without IPv6 (no proc/sys/net/ipv6) is known to have none. Also reads
 * the state `vfiokit bind` left in run/vfiokit/bound.
 */
#include "host/host.h"

#define MAX_DEPTH 6 /* stacked block or network devices */

const char *pci_use_kind_name(enum pci_use_kind k)
{
	switch (k) {
	case PCI_USE_DISPLAY:
		return "display";
	case PCI_USE_MOUNT:
		return "mount";
	case PCI_USE_ROUTE:
		return "route";
	}
	return "?";
}

static struct pci_device *find_dev(struct host *h, const struct pci_addr *a)
{
	return (struct pci_device *)host_find_pci(h, a);
}

static int add_use(struct pci_device *d, enum pci_use_kind kind, const char *what)
{
	for (size_t i = 0; i < d->nuses; i++)
		if (d->uses[i].kind == kind && streq(d->uses[i].what, what))
			return 0;
	if (GROW(d->uses, d->uses_alloc, d->nuses + 1) < 0)
		return -ENOMEM;
	d->uses[d->nuses].what = strdup(what);
	if (!d->uses[d->nuses].what)
		return -ENOMEM;
	d->uses[d->nuses++].kind = kind;
	return 0;
}

/* Attach to every PCI device named in a sysfs path
 * ("../../devices/pci0000:00/0000:00:1f.2/ata1/.../block/sda"). Returns the
 * number of devices found. */
static int attach_path(struct host *h, const char *target, enum pci_use_kind kind, const char *what)
{
	_cleanup_free_ char *copy = strdup(target);
	char *save = NULL, *tok;
	int found = 0;

	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
		struct pci_addr a;
		struct pci_device *d;
		if (parse_pci_addr(tok, &a) < 0 || !(d = find_dev(h, &a)))
			continue;
		if (add_use(d, kind, what) < 0)
			return -ENOMEM;
		found++;
	}
	return found;
}

/* Attach through a class link (sys/class/..., sys/dev/block/...). */
static int attach_link(struct host *h, const char *rel, enum pci_use_kind kind, const char *what)
{
	_cleanup_free_ char *target = NULL;
	int k = path_readlink(h->root, rel, &target);

	if (k == -ENOMEM)
		return k;
	if (k < 0)
		return 0;
	return attach_path(h, target, kind, what);
}

/* Fail closed: what cannot be read makes the use unknown, and bind refuses
 * every device for it. The first reason is kept. */
static int unknown_why(struct host *h, enum pci_use_kind kind, const char *rel, const char *why)
{
	if (h->usage_unknown[kind])
		return 0;
	h->usage_unknown[kind] = strdupf("/%s: %s", rel, why);
	return h->usage_unknown[kind] ? 0 : -ENOMEM;
}

static int unknown(struct host *h, enum pci_use_kind kind, const char *rel, int err)
{
	const char *why = err == -ENOENT ? "absent" : err == -EBADMSG ? "it holds a NUL byte"
			: err == -EFBIG ? "too large" : err == -EISDIR ? "a directory" : path_strerror(err);

	if (err == -ENOMEM)
		return err;
	return unknown_why(h, kind, rel, why);
}

/* A table with a line not as the kernel writes it (header: what its first
 * line must be, NULL when it has none): what that line held is not known. */
static int bad_line(struct host *h, enum pci_use_kind kind, const char *rel, size_t no, const char *header)
{
	_cleanup_free_ char *why = no == 1 && header ? strdupf("line 1 is not %s", header)
						       : strdupf("line %zu is not as the kernel writes it", no);

	return why ? unknown_why(h, kind, rel, why) : -ENOMEM;
}

/* ------------------------------------------------------------ displays */

static int read_attr(struct host *h, const char *dir, const char *attr, char **ret)
{
	_cleanup_free_ char *rel = strdupf("%s/%s", dir, attr);

	*ret = NULL;
	if (!rel)
		return -ENOMEM;
	return path_read_string(h->root, rel, ret);
}

static int load_drm(struct host *h)
{
	struct strv names = { 0 };
	int k = path_list(h->root, "sys/class/drm", &names);

	/* No drm class and no drm module: this kernel has no DRM driver. */
	if (k == -ENOENT && !path_exists(h->root, "sys/module/drm"))
		return 0;
	if (k < 0)
		return unknown(h, PCI_USE_DISPLAY, "sys/class/drm", k);
	for (size_t i = 0; i < names.n && k >= 0; i++) {
		_cleanup_free_ char *status = NULL, *enabled = NULL, *rel = NULL, *what = NULL;
		const char *n = names.v[i];

		if (!startswith(n, "card") || !strchr(n, '-'))
			continue; /* connectors are cardN-NAME */
		rel = strdupf("sys/class/drm/%s", n);
		if (!rel) {
			k = -ENOMEM;
			break;
		}
		/* A connector whose state cannot be read may light a screen. */
		if ((k = read_attr(h, rel, "status", &status)) < 0 || (k = read_attr(h, rel, "enabled", &enabled)) < 0) {
			_cleanup_free_ char *attr = strdupf("%s/%s", rel, status ? "enabled" : "status");
			k = attr ? unknown(h, PCI_USE_DISPLAY, attr, k) : -ENOMEM;
			continue;
		}
		if (!streq(status, "connected") || !streq(enabled, "enabled"))
			continue;
		what = strdupf("connector %s is connected and enabled", n);
		k = what ? attach_link(h, rel, PCI_USE_DISPLAY, what) : -ENOMEM;
	}
	strv_clear(&names);
	return k < 0 ? k : 0;
}

/* /proc/fb: "0 bochs-drmdrmfb" per line. */
static char *fb_name(const char *procfb, unsigned index)
{
	const char *p = procfb;

	while (p && *p) {
		char *end;
		unsigned long n = strtoul(p, &end, 10);
		const char *nl = strchr(p, '\n');
		if (end != p && *end == ' ' && n == index)
			return strndup(end + 1, nl ? (size_t)(nl - end - 1) : strlen(end + 1));
		p = nl ? nl + 1 : NULL;
	}
	return NULL;
}

static int load_framebuffers(struct host *h)
{
	_cleanup_free_ char *procfb = NULL;
	struct strv names = { 0 };
	int k;

	(void)path_read_file(h->root, "proc/fb", 65536, &procfb, NULL);
	k = path_list(h->root, "sys/class/graphics", &names);
	if (k == -ENOENT)
		return 0; /* no framebuffer device */
	if (k < 0)
		return unknown(h, PCI_USE_DISPLAY, "sys/class/graphics", k);
	for (size_t i = 0; i < names.n && k >= 0; i++) {
		_cleanup_free_ char *rel = NULL, *what = NULL, *name = NULL;
		unsigned idx;
		char end;

		if (sscanf(names.v[i], "fb%u%c", &idx, &end) != 1)
			continue;
		name = procfb ? fb_name(procfb, idx) : NULL;
		rel = strdupf("sys/class/graphics/%s", names.v[i]);
		what = name ? strdupf("framebuffer %s (%s)", names.v[i], name) : strdupf("framebuffer %s", names.v[i]);
		k = rel && what ? attach_link(h, rel, PCI_USE_DISPLAY, what) : -ENOMEM;
	}
	strv_clear(&names);
	return k < 0 ? k : 0;
}

/* A firmware framebuffer (efifb, simplefb) has no PCI parent in sysfs; its
 * memory range inside a GPU's BAR says which card it scans out from. */
static int load_boot_framebuffers(struct host *h)
{
	_cleanup_free_ char *iomem = NULL;
	_cleanup_free_ struct mem_range *fbs = NULL;
	size_t nfb = 0;

	if (path_read_file(h->root, "proc/iomem", 1u << 20, &iomem, NULL) < 0)
		return 0;
	if (iomem_framebuffers(iomem, &fbs, &nfb) < 0)
		return -ENOMEM;
	if (nfb == 0)
		return 0;
	for (size_t i = 0; i < h->npci; i++) {
		struct pci_device *d = &h->pci[i];
		_cleanup_free_ char *rel = NULL, *text = NULL;
		_cleanup_free_ struct mem_range *bars = NULL;
		size_t nbars = 0;

		if (!pci_is_display(d))
			continue;
		rel = strdupf("sys/bus/pci/devices/%s/resource", d->name);
		if (!rel)
			return -ENOMEM;
		if (path_read_file(h->root, rel, 65536, &text, NULL) < 0)
			continue;
		if (pci_resource_parse(text, &bars, &nbars) < 0)
			return -ENOMEM;
		for (size_t b = 0; b < nbars; b++)
			for (size_t f = 0; f < nfb; f++) {
				_cleanup_free_ char *what = NULL;
				if (!mem_ranges_overlap(&bars[b], &fbs[f]))
					continue;
				what = strdupf("boot framebuffer at 0x%llx", (unsigned long long)fbs[f].start);
				if (!what || add_use(d, PCI_USE_DISPLAY, what) < 0)
					return -ENOMEM;
			}
	}
	return 0;
}

/* ------------------------------------------------------- mounts, swap */

/* rel is sys/dev/block/MAJ:MIN or sys/class/block/NAME. */
/* "../../devices/pci0000:00/..." -> "devices/pci0000:00/...". */
static const char *sysfs_from_devices(const char *target)
{
	const char *d = strstr(target, "devices/");

	return d ? d : target;
}

static int attach_block(struct host *h, const char *rel, const char *what, int depth)
{
	struct strv slaves = { 0 };
	_cleanup_free_ char *srel = NULL, *target = NULL;
	int k = attach_link(h, rel, PCI_USE_MOUNT, what);

	if (k < 0 || depth >= MAX_DEPTH)
		return k;
	/* The block device itself, for a guest's --disk (host_block_lookup). */
	if (path_readlink(h->root, rel, &target) == 0 &&
	    (strv_push(&h->block_used, sysfs_from_devices(target)) < 0 || strv_push(&h->block_used_what, what) < 0))
		return -ENOMEM;
	/* device-mapper (LVM, LUKS) and md: the devices underneath. */
	srel = strdupf("%s/slaves", rel);
	if (!srel)
		return -ENOMEM;
	if (path_list(h->root, srel, &slaves) < 0)
		return 0;
	for (size_t i = 0; i < slaves.n && k >= 0; i++) {
		_cleanup_free_ char *sub = strdupf("sys/class/block/%s", slaves.v[i]);
		k = sub ? attach_block(h, sub, what, depth + 1) : -ENOMEM;
	}
	strv_clear(&slaves);
	return k < 0 ? k : 0;
}

/* A source such as /dev/nvme0n1p2 or /dev/mapper/root (a link to ../dm-0):
 * for filesystems whose device number is anonymous (btrfs) and for swap. */
static int attach_source(struct host *h, const char *source, const char *what)
{
	_cleanup_free_ char *link = NULL, *rel = NULL;
	const char *name;

	if (!startswith(source, "/dev/"))
		return 0;
	if (path_readlink(h->root, source, &link) == 0)
		name = strrchr(link, '/') ? strrchr(link, '/') + 1 : link;
	else
		name = strrchr(source, '/') + 1;
	if (!*name || strchr(name, '.'))
		return 0;
	rel = strdupf("sys/class/block/%s", name);
	return rel ? attach_block(h, rel, what, 0) : -ENOMEM;
}

static int load_mounts(struct host *h)
{
	_cleanup_free_ char *text = NULL, *swaps = NULL;
	char *save = NULL, *line;
	int k = path_read_file(h->root, "proc/self/mountinfo", PATH_READ_MAX, &text, NULL);

	if (k < 0 && (k = unknown(h, PCI_USE_MOUNT, "proc/self/mountinfo", k)) < 0)
		return k;
	if (text) {
		bool root_seen = false;
		for (line = strtok_r(text, "\n", &save); line && k >= 0; line = strtok_r(NULL, "\n", &save)) {
			struct mountinfo_entry m;
			_cleanup_free_ char *what = NULL, *rel = NULL;
			/* A line not read is a mount not seen: the device under it
			 * would look free. */
			if (mountinfo_parse_line(line, &m) < 0) {
				k = unknown_why(h, PCI_USE_MOUNT, "proc/self/mountinfo", "a line it cannot read");
				continue;
			}
			root_seen |= streq(m.target, "/");
			what = strdupf("%s (%s)", m.target, m.source);
			if (!what)
				return -ENOMEM;
			if (m.major != 0) {
				rel = strdupf("sys/dev/block/%u:%u", m.major, m.minor);
				if (!rel)
					return -ENOMEM;
				/* A block device sysfs does not show: its disk is unknown. */
				k = path_exists(h->root, rel) ? attach_block(h, rel, what, 0)
							      : unknown_why(h, PCI_USE_MOUNT, rel, "absent");
			} else
				k = attach_source(h, m.source, what);
		}
		/* Every Linux mount table has "/": one without it is not one. */
		if (k >= 0 && !root_seen)
			k = unknown_why(h, PCI_USE_MOUNT, "proc/self/mountinfo", "no mount of /");
	}
	if (k >= 0 && (k = path_read_file(h->root, "proc/swaps", 1u << 20, &swaps, NULL)) < 0)
		k = unknown(h, PCI_USE_MOUNT, "proc/swaps", k);
	if (k >= 0 && swaps) {
		_cleanup_(strv_clear) struct strv areas = { 0 };
		size_t bad;
		/* A line not read is a swap area not seen. */
		if ((k = swaps_parse(swaps, &areas, &bad)) == -EINVAL)
			k = bad_line(h, PCI_USE_MOUNT, "proc/swaps", bad, "its header");
		for (size_t i = 0; i < areas.n && k >= 0; i++) {
			_cleanup_free_ char *what = NULL;
			if (!startswith(areas.v[i], "/dev/"))
				continue;
			what = strdupf("swap (%s)", areas.v[i]);
			k = what ? attach_source(h, areas.v[i], what) : -ENOMEM;
		}
	}
	return k < 0 ? k : 0;
}

/* Is used the block device at sysfs, or below it (a partition), or above
 * it (the whole disk of a partition)? */
static bool block_related(const char *used, const char *sysfs)
{
	size_t nu = strlen(used), ns = strlen(sysfs);

	if (nu == ns)
		return streq(used, sysfs);
	if (nu > ns)
		return startswith(used, sysfs) && used[ns] == '/';
	return startswith(sysfs, used) && sysfs[nu] == '/';
}

void host_block_clear(struct host_block *b)
{
	free(b->name);
	free(b->by_id);
	strv_clear(&b->uses);
	free(b->unknown);
	*b = (struct host_block){ 0 };
}

/* A dev/disk/by-id name for the block device called name; by-id names of
 * the hardware (ata-, nvme-, scsi-, usb-) before wwn- and nvme-eui. */
static int block_by_id(struct host *h, const char *name, char **ret)
{
	struct strv ids = { 0 };
	int k = path_list(h->root, "dev/disk/by-id", &ids);

	*ret = NULL;
	if (k < 0)
		return k == -ENOMEM ? k : 0;
	for (int pass = 0; pass < 2 && !*ret && k >= 0; pass++)
		for (size_t i = 0; i < ids.n && !*ret; i++) {
			_cleanup_free_ char *rel = strdupf("dev/disk/by-id/%s", ids.v[i]), *t = NULL;
			const char *base;
			bool plain = !startswith(ids.v[i], "wwn-") && !startswith(ids.v[i], "nvme-eui.");
			if (!rel) {
				k = -ENOMEM;
				break;
			}
			if ((pass == 0) != plain || path_readlink(h->root, rel, &t) < 0)
				continue;
			base = strrchr(t, '/') ? strrchr(t, '/') + 1 : t;
			if (streq(base, name) && !(*ret = strdup(ids.v[i])))
				k = -ENOMEM;
		}
	strv_clear(&ids);
	return k < 0 ? k : 0;
}

int host_block_lookup(struct host *h, const char *dev, struct host_block *ret)
{
	_cleanup_free_ char *link = NULL, *rel = NULL, *target = NULL, *real = NULL, *abs = NULL;
	const char *name, *sysfs;
	int k;

	*ret = (struct host_block){ 0 };
	ret->exists = path_exists(h->root, dev);
	/* Where the path leads, every link and ".." followed: a path leading
	 * under /dev names a device however it is written. */
	k = path_resolve(h->root, dev, &real, NULL);
	if (k == -ENOMEM)
		return k;
	if (k < 0) {
		/* Where it leads cannot be told: a device whose use is unknown. */
		ret->block = true;
		ret->unknown = strdupf("%s: %s", dev, k == -EXDEV ? "a link on the way climbs above /" : path_strerror(k));
		return ret->unknown ? 0 : -ENOMEM;
	}
	if (!(abs = strdupf("/%s", real)))
		return -ENOMEM;
	dev = abs;
	ret->block = startswith(dev, "/dev/");
	if (!ret->block || !ret->exists)
		return 0;
	/* /dev/disk/by-id/ata-X -> ../../sda2, /dev/mapper/root -> ../dm-0;
	 * /dev/sda2 itself is no link. */
	k = path_readlink(h->root, dev, &link);
	if (k == -ENOMEM)
		return k;
	name = k == 0 ? link : dev;
	name = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
	if (!*name || streq(name, "..") || streq(name, "."))
		return 0;
	if (!(rel = strdupf("sys/class/block/%s", name)))
		return -ENOMEM;
	k = path_readlink(h->root, rel, &target);
	if (k == -ENOMEM)
		return k;
	if (k < 0) {
		/* A file under /dev that sysfs does not show: not a disk of this
		 * kernel, or a copy without it. Unknown means refuse. */
		ret->unknown = strdupf("/%s: %s", rel, k == -ENOENT ? "absent" : path_strerror(k));
		return ret->unknown ? 0 : -ENOMEM;
	}
	if (!(ret->name = strdup(name)))
		return -ENOMEM;
	if ((k = block_by_id(h, name, &ret->by_id)) < 0)
		return k;
	if (h->usage_unknown[PCI_USE_MOUNT] && !(ret->unknown = strdup(h->usage_unknown[PCI_USE_MOUNT])))
		return -ENOMEM;
	sysfs = sysfs_from_devices(target);
	for (size_t i = 0; i < h->block_used.n; i++)
		if (block_related(h->block_used.v[i], sysfs) && !strv_contains(&ret->uses, h->block_used_what.v[i]) &&
		    strv_push(&ret->uses, h->block_used_what.v[i]) < 0)
			return -ENOMEM;
	return 0;
}

/* ------------------------------------------------------------- routes */

static int attach_net(struct host *h, const char *iface, const char *what, int depth)
{
	_cleanup_free_ char *rel = strdupf("sys/class/net/%s", iface), *brif = NULL;
	struct strv names = { 0 };
	int k;

	if (!rel || !(brif = strdupf("%s/brif", rel)))
		return -ENOMEM;
	if (strchr(iface, '/') || streq(iface, "..") || streq(iface, "."))
		return 0;
	/* The route's interface that sysfs does not show: its device is unknown. */
	if (depth == 0 && !path_exists(h->root, rel))
		return unknown_why(h, PCI_USE_ROUTE, rel, "absent");
	k = attach_link(h, rel, PCI_USE_ROUTE, what);
	if (k != 0 || depth >= MAX_DEPTH)
		return k < 0 ? k : 0;
	/* A virtual interface: bonds and VLANs list lower_*, bridges brif/. */
	if (path_list(h->root, rel, &names) == 0) {
		for (size_t i = 0; i < names.n && k >= 0; i++)
			if (startswith(names.v[i], "lower_"))
				k = attach_net(h, names.v[i] + 6, what, depth + 1);
		strv_clear(&names);
	}
	if (k >= 0 && path_list(h->root, brif, &names) == 0) {
		for (size_t i = 0; i < names.n && k >= 0; i++)
			k = attach_net(h, names.v[i], what, depth + 1);
		strv_clear(&names);
	}
	return k < 0 ? k : 0;
}

static int load_routes(struct host *h)
{
	static const char *const files[] = { "proc/net/route", "proc/net/ipv6_route" };
	struct strv ifaces = { 0 };
	int k = 0;

	for (size_t i = 0; i < ARRAY_SIZE(files) && k >= 0; i++) {
		_cleanup_free_ char *text = NULL;
		size_t bad;
		k = path_read_file(h->root, files[i], PATH_READ_MAX, &text, NULL);
		/* No IPv6 table and no net.ipv6 sysctls: IPv6 is off (ipv6.disable=1). */
		if (k == -ENOENT && i == 1 && !path_exists(h->root, "proc/sys/net/ipv6"))
			k = 0;
		else if (k < 0)
			k = unknown(h, PCI_USE_ROUTE, files[i], k);
		else if ((k = route_default_ifaces(text, i == 1, &ifaces, &bad)) == -EINVAL)
			k = bad_line(h, PCI_USE_ROUTE, files[i], bad, i == 1 ? NULL : "its header");
	}
	for (size_t i = 0; i < ifaces.n && k >= 0; i++) {
		_cleanup_free_ char *what = strdupf("default route via %s", ifaces.v[i]);
		k = what ? attach_net(h, ifaces.v[i], what, 0) : -ENOMEM;
	}
	strv_clear(&ifaces);
	return k < 0 ? k : 0;
}

/* --------------------------------------------------------- bind state */

static int load_bind_state(struct host *h)
{
	struct strv names = { 0 };
	int k = path_list(h->root, BIND_STATE_DIR, &names);

	if (k < 0)
		return k == -ENOMEM ? k : 0;
	for (size_t i = 0; i < names.n && k >= 0; i++) {
		_cleanup_free_ char *rel = strdupf(BIND_STATE_DIR "/%s", names.v[i]), *text = NULL;
		struct pci_addr a;
		struct pci_device *d;
		struct bind_state s;

		if (!rel) {
			k = -ENOMEM;
			break;
		}
		if (names.v[i][0] == '.' || parse_pci_addr(names.v[i], &a) < 0)
			continue; /* temp files of an interrupted write */
		if (!(d = find_dev(h, &a))) {
			host_diag(h, rel, "state left by vfiokit bind for a device that is not present");
			continue;
		}
		k = path_read_file(h->root, rel, 65536, &text, NULL);
		if (k < 0) {
			host_diag(h, rel, "cannot read: %s", path_strerror(k));
			k = k == -ENOMEM ? k : 0;
			continue;
		}
		k = bind_state_parse(text, &s);
		if (k < 0) {
			if (k != -ENOMEM)
				host_diag(h, rel, "not a vfiokit bind state file (no driver= line)");
			k = k == -ENOMEM ? k : 0;
			continue;
		}
		d->bound = malloc(sizeof(*d->bound));
		if (!d->bound) {
			bind_state_free(&s);
			k = -ENOMEM;
			break;
		}
		*d->bound = s;
	}
	strv_clear(&names);
	return k < 0 ? k : 0;
}

int usage_load(struct host *h)
{
	int k;

	if ((k = load_drm(h)) < 0 || (k = load_framebuffers(h)) < 0 || (k = load_boot_framebuffers(h)) < 0 ||
	    (k = load_mounts(h)) < 0 || (k = load_routes(h)) < 0 || (k = load_bind_state(h)) < 0)
		return k;
	return 0;
}

int host_net_link(struct host *h, const char *iface, bool *bridge)
{
	_cleanup_free_ char *rel = NULL, *br = NULL;
	struct stat st;
	int k;

	*bridge = false;
	if (!*iface || strchr(iface, '/') || streq(iface, ".") || streq(iface, ".."))
		return -EINVAL;
	if (!(rel = strdupf("sys/class/net/%s", iface)) || !(br = strdupf("%s/bridge", rel)))
		return -ENOMEM;
	k = path_lstat(h->root, rel, &st);
	if (k < 0)
		return k;
	k = path_lstat(h->root, br, &st);
	if (k == -ENOENT)
		return 0;
	if (k < 0)
		return k;
	*bridge = S_ISDIR(st.st_mode);
	return 0;
}
