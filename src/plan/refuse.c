/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "plan/refuse.h"

const char *refusal_option(enum refusal_kind r)
{
	static const char *const names[_REFUSE_MAX] = {
		[REFUSE_DISPLAY] = "allow-display",
		[REFUSE_MOUNT] = "allow-mounted",
		[REFUSE_ROUTE] = "allow-default-route",
		[REFUSE_HOST_BRIDGE] = "allow-host-bridge",
		[REFUSE_NONVIABLE] = "allow-nonviable",
	};
	return (unsigned)r < _REFUSE_MAX ? names[r] : "?";
}

bool refusal_handover_lifts(enum refusal_kind r)
{
	return r == REFUSE_DISPLAY;
}

int refusal_list_add(struct refusal_list *l, enum refusal_kind kind, char *msg)
{
	if (!msg)
		return -ENOMEM;
	if (GROW(l->v, l->alloc, l->n + 1) < 0) {
		free(msg);
		return -ENOMEM;
	}
	l->v[l->n++] = (struct refusal){ kind, msg };
	return 0;
}

void refusal_list_clear(struct refusal_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].msg);
	free(l->v);
	*l = (struct refusal_list){ 0 };
}

static bool has_use(const struct pci_device *d, enum pci_use_kind kind)
{
	for (size_t i = 0; i < d->nuses; i++)
		if (d->uses[i].kind == kind)
			return true;
	return false;
}

/* The first three uses of a kind, "; "-joined, and how many more. */
static char *join_uses(const struct pci_device *d, enum pci_use_kind kind)
{
	struct strv v = { 0 };
	char *s;
	size_t shown = 0, total = 0;

	for (size_t i = 0; i < d->nuses; i++) {
		if (d->uses[i].kind != kind)
			continue;
		total++;
		if (shown < 3 && strv_push(&v, d->uses[i].what) == 0)
			shown++;
	}
	if (total > shown) {
		_cleanup_free_ char *more = strdupf("and %zu more", total - shown);
		if (more)
			(void)strv_push(&v, more);
	}
	s = strv_join(&v, "; ");
	strv_clear(&v);
	return s;
}

/* The one wording of the mount refusal, for a PCI device and a disk. */
static int refuse_mounted(struct refusal_list *out, const char *who, const char *uses)
{
	return refusal_list_add(out, REFUSE_MOUNT,
				strdupf("%s holds mounted filesystems or swap of this host: %s", who, uses ? uses : "?"));
}

static const char *const mount_use = "holds a mounted filesystem or swap of this host";

static int refuse_mount_unknown(struct refusal_list *out, const char *who, const char *why)
{
	return refusal_list_add(out, REFUSE_MOUNT, strdupf("cannot tell whether %s %s (%s)", who, mount_use, why));
}

/* A use the host model could not read: refused as if it were there (fail
 * closed), lifted by the same option. */
static int refuse_unknown(const struct host *h, const struct pci_device *d, struct refusal_list *out)
{
	static const struct {
		enum pci_use_kind use;
		enum refusal_kind refusal;
		const char *what;
	} kinds[] = {
		{ PCI_USE_DISPLAY, REFUSE_DISPLAY, "drives a display of this host" },
		{ PCI_USE_MOUNT, REFUSE_MOUNT, NULL /* mount_use */ },
		{ PCI_USE_ROUTE, REFUSE_ROUTE, "carries this host's default route" },
	};
	int k;

	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
		const char *why = h->usage_unknown[kinds[i].use];
		if (!why || has_use(d, kinds[i].use))
			continue;
		if ((k = refusal_list_add(out, kinds[i].refusal,
					  strdupf("cannot tell whether %s %s (%s)", d->name,
						  kinds[i].what ? kinds[i].what : mount_use, why))) < 0)
			return k;
	}
	return 0;
}

static int judge_one(const struct host *h, const struct pci_device *d, struct refusal_list *out)
{
	int k;

	if ((k = refuse_unknown(h, d, out)) < 0)
		return k;
	if (has_use(d, PCI_USE_DISPLAY)) {
		_cleanup_free_ char *w = join_uses(d, PCI_USE_DISPLAY);
		if ((k = refusal_list_add(out, REFUSE_DISPLAY,
					  strdupf("%s drives a display of this host%s: %s", d->name,
						  d->boot_vga == 1 ? " (it is the boot GPU)" : "", w ? w : "?"))) < 0)
			return k;
	}
	if (has_use(d, PCI_USE_MOUNT)) {
		_cleanup_free_ char *w = join_uses(d, PCI_USE_MOUNT);
		if ((k = refuse_mounted(out, d->name, w)) < 0)
			return k;
	}
	if (has_use(d, PCI_USE_ROUTE)) {
		_cleanup_free_ char *w = join_uses(d, PCI_USE_ROUTE);
		if ((k = refusal_list_add(out, REFUSE_ROUTE,
					  strdupf("%s carries this host's %s: binding it cuts the host off the network",
						  d->name, w ? w : "default route"))) < 0)
			return k;
	}
	if (d->role == PCI_ROLE_HOST_BRIDGE)
		return refusal_list_add(out, REFUSE_HOST_BRIDGE,
					strdupf("%s is a host bridge (the CPU's link to its PCI devices); it is in group "
						"%d with the devices to bind",
						d->name, d->iommu_group));
	return 0;
}

int refusals_judge(const struct host *h, const size_t *devs, size_t n, struct refusal_list *out)
{
	int k;

	for (size_t i = 0; i < n; i++)
		if ((k = judge_one(h, &h->pci[devs[i]], out)) < 0)
			return k;
	return 0;
}

int refusals_judge_disk(const struct host_block *b, const char *disk, struct refusal_list *out)
{
	_cleanup_free_ char *w = NULL;

	if (b->unknown)
		return refuse_mount_unknown(out, disk, b->unknown);
	if (!b->uses.n)
		return 0;
	/* The first three, as for a device. */
	struct strv first = { .v = b->uses.v, .n = b->uses.n < 3 ? b->uses.n : 3 };
	_cleanup_free_ char *list = strv_join(&first, "; ");
	if (!list)
		return -ENOMEM;
	w = b->uses.n > 3 ? strdupf("%s; and %zu more", list, b->uses.n - 3) : strdup(list);
	if (!w)
		return -ENOMEM;
	return refuse_mounted(out, disk, w);
}
