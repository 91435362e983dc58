/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The article's prerequisites, judged from the host model: each check has a
 * status, what was seen, and the fix for this machine. */
#pragma once

#include "host/host.h"

enum check_status {
	CHECK_PASS,
	CHECK_WARN,
	CHECK_FAIL,
	CHECK_SKIP,
};

struct check_result {
	const char *id;    /* stable name, for scripts: "iommu-active" */
	const char *title; /* what is checked */
	enum check_status status;
	char *detail;      /* what was seen */
	char *fix;         /* what to do, NULL when nothing */
};

struct check_report {
	struct check_result *r;
	size_t n, alloc;
};

/* Run every check. Returns 0 or -ENOMEM. Marks the module table lines it asks
 * about (host_module_state), hence the non-const host. */
int checks_run(struct host *h, struct check_report *ret);
void check_report_clear(struct check_report *rep);
const char *check_status_name(enum check_status s);
/* Count of results with status s. */
size_t check_report_count(const struct check_report *rep, enum check_status s);
