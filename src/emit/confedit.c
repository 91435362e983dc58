/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <ctype.h>

#include "confedit.h"
#include "macro.h"

/* The name part of a parameter: "intel_iommu" of "intel_iommu=on". */
static size_t key_len(const char *p, size_t len)
{
	const char *eq = memchr(p, '=', len);

	return eq ? (size_t)(eq - p) : len;
}

static bool sep(const char *v, size_t i, size_t len)
{
	return isspace((unsigned char)v[i]) || (v[i] == '\\' && i + 1 < len && v[i + 1] == '\n');
}

/* value (without quotes) with params merged in, in place: every byte kept
 * (spacing, continuation lines), a token of the same name replaced by the
 * parameter, the new ones appended. */
static char *merge(const char *value, size_t vlen, const struct strv *params)
{
	bool *used = calloc(params->n ? params->n : 1, sizeof(bool));
	size_t cap = vlen + 1, i = 0;
	char *out, *w;

	for (size_t j = 0; j < params->n; j++)
		cap += 2 * (strlen(params->v[j]) + 1);
	out = w = malloc(cap + vlen);
	if (!used || !out) {
		free(used);
		free(out);
		return NULL;
	}
	while (i < vlen) {
		size_t s, kl;
		const char *rep = NULL;
		if (sep(value, i, vlen)) {
			*w++ = value[i++];
			continue;
		}
		s = i;
		while (i < vlen && !sep(value, i, vlen))
			i++;
		kl = key_len(value + s, i - s);
		for (size_t j = 0; j < params->n && !rep; j++) {
			const char *p = params->v[j];
			if (key_len(p, strlen(p)) == kl && strncmp(p, value + s, kl) == 0) {
				rep = p;
				used[j] = true;
			}
		}
		if (rep)
			w = stpcpy(w, rep);
		else {
			memcpy(w, value + s, i - s);
			w += i - s;
		}
	}
	for (size_t j = 0; j < params->n; j++)
		if (!used[j]) {
			if (w > out && !isspace((unsigned char)w[-1]))
				*w++ = ' ';
			w = stpcpy(w, params->v[j]);
		}
	*w = '\0';
	free(used);
	return out;
}

int shell_var_add_params(const char *text, const char *key, const struct strv *params, char **ret, char **problem)
{
	size_t klen = strlen(key), line = 0, at_line = 0;
	const char *start = NULL, *vstart = NULL, *vend = NULL, *end = NULL;
	char quote = 0;

	*ret = *problem = NULL;
	/* The last assignment wins in sh: find it (continuation lines joined). */
	for (const char *p = text; *p;) {
		const char *l = p, *q;
		size_t ln = ++line;
		/* This line and its continuations. */
		q = l;
		while (*q && *q != '\n') {
			if (*q == '\\' && q[1] == '\n') {
				q += 2;
				line++;
				continue;
			}
			q++;
		}
		{
			const char *s = l;
			while (*s == ' ' || *s == '\t')
				s++;
			if (strncmp(s, key, klen) == 0 && s[klen] == '=') {
				start = l;
				at_line = ln;
				vstart = s + klen + 1;
				end = q;
			}
		}
		p = *q ? q + 1 : q;
	}
	if (!start) {
		_cleanup_free_ char *v = merge("", 0, params);
		size_t tl = strlen(text);
		if (!v)
			return -ENOMEM;
		*ret = strdupf("%s%s%s=\"%s\"\n", text, tl && text[tl - 1] != '\n' ? "\n" : "", key, v);
		return *ret ? 0 : -ENOMEM;
	}
	/* The value: "...", '...' or a bare word, up to a comment or the end. */
	if (*vstart == '"' || *vstart == '\'') {
		quote = *vstart;
		vend = vstart + 1;
		while (vend < end && *vend != quote) {
			if (quote == '"' && *vend == '\\' && vend + 1 < end)
				vend++;
			vend++;
		}
		if (vend >= end) {
			*problem = strdupf("line %zu: the value of %s has no closing %c: left untouched", at_line, key, quote);
			return *problem ? -EINVAL : -ENOMEM;
		}
		vstart++;
	} else {
		vend = vstart;
		while (vend < end && !isspace((unsigned char)*vend))
			vend++;
	}
	if (quote != '\'' && (memmem(vstart, (size_t)(vend - vstart), "$(", 2) ||
			       memchr(vstart, '`', (size_t)(vend - vstart)))) {
		*problem = strdupf("line %zu: the value of %s runs a command: left untouched; add the parameters by hand",
				   at_line, key);
		return *problem ? -EINVAL : -ENOMEM;
	}
	{
		_cleanup_free_ char *v = merge(vstart, (size_t)(vend - vstart), params);
		const char *q = quote == '\'' ? "'" : "\"";
		if (!v)
			return -ENOMEM;
		/* Quoted again with the same quotes (double when there were none). */
		*ret = strdupf("%.*s%s%s%s%s", (int)(vstart - (quote ? 1 : 0) - text), text, q, v, q,
			       vend + (quote ? 1 : 0));
	}
	return *ret ? 0 : -ENOMEM;
}

int cmdline_file_add_params(const char *text, const struct strv *params, char **ret)
{
	size_t len = strcspn(text, "\n");
	_cleanup_free_ char *v = merge(text, len, params);

	if (!v)
		return -ENOMEM;
	*ret = strdupf("%s\n%s", v, text[len] ? text + len + 1 : "");
	return *ret ? 0 : -ENOMEM;
}

char *list_file_add(const char *text, const struct strv *items)
{
	struct strv add = { 0 };
	size_t tl = strlen(text);
	char *out = NULL;

	for (size_t i = 0; i < items->n; i++) {
		bool there = false;
		size_t il = strlen(items->v[i]);
		for (const char *p = text; *p && !there;) {
			const char *s = p, *e = strchr(p, '\n');
			while (*s == ' ' || *s == '\t')
				s++;
			there = strncmp(s, items->v[i], il) == 0 && (s[il] == '\0' || isspace((unsigned char)s[il]));
			p = e ? e + 1 : p + strlen(p);
		}
		if (!there && strv_push(&add, items->v[i]) < 0) {
			strv_clear(&add);
			return NULL;
		}
	}
	{
		_cleanup_free_ char *joined = strv_join(&add, "\n");
		if (joined)
			out = add.n ? strdupf("%s%s%s\n", text, tl && text[tl - 1] != '\n' ? "\n" : "", joined) : strdup(text);
	}
	strv_clear(&add);
	return out;
}
