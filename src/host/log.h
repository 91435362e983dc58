/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Logs, read as a stream: the kernel log (dev/kmsg records, dmesg, dmesg -T,
 * journalctl short, short-precise, short-iso and -o cat text) and libvirt's
 * per-guest QEMU logs. Memory is bounded whatever the file: lines are cut at
 * LOG_LINE_MAX bytes (the rest of such a line is skipped and counted), and
 * the reader holds one buffer. Lines with NUL bytes are not text: counted,
 * never returned.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "host/path.h"

#define LOG_LINE_MAX 8192

/* Where vfiokit doctor reads the logs, root-relative: the kernel's records
 * (the character device live, a regular file in a snapshot) and libvirt's
 * per-guest logs, NAME.log each. */
#define LOG_KERNEL_REL "dev/kmsg"
#define LOG_GUEST_DIR "var/log/libvirt/qemu"

/* The prefix log_strip() recognised on a line. */
enum log_form {
	LOG_FORM_PLAIN,    /* none: journalctl -o cat, or a message QEMU wrote */
	LOG_FORM_KMSG,     /* dev/kmsg: "6,339,5140900,-;" */
	LOG_FORM_DMESG,    /* "[    1.234567] " */
	LOG_FORM_DMESG_T,  /* dmesg -T: "[Mon Nov 30 12:00:01 2026] " */
	LOG_FORM_JOURNAL,  /* "Nov 30 12:00:01 host kernel: ", short-precise, short-iso */
	LOG_FORM_LIBVIRT,  /* "2026-11-30 12:00:01.123+0000: " */
	LOG_FORM_QEMU_TS,  /* QEMU's -msg timestamp=on: "2026-11-30T12:00:01.123456Z " */
};

/* The message of a line without its timestamp (and syslog host and
 * program); a pointer into line. Pure. */
const char *log_strip(const char *line, enum log_form *form);

struct log_line {
	const char *text; /* the message, timestamp stripped; valid until the next call */
	const char *raw;  /* the whole line as read (cut at LOG_LINE_MAX) */
	uint64_t lineno;  /* 1-based */
	enum log_form form;
};

struct log_stats {
	uint64_t lines;     /* lines returned */
	uint64_t cut;       /* lines longer than LOG_LINE_MAX, cut */
	uint64_t binary;    /* lines with NUL bytes, skipped */
	uint64_t stamped;   /* lines with a recognised prefix */
	uint64_t bytes;
};

struct log_reader;

/* Read fd (a regular file the caller opened; or the live dev/kmsg when
 * kmsg_dev: one record per read, the end at EAGAIN). Takes the fd. */
int log_open_fd(int fd, bool kmsg_dev, struct log_reader **ret);
/* Open rel through the root (path_open_stream): a regular file, or on the
 * live root dev/kmsg, the character device. */
int log_open_root(struct path_root *r, const char *rel, struct log_reader **ret);
/* 1 with *line filled, 0 at the end, -errno on a read error. */
int log_next(struct log_reader *lr, struct log_line *line);
const struct log_stats *log_reader_stats(const struct log_reader *lr);
void log_close(struct log_reader *lr);

/* The bytes of a log for a copy (vfiokit snapshot): rel through the root as
 * log_open_root() opens it; at most max bytes, the last ones of a longer
 * regular file from a line start (*cut set), the first ones of dev/kmsg.
 * NUL bytes are kept. */
int log_read_tail(struct path_root *r, const char *rel, size_t max, char **ret, size_t *len, bool *cut);
