#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# vfiokit handover take|give --dry-run on copies of the single-gpu machine:
# the steps in order, the refusals (another process holding the GPU, a
# device already taken, a record that is not take's), the note for a
# device that is not a display, usage errors; the copy never changes.
# (The steps themselves, with a failure at each: tests/unit/test-handover.c;
# on a real kernel: tests/e2e/guest-bind.sh.)
# usage: handover.sh VFIOKIT FIXTURES
set -u
sh "$(dirname "$0")/fixtures/restore-empty-dirs.sh"
vfiokit=$1 fixtures=$2
export LC_ALL=C NO_COLOR=1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
n=0
ok() { # ok STATUS NAME [FILE shown on failure]
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		[ -n "${3:-}" ] && [ -f "$3" ] && sed 's/^/# /' "$3" | head -40
	fi
	return 0
}
run() { timeout 10 "$vfiokit" "$@" >"$tmp/out" 2>"$tmp/err"; rc=$?; cat "$tmp/out" "$tmp/err" >"$tmp/all"; }
h="$tmp/h"
cp -a "$fixtures/single-gpu" "$h"
echo "1..11"

run handover take 00:06.0 --dry-run --root "$h"
[ "$rc" = 1 ] && grep -q "refused: 0000:00:06.0: pid 1433 (firefox-esr, .*) has /dev/dri/renderD128 open, which take does not stop. To take it anyway: --ignore-holders" "$tmp/err" &&
	grep -q "nothing was changed" "$tmp/err" && ! [ -s "$tmp/out" ]
ok $? "take refuses while another process holds the GPU, naming it" "$tmp/all"

run handover take 00:06.0 --dry-run --ignore-holders --root "$h"
cat >"$tmp/want" <<'X'
 1. save /run/vfiokit/handover/0000:00:06.0 (what 'vfiokit handover give' and a rollback undo)
 2. timeout 30 systemctl stop lightdm.service
 3. echo 0 > /sys/class/vtconsole/vtcon1/bind
 4. echo efi-framebuffer.0 > /sys/bus/platform/drivers/efi-framebuffer/unbind
 5. bind the IOMMU group of 0000:00:06.0 (10 steps of 'vfiokit bind')
X
[ "$rc" = 0 ] && head -5 "$tmp/out" | diff "$tmp/want" - >"$tmp/d" &&
	grep -q "^      echo 0000:00:06.0 > /sys/bus/pci/drivers/bochs-drm/unbind$" "$tmp/out" &&
	grep -q "drives a display of this host (it is the boot GPU).*: take hands this over$" "$tmp/err"
ok $? "take --dry-run: state, display manager, fbcon, efifb, then bind's steps" "$tmp/all"

rm -rf "$h/proc/1433"
run handover take 00:06.0 --dry-run --root "$h"
[ "$rc" = 0 ] && grep -q "^ 5. bind the IOMMU group" "$tmp/out"
ok $? "only the display manager's Xorg holds it: take plans without --ignore-holders" "$tmp/all"

rm "$h/etc/systemd/system/display-manager.service"
run handover take 00:06.0 --dry-run --root "$h"
[ "$rc" = 1 ] && grep -q "refused: 0000:00:06.0: pid 812 (Xorg, lightdm.service)" "$tmp/err"
ok $? "no display manager is no error; its Xorg is then a holder like any other" "$tmp/all"
rm -rf "$h" && cp -a "$fixtures/single-gpu" "$h" && rm -rf "$h/proc/1433"

run handover take 00:03.0 --dry-run --root "$h"
[ "$rc" = 0 ] && grep -q "0000:00:03.0 is not a display device: take binds its IOMMU group to vfio-pci" "$tmp/err" &&
	grep -q "echo 0000:00:03.0 > /sys/bus/pci/drivers/e1000e/unbind" "$tmp/out" && ! grep -q systemctl "$tmp/out"
ok $? "a device that is not a display: take says what it does" "$tmp/all"

mkdir -p "$h/run/vfiokit/handover"
printf 'vfiokit handover 1\ndevice=0000:00:06.0\nunit=lightdm.service\nvtcon=vtcon1\nbootfb=efi-framebuffer.0 efi-framebuffer\n' \
	>"$h/run/vfiokit/handover/0000:00:06.0"
run handover take 00:06.0 --dry-run --root "$h"
[ "$rc" = 1 ] && grep -q "0000:00:06.0 is already taken ('vfiokit handover give 0000:00:06.0' gives it back)" "$tmp/err"
ok $? "take on a taken device says so" "$tmp/all"

run handover give 00:06.0 --dry-run --root "$h"
[ "$rc" = 0 ] && grep -q "^ 1. unbind the IOMMU group of 0000:00:06.0" "$tmp/out" &&
	grep -q "^ 2. echo 1 > /sys/class/vtconsole/vtcon1/bind$" "$tmp/out" &&
	grep -q "^ 3. timeout 30 systemctl start lightdm.service$" "$tmp/out" &&
	grep -q "^ 4. rm /run/vfiokit/handover/0000:00:06.0$" "$tmp/out" &&
	grep -q "the boot framebuffer efi-framebuffer.0 stays released" "$tmp/err"
ok $? "give --dry-run: the reverse, from the record" "$tmp/all"

printf 'vfiokit handover 1\ndevice=0000:00:06.0\nunit=lightdm.service; reboot\n' >"$h/run/vfiokit/handover/0000:00:06.0"
run handover give 00:06.0 --dry-run --root "$h"
[ "$rc" = 1 ] && grep -q "run/vfiokit/handover/0000:00:06.0: line 3 is not as 'vfiokit handover take' writes it" "$tmp/err" &&
	! [ -s "$tmp/out" ]
ok $? "give refuses a record that is not take's, naming the line" "$tmp/all"
rm -rf "$h/run"

run handover give 00:06.0 --dry-run --root "$h"
[ "$rc" = 1 ] && grep -q "0000:00:06.0 was not taken by 'vfiokit handover take'" "$tmp/err"
ok $? "give of a device not taken says so" "$tmp/all"

bad=""
for args in "handover" "handover take" "handover swap 00:06.0" "handover take zz" "handover give 00:06.0 --ignore-holders" \
	"handover take 00:06.0 --bogus"; do
	# shellcheck disable=SC2086
	run $args --dry-run --root "$h"
	[ "$rc" = 2 ] || bad="$bad [$args: $rc]"
done
run handover take 00:06.0 --root "$h"
[ "$rc" = 2 ] && grep -q "is a copy of a machine: it can only be planned for (add --dry-run)" "$tmp/err" || bad="$bad [no --dry-run]"
echo "$bad" >"$tmp/bad"
[ -z "$bad" ]
ok $? "usage errors exit 2; a copy is only planned for" "$tmp/bad"

cp -a "$fixtures/single-gpu" "$tmp/ref" && rm -rf "$tmp/ref/proc/1433"
diff -r --no-dereference "$tmp/ref" "$h" >"$tmp/d" 2>&1
ok $? "the copy is unchanged" "$tmp/d"
