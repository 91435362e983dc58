/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * For the unit tests that load a fixture host (tests/fixtures/hosts):
 * include after <cmocka.h> and "host.h".
 */
#pragma once

/* The index in h->pci of the device at addr, which must be there. */
static inline size_t fixture_dev(const struct host *h, const char *addr)
{
	struct pci_addr a;
	const struct pci_device *d;

	assert_int_equal(parse_pci_addr(addr, &a), 0);
	d = host_find_pci(h, &a);
	assert_non_null(d);
	return (size_t)(d - h->pci);
}
