/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness: inventory documents (export --from, verify --against).
 * What parses must write back to a document that parses to the same text,
 * and every export of it must render or refuse, never crash. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "emit/inventory.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct inventory inv, again;
	struct error err = { 0 };
	char *text = NULL, *text2 = NULL;

	if (inventory_parse((const char *)data, size, &inv, &err) < 0) {
		error_clear(&err);
		return 0;
	}
	if (inventory_to_json(&inv, &text) == 0) {
		if (inventory_parse(text, strlen(text), &again, &err) < 0)
			abort(); /* what vfiokit writes, it reads */
		if (inventory_to_json(&again, &text2) == 0 && strcmp(text, text2) != 0)
			abort();
		inventory_clear(&again);
	}
	for (int f = 0; f < _EXPORT_MAX && inv.ndevs; f++) {
		const struct inventory *one = &inv;
		int group = inv.devs[0].group;
		struct export_request req = { .format = (enum export_format)f, .devices = &inv.devs[0].a, .ndevices = 1,
					      .groups = &group, .ngroups = group >= 0 };
		char *out = NULL;
		struct error why = { 0 };
		export_render(&one, 1, &req, &out, &why);
		free(out);
		error_clear(&why);
	}
	free(text);
	free(text2);
	inventory_clear(&inv);
	return 0;
}
