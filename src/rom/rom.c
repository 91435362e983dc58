/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Option ROM images, as the PCI Firmware Specification 3.0 lays them out and
 * as EDK2 (OVMF) checks them before loading an EFI driver from a ROM. All
 * fields are little-endian; every read goes through in_buf().
 */
#include "shared/macro.h"
#include "rom/rom.h"

#define HDR_PCIR_PTR 0x18
#define HDR_MIN 0x1A        /* through the PCIR pointer */
#define PCIR_MIN 0x18       /* through the indicator and the reserved word */
#define PCIR_REV3 0x1C      /* with max runtime length, config utility and DMTF CLP pointers */
#define NPDE_MIN 0x0B
#define MAX_DEVICE_LIST 256

static size_t min_size(size_t a, size_t b)
{
	return a < b ? a : b;
}

static bool in_buf(size_t len, size_t off, size_t n)
{
	return off <= len && n <= len - off;
}

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int problem(struct strv *s, char *msg)
{
	return strv_push_take(s, msg);
}

static void image_clear(struct rom_image *img)
{
	free(img->device_list);
	free(img->ovmf_problem);
	strv_clear(&img->problems);
}

void rom_free(struct rom *r)
{
	for (size_t i = 0; i < r->nimages; i++)
		image_clear(&r->images[i]);
	free(r->images);
	strv_clear(&r->problems);
	*r = (struct rom){ 0 };
}

/* A 55 AA whose pointer leads to a 4-byte aligned "PCIR" inside buf. */
static bool pcir_behind(const uint8_t *buf, size_t len, size_t off)
{
	uint16_t p;

	if (!in_buf(len, off, HDR_MIN) || buf[off] != 0x55 || buf[off + 1] != 0xAA)
		return false;
	p = le16(buf + off + HDR_PCIR_PTR);
	return p != 0 && p % 4 == 0 && in_buf(len, off + p, PCIR_MIN) && memcmp(buf + off + p, "PCIR", 4) == 0;
}

static int parse_image(const uint8_t *buf, size_t len, struct rom *r, size_t off, size_t *next);

/* How well the chain of images from off holds together (off has a PCIR):
 * 3 when every image has a PCIR, a length that fits the file and a correct
 * checksum, and the walk ends at one flagged last; 2 the same with a wrong
 * checksum; 1 otherwise. The walk is parse_image()'s own. */
static int chain_rank(const uint8_t *buf, size_t len, size_t off, int *rank)
{
	struct rom c = { .size = len };
	bool sums = true;
	size_t next;
	int k;

	*rank = 1;
	for (;;) {
		const struct rom_image *img;

		if ((k = parse_image(buf, len, &c, off, &next)) < 0)
			break;
		img = &c.images[c.nimages - 1];
		if (!img->has_pcir || img->length == 0 || !img->checksum_known)
			break;
		sums = sums && img->checksum == 0;
		if (next == 0) {
			if (img->last)
				*rank = sums ? 3 : 2;
			break;
		}
		if (c.nimages == ROM_MAX_IMAGES || !pcir_behind(buf, len, next))
			break;
		off = next;
	}
	rom_free(&c);
	return k < 0 ? k : 0;
}

/* Bytes before the first image hold whatever a flash tool put there, 55 AA
 * included: judged by chain_rank(), not by the first 55 AA that has a PCIR.
 * The best chain wins, the earliest among equals; so many candidates are
 * weighed at most. */
#define MAX_START_CANDIDATES 32

/* Where the first image starts: 0, or after a vendor header. */
static int find_start(const uint8_t *buf, size_t len, struct rom *r)
{
	size_t best = 0, tried = 0;
	int best_rank = 0, rank, k;

	if (len >= 2 && buf[0] == 0x55 && buf[1] == 0xAA)
		return 0;
	for (size_t i = 1; i + HDR_MIN <= len && tried < MAX_START_CANDIDATES && best_rank < 3; i++) {
		if (buf[i] != 0x55 || !pcir_behind(buf, len, i))
			continue;
		tried++;
		if ((k = chain_rank(buf, len, i, &rank)) < 0)
			return k;
		if (rank > best_rank)
			best = i, best_rank = rank;
	}
	if (best) {
		r->start = best;
		r->prefix = le16(buf + best + le16(buf + best + HDR_PCIR_PTR) + 4) == 0x10DE ? ROM_PREFIX_NVIDIA :
												 ROM_PREFIX_UNKNOWN;
		return problem(&r->problems, strdupf("%zu bytes (0x%zx) before the first image: a header that a "
						     "flash tool or ROM database added; the card and OVMF "
						     "need the ROM without it ('vfiokit rom strip')",
						     best, best));
	}
	r->end = 0;
	return problem(&r->problems,
		       strdup(len == 0 ? "the file is empty" :
					 "no option ROM image: no 55 AA signature with a PCI data structure"));
}

static int read_device_list(const uint8_t *buf, size_t lim, size_t at, struct rom_image *img)
{
	for (size_t n = 0; n < MAX_DEVICE_LIST; n++, at += 2) {
		uint16_t id;
		if (!in_buf(lim, at, 2))
			return problem(&img->problems, strdupf("the device list at 0x%zx runs past the image", at));
		id = le16(buf + at);
		if (id == 0)
			return 0;
		if (GROW(img->device_list, img->device_list_alloc, img->ndevice_list + 1) < 0)
			return -ENOMEM;
		img->device_list[img->ndevice_list++] = id;
	}
	return problem(&img->problems, strdupf("the device list has no end within %d entries", MAX_DEVICE_LIST));
}

static int check_efi(const uint8_t *buf, size_t len, struct rom_image *img)
{
	const uint8_t *h = buf + img->offset;
	const struct rom_efi *e = &img->efi;
	const char *mach;
	size_t init;
	char *why = NULL;

	img->efi = (struct rom_efi){ le16(h + 2), le32(h + 4), le16(h + 8), le16(h + 0x0A), le16(h + 0x0C), le16(h + 0x16) };
	img->has_efi_header = true;
	init = (size_t)e->init_size * 512;
	mach = rom_efi_machine_name(e->machine);
	if (e->signature != ROM_EFI_SIGNATURE)
		why = strdupf("the EFI signature is 0x%x, not 0x0ef1", e->signature);
	else if (e->subsystem != 11 && e->subsystem != 12)
		why = strdupf("subsystem %u is not a driver: OVMF loads boot-service (11) and runtime (12) drivers",
			      e->subsystem);
	else if (e->machine != ROM_EFI_MACHINE_X64)
		why = mach ? strdupf("machine type %s (0x%04x): OVMF on x86-64 runs x64 code", mach, e->machine) :
			     strdupf("machine type 0x%04x: OVMF on x86-64 runs x64 code", e->machine);
	else if (e->compression > 1)
		why = strdupf("compression type %u is unknown (0 none, 1 EFI compression)", e->compression);
	else if (init == 0 || init > img->length)
		why = strdupf("the initialization size (%zu bytes) is %s the image length (%zu bytes)", init,
			      init == 0 ? "0, not" : "beyond", img->length);
	else if (e->image_offset >= init)
		why = strdupf("the EFI image offset 0x%x is outside the initialization size (%zu bytes)",
			      e->image_offset, init);
	else if (img->available < img->length)
		why = strdup("the image is truncated");
	else if (e->compression == 0 && (!in_buf(len, img->offset + e->image_offset, 2) ||
					 memcmp(h + e->image_offset, "MZ", 2) != 0))
		why = strdupf("no PE image (MZ) at the EFI image offset 0x%x", e->image_offset);
	else {
		img->ovmf_loadable = true;
		return 0;
	}
	if (!why)
		return -ENOMEM;
	img->ovmf_problem = why;
	return 0;
}

/* Parse the image at off; *next is where the chain goes on, 0 to stop. */
static int parse_image(const uint8_t *buf, size_t len, struct rom *r, size_t off, size_t *next)
{
	struct rom_image *img;
	const uint8_t *h = buf + off, *p;
	size_t pcir, units;
	int k = 0;

	*next = 0;
	if (GROW(r->images, r->images_alloc, r->nimages + 1) < 0)
		return -ENOMEM;
	img = &r->images[r->nimages++];
	*img = (struct rom_image){ .offset = off, .available = len - off };
	if (in_buf(len, off, 3))
		img->legacy_size = h[2];
	if (!in_buf(len, off, HDR_MIN)) {
		r->truncated = true;
		return problem(&img->problems, strdupf("truncated: the file ends inside the image header (%zu of %d bytes)",
						       len - off, HDR_MIN));
	}
	img->pcir_offset = le16(h + HDR_PCIR_PTR);
	pcir = off + img->pcir_offset;
	if (img->pcir_offset == 0 || !in_buf(len, pcir, 4) || memcmp(buf + pcir, "PCIR", 4) != 0) {
		/* An ISA-style ROM: its length is the header's, and it has no successor. */
		img->length = (size_t)img->legacy_size * 512;
		img->last = true;
		k = problem(&img->problems,
			    img->pcir_offset && !in_buf(len, pcir, 4) ?
				    strdupf("the PCI data structure pointer 0x%x leads past the end of the file",
					    img->pcir_offset) :
				    strdupf("no PCI data structure%s: an ISA-style ROM, %u x 512 bytes by its header",
					    img->pcir_offset ? " at its pointer" : "", img->legacy_size));
		img->pcir_offset = 0;
		goto length;
	}
	img->has_pcir = true;
	if (!in_buf(len, pcir, PCIR_MIN)) {
		r->truncated = true;
		return problem(&img->problems, strdup("truncated: the file ends inside the PCI data structure"));
	}
	p = buf + pcir;
	img->vendor = le16(p + 4);
	img->device = le16(p + 6);
	img->pcir_length = le16(p + 0x0A);
	img->pcir_revision = p[0x0C];
	img->class_code = (uint32_t)p[0x0F] << 16 | (uint32_t)p[0x0E] << 8 | p[0x0D];
	img->image_length = le16(p + 0x10);
	img->code_revision = le16(p + 0x12);
	img->code_type = p[0x14];
	img->indicator = p[0x15];
	img->is_efi = img->code_type == ROM_CODE_EFI;
	img->last = img->indicator & 0x80;
	if (img->indicator & 0x7F)
		k |= problem(&img->problems, strdupf("reserved bits set in the indicator (0x%02x): only bit 7, last "
						     "image, has a meaning", img->indicator));
	if (img->pcir_revision >= 3 && img->pcir_length >= PCIR_REV3 && in_buf(len, pcir, PCIR_REV3)) {
		img->has_rev3 = true;
		img->device_list_ptr = le16(p + 0x08);
		img->max_runtime_length = le16(p + 0x16);
		img->config_utility_ptr = le16(p + 0x18);
		img->dmtf_clp_ptr = le16(p + 0x1A);
	}
	/* NVIDIA: the NPDE after the PCIR (its end rounded up to 16) rules. */
	if (img->vendor == 0x10DE) {
		size_t npde = off + ((img->pcir_offset + (size_t)img->pcir_length + 15) & ~(size_t)15);
		if (in_buf(len, npde, NPDE_MIN) && memcmp(buf + npde, "NPDE", 4) == 0) {
			img->has_npde = true;
			img->npde_image_length = le16(buf + npde + 8);
			img->npde_last = buf[npde + 0x0A];
			img->last = img->npde_last & 0x80;
		}
	}
	units = img->has_npde && img->npde_image_length ? img->npde_image_length : img->image_length;
	img->length = units * 512;
	if (img->has_rev3 && img->device_list_ptr && (k = read_device_list(buf, min_size(len, off + img->length),
									    pcir + img->device_list_ptr, img)) < 0)
		return k;
	if (img->pcir_offset >= img->length || (size_t)img->pcir_offset + img->pcir_length > img->length)
		k |= problem(&img->problems, strdupf("the PCI data structure (0x%x, %u bytes) lies outside the image",
						     img->pcir_offset, img->pcir_length));
length:
	if (k < 0)
		return -ENOMEM;
	if (img->length == 0) {
		img->last = true;
		return problem(&img->problems, strdup("image length 0: nothing follows it"));
	}
	if (img->length > len - off) {
		r->truncated = true;
		k = problem(&img->problems, strdupf("truncated: the image is %zu bytes, the file holds %zu of them",
						    img->length, len - off));
	} else {
		uint8_t sum = 0;
		img->available = img->length;
		for (size_t i = 0; i < img->length; i++)
			sum += h[i];
		img->checksum = sum;
		img->checksum_known = true;
		if (sum)
			k = problem(&img->problems, strdupf("checksum: its bytes add up to 0x%02x, not 0 (the BIOS "
							    "rejects it)", sum));
	}
	if (k < 0)
		return -ENOMEM;
	if (img->is_efi && (k = check_efi(buf, len, img)) < 0)
		return k;
	if (!img->last && img->length <= len - off)
		*next = off + img->length;
	return 0;
}

static void vendor_marks(const uint8_t *buf, size_t len, struct rom *r)
{
	size_t s = r->start;

	if (in_buf(len, s + 0x0E, 5) && memcmp(buf + s + 0x0E, "VIDEO", 5) == 0)
		r->mark = ROM_MARK_NVIDIA;
	else if (in_buf(len, s + 0x30, 10) && memcmp(buf + s + 0x30, " 761295520", 10) == 0 && in_buf(len, s + 0x48, 2)) {
		size_t atom = s + le16(buf + s + 0x48) + 4;
		if (in_buf(len, atom, 4) && (memcmp(buf + atom, "ATOM", 4) == 0 || memcmp(buf + atom, "MOTA", 4) == 0))
			r->mark = ROM_MARK_AMD;
	}
}

int rom_parse(const uint8_t *buf, size_t len, struct rom *ret)
{
	struct rom r = { .size = len };
	size_t off, next;
	int k;

	if ((k = find_start(buf, len, &r)) < 0)
		goto fail;
	if (r.start == 0 && !(len >= 2 && buf[0] == 0x55 && buf[1] == 0xAA)) {
		*ret = r; /* no image */
		return 0;
	}
	vendor_marks(buf, len, &r);
	for (off = r.start;; off = next) {
		if ((k = parse_image(buf, len, &r, off, &next)) < 0)
			goto fail;
		if (next == 0)
			break;
		if (r.nimages == ROM_MAX_IMAGES) {
			k = problem(&r.problems, strdupf("more than %d images: the walk stops here", ROM_MAX_IMAGES));
			break;
		}
		if (next == len) {
			k = problem(&r.problems, strdupf("no image is flagged last: the file ends after image %zu",
							 r.nimages - 1));
			break;
		}
		if (!in_buf(len, next, 2)) {
			r.truncated = true;
			k = problem(&r.problems, strdupf("truncated: image %zu is not flagged last, and the file ends "
							 "%zu byte into the next one", r.nimages - 1, len - next));
			break;
		}
		if (buf[next] != 0x55 || buf[next + 1] != 0xAA) {
			k = problem(&r.problems, strdupf("image %zu is not flagged last, but at 0x%zx, where the next "
							 "should start, there is no 55 AA signature",
							 r.nimages - 1, next));
			break;
		}
	}
	if (k < 0)
		goto fail;
	{
		const struct rom_image *last = &r.images[r.nimages - 1];
		/* An image of length 0 ends the walk, but not as a chain: what
		 * follows its offset is itself, not another ROM. */
		r.chain_complete = last->last && !r.truncated && last->length > 0;
		r.end = min_size(len, last->offset + last->length);
	}
	if (r.chain_complete && r.end < len) {
		size_t data = 0;
		for (size_t i = r.end; i < len; i++)
			data += buf[i] != 0xFF && buf[i] != 0x00;
		if (pcir_behind(buf, len, r.end))
			k = problem(&r.problems, strdupf("another ROM begins at 0x%zx, after the image flagged last: "
							 "neither the kernel nor OVMF will see it", r.end));
		else if (data)
			k = problem(&r.problems, strdupf("%zu bytes after the last image, not padding: ignored",
							 len - r.end));
		if (k < 0)
			goto fail;
	}
	*ret = r;
	return 0;
fail:
	rom_free(&r);
	return -ENOMEM;
}

const struct rom_image *rom_uefi_image(const struct rom *r, const char **why)
{
	const struct rom_image *efi = NULL;

	for (size_t i = 0; i < r->nimages; i++) {
		if (r->images[i].ovmf_loadable)
			return &r->images[i];
		if (r->images[i].is_efi && !efi)
			efi = &r->images[i];
	}
	if (r->nimages == 0)
		*why = "no option ROM image";
	else if (!efi)
		*why = "no EFI image (code type 3): OVMF cannot run this ROM; for a GPU that means no picture until "
		       "the guest's driver loads, and a guest that may fail with Code 43 (the article)";
	else if (!efi->has_efi_header)
		*why = "the EFI image is truncated before its header";
	else
		*why = efi->ovmf_problem;
	return NULL;
}

bool rom_uefi_ready(const struct rom *r, const char **why)
{
	if (!rom_uefi_image(r, why))
		return false;
	if (r->start) {
		*why = "a vendor header comes before the first image, and OVMF, QEMU's romfile and the card "
		       "all look for it at offset 0: strip the header first ('vfiokit rom strip')";
		return false;
	}
	return true;
}

bool rom_matches(const struct rom *r, uint16_t vendor, uint16_t device)
{
	for (size_t i = 0; i < r->nimages; i++) {
		const struct rom_image *img = &r->images[i];
		if (!img->has_pcir || img->vendor != vendor)
			continue;
		if (img->device == device)
			return true;
		for (size_t j = 0; j < img->ndevice_list; j++)
			if (img->device_list[j] == device)
				return true;
	}
	return false;
}

const char *rom_code_type_name(uint8_t type)
{
	static const char *const names[] = { "x86 PC-AT", "Open Firmware", "PA-RISC", "EFI" };

	return type < ARRAY_SIZE(names) ? names[type] : NULL;
}

const char *rom_efi_machine_name(uint16_t machine)
{
	static const struct {
		uint16_t id;
		const char *name;
	} m[] = {
		{ 0x014C, "IA-32" },   { 0x0200, "Itanium" },    { 0x8664, "x64" },        { 0xAA64, "AArch64" },
		{ 0x0EBC, "EBC" },     { 0x01C2, "ARM Thumb" },  { 0x5032, "RISC-V 32" }, { 0x5064, "RISC-V 64" },
		{ 0x5128, "RISC-V 128" }, { 0x6264, "LoongArch64" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(m); i++)
		if (m[i].id == machine)
			return m[i].name;
	return NULL;
}

const char *rom_efi_subsystem_name(uint16_t subsystem)
{
	switch (subsystem) {
	case 10:
		return "application";
	case 11:
		return "boot-service driver";
	case 12:
		return "runtime driver";
	}
	return NULL;
}

const char *rom_efi_compression_name(uint16_t compression)
{
	return compression == 0 ? "none" : compression == 1 ? "EFI compression" : NULL;
}

const char *rom_prefix_name(enum rom_prefix_kind k)
{
	static const char *const names[] = { "none", "nvidia", "unknown" };

	return names[k];
}

const char *rom_mark_name(enum rom_vendor_mark m)
{
	static const char *const names[] = { NULL, "nvidia", "amd" };

	return names[m];
}
