/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The inventory document, and the exports for the engines that run fleets
 * (shared/corpus NOTES: Nova, KubeVirt, HyperConverged, Proxmox VE, Incus). */
#pragma once

#include "plan/inventory.h"

/* The document (docs/inventory.md) as pretty JSON ending in a newline. 0 or -ENOMEM. */
int inventory_to_json(const struct inventory *inv, char **ret);

enum export_format {
	EXPORT_KUBEVIRT,
	EXPORT_HCO,
	EXPORT_NOVA,
	EXPORT_PROXMOX,
	EXPORT_INCUS,
	_EXPORT_MAX,
};

/* "kubevirt", "hco", "nova", "proxmox-mapping", "incus"; -EINVAL unknown. */
int export_format_from_name(const char *name);

/* What to export: groups and device addresses, each looked up on every host. */
struct export_request {
	enum export_format format;
	const int *groups;
	size_t ngroups;
	const struct pci_addr *devices;
	size_t ndevices;
	const char *name; /* proxmox mapping id / incus device name; NULL: made from the device name */
	const char *vm;   /* incus: the instance; NULL: "VM" */
};

/* The text for hosts invs[0..n) (one: that host's form; several: the
 * cluster-wide form). 0 with *ret; -EINVAL with err (ERROR_FAILED) saying
 * what the engine would get wrong or what is not there (one line each,
 * several joined by newlines), nothing in *ret; -ENOMEM. */
int export_render(const struct inventory *const *invs, size_t n, const struct export_request *req, char **ret,
		  struct error *err);
/* The resource name NVIDIA's kubevirt-gpu-device-plugin gives a device
 * name: upper case, '/', '.' and blanks to '_', others outside
 * [A-Za-z0-9_] dropped. NULL on ENOMEM. */
char *export_resource_name(const char *device_name);
