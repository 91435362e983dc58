/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The steps of `vfiokit handover take` / `give`. Sysfs writes go through
 * rebind_ops (the table tests replace), commands through handover_ops; a
 * unit is stopped or started under timeout(1), so a display manager that
 * does not stop is named and everything is rolled back rather than hung.
 */
#include <signal.h>
#include <stdio.h>

#include "apply/handover.h"

static const struct handover_ops default_ops = { .run = spawn_wait };
const struct handover_ops *handover_ops = &default_ops;

void handover_result_clear(struct handover_result *res)
{
	free(res->detail);
	rebind_result_clear(&res->bind);
	strv_clear(&res->rolled_back);
	strv_clear(&res->rollback_errors);
	strv_clear(&res->notes);
	*res = (struct handover_result){ 0 };
}

static int systemctl(const char *verb, const char *unit, struct error *err)
{
	char secs[16];
	char *argv[] = { (char *)"timeout", secs, (char *)"systemctl", (char *)verb, (char *)unit, NULL };

	snprintf(secs, sizeof(secs), "%d", HANDOVER_UNIT_TIMEOUT);
	return handover_ops->run(argv, err);
}

static int modprobe(bool remove, const char *module, struct error *err)
{
	char *argv[] = { (char *)"modprobe", (char *)(remove ? "-r" : module), (char *)module, NULL };

	if (!remove)
		argv[2] = NULL;
	return handover_ops->run(argv, err);
}

/* A driver the device never had, loaded as the kernel would load it by
 * its alias: modprobe -b keeps the user's blacklist (nouveau blacklisted
 * for a card without a driver stays unloaded). */
static int modprobe_fallback(const char *module, struct error *err)
{
	char *argv[] = { (char *)"modprobe", (char *)"-b", (char *)module, NULL };

	return handover_ops->run(argv, err);
}

/* The boot framebuffer (s->value for give, s->undo_value for take's undo)
 * bound again; when its platform device or driver is gone (-ENODEV,
 * -ENOENT: the kernel removed it when vfio-pci took the VGA device), the
 * fallback module loaded and the device probed, so that its own driver
 * shows the console; a device that had a driver before take is back on it
 * already. *how says which. */
static int restore_fb(struct host *h, struct handover_plan *p, const struct handover_step *s, char **how,
		      struct error *err)
{
	const char *addr = h->pci[p->dev].name;
	const char *path = s->kind == HANDOVER_RELEASE_FB ? s->undo_path : s->path;
	const char *fb = s->kind == HANDOVER_RELEASE_FB ? s->undo_value : s->value;
	int k = rebind_ops->write_attr(h->root, path, fb);

	*how = NULL;
	if (k == 0) {
		*how = strdupf("echo %s > /%s", fb, path);
		return *how ? 0 : -ENOMEM;
	}
	if (k != -ENODEV && k != -ENOENT)
		return k;
	if (!s->fallback && !p->give && h->pci[p->dev].driver) {
		/* bind's rollback put it back on its driver (the model is take's). */
		*how = strdupf("%s is back on %s, which shows the console (the kernel had removed the boot framebuffer "
			       "%s when vfio-pci took %s)",
			       addr, h->pci[p->dev].driver, fb, addr);
		return *how ? 0 : -ENOMEM;
	}
	if (!s->fallback)
		return k;
	if ((k = modprobe_fallback(s->fallback, err)) < 0 ||
	    (k = rebind_ops->write_attr(h->root, "sys/bus/pci/drivers_probe", addr)) < 0)
		return k;
	*how = strdupf("modprobe -b %s; echo %s > /sys/bus/pci/drivers_probe (the kernel had removed the boot "
		       "framebuffer %s when vfio-pci took %s: %s's driver shows the console)",
		       s->fallback, addr, fb, addr, addr);
	return *how ? 0 : -ENOMEM;
}

/* A command's failure in err, said in res->detail. */
static int step(struct host *h, struct handover_plan *p, const struct handover_step *s, struct handover_result *res,
		struct error *err)
{
	int k;

	switch (s->kind) {
	case HANDOVER_SAVE_STATE:
		return path_write_file_atomic(h->root, s->path, s->value, 0644);
	case HANDOVER_FORGET:
		k = path_unlink(h->root, s->path);
		return k == -ENOENT ? 0 : k;
	case HANDOVER_STOP_UNIT:
		return systemctl("stop", s->name, err);
	case HANDOVER_START_UNIT:
		return systemctl("start", s->name, err);
	case HANDOVER_WRITE:
	case HANDOVER_RELEASE_FB:
		return rebind_ops->write_attr(h->root, s->path, s->value);
	case HANDOVER_RESTORE_FB: {
		_cleanup_free_ char *how = NULL;
		k = restore_fb(h, p, s, &how, err);
		if (k == 0 && !startswith(how, "echo "))
			return strv_push_take(&res->notes, TAKE_PTR(how));
		return k;
	}
	case HANDOVER_UNLOAD:
		return modprobe(true, s->name, err);
	case HANDOVER_LOAD:
		return modprobe(false, s->name, err);
	case HANDOVER_BIND:
		if (p->bind.nsteps == 0)
			return 0;
		k = rebind_execute(h, &p->bind, &res->bind);
		if (k < 0)
			return k;
		if (res->bind.failed) {
			_cleanup_free_ char *d = bind_step_describe(h, &p->bind, &p->bind.steps[res->bind.step]);
			res->detail = strdupf("'%s': %s%s%s", d ? d : "?", strerror(-res->bind.error),
					      res->bind.detail ? "; " : "", res->bind.detail ? res->bind.detail : "");
			return res->bind.error ? res->bind.error : -EIO;
		}
		return 0;
	}
	return -EINVAL;
}

static int run_step(struct host *h, struct handover_plan *p, const struct handover_step *s, struct handover_result *res)
{
	_cleanup_error_ struct error e = { 0 };
	int k = step(h, p, s, res, &e);

	if (e.msg) {
		free(res->detail);
		res->detail = TAKE_PTR(e.msg);
	}
	return k;
}

/* Undo one step of take that ran. */
static int undo_step(struct host *h, struct handover_plan *p, const struct handover_step *s,
		     struct handover_result *res)
{
	_cleanup_error_ struct error detail = { 0 };
	int k = 0;

	switch (s->kind) {
	case HANDOVER_SAVE_STATE:
		k = path_unlink(h->root, s->path);
		k = k == -ENOENT ? 0 : k;
		if (k < 0)
			return strv_push_take(&res->rollback_errors,
					      strdupf("cannot remove /%s: %s", s->path, strerror(-k)));
		return strv_push_take(&res->rolled_back, strdupf("removed /%s", s->path));
	case HANDOVER_STOP_UNIT:
		if ((k = systemctl("start", s->name, &detail)) < 0)
			return strv_push_take(&res->rollback_errors, strdupf("cannot start %s again: %s", s->name,
									     detail.msg ? detail.msg : strerror(-k)));
		return strv_push_take(&res->rolled_back, strdupf("started %s", s->name));
	case HANDOVER_WRITE:
		if (!s->undo_path)
			return 0;
		if ((k = rebind_ops->write_attr(h->root, s->undo_path, s->undo_value)) < 0)
			return strv_push_take(&res->rollback_errors,
					      strdupf("cannot write %s to /%s: %s", s->undo_value, s->undo_path,
						      strerror(-k)));
		return strv_push_take(&res->rolled_back, strdupf("echo %s > /%s", s->undo_value, s->undo_path));
	case HANDOVER_RELEASE_FB: {
		_cleanup_free_ char *how = NULL;
		if ((k = restore_fb(h, p, s, &how, &detail)) == -ENOMEM)
			return k;
		if (k < 0)
			return strv_push_take(&res->rollback_errors,
					      strdupf("cannot bind the boot framebuffer %s again: %s%s", s->undo_value,
						      detail.msg ? detail.msg : strerror(-k),
						      s->fallback ? "" :
								    " (and no driver matches the device's modalias)"));
		return strv_push_take(&res->rolled_back, TAKE_PTR(how));
	}
	case HANDOVER_UNLOAD:
		if ((k = modprobe(false, s->name, &detail)) < 0)
			return strv_push_take(&res->rollback_errors, strdupf("cannot load %s again: %s", s->name,
									     detail.msg ? detail.msg : strerror(-k)));
		return strv_push_take(&res->rolled_back, strdupf("modprobe %s", s->name));
	default:
		return 0; /* the bind step rolled itself back */
	}
}

int handover_execute(struct host *h, struct handover_plan *p, struct handover_result *res)
{
	sigset_t hold, old;
	int k = 0;

	*res = (struct handover_result){ 0 };
	sigemptyset(&hold);
	sigaddset(&hold, SIGINT);
	sigaddset(&hold, SIGTERM);
	sigaddset(&hold, SIGHUP);
	sigaddset(&hold, SIGQUIT);
	sigprocmask(SIG_BLOCK, &hold, &old);
	for (size_t i = 0; i < p->nsteps; i++) {
		k = run_step(h, p, &p->steps[i], res);
		if (k == 0)
			continue;
		/* give goes on without the boot framebuffer: fbcon, the display
		 * manager and the record's removal still matter more than it. */
		if (p->give && p->steps[i].kind == HANDOVER_RESTORE_FB && k != -ENOMEM) {
			char *note = strdupf("the boot framebuffer did not come back (%s): the console stays dark until "
					     "its driver is loaded or the host reboots",
					     strerror(-k));
			if (!note || strv_push_take(&res->notes, note) < 0) {
				k = -ENOMEM;
				break;
			}
			k = 0;
			continue;
		}
		/* Every failure rolls back, ENOMEM too (the kernel answers it). */
		res->failed = true;
		res->step = i;
		res->error = k;
		k = 0;
		if (!p->give)
			for (size_t j = i; j-- > 0;)
				if (undo_step(h, p, &p->steps[j], res) == -ENOMEM)
					k = -ENOMEM;
		break;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	return k;
}
