/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Logs as a stream (log.h): one buffer, lines cut at LOG_LINE_MAX. */
#include <ctype.h>
#include <fcntl.h>

#include "host/log.h"
#include "shared/macro.h"

#define LOG_BUF_SIZE (8 * LOG_LINE_MAX)

struct log_reader {
	int fd;
	bool kmsg_dev;
	bool eof, skipping;
	enum log_form last_form;
	char *buf;
	size_t start, end;
	char line[LOG_LINE_MAX + 1];
	uint64_t physical; /* lines met, returned or not */
	struct log_stats st;
};

static const char *skip_digits(const char *p, size_t min, size_t max)
{
	size_t n = 0;

	while (n < max && isdigit((unsigned char)p[n]))
		n++;
	return n >= min ? p + n : NULL;
}

/* dev/kmsg: "PRIO,SEQ,USEC,FLAGS[,...];message" (Documentation/ABI/testing/dev-kmsg). */
static const char *strip_kmsg(const char *s)
{
	const char *p = s;

	for (int i = 0; i < 3; i++) {
		if (!(p = skip_digits(p, 1, 20)) || *p != ',')
			return NULL;
		p++;
	}
	for (size_t n = 0; n < 64 && *p && *p != ' '; n++, p++)
		if (*p == ';')
			return p + 1;
	return NULL;
}

/* dmesg: "[    1.234567] " (printk's timestamp, spaces before the seconds). */
static const char *strip_dmesg(const char *s)
{
	const char *p = s + 1;

	if (*s != '[')
		return NULL;
	while (*p == ' ')
		p++;
	if (!(p = skip_digits(p, 1, 12)) || *p != '.' || !(p = skip_digits(p + 1, 1, 9)) || *p != ']')
		return NULL;
	p++;
	return *p == ' ' ? p + 1 : p;
}

static bool is_alpha3(const char *p)
{
	return isalpha((unsigned char)p[0]) && isalpha((unsigned char)p[1]) && isalpha((unsigned char)p[2]);
}

/* dmesg -T: "[Mon Nov 30 12:00:01 2026] " (ctime's form). */
static const char *strip_dmesg_t(const char *s)
{
	const char *close;

	if (s[0] != '[' || !is_alpha3(s + 1) || s[4] != ' ' || !is_alpha3(s + 5) || s[8] != ' ')
		return NULL;
	close = memchr(s, ']', strnlen(s, 40));
	if (!close)
		return NULL;
	return close[1] == ' ' ? close + 2 : close + 1;
}

/* "HH:MM:SS" with optional ".fraction". */
static const char *skip_clock(const char *p)
{
	if (!(p = skip_digits(p, 2, 2)) || *p != ':' || !(p = skip_digits(p + 1, 2, 2)) || *p != ':' ||
	    !(p = skip_digits(p + 1, 2, 2)))
		return NULL;
	if (*p == '.' || *p == ',')
		p = skip_digits(p + 1, 1, 9);
	return p;
}

/* After a syslog timestamp: "host program[pid]: message". Only when the
 * second word ends with ':' is it taken as such. */
static const char *strip_host_ident(const char *p)
{
	const char *sp = strchr(p, ' '), *colon;

	if (!sp || sp == p || sp[-1] == ':')
		return NULL;
	colon = strstr(sp + 1, ": ");
	if (!colon || colon == sp + 1 || memchr(sp + 1, ' ', (size_t)(colon - sp - 1)))
		return NULL;
	return colon + 2;
}

/* journalctl short/short-precise: "Nov 30 12:00:01[.123456] host kernel: ". */
static const char *strip_journal(const char *s)
{
	const char *p;

	if (!is_alpha3(s) || s[3] != ' ')
		return NULL;
	p = s + 4;
	if (*p == ' ')
		p++;
	if (!(p = skip_digits(p, 1, 2)) || *p != ' ' || !(p = skip_clock(p + 1)) || *p != ' ')
		return NULL;
	return strip_host_ident(p + 1);
}

/* "2026-11-30" then 'T' or ' ' and a clock, an optional zone. */
static const char *skip_iso(const char *s, char *sep)
{
	const char *p = s;

	if (!(p = skip_digits(p, 4, 4)) || *p != '-' || !(p = skip_digits(p + 1, 2, 2)) || *p != '-' ||
	    !(p = skip_digits(p + 1, 2, 2)) || (*p != 'T' && *p != ' '))
		return NULL;
	*sep = *p;
	if (!(p = skip_clock(p + 1)))
		return NULL;
	if (*p == 'Z')
		p++;
	else if (*p == '+' || *p == '-') {
		p++;
		if (!(p = skip_digits(p, 2, 2)))
			return NULL;
		if (*p == ':')
			p++;
		if (!(p = skip_digits(p, 2, 2)))
			return NULL;
	}
	return p;
}

const char *log_strip(const char *line, enum log_form *form)
{
	const char *p, *q;
	char sep = 0;

	*form = LOG_FORM_PLAIN;
	if (isdigit((unsigned char)line[0]) && (p = strip_kmsg(line))) {
		*form = LOG_FORM_KMSG;
		return p;
	}
	if ((p = strip_dmesg(line))) {
		*form = LOG_FORM_DMESG;
		return p;
	}
	if ((p = strip_dmesg_t(line))) {
		*form = LOG_FORM_DMESG_T;
		return p;
	}
	if ((p = strip_journal(line))) {
		*form = LOG_FORM_JOURNAL;
		/* rsyslog's kern.log of older kernels keeps printk's time too. */
		return (q = strip_dmesg(p)) ? q : p;
	}
	if (isdigit((unsigned char)line[0]) && (p = skip_iso(line, &sep))) {
		if (sep == ' ' && p[0] == ':' && p[1] == ' ') {
			*form = LOG_FORM_LIBVIRT; /* libvirt's own lines */
			return p + 2;
		}
		if (*p == ' ' && (q = strip_host_ident(p + 1))) {
			*form = LOG_FORM_JOURNAL; /* short-iso */
			return (p = strip_dmesg(q)) ? p : q;
		}
		if (*p == ' ') {
			*form = LOG_FORM_QEMU_TS;
			return p + 1;
		}
	}
	return line;
}

int log_open_fd(int fd, bool kmsg_dev, struct log_reader **ret)
{
	struct log_reader *lr = calloc(1, sizeof(*lr));

	if (!lr || !(lr->buf = malloc(LOG_BUF_SIZE))) {
		free(lr);
		close(fd);
		return -ENOMEM;
	}
	lr->fd = fd;
	lr->kmsg_dev = kmsg_dev;
	*ret = lr;
	return 0;
}

int log_open_root(struct path_root *r, const char *rel, struct log_reader **ret)
{
	struct stat st;
	int fd = path_open_stream(r, rel, true);

	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0) {
		int k = -errno;
		close(fd);
		return k;
	}
	return log_open_fd(fd, S_ISCHR(st.st_mode), ret);
}

/* More bytes at the end of the buffer; sets eof. */
static int fill(struct log_reader *lr)
{
	if (lr->start > 0) {
		memmove(lr->buf, lr->buf + lr->start, lr->end - lr->start);
		lr->end -= lr->start;
		lr->start = 0;
	}
	for (;;) {
		ssize_t n = read(lr->fd, lr->buf + lr->end, LOG_BUF_SIZE - lr->end);

		if (n > 0) {
			lr->end += (size_t)n;
			lr->st.bytes += (uint64_t)n;
			return 0;
		}
		if (n == 0 || (lr->kmsg_dev && errno == EAGAIN)) {
			lr->eof = true;
			return 0;
		}
		if (errno == EINTR || (lr->kmsg_dev && errno == EPIPE))
			continue; /* EPIPE: records overwritten while reading; go on */
		return -errno;
	}
}

/* Copy len bytes at buf+start out as the current line. */
static bool take(struct log_reader *lr, size_t len, struct log_line *out)
{
	size_t n = MIN(len, (size_t)LOG_LINE_MAX);

	lr->physical++;
	if (len > 0 && lr->buf[lr->start + len - 1] == '\r')
		n = MIN(len - 1, (size_t)LOG_LINE_MAX); /* CRLF */
	memcpy(lr->line, lr->buf + lr->start, n);
	lr->line[n] = '\0';
	if (memchr(lr->line, '\0', n)) {
		lr->st.binary++;
		return false;
	}
	out->raw = lr->line;
	out->text = log_strip(lr->line, &out->form);
	/* dev/kmsg's dictionary lines (" SUBSYSTEM=pci") follow a record. */
	if (lr->line[0] == ' ' && lr->last_form == LOG_FORM_KMSG)
		return false;
	lr->last_form = out->form;
	if (out->form != LOG_FORM_PLAIN)
		lr->st.stamped++;
	lr->st.lines++;
	out->lineno = lr->physical;
	return true;
}

int log_next(struct log_reader *lr, struct log_line *out)
{
	for (;;) {
		size_t avail = lr->end - lr->start;
		char *nl = memchr(lr->buf + lr->start, '\n', avail);
		int k;

		if (lr->skipping) {
			if (nl) {
				lr->start = (size_t)(nl - lr->buf) + 1;
				lr->skipping = false;
				continue;
			}
			lr->start = lr->end;
		} else if (nl) {
			size_t len = (size_t)(nl - (lr->buf + lr->start));
			bool got;

			if (len > LOG_LINE_MAX)
				lr->st.cut++;
			got = take(lr, len, out);
			lr->start += len + 1;
			if (got)
				return 1;
			continue;
		} else if (avail >= LOG_LINE_MAX) {
			/* A line longer than the cap: its start is kept, the rest skipped. */
			bool got = take(lr, avail, out);

			lr->st.cut++;
			lr->start = lr->end;
			lr->skipping = true;
			if (got)
				return 1;
			continue;
		} else if (lr->eof) {
			bool got;

			if (avail == 0)
				return 0;
			got = take(lr, avail, out);
			lr->start = lr->end;
			if (got)
				return 1;
			continue;
		}
		if (lr->eof)
			return 0;
		if ((k = fill(lr)) < 0)
			return k;
	}
}

const struct log_stats *log_reader_stats(const struct log_reader *lr)
{
	return &lr->st;
}

void log_close(struct log_reader *lr)
{
	if (!lr)
		return;
	if (lr->fd >= 0)
		close(lr->fd);
	free(lr->buf);
	free(lr);
}

int log_read_tail(struct path_root *r, const char *rel, size_t max, char **ret, size_t *len, bool *cut)
{
	_cleanup_close_ int fd = path_open_stream(r, rel, true);
	_cleanup_free_ char *buf = NULL;
	struct stat st;
	size_t n = 0, skip = 0;

	*cut = false;
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > max) {
		if (lseek(fd, st.st_size - (off_t)max, SEEK_SET) < 0)
			return -errno;
		*cut = true;
	}
	if (!(buf = malloc(max + 1)))
		return -ENOMEM;
	while (n < max) {
		/* dev/kmsg gives one record a read and refuses a buffer too
		 * small for it (EINVAL): the last record that does not fit
		 * ends the copy. */
		ssize_t k = read(fd, buf + n, max - n);

		if (k > 0) {
			n += (size_t)k;
			continue;
		}
		if (k == 0 || (S_ISCHR(st.st_mode) && (errno == EAGAIN || errno == EINVAL)))
			break;
		if (errno == EINTR || (S_ISCHR(st.st_mode) && errno == EPIPE))
			continue;
		return -errno;
	}
	if (*cut) {
		char *nl = memchr(buf, '\n', n);
		skip = nl ? (size_t)(nl - buf) + 1 : n;
		memmove(buf, buf + skip, n - skip);
		n -= skip;
	}
	buf[n] = '\0';
	*len = n;
	*ret = TAKE_PTR(buf);
	return 0;
}
