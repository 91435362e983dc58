/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once
/* Unified diffs of text files, as diff -u writes them, for showing every
 * change before it is made. */
#include <stdbool.h>
#include <stddef.h>

/* The diff from a to b (NULL: the file does not exist) with 3 lines of
 * context, labelled with path; "" when they are equal. Heap text; NULL on
 * ENOMEM. */
char *diff_unified(const char *path, const char *a, const char *b);
/* The same for a binary file (a ROM): no lines, each side one line saying
 * "binary file, N bytes, sha256 X" (- before, + after); "" when equal. */
char *diff_binary(const char *path, const void *a, size_t alen, const void *b, size_t blen);
