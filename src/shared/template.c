/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdio.h>

#include "shared/macro.h"
#include "shared/shell.h"
#include "shared/template.h"

static const struct tmpl_var *find(const struct tmpl_var *vars, const char *name, size_t len)
{
	for (const struct tmpl_var *v = vars; v->name; v++)
		if (strlen(v->name) == len && !memcmp(v->name, name, len))
			return v;
	return NULL;
}

/* Bytes the shell takes literally in every context the templates use. */
static bool word_ok(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      strchr(" ,.:/_+-", *p)))
			return false;
	return true;
}

static size_t name_len(const char *p)
{
	size_t n = 0;

	while ((p[n] >= 'A' && p[n] <= 'Z') || (p[n] >= '0' && p[n] <= '9') || p[n] == '_')
		n++;
	return n;
}

/* One line of the template (without its newline) into f. */
static int put_line(FILE *f, const char *l, size_t len, const struct tmpl_var *vars, const char **bad)
{
	const char *end = l + len;

	while (l < end) {
		const char *at = memchr(l, '@', (size_t)(end - l));
		const struct tmpl_var *v;
		size_t n;

		if (!at) {
			fwrite(l, 1, (size_t)(end - l), f);
			break;
		}
		fwrite(l, 1, (size_t)(at - l), f);
		n = name_len(at + 1);
		if (!n || at + 1 + n >= end || at[1 + n] != '@') {
			/* Not a placeholder: "$@", an address. */
			fputc('@', f);
			l = at + 1;
			continue;
		}
		v = find(vars, at + 1, n);
		if (!v || v->kind == TMPL_SECTION || !v->value) {
			*bad = v ? v->name : NULL;
			return -EINVAL;
		}
		if (v->kind == TMPL_QUOTE) {
			_cleanup_free_ char *q = sh_quote(v->value);
			if (!q)
				return -ENOMEM;
			fputs(q, f);
		} else {
			if (v->kind == TMPL_WORD && !word_ok(v->value)) {
				*bad = v->name;
				return -EINVAL;
			}
			fputs(v->value, f);
		}
		l = at + 2 + n;
	}
	return 0;
}

static int render(FILE *f, const char *tmpl, const struct tmpl_var *vars, const char **bad)
{
	bool in_section = false, keep = true;

	for (const char *l = tmpl; *l;) {
		const char *nl = strchr(l, '\n');
		size_t len = nl ? (size_t)(nl - l) : strlen(l);
		int k;

		if (len > 5 && startswith(l, "#@if ")) {
			const struct tmpl_var *v = find(vars, l + 5, len - 5);
			if (in_section)
				return -EINVAL;
			if (!v || v->kind != TMPL_SECTION) {
				*bad = v ? v->name : NULL;
				return -EINVAL;
			}
			in_section = true;
			keep = v->on;
		} else if (len == 7 && startswith(l, "#@endif")) {
			if (!in_section)
				return -EINVAL;
			in_section = false;
			keep = true;
		} else if (startswith(l, "#@")) {
			/* A misspelt marker must not reach the script. */
			return -EINVAL;
		} else if (keep && !startswith(l, "# shellcheck ")) {
			if ((k = put_line(f, l, len, vars, bad)) < 0)
				return k;
			if (nl)
				fputc('\n', f);
		}
		l += len + !!nl;
	}
	return in_section ? -EINVAL : 0;
}

int tmpl_render(const char *tmpl, const struct tmpl_var *vars, char **ret, const char **bad)
{
	const char *ignored;
	char *buf = NULL;
	size_t size = 0;
	FILE *f;
	int k;

	if (!bad)
		bad = &ignored;
	*bad = NULL;
	f = open_memstream(&buf, &size);
	if (!f)
		return -ENOMEM;
	k = render(f, tmpl, vars, bad);
	if (ferror(f) && k == 0)
		k = -ENOMEM;
	if (fclose(f) != 0 && k == 0)
		k = -ENOMEM;
	if (k < 0) {
		free(buf);
		return k;
	}
	*ret = buf;
	return 0;
}
