/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What holds a display device, the facts a single-GPU handover (the
 * article's "Passing the boot GPU to the guest") has to undo first, and the
 * answer to "what is still holding my GPU?":
 *
 *  - processes with one of its DRM nodes open (sys/class/drm/card*,
 *    renderD*: their "dev" numbers, matched against the device number of
 *    each /proc/PID/fd link's target, never by the target's name alone) or
 *    an nvidia node (/dev/nvidiaN by the GPU's "Device Minor" in
 *    /proc/driver/nvidia/gpus/ADDR/information; nvidiactl, nvidia-modeset
 *    and nvidia-uvm hold every GPU of that driver), with the comm and the
 *    systemd unit from /proc/PID/cgroup;
 *  - its framebuffer (sys/class/graphics/fbN/device) and the framebuffer
 *    console bound to a vtconsole (sys/class/vtconsole/vtconN/{name,bind});
 *  - a boot framebuffer (efifb, vesafb, simplefb, simpledrm in /proc/iomem;
 *    the platform device under sys/bus/platform/devices) inside its BARs;
 *  - the display manager (etc/systemd/system/display-manager.service),
 *    when a process of its unit holds the device;
 *  - its driver's module with users (sys/module/M/refcnt, holders/).
 *
 * The device number of a target is its own (lstat in the root) or, in a
 * copy where device nodes cannot live (a fixture, a snapshot), the one
 * udev's /dev/char/MAJ:MIN link to it names. What cannot be read is kept
 * per device in holders_unknown and never taken as "nothing holds it".
 */
#include <ctype.h>
#include <sys/sysmacros.h>

#include "host/host.h"

/* A character device a process may hold: a DRM node or an nvidia node. */
struct holder_node {
	char *name; /* "card0", "renderD128", "nvidia0", "nvidiactl" */
	char *udev; /* root-relative path udev's dev/char link gives, NULL none */
	dev_t devt;
	bool has_devt;
	bool nvidia; /* an nvidia node: matched by its name under /dev */
	size_t dev;  /* index into h->pci; SIZE_MAX: every device of the nvidia driver */
};

struct holders_ctx {
	struct host *h;
	bool *cand; /* per h->pci: a display device or one with a DRM node */
	struct holder_node *nodes;
	size_t nnodes, nodes_alloc;
};

const char *pci_holder_kind_name(enum pci_holder_kind k)
{
	switch (k) {
	case HOLDER_PROCESS:
		return "process";
	case HOLDER_FRAMEBUFFER:
		return "framebuffer";
	case HOLDER_FBCON:
		return "fbcon";
	case HOLDER_BOOT_FRAMEBUFFER:
		return "boot framebuffer";
	case HOLDER_DISPLAY_MANAGER:
		return "display manager";
	case HOLDER_MODULE:
		return "module";
	}
	return "?";
}

void holders_free(struct pci_device *d)
{
	for (size_t i = 0; i < d->nholders; i++) {
		free(d->holders[i].name);
		free(d->holders[i].unit);
		free(d->holders[i].what);
	}
	free(d->holders);
	d->holders = NULL;
	d->nholders = d->holders_alloc = 0;
	strv_clear(&d->holders_unknown);
}

static const char *errstr(int err)
{
	static char buf[160]; /* one message at a time: copied by its caller */

	if (err == -ENOENT || err == -EBADMSG || err == -EFBIG || err == -EISDIR)
		return err == -ENOENT  ? "absent" :
		       err == -EBADMSG ? "it holds a NUL byte" :
		       err == -EFBIG   ? "too large" :
					 "a directory";
	snprintf(buf, sizeof(buf), "cannot read: %s", path_strerror(err));
	return buf;
}

/* Names from the machine (comm, cgroup paths, link targets) may hold any
 * byte: kept raw here, the cli escapes what it prints (shared/escape.h). */
static char *esc(const char *s)
{
	return strdup(s ? s : "?");
}

static int add_holder(struct pci_device *d, enum pci_holder_kind kind, int pid, const char *name, const char *unit,
		      char *what /* taken */)
{
	struct pci_holder *x;

	if (!what)
		return -ENOMEM;
	for (size_t i = 0; i < d->nholders; i++)
		if (d->holders[i].kind == kind && streq(d->holders[i].what, what)) {
			free(what);
			return 0;
		}
	if (GROW(d->holders, d->holders_alloc, d->nholders + 1) < 0) {
		free(what);
		return -ENOMEM;
	}
	x = &d->holders[d->nholders];
	*x = (struct pci_holder){ .kind = kind, .pid = pid, .what = what };
	if (!(x->name = strdup(name ? name : "")) || (unit && !(x->unit = strdup(unit)))) {
		free(x->name);
		free(what);
		return -ENOMEM;
	}
	d->nholders++;
	return 0;
}

/* A fact about d's holders that could not be read; the first reason of
 * each fact is enough. */
static int add_unknown(struct pci_device *d, const char *fact, const char *rel, const char *why)
{
	_cleanup_free_ char *e = esc(rel), *s = NULL;

	if (!e)
		return -ENOMEM;
	for (size_t i = 0; i < d->holders_unknown.n; i++)
		if (startswith(d->holders_unknown.v[i], fact) && d->holders_unknown.v[i][strlen(fact)] == ':')
			return 0;
	s = strdupf("%s: /%s: %s", fact, e, why);
	return s ? strv_push_take(&d->holders_unknown, TAKE_PTR(s)) : -ENOMEM;
}

static int unknown_all(struct holders_ctx *c, const char *fact, const char *rel, int err)
{
	if (err == -ENOMEM)
		return err;
	for (size_t i = 0; i < c->h->npci; i++)
		if (c->cand[i] && add_unknown(&c->h->pci[i], fact, rel, errstr(err)) < 0)
			return -ENOMEM;
	return 0;
}

/* The PCI device a sysfs link leads to: the last PCI address in its target
 * ("../../devices/pci0000:00/0000:00:01.0/drm/card0" -> 00:01.0). */
static ssize_t pci_of_target(const struct host *h, const char *target)
{
	_cleanup_free_ char *copy = strdup(target);
	char *save = NULL, *tok;
	ssize_t found = -1;

	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
		struct pci_addr a;
		const struct pci_device *d;
		if (parse_pci_addr(tok, &a) == 0 && (d = host_find_pci(h, &a)))
			found = d - h->pci;
	}
	return found;
}

static ssize_t pci_of_link(struct holders_ctx *c, const char *rel)
{
	_cleanup_free_ char *target = NULL;
	int k = path_readlink(c->h->root, rel, &target);

	if (k < 0)
		return k;
	return pci_of_target(c->h, target);
}

/* ---------------------------------------------------------------- nodes */

/* udev's link dev/char/MAJ:MIN -> ../dri/card0: the node it names, as a
 * root-relative path ("dev/dri/card0"). */
static int udev_node(struct path_root *r, unsigned maj, unsigned min, char **ret)
{
	_cleanup_free_ char *rel = strdupf("dev/char/%u:%u", maj, min), *resolved = NULL;
	int k;

	*ret = NULL;
	if (!rel)
		return -ENOMEM;
	if (!path_exists(r, rel))
		return 0;
	k = path_resolve(r, rel, &resolved, NULL);
	if (k == -ENOMEM)
		return k;
	if (k == 0)
		*ret = TAKE_PTR(resolved);
	return 0;
}

static int add_node(struct holders_ctx *c, const char *name, bool has_devt, unsigned maj, unsigned min, bool nvidia,
		    size_t dev)
{
	struct holder_node *n;

	if (GROW(c->nodes, c->nodes_alloc, c->nnodes + 1) < 0)
		return -ENOMEM;
	n = &c->nodes[c->nnodes];
	*n = (struct holder_node){ .has_devt = has_devt, .devt = makedev(maj, min), .nvidia = nvidia, .dev = dev };
	if (!(n->name = strdup(name)))
		return -ENOMEM;
	c->nnodes++;
	if (has_devt && udev_node(c->h->root, maj, min, &n->udev) < 0)
		return -ENOMEM;
	return 0;
}

static int load_drm_nodes(struct holders_ctx *c)
{
	struct strv names = { 0 };
	int k = path_list(c->h->root, "sys/class/drm", &names);

	if (k == -ENOENT && !path_exists(c->h->root, "sys/module/drm"))
		return 0; /* no DRM in this kernel */
	if (k < 0)
		return unknown_all(c, "DRM nodes", "sys/class/drm", k);
	for (size_t i = 0; i < names.n && k >= 0; i++) {
		const char *n = names.v[i];
		_cleanup_free_ char *rel = NULL, *devrel = NULL, *dev = NULL;
		unsigned maj, min;
		char end;
		ssize_t p;

		if (!(startswith(n, "card") && !strchr(n, '-')) && !startswith(n, "renderD"))
			continue;
		if (!(rel = strdupf("sys/class/drm/%s", n)) || !(devrel = strdupf("%s/dev", rel))) {
			k = -ENOMEM;
			break;
		}
		p = pci_of_link(c, rel);
		if (p == -ENOMEM) {
			k = -ENOMEM;
			break;
		}
		if (p < 0)
			continue; /* not a PCI device's (vgem, a USB display) */
		c->cand[p] = true;
		k = path_read_string(c->h->root, devrel, &dev);
		if (k == 0 && sscanf(dev, "%u:%u%c", &maj, &min, &end) != 2)
			k = -EBADMSG;
		if (k < 0) {
			k = k == -ENOMEM ? k :
					   add_unknown(&c->h->pci[p], "processes", devrel,
						       k == -EBADMSG && dev ? "not MAJOR:MINOR" : errstr(k));
			continue;
		}
		k = add_node(c, n, true, maj, min, false, (size_t)p);
	}
	strv_clear(&names);
	return k < 0 ? k : 0;
}

/* nvidia's proprietary driver makes no sysfs class for its nodes: the GPU
 * behind /dev/nvidiaN says "Device Minor: N" in its information file. */
static int load_nvidia_nodes(struct holders_ctx *c)
{
	bool any = false;
	int k;

	for (size_t i = 0; i < c->h->npci; i++) {
		struct pci_device *d = &c->h->pci[i];
		_cleanup_free_ char *rel = NULL, *text = NULL, *name = NULL;
		const char *m;
		unsigned minor;

		if (!streq_ptr(d->driver, "nvidia"))
			continue;
		any = c->cand[i] = true;
		if (!(rel = strdupf("proc/driver/nvidia/gpus/%s/information", d->name)))
			return -ENOMEM;
		k = path_read_file(c->h->root, rel, 65536, &text, NULL);
		if (k == 0 && (!(m = strstr(text, "Device Minor:")) || sscanf(m, "Device Minor: %u", &minor) != 1))
			k = -EBADMSG;
		if (k < 0) {
			if (k == -ENOMEM || add_unknown(d, "processes", rel,
							k == -EBADMSG && text ? "no Device Minor line" : errstr(k)) < 0)
				return -ENOMEM;
			continue;
		}
		if (!(name = strdupf("nvidia%u", minor)) || add_node(c, name, false, 0, 0, true, i) < 0)
			return -ENOMEM;
	}
	if (!any)
		return 0;
	/* The control nodes serve every GPU of the driver. */
	if (add_node(c, "nvidiactl", false, 0, 0, true, SIZE_MAX) < 0 ||
	    add_node(c, "nvidia-modeset", false, 0, 0, true, SIZE_MAX) < 0 ||
	    add_node(c, "nvidia-uvm", false, 0, 0, true, SIZE_MAX) < 0)
		return -ENOMEM;
	return 0;
}

/* ------------------------------------------------------------ processes */

/* The systemd unit of a process, from its cgroup v2 line ("0::/system.slice/
 * gdm.service") or v1's name=systemd hierarchy: the last path component
 * that is a service or a scope. NULL when there is none. */
static char *cgroup_unit(const char *text)
{
	const char *line = NULL;

	for (const char *p = text; p && *p;) {
		const char *nl = strchr(p, '\n');
		if (startswith(p, "0::/") ||
		    (strstr(p, ":name=systemd:/") && (!nl || strstr(p, ":name=systemd:/") < nl))) {
			line = strchr(strchr(p, ':') + 1, ':') + 1;
			if (startswith(p, "0::/"))
				break;
		}
		p = nl ? nl + 1 : NULL;
	}
	if (!line)
		return NULL;
	size_t len = strcspn(line, "\n");
	_cleanup_free_ char *path = strndup(line, len);
	if (!path)
		return NULL;
	for (char *slash; (slash = strrchr(path, '/'));) {
		if (endswith(slash + 1, ".service") || endswith(slash + 1, ".scope"))
			return strdup(slash + 1);
		*slash = '\0';
	}
	return NULL;
}

static int add_process(struct holders_ctx *c, size_t dev, const char *pid, const char *target)
{
	struct pci_device *d = &c->h->pci[dev];
	_cleanup_free_ char *rel = strdupf("proc/%s/comm", pid), *comm = NULL, *cg = NULL, *unit = NULL;
	_cleanup_free_ char *ecomm = NULL, *eunit = NULL, *etarget = NULL;
	long p = strtol(pid, NULL, 10);

	if (!rel)
		return -ENOMEM;
	if (path_read_string(c->h->root, rel, &comm) == -ENOMEM)
		return -ENOMEM;
	free(rel);
	if (!(rel = strdupf("proc/%s/cgroup", pid)))
		return -ENOMEM;
	if (path_read_file(c->h->root, rel, 65536, &cg, NULL) == -ENOMEM)
		return -ENOMEM;
	unit = cg ? cgroup_unit(cg) : NULL;
	if (!(ecomm = esc(comm)) || !(eunit = esc(unit ? unit : "no unit")) || !(etarget = esc(target)))
		return -ENOMEM;
	for (size_t i = 0; i < d->nholders; i++)
		if (d->holders[i].kind == HOLDER_PROCESS && d->holders[i].pid == p)
			return 0; /* one line per process, whichever node it holds */
	return add_holder(d, HOLDER_PROCESS, (int)p, comm, unit,
			  strdupf("pid %ld (%s, %s) has %s open", p, ecomm, eunit, etarget));
}

/* A snapshot keeps, of the processes, only what names a holder: its fd
 * link, comm and cgroup, never the other files processes have open (their
 * names are the users' business). */
static int note_process(struct holders_ctx *c, const char *pid, const char *fdrel)
{
	_cleanup_free_ char *comm = strdupf("proc/%s/comm", pid), *cg = strdupf("proc/%s/cgroup", pid);

	if (!comm || !cg)
		return -ENOMEM;
	path_trace_note(c->h->root, PATH_TRACE_LINK, fdrel);
	path_trace_note(c->h->root, PATH_TRACE_FILE, comm);
	path_trace_note(c->h->root, PATH_TRACE_FILE, cg);
	return 0;
}

/* Which nodes an fd link's target is: by its device number, or for a copy
 * by the node udev's dev/char link names; nvidia nodes by their name. */
static int match_target(struct holders_ctx *c, const char *pid, const char *target, bool *held)
{
	struct stat st;
	bool chr = path_lstat(c->h->root, target, &st) == 0 && S_ISCHR(st.st_mode);
	const char *base = strrchr(target, '/') + 1;
	bool matched = false;

	for (size_t i = 0; i < c->nnodes; i++) {
		const struct holder_node *n = &c->nodes[i];
		bool hit;

		if (n->nvidia)
			hit = startswith(target, "/dev/") && streq(base, n->name);
		else if (chr)
			hit = n->has_devt && st.st_rdev == n->devt;
		else
			hit = n->udev && streq(target + 1, n->udev);
		if (!hit)
			continue;
		matched = *held = true;
		for (size_t j = 0; j < c->h->npci; j++)
			if ((n->dev == j || (n->dev == SIZE_MAX && streq_ptr(c->h->pci[j].driver, "nvidia"))) &&
			    add_process(c, j, pid, target) < 0)
				return -ENOMEM;
	}
	/* A DRM node whose number could not be told: whose it is is unknown. */
	if (!matched && !chr && startswith(target, "/dev/dri/")) {
		_cleanup_free_ char *why =
			strdupf("pid %s has /dev/dri/%s open, a node whose device number cannot be read", pid, base);
		_cleanup_free_ char *e = why ? esc(why) : NULL;
		if (!e)
			return -ENOMEM;
		for (size_t j = 0; j < c->h->npci; j++)
			if (c->cand[j] && add_unknown(&c->h->pci[j], "processes", target + 1, e) < 0)
				return -ENOMEM;
	}
	return 0;
}

static int load_processes(struct holders_ctx *c)
{
	bool tracing = path_trace_enabled(c->h->root);
	struct strv pids = { 0 };
	int k;

	if (c->nnodes == 0)
		return 0;
	k = path_list(c->h->root, "proc", &pids);
	if (k < 0)
		return unknown_all(c, "processes", "proc", k);
	/* Traced only for what holds a device (note_process). */
	path_trace_enable(c->h->root, false);
	for (size_t i = 0; i < pids.n && k >= 0; i++) {
		const char *pid = pids.v[i];
		struct strv fds = { 0 };
		_cleanup_free_ char *rel = NULL;

		if (!*pid || strspn(pid, "0123456789") != strlen(pid))
			continue;
		if (!(rel = strdupf("proc/%s/fd", pid))) {
			k = -ENOMEM;
			break;
		}
		k = path_list(c->h->root, rel, &fds);
		if (k == -ENOENT) { /* it exited meanwhile */
			k = 0;
			continue;
		}
		if (k < 0) {
			k = unknown_all(c, "processes", rel, k);
			continue;
		}
		for (size_t f = 0; f < fds.n && k >= 0; f++) {
			_cleanup_free_ char *frel = strdupf("%s/%s", rel, fds.v[f]), *target = NULL;
			if (!frel) {
				k = -ENOMEM;
				break;
			}
			k = path_readlink(c->h->root, frel, &target);
			if (k == -ENOMEM)
				break;
			k = 0;
			if (target && startswith(target, "/dev/") && !strstr(target, "/../")) {
				bool held = false;
				k = match_target(c, pid, target, &held);
				if (k >= 0 && held) {
					path_trace_enable(c->h->root, tracing);
					k = note_process(c, pid, frel);
					path_trace_enable(c->h->root, false);
				}
			}
		}
		strv_clear(&fds);
	}
	path_trace_enable(c->h->root, tracing);
	strv_clear(&pids);
	return k < 0 ? k : 0;
}

/* ------------------------------------------------- framebuffers, consoles */

static int load_framebuffers(struct holders_ctx *c, bool *has_fb)
{
	_cleanup_free_ char *procfb = NULL;
	struct strv names = { 0 };
	int k = path_list(c->h->root, "sys/class/graphics", &names);

	if (k == -ENOENT)
		return 0; /* no framebuffer device */
	if (k < 0)
		return unknown_all(c, "framebuffers", "sys/class/graphics", k);
	(void)path_read_file(c->h->root, "proc/fb", 65536, &procfb, NULL);
	for (size_t i = 0; i < names.n && k >= 0; i++) {
		_cleanup_free_ char *rel = NULL, *what = NULL;
		unsigned idx;
		char end;
		ssize_t p;

		if (sscanf(names.v[i], "fb%u%c", &idx, &end) != 1)
			continue;
		if (!(rel = strdupf("sys/class/graphics/%s", names.v[i]))) {
			k = -ENOMEM;
			break;
		}
		p = pci_of_link(c, rel);
		if (p == -ENOMEM)
			k = -ENOMEM;
		if (p < 0)
			continue; /* a platform framebuffer: the boot framebuffer's part */
		has_fb[p] = true;
		k = add_holder(&c->h->pci[p], HOLDER_FRAMEBUFFER, 0, names.v[i], NULL,
			       strdupf("framebuffer %s", names.v[i]));
	}
	strv_clear(&names);
	return k < 0 ? k : 0;
}

/* sys/class/vtconsole/vtconN whose name says "frame buffer device" and
 * whose bind is 1 (Documentation/driver-api/console.rst). *ret: its name
 * ("vtcon1"), NULL when none is bound. */
static int fbcon_bound(struct holders_ctx *c, char **ret, char **unknown_rel, int *unknown_err)
{
	struct strv names = { 0 };
	int k = path_list(c->h->root, "sys/class/vtconsole", &names);

	*ret = NULL;
	if (k == -ENOENT)
		return 0; /* a kernel without virtual terminals */
	if (k < 0) {
		*unknown_rel = strdup("sys/class/vtconsole");
		*unknown_err = k;
		return *unknown_rel ? 0 : -ENOMEM;
	}
	for (size_t i = 0; i < names.n && !*ret; i++) {
		_cleanup_free_ char *nrel = strdupf("sys/class/vtconsole/%s/name", names.v[i]);
		_cleanup_free_ char *brel = strdupf("sys/class/vtconsole/%s/bind", names.v[i]);
		_cleanup_free_ char *name = NULL, *bind = NULL;

		if (!nrel || !brel) {
			k = -ENOMEM;
			break;
		}
		if ((k = path_read_string(c->h->root, nrel, &name)) < 0 ||
		    (strstr(name, "frame buffer") && (k = path_read_string(c->h->root, brel, &bind)) < 0)) {
			if (k == -ENOMEM)
				break;
			if (!*unknown_rel) {
				*unknown_rel = name ? TAKE_PTR(brel) : TAKE_PTR(nrel);
				*unknown_err = k;
			}
			k = 0;
			continue;
		}
		if (bind && streq(bind, "1") && !(*ret = strdup(names.v[i])))
			k = -ENOMEM;
	}
	strv_clear(&names);
	return k < 0 ? k : 0;
}

/* The platform device of a boot framebuffer ("efi-framebuffer.0") and its
 * driver ("efi-framebuffer", NULL none); *dev NULL when sysfs shows none. */
static int boot_fb_device(struct holders_ctx *c, char **dev, char **driver)
{
	struct strv names = { 0 };
	int k = path_list(c->h->root, "sys/bus/platform/devices", &names);

	*dev = *driver = NULL;
	for (size_t i = 0; k >= 0 && i < names.n && !*dev; i++) {
		_cleanup_free_ char *rel = NULL, *drv = NULL;
		if (!strstr(names.v[i], "framebuffer"))
			continue;
		if (!(rel = strdupf("sys/bus/platform/devices/%s/driver", names.v[i])))
			k = -ENOMEM;
		else if (path_readlink(c->h->root, rel, &drv) == -ENOMEM)
			k = -ENOMEM;
		else if (!(*dev = strdup(names.v[i])) ||
			 (drv && !(*driver = strdup(strrchr(drv, '/') ? strrchr(drv, '/') + 1 : drv))))
			k = -ENOMEM;
	}
	strv_clear(&names);
	return k == -ENOMEM ? k : 0;
}

int host_handover_state(struct host *h, const struct pci_device *d, char **ret)
{
	_cleanup_free_ char *rel = strdupf(HANDOVER_STATE_DIR "/%s", d->name);

	*ret = NULL;
	return rel ? path_read_file(h->root, rel, 65536, ret, NULL) : -ENOMEM;
}

/* /proc/iomem as a user who may not see addresses (kernel/resource.c
 * shows every range as 0-0 then): no range can be matched. */
static bool iomem_hidden(const char *text)
{
	bool any = false;

	for (const char *p = text; p && *p;) {
		const char *nl = strchr(p, '\n');
		p += strspn(p, " ");
		if (*p && *p != '\n') {
			size_t z = strspn(p, "0");
			if (z == 0 || p[z] != '-' || strspn(p + z + 1, "0") != z || p[2 * z + 1] != ' ')
				return false;
			any = true;
		}
		p = nl ? nl + 1 : NULL;
	}
	return any;
}

static int load_boot_framebuffers(struct holders_ctx *c, bool *has_fb)
{
	_cleanup_free_ char *iomem = NULL, *platform = NULL, *pdriver = NULL, *ep = NULL;
	_cleanup_free_ struct mem_range *fbs = NULL;
	size_t nfb = 0;
	int k = path_read_file(c->h->root, "proc/iomem", 1u << 20, &iomem, NULL);

	if (k < 0)
		return unknown_all(c, "boot framebuffer", "proc/iomem", k);
	if (iomem_hidden(iomem)) {
		for (size_t i = 0; i < c->h->npci; i++)
			if (c->cand[i] && add_unknown(&c->h->pci[i], "boot framebuffer", "proc/iomem",
						      "its addresses are hidden (read as root)") < 0)
				return -ENOMEM;
		return 0;
	}
	if (iomem_framebuffers(iomem, &fbs, &nfb) < 0 || boot_fb_device(c, &platform, &pdriver) < 0)
		return -ENOMEM;
	if (nfb == 0)
		return 0;
	if (platform && !(ep = strdupf("%s (%s)", platform, pdriver ? pdriver : "no driver")))
		return -ENOMEM;
	for (size_t i = 0; i < c->h->npci; i++) {
		struct pci_device *d = &c->h->pci[i];
		_cleanup_free_ char *rel = NULL, *text = NULL;
		_cleanup_free_ struct mem_range *bars = NULL;
		size_t nbars = 0;

		if (!c->cand[i])
			continue;
		if (!(rel = strdupf("sys/bus/pci/devices/%s/resource", d->name)))
			return -ENOMEM;
		if ((k = path_read_file(c->h->root, rel, 65536, &text, NULL)) < 0) {
			if (k == -ENOMEM || add_unknown(d, "boot framebuffer", rel, errstr(k)) < 0)
				return -ENOMEM;
			continue;
		}
		if (pci_resource_parse(text, &bars, &nbars) < 0)
			return -ENOMEM;
		for (size_t b = 0; b < nbars; b++)
			for (size_t f = 0; f < nfb; f++) {
				if (!mem_ranges_overlap(&bars[b], &fbs[f]))
					continue;
				has_fb[i] = true;
				if (add_holder(d, HOLDER_BOOT_FRAMEBUFFER, 0, platform, pdriver,
					       ep ? strdupf("boot framebuffer %s at 0x%llx", ep,
							    (unsigned long long)fbs[f].start) :
						    strdupf("boot framebuffer at 0x%llx",
							    (unsigned long long)fbs[f].start)) < 0)
					return -ENOMEM;
			}
	}
	return 0;
}

static int load_fbcon(struct holders_ctx *c, const bool *has_fb)
{
	_cleanup_free_ char *vtcon = NULL, *urel = NULL;
	int uerr = 0;

	if (fbcon_bound(c, &vtcon, &urel, &uerr) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < c->h->npci; i++) {
		if (!has_fb[i])
			continue;
		if (vtcon) {
			if (add_holder(&c->h->pci[i], HOLDER_FBCON, 0, vtcon, NULL,
				       strdupf("fbcon bound to %s", vtcon)) < 0)
				return -ENOMEM;
		} else if (urel && add_unknown(&c->h->pci[i], "fbcon", urel, errstr(uerr)) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* ------------------------------------------------ display manager, modules */

static int load_display_manager(struct holders_ctx *c)
{
	struct host *h = c->h;
	_cleanup_free_ char *target = NULL;
	int k = path_readlink(h->root, "etc/systemd/system/display-manager.service", &target);

	if (k == -ENOENT)
		return 0; /* no display manager: nothing to stop */
	if (k < 0) {
		if (k == -ENOMEM)
			return k;
		h->display_manager_unknown = strdupf("/etc/systemd/system/display-manager.service: %s", errstr(k));
		if (!h->display_manager_unknown)
			return -ENOMEM;
		for (size_t i = 0; i < h->npci; i++)
			if (c->cand[i] && add_unknown(&h->pci[i], "display manager",
						      "etc/systemd/system/display-manager.service", errstr(k)) < 0)
				return -ENOMEM;
		return 0;
	}
	if (!(h->display_manager = strdup(strrchr(target, '/') ? strrchr(target, '/') + 1 : target)))
		return -ENOMEM;
	for (size_t i = 0; i < h->npci; i++) {
		struct pci_device *d = &h->pci[i];
		size_t n = d->nholders;
		for (size_t j = 0; j < n; j++) {
			_cleanup_free_ char *e = NULL;
			if (d->holders[j].kind != HOLDER_PROCESS || !streq_ptr(d->holders[j].unit, h->display_manager))
				continue;
			if (!(e = esc(h->display_manager)) ||
			    add_holder(d, HOLDER_DISPLAY_MANAGER, 0, h->display_manager, NULL,
				       strdupf("display manager %s", e)) < 0)
				return -ENOMEM;
			break;
		}
	}
	return 0;
}

static int load_modules(struct holders_ctx *c)
{
	for (size_t i = 0; i < c->h->npci; i++) {
		struct pci_device *d = &c->h->pci[i];
		_cleanup_free_ char *rel = NULL, *link = NULL, *crel = NULL, *hrel = NULL, *cnt = NULL, *users = NULL;
		struct strv holders = { 0 };
		const char *mod;
		long n;
		int k;

		if (!c->cand[i] || !d->driver)
			continue;
		if (!(rel = strdupf("sys/bus/pci/drivers/%s/module", d->driver)))
			return -ENOMEM;
		k = path_readlink(c->h->root, rel, &link);
		if (k == -ENOENT)
			continue; /* built into the kernel */
		if (k < 0) {
			if (k == -ENOMEM || add_unknown(d, "module", rel, errstr(k)) < 0)
				return -ENOMEM;
			continue;
		}
		mod = strrchr(link, '/') ? strrchr(link, '/') + 1 : link;
		if (!(crel = strdupf("sys/module/%s/refcnt", mod)) || !(hrel = strdupf("sys/module/%s/holders", mod)))
			return -ENOMEM;
		k = path_read_string(c->h->root, crel, &cnt);
		if (k == 0 && (parse_int(cnt, 0, INT32_MAX, &n) < 0))
			k = -EBADMSG;
		if (k < 0) {
			if (k == -ENOMEM ||
			    add_unknown(d, "module", crel, k == -EBADMSG && cnt ? "not a count" : errstr(k)) < 0)
				return -ENOMEM;
			continue;
		}
		if ((k = path_list(c->h->root, hrel, &holders)) < 0 && k != -ENOENT) {
			if (k == -ENOMEM || add_unknown(d, "module", hrel, errstr(k)) < 0)
				return -ENOMEM;
			continue;
		}
		if (n == 0 && holders.n == 0)
			continue;
		users = strv_join(&holders, ", ");
		_cleanup_free_ char *emod = users ? esc(mod) : NULL, *eusers = emod ? esc(users) : NULL;
		strv_clear(&holders);
		if (!eusers)
			return -ENOMEM;
		if (add_holder(d, HOLDER_MODULE, 0, mod, NULL,
			       *eusers ? strdupf("module %s: %ld users, used by %s", emod, n, eusers) :
					 strdupf("module %s: %ld users", emod, n)) < 0)
			return -ENOMEM;
	}
	return 0;
}

int holders_load(struct host *h)
{
	struct holders_ctx c = { .h = h };
	_cleanup_free_ bool *has_fb = NULL;
	int k;

	if (h->npci == 0)
		return 0;
	c.cand = calloc(h->npci, sizeof(bool));
	has_fb = calloc(h->npci, sizeof(bool));
	if (!c.cand || !has_fb) {
		free(c.cand);
		return -ENOMEM;
	}
	for (size_t i = 0; i < h->npci; i++)
		c.cand[i] = pci_is_display(&h->pci[i]) && !pci_is_bridge_role(h->pci[i].role);
	if ((k = load_drm_nodes(&c)) >= 0 && (k = load_nvidia_nodes(&c)) >= 0 && (k = load_processes(&c)) >= 0 &&
	    (k = load_framebuffers(&c, has_fb)) >= 0 && (k = load_boot_framebuffers(&c, has_fb)) >= 0 &&
	    (k = load_fbcon(&c, has_fb)) >= 0 && (k = load_display_manager(&c)) >= 0)
		k = load_modules(&c);
	for (size_t i = 0; i < c.nnodes; i++) {
		free(c.nodes[i].name);
		free(c.nodes[i].udev);
	}
	free(c.nodes);
	free(c.cand);
	return k < 0 ? k : 0;
}
