/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit/qemu.h"
#include "shared/shell.h"
#include "shared/strv.h"
#include "shared/template.h"

char *qemu_escape(const char *s)
{
	size_t n = 0;
	char *out, *o;

	for (const char *c = s; *c; c++)
		n += *c == ',' ? 2 : 1;
	out = o = malloc(n + 1);
	if (!out)
		return NULL;
	for (const char *c = s; *c; c++) {
		*o++ = *c;
		if (*c == ',')
			*o++ = ',';
	}
	*o = 0;
	return out;
}

/* The script under construction; the first ENOMEM sticks. */
struct s {
	FILE *f;
	char *buf;
	size_t len;
	bool ok;
};

static void _printf_(2, 3) put(struct s *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vfprintf(s->f, fmt, ap) < 0)
		s->ok = false;
	va_end(ap);
}

/* One QEMU argument pair on its own line: "\t-opt 'value' \\" with the
 * value formatted, then made one shell word. */
static void _printf_(3, 4) arg(struct s *s, const char *opt, const char *fmt, ...)
{
	_cleanup_free_ char *v = NULL, *q = NULL;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&v, fmt, ap);
	va_end(ap);
	if (r < 0 || !(q = sh_quote(v))) {
		s->ok = false;
		return;
	}
	put(s, "\t%s %s \\\n", opt, q);
}

/* A value with QEMU's commas escaped (a path, a name). */
static const char *esc(struct s *s, char **hold, const char *v)
{
	free(*hold);
	*hold = qemu_escape(v);
	if (!*hold) {
		s->ok = false;
		return "";
	}
	return *hold;
}

/* Start a fragment of the script. */
static bool frag_open(struct s *s)
{
	s->buf = NULL;
	s->len = 0;
	s->f = open_memstream(&s->buf, &s->len);
	if (!s->f)
		s->ok = false;
	return s->f;
}

/* End a fragment: heap text, without the " \\\n" of its last line (the
 * template writes it). NULL when anything failed. */
static char *frag_close(struct s *s)
{
	if (fclose(s->f) != 0)
		s->ok = false;
	s->f = NULL;
	if (!s->ok || s->len < 4) {
		s->ok = false;
		free(s->buf);
		return NULL;
	}
	s->buf[s->len - 3] = '\0';
	/* The template indents the first line. */
	memmove(s->buf, s->buf + 1, s->len - 3);
	return s->buf;
}

/* -name to the code image's -drive: the arguments before the variables'. */
static void args_machine(struct s *s, const struct vm_request *rq, const struct vm_plan *p)
{
	_cleanup_free_ char *e1 = NULL, *guest = NULL;
	bool tcg = rq->accel == VM_ACCEL_TCG;
	unsigned sockets = p->pinned ? p->pin.sockets : p->sockets, cores = p->pinned ? p->pin.cores : p->cores,
		 threads = p->pinned ? p->pin.threads : p->threads;

	guest = strdupf("guest=%s", esc(s, &e1, p->name));
	if (!guest)
		s->ok = false;
	else
		arg(s, "-name", "%s,debug-threads=on", guest);
	if (p->huge)
		arg(s, "-object", "memory-backend-memfd,id=mem0,size=%" PRIu64 "M,hugetlb=on,hugetlbsize=%" PRIu64
				  "k,prealloc=on",
		    p->memory_kb >> 10, p->hp.page_kb);
	arg(s, "-machine", "q35,accel=%s%s%s%s", tcg ? "tcg" : "kvm", tcg ? "" : ",kernel_irqchip=on",
	    p->fw.requires_smm || p->fw.secure_boot ? ",smm=on" : "", p->huge ? ",memory-backend=mem0" : "");
	if (p->fw.secure_boot)
		arg(s, "-global", "driver=cfi.pflash01,property=secure,value=on");
	if (tcg)
		arg(s, "-cpu", "max");
	else
		arg(s, "-cpu", "host%s%s,hv_relaxed,hv_vapic,hv_spinlocks=0x1fff,hv_vendor_id=%s",
		    rq->hide_kvm ? ",kvm=off" : "", p->amd && threads > 1 ? ",topoext=on" : "",
		    esc(s, &e1, rq->vendor_id ? rq->vendor_id : "vfiokit"));
	arg(s, "-smp", "%u,sockets=%u,cores=%u,threads=%u", p->vcpus, sockets, cores, threads);
	arg(s, "-m", "%" PRIu64 "M", p->memory_kb >> 10);
	put(s, "\t-nodefaults -display none -vga none -no-user-config \\\n");
	/* Order matters: the code image first, read-only, then the variables. */
	arg(s, "-drive", "if=pflash,format=%s,readonly=on,file=%s", p->fw.code_format ? p->fw.code_format : "raw",
	    esc(s, &e1, p->fw.code));
}

/* After the variables' -drive: the devices, disks, network, input, Looking
 * Glass and sound. */
static void args_devices(struct s *s, const struct host *h, const struct vm_request *rq, const struct vm_plan *p)
{
	_cleanup_free_ char *e1 = NULL;
	int boot = 1;

	for (size_t i = 0; i < p->devices.nitems; i++) {
		const struct pci_device *d = &h->pci[p->devices.items[i].dev];
		if (i == 0 && rq->rom)
			arg(s, "-device", "vfio-pci,host=%s,romfile=%s", d->name, esc(s, &e1, rq->rom));
		else
			arg(s, "-device", "vfio-pci,host=%s", d->name);
	}
	if (rq->iso) {
		arg(s, "-drive", "file=%s,if=none,id=cd0,media=cdrom,readonly=on", esc(s, &e1, rq->iso));
		arg(s, "-device", "ide-cd,drive=cd0,bus=ide.0,bootindex=%d", boot++);
	}
	if (rq->disk) {
		arg(s, "-object", "iothread,id=iothread1");
		arg(s, "-drive", "file=%s,if=none,id=disk0,format=%s,cache=none,aio=native,discard=unmap",
		    esc(s, &e1, rq->disk), p->disk_format);
		if (rq->disk_bus == VM_DISK_SCSI) {
			arg(s, "-device", "virtio-scsi-pci,id=scsi0,iothread=iothread1,num_queues=%u", p->vcpus);
			arg(s, "-device", "scsi-hd,bus=scsi0.0,drive=disk0,bootindex=%d", boot++);
		} else
			arg(s, "-device", "virtio-blk-pci,drive=disk0,iothread=iothread1,bootindex=%d", boot++);
	}
	if (rq->virtio_iso) {
		arg(s, "-drive", "file=%s,if=none,id=cd1,media=cdrom,readonly=on", esc(s, &e1, rq->virtio_iso));
		arg(s, "-device", "ide-cd,drive=cd1,bus=ide.1");
	}
	if (!rq->network || !streq(rq->network, "none")) {
		arg(s, "-netdev", "user,id=net0");
		arg(s, "-device", "virtio-net-pci,netdev=net0");
	}
	arg(s, "-device", "qemu-xhci,id=xhci");
	for (size_t i = 0; i < p->nusb; i++)
		arg(s, "-device", "usb-host,bus=xhci.0,vendorid=0x%04x,productid=0x%04x", p->usb[i].vendor,
		    p->usb[i].product);
	for (size_t i = 0; i < p->evdev.n; i++)
		arg(s, "-object", "input-linux,id=evdev%zu,evdev=%s%s%s", i, esc(s, &e1, p->evdev.v[i]),
		    i < p->nkbd ? ",grab_all=on,repeat=on,grab-toggle=" : "", i < p->nkbd ? p->grab_toggle : "");
	arg(s, "-device", "virtio-keyboard-pci");
	arg(s, "-device", "virtio-mouse-pci");
	if (p->shmem_mib) {
		arg(s, "-object",
		    "memory-backend-file,id=looking-glass,share=on,mem-path=/dev/shm/looking-glass,size=%" PRIu64 "M",
		    p->shmem_mib);
		arg(s, "-device", "ivshmem-plain,memdev=looking-glass");
		if (rq->lg_spice) {
			arg(s, "-spice", "port=5900,addr=127.0.0.1,disable-ticketing=on");
			arg(s, "-device", "virtio-serial-pci");
			arg(s, "-chardev", "spicevmc,id=vdagent,name=vdagent");
			arg(s, "-device", "virtserialport,chardev=vdagent,name=com.redhat.spice.0");
		}
	}
	if (p->audio != VM_AUDIO_NONE) {
		/* $audio: set by the template's audio section. */
		put(s, "\t-audiodev \"$audio\" \\\n");
		arg(s, "-device", "ich9-intel-hda");
		arg(s, "-device", "hda-micro,audiodev=audio1");
	}
}

char *qemu_script(const struct host *h, const struct vm_request *rq, const struct vm_plan *p)
{
	struct s s = { .ok = true };
	_cleanup_free_ char *devs = NULL, *pin = NULL, *machine = NULL, *devices = NULL, *pa = NULL, *pw = NULL;
	struct strv names = { 0 };
	char *out = NULL;

	for (size_t i = 0; i < p->devices.nitems; i++)
		if (strv_push(&names, h->pci[p->devices.items[i].dev].name) < 0)
			s.ok = false;
	devs = strv_join(&names, " ");
	strv_clear(&names);
	if (frag_open(&s)) {
		args_machine(&s, rq, p);
		machine = frag_close(&s);
	}
	if (frag_open(&s)) {
		args_devices(&s, h, rq, p);
		devices = frag_close(&s);
	}
	if (p->pinned) {
		_cleanup_free_ char *g = cpuset_format(&p->pin.guest);
		pin = g ? strdupf("chrt -r 1 taskset -c %s ", g) : NULL;
	} else
		pin = strdup("");
	pa = strdupf("pa,id=audio1,server=/run/user/%u/pulse/native", p->uid);
	pw = strdupf("pipewire,id=audio1,runtime-dir=/run/user/%u", p->uid);
	if (!s.ok || !devs || !machine || !devices || !pin || !pa || !pw)
		return NULL;

	const struct tmpl_var vars[] = {
		{ "NAME", TMPL_QUOTE, p->name, false },
		{ "VARS_FILE", TMPL_QUOTE, p->vars_file, false },
		{ "DEVICES", TMPL_WORD, devs, false },
		{ "VARS_TEMPLATE", TMPL_QUOTE, p->fw.vars, false },
		{ "PIPEWIRE", TMPL_SECTION, NULL, p->audio == VM_AUDIO_PIPEWIRE },
		{ "PULSE", TMPL_SECTION, NULL, p->audio != VM_AUDIO_NONE && p->audio != VM_AUDIO_PIPEWIRE },
		{ "AUDIO_PIPEWIRE", TMPL_QUOTE, pw, false },
		{ "AUDIO_PULSE", TMPL_QUOTE, pa, false },
		{ "PIN", TMPL_CODE, pin, false },
		{ "QEMU_ARGS", TMPL_CODE, machine, false },
		{ "VARS_FORMAT", TMPL_WORD, streq_ptr(p->fw.vars_format, "qcow2") ? "qcow2" : "raw", false },
		{ "QEMU_DEVICES", TMPL_CODE, devices, false },
		{ NULL, 0, NULL, false },
	};
	return tmpl_render(tmpl_qemu_launch, vars, &out, NULL) < 0 ? NULL : out;
}
