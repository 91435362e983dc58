#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# What vfiokit changes can never be lost, half-done or world-writable:
# vfiokit killed (SIGKILL, through failat.so's FAILAT_KILL) before each call
# that changes the file system, in setup --apply, undo and tune hook
# --apply; after each, 'vfiokit journal' must say what is there and a plain
# 'vfiokit undo' (no --force) must give the machine copy back byte for byte
# (content, mode, owner, link type) with no temporary file left. Then the
# links, hard links, ACLs and labels of edited files, a failed undo run
# again, a damaged manifest, undo's IDs, the journal's directories, stdout
# on a full disk and vm edit's backups.
# usage: journal.sh VFIOKIT FIXTURES
set -u
vfiokit=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") fixtures=$(cd "$2" && pwd)
export LC_ALL=C NO_COLOR=1
cache=${VFIOKIT_E2E_CACHE:-/var/tmp/vfiokit-e2e}
# On tmpfs where there is one: hundreds of runs, each fsyncing every change.
fast=/dev/shm
[ -d "$fast" ] && [ -w "$fast" ] || fast=${TMPDIR:-/tmp}
tmp=$(mktemp -d -p "$fast") || exit 1
# The sanitizer build's run: make check sets ASAN_OPTIONS for it alone.
sanitizer_run=${ASAN_OPTIONS:+yes}
# An AddressSanitizer build next to LD_PRELOAD=failat.so.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
n=0 fail=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; [ -n "${3-}" ] && sed 's/^/# /' "$3" | head -40; fi; }
[ -n "${FAILAT_SO-}" ] && [ -f "$FAILAT_SO" ] || { echo "1..0 # SKIP no failat.so (FAILAT_SO)"; exit 0; }

# debian: the article's machine with Debian's real /etc/default/grub (from
# grub2-common, as tests/setup.sh fetches it) and initramfs-tools' modules
# file. /etc/default/grub belongs to another user, mode 0600.
mkdir -p "$cache"
for pkg in grub2-common initramfs-tools-core; do
	deb=$(ls "$cache/${pkg}_"*.deb 2>/dev/null | head -1)
	if [ -z "$deb" ]; then
		(cd "$cache" && flock .download apt-get download "$pkg" >/dev/null 2>&1)
		deb=$(ls "$cache/${pkg}_"*.deb 2>/dev/null | head -1)
	fi
	[ -n "$deb" ] || { echo "1..0 # SKIP cannot apt-get download $pkg (run apt-get update)"; exit 0; }
	dpkg-deb -x "$deb" "$tmp/$pkg"
done
debian="$tmp/debian"
cp -a "$fixtures/hosts/article" "$debian"
mkdir -p "$debian/etc/default" "$debian/etc/initramfs-tools" "$debian/usr/sbin" "$debian/var/lib"
cp "$tmp/grub2-common/usr/share/grub/default/grub" "$debian/etc/default/grub"
chown 1234:1234 "$debian/etc/default/grub" && chmod 600 "$debian/etc/default/grub"
cp "$tmp/initramfs-tools-core/usr/share/initramfs-tools/modules" "$debian/etc/initramfs-tools/modules"
: >"$debian/usr/sbin/update-grub"
: >"$debian/usr/sbin/update-initramfs"
printf 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\n' >"$debian/etc/os-release"

# tree DIR: every path with its type, mode, owner and link target, and every
# file's hash; /sys, the journal's own directory and /run (the per-root
# lock, vfiokit's own, on a tmpfs on a real machine) left out.
# One find (each path's line, then md5sum of the regular files, in batches)
# and one sort: hundreds of trees are taken, three processes each.
tree() {
	(cd "$1" && find . \( -path ./sys -o -path ./run -o -path ./var/lib/vfiokit \) -prune -o \
		-printf '%p %y %m %U:%G %l\n' -type f -exec md5sum {} + | LC_ALL=C sort)
}
strays() { find "$1" -name '.#*' | wc -l; }
# journal's leak check runs in the cases below; not again at each kill point.
state() { ASAN_OPTIONS="$ASAN_OPTIONS:detect_leaks=0" "$vfiokit" journal -n -r -o STATE --root "$1" 2>/dev/null | tail -1 | sed 's/\\x20/ /g'; }
killed() { # killed N DIR ARGS...: vfiokit ARGS --root DIR, killed before its Nth change
	k=$1 d=$2; shift 2
	rm -f "$tmp/failat.log"
	FAILAT_KILL=$k FAILAT_LOG="$tmp/failat.log" LD_PRELOAD="$FAILAT_SO" "$vfiokit" "$@" --root "$d" >/dev/null 2>&1
}
table() { # table WHAT POINTS RESTORED STRAYS
	echo "# kill -9 in $1: $2 kill points, $3 restored byte for byte by a plain undo, $4 stray files left"
}

tree "$debian" >"$tmp/pristine.tree"
cp -a "$debian" "$tmp/applied"
"$vfiokit" setup --gpu 06:00.0 --root "$tmp/applied" --apply >/dev/null 2>"$tmp/err"
ok $? "setup --apply on the Debian copy" "$tmp/err"
tree "$tmp/applied" >"$tmp/applied.tree"

# Sections 1 to 4 kill or fail at every point in the plain build's run, at
# every fourth in the sanitizer build's (make check sets ASAN_OPTIONS
# there), which looks for memory errors on the same paths at a quarter of
# the cost (it runs beside the reboot suite's QEMUs: 325 s at every third).
kstep=1
[ -z "$sanitizer_run" ] || kstep=4

# 1. Killed in setup --apply at every call that changes the file system.
i=1 points=0 restored=0 left=0 bad=
: >"$tmp/bad"
while [ $i -lt 500 ]; do
	w="$tmp/w"
	rm -rf "$w" && cp -a "$debian" "$w"
	killed $i "$w" setup --gpu 06:00.0 --apply
	[ -s "$tmp/failat.log" ] || break
	points=$((points + 1))
	st=$(state "$w")
	tree "$w" | grep -v '/\.#' >"$tmp/now.tree"
	case "$st" in
	"") cmp -s "$tmp/now.tree" "$tmp/pristine.tree" || bad="$bad $i:no-entry-but-changed" ;;
	applied) cmp -s "$tmp/now.tree" "$tmp/applied.tree" || bad="$bad $i:applied-but-not" ;;
	"partly applied") ;;
	*) bad="$bad $i:state=$st" ;;
	esac
	"$vfiokit" undo --root "$w" >/dev/null 2>"$tmp/err"
	rc=$?
	if [ -z "$st" ]; then
		[ $rc = 1 ] && grep -q "no entry to undo" "$tmp/err" || bad="$bad $i:undo-rc$rc"
	elif [ $rc != 0 ] || [ "$(state "$w")" != undone ]; then
		bad="$bad $i:undo-rc$rc"; cat "$tmp/err" >>"$tmp/bad"
	fi
	tree "$w" | cmp -s - "$tmp/pristine.tree" && restored=$((restored + 1))
	s=$(strays "$w")
	left=$((left + s))
	# The journal keeps no entry that never changed anything.
	[ "$(ls "$w/var/lib/vfiokit/journal" 2>/dev/null | wc -l)" = "$([ -n "$st" ] && echo 1 || echo 0)" ] || bad="$bad $i:orphan"
	i=$((i + kstep))
done
table "setup --apply" $points $restored $left
echo "$bad" >>"$tmp/bad"
[ $points -gt 20 ] && [ $restored = $points ] && [ $left = 0 ] && [ -z "$bad" ]
ok $? "setup --apply killed at $points of its changes (every $kstep): journal tells the truth, plain undo restores $restored, $left strays" "$tmp/bad"

# 2. Killed in undo at every call.
i=1 points=0 restored=0 left=0 bad=
: >"$tmp/bad"
while [ $i -lt 500 ]; do
	w="$tmp/w"
	rm -rf "$w" && cp -a "$tmp/applied" "$w"
	killed $i "$w" undo
	[ -s "$tmp/failat.log" ] || break
	points=$((points + 1))
	st=$(state "$w")
	tree "$w" | grep -v '/\.#' >"$tmp/now.tree"
	case "$st" in
	applied) cmp -s "$tmp/now.tree" "$tmp/applied.tree" || bad="$bad $i:applied-but-not" ;;
	undone) cmp -s "$tmp/now.tree" "$tmp/pristine.tree" || bad="$bad $i:undone-but-not" ;;
	"partly undone") ;;
	*) bad="$bad $i:state=$st" ;;
	esac
	"$vfiokit" undo --root "$w" >/dev/null 2>"$tmp/err"
	rc=$?
	if [ "$st" = undone ]; then
		[ $rc = 1 ] || bad="$bad $i:undo-rc$rc"
	elif [ $rc != 0 ]; then
		bad="$bad $i:undo-rc$rc"; cat "$tmp/err" >>"$tmp/bad"
	fi
	[ "$(state "$w")" = undone ] || bad="$bad $i:not-undone"
	tree "$w" | cmp -s - "$tmp/pristine.tree" && restored=$((restored + 1))
	s=$(strays "$w")
	left=$((left + s))
	i=$((i + kstep))
done
table "undo" $points $restored $left
echo "$bad" >>"$tmp/bad"
[ $points -gt 10 ] && [ $restored = $points ] && [ $left = 0 ] && [ -z "$bad" ]
ok $? "undo killed at $points of its changes (every $kstep): journal tells the truth, plain undo again restores $restored, $left strays" "$tmp/bad"

# 3. Killed in tune hook --apply: no executable in qemu.d is ever half a
# script (libvirt runs every executable there for every guest).
r="$tmp/hookhost"
sh "$fixtures/mkhookhost.sh" "$fixtures" "$r" || exit 1
mkdir -p "$r/etc/libvirt/hooks/qemu.d"
printf '#!/bin/sh\n# the user'"'"'s own hook\n' >"$r/etc/libvirt/hooks/qemu.d/other" && chmod 755 "$r/etc/libvirt/hooks/qemu.d/other"
tree "$r" >"$tmp/hook.pristine"
cp -a "$r" "$tmp/hook.done"
"$vfiokit" tune hook win10 --vcpus 6 --no-sleep --root "$tmp/hook.done" --apply >/dev/null 2>"$tmp/err"
ok $? "tune hook --apply on the copy" "$tmp/err"
hook="$tmp/hook.done/etc/libvirt/hooks/qemu.d/vfiokit-win10"
i=1 points=0 restored=0 left=0 halfexec=0 bad=
while [ $i -lt 500 ]; do
	w="$tmp/w"
	rm -rf "$w" && cp -a "$r" "$w"
	killed $i "$w" tune hook win10 --vcpus 6 --no-sleep --apply
	[ -s "$tmp/failat.log" ] || break
	points=$((points + 1))
	for f in "$w"/etc/libvirt/hooks/qemu.d/* "$w"/etc/libvirt/hooks/qemu.d/.#*; do
		[ -f "$f" ] && [ -x "$f" ] || continue
		cmp -s "$f" "$hook" || cmp -s "$f" "$r/etc/libvirt/hooks/qemu.d/other" || halfexec=$((halfexec + 1))
	done
	st=$(state "$w")
	"$vfiokit" undo --root "$w" >/dev/null 2>"$tmp/err"
	rc=$?
	{ [ -z "$st" ] && [ $rc = 1 ]; } || { [ -n "$st" ] && [ $rc = 0 ]; } || bad="$bad $i:$st:undo-rc$rc"
	tree "$w" | cmp -s - "$tmp/hook.pristine" && restored=$((restored + 1))
	s=$(strays "$w")
	left=$((left + s))
	i=$((i + kstep))
done
table "tune hook --apply" $points $restored $left
echo "# $halfexec executable files in qemu.d that were not a complete hook"
[ $points -gt 10 ] && [ $restored = $points ] && [ $left = 0 ] && [ $halfexec = 0 ] && [ -z "$bad" ]
ok $? "tune hook --apply killed at $points of its changes (every $kstep): never a partial executable hook, plain undo restores $restored, $left strays ${bad:+($bad)}"

# 4. An undo that fails half-way (the Nth change fails, EIO): nothing
# changed, or a plain undo run again finishes it. (A failing fsync of a
# directory after its rename or rmdir is not a failure of the undo: what
# it did is there.)
i=1 points=0 retried=0 bad=
while [ $i -lt 500 ]; do
	w="$tmp/w"
	rm -rf "$w" && cp -a "$tmp/applied" "$w"
	rm -f "$tmp/failat.log"
	FAILAT=$i FAILAT_LOG="$tmp/failat.log" LD_PRELOAD="$FAILAT_SO" "$vfiokit" undo --root "$w" >/dev/null 2>"$tmp/err"
	rc=$?
	[ -s "$tmp/failat.log" ] || break
	points=$((points + 1))
	st=$(state "$w")
	if [ $rc = 0 ] && [ "$st" = undone ]; then
		tree "$w" | cmp -s - "$tmp/pristine.tree" && [ "$(strays "$w")" = 0 ] && retried=$((retried + 1))
		i=$((i + kstep))
		continue
	fi
	{ [ $rc = 1 ] && { { [ "$st" = applied ] && tree "$w" | cmp -s - "$tmp/applied.tree"; } || [ "$st" = "partly undone" ]; }; } ||
		bad="$bad $i:rc$rc:$st"
	"$vfiokit" undo --root "$w" >/dev/null 2>"$tmp/err" && tree "$w" | cmp -s - "$tmp/pristine.tree" &&
		[ "$(state "$w")" = undone ] && [ "$(strays "$w")" = 0 ] && retried=$((retried + 1))
	i=$((i + kstep))
done
echo "# an undo failing at $points of its changes (every $kstep): $retried back to before (by itself, or by a plain undo run again)"
[ $points -gt 10 ] && [ $retried = $points ] && [ -z "$bad" ]
ok $? "undo failing at $points of its changes (every $kstep): said, nothing lost; undo again finishes $retried ${bad:+($bad)}" "$tmp/err"

# 5. Links. A symbolic link inside the root: what it leads to is edited,
# the link stays a link, undo puts the target back (never mode 0777).
for kind in relative absolute; do
	l="$tmp/link-$kind"
	cp -a "$debian" "$l"
	mkdir -p "$l/usr/share/grub/default"
	mv "$l/etc/default/grub" "$l/usr/share/grub/default/grub"
	if [ $kind = relative ]; then ln -s ../../usr/share/grub/default/grub "$l/etc/default/grub"
	else ln -s /usr/share/grub/default/grub "$l/etc/default/grub"; fi
	tree "$l" >"$tmp/link.before"
	"$vfiokit" setup --gpu 06:00.0 --root "$l" --apply >/dev/null 2>"$tmp/err"
	rc=$?
	[ $rc = 0 ] && [ -L "$l/etc/default/grub" ] && grep -q 'intel_iommu=on' "$l/usr/share/grub/default/grub" &&
		[ "$(stat -c '%a %u' "$l/usr/share/grub/default/grub")" = "600 1234" ]
	ok $? "a $kind symbolic link /etc/default/grub: its target edited (mode and owner kept), the link kept" "$tmp/err"
	"$vfiokit" undo --root "$l" >/dev/null 2>"$tmp/err"
	tree "$l" | diff "$tmp/link.before" - >"$tmp/d"
	[ $? = 0 ] && [ -L "$l/etc/default/grub" ]
	ok $? "undo: the $kind link and its target exactly as before (mode $(stat -c %a "$l/usr/share/grub/default/grub"))" "$tmp/d"
done
# A link leading out of the root: refused, the target named, nothing
# written (read inside the root, ".." stops at it: the copy has the file
# there too, which is what the planner edits).
l="$tmp/link-out"
cp -a "$debian" "$l"
mkdir -p "$tmp/outside" "$l/outside"
cp -a "$debian/etc/default/grub" "$tmp/outside/grub"
cp -a "$debian/etc/default/grub" "$l/outside/grub"
rm "$l/etc/default/grub"
ln -s ../../../outside/grub "$l/etc/default/grub"
tree "$l" >"$tmp/link.before"
"$vfiokit" setup --gpu 06:00.0 --root "$l" --apply >/dev/null 2>"$tmp/err"
rc=$?
[ $rc = 1 ] && grep -q "/etc/default/grub leads out of $l (a symbolic link to ../../../outside/grub)" "$tmp/err" &&
	tree "$l" | cmp -s - "$tmp/link.before" && cmp -s "$tmp/outside/grub" "$debian/etc/default/grub"
ok $? "a symbolic link leading out of the root: refused, its target named, nothing written" "$tmp/err"
# A hard link (mkinitcpio.conf and a copy kept by the user, say): refused,
# not split.
l="$tmp/hardlink"
cp -a "$debian" "$l"
ln "$l/etc/default/grub" "$l/etc/default/grub.mine"
tree "$l" >"$tmp/link.before"
"$vfiokit" setup --gpu 06:00.0 --root "$l" --apply >/dev/null 2>"$tmp/err"
rc=$?
[ $rc = 1 ] && grep -q "/etc/default/grub has 2 hard links: replacing it would split them" "$tmp/err" &&
	tree "$l" | cmp -s - "$tmp/link.before" && [ "$(stat -c %h "$l/etc/default/grub")" = 2 ]
ok $? "a hard-linked /etc/default/grub: refused (not split), nothing written" "$tmp/err"

# 6. A replaced file keeps its SELinux label and its ACL.
l="$tmp/xattr"
cp -a "$debian" "$l"
if python3 - "$l/etc/default/grub" <<'EOF' 2>/dev/null
import os, struct, sys
os.setxattr(sys.argv[1], "security.selinux", b"system_u:object_r:bootloader_etc_t:s0")
e = lambda tag, perm, uid=0xffffffff: struct.pack("<HHI", tag, perm, uid)
os.setxattr(sys.argv[1], "system.posix_acl_access",
            struct.pack("<I", 2) + e(1, 6) + e(2, 4, 4321) + e(4, 0) + e(0x10, 4) + e(0x20, 0))
EOF
then
	xa() { python3 -c 'import os,sys; print(sorted((n, os.getxattr(sys.argv[1], n)) for n in os.listxattr(sys.argv[1]) if not n.startswith("user.")))' "$1"; }
	xa "$l/etc/default/grub" >"$tmp/xa.before"
	"$vfiokit" setup --gpu 06:00.0 --root "$l" --apply >/dev/null 2>"$tmp/err" && xa "$l/etc/default/grub" >"$tmp/xa.applied" &&
		"$vfiokit" undo --root "$l" >/dev/null 2>>"$tmp/err" && xa "$l/etc/default/grub" >"$tmp/xa.undone"
	[ $? = 0 ] && cmp -s "$tmp/xa.before" "$tmp/xa.applied" && cmp -s "$tmp/xa.before" "$tmp/xa.undone" &&
		grep -q 'security.selinux' "$tmp/xa.before" && grep -q 'posix_acl_access' "$tmp/xa.before"
	ok $? "the SELinux label and the ACL of /etc/default/grub survive apply and undo" "$tmp/err"
else
	n=$((n + 1)); echo "ok $n # SKIP this file system takes no security.* or ACL xattrs"
fi

# 7. A damaged manifest: shown as damaged, and undo refuses rather than
# take the older entry.
l="$tmp/damaged"
cp -a "$tmp/applied" "$l"
"$vfiokit" setup --gpu 06:00.0 --iommu-pt --root "$l" --apply >/dev/null 2>"$tmp/err"
newest=$(ls "$l/var/lib/vfiokit/journal" | tail -1)
echo "not a manifest" >"$l/var/lib/vfiokit/journal/$newest/manifest"
tree "$l" >"$tmp/damaged.before"
"$vfiokit" journal -n -r -o ID,STATE --root "$l" >"$tmp/out" 2>&1
[ "$(grep -c ' applied$' "$tmp/out")" = 1 ] && grep -q "^$newest damaged$" "$tmp/out"
ok $? "journal shows the entry with the damaged manifest as damaged" "$tmp/out"
"$vfiokit" undo --root "$l" >/dev/null 2>"$tmp/err"
rc=$?
[ $rc = 1 ] && grep -q "the newest journal entry, $newest, is damaged" "$tmp/err" && tree "$l" | cmp -s - "$tmp/damaged.before"
ok $? "undo refuses the damaged newest entry instead of undoing the older one" "$tmp/err"

# 8. Undo takes only the journal's own IDs.
l="$tmp/ids"
cp -a "$tmp/applied" "$l"
mkdir -p "$l/evil"
printf 'vfiokit-journal 1\ntime x\ncommand x\nfile 0 1 644 1 644 etc/evil\n' >"$l/evil/manifest"
echo owned >"$l/evil/0.before" && echo x >"$l/evil/0.after"
for bad in ../../../../evil 20240101-000000/../../../../../evil /evil 2024; do
	"$vfiokit" undo --root "$l" "$bad" >/dev/null 2>"$tmp/err"
	rc=$?
	[ $rc = 2 ] && grep -q "'$bad' is not a journal entry ID" "$tmp/err" && [ ! -e "$l/etc/evil" ]
	ok $? "undo $bad: a usage error, nothing read or written" "$tmp/err"
done

# 9. The journal's directories: var and var/lib as the FHS has them (0755),
# whatever the umask; the journal itself 0700.
l="$tmp/fhs"
cp -a "$debian" "$l"
rm -rf "$l/var"
(umask 077 && "$vfiokit" setup --gpu 06:00.0 --root "$l" --apply >/dev/null 2>"$tmp/err")
[ "$(stat -c %a "$l/var" "$l/var/lib" "$l/var/lib/vfiokit" "$l/var/lib/vfiokit/journal" | tr '\n' ' ')" = "755 755 755 700 " ]
ok $? "a new var/ and var/lib/ are 0755 (umask 077), the journal 0700: $(stat -c %a "$l/var" "$l/var/lib" "$l/var/lib/vfiokit/journal" | tr '\n' ' ')" "$tmp/err"

# 10. Standard output on a full disk: the change is made, and said.
if [ -w /dev/full ]; then
	l="$tmp/full"
	cp -a "$debian" "$l"
	"$vfiokit" setup --gpu 06:00.0 --root "$l" --apply >/dev/full 2>"$tmp/err"
	rc=$?
	[ $rc = 1 ] && grep -q "the changes were applied (journal entry [0-9-]*), but the diff could not be written to standard output: No space left on device" "$tmp/err" &&
		[ "$(state "$l")" = applied ] && ! grep -q "write error on standard output" "$tmp/err"
	ok $? "setup --apply >/dev/full: applied, and says so with the real error (exit 1)" "$tmp/err"
	"$vfiokit" undo --root "$l" >/dev/full 2>"$tmp/err"
	rc=$?
	[ $rc = 1 ] && grep -q "was undone, but the diff could not be written to standard output: No space left on device" "$tmp/err" &&
		[ "$(state "$l")" = undone ]
	ok $? "undo >/dev/full: undone, and says so (exit 1)" "$tmp/err"
else
	n=$((n + 2)); echo "ok $((n - 1)) # SKIP no /dev/full"; echo "ok $n # SKIP no /dev/full"
fi

# 11. vm edit --define never writes over an older backup (two defines in
# one second): the backups of the next seconds exist already.
if command -v virsh >/dev/null && [ -f /usr/share/qemu/firmware/60-edk2-x86_64.json ]; then
	l="$tmp/vm"
	cp -a "$fixtures/hosts/article" "$l"
	printf 'MemTotal:       16363840 kB\nMemAvailable:   12000000 kB\n' >"$l/proc/meminfo"
	{ echo "<node>"; cat "$fixtures/libvirt/win10-virt-manager.xml"; echo "</node>"; } >"$tmp/node.xml"
	mkdir -p "$l/var/lib/vfiokit/libvirt"
	now=$(date -u +%s)
	for s in 0 1 2 3 4 5; do
		echo "older $s" >"$l/var/lib/vfiokit/libvirt/win10.$(date -u -d "@$((now + s))" +%Y%m%dT%H%M%SZ).xml"
	done
	(cd "$l/var/lib/vfiokit/libvirt" && md5sum ./*) >"$tmp/backups"
	(cd "$tmp" && "$vfiokit" vm edit win10 --gpu 06:00.0 --connect "test://$tmp/node.xml" --define --root "$l") >/dev/null 2>"$tmp/err"
	rc=$?
	(cd "$l/var/lib/vfiokit/libvirt" && md5sum -c --quiet "$tmp/backups") >>"$tmp/err" 2>&1 &&
		[ $rc = 0 ] && [ "$(ls "$l/var/lib/vfiokit/libvirt" | wc -l)" = 7 ] &&
		grep -q "the old definition is in $l/var/lib/vfiokit/libvirt/win10.[0-9TZ]*-002.xml" "$tmp/err"
	ok $? "vm edit --define: a backup of the same second gets -002, none written over" "$tmp/err"
else
	n=$((n + 1)); echo "ok $n # SKIP no virsh or Debian's ovmf"
fi
# 12. A binary file: vm create --rom --apply copies a real option ROM
# (Debian's iPXE e1000e ROM, its PCIR given the guest GPU's IDs) to
# /usr/share/vgabios; killed at each change, the journal tells the truth
# and a plain undo gives the tree back; undo takes the copy back byte for
# byte; a changed copy is drift; a cut or altered copy in the journal makes
# the entry damaged, which undo refuses saying why; a link at the name is
# refused. Then the version 1 entry of tests/fixtures/journal-v1.
if command -v virsh >/dev/null && [ -f /usr/share/qemu/firmware/60-edk2-x86_64.json ] && [ -f /usr/lib/ipxe/qemu/efi-e1000e.rom ]; then
	r="$tmp/romhost"
	sh "$fixtures/mkvmhost.sh" "$fixtures" "$r" || exit 1
	mkdir -p "$r/srv" "$r/var/lib"
	python3 - "$r/srv/gpu.rom" <<'PY' || exit 1
import struct, sys
b = bytearray(open("/usr/lib/ipxe/qemu/efi-e1000e.rom", "rb").read())
off = 0
while b[off:off + 2] == b"\x55\xaa":
    p = off + struct.unpack_from("<H", b, off + 0x18)[0]
    struct.pack_into("<HH", b, p + 4, 0x10de, 0x13c2)
    off += struct.unpack_from("<H", b, p + 0x10)[0] * 512
    if b[p + 0x15] & 0x80:
        break
open(sys.argv[1], "wb").write(b)
PY
	sum=$(sha256sum "$r/srv/gpu.rom" | cut -c1-64)
	copy="usr/share/vgabios/10de-13c2-$(echo "$sum" | cut -c1-12).rom"
	vmrom() { (cd "$tmp" && ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" "$@" vm create win10 --gpu 06:00.0 --rom /srv/gpu.rom --apply --connect test:///default --root "$w"); }
	tree "$r" >"$tmp/rom.pristine"
	w="$tmp/romdone"
	rm -rf "$w" && cp -a "$r" "$w"
	vmrom "$vfiokit" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	tree "$w" >"$tmp/rom.applied"
	[ $rc = 0 ] && cmp -s "$w/$copy" "$r/srv/gpu.rom" && [ "$(stat -c %a "$w/$copy")" = 644 ] &&
		grep -qx "+binary file, $(stat -c %s "$r/srv/gpu.rom") bytes, sha256 $sum" "$tmp/out" &&
		grep -q "^file 0 binary 0 644 - - 1 644 $(stat -c %s "$r/srv/gpu.rom") $sum $copy\$" "$w"/var/lib/vfiokit/journal/*/manifest
	ok $? "vm create --rom --apply: the ROM copied byte for byte to /$copy (0644), the diff and the manifest give its length and sha256" "$tmp/err"
	# Every kill point in the plain build; every 7th in the sanitizer
	# build's run (make check sets ASAN_OPTIONS there), which looks for
	# memory errors on the same path at a seventh of the cost.
	step=1
	[ -z "$sanitizer_run" ] || step=7
	i=1 points=0 restored=0 left=0 bad=
	while [ $i -lt 200 ]; do
		w="$tmp/w"
		rm -rf "$w" && cp -a "$r" "$w"
		rm -f "$tmp/failat.log"
		vmrom env FAILAT_KILL=$i FAILAT_LOG="$tmp/failat.log" LD_PRELOAD="$FAILAT_SO" "$vfiokit" >/dev/null 2>&1
		[ -s "$tmp/failat.log" ] || break
		points=$((points + 1))
		st=$(state "$w")
		tree "$w" | grep -v '/\.#' >"$tmp/now.tree"
		case "$st" in
		"") cmp -s "$tmp/now.tree" "$tmp/rom.pristine" || bad="$bad $i:no-entry-but-changed" ;;
		applied) cmp -s "$tmp/now.tree" "$tmp/rom.applied" || bad="$bad $i:applied-but-not" ;;
		"partly applied") ;;
		*) bad="$bad $i:state=$st" ;;
		esac
		"$vfiokit" undo --root "$w" >/dev/null 2>&1
		tree "$w" | cmp -s - "$tmp/rom.pristine" && restored=$((restored + 1))
		left=$((left + $(strays "$w")))
		i=$((i + step))
	done
	table "vm create --rom --apply" $points $restored $left
	[ $points -gt 5 ] && [ $restored = $points ] && [ $left = 0 ] && [ -z "$bad" ]
	ok $? "vm create --rom --apply killed at $points of its changes (every $step): plain undo restores $restored, $left strays ${bad:+($bad)}"
	w="$tmp/romdone"
	"$vfiokit" undo --root "$w" >"$tmp/out" 2>"$tmp/err"
	[ $? = 0 ] && tree "$w" | cmp -s - "$tmp/rom.pristine" && [ ! -e "$w/usr/share/vgabios" ] &&
		grep -qx -- "-binary file, $(stat -c %s "$r/srv/gpu.rom") bytes, sha256 $sum" "$tmp/out"
	ok $? "undo: the copy and the directory it needed gone, the tree as before" "$tmp/err"
	# Drift: one byte of the copy changed since.
	rm -rf "$w" && cp -a "$r" "$w" && vmrom "$vfiokit" >/dev/null 2>&1
	printf '\001' | dd of="$w/$copy" bs=1 seek=4096 conv=notrunc 2>/dev/null
	"$vfiokit" journal -n -r -o DRIFT --root "$w" >"$tmp/out" 2>&1
	"$vfiokit" undo --root "$w" >/dev/null 2>"$tmp/err"
	rc=$?
	[ $rc = 1 ] && grep -qx "$copy" "$tmp/out" && grep -q "changed since vfiokit wrote it: /$copy; undo would lose that (--force undoes anyway)" "$tmp/err" && [ -e "$w/$copy" ]
	ok $? "a byte of the copy changed: journal names it as drift, undo refuses without --force" "$tmp/err"
	# The journal's copy cut short, or one byte of it altered: damaged, said.
	for how in cut altered; do
		rm -rf "$w" && cp -a "$r" "$w" && vmrom "$vfiokit" >/dev/null 2>&1
		e=$(ls -d "$w"/var/lib/vfiokit/journal/*)
		if [ $how = cut ]; then truncate -s 65536 "$e/0.after"; want="the copy 0.after is 65536 bytes where its manifest says $(stat -c %s "$r/srv/gpu.rom") (cut short) (/$copy)"
		else printf x | dd of="$e/0.after" bs=1 seek=100 conv=notrunc 2>/dev/null; want="the bytes of the copy 0.after are not those its manifest names"; fi
		"$vfiokit" journal -n -r -o STATE,COMMAND --root "$w" >"$tmp/out" 2>&1
		"$vfiokit" undo --root "$w" >/dev/null 2>"$tmp/err"
		rc=$?
		[ $rc = 1 ] && grep -q "^damaged " "$tmp/out" && grep -qF "is damaged ($want" "$tmp/err" && cmp -s "$w/$copy" "$r/srv/gpu.rom"
		ok $? "the journal's copy of the ROM $how: the entry damaged, undo refuses it saying why, the ROM left" "$tmp/err"
	done
	# A link at the copy's name: refused, nothing written through it.
	rm -rf "$w" && cp -a "$r" "$w" && mkdir -p "$w/usr/share/vgabios" && ln -s ../../../etc/shadow "$w/$copy"
	echo 'root:*:1::::::' >"$w/etc/shadow"
	vmrom "$vfiokit" >/dev/null 2>"$tmp/err"
	rc=$?
	[ $rc = 1 ] && grep -q "/$copy is a symbolic link: vfiokit does not write through it" "$tmp/err" &&
		[ "$(cat "$w/etc/shadow")" = 'root:*:1::::::' ] && [ ! -e "$w/var/lib/vfiokit/journal" ]
	ok $? "a symbolic link at the ROM copy's name: refused, nothing written" "$tmp/err"
else
	for t in 1 2 3 4 5 6 7; do n=$((n + 1)); echo "ok $n # SKIP no virsh, Debian's ovmf or ipxe-qemu"; done
fi
# A version 1 entry (written before binary files): listed, undone to the
# files before it, its manifest kept in version 1.
l="$tmp/v1"
cp -a "$fixtures/journal-v1" "$l"
"$vfiokit" journal -n -r -o ID,STATE,DRIFT --root "$l" >"$tmp/out" 2>&1 &&
	"$vfiokit" undo --root "$l" >/dev/null 2>"$tmp/err"
rc=$?
[ $rc = 0 ] && [ "$(cat "$tmp/out")" = "20261201-100912 applied " ] &&
	cmp -s "$l/etc/libvirt/qemu.conf" "$l/var/lib/vfiokit/journal/20261201-100912/1.before" &&
	[ ! -e "$l/etc/tmpfiles.d" ] && [ ! -e "$l/etc/modprobe.d" ] && [ "$(state "$l")" = undone ] &&
	head -1 "$l/var/lib/vfiokit/journal/20261201-100912/manifest" | grep -qx 'vfiokit-journal 1'
ok $? "a version 1 journal entry: listed as applied, undone byte for byte, its manifest still version 1" "$tmp/err"
echo "1..$n"
exit $fail
