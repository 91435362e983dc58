/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Whether an IOMMU group can be passed to a guest, and at what cost. */
#pragma once

#include "host/host.h"

enum group_verdict {
	VERDICT_ISOLATED,       /* only functions of one card */
	VERDICT_WITH_ROOT_PORT, /* one card plus bridges/root ports, which stay on the host */
	VERDICT_SHARED,         /* endpoints of more than one card */
	VERDICT_BRIDGES_ONLY,   /* nothing a guest could take */
};

struct group_assessment {
	enum group_verdict verdict;
	bool has_card;
	struct pci_addr card; /* the slot taken as "the card" */
	size_t *others;       /* endpoints outside the card (indexes into host->pci) */
	size_t nothers;
	size_t nbridges;
	size_t nmissing;      /* listed in the group but not in /sys/bus/pci */
};

/*
 * Judge group g. The card is the slot of `card` when given (a device the user
 * named), else the first display function, else the first endpoint. Bridges
 * never count against isolation: the article keeps them on the host.
 */
int isolation_assess(const struct host *h, const struct iommu_group *g, const struct pci_addr *card,
		     struct group_assessment *ret);
void group_assessment_clear(struct group_assessment *a);
/* Whether VFIO hands a group to a guest with a member on driver (NULL:
 * none): vfio-pci, pci-stub, no driver, or pcieport for the bridges. */
bool isolation_vfio_accepts(const char *driver);
const char *group_verdict_name(enum group_verdict v);

/* What keeps VFIO from handing group g to a guest once the devices in taken
 * (indexes into host->pci) are on vfio-pci: every other member on a driver
 * isolation_vfio_accepts() refuses, bridges and host bridges included (the
 * kernel accepts a bridge on pcieport or no driver, not on any driver), and
 * every member the group lists but /sys/bus/pci lacks, whose driver cannot
 * be read (fail closed). The one walk of a group for its viability, for
 * verify (after the reboot) and bind (before the binds). */
struct group_blockers {
	size_t *devs;               /* indexes into host->pci, in the group's order */
	size_t ndevs;
	const struct strv *missing; /* the group's: listed in it, not in /sys/bus/pci */
};

/* 0 or -ENOMEM; viable when ret->ndevs and ret->missing->n are 0. */
int isolation_group_blockers(const struct host *h, const struct iommu_group *g, const size_t *taken, size_t ntaken,
			     struct group_blockers *ret);
void group_blockers_clear(struct group_blockers *b);
