/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Root-relative file access; see path.h. Idea from util-linux lib/path.c. */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <sys/file.h>
#include <sys/syscall.h>

#include "macro.h"
#include "path.h"

#ifndef SYS_openat2
#define SYS_openat2 437
#endif

struct path_root {
	int fd;
	char *dir;
	bool live;
	bool tracing;
	bool no_openat2;
	struct path_trace_entry *trace;
	size_t ntrace, trace_alloc;
};

static const char *skip_slashes(const char *rel)
{
	while (*rel == '/')
		rel++;
	return *rel ? rel : ".";
}

int path_root_open(const char *dir, struct path_root **ret)
{
	_cleanup_free_ struct path_root *r = NULL;
	struct stat st, rootst;
	char real[PATH_MAX];

	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (r->fd < 0)
		return -errno;
	if (!realpath(dir, real)) {
		int e = -errno;
		close(r->fd);
		return e;
	}
	r->dir = strdup(real);
	if (!r->dir) {
		close(r->fd);
		return -ENOMEM;
	}
	r->live = fstat(r->fd, &st) == 0 && stat("/", &rootst) == 0 && st.st_dev == rootst.st_dev &&
		  st.st_ino == rootst.st_ino;
	*ret = TAKE_PTR(r);
	return 0;
}

void path_root_free(struct path_root *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->ntrace; i++)
		free(r->trace[i].rel);
	free(r->trace);
	free(r->dir);
	if (r->fd >= 0)
		close(r->fd);
	free(r);
}

const char *path_root_dir(const struct path_root *r)
{
	return r->dir;
}

bool path_root_is_live(const struct path_root *r)
{
	return r->live;
}

void path_trace_enable(struct path_root *r, bool on)
{
	r->tracing = on;
}

const struct path_trace_entry *path_trace_entries(const struct path_root *r, size_t *n)
{
	*n = r->ntrace;
	return r->trace;
}

void path_trace_note(struct path_root *r, enum path_trace_kind kind, const char *rel)
{
	char *copy;

	if (!r->tracing)
		return;
	/* A trace that cannot grow only makes a snapshot smaller; the snapshot
	 * command checks its own output, so ENOMEM here is not fatal. */
	if (GROW(r->trace, r->trace_alloc, r->ntrace + 1) < 0)
		return;
	copy = strdup(skip_slashes(rel));
	if (!copy)
		return;
	r->trace[r->ntrace++] = (struct path_trace_entry){ .kind = kind, .rel = copy };
}

static void trace_in_dir(struct path_dir *d, enum path_trace_kind kind, const char *name)
{
	_cleanup_free_ char *rel = NULL;

	if (!d->root->tracing)
		return;
	rel = streq(name, ".") ? strdup(d->rel) : strdupf("%s/%s", d->rel, name);
	if (rel)
		path_trace_note(d->root, kind, rel);
}

/* Open rel inside the root. RESOLVE_IN_ROOT makes ".." and absolute symlinks
 * stop at the root, as if the process were chrooted there. Kernels before 5.6
 * lack openat2: fall back to openat, where relative links (all sysfs uses)
 * still resolve correctly. */
static int root_openat(struct path_root *r, const char *rel, int flags)
{
	rel = skip_slashes(rel);
	if (!r->no_openat2) {
		struct open_how how = {
			.flags = (uint64_t)(flags | O_CLOEXEC),
			.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
		};
		for (int tries = 0; tries < 8; tries++) {
			long fd = syscall(SYS_openat2, r->fd, rel, &how, sizeof(how));
			if (fd >= 0)
				return (int)fd;
			if (errno == EAGAIN)
				continue;
			if (errno == ENOSYS || errno == EPERM) { /* EPERM: seccomp filter */
				r->no_openat2 = true;
				break;
			}
			return -errno;
		}
		if (!r->no_openat2)
			return -EAGAIN;
	}
	int fd = openat(r->fd, rel, flags | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* Open the parent of rel as an O_PATH directory and return the last component. */
static int open_parent(struct path_root *r, const char *rel, const char **base)
{
	_cleanup_free_ char *parent = NULL;
	const char *slash;

	rel = skip_slashes(rel);
	slash = strrchr(rel, '/');
	if (!slash) {
		*base = rel;
		return root_openat(r, ".", O_PATH | O_DIRECTORY);
	}
	if (slash[1] == '\0')
		return -EINVAL;
	parent = strndup(rel, (size_t)(slash - rel));
	if (!parent)
		return -ENOMEM;
	*base = slash + 1;
	return root_openat(r, parent, O_PATH | O_DIRECTORY);
}

static int read_fd(int fd, size_t max, char **ret, size_t *len)
{
	char small[4096];
	_cleanup_free_ char *buf = NULL;
	size_t n = 0;
	ssize_t k;

	/* Most attributes fit one page: read into the stack, copy exactly. */
	do
		k = read(fd, small, sizeof(small));
	while (k < 0 && errno == EINTR);
	if (k < 0)
		return -errno;
	n = (size_t)k;
	if (n < sizeof(small)) {
		if (memchr(small, '\0', n))
			return -EBADMSG; /* text attributes never hold NUL bytes */
		*ret = strndup(small, n);
		if (!*ret)
			return -ENOMEM;
		if (len)
			*len = n;
		return 0;
	}
	/* Longer files (pci.ids, module tables): the rest through read_fd_all. */
	{
		_cleanup_free_ uint8_t *rest = NULL;
		size_t rn = 0;
		/* As before: a file of max bytes or more is too big. */
		if (n >= max)
			return -EFBIG;
		if ((k = read_fd_all(fd, max - n - 1, &rest, &rn)) < 0)
			return (int)k;
		buf = malloc(n + rn + 1);
		if (!buf)
			return -ENOMEM;
		memcpy(buf, small, n);
		if (rn)
			memcpy(buf + n, rest, rn);
		n += rn;
	}
	buf[n] = '\0';
	if (memchr(buf, '\0', n))
		return -EBADMSG;
	if (len)
		*len = n;
	*ret = TAKE_PTR(buf);
	return 0;
}

int path_read_file(struct path_root *r, const char *rel, size_t max, char **ret, size_t *len)
{
	_cleanup_close_ int fd = root_openat(r, rel, O_RDONLY | O_NOCTTY);
	int k;

	if (fd < 0) {
		/* Something is there but cannot be read (a directory, no
		 * permission): a snapshot keeps that it exists. */
		if (fd != -ENOENT && fd != -ENOTDIR)
			path_trace_note(r, PATH_TRACE_EXISTS, rel);
		return fd;
	}
	k = read_fd(fd, max, ret, len);
	path_trace_note(r, k == 0 ? PATH_TRACE_FILE : PATH_TRACE_EXISTS, rel);
	return k;
}

int path_read_binary(struct path_root *r, const char *rel, size_t max, uint8_t **ret, size_t *len)
{
	_cleanup_close_ int fd = root_openat(r, rel, O_RDONLY | O_NOCTTY | O_CLOEXEC);

	if (fd < 0)
		return fd;
	return read_fd_all(fd, max, ret, len);
}

int path_read_string(struct path_root *r, const char *rel, char **ret)
{
	int k = path_read_file(r, rel, 65536, ret, NULL);

	if (k == 0)
		strip_trailing(*ret);
	return k;
}

static int readlink_at(int dirfd, const char *name, char **ret)
{
	char buf[PATH_MAX];
	ssize_t n = readlinkat(dirfd, name, buf, sizeof(buf) - 1);

	if (n < 0)
		return -errno;
	buf[n] = '\0';
	*ret = strdup(buf);
	return *ret ? 0 : -ENOMEM;
}

int path_readlink(struct path_root *r, const char *rel, char **ret)
{
	const char *base;
	_cleanup_close_ int pfd = open_parent(r, rel, &base);
	int k;

	if (pfd < 0)
		return pfd;
	k = readlink_at(pfd, base, ret);
	if (k == 0)
		path_trace_note(r, PATH_TRACE_LINK, rel);
	return k;
}

static int list_fd(int fd, struct strv *ret)
{
	DIR *dir = fdopendir(fd);
	struct strv names = { 0 };
	struct dirent *de;

	if (!dir) {
		int e = -errno;
		close(fd);
		return e;
	}
	errno = 0;
	while ((de = readdir(dir))) {
		if (streq(de->d_name, ".") || streq(de->d_name, ".."))
			continue;
		if (strv_push(&names, de->d_name) < 0) {
			closedir(dir);
			strv_clear(&names);
			return -ENOMEM;
		}
	}
	closedir(dir);
	strv_sort(&names);
	*ret = names;
	return 0;
}

int path_list(struct path_root *r, const char *rel, struct strv *ret)
{
	int fd = root_openat(r, rel, O_RDONLY | O_DIRECTORY);
	int k;

	if (fd < 0)
		return fd;
	k = list_fd(fd, ret);
	if (k == 0)
		path_trace_note(r, PATH_TRACE_DIR, rel);
	return k;
}

int path_lstat(struct path_root *r, const char *rel, struct stat *st)
{
	const char *base;
	_cleanup_close_ int pfd = open_parent(r, rel, &base);

	if (pfd < 0)
		return pfd;
	if (fstatat(pfd, base, st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	path_trace_note(r, PATH_TRACE_EXISTS, rel);
	return 0;
}

bool path_exists(struct path_root *r, const char *rel)
{
	struct stat st;

	return path_lstat(r, rel, &st) == 0;
}

int path_dir_open(struct path_root *r, const char *rel, struct path_dir *d)
{
	int fd = root_openat(r, rel, O_RDONLY | O_DIRECTORY);

	if (fd < 0)
		return fd;
	d->rel = strdup(skip_slashes(rel));
	if (!d->rel) {
		close(fd);
		return -ENOMEM;
	}
	d->root = r;
	d->fd = fd;
	return 0;
}

void path_dir_close(struct path_dir *d)
{
	if (d->fd >= 0)
		close(d->fd);
	free(d->rel);
	d->fd = -1;
	d->rel = NULL;
}

int path_dir_read(struct path_dir *d, const char *name, char **ret)
{
	_cleanup_close_ int fd = openat(d->fd, name, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
	int k;

	if (fd < 0) {
		k = errno == ELOOP ? -EBADMSG : -errno;
		if (k != -ENOENT && k != -ENOTDIR)
			trace_in_dir(d, PATH_TRACE_EXISTS, name);
		return k;
	}
	k = read_fd(fd, 65536, ret, NULL);
	if (k < 0) {
		trace_in_dir(d, PATH_TRACE_EXISTS, name);
		return k;
	}
	strip_trailing(*ret);
	trace_in_dir(d, PATH_TRACE_FILE, name);
	return 0;
}

int path_dir_readlink(struct path_dir *d, const char *name, char **ret)
{
	int k = readlink_at(d->fd, name, ret);

	if (k == 0)
		trace_in_dir(d, PATH_TRACE_LINK, name);
	return k;
}

bool path_dir_exists(struct path_dir *d, const char *name)
{
	struct stat st;

	if (fstatat(d->fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return false;
	trace_in_dir(d, PATH_TRACE_EXISTS, name);
	return true;
}

int path_dir_list(struct path_dir *d, const char *name, struct strv *ret)
{
	int fd, k;

	fd = openat(d->fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	k = list_fd(fd, ret);
	if (k == 0)
		trace_in_dir(d, PATH_TRACE_DIR, name);
	return k;
}

int path_write_attr(struct path_root *r, const char *rel, const char *value)
{
	_cleanup_close_ int fd = root_openat(r, rel, O_WRONLY | O_NOCTTY);
	size_t len = strlen(value);
	ssize_t n;

	if (fd < 0)
		return fd;
	do
		n = write(fd, value, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

int path_mkdir_p(struct path_root *r, const char *rel, mode_t mode)
{
	_cleanup_free_ char *p = strdup(skip_slashes(rel));

	if (!p)
		return -ENOMEM;
	for (char *s = p;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;
		*s = '\0';
		if (*p) {
			const char *base;
			_cleanup_close_ int pfd = open_parent(r, p, &base);
			if (pfd < 0)
				return pfd;
			if (mkdirat(pfd, base, mode) < 0 && errno != EEXIST)
				return -errno;
		}
		if (c == '\0')
			return 0;
		*s = c;
	}
}

int path_write_file_atomic(struct path_root *r, const char *rel, const char *data, mode_t mode)
{
	_cleanup_free_ char *tmp = NULL, *dir = NULL;
	const char *base;
	_cleanup_close_ int pfd = -1;
	struct stat old;
	bool keep_owner;
	int fd, k;
	size_t len = strlen(data), off = 0;

	rel = skip_slashes(rel);
	dir = strdup(rel);
	if (!dir)
		return -ENOMEM;
	if (strrchr(dir, '/')) {
		*strrchr(dir, '/') = '\0';
		if ((k = path_mkdir_p(r, dir, 0755)) < 0)
			return k;
	}
	pfd = open_parent(r, rel, &base);
	if (pfd < 0)
		return pfd;
	tmp = strdupf(".#%s.XXXXXX", base);
	if (!tmp)
		return -ENOMEM;
	/* A file replaced keeps its owner (the mode is the caller's). */
	keep_owner = fstatat(pfd, base, &old, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(old.st_mode);
	/* mkstemp's idea, relative to the parent fd. */
	for (int tries = 0;; tries++) {
		snprintf(tmp + strlen(tmp) - 6, 7, "%06x", (unsigned)((getpid() * 2654435761u + (unsigned)tries * 40503u) & 0xffffff));
		fd = openat(pfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
		if (fd >= 0)
			break;
		if (errno != EEXIST || tries > 100)
			return -errno;
	}
	while (off < len) {
		ssize_t n = write(fd, data + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			k = n < 0 ? -errno : -EIO;
			goto fail;
		}
		off += (size_t)n;
	}
	if ((keep_owner && fchown(fd, old.st_uid, old.st_gid) < 0) || fchmod(fd, mode) < 0 || fsync(fd) < 0) {
		k = -errno;
		goto fail;
	}
	close(fd);
	fd = -1;
	if (renameat(pfd, tmp, pfd, base) < 0) {
		k = -errno;
		goto fail;
	}
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	(void)unlinkat(pfd, tmp, 0);
	return k;
}

int path_unlink(struct path_root *r, const char *rel)
{
	const char *base;
	_cleanup_close_ int pfd = open_parent(r, rel, &base);

	if (pfd < 0)
		return pfd;
	return unlinkat(pfd, base, 0) < 0 ? -errno : 0;
}

int path_mkdir(struct path_root *r, const char *rel, mode_t mode)
{
	const char *base;
	_cleanup_close_ int pfd = open_parent(r, rel, &base);

	if (pfd < 0)
		return pfd;
	return mkdirat(pfd, base, mode) < 0 ? -errno : 0;
}

int path_rmdir(struct path_root *r, const char *rel)
{
	const char *base;
	_cleanup_close_ int pfd = open_parent(r, rel, &base);

	if (pfd < 0)
		return pfd;
	return unlinkat(pfd, base, AT_REMOVEDIR) < 0 ? -errno : 0;
}

int path_lock(struct path_root *r, const char *rel)
{
	const char *base;
	_cleanup_close_ int pfd = open_parent(r, rel, &base);
	int fd;

	if (pfd < 0)
		return pfd;
	fd = openat(pfd, base, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno == EWOULDBLOCK ? -EBUSY : -errno;
		close(fd);
		return e;
	}
	return fd;
}
