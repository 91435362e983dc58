/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stddef.h>

#include "shared/macro.h"
#include "plan/vendor-reset.h"

/* gnif/vendor-reset, src/device-db.h: the discrete GPUs of its Polaris,
 * Vega and Navi 10/12/14 entries (vendor 0x1002, PCI_VENDOR_ID_ATI). */
static const struct {
	uint16_t device;
	const char *family;
} amd_reset_bug[] = {
	{ 0x67c0, "Polaris 10" }, { 0x67c1, "Polaris 10" }, { 0x67c2, "Polaris 10" }, { 0x67c4, "Polaris 10" },
	{ 0x67c7, "Polaris 10" }, { 0x67c8, "Polaris 10" }, { 0x67c9, "Polaris 10" }, { 0x67ca, "Polaris 10" },
	{ 0x67cc, "Polaris 10" }, { 0x67cf, "Polaris 10" }, { 0x67d0, "Polaris 10" }, { 0x67df, "Polaris 10" },
	{ 0x6fdf, "Polaris 10" },
	{ 0x67e0, "Polaris 11" }, { 0x67e1, "Polaris 11" }, { 0x67e3, "Polaris 11" }, { 0x67e7, "Polaris 11" },
	{ 0x67e8, "Polaris 11" }, { 0x67e9, "Polaris 11" }, { 0x67eb, "Polaris 11" }, { 0x67ef, "Polaris 11" },
	{ 0x67ff, "Polaris 11" },
	{ 0x6980, "Polaris 12" }, { 0x6981, "Polaris 12" }, { 0x6985, "Polaris 12" }, { 0x6986, "Polaris 12" },
	{ 0x6987, "Polaris 12" }, { 0x6995, "Polaris 12" }, { 0x6997, "Polaris 12" }, { 0x699f, "Polaris 12" },
	{ 0x6860, "Vega 10" }, { 0x6861, "Vega 10" }, { 0x6862, "Vega 10" }, { 0x6863, "Vega 10" },
	{ 0x6864, "Vega 10" }, { 0x6867, "Vega 10" }, { 0x6868, "Vega 10" }, { 0x6869, "Vega 10" },
	{ 0x686a, "Vega 10" }, { 0x686b, "Vega 10" }, { 0x686c, "Vega 10" }, { 0x686d, "Vega 10" },
	{ 0x686e, "Vega 10" }, { 0x686f, "Vega 10" }, { 0x687f, "Vega 10" },
	{ 0x66a0, "Vega 20" }, { 0x66a1, "Vega 20" }, { 0x66a2, "Vega 20" }, { 0x66a3, "Vega 20" },
	{ 0x66a4, "Vega 20" }, { 0x66a7, "Vega 20" }, { 0x66af, "Vega 20" },
	{ 0x7310, "Navi 10" }, { 0x7312, "Navi 10" }, { 0x7318, "Navi 10" }, { 0x7319, "Navi 10" },
	{ 0x731a, "Navi 10" }, { 0x731b, "Navi 10" }, { 0x731e, "Navi 10" }, { 0x731f, "Navi 10" },
	{ 0x7340, "Navi 14" }, { 0x7341, "Navi 14" }, { 0x7347, "Navi 14" }, { 0x734f, "Navi 14" },
	{ 0x7360, "Navi 12" }, { 0x7362, "Navi 12" },
};

const char *vendor_reset_family(uint16_t vendor, uint16_t device)
{
	if (vendor != 0x1002)
		return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(amd_reset_bug); i++)
		if (amd_reset_bug[i].device == device)
			return amd_reset_bug[i].family;
	return NULL;
}
