/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once
/*
 * Every file vfiokit changes goes through a journal entry first:
 * var/lib/vfiokit/journal/ID/ holds a manifest (paths, modes, whether each
 * file existed) and the bytes of every file before and after. Applying
 * writes the entry, then the files (atomically: temporary file, fsync,
 * rename); a failure puts back what was written and removes the entry.
 * Undoing restores the files byte for byte, and refuses when one changed
 * since, unless forced.
 */
#include <stdbool.h>
#include <sys/types.h>

#include "path.h"
#include "strv.h"

#define JOURNAL_DIR "var/lib/vfiokit/journal"

struct journal_change {
	char *path;          /* root-relative */
	char *before, *after; /* NULL: the file does not exist (before) / is removed (after) */
	mode_t before_mode, after_mode;
};

struct journal_tx {
	char *command; /* what made it, for `vfiokit journal` */
	struct journal_change *v;
	size_t n, alloc;
	struct strv dirs; /* directories applying created (undo removes them when empty) */
};

/* Add a change of path to after (NULL: remove), reading what is there now. */
int journal_tx_add(struct journal_tx *tx, struct path_root *r, const char *path, const char *after, mode_t mode);
/* The unified diff of every change; "" when nothing would change. */
char *journal_tx_diff(const struct journal_tx *tx);
/* 0, with *id (heap) naming the entry; or -errno with *err (heap) saying
 * which path failed and that everything was put back. */
int journal_apply(struct path_root *r, struct journal_tx *tx, char **id, char **err);
void journal_tx_free(struct journal_tx *tx);

struct journal_entry {
	char *id, *time, *command;
	struct strv paths;
	bool undone;
};

int journal_list(struct path_root *r, struct journal_entry **ret, size_t *n);
void journal_entries_free(struct journal_entry *e, size_t n);

/* Undo entry id (NULL: the newest one not undone). dry_run: only *diff.
 * -ESTALE when a file changed since it was written (unless force), -ENOENT
 * when there is no such entry, -EALREADY when it was undone; *err says it.
 * *diff (heap): what the undo changes. *done_id: the entry. */
int journal_undo(struct path_root *r, const char *id, bool force, bool dry_run, char **done_id, char **diff,
		 char **err);
