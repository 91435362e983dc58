/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "shared/escape.h"
#include "shared/macro.h"

static void check(const char *in, const char *keep, const char *want)
{
	_cleanup_free_ char *out = text_escape(in, keep);

	assert_non_null(out);
	assert_string_equal(out, want);
	assert_true(text_needs_escape(in, keep) == !streq(in, want));
}

static void test_escape(void **state)
{
	check("", NULL, "");
	check("NVIDIA GP104 [GeForce GTX 1070]", NULL, "NVIDIA GP104 [GeForce GTX 1070]");
	check("Caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", NULL, "Caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	/* CSI colour, OSC title ending in BEL, DEL, tab and newline. */
	check("\x1b[31mred\x1b[0m", NULL, "\\x1b[31mred\\x1b[0m");
	check("\x1b]0;owned\x07", NULL, "\\x1b]0;owned\\x07");
	check("a\x7f" "b", NULL, "a\\x7fb");
	check("a\tb\nc\r", NULL, "a\\x09b\\x0ac\\x0d");
	check("a\nb", "\n", "a\nb");
	/* A backslash before an x is escaped, so the text \x1b is not an ESC. */
	check("a\\x1b", NULL, "a\\x5cx1b");
	check("C:\\win", NULL, "C:\\win");
	/* C1 controls in UTF-8 (U+009B is CSI to some terminals); U+00A0 is not one. */
	check("\xc2\x9b" "31m", NULL, "\\xc2\\x9b31m");
	check("\xc2\x85", NULL, "\\xc2\\x85");
	check("\xc2\xa0", NULL, "\xc2\xa0");
	/* Bidirectional controls (Trojan Source): U+202E, U+2066, U+200F; not U+2010. */
	check("gpu\xe2\x80\xae" "exe.rom", NULL, "gpu\\xe2\\x80\\xaeexe.rom");
	check("\xe2\x81\xa6x\xe2\x80\x8f", NULL, "\\xe2\\x81\\xa6x\\xe2\\x80\\x8f");
	check("\xe2\x80\x90", NULL, "\xe2\x80\x90");
	/* Invalid UTF-8: stray continuation, truncated, overlong, surrogate, above U+10FFFF. */
	check("\x80x", NULL, "\\x80x");
	check("\xff\xfe", NULL, "\\xff\\xfe");
	check("\xc3", NULL, "\\xc3");
	check("\xe2\x82", NULL, "\\xe2\\x82");
	check("\xc0\xaf", NULL, "\\xc0\\xaf");
	check("\xe0\x80\xaf", NULL, "\\xe0\\x80\\xaf");
	check("\xed\xa0\x80", NULL, "\\xed\\xa0\\x80");
	check("\xf4\x90\x80\x80", NULL, "\\xf4\\x90\\x80\\x80");
	check("\xf8\x88\x80\x80\x80", NULL, "\\xf8\\x88\\x80\\x80\\x80");
}

static void check_json(const char *in, const char *want)
{
	_cleanup_free_ char *out = json_escape_text(in);

	assert_non_null(out);
	assert_string_equal(out, want);
}

static void test_json(void **state)
{
	check_json("{\n   \"a\": \"b\\u001b\"\n}\n", "{\n   \"a\": \"b\\u001b\"\n}\n");
	check_json("[\"Caf\xc3\xa9\"]", "[\"Caf\xc3\xa9\"]");
	check_json("[\"\xff\xfe x\"]", "[\"\\\\xff\\\\xfe x\"]");
	check_json("[\"a\x7f\"]", "[\"a\\u007f\"]");
	check_json("[\"\xc2\x9b" "31m\"]", "[\"\\u009b31m\"]");
	check_json("[\"\xe2\x82\"]", "[\"\\\\xe2\\\\x82\"]");
	check_json("[\"a\xe2\x80\xae" "b\"]", "[\"a\\u202eb\"]");
}

/* Any bytes in: what comes out is valid UTF-8 without a control character. */
static void test_random(void **state)
{
	unsigned seed = 1;
	char in[65];

	for (int round = 0; round < 20000; round++) {
		size_t len = (size_t)rand_r(&seed) % 64;
		for (size_t i = 0; i < len; i++) {
			/* Mostly the interesting bytes: controls, 0x80-0xff, backslash, x. */
			static const char pick[] = "\x1b\x07\x7f\\xa\xc2\x9b\xe2\x82\xac\xf0\x9f\xed\xa0\xff\x80\xae\x81\xa6";
			in[i] = (char)(rand_r(&seed) % 2 ? pick[rand_r(&seed) % (sizeof(pick) - 1)] : 1 + rand_r(&seed) % 255);
		}
		in[len] = '\0';
		_cleanup_free_ char *t = text_escape(in, NULL), *j = json_escape_text(in);
		assert_non_null(t);
		assert_null(text_unfit_reason(t));
		assert_non_null(j);
		/* C0 controls are libsmartcols's to escape in JSON; everything else is mended. */
		for (char *p = j; *p; p++)
			if ((unsigned char)*p < 0x20) {
				assert_non_null(memchr(in, *p, len));
				*p = ' ';
			}
		assert_null(text_unfit_reason(j));
	}
}

static void test_unfit(void **state)
{
	assert_null(text_unfit_reason("/var/lib/libvirt/images/win10.qcow2"));
	assert_null(text_unfit_reason("/srv/Caf\xc3\xa9.iso"));
	assert_string_equal(text_unfit_reason("/srv/a\x1b[31mb"), "contains a control character");
	assert_string_equal(text_unfit_reason("/srv/a\nb"), "contains a control character");
	assert_string_equal(text_unfit_reason("/srv/a\tb"), "contains a control character");
	assert_string_equal(text_unfit_reason("x\x7f"), "contains a control character");
	assert_string_equal(text_unfit_reason("x\xc2\x9b"), "contains a control character");
	assert_string_equal(text_unfit_reason("win\xe2\x80\xae" "01"), "contains a bidirectional control character (U+202E and its kind)");
	assert_string_equal(text_unfit_reason("/srv/\xff.img"), "is not valid UTF-8");
	assert_string_equal(text_unfit_reason("/srv/\xc3"), "is not valid UTF-8");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_unfit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
