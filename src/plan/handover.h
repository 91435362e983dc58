/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Single-GPU handover (`vfiokit handover take` / `give`; the article's
 * "Passing the boot GPU to the guest"): the ordered steps that free a
 * display device of what holds it (host/holders.c) and bind its IOMMU
 * group to vfio-pci with bind's own plan (plan/bind.c), each step with its
 * undo. Nothing here touches the machine: src/apply/handover.c runs a plan.
 */
#pragma once

#include "host/host.h"
#include "plan/bind.h"

enum handover_step_kind {
	HANDOVER_SAVE_STATE, /* write the state file (path, value); undo: remove it */
	HANDOVER_STOP_UNIT,  /* systemctl stop name, with a timeout; undo: systemctl start */
	HANDOVER_START_UNIT, /* systemctl start name (give) */
	HANDOVER_WRITE,      /* write value to path; undo: undo_value to undo_path (NULL: none) */
	HANDOVER_UNLOAD,     /* modprobe -r name; undo: modprobe name */
	HANDOVER_LOAD,       /* modprobe name (give) */
	HANDOVER_BIND,       /* run the bind plan (its own rollback); last of take */
	HANDOVER_FORGET,     /* remove the state file at path (give) */
	HANDOVER_RELEASE_FB, /* take: value to path (the boot framebuffer's unbind); undo: restore */
	HANDOVER_RESTORE_FB, /* give: value to path (its bind), else the fallback */
};

struct handover_step {
	enum handover_step_kind kind;
	char *name;         /* unit or module */
	char *path, *value; /* root-relative */
	char *undo_path, *undo_value;
	/* RELEASE_FB's undo writes undo_value (the boot framebuffer's platform
	 * device) to undo_path (its driver's bind), as RESTORE_FB writes value
	 * to path; when that device is gone, the fallback, the module of the
	 * driver the device's modalias matches, is loaded and the device
	 * probed (the kernel removes the boot framebuffer, until the next boot,
	 * when vfio-pci binds a VGA device: 6.0 and later), so that the console
	 * comes back on the device's own driver; NULL: none. */
	char *fallback;
};

struct handover_plan {
	bool give;
	size_t dev;   /* index into host->pci */
	bool display; /* a display-class device */
	struct handover_step *steps;
	size_t nsteps, steps_alloc;
	struct bind_plan bind; /* take: bind's plan of the group; give: unbind's */
	/* Holders take cannot stop, and facts about them it could not read
	 * (fail closed): lifted by --ignore-holders. */
	struct strv blockers;
	struct strv notes; /* said before the steps run */
};

/* The timeout of systemctl stop/start, in seconds. */
#define HANDOVER_UNIT_TIMEOUT 30

/* Plan take of the device at target (an address) and its group. state is
 * its handover state file's text (host_handover_state()), NULL when it has
 * none. The refusals in p->bind.refusals are bind's: the caller lifts
 * those refusal_handover_lifts() names. 0, -ENOMEM, or a negative errno
 * with err filled: bind_plan_make()'s, or -EALREADY (take of a device
 * already taken), -ENOENT (give of one take did not take), -EBADMSG (its
 * state file is not take's). Needs HOST_LOAD_PCI | HOST_LOAD_USAGE |
 * HOST_LOAD_HOLDERS | HOST_LOAD_MODULES. */
int handover_plan_take(struct host *h, const char *target, const char *state, struct handover_plan *p,
		       struct error *err);
/* Plan give from the state take recorded. */
int handover_plan_give(struct host *h, const char *target, const char *state, struct handover_plan *p,
		       struct error *err);
void handover_plan_clear(struct handover_plan *p);
/* A step as a shell line ("systemctl stop lightdm.service"). */
char *handover_step_describe(const struct host *h, const struct handover_plan *p, const struct handover_step *s);
