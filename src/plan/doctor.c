/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The signature table and the findings of vfiokit doctor (doctor.h). */
#include <ctype.h>

#include "plan/doctor.h"
#include "plan/isolation.h"
#include "plan/vendor-reset.h"

#define S_BAR "\"BAR 3: cannot reserve [mem]\" error in dmesg after starting virtual machine"
#define S_IOMMU "Setting up IOMMU"
#define S_GROUPS "Ensuring that the groups are valid"
#define S_ISOLATE "Isolating the GPU"
#define S_NORESET "Passing through a device that does not support resetting"
#define S_AMDRESET "AMD GPU not resetting properly yielding \"Error: internal error: Unknown PCI header type '127'\""
#define S_RMRR "Reserved Memory Region Reporting (RMRR) Conflict"
#define S_MSR "Bluescreen at boot since Windows 10 1803"
#define S_ROM "UEFI (OVMF) compatibility in VBIOS"
#define S_MSI "Slowed down audio pumped through HDMI on the video card"
#define S_REBAR "Code 43 while Resizable Bar is turned on in the bios"
#define S_DETECT "Video card driver virtualisation detection"
#define S_IRQCHIP "QEMU 4.0: Unable to load graphics drivers/BSOD/Graphics stutter after driver install using Q35"

/* The BAR size the guest's firmware and drivers expect without Resizable
 * BAR: 256 MiB (2^8 MiB, the article's resource2_resize="8"). */
#define REBAR_LEGACY_LOG2_MIB 8

/* Order matters only where two rows could match one line: the first wins. */
static const struct doctor_sig sigs[] = {
	{ "bar-reserved", DOCTOR_ERROR, "can't reserve", "BAR ",
	  "another driver (usually the boot framebuffer, efifb or simplefb) holds this BAR, so vfio-pci cannot map it "
	  "for the guest",
	  S_BAR, "linux drivers/pci/pci.c __pci_request_region(): \"BAR %d: can't reserve %pR\"" },
	{ "bar-reserved", DOCTOR_ERROR, "cannot reserve", "BAR ",
	  "another driver (usually the boot framebuffer, efifb or simplefb) holds this BAR, so vfio-pci cannot map it "
	  "for the guest",
	  S_BAR, "the article's quotation of drivers/pci/pci.c (older wording)" },
	{ "bar-mmap-failed", DOCTOR_WARNING, "Failed to mmap ", " BAR ",
	  "QEMU could not map a BAR of the device: guest access to it is trapped and slow, often because the host "
	  "still holds it",
	  S_BAR, "qemu hw/vfio/region.c (common.c before 9.2) vfio_region_mmap(): \"Failed to mmap %s BAR %d. "
	  "Performance may be slow\"" },
	{ "no-interrupt-remapping", DOCTOR_ERROR, "No interrupt remapping support", NULL,
	  "VFIO refuses to attach the group: the platform cannot remap the device's interrupts",
	  S_IOMMU, "linux drivers/vfio/vfio_iommu_type1.c vfio_iommu_type1_attach_group(): \"%s: No interrupt remapping "
	  "support.  Use the module param \\\"allow_unsafe_interrupts\\\" to enable VFIO IOMMU support on this "
	  "platform\"" },
	{ "container-failed", DOCTOR_ERROR, "failed to setup container for group", NULL,
	  "QEMU could not attach the group to a VFIO container (the kernel refused: no IOMMU, or no interrupt "
	  "remapping)",
	  S_IOMMU, "qemu hw/vfio/container.c (common.c before 8.2) vfio_connect_container(): \"failed to setup "
	  "container for group %d\"" },
	{ "group-not-viable", DOCTOR_ERROR, "is not viable", "group ",
	  "a device in the IOMMU group is still on a host driver; VFIO hands a group over only whole",
	  S_GROUPS, "qemu hw/vfio/container.c (common.c before 8.2) vfio_get_group(): \"group %d is not viable\"" },
	{ "vfio-group-missing", DOCTOR_ERROR, "failed to open /dev/vfio/", NULL,
	  "the group's /dev/vfio node is missing: the device is not on vfio-pci, or the IOMMU is off",
	  S_ISOLATE, "qemu hw/vfio/container.c (common.c before 8.2) vfio_get_group(): \"failed to open %s\" of "
	  "/dev/vfio/%d" },
	{ "amd-reset-bug", DOCTOR_ERROR, "Unknown PCI header type", NULL,
	  "the device answers config reads with all ones: it did not come back from the last reset (the AMD reset "
	  "bug)",
	  S_AMDRESET, "libvirt src/util/virpci.c virPCIDeviceRead*(): \"Unknown PCI header type '%1$d' for device "
	  "'%2$s'\"" },
	{ "reset-failed", DOCTOR_ERROR, "after FLR; giving up", "not ready ",
	  "the device did not come back from a function level reset",
	  S_NORESET, "linux drivers/pci/pci.c pci_dev_wait(): \"not ready %dms after %s; giving up\"" },
	{ "reset-failed", DOCTOR_ERROR, "after bus reset; giving up", "not ready ",
	  "the device did not come back from a secondary bus reset",
	  S_NORESET, "linux drivers/pci/pci.c pci_dev_wait(): \"not ready %dms after %s; giving up\"" },
	{ "d3cold-failed", DOCTOR_ERROR, "power state from D3cold to D0", NULL,
	  "the device did not wake from D3cold: its config space is gone until a reset that works or a reboot",
	  S_NORESET, "linux drivers/pci/pci.c pci_power_up()/pci_set_full_power_state(): \"Unable to change power "
	  "state from %s to D0, device inaccessible\"" },
	{ "no-reset-mechanism", DOCTOR_WARNING, "no available reset mechanism", "Cannot reset device",
	  "QEMU found no way to reset the device between guest boots: the host may lock up after the guest stops",
	  S_NORESET, "qemu hw/vfio/pci.c vfio_pci_reset(): \"vfio: Cannot reset device %s, no available reset "
	  "mechanism.\"" },
	{ "rmrr", DOCTOR_ERROR, "ineligible for IOMMU domain attach due to platform RMRR requirement", NULL,
	  "the firmware reserves memory for this device (an RMRR), so Intel's IOMMU driver will not give it to a guest",
	  S_RMRR, "linux drivers/iommu/intel/iommu.c device_rmrr_is_relaxable() callers: \"Device is ineligible for IOMMU "
	  "domain attach due to platform RMRR requirement.  Contact your platform vendor.\"" },
	{ "virtualization-disabled", DOCTOR_ERROR, "VMX not enabled (by BIOS)", NULL,
	  "the firmware keeps the CPU's virtualization extensions off: KVM cannot load",
	  S_IOMMU, "linux arch/x86/kvm/vmx/vmx.c kvm_is_vmx_supported(): \"VMX not enabled (by BIOS) in "
	  "MSR_IA32_FEAT_CTL on CPU %d\"" },
	{ "virtualization-disabled", DOCTOR_ERROR, "SVM disabled (by BIOS)", NULL,
	  "the firmware keeps the CPU's virtualization extensions off: KVM cannot load",
	  S_IOMMU, "linux arch/x86/kvm/svm/svm.c kvm_is_svm_supported(): \"SVM disabled (by BIOS) in MSR_VM_CR on "
	  "CPU %d\"" },
	{ "virtualization-disabled", DOCTOR_ERROR, "disabled by BIOS", "VMX (",
	  "the firmware keeps the CPU's virtualization extensions off: KVM cannot load",
	  S_IOMMU, "linux arch/x86/kernel/cpu/feat_ctl.c init_ia32_feat_ctl(): \"VMX (%s TXT) disabled by BIOS\"" },
	{ "virtualization-disabled", DOCTOR_ERROR, "kvm: disabled by bios", NULL,
	  "the firmware keeps the CPU's virtualization extensions off: KVM cannot load",
	  S_IOMMU, "linux arch/x86/kvm/x86.c kvm_arch_init() before 6.4: \"kvm: disabled by bios\"" },
	{ "unhandled-msr", DOCTOR_WARNING, "unhandled rdmsr: ", NULL,
	  "the guest read a model-specific register KVM does not emulate and got a fault (Windows 10 1803 and later "
	  "crash on it)",
	  S_MSR, "linux arch/x86/kvm/x86.c kvm_get_msr_common()/kvm_msr_ignored_check(): \"unhandled %s: 0x%x\"" },
	{ "unhandled-msr", DOCTOR_WARNING, "unhandled wrmsr: ", NULL,
	  "the guest wrote a model-specific register KVM does not emulate and got a fault",
	  S_MSR, "linux arch/x86/kvm/x86.c kvm_set_msr_common()/kvm_msr_ignored_check(): \"unhandled %s: 0x%x data "
	  "0x%llx\"" },
	{ "rom-invalid", DOCTOR_WARNING, "Invalid PCI ROM header signature", NULL,
	  "the device's option ROM (VBIOS) does not read back as a ROM image: the guest firmware cannot run it",
	  S_ROM, "linux drivers/pci/rom.c pci_get_rom_size(): \"Invalid PCI ROM header signature: expecting 0xaa55, "
	  "got %#06x\"" },
	{ "rom-unreadable", DOCTOR_WARNING, "Cannot read device rom at", NULL,
	  "QEMU could not read the device's option ROM: the guest firmware gets none",
	  S_ROM, "qemu hw/vfio/pci.c vfio_pci_load_rom(): \"vfio-pci: Cannot read device rom at %s\"" },
	{ "dma-fault", DOCTOR_ERROR, "NO_PASID] Request device [", "DMAR: [DMA ",
	  "the IOMMU blocked a DMA of the device to an address not mapped for it",
	  S_IOMMU, "linux drivers/iommu/intel/dmar.c dmar_fault_do_one(): \"[%s NO_PASID] Request device "
	  "[%02x:%02x.%d] fault addr 0x%llx [fault reason 0x%02x] %s\"" },
	{ "dma-fault", DOCTOR_ERROR, "] Request device [", "DMAR: [DMA ",
	  "the IOMMU blocked a DMA of the device to an address not mapped for it",
	  S_IOMMU, "linux drivers/iommu/dmar.c dmar_fault_do_one() before 5.14: \"[%s] Request device "
	  "[%02x:%02x.%d] fault addr %llx\"" },
	{ "dma-fault", DOCTOR_ERROR, "Event logged [IO_PAGE_FAULT", NULL,
	  "the IOMMU blocked a DMA of the device to an address not mapped for it",
	  S_IOMMU, "linux drivers/iommu/amd/iommu.c amd_iommu_report_page_fault(): \"Event logged [IO_PAGE_FAULT "
	  "domain=0x%04x address=0x%llx flags=0x%04x]\"" },
};

const struct doctor_sig *doctor_signatures(size_t *n)
{
	*n = ARRAY_SIZE(sigs);
	return sigs;
}

static bool hexrun(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)p[i]))
			return false;
	return true;
}

/* The first PCI address in s: "0000:0a:00.0" or "0a:00.0" standing alone
 * (not inside a longer hex run), as the kernel and QEMU print them. */
static bool find_addr(const char *s, struct pci_addr *a)
{
	for (const char *p = s; *p; p++) {
		char tok[PCI_ADDR_STRLEN];
		size_t n;

		if (!isxdigit((unsigned char)*p) || (p > s && isalnum((unsigned char)p[-1])))
			continue;
		for (n = 0; n < 13 && p[n]; n++)
			;
		if (n >= 12 && hexrun(p, 4) && p[4] == ':' && hexrun(p + 5, 2) && p[7] == ':' && hexrun(p + 8, 2) &&
		    p[10] == '.' && isxdigit((unsigned char)p[11]) && !isalnum((unsigned char)p[12])) {
			memcpy(tok, p, 12);
			tok[12] = '\0';
		} else if (n >= 7 && hexrun(p, 2) && p[2] == ':' && hexrun(p + 3, 2) && p[5] == '.' &&
			   isxdigit((unsigned char)p[6]) && !isalnum((unsigned char)p[7]) && !(p > s && p[-1] == ':')) {
			memcpy(tok, p, 7);
			tok[7] = '\0';
		} else
			continue;
		if (parse_pci_addr(tok, a) == 0)
			return true;
	}
	return false;
}

/* The number after prefix in s, -1 when none. */
static long number_after(const char *s, const char *prefix)
{
	const char *p = strstr(s, prefix);
	long v = 0;

	if (!p)
		return -1;
	p += strlen(prefix);
	if (!isdigit((unsigned char)*p))
		return -1;
	for (; isdigit((unsigned char)*p) && v < 100000000; p++)
		v = v * 10 + (*p - '0');
	return v;
}

bool doctor_match_line(const char *msg, struct doctor_match *m)
{
	for (size_t i = 0; i < ARRAY_SIZE(sigs); i++) {
		const struct doctor_sig *s = &sigs[i];

		if (!strstr(msg, s->needle) || (s->needle2 && !strstr(msg, s->needle2)))
			continue;
		*m = (struct doctor_match){ .sig = s, .group = -1 };
		m->has_addr = find_addr(msg, &m->addr);
		if (streq(s->id, "group-not-viable") || streq(s->id, "container-failed"))
			m->group = number_after(msg, "group ");
		else if (streq(s->id, "vfio-group-missing"))
			m->group = number_after(msg, "/dev/vfio/");
		return true;
	}
	return false;
}

static bool same_subject(const struct doctor_finding *f, const struct doctor_match *m)
{
	if (!streq(f->sig->id, m->sig->id) || f->has_addr != m->has_addr || f->group != m->group)
		return false;
	return !m->has_addr || pci_addr_cmp(&f->addr, &m->addr) == 0;
}

int doctor_report_add(struct doctor_report *rep, const struct doctor_match *m, const char *where, const char *raw)
{
	struct doctor_finding *f = NULL;

	for (size_t i = 0; i < rep->n && !f; i++)
		if (same_subject(&rep->f[i], m))
			f = &rep->f[i];
	if (!f) {
		if (rep->n >= DOCTOR_FINDINGS_MAX) {
			rep->dropped++;
			return 0;
		}
		if (GROW(rep->f, rep->alloc, rep->n + 1) < 0)
			return -ENOMEM;
		f = &rep->f[rep->n++];
		*f = (struct doctor_finding){ .sig = m->sig, .severity = m->sig->severity, .has_addr = m->has_addr,
					      .addr = m->addr, .group = m->group };
	}
	f->count++;
	if (f->evidence.n < DOCTOR_EVIDENCE_MAX && strv_push_take(&f->evidence, strdupf("%s: %.*s", where, DOCTOR_EVIDENCE_LEN, raw)) < 0)
		return -ENOMEM;
	return 0;
}

const char *doctor_severity_name(enum doctor_severity s)
{
	switch (s) {
	case DOCTOR_ERROR:
		return "error";
	case DOCTOR_WARNING:
		return "warning";
	case DOCTOR_INFO:
		break;
	}
	return "info";
}

size_t doctor_report_count(const struct doctor_report *rep, enum doctor_severity s)
{
	size_t n = 0;

	for (size_t i = 0; i < rep->n; i++)
		n += rep->f[i].severity == s;
	return n;
}

void doctor_report_clear(struct doctor_report *rep)
{
	for (size_t i = 0; i < rep->n; i++) {
		free(rep->f[i].cause);
		free(rep->f[i].fix);
		strv_clear(&rep->f[i].evidence);
	}
	free(rep->f);
	*rep = (struct doctor_report){ 0 };
}

/* The fix for one finding, for this machine. */
struct fixer {
	const struct host *h;
	struct doctor_finding *f;
	const struct pci_device *dev; /* the device the lines name, when the model has it */
	char addr[PCI_ADDR_STRLEN];
};

static bool kernel_at_least(const struct host *h, int major, int minor)
{
	int ma = 0, mi = 0;

	if (!h || !h->kernel.release || sscanf(h->kernel.release, "%d.%d", &ma, &mi) != 2)
		return true; /* unknown: today's kernels */
	return ma > major || (ma == major && mi >= minor);
}

static bool iommu_on(const struct host *h)
{
	return h && h->ngroups > 0;
}

static bool has_param(const struct host *h, const char *key, const char *value)
{
	const struct cmdline_param *p = h ? cmdline_get(&h->kernel.cmdline, key) : NULL;

	return p && (!value || (p->value && strstr(p->value, value)));
}

static int set(char **field, char *text)
{
	if (!text)
		return -ENOMEM;
	free(*field);
	*field = text;
	return 0;
}

static int fix_bar(struct fixer *x)
{
	/* simplefb/sysfb holds the boot framebuffer from 5.15 on, efifb before. */
	const char *param = kernel_at_least(x->h, 5, 15) ? "initcall_blacklist=sysfb_init" : "video=efifb:off";
	bool there = has_param(x->h, "initcall_blacklist", "sysfb_init") || has_param(x->h, "video", "efifb:off");
	_cleanup_free_ char *rescan = NULL;

	if (x->dev && x->dev->nparents) {
		char br[PCI_ADDR_STRLEN];
		format_pci_addr(&x->dev->parents[x->dev->nparents - 1], br);
		rescan = strdupf("echo 1 > /sys/bus/pci/devices/%s/remove; echo 1 > /sys/bus/pci/rescan (the bridge above "
				 "%s), before the guest starts",
				 br, x->addr);
	} else
		rescan = strdupf("remove the bridge above %s and rescan the bus (echo 1 > /sys/bus/pci/devices/BRIDGE/remove; "
				 "echo 1 > /sys/bus/pci/rescan) before the guest starts",
				 *x->addr ? x->addr : "the device");
	if (!rescan)
		return -ENOMEM;
	if (x->dev && x->dev->boot_vga == 1 &&
	    set(&x->f->cause, strdupf("%s is the boot GPU: the firmware's framebuffer (efifb or simplefb) lives in its "
				      "BAR and the host keeps it",
				      x->addr)) < 0)
		return -ENOMEM;
	if (there)
		return set(&x->f->fix, strdupf("%s is on the kernel command line already; %s", param, rescan));
	return set(&x->f->fix, strdupf("add %s to the kernel command line (video=efifb:off before 5.15), or %s", param, rescan));
}

/* Members of group g VFIO refuses, "0000:00:1f.3 (snd_hda_intel), ...". */
static char *group_blockers_text(const struct host *h, const struct iommu_group *g)
{
	struct group_blockers b = { 0 };
	struct strv names = { 0 };
	char *out = NULL;

	if (isolation_group_blockers(h, g, NULL, 0, &b) < 0)
		return NULL;
	for (size_t i = 0; i < b.ndevs; i++) {
		const struct pci_device *d = &h->pci[b.devs[i]];
		if (strv_push_take(&names, strdupf("%s (%s)", d->name, d->driver ? d->driver : "no driver")) < 0)
			goto out;
	}
	for (size_t i = 0; b.missing && i < b.missing->n; i++)
		if (strv_push_take(&names, strdupf("%s (not in /sys/bus/pci: its driver cannot be read)", b.missing->v[i])) <
		    0)
			goto out;
	out = names.n ? strv_join(&names, ", ") : strdup("");
out:
	strv_clear(&names);
	group_blockers_clear(&b);
	return out;
}

static int fix_group(struct fixer *x)
{
	const struct iommu_group *g = NULL;
	_cleanup_free_ char *who = NULL;
	long n = x->f->group;

	if (n < 0 && x->dev)
		n = x->dev->iommu_group;
	if (x->h && !iommu_on(x->h))
		return set(&x->f->fix, strdup("the IOMMU is off on this machine: turn it on (vfiokit setup, then reboot); "
					      "then vfiokit bind the device's group"));
	if (n >= 0 && x->h)
		g = host_find_group(x->h, (int)n);
	if (!g)
		return set(&x->f->fix, n >= 0 ? strdupf("bind every endpoint of group %ld to vfio-pci: vfiokit bind group:%ld "
							 "(group %ld is not on the machine read now)",
							 n, n, n)
					       : strdup("bind every endpoint of the device's group to vfio-pci: vfiokit bind group:N"));
	if (!(who = group_blockers_text(x->h, g)))
		return -ENOMEM;
	if (!*who)
		return set(&x->f->fix, strdupf("every member of group %ld is on vfio-pci now (or a driver VFIO accepts); start "
					       "the guest again",
					       n));
	return set(&x->f->fix, strdupf("group %ld: %s not on vfio-pci; vfiokit bind group:%ld moves the whole group (or "
				       "vfiokit setup to isolate it at boot)",
				       n, who, n));
}

static int fix_irq(struct fixer *x)
{
	const struct host *h = x->h;

	/* Interrupt remapping is blamed only when the IOMMU is on: with it
	 * off, VFIO has no IOMMU to attach and that is the cause. */
	if (h && !iommu_on(h)) {
		if (set(&x->f->cause, strdup("the IOMMU is off on this machine: VFIO has nothing to attach the group "
					     "to")) < 0)
			return -ENOMEM;
		return set(&x->f->fix, strdup("turn the IOMMU on: vfiokit setup (the kernel parameters for this firmware's "
					      "IOMMU), then reboot"));
	}
	if (h && h->iommu.ir_active == 1 && streq(x->f->sig->id, "no-interrupt-remapping"))
		return set(&x->f->fix, strdup("interrupt remapping is on now (IR- interrupt chips in /proc/interrupts): the "
					      "line is from a boot without it; if it comes back, look for intremap=off or a "
					      "firmware setting that turned it off"));
	if (h && h->iommu.ir_active == 1 && streq(x->f->sig->id, "container-failed"))
		return set(&x->f->fix, strdup("interrupt remapping is on: read the kernel log of the same time for the "
					      "reason the kernel gave (vfiokit doctor with that log)"));
	if (has_param(h, "intremap", "off"))
		return set(&x->f->fix, strdup("remove intremap=off from the kernel command line"));
	return set(&x->f->fix, strdup("this platform does not remap interrupts: a firmware update or setting may "
				      "add it; else, accepting that the guest can forge interrupts to the host, put "
				      "'options vfio_iommu_type1 allow_unsafe_interrupts=1' in /etc/modprobe.d/vfio.conf"));
}

static int fix_reset(struct fixer *x)
{
	const char *family = x->dev ? vendor_reset_family(x->dev->vendor, x->dev->device) : NULL;
	bool loaded = x->h && strv_contains(&x->h->kernel.loaded, "vendor_reset");
	char extra[160] = "";

	if (family) {
		if (set(&x->f->cause, strdupf("%s is an AMD %s GPU: it does not reset without the vendor-reset module "
					      "(the AMD reset bug)",
					      x->addr, family)) < 0)
			return -ENOMEM;
		/* From 5.15 the kernel tries its own resets first; vendor-reset's
		 * is used only when reset_method names device_specific. */
		if (loaded && x->dev && x->dev->reset_method && strstr(x->dev->reset_method, "device_specific"))
			return set(&x->f->fix, strdupf("vendor_reset is loaded and %s's reset_method has device_specific: "
						       "reboot the host once to recover the card",
						       x->addr));
		if (loaded)
			return set(&x->f->fix, strdupf("vendor_reset is loaded: give %s its reset (echo device_specific > "
						       "/sys/bus/pci/devices/%s/reset_method before the guest starts, "
						       "kernels 5.15 and later), then reboot the host once",
						       x->addr, x->addr));
		if (kernel_at_least(x->h, 5, 15))
			snprintf(extra, sizeof(extra),
				 ", and before the guest starts echo device_specific > /sys/bus/pci/devices/%s/reset_method",
				 x->addr);
		return set(&x->f->fix, strdupf("install vendor-reset (vendor-reset-dkms) and load it at boot (echo "
					       "vendor-reset > /etc/modules-load.d/vendor-reset.conf)%s; reboot the host to "
					       "recover the card",
					       extra));
	}
	if (streq(x->f->sig->id, "d3cold-failed") && *x->addr)
		return set(&x->f->fix, strdupf("keep %s out of D3cold: echo 0 > /sys/bus/pci/devices/%s/d3cold_allowed "
					       "(at every boot, e.g. a udev rule); reboot the host to recover it",
					       x->addr, x->addr));
	if (x->dev && x->dev->reset_method)
		return set(&x->f->fix, strdupf("reset methods of %s: %s; reboot the host to recover it; if it keeps "
					       "failing, try another order (echo bus > /sys/bus/pci/devices/%s/reset_method)",
					       x->addr, *x->dev->reset_method ? x->dev->reset_method : "none", x->addr));
	return set(&x->f->fix, strdup("reboot the host to recover the device; avoid shutting the guest down "
				      "repeatedly without a reset that works"));
}

static int fix_msr(struct fixer *x)
{
	int on = x->h ? x->h->sys.kvm_ignore_msrs : -1;

	if (on == 1)
		return set(&x->f->fix, strdup("kvm's ignore_msrs is on now (sys/module/kvm/parameters/ignore_msrs): these "
					      "lines are from before it was set"));
	return set(&x->f->fix, strdupf("vfiokit setup --ignore-msrs --apply (options kvm ignore_msrs=1 "
				       "report_ignored_msrs=0 in /etc/modprobe.d/kvm.conf); now, as root: echo 1 > "
				       "/sys/module/kvm/parameters/ignore_msrs%s",
				       on == 0 ? " (it is off now)" : ""));
}

static int fix_rebar(struct fixer *x);

static int fix_one(struct fixer *x)
{
	const char *id = x->f->sig->id;
	const char *a = *x->addr ? x->addr : "ADDR";

	if (streq(id, "bar-reserved") || streq(id, "bar-mmap-failed"))
		return fix_bar(x);
	if (streq(id, "group-not-viable") || streq(id, "vfio-group-missing"))
		return fix_group(x);
	if (streq(id, "no-interrupt-remapping") || streq(id, "container-failed"))
		return fix_irq(x);
	if (streq(id, "amd-reset-bug") || streq(id, "reset-failed") || streq(id, "d3cold-failed") ||
	    streq(id, "no-reset-mechanism"))
		return fix_reset(x);
	if (streq(id, "unhandled-msr"))
		return fix_msr(x);
	if (streq(id, "rmrr"))
		return set(&x->f->fix, strdupf("the firmware must drop the RMRR of %s: a firmware update or another "
					       "slot; else a kernel patched to relax RMRR (relax-intel-rmrr)",
					       a));
	if (streq(id, "virtualization-disabled")) {
		enum cpu_vendor v = x->h ? host_cpu_vendor(x->h) : CPU_OTHER;
		return set(&x->f->fix, strdup(v == CPU_AMD	  ? "turn on SVM (AMD-V) in the firmware setup"
					      : v == CPU_INTEL ? "turn on VT-x (Intel Virtualization Technology) in the "
								 "firmware setup"
							       : "turn on the CPU's virtualization (VT-x or SVM) in "
								 "the firmware setup"));
	}
	if (streq(id, "rom-invalid") || streq(id, "rom-unreadable"))
		return set(&x->f->fix, strdupf("dump the ROM while the host owns the card (vfiokit rom dump %s -o "
					       "vbios.rom; vfiokit rom vbios.rom judges it) or take the card's VBIOS "
					       "from its vendor, and give it to the guest: <rom file='/path/vbios.rom'/>",
					       a));
	if (streq(id, "dma-fault")) {
		if (x->dev && x->dev->iommu_group >= 0)
			return set(&x->f->fix, strdupf("%s (group %d, driver %s): pass every function of the card "
						       "(vfiokit bind group:%d); faults while the host drives it are its "
						       "driver's or the firmware's",
						       a, x->dev->iommu_group, x->dev->driver ? x->dev->driver : "none",
						       x->dev->iommu_group));
		return set(&x->f->fix, strdupf("pass every function of %s's card together; faults while the host drives "
					       "it are its driver's or the firmware's",
					       a));
	}
	if (streq(id, "needs-vendor-reset"))
		return fix_reset(x);
	if (streq(id, "guest-intx"))
		return set(&x->f->fix, strdupf("turn on MSI for %s in the guest: Windows, MSISupported=1 under the "
					       "device's Interrupt Management\\MessageSignaledInterruptProperties registry "
					       "key (or the MSI utility), for every function of the card; a Linux guest, "
					       "options snd-hda-intel enable_msi=1 for its audio; then restart the guest",
					       a));
	if (streq(id, "resizable-bar"))
		return fix_rebar(x);
	if (streq(id, "no-reset-method"))
		return set(&x->f->fix, strdupf("%s has no reset method (reset_method empty, no reset attribute): reboot "
					       "the host after the guest stops; do not suspend the host with the guest "
					       "running",
					       a));
	return set(&x->f->fix, strdup("see the article section"));
}

static const struct doctor_sig model_sigs[] = {
	{ "needs-vendor-reset", DOCTOR_WARNING, NULL, NULL,
	  "an AMD GPU of a family with the reset bug is on vfio-pci and the vendor-reset module is not loaded: it will "
	  "not reset between guest boots",
	  S_AMDRESET, "the host model: the device's ID in vendor-reset's table (plan/vendor-reset.c), proc/modules" },
	{ "no-reset-method", DOCTOR_WARNING, NULL, NULL,
	  "a device on vfio-pci has no reset method: the host may lock up or the device stay dead after the guest stops",
	  S_NORESET, "the host model: the device's reset_method and reset attributes in sysfs" },
	{ "guest-intx", DOCTOR_WARNING, NULL, NULL,
	  "the running guest drives this device with line-based interrupts (INTx), not MSI: HDMI audio slows down "
	  "and crackles, graphics stutter",
	  S_MSI, "the host model: /proc/interrupts, vfio-pci's \"vfio-intx(%s)\" action (drivers/vfio/pci/"
	  "vfio_pci_intrs.c) and no \"vfio-msi[%d](%s)\"" },
	{ "resizable-bar", DOCTOR_WARNING, NULL, NULL,
	  "a GPU on vfio-pci has a resizable BAR the firmware made larger than 256 MiB (Resizable BAR / Smart Access "
	  "Memory on): QEMU gives the guest no resizable BAR, and its driver may stop the card with Code 43",
	  S_REBAR, "the host model: the device's resourceN_resize (drivers/pci/pci-sysfs.c, Linux 6.1+) and resource "
	  "attributes in sysfs" },
};

/* A resizable BAR of a display device larger now than 256 MiB; -1 none. */
static int rebar_large(const struct pci_device *d, unsigned from)
{
	for (unsigned n = from; pci_is_display(d) && n < PCI_STD_BARS; n++)
		if (d->rebar_sizes[n] && (d->bar_len[n] >> 20) > (1u << REBAR_LEGACY_LOG2_MIB))
			return (int)n;
	return -1;
}

/* The size to write to resourceN_resize (log2 of MiB): 256 MiB where the
 * BAR supports it, else the smallest size it supports. */
static unsigned rebar_target(uint64_t sizes)
{
	if (sizes & (1ull << REBAR_LEGACY_LOG2_MIB))
		return REBAR_LEGACY_LOG2_MIB;
	return (unsigned)__builtin_ctzll(sizes);
}

static char *size_text(uint64_t mib)
{
	if (mib >= 1024 * 1024 && mib % (1024 * 1024) == 0)
		return strdupf("%llu TiB", (unsigned long long)(mib >> 20));
	if (mib >= 1024 && mib % 1024 == 0)
		return strdupf("%llu GiB", (unsigned long long)(mib >> 10));
	return strdupf("%llu MiB", (unsigned long long)mib);
}

static int fix_rebar(struct fixer *x)
{
	const struct pci_device *d = x->dev;
	struct strv rules = { 0 }, now = { 0 }, sizes = { 0 };
	_cleanup_free_ char *r = NULL, *c = NULL, *w = NULL;
	int k = -ENOMEM;

	if (!d || rebar_large(d, 0) < 0)
		return set(&x->f->fix, strdup("turn off Resizable BAR (Re-Size BAR Support, Smart Access Memory) in the "
					      "firmware setup"));
	for (int n = rebar_large(d, 0); n >= 0; n = rebar_large(d, (unsigned)n + 1)) {
		unsigned t = rebar_target(d->rebar_sizes[n]);
		_cleanup_free_ char *cur = size_text(d->bar_len[n] >> 20), *to = size_text(1ull << t);

		if (!cur || !to ||
		    strv_push_take(&sizes, strdupf("BAR %d is %s now (%s after the fix)", n, cur, to)) < 0 ||
		    strv_push_take(&rules, strdupf("ACTION==\"add\", SUBSYSTEM==\"pci\", ATTR{vendor}==\"0x%04x\", "
						   "ATTR{device}==\"0x%04x\", ATTR{resource%d_resize}=\"%u\"",
						   d->vendor, d->device, n, t)) < 0 ||
		    strv_push_take(&now, strdupf("echo %u > /sys/bus/pci/devices/%s/resource%d_resize", t, x->addr, n)) < 0)
			goto out;
	}
	if (!(r = strv_join(&rules, "\n")) || !(c = strv_join(&now, "; ")) || !(w = strv_join(&sizes, ", ")))
		goto out;
	if ((k = set(&x->f->cause, strdupf("%s: %s: Resizable BAR is on; QEMU gives the guest no resizable BAR, and its "
					     "driver may stop the card with Code 43",
					     x->addr, w))) < 0)
		goto out;
	k = set(&x->f->fix, strdupf("turn off Resizable BAR (Re-Size BAR Support, Smart Access Memory) in the firmware "
				    "setup; or keep it and shrink the BAR at every boot with this udev rule in "
				    "/etc/udev/rules.d/99-vfio-rebar.rules (Linux 6.1 and later):\n%s\nfor now, with no "
				    "driver bound to %s: %s",
				    r, x->addr, c));
out:
	strv_clear(&rules);
	strv_clear(&now);
	strv_clear(&sizes);
	return k;
}

static int push_model(struct doctor_report *rep, const struct doctor_sig *s, const struct pci_addr *a)
{
	if (rep->n >= DOCTOR_FINDINGS_MAX)
		return 0;
	if (GROW(rep->f, rep->alloc, rep->n + 1) < 0)
		return -ENOMEM;
	rep->f[rep->n++] = (struct doctor_finding){ .sig = s, .severity = s->severity, .has_addr = true, .addr = *a,
						    .group = -1 };
	return 0;
}

static bool have_finding(const struct doctor_report *rep, const char *id, const struct pci_addr *a)
{
	for (size_t i = 0; i < rep->n; i++)
		if (streq(rep->f[i].sig->id, id) && rep->f[i].has_addr && pci_addr_cmp(&rep->f[i].addr, a) == 0)
			return true;
	return false;
}

/* Facts of the model alone, for the devices passed through now. */
static int model_findings(struct doctor_report *rep, const struct host *h)
{
	bool vr = strv_contains(&h->kernel.loaded, "vendor_reset");

	for (size_t i = 0; i < h->npci; i++) {
		const struct pci_device *d = &h->pci[i];
		const struct doctor_sig *s = NULL;
		int k;

		if (!d->driver || !streq(d->driver, "vfio-pci") || pci_is_bridge_role(d->role))
			continue;
		if (!vr && vendor_reset_family(d->vendor, d->device))
			s = &model_sigs[0];
		else if (!d->has_reset && !(d->reset_method && *d->reset_method))
			s = &model_sigs[1];
		if (s && !have_finding(rep, "amd-reset-bug", &d->addr) && !have_finding(rep, "reset-failed", &d->addr) &&
		    (k = push_model(rep, s, &d->addr)) < 0)
			return k;
		/* The article's audio entry: INTx while the guest runs. */
		if (strv_contains(&h->iommu.vfio_intx, d->name) && !strv_contains(&h->iommu.vfio_msi, d->name) &&
		    (k = push_model(rep, &model_sigs[2], &d->addr)) < 0)
			return k;
		if (rebar_large(d, 0) >= 0 && (k = push_model(rep, &model_sigs[3], &d->addr)) < 0)
			return k;
	}
	return 0;
}

int doctor_report_finish(struct doctor_report *rep, const struct host *h)
{
	int k;

	if (h && (k = model_findings(rep, h)) < 0)
		return k;
	for (size_t i = 0; i < rep->n; i++) {
		struct fixer x = { .h = h, .f = &rep->f[i] };

		if (x.f->has_addr) {
			format_pci_addr(&x.f->addr, x.addr);
			x.dev = h ? host_find_pci(h, &x.f->addr) : NULL;
		}
		if ((k = set(&x.f->cause, strdup(x.f->sig->cause))) < 0 || (k = fix_one(&x)) < 0)
			return k;
	}
	return 0;
}

static const struct doctor_sig guest_sigs[] = {
	{ "guest-vm-detection", DOCTOR_WARNING, NULL, NULL,
	  "the guest's GPU driver looks for a hypervisor and refuses to run when it finds one (error 43, a black "
	  "screen)",
	  S_DETECT, "the guest's libvirt XML (etc/libvirt/qemu/NAME.xml): <features>, its PCI <hostdev>s and the host "
	  "model's vendor and class of each" },
	{ "guest-ioapic-split", DOCTOR_WARNING, NULL, NULL,
	  "QEMU 4.0 and later give q35 a split irqchip (kernel_irqchip=split), which breaks NVIDIA's guest driver "
	  "(it fails to load, a black screen, Code 43, stutter)",
	  S_IRQCHIP, "the guest's libvirt XML (etc/libvirt/qemu/NAME.xml): <os><type machine=>, <features><ioapic>, "
	  "its PCI <hostdev>s and the host model's vendor and class of each" },
};

#define VENDOR_NVIDIA 0x10de
#define VENDOR_AMD 0x1002

static int push_guest(struct doctor_report *rep, const struct doctor_sig *s, const struct pci_addr *a, char *cause,
		      char *fix)
{
	struct doctor_finding *f;
	int k = 0;

	if (!cause || !fix)
		k = -ENOMEM;
	else if (rep->n < DOCTOR_FINDINGS_MAX && GROW(rep->f, rep->alloc, rep->n + 1) < 0)
		k = -ENOMEM;
	if (k < 0 || rep->n >= DOCTOR_FINDINGS_MAX) {
		free(cause);
		free(fix);
		return k;
	}
	f = &rep->f[rep->n++];
	*f = (struct doctor_finding){ .sig = s, .severity = s->severity, .has_addr = true, .addr = *a, .group = -1,
				      .cause = cause, .fix = fix };
	return 0;
}

/* The article's "Video card driver virtualisation detection": AMD's
 * drivers detect Hyper-V (vendor_id fixes it); NVIDIA's before 465 also
 * need the KVM leaf hidden. Its Q35 entry: NVIDIA needs the in-kernel
 * IOAPIC. One finding per entry and GPU. */
static int guest_gpu(struct doctor_report *rep, const struct host_guest *g, const struct pci_device *d)
{
	bool nv = d->vendor == VENDOR_NVIDIA;
	const char *who = nv ? "NVIDIA's guest drivers before 465 stop the card with error 43 when they see KVM or "
			       "Hyper-V's default vendor"
			     : "AMD's guest drivers detect Hyper-V and refuse to run (a black screen)";
	struct strv miss = { 0 }, xml = { 0 };
	int k = -ENOMEM;

	if (!g->hv_vendor_id && (strv_push(&miss, "<hyperv><vendor_id state='on'/>") < 0 ||
				 strv_push(&xml, "<hyperv><vendor_id state='on' value='vfiokit'/></hyperv>") < 0))
		goto out;
	if (nv && !g->kvm_hidden &&
	    (strv_push(&miss, "<kvm><hidden state='on'/>") < 0 || strv_push(&xml, "<kvm><hidden state='on'/></kvm>") < 0))
		goto out;
	if (miss.n) {
		_cleanup_free_ char *m = strv_join(&miss, " and "), *x = strv_join(&xml, " ");
		if (!m || !x)
			goto out;
		k = push_guest(rep, &guest_sigs[0], &d->addr,
			       strdupf("guest %s passes %s (%s) without %s in <features>: %s", g->name, d->name,
				       nv ? "NVIDIA" : "AMD", m, who),
			       strdupf("add %s under <features> (virsh edit %s), or vfiokit vm edit %s --gpu %s%s --define "
				       "(it sets the vendor_id%s)%s",
				       x, g->name, g->name, d->name, nv ? " --hide-kvm" : "",
				       nv ? " and hides KVM" : "",
				       nv ? "; NVIDIA drivers 465 and later do not need it" : ""));
		if (k < 0)
			goto out;
	}
	k = 0;
	if (nv && g->q35 && !g->ioapic_kvm)
		k = push_guest(rep, &guest_sigs[1], &d->addr,
			       strdupf("guest %s is q35 and passes the NVIDIA GPU %s without <ioapic driver='kvm'/>: QEMU 4.0 "
				       "and later split the irqchip, and NVIDIA's driver fails to load, shows a black screen "
				       "or Code 43, or stutters",
				       g->name, d->name),
			       strdupf("add <ioapic driver='kvm'/> under <features> (virsh edit %s), or vfiokit vm edit %s "
				       "--gpu %s --define (it adds it); with plain QEMU, -machine kernel_irqchip=on",
				       g->name, g->name, d->name));
out:
	strv_clear(&miss);
	strv_clear(&xml);
	return k;
}

int doctor_report_guest(struct doctor_report *rep, const struct host *h, const struct host_guest *g)
{
	for (size_t i = 0; i < g->nhostdevs; i++) {
		const struct pci_device *d = host_find_pci(h, &g->hostdevs[i]);
		int k;

		if (!d || !pci_is_display(d) || (d->vendor != VENDOR_NVIDIA && d->vendor != VENDOR_AMD))
			continue;
		if ((k = guest_gpu(rep, g, d)) < 0)
			return k;
	}
	return 0;
}
