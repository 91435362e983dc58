/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once
/* Sets of CPU numbers, as the kernel writes them: lists ("0-3,8,10-11") and
 * masks ("0000,11111111,11111111", 32-bit hex words, most significant
 * first). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CPUSET_MAX 8192 /* CPU numbers are below this (the kernel's NR_CPUS max) */

struct cpuset {
	uint64_t *bits;
	size_t nwords;
};

void cpuset_clear(struct cpuset *s);
int cpuset_add(struct cpuset *s, unsigned cpu);  /* 0, -ENOMEM or -ERANGE */
void cpuset_del(struct cpuset *s, unsigned cpu);
bool cpuset_has(const struct cpuset *s, unsigned cpu);
size_t cpuset_count(const struct cpuset *s);
int cpuset_first(const struct cpuset *s);          /* -1 when empty */
int cpuset_next(const struct cpuset *s, int after); /* -1 after the last */
bool cpuset_equal(const struct cpuset *a, const struct cpuset *b);
bool cpuset_subset(const struct cpuset *a, const struct cpuset *of);
int cpuset_copy(struct cpuset *dst, const struct cpuset *src);
int cpuset_or(struct cpuset *dst, const struct cpuset *src);
void cpuset_minus(struct cpuset *dst, const struct cpuset *src);

#define CPUSET_FOREACH(cpu, s) for (int cpu = cpuset_first(s); cpu >= 0; cpu = cpuset_next(s, cpu))

/* "0-3,8" (whitespace at the end allowed; "" is the empty set). -EINVAL on
 * anything else, -ERANGE beyond CPUSET_MAX. ret is cleared first. */
int cpuset_parse_list(const char *text, struct cpuset *ret);
/* The same as a user types it on a command line: not empty, no blank, no
 * comma at either end ("6," and "6 " are -EINVAL: a list cut short). */
int cpuset_parse_list_strict(const char *text, struct cpuset *ret);
/* "ff,00000001". -EINVAL, -ERANGE as above. */
int cpuset_parse_mask(const char *text, struct cpuset *ret);
/* The list form, with ranges: "0-3,8"; "" when empty. NULL on ENOMEM. */
char *cpuset_format(const struct cpuset *s);
