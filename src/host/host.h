/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The host model: what vfiokit knows about one machine, read through a
 * path_root. Loading never prints; problems with the input (malformed sysfs,
 * dangling links, unreadable files) are collected in host->diags, each naming
 * the path, and the rest of the model stays usable.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "shared/macro.h"
#include "host/parse.h"
#include "shared/cpuset.h"
#include "host/path.h"
#include "shared/strv.h"

enum pci_role {
	PCI_ROLE_ENDPOINT,
	PCI_ROLE_BRIDGE,      /* PCI-to-PCI bridge below another bridge (switch port) */
	PCI_ROLE_ROOT_PORT,   /* PCI-to-PCI bridge on a root bus: a CPU or chipset root port */
	PCI_ROLE_HOST_BRIDGE, /* class 0x0600 */
};

/* BARs 0-5 of a type 0 header (PCI_STD_NUM_BARS). */
#define PCI_STD_BARS 6

struct usb_device {
	char *sysname; /* "1-1.2" */
	unsigned busnum, devnum;
	uint16_t vendor, product;
	char *manufacturer, *product_name; /* from the device's own strings; may be NULL */
};

struct usb_bus {
	char *sysname; /* "usb1" */
	unsigned busnum;
	struct usb_device *devs;
	size_t ndevs, alloc;
};

/* Something the running host does with a device: taking it away from the
 * host breaks that. Attached to the device and every bridge above it. */
enum pci_use_kind {
	PCI_USE_DISPLAY, /* a framebuffer or a connected, enabled DRM connector */
	PCI_USE_MOUNT,   /* a mounted filesystem or active swap lives behind it */
	PCI_USE_ROUTE,   /* the network interface of a default route */
};

struct pci_use {
	enum pci_use_kind kind;
	char *what; /* "fb0 (bochs-drmdrmfb)", "/ (sda2)", "eth0" */
};

/* What holds a device open or on screen (HOST_LOAD_HOLDERS, holders.c):
 * what a single-GPU handover has to stop, unbind or unload first. */
enum pci_holder_kind {
	HOLDER_PROCESS,          /* a process with one of its DRM or nvidia nodes open */
	HOLDER_FRAMEBUFFER,      /* a framebuffer device (fbN) on it */
	HOLDER_FBCON,            /* the framebuffer console bound to a vtconsole, on its framebuffer */
	HOLDER_BOOT_FRAMEBUFFER, /* efifb, vesafb, simplefb or simpledrm memory inside one of its BARs */
	HOLDER_DISPLAY_MANAGER,  /* a process of display-manager.service's unit holds it */
	HOLDER_MODULE,           /* its driver's module has users (refcnt, holders/) */
};

struct pci_holder {
	enum pci_holder_kind kind;
	int pid;    /* HOLDER_PROCESS; 0 otherwise */
	char *name; /* comm, "fb0", "vtcon1", "efi-framebuffer.0", unit or module; raw */
	char *unit; /* HOLDER_PROCESS: its systemd unit from /proc/PID/cgroup; NULL unknown;
		     * HOLDER_BOOT_FRAMEBUFFER: the platform device's driver, NULL none */
	char *what; /* the whole fact as shown, raw: the cli escapes it */
};

struct pci_device {
	struct pci_addr addr;
	char name[PCI_ADDR_STRLEN];
	uint16_t vendor, device, subvendor, subdevice;
	uint32_t class; /* 24 bits: base, sub, prog-if */
	uint8_t revision;
	bool has_subsys, has_revision;
	/* NULL if unknown; owned by host->names (one copy for all devices alike) */
	const char *vendor_name, *device_name, *class_name, *subsys_name;
	char *driver;          /* bound driver, NULL if none */
	char *driver_override; /* NULL if unset */
	char *modalias;
	struct strv modules; /* modules whose aliases match modalias */
	int iommu_group;     /* -1: none */
	char *reset_method;  /* reset_method attribute ("flr bus"), NULL if absent */
	bool has_reset;      /* the "reset" attribute exists */
	int boot_vga;        /* -1 absent, else 0/1 */
	int numa_node;       /* -1: none */
	/* current_link_speed ("8.0 GT/s PCIe"), current_link_width (lanes,
	 * -1 unknown), the firmware's label (SMBIOS/ACPI _DSM "Onboard IGD")
	 * and the physical slot sys/bus/pci/slots names for its address; NULL
	 * when absent. */
	char *link_speed;
	int link_width;
	char *label, *slot;
	/* Resizable BARs (Linux 6.1+, drivers/pci/pci-sysfs.c resourceN_resize):
	 * rebar_sizes[n] the sizes BAR n supports, bit k for 2^k MiB, 0 when it
	 * is not resizable; bar_len[n] its length now in bytes (the "resource"
	 * file, read only for a resizable BAR), 0 when unassigned or unread.
	 * Read for display devices (class 0x03) only, the ones asked about. */
	uint64_t rebar_sizes[PCI_STD_BARS];
	uint64_t bar_len[PCI_STD_BARS];
	enum pci_role role;
	struct pci_addr *parents; /* bridges above, nearest the root first */
	size_t nparents;
	struct usb_bus *usb; /* for USB controllers, when loaded with HOST_LOAD_USB */
	size_t nusb;
	struct pci_use *uses; /* HOST_LOAD_USAGE */
	size_t nuses, uses_alloc;
	struct bind_state *bound; /* left by `vfiokit bind` in run/vfiokit/bound; NULL if none */
	struct pci_holder *holders; /* HOST_LOAD_HOLDERS */
	size_t nholders, holders_alloc;
	/* HOST_LOAD_HOLDERS: the facts about its holders that could not be
	 * read ("processes: /proc/17/fd: Permission denied"); never taken as none. */
	struct strv holders_unknown;
};

struct iommu_group {
	int number;
	size_t *devs; /* indexes into host->pci, sorted by address */
	size_t ndevs;
	struct strv missing; /* listed in the group but absent from /sys/bus/pci */
};

enum module_state {
	MODULE_ABSENT,    /* not in the running kernel's modules.dep nor built in */
	MODULE_AVAILABLE, /* a loadable module of the running kernel, not loaded */
	MODULE_LOADED,
	MODULE_BUILTIN,
};

/* A line of modules.dep, modules.builtin or modules.alias, kept whole so that
 * a snapshot can copy the lines vfiokit used. */
struct module_entry {
	char *name;  /* normalised module name */
	char *line;  /* the original line */
	char *pattern; /* modules.alias only: the pci: modalias pattern */
	size_t prefix; /* length of the pattern's literal prefix */
	bool used;   /* asked about, or matched a device */
};

struct module_table {
	struct module_entry *e;
	size_t n, alloc;
	char *rel; /* root-relative file it was read from, NULL if absent */
};

struct host_kernel {
	char *release;     /* proc/sys/kernel/osrelease */
	char *cmdline_raw; /* proc/cmdline */
	struct cmdline cmdline;
	bool modules_dir;  /* lib/modules/<release> exists */
	struct strv loaded; /* proc/modules, sorted */
	struct module_table builtin, available, aliases; /* available: sorted by name */
};

struct host_iommu {
	bool groups_dir;        /* sys/kernel/iommu_groups exists */
	struct strv units;      /* sys/class/iommu entries: dmar0, ivhd0 ... */
	struct strv acpi_tables; /* sys/firmware/acpi/tables names */
	bool dmar, ivrs;
	int ir_active;  /* /proc/interrupts shows IR- chips: 1, none: 0, unknown: -1 */
	int ir_capable; /* any Intel unit's ecap has the IR bit: 1/0, unknown: -1 */
	/* Devices whose interrupts vfio-pci has requested for a running guest,
	 * by the names in /proc/interrupts (drivers/vfio/pci/vfio_pci_intrs.c:
	 * "vfio-intx(ADDR)", "vfio-msi[N](ADDR)", "vfio-msix[N](ADDR)"). */
	struct strv vfio_intx, vfio_msi;
};

/* CPU topology (sys/devices/system/cpu, sys/devices/system/node). */
enum cpu_kind {
	CPU_KIND_UNKNOWN,     /* not a hybrid CPU, or not said */
	CPU_KIND_PERFORMANCE, /* sys/devices/cpu_core/cpus: Intel P-cores; ARM big cores */
	CPU_KIND_EFFICIENCY,  /* sys/devices/cpu_atom/cpus: Intel E-cores; ARM LITTLE cores */
};

struct cpu_info {
	unsigned cpu;
	bool online;
	int package, die, core_id; /* as the kernel numbers them; -1 unknown */
	int node;                  /* NUMA node; -1 unknown */
	int core;                  /* index into cores; -1 when offline */
	int l3;                    /* index into l3s; -1 when offline */
	int perf;                  /* speed in perf_source's unit, higher faster; -1 unknown */
	enum cpu_kind kind;
};

struct cpu_topology {
	struct cpu_info *cpus; /* every CPU in sysfs, by number */
	size_t ncpus, cpus_alloc;
	struct cpuset online;
	struct cpuset *cores; /* SMT siblings: the online CPUs of one core; by lowest CPU */
	size_t ncores, cores_alloc;
	struct cpuset *l3s;   /* L3 domains: online CPUs sharing one L3; by lowest CPU */
	size_t nl3s, l3s_alloc;
	bool l3_guessed;      /* no L3 information: one domain per package */
	bool hybrid;          /* P-cores and E-cores */
	const char *perf_source; /* the file under cpuN the speeds come from; NULL: none */
	const char *kinds_from;  /* P/E told from: perf_source or "SMT"; NULL: cpu_core/cpu_atom or none */
	/* "/sys/.../cpu3/topology/thread_siblings_list: absent": the first
	 * fact of an online CPU's cores or caches that could not be read
	 * (pin refuses); NULL when all were. */
	char *unknown;
};

/* What tuning reads besides the topology (HOST_LOAD_TUNING). */
struct hugepage_pool {
	uint64_t size_kb;
	long nr, free; /* -1 unknown */
};

struct cpufreq_group {
	char *driver, *governor; /* NULL when not said */
	struct cpuset cpus;
};

struct host_tuning {
	uint64_t mem_total_kb, mem_available_kb; /* 0 unknown */
	char *thp;                               /* transparent huge pages mode; NULL unknown */
	struct hugepage_pool *pools;             /* sys/kernel/mm/hugepages/hugepages-*kB, by size */
	size_t npools, pools_alloc;
	struct cpufreq_group *freq;              /* online CPUs grouped by driver and governor */
	size_t nfreq, freq_alloc;
	struct cpuset isolated, nohz_full;       /* sys/devices/system/cpu/{isolated,nohz_full} */
	int cgroup;                              /* 2 unified, 1 v1 or hybrid, 0 unknown */
	int systemd;                             /* version from libsystemd-shared-N.so; -1 unknown */
};

/* Boot-time configuration (HOST_LOAD_BOOT): which bootloaders and
 * initramfs generators are installed (the backends of src/plan/boot), and
 * the text of the files they and `vfiokit setup` edit. */
struct boot_backend;
/* The VFIO modules, as bits of boot_kernel.module / builtin. */
enum { VFIO_MOD_VFIO_PCI, VFIO_MOD_VFIO, VFIO_MOD_IOMMU_TYPE1, VFIO_MOD_VIRQFD, _VFIO_MOD_MAX };

struct boot_kernel {
	char *release;     /* lib/modules/RELEASE */
	bool tables;       /* modules.dep could be read */
	unsigned module;   /* bits: a loadable module */
	unsigned builtin;  /* bits: built in */
	struct strv drm;   /* loadable modules under drivers/gpu/drm (KMS drivers), normalised names */
};

struct boot_file {
	char *path; /* root-relative */
	char *text;
	bool cmdline; /* a backend's file of kernel command lines */
};

struct boot_files {
	struct boot_file *v;
	size_t n, alloc;
};

/* An installed backend, and the command that rebuilds what it boots
 * (the first of its alternatives whose program is there; NULL: none). */
struct boot_found {
	const struct boot_backend *be;
	const char *regen;
};

/* The article's driver_override script, as vfiokit setup writes it. */
#define OVERRIDE_SCRIPT "usr/local/bin/vfio-pci-override.sh"

struct host_boot {
	struct boot_found *found; /* in the order of boot_backends[] */
	size_t nfound, found_alloc;
	struct boot_kernel *kernels;
	size_t nkernels, kernels_alloc;
	struct boot_files files; /* every file a backend names that could be read */
	struct boot_files unreadable; /* ... that is there but could not be read; text: why */
	/* setup's own files; NULL when absent. */
	char *modprobe_vfio;   /* etc/modprobe.d/vfio.conf */
	char *override_script; /* OVERRIDE_SCRIPT, an earlier setup's (identical cards) */
	/* etc/modprobe.d/kvm.conf (kvm's options: ignore_msrs); absent there,
	 * the packaged file of that name it would replace (modprobe_kvm_from:
	 * usr/lib/modprobe.d/kvm.conf, ...; NULL: /etc's or none). odd: /etc's
	 * is there but no regular file (a link to /dev/null masks, modprobe.d(5)). */
	char *modprobe_kvm;
	const char *modprobe_kvm_from;
	bool modprobe_kvm_odd;
	/* modprobe.d files read after kvm.conf (by name) with kvm's
	 * ignore_msrs= or report_ignored_msrs=: theirs is the value kvm gets;
	 * modprobe_kvm_later_opts[i]: those options of file i, in order,
	 * joined by blanks ("ignore_msrs=Y report_ignored_msrs=0"). */
	struct strv modprobe_kvm_later, modprobe_kvm_later_opts;
	struct modprobe_conf modprobe; /* every .conf kmod reads: etc, run, usr/local/lib, usr/lib, lib/modprobe.d */
};

/* Whose IOMMU and virtualization extensions the CPU has. */
enum cpu_vendor { CPU_OTHER, CPU_INTEL, CPU_AMD };

struct host_cpu {
	char *vendor_id; /* GenuineIntel, AuthenticAMD, ... */
	char *model_name;
	bool vmx, svm, pdpe1gb, hypervisor;
};

/* What an event device can do, by its capabilities
 * (sys/class/input/eventN/device/capabilities/{ev,key,rel}), as udev's
 * input_id judges: a keyboard has EV_KEY and the letter keys, a mouse
 * EV_REL with REL_X and REL_Y. */
enum { INPUT_KEYBOARD = 1 << 0, INPUT_MOUSE = 1 << 1 };

struct host_input {
	char *event;      /* "event3" */
	char *sysfs;      /* its sysfs path from "devices/" (the PCI devices above it) */
	unsigned caps;    /* INPUT_KEYBOARD | INPUT_MOUSE */
	char *unreadable; /* the capabilities file that could not be read, and why; NULL: read */
	struct strv by_id; /* dev/input/by-id names linking to it */
};

struct host_system {
	bool kvm_dev;          /* dev/kvm exists */
	int kvm_ignore_msrs;   /* sys/module/kvm/parameters/ignore_msrs: 1 Y, 0 N, -1 unknown */
	bool vfio_dev;         /* dev/vfio/vfio exists */
	char *os_id, *os_id_like, *os_pretty;
	char *os_variant;      /* VARIANT (Harvester is VARIANT="Harvester" over SLE Micro) */
	char *hostname;        /* etc/hostname; NULL when absent or empty */
	/* Whether / lies on dm-crypt (a CRYPT- device-mapper target, or one
	 * below LVM or RAID): 1, 0, or -1 unknown with the fact not read in
	 * root_crypt_unknown ("/proc/self/mountinfo: absent"). Read with
	 * HOST_LOAD_SYSTEM | HOST_LOAD_BOOT: a fact of boot-time isolation. */
	int root_crypt;
	char *root_crypt_unknown;
	char *root_crypt_dev;  /* the crypt device found ("dm-0") */
	struct strv ovmf;      /* OVMF code images found */
	struct strv firmware_descriptors; /* .json files in usr/share/qemu/firmware */
	struct strv inputs;    /* dev/input/by-id names of event devices (*-event-kbd, *-event-mouse) */
	struct host_input *events; /* sys/class/input/event* (input.c) */
	size_t nevents, events_alloc;
	/* Why sys/class/input could not be listed; NULL when it was. */
	char *events_unknown;
	char *clocksource;
	bool efi;              /* sys/firmware/efi exists */
	/* The invoking user, on the live machine only. */
	bool user_known;
	unsigned uid;
	bool in_kvm, in_libvirt; /* group present in the process's credentials */
	bool kvm_group, libvirt_group; /* the group exists in etc/group */
};
/* A guest libvirt keeps (etc/libvirt/qemu/NAME.xml, HOST_LOAD_PROGRESS):
 * what `vfiokit next` asks of it. */
struct host_guest {
	char *name;              /* <name>, else the file's name without .xml */
	char *file;              /* root-relative */
	struct pci_addr *hostdevs; /* <hostdev type='pci'> sources */
	size_t nhostdevs;
	bool pinned;             /* <cputune> holds a <vcpupin> */
	bool hugepages;          /* <memoryBacking> holds <hugepages> */
	/* <features> as the article's Code 43 entries ask (doctor --guest):
	 * <kvm><hidden state='on'/>, <hyperv><vendor_id state='on'/>,
	 * <ioapic driver='kvm'/>; q35: <os><type machine='...q35...'>. */
	bool kvm_hidden, hv_vendor_id, ioapic_kvm, q35;
};
struct host_progress {
	struct host_guest *guests; /* by file name */
	size_t nguests, guests_alloc;
	/* "/etc/libvirt/qemu: cannot read: Permission denied": the first
	 * guest fact that could not be read; NULL when all were. */
	char *guests_unknown;
	long long boot_time;     /* proc/stat btime, seconds since the epoch; -1 unknown */
	char *boot_time_unknown; /* why unknown: "/proc/stat: absent" */
};

struct host {
	struct path_root *root;
	struct pci_device *pci;
	size_t npci, pci_alloc;
	struct iommu_group *groups;
	size_t ngroups, groups_alloc;
	struct host_kernel kernel;
	struct host_iommu iommu;
	struct host_cpu cpu;
	struct cpu_topology topo; /* HOST_LOAD_TOPOLOGY */
	struct host_tuning tuning; /* HOST_LOAD_TUNING */
	struct host_boot boot;     /* HOST_LOAD_BOOT */
	struct host_system sys;
	struct host_progress progress; /* HOST_LOAD_PROGRESS */
	char *pci_ids; /* root-relative pci.ids the names came from, NULL if none */
	struct strv names; /* the devices' names, each once */
	struct strv diags; /* "PATH: problem" for every input that could not be used */
	bool diags_lost;   /* a diag could not be kept (ENOMEM): host_load() fails */
	/* HOST_LOAD_USAGE: why a kind of use could not be read
	 * ("/proc/self/mountinfo: a directory"), indexed by enum pci_use_kind;
	 * NULL when it was. Unknown means refused (plan/refuse.c). */
	char *usage_unknown[3];
	/* HOST_LOAD_USAGE: the block devices under a mount or swap, by their
	 * sysfs paths from "devices/" (slaves of dm and md included), and
	 * block_used_what[i] what uses block_used[i] ("/ (/dev/sda2)"). */
	struct strv block_used, block_used_what;
	/* host_pci_drivers_probe(): PCI drivers the running kernel has, of
	 * those bind and unbind may need. */
	struct strv pci_drivers;
	/* HOST_LOAD_HOLDERS: the unit etc/systemd/system/display-manager.service
	 * links to ("gdm3.service"), NULL when none; display_manager_unknown
	 * why it could not be read, NULL when it was. */
	char *display_manager, *display_manager_unknown;
};

/* A block device a guest is given (vm --disk), as the host sees it. */
struct host_block {
	bool exists;    /* the path is there in the root */
	bool block;     /* its links followed, it leads under /dev */
	char *name;     /* its kernel name, "sda2"; NULL when not a block device sysfs shows */
	char *by_id;    /* a dev/disk/by-id name linking to it, NULL if none */
	struct strv uses; /* what the host does with it or a partition or slave of it */
	char *unknown;  /* why whether it is in use cannot be told; NULL: known */
};

/* Where `vfiokit bind` keeps what it changed (root-relative). */
#define BIND_STATE_DIR "run/vfiokit/bound"

enum host_load_flags {
	HOST_LOAD_PCI = 1 << 0,
	HOST_LOAD_NAMES = 1 << 1,
	HOST_LOAD_MODULES = 1 << 2, /* module states and per-device module aliases (modalias read only then) */
	HOST_LOAD_USB = 1 << 3,
	HOST_LOAD_SYSTEM = 1 << 4,   /* cpu, iommu state, kvm, os-release, firmware */
	HOST_LOAD_USAGE = 1 << 5,    /* what the host uses (displays, mounts, routes); bind state */
	HOST_LOAD_TOPOLOGY = 1 << 6, /* CPUs, cores, L3 domains, NUMA nodes */
	HOST_LOAD_TUNING = 1 << 7,   /* memory, huge pages, cpufreq, isolation, cgroup, systemd */
	HOST_LOAD_BOOT = 1 << 8,     /* bootloaders, initramfs generators, installed kernels, their files */
	HOST_LOAD_PROGRESS = 1 << 9, /* libvirt's guests (etc/libvirt/qemu) and the boot time, for next */
	HOST_LOAD_HOLDERS = 1 << 10, /* what holds the display devices: processes, consoles, framebuffers, modules */
	HOST_LOAD_LINKS = 1 << 11,   /* each device's link speed and width, firmware label and physical slot */
	HOST_LOAD_ALL = 0xfff,
	/* Past HOST_LOAD_ALL: facts of each device that only some of groups'
	 * columns show, left out (two files a device fewer) when groups does
	 * not show them. Every other command reads them. */
	HOST_PCI_NO_NUMA = 1 << 12,     /* numa_node: left -1 */
	HOST_PCI_NO_OVERRIDE = 1 << 13, /* driver_override: left NULL */
};

/* Load the model. Fails only on ENOMEM, and with HOST_LOAD_PROGRESS on
 * -ELIBACC: a guest to parse and no libxml2 (libxml_load() says why);
 * input problems go to diags. */
int host_load(struct path_root *root, unsigned flags, struct host **ret);
void host_free(struct host *h);

const struct pci_device *host_find_pci(const struct host *h, const struct pci_addr *a);
/* Facts a planner takes, as plan/ opens nothing; the cli asks them before
 * planning. Whether path (absolute, in the root) is there: vm's --disk
 * and --rom. */
bool host_path_exists(struct host *h, const char *path);
/* The network interface iface of the host (sys/class/net/IFACE): 0 with
 * *bridge when it is a Linux bridge (its bridge/ directory, vm --bridge);
 * -ENOENT when there is none, -EINVAL for a name that is no interface
 * name, another -errno when it cannot be read. */
int host_net_link(struct host *h, const char *iface, bool *bridge);
/* h->pci_drivers: of driver (NULL: none) and the modules each device's
 * modalias matches (as named, and with '-' for '_'), the ones the running
 * kernel has as PCI drivers (sys/bus/pci/drivers/NAME). The cli calls it
 * before bind, unbind and vm plan. 0 or -ENOMEM. */
int host_pci_drivers_probe(struct host *h, const char *driver);
const struct iommu_group *host_find_group(const struct host *h, int number);
/* The event device /dev/input/eventN or a /dev/input/by-id/ link names;
 * NULL when this host has none (HOST_LOAD_SYSTEM). */
const struct host_input *host_find_input(const struct host *h, const char *dev);
/* Does the device's sysfs path pass through the PCI device at addr? */
bool host_sysfs_under(const char *sysfs, const struct pci_addr *addr);
/* State of a module in the running kernel; marks the table lines it used. */
enum module_state host_module_state(struct host *h, const char *name);
const char *module_state_name(enum module_state s);
const char *pci_use_kind_name(enum pci_use_kind k);
/* The driver a device is bound to now, read again (after a rebind). *ret is
 * NULL when it has none; -EINVAL when its driver link names none ("", "."
 * or ".."). */
int pci_read_driver(struct path_root *r, const char *device, char **ret);

/* Record a problem with an input path (root-relative). */
void host_diag(struct host *h, const char *rel, const char *fmt, ...) _printf_(3, 4);

/* Class helpers (PCI Code and ID Assignment Specification). */
static inline unsigned pci_base_class(const struct pci_device *d)
{
	return d->class >> 16;
}

static inline bool pci_is_display(const struct pci_device *d)
{
	return pci_base_class(d) == 0x03; /* VGA, XGA, 3D controller, other display */
}

static inline bool pci_is_usb_controller(const struct pci_device *d)
{
	return (d->class >> 8) == 0x0c03;
}

static inline bool pci_is_bridge_role(enum pci_role r)
{
	return r != PCI_ROLE_ENDPOINT;
}

/* Internal loaders, one per concern (pci.c, iommu.c, kernel.c, system.c, usb.c, names.c). */
int pci_load(struct host *h, unsigned flags); /* HOST_LOAD_MODULES: modalias; HOST_LOAD_LINKS; HOST_PCI_NO_* */
int iommu_load_groups(struct host *h);
int iommu_load_state(struct host *h);
int kernel_load(struct host *h, bool modules);
int kernel_match_modules(struct host *h);
void kernel_free(struct host_kernel *kn);
int system_load(struct host *h);
int system_load_root_crypt(struct host *h);
int usb_load(struct host *h);
int input_load(struct host *h);
void input_free(struct host *h);
int names_load(struct host *h);
int usage_load(struct host *h);
int holders_load(struct host *h);
/* Where `vfiokit handover take` records what it did (root-relative). */
#define HANDOVER_STATE_DIR "run/vfiokit/handover"
/* The text of d's handover state file: 0 and *ret, -ENOENT when there is
 * none, another -errno when it cannot be read. */
int host_handover_state(struct host *h, const struct pci_device *d, char **ret);
void holders_free(struct pci_device *d);
const char *pci_holder_kind_name(enum pci_holder_kind k);
/* The block device at dev (an absolute path under the root; its links
 * and ".." followed first, so /srv/x.img linking to /dev/sda2 or
 * //dev/sda2 is sda2) and its uses (needs HOST_LOAD_USAGE). 0 or -ENOMEM. */
int host_block_lookup(struct host *h, const char *dev, struct host_block *ret);
void host_block_clear(struct host_block *b);
int topology_load(struct host *h);
int tuning_load(struct host *h); /* after topology_load */
void tuning_free(struct host_tuning *t);
int boot_load(struct host *h);
/* libvirt's guests through libxml2, loaded at the first guest file. */
int progress_load(struct host *h);
/* One guest, etc/libvirt/qemu/NAME.xml, added to h->progress.guests (the
 * rest of HOST_LOAD_PROGRESS not read): 0 and *ret; -ENOENT absent;
 * -EINVAL unreadable or not a domain (a diag says why); -ENOMEM;
 * -ELIBACC, libxml2 cannot be loaded (libxml_load() says why). */
int host_guest_load(struct host *h, const char *name, const struct host_guest **ret);
void progress_free(struct host_progress *p);
void boot_free(struct host_boot *b);
const char *vfio_module_name(unsigned i); /* "vfio_pci", ... */
void topology_free(struct cpu_topology *t);
const struct cpu_info *topology_cpu(const struct cpu_topology *t, unsigned cpu);
void system_free(struct host *h);
/* The one judgement of the CPU vendor every module uses: Hygon's Dhyana is
 * AMD's Zen (AMD-V, AMD-Vi, an IVRS table, the amd_iommu driver; the kernel's
 * X86_VENDOR_HYGON shares AMD's code paths). CPU_OTHER when not said. */
enum cpu_vendor host_cpu_vendor(const struct host *h);
/* The one judgement of which IOMMU the firmware reports, from its ACPI tables
 * (the article's "Enabling IOMMU"): DMAR is Intel VT-d (intel_iommu=), IVRS
 * AMD-Vi (amd_iommu=). Never the CPU vendor: Zhaoxin and Centaur CPUs have
 * VT-d, and a QEMU guest may show an Intel CPU over an emulated AMD-Vi.
 * UNREAD: no table could be read in sys/firmware/acpi/tables; BOTH: the
 * tables cannot tell which one the kernel uses. */
enum iommu_kind { IOMMU_KIND_UNREAD, IOMMU_KIND_NONE, IOMMU_KIND_BOTH, IOMMU_KIND_INTEL, IOMMU_KIND_AMD };
enum iommu_kind host_iommu_kind(const struct host *h);
void pci_device_free(struct pci_device *d);
