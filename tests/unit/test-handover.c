/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vfiokit handover on a copy of the single-gpu machine: the planner's steps
 * and their order, and handover_execute() with the sysfs writes
 * (rebind_ops) and the commands (handover_ops) replaced by an imitation of
 * the kernel and systemd: driver_override stored, unbind removes the driver
 * link, bind and drivers_probe make it; a vtconsole's bind stored; the
 * efi-framebuffer platform device unbound and bound; "systemctl stop/start"
 * and "modprobe" recorded. The Nth operation fails; the copy must then be
 * exactly as before take: drivers, driver_override, fbcon, efifb, the
 * display manager running, no state file.
 *
 * The same copy made into what OVMF leaves on a machine whose GPU has no
 * driver (the e2e-efifb test's, tests/e2e/guest-efifb.sh): the console on
 * efifb alone, and the kernel removing efi-framebuffer.0 when vfio-pci
 * binds the VGA device, as 6.0 and later do: a rollback after that, and
 * give, bring the console back on bochs instead.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apply/handover.h"
#include "host/host.h"
#include "plan/handover.h"
#include "fake-sysfs.h"

#define GPU "0000:00:06.0"
#define AUDIO "0000:00:06.1"

static const char *fixtures;
static bool dm_running;
/* The efifb copy: the GPU without a driver until bochs is loaded; the
 * kernel removes efi-framebuffer.0 when vfio-pci binds the GPU. */
static bool efifb_only, bochs_loaded;
static char cmdlog[4096];

/* No override: the kernel matches the IDs, as the copy had it. */
static const char *probe_default(const char *dev)
{
	if (streq(dev, GPU))
		return !efifb_only || bochs_loaded ? "bochs-drm" : "";
	return streq(dev, AUDIO) ? "snd_hda_intel" : "";
}

/* The driver core (fake-sysfs.c), and beside it a vtconsole's bind and the
 * efi-framebuffer platform device, which 6.0 and later remove when
 * vfio-pci binds the VGA device. */
static int fake_write_attr(struct path_root *r, const char *rel, const char *value)
{
	_cleanup_free_ char *v = strndup(value, strcspn(value, "\n"));
	_cleanup_free_ char *drv = NULL;
	struct path_root *pr;
	int k;

	(void)r;
	if (fake_fires())
		return fake_fail_with;
	if (startswith(rel, "sys/class/vtconsole/")) {
		fake_write_text(rel, v);
		return 0;
	}
	if (streq(rel, "sys/bus/platform/drivers/efi-framebuffer/unbind")) {
		fake_set_link("sys/devices/platform/efi-framebuffer.0/driver", NULL);
		return 0;
	}
	if (streq(rel, "sys/bus/platform/drivers/efi-framebuffer/bind")) {
		_cleanup_free_ char *dir = fake_abs("sys/devices/platform/efi-framebuffer.0");
		if (access(dir, F_OK) < 0)
			return -ENODEV; /* the kernel removed it */
		fake_set_link("sys/devices/platform/efi-framebuffer.0/driver",
			      "../../../bus/platform/drivers/efi-framebuffer");
		return 0;
	}
	fake_probe_default = probe_default;
	k = fake_pci_write(rel, value);
	if (k < 0 || !efifb_only || !streq(rel, "sys/bus/pci/drivers_probe") || !streq(v, GPU))
		return k;
	assert_int_equal(path_root_open(fake_root, &pr), 0);
	assert_true(pci_read_driver(pr, GPU, &drv) >= 0);
	path_root_free(pr);
	if (drv && streq(drv, "vfio-pci")) {
		_cleanup_free_ char *cmd = strdupf("rm -rf '%s/sys/devices/platform/efi-framebuffer.0' "
						   "'%s/sys/bus/platform/devices/efi-framebuffer.0'",
						   fake_root, fake_root);
		assert_int_equal(system(cmd), 0);
	}
	return 0;
}

static int fake_run(char *const argv[], struct error *err)
{
	size_t i = 0;

	if (fake_fires())
		return error_set(err, fake_fail_with, ERROR_FAILED, "exit status 1");
	for (; argv[i]; i++)
		snprintf(cmdlog + strlen(cmdlog), sizeof(cmdlog) - strlen(cmdlog), "%s%s", i ? " " : "", argv[i]);
	snprintf(cmdlog + strlen(cmdlog), sizeof(cmdlog) - strlen(cmdlog), "\n");
	if (i == 5 && streq(argv[2], "systemctl"))
		dm_running = streq(argv[3], "start");
	if (i == 3 && streq(argv[0], "modprobe") && streq(argv[1], "-b") && streq(argv[2], "bochs"))
		bochs_loaded = true;
	return 0;
}

static const struct rebind_ops fake_rebind = { .write_attr = fake_write_attr };
static const struct handover_ops fake_handover = { .run = fake_run };

static void make_copy(void)
{
	_cleanup_free_ char *cmd = NULL;

	fake_copy(fixtures, "single-gpu", 3);
	cmd = strdupf("rm -rf '%s/proc/1433'", fake_root);
	assert_non_null(cmd);
	assert_int_equal(system(cmd), 0);
	dm_running = true;
	efifb_only = bochs_loaded = false;
}

/* The copy as OVMF leaves a machine without a driver for its GPU: no
 * driver, no DRM nodes (so no process holds it, no display manager's), fb0
 * efifb's. */
static void make_efifb_copy(void)
{
	_cleanup_free_ char *cmd = NULL;

	make_copy();
	efifb_only = true;
	cmd = strdupf("cd '%s' && rm -f sys/bus/pci/devices/" GPU "/driver sys/class/drm/card0 "
		      "sys/class/drm/card0-Virtual-1 sys/class/drm/renderD128 && "
		      "ln -sfn ../../devices/platform/efi-framebuffer.0/graphics/fb0 sys/class/graphics/fb0 && "
		      "echo '0 EFI VGA' >proc/fb",
		      fake_root);
	assert_non_null(cmd);
	assert_int_equal(system(cmd), 0);
}

static char *read_rel(struct path_root *r, const char *rel)
{
	char *s = NULL;

	assert_int_equal(path_read_string(r, rel, &s), 0);
	return s;
}

static char *driver_of(struct path_root *r, const char *dev)
{
	char *d = NULL;

	assert_true(pci_read_driver(r, dev, &d) >= 0);
	return d ? d : strdup("");
}

/* The copy as take found it. */
static void assert_as_before(struct path_root *r)
{
	_cleanup_free_ char *d0 = driver_of(r, GPU), *d1 = driver_of(r, AUDIO);
	_cleanup_free_ char *o0 = read_rel(r, "sys/bus/pci/devices/" GPU "/driver_override");
	_cleanup_free_ char *vt = read_rel(r, "sys/class/vtconsole/vtcon1/bind"), *fb = NULL;

	assert_string_equal(d0, "bochs-drm");
	assert_string_equal(d1, "snd_hda_intel");
	assert_string_equal(o0, "(null)");
	assert_string_equal(vt, "1");
	assert_int_equal(path_readlink(r, "sys/devices/platform/efi-framebuffer.0/driver", &fb), 0);
	assert_true(dm_running);
	assert_false(path_exists(r, HANDOVER_STATE_DIR "/" GPU));
	assert_false(path_exists(r, BIND_STATE_DIR "/" GPU));
}

static void load(struct path_root **r, struct host **h)
{
	assert_int_equal(path_root_open(fake_root, r), 0);
	assert_int_equal(host_load(*r, HOST_LOAD_PCI | HOST_LOAD_MODULES | HOST_LOAD_USAGE | HOST_LOAD_HOLDERS, h), 0);
	assert_int_equal(host_pci_drivers_probe(*h, BIND_DRIVER_DEFAULT), 0);
}

/* The steps, in order, each with its undo. */
static void test_plan_take(void **state)
{
	struct path_root *r;
	struct host *h;
	struct handover_plan p;
	_cleanup_error_ struct error err = { 0 };

	(void)state;
	make_copy();
	load(&r, &h);
	assert_int_equal(handover_plan_take(h, "00:06.0", NULL, &p, &err), 0);
	assert_true(p.display);
	assert_int_equal(p.blockers.n, 0); /* Xorg is the display manager's */
	assert_int_equal(p.nsteps, 5);
	assert_int_equal(p.steps[0].kind, HANDOVER_SAVE_STATE);
	assert_string_equal(p.steps[0].value, "vfiokit handover 1\ndevice=" GPU "\nunit=lightdm.service\nvtcon=vtcon1\n"
					      "bootfb=efi-framebuffer.0 efi-framebuffer\n");
	assert_int_equal(p.steps[1].kind, HANDOVER_STOP_UNIT);
	assert_string_equal(p.steps[1].name, "lightdm.service");
	assert_int_equal(p.steps[2].kind, HANDOVER_WRITE);
	assert_string_equal(p.steps[2].path, "sys/class/vtconsole/vtcon1/bind");
	assert_string_equal(p.steps[2].value, "0");
	assert_string_equal(p.steps[2].undo_value, "1");
	assert_int_equal(p.steps[3].kind, HANDOVER_RELEASE_FB);
	assert_null(p.steps[3].fallback); /* bochs-drm comes back with bind's rollback */
	assert_string_equal(p.steps[3].path, "sys/bus/platform/drivers/efi-framebuffer/unbind");
	assert_string_equal(p.steps[3].undo_path, "sys/bus/platform/drivers/efi-framebuffer/bind");
	assert_int_equal(p.steps[4].kind, HANDOVER_BIND);
	assert_int_equal(p.bind.nitems, 2);
	/* bind's refusal of the boot GPU is there, for take to lift knowingly. */
	assert_true(p.bind.refusals.n >= 1);
	assert_int_equal(p.bind.refusals.v[0].kind, REFUSE_DISPLAY);
	assert_true(refusal_handover_lifts(REFUSE_DISPLAY));
	assert_false(refusal_handover_lifts(REFUSE_MOUNT));
	handover_plan_clear(&p);

	/* Taken already: said. */
	assert_int_equal(handover_plan_take(h, "00:06.0", "vfiokit handover 1\n", &p, &err), -EALREADY);
	assert_int_equal(err.errnum, -EALREADY);
	assert_int_equal(err.kind, ERROR_FAILED);
	assert_non_null(strstr(err.msg, "already taken"));
	handover_plan_clear(&p);
	error_clear(&err);
	/* A device that is not a display: a note says what take does. */
	assert_int_equal(handover_plan_take(h, "00:03.0", NULL, &p, &err), 0);
	assert_false(p.display);
	assert_int_equal(p.notes.n, 1);
	assert_non_null(strstr(p.notes.v[0], "is not a display device"));
	assert_int_equal(p.nsteps, 2);
	handover_plan_clear(&p);
	/* A state file that is not take's: give refuses it. */
	assert_int_equal(handover_plan_give(h, "00:06.0", "vfiokit handover 1\nunit=../../x\n", &p, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "is not as 'vfiokit handover take' writes it"));
	handover_plan_clear(&p);
	host_free(h);
	path_root_free(r);
	fake_remove();
}

/* Another process holding the device blocks take, by name. */
static void test_plan_blockers(void **state)
{
	struct path_root *r;
	struct host *h;
	struct handover_plan p;
	_cleanup_free_ char *cmd = NULL;
	_cleanup_error_ struct error err = { 0 };

	(void)state;
	make_copy();
	cmd = strdupf("cp -a '%s/single-gpu/proc/1433' '%s/proc/'", fixtures, fake_root);
	assert_int_equal(system(cmd), 0);
	load(&r, &h);
	assert_int_equal(handover_plan_take(h, "00:06.0", NULL, &p, &err), 0);
	assert_int_equal(p.blockers.n, 1);
	assert_non_null(strstr(p.blockers.v[0], "pid 1433 (firefox-esr"));
	handover_plan_clear(&p);
	host_free(h);
	path_root_free(r);
	fake_remove();
}

/* How a take that failed left the copy: judged by the test. */
typedef void judge_fn(struct path_root *r, const struct handover_result *res);

/* Take with the Nth operation failing with err; true when the Nth was
 * reached: take failed, and judge found the copy as it should be. */
static bool take_failing_at(long n, int err, judge_fn *judge)
{
	struct path_root *r;
	struct host *h;
	struct handover_plan p;
	struct handover_result res;
	_cleanup_error_ struct error msg = { 0 };
	bool fired;

	load(&r, &h);
	assert_int_equal(handover_plan_take(h, "00:06.0", NULL, &p, &msg), 0);
	fake_ops = 0;
	fake_fail_at = n;
	fake_fail_with = err;
	cmdlog[0] = '\0';
	assert_int_equal(handover_execute(h, &p, &res), 0);
	fired = fake_ops >= n;
	fake_fail_at = 0;
	if (fired) {
		assert_true(res.failed);
		judge(r, &res);
	} else
		assert_false(res.failed);
	handover_result_clear(&res);
	handover_plan_clear(&p);
	host_free(h);
	path_root_free(r);
	return fired;
}

/* Rolled back without an error, the copy as take found it. */
static void judge_as_before(struct path_root *r, const struct handover_result *res)
{
	assert_int_equal(res->rollback_errors.n, 0);
	assert_int_equal(res->bind.rollback_errors.n, 0);
	assert_as_before(r);
}

static void test_rollback_every_step(void **state)
{
	static const int errs[] = { -EIO, -ENOMEM, -ETIME };
	long n = 0;

	(void)state;
	rebind_ops = &fake_rebind;
	handover_ops = &fake_handover;
	for (size_t e = 0; e < ARRAY_SIZE(errs); e++) {
		make_copy();
		for (n = 1; n < 100 && take_failing_at(n, errs[e], judge_as_before); n++)
			;
		/* stop, fbcon, efifb, then override, unbind, probe for each of the two. */
		assert_int_equal(n, 10);
		fake_remove();
	}
}

/* take then give: back on bochs-drm, fbcon bound, the display manager
 * started, the record gone; efifb stays released. */
static void test_take_give(void **state)
{
	struct path_root *r;
	struct host *h;
	struct handover_plan p;
	struct handover_result res;
	_cleanup_free_ char *st = NULL, *d0 = NULL, *d1 = NULL, *vt = NULL;
	_cleanup_error_ struct error msg = { 0 };

	(void)state;
	rebind_ops = &fake_rebind;
	handover_ops = &fake_handover;
	make_copy();
	assert_false(take_failing_at(1000, -EIO, judge_as_before));
	load(&r, &h);
	d0 = driver_of(r, GPU);
	assert_string_equal(d0, "vfio-pci");
	assert_false(dm_running);
	assert_int_equal(host_handover_state(h, &h->pci[0], &st), -ENOENT); /* 00:00.0 */
	assert_int_equal(host_handover_state(h, host_find_pci(h, &(struct pci_addr){ 0, 0, 6, 0 }), &st), 0);
	assert_int_equal(handover_plan_take(h, "00:06.0", st, &p, &msg), -EALREADY);
	handover_plan_clear(&p);
	error_clear(&msg);
	assert_int_equal(handover_plan_give(h, "00:06.0", st, &p, &msg), 0);
	cmdlog[0] = '\0';
	assert_int_equal(handover_execute(h, &p, &res), 0);
	assert_false(res.failed);
	handover_result_clear(&res);
	handover_plan_clear(&p);
	free(d0);
	d0 = driver_of(r, GPU);
	d1 = driver_of(r, AUDIO);
	vt = read_rel(r, "sys/class/vtconsole/vtcon1/bind");
	assert_string_equal(d0, "bochs-drm");
	assert_string_equal(d1, "snd_hda_intel");
	assert_string_equal(vt, "1");
	assert_true(dm_running);
	assert_non_null(strstr(cmdlog, "timeout 30 systemctl start lightdm.service"));
	assert_false(path_exists(r, HANDOVER_STATE_DIR "/" GPU));
	host_free(h);
	path_root_free(r);
	fake_remove();
}

/* take and give of the efifb copy, planned: the release keeps its
 * fallback; give binds efifb again, else loads bochs. */
static void test_plan_efifb(void **state)
{
	struct path_root *r;
	struct host *h;
	struct handover_plan p;
	_cleanup_error_ struct error err = { 0 };
	_cleanup_free_ char *desc = NULL;
	const char *st = "vfiokit handover 1\ndevice=" GPU "\nvtcon=vtcon1\nbootfb=efi-framebuffer.0 efi-framebuffer\n";

	(void)state;
	make_efifb_copy();
	load(&r, &h);
	assert_int_equal(handover_plan_take(h, "00:06.0", NULL, &p, &err), 0);
	assert_int_equal(p.blockers.n, 0);
	assert_int_equal(p.nsteps, 4);
	assert_string_equal(p.steps[0].value, st);
	assert_int_equal(p.steps[2].kind, HANDOVER_RELEASE_FB);
	assert_string_equal(p.steps[2].value, "efi-framebuffer.0");
	assert_string_equal(p.steps[2].fallback, "bochs");
	handover_plan_clear(&p);
	/* give without bind's record: no driver known, efifb stays released. */
	assert_int_equal(handover_plan_give(h, "00:06.0", st, &p, &err), 0);
	for (size_t i = 0; i < p.nsteps; i++)
		assert_int_not_equal(p.steps[i].kind, HANDOVER_RESTORE_FB);
	assert_int_equal(p.notes.n, 1);
	handover_plan_clear(&p);
	host_free(h);
	path_root_free(r);
	/* bind's record: no driver before. */
	{
		_cleanup_free_ char *cmd = strdupf("mkdir -p '%s/" BIND_STATE_DIR
						   "' && printf 'driver=\\ndriver_override=\\n"
						   "target=vfio-pci\\n' >'%s/" BIND_STATE_DIR "/" GPU "'",
						   fake_root, fake_root);
		assert_int_equal(system(cmd), 0);
	}
	load(&r, &h);
	assert_int_equal(handover_plan_give(h, "00:06.0", st, &p, &err), 0);
	assert_int_equal(p.notes.n, 0);
	assert_int_equal(p.steps[1].kind, HANDOVER_RESTORE_FB);
	assert_string_equal(p.steps[1].path, "sys/bus/platform/drivers/efi-framebuffer/bind");
	assert_string_equal(p.steps[1].value, "efi-framebuffer.0");
	assert_string_equal(p.steps[1].fallback, "bochs");
	assert_int_equal(p.steps[2].kind, HANDOVER_WRITE);
	assert_string_equal(p.steps[2].path, "sys/class/vtconsole/vtcon1/bind");
	desc = handover_step_describe(h, &p, &p.steps[1]);
	assert_string_equal(desc, "echo efi-framebuffer.0 > /sys/bus/platform/drivers/efi-framebuffer/bind, or if the "
				  "kernel has removed it: modprobe -b bochs; echo " GPU " > /sys/bus/pci/drivers_probe");
	handover_plan_clear(&p);
	/* A record whose boot framebuffer is not "DEVICE DRIVER": refused. */
	error_clear(&err);
	assert_int_equal(handover_plan_give(h, "00:06.0", "vfiokit handover 1\nbootfb=efi-framebuffer.0 \n", &p, &err),
			 -EBADMSG);
	handover_plan_clear(&p);
	host_free(h);
	path_root_free(r);
	fake_remove();
}

/* The efifb copy as take found it; once vfio-pci has had the GPU, the
 * console is back on bochs-drm instead of efifb, which the kernel removed. */
static void assert_efifb_back(struct path_root *r, const struct handover_result *res, bool removed)
{
	_cleanup_free_ char *d0 = driver_of(r, GPU), *d1 = driver_of(r, AUDIO), *fb = NULL;
	_cleanup_free_ char *o0 = read_rel(r, "sys/bus/pci/devices/" GPU "/driver_override");
	_cleanup_free_ char *vt = read_rel(r, "sys/class/vtconsole/vtcon1/bind");
	bool said = false;

	assert_string_equal(d0, removed ? "bochs-drm" : "");
	assert_string_equal(d1, "snd_hda_intel");
	assert_string_equal(o0, "(null)");
	assert_string_equal(vt, "1");
	assert_int_equal(path_readlink(r, "sys/devices/platform/efi-framebuffer.0/driver", &fb), removed ? -ENOENT : 0);
	assert_int_equal(res->rollback_errors.n, 0);
	assert_int_equal(res->bind.rollback_errors.n, 0);
	for (size_t i = 0; i < res->rolled_back.n; i++)
		said |= strstr(res->rolled_back.v[i],
			       "modprobe -b bochs; echo " GPU " > /sys/bus/pci/drivers_probe (the "
			       "kernel had removed the boot framebuffer efi-framebuffer.0") != NULL;
	assert_int_equal(said, removed);
	assert_false(path_exists(r, HANDOVER_STATE_DIR "/" GPU));
	assert_false(path_exists(r, BIND_STATE_DIR "/" GPU));
}

/* The last failed take of the efifb copy: whether the kernel had removed
 * efifb, and whether any had. */
static bool efifb_removed, efifb_removed_seen;

static void judge_efifb(struct path_root *r, const struct handover_result *res)
{
	efifb_removed = !path_exists(r, "sys/devices/platform/efi-framebuffer.0");
	efifb_removed_seen |= efifb_removed;
	assert_efifb_back(r, res, efifb_removed);
}

/* take of the efifb copy failing at each operation: before vfio-pci has
 * the GPU, efifb is bound again; after, bochs shows the console. */
static void test_rollback_efifb(void **state)
{
	long n;

	(void)state;
	rebind_ops = &fake_rebind;
	handover_ops = &fake_handover;
	make_efifb_copy();
	efifb_removed_seen = false;
	for (n = 1; n < 100 && take_failing_at(n, -EIO, judge_efifb); n++)
		if (efifb_removed) { /* the copy is not as it was: a new one */
			fake_remove();
			make_efifb_copy();
		}
	fake_remove();
	/* fbcon, efifb, the GPU's override and probe (no driver to unbind),
	 * the HDA's override, unbind and probe. */
	assert_int_equal(n, 8);
	assert_true(efifb_removed_seen);
}

/* take then give of the efifb copy: the kernel removed efifb, bochs brings
 * the console back, said in the notes. */
static void test_take_give_efifb(void **state)
{
	struct path_root *r;
	struct host *h;
	struct handover_plan p;
	struct handover_result res;
	_cleanup_error_ struct error msg = { 0 };
	_cleanup_free_ char *st = NULL, *d0 = NULL, *d1 = NULL, *vt = NULL;

	(void)state;
	rebind_ops = &fake_rebind;
	handover_ops = &fake_handover;
	make_efifb_copy();
	load(&r, &h);
	assert_int_equal(handover_plan_take(h, "00:06.0", NULL, &p, &msg), 0);
	fake_ops = 0;
	assert_int_equal(handover_execute(h, &p, &res), 0);
	assert_false(res.failed);
	handover_result_clear(&res);
	handover_plan_clear(&p);
	host_free(h);
	path_root_free(r);
	assert_false(bochs_loaded);
	load(&r, &h);
	d0 = driver_of(r, GPU);
	assert_string_equal(d0, "vfio-pci");
	assert_false(path_exists(r, "sys/devices/platform/efi-framebuffer.0"));
	assert_int_equal(host_handover_state(h, host_find_pci(h, &(struct pci_addr){ 0, 0, 6, 0 }), &st), 0);
	assert_int_equal(handover_plan_give(h, "00:06.0", st, &p, &msg), 0);
	assert_int_equal(handover_execute(h, &p, &res), 0);
	assert_false(res.failed);
	assert_int_equal(res.notes.n, 1);
	assert_non_null(strstr(res.notes.v[0], "modprobe -b bochs; echo " GPU " > /sys/bus/pci/drivers_probe"));
	handover_result_clear(&res);
	handover_plan_clear(&p);
	free(d0);
	d0 = driver_of(r, GPU);
	d1 = driver_of(r, AUDIO);
	vt = read_rel(r, "sys/class/vtconsole/vtcon1/bind");
	assert_string_equal(d0, "bochs-drm");
	assert_string_equal(d1, "snd_hda_intel");
	assert_string_equal(vt, "1");
	assert_false(path_exists(r, HANDOVER_STATE_DIR "/" GPU));
	host_free(h);
	path_root_free(r);
	fake_remove();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plan_take),
		cmocka_unit_test(test_plan_blockers),
		cmocka_unit_test(test_rollback_every_step),
		cmocka_unit_test(test_take_give),
		cmocka_unit_test(test_plan_efifb),
		cmocka_unit_test(test_rollback_efifb),
		cmocka_unit_test(test_take_give_efifb),
	};

	fixtures = getenv("VFIOKIT_FIXTURES");
	if (!fixtures) {
		fprintf(stderr, "VFIOKIT_FIXTURES is not set\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
