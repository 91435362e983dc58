/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The root's lock (see lock.h): flock on run/vfiokit/lock, with a record of
 * its holder in the file itself. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "apply/lock.h"
#include "shared/macro.h"
#include "host/parse.h"

#define LOCK_POLL_MS 100
#define LOCK_RECORD_MAX 4096

void lock_holder_clear(struct lock_holder *h)
{
	free(h->command);
	free(h->since);
	*h = (struct lock_holder){ 0 };
}

/* The record is only shown, never trusted: printable ASCII or nothing. */
static bool printable(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < 0x20 || *s > 0x7e)
			return false;
	return true;
}

int lock_holder_parse(const char *text, struct lock_holder *h)
{
	_cleanup_free_ char *copy = strdup(text);
	char *save = NULL, *line;

	*h = (struct lock_holder){ 0 };
	if (!copy)
		return -ENOMEM;
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char **slot = NULL;
		long pid;

		if (startswith(line, "pid=") && parse_int(line + 4, 1, INT32_MAX, &pid) == 0)
			h->pid = pid;
		else if (startswith(line, "command="))
			slot = &h->command;
		else if (startswith(line, "since="))
			slot = &h->since;
		if (!slot || !printable(strchr(line, '=') + 1))
			continue;
		free(*slot);
		if (!(*slot = strdup(strchr(line, '=') + 1))) {
			lock_holder_clear(h);
			return -ENOMEM;
		}
	}
	return 0;
}

char *lock_holder_describe(const struct lock_holder *h)
{
	_cleanup_free_ char *who = h->pid ? strdupf("pid %ld", h->pid) : strdup("another process");
	_cleanup_free_ char *what = h->command ? strdupf(" (%s)", h->command) : strdup("");
	_cleanup_free_ char *when = h->since ? strdupf(" since %s", h->since) : strdup("");

	if (!who || !what || !when)
		return NULL;
	return strdupf("%s%s%s", who, what, when);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Who holds it now; a record being rewritten reads as partly unknown. */
static int read_holder(struct path_root *r, struct lock_holder *holder)
{
	_cleanup_free_ char *text = NULL;
	int k = path_read_file(r, LOCK_REL, LOCK_RECORD_MAX, &text, NULL);

	if (k == -ENOMEM)
		return k;
	return k < 0 ? 0 : lock_holder_parse(text, holder);
}

static int write_record(int fd, const char *command)
{
	char since[32];
	struct tm tm;
	time_t now = time(NULL);
	_cleanup_free_ char *rec = NULL;
	size_t len;
	ssize_t n;

	if (!gmtime_r(&now, &tm) || !strftime(since, sizeof(since), "%Y-%m-%dT%H:%M:%SZ", &tm))
		return -EINVAL;
	rec = strdupf("pid=%ld\ncommand=%s\nsince=%s\n", (long)getpid(), command, since);
	if (!rec)
		return -ENOMEM;
	len = strlen(rec);
	if (ftruncate(fd, 0) < 0)
		return -errno;
	n = pwrite(fd, rec, len, 0);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

int lock_take(struct path_root *r, const char *command, long wait_ms, struct lock_holder *holder)
{
	long waited = 0;
	int fd, k;

	*holder = (struct lock_holder){ 0 };
	for (;;) {
		fd = path_lock(r, LOCK_REL);
		if (fd != -EBUSY || waited >= wait_ms)
			break;
		sleep_ms(LOCK_POLL_MS);
		waited += LOCK_POLL_MS;
	}
	if (fd == -EBUSY) {
		k = read_holder(r, holder);
		return k < 0 ? k : -EBUSY;
	}
	if (fd < 0)
		return fd;
	k = write_record(fd, command);
	if (k < 0) {
		close(fd);
		return k;
	}
	return fd;
}

void lock_release(int fd)
{
	if (fd < 0)
		return;
	/* The lock goes with the fd; an empty record then says nobody. */
	int k = ftruncate(fd, 0);

	(void)k;
	close(fd);
}
