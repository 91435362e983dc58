#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The packages against what meson installs. `meson install --destdir` from
# the build directory gives the installed paths (the program, a man page per
# docs/man/*.scd, the three completions); each package must declare
# meson.build's version and install exactly those paths:
# - debian/: Build-Depends against the Makefile's BUILD_DEPS; built for real with `dpkg-buildpackage -b -us -uc` from a copy
#   of the tree (git's files, or the tree without its build directories),
#   DEB_BUILD_OPTIONS="nocheck noopt parallel=2" (debian/rules then configures
#   without the tests, -O0: the build is the cost); the .deb's files (dpkg-deb -c),
#   its control fields (dpkg-deb -I), and the program it carries run
#   (dpkg-deb -x) on the article's machine against the build's own.
# - packaging/rpm/vfiokit.spec: parsed by rpm's rpmspec -P (Debian's rpm)
#   with the %meson macros of Fedora's meson package (rpm-macros.meson
#   here: Debian's rpm has none), %files globbed against the paths;
#   its pkgconfig() BuildRequires against meson.build's dependency() names.
# - packaging/arch/PKGBUILD: bash -n, then sourced in a subshell: pkgver,
#   depends, check() running the unit and golden suites, no install
#   directory of its own.
# - packaging/nix/default.nix: no nix here: its version and the file list
#   its installCheckPhase tests, read as text.
# usage: packages.sh SOURCE BUILD VFIOKIT FIXTURES
set -u
src=$1 build=$2 vfiokit=$3 fixtures=$4
export LC_ALL=C NO_COLOR=1
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 fail=0
ok() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; [ -n "${3-}" ] && [ -f "$3" ] && sed 's/^/# /' "$3"; fi; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
# Two sorted lists equal, or their difference in $tmp/diff.
same() { diff "$1" "$2" >"$tmp/diff" 2>&1; }

version=$(sed -n "s/^ *version *: *'\([^']*\)'.*/\1/p" "$src/meson.build" | head -n 1)
[ -n "$version" ]
ok $? "meson.build declares version $version"

# What meson installs, relative to the prefix (the directory above bin/).
meson install -C "$build" --no-rebuild --destdir "$tmp/inst" >"$tmp/inst.log" 2>&1
ok $? "meson install --destdir" "$tmp/inst.log"
(cd "$tmp/inst" && find . -type f | sed 's|^\./|/|' | sort) >"$tmp/abs"
prefix=$(sed -n 's|/bin/vfiokit$||p' "$tmp/abs")
sed -n "s|^$prefix/||p" "$tmp/abs" >"$tmp/meson"
grep -v "^$prefix/" "$tmp/abs" >"$tmp/err"
[ -n "$prefix" ] && [ ! -s "$tmp/err" ]
ok $? "meson installs everything under its prefix ${prefix:-(no bin/vfiokit)}" "$tmp/err"
{
	echo bin/vfiokit
	for p in "$src"/docs/man/*.1.scd; do p=${p##*/}; echo "share/man/man1/${p%.scd}"; done
	echo share/bash-completion/completions/vfiokit
	echo share/zsh/site-functions/_vfiokit
	echo share/fish/vendor_completions.d/vfiokit.fish
} | sort >"$tmp/want"
same "$tmp/want" "$tmp/meson"
ok $? "meson installs the program, the $(grep -c '^share/man/' "$tmp/want") man pages of docs/man and the three completions" "$tmp/diff"

# The paths as a package installs them: prefix /usr, man pages gzipped.
sed 's|^share/man/\(.*\)$|share/man/\1.gz|; s|^|/usr/|' "$tmp/meson" | sort >"$tmp/usr-gz"

# --- Debian: the version and, below, the package built
deb_version=$(sed -n '1s/^vfiokit (\([^)]*\)).*/\1/p' "$src/debian/changelog")
[ "$deb_version" = "$version" ]
ok $? "debian/changelog: version $deb_version (a native package: no Debian revision) is meson.build's $version"

# Build-Depends: the Makefile's BUILD_DEPS, but gcc (build-essential, implied), and pci.ids,
# tar and gzip, which only the program uses when it runs (pci.ids: Depends).
build_deps=$(sed -n 's/^BUILD_DEPS *= *//p' "$src/Makefile" | tr ' ' '\n' | grep -v -x -e '' -e gcc -e pci.ids -e tar -e gzip | sort)
sed -n '/^Build-Depends:/,/^[A-Z]/p' "$src/debian/control" | sed 's/^Build-Depends://; /^[A-Z]/d' | tr ',' '\n' |
	sed 's/^ *//; s/[ (<].*//' | grep -v -x '' | sort >"$tmp/deb-bd"
: >"$tmp/err"
for p in $build_deps; do grep -q -x -F "$p" "$tmp/deb-bd" || echo "Build-Depends lacks $p (BUILD_DEPS)" >>"$tmp/err"; done
[ -n "$build_deps" ] && [ ! -s "$tmp/err" ]
ok $? "debian/control: Build-Depends has the Makefile's BUILD_DEPS: $(echo "$build_deps" | tr '\n' ' ')" "$tmp/err"

# --- RPM
spec=$src/packaging/rpm/vfiokit.spec
rpm_version=$(sed -n 's/^Version: *//p' "$spec")
[ "$rpm_version" = "$version" ]
ok $? "vfiokit.spec: Version $rpm_version is meson.build's"
meson_deps=$(grep -o "dependency('[^']*'" "$src/meson.build" | sed "s/dependency('//; s/'//" | grep -v -x dl | sort -u)
spec_deps=$(sed -n 's/^BuildRequires: *pkgconfig(\([^)]*\)).*/\1/p' "$spec" | sort -u)
[ "$meson_deps" = "$spec_deps" ]
ok $? "vfiokit.spec: BuildRequires pkgconfig() of each dependency() in meson.build: $(echo "$spec_deps" | tr '\n' ' ')"
if command -v rpmspec >/dev/null; then
	rpmspec -P --load "$here/rpm-macros.meson" "$spec" >"$tmp/spec" 2>"$tmp/spec.err"
	ok $? "rpmspec -P parses vfiokit.spec (the %meson macros from rpm-macros.meson)" "$tmp/spec.err"
	q=$(rpmspec -q --srpm --qf '%{version}' --load "$here/rpm-macros.meson" "$spec" 2>"$tmp/spec.err")
	[ "$q" = "$version" ]
	ok $? "rpmspec -q: %{version} $q" "$tmp/spec.err"
	sed -n '/^%prep$/,/^%install$/p' "$tmp/spec" | tr -s ' \\\n' ' ' >"$tmp/spec.build"
	grep -q 'meson setup --buildtype=plain --prefix=/usr ' "$tmp/spec.build" && grep -q 'meson compile ' "$tmp/spec.build" &&
		sed -n '/^%install$/,/^%files$/p' "$tmp/spec" | grep -q 'meson install ' &&
		sed -n '/^%check$/,/^%files$/p' "$tmp/spec" | grep -q 'meson test .*--suite unit'
	ok $? "vfiokit.spec: %meson, %meson_build, %meson_install and %meson_test (unit suite) expand to meson's commands" "$tmp/spec"
	# %files, expanded: each line a glob (%license and %doc are not installed by meson).
	sed -n '/^%files$/,/^%changelog$/p' "$tmp/spec" | sed '1d;$d' | grep -v -e '^%license ' -e '^%doc ' -e '^$' -e '^#' >"$tmp/files"
	: >"$tmp/unmatched"
	while read -r path; do
		m=0
		while read -r pat; do
			# shellcheck disable=SC2254
			case $path in $pat) m=1 ;; esac
		done <"$tmp/files"
		[ $m = 1 ] || echo "not in %files: $path" >>"$tmp/unmatched"
	done <"$tmp/usr-gz"
	while read -r pat; do
		m=0
		while read -r path; do
			# shellcheck disable=SC2254
			case $path in $pat) m=1 ;; esac
		done <"$tmp/usr-gz"
		[ $m = 1 ] || echo "%files line matching nothing meson installs: $pat" >>"$tmp/unmatched"
	done <"$tmp/files"
	[ ! -s "$tmp/unmatched" ] && [ -s "$tmp/files" ]
	ok $? "vfiokit.spec: %files ($(wc -l <"$tmp/files") lines) covers exactly the $(wc -l <"$tmp/usr-gz") paths meson installs" "$tmp/unmatched"
else
	for t in "rpmspec -P parses vfiokit.spec" "rpmspec -q: %{version}" "vfiokit.spec: %meson macros" "vfiokit.spec: %files"; do
		skip "$t" "rpmspec missing (Debian's rpm)"
	done
fi

# --- Arch
pkgbuild=$src/packaging/arch/PKGBUILD
bash -n "$pkgbuild" 2>"$tmp/err"
ok $? "PKGBUILD: bash -n" "$tmp/err"
# shellcheck disable=SC2016
bash -c 'set -e; cd "$(dirname "$1")"; . "$1"
	echo "pkgver $pkgver"
	echo "depends ${depends[*]}"
	for f in build check package; do declare -F "$f"; done
	declare -f check | grep -q -- "--suite unit --suite golden" && echo "check runs unit golden"
	declare -f build | grep -q "^ *arch-meson " && echo "build runs arch-meson"
	declare -f build package | grep -c "completiondir\|--prefix\|mandir" || true' sh "$pkgbuild" >"$tmp/arch" 2>&1
{
	echo "pkgver $version"
	echo "depends glibc pciutils util-linux-libs libxml2 libvirt json-c kmod hwdata"
	echo build; echo check; echo package
	echo "check runs unit golden"
	echo "build runs arch-meson"
	echo 0
} >"$tmp/arch-want"
same "$tmp/arch-want" "$tmp/arch"
ok $? "PKGBUILD sourced: pkgver $version, depends on pciutils, util-linux-libs, libxml2, libvirt, json-c; arch-meson; check() runs the unit and golden suites; meson's own install directories" "$tmp/diff"

# --- Nix
nix=$src/packaging/nix/default.nix
nix_version=$(sed -n 's/^ *version = "\([^"]*\)";/\1/p' "$nix")
[ "$nix_version" = "$version" ]
ok $? "default.nix: version $nix_version is meson.build's"
for i in pciutils util-linux libxml2 libvirt json-c; do
	grep -q "^ *buildInputs = \[.* ${i} " "$nix" || echo "not in buildInputs: $i"
done >"$tmp/err"
[ ! -s "$tmp/err" ]
ok $? "default.nix: buildInputs pciutils, util-linux, libxml2, libvirt, json-c" "$tmp/err"
# Nix gzips man pages; its prefix is $out.
sed 's|^share/man/\(.*\)$|share/man/\1.gz|' "$tmp/meson" | sort >"$tmp/nix-want"
sed -n '/installCheckPhase/,/done/s/^ *\(bin\/[^ ;]*\|share\/[^ ;]*\)[ ;].*/\1/p' "$nix" | sort >"$tmp/nix"
same "$tmp/nix-want" "$tmp/nix"
ok $? "default.nix: installCheckPhase tests the $(wc -l <"$tmp/nix") paths meson installs" "$tmp/diff"

# --- Debian, built
if ! command -v dpkg-buildpackage >/dev/null || ! command -v dh >/dev/null; then
	for t in "dpkg-buildpackage -b -us -uc" "the .deb's control fields" "the .deb's files" "the packaged vfiokit runs" \
		"the packaged man page" "the packaged bash completion"; do
		skip "$t" "dpkg-dev or debhelper missing (make test-deps)"
	done
	echo "1..$n"
	exit $fail
fi
mkdir -p "$tmp/deb/src"
if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	# The files git has, and new ones it does not ignore (a tracked file deleted is left out).
	(cd "$src" && git ls-files -z --cached --others --exclude-standard | tar -cf - --null --ignore-failed-read -T - 2>/dev/null) |
		tar -xf - -C "$tmp/deb/src"
else
	rel=$(realpath -m --relative-to="$src" "$build")
	(cd "$src" && tar -cf - --exclude=./build --exclude='./build-*' --exclude='./obj-*' --exclude="./$rel" .) |
		tar -xf - -C "$tmp/deb/src"
fi
(cd "$tmp/deb/src" && DEB_BUILD_OPTIONS="nocheck noopt parallel=2" dpkg-buildpackage -b -us -uc) >"$tmp/deb/log" 2>&1
rc=$?
tail -n 30 "$tmp/deb/log" >"$tmp/deb/log.tail"
ok $rc "dpkg-buildpackage -b -us -uc (DEB_BUILD_OPTIONS=\"nocheck noopt parallel=2\")" "$tmp/deb/log.tail"
deb=$tmp/deb/vfiokit_${version}_$(dpkg --print-architecture).deb
if [ $rc != 0 ] || [ ! -f "$deb" ]; then
	[ $rc = 0 ] && ok 1 "the .deb ${deb##*/} was written"
	echo "1..$n"
	exit 1
fi

dpkg-deb -f "$deb" Package Version Depends Recommends >"$tmp/deb/fields" 2>&1
for want in "Package: vfiokit" "Version: $version" "Recommends: libvirt0"; do
	grep -q -x -F "$want" "$tmp/deb/fields" || echo "no '$want'"
done >"$tmp/err"
# The libraries, found by dpkg-shlibdeps in the binary; libxml2, loaded when first used, named in
# debian/control (libvirt, likewise loaded: Recommends).
for lib in libc6 libpci3 libsmartcols1 libxml2 libjson-c5 kmod; do
	grep -q "^Depends: .*\b$lib\b" "$tmp/deb/fields" || echo "Depends lacks $lib"
done >>"$tmp/err"
grep -q '^Depends: .*libvirt' "$tmp/deb/fields" && echo "Depends names libvirt" >>"$tmp/err"
cat "$tmp/deb/fields" >>"$tmp/err"
! grep -q -e "^no " -e "lacks" -e "names libvirt" "$tmp/err"
ok $? "dpkg-deb -I: vfiokit $version, Depends on libpci3, libsmartcols1, libjson-c5 (dpkg-shlibdeps), libxml2 and kmod, Recommends libvirt0" "$tmp/err"

# Debian's zsh reads vendor-completions (debian/rules); the package's own documents aside.
sed 's|/usr/share/zsh/site-functions/|/usr/share/zsh/vendor-completions/|' "$tmp/usr-gz" | sort >"$tmp/deb/want"
dpkg-deb -c "$deb" | awk '$1 !~ /^d/ { sub(/^\./, "", $6); print $6 }' | grep -v '^/usr/share/doc/vfiokit/' | sort >"$tmp/deb/files"
same "$tmp/deb/want" "$tmp/deb/files"
ok $? "dpkg-deb -c: /usr/bin/vfiokit, the man pages gzipped, the three completions (zsh's in vendor-completions), nothing else" "$tmp/diff"

dpkg-deb -x "$deb" "$tmp/deb/x"
pv=$tmp/deb/x/usr/bin/vfiokit
"$pv" --version >"$tmp/out" 2>&1 && grep -q -F "$version" "$tmp/out"
ok $? "dpkg-deb -x: the packaged vfiokit --version says $version: $(head -n 1 "$tmp/out")" "$tmp/out"
: >"$tmp/err"
for cmd in groups check "bind --dry-run 06:00.0"; do
	# shellcheck disable=SC2086
	"$pv" $cmd --root "$fixtures/article" >"$tmp/pkg.out" 2>&1
	a=$?
	# shellcheck disable=SC2086
	"$vfiokit" $cmd --root "$fixtures/article" >"$tmp/build.out" 2>&1
	b=$?
	if [ $a != $b ] || ! cmp -s "$tmp/pkg.out" "$tmp/build.out"; then
		{ echo "vfiokit $cmd: exit $a, the build's $b"; diff "$tmp/build.out" "$tmp/pkg.out"; } >>"$tmp/err"
	fi
done
[ ! -s "$tmp/err" ]
ok $? "the packaged vfiokit on the article's machine: groups, check, bind --dry-run as the build's own" "$tmp/err"

zcat "$tmp/deb/x/usr/share/man/man1/vfiokit.1.gz" 2>&1 | grep -q '^\.TH "vfiokit" "1"'
ok $? "the packaged vfiokit(1) is a man page (.TH)"

# shellcheck disable=SC2016
got=$(bash -c '. "$1"; COMP_WORDS=(vfiokit gr); COMP_CWORD=1; COMPREPLY=(); _vfiokit; echo "${COMPREPLY[*]}"' \
	sh "$tmp/deb/x/usr/share/bash-completion/completions/vfiokit" 2>&1)
[ "$got" = groups ]
ok $? "the packaged bash completion: vfiokit gr<TAB> gives '$got'"
echo "1..$n"
exit $fail
