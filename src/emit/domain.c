/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <inttypes.h>
#include <libxml/parser.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "emit/cputune.h"
#include "emit/domain.h"
#include "emit/memory.h"
#include "shared/libxml.h"
#include "shared/parse-number.h"
#include "emit/xml.h"

/* A builder: the first failure (ENOMEM) sticks, and later calls do nothing. */
struct b {
	bool ok;
	struct strv *changes; /* edit: what was done */
};

static xmlNodePtr el(struct b *b, xmlNodePtr parent, const char *name, const char *text)
{
	xmlNodePtr n = b->ok ? xml_child(parent, name, text) : NULL;

	b->ok = n != NULL;
	return n;
}

static xmlNodePtr _printf_(4, 5) at(struct b *b, xmlNodePtr n, const char *name, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	b->ok = b->ok && xml_attrv(n, name, fmt, ap);
	va_end(ap);
	return n;
}

static void _printf_(2, 3) change(struct b *b, const char *fmt, ...)
{
	char *s = NULL;
	va_list ap;
	int r;

	if (!b->ok || !b->changes)
		return;
	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	b->ok = r >= 0 && strv_push_take(b->changes, s) >= 0;
}

static bool is(xmlNodePtr n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && sym_xmlStrEqual(n->name, BAD_CAST name);
}

static xmlNodePtr first(xmlNodePtr parent, const char *name)
{
	for (xmlNodePtr n = parent ? parent->children : NULL; n; n = n->next)
		if (is(n, name))
			return n;
	return NULL;
}

/* The attribute's value, or "" (libxml2 memory is freed by the caller). */
static bool attr_is(xmlNodePtr n, const char *name, const char *value)
{
	xmlChar *v = sym_xmlGetProp(n, BAD_CAST name);
	bool r = v && sym_xmlStrEqual(v, BAD_CAST value);

	libxml_free(v);
	return r;
}

static xmlNodePtr get_or_add(struct b *b, xmlNodePtr parent, const char *name)
{
	xmlNodePtr n = first(parent, name);

	return n ? n : el(b, parent, name, NULL);
}

static void drop(xmlNodePtr n)
{
	sym_xmlUnlinkNode(n);
	sym_xmlFreeNode(n);
}

/* A new child called name, in the place of the first one there was (the
 * others dropped), else at the end: a second edit leaves it where it is. */
static xmlNodePtr el_in_place(struct b *b, xmlNodePtr parent, const char *name)
{
	xmlNodePtr old = first(parent, name), n;

	for (xmlNodePtr c = old ? old->next : NULL, next; c; c = next) {
		next = c->next;
		if (is(c, name))
			drop(c);
	}
	n = el(b, parent, name, NULL);
	if (n && old) {
		sym_xmlReplaceNode(old, n);
		sym_xmlFreeNode(old);
	}
	return n;
}

/* Remove every child of parent called name, with what the filter accepts. */
static size_t drop_all(xmlNodePtr parent, const char *name, bool (*filter)(xmlNodePtr))
{
	size_t count = 0;

	for (xmlNodePtr n = parent ? parent->children : NULL, next; n; n = next) {
		next = n->next;
		if (is(n, name) && (!filter || filter(n))) {
			drop(n);
			count++;
		}
	}
	return count;
}

/* <features>: acpi, apic, Hyper-V with vendor_id (the article's "Video card
 * driver virtualisation detection"), KVM hidden on request, the in-kernel
 * IOAPIC (its "kernel_irqchip" troubleshooting entry), SMM for Secure Boot. */
static void features(struct b *b, xmlNodePtr dom, const struct vm_request *rq, const struct vm_plan *p)
{
	xmlNodePtr f = get_or_add(b, dom, "features"), hv, n;

	get_or_add(b, f, "acpi");
	get_or_add(b, f, "apic");
	hv = first(f, "hyperv");
	if (!hv) {
		hv = at(b, el(b, f, "hyperv", NULL), "mode", "custom");
		at(b, el(b, hv, "relaxed", NULL), "state", "on");
		at(b, el(b, hv, "vapic", NULL), "state", "on");
		at(b, at(b, el(b, hv, "spinlocks", NULL), "state", "on"), "retries", "8191");
		change(b, "Hyper-V enlightenments added");
	}
	n = get_or_add(b, hv, "vendor_id");
	if (!attr_is(n, "state", "on") || !attr_is(n, "value", rq->vendor_id ? rq->vendor_id : "vfiokit")) {
		at(b, at(b, n, "state", "on"), "value", "%s", rq->vendor_id ? rq->vendor_id : "vfiokit");
		change(b, "Hyper-V vendor_id set (AMD and older NVIDIA drivers refuse to run under Hyper-V's default)");
	}
	if (rq->hide_kvm) {
		n = get_or_add(b, get_or_add(b, f, "kvm"), "hidden");
		if (!attr_is(n, "state", "on")) {
			at(b, n, "state", "on");
			change(b, "KVM hidden (NVIDIA drivers before 465, error 43)");
		}
	}
	n = get_or_add(b, f, "ioapic");
	if (!attr_is(n, "driver", "kvm")) {
		at(b, n, "driver", "kvm");
		change(b, "IOAPIC in KVM (q35's split irqchip breaks NVIDIA drivers)");
	}
	if (p->fw.requires_smm || p->fw.secure_boot)
		at(b, get_or_add(b, f, "smm"), "state", "on");
}

/* <vcpu>, <iothreads>, <cputune>, <cpu>: pinned, or a plain topology. */
static void cpus(struct b *b, xmlNodePtr dom, const struct vm_plan *p, bool edit)
{
	xmlNodePtr cpu, topo;

	if (edit && !p->pinned && first(dom, "cpu") && first(dom, "vcpu")) {
		/* Only make the CPU host-passthrough; keep the topology. */
		cpu = first(dom, "cpu");
		if (!attr_is(cpu, "mode", "host-passthrough")) {
			at(b, cpu, "mode", "host-passthrough");
			sym_xmlUnsetProp(cpu, BAD_CAST "match");
			drop_all(cpu, "model", NULL);
			change(b, "CPU model host-passthrough");
		}
		if (!first(dom, "iothreads"))
			el(b, dom, "iothreads", "1");
		return;
	}
	drop_all(dom, "vcpu", NULL);
	drop_all(dom, "iothreads", NULL);
	drop_all(dom, "cputune", NULL);
	drop_all(dom, "cpu", NULL);
	if (p->pinned) {
		b->ok = b->ok && cputune_domain_build(dom, &p->pin, 1, p->amd);
		change(b, "%zu vCPUs pinned, emulator and I/O thread on the host's CPUs", p->pin.nvcpus);
		return;
	}
	at(b, el(b, dom, "vcpu", NULL), "placement", "static");
	if (b->ok) {
		_cleanup_free_ char *n = strdupf("%u", p->vcpus);
		b->ok = n && (sym_xmlNodeSetContent(first(dom, "vcpu"), BAD_CAST n), true);
	}
	el(b, dom, "iothreads", "1");
	cpu = at(b, at(b, el(b, dom, "cpu", NULL), "mode", "host-passthrough"), "check", "none");
	topo = el(b, cpu, "topology", NULL);
	at(b, at(b, at(b, at(b, topo, "sockets", "%u", p->sockets), "dies", "1"), "cores", "%u", p->cores), "threads",
	   "%u", p->threads);
	if (p->amd && p->threads > 1)
		at(b, at(b, el(b, cpu, "feature", NULL), "policy", "require"), "name", "topoext");
	change(b, "%u vCPUs, host-passthrough, %u core(s) x %u thread(s)", p->vcpus, p->cores, p->threads);
}

static void memory(struct b *b, xmlNodePtr dom, const struct vm_plan *p, bool edit)
{
	if (p->huge) {
		drop_all(dom, "memory", NULL);
		drop_all(dom, "currentMemory", NULL);
		drop_all(dom, "memoryBacking", NULL);
		b->ok = b->ok && memory_domain_build(dom, &p->hp);
		change(b, "%" PRIu64 " MiB in %" PRIu64 " KiB huge pages", p->memory_kb >> 10, p->hp.page_kb);
		return;
	}
	if (edit && p->memory_kb == 0)
		return;
	drop_all(dom, "memory", NULL);
	drop_all(dom, "currentMemory", NULL);
	at(b, el(b, dom, "memory", NULL), "unit", "KiB");
	at(b, el(b, dom, "currentMemory", NULL), "unit", "KiB");
	if (b->ok) {
		_cleanup_free_ char *kb = strdupf("%" PRIu64, p->memory_kb);
		b->ok = kb != NULL;
		if (kb) {
			sym_xmlNodeSetContent(first(dom, "memory"), BAD_CAST kb);
			sym_xmlNodeSetContent(first(dom, "currentMemory"), BAD_CAST kb);
		}
	}
}

static bool spice_graphics(xmlNodePtr n)
{
	return attr_is(n, "type", "spice") || attr_is(n, "type", "vnc");
}
static bool spice_channel(xmlNodePtr n)
{
	return attr_is(n, "type", "spicevmc") || attr_is(n, "type", "qemu-vdagent");
}
static bool tablet_or_ps2_mouse(xmlNodePtr n)
{
	return attr_is(n, "type", "tablet") || (attr_is(n, "type", "mouse") && attr_is(n, "bus", "ps2")) ||
	       (attr_is(n, "type", "keyboard") && attr_is(n, "bus", "ps2"));
}
static bool spice_redir(xmlNodePtr n)
{
	return attr_is(n, "type", "spicevmc");
}
static bool spice_audio(xmlNodePtr n)
{
	return attr_is(n, "type", "spice");
}

static bool emulated_video(xmlNodePtr n)
{
	return !attr_is(first(n, "model"), "type", "none");
}

/* The install display (--install-display): a SPICE display and a QXL
 * adapter beside the GPU until the guest has the GPU's driver (the
 * article keeps the emulated display for the installation, then removes
 * it). The QXL adapter carries a user alias (<graphics> has none in
 * libvirt's schema), and while it is there later edits keep the SPICE
 * display too, until --remove-install-display. */
#define INSTALL_ALIAS "ua-vfiokit-install-display"

static bool install_video(xmlNodePtr n)
{
	return is(n, "video") && attr_is(first(n, "alias"), "name", INSTALL_ALIAS);
}

static bool emulated_video_not_install(xmlNodePtr n)
{
	return emulated_video(n) && !install_video(n);
}

static bool no_video(xmlNodePtr n)
{
	return !emulated_video(n);
}

static bool has_install_display(xmlNodePtr devs)
{
	for (xmlNodePtr n = devs->children; n; n = n->next)
		if (install_video(n))
			return true;
	return false;
}

static void add_install_display(struct b *b, xmlNodePtr devs)
{
	xmlNodePtr g, v;

	if (!first(devs, "graphics")) {
		g = at(b, at(b, el(b, devs, "graphics", NULL), "type", "spice"), "autoport", "yes");
		at(b, el(b, g, "listen", NULL), "type", "address");
	}
	if (has_install_display(devs))
		return;
	drop_all(devs, "video", no_video);
	v = el(b, devs, "video", NULL);
	at(b, at(b, at(b, el(b, v, "model", NULL), "type", "qxl"), "heads", "1"), "primary", "yes");
	at(b, el(b, v, "alias", NULL), "name", INSTALL_ALIAS);
	change(b, "install display: SPICE and QXL beside the GPU until its driver is in (then vm edit "
		  "--remove-install-display)");
}

/* The article's list to remove once the GPU is attached. */
static void strip_emulated_display(struct b *b, xmlNodePtr devs, const struct vm_request *rq)
{
	bool keep = !rq->remove_install_display && (rq->install_display || has_install_display(devs));
	size_t n;

	if (!rq->lg_spice && !keep && (n = drop_all(devs, "graphics", spice_graphics)))
		change(b, "removed %zu SPICE/VNC display(s)", n);
	if (!rq->lg_spice && (n = drop_all(devs, "channel", spice_channel)))
		change(b, "removed %zu SPICE channel(s)", n);
	if (!rq->lg_spice && (n = drop_all(devs, "redirdev", spice_redir)))
		change(b, "removed %zu SPICE USB redirection(s)", n);
	if ((n = drop_all(devs, "input", tablet_or_ps2_mouse)))
		change(b, "removed the tablet and PS/2 inputs (%zu; libvirt keeps the PS/2 ones q35 builds in)", n);
	if (drop_all(devs, "audio", spice_audio)) {
		change(b, "removed the SPICE audio backend");
		if (first(devs, "sound") && rq->audio == VM_AUDIO_NONE) {
			at(b, at(b, el(b, devs, "audio", NULL), "id", "1"), "type", "none");
			change(b, "audio backend none (--audio pulseaudio or pipewire to hear the guest on the host)");
		}
	}
	/* QXL/virtio video: none. The guest's screen is the GPU (or Looking Glass). */
	n = drop_all(devs, "video", keep ? emulated_video_not_install : emulated_video);
	if (rq->install_display)
		add_install_display(b, devs);
	if (!first(devs, "video"))
		at(b, el(b, el(b, devs, "video", NULL), "model", NULL), "type", "none");
	if (n)
		change(b, keep ? "removed %zu emulated video adapter(s) beside the install display"
			       : "video model none (was %zu emulated adapter(s))",
		       n);
}

static bool same_pci(xmlNodePtr hd, const struct pci_addr *a)
{
	xmlNodePtr src = first(hd, "source"), ad = first(src, "address");
	xmlChar *v[4] = { ad ? sym_xmlGetProp(ad, BAD_CAST "domain") : NULL,
			  ad ? sym_xmlGetProp(ad, BAD_CAST "bus") : NULL,
			  ad ? sym_xmlGetProp(ad, BAD_CAST "slot") : NULL,
			  ad ? sym_xmlGetProp(ad, BAD_CAST "function") : NULL };
	uint64_t x[4];
	bool r = attr_is(hd, "type", "pci");

	/* Base 0 as libvirt reads these attributes: "0x06", "6". */
	for (int i = 0; i < 4; i++) {
		r = r && v[i] && parse_u64((const char *)v[i], 0, UINT32_MAX, &x[i]) == 0;
		libxml_free(v[i]);
	}
	return r && x[0] == a->domain && x[1] == a->bus && x[2] == a->dev && x[3] == a->fn;
}

static bool same_usb(xmlNodePtr hd, const struct vm_usb *u)
{
	xmlNodePtr src = first(hd, "source");
	xmlChar *v[2] = { sym_xmlGetProp(first(src, "vendor"), BAD_CAST "id"),
			  sym_xmlGetProp(first(src, "product"), BAD_CAST "id") };
	unsigned long x[2];
	bool r = attr_is(hd, "type", "usb");

	for (int i = 0; i < 2; i++) {
		char *end;
		r = r && v[i] && (x[i] = strtoul((const char *)v[i], &end, 0), *end == 0);
		libxml_free(v[i]);
	}
	return r && x[0] == u->vendor && x[1] == u->product;
}

static void hostdevs(struct b *b, xmlNodePtr devs, const struct host *h, const struct vm_request *rq,
		     const struct vm_plan *p)
{
	for (size_t i = 0; i < p->devices.nitems; i++) {
		const struct pci_device *d = &h->pci[p->devices.items[i].dev];
		xmlNodePtr hd = NULL, src;
		bool exists = false;

		for (xmlNodePtr n = devs->children; n; n = n->next)
			if (is(n, "hostdev") && same_pci(n, &d->addr))
				exists = true, hd = n;
		if (!exists) {
			/* --single-gpu: the hook's take binds the GPU's group
			 * (vfiokit handover), not libvirt. */
			bool hooked = rq->single_gpu && d->iommu_group == h->pci[p->devices.items[0].dev].iommu_group;
			hd = el(b, devs, "hostdev", NULL);
			at(b, at(b, at(b, hd, "mode", "subsystem"), "type", "pci"), "managed", hooked ? "no" : "yes");
			at(b, el(b, hd, "driver", NULL), "name", "vfio");
			src = el(b, hd, "source", NULL);
			at(b, at(b, at(b, at(b, el(b, src, "address", NULL), "domain", "0x%04x", d->addr.domain), "bus",
				       "0x%02x", d->addr.bus),
				    "slot", "0x%02x", d->addr.dev),
			   "function", "0x%x", d->addr.fn);
			change(b, "hostdev %s (group %d)", d->name, d->iommu_group);
		}
		if (i == 0 && rq->rom) {
			/* The copy where libvirt's QEMU may read it (plan/vm.c), when there is one. */
			const char *rom = p->rom_file ? p->rom_file : rq->rom;
			at(b, get_or_add(b, hd, "rom"), "file", "%s", rom);
			change(b, "ROM file %s for %s", rom, d->name);
		}
	}
	for (size_t i = 0; i < p->nusb; i++) {
		xmlNodePtr hd, src;
		bool exists = false;

		for (xmlNodePtr n = devs->children; n; n = n->next)
			exists |= is(n, "hostdev") && same_usb(n, &p->usb[i]);
		if (exists)
			continue;
		hd = el(b, devs, "hostdev", NULL);
		at(b, at(b, at(b, hd, "mode", "subsystem"), "type", "usb"), "managed", "yes");
		src = el(b, hd, "source", NULL);
		at(b, el(b, src, "vendor", NULL), "id", "0x%04x", p->usb[i].vendor);
		at(b, el(b, src, "product", NULL), "id", "0x%04x", p->usb[i].product);
		change(b, "USB device %04x:%04x", p->usb[i].vendor, p->usb[i].product);
	}
}

/* evdev (grab the keyboard, Ctrl+Ctrl toggles), virtio keyboard and mouse,
 * Looking Glass shared memory, audio. */
static void peripherals(struct b *b, xmlNodePtr devs, const struct vm_request *rq, const struct vm_plan *p)
{
	bool have_kbd = false, have_mouse = false;

	for (size_t i = 0; i < p->evdev.n; i++) {
		xmlNodePtr in, src;
		bool exists = false;

		for (xmlNodePtr n = devs->children; n; n = n->next)
			exists |= is(n, "input") && attr_is(n, "type", "evdev") &&
				  attr_is(first(n, "source"), "dev", p->evdev.v[i]);
		if (exists)
			continue;
		in = at(b, el(b, devs, "input", NULL), "type", "evdev");
		src = at(b, el(b, in, "source", NULL), "dev", "%s", p->evdev.v[i]);
		if (i < p->nkbd)
			at(b, at(b, at(b, src, "grab", "all"), "repeat", "on"), "grabToggle", "%s", p->grab_toggle);
		change(b, "evdev %s", p->evdev.v[i]);
	}
	for (xmlNodePtr n = devs->children; n; n = n->next)
		if (is(n, "input") && attr_is(n, "bus", "virtio")) {
			have_kbd |= attr_is(n, "type", "keyboard");
			have_mouse |= attr_is(n, "type", "mouse");
		}
	if (!have_mouse)
		at(b, at(b, el(b, devs, "input", NULL), "type", "mouse"), "bus", "virtio");
	if (!have_kbd)
		at(b, at(b, el(b, devs, "input", NULL), "type", "keyboard"), "bus", "virtio");
	if (p->shmem_mib && !p->lg_kvmfr) {
		xmlNodePtr sh = at(b, el_in_place(b, devs, "shmem"), "name", "looking-glass");
		at(b, el(b, sh, "model", NULL), "type", "ivshmem-plain");
		_cleanup_free_ char *size = strdupf("%" PRIu64, p->shmem_mib);
		b->ok = b->ok && size;
		at(b, el(b, sh, "size", size), "unit", "M");
		change(b, "Looking Glass shared memory, %" PRIu64 " MiB (ivshmem-plain)", p->shmem_mib);
	}
	if (rq->lg_spice && p->shmem_mib && !first(devs, "graphics")) {
		xmlNodePtr g = at(b, at(b, el(b, devs, "graphics", NULL), "type", "spice"), "autoport", "yes");
		at(b, el(b, g, "listen", NULL), "type", "none");
		xmlNodePtr ch = at(b, el(b, devs, "channel", NULL), "type", "spicevmc");
		at(b, at(b, el(b, ch, "target", NULL), "type", "virtio"), "name", "com.redhat.spice.0");
		change(b, "SPICE server for Looking Glass input");
	}
	if (p->audio != VM_AUDIO_NONE) {
		xmlNodePtr snd, au;
		snd = at(b, el_in_place(b, devs, "sound"), "model", "ich9");
		at(b, el(b, snd, "codec", NULL), "type", "micro");
		at(b, el(b, snd, "audio", NULL), "id", "1");
		au = at(b, el_in_place(b, devs, "audio"), "id", "1");
		if (p->audio == VM_AUDIO_PIPEWIRE) {
			at(b, at(b, au, "type", "pipewire"), "runtimeDir", "/run/user/%u", p->uid);
			at(b, el(b, au, "input", NULL), "name", "qemuinput");
			at(b, el(b, au, "output", NULL), "name", "qemuoutput");
		} else
			at(b, at(b, au, "type", "pulseaudio"), "serverName", "/run/user/%u/pulse/native", p->uid);
		change(b, "ICH9 sound to %s", p->audio == VM_AUDIO_PIPEWIRE ? "PipeWire" : "PulseAudio");
	}
	at(b, get_or_add(b, devs, "memballoon"), "model", "none");
}

/* libvirt's own order of a domain's children (virsh dumpxml), so that the
 * XML reads as users know it and edit's diff shows only what changed.
 * Unknown elements keep their place relative to each other, at the end. */
static const char *const order[] = {
	"name", "uuid", "genid", "title", "description", "metadata", "maxMemory", "memory", "currentMemory",
	"blkiotune", "memtune", "memoryBacking", "vcpu", "vcpus", "iothreads", "iothreadids", "cputune",
	"numatune", "resource", "sysinfo", "bootloader", "bootloader_args", "os", "idmap", "features", "cpu",
	"clock", "on_poweroff", "on_reboot", "on_crash", "pm", "perf", "devices",
};

static size_t rank_of(xmlNodePtr n)
{
	if (n->type == XML_ELEMENT_NODE && !n->ns)
		for (size_t i = 0; i < ARRAY_SIZE(order); i++)
			if (sym_xmlStrEqual(n->name, BAD_CAST order[i]))
				return i;
	return ARRAY_SIZE(order);
}

static void reorder(xmlNodePtr dom)
{
	/* A stable insertion sort on the children list. */
	for (xmlNodePtr n = dom->children ? dom->children->next : NULL, next; n; n = next) {
		xmlNodePtr at = n->prev;
		size_t r = rank_of(n);
		next = n->next;
		while (at && rank_of(at) > r)
			at = at->prev;
		if (at == n->prev)
			continue;
		sym_xmlUnlinkNode(n);
		if (at)
			sym_xmlAddNextSibling(at, n);
		else
			sym_xmlAddPrevSibling(dom->children, n);
	}
}

/* The transformation edit and create share. */
static void passthrough(struct b *b, xmlNodePtr dom, const struct host *h, const struct vm_request *rq,
			const struct vm_plan *p, bool edit)
{
	xmlNodePtr devs;

	memory(b, dom, p, edit);
	cpus(b, dom, p, edit);
	features(b, dom, rq, p);
	devs = get_or_add(b, dom, "devices");
	if (!b->ok)
		return;
	strip_emulated_display(b, devs, rq);
	hostdevs(b, devs, h, rq, p);
	peripherals(b, devs, rq, p);
	reorder(dom);
}

static void disk(struct b *b, xmlNodePtr devs, const char *file, bool cdrom, bool block, const char *format,
		 const char *target, const char *bus, int boot)
{
	xmlNodePtr d = at(b, at(b, el(b, devs, "disk", NULL), "type", block ? "block" : "file"), "device",
			  cdrom ? "cdrom" : "disk");
	xmlNodePtr drv = at(b, at(b, el(b, d, "driver", NULL), "name", "qemu"), "type", "%s", format);

	if (!cdrom) {
		/* The article's virtio-blk example: native AIO, no host cache, TRIM, an I/O thread
		 * (on virtio-scsi the controller has the I/O thread). */
		at(b, at(b, at(b, drv, "cache", "none"), "io", "native"), "discard", "unmap");
		if (streq(bus, "virtio"))
			at(b, drv, "iothread", "1");
	}
	at(b, el(b, d, "source", NULL), block ? "dev" : "file", "%s", file);
	at(b, at(b, el(b, d, "target", NULL), "dev", "%s", target), "bus", "%s", bus);
	if (cdrom)
		el(b, d, "readonly", NULL);
	if (boot)
		at(b, el(b, d, "boot", NULL), "order", "%d", boot);
}

/* <loader> and <nvram> of OVMF from the firmware descriptor, after <type>. */
static void ovmf(struct b *b, xmlNodePtr os, const struct vm_plan *p)
{
	xmlNodePtr loader, nvram, type = first(os, "type");

	loader = at(b, at(b, el(b, os, "loader", p->fw.code), "readonly", "yes"), "type", "pflash");
	if (p->fw.secure_boot)
		at(b, loader, "secure", "yes");
	if (p->fw.code_format && !streq(p->fw.code_format, "raw"))
		at(b, loader, "format", "%s", p->fw.code_format);
	nvram = at(b, el(b, os, "nvram", p->nvram), "template", "%s", p->fw.vars);
	if (p->fw.vars_format && !streq(p->fw.vars_format, "raw"))
		at(b, nvram, "format", "%s", p->fw.vars_format);
	if (b->ok && type && type->next != loader) {
		sym_xmlUnlinkNode(loader);
		sym_xmlUnlinkNode(nvram);
		sym_xmlAddNextSibling(type, loader);
		sym_xmlAddNextSibling(loader, nvram);
	}
}

/* Looking Glass on kvmfr's /dev/kvmfr0: libvirt's <shmem> cannot take a
 * device node, so QEMU gets the memory backend and the ivshmem-plain
 * device on its command line (Looking Glass's documentation, "libvirt"). */
static void kvmfr(struct b *b, xmlNodePtr dom, const struct vm_plan *p)
{
	xmlNsPtr ns = b->ok ? sym_xmlNewNs(dom, BAD_CAST "http://libvirt.org/schemas/domain/qemu/1.0",
					   BAD_CAST "qemu") :
			      NULL;
	xmlNodePtr cl = ns ? sym_xmlNewChild(dom, ns, BAD_CAST "commandline", NULL) : NULL;
	_cleanup_free_ char *obj = strdupf("{\"qom-type\":\"memory-backend-file\",\"id\":\"looking-glass\","
					   "\"mem-path\":\"/dev/kvmfr0\",\"size\":%" PRIu64 ",\"share\":true}",
					   p->shmem_mib << 20);
	const char *args[] = { "-device", "{\"driver\":\"ivshmem-plain\",\"id\":\"shmem-looking-glass\","
					  "\"memdev\":\"looking-glass\"}", "-object", obj };

	b->ok = b->ok && cl && obj;
	for (size_t i = 0; b->ok && i < ARRAY_SIZE(args); i++) {
		xmlNodePtr a = sym_xmlNewChild(cl, ns, BAD_CAST "arg", NULL);
		b->ok = a && sym_xmlNewProp(a, BAD_CAST "value", BAD_CAST args[i]);
	}
	change(b, "Looking Glass on kvmfr, %" PRIu64 " MiB (/dev/kvmfr0, qemu:commandline)", p->shmem_mib);
}

char *domain_create(const struct host *h, const struct vm_request *rq, const struct vm_plan *p)
{
	struct xml_frag f = { 0 };
	struct b b = { .ok = true };
	xmlNodePtr dom, os, clock, devs, n;
	int boot = 1;

	if (!xml_frag_new(&f))
		return NULL;
	dom = f.root;
	at(&b, dom, "type", "kvm");
	el(&b, dom, "name", p->name);
	/* <os>: q35 with OVMF from the firmware descriptor, a per-VM store. */
	os = el(&b, dom, "os", NULL);
	at(&b, at(&b, el(&b, os, "type", "hvm"), "arch", "x86_64"), "machine", "q35");
	ovmf(&b, os, p);
	clock = at(&b, el(&b, dom, "clock", NULL), "offset", "localtime");
	at(&b, at(&b, el(&b, clock, "timer", NULL), "name", "rtc"), "tickpolicy", "catchup");
	at(&b, at(&b, el(&b, clock, "timer", NULL), "name", "pit"), "tickpolicy", "delay");
	at(&b, at(&b, el(&b, clock, "timer", NULL), "name", "hpet"), "present", "no");
	at(&b, at(&b, el(&b, clock, "timer", NULL), "name", "hypervclock"), "present", "yes");
	el(&b, dom, "on_poweroff", "destroy");
	el(&b, dom, "on_reboot", "restart");
	el(&b, dom, "on_crash", "destroy");
	n = el(&b, dom, "pm", NULL);
	at(&b, el(&b, n, "suspend-to-mem", NULL), "enabled", "no");
	at(&b, el(&b, n, "suspend-to-disk", NULL), "enabled", "no");
	devs = el(&b, dom, "devices", NULL);
	if (rq->iso)
		disk(&b, devs, rq->iso, true, false, "raw", "sda", "sata", boot++);
	if (rq->disk && rq->disk_bus == VM_DISK_SCSI) {
		/* One virtio-scsi controller for the one I/O thread (the article's
		 * "Virtio disk"); the disk after the installer's sda and sdb. */
		n = at(&b, at(&b, el(&b, devs, "controller", NULL), "type", "scsi"), "model", "virtio-scsi");
		at(&b, at(&b, el(&b, n, "driver", NULL), "iothread", "1"), "queues", "%u", p->vcpus);
		disk(&b, devs, rq->disk, false, p->disk_block, p->disk_format, "sdc", "scsi", boot++);
	} else if (rq->disk)
		disk(&b, devs, rq->disk, false, p->disk_block, p->disk_format, "vda", "virtio", boot++);
	if (rq->virtio_iso)
		disk(&b, devs, rq->virtio_iso, true, false, "raw", "sdb", "sata", 0);
	at(&b, at(&b, el(&b, devs, "controller", NULL), "type", "usb"), "model", "qemu-xhci");
	if (rq->bridge) {
		n = at(&b, el(&b, devs, "interface", NULL), "type", "bridge");
		at(&b, el(&b, n, "source", NULL), "bridge", "%s", rq->bridge);
	} else if (rq->macvtap) {
		n = at(&b, el(&b, devs, "interface", NULL), "type", "direct");
		at(&b, at(&b, el(&b, n, "source", NULL), "dev", "%s", rq->macvtap), "mode", "bridge");
	} else if (!rq->network || !streq(rq->network, "none")) {
		n = at(&b, el(&b, devs, "interface", NULL), "type", "network");
		at(&b, el(&b, n, "source", NULL), "network", "%s", rq->network ? rq->network : "default");
	} else
		n = NULL;
	if (n) {
		at(&b, el(&b, n, "model", NULL), "type", "virtio");
		/* virtio-net multiqueue: one queue pair per vCPU (vhost). */
		if (p->net_queues > 1)
			at(&b, at(&b, el(&b, n, "driver", NULL), "name", "vhost"), "queues", "%u", p->net_queues);
	}
	passthrough(&b, dom, h, rq, p, false);
	if (p->shmem_mib && p->lg_kvmfr)
		kvmfr(&b, dom, p);
	if (!b.ok) {
		xml_frag_free(&f);
		return NULL;
	}
	return xml_node_text(f.doc, dom, true);
}

/* Whitespace between elements is layout (a domain has no mixed content):
 * XML_PARSE_NOBLANKS keeps what came from character references (&#10;),
 * and xmlNodeDump then stops indenting, so a second edit would see a
 * different text. Drop it all. */
static void drop_layout_text(xmlNodePtr parent)
{
	bool elements = false;

	for (xmlNodePtr n = parent->children; n; n = n->next)
		elements |= n->type == XML_ELEMENT_NODE;
	for (xmlNodePtr n = parent->children, next; n; n = next) {
		next = n->next;
		if (elements && n->type == XML_TEXT_NODE && sym_xmlIsBlankNode(n))
			drop(n);
		else if (n->type == XML_ELEMENT_NODE)
			drop_layout_text(n);
	}
}

/* NULL with err filled (-EINVAL, or -ENOMEM). */
/* A namespace declaration whose name holds a control character (a
 * character reference such as &#10; in xmlns="..."): libxml2 writes it back
 * as the raw character, which the next reader normalizes to a space, so
 * the edit would change the name. libvirt never writes one. */
static bool ns_unwritable(xmlNodePtr n)
{
	for (; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		for (xmlNsPtr ns = n->nsDef; ns; ns = ns->next)
			for (const xmlChar *c = ns->href; c && *c; c++)
				if (*c < 0x20 || *c == 0x7f)
					return true;
		if (ns_unwritable(n->children))
			return true;
	}
	return false;
}

static xmlDocPtr parse(const char *xml, struct error *err)
{
	xmlDocPtr doc;
	size_t len = strlen(xml);

	/* The one way into a domain for peek and edit: libxml2 loaded (vm
	 * did; where it could not, its message). */
	if (libxml_load(err) < 0)
		return NULL;
	if (len > DOMAIN_XML_MAX) {
		error_take(err, -EINVAL, ERROR_FAILED, strdup("larger than 16 MiB: not a domain"));
		return NULL;
	}
	/* No network, no entity expansion, no DTD loading: the text is input. */
	doc = sym_xmlReadMemory(xml, (int)len, "domain.xml", NULL,
				XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!doc) {
		const xmlError *e = sym_xmlGetLastError();
		char *m = strdupf("not well-formed XML: line %d: %s", e ? e->line : 0,
				  e && e->message ? e->message : "parse error");
		error_take(err, -EINVAL, ERROR_FAILED, m ? strip_trailing(m) : NULL);
		return NULL;
	}
	/* Entities are never expanded (no XXE), so a reference to one declared
	 * in a DOCTYPE stays in the tree, and the <domain> edit writes would
	 * name an entity nothing declares. libvirt never writes a DOCTYPE. */
	if (doc->intSubset && (doc->intSubset->children || doc->intSubset->SystemID || doc->intSubset->ExternalID)) {
		sym_xmlFreeDoc(doc);
		error_take(err, -EINVAL, ERROR_FAILED,
			   strdup("not a domain as libvirt writes it: a <!DOCTYPE> with declarations or an external DTD"));
		return NULL;
	}
	if (!is(sym_xmlDocGetRootElement(doc), "domain")) {
		sym_xmlFreeDoc(doc);
		error_take(err, -EINVAL, ERROR_FAILED,
			   strdup("not a libvirt domain (the root element is not <domain>)"));
		return NULL;
	}
	if (ns_unwritable(sym_xmlDocGetRootElement(doc))) {
		sym_xmlFreeDoc(doc);
		error_take(err, -EINVAL, ERROR_FAILED,
			   strdup("not a domain as libvirt writes it: a namespace name (xmlns) holds a control "
				  "character, which cannot be written back unchanged"));
		return NULL;
	}
	drop_layout_text(sym_xmlDocGetRootElement(doc));
	return doc;
}

/* The text of n without the blanks around it (a hand-written domain may
 * have them); heap, NULL when n is. */
static char *trimmed_content(xmlNodePtr n)
{
	xmlChar *t = n ? sym_xmlNodeGetContent(n) : NULL;
	const char *p = (const char *)t;
	char *r;

	if (!t)
		return NULL;
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	r = strdup(p);
	libxml_free(t);
	return r ? strip_trailing(r) : NULL;
}

/* <vcpu> and <memory unit=...>, read as libvirt reads them (the unit
 * defaults to KiB; decimal units are powers of 1000). 0 or -EINVAL with
 * err, -ENOMEM. */
static int peek_numbers(xmlNodePtr dom, unsigned *vcpus, uint64_t *memory_kb, struct error *err)
{
	xmlNodePtr n;
	uint64_t bytes;
	int k;

	if ((n = first(dom, "vcpu"))) {
		_cleanup_free_ char *t = trimmed_content(n);
		if (!t)
			return -ENOMEM;
		if (parse_unsigned(t, 10, VM_VCPUS_MAX, vcpus) < 0 || *vcpus == 0)
			return error_set(err, -EINVAL, ERROR_FAILED, "<vcpu>%s</vcpu>: expected a count from 1 to %u",
					 t, VM_VCPUS_MAX);
	}
	if ((n = first(dom, "memory"))) {
		_cleanup_free_ char *t = trimmed_content(n);
		xmlChar *u = sym_xmlGetProp(n, BAD_CAST "unit");
		if (!t) {
			libxml_free(u);
			return -ENOMEM;
		}
		k = parse_size_in_unit(t, (const char *)u, "KiB", VM_MEMORY_MAX, &bytes);
		if (k < 0)
			k = error_set(err, -EINVAL, ERROR_FAILED, "<memory unit='%s'>%s</memory>: %s",
				      u ? (const char *)u : "KiB", t,
				      k == -ERANGE ?
					      "more than libvirt takes (8 EiB)" :
					      "expected a number and a libvirt unit (b, KB, KiB, MB, MiB, GB, GiB, "
					      "TB, TiB, PB, PiB, EB, EiB)");
		libxml_free(u);
		if (k < 0)
			return k;
		*memory_kb = bytes / 1024 + (bytes % 1024 != 0);
	}
	return 0;
}

int domain_peek(const char *xml, char **name, unsigned *vcpus, uint64_t *memory_kb, struct error *err)
{
	xmlDocPtr doc = parse(xml, err);
	xmlNodePtr dom, n;
	xmlChar *t;
	int k;

	*name = NULL;
	*vcpus = 0;
	*memory_kb = 0;
	if (!doc)
		return err->errnum;
	dom = sym_xmlDocGetRootElement(doc);
	t = (n = first(dom, "name")) ? sym_xmlNodeGetContent(n) : NULL;
	*name = t ? strdup((const char *)t) : NULL;
	libxml_free(t);
	k = peek_numbers(dom, vcpus, memory_kb, err);
	sym_xmlFreeDoc(doc);
	if (k < 0) {
		free(*name);
		*name = NULL;
		return k;
	}
	if (!*name)
		return error_take(err, -EINVAL, ERROR_FAILED, strdup("the domain has no <name>"));
	return 0;
}

int domain_edit(const char *xml, const struct host *h, const struct vm_request *rq, const struct vm_plan *p,
		char **before, char **after, struct strv *changes, struct error *err)
{
	xmlDocPtr doc = parse(xml, err);
	struct b b = { .ok = true, .changes = changes };
	xmlNodePtr dom, os;

	*before = *after = NULL;
	if (!doc)
		return err->errnum;
	dom = sym_xmlDocGetRootElement(doc);
	*before = xml_node_text(doc, dom, false);
	os = first(dom, "os");
	if (!first(os, "loader") && !(os && attr_is(os, "firmware", "efi"))) {
		/* SeaBIOS: the article's guest is OVMF, and an OS installed for
		 * BIOS does not boot once its firmware changes. */
		if (!rq->convert_ovmf || !os) {
			free(*before);
			*before = NULL;
			sym_xmlFreeDoc(doc);
			return error_take(err, -EINVAL, ERROR_FAILED,
					  strdup(os ? "the domain boots with SeaBIOS; the article's guest boots OVMF. An OS "
						      "installed for BIOS does not boot under OVMF until its disk is GPT "
						      "with an EFI system partition (Windows: mbr2gpt /convert). Create a "
						      "new guest, or give --convert-ovmf to change the firmware" :
						      "the domain has no <os>: not a guest vfiokit can give OVMF"));
		}
		ovmf(&b, os, p);
		change(&b, "firmware: SeaBIOS replaced by OVMF (--convert-ovmf). Warning: an OS installed for BIOS "
			   "does not boot until its disk is GPT with an EFI system partition (Windows: mbr2gpt /convert)");
	}
	passthrough(&b, dom, h, rq, p, true);
	/* An element that held only layout (<devices>\n  </devices>) keeps it
	 * through the parse; with children added it is layout again. */
	drop_layout_text(dom);
	if (b.ok && *before)
		*after = xml_node_text(doc, dom, false);
	sym_xmlFreeDoc(doc);
	if (!*after) {
		free(*before);
		*before = NULL;
		return -ENOMEM;
	}
	return 0;
}
