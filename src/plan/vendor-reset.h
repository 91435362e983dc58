/* SPDX-License-Identifier: GPL-2.0-or-later */
/* AMD GPUs that do not come back from a reset without the vendor-reset
 * module (the article's "AMD reset bug"): the device IDs vendor-reset
 * handles, one table for check and doctor. */
#pragma once

#include <stdint.h>

/* The family ("Polaris 10", "Vega 10", "Navi 14"...) when vendor:device is
 * in the table, else NULL. */
const char *vendor_reset_family(uint16_t vendor, uint16_t device);
