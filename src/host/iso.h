/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Whether an installer image boots under OVMF: an ISO 9660 image (ECMA-119)
 * with an El Torito boot catalog ("El Torito" Bootable CD-ROM Format
 * Specification 1.0) holding an entry for the EFI platform (0xEF, as UEFI
 * 2.x section 13.3.2.1 names it). OVMF boots nothing else from a CD: a
 * BIOS-only image gives "No bootable device". The parsers are pure, over a
 * buffer and its length; iso_read_boot() reads the two places they need.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "host/path.h"

#define ISO_SECTOR 2048u
/* The volume descriptor set starts at sector 16 (ECMA-119 6.2.1); vfiokit
 * reads this many descriptors at most. */
#define ISO_VD_FIRST 16u
#define ISO_VD_MAX 32u

/* In the volume descriptors (buf: from sector 16, len bytes), the boot
 * record of El Torito and its catalog's sector. 0; -ENOEXEC: no boot record
 * before the terminator or ISO_VD_MAX descriptors; -ENODATA: the buffer
 * ends first (a file cut short); -EINVAL: the first descriptor is not one
 * of ISO 9660 (no "CD001"). */
int iso_boot_catalog_lba(const uint8_t *buf, size_t len, uint32_t *lba);

enum { ISO_BOOT_BIOS = 1 << 0, ISO_BOOT_EFI = 1 << 1, ISO_BOOT_OTHER = 1 << 2 };
/* The platforms of the catalog's bootable entries (ISO_BOOT_*): the
 * validation entry's platform for the initial entry, each section header's
 * for its entries. -EINVAL when the validation entry is not one (header
 * 01, key 55 AA, checksum). */
int iso_catalog_platforms(const uint8_t *buf, size_t len, unsigned *platforms);

/* Read the file at rel (under the root) and judge it: *platforms as above.
 * -EINVAL: not ISO 9660, -ENOEXEC: no El Torito boot record, -EBADMSG: a
 * catalog that is not one, -ENODATA: the file ends among the volume
 * descriptors with no boot record read, or before the catalog's sector
 * does (past its end, or cut inside it), else the open's or read's -errno (-ENOENT:
 * absent). */
int iso_read_boot(struct path_root *r, const char *rel, unsigned *platforms);
