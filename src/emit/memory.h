/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once
/* Huge pages for other programs: libvirt XML, kernel parameters, the
 * article's commands to reserve them on a running host (the kernel
 * parameters are plan/hugepages.h's hugepage_kernel_params()). */
#include <libxml/tree.h>
#include <stdbool.h>

#include "plan/hugepages.h"

/* <memory>, <currentMemory> and <memoryBacking><hugepages><page/>. */
bool memory_domain_build(xmlNodePtr dom, const struct hugepage_plan *p);
char *memory_domain_xml(const struct hugepage_plan *p);
/* The article's dynamic reservation, one command a line. */
char *memory_reserve_commands(const struct hugepage_plan *p);
