/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once
/*
 * The IOMMU groups as a picture: one box a group, placed in the PCIe tree
 * (a group hangs below the group of the nearest bridge above its shallowest
 * device; groups with none hang from their root bus), each with its verdict
 * as a word and as a pattern (never colour alone), and each device with its
 * address, IDs, names, driver, host use and bound state. Built with libxml2,
 * which escapes every name; text from the machine is first made printable
 * (control bytes and invalid UTF-8 as \xHH, escape.h). Deterministic: the
 * same model gives the same bytes. Pure: opens nothing.
 */
#include <libxml/tree.h>
#include <stdbool.h>

#include "host/host.h"

/* Which groups and ungrouped devices to draw: show_group[i] for
 * host->groups[i], show_ungrouped[i] for host->pci[i] outside any group
 * (drawn in one box, "no IOMMU group"); NULL: all of them. A group whose
 * parent is not drawn hangs from the nearest drawn one above it. */
struct svg_groups_filter {
	const bool *show_group;
	const bool *show_ungrouped;
};

/* The picture as an <svg> element in doc (not attached), NULL on ENOMEM. */
xmlNodePtr svg_groups_node(const struct host *h, const struct svg_groups_filter *f, xmlDocPtr doc);
/* The picture as a standalone SVG document; heap text, NULL on ENOMEM. */
char *svg_groups_text(const struct host *h, const struct svg_groups_filter *f);
/* Text from the machine made fit for an XML document: control bytes,
 * invalid UTF-8 and the non-characters U+FFFE and U+FFFF as \xHH. NULL
 * in, "" out; heap text, NULL on ENOMEM. */
char *svg_fit_text(const char *s);
