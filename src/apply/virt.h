/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once
/*
 * libvirt, through its C API: define a domain and read it back, read a
 * domain's XML, and ask which libvirt is on the other end. Any URI works:
 * qemu:///system, qemu+ssh://host/system for another machine, and
 * test:///default (libvirt's in-memory test driver) in the tests.
 * Credentials are asked for on the terminal when the URI needs them.
 */
#include <stdbool.h>

#include "shared/error.h"

struct virt;

/* 0, or -errno with err (ERROR_FAILED) holding libvirt's own message, or
 * saying that libvirt could not be loaded (-EOPNOTSUPP); -ENOMEM. The same
 * for the calls below. */
int virt_open(const char *uri, struct virt **ret, struct error *err);
void virt_close(struct virt *v);
/* libvirt's version on the other end, as major * 1000000 + minor * 1000 + micro. */
unsigned long virt_version(struct virt *v);
/* The inactive XML of domain name; -ENOENT when there is none. */
int virt_get_xml(struct virt *v, const char *name, char **xml, struct error *err);
/* Define xml (creating or replacing the persistent domain), then read back
 * what libvirt stored: *stored, *uuid (heap). */
int virt_define(struct virt *v, const char *xml, char **stored, char **uuid, struct error *err);
/* Remove a persistent domain that is not running, with its NVRAM file when
 * keep_nvram is false (undoing a define). */
int virt_undefine(struct virt *v, const char *name, bool keep_nvram, struct error *err);
/* Whether the libvirt network name exists (-ENOENT when not), runs
 * (*active) and starts with libvirt (*autostart); -EIO with err when
 * libvirt cannot tell. */
int virt_network_state(struct virt *v, const char *name, bool *active, bool *autostart, struct error *err);
/* The local libvirt library's version (for --xml without a connection) in
 * *ver, 0 when it does not say; -EOPNOTSUPP with err when libvirt could not
 * be loaded. */
int virt_local_version(unsigned long *ver, struct error *err);
