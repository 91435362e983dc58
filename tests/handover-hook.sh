#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# vfiokit handover hook and vm create --single-gpu on copies of the
# single-gpu machine: the hook as written (golden), installed and undone
# through the journal beside tune hook's, and run for real with sh against
# a fake vfiokit (a script that logs its arguments and keeps a taken flag):
# take at prepare, give once at release; the watchdog giving the GPU back
# when the guest never starts, or when its QEMU (a real process here) dies
# without release, started by setsid or through a systemd-run that logs and
# runs it; a take that fails stops the start. Guests' names hold quotes,
# spaces, $(...) and an escape byte. vm create --single-gpu: managed='no',
# libvirt's schema, libvirt's test driver, and the same hook file.
# usage: handover-hook.sh VFIOKIT FIXTURES_DIR EXPECTED_DIR [--update]
set -u
vfiokit=$(realpath "$1") fixtures=$(realpath "$2") expected=$(realpath "$3") update=${4:-}
export LC_ALL=C NO_COLOR=1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
n=0 failed=0
ok() { # STATUS NAME [FILE shown on failure]
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n - $2"; else
		failed=1
		echo "not ok $n - $2"
		[ -n "${3-}" ] && [ -f "$3" ] && sed 's/^/# /' "$3" | head -60
	fi
}
# shellcheck disable=SC2016 # a name with shell in it, never to run
hostile='a b"c$(touch x)'"'"'d'
h=$tmp/h
cp -a "$fixtures/hosts/single-gpu" "$h"
mkdir -p "$tmp/cwd" && cd "$tmp/cwd" || exit 1

# 1. The hook as written: golden, with a fixed vfiokit path.
"$vfiokit" handover hook "$hostile" --gpu 00:06.0 --timeout 90 --vfiokit '/usr/local/bin/vfio kit' --root "$h" \
	>"$tmp/diff" 2>"$tmp/err"
rc=$?
if [ "$update" = --update ]; then cp "$tmp/diff" "$expected/handover-hook.diff"; fi
[ $rc = 0 ] && diff -u "$expected/handover-hook.diff" "$tmp/diff" >"$tmp/d" &&
	grep -q "warning: now 0000:00:06.0: pid 1433 (firefox-esr, .*) has /dev/dri/renderD128 open, which take does not stop; take refuses while it does" "$tmp/err" &&
	grep -q "nothing was changed; run again with --apply" "$tmp/err" && [ ! -e "$h/etc/libvirt" ]
ok $? "handover hook: the diff as expected, the holder there now said, nothing written" "$tmp/d"
sed -n 's/^+//p' "$tmp/diff" | tail -n +2 >"$tmp/hook.txt"
if command -v shellcheck >/dev/null; then
	# SC2016: sh_quote keeps a $( in a guest's name as text, on purpose.
	shellcheck -s sh -e SC2016 "$tmp/hook.txt" >"$tmp/why" 2>&1
	ok $? "shellcheck: the hook as vfiokit writes it" "$tmp/why"
else
	n=$((n + 1)); echo "ok $n - shellcheck # SKIP shellcheck missing"
fi

# 2. Usage errors and give --if-taken.
for c in "hook g|hook needs the guest's GPU: --gpu ADDR" "hook g --gpu 00:06.0 --timeout 0|--timeout takes seconds from 1 to 3600" \
	"hook a/b --gpu 00:06.0|is not a libvirt guest's name" "hook g --gpu 00:06.0 --vfiokit bin/vfiokit|--vfiokit takes an absolute path" \
	"take 00:06.0 --gpu 00:06.0|it is one of the options of hook" "take 00:06.0 --if-taken|it is one of the options of give" \
	"hook g --gpu 00:06.0 --dry-run|it is one of the options of take and give"; do
	# shellcheck disable=SC2086 # the words of the case
	"$vfiokit" handover ${c%%|*} --root "$h" >"$tmp/out" 2>"$tmp/err"
	[ $? = 2 ] && grep -qF -- "${c#*|}" "$tmp/err"
	ok $? "handover ${c%%|*}: usage error, named" "$tmp/err"
done
"$vfiokit" handover hook g --gpu 00:09.0 --root "$h" >"$tmp/out" 2>"$tmp/err"
[ $? = 1 ] && grep -q "no PCI device 00:09.0 ('vfiokit groups' lists them)" "$tmp/err"
ok $? "hook for a device that is not there: refused, named" "$tmp/err"
"$vfiokit" handover give 00:06.0 --if-taken --dry-run --root "$h" >"$tmp/out" 2>"$tmp/err"
[ $? = 0 ] && grep -qx "0000:00:06.0 is not taken: it is the host's already; nothing to give back" "$tmp/out"
ok $? "give --if-taken of a device not taken: said, exit 0" "$tmp/out"
"$vfiokit" handover give 00:06.0 --dry-run --root "$h" >"$tmp/out" 2>"$tmp/err"
[ $? = 1 ] && grep -q "was not taken by 'vfiokit handover take'" "$tmp/err"
ok $? "give without --if-taken of a device not taken: refused as before" "$tmp/err"

# 3. --apply through the journal, beside tune hook's file; undo byte exact.
# tune hook plans from the CPUs: the Ryzen of tests/hook.sh lent to this copy.
sh "$fixtures/mkhookhost.sh" "$fixtures" "$tmp/ryzen" >/dev/null 2>&1
cp -a "$tmp/ryzen/sys/devices/system/cpu" "$h/sys/devices/system/" 2>/dev/null
cp "$tmp/ryzen/proc/cpuinfo" "$h/proc/cpuinfo" 2>/dev/null
cp -a "$h" "$tmp/pristine"
f="$h/etc/libvirt/hooks/qemu.d/vfiokit_handover-a_20b_22c_24_28touch_20x_29_27d"
"$vfiokit" handover hook "$hostile" --gpu 00:06.0 --root "$h" --apply >/dev/null 2>"$tmp/err"
[ $? = 0 ] && [ -x "$f" ] && [ "$(stat -c %a "$f")" = 755 ] && grep -q "journal entry" "$tmp/err" &&
	grep -qx "vfiokit='$vfiokit'" "$f"
ok $? "--apply installs it, mode 0755, journaled; it runs this vfiokit by its absolute path" "$tmp/err"
"$vfiokit" handover hook "$hostile" --gpu 0000:00:06.0 --root "$h" --apply >"$tmp/out" 2>"$tmp/err"
[ $? = 0 ] && [ ! -s "$tmp/out" ] && grep -q "nothing to do" "$tmp/err"
ok $? "a second --apply changes nothing" "$tmp/err"
"$vfiokit" tune hook "$hostile" --vcpus 1 --no-sleep --root "$h" --apply >/dev/null 2>"$tmp/err" &&
	"$vfiokit" handover hook "$hostile" --gpu 00:06.0 --timeout 30 --root "$h" --apply >"$tmp/out" 2>>"$tmp/err"
[ $? = 0 ] && [ "$(find "$h/etc/libvirt/hooks/qemu.d" -type f | wc -l)" = 2 ] && grep -qx "^+timeout='30'" "$tmp/out" &&
	[ "$("$vfiokit" journal -n -r --root "$h" | wc -l)" = 3 ]
ok $? "tune hook's file and the handover hook coexist; a new --timeout is a new entry" "$tmp/err"
"$vfiokit" undo --root "$h" >/dev/null 2>"$tmp/err" && "$vfiokit" undo --root "$h" >/dev/null 2>>"$tmp/err" &&
	"$vfiokit" undo --root "$h" >/dev/null 2>>"$tmp/err"
diff -r --no-dereference -x run -x journal "$tmp/pristine" "$h" 2>&1 | grep -vx "Only in $h: var" >"$tmp/d"
[ ! -s "$tmp/d" ] && [ ! -e "$h/etc/libvirt" ]
ok $? "three undos: the machine copy byte for byte as before" "$tmp/d"

# 4. The hook run for real (sh) with a fake vfiokit, logger and systemd-run.
r=$tmp/r
bin=$tmp/bin
mkdir -p "$r/run/libvirt/qemu" "$bin"
fake="$bin/fake vfiokit"
cat >"$fake" <<'EOF'
#!/bin/sh
echo "$*" >>"$FAKE_LOG"
case "$1 $2" in
"handover take") [ -z "${FAKE_TAKE_FAILS-}" ] || exit 1; : >"$FAKE_TAKEN" ;;
"handover give") if [ -e "$FAKE_TAKEN" ]; then rm "$FAKE_TAKEN"; else echo "not taken"; [ "$3" = --if-taken ] || exit 1; fi ;;
esac
exit 0
EOF
printf '#!/bin/sh\nfor a; do printf "[%%s]" "$a"; done >>"$LOGGER_LOG"; echo >>"$LOGGER_LOG"\n' >"$bin/logger"
# systemd-run: log the arguments, then run the command after the options as
# systemd would, detached.
cat >"$bin/systemd-run" <<'EOF'
#!/bin/sh
echo "systemd-run $*" >>"$SYSTEMD_LOG"
while [ $# -gt 0 ]; do case $1 in --*) shift ;; *) break ;; esac; done
setsid "$@" </dev/null >/dev/null 2>&1 &
EOF
chmod +x "$fake" "$bin/logger" "$bin/systemd-run"
export FAKE_LOG="$tmp/fake.log" FAKE_TAKEN="$tmp/taken" LOGGER_LOG="$tmp/logger.log" SYSTEMD_LOG="$tmp/systemd.log"
export VFIOKIT_HOOK_ROOT="$r"
esc=$(printf 'esc\033]0;t\007')
mkhook() { # GUEST FILE TIMEOUT
	"$vfiokit" handover hook "$1" --gpu 00:06.0 --timeout "$3" --vfiokit "$fake" --root "$h" --apply >/dev/null 2>"$tmp/err" &&
		cp "$h"/etc/libvirt/hooks/qemu.d/vfiokit_handover-* "$2" && rm -rf "$h/etc/libvirt" "$h/var/lib/vfiokit"
}
# A: the guest starts within 60 s; B: the same guest with 2 s; C: the escape byte, 2 s.
mkhook "$hostile" "$tmp/A.hook" 60 && mkhook "$hostile" "$tmp/B.hook" 2 && mkhook "$esc" "$tmp/C.hook" 2
ok $? "the hooks for the test are written" "$tmp/err"
run() { # HOOK GUEST OP SUB
	hook=$1
	shift
	PATH="$bin:$PATH" sh "$hook" "$@" - </dev/null >>"$tmp/out" 2>&1
}
# The watchdogs of one hook file still running (read from /proc).
watchers() {
	grep -alF vfiokit-watchdog /proc/[0-9]*/cmdline 2>/dev/null | while read -r c; do
		grep -aqF "$1" "$c" 2>/dev/null && echo
	done | wc -l
}
# Wait (at most 60 s) until cmd succeeds.
until_ok() {
	i=0
	while ! "$@"; do
		i=$((i + 1))
		[ $i -lt 120 ] || return 1
		sleep 0.5
	done
}
no_watchers() { [ "$(watchers "$1")" = 0 ]; }
one_watcher() { [ "$(watchers "$1")" = 1 ]; }
fired() { [ "$(gives)" -ge 1 ]; }
gives() { grep -c "^handover give --if-taken 0000:00:06.0$" "$FAKE_LOG"; }
reset() { : >"$FAKE_LOG"; : >"$LOGGER_LOG"; : >"$SYSTEMD_LOG"; : >"$tmp/out"; rm -f "$FAKE_TAKEN"; }
state=$r/run/vfiokit/handover-hook/a_20b_22c_24_28touch_20x_29_27d

reset
run "$tmp/A.hook" "another guest" prepare begin && run "$tmp/A.hook" "another guest" release end
[ ! -s "$FAKE_LOG" ] && [ ! -e "$r/run/vfiokit" ]
ok $? "another guest's events do nothing" "$tmp/out"

# A normal run: take at prepare, the watchdog watching; started; QEMU runs;
# release gives it back once, and the watchdog ends without a give.
reset
sleep 600 &
qemu=$!
run "$tmp/A.hook" "$hostile" prepare begin
[ $? = 0 ] && [ "$(cat "$FAKE_LOG")" = "handover take 0000:00:06.0" ] && [ -e "$FAKE_TAKEN" ] && [ -s "$state.watch" ] &&
	until_ok one_watcher "$tmp/A.hook"
ok $? "prepare: take, then one watchdog running (setsid: no systemd)" "$tmp/out"
echo "$qemu" >"$r/run/libvirt/qemu/$hostile.pid"
run "$tmp/A.hook" "$hostile" started begin
[ -e "$state.started" ] && one_watcher "$tmp/A.hook" && [ "$(gives)" = 0 ]
ok $? "started: marked; the watchdog watches QEMU and gives nothing" "$FAKE_LOG"
run "$tmp/A.hook" "$hostile" release end
rc=$?
until_ok no_watchers "$tmp/A.hook"
[ $rc = 0 ] && no_watchers "$tmp/A.hook" && [ "$(gives)" = 1 ] && [ ! -e "$FAKE_TAKEN" ] && [ ! -e "$state.watch" ]
ok $? "release: give once; the watchdog ends without giving" "$FAKE_LOG"
kill "$qemu"
wait "$qemu" 2>/dev/null
[ -z "$(find "$tmp" -name x)" ]
ok $? "the \$(touch x) in the guest's name never ran"

# The guest never reaches started: the watchdog gives it back; release
# afterwards is harmless. The log names the guest with its escape byte escaped.
reset
run "$tmp/C.hook" "$esc" prepare begin && until_ok fired && until_ok no_watchers "$tmp/C.hook"
[ "$(gives)" = 1 ] && [ ! -e "$FAKE_TAKEN" ] && grep -qF '[-t][vfiokit-hook][--][esc\x1b]0;t\x07: it has not started within 2 s: giving 0000:00:06.0 back to the host]' "$LOGGER_LOG"
ok $? "not started within --timeout 2: the watchdog gives it back, logged with the name escaped" "$LOGGER_LOG"
: >"$tmp/out"
run "$tmp/C.hook" "$esc" release end
[ $? = 0 ] && [ "$(gives)" = 1 ] && grep -q "did not take 0000:00:06.0: nothing to give back" "$tmp/out"
ok $? "release after the watchdog's give: nothing given twice, exit 0" "$tmp/out"

# Past --timeout, not started, but its QEMU runs (slow to start): no give
# while it may hold the device; once it is gone, the watchdog gives.
reset
sleep 600 &
qemu=$!
echo "$qemu" >"$r/run/libvirt/qemu/$hostile.pid"
run "$tmp/B.hook" "$hostile" prepare begin && sleep 4
[ "$(gives)" = 0 ] && one_watcher "$tmp/B.hook"
ok $? "not started within --timeout 2 while its QEMU runs: nothing given yet" "$FAKE_LOG"
kill "$qemu"
wait "$qemu" 2>/dev/null
until_ok fired && until_ok no_watchers "$tmp/B.hook"
[ "$(gives)" = 1 ] && [ ! -e "$FAKE_TAKEN" ]
ok $? "... and once that QEMU is gone, the watchdog gives it back" "$LOGGER_LOG"

# QEMU dies and libvirt never releases it: the watchdog gives it back.
reset
sleep 600 &
qemu=$!
echo "$qemu" >"$r/run/libvirt/qemu/$hostile.pid"
run "$tmp/A.hook" "$hostile" prepare begin && run "$tmp/A.hook" "$hostile" started begin
kill "$qemu"
wait "$qemu" 2>/dev/null
until_ok fired && until_ok no_watchers "$tmp/A.hook"
[ "$(gives)" = 1 ] && [ ! -e "$FAKE_TAKEN" ] && grep -q "its QEMU is gone and libvirt has not released it" "$LOGGER_LOG"
ok $? "QEMU gone without release: the watchdog gives it back" "$LOGGER_LOG"

# Under systemd: the watchdog is a transient unit named after the guest.
reset
mkdir -p "$r/run/systemd/system"
run "$tmp/B.hook" "$hostile" prepare begin && until_ok fired && until_ok no_watchers "$tmp/B.hook"
grep -q "^systemd-run --unit=vfiokit-handover-watchdog-a_20b_22c_24_28touch_20x_29_27d-[0-9]*-[0-9]* --quiet --collect " "$SYSTEMD_LOG" &&
	[ "$(gives)" = 1 ]
ok $? "systemd: the watchdog runs as a transient unit (systemd-run), and fires" "$SYSTEMD_LOG"
rmdir "$r/run/systemd/system"

# A take that fails: the hook fails (libvirt does not start the guest), no watchdog.
reset
FAKE_TAKE_FAILS=1 run "$tmp/A.hook" "$hostile" prepare begin
[ $? = 1 ] && [ ! -e "$state.watch" ] && no_watchers "$tmp/A.hook" &&
	grep -q "'vfiokit handover take 0000:00:06.0' failed: the guest does not start, the host keeps its display" "$tmp/out"
ok $? "take fails: the hook fails, says why, starts no watchdog" "$tmp/out"
# libvirt runs release after a start that failed: the GPU this guest did not
# take (another guest's, or taken by hand) stays where it is.
: >"$FAKE_TAKEN"
run "$tmp/A.hook" "$hostile" release end
[ $? = 0 ] && [ "$(gives)" = 0 ] && [ -e "$FAKE_TAKEN" ] && grep -q "nothing to give back" "$tmp/out"
ok $? "release after a failed take: nothing given back (another guest may hold the GPU)" "$FAKE_LOG"
unset VFIOKIT_HOOK_ROOT

# 5. vm create --single-gpu on the same machine with OVMF and memory.
if command -v virt-xml-validate >/dev/null && [ -f /usr/share/qemu/firmware/60-edk2-x86_64.json ]; then
	v=$tmp/v
	cp -a "$fixtures/hosts/single-gpu" "$v"
	mkdir -p "$v/usr/share/qemu/firmware" "$v/usr/share/OVMF"
	cp /usr/share/qemu/firmware/*.json "$v/usr/share/qemu/firmware/"
	cp -L /usr/share/OVMF/OVMF_CODE_4M*.fd /usr/share/OVMF/OVMF_VARS_4M*.fd "$v/usr/share/OVMF/"
	cp "$fixtures/cpus/meminfo-24g" "$v/proc/meminfo"
	"$vfiokit" vm create win10 --gpu 00:06.0 --root "$v" >"$tmp/out" 2>"$tmp/err"
	[ $? = 1 ] && grep -q "drives a display of this host.*(--allow-display to insist)" "$tmp/err"
	ok $? "vm create without --single-gpu: the host's display GPU refused as before" "$tmp/err"
	"$vfiokit" vm create win10 --gpu 00:06.0 --single-gpu --root "$v" >"$tmp/vm.xml" 2>"$tmp/err"
	[ $? = 0 ] && [ "$(grep -c '<hostdev mode="subsystem" type="pci" managed="no">' "$tmp/vm.xml")" = 2 ] &&
		! grep -q 'managed="yes"' "$tmp/vm.xml" &&
		grep -q "the single-GPU hook hands this over ('vfiokit handover take' when the guest starts" "$tmp/err" &&
		grep -q "^+++ /etc/libvirt/hooks/qemu.d/vfiokit_handover-win10$" "$tmp/err" && [ ! -e "$v/etc/libvirt" ]
	ok $? "vm create --single-gpu: the group's hostdevs managed='no', the hook shown, nothing written" "$tmp/err"
	virt-xml-validate "$tmp/vm.xml" domain >"$tmp/why" 2>&1
	ok $? "vm create --single-gpu: libvirt's schema accepts it" "$tmp/why"
	cp -a "$v" "$tmp/v-pristine"
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" "$vfiokit" vm create win10 --gpu 00:06.0 --single-gpu \
		--apply --xml --connect test:///default --root "$v" >"$tmp/stored" 2>"$tmp/err"
	[ $? = 0 ] && grep -q "defined 'win10' on test:///default" "$tmp/err" &&
		[ "$(grep -c "<hostdev mode='subsystem' type='pci' managed='no'>" "$tmp/stored")" = 2 ] &&
		[ -x "$v/etc/libvirt/hooks/qemu.d/vfiokit_handover-win10" ] && grep -q "journal entry" "$tmp/err"
	ok $? "vm create --single-gpu --apply: libvirt's test driver keeps managed='no'; the hook written, journaled" "$tmp/err"
	"$vfiokit" handover hook win10 --gpu 00:06.0 --root "$v" --apply >"$tmp/out" 2>"$tmp/err"
	[ $? = 0 ] && [ ! -s "$tmp/out" ] && grep -q "nothing to do" "$tmp/err"
	ok $? "handover hook for that guest afterwards: the same file, nothing to do" "$tmp/err"
	"$vfiokit" undo --root "$v" >/dev/null 2>"$tmp/err"
	diff -r --no-dereference -x run -x journal "$tmp/v-pristine" "$v" 2>&1 | grep -vx "Only in $v: var" >"$tmp/d"
	[ ! -s "$tmp/d" ]
	ok $? "undo: the machine copy byte for byte as before" "$tmp/d"
	"$vfiokit" vm create win10 --gpu 00:06.0 --single-gpu --qemu "$tmp/q.sh" --root "$v" >/dev/null 2>"$tmp/err"
	[ $? = 2 ] && grep -q "single-gpu writes a libvirt hook" "$tmp/err" && [ ! -e "$tmp/q.sh" ]
	ok $? "--single-gpu with --qemu: usage error" "$tmp/err"
else
	for t in 1 2 3 4 5 6 7; do n=$((n + 1)); echo "ok $n # SKIP virt-xml-validate or Debian's ovmf missing"; done
fi
echo "1..$n"
exit $failed
