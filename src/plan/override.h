/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once
/*
 * The article's driver_override script ("Using identical guest and host
 * GPUs"), installed as OVERRIDE_SCRIPT: modprobe runs it for vfio-pci (the
 * install line of vfio.conf), and it gives vfio-pci these devices by
 * address. Templates src/emit/scripts/vfio-pci-override.sh.in and
 * initramfs-tools-hook.sh.in.
 */

/* The script for devs, PCI addresses separated by spaces. Heap text in
 * *ret. 0; -ENOMEM; -EINVAL: devs holds a byte no PCI address has. */
int override_script(const char *devs, char **ret);
/* initramfs-tools' hook that copies the script into the image. */
int override_initramfs_hook(char **ret);
