/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once
/*
 * PCI option ROMs (a GPU's VBIOS, a NIC's boot ROM): the chain of images,
 * each a 0x55AA header, a PCI Data Structure ("PCIR") and, for EFI images,
 * the EFI header; what OVMF needs to load one. Pure: it parses a buffer and
 * never touches a file. Every offset is checked against the buffer; the
 * walk follows image lengths, so it ends after at most len / 512 images.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shared/strv.h"

/* Code types of the PCI Data Structure. */
enum {
	ROM_CODE_PCAT = 0x00,
	ROM_CODE_OPEN_FIRMWARE = 0x01,
	ROM_CODE_PARISC = 0x02,
	ROM_CODE_EFI = 0x03,
};

#define ROM_EFI_SIGNATURE 0x0EF1
#define ROM_EFI_MACHINE_X64 0x8664
#define ROM_MAX_IMAGES 128

struct rom_efi {
	uint16_t init_size;    /* 512-byte units */
	uint32_t signature;    /* 0x0EF1 */
	uint16_t subsystem;    /* 10 application, 11 boot-service driver, 12 runtime driver */
	uint16_t machine;      /* PE machine type: 0x8664 x64, 0x014C IA-32, 0xAA64 AArch64, ... */
	uint16_t compression;  /* 0 none, 1 EFI compression */
	uint16_t image_offset; /* of the PE image, from the image start */
};

struct rom_image {
	size_t offset;         /* from the start of the buffer */
	size_t length;         /* bytes the walk used: PCIR (or NPDE) length x 512 */
	size_t available;      /* bytes of it inside the buffer (< length: truncated) */
	uint8_t legacy_size;   /* byte 2 of the header: initialization size, 512-byte units */
	uint16_t pcir_offset;  /* from the image start; 0 when there is no PCIR */
	bool has_pcir;

	/* PCI Data Structure */
	uint16_t vendor, device;
	uint16_t device_list_ptr; /* revision 3: from the start of the PCIR */
	uint16_t *device_list;    /* the IDs there (0-terminated list, the 0 not kept) */
	size_t ndevice_list, device_list_alloc;
	uint16_t pcir_length;
	uint8_t pcir_revision;
	uint32_t class_code;
	uint16_t image_length;    /* 512-byte units, as the PCIR says */
	uint16_t code_revision;
	uint8_t code_type;
	uint8_t indicator;        /* bit 7: last image */
	bool has_rev3;            /* revision 3 fields present */
	uint16_t max_runtime_length, config_utility_ptr, dmtf_clp_ptr;
	bool last;                /* the flag the walk obeyed */

	/* NVIDIA's NPDE, when present: its length and last flag rule the walk. */
	bool has_npde;
	uint16_t npde_image_length; /* 512-byte units */
	uint8_t npde_last;

	uint8_t checksum;      /* sum of the image's bytes, mod 256: 0 when valid */
	bool checksum_known;   /* false when the image is truncated */

	bool is_efi;           /* code type 3 */
	bool has_efi_header;   /* the header fields could be read */
	struct rom_efi efi;
	bool ovmf_loadable;    /* passes every check OVMF makes before loading it on x64 */
	char *ovmf_problem;    /* the first check it fails, NULL when loadable */

	struct strv problems;  /* what is wrong with this image */
};

enum rom_prefix_kind {
	ROM_PREFIX_NONE,
	ROM_PREFIX_NVIDIA,  /* a flash tool's or database's header before an NVIDIA image */
	ROM_PREFIX_UNKNOWN, /* bytes before the first image, of no known vendor */
};

enum rom_vendor_mark {
	ROM_MARK_NONE,
	ROM_MARK_NVIDIA, /* "VIDEO" near 0x0E in the first image */
	ROM_MARK_AMD,    /* " 761295520" at 0x30 and an ATOM ROM header */
};

struct rom {
	size_t size;             /* of the buffer */
	size_t start;            /* offset of the first image (bytes before it: a vendor header) */
	enum rom_prefix_kind prefix;
	enum rom_vendor_mark mark;
	struct rom_image *images;
	size_t nimages, images_alloc;
	size_t end;              /* where the walk stopped: end of the last image, or the buffer */
	bool truncated;          /* an image runs past the end of the buffer */
	bool chain_complete;     /* the walk reached an image flagged last */
	struct strv problems;    /* about the whole chain */
};

/* Parse buf. Fails only with -ENOMEM: malformed input gives problems, and
 * nimages is 0 when no image was found. */
int rom_parse(const uint8_t *buf, size_t len, struct rom *ret);
void rom_free(struct rom *r);

/* The first image OVMF would load on x64, or NULL; *why says why none is,
 * when NULL (a static or rom-owned string). Ignores a vendor header. */
const struct rom_image *rom_uefi_image(const struct rom *r, const char **why);
/* UEFI-ready as the file is: an image OVMF loads, and no vendor header in
 * front (OVMF and the card look for the first image at offset 0). */
bool rom_uefi_ready(const struct rom *r, const char **why);
/* Whether an image is for vendor:device (its PCIR IDs or a revision-3
 * device list). */
bool rom_matches(const struct rom *r, uint16_t vendor, uint16_t device);

const char *rom_code_type_name(uint8_t type);       /* "x86 PC-AT", ..., NULL if unknown */
const char *rom_efi_machine_name(uint16_t machine); /* "x64", "IA-32", ..., NULL if unknown */
const char *rom_efi_subsystem_name(uint16_t subsystem);
const char *rom_efi_compression_name(uint16_t compression);
const char *rom_prefix_name(enum rom_prefix_kind k);
const char *rom_mark_name(enum rom_vendor_mark m);
