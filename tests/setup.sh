#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# vfiokit setup on machine copies that carry the real default files of
# Debian's packages (grub2-common's /etc/default/grub, initramfs-tools'
# modules file, dracut's dracut.conf; fetched with apt-get download, never
# from elsewhere): golden plans and diffs, --apply, a second run changing
# nothing, undo back to a byte-identical tree, refusals, a failing write.
# usage: setup.sh VFIOKIT FIXTURES EXPECTED [--update]
set -u
vfiokit=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") fixtures=$(cd "$2" && pwd) expected=$3 update=${4:-}
export LC_ALL=C NO_COLOR=1
cache=${VFIOKIT_E2E_CACHE:-/var/tmp/vfiokit-e2e}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
n=0 fail=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; [ -n "${3-}" ] && sed 's/^/# /' "$3"; fi; }

mkdir -p "$cache" "$tmp/debs"
for pkg in grub2-common initramfs-tools-core dracut-core refind; do
	deb=$(ls "$cache/${pkg}_"*.deb 2>/dev/null | head -1)
	if [ -z "$deb" ]; then
		(cd "$cache" && flock .download apt-get download "$pkg" >/dev/null 2>&1)
		deb=$(ls "$cache/${pkg}_"*.deb 2>/dev/null | head -1)
	fi
	[ -n "$deb" ] || { echo "1..0 # SKIP cannot apt-get download $pkg (run apt-get update)"; exit 0; }
	dpkg-deb -x "$deb" "$tmp/debs/$pkg"
done
grub_default="$tmp/debs/grub2-common/usr/share/grub/default/grub"
itools_modules="$tmp/debs/initramfs-tools-core/usr/share/initramfs-tools/modules"

# debian: the article's machine with GRUB and initramfs-tools as Debian installs them.
debian="$tmp/debian"
cp -a "$fixtures/hosts/article" "$debian"
mkdir -p "$debian/etc/default" "$debian/etc/initramfs-tools" "$debian/usr/sbin"
cp "$grub_default" "$debian/etc/default/grub"
cp "$itools_modules" "$debian/etc/initramfs-tools/modules"
: >"$debian/usr/sbin/update-grub"
: >"$debian/usr/sbin/update-initramfs"
# fedora: dracut, grubby and the BLS entries of two kernels, written by the
# real kernel-install (systemd's 90-loaderentry.install) from /etc/kernel/cmdline.
fedora="$tmp/fedora"
cp -a "$fixtures/hosts/article" "$fedora"
mkdir -p "$fedora/etc/kernel" "$fedora/usr/bin" "$fedora/usr/sbin" "$fedora/boot/loader/entries"
cp -a "$tmp/debs/dracut-core/etc/dracut.conf" "$fedora/etc/dracut.conf"
: >"$fedora/usr/bin/dracut"
: >"$fedora/usr/sbin/grubby"
echo "root=UUID=6a1e6f0e-6c4b-4a47-9d0a-3f3c1a2b4c5d ro rhgb quiet" >"$fedora/etc/kernel/cmdline"
mid=6a1e6f0e6c4b4a479d0a3f3c1a2b4c5d
echo kernel >"$tmp/vmlinuz"
# kernel_install ROOT: the entries of both kernels, (re)written by kernel-install from ROOT/etc/kernel/cmdline.
kernel_install() {
	mkdir -p "$1/boot/$mid"
	for v in 6.5.6-300.fc39.x86_64 6.5.9-300.fc39.x86_64; do
		MACHINE_ID=$mid KERNEL_INSTALL_CONF_ROOT="$1/etc/kernel" BOOT_ROOT="$1/boot" KERNEL_INSTALL_LAYOUT=bls \
			KERNEL_INSTALL_PLUGINS=/usr/lib/kernel/install.d/90-loaderentry.install \
			kernel-install add "$v" "$tmp/vmlinuz" >/dev/null 2>&1
	done
	rm -rf "$1/boot/$mid"
	sed -i -e "s|$1/boot||" -e "s/^title .*/title      Fedora Linux 39 (Workstation Edition)/" -e "s/^sort-key .*/sort-key   fedora/" "$1"/boot/loader/entries/*.conf
}
kernel_install "$fedora"
[ "$(ls "$fedora/boot/loader/entries" | wc -l)" = 2 ] || { echo "not ok - kernel-install wrote no BLS entries"; exit 1; }
# arch: mkinitcpio and systemd-boot with an entry as the Arch wiki writes it.
# (Arch's files are not in Debian's registry: these follow mkinitcpio.conf's
# shipped layout, MODULES, BINARIES, FILES and its default HOOKS.)
arch="$tmp/arch"
cp -a "$fixtures/hosts/article" "$arch"
mkdir -p "$arch/etc" "$arch/boot/loader/entries"
printf '# vim:set ft=sh\n# MODULES\n# The following modules are loaded before any boot hooks are\n# run.\n#     MODULES=(usbhid xhci_hcd)\nMODULES=()\n\n# BINARIES\nBINARIES=()\n\n# FILES\nFILES=()\n\n# HOOKS\nHOOKS=(base udev autodetect microcode modconf kms keyboard keymap consolefont block filesystems fsck)\n' >"$arch/etc/mkinitcpio.conf"
printf 'default  arch.conf\ntimeout  4\n' >"$arch/boot/loader/loader.conf"
printf 'title   Arch Linux\nlinux   /vmlinuz-linux\ninitrd  /initramfs-linux.img\noptions root="LABEL=arch os" rw\n' >"$arch/boot/loader/entries/arch.conf"
# arch-more: booster (no booster.yaml yet), Limine and rEFInd, whose
# refind_linux.conf the real mkrlconf (Debian's refind) writes from a command line.
more="$tmp/arch-more"
cp -a "$fixtures/hosts/article" "$more"
mkdir -p "$more/usr/bin" "$more/usr/lib/booster" "$more/boot"
: >"$more/usr/bin/booster"
: >"$more/usr/lib/booster/regenerate_images"
printf 'timeout: 5\n\n/Arch Linux\n    protocol: linux\n    path: boot():/vmlinuz-linux\n    cmdline: root=UUID=0a3407de-014b-458b-b5c1-848e92a327a3 rw\n    module_path: boot():/booster-linux.img\n' >"$more/boot/limine.conf"
echo "root=UUID=0a3407de-014b-458b-b5c1-848e92a327a3 rw quiet" >"$tmp/cmdline"
sed -e "s|/boot/refind_linux.conf|$more/boot/refind_linux.conf|; s|/proc/cmdline|$tmp/cmdline|g" \
	"$tmp/debs/refind/usr/sbin/mkrlconf" >"$tmp/mkrlconf"
bash "$tmp/mkrlconf" >/dev/null 2>&1
[ "$(grep -c . "$more/boot/refind_linux.conf")" = 3 ] || { echo "not ok - mkrlconf wrote no refind_linux.conf"; exit 1; }
sed -i 's|"ro root=[^"]*"|"ro root=/dev/sda2"|' "$more/boot/refind_linux.conf"
# popos: initramfs-tools and kernelstub (its configuration as kernelstub
# writes it), which owns the systemd-boot entries on the ESP.
popos="$tmp/popos"
cp -a "$fixtures/hosts/article" "$popos"
mkdir -p "$popos/etc/kernelstub" "$popos/etc/initramfs-tools" "$popos/usr/sbin" "$popos/boot/efi/loader/entries"
cp "$itools_modules" "$popos/etc/initramfs-tools/modules"
: >"$popos/usr/sbin/update-initramfs"
printf '{\n  "default": {\n    "kernel_options": ["quiet", "splash"],\n    "esp_path": "/boot/efi",\n    "setup_loader": false,\n    "manage_mode": false,\n    "force_update": false,\n    "live_mode": false,\n    "config_rev": 3\n  },\n  "user": {\n    "kernel_options": ["quiet", "loglevel=0", "systemd.show_status=false", "splash", "iommu=pt"],\n    "esp_path": "/boot/efi",\n    "setup_loader": true,\n    "manage_mode": true,\n    "force_update": false,\n    "live_mode": false,\n    "config_rev": 3\n  }\n}\n' >"$popos/etc/kernelstub/configuration"
printf 'default Pop_OS-current\n' >"$popos/boot/efi/loader/loader.conf"
printf 'title Pop!_OS\nlinux /EFI/Pop_OS-1234/vmlinuz.efi\ninitrd /EFI/Pop_OS-1234/initrd.img\noptions root=UUID=1234 ro quiet loglevel=0 systemd.show_status=false splash iommu=pt\n' >"$popos/boot/efi/loader/entries/Pop_OS-current.conf"
# silverblue: rpm-ostree (its kargs), dracut, and the deployment's BLS entry.
sb="$tmp/silverblue"
cp -a "$fixtures/hosts/article" "$sb"
mkdir -p "$sb/usr/bin" "$sb/run" "$sb/boot/loader/entries"
: >"$sb/usr/bin/rpm-ostree"
: >"$sb/usr/bin/dracut"
: >"$sb/run/ostree-booted"
printf 'title Fedora Linux 39.20231109.3.0 (Silverblue) (ostree:0)\nversion 2\noptions rhgb quiet root=UUID=8d2f rootflags=subvol=root rw iommu=pt ostree=/ostree/boot.1/fedora/5f7d/0\nlinux /ostree/fedora-5f7d/vmlinuz-6.5.9-300.fc39.x86_64\ninitrd /ostree/fedora-5f7d/initramfs-6.5.9-300.fc39.x86_64.img\n' >"$sb/boot/loader/entries/ostree-2-fedora.conf"
# amd: the shared-group host (AMD, a guide's amd_iommu=on) with Debian's files.
amd="$tmp/amd"
cp -a "$fixtures/hosts/shared-group" "$amd"
mkdir -p "$amd/etc/default" "$amd/usr/sbin" "$amd/etc/initramfs-tools"
cp "$grub_default" "$amd/etc/default/grub"
: >"$amd/usr/sbin/update-grub"
: >"$amd/usr/sbin/update-initramfs"
# proxmox: Proxmox VE on ZFS, booting through proxmox-boot-tool (systemd-boot
# on the ESPs it lists in proxmox-boot-uuids): the command line is the one
# line of /etc/kernel/cmdline, applied by proxmox-boot-tool refresh (Proxmox
# VE admin guide, "Editing the Kernel Commandline"); initramfs-tools as Debian
# installs it.
pve="$tmp/proxmox"
cp -a "$fixtures/hosts/article" "$pve"
mkdir -p "$pve/etc/kernel" "$pve/etc/initramfs-tools" "$pve/usr/sbin"
cp "$itools_modules" "$pve/etc/initramfs-tools/modules"
: >"$pve/usr/sbin/update-initramfs"
: >"$pve/usr/sbin/proxmox-boot-tool"
echo "root=ZFS=rpool/ROOT/pve-1 boot=zfs" >"$pve/etc/kernel/cmdline"
echo "5A1C-2B3D" >"$pve/etc/kernel/proxmox-boot-uuids"

# Each family says what it is (os-release's own format).
printf 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nID=debian\n' >"$debian/etc/os-release"
cp "$debian/etc/os-release" "$amd/etc/os-release"
cp "$debian/etc/os-release" "$pve/etc/os-release" # Proxmox VE keeps Debian's
printf 'NAME="Fedora Linux"\nPRETTY_NAME="Fedora Linux 39 (Workstation Edition)"\nID=fedora\n' >"$fedora/etc/os-release"
printf 'NAME="Pop!_OS"\nPRETTY_NAME="Pop!_OS 22.04 LTS"\nID=pop\nID_LIKE="ubuntu debian"\n' >"$popos/etc/os-release"
printf 'NAME="Fedora Linux"\nPRETTY_NAME="Fedora Linux 39.20231109.3.0 (Silverblue)"\nID=fedora\nVARIANT_ID=silverblue\n' \
	>"$sb/etc/os-release"
golden() { # golden NAME ROOT ARGS...
	name=$1 root=$2; shift 2
	{ "$vfiokit" setup "$@" --root "$root" 2>"$tmp/err"; echo "--- exit $?"; echo "--- stderr"; cat "$tmp/err"; } |
		sed "s|$tmp|TMP|g" >"$tmp/out"
	if [ "$update" = "--update" ]; then
		mkdir -p "$expected/setup"
		cp "$tmp/out" "$expected/setup/$name.out"
		ok 0 "setup $name (updated)"
	else
		diff -u "$expected/setup/$name.out" "$tmp/out" >"$tmp/d" 2>&1
		ok $? "setup $name" "$tmp/d"
	fi
}
golden debian "$debian" --gpu 06:00.0
golden debian-iommu-pt "$debian" --gpu 06:00.0 --with 00:14.0 --iommu-pt
golden fedora "$fedora" --gpu 06:00.0
golden amd-shared "$amd" --gpu 06:00.0
# The whole shared group holds the root disk's SATA controller and the NIC
# of the default route: refused as bind refuses them, planned once lifted.
golden amd-whole-group-refused "$amd" --gpu 06:00.0 --include-group --iommu-pt
golden amd-whole-group "$amd" --gpu 06:00.0 --include-group --iommu-pt --allow-mounted --allow-default-route
# amd-stale: a guide's amd_iommu=on in GRUB's line (removed, said why).
stale="$tmp/amd-stale"
cp -a "$amd" "$stale"
sed -i 's/^GRUB_CMDLINE_LINUX_DEFAULT=.*/GRUB_CMDLINE_LINUX_DEFAULT="amd_iommu=on iommu=pt quiet"/' "$stale/etc/default/grub"
golden amd-stale "$stale" --gpu 06:00.0 --include-group --allow-mounted --allow-default-route
golden arch "$arch" --gpu 06:00.0
golden arch-more "$more" --gpu 06:00.0 --iommu-pt
golden popos "$popos" --gpu 06:00.0 --iommu-pt
golden silverblue "$sb" --gpu 06:00.0 --iommu-pt
golden proxmox "$pve" --gpu 06:00.0 --iommu-pt
golden bridge "$debian" --gpu 00:01.0
golden nothing-there "$debian" --gpu 0000:42:00.0

# An encrypted root (the article's warning in "Loading vfio-pci early": since
# kernel 6.0 the framebuffer freezes once the VFIO modules load, hiding the
# passphrase prompt): / on dm-0, a LUKS mapping (dm/uuid CRYPT-...) over sda2,
# laid out as sysfs has it. The host's i915 goes after the VFIO modules in
# every generator's file.
encrypt() { # encrypt ROOT [UUID]: / on dm-0 over sda2
	dm="$1/sys/devices/virtual/block/dm-0"
	mkdir -p "$dm/dm" "$dm/slaves"
	echo 254:0 >"$dm/dev"
	[ -n "${2-CRYPT-LUKS2-6a1e6f0e6c4b4a479d0a3f3c1a2b4c5d-root}" ] && echo "${2-CRYPT-LUKS2-6a1e6f0e6c4b4a479d0a3f3c1a2b4c5d-root}" >"$dm/dm/uuid"
	ln -s ../../../../devices/pci0000:00/0000:00:1f.2/ata1/host0/target0:0:0/0:0:0:0/block/sda/sda2 "$dm/slaves/sda2"
	ln -s ../../devices/virtual/block/dm-0 "$1/sys/dev/block/254:0"
	ln -s ../../devices/virtual/block/dm-0 "$1/sys/class/block/dm-0"
	sed -i 's| 8:2 / / rw,relatime shared:1 - ext4 /dev/sda2 rw$| 254:0 / / rw,relatime shared:1 - ext4 /dev/mapper/root rw|' \
		"$1/proc/self/mountinfo"
	grep -q " 254:0 / / " "$1/proc/self/mountinfo"
}
for fam in debian fedora arch arch-more; do
	cp -a "$tmp/$fam" "$tmp/crypt-$fam" && encrypt "$tmp/crypt-$fam" || echo "not ok - encrypt $fam"
done
golden crypt-debian "$tmp/crypt-debian" --gpu 06:00.0
"$vfiokit" setup --gpu 06:00.0 --root "$tmp/crypt-debian" >"$tmp/out" 2>&1
[ $? = 0 ] && [ "$(grep '^+' "$tmp/out" | sed -n '/^+++ \/etc\/initramfs-tools\/modules/,/^+++/p' | grep -v '^+++' | tr '\n' ' ')" = "+vfio_pci +vfio +vfio_iommu_type1 +i915 " ] &&
	grep -q "warning: / is on dm-crypt (dm-0) and kernel 6.6.10-arch1-1 is 6.0 or later: the framebuffer freezes when the VFIO modules load, hiding the passphrase prompt" "$tmp/out"
ok $? "encrypted root, kernel 6.6: initramfs-tools' modules get i915 after the VFIO modules, and the warning says why" "$tmp/out"
"$vfiokit" setup --gpu 06:00.0 --root "$tmp/crypt-fedora" >"$tmp/out" 2>&1
[ $? = 0 ] && grep -q '^+force_drivers+=" vfio_pci vfio vfio_iommu_type1 i915 "$' "$tmp/out"
ok $? "encrypted root: dracut's force_drivers has i915 after the VFIO modules" "$tmp/out"
"$vfiokit" setup --gpu 06:00.0 --root "$tmp/crypt-arch" >"$tmp/out" 2>&1
[ $? = 0 ] && grep -q '^+MODULES=(vfio_pci vfio vfio_iommu_type1 i915)$' "$tmp/out"
ok $? "encrypted root: mkinitcpio's MODULES has i915 after the VFIO modules" "$tmp/out"
"$vfiokit" setup --gpu 06:00.0 --root "$tmp/crypt-arch-more" >"$tmp/out" 2>&1
[ $? = 0 ] && grep -q '^+modules_force_load: vfio_pci,vfio,vfio_iommu_type1,i915$' "$tmp/out"
ok $? "encrypted root: booster's modules_force_load has i915 after the VFIO modules" "$tmp/out"
c="$tmp/crypt-apply"
cp -a "$tmp/crypt-arch" "$c"
"$vfiokit" setup --gpu 06:00.0 --root "$c" --apply >/dev/null 2>"$tmp/err" &&
	"$vfiokit" setup --gpu 06:00.0 --root "$c" --apply >"$tmp/out" 2>>"$tmp/err" && grep -q "nothing to do" "$tmp/err" &&
	v=$(bash -c '. "$1/etc/mkinitcpio.conf"; echo "${MODULES[*]}"' sh "$c") && [ "$v" = "vfio_pci vfio vfio_iommu_type1 i915" ]
ok $? "encrypted root: applied, bash reads MODULES=($v), a second run changes nothing" "$tmp/err"
"$vfiokit" setup --gpu 06:00.0 --root "$tmp/crypt-debian" --no-kms-early >"$tmp/out" 2>&1
[ $? = 0 ] && ! grep -q "^+i915" "$tmp/out" && grep -q "^# initramfs modules: vfio_pci vfio vfio_iommu_type1$" "$tmp/out" &&
	grep -q "warning: / is on dm-crypt (dm-0) .* until i915 (the host's display 0000:00:02.0) loads; --no-kms-early: it is left out" "$tmp/out"
ok $? "--no-kms-early: i915 left out, the risk said" "$tmp/out"
# LVM on LUKS: / on dm-1 (an LVM volume) over dm-0 (the LUKS mapping).
lol="$tmp/crypt-lvm"
cp -a "$tmp/crypt-debian" "$lol"
dm1="$lol/sys/devices/virtual/block/dm-1"
mkdir -p "$dm1/dm" "$dm1/slaves"
echo 254:1 >"$dm1/dev" && echo LVM-Xq3CzZ9vB2mJ8kT0Ue4fGh5iJk6lMn7oPq8rSt9uVw0xYz1aBc2dEf3gHi4jKl5m >"$dm1/dm/uuid"
ln -s ../../dm-0 "$dm1/slaves/dm-0"
ln -s ../../devices/virtual/block/dm-1 "$lol/sys/dev/block/254:1"
ln -s ../../devices/virtual/block/dm-1 "$lol/sys/class/block/dm-1"
sed -i 's| 254:0 / / | 254:1 / / |' "$lol/proc/self/mountinfo"
"$vfiokit" setup --gpu 06:00.0 --root "$lol" >"$tmp/out" 2>&1
[ $? = 0 ] && grep -q "^+i915$" "$tmp/out" && grep -q "warning: / is on dm-crypt (dm-0)" "$tmp/out"
ok $? "LVM on LUKS: the crypt mapping found below the LVM volume, i915 added" "$tmp/out"
# btrfs: an anonymous device number in mountinfo; its source, /dev/mapper/root
# (a link to ../dm-0), names the device.
bt="$tmp/crypt-btrfs"
cp -a "$tmp/crypt-debian" "$bt"
sed -i 's| 254:0 / / rw,relatime shared:1 - ext4 /dev/mapper/root rw$| 0:40 / / rw,relatime shared:1 - btrfs /dev/mapper/root rw,subvol=/@|' "$bt/proc/self/mountinfo"
mkdir -p "$bt/dev/mapper" && ln -s ../dm-0 "$bt/dev/mapper/root"
"$vfiokit" setup --gpu 06:00.0 --root "$bt" >"$tmp/out" 2>&1
[ $? = 0 ] && grep -q " 0:40 / / " "$bt/proc/self/mountinfo" && grep -q "^+i915$" "$tmp/out" && grep -q "warning: / is on dm-crypt (dm-0)" "$tmp/out"
ok $? "btrfs on LUKS (no device number in mountinfo): the device found through /dev/mapper/root, i915 added" "$tmp/out"
# The host's display on NVIDIA's proprietary driver (built per kernel, outside
# drivers/gpu/drm): a line to follow by hand, not an initramfs entry.
nv="$tmp/crypt-nvidia"
cp -a "$tmp/crypt-debian" "$nv"
ln -sfn ../../../bus/pci/drivers/nvidia "$(find "$nv/sys/devices" -path '*/0000:00:02.0' -type d | head -1)/driver"
"$vfiokit" setup --gpu 06:00.0 --root "$nv" >"$tmp/out" 2>&1
[ $? = 0 ] && ! grep -q "^+nvidia\|^+i915" "$tmp/out" &&
	grep -q "by hand: / is on dm-crypt (dm-0) .* the host's display 0000:00:02.0 runs NVIDIA's proprietary driver, built per kernel: add nvidia nvidia_modeset nvidia_uvm nvidia_drm" "$tmp/out"
ok $? "the host's display on nvidia: the modules and nvidia_drm.modeset=1 said by hand, nothing added" "$tmp/out"
# A device-mapper device whose target cannot be read: unknown, said, not guessed.
unk="$tmp/crypt-unknown"
cp -a "$debian" "$unk" && encrypt "$unk" ""
"$vfiokit" setup --gpu 06:00.0 --root "$unk" >"$tmp/out" 2>&1
[ $? = 0 ] && ! grep -q "^+i915" "$tmp/out" &&
	grep -q "warning: whether / is on dm-crypt is unknown (/sys/dev/block/254:0/dm/uuid: absent): if it is, add i915" "$tmp/out"
ok $? "a dm device without dm/uuid: whether / is encrypted is unknown, the fact named, nothing added" "$tmp/out"
# A kernel before 6.0 (the freeze came with 6.0): nothing added, nothing said.
old="$tmp/crypt-5.15"
cp -a "$tmp/crypt-debian" "$old"
mv "$old/lib/modules/6.6.10-arch1-1" "$old/lib/modules/5.15.0-91-generic"
"$vfiokit" setup --gpu 06:00.0 --root "$old" >"$tmp/out" 2>&1
[ $? = 0 ] && ! grep -q "i915" "$tmp/out" && ! grep -q "dm-crypt" "$tmp/out"
ok $? "encrypted root on kernel 5.15: the modules unchanged" "$tmp/out"
# Declarative and read-only systems: refused, with their own settings, nothing written.
decl() { # decl NAME OS-RELEASE
	d="$tmp/decl-$1"
	cp -a "$debian" "$d"
	printf "$2" >"$d/etc/os-release"
	cp -a "$d" "$d.before"
	{ "$vfiokit" setup --gpu 06:00.0 --root "$d" --apply 2>"$tmp/err"; echo "--- exit $?"; echo "--- stderr"; cat "$tmp/err"; } >"$tmp/out"
	diff -r --no-dereference -x run "$d.before" "$d" >>"$tmp/out" 2>&1
}
decl nixos 'NAME=NixOS\nID=nixos\nPRETTY_NAME="NixOS 24.05 (Uakari)"\n'
grep -q "^--- exit 1$" "$tmp/out" && grep -q "^vfiokit: NixOS generates /etc and its boot files from its configuration" "$tmp/out" &&
	grep -q '^  boot.kernelParams = \[ "intel_iommu=on" \];$' "$tmp/out" &&
	grep -q '^  boot.initrd.kernelModules = \[ "vfio_pci" "vfio" "vfio_iommu_type1" \];$' "$tmp/out" &&
	grep -q "^  boot.extraModprobeConfig = ''$" "$tmp/out" && grep -q "^    options vfio-pci ids=10de:13c2,10de:0fbb$" "$tmp/out" &&
	grep -q "^    softdep nouveau pre: vfio-pci$" "$tmp/out" && ! grep -q "^diff\|^Only" "$tmp/out"
ok $? "NixOS: refused, boot.kernelParams, boot.initrd.kernelModules and boot.extraModprobeConfig printed, nothing written" "$tmp/out"
decl rhcos 'NAME="Red Hat Enterprise Linux CoreOS"\nID="rhcos"\nID_LIKE="rhel fedora"\n'
grep -q "^--- exit 1$" "$tmp/out" && grep -q "^vfiokit: RHCOS is configured by its cluster's Machine Config Operator" "$tmp/out" &&
	grep -q "^kind: MachineConfig$" "$tmp/out" && grep -A1 "^  kernelArguments:$" "$tmp/out" | grep -q "^    - intel_iommu=on$" &&
	grep -q "^        - path: /etc/modprobe.d/vfio.conf$" "$tmp/out" && grep -q "options%20vfio-pci%20ids%3D10de%3A13c2%2C10de%3A0fbb%0A" "$tmp/out" &&
	! grep -q "^diff\|^Only" "$tmp/out"
ok $? "RHCOS: refused, a MachineConfig with kernelArguments and vfio.conf printed, nothing written" "$tmp/out"
decl harvester 'NAME="SLE Micro"\nPRETTY_NAME="Harvester v1.2.1"\nID="sle-micro-rancher"\nID_LIKE="suse"\nVARIANT="Harvester"\n'
grep -q "^--- exit 1$" "$tmp/out" && grep -q "^vfiokit: Harvester hands devices to its virtual machines itself" "$tmp/out" &&
	[ "$(grep -c "^kind: PCIDeviceClaim$" "$tmp/out")" = 2 ] && grep -q '^  address: "0000:06:00.1"$' "$tmp/out" &&
	! grep -q "^diff\|^Only" "$tmp/out"
ok $? "Harvester: refused, a PCIDeviceClaim per device printed, nothing written" "$tmp/out"
# Fedora CoreOS keeps its rpm-ostree backend (the silverblue golden above).
decl fcos 'NAME="Fedora Linux"\nID=fedora\nVARIANT_ID=coreos\n'
grep -q "^--- exit 0$" "$tmp/out"
ok $? "Fedora CoreOS (ID=fedora) is not refused" "$tmp/out"
# os-release is shell: the last ID= is the one that counts; VARIANT alone
# tells Harvester, an ID= or not.
decl nixos-twice 'NAME=Arch\nID=arch\nID="nixos"\n'
grep -q "^--- exit 1$" "$tmp/out" && grep -q "^vfiokit: NixOS generates /etc" "$tmp/out" && ! grep -q "^diff\|^Only" "$tmp/out"
ok $? "os-release with ID=arch, then ID=\"nixos\": NixOS, refused, nothing written" "$tmp/out"
decl harvester-noid "VARIANT='harvester'\n"
grep -q "^--- exit 1$" "$tmp/out" && grep -q "^vfiokit: Harvester hands devices" "$tmp/out" && ! grep -q "^diff\|^Only" "$tmp/out"
ok $? "os-release with VARIANT='harvester' and no ID: Harvester, refused, nothing written" "$tmp/out"

# What the real consumers read from the edited files: sh sources
# /etc/default/grub (as grub-mkconfig does), bash sources mkinitcpio.conf (as
# mkinitcpio does), and the real kernel-install writes the entry of a kernel
# installed later from the edited /etc/kernel/cmdline.
rc_="$tmp/consumers"
cp -a "$debian" "$rc_"
"$vfiokit" setup --gpu 06:00.0 --iommu-pt --root "$rc_" --apply >/dev/null 2>&1
v=$(sh -c '. "$1/etc/default/grub" >/dev/null 2>&1; echo "$GRUB_CMDLINE_LINUX_DEFAULT"' sh "$rc_")
[ "$v" = "quiet intel_iommu=on iommu=pt" ]
ok $? "sh sourcing the edited /etc/default/grub reads GRUB_CMDLINE_LINUX_DEFAULT=\"$v\""
cp -a "$arch" "$tmp/consumers-arch"
sed -i 's/^MODULES=()$/MODULES=(amdgpu ext4)/; s/ modconf / /' "$tmp/consumers-arch/etc/mkinitcpio.conf"
"$vfiokit" setup --gpu 06:00.0 --root "$tmp/consumers-arch" --apply >/dev/null 2>&1
v=$(bash -c '. "$1/etc/mkinitcpio.conf"; echo "${MODULES[*]} | ${HOOKS[*]}"' sh "$tmp/consumers-arch")
[ "$v" = "vfio_pci vfio vfio_iommu_type1 amdgpu ext4 | base udev autodetect modconf microcode kms keyboard keymap consolefont block filesystems fsck" ]
ok $? "bash sourcing the edited mkinitcpio.conf: MODULES=($(echo "$v" | cut -d'|' -f1| sed 's/ $//')), modconf back in HOOKS" 
cp -a "$fedora" "$tmp/consumers-fedora"
"$vfiokit" setup --gpu 06:00.0 --root "$tmp/consumers-fedora" --apply >/dev/null 2>&1
mkdir -p "$tmp/consumers-fedora/boot/$mid"
MACHINE_ID=$mid KERNEL_INSTALL_CONF_ROOT="$tmp/consumers-fedora/etc/kernel" BOOT_ROOT="$tmp/consumers-fedora/boot" \
	KERNEL_INSTALL_LAYOUT=bls KERNEL_INSTALL_PLUGINS=/usr/lib/kernel/install.d/90-loaderentry.install \
	kernel-install add 6.6.2-201.fc39.x86_64 "$tmp/vmlinuz" >"$tmp/err" 2>&1
grep -q "^options .* rhgb quiet intel_iommu=on systemd.machine_id=$mid$" \
	"$tmp/consumers-fedora/boot/loader/entries/$mid-6.6.2-201.fc39.x86_64.conf"
ok $? "the real kernel-install gives a kernel installed after setup the parameters (from /etc/kernel/cmdline)" "$tmp/err"
# The regenerate command writes the entries again from the edited
# /etc/kernel/cmdline (Debian's update-initramfs runs kernel-install add
# through systemd-boot's hook): they are the bytes setup wrote, and undo
# then finds nothing changed since and gives the copy back.
rm -rf "$tmp/consumers-fedora/boot/loader/entries/$mid-6.6.2-201.fc39.x86_64.conf" "$tmp/consumers-fedora/boot/$mid"
cp -a "$tmp/consumers-fedora/boot" "$tmp/consumers-fedora.setup"
kernel_install "$tmp/consumers-fedora"
diff -r "$tmp/consumers-fedora.setup" "$tmp/consumers-fedora/boot" >"$tmp/err" 2>&1 &&
	"$vfiokit" undo --root "$tmp/consumers-fedora" >>"$tmp/err" 2>&1 &&
	diff -r --no-dereference -x var -x run "$fedora" "$tmp/consumers-fedora" >>"$tmp/err" 2>&1
ok $? "kernel-install writing the entries again after setup gives the same bytes; undo then restores the copy" "$tmp/err"
# Every family whose edits are files: apply, a second run changes nothing,
# undo gives the copy back byte for byte.
for fam in fedora arch arch-more proxmox; do
	c="$tmp/twice-$fam"
	cp -a "$tmp/$fam" "$c"
	"$vfiokit" setup --gpu 06:00.0 --iommu-pt --root "$c" --apply >/dev/null 2>"$tmp/err" &&
		"$vfiokit" setup --gpu 06:00.0 --iommu-pt --root "$c" --apply >"$tmp/out" 2>>"$tmp/err" &&
		grep -q "nothing to do" "$tmp/err" && ! grep -q "^[-+][^-+]" "$tmp/out" &&
		"$vfiokit" undo --root "$c" >/dev/null 2>>"$tmp/err" &&
		diff -r --no-dereference -x var -x run "$tmp/$fam" "$c" >>"$tmp/err" 2>&1 &&
		[ "$(ls "$c/var/lib")" = vfiokit ]
	ok $? "$fam: apply, a second run changes nothing, undo gives the copy back" "$tmp/err"
done

# Apply, apply again, undo.
cp -a "$debian" "$tmp/pristine"
"$vfiokit" setup --gpu 06:00.0 --root "$debian" --apply >/dev/null 2>"$tmp/err"
[ $? = 0 ] && grep -q "^options vfio-pci ids=10de:13c2,10de:0fbb$" "$debian/etc/modprobe.d/vfio.conf" &&
	grep -q '^GRUB_CMDLINE_LINUX_DEFAULT="quiet intel_iommu=on"$' "$debian/etc/default/grub" &&
	grep -q "run these inside it" "$tmp/err" && grep -q "update-initramfs -u -k all" "$tmp/err" &&
	grep -q "no screen after the reboot: in the boot menu, edit the entry and add module_blacklist=vfio_pci" "$tmp/err"
ok $? "--apply writes the three files, names the commands to run inside the copy, and the way back" "$tmp/err"
"$vfiokit" setup --gpu 06:00.0 --root "$debian" --apply >"$tmp/out" 2>"$tmp/err"
[ $? = 0 ] && ! grep -q "^[-+][^-+]" "$tmp/out" && grep -q "nothing to do" "$tmp/err"
ok $? "setup twice: the second run changes nothing" "$tmp/err"
"$vfiokit" undo --root "$debian" >/dev/null 2>"$tmp/err"
diff -r --no-dereference "$tmp/pristine" "$debian" 2>&1 | grep -v "^Only in $debian: \(var\|run\)$" >"$tmp/d"
[ ! -s "$tmp/d" ]
ok $? "undo: the copy is byte for byte as before" "$tmp/d"

# Identical cards: ids= would take the host's too.
twin="$tmp/twin"
cp -a "$debian" "$twin"
echo 0x13c2 >"$(find "$twin/sys/devices" -path '*0000:01:00.0/device' | head -1)"
# and in config space, where vfiokit reads it first (0x13c2 at offset 2, little-endian)
printf '\302\023' | dd of="$(find "$twin/sys/devices" -path '*0000:01:00.0/config' | head -1)" bs=1 seek=2 conv=notrunc 2>/dev/null
"$vfiokit" setup --gpu 06:00.0 --root "$twin" --apply >"$tmp/out" 2>"$tmp/err"
[ $? = 0 ] && grep -q "0000:01:00.0 has the ID 10de:13c2 too" "$tmp/err" &&
	grep -q "^install vfio-pci /usr/local/bin/vfio-pci-override.sh$" "$twin/etc/modprobe.d/vfio.conf" &&
	! grep -q "ids=" "$twin/etc/modprobe.d/vfio.conf" && [ -x "$twin/usr/local/bin/vfio-pci-override.sh" ] &&
	[ -x "$twin/etc/initramfs-tools/hooks/vfio-pci-override" ]
ok $? "identical cards: the article's driver_override script, by address, installed with its initramfs hook" "$tmp/err"
# The script, run for real against a copy of sysfs (paths rewritten to it): it
# sets driver_override of exactly the guest's two functions.
mkdir -p "$tmp/sysc/sys/class/iommu/dmar0" "$tmp/bin2"
for d in 0000:06:00.0 0000:06:00.1 0000:01:00.0; do mkdir -p "$tmp/sysc/sys/bus/pci/devices/$d"; echo "(null)" >"$tmp/sysc/sys/bus/pci/devices/$d/driver_override"; done
printf '#!/bin/sh\necho "modprobe $*" >"%s/modprobe.log"\n' "$tmp" >"$tmp/bin2/modprobe" && chmod +x "$tmp/bin2/modprobe"
sed "s|/sys/|$tmp/sysc/sys/|g" "$twin/usr/local/bin/vfio-pci-override.sh" >"$tmp/override.sh"
PATH="$tmp/bin2:$PATH" sh "$tmp/override.sh" --first-time
[ "$(cat "$tmp/sysc/sys/bus/pci/devices/0000:06:00.0/driver_override")" = vfio-pci ] &&
	[ "$(cat "$tmp/sysc/sys/bus/pci/devices/0000:06:00.1/driver_override")" = vfio-pci ] &&
	[ "$(cat "$tmp/sysc/sys/bus/pci/devices/0000:01:00.0/driver_override")" = "(null)" ] &&
	[ "$(cat "$tmp/modprobe.log")" = "modprobe -i vfio-pci --first-time" ]
ok $? "the script overrides 06:00.0 and 06:00.1 only, then loads vfio-pci itself (modprobe -i)"
# A second setup by address (the host's card, identical to the guest's) keeps
# the first one's devices in the script; its undo gives the first script back.
tw2="$tmp/twin-second"
cp -a "$twin" "$tw2"
cp "$tw2/usr/local/bin/vfio-pci-override.sh" "$tmp/override.first"
"$vfiokit" setup --gpu 01:00.0 --root "$tw2" --apply >/dev/null 2>"$tmp/err" &&
	grep -q '^DEVS="0000:06:00.0 0000:06:00.1 0000:01:00.0 0000:01:00.1"$' "$tw2/usr/local/bin/vfio-pci-override.sh" &&
	[ "$(grep -c "^install vfio-pci" "$tw2/etc/modprobe.d/vfio.conf")" = 1 ] &&
	"$vfiokit" undo --root "$tw2" >/dev/null 2>>"$tmp/err" &&
	cmp "$tmp/override.first" "$tw2/usr/local/bin/vfio-pci-override.sh" >>"$tmp/err" 2>&1
ok $? "a second setup by address keeps the first one's devices in the driver_override script; undo gives them back" "$tmp/err"
# An installed kernel without vfio_pci.
nokernel="$tmp/nokernel"
cp -a "$debian" "$nokernel"
mkdir -p "$nokernel/lib/modules/6.9.0-custom"
echo "kernel/drivers/gpu/drm/nouveau/nouveau.ko:" >"$nokernel/lib/modules/6.9.0-custom/modules.dep"
: >"$nokernel/lib/modules/6.9.0-custom/modules.builtin"
"$vfiokit" setup --gpu 06:00.0 --root "$nokernel" >/dev/null 2>"$tmp/err"
[ $? = 1 ] && grep -q "kernel 6.9.0-custom has no vfio_pci" "$tmp/err"
ok $? "a kernel without vfio_pci: refused, named" "$tmp/err"
# A line that cannot be edited safely is left alone and said.
odd="$tmp/odd"
cp -a "$debian" "$odd"
sed -i 's/^GRUB_CMDLINE_LINUX_DEFAULT=.*/GRUB_CMDLINE_LINUX_DEFAULT="quiet $(cat \/etc\/mine)"/' "$odd/etc/default/grub"
"$vfiokit" setup --gpu 06:00.0 --root "$odd" >"$tmp/out" 2>&1
[ $? = 0 ] && grep -q "by hand: GRUB: /etc/default/grub line 9: the value of GRUB_CMDLINE_LINUX_DEFAULT runs a command" "$tmp/out" &&
	! grep -q "^+++ /etc/default/grub" "$tmp/out"
ok $? "a GRUB line running a command is not edited; what to add is said" "$tmp/out"
# A write that fails: nothing changed.
broken="$tmp/broken"
cp -a "$debian" "$broken"
rm -rf "$broken/etc/modprobe.d" "$broken/var"
: >"$broken/etc/modprobe.d"
cp -a "$broken" "$tmp/broken-before"
"$vfiokit" setup --gpu 06:00.0 --root "$broken" --apply >/dev/null 2>"$tmp/err"
[ $? = 1 ] && grep -q "nothing was changed" "$tmp/err" && diff -r --no-dereference "$tmp/broken-before" "$broken" >"$tmp/d" 2>&1
ok $? "a failing write: the copy as it was, no journal entry" "$tmp/err"
# A kernel with vfio-pci built in (some Ubuntu and Pop!_OS kernels): modprobe.d's
# ids= is never read for it, so vfio-pci.ids= goes on the command line, said why.
builtin="$tmp/builtin"
cp -a "$tmp/pristine" "$builtin"
mkdir -p "$builtin/lib/modules/6.8.0-generic"
printf 'kernel/drivers/vfio/vfio.ko:\nkernel/drivers/vfio/vfio_iommu_type1.ko: kernel/drivers/vfio/vfio.ko\n' \
	>"$builtin/lib/modules/6.8.0-generic/modules.dep"
echo "kernel/drivers/vfio/pci/vfio-pci.ko" >"$builtin/lib/modules/6.8.0-generic/modules.builtin"
"$vfiokit" setup --gpu 06:00.0 --root "$builtin" >"$tmp/out" 2>&1
[ $? = 0 ] && grep -q "vfio-pci is built into kernel 6.8.0-generic: modprobe.d's options are never read" "$tmp/out" &&
	grep -q '^+GRUB_CMDLINE_LINUX_DEFAULT="quiet intel_iommu=on vfio-pci.ids=10de:13c2,10de:0fbb"$' "$tmp/out" &&
	grep -q "^# initramfs modules: vfio vfio_iommu_type1$" "$tmp/out"
ok $? "vfio-pci built into a kernel: vfio-pci.ids= on the command line, and not in the initramfs list" "$tmp/out"
# /etc/modprobe.d/vfio.conf is shared with the user: the article's own lines
# there survive apply and undo byte for byte.
shared="$tmp/shared-conf"
cp -a "$tmp/pristine" "$shared"
mkdir -p "$shared/etc/modprobe.d"
printf '# mine\noptions kvm ignore_msrs=1\noptions vfio_iommu_type1 allow_unsafe_interrupts=1\n' >"$shared/etc/modprobe.d/vfio.conf"
cp -a "$shared" "$tmp/shared-before"
"$vfiokit" setup --gpu 06:00.0 --root "$shared" --apply >/dev/null 2>"$tmp/err"
[ $? = 0 ] && [ "$(head -3 "$shared/etc/modprobe.d/vfio.conf")" = "$(cat "$tmp/shared-before/etc/modprobe.d/vfio.conf")" ] &&
	grep -q "^options vfio-pci ids=10de:13c2,10de:0fbb$" "$shared/etc/modprobe.d/vfio.conf" &&
	grep -q "^softdep nouveau pre: vfio-pci$" "$shared/etc/modprobe.d/vfio.conf" &&
	"$vfiokit" undo --root "$shared" >/dev/null 2>>"$tmp/err" &&
	diff -r --no-dereference -x var -x run "$tmp/shared-before" "$shared" >>"$tmp/err" 2>&1
ok $? "the user's options kvm ignore_msrs=1 and allow_unsafe_interrupts=1 in vfio.conf survive apply and undo" "$tmp/err"
# Two cards, one setup each, on a kernel with vfio-pci built in (the IDs on
# the command line too): the second keeps the first card's IDs in both places;
# undo of the older entry is refused while the newer one stands (even with
# --force), undo of the newer removes only its IDs, then the older undoes
# to the copy as it was.
two="$tmp/two-cards"
cp -a "$builtin" "$two"
"$vfiokit" setup --gpu 06:00.0 --root "$two" --apply >/dev/null 2>"$tmp/err" &&
	"$vfiokit" setup --gpu 01:00.0 --root "$two" --apply >"$tmp/out" 2>>"$tmp/err" &&
	grep -q "^# IDs kept from earlier setups: 10de:13c2 10de:0fbb$" "$tmp/out" &&
	grep -q "^options vfio-pci ids=10de:13c2,10de:0fbb,10de:1381,10de:0fbc$" "$two/etc/modprobe.d/vfio.conf" &&
	[ "$(grep -c "^options vfio-pci" "$two/etc/modprobe.d/vfio.conf")" = 1 ] &&
	grep -q '^GRUB_CMDLINE_LINUX_DEFAULT="quiet intel_iommu=on vfio-pci.ids=10de:13c2,10de:0fbb,10de:1381,10de:0fbc"$' \
		"$two/etc/default/grub"
ok $? "two setups for two cards: both cards' IDs in vfio.conf and in vfio-pci.ids=" "$tmp/err"
"$vfiokit" verify --root "$two" >"$tmp/out" 2>&1
! grep -q "changed since" "$tmp/out" && ! "$vfiokit" journal --root "$two" -J -o DRIFT | grep -q '"etc/'
ok $? "the second setup's rewrite of the first one's files is no drift (verify, vfiokit journal)" "$tmp/out"
first=$(ls "$two/var/lib/vfiokit/journal" | sort | head -1) second=$(ls "$two/var/lib/vfiokit/journal" | sort | tail -1)
cp -a "$two" "$tmp/two-applied"
"$vfiokit" undo --root "$two" --force "$first" >/dev/null 2>"$tmp/err"
[ $? = 1 ] && grep -q "a newer journal entry changed the same files since and is not undone: $second (/etc/modprobe.d/vfio.conf)" "$tmp/err" &&
	grep -q "undo it first ('vfiokit undo $second'), then this one" "$tmp/err" &&
	diff -r --no-dereference "$tmp/two-applied" "$two" >>"$tmp/err" 2>&1
ok $? "undo of the first card's entry while the second's stands: refused (even --force), the order named, nothing changed" "$tmp/err"
"$vfiokit" undo --root "$two" >/dev/null 2>"$tmp/err" &&
	grep -q "^options vfio-pci ids=10de:13c2,10de:0fbb$" "$two/etc/modprobe.d/vfio.conf" &&
	grep -q '^GRUB_CMDLINE_LINUX_DEFAULT="quiet intel_iommu=on vfio-pci.ids=10de:13c2,10de:0fbb"$' "$two/etc/default/grub" &&
	"$vfiokit" undo --root "$two" "$first" >/dev/null 2>>"$tmp/err" &&
	diff -r --no-dereference -x var -x run "$builtin" "$two" >>"$tmp/err" 2>&1
ok $? "undo of the second card's entry removes only its IDs; then the first's gives the copy back" "$tmp/err"
# Entries without loader.conf (it is optional): still systemd-boot's, edited.
noconf="$tmp/noloaderconf"
cp -a "$arch" "$noconf"
rm "$noconf/boot/loader/loader.conf"
"$vfiokit" setup --gpu 06:00.0 --root "$noconf" >"$tmp/out" 2>&1
[ $? = 0 ] && grep -q "bootloaders: systemd-boot;" "$tmp/out" && grep -q '^+options root="LABEL=arch os" rw intel_iommu=on$' "$tmp/out"
ok $? "BLS entries without loader.conf: systemd-boot found, the entry edited" "$tmp/out"
# A preset that builds from another configuration file: named (the default
# one, commented or naming /etc/mkinitcpio.conf, is not).
preset="$tmp/preset"
cp -a "$arch" "$preset"
mkdir -p "$preset/etc/mkinitcpio.d"
printf 'ALL_kver="/boot/vmlinuz-linux"\n#ALL_config="/etc/mkinitcpio.conf"\nPRESETS=(default)\ndefault_image="/boot/initramfs-linux.img"\n' \
	>"$preset/etc/mkinitcpio.d/linux.preset"
printf 'ALL_kver="/boot/vmlinuz-linux-lts"\nALL_config="/etc/mkinitcpio.conf"\ndefault_config="/etc/mkinitcpio-lts.conf"\n' \
	>"$preset/etc/mkinitcpio.d/linux-lts.preset"
"$vfiokit" setup --gpu 06:00.0 --root "$preset" >"$tmp/out" 2>&1
[ $? = 0 ] && grep -q "warning: /etc/mkinitcpio.d/linux-lts.preset: default_config builds from /etc/mkinitcpio-lts.conf, not /etc/mkinitcpio.conf" "$tmp/out" &&
	[ "$(grep -c "builds from" "$tmp/out")" = 1 ]
ok $? "a mkinitcpio preset building from another file is named; the default preset is not" "$tmp/out"
# A mkinitcpio drop-in (read after mkinitcpio.conf) that sets MODULES: named.
dropin="$tmp/dropin"
cp -a "$arch" "$dropin"
mkdir -p "$dropin/etc/mkinitcpio.conf.d"
printf '# mine\nMODULES=(btrfs)\n' >"$dropin/etc/mkinitcpio.conf.d/10-btrfs.conf"
printf '#HOOKS=(base)\n' >"$dropin/etc/mkinitcpio.conf.d/20-comment.conf"
"$vfiokit" setup --gpu 06:00.0 --root "$dropin" >"$tmp/out" 2>&1
[ $? = 0 ] && grep -q "warning: /etc/mkinitcpio.conf.d/10-btrfs.conf sets MODULES after /etc/mkinitcpio.conf: make sure it keeps the VFIO modules first" "$tmp/out" &&
	! grep -q "20-comment" "$tmp/out"
ok $? "a mkinitcpio.conf.d drop-in setting MODULES is named; one with the line commented out is not" "$tmp/out"
# dracut through the distribution's wrapper where there is one (EndeavourOS,
# Garuda: plain dracut -f fails on their systemd-boot layout).
wrap="$tmp/wrapper"
cp -a "$fedora" "$wrap"
: >"$wrap/usr/bin/dracut-rebuild"
"$vfiokit" setup --gpu 06:00.0 --root "$wrap" >"$tmp/out" 2>&1
[ $? = 0 ] && grep -q "^# --apply then runs: dracut-rebuild$" "$tmp/out" && ! grep -q "regenerate-all" "$tmp/out"
ok $? "dracut-rebuild, not dracut --regenerate-all -f, where the distribution has it" "$tmp/out"
# --chroot: the regenerate commands run inside the copy, as they would on a
# mounted system. Its update-initramfs and update-grub are scripts for busybox
# (static) that log their arguments, and fail on demand.
if [ -x /bin/busybox ]; then
	ch="$tmp/chroot"
	cp -a "$tmp/pristine" "$ch"
	mkdir -p "$ch/bin" "$ch/var/log"
	cp /bin/busybox "$ch/bin/busybox" && ln -s busybox "$ch/bin/sh"
	for c in update-initramfs update-grub; do
		printf '#!/bin/sh\necho "%s $*" >>/var/log/ran\n[ ! -e /fail-%s ]\n' "$c" "$c" >"$ch/usr/sbin/$c"
		chmod +x "$ch/usr/sbin/$c"
	done
	"$vfiokit" setup --gpu 06:00.0 --root "$ch" --apply --chroot >/dev/null 2>"$tmp/err"
	[ $? = 0 ] && [ "$(cat "$ch/var/log/ran")" = "$(printf 'update-initramfs -u -k all\nupdate-grub ')" ]
	ok $? "--chroot runs update-initramfs -u -k all, then update-grub, inside the copy" "$tmp/err"
	"$vfiokit" undo --root "$ch" >/dev/null 2>&1
	: >"$ch/var/log/ran"
	: >"$ch/fail-update-grub"
	cp -a "$ch" "$tmp/chroot-before"
	"$vfiokit" setup --gpu 06:00.0 --root "$ch" --apply --chroot >/dev/null 2>"$tmp/err"
	rc=$?
	diff -r --no-dereference "$tmp/chroot-before/etc" "$ch/etc" >"$tmp/d" 2>&1
	[ $rc = 1 ] && grep -q "update-grub failed (chroot exited with status 1); every file was put back" "$tmp/err" &&
		[ ! -s "$tmp/d" ] && [ "$(grep -c update-initramfs "$ch/var/log/ran")" = 2 ]
	ok $? "update-grub fails: every file put back, update-initramfs run again on them" "$tmp/err"
else
	n=$((n + 2)); echo "ok $((n - 1)) # SKIP no busybox-static"; echo "ok $n # SKIP no busybox-static"
fi

# verify: after the "reboot" (the copy as it is), with the reason when a device is not on vfio-pci.
"$vfiokit" setup --gpu 06:00.0 --root "$debian" --apply >/dev/null 2>&1
"$vfiokit" verify --root "$debian" >"$tmp/out" 2>&1
[ $? = 1 ] && grep -q "0000:06:00.0 10de:13c2 nouveau .*FAIL .*softdep asks for vfio-pci before it: the initramfs" "$tmp/out"
ok $? "verify: nouveau first despite the softdep: the initramfs is named" "$tmp/out"
sed -i '/^softdep/d' "$debian/etc/modprobe.d/vfio.conf"
"$vfiokit" verify --root "$debian" -o DEVICE,CAUSE >"$tmp/out" 2>&1
[ $? = 1 ] && grep -q "add 'softdep snd_hda_intel pre: vfio-pci'" "$tmp/out"
ok $? "verify: without the softdep, the line to add" "$tmp/out"
grep -q "warning: /etc/modprobe.d/vfio.conf changed since vfiokit wrote it (journal entry .*, vfiokit setup)" "$tmp/out" &&
	"$vfiokit" journal --root "$debian" -J -o DRIFT | grep -q '"etc/modprobe.d/vfio.conf"'
ok $? "drift: the hand-edited vfio.conf is named by verify and by vfiokit journal (DRIFT)" "$tmp/out"
# modprobe.d is five directories (modprobe.d(5)): a softdep packaged in
# /usr/lib/modprobe.d counts, unless a file of the same name in /etc masks it;
# ids= in /run/modprobe.d counts.
md="$tmp/modprobe-dirs"
cp -a "$debian" "$md"
mkdir -p "$md/usr/lib/modprobe.d" "$md/run/modprobe.d"
printf 'softdep nouveau pre: vfio-pci\nsoftdep snd-hda-intel pre: vfio-pci\n' >"$md/usr/lib/modprobe.d/gpu.conf"
"$vfiokit" verify --root "$md" -o DEVICE,CAUSE >"$tmp/out" 2>&1
[ $? = 1 ] && ! grep -q "add 'softdep" "$tmp/out" && [ "$(grep -c "softdep asks for vfio-pci before it" "$tmp/out")" = 2 ]
ok $? "verify: a softdep in /usr/lib/modprobe.d is seen" "$tmp/out"
: >"$md/etc/modprobe.d/gpu.conf"
"$vfiokit" verify --root "$md" -o DEVICE,CAUSE >"$tmp/out" 2>&1
[ $? = 1 ] && grep -q "add 'softdep snd_hda_intel pre: vfio-pci'" "$tmp/out"
ok $? "verify: an empty /etc/modprobe.d file of the same name masks it" "$tmp/out"
# ids= in a packaged modprobe.d file: modprobe joins every options line of
# vfio-pci and the last ids= wins, so setup keeps those IDs in vfio.conf too.
mo="$tmp/modprobe-other"
cp -a "$tmp/pristine" "$mo"
mkdir -p "$mo/usr/lib/modprobe.d"
printf 'options vfio-pci ids=1002:67df\n' >"$mo/usr/lib/modprobe.d/gpu.conf"
"$vfiokit" setup --gpu 06:00.0 --root "$mo" >"$tmp/out" 2>&1
[ $? = 0 ] && grep -q "^+options vfio-pci ids=1002:67df,10de:13c2,10de:0fbb$" "$tmp/out" &&
	grep -q "warning: another modprobe.d file than /etc/modprobe.d/vfio.conf gives vfio-pci ids=" "$tmp/out"
ok $? "setup: ids= in /usr/lib/modprobe.d kept in vfio.conf's ids=, and said" "$tmp/out"
mr="$tmp/modprobe-run"
cp -a "$fixtures/hosts/article" "$mr"
mkdir -p "$mr/run/modprobe.d"
printf 'options vfio_pci ids=10de:13c2\n' >"$mr/run/modprobe.d/vfio.conf"
"$vfiokit" verify --root "$mr" -o DEVICE,CAUSE >"$tmp/out" 2>&1
[ $? = 1 ] && ! grep -q "nothing asks vfio-pci" "$tmp/out" && grep -q "^0000:06:00.0 " "$tmp/out" && ! grep -q "^0000:06:00.1 " "$tmp/out"
ok $? "verify: ids= in /run/modprobe.d is seen" "$tmp/out"
bound="$tmp/bound"
cp -a "$fixtures/hosts/vfio-bound" "$bound"
mkdir -p "$bound/etc/modprobe.d"
printf 'options vfio-pci ids=10de:13c2,10de:0fbb\n' >"$bound/etc/modprobe.d/vfio.conf"
"$vfiokit" verify --root "$bound" -J >"$tmp/out" 2>&1
[ $? = 0 ] && [ "$(grep -c '"verdict": "ok"' "$tmp/out")" = 2 ]
ok $? "verify: both functions on vfio-pci: ok, exit 0" "$tmp/out"
"$vfiokit" verify --root "$fixtures/hosts/article" >"$tmp/out" 2>&1
[ $? = 1 ] && grep -q "nothing asks vfio-pci to take a device at boot" "$tmp/out"
ok $? "verify: nothing configured, said so" "$tmp/out"
# Identical cards, taken by address: verify reads setup's driver_override
# script (through modprobe.d's install line) and checks the devices it names.
vb="$tmp/verify-script"
cp -a "$fixtures/hosts/vfio-bound" "$vb"
mkdir -p "$vb/etc/modprobe.d" "$vb/usr/local/bin"
cp "$twin/etc/modprobe.d/vfio.conf" "$vb/etc/modprobe.d/vfio.conf"
cp "$twin/usr/local/bin/vfio-pci-override.sh" "$vb/usr/local/bin/"
"$vfiokit" verify --root "$vb" -o DEVICE,VERDICT -r -n >"$tmp/out" 2>&1
[ $? = 0 ] && [ "$(cat "$tmp/out")" = "$(printf '0000:06:00.0 ok\n0000:06:00.1 ok')" ]
ok $? "verify: the driver_override script's devices, on vfio-pci: ok, exit 0" "$tmp/out"
"$vfiokit" verify --root "$twin" -o DEVICE,CAUSE >"$tmp/out" 2>&1
[ $? = 1 ] && ! grep -q "nothing asks" "$tmp/out" &&
	grep -q "^0000:06:00.0 *nouveau took it and its driver_override is not vfio-pci: the driver_override script (/usr/local/bin/vfio-pci-override.sh) did not run" "$tmp/out" &&
	! grep -q "^0000:01:00.0" "$tmp/out"
ok $? "verify: the script's devices still on their drivers: FAIL with the cause, the host's twin card not listed" "$tmp/out"
# The real generator: Debian's dracut (from its package, not installed) builds
# an initramfs for Debian's kernel (the e2e test's package) with the
# configuration vfiokit wrote, and the image holds the VFIO modules; with
# no configuration it holds none.
pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
kdeb=$(ls "$cache/${pkg:-none}_"*.deb 2>/dev/null | head -1)
if [ -n "$pkg" ] && [ -z "$kdeb" ]; then
	# The e2e test may be fetching it at the same time: one at a time.
	(cd "$cache" && flock .download sh -c "ls ${pkg}_*.deb >/dev/null 2>&1 || apt-get download $pkg" >/dev/null 2>&1)
	kdeb=$(ls "$cache/${pkg}_"*.deb 2>/dev/null | head -1)
fi
if [ -n "${VFIOKIT_TEST_SANITIZER:-}" ]; then
	# vfiokit's part is one setup --apply, run in the cases above; the rest
	# is dracut's, the same in both builds.
	n=$((n + 1)); echo "ok $n # SKIP $VFIOKIT_TEST_SANITIZER"
	n=$((n + 1)); echo "ok $n # SKIP $VFIOKIT_TEST_SANITIZER"
elif [ -n "$kdeb" ] && [ -x /sbin/depmod ]; then
	dpkg-deb -x "$kdeb" "$tmp/k"
	rel=${pkg#linux-image-}
	/sbin/depmod -b "$tmp/k" "$rel"
	"$vfiokit" setup --gpu 06:00.0 --root "$fedora" --apply >/dev/null 2>&1
	dracut_run() { # dracut_run CONFDIR IMAGE
		dracutbasedir="$tmp/debs/dracut-core/usr/lib/dracut" bash "$tmp/debs/dracut-core/usr/bin/dracut" \
			--conf /dev/null --confdir "$1" --kmoddir "$tmp/k/lib/modules/$rel" --no-hostonly \
			--no-early-microcode -m dash -o "udev-rules systemd base kernel-modules" --force "$2" "$rel" \
			>"$tmp/dracut.log" 2>&1 &&
		dracutbasedir="$tmp/debs/dracut-core/usr/lib/dracut" bash "$tmp/debs/dracut-core/usr/bin/lsinitrd" "$2" \
			2>/dev/null | grep -o 'drivers/vfio/[a-z0-9/_-]*\.ko' | sort >"$2.vfio"
	}
	mkdir "$tmp/empty.d"
	dracut_run "$fedora/etc/dracut.conf.d" "$tmp/with.img" && dracut_run "$tmp/empty.d" "$tmp/without.img" &&
		grep -q "drivers/vfio/pci/vfio-pci.ko" "$tmp/with.img.vfio" && grep -q "drivers/vfio/vfio_iommu_type1.ko" "$tmp/with.img.vfio" &&
		[ ! -s "$tmp/without.img.vfio" ]
	rc=$?
	ok $rc "real dracut with vfiokit's /etc/dracut.conf.d/vfio.conf puts $(wc -l <"$tmp/with.img.vfio") VFIO modules into $rel's initramfs; without it, none" "$tmp/dracut.log"
	# dracut reads /etc of the machine it runs on: the copy's modprobe.d is
	# bound over it in a mount namespace of its own (this machine's /etc is
	# never written), and the image, built with hostonly="no", holds vfio-pci's
	# options.
	if [ "$(id -u)" = 0 ] && [ -d /etc/modprobe.d ] && unshare -m true 2>/dev/null; then
		unshare -m sh -c 'mount --bind "$1/etc/modprobe.d" /etc/modprobe.d &&
			dracutbasedir="$2/usr/lib/dracut" bash "$2/usr/bin/dracut" --conf /dev/null --confdir "$1/etc/dracut.conf.d" \
				--kmoddir "$3" --no-hostonly --no-early-microcode -m dash -o "udev-rules systemd base kernel-modules" \
				--force "$4" "$5"' sh "$fedora" "$tmp/debs/dracut-core" "$tmp/k/lib/modules/$rel" "$tmp/opts.img" "$rel" \
			>"$tmp/dracut.log" 2>&1
		dracutbasedir="$tmp/debs/dracut-core/usr/lib/dracut" bash "$tmp/debs/dracut-core/usr/bin/lsinitrd" \
			-f etc/modprobe.d/vfio.conf "$tmp/opts.img" >"$tmp/opts" 2>>"$tmp/dracut.log"
		grep -q "^options vfio-pci ids=10de:13c2,10de:0fbb$" "$tmp/opts" && grep -q "^softdep nouveau pre: vfio-pci$" "$tmp/opts"
		ok $? "the same image holds /etc/modprobe.d/vfio.conf (ids= and the softdeps), though hostonly is off" "$tmp/dracut.log"
	else
		n=$((n + 1)); echo "ok $n # SKIP needs root and unshare -m to show dracut the copy's modprobe.d"
	fi
else
	n=$((n + 1)); echo "ok $n # SKIP no Debian kernel package to build an initramfs for"
fi
# The second file fails (its directory is a file): the first, already
# written, is put back.
second="$tmp/second"
cp -a "$tmp/pristine" "$second"
rm -rf "$second/etc/initramfs-tools" && : >"$second/etc/initramfs-tools"
cp -a "$second" "$tmp/second-before"
"$vfiokit" setup --gpu 06:00.0 --root "$second" --apply >/dev/null 2>"$tmp/err"
[ $? = 1 ] && grep -q "cannot write /etc/initramfs-tools/modules" "$tmp/err" && grep -q "put back" "$tmp/err" &&
	[ ! -e "$second/etc/modprobe.d/vfio.conf" ] && diff -r --no-dereference "$tmp/second-before/etc" "$second/etc" >"$tmp/d" 2>&1
ok $? "the second write fails: the first file is put back, /etc as it was" "$tmp/err"
# tree DIR [all]: every path with its type, mode and owner, and every file's
# hash (sys, the command log and, unless all, the journal left out).
tree() {
	skip=./var/lib/vfiokit
	[ "${2-}" = all ] && skip=./none
	# ./run holds vfiokit's lock (tests/lock.sh checks it).
	(cd "$1" && find . -path ./sys -prune -o -path ./run -prune -o -path ./var/log/ran -prune -o -path "$skip" -prune -o \
		-printf '%p %y %m %U:%G\n' | sort &&
		find . -path ./sys -prune -o -path ./run -prune -o -path ./var/log/ran -prune -o -path "$skip" -prune -o -type f -print0 |
		sort -z | xargs -0 md5sum)
}
# Commands through the journal: on Pop!_OS, kernelstub's change and its
# inverse, and update-initramfs after both (busybox scripts in the copy that
# log their arguments and fail on demand).
if [ -x /bin/busybox ]; then
	pc="$tmp/popos-chroot"
	cp -a "$popos" "$pc"
	mkdir -p "$pc/bin" "$pc/var/log"
	cp /bin/busybox "$pc/bin/busybox" && ln -s busybox "$pc/bin/sh"
	for c in kernelstub update-initramfs; do
		printf '#!/bin/sh\necho "%s $*" >>/var/log/ran\n[ ! -e /fail-%s ]\n' "$c" "$c" >"$pc/usr/sbin/$c"
		chmod +x "$pc/usr/sbin/$c"
	done
	tree "$pc" all >"$tmp/pc.before"
	"$vfiokit" setup --gpu 06:00.0 --iommu-pt --root "$pc" --apply --chroot >/dev/null 2>"$tmp/err"
	[ $? = 0 ] && [ "$(cat "$pc/var/log/ran")" = "$(printf 'kernelstub -a intel_iommu=on\nupdate-initramfs -u -k all')" ]
	ok $? "kernelstub: --apply runs kernelstub -a intel_iommu=on (iommu=pt is there already), then update-initramfs" "$tmp/err"
	"$vfiokit" undo --root "$pc" --dry-run >"$tmp/out" 2>&1
	grep -q "^# then runs: kernelstub -d intel_iommu=on$" "$tmp/out" && grep -q "^# then runs: update-initramfs -u -k all$" "$tmp/out"
	ok $? "undo --dry-run names the inverse and the regenerate command" "$tmp/out"
	: >"$pc/var/log/ran"
	"$vfiokit" undo --root "$pc" --chroot >/dev/null 2>"$tmp/err"
	rc=$?
	tree "$pc" >"$tmp/pc.after"
	tree "$pc" all | grep -v "\./var/lib[ /]" | diff "$tmp/pc.before" - >"$tmp/d"
	[ $rc = 0 ] && [ "$(cat "$pc/var/log/ran")" = "$(printf 'kernelstub -d intel_iommu=on\nupdate-initramfs -u -k all')" ] &&
		[ ! -s "$tmp/d" ]
	ok $? "undo --chroot: files back byte for byte, kernelstub -d intel_iommu=on, then update-initramfs" "$tmp/d"
	# Each command fails in turn: the copy is as it was, journal included.
	for c in kernelstub update-initramfs; do
		: >"$pc/fail-$c"
		: >"$pc/var/log/ran"
		rm -rf "$pc/var/lib"
		tree "$pc" all >"$tmp/pc.before"
		"$vfiokit" setup --gpu 06:00.0 --iommu-pt --root "$pc" --apply --chroot >/dev/null 2>"$tmp/err"
		rc=$?
		tree "$pc" all | diff "$tmp/pc.before" - >"$tmp/d"
		[ $rc = 1 ] && grep -q "$c .*failed (chroot exited with status 1); every file was put back" "$tmp/err" &&
			[ ! -s "$tmp/d" ]
		ok $? "$c fails: every file put back, what ran before it taken back, no journal entry" "$tmp/d"
		rm -f "$pc/fail-$c"
	done
	[ "$(cat "$pc/var/log/ran")" = "$(printf 'kernelstub -a intel_iommu=on\nupdate-initramfs -u -k all\nkernelstub -d intel_iommu=on')" ]
	ok $? "update-initramfs failing took back the kernelstub change that ran before it" "$pc/var/log/ran"
else
	for i in 1 2 3 4 5 6; do n=$((n + 1)); echo "ok $n # SKIP no busybox-static"; done
fi
# Fault injection: the Nth call that changes the file system (a creating
# open, a write, fchmod, fchown, fsync, rename, unlink, mkdir) fails, for
# every N up to the last one --apply makes. Each time the copy is as it was,
# journal included. /etc/default/grub belongs to another user, mode 0600:
# kept after apply and after undo.
if [ -n "${FAILAT_SO-}" ] && [ -f "$FAILAT_SO" ]; then
	fa="$tmp/fault"
	cp -a "$tmp/pristine" "$fa"
	chown 1234:1234 "$fa/etc/default/grub" && chmod 600 "$fa/etc/default/grub"
	tree "$fa" all >"$tmp/fa.before"
	# Every call in the plain build's run, every third in the sanitizer
	# build's (make check sets ASAN_OPTIONS for it alone).
	i=1 fired=0 bad= step=1
	[ -z "${ASAN_OPTIONS-}" ] || step=3
	while [ $i -lt 1000 ]; do
		rm -f "$tmp/failat.log"
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
			FAILAT=$i FAILAT_LOG="$tmp/failat.log" LD_PRELOAD="$FAILAT_SO" "$vfiokit" setup --gpu 06:00.0 --root "$fa" \
			--apply >/dev/null 2>"$tmp/err"
		rc=$?
		[ -s "$tmp/failat.log" ] || break
		fired=$((fired + 1))
		tree "$fa" all | diff "$tmp/fa.before" - >"$tmp/d"
		if [ $rc != 1 ] || [ -s "$tmp/d" ]; then
			bad="call $(cat "$tmp/failat.log"): exit $rc"
			cat "$tmp/err" >>"$tmp/d"
			break
		fi
		i=$((i + step))
	done
	[ -z "$bad" ] && [ $rc = 0 ] && [ $fired -gt 20 ]
	ok $? "a failure at $fired of the calls that change files (every $step) leaves the copy byte for byte as it was${bad:+ (not at $bad)}" "$tmp/d"
	[ "$(stat -c '%u:%g %a' "$fa/etc/default/grub")" = "1234:1234 600" ] && grep -q "intel_iommu=on" "$fa/etc/default/grub" &&
		"$vfiokit" undo --root "$fa" >/dev/null 2>&1 && [ "$(stat -c '%u:%g %a' "$fa/etc/default/grub")" = "1234:1234 600" ]
	ok $? "an edited file keeps its owner and mode, after apply and after undo"
else
	n=$((n + 2)); echo "ok $((n - 1)) # SKIP no failat.so (FAILAT_SO)"; echo "ok $n # SKIP no failat.so"
fi
# A read-only /etc (a bind mount in a mount namespace of its own).
if [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null; then
	ro="$tmp/ro"
	cp -a "$tmp/pristine" "$ro"
	tree "$ro" all >"$tmp/ro.before"
	unshare -m sh -c 'mount --bind "$1/etc" "$1/etc" && mount -o remount,bind,ro "$1/etc" &&
		exec "$2" setup --gpu 06:00.0 --root "$1" --apply' sh "$ro" "$vfiokit" >/dev/null 2>"$tmp/err"
	rc=$?
	tree "$ro" all | diff "$tmp/ro.before" - >"$tmp/d"
	[ $rc = 1 ] && grep -q "cannot write /etc/modprobe.d/vfio.conf: Read-only file system (remount it read-write" "$tmp/err" &&
		[ ! -s "$tmp/d" ]
	ok $? "a read-only /etc: said, and nothing changed (no journal entry either)" "$tmp/err"
else
	n=$((n + 1)); echo "ok $n # SKIP needs root and unshare -m"
fi
if command -v setpriv >/dev/null && [ "$(id -u)" = 0 ]; then
	setpriv --reuid=65534 --regid=65534 --clear-groups "$vfiokit" setup --gpu 06:00.0 --root "$debian" >/dev/null 2>&1
	ok $? "a dry run needs no root"
else
	n=$((n + 1)); echo "ok $n # SKIP not root or no setpriv"
fi
echo "1..$n"
exit $fail
