/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "shared/macro.h"
#include "shared/strv.h"

int strv_push_take(struct strv *s, char *str)
{
	if (!str)
		return -ENOMEM;
	if (GROW(s->v, s->alloc, s->n + 2) < 0) {
		free(str);
		return -ENOMEM;
	}
	s->v[s->n++] = str;
	s->v[s->n] = NULL;
	return 0;
}

int strv_push(struct strv *s, const char *str)
{
	return strv_push_take(s, strdup(str));
}

void strv_pop(struct strv *s)
{
	if (s->n) {
		free(s->v[--s->n]);
		s->v[s->n] = NULL;
	}
}

bool strv_contains(const struct strv *s, const char *str)
{
	for (size_t i = 0; i < s->n; i++)
		if (streq(s->v[i], str))
			return true;
	return false;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void strv_sort(struct strv *s)
{
	if (s->n > 1)
		qsort(s->v, s->n, sizeof(char *), cmp_str);
}

char *strv_join(const struct strv *s, const char *sep)
{
	size_t len = 1, seplen = strlen(sep);
	char *out, *p;

	for (size_t i = 0; i < s->n; i++)
		if (!size_add(len, strlen(s->v[i]) + seplen, &len))
			return NULL;
	out = malloc(len);
	if (!out)
		return NULL;
	p = out;
	for (size_t i = 0; i < s->n; i++) {
		if (i > 0)
			p = stpcpy(p, sep);
		p = stpcpy(p, s->v[i]);
	}
	*p = '\0';
	return out;
}

void strv_clear(struct strv *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	*s = (struct strv){ 0 };
}
