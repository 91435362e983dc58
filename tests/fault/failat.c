/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fault injection for the tests, loaded with LD_PRELOAD: the Nth call
 * (FAILAT=N) that changes the file system (creating open, write to a file,
 * fchmod, fchown, fsync, rename, unlink, mkdir) fails with EIO, once. The
 * calls counted are those vfiokit's writers make; writes to standard
 * output and error are not counted. When it fires it appends the call's
 * name to $FAILAT_LOG, so a test can tell the last N was past the end.
 * FAILAT_KILL=N instead kills the process (SIGKILL, as a power cut or the
 * OOM killer would) just before its Nth such call: what it leaves is what
 * the next run has to cope with. With FAILAT_SIGNAL=SIG (a number) it
 * raises that signal instead, as an interrupt (SIGINT) at that point would.
 * FAILAT_PLANT=PATH makes a file appear at PATH just before a rename or
 * link onto it, as another program could meanwhile; FAILAT_NO_RENAME2=1
 * makes renameat2 fail with EINVAL, as on a file system without its flags.
 */
#undef _FILE_OFFSET_BITS /* openat and openat64 are both defined here */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

static long calls;

static int fire(const char *what)
{
	const char *at = getenv("FAILAT"), *kill_at = getenv("FAILAT_KILL"), *log = getenv("FAILAT_LOG");

	if (!at)
		at = kill_at;
	if (!at || ++calls != atol(at))
		return 0;
	if (log) {
		FILE *f = fopen(log, "a");
		if (f) {
			fprintf(f, "%ld %s\n", calls, what);
			fclose(f);
		}
	}
	if (kill_at && !getenv("FAILAT")) {
		const char *sig = getenv("FAILAT_SIGNAL");
		raise(sig ? atoi(sig) : SIGKILL);
	}
	errno = EIO;
	return 1;
}

#define REAL(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

/* The mode argument of open, present with O_CREAT or O_TMPFILE. */
#define OPEN_MODE(flags, mode)                              \
	do {                                                \
		if ((flags) & (O_CREAT | O_TMPFILE)) {      \
			va_list ap;                         \
			va_start(ap, flags);                \
			(mode) = (mode_t)va_arg(ap, int);   \
			va_end(ap);                         \
		}                                           \
	} while (0)

static int creating(int flags)
{
	return (flags & (O_CREAT | O_TMPFILE)) && fire("openat");
}

int openat(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = 0;

	OPEN_MODE(flags, mode);
	return creating(flags) ? -1 : REAL(openat)(dirfd, path, flags, mode);
}

ssize_t write(int fd, const void *buf, size_t n)
{
	if (fd > 2 && fire("write"))
		return -1;
	return REAL(write)(fd, buf, n);
}

int fchmod(int fd, mode_t mode)
{
	return fire("fchmod") ? -1 : REAL(fchmod)(fd, mode);
}

int fchown(int fd, uid_t uid, gid_t gid)
{
	return fire("fchown") ? -1 : REAL(fchown)(fd, uid, gid);
}

int fsync(int fd)
{
	return fire("fsync") ? -1 : REAL(fsync)(fd);
}

int renameat(int a, const char *from, int b, const char *to)
{
	return fire("renameat") ? -1 : REAL(renameat)(a, from, b, to);
}

static void plant(const char *to)
{
	const char *at = getenv("FAILAT_PLANT");
	int fd;

	if (!at || strcmp(at, to) != 0)
		return;
	fd = REAL(openat)(AT_FDCWD, at, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd >= 0) {
		(void)!REAL(write)(fd, "planted\n", 8);
		close(fd);
	}
}

int rename(const char *from, const char *to)
{
	plant(to);
	return fire("rename") ? -1 : REAL(rename)(from, to);
}

int renameat2(int a, const char *from, int b, const char *to, unsigned flags)
{
	if (getenv("FAILAT_NO_RENAME2")) {
		errno = EINVAL;
		return -1;
	}
	plant(to);
	return fire("renameat2") ? -1 : REAL(renameat2)(a, from, b, to, flags);
}

int link(const char *from, const char *to)
{
	plant(to);
	return fire("link") ? -1 : REAL(link)(from, to);
}

int unlinkat(int dirfd, const char *path, int flags)
{
	return fire("unlinkat") ? -1 : REAL(unlinkat)(dirfd, path, flags);
}

int mkdirat(int dirfd, const char *path, mode_t mode)
{
	return fire("mkdirat") ? -1 : REAL(mkdirat)(dirfd, path, mode);
}

/* With _FILE_OFFSET_BITS=64 glibc's headers call openat64. */
int openat64(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = 0;

	OPEN_MODE(flags, mode);
	return creating(flags) ? -1 : REAL(openat64)(dirfd, path, flags, mode);
}
