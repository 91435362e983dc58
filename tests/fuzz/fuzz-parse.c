/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness for every parser of text the kernel or distribution
 * hands vfiokit: sysfs numbers and addresses, /proc/cmdline, /proc/cpuinfo,
 * os-release, module paths. Seeds: tests/fuzz/seeds (taken from the fixtures). */
#include "macro.h"
#include "parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *s = malloc(size + 1), *v = NULL, *m = NULL;
	struct cmdline c;
	struct pci_addr a;
	uint32_t u;
	long l;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';

	(void)parse_hex_u32(s, 0xffffff, &u);
	(void)parse_int(s, -1, 65535, &l);
	if (parse_pci_addr(s, &a) == 0) {
		char buf[PCI_ADDR_STRLEN];
		struct pci_addr b;
		format_pci_addr(&a, buf);
		/* What we format, we parse back to the same address. */
		if (parse_pci_addr(buf, &b) != 0 || pci_addr_cmp(&a, &b) != 0)
			__builtin_trap();
	}
	if (cmdline_parse(s, &c) == 0) {
		(void)cmdline_get(&c, "intel_iommu");
		(void)cmdline_get(&c, "vfio-pci.ids");
		cmdline_free(&c);
	}
	if (cpuinfo_get(s, "flags", &v) == 0)
		(void)word_in_list(v, "vmx");
	free(v);
	v = NULL;
	if (osrelease_get(s, "ID", &v) == 0)
		(void)strlen(v);
	m = module_name_from_path(s);
	return 0;
}
