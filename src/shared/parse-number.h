/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one checked parser for numbers that come from the user or from a
 * document (options, libvirt XML): sizes with libvirt's units, counts and
 * versions. The whole string must be the number: no sign, no blanks, no
 * junk after it; a value that does not fit is -ERANGE, never wrapped or
 * clamped (strtoul turns "-1" into ULONG_MAX and "4294967297" into 1 once
 * cast to unsigned). Pure functions over strings.
 */
#pragma once

#include <stdint.h>

/* A non-negative integer no larger than max. base 10 or 16 (digits only,
 * no "0x"), or 0 as libvirt reads XML attributes (strtoul's rule: "0x" hex,
 * a leading 0 octal, else decimal). 0; -EINVAL (empty, not digits, junk
 * after them); -ERANGE (above max). */
int parse_u64(const char *s, int base, uint64_t max, uint64_t *ret);
int parse_unsigned(const char *s, int base, unsigned max, unsigned *ret);

/* The factor of a libvirt size unit (formatdomain, "Memory Allocation";
 * virScaleInteger): "b", "byte", "bytes" 1; "k", "KiB" 1024 and "KB" 1000,
 * the same for M, G, T, P, E: a letter alone or with "iB" is a power of
 * 1024, with "B" a power of 1000. Letters in any case. 0 or -EINVAL. */
int parse_size_unit(const char *unit, uint64_t *factor);

/* A size in bytes: digits, then nothing (bytes) or a unit as above, no
 * blank between ("16G", "8192MiB", "4GB"). 0; -EINVAL; -ERANGE when it
 * does not fit 64 bits. */
int parse_size(const char *s, uint64_t *ret);

/* value units of unit (NULL: default_unit) in bytes, at most max: libvirt's
 * <memory unit='G'>16</memory>. 0; -EINVAL (a bad number or unit); -ERANGE. */
int parse_size_in_unit(const char *value, const char *unit, const char *default_unit, uint64_t max,
		       uint64_t *ret);

/* "MAJOR.MINOR" or "MAJOR.MINOR.MICRO" (at most 1000.999.999), as libvirt
 * numbers its versions: major * 1,000,000 + minor * 1,000 + micro.
 * 0 or -EINVAL. */
int parse_version(const char *s, unsigned long *ret);
