/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once
/*
 * A journal entry as the planners take it (vfiokit next judges the entries
 * the cli read with journal_list(), apply/journal.h): what it changed and
 * where it stands. apply/journal.c writes and reads entries; the model is
 * here so that the planners need nothing of apply/.
 */
#include "shared/strv.h"

/* Where an entry stands. The manifest says applying until every file is
 * written and every command has run, and undoing while an undo runs: an
 * entry still in either after vfiokit stopped (killed, a power cut) is
 * partly done, and undo finishes the way back (a file already holding its
 * bytes from before is left as it is). */
enum journal_state {
	JOURNAL_APPLYING,
	JOURNAL_APPLIED,
	JOURNAL_UNDOING,
	JOURNAL_UNDONE,
	JOURNAL_DAMAGED, /* the manifest or a copy cannot be read: undo refuses it */
};

struct journal_entry {
	char *id, *time, *command;
	char *why; /* damaged: what is wrong */
	struct strv paths;
	struct strv commands; /* the changes made by commands */
	struct strv drifted;  /* changed since (by hand, or by another tool): undo refuses them */
	enum journal_state state;
};

/* "applied", "partly applied", "undone", "partly undone", "damaged". */
const char *journal_state_name(enum journal_state s);
