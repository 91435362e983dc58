/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Prerequisites from the article's "Prerequisites", "Setting up IOMMU" and
 * "Troubleshooting" sections, and the field notes in docs/ARCHITECTURE.md.
 * "IOMMU active" is judged by /sys/class/iommu and the groups, never by
 * grepping the command line; the firmware side by the ACPI table. */
#include <stdarg.h>

#include "plan/checks.h"
#include "plan/vendor-reset.h"
#include "host/firmware.h"
#include "plan/isolation.h"

const char *check_status_name(enum check_status s)
{
	static const char *const names[] = { "PASS", "WARN", "FAIL", "SKIP" };

	return names[s];
}

/* Add a result; detail and fix are printf formats (fix may be NULL). */
static int add(struct check_report *rep, const char *id, const char *title, enum check_status st,
	       const char *fix, const char *detail_fmt, ...) _printf_(6, 7);

static int add(struct check_report *rep, const char *id, const char *title, enum check_status st,
	       const char *fix, const char *detail_fmt, ...)
{
	struct check_result *r;
	va_list ap;
	char *detail;

	va_start(ap, detail_fmt);
	if (vasprintf(&detail, detail_fmt, ap) < 0)
		detail = NULL;
	va_end(ap);
	if (!detail || GROW(rep->r, rep->alloc, rep->n + 1) < 0) {
		free(detail);
		return -ENOMEM;
	}
	r = &rep->r[rep->n];
	*r = (struct check_result){ .id = id, .title = title, .status = st, .detail = detail };
	if (fix && !(r->fix = strdup(fix))) {
		free(detail);
		return -ENOMEM;
	}
	rep->n++;
	return 0;
}

static const char *param(const struct host *h, const char *key)
{
	const struct cmdline_param *p = cmdline_get(&h->kernel.cmdline, key);

	if (!p)
		return NULL;
	return p->value ? p->value : "";
}

static bool iommu_active(const struct host *h)
{
	return h->iommu.units.n > 0 && h->ngroups > 0;
}

static int check_cpu(struct host *h, struct check_report *rep)
{
	const char *t = "CPU hardware virtualization";
	enum cpu_vendor v = host_cpu_vendor(h);

	if (!h->cpu.vendor_id)
		return add(rep, "cpu-virt", t, CHECK_SKIP, NULL, "/proc/cpuinfo could not be read");
	if (h->cpu.vmx || h->cpu.svm)
		return add(rep, "cpu-virt", t, CHECK_PASS, NULL, "%s: %s flag present", h->cpu.vendor_id,
			   h->cpu.vmx ? "vmx (Intel VT-x)" : "svm (AMD-V)");
	if (h->cpu.hypervisor)
		return add(rep, "cpu-virt", t, CHECK_FAIL,
			   "this host is itself a virtual machine: enable nested virtualization on its hypervisor",
			   "%s: no vmx/svm flag, and the CPU reports a hypervisor", h->cpu.vendor_id);
	return add(rep, "cpu-virt", t, CHECK_FAIL,
		   v == CPU_AMD ? "enable SVM (AMD-V) in the firmware setup" :
				  "enable Intel Virtualization Technology (VT-x) in the firmware setup",
		   "%s: no vmx/svm flag in /proc/cpuinfo", h->cpu.vendor_id);
}

static int check_kvm(struct host *h, struct check_report *rep)
{
	const char *t = "KVM device /dev/kvm";

	if (h->sys.kvm_dev)
		return add(rep, "kvm-device", t, CHECK_PASS, NULL, "/dev/kvm exists");
	if (!h->cpu.vmx && !h->cpu.svm)
		return add(rep, "kvm-device", t, CHECK_FAIL, "fix cpu-virt first", "/dev/kvm is missing");
	return add(rep, "kvm-device", t, CHECK_FAIL, h->cpu.vmx ? "modprobe kvm_intel" : "modprobe kvm_amd",
		   "/dev/kvm is missing: the KVM module is not loaded");
}

static int check_acpi(struct host *h, struct check_report *rep)
{
	const char *t = "IOMMU reported by the firmware (ACPI DMAR/IVRS)";
	enum cpu_vendor v = host_cpu_vendor(h);

	if (h->iommu.dmar || h->iommu.ivrs)
		return add(rep, "acpi-table", t, CHECK_PASS, NULL, "ACPI table %s present",
			   h->iommu.dmar ? "DMAR (Intel VT-d)" : "IVRS (AMD-Vi)");
	if (h->iommu.acpi_tables.n == 0)
		return add(rep, "acpi-table", t, CHECK_SKIP, NULL,
			   "no ACPI tables visible under /sys/firmware/acpi/tables");
	return add(rep, "acpi-table", t, CHECK_FAIL,
		   v == CPU_AMD ? "enable AMD-Vi (often called \"IOMMU\" or \"SVM/IOMMU\") in the firmware setup" :
		   v == CPU_INTEL ? "enable VT-d (\"Intel Virtualization Technology for Directed I/O\") in the firmware setup" :
				  "enable VT-d / AMD-Vi in the firmware setup",
		   "neither DMAR nor IVRS among %zu ACPI tables: the firmware does not report an IOMMU",
		   h->iommu.acpi_tables.n);
}

/* What host_iommu_kind() could not tell, for a detail; NULL when it could. */
static char *iommu_kind_unknown(const struct host *h)
{
	switch (host_iommu_kind(h)) {
	case IOMMU_KIND_UNREAD:
		return strdup("no ACPI table could be read in /sys/firmware/acpi/tables, so whether the IOMMU is "
			      "Intel VT-d (DMAR) or AMD-Vi (IVRS) cannot be told");
	case IOMMU_KIND_BOTH:
		return strdup("the firmware reports both DMAR (Intel VT-d) and IVRS (AMD-Vi), so which IOMMU the "
			      "kernel uses cannot be told");
	case IOMMU_KIND_NONE:
		return strdupf("the firmware reports no IOMMU: neither DMAR nor IVRS among %zu ACPI tables",
			       h->iommu.acpi_tables.n);
	case IOMMU_KIND_INTEL:
	case IOMMU_KIND_AMD:
		break;
	}
	return strdup("");
}

/* Which parameter turns the IOMMU on follows the firmware's table
 * (host_iommu_kind(), as setup chooses it), never the CPU vendor. */
static int check_iommu_active(struct host *h, struct check_report *rep)
{
	const char *t = "IOMMU active (groups exist)";
	const char *none = "no IOMMU groups in /sys/kernel/iommu_groups and no units in /sys/class/iommu";
	enum iommu_kind kind = host_iommu_kind(h);
	_cleanup_free_ char *units = NULL, *unknown = NULL;

	if (iommu_active(h)) {
		units = strv_join(&h->iommu.units, ", ");
		if (!units)
			return -ENOMEM;
		return add(rep, "iommu-active", t, CHECK_PASS, NULL, "%zu IOMMU groups; units: %s", h->ngroups, units);
	}
	if (param(h, "iommu") && streq(param(h, "iommu"), "off"))
		return add(rep, "iommu-active", t, CHECK_FAIL, "remove iommu=off from the kernel command line",
			   "no IOMMU groups: the kernel command line has iommu=off");
	if (kind == IOMMU_KIND_INTEL && param(h, "intel_iommu") && startswith(param(h, "intel_iommu"), "off"))
		return add(rep, "iommu-active", t, CHECK_FAIL, "replace intel_iommu=off with intel_iommu=on",
			   "no IOMMU groups: the kernel command line has intel_iommu=off");
	if (kind == IOMMU_KIND_AMD && param(h, "amd_iommu") && streq(param(h, "amd_iommu"), "off"))
		return add(rep, "iommu-active", t, CHECK_FAIL, "remove amd_iommu=off from the kernel command line",
			   "no IOMMU groups: the kernel command line has amd_iommu=off");
	if (kind == IOMMU_KIND_NONE)
		return add(rep, "iommu-active", t, CHECK_FAIL, "fix acpi-table first",
			   "no IOMMU groups, and the firmware reports no IOMMU");
	if (kind == IOMMU_KIND_UNREAD || kind == IOMMU_KIND_BOTH) {
		if (!(unknown = iommu_kind_unknown(h)))
			return -ENOMEM;
		return add(rep, "iommu-active", t, CHECK_FAIL,
			   "find out which IOMMU the machine has (dmesg names DMAR or AMD-Vi), then 'vfiokit setup --iommu intel' or '--iommu amd' chooses its parameter",
			   "%s; %s", none, unknown);
	}
	if (kind == IOMMU_KIND_INTEL && !(param(h, "intel_iommu") && strstr(param(h, "intel_iommu"), "on")))
		return add(rep, "iommu-active", t, CHECK_FAIL,
			   "add intel_iommu=on to the kernel command line and reboot (the kernel does not enable VT-d by default)",
			   "%s", none);
	return add(rep, "iommu-active", t, CHECK_FAIL,
		   kind == IOMMU_KIND_AMD ? "AMD-Vi is on whenever the firmware reports it: enable it in the firmware setup, update the firmware, and check dmesg for AMD-Vi errors" :
					    "check dmesg for DMAR/IOMMU errors",
		   "%s", none);
}

/* Kernel parameters: what fits the firmware's IOMMU (DMAR: intel_iommu=,
 * IVRS: amd_iommu=). amd_iommu=on is not a value the kernel accepts
 * (Documentation/admin-guide/kernel-parameters.txt lists fullflush, off,
 * force_isolation, ...), yet guides copy it from each other. */
static int check_params(struct host *h, struct check_report *rep)
{
	const char *t = "IOMMU kernel parameters fit the firmware's IOMMU";
	const char *intel = param(h, "intel_iommu"), *amd = param(h, "amd_iommu"), *iommu = param(h, "iommu");
	enum iommu_kind kind = host_iommu_kind(h);
	const char *pt = iommu && streq(iommu, "pt") ? "; iommu=pt (passthrough for host devices)" : "";
	_cleanup_free_ char *unknown = NULL;

	if (!h->kernel.cmdline_raw)
		return add(rep, "kernel-params", t, CHECK_SKIP, NULL, "/proc/cmdline could not be read");
	if (kind == IOMMU_KIND_AMD && amd && streq(amd, "on"))
		return add(rep, "kernel-params", t, CHECK_WARN, "remove amd_iommu=on from the kernel command line",
			   "amd_iommu=on is not a value the kernel accepts; AMD-Vi (IVRS) is on when the firmware reports it");
	if (kind == IOMMU_KIND_AMD && intel)
		return add(rep, "kernel-params", t, CHECK_WARN, "remove intel_iommu= from the kernel command line",
			   "intel_iommu=%s has no effect: the firmware's IOMMU is AMD-Vi (IVRS)", intel);
	if (kind == IOMMU_KIND_INTEL && amd)
		return add(rep, "kernel-params", t, CHECK_WARN, "remove amd_iommu= from the kernel command line",
			   "amd_iommu=%s has no effect: the firmware's IOMMU is Intel VT-d (DMAR)", amd);
	if (kind == IOMMU_KIND_INTEL) {
		if (intel && strstr(intel, "on"))
			return add(rep, "kernel-params", t, CHECK_PASS, NULL, "intel_iommu=%s%s", intel, pt);
		if (iommu_active(h))
			return add(rep, "kernel-params", t, CHECK_PASS, NULL,
				   "no intel_iommu=on, but this kernel enables VT-d by default%s", pt);
		return add(rep, "kernel-params", t, CHECK_FAIL, "add intel_iommu=on to the kernel command line",
			   "intel_iommu=on is missing for Intel VT-d (DMAR)%s", pt);
	}
	if (kind == IOMMU_KIND_AMD)
		return add(rep, "kernel-params", t, CHECK_PASS, NULL, "no parameter needed for AMD-Vi (IVRS)%s", pt);
	if (!(unknown = iommu_kind_unknown(h)))
		return -ENOMEM;
	return add(rep, "kernel-params", t, CHECK_SKIP, NULL, "not judged: %s", unknown);
}

static int check_acs(struct host *h, struct check_report *rep)
{
	const char *t = "ACS override not in use";
	const char *acs = param(h, "pcie_acs_override");

	if (!acs)
		return add(rep, "acs-override", t, CHECK_PASS, NULL, "pcie_acs_override is not set");
	return add(rep, "acs-override", t, CHECK_WARN,
		   "prefer a slot whose group is isolated; keep the override only if you accept that devices it splits can still reach each other by DMA",
		   "pcie_acs_override=%s: groups are split by a patched kernel, not by the hardware", acs);
}

static int check_irq_remap(struct host *h, struct check_report *rep)
{
	const char *t = "Interrupt remapping";
	const char *intremap = param(h, "intremap");

	if (h->iommu.ir_active == 1)
		return add(rep, "interrupt-remapping", t, CHECK_PASS, NULL, "IR- interrupt chips in /proc/interrupts");
	if (h->iommu.ir_active < 0)
		return add(rep, "interrupt-remapping", t, CHECK_SKIP, NULL, "/proc/interrupts could not be read");
	if (intremap && streq(intremap, "off"))
		return add(rep, "interrupt-remapping", t, CHECK_WARN, "remove intremap=off from the kernel command line",
			   "disabled by intremap=off");
	return add(rep, "interrupt-remapping", t, CHECK_WARN,
		   "without remapping, vfio refuses devices unless vfio_iommu_type1.allow_unsafe_interrupts=1 (which lets a guest inject interrupts); enable x2APIC/interrupt remapping in the firmware setup",
		   h->iommu.ir_capable == 1 ? "the IOMMU supports it but no IR- interrupt chips are in use" :
					      "no IR- interrupt chips in /proc/interrupts");
}

static int check_modules(struct host *h, struct check_report *rep)
{
	static const char *const mods[] = { "vfio", "vfio_iommu_type1", "vfio_pci" };
	const char *t = "VFIO modules for the running kernel";
	char seen[256] = "", missing[128] = "";

	if (!h->kernel.release)
		return add(rep, "vfio-modules", t, CHECK_SKIP, NULL, "the kernel release is unknown");
	for (size_t i = 0; i < ARRAY_SIZE(mods); i++) {
		enum module_state s = host_module_state(h, mods[i]);
		size_t n = strlen(seen);
		snprintf(seen + n, sizeof(seen) - n, "%s%s %s", n ? ", " : "", mods[i], module_state_name(s));
		if (s == MODULE_ABSENT) {
			n = strlen(missing);
			snprintf(missing + n, sizeof(missing) - n, "%s%s", n ? ", " : "", mods[i]);
		}
	}
	if (!h->kernel.modules_dir && !*missing)
		return add(rep, "vfio-modules", t, CHECK_PASS, NULL, "%s", seen);
	if (!h->kernel.modules_dir)
		return add(rep, "vfio-modules", t, CHECK_WARN,
			   "install the modules of the running kernel, or reboot into the kernel whose modules are installed",
			   "/lib/modules/%s is missing, so only loaded modules are known: %s", h->kernel.release, seen);
	if (*missing) {
		_cleanup_free_ char *fix = strdupf(
			"boot a kernel built with CONFIG_VFIO, CONFIG_VFIO_IOMMU_TYPE1 and CONFIG_VFIO_PCI (missing: %s)",
			missing);
		if (!fix)
			return -ENOMEM;
		return add(rep, "vfio-modules", t, CHECK_FAIL, fix, "kernel %s: %s", h->kernel.release, seen);
	}
	return add(rep, "vfio-modules", t, CHECK_PASS, NULL, "kernel %s: %s", h->kernel.release, seen);
}

static int check_gpu(struct host *h, struct check_report *rep)
{
	const char *t = "A GPU in an isolated IOMMU group";
	size_t ngpu = 0, good = 0, good_boot = 0;
	const struct pci_device *first_good = NULL, *first_shared = NULL;

	for (size_t i = 0; i < h->npci; i++) {
		const struct pci_device *d = &h->pci[i];
		const struct iommu_group *g;
		struct group_assessment a;

		if (!pci_is_display(d) || pci_is_bridge_role(d->role))
			continue;
		ngpu++;
		if (d->iommu_group < 0 || !(g = host_find_group(h, d->iommu_group)))
			continue;
		if (isolation_assess(h, g, &d->addr, &a) < 0)
			return -ENOMEM;
		if (a.verdict == VERDICT_SHARED) {
			if (!first_shared)
				first_shared = d;
		} else if (d->boot_vga == 1) {
			good_boot++;
		} else {
			good++;
			if (!first_good)
				first_good = d;
		}
		group_assessment_clear(&a);
	}
	if (ngpu == 0)
		return add(rep, "gpu-isolated", t, CHECK_FAIL, "install a second GPU for the guest",
			   "no display-class (0x03) PCI device found");
	if (!iommu_active(h))
		return add(rep, "gpu-isolated", t, CHECK_SKIP, NULL, "%zu GPU(s), but no IOMMU groups to judge", ngpu);
	if (good > 0)
		return add(rep, "gpu-isolated", t, CHECK_PASS, NULL, "%s in group %d (%zu usable GPU%s, not the boot GPU)",
			   first_good->name, first_good->iommu_group, good, good > 1 ? "s" : "");
	if (good_boot > 0)
		return add(rep, "gpu-isolated", t, CHECK_WARN,
			   "make another GPU the boot GPU in the firmware setup, or swap the cards (article: \"Passing the boot GPU to the guest\")",
			   "only the boot GPU is isolated: the firmware uses it and its ROM copy may be modified");
	return add(rep, "gpu-isolated", t, CHECK_FAIL,
		   "move the card to another slot, pass the whole group, or use the ACS override (see `vfiokit groups --gpu`)",
		   "every GPU shares its group with other devices (first: %s in group %d)", first_shared ? first_shared->name : "?",
		   first_shared ? first_shared->iommu_group : -1);
}

/* What holds each GPU (host/holders.c): what a single-GPU handover has to
 * stop first, and the answer to "what is still holding my GPU?". A fact
 * that could not be read is a warning, never "nothing". */
static int check_holders(struct host *h, struct check_report *rep)
{
	const char *t = "What holds the GPUs";
	struct strv parts = { 0 };
	_cleanup_free_ char *detail = NULL;
	bool unknown = false;
	size_t ngpu = 0;
	int k;

	for (size_t i = 0; i < h->npci; i++) {
		const struct pci_device *d = &h->pci[i];
		struct strv facts = { 0 };
		_cleanup_free_ char *f = NULL;

		if (!pci_is_display(d) || pci_is_bridge_role(d->role))
			continue;
		ngpu++;
		for (size_t j = 0; j < d->nholders; j++)
			if (strv_push(&facts, d->holders[j].what) < 0)
				goto oom;
		for (size_t j = 0; j < d->holders_unknown.n; j++)
			if (strv_push_take(&facts, strdupf("unknown: %s", d->holders_unknown.v[j])) < 0)
				goto oom;
		unknown |= d->holders_unknown.n > 0;
		f = facts.n ? strv_join(&facts, "; ") : strdup("nothing");
		strv_clear(&facts);
		if (!f || strv_push_take(&parts, strdupf("%s: %s", d->name, f)) < 0)
			goto oom;
		continue;
	oom:
		strv_clear(&facts);
		strv_clear(&parts);
		return -ENOMEM;
	}
	if (ngpu == 0) {
		strv_clear(&parts);
		return add(rep, "gpu-holders", t, CHECK_SKIP, NULL, "no display-class (0x03) PCI device found");
	}
	detail = strv_join(&parts, " | ");
	strv_clear(&parts);
	if (!detail)
		return -ENOMEM;
	k = add(rep, "gpu-holders", t, unknown ? CHECK_WARN : CHECK_PASS,
		unknown ? "run it as root on the machine itself: only root sees every process's open files and /proc/iomem's addresses" : NULL,
		"%s", detail);
	return k;
}

/* The article, "Passing through a device that does not support resetting". */
static int check_reset(struct host *h, struct check_report *rep)
{
	const char *t = "GPU group devices can be reset";
	char list[256] = "", amd[256] = "";
	size_t ngpu = 0, bad = 0;
	bool vendor_reset = strv_contains(&h->kernel.loaded, "vendor_reset");

	for (size_t i = 0; i < h->npci; i++) {
		const struct pci_device *d = &h->pci[i];
		const struct iommu_group *g;

		if (!pci_is_display(d) || pci_is_bridge_role(d->role) || d->boot_vga == 1 || d->iommu_group < 0 ||
		    !(g = host_find_group(h, d->iommu_group)))
			continue;
		ngpu++;
		if (!vendor_reset && vendor_reset_family(d->vendor, d->device)) {
			size_t n = strlen(amd);
			snprintf(amd + n, sizeof(amd) - n, "%s%s (AMD %s)", n ? ", " : "", d->name,
				 vendor_reset_family(d->vendor, d->device));
		}
		for (size_t j = 0; j < g->ndevs; j++) {
			const struct pci_device *m = &h->pci[g->devs[j]];
			size_t n = strlen(list);
			if (pci_is_bridge_role(m->role) || m->has_reset || (m->reset_method && *m->reset_method))
				continue;
			if (!strstr(list, m->name))
				snprintf(list + n, sizeof(list) - n, "%s%s", n ? ", " : "", m->name);
			bad++;
		}
	}
	if (ngpu == 0)
		return add(rep, "gpu-reset", t, CHECK_SKIP, NULL, "no non-boot GPU in an IOMMU group");
	/* Their FLR or bus reset is there but leaves the card dead: the
	 * article's "AMD reset bug", vendor-reset's device table. */
	if (*amd && !bad)
		return add(rep, "gpu-reset", t, CHECK_WARN,
			   "install vendor-reset (vendor-reset-dkms) and load it at boot: echo vendor-reset > "
			   "/etc/modules-load.d/vendor-reset.conf; from kernel 5.15 on also echo device_specific to "
			   "each card's reset_method before the guest starts",
			   "needs vendor-reset: %s", amd);
	if (*amd)
		return add(rep, "gpu-reset", t, CHECK_WARN,
			   "install vendor-reset (vendor-reset-dkms) and load it at boot: echo vendor-reset > "
			   "/etc/modules-load.d/vendor-reset.conf; from kernel 5.15 on also echo device_specific to "
			   "each card's reset_method before the guest starts; for the devices with no reset method, expect to reboot "
			   "the host after the guest stops",
			   "needs vendor-reset: %s; no reset method: %s. The guest may hang in \"shutting down\" and the "
			   "device stay unusable until the host reboots",
			   amd, list);
	if (bad == 0)
		return add(rep, "gpu-reset", t, CHECK_PASS, NULL, "every endpoint in the GPU groups has a reset method");
	return add(rep, "gpu-reset", t, CHECK_WARN,
		   "expect to reboot the host after the guest stops; AMD Polaris to Navi 1x cards need the vendor-reset module",
		   "no reset method: %s. The guest may hang in \"shutting down\" and the device stay unusable until the host reboots",
		   list);
}

static int check_ovmf(struct host *h, struct check_report *rep)
{
	const char *t = "OVMF (UEFI firmware for guests)";
	const char *id = h->sys.os_id ? h->sys.os_id : "", *like = h->sys.os_id_like ? h->sys.os_id_like : "";
	const char *fix;

	if (h->sys.ovmf.n > 0)
		return add(rep, "ovmf", t, CHECK_PASS, NULL, "/%s", h->sys.ovmf.v[0]);
	fix = firmware_package_hint(id, like);
	return add(rep, "ovmf", t, CHECK_FAIL, fix, "no OVMF code image in the known locations (%zu QEMU firmware descriptors)",
		   h->sys.firmware_descriptors.n);
}

static int check_user(struct host *h, struct check_report *rep)
{
	const char *t = "Invoking user may use KVM and libvirt";

	if (!h->sys.user_known)
		return add(rep, "user-groups", t, CHECK_SKIP, NULL, "not checked on an offline root");
	if (h->sys.uid == 0)
		return add(rep, "user-groups", t, CHECK_SKIP, NULL, "running as root");
	if (h->sys.in_kvm && (h->sys.in_libvirt || !h->sys.libvirt_group))
		return add(rep, "user-groups", t, CHECK_PASS, NULL, "member of kvm%s",
			   h->sys.in_libvirt ? " and libvirt" : "");
	return add(rep, "user-groups", t, CHECK_WARN,
		   "usermod -aG kvm,libvirt \"$USER\", then log in again",
		   "not in group %s", !h->sys.in_kvm ? "kvm" : "libvirt");
}

/* The article, "Host clocksource is HPET rather than TSC". */
static int check_clocksource(struct host *h, struct check_report *rep)
{
	const char *t = "Host clocksource";
	const char *cs = h->sys.clocksource;

	if (!cs)
		return add(rep, "clocksource", t, CHECK_SKIP, NULL, "current_clocksource could not be read");
	if (streq(cs, "hpet"))
		return add(rep, "clocksource", t, CHECK_WARN, "try the kernel parameters clocksource=tsc tsc=reliable",
			   "hpet: games in the guest (and on the host) run far slower than with tsc");
	return add(rep, "clocksource", t, CHECK_PASS, NULL, "%s", cs);
}

int checks_run(struct host *h, struct check_report *ret)
{
	int (*const all[])(struct host *, struct check_report *) = {
		check_cpu,    check_kvm,   check_acpi, check_iommu_active, check_params,
		check_acs,    check_irq_remap, check_modules, check_gpu, check_holders, check_reset,
		check_ovmf,   check_user,  check_clocksource,
	};
	struct check_report rep = { 0 };

	for (size_t i = 0; i < ARRAY_SIZE(all); i++)
		if (all[i](h, &rep) < 0) {
			check_report_clear(&rep);
			return -ENOMEM;
		}
	*ret = rep;
	return 0;
}

void check_report_clear(struct check_report *rep)
{
	for (size_t i = 0; i < rep->n; i++) {
		free(rep->r[i].detail);
		free(rep->r[i].fix);
	}
	free(rep->r);
	*rep = (struct check_report){ 0 };
}

size_t check_report_count(const struct check_report *rep, enum check_status s)
{
	size_t n = 0;

	for (size_t i = 0; i < rep->n; i++)
		n += rep->r[i].status == s;
	return n;
}
