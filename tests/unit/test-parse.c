/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "shared/macro.h"
#include "host/parse.h"
#include "shared/strv.h"
#include "shared/cpuset.h"

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
	/* As printf writes it, for every field's edges. */
	{
		static const uint32_t doms[] = { 0, 1, 0xf, 0x10, 0xfff, 0xffff, 0x10000, 0xfffffff, 0x10000000, 0xffffffff };
		static const uint8_t buses[] = { 0, 1, 0xf, 0x10, 0xe1, 0xff };
		for (size_t i = 0; i < ARRAY_SIZE(doms); i++)
			for (size_t j = 0; j < ARRAY_SIZE(buses); j++)
				for (unsigned dev = 0; dev < 0x100; dev += 7)
					for (unsigned fn = 0; fn < 0x100; fn += 5) {
						char want[PCI_ADDR_STRLEN];
						struct pci_addr x = { doms[i], buses[j], (uint8_t)dev, (uint8_t)fn };
						snprintf(want, sizeof(want), "%04x:%02x:%02x.%x", x.domain, x.bus, x.dev,
							 x.fn);
						format_pci_addr(&x, buf);
						assert_string_equal(buf, want);
					}
	}
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
	/* A key assigned twice: the last, as a shell sourcing the file keeps. */
	{
		_cleanup_free_ char *twice = NULL;
		assert_int_equal(osrelease_get("ID=arch\nNAME=x\nID=\"nixos\"\n", "ID", &twice), 0);
		assert_string_equal(twice, "nixos");
	}
}

static void test_resource(void **state)
{
	/* A GPU's resource file: BAR0 mem, BAR1 64-bit prefetchable mem, BAR3
	 * mem, BAR5 I/O, an unassigned BAR, the ROM. */
	const char *text = "0x00000000f6000000 0x00000000f6ffffff 0x0000000000040200\n"
			   "0x00000000e0000000 0x00000000efffffff 0x000000000014220c\n"
			   "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
			   "0x00000000f0000000 0x00000000f1ffffff 0x000000000014220c\n"
			   "0x000000000000e000 0x000000000000e07f 0x0000000000040101\n"
			   "garbage line\n"
			   "0x00000000f7000000 0x00000000f707ffff 0x0000000000046200";
	_cleanup_free_ struct mem_range *r = NULL;
	size_t n = 0;

	assert_int_equal(pci_resource_parse(text, &r, &n), 0);
	assert_int_equal(n, 4);
	assert_true(r[0].start == 0xf6000000 && r[0].end == 0xf6ffffff);
	assert_true(r[1].start == 0xe0000000 && r[1].end == 0xefffffff);
	assert_true(r[3].start == 0xf7000000);
	free(r);
	r = NULL;
	assert_int_equal(pci_resource_parse("", &r, &n), 0);
	assert_int_equal(n, 0);
}

/* One BAR's length by its line, as doctor reads a resizable BAR's size. */
static void test_resource_len(void **state)
{
	const char *text = "0x00000000f6000000 0x00000000f6ffffff 0x0000000000040200\n"
			   "0x0000006000000000 0x00000061ffffffff 0x000000000014220c\n"
			   "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
			   "garbage line\n";
	uint64_t len = 1;

	(void)state;
	assert_int_equal(pci_resource_len(text, 0, &len), 0);
	assert_true(len == 16u << 20);
	assert_int_equal(pci_resource_len(text, 1, &len), 0);
	assert_true(len == 8ull << 30);
	assert_int_equal(pci_resource_len(text, 2, &len), 0);
	assert_true(len == 0);
	assert_int_equal(pci_resource_len(text, 3, &len), -EINVAL);
	assert_int_equal(pci_resource_len(text, 4, &len), -EINVAL);
	assert_int_equal(pci_resource_len(text, 5, &len), -EINVAL);
	assert_int_equal(pci_resource_len("", 0, &len), -EINVAL);
}

static void test_iomem(void **state)
{
	const char *text = "00000000-00000fff : Reserved\n"
			   "e0000000-efffffff : PCI Bus 0000:01\n"
			   "  e0000000-e02fffff : efifb\n"
			   "  f0000000-f07fffff : BOOTFB\n"
			   "fd000000-fd3fffff : simple-framebuffer.0\n"
			   "fe000000-fe7fffff : vesafb\n"
			   "ff000000-ff0fffff : efifb-not\n";
	/* As non-root every address reads as zero. */
	const char *hidden = "00000000-00000000 : efifb\n";
	_cleanup_free_ struct mem_range *r = NULL;
	struct mem_range bar = { 0xe0000000, 0xefffffff }, other = { 0xf6000000, 0xf6ffffff };
	size_t n = 0;

	assert_int_equal(iomem_framebuffers(text, &r, &n), 0);
	assert_int_equal(n, 4);
	assert_true(r[0].start == 0xe0000000 && r[0].end == 0xe02fffff);
	assert_true(r[2].start == 0xfd000000);
	assert_true(r[3].start == 0xfe000000);
	assert_true(mem_ranges_overlap(&r[0], &bar));
	assert_false(mem_ranges_overlap(&r[0], &other));
	assert_false(mem_ranges_overlap(&r[1], &bar));
	free(r);
	r = NULL;
	assert_int_equal(iomem_framebuffers(hidden, &r, &n), 0);
	assert_int_equal(n, 0);
}

static void test_mountinfo(void **state)
{
	char l1[] = "29 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw\n";
	char l2[] = "40 29 253:0 / /mnt/my\\040disk rw master:2 unbindable - xfs /dev/mapper/vg-my\\040lv rw";
	char l3[] = "50 29 0:23 / /proc rw - proc proc rw";
	char bad1[] = "29 1 259:2 / / rw shared:1 ext4 /dev/sda1 rw";  /* no separator */
	char bad2[] = "29 1 2592 / / rw - ext4 /dev/sda1 rw";           /* no maj:min */
	char bad3[] = "29 1 8:1 / / rw -";
	struct mountinfo_entry m;

	assert_int_equal(mountinfo_parse_line(l1, &m), 0);
	assert_int_equal(m.major, 259);
	assert_int_equal(m.minor, 2);
	assert_string_equal(m.target, "/");
	assert_string_equal(m.fstype, "ext4");
	assert_string_equal(m.source, "/dev/nvme0n1p2");
	assert_int_equal(mountinfo_parse_line(l2, &m), 0);
	assert_string_equal(m.target, "/mnt/my disk");
	assert_string_equal(m.source, "/dev/mapper/vg-my lv");
	assert_int_equal(m.major, 253);
	assert_int_equal(mountinfo_parse_line(l3, &m), 0);
	assert_int_equal(m.major, 0);
	assert_int_equal(mountinfo_parse_line(bad1, &m), -EINVAL);
	assert_int_equal(mountinfo_parse_line(bad2, &m), -EINVAL);
	assert_int_equal(mountinfo_parse_line(bad3, &m), -EINVAL);
}

static void test_route(void **state)
{
	const char *v4 = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
			 "lo\t00000000\t00000000\t0001\t0\t0\t0\t00000000\t0\t0\t0\n"
			 "br0\t00000000\t0102A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n"
			 "br0\t0002A8C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0\n"
			 "wg0\t00000000\t00000000\t0000\t0\t0\t0\t00000000\t0\t0\t0\n"   /* down */
			 "wlan0\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0\n"
			 "br0\t00000000\t0102A8C0\t0003\t0\t0\t200\t00000000\t0\t0\t0\n";
	const char *v6 = "00000000000000000000000000000000 00 00000000000000000000000000000000 00 "
			 "fe800000000000000000000000000001 00000400 00000001 00000000 00000003 enp5s0\n"
			 "fe800000000000000000000000000000 40 00000000000000000000000000000000 00 "
			 "00000000000000000000000000000000 00000100 00000001 00000000 00000001 eth1\n"
			 "00000000000000000000000000000000 00 00000000000000000000000000000000 00 "
			 "00000000000000000000000000000000 ffffffff 00000001 00000000 00200200 lo\n";
	struct strv v = { 0 };
	size_t bad;

	assert_int_equal(route_default_ifaces(v4, false, &v, &bad), 0);
	assert_int_equal(v.n, 2);
	assert_string_equal(v.v[0], "br0");
	assert_string_equal(v.v[1], "wlan0");
	assert_int_equal(route_default_ifaces(v6, true, &v, &bad), 0);
	assert_int_equal(v.n, 3);
	assert_string_equal(v.v[2], "enp5s0");
	assert_int_equal(route_default_ifaces("", true, &v, &bad), 0);
	assert_int_equal(v.n, 3);
	strv_clear(&v);
	/* Empty: the kernel has no main table yet (no route, no address). */
	assert_int_equal(route_default_ifaces("", false, &v, &bad), 0);
	assert_int_equal(v.n, 0);
	/* Lines not as the kernel writes them: which one, never skipped. */
	assert_int_equal(route_default_ifaces(strchr(v4, '\n') + 1, false, &v, &bad), -EINVAL);
	assert_int_equal(bad, 1);
	{
		_cleanup_free_ char *t = strdupf("%seth9\t00000000\t0101A8C0\t0003\n", v4);
		assert_int_equal(route_default_ifaces(t, false, &v, &bad), -EINVAL);
		assert_int_equal(bad, 8);
		strv_clear(&v);
		free(t);
		t = strdupf("%seth9\t00000000\t0101A8C0\t0003\t0\t0\tx\t00000000\t0\t0\t0\n", v4);
		assert_int_equal(route_default_ifaces(t, false, &v, &bad), -EINVAL);
		assert_int_equal(bad, 8);
		strv_clear(&v);
		free(t);
		t = strdupf("%s00000000000000000000000000000000 00 0000 00 0 0 0 0 0 eth9\n", v6);
		assert_int_equal(route_default_ifaces(t, true, &v, &bad), -EINVAL);
		assert_int_equal(bad, 4);
		strv_clear(&v);
	}
	assert_int_equal(swaps_parse("Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
				     "/dev/sda3                               partition\t8388604\t\t0\t\t-2\n"
				     "/swap\\040file file 1024 0 -3\n", &v, &bad), 0);
	assert_int_equal(v.n, 2);
	assert_string_equal(v.v[0], "/dev/sda3");
	strv_clear(&v);
	assert_int_equal(swaps_parse("/dev/sda3 partition 8388604 0 -2\n", &v, &bad), -EINVAL);
	assert_int_equal(bad, 1);
	assert_int_equal(swaps_parse("Filename Type Size Used Priority\n/dev/sda3 partition\n", &v, &bad), -EINVAL);
	assert_int_equal(bad, 2);
	assert_int_equal(swaps_parse("", &v, &bad), -EINVAL);
	assert_int_equal(bad, 1);
	strv_clear(&v);
}

static void test_bind_state(void **state)
{
	struct bind_state s = { .driver = (char *)"nouveau", .driver_override = (char *)"", .target = (char *)"vfio-pci" };
	struct bind_state r;
	_cleanup_free_ char *text = bind_state_format(&s, "0000:01:00.0");

	assert_non_null(text);
	assert_int_equal(bind_state_parse(text, &r), 0);
	assert_string_equal(r.driver, "nouveau");
	assert_string_equal(r.driver_override, "");
	assert_string_equal(r.target, "vfio-pci");
	bind_state_free(&r);
	assert_null(r.driver);
	/* Unknown keys and comments are skipped; a later key wins. */
	assert_int_equal(bind_state_parse("# x\nfuture=1\ndriver=a\ndriver=\n", &r), 0);
	assert_string_equal(r.driver, "");
	assert_null(r.target);
	bind_state_free(&r);
	/* Without driver=, or with a name that leads out of drivers/. */
	assert_int_equal(bind_state_parse("target=vfio-pci\n", &r), -EINVAL);
	assert_int_equal(bind_state_parse("driver=../../../../etc\n", &r), -EINVAL);
	assert_int_equal(bind_state_parse("driver=..\n", &r), -EINVAL);
	assert_int_equal(bind_state_parse("driver=\ntarget=a/b\n", &r), -EINVAL);
	assert_int_equal(bind_state_parse("", &r), -EINVAL);
}

static void test_cpuset(void **state)
{
	struct cpuset s = { 0 }, m = { 0 };
	char *f;

	assert_int_equal(cpuset_parse_list("0-3,8,10-11\n", &s), 0);
	assert_int_equal(cpuset_count(&s), 7);
	assert_true(cpuset_has(&s, 10) && !cpuset_has(&s, 9) && !cpuset_has(&s, 4000));
	f = cpuset_format(&s);
	assert_string_equal(f, "0-3,8,10-11");
	free(f);
	/* The 4-socket Xeon's L3 of socket 0: every fourth CPU. */
	assert_int_equal(cpuset_parse_mask("0000,11111111,11111111\n", &m), 0);
	assert_int_equal(cpuset_count(&m), 16);
	assert_int_equal(cpuset_first(&m), 0);
	assert_int_equal(cpuset_next(&m, 0), 4);
	f = cpuset_format(&m);
	assert_string_equal(f, "0,4,8,12,16,20,24,28,32,36,40,44,48,52,56,60");
	free(f);
	assert_int_equal(cpuset_parse_mask("ff", &m), 0);
	assert_int_equal(cpuset_parse_list("0-7", &s), 0);
	assert_true(cpuset_equal(&s, &m));
	assert_int_equal(cpuset_parse_list("", &s), 0);
	assert_int_equal(cpuset_count(&s), 0);
	f = cpuset_format(&s);
	assert_string_equal(f, "");
	free(f);
	/* What the kernel never writes. */
	assert_int_equal(cpuset_parse_list("3-1", &s), -EINVAL);
	assert_int_equal(cpuset_parse_list("1,,2", &s), -EINVAL);
	assert_int_equal(cpuset_parse_list("a", &s), -EINVAL);
	assert_int_equal(cpuset_parse_list("1-", &s), -EINVAL);
	assert_int_equal(cpuset_parse_list("0-99999", &s), -ERANGE);
	assert_int_equal(cpuset_parse_mask("", &s), -EINVAL);
	assert_int_equal(cpuset_parse_mask("0x1", &s), -EINVAL);
	assert_int_equal(cpuset_parse_mask(",", &s), -EINVAL);
	/* Strict (setup --isolcpus): a list cut short or padded is refused,
	 * where sysfs's "0-3\n" and a trailing comma are read. */
	assert_int_equal(cpuset_parse_list("6,", &s), 0);
	assert_int_equal(cpuset_parse_list("6-7 ", &s), 0);
	for (const char *const *t = (const char *const[]){ "6,", "6-7 ", " 6", "6, 7", "6\n", "", " ", ",", ",6", "1,,2",
							    "6-", "3-1", NULL };
	     *t; t++) {
		assert_int_equal(cpuset_parse_list_strict("2-3", &s), 0);
		if (cpuset_parse_list_strict(*t, &s) != -EINVAL)
			fail_msg("cpuset_parse_list_strict(\"%s\") accepted", *t);
		assert_int_equal(cpuset_count(&s), 2); /* left as it was */
	}
	assert_int_equal(cpuset_parse_list_strict("0-99999", &s), -ERANGE);
	assert_int_equal(cpuset_parse_list_strict("2-5,8,10-11", &s), 0);
	f = cpuset_format(&s);
	assert_string_equal(f, "2-5,8,10-11");
	free(f);
	cpuset_clear(&s);
	cpuset_clear(&m);
}

static void test_memory(void **state)
{
	const char *mi = "MemTotal:       16363840 kB\nMemFree:         1146300 kB\nHugePages_Total:       4\n"
			 "HugePages_Free:        3\nHugepagesize:       2048 kB\nBogus:  12 MB\n";
	uint64_t v;
	char *m = NULL;

	assert_int_equal(meminfo_get_kb(mi, "MemTotal", &v), 0);
	assert_int_equal(v, 16363840);
	assert_int_equal(meminfo_get_kb(mi, "HugePages_Total", &v), 0);
	assert_int_equal(v, 4);
	assert_int_equal(meminfo_get_kb(mi, "Hugepagesize", &v), 0);
	assert_int_equal(v, 2048);
	assert_int_equal(meminfo_get_kb(mi, "MemAvailable", &v), -ENOENT);
	assert_int_equal(meminfo_get_kb(mi, "Bogus", &v), -EINVAL);
	assert_int_equal(meminfo_get_kb(mi, "Mem", &v), -ENOENT);
	assert_int_equal(thp_mode_parse("always [madvise] never\n", &m), 0);
	assert_string_equal(m, "madvise");
	free(m);
	assert_int_equal(thp_mode_parse("always madvise never", &m), -EINVAL);
	assert_int_equal(thp_mode_parse("[]", &m), -EINVAL);
	assert_int_equal(parse_size("16G", &v), 0);
	assert_true(v == 16ull << 30);
	assert_int_equal(parse_size("512MiB", &v), 0);
	assert_true(v == 512ull << 20);
	assert_int_equal(parse_size("4096", &v), 0);
	assert_true(v == 4096);
	assert_int_equal(parse_size("1t", &v), 0);
	assert_true(v == 1ull << 40);
	assert_int_equal(parse_size("16 G", &v), -EINVAL);
	assert_int_equal(parse_size("G", &v), -EINVAL);
	assert_int_equal(parse_size("-1G", &v), -EINVAL);
	assert_int_equal(parse_size("1.5G", &v), -EINVAL);
	assert_int_equal(parse_size("99999999999999999999", &v), -ERANGE);
	assert_int_equal(parse_size("17179869184G", &v), -ERANGE);
}

static void test_modprobe_conf(void **state)
{
	struct modprobe_conf c = { 0 };

	assert_int_equal(modprobe_conf_parse("# vfio\noptions vfio-pci ids=10de:13c2,10de:0fbb disable_vga=1\n"
					     "options vfio_pci ids=10de:0fbb,1002:67df\n"
					     "softdep nouveau pre: vfio-pci\nsoftdep snd-hda-intel pre: vfio_pci post: x\n"
					     "softdep drm pre: other\nsoftdep amdgpu post: vfio-pci\n"
					     "options snd_hda_intel ids=1:2\n"
					     "softdep nvidia \\\n pre: vfio-pci # joined\n", &c), 0);
	assert_int_equal(c.vfio_ids.n, 3);
	assert_string_equal(c.vfio_ids.v[2], "1002:67df");
	assert_int_equal(c.vfio_first.n, 3);
	assert_string_equal(c.vfio_first.v[0], "nouveau");
	assert_string_equal(c.vfio_first.v[1], "snd_hda_intel");
	assert_string_equal(c.vfio_first.v[2], "nvidia");
	assert_int_equal(c.kvm_msrs.n, 0);
	modprobe_conf_free(&c);
	/* kvm's ignore_msrs and report_ignored_msrs with their values, in
	 * order (- and _ alike); another module's, a bare name, a comment: not. */
	assert_int_equal(modprobe_conf_parse("options kvm ignore-msrs=Y halt_poll_ns=0 report_ignored_msrs\n"
					     "options kvm_amd ignore_msrs=0\n#options kvm ignore_msrs=0\n"
					     "options kvm report_ignored_msrs=N # ignore_msrs=0\n", &c), 0);
	assert_int_equal(c.kvm_msrs.n, 2);
	assert_string_equal(c.kvm_msrs.v[0], "ignore-msrs=Y");
	assert_string_equal(c.kvm_msrs.v[1], "report_ignored_msrs=N");
	modprobe_conf_free(&c);
}

/* setup's driver_override script, as verify finds it: modprobe runs the
 * first install line of vfio-pci; the script's DEVS= line names the devices. */
static void test_override_script(void **state)
{
	struct modprobe_conf c = { 0 };
	struct strv devs = { 0 };

	assert_int_equal(modprobe_conf_parse("install snd_hda_intel /bin/true\n# install vfio-pci /bin/false\n"
					     "install vfio_pci /usr/local/bin/vfio-pci-override.sh  \\\n  $CMDLINE_OPTS\n"
					     "install vfio-pci /bin/false\n", &c), 0);
	assert_non_null(c.vfio_install);
	assert_string_equal(c.vfio_install, "/usr/local/bin/vfio-pci-override.sh $CMDLINE_OPTS");
	modprobe_conf_free(&c);
	assert_null(c.vfio_install);
	/* The first DEVS= line, its words once each. */
	assert_int_equal(override_script_devs("#!/bin/sh\n# DEVS=\"0000:01:00.0\"\nDEVS=\"0000:06:00.0  0000:06:00.1 "
					      "0000:06:00.0\"\nDEVS=\"0000:07:00.0\"\n", &devs), 0);
	assert_int_equal(devs.n, 2);
	assert_string_equal(devs.v[0], "0000:06:00.0");
	assert_string_equal(devs.v[1], "0000:06:00.1");
	strv_clear(&devs);
	assert_int_equal(override_script_devs(NULL, &devs), 0);
	assert_int_equal(devs.n, 0);
}

/* Long lines and many words are read whole: a fixed buffer or word count
 * used to drop them without a word. */
static void test_long_lines(void **state)
{
	char pad[301], buf[1024];
	struct mem_range *r = NULL;
	struct modprobe_conf c = { 0 };
	uint64_t v = 0;
	size_t n = 0;

	memset(pad, ' ', sizeof(pad) - 1);
	pad[sizeof(pad) - 1] = '\0';
	snprintf(buf, sizeof(buf), "0x00000000f6000000 0x00000000f6ffffff 0x0000000000040200%s\n", pad);
	assert_int_equal(pci_resource_parse(buf, &r, &n), 0);
	assert_int_equal(n, 1);
	free(r);
	snprintf(buf, sizeof(buf), "  80000000-8fffffff%s : efifb\n", pad);
	assert_int_equal(iomem_framebuffers(buf, &r, &n), 0);
	assert_int_equal(n, 1);
	assert_true(r[0].start == 0x80000000 && r[0].end == 0x8fffffff);
	free(r);
	snprintf(buf, sizeof(buf), "MemTotal:%s16384 kB\n", pad);
	assert_int_equal(meminfo_get_kb(buf, "MemTotal", &v), 0);
	assert_int_equal(v, 16384);
	strcpy(buf, "options vfio-pci");
	for (int i = 0; i < 70; i++)
		strcat(buf, " x=1");
	strcat(buf, " ids=10de:13c2\n");
	assert_int_equal(modprobe_conf_parse(buf, &c), 0);
	assert_int_equal(c.vfio_ids.n, 1);
	assert_string_equal(c.vfio_ids.v[0], "10de:13c2");
	modprobe_conf_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hex),      cmocka_unit_test(test_int),     cmocka_unit_test(test_pci_addr),
		cmocka_unit_test(test_cmdline),  cmocka_unit_test(test_modules), cmocka_unit_test(test_cpuinfo),
		cmocka_unit_test(test_osrelease), cmocka_unit_test(test_resource), cmocka_unit_test(test_resource_len), cmocka_unit_test(test_iomem),
		cmocka_unit_test(test_mountinfo), cmocka_unit_test(test_route),   cmocka_unit_test(test_bind_state),
		cmocka_unit_test(test_cpuset),   cmocka_unit_test(test_memory),  cmocka_unit_test(test_modprobe_conf), cmocka_unit_test(test_override_script),
		cmocka_unit_test(test_long_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
