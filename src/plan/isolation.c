/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The article, "Ensuring that the groups are valid" and "Plugging your guest
 * GPU in an unisolated CPU-based PCIe slot": a group is the smallest unit a
 * guest can take; root ports in it stay on the host. */
#include "plan/isolation.h"

const char *group_verdict_name(enum group_verdict v)
{
	switch (v) {
	case VERDICT_ISOLATED:
		return "isolated";
	case VERDICT_WITH_ROOT_PORT:
		return "with-root-port";
	case VERDICT_SHARED:
		return "shared";
	case VERDICT_BRIDGES_ONLY:
		break;
	}
	return "bridges-only";
}

static bool pick_card(const struct host *h, const struct iommu_group *g, struct pci_addr *card)
{
	const struct pci_device *first = NULL;

	for (size_t i = 0; i < g->ndevs; i++) {
		const struct pci_device *d = &h->pci[g->devs[i]];
		if (pci_is_bridge_role(d->role))
			continue;
		if (pci_is_display(d)) {
			*card = d->addr;
			return true;
		}
		if (!first)
			first = d;
	}
	if (first)
		*card = first->addr;
	return first != NULL;
}

int isolation_assess(const struct host *h, const struct iommu_group *g, const struct pci_addr *card,
		     struct group_assessment *ret)
{
	struct group_assessment a = { 0 };

	if (card) {
		a.card = *card;
		a.has_card = true;
	} else {
		a.has_card = pick_card(h, g, &a.card);
	}
	a.others = calloc(g->ndevs ? g->ndevs : 1, sizeof(size_t));
	if (!a.others)
		return -ENOMEM;
	for (size_t i = 0; i < g->ndevs; i++) {
		const struct pci_device *d = &h->pci[g->devs[i]];
		if (pci_is_bridge_role(d->role))
			a.nbridges++;
		else if (!a.has_card || !pci_addr_same_slot(&d->addr, &a.card))
			a.others[a.nothers++] = g->devs[i];
	}
	a.nmissing = g->missing.n;

	if (a.nothers > 0 || a.nmissing > 0)
		a.verdict = VERDICT_SHARED;
	else if (!a.has_card)
		a.verdict = VERDICT_BRIDGES_ONLY;
	else if (a.nbridges > 0)
		a.verdict = VERDICT_WITH_ROOT_PORT;
	else
		a.verdict = VERDICT_ISOLATED;
	*ret = a;
	return 0;
}

void group_assessment_clear(struct group_assessment *a)
{
	free(a->others);
	*a = (struct group_assessment){ 0 };
}

int isolation_group_blockers(const struct host *h, const struct iommu_group *g, const size_t *taken, size_t ntaken,
			     struct group_blockers *ret)
{
	struct group_blockers b = { .missing = &g->missing };

	if (!(b.devs = calloc(g->ndevs ? g->ndevs : 1, sizeof(*b.devs))))
		return -ENOMEM;
	for (size_t i = 0; i < g->ndevs; i++) {
		bool is_taken = false;
		for (size_t j = 0; j < ntaken && !is_taken; j++)
			is_taken = taken[j] == g->devs[i];
		if (!is_taken && !isolation_vfio_accepts(h->pci[g->devs[i]].driver))
			b.devs[b.ndevs++] = g->devs[i];
	}
	*ret = b;
	return 0;
}

void group_blockers_clear(struct group_blockers *b)
{
	free(b->devs);
	*b = (struct group_blockers){ 0 };
}

bool isolation_vfio_accepts(const char *driver)
{
	return !driver || streq(driver, "vfio-pci") || streq(driver, "pci-stub") || streq(driver, "pcieport");
}
