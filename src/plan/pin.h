/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * CPU pinning (the article's "CPU pinning" and "CPU topology"): which host
 * CPU each vCPU runs on. The rule, in order: never CPU 0's core while the
 * guest fits without it (or the CPUs the user names for the host); the
 * GPU's NUMA node when the guest fits there; one NUMA node whenever the
 * guest fits in one (else as few as it needs, warned); the host keeps the
 * L3 domain of CPU 0 if the guest still fits without it; SMT siblings
 * together; whole L3 domains; P-cores before E-cores, faster cores first.
 * Pure: reads the topology of the host model only.
 */
#pragma once

#include "host/host.h"
#include "shared/error.h"

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
	struct strv warnings; /* what the user should know before using it: the guest spans NUMA nodes */
};

/* 0; -ENOMEM; -EINVAL with err (ERROR_FAILED) saying what cannot be done. */
int pin_plan_make(const struct cpu_topology *t, const struct pin_request *rq, struct pin_plan *ret, struct error *err);
void pin_plan_free(struct pin_plan *p);
