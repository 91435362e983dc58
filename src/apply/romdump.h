/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include "host/path.h"
#include "shared/error.h"

#define ROM_READ_MAX (64u << 20)

/* Read the option ROM of a PCI device through its sysfs rom file. On the
 * live machine: echo 1 > rom, read, and echo 0 > rom always, even when the
 * read fails, with SIGINT, SIGTERM, SIGHUP and SIGQUIT held in between. In an
 * offline root the file is a copy and is only read. Returns 0 or -errno;
 * err (ERROR_FAILED) says which step failed. */
int rom_read_device(struct path_root *root, const char *device, uint8_t **ret, size_t *len, struct error *err);
