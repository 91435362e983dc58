#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# verify (after the reboot) and bind (before the binds) judge a group's
# viability by the one walk, isolation_group_blockers(): a bridge counts by
# its driver like any member (a host bridge on an EDAC driver keeps the group
# from a guest), and a member the group lists but /sys/bus/pci lacks is
# refused, its driver unknown (fail closed). Machine copies of
# tests/fixtures/hosts.
# usage: viability.sh VFIOKIT FIXTURES_DIR
set -u
vfiokit=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") fixtures=$(cd "$2" && pwd)
export LC_ALL=C NO_COLOR=1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
n=0 fail=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; [ -n "${3-}" ] && sed 's/^/# /' "$3"; fi; }
echo "1..5"

# vfio-bound: group 1 (root port on pcieport, the GTX 750 and its audio on
# vfio-pci), named to vfio-pci on the command line.
cp -a "$fixtures/hosts/vfio-bound" "$tmp/v"
sed -i 's/$/ vfio-pci.ids=10de:1381,10de:0fbc/' "$tmp/v/proc/cmdline"
"$vfiokit" verify --root "$tmp/v" >"$tmp/out" 2>&1
ok $? "verify: group 1 with its root port on pcieport is viable" "$tmp/out"

# The host bridge (ie31200_edac) in group 1 too, as on Xeon E3-1200 boards
# whose CPU root port has no ACS: the kernel does not hand the group over.
g="$tmp/v/sys/kernel/iommu_groups"
rm -r "$g/0"
ln -s ../../../../devices/pci0000:00/0000:00:00.0 "$g/1/devices/0000:00:00.0"
ln -sfn ../../../kernel/iommu_groups/1 "$tmp/v/sys/devices/pci0000:00/0000:00:00.0/iommu_group"
"$vfiokit" verify --root "$tmp/v" >"$tmp/out" 2>&1
rc=$?
[ $rc = 1 ] && grep -q "IOMMU group 1 is not viable: it also holds 0000:00:00.0 (on ie31200_edac)," "$tmp/out"
ok $? "verify: a host bridge on ie31200_edac in the group makes it not viable (exit $rc)" "$tmp/out"

# article: group 13 lists a member absent from /sys/bus/pci.
cp -a "$fixtures/hosts/article" "$tmp/a"
ln -s ../../../../devices/pci0000:00/0000:00:1c.4/0000:06:00.7 "$tmp/a/sys/kernel/iommu_groups/13/devices/0000:06:00.7"
"$vfiokit" bind --dry-run 06:00.0 --root "$tmp/a" >"$tmp/out" 2>&1
rc=$?
[ $rc = 1 ] && grep -qxF "vfiokit: refused: group 13 may not be viable: it lists 0000:06:00.7, which is not in /sys/bus/pci, so whether its driver lets VFIO hand the group to a guest cannot be told. To do it anyway: --allow-nonviable" "$tmp/out"
ok $? "bind: a group member absent from /sys/bus/pci is refused, naming it (exit $rc)" "$tmp/out"
"$vfiokit" bind --dry-run --allow-nonviable 06:00.0 --root "$tmp/a" >"$tmp/out" 2>&1
rc=$?
[ $rc = 0 ] && grep -q "warning: group 13 may not be viable: it lists 0000:06:00.7" "$tmp/out"
ok $? "bind: --allow-nonviable lifts it, said as a warning (exit $rc)" "$tmp/out"
rm "$tmp/a/sys/kernel/iommu_groups/13/devices/0000:06:00.7"
"$vfiokit" bind --dry-run 06:00.0 --root "$tmp/a" >"$tmp/out" 2>&1
ok $? "bind: without it, group 13 is bound whole" "$tmp/out"
exit $fail
