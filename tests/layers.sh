#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The layers, as the build makes them (src/meson.build, one static archive
# per directory): a layer's undefined symbols may be defined only in the
# layers it stands on, and the planner and the emitters open nothing.
# Static-archive order alone proves nothing (meson links the archives in a
# group, and an object already pulled in resolves anything), so this reads
# the archives with nm. The graph, as docs/ARCHITECTURE.md draws it:
#   shared <- host <- plan <- emit <- apply <- cli
#   shared <- rom <- cli
# usage: layers.sh NM LAYER=ARCHIVE...
set -u
nm=$1
shift
export LC_ALL=C
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
n=0 fail=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; [ -n "${3-}" ] && sed 's/^/# /' "$3"; fi; }

# What each layer may use: the layers below it on the arrow.
allowed() {
	case $1 in
	shared) echo "" ;;
	host) echo "shared" ;;
	rom) echo "shared" ;;
	plan) echo "shared host" ;;
	emit) echo "shared host plan" ;;
	apply) echo "shared host plan emit" ;;
	*) echo "?" ;;
	esac
}

# Known crossings still to be undone, "LAYER SYMBOL" a line: each one is
# named here so that no new one comes in unseen, and one that no longer
# happens fails until it is taken out of this list.
cat >"$tmp/known" <<'EOF'
host boot_backends
host boot_path_names
EOF
: >"$tmp/seen"

# The source file of nm -A's "ARCHIVE:DIR/MEMBER.o:" (meson names the
# object of src/plan/boot/grub.c plan_boot_grub.c.o; no source name holds
# an underscore).
srcfn='function src(f, p) { split(f, p, ":"); sub(/.*\//, "", p[2]); sub(/\.o$/, "", p[2]);
	if (p[2] ~ /^meson-generated_/) { sub(/.*_/, "", p[2]); return "build:src/" p[2] }
	gsub(/_/, "/", p[2]); return "src/" p[2] }'

# Defined symbols of every archive: LAYER ARCHIVE MEMBER SYMBOL.
: >"$tmp/defs"
for arg in "$@"; do
	layer=${arg%%=*} archive=${arg#*=}
	[ -f "$archive" ] || { ok 1 "$layer: archive $archive exists"; continue; }
	"$nm" -A --defined-only "$archive" >"$tmp/nm" 2>"$tmp/err"
	ok $? "$layer: nm reads $archive" "$tmp/err"
	awk -v l="$layer" -v a="$(basename "$archive")" '
		NF >= 3 && $(NF - 1) ~ /^[TDBRCVW]$/ { print l, a, src($1), $NF }
		'"$srcfn" "$tmp/nm" >"$tmp/layer-defs"
	# Something read, or the checks below would pass on nothing.
	[ -s "$tmp/layer-defs" ]
	ok $? "$layer: $archive defines symbols"
	cat "$tmp/layer-defs" >>"$tmp/defs"
done

for arg in "$@"; do
	layer=${arg%%=*} archive=${arg#*=}
	[ -f "$archive" ] || continue
	"$nm" -A --undefined-only "$archive" >"$tmp/nm" 2>/dev/null
	awk '{ print src($1), $NF }
		'"$srcfn" "$tmp/nm" >"$tmp/undef"
	# Each undefined symbol that another layer defines, with where.
	awk -v l="$layer" -v ok_layers=" $(allowed "$layer") " -v a="$(basename "$archive")" '
		FILENAME == known { k[$1 " " $2] = 1; next }
		FILENAME == defs { if (!($4 in def)) { def[$4] = $1; file[$4] = $3 } next }
		($2 in def) && def[$2] != l && index(ok_layers, " " def[$2] " ") == 0 {
			if ((l " " $2) in k) { print l, $2 >>seen; next }
			print $1 " (" l ") uses " $2 ", defined in " file[$2] " (" def[$2] ")"
		}' known="$tmp/known" defs="$tmp/defs" seen="$tmp/seen" "$tmp/known" "$tmp/defs" "$tmp/undef" | sort -u >"$tmp/bad"
	[ ! -s "$tmp/bad" ]
	ok $? "$layer uses only: $(allowed "$layer" | sed "s/^$/nothing but itself/")" "$tmp/bad"

	# A planner and an emitter work on the model and text in memory:
	# nothing that opens or reads a file, through path.c or libc.
	case $layer in plan|emit) ;; *) continue ;; esac
	awk '$2 ~ /^path_/ && $2 != "path_strerror" ||
	     $2 ~ /^(open|open64|openat|openat64|fopen|fopen64|fdopen|opendir|fdopendir|read|pread|pread64|readlink|readlinkat|stat|stat64|lstat|lstat64|fstatat|fstatat64|access|faccessat)$/ {
		print $1 " calls " $2 }' "$tmp/undef" | sort -u |
		while read -r f _ sym; do
			if grep -qx "$layer $sym" "$tmp/known"; then echo "$layer $sym" >>"$tmp/seen"; else echo "$f calls $sym"; fi
		done >"$tmp/io"
	[ ! -s "$tmp/io" ]
	ok $? "$layer opens and reads no file (no path_* but path_strerror, no open/fopen/read)" "$tmp/io"
done

sort -u "$tmp/seen" >"$tmp/seen.s"
sort -u "$tmp/known" | comm -23 - "$tmp/seen.s" | sed 's/$/: listed as known, no longer happens: take it out/' >"$tmp/stale"
[ ! -s "$tmp/stale" ]
ok $? "every known crossing still happens" "$tmp/stale"

echo "1..$n"
exit $fail
