/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The article's "Verifying that the configuration worked", after a reboot:
 * is every device the configuration names on vfio-pci, and if not, the
 * likely cause. Pure: reads the host model (PCI, MODULES, SYSTEM, BOOT).
 */
#pragma once

#include "host/host.h"

struct verify_row {
	size_t dev;    /* index into host->pci */
	bool ok;       /* on vfio-pci */
	char *cause;   /* why not, and what to do; NULL when ok */
};

struct verify_result {
	struct verify_row *rows;
	size_t n, alloc;
	char *nothing; /* set when the configuration names no device: why */
};

int verify_run(const struct host *h, struct verify_result *ret);
void verify_result_free(struct verify_result *r);

/* Drift since an inventory was taken (verify --against): each device of
 * then is found in now by its topology path (which survives bus
 * renumbering), else by its address; a device that went and one that came
 * with the same IDs is a card moved to another slot. */
struct inventory;
enum drift_kind { DRIFT_MOVED, DRIFT_ADDRESS, DRIFT_SWAPPED, DRIFT_DRIVER, DRIFT_GROUP, DRIFT_GONE, DRIFT_NEW };

struct drift_row {
	enum drift_kind kind;
	char *device; /* the address in the inventory (new: now) */
	char *was, *now; /* NULL: none */
};

struct drift_result {
	struct drift_row *rows;
	size_t n, alloc;
};

int verify_against(const struct inventory *then, const struct inventory *now, struct drift_result *ret);
void drift_result_free(struct drift_result *r);
const char *drift_kind_name(enum drift_kind k);
