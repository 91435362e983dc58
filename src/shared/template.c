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

static bool name_byte(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* The shell variable a value is assigned to in the block: its name in
 * lower case ("GUEST" -> guest). */
static void var_name(const char *name, char *out, size_t size)
{
	size_t i;

	for (i = 0; name[i] && i + 1 < size; i++)
		out[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] - 'A' + 'a' : name[i]);
	out[i] = '\0';
}

/* "$name" or "${name" in text, the name not going on. */
static bool referenced(const char *text, size_t len, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = memchr(text, '$', len); p; p = memchr(p + 1, '$', len - (size_t)(p + 1 - text))) {
		const char *q = p + 1 + (p + 1 < text + len && p[1] == '{');
		if ((size_t)(text + len - q) >= n && !memcmp(q, name, n) && (q + n == text + len || !name_byte(q[n])))
			return true;
		if (p + 1 >= text + len)
			break;
	}
	return false;
}

/* The block of assignments: one line "name='value'" (sh_quote) for every
 * TMPL_QUOTE and TMPL_WORD value the rendered body refers to, in the order
 * of vars. */
static int put_block(FILE *f, const char *body, size_t len, const struct tmpl_var *vars, const char **bad)
{
	for (const struct tmpl_var *v = vars; v->name; v++) {
		char name[64];
		_cleanup_free_ char *q = NULL;

		if ((v->kind != TMPL_QUOTE && v->kind != TMPL_WORD) || strlen(v->name) >= sizeof(name))
			continue;
		var_name(v->name, name, sizeof(name));
		if (!referenced(body, len, name))
			continue;
		if (!v->value || (v->kind == TMPL_WORD && !word_ok(v->value))) {
			*bad = v->name;
			return -EINVAL;
		}
		q = sh_quote(v->value);
		if (!q)
			return -ENOMEM;
		fprintf(f, "%s=%s\n", name, q);
	}
	return 0;
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

static int render(FILE *f, const char *tmpl, const struct tmpl_var *vars, long *mark, const char **bad)
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
		} else if (len == 6 && startswith(l, "#@vars")) {
			/* Once, outside the sections: where the block goes. */
			if (in_section || *mark >= 0 || fflush(f) != 0 || (*mark = ftell(f)) < 0)
				return -EINVAL;
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
	char *buf = NULL, *out = NULL;
	size_t size = 0, out_size = 0;
	long mark = -1;
	FILE *f;
	int k;

	if (!bad)
		bad = &ignored;
	*bad = NULL;
	f = open_memstream(&buf, &size);
	if (!f)
		return -ENOMEM;
	k = render(f, tmpl, vars, &mark, bad);
	if (ferror(f) && k == 0)
		k = -ENOMEM;
	if (fclose(f) != 0 && k == 0)
		k = -ENOMEM;
	if (k < 0 || mark < 0) {
		if (k == 0)
			*ret = buf;
		else
			free(buf);
		return k;
	}
	/* The body up to "#@vars", the block, the rest of the body. */
	f = open_memstream(&out, &out_size);
	if (!f) {
		free(buf);
		return -ENOMEM;
	}
	fwrite(buf, 1, (size_t)mark, f);
	k = put_block(f, buf, size, vars, bad);
	fputs(buf + mark, f);
	free(buf);
	if (ferror(f) && k == 0)
		k = -ENOMEM;
	if (fclose(f) != 0 && k == 0)
		k = -ENOMEM;
	if (k < 0) {
		free(out);
		return k;
	}
	*ret = out;
	return 0;
}
