#!/bin/bash
# SPDX-License-Identifier: ISC
# The full screen's modes and what it says about the session: the quiz
# takes only answers as guesses, presentation highlights the command a
# reply answers, the status bar's phase, the Next hint, F3 once closed,
# and the replay's own start-up hint.  The real program runs in a private
# tmux server against the practice server.
set -u
top_srcdir=${top_srcdir:-.}
top_builddir=${top_builddir:-.}
bin=$(cd "$top_builddir" && pwd)/src/smtpscope
export SMTPSCOPE_LOCALEDIR=${SMTPSCOPE_LOCALEDIR:-$(cd "$top_builddir" && pwd)/po/locale}
command -v tmux >/dev/null 2>&1 || { echo "1..0 # SKIP tmux is not installed"; exit 0; }

tmp=$(mktemp -d)
sock=smtpscope-modes-$$
tm() { tmux -L "$sock" -f /dev/null "$@"; }
cleanup() { tm kill-server 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
. "$top_srcdir/tests/lib.sh"
on_fail() { sed 's/^/# /' "$tmp/screen" 2>/dev/null; }

# launch ARGS...: a fresh 140x40 session running smtpscope ARGS.
launch() {
	local i args=
	tm kill-server 2>/dev/null
	for i in $(seq 50); do
		tm list-sessions >/dev/null 2>&1 || break
		sleep 0.05
	done
	mkdir -p "$tmp/home"
	[ $# -gt 0 ] && args=$(printf '%q ' "$@")
	tm new-session -d -x 140 -y 40 -s t \
	    "env HOME=$tmp/home XDG_STATE_HOME=$tmp/home/state XDG_CONFIG_HOME=$tmp/home/config LC_ALL=C.UTF-8 TERM=screen $bin $args; echo EXIT=\$?; sleep 30"
	tm set-option -t t status off >/dev/null
}
start() { launch "$@"; wait_for "220 practice"; }
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
hides() { screen; ! grep -qF -- "$1" "$tmp/screen"; }
# The Next hint of the explanation pane (right of the separator), whole.
next_hint() {
	screen
	awk -F'│' 'NF > 1 { print $2 }' "$tmp/screen" | tr '\n' ' ' |
	    tr -s ' ' | sed -n 's/.*Next: //p'
}
next_has() { next_hint | grep -qF -- "$1"; }
next_lacks() { local h; h=$(next_hint); [ -n "$h" ] && ! printf '%s\n' "$h" | grep -qF -- "$1"; }
leave() { keys F10; wait_for "EXIT="; }

# a) The quiz: commands typed at the guess prompt are commands.
start --quiz
wait_for "your guess (e.g. 5B)>"
type_line "EHLO me.example"
t "quiz: an SMTP command at the guess prompt is sent" wait_for "C   EHLO me.example"
t "  and answered" wait_for "250 HELP"
t "  not scored as a guess" hides "Your guess"
t "  the new reply is the question" shows "Reply 250, in answer to"
type_line "what?"
t "  anything else: told how to answer" wait_for "Not an answer: type the class digit"
t "  still not scored" hides "Your guess"
type_line "2a"
t "  a guess is still a guess" wait_for "Your guess: class right"
type_line "NOOP"
wait_for "Reply 250, in answer to"
type_line "/explain 550"
t "  a /command at the guess prompt runs" wait_for "550 Mailbox unavailable"
t "  not scored either" hides "Your guess"
leave

# b) Presentation pairs the newest reply with its own command, not with
# the last line sent: MAIL, RCPT and NOOP go out together, RCPT's reply
# is slow, so for a while MAIL's 250 is the newest reply.
printf 'delay RCPT 4000\n' >"$tmp/slow"
start --present --practice-script "$tmp/slow"
type_line "EHLO me.example"
wait_for "250 HELP"
# One write, as a paste: the three lines are queued before any reply.
keys -l $'MAIL FROM:<teacher@school.test>\rRCPT TO:<alice@practice.test>\rNOOP\r'
wait_for "250 2.1.0 Ok"
tm capture-pane -e -p -t t >"$tmp/colors"
cp "$tmp/colors" "$tmp/screen"
rev=$'\e\\[[0-9;]*7[;m]'
t "present: pipelined commands went out before the replies" \
    bash -c "tmux -L $sock capture-pane -p -t t | grep -A1 '^C   NOOP' | grep -q '^S   250 2.1.0' && ! tmux -L $sock capture-pane -p -t t | grep -q '250 2.1.5'"
# The dialogue: left of the pane separator.
awk -F'│' '{ print $1 }' "$tmp/colors" >"$tmp/dialogue"
t "  MAIL's reply highlights MAIL FROM" bash -c "grep 'MAIL FROM:<teacher' '$tmp/dialogue' | grep -q \$'$rev'"
t "  not the NOOP sent last" bash -c "grep -q 'NOOP' '$tmp/dialogue' && ! grep 'NOOP' '$tmp/dialogue' | grep -q \$'$rev'"
t "  nor RCPT" bash -c "grep -q 'RCPT TO:<alice' '$tmp/dialogue' && ! grep 'RCPT TO:<alice' '$tmp/dialogue' | grep -q \$'$rev'"
leave

# c) and d) The phase after AUTH and after the final dot; /auth is offered
# only while it can be used.
start
type_line "EHLO me.example"
wait_for "250 HELP"
t "Next offers /auth where AUTH is advertised" next_has "/auth plain USER"
type_line "AUTH PLAIN AGRlbW8AZGVtbw=="
t "AUTH accepted" wait_for "235 2.7.0"
t "  phase: READY for a new transaction, not HELLO" shows "phase: READY"
t "  Next no longer offers /auth" next_lacks "/auth"
t "  but MAIL FROM" next_has "MAIL FROM:<you@example.org>"
type_line "MAIL FROM:<teacher@school.test>"
type_line "RCPT TO:<alice@practice.test>"
type_line "DATA"
wait_for "data>"
type_line "Subject: hi"
type_line ""
type_line "hello"
type_line "."
t "message accepted" wait_for "250 2.0.0 Ok: queued as"
t "  phase: READY after the final dot" shows "phase: READY"
t "  Next: a new transaction" next_has "MAIL FROM:<you@example.org>"
leave

printf 'reply EHLO 250-practice.smtpscope.test\\r\\n250 STARTTLS\n' >"$tmp/noauth"
start --practice-script "$tmp/noauth"
type_line "EHLO me.example"
wait_for "250 STARTTLS"
t "no AUTH advertised: Next does not offer /auth" next_lacks "/auth"
t "  but STARTTLS" next_has "STARTTLS to encrypt"
leave

# e) F3 on a closed session says it is closed.
start
type_line "EHLO me.example"
wait_for "250 HELP"
type_line "STARTTLS"
wait_for "TLS started"
type_line "QUIT"
wait_for "connection closed; /quit or F10 leaves"
keys F3
wait_for "F3 TLS and certificate"
t "F3 after the close: the session is closed" shows "The session is closed"
t "  and what TLS it had" shows "It had TLS: TLSv1.3"
t "  not that TLS is up" hides "TLS is up"
keys F3
leave
start
type_line "QUIT"
wait_for "connection closed; /quit or F10 leaves"
keys F3
wait_for "F3 TLS and certificate"
t "F3 after a close in clear: closed, never TLS" shows "It never used TLS"
t "  not \"No TLS yet\"" hides "No TLS yet"
keys F3
leave

# g) A config line over 511 bytes is skipped whole, none of it applied:
# here its tail, from byte 512 on, reads "set color off".
mkdir -p "$tmp/home/config/smtpscope"
{
	printf 'set eol on\n#%510s' ''
	printf 'set color off%76s\n' ''
	printf 'set verbose on\n'
} >"$tmp/home/config/smtpscope/config"
start
t "config: a 600-byte line is named, with its line number" wait_for "smtpscope/config:2: line longer"
t "  skipped, with the limit" shows "than 511 bytes: skipped"
type_line "/set"
t "  its tail is not applied (color stays on)" wait_for "color on, eol on"
t "  the lines around it are" shows "verbose on"
leave
rm -rf "$tmp/home/config"

# f) Replay has its own start-up hint.
launch --replay "$(cd "$top_srcdir" && pwd)/tests/data/replay/own.log"
wait_for "exchange 1 of"
t "replay: its own hint" shows "replay: Enter, Space or Right shows the next"
t "  not \"type SMTP commands below\"" hides "type SMTP commands below"
leave
echo "1..$n"
