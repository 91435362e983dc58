#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Make tests/fixtures/hosts/q35-e2e: boot Debian's kernel in QEMU (TCG, no KVM
# needed) on a q35 machine with an emulated Intel IOMMU, run
# `vfiokit snapshot` inside it, and unpack what it took.
#
# usage: tests/e2e/make-q35-fixture.sh BUILD_DIR [OUT_DIR]
#   BUILD_DIR  a meson build dir holding src/vfiokit
#   OUT_DIR    default tests/fixtures/hosts/q35-e2e
# Needs (Debian packages): qemu-system-x86 busybox-static cpio; the kernel
# package is fetched with `apt-get download` into $VFIOKIT_E2E_CACHE
# (default /var/tmp/vfiokit-e2e).
set -eu
build=$1
top=$(cd "$(dirname "$0")/../.." && pwd)
out=${2:-$top/tests/fixtures/hosts/q35-e2e}
cache=${VFIOKIT_E2E_CACHE:-/var/tmp/vfiokit-e2e}
vfiokit=$(cd "$build" && pwd)/src/vfiokit
mkdir -p "$cache"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The kernel Debian's linux-image-amd64 points at, from the package registry.
pkg=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
[ -n "$pkg" ] || { echo "cannot tell which kernel linux-image-amd64 depends on (run apt-get update)" >&2; exit 1; }
deb=$(ls "$cache/${pkg}_"*.deb 2>/dev/null | head -1 || true)
if [ -z "$deb" ]; then
	(cd "$cache" && apt-get download "$pkg")
	deb=$(ls "$cache/${pkg}_"*.deb | head -1)
fi
release=${pkg#linux-image-}
dpkg-deb -x "$deb" "$work/k"
kmods="$work/k/lib/modules/$release"
# The package leaves modules.dep and modules.alias to depmod at install time.
/sbin/depmod -b "$work/k" "$release"

# initramfs: busybox, vfiokit with its libraries, the modules it needs.
root="$work/root"
mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev" "$root/tmp" "$root/lib/modules/$release" \
	"$root/usr/share/misc" "$root/etc"
cp /bin/busybox "$root/bin/busybox"
for app in sh mount mkdir modprobe insmod cat ls base64 tar gzip poweroff sleep echo; do
	ln -sf busybox "$root/bin/$app"
done
cp "$vfiokit" "$root/bin/vfiokit"
for lib in $(ldd "$vfiokit" | awk '/=>/ {print $3} /ld-linux/ {print $1}'); do
	mkdir -p "$root$(dirname "$lib")"
	cp -L "$lib" "$root$lib"
done
# The guest names devices with this pci.ids, and the snapshot keeps its lines.
cp /usr/share/misc/pci.ids "$root/usr/share/misc/pci.ids"
cp "$kmods/modules.dep" "$kmods/modules.builtin" "$kmods/modules.alias" "$root/lib/modules/$release/"
want="vfio_pci e1000e xhci_pci snd_hda_intel bochs"
for m in $want; do
	# modules.dep: "kernel/path/mod.ko: deps..." - copy the module and its deps.
	line=$(grep -E "/$(echo "$m" | sed 's/[-_]/[-_]/g')\.ko(\.[a-z]+)?:" "$kmods/modules.dep" || true)
	[ -n "$line" ] || { echo "note: $m is not a module of $release" >&2; continue; }
	for f in $(echo "$line" | tr -d :); do
		mkdir -p "$root/lib/modules/$release/$(dirname "$f")"
		cp "$kmods/$f" "$root/lib/modules/$release/$f"
	done
done
cat >"$root/init" <<EOF
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in $want; do modprobe \$m 2>/dev/null; done
sleep 1
cat >/etc/os-release <<'OS'
PRETTY_NAME="vfiokit e2e guest (Debian kernel $release, busybox)"
NAME="vfiokit e2e guest"
ID=debian
OS
cd /tmp && vfiokit snapshot -o /tmp/snap.tar.gz
echo VFIOKIT-SNAPSHOT-BEGIN
base64 /tmp/snap.tar.gz
echo VFIOKIT-SNAPSHOT-END
poweroff -f
EOF
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc 2>/dev/null | gzip -1) >"$work/initrd.gz"

# The machine: two e1000e, a GPU with its HDMI audio in one slot, an xHCI
# controller, and an e1000e behind a PCIe root port (own groups).
start=$(date +%s)
timeout 300 qemu-system-x86_64 -machine q35,kernel-irqchip=split -accel tcg -m 1G -smp 1 \
	-cpu qemu64,vendor=GenuineIntel \
	-device intel-iommu,intremap=on,caching-mode=on \
	-kernel "$work/k/boot/vmlinuz-$release" -initrd "$work/initrd.gz" \
	-append "console=ttyS0 intel_iommu=on iommu=pt quiet" \
	-nographic -no-reboot -nodefaults -serial stdio \
	-device e1000e,addr=02.0 -device e1000e,addr=03.0 \
	-device VGA,addr=06.0,multifunction=on -device ich9-intel-hda,addr=06.1 \
	-device qemu-xhci,addr=07.0 \
	-device pcie-root-port,id=rp1,chassis=1,addr=08.0 -device e1000e,bus=rp1 \
	>"$work/serial.log" 2>&1 || true
echo "guest ran $(( $(date +%s) - start )) s" >&2
sed -n '/VFIOKIT-SNAPSHOT-BEGIN/,/VFIOKIT-SNAPSHOT-END/p' "$work/serial.log" | tr -d '\r' |
	grep -v VFIOKIT-SNAPSHOT >"$work/snap.b64"
if ! base64 -d "$work/snap.b64" >"$work/snap.tar.gz" 2>/dev/null || ! [ -s "$work/snap.tar.gz" ]; then
	echo "no snapshot came back; the serial console said:" >&2
	tail -40 "$work/serial.log" >&2
	exit 1
fi
rm -rf "$out"
mkdir -p "$out"
tar -xzf "$work/snap.tar.gz" -C "$out"
echo "wrote $out" >&2
