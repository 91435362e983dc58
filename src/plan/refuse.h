/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What keeps a device on the host: every refusal of the commands that give
 * devices to a guest's driver (`vfiokit bind` now, `vfiokit vm` for its
 * guest, `vfiokit setup` at the next boot) is made here, with the same
 * message and lifted by the same --allow-* option, so that no command
 * takes the host's screen, disk or network where another refuses. Pure:
 * reads the host model (HOST_LOAD_PCI | HOST_LOAD_USAGE).
 */
#pragma once

#include "host/host.h"

enum refusal_kind {
	REFUSE_DISPLAY,     /* --allow-display */
	REFUSE_MOUNT,       /* --allow-mounted */
	REFUSE_ROUTE,       /* --allow-default-route */
	REFUSE_HOST_BRIDGE, /* --allow-host-bridge */
	REFUSE_NONVIABLE,   /* --allow-nonviable (runtime only: plan/bind.c) */
	_REFUSE_MAX,
};

/* The option that lifts a refusal ("allow-display"). */
const char *refusal_option(enum refusal_kind r);
/* Whether `vfiokit handover take` lifts a refusal knowingly: the caller is
 * handing the display over, so it stops, unbinds and releases what shows
 * the host's screen on the device first (plan/handover.c) and gives it back
 * on `give`. Only REFUSE_DISPLAY; a mount, a route, a host bridge or a
 * group that is not viable still needs its --allow-* option. */
bool refusal_handover_lifts(enum refusal_kind r);

struct refusal {
	enum refusal_kind kind;
	char *msg; /* "0000:00:02.0 drives a display of this host ...", no final period */
};

struct refusal_list {
	struct refusal *v;
	size_t n, alloc;
};

/* Append a refusal; msg is taken (NULL: -ENOMEM). */
int refusal_list_add(struct refusal_list *l, enum refusal_kind kind, char *msg);
void refusal_list_clear(struct refusal_list *l);

/* The refusals for taking devs (indexes into host->pci) from the host: a
 * device that drives a display of this host (a connected DRM connector, a
 * framebuffer console, the boot framebuffer in its BAR), holds a mounted
 * filesystem or swap, carries a default route, or is a host bridge; and,
 * for a use host->usage_unknown says could not be read, a refusal naming
 * the fact (fail closed). Appended to out in the order of devs. 0 or
 * -ENOMEM. */
int refusals_judge(const struct host *h, const size_t *devs, size_t n, struct refusal_list *out);
/* The refusal of giving a guest the block device b (its path as the user
 * wrote it: disk) that holds, or a partition or slave of which holds, a
 * mounted filesystem or swap of this host; or whose use could not be told
 * (fail closed). The same refusal and option (--allow-mounted) as for the
 * controller of such a disk. 0 or -ENOMEM. */
int refusals_judge_disk(const struct host_block *b, const char *disk, struct refusal_list *out);
