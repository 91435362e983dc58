/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "macro.h"
#include "parse.h"

static void test_hex(void **state)
{
	uint32_t v;

	assert_int_equal(parse_hex_u32("0x10de", 0xffff, &v), 0);
	assert_int_equal(v, 0x10de);
	assert_int_equal(parse_hex_u32("13C2", 0xffff, &v), 0);
	assert_int_equal(v, 0x13c2);
	assert_int_equal(parse_hex_u32("0x030000", 0xffffff, &v), 0);
	assert_int_equal(v, 0x030000);
	assert_int_equal(parse_hex_u32("0xffffffff", 0xffffffff, &v), 0);
	assert_int_equal(parse_hex_u32("0x10000", 0xffff, &v), -EINVAL);   /* too large */
	assert_int_equal(parse_hex_u32("0x123456789", 0xffffffff, &v), -EINVAL);
	assert_int_equal(parse_hex_u32("0xzzzz", 0xffff, &v), -EINVAL);
	assert_int_equal(parse_hex_u32("0x", 0xffff, &v), -EINVAL);
	assert_int_equal(parse_hex_u32("", 0xffff, &v), -EINVAL);
	assert_int_equal(parse_hex_u32("0x10de ", 0xffff, &v), -EINVAL);
	assert_int_equal(parse_hex_u32("-1", 0xffff, &v), -EINVAL);
}

static void test_int(void **state)
{
	long v;

	assert_int_equal(parse_int("-1", -1, 10, &v), 0);
	assert_int_equal(v, -1);
	assert_int_equal(parse_int("13", 0, 100, &v), 0);
	assert_int_equal(v, 13);
	assert_int_equal(parse_int("7", 0, 1, &v), -ERANGE);
	assert_int_equal(parse_int("x", 0, 1, &v), -EINVAL);
	assert_int_equal(parse_int("", 0, 1, &v), -EINVAL);
	assert_int_equal(parse_int("-", 0, 1, &v), -EINVAL);
	assert_int_equal(parse_int("99999999999999999999999", 0, 1, &v), -ERANGE);
}

static void test_pci_addr(void **state)
{
	struct pci_addr a, b;
	char buf[PCI_ADDR_STRLEN];

	assert_int_equal(parse_pci_addr("0000:06:00.1", &a), 0);
	assert_int_equal(a.domain, 0);
	assert_int_equal(a.bus, 6);
	assert_int_equal(a.dev, 0);
	assert_int_equal(a.fn, 1);
	assert_int_equal(parse_pci_addr("06:00.0", &b), 0);
	assert_true(pci_addr_same_slot(&a, &b));
	assert_true(pci_addr_cmp(&b, &a) < 0);
	format_pci_addr(&a, buf);
	assert_string_equal(buf, "0000:06:00.1");
	/* Intel VMD puts devices in domains past 0xffff. */
	assert_int_equal(parse_pci_addr("10000:e1:00.0", &a), 0);
	assert_int_equal(a.domain, 0x10000);
	format_pci_addr(&a, buf);
	assert_string_equal(buf, "10000:e1:00.0");
	assert_int_equal(parse_pci_addr("0000:06:20.0", &a), -EINVAL); /* device > 0x1f */
	assert_int_equal(parse_pci_addr("0000:06:00.8", &a), -EINVAL); /* function > 7 */
	assert_int_equal(parse_pci_addr("0000:06:00", &a), -EINVAL);
	assert_int_equal(parse_pci_addr("0000-06:00.0", &a), -EINVAL);
	assert_int_equal(parse_pci_addr("not-an-address", &a), -EINVAL);
	assert_int_equal(parse_pci_addr("", &a), -EINVAL);
	assert_int_equal(parse_pci_addr("0000:06:00.0x", &a), -EINVAL);
}

static void test_cmdline(void **state)
{
	struct cmdline c;
	const struct cmdline_param *p;

	assert_int_equal(cmdline_parse("BOOT_IMAGE=/vmlinuz root=UUID=x ro intel_iommu=on,igfx_off "
				       "vfio-pci.ids=10de:13c2,10de:0fbb quiet iommu=pt "
				       "dyndbg=\"file drivers/vfio/* +p\" \"quoted=a b\" iommu=off -- single",
				       &c), 0);
	p = cmdline_get(&c, "intel_iommu");
	assert_non_null(p);
	assert_string_equal(p->value, "on,igfx_off");
	/* '-' and '_' are the same in parameter names. */
	p = cmdline_get(&c, "vfio_pci.ids");
	assert_non_null(p);
	assert_string_equal(p->value, "10de:13c2,10de:0fbb");
	p = cmdline_get(&c, "quiet");
	assert_non_null(p);
	assert_null(p->value);
	/* Quotes group words and are removed, as the kernel does. */
	p = cmdline_get(&c, "dyndbg");
	assert_non_null(p);
	assert_string_equal(p->value, "file drivers/vfio/* +p");
	p = cmdline_get(&c, "quoted");
	assert_non_null(p);
	assert_string_equal(p->value, "a b");
	/* The last occurrence wins. */
	assert_string_equal(cmdline_get(&c, "iommu")->value, "off");
	/* After "--" the words belong to init. */
	assert_null(cmdline_get(&c, "single"));
	assert_null(cmdline_get(&c, "amd_iommu"));
	cmdline_free(&c);

	assert_int_equal(cmdline_parse("", &c), 0);
	assert_int_equal(c.n, 0);
	cmdline_free(&c);
	assert_int_equal(cmdline_parse("  \"unterminated=x y", &c), 0);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.p[0].value, "x y");
	cmdline_free(&c);
}

static void test_modules(void **state)
{
	_cleanup_free_ char *a = module_name_from_path("kernel/drivers/vfio/pci/vfio-pci.ko.zst");
	_cleanup_free_ char *b = module_name_from_path("kernel/drivers/vfio/vfio.ko");
	_cleanup_free_ char *c = module_name_from_path("snd-hda-intel");

	assert_string_equal(a, "vfio_pci");
	assert_string_equal(b, "vfio");
	assert_string_equal(c, "snd_hda_intel");
}

static void test_cpuinfo(void **state)
{
	const char *text = "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Core(TM) i7\n"
			   "flags\t\t: fpu vmx pdpe1gb\n\nprocessor\t: 1\nvendor_id\t: AuthenticAMD\n";
	_cleanup_free_ char *v = NULL, *f = NULL, *m = NULL;
	char *none = NULL;

	assert_int_equal(cpuinfo_get(text, "vendor_id", &v), 0);
	assert_string_equal(v, "GenuineIntel");
	assert_int_equal(cpuinfo_get(text, "model name", &m), 0);
	assert_string_equal(m, "Intel(R) Core(TM) i7");
	assert_int_equal(cpuinfo_get(text, "flags", &f), 0);
	assert_true(word_in_list(f, "vmx"));
	assert_true(word_in_list(f, "pdpe1gb"));
	assert_false(word_in_list(f, "svm"));
	assert_false(word_in_list(f, "pdpe1"));
	assert_int_equal(cpuinfo_get(text, "bogomips", &none), -ENOENT);
	assert_int_equal(cpuinfo_get("", "flags", &none), -ENOENT);
}

static void test_osrelease(void **state)
{
	const char *text = "# comment\nNAME=\"Fedora Linux\"\nID=fedora\nID_LIKE='rhel centos'\n"
			   "PRETTY_NAME=\"Say \\\"hi\\\"\"  \nVERSION_ID=\n";
	_cleanup_free_ char *id = NULL, *like = NULL, *pretty = NULL, *ver = NULL;
	char *none = NULL;

	assert_int_equal(osrelease_get(text, "ID", &id), 0);
	assert_string_equal(id, "fedora");
	assert_int_equal(osrelease_get(text, "ID_LIKE", &like), 0);
	assert_string_equal(like, "rhel centos");
	assert_int_equal(osrelease_get(text, "PRETTY_NAME", &pretty), 0);
	assert_string_equal(pretty, "Say \"hi\"");
	assert_int_equal(osrelease_get(text, "VERSION_ID", &ver), 0);
	assert_string_equal(ver, "");
	assert_int_equal(osrelease_get(text, "VARIANT", &none), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hex),      cmocka_unit_test(test_int),     cmocka_unit_test(test_pci_addr),
		cmocka_unit_test(test_cmdline),  cmocka_unit_test(test_modules), cmocka_unit_test(test_cpuinfo),
		cmocka_unit_test(test_osrelease),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
