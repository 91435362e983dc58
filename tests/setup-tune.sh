#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Tuning at boot through setup's editors (setup --isolcpus, --hugepages,
# --ignore-msrs; tune pin/hugepages --apply) on machine copies: the article's
# host with the article's i7-8700K topology (fixtures/mkcpu.py), huge page
# pools, and Debian's real /etc/default/grub (grub2-common, fetched with
# apt-get download as setup.sh does) or a systemd-boot entry. Golden plans,
# an existing isolcpus= replaced, kvm.conf merged, undo byte for byte,
# refusals that write nothing.
# usage: setup-tune.sh VFIOKIT FIXTURES EXPECTED [--update]
set -u
vfiokit=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") fixtures=$(cd "$2" && pwd) expected=$3 update=${4:-}
export LC_ALL=C NO_COLOR=1
cache=${VFIOKIT_E2E_CACHE:-/var/tmp/vfiokit-e2e}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
n=0 fail=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; [ -n "${3-}" ] && sed 's/^/# /' "$3"; fi; }

mkdir -p "$cache"
deb=$(ls "$cache/grub2-common_"*.deb 2>/dev/null | head -1)
if [ -z "$deb" ]; then
	(cd "$cache" && flock .download apt-get download grub2-common >/dev/null 2>&1)
	deb=$(ls "$cache/grub2-common_"*.deb 2>/dev/null | head -1)
fi
[ -n "$deb" ] || { echo "1..0 # SKIP cannot apt-get download grub2-common (run apt-get update)"; exit 0; }
dpkg-deb -x "$deb" "$tmp/grub2-common"

# base: the article's host, its CPUs as the article's lscpu -e of an
# i7-8700K (6 cores, 12 threads), 2 MiB and 1 GiB pools, pdpe1gb.
base="$tmp/base"
cp -a "$fixtures/hosts/article" "$base"
python3 "$fixtures/mkcpu.py" "$fixtures/cpus/article-i7-8700k.lscpu" "$tmp/cpus" || exit 1
cp -a "$tmp/cpus/sys/devices/system/cpu" "$tmp/cpus/sys/devices/system/node" "$base/sys/devices/system/"
for sz in 2048 1048576; do
	mkdir -p "$base/sys/kernel/mm/hugepages/hugepages-${sz}kB"
	echo 0 >"$base/sys/kernel/mm/hugepages/hugepages-${sz}kB/nr_hugepages"
	echo 0 >"$base/sys/kernel/mm/hugepages/hugepages-${sz}kB/free_hugepages"
done
sed -i '/^flags/s/$/ pdpe1gb/' "$base/proc/cpuinfo"
# grub: Debian's /etc/default/grub, where a guide's isolcpus=2-5 is already.
grub="$tmp/grub"
cp -a "$base" "$grub"
mkdir -p "$grub/etc/default" "$grub/usr/sbin"
sed 's/^GRUB_CMDLINE_LINUX_DEFAULT=.*/GRUB_CMDLINE_LINUX_DEFAULT="quiet isolcpus=2-5"/' \
	"$tmp/grub2-common/usr/share/grub/default/grub" >"$grub/etc/default/grub"
grep -q '^GRUB_CMDLINE_LINUX_DEFAULT="quiet isolcpus=2-5"$' "$grub/etc/default/grub" || { echo "not ok - no GRUB_CMDLINE_LINUX_DEFAULT in Debian's file"; exit 1; }
: >"$grub/usr/sbin/update-grub"
# sdboot: systemd-boot with an entry as the Arch wiki writes it.
sdboot="$tmp/sdboot"
cp -a "$base" "$sdboot"
mkdir -p "$sdboot/boot/loader/entries"
printf 'default  arch.conf\ntimeout  4\n' >"$sdboot/boot/loader/loader.conf"
printf 'title   Arch Linux\nlinux   /vmlinuz-linux\ninitrd  /initramfs-linux.img\noptions root="LABEL=arch os" rw isolcpus=1,7 nohz_full=1,7\n' \
	>"$sdboot/boot/loader/entries/arch.conf"

golden() { # golden NAME ROOT COMMAND ARGS...
	name=$1 root=$2; shift 2
	{ "$vfiokit" "$@" --root "$root" 2>"$tmp/err"; echo "--- exit $?"; echo "--- stderr"; cat "$tmp/err"; } |
		sed -e "s|$tmp|TMP|g" -e 's/[0-9]\{8\}-[0-9]\{6\}\(-[0-9]*\)\{0,1\}/ID/g' >"$tmp/out"
	if [ "$update" = "--update" ]; then
		mkdir -p "$expected/setup-tune"
		cp "$tmp/out" "$expected/setup-tune/$name.out"
		ok 0 "$name (updated)"
	else
		diff -u "$expected/setup-tune/$name.out" "$tmp/out" >"$tmp/d" 2>&1
		ok $? "$name" "$tmp/d"
	fi
}
golden grub-isolcpus "$grub" setup --isolcpus 6-11
golden grub-all "$grub" setup --isolcpus 4-11 --hugepages 8G --ignore-msrs
golden sdboot-isolcpus "$sdboot" setup --isolcpus 6-11
golden grub-gpu-isolcpus "$grub" setup --gpu 06:00.0 --isolcpus 6-11 --ignore-msrs
golden grub-bad-cpus "$grub" setup --isolcpus 6-13
golden grub-every-cpu "$grub" setup --isolcpus 0-11
golden grub-bad-list "$grub" setup --isolcpus 6-x
cp -a "$grub" "$tmp/pin"
golden tune-pin-apply "$tmp/pin" tune pin --vcpus 6 --apply

# undo ROOT PRISTINE: undo, then the copy as it was, byte for byte.
back() { "$vfiokit" undo --root "$1" >/dev/null 2>>"$tmp/err" && diff -r --no-dereference -x var -x run "$2" "$1" >>"$tmp/err" 2>&1; }

# GRUB: the existing isolcpus= replaced (one isolcpus= left), undo exact.
c="$tmp/c-grub"
cp -a "$grub" "$c"
: >"$tmp/err"
"$vfiokit" setup --isolcpus 6-11 --root "$c" --apply >/dev/null 2>>"$tmp/err" &&
	grep -q '^GRUB_CMDLINE_LINUX_DEFAULT="quiet isolcpus=6-11 nohz_full=6-11 rcu_nocbs=6-11"$' "$c/etc/default/grub" &&
	[ "$(grep -o 'isolcpus=' "$c/etc/default/grub" | wc -l)" = 1 ] &&
	v=$(sh -c '. "$1/etc/default/grub" >/dev/null 2>&1; echo "$GRUB_CMDLINE_LINUX_DEFAULT"' sh "$c") &&
	[ "$v" = "quiet isolcpus=6-11 nohz_full=6-11 rcu_nocbs=6-11" ] &&
	"$vfiokit" setup --isolcpus 6-11 --root "$c" --apply >"$tmp/out" 2>>"$tmp/err" && grep -q "nothing to do" "$tmp/err" &&
	back "$c" "$grub"
ok $? "GRUB: isolcpus=2-5 replaced by 6-11 (sh reads one isolcpus=), a second run changes nothing, undo byte for byte" "$tmp/err"
# systemd-boot: the same in the entry's options line.
c="$tmp/c-sdboot"
cp -a "$sdboot" "$c"
: >"$tmp/err"
"$vfiokit" setup --isolcpus 6-11 --root "$c" --apply >/dev/null 2>>"$tmp/err" &&
	grep -q '^options root="LABEL=arch os" rw isolcpus=6-11 nohz_full=6-11 rcu_nocbs=6-11$' "$c/boot/loader/entries/arch.conf" &&
	back "$c" "$sdboot"
ok $? "systemd-boot: the entry's isolcpus= and nohz_full= replaced, rcu_nocbs= added; undo byte for byte" "$tmp/err"
# GRUB: an isolcpus= in GRUB_CMDLINE_LINUX, which grub puts first on the
# kernel's line (the kernel keeps the first isolcpus=, and warns about the
# second): taken out of it, the new one in GRUB_CMDLINE_LINUX_DEFAULT.
c="$tmp/c-grub-linux"
cp -a "$grub" "$c"
sed -i 's/^GRUB_CMDLINE_LINUX=.*/GRUB_CMDLINE_LINUX="isolcpus=1 splash"/' "$c/etc/default/grub"
cp -a "$c" "$tmp/c-grub-linux-before"
: >"$tmp/err"
"$vfiokit" setup --isolcpus 6-11 --root "$c" --apply >/dev/null 2>>"$tmp/err" &&
	v=$(sh -c '. "$1/etc/default/grub" >/dev/null 2>&1; echo "$GRUB_CMDLINE_LINUX $GRUB_CMDLINE_LINUX_DEFAULT"' sh "$c") &&
	[ "$v" = "splash quiet isolcpus=6-11 nohz_full=6-11 rcu_nocbs=6-11" ] &&
	"$vfiokit" setup --isolcpus 6-11 --root "$c" --apply >"$tmp/out" 2>>"$tmp/err" && grep -q "nothing to do" "$tmp/err" &&
	back "$c" "$tmp/c-grub-linux-before"
ok $? "GRUB: isolcpus=1 in GRUB_CMDLINE_LINUX taken out, one isolcpus= on the line; undo byte for byte" "$tmp/err"
# GRUB: a guide's isolcpus=domain,managed_irq,2-5 gets the new CPUs with
# its flags kept (managed_irq: managed interrupts kept off them), said; a
# second run changes nothing; undo exact.
c="$tmp/c-grub-flags"
cp -a "$grub" "$c"
sed -i 's/isolcpus=2-5/isolcpus=domain,managed_irq,2-5/' "$c/etc/default/grub"
cp -a "$c" "$tmp/c-grub-flags-before"
: >"$tmp/err"
"$vfiokit" setup --isolcpus 6-11 --root "$c" --apply >/dev/null 2>>"$tmp/err" &&
	grep -q '^GRUB_CMDLINE_LINUX_DEFAULT="quiet isolcpus=domain,managed_irq,6-11 nohz_full=6-11 rcu_nocbs=6-11"$' "$c/etc/default/grub" &&
	grep -q "the isolcpus= of the boot files has the flags domain,managed_irq: they are kept" "$tmp/err" &&
	"$vfiokit" setup --isolcpus 6-11 --root "$c" --apply >"$tmp/out" 2>"$tmp/err2" && grep -q "nothing to do" "$tmp/err2" &&
	! grep -q "flags" "$tmp/err2" && back "$c" "$tmp/c-grub-flags-before"
ok $? "GRUB: isolcpus=domain,managed_irq,2-5 becomes isolcpus=domain,managed_irq,6-11, said; a second run changes nothing; undo exact" "$tmp/err"
# GRUB_CMDLINE_LINUX_DEFAULT assigned twice, the first with isolcpus=2-5,
# the last taking it in ($GRUB_CMDLINE_LINUX_DEFAULT): the kernel would get
# isolcpus=2-5 first, and keep it. Left to do by hand, both lines named,
# nothing written. A last assignment by export is the one edited.
c="$tmp/c-grub-twice"
cp -a "$grub" "$c"
echo 'GRUB_CMDLINE_LINUX_DEFAULT="$GRUB_CMDLINE_LINUX_DEFAULT splash"' >>"$c/etc/default/grub"
cp -a "$c" "$tmp/c-grub-twice-before"
first=$(grep -n '^GRUB_CMDLINE_LINUX_DEFAULT="quiet' "$c/etc/default/grub" | cut -d: -f1)
last=$(wc -l <"$c/etc/default/grub")
"$vfiokit" setup --isolcpus 6-11 --root "$c" --apply >"$tmp/out" 2>&1
grep -qF "by hand: GRUB: /etc/default/grub lines $first and $last both assign GRUB_CMDLINE_LINUX_DEFAULT, and line $first has isolcpus=2-5" "$tmp/out" &&
	[ ! -e "$c/var" ] && diff -r --no-dereference -x run "$tmp/c-grub-twice-before" "$c" >>"$tmp/out" 2>&1
ok $? "GRUB: an earlier GRUB_CMDLINE_LINUX_DEFAULT with isolcpus=2-5 passed on by the last: by hand, lines $first and $last named, nothing written" "$tmp/out"
c="$tmp/c-grub-export"
cp -a "$grub" "$c"
sed -i 's/^GRUB_CMDLINE_LINUX_DEFAULT="quiet isolcpus=2-5"/GRUB_CMDLINE_LINUX_DEFAULT="quiet"/' "$c/etc/default/grub"
echo 'export GRUB_CMDLINE_LINUX_DEFAULT="quiet splash"' >>"$c/etc/default/grub"
cp -a "$c" "$tmp/c-grub-export-before"
: >"$tmp/err"
"$vfiokit" setup --isolcpus 6-11 --root "$c" --apply >/dev/null 2>>"$tmp/err" &&
	v=$(sh -c '. "$1/etc/default/grub" >/dev/null 2>&1; echo "$GRUB_CMDLINE_LINUX_DEFAULT"' sh "$c") &&
	[ "$v" = "quiet splash isolcpus=6-11 nohz_full=6-11 rcu_nocbs=6-11" ] && back "$c" "$tmp/c-grub-export-before"
ok $? "GRUB: the last assignment is an export: it is the one edited (sh reads the parameters); undo exact" "$tmp/err"
# Huge pages: setup's parameters are tune hugepages's.
for a in "8G" "8G --page-size 2M" "1001M" "6G --page-size 1G"; do
	# shellcheck disable=SC2086
	s=$("$vfiokit" setup --hugepages $a --root "$grub" 2>/dev/null | sed -n 's/^# kernel parameters to add: //p')
	# shellcheck disable=SC2086
	t=$("$vfiokit" tune hugepages --memory $a --root "$grub" 2>/dev/null | sed -n '/^at boot, kernel parameters/{n;s/^  //p}')
	[ -n "$s" ] && [ "$s" = "$t" ]
	ok $? "setup --hugepages $a adds what tune hugepages --memory $a says: '$s'"
done
c="$tmp/c-huge"
cp -a "$grub" "$c"
t=$("$vfiokit" tune hugepages --memory 8G --root "$c" 2>/dev/null | sed -n '/^at boot, kernel parameters/{n;s/^  //p}')
: >"$tmp/err"
[ -n "$t" ] && "$vfiokit" tune hugepages --memory 8G --root "$c" --apply >/dev/null 2>>"$tmp/err" &&
	grep -q "^GRUB_CMDLINE_LINUX_DEFAULT=\"quiet isolcpus=2-5 $t\"$" "$c/etc/default/grub" &&
	"$vfiokit" journal --root "$c" | grep -q "vfiokit tune hugepages$" && back "$c" "$grub"
ok $? "tune hugepages --memory 8G --apply: '$t' in GRUB's line, journaled, undo byte for byte" "$tmp/err"
# An earlier 1 GiB reservation on the line: 2 MiB pages replace all three
# parameters, default_hugepagesz too (systemd's /dev/hugepages, where libvirt
# finds the pages, has the default size).
c="$tmp/c-huge-again"
cp -a "$grub" "$c"
sed -i 's/^GRUB_CMDLINE_LINUX_DEFAULT=.*/GRUB_CMDLINE_LINUX_DEFAULT="quiet default_hugepagesz=1G hugepagesz=1G hugepages=16"/' "$c/etc/default/grub"
cp -a "$c" "$tmp/c-huge-again-before"
: >"$tmp/err"
"$vfiokit" setup --hugepages 8G --page-size 2M --root "$c" --apply >/dev/null 2>>"$tmp/err" &&
	grep -q '^GRUB_CMDLINE_LINUX_DEFAULT="quiet default_hugepagesz=2M hugepagesz=2M hugepages=4096"$' "$c/etc/default/grub" &&
	back "$c" "$tmp/c-huge-again-before"
ok $? "2 MiB pages where 1 GiB pages were reserved: default_hugepagesz=1G replaced too; undo exact" "$tmp/err"
# tune pin --apply: the isolation parameters pin prints, written; undo exact.
c="$tmp/c-pin"
cp -a "$grub" "$c"
iso=$("$vfiokit" tune pin --vcpus 6 --root "$c" 2>/dev/null | sed -n '/^static isolation/{n;s/^  //p}')
: >"$tmp/err"
"$vfiokit" tune pin --vcpus 6 --root "$c" --apply >/dev/null 2>>"$tmp/err" &&
	grep -q "^GRUB_CMDLINE_LINUX_DEFAULT=\"quiet $iso\"$" "$c/etc/default/grub" && back "$c" "$grub"
ok $? "tune pin --vcpus 6 --apply writes what pin prints ('$iso'); undo byte for byte" "$tmp/err"
# ignore_msrs: into the user's options kvm line, never a second one.
c="$tmp/c-kvm"
cp -a "$grub" "$c"
mkdir -p "$c/etc/modprobe.d"
printf '# mine\noptions kvm ignore_msrs=0 halt_poll_ns=0\noptions kvm_intel nested=1\n' >"$c/etc/modprobe.d/kvm.conf"
cp -a "$c" "$tmp/c-kvm-before"
: >"$tmp/err"
"$vfiokit" setup --ignore-msrs --root "$c" --apply >/dev/null 2>>"$tmp/err" &&
	[ "$(cat "$c/etc/modprobe.d/kvm.conf")" = "$(printf '# mine\noptions kvm ignore_msrs=1 halt_poll_ns=0 report_ignored_msrs=0\noptions kvm_intel nested=1')" ] &&
	cmp "$tmp/c-kvm-before/etc/default/grub" "$c/etc/default/grub" >>"$tmp/err" 2>&1 &&
	"$vfiokit" setup --ignore-msrs --root "$c" --apply >/dev/null 2>>"$tmp/err" && grep -q "nothing to do" "$tmp/err" &&
	back "$c" "$tmp/c-kvm-before"
ok $? "--ignore-msrs: merged into the existing options kvm line (ignore_msrs=0 replaced), no command line change, undo exact" "$tmp/err"
c="$tmp/c-kvm-new"
cp -a "$grub" "$c"
: >"$tmp/err"
"$vfiokit" setup --ignore-msrs --root "$c" --apply >/dev/null 2>>"$tmp/err" &&
	[ "$(grep -c '^options kvm ignore_msrs=1 report_ignored_msrs=0$' "$c/etc/modprobe.d/kvm.conf")" = 1 ] && back "$c" "$grub"
ok $? "--ignore-msrs without kvm.conf: the article's file, written and taken back" "$tmp/err"
# A packaged kvm.conf (/usr/lib/modprobe.d): /etc's replaces it, so its lines
# are copied in; a kvm.conf masked by a link to /dev/null is left alone.
c="$tmp/c-kvm-packaged"
cp -a "$grub" "$c"
mkdir -p "$c/usr/lib/modprobe.d"
printf 'options kvm halt_poll_ns=0\n' >"$c/usr/lib/modprobe.d/kvm.conf"
cp -a "$c" "$tmp/c-kvm-packaged-before"
: >"$tmp/err"
"$vfiokit" setup --ignore-msrs --root "$c" --apply >/dev/null 2>>"$tmp/err" &&
	grep -q "^options kvm halt_poll_ns=0 ignore_msrs=1 report_ignored_msrs=0$" "$c/etc/modprobe.d/kvm.conf" &&
	grep -q "replaces /usr/lib/modprobe.d/kvm.conf, a file of the same name" "$tmp/err" && back "$c" "$tmp/c-kvm-packaged-before"
ok $? "--ignore-msrs with a packaged kvm.conf: its lines copied into /etc's, which replaces it; undo exact" "$tmp/err"
c="$tmp/c-kvm-masked"
cp -a "$grub" "$c"
mkdir -p "$c/etc/modprobe.d"
ln -s /dev/null "$c/etc/modprobe.d/kvm.conf"
cp -a "$c" "$tmp/c-kvm-masked-before"
"$vfiokit" setup --ignore-msrs --root "$c" --apply >"$tmp/out" 2>&1
grep -q "by hand: modprobe.d: /etc/modprobe.d/kvm.conf is there but is no file vfiokit can read" "$tmp/out" &&
	diff -r --no-dereference -x run "$tmp/c-kvm-masked-before" "$c" >>"$tmp/out" 2>&1
ok $? "--ignore-msrs with kvm.conf masked (a link to /dev/null): left alone, said, nothing written" "$tmp/out"
# Another modprobe.d file read after kvm.conf (by name) with ignore_msrs=0:
# modprobe joins the options lines in that order, so its value wins: said.
c="$tmp/c-kvm-later"
cp -a "$grub" "$c"
mkdir -p "$c/etc/modprobe.d" "$c/usr/lib/modprobe.d"
printf 'options kvm ignore_msrs=0\n' >"$c/etc/modprobe.d/zz-mine.conf"
printf 'options kvm report_ignored_msrs=1\n' >"$c/usr/lib/modprobe.d/a-early.conf"
"$vfiokit" setup --ignore-msrs --root "$c" >/dev/null 2>"$tmp/err"
[ $? = 0 ] && grep -q "warning: /etc/modprobe.d/zz-mine.conf sets kvm's ignore_msrs=0, and modprobe reads it after" "$tmp/err" &&
	! grep -q "a-early.conf" "$tmp/err"
ok $? "--ignore-msrs with ignore_msrs=0 in a modprobe.d file read after kvm.conf: said (not the one read before)" "$tmp/err"
# ... but a later file that sets the same (Y, N: kvm's are bools) is no
# conflict; nor is a kvm.conf that has them already, as Y and N: left as
# written, no edit, no journal entry.
printf 'options kvm ignore_msrs=Y report_ignored_msrs=N\n' >"$c/etc/modprobe.d/zz-mine.conf"
cp "$c/etc/modprobe.d/zz-mine.conf" "$c/etc/modprobe.d/kvm.conf"
cp -a "$c" "$tmp/c-kvm-later-before"
"$vfiokit" setup --ignore-msrs --root "$c" --apply >/dev/null 2>"$tmp/err"
[ $? = 0 ] && ! grep -q "zz-mine.conf" "$tmp/err" && grep -q "nothing to do" "$tmp/err" && [ ! -e "$c/var" ] &&
	diff -r --no-dereference -x run "$tmp/c-kvm-later-before" "$c" >>"$tmp/err" 2>&1
ok $? "--ignore-msrs where kvm.conf and a later file say ignore_msrs=Y report_ignored_msrs=N: no warning, nothing written" "$tmp/err"
# Refusals: nothing written, no journal.
for a in "--isolcpus 6-13" "--isolcpus 0-11" "--isolcpus 0-11 --apply" "--isolcpus 6-13 --ignore-msrs --apply" \
	"--hugepages 64G --apply"; do
	c="$tmp/c-refuse"
	rm -rf "$c"
	cp -a "$grub" "$c"
	# shellcheck disable=SC2086
	"$vfiokit" setup $a --root "$c" >/dev/null 2>"$tmp/err"
	[ $? = 1 ] && [ ! -e "$c/var" ] && diff -r --no-dereference -x run "$grub" "$c" >>"$tmp/err" 2>&1
	ok $? "setup $a: refused (exit 1), nothing written (the lock file aside)" "$tmp/err"
done
# A CPU list cut short or padded is a usage error naming it (exit 2), not
# the list before the comma: "6," may be "6,7" typed half.
c="$tmp/c-usage"
cp -a "$grub" "$c"
for a in "6," "6-11 " "6, 7" " 6" ""; do
	"$vfiokit" setup --isolcpus "$a" --root "$c" --apply >/dev/null 2>"$tmp/err"
	[ $? = 2 ] && grep -qF -- "--isolcpus takes a CPU list like 6-11 or 2-5,8-11, not '$a'" "$tmp/err" && [ ! -e "$c/var" ] &&
		diff -r --no-dereference -x run "$grub" "$c" >>"$tmp/err" 2>&1
	ok $? "setup --isolcpus '$a' --apply: usage error naming it (exit 2), nothing written" "$tmp/err"
done
c="$tmp/c-refuse"
rm -rf "$c"
cp -a "$grub" "$c"
"$vfiokit" tune pin --vcpus 12 --root "$c" --apply >/dev/null 2>"$tmp/err"
[ $? = 1 ] && grep -q "isolating CPUs 0-11 leaves the host no online CPU" "$tmp/err" && [ ! -e "$c/var" ]
ok $? "tune pin --vcpus 12 --apply: every CPU to the guest, refused, nothing written" "$tmp/err"
# No CPU topology in the copy: fail closed, naming what could not be read.
c="$tmp/c-nocpu"
cp -a "$grub" "$c"
rm -rf "$c/sys/devices/system/cpu"
"$vfiokit" setup --isolcpus 6-11 --root "$c" --apply >/dev/null 2>"$tmp/err"
[ $? = 1 ] && grep -q "cannot read this host's CPUs (/sys/devices/system/cpu)" "$tmp/err" && [ ! -e "$c/var" ]
ok $? "no /sys/devices/system/cpu: refused, the fact named, nothing written" "$tmp/err"
# No MemTotal: huge pages reserved at every boot cannot be checked against
# the host's memory (more than it has leaves a host that cannot boot).
c="$tmp/c-nomem"
cp -a "$grub" "$c"
rm -f "$c/proc/meminfo"
for t in "setup --hugepages 10000000G" "tune hugepages --memory 8G"; do
	# shellcheck disable=SC2086
	"$vfiokit" $t --root "$c" --apply >/dev/null 2>"$tmp/err"
	[ $? = 1 ] && grep -q "cannot read this host's memory (MemTotal in /proc/meminfo)" "$tmp/err" && [ ! -e "$c/var" ] &&
		cmp "$grub/etc/default/grub" "$c/etc/default/grub" >>"$tmp/err" 2>&1
	ok $? "no /proc/meminfo: $t --apply refused, the fact named, nothing written" "$tmp/err"
done
# A size whose KiB, rounded up, overflowed to 0: "--memory must be more than 0".
"$vfiokit" setup --hugepages 18446744073709551615 --root "$grub" >/dev/null 2>"$tmp/err"
[ $? = 1 ] && grep -q "MiB asked, but the host has 15934 MiB of memory in all" "$tmp/err"
ok $? "setup --hugepages 18446744073709551615 (bytes): more than the host has, said as such" "$tmp/err"
echo "1..$n"
exit $fail
