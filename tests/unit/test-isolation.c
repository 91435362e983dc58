/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * isolation_group_blockers(), the one walk of an IOMMU group for VFIO's
 * viability that verify and bind share, on the fixture hosts (see
 * tests/fixtures/specs): which members keep VFIO from handing the group to a
 * guest once the given devices are on vfio-pci.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "host/host.h"
#include "plan/isolation.h"

#include "fixture-host.h"

static const char *fixtures;

static struct host *load(const char *name, struct path_root **root)
{
	_cleanup_free_ char *dir = strdupf("%s/%s", fixtures, name);
	struct host *h = NULL;

	assert_non_null(dir);
	assert_int_equal(path_root_open(dir, root), 0);
	assert_int_equal(host_load(*root, HOST_LOAD_PCI, &h), 0);
	return h;
}

/* The blockers of group n with taken (addresses, NULL-terminated) on
 * vfio-pci, as "addr,addr" ("" when none), and the missing count. */
static char *blockers(const struct host *h, int n, const char *const *taken, size_t *nmissing)
{
	const struct iommu_group *g = host_find_group(h, n);
	struct group_blockers b;
	size_t idx[8], nt = 0;
	char *s = strdup("");

	assert_non_null(g);
	for (; taken && taken[nt]; nt++) {
		assert_true(nt < ARRAY_SIZE(idx));
		idx[nt] = fixture_dev(h, taken[nt]);
	}
	assert_int_equal(isolation_group_blockers(h, g, idx, nt, &b), 0);
	for (size_t i = 0; i < b.ndevs; i++) {
		char *t = strdupf("%s%s%s", s, *s ? "," : "", h->pci[b.devs[i]].name);
		assert_non_null(t);
		free(s);
		s = t;
	}
	assert_ptr_equal(b.missing, &g->missing);
	*nmissing = b.missing->n;
	group_blockers_clear(&b);
	assert_null(b.devs);
	assert_non_null(s);
	return s;
}

#define EXPECT(h, n, want, nmiss, ...)                                                  \
	do {                                                                            \
		static const char *const taken_[] = { __VA_ARGS__ };                    \
		size_t m_;                                                              \
		char *got_ = blockers(h, n, taken_, &m_);                               \
		assert_string_equal(got_, want);                                        \
		assert_int_equal(m_, nmiss);                                            \
		free(got_);                                                             \
	} while (0)

/* The article's machine: group 13 (GTX 970 on nouveau, its audio on
 * snd_hda_intel), group 1 (a root port on pcieport, the GTX 750 and its
 * audio), group 0 (the host bridge on ie31200_edac). */
static void test_article(void **state)
{
	struct path_root *root;
	struct host *h = load("article", &root);

	(void)state;
	EXPECT(h, 13, "0000:06:00.0,0000:06:00.1", 0, NULL);
	EXPECT(h, 13, "0000:06:00.1", 0, "0000:06:00.0", NULL);
	EXPECT(h, 13, "", 0, "06:00.0", "06:00.1", NULL);
	/* A root port on pcieport stays on the host; VFIO accepts it. */
	EXPECT(h, 1, "", 0, "01:00.0", "01:00.1", NULL);
	EXPECT(h, 1, "0000:01:00.1", 0, "01:00.0", NULL);
	/* A bridge counts by its driver like any member: the host bridge on
	 * ie31200_edac keeps group 0 from a guest unless it is taken too. */
	EXPECT(h, 0, "0000:00:00.0", 0, NULL);
	EXPECT(h, 0, "", 0, "00:00.0", NULL);
	/* A device taken in another group changes nothing here. */
	EXPECT(h, 11, "0000:00:1f.0,0000:00:1f.2,0000:00:1f.3", 0, "06:00.0", NULL);
	host_free(h);
	path_root_free(root);
}

/* After bind: group 13 all on vfio-pci, with nothing taken. */
static void test_vfio_bound(void **state)
{
	struct path_root *root;
	struct host *h = load("vfio-bound", &root);

	(void)state;
	EXPECT(h, 13, "", 0, NULL);
	EXPECT(h, 1, "", 0, NULL);
	host_free(h);
	path_root_free(root);
}

/* A driverless boot GPU beside its audio on snd_hda_intel (shared-group's
 * group 3); the malformed host's group 1 lists two members absent from
 * /sys/bus/pci, whose drivers cannot be read: they block whatever is taken. */
static void test_none_and_missing(void **state)
{
	struct path_root *root;
	struct host *h = load("shared-group", &root);

	(void)state;
	EXPECT(h, 3, "0000:0a:00.1", 0, NULL);
	EXPECT(h, 3, "", 0, "0a:00.1", NULL);
	host_free(h);
	path_root_free(root);

	h = load("malformed", &root);
	EXPECT(h, 1, "0000:00:01.0", 2, NULL);
	EXPECT(h, 1, "", 2, "00:01.0", NULL);
	EXPECT(h, 1, "", 2, "00:01.0", "00:06.0", NULL);
	host_free(h);
	path_root_free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_article),
		cmocka_unit_test(test_vfio_bound),
		cmocka_unit_test(test_none_and_missing),
	};

	fixtures = getenv("VFIOKIT_FIXTURES");
	if (!fixtures) {
		fprintf(stderr, "VFIOKIT_FIXTURES is not set\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
