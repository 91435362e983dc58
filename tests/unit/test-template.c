/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "shared/macro.h"
#include "shared/template.h"

static const struct tmpl_var vars[] = {
	{ "NAME", TMPL_QUOTE, "it's $(x)", false },
	{ "DEVS", TMPL_WORD, "0000:06:00.0 0000:06:00.1", false },
	{ "ARGS", TMPL_CODE, "-m '8G' \\\n\t-smp '2'", false },
	{ "ON", TMPL_SECTION, NULL, true },
	{ "OFF", TMPL_SECTION, NULL, false },
	{ NULL, 0, NULL, false },
};

static void check(const char *tmpl, const char *want)
{
	_cleanup_free_ char *out = NULL;

	assert_int_equal(tmpl_render(tmpl, vars, &out, NULL), 0);
	assert_string_equal(out, want);
}

static void refused(const char *tmpl, const struct tmpl_var *v, const char *bad_want)
{
	char *out = NULL;
	const char *bad = "unset";

	assert_int_equal(tmpl_render(tmpl, v, &out, &bad), -EINVAL);
	assert_null(out);
	if (bad_want)
		assert_string_equal(bad, bad_want);
	else
		assert_null(bad);
}

static void test_values(void **state)
{
	check("", "");
	check("name=@NAME@\n", "name='it'\\''s $(x)'\n");
	check("DEVS=\"@DEVS@\"\n", "DEVS=\"0000:06:00.0 0000:06:00.1\"\n");
	check("exec q \\\n\t@ARGS@ \\\n\t\"$@\"\n", "exec q \\\n\t-m '8G' \\\n\t-smp '2' \\\n\t\"$@\"\n");
	/* "$@", an address, a lone @ and a lower-case name are text. */
	check("a@b.c @ @x@ \"$@\" @NAME", "a@b.c @ @x@ \"$@\" @NAME");
	check("no newline at the end: @DEVS@", "no newline at the end: 0000:06:00.0 0000:06:00.1");
}

static void test_sections(void **state)
{
	check("a\n#@if ON\nb\n#@endif\n#@if OFF\nc @NAME@\n#@endif\nd\n", "a\nb\nd\n");
	/* The template's own shellcheck directives stay out of the script. */
	check("# shellcheck disable=SC2034 # why\nx=1\n# shellcheck: a comment\n", "x=1\n# shellcheck: a comment\n");
}

/* The block of assignments at "#@vars": each value the kept body names
 * ("$name", "${name"), in lower case, through sh_quote; none for a value
 * named only in a section left out, or only as a longer name. */
static void test_block(void **state)
{
	check("#!/bin/sh\n#@vars\necho \"$name\"\nfor d in ${devs}; do :; done\n#@if OFF\necho \"$args\"\n#@endif\n",
	      "#!/bin/sh\nname='it'\\''s $(x)'\ndevs='0000:06:00.0 0000:06:00.1'\necho \"$name\"\n"
	      "for d in ${devs}; do :; done\n");
	check("#@vars\necho \"$names $DEVS\"\n", "echo \"$names $DEVS\"\n");
	/* Once, outside the sections. */
	refused("#@vars\n#@vars\n", vars, NULL);
	refused("#@if ON\n#@vars\n#@endif\n", vars, NULL);
}

static void test_refused(void **state)
{
	static const char *const hostile[] = { "0000:06:00.0 $(reboot)", "a;b", "a`b`", "a\nb", "'", "\"", "a*", "a|b",
					       "a&", "a>b", "~root", "a\\b", "\x1b[31m" };

	for (size_t i = 0; i < ARRAY_SIZE(hostile); i++) {
		const struct tmpl_var v[] = { { "DEVS", TMPL_WORD, hostile[i], false }, { NULL, 0, NULL, false } };
		refused("DEVS=\"@DEVS@\"\n", v, "DEVS");
	}
	/* A name the emitter did not give, a section used as a value, a value as a section. */
	refused("x=@NOPE@\n", vars, NULL);
	refused("x=@ON@\n", vars, "ON");
	refused("#@if NAME\nx\n#@endif\n", vars, "NAME");
	refused("#@if NOPE\nx\n#@endif\n", vars, NULL);
	/* Markers: unterminated, nested, a stray end, misspelt. */
	refused("#@if ON\nx\n", vars, NULL);
	refused("#@if ON\n#@if OFF\n#@endif\n#@endif\n", vars, NULL);
	refused("x\n#@endif\n", vars, NULL);
	refused("#@fi\n", vars, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_sections),
		cmocka_unit_test(test_block),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
