#!/bin/bash
# SPDX-License-Identifier: ISC
# The full screen's memory and crashes, in a private tmux server against
# the practice server: /auth runs under Valgrind's memcheck (a write past
# the end of the copy it wipes once corrupted the heap), and a fatal signal
# must put the terminal back and end the program by that signal, without
# calling anything that is not async-signal-safe (a crash inside malloc
# then hung for good; tests/tui/crash-free.c plays one).
set -u
top_srcdir=${top_srcdir:-.}
top_builddir=${top_builddir:-.}
bin=$(cd "$top_builddir" && pwd)/src/smtpscope
export SMTPSCOPE_LOCALEDIR=${SMTPSCOPE_LOCALEDIR:-$(cd "$top_builddir" && pwd)/po/locale}
command -v tmux >/dev/null 2>&1 || { echo "1..0 # SKIP tmux is not installed"; exit 0; }

tmp=$(mktemp -d)
sock=smtpscope-crash-$$
tm() { tmux -L "$sock" -f /dev/null "$@"; }
pid=
# A handler that hangs would outlive the tmux server: end it for good (if
# $pid is still smtpscope, not a process that took the number since).
end_prog() {
	[ -n "$pid" ] && grep -q smtpscope "/proc/$pid/cmdline" 2>/dev/null &&
	    kill -KILL "$pid" 2>/dev/null
	pid=
}
cleanup() {
	end_prog
	tm kill-server 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
. "$top_srcdir/tests/lib.sh"
on_fail() {
	sed 's/^/# /' "$tmp/screen" 2>/dev/null
	sed 's/^/# valgrind: /' "$tmp/vg.log" 2>/dev/null | head -60
}
mkdir -p "$tmp/home"

# start [PREFIX...]: smtpscope (after PREFIX, e.g. valgrind) in a fresh
# 140x40 window; the terminal's modes are saved before and after it.
start() {
	local i cmd
	end_prog
	tm kill-server 2>/dev/null
	for i in $(seq 50); do
		tm list-sessions >/dev/null 2>&1 || break
		sleep 0.05
	done
	rm -f "$tmp/stty.before" "$tmp/stty.after" "$tmp/vg.log"
	cmd="stty -g >$tmp/stty.before; env HOME=$tmp/home"
	cmd="$cmd XDG_STATE_HOME=$tmp/home/state"
	cmd="$cmd XDG_CONFIG_HOME=$tmp/home/config LC_ALL=C.UTF-8 TERM=screen"
	cmd="$cmd $* $bin; echo EXIT=\$?; stty -g >$tmp/stty.after; sleep 60"
	tm new-session -d -x 140 -y 40 -s t "$cmd"
	tm set-option -t t status off >/dev/null
}
screen() { tm capture-pane -p -t t >"$tmp/screen"; }
# wait_for TEXT [SECONDS]: until the screen shows TEXT (default 10 s).
wait_for() {
	local i
	for i in $(seq $((${2:-10} * 10))); do
		screen
		grep -qF -- "$1" "$tmp/screen" && return 0
		sleep 0.1
	done
	return 1
}
keys() { tm send-keys -t t "$@"; }
type_line() { tm send-keys -t t -l "$1"; tm send-keys -t t Enter; }
pane() { tm display -p -t t "$1"; }
# The pid of smtpscope, the child of the pane's shell.
prog_pid() {
	local i pid ppid
	ppid=$(pane '#{pane_pid}')
	for i in $(seq 50); do
		pid=$(pgrep -P "$ppid" | head -1)
		[ -n "$pid" ] && { echo "$pid"; return 0; }
		sleep 0.1
	done
	return 1
}

# 1. /auth with the password on the line, under memcheck: no write outside
# the copy, and the session goes on.  "/auth plain demo password" wiped 4
# bytes past the end of its copy; the next command then aborted with
# "corrupted size vs. prev_size".
if ! command -v valgrind >/dev/null 2>&1; then
	t "/auth under memcheck # SKIP valgrind is not installed" true
elif grep -q __asan_init "$bin"; then
	t "/auth under memcheck # SKIP a sanitizer build (ASan and Valgrind do not mix)" true
else
	start valgrind -q --error-exitcode=99 --leak-check=no \
	    --log-file="$tmp/vg.log"
	t "memcheck: the greeting" wait_for "220 practice" 60
	type_line "EHLO me.example"
	wait_for "250 HELP" 30
	type_line "/auth plain demo password"
	t "memcheck: /auth with a wrong password is refused" \
	    wait_for "S   535 5.7.8" 30
	type_line "/auth plain demo demo"
	t "memcheck: /auth with the demo login is accepted" \
	    wait_for "S   235 2.7.0" 30
	type_line "NOOP"
	t "memcheck: the next command is answered" wait_for "S   250 2.0.0" 30
	keys F10
	# 5: the refused 535 counts (smtpscope(1), EXIT STATUS); memcheck
	# errors would make it 99.
	t "memcheck: F10 leaves with status 5 (no memcheck error)" \
	    wait_for "EXIT=5" 30
	t "memcheck: no invalid write" bash -c "! grep -q 'Invalid write' '$tmp/vg.log'"
	t "memcheck: no error at all" bash -c "! grep -q . '$tmp/vg.log'"
fi

# 2. A fatal signal: the terminal comes back (normal screen, cursor shown,
# mouse reporting off, the modes it had) and the program dies by the
# signal, at once.
for sig in SEGV ABRT; do
	start
	wait_for "220 practice"
	type_line "/set mouse on"
	sleep 0.3
	t "SIG$sig: the full screen is on the alternate screen" \
	    test "$(pane '#{alternate_on}')" = 1
	t "SIG$sig:   with mouse reporting on" \
	    test "$(pane '#{mouse_any_flag}')" = 1
	pid=$(prog_pid)
	[ -n "$pid" ] && kill -"$sig" "$pid"
	num=$(kill -l "$sig")
	t "SIG$sig: the program dies by the signal within 5 s" \
	    wait_for "EXIT=$((128 + num))" 5
	t "SIG$sig: back on the normal screen" \
	    test "$(pane '#{alternate_on}')" = 0
	t "SIG$sig: the cursor is shown" test "$(pane '#{cursor_flag}')" = 1
	t "SIG$sig: mouse reporting is off" \
	    test "$(pane '#{mouse_any_flag}')" = 0
	for i in $(seq 20); do
		[ -s "$tmp/stty.after" ] && break
		sleep 0.1
	done
	t "SIG$sig: the terminal has its modes back" \
	    cmp -s "$tmp/stty.before" "$tmp/stty.after"
done

# 3. A crash inside free() with its lock held (tests/tui/crash-free.c,
# preloaded, crashes in the first free() after SIGUSR2): the handler must
# not call free() again, or it waits for that lock for ever.
if grep -q __asan_init "$bin"; then
	t "crash inside free() # SKIP a sanitizer build (its runtime must be loaded first)" true
elif ! ${CC:-cc} -shared -fPIC -o "$tmp/crash-free.so" \
    "$top_srcdir/tests/tui/crash-free.c" -ldl -lpthread; then
	t "crash inside free() # SKIP cannot compile tests/tui/crash-free.c" true
else
	start env LD_PRELOAD="$tmp/crash-free.so"
	wait_for "220 practice"
	pid=$(prog_pid)
	[ -n "$pid" ] && kill -USR2 "$pid"
	sleep 0.2
	type_line "NOOP"
	t "crash inside free(): the program dies by SIGSEGV within 5 s" \
	    wait_for "EXIT=139" 5
	t "crash inside free(): back on the normal screen" \
	    test "$(pane '#{alternate_on}')" = 0
	for i in $(seq 20); do
		[ -s "$tmp/stty.after" ] && break
		sleep 0.1
	done
	t "crash inside free(): the terminal has its modes back" \
	    cmp -s "$tmp/stty.before" "$tmp/stty.after"
fi

echo "1..$n"
