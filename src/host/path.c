/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Root-relative file access; see path.h. Idea from util-linux lib/path.c. */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <sys/file.h>
#include <sys/syscall.h>
#include <sys/xattr.h>

#include "shared/macro.h"
#include "host/path.h"

#ifndef SYS_openat2
#define SYS_openat2 437
#endif

struct path_root {
	int fd;
	char *dir;
	bool live;
	bool tracing;
	bool no_openat2;
	bool trace_lost; /* an access could not be recorded (ENOMEM) */
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

bool path_trace_enabled(const struct path_root *r)
{
	return r->tracing;
}

const struct path_trace_entry *path_trace_entries(const struct path_root *r, size_t *n)
{
	*n = r->ntrace;
	return r->trace;
}

bool path_trace_lost(const struct path_root *r)
{
	return r->trace_lost;
}

void path_trace_note(struct path_root *r, enum path_trace_kind kind, const char *rel)
{
	char *copy;

	if (!r->tracing)
		return;
	/* A trace that cannot grow would make a snapshot that silently lacks
	 * files: remembered for path_trace_lost(). */
	if (GROW(r->trace, r->trace_alloc, r->ntrace + 1) < 0) {
		r->trace_lost = true;
		return;
	}
	copy = strdup(skip_slashes(rel));
	if (!copy) {
		r->trace_lost = true;
		return;
	}
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
	else
		d->root->trace_lost = true;
}

static int readlink_at(int dirfd, const char *name, char **ret);

/* Without openat2 (kernels before 5.6, seccomp filters that refuse it) the
 * walk RESOLVE_IN_ROOT does is done here, as chroot would see it: one
 * component at a time with O_NOFOLLOW, a symlink replaced by its target (an
 * absolute one walked from the root), ".." never above the root. A plain
 * openat() would follow an absolute link in a machine copy to the host. */
#define WALK_MAX_LINKS 40 /* the kernel's MAXSYMLINKS */

struct walk_stack {
	int fd[64];
	size_t n;
};

static void walk_stack_reset(struct walk_stack *st)
{
	while (st->n > 1)
		close(st->fd[--st->n]);
}

static int root_walk(struct path_root *r, const char *rel, int flags, bool no_links)
{
	struct walk_stack st = { .fd = { r->fd }, .n = 1 }; /* fd[0] is the root's, never closed */
	_cleanup_free_ char *todo = strdup(rel);
	char *p = todo;
	int links = 0, k;

	if (!todo)
		return -ENOMEM;
	for (;;) {
		char *comp, *slash;
		bool last;
		struct stat sb;
		int fd;

		while (*p == '/')
			p++;
		if (!*p) { /* rel named a directory: open the one reached */
			k = openat(st.fd[st.n - 1], ".", (flags & ~O_NOFOLLOW) | O_CLOEXEC);
			k = k < 0 ? -errno : k;
			break;
		}
		comp = p;
		slash = strchr(p, '/');
		if (slash) {
			*slash = '\0';
			p = slash + 1;
		} else {
			p += strlen(p);
		}
		while (*p == '/')
			p++;
		last = !*p;
		if (streq(comp, "."))
			continue;
		if (streq(comp, "..")) {
			if (st.n > 1)
				close(st.fd[--st.n]);
			continue;
		}
		fd = openat(st.fd[st.n - 1], comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 || fstat(fd, &sb) < 0) {
			k = -errno;
			if (fd >= 0)
				close(fd);
			break;
		}
		if (S_ISLNK(sb.st_mode) && !(last && (flags & O_NOFOLLOW))) {
			_cleanup_free_ char *target = NULL;
			char *next;

			close(fd);
			if (no_links) {
				k = -ELOOP;
				break;
			}
			if (++links > WALK_MAX_LINKS) {
				k = -ELOOP;
				break;
			}
			if ((k = readlink_at(st.fd[st.n - 1], comp, &target)) < 0)
				break;
			if (target[0] == '/')
				walk_stack_reset(&st);
			next = strdupf("%s/%s", target, p);
			if (!next) {
				k = -ENOMEM;
				break;
			}
			free(todo);
			todo = p = next;
			continue;
		}
		if (last) {
			close(fd);
			k = openat(st.fd[st.n - 1], comp, flags | O_NOFOLLOW | O_CLOEXEC);
			k = k < 0 ? -errno : k;
			break;
		}
		if (!S_ISDIR(sb.st_mode)) {
			close(fd);
			k = -ENOTDIR;
			break;
		}
		if (st.n == ARRAY_SIZE(st.fd)) {
			close(fd);
			k = -ENAMETOOLONG; /* deeper than any tree vfiokit reads */
			break;
		}
		st.fd[st.n++] = fd;
	}
	walk_stack_reset(&st);
	return k;
}

/* openat2(), tried again on EAGAIN (a rename or mount anywhere on the
 * machine during a walk through ".." or a link) a few times, not forever:
 * the fd or -errno. */
static int openat2_tries(int dirfd, const char *path, const struct open_how *how)
{
	for (int tries = 0;; tries++) {
		long fd = syscall(SYS_openat2, dirfd, path, how, sizeof(*how));
		if (fd >= 0)
			return (int)fd;
		if (errno != EAGAIN || tries == 7)
			return -errno;
	}
}

/* Open rel inside the root. RESOLVE_IN_ROOT makes ".." and absolute symlinks
 * stop at the root, as if the process were chrooted there; root_walk() does
 * the same where openat2 is missing. With no_links, a symbolic link at any
 * component is -ELOOP. */
static int root_openat_how(struct path_root *r, const char *rel, int flags, bool no_links)
{
	rel = skip_slashes(rel);
	if (!r->no_openat2) {
		struct open_how how = {
			.flags = (uint64_t)(flags | O_CLOEXEC),
			.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | (no_links ? RESOLVE_NO_SYMLINKS : 0),
		};
		int fd = openat2_tries(r->fd, rel, &how);
		if (fd != -ENOSYS && fd != -EPERM) /* EPERM: seccomp filter */
			return fd;
		r->no_openat2 = true;
	}
	return root_walk(r, rel, flags, no_links);
}

static int root_openat(struct path_root *r, const char *rel, int flags)
{
	return root_openat_how(r, rel, flags, false);
}

void path_root_disable_openat2(struct path_root *r)
{
	r->no_openat2 = true;
}

/* Open the parent of rel as an O_PATH directory and return the last component. */
static int open_parent_how(struct path_root *r, const char *rel, const char **base, bool no_links)
{
	char parent[PATH_MAX]; /* no allocation: path_exists() must not take ENOMEM for "absent" */
	const char *slash;

	rel = skip_slashes(rel);
	slash = strrchr(rel, '/');
	if (!slash) {
		*base = rel;
		return root_openat_how(r, ".", O_PATH | O_DIRECTORY, no_links);
	}
	if (slash[1] == '\0')
		return -EINVAL;
	if ((size_t)(slash - rel) >= sizeof(parent))
		return -ENAMETOOLONG;
	memcpy(parent, rel, (size_t)(slash - rel));
	parent[slash - rel] = '\0';
	*base = slash + 1;
	return root_openat_how(r, parent, O_PATH | O_DIRECTORY, no_links);
}

static int open_parent(struct path_root *r, const char *rel, const char **base)
{
	return open_parent_how(r, rel, base, false);
}

/* A FIFO would block the open or the first read forever, and opening a
 * device node can act (a tape rewinds, a watchdog starts): the type is
 * checked on an O_PATH descriptor before the file is opened, and again on the
 * opened file in case it was swapped in between. sysfs and procfs attributes
 * are regular files. */
static int check_regular(const struct stat *st)
{
	if (S_ISREG(st->st_mode))
		return 0;
	return S_ISDIR(st->st_mode) ? -EISDIR : -PATH_ENOTREG;
}

static int reopen_checked(int fd, const struct stat *before)
{
	struct stat st;

	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0) {
		int e = -errno;
		close(fd);
		return e;
	}
	if (st.st_dev != before->st_dev || st.st_ino != before->st_ino || check_regular(&st) < 0) {
		close(fd);
		return -EAGAIN; /* replaced while being opened */
	}
	return fd;
}

static int open_regular(struct path_root *r, const char *rel)
{
	_cleanup_close_ int pfd = root_openat(r, rel, O_PATH);
	struct stat st;
	int k;

	if (pfd < 0)
		return pfd;
	if (fstat(pfd, &st) < 0)
		return -errno;
	if ((k = check_regular(&st)) < 0)
		return k;
	return reopen_checked(root_openat(r, rel, O_RDONLY | O_NOCTTY | O_NONBLOCK), &st);
}

int path_open_regular(struct path_root *r, const char *rel)
{
	return open_regular(r, rel);
}

/* The same for a plain name in an open directory; never follows a link. */
/* *st: what fstatat() said of it, the file opened (reopen_checked()). */
static int open_regular_at(int dirfd, const char *name, struct stat *st)
{
	int k;

	if (fstatat(dirfd, name, st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (S_ISLNK(st->st_mode))
		return -ELOOP;
	if ((k = check_regular(st)) < 0)
		return k;
	return reopen_checked(openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC), st);
}

static int listed_type(const struct path_dir *d, const char *name);

/* open_regular_at() in d, its listing (path_dir_scan()) saying what the
 * name is, as fstatat() would: absent, a link, a directory, something
 * other than a regular file. The opened file is checked again, as there:
 * someone writing the tree could rename() a device node already in it to
 * the name between the listing and the open (no mknod needed). */
static int open_regular_in(struct path_dir *d, const char *name, struct stat *st)
{
	int t = listed_type(d, name), fd;

	if (t == 1)
		return open_regular_at(d->fd, name, st);
	if (t < 0)
		return t;
	if (t == DT_LNK)
		return -ELOOP;
	if (t == DT_DIR)
		return -EISDIR;
	if (t != DT_REG)
		return -PATH_ENOTREG;
	fd = openat(d->fd, name, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, st) < 0) {
		int e = -errno;
		close(fd);
		return e;
	}
	if (check_regular(st) < 0) {
		close(fd);
		return -EAGAIN; /* replaced since it was listed */
	}
	return fd;
}

const char *path_strerror(int k)
{
	if (k == -PATH_ENOTREG)
		return "not a regular file (a FIFO, device node or socket)";
	if (k == -EBADMSG)
		return "holds NUL bytes, which no text file here does";
	return strerror(-k);
}

int path_read_file(struct path_root *r, const char *rel, size_t max, char **ret, size_t *len)
{
	_cleanup_close_ int fd = open_regular(r, rel);
	int k;

	if (fd < 0) {
		/* Something is there but cannot be read (a directory, a FIFO,
		 * no permission): a snapshot keeps that it exists. */
		if (fd != -ENOENT && fd != -ENOTDIR)
			path_trace_note(r, PATH_TRACE_EXISTS, rel);
		return fd;
	}
	k = read_fd_text(fd, max, ret, len);
	path_trace_note(r, k == 0 ? PATH_TRACE_FILE : PATH_TRACE_EXISTS, rel);
	return k;
}

int path_open_stream(struct path_root *r, const char *rel, bool live_chardev)
{
	_cleanup_close_ int pfd = -1;
	struct stat st;
	int fd;

	if (!live_chardev || !path_root_is_live(r)) {
		fd = open_regular(r, rel);
		if (fd >= 0)
			path_trace_note(r, PATH_TRACE_FILE, rel);
		else if (fd != -ENOENT && fd != -ENOTDIR)
			path_trace_note(r, PATH_TRACE_EXISTS, rel);
		return fd;
	}
	/* The live kernel's record device: a character device is expected
	 * there, read without blocking (dmesg's way); a regular file is taken
	 * as such. Nothing else is opened. */
	pfd = root_openat(r, rel, O_PATH);
	if (pfd < 0)
		return pfd;
	if (fstat(pfd, &st) < 0)
		return -errno;
	if (!S_ISCHR(st.st_mode) && check_regular(&st) < 0)
		return check_regular(&st);
	fd = root_openat(r, rel, O_RDONLY | O_NOCTTY | O_NONBLOCK);
	if (fd >= 0) {
		struct stat now;
		if (fstat(fd, &now) < 0 || now.st_rdev != st.st_rdev || now.st_ino != st.st_ino ||
		    (now.st_mode & S_IFMT) != (st.st_mode & S_IFMT)) {
			close(fd);
			return -EAGAIN;
		}
		path_trace_note(r, PATH_TRACE_FILE, rel);
	}
	return fd;
}

int path_read_binary(struct path_root *r, const char *rel, size_t max, uint8_t **ret, size_t *len)
{
	_cleanup_close_ int fd = open_regular(r, rel);

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

int path_read_string_nul_end(struct path_root *r, const char *rel, char **ret)
{
	_cleanup_close_ int fd = open_regular(r, rel);
	_cleanup_free_ uint8_t *buf = NULL;
	size_t n;
	char *s;
	int k;

	if (fd < 0) {
		if (fd != -ENOENT && fd != -ENOTDIR)
			path_trace_note(r, PATH_TRACE_EXISTS, rel);
		return fd;
	}
	k = read_fd_all(fd, 65535, &buf, &n);
	while (k == 0 && n > 0 && buf[n - 1] == '\0')
		n--;
	if (k == 0 && memchr(buf, '\0', n))
		k = -EBADMSG;
	path_trace_note(r, k == 0 ? PATH_TRACE_FILE : PATH_TRACE_EXISTS, rel);
	if (k < 0)
		return k;
	if (!(s = malloc(n + 1)))
		return -ENOMEM;
	memcpy(s, buf, n);
	s[n] = '\0';
	strip_trailing(s);
	*ret = s;
	return 0;
}

/* The target into buf (size bytes, NUL-terminated): its length, or -errno. */
static ssize_t readlink_buf(int dirfd, const char *name, char *buf, size_t size)
{
	ssize_t n = readlinkat(dirfd, name, buf, size);

	if (n < 0)
		return -errno;
	if ((size_t)n >= size)
		return -ENAMETOOLONG; /* readlink() truncates silently */
	buf[n] = '\0';
	return n;
}

static int readlink_at(int dirfd, const char *name, char **ret)
{
	char buf[PATH_MAX];
	ssize_t n = readlink_buf(dirfd, name, buf, sizeof(buf));

	if (n < 0)
		return (int)n;
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

/* The kernel's directory entries (struct linux_dirent64), read with
 * getdents64() itself: readdir() would ask fcntl() twice and fstat() once
 * more for each directory (pci.c and iommu.c list one a device). */
struct dirent64_rec {
	uint64_t ino;
	int64_t off;
	unsigned short reclen;
	unsigned char type;
	char name[];
};

/* The offset kernfs (sysfs) and ext4 give the last entry of a directory
 * read to its end (kernfs_fop_readdir(), ext4_get_htree_eof()): neither
 * gives it to an entry before the end (their name hashes skip it). */
static bool entries_end(const char *buf, size_t from, size_t to)
{
	const struct dirent64_rec *last = NULL;

	for (size_t at = from; at < to; at += ((const struct dirent64_rec *)(buf + at))->reclen)
		last = (const void *)(buf + at);
	return last && (last->off == INT32_MAX || last->off == INT64_MAX);
}

static int read_entries(int fd, struct path_listing *l)
{
	l->len = 0;
	for (;;) {
		ssize_t k;
		if (l->alloc - l->len < 8192) {
			/* Not GROW(): the kernel fills it, no need to clear it first. */
			size_t want = l->alloc ? l->alloc * 2 : 16384;
			char *nb = want > l->alloc ? realloc(l->buf, want) : NULL;
			if (!nb)
				return -ENOMEM;
			l->buf = nb;
			l->alloc = want;
		}
		k = getdents64(fd, l->buf + l->len, l->alloc - l->len);
		if (k < 0 && errno == EINTR)
			continue;
		/* A listing cut short is not the directory's contents. */
		if (k < 0)
			return -errno;
		if (k == 0)
			return 0;
		l->len += (size_t)k;
		/* The end said with the entries: no further call to hear it (one
		 * a device directory). Other file systems are asked to the end. */
		if (entries_end(l->buf, l->len - (size_t)k, l->len))
			return 0;
	}
}

#define for_each_entry(l, e)                                                                               \
	for (const struct dirent64_rec *e = (const void *)(l)->buf; (const char *)e < (l)->buf + (l)->len; \
	     e = (const void *)((const char *)e + e->reclen))

static int list_fd(int fd, struct strv *ret)
{
	_cleanup_close_ int cfd = fd;
	struct path_listing l = { 0 };
	struct strv names = { 0 };
	int k = read_entries(cfd, &l);

	if (k < 0) {
		path_listing_free(&l);
		return k;
	}
	for_each_entry(&l, e)
	{
		if (streq(e->name, ".") || streq(e->name, ".."))
			continue;
		if (strv_push(&names, e->name) < 0) {
			path_listing_free(&l);
			strv_clear(&names);
			return -ENOMEM;
		}
	}
	path_listing_free(&l);
	strv_sort(&names);
	*ret = names;
	return 0;
}

void path_listing_free(struct path_listing *l)
{
	free(l->buf);
	*l = (struct path_listing){ 0 };
}

int path_dir_scan(struct path_dir *d, struct path_listing *l)
{
	int k;

	d->listing = NULL;
	k = read_entries(d->fd, l);
	if (k == 0)
		d->listing = l;
	return k;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int path_dir_names(struct path_dir *d, struct path_listing *l, const char ***ret, size_t *n)
{
	const char **names;
	size_t count = 0;
	int k = read_entries(d->fd, l);

	if (k < 0)
		return k;
	for_each_entry(l, e) count++;
	if (!(names = calloc(count ? count : 1, sizeof(*names))))
		return -ENOMEM;
	*n = 0;
	for_each_entry(l, e) if (!streq(e->name, ".") && !streq(e->name, "..")) names[(*n)++] = e->name;
	if (*n > 1)
		qsort(names, *n, sizeof(*names), cmp_name);
	*ret = names;
	trace_in_dir(d, PATH_TRACE_DIR, ".");
	return 0;
}

/* The type of name in d's listing (DT_REG, DT_LNK ...; DT_UNKNOWN where the
 * file system does not say), -ENOENT when it is not there, or 1 when d has
 * no listing or name is not a plain name (then ask the kernel). */
static int listed_type(const struct path_dir *d, const char *name)
{
	if (!d->listing || strchr(name, '/') || streq(name, ".") || streq(name, ".."))
		return 1;
	/* The first byte first: a device's few lookups each pass most of its
	 * 20 or so entries. */
	for_each_entry(d->listing, e)
	{
		if (e->name[0] == name[0] && streq(e->name, name))
			return e->type == DT_UNKNOWN ? 1 : e->type;
	}
	return -ENOENT;
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

/* d for fd, a directory opened as rel (which diags and traces name it). */
static int dir_init(struct path_root *r, int fd, const char *rel, struct path_dir *d)
{
	if (fd < 0)
		return fd;
	d->rel = strdup(skip_slashes(rel));
	if (!d->rel) {
		close(fd);
		return -ENOMEM;
	}
	d->root = r;
	d->fd = fd;
	d->listing = NULL;
	return 0;
}

int path_dir_open(struct path_root *r, const char *rel, struct path_dir *d)
{
	return dir_init(r, root_openat(r, rel, O_RDONLY | O_DIRECTORY), rel, d);
}

int path_dir_open_no_links(struct path_root *r, const char *rel, struct path_dir *d)
{
	return dir_init(r, root_openat_how(r, rel, O_RDONLY | O_DIRECTORY, true), rel, d);
}

int path_dir_open_beneath(const struct path_dir *base, const char *sub, const char *rel, struct path_dir *d)
{
	struct open_how how = {
		.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};

	int k = base->root->no_openat2 ? -EOPNOTSUPP : dir_init(base->root, openat2_tries(base->fd, sub, &how), rel, d);

	return k == 0 || k == -ENOMEM ? k : path_dir_open(base->root, rel, d);
}

void path_dir_close(struct path_dir *d)
{
	if (d->fd >= 0)
		close(d->fd);
	free(d->rel);
	d->fd = -1;
	d->rel = NULL;
	d->listing = NULL;
}

/* An attribute is a page at most (sysfs): one read() gives it whole, a
 * read shorter than asked being a regular file's end, without the second
 * read that would say so. A longer file is read to its end as any other. */
static int read_attr(int fd, off_t size, char **ret)
{
	char buf[4096];
	ssize_t n;

	do
		n = read(fd, buf, sizeof(buf));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if ((size_t)n == sizeof(buf)) {
		if (lseek(fd, 0, SEEK_SET) < 0)
			return -errno;
		return read_fd_text_sized(fd, 65536, size, ret, NULL);
	}
	if (memchr(buf, '\0', (size_t)n))
		return -EBADMSG; /* text files never hold NUL bytes */
	*ret = strndup(buf, (size_t)n);
	return *ret ? 0 : -ENOMEM;
}

int path_dir_read(struct path_dir *d, const char *name, char **ret)
{
	struct stat st;
	_cleanup_close_ int fd = open_regular_in(d, name, &st);
	int k;

	if (fd < 0) {
		k = fd == -ELOOP ? -EBADMSG : fd;
		if (k != -ENOENT && k != -ENOTDIR)
			trace_in_dir(d, PATH_TRACE_EXISTS, name);
		return k;
	}
	k = read_attr(fd, st.st_size, ret);
	if (k < 0) {
		trace_in_dir(d, PATH_TRACE_EXISTS, name);
		return k;
	}
	strip_trailing(*ret);
	trace_in_dir(d, PATH_TRACE_FILE, name);
	return 0;
}

int path_dir_read_head(struct path_dir *d, const char *name, uint8_t *buf, size_t size, size_t *len)
{
	struct stat st;
	_cleanup_close_ int fd = open_regular_in(d, name, &st);
	size_t n = 0;

	if (fd < 0) {
		if (fd != -ENOENT && fd != -ENOTDIR)
			trace_in_dir(d, PATH_TRACE_EXISTS, name);
		return fd;
	}
	/* A regular file: a read returns less than asked only at its end
	 * (sysfs's config too), or on a signal. */
	while (n < size) {
		ssize_t k = read(fd, buf + n, size - n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			int e = -errno;
			trace_in_dir(d, PATH_TRACE_EXISTS, name);
			return e;
		}
		if (k == 0)
			break;
		n += (size_t)k;
	}
	*len = n;
	trace_in_dir(d, PATH_TRACE_FILE, name);
	return 0;
}

int path_dir_readlink_buf(struct path_dir *d, const char *name, char buf[static PATH_MAX])
{
	int k = listed_type(d, name) == -ENOENT ? -ENOENT : (int)readlink_buf(d->fd, name, buf, PATH_MAX);

	if (k >= 0) {
		trace_in_dir(d, PATH_TRACE_LINK, name);
		k = 0;
	}
	return k;
}

int path_dir_readlink(struct path_dir *d, const char *name, char **ret)
{
	char buf[PATH_MAX];
	int k = path_dir_readlink_buf(d, name, buf);

	if (k < 0)
		return k;
	*ret = strdup(buf);
	return *ret ? 0 : -ENOMEM;
}

bool path_dir_exists(struct path_dir *d, const char *name)
{
	struct stat st;
	int t = listed_type(d, name);

	if (t < 0 || (t == 1 && fstatat(d->fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0))
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

/* fsync the directory pfd (an O_PATH descriptor: fsync needs one opened
 * for reading), so that a rename, an unlink or a new entry in it survives a
 * power cut (the rename's own fsync only covers the file's bytes). */
static int fsync_dir(int pfd)
{
	_cleanup_close_ int fd = openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || fsync(fd) < 0)
		return -errno;
	return 0;
}

/* One new directory with exactly mode (the umask of whoever runs vfiokit
 * must not make var/lib private or etc/... world-writable), made durable. */
static int mkdir_at(int pfd, const char *base, mode_t mode)
{
	if (mkdirat(pfd, base, mode) < 0)
		return -errno;
	if (fchmodat(pfd, base, mode, 0) < 0)
		return -errno;
	return fsync_dir(pfd);
}

/* rel and its missing parents; with no_links a symbolic link on the way is
 * -ELOOP, never followed (nothing is made where it points). */
static int mkdir_p_how(struct path_root *r, const char *rel, mode_t mode, bool no_links)
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
			_cleanup_close_ int pfd = open_parent_how(r, p, &base, no_links);
			struct stat st;
			int k;
			if (pfd < 0)
				return pfd;
			if ((k = mkdir_at(pfd, base, mode)) < 0 && k != -EEXIST)
				return k;
			if (no_links && k == -EEXIST && fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			    S_ISLNK(st.st_mode))
				return -ELOOP;
		}
		if (c == '\0')
			return 0;
		*s = c;
	}
}

int path_mkdir_p(struct path_root *r, const char *rel, mode_t mode)
{
	return mkdir_p_how(r, rel, mode, false);
}

/* The extended attributes a replaced file must keep: its SELinux (or other
 * LSM) label and its ACLs. user.* and trusted.* belong to their owners'
 * tools and are not ours to copy. */
static bool xattr_kept(const char *name)
{
	return startswith(name, "security.") || startswith(name, "system.posix_acl_");
}

/* Copy the kept extended attributes of base (in pfd) to the open file to.
 * A file system without xattrs has nothing to copy. */
static int copy_xattrs(int pfd, const char *base, int to)
{
	_cleanup_close_ int from = openat(pfd, base, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	_cleanup_free_ char *names = NULL;
	ssize_t n;

	if (from < 0)
		return -errno;
	n = flistxattr(from, NULL, 0);
	if (n <= 0)
		return n < 0 && errno != ENOTSUP ? -errno : 0;
	names = malloc((size_t)n);
	if (!names)
		return -ENOMEM;
	n = flistxattr(from, names, (size_t)n);
	if (n < 0)
		return -errno; /* ERANGE: changed meanwhile; fail closed */
	for (char *name = names; name < names + n; name += strlen(name) + 1) {
		_cleanup_free_ char *v = NULL;
		ssize_t len;
		if (!xattr_kept(name))
			continue;
		len = fgetxattr(from, name, NULL, 0);
		if (len < 0)
			return -errno;
		v = malloc((size_t)len + 1);
		if (!v)
			return -ENOMEM;
		len = fgetxattr(from, name, v, (size_t)len);
		if (len < 0 || fsetxattr(to, name, v, (size_t)len, 0) < 0)
			return -errno;
	}
	return 0;
}

/* Write data into a new temporary file beside base (in pfd), named
 * .#BASE.XXXXXX (*tmp), complete and on disk, with the owner, label and
 * ACLs of old (when not NULL) and mode. The temporary file gets mode's
 * execute bits only once its bytes are complete: a hook directory
 * (libvirt's qemu.d, initramfs-tools' hooks) runs every executable in it,
 * and must never find half a script there. */
static int write_temp(int pfd, const char *base, const char *data, size_t len, mode_t mode, const struct stat *old,
		      char **tmp)
{
	_cleanup_free_ char *name = strdupf(".#%s.XXXXXX", base);
	size_t off = 0;
	int fd, k;

	if (!name)
		return -ENOMEM;
	/* mkstemp's idea, relative to the parent fd. */
	for (int tries = 0;; tries++) {
		snprintf(name + strlen(name) - 6, 7, "%06x", (unsigned)((getpid() * 2654435761u + (unsigned)tries * 40503u) & 0xffffff));
		fd = openat(pfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
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
	if ((old && fchown(fd, old->st_uid, old->st_gid) < 0) || fsync(fd) < 0 || fchmod(fd, mode) < 0) {
		k = -errno;
		goto fail;
	}
	/* After the mode: setting an ACL sets the group bits from its mask. */
	if (old && (k = copy_xattrs(pfd, base, fd)) < 0)
		goto fail;
	if (close(fd) < 0) {
		fd = -1;
		k = -errno;
		goto fail;
	}
	*tmp = TAKE_PTR(name);
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	(void)unlinkat(pfd, name, 0);
	return k;
}

/* The parent of rel (created, mode 0755, when missing) as an O_PATH fd,
 * and what is there now at rel (-ENOENT: nothing). */
static int open_parent_for_write(struct path_root *r, const char *rel, const char **base, struct stat *old, int *old_k)
{
	_cleanup_free_ char *dir = strdup(skip_slashes(rel));
	int pfd, k;

	if (!dir)
		return -ENOMEM;
	if (strrchr(dir, '/')) {
		*strrchr(dir, '/') = '\0';
		if ((k = path_mkdir_p(r, dir, 0755)) < 0)
			return k;
	}
	pfd = open_parent(r, rel, base);
	if (pfd < 0)
		return pfd;
	*old_k = fstatat(pfd, *base, old, AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
	return pfd;
}

int path_write_file_atomic(struct path_root *r, const char *rel, const char *data, mode_t mode)
{
	return path_write_bytes_atomic(r, rel, data, strlen(data), mode);
}

int path_write_bytes_atomic(struct path_root *r, const char *rel, const void *data, size_t len, mode_t mode)
{
	_cleanup_free_ char *tmp = NULL;
	const char *base;
	struct stat old;
	int old_k = -ENOENT, k;
	_cleanup_close_ int pfd = open_parent_for_write(r, rel, &base, &old, &old_k);

	if (pfd < 0)
		return pfd;
	/* The rename would split a hard link (the other names keep the old
	 * bytes) and replace a link itself rather than what it points to. */
	if (old_k == 0 && S_ISREG(old.st_mode) && old.st_nlink > 1)
		return -EMLINK;
	if (old_k == 0 && S_ISLNK(old.st_mode))
		return -ELOOP;
	/* A replaced file keeps its owner, label and ACLs (the mode is the caller's). */
	if ((k = write_temp(pfd, base, data, len, mode, old_k == 0 && S_ISREG(old.st_mode) ? &old : NULL, &tmp)) < 0)
		return k;
	if (renameat(pfd, tmp, pfd, base) < 0) {
		k = -errno;
		(void)unlinkat(pfd, tmp, 0);
		return k;
	}
	return fsync_dir(pfd);
}

int path_create_file(struct path_root *r, const char *rel, const char *data, mode_t mode)
{
	_cleanup_free_ char *tmp = NULL;
	const char *base;
	struct stat old;
	int old_k = -ENOENT, k;
	_cleanup_close_ int pfd = open_parent_for_write(r, rel, &base, &old, &old_k);

	if (pfd < 0)
		return pfd;
	if (old_k == 0)
		return -EEXIST;
	if ((k = write_temp(pfd, base, data, strlen(data), mode, NULL, &tmp)) < 0)
		return k;
	/* link(2) never replaces: two writers of one name, one wins. */
	k = linkat(pfd, tmp, pfd, base, 0) < 0 ? -errno : 0;
	if (unlinkat(pfd, tmp, 0) < 0 && k == 0)
		k = -errno;
	return k < 0 ? k : fsync_dir(pfd);
}

int path_unlink(struct path_root *r, const char *rel)
{
	const char *base;
	_cleanup_close_ int pfd = open_parent(r, rel, &base);

	if (pfd < 0)
		return pfd;
	if (unlinkat(pfd, base, 0) < 0)
		return -errno;
	return fsync_dir(pfd);
}

int path_mkdir(struct path_root *r, const char *rel, mode_t mode)
{
	const char *base;
	_cleanup_close_ int pfd = open_parent(r, rel, &base);

	if (pfd < 0)
		return pfd;
	return mkdir_at(pfd, base, mode);
}

int path_rmdir(struct path_root *r, const char *rel)
{
	const char *base;
	_cleanup_close_ int pfd = open_parent(r, rel, &base);

	if (pfd < 0)
		return pfd;
	if (unlinkat(pfd, base, AT_REMOVEDIR) < 0)
		return -errno;
	return fsync_dir(pfd);
}

int path_resolve(struct path_root *r, const char *rel, char **ret, char **link)
{
	_cleanup_free_ char *done = strdup(""), *todo = strdup(skip_slashes(rel));
	int links = 0;

	*ret = NULL;
	if (link)
		*link = NULL;
	if (!done || !todo)
		return -ENOMEM;
	while (*todo) {
		char *slash = strchr(todo, '/'), *rest, *next = NULL, *target = NULL;
		struct stat st;
		int k;
		if (slash)
			*slash = '\0';
		rest = slash ? slash + 1 : todo + strlen(todo);
		if (streq(todo, "") || streq(todo, ".")) {
			memmove(todo, rest, strlen(rest) + 1);
			continue;
		}
		if (streq(todo, "..")) {
			char *up = strrchr(done, '/');
			if (!*done) /* above the root: a machine copy's link that leaves it */
				return -EXDEV;
			*(up ? up : done) = '\0';
			memmove(todo, rest, strlen(rest) + 1);
			continue;
		}
		next = *done ? strdupf("%s/%s", done, todo) : strdup(todo);
		if (!next)
			return -ENOMEM;
		k = path_lstat(r, next, &st);
		if (k == -ENOTDIR) /* a parent is a file: as written, writing it says why */
			k = -ENOENT;
		if (k < 0 || !S_ISLNK(st.st_mode)) {
			if (k < 0 && k != -ENOENT) {
				free(next);
				return k;
			}
			memmove(todo, rest, strlen(rest) + 1);
			free(done);
			if (k == -ENOENT && *todo) { /* the rest does not exist yet: as written */
				done = strdupf("%s/%s", next, todo);
				free(next);
				if (!done)
					return -ENOMEM;
				break;
			}
			done = next;
			continue;
		}
		if (++links > 40) {
			free(next);
			return -ELOOP;
		}
		k = path_readlink(r, next, &target);
		free(next);
		if (k < 0)
			return k;
		if (link) {
			free(*link);
			*link = strdup(target);
		}
		next = *rest ? strdupf("%s/%s", target, rest) : strdup(target);
		if (target[0] == '/') /* absolute: from the root (inside it) */
			done[0] = '\0';
		free(target);
		if (!next)
			return -ENOMEM;
		free(todo);
		todo = next;
	}
	if (!*done)
		return -EINVAL; /* the root itself */
	*ret = TAKE_PTR(done);
	return 0;
}

int path_lock(struct path_root *r, const char *rel)
{
	_cleanup_free_ char *dir = strdup(skip_slashes(rel));
	char *slash = dir ? strrchr(dir, '/') : NULL;
	const char *base;
	_cleanup_close_ int pfd = -1;
	struct stat st;
	int fd, k = 0;

	if (!dir)
		return -ENOMEM;
	/* A link on the way would put the lock where it points: two runs
	 * could then lock two files, and the record be written through it. */
	if (slash) {
		*slash = '\0';
		if ((k = mkdir_p_how(r, dir, 0755, true)) < 0)
			return k;
	}
	if ((pfd = open_parent_how(r, rel, &base, true)) < 0)
		return pfd;
	/* A device node planted at the lock's name in a machine copy is never
	 * opened (a watchdog starts, a tape rewinds), nor written to. */
	if (fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISLNK(st.st_mode) && (k = check_regular(&st)) < 0)
		return k;
	/* O_NONBLOCK|O_NOCTTY: a FIFO or a device in its place must not hang
	 * or become our terminal. */
	fd = openat(pfd, base, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY, 0600);
	if (fd < 0)
		return -errno;
	/* The holder's record truncates the file: never another name of a
	 * file vfiokit does not own (a hard link), never a FIFO or device. */
	if (fstat(fd, &st) < 0)
		k = -errno;
	else if ((k = check_regular(&st)) >= 0 && st.st_nlink != 1)
		k = -EMLINK;
	if (k < 0) {
		close(fd);
		return k;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno == EWOULDBLOCK ? -EBUSY : -errno;
		close(fd);
		return e;
	}
	return fd;
}
