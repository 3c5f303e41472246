#!/bin/bash
# SPDX-License-Identifier: ISC
# The handout of a replayed transcript, made by the real program
# (--replay FILE --export FILE.html) and rendered by headless Chromium:
# the explanations are in the DOM, the AUTH answers stay hidden, no
# element came from server text, and a screenshot and a PDF come out.
set -u
top_srcdir=${top_srcdir:-.}
top_builddir=${top_builddir:-.}
bin=$top_builddir/src/smtpscope
chromium=$(command -v chromium || command -v chromium-browser) ||
    { echo "1..0 # SKIP chromium is not installed"; exit 0; }
tmp=$(mktemp -d /tmp/smtpscope-replay.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
. "$top_srcdir/tests/lib.sh"
page=$tmp/handout.html
browser() {
	timeout 120 "$chromium" --headless --no-sandbox --disable-gpu \
	    --disable-quic --no-first-run --disable-background-networking \
	    --disable-component-update --disable-sync --disable-extensions \
	    --user-data-dir="$(mktemp -d "$tmp/profile.XXXXXX")" \
	    "$@" "file://$page" 2>>"$tmp/chromium.err"
}
in_dom() { grep -qF -- "$1" "$tmp/dom.html"; }

quiet() { "$@" >"$tmp/out" 2>&1; }
t "--replay --export writes the handout" quiet "$bin" --replay \
    "$top_srcdir/tests/data/replay/own.log" --export "$page"
t "chromium renders it" bash -c "$(declare -f browser); chromium=$chromium tmp=$tmp page=$page browser --dump-dom >'$tmp/dom.html' && [ -s '$tmp/dom.html' ]"
t "the greeting is explained" in_dom "220 Service ready"
t "the message's verdict is explained" in_dom "354 Start mail input"
t "the AUTH answers stay hidden" in_dom "(AUTH response, hidden)"
t "no <script> element" bash -c "! grep -q '<script' '$tmp/dom.html'"
t "a screenshot" browser --screenshot="$tmp/shot.png" --window-size=1200,1600
t "  of a real page" bash -c "[ \$(wc -c <'$tmp/shot.png') -gt 30000 ]"
t "a PDF to print" browser --no-pdf-header-footer --print-to-pdf="$tmp/h.pdf"
t "  that holds the dialogue" bash -c "command -v pdftotext >/dev/null || exit 0; pdftotext '$tmp/h.pdf' - | grep -q 'EHLO'"
echo "1..$n"
