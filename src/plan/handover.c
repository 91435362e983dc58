/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The steps of a single-GPU handover, in the order the community hook
 * scripts and the article's "Passing the boot GPU to the guest" take them:
 * stop the display manager when it holds the device, unbind fbcon from the
 * vtconsoles, release the boot framebuffer on the device's BARs, unload
 * nvidia's modules that keep the driver busy (the other drivers are
 * unbound by bind's own steps), then bind's plan of the group. The state
 * file is written first, so that `give` and a rollback know every step.
 *
 * The boot framebuffer (efifb on OVMF) cannot always come back: once
 * vfio-pci binds a VGA device, the kernel (6.0 and later: the aperture
 * helpers' sysfb_disable()) removes the boot framebuffer's platform device
 * until the next boot, and fbcon's vtconsole with the last framebuffer. For
 * a device that had no driver, give and a rollback after vfio-pci had it
 * then load and probe the driver its modalias matches (bochs for QEMU's std
 * VGA), whose framebuffer fbcon takes over; for a device with a driver,
 * that driver comes back by itself and shows the console.
 */
#include <ctype.h>

#include "plan/handover.h"

#define STATE_MAGIC "vfiokit handover 1\n"

/* nvidia's stack in the order it unloads (each holds the next). */
static const char *const nvidia_users[] = { "nvidia_drm", "nvidia_modeset", "nvidia_uvm" };

void handover_plan_clear(struct handover_plan *p)
{
	for (size_t i = 0; i < p->nsteps; i++) {
		struct handover_step *s = &p->steps[i];
		free(s->name);
		free(s->path);
		free(s->value);
		free(s->undo_path);
		free(s->undo_value);
		free(s->fallback);
	}
	free(p->steps);
	bind_plan_clear(&p->bind);
	strv_clear(&p->blockers);
	strv_clear(&p->notes);
	*p = (struct handover_plan){ 0 };
}

static int add_step(struct handover_plan *p, enum handover_step_kind kind, const char *name, const char *path,
		    const char *value, const char *undo_path, const char *undo_value)
{
	struct handover_step *s;

	if (GROW(p->steps, p->steps_alloc, p->nsteps + 1) < 0)
		return -ENOMEM;
	s = &p->steps[p->nsteps];
	*s = (struct handover_step){ .kind = kind };
	p->nsteps++;
	if ((name && !(s->name = strdup(name))) || (path && !(s->path = strdup(path))) ||
	    (value && !(s->value = strdup(value))) || (undo_path && !(s->undo_path = strdup(undo_path))) ||
	    (undo_value && !(s->undo_value = strdup(undo_value))))
		return -ENOMEM;
	return 0;
}

/* The module of the driver d's modalias matches, other than VFIO's own and
 * pci-stub (bochs for QEMU's std VGA); NULL when none. */
static const char *modalias_module(const struct pci_device *d)
{
	for (size_t i = 0; i < d->modules.n; i++)
		if (!startswith(d->modules.v[i], "vfio") && !streq(d->modules.v[i], "pci_stub"))
			return d->modules.v[i];
	return NULL;
}

static bool module_loaded(const struct host *h, const char *m)
{
	for (size_t i = 0; i < h->kernel.loaded.n; i++)
		if (streq(h->kernel.loaded.v[i], m))
			return true;
	return false;
}

static int find_device(struct host *h, const char *target, size_t *dev, struct error *err)
{
	struct pci_addr a;
	const struct pci_device *d;

	if (parse_pci_addr(target, &a) < 0) {
		return error_set(err, -EINVAL, ERROR_USAGE, "'%s' is not a PCI address like 0000:01:00.0 or 01:00.0",
				 target);
	}
	if (!(d = host_find_pci(h, &a))) {
		return error_set(err, -ENOENT, ERROR_FAILED, "no PCI device %s ('vfiokit groups' lists them)", target);
	}
	*dev = (size_t)(d - h->pci);
	return 0;
}

/* The holders take stops (the display manager), unbinds, releases or
 * unloads; any other process, and any fact not read, blocks it. */
static int judge_holders(struct host *h, struct handover_plan *p)
{
	const struct pci_device *d = &h->pci[p->dev];
	bool dm = false;

	for (size_t i = 0; i < d->nholders; i++)
		dm |= d->holders[i].kind == HOLDER_DISPLAY_MANAGER;
	for (size_t i = 0; i < d->nholders; i++) {
		const struct pci_holder *x = &d->holders[i];
		if (x->kind != HOLDER_PROCESS || (dm && streq_ptr(x->unit, h->display_manager)))
			continue;
		if (strv_push_take(&p->blockers, strdupf("%s: %s, which take does not stop", d->name, x->what)) < 0)
			return -ENOMEM;
	}
	for (size_t i = 0; i < d->holders_unknown.n; i++)
		if (strv_push_take(&p->blockers,
				   strdupf("%s: cannot tell what holds it: %s", d->name, d->holders_unknown.v[i])) < 0)
			return -ENOMEM;
	return 0;
}

static int append_state(char **state, const char *key, const char *value)
{
	char *n = strdupf("%s%s=%s\n", *state, key, value);

	if (!n)
		return -ENOMEM;
	free(*state);
	*state = n;
	return 0;
}

int handover_plan_take(struct host *h, const char *target, const char *state, struct handover_plan *p,
		       struct error *err)
{
	const struct pci_device *d;
	_cleanup_free_ char *text = NULL, *srel = NULL;
	struct bind_options bo = { .driver = BIND_DRIVER_DEFAULT };
	char *targets[] = { (char *)target };
	int k;

	*p = (struct handover_plan){ 0 };
	*err = (struct error){ 0 };
	if ((k = find_device(h, target, &p->dev, err)) != 0)
		return k;
	d = &h->pci[p->dev];
	if (state) {
		return error_set(err, -EALREADY, ERROR_FAILED,
				 "%s is already taken ('vfiokit handover give %s' gives it back)", d->name, d->name);
	}
	p->display = pci_is_display(d) && !pci_is_bridge_role(d->role);
	if ((k = bind_plan_make(h, targets, 1, &bo, &p->bind, err)) != 0)
		return k;
	if (!p->display &&
	    strv_push_take(&p->notes, strdupf("%s is not a display device: take binds its IOMMU group to vfio-pci as "
					      "'vfiokit bind' does, and records it for 'vfiokit handover give'",
					      d->name)) < 0)
		return -ENOMEM;
	if ((k = judge_holders(h, p)) < 0)
		return k;

	if (!(text = strdupf(STATE_MAGIC "device=%s\n", d->name)) ||
	    !(srel = strdupf(HANDOVER_STATE_DIR "/%s", d->name)))
		return -ENOMEM;
	/* Every step of take is in the state, in order, before any runs. */
	for (size_t i = 0; i < d->nholders; i++)
		if (d->holders[i].kind == HOLDER_DISPLAY_MANAGER && append_state(&text, "unit", d->holders[i].name) < 0)
			return -ENOMEM;
	for (size_t i = 0; i < d->nholders; i++)
		if (d->holders[i].kind == HOLDER_FBCON && append_state(&text, "vtcon", d->holders[i].name) < 0)
			return -ENOMEM;
	for (size_t i = 0; i < d->nholders; i++) {
		_cleanup_free_ char *v = NULL;
		if (d->holders[i].kind != HOLDER_BOOT_FRAMEBUFFER || !d->holders[i].unit || !*d->holders[i].name)
			continue;
		if (!(v = strdupf("%s %s", d->holders[i].name, d->holders[i].unit)) ||
		    append_state(&text, "bootfb", v) < 0)
			return -ENOMEM;
	}
	if (streq_ptr(d->driver, "nvidia"))
		for (size_t i = 0; i < ARRAY_SIZE(nvidia_users); i++)
			if (module_loaded(h, nvidia_users[i]) && append_state(&text, "module", nvidia_users[i]) < 0)
				return -ENOMEM;
	if (add_step(p, HANDOVER_SAVE_STATE, NULL, srel, text, NULL, NULL) < 0)
		return -ENOMEM;

	/* The display manager first (it lets go of the VT), then fbcon, then
	 * the boot framebuffer under it. */
	for (size_t i = 0; i < d->nholders; i++)
		if (d->holders[i].kind == HOLDER_DISPLAY_MANAGER &&
		    add_step(p, HANDOVER_STOP_UNIT, d->holders[i].name, NULL, NULL, NULL, NULL) < 0)
			return -ENOMEM;
	for (size_t i = 0; i < d->nholders; i++) {
		_cleanup_free_ char *a = NULL;
		if (d->holders[i].kind != HOLDER_FBCON)
			continue;
		if (!(a = strdupf("sys/class/vtconsole/%s/bind", d->holders[i].name)) ||
		    add_step(p, HANDOVER_WRITE, NULL, a, "0", a, "1") < 0)
			return -ENOMEM;
	}
	/* If the kernel removes the boot framebuffer while vfio-pci has a
	 * device that had no driver, a rollback brings the driver its modalias
	 * matches instead (one that had a driver gets it back from bind). */
	for (size_t i = 0; i < d->nholders; i++) {
		const struct pci_holder *x = &d->holders[i];
		const char *fallback = d->driver ? NULL : modalias_module(d);
		_cleanup_free_ char *a = NULL, *b = NULL;
		if (x->kind != HOLDER_BOOT_FRAMEBUFFER || !x->unit || !*x->name)
			continue; /* no platform driver bound: nothing to release */
		if (!(a = strdupf("sys/bus/platform/drivers/%s/unbind", x->unit)) ||
		    !(b = strdupf("sys/bus/platform/drivers/%s/bind", x->unit)) ||
		    add_step(p, HANDOVER_RELEASE_FB, NULL, a, x->name, b, x->name) < 0 ||
		    (fallback && !(p->steps[p->nsteps - 1].fallback = strdup(fallback))))
			return -ENOMEM;
	}
	if (streq_ptr(d->driver, "nvidia"))
		for (size_t i = 0; i < ARRAY_SIZE(nvidia_users); i++)
			if (module_loaded(h, nvidia_users[i]) &&
			    add_step(p, HANDOVER_UNLOAD, nvidia_users[i], NULL, NULL, NULL, NULL) < 0)
				return -ENOMEM;
	return add_step(p, HANDOVER_BIND, NULL, NULL, NULL, NULL, NULL);
}

/* A state line's value, checked: what give runs must be what take wrote,
 * not whatever a changed file says. */
static bool state_value_ok(const char *key, const char *v)
{
	if (!*v)
		return false;
	if (streq(key, "unit"))
		return endswith(v, ".service") &&
		       strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:-_.@\\") == strlen(v);
	if (streq(key, "vtcon")) {
		unsigned n;
		char end;
		return sscanf(v, "vtcon%u%c", &n, &end) == 1;
	}
	if (streq(key, "module"))
		return strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789_-") == strlen(v);
	if (streq(key, "bootfb")) { /* "efi-framebuffer.0 efi-framebuffer" */
		size_t dev = strcspn(v, " ");
		return strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789_-. ") == strlen(v) && dev > 0 && v[dev] &&
		       v[dev + 1] && !strchr(v + dev + 1, ' ') && !strstr(v, "..");
	}
	return streq(key, "device");
}

int handover_plan_give(struct host *h, const char *target, const char *state, struct handover_plan *p,
		       struct error *err)
{
	const struct pci_device *d;
	struct bind_options bo = { .driver = BIND_DRIVER_DEFAULT };
	char *targets[] = { (char *)target };
	_cleanup_free_ char *copy = NULL, *srel = NULL;
	struct strv units = { 0 }, vtcons = { 0 }, modules = { 0 }, bootfbs = { 0 };
	bool driverless;
	char *save = NULL, *line;
	size_t no = 1;
	int k;

	*p = (struct handover_plan){ .give = true };
	*err = (struct error){ 0 };
	if ((k = find_device(h, target, &p->dev, err)) != 0)
		return k;
	d = &h->pci[p->dev];
	p->display = pci_is_display(d) && !pci_is_bridge_role(d->role);
	/* bind's record says the device had no driver before take: the boot
	 * framebuffer was its console. */
	driverless = d->bound && d->bound->driver && !*d->bound->driver;
	if (!state) {
		return error_set(err, -ENODATA, ERROR_FAILED,
				 "%s was not taken by 'vfiokit handover take' (no /%s/%s); 'vfiokit unbind' gives back "
				 "what 'vfiokit bind' took",
				 d->name, HANDOVER_STATE_DIR, d->name);
	}
	if (!startswith(state, STATE_MAGIC)) {
		return error_set(err, -EBADMSG, ERROR_FAILED, "/%s/%s: line 1 is not '%.*s'", HANDOVER_STATE_DIR,
				 d->name, (int)strlen(STATE_MAGIC) - 1, STATE_MAGIC);
	}
	if (!(copy = strdup(state + strlen(STATE_MAGIC))) || !(srel = strdupf(HANDOVER_STATE_DIR "/%s", d->name)))
		return -ENOMEM;
	k = 0;
	for (line = strtok_r(copy, "\n", &save); line && k >= 0; line = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(line, '=');
		no++;
		if (!eq || (*eq = '\0', !state_value_ok(line, eq + 1)) ||
		    (streq(line, "device") && !streq(eq + 1, d->name))) {
			k = error_set(err, -EBADMSG, ERROR_FAILED,
				      "/%s: line %zu is not as 'vfiokit handover take' writes it", srel, no);
			break;
		}
		if (streq(line, "unit"))
			k = strv_push(&units, eq + 1);
		else if (streq(line, "vtcon"))
			k = strv_push(&vtcons, eq + 1);
		else if (streq(line, "module"))
			k = strv_push(&modules, eq + 1);
		else if (streq(line, "bootfb") && driverless)
			k = strv_push(&bootfbs, eq + 1);
		else if (streq(line, "bootfb"))
			k = strv_push_take(&p->notes,
					   strdupf("the boot framebuffer %.*s stays released: %s's own driver "
						   "shows the console now",
						   (int)strcspn(eq + 1, " "), eq + 1, d->name));
	}
	if (k == 0 && (k = unbind_plan_make(h, targets, 1, &bo, &p->bind, err)) == 0) {
		/* The reverse of take: the driver back, then the modules, fbcon, the display manager. */
		k = add_step(p, HANDOVER_BIND, NULL, NULL, NULL, NULL, NULL);
		for (size_t i = modules.n; k >= 0 && i-- > 0;)
			k = add_step(p, HANDOVER_LOAD, modules.v[i], NULL, NULL, NULL, NULL);
		/* The boot framebuffer back (the value is "efi-framebuffer.0
		 * efi-framebuffer", checked), else the device's own driver. */
		for (size_t i = 0; k >= 0 && i < bootfbs.n; i++) {
			const char *fb = bootfbs.v[i], *drv = strchr(fb, ' ') + 1, *fallback = modalias_module(d);
			_cleanup_free_ char *name = strndup(fb, strcspn(fb, " "));
			_cleanup_free_ char *a = strdupf("sys/bus/platform/drivers/%s/bind", drv);
			k = name && a ? add_step(p, HANDOVER_RESTORE_FB, NULL, a, name, NULL, NULL) : -ENOMEM;
			if (k >= 0 && fallback && !(p->steps[p->nsteps - 1].fallback = strdup(fallback)))
				k = -ENOMEM;
		}
		for (size_t i = 0; k >= 0 && i < vtcons.n; i++) {
			_cleanup_free_ char *a = strdupf("sys/class/vtconsole/%s/bind", vtcons.v[i]);
			k = a ? add_step(p, HANDOVER_WRITE, NULL, a, "1", NULL, NULL) : -ENOMEM;
		}
		for (size_t i = 0; k >= 0 && i < units.n; i++)
			k = add_step(p, HANDOVER_START_UNIT, units.v[i], NULL, NULL, NULL, NULL);
		if (k >= 0)
			k = add_step(p, HANDOVER_FORGET, NULL, srel, NULL, NULL, NULL);
	}
	strv_clear(&units);
	strv_clear(&vtcons);
	strv_clear(&modules);
	strv_clear(&bootfbs);
	return k;
}

char *handover_step_describe(const struct host *h, const struct handover_plan *p, const struct handover_step *s)
{
	switch (s->kind) {
	case HANDOVER_SAVE_STATE:
		return strdupf("save /%s (what 'vfiokit handover give' and a rollback undo)", s->path);
	case HANDOVER_STOP_UNIT:
		return strdupf("timeout %d systemctl stop %s", HANDOVER_UNIT_TIMEOUT, s->name);
	case HANDOVER_START_UNIT:
		return strdupf("timeout %d systemctl start %s", HANDOVER_UNIT_TIMEOUT, s->name);
	case HANDOVER_WRITE:
	case HANDOVER_RELEASE_FB:
		return strdupf("echo %s > /%s", s->value, s->path);
	case HANDOVER_RESTORE_FB:
		if (!s->fallback)
			return strdupf("echo %s > /%s", s->value, s->path);
		return strdupf("echo %s > /%s, or if the kernel has removed it: modprobe -b %s; echo %s > "
			       "/sys/bus/pci/drivers_probe",
			       s->value, s->path, s->fallback, h->pci[p->dev].name);
	case HANDOVER_UNLOAD:
		return strdupf("modprobe -r %s", s->name);
	case HANDOVER_LOAD:
		return strdupf("modprobe %s", s->name);
	case HANDOVER_BIND:
		return strdupf("%s the IOMMU group of %s (%zu step%s of 'vfiokit %s')", p->give ? "unbind" : "bind",
			       h->pci[p->dev].name, p->bind.nsteps, p->bind.nsteps == 1 ? "" : "s",
			       p->give ? "unbind" : "bind");
	case HANDOVER_FORGET:
		return strdupf("rm /%s", s->path);
	}
	return NULL;
}
