/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <ctype.h>

#include "shared/cpuset.h"
#include "shared/macro.h"
#include "shared/strv.h"

void cpuset_clear(struct cpuset *s)
{
	free(s->bits);
	*s = (struct cpuset){ 0 };
}

int cpuset_add(struct cpuset *s, unsigned cpu)
{
	size_t w = cpu / 64;

	if (cpu >= CPUSET_MAX)
		return -ERANGE;
	if (w >= s->nwords) {
		uint64_t *nb = realloc(s->bits, (w + 1) * sizeof(uint64_t));
		if (!nb)
			return -ENOMEM;
		memset(nb + s->nwords, 0, (w + 1 - s->nwords) * sizeof(uint64_t));
		s->bits = nb;
		s->nwords = w + 1;
	}
	s->bits[w] |= UINT64_C(1) << (cpu % 64);
	return 0;
}

void cpuset_del(struct cpuset *s, unsigned cpu)
{
	if (cpu / 64 < s->nwords)
		s->bits[cpu / 64] &= ~(UINT64_C(1) << (cpu % 64));
}

bool cpuset_has(const struct cpuset *s, unsigned cpu)
{
	return cpu / 64 < s->nwords && (s->bits[cpu / 64] >> (cpu % 64)) & 1;
}

size_t cpuset_count(const struct cpuset *s)
{
	size_t n = 0;

	for (size_t i = 0; i < s->nwords; i++)
		n += (size_t)__builtin_popcountll(s->bits[i]);
	return n;
}

int cpuset_next(const struct cpuset *s, int after)
{
	size_t c = (size_t)(after + 1);

	while (c / 64 < s->nwords) {
		uint64_t w = s->bits[c / 64] >> (c % 64);
		if (w)
			return (int)(c + (size_t)__builtin_ctzll(w));
		c = (c / 64 + 1) * 64;
	}
	return -1;
}

int cpuset_first(const struct cpuset *s)
{
	return cpuset_next(s, -1);
}

bool cpuset_subset(const struct cpuset *a, const struct cpuset *of)
{
	for (size_t i = 0; i < a->nwords; i++)
		if (a->bits[i] & ~(i < of->nwords ? of->bits[i] : 0))
			return false;
	return true;
}

bool cpuset_equal(const struct cpuset *a, const struct cpuset *b)
{
	return cpuset_subset(a, b) && cpuset_subset(b, a);
}

int cpuset_or(struct cpuset *dst, const struct cpuset *src)
{
	CPUSET_FOREACH(c, src)
	{
		int k = cpuset_add(dst, (unsigned)c);
		if (k < 0)
			return k;
	}
	return 0;
}

int cpuset_copy(struct cpuset *dst, const struct cpuset *src)
{
	cpuset_clear(dst);
	return cpuset_or(dst, src);
}

void cpuset_minus(struct cpuset *dst, const struct cpuset *src)
{
	for (size_t i = 0; i < dst->nwords && i < src->nwords; i++)
		dst->bits[i] &= ~src->bits[i];
}

static int parse_num(const char **p, unsigned *ret)
{
	unsigned long v = 0;

	if (!isdigit((unsigned char)**p))
		return -EINVAL;
	while (isdigit((unsigned char)**p)) {
		v = v * 10 + (unsigned long)(**p - '0');
		if (v >= CPUSET_MAX)
			return -ERANGE;
		(*p)++;
	}
	*ret = (unsigned)v;
	return 0;
}

/* strict: a list as a person types it, every comma between two items, no
 * blank anywhere (sysfs's files end with a newline). */
static int parse_list(const char *text, bool strict, struct cpuset *ret)
{
	struct cpuset s = { 0 };
	const char *p = text;
	int k = 0;

	if (strict && !*p)
		return -EINVAL;
	while (*p && !isspace((unsigned char)*p)) {
		unsigned a, b;
		if ((k = parse_num(&p, &a)) < 0)
			goto fail;
		b = a;
		if (*p == '-') {
			p++;
			if ((k = parse_num(&p, &b)) < 0)
				goto fail;
			if (b < a) {
				k = -EINVAL;
				goto fail;
			}
		}
		for (unsigned c = a; c <= b; c++)
			if ((k = cpuset_add(&s, c)) < 0)
				goto fail;
		if (*p == ',' && (!strict || p[1]))
			p++;
		else if (*p && (strict || !isspace((unsigned char)*p))) {
			k = -EINVAL;
			goto fail;
		}
	}
	while (!strict && isspace((unsigned char)*p))
		p++;
	if (*p) {
		k = -EINVAL;
		goto fail;
	}
	cpuset_clear(ret);
	*ret = s;
	return 0;
fail:
	cpuset_clear(&s);
	return k;
}

int cpuset_parse_list(const char *text, struct cpuset *ret)
{
	return parse_list(text, false, ret);
}

int cpuset_parse_list_strict(const char *text, struct cpuset *ret)
{
	return parse_list(text, true, ret);
}

int cpuset_parse_mask(const char *text, struct cpuset *ret)
{
	struct cpuset s = { 0 };
	size_t len = strlen(text), digits = 0;
	unsigned bit = 0;
	int k;

	while (len && isspace((unsigned char)text[len - 1]))
		len--;
	if (len == 0)
		return -EINVAL;
	/* From the least significant (last) hex digit backwards. */
	for (size_t i = len; i-- > 0;) {
		char c = text[i];
		int v;
		if (c == ',')
			continue;
		if (!isxdigit((unsigned char)c)) {
			k = -EINVAL;
			goto fail;
		}
		v = isdigit((unsigned char)c) ? c - '0' : (tolower((unsigned char)c) - 'a' + 10);
		for (int j = 0; j < 4; j++, bit++)
			if ((v >> j) & 1 && (k = cpuset_add(&s, bit)) < 0)
				goto fail;
		digits++;
	}
	if (!digits) {
		k = -EINVAL;
		goto fail;
	}
	cpuset_clear(ret);
	*ret = s;
	return 0;
fail:
	cpuset_clear(&s);
	return k;
}

char *cpuset_format(const struct cpuset *s)
{
	struct strv parts = { 0 };
	char *out;
	int c = cpuset_first(s);

	while (c >= 0) {
		int end = c, n;
		while ((n = cpuset_next(s, end)) == end + 1)
			end = n;
		if (strv_push_take(&parts, end == c ? strdupf("%d", c) : strdupf("%d-%d", c, end)) < 0) {
			strv_clear(&parts);
			return NULL;
		}
		c = cpuset_next(s, end);
	}
	out = strv_join(&parts, ",");
	strv_clear(&parts);
	return out;
}
