/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer harness: the host model (host_load, every loader) on a machine
 * copy made from the input. The input is records separated by 0x1e (ASCII
 * RS); a record is a kind byte, a root-relative path up to '\n', and the
 * rest: 'f' a file with that content, 'l' a symbolic link to that target
 * ("@OUT@" in it is the absolute path of a directory outside the root),
 * 'd' a directory, 'p' a FIFO. Paths with "..", "." or empty components
 * are skipped, so that nothing is written outside the root.
 *
 * Invariants: host_load succeeds (input problems are diags, each naming an
 * absolute path), never hangs, never reads outside the root (an inotify
 * watch on the outside directory sees no open or read), and the model is
 * consistent: devices sorted by address without duplicates, named by their
 * address, found by host_find_pci; groups sorted, without duplicates,
 * listing devices that exist. The tree is made under $TMPDIR, else
 * /dev/shm, and removed after every run. Seeds: tests/fuzz/seeds-host
 * (tests/fuzz/mkseed-host.py turns a fixture tree into one).
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host/host.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_RECORDS 512
#define MAX_DEPTH 24

static char base[PATH_MAX], root[PATH_MAX], outside[PATH_MAX];
static int watch = -1;

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

static void remove_tree(const char *dir)
{
	nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void cleanup(void)
{
	if (base[0])
		remove_tree(base);
}

static void put(const char *dir, const char *name, const char *text)
{
	char p[PATH_MAX];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0)
		abort();
}

/* A device outside the root, as a link that escaped would find it. */
static void setup(void)
{
	const char *tmp = getenv("TMPDIR");
	char dev[PATH_MAX];

	/* tmpfs: a disk file system makes every run ten times slower. */
	if (!tmp || !*tmp)
		tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	snprintf(base, sizeof(base), "%s/vfiokit-fuzz-host.XXXXXX", tmp);
	if (!mkdtemp(base))
		abort();
	atexit(cleanup);
	snprintf(root, sizeof(root), "%s/root", base);
	snprintf(outside, sizeof(outside), "%s/outside", base);
	snprintf(dev, sizeof(dev), "%s/0000:ee:00.0", outside);
	if (mkdir(outside, 0755) < 0 || mkdir(dev, 0755) < 0)
		abort();
	put(outside, "cmdline", "intel_iommu=on\n");
	put(outside, "vendor", "0x10de\n");
	put(dev, "vendor", "0x10de\n");
	put(dev, "device", "0x13c2\n");
	put(dev, "class", "0x030000\n");
	watch = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (watch < 0 || inotify_add_watch(watch, outside, IN_OPEN | IN_ACCESS) < 0 ||
	    inotify_add_watch(watch, dev, IN_OPEN | IN_ACCESS) < 0)
		abort();
}

/* Was anything outside the root opened or read since the last call? */
static bool escaped(void)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	bool any = false;

	while (read(watch, buf, sizeof(buf)) > 0)
		any = true;
	return any;
}

/* path, root-relative: no "..", ".", empty components; parents made, and
 * each one a directory, never a link an earlier record made: the harness
 * runs as root, and a link to / would have it write into the machine. The
 * last component is made without following a link (O_NOFOLLOW, symlink,
 * mkdir, mkfifo). */
static bool make_parents(const char *path, char *abs, size_t abs_size)
{
	char *p, *slash;
	int depth = 0;

	if (!*path || strlen(path) > 255)
		return false;
	for (const char *c = path;; c = slash + 1) {
		slash = strchr(c, '/');
		size_t n = slash ? (size_t)(slash - c) : strlen(c);
		if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.') || ++depth > MAX_DEPTH)
			return false;
		if (!slash)
			break;
	}
	if ((size_t)snprintf(abs, abs_size, "%s/%s", root, path) >= abs_size)
		return false;
	p = abs + strlen(root) + 1;
	while ((slash = strchr(p, '/'))) {
		*slash = '\0';
		struct stat st;
		if ((mkdir(abs, 0755) < 0 && errno != EEXIST) || lstat(abs, &st) < 0 || !S_ISDIR(st.st_mode)) {
			*slash = '/';
			return false;
		}
		*slash = '/';
		p = slash + 1;
	}
	return true;
}

static void make_record(const uint8_t *r, size_t n)
{
	const uint8_t *nl;
	char path[256 + 1], abs[PATH_MAX], target[PATH_MAX];
	size_t plen, clen;
	uint8_t kind;

	if (n < 2)
		return;
	kind = r[0];
	nl = memchr(r + 1, '\n', n - 1);
	plen = nl ? (size_t)(nl - (r + 1)) : n - 1;
	if (plen == 0 || plen > 256 || memchr(r + 1, '\0', plen))
		return;
	memcpy(path, r + 1, plen);
	path[plen] = '\0';
	if (!make_parents(path, abs, sizeof(abs)))
		return;
	r = nl ? nl + 1 : r + n;
	clen = nl ? n - plen - 2 : 0;
	switch (kind) {
	case 'l': {
		size_t t = 0;
		for (size_t i = 0; i < clen && t + 1 < sizeof(target); i++) {
			if (r[i] == '\0')
				return;
			if (i + 5 <= clen && memcmp(r + i, "@OUT@", 5) == 0) {
				int w = snprintf(target + t, sizeof(target) - t, "%s", outside);
				if (w < 0 || (size_t)w >= sizeof(target) - t)
					return;
				t += (size_t)w;
				i += 4;
			} else
				target[t++] = (char)r[i];
		}
		target[t] = '\0';
		if (t)
			(void)symlink(target, abs);
		return;
	}
	case 'd':
		(void)mkdir(abs, 0755);
		return;
	case 'p':
		(void)mkfifo(abs, 0644);
		return;
	default: {
		int fd = open(abs, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd < 0)
			return;
		if (clen && write(fd, r, clen) != (ssize_t)clen)
			abort();
		close(fd);
	}
	}
}

static void check_model(const struct host *h)
{
	for (size_t i = 0; i < h->npci; i++) {
		const struct pci_device *d = &h->pci[i];
		char name[PCI_ADDR_STRLEN];

		format_pci_addr(&d->addr, name);
		if (strcmp(name, d->name) != 0 || host_find_pci(h, &d->addr) != d)
			abort(); /* named and found by its address */
		if (i > 0 && pci_addr_cmp(&h->pci[i - 1].addr, &d->addr) >= 0)
			abort(); /* sorted, each address once */
		if (d->iommu_group < -1 || d->nparents > 256)
			abort();
	}
	for (size_t i = 0; i < h->ngroups; i++) {
		const struct iommu_group *g = &h->groups[i];
		if (g->number < 0 || (i > 0 && h->groups[i - 1].number >= g->number))
			abort(); /* sorted, each number once */
		if (host_find_group(h, g->number) != g)
			abort();
		for (size_t j = 0; j < g->ndevs; j++)
			if (g->devs[j] >= h->npci ||
			    (j > 0 && pci_addr_cmp(&h->pci[g->devs[j - 1]].addr, &h->pci[g->devs[j]].addr) >= 0))
				abort(); /* devices that exist, sorted, each once */
	}
	for (size_t i = 0; i < h->diags.n; i++)
		if (h->diags.v[i][0] != '/')
			abort(); /* a diag names the path, as the machine does */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct path_root *r = NULL;
	struct host *h = NULL;
	size_t records = 0;
	int k;

	if (!base[0])
		setup();
	if (mkdir(root, 0755) < 0)
		abort();
	for (size_t at = 0; at < size && records < MAX_RECORDS; records++) {
		const uint8_t *end = memchr(data + at, 0x1e, size - at);
		size_t n = end ? (size_t)(end - (data + at)) : size - at;
		make_record(data + at, n);
		at += n + 1;
	}
	(void)escaped();
	if (path_root_open(root, &r) < 0)
		abort();
	k = host_load(r, HOST_LOAD_ALL, &h);
	if (k != 0 && k != -ENOMEM)
		abort(); /* input problems are diags */
	if (escaped())
		abort(); /* something outside the root was opened or read */
	if (k == 0) {
		check_model(h);
		host_free(h);
	}
	path_root_free(r);
	remove_tree(root);
	return 0;
}
