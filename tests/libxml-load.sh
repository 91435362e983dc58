#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# libxml2 is loaded when a command first writes or reads XML
# (src/shared/libxml.c, -Dlibxml2-dlopen=true): with a libxml2.so.2 that
# cannot be loaded first on LD_LIBRARY_PATH (an empty file; a library built
# here that lacks libxml2's symbols), each command that uses XML says which
# library, why and what to install, exits 1 and writes nothing; the commands
# that do not use it run exactly as they do with it.
# usage: libxml-load.sh VFIOKIT FIXTURES_DIR DLOPEN(true|false) SONAME
# (SONAME: libxml2.so.2, or libxml2.so.16 from libxml2 2.14 on)
set -u
vfiokit=$(realpath "$1") fixtures=$(realpath "$2") dlopen=$3 so=$4

export LC_ALL=C NO_COLOR=1
[ "$dlopen" = true ] || { echo "1..0 # SKIP libxml2 is linked (-Dlibxml2-dlopen=false)"; exit 0; }
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); failed=1; echo "not ok $n - $1"; [ -s "$tmp/why" ] && sed 's/^/# /' "$tmp/why" | head -20; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
root=$tmp/host
sh "$fixtures/mkvmhost.sh" "$fixtures" "$root" || exit 1
mkdir -p "$tmp/cwd" "$tmp/empty" "$tmp/nosyms" "$root/etc/libvirt/qemu"
: >"$tmp/empty/$so"
run() { (cd "$tmp/cwd" && "$vfiokit" "$@") >"$tmp/stdout" 2>"$tmp/why"; }
# The tree and the working directory, to tell that nothing was written.
state() { find "$root" "$tmp/cwd" -printf '%p %y %s %T@\n' | sort; }

# With the real libxml2: a guest libvirt keeps, for next, doctor and edit.
if run vm create win10 --gpu 06:00.0 --root "$root" && grep -q "<name>win10</name>" "$tmp/stdout"; then
	cp "$tmp/stdout" "$root/etc/libvirt/qemu/win10.xml"
	ok "the real libxml2: vm create writes the domain"
else nok "the real libxml2: vm create"; fi
state >"$tmp/before"

# A library without libxml2's symbols: the first one missing is named
# (the list starts with htmlDocDumpMemoryFormat).
if command -v cc >/dev/null; then
	echo 'int htmlDocDumpMemoryFormat(void) { return 0; }' >"$tmp/fake.c"
	cc -shared -fPIC -Wl,-soname,"$so" -o "$tmp/nosyms/$so" "$tmp/fake.c" || exit 1
fi
# NAME ARGS...: exit 1, nothing on stdout, the one message on stderr, the
# tree and the working directory as they were.
refused() {
	name=$1
	shift
	LD_LIBRARY_PATH=$tmp/$lib run "$@"
	rc=$?
	if [ $rc -eq 1 ] && [ ! -s "$tmp/stdout" ] && [ "$(cat "$tmp/why")" = "$msg" ] && state | cmp -s - "$tmp/before"
	then ok "$so $lib: $name names the library, the error and the package, exit 1, nothing written"
	else echo "exit $rc; expected: $msg" >>"$tmp/why"; cat "$tmp/stdout" >>"$tmp/why"; nok "$so $lib: $name"; fi
}
for lib in empty nosyms; do
	if [ ! -s "$tmp/$lib/$so" ] && [ $lib = nosyms ]; then
		echo "ok $((n + 1)) # SKIP no cc"; n=$((n + 1)); continue
	fi
	case $lib in
	empty) why="$tmp/empty/$so: file too short" ;;
	nosyms) why="$tmp/nosyms/$so: undefined symbol: htmlNewDocNoDtD" ;;
	esac
	# Debian's package of libxml2.so.16 is libxml2-16 ("libxml2" is virtual there).
	case $so in libxml2.so.2) deb=libxml2 ;; *) deb=libxml2-${so##*.so.} ;; esac
	msg="vfiokit: libxml2 ($so) could not be loaded: $why; install it: 'apt install $deb' (Debian), 'dnf install libxml2' (Fedora)"
	refused "vm create" vm create win10 --gpu 06:00.0 --root "$root"
	refused "vm create --apply" vm create win10 --gpu 06:00.0 --root "$root" --looking-glass 1920x1080 --apply
	refused "vm edit --from" vm edit win10 --gpu 06:00.0 --root "$root" --from "$root/etc/libvirt/qemu/win10.xml"
	refused "report -o" report -o page.html --root "$root"
	refused "groups --format svg" groups --format svg --root "$root"
	refused "next (a guest to read)" next --root "$root"
	refused "tune pin" tune pin --vcpus 4 --root "$root"
	refused "tune pin --xml" tune pin --vcpus 4 --xml --root "$root"
	refused "tune hugepages" tune hugepages --memory 8G --root "$root"
	refused "snapshot (a guest to read)" snapshot -o snap.tar.gz --root "$root"
	# doctor reads the logs all the same, and fails for the guest's XML.
	LD_LIBRARY_PATH=$tmp/$lib run doctor --guest win10 --root "$root"
	rc=$?
	if [ $rc -eq 1 ] && grep -qxF "$msg" "$tmp/why" && state | cmp -s - "$tmp/before"
	then ok "$so $lib: doctor --guest says so for the guest's XML, exit 1, nothing written"
	else echo "exit $rc; expected: $msg" >>"$tmp/why"; nok "$so $lib: doctor --guest"; fi
done

# The commands without XML: the same output and exit status with
# the library unloadable as with it (a binary linked to libxml2 does not
# even start: the dynamic loader exits 127).
article=$fixtures/hosts/article
same() { # NAME ARGS...
	name=$1
	shift
	rm -f "$tmp/cwd/q.sh"
	(unset LD_LIBRARY_PATH; cd "$tmp/cwd" && "$vfiokit" "$@" >"$tmp/with.out" 2>"$tmp/with.err"; echo "exit $?" >>"$tmp/with.out")
	rm -f "$tmp/cwd/q.sh"
	(export LD_LIBRARY_PATH="$tmp/empty"; cd "$tmp/cwd" && "$vfiokit" "$@" >"$tmp/without.out" 2>"$tmp/without.err"; echo "exit $?" >>"$tmp/without.out")
	if cmp -s "$tmp/with.out" "$tmp/without.out" && cmp -s "$tmp/with.err" "$tmp/without.err" &&
		! grep -q "exit 127" "$tmp/without.out"
	then ok "no libxml2: $name runs as with it"
	else diff "$tmp/with.out" "$tmp/without.out" >"$tmp/why"; cat "$tmp/without.err" >>"$tmp/why"; nok "no libxml2: $name"; fi
}
same "--version" --version
same "groups" groups --root "$article"
same "groups -J" groups -J --root "$article"
same "check" check --root "$article"
same "next (no guest)" next --root "$article"
same "setup --gpu (the plan)" setup --gpu 06:00.0 --root "$article"
same "bind --dry-run" bind 06:00.0 --dry-run --root "$article"
same "inventory" inventory --root "$article"
same "doctor" doctor --root "$article"
same "tune pin -J" tune pin --vcpus 4 -J --root "$root"
same "tune hugepages -J" tune hugepages --memory 8G -J --root "$root"
same "vm create --qemu (a script, no XML)" vm create win10 --gpu 06:00.0 --root "$root" --qemu "$tmp/cwd/q.sh"
echo "1..$n"
exit $failed
