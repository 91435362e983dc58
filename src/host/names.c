/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Vendor, device, subsystem and class names from pci.ids, through libpci.
 * The database is the one inside the root, so a snapshot names devices the
 * way the machine it came from did; udev's hwdb and the network are never
 * asked (they would describe this machine, not the root).
 *
 * The file is read like every other input, through the root (path.c: links
 * resolve inside it, the size is capped, NUL bytes refused), and libpci parses
 * that copy from a memfd: it never opens a path of its own choosing. A
 * database libpci cannot parse is not used at all: the devices are shown by
 * number and a diag says which line is wrong. */
#include <pci/pci.h>
#include <setjmp.h>
#include <stdarg.h>
#include <sys/mman.h>

#include "host/host.h"

static const char *const pci_ids_paths[] = {
	"usr/share/misc/pci.ids",
	"usr/share/hwdata/pci.ids",
	"usr/share/pci.ids",
};

/* libpci's error callback must not return (pci.h: PCI_NONRET), and it has no
 * context argument: the error is kept here and the callback jumps back to
 * the libpci call that failed. */
static jmp_buf *libpci_jump;
static char libpci_error[256];

static void libpci_failed(char *msg, ...) _printf_(1, 2) __attribute__((noreturn));

static void libpci_failed(char *msg, ...)
{
	va_list ap;

	va_start(ap, msg);
	/* pci_load_name_list() says "<what> at <file>, line <n>"; the file is
	 * our memfd, so only the line and what is wrong are kept. */
	if (streq(msg, "%s at %s, line %d\n")) {
		const char *what = va_arg(ap, const char *);
		(void)va_arg(ap, const char *);
		snprintf(libpci_error, sizeof(libpci_error), "line %d: %s", va_arg(ap, int), what);
	} else
		vsnprintf(libpci_error, sizeof(libpci_error), msg, ap);
	va_end(ap);
	strip_trailing(libpci_error);
	if (!libpci_jump)
		abort(); /* only reached from inside parse() and lookup() */
	longjmp(*libpci_jump, 1);
}

static void quiet(char *msg _unused_, ...)
{
	/* Warnings and debug messages concern the cache and the network,
	 * neither of which is used. */
}

/* Load the database libpci was pointed at: 0, or -EBADMSG with
 * libpci_error set, or -EIO when libpci could not open it. */
static int parse(struct pci_access *pacc)
{
	jmp_buf jb;
	int ok;

	if (setjmp(jb)) {
		libpci_jump = NULL;
		return -EBADMSG;
	}
	libpci_jump = &jb;
	ok = pci_load_name_list(pacc);
	libpci_jump = NULL;
	return ok ? 0 : -EIO;
}

/* A copy of a name with its control characters (an escape sequence that
 * would redraw the terminal, a carriage return) shown as '?'. */
static char *printable_name(const char *name)
{
	char *copy = strdup(name);

	for (unsigned char *c = (unsigned char *)copy; c && *c; c++)
		if (*c < 0x20 || *c == 0x7f)
			*c = '?';
	return copy;
}

/* The last names looked up, for devices alike (SR-IOV functions, the same
 * card twice): each name is kept once, in host->names. */
struct name_cache {
	struct {
		int key[4];
		const char *name;
		bool used;
	} e[8];
	unsigned next;
};

static char *lookup(struct pci_access *pacc, int flags, ...);

/* The name of (a, b, c, d) from the cache, else looked up and kept in
 * h->names: 0 and *ret (NULL when the database has none), or -ENOMEM. */
static int lookup_cached(struct host *h, struct name_cache *c, struct pci_access *pacc, int flags, int a, int b, int cc,
			 int d, const char **ret)
{
	char *name;

	for (size_t i = 0; i < ARRAY_SIZE(c->e); i++)
		if (c->e[i].used && c->e[i].key[0] == a && c->e[i].key[1] == b && c->e[i].key[2] == cc &&
		    c->e[i].key[3] == d) {
			*ret = c->e[i].name;
			return 0;
		}
	name = lookup(pacc, flags, a, b, cc, d);
	if (name && strv_push_take(&h->names, name) < 0)
		return -ENOMEM;
	c->e[c->next].key[0] = a;
	c->e[c->next].key[1] = b;
	c->e[c->next].key[2] = cc;
	c->e[c->next].key[3] = d;
	c->e[c->next].name = name;
	c->e[c->next].used = true;
	c->next = (c->next + 1) % ARRAY_SIZE(c->e);
	*ret = name;
	return 0;
}

static char *lookup(struct pci_access *pacc, int flags, ...)
{
	char buf[256];
	const char *r;
	jmp_buf jb;
	va_list ap;

	/* pci_lookup_name takes its IDs as varargs; forward them as ints. */
	va_start(ap, flags);
	int a = va_arg(ap, int), b = va_arg(ap, int), c = va_arg(ap, int), d = va_arg(ap, int);
	va_end(ap);
	if (setjmp(jb)) {
		libpci_jump = NULL;
		return NULL;
	}
	libpci_jump = &jb;
	r = pci_lookup_name(pacc, buf, sizeof(buf), flags | PCI_LOOKUP_NO_NUMBERS | PCI_LOOKUP_NO_HWDB, a, b, c, d);
	libpci_jump = NULL;
	return r ? printable_name(r) : NULL;
}

/* The first database there is in r: 0 and *rel, or -ENOENT. Something at the
 * path that cannot be read still counts (a dangling link, a directory): the
 * read reports it. */
static int find_database(struct path_root *r, const char **rel)
{
	for (size_t i = 0; i < ARRAY_SIZE(pci_ids_paths); i++)
		if (path_exists(r, pci_ids_paths[i])) {
			*rel = pci_ids_paths[i];
			return 0;
		}
	return -ENOENT;
}

/* A memfd holding text, for libpci to open as /proc/self/fd/N. */
static int text_memfd(const char *text, size_t len)
{
	_cleanup_close_ int fd = memfd_create("pci.ids", MFD_CLOEXEC);

	if (fd < 0)
		return -errno;
	while (len > 0) {
		ssize_t n = write(fd, text, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		text += n;
		len -= (size_t)n;
	}
	return TAKE_FD(fd);
}

/* Name every device from the database text. Returns 0, -ENOMEM, or another
 * -errno with *why saying what is wrong with the database (static). */
static int name_devices(struct host *h, const char *text, size_t len, const char **why)
{
	_cleanup_close_ int fd = -1;
	struct name_cache caches[4] = {};
	struct pci_access *pacc;
	char name[64];
	int k;

	/* libpci reads gzip transparently: a small compressed file could
	 * unpack to gigabytes. Distributions ship pci.ids as plain text. */
	if (len >= 2 && (uint8_t)text[0] == 0x1f && (uint8_t)text[1] == 0x8b) {
		*why = "it is compressed (gzip); vfiokit reads pci.ids as plain text only";
		return -EBADMSG;
	}
	fd = text_memfd(text, len);
	if (fd < 0) {
		*why = "no memory file to hand it to libpci";
		return fd;
	}
	snprintf(name, sizeof(name), "/proc/self/fd/%d", fd);
	pacc = pci_alloc();
	if (!pacc)
		return -ENOMEM;
	pacc->error = libpci_failed;
	pacc->warning = quiet;
	pacc->debug = quiet;
	pacc->id_lookup_mode = 0; /* no network, no ~/.pciids-cache */
	pci_set_name_list_path(pacc, name, 0);

	/* Names up to a bad line would be half a database: none are looked up. */
	k = parse(pacc);
	if (k == -EIO)
		*why = "libpci could not open its copy (is /proc mounted?)";
	else if (k < 0)
		*why = libpci_error;
	for (size_t i = 0; k == 0 && i < h->npci; i++) {
		struct pci_device *d = &h->pci[i];

		if (lookup_cached(h, &caches[0], pacc, PCI_LOOKUP_VENDOR, d->vendor, 0, 0, 0, &d->vendor_name) < 0 ||
		    lookup_cached(h, &caches[1], pacc, PCI_LOOKUP_DEVICE, d->vendor, d->device, 0, 0, &d->device_name) <
			    0 ||
		    lookup_cached(h, &caches[2], pacc, PCI_LOOKUP_CLASS, (int)(d->class >> 8), 0, 0, 0,
				  &d->class_name) < 0 ||
		    (d->has_subsys &&
		     lookup_cached(h, &caches[3], pacc, PCI_LOOKUP_SUBSYSTEM | PCI_LOOKUP_DEVICE, d->vendor, d->device,
				   d->subvendor, d->subdevice, &d->subsys_name) < 0))
			k = -ENOMEM;
	}
	pci_cleanup(pacc);
	return k;
}

static const char *read_error(int k)
{
	switch (k) {
	case -ENOENT:
		return "it is a link that leads nowhere inside the root";
	case -EBADMSG:
		return "it holds NUL bytes: not a text file";
	case -EFBIG:
		return "it is larger than any PCI ID database (16 MiB)";
	}
	return path_strerror(k);
}

int names_load(struct host *h)
{
	struct path_root *r = h->root, *sys = NULL;
	_cleanup_free_ char *text = NULL;
	const char *rel = NULL, *why = NULL;
	size_t len = 0;
	int k;

	/* As lspci does, a root without a database is named with the running
	 * system's (a fixture or snapshot without pci.ids). */
	if (find_database(r, &rel) < 0 && !path_root_is_live(r) && path_root_open("/", &sys) == 0 &&
	    find_database(sys, &rel) == 0)
		r = sys;
	if (!rel) {
		path_root_free(sys);
		host_diag(h, "usr/share/misc/pci.ids", "no PCI ID database in the root: devices are shown by number");
		return 0;
	}
	k = path_read_file(r, rel, PATH_READ_MAX, &text, &len);
	if (k == -ENOMEM)
		goto out;
	if (k < 0) {
		host_diag(h, rel, "%s PCI ID database cannot be read: %s; devices are shown by number",
			  r == sys ? "this system's" : "the", read_error(k));
		k = 0;
		goto out;
	}
	k = name_devices(h, text, len, &why);
	if (k == -ENOMEM)
		goto out;
	if (k < 0) {
		host_diag(h, rel, "%s PCI ID database is not usable: %s; devices are shown by number",
			  r == sys ? "this system's" : "the", why);
		k = 0;
		goto out;
	}
	if (r == sys)
		host_diag(h, "usr/share/misc/pci.ids", "not in the root: devices are named from this system's /%s",
			  rel);
	else if (!(h->pci_ids = strdup(rel)))
		k = -ENOMEM;
out:
	path_root_free(sys);
	return k;
}
