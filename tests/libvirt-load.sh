#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# libvirt is loaded when a command first talks to it (src/apply/virt.c,
# -Dlibvirt-dlopen=true): with a libvirt.so.0 that cannot be loaded first on
# LD_LIBRARY_PATH (an empty file; a library built here that lacks libvirt's
# symbols), vm --define and vm edit say which library and what to install,
# exit 1 and write nothing; the commands that do not talk to libvirt run as
# they do with it. With the real libvirt, the test driver still defines.
# usage: libvirt-load.sh VFIOKIT FIXTURES_DIR DLOPEN(true|false)
set -u
vfiokit=$(realpath "$1") fixtures=$(realpath "$2") dlopen=$3

export LC_ALL=C NO_COLOR=1
[ "$dlopen" = true ] || { echo "1..0 # SKIP libvirt is linked (-Dlibvirt-dlopen=false)"; exit 0; }
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); failed=1; echo "not ok $n - $1"; [ -s "$tmp/why" ] && sed 's/^/# /' "$tmp/why" | head -20; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
root=$tmp/host
sh "$fixtures/mkvmhost.sh" "$fixtures" "$root" || exit 1
mkdir "$tmp/cwd" "$tmp/empty" "$tmp/nosyms"
: >"$tmp/empty/libvirt.so.0"
guest="win10 --gpu 06:00.0 --root $root"
# No leak check in the sanitizer build: libvirt's threads at exit (see vk() in tests/vm.sh).
run() { (cd "$tmp/cwd" && ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" "$vfiokit" "$@") >"$tmp/stdout" 2>"$tmp/why"; }
# The tree and the working directory, to tell that nothing was written.
state() { find "$root" "$tmp/cwd" -printf '%p %y %s %T@\n' | sort; }

# shellcheck disable=SC2086
if run vm create $guest --define --connect test:///default && grep -q "defined 'win10' on test:///default" "$tmp/why"
then ok "the real libvirt: the test driver defines the guest"
else nok "the real libvirt: vm create --define --connect test:///default"; fi
state >"$tmp/before"

# A library that lacks libvirt's symbols: the first one looked up is named.
if command -v cc >/dev/null; then
	echo 'int virInitialize(void) { return 0; }' >"$tmp/fake.c"
	cc -shared -fPIC -Wl,-soname,libvirt.so.0 -o "$tmp/nosyms/libvirt.so.0" "$tmp/fake.c" || exit 1
fi
for lib in empty nosyms; do
	if [ ! -s "$tmp/$lib/libvirt.so.0" ] && [ $lib = nosyms ]; then
		n=$((n + 2)); echo "ok $((n - 1)) # SKIP no cc"; echo "ok $n # SKIP no cc"; continue
	fi
	case $lib in
	empty) why="$tmp/empty/libvirt.so.0: file too short" ;;
	nosyms) why="$tmp/nosyms/libvirt.so.0: undefined symbol: virGetVersion" ;;
	esac
	msg="vfiokit: libvirt (libvirt.so.0) could not be loaded: $why; install it: 'apt install libvirt0' (Debian), 'dnf install libvirt-libs' (Fedora)"
	# shellcheck disable=SC2086
	LD_LIBRARY_PATH=$tmp/$lib run vm create $guest --define --connect test:///default
	rc=$?
	if [ $rc -eq 1 ] && [ ! -s "$tmp/stdout" ] && [ "$(cat "$tmp/why")" = "$msg" ] && state | cmp -s - "$tmp/before"
	then ok "libvirt.so.0 $lib: vm create --define names the library, the error and the package, exit 1, nothing written"
	else echo "exit $rc; expected: $msg" >>"$tmp/why"; nok "libvirt.so.0 $lib: vm create --define"; fi
	LD_LIBRARY_PATH=$tmp/$lib run vm edit win10 --gpu 06:00.0 --root "$root" --connect test:///default --define
	rc=$?
	if [ $rc -eq 1 ] && [ ! -s "$tmp/stdout" ] && [ "$(cat "$tmp/why")" = "$msg" ] && state | cmp -s - "$tmp/before"
	then ok "libvirt.so.0 $lib: vm edit (the domain from libvirt) says so too, nothing written"
	else echo "exit $rc; expected: $msg" >>"$tmp/why"; nok "libvirt.so.0 $lib: vm edit"; fi
done

# PipeWire audio asks the local libvirt its version when nothing else names it.
export LD_LIBRARY_PATH="$tmp/empty"
# shellcheck disable=SC2086
run vm create $guest --xml --audio pipewire --uid 1000
rc=$?
if [ $rc -eq 1 ] && [ ! -s "$tmp/stdout" ] &&
	grep -q "could not be loaded: .*; or write the XML for a given libvirt with --libvirt-version X.Y\$" "$tmp/why"
then ok "no libvirt: PipeWire audio for the local libvirt is refused, --libvirt-version offered"
else nok "no libvirt: vm create --audio pipewire (exit $rc)"; fi
# shellcheck disable=SC2086
if run vm create $guest --xml --audio pipewire --uid 1000 --libvirt-version 9.10.0 && grep -q "<audio .*type=.pipewire." "$tmp/stdout"
then ok "no libvirt: --libvirt-version 9.10.0 writes PipeWire audio without loading libvirt"
else nok "no libvirt: vm create --libvirt-version 9.10.0"; fi

# The commands that do not talk to libvirt: the same output and exit status
# with libvirt.so.0 unloadable as with it (a binary linked to libvirt does
# not even start: the dynamic loader exits 127).
same() { # NAME ARGS...
	name=$1
	shift
	(unset LD_LIBRARY_PATH; cd "$tmp/cwd" && "$vfiokit" "$@" >"$tmp/with.out" 2>"$tmp/with.err"; echo "exit $?" >>"$tmp/with.out")
	(cd "$tmp/cwd" && "$vfiokit" "$@" >"$tmp/without.out" 2>"$tmp/without.err"; echo "exit $?" >>"$tmp/without.out")
	if cmp -s "$tmp/with.out" "$tmp/without.out" && cmp -s "$tmp/with.err" "$tmp/without.err" &&
		! grep -q "exit 127" "$tmp/without.out"
	then ok "no libvirt: $name runs as with it"
	else diff "$tmp/with.out" "$tmp/without.out" >"$tmp/why"; cat "$tmp/without.err" >>"$tmp/why"; nok "no libvirt: $name"; fi
}
same "--version" --version
same "groups" groups --root "$fixtures/hosts/article"
same "check" check --root "$fixtures/hosts/article"
# shellcheck disable=SC2086
same "vm create --xml" vm create $guest --xml
echo "1..$n"
exit $failed
