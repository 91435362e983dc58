/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The article's dump ("echo 1 > rom; cat rom > image.rom; echo 0 > rom"),
 * with the last step guaranteed. */
#include <signal.h>

#include "shared/macro.h"
#include "apply/romdump.h"

int rom_read_device(struct path_root *root, const char *device, uint8_t **ret, size_t *len, struct error *err)
{
	_cleanup_free_ char *rel = strdupf("sys/bus/pci/devices/%s/rom", device);
	bool live = path_root_is_live(root);
	sigset_t hold, old;
	int k, d = 0;

	if (!rel)
		return -ENOMEM;
	if (!live) {
		k = path_read_binary(root, rel, ROM_READ_MAX, ret, len);
		if (k < 0)
			k = error_set(err, k, ERROR_FAILED, "cannot read /%s: %s", rel, path_strerror(k));
		return k;
	}
	sigemptyset(&hold);
	sigaddset(&hold, SIGINT);
	sigaddset(&hold, SIGTERM);
	sigaddset(&hold, SIGHUP);
	sigaddset(&hold, SIGQUIT);
	sigprocmask(SIG_BLOCK, &hold, &old);
	k = path_write_attr(root, rel, "1");
	if (k < 0)
		k = error_set(err, k, ERROR_FAILED,
			      k == -ENOENT ? "%s has no option ROM (no rom file in sysfs)" :
					     "cannot enable the ROM of %s: %s",
			      device, strerror(-k));
	else {
		k = path_read_binary(root, rel, ROM_READ_MAX, ret, len);
		if (k < 0)
			k = error_set(err, k, ERROR_FAILED, "cannot read the ROM of %s: %s%s", device, path_strerror(k),
				      k == -EIO ? " (the kernel found no valid ROM image, the card is suspended, or "
						  "its driver disabled the ROM: dump it before a driver binds)" :
						  "");
		d = path_write_attr(root, rel, "0");
		if (d < 0 && k >= 0) {
			k = error_set(err, d, ERROR_FAILED, "read the ROM of %s, but cannot disable it again: %s",
				      device, strerror(-d));
			free(*ret);
			*ret = NULL;
		}
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	return k;
}
