#!/bin/bash
# SPDX-License-Identifier: ISC
# Files written safely (doc/smtpscope.1, SECURITY): --export, /export,
# --log, --debug and the command history never follow a symbolic link
# planted at their path, never write into a file another user made first,
# a FIFO or a file with other hard links, and create new files with mode
# 0600 (a handout 0644 only when asked).  Run as root: another user is
# created for the planted files and removed at the end.
set -u
top_srcdir=${top_srcdir:-.}
top_builddir=${top_builddir:-.}
bin=$(cd "$top_builddir" && pwd)/src/smtpscope
export SMTPSCOPE_LOCALEDIR=${SMTPSCOPE_LOCALEDIR:-$(cd "$top_builddir" && pwd)/po/locale}

[ "$(id -u)" = 0 ] || { echo "1..0 # SKIP not root: another user is needed"; exit 0; }
command -v useradd >/dev/null 2>&1 && command -v userdel >/dev/null 2>&1 ||
    { echo "1..0 # SKIP useradd and userdel are needed"; exit 0; }

user=smtpscope-t$$
tmp=$(mktemp -d)
sock=smtpscope-files-$$
tm() { tmux -L "$sock" -f /dev/null "$@"; }
cleanup() {
	tm kill-server 2>/dev/null
	rm -rf "$tmp"
	userdel -r "$user" 2>/dev/null
}
trap cleanup EXIT
useradd -M -N -s /usr/sbin/nologin "$user" 2>/dev/null ||
    { echo "1..0 # SKIP cannot create the test user $user"; exit 0; }
. "$top_srcdir/tests/lib.sh"
on_fail() {
	sed 's/^/# out: /' "$tmp/out" 2>/dev/null | tail -5
	sed 's/^/# err: /' "$tmp/err" 2>/dev/null | head -5
}
umask 022
chmod 755 "$tmp"
printf 'EHLO me.example\nNOOP\nQUIT\n' >"$tmp/script"

# run ARGS...: a short session on the practice server, status in $rc.
run() {
	timeout 30 "$bin" --demo --script "$tmp/script" "$@" >"$tmp/out" \
	    2>"$tmp/err" </dev/null
	rc=$?
}
# plant NAME: a link at $tmp/NAME to a fresh victim file, owned by $user.
plant() {
	echo precious >"$tmp/victim"
	rm -f "$tmp/$1"
	ln -s "$tmp/victim" "$tmp/$1"
	chown -h "$user" "$tmp/$1"
}
# theirs NAME: an empty file at $tmp/NAME that $user made, mode 0644.
theirs() {
	rm -f "$tmp/$1"
	: >"$tmp/$1"
	chmod 644 "$tmp/$1"
	chown "$user" "$tmp/$1"
}
victim_intact() { [ "$(cat "$tmp/victim")" = precious ] && [ "$(stat -c %a "$tmp/victim")" = 644 ]; }
failed() { [ "$rc" != 0 ] && [ "$rc" != 124 ]; }
says() { grep -qF -- "$1" "$tmp/out" "$tmp/err"; }
mode_is() { [ "$(stat -c %a "$1")" = "$2" ]; }
still_empty() { [ ! -s "$tmp/$1" ] && [ "$(stat -c %U "$tmp/$1")" = "$user" ]; }

# Planted links: refused, their target untouched.
plant h.html
run --export "$tmp/h.html"
t "--export to a planted link fails" failed
t "  and says it is a symbolic link" says "h.html is a symbolic link"
t "  its target is untouched" victim_intact
t "  the link is left as it was" test -L "$tmp/h.html"
plant log
run --log "$tmp/log"
t "--log to a planted link fails" failed
t "  and says it is a symbolic link" says "log is a symbolic link"
t "  its target is untouched" victim_intact
plant debug
run --debug "$tmp/debug"
t "--debug to a planted link is a usage error (2)" test "$rc" = 2
t "  and says it is a symbolic link" says "debug is a symbolic link"
t "  its target is untouched" victim_intact
plant cmd.html
printf 'EHLO me.example\n/export %s\nQUIT\n' "$tmp/cmd.html" >"$tmp/script2"
timeout 30 "$bin" --demo --script "$tmp/script2" >"$tmp/out" 2>"$tmp/err" </dev/null
t "/export to a planted link is refused" says "/export: $tmp/cmd.html is a symbolic link"
t "  its target is untouched" victim_intact

# Files another user made first: refused, left as they were.
theirs log
run --log "$tmp/log"
t "--log into another user's file fails" failed
t "  and says whose it is" says "belongs to another user"
t "  nothing was written into it" still_empty log
theirs h.html
run --export "$tmp/h.html"
t "--export over another user's file fails" failed
t "  and says whose it is" says "belongs to another user"
t "  the file is still theirs, empty" still_empty h.html
theirs debug
run --debug "$tmp/debug"
t "--debug into another user's file is a usage error (2)" test "$rc" = 2
t "  nothing was written into it" still_empty debug

# A FIFO (never waited on) and a hard link to another file.
rm -f "$tmp/log"
mkfifo "$tmp/log"
run --log "$tmp/log"
t "--log to a FIFO fails at once" failed
t "  and says it is no regular file" says "is not a regular file"
rm -f "$tmp/log"
echo precious >"$tmp/victim"
ln "$tmp/victim" "$tmp/log"
run --log "$tmp/log"
t "--log to a hard link of another file fails" failed
t "  its other name is untouched" victim_intact
rm -f "$tmp/log" "$tmp/h.html" "$tmp/debug"

# New files are private; a handout is public only when asked.
run --export "$tmp/h.html" --log "$tmp/log" --debug "$tmp/debug"
t "a session with --export, --log and --debug" test "$rc" = 0
t "  the handout is 0600" mode_is "$tmp/h.html" 600
t "  the --log transcript is 0600" mode_is "$tmp/log" 600
t "  the --debug log is 0600" mode_is "$tmp/debug" 600
t "  no temporary file is left" bash -c "[ -z \"\$(ls -A '$tmp' | grep '^\\.')\" ]"
run --export "$tmp/h.html" --export-public --log "$tmp/log"
t "--export-public replaces the handout with a 0644 one" mode_is "$tmp/h.html" 644
t "  owned by the user" test "$(stat -c %u "$tmp/h.html")" = 0
t "an own --log file is appended to" test "$(grep -c ' S clear 220 ' "$tmp/log")" = 2
printf 'EHLO me.example\n/export %s public\nQUIT\n' "$tmp/pub.html" >"$tmp/script2"
timeout 30 "$bin" --demo --script "$tmp/script2" >"$tmp/out" 2>"$tmp/err" </dev/null
t "/export FILE public writes a 0644 handout" mode_is "$tmp/pub.html" 644

# The command history of the full screen, written at the end.
if ! command -v tmux >/dev/null 2>&1; then
	t "# SKIP tmux is not installed" true
else
	home=$tmp/home
	hist=$home/.local/state/smtpscope/history
	mkdir -p "$home"
	# session: one full-screen run typing NOOP, then /quit.
	session() {
		local i
		tm kill-server 2>/dev/null
		for i in $(seq 50); do
			tm list-sessions >/dev/null 2>&1 || break
			sleep 0.05
		done
		tm new-session -d -x 120 -y 30 -s t \
		    "env -u XDG_STATE_HOME HOME=$home XDG_CONFIG_HOME=$home/config LC_ALL=C.UTF-8 TERM=screen $bin --demo 2>$tmp/tui-err; echo EXIT=\$?; sleep 30"
		wait_for "220 practice" || return 1
		tm send-keys -t t -l "NOOP"
		tm send-keys -t t Enter
		wait_for "250 2.0.0" || return 1
		cp "$tmp/screen" "$tmp/tui-screen"
		tm send-keys -t t -l "/quit"
		tm send-keys -t t Enter
		wait_for "EXIT="
	}
	wait_for() {
		local i
		for i in $(seq 100); do
			tm capture-pane -p -t t >"$tmp/screen" 2>/dev/null
			grep -qF -- "$1" "$tmp/screen" && return 0
			sleep 0.1
		done
		return 1
	}
	t "a full-screen session" session
	t "  the history is created 0600" mode_is "$hist" 600
	t "  and holds the command" grep -qx NOOP "$hist"
	echo precious >"$tmp/victim"
	rm -f "$hist"
	ln -s "$tmp/victim" "$hist"
	t "a full-screen session with a link at the history" session
	t "  says the history will not be kept" grep -qF "command history: " "$tmp/tui-screen"
	t "  the link's target is untouched" victim_intact
	t "  the link is left as it was" test -L "$hist"
	tm kill-server 2>/dev/null
fi
echo "1..$n"
