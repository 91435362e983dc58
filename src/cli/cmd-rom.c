/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vfiokit rom: the article's "UEFI (OVMF) compatibility in VBIOS" - walk a
 * GPU's option ROM image by image, judge it for OVMF and for the card; dump
 * it from sysfs; strip a vendor header. */
#include <fcntl.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "shared/escape.h"
#include "rom/rom.h"
#include "apply/romdump.h"

enum {
	COL_NAME, COL_OFFSET, COL_TYPE, COL_ID, COL_CLASS, COL_LENGTH, COL_LAST, COL_CHECKSUM, COL_MACHINE, COL_OVMF,
	COL_SIZE, COL_START, COL_PREFIX, COL_MARK, COL_UEFI, COL_MATCH, COL_PCIR, COL_PCIRREV, COL_PCIRLEN,
	COL_CODEREV, COL_CODETYPE, COL_INDICATOR, COL_DEVLISTPTR, COL_DEVLIST, COL_RUNTIME, COL_CONFIG, COL_CLP, COL_NPDE,
	COL_LEGACYSIZE, COL_EFISIG, COL_SUBSYSTEM, COL_COMPRESSION, COL_INITSIZE, COL_EFIOFFSET, COL_PROBLEMS,
};

static const struct cli_column infos[] = {
	[COL_NAME] = { "NAME", 0.2, SCOLS_FL_TREE | SCOLS_FL_NOEXTREMES, SCOLS_JSON_STRING, "the ROM (file or device), then its images" },
	[COL_OFFSET] = { "OFFSET", 6, SCOLS_FL_RIGHT, SCOLS_JSON_STRING, "image: where it starts in the file" },
	[COL_TYPE] = { "TYPE", 0.1, 0, SCOLS_JSON_STRING, "image: code type (x86 PC-AT, Open Firmware, PA-RISC, EFI)" },
	[COL_ID] = { "ID", 9, 0, SCOLS_JSON_STRING, "image: vendor:device of its PCI data structure" },
	[COL_CLASS] = { "CLASS", 6, 0, SCOLS_JSON_STRING, "image: class code" },
	[COL_LENGTH] = { "LENGTH", 6, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "image: length in bytes" },
	[COL_LAST] = { "LAST", 3, 0, SCOLS_JSON_STRING, "image: flagged as the last image" },
	[COL_CHECKSUM] = { "CHECKSUM", 4, 0, SCOLS_JSON_STRING, "image: ok, or the sum its bytes add up to" },
	[COL_MACHINE] = { "MACHINE", 0.1, 0, SCOLS_JSON_STRING, "EFI image: machine type (x64, IA-32, AArch64, EBC, ...)" },
	[COL_OVMF] = { "OVMF", 0.1, 0, SCOLS_JSON_STRING, "EFI image: whether OVMF on x86-64 would load it" },
	[COL_SIZE] = { "SIZE", 6, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "ROM: size of the file in bytes" },
	[COL_START] = { "START", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "ROM: bytes before the first image (a vendor header)" },
	[COL_PREFIX] = { "PREFIX", 0.1, 0, SCOLS_JSON_STRING, "ROM: what the header before the first image is: nvidia, unknown" },
	[COL_MARK] = { "VENDOR", 0.1, 0, SCOLS_JSON_STRING, "ROM: vendor marks in the first image: nvidia, amd (ATOM)" },
	[COL_UEFI] = { "UEFI", 3, 0, SCOLS_JSON_STRING, "ROM: UEFI-ready for x64 OVMF" },
	[COL_MATCH] = { "MATCH", 3, 0, SCOLS_JSON_STRING, "ROM: made for the card (with an address or --for)" },
	[COL_PCIR] = { "PCIR", 6, SCOLS_FL_RIGHT, SCOLS_JSON_STRING, "image: offset of the PCI data structure in it" },
	[COL_PCIRREV] = { "PCIRREV", 2, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "image: revision of the PCI data structure" },
	[COL_PCIRLEN] = { "PCIRLEN", 2, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "image: length of the PCI data structure" },
	[COL_CODEREV] = { "CODEREV", 6, 0, SCOLS_JSON_STRING, "image: revision of its code" },
	[COL_CODETYPE] = { "CODETYPE", 4, 0, SCOLS_JSON_STRING, "image: code type as a number" },
	[COL_INDICATOR] = { "INDICATOR", 4, 0, SCOLS_JSON_STRING, "image: the indicator byte (bit 7: last)" },
	[COL_DEVLISTPTR] = { "DEVLISTPTR", 6, 0, SCOLS_JSON_STRING, "image: revision 3 device list pointer" },
	[COL_DEVLIST] = { "DEVLIST", 0.1, 0, SCOLS_JSON_ARRAY_STRING, "image: revision 3 device list: the IDs it also serves" },
	[COL_RUNTIME] = { "RUNTIME", 6, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "image: revision 3 max runtime length in bytes" },
	[COL_CONFIG] = { "CONFIG", 6, 0, SCOLS_JSON_STRING, "image: revision 3 configuration utility code header pointer" },
	[COL_CLP] = { "CLP", 6, 0, SCOLS_JSON_STRING, "image: revision 3 DMTF CLP entry point pointer" },
	[COL_NPDE] = { "NPDE", 0.1, 0, SCOLS_JSON_STRING, "image: NVIDIA's NPDE length and last flag, which rule the walk" },
	[COL_LEGACYSIZE] = { "INITLEGACY", 6, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "image: header byte 2, initialization size in bytes" },
	[COL_EFISIG] = { "EFISIG", 6, 0, SCOLS_JSON_STRING, "EFI image: signature (0x0ef1)" },
	[COL_SUBSYSTEM] = { "SUBSYSTEM", 0.1, 0, SCOLS_JSON_STRING, "EFI image: application, boot-service driver, runtime driver" },
	[COL_COMPRESSION] = { "COMPRESSION", 0.1, 0, SCOLS_JSON_STRING, "EFI image: none or EFI compression" },
	[COL_INITSIZE] = { "INITSIZE", 6, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "EFI image: initialization size in bytes" },
	[COL_EFIOFFSET] = { "EFIOFFSET", 6, 0, SCOLS_JSON_STRING, "EFI image: offset of the PE image" },
	[COL_PROBLEMS] = { "PROBLEMS", 0.3, SCOLS_FL_TRUNC, SCOLS_JSON_ARRAY_STRING, "what is wrong with the ROM or the image" },
};

static const int default_cols[] = { COL_NAME, COL_OFFSET, COL_TYPE, COL_ID, COL_CLASS, COL_LENGTH,
				    COL_LAST, COL_CHECKSUM, COL_MACHINE, COL_OVMF };

struct rom_opts {
	struct cli_table_opts t;
	const char *root, *for_addr, *output;
	struct cli_columns cols;
	bool explicit_cols;
};

struct rom_input {
	const char *name;     /* as given */
	char device[PCI_ADDR_STRLEN]; /* when read from a device */
	bool has_card;
	uint16_t vendor, device_id; /* the card it is meant for */
	char card[PCI_ADDR_STRLEN];
	uint8_t *buf;
	size_t len;
	struct rom rom;
};

static void help(void)
{
	fputs("Usage: vfiokit rom [OPTIONS] FILE|ADDR...\n"
	      "       vfiokit rom dump ADDR -o FILE\n"
	      "       vfiokit rom strip IN OUT\n"
	      "\n"
	      "Walk a GPU's option ROM (VBIOS) image by image, by each image's own length, and\n"
	      "judge it: UEFI-ready for x64 OVMF or not (the article's \"UEFI (OVMF) compatibility\n"
	      "in VBIOS\"), and made for the card or not. ADDR (0000:01:00.0) reads the card's ROM\n"
	      "through sysfs as root: echo 1 > rom, read, echo 0 > rom, always.\n"
	      "\n"
	      "  dump ADDR -o FILE   save the card's ROM to FILE (never overwritten), then judge it\n"
	      "  strip IN OUT        write IN without the header that flash tools and ROM\n"
	      "                      databases put before the first image (OUT never overwritten)\n"
	      "\n"
	      "Options:\n"
	      "      --for ADDR       the card the ROM file is meant for: compare its IDs\n"
	      "  -o, --output LIST    columns to print; +LIST adds to the default (dump: the file)\n"
	      "  -J, --json           JSON output, every column unless -o is given\n"
	      "  -r, --raw            raw output (no tree, no alignment)\n"
	      "  -n, --noheadings     no header line\n"
	      "      --root DIR       read devices from the machine copy in DIR\n"
	      "  -h, --help           this help\n"
	      "\n"
	      "Columns:\n",
	      stdout);
	cli_columns_help(&(struct cli_columns){ .info = infos, .ninfo = ARRAY_SIZE(infos) });
	fputs("\nExit status: 0 every ROM is UEFI-ready (and made for the card, when one is known),\n"
	      "1 one is not, or could not be read, 2 usage error. See vfiokit-rom(1).\n",
	      stdout);
}

static int read_file(const char *path, uint8_t **buf, size_t *len)
{
	_cleanup_close_ int fd = cli_open_regular(path);
	int k;

	if (fd < 0) {
		cli_error("%s: %s", path, fd == -PATH_ENOTREG || fd == -EISDIR ? "not a regular file" : strerror(-fd));
		return fd;
	}
	k = read_fd_all(fd, ROM_READ_MAX, buf, len);
	if (k == -EFBIG)
		cli_error("%s: larger than %u MiB, which no option ROM is; name the ROM itself ('vfiokit rom "
			  "dump ADDR -o FILE' "
			  "saves a card's)", path, ROM_READ_MAX >> 20);
	else if (k < 0)
		cli_error("%s: %s", path, strerror(-k));
	return k;
}

static char *hex_or(const char *name, unsigned v, int width)
{
	return name ? strdup(name) : strdupf("0x%0*x", width, v);
}

static int fill_image(struct libscols_table *tb, struct libscols_line *parent, const struct cli_columns *c,
		      const struct rom *r, size_t idx)
{
	const struct rom_image *img = &r->images[idx];
	struct libscols_line *ln = scols_table_new_line(tb, parent);
	_cleanup_free_ char *type = NULL, *probs = strv_join(&img->problems, "\n"), *devlist = NULL;
	int k = 0;

	if (!ln || !probs)
		return -ENOMEM;
	k |= cli_cellf(ln, c, COL_NAME, "image %zu", idx);
	k |= cli_cellf(ln, c, COL_OFFSET, "0x%zx", img->offset);
	k |= cli_cellf(ln, c, COL_LEGACYSIZE, "%u", img->legacy_size * 512u);
	if (img->length)
		k |= cli_cellf(ln, c, COL_LENGTH, "%zu", img->length);
	if (img->checksum_known)
		k |= img->checksum ? cli_cellf(ln, c, COL_CHECKSUM, "0x%02x", img->checksum) :
				     cli_cell(ln, c, COL_CHECKSUM, "ok");
	else if (img->length)
		k |= cli_cell(ln, c, COL_CHECKSUM, "truncated");
	if (img->has_pcir) {
		type = hex_or(rom_code_type_name(img->code_type), img->code_type, 2);
		if (!type)
			return -ENOMEM;
		k |= cli_cell(ln, c, COL_TYPE, type);
		k |= cli_cellf(ln, c, COL_ID, "%04x:%04x", img->vendor, img->device);
		k |= cli_cellf(ln, c, COL_CLASS, "%06x", img->class_code);
		k |= cli_cell(ln, c, COL_LAST, img->last ? "yes" : "no");
		k |= cli_cellf(ln, c, COL_PCIR, "0x%x", img->pcir_offset);
		k |= cli_cellf(ln, c, COL_PCIRREV, "%u", img->pcir_revision);
		k |= cli_cellf(ln, c, COL_PCIRLEN, "%u", img->pcir_length);
		k |= cli_cellf(ln, c, COL_CODEREV, "0x%04x", img->code_revision);
		k |= cli_cellf(ln, c, COL_CODETYPE, "0x%02x", img->code_type);
		k |= cli_cellf(ln, c, COL_INDICATOR, "0x%02x", img->indicator);
	} else
		k |= cli_cell(ln, c, COL_TYPE, "no PCIR");
	if (img->has_rev3) {
		struct strv d = { 0 };
		for (size_t i = 0; i < img->ndevice_list; i++)
			if (strv_push_take(&d, strdupf("%04x:%04x", img->vendor, img->device_list[i])) < 0) {
				strv_clear(&d);
				return -ENOMEM;
			}
		devlist = strv_join(&d, "\n");
		strv_clear(&d);
		if (!devlist)
			return -ENOMEM;
		k |= cli_cellf(ln, c, COL_DEVLISTPTR, "0x%x", img->device_list_ptr);
		if (img->ndevice_list)
			k |= cli_cell(ln, c, COL_DEVLIST, devlist);
		k |= cli_cellf(ln, c, COL_RUNTIME, "%u", img->max_runtime_length * 512u);
		k |= cli_cellf(ln, c, COL_CONFIG, "0x%x", img->config_utility_ptr);
		k |= cli_cellf(ln, c, COL_CLP, "0x%x", img->dmtf_clp_ptr);
	}
	if (img->has_npde)
		k |= cli_cellf(ln, c, COL_NPDE, "%u bytes, last %s", img->npde_image_length * 512u,
			       img->npde_last & 0x80 ? "yes" : "no");
	if (img->has_efi_header) {
		_cleanup_free_ char *mach = hex_or(rom_efi_machine_name(img->efi.machine), img->efi.machine, 4);
		_cleanup_free_ char *sub = hex_or(rom_efi_subsystem_name(img->efi.subsystem), img->efi.subsystem, 4);
		_cleanup_free_ char *comp = hex_or(rom_efi_compression_name(img->efi.compression), img->efi.compression, 4);
		if (!mach || !sub || !comp)
			return -ENOMEM;
		k |= cli_cell(ln, c, COL_MACHINE, mach);
		k |= cli_cell(ln, c, COL_SUBSYSTEM, sub);
		k |= cli_cell(ln, c, COL_COMPRESSION, comp);
		k |= cli_cellf(ln, c, COL_EFISIG, "0x%04x", img->efi.signature);
		k |= cli_cellf(ln, c, COL_INITSIZE, "%u", img->efi.init_size * 512u);
		k |= cli_cellf(ln, c, COL_EFIOFFSET, "0x%x", img->efi.image_offset);
	}
	if (img->is_efi)
		k |= cli_cell(ln, c, COL_OVMF, img->ovmf_loadable ? "loads" : "no");
	if (img->problems.n)
		k |= cli_cell(ln, c, COL_PROBLEMS, probs);
	return k ? -ENOMEM : 0;
}

static bool input_ok(const struct rom_input *in, const char **why)
{
	return rom_uefi_ready(&in->rom, why) && (!in->has_card || rom_matches(&in->rom, in->vendor, in->device_id));
}

static int fill_input(struct libscols_table *tb, const struct cli_columns *c, const struct rom_input *in)
{
	struct libscols_line *ln = scols_table_new_line(tb, NULL);
	_cleanup_free_ char *probs = strv_join(&in->rom.problems, "\n");
	const char *why;
	int k = 0;

	if (!ln || !probs)
		return -ENOMEM;
	k |= cli_cell(ln, c, COL_NAME, in->name);
	k |= cli_cellf(ln, c, COL_SIZE, "%zu", in->len);
	k |= cli_cellf(ln, c, COL_START, "%zu", in->rom.start);
	k |= cli_cell(ln, c, COL_PREFIX, rom_prefix_name(in->rom.prefix));
	k |= cli_cell(ln, c, COL_MARK, rom_mark_name(in->rom.mark));
	k |= cli_cell(ln, c, COL_UEFI, rom_uefi_ready(&in->rom, &why) ? "yes" : "no");
	if (in->has_card)
		k |= cli_cell(ln, c, COL_MATCH, rom_matches(&in->rom, in->vendor, in->device_id) ? "yes" : "no");
	if (in->rom.problems.n)
		k |= cli_cell(ln, c, COL_PROBLEMS, probs);
	if (k)
		return -ENOMEM;
	for (size_t i = 0; i < in->rom.nimages; i++)
		if (fill_image(tb, ln, c, &in->rom, i) < 0)
			return -ENOMEM;
	return 0;
}

/* After the table: the verdict and every problem, in words. */
static void print_verdict(const struct rom_input *in)
{
	const struct rom_image *efi;
	const char *why = NULL;
	char first_id[16] = "no ID";

	if (in->rom.nimages && in->rom.images[0].has_pcir)
		snprintf(first_id, sizeof(first_id), "%04x:%04x", in->rom.images[0].vendor, in->rom.images[0].device);
	_cleanup_free_ char *name = text_escape(in->name, NULL); /* a file name: any byte */

	printf("\n%s: ", name ? name : "?");
	efi = rom_uefi_image(&in->rom, &why);
	if (rom_uefi_ready(&in->rom, &why))
		printf("UEFI-ready for x64 OVMF: image %zu is an EFI %s for x64%s.\n", (size_t)(efi - in->rom.images),
		       strempty(rom_efi_subsystem_name(efi->efi.subsystem)),
		       efi->efi.compression ? ", EFI-compressed" : "");
	else if (efi)
		printf("not UEFI-ready as it is: %s; then image %zu, an EFI %s for x64, would load.\n", why,
		       (size_t)(efi - in->rom.images), strempty(rom_efi_subsystem_name(efi->efi.subsystem)));
	else
		printf("not UEFI-ready: %s.\n", why);
	if (in->has_card) {
		if (rom_matches(&in->rom, in->vendor, in->device_id))
			printf("  made for the card %s (%04x:%04x).\n", in->card, in->vendor, in->device_id);
		else
			printf("  NOT made for the card %s (%04x:%04x): the ROM is for %s; a ROM for another model can "
			       "leave the guest without a picture, and bricks a card it is flashed to.\n",
			       in->card, in->vendor, in->device_id, first_id);
	}
	for (size_t i = 0; i < in->rom.problems.n; i++)
		printf("  %s\n", in->rom.problems.v[i]);
	for (size_t i = 0; i < in->rom.nimages; i++)
		for (size_t j = 0; j < in->rom.images[i].problems.n; j++)
			printf("  image %zu: %s\n", i, in->rom.images[i].problems.v[j]);
	for (size_t i = 0; i < in->rom.nimages; i++)
		if (in->rom.images[i].ovmf_problem && in->rom.images[i].ovmf_problem != why)
			printf("  image %zu: OVMF would not load it: %s\n", i, in->rom.images[i].ovmf_problem);
}

/* The card an address names, from the host model. */
static int card_of(struct host *h, const char *addr, struct rom_input *in)
{
	struct pci_addr a;
	const struct pci_device *d;

	if (parse_pci_addr(addr, &a) < 0)
		return cli_usage_error("rom", "'%s' is not a PCI address like 0000:01:00.0", addr);
	d = host_find_pci(h, &a);
	if (!d) {
		format_pci_addr(&a, in->card);
		cli_error("there is no PCI device %s ('vfiokit groups' lists the devices)", in->card);
		return EXIT_PROBLEM;
	}
	in->has_card = true;
	in->vendor = d->vendor;
	in->device_id = d->device;
	memcpy(in->card, d->name, sizeof(in->card));
	return 0;
}

static void boot_vga_warning(const struct host *h, const char *dev)
{
	struct pci_addr a;
	const struct pci_device *d;

	if (parse_pci_addr(dev, &a) == 0 && (d = host_find_pci(h, &a)) && d->boot_vga == 1)
		fprintf(stderr,
			"vfiokit: warning: %s is the boot GPU: the kernel returns the copy of its ROM the firmware "
			"made at 0xC0000, which \"can then be freely modified\" (the article), usually without the EFI "
			"image. Make another GPU the boot GPU to dump the real ROM, or use the card maker's file.\n",
			d->name);
}

static int load_device(struct host *h, const char *addr, struct rom_input *in)
{
	_cleanup_error_ struct error err = { 0 };
	int k = card_of(h, addr, in);

	if (k)
		return k;
	memcpy(in->device, in->card, sizeof(in->device));
	if (cli_need_root(h->root) < 0)
		return EXIT_PROBLEM;
	boot_vga_warning(h, in->device);
	k = rom_read_device(h->root, in->device, &in->buf, &in->len, &err);
	if (k < 0)
		return cli_error_exit("rom", &err);
	return 0;
}

static int print_all(struct rom_input *ins, size_t n, const struct rom_opts *o)
{
	struct libscols_table *tb = cli_table_new(&o->cols, "roms", o->t.json, o->t.raw, o->t.noheadings);
	int r = EXIT_OK;

	if (!tb)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		if (fill_input(tb, &o->cols, &ins[i]) < 0) {
			scols_unref_table(tb);
			return -ENOMEM;
		}
	cli_print_table(tb);
	scols_unref_table(tb);
	for (size_t i = 0; i < n; i++) {
		const char *why;
		if (!o->t.json && !o->t.raw)
			print_verdict(&ins[i]);
		if (!input_ok(&ins[i], &why))
			r = EXIT_PROBLEM;
	}
	return r;
}

static int run_strip(struct rom_opts *o, char **args, size_t nargs)
{
	struct rom_input in = { 0 };
	size_t end;
	int r;

	if (nargs != 2)
		return cli_usage_error("rom", "strip takes two files: IN OUT");
	in.name = args[0];
	if (read_file(args[0], &in.buf, &in.len) < 0)
		return EXIT_PROBLEM;
	if (rom_parse(in.buf, in.len, &in.rom) < 0)
		goto oom;
	if (in.rom.nimages == 0) {
		cli_error("%s holds no option ROM image: nothing to keep ('vfiokit rom %s' shows what it holds)",
			  args[0], args[0]);
		r = EXIT_PROBLEM;
		goto out;
	}
	if (in.rom.start == 0) {
		cli_error("%s starts with its first image: there is no header to strip; use it as it is "
			  "('vfiokit rom %s' "
			  "judges it)",
			  args[0], args[0]);
		r = EXIT_PROBLEM;
		goto out;
	}
	/* The chain, or everything from the first image when it has no end. */
	end = in.rom.chain_complete ? in.rom.end : in.len;
	if (cli_write_new(args[1], in.buf + in.rom.start, end - in.rom.start, 0644) < 0) {
		r = EXIT_PROBLEM;
		goto out;
	}
	cli_error("wrote %s: %zu bytes from offset 0x%zx of %s (%zu header bytes left out)", args[1], end - in.rom.start,
		  in.rom.start, args[0], in.rom.start);
	rom_free(&in.rom);
	free(in.buf);
	in = (struct rom_input){ .name = args[1] };
	if (read_file(args[1], &in.buf, &in.len) < 0) {
		r = EXIT_PROBLEM;
		goto out;
	}
	if (rom_parse(in.buf, in.len, &in.rom) < 0)
		goto oom;
	r = print_all(&in, 1, o);
	if (r >= 0)
		goto out;
oom:
	cli_error("out of memory");
	r = EXIT_PROBLEM;
out:
	rom_free(&in.rom);
	free(in.buf);
	return r;
}

static int rom_opt_parse(void *target, int val, const char *arg, const char *cmd)
{
	struct rom_opts *o = target;

	(void)arg;
	(void)cmd;
	cli_table_option(val, &o->t);
	return 0;
}

static const struct option_spec rom_specs[] = {
	CLI_STRING("for", CLI_SV_ALL, struct rom_opts, for_addr),
	CLI_TABLE_SPECS(CLI_SV_ALL, CLI_SV_ALL),
	CLI_COMMON_SPECS(struct rom_opts, root),
};

static const struct cli_options rom_options = {
	"rom", NULL, 0, rom_specs, ARRAY_SIZE(rom_specs), rom_opt_parse, help,
};

int cmd_rom(int argc, char **argv)
{
	struct rom_opts o = { 0 };
	const char *action = NULL;
	struct path_root *root = NULL;
	struct host *h = NULL;
	struct rom_input *ins = NULL;
	char **args;
	size_t nargs, nins = 0;
	bool seen[CLI_OPTIONS_MAX];
	int r;

	r = cli_options_parse(&rom_options, "rom", argc, argv, &o, seen);
	if (r != 0)
		return r < 0 ? EXIT_OK : r;
	args = argv + optind;
	nargs = (size_t)(argc - optind);
	if (nargs && (streq(args[0], "dump") || streq(args[0], "strip"))) {
		action = args[0];
		args++;
		nargs--;
	}
	/* For dump, -o names the file; the columns stay the default. */
	if (action && streq(action, "dump")) {
		o.output = o.t.columns;
		o.t.columns = NULL;
		if (!o.output)
			return cli_usage_error("rom", "dump needs -o FILE");
		if (nargs != 1)
			return cli_usage_error("rom", "dump takes one device address");
	}
	if (o.t.columns || !o.t.json)
		cli_columns_init(&o.cols, infos, ARRAY_SIZE(infos), default_cols, ARRAY_SIZE(default_cols));
	else { /* JSON: everything */
		int all[ARRAY_SIZE(infos)];
		for (size_t i = 0; i < ARRAY_SIZE(infos); i++)
			all[i] = (int)i;
		cli_columns_init(&o.cols, infos, ARRAY_SIZE(infos), all, ARRAY_SIZE(infos));
	}
	if (o.t.columns && (r = cli_columns_parse(&o.cols, "rom", o.t.columns)) != 0)
		return r;
	if (nargs == 0)
		return cli_usage_error("rom", "name a ROM file or a device address");
	if (action && streq(action, "strip")) {
		if (o.for_addr || o.root)
			return cli_usage_error("rom", "strip works on files: --for and --root do not apply");
		return run_strip(&o, args, nargs);
	}

	ins = calloc(nargs, sizeof(*ins));
	if (!ins)
		goto oom;
	/* Devices, and --for, need the host; plain files do not. */
	{
		bool need_host = o.for_addr || action;
		struct pci_addr a;
		struct stat st;
		for (size_t i = 0; i < nargs; i++)
			need_host |= parse_pci_addr(args[i], &a) == 0 && stat(args[i], &st) < 0;
		if (o.root && !need_host) {
			free(ins);
			return cli_usage_error("rom", "--root is for devices: ROM files are read as given");
		}
		if (need_host) {
			if (cli_open_root(o.root, &root) < 0) {
				free(ins);
				return EXIT_USAGE;
			}
			if (cli_load_host(root, HOST_LOAD_PCI, &h) < 0) {
				r = EXIT_PROBLEM;
				goto out;
			}
		}
	}
	for (size_t i = 0; i < nargs; i++, nins++) {
		struct rom_input *in = &ins[i];
		struct pci_addr a;
		struct stat st;

		in->name = args[i];
		if (action || (parse_pci_addr(args[i], &a) == 0 && stat(args[i], &st) < 0))
			r = load_device(h, args[i], in);
		else if (read_file(args[i], &in->buf, &in->len) < 0)
			r = EXIT_PROBLEM;
		else if (o.for_addr)
			r = card_of(h, o.for_addr, in);
		if (r != EXIT_OK) {
			nins++;
			goto out;
		}
		if (in->device[0])
			in->name = in->device;
		if (action && cli_write_new(o.output, in->buf, in->len, 0644) < 0) {
			r = EXIT_PROBLEM;
			nins++;
			goto out;
		}
		if (action) {
			cli_error("wrote %s: %zu bytes, the ROM of %s", o.output, in->len, in->device);
			in->name = o.output;
		}
		if (rom_parse(in->buf, in->len, &in->rom) < 0)
			goto oom;
	}
	r = print_all(ins, nins, &o);
	if (r >= 0)
		goto out;
oom:
	cli_error("out of memory");
	r = EXIT_PROBLEM;
out:
	for (size_t i = 0; i < nins; i++) {
		rom_free(&ins[i].rom);
		free(ins[i].buf);
	}
	free(ins);
	host_free(h);
	path_root_free(root);
	return r;
}
