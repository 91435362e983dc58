#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# vfiokit tune on real CPU topologies: the article's two `lscpu -e` tables
# (made into /sys by fixtures/mkcpu.py) and real machines' /sys dumps from
# util-linux's test suite (fixtures/cpus/*.tar.gz). Golden outputs in
# tests/expected/cpus/HOST/NAME.out; --update rewrites them.
# usage: tune.sh VFIOKIT FIXTURES_DIR EXPECTED_DIR [--update]
set -u
vfiokit=$1 fixtures=$2 expected=$3 update=${4:-}
export LC_ALL=C NO_COLOR=1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
for t in "$fixtures"/cpus/*.lscpu; do
	name=$(basename "$t" .lscpu)
	python3 "$fixtures/mkcpu.py" "$t" "$tmp/$name" || exit 1
done
for d in "$fixtures"/cpus/*.tar.gz; do
	tar -xzf "$d" -C "$tmp" || exit 1
done
# Memory for the i7-1165G7 dump (it has pdpe1gb and intel_pstate): a real
# /proc/meminfo of a 24 GiB Debian 12 machine, THP in madvise mode, no 2 MiB
# pages and eight 1 GiB pages reserved at boot.
m="$tmp/x86_64-64cpu-linux6.2"
mkdir -p "$m/sys/kernel/mm/transparent_hugepage" "$m/sys/kernel/mm/hugepages/hugepages-2048kB" \
	"$m/sys/kernel/mm/hugepages/hugepages-1048576kB"
cp "$fixtures/cpus/meminfo-24g" "$m/proc/meminfo"
echo "always [madvise] never" >"$m/sys/kernel/mm/transparent_hugepage/enabled"
echo 0 >"$m/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages"
echo 0 >"$m/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages"
echo 8 >"$m/sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages"
echo 8 >"$m/sys/kernel/mm/hugepages/hugepages-1048576kB/free_hugepages"

cases="
*|topology|topology
*|status|status
*|topology-json|topology -J -o CPU,NODE,SOCKET,DIE,CORE,COREID,L3,ONLINE,SIBLINGS,L3CPUS
article-ryzen5-1600|pin-6|pin --vcpus 6
article-ryzen5-1600|pin-8|pin --vcpus 8
article-ryzen5-1600|pin-xml|pin --vcpus 6 --iothreads 1 --xml
article-i7-8700k|pin-10|pin --vcpus 10
article-i7-8700k|pin-4|pin --vcpus 4
article-i7-8700k|pin-5|pin --vcpus 5
article-i7-8700k|pin-12|pin --vcpus 12
article-i7-8700k|pin-host|pin --vcpus 3 --host-cpus 0
article-i7-8700k|pin-13|pin --vcpus 13
article-i7-8700k|pin-host-outside|pin --vcpus 2 --host-cpus 0,12
i7-8700k-offline|pin-8|pin --vcpus 8
i7-8700k-offline|pin-11|pin --vcpus 11
hybrid-12700k|pin-8|pin --vcpus 8
hybrid-12700k|pin-16|pin --vcpus 16
x86_64-64cpu|pin-16|pin --vcpus 16
x86_64-64cpu|pin-json|pin --vcpus 8 -J
x86_64-64cpu-linux6.2|pin-6|pin --vcpus 6
x86_64-dell_e4310|pin-2|pin --vcpus 2
x86_64-64cpu-linux6.2|hugepages-8g|hugepages --memory 8G
x86_64-64cpu-linux6.2|hugepages-16g|hugepages --memory 16G
x86_64-64cpu-linux6.2|hugepages-2m|hugepages --memory 6G --page-size 2M
x86_64-64cpu-linux6.2|hugepages-odd|hugepages --memory 1001M
x86_64-64cpu-linux6.2|hugepages-json|hugepages --memory 8G -J
x86_64-64cpu-linux6.2|hugepages-too-much|hugepages --memory 64G
x86_64-64cpu|hugepages-1g|hugepages --memory 8G --page-size 1G
x86_64-64cpu|hugepages-8g|hugepages --memory 8G"

hosts=$(cd "$tmp" && ls -d */ | tr -d /)
n=0 fail=0
echo "$cases" | while IFS='|' read -r host name args; do [ -n "$name" ] && echo "$host|$name|$args"; done >"$tmp/list"
total=0
while IFS='|' read -r host name args; do
	if [ "$host" = "*" ]; then total=$((total + $(echo "$hosts" | wc -w))); else total=$((total + 1)); fi
done <"$tmp/list"
echo "1..$((total + 4))"
while IFS='|' read -r host name args; do
	for h in $hosts; do
		[ "$host" = "*" ] || [ "$host" = "$h" ] || continue
		n=$((n + 1))
		out="$tmp/out"
		# shellcheck disable=SC2086
		{ "$vfiokit" tune $args --root "$tmp/$h" 2>"$tmp/err"; echo "--- exit $?"; echo "--- stderr"; cat "$tmp/err"; } >"$out"
		want="$expected/cpus/$h/$name.out"
		if [ "$update" = "--update" ]; then
			mkdir -p "$(dirname "$want")"
			cp "$out" "$want"
			echo "ok $n - $h/$name (updated)"
		elif diff -u "$want" "$out" >"$tmp/diff" 2>&1; then
			echo "ok $n - $h/$name"
		else
			echo "not ok $n - $h/$name"
			sed 's/^/# /' "$tmp/diff"
			fail=1
		fi
	done
done <"$tmp/list"
# The article's own answers, stated outright.
n=$((n + 1))
if "$vfiokit" tune pin --vcpus 6 --root "$tmp/article-ryzen5-1600" | grep -q "^guest CPUs: 6-11; host CPUs: 0-5 "; then
	echo "ok $n - Ryzen 5 1600 (older AGESA): pin and isolate CPUs 6-11, as the article says"
else
	echo "not ok $n - Ryzen 5 1600: the article pins CPUs 6-11"; fail=1
fi
n=$((n + 1))
pairs=$("$vfiokit" tune pin --vcpus 10 --xml --root "$tmp/article-i7-8700k" | sed -n 's/.*cpuset="\([0-9,-]*\)".*/\1/p' | paste -sd' ')
if [ "$pairs" = "1 7 2 8 3 9 4 10 5 11 0,6" ]; then
	echo "ok $n - i7-8700K: thread pairs (n, n+6), the host on (0, 6), as the article says"
else
	echo "not ok $n - i7-8700K: pairs (n, n+6) expected, got: $pairs"; fail=1
fi
# The XML passes libvirt's own schema, inside a minimal domain.
n=$((n + 1))
{
	echo "<domain type='kvm'><name>pin-check</name>"
	"$vfiokit" tune hugepages --memory 8G --xml --root "$tmp/x86_64-64cpu-linux6.2"
	"$vfiokit" tune pin --vcpus 6 --iothreads 1 --xml --root "$tmp/article-ryzen5-1600"
	echo "<os><type arch='x86_64' machine='q35'>hvm</type></os></domain>"
} >"$tmp/domain.xml"
if ! command -v virt-xml-validate >/dev/null; then
	echo "not ok $n - virt-xml-validate missing (Debian package libvirt-clients)"; fail=1
elif virt-xml-validate "$tmp/domain.xml" domain >"$tmp/v" 2>&1; then
	echo "ok $n - the pinning and huge pages XML pass virt-xml-validate (libvirt's schema)"
else
	echo "not ok $n - virt-xml-validate refuses the pinning XML"; sed 's/^/# /' "$tmp/v" "$tmp/domain.xml"; fail=1
fi
# A snapshot keeps the topology: the same answers from it.
n=$((n + 1))
mkdir "$tmp/snap"
if "$vfiokit" snapshot --root "$tmp/x86_64-64cpu" -o "$tmp/snap.tar.gz" >/dev/null 2>&1 && tar -xzf "$tmp/snap.tar.gz" -C "$tmp/snap" &&
	"$vfiokit" tune topology -J --root "$tmp/x86_64-64cpu" >"$tmp/a" 2>&1 && "$vfiokit" tune topology -J --root "$tmp/snap" >"$tmp/b" 2>&1 &&
	"$vfiokit" tune pin --vcpus 16 --root "$tmp/x86_64-64cpu" >>"$tmp/a" 2>&1 && "$vfiokit" tune pin --vcpus 16 --root "$tmp/snap" >>"$tmp/b" 2>&1 &&
	cmp -s "$tmp/a" "$tmp/b"; then
	echo "ok $n - a snapshot of the 4-socket Xeon gives the same topology and pinning"
else
	echo "not ok $n - the snapshot's topology differs"; diff "$tmp/a" "$tmp/b" | sed 's/^/# /'; fail=1
fi
exit $fail
