/* SPDX-License-Identifier: GPL-2.0-or-later */
/* IOMMU groups (Documentation/ABI/testing/sysfs-kernel-iommu_groups) and the
 * IOMMU's state: units in /sys/class/iommu, the firmware's ACPI table, and
 * interrupt remapping. */
#include <ctype.h>

#include "host/host.h"

#define GROUPS_DIR "sys/kernel/iommu_groups"

static int cmp_group(const void *a, const void *b)
{
	int x = ((const struct iommu_group *)a)->number, y = ((const struct iommu_group *)b)->number;

	return (x > y) - (x < y);
}

static int cmp_dev_index(const void *a, const void *b, void *arg)
{
	const struct host *h = arg;

	return pci_addr_cmp(&h->pci[*(const size_t *)a].addr, &h->pci[*(const size_t *)b].addr);
}

/* sys/kernel/iommu_groups, opened once. Reached through no link, each
 * group's devices directory is opened beneath it (two components, no link
 * followed) and listed into one buffer kept from group to group: a
 * thousand groups, a thousand walks from the root and name copies less.
 * Through a link (a copy that moved it), or where a group's directory is
 * not a plain one or openat2 is missing, each is opened from the root as
 * always (links followed within it). */
struct groups_dir {
	struct path_dir dir;
	bool beneath;
	struct path_listing listing; /* one group's, at a time */
};

static int load_group(struct host *h, struct groups_dir *gd, const char *name)
{
	char sub[NAME_MAX + sizeof("/devices")], rel[sizeof(GROUPS_DIR "/") + sizeof(sub)];
	struct path_dir dd = { .fd = -1 };
	const char **devs = NULL;
	size_t ndevs = 0;
	struct iommu_group *g;
	char canon[24];
	long number;
	int k;

	/* 013 beside 13 would be one group twice: only the kernel's spelling. */
	if (parse_int(name, 0, INT32_MAX, &number) < 0 ||
	    (snprintf(canon, sizeof(canon), "%ld", number), !streq(canon, name))) {
		host_diag(h, GROUPS_DIR, "entry \"%.40s\" is not a group number", name);
		return 0;
	}
	snprintf(sub, sizeof(sub), "%s/devices", canon);
	snprintf(rel, sizeof(rel), GROUPS_DIR "/%s", sub);
	k = gd->beneath ? path_dir_open_beneath(&gd->dir, sub, rel, &dd) : path_dir_open(h->root, rel, &dd);
	if (k == 0)
		k = path_dir_names(&dd, &gd->listing, &devs, &ndevs);
	path_dir_close(&dd);
	if (k < 0) {
		host_diag(h, rel, "cannot list: %s", path_strerror(k));
		return k == -ENOMEM ? k : 0;
	}
	if (GROW(h->groups, h->groups_alloc, h->ngroups + 1) < 0)
		goto oom;
	g = &h->groups[h->ngroups++];
	g->number = (int)number;
	g->devs = calloc(ndevs ? ndevs : 1, sizeof(size_t));
	if (!g->devs)
		goto oom;
	for (size_t i = 0; i < ndevs; i++) {
		struct pci_addr a;
		char spelt[PCI_ADDR_STRLEN];
		/* 03:00.0 beside 0000:03:00.0 would list one device twice. */
		bool is_addr = parse_pci_addr(devs[i], &a) == 0 && (format_pci_addr(&a, spelt), streq(spelt, devs[i]));
		const struct pci_device *d = is_addr ? host_find_pci(h, &a) : NULL;

		if (!d) {
			host_diag(h, rel, "lists %.40s, which is %s", devs[i],
				  is_addr ? "not a usable device in /sys/bus/pci/devices" : "not a PCI address");
			if (strv_push(&g->missing, devs[i]) < 0)
				goto oom;
			continue;
		}
		if (d->iommu_group != g->number)
			host_diag(h, rel, "lists %s, whose iommu_group link says group %d", d->name, d->iommu_group);
		g->devs[g->ndevs++] = (size_t)(d - h->pci);
	}
	if (g->ndevs > 1)
		qsort_r(g->devs, g->ndevs, sizeof(size_t), cmp_dev_index, h);
	free(devs);
	return 0;
oom:
	free(devs);
	return -ENOMEM;
}

/* No /sys/kernel/iommu_groups but devices with iommu_group links (a copy
 * that left the directory out): the groups as the links name them, said in
 * a diag, rather than no groups at all. Each link is the kernel's own
 * statement of its device's group (sysfs-kernel-iommu_groups). */
static int groups_from_links(struct host *h)
{
	for (size_t i = 0; i < h->npci; i++) {
		const struct iommu_group *found;
		struct iommu_group *g;
		if (h->pci[i].iommu_group < 0)
			continue;
		found = NULL;
		for (size_t j = 0; j < h->ngroups && !found; j++)
			if (h->groups[j].number == h->pci[i].iommu_group)
				found = &h->groups[j];
		if (!found) {
			if (GROW(h->groups, h->groups_alloc, h->ngroups + 1) < 0)
				return -ENOMEM;
			h->groups[h->ngroups] = (struct iommu_group){ .number = h->pci[i].iommu_group };
			if (!(h->groups[h->ngroups].devs = calloc(h->npci, sizeof(size_t))))
				return -ENOMEM;
			found = &h->groups[h->ngroups++];
		}
		g = (struct iommu_group *)found;
		g->devs[g->ndevs++] = i;
	}
	if (h->ngroups == 0)
		return 0;
	for (size_t j = 0; j < h->ngroups; j++)
		qsort_r(h->groups[j].devs, h->groups[j].ndevs, sizeof(size_t), cmp_dev_index, h);
	if (h->ngroups > 1)
		qsort(h->groups, h->ngroups, sizeof(*h->groups), cmp_group);
	host_diag(h, GROUPS_DIR, "missing: the %zu IOMMU groups are read from the devices' iommu_group links",
		  h->ngroups);
	return 0;
}

int iommu_load_groups(struct host *h)
{
	struct groups_dir gd = { .dir.fd = -1 };
	struct path_listing top = { 0 };
	const char **names = NULL;
	size_t n = 0;
	int k = path_dir_open_no_links(h->root, GROUPS_DIR, &gd.dir);

	gd.beneath = k == 0;
	if (k < 0 && k != -ENOMEM && k != -ENOENT)
		k = path_dir_open(h->root, GROUPS_DIR, &gd.dir); /* -ELOOP: a link on the way */
	if (k == -ENOENT)
		return groups_from_links(h);
	if (k == 0)
		k = path_dir_names(&gd.dir, &top, &names, &n);
	if (k < 0) {
		host_diag(h, GROUPS_DIR, "cannot list: %s", path_strerror(k));
		k = k == -ENOMEM ? k : 0;
		goto out;
	}
	h->iommu.groups_dir = true;
	for (size_t i = 0; i < n && k >= 0; i++)
		k = load_group(h, &gd, names[i]);
	if (k < 0)
		goto out;
	if (h->ngroups > 1)
		qsort(h->groups, h->ngroups, sizeof(*h->groups), cmp_group);

	/* A device whose link names a group that has no directory. */
	for (size_t i = 0; i < h->npci; i++)
		if (h->pci[i].iommu_group >= 0 && !host_find_group(h, h->pci[i].iommu_group))
			host_diag(h, "sys/bus/pci/devices", "%s: iommu_group %d has no directory in /" GROUPS_DIR,
				  h->pci[i].name, h->pci[i].iommu_group);
out:
	free(names);
	path_dir_close(&gd.dir);
	path_listing_free(&top);
	path_listing_free(&gd.listing);
	return k;
}

const struct iommu_group *host_find_group(const struct host *h, int number)
{
	struct iommu_group key = { .number = number };

	if (h->ngroups == 0)
		return NULL;
	return bsearch(&key, h->groups, h->ngroups, sizeof(*h->groups), cmp_group);
}

/* Intel VT-d: the extended capability register's bit 3 is Interrupt
 * Remapping support (VT-d specification, section 11.4.3). */
static int intel_unit_ir_capable(struct host *h, const char *unit)
{
	_cleanup_free_ char *rel = strdupf("sys/class/iommu/%s/intel-iommu/ecap", unit);
	_cleanup_free_ char *s = NULL;
	unsigned long long ecap;
	char *end;

	if (!rel)
		return -ENOMEM;
	if (path_read_string(h->root, rel, &s) < 0)
		return -1;
	errno = 0;
	ecap = strtoull(s, &end, 16);
	if (errno || *end || end == s) {
		host_diag(h, rel, "not a hex number: \"%.40s\"", s);
		return -1;
	}
	return (ecap >> 3) & 1;
}

/* The devices a running guest drives through vfio-pci, by the action names
 * vfio-pci gives its interrupts: "vfio-intx(0000:01:00.1)" for the line
 * (INTx), "vfio-msi[0](...)" and "vfio-msix[3](...)" for messages. */
static int vfio_irqs(struct host *h, const char *text)
{
	for (const char *p = text; (p = strstr(p, "vfio-")); p += 5) {
		bool intx = startswith(p, "vfio-intx(");
		const char *open = intx ? p + 9 : NULL, *close;
		struct strv *to = intx ? &h->iommu.vfio_intx : &h->iommu.vfio_msi;
		_cleanup_free_ char *addr = NULL;
		struct pci_addr a;

		const char *eol = strchrnul(p, '\n');

		if (!intx && (startswith(p, "vfio-msi[") || startswith(p, "vfio-msix["))) {
			const char *b = memmem(p, (size_t)(eol - p), "](", 2);
			open = b ? b + 1 : NULL;
		}
		if (!open || !(close = memchr(open, ')', (size_t)(eol - open))) || close - open > 20)
			continue;
		if (!(addr = strndup(open + 1, (size_t)(close - open - 1))))
			return -ENOMEM;
		if (parse_pci_addr(addr, &a) < 0 || strv_contains(to, addr))
			continue;
		if (strv_push(to, addr) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* /proc/interrupts names the irq chips; with remapping on, they are
 * "IR-IO-APIC", "IR-PCI-MSI" ... (kernel/irq/irqdomain names). */
static int interrupts_remapped(struct host *h)
{
	_cleanup_free_ char *text = NULL;
	int k = path_read_file(h->root, "proc/interrupts", PATH_READ_MAX, &text, NULL);

	if (k < 0) {
		if (k != -ENOENT)
			host_diag(h, "proc/interrupts", "cannot read: %s", path_strerror(k));
		return -1;
	}
	if ((k = vfio_irqs(h, text)) < 0)
		return k;
	for (const char *p = text; (p = strstr(p, "IR-")); p += 3)
		if (p > text && isspace((unsigned char)p[-1]))
			return 1;
	return 0;
}

enum iommu_kind host_iommu_kind(const struct host *h)
{
	const struct host_iommu *io = &h->iommu;

	if (!io->acpi_tables.n)
		return IOMMU_KIND_UNREAD;
	if (io->dmar && io->ivrs)
		return IOMMU_KIND_BOTH;
	if (io->dmar)
		return IOMMU_KIND_INTEL;
	return io->ivrs ? IOMMU_KIND_AMD : IOMMU_KIND_NONE;
}

int iommu_load_state(struct host *h)
{
	int k;

	k = path_list(h->root, "sys/class/iommu", &h->iommu.units);
	if (k == -ENOMEM)
		return k;
	k = path_list(h->root, "sys/firmware/acpi/tables", &h->iommu.acpi_tables);
	if (k == -ENOMEM)
		return k;
	h->iommu.dmar = strv_contains(&h->iommu.acpi_tables, "DMAR");
	h->iommu.ivrs = strv_contains(&h->iommu.acpi_tables, "IVRS");

	h->iommu.ir_capable = -1;
	for (size_t i = 0; i < h->iommu.units.n; i++) {
		if (!startswith(h->iommu.units.v[i], "dmar"))
			continue;
		k = intel_unit_ir_capable(h, h->iommu.units.v[i]);
		if (k == -ENOMEM)
			return k;
		if (k >= 0)
			h->iommu.ir_capable = h->iommu.ir_capable == 1 ? 1 : k;
	}
	h->iommu.ir_active = interrupts_remapped(h);
	if (h->iommu.ir_active == -ENOMEM)
		return -ENOMEM;
	return 0;
}
