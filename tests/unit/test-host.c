/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The host model on the fixture hosts in tests/fixtures/hosts (see
 * tests/fixtures/specs for what each one holds). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "plan/checks.h"
#include "host/host.h"
#include "plan/isolation.h"

static const char *fixtures;

static struct host *load(const char *name, unsigned flags, struct path_root **root)
{
	_cleanup_free_ char *dir = strdupf("%s/%s", fixtures, name);
	struct host *h = NULL;

	assert_non_null(dir);
	assert_int_equal(path_root_open(dir, root), 0);
	assert_int_equal(host_load(*root, flags, &h), 0);
	return h;
}

static const struct pci_device *dev(const struct host *h, const char *addr)
{
	struct pci_addr a;

	assert_int_equal(parse_pci_addr(addr, &a), 0);
	return host_find_pci(h, &a);
}

static enum group_verdict verdict(const struct host *h, int group)
{
	const struct iommu_group *g = host_find_group(h, group);
	struct group_assessment a;
	enum group_verdict v;

	assert_non_null(g);
	assert_int_equal(isolation_assess(h, g, NULL, &a), 0);
	v = a.verdict;
	group_assessment_clear(&a);
	return v;
}

static const struct check_result *find_check(const struct check_report *rep, const char *id)
{
	for (size_t i = 0; i < rep->n; i++)
		if (streq(rep->r[i].id, id))
			return &rep->r[i];
	fail_msg("no check %s", id);
	return NULL;
}

static void test_article(void **state)
{
	struct path_root *root;
	struct host *h = load("article", HOST_LOAD_ALL, &root);
	const struct pci_device *gpu = dev(h, "06:00.0"), *ehci = dev(h, "00:1a.0");
	const struct iommu_group *g13 = host_find_group(h, 13);

	assert_int_equal(h->diags.n, 0);
	assert_int_equal(h->npci, 17);
	assert_int_equal(h->ngroups, 12);
	assert_non_null(g13);
	assert_int_equal(g13->ndevs, 2);
	assert_string_equal(h->pci[g13->devs[0]].name, "0000:06:00.0");
	assert_string_equal(h->pci[g13->devs[1]].name, "0000:06:00.1");

	assert_non_null(gpu);
	assert_int_equal(gpu->vendor, 0x10de);
	assert_int_equal(gpu->device, 0x13c2);
	assert_int_equal(gpu->class, 0x030000);
	assert_int_equal(gpu->revision, 0xa1);
	assert_string_equal(gpu->driver, "nouveau");
	assert_string_equal(gpu->device_name, "GM204 [GeForce GTX 970]");
	assert_int_equal(gpu->modules.n, 2);
	assert_string_equal(gpu->modules.v[0], "nouveau");
	assert_string_equal(gpu->modules.v[1], "nvidia");
	assert_false(gpu->has_reset);
	assert_null(gpu->reset_method);
	assert_int_equal(gpu->boot_vga, 0);
	assert_int_equal(gpu->nparents, 1);
	assert_int_equal(gpu->parents[0].dev, 0x1c);
	assert_int_equal(gpu->parents[0].fn, 4);
	assert_int_equal(gpu->role, PCI_ROLE_ENDPOINT);
	assert_int_equal(dev(h, "00:1c.4")->role, PCI_ROLE_ROOT_PORT);
	assert_int_equal(dev(h, "00:00.0")->role, PCI_ROLE_HOST_BRIDGE);
	assert_int_equal(dev(h, "00:02.0")->boot_vga, 1);
	assert_string_equal(dev(h, "00:1b.0")->reset_method, "flr");

	/* The article's "USB controller" listing: bus 1 on 00:1a.0. */
	assert_int_equal(ehci->nusb, 1);
	assert_int_equal(ehci->usb[0].busnum, 1);
	assert_int_equal(ehci->usb[0].ndevs, 5);
	assert_int_equal(ehci->usb[0].devs[2].vendor, 0x04f2);
	assert_int_equal(ehci->usb[0].devs[2].product, 0xb217);
	assert_string_equal(ehci->usb[0].devs[2].product_name, "Integrated Camera");

	assert_int_equal(verdict(h, 13), VERDICT_ISOLATED);
	assert_int_equal(verdict(h, 1), VERDICT_WITH_ROOT_PORT);
	assert_int_equal(verdict(h, 0), VERDICT_BRIDGES_ONLY);
	assert_int_equal(verdict(h, 11), VERDICT_ISOLATED); /* 00:1f.0/.2/.3: one slot */

	assert_string_equal(h->kernel.release, "6.6.10-arch1-1");
	assert_string_equal(cmdline_get(&h->kernel.cmdline, "intel_iommu")->value, "on");
	assert_int_equal(host_module_state(h, "vfio-pci"), MODULE_AVAILABLE);
	assert_int_equal(host_module_state(h, "nouveau"), MODULE_LOADED);
	assert_int_equal(host_module_state(h, "xhci_hcd"), MODULE_BUILTIN);
	assert_int_equal(host_module_state(h, "vfio_virqfd"), MODULE_ABSENT);
	assert_int_equal(h->iommu.units.n, 2);
	assert_true(h->iommu.dmar);
	assert_int_equal(h->iommu.ir_active, 1);
	assert_int_equal(h->iommu.ir_capable, 1);
	assert_true(h->cpu.vmx);
	assert_true(h->sys.kvm_dev);
	assert_string_equal(h->sys.os_id, "arch");

	{
		struct check_report rep;
		assert_int_equal(checks_run(h, &rep), 0);
		assert_int_equal(find_check(&rep, "iommu-active")->status, CHECK_PASS);
		assert_int_equal(find_check(&rep, "gpu-isolated")->status, CHECK_PASS);
		assert_int_equal(find_check(&rep, "gpu-reset")->status, CHECK_WARN);
		assert_int_equal(check_report_count(&rep, CHECK_FAIL), 0);
		check_report_clear(&rep);
	}
	host_free(h);
	path_root_free(root);
}

static void test_shared(void **state)
{
	struct path_root *root;
	struct host *h = load("shared-group", HOST_LOAD_ALL, &root);
	const struct iommu_group *g = host_find_group(h, 2);
	struct group_assessment a;
	struct check_report rep;

	assert_int_equal(h->diags.n, 0);
	assert_int_equal(isolation_assess(h, g, NULL, &a), 0);
	assert_int_equal(a.verdict, VERDICT_SHARED);
	assert_int_equal(a.card.bus, 6); /* the GPU, not the first endpoint */
	assert_int_equal(a.nothers, 3);
	assert_string_equal(h->pci[a.others[0]].name, "0000:02:00.0");
	assert_string_equal(h->pci[a.others[2]].name, "0000:05:00.0");
	assert_int_equal(a.nbridges, 4);
	group_assessment_clear(&a);
	assert_int_equal(dev(h, "03:04.0")->role, PCI_ROLE_BRIDGE);
	assert_int_equal(verdict(h, 3), VERDICT_WITH_ROOT_PORT);

	assert_int_equal(checks_run(h, &rep), 0);
	/* amd_iommu=on is not a kernel value: a warning, never a pass. */
	assert_int_equal(find_check(&rep, "kernel-params")->status, CHECK_WARN);
	assert_int_equal(find_check(&rep, "gpu-isolated")->status, CHECK_WARN);
	check_report_clear(&rep);
	host_free(h);
	path_root_free(root);
}

static void test_iommu_off(void **state)
{
	struct path_root *root;
	struct host *h = load("iommu-off", HOST_LOAD_ALL, &root);
	struct check_report rep;

	assert_int_equal(h->ngroups, 0);
	assert_false(h->iommu.groups_dir);
	assert_int_equal(h->npci, 9);
	assert_int_equal(dev(h, "01:00.3")->iommu_group, -1);
	assert_int_equal(host_module_state(h, "vfio_pci"), MODULE_BUILTIN);
	assert_int_equal(checks_run(h, &rep), 0);
	assert_int_equal(find_check(&rep, "iommu-active")->status, CHECK_FAIL);
	assert_non_null(strstr(find_check(&rep, "iommu-active")->fix, "intel_iommu=on"));
	assert_int_equal(find_check(&rep, "ovmf")->status, CHECK_FAIL);
	assert_string_equal(find_check(&rep, "ovmf")->fix, "apt install ovmf");
	assert_int_equal(find_check(&rep, "clocksource")->status, CHECK_WARN);
	assert_int_equal(find_check(&rep, "vfio-modules")->status, CHECK_PASS);
	check_report_clear(&rep);
	host_free(h);
	path_root_free(root);
}

/* Which IOMMU the firmware reports decides check's advice, as it does
 * setup's, whatever the CPU vendor says (host_iommu_kind()). */
static const struct check_result *iommu_checks(const char *name, enum iommu_kind kind, struct check_report *rep,
					       const struct check_result **params)
{
	struct path_root *root;
	struct host *h = load(name, HOST_LOAD_ALL, &root);
	const struct check_result *active;

	assert_int_equal(host_iommu_kind(h), kind);
	assert_int_equal(checks_run(h, rep), 0);
	host_free(h);
	path_root_free(root);
	active = find_check(rep, "iommu-active");
	*params = find_check(rep, "kernel-params");
	return active;
}

static void test_iommu_kind(void **state)
{
	const struct check_result *active, *params;
	struct check_report rep;
	struct path_root *root;
	struct host *h;

	(void)state;
	active = iommu_checks("article", IOMMU_KIND_INTEL, &rep, &params);
	assert_int_equal(params->status, CHECK_PASS);
	check_report_clear(&rep);
	active = iommu_checks("shared-group", IOMMU_KIND_AMD, &rep, &params);
	assert_int_equal(params->status, CHECK_WARN);
	check_report_clear(&rep);

	/* An Intel CPU over AMD-Vi: amd_iommu=off is what keeps it off. */
	active = iommu_checks("intel-amdvi", IOMMU_KIND_AMD, &rep, &params);
	assert_int_equal(active->status, CHECK_FAIL);
	assert_string_equal(active->fix, "remove amd_iommu=off from the kernel command line");
	assert_int_equal(params->status, CHECK_WARN);
	assert_non_null(strstr(params->detail, "intel_iommu=on has no effect"));
	check_report_clear(&rep);

	/* Neither Intel nor AMD, with VT-d: intel_iommu=on. */
	active = iommu_checks("zhaoxin", IOMMU_KIND_INTEL, &rep, &params);
	assert_non_null(strstr(active->fix, "add intel_iommu=on"));
	assert_int_equal(params->status, CHECK_FAIL);
	assert_string_equal(params->fix, "add intel_iommu=on to the kernel command line");
	check_report_clear(&rep);

	/* No table read: no parameter advised, the fact named. */
	active = iommu_checks("acpi-unread", IOMMU_KIND_UNREAD, &rep, &params);
	assert_int_equal(active->status, CHECK_FAIL);
	assert_non_null(strstr(active->detail, "no ACPI table could be read in /sys/firmware/acpi/tables"));
	assert_null(strstr(active->fix, "add intel_iommu=on"));
	assert_int_equal(params->status, CHECK_SKIP);
	assert_non_null(strstr(params->detail, "no ACPI table could be read"));
	check_report_clear(&rep);

	/* Both tables: which one the kernel uses cannot be told. */
	h = load("iommu-off", HOST_LOAD_ALL, &root);
	assert_int_equal(strv_push(&h->iommu.acpi_tables, "IVRS"), 0);
	h->iommu.ivrs = true;
	assert_int_equal(host_iommu_kind(h), IOMMU_KIND_BOTH);
	assert_int_equal(checks_run(h, &rep), 0);
	assert_non_null(strstr(find_check(&rep, "iommu-active")->detail, "both DMAR (Intel VT-d) and IVRS"));
	assert_int_equal(find_check(&rep, "kernel-params")->status, CHECK_SKIP);
	check_report_clear(&rep);
	host_free(h);
	path_root_free(root);
}

static bool has_diag(const struct host *h, const char *needle)
{
	for (size_t i = 0; i < h->diags.n; i++)
		if (strstr(h->diags.v[i], needle))
			return true;
	return false;
}

static void test_malformed(void **state)
{
	struct path_root *root;
	struct host *h = load("malformed", HOST_LOAD_ALL, &root);

	/* Broken devices are named and skipped; the rest is still read. */
	assert_int_equal(h->npci, 3);
	assert_int_equal(dev(h, "00:01.0")->boot_vga, -1);
	assert_null(dev(h, "00:02.0"));
	assert_true(has_diag(h, "/sys/bus/pci/devices/0000:00:02.0: vendor is not a hex number"));
	assert_true(has_diag(h, "/sys/bus/pci/devices/0000:00:03.0: cannot read class: Is a directory"));
	assert_true(has_diag(h, "0000:00:04.0: device is not a hex number"));
	assert_true(has_diag(h, "/sys/bus/pci/devices/0000:00:09.0: cannot open device directory"));
	assert_true(has_diag(h, "lists 0000:00:0f.0, which is not a usable device"));
	assert_true(has_diag(h, "lists not-an-address, which is not a PCI address"));
	assert_true(has_diag(h, "iommu_group 5 has no directory"));
	assert_true(has_diag(h, "/proc/sys/kernel/osrelease: not a kernel release"));
	assert_true(has_diag(h, "ecap: not a hex number"));
	assert_null(h->kernel.release);
	assert_int_equal(host_find_group(h, 1)->missing.n, 2);
	host_free(h);
	path_root_free(root);
}

/* Symlinks and ".." never leave the root, whatever they say: with openat2
 * and with the walk done without it (kernels before 5.6). */
static void path_confined(bool walk)
{
	char dir[] = "/tmp/vfiokit-test.XXXXXX";
	struct path_root *root;
	char *s = NULL;

	assert_non_null(mkdtemp(dir));
	_cleanup_free_ char *etc = strdupf("%s/etc", dir), *abs = strdupf("%s/abs", dir),
			    *rel = strdupf("%s/rel", dir), *own = strdupf("%s/etc/hostname", dir),
			    *inabs = strdupf("%s/inabs", dir), *indir = strdupf("%s/indir", dir),
			    *loop = strdupf("%s/loop", dir);
	assert_int_equal(mkdir(etc, 0755), 0);
	assert_int_equal(symlink("/etc/os-release", abs), 0);
	assert_int_equal(symlink("../../../../../../etc/os-release", rel), 0);
	assert_int_equal(symlink("/etc/../../etc/hostname", inabs), 0);
	assert_int_equal(symlink("etc/../etc", indir), 0);
	assert_int_equal(symlink("loop", loop), 0);
	{
		int fd = open(own, O_WRONLY | O_CREAT, 0644);
		assert_true(fd >= 0);
		assert_int_equal(write(fd, "inside\n", 7), 7);
		close(fd);
	}
	assert_int_equal(path_root_open(dir, &root), 0);
	if (walk)
		path_root_disable_openat2(root);
	assert_false(path_root_is_live(root));
	assert_int_equal(path_read_string(root, "abs", &s), -ENOENT);
	assert_int_equal(path_read_string(root, "rel", &s), -ENOENT);
	assert_int_equal(path_read_string(root, "../../../../etc/os-release", &s), -ENOENT);
	assert_int_equal(path_read_string(root, "etc/../../../etc/passwd", &s), -ENOENT);
	assert_int_equal(path_read_string(root, "loop", &s), -ELOOP);
	assert_int_equal(path_read_string(root, "/etc/hostname", &s), 0);
	assert_string_equal(s, "inside");
	free(s);
	/* Absolute and relative links resolve inside the root. */
	assert_int_equal(path_read_string(root, "inabs", &s), 0);
	assert_string_equal(s, "inside");
	free(s);
	assert_int_equal(path_read_string(root, "indir/./hostname", &s), 0);
	assert_string_equal(s, "inside");
	free(s);
	path_root_free(root);

	assert_int_equal(path_root_open("/nonexistent/vfiokit", &root), -ENOENT);
	assert_int_equal(path_root_open(own, &root), -ENOTDIR);
	unlink(own);
	unlink(abs);
	unlink(rel);
	unlink(inabs);
	unlink(indir);
	unlink(loop);
	rmdir(etc);
	rmdir(dir);
}

static void put(const char *dir, const char *rel, const char *text)
{
	_cleanup_free_ char *path = strdupf("%s/%s", dir, rel);
	int fd;

	assert_non_null(path);
	for (char *p = path + strlen(dir) + 1; (p = strchr(p, '/')); *p++ = '/') {
		*p = '\0';
		assert_true(mkdir(path, 0755) == 0 || errno == EEXIST);
	}
	if (!text)
		return;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

/* Another spelling of a device address or group number is not a second
 * device or group (found by tests/fuzz/fuzz-host.c). */
static void test_one_spelling(void **state)
{
	static const char *const devices[] = { "0000:03:00.0", "03:00.0", "0000:03:00.0 ", "00000:03:00.0",
					       "0000:0A:00.0", "0000:0a:00.0" };
	char dir[] = "/tmp/vfiokit-test.XXXXXX";
	struct path_root *root;
	struct host *h = NULL;

	assert_non_null(mkdtemp(dir));
	for (size_t i = 0; i < ARRAY_SIZE(devices); i++)
		for (const char *const *a = (const char *const[]){ "vendor", "device", "class", NULL }; *a; a++) {
			_cleanup_free_ char *rel = strdupf("sys/bus/pci/devices/%s/%s", devices[i], *a);
			put(dir, rel, streq(*a, "class") ? "0x030000\n" : "0x10de\n");
		}
	put(dir, "sys/kernel/iommu_groups/13/devices/0000:03:00.0", "");
	put(dir, "sys/kernel/iommu_groups/13/devices/03:00.0", "");
	put(dir, "sys/kernel/iommu_groups/013/devices/", NULL);
	put(dir, "sys/kernel/iommu_groups/+13/devices/", NULL);
	assert_int_equal(path_root_open(dir, &root), 0);
	assert_int_equal(host_load(root, HOST_LOAD_PCI, &h), 0);
	assert_int_equal(h->npci, 2);
	assert_string_equal(h->pci[0].name, "0000:03:00.0");
	assert_string_equal(h->pci[1].name, "0000:0a:00.0");
	assert_true(has_diag(h, "/sys/bus/pci/devices/03:00.0: not a PCI address as the kernel writes it (0000:03:00.0)"));
	assert_true(has_diag(h, "/sys/bus/pci/devices/0000:0A:00.0: not a PCI address as the kernel writes it"));
	assert_int_equal(h->ngroups, 1);
	assert_int_equal(h->groups[0].ndevs, 1);
	assert_int_equal(h->groups[0].missing.n, 1);
	assert_string_equal(h->groups[0].missing.v[0], "03:00.0");
	assert_true(has_diag(h, "entry \"013\" is not a group number"));
	host_free(h);
	path_root_free(root);
	assert_int_equal(nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS), 0);
}

/* A config space header: vendor:device, class, revision, header type and,
 * for type 0, subsystem ids at 0x2c. */
static void put_config(const char *dir, const char *dev, uint16_t ven, uint16_t did, uint32_t cls, uint8_t rev,
		       uint8_t header, uint16_t sv, uint16_t sd, size_t len)
{
	_cleanup_free_ char *path = strdupf("%s/sys/bus/pci/devices/%s/config", dir, dev);
	uint8_t cfg[256] = { ven & 0xff, ven >> 8, did & 0xff, did >> 8 };
	int fd;

	cfg[0x08] = rev;
	cfg[0x09] = cls & 0xff;
	cfg[0x0a] = (cls >> 8) & 0xff;
	cfg[0x0b] = cls >> 16;
	cfg[0x0e] = header;
	cfg[0x2c] = sv & 0xff;
	cfg[0x2d] = sv >> 8;
	cfg[0x2e] = sd & 0xff;
	cfg[0x2f] = sd >> 8;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, cfg, len), (ssize_t)len);
	close(fd);
}

/* Identity from config space, and from the attribute files where config
 * space does not say what the kernel has. */
static void test_config_identity(void **state)
{
	char dir[] = "/tmp/vfiokit-test.XXXXXX";
	_cleanup_free_ char *fifo = NULL;
	struct path_root *root;
	struct host *h = NULL;
	const struct pci_device *d;

	assert_non_null(mkdtemp(dir));
	/* config only: no attribute file at all */
	put(dir, "sys/bus/pci/devices/0000:01:00.0/", NULL);
	put_config(dir, "0000:01:00.0", 0x10de, 0x1b80, 0x030000, 0xa1, 0, 0x1458, 0x3702, 256);
	/* an xHCI controller the kernel made a USB device (quirk_amd_nl_class):
	 * the class file says so, config space does not */
	put(dir, "sys/bus/pci/devices/0000:02:00.0/class", "0x0c03fe\n");
	put_config(dir, "0000:02:00.0", 0x1022, 0x7912, 0x0c0330, 0x00, 0, 0x1022, 0x7912, 64);
	/* an SR-IOV virtual function: config space reads 0xffff */
	put(dir, "sys/bus/pci/devices/0000:03:00.1/vendor", "0x8086\n");
	put(dir, "sys/bus/pci/devices/0000:03:00.1/device", "0x154c\n");
	put(dir, "sys/bus/pci/devices/0000:03:00.1/class", "0x020000\n");
	put(dir, "sys/bus/pci/devices/0000:03:00.1/revision", "0x02\n");
	put_config(dir, "0000:03:00.1", 0xffff, 0xffff, 0xffffff, 0xff, 0x7f, 0xffff, 0xffff, 64);
	/* cut short (a copied tree): the attribute files, which say otherwise */
	put(dir, "sys/bus/pci/devices/0000:04:00.0/vendor", "0x10ec\n");
	put(dir, "sys/bus/pci/devices/0000:04:00.0/device", "0x8168\n");
	put(dir, "sys/bus/pci/devices/0000:04:00.0/class", "0x020000\n");
	put_config(dir, "0000:04:00.0", 0x8086, 0x1533, 0x020000, 0x03, 0, 0x8086, 0x0001, 63);
	/* a directory where config belongs: named, and the files say the rest */
	put(dir, "sys/bus/pci/devices/0000:05:00.0/vendor", "0x8086\n");
	put(dir, "sys/bus/pci/devices/0000:05:00.0/device", "0x1533\n");
	put(dir, "sys/bus/pci/devices/0000:05:00.0/class", "0x020000\n");
	put(dir, "sys/bus/pci/devices/0000:05:00.0/config/", NULL);
	/* a FIFO: refused without blocking */
	put(dir, "sys/bus/pci/devices/0000:06:00.0/vendor", "0x8086\n");
	put(dir, "sys/bus/pci/devices/0000:06:00.0/device", "0x1533\n");
	put(dir, "sys/bus/pci/devices/0000:06:00.0/class", "0x020000\n");
	fifo = strdupf("%s/sys/bus/pci/devices/0000:06:00.0/config", dir);
	assert_int_equal(mkfifo(fifo, 0644), 0);
	/* a bridge (header type 1): 0x2c is not its subsystem, the files are */
	put(dir, "sys/bus/pci/devices/0000:00:01.0/class", "0x060400\n");
	put(dir, "sys/bus/pci/devices/0000:00:01.0/subsystem_vendor", "0x1043\n");
	put(dir, "sys/bus/pci/devices/0000:00:01.0/subsystem_device", "0x8694\n");
	put_config(dir, "0000:00:01.0", 0x8086, 0x1901, 0x060400, 0x07, 1, 0xdead, 0xbeef, 64);
	/* A PCI bridge's class with a bridge's header: config space says what
	 * the kernel has, and the class file (which would disagree only in a
	 * tree made by hand) is not read. */
	put(dir, "sys/bus/pci/devices/0000:00:1c.0/class", "0x060000\n");
	put_config(dir, "0000:00:1c.0", 0x8086, 0xa338, 0x060400, 0xf0, 1, 0, 0, 64);
	/* ... but for a vendor whose host controllers a fixup makes host
	 * bridges (Marvell: arch/arm's rc_pci_fixup), and for a bridge class
	 * with a header that is not a bridge's (the kernel makes it 0) */
	put(dir, "sys/bus/pci/devices/0000:00:1d.0/class", "0x060000\n");
	put_config(dir, "0000:00:1d.0", 0x11ab, 0x6281, 0x060400, 0x02, 1, 0, 0, 64);
	put(dir, "sys/bus/pci/devices/0000:00:1e.0/class", "0x000000\n");
	put_config(dir, "0000:00:1e.0", 0x1b21, 0x1182, 0x060400, 0x00, 0, 0, 0, 64);
	/* a subtractive-decode bridge, which a fixup may make 0x060400 */
	put(dir, "sys/bus/pci/devices/0000:00:1f.0/class", "0x060400\n");
	put_config(dir, "0000:00:1f.0", 0x17cb, 0x0101, 0x060401, 0x00, 1, 0, 0, 64);
	/* a NetMos serial card with parallel ports (quirk_netmos: 0x0780) */
	put(dir, "sys/bus/pci/devices/0000:07:00.0/class", "0x078000\n");
	put_config(dir, "0000:07:00.0", 0x9710, 0x9865, 0x070002, 0x00, 0, 0x1000, 0x0012, 64);

	assert_int_equal(path_root_open(dir, &root), 0);
	assert_int_equal(host_load(root, HOST_LOAD_PCI, &h), 0);
	assert_int_equal(h->npci, 12);
	assert_int_equal(dev(h, "00:1c.0")->class, 0x060400);
	assert_int_equal(dev(h, "00:1d.0")->class, 0x060000);
	assert_int_equal(dev(h, "00:1e.0")->class, 0x000000);
	assert_int_equal(dev(h, "00:1f.0")->class, 0x060400);
	assert_int_equal(dev(h, "07:00.0")->class, 0x078000);

	d = dev(h, "01:00.0");
	assert_non_null(d);
	assert_int_equal(d->vendor, 0x10de);
	assert_int_equal(d->device, 0x1b80);
	assert_int_equal(d->class, 0x030000);
	assert_true(d->has_revision);
	assert_int_equal(d->revision, 0xa1);
	assert_true(d->has_subsys);
	assert_int_equal(d->subvendor, 0x1458);
	assert_int_equal(d->subdevice, 0x3702);

	d = dev(h, "02:00.0");
	assert_int_equal(d->vendor, 0x1022);
	assert_int_equal(d->class, 0x0c03fe);

	d = dev(h, "03:00.1");
	assert_int_equal(d->vendor, 0x8086);
	assert_int_equal(d->device, 0x154c);
	assert_int_equal(d->class, 0x020000);
	assert_int_equal(d->revision, 0x02);
	assert_false(d->has_subsys);

	d = dev(h, "04:00.0");
	assert_int_equal(d->vendor, 0x10ec);
	assert_int_equal(d->device, 0x8168);
	assert_false(d->has_revision);

	assert_int_equal(dev(h, "05:00.0")->device, 0x1533);
	assert_true(has_diag(h, "/sys/bus/pci/devices/0000:05:00.0: cannot read config: Is a directory"));
	assert_int_equal(dev(h, "06:00.0")->device, 0x1533);
	assert_true(has_diag(h, "/sys/bus/pci/devices/0000:06:00.0: cannot read config: not a regular file"));

	d = dev(h, "00:01.0");
	assert_int_equal(d->role, PCI_ROLE_ROOT_PORT);
	assert_int_equal(d->revision, 0x07);
	assert_true(d->has_subsys);
	assert_int_equal(d->subvendor, 0x1043);
	assert_int_equal(d->subdevice, 0x8694);
	assert_false(has_diag(h, "0000:01:00.0"));
	assert_false(has_diag(h, "0000:04:00.0"));
	host_free(h);
	path_root_free(root);
	assert_int_equal(nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS), 0);
}

static void test_path_confined(void **state)
{
	path_confined(false);
}

static void test_path_confined_without_openat2(void **state)
{
	path_confined(true);
}

/* procfs seq_files return short reads with more to come: a SOCK_SEQPACKET
 * socket returns one message per read(), so each read here is short. The
 * whole text must come back, not the first piece. */
static void test_read_short_chunks(void **state)
{
	static const char *const pieces[] = { "36 1 8:2 / / rw - ext4 /dev/sda2 rw\n", "37 36 0:5 / /dev rw - devtmpfs\n",
					      "90 36 259:3 / /srv rw - xfs /dev/nvme0n1p3 rw\n" };
	char want[256] = "", *text = NULL;
	int sv[2];
	size_t len = 0;

	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	for (size_t i = 0; i < ARRAY_SIZE(pieces); i++) {
		assert_int_equal(write(sv[1], pieces[i], strlen(pieces[i])), (ssize_t)strlen(pieces[i]));
		strcat(want, pieces[i]);
	}
	close(sv[1]); /* then EOF */
	assert_int_equal(read_fd_text(sv[0], 65536, &text, &len), 0);
	assert_string_equal(text, want);
	assert_int_equal(len, strlen(want));
	free(text);
	close(sv[0]);
}

/* A FIFO would hang a read, a device node may act on open: neither is
 * opened; both are PATH_ENOTREG, by path and as an attribute of a directory. */
static void test_path_not_regular(void **state)
{
	char dir[] = "/tmp/vfiokit-test.XXXXXX";
	struct path_root *root;
	struct path_dir d;
	char *s = NULL;
	uint8_t *b = NULL;
	size_t len;

	assert_non_null(mkdtemp(dir));
	_cleanup_free_ char *fifo = strdupf("%s/fifo", dir), *link = strdupf("%s/link", dir);
	assert_int_equal(mkfifo(fifo, 0644), 0);
	assert_int_equal(symlink("fifo", link), 0);
	assert_int_equal(path_root_open(dir, &root), 0);
	assert_int_equal(path_read_string(root, "fifo", &s), -PATH_ENOTREG);
	assert_int_equal(path_read_string(root, "link", &s), -PATH_ENOTREG);
	assert_int_equal(path_read_binary(root, "fifo", 1024, &b, &len), -PATH_ENOTREG);
	assert_int_equal(path_dir_open(root, ".", &d), 0);
	assert_int_equal(path_dir_read(&d, "fifo", &s), -PATH_ENOTREG);
	path_dir_close(&d);
	assert_string_equal(path_strerror(-PATH_ENOTREG), "not a regular file (a FIFO, device node or socket)");
	path_root_free(root);
	unlink(link);
	unlink(fifo);
	rmdir(dir);
}

/* A directory's listing, read to its end by the end offset sysfs and ext4
 * give (one call) or by a call that lists nothing (tmpfs): every name and
 * its type there, nothing more, in a small directory and in one of 2,000
 * names (several calls); a FIFO, a link and a directory where a file is
 * expected refused from the listing as without it. */
static void listing_whole(const char *base, size_t nfiles)
{
	_cleanup_free_ char *dir = strdupf("%s/vfiokit-test.XXXXXX", base);
	struct path_listing l = { 0 }, l2 = { 0 };
	struct path_root *root;
	struct path_dir d, d2;
	const char **names = NULL;
	size_t n = 0;
	char *s = NULL;
	uint8_t head[4];
	size_t len;

	if (!mkdtemp(dir))
		return; /* no such file system here */
	for (size_t i = 0; i < nfiles; i++) {
		char rel[32], text[32];
		snprintf(rel, sizeof(rel), "attr%zu", i);
		snprintf(text, sizeof(text), "%zu\n", i);
		put(dir, rel, text);
	}
	_cleanup_free_ char *fifo = strdupf("%s/fifo", dir), *link = strdupf("%s/link", dir),
			    *sub = strdupf("%s/sub", dir);
	assert_int_equal(mkfifo(fifo, 0644), 0);
	assert_int_equal(symlink("attr0", link), 0);
	assert_int_equal(mkdir(sub, 0755), 0);
	assert_int_equal(path_root_open(dir, &root), 0);
	assert_int_equal(path_dir_open(root, ".", &d), 0);
	assert_int_equal(path_dir_scan(&d, &l), 0);
	for (size_t i = 0; i < nfiles; i++) {
		char rel[32], text[32];
		snprintf(rel, sizeof(rel), "attr%zu", i);
		snprintf(text, sizeof(text), "%zu", i);
		assert_true(path_dir_exists(&d, rel));
		assert_int_equal(path_dir_read(&d, rel, &s), 0);
		assert_string_equal(s, text);
		free(s);
	}
	assert_false(path_dir_exists(&d, "absent"));
	assert_int_equal(path_dir_read(&d, "absent", &s), -ENOENT);
	assert_int_equal(path_dir_read(&d, "fifo", &s), -PATH_ENOTREG);
	assert_int_equal(path_dir_read_head(&d, "fifo", head, sizeof(head), &len), -PATH_ENOTREG);
	assert_int_equal(path_dir_read_head(&d, "link", head, sizeof(head), &len), -ELOOP);
	assert_int_equal(path_dir_read_head(&d, "sub", head, sizeof(head), &len), -EISDIR);
	assert_true(path_dir_exists(&d, "fifo"));
	assert_int_equal(path_dir_open(root, ".", &d2), 0);
	assert_int_equal(path_dir_names(&d2, &l2, &names, &n), 0);
	assert_int_equal(n, nfiles + 3);
	for (size_t i = 1; i < n; i++)
		assert_true(strcmp(names[i - 1], names[i]) < 0);
	assert_string_equal(names[n - 1], "sub");
	free(names);
	path_dir_close(&d2);
	path_dir_close(&d);
	path_listing_free(&l2);
	path_listing_free(&l);
	path_root_free(root);
	assert_int_equal(nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS), 0);
}

static void test_listing_whole(void **state)
{
	(void)state;
	listing_whole("/tmp", 5);
	listing_whole("/tmp", 2000);
	listing_whole("/dev/shm", 5); /* tmpfs: no end offset */
	listing_whole("/dev/shm", 2000);
}

static void test_trace(void **state)
{
	struct path_root *root;
	struct host *h = NULL;
	const struct path_trace_entry *e;
	size_t n;
	bool cmdline = false, link = false;
	_cleanup_free_ char *dir = strdupf("%s/article", fixtures);

	assert_int_equal(path_root_open(dir, &root), 0);
	path_trace_enable(root, true);
	assert_int_equal(host_load(root, HOST_LOAD_PCI | HOST_LOAD_SYSTEM, &h), 0);
	e = path_trace_entries(root, &n);
	assert_true(n > 100);
	for (size_t i = 0; i < n; i++) {
		cmdline |= e[i].kind == PATH_TRACE_FILE && streq(e[i].rel, "proc/cmdline");
		link |= e[i].kind == PATH_TRACE_LINK && streq(e[i].rel, "sys/bus/pci/devices/0000:06:00.0/iommu_group");
	}
	assert_true(cmdline);
	assert_true(link);
	host_free(h);
	path_root_free(root);
}

/* A link at run or run/vfiokit (an absolute one, resolved inside the root)
 * is never followed by path_lock(): nothing is made where it points. */
static void path_lock_links(bool walk)
{
	char dir[] = "/tmp/vfiokit-test.XXXXXX";
	struct path_root *root;
	struct stat st;
	int fd;

	assert_non_null(mkdtemp(dir));
	_cleanup_free_ char *run = strdupf("%s/run", dir), *vfk = strdupf("%s/run/vfiokit", dir),
			    *made = strdupf("%s/elsewhere/vfiokit", dir), *lock = strdupf("%s/elsewhere/lock", dir),
			    *real = strdupf("%s/run/vfiokit/lock", dir);
	put(dir, "elsewhere/", NULL);
	assert_int_equal(path_root_open(dir, &root), 0);
	if (walk)
		path_root_disable_openat2(root);
	assert_int_equal(symlink("/elsewhere", run), 0);
	assert_int_equal(path_lock(root, "run/vfiokit/lock"), -ELOOP);
	assert_int_equal(lstat(made, &st), -1);
	assert_int_equal(unlink(run), 0);
	assert_int_equal(mkdir(run, 0755), 0);
	assert_int_equal(symlink("/elsewhere", vfk), 0);
	assert_int_equal(path_lock(root, "run/vfiokit/lock"), -ELOOP);
	assert_int_equal(lstat(lock, &st), -1);
	assert_int_equal(unlink(vfk), 0);
	fd = path_lock(root, "run/vfiokit/lock");
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(lstat(real, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	path_root_free(root);
	assert_int_equal(nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS), 0);
}

static void test_path_lock_links(void **state)
{
	(void)state;
	path_lock_links(false);
	path_lock_links(true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_article),  cmocka_unit_test(test_shared),        cmocka_unit_test(test_iommu_off),
		cmocka_unit_test(test_malformed), cmocka_unit_test(test_path_confined), cmocka_unit_test(test_trace),
		cmocka_unit_test(test_one_spelling),
		cmocka_unit_test(test_config_identity),
		cmocka_unit_test(test_read_short_chunks),
		cmocka_unit_test(test_path_not_regular), cmocka_unit_test(test_path_confined_without_openat2),
		cmocka_unit_test(test_path_lock_links),
		cmocka_unit_test(test_listing_whole),
		cmocka_unit_test(test_iommu_kind),
	};

	fixtures = getenv("VFIOKIT_FIXTURES");
	if (!fixtures) {
		fprintf(stderr, "VFIOKIT_FIXTURES is not set\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
