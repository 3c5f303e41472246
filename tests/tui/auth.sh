#!/bin/bash
# SPDX-License-Identifier: ISC
# AUTH answers in the full screen, typed as fast as a paste: our own
# /commands typed during a challenge stay ours, answers typed before the
# 334 arrives or after a refusal never reach the history (in memory or
# the file), and answers to a refused AUTH are held back, not sent.
set -u
top_srcdir=${top_srcdir:-.}
top_builddir=${top_builddir:-.}
bin=$(cd "$top_builddir" && pwd)/src/smtpscope
export SMTPSCOPE_LOCALEDIR=${SMTPSCOPE_LOCALEDIR:-$(cd "$top_builddir" && pwd)/po/locale}
command -v tmux >/dev/null 2>&1 || { echo "1..0 # SKIP tmux is not installed"; exit 0; }

tmp=$(mktemp -d)
sock=smtpscope-auth-$$
tm() { tmux -L "$sock" -f /dev/null "$@"; }
cleanup() { tm kill-server 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
. "$top_srcdir/tests/lib.sh"
on_fail() { sed 's/^/# /' "$tmp/screen" 2>/dev/null; }

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
shows() { screen; grep -qF -- "$1" "$tmp/screen"; }

mkdir -p "$tmp/home"
tm new-session -d -x 140 -y 40 -s t \
    "env HOME=$tmp/home XDG_STATE_HOME=$tmp/home/state XDG_CONFIG_HOME=$tmp/home/config LC_ALL=C.UTF-8 TERM=screen $bin; echo EXIT=\$?; sleep 30"
tm set-option -t t status off >/dev/null
t "the practice server greets" wait_for "220 practice"
tm send-keys -t t -l "EHLO me.example"
tm send-keys -t t Enter
t "EHLO answered" wait_for "250 HELP"

# One tmux command: the lines reach the program in one read, before the
# server's 334; /compare between them is ours, not the first answer.
tm send-keys -t t "AUTH LOGIN" Enter "/compare 250 252" Enter \
    "ZGVtbw==" Enter "ZGVtbw==" Enter
t "the answers typed ahead log in" wait_for "235 2.7.0"
t "/compare was not sent as the answer (no 501)" bash -c "! grep -q '501 5.5.2' '$tmp/screen'"
t "the answers are hidden" bash -c "! grep -q 'ZGVtbw==' '$tmp/screen'"

# Already authenticated: 503, and the answers typed for it are held back.
tm send-keys -t t "AUTH LOGIN" Enter "dXNlcjI=" Enter "c2VjcmV0MiE=" Enter
t "the second AUTH is refused" wait_for "503 5.5.1"
t "its answers are held back, said so" wait_for "held back, not sent"
t "  and not sent as commands" bash -c "! grep -qE '500 5.5.2|dXNlcjI|c2VjcmV0MiE' '$tmp/screen'"

# The history in memory: Ctrl-P brings back /compare (ours, kept), then
# EHLO; no answer comes between them.  Ctrl-N goes back to the empty line.
tm send-keys -t t C-p
sleep 0.3
t "Ctrl-P recalls /compare" bash -c "tmux -L $sock capture-pane -p -t t | grep -q 'smtp> /compare 250 252'"
tm send-keys -t t C-p
sleep 0.3
t "then EHLO, not an answer" bash -c "tmux -L $sock capture-pane -p -t t | grep -q 'smtp> EHLO me.example'"
tm send-keys -t t C-n C-n
sleep 0.2
tm send-keys -t t -l "/quit"
tm send-keys -t t Enter
t "/quit leaves" wait_for "EXIT="

hist=$tmp/home/state/smtpscope/history
t "history saved" test -f "$hist"
t "history holds EHLO" grep -q "EHLO me.example" "$hist"
t "history holds no AUTH answer" bash -c "! grep -qE 'ZGVtbw|dXNlcjI|c2VjcmV0MiE|^AUTH' '$hist'"
if [ -f "$hist" ]; then sed 's/^/# history: /' "$hist"; fi
echo "1..$n"
[ "$fails" -eq 0 ]
