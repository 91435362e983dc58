/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The longest common subsequence of lines, by dynamic programming: fine for
 * configuration files; above LCS_MAX cells the whole file is one hunk. */
#include <stdint.h>

#include "emit/diff.h"
#include "shared/macro.h"
#include "shared/sha256.h"
#include "shared/strv.h"

#define LCS_MAX (4u << 20)
#define CONTEXT 3

struct lines {
	const char **v;
	size_t *len;
	size_t n;
	bool no_newline; /* the last line has no \n */
};

static int split(const char *s, struct lines *l)
{
	size_t n = 0, i = 0;

	*l = (struct lines){ 0 };
	if (!s || !*s)
		return 0;
	for (const char *p = s; *p; p++)
		n += *p == '\n';
	if (s[strlen(s) - 1] != '\n') {
		n++;
		l->no_newline = true;
	}
	l->v = calloc(n, sizeof(*l->v));
	l->len = calloc(n, sizeof(*l->len));
	if (!l->v || !l->len)
		return -ENOMEM;
	for (const char *p = s; *p;) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		l->v[i] = p;
		l->len[i++] = len;
		p += len + (e ? 1 : 0);
	}
	l->n = n;
	return 0;
}

static bool same(const struct lines *a, size_t i, const struct lines *b, size_t j)
{
	return a->len[i] == b->len[j] && memcmp(a->v[i], b->v[j], a->len[i]) == 0;
}

enum { KEEP, DEL, ADD };

struct op {
	int kind;
	size_t a, b; /* line indexes */
};

/* The edit script, in order. */
static int script(const struct lines *a, const struct lines *b, struct op **ret, size_t *nret)
{
	size_t n = a->n, m = b->n, k = 0;
	struct op *ops = calloc(n + m + 1, sizeof(*ops));
	uint32_t *t = NULL;

	if (!ops)
		return -ENOMEM;
	if ((n + 1) * (m + 1) <= LCS_MAX) {
		t = calloc((n + 1) * (m + 1), sizeof(*t));
		if (!t) {
			free(ops);
			return -ENOMEM;
		}
		/* t[i][j]: LCS length of a[i..] and b[j..] */
		for (size_t i = n + 1; i-- > 0;)
			for (size_t j = m + 1; j-- > 0;) {
				uint32_t *c = &t[i * (m + 1) + j];
				if (i == n || j == m)
					*c = 0;
				else if (same(a, i, b, j))
					*c = t[(i + 1) * (m + 1) + j + 1] + 1;
				else
					*c = MAX(t[(i + 1) * (m + 1) + j], t[i * (m + 1) + j + 1]);
			}
	}
	for (size_t i = 0, j = 0; i < n || j < m;) {
		if (t && i < n && j < m && same(a, i, b, j))
			ops[k++] = (struct op){ KEEP, i++, j++ };
		else if (i < n && (!t || j == m || t[(i + 1) * (m + 1) + j] >= t[i * (m + 1) + j + 1]))
			ops[k++] = (struct op){ DEL, i++, j };
		else
			ops[k++] = (struct op){ ADD, i, j++ };
	}
	free(t);
	*ret = ops;
	*nret = k;
	return 0;
}

static int emit(struct strv *o, char c, const struct lines *l, size_t i)
{
	if (strv_push_take(o, strdupf("%c%.*s", c, (int)l->len[i], l->v[i])) < 0)
		return -ENOMEM;
	if (i + 1 == l->n && l->no_newline)
		return strv_push(o, "\\ No newline at end of file");
	return 0;
}

char *diff_unified(const char *path, const char *a, const char *b)
{
	struct lines la = { 0 }, lb = { 0 };
	struct op *ops = NULL;
	size_t nops = 0;
	struct strv o = { 0 };
	char *out = NULL;
	int k;

	if (a && b && streq(a, b))
		return strdup("");
	if ((k = split(a, &la)) < 0 || (k = split(b, &lb)) < 0 || (k = script(&la, &lb, &ops, &nops)) < 0)
		goto out;
	k = strv_push_take(&o, a ? strdupf("--- %s", path) : strdup("--- /dev/null"));
	if (k >= 0)
		k = strv_push_take(&o, b ? strdupf("+++ %s", path) : strdup("+++ /dev/null"));
	for (size_t s = 0; k >= 0 && s < nops;) {
		size_t e, as, bs, ac = 0, bc = 0;
		if (ops[s].kind == KEEP) {
			s++;
			continue;
		}
		/* A hunk: from CONTEXT keeps before the change to CONTEXT after the last one near it. */
		size_t start = s >= CONTEXT ? s - CONTEXT : 0;
		while (start < s && ops[start].kind != KEEP)
			start++;
		for (e = s; e < nops; e++) {
			size_t run = 0;
			if (ops[e].kind != KEEP)
				continue;
			while (e + run < nops && ops[e + run].kind == KEEP)
				run++;
			if (e + run == nops || run > 2 * CONTEXT) {
				e = MIN(e + CONTEXT, e + run);
				break;
			}
			e += run - 1;
		}
		e = MIN(e, nops);
		as = ops[start].a;
		bs = ops[start].b;
		for (size_t i = start; i < e; i++) {
			ac += ops[i].kind != ADD;
			bc += ops[i].kind != DEL;
		}
		k = strv_push_take(&o, strdupf("@@ -%zu,%zu +%zu,%zu @@", ac ? as + 1 : as, ac, bc ? bs + 1 : bs, bc));
		for (size_t i = start; k >= 0 && i < e; i++)
			k = ops[i].kind == KEEP ? emit(&o, ' ', &la, ops[i].a) :
			    ops[i].kind == DEL	? emit(&o, '-', &la, ops[i].a) :
						  emit(&o, '+', &lb, ops[i].b);
		s = e;
	}
	if (k >= 0 && strv_push(&o, "") == 0)
		out = strv_join(&o, "\n");
out:
	strv_clear(&o);
	free(ops);
	free(la.v);
	free(la.len);
	free(lb.v);
	free(lb.len);
	return out;
}

char *diff_binary(const char *path, const void *a, size_t alen, const void *b, size_t blen)
{
	_cleanup_free_ char *la = NULL, *lb = NULL;
	char h[SHA256_HEX_SIZE];

	if (a && b && alen == blen && memcmp(a, b, alen) == 0)
		return strdup("");
	if (a) {
		sha256_hex(a, alen, h);
		if (!(la = strdupf("-binary file, %zu bytes, sha256 %s\n", alen, h)))
			return NULL;
	}
	if (b) {
		sha256_hex(b, blen, h);
		if (!(lb = strdupf("+binary file, %zu bytes, sha256 %s\n", blen, h)))
			return NULL;
	}
	return strdupf("--- %s\n+++ %s\n%s%s", a ? path : "/dev/null", b ? path : "/dev/null", la ? la : "",
		       lb ? lb : "");
}
