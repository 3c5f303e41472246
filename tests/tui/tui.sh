#!/bin/bash
# SPDX-License-Identifier: ISC
# The full-screen interface tested as a person uses it: the real program
# runs in a private tmux server against the practice server; keys go in
# with send-keys and the screen comes back with capture-pane.
set -u
top_srcdir=${top_srcdir:-.}
top_builddir=${top_builddir:-.}
bin=$(cd "$top_builddir" && pwd)/src/smtpscope
export SMTPSCOPE_LOCALEDIR=${SMTPSCOPE_LOCALEDIR:-$(cd "$top_builddir" && pwd)/po/locale}
command -v tmux >/dev/null 2>&1 || { echo "1..0 # SKIP tmux is not installed"; exit 0; }

tmp=$(mktemp -d)
sock=smtpscope-test-$$
tm() { tmux -L "$sock" -f /dev/null "$@"; }
. "$top_srcdir/tests/lib.sh"
cleanup() { tm kill-server 2>/dev/null; rm -rf "$tmp" ${vg_dir:+"$vg_dir"}; }
trap cleanup EXIT
on_fail() { sed 's/^/# /' "$tmp/screen" 2>/dev/null; }

# start [ARGS...]: a fresh session running smtpscope in a 140x40 window.
start() {
	local i
	tm kill-server 2>/dev/null
	# Let the old server go before a new one takes its socket.
	for i in $(seq 50); do
		tm list-sessions >/dev/null 2>&1 || break
		sleep 0.05
	done
	mkdir -p "$tmp/home"
	local args=
	[ $# -gt 0 ] && args=$(printf '%q ' "$@")
	tm new-session -d -x 140 -y 40 -s t \
	    "env HOME=$tmp/home XDG_STATE_HOME=$tmp/home/state XDG_CONFIG_HOME=$tmp/home/config LC_ALL=C.UTF-8 TERM=screen ${EXTRA_ENV:-} $vg $bin $args; echo EXIT=\$?; sleep 30"
	tm set-option -t t status off >/dev/null
	wait_for "220 practice"
}
screen() { tm capture-pane -p -t t >"$tmp/screen"; }
# wait_for TEXT: until the screen shows TEXT (up to 10 s, times $slow).
wait_for() {
	local i
	for i in $(seq $((100 * slow))); do
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
# The explanation pane is the right-hand side when side by side.
explains() { screen; cut -c78- "$tmp/screen" | grep -qF -- "$1"; }

start
t "greeting shown in the dialogue" shows "S   220 practice.smtpscope.test ESMTP"
t "greeting explained" explains "220 Service ready"
t "status bar names the session" shows_re "^ smtpscope  practice server \(demo login demo/demo\) \[127\.0\.0\.1\]  clear \(no TLS\)  phase: CONNECTED"

type_line "EHLO me.example"
t "EHLO reply in the dialogue" wait_for "S   250-PIPELINING"
t "EHLO reply explained" explains "In reply to: EHLO me.example"
type_line "VRFY alice"
wait_for "252 2.0.0 alice"
t "VRFY: 252 explained" explains "252 Cannot verify user"
type_line "HELP"
wait_for "214-"
t "HELP: 214 explained" explains "214 Help message"
type_line "STARTTLS"
t "TLS boundary drawn" wait_for "---- TLS started: TLSv1.3"
t "status shows TLS verified" shows "TLSv1.3 verified"
type_line "EHLO me.example"
t "lines inside TLS are marked" wait_for "C + EHLO me.example"

type_line "MAIL FROM:<teacher@school.test>"
type_line "RCPT TO:<alice@practice.test>"
type_line "DATA"
t "after 354 the prompt is data>" wait_for "data>"
t "354 explained" explains "354 Start mail input"
type_line "Subject: hello"
type_line ""
type_line ".dotted"
type_line "."
t "message accepted" wait_for "250 2.0.0 Ok: queued as"
t "verdict explained as the answer to the dot" explains "In reply to: ."
t "prompt back to smtp>" shows "smtp>"

# Select an earlier reply from the dialogue pane.
keys Tab
sleep 0.2
keys k k k k k
sleep 0.3
t "an earlier reply is shown again" explains "Earlier reply"
keys G
sleep 0.3
screen
t "G returns to the newest" bash -c "! cut -c78- '$tmp/screen' | grep -q 'Earlier reply'"
keys Escape
sleep 0.2

# F1, F2, F3 open and close.
keys F1
t "F1 opens help" wait_for "F1 Help"
keys Escape
sleep 0.3
t "Esc closes it" bash -c "! tmux -L $sock capture-pane -p -t t | grep -q 'F1 Help'"
keys F2
t "F2 lists capabilities" wait_for "F2 Capabilities"
t "  with explanations" shows "Command pipelining"
keys PageDown PageDown PageDown
sleep 0.3
t "  and what changed after STARTTLS" shows "(gone after STARTTLS)"
keys F2
sleep 0.3
keys F3
t "F3 shows the certificate" wait_for "F3 TLS and certificate"
t "  and the verdict" shows "check:   OK for 127.0.0.1"
keys F3
sleep 0.3

# Resizing keeps both panes whole.
tm resize-window -t t -x 80 -y 24
sleep 0.5
t "80x24: stacked, both panes titled" bash -c "tmux -L $sock capture-pane -p -t t | grep -q '^ Dialogue' && tmux -L $sock capture-pane -p -t t | grep -q '^ Explanation'"
t "80x24: status on top, hints at the bottom" bash -c "tmux -L $sock capture-pane -p -t t | head -1 | grep -q '^ smtpscope' && tmux -L $sock capture-pane -p -t t | tail -1 | grep -q 'F1 help'"
tm resize-window -t t -x 200 -y 60
sleep 0.5
t "200x60: side by side" bash -c "tmux -L $sock capture-pane -p -t t | grep -qE '^ Dialogue .*Explanation'"
t "200x60: the newest explanation is whole" bash -c "tmux -L $sock capture-pane -p -t t | grep -q 'Next: '"
tm resize-window -t t -x 140 -y 40
sleep 0.3

# /auth asks for the password with no echo; nothing secret is kept.
type_line "/auth plain demo"
t "password prompt" wait_for "password for demo:"
keys -l "s3cretpw"
sleep 0.2
t "the password is not echoed" bash -c "! tmux -L $sock capture-pane -p -t t | grep -q s3cretpw"
keys Enter
t "AUTH sent, hidden" wait_for "AUTH PLAIN ********"
type_line "AUTH PLAIN AGRlbW8AZGVtbw=="
t "the wrong password was refused" wait_for "S + 535 5.7.8"
t "a typed AUTH with the demo login is accepted" wait_for "S + 235 2.7.0"
type_line "/quit"
# The exit status reports the worst reply of the session: the 535.
t "/quit leaves and restores the terminal" wait_for "EXIT=5"
hist=$tmp/home/state/smtpscope/history
t "history saved" test -f "$hist"
t "history is private (0600)" bash -c "[ \"\$(stat -c %a '$hist')\" = 600 ]"
t "history holds commands" grep -q "VRFY alice" "$hist"
t "history holds no AUTH secret" bash -c "! grep -qiE 's3cretpw|AGRlbW8|^AUTH|/auth|/b64' '$hist'"

# A hostile greeting cannot touch the screen outside its line.
printf 'greeting 220 evil.test \\x1b[2J\\x1b[H\\x1b]0;owned\\x07\\x1b[31mred ESMTP\n' >"$tmp/evil"
start --practice-script "$tmp/evil"
t "escape sequences shown escaped" shows '220 evil.test \e[2J\e[H\e]0;owned\x07\e[31mred ESMTP'
t "the screen is intact (status bar still on top)" bash -c "tmux -L $sock capture-pane -p -t t | head -1 | grep -q '^ smtpscope'"
t "the window title was not changed" bash -c "[ \"\$(tmux -L $sock display -p -t t '#{pane_title}')\" != owned ]"
keys F10
t "F10 leaves" wait_for "EXIT=0"

# Ctrl-C on an empty line leaves, and the terminal is usable after.
start
keys C-c
t "Ctrl-C leaves" wait_for "EXIT=0"
t "no alternate screen left behind" bash -c "tmux -L $sock capture-pane -p -t t | grep -q EXIT="

# Completion, search, the line-end view, wide characters.
printf 'greeting 220 practice.smtpscope.test ESMTP \xe4\xbd\xa0\xe5\xa5\xbd\xe4\xb8\x96\xe7\x95\x8c end\n' >"$tmp/cjk"
start --practice-script "$tmp/cjk"
t "wide CJK text shown" shows "ESMTP 你好世界 end"
t "  and aligned: the pane border stays in its column" bash -c "tmux -L $sock capture-pane -p -t t | grep '你好世界' | grep -q '│'"
keys -l "EH"
keys Tab
sleep 0.3
t "Tab completes a verb" shows "smtp> EHLO"
keys -l "me.example"
keys Enter
wait_for "250 HELP"
keys -l "AUTH "
keys Tab Tab
sleep 0.3
t "AUTH completes the mechanisms offered" shows "completions: LOGIN PLAIN"
keys C-c
sleep 0.2
type_line "/search ESMTP 你好"
sleep 0.3
t "/search finds a line and selects its reply" explains "Earlier reply"
keys F6
sleep 0.2
keys G
sleep 0.2
keys F5
sleep 0.3
t "F5 shows line ends" shows "250 HELP␍␊"
keys F5
keys Escape
type_line "/set timestamps off"
sleep 0.3
t "/set timestamps off" bash -c "tmux -L $sock capture-pane -p -t t | grep -q '^S   250 HELP'"
keys F10
wait_for "EXIT=0"

# --insecure stays visible; the TLS lines are marked unverified.
start --insecure --pipe "$bin --serve -"
type_line "EHLO me.example"
wait_for "250 HELP"
type_line "STARTTLS"
t "unverified TLS in the status bar" wait_for "NOT VERIFIED  --insecure"
type_line "NOOP"
t "lines marked ! (TLS, not verified)" wait_for "C ! NOOP"
# The server closes: the screen stays until the user leaves.
type_line "QUIT"
t "connection closed, screen kept" wait_for "connection closed; /quit or F10 leaves"
t "prompt says closed" shows "closed>"
type_line "/b64 hello"
t "our commands still work after the close" wait_for "base64: aGVsbG8="
type_line '/raw NOOP\r\n'
t "/raw after the close: the session is over" wait_for "the session is over: /quit leaves"
t "  not an unknown command" bash -c "! tmux -L $sock capture-pane -p -t t | grep -q 'unknown command'"
type_line "/quit"
t "then /quit leaves" wait_for "EXIT=0"

# SIGTERM restores the terminal too.
start
pane=$(tm display -p -t t '#{pane_pid}')
pid=
for i in $(seq 40); do
	pid=$(pgrep -P "$pane" -f smtpscope | head -1)
	[ -n "$pid" ] && break
	sleep 0.05
done
[ -n "$pid" ] && kill -TERM "$pid"
t "SIGTERM: the program ends and the terminal is back" wait_for "EXIT=0"

# vi keys from ~/.inputrc reach readline: ESC is not taken by us.
mkdir -p "$tmp/home"
printf 'set editing-mode vi\n' >"$tmp/home/.inputrc"
start
keys -l "XEHLO vi.example"
keys Escape
sleep 0.2
keys -l "0x"
keys Enter
t "vi mode: ESC and commands work" wait_for "C   EHLO vi.example"
rm -f "$tmp/home/.inputrc"
# The mouse wheel scrolls once mouse reporting is on.
type_line "/set mouse on"
sleep 0.2
keys -l $'\e[<64;10;10M'
sleep 0.3
t "mouse wheel up scrolls the dialogue" shows "(scrolled: End or G returns)"
keys F10
wait_for "EXIT=0"

# The config file holds the same settings /set takes.
mkdir -p "$tmp/home/config/smtpscope"
printf '# mine\nset timestamps off\nlayout stacked\nbogus 1\nset color off\n' >"$tmp/home/config/smtpscope/config"
start
t "config: timestamps off" shows_re "^S   220 practice"
tm capture-pane -e -p -t t >"$tmp/colors"
t "config: color off leaves the screen without colours" bash -c "! grep -qE $'\e\\[[0-9;]*3[0-7]m' '$tmp/colors'"
t "config: layout stacked at 140 columns" bash -c "tmux -L $sock capture-pane -p -t t | grep -q '^ Explanation'"
t "config: a bad line is reported with its number" shows "config:4: not a setting"
keys F10
wait_for "EXIT=0"
rm -f "$tmp/home/config/smtpscope/config"

# A terminal without colours gets none.
EXTRA_ENV="TERM=vt100" start
tm capture-pane -e -p -t t >"$tmp/colors"
t "monochrome terminal: no colours" bash -c "! grep -qE $'\e\\[[0-9;]*3[1-7]m' '$tmp/colors'"
t "  but the screen is there" grep -q "Explanation" "$tmp/colors"
keys F10
wait_for "EXIT=0"

# Localized headings render aligned in the full screen.
start --lang zh_CN
type_line "VRFY alice"
wait_for "252 2.0.0"
t "Chinese headings in the explanation pane" shows "描述："
aligned() {
	local line prefix w first=
	tm capture-pane -p -t t | grep '│' | while IFS= read -r line; do
		prefix=${line%%│*}
		w=$(printf '%s' "$prefix" | wc -L)
		if [ -z "$first" ]; then first=$w; elif [ "$w" != "$first" ]; then echo "$w != $first: $line"; fi
	done | grep -q . && return 1
	return 0
}
t "  the pane border stays in one column" aligned
keys F10
wait_for "EXIT="

# Quiz: the explanation waits for the student's guess, and a score is kept.
start --quiz
t "quiz: the greeting is a question" wait_for "Quiz: what does this reply mean?"
t "  the explanation is hidden" bash -c "! tmux -L $sock capture-pane -p -t t | grep -q 'Meaning: '"
t "  the prompt asks for a guess" shows "your guess (e.g. 5B)>"
type_line "2A"
t "  a right guess" wait_for "class right, meaning right (the answer was 2A)."
t "  scores 2 of 2" shows "Score 2 of 2."
t "  then the explanation shows" shows "Meaning: "
type_line "EHLO me.example"
wait_for "Quiz: what does this reply mean?"
type_line "5C"
t "  a wrong guess" wait_for "class wrong, meaning wrong (the answer was 2D)."
t "  scores nothing: 2 of 4" shows "Score 2 of 4."
keys F10
wait_for "EXIT="

# Presentation: big explanation, no clutter, the last exchange stands out.
start --present
type_line "VRFY alice"
wait_for "252 2.0.0"
t "presentation: no timestamps, no notices" bash -c "tmux -L $sock capture-pane -p -t t | grep -q '^S   252 2.0.0' && ! tmux -L $sock capture-pane -p -t t | grep -q 'connected to'"
t "  a quiet hint line" bash -c "tmux -L $sock capture-pane -p -t t | tail -1 | grep -q '^ F1 help  F10 quit'"
t "  the newest reply is highlighted" bash -c "tmux -L $sock capture-pane -e -p -t t | grep '252 2.0.0' | grep -q $'\e\\[[0-9;]*7[;m]'"
keys F10
wait_for "EXIT="

# Replay: step through a transcript; the explanation follows.
tm kill-server 2>/dev/null
for i in $(seq 50); do tm list-sessions >/dev/null 2>&1 || break; sleep 0.05; done
tm new-session -d -x 140 -y 40 -s t \
    "env HOME=$tmp/home LC_ALL=C.UTF-8 TERM=screen $vg $bin --replay $(cd "$top_srcdir" && pwd)/tests/data/replay/own.log; echo EXIT=\$?; sleep 30"
tm set-option -t t status off >/dev/null
t "replay opens on the first exchange" wait_for "exchange 1 of"
t "  the greeting explained" explains "220 Service ready"
keys Enter
t "Enter shows the next exchange" wait_for "exchange 2 of"
t "  explained in turn" explains "In reply to: EHLO"
keys Right
wait_for "exchange 3 of"
keys Left
t "Left goes back" wait_for "exchange 2 of"
keys F2
t "F2 in a replay does not crash" wait_for "A replay keeps no capabilities"
keys F2
keys F3
t "F3 in a replay does not crash" wait_for "does not keep the certificate"
keys F3
sleep 0.2
type_line "/export $tmp/replay.html"
t "/export writes the handout" wait_for "handout written to"
t "  a page with the explanations" bash -c "grep -q 'Service ready' '$tmp/replay.html'"
keys F10
t "F10 leaves the replay" wait_for "EXIT=0"

# --export in the full screen: the handout is written when it ends.
start --export "$tmp/full.html"
type_line "VRFY alice"
wait_for "252 2.0.0 alice"
type_line "/quit"
t "--export in the full screen: written at the end" wait_for "handout written to $tmp/full.html"
t "  with the session's replies explained" bash -c "grep -q 'Cannot verify user' '$tmp/full.html'"
t "  and the exit status of the session" wait_for "EXIT=0"

# NO_COLOR is respected.
EXTRA_ENV=NO_COLOR=1 start
tm capture-pane -e -p -t t >"$tmp/colors"
t "NO_COLOR: no colours on screen" bash -c "! grep -qE $'\e\\\\[[0-9;]*3[1-7]m' '$tmp/colors'"
keys F10
wait_for "EXIT=0"
t "memcheck: no error (with SMTPSCOPE_VALGRIND=1)" vg_clean
echo "1..$n"
