/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Huge pages for the guest's memory (the article's "Huge memory pages"):
 * how many pages of which size, whether the host has them now, and what to
 * watch. Pure: reads the host model (HOST_LOAD_TUNING | HOST_LOAD_SYSTEM).
 */
#pragma once

#include "host/host.h"
#include "shared/error.h"

struct hugepage_request {
	uint64_t memory;  /* bytes */
	uint64_t page_kb; /* 2048, 1048576; 0: vfiokit chooses */
};

struct hugepage_plan {
	uint64_t memory_kb;  /* rounded up to whole pages */
	uint64_t page_kb;
	uint64_t pages;
	long reserved, free; /* the pool of that size now; -1 unknown */
	struct strv notes;
};

/* 0; -ENOMEM; -EINVAL with err (ERROR_FAILED). */
int hugepage_plan_make(const struct host *h, const struct hugepage_request *rq, struct hugepage_plan *ret,
		       struct error *err);
void hugepage_plan_free(struct hugepage_plan *p);
/* The kernel parameters that reserve p at boot: "default_hugepagesz=1G
 * hugepagesz=1G hugepages=16" or "default_hugepagesz=2M hugepagesz=2M
 * hugepages=8192". Heap text; NULL on ENOMEM. */
char *hugepage_kernel_params(const struct hugepage_plan *p);
