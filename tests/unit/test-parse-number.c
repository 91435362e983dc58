/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "shared/macro.h"
#include "shared/parse-number.h"

static void test_u64(void **state)
{
	uint64_t v;
	unsigned u;

	assert_int_equal(parse_u64("0", 10, 10, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(parse_u64("18446744073709551615", 10, UINT64_MAX, &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(parse_u64("18446744073709551616", 10, UINT64_MAX, &v), -ERANGE);
	assert_int_equal(parse_u64("99999999999999999999999999", 10, UINT64_MAX, &v), -ERANGE);
	assert_int_equal(parse_u64("11", 10, 10, &v), -ERANGE);
	assert_int_equal(parse_u64("", 10, 10, &v), -EINVAL);
	assert_int_equal(parse_u64("-1", 10, UINT64_MAX, &v), -EINVAL);
	assert_int_equal(parse_u64("+1", 10, UINT64_MAX, &v), -EINVAL);
	assert_int_equal(parse_u64(" 1", 10, UINT64_MAX, &v), -EINVAL);
	assert_int_equal(parse_u64("1 ", 10, UINT64_MAX, &v), -EINVAL);
	assert_int_equal(parse_u64("12junk", 10, UINT64_MAX, &v), -EINVAL);
	/* Junk after a number too large is still junk. */
	assert_int_equal(parse_u64("99999999999999999999x", 10, UINT64_MAX, &v), -EINVAL);
	assert_int_equal(parse_u64("ff", 16, 255, &v), 0);
	assert_int_equal(v, 255);
	assert_int_equal(parse_u64("0xff", 16, 255, &v), -EINVAL);
	/* Base 0, as libvirt reads PCI address attributes. */
	assert_int_equal(parse_u64("0x1f", 0, UINT32_MAX, &v), 0);
	assert_int_equal(v, 0x1f);
	assert_int_equal(parse_u64("0X1F", 0, UINT32_MAX, &v), 0);
	assert_int_equal(v, 0x1f);
	assert_int_equal(parse_u64("010", 0, UINT32_MAX, &v), 0);
	assert_int_equal(v, 8);
	assert_int_equal(parse_u64("0", 0, UINT32_MAX, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(parse_u64("09", 0, UINT32_MAX, &v), -EINVAL);
	assert_int_equal(parse_u64("0x", 0, UINT32_MAX, &v), -EINVAL);
	assert_int_equal(parse_u64("0x100000000", 0, UINT32_MAX, &v), -ERANGE);
	/* unsigned: never wrapped to fit (strtoul's 4294967297 cast is 1). */
	assert_int_equal(parse_unsigned("4294967295", 10, UINT32_MAX, &u), 0);
	assert_true(u == UINT32_MAX);
	assert_int_equal(parse_unsigned("4294967297", 10, UINT32_MAX, &u), -ERANGE);
	assert_int_equal(parse_unsigned("4097", 10, 4096, &u), -ERANGE);
}

static void test_units(void **state)
{
	static const struct {
		const char *unit;
		uint64_t factor;
	} t[] = {
		{ "b", 1 },
		{ "bytes", 1 },
		{ "byte", 1 },
		{ "B", 1 },
		{ "KB", 1000 },
		{ "k", 1024 },
		{ "K", 1024 },
		{ "KiB", 1024 },
		{ "kib", 1024 },
		{ "MB", 1000000 },
		{ "M", 1 << 20 },
		{ "MiB", 1 << 20 },
		{ "GB", 1000000000 },
		{ "G", 1ull << 30 },
		{ "GiB", 1ull << 30 },
		{ "TB", 1000000000000ull },
		{ "T", 1ull << 40 },
		{ "TiB", 1ull << 40 },
		{ "PB", 1000000000000000ull },
		{ "P", 1ull << 50 },
		{ "PiB", 1ull << 50 },
		{ "EB", 1000000000000000000ull },
		{ "E", 1ull << 60 },
		{ "EiB", 1ull << 60 },
	};
	uint64_t f;

	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		f = 0;
		assert_int_equal(parse_size_unit(t[i].unit, &f), 0);
		assert_true(f == t[i].factor);
	}
	assert_int_equal(parse_size_unit("", &f), -EINVAL);
	assert_int_equal(parse_size_unit("Z", &f), -EINVAL);
	assert_int_equal(parse_size_unit("ZiB", &f), -EINVAL);
	assert_int_equal(parse_size_unit("Gi", &f), -EINVAL);
	assert_int_equal(parse_size_unit("GiBs", &f), -EINVAL);
	assert_int_equal(parse_size_unit(" G", &f), -EINVAL);
	assert_int_equal(parse_size_unit("bit", &f), -EINVAL);
}

static void test_size(void **state)
{
	uint64_t v;

	assert_int_equal(parse_size("16G", &v), 0);
	assert_true(v == 16ull << 30);
	assert_int_equal(parse_size("4GB", &v), 0);
	assert_true(v == 4000000000ull);
	assert_int_equal(parse_size("0", &v), 0);
	assert_true(v == 0);
	assert_int_equal(parse_size("15E", &v), 0);
	assert_true(v == 15ull << 60);
	assert_int_equal(parse_size("16E", &v), -ERANGE);
	assert_int_equal(parse_size("18446744073709551615", &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(parse_size("18446744073709551616", &v), -ERANGE);
	assert_int_equal(parse_size("-1G", &v), -EINVAL);
	assert_int_equal(parse_size("16Gjunk", &v), -EINVAL);
	assert_int_equal(parse_size("16 G", &v), -EINVAL);
	assert_int_equal(parse_size("G", &v), -EINVAL);
	assert_int_equal(parse_size("1.5G", &v), -EINVAL);

	/* As vm edit reads <memory unit='...'>N</memory>: KiB when no unit. */
	assert_int_equal(parse_size_in_unit("8388608", NULL, "KiB", INT64_MAX, &v), 0);
	assert_true(v == 8ull << 30);
	assert_int_equal(parse_size_in_unit("8192", "MB", "KiB", INT64_MAX, &v), 0);
	assert_true(v == 8192000000ull);
	assert_int_equal(parse_size_in_unit("2", "TB", "KiB", INT64_MAX, &v), 0);
	assert_true(v == 2000000000000ull);
	assert_int_equal(parse_size_in_unit("1", "TiB", "KiB", INT64_MAX, &v), 0);
	assert_true(v == 1ull << 40);
	assert_int_equal(parse_size_in_unit("1", "PiB", "KiB", INT64_MAX, &v), 0);
	assert_true(v == 1ull << 50);
	assert_int_equal(parse_size_in_unit("8", "EiB", "KiB", INT64_MAX, &v), -ERANGE);
	assert_int_equal(parse_size_in_unit("17179869184", "G", "KiB", UINT64_MAX, &v), -ERANGE);
	assert_int_equal(parse_size_in_unit("16", "furlongs", "KiB", INT64_MAX, &v), -EINVAL);
	assert_int_equal(parse_size_in_unit("16G", NULL, "KiB", INT64_MAX, &v), -EINVAL);
	assert_int_equal(parse_size_in_unit("-16", "G", "KiB", INT64_MAX, &v), -EINVAL);
}

static void test_version(void **state)
{
	unsigned long v;

	assert_int_equal(parse_version("9.10.0", &v), 0);
	assert_int_equal(v, 9010000);
	assert_int_equal(parse_version("9.0", &v), 0);
	assert_int_equal(v, 9000000);
	assert_int_equal(parse_version("1000.999.999", &v), 0);
	assert_int_equal(v, 1000999999);
	assert_int_equal(parse_version("9.10.0junk", &v), -EINVAL);
	assert_int_equal(parse_version("9.10.0.1", &v), -EINVAL);
	assert_int_equal(parse_version("9", &v), -EINVAL);
	assert_int_equal(parse_version("9.", &v), -EINVAL);
	assert_int_equal(parse_version("9.1000", &v), -EINVAL);
	assert_int_equal(parse_version("-9.1", &v), -EINVAL);
	assert_int_equal(parse_version("9.-1", &v), -EINVAL);
	assert_int_equal(parse_version("", &v), -EINVAL);
	assert_int_equal(parse_version("4294967305.0", &v), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_u64),
		cmocka_unit_test(test_units),
		cmocka_unit_test(test_size),
		cmocka_unit_test(test_version),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
