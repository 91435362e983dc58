#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Golden-output tests: run vfiokit on each fixture host and compare stdout,
# stderr and the exit status with tests/expected/HOST/CMD.out.
# usage: golden.sh VFIOKIT FIXTURES EXPECTED [--update]
# With --update the expected files are rewritten: read the diff before
# committing them (git diff tests/expected).
set -u
vfiokit=$1 fixtures=$2 expected=$3 update=${4:-}
export LC_ALL=C NO_COLOR=1 TZ=UTC
allcols=NAME,VERDICT,ID,SUBSYS,CLASS,REV,TYPE,VENDOR,PRODUCT,DESCRIPTION,DRIVER,OVERRIDE,MODULES,RESET,BOOTVGA,ROLE,NUMA,GROUP,USBBUS,SHARED
commands="groups|groups
groups-json|groups -J
groups-gpu|groups --gpu
groups-usb|groups --usb
groups-usb-json|groups --usb -J
groups-all-json|groups -J -o $allcols
groups-raw|groups -r -n -o NAME,ID,DRIVER,GROUP
groups-svg|groups --format svg
check|check
check-json|check -J
inventory-json|inventory -J"
# Commands that only make sense on one host: HOST|NAME|ARGS.
host_commands="article|bind-gpu|bind --dry-run 06:00.0
article|bind-gpu-json|bind --dry-run -J 10de:13c2
article|bind-display|bind --dry-run 00:02.0
article|bind-display-allowed|bind --dry-run --allow-display 00:02.0
article|bind-mounted|bind --dry-run group:11
article|bind-route|bind --dry-run 05:00.0
article|bind-host-bridge|bind --dry-run group:0
article|bind-bridge|bind --dry-run 00:1c.4
article|groups-hostuse|groups -o NAME,DRIVER,HOSTUSE
shared-group|bind-gpu|bind --dry-run 06:00.0
shared-group|bind-efifb|bind --dry-run 0a:00.1
shared-group|groups-hostuse-json|groups -J -o NAME,HOSTUSE
iommu-off|bind|bind --dry-run 01:00.0
vfio-bound|bind-again|bind --dry-run group:13
vfio-bound|unbind-state|unbind --dry-run group:13
vfio-bound|unbind-nostate|unbind --dry-run -J 01:00.0
q35-e2e|bind-gpu|bind --dry-run --allow-display group:3
q35-e2e|bind-only-nonviable|bind --dry-run --only 00:06.1
article|export-kubevirt|export --format kubevirt --group 13
article|export-hco|export --format hco --group 13
article|export-nova|export --format nova --group 13
article|export-proxmox|export --format proxmox-mapping --group 13
article|export-incus|export --format incus --group 13 --vm win10
article|export-nonviable|export --format nova --device 06:00.0
article|export-hostuse|export --format kubevirt --device 00:02.0
article|export-bridge|export --format incus --device 00:1c.4
article|export-nogroup|export --format hco --group 99
shared-group|export-shared|export --format proxmox-mapping --device 06:00.0
iommu-off|export-off|export --format nova --device 01:00.0"

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
n=0 fail=0
hosts=$(cd "$fixtures" && ls -d */ | tr -d /)
echo "1..$(( $(echo "$hosts" | wc -w) * $(echo "$commands" | wc -l) + $(echo "$host_commands" | wc -l) ))"
{
for host in $hosts; do
	echo "$commands" | sed "s/^/$host|/"
done
echo "$host_commands"
} | while IFS='|' read -r host name args; do
		out="$tmp/$host-$name"
		# shellcheck disable=SC2086
		"$vfiokit" $args --root "$fixtures/$host" >"$out.stdout" 2>"$out.stderr"
		rc=$?
		{ cat "$out.stdout"; echo "--- stderr"; cat "$out.stderr"; echo "--- exit $rc"; } >"$out"
		case $name in *json)
			if ! python3 -m json.tool "$out.stdout" >/dev/null 2>"$out.jsonerr"; then
				echo "not ok - $host/$name: invalid JSON: $(cat "$out.jsonerr")"
				continue
			fi;;
		*svg)
			# Well-formed XML whose root is SVG's <svg>.
			if ! python3 -c 'import sys, xml.etree.ElementTree as E
r = E.parse(sys.argv[1]).getroot()
sys.exit(r.tag != "{http://www.w3.org/2000/svg}svg")' "$out.stdout" 2>"$out.jsonerr"; then
				echo "not ok - $host/$name: not a well-formed SVG document: $(cat "$out.jsonerr")"
				continue
			fi;;
		esac
		if [ "$update" = --update ]; then
			mkdir -p "$expected/$host"
			cp "$out" "$expected/$host/$name.out"
			echo "ok - $host/$name (updated)"
		elif diff -u "$expected/$host/$name.out" "$out" >"$out.diff" 2>&1; then
			echo "ok - $host/$name"
		else
			echo "not ok - $host/$name"
			sed 's/^/# /' "$out.diff"
		fi
done | tee "$tmp/results"
! grep -q '^not ok' "$tmp/results"
