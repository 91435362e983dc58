/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A table's lines, kept in libsmartcols or streamed as its JSON; see rows.h. */
#include <stdarg.h>

#include "cli/rows.h"
#include "shared/escape.h"

void cli_row_init(struct cli_row *r, const struct cli_columns *c)
{
	*r = (struct cli_row){ .cols = c };
}

void cli_row_reset(struct cli_row *r)
{
	memset(r->off, 0, sizeof(r->off));
	r->len = 0;
}

void cli_row_free(struct cli_row *r)
{
	free(r->buf);
	cli_row_init(r, r->cols);
}

/* The first place col is shown, or -1 (cli_cell() sets only that one). */
static int shown_at(const struct cli_columns *c, int col)
{
	for (size_t i = 0; i < c->ncols && i < ARRAY_SIZE(((struct cli_row *)NULL)->off); i++)
		if (c->cols[i] == col)
			return (int)i;
	return -1;
}

static int row_reserve(struct cli_row *r, size_t more)
{
	size_t need;

	if (!size_add(r->len, more, &need))
		return -ENOMEM;
	return GROW(r->buf, r->alloc, need);
}

int cli_row_set(struct cli_row *r, int col, const char *val)
{
	int i = shown_at(r->cols, col);
	size_t n;

	if (i < 0 || !val)
		return 0;
	n = strlen(val) + 1;
	if (row_reserve(r, n) < 0)
		return -ENOMEM;
	memcpy(r->buf + r->len, val, n);
	r->off[i] = r->len + 1;
	r->len += n;
	return 0;
}

int cli_row_setf(struct cli_row *r, int col, const char *fmt, ...)
{
	int i = shown_at(r->cols, col), n;
	va_list ap;

	if (i < 0)
		return 0;
	for (size_t room = 64;;) {
		if (row_reserve(r, room) < 0)
			return -ENOMEM;
		room = r->alloc - r->len;
		va_start(ap, fmt);
		n = vsnprintf(r->buf + r->len, room, fmt, ap);
		va_end(ap);
		if (n < 0)
			return -ENOMEM;
		if ((size_t)n < room)
			break;
		room = (size_t)n + 1;
	}
	r->off[i] = r->len + 1;
	r->len += (size_t)n + 1;
	return 0;
}

const char *cli_row_cell(const struct cli_row *r, size_t i)
{
	return i < ARRAY_SIZE(r->off) && r->off[i] ? r->buf + r->off[i] - 1 : NULL;
}

char *cli_row_get(struct cli_row *r, int col)
{
	int i = shown_at(r->cols, col);

	return i < 0 ? NULL : (char *)cli_row_cell(r, (size_t)i);
}

/* lib/jsonwrt.c (util-linux 2.38), the writer libsmartcols prints JSON
 * with, step by step: the same indentation, commas and line breaks. */
enum { JSON_OBJECT, JSON_ARRAY, JSON_VALUE };

/* What one step writes, gathered and written at once: a key and its value
 * are one fwrite(), not seven. */
struct jw {
	FILE *f;
	size_t n;
	char b[256];
};

static void jw_flush(struct jw *w)
{
	if (w->n)
		fwrite(w->b, 1, w->n, w->f);
	w->n = 0;
}

static void jw_put(struct jw *w, const char *s, size_t len)
{
	if (w->n + len > sizeof(w->b)) {
		jw_flush(w);
		if (len > sizeof(w->b)) {
			fwrite(s, 1, len, w->f);
			return;
		}
	}
	memcpy(w->b + w->n, s, len);
	w->n += len;
}

static void json_indent_to(struct cli_out *o, struct jw *w)
{
	static const char spaces[] = "                                                ";

	for (int i = 0; i < o->indent; i += 16)
		jw_put(w, spaces, 3 * (size_t)(o->indent - i < 16 ? o->indent - i : 16));
}

static void json_indent(struct cli_out *o)
{
	struct jw w = { .f = o->f };

	json_indent_to(o, &w);
	jw_flush(&w);
}

static void json_open_to(struct cli_out *o, struct jw *w, const char *name, int type)
{
	if (name) {
		if (o->after_close)
			jw_put(w, ",\n", 2);
		json_indent_to(o, w);
		/* Names are lower case (fputs_quoted_json_lower()); ours are ASCII. */
		jw_put(w, "\"", 1);
		for (const char *c = name; *c; c++) {
			char l = *c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c;
			jw_put(w, &l, 1);
		}
		jw_put(w, "\"", 1);
	} else if (o->after_close)
		jw_put(w, ",", 1);
	else
		json_indent_to(o, w);
	switch (type) {
	case JSON_OBJECT:
		jw_put(w, name ? ": {\n" : "{\n", name ? 4 : 2);
		o->indent++;
		break;
	case JSON_ARRAY:
		jw_put(w, name ? ": [\n" : "[\n", name ? 4 : 2);
		o->indent++;
		break;
	case JSON_VALUE:
		jw_put(w, name ? ": " : " ", name ? 2 : 1);
		break;
	}
	o->after_close = false;
}

static void json_open(struct cli_out *o, const char *name, int type)
{
	struct jw w = { .f = o->f };

	json_open_to(o, &w, name, type);
	jw_flush(&w);
}

static void json_close(struct cli_out *o, int type)
{
	if (o->indent == 1) {
		fputs("\n}\n", o->f);
		o->indent--;
		o->after_close = true;
		return;
	}
	if (type != JSON_VALUE) {
		o->indent--;
		fputc('\n', o->f);
		json_indent(o);
		fputc(type == JSON_OBJECT ? '}' : ']', o->f);
	}
	o->after_close = true;
}

/* ul_jsonwrt_value_s() and _raw(): an empty cell is null. */
static void json_value(struct cli_out *o, const char *name, const char *data, size_t len, bool quoted)
{
	struct jw w = { .f = o->f };

	json_open_to(o, &w, name, JSON_VALUE);
	if (!len)
		jw_put(&w, "null", 4);
	else if (json_plain_len(data, len) == len) { /* nothing to escape */
		if (quoted)
			jw_put(&w, "\"", 1);
		jw_put(&w, data, len);
		if (quoted)
			jw_put(&w, "\"", 1);
	} else {
		jw_flush(&w);
		json_write_value(o->f, data, len, quoted);
	}
	jw_flush(&w);
	json_close(o, JSON_VALUE);
}

/* print_json_data(): an array column is its cell cut at each newline where
 * cli_table_new() gave it scols_wrapnl_nextchunk() (array strings: "a\n"
 * is "a" and an empty, null, chunk), else the whole cell as one string. */
static void json_cell(struct cli_out *o, const struct cli_column *ci, const char *data)
{
	data = data ? data : "";
	switch (ci->json) {
	case SCOLS_JSON_NUMBER:
		json_value(o, ci->name, data, strlen(data), false);
		return;
	case SCOLS_JSON_ARRAY_STRING:
		json_open(o, ci->name, JSON_ARRAY);
		for (;;) {
			size_t n = strcspn(data, "\n");
			json_value(o, NULL, data, n, true);
			if (!data[n])
				break;
			data += n + 1;
		}
		json_close(o, JSON_ARRAY);
		return;
	case SCOLS_JSON_ARRAY_NUMBER:
		json_open(o, ci->name, JSON_ARRAY);
		json_value(o, NULL, data, strlen(data), true);
		json_close(o, JSON_ARRAY);
		return;
	default:
		json_value(o, ci->name, data, strlen(data), true);
	}
}

int cli_out_open(struct cli_out *o, const struct cli_columns *c, const char *name, const struct cli_table_opts *t)
{
	*o = (struct cli_out){ .cols = c, .f = stdout, .name = name, .stream = t->json };
	for (size_t i = 0; i < c->ncols && i < ARRAY_SIZE(c->cols); i++)
		o->tree |= (c->info[c->cols[i]].flags & SCOLS_FL_TREE) != 0;
	if (o->stream)
		return 0;
	o->tb = cli_table_new(c, name, t->json, t->raw, t->noheadings);
	return o->tb ? 0 : -ENOMEM;
}

static void json_start(struct cli_out *o)
{
	if (o->started)
		return;
	o->started = true;
	o->indent = 0;
	o->after_close = false;
	json_open(o, NULL, JSON_OBJECT); /* ul_jsonwrt_root_open() */
	json_open(o, o->name ? o->name : "", JSON_ARRAY);
}

/* print_tree_line(): an object per line, its children in "children"; a
 * line's object closes when a line at its level or above comes, or at the
 * end, which writes what libsmartcols writes after a last child. */
static void json_close_to(struct cli_out *o, unsigned level)
{
	if (o->depth <= level)
		return;
	json_close(o, JSON_OBJECT);
	o->depth--;
	while (o->depth > level) {
		json_close(o, JSON_ARRAY);
		json_close(o, JSON_OBJECT);
		o->depth--;
	}
}

int cli_out_line(struct cli_out *o, unsigned level, const struct cli_row *r)
{
	if (level > o->levels || level >= ARRAY_SIZE(o->last))
		return -EINVAL;
	o->levels = level + 1;
	if (!o->stream) {
		struct libscols_line *ln = scols_table_new_line(o->tb, level > 0 ? o->last[level - 1] : NULL);
		if (!ln)
			return -ENOMEM;
		for (size_t i = 0; i < o->cols->ncols && i < ARRAY_SIZE(o->cols->cols); i++) {
			const char *v = cli_row_cell(r, i);
			if (v && scols_line_set_data(ln, i, v) < 0)
				return -ENOMEM;
		}
		o->last[level] = ln;
		return 0;
	}
	if (!o->tree)
		level = 0; /* every line an object of the list, in order */
	json_start(o);
	if (level == o->depth && level > 0)
		json_open(o, "children", JSON_ARRAY);
	else
		json_close_to(o, level);
	json_open(o, NULL, JSON_OBJECT);
	for (size_t i = 0; i < o->cols->ncols && i < ARRAY_SIZE(o->cols->cols); i++)
		json_cell(o, &o->cols->info[o->cols->cols[i]], cli_row_cell(r, i));
	o->depth = level + 1;
	return 0;
}

int cli_out_finish(struct cli_out *o, bool print)
{
	if (!o->stream)
		return print ? cli_print_table(o->tb) : 0;
	json_start(o);
	json_close_to(o, 0);
	json_close(o, JSON_ARRAY);
	json_close(o, JSON_OBJECT);
	return ferror(o->f) ? -EIO : 0;
}

void cli_out_free(struct cli_out *o)
{
	scols_unref_table(o->tb);
	o->tb = NULL;
}
