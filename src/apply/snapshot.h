/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Snapshots: copy what vfiokit read from a root into a new directory, so that
 * `--root` on that directory reproduces every command's output.
 *
 * The copy replays the root's access trace (path.h): files read are copied,
 * links are recreated with the same target, listed directories get their
 * entries (links as links, files as empty placeholders), and existence checks
 * get placeholders. Symlinks on the way to a path are recreated too, so
 * sysfs's relative links keep working. The large tables are copied only in the
 * lines vfiokit used: pci.ids (the devices present), modules.alias,
 * modules.dep and modules.builtin (the modules asked about or matched).
 * Nothing under the deny list (snapshot_denied()) is ever copied.
 */
#pragma once

#include "host/host.h"
#include "shared/error.h"

/* Copy into dest (an existing, empty directory). */
int snapshot_copy(struct host *h, const char *dest);
#define SNAPSHOT_LOG_MAX (16u << 20)
/* Copy the logs vfiokit doctor reads (log.h: LOG_KERNEL_REL, the kernel log
 * of this boot, and every guest's libvirt log in LOG_GUEST_DIR) into dest
 * (after snapshot_copy), each as a regular file of at most
 * SNAPSHOT_LOG_MAX bytes (a longer one's end), under the deny list. What
 * could not be copied or was cut goes to notes. 0 or -errno. */
int snapshot_copy_logs(struct host *h, const char *dest, struct strv *notes);
/* Paths a snapshot never takes, whatever the trace says. */
bool snapshot_denied(const char *rel);
/* Pack dest's contents as a gzip tarball into out_fd (a new, empty file):
 * 0, or -errno with err (ERROR_FAILED) saying how tar failed. */
int snapshot_pack(const char *dest, int out_fd, struct error *err);
