#!/bin/bash
# SPDX-License-Identifier: ISC
# Every row of every pane can be reached: the explanation pane and the F1,
# F2 and F3 overlays are scrolled to their end at 80x24 and at 160x45, and
# their last row must then be on screen with no "more" marker left.  The
# real program runs in a private tmux server against the practice server.
set -u
top_srcdir=${top_srcdir:-.}
top_builddir=${top_builddir:-.}
bin=$(cd "$top_builddir" && pwd)/src/smtpscope
export SMTPSCOPE_LOCALEDIR=${SMTPSCOPE_LOCALEDIR:-$(cd "$top_builddir" && pwd)/po/locale}
command -v tmux >/dev/null 2>&1 || { echo "1..0 # SKIP tmux is not installed"; exit 0; }

tmp=$(mktemp -d)
sock=smtpscope-reach-$$
tm() { tmux -L "$sock" -f /dev/null "$@"; }
cleanup() { tm kill-server 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
. "$top_srcdir/tests/lib.sh"
on_fail() { sed 's/^/# /' "$tmp/screen" 2>/dev/null; }

# start COLS ROWS [ARGS...]: a fresh session running smtpscope ARGS in a
# window that size.
start() {
	local i cols=$1 rows=$2 args=
	shift 2
	[ $# -gt 0 ] && args=$(printf '%q ' "$@")
	tm kill-server 2>/dev/null
	for i in $(seq 50); do
		tm list-sessions >/dev/null 2>&1 || break
		sleep 0.05
	done
	mkdir -p "$tmp/home"
	tm new-session -d -x "$cols" -y "$rows" -s t \
	    "env HOME=$tmp/home XDG_STATE_HOME=$tmp/home/state XDG_CONFIG_HOME=$tmp/home/config LC_ALL=C.UTF-8 TERM=screen $bin $args; echo EXIT=\$?; sleep 30"
	tm set-option -t t status off >/dev/null
	wait_for "220 practice"
}
screen() { tm capture-pane -p -t t >"$tmp/screen"; }
# wait_for TEXT: until the screen shows TEXT (up to 10 s).
wait_for() {
	local i
	for i in $(seq 100); do
		screen
		grep -qF -- "$1" "$tmp/screen" && return 0
		sleep 0.1
	done
	return 1
}
keys() { tm send-keys -t t "$@"; }
type_line() { tm send-keys -t t -l "$1"; tm send-keys -t t Enter; }
shows() { screen; grep -qF -- "$1" "$tmp/screen"; }
shows_re() { screen; grep -qE -- "$1" "$tmp/screen"; }
hides() { screen; ! grep -qF -- "$1" "$tmp/screen"; }
# The overlay's bottom border says " more " while rows are below.
overlay_whole() { screen; ! grep -qE -- '─ more ─+┘' "$tmp/screen"; }
# Scroll the explanation pane, or an overlay, well past any end.
explain_to_end() {
	local i
	for i in $(seq 40); do keys F8; done
	sleep 0.5
}
overlay_to_end() {
	local i
	for i in $(seq 15); do keys PageDown; done
	sleep 0.5
}

# A greeting of 2000 bytes: 400 numbered words.
{ printf 'greeting 220 practice.test START'; for i in $(seq -f '%03g' 0 399); do printf ' w%s' "$i"; done; printf ' END\n'; } >"$tmp/long"

for size in "80 24" "160 45"; do
	set -- $size
	at="${1}x${2}"
	start "$1" "$2"
	type_line "EHLO me.example"
	wait_for "250 HELP"
	type_line "MAIL FROM:<teacher@school.test>"
	type_line "RCPT TO:<nobody@practice.test>"
	wait_for "550 5.1.1"
	explain_to_end
	t "$at: a refused RCPT's explanation ends with its Next hint" \
	    shows "Next: RCPT TO:<someone@example.net>"
	t "$at:   and the last row of the server's note above it" \
	    shows "errors like Postfix."
	t "$at:   no [more marker once the end is shown" hides "[more"

	keys F2
	wait_for "F2 Capabilities"
	overlay_to_end
	t "$at: F2 reaches its last keyword (HELP)" shows_re '│ HELP +│'
	t "$at:   and its explanation" shows "about extensions; the EHLO list"
	t "$at:   and the largest message" shows "Largest message: 10485760 bytes"
	t "$at:   and the warning that ends it" shows "Use STARTTLS first."
	t "$at:   no more marker once the end is shown" overlay_whole
	keys F2

	keys F1
	wait_for "F1 Help"
	overlay_to_end
	t "$at: F1 reaches its last row" shows_re '"set NAME VALUE" per line\.|│ per line\. +│'
	t "$at:   no more marker once the end is shown" overlay_whole
	keys F1

	type_line "RSET"
	type_line "STARTTLS"
	wait_for "TLS started"
	keys F3
	wait_for "F3 TLS and certificate"
	overlay_to_end
	t "$at: F3 reaches its last row" shows_re '│ [^│]*this server +│'
	t "$at:   no more marker once the end is shown" overlay_whole
	keys F3

	type_line "/compare 250 252"
	wait_for "Which applies when"
	explain_to_end
	t "$at: /compare reaches its last row" \
	    shows "delivery will succeed."
	t "$at:   no [more marker once the end is shown" hides "[more"
	keys F10
	wait_for "EXIT="

	# A line taller than the dialogue pane: every row of it can be
	# scrolled to, the first (its start) and all the words after it.
	start "$1" "$2" --practice-script "$tmp/long"
	for i in $(seq 40); do
		shows "220 practice.test START w000" && break
		keys PageUp
		sleep 0.1
	done
	t "$at: the dialogue scrolls to the first row of a long line" \
	    shows "220 practice.test START w000"
	: >"$tmp/seen"
	for i in $(seq 60); do
		screen
		cat "$tmp/screen" >>"$tmp/seen"
		grep -q "w399 END" "$tmp/screen" && break
		keys PageDown
		sleep 0.1
	done
	missing=$(for w in $(seq -f 'w%03g' 0 399); do grep -q "$w" "$tmp/seen" || echo "$w"; done | head -3)
	t "$at:   and through every row of it to its end" test -z "$missing"
	keys F10
	wait_for "EXIT="
done
echo "1..$n"
