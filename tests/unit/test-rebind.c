/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rebind_execute() on a copy of the article's machine, with the sysfs writes
 * (rebind_ops) replaced by a small imitation of the kernel's driver core:
 * driver_override is stored, drivers/X/unbind removes the device's driver
 * link, drivers/X/bind and drivers_probe (to the driver_override) make it.
 * The Nth write fails as the kernel can fail it, ENOMEM included; every
 * device must then be back on its driver and driver_override, with no state
 * file left.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plan/bind.h"
#include "host/host.h"
#include "apply/rebind.h"
#include "fake-sysfs.h"

static const char *fixtures;

/* The driver core, as far as bind and unbind use it (fake-sysfs.c):
 * drivers_probe without an override binds nothing, -ENODEV. */
static int fake_write_attr(struct path_root *r, const char *rel, const char *value)
{
	(void)r;
	if (fake_fires())
		return fake_fail_with;
	return fake_pci_write(rel, value);
}

static const struct rebind_ops fake_rebind = { .write_attr = fake_write_attr };

/* A fresh copy of the article's machine with vfio-pci loaded. */
static void make_copy(void)
{
	fake_copy(fixtures, "article", 13);
}

static char *driver_of(struct path_root *r, const char *dev)
{
	char *d = NULL;

	assert_true(pci_read_driver(r, dev, &d) >= 0);
	return d ? d : strdup("");
}

static char *override_of(struct path_root *r, const char *dev)
{
	_cleanup_free_ char *rel = strdupf("sys/bus/pci/devices/%s/driver_override", dev);
	char *s = NULL;

	assert_int_equal(path_read_string(r, rel, &s), 0);
	return s;
}

/* Bind the article's GPU and its audio function (group 13) in the copy, with
 * the Nth write failing with err; true when the Nth write was reached. A
 * failed bind must leave the copy as it was (checked), so the next attempt
 * starts from the same machine. */
static bool bind_failing_at(long n, int err, struct rebind_result *res, int *ret)
{
	char *const targets[] = { (char *)"06:00.0" };
	struct bind_options o = { .driver = "vfio-pci" };
	struct path_root *r = NULL;
	struct host *h = NULL;
	struct bind_plan p = { 0 };
	_cleanup_error_ struct error err_msg = { 0 };
	_cleanup_free_ char *ov0 = NULL, *ov1 = NULL;
	bool fired;

	assert_int_equal(path_root_open(fake_root, &r), 0);
	assert_int_equal(host_load(r, HOST_LOAD_PCI | HOST_LOAD_MODULES | HOST_LOAD_USAGE, &h), 0);
	assert_int_equal(host_pci_drivers_probe(h, o.driver), 0);
	assert_int_equal(bind_plan_make(h, targets, 1, &o, &p, &err_msg), 0);
	assert_int_equal(p.nitems, 2);
	ov0 = override_of(r, "0000:06:00.0");
	ov1 = override_of(r, "0000:06:00.1");
	fake_ops = 0;
	fake_fail_at = n;
	fake_fail_with = err;
	rebind_ops = &fake_rebind;
	*ret = rebind_execute(h, &p, res);
	fired = fake_ops >= n;
	if (res->failed) {
		/* Everything back as it was. */
		_cleanup_free_ char *d0 = driver_of(r, "0000:06:00.0"), *d1 = driver_of(r, "0000:06:00.1");
		_cleanup_free_ char *o0 = override_of(r, "0000:06:00.0"), *o1 = override_of(r, "0000:06:00.1");
		assert_string_equal(d0, "nouveau");
		assert_string_equal(d1, "snd_hda_intel");
		assert_string_equal(o0, ov0);
		assert_string_equal(o1, ov1);
		assert_false(path_exists(r, BIND_STATE_DIR "/0000:06:00.0"));
		assert_false(path_exists(r, BIND_STATE_DIR "/0000:06:00.1"));
		assert_int_equal(res->rollback_errors.n, 0);
	} else {
		_cleanup_free_ char *d0 = driver_of(r, "0000:06:00.0"), *d1 = driver_of(r, "0000:06:00.1");
		assert_string_equal(d0, "vfio-pci");
		assert_string_equal(d1, "vfio-pci");
	}
	bind_plan_clear(&p);
	host_free(h);
	path_root_free(r);
	return fired;
}

/* ENOMEM (and EBUSY, EIO) at every write: rolled back each time. */
static void test_rollback_every_write(void **state)
{
	static const int errs[] = { -ENOMEM, -EBUSY, -EIO };

	(void)state;
	for (size_t e = 0; e < ARRAY_SIZE(errs); e++) {
		long n;
		make_copy();
		for (n = 1; n < 100; n++) {
			struct rebind_result res;
			int ret;
			bool fired = bind_failing_at(n, errs[e], &res, &ret);
			assert_int_equal(ret, 0);
			if (!fired) {
				assert_false(res.failed);
				rebind_result_clear(&res);
				break;
			}
			assert_true(res.failed);
			/* The failure of a probe shows as where the device ended. */
			assert_true(res.error == errs[e] || res.error == -EIO);
			rebind_result_clear(&res);
		}
		/* 6 writes: override, unbind, probe for each of the two. */
		assert_int_equal(n, 7);
		fake_remove();
	}
}

/* A driver link that names no driver ("..", ".", a trailing slash) is
 * refused: bind would write to /sys/bus/pci/drivers/../unbind. */
static void test_driver_link_without_name(void **state)
{
	static const char *const bad[] = { "../../../bus/pci/drivers/..", "../../../bus/pci/drivers/.",
					   "../../../bus/pci/drivers/", ".." };
	struct path_root *r = NULL;

	(void)state;
	make_copy();
	assert_int_equal(path_root_open(fake_root, &r), 0);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		char *d = (char *)"unchanged";
		fake_set_link("sys/bus/pci/devices/0000:06:00.0/driver", bad[i]);
		assert_int_equal(pci_read_driver(r, "0000:06:00.0", &d), -EINVAL);
		assert_null(d);
	}
	fake_set_link("sys/bus/pci/devices/0000:06:00.0/driver", "../../../bus/pci/drivers/nouveau");
	{
		_cleanup_free_ char *d = driver_of(r, "0000:06:00.0");
		assert_string_equal(d, "nouveau");
	}
	path_root_free(r);
	fake_remove();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rollback_every_write),
		cmocka_unit_test(test_driver_link_without_name),
	};

	fixtures = getenv("VFIOKIT_FIXTURES");
	if (!fixtures) {
		fprintf(stderr, "VFIOKIT_FIXTURES is not set\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
