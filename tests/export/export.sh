#!/bin/bash
# SPDX-License-Identifier: ISC
# The HTML handout in a real browser: the page written by the unit test
# (tests/unit/export, EXPORT_OUT) is loaded by headless Chromium, which
# dumps the DOM it built, takes a screenshot and prints it to PDF.
# Checks: the explanations are in the DOM, no <script> or <img> element
# came out of the hostile server text, the screenshot is a real picture of
# the requested size, and a PDF comes out.
#
# Skips when Chromium is not installed or the unit test is not built.
# EXPORT_HTML=FILE checks that page instead of running the unit test;
# EXPORT_KEEP=DIR keeps the screenshot and the PDF there.
set -u
top_srcdir=${top_srcdir:-.}
top_builddir=${top_builddir:-.}

skip() { echo "1..0 # SKIP $*"; exit 0; }
chromium=${CHROMIUM:-}
if [ -z "$chromium" ]; then
	chromium=$(command -v chromium || command -v chromium-browser ||
	    command -v google-chrome) || skip "chromium is not installed"
fi
[ -x "$chromium" ] || command -v "$chromium" >/dev/null 2>&1 ||
    skip "chromium is not installed"

tmp=$(mktemp -d /tmp/smtpscope-export.XXXXXX)
cleanup() { rm -rf "$tmp"; }
trap cleanup EXIT

page=${EXPORT_HTML:-}
if [ -z "$page" ]; then
	unit=${EXPORT_UNIT:-$top_builddir/tests/unit/export}
	[ -x "$unit" ] || skip "$unit is not built"
	page=$tmp/handout.html
	EXPORT_OUT=$page "$unit" >"$tmp/unit.log" 2>&1 || {
		echo "1..1"
		echo "not ok 1 - the unit test writes the handout"
		sed 's/^/# /' "$tmp/unit.log" | grep -v '^# ok ' | head -20
		exit 1
	}
fi
[ -s "$page" ] || skip "no handout at $page"
page=$(cd "$(dirname "$page")" && pwd)/$(basename "$page")

. "$top_srcdir/tests/lib.sh"
on_fail() {
	sed 's/^/# chromium: /' "$tmp/chromium.err" 2>/dev/null | tail -5
}

# browser ARGS...: run headless Chromium on the page, nothing from the net.
browser() {
	timeout 120 "$chromium" --headless --no-sandbox --disable-gpu \
	    --disable-quic --no-first-run --disable-background-networking \
	    --disable-component-update --disable-sync \
	    --disable-default-apps --disable-extensions --mute-audio \
	    --user-data-dir="$(mktemp -d "$tmp/profile.XXXXXX")" \
	    "$@" "file://$page" 2>"$tmp/chromium.err"
}

# The DOM the browser built from the page.
dom_ok() { browser --dump-dom >"$tmp/dom.html" && [ -s "$tmp/dom.html" ]; }
in_dom() { grep -qF -- "$1" "$tmp/dom.html"; }
all_in_dom() {
	local s
	for s in "$@"; do in_dom "$s" || return 1; done
}
not_in_dom() { ! grep -qiF -- "$1" "$tmp/dom.html"; }
count() { grep -oF -- "$1" "$2" | wc -l; }
same_count() {
	local a b
	a=$(count '<div class="ex">' "$page")
	b=$(count '<div class="ex">' "$tmp/dom.html")
	[ "$a" -gt 0 ] && [ "$a" = "$b" ] &&
	    [ "$(count 'In reply to: ' "$tmp/dom.html")" = "$a" ]
}
# be32 FILE OFFSET: the big-endian 32-bit number there.
be32() {
	od -An -tu1 -j"$2" -N4 "$1" |
	    awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4 }'
}
# PNG_FILE WIDTH HEIGHT: a PNG of that size, larger than a blank page.
png_ok() {
	local f=$1 magic w h size
	[ -s "$f" ] || return 1
	magic=$(od -An -tx1 -N8 "$f" | tr -d ' \n')
	[ "$magic" = 89504e470d0a1a0a ] || return 1
	w=$(be32 "$f" 16)
	h=$(be32 "$f" 20)
	size=$(wc -c <"$f")
	echo "# screenshot ${w}x${h}, $size bytes"
	[ "$w" = "$2" ] && [ "$h" = "$3" ] && [ "$size" -gt 30000 ]
}
pdf_ok() {
	local f=$1 pages
	[ -s "$f" ] && [ "$(head -c 5 "$f")" = "%PDF-" ] || return 1
	pages=$(grep -ao '/Count [0-9]*' "$f" | awk '{ print $2 }' | sort -n |
	    tail -1)
	echo "# PDF $(wc -c <"$f") bytes, ${pages:-?} page(s)"
	[ "$(wc -c <"$f")" -gt 5000 ] && [ "${pages:-0}" -ge 1 ]
}
pdf_text() {
	pdftotext "$tmp/handout.pdf" "$tmp/handout.txt" &&
	    grep -q "User unknown in local recipient table" "$tmp/handout.txt"
}

t "chromium loads the page and dumps its DOM" dom_ok
t "the DOM holds one explanation per reply, as written" same_count
t "the 550 explanation is there" in_dom "Enhanced 5.1.1: "
t "with its wording pattern and advice" in_dom "What to do: "
t "meaning, when and fix are there" all_in_dom "Meaning: " "When: " "Fix: "
t "the TLS summary is there" in_dom "TLS is up: TLSv1.3"
t "the masked AUTH is there" in_dom "AUTH PLAIN ******** (user"
t "no <script> element" not_in_dom "<script"
t "no <img> element" not_in_dom "<img"
t "the hostile text is shown as text" \
    in_dom "&lt;script&gt;alert(1)&lt;/script&gt;"
t "a screenshot at 1200x1600" \
    browser --screenshot="$tmp/handout.png" --window-size=1200,1600
t "the screenshot is a real picture" png_ok "$tmp/handout.png" 1200 1600
t "printing to PDF works" \
    browser --no-pdf-header-footer --print-to-pdf="$tmp/handout.pdf"
t "a PDF came out" pdf_ok "$tmp/handout.pdf"
if command -v pdftotext >/dev/null 2>&1; then
	t "the PDF holds the dialogue as text" pdf_text
else
	n=$((n + 1))
	echo "ok $n - the PDF holds the dialogue as text" \
	    "# SKIP pdftotext is not installed"
fi

if [ -n "${EXPORT_KEEP:-}" ]; then
	mkdir -p "$EXPORT_KEEP" &&
	    cp "$tmp"/handout.png "$tmp"/handout.pdf "$EXPORT_KEEP"/ 2>/dev/null
	echo "# kept in $EXPORT_KEEP"
fi
echo "1..$n"
[ "$fails" = 0 ]
