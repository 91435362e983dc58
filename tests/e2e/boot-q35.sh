#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Boot Debian's kernel in QEMU (TCG, no KVM needed) on a q35 machine with an
# emulated Intel IOMMU, run a script inside it as root, and keep everything
# the serial console printed. The e2e tests and the q35-e2e fixture use it.
#
# usage: tests/e2e/boot-q35.sh BUILD_DIR GUEST_SCRIPT SERIAL_LOG [MACHINE]
#   BUILD_DIR     a meson build dir holding src/vfiokit (copied in with its libraries)
#   GUEST_SCRIPT  run by the guest's /init after the modules are loaded
#   SERIAL_LOG    where the console output goes
#   MACHINE       bind (the default) or efifb, below
# Needs (Debian packages): qemu-system-x86 busybox-static cpio kmod (and ovmf
# for efifb); the kernel package is fetched with `apt-get download` into
# $VFIOKIT_E2E_CACHE (default /var/tmp/vfiokit-e2e), never from anywhere
# else, and unpacked there once (fetch-kernel.sh --shared).
#
# The machine: two e1000e (02.0, 03.0), a GPU with its HDMI audio in one slot
# (VGA 06.0 + HDA 06.1, one group), an xHCI controller (07.0), an e1000e behind
# a PCIe root port (08.0 -> 01:00.0, two groups), and a disk on the chipset's
# AHCI controller (00:1f.2, grouped with the LPC and SMBus functions).
#
# The efifb machine boots through OVMF (Debian's ovmf: the code read-only, a
# copy of the variables; the kernel through its EFI stub), with the VGA + HDA
# slot alone: OVMF's GOP on the std VGA becomes the kernel's boot
# framebuffer (efifb, built into Debian's kernel) on the VGA's BAR 0, and
# bochs is copied but not loaded, so that nothing takes the framebuffer
# from it before the guest script runs.
set -eu
build=$1 script=$2 log=$3 machine=${4:-bind}
vfiokit=$(cd "$build" && pwd)/src/vfiokit
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

release=$(sh "$(dirname "$0")/fetch-kernel.sh" --shared "$work")
kmods="$work/k/lib/modules/$release"

# initramfs: busybox, vfiokit with its libraries, the modules it needs.
root="$work/root"
mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev" "$root/tmp" "$root/run" \
	"$root/mnt" "$root/lib/modules/$release" "$root/usr/share/misc" "$root/etc"
cp /bin/busybox "$root/bin/busybox"
for app in $(/bin/busybox --list); do
	[ "$app" = busybox ] || ln -sf busybox "$root/bin/$app"
done
cp "$vfiokit" "$root/bin/vfiokit"
# util-linux's flock (libc only) holds vfiokit's lock in one case.
cp /usr/bin/flock "$root/bin/flock"
for lib in $(ldd "$vfiokit" | awk '/=>/ {print $3} /ld-linux/ {print $1}'); do
	mkdir -p "$root$(dirname "$lib")"
	cp -L "$lib" "$root$lib"
done
# The guest names devices with this pci.ids, and a snapshot keeps its lines.
cp /usr/share/misc/pci.ids "$root/usr/share/misc/pci.ids"
cp "$kmods/modules.dep" "$kmods/modules.builtin" "$kmods/modules.alias" "$root/lib/modules/$release/"
case $machine in
bind)
	want="e1000e xhci_pci snd_hda_intel bochs ahci sd_mod crc32c_generic ext4"
	# vfio_pci is copied but not loaded: `vfiokit bind` must load it.
	copy="vfio_pci $want" ;;
efifb)
	want="snd_hda_intel"
	copy="vfio_pci bochs $want" ;;
*) echo "unknown machine $machine" >&2; exit 1 ;;
esac
for m in $copy; do
	# modules.dep: "kernel/path/mod.ko: deps..." - copy the module and its deps.
	line=$(grep -E "/$(echo "$m" | sed 's/[-_]/[-_]/g')\.ko(\.[a-z]+)?:" "$kmods/modules.dep" || true)
	[ -n "$line" ] || { echo "note: $m is not a module of $release" >&2; continue; }
	for f in $(echo "$line" | tr -d :); do
		mkdir -p "$root/lib/modules/$release/$(dirname "$f")"
		cp "$kmods/$f" "$root/lib/modules/$release/$f"
	done
done
cp "$script" "$root/guest.sh"
cat >"$root/init" <<EOF2
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /run
for m in $want; do modprobe \$m 2>/dev/null; done
sleep 1
cat >/etc/os-release <<'OS'
PRETTY_NAME="vfiokit e2e guest (Debian kernel $release, busybox)"
NAME="vfiokit e2e guest"
ID=debian
OS
echo VFIOKIT-GUEST-START
cd /tmp && sh /guest.sh
echo VFIOKIT-GUEST-END
poweroff -f
EOF2
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc 2>/dev/null | gzip -1) >"$work/initrd.gz"
if [ "$machine" = efifb ]; then
	code=/usr/share/OVMF/OVMF_CODE_4M.fd vars=/usr/share/OVMF/OVMF_VARS_4M.fd
	[ -f "$code" ] || code=/usr/share/OVMF/OVMF_CODE.fd vars=/usr/share/OVMF/OVMF_VARS.fd
	cp "$vars" "$work/vars.fd"
	set -- -drive if=pflash,format=raw,readonly=on,file="$code" -drive if=pflash,format=raw,file="$work/vars.fd" \
		-device VGA,addr=06.0,multifunction=on -device ich9-intel-hda,addr=06.1
else
	truncate -s 16M "$work/disk.img"
	set -- -device e1000e,addr=02.0 -device e1000e,addr=03.0 \
		-device VGA,addr=06.0,multifunction=on -device ich9-intel-hda,addr=06.1 \
		-device qemu-xhci,addr=07.0 \
		-device pcie-root-port,id=rp1,chassis=1,addr=08.0 -device e1000e,bus=rp1 \
		-drive if=none,id=disk0,file="$work/disk.img",format=raw -device ide-hd,drive=disk0,bus=ide.0
fi

# no_timer_check: under TCG on a busy machine the kernel's check of the
# timer through the interrupt-remapped IO-APIC can fail, and it panics
# ("timer doesn't work through Interrupt-remapped IO-APIC").
start=$(date +%s)
timeout 400 qemu-system-x86_64 -machine q35,kernel-irqchip=split -accel tcg -m 1G -smp 1 \
	-cpu qemu64,vendor=GenuineIntel \
	-device intel-iommu,intremap=on,caching-mode=on \
	-kernel "$work/k/boot/vmlinuz-$release" -initrd "$work/initrd.gz" \
	-append "console=ttyS0 intel_iommu=on iommu=pt no_timer_check mitigations=off quiet" \
	-nographic -no-reboot -nodefaults -serial stdio "$@" \
	>"$log" 2>&1 || true
echo "guest ran $(( $(date +%s) - start )) s" >&2
grep -q VFIOKIT-GUEST-END "$log" || { echo "the guest script did not finish; the console said:" >&2; tail -40 "$log" >&2; exit 1; }
