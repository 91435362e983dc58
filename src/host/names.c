/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Vendor, device, subsystem and class names from pci.ids, through libpci.
 * The database is the one inside the root, so a snapshot names devices the
 * way the machine it came from did; udev's hwdb and the network are never
 * asked (they would describe this machine, not the root).
 *
 * The file is read like every other input, through the root (path.c: links
 * resolve inside it, the size is capped, NUL bytes refused), and libpci parses
 * that copy from a memfd: it never opens a path of its own choosing.
 *
 * libpci parses a database whole, about 36,000 lines, and reading and
 * parsing all of it was most of the time `groups` and `check` took on a small
 * machine. The file is read in pieces, and libpci is handed only the part
 * that can name these devices: every top-level line (vendors, classes,
 * generic subsystems, which libpci checks against the vendors it has read,
 * and any malformed one), and the nested lines of the classes, the generic
 * subsystems and these devices' vendors. The part is cut into lines as
 * libpci cuts the file (1,023 bytes at most, then at the first carriage
 * return), so each line libpci reads from the part it reads from the file
 * too, in the same block; a lookup reads only entries of those vendors and
 * classes, so the names are the file's. A part libpci cannot parse is not
 * used at all: the devices are shown by number and a diag says which line
 * is wrong, numbered as libpci and lspci number the file's lines. A
 * malformed nested line of another vendor's block is not seen, as it could
 * not change a name shown here. */
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
static int libpci_line; /* the line of libpci_error, 0 when it names none */

static void libpci_failed(char *msg, ...) _printf_(1, 2) __attribute__((noreturn));

static void libpci_failed(char *msg, ...)
{
	va_list ap;

	va_start(ap, msg);
	/* pci_load_name_list() says "<what> at <file>, line <n>"; the file is
	 * our memfd, so only the line and what is wrong are kept. */
	libpci_line = 0;
	if (streq(msg, "%s at %s, line %d\n")) {
		const char *what = va_arg(ap, const char *);
		(void)va_arg(ap, const char *);
		libpci_line = va_arg(ap, int);
		snprintf(libpci_error, sizeof(libpci_error), "%s", what);
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

/* The vendors whose blocks can name a device here: the devices' own (their
 * device and subsystem lines are in that block; the subsystem vendor's name
 * is not looked up). */
struct vendor_set {
	uint64_t bits[65536 / 64];
};

static void vendor_add(struct vendor_set *s, uint16_t v)
{
	s->bits[v / 64] |= UINT64_C(1) << (v % 64);
}

static bool vendor_has(const struct vendor_set *s, uint16_t v)
{
	return s->bits[v / 64] & (UINT64_C(1) << (v % 64));
}

/* The vendor a top-level line opens ("8086  Intel Corporation": 4 hex digits
 * and white space, as libpci reads it), or -1 when it is not such a line. */
static int vendor_line(const char *l, size_t n)
{
	int v = 0;

	if (n < 5 || (l[4] != ' ' && l[4] != '\t'))
		return -1;
	for (int k = 0; k < 4; k++) {
		int d = parse_hex_digit(l[k]);

		if (d < 0)
			return -1;
		v = v << 4 | d;
	}
	return v;
}

/* Whether a line (without its newline) is one libpci skips: blank, white
 * space only, or a comment after white space. */
static bool skipped_line(const char *l, size_t n)
{
	size_t i = 0;

	while (i < n && (l[i] == ' ' || l[i] == '\t'))
		i++;
	return i == n || l[i] == '#';
}

/* libpci reads the file with fgets() into a 1,024-byte buffer (lib/names.h,
 * MAX_LINE): a line of its count is at most 1,023 bytes. */
#define LIBPCI_LINE 1023

/* The part of the database handed to libpci, and where its lines are in the
 * file: from part line seg[i].part, lines follow the file's from seg[i].file
 * on (lines as libpci counts them). */
struct part_seg {
	unsigned part, file;
};

struct part {
	char *text;
	size_t len, alloc;
	struct part_seg *seg;
	size_t nseg;
	unsigned file_line, part_line; /* lines seen so far */
	bool keep_block, kept_last;
};

static void part_done(struct part *p)
{
	free(p->text);
	free(p->seg);
}

/* One line as libpci reads it: up to LIBPCI_LINE bytes, with its newline if
 * it has one there. */
static int part_line(struct part *p, const struct vendor_set *s, const char *l, size_t n)
{
	size_t bare = 0;
	bool keep = p->keep_block;

	/* libpci reads a line up to its first carriage return. */
	while (bare < n && l[bare] != '\n' && l[bare] != '\r')
		bare++;
	/* A top-level line is kept, and opens a block whose nested lines are
	 * kept unless it is a well-formed vendor line of a vendor not here.
	 * Lines libpci skips go with the block they are in. */
	if (bare > 0 && l[0] != '\t' && !skipped_line(l, bare)) {
		int v = vendor_line(l, bare);

		p->keep_block = v < 0 || vendor_has(s, (uint16_t)v);
		keep = true;
	}
	p->file_line++;
	if (!keep) {
		p->kept_last = false;
		return 0;
	}
	if (p->len + n > p->alloc) {
		size_t want = MAX(p->alloc * 2, p->len + n + 4096);
		char *t = realloc(p->text, want);

		if (!t)
			return -ENOMEM;
		p->text = t;
		p->alloc = want;
	}
	memcpy(p->text + p->len, l, n);
	p->len += n;
	p->part_line++;
	if (!p->kept_last) {
		void *t = reallocarray(p->seg, p->nseg + 1, sizeof(*p->seg));

		if (!t)
			return -ENOMEM;
		p->seg = t;
		p->seg[p->nseg].part = p->part_line;
		p->seg[p->nseg].file = p->file_line;
		p->nseg++;
	}
	p->kept_last = true;
	return 0;
}

/* The file's line number of line n of the part. */
static unsigned part_to_file(const struct part *p, unsigned n)
{
	size_t i = p->nseg;

	while (i > 0 && p->seg[i - 1].part > n)
		i--;
	return i ? p->seg[i - 1].file + (n - p->seg[i - 1].part) : n;
}

/* Read the database from fd in pieces, keeping the part that can name a
 * device of s. 0, or -EBADMSG (a NUL byte: not text), -EFBIG, a read's
 * -errno, or -EPROTO with *why saying what is wrong (static). A line of the
 * part that ends without a newline is a full LIBPCI_LINE bytes or the end
 * of the file, so libpci cuts the part where it cuts the file. */
#define PART_CHUNK 65536
static int read_part(int fd, const struct vendor_set *s, struct part *p, const char **why)
{
	_cleanup_free_ char *buf = malloc(PART_CHUNK);
	uint8_t magic[2];
	size_t have = 0, total = 0;

	if (!buf)
		return -ENOMEM;
	p->keep_block = true; /* nested lines before the first block: libpci refuses them */
	for (;;) {
		ssize_t n = read(fd, buf + have, PART_CHUNK - have);
		size_t used = 0;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (memchr(buf + have, '\0', (size_t)n))
			return -EBADMSG; /* text files never hold NUL bytes */
		for (ssize_t i = 0; i < n && total + (size_t)i < 2; i++)
			magic[total + (size_t)i] = (uint8_t)buf[have + (size_t)i];
		total += (size_t)n;
		/* libpci reads gzip transparently: a small compressed file
		 * could unpack to gigabytes. Distributions ship plain text. */
		if (total >= 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
			*why = "it is compressed (gzip); vfiokit reads pci.ids as plain text only";
			return -EPROTO;
		}
		if (total > PATH_READ_MAX)
			return -EFBIG;
		have += (size_t)n;
		for (;;) {
			size_t left = have - used;
			const char *nl = memchr(buf + used, '\n', MIN(left, (size_t)LIBPCI_LINE));
			size_t len = nl                  ? (size_t)(nl + 1 - (buf + used)) :
				     left >= LIBPCI_LINE ? LIBPCI_LINE :
				     n == 0              ? left :
							   0;
			int k;

			if (len == 0)
				break;
			if ((k = part_line(p, s, buf + used, len)) < 0)
				return k;
			used += len;
		}
		if (n == 0)
			return 0;
		memmove(buf, buf + used, have - used);
		have -= used; /* under LIBPCI_LINE: there is room to read */
	}
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

/* Name every device from the part of the database. Returns 0, -ENOMEM, or
 * another -errno with *why saying what is wrong with the database (static). */
static int name_devices(struct host *h, const struct part *part, const char **why)
{
	_cleanup_close_ int fd = -1;
	struct name_cache caches[4] = {};
	struct pci_access *pacc;
	char name[64];
	int k;

	fd = text_memfd(part->text ? part->text : "", part->len);
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
	else if (k < 0 && libpci_line > 0) {
		/* libpci counted the part's lines; the user reads the file's. */
		char what[sizeof(libpci_error)];

		memcpy(what, libpci_error, sizeof(what));
		snprintf(libpci_error, sizeof(libpci_error), "line %u: %.200s",
			 part_to_file(part, (unsigned)libpci_line), what);
		*why = libpci_error;
	} else if (k < 0)
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
	_cleanup_free_ struct vendor_set *vendors = NULL;
	_cleanup_close_ int fd = -1;
	struct part part = { 0 };
	const char *rel = NULL, *why = NULL;
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
	vendors = calloc(1, sizeof(*vendors));
	if (!vendors) {
		k = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < h->npci; i++)
		vendor_add(vendors, h->pci[i].vendor);
	fd = path_open_stream(r, rel, false);
	k = fd < 0 ? fd : read_part(fd, vendors, &part, &why);
	if (k == -ENOMEM)
		goto out;
	if (k < 0 && k != -EPROTO) {
		host_diag(h, rel, "%s PCI ID database cannot be read: %s; devices are shown by number",
			  r == sys ? "this system's" : "the", read_error(k));
		k = 0;
		goto out;
	}
	if (k == 0)
		k = name_devices(h, &part, &why);
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
	part_done(&part);
	path_root_free(sys);
	return k;
}
