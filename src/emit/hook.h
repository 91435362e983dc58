/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once
/*
 * A libvirt hook script for one guest (the article's "Dynamically isolating
 * CPUs", "Dynamic huge pages", "CPU frequency governor" and "Host lockup if
 * guest is left running during sleep"), for /etc/libvirt/hooks/qemu.d/.
 * libvirt runs each script there with GUEST OPERATION SUB-OPERATION; the
 * script acts only for its guest. The template is
 * src/emit/scripts/libvirt-hook.sh.in; every value is quoted by sh_quote
 * or checked (template.h).
 */
#include <stdbool.h>
#include <stdint.h>

#include "shared/cpuset.h"

struct hook_spec {
	const char *guest;               /* the libvirt domain name, any bytes */
	const struct cpuset *host_cpus;  /* AllowedCPUs of system.slice, user.slice, init.scope while it runs; NULL: none */
	uint64_t hugepages, page_kb;     /* pages to reserve before it starts; 0: none */
	const struct cpuset *perf_cpus;  /* governor "performance" on these while it runs; NULL: none */
	bool no_sleep;                   /* block sleep while it runs */
};

/* The script's file name in qemu.d: "vfiokit-" and the escaped guest name. */
char *hook_file_name(const char *guest);
/* The script. Heap text; NULL on ENOMEM. */
char *hook_script(const struct hook_spec *s);
