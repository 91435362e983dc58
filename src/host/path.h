/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Every read of the machine goes through a root: "/" on the live machine, or
 * a directory holding a copy of /sys, /proc, /dev, /etc, /lib/modules and
 * /usr/share (a fixture, or an unpacked `vfiokit snapshot`). Paths given to
 * these functions are relative to the root ("sys/bus/pci/devices"); a leading
 * '/' is accepted and ignored. Symlinks resolve inside the root (openat2
 * RESOLVE_IN_ROOT), so an absolute link in a fixture never reaches the host.
 *
 * No other module builds an absolute host path.
 *
 * All functions return 0 or a negative errno; -ENOENT means "absent".
 */
#pragma once

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <sys/stat.h>

#include "shared/strv.h"

struct path_root;

/* Largest file read whole by default (module tables are about 1 MiB). */
#define PATH_READ_MAX (16u << 20)

int path_root_open(const char *dir, struct path_root **ret);
void path_root_free(struct path_root *r);
const char *path_root_dir(const struct path_root *r);
/* True when the root is the running system's "/": probes that only make
 * sense on the live machine (uid, group membership) are gated on this. */
bool path_root_is_live(const struct path_root *r);
/* Resolve paths without openat2, as on kernels before 5.6 (for tests). */
void path_root_disable_openat2(struct path_root *r);

/* What the read functions return for a FIFO, device node or socket where a
 * regular file belongs: such a file is never opened (a FIFO would hang the
 * read, a device may act on open). Shown by path_strerror(). */
#define PATH_ENOTREG EMEDIUMTYPE
/* strerror() that also says what PATH_ENOTREG and -EBADMSG mean here. */
const char *path_strerror(int k);

/* Read a whole regular file into a NUL-terminated heap buffer (*len without
 * the NUL), to its end however the kernel splits it. Files larger than max
 * give -EFBIG; NUL bytes give -EBADMSG. */
int path_read_file(struct path_root *r, const char *rel, size_t max, char **ret, size_t *len);
/* The same for binary files (NUL bytes allowed, no terminator added). */
int path_read_binary(struct path_root *r, const char *rel, size_t max, uint8_t **ret, size_t *len);
/* Open a file to read as a stream (a log, read line by line with bounded
 * memory): the same checks as path_read_file (a regular file, never a FIFO
 * or device node: PATH_ENOTREG). With live_chardev on the live root only, a
 * character device is taken too, opened O_NONBLOCK (dev/kmsg). Returns the
 * fd (the caller closes it) or -errno; traced as a file read. */
int path_open_stream(struct path_root *r, const char *rel, bool live_chardev);
/* An fd of a regular file for reading parts of it (pread): large files
 * such as installer images that are never read whole. -errno as above. */
int path_open_regular(struct path_root *r, const char *rel);
/* Read a small attribute file, trailing whitespace removed. */
int path_read_string(struct path_root *r, const char *rel, char **ret);
/* The same for a sysfs CPU list or mask: NUL bytes after the text (some
 * development kernels write "0-3\n\0", which lscpu and hwloc accept) are
 * dropped; a NUL inside the text is still -EBADMSG. */
int path_read_string_nul_end(struct path_root *r, const char *rel, char **ret);
int path_readlink(struct path_root *r, const char *rel, char **ret);
/* Names in a directory, sorted, without "." and "..". */
int path_list(struct path_root *r, const char *rel, struct strv *ret);
/* lstat() inside the root: 0, -ENOENT, or another -errno. */
int path_lstat(struct path_root *r, const char *rel, struct stat *st);
bool path_exists(struct path_root *r, const char *rel);

/*
 * Writing. These are for src/apply only; nothing that reads the machine
 * writes.
 */
/* Write value to an attribute that must already exist (a sysfs file):
 * never creates, never truncates, one write() of the whole value. A short
 * write is -EIO. */
int path_write_attr(struct path_root *r, const char *rel, const char *value);
/* Create or replace a small regular file: temp file .#NAME.XXXXXX in the
 * same directory (no execute bit until its bytes are complete), fsync,
 * rename, fsync of the directory. A replaced file keeps its owner and
 * group, its SELinux label and ACLs (security.*, system.posix_acl_*); the
 * mode is mode. Parent directories are created (mode 0755). A file with
 * more than one hard link is -EMLINK (the rename would split it), a
 * symbolic link -ELOOP (resolve it first: path_resolve). */
int path_write_file_atomic(struct path_root *r, const char *rel, const char *data, mode_t mode);
/* The same for len bytes of any value (a ROM). */
int path_write_bytes_atomic(struct path_root *r, const char *rel, const void *data, size_t len, mode_t mode);
/* Create a new file the same way; -EEXIST when rel is there (never replaced). */
int path_create_file(struct path_root *r, const char *rel, const char *data, mode_t mode);
/* Remove a file, and fsync its directory. */
int path_unlink(struct path_root *r, const char *rel);
/* One directory, with exactly mode (the umask does not apply); -EEXIST
 * when it is there. */
int path_mkdir(struct path_root *r, const char *rel, mode_t mode);
int path_rmdir(struct path_root *r, const char *rel);
/* rel and its missing parents, each new one with exactly mode. */
int path_mkdir_p(struct path_root *r, const char *rel, mode_t mode);
/* Where rel leads: every symbolic link in it followed inside the root, as
 * in a chroot, giving a root-relative path with no link in it (*ret,
 * heap); what does not exist yet is kept as written. A link that climbs
 * above the root with ".." is -EXDEV, *link (heap, when link is not NULL)
 * saying the last link's target as written; -ELOOP past 40 links. */
int path_resolve(struct path_root *r, const char *rel, char **ret, char **link);
/* Open (creating) rel for an exclusive advisory lock; returns the fd.
 * Missing parents are made (0755). -ELOOP when rel or a directory on the
 * way is a symbolic link (never followed: the lock is where its name
 * says), PATH_ENOTREG or -EISDIR when rel is not a regular file, -EMLINK
 * when it has hard links. */
int path_lock(struct path_root *r, const char *rel);

/* The entries of a directory and their types as the kernel lists them
 * (getdents64), read once by path_dir_scan(); the caller keeps it and can
 * reuse it for the next directory. */
struct path_listing {
	char *buf;
	size_t len, alloc;
};
void path_listing_free(struct path_listing *l);

/* A directory opened once, for reading many attributes of one sysfs object.
 * Attribute names are plain names: they never follow symlinks. */
struct path_dir {
	struct path_root *root;
	int fd;
	char *rel;
	const struct path_listing *listing; /* path_dir_scan()'s, or NULL */
};

int path_dir_open(struct path_root *r, const char *rel, struct path_dir *d);
/* path_dir_open() where no component of rel is a symbolic link: -ELOOP
 * where one is. Then "../.." from it climbs the directories rel names. */
int path_dir_open_no_links(struct path_root *r, const char *rel, struct path_dir *d);
/* The directory sub beneath base, every component of it a directory (no
 * symbolic link, no ".." above base), named rel in d. Where it is not that
 * (a link on the way, -EXDEV, EAGAIN after a few tries, no openat2 before
 * Linux 5.6), rel opened from base's root as path_dir_open() does, links
 * followed inside it. For a link's target resolved without the walk the
 * link would cost. */
int path_dir_open_beneath(const struct path_dir *base, const char *sub, const char *rel, struct path_dir *d);
void path_dir_close(struct path_dir *d);
int path_dir_read(struct path_dir *d, const char *name, char **ret);
/* The first bytes of a binary attribute (a PCI device's config): up to size
 * bytes into buf, *len how many there were (fewer when the file is shorter);
 * NUL bytes allowed, no allocation. */
int path_dir_read_head(struct path_dir *d, const char *name, uint8_t *buf, size_t size, size_t *len);
int path_dir_readlink(struct path_dir *d, const char *name, char **ret);
/* The same into buf, with no allocation (a device's three links). */
int path_dir_readlink_buf(struct path_dir *d, const char *name, char buf[static PATH_MAX]);
bool path_dir_exists(struct path_dir *d, const char *name);
/* Names in a subdirectory of d (name may be "."), sorted. */
int path_dir_list(struct path_dir *d, const char *name, struct strv *ret);
/* Read d's entries into l, once, right after path_dir_open(): from then on
 * the reads, links and existence checks in d take a name's absence and type
 * from l, as fstatat() would say them, with no system call for an absent
 * attribute (a device's dozen lookups cost a dozen calls less). A file
 * listed as regular is still opened O_NOFOLLOW and checked to be one; a
 * file system that gives no types is asked as before. On failure d is read
 * as without it. l must outlive d's use. */
int path_dir_scan(struct path_dir *d, struct path_listing *l);
/* d's names, as path_dir_list(d, ".") gives them (sorted, without "." and
 * ".."), with no copy of each: *ret (heap, *n of them) points into l, which
 * must outlive it. For a directory of thousands (sys/bus/pci/devices).
 * Unlike path_dir_scan(), d's reads do not take l as its listing. */
int path_dir_names(struct path_dir *d, struct path_listing *l, const char ***ret, size_t *n);

/*
 * Tracing: when enabled, every successful access is recorded as a
 * root-relative path and a kind. `vfiokit snapshot` replays the trace to copy
 * exactly what vfiokit read.
 */
enum path_trace_kind {
	PATH_TRACE_FILE,   /* contents read */
	PATH_TRACE_LINK,   /* link target read */
	PATH_TRACE_DIR,    /* entries listed */
	PATH_TRACE_EXISTS, /* only existence asked */
};

struct path_trace_entry {
	enum path_trace_kind kind;
	char *rel;
};

void path_trace_enable(struct path_root *r, bool on);
bool path_trace_enabled(const struct path_root *r);
const struct path_trace_entry *path_trace_entries(const struct path_root *r, size_t *n);
/* True when an access could not be recorded (ENOMEM): the trace is
 * incomplete, and a snapshot made from it would silently lack files. */
bool path_trace_lost(const struct path_root *r);
/* Record an access done outside this module. */
void path_trace_note(struct path_root *r, enum path_trace_kind kind, const char *rel);
