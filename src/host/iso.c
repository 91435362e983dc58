/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <fcntl.h>
#include <unistd.h>

#include "host/iso.h"
#include "shared/macro.h"

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

int iso_boot_catalog_lba(const uint8_t *buf, size_t len, uint32_t *lba)
{
	/* El Torito 2.0: the boot record's system identifier, padded with NULs. */
	static const char torito[] = "EL TORITO SPECIFICATION";

	for (size_t i = 0; i < ISO_VD_MAX && len / ISO_SECTOR > i; i++) {
		const uint8_t *vd = buf + i * ISO_SECTOR;
		if (memcmp(vd + 1, "CD001", 5) != 0)
			return i == 0 ? -EINVAL : -ENOEXEC;
		if (vd[0] == 255) /* the set terminator */
			return -ENOEXEC;
		if (vd[0] != 0 || memcmp(vd + 7, torito, sizeof(torito) - 1) != 0)
			continue;
		/* Bytes 7-38 the identifier, 0x47 the catalog's sector. */
		for (size_t k = 7 + sizeof(torito) - 1; k < 39; k++)
			if (vd[k] != 0)
				goto next;
		*lba = le32(vd + 0x47);
		return 0;
next:;
	}
	/* The buffer ended before the set terminator: a file cut short among
	 * its descriptors (ISO_VD_MAX read without one: no boot record). */
	return len < ISO_SECTOR ? -EINVAL : len / ISO_SECTOR < ISO_VD_MAX ? -ENODATA : -ENOEXEC;
}

static unsigned platform_bit(uint8_t id)
{
	return id == 0x00 ? ISO_BOOT_BIOS : id == 0xef ? ISO_BOOT_EFI : ISO_BOOT_OTHER;
}

int iso_catalog_platforms(const uint8_t *buf, size_t len, unsigned *platforms)
{
	uint16_t sum = 0;
	size_t off;

	*platforms = 0;
	/* The validation entry (El Torito 2.1): header ID 01, the 16-bit
	 * words summing to 0, key bytes 55 AA. */
	if (len < 64 || buf[0] != 0x01 || buf[30] != 0x55 || buf[31] != 0xaa)
		return -EINVAL;
	for (size_t i = 0; i < 32; i += 2)
		sum = (uint16_t)(sum + le16(buf + i));
	if (sum != 0)
		return -EINVAL;
	/* The initial/default entry (2.2): 88 bootable. */
	if (buf[32] == 0x88)
		*platforms |= platform_bit(buf[1]);
	/* Section headers (2.3): 90 more follow, 91 the last; their entries
	 * (2.4) after each, extension entries (44) between them skipped. */
	for (off = 64; off + 32 <= len;) {
		const uint8_t *h = buf + off;
		uint16_t n;
		if (h[0] != 0x90 && h[0] != 0x91)
			break;
		n = le16(h + 2);
		off += 32;
		for (uint16_t e = 0; e < n && off + 32 <= len; off += 32) {
			if (buf[off] == 0x44)
				continue;
			if (buf[off] == 0x88)
				*platforms |= platform_bit(h[1]);
			e++;
		}
		if (h[0] == 0x91)
			break;
	}
	return 0;
}

static int read_at(int fd, uint64_t off, uint8_t *buf, size_t len, size_t *got)
{
	*got = 0;
	while (*got < len) {
		ssize_t n = pread(fd, buf + *got, len - *got, (off_t)(off + *got));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		*got += (size_t)n;
	}
	return 0;
}

int iso_read_boot(struct path_root *r, const char *rel, unsigned *platforms)
{
	_cleanup_free_ uint8_t *buf = malloc(ISO_VD_MAX * ISO_SECTOR);
	_cleanup_close_ int fd = -1;
	uint32_t lba;
	size_t got;
	int k;

	if (!buf)
		return -ENOMEM;
	fd = path_open_regular(r, rel);
	if (fd < 0)
		return fd;
	if ((k = read_at(fd, (uint64_t)ISO_VD_FIRST * ISO_SECTOR, buf, ISO_VD_MAX * ISO_SECTOR, &got)) < 0)
		return k;
	if ((k = iso_boot_catalog_lba(buf, got, &lba)) < 0)
		return k;
	/* The catalog: one sector holds the validation entry and 63 more. */
	if ((k = read_at(fd, (uint64_t)lba * ISO_SECTOR, buf, ISO_SECTOR, &got)) < 0)
		return k;
	/* Images are whole sectors: a catalog past the end, or cut, is a
	 * file cut short, whatever its first bytes say. */
	if (got < ISO_SECTOR)
		return -ENODATA;
	return iso_catalog_platforms(buf, got, platforms) < 0 ? -EBADMSG : 0;
}
