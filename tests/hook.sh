#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The libvirt hook of 'vfiokit tune hook', run for real with sh (dash) and
# busybox sh against a copy of a machine (VFIOKIT_HOOK_ROOT), systemctl and
# systemd-run replaced by stubs that log their arguments. The guest's name
# carries spaces, quotes and $(touch x): nothing of it may run.
# usage: hook.sh VFIOKIT FIXTURES_DIR
set -u
vfiokit=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") fixtures=$(cd "$2" && pwd)
export LC_ALL=C NO_COLOR=1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
n=0 fail=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; [ -n "${3-}" ] && sed 's/^/# /' "$3"; fi; }

# The machine: the article's Ryzen 5 1600, with cpufreq (ondemand), an empty
# 2 MiB pool, cgroup v2 and systemd 252.
r="$tmp/root"
sh "$fixtures/mkhookhost.sh" "$fixtures" "$r" --cpufreq || exit 1
pool="$r/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages"

mkdir "$tmp/bin"
for s in systemctl systemd-run; do
	printf '#!/bin/sh\necho "%s $*" >>"$HOOK_LOG"\n' "$s" >"$tmp/bin/$s"
	chmod +x "$tmp/bin/$s"
done
export HOOK_LOG="$tmp/log" VFIOKIT_HOOK_ROOT="$r"

guest='a b"c$(touch x)'"'"'d'
"$vfiokit" tune hook "$guest" --vcpus 6 --isolate --memory 8G --page-size 2M --governor --no-sleep \
	--root "$r" --apply >/dev/null 2>"$tmp/err"
ok $? "tune hook --apply writes the script into the machine copy" "$tmp/err"
installed="$r/etc/libvirt/hooks/qemu.d/vfiokit-a_20b_22c_24_28touch_20x_29_27d"
[ -x "$installed" ] && cp "$installed" "$tmp/hook"
ok $? "its file name keeps only safe bytes, and different names stay different" "$tmp/err"

for shell in sh "busybox sh"; do
	[ "$shell" = sh ] || [ -x /bin/busybox ] || { n=$((n + 8)); continue; }
	echo 100 >"$pool"
	: >"$tmp/log"
	rm -rf "$r/run"
	mkdir -p "$tmp/cwd" && cd "$tmp/cwd" || exit 1
	# shellcheck disable=SC2086
	run() { PATH="$tmp/bin:$PATH" $shell "$tmp/hook" "$@" </dev/null >>"$tmp/out" 2>&1; }
	run "another guest" prepare begin -
	run "another guest" started begin -
	[ "$(cat "$pool")" = 100 ] && [ ! -s "$tmp/log" ]
	ok $? "$shell: another guest's events change nothing"
	run "$guest" prepare begin -
	[ "$(cat "$pool")" = 4196 ]
	ok $? "$shell: prepare reserves 4096 more 2 MiB pages (100 -> $(cat "$pool"))" "$tmp/out"
	run "$guest" started begin -
	[ "$(grep -c 'set-property --runtime -- .* AllowedCPUs=0-5' "$tmp/log")" = 3 ]
	ok $? "$shell: started narrows system.slice, user.slice and init.scope to CPUs 0-5" "$tmp/log"
	[ "$(cat "$r/sys/devices/system/cpu/cpu6/cpufreq/scaling_governor")" = performance ] &&
		[ "$(cat "$r/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor")" = ondemand ]
	ok $? "$shell: the guest's CPUs run the performance governor, the host's do not"
	grep -q "systemd-run --unit=vfiokit-nosleep-a_20b_22c_24_28touch_20x_29_27d --quiet systemd-inhibit --what=sleep" "$tmp/log"
	ok $? "$shell: sleep is blocked while it runs" "$tmp/log"
	run "$guest" release end -
	[ "$(cat "$pool")" = 100 ] && [ "$(cat "$r/sys/devices/system/cpu/cpu6/cpufreq/scaling_governor")" = ondemand ] &&
		grep -q "AllowedCPUs=0-11" "$tmp/log" && grep -q "systemctl stop vfiokit-nosleep-" "$tmp/log"
	ok $? "$shell: release gives back the pages, the governor, every CPU, and sleep" "$tmp/log"
	[ -z "$(find "$tmp" -name x)" ]
	ok $? "$shell: the \$(touch x) in the guest's name never ran"
	# A pool that cannot be read: the guest does not start, and says why.
	mv "$pool" "$pool.real" && mkdir "$pool"
	run "$guest" prepare begin -
	rc=$?
	rmdir "$pool" && mv "$pool.real" "$pool"
	[ $rc -ne 0 ] && grep -q "cannot read" "$tmp/out"
	ok $? "$shell: when the pages cannot be reserved, prepare fails and says why" "$tmp/out"
	cd "$tmp" || exit 1
done

# cgroup v1: no dynamic isolation; the error names the way out.
rm "$r/sys/fs/cgroup/cgroup.controllers"
"$vfiokit" tune hook g --vcpus 6 --isolate --root "$r" >/dev/null 2>"$tmp/err"
[ $? = 1 ] && grep -q "cgroup v1: isolate at boot with the isolcpus" "$tmp/err"
ok $? "cgroup v1: --isolate is refused, isolcpus named instead" "$tmp/err"
: >"$r/sys/fs/cgroup/cgroup.controllers"
rm "$r/usr/lib/systemd/libsystemd-shared-252.so" && : >"$r/usr/lib/systemd/libsystemd-shared-239.so"
"$vfiokit" tune hook g --vcpus 6 --isolate --root "$r" >/dev/null 2>"$tmp/err"
[ $? = 1 ] && grep -q "systemd 239" "$tmp/err"
ok $? "systemd 239: --isolate is refused" "$tmp/err"

# Installing it: --apply through the journal, into the machine copy only.
unset VFIOKIT_HOOK_ROOT
rm -f "$r/usr/lib/systemd/libsystemd-shared-239.so" && : >"$r/usr/lib/systemd/libsystemd-shared-252.so"
cp -a "$r" "$tmp/pristine"
hookfile="$r/etc/libvirt/hooks/qemu.d/vfiokit-win10"
"$vfiokit" tune hook win10 --vcpus 6 --no-sleep --root "$r" >"$tmp/diff" 2>"$tmp/err"
[ $? = 0 ] && [ ! -e "$hookfile" ] && grep -q "^+++ /etc/libvirt/hooks/qemu.d/vfiokit-win10" "$tmp/diff"
ok $? "without --apply: the diff, and nothing written" "$tmp/err"
"$vfiokit" tune hook win10 --vcpus 6 --no-sleep --root "$r" --apply >/dev/null 2>"$tmp/err"
[ $? = 0 ] && [ -x "$hookfile" ] && [ "$(stat -c %a "$hookfile")" = 755 ] && grep -q "journal entry" "$tmp/err"
ok $? "--apply installs it, mode 0755, journaled" "$tmp/err"
"$vfiokit" tune hook win10 --vcpus 6 --no-sleep --root "$r" --apply >"$tmp/out" 2>"$tmp/err"
[ $? = 0 ] && [ ! -s "$tmp/out" ] && grep -q "nothing to do" "$tmp/err" && [ "$("$vfiokit" journal -n -r --root "$r" | wc -l)" = 2 ]
ok $? "a second --apply changes nothing and adds no journal entry" "$tmp/err"
"$vfiokit" tune hook win10 --vcpus 6 --no-sleep --isolate --root "$r" --apply >"$tmp/out" 2>"$tmp/err"
[ $? = 0 ] && grep -q "^+host_cpus='0-5'$" "$tmp/out" && grep -q '^+	isolate "$host_cpus"$' "$tmp/out" && [ "$("$vfiokit" journal -n -r --root "$r" | wc -l)" = 3 ]
ok $? "a changed hook is shown as a diff and journaled again" "$tmp/out"
echo "# mine" >>"$hookfile"
"$vfiokit" undo --root "$r" >/dev/null 2>"$tmp/err"
[ $? = 1 ] && grep -q "changed since vfiokit wrote it" "$tmp/err" && grep -q "# mine" "$hookfile"
ok $? "undo refuses when the file changed since, and keeps it" "$tmp/err"
"$vfiokit" undo --force --root "$r" >/dev/null 2>"$tmp/err" && "$vfiokit" undo --root "$r" >/dev/null 2>>"$tmp/err"
ok $? "undo --force, then undo the first entry" "$tmp/err"
diff -r -x run "$tmp/pristine" "$r" >"$tmp/d.raw" 2>&1; grep -v "^Only in $r/var/lib/vfiokit/journal: " "$tmp/d.raw" >"$tmp/d"
[ ! -s "$tmp/d" ] && [ ! -e "$hookfile" ]
ok $? "after both undos the machine copy is byte for byte as before" "$tmp/d"
"$vfiokit" journal -J --root "$r" | grep -c '"state": "undone"' | grep -qx 2
ok $? "the journal lists both entries as undone"
"$vfiokit" undo --root "$r" >/dev/null 2>"$tmp/err" && [ ! -e "$installed" ] && [ ! -e "$r/etc/libvirt" ]
ok $? "undo the first hook too, and the directories it made" "$tmp/err"
"$vfiokit" undo --root "$r" >/dev/null 2>"$tmp/err"
[ $? = 1 ] && grep -q "no entry to undo" "$tmp/err"
ok $? "nothing left to undo: said so" "$tmp/err"
# A write that fails: nothing changed, no journal entry left.
rm -rf "$r/etc/libvirt/hooks/qemu.d" && mkdir -p "$r/etc/libvirt/hooks" && : >"$r/etc/libvirt/hooks/qemu.d"
cp -a "$r" "$tmp/before-fail"
"$vfiokit" tune hook win10 --vcpus 6 --no-sleep --root "$r" --apply >/dev/null 2>"$tmp/err"
[ $? = 1 ] && grep -q "nothing was changed" "$tmp/err" && diff -r "$tmp/before-fail" "$r" >"$tmp/d" 2>&1
ok $? "a failed write leaves the machine copy and its journal as they were" "$tmp/err"
if command -v setpriv >/dev/null && [ "$(id -u)" = 0 ]; then
	setpriv --reuid=65534 --regid=65534 --clear-groups "$vfiokit" tune hook win10 --vcpus 1 --no-sleep --apply \
		>/dev/null 2>"$tmp/err"
	[ $? = 1 ] && grep -q "must run as root" "$tmp/err"
	ok $? "--apply on this machine as non-root is refused" "$tmp/err"
else
	n=$((n + 1)); echo "ok $n # SKIP not root or no setpriv"
fi
echo "1..$n"
exit $fail
