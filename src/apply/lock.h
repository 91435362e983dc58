/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One lock per root: every command that changes the machine (setup --apply,
 * undo, tune hook --apply, vm --define, bind, unbind) holds it from before it
 * reads the machine until it has written and run everything, so two runs
 * never plan from the same state and one of them lose its change. The lock
 * is flock(2) on run/vfiokit/lock inside the root (a machine copy has its
 * own); the file records who holds it, for the message a second run gives.
 * The kernel drops a flock when its holder dies, so no lock is ever stale.
 */
#pragma once

#include "host/path.h"

#define LOCK_REL "run/vfiokit/lock"
/* How long a second run waits for the first before it gives up. */
#define LOCK_WAIT_MS 3000

struct lock_holder {
	long pid;      /* 0: not recorded */
	char *command; /* NULL: not recorded */
	char *since;   /* NULL: not recorded */
};

/*
 * Take the root's lock for command ("vfiokit setup --apply"), waiting up to
 * wait_ms for the run that holds it. Returns the lock's fd (keep it open while
 * the work goes on; lock_release() it), -EBUSY with *holder filled as far as
 * the file says, or another -errno.
 */
int lock_take(struct path_root *r, const char *command, long wait_ms, struct lock_holder *holder);
/* Empty the record and drop the lock (fd < 0: nothing). */
void lock_release(int fd);
/* "pid 123 (vfiokit setup --apply) since 2026-11-30T12:00:00Z", or what is
 * known of it; NULL on ENOMEM. */
char *lock_holder_describe(const struct lock_holder *h);
void lock_holder_clear(struct lock_holder *h);
/* Parse a lock file's text (pid=, command=, since= lines); what is missing
 * or not printable stays unset. 0 or -ENOMEM. */
int lock_holder_parse(const char *text, struct lock_holder *h);
