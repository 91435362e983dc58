#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# tune pin refuses when part of the CPU topology cannot be read (an online
# CPU's SMT siblings, package or L3 cache missing or garbage): cores or L3
# domains guessed would pin vCPUs beside the host's threads. The refusal
# names the CPU's file and what was wrong; a fully readable topology (and
# offline CPUs without a topology directory) still pins. Trees made by
# fixtures/mkcpu.py from the article's i7-8700K table, one file changed;
# last, one with no cpuN directory at all.
# usage: pin-unknown.sh VFIOKIT FIXTURES_DIR
set -u
vfiokit=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") fixtures=$(cd "$2" && pwd)
export LC_ALL=C NO_COLOR=1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
n=0 fail=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; [ -n "${3-}" ] && sed 's/^/# /' "$3" | head -20; fi; }
python3 "$fixtures/mkcpu.py" "$fixtures/cpus/article-i7-8700k.lscpu" "$tmp/base" || exit 1
python3 "$fixtures/mkcpu.py" "$fixtures/cpus/i7-8700k-offline.lscpu" "$tmp/offline" || exit 1
cpu=sys/devices/system/cpu
echo "1..10"

for c in base offline; do
	"$vfiokit" tune pin --vcpus 4 --root "$tmp/$c" >"$tmp/out" 2>"$tmp/err"
	[ $? = 0 ] && grep -q "<vcpupin vcpu=\"3\"" "$tmp/out" && ! grep -q "cannot tell" "$tmp/err"
	ok $? "$c: the whole topology readable (offline CPUs have no topology directory): pinned" "$tmp/err"
done

# case NAME CHANGE MESSAGE: CHANGE is evaluated in a fresh copy ($c).
case_() {
	rm -rf "$tmp/c" && cp -a "$tmp/base" "$tmp/c" && c="$tmp/c"
	eval "$2"
	"$vfiokit" tune pin --vcpus 4 --root "$c" >"$tmp/out" 2>"$tmp/err"
	[ $? = 1 ] && grep -qF "vfiokit: cannot tell which CPUs share a core or a cache: /$3" "$tmp/err" && [ ! -s "$tmp/out" ]
	ok $? "$1: refused, naming /$3" "$tmp/err"
}
case_ "cpu3's SMT siblings absent" 'rm "$c/$cpu"/cpu3/topology/thread_siblings_list "$c/$cpu"/cpu3/topology/core_cpus_list' \
	"$cpu/cpu3/topology/thread_siblings_list: absent (nor thread_siblings, core_cpus_list)"
case_ "cpu3's SMT siblings garbage" 'echo 3-x >"$c/$cpu"/cpu3/topology/thread_siblings_list' \
	"$cpu/cpu3/topology/thread_siblings_list: not a CPU list"
case_ "cpu3's SMT siblings without cpu3" 'echo 4,10 >"$c/$cpu"/cpu3/topology/thread_siblings_list' \
	"$cpu/cpu3/topology/thread_siblings_list: does not hold cpu3"
case_ "cpu7's package garbage" 'echo socket0 >"$c/$cpu"/cpu7/topology/physical_package_id' \
	"$cpu/cpu7/topology/physical_package_id: not a number"
case_ "cpu7's package absent" 'rm "$c/$cpu"/cpu7/topology/physical_package_id' \
	"$cpu/cpu7/topology/physical_package_id: absent"
case_ "cpu2's L3 CPUs garbage" 'echo zz >"$c/$cpu"/cpu2/cache/index3/shared_cpu_list' \
	"$cpu/cpu2/cache/index3/shared_cpu_list: not a CPU list"
case_ "cpu2's cache level absent" 'rm "$c/$cpu"/cpu2/cache/index3/level' \
	"$cpu/cpu2/cache/index3/level: absent"
# No cpuN directory at all (an empty list to sort: UBSan in make check's
# second run aborts on qsort of a null array).
rm -rf "$tmp/c" && cp -a "$tmp/base" "$tmp/c" && rm -rf "$tmp/c/$cpu"/cpu[0-9]*
"$vfiokit" tune pin --vcpus 4 --root "$tmp/c" >"$tmp/out" 2>"$tmp/err"
[ $? = 1 ] && grep -qF "vfiokit: no CPU topology: /sys/devices/system/cpu lists no online CPU" "$tmp/err" && [ ! -s "$tmp/out" ]
ok $? "no cpuN directory: refused, no CPU named, no crash" "$tmp/err"
exit $fail
