/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unified diffs: fixed cases as diff -u prints them, and random edits whose
 * diff, applied to the old text by the applier below, gives the new text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "emit/diff.h"
#include "shared/macro.h"

static void test_cases(void **state)
{
	char *d;

	d = diff_unified("/etc/x", "a\nb\nc\n", "a\nb\nc\n");
	assert_string_equal(d, "");
	free(d);
	d = diff_unified("/etc/x", NULL, "one\ntwo\n");
	assert_string_equal(d, "--- /dev/null\n+++ /etc/x\n@@ -0,0 +1,2 @@\n+one\n+two\n");
	free(d);
	d = diff_unified("/etc/x", "one\n", NULL);
	assert_string_equal(d, "--- /etc/x\n+++ /dev/null\n@@ -1,1 +0,0 @@\n-one\n");
	free(d);
	d = diff_unified("/etc/default/grub", "A=1\nB=\"quiet splash\"\nC=3\n", "A=1\nB=\"quiet splash intel_iommu=on\"\nC=3\n");
	assert_string_equal(d, "--- /etc/default/grub\n+++ /etc/default/grub\n@@ -1,3 +1,3 @@\n A=1\n"
			       "-B=\"quiet splash\"\n+B=\"quiet splash intel_iommu=on\"\n C=3\n");
	free(d);
	d = diff_unified("f", "a\nb", "a\nc");
	assert_string_equal(d, "--- f\n+++ f\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n"
			       "\\ No newline at end of file\n");
	free(d);
}

/* Apply a unified diff to a (with no "No newline" markers); NULL if it does
 * not fit. */
static char *apply(const char *a, const char *d)
{
	char *out = calloc(1, strlen(a) + strlen(d) + 1), *w = out;
	const char *ap = a, *p = d;
	size_t aline = 1;

	p = strchr(p, '\n') + 1; /* --- */
	p = strchr(p, '\n') + 1; /* +++ */
	while (*p) {
		size_t as, ac, bs, bc;
		if (sscanf(p, "@@ -%zu,%zu +%zu,%zu @@", &as, &ac, &bs, &bc) != 4)
			return free(out), NULL;
		p = strchr(p, '\n') + 1;
		if (ac == 0)
			as++;
		while (aline < as) { /* copy unchanged lines */
			const char *e = strchr(ap, '\n');
			w = stpncpy(w, ap, (size_t)(e - ap + 1));
			ap = e + 1;
			aline++;
		}
		while (*p && *p != '@') {
			const char *e = strchr(p, '\n');
			size_t len = (size_t)(e - p);
			if (*p == ' ' || *p == '-') {
				if (strncmp(ap, p + 1, len - 1) != 0 || ap[len - 1] != '\n')
					return free(out), NULL;
				if (*p == ' ')
					w = stpncpy(w, ap, len);
				ap += len;
				aline++;
			} else if (*p == '+') {
				w = stpncpy(w, p + 1, len - 1);
				*w++ = '\n';
			}
			p = e + 1;
		}
	}
	strcpy(w, ap);
	return out;
}

static void test_random(void **state)
{
	srand(7);
	for (int round = 0; round < 300; round++) {
		char a[4096] = "", b[4096] = "";
		int na = rand() % 40, nb = 0;
		int la[64], lb[128];
		for (int i = 0; i < na; i++)
			la[i] = rand() % 8;
		/* b: a with random deletions, insertions and changes */
		for (int i = 0; i <= na && nb < 120; i++) {
			int r = rand() % 10;
			if (r == 0 && nb < 120)
				lb[nb++] = 100 + rand() % 5;
			if (i == na)
				break;
			if (r == 1)
				continue;
			lb[nb++] = r == 2 ? 200 + rand() % 3 : la[i];
		}
		for (int i = 0; i < na; i++)
			sprintf(a + strlen(a), "line %d\n", la[i]);
		for (int i = 0; i < nb; i++)
			sprintf(b + strlen(b), "line %d\n", lb[i]);
		char *d = diff_unified("f", a, b), *got;
		assert_non_null(d);
		if (!*d) {
			assert_string_equal(a, b);
			free(d);
			continue;
		}
		got = apply(a, d);
		if (!got || strcmp(got, b) != 0)
			fail_msg("round %d: diff does not give b\na:\n%s\nb:\n%s\ndiff:\n%s", round, a, b, d);
		free(got);
		free(d);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
