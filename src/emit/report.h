/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once
/*
 * vfiokit report: one self-contained HTML page about one machine, for a
 * bug report: the IOMMU groups drawn (svg.h, inline), then what commands
 * say about it (check, next, setup --gpu), as their text. Built with
 * libxml2's HTML tree and serialiser, which escape every name; no
 * external resource of any kind (no CSS, script, font or image file, no
 * URL), and a Content-Security-Policy that lets the page fetch nothing.
 * Deterministic; pure: opens nothing.
 */
#include "host/host.h"

/* What a command said: its text as it printed it (stdout and stderr, in
 * order, already escaped for a terminal) and its exit status. */
struct report_section {
	const char *id;      /* the HTML id: "check" */
	const char *title;   /* "Prerequisites" */
	const char *command; /* "vfiokit check --root DIR" */
	const char *text;
	int status;
};

struct report_input {
	const struct host *h; /* PCI, NAMES, USAGE, SYSTEM: the picture and the header */
	const char *root;     /* --root as given; NULL: the machine itself */
	const struct report_section *sections;
	size_t nsections;
};

/* The page; heap text, NULL on ENOMEM. */
char *report_html(const struct report_input *in);
