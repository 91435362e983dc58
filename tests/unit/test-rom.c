/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The option ROM parser on real ROMs from Debian packages (ipxe-qemu,
 * seabios, vgabios, qemu-system-data; make check installs them) and on
 * broken copies of them made here: truncated at every header boundary, a
 * bad PCIR pointer, length 0, a wrong checksum, a vendor header in front,
 * two ROMs end to end, and EFI headers OVMF would refuse. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "shared/macro.h"
#include "rom/rom.h"

#define EFI_E1000E "/usr/lib/ipxe/qemu/efi-e1000e.rom"
#define PXE_E1000E "/usr/lib/ipxe/qemu/pxe-e1000e.rom"
#define EFI_NE2K "/usr/lib/ipxe/qemu/efi-ne2k_pci.rom"
#define SEABIOS_STDVGA "/usr/share/seabios/vgabios-stdvga.bin"
#define VGABIOS_CIRRUS "/usr/share/vgabios/vgabios-cirrus.bin"
#define KVMVAPIC "/usr/share/qemu/kvmvapic.bin"
#define LINUXBOOT "/usr/share/qemu/linuxboot.bin"

struct file {
	uint8_t *buf;
	size_t len;
};

static struct file load(const char *path)
{
	struct file f = { 0 };
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		fail_msg("%s: %s (make check installs ipxe-qemu, seabios, vgabios and qemu-system-data)", path,
			 strerror(errno));
	assert_int_equal(read_fd_all(fd, 64u << 20, &f.buf, &f.len), 0);
	close(fd);
	return f;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

/* Make an image's bytes add up to 0 again, through its last byte. */
static void fix_checksum(uint8_t *img, size_t len)
{
	uint8_t sum = 0;

	for (size_t i = 0; i + 1 < len; i++)
		sum += img[i];
	img[len - 1] = (uint8_t)-sum;
}

static bool has_problem(const struct strv *s, const char *part)
{
	for (size_t i = 0; i < s->n; i++)
		if (strstr(s->v[i], part))
			return true;
	return false;
}

static void test_ipxe_efi(void **state)
{
	struct file f = load(EFI_E1000E);
	struct rom r;
	const struct rom_image *a, *b;
	const char *why = NULL;

	assert_int_equal(rom_parse(f.buf, f.len, &r), 0);
	assert_int_equal(r.start, 0);
	assert_int_equal(r.prefix, ROM_PREFIX_NONE);
	assert_int_equal(r.nimages, 2);
	assert_true(r.chain_complete);
	assert_false(r.truncated);
	assert_int_equal(r.problems.n, 0);
	a = &r.images[0];
	b = &r.images[1];
	/* Image 0: iPXE's PC-AT image, PCIR revision 3 with a device list. */
	assert_int_equal(a->offset, 0);
	assert_true(a->has_pcir);
	assert_int_equal(a->vendor, 0x8086);
	assert_int_equal(a->device, 0x10d3);
	assert_int_equal(a->class_code, 0x020000);
	assert_int_equal(a->code_type, ROM_CODE_PCAT);
	assert_int_equal(a->pcir_revision, 3);
	assert_true(a->has_rev3);
	assert_int_equal(a->ndevice_list, 1);
	assert_int_equal(a->device_list[0], 0x10d3);
	assert_false(a->last);
	assert_int_equal(a->length, (size_t)a->image_length * 512);
	assert_true(a->checksum_known);
	assert_int_equal(a->checksum, 0);
	assert_false(a->is_efi);
	assert_int_equal(a->problems.n, 0);
	/* Image 1: the EFI driver, right after image 0. */
	assert_int_equal(b->offset, a->length);
	assert_true(b->is_efi);
	assert_true(b->last);
	assert_int_equal(b->offset + b->length, f.len);
	assert_int_equal(b->checksum, 0);
	assert_true(b->has_efi_header);
	assert_int_equal(b->efi.signature, ROM_EFI_SIGNATURE);
	assert_int_equal(b->efi.subsystem, 11);
	assert_int_equal(b->efi.machine, ROM_EFI_MACHINE_X64);
	assert_int_equal(b->efi.compression, 0);
	assert_true(b->efi.image_offset < b->efi.init_size * 512u);
	assert_true(b->ovmf_loadable);
	assert_null(b->ovmf_problem);
	assert_ptr_equal(rom_uefi_image(&r, &why), b);
	assert_true(rom_uefi_ready(&r, &why));
	assert_true(rom_matches(&r, 0x8086, 0x10d3));
	assert_false(rom_matches(&r, 0x8086, 0x10d4));
	assert_false(rom_matches(&r, 0x10de, 0x10d3));
	assert_string_equal(rom_code_type_name(b->code_type), "EFI");
	assert_string_equal(rom_efi_machine_name(b->efi.machine), "x64");
	assert_string_equal(rom_efi_subsystem_name(b->efi.subsystem), "boot-service driver");
	rom_free(&r);
	free(f.buf);
}

static void test_ipxe_ids_differ(void **state)
{
	/* efi-ne2k_pci.rom: different IDs in its two images. */
	struct file f = load(EFI_NE2K);
	struct rom r;

	assert_int_equal(rom_parse(f.buf, f.len, &r), 0);
	assert_int_equal(r.nimages, 2);
	assert_int_equal(r.images[0].vendor, 0x0000);
	assert_int_equal(r.images[1].vendor, 0xfff3);
	assert_true(rom_matches(&r, 0xfff3, 0x0000));
	rom_free(&r);
	free(f.buf);
}

static void test_legacy_only(void **state)
{
	static const char *const files[] = { PXE_E1000E, SEABIOS_STDVGA, VGABIOS_CIRRUS };

	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		struct file f = load(files[i]);
		struct rom r;
		const char *why = NULL;

		assert_int_equal(rom_parse(f.buf, f.len, &r), 0);
		assert_int_equal(r.nimages, 1);
		assert_int_equal(r.images[0].code_type, ROM_CODE_PCAT);
		assert_true(r.images[0].last);
		assert_int_equal(r.images[0].checksum, 0);
		assert_null(rom_uefi_image(&r, &why));
		assert_non_null(strstr(why, "no EFI image"));
		rom_free(&r);
		free(f.buf);
	}
	/* seabios' stdvga keeps its PCIR far in (0x99dc in 1.16). */
	{
		struct file f = load(SEABIOS_STDVGA);
		struct rom r;
		assert_int_equal(rom_parse(f.buf, f.len, &r), 0);
		assert_true(r.images[0].pcir_offset > 0x1000);
		assert_int_equal(r.images[0].vendor, 0x1234);
		assert_int_equal(r.images[0].device, 0x1111);
		assert_int_equal(r.images[0].class_code, 0x030000);
		rom_free(&r);
		free(f.buf);
	}
}

static void test_isa_style(void **state)
{
	/* qemu-system-data's option ROMs: 55 AA but no PCIR. kvmvapic's
	 * pointer leads past the end of the file. */
	struct file f = load(KVMVAPIC), g = load(LINUXBOOT);
	struct rom r;

	assert_int_equal(rom_parse(f.buf, f.len, &r), 0);
	assert_int_equal(r.nimages, 1);
	assert_false(r.images[0].has_pcir);
	assert_true(has_problem(&r.images[0].problems, "leads past the end of the file"));
	rom_free(&r);
	assert_int_equal(rom_parse(g.buf, g.len, &r), 0);
	assert_int_equal(r.nimages, 1);
	assert_false(r.images[0].has_pcir);
	assert_int_equal(r.images[0].length, (size_t)g.buf[2] * 512);
	assert_true(has_problem(&r.images[0].problems, "ISA-style"));
	rom_free(&r);
	free(f.buf);
	free(g.buf);
}

/* Every prefix of the file, at and around each header boundary: no crash,
 * never UEFI-ready before the whole EFI image is there, truncation named. */
static void test_truncated(void **state)
{
	struct file f = load(EFI_E1000E);
	struct rom full;
	size_t cuts[64], n = 0;

	assert_int_equal(rom_parse(f.buf, f.len, &full), 0);
	for (size_t i = 0; i < full.nimages; i++) {
		const struct rom_image *img = &full.images[i];
		size_t o = img->offset, p = o + img->pcir_offset;
		size_t at[] = { o, o + 1, o + 2, o + 3, o + 0x18, o + 0x19, o + 0x1A, p, p + 4, p + 0x17, p + 0x18,
				p + 0x1B, p + 0x1C, o + 0x16, o + img->efi.image_offset, o + img->efi.image_offset + 1,
				o + img->length - 1 };
		for (size_t j = 0; j < ARRAY_SIZE(at) && n < ARRAY_SIZE(cuts); j++)
			cuts[n++] = at[j];
	}
	for (size_t i = 0; i < n; i++) {
		struct rom r;
		const char *why = NULL;
		size_t len = cuts[i];

		assert_true(len < f.len);
		assert_int_equal(rom_parse(f.buf, len, &r), 0);
		assert_null(rom_uefi_image(&r, &why));
		assert_false(r.chain_complete);
		if (len >= 2) {
			assert_true(r.nimages >= 1);
			assert_true(r.truncated || has_problem(&r.problems, "ends after image") ||
				    has_problem(&r.images[r.nimages - 1].problems, "truncated"));
		}
		rom_free(&r);
	}
	/* And every length up to 1 KiB. */
	for (size_t len = 0; len <= 1024; len++) {
		struct rom r;
		assert_int_equal(rom_parse(f.buf, len, &r), 0);
		rom_free(&r);
	}
	rom_free(&full);
	free(f.buf);
}

static void test_bad_pcir_pointer(void **state)
{
	struct file f = load(VGABIOS_CIRRUS);
	struct rom r;

	assert_true(f.len < 0xfffe);
	put16(f.buf + 0x18, 0xfffe); /* past the end */
	assert_int_equal(rom_parse(f.buf, f.len, &r), 0);
	assert_int_equal(r.nimages, 1);
	assert_false(r.images[0].has_pcir);
	assert_true(has_problem(&r.images[0].problems, "leads past the end"));
	rom_free(&r);
	put16(f.buf + 0x18, 0x40); /* inside, but no "PCIR" there */
	assert_int_equal(rom_parse(f.buf, f.len, &r), 0);
	assert_false(r.images[0].has_pcir);
	assert_true(has_problem(&r.images[0].problems, "no PCI data structure"));
	rom_free(&r);
	free(f.buf);
}

static void test_zero_length(void **state)
{
	struct file f = load(EFI_E1000E);
	size_t pcir = get16(f.buf + 0x18);
	struct rom r;
	const char *why;

	put16(f.buf + pcir + 0x10, 0);
	assert_int_equal(rom_parse(f.buf, f.len, &r), 0);
	assert_int_equal(r.nimages, 1); /* the walk cannot go on, and does not loop */
	assert_true(has_problem(&r.images[0].problems, "image length 0"));
	assert_null(rom_uefi_image(&r, &why));
	/* Not a chain that ended: nothing "begins after it" at its own offset. */
	assert_false(has_problem(&r.problems, "another ROM begins"));
	assert_false(r.chain_complete);
	rom_free(&r);
	free(f.buf);
}

static void test_checksum(void **state)
{
	struct file f = load(EFI_E1000E);
	struct rom r;

	f.buf[0x300] ^= 0x5a;
	assert_int_equal(rom_parse(f.buf, f.len, &r), 0);
	assert_int_equal(r.nimages, 2);
	assert_int_not_equal(r.images[0].checksum, 0);
	assert_true(has_problem(&r.images[0].problems, "checksum"));
	assert_int_equal(r.images[1].checksum, 0);
	rom_free(&r);
	free(f.buf);
}

static void test_vendor_header(void **state)
{
	/* A 1536-byte header (reported for NVIDIA dumps) and an odd one, in
	 * front of an image made NVIDIA's. */
	struct file f = load(SEABIOS_STDVGA);
	size_t pcir = get16(f.buf + 0x18), sizes[] = { 1536, 1000, 7 };

	put16(f.buf + pcir + 4, 0x10de);
	fix_checksum(f.buf, (size_t)get16(f.buf + pcir + 0x10) * 512);
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		size_t len = sizes[i] + f.len;
		uint8_t *b = malloc(len);
		struct rom r;
		const char *why = NULL;

		assert_non_null(b);
		memset(b, 0xa5, sizes[i]);
		b[0] = 'N';
		memcpy(b + sizes[i], f.buf, f.len);
		assert_int_equal(rom_parse(b, len, &r), 0);
		assert_int_equal(r.start, sizes[i]);
		assert_int_equal(r.prefix, ROM_PREFIX_NVIDIA);
		assert_int_equal(r.nimages, 1);
		assert_int_equal(r.images[0].offset, sizes[i]);
		assert_int_equal(r.images[0].checksum, 0);
		assert_true(has_problem(&r.problems, "before the first image"));
		assert_false(rom_uefi_ready(&r, &why));
		rom_free(&r);
		free(b);
	}
	free(f.buf);
}

static void test_header_before_efi(void **state)
{
	/* UEFI-capable, but not as the file is: the header must go first. */
	struct file f = load(EFI_E1000E);
	uint8_t *b = malloc(f.len + 512);
	struct rom r;
	const char *why = NULL;

	assert_non_null(b);
	memset(b, 0, 512);
	memcpy(b + 512, f.buf, f.len);
	assert_int_equal(rom_parse(b, f.len + 512, &r), 0);
	assert_int_equal(r.prefix, ROM_PREFIX_UNKNOWN);
	assert_int_equal(r.nimages, 2);
	assert_non_null(rom_uefi_image(&r, &why));
	assert_false(rom_uefi_ready(&r, &why));
	assert_non_null(strstr(why, "vendor header"));
	rom_free(&r);
	free(b);
	free(f.buf);
}

static void test_concatenated(void **state)
{
	struct file a = load(PXE_E1000E), b = load(EFI_E1000E);
	uint8_t *buf = malloc(a.len + b.len);
	struct rom r;
	const char *why;

	assert_non_null(buf);
	memcpy(buf, a.buf, a.len);
	memcpy(buf + a.len, b.buf, b.len);
	assert_int_equal(rom_parse(buf, a.len + b.len, &r), 0);
	assert_int_equal(r.nimages, 1); /* the first is flagged last: the walk ends */
	assert_int_equal(r.end, a.len);
	assert_true(has_problem(&r.problems, "another ROM begins"));
	assert_null(rom_uefi_image(&r, &why));
	rom_free(&r);
	free(buf);
	free(a.buf);
	free(b.buf);
}

/* Change one EFI header field of efi-e1000e's image 1; OVMF's verdict. */
static void efi_case2(size_t field, uint16_t value, size_t field2, uint16_t value2, const char *expect)
{
	struct file f = load(EFI_E1000E);
	struct rom r;
	const char *why = NULL;
	size_t img;

	assert_int_equal(rom_parse(f.buf, f.len, &r), 0);
	img = r.images[1].offset;
	rom_free(&r);
	put16(f.buf + img + field, value);
	if (field2)
		put16(f.buf + img + field2, value2);
	assert_int_equal(rom_parse(f.buf, f.len, &r), 0);
	assert_int_equal(r.nimages, 2);
	assert_true(r.images[1].is_efi);
	if (expect) {
		assert_false(r.images[1].ovmf_loadable);
		assert_null(rom_uefi_image(&r, &why));
		if (!strstr(why, expect))
			fail_msg("field 0x%zx = 0x%x: expected '%s', got '%s'", field, value, expect, why);
	} else
		assert_true(r.images[1].ovmf_loadable);
	rom_free(&r);
	free(f.buf);
}

static void efi_case(size_t field, uint16_t value, const char *expect)
{
	efi_case2(field, value, 0, 0, expect);
}

static void test_efi_checks(void **state)
{
	efi_case(0x04, 0x1234, "signature");
	efi_case(0x08, 10, "not a driver");
	efi_case(0x08, 12, NULL);             /* runtime driver: fine */
	efi_case(0x0A, 0xAA64, "AArch64");
	efi_case(0x0A, 0x014C, "IA-32");
	efi_case(0x0A, 0x0EBC, "EBC");
	efi_case(0x0C, 1, NULL);              /* EFI compression: OVMF decompresses it */
	efi_case(0x0C, 2, "compression type 2");
	efi_case(0x02, 0, "initialization size");
	efi_case(0x02, 0x7fff, "beyond the image length");
	efi_case2(0x02, 0x10, 0x16, 0x3000, "outside the initialization size"); /* 8 KiB, offset 12 KiB */
	efi_case(0x16, 0x0040, "no PE image");
}

/* Build a synthetic image: header, PCIR revision 3 at 0x1C, checksum. */
static void make_image(uint8_t *b, uint16_t vendor, uint16_t device, uint8_t type, uint16_t units, uint8_t ind)
{
	memset(b, 0, (size_t)units * 512);
	b[0] = 0x55;
	b[1] = 0xAA;
	b[2] = (uint8_t)units;
	put16(b + 0x18, 0x1C);
	memcpy(b + 0x1C, "PCIR", 4);
	put16(b + 0x1C + 4, vendor);
	put16(b + 0x1C + 6, device);
	put16(b + 0x1C + 0x0A, 0x1C);
	b[0x1C + 0x0C] = 3;
	b[0x1C + 0x0F] = 0x03; /* display */
	put16(b + 0x1C + 0x10, units);
	b[0x1C + 0x14] = type;
	b[0x1C + 0x15] = ind;
}

static void test_nvidia_npde(void **state)
{
	/* The PCIR of image 0 says "1 unit, last"; its NPDE says "2 units, not
	 * last": NVIDIA's walk goes on to the EFI image at 0x400. */
	uint8_t b[0x800];
	struct rom r;

	make_image(b, 0x10de, 0x1184, ROM_CODE_PCAT, 2, 0x80);
	put16(b + 0x1C + 0x10, 1);
	memcpy(b + 0x40, "NPDE", 4);
	put16(b + 0x48, 2);
	b[0x4A] = 0x00;
	memcpy(b + 0x0E, "VIDEO", 5);
	fix_checksum(b, 0x400);
	make_image(b + 0x400, 0x10de, 0x1184, ROM_CODE_EFI, 2, 0x80);
	memcpy(b + 0x440, "NPDE", 4);
	put16(b + 0x448, 2);
	b[0x44A] = 0x80;
	fix_checksum(b + 0x400, 0x400);
	assert_int_equal(rom_parse(b, sizeof(b), &r), 0);
	assert_int_equal(r.mark, ROM_MARK_NVIDIA);
	assert_int_equal(r.nimages, 2);
	assert_true(r.images[0].has_npde);
	assert_int_equal(r.images[0].length, 0x400);
	assert_false(r.images[0].last);
	assert_int_equal(r.images[1].offset, 0x400);
	assert_true(r.images[1].last);
	assert_true(r.chain_complete);
	rom_free(&r);
}

/* A synthetic image of length 0 (PCIR and header say 0 units), alone and
 * followed by padding. */
static void test_zero_length_synthetic(void **state)
{
	uint8_t b[1024];
	struct rom r;

	make_image(b, 0x1af4, 0x1050, ROM_CODE_PCAT, 1, 0x80);
	put16(b + 0x1C + 0x10, 0);
	b[2] = 0;
	memset(b + 512, 0xff, 512);
	assert_int_equal(rom_parse(b, sizeof(b), &r), 0);
	assert_int_equal(r.nimages, 1);
	assert_int_equal(r.images[0].length, 0);
	assert_true(has_problem(&r.images[0].problems, "image length 0"));
	assert_false(has_problem(&r.problems, "another ROM begins at 0x0"));
	assert_false(r.chain_complete);
	rom_free(&r);
}

/* A vendor header holding a 55 AA whose pointer leads to a "PCIR" of its
 * own, in front of a real ROM: the start is where the whole chain holds
 * together, not the first 55 AA. */
static void fake_in_header(void (*fake)(uint8_t *h), const char *what)
{
	struct file f = load(EFI_E1000E);
	size_t hdr = 1536, len = hdr + f.len;
	uint8_t *b = calloc(1, len);
	struct rom r;
	const char *why = NULL;

	assert_non_null(b);
	memset(b, 0xa5, hdr);
	memcpy(b, "NVGI", 4);
	fake(b + 0x100);
	memcpy(b + hdr, f.buf, f.len);
	assert_int_equal(rom_parse(b, len, &r), 0);
	if (r.start != hdr)
		fail_msg("%s: the first image was taken at 0x%zx, not 0x%zx", what, r.start, hdr);
	assert_int_equal(r.nimages, 2);
	assert_true(r.chain_complete);
	assert_int_equal(r.end, len);
	assert_int_equal(r.images[0].vendor, 0x8086);
	assert_true(has_problem(&r.problems, "1536 bytes (0x600) before the first image"));
	assert_non_null(rom_uefi_image(&r, &why));
	rom_free(&r);
	free(b);
	free(f.buf);
}

/* 55 AA, a pointer to a PCIR saying 1 unit and more to come, and no image
 * at the next 512 bytes. */
static void fake_unchained(uint8_t *h)
{
	h[0] = 0x55;
	h[1] = 0xAA;
	put16(h + 0x18, 0x20);
	memcpy(h + 0x20, "PCIR", 4);
	put16(h + 0x24, 0x10de);
	put16(h + 0x30, 1); /* image length */
	h[0x35] = 0x00;     /* not last */
}

/* The same, flagged last, whose 512 bytes do not add up to 0. */
static void fake_last_bad_sum(uint8_t *h)
{
	fake_unchained(h);
	h[0x35] = 0x80;
	h[0x40] = 1;
}

/* A PCIR of image length 0. */
static void fake_zero_length(uint8_t *h)
{
	fake_unchained(h);
	put16(h + 0x30, 0);
	h[0x35] = 0x80;
}

static void test_fake_signature_in_header(void **state)
{
	fake_in_header(fake_unchained, "a PCIR whose chain leads nowhere");
	fake_in_header(fake_last_bad_sum, "a last image with a wrong checksum");
	fake_in_header(fake_zero_length, "an image of length 0");
}

static void test_many_images(void **state)
{
	/* 200 one-unit images, none flagged last: the walk stops at the limit. */
	size_t n = 200;
	uint8_t *b = malloc(n * 512);
	struct rom r;

	assert_non_null(b);
	for (size_t i = 0; i < n; i++) {
		make_image(b + i * 512, 0x1002, 0x67df, ROM_CODE_PCAT, 1, 0);
		fix_checksum(b + i * 512, 512);
	}
	assert_int_equal(rom_parse(b, n * 512, &r), 0);
	assert_int_equal(r.nimages, ROM_MAX_IMAGES);
	assert_true(has_problem(&r.problems, "more than"));
	rom_free(&r);
	/* The same, short of the limit, and the file ends: named. */
	assert_int_equal(rom_parse(b, 3 * 512, &r), 0);
	assert_int_equal(r.nimages, 3);
	assert_true(has_problem(&r.problems, "no image is flagged last"));
	rom_free(&r);
	free(b);
}

static void test_no_image(void **state)
{
	static const uint8_t junk[] = "not a ROM at all, 55 AA";
	struct rom r;
	const char *why;

	assert_int_equal(rom_parse(junk, sizeof(junk), &r), 0);
	assert_int_equal(r.nimages, 0);
	assert_true(has_problem(&r.problems, "no option ROM image"));
	assert_null(rom_uefi_image(&r, &why));
	rom_free(&r);
	assert_int_equal(rom_parse(junk, 0, &r), 0);
	assert_true(has_problem(&r.problems, "empty"));
	rom_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipxe_efi),       cmocka_unit_test(test_ipxe_ids_differ),
		cmocka_unit_test(test_legacy_only),    cmocka_unit_test(test_isa_style),
		cmocka_unit_test(test_truncated),      cmocka_unit_test(test_bad_pcir_pointer),
		cmocka_unit_test(test_zero_length),    cmocka_unit_test(test_checksum),
		cmocka_unit_test(test_vendor_header),  cmocka_unit_test(test_concatenated),
		cmocka_unit_test(test_header_before_efi),
		cmocka_unit_test(test_efi_checks),     cmocka_unit_test(test_nvidia_npde),
		cmocka_unit_test(test_many_images),    cmocka_unit_test(test_no_image),
		cmocka_unit_test(test_zero_length_synthetic), cmocka_unit_test(test_fake_signature_in_header),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
