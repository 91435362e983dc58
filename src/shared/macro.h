/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Small helpers shared by every module: cleanup attributes, ownership
 * transfer, overflow-checked arithmetic. Modelled on kmod's shared/macro.h. */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _unused_ __attribute__((unused))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _pure_ __attribute__((pure))
#define _must_check_ __attribute__((warn_unused_result))

static inline void freep(void *p)
{
	free(*(void **)p);
}

static inline void closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}

static inline void fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}

#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)
#define _cleanup_fclose_ _cleanup_(fclosep)

/* Take ownership of a pointer: returns it and clears the variable. */
#define TAKE_PTR(p)                     \
	({                              \
		__typeof__(p) _p_ = (p); \
		(p) = NULL;             \
		_p_;                    \
	})

#define TAKE_FD(fd)              \
	({                       \
		int _fd_ = (fd); \
		(fd) = -1;       \
		_fd_;            \
	})

static inline bool streq(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

static inline bool streq_ptr(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return streq(a, b);
}

static inline const char *strempty(const char *s)
{
	return s ? s : "";
}

static inline bool startswith(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static inline bool endswith(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

/* The start of the line after the one p is in, or the end of the text. */
static inline const char *next_line(const char *p)
{
	const char *e = strchr(p, '\n');
	return e ? e + 1 : p + strlen(p);
}

/* Overflow-checked size arithmetic: return false on overflow. */
static inline bool size_add(size_t a, size_t b, size_t *r)
{
	return !__builtin_add_overflow(a, b, r);
}

static inline bool size_mul(size_t a, size_t b, size_t *r)
{
	return !__builtin_mul_overflow(a, b, r);
}

#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

/* Grow a heap array so that it holds at least need elements.
 * Returns 0 or -ENOMEM; *arr and *alloc are updated on success. */
int grow_array(void **arr, size_t *alloc, size_t need, size_t elsize);

#define GROW(arr, alloc, need) grow_array((void **)&(arr), &(alloc), (need), sizeof(*(arr)))

/* printf into a fresh heap string; NULL on ENOMEM. */
char *strdupf(const char *fmt, ...) _printf_(1, 2);

/* s with control characters and backslashes written as C escapes (\n,
 * \t, \\, \x1b), for text from the input that ends up in a line of
 * output: a newline in a file cannot forge a second line, an escape
 * sequence cannot reach the terminal. NULL on ENOMEM. */

/* Trim trailing whitespace (sysfs attributes end in "\n") in place. */
char *strip_trailing(char *s);

/* Run argv[0] from PATH with argv and wait for it. 0 when it exits 0; else
 * -errno (-EIO when it failed) and err (shared/error.h, ERROR_FAILED) says
 * how. */
struct error;
int spawn_wait(char *const argv[], struct error *err);
/* The same with the program's stdout on out_fd (-1: inherited). */
int spawn_wait_stdout(char *const argv[], int out_fd, struct error *err);

/* Read fd to its end, binary, at most max bytes (-EFBIG beyond). */
int read_fd_all(int fd, size_t max, uint8_t **ret, size_t *len);
/* Read fd to its end as text: NUL-terminated (*len without the NUL), -EFBIG
 * when it holds max bytes or more, -EBADMSG when it holds a NUL byte. */
int read_fd_text(int fd, size_t max, char **ret, size_t *len);
/* The same, given the size of a regular file the caller has just fstat()ed
 * (-1: unknown): one fstat() fewer for each small file read. */
int read_fd_all_sized(int fd, size_t max, off_t size, uint8_t **ret, size_t *len);
int read_fd_text_sized(int fd, size_t max, off_t size, char **ret, size_t *len);
