/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "plan/boot/backend.h"
#include "plan/confedit.h"
#include "plan/vm-host.h"
#include "shared/macro.h"

static const char header[] = "# Written by vfiokit vm (the article's \"%s\"); 'vfiokit undo' takes it back.\n";

static bool local_uri(const char *uri)
{
	return vm_uri_local(uri);
}

static bool lg_file(const struct vm_request *rq, const struct vm_plan *p)
{
	return p->shmem_mib != 0 && !p->lg_kvmfr;
}

static bool audio_user(const struct vm_request *rq, const struct vm_plan *p, bool libvirt)
{
	return libvirt && p->audio != VM_AUDIO_NONE && local_uri(rq->uri);
}

int vm_host_files(const struct vm_request *rq, const struct vm_plan *p, bool libvirt, struct strv *files)
{
	/* Another machine's libvirt: its files are not here (vm_host_plan()). */
	if (libvirt && !local_uri(rq->uri))
		return 0;
	if (lg_file(rq, p) && strv_push(files, VM_LG_TMPFILES) < 0)
		return -ENOMEM;
	if (audio_user(rq, p, libvirt) && strv_push(files, VM_QEMU_CONF) < 0)
		return -ENOMEM;
	if (rq->hdmi_audio_host && strv_push(files, VM_HDMI_MODPROBE) < 0)
		return -ENOMEM;
	if (p->shmem_mib && p->lg_kvmfr &&
	    (strv_push(files, VM_KVMFR_MODPROBE) < 0 || strv_push(files, VM_KVMFR_LOAD) < 0 ||
	     strv_push(files, VM_KVMFR_UDEV) < 0))
		return -ENOMEM;
	return 0;
}

/* The extent of the line at s (without its newline). */
static const char *eol(const char *s)
{
	const char *e = strchr(s, '\n');

	return e ? e : s + strlen(s);
}

/* Is [s, e) "key =" (blanks around), or commented "#key =" (the packaged
 * default, not the examples in the comments above it)? */
static bool conf_key_line(const char *s, const char *e, const char *key, bool commented)
{
	size_t n = strlen(key);

	while (s < e && (*s == ' ' || *s == '\t'))
		s++;
	if (commented) {
		if (s == e || *s != '#')
			return false;
		s++;
	}
	if ((size_t)(e - s) < n || strncmp(s, key, n) != 0)
		return false;
	s += n;
	while (s < e && (*s == ' ' || *s == '\t'))
		s++;
	return s < e && *s == '=';
}

/* text with every line for which match() holds replaced: the first by
 * line, the others dropped; NULL (no such line) when *found is false. */
static char *replace_lines(const char *text, bool (*match)(const char *, const char *, const void *), const void *data,
			   const char *line, bool *found)
{
	size_t len = strlen(text), llen = strlen(line);
	char *out = malloc(len + llen + 2), *w = out;

	*found = false;
	if (!out)
		return NULL;
	for (const char *s = text; *s;) {
		const char *e = eol(s), *next = *e ? e + 1 : e;
		if (match(s, e, data)) {
			if (!*found) {
				memcpy(w, line, llen);
				w += llen;
				*w++ = '\n';
			}
			*found = true;
		} else {
			memcpy(w, s, (size_t)(next - s));
			w += next - s;
		}
		s = next;
	}
	*w = 0;
	return out;
}

struct key_match {
	const char *key;
	bool commented;
};

static bool match_key(const char *s, const char *e, const void *data)
{
	const struct key_match *m = data;

	return conf_key_line(s, e, m->key, m->commented);
}

/* text + line (after the line ending at after, or at the end); a newline
 * added to a last line without one. */
static char *insert_line(const char *text, const char *after, const char *line)
{
	size_t at = after ? (size_t)(after - text) : strlen(text);
	bool nl = at > 0 && text[at - 1] != '\n';

	return strdupf("%.*s%s%s\n%s", (int)at, text, nl ? "\n" : "", line, text + at);
}

char *vm_qemu_conf_set(const char *text, const char *key, const char *value)
{
	_cleanup_free_ char *line = strdupf("%s = \"%s\"", key, value);
	struct key_match m = { key, false };
	char *out;
	bool found;

	if (!line)
		return NULL;
	if (!text)
		text = "";
	out = replace_lines(text, match_key, &m, line, &found);
	if (!out || found)
		return out;
	free(out);
	/* After the packaged file's commented example ("#user = \"qemu\""). */
	for (const char *s = text; *s;) {
		const char *e = eol(s);
		if (conf_key_line(s, e, key, true))
			return insert_line(text, *e ? e + 1 : e, line);
		s = *e ? e + 1 : e;
	}
	return insert_line(text, NULL, line);
}

/* tmpfiles.d: "TYPE PATH ...", the path the second field. */
static bool match_path(const char *s, const char *e, const void *data)
{
	const char *path = data;
	size_t n = strlen(path);

	while (s < e && (*s == ' ' || *s == '\t'))
		s++;
	if (s == e || *s == '#')
		return false;
	while (s < e && *s != ' ' && *s != '\t')
		s++;
	while (s < e && (*s == ' ' || *s == '\t'))
		s++;
	return (size_t)(e - s) >= n && strncmp(s, path, n) == 0 && (s + n == e || s[n] == ' ' || s[n] == '\t');
}

char *vm_tmpfiles_set(const char *text, const char *line)
{
	_cleanup_free_ char *path = NULL;
	const char *p = strchr(line, ' ');
	char *out;
	bool found;

	if (!p || !(path = strndup(p + 1, strcspn(p + 1, " "))))
		return NULL;
	if (!text)
		text = "";
	out = replace_lines(text, match_path, path, line, &found);
	if (!out || found)
		return out;
	free(out);
	return insert_line(text, NULL, line);
}

static bool match_subsystem(const char *s, const char *e, const void *data)
{
	const char *m = data;
	size_t n = strlen(m);

	for (; (size_t)(e - s) >= n; s++)
		if (*s == '#')
			return false;
		else if (strncmp(s, m, n) == 0)
			return true;
	return false;
}

char *vm_udev_rule_set(const char *text, const char *line)
{
	size_t n = strcspn(line, ",");
	_cleanup_free_ char *m = strndup(line, n);
	char *out;
	bool found;

	if (!m)
		return NULL;
	if (!text)
		text = "";
	out = replace_lines(text, match_subsystem, m, line, &found);
	if (!out || found)
		return out;
	free(out);
	return insert_line(text, NULL, line);
}

static int fail(struct error *err, int errnum, enum error_kind kind, char *msg)
{
	return error_take(err, errnum, kind, msg);
}

/* The kvmfr module instead of /dev/shm: static_size_mb (a size change
 * replaces it), loaded at boot, /dev/kvmfr0 the desktop user's. */
static int plan_kvmfr(const struct vm_request *rq, const struct vm_plan *p, const struct vm_host_texts *t,
		      struct setup_plan *out)
{
	_cleanup_free_ char *head = strdupf(header, "Using Looking Glass"), *size = NULL, *opts = NULL, *rule = NULL;
	_cleanup_free_ char *problem = NULL, *udev = NULL, *load = NULL;
	struct cmdline_edits e = { 0 };
	struct strv mod = { 0 };
	int k;

	if (!head || !(size = strdupf("static_size_mb=%" PRIu64, p->shmem_mib)) ||
	    !(rule = strdupf("SUBSYSTEM==\"kvmfr\", OWNER=\"%s\", GROUP=\"kvm\", MODE=\"0660\"", rq->user)))
		return -ENOMEM;
	k = cmdline_edits_add(&e, CMDLINE_SET, size);
	if (k >= 0)
		k = modprobe_options_edit(t->kvmfr_modprobe ? t->kvmfr_modprobe : "", head, "kvmfr", &e, &opts,
					  &problem);
	cmdline_edits_clear(&e);
	if (k == -EINVAL)
		return strv_push_take(&out->manual,
				      strdupf("kvmfr: /" VM_KVMFR_MODPROBE " %s: set static_size_mb=%" PRIu64
					      " on kvmfr's options line by hand",
					      problem, p->shmem_mib)) < 0 ?
			       -ENOMEM :
			       0;
	if (k < 0)
		return k;
	if (strv_push(&mod, "kvmfr") < 0) {
		strv_clear(&mod);
		return -ENOMEM;
	}
	load = list_file_add(t->kvmfr_load ? t->kvmfr_load : head, &mod);
	strv_clear(&mod);
	if (!load)
		return -ENOMEM;
	if (!(udev = t->kvmfr_udev ? vm_udev_rule_set(t->kvmfr_udev, rule) : strdupf("%s%s\n", head, rule)))
		return -ENOMEM;
	if (setup_add_file(out, VM_KVMFR_MODPROBE, TAKE_PTR(opts)) < 0 ||
	    setup_add_file(out, VM_KVMFR_LOAD, TAKE_PTR(load)) < 0 ||
	    setup_add_file(out, VM_KVMFR_UDEV, TAKE_PTR(udev)) < 0 ||
	    strv_push(&out->manual,
		      "kvmfr is built outside the kernel (Looking Glass's module/ directory, or its DKMS "
		      "package); then modprobe kvmfr (after a size change: rmmod kvmfr first) or reboot") < 0 ||
	    strv_push(&out->manual, "libvirt's cgroup must let QEMU open /dev/kvmfr0: add it to cgroup_device_acl in "
				    "/etc/libvirt/qemu.conf (Looking Glass's documentation) and restart libvirt") < 0)
		return -ENOMEM;
	return 0;
}

static int plan_lg(const struct vm_request *rq, const struct vm_plan *p, const struct vm_host_texts *t,
		   struct setup_plan *out, struct error *err)
{
	_cleanup_free_ char *base = NULL;

	/* The article: "Replace user with your username": the client runs as
	 * the desktop user, who must write the file; root's would shut it out. */
	if (!rq->user || !*rq->user || streq(rq->user, "root")) {
		char *m = strdupf("--looking-glass: the shared memory file belongs to the desktop user, who runs the "
				  "Looking Glass client, not root: give --user NAME (or run vfiokit through sudo)%s",
				  t->apply ? "" : "; /" VM_LG_TMPFILES " is planned once it is known");
		return t->apply                              ? fail(err, -EINVAL, ERROR_USAGE, m) :
		       strv_push_take(&out->warnings, m) < 0 ? -ENOMEM :
							       0;
	}
	if (p->lg_kvmfr)
		return plan_kvmfr(rq, p, t, out);
	if (!t->lg_tmpfiles && !(base = strdupf(header, "Using Looking Glass")))
		return -ENOMEM;
	if (setup_add_file(out, VM_LG_TMPFILES, vm_tmpfiles_set(t->lg_tmpfiles ? t->lg_tmpfiles : base, p->tmpfiles)) <
		    0 ||
	    strv_push(&out->manual, "systemd-tmpfiles --create /" VM_LG_TMPFILES " (or reboot) creates "
				    "/dev/shm/looking-glass; after a size change remove it first") < 0)
		return -ENOMEM;
	return 0;
}

static int plan_audio(const struct vm_request *rq, const struct vm_plan *p, const struct vm_host_texts *t,
		      struct setup_plan *out)
{
	_cleanup_free_ char *user = NULL;

	if (p->audio == VM_AUDIO_NONE || !t->libvirt)
		return 0;
	/* QEMU reaches the desktop user's sound server as that user
	 * (vm_plan_make() refused uid 0 not asked for). */
	/* No qemu.conf: no libvirt daemon here to configure (yet). */
	if (!t->qemu_conf)
		return strv_push_take(&out->warnings,
				      strdupf("audio: there is no /" VM_QEMU_CONF " (libvirt's daemon is not "
					      "installed?): once it is, set user = \"+%u\" there and restart libvirt, "
					      "or run this again",
					      rq->uid)) < 0 ?
			       -ENOMEM :
			       0;
	/* qemu.conf(5): a uid is "+N". */
	if (!(user = strdupf("+%u", rq->uid)))
		return -ENOMEM;
	if (setup_add_file(out, VM_QEMU_CONF, vm_qemu_conf_set(t->qemu_conf, "user", user)) < 0 ||
	    strv_push(&out->manual, "restart libvirt (systemctl restart libvirtd, or virtqemud) so that QEMU runs as "
				    "the desktop user; every guest of this libvirt then does") < 0)
		return -ENOMEM;
	return 0;
}

static int plan_hdmi(const struct vm_request *rq, const struct vm_host_texts *t, struct setup_plan *out)
{
	static const struct {
		const char *module, *opt;
	} o[] = { { "snd-hda-core", "gpu_bind=0" }, { "snd-hda-codec-hdmi", "enable_acomp=n" } };
	_cleanup_free_ char *head = strdupf(header, "Isolating the GPU"), *text = NULL;
	int k = 0;

	if (!rq->hdmi_audio_host)
		return 0;
	if (!head || !(text = strdup(t->hdmi_modprobe ? t->hdmi_modprobe : "")))
		return -ENOMEM;
	for (size_t i = 0; i < ARRAY_SIZE(o) && k >= 0; i++) {
		struct cmdline_edits e = { 0 };
		char *next = NULL, *problem = NULL;
		k = cmdline_edits_add(&e, CMDLINE_SET, o[i].opt);
		if (k >= 0)
			k = modprobe_options_edit(text, head, o[i].module, &e, &next, &problem);
		cmdline_edits_clear(&e);
		free(problem);
		if (k >= 0) {
			free(text);
			text = next;
		}
	}
	if (k < 0)
		return k == -EINVAL ? strv_push(&out->manual, "HDMI audio on the host: put \"options snd-hda-core "
							      "gpu_bind=0\" and \"options snd-hda-codec-hdmi "
							      "enable_acomp=n\" in /" VM_HDMI_MODPROBE) :
				      -ENOMEM;
	if (setup_add_file(out, VM_HDMI_MODPROBE, TAKE_PTR(text)) < 0 ||
	    strv_push(&out->manual, "the HDMI audio options take effect when snd-hda-core loads: at the next boot") < 0)
		return -ENOMEM;
	return 0;
}

int vm_host_plan(const struct vm_request *rq, const struct vm_plan *p, const struct vm_host_texts *t,
		 struct setup_plan *out, struct error *err)
{
	int k;

	*err = (struct error){ 0 };
	if (t->libvirt && !local_uri(rq->uri)) {
		if ((p->shmem_mib || p->audio != VM_AUDIO_NONE || rq->hdmi_audio_host) &&
		    strv_push_take(&out->manual,
				   strdupf("the guest runs on the host of %s: its files (%s%s%s) are made there, by hand or "
					   "with vfiokit vm on that host",
					   rq->uri, p->shmem_mib ? "Looking Glass's " : "",
					   p->audio != VM_AUDIO_NONE ? "qemu.conf user= for audio " : "",
					   rq->hdmi_audio_host ? "the HDMI audio options" : "")) < 0)
			return -ENOMEM;
		return 0;
	}
	if (p->shmem_mib && (k = plan_lg(rq, p, t, out, err)) != 0)
		return k;
	if ((k = plan_audio(rq, p, t, out)) != 0)
		return k;
	return plan_hdmi(rq, t, out);
}
