/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Tuning that takes effect at boot, through setup's editors: the article's
 * "Isolating pinned CPUs" (isolcpus, nohz_full, rcu_nocbs for the guest's
 * CPUs), "Static huge pages" (default_hugepagesz, hugepagesz, hugepages,
 * numbered as `tune hugepages` numbers them) and "Bluescreen at boot since
 * Windows 10 1803" (kvm's ignore_msrs in /etc/modprobe.d/kvm.conf). Pure:
 * reads the host model (HOST_LOAD_TOPOLOGY | TUNING | SYSTEM | BOOT).
 */
#pragma once

#include "host/host.h"
#include "shared/error.h"

struct setup_plan;

struct kparams_request {
	const struct cpuset *isolate; /* the guest's CPUs; NULL: none */
	uint64_t hugepages;           /* bytes of static huge pages; 0: none */
	uint64_t page_kb;             /* their size, 2048 or 1048576; 0: chosen as tune hugepages does */
	bool ignore_msrs;
};

bool kparams_wanted(const struct kparams_request *rq);
/* Adds what rq asks to p: the parameters (p->params), kvm.conf (p->files),
 * what to know (p->warnings), what to do by hand (p->manual). 0; -ENOMEM;
 * -EINVAL with err (ERROR_FAILED): the request cannot be met on this host. */
int kparams_plan(const struct host *h, const struct kparams_request *rq, struct setup_plan *p, struct error *err);
/* "isolcpus=LIST nohz_full=LIST rcu_nocbs=LIST" for cpus (setup --isolcpus,
 * tune pin). Heap text; NULL on ENOMEM. */
char *kparams_isolation_params(const struct cpuset *cpus);
