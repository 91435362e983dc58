/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The host's side of a guest (`vfiokit vm ... --apply`): the files the
 * article has the user edit beside the domain. Looking Glass's shared
 * memory file (/etc/tmpfiles.d/10-looking-glass.conf, "Using Looking
 * Glass"), libvirt's qemu.conf user= for the guest's audio ("Passing audio
 * from virtual machine to host via PulseAudio/PipeWire"), and the
 * snd-hda-core / snd-hda-codec-hdmi options that keep the GPU's HDMI audio
 * on the host ("Isolating the GPU"). Pure: the cli reads the files as they
 * are now and gives their text; the new text of each goes to the journal.
 */
#pragma once
#include "plan/setup.h"
#include "plan/vm.h"

#define VM_LG_TMPFILES "etc/tmpfiles.d/10-looking-glass.conf"
#define VM_QEMU_CONF "etc/libvirt/qemu.conf"
#define VM_HDMI_MODPROBE "etc/modprobe.d/vfiokit-hdmi-audio.conf"
/* Looking Glass's kvmfr module (its documentation, "kvmfr"): its size, its
 * loading at boot, its device node's owner. */
#define VM_KVMFR_MODPROBE "etc/modprobe.d/kvmfr.conf"
#define VM_KVMFR_LOAD "etc/modules-load.d/kvmfr.conf"
#define VM_KVMFR_UDEV "etc/udev/rules.d/99-kvmfr.rules"

/* What the files hold now (NULL when absent), and how they are used. */
struct vm_host_texts {
	const char *lg_tmpfiles, *qemu_conf, *hdmi_modprobe;
	const char *kvmfr_modprobe, *kvmfr_load, *kvmfr_udev;
	bool apply;   /* written now (--apply): what cannot be right is refused, not warned of */
	bool libvirt; /* a libvirt domain (qemu.conf matters), not the QEMU script */
};

/* Which host files rq (with the plan p) needs: VM_LG_TMPFILES and so on,
 * each once, into files (root-relative). */
int vm_host_files(const struct vm_request *rq, const struct vm_plan *p, bool libvirt, struct strv *files);

/* The new text of every file rq needs into out->files (setup_add_file()),
 * what to run after into out->manual, warnings into out->warnings. 0,
 * -ENOMEM, or -EINVAL with err filled (ERROR_USAGE): applying, the Looking Glass file's
 * owner would be root. */
int vm_host_plan(const struct vm_request *rq, const struct vm_plan *p, const struct vm_host_texts *t,
		 struct setup_plan *out, struct error *err);

/* libvirt's qemu.conf with the key set to the quoted value: the first
 * uncommented "key = ..." line replaced (later ones removed), else the line
 * added after a commented "#key = " one, else at the end. The rest is kept
 * byte for byte; on its own output it changes nothing. */
char *vm_qemu_conf_set(const char *text, const char *key, const char *value);
/* A udev rules file with line for its SUBSYSTEM=="..." match: the rules
 * with that match replaced by it, else it added. */
char *vm_udev_rule_set(const char *text, const char *line);
/* A tmpfiles.d file with line (type path mode user group age) for its
 * path: the lines for that path replaced by it, else it added. */
char *vm_tmpfiles_set(const char *text, const char *line);
