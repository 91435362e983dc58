/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A host inventory (docs/inventory.md, schema "vfiokit.inventory/1"): what
 * exports and `verify --against` need of a host, built from the host model
 * or parsed from a document another run wrote (json-c, over a buffer: plan
 * opens no file). Exports and drift work on this one shape either way.
 */
#pragma once

#include "host/host.h"
#include "shared/error.h"

#define INVENTORY_SCHEMA "vfiokit.inventory/1"
/* A document larger than this is refused before parsing. */
#define INVENTORY_MAX_SIZE (16u << 20)
/* Nor more devices or groups than this (a host has some hundreds; the
 * checks for duplicates are quadratic). */
#define INVENTORY_MAX_DEVICES 4096u

struct inv_device {
	char addr[PCI_ADDR_STRLEN];
	struct pci_addr a;
	uint16_t vendor, device, subvendor, subdevice;
	bool has_subsys;
	uint32_t class;
	char *vendor_name, *device_name, *class_name; /* NULL unknown */
	char *driver;                                 /* NULL: none */
	int group;                                    /* -1: none */
	char *role;                                   /* endpoint, bridge, root-port, host-bridge */
	char *reset;                                  /* reset methods "flr bus"; NULL: none said */
	bool has_reset;
	struct strv host_use; /* "display: fb0 (...)" */
	char *bound_from;     /* the driver `vfiokit bind` took it from; NULL: not moved */
	int numa_node;        /* -1 none */
	char *slot, *label;   /* NULL none */
	char *topology;       /* "0000:00/01.0/00.0": root bus, then device.function down to it */
	char *link_speed;     /* NULL unknown */
	int link_width;       /* -1 unknown */
};

struct inv_group {
	int number;
	char *verdict;       /* group_verdict_name() */
	struct strv devices; /* addresses */
	struct strv missing; /* listed, absent from /sys/bus/pci */
};

struct inventory {
	char *hostname; /* NULL unknown */
	/* "mount: /proc/self/mountinfo: a directory": each kind of host use
	 * that could not be read; an export refuses every device then. */
	struct strv use_unknown;
	char *kernel, *cmdline; /* NULL unknown */
	char *iommu_kind;       /* intel, amd, both, none, unread */
	bool groups_dir;
	int ir; /* interrupt remapping: 1, 0, -1 unknown */
	char *cpu_vendor, *cpu_model;
	int cpus_online, cores, l3_domains, numa_nodes, packages; /* -1 unknown */
	struct inv_device *devs;                                  /* by address */
	size_t ndevs;
	struct inv_group *groups; /* by number */
	size_t ngroups;
};

/* From the host model (PCI, NAMES, SYSTEM, USAGE, TOPOLOGY). 0 or -ENOMEM. */
int inventory_from_host(const struct host *h, struct inventory *ret);
/* Parse a document: 0; -EINVAL with err (ERROR_FAILED) saying what is wrong
 * ("schema is vfiokit.inventory/2, this vfiokit reads vfiokit.inventory/1"),
 * which the caller puts after the file's name; -ENOMEM. */
int inventory_parse(const char *buf, size_t len, struct inventory *ret, struct error *err);
void inventory_clear(struct inventory *inv);

const struct inv_device *inventory_find(const struct inventory *inv, const struct pci_addr *a);
const struct inv_device *inventory_find_topology(const struct inventory *inv, const char *topology);
const struct inv_group *inventory_find_group(const struct inventory *inv, int number);
