/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cli/rows.c: -J written line by line must be the bytes libsmartcols writes
 * for the same table, mended by cli_print_table()'s escaping: trees of
 * every shape, tables without a tree column, empty tables, hostile cells
 * (control bytes, invalid UTF-8, C1 and bidirectional controls, quotes,
 * backslashes, newlines in string, number and array cells), and many
 * tables of random lines and bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "cli/rows.h"
#include "shared/escape.h"

enum { C_NAME, C_TEXT, C_NUM, C_LIST, C_NUMS };

static const struct cli_column infos[] = {
	[C_NAME] = { "NAME", 0.2, SCOLS_FL_TREE | SCOLS_FL_NOEXTREMES, SCOLS_JSON_STRING, "" },
	[C_TEXT] = { "Text", 0.2, SCOLS_FL_TRUNC, SCOLS_JSON_STRING, "" },
	[C_NUM] = { "NUM", 2, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "" },
	[C_LIST] = { "LIST", 0.1, 0, SCOLS_JSON_ARRAY_STRING, "" },
	[C_NUMS] = { "NUMS", 0.1, 0, SCOLS_JSON_ARRAY_NUMBER, "" },
};

struct line {
	unsigned level;
	const char *cell[ARRAY_SIZE(infos)]; /* by column; NULL: empty */
};

/* The table through libsmartcols, as `groups -J` printed it before:
 * scols_print_table_to_string() and json_escape_text(). */
static char *reference(const struct cli_columns *c, const struct line *lines, size_t n)
{
	struct cli_table_opts t = { 0 };
	struct cli_out out;
	struct cli_row row;
	_cleanup_free_ char *s = NULL;
	char *e;

	assert_int_equal(cli_out_open(&out, c, "things", &t), 0);
	scols_table_enable_json(out.tb, 1);
	cli_row_init(&row, c);
	for (size_t i = 0; i < n; i++) {
		cli_row_reset(&row);
		for (int col = 0; col < (int)ARRAY_SIZE(infos); col++)
			assert_int_equal(cli_row_set(&row, col, lines[i].cell[col]), 0);
		assert_int_equal(cli_out_line(&out, lines[i].level, &row), 0);
	}
	assert_int_equal(scols_print_table_to_string(out.tb, &s), 0);
	e = json_escape_text(s);
	assert_non_null(e);
	cli_row_free(&row);
	cli_out_free(&out);
	return e;
}

static char *streamed(const struct cli_columns *c, const struct line *lines, size_t n)
{
	struct cli_table_opts t = { .json = true };
	struct cli_out out;
	struct cli_row row;
	char *s = NULL;
	size_t len = 0;

	assert_int_equal(cli_out_open(&out, c, "things", &t), 0);
	out.f = open_memstream(&s, &len);
	assert_non_null(out.f);
	cli_row_init(&row, c);
	for (size_t i = 0; i < n; i++) {
		cli_row_reset(&row);
		for (int col = 0; col < (int)ARRAY_SIZE(infos); col++)
			assert_int_equal(cli_row_set(&row, col, lines[i].cell[col]), 0);
		assert_int_equal(cli_out_line(&out, lines[i].level, &row), 0);
	}
	assert_int_equal(cli_out_finish(&out, true), 0);
	assert_int_equal(fclose(out.f), 0);
	cli_row_free(&row);
	cli_out_free(&out);
	return s;
}

static void same(const int *cols, size_t ncols, const struct line *lines, size_t n)
{
	struct cli_columns c = { .info = infos, .ninfo = ARRAY_SIZE(infos) };
	_cleanup_free_ char *want = NULL, *got = NULL;

	for (size_t i = 0; i < ncols; i++)
		c.cols[c.ncols++] = cols[i];
	want = reference(&c, lines, n);
	got = streamed(&c, lines, n);
	assert_string_equal(got, want);
}

static const int all[] = { C_NAME, C_TEXT, C_NUM, C_LIST, C_NUMS };
static const int flat[] = { C_TEXT, C_NUM, C_LIST };                  /* no tree column */
static const int twice[] = { C_NUM, C_NAME, C_TEXT, C_NAME, C_LIST }; /* a column shown twice */

static const struct line hostile[] = {
	{ 0, { "group 0", "isolated", "0", NULL, NULL } },
	{ 1, { "0000:00:00.0", "\x1b[31mred\x1b[0m \x1b]0;owned\x07", "1", "a\nb\nc", "1\n2" } },
	{ 1, { "0000:00:00.1", "quote \" backslash \\ \\x1b slash /", "", "a\n", "\n" } },
	{ 2, { "Bus 001 Device 002", "tab\there\nnewline\r\b\f\x01\x1f", "7", "", "" } },
	{ 2,
	  { "Bus 001 Device 003",
	    "DEL\x7f C1\xc2\x9b"
	    "31m \xc2\x85 NBSP\xc2\xa0",
	    "12", "\xc2\x9b\n\xff", NULL } },
	{ 0,
	  { "group 1",
	    "bidi \xe2\x80\xae"
	    "exe.rom \xe2\x81\xa6 \xe2\x80\x8f \xd8\x9c \xe2\x80\x90",
	    NULL, NULL, NULL } },
	{ 0,
	  { "group 2", "invalid \xff\xfe \x80x \xc3 \xe2\x82 \xc0\xaf \xed\xa0\x80 \xf4\x90\x80\x80", "3", NULL,
	    NULL } },
	{ 1, { "cut \xc3\ncut", "\xe2\x82\n\x82", "1\x1b", "\xe2\x82\n\x82 x\n\xc3", "\xc3\n9" } },
	{ 1, { "Caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "", "", "", "" } },
	{ 0, { "group 3", NULL, NULL, "only\nlist", NULL } },
	{ 1, { "last child", "x", "9", NULL, NULL } },
	{ 2, { "deepest", "y", NULL, NULL, NULL } },
};

static void test_hostile(void **state)
{
	same(all, ARRAY_SIZE(all), hostile, ARRAY_SIZE(hostile));
	same(flat, ARRAY_SIZE(flat), hostile, ARRAY_SIZE(hostile));
	same(twice, ARRAY_SIZE(twice), hostile, ARRAY_SIZE(hostile));
}

static void test_shapes(void **state)
{
	static const struct line one[] = { { 0, { "alone" } } };
	static const struct line roots[] = { { 0, { "a" } }, { 0, { "b" } }, { 0, { "c" } } };
	/* The last root with children; a first root with children, then none. */
	static const struct line last_parent[] = { { 0, { "a" } }, { 0, { "b" } }, { 1, { "b1" } }, { 1, { "b2" } } };
	static const struct line first_parent[] = { { 0, { "a" } }, { 1, { "a1" } }, { 2, { "a11" } }, { 0, { "b" } } };
	static const struct line back_two[] = { { 0, { "a" } },  { 1, { "a1" } },  { 2, { "a11" } }, { 2, { "a12" } },
						{ 1, { "a2" } }, { 2, { "a21" } }, { 0, { "b" } },   { 1, { "b1" } } };

	same(all, ARRAY_SIZE(all), NULL, 0);
	same(flat, ARRAY_SIZE(flat), NULL, 0);
	same(all, ARRAY_SIZE(all), one, ARRAY_SIZE(one));
	same(all, ARRAY_SIZE(all), roots, ARRAY_SIZE(roots));
	same(all, ARRAY_SIZE(all), last_parent, ARRAY_SIZE(last_parent));
	same(all, ARRAY_SIZE(all), first_parent, ARRAY_SIZE(first_parent));
	same(all, ARRAY_SIZE(all), back_two, ARRAY_SIZE(back_two));
	same(flat, ARRAY_SIZE(flat), back_two, ARRAY_SIZE(back_two));
}

/* A line one level deeper than any open line has no parent. */
static void test_no_parent(void **state)
{
	struct cli_columns c = { .info = infos, .ninfo = ARRAY_SIZE(infos), .cols = { C_NAME }, .ncols = 1 };
	struct cli_table_opts json = { .json = true }, table = { 0 };
	struct cli_out out;
	struct cli_row row;
	char *s = NULL;
	size_t len = 0;

	cli_row_init(&row, &c);
	assert_int_equal(cli_row_set(&row, C_NAME, "x"), 0);
	assert_int_equal(cli_out_open(&out, &c, "t", &table), 0);
	assert_int_equal(cli_out_line(&out, 1, &row), -EINVAL);
	cli_out_free(&out);
	assert_int_equal(cli_out_open(&out, &c, "t", &json), 0);
	out.f = open_memstream(&s, &len);
	assert_int_equal(cli_out_line(&out, 1, &row), -EINVAL);
	assert_int_equal(cli_out_line(&out, 0, &row), 0);
	assert_int_equal(cli_out_line(&out, 2, &row), -EINVAL);
	assert_int_equal(cli_out_finish(&out, true), 0);
	fclose(out.f);
	assert_string_equal(s, "{\n   \"t\": [\n      {\n         \"name\": \"x\"\n      }\n   ]\n}\n");
	free(s);
	cli_out_free(&out);
	cli_row_free(&row);
}

/* Random tables: random shapes, cells of random bytes from a set rich in
 * the ones that are escaped or mended. */
static void test_random(void **state)
{
	static const char bytes[] =
		"ab \"\\/x\n\t\x01\x1b\x7f\xc2\x9b\xa0\xe2\x80\xae\x81\xa6\xff\xc3\xa9\xf0\x9f\x98\x80";
	enum { TABLES = 300, LINES = 12, CELL = 12 };
	static char text[LINES][ARRAY_SIZE(infos)][CELL + 1];
	struct line lines[LINES];
	unsigned seed = 19;

	for (int t = 0; t < TABLES; t++) {
		size_t n = (size_t)rand_r(&seed) % LINES;
		unsigned depth = 0;
		for (size_t i = 0; i < n; i++) {
			lines[i].level = depth ? (unsigned)rand_r(&seed) % (depth + 1) : 0;
			depth = lines[i].level + 1;
			for (size_t col = 0; col < ARRAY_SIZE(infos); col++) {
				size_t len = (size_t)rand_r(&seed) % (CELL + 1);
				for (size_t b = 0; b < len; b++)
					text[i][col][b] = bytes[(size_t)rand_r(&seed) % (sizeof(bytes) - 1)];
				text[i][col][len] = '\0';
				lines[i].cell[col] = rand_r(&seed) % 5 ? text[i][col] : NULL;
			}
		}
		same(all, ARRAY_SIZE(all), lines, n);
		same(flat, ARRAY_SIZE(flat), lines, n);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_shapes),
		cmocka_unit_test(test_no_parent),
		cmocka_unit_test(test_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
