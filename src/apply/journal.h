/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once
/*
 * Every file vfiokit changes goes through a journal entry first:
 * var/lib/vfiokit/journal/ID/ holds a manifest (paths, modes, whether each
 * file existed, text or binary, each copy's length and sha256) and the
 * bytes of every file before and after (N.before, N.after). A copy that is
 * not the length and sha256 its manifest says makes the entry damaged
 * (undo refuses it). Entries of version 1 (text only, without lengths)
 * are still listed and undone. Applying
 * writes the entry, then the files (atomically: temporary file, fsync,
 * rename); a failure puts back what was written and removes the entry.
 * Undoing restores the files byte for byte, and refuses when one changed
 * since, unless forced.
 *
 * An entry may carry commands too: changes a command makes (kernelstub -a,
 * grubby --args, rpm-ostree kargs), each with the command that takes it
 * back, and regenerate commands (update-initramfs, update-grub) that build
 * what boots from the files. Applying runs the changes, then the
 * regenerate commands; undoing puts the files back, runs the changes'
 * inverses (newest first), then the regenerate commands again. A command
 * is words separated by single spaces (vfiokit's own, never user text).
 */
#include <stdbool.h>
#include <sys/types.h>

#include "host/path.h"
#include "shared/error.h"
#include "shared/strv.h"
#include "plan/journal-entry.h"

#define JOURNAL_DIR "var/lib/vfiokit/journal"

/* The largest text file the journal reads whole, and the largest binary
 * file it keeps (a ROM: a PCI ROM BAR is at most 16 MiB). */
#define JOURNAL_TEXT_MAX (64u << 20)
#define JOURNAL_BINARY_MAX (16u << 20)
/* All copies of one entry, as a manifest may name them. */
#define JOURNAL_ENTRY_MAX (256u << 20)

struct journal_change {
	char *path;          /* root-relative */
	char *before, *after; /* NULL: the file does not exist (before) / is removed (after); else the
			       * bytes, their length below (a NUL after them, for text) */
	size_t before_len, after_len;
	mode_t before_mode, after_mode;
	bool binary; /* bytes of any value (a ROM): its diff says length and sha256, not lines */
};

struct journal_tx {
	char *command; /* what made it, for `vfiokit journal` */
	struct error err; /* why journal_tx_add() refused a path, for the message */
	struct journal_change *v;
	size_t n, alloc;
	struct strv dirs; /* directories applying created (undo removes them when empty) */
	struct strv exec, exec_undo; /* changes made by commands, and their inverses */
	struct strv regen;           /* regenerate commands, after apply and after undo */
};

/* How commands run: run() (0, or -errno with err saying why; the
 * command's own output passes through), or, with run NULL, listed in todo
 * for the caller to print (a machine copy: they belong inside it). */
struct journal_runner {
	int (*run)(const char *cmd, void *data, struct error *err);
	void *data;
	struct strv todo;
	/* When set, undo runs nothing unless every command passes: -EPERM,
	 * err naming the first that does not (a journal in a machine copy
	 * may not be vfiokit's). */
	bool (*allowed)(const char *cmd);
};

/* Add a change of path to after (NULL: remove), reading what is there now.
 * A symbolic link is followed inside the root and what it leads to is the
 * change (the link itself stays); one leading out of the root is -EXDEV.
 * A file with several hard links is -EMLINK (replacing it would split
 * them), anything but a regular file -EINVAL; tx->err says which path. */
int journal_tx_add(struct journal_tx *tx, struct path_root *r, const char *path, const char *after, mode_t mode);
/* The same for a binary file: len bytes of any value (NULL: remove), at
 * most JOURNAL_BINARY_MAX (-EFBIG). A symbolic link at path is refused
 * (-ELOOP), not followed; its directories' links are, as above. */
int journal_tx_add_binary(struct journal_tx *tx, struct path_root *r, const char *path, const void *after, size_t len,
			  mode_t mode);
/* A change made by a command, and the command that takes it back. */
int journal_tx_add_exec(struct journal_tx *tx, const char *run, const char *undo);
/* A command that regenerates from the files. */
int journal_tx_add_regen(struct journal_tx *tx, const char *run);
/* The unified diff of every change; "" when nothing would change. */
char *journal_tx_diff(const struct journal_tx *tx);
/* 0, with *id (heap) naming the entry; or -errno with err (ERROR_FAILED) saying
 * which path or command failed and that everything was put back (the
 * files restored, the changes' inverses and the regenerate commands that
 * had run run again: then no entry is left). x NULL: no command runs.
 * -ENOMEM, or a directory the files need that cannot be made, comes
 * without a message: the caller says strerror(). */
int journal_apply(struct path_root *r, struct journal_tx *tx, struct journal_runner *x, char **id, struct error *err);
void journal_tx_free(struct journal_tx *tx);

/* An ID as the journal makes them: YYYYMMDD-HHMMSS, or with -NNN. */
bool journal_id_valid(const char *id);

/* Remove what a run stopped half-way (killed, a power cut) left: entries
 * without a manifest (stopped before they changed anything), temporary
 * files of a manifest rewrite, and the temporary files beside the files
 * of an entry partly applied or partly undone. For commands that change
 * files, before they do: journal_apply() calls it. */
void journal_tidy(struct path_root *r);

/* The entries, oldest first; with_drift: each applied entry's drifted
 * files too (reads them all). */
int journal_list(struct path_root *r, bool with_drift, struct journal_entry **ret, size_t *n);
void journal_entries_free(struct journal_entry *e, size_t n);

/* Undo entry id (NULL: the newest one not undone). dry_run: only *diff,
 * and the commands it would run in x->todo. A file that holds its bytes
 * from before already is left alone: an undo stopped half-way (or an
 * apply) is finished by the next. A write that fails puts back the files
 * this undo restored (nothing changed; the entry as it was).
 * -ESTALE when a file changed since it was written (unless force), -ENOENT
 * when there is no such entry, -EALREADY when it was undone, -EINVAL for
 * an id not in the journal's format, -EBADMSG for a damaged entry (also
 * when it is the newest and id is NULL); err says it (ERROR_USAGE for the
 * id, ERROR_FAILED otherwise); -ENOMEM may come without it.
 * *diff (heap): what the undo changes. *done_id: the entry. */
int journal_undo(struct path_root *r, const char *id, bool force, bool dry_run, struct journal_runner *x,
		 char **done_id, char **diff, struct error *err);
