/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The writes of `vfiokit bind` / `unbind`, with rollback. Every write goes
 * through path_write_attr (one write() to an existing sysfs attribute); the
 * driver a device ended on is read back after every probe or bind.
 */
#include <signal.h>
#include <time.h>

#include "apply/rebind.h"

static const struct rebind_ops default_ops = { .write_attr = path_write_attr };
const struct rebind_ops *rebind_ops = &default_ops;

void rebind_result_clear(struct rebind_result *res)
{
	free(res->detail);
	strv_clear(&res->rolled_back);
	strv_clear(&res->rollback_errors);
	*res = (struct rebind_result){ 0 };
}

static int run_modprobe(const char *module, char **detail)
{
	char *argv[] = { (char *)"modprobe", (char *)module, NULL };
	struct error e = { 0 };
	int k = spawn_wait(argv, &e);

	if (e.msg) {
		free(*detail);
		*detail = TAKE_PTR(e.msg);
	}
	error_clear(&e);
	return k;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* The device's driver must now be `expect` ("" for none). */
static int expect_driver(struct host *h, const char *dev, const char *expect, char **detail)
{
	_cleanup_free_ char *now = NULL;
	int k = pci_read_driver(h->root, dev, &now);

	if (k < 0) {
		/* -EINVAL: not a link, or one that names no driver ("..") */
		*detail = k == -EINVAL ? strdup("its driver entry is not a link that names a driver") :
					 strdupf("cannot read its driver link: %s", strerror(-k));
		return k;
	}
	if ((now ? now : "")[0] == '\0' && !*expect)
		return 0;
	if (now && streq(now, expect))
		return 0;
	*detail = strdupf("it ended on %s instead of %s", now ? now : "no driver", *expect ? expect : "no driver");
	return -EIO;
}

static int run_step(struct host *h, struct bind_plan *p, const struct bind_step *s, char **detail)
{
	const char *dev = s->kind == STEP_MODPROBE || s->kind == STEP_WAIT_VFIO ? NULL : h->pci[p->items[s->item].dev].name;
	int k;

	switch (s->kind) {
	case STEP_MODPROBE:
		k = run_modprobe(s->value, detail);
		if (k == 0) {
			_cleanup_free_ char *rel = strdupf("sys/bus/pci/drivers/%s", p->driver);
			if (!rel)
				return -ENOMEM;
			if (!path_exists(h->root, rel)) {
				*detail = strdupf("modprobe %s succeeded but /%s did not appear", s->value, rel);
				return -ENOENT;
			}
		}
		return k;
	case STEP_SAVE_STATE:
		return path_write_file_atomic(h->root, s->path, s->value, 0644);
	case STEP_FORGET:
		k = path_unlink(h->root, s->path);
		return k == -ENOENT ? 0 : k;
	case STEP_OVERRIDE:
	case STEP_UNBIND:
		return rebind_ops->write_attr(h->root, s->path, s->value);
	case STEP_PROBE:
	case STEP_BIND:
		k = rebind_ops->write_attr(h->root, s->path, s->value);
		/* drivers_probe answers an error when no driver takes the
		 * device; what counts is where it ended. */
		if (k < 0 && s->kind == STEP_BIND)
			return k;
		if (s->expect)
			return expect_driver(h, dev, s->expect, detail);
		return k == -ENODEV || k == -EINVAL ? 0 : k;
	case STEP_WAIT_VFIO:
		for (long waited = 0; waited <= REBIND_VFIO_WAIT_MS; waited += 50) {
			if (path_exists(h->root, s->path))
				return 0;
			sleep_ms(50);
		}
		*detail = strdupf("/%s did not appear", s->path);
		return -ENOENT;
	}
	return -EINVAL;
}

static int note(struct strv *v, char *msg)
{
	return strv_push_take(v, msg);
}

/* Put one device back where it was: its driver and driver_override when a
 * sysfs write was attempted, its state file when a state step succeeded. */
static int restore_item(struct host *h, const struct bind_item *it, bool sysfs, bool state,
			struct rebind_result *res)
{
	const char *dev = h->pci[it->dev].name;
	_cleanup_free_ char *now = NULL, *ov = NULL, *state_rel = strdupf(BIND_STATE_DIR "/%s", dev);
	int k;

	if (!state_rel || pci_read_driver(h->root, dev, &now) == -ENOMEM)
		return -ENOMEM;
	if (!sysfs)
		goto state;
	if (now && !(it->orig_driver && streq(now, it->orig_driver))) {
		_cleanup_free_ char *rel = strdupf("sys/bus/pci/drivers/%s/unbind", now);
		if (!rel)
			return -ENOMEM;
		if ((k = rebind_ops->write_attr(h->root, rel, dev)) < 0)
			return note(&res->rollback_errors, strdupf("%s: cannot unbind it from %s: %s", dev, now, strerror(-k)));
	}
	{
		/* Only write driver_override when it differs: the step that
		 * failed may be the very write that cannot be repeated. */
		_cleanup_free_ char *rel = strdupf("sys/bus/pci/devices/%s/driver_override", dev), *cur = NULL;
		const char *want = it->orig_override ? it->orig_override : "";
		if (!rel)
			return -ENOMEM;
		k = path_read_string(h->root, rel, &cur);
		if (k == -ENOMEM)
			return k;
		if (k >= 0 && (streq(cur, want) || (!*want && streq(cur, "(null)"))))
			k = 0;
		else if (!(ov = strdupf("%s\n", want)))
			return -ENOMEM;
		else
			k = rebind_ops->write_attr(h->root, rel, ov);
		if (k < 0)
			return note(&res->rollback_errors,
				    strdupf("%s: cannot restore driver_override: %s", dev, strerror(-k)));
	}
	if (it->orig_driver && !(now && streq(now, it->orig_driver))) {
		_cleanup_free_ char *rel = strdupf("sys/bus/pci/drivers/%s/bind", it->orig_driver), *detail = NULL;
		if (!rel)
			return -ENOMEM;
		if (rebind_ops->write_attr(h->root, rel, dev) < 0)
			(void)rebind_ops->write_attr(h->root, "sys/bus/pci/drivers_probe", dev);
		if (expect_driver(h, dev, it->orig_driver, &detail) < 0)
			return note(&res->rollback_errors, strdupf("%s: not back on %s: %s", dev, it->orig_driver,
								   detail ? detail : "?"));
	}
state:
	if (!state)
		k = 0;
	else if (it->orig_state)
		k = path_write_file_atomic(h->root, state_rel, it->orig_state, 0644);
	else {
		k = path_unlink(h->root, state_rel);
		k = k == -ENOENT ? 0 : k;
	}
	if (k < 0)
		return note(&res->rollback_errors, strdupf("%s: cannot restore /%s: %s", dev, state_rel, strerror(-k)));
	if (!sysfs)
		return note(&res->rolled_back, strdupf("%s: /%s %s", dev, state_rel, it->orig_state ? "restored" : "removed"));
	return note(&res->rolled_back, strdupf("%s: back on %s", dev, it->orig_driver ? it->orig_driver : "no driver"));
}

int rebind_execute(struct host *h, struct bind_plan *p, struct rebind_result *res)
{
	_cleanup_free_ bool *touched = calloc(p->nitems ? p->nitems : 1, sizeof(bool));
	_cleanup_free_ bool *stated = calloc(p->nitems ? p->nitems : 1, sizeof(bool));
	sigset_t hold, old;
	int k = 0;

	*res = (struct rebind_result){ 0 };
	if (!touched || !stated)
		return -ENOMEM;
	sigemptyset(&hold);
	sigaddset(&hold, SIGINT);
	sigaddset(&hold, SIGTERM);
	sigaddset(&hold, SIGHUP);
	sigaddset(&hold, SIGQUIT);
	sigprocmask(SIG_BLOCK, &hold, &old);

	for (size_t i = 0; i < p->nsteps; i++) {
		const struct bind_step *s = &p->steps[i];
		bool state_step = s->kind == STEP_SAVE_STATE || s->kind == STEP_FORGET;
		if (s->kind != STEP_MODPROBE && s->kind != STEP_WAIT_VFIO && !state_step)
			touched[s->item] = true;
		k = run_step(h, p, s, &res->detail);
		if (k == 0 && state_step)
			stated[s->item] = true;
		/* Every failure rolls back, ENOMEM too: the kernel answers it
		 * from sysfs writes (a driver's probe that cannot allocate). */
		if (k < 0) {
			res->failed = true;
			res->step = i;
			res->error = k;
			k = 0;
			/* Every device, even when one cannot be restored. */
			for (size_t j = p->nitems; j-- > 0;)
				if ((touched[j] || stated[j]) &&
				    restore_item(h, &p->items[j], touched[j], stated[j], res) == -ENOMEM)
					k = -ENOMEM;
			break;
		}
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	return k < 0 ? k : 0;
}
