/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * CPU pinning (the article's "CPU pinning" and "CPU topology"): which host
 * CPU each vCPU runs on. Whole L3 domains first, SMT siblings together, the
 * host keeps the L3 domain of CPU 0 (or its core, or what the user names),
 * the GPU's NUMA node preferred, P-cores before E-cores. Pure: reads the
 * topology of the host model only.
 */
#pragma once

#include "host.h"

struct pin_request {
	unsigned nvcpus;
	const struct cpuset *host; /* CPUs the host keeps; NULL: vfiokit chooses */
	int prefer_node;           /* the GPU's NUMA node; -1: none */
};

struct pin_plan {
	unsigned *vcpu_cpu; /* vCPU i runs on host CPU vcpu_cpu[i] */
	size_t nvcpus;
	struct cpuset guest;  /* the CPUs of the vCPUs: what to isolate */
	struct cpuset host;   /* every other online CPU: emulator and I/O threads */
	unsigned sockets, dies, cores, threads; /* the guest's <topology>, consistent with the pinning */
	struct strv notes;    /* why, and what to watch, in words */
};

/* 0; -ENOMEM; -EINVAL with *err (heap) saying what cannot be done. */
int pin_plan_make(const struct cpu_topology *t, const struct pin_request *rq, struct pin_plan *ret, char **err);
void pin_plan_free(struct pin_plan *p);
