/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: QEMU firmware descriptors (JSON) as vfiokit vm reads them. */
#include <stdint.h>
#include <stdlib.h>

#include "host/firmware.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct firmware f;
	char *err = NULL;
	bool usable;

	if (firmware_descriptor_parse((const char *)data, size, &f, &usable, &err) == 0 && usable) {
		/* A usable descriptor names absolute files. */
		if (!f.code || f.code[0] != '/' || !f.vars || f.vars[0] != '/')
			abort();
		firmware_clear(&f);
	}
	free(err);
	return 0;
}
