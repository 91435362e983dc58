/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once
/* SHA-256 (FIPS 180-4) over a buffer: how the journal names and checks the
 * bytes of a copy, and how a binary file is shown in a diff. */
#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_SIZE 32
#define SHA256_HEX_SIZE (SHA256_DIGEST_SIZE * 2 + 1)

void sha256(const void *data, size_t len, uint8_t out[SHA256_DIGEST_SIZE]);
/* The digest as 64 lower-case hex digits and a NUL. */
void sha256_hex(const void *data, size_t len, char out[SHA256_HEX_SIZE]);
