#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The scripts vfiokit writes. shellcheck over the shell templates it embeds
# (src/emit/scripts/*.sh.in) and over the scripts it writes for the bundled
# fixture hosts: the plain QEMU launch script (vm create --qemu), the libvirt
# hook (tune hook), the driver_override script and its initramfs-tools hook
# (setup, identical cards); and an earlier driver_override script whose DEVS=
# holds shell is refused, not copied into the new one.
# usage: scripts.sh VFIOKIT FIXTURES_DIR TEMPLATE_DIR [KEEP_DIR]
# KEEP_DIR: the generated scripts are left there, to compare two builds.
set -u
vfiokit=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") fixtures=$(cd "$2" && pwd) templates=$3 keep=${4:-}
export LC_ALL=C NO_COLOR=1
[ -f /usr/share/qemu/firmware/60-edk2-x86_64.json ] || { echo "1..0 # SKIP Debian's ovmf package missing"; exit 0; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
n=0 failed=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else failed=1; echo "not ok $n - $2"; [ -n "${3-}" ] && sed 's/^/# /' "$3" | head -60; fi; }
out=$tmp/out
mkdir -p "$out"
# shellcheck disable=SC2016 # a name with shell in it, never to run
hostile='a b"c$(touch x)'"'"'d,e'

# Without shellcheck (Debian package shellcheck) the rest still runs.
lint() { # WHAT SHELLCHECK_ARGS...
	what=$1
	shift
	if ! command -v shellcheck >/dev/null; then n=$((n + 1)); echo "ok $n - $what # SKIP shellcheck missing"; return; fi
	shellcheck "$@" >"$tmp/why" 2>&1
	ok $? "$what" "$tmp/why"
}
for t in "$templates"/*.sh.in; do
	lint "shellcheck: template $(basename "$t")" -s sh "$t"
done

# vm create --qemu on the article's machine with OVMF (as tests/vm.sh).
root=$tmp/host
sh "$fixtures/mkvmhost.sh" "$fixtures" "$root" || exit 1
qemu() { # NAME GUEST ARGS...
	name=$1 guest=$2
	shift 2
	(cd "$tmp" && "$vfiokit" vm create "$guest" "$@" --root "$root" --qemu "$out/qemu-$name.sh" >/dev/null 2>"$tmp/why")
	ok $? "vm create --qemu ($name) writes its script" "$tmp/why"
}
qemu full win10 --gpu 06:00.0 --vcpus 6 --pin --hugepages --memory 8G --disk /srv/w,in.img --iso /srv/Win10.iso \
	--virtio-iso /srv/virtio-win.iso --evdev auto --usb 046d:c52b --looking-glass 1920x1080 --lg-spice \
	--audio pipewire --uid 1000 --rom /srv/gtx970.rom --hide-kvm
qemu pulse "$hostile" --gpu 06:00.0 --audio pulseaudio --uid 1000 --secure-boot --network none
qemu tcg "$hostile" --gpu 06:00.0 --accel tcg --memory 256M --vcpus 1

# tune hook on the article's Ryzen 5 1600, cgroup v2, systemd 252 (as tests/hook.sh).
r=$tmp/ryzen
sh "$fixtures/mkhookhost.sh" "$fixtures" "$r" --cpufreq || exit 1
hook() { # NAME GUEST ARGS...
	name=$1 guest=$2
	shift 2
	rm -rf "${r:?}/etc/libvirt/hooks/qemu.d"
	"$vfiokit" tune hook "$guest" "$@" --root "$r" --apply >/dev/null 2>"$tmp/why" &&
		cp "$r"/etc/libvirt/hooks/qemu.d/vfiokit-* "$out/hook-$name.sh" 2>>"$tmp/why"
	ok $? "tune hook ($name) writes its script" "$tmp/why"
}
hook full "$hostile" --vcpus 6 --isolate --memory 8G --page-size 2M --governor --no-sleep
hook isolate win10 --vcpus 6 --isolate
hook sleep win10 --vcpus 6 --no-sleep
hook pages win10 --vcpus 6 --memory 2G --page-size 2M

# setup with identical cards on Debian (GRUB, initramfs-tools): the
# driver_override script and its initramfs hook (as tests/setup.sh).
twin=$tmp/twin
cp -a "$fixtures/hosts/article" "$twin"
mkdir -p "$twin/etc/default" "$twin/etc/initramfs-tools" "$twin/usr/sbin"
printf 'GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX_DEFAULT="quiet"\nGRUB_CMDLINE_LINUX=""\n' >"$twin/etc/default/grub"
printf '# List of modules that you want to include in your initramfs.\n' >"$twin/etc/initramfs-tools/modules"
: >"$twin/usr/sbin/update-grub"
: >"$twin/usr/sbin/update-initramfs"
echo 0x13c2 >"$(find "$twin/sys/devices" -path '*0000:01:00.0/device' | head -1)"
# and in config space, where vfiokit reads it first (0x13c2 at offset 2, little-endian)
printf '\302\023' | dd of="$(find "$twin/sys/devices" -path '*0000:01:00.0/config' | head -1)" bs=1 seek=2 conv=notrunc 2>/dev/null
"$vfiokit" setup --gpu 06:00.0 --root "$twin" --apply >/dev/null 2>"$tmp/why" &&
	cp "$twin/usr/local/bin/vfio-pci-override.sh" "$out/vfio-pci-override.sh" &&
	cp "$twin/etc/initramfs-tools/hooks/vfio-pci-override" "$out/initramfs-tools-hook.sh"
ok $? "setup with identical cards writes the driver_override script and its initramfs hook" "$tmp/why"

# An earlier setup's script is outside text: shell in its DEVS= must not
# reach the new script (which modprobe runs as root at boot).
bad=$tmp/twin-bad
cp -a "$twin" "$bad"
# shellcheck disable=SC2016 # the $( is the text to put in the file
sed -i 's|^DEVS="0000:06:00.0 |DEVS="0000:06:00.0 $(touch /tmp/owned) |' "$bad/usr/local/bin/vfio-pci-override.sh"
cp "$bad/usr/local/bin/vfio-pci-override.sh" "$tmp/bad.before"
"$vfiokit" setup --gpu 01:00.0 --root "$bad" --apply >"$tmp/why" 2>&1
[ $? = 1 ] && grep -q "/usr/local/bin/vfio-pci-override.sh: its DEVS= holds shell syntax or control characters where PCI addresses belong" "$tmp/why" &&
	cmp "$tmp/bad.before" "$bad/usr/local/bin/vfio-pci-override.sh" >>"$tmp/why" 2>&1
ok $? "an earlier driver_override script with shell in DEVS= is refused, naming the file; nothing written" "$tmp/why"

# Findings left in what vfiokit writes, and why (the templates themselves
# carry their directives, which the renderer leaves out of the scripts):
# SC2016: sh_quote puts every value in single quotes on purpose: a $( in a
#   guest's name is text, not a command.
# SC2034: the hook's preamble (state=) is the same for every guest; a hook
#   without huge pages or governor does not use it.
# SC1091: hook-functions is initramfs-tools' own file, on the machine only.
for s in "$out"/*.sh; do
	case ${s##*/} in
	hook-*) exclude=SC2016,SC2034 ;;
	initramfs-tools-hook.sh) exclude=SC1091 ;;
	*) exclude=SC2016 ;;
	esac
	lint "shellcheck: $(basename "$s") as vfiokit writes it" -s sh -e "$exclude" "$s"
done
[ -z "$keep" ] || { mkdir -p "$keep" && cp "$out"/*.sh "$keep/"; }
echo "1..$n"
exit $failed
