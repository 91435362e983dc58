/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness for the option ROM parser (src/rom/rom.c): any bytes,
 * and what it reports must stay inside them. Seeds: the option ROMs Debian
 * ships (ipxe-qemu, seabios, vgabios, qemu-system-data), given as corpus
 * directories by `make fuzz`. */
#include "shared/macro.h"
#include "rom/rom.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A copy of exactly size bytes: ASan catches any read past it. */
	uint8_t *buf = malloc(size ? size : 1);
	struct rom r;
	const char *why = NULL;
	size_t prev_end = 0;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	if (rom_parse(buf, size, &r) < 0) {
		free(buf);
		return 0;
	}
	if (r.nimages > ROM_MAX_IMAGES || r.start > size || r.end > size)
		__builtin_trap();
	for (size_t i = 0; i < r.nimages; i++) {
		const struct rom_image *img = &r.images[i];
		/* Images follow each other, never overlap, start inside the buffer. */
		if (img->offset >= size || img->offset < prev_end || img->available > size - img->offset)
			__builtin_trap();
		if (img->checksum_known && img->length > size - img->offset)
			__builtin_trap();
		if (img->ovmf_loadable && (!img->is_efi || img->ovmf_problem || img->length > size - img->offset))
			__builtin_trap();
		prev_end = img->offset + img->length;
		(void)rom_code_type_name(img->code_type);
		(void)rom_efi_machine_name(img->efi.machine);
	}
	(void)rom_uefi_image(&r, &why);
	(void)rom_matches(&r, 0x10de, 0x1184);
	rom_free(&r);
	free(buf);
	return 0;
}
