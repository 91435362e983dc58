#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# vfiokit next: each stage of the article's procedure on a machine copy made
# from the fixture hosts by vfiokit itself (setup --apply, vm create --xml
# into /etc/libvirt/qemu), against tests/expected/next/STAGE.out. Journal
# IDs and times are made at run time: they are written as ID and TIME.
# usage: next.sh VFIOKIT FIXTURES EXPECTED [--update]
set -u
vfiokit=$1 fixtures=$2 expected=$3/next update=${4:-}
export LC_ALL=C NO_COLOR=1 TZ=UTC
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
n=0 fail=0
# The running kernel booted long before the journal's entries (2001), or
# long after them (2100).
old_boot() { printf 'cpu  1 2 3 4\nbtime 1000000000\nprocesses 1\n' >"$1/proc/stat"; }
new_boot() { printf 'cpu  1 2 3 4\nbtime 4102444800\nprocesses 1\n' >"$1/proc/stat"; }
copy() { rm -rf "${tmp:?}/$2"; cp -a "$fixtures/$1" "$tmp/$2"; }
quiet() { "$@" >"$tmp/log" 2>&1 || { echo "# preparing failed: $*"; sed 's/^/# /' "$tmp/log"; }; }
run() { # run NAME ROOT [ARGS...]: vfiokit next on ROOT against NAME.out
	name=$1 root=$2; shift 2
	n=$((n + 1))
	"$vfiokit" next "$@" --root "$root" >"$tmp/stdout" 2>"$tmp/stderr"
	rc=$?
	{ cat "$tmp/stdout"; echo "--- stderr"; cat "$tmp/stderr"; echo "--- exit $rc"; } |
		sed -E 's/[0-9]{8}-[0-9]{6}(-[0-9]{3})?/ID/g; s/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z/TIME/g' >"$tmp/out"
	case $name in *json)
		python3 -m json.tool "$tmp/stdout" >/dev/null 2>&1 || { echo "not ok $n - $name: invalid JSON"; fail=1; return; };;
	esac
	if [ "$update" = --update ]; then
		mkdir -p "$expected"; cp "$tmp/out" "$expected/$name.out"; echo "ok $n - $name (updated)"
	elif diff -u "$expected/$name.out" "$tmp/out" >"$tmp/diff" 2>&1; then
		echo "ok $n - $name"
	else
		echo "not ok $n - $name"; sed 's/^/# /' "$tmp/diff"; fail=1
	fi
}
echo "1..20"
# 1: a prerequisite fails: the IOMMU is off.
run prerequisites "$fixtures/iommu-off"
# ... and no ACPI table to tell which IOMMU: setup would refuse, check's fix names --iommu.
run prerequisites-acpi-unread "$fixtures/acpi-unread"
# 2: the IOMMU is on and two GPUs could go to a guest.
run choose-gpu "$fixtures/article"
run choose-gpu-json "$fixtures/article" -J
# 3: one GPU left (the GTX 750 pulled out of the article's machine): setup planned, not applied.
copy article one-gpu
rm -rf "$tmp/one-gpu/sys/kernel/iommu_groups/1/devices/0000:01:00."* "$tmp/one-gpu/sys/bus/pci/devices/0000:01:00."*
run isolate "$tmp/one-gpu"
# 3: an apply killed half-way (the manifest says applying): undo finishes it.
copy article partial
old_boot "$tmp/partial"
quiet "$vfiokit" setup --gpu 06:00.0 --apply --root "$tmp/partial"
sed -i 's/^state applied$/state applying/' "$tmp/partial"/var/lib/vfiokit/journal/*/manifest
run isolate-partial "$tmp/partial"
# 3: the same entry's manifest cut short after its time line: not read as
# an entry that changed nothing that boots (that said "verify").
sed -i '/^time /,$d' "$tmp/partial"/var/lib/vfiokit/journal/*/manifest
printf 'time 2026-12-01T04\n' >>"$(echo "$tmp/partial"/var/lib/vfiokit/journal/*/manifest)"
sed -i 's/^state applying$/state applied/' "$tmp/partial"/var/lib/vfiokit/journal/*/manifest
run isolate-cut-manifest "$tmp/partial"
# 4: setup applied after this boot (vfio.conf only: judged by the boot time).
copy article applied
old_boot "$tmp/applied"
quiet "$vfiokit" setup --gpu 06:00.0 --apply --root "$tmp/applied"
run reboot "$tmp/applied"
# 4: the IOMMU step applied to GRUB: the running command line lacks intel_iommu=on.
copy iommu-off grub
mkdir -p "$tmp/grub/etc/default"
printf 'GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX_DEFAULT="quiet"\nGRUB_CMDLINE_LINUX=""\n' >"$tmp/grub/etc/default/grub"
new_boot "$tmp/grub"
quiet "$vfiokit" setup --apply --root "$tmp/grub"
run reboot-cmdline "$tmp/grub"
# The same without /proc/cmdline: refused, naming it (never a guessed reboot).
mv "$tmp/grub/proc/cmdline" "$tmp/grub-cmdline"
run reboot-cmdline-unknown "$tmp/grub"
mv "$tmp/grub-cmdline" "$tmp/grub/proc/cmdline"
# A snapshot of it tells the same: it carries the journal and the boot time.
"$vfiokit" snapshot -o "$tmp/applied.tar.gz" --root "$tmp/applied" >/dev/null 2>&1
mkdir "$tmp/snap" && tar -xzf "$tmp/applied.tar.gz" -C "$tmp/snap"
run reboot "$tmp/snap"
# The same machine when the boot time cannot be read: refused, naming the file.
rm "$tmp/applied/proc/stat"
run reboot-unknown "$tmp/applied"
# 5: rebooted since (the boot time after the entry), the GTX 970 still on nouveau.
new_boot "$tmp/applied"
run verify "$tmp/applied"
# 6: on vfio-pci, no guest.
run guest "$fixtures/vfio-bound"
# 7: a guest made by vm create, without pinning and huge pages.
copy vfio-bound guest
mkdir -p "$tmp/guest/etc/libvirt/qemu"
"$vfiokit" vm create win10 --gpu 01:00.0 --xml --root "$tmp/guest" >"$tmp/win10.xml" 2>"$tmp/log" ||
	sed 's/^/# /' "$tmp/log"
cp "$tmp/win10.xml" "$tmp/guest/etc/libvirt/qemu/win10.xml"
run tune "$tmp/guest"
# 8: the same guest pinned and backed by huge pages.
sed 's|</domain>|<cputune><vcpupin vcpu="0" cpuset="2"/></cputune><memoryBacking><hugepages/></memoryBacking></domain>|' \
	"$tmp/win10.xml" >"$tmp/guest/etc/libvirt/qemu/win10.xml"
run done "$tmp/guest"
run done-json "$tmp/guest" -J
# The guest travels in a snapshot too.
"$vfiokit" snapshot -o "$tmp/guest.tar.gz" --root "$tmp/guest" >/dev/null 2>&1
mkdir "$tmp/snap-guest" && tar -xzf "$tmp/guest.tar.gz" -C "$tmp/snap-guest"
run done "$tmp/snap-guest"
# A domain that is not XML: refused, naming the file.
echo '<domain><name>broken' >"$tmp/guest/etc/libvirt/qemu/broken.xml"
run guest-unreadable "$tmp/guest"
# Nothing was changed by next: the copy's journal is as setup left it.
before=$(find "$tmp/applied" -newer "$tmp/applied/proc/stat" | wc -l)
"$vfiokit" next --root "$tmp/applied" >/dev/null 2>&1
after=$(find "$tmp/applied" -newer "$tmp/applied/proc/stat" | wc -l)
n=$((n + 1))
if [ "$before" = "$after" ]; then echo "ok $n - next changes nothing"; else echo "not ok $n - next wrote files"; fail=1; fi
exit $fail
