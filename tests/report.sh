#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# vfiokit report: the page on the article's host, its sections the very text
# of check, next and setup --gpu, self-contained (nothing to fetch), written
# through a new file renamed over -o, never through a link, removed by an
# interrupt before the rename (SIGINT, SIGTERM); then a real
# browser, Debian's headless chromium, renders it (a screenshot) and its DOM
# holds every group. Without chromium that part is skipped, saying so.
# usage: report.sh VFIOKIT FIXTURES
set -u
vfiokit=$1 fixtures=$2
export LC_ALL=C NO_COLOR=1 TZ=UTC
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
n=0
ok() { # ok STATUS NAME [FILE shown on failure]
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		[ -n "${3:-}" ] && [ -f "$3" ] && sed 's/^/# /' "$3" | head -40
	fi
	return 0
}
echo "1..11"
a=$fixtures/article

"$vfiokit" report -o "$tmp/host.html" --gpu 06:00.0 --root "$a" >"$tmp/out" 2>&1
rc=$?
[ $rc -eq 0 ] && [ -f "$tmp/host.html" ] && [ ! -s "$tmp/out" ] && ! ls "$tmp"/host.html.* >/dev/null 2>&1
ok $? "report -o: written, exit 0, nothing said, no temporary file left" "$tmp/out"

"$vfiokit" report -o - --gpu 06:00.0 --root "$a" >"$tmp/stdout.html" 2>"$tmp/out"
cmp "$tmp/host.html" "$tmp/stdout.html" >"$tmp/out" 2>&1
ok $? "report -o -: the same bytes on stdout (deterministic)" "$tmp/out"

# The sections hold what the commands say, as they say it.
"$vfiokit" check --root "$a" >"$tmp/check.txt" 2>&1; check_rc=$?
"$vfiokit" next --root "$a" >"$tmp/next.txt" 2>&1; next_rc=$?
"$vfiokit" setup --gpu 06:00.0 --root "$a" >"$tmp/setup.txt" 2>&1; setup_rc=$?
"$vfiokit" groups -J --root "$a" >"$tmp/groups.json" 2>/dev/null
python3 - "$tmp" "$check_rc" "$next_rc" "$setup_rc" >"$tmp/out" 2>&1 <<'EOF'
import html.parser, json, re, sys
tmp, rcs = sys.argv[1], dict(check=sys.argv[2], next=sys.argv[3], setup=sys.argv[4])
page = open(f"{tmp}/host.html", encoding="utf-8").read()

class P(html.parser.HTMLParser):
    def __init__(s):
        super().__init__(convert_charrefs=True)
        s.cur, s.pre, s.section, s.text, s.tags = None, None, {}, [], set()
    def handle_starttag(s, tag, attrs):
        s.tags.add(tag)
        a = dict(attrs)
        if tag == "h2":
            s.cur = a.get("id")
        if tag == "pre":
            s.pre = []
    def handle_endtag(s, tag):
        if tag == "pre" and s.pre is not None:
            s.section[s.cur] = "".join(s.pre)
            s.pre = None
    def handle_data(s, d):
        s.text.append(d)
        if s.pre is not None:
            s.pre.append(d)
p = P()
p.feed(page)
bad = []
for sec in ("check", "next", "setup"):
    want = open(f"{tmp}/{sec}.txt", encoding="utf-8").read()
    got = p.section.get(sec) or ""
    # Lines as the command prints them; a file takes its stdout in blocks,
    # so the order of its stdout and stderr lines may differ: compared sorted.
    if got != want and sorted(got.splitlines()) != sorted(want.splitlines()):
        bad.append(f"section {sec} differs from the command's output:\n{p.section.get(sec)!r}\n{want!r}")
    if f"(exit status {rcs[sec]})" not in page:
        bad.append(f"{sec}: exit status {rcs[sec]} not said")
text = "".join(p.text)
for g in json.load(open(f"{tmp}/groups.json"))["groups"]:
    m = re.fullmatch(r"group (\d+)", g["name"])
    if m and f"group {m.group(1)}: {g['verdict']}" not in text:
        bad.append(f"{g['name']} ({g['verdict']}) missing from the picture")
# Self-contained: nothing that loads anything.
for t in ("script", "link", "img", "iframe", "object", "embed", "image", "use", "foreignobject"):
    if t in p.tags:
        bad.append(f"a <{t}> element")
for m in re.finditer(r'(?:href|src)="([^"]*)"', page):
    if not m.group(1).startswith("#"):
        bad.append(f"a link out of the page: {m.group(0)}")
for m in re.finditer(r"url\(([^)]*)\)", page):
    if not m.group(1).startswith("#"):
        bad.append(f"a url() out of the page: {m.group(0)}")
for m in re.finditer(r"(?:https?|ftp)://[^\s\"'<>]*", page):
    if m.group(0) != "http://www.w3.org/2000/svg":
        bad.append(f"a URL: {m.group(0)}")
if "@import" in page or "default-src 'none'" not in page:
    bad.append("@import, or no Content-Security-Policy default-src 'none'")
print("\n".join(bad))
sys.exit(1 if bad else 0)
EOF
ok $? "the page: check, next and setup --gpu as they print (with their exit status), every group with its verdict, nothing to fetch" "$tmp/out"

# -o never writes through a link, nor onto a directory or a FIFO.
echo keep >"$tmp/target"
ln -s "$tmp/target" "$tmp/link.html"
"$vfiokit" report -o "$tmp/link.html" --root "$a" >"$tmp/out" 2>&1
[ $? -eq 1 ] && [ "$(cat "$tmp/target")" = keep ] && [ -L "$tmp/link.html" ] &&
	grep -q "link.html is a symbolic link: the report is never written through one; give -o another file" "$tmp/out" &&
	! ls "$tmp"/link.html.* >/dev/null 2>&1
ok $? "-o naming a symbolic link: refused, the link and its target as they were" "$tmp/out"
mkdir "$tmp/dir.html"
mkfifo "$tmp/fifo.html"
"$vfiokit" report -o "$tmp/dir.html" --root "$a" >"$tmp/out" 2>&1 && echo "exit 0" >>"$tmp/out"
"$vfiokit" report -o "$tmp/fifo.html" --root "$a" >>"$tmp/out" 2>&1 && echo "exit 0" >>"$tmp/out"
[ "$(grep -c 'is not a regular file; give -o another file' "$tmp/out")" = 2 ] && [ -d "$tmp/dir.html" ] && [ -p "$tmp/fifo.html" ]
ok $? "-o naming a directory or a FIFO: refused" "$tmp/out"
"$vfiokit" report -o "$tmp/none/host.html" --root "$a" >"$tmp/out" 2>&1
[ $? -eq 1 ] && grep -q "cannot create a file beside .*/none/host.html: No such file or directory; give -o" "$tmp/out"
ok $? "-o in a directory that does not exist: said, exit 1" "$tmp/out"
echo old >"$tmp/old.html"
"$vfiokit" report -o "$tmp/old.html" --root "$a" >"$tmp/out" 2>&1 && grep -q '<svg' "$tmp/old.html"
ok $? "-o naming a regular file: replaced by the page" "$tmp/out"
"$vfiokit" report --root "$a" >"$tmp/out" 2>&1
[ $? -eq 2 ] && grep -q -- "-o FILE is required" "$tmp/out"
ok $? "no -o: a usage error" "$tmp/out"

# An interrupt while the page is written: failat.so raises SIGINT in the
# process just before each write, fchmod, fsync and rename of the new file
# (a point in the program rather than a moment in time), then SIGTERM at the
# fsync. The program ends by the signal, the new file is removed and -o never
# appears. The signals start at their default action (python3 resets them
# before it runs vfiokit): a shell runs a background job with SIGINT
# ignored, which vfiokit leaves ignored.
if [ -n "${FAILAT_SO:-}" ]; then
	: >"$tmp/out"
	# The sanitizer build's runtime beside LD_PRELOAD=failat.so.
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
	interrupt() { # interrupt SIGNAL N: the report, signalled before call N; its exit status
		rm -f "$tmp/failat.log"
		FAILAT_KILL=$2 FAILAT_SIGNAL=$1 FAILAT_LOG="$tmp/failat.log" python3 -c 'import os, signal, sys
for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
    signal.signal(s, signal.SIG_DFL)
os.execve(sys.argv[2], sys.argv[2:], dict(os.environ, LD_PRELOAD=sys.argv[1]))' \
			"$FAILAT_SO" "$vfiokit" report -o "$tmp/sig.html" --root "$a" >/dev/null 2>&1
		rc=$?
		[ -s "$tmp/failat.log" ] || return 1
		left=$(ls "$tmp"/sig.html* 2>/dev/null)
		echo "signal $1 before call $2 ($(cut -d' ' -f2 "$tmp/failat.log")): exit $rc, left: ${left:-nothing}" >>"$tmp/out"
	}
	i=1
	while [ $i -lt 50 ] && interrupt 2 $i; do
		i=$((i + 1))
	done
	echo "SIGINT: $((i - 1)) points, then exit $rc" >>"$tmp/out"
	[ $rc -eq 0 ] && [ $i -ge 5 ] || echo "BAD: too few points, or no run to the end" >>"$tmp/out"
	rm -f "$tmp/sig.html"
	fsync=$(sed -n 's/^signal 2 before call \([0-9]*\) (fsync).*/\1/p' "$tmp/out")
	interrupt 15 "${fsync:-0}" || echo "BAD: no fsync to stop at" >>"$tmp/out"
	! grep -q -e 'left: /' -e BAD "$tmp/out" && [ "$(grep -c ': exit 130, left: nothing$' "$tmp/out")" -ge 4 ] &&
		grep -q '(fsync): exit 143, left: nothing$' "$tmp/out"
	ok $? "SIGINT before each write of the page, SIGTERM at its fsync: the new file removed, -o not made, ended by the signal" "$tmp/out"
else
	n=$((n + 1)); echo "ok $n # SKIP FAILAT_SO is not set (tests/meson.build sets it)"
fi

# A real browser: Debian's chromium, headless, its profile in the test's
# directory, every host name resolving to nothing.
# The sanitizer build's run leaves the browser to the plain build's, which
# renders the same page (VFIOKIT_TEST_NO_BROWSER, set by tests/meson.build).
if [ -n "${VFIOKIT_TEST_NO_BROWSER:-}" ]; then
	n=$((n + 1)); echo "ok $n # SKIP $VFIOKIT_TEST_NO_BROWSER"
	n=$((n + 1)); echo "ok $n # SKIP $VFIOKIT_TEST_NO_BROWSER"
	exit 0
fi
if ! command -v chromium >/dev/null 2>&1; then
	n=$((n + 1)); echo "ok $n # SKIP chromium is not installed (make test-deps installs it)"
	n=$((n + 1)); echo "ok $n # SKIP chromium is not installed (make test-deps installs it)"
	exit 0
fi
mkdir -p "$tmp/home"
HOME=$tmp/home XDG_CONFIG_HOME=$tmp/home/.config XDG_CACHE_HOME=$tmp/home/.cache XDG_DATA_HOME=$tmp/home/.local \
	timeout 120 chromium --headless --no-sandbox --disable-gpu --no-first-run --disable-extensions \
	--disable-background-networking --disable-component-update --disable-sync --user-data-dir="$tmp/home/profile" \
	--host-resolver-rules='MAP * ~NOTFOUND' --window-size=1280,2000 --screenshot="$tmp/shot.png" \
	--dump-dom "file://$tmp/host.html" >"$tmp/dom.html" 2>"$tmp/chromium.err"
rc=$?
python3 - "$tmp/shot.png" >"$tmp/out" 2>&1 <<'EOF'
import struct, sys
b = open(sys.argv[1], "rb").read()
if b[:8] != b"\x89PNG\r\n\x1a\n" or b[12:16] != b"IHDR":
    sys.exit("not a PNG")
w, h = struct.unpack(">II", b[16:24])
print(f"{w}x{h}, {len(b)} bytes")
sys.exit(0 if (w, h) == (1280, 2000) and len(b) > 20000 else 1)
EOF
st=$?
[ $rc -eq 0 ] && [ $st -eq 0 ]
ok $? "chromium renders the page: a screenshot of 1280x2000 ($(cat "$tmp/out"))" "$tmp/chromium.err"
python3 - "$tmp/dom.html" "$tmp/groups.json" >"$tmp/out" 2>&1 <<'EOF'
import json, re, sys
dom = open(sys.argv[1], encoding="utf-8").read()
groups = [g for g in json.load(open(sys.argv[2]))["groups"] if re.fullmatch(r"group \d+", g["name"])]
missing = [g["name"] for g in groups if f">{g['name']}: {g['verdict']}</text>" not in dom]
print(f"{len(groups)} groups, missing: {missing}")
sys.exit(1 if missing or not groups or "summary: " not in dom else 0)
EOF
ok $? "chromium's DOM holds every group's box and check's summary" "$tmp/out"
