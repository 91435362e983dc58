/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Run a handover plan (plan/handover.h) on the live machine, all or nothing. */
#pragma once

#include "apply/rebind.h"
#include "plan/handover.h"

struct handover_result {
	bool failed;
	size_t step;                 /* the step that failed */
	int error;                   /* its -errno */
	char *detail;                /* what was seen ("systemctl: exit 1: ..."), may be NULL */
	struct rebind_result bind;   /* the bind step's own result and rollback */
	struct strv rolled_back;     /* "echo 1 > /sys/class/vtconsole/vtcon1/bind" */
	struct strv rollback_errors; /* what could not be undone */
	struct strv notes;           /* what a step did other than its plan said */
};

/* The commands it runs (systemctl, modprobe), replaceable by tests as
 * rebind_ops replaces the sysfs writes. argv as for execvp. */
struct handover_ops {
	int (*run)(char *const argv[], struct error *err);
};
extern const struct handover_ops *handover_ops;

/* take: run the steps in order; when one fails, undo every step done,
 * newest first (the bind step rolls back its own writes), with SIGINT,
 * SIGTERM, SIGHUP and SIGQUIT held. give: run the steps in order and stop
 * at the first failure, keeping the state file so that give can run again.
 * Returns 0 (see res->failed) or -ENOMEM. */
int handover_execute(struct host *h, struct handover_plan *p, struct handover_result *res);
void handover_result_clear(struct handover_result *res);
