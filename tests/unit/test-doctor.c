/* SPDX-License-Identifier: GPL-2.0-or-later */
/* doctor's pure parts: log_strip() on every timestamp form and on lines
 * that only start like one; doctor_match_line() on the formats, the device
 * and group it reads, and benign lines that must not match; the reader's
 * line cut and NUL lines, through a pipe. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "plan/doctor.h"
#include "host/host.h"
#include "host/log.h"
#include "shared/macro.h"

static void strip(const char *line, enum log_form want_form, const char *want)
{
	enum log_form f;
	const char *m = log_strip(line, &f);

	assert_string_equal(m, want);
	assert_int_equal(f, want_form);
}

static void test_strip(void **state)
{
	strip("[    1.234567] DMAR: IOMMU enabled", LOG_FORM_DMESG, "DMAR: IOMMU enabled");
	strip("[12345.000001]x", LOG_FORM_DMESG, "x");
	strip("[Mon Nov 30 12:00:01 2026] vgaarb: loaded", LOG_FORM_DMESG_T, "vgaarb: loaded");
	strip("Nov 30 12:00:01 host kernel: vgaarb: loaded", LOG_FORM_JOURNAL, "vgaarb: loaded");
	strip("Nov  3 12:00:01.123456 host kernel: vgaarb: loaded", LOG_FORM_JOURNAL, "vgaarb: loaded");
	strip("Nov 30 12:00:01 host kernel: [    1.2] vgaarb: loaded", LOG_FORM_JOURNAL, "vgaarb: loaded");
	strip("Nov 30 12:00:01 host libvirtd[1187]: internal error: x", LOG_FORM_JOURNAL, "internal error: x");
	strip("2026-11-30T12:00:01+0000 host kernel: a: b", LOG_FORM_JOURNAL, "a: b");
	strip("2026-11-30T12:00:01.123456+00:00 host kernel: a", LOG_FORM_JOURNAL, "a");
	strip("2026-11-30 12:00:01.123+0000: starting up", LOG_FORM_LIBVIRT, "starting up");
	strip("2026-11-30T12:00:01.123456Z qemu-system-x86_64: -device x: y", LOG_FORM_QEMU_TS,
	      "qemu-system-x86_64: -device x: y");
	strip("6,339,5140900,-;vfio-pci 0000:06:00.0: x", LOG_FORM_KMSG, "vfio-pci 0000:06:00.0: x");
	strip("4,12,99,c,more;a", LOG_FORM_KMSG, "a");
	/* Lines that only start like one of those stay whole. */
	strip("", LOG_FORM_PLAIN, "");
	strip("[", LOG_FORM_PLAIN, "[");
	strip("[ 1.2", LOG_FORM_PLAIN, "[ 1.2");
	strip("[    .5] x", LOG_FORM_PLAIN, "[    .5] x");
	strip("[Mon Nov 30 12:00:01 2026 no close", LOG_FORM_PLAIN, "[Mon Nov 30 12:00:01 2026 no close");
	strip("Nov 30 12:00 host kernel: x", LOG_FORM_PLAIN, "Nov 30 12:00 host kernel: x");
	strip("Nov 30 12:00:01 onlyonetoken", LOG_FORM_PLAIN, "Nov 30 12:00:01 onlyonetoken");
	strip("6,339,51;x", LOG_FORM_PLAIN, "6,339,51;x");
	strip("2026-11-30", LOG_FORM_PLAIN, "2026-11-30");
	strip("2026-11-30T12:00:01", LOG_FORM_PLAIN, "2026-11-30T12:00:01");
	strip("vfio_pci: add [10de:1b80[ffffffff:ffffffff]] class 0x000000/00000000", LOG_FORM_PLAIN,
	      "vfio_pci: add [10de:1b80[ffffffff:ffffffff]] class 0x000000/00000000");
}

static void match(const char *msg, const char *id, const char *addr, long group)
{
	struct doctor_match m;
	char buf[PCI_ADDR_STRLEN];

	assert_true(doctor_match_line(msg, &m));
	assert_string_equal(m.sig->id, id);
	assert_int_equal(m.group, group);
	if (!addr) {
		assert_false(m.has_addr);
		return;
	}
	assert_true(m.has_addr);
	format_pci_addr(&m.addr, buf);
	assert_string_equal(buf, addr);
}

static void test_match(void **state)
{
	struct doctor_match m;
	size_t n;
	const struct doctor_sig *s = doctor_signatures(&n);

	match("vfio-pci 0000:0a:00.0: BAR 0: can't reserve [mem 0xe0000000-0xefffffff 64bit pref]", "bar-reserved",
	      "0000:0a:00.0", -1);
	match("DMAR: [DMA Read NO_PASID] Request device [0a:00.1] fault addr 0xfd000000 [fault reason 0x06] PTE Read "
	      "access is not set",
	      "dma-fault", "0000:0a:00.1", -1);
	match("AMD-Vi: Event logged [IO_PAGE_FAULT device=0b:00.0 domain=0x000d address=0x0 flags=0x0020]", "dma-fault",
	      "0000:0b:00.0", -1);
	match("qemu-system-x86_64: -device vfio-pci,host=0000:01:00.0,id=hostdev0: vfio 0000:01:00.0: group 1 is not "
	      "viable",
	      "group-not-viable", "0000:01:00.0", 1);
	match("vfio 0000:01:00.0: failed to open /dev/vfio/27: No such file or directory", "vfio-group-missing",
	      "0000:01:00.0", 27);
	match("vfio 0000:01:00.0: failed to setup container for group 3: Failed to set iommu for container: Operation "
	      "not permitted",
	      "container-failed", "0000:01:00.0", 3);
	/* An address inside a longer hex run is none. */
	match("kvm [3411]: vcpu0, guest rIP: 0xfffff8034a1c2b3e unhandled rdmsr: 0x1c9", "unhandled-msr", NULL, -1);
	match("x86/cpu: VMX (outside TXT) disabled by BIOS", "virtualization-disabled", NULL, -1);
	/* Lines alike that are no finding. */
	assert_false(doctor_match_line("kvm [3411]: ignored rdmsr: 0x1c9 data 0x0", &m));
	assert_false(doctor_match_line("vfio-pci 0000:06:00.0: vfio_ecap_init: hiding ecap 0x19@0x900", &m));
	assert_false(doctor_match_line("vfio-pci 0000:06:00.0: vgaarb: changed VGA decodes: olddecodes=io+mem,"
				       "decodes=io+mem:owns=none",
				       &m));
	assert_false(doctor_match_line("vfio_pci: add [10de:1b80[ffffffff:ffffffff]] class 0x000000/00000000", &m));
	assert_false(doctor_match_line("vfio-pci 0000:06:00.0: not ready 1023ms after FLR; waiting", &m));
	assert_false(doctor_match_line("pci 0000:06:00.0: BAR 3: assigned [mem 0xf0000000-0xf1ffffff 64bit pref]", &m));
	assert_false(doctor_match_line("x86/cpu: VMX (outside TXT) enabled by BIOS", &m));
	/* Every row names its cause, section and source. */
	for (size_t i = 0; i < n; i++)
		assert_true(s[i].id && s[i].needle && *s[i].cause && *s[i].section && *s[i].source);
}

/* The reader through a pipe: a line past LOG_LINE_MAX cut and the rest of
 * it skipped, a NUL line counted and skipped, the last line without a
 * newline kept, line numbers as in the file. */
static void test_reader(void **state)
{
	struct log_reader *lr = NULL;
	struct log_line ln;
	int p[2];
	FILE *w;

	assert_int_equal(pipe(p), 0);
	w = fdopen(p[1], "w");
	assert_non_null(w);
	fputs("[    1.0] first\n", w);
	for (int i = 0; i < 3 * LOG_LINE_MAX; i++)
		fputc('x', w);
	fputs("\n", w);
	fwrite("bin\0ary\n", 1, 8, w);
	fputs("end", w);
	fclose(w);
	assert_int_equal(log_open_fd(p[0], false, &lr), 0);
	assert_int_equal(log_next(lr, &ln), 1);
	assert_string_equal(ln.text, "first");
	assert_int_equal(ln.lineno, 1);
	assert_int_equal(log_next(lr, &ln), 1);
	assert_int_equal(strlen(ln.raw), LOG_LINE_MAX);
	assert_int_equal(ln.lineno, 2);
	assert_int_equal(log_next(lr, &ln), 1);
	assert_string_equal(ln.raw, "end");
	assert_int_equal(ln.lineno, 4);
	assert_int_equal(log_next(lr, &ln), 0);
	assert_int_equal(log_reader_stats(lr)->cut, 1);
	assert_int_equal(log_reader_stats(lr)->binary, 1);
	log_close(lr);
}

static struct pci_device gpu(const char *addr, uint16_t vendor, uint32_t class)
{
	struct pci_device d = { .vendor = vendor, .device = 0x1234, .class = class, .iommu_group = -1,
				.driver = (char *)"vfio-pci", .reset_method = (char *)"flr" };

	assert_int_equal(parse_pci_addr(addr, &d.addr), 0);
	format_pci_addr(&d.addr, d.name);
	return d;
}

static const struct doctor_finding *find(const struct doctor_report *rep, const char *id, const char *addr)
{
	for (size_t i = 0; i < rep->n; i++) {
		char a[PCI_ADDR_STRLEN];
		format_pci_addr(&rep->f[i].addr, a);
		if (streq(rep->f[i].sig->id, id) && streq(a, addr))
			return &rep->f[i];
	}
	return NULL;
}

/* The article's Code 43 entries for a guest: NVIDIA needs vendor_id and KVM
 * hidden (drivers before 465) and, on q35, the in-kernel IOAPIC; AMD
 * vendor_id only; the GPU's audio function and a guest with everything
 * set give nothing. */
static void test_guest(void **state)
{
	struct pci_device devs[] = { gpu("0000:06:00.0", 0x10de, 0x030000), gpu("0000:06:00.1", 0x10de, 0x040300),
				     gpu("0000:07:00.0", 0x1002, 0x030000) };
	struct pci_addr hd[3] = { devs[0].addr, devs[1].addr, devs[2].addr };
	struct host h = { .pci = devs, .npci = 3 };
	struct host_guest g = { .name = (char *)"win10", .hostdevs = hd, .nhostdevs = 3, .q35 = true };
	struct doctor_report rep = { 0 };
	const struct doctor_finding *f;

	(void)state;
	assert_int_equal(doctor_report_guest(&rep, &h, &g), 0);
	assert_int_equal(rep.n, 3);
	assert_non_null(f = find(&rep, "guest-vm-detection", "0000:06:00.0"));
	assert_non_null(strstr(f->cause, "<hyperv><vendor_id state='on'/> and <kvm><hidden state='on'/>"));
	assert_non_null(strstr(f->fix, "vfiokit vm edit win10 --gpu 0000:06:00.0 --hide-kvm --define"));
	assert_non_null(f = find(&rep, "guest-ioapic-split", "0000:06:00.0"));
	assert_non_null(strstr(f->fix, "<ioapic driver='kvm'/>"));
	assert_non_null(f = find(&rep, "guest-vm-detection", "0000:07:00.0"));
	assert_null(strstr(f->cause, "hidden"));
	assert_null(strstr(f->fix, "--hide-kvm"));
	doctor_report_clear(&rep);

	g.hv_vendor_id = true;
	g.q35 = false;
	assert_int_equal(doctor_report_guest(&rep, &h, &g), 0);
	assert_int_equal(rep.n, 1);
	assert_non_null(f = find(&rep, "guest-vm-detection", "0000:06:00.0"));
	assert_null(strstr(f->cause, "vendor_id"));
	doctor_report_clear(&rep);

	g.kvm_hidden = g.q35 = g.ioapic_kvm = true;
	assert_int_equal(doctor_report_guest(&rep, &h, &g), 0);
	assert_int_equal(rep.n, 0);
	doctor_report_clear(&rep);
}

/* A resizable BAR of a GPU on vfio-pci past 256 MiB: a warning with the
 * udev rule; 256 MiB, an unknown size or a device that is no GPU: none. */
static void test_rebar(void **state)
{
	struct pci_device devs[] = { gpu("0000:06:00.0", 0x10de, 0x030000), gpu("0000:07:00.0", 0x1002, 0x030000),
				     gpu("0000:08:00.0", 0x1002, 0x030000), gpu("0000:09:00.0", 0x8086, 0x010802) };
	struct host h = { .pci = devs, .npci = 4 };
	struct doctor_report rep = { 0 };
	const struct doctor_finding *f;

	(void)state;
	devs[0].rebar_sizes[1] = 0x3f00; /* 256 MiB .. 8 GiB */
	devs[0].bar_len[1] = 8ull << 30;
	devs[1].rebar_sizes[0] = 0x3f00;
	devs[1].bar_len[0] = 256u << 20;
	devs[1].rebar_sizes[2] = 0x3e00; /* 512 MiB .. 8 GiB, size unread */
	devs[2].rebar_sizes[0] = 0x7e00; /* 512 MiB .. 16 GiB */
	devs[2].bar_len[0] = 16ull << 30;
	devs[3].rebar_sizes[0] = 0xff00;
	devs[3].bar_len[0] = 8ull << 30;
	assert_int_equal(doctor_report_finish(&rep, &h), 0);
	assert_int_equal(rep.n, 2);
	assert_non_null(f = find(&rep, "resizable-bar", "0000:06:00.0"));
	assert_int_equal(f->severity, DOCTOR_WARNING);
	assert_non_null(strstr(f->cause, "BAR 1 is 8 GiB now (256 MiB after the fix)"));
	assert_non_null(strstr(f->fix, "ATTR{vendor}==\"0x10de\", ATTR{device}==\"0x1234\", ATTR{resource1_resize}=\"8\""));
	assert_non_null(strstr(f->fix, "echo 8 > /sys/bus/pci/devices/0000:06:00.0/resource1_resize"));
	assert_non_null(f = find(&rep, "resizable-bar", "0000:08:00.0"));
	assert_non_null(strstr(f->fix, "ATTR{resource0_resize}=\"9\""));
	doctor_report_clear(&rep);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strip),
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_reader),
		cmocka_unit_test(test_guest),
		cmocka_unit_test(test_rebar),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
