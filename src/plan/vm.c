/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "shared/escape.h"
#include "host/iso.h"
#include "shared/shell.h"
#include "plan/vm.h"

#define NVRAM_DIR "/var/lib/libvirt/qemu/nvram"

void vm_plan_free(struct vm_plan *p)
{
	free(p->name);
	bind_plan_clear(&p->devices);
	firmware_clear(&p->fw);
	free(p->nvram);
	free(p->vars_file);
	if (p->pinned)
		pin_plan_free(&p->pin);
	if (p->huge)
		hugepage_plan_free(&p->hp);
	free(p->usb);
	strv_clear(&p->evdev);
	free(p->tmpfiles);
	free(p->rom_file);
	free(p->disk_format);
	strv_clear(&p->warnings);
	strv_clear(&p->notes);
	*p = (struct vm_plan){ 0 };
}

const char *vm_name_invalid(const char *name)
{
	size_t n = strlen(name);

	if (n == 0)
		return "is empty";
	if (n > 200)
		return "is longer than 200 bytes";
	if (strchr(name, '/'))
		return "contains '/', which libvirt refuses in a domain name";
	return text_unfit_reason(name);
}

uint64_t vm_shmem_mib(unsigned width, unsigned height)
{
	uint64_t bytes = (uint64_t)width * height * 4 * 2 + (10ull << 20), mib = 1;

	while ((mib << 20) < bytes)
		mib <<= 1;
	return mib;
}

bool vm_plan_has_device(const struct host *h, const struct vm_plan *p, const struct pci_addr *addr)
{
	for (size_t i = 0; i < p->devices.nitems; i++)
		if (pci_addr_cmp(&h->pci[p->devices.items[i].dev].addr, addr) == 0)
			return true;
	return false;
}

static int fail(struct error *err, int errnum, enum error_kind kind, char *msg)
{
	return error_take(err, errnum, kind, msg);
}

/* Text bound for the domain XML or the QEMU script: libvirt's XML is UTF-8
 * without control characters (XML 1.0 "Char"), and libxml2 writes an ESC
 * as it is, giving ill-formed XML. The message says what the text came from
 * (an option, or a file on this machine); the CLI escapes it for the terminal. */
static int check_text(struct error *err, int errnum, enum error_kind kind, const char *what, const char *text)
{
	const char *why = text ? text_unfit_reason(text) : NULL;

	return why ? fail(err, errnum, kind,
			  strdupf("%s %s: it %s; a libvirt domain cannot hold it", what, text, why)) :
		     0;
}

static int check_request_texts(const struct vm_request *rq, struct error *err)
{
	const struct {
		const char *what, *text;
	} t[] = {
		{ "--disk", rq->disk },	      { "--iso", rq->iso },		{ "--virtio-iso", rq->virtio_iso },
		{ "--rom", rq->rom },	      { "--vendor-id", rq->vendor_id }, { "--network", rq->network },
		{ "--nvram-dir", rq->nvram_dir }, { "--user", rq->user },
		{ "--bridge", rq->bridge },	      { "--macvtap", rq->macvtap },
	};
	int k = 0;

	for (size_t i = 0; k == 0 && i < ARRAY_SIZE(t); i++)
		k = check_text(err, -EINVAL, ERROR_USAGE, t[i].what, t[i].text);
	for (size_t i = 0; k == 0 && i < rq->nevdev; i++)
		k = check_text(err, -EINVAL, ERROR_USAGE, "--evdev", rq->evdev[i]);
	return k;
}

/* What the machine gave: the firmware descriptors' paths and formats, the
 * names in /dev/input/by-id. Refused, not escaped: a domain with another
 * path than the file's would not boot. */
static int check_machine_texts(const struct vm_plan *p, struct error *err)
{
	const char *fw[] = { p->fw.code, p->fw.code_format, p->fw.vars, p->fw.vars_format };
	_cleanup_free_ char *what = strdupf("the firmware from %s:", p->fw.descriptor ? p->fw.descriptor : "a known path");
	int k = what ? 0 : -ENOMEM;

	for (size_t i = 0; k == 0 && i < ARRAY_SIZE(fw); i++)
		k = check_text(err, -ENOENT, ERROR_FAILED, what, fw[i]);
	for (size_t i = 0; k == 0 && i < p->evdev.n; i++)
		k = check_text(err, -EPERM, ERROR_FAILED, "the input device", p->evdev.v[i]);
	return k;
}

#define WARN(p, ...) strv_push_take(&(p)->warnings, strdupf(__VA_ARGS__))
#define NOTE(p, ...) strv_push_take(&(p)->notes, strdupf(__VA_ARGS__))

/* refuse.c's refusals: each refused unless its --allow-* option lifts it,
 * then a warning. */
static int apply_refusals(const struct vm_request *rq, struct vm_plan *p, const struct refusal_list *l,
			  struct error *err)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct refusal *e = &l->v[i];
		if (rq->single_gpu && refusal_handover_lifts(e->kind)) {
			if (WARN(p,
				 "%s: the single-GPU hook hands this over ('vfiokit handover take' when the guest "
				 "starts, give when it stops)",
				 e->msg) < 0)
				return -ENOMEM;
			continue;
		}
		if (!rq->allow[e->kind])
			return fail(err, -EPERM, ERROR_FAILED,
				    strdupf("%s; the guest would take it from the host (--%s to insist)", e->msg,
					    refusal_option(e->kind)));
		if (WARN(p, "%s (allowed by --%s)", e->msg, refusal_option(e->kind)) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* The GPU and its companions: every endpoint of the groups, through the
 * same plan `vfiokit bind` makes, with its refusals. */
static int plan_devices(struct host *h, const struct vm_request *rq, struct vm_plan *p, struct error *err)
{
	struct bind_options o = { .driver = "vfio-pci" };
	struct bind_plan gpu = { 0 };
	_cleanup_free_ char **targets = calloc(rq->nwith + 1, sizeof(char *));
	size_t gpu_dev;
	int k;

	if (!targets)
		return -ENOMEM;
	targets[0] = (char *)rq->gpu;
	for (size_t i = 0; i < rq->nwith; i++)
		targets[i + 1] = rq->with[i];
	o.only = true;
	k = bind_plan_make(h, targets, 1, &o, &gpu, err);
	if (k == 0 && gpu.nitems != 1) {
		k = fail(err, -EINVAL, ERROR_USAGE,
			 strdupf("--gpu %s names %zu devices; name one", rq->gpu, gpu.nitems));
	}
	gpu_dev = k == 0 ? gpu.items[0].dev : 0;
	bind_plan_clear(&gpu);
	if (k != 0)
		return k;
	o.only = false;
	k = bind_plan_make(h, targets, rq->nwith + 1, &o, &p->devices, err);
	if (k != 0)
		return k;
	/* The GPU first: it gets the ROM and is what the guest is about. */
	for (size_t i = 0; i < p->devices.nitems; i++)
		if (p->devices.items[i].dev == gpu_dev) {
			struct bind_item t = p->devices.items[0];
			p->devices.items[0] = p->devices.items[i];
			p->devices.items[i] = t;
		}
	if ((k = apply_refusals(rq, p, &p->devices.refusals, err)) != 0)
		return k;
	for (size_t i = 0; i < p->devices.warnings.n; i++)
		if (strv_push(&p->warnings, p->devices.warnings.v[i]) < 0)
			return -ENOMEM;

	const struct pci_device *g = &h->pci[gpu_dev];
	if (!pci_is_display(g) && WARN(p, "%s is not a display controller (class %06x)", g->name, g->class) < 0)
		return -ENOMEM;
	if (g->boot_vga == 1 &&
	    WARN(p, "%s is the boot GPU. The article (\"Passing the boot GPU to the guest\"): the firmware "
		    "keeps a modified copy of its VBIOS that the guest may reject; change the boot GPU in the "
		    "firmware setup, or swap the cards, or give the guest a clean ROM (vfiokit rom dump, --rom)",
		 g->name) < 0)
		return -ENOMEM;
	struct strv host_drivers = { 0 };
	for (size_t i = 0; i < p->devices.nitems; i++) {
		const struct pci_device *d = &h->pci[p->devices.items[i].dev];
		if ((!d->driver || !streq(d->driver, "vfio-pci")) &&
		    strv_push_take(&host_drivers, strdupf("%s (%s)", d->name, d->driver ? d->driver : "no driver")) < 0) {
			strv_clear(&host_drivers);
			return -ENOMEM;
		}
	}
	if (host_drivers.n && rq->single_gpu) {
		_cleanup_free_ char *list = strv_join(&host_drivers, ", ");
		strv_clear(&host_drivers);
		if (!list ||
		    NOTE(p,
			 "not on vfio-pci: %s. The single-GPU hook binds the GPU's group when the guest starts "
			 "(managed='no'; 'vfiokit handover take %s --dry-run' shows the steps)",
			 list, g->name) < 0)
			return -ENOMEM;
	} else if (host_drivers.n) {
		_cleanup_free_ char *list = strv_join(&host_drivers, ", ");
		strv_clear(&host_drivers);
		if (!list || WARN(p,
				  "not on vfio-pci: %s. libvirt detaches them when the guest starts (managed='yes'); "
				  "the QEMU script needs them bound first. Isolate at boot (vfiokit setup --gpu %s) "
				  "or now (vfiokit bind %s)",
				  list, g->name, g->name) < 0)
			return -ENOMEM;
	}
	return 0;
}

static int plan_cpus(struct host *h, const struct vm_request *rq, struct vm_plan *p, struct error *err)
{
	size_t online = cpuset_count(&h->topo.online);
	bool smt = false;

	p->amd = host_cpu_vendor(h) == CPU_AMD;
	p->vcpus = rq->vcpus ? rq->vcpus : online == 0 || online > 4 ? 4 : online > 1 ? (unsigned)online - 1 : 1;
	if (online && p->vcpus > online)
		return fail(err, -EPERM, ERROR_FAILED,
			    strdupf("--vcpus %u: this host has %zu online CPUs; ask fewer with --vcpus", p->vcpus,
				    online));
	if (rq->pin) {
		struct pin_request pr = { .nvcpus = p->vcpus, .prefer_node = h->pci[p->devices.items[0].dev].numa_node };
		int k = pin_plan_make(&h->topo, &pr, &p->pin, err);
		if (k != 0)
			return k;
		p->pinned = true;
		for (size_t i = 0; i < p->pin.notes.n; i++)
			if (strv_push(&p->notes, p->pin.notes.v[i]) < 0)
				return -ENOMEM;
		for (size_t i = 0; i < p->pin.warnings.n; i++)
			if (strv_push(&p->warnings, p->pin.warnings.v[i]) < 0)
				return -ENOMEM;
		return 0;
	}
	for (size_t i = 0; i < h->topo.ncores; i++)
		smt |= cpuset_count(&h->topo.cores[i]) > 1;
	p->threads = smt && p->vcpus % 2 == 0 ? 2 : 1;
	p->cores = p->vcpus / p->threads;
	p->sockets = 1;
	return 0;
}

static int plan_memory(struct host *h, const struct vm_request *rq, struct vm_plan *p, struct error *err)
{
	uint64_t bytes = rq->memory ? rq->memory : 8ull << 30;
	uint64_t total = h->tuning.mem_total_kb, avail = h->tuning.mem_available_kb;

	/* Rounded up without overflowing: 16 EiB - 1 is 16 EiB of KiB, not 0. */
	p->memory_kb = bytes / 1024 + (bytes % 1024 != 0);
	if (p->memory_kb < 128 * 1024)
		return fail(err, -EINVAL, ERROR_USAGE, strdupf("--memory: at least 128 MiB"));
	if (bytes > VM_MEMORY_MAX)
		return fail(err, -EINVAL, ERROR_USAGE, strdupf("--memory: at most 8 EiB, what libvirt takes"));
	/* Unknown means refuse: a guest larger than the host is not written. */
	if (!total)
		return fail(err, -EPERM, ERROR_FAILED,
			    strdupf("cannot tell whether the guest's %" PRIu64 " MiB fit in this host's RAM: "
				    "/proc/meminfo could not be read or has no MemTotal line; run it on the "
				    "machine itself, or on a "
				    "'vfiokit snapshot' of it",
				    p->memory_kb >> 10));
	if (total && p->memory_kb >= total)
		return fail(err, -EPERM, ERROR_FAILED,
			    strdupf("--memory %" PRIu64 " MiB is more than this host's RAM (%" PRIu64 " MiB)",
				    p->memory_kb >> 10, total >> 10));
	if (avail && p->memory_kb > avail && !rq->hugepages &&
	    WARN(p, "the guest's %" PRIu64 " MiB is more than the %" PRIu64 " MiB available now", p->memory_kb >> 10,
		 avail >> 10) < 0)
		return -ENOMEM;
	if (!rq->hugepages)
		return 0;
	struct hugepage_request hr = { .memory = bytes };
	int k = hugepage_plan_make(h, &hr, &p->hp, err);
	if (k != 0)
		return k;
	p->huge = true;
	p->memory_kb = p->hp.memory_kb;
	if (p->hp.free >= 0 && (uint64_t)p->hp.free < p->hp.pages) {
		_cleanup_free_ char *msg = strdupf(
			"huge pages asked for but not reserved: the guest needs %" PRIu64 " pages of %" PRIu64
			" KiB, the host has %ld free of %ld. Reserve them at boot (vfiokit tune hugepages --memory "
			"%" PRIu64 "M) or when the guest starts (vfiokit tune hook '%s' --memory %" PRIu64 "M --apply)",
			p->hp.pages, p->hp.page_kb, p->hp.free, p->hp.reserved, p->memory_kb >> 10, p->name,
			p->memory_kb >> 10);
		if (!msg)
			return -ENOMEM;
		if (!rq->allow_unreserved)
			return fail(err, -EPERM, ERROR_FAILED,
				    strdupf("%s; --allow-unreserved to write the guest anyway", msg));
		if (strv_push(&p->warnings, msg) < 0)
			return -ENOMEM;
	} else if (p->hp.free < 0 &&
		   WARN(p, "the host's pool of %" PRIu64 " KiB huge pages is unknown", p->hp.page_kb) < 0)
		return -ENOMEM;
	return 0;
}

/* A --usb device behind a controller the guest takes comes with it:
 * passing it again would make libvirt claim a device the guest owns. */
static bool usb_behind_plan(const struct host *h, const struct vm_plan *p, uint32_t vid, uint32_t pid,
			    const char **controller)
{
	bool seen = false, outside = false;

	for (size_t d = 0; d < h->npci; d++)
		for (size_t b = 0; b < h->pci[d].nusb; b++)
			for (size_t u = 0; u < h->pci[d].usb[b].ndevs; u++) {
				if (h->pci[d].usb[b].devs[u].vendor != vid || h->pci[d].usb[b].devs[u].product != pid)
					continue;
				seen = true;
				if (vm_plan_has_device(h, p, &h->pci[d].addr))
					*controller = h->pci[d].name;
				else
					outside = true;
			}
	return seen && !outside;
}

static int plan_usb(struct host *h, const struct vm_request *rq, struct vm_plan *p, struct error *err)
{
	p->usb = calloc(rq->nusb ? rq->nusb : 1, sizeof(*p->usb));
	if (!p->usb)
		return -ENOMEM;
	for (size_t i = 0; i < rq->nusb; i++) {
		const char *s = rq->usb[i], *colon = strchr(s, ':');
		_cleanup_free_ char *v = colon ? strndup(s, (size_t)(colon - s)) : NULL;
		uint32_t vid, pid;
		bool seen = false;

		if (!colon || !v || parse_hex_u32(v, 0xffff, &vid) < 0 || parse_hex_u32(colon + 1, 0xffff, &pid) < 0)
			return fail(err, -EINVAL, ERROR_USAGE,
				    strdupf("--usb %s: expected VENDOR:PRODUCT in hex, as lsusb shows", s));
		const char *ctrl = NULL;
		if (usb_behind_plan(h, p, vid, pid, &ctrl)) {
			if (WARN(p, "USB device %04x:%04x is behind %s, which the guest takes: it comes with the "
				    "controller and is not passed a second time", vid, pid, ctrl) < 0)
				return -ENOMEM;
			continue;
		}
		p->usb[p->nusb++] = (struct vm_usb){ (uint16_t)vid, (uint16_t)pid };
		for (size_t d = 0; d < h->npci; d++)
			for (size_t b = 0; b < h->pci[d].nusb; b++)
				for (size_t u = 0; u < h->pci[d].usb[b].ndevs; u++)
					seen |= h->pci[d].usb[b].devs[u].vendor == vid &&
						h->pci[d].usb[b].devs[u].product == pid;
		if (!seen && WARN(p, "USB device %04x:%04x is not plugged in now; libvirt refuses to start the "
				     "guest without it", vid, pid) < 0)
			return -ENOMEM;
	}
	return 0;
}

const char *vm_grab_toggle_keys(const char *value)
{
	/* libvirt's docs/schemas/domaincommon.rng, grabToggle; QEMU's
	 * qapi/common.json GrabToggleKeys: the same six. */
	static const char *const t[][2] = {
		{ "ctrl-ctrl", "both Ctrl keys" },	 { "alt-alt", "both Alt keys" },
		{ "shift-shift", "both Shift keys" },	 { "meta-meta", "both Meta (Windows) keys" },
		{ "scrolllock", "Scroll Lock" },	 { "ctrl-scrolllock", "Ctrl+Scroll Lock" },
	};
	for (size_t i = 0; value && i < ARRAY_SIZE(t); i++)
		if (streq(value, t[i][0]))
			return t[i][1];
	return NULL;
}

/* An --evdev device as the host sees it: there, and a keyboard or a mouse
 * by its capabilities. Unknown means refused. */
static int check_input(struct host *h, const char *path, const struct host_input **ret, struct error *err)
{
	const struct host_input *in = host_find_input(h, path);

	if (!in && h->sys.events_unknown)
		return fail(err, -EPERM, ERROR_FAILED,
			    strdupf("cannot tell whether %s is a keyboard or a mouse (%s); run 'vfiokit vm' as root, or "
				    "give another device with --evdev",
				    path, h->sys.events_unknown));
	if (!in)
		return fail(err, -EPERM, ERROR_FAILED,
			    strdupf("--evdev %s: no event device of this host (none in /sys/class/input%s); "
				    "'ls /dev/input/by-id' lists the keyboards and mice",
				    path, startswith(path, "/dev/input/by-id/") ? " that this link names" : ""));
	if (in->unreadable)
		return fail(err, -EPERM, ERROR_FAILED,
			    strdupf("cannot tell whether %s (%s) is a keyboard or a mouse (%s); run 'vfiokit vm' as "
				    "root, or give another device with --evdev",
				    path, in->event, in->unreadable));
	if (!in->caps)
		return fail(err, -EPERM, ERROR_FAILED,
			    strdupf("--evdev %s (%s) is neither a keyboard (EV_KEY with the letter keys) nor a mouse "
				    "(EV_REL with X and Y) by its capabilities",
				    path, in->event));
	*ret = in;
	return 0;
}

static int plan_evdev(struct host *h, const struct vm_request *rq, struct vm_plan *p, struct error *err)
{
	struct strv kbd = { 0 }, other = { 0 };
	int k = 0;

	for (size_t i = 0; k == 0 && i < rq->nevdev; i++) {
		const char *e = rq->evdev[i];
		const struct host_input *in = NULL;
		if (streq(e, "auto")) {
			const char *fk = NULL, *fm = NULL;
			/* By name, then by what the device is: a power button's
			 * by-id name may end in -event-kbd too. */
			for (size_t j = 0; j < h->sys.inputs.n; j++) {
				_cleanup_free_ char *path = strdupf("/dev/input/by-id/%s", h->sys.inputs.v[j]);
				const struct host_input *cand = path ? host_find_input(h, path) : NULL;
				unsigned caps = cand ? cand->caps : 0;
				if (!path) {
					k = -ENOMEM;
					break;
				}
				/* One that cannot be judged is taken, and refused below. */
				if (!cand || cand->unreadable)
					caps = INPUT_KEYBOARD | INPUT_MOUSE;
				if (!fk && endswith(h->sys.inputs.v[j], "-event-kbd") && (caps & INPUT_KEYBOARD))
					fk = h->sys.inputs.v[j];
				if (!fm && endswith(h->sys.inputs.v[j], "-event-mouse") && (caps & INPUT_MOUSE))
					fm = h->sys.inputs.v[j];
			}
			if (k < 0)
				break;
			if (!fk && !fm) {
				k = fail(err, -EINVAL, ERROR_USAGE,
					 strdup("--evdev auto: no keyboard or mouse in /dev/input/by-id (*-event-kbd, "
						"*-event-mouse)"));
				break;
			}
			for (int j = 0; k == 0 && j < 2; j++) {
				_cleanup_free_ char *path = NULL;
				if (!(j == 0 ? fk : fm))
					continue;
				if (!(path = strdupf("/dev/input/by-id/%s", j == 0 ? fk : fm)))
					k = -ENOMEM;
				else if ((k = check_input(h, path, &in, err)) == 0)
					k = strv_push(in->caps & INPUT_KEYBOARD ? &kbd : &other, path);
			}
			continue;
		}
		if (!startswith(e, "/dev/input/")) {
			k = fail(err, -EINVAL, ERROR_USAGE,
				 strdupf("--evdev %s: expected a /dev/input/by-id/...-event-... path or auto", e));
			break;
		}
		if ((k = check_input(h, e, &in, err)) == 0)
			k = strv_push(in->caps & INPUT_KEYBOARD ? &kbd : &other, e);
	}
	p->nkbd = kbd.n;
	p->grab_toggle = rq->grab_toggle ? rq->grab_toggle : "ctrl-ctrl";
	for (size_t i = 0; k == 0 && i < kbd.n; i++)
		k = strv_push(&p->evdev, kbd.v[i]);
	for (size_t i = 0; k == 0 && i < other.n; i++)
		k = strv_push(&p->evdev, other.v[i]);
	strv_clear(&kbd);
	strv_clear(&other);
	if (k == 0 && p->evdev.n)
		k = NOTE(p, "evdev: press %s to move the keyboard and mouse between host and guest",
			 vm_grab_toggle_keys(p->grab_toggle) ? vm_grab_toggle_keys(p->grab_toggle) : p->grab_toggle);
	return k;
}

/* A USB controller the guest takes, with every keyboard (or every mouse)
 * of the host behind it, leaves the host without one while the guest runs
 * (the article's "USB controller" passthrough). Unknown means refused. */
static int plan_host_input(struct host *h, const struct vm_request *rq, struct vm_plan *p, struct error *err)
{
	static const struct {
		unsigned cap;
		const char *what;
	} kinds[] = { { INPUT_KEYBOARD, "keyboard" }, { INPUT_MOUSE, "mouse" } };

	for (size_t i = 0; i < p->devices.nitems; i++) {
		const struct pci_device *c = &h->pci[p->devices.items[i].dev];
		char *msg = NULL;
		if (!pci_is_usb_controller(c))
			continue;
		if (h->sys.events_unknown)
			msg = strdupf("cannot tell whether the USB controller %s carries this host's only keyboard or "
				      "mouse (%s)",
				      c->name, h->sys.events_unknown);
		for (size_t j = 0; !msg && j < ARRAY_SIZE(kinds); j++) {
			size_t total = 0, taken = 0;
			const char *name = NULL;
			for (size_t e = 0; e < h->sys.nevents; e++) {
				const struct host_input *in = &h->sys.events[e];
				if (!(in->caps & kinds[j].cap))
					continue;
				total++;
				for (size_t d = 0; d < p->devices.nitems; d++)
					if (host_sysfs_under(in->sysfs, &h->pci[p->devices.items[d].dev].addr)) {
						taken++;
						name = in->by_id.n ? in->by_id.v[0] : in->event;
						break;
					}
			}
			if (total && taken == total)
				msg = strdupf("the USB controller %s carries every %s of this host (%s%s): the host "
					      "would have none while the guest runs",
					      c->name, kinds[j].what, name, total > 1 ? ", ..." : "");
		}
		if (!msg)
			continue;
		if (!rq->allow_host_input) {
			char *refusal = strdupf("%s (--allow-host-input to insist)", msg);
			free(msg);
			return fail(err, -EPERM, ERROR_FAILED, refusal);
		}
		if (strv_push_take(&p->warnings, strdupf("%s (allowed by --allow-host-input)", msg)) < 0) {
			free(msg);
			return -ENOMEM;
		}
		free(msg);
	}
	return 0;
}

/* OVMF boots a CD only through an El Torito entry for the EFI platform. */
static int plan_iso(const struct vm_request *rq, struct vm_plan *p, struct error *err)
{
	const char *why = NULL;

	if (!rq->iso || !rq->iso_read)
		return 0;
	switch (rq->iso_result) {
	case 0:
		if (rq->iso_platforms & ISO_BOOT_EFI)
			return 0;
		why = rq->iso_platforms & ISO_BOOT_BIOS ? "its El Torito boot catalog has BIOS entries only, no EFI one"
							: "its El Torito boot catalog has no bootable EFI entry";
		break;
	case -ENOEXEC:
		why = "it has no El Torito boot record: it is not a bootable CD image";
		break;
	case -EINVAL:
		why = "it is not an ISO 9660 image (no CD001 volume descriptor at sector 16)";
		break;
	case -EBADMSG:
		why = "its El Torito boot catalog is damaged (the validation entry's key or checksum is wrong)";
		break;
	case -ENODATA:
		why = "it ends before its El Torito boot record or catalog does: the image is cut short (an "
		      "interrupted download or copy); check it against its published checksum";
		break;
	default:
		/* The file itself is absent: said, the guest is still made. */
		return 0;
	}
	return fail(err, -EPERM, ERROR_FAILED,
		    strdupf("--iso %s: %s; OVMF boots only media with an EFI boot image (the article: the guest "
			    "firmware is UEFI): give an installer made for UEFI with --iso",
			    rq->iso, why));
}

/* Kernel names of disks (sdb, nvme0n1, vda, mmcblk0) follow the order the
 * disks appear in at boot. */
static bool kernel_disk_name(const char *dev)
{
	static const char *const prefixes[] = { "/dev/sd", "/dev/hd", "/dev/vd", "/dev/xvd", "/dev/nvme", "/dev/mmcblk" };

	for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++)
		if (startswith(dev, prefixes[i]) && dev[strlen(prefixes[i])])
			return true;
	return false;
}

static int plan_disk(struct host *h, const struct vm_request *rq, struct vm_plan *p, struct error *err)
{
	struct refusal_list l = { 0 };
	bool exists;
	int k;

	if (!rq->disk)
		return 0;
	if (rq->disk[0] != '/')
		return fail(err, -EINVAL, ERROR_USAGE, strdupf("--disk %s: give an absolute path", rq->disk));
	/* Judged where the path leads (host_block_lookup()), not as written. */
	p->disk_block = rq->disk_dev ? rq->disk_dev->block : startswith(rq->disk, "/dev/");
	if (!(p->disk_format = strdup(endswith(rq->disk, ".qcow2") ? "qcow2" : "raw")))
		return -ENOMEM;
	exists = rq->disk_dev ? rq->disk_dev->exists : rq->disk_exists;
	if (!exists && WARN(p, "disk %s does not exist yet%s", rq->disk,
			    p->disk_block ? "" : "; create it with qemu-img create -f raw FILE SIZE") < 0)
		return -ENOMEM;
	if (p->disk_block && kernel_disk_name(rq->disk)) {
		const char *id = rq->disk_dev ? rq->disk_dev->by_id : NULL;
		_cleanup_free_ char *use = id ? strdupf("/dev/disk/by-id/%s", id) : strdup("its /dev/disk/by-id/ name");
		if (!use || WARN(p, "--disk %s: a kernel name follows the order the disks appear in at boot and may "
				    "name another disk after a reboot; use %s",
				 rq->disk, use) < 0)
			return -ENOMEM;
	}
	if (!p->disk_block || !exists)
		return 0;
	/* The same refusal as for the disk's controller (plan/refuse.c). */
	/* Not looked up: a use that cannot be read, refused as refuse.c does. */
	if (!rq->disk_dev)
		k = refusal_list_add(&l, REFUSE_MOUNT,
				     strdupf("cannot tell whether %s holds a mounted filesystem or swap of this host",
					     rq->disk));
	else
		k = refusals_judge_disk(rq->disk_dev, rq->disk, &l);
	if (k == 0)
		k = apply_refusals(rq, p, &l, err);
	refusal_list_clear(&l);
	return k;
}

/* The guest's network (the article's "Network"): a libvirt network that
 * exists and runs, a host bridge, or a macvtap on a host NIC; virtio with
 * one queue per vCPU on request. */
static int plan_host_link(const struct vm_request *rq, struct error *err)
{
	const char *opt = rq->bridge ? "--bridge" : "--macvtap", *dev = rq->bridge ? rq->bridge : rq->macvtap;

	if ((rq->link_result == -ENOENT || rq->link_result == -EINVAL) && rq->bridge)
		return fail(err, -ENODEV, ERROR_FAILED,
			    strdupf("--bridge %s: this host has no network interface %s (/sys/class/net/%s); make the "
				    "bridge first (NetworkManager, systemd-networkd or /etc/network/interfaces) with the "
				    "host's NIC in it, or use --macvtap NIC",
				    dev, dev, dev));
	if (rq->link_result == -ENOENT || rq->link_result == -EINVAL)
		return fail(err, -ENODEV, ERROR_FAILED,
			    strdupf("--macvtap %s: this host has no network interface %s (/sys/class/net/%s); name one "
				    "there with --macvtap",
				    dev, dev, dev));
	if (rq->link_result < 0)
		return fail(err, -EPERM, ERROR_FAILED,
			    strdupf("%s %s: cannot tell what /sys/class/net/%s is: %s; run it again as root (sudo)",
				    opt, dev, dev, strerror(-rq->link_result)));
	if (rq->bridge && !rq->link_is_bridge)
		return fail(err, -ENODEV, ERROR_FAILED,
			    strdupf("--bridge %s: %s is not a bridge (no /sys/class/net/%s/bridge); put it in a bridge "
				    "and name that, or give the guest a macvtap on it with --macvtap %s",
				    dev, dev, dev, dev));
	return 0;
}

int vm_plan_network(const struct vm_request *rq, struct vm_plan *p, struct error *err)
{
	const char *net = rq->network ? rq->network : "default", *uri = rq->uri ? rq->uri : "URI";
	_cleanup_free_ char *qn = NULL, *qu = NULL;
	int k;

	if (rq->network && streq(rq->network, "none")) {
		if (rq->net_queues || rq->net_queues_auto)
			return fail(err, -EINVAL, ERROR_USAGE,
				    strdupf("--net-queues with --network none: the guest has no NIC"));
		return 0;
	}
	p->net_queues = rq->net_queues_auto ? p->vcpus : rq->net_queues;
	if (rq->bridge || rq->macvtap) {
		if ((k = plan_host_link(rq, err)) != 0)
			return k;
		/* The article's "Network": the host's own traffic does not go
		 * through the macvtap, so they cannot reach each other on it. */
		if (rq->macvtap && WARN(p, "--macvtap %s: the guest and this host cannot reach each other through a "
					   "macvtap (bridge mode); the rest of the network can. Use a bridge (--bridge) "
					   "when they must talk",
					rq->macvtap) < 0)
			return -ENOMEM;
		return 0;
	}
	if (!(qn = sh_quote(net)) || !(qu = sh_quote(uri)))
		return -ENOMEM;
	switch (rq->net_state) {
	case VM_NET_UNCHECKED:
		if (rq->network_named && NOTE(p, "the libvirt network '%s' was not checked: with --connect URI (or "
						 "--define) vfiokit asks libvirt whether it exists and runs",
					      net) < 0)
			return -ENOMEM;
		return 0;
	case VM_NET_MISSING:
		return fail(err, -EPERM, ERROR_FAILED,
			    strdupf("there is no libvirt network '%s' on %s (virsh -c %s net-list --all lists them): "
				    "name one with --network NAME, or use a host bridge (--bridge), a macvtap "
				    "(--macvtap NIC) or --network none",
				    net, uri, qu));
	case VM_NET_UNKNOWN:
		return fail(err, -EPERM, ERROR_FAILED,
			    strdupf("%s; the guest is not made without knowing (--network none makes it without a NIC)",
				    rq->net_error ? rq->net_error : "libvirt cannot tell whether the network exists"));
	case VM_NET_INACTIVE:
		return WARN(p, "the libvirt network '%s' on %s is not running: the guest will not start until it is: "
			       "virsh -c %s net-start %s%s",
			    net, uri, qu, qn,
			    rq->net_autostart ? "" : " (and net-autostart to start it with libvirt)") < 0 ? -ENOMEM : 0;
	case VM_NET_ACTIVE:
		if (!rq->net_autostart &&
		    NOTE(p, "the libvirt network '%s' runs, but does not start with libvirt (after a reboot the guest "
			    "will not start): virsh -c %s net-autostart %s",
			 net, qu, qn) < 0)
			return -ENOMEM;
		return 0;
	}
	return 0;
}

bool vm_uri_local(const char *uri)
{
	/* qemu:///system, test:///default: no host part, this machine. */
	const char *p = uri ? strstr(uri, "://") : NULL;

	return !uri || (p && p[3] == '/');
}

unsigned vm_apparmor_rom_line(const char *text)
{
	unsigned n = 0;

	for (const char *l = text; l && *l; l = next_line(l)) {
		size_t len = strcspn(l, "\n");
		_cleanup_free_ char *line = strndup(l, len);
		char *w, *save = NULL, *path, *perm;
		n++;
		if (!line)
			return 0;
		/* The directory, then "**" (or "*"), then perms with r ("audit" or
		 * "allow" before it), never a "deny" or a comment. */
		w = strtok_r(line, " \t,", &save);
		while (w && (streq(w, "audit") || streq(w, "allow")))
			w = strtok_r(NULL, " \t,", &save);
		path = w;
		perm = path ? strtok_r(NULL, " \t,", &save) : NULL;
		if (path && perm && (streq(path, VM_ROM_DIR "/**") || streq(path, VM_ROM_DIR "/*")) &&
		    strchr(perm, 'r') && strspn(perm, "rwklmix") == strlen(perm))
			return n;
	}
	return 0;
}

/* Where the guest's QEMU reads the ROM. A libvirt domain on this machine:
 * a copy in VM_ROM_DIR named by the GPU's IDs and the ROM's sha256 (no part
 * of it from the user), which vm --apply writes through the journal; what
 * libvirt's AppArmor abstraction says of that directory, when the root has
 * it. Another machine's libvirt: the file must be there. */
static int plan_rom_place(const struct pci_device *g, const struct vm_request *rq, struct vm_plan *p)
{
	/* Under VM_ROM_DIR already, as AppArmor reads the path (no ".." out of it). */
	bool in_dir = startswith(rq->rom, VM_ROM_DIR "/") && !strstr(rq->rom, "/../") && !endswith(rq->rom, "/..");
	unsigned line;

	if (!rq->rom_libvirt || in_dir || !rq->rom_sha256 || strlen(rq->rom_sha256) < 12)
		return (p->rom_file = strdup(rq->rom)) ? 0 : -ENOMEM;
	if (!vm_uri_local(rq->uri)) {
		if (!(p->rom_file = strdup(rq->rom)))
			return -ENOMEM;
		return NOTE(p,
			    "--rom %s: the guest runs on the host of %s: the ROM must be there at that path, in a "
			    "directory its QEMU may read (" VM_ROM_DIR "/ with AppArmor and SELinux); copy it there "
			    "and give that path to --rom",
			    rq->rom, rq->uri) < 0 ?
			       -ENOMEM :
			       0;
	}
	p->rom_file = strdupf(VM_ROM_DIR "/%04x-%04x-%.12s.rom", g->vendor, g->device, rq->rom_sha256);
	if (!p->rom_file)
		return -ENOMEM;
	p->rom_copy = true;
	if (NOTE(p,
		 "--rom %s: the guest reads its copy %s, where libvirt's confined QEMU may read it; --apply copies it "
		 "there (journaled: vfiokit undo removes it)",
		 rq->rom, p->rom_file) < 0)
		return -ENOMEM;
	if (!rq->apparmor_qemu)
		return NOTE(p,
			    "no AppArmor abstraction for libvirt's QEMU in this root (/%s): with SELinux (Fedora, "
			    "RHEL) files under " VM_ROM_DIR "/ are labelled usr_t, which QEMU's svirt_t reads "
			    "(restorecon -v %s if it was labelled otherwise)",
			    VM_APPARMOR_QEMU, p->rom_file) < 0 ?
			       -ENOMEM :
			       0;
	line = vm_apparmor_rom_line(rq->apparmor_qemu);
	if (line)
		return NOTE(p, "AppArmor: /%s line %u lets QEMU read " VM_ROM_DIR "/", VM_APPARMOR_QEMU, line) < 0 ?
			       -ENOMEM :
			       0;
	return WARN(p,
		    "AppArmor: /%s has no rule that lets QEMU read " VM_ROM_DIR "/: the guest would not start "
		    "(permission denied on the ROM); add '" VM_ROM_DIR "/** r,' to "
		    "/etc/apparmor.d/local/abstractions/libvirt-qemu (a guest's profile reads it when the guest "
		    "starts)",
		    VM_APPARMOR_QEMU) < 0 ?
		       -ENOMEM :
		       0;
}

/* A --rom that is there: read (a regular file), and judged by what the ROM
 * parser found (the cli's facts, as vfiokit rom says): one OVMF loads as it
 * is, for the guest's GPU.
 * Where libvirt lets QEMU read it is said. */
static int plan_rom(const struct host *h, const struct vm_request *rq, struct vm_plan *p, struct error *err)
{
	const struct pci_device *g = &h->pci[p->devices.items[0].dev];
	if (rq->rom_result < 0 || !rq->rom_read)
		return fail(err, -EPERM, ERROR_FAILED,
			    strdupf("--rom %s: cannot read it: %s", rq->rom,
				    rq->rom_result < 0 ? path_strerror(rq->rom_result) : "not read"));
	if (!rq->rom_uefi_ready)
		return fail(err, -EPERM, ERROR_FAILED,
			    strdupf("--rom %s: OVMF would not load it: %s; 'vfiokit rom %s' says more (a dump with a "
				    "flash tool's header in front: vfiokit rom strip)",
				    rq->rom, rq->rom_why ? rq->rom_why : "no UEFI image", rq->rom));
	if (!rq->rom_for[p->devices.items[0].dev])
		return fail(err, -EPERM, ERROR_FAILED,
			    strdupf("--rom %s: it is the ROM of another device: none of its images is for %s "
				    "(%04x:%04x); dump the guest GPU's own (vfiokit rom dump)",
				    rq->rom, g->name, g->vendor, g->device));
	return plan_rom_place(g, rq, p);
}

int vm_plan_make(struct host *h, const struct vm_request *rq, struct vm_plan *ret, struct error *err)
{
	struct vm_plan p = { 0 };
	_cleanup_free_ char *esc = NULL;
	const char *why;
	int k;

	*err = (struct error){ 0 };
	if ((why = vm_name_invalid(rq->name)))
		return error_set(err, -EINVAL, ERROR_USAGE, "bad guest name: it %s", why);
	if ((k = check_request_texts(rq, err)) != 0)
		return k;
	if (!(p.name = strdup(rq->name)) || !(esc = name_escape(rq->name)))
		goto oom;
	if ((k = plan_devices(h, rq, &p, err)) != 0 || (k = plan_cpus(h, rq, &p, err)) != 0 ||
	    (k = plan_memory(h, rq, &p, err)) != 0 || (k = plan_usb(h, rq, &p, err)) != 0 ||
	    (k = plan_evdev(h, rq, &p, err)) != 0 || (k = plan_host_input(h, rq, &p, err)) != 0)
		goto out;
	struct strv skipped = { 0 };
	k = firmware_find(h->root, rq->secure_boot, h->sys.os_id, h->sys.os_id_like, &p.fw, &skipped, err);
	if (k == -ENOENT && skipped.n) {
		_cleanup_free_ char *list = strv_join(&skipped, "; ");
		char *m = list ? strdupf("%s; descriptors passed over: %s", err->msg, list) : NULL;
		if (m)
			error_take(err, -ENOENT, ERROR_FAILED, m);
	}
	strv_clear(&skipped);
	if (k < 0 || (k = check_machine_texts(&p, err)) != 0)
		goto out;
	if (!(p.nvram = strdupf("%s/%s_VARS.fd", rq->nvram_dir ? rq->nvram_dir : NVRAM_DIR, esc)) ||
	    !(p.vars_file = strdupf("%s_VARS.fd", esc)))
		goto oom;
	if (rq->rom && rq->rom[0] != '/') {
		k = fail(err, -EINVAL, ERROR_USAGE,
			 strdupf("--rom %s: give an absolute path (libvirt reads it)", rq->rom));
		goto out;
	}
	if (rq->rom && !rq->rom_exists && WARN(&p, "ROM file %s does not exist", rq->rom) < 0)
		goto oom;
	if (rq->rom && rq->rom_exists && (k = plan_rom(h, rq, &p, err)) != 0)
		goto out;
	if ((k = plan_disk(h, rq, &p, err)) != 0 || (k = plan_iso(rq, &p, err)) != 0 ||
	    (k = vm_plan_network(rq, &p, err)) != 0)
		goto out;
	/* plan_iso() refused the others. */
	if (rq->iso && rq->iso_read && rq->iso_result < 0 &&
	    WARN(&p, "--iso %s: %s; whether OVMF can boot it is not checked", rq->iso,
		 rq->iso_result == -ENOENT ? "it does not exist yet" : path_strerror(rq->iso_result)) < 0)
		goto oom;
	for (const char *const *iso = (const char *const[]){ rq->iso, rq->virtio_iso }, *const *end = iso + 2; iso < end;
	     iso++)
		if (*iso && (*iso)[0] != '/') {
			k = fail(err, -EINVAL, ERROR_USAGE, strdupf("%s: give an absolute path", *iso));
			goto out;
		}
	if (rq->vendor_id && (strlen(rq->vendor_id) == 0 || strlen(rq->vendor_id) > 12)) {
		k = fail(err, -EINVAL, ERROR_USAGE, strdupf("--vendor-id: 1 to 12 characters (Hyper-V's limit)"));
		goto out;
	}
	if (rq->lg_width) {
		p.shmem_mib = vm_shmem_mib(rq->lg_width, rq->lg_height);
		p.lg_kvmfr = rq->lg_kvmfr;
		/* Written with --apply (plan/vm-host.c). */
		if (!(p.tmpfiles = strdupf("f /dev/shm/looking-glass 0660 %s kvm -", rq->user ? rq->user : "root")))
			goto oom;
	}
	if (rq->install_display) {
		_cleanup_free_ char *qn = sh_quote(rq->name), *qg = sh_quote(rq->gpu);
		if (!qn || !qg ||
		    NOTE(&p, "install display: once the guest has the GPU's driver, take SPICE and QXL out with "
			     "vfiokit vm edit %s --gpu %s --remove-install-display --define",
			 qn, qg) < 0)
			goto oom;
	}
	/* The article: the guest's audio reaches the desktop user's PipeWire
	 * or PulseAudio as that user; root's (uid 0) is never it. */
	if (rq->audio != VM_AUDIO_NONE && !rq->uid_known && rq->uid == 0) {
		k = fail(err, -EINVAL, ERROR_USAGE,
			 strdupf("--audio: run as root, vfiokit cannot tell whose sound server the guest should use: "
				 "give --uid N, the desktop user's uid (id -u NAME), or run it through sudo"));
		goto out;
	}
	p.audio = rq->audio;
	p.uid = rq->uid;
	if (p.fw.requires_smm && NOTE(&p, "the firmware needs SMM: the guest has <smm state='on'/>") < 0)
		goto oom;
	*ret = p;
	return 0;
oom:
	k = -ENOMEM;
out:
	vm_plan_free(&p);
	return k;
}
