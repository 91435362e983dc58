#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Hygon (HygonGenuine, the Dhyana family) is AMD's Zen: AMD-V, AMD-Vi and an
# IVRS table. check, setup, vm create and tune must judge it exactly as they
# judge AuthenticAMD: the same output for the same machine, vendor aside.
# usage: cpu-vendor.sh VFIOKIT FIXTURES
set -u
vfiokit=$(realpath "$1") fixtures=$(realpath "$2")
export LC_ALL=C NO_COLOR=1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); echo "not ok $n - $1"; [ -s "$tmp/why" ] && sed 's/^/# /' "$tmp/why"; }

# An AMD machine (shared-group) with the article's Ryzen 5 1600 topology,
# and the same machine with a Hygon CPU.
cp -a "$fixtures/hosts/shared-group" "$tmp/amd" || exit 1
python3 "$fixtures/mkcpu.py" "$fixtures/cpus/article-ryzen5-1600.lscpu" "$tmp/amd" || exit 1
grep -q '^vendor_id.*AuthenticAMD' "$tmp/amd/proc/cpuinfo" || exit 1
# vm refuses a guest whose fit in RAM it cannot tell: give the copy its RAM.
printf 'MemTotal:       16363840 kB\nMemAvailable:   12000000 kB\n' >"$tmp/amd/proc/meminfo"
cp -a "$tmp/amd" "$tmp/hygon"
sed -i 's/AuthenticAMD/HygonGenuine/' "$tmp/hygon/proc/cpuinfo"

# NAME|ARGS|PATTERN the AMD judgement shows in the output
cases='
check|check|WARN  IOMMU kernel parameters fit the firmware.s IOMMU amd_iommu=on is not a value
setup|setup --gpu 0a:00.0 --allow-display|remove it where it is set
vm create|vm create win10 --gpu 0a:00.0 --allow-display --vcpus 6 --pin --memory 2G|name="topoext"
tune|tune pin --vcpus 6 --xml|name="topoext"
'
echo "1..4"
while IFS='|' read -r name args pat; do
	[ -n "$name" ] || continue
	for cpu in amd hygon; do
		# shellcheck disable=SC2086
		(cd "$tmp" && "$vfiokit" $args --root "$cpu" >"$tmp/$cpu.out" 2>&1; echo "exit $?" >>"$tmp/$cpu.out")
	done
	sed 's/HygonGenuine/AuthenticAMD/g' "$tmp/hygon.out" | diff -u "$tmp/amd.out" - >"$tmp/why"
	if [ ! -s "$tmp/why" ] && grep -q "$pat" "$tmp/hygon.out"; then ok "$name: Hygon is judged as AMD"
	else echo "hygon output lacks '$pat' or differs" >>"$tmp/why"; nok "$name: Hygon is judged as AMD"; fi
done <<EOF
$cases
EOF
