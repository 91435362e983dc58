/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once
/*
 * The article's "Plain QEMU without libvirt": a POSIX sh launch script for
 * the guest. OVMF's code read-only first, then the guest's own copy of the
 * variable store; -device vfio-pci,host=... for every endpoint; the
 * in-kernel irqchip; -cpu host (kvm=off on request). Every value goes
 * through QEMU's comma escaping and then sh_quote. The script checks that
 * each device is on vfio-pci before it starts QEMU, and passes its own
 * arguments on to QEMU. The template is src/emit/scripts/qemu-launch.sh.in.
 */
#include "plan/vm.h"

/* Heap text; NULL on ENOMEM. */
char *qemu_script(const struct host *h, const struct vm_request *rq, const struct vm_plan *p);

/* s with every ',' doubled, as QEMU's option parser wants. Heap; NULL on ENOMEM. */
char *qemu_escape(const char *s);
