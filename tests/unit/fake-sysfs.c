/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The imitation of the kernel's PCI driver core that the rebind and
 * handover tests run their steps against (fake-sysfs.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shared/macro.h"
#include "fake-sysfs.h"

char *fake_root;
long fake_ops, fake_fail_at;
int fake_fail_with;
const char *(*fake_probe_default)(const char *dev);

void fake_copy(const char *fixtures, const char *host, int group)
{
	_cleanup_free_ char *cmd = NULL;

	free(fake_root);
	fake_root = strdup("/tmp/vfiokit-fake-sysfs-XXXXXX");
	assert_non_null(fake_root);
	assert_non_null(mkdtemp(fake_root));
	cmd = strdupf("cp -a '%s/%s/.' '%s' && mkdir -p '%s/sys/bus/pci/drivers/vfio-pci' '%s/dev/vfio' && "
		      ": >'%s/dev/vfio/%d'",
		      fixtures, host, fake_root, fake_root, fake_root, fake_root, group);
	assert_non_null(cmd);
	assert_int_equal(system(cmd), 0);
}

void fake_remove(void)
{
	_cleanup_free_ char *cmd = strdupf("rm -rf '%s'", fake_root);

	assert_non_null(cmd);
	assert_int_equal(system(cmd), 0);
}

char *fake_abs(const char *rel)
{
	char *s = strdupf("%s/%s", fake_root, rel);

	assert_non_null(s);
	return s;
}

void fake_write_text(const char *rel, const char *text)
{
	_cleanup_free_ char *abs = fake_abs(rel);
	FILE *f = fopen(abs, "w");

	assert_non_null(f);
	fprintf(f, "%s\n", text);
	fclose(f);
}

void fake_set_link(const char *rel, const char *target)
{
	_cleanup_free_ char *abs = fake_abs(rel);

	(void)unlink(abs);
	if (target)
		assert_int_equal(symlink(target, abs), 0);
}

void fake_set_driver(const char *dev, const char *driver)
{
	_cleanup_free_ char *link = strdupf("sys/bus/pci/devices/%s/driver", dev);
	_cleanup_free_ char *target = strdupf("../../../../bus/pci/drivers/%s", driver);

	assert_non_null(link);
	assert_non_null(target);
	fake_set_link(link, *driver ? target : NULL);
}

bool fake_fires(void)
{
	return ++fake_ops == fake_fail_at;
}

/* dev's driver_override as stored: "" for none ("(null)", as the kernel
 * shows it, or empty). */
static void read_override(const char *dev, char *buf, size_t size)
{
	_cleanup_free_ char *rel = strdupf("sys/bus/pci/devices/%s/driver_override", dev);
	_cleanup_free_ char *abs = fake_abs(rel);
	FILE *f = fopen(abs, "r");

	assert_non_null(f);
	if (!fgets(buf, (int)size, f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	if (streq(buf, "(null)"))
		buf[0] = '\0';
}

int fake_pci_write(const char *rel, const char *value)
{
	_cleanup_free_ char *v = strndup(value, strcspn(value, "\n"));
	const char *base = strrchr(rel, '/');

	assert_non_null(v);
	assert_non_null(base);
	base++;
	if (streq(base, "driver_override")) {
		fake_write_text(rel, *v ? v : "(null)");
		return 0;
	}
	if (streq(base, "unbind")) {
		fake_set_driver(v, "");
		return 0;
	}
	if (streq(base, "bind")) {
		_cleanup_free_ char *drv = strndup(rel + strlen("sys/bus/pci/drivers/"),
						   strlen(rel) - strlen("sys/bus/pci/drivers/") - strlen("/bind"));
		assert_non_null(drv);
		fake_set_driver(v, drv);
		return 0;
	}
	if (streq(rel, "sys/bus/pci/drivers_probe")) {
		char ov[64];
		const char *drv;

		read_override(v, ov, sizeof(ov));
		drv = *ov ? ov : fake_probe_default ? fake_probe_default(v) : NULL;
		if (!drv)
			return -ENODEV;
		fake_set_driver(v, drv);
		return 0;
	}
	fail_msg("unexpected write to %s", rel);
	return -EINVAL;
}
