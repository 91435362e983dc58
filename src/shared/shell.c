/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "shared/macro.h"
#include "shared/shell.h"

char *sh_quote(const char *s)
{
	size_t n = 3;
	char *out, *w;

	for (const char *p = s; *p; p++)
		if (!size_add(n, *p == '\'' ? 4 : 1, &n))
			return NULL;
	out = malloc(n);
	if (!out)
		return NULL;
	w = out;
	*w++ = '\'';
	for (const char *p = s; *p; p++) {
		if (*p == '\'') {
			memcpy(w, "'\\''", 4);
			w += 4;
		} else
			*w++ = *p;
	}
	*w++ = '\'';
	*w = '\0';
	return out;
}

char *name_escape(const char *s)
{
	size_t len = strlen(s), n;
	char *out, *w;

	if (!size_mul(len, 3, &n) || !size_add(n, 1, &n))
		return NULL;
	out = malloc(n);
	if (!out)
		return NULL;
	w = out;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		bool plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
			     *p == '.' || *p == '-';
		if (plain) {
			/* A leading dot would hide the file. */
			if (*p == '.' && w == out)
				w += sprintf(w, "_%02X", *p);
			else
				*w++ = (char)*p;
		} else
			w += sprintf(w, "_%02X", *p);
	}
	*w = '\0';
	return out;
}
