#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The single-GPU handover of a boot framebuffer, on a real kernel: one boot
# of Debian's kernel through OVMF (boot-q35.sh's efifb machine: q35,
# intel-iommu, the std VGA + HDA at 00:06.0/.1, bochs not loaded, so that
# the console is fbcon on efifb inside the VGA's BAR 0). guest-efifb.sh runs
# vfiokit as root; check-efifb.py judges the serial log.
# usage: efifb.sh BUILD_DIR     (prints TAP)
set -u
build=$1
here=$(cd "$(dirname "$0")" && pwd)
command -v qemu-system-x86_64 >/dev/null && [ -x /bin/busybox ] || { echo "1..0 # SKIP qemu-system-x86 or busybox-static missing"; exit 0; }
[ -f /usr/share/OVMF/OVMF_CODE_4M.fd ] || [ -f /usr/share/OVMF/OVMF_CODE.fd ] || { echo "1..0 # SKIP ovmf missing"; exit 0; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
start=$(date +%s)
if ! sh "$here/boot-q35.sh" "$build" "$here/guest-efifb.sh" "$tmp/log" efifb 2>"$tmp/boot"; then
	echo "1..1"; echo "not ok 1 - the guest ran guest-efifb.sh to the end"; sed 's/^/# /' "$tmp/boot"; exit 1
fi
echo "# $(cat "$tmp/boot"); whole test $(( $(date +%s) - start )) s"
python3 "$here/check-efifb.py" "$tmp/log"
rc=$?
[ $rc -eq 0 ] || sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g; s/^/# /' "$tmp/log" | tail -80
exit $rc
