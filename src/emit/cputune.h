/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once
/* What a pin plan becomes for other programs: libvirt domain XML (built
 * with libxml2), the plain QEMU launch prefix, kernel parameters. */
#include <libxml/tree.h>
#include <stdbool.h>

#include "plan/pin.h"

/* <vcpu>, <iothreads> (when iothreads > 0), <cputune> and <cpu>, each
 * element on its own lines, to merge into a domain (virsh edit). On AMD
 * with SMT threads, <feature policy='require' name='topoext'/> (the
 * article's "Improving performance on AMD CPUs"). Heap text; NULL on ENOMEM. */
bool cputune_domain_build(xmlNodePtr dom, const struct pin_plan *p, unsigned iothreads, bool amd);
char *cputune_domain_xml(const struct pin_plan *p, unsigned iothreads, bool amd);
/* "chrt -r 1 taskset -c LIST qemu-system-x86_64 -smp N,sockets=..,..." */
char *cputune_qemu_prefix(const struct pin_plan *p);
/* "isolcpus=LIST nohz_full=LIST rcu_nocbs=LIST" */
char *cputune_isolation_params(const struct pin_plan *p);
