/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vfiokit vm: the guest. create writes libvirt domain XML, defines it through
 * libvirt, or writes a plain QEMU launch script; edit changes a domain that
 * already exists and shows the diff first. */
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "emit/diff.h"
#include "host/iso.h"
#include "emit/domain.h"
#include "emit/hook.h"
#include "apply/lock.h"
#include "emit/qemu.h"
#include "shared/shell.h"
#include "apply/virt.h"
#include "plan/vm.h"
#include "plan/vm-host.h"
#include "rom/rom.h"
#include "apply/journal.h"
#include "shared/sha256.h"

#define MAX_LIST 16
#define DEFAULT_URI "qemu:///system"
/* libvirt gained <audio type='pipewire'> in 9.10. */
#define LIBVIRT_PIPEWIRE 9010000ul
#define BACKUP_DIR "var/lib/vfiokit/libvirt"

static void help(void)
{
	fputs("Usage: vfiokit vm create NAME --gpu ADDR [OPTIONS] [--xml | --define | --qemu FILE]\n"
	      "       vfiokit vm edit NAME --gpu ADDR [OPTIONS] [--from FILE] [--define]\n"
	      "\n"
	      "create: a new OVMF guest for PCI passthrough, as the article builds it: q35, OVMF\n"
	      "  code and a per-guest variable store (found through QEMU's firmware descriptors),\n"
	      "  host-passthrough CPU with a topology, a managed hostdev for every endpoint of the\n"
	      "  GPU's IOMMU group, no SPICE/QXL/tablet, Hyper-V vendor_id, the in-kernel IOAPIC,\n"
	      "  virtio disk (with an I/O thread), network, keyboard and mouse.\n"
	      "  --xml (the default) prints the domain; --define gives it to libvirt and reads it\n"
	      "  back; --qemu FILE writes a plain QEMU launch script instead (never overwritten).\n"
	      "edit: change a domain that exists (made with virt-manager): the GPU group's hostdevs\n"
	      "  in, SPICE/QXL/tablet/PS2 out, the options below applied, everything else kept.\n"
	      "  Shows the XML diff; --define (or --apply) gives the result to libvirt, after saving\n"
	      "  the old XML under /var/lib/vfiokit/libvirt/.\n"
	      "\n"
	      "Devices:\n"
	      "      --gpu ADDR           the guest's GPU: address, vendor:device or group:N\n"
	      "      --with ADDR          another PCI device (a USB controller ...); repeatable\n"
	      "      --rom FILE           the GPU's ROM file (absolute path; see vfiokit rom): refused\n"
	      "                           unless OVMF loads it and it is the GPU's; a libvirt guest\n"
	      "                           reads its copy in /usr/share/vgabios (--apply makes it)\n"
	      "      --usb VID:PID        a USB device, as lsusb shows it; repeatable\n"
	      "      --evdev PATH|auto    a /dev/input/by-id/*-event-* keyboard or mouse (by its\n"
	      "                           capabilities); auto: the first of each there\n"
	      "      --grab-toggle KEYS   evdev's switch: ctrl-ctrl (default), alt-alt, shift-shift,\n"
	      "                           meta-meta, scrolllock or ctrl-scrolllock\n"
	      "      --allow-host-input   a USB controller with every keyboard or mouse of the host\n"
	      "      --single-gpu         create: the host's own GPU: its group's hostdevs managed='no',\n"
	      "                           and the hook that hands it over at each start and back at\n"
	      "                           each stop (vfiokit handover hook), written by --apply\n"
	      "Guest:\n"
	      "      --vcpus N            virtual CPUs, 1 to 4096 (default 4)\n"
	      "      --memory SIZE        16G, 8192M (default 8G; never more than the host has);\n"
	      "                           libvirt's units: G = GiB, GB = 10^9 bytes\n"
	      "      --pin                pin vCPUs by L3 domain and core (vfiokit tune pin)\n"
	      "      --hugepages          back memory with huge pages (they must be reserved)\n"
	      "      --disk PATH          image file (raw, or .qcow2) or /dev/disk/by-id/... device;\n"
	      "                           one the host mounts or swaps on: --allow-mounted\n"
	      "      --disk-bus BUS       virtio (virtio-blk, default) or scsi (virtio-scsi, discard)\n"
	      "      --iso PATH           installer ISO (boots first)\n"
	      "      --virtio-iso PATH    the virtio-win driver ISO\n"
	      "      --network NAME|none  libvirt network (default: default); QEMU: user networking\n"
	      "      --bridge BRIDGE      the NIC on a host bridge (<interface type='bridge'>)\n"
	      "      --macvtap NIC        the NIC on a macvtap of a host NIC (the host cannot reach\n"
	      "                           the guest through it)\n"
	      "      --net-queues N|auto  virtio-net multiqueue (auto: one queue per vCPU)\n"
	      "      --looking-glass WxH  Looking Glass shared memory for that resolution\n"
	      "      --lg-kvmfr           Looking Glass through the kvmfr module (/dev/kvmfr0): its\n"
	      "                           options, boot loading and udev rule, not /dev/shm\n"
	      "      --lg-spice           keep a SPICE server for Looking Glass's input (with\n"
	      "                           --looking-glass)\n"
	      "      --install-display    keep SPICE and QXL beside the GPU until its driver is in\n"
	      "      --remove-install-display  edit: take that display out\n"
	      "      --convert-ovmf       edit: give a SeaBIOS domain OVMF (else refused)\n"
	      "      --audio BACKEND      pipewire, pulseaudio or none (default none)\n"
	      "      --uid N              the desktop user's uid for audio (default: SUDO_UID, or yours;\n"
	      "                           as root with neither: refused)\n"
	      "      --hdmi-audio-host    keep the GPU's HDMI audio on the host (modprobe.d options)\n"
	      "      --user NAME          owner of the Looking Glass file (default: SUDO_USER, USER)\n"
	      "      --secure-boot        OVMF with Secure Boot (and SMM)\n"
	      "      --hide-kvm           hide KVM (NVIDIA drivers before 465: error 43)\n"
	      "      --vendor-id STR      Hyper-V vendor_id (1-12 characters, default vfiokit)\n"
	      "      --nvram-dir DIR      where libvirt keeps the variable store\n"
	      "                           (default /var/lib/libvirt/qemu/nvram)\n"
	      "      --accel kvm|tcg      the QEMU script's accelerator (tcg: no KVM, -cpu max)\n"
	      "Targets:\n"
	      "      --xml                print the domain XML (with --define: as libvirt stored it;\n"
	      "                           edit prints it instead of the diff)\n"
	      "      --define             define the domain through libvirt\n"
	      "      --apply              --define, and first the host files the guest needs (Looking\n"
	      "                           Glass tmpfiles.d, qemu.conf user=, HDMI audio, the ROM's\n"
	      "                           copy), journaled;\n"
	      "                           without it their diff is shown on stderr\n"
	      "  -c, --connect URI        libvirt URI (default qemu:///system; qemu+ssh://HOST/system)\n"
	      "      --libvirt-version V  write XML for that libvirt (default: the connection's, or\n"
	      "                           the local library's, asked for PipeWire audio)\n"
	      "      --qemu FILE          write a QEMU launch script (create only)\n"
	      "      --from FILE          edit: the domain XML from FILE instead of libvirt\n"
	      "      --allow-unreserved   write a huge-page guest although the pages are not free\n"
	      "      --root DIR           read the machine copy in DIR\n"
	      "  -h, --help               this help\n",
	      stdout);
	cli_allow_help(true);
	fputs("\n"
	      "Exit status: 0 done, 1 refused or failed, 2 usage error. See vfiokit-vm(1).\n",
	      stdout);
}

/* TARGET_HOST: --apply, the host files the guest needs too (plan/vm-host.h). */
enum target { TARGET_XML = 1 << 0, TARGET_DEFINE = 1 << 1, TARGET_QEMU = 1 << 2, TARGET_HOST = 1 << 3 };

struct vm_opts {
	struct vm_request rq;
	char *with[MAX_LIST], *usb[MAX_LIST], *evdev[MAX_LIST];
	unsigned targets;
	const char *uri, *qemu_file, *from, *rootdir;
	unsigned long libvirt_version;
	bool edit, uid_set;
};

enum { SV_CREATE, SV_EDIT };

static const struct subverb vm_subverbs[] = {
	[SV_CREATE] = { "create", VERB_MODIFIES },
	[SV_EDIT] = { "edit", VERB_MODIFIES },
};

enum {
	OPT_WITH = 0x100,
	OPT_USB,
	OPT_EVDEV,
	OPT_VCPUS,
	OPT_MEMORY,
	OPT_LG,
	OPT_AUDIO,
	OPT_UID,
	OPT_NETWORK,
	OPT_BRIDGE,
	OPT_MACVTAP,
	OPT_NET_QUEUES,
	OPT_NVRAM_DIR,
	OPT_ACCEL,
	OPT_XML,
	OPT_DEFINE,
	OPT_APPLY,
	OPT_LIBVIRT_VERSION,
	OPT_QEMU,
	OPT_DISK_BUS,
	OPT_GRAB_TOGGLE,
	OPT_ALLOW /* + enum refusal_kind */
};

/* One line an option: its name, the sub-verbs that take it, where it goes
 * (a field of struct vm_opts, or vm_parse() for those with a value to check). */
#define BOTH CLI_SV_ALL
#define CREATE CLI_SV(SV_CREATE)
#define EDIT CLI_SV(SV_EDIT)
#define RQ(field) struct vm_opts, rq.field
static const struct option_spec vm_specs[] = {
	CLI_STRING("gpu", BOTH, RQ(gpu)),
	CLI_CALL("with", required_argument, OPT_WITH, BOTH),
	CLI_CALL("vcpus", required_argument, OPT_VCPUS, BOTH),
	CLI_CALL("memory", required_argument, OPT_MEMORY, BOTH),
	CLI_STRING("disk", BOTH, RQ(disk)),
	CLI_STRING("iso", BOTH, RQ(iso)),
	CLI_STRING("virtio-iso", BOTH, RQ(virtio_iso)),
	CLI_CALL("usb", required_argument, OPT_USB, BOTH),
	CLI_CALL("evdev", required_argument, OPT_EVDEV, BOTH),
	CLI_CALL("looking-glass", required_argument, OPT_LG, BOTH),
	CLI_FLAG("lg-spice", BOTH, RQ(lg_spice)),
	CLI_CALL("audio", required_argument, OPT_AUDIO, BOTH),
	CLI_CALL("uid", required_argument, OPT_UID, BOTH),
	CLI_STRING("user", BOTH, RQ(user)),
	CLI_FLAG("hugepages", BOTH, RQ(hugepages)),
	CLI_FLAG("pin", BOTH, RQ(pin)),
	CLI_FLAG("secure-boot", BOTH, RQ(secure_boot)),
	CLI_FLAG("hide-kvm", BOTH, RQ(hide_kvm)),
	CLI_STRING("rom", BOTH, RQ(rom)),
	CLI_STRING("vendor-id", BOTH, RQ(vendor_id)),
	CLI_CALL("network", required_argument, OPT_NETWORK, BOTH),
	CLI_CALL("nvram-dir", required_argument, OPT_NVRAM_DIR, BOTH),
	CLI_CALL("accel", required_argument, OPT_ACCEL, BOTH),
	CLI_CALL("xml", no_argument, OPT_XML, BOTH),
	CLI_CALL("define", no_argument, OPT_DEFINE, BOTH),
	CLI_CALL("apply", no_argument, OPT_APPLY, BOTH),
	{ "connect", required_argument, 'c', BOTH, CLI_OPT_STRING, offsetof(struct vm_opts, uri) },
	CLI_CALL("libvirt-version", required_argument, OPT_LIBVIRT_VERSION, BOTH),
	CLI_CALL("qemu", required_argument, OPT_QEMU, CREATE),
	CLI_STRING("from", EDIT, struct vm_opts, from),
	CLI_FLAG("allow-unreserved", BOTH, RQ(allow_unreserved)),
	CLI_CALL("disk-bus", required_argument, OPT_DISK_BUS, BOTH),
	CLI_CALL("grab-toggle", required_argument, OPT_GRAB_TOGGLE, BOTH),
	CLI_FLAG("allow-host-input", BOTH, RQ(allow_host_input)),
	CLI_FLAG("convert-ovmf", EDIT, RQ(convert_ovmf)),
	CLI_FLAG("install-display", BOTH, RQ(install_display)),
	CLI_FLAG("remove-install-display", EDIT, RQ(remove_install_display)),
	CLI_CALL("bridge", required_argument, OPT_BRIDGE, CREATE),
	CLI_CALL("macvtap", required_argument, OPT_MACVTAP, CREATE),
	CLI_CALL("net-queues", required_argument, OPT_NET_QUEUES, CREATE),
	CLI_FLAG("hdmi-audio-host", BOTH, RQ(hdmi_audio_host)),
	CLI_FLAG("lg-kvmfr", CREATE, RQ(lg_kvmfr)),
	CLI_FLAG("single-gpu", CREATE, RQ(single_gpu)),
	CLI_ALLOW_SPECS(OPT_ALLOW, BOTH),
	CLI_COMMON_SPECS(struct vm_opts, rootdir),
};
#undef BOTH
#undef CREATE
#undef EDIT
#undef RQ

/* The options with a value to check. 0, or EXIT_USAGE after saying why. */
static int vm_parse(void *target, int c, const char *arg, const char *cmd)
{
	struct vm_opts *o = target;
	struct vm_request *rq = &o->rq;
	int k;
	long v;

	switch (c) {
	case OPT_WITH:
	case OPT_USB:
	case OPT_EVDEV: {
		char **list = c == OPT_WITH ? o->with : c == OPT_USB ? o->usb : o->evdev;
		size_t *n = c == OPT_WITH ? &rq->nwith : c == OPT_USB ? &rq->nusb : &rq->nevdev;
		if (*n == MAX_LIST)
			return cli_usage_error(cmd, "at most %d of each of --with, --usb, --evdev", MAX_LIST);
		list[(*n)++] = (char *)arg;
		return 0;
	}
	case OPT_VCPUS:
		if (parse_unsigned(arg, 10, VM_VCPUS_MAX, &rq->vcpus) < 0 || rq->vcpus == 0)
			return cli_usage_error(cmd, "--vcpus takes a number from 1 to %u, not '%s'", VM_VCPUS_MAX, arg);
		return 0;
	case OPT_MEMORY:
		k = parse_size(arg, &rq->memory);
		if (k == -ERANGE)
			return cli_usage_error(cmd, "--memory %s is too large: libvirt takes at most 8 EiB", arg);
		if (k < 0 || rq->memory == 0)
			return cli_usage_error(cmd, "--memory takes a size like 16G or 8192M, not '%s'", arg);
		return 0;
	case OPT_LG: {
		const char *x = strchr(arg, 'x');
		_cleanup_free_ char *w = x ? strndup(arg, (size_t)(x - arg)) : NULL;
		if (!w || parse_unsigned(w, 10, 16384, &rq->lg_width) < 0 ||
		    parse_unsigned(x + 1, 10, 16384, &rq->lg_height) < 0 || rq->lg_width < 320 || rq->lg_height < 200)
			return cli_usage_error(cmd, "--looking-glass takes WIDTHxHEIGHT like 1920x1080, not '%s'", arg);
		return 0;
	}
	case OPT_AUDIO:
		if (streq(arg, "pipewire"))
			rq->audio = VM_AUDIO_PIPEWIRE;
		else if (streq(arg, "pulseaudio"))
			rq->audio = VM_AUDIO_PULSEAUDIO;
		else if (streq(arg, "none"))
			rq->audio = VM_AUDIO_NONE;
		else
			return cli_usage_error(cmd, "--audio takes pipewire, pulseaudio or none, not '%s'", arg);
		return 0;
	case OPT_UID:
		if (parse_int(arg, 0, 0x7fffffff, &v) < 0)
			return cli_usage_error(cmd, "--uid takes a number, not '%s'", arg);
		rq->uid = (unsigned)v;
		o->uid_set = true;
		return 0;
	case OPT_NETWORK:
		rq->network = arg;
		rq->network_named = true;
		return 0;
	case OPT_BRIDGE:
	case OPT_MACVTAP:
		/* IFNAMSIZ: an interface name is 1 to 15 bytes, no '/' or blank. */
		if (!*arg || strlen(arg) > 15 || strpbrk(arg, "/ \t\n:") || streq(arg, ".") || streq(arg, ".."))
			return cli_usage_error(cmd,
					       "--%s takes a network interface name (1 to 15 characters, "
					       "no '/', ':' or blank), not '%s'",
					       c == OPT_BRIDGE ? "bridge" : "macvtap", arg);
		*(c == OPT_BRIDGE ? &rq->bridge : &rq->macvtap) = arg;
		return 0;
	case OPT_NET_QUEUES:
		if (streq(arg, "auto"))
			rq->net_queues_auto = true;
		else if (parse_unsigned(arg, 10, 256, &rq->net_queues) < 0 || rq->net_queues == 0)
			return cli_usage_error(cmd,
					       "--net-queues takes a number from 1 to 256 or auto (one per "
					       "vCPU), not '%s'",
					       arg);
		return 0;
	case OPT_NVRAM_DIR:
		if (arg[0] != '/')
			return cli_usage_error(cmd, "--nvram-dir takes an absolute path");
		rq->nvram_dir = arg;
		return 0;
	case OPT_ACCEL:
		if (streq(arg, "kvm"))
			rq->accel = VM_ACCEL_KVM;
		else if (streq(arg, "tcg"))
			rq->accel = VM_ACCEL_TCG;
		else
			return cli_usage_error(cmd, "--accel takes kvm or tcg, not '%s'", arg);
		return 0;
	case OPT_XML:
		o->targets |= TARGET_XML;
		return 0;
	case OPT_DEFINE:
		o->targets |= TARGET_DEFINE;
		return 0;
	case OPT_APPLY:
		o->targets |= TARGET_DEFINE | TARGET_HOST;
		return 0;
	case OPT_LIBVIRT_VERSION:
		if (parse_version(arg, &o->libvirt_version) < 0)
			return cli_usage_error(cmd, "--libvirt-version takes a version like 9.0.0, not '%s'", arg);
		return 0;
	case OPT_QEMU:
		o->targets |= TARGET_QEMU;
		o->qemu_file = arg;
		return 0;
	case OPT_DISK_BUS:
		if (streq(arg, "virtio"))
			rq->disk_bus = VM_DISK_VIRTIO;
		else if (streq(arg, "scsi"))
			rq->disk_bus = VM_DISK_SCSI;
		else
			return cli_usage_error(cmd, "--disk-bus takes virtio or scsi, not '%s'", arg);
		return 0;
	case OPT_GRAB_TOGGLE:
		if (!vm_grab_toggle_keys(arg))
			return cli_usage_error(cmd,
					       "--grab-toggle takes ctrl-ctrl, alt-alt, shift-shift, meta-meta, "
					       "scrolllock or ctrl-scrolllock (libvirt's grabToggle), not '%s'",
					       arg);
		rq->grab_toggle = arg;
		return 0;
	default:
		cli_allow_option(c, OPT_ALLOW, rq->allow);
		return 0;
	}
}

static const struct cli_options vm_options = {
	"vm", vm_subverbs, ARRAY_SIZE(vm_subverbs), vm_specs, ARRAY_SIZE(vm_specs), vm_parse, help,
};

static int parse_opts(int argc, char **argv, struct vm_opts *o)
{
	struct vm_request *rq = &o->rq;
	const char *cmd = o->edit ? "vm edit" : "vm create";
	bool seen[CLI_OPTIONS_MAX];
	int k;
	long v;

	k = cli_options_parse(&vm_options, cmd, argc, argv, o, seen);
	if (k == 0)
		k = cli_options_check(&vm_options, cmd, o->edit ? SV_EDIT : SV_CREATE, seen);
	if (k != 0)
		return k;
	cli_subverb_enter(&vm_subverbs[o->edit ? SV_EDIT : SV_CREATE]);
	if (optind >= argc)
		return cli_usage_error(cmd, "name the guest: vfiokit %s NAME --gpu ADDR", cmd);
	rq->name = argv[optind++];
	if (optind < argc)
		return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
	if (!rq->gpu)
		return cli_usage_error(cmd, "name the guest's GPU with --gpu ADDR");
	if (rq->lg_spice && !rq->lg_width)
		return cli_usage_error(cmd, "--lg-spice keeps SPICE for Looking Glass's input: give --looking-glass WxH too");
	if (rq->lg_kvmfr && !rq->lg_width)
		return cli_usage_error(cmd, "--lg-kvmfr is Looking Glass's kvmfr module: give --looking-glass WxH too");
	if (rq->single_gpu && (o->targets & TARGET_QEMU))
		return cli_usage_error(cmd,
				       "--single-gpu writes a libvirt hook; before a QEMU script: 'vfiokit handover take'");
	if (rq->lg_kvmfr && (o->targets & TARGET_QEMU))
		return cli_usage_error(cmd, "--lg-kvmfr is for libvirt domains; the QEMU script uses /dev/shm");
	if (rq->grab_toggle && !rq->nevdev)
		return cli_usage_error(cmd, "--grab-toggle is evdev's hotkey: give --evdev too");
	if (rq->disk_bus != VM_DISK_VIRTIO && !rq->disk)
		return cli_usage_error(cmd, "--disk-bus without --disk");
	if (!!rq->network_named + !!rq->bridge + !!rq->macvtap > 1)
		return cli_usage_error(cmd, "--network, --bridge and --macvtap each give the guest its NIC: choose one");
	if ((rq->bridge || rq->macvtap || rq->net_queues || rq->net_queues_auto) && (o->targets & TARGET_QEMU))
		return cli_usage_error(cmd, "--bridge, --macvtap and --net-queues are for libvirt; the QEMU script "
				       "uses QEMU's user networking");
	if (rq->install_display && rq->remove_install_display)
		return cli_usage_error(cmd, "--install-display and --remove-install-display: choose one");
	if ((o->targets & TARGET_QEMU) && (o->targets & TARGET_DEFINE))
		return cli_usage_error(cmd, "--qemu and --define make two different guests; choose one");
	if ((o->targets & TARGET_QEMU) && (o->targets & TARGET_XML))
		return cli_usage_error(cmd, "--qemu writes a QEMU script and --xml prints libvirt XML; choose one");
	if (o->from && (o->targets & TARGET_DEFINE) == 0 && o->uri)
		return cli_usage_error(cmd, "--connect with --from: only --define talks to libvirt");
	if (!o->targets)
		o->targets = o->edit ? 0 : TARGET_XML;
	if (!rq->user)
		rq->user = getenv("SUDO_USER") ? getenv("SUDO_USER") : getenv("USER");
	if (!o->uid_set) {
		const char *su = getenv("SUDO_UID");
		rq->uid_known = su && parse_int(su, 0, 0x7fffffff, &v) == 0;
		rq->uid = rq->uid_known ? (unsigned)v : (unsigned)getuid();
	} else
		rq->uid_known = true;
	return 0;
}

static void print_list(const char *prefix, const struct strv *s)
{
	for (size_t i = 0; i < s->n; i++)
		cli_error("%s%s", prefix, s->v[i]);
}

/* PipeWire audio needs libvirt 9.10: older ones get PulseAudio (PipeWire
 * serves it through pipewire-pulse), said once. */
static int resolve_audio(struct vm_plan *p, unsigned long version)
{
	if (p->audio != VM_AUDIO_PIPEWIRE || !version || version >= LIBVIRT_PIPEWIRE)
		return 0;
	p->audio = VM_AUDIO_PULSEAUDIO;
	return strv_push_take(&p->warnings,
			      strdupf("libvirt %lu.%lu.%lu has no <audio type='pipewire'> (it came in 9.10): using "
				      "PulseAudio, which PipeWire serves through pipewire-pulse",
				      version / 1000000, version / 1000 % 1000, version % 1000));
}

/* A file the user names (not under --root), whole, as text. */
static int read_text_file(const char *path, char **ret)
{
	_cleanup_close_ int fd = cli_open_regular(path);
	uint8_t *buf = NULL;
	size_t len;
	int k;

	if (fd < 0)
		return fd;
	k = read_fd_all(fd, DOMAIN_XML_MAX, &buf, &len);
	if (k < 0)
		return k;
	if (memchr(buf, 0, len)) {
		free(buf);
		return -EBADMSG;
	}
	*ret = realloc(buf, len + 1);
	if (!*ret) {
		free(buf);
		return -ENOMEM;
	}
	(*ret)[len] = 0;
	return 0;
}

/* Keep the XML a define replaces, on this machine, before it is replaced:
 * a new file each time (two defines in one second get NAME.STAMP.xml and
 * NAME.STAMP-002.xml, as journal entries do), never one written over. */
static int backup_xml(struct path_root *root, const char *name, const char *xml, char **where)
{
	_cleanup_free_ char *esc = name_escape(name), *rel = NULL;
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	int k = -EEXIST;

	if (!esc || !gmtime_r(&now, &tm) || !strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm))
		return -ENOMEM;
	for (int n = 1; n < 1000 && k == -EEXIST; n++) {
		free(rel);
		rel = n == 1 ? strdupf("%s/%s.%s.xml", BACKUP_DIR, esc, stamp) :
			       strdupf("%s/%s.%s-%03d.xml", BACKUP_DIR, esc, stamp, n);
		if (!rel)
			return -ENOMEM;
		k = path_create_file(root, rel, xml, 0600);
	}
	if (k < 0)
		return k;
	*where = strdupf("%s/%s", streq(path_root_dir(root), "/") ? "" : path_root_dir(root), rel);
	return *where ? 0 : -ENOMEM;
}

#define HOST_FILE_MAX (1u << 20)
/* Larger than any option ROM (a PCI ROM BAR is at most 16 MiB). */
#define ROM_FILE_MAX (16u << 20)

/* The ROM's copy where libvirt's QEMU may read it (p->rom_file), into tx:
 * nothing when it is there already with these bytes; refused when a file
 * there holds others (never written over) or is a link. 0, or an exit
 * code after saying why. */
static int rom_copy(struct path_root *root, const struct vm_plan *p, const uint8_t *rom, size_t len,
		    struct journal_tx *tx)
{
	_cleanup_free_ uint8_t *there = NULL;
	char h[SHA256_HEX_SIZE];
	size_t n = 0;
	struct stat st;
	int k;

	if (path_lstat(root, p->rom_file + 1, &st) == 0 && S_ISREG(st.st_mode)) {
		k = path_read_binary(root, p->rom_file + 1, JOURNAL_BINARY_MAX, &there, &n);
		if (k == -ENOMEM)
			return cli_error("out of memory"), EXIT_PROBLEM;
		if (k == 0 && n == len && memcmp(there, rom, len) == 0)
			return 0;
		if (k == 0)
			sha256_hex(there, n, h);
		cli_error("%s is there with other bytes (%s%s): vfiokit does not write over it; nothing was written; "
			  "look at it, remove it if it is not needed, then run vfiokit vm again",
			  p->rom_file, k == 0 ? "sha256 " : "cannot read it: ", k == 0 ? h : path_strerror(k));
		return EXIT_PROBLEM;
	}
	k = journal_tx_add_binary(tx, root, p->rom_file + 1, rom, len, 0644);
	if (k == -ENOMEM)
		return cli_error("out of memory"), EXIT_PROBLEM;
	if (k < 0)
		return cli_error("%s", tx->err.msg ? tx->err.msg : "cannot place the ROM"), EXIT_PROBLEM;
	return 0;
}

/* The host files the guest needs (plan/vm-host.h): read as they are now,
 * planned, into tx; the ROM's copy too. 0, or an exit code after saying
 * why. */
static int host_files(struct path_root *root, const struct vm_opts *o, const struct vm_plan *p, const uint8_t *rom,
		      size_t rom_len, struct setup_plan *hp, struct journal_tx *tx)
{
	struct strv files = { 0 };
	char *text[6] = { NULL };
	_cleanup_error_ struct error err = { 0 };
	struct vm_host_texts t = { .apply = o->targets & TARGET_HOST, .libvirt = !(o->targets & TARGET_QEMU) };
	int k, r = EXIT_PROBLEM;

	if (vm_host_files(&o->rq, p, t.libvirt, &files) < 0)
		goto oom;
	for (size_t i = 0; i < files.n && i < ARRAY_SIZE(text); i++) {
		struct stat st;
		size_t len;
		/* Not written through a link: it may lead to a file of another
		 * program (the journal would change that one). */
		if (path_lstat(root, files.v[i], &st) == 0 && S_ISLNK(st.st_mode)) {
			cli_error("/%s is a symbolic link: vfiokit does not write through it; nothing was written; make "
				  "it a file (or remove it), then run vfiokit vm again", files.v[i]);
			goto out;
		}
		k = path_read_file(root, files.v[i], HOST_FILE_MAX, &text[i], &len);
		if (k == -ENOMEM)
			goto oom;
		if (k < 0 && k != -ENOENT) {
			cli_error("cannot read /%s: %s; nothing was written; run it again as root (sudo)", files.v[i],
				  path_strerror(k));
			goto out;
		}
		if (streq(files.v[i], VM_LG_TMPFILES))
			t.lg_tmpfiles = text[i];
		else if (streq(files.v[i], VM_QEMU_CONF))
			t.qemu_conf = text[i];
		else if (streq(files.v[i], VM_HDMI_MODPROBE))
			t.hdmi_modprobe = text[i];
		else if (streq(files.v[i], VM_KVMFR_MODPROBE))
			t.kvmfr_modprobe = text[i];
		else if (streq(files.v[i], VM_KVMFR_LOAD))
			t.kvmfr_load = text[i];
		else
			t.kvmfr_udev = text[i];
	}
	k = vm_host_plan(&o->rq, p, &t, hp, &err);
	if (k < 0) {
		r = cli_error_exit(o->edit ? "vm edit" : "vm create", &err);
		goto out;
	}
	if (!(tx->command = strdup(o->edit ? "vfiokit vm edit --apply" : "vfiokit vm create --apply")))
		goto oom;
	for (size_t i = 0; i < hp->nfiles; i++) {
		k = journal_tx_add(tx, root, hp->files[i].path, hp->files[i].content, (mode_t)hp->files[i].mode);
		if (k == -ENOMEM)
			goto oom;
		if (k < 0) {
			cli_error("%s", tx->err.msg ? tx->err.msg : "cannot read a host file");
			goto out;
		}
	}
	if (p->rom_copy && (r = rom_copy(root, p, rom, rom_len, tx)) != 0)
		goto out;
	r = 0;
	goto out;
oom:
	cli_error("out of memory");
out:
	for (size_t i = 0; i < ARRAY_SIZE(text); i++)
		free(text[i]);
	strv_clear(&files);
	return r;
}

static int run(int argc, char **argv, bool edit)
{
	struct vm_opts o = { .edit = edit };
	struct vm_plan p = { 0 };
	struct path_root *root = NULL;
	struct host *h = NULL;
	struct virt *conn = NULL;
	struct strv changes = { 0 };
	struct host_block disk_dev = { 0 };
	struct setup_plan hp = { 0 };
	struct rom rom = { 0 };
	_cleanup_free_ uint8_t *rom_buf = NULL;
	size_t rom_len = 0;
	_cleanup_free_ bool *rom_for = NULL;
	_cleanup_free_ char *apparmor = NULL;
	char rom_sha[SHA256_HEX_SIZE];
	struct journal_tx tx = { 0 };
	_cleanup_free_ char *xml = NULL, *old = NULL, *before = NULL, *stored = NULL, *uuid = NULL;
	_cleanup_free_ char *dname = NULL, *net_err = NULL;
	_cleanup_error_ struct error plan_err = { 0 }, verr = { 0 };
	const char *uri;
	unsigned long version;
	int k, lockfd = -1, r = EXIT_PROBLEM;
	bool host_changes = false;

	o.rq.with = o.with;
	o.rq.usb = o.usb;
	o.rq.evdev = o.evdev;
	k = parse_opts(argc, argv, &o);
	if (k != 0)
		return k < 0 ? EXIT_OK : k;
	uri = o.uri ? o.uri : DEFAULT_URI;
	o.rq.uri = uri;
	if (cli_open_root(o.rootdir, &root) < 0)
		return EXIT_USAGE;
	/* Before the lock: a libxml2 or a libvirt that cannot be loaded or
	 * reached leaves nothing behind. The domain is libxml2's (create's
	 * --qemu script alone is not XML). */
	if ((edit || !(o.targets & TARGET_QEMU)) && cli_libxml_load() < 0)
		goto out;
	/* create --connect: the network is asked of that libvirt. */
	if ((o.targets & TARGET_DEFINE) || (edit && !o.from) || (!edit && o.uri && !(o.targets & TARGET_QEMU))) {
		if (virt_open(uri, &conn, &verr) < 0) {
			r = cli_error_exit("vm", &verr);
			goto out;
		}
	}
	/* From reading the domain to its backup and the define. */
	if ((o.targets & TARGET_DEFINE) &&
	    cli_lock(root, edit ? "vfiokit vm edit --define" : "vfiokit vm create --define", &lockfd) < 0)
		goto out;
	if (edit) {
		unsigned vcpus;
		uint64_t mem_kb;
		if (o.from) {
			k = read_text_file(o.from, &old);
			if (k < 0) {
				cli_error("cannot read %s: %s; give --from the domain's XML ('virsh dumpxml "
					  "NAME > FILE')",
o.from, k == -EFBIG ? "larger than 16 MiB" : k == -EBADMSG ? "it holds NUL bytes: not XML" : path_strerror(k));
				goto out;
			}
		} else if ((k = virt_get_xml(conn, o.rq.name, &old, &verr)) < 0) {
			r = cli_error_exit("vm", &verr);
			goto out;
		}
		k = domain_peek(old, &dname, &vcpus, &mem_kb, &verr);
		if (k < 0) {
			cli_error("%s: %s", o.from ? o.from : o.rq.name, verr.msg ? verr.msg : "out of memory");
			goto out;
		}
		if (!streq(dname, o.rq.name)) {
			cli_error("%s holds the domain '%s', not '%s'", o.from ? o.from : "libvirt", dname, o.rq.name);
			goto out;
		}
		if (!o.rq.vcpus)
			o.rq.vcpus = vcpus;
		if (!o.rq.memory)
			o.rq.memory = mem_kb * 1024;
	}
	if (cli_load_host(root,
			  HOST_LOAD_PCI | HOST_LOAD_NAMES | HOST_LOAD_MODULES | HOST_LOAD_USB | HOST_LOAD_SYSTEM |
				  HOST_LOAD_USAGE | HOST_LOAD_TOPOLOGY | HOST_LOAD_TUNING,
			  &h) < 0)
		goto out;
	if (o.rq.disk && o.rq.disk[0] == '/') {
		if (host_block_lookup(h, o.rq.disk, &disk_dev) < 0)
			goto oom;
		o.rq.disk_dev = &disk_dev;
	}
	/* What the planner takes as facts of this host (plan/ opens nothing). */
	o.rq.disk_exists = o.rq.disk && o.rq.disk[0] == '/' && host_path_exists(h, o.rq.disk);
	o.rq.rom_exists = o.rq.rom && o.rq.rom[0] == '/' && host_path_exists(h, o.rq.rom);
	if (o.rq.rom_exists) {
		/* Read through the root, a regular file only, then parsed. */
		o.rq.rom_result = path_read_binary(root, o.rq.rom + 1, ROM_FILE_MAX, &rom_buf, &rom_len);
		if (o.rq.rom_result == -ENOMEM || (o.rq.rom_result == 0 && rom_parse(rom_buf, rom_len, &rom) < 0))
			goto oom;
		if (o.rq.rom_result == 0) {
			/* What the ROM is, as facts for the planner (plan/ uses no rom/). */
			o.rq.rom_read = true;
			o.rq.rom_uefi_ready = rom_uefi_ready(&rom, &o.rq.rom_why);
			sha256_hex(rom_buf, rom_len, rom_sha);
			o.rq.rom_sha256 = rom_sha;
			o.rq.rom_libvirt = !(o.targets & TARGET_QEMU);
			k = path_read_file(root, VM_APPARMOR_QEMU, HOST_FILE_MAX, &apparmor, NULL);
			if (k == -ENOMEM)
				goto oom;
			if (k < 0 && k != -ENOENT && k != -ENOTDIR) {
				cli_error("cannot read /%s: %s; whether QEMU may read the ROM cannot be told; run it again "
					  "as root (sudo)",
					  VM_APPARMOR_QEMU, path_strerror(k));
				goto out;
			}
			o.rq.apparmor_qemu = apparmor;
			if (!(rom_for = calloc(h->npci ? h->npci : 1, sizeof(*rom_for))))
				goto oom;
			for (size_t i = 0; i < h->npci; i++)
				rom_for[i] = rom_matches(&rom, h->pci[i].vendor, h->pci[i].device);
			o.rq.rom_for = rom_for;
		}
	}
	if (host_pci_drivers_probe(h, "vfio-pci") < 0)
		goto oom;
	if (!edit && (o.rq.bridge || o.rq.macvtap)) {
		o.rq.link_result = host_net_link(h, o.rq.bridge ? o.rq.bridge : o.rq.macvtap, &o.rq.link_is_bridge);
		if (o.rq.link_result == -ENOMEM)
			goto oom;
	} else if (!edit && conn && !(o.rq.network && streq(o.rq.network, "none"))) {
		bool active, autostart;
		_cleanup_error_ struct error nerr = { 0 };
		k = virt_network_state(conn, o.rq.network ? o.rq.network : "default", &active, &autostart, &nerr);
		if (k == -ENOMEM)
			goto oom;
		o.rq.net_state = k == -ENOENT ? VM_NET_MISSING : k < 0 ? VM_NET_UNKNOWN :
				 active ? VM_NET_ACTIVE : VM_NET_INACTIVE;
		o.rq.net_autostart = autostart;
		o.rq.net_error = net_err = TAKE_PTR(nerr.msg);
	}
	if (o.rq.iso && o.rq.iso[0] == '/') {
		o.rq.iso_result = iso_read_boot(root, o.rq.iso, &o.rq.iso_platforms);
		if (o.rq.iso_result == -ENOMEM)
			goto oom;
		o.rq.iso_read = true;
	}
	k = vm_plan_make(h, &o.rq, &p, &plan_err);
	if (k < 0) {
		r = cli_error_exit("vm", &plan_err);
		goto out;
	}
	version = o.libvirt_version ? o.libvirt_version : conn ? virt_version(conn) : 0;
	/* The local library's version matters only to PipeWire audio: libvirt
	 * is loaded for it then, and refused when it cannot be. */
	if (!version && !conn && !(o.targets & TARGET_QEMU) && p.audio == VM_AUDIO_PIPEWIRE &&
	    virt_local_version(&version, &verr) < 0) {
		if (!verr.msg)
			goto oom;
		cli_error("%s; or write the XML for a given libvirt with --libvirt-version X.Y", verr.msg);
		goto out;
	}
	if (!(o.targets & TARGET_QEMU) && resolve_audio(&p, version) < 0)
		goto oom;
	k = host_files(root, &o, &p, rom_buf, rom_len, &hp, &tx);
	if (k != 0) {
		r = k;
		goto out;
	}
	/* --single-gpu: the handover hook, in the same journal entry. */
	if (o.rq.single_gpu) {
		_cleanup_free_ char *self = NULL;
		if ((k = cli_self_path(NULL, &self)) != 0 ||
		    (k = cli_handover_hook_add(h, o.rq.name, p.devices.items[0].dev, HANDOVER_HOOK_TIMEOUT, self,
					       &tx)) != 0) {
			r = k;
			goto out;
		}
	}
	print_list("warning: ", &p.warnings);
	print_list("warning: ", &hp.warnings);
	if (tx.n) {
		_cleanup_free_ char *d = journal_tx_diff(&tx);
		if (!d)
			goto oom;
		host_changes = *d;
		if (*d && !(o.targets & TARGET_HOST)) {
			fprintf(stderr, "vfiokit: the host's side of this guest (--apply writes it, journaled):\n");
			cli_put_text(stderr, d);
		}
	}
	if (edit) {
		_cleanup_free_ char *after = NULL, *d = NULL;
		k = domain_edit(old, h, &o.rq, &p, &before, &after, &changes, &verr);
		if (k < 0) {
			r = cli_error_exit("vm", &verr);
			goto out;
		}
		d = diff_unified(o.from ? o.from : o.rq.name, before, after);
		if (!d)
			goto oom;
		if (!(o.targets & TARGET_XML))
			cli_put_text(stdout, d);
		else if (!(o.targets & TARGET_DEFINE))
			fputs(after, stdout);
		print_list("change: ", &changes);
		xml = after;
		after = NULL;
		if (!*d) {
			fprintf(stderr, "vfiokit: the domain already has all of it\n");
			r = EXIT_OK;
			goto out;
		}
	} else if (o.targets & TARGET_QEMU) {
		_cleanup_free_ char *script = qemu_script(h, &o.rq, &p);
		if (!script)
			goto oom;
		if (cli_write_new(o.qemu_file, script, strlen(script), 0755) < 0)
			goto out;
		cli_error("wrote %s; run it as root once the devices are on vfio-pci ('vfiokit bind' now, or "
			  "'vfiokit setup' at boot)",
			  o.qemu_file);
	} else if (!(xml = domain_create(h, &o.rq, &p)))
		goto oom;
	if (!edit && (o.targets & TARGET_XML) && !(o.targets & TARGET_DEFINE))
		fputs(xml, stdout);
	/* The host files first: a guest defined without them would not start. */
	if ((o.targets & TARGET_HOST) && tx.n) {
		_cleanup_free_ char *id = NULL;
		k = cli_apply(edit ? "vm edit" : "vm create", root, &tx, true, NULL, NULL, &id);
		if (k != EXIT_OK) {
			r = k;
			goto out;
		}
	}
	if (o.targets & TARGET_DEFINE) {
		_cleanup_free_ char *existing = NULL, *saved = NULL;
		_cleanup_error_ struct error e2 = { 0 };
		k = virt_get_xml(conn, o.rq.name, &existing, &e2);
		if (!edit && k == 0) {
			cli_error("a domain called '%s' exists on %s: change it with vfiokit vm edit", o.rq.name, uri);
			goto out;
		}
		if (edit && k == 0 && backup_xml(root, o.rq.name, existing, &saved) < 0) {
			cli_error("cannot keep the old XML under /%s: nothing was defined; run it again as root "
				  "(sudo)", BACKUP_DIR);
			goto out;
		}
		if (virt_define(conn, xml, &stored, &uuid, &verr) < 0) {
			r = cli_error_exit("vm", &verr);
			goto out;
		}
		cli_error("defined '%s' on %s (uuid %s)", o.rq.name, uri, uuid);
		if (saved)
			cli_error("the old definition is in %s; to go back: virsh -c %s define %s", saved, uri, saved);
		else {
			_cleanup_free_ char *q = sh_quote(o.rq.name);
			cli_error("to remove it: virsh -c %s undefine --nvram %s", uri, q ? q : "NAME");
		}
		if (o.targets & TARGET_XML)
			fputs(stored, stdout);
	} else if (edit && xml)
		fprintf(stderr, "vfiokit: nothing was changed: --define gives this to libvirt\n");
	print_list("note: ", &p.notes);
	/* What to run after the files: said while they differ (a by-hand step
	 * without a file too). */
	if (host_changes || !hp.nfiles)
		print_list("then: ", &hp.manual);
	r = EXIT_OK;
	goto out;
oom:
	cli_error("out of memory");
	r = EXIT_PROBLEM;
out:
	strv_clear(&changes);
	setup_plan_free(&hp);
	rom_free(&rom);
	journal_tx_free(&tx);
	host_block_clear(&disk_dev);
	vm_plan_free(&p);
	virt_close(conn);
	host_free(h);
	lock_release(lockfd);
	path_root_free(root);
	return r;
}

int cmd_vm(int argc, char **argv)
{
	if (argc >= 2 && streq(argv[1], "create"))
		return run(argc - 1, argv + 1, false);
	if (argc >= 2 && streq(argv[1], "edit"))
		return run(argc - 1, argv + 1, true);
	if (argc >= 2 && (streq(argv[1], "-h") || streq(argv[1], "--help"))) {
		help();
		return EXIT_OK;
	}
	return cli_usage_error("vm", argc >= 2 ? "unknown subcommand '%s' (create, edit)" : "%screate or edit?",
			       argc >= 2 ? argv[1] : "");
}
