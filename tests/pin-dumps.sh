#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# tune pin on real machines' /sys trees (fixtures/cpus/hwloc-*.tar.gz from
# hwloc's tests/hwloc/linux, BSD-3-Clause; ghw-*.tar.gz from ghw's
# testdata, Apache-2.0; their licences beside them) and on two layouts made
# by fixtures/mkcpu.py (a 2-socket EPYC 7451, a 2-socket Xeon Gold 6230
# with sub-NUMA clustering), each with the pinning rule's answer stated
# outright: never CPU 0's core while the guest fits without it; the GPU's
# node first; one NUMA node whenever the guest fits in one, a warning when it
# cannot; the host keeps CPU 0's L3 domain if it still can; SMT siblings
# together; whole L3 domains; faster cores first (P/E-cores from
# cpu_capacity or acpi_cppc where cpu_core/cpu_atom are absent); CPU lists
# ending in a NUL byte read.
# usage: pin-dumps.sh VFIOKIT FIXTURES_DIR
set -u
vfiokit=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") fixtures=$(cd "$2" && pwd)
export LC_ALL=C NO_COLOR=1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
for d in "$fixtures"/cpus/hwloc-*.tar.gz "$fixtures"/cpus/ghw-*.tar.gz; do
	tar -xzf "$d" -C "$tmp" || exit 1
done
for t in epyc7451-2s xeon6230-snc2-2s; do
	python3 "$fixtures/mkcpu.py" "$fixtures/cpus/$t.lscpu" "$tmp/$t" || exit 1
done
# The EPYC's CPUs under the article's host, its GTX 970 (06:00.0) on node 3.
cp -a "$fixtures/hosts/article" "$tmp/epyc-gpu" && cp -a "$tmp/epyc7451-2s/sys" "$tmp/epyc-gpu/" || exit 1
for f in "$tmp"/epyc-gpu/sys/devices/pci0000:00/0000:00:1c.4/0000:06:00.*/numa_node; do echo 3 >"$f"; done

n=0 fail=0
echo "1..25"
# pin NAME HOST VCPUS GUEST WARNING [EXTRA ARGS]: exit 0, "guest CPUs: GUEST;",
# and the NUMA warning naming WARNING's nodes, or none when WARNING is "-".
pin() {
	name=$1 host=$2 vcpus=$3 guest=$4 warn=$5
	shift 5
	n=$((n + 1))
	"$vfiokit" tune pin --vcpus "$vcpus" --root "$tmp/$host" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	ok=1
	[ $rc = 0 ] && grep -q "^guest CPUs: $guest; " "$tmp/out" || ok=0
	if [ "$warn" = - ]; then
		! grep -q "do not fit in one NUMA node" "$tmp/err" || ok=0
	else
		grep -q "^vfiokit: warning: $vcpus vCPUs do not fit in one NUMA node .*the guest spans nodes $warn, " "$tmp/err" || ok=0
	fi
	if [ $ok = 1 ]; then
		echo "ok $n - $name"
	else
		echo "not ok $n - $name (exit $rc)"; grep -h "^guest CPUs\|warning" "$tmp/out" "$tmp/err" | sed 's/^/# /'; fail=1
	fi
}
# has NAME HOST ARGS... -- TEXT: the command's stdout holds the line TEXT.
has() {
	name=$1 host=$2
	shift 2
	n=$((n + 1))
	args=
	while [ "$1" != -- ]; do args="$args $1"; shift; done
	# shellcheck disable=SC2086
	if "$vfiokit" $args --root "$tmp/$host" 2>/dev/null | grep -qx -- "$2"; then
		echo "ok $n - $name"
	else
		echo "not ok $n - $name: no line '$2'"; fail=1
	fi
}

# EPYC 7451 x2: a node is 6 cores (12 CPUs) in two L3 domains of 3 cores.
pin "EPYC 7451: 8 vCPUs in node 1, one whole L3 domain and one core (not across nodes 0 and 1)" \
	epyc7451-2s 8 "6-9,54-57" -
pin "EPYC 7451: 12 vCPUs, the whole of node 1" epyc7451-2s 12 "6-11,54-59" -
pin "EPYC 7451: 16 vCPUs fit in no node: nodes 1 and 2, warned" epyc7451-2s 16 "6-13,54-61" "1, 2"
pin "EPYC 7451: 48 vCPUs: the second socket, 4 nodes, warned" epyc7451-2s 48 "24-47,72-95" "4, 5, 6, 7"
pin "EPYC 7451, the GPU on node 3: 8 vCPUs there" epyc-gpu 8 "18-21,66-69" - --gpu 0000:06:00.0
pin "EPYC 7451, the GPU on node 3: 16 vCPUs, node 3 whole, then node 1 of its package, warned" epyc-gpu 16 \
	"6-7,18-23,54-55,66-71" "3, 1" --gpu 0000:06:00.0
# Xeon Gold 6230 x2, SNC2: one L3 per socket over two nodes whose cores interleave.
pin "Xeon Gold 6230 SNC2: 12 vCPUs in node 2 alone (not nodes 2 and 3)" xeon6230-snc2-2s 12 "20-24,30,60-64,70" -
pin "Xeon Gold 6230 SNC2: 24 vCPUs, node 2 whole and then node 3, warned" xeon6230-snc2-2s 24 \
	"20-26,30-34,60-66,70-74" "2, 3"
# hwloc: 2 x Xeon Silver 4108, one node and one L3 per socket.
pin "Xeon Silver 4108 x2: 8 vCPUs in node 1; the host keeps socket 0's L3" hwloc-xeon4108-2s 8 "8-11,24-27" -
pin "Xeon Silver 4108 x2: 24 vCPUs, node 1 whole and then node 0, warned" hwloc-xeon4108-2s 24 \
	"1-4,8-15,17-20,24-31" "1, 0"
# hwloc: 4 x Opteron 6276, two nodes (one L3 each) a package.
pin "Opteron 6276 x4: 8 vCPUs, node 1" hwloc-opteron6276-4s 8 "8-15" -
pin "Opteron 6276 x4: 12 vCPUs in the two nodes of one package, warned (not nodes 1 and 2 of two packages)" \
	hwloc-opteron6276-4s 12 "16-27" "2, 3"
# hwloc: NVIDIA GB10, 10 Cortex-X925 and 10 Cortex-A725 told by cpu_capacity.
has "GB10: CPU 0 (capacity 718) is an E-core" hwloc-gb10 tune topology -- "  0    0     36    0  0 yes    0        E-core"
has "GB10: CPU 19 (capacity 1024) is a P-core" hwloc-gb10 tune topology -- " 19    0     36   19  1 yes    19       P-core"
pin "GB10: 4 vCPUs on the fastest X925 cores of the L3 the host leaves (not A725 cores 10-13)" hwloc-gb10 4 "15-17,19" -
# hwloc: i7-1370P on a kernel without cpu_core/cpu_atom: acpi_cppc highest_perf.
has "i7-1370P: CPU 12 (highest_perf 39) is an E-core" hwloc-i7-1370p tune topology -- " 12    0      0    6  0 yes    12       E-core"
pin "i7-1370P: 4 vCPUs on the favoured P-cores (highest_perf 67)" hwloc-i7-1370p 4 "4-5,8-9" -
# The same without acpi_cppc and cpufreq (no speeds at all): SMT on the
# P-cores only tells the kinds.
cp -a "$tmp/hwloc-i7-1370p" "$tmp/i7-nospeed" && rm -rf "$tmp"/i7-nospeed/sys/devices/system/cpu/cpu*/acpi_cppc \
	"$tmp"/i7-nospeed/sys/devices/system/cpu/cpu*/cpufreq "$tmp"/i7-nospeed/sys/devices/system/cpu/cpufreq || exit 1
has "i7-1370P without speeds: CPU 12 (no SMT sibling) is an E-core" i7-nospeed tune topology -- " 12    0      0    6  0 yes    12       E-core"
pin "i7-1370P without speeds: 12 vCPUs on the 5 P-cores the host leaves, then 2 E-cores" i7-nospeed 12 "2-13" -
# hwloc: 128-core ARM whose CPU lists end in a NUL byte.
pin "ARM 128 cores, CPU lists ending in NUL: pinned in node 1 (was refused)" hwloc-arm128 4 "32-35" -
# ghw: a real Ryzen 5 1600 (siblings n, n+6; two L3 domains).
pin "Ryzen 5 1600 (ghw): 4 vCPUs in the L3 domain the host leaves" ghw-ryzen1600 4 "3-4,9-10" -
# The Ryzen with AMD's preferred-core ranking in acpi_cppc highest_perf,
# climbing in steps from 166 to 221 (the slowest 75% of the fastest): one
# kind of core, the faster first.
cp -a "$tmp/ghw-ryzen1600" "$tmp/ryzen-cppc" || exit 1
for c in 0 1 2 3 4 5 6 7 8 9 10 11; do
	mkdir -p "$tmp/ryzen-cppc/sys/devices/system/cpu/cpu$c/acpi_cppc"
	set -- 166 176 186 196 211 221
	shift $((c % 6))
	echo "$1" >"$tmp/ryzen-cppc/sys/devices/system/cpu/cpu$c/acpi_cppc/highest_perf"
done
n=$((n + 1))
if "$vfiokit" tune topology --root "$tmp/ryzen-cppc" 2>/dev/null | grep -q "KIND\|E-core\|P-core"; then
	echo "not ok $n - Ryzen, preferred cores 166-221: told apart as P- and E-cores"; fail=1
else
	echo "ok $n - Ryzen, preferred cores 166-221: one kind of core"
fi
pin "Ryzen, preferred cores: 4 vCPUs on the two fastest cores of the L3 the host leaves" ryzen-cppc 4 "4-5,10-11" -
# A NUL inside a CPU list is still not a list: refused, named.
n=$((n + 1))
printf '0\0003\n' >"$tmp/hwloc-arm128/sys/devices/system/cpu/cpu0/topology/thread_siblings_list"
printf '1\0008\n' >"$tmp/hwloc-arm128/sys/devices/system/cpu/cpu0/topology/thread_siblings"
"$vfiokit" tune pin --vcpus 4 --root "$tmp/hwloc-arm128" >"$tmp/out" 2>"$tmp/err"
if [ $? = 1 ] && grep -q "cannot tell which CPUs share a core or a cache: /sys/devices/system/cpu/cpu0/topology/thread_siblings_list: holds NUL bytes" "$tmp/err" &&
	[ ! -s "$tmp/out" ]; then
	echo "ok $n - a NUL inside a CPU list: refused, the file named"
else
	echo "not ok $n - a NUL inside a CPU list"; sed 's/^/# /' "$tmp/err" | tail -3; fail=1
fi
# An online CPU whose cpuN directory is absent (the largest number there
# can be): its topology cannot be read; refused, named, no crash.
n=$((n + 1))
echo 0-95,8191 >"$tmp/epyc7451-2s/sys/devices/system/cpu/online"
"$vfiokit" tune pin --vcpus 8 --root "$tmp/epyc7451-2s" >"$tmp/out" 2>"$tmp/err"
if [ $? = 1 ] && grep -q "cannot tell which CPUs share a core or a cache: /sys/devices/system/cpu/cpu8191: absent, but /sys/devices/system/cpu/online lists the CPU" "$tmp/err" &&
	[ ! -s "$tmp/out" ]; then
	echo "ok $n - an online CPU without its directory: refused, named"
else
	echo "not ok $n - an online CPU without its directory"; sed 's/^/# /' "$tmp/err" | tail -3; fail=1
fi
exit $fail
