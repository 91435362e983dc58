#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Command-line behaviour: usage errors, exit codes, bad --root, write errors.
# usage: cli.sh VFIOKIT FIXTURES
set -u
vfiokit=$1 fixtures=$2
export LC_ALL=C NO_COLOR=1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
n=0
t() { # t NAME EXPECTED_EXIT GREP_PATTERN -- ARGS...
	name=$1 want=$2 pat=$3; shift 4
	n=$((n + 1))
	"$@" >"$tmp/out" 2>&1; rc=$?
	if [ "$rc" -ne "$want" ]; then
		echo "not ok $n - $name: exit $rc, expected $want"; sed 's/^/# /' "$tmp/out"
	elif [ -n "$pat" ] && ! grep -q -- "$pat" "$tmp/out"; then
		echo "not ok $n - $name: output lacks '$pat'"; sed 's/^/# /' "$tmp/out"
	else
		echo "ok $n - $name"
	fi
}
A="$fixtures/article"
echo "1..66"
t "no command" 2 "Usage: vfiokit" -- "$vfiokit"
t "no command, a pipe: no next" 2 "options go after the command" -- "$vfiokit" --root "$A"
# On a terminal (script(1) gives one), the usage line, then next's answer.
t "no command on a terminal: next" 0 "stage 2 of 8: choose the guest's GPU" -- script -qec "'$vfiokit' --root '$A'" /dev/null
t "--version" 0 "^vfiokit [0-9]" -- "$vfiokit" --version
t "--help lists commands" 0 "snapshot" -- "$vfiokit" --help
t "help groups" 0 "Usage: vfiokit groups" -- "$vfiokit" help groups
t "help unknown" 2 "unknown command" -- "$vfiokit" help frobnicate
t "unknown command" 2 "not a vfiokit command" -- "$vfiokit" frobnicate
t "abbreviated command refused" 2 "not a vfiokit command" -- "$vfiokit" grou
t "groups --help" 0 "Columns:" -- "$vfiokit" groups --help
t "check --help" 0 "Exit status" -- "$vfiokit" check --help
t "snapshot --help" 0 "never taken" -- "$vfiokit" snapshot --help
t "nonexistent --root" 2 "--root $tmp/nope: no such directory" -- "$vfiokit" groups --root "$tmp/nope"
t "--root is a file" 2 "not a directory" -- "$vfiokit" check --root "$A/proc/cmdline"
t "bad --group" 2 "group number" -- "$vfiokit" groups --group x --root "$A"
t "missing --group" 1 "no IOMMU group 99" -- "$vfiokit" groups --group 99 --root "$A"
t "bad --device" 2 "PCI address" -- "$vfiokit" groups --device 6:0.0 --root "$A"
t "unknown --device" 1 "no PCI device 0000:99:00.0" -- "$vfiokit" groups --device 0000:99:00.0 --root "$A"
t "--device without a group" 1 "in no IOMMU group" -- "$vfiokit" groups --device 01:00.0 --root "$fixtures/iommu-off"
t "unknown column" 2 "unknown column 'BOGUS'" -- "$vfiokit" groups -o NAME,BOGUS --root "$A"
t "stray argument" 2 "unexpected argument" -- "$vfiokit" check extra --root "$A"
t "check fails on iommu-off" 1 "FAIL  IOMMU active" -- "$vfiokit" check --root "$fixtures/iommu-off"
t "snapshot needs -o" 2 "-o FILE is required" -- "$vfiokit" snapshot --root "$A"
: >"$tmp/exists.tar.gz"
t "snapshot keeps an existing file" 1 "use --force" -- "$vfiokit" snapshot -o "$tmp/exists.tar.gz" --root "$A"
t "write error on stdout" 1 "write error" -- sh -c "'$vfiokit' groups --root '$A' >/dev/full"
t "closed pipe is not an error" 0 "" -- sh -c "'$vfiokit' groups --root '$A' | head -1 >/dev/null"
t "bind --help" 0 "never new_id" -- "$vfiokit" bind --help
t "bind needs a target" 2 "name at least one device" -- "$vfiokit" bind --dry-run --root "$A"
t "bind --root needs --dry-run" 2 "add --dry-run" -- "$vfiokit" bind --root "$A" 06:00.0
t "bind: bad group target" 2 "expected group:N" -- "$vfiokit" bind --dry-run --root "$A" group:x
t "bind: no such group" 1 "there is no IOMMU group 77" -- "$vfiokit" bind --dry-run --root "$A" group:77
t "bind: driver names only" 2 "takes a driver name" -- "$vfiokit" bind --dry-run --root "$A" --driver ../x 06:00.0
t "bind: an ID of several devices" 1 "matches 3 devices" -- "$vfiokit" bind --dry-run --root "$fixtures/q35-e2e" 8086:10d3
t "unbind takes no --allow-*" 2 "is an option of 'vfiokit bind'" -- "$vfiokit" unbind --allow-display 06:00.0
t "unbind: nothing bound" 0 "nothing to do" -- "$vfiokit" unbind --dry-run --root "$A" 06:00.0
if command -v setpriv >/dev/null && [ "$(id -u)" = 0 ]; then
	nobody="setpriv --reuid=65534 --regid=65534 --clear-groups"
	# A copy nobody can reach (the checkout may lie under root's 0700 home).
	chmod 755 "$tmp" && cp -a "$A" "$tmp/article-pub" && chmod -R a+rX "$tmp/article-pub"
	pub=$tmp/article-pub
	t "bind as non-root" 1 "must run as root" -- $nobody "$vfiokit" bind 06:00.0
	t "a dry run as non-root is fine" 0 "drivers_probe" -- $nobody "$vfiokit" bind --dry-run --root "$pub" 06:00.0
	# One check, worded from the verb table (src/cli/vfiokit.c), for every verb that needs root.
	t "unbind as non-root: the table's reason" 1 "unbind must run as root: it changes the drivers" -- \
		$nobody "$vfiokit" unbind 06:00.0
	t "undo as non-root: the table's reason" 1 "undo must run as root: it writes system files" -- \
		$nobody "$vfiokit" undo
	t "undo --dry-run as non-root is fine" 1 "has no entry to undo" -- $nobody "$vfiokit" undo --dry-run --root "$pub"
else
	for s in 1 2 3 4 5; do n=$((n + 1)); echo "ok $n # SKIP not root or no setpriv"; done
fi
# vfiokit rom on Debian's real option ROMs (ipxe-qemu, seabios), and broken copies.
EFI=/usr/lib/ipxe/qemu/efi-e1000e.rom
t "rom --help" 0 "UEFI (OVMF) compatibility" -- "$vfiokit" rom --help
t "rom needs an argument" 2 "name a ROM file" -- "$vfiokit" rom
t "rom: an EFI ROM is UEFI-ready" 0 "UEFI-ready for x64 OVMF: image 1" -- "$vfiokit" rom "$EFI"
t "rom: a legacy VBIOS is not" 1 "no EFI image (code type 3)" -- "$vfiokit" rom /usr/share/seabios/vgabios-stdvga.bin
t "rom -J" 0 '"machine": "x64"' -- "$vfiokit" rom -J "$EFI"
t "rom --for another card" 1 "NOT made for the card 0000:06:00.0" -- "$vfiokit" rom --for 06:00.0 --root "$A" "$EFI"
t "rom: not a regular file" 1 "not a regular file" -- "$vfiokit" rom "$tmp"
: >"$tmp/empty.rom"
t "rom: empty file" 1 "the file is empty" -- "$vfiokit" rom "$tmp/empty.rom"
{ head -c 1536 /dev/zero | tr '\0' 'N'; cat "$EFI"; } >"$tmp/hdr.rom"
t "rom: a vendor header is named" 1 "strip the header first" -- "$vfiokit" rom "$tmp/hdr.rom"
t "rom strip writes the image" 0 "UEFI-ready for x64 OVMF" -- "$vfiokit" rom strip "$tmp/hdr.rom" "$tmp/out.rom"
t "rom strip gives back the ROM byte for byte" 0 "" -- cmp "$tmp/out.rom" "$EFI"
t "rom strip never overwrites" 1 "never overwritten" -- "$vfiokit" rom strip "$tmp/hdr.rom" "$tmp/out.rom"
t "rom strip: nothing to strip" 1 "no header to strip" -- "$vfiokit" rom strip "$EFI" "$tmp/out2.rom"
t "rom dump needs -o" 2 "dump needs -o FILE" -- "$vfiokit" rom dump 06:00.0 --root "$A"
# vfiokit tune: usage errors (the plans themselves: tests/tune.sh).
t "tune --help" 0 "SMT siblings" -- "$vfiokit" tune --help
t "tune needs an action" 2 "name what to do" -- "$vfiokit" tune
t "tune: unknown action" 2 "not a tune action" -- "$vfiokit" tune frob
t "tune pin needs --vcpus" 2 "pin needs --vcpus" -- "$vfiokit" tune pin --root "$A"
t "tune pin --vcpus 0" 2 "--vcpus takes a number" -- "$vfiokit" tune pin --vcpus 0 --root "$A"
t "tune pin: bad --host-cpus" 2 "takes a CPU list" -- "$vfiokit" tune pin --vcpus 2 --host-cpus 1-x --root "$A"
t "tune topology takes no pin options" 2 "options of pin" -- "$vfiokit" tune topology --vcpus 2 --root "$A"
t "tune pin on a root without CPUs" 1 "no CPU topology" -- "$vfiokit" tune pin --vcpus 2 --root "$A"
t "tune pin --gpu: no such device" 1 "no PCI device" -- "$vfiokit" tune pin --vcpus 2 --gpu 0000:99:00.0 --root "$A"
t "tune hugepages needs --memory" 2 "needs --memory SIZE" -- "$vfiokit" tune hugepages --root "$A"
t "tune hugepages: bad size" 2 "takes a size like 16G" -- "$vfiokit" tune hugepages --memory 16X --root "$A"
t "tune hugepages: bad page size" 2 "takes 2M or 1G" -- "$vfiokit" tune hugepages --memory 16G --page-size 4M --root "$A"
