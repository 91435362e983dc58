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
