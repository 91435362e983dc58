/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Execute a bind/unbind plan on the live machine, all or nothing. */
#pragma once

#include "plan/bind.h"

struct rebind_result {
	bool failed;
	size_t step;        /* the step that failed */
	int error;          /* its -errno */
	char *detail;       /* what was seen instead ("it is on e1000e"), may be NULL */
	struct strv rolled_back; /* "0000:00:06.0: back on bochs-drm" */
	struct strv rollback_errors; /* what could not be restored */
};

/* The sysfs writes (path_write_attr), replaceable by tests to imitate the
 * kernel and inject its failures. */
struct rebind_ops {
	int (*write_attr)(struct path_root *r, const char *rel, const char *value);
};
extern const struct rebind_ops *rebind_ops;

/*
 * Run the steps in order. If one fails, every device already touched goes
 * back to the driver and driver_override it had, and state files are
 * restored as they were. SIGINT, SIGTERM, SIGHUP and SIGQUIT are held until
 * the machine is consistent again. Every failure of a step rolls back, ENOMEM
 * included. Returns 0 (see res->failed), or -ENOMEM when vfiokit itself ran
 * out of memory while restoring (every device was still tried).
 */
int rebind_execute(struct host *h, struct bind_plan *p, struct rebind_result *res);
void rebind_result_clear(struct rebind_result *res);
/* Seconds to wait for /dev/vfio/N (udev may create it a little later). */
#define REBIND_VFIO_WAIT_MS 3000
