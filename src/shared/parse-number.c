/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <ctype.h>
#include <strings.h>

#include "shared/macro.h"
#include "shared/parse-number.h"

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return 99;
}

/* The digits at *s in base; *s moves past them. -EINVAL when there are
 * none; -ERANGE when the value is above max (read to the end anyway, so a
 * long number is "too large" rather than "junk"). */
static int take_digits(const char **s, unsigned base, uint64_t max, uint64_t *ret)
{
	const char *p = *s;
	uint64_t v = 0;
	bool over = false;

	for (; digit_value(*p) < (int)base; p++)
		if (__builtin_mul_overflow(v, base, &v) || __builtin_add_overflow(v, (uint64_t)digit_value(*p), &v))
			over = true;
	if (p == *s)
		return -EINVAL;
	*s = p;
	if (over || v > max)
		return -ERANGE;
	*ret = v;
	return 0;
}

int parse_u64(const char *s, int base, uint64_t max, uint64_t *ret)
{
	uint64_t v;
	int k;

	if (!s)
		return -EINVAL;
	if (base == 0) {
		if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
			base = 16;
			s += 2;
		} else if (s[0] == '0' && s[1]) {
			base = 8;
			s++;
		} else
			base = 10;
	}
	if (base != 8 && base != 10 && base != 16)
		return -EINVAL;
	k = take_digits(&s, (unsigned)base, max, &v);
	if (k == -EINVAL || *s)
		return -EINVAL;
	if (k < 0)
		return k;
	*ret = v;
	return 0;
}

int parse_unsigned(const char *s, int base, unsigned max, unsigned *ret)
{
	uint64_t v;
	int k = parse_u64(s, base, max, &v);

	if (k == 0)
		*ret = (unsigned)v;
	return k;
}

int parse_size_unit(const char *unit, uint64_t *factor)
{
	static const char powers[] = "kmgtpe";
	const char *p;
	uint64_t base, f = 1;

	if (!unit || !*unit)
		return -EINVAL;
	if (strcasecmp(unit, "b") == 0 || strcasecmp(unit, "byte") == 0 || strcasecmp(unit, "bytes") == 0) {
		*factor = 1;
		return 0;
	}
	p = strchr(powers, tolower((unsigned char)unit[0]));
	if (!p)
		return -EINVAL;
	if (!unit[1] || strcasecmp(unit + 1, "iB") == 0)
		base = 1024;
	else if (strcasecmp(unit + 1, "B") == 0)
		base = 1000;
	else
		return -EINVAL;
	/* EiB is 2^60: every factor fits. */
	for (size_t i = 0; i <= (size_t)(p - powers); i++)
		f *= base;
	*factor = f;
	return 0;
}

static int scale(uint64_t v, uint64_t factor, uint64_t max, uint64_t *ret)
{
	if (__builtin_mul_overflow(v, factor, &v) || v > max)
		return -ERANGE;
	*ret = v;
	return 0;
}

int parse_size(const char *s, uint64_t *ret)
{
	uint64_t v, factor = 1;
	int k;

	if (!s)
		return -EINVAL;
	k = take_digits(&s, 10, UINT64_MAX, &v);
	if (k == -EINVAL || (*s && parse_size_unit(s, &factor) < 0))
		return -EINVAL;
	if (k < 0)
		return k;
	return scale(v, factor, UINT64_MAX, ret);
}

int parse_size_in_unit(const char *value, const char *unit, const char *default_unit, uint64_t max,
		       uint64_t *ret)
{
	uint64_t v, factor;
	int k;

	if (parse_size_unit(unit ? unit : default_unit, &factor) < 0)
		return -EINVAL;
	k = parse_u64(value, 10, UINT64_MAX, &v);
	if (k < 0)
		return k;
	return scale(v, factor, max, ret);
}

int parse_version(const char *s, unsigned long *ret)
{
	static const uint64_t max[3] = { 1000, 999, 999 };
	uint64_t part[3] = { 0 };
	size_t n = 0;

	if (!s)
		return -EINVAL;
	for (;;) {
		if (take_digits(&s, 10, max[n], &part[n]) < 0)
			return -EINVAL;
		n++;
		if (!*s)
			break;
		if (*s != '.' || n == 3)
			return -EINVAL;
		s++;
	}
	if (n < 2)
		return -EINVAL;
	*ret = (unsigned long)(part[0] * 1000000 + part[1] * 1000 + part[2]);
	return 0;
}
