/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A growable list of owned strings. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct strv {
	char **v;
	size_t n;
	size_t alloc;
};

int strv_push(struct strv *s, const char *str);
int strv_push_take(struct strv *s, char *str);
bool strv_contains(const struct strv *s, const char *str);
/* Free and drop the last string (taking back a push). */
void strv_pop(struct strv *s);
void strv_sort(struct strv *s);
/* Join with sep into a fresh string ("" for an empty list); NULL on ENOMEM. */
char *strv_join(const struct strv *s, const char *sep);
void strv_clear(struct strv *s);
