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

/*
 * The single-GPU handover hook (`vfiokit handover hook`, `vfiokit vm create
 * --single-gpu`; src/emit/scripts/handover-hook.sh.in): `vfiokit handover
 * take` at prepare, `give --if-taken` at release, and a watchdog started
 * after take that gives the GPU back when the guest has not started within
 * timeout seconds, or when its QEMU is gone and libvirt has not released it.
 * Its own file beside tune hook's: the two coexist, each journaled and
 * undone on its own.
 */
struct handover_hook_spec {
	const char *guest;   /* the libvirt domain name, any bytes */
	const char *gpu;     /* the device take and give name: 0000:01:00.0 */
	const char *vfiokit; /* the absolute path of the vfiokit the hook runs, any bytes */
	unsigned timeout;    /* seconds for the guest to reach 'started' (1 to 3600) */
};

/* How long the watchdog waits for libvirt's release after QEMU is gone. */
#define HANDOVER_HOOK_GRACE 10
#define HANDOVER_HOOK_TIMEOUT 120

/* Its file name in qemu.d: "vfiokit_handover-" and the escaped guest name.
 * tune hook's names start "vfiokit-", and name_escape() writes '_' only
 * before two hex digits: no guest's tune hook can have this name. */
char *handover_hook_file_name(const char *guest);
/* The script. Heap text; NULL on ENOMEM, or when gpu is not an address. */
char *handover_hook_script(const struct handover_hook_spec *s);
