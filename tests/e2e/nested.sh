#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Real passthrough through a real VFIO stack, end to end. L1: Debian's kernel
# under QEMU (TCG) on q35 with an emulated Intel IOMMU and an e1000e at
# 00:02.0, this machine's / shared read-only over 9p. Inside L1, as root:
# `vfiokit bind 00:02.0`, then `vfiokit vm create --qemu` writes the launch
# script, and the script starts L2 (OVMF from Debian's ovmf package, read-only
# code first, a copy of the variables; -device vfio-pci,host=0000:00:02.0;
# direct kernel boot). Inside L2 a Linux kernel must list 8086:10d3, bind its
# e1000e driver and read L1's MAC address 52:54:00:12:34:56 through VFIO.
# usage: nested.sh BUILD_DIR     (prints TAP)
set -u
build=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
command -v qemu-system-x86_64 >/dev/null && [ -x /bin/busybox ] || { echo "1..0 # SKIP qemu-system-x86 or busybox-static missing"; exit 0; }
[ -f /usr/share/qemu/firmware/60-edk2-x86_64.json ] || { echo "1..0 # SKIP ovmf missing"; exit 0; }
# The work dir must be visible inside L1 through the share: not under /tmp,
# which L1 does not see (its /run is a tmpfs, its /tmp the read-only share).
work=$(mktemp -d "$build/nested.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT INT TERM
release=$(sh "$here/fetch-kernel.sh" "$work") || { echo "1..1"; echo "not ok 1 - fetch the kernel"; exit 1; }
kmods="$work/k/lib/modules/$release"

# An initramfs of busybox and modules; $2: the modules to insert; $3: the rest of /init.
mkinitrd() { # DIR MODULES INIT_TAIL
	r=$1
	mkdir -p "$r/bin" "$r/proc" "$r/sys" "$r/dev" "$r/host" "$r/lib/modules/$release"
	cp /bin/busybox "$r/bin/busybox"
	for app in $(/bin/busybox --list); do [ "$app" = busybox ] || ln -sf busybox "$r/bin/$app"; done
	for m in $2; do
		line=$(grep -E "/$(echo "$m" | sed 's/[-_]/[-_]/g')\.ko(\.[a-z]+)?:" "$kmods/modules.dep" || true)
		[ -n "$line" ] || continue
		for f in $(echo "$line" | tr -d :); do
			mkdir -p "$r/lib/modules/$release/$(dirname "$f")"
			cp "$kmods/$f" "$r/lib/modules/$release/$f"
		done
	done
	cp "$kmods/modules.dep" "$kmods/modules.builtin" "$kmods/modules.alias" "$r/lib/modules/$release/"
	{
		echo '#!/bin/sh'
		echo 'mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs devtmpfs /dev'
		echo "for m in $2; do modprobe \$m || echo \"cannot load \$m\"; done"
		echo "$3"
		echo 'poweroff -f'
	} >"$r/init"
	chmod +x "$r/init"
}

# L2: list the PCI devices, let e1000e bind, print the MAC it read.
mkinitrd "$work/l2" "e1000e" '
echo L2-START
for d in /sys/bus/pci/devices/*; do echo "L2-PCI ${d##*/} $(cat $d/vendor):$(cat $d/device) $(basename "$(readlink $d/driver)" 2>/dev/null)"; done
sleep 2
for n in /sys/class/net/*; do [ "${n##*/}" = lo ] || echo "L2-NET ${n##*/} $(cat $n/address) $(basename "$(readlink $n/device/driver)")"; done
echo L2-END'
(cd "$work/l2" && find . | cpio -o -H newc 2>/dev/null | gzip -1) >"$work/l2.gz"

# L1: bind, create the script, run it.
l1mods="virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci netfs fscache 9pnet 9pnet_virtio 9p irqbypass vfio vfio_iommu_type1 vfio_virqfd vfio-pci-core vfio-pci e1000e"
mkinitrd "$work/l1" "$l1mods" "
mount -t 9p -o trans=virtio,version=9p2000.L,ro host /host
mount -t proc proc /host/proc; mount -t sysfs sysfs /host/sys; mount -t devtmpfs devtmpfs /host/dev
mount -t tmpfs tmpfs /host/run
export LC_ALL=C NO_COLOR=1 TMPDIR=/run
echo L1-START
chroot /host $build/src/vfiokit bind 00:02.0 2>&1; echo \"L1-BIND-RC \$?\"
chroot /host $build/src/vfiokit vm create 'l2 \"\$(x)' --gpu 00:02.0 --accel tcg --memory 256M --vcpus 1 --network none --qemu /run/l2.sh 2>&1; echo \"L1-CREATE-RC \$?\"
chroot /host sh /run/l2.sh -kernel $work/k/boot/vmlinuz-$release -initrd $work/l2.gz -append 'console=ttyS0 no_timer_check mitigations=off quiet' -serial stdio 2>&1; echo \"L1-L2-RC \$?\"
echo \"L1-RUN \$(ls /host/run | tr '\\n' ' ')\"
echo L1-END"
(cd "$work/l1" && find . | cpio -o -H newc 2>/dev/null | gzip -1) >"$work/l1.gz"

start=$(date +%s)
timeout 1140 qemu-system-x86_64 -machine q35,kernel-irqchip=split -accel tcg -m 2G -smp 2 \
	-cpu qemu64,vendor=GenuineIntel -device intel-iommu,intremap=on,caching-mode=on \
	-kernel "$work/k/boot/vmlinuz-$release" -initrd "$work/l1.gz" \
	-append "console=ttyS0 intel_iommu=on no_timer_check mitigations=off quiet" -nographic -no-reboot -nodefaults -serial stdio \
	-device e1000e,addr=02.0 \
	-fsdev local,id=hostfs,path=/,security_model=none,readonly=on,multidevs=remap \
	-device virtio-9p-pci,fsdev=hostfs,mount_tag=host,addr=10.0 \
	>"$work/log" 2>&1
echo "# L1 and L2 ran $(( $(date +%s) - start )) s"
n=0 rc=0
t() { n=$((n + 1)); if grep -q "$1" "$work/log"; then echo "ok $n - $2"; else echo "not ok $n - $2"; rc=1; fi; }
t "L1-BIND-RC 0" "L1: vfiokit bind 00:02.0 moved the e1000e to vfio-pci"
t "L1-CREATE-RC 0" "L1: vfiokit vm create --qemu wrote the launch script (a name with a quote and \$())"
t "L2-PCI 0000:00:0[0-9a-f].0 0x8086:0x10d3" "L2: the kernel lists the passed-through 8086:10d3"
t "L2-NET eth0 52:54:00:12:34:56 e1000e" "L2: e1000e bound and read L1's MAC 52:54:00:12:34:56 through VFIO"
t "L1-RUN .*l2_20_22_24_28x_29_VARS.fd" "L1: the script made the guest's own copy of OVMF's variables, named safely"
t "L1-L2-RC 0" "L1: the launch script (OVMF, vfio-pci) ran QEMU to the guest's poweroff"
echo "1..$n"
[ $rc -eq 0 ] || sed 's/^/# /' "$work/log" | tail -80
exit $rc
