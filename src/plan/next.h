/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Where the user stands in the article's procedure, and the one command to
 * run next. Pure: the host model (PCI, NAMES, MODULES, SYSTEM, BOOT,
 * PROGRESS) and the journal's entries, as the cli read them, in; an
 * answer out. It changes nothing and opens nothing.
 */
#pragma once

#include "host/host.h"
#include "plan/journal-entry.h"

/* In the order of the article. */
enum next_stage {
	NEXT_PREREQUISITES, /* a prerequisite fails: check's fix */
	NEXT_CHOOSE_GPU,    /* no device chosen for a guest: the candidates */
	NEXT_ISOLATE,       /* isolation planned (one candidate, or an entry stopped half-way) but not applied */
	NEXT_REBOOT,        /* applied, but the running kernel booted before it */
	NEXT_VERIFY,        /* rebooted, but a device is not on vfio-pci: verify's cause */
	NEXT_GUEST,         /* no guest libvirt keeps has the device */
	NEXT_TUNE,          /* the guest lacks CPU pinning or huge pages */
	NEXT_DONE,
	_NEXT_STAGE_MAX,
};

struct next_answer {
	enum next_stage stage;
	char *why;           /* what was seen */
	char *command;       /* the one command to run next */
	const char *section; /* the article's section */
	/* Set instead of the rest when the stage depends on a fact that could
	 * not be read: which, and where ("/proc/stat: absent"). */
	char *unknown;
};

/* 0 or -ENOMEM. The journal entries as journal_list() gives them. Marks
 * the module table lines checks ask about, hence the non-const host. */
int next_plan(struct host *h, const struct journal_entry *e, size_t n, struct next_answer *ret);
void next_answer_clear(struct next_answer *a);
/* "prerequisites", "choose-gpu", ... "done". */
const char *next_stage_name(enum next_stage s);
/* What the stage is, for people: "choose the guest's GPU". */
const char *next_stage_title(enum next_stage s);
