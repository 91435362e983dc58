/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A table's lines as a command makes them, one at a time: each line's cells
 * in one reused buffer (struct cli_row), then either kept in a libsmartcols
 * table (the text table and -r need every line before the first is printed:
 * the widths, the tree) or, for -J, written at once as libsmartcols 2.38
 * writes its JSON (lib/jsonwrt.c, libsmartcols/src/print.c: layout, names,
 * types, the tree's "children"), each value escaped as cli_print_table()
 * mends libsmartcols's output (shared/escape.c). The same bytes, without the
 * table or the document in memory: what `groups -J` lists on a machine with
 * thousands of functions.
 */
#pragma once

#include "cli/cli.h"

/* The cells of one line, by shown column (the first place a column is
 * shown, as cli_cell() sets it); NULL: empty. */
struct cli_row {
	const struct cli_columns *cols;
	size_t off[64]; /* 1 + offset into buf; 0: not set */
	char *buf;
	size_t len, alloc;
};

void cli_row_init(struct cli_row *r, const struct cli_columns *c);
/* Empty every cell for the next line (the buffer is kept). */
void cli_row_reset(struct cli_row *r);
void cli_row_free(struct cli_row *r);
/* Set a cell if its column is shown (val NULL: left empty). 0 or -ENOMEM. */
int cli_row_set(struct cli_row *r, int col, const char *val);
int cli_row_setf(struct cli_row *r, int col, const char *fmt, ...) _printf_(3, 4);
/* The cell of the i-th shown column, NULL when empty. */
const char *cli_row_cell(const struct cli_row *r, size_t i);
/* The cell of col, to change in place (its length kept); NULL when empty
 * or not shown. Valid until the next cli_row_set*(). */
char *cli_row_get(struct cli_row *r, int col);

/* Where the lines go: a libsmartcols table printed by cli_out_finish(), or
 * JSON on stdout as they come (cli_out_open() with json). */
struct cli_out {
	const struct cli_columns *cols;
	FILE *f; /* stdout; a test may point it elsewhere before the first line */
	struct libscols_table *tb;
	struct libscols_line *last[8]; /* the table's last line at each level */
	const char *name;
	bool stream, tree, started;
	unsigned levels; /* the level of the last line + 1: the deepest the next may be */
	unsigned depth;  /* the JSON objects of lines not yet closed */
	int indent;      /* lib/jsonwrt.c's state */
	bool after_close;
};

/* 0 or -ENOMEM. */
int cli_out_open(struct cli_out *o, const struct cli_columns *c, const char *name, const struct cli_table_opts *t);
/* A line at level 0 (a root) or level n, a child of the last line at n - 1
 * (the levels of a table without a tree column are ignored, as libsmartcols
 * lists its lines in order). 0, -ENOMEM, -EINVAL for a level with no
 * parent. */
int cli_out_line(struct cli_out *o, unsigned level, const struct cli_row *r);
/* The end: JSON closed (an empty list with no line); a table printed when
 * print is true (cli_print_table()). 0, -ENOMEM or -EIO. */
int cli_out_finish(struct cli_out *o, bool print);
void cli_out_free(struct cli_out *o);
