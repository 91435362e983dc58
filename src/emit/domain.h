/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once
/*
 * libvirt domain XML for a passthrough guest, always through libxml2.
 * create builds a q35/OVMF skeleton (disk, installer media, network) and
 * then runs the same transformation edit runs on a domain that already
 * exists (one made with virt-manager): the article's "Attaching the PCI
 * devices" (hostdevs in, SPICE/QXL/tablet out), virtualisation-detection
 * features, evdev, Looking Glass, audio, pinning and huge pages. edit keeps
 * every element it does not own.
 */
#include "shared/strv.h"
#include "plan/vm.h"

/* The whole <domain> of a new guest. Heap text; NULL on ENOMEM. */
char *domain_create(const struct host *h, const struct vm_request *rq, const struct vm_plan *p);

/* Largest domain XML edit reads. */
#define DOMAIN_XML_MAX (16u << 20)

/* What edit needs to know before planning: the domain's name, vCPU count and
 * memory (KiB). 0; -ENOMEM; -EINVAL with err (ERROR_FAILED), which the
 * caller puts after the domain's file or name. */
int domain_peek(const char *xml, char **name, unsigned *vcpus, uint64_t *memory_kb, struct error *err);

/* The domain xml changed for the plan. *before is xml as libxml2 writes it
 * (for the diff), *after the new text; changes lists what was done, in
 * words. 0; -ENOMEM; -EINVAL with err (ERROR_FAILED: not a domain, not
 * well-formed). */
int domain_edit(const char *xml, const struct host *h, const struct vm_request *rq, const struct vm_plan *p,
		char **before, char **after, struct strv *changes, struct error *err);
