/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <ctype.h>
#include <spawn.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "shared/error.h"
#include "shared/macro.h"

int grow_array(void **arr, size_t *alloc, size_t need, size_t elsize)
{
	size_t n, bytes;
	void *p;

	if (need <= *alloc)
		return 0;
	n = *alloc ? *alloc : 8;
	while (n < need)
		if (!size_mul(n, 2, &n))
			return -ENOMEM;
	if (!size_mul(n, elsize, &bytes))
		return -ENOMEM;
	p = realloc(*arr, bytes);
	if (!p)
		return -ENOMEM;
	memset((char *)p + *alloc * elsize, 0, (n - *alloc) * elsize);
	*arr = p;
	*alloc = n;
	return 0;
}

char *strdupf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	return r < 0 ? NULL : s;
}

char *strip_trailing(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

extern char **environ;

int spawn_wait(char *const argv[], struct error *err)
{
	return spawn_wait_stdout(argv, -1, err);
}

int spawn_wait_stdout(char *const argv[], int out_fd, struct error *err)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int status, k;

	k = posix_spawn_file_actions_init(&fa);
	if (k == 0 && out_fd >= 0)
		k = posix_spawn_file_actions_adddup2(&fa, out_fd, STDOUT_FILENO);
	if (k == 0)
		k = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (k != 0)
		return error_set(err, -k, ERROR_FAILED, "cannot run %s: %s", argv[0], strerror(k));
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return error_set(err, -errno, ERROR_FAILED, "waiting for %s: %s", argv[0], strerror(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return WIFEXITED(status) ? error_set(err, -EIO, ERROR_FAILED, "%s exited with status %d", argv[0],
						     WEXITSTATUS(status)) :
					   error_set(err, -EIO, ERROR_FAILED, "%s was killed by signal %d", argv[0],
						     WTERMSIG(status));
	return 0;
}

/* Until read() returns 0, as util-linux's read_all() does: procfs seq_files
 * (mountinfo, iomem, modules) return short reads with more to come. */
int read_fd_all(int fd, size_t max, uint8_t **ret, size_t *len)
{
	struct stat st;

	/* A regular file says its size: one buffer, usually one read. */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		return read_fd_all_sized(fd, max, st.st_size, ret, len);
	return read_fd_all_sized(fd, max, -1, ret, len);
}

int read_fd_all_sized(int fd, size_t max, off_t size, uint8_t **ret, size_t *len)
{
	_cleanup_free_ uint8_t *buf = NULL;
	size_t alloc = 0, n = 0, first = 65536;

	if (size >= 0 && (uint64_t)size <= max)
		first = (size_t)size + 1;
	for (;;) {
		ssize_t k;
		if (n == alloc) {
			size_t want = alloc ? alloc * 2 : first;
			uint8_t *nb;
			if (alloc >= max + 1)
				return -EFBIG;
			want = want > max + 1 ? max + 1 : want; /* one byte more tells "too big" */
			nb = realloc(buf, want ? want : 1);
			if (!nb)
				return -ENOMEM;
			buf = nb;
			alloc = want;
		}
		k = read(fd, buf + n, alloc - n);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (k == 0)
			break;
		n += (size_t)k;
		if (n > max)
			return -EFBIG;
	}
	*len = n;
	*ret = TAKE_PTR(buf);
	return 0;
}

int read_fd_text(int fd, size_t max, char **ret, size_t *len)
{
	struct stat st;

	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		return read_fd_text_sized(fd, max, st.st_size, ret, len);
	return read_fd_text_sized(fd, max, -1, ret, len);
}

int read_fd_text_sized(int fd, size_t max, off_t size, char **ret, size_t *len)
{
	_cleanup_free_ uint8_t *buf = NULL;
	uint8_t *nb;
	size_t n;
	int k;

	if (max == 0)
		return -EFBIG;
	if ((k = read_fd_all_sized(fd, max - 1, size, &buf, &n)) < 0)
		return k;
	if (memchr(buf, '\0', n))
		return -EBADMSG; /* text files never hold NUL bytes */
	nb = realloc(buf, n + 1); /* also gives back a sysfs page's slack */
	if (!nb)
		return -ENOMEM;
	buf = nb;
	buf[n] = '\0';
	if (len)
		*len = n;
	*ret = (char *)TAKE_PTR(buf);
	return 0;
}
