/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: QEMU firmware descriptors (JSON) as vfiokit vm reads them. */
#include <stdint.h>
#include <stdlib.h>

#include "host/firmware.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct firmware f;
	struct error err = { 0 };

	if (firmware_descriptor_parse((const char *)data, size, &f, &err) == 0) {
		/* A usable descriptor names absolute files. */
		if (!f.code || f.code[0] != '/' || !f.vars || f.vars[0] != '/')
			abort();
		firmware_clear(&f);
	}
	error_clear(&err);
	return 0;
}
