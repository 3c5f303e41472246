#!/bin/bash
# SPDX-License-Identifier: ISC
# Secrets are wiped, whole, before their memory is given back:
# tests/wipe-free.c, preloaded, looks into every block that is freed or
# reallocated for a password this test typed and reports each block that
# still holds it, with a backtrace.  Line mode against the practice server
# (typed AUTH LOGIN, /auth), then the full screen and line mode at a
# terminal in tmux.
set -u
top_srcdir=${top_srcdir:-.}
top_builddir=${top_builddir:-.}
bin=$(cd "$top_builddir" && pwd)/src/smtpscope
export SMTPSCOPE_LOCALEDIR=${SMTPSCOPE_LOCALEDIR:-$(cd "$top_builddir" && pwd)/po/locale}
export LC_ALL=C.UTF-8
. "$top_srcdir/tests/lib.sh"

if grep -q __asan_init "$bin"; then
	echo "1..0 # SKIP a sanitizer build: its runtime must be loaded first"
	exit 0
fi
tmp=$(mktemp -d)
sock=smtpscope-wipe-$$
tm() { tmux -L "$sock" -f /dev/null "$@"; }
cleanup() { tm kill-server 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
if ! ${CC:-cc} -std=gnu11 -O2 -shared -fPIC -o "$tmp/wipe.so" \
    "$top_srcdir/tests/wipe-free.c" -ldl; then
	echo "1..0 # SKIP cannot compile tests/wipe-free.c"
	exit 0
fi
mark=Wipe7Mark$$
# What the preloaded free() looks for: the password, and the middle of its
# base64 at each of the three alignments (an AUTH line holds it so).
marks=$mark
for k in 0 1 2; do
	b=$(printf '%.*s%s' "$k" xx "$mark" | base64 -w0)
	marks="$marks ${b:4:$((${#b} - 8))}"
done
on_fail() {
	sed 's/^/# /' "$tmp/log" 2>/dev/null | head -40
	sed 's/^/# out: /' "$tmp/out" 2>/dev/null | tail -20
}
# nothing_left: no block was given back with the password in it.
nothing_left() { [ ! -s "$tmp/log" ]; }
# plain LINE...: the lines as a line-mode script against the practice
# server, under the preloaded free().
plain() {
	rm -f "$tmp/log"
	printf '%s\n' "$@" >"$tmp/script"
	env WIPE_MARK="$marks" WIPE_LOG="$tmp/log" LD_PRELOAD="$tmp/wipe.so" \
	    "$bin" --demo --script "$tmp/script" >"$tmp/out" 2>&1 </dev/null
}

# A typed AUTH LOGIN whose user name holds a NUL: the practice server
# wiped the name it decoded only up to the NUL.
plain "EHLO me.example" "AUTH LOGIN" \
    "$(printf 'u\0%s-user' "$mark" | base64 -w0)" \
    "$(printf '%s-pass' "$mark" | base64 -w0)" QUIT
t "typed AUTH LOGIN: refused" grep -q "535 5.7.8" "$tmp/out"
t "typed AUTH LOGIN: the decoded user name and password are wiped" \
    nothing_left

plain "EHLO me.example" "/auth plain demo $mark" "/auth login demo $mark" QUIT
t "/auth plain and login: refused" grep -q "535 5.7.8" "$tmp/out"
t "/auth plain and login: the password is wiped everywhere" nothing_left

# The full screen: the password typed on the /auth line (it is drawn as
# typed) and at the password prompt.
if command -v tmux >/dev/null 2>&1; then
	rm -f "$tmp/log"
	mkdir -p "$tmp/home"
	tm new-session -d -x 140 -y 40 -s t "env HOME=$tmp/home \
	    XDG_STATE_HOME=$tmp/home/state XDG_CONFIG_HOME=$tmp/home/config \
	    TERM=screen WIPE_MARK='$marks' WIPE_LOG=$tmp/log \
	    LD_PRELOAD=$tmp/wipe.so $bin; echo EXIT=\$?; sleep 30"
	tm set-option -t t status off >/dev/null
	# wait_for TEXT [N]: until the screen shows TEXT on N lines (default
	# 1), up to 10 s.
	wait_for() {
		local i
		for i in $(seq 100); do
			tm capture-pane -p -t t >"$tmp/out"
			[ "$(grep -cF -- "$1" "$tmp/out")" -ge "${2:-1}" ] &&
			    return 0
			sleep 0.1
		done
		return 1
	}
	type_line() { tm send-keys -t t -l "$1"; tm send-keys -t t Enter; }
	wait_for "220 practice"
	type_line "EHLO me.example"
	wait_for "250 HELP"
	type_line "/auth plain demo $mark"
	t "full screen: /auth with the password on the line, refused" \
	    wait_for "535 5.7.8"
	type_line "/auth login demo"
	wait_for "password for demo:"
	type_line "$mark"
	t "full screen: /auth at the password prompt, refused" \
	    wait_for "535 5.7.8" 2
	tm send-keys -t t F10
	t "full screen: F10 leaves" wait_for "EXIT="
	t "full screen: the password is wiped everywhere" nothing_left

	# Line mode at a terminal: the password prompt reads /dev/tty.
	rm -f "$tmp/log"
	tm kill-server 2>/dev/null
	for i in $(seq 50); do
		tm list-sessions >/dev/null 2>&1 || break
		sleep 0.05
	done
	tm new-session -d -x 140 -y 40 -s t "env HOME=$tmp/home \
	    XDG_STATE_HOME=$tmp/home/state XDG_CONFIG_HOME=$tmp/home/config \
	    TERM=screen WIPE_MARK='$marks' WIPE_LOG=$tmp/log \
	    LD_PRELOAD=$tmp/wipe.so $bin --plain --demo; echo EXIT=\$?; \
	    sleep 30"
	tm set-option -t t status off >/dev/null
	wait_for "220 practice"
	type_line "EHLO me.example"
	wait_for "250 HELP"
	type_line "/auth login demo"
	wait_for "password for demo:"
	type_line "$mark"
	t "line mode: /auth at the password prompt, refused" \
	    wait_for "535 5.7.8"
	type_line "/quit"
	t "line mode: /quit leaves" wait_for "EXIT="
	t "line mode: the password is wiped everywhere" nothing_left
else
	t "full screen # SKIP tmux is not installed" true
fi

echo "1..$n"
