/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer harness for every parser of text the kernel or distribution
 * hands vfiokit: sysfs numbers and addresses, /proc/cmdline, /proc/cpuinfo,
 * os-release, module paths, PCI resource files, /proc/iomem, mountinfo,
 * /proc/net/route and ipv6_route, the state files of `vfiokit bind`, CPU
 * lists and masks, /proc/meminfo, the THP mode, sizes, modprobe.d. Seeds: tests/fuzz/seeds (taken from the fixtures). */
#include "shared/macro.h"
#include "host/parse.h"
#include "shared/strv.h"
#include "shared/cpuset.h"

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
	{
		_cleanup_free_ struct mem_range *bars = NULL, *fbs = NULL;
		size_t nb = 0, nf = 0;
		if (pci_resource_parse(s, &bars, &nb) == 0 && iomem_framebuffers(s, &fbs, &nf) == 0)
			for (size_t i = 0; i < nb && i < 64; i++)
				for (size_t j = 0; j < nf && j < 64; j++)
					(void)mem_ranges_overlap(&bars[i], &fbs[j]);
	}
	{
		struct strv ifaces = { 0 };
		size_t bad;
		(void)route_default_ifaces(s, false, &ifaces, &bad);
		(void)route_default_ifaces(s, true, &ifaces, &bad);
		(void)swaps_parse(s, &ifaces, &bad);
		strv_clear(&ifaces);
	}
	{
		_cleanup_free_ char *copy = strdup(s);
		char *save = NULL;
		for (char *line = copy ? strtok_r(copy, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
			struct mountinfo_entry e;
			if (mountinfo_parse_line(line, &e) == 0 && (!e.target || !e.source || !e.fstype))
				__builtin_trap();
		}
	}
	{
		struct bind_state b, again;
		if (bind_state_parse(s, &b) == 0) {
			/* What we write, we read back the same. */
			_cleanup_free_ char *text = strchr(b.driver, '\n') ? NULL : bind_state_format(&b, "x");
			if (text && bind_state_parse(text, &again) == 0) {
				if (!streq(again.driver, b.driver))
					__builtin_trap();
				bind_state_free(&again);
			}
			bind_state_free(&b);
		}
	}
	{
		struct modprobe_conf mc = { 0 };
		(void)modprobe_conf_parse(s, &mc);
		modprobe_conf_free(&mc);
	}
	{
		uint64_t kb;
		_cleanup_free_ char *mode = NULL;
		(void)meminfo_get_kb(s, "MemTotal", &kb);
		(void)parse_size(s, &kb);
		(void)thp_mode_parse(s, &mode);
	}
	{
		struct cpuset a = { 0 }, b = { 0 };
		if (cpuset_parse_list(s, &a) == 0) {
			/* What we format, we parse back to the same set. */
			_cleanup_free_ char *f = cpuset_format(&a);
			if (f && (cpuset_parse_list(f, &b) != 0 || !cpuset_equal(&a, &b)))
				__builtin_trap();
		}
		(void)cpuset_parse_mask(s, &b);
		cpuset_clear(&a);
		cpuset_clear(&b);
	}
	return 0;
}
