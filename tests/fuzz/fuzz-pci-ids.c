/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer harness: the part of pci.ids that libpci is handed
 * (src/host/names.c, included here for its static functions) against the
 * whole file. The input is a pci.ids; the devices looked up are made from
 * its own lines (each vendor line, its device and subsystem lines, and a
 * class), every other vendor left out of the host so that its block is
 * dropped.
 *
 * Invariants: when libpci parses the whole file, it parses the part, and
 * every name (vendor, device, class, subsystem) is the same from both; when
 * the part fails, the whole fails too, and the line the part's failure names
 * is that line of the file. (A whole file that fails only in a dropped block,
 * a duplicate of a vendor not here, still names from its part.) Nothing
 * crashes, leaks or hangs.
 */
#include "../../src/host/names.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_DEVICES 16

/* Devices from the input's own lines: for each vendor line, the vendor with
 * its first device line's device and first subsystem line's subsystem, a
 * class from the byte after it; every second vendor is kept in the host. */
static size_t devices_from(const char *text, size_t len, struct pci_device *devs)
{
	size_t n = 0;
	int vendor = -1, device = -1;
	bool want = false, odd = false;

	for (size_t i = 0; i < len && n < MAX_DEVICES;) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t l = nl ? (size_t)(nl - (text + i)) : len - i;
		const char *s = text + i;
		unsigned a, b;

		if (l >= 5 && s[0] != '\t' && sscanf(s, "%4x", &a) == 1 && vendor_line(s, l) >= 0) {
			vendor = vendor_line(s, l);
			device = -1;
			odd = !odd;
			want = odd;
			if (want) {
				devs[n] = (struct pci_device){ .vendor = (uint16_t)vendor,
							       .device = 0xffff,
							       .class = (uint32_t)(uint8_t)s[l > 6 ? 6 : 0] << 16 };
				n++;
			}
		} else if (want && l >= 6 && s[0] == '\t' && s[1] != '\t' && sscanf(s + 1, "%4x", &a) == 1 &&
			   device < 0) {
			device = (int)a;
			devs[n - 1].device = (uint16_t)a;
		} else if (want && l >= 11 && s[0] == '\t' && s[1] == '\t' && device >= 0 &&
			   sscanf(s + 2, "%4x %4x", &a, &b) == 2 && !devs[n - 1].has_subsys) {
			devs[n - 1].has_subsys = true;
			devs[n - 1].subvendor = (uint16_t)a;
			devs[n - 1].subdevice = (uint16_t)b;
		}
		i += l + 1;
	}
	return n;
}

/* Line n (from 1) of text as libpci counts lines (LIBPCI_LINE bytes at most,
 * with its newline) and its length, or NULL. */
static const char *nth_line(const char *text, size_t len, unsigned n, size_t *ret)
{
	size_t i = 0, l = 0;

	for (unsigned at = 1; text && i < len; at++, i += l) {
		const char *nl = memchr(text + i, '\n', MIN(len - i, (size_t)LIBPCI_LINE));

		l = nl ? (size_t)(nl + 1 - (text + i)) : MIN(len - i, (size_t)LIBPCI_LINE);
		if (at == n) {
			*ret = l;
			return text + i;
		}
	}
	return NULL;
}

static bool same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && streq(a, b));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *text = NULL; /* the input with a NUL after it, for sscanf */
	struct pci_device devs[MAX_DEVICES], whole_devs[MAX_DEVICES];
	struct host h = { 0 }, hw = { 0 };
	struct vendor_set *vendors;
	struct part part = { 0 }, whole = { 0 };
	const char *why = NULL, *why_whole = NULL;
	char part_error[sizeof(libpci_error)];
	int fd, k, kw, line = 0;

	/* names_load refuses these before libpci sees them. */
	if (size > 1 << 20 || memchr(data, '\0', size) || (size >= 2 && data[0] == 0x1f && data[1] == 0x8b))
		return 0;
	text = malloc(size + 1);
	if (!text)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	h.npci = devices_from(text, size, devs);
	h.pci = devs;
	memcpy(whole_devs, devs, sizeof(devs));
	hw.npci = h.npci;
	hw.pci = whole_devs;

	vendors = calloc(1, sizeof(*vendors));
	if (!vendors)
		abort();
	for (size_t i = 0; i < h.npci; i++)
		vendor_add(vendors, devs[i].vendor);
	fd = text_memfd(text, size);
	if (fd < 0 || lseek(fd, 0, SEEK_SET) != 0)
		abort();
	k = read_part(fd, vendors, &part, &why);
	close(fd);
	free(vendors);
	if (k == -ENOMEM)
		abort();
	if (k == 0) {
		k = name_devices(&h, &part, &why);
		line = libpci_line;
		snprintf(part_error, sizeof(part_error), "%s", k < 0 && why ? why : "");
	}

	/* The whole file, as libpci would read it, lines numbered as its own. */
	whole.text = text;
	whole.len = size;
	kw = name_devices(&hw, &whole, &why_whole);

	if (kw == 0 && k != 0) {
		fprintf(stderr, "the whole file parses, its part does not: %s\n", part_error);
		abort();
	}
	if (k == 0 && kw == 0)
		for (size_t i = 0; i < h.npci; i++)
			if (!same(devs[i].vendor_name, whole_devs[i].vendor_name) ||
			    !same(devs[i].device_name, whole_devs[i].device_name) ||
			    !same(devs[i].class_name, whole_devs[i].class_name) ||
			    !same(devs[i].subsys_name, whole_devs[i].subsys_name)) {
				fprintf(stderr,
					"%04x:%04x named differently: '%s' '%s' '%s' '%s' from the part, '%s' '%s' '%s' '%s' from the whole\n",
					devs[i].vendor, devs[i].device, devs[i].vendor_name, devs[i].device_name,
					devs[i].class_name, devs[i].subsys_name, whole_devs[i].vendor_name,
					whole_devs[i].device_name, whole_devs[i].class_name, whole_devs[i].subsys_name);
				abort();
			}
	/* The line the part's failure names is that line of the file. */
	if (k < 0 && line > 0) {
		size_t pl, fl;
		const char *p = nth_line(part.text, part.len, (unsigned)line, &pl);
		const char *f = nth_line(text, size, part_to_file(&part, (unsigned)line), &fl);

		if (p && (!f || pl != fl || memcmp(p, f, pl) != 0)) {
			fprintf(stderr, "the part's line %d is not the file's line %u\n", line,
				part_to_file(&part, (unsigned)line));
			abort();
		}
	}
	part_done(&part);
	strv_clear(&h.names);
	strv_clear(&hw.names);
	return 0;
}
