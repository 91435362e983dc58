/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The guest (`vfiokit vm`): what a passthrough guest is made of, decided
 * from the host model and the user's request, before it becomes libvirt
 * XML (emit/domain.c) or a QEMU launch script (emit/qemu.c). The article's
 * "Setting up an OVMF-based guest", "Attaching the PCI devices", "Passing
 * keyboard/mouse via Evdev", "Using Looking Glass", the audio sections and
 * "Plain QEMU without libvirt". Pure: reads the host model only.
 */
#pragma once
#include "plan/bind.h"
#include "host/firmware.h"
#include "plan/hugepages.h"
#include "plan/pin.h"
#include "shared/error.h"

enum vm_audio { VM_AUDIO_NONE, VM_AUDIO_PULSEAUDIO, VM_AUDIO_PIPEWIRE };
enum vm_accel { VM_ACCEL_KVM, VM_ACCEL_TCG };
/* The libvirt network of --network as the connection tells it (apply/virt.c:
 * virt_network_state()); unchecked without a connection. */
enum vm_net_state { VM_NET_UNCHECKED, VM_NET_ACTIVE, VM_NET_INACTIVE, VM_NET_MISSING, VM_NET_UNKNOWN };
/* virtio-blk, or a disk on a virtio-scsi controller (the article's
 * "Virtio disk": discard reaches the host's SSD, one controller per I/O
 * thread). */
enum vm_disk_bus { VM_DISK_VIRTIO, VM_DISK_SCSI };

struct vm_request {
	const char *name;
	const char *gpu;             /* the guest GPU: an address, vendor:device or group:N */
	char *const *with;           /* more PCI devices (a USB controller, a NIC) */
	size_t nwith;
	unsigned vcpus;              /* 0: 4, or what the host can give */
	uint64_t memory;             /* bytes; 0: 8 GiB */
	const char *disk;            /* image file or block device; NULL: none */
	const struct host_block *disk_dev; /* the host's view of a /dev disk (host_block_lookup) */
	bool disk_exists;            /* disk is there (host_path_exists); disk_dev->exists for a /dev disk */
	enum vm_disk_bus disk_bus;
	const char *iso, *virtio_iso;
	bool iso_read;               /* iso_read_boot() ran on iso: iso_result, iso_platforms */
	int iso_result;
	unsigned iso_platforms;
	char *const *usb;            /* "vendor:product" USB devices to pass */
	size_t nusb;
	char *const *evdev;          /* /dev/input/by-id paths, or "auto" */
	size_t nevdev;
	const char *grab_toggle;     /* evdev's hotkey (vm_grab_toggle_keys()); NULL: ctrl-ctrl */
	unsigned lg_width, lg_height; /* Looking Glass; 0: none */
	bool lg_spice;               /* keep a SPICE server for Looking Glass input */
	bool lg_kvmfr;               /* Looking Glass through the kvmfr module (/dev/kvmfr0), not /dev/shm */
	enum vm_audio audio;
	unsigned uid;                /* the desktop user's uid, for audio */
	bool uid_known;              /* uid from --uid or SUDO_UID, not the caller's own */
	bool hdmi_audio_host;        /* keep the GPU's HDMI audio on the host (modprobe.d) */
	const char *user;            /* the desktop user, for the Looking Glass file */
	bool hugepages, pin;
	bool secure_boot, hide_kvm;
	const char *rom;             /* the GPU's ROM file (absolute); NULL: none */
	bool rom_exists;             /* rom is there (host_path_exists) */
	int rom_result;              /* reading it (path_read_binary()): 0 or -errno */
	bool rom_read;               /* read and parsed (the cli's rom_parse()): */
	bool rom_uefi_ready;         /* rom_uefi_ready(): OVMF loads it as it is; else rom_why */
	const char *rom_why;
	const bool *rom_for;         /* [i]: rom_matches() h->pci[i]'s vendor:device */
	const char *rom_sha256;      /* its sha256 (hex): the name of its copy (VM_ROM_DIR) */
	bool rom_libvirt;            /* for a libvirt domain (not the QEMU script): copied where its QEMU reads */
	const char *apparmor_qemu;   /* VM_APPARMOR_QEMU's text; NULL: not in the root */
	const char *vendor_id;       /* Hyper-V vendor_id; NULL: "vfiokit" */
	const char *network;         /* libvirt network name; NULL: "default"; "none": no NIC */
	bool network_named;          /* --network given (not the default) */
	enum vm_net_state net_state; /* of network, on uri */
	bool net_autostart;          /* VM_NET_ACTIVE/INACTIVE: libvirt starts it at boot */
	const char *net_error;       /* VM_NET_UNKNOWN: why libvirt cannot tell */
	const char *uri;             /* the libvirt URI (for the commands in messages) */
	const char *bridge;          /* a host bridge (<interface type="bridge">); NULL: none */
	const char *macvtap;         /* a host NIC for a macvtap (type="direct", mode bridge); NULL: none */
	int link_result;             /* host_net_link() on bridge or macvtap */
	bool link_is_bridge;
	unsigned net_queues;         /* virtio-net queues; 0: one */
	bool net_queues_auto;        /* as many queues as vCPUs */
	const char *nvram_dir;       /* NULL: /var/lib/libvirt/qemu/nvram */
	enum vm_accel accel;         /* the QEMU script only */
	bool allow[_REFUSE_MAX];     /* refusals the user lifted */
	bool allow_unreserved;       /* huge pages asked for but not reserved now */
	bool allow_host_input;       /* a USB controller with every keyboard or mouse of the host */
	bool convert_ovmf;           /* vm edit: a SeaBIOS domain is given OVMF */
	bool install_display;        /* keep a SPICE display and QXL until the guest's drivers are in */
	bool remove_install_display; /* vm edit: take that display out */
	bool single_gpu;             /* the GPU's group managed='no': the handover hook binds it; its refusals
				      * that handover lifts (refusal_handover_lifts()) are lifted */
};

struct vm_usb {
	uint16_t vendor, product;
};

struct vm_plan {
	char *name;
	struct bind_plan devices; /* the endpoints of every group touched; items[0] is the GPU */
	struct firmware fw;
	char *nvram;              /* absolute path of this VM's variable store (libvirt) */
	char *vars_file;          /* the file name the QEMU script copies the template to */
	unsigned vcpus;
	uint64_t memory_kb;
	bool pinned, huge, amd;
	struct pin_plan pin;
	struct hugepage_plan hp;
	unsigned sockets, cores, threads; /* without pinning */
	struct vm_usb *usb;
	size_t nusb;
	struct strv evdev;        /* absolute paths; the keyboards first */
	size_t nkbd;              /* how many of evdev are keyboards (grab all) */
	const char *grab_toggle;  /* libvirt's grabToggle value */
	uint64_t shmem_mib;       /* Looking Glass; 0: none */
	bool lg_kvmfr;            /* ... on /dev/kvmfr0 (qemu:commandline), not <shmem> */
	char *tmpfiles;           /* the tmpfiles.d line for /dev/shm/looking-glass */
	char *rom_file;           /* the ROM the guest names: --rom's file, or its copy in VM_ROM_DIR */
	bool rom_copy;            /* rom_file is the copy vm --apply makes (journaled) */
	enum vm_audio audio;
	unsigned uid;
	unsigned net_queues;      /* virtio-net multiqueue; 0: one queue */
	char *disk_format;        /* raw, qcow2 */
	bool disk_block;
	struct strv warnings;     /* printed; the guest is still made */
	struct strv notes;        /* what to do next */
};

/* Where libvirt's confined QEMU may read a ROM: libvirt's AppArmor
 * abstraction lets it read everything under /usr/share/vgabios/ (Debian, Ubuntu), and on
 * SELinux hosts (Fedora, RHEL) files there are usr_t, which svirt_t reads.
 * vm copies --rom there as VVVV-DDDD-SHA256PREFIX.rom. */
#define VM_ROM_DIR "/usr/share/vgabios"
#define VM_APPARMOR_QEMU "etc/apparmor.d/abstractions/libvirt-qemu"

/* A libvirt URI of this machine (no host part: qemu:///system). */
bool vm_uri_local(const char *uri);
/* The line (1, 2, ...) of an AppArmor profile's text with a rule that lets
 * QEMU read every file under VM_ROM_DIR (its directory, then "** r,");
 * 0: none. */
unsigned vm_apparmor_rom_line(const char *text);

/* Load the host with at least HOST_LOAD_PCI | MODULES | USB | SYSTEM |
 * USAGE | TOPOLOGY | TUNING. Returns 0, -ENOMEM, or a negative errno with
 * err filled (shared/error.h): ERROR_USAGE for bad option values (-EINVAL);
 * ERROR_FAILED for devices (bind_plan_make()'s), a refusal not lifted or a
 * host limit (-EPERM; -EINVAL from pin_plan_make() and hugepage_plan_make()),
 * no OVMF (-ENOENT). */
int vm_plan_make(struct host *h, const struct vm_request *rq, struct vm_plan *ret, struct error *err);
void vm_plan_free(struct vm_plan *p);
/* The NIC part of vm_plan_make() (after the vCPUs are planned): the
 * libvirt network's state as rq says it, a bridge or macvtap judged by
 * rq->link_result, the queues; warnings and notes into p. */
int vm_plan_network(const struct vm_request *rq, struct vm_plan *p, struct error *err);

/* The most memory a guest can have: libvirt's limit (virMemoryMaxValue),
 * in bytes. */
#define VM_MEMORY_MAX ((uint64_t)INT64_MAX)
/* The most vCPUs vfiokit gives a guest (--vcpus, <vcpu> of vm edit). */
#define VM_VCPUS_MAX 4096u

/* A libvirt domain name vfiokit accepts: 1-200 bytes, no '/', valid UTF-8
 * without control characters. NULL if fine, else why ("is empty"). */
const char *vm_name_invalid(const char *name);

/* Looking Glass shared memory for a resolution: width x height x 4 x 2
 * bytes, in MiB, + 10, rounded up to a power of two (the article). */
uint64_t vm_shmem_mib(unsigned width, unsigned height);

/* The keys a grabToggle value of libvirt (and QEMU's input-linux
 * grab-toggle) means ("both Ctrl keys"), NULL when it is none of them. */
const char *vm_grab_toggle_keys(const char *value);

/* Is host at address addr one of the plan's devices? */
bool vm_plan_has_device(const struct host *h, const struct vm_plan *p, const struct pci_addr *addr);
