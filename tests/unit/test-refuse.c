/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * refusals_judge() on the article's machine (tests/fixtures/hosts/article):
 * its boot GPU drives a connected DP screen and fb0, its AHCI controller
 * holds / and swap, its NIC carries the default route, 00:00.0 is a host
 * bridge, and the guest GPU (06:00.0) is used by nothing. Then the same
 * devices on a model where a kind of use could not be read: refused,
 * naming the fact, unless the use is known to be there.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "host/host.h"
#include "plan/refuse.h"

#include "fixture-host.h"

static const char *fixtures;

struct fx {
	struct path_root *root;
	struct host *h;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	_cleanup_free_ char *dir = strdupf("%s/article", fixtures);

	assert_non_null(f);
	assert_non_null(dir);
	assert_int_equal(path_root_open(dir, &f->root), 0);
	assert_int_equal(host_load(f->root, HOST_LOAD_PCI | HOST_LOAD_USAGE, &f->h), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	host_free(f->h);
	path_root_free(f->root);
	free(f);
	return 0;
}

/* The refusals for one device. */
static void judge1(const struct host *h, const char *addr, struct refusal_list *l)
{
	size_t i = fixture_dev(h, addr);

	*l = (struct refusal_list){ 0 };
	assert_int_equal(refusals_judge(h, &i, 1, l), 0);
}

static void test_options(void **state)
{
	(void)state;
	assert_string_equal(refusal_option(REFUSE_DISPLAY), "allow-display");
	assert_string_equal(refusal_option(REFUSE_MOUNT), "allow-mounted");
	assert_string_equal(refusal_option(REFUSE_ROUTE), "allow-default-route");
	assert_string_equal(refusal_option(REFUSE_HOST_BRIDGE), "allow-host-bridge");
	assert_string_equal(refusal_option(REFUSE_NONVIABLE), "allow-nonviable");
	assert_string_equal(refusal_option(_REFUSE_MAX), "?");
}

static void test_each_kind(void **state)
{
	const struct host *h = ((struct fx *)*state)->h;
	struct refusal_list l;

	judge1(h, "00:02.0", &l);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].kind, REFUSE_DISPLAY);
	assert_string_equal(l.v[0].msg, "0000:00:02.0 drives a display of this host (it is the boot GPU): connector "
					"card0-DP-1 is connected and enabled; framebuffer fb0 (i915drmfb)");
	refusal_list_clear(&l);

	judge1(h, "00:1f.2", &l);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].kind, REFUSE_MOUNT);
	assert_true(startswith(l.v[0].msg, "0000:00:1f.2 holds mounted filesystems or swap of this host: "));
	refusal_list_clear(&l);

	judge1(h, "05:00.0", &l);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].kind, REFUSE_ROUTE);
	assert_true(startswith(l.v[0].msg, "0000:05:00.0 carries this host's default route"));
	refusal_list_clear(&l);

	judge1(h, "00:00.0", &l);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].kind, REFUSE_HOST_BRIDGE);
	refusal_list_clear(&l);

	/* The guest GPU and its audio function: nothing of the host's. */
	judge1(h, "06:00.0", &l);
	assert_int_equal(l.n, 0);
	refusal_list_clear(&l);
	judge1(h, "06:00.1", &l);
	assert_int_equal(l.n, 0);
	refusal_list_clear(&l);
}

/* Several devices: appended in their order, to what the list holds. */
static void test_many_appended(void **state)
{
	const struct host *h = ((struct fx *)*state)->h;
	struct refusal_list l = { 0 };
	size_t devs[] = { fixture_dev(h, "06:00.0"), fixture_dev(h, "05:00.0"), fixture_dev(h, "00:02.0") };

	assert_int_equal(refusal_list_add(&l, REFUSE_NONVIABLE, strdup("earlier")), 0);
	assert_int_equal(refusals_judge(h, devs, ARRAY_SIZE(devs), &l), 0);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.v[0].kind, REFUSE_NONVIABLE);
	assert_int_equal(l.v[1].kind, REFUSE_ROUTE);
	assert_int_equal(l.v[2].kind, REFUSE_DISPLAY);
	refusal_list_clear(&l);
	assert_int_equal(l.n, 0);
	assert_null(l.v);
	assert_int_equal(refusal_list_add(&l, REFUSE_MOUNT, NULL), -ENOMEM);
	assert_int_equal(l.n, 0);
}

/* A use that could not be read: every device refused for it, naming the
 * fact, but one already known to have it (its own message says more). */
static void test_unknown_fails_closed(void **state)
{
	struct host *h = ((struct fx *)*state)->h;
	struct refusal_list l;

	h->usage_unknown[PCI_USE_MOUNT] = strdup("/proc/self/mountinfo: absent");
	assert_non_null(h->usage_unknown[PCI_USE_MOUNT]);

	judge1(h, "06:00.0", &l);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].kind, REFUSE_MOUNT);
	assert_string_equal(l.v[0].msg, "cannot tell whether 0000:06:00.0 holds a mounted filesystem or swap of this "
					"host (/proc/self/mountinfo: absent)");
	refusal_list_clear(&l);

	judge1(h, "00:1f.2", &l);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].kind, REFUSE_MOUNT);
	assert_true(startswith(l.v[0].msg, "0000:00:1f.2 holds mounted filesystems"));
	refusal_list_clear(&l);

	/* The display GPU: both its display and the unknown mount. */
	judge1(h, "00:02.0", &l);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.v[0].kind, REFUSE_MOUNT);
	assert_int_equal(l.v[1].kind, REFUSE_DISPLAY);
	refusal_list_clear(&l);

	free(h->usage_unknown[PCI_USE_MOUNT]);
	h->usage_unknown[PCI_USE_MOUNT] = NULL;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_options),
		cmocka_unit_test_setup_teardown(test_each_kind, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_appended, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_fails_closed, setup, teardown),
	};

	fixtures = getenv("VFIOKIT_FIXTURES");
	if (!fixtures) {
		fprintf(stderr, "VFIOKIT_FIXTURES is not set\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
