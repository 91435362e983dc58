/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A copy of a fixture machine in a temporary directory, and over it an
 * imitation of the kernel's PCI driver core for rebind_ops (apply/rebind.h):
 * driver_override stored, drivers/X/unbind removes the device's driver
 * link, drivers/X/bind makes it, drivers_probe makes it to the override (or,
 * without one, to what fake_probe_default says). The Nth operation fails
 * (fake_fires()). test-rebind.c and test-handover.c share it.
 */
#pragma once

#include <stdbool.h>

/* The copy (heap), its operations counted since the test set fake_ops to
 * 0, the one that fails (0: none) and with what -errno. */
extern char *fake_root;
extern long fake_ops, fake_fail_at;
extern int fake_fail_with;
/* drivers_probe without an override: the driver for dev ("": none, still
 * a success), or NULL for -ENODEV. NULL (the default): -ENODEV always. */
extern const char *(*fake_probe_default)(const char *dev);

/* A new copy of FIXTURES/host with vfio-pci loaded and /dev/vfio/GROUP. */
void fake_copy(const char *fixtures, const char *host, int group);
void fake_remove(void);
/* The path of rel in the copy (heap, asserted). */
char *fake_abs(const char *rel);
/* rel := text and a newline. */
void fake_write_text(const char *rel, const char *text);
/* rel made a symbolic link to target, or removed (target NULL). */
void fake_set_link(const char *rel, const char *target);
/* dev's driver link to driver ("": none). */
void fake_set_driver(const char *dev, const char *driver);
/* Counts an operation: true when it is the one to fail. */
bool fake_fires(void);
/* One write of the driver core (rel under sys/bus/pci, value as written,
 * its newline ignored): 0 or -errno, as the kernel would. Any other rel
 * fails the test. Counted by the caller (fake_fires()). */
int fake_pci_write(const char *rel, const char *value);
