/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness for the El Torito parsers (src/host/iso.c), which read
 * an installer image the user names: any bytes as the volume descriptors
 * from sector 16 and as a boot catalog, each an exact-size copy so that
 * ASan catches a read past it. Seeds: tests/fuzz/seeds-iso. */
#include "host/iso.h"
#include "shared/macro.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(size ? size : 1);
	uint32_t lba = 0;
	unsigned platforms = 0;
	int k;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	k = iso_boot_catalog_lba(buf, size, &lba);
	if (k != 0 && k != -ENOEXEC && k != -EINVAL && k != -ENODATA)
		__builtin_trap();
	/* A boot record is only found in a whole descriptor. */
	if (k == 0 && size < ISO_SECTOR)
		__builtin_trap();
	k = iso_catalog_platforms(buf, size, &platforms);
	if ((k != 0 && k != -EINVAL) || (k == -EINVAL && platforms) ||
	    (platforms & ~(unsigned)(ISO_BOOT_BIOS | ISO_BOOT_EFI | ISO_BOOT_OTHER)))
		__builtin_trap();
	free(buf);
	return 0;
}
