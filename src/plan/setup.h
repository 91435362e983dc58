/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Boot-time isolation (the article's "Isolating the GPU" at boot): the
 * kernel parameters, /etc/modprobe.d/vfio.conf (ids and softdeps), the
 * initramfs configuration and the bootloader's command line, as the new
 * text of each file, with the commands that regenerate what boots. Pure:
 * reads the host model (HOST_LOAD_PCI | MODULES | SYSTEM | BOOT).
 *
 * The bootloaders and generators are the backends of src/plan/boot (one
 * file each): most edit files; kernelstub and rpm-ostree change the
 * command line by their own commands (exec, with the inverse in
 * exec_undo). What cannot be edited safely is said in manual.
 */
#pragma once

#include "host/host.h"
#include "plan/refuse.h"

/* Which IOMMU the parameters are for: the firmware's ACPI table says
 * (DMAR: Intel VT-d, IVRS: AMD-Vi), unless the user names it. */
enum setup_iommu { SETUP_IOMMU_DETECT, SETUP_IOMMU_INTEL, SETUP_IOMMU_AMD };
#include "plan/kparams.h"

struct setup_request {
	bool has_gpu;                /* false: the IOMMU step alone (the parameters, no device) */
	struct pci_addr gpu;
	const struct pci_addr *with; /* more devices for the guest */
	size_t nwith;
	bool include_group;          /* take a shared group whole */
	bool iommu_pt;               /* add iommu=pt */
	enum setup_iommu iommu;      /* --iommu intel|amd; DETECT: by the ACPI tables */
	bool no_kms_early;           /* leave the host GPU's driver out of the initramfs (encrypted root, 6.0+) */
	struct kparams_request tune; /* tuning at boot: isolcpus, huge pages, ignore_msrs */
};

struct setup_file {
	char *path;    /* root-relative */
	char *content; /* the whole new text */
	unsigned mode; /* 0644, or 0755 for scripts */
};

struct setup_plan {
	size_t *devs;           /* the devices for vfio-pci (indexes into host->pci) */
	size_t ndevs, devs_alloc;
	struct strv ids;        /* vendor:device */
	struct strv kept;       /* IDs earlier setups gave vfio-pci (vfio.conf, vfio-pci.ids=), kept beside ids */
	struct strv params;     /* kernel parameters to add */
	struct strv stale;      /* parameters to remove (amd_iommu=on on AMD), where some boot file has them */
	struct strv softdeps;   /* drivers that must wait for vfio-pci */
	struct strv modules;    /* for the initramfs, in order */
	struct setup_file *files;
	size_t nfiles, files_alloc;
	struct strv exec, exec_undo; /* changes made by commands (kernelstub, grubby, rpm-ostree), and their inverses */
	struct strv commands;   /* regenerate, in order */
	struct strv manual;     /* what the user must do by hand, and where */
	struct strv warnings;
	struct refusal_list refusals; /* refuse.c's, for devs; the caller decides which are lifted */
	bool by_address;        /* identical cards: the driver_override script, not ids= */
	bool iommu_only;        /* no device: the IOMMU parameters alone */
	bool groups_unknown;    /* the IOMMU is off: the devices by ID as named, groups judged by verify */
	enum setup_iommu iommu; /* INTEL or AMD: what the parameters were chosen for */
	bool iommu_named;       /* ... by --iommu, not by the firmware's table */
};

/* 0; -ENOMEM; -EINVAL with err (ERROR_FAILED): a refusal or bad input. */
int setup_plan_make(const struct host *h, const struct setup_request *rq, struct setup_plan *ret, struct error *err);
void setup_plan_free(struct setup_plan *p);
/* Only the tuning of rq (setup without --gpu, tune pin/hugepages --apply):
 * its parameters on every bootloader's command line, kvm.conf. */
int setup_tune_plan_make(const struct host *h, const struct kparams_request *rq, struct setup_plan *ret,
			 struct error *err);
