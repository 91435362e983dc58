/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Runtime isolation (`vfiokit bind` / `unbind`): which devices move, what
 * would make that unsafe, and the exact sysfs writes, in order. Nothing here
 * touches the machine; src/apply/rebind.c executes a plan.
 */
#pragma once

#include "host/host.h"
#include "plan/refuse.h"
#include "shared/error.h"

enum bind_step_kind {
	STEP_MODPROBE,   /* value: module to load */
	STEP_SAVE_STATE, /* path: state file, value: its text */
	STEP_OVERRIDE,   /* write value to path (driver_override) */
	STEP_UNBIND,     /* write the address to path (drivers/X/unbind) */
	STEP_PROBE,      /* write the address to sys/bus/pci/drivers_probe; then expect */
	STEP_BIND,       /* write the address to drivers/X/bind; then expect */
	STEP_FORGET,     /* remove the state file at path */
	STEP_WAIT_VFIO,  /* path: dev/vfio/N must appear */
};

struct bind_step {
	enum bind_step_kind kind;
	size_t item;  /* index into plan->items; unused for MODPROBE and WAIT_VFIO */
	char *path;   /* root-relative */
	char *value;
	char *expect; /* PROBE/BIND: the driver the device must end on ("" for none) */
};

struct bind_item {
	size_t dev;     /* index into host->pci */
	bool named;     /* named on the command line, not added from its group */
	bool change;    /* has steps; false when already where it should be */
	/* Before anything ran, for rollback. */
	char *orig_driver;        /* NULL: none */
	char *orig_override;      /* NULL: none */
	char *orig_state;         /* text of its state file, NULL if it had none */
};

struct bind_plan {
	bool unbind;
	char *driver; /* bind: the target driver; unbind: the driver devices leave */
	struct bind_item *items;
	size_t nitems, items_alloc;
	int *groups;
	size_t ngroups, groups_alloc;
	struct refusal_list refusals; /* refuse.c's for the devices that move; REFUSE_NONVIABLE */
	struct strv warnings;
	struct bind_step *steps;
	size_t nsteps, steps_alloc;
};

#define BIND_DRIVER_DEFAULT "vfio-pci"

struct bind_options {
	const char *driver;  /* default BIND_DRIVER_DEFAULT */
	bool only;           /* do not grow the set to whole groups */
};

/* Plan `vfiokit bind` of targets ("01:00.0", "10de:13c2", "group:13").
 * Returns 0, -ENOMEM, or a negative errno with err filled (shared/error.h):
 * -EINVAL (ERROR_USAGE) a target that is no address, ID or group:N; -ENOENT
 * no such device or group; -ENOTUNIQ an ID of several devices; -EOPNOTSUPP a
 * PCI bridge named directly; -ENODEV a device in no IOMMU group; -ENOPKG the
 * target driver missing from the running kernel. Refusals and
 * warnings are in the plan; the caller decides which are lifted. */
int bind_plan_make(struct host *h, char *const *targets, size_t ntargets, const struct bind_options *o,
		   struct bind_plan *p, struct error *err);
/* Plan `vfiokit unbind`: devices of the targets' groups that are on
 * o->driver, back to what their state file says (or reprobed). */
int unbind_plan_make(struct host *h, char *const *targets, size_t ntargets, const struct bind_options *o,
		     struct bind_plan *p, struct error *err);
void bind_plan_clear(struct bind_plan *p);

/* Human-readable form of a step, as a shell line ("echo vfio-pci > /sys/..."). */
char *bind_step_describe(const struct host *h, const struct bind_plan *p, const struct bind_step *s);
