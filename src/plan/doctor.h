/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vfiokit doctor: the article's troubleshooting as a table of message
 * signatures, each from the exact format of the kernel or QEMU message,
 * with the cause and the article section; the fix is written for this
 * machine from the host model. Pure: a line in, a match out; matches and
 * the model in, findings out. Never opens a file.
 */
#pragma once

#include "host/host.h"

enum doctor_severity {
	DOCTOR_INFO,
	DOCTOR_WARNING,
	DOCTOR_ERROR,
};

struct doctor_sig {
	const char *id;       /* stable, for scripts: "bar-reserved" */
	enum doctor_severity severity;
	const char *needle;   /* a literal the message holds */
	const char *needle2;  /* a second one it must hold too, or NULL */
	const char *cause;    /* one sentence */
	const char *section;  /* the article's section */
	const char *source;   /* where the message format is: kernel or QEMU file */
};

struct doctor_match {
	const struct doctor_sig *sig;
	bool has_addr;
	struct pci_addr addr; /* the device the line names */
	long group;           /* the IOMMU group it names, -1 none */
};

const struct doctor_sig *doctor_signatures(size_t *n);
/* Match one message (timestamp stripped: log.h's log_strip). true when a
 * signature matches; *m then says which and the device or group. */
bool doctor_match_line(const char *msg, struct doctor_match *m);

struct doctor_finding {
	const struct doctor_sig *sig;
	enum doctor_severity severity;
	char *cause;          /* the signature's, or what the host model changes of it */
	char *fix;            /* for this machine */
	struct strv evidence; /* "FILE:LINE: line", the first DOCTOR_EVIDENCE_MAX */
	uint64_t count;       /* lines seen */
	bool has_addr;
	struct pci_addr addr;
	long group;
};

#define DOCTOR_EVIDENCE_MAX 3

/* Bounds on what a report holds, whatever the logs: findings (signature
 * and device), and the bytes of an evidence line kept. */
#define DOCTOR_FINDINGS_MAX 256
#define DOCTOR_EVIDENCE_LEN 1024

struct doctor_report {
	struct doctor_finding *f;
	size_t n, alloc;
	uint64_t dropped; /* matched lines of findings past DOCTOR_FINDINGS_MAX */
};

/* A matched line: one finding per signature and device (or group); where is
 * "FILE:LINE", raw the line. 0 or -ENOMEM. */
int doctor_report_add(struct doctor_report *rep, const struct doctor_match *m, const char *where, const char *raw);
/* Causes and fixes for this machine (h may be NULL: the generic fix); and
 * the facts of the model alone: a reset-bug card passed without
 * vendor-reset, a device with no reset method. 0 or -ENOMEM. */
int doctor_report_finish(struct doctor_report *rep, const struct host *h);
/* The article's Code 43 entries for guest g (doctor --guest): an NVIDIA or
 * AMD GPU (by the host model's vendor and class of its PCI <hostdev>s)
 * passed without the <features> its drivers need: Hyper-V's vendor_id,
 * KVM hidden (NVIDIA before 465), the in-kernel IOAPIC on q35 (NVIDIA).
 * Findings come with cause and fix; call after doctor_report_finish().
 * 0 or -ENOMEM. */
int doctor_report_guest(struct doctor_report *rep, const struct host *h, const struct host_guest *g);
size_t doctor_report_count(const struct doctor_report *rep, enum doctor_severity s);
const char *doctor_severity_name(enum doctor_severity s);
void doctor_report_clear(struct doctor_report *rep);
