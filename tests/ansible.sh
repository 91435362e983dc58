#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The Ansible module (ansible/collections/.../vfiokit.py) with Debian's
# ansible-core, against localhost (ansible_connection=local) on --root copies
# of the article's machine: ansible-doc reads its DOCUMENTATION; the example
# playbook's first run changes, the second is ok (changed=0); --check
# changes no byte; --diff shows vfiokit's diff; state=absent puts every file
# back byte for byte; bind in check mode; check as facts, failing on demand;
# a wrong argument refused by the argument spec. Everything ansible writes
# goes under one temp dir (HOME, ANSIBLE_HOME, ANSIBLE_LOCAL_TEMP); the
# ansible/ tree is copied there first, so nothing is written to the source.
# usage: ansible.sh VFIOKIT FIXTURES_DIR SOURCE_ROOT
set -u
vfiokit=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") fixtures=$(cd "$2" && pwd) src=$(cd "$3" && pwd)
export LC_ALL=C.UTF-8 NO_COLOR=1
if ! command -v ansible-playbook >/dev/null || ! command -v ansible-doc >/dev/null; then
	echo "1..0 # SKIP ansible-core is not installed (apt-get install ansible-core)"
	exit 0
fi
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
n=0 fail=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; [ -n "${3-}" ] && sed 's/^/# /' "$3"; fi; }

cp -a "$src/ansible" "$tmp/ansible"
mkdir -p "$tmp/home" "$tmp/ansible-home/tmp"
export HOME="$tmp/home" ANSIBLE_HOME="$tmp/ansible-home" ANSIBLE_LOCAL_TEMP="$tmp/ansible-home/tmp" \
	ANSIBLE_REMOTE_TEMP="$tmp/ansible-home/remote" ANSIBLE_COLLECTIONS_PATH="$tmp/ansible/collections" \
	ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0 ANSIBLE_GALAXY_DISABLE_GPG_VERIFY=1 \
	ANSIBLE_LOCALHOST_WARNING=0 ANSIBLE_INVENTORY_UNPARSED_WARNING=0 PYTHONDONTWRITEBYTECODE=1
unset ANSIBLE_CONFIG
py=/usr/bin/python3
inv="localhost,"
common="-i $inv -c local -e ansible_python_interpreter=$py -e vfiokit_hosts=localhost -e vfiokit_executable=$vfiokit"
cd "$tmp" || exit 1

# The article's machine with GRUB and initramfs-tools.
h="$tmp/host"
cp -a "$fixtures/hosts/article" "$h"
mkdir -p "$h/etc/default" "$h/etc/initramfs-tools" "$h/usr/sbin"
printf 'GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX_DEFAULT="quiet"\nGRUB_CMDLINE_LINUX=""\n' >"$h/etc/default/grub"
: >"$h/etc/initramfs-tools/modules"
: >"$h/usr/sbin/update-grub"
: >"$h/usr/sbin/update-initramfs"
cp -a "$h" "$tmp/pristine"
# The recap line of localhost: "ok=N changed=N ..."; $2 the key.
recap() { sed -n 's/^localhost *: //p' "$1" | tr -s ' ' '\n' | sed -n "s/^$2=//p"; }
# The tree but vfiokit's journal and lock (var/lib/vfiokit, run/vfiokit and
# the directories made for them), byte for byte.
strip() {
	rm -rf "$2" && cp -a "$1" "$2" && rm -rf "$2/var/lib/vfiokit" "$2/run/vfiokit" &&
		{ rmdir -p "$2/var/lib" "$2/run" 2>/dev/null; true; }
}
same() { strip "$1" "$tmp/cmp1" && strip "$2" "$tmp/cmp2" && diff -r --no-dereference "$tmp/cmp1" "$tmp/cmp2" >"$tmp/d" 2>&1; }
play() { ansible-playbook $common -e vfiokit_root="$h" "$@" "$tmp/ansible/vfio-host.yml" >"$tmp/out" 2>&1; }
echo "1..12"

ansible-doc -t module vfiokit.host.vfiokit >"$tmp/doc" 2>&1 &&
	grep -q "VFIOKIT.HOST.VFIOKIT" "$tmp/doc" && grep -q "choices: \[setup, bind, unbind, check\]" "$tmp/doc"
ok $? "ansible-doc reads the module's DOCUMENTATION" "$tmp/doc"

play -e vfiokit_gpu=0000:06:00.0 --check --diff
rc=$?
same "$tmp/pristine" "$h"
[ $rc = 0 ] && [ "$(recap "$tmp/out" changed)" = 1 ] && [ ! -s "$tmp/d" ] && [ ! -e "$h/var/lib/vfiokit" ]
ok $? "--check: setup reported as changed, no byte of the copy changed" "$tmp/out"
grep -q '^+options vfio-pci ids=10de:13c2,10de:0fbb$' "$tmp/out" &&
	grep -q '^+GRUB_CMDLINE_LINUX_DEFAULT="quiet intel_iommu=on"$' "$tmp/out"
ok $? "--diff: vfiokit's diff in the task's output" "$tmp/out"

play -e vfiokit_gpu=0000:06:00.0
rc=$?
[ $rc = 0 ] && [ "$(recap "$tmp/out" changed)" = 1 ] && grep -q "^options vfio-pci ids=10de:13c2,10de:0fbb$" "$h/etc/modprobe.d/vfio.conf" &&
	grep -q 'intel_iommu=on' "$h/etc/default/grub" && grep -q "RUNNING HANDLER \[Reboot\]" "$tmp/out" &&
	grep -q 'skipping: \[localhost\]' "$tmp/out"
ok $? "first run: changed (the files written), the reboot handler notified and skipped for a copy" "$tmp/out"
tr '\n' ' ' <"$tmp/out" | grep -q "WARNING\]: run inside $h: update-initramfs -u -k all; *update-grub"
ok $? "the commands to run inside the copy said as a warning" "$tmp/out"

cp -a "$h" "$tmp/applied"
play -e vfiokit_gpu=0000:06:00.0
rc=$?
same "$tmp/applied" "$h"
[ $rc = 0 ] && [ "$(recap "$tmp/out" changed)" = 0 ] && [ ! -s "$tmp/d" ]
ok $? "second run: ok, changed=0, nothing written" "$tmp/out"

play -e vfiokit_state=absent --check --diff
rc=$?
same "$tmp/applied" "$h"
[ $rc = 0 ] && [ "$(recap "$tmp/out" changed)" = 1 ] && [ ! -s "$tmp/d" ] && grep -q '^-options vfio-pci ids=10de:13c2,10de:0fbb$' "$tmp/out"
ok $? "state=absent --check --diff: the undo's diff, nothing changed" "$tmp/out"

play -e vfiokit_state=absent
rc=$?
same "$tmp/pristine" "$h"
[ $rc = 0 ] && [ "$(recap "$tmp/out" changed)" = 1 ] && [ ! -s "$tmp/d" ]
ok $? "state=absent: every file back byte for byte" "$tmp/d"
play -e vfiokit_state=absent
[ $? = 0 ] && [ "$(recap "$tmp/out" changed)" = 0 ]
ok $? "state=absent again: ok, nothing to undo" "$tmp/out"

# bind in check mode on a fixture: the steps as the diff; the bound copy: ok.
adhoc() { ansible localhost $common -m vfiokit.host.vfiokit "$@" >"$tmp/out" 2>&1; }
adhoc --check --diff -a "command=bind devices=group:13 executable=$vfiokit root=$fixtures/hosts/article"
[ $? = 0 ] && grep -q '"changed": true' "$tmp/out" && grep -q "echo vfio-pci > /sys/bus/pci/devices/0000:06:00.0/driver_override" "$tmp/out" &&
	adhoc --check -a "command=bind devices=06:00.0 executable=$vfiokit root=$fixtures/hosts/vfio-bound" &&
	grep -q '"changed": false' "$tmp/out"
ok $? "bind in check mode: the steps, changed; on a copy already bound: ok" "$tmp/out"

# check: the results as facts; fail_on=fail fails on the IOMMU-off copy.
adhoc -a "command=check executable=$vfiokit root=$fixtures/hosts/iommu-off"
rc=$?
grep -q '"vfiokit_check": \[' "$tmp/out" && grep -q '"status": "fail"' "$tmp/out" && [ $rc = 0 ] &&
	! adhoc -a "command=check fail_on=fail executable=$vfiokit root=$fixtures/hosts/iommu-off" &&
	grep -q "FAILED" "$tmp/out"
ok $? "check: the results as the fact vfiokit_check; fail_on=fail fails on a failed check" "$tmp/out"

# Argument spec: a state that is not one is refused before vfiokit runs.
! adhoc -a "state=gone executable=$vfiokit root=$h" && grep -q "value of state must be one of: present, absent" "$tmp/out"
ok $? "a wrong argument refused by the argument spec" "$tmp/out"
exit $fail
