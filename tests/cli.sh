#!/bin/bash
# SPDX-License-Identifier: ISC
# The command line end to end: --explain, usage errors, --serve as a
# separate process (plain TCP, STARTTLS with and without a trusted
# certificate, IPv6, timeouts, refused connections), --pipe, --unix, and
# the exit status of each.  Only 127.0.0.1 and ::1 are used.
set -u
top_builddir=${top_builddir:-.}
bin=$(cd "$top_builddir" && pwd)/src/smtpscope
export SMTPSCOPE_LOCALEDIR=${SMTPSCOPE_LOCALEDIR:-$(cd "$top_builddir" && pwd)/po/locale}
tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT

. "${top_srcdir:-.}/tests/lib.sh"
on_fail() {
	sed 's/^/# /' "$tmp/out" 2>/dev/null | head -40
	sed 's/^/# stderr: /' "$tmp/err" 2>/dev/null | head -10
}
# run EXPECTED-STATUS ARGS...: run smtpscope, keep its output, check status.
run() {
	local want=$1
	shift
	timeout 60 "$bin" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	local got=$?
	[ "$got" = "$want" ] || { echo "exit $got, expected $want" >>"$tmp/err"; return 1; }
}
out() { grep -qE -- "$1" "$tmp/out"; }
err() { grep -qE -- "$1" "$tmp/err"; }
both() { "$@"; }

# Start a practice server in the background; sets $port and $serve_log.
serve() {	# serve ADDR [extra args]
	local addr=$1 log=$tmp/serve.$n.$RANDOM
	shift
	serve_log=$log
	"$bin" --serve "$addr:0" "$@" >"$log" 2>&1 &
	pids+=($!)
	port=
	for i in $(seq 100); do
		port=$(sed -n 's/.*listening on .* port \([0-9]*\).*/\1/p' "$log")
		[ -n "$port" ] && break
		sleep 0.05
	done
	[ -n "$port" ]
}



# --explain
t "--explain 252" run 0 --explain 252
t "  names the code, class and meaning" both out '^252 Cannot verify user \| 2xx Positive Completion' 
t "--explain \"550 5.1.1\" --after RCPT" run 0 --explain "550 5.1.1" --after RCPT
t "  has the RCPT note and decodes 5.1.1" both out '^here: ' 
t "  decodes the enhanced code" both out '^enhanced 5\.1\.1: '
t "--explain a whole reply line" run 0 --explain "452-4.2.2 <bob@x.example>: Mailbox full" --after .
t "  reads its enhanced code" both out '^enhanced 4\.2\.2: '
t "--explain 299: non-standard, explained by class" run 0 --explain 299
t "  flagged" both out 'not defined by RFC 5321'
t "--explain abc: error, exit 2" run 2 --explain abc
t "  the error says what a code looks like" both err 'not a reply code'
t "--explain --after FOO: error, exit 2" run 2 --explain 250 --after FOO

# --compare
t "--compare 250 252" run 0 --compare 250 252
t "  both in the same class" both out '^Both are 2xx Positive Completion'
t "  key differences listed" both out '^Key differences'
t "--compare with enhanced codes" run 0 --compare "550 5.1.1" "553 5.1.3"
t "  the enhanced titles shown" both out '^550 .*\(5\.1\.1 '
t "--compare with one code: exit 2" run 2 --compare 250
t "--compare with a bad code: exit 2" run 2 --compare 250 abc

# Localized headings, even where the locale is not generated.
capture() { "$@" >"$tmp/out" 2>"$tmp/err"; }
t "LANG=zh_CN.UTF-8 --explain 252" capture env -u LC_ALL -u LANGUAGE LANG=zh_CN.UTF-8 timeout 20 "$bin" --explain 252
t "  Chinese headings (描述, 何时出现, 如何修复)" both bash -c "grep -q '^描述：' '$tmp/out' && grep -q '^何时出现：' '$tmp/out' && grep -q '^如何修复：' '$tmp/out'"
t "  Chinese title from the knowledge base" both out '^252 无法验证用户'
t "LANG=vi_VN.UTF-8 --explain 252" capture env -u LC_ALL -u LANGUAGE LANG=vi_VN.UTF-8 timeout 20 "$bin" --explain 252
t "  Vietnamese headings (Mô tả, Cách khắc phục)" both bash -c "grep -q '^Mô tả:' '$tmp/out' && grep -q '^Cách khắc phục:' '$tmp/out'"
t "--lang vi wins over LANG" run 0 --lang vi --compare 250 252
t "  Vietnamese comparison headings" both out 'Điểm khác biệt chính'
t "--lang en keeps English" capture env -u LC_ALL LANG=zh_CN.UTF-8 timeout 20 "$bin" --lang en --explain 252
t "  English headings" both out '^meaning: '

# Scenarios and replays.
t "--demo=list names every scenario" run 0 --demo=list
t "  fifteen of them" bash -c "[ \$(wc -l <'$tmp/out') -eq 15 ] && grep -q '^greylist ' '$tmp/out' && grep -q '^dnsbl ' '$tmp/out'"
t "--demo=nosuch: an error" run 1 --demo=nosuch
src=${top_srcdir:-.}
for f in own.log output.txt swaks.txt cs.txt; do
	t "--replay $f" run 0 --plain --replay "$src/tests/data/replay/$f"
	t "  explained" both out '^E       250 Requested action completed \| 2xx Positive Completion \| answers EHLO'
done
t "--replay with bad lines keeps the rest" run 0 --plain --replay "$src/tests/data/replay/garbage.log"
t "  and names them by line number" both err 'skipped: .*garbage.log:3:'
t "--replay --export writes a handout" run 0 --replay "$src/tests/data/replay/swaks.txt" --export "$tmp/h.html"
t "  an HTML page with the explanations" bash -c "grep -q '<html' '$tmp/h.html' && grep -q 'Service ready' '$tmp/h.html'"
t "  with no secret in it" bash -c "! grep -qE 'cGFzc3dvcmQ|c2VjcmV0' '$tmp/h.html'"
t "--replay of a missing file: exit 1" run 1 --replay "$tmp/none"
# Line-mode --timestamps are local times; a replay shows them as printed.
t "--replay --export under TZ=Asia/Tokyo" bash -c "TZ=Asia/Tokyo '$bin' --replay '$src/tests/data/replay/output.txt' --export '$tmp/tz.html' >/dev/null"
t "  keeps the recorded times" bash -c "grep -q '>17:53:49<' '$tmp/tz.html' && ! grep -q '>02:53:49<' '$tmp/tz.html'"
printf 'EHLO c.test\nVRFY alice\nQUIT\n' >"$tmp/s6"
t "--script --export writes the session's handout" run 0 --script "$tmp/s6" --export "$tmp/live.html"
t "  with the VRFY reply explained" bash -c "grep -q 'Cannot verify user' '$tmp/live.html'"

# Usage and local errors
t "unknown option: exit 2" run 2 --no-such-option
t "bad port: exit 2" run 2 -p 99999 127.0.0.1
t "missing --script file: exit 1, named" run 1 --script "$tmp/nope" 127.0.0.1
t "  the message names the file" both err "nope: No such file"
t "missing --data directory: exit 1" run 1 --data "$tmp/nope" --explain 250
mkdir -p "$tmp/kb"
printf '[pattern first bad]\nmatch: a[b\ncodes: 550\n\n[pattern second bad]\nmatch: (x\ncodes: 550\n\n[pattern good]\nmatch: mine\ncodes: 550\nname: my own\n' >"$tmp/kb/own.kb"
t "--data with bad patterns: still explains" run 0 --data "$tmp/kb" --explain "550 5.1.1 mine"
t "  names every bad pattern on stderr" both bash -c "[ \$(grep -c '^smtpscope: knowledge base: \[pattern .* bad\]: match: .*(that entry is skipped)\$' '$tmp/err') = 2 ]"
# Costly patterns (1.4 GB to compile; over 20 s on these 120 bytes with
# glibc's regex) are named and skipped; the reply is still explained.
mkdir -p "$tmp/kb2"
printf '[pattern nested bad]\nmatch: ((((a{1,255}){1,255}){1,9}))\ncodes: 550\n\n[pattern backref bad]\nmatch: (a*)*(a*)*\\1\\2x\ncodes: 550\n\n[pattern good]\nmatch: ^a+$\ncodes: 550\nname: all a\n' >"$tmp/kb2/costly.kb"
a120=$(printf '%0120d' 0 | tr 0 a)
t "--data with costly patterns: explains at once" bash -c "timeout 10 '$bin' --data '$tmp/kb2' --explain '550 $a120' >'$tmp/out' 2>'$tmp/err'"
t "  names both, refused, on stderr" both bash -c "[ \$(grep -c '^smtpscope: knowledge base: \[pattern .* bad\]: match: refused: .*(that entry is skipped)\$' '$tmp/err') = 2 ]"
t "--scenario with a host: exit 2" run 2 --scenario default 127.0.0.1
t "-p with --demo: exit 2" run 2 --demo -p 2525
t "an empty host: exit 2" run 2 ""

# A practice server in its own process.
if serve 127.0.0.1; then
	printf 'EHLO c.test\nNOOP\nQUIT\n' >"$tmp/s1"
	t "plain session over TCP to --serve" run 0 --script "$tmp/s1" 127.0.0.1:$port
	t "--tls without a trusted certificate: exit 6" run 6 --tls --script "$tmp/s1" 127.0.0.1:$port
	t "  says why the check failed" both out '^\*       check:   FAILED for 127\.0\.0\.1: the certificate is self-signed'
	t "  nothing sent after the failed check" both bash -c "! grep -q '^C tls' '$tmp/out'"
	t "--tls --insecure goes on, lines marked tls!" run 0 --tls --insecure --script "$tmp/s1" 127.0.0.1:$port
	t "  the marks" both out '^C tls!  NOOP'
	# A name is looked up in the background, only where /etc/hosts
	# answers for it (no resolver is ever asked).
	if grep -qE '^127\.0\.0\.1[[:space:]](.*[[:space:]])?localhost([[:space:]]|$)' /etc/hosts; then
		t "a host name: looked up, then the session" run 0 -4 --script "$tmp/s1" localhost:$port
		t "  says it looks the name up" both out '^\*       looking up localhost$'
		t "  then connects to what it found" both out '^\*       connected to localhost \[127\.0\.0\.1\] port '
	else
		for i in 1 2 3; do t "# SKIP localhost is not in /etc/hosts" true; done
	fi
else
	for i in 1 2 3 4 5 6 7 8 9; do t "practice server started" false; done
fi

# Timeouts and refused connections.
printf 'delay CONNECT 5000\n' >"$tmp/slow"
if serve 127.0.0.1 --practice-script "$tmp/slow"; then
	t "no greeting within --timeout 1: exit 3" run 3 --timeout 1 --script "$tmp/s1" 127.0.0.1:$port
	t "  explained" both out 'no greeting from the server in time'
else
	t "slow practice server started" false
	t "slow practice server started" false
fi
t "connection refused: exit 3" run 3 --script "$tmp/s1" 127.0.0.1:1
t "  explained" both out 'Connection refused'

# IPv6 on ::1, where the machine has it.  The banner's connect commands
# work as printed: smtpscope wants [::1]:PORT (quoted for the shell), telnet
# the address and port apart, swaks ADDR/PORT.
if serve '[::1]' 2>/dev/null; then
	t "IPv6: -6 to ::1" run 0 -6 --script "$tmp/s1" "[::1]:$port"
	t "  the banner's smtpscope command" grep -qF "smtpscope '[::1]:$port'" "$serve_log"
	t "  the banner's telnet command" grep -qF "telnet ::1 $port " "$serve_log"
	t "  the banner's swaks command" grep -qF "swaks --server ::1/$port" "$serve_log"
	v6arg=$(sed -n "s/.*Connect with:  smtpscope '\([^']*\)'.*/\1/p" "$serve_log")
	t "  the smtpscope command as printed connects" run 0 --script "$tmp/s1" "$v6arg"
	t "  and has the session" both out '^S clear 221 '
	if command -v swaks >/dev/null 2>&1 && perl -MIO::Socket::INET6 -e 1 2>/dev/null; then
		t "  the swaks command as printed connects" bash -c "timeout 20 swaks --server ::1/$port --quit-after EHLO </dev/null 2>&1 | grep -q '^<-  221 '"
	else
		echo "ok $((n += 1)) # SKIP swaks (with IPv6) is not installed"
	fi
else
	for i in 1 2 3 4 5 6 7; do echo "ok $((n += 1)) # SKIP no IPv6 loopback"; done
fi

# --serve keeps no transcript: --log with it is a usage error, not ignored.
t "--serve with --log: exit 2" run 2 --serve 0 --log "$tmp/serve.log"
t "  says why" both err '^smtpscope: --log goes with a session, not with --serve'
t "  no log file made" [ ! -e "$tmp/serve.log" ]
# Arguments quoted in error messages are escaped.
t "--serve with an escape sequence in it: exit 2" run 2 --serve $'\e]0;owned\a\e[2J'
t "  shown escaped" both err '^smtpscope: --serve \\e]0;owned\\x07\\e\[2J: give PORT'
t "  no raw escape on the terminal" bash -c "! grep -q \$'\\e' '$tmp/err'"
t "--explain --after with an escape sequence: exit 2" run 2 --explain 250 --after $'X\e[2J'
t "  shown escaped" both err '^smtpscope: --after X\\e\[2J: not a command'
t "  no raw escape on the terminal" bash -c "! grep -q \$'\\e' '$tmp/err'"
t "--script with an escape sequence in its name: exit 1" run 1 --script "$tmp/"$'none\e[2J'
t "  shown escaped" both bash -c "grep -q 'none\\\\e\\[2J: No such file' '$tmp/err' && ! grep -q \$'\\e' '$tmp/err'"
t "--lang with an escape sequence: shown escaped" run 0 --lang $'x\e[2J' --explain 250
t "  no raw escape on the terminal" bash -c "grep -q 'x\\\\e\\[2J' '$tmp/err' && ! grep -q \$'\\e' '$tmp/err'"
t "--serve with a bad address: the cause escaped" run 1 --serve $'no\e[2Jhost.invalid:0'
t "  no raw escape on the terminal" bash -c "grep -q 'no\\\\e\\[2Jhost' '$tmp/err' && ! grep -q \$'\\e' '$tmp/err'"

# A practice script of 53,000 rules (1 MB, the most it may have) loads in
# linear time: 0.1 s here, where reading it took 5 to 11 s before.  The
# first and the last rule both answer.
awk 'BEGIN { for (i = 0; i < 53000; i++) printf "reply V%05d 250 x\n", i }' >"$tmp/rules53k"
printf 'EHLO c.test\nV00000\nV52999\nQUIT\n' >"$tmp/s53k"
t "--practice-script with 53,000 rules: done within 5 s" bash -c "timeout 5 '$bin' --demo --practice-script '$tmp/rules53k' --script '$tmp/s53k' >'$tmp/out' 2>'$tmp/err'"
t "  the first and the last rule answer" both bash -c "[ \$(grep -c '^S clear 250 x$' '$tmp/out') = 2 ]"

# A line over 64 KiB in a script is dropped whole: its tail (here a RCPT
# that starts where the reader once cut it) is never sent.
{
	printf 'EHLO c.test\nMAIL FROM:<a@school.test>\n'
	head -c $((81920 - 12 - 26)) /dev/zero | tr '\0' X
	printf 'RCPT TO:<x@example.org>\nNOOP\nQUIT\n'
} >"$tmp/long"
t "--script with a 80 KiB line" run 0 --script "$tmp/long"
t "  says it dropped it, once" bash -c "[ \$(grep -c 'an input line longer than 65536 bytes was dropped' '$tmp/out') = 1 ]"
t "  its tail is not sent" both bash -c "! grep -q '^C .*RCPT' '$tmp/out'"
t "  the next line is" both out '^C clear NOOP$'
{
	printf 'EHLO c.test\nMAIL FROM:<a@school.test>\n'
	head -c 65536 /dev/zero | tr '\0' X
	sleep 1
	printf 'RCPT TO:<x@example.org>\nNOOP\nQUIT\n'
} | timeout 60 "$bin" --demo --plain >"$tmp/out" 2>"$tmp/err"
t "stdin: a 64 KiB line then its tail a second later" true
t "  its tail is not sent" both bash -c "! grep -q '^C .*RCPT' '$tmp/out'"
t "  the next line is" both out '^C clear NOOP$'

# /data FILE: with DATA sent for you, after a 354, and a missing file.
printf 'Subject: from a file\n\n.starts with a dot\nbare CR\rhere\n' >"$tmp/msg"
printf 'EHLO c.test\nMAIL FROM:<a@school.test>\nRCPT TO:<bob@practice.test>\n/data %s\nQUIT\n' "$tmp/msg" >"$tmp/s3"
t "/data FILE sends DATA, then the file" run 0 --script "$tmp/s3"
t "  DATA sent for it, file summarised" both out '^C clear \[.*msg: 54 bytes, 5 lines, 1 dots stuffed\] then "\."$'
t "  accepted" both out '^S clear 250 2\.0\.0 Ok: queued as'
printf 'EHLO c.test\nMAIL FROM:<a@school.test>\nRCPT TO:<bob@practice.test>\nDATA\n/data %s\nQUIT\n' "$tmp/msg" >"$tmp/s4"
t "/data FILE after 354" run 0 --script "$tmp/s4"
t "  accepted" both out '^S clear 250 2\.0\.0 Ok: queued as'
printf 'EHLO c.test\n/data %s/none\nQUIT\n' "$tmp" >"$tmp/s5"
t "/data with a missing file: said, nothing lost" run 0 --script "$tmp/s5"
t "  the message names the file" both out '^!       /data: .*none: No such file'

# Leaving: /quit waits for the 221 (held back 1 s here), so the output
# and the --log transcript are whole; a server that never answers QUIT is
# left after a few seconds (5, or --timeout when shorter), which is no
# failure.  --stop-on-error is in --help.
printf 'delay QUIT 1000\n' >"$tmp/quit-late"
printf 'delay QUIT 600000\n' >"$tmp/quit-never"
printf 'EHLO c.test\n/quit\nNOOP\n' >"$tmp/s7"
t "/quit in a script waits for the 221" run 0 --demo --practice-script "$tmp/quit-late" --log "$tmp/quit.log" --script "$tmp/s7"
t "  shown" both out '^S clear 221 2\.0\.0 Bye$'
t "  and in the --log transcript" grep -qE '^[0-9TZ:.-]+ S clear 221 2\.0\.0 Bye$' "$tmp/quit.log"
t "  the line after /quit is not sent" both bash -c "! grep -q '^C clear NOOP' '$tmp/out'"
quit_at_terminal() {
	(sleep 1; printf 'EHLO c.test\n'; sleep 1; printf '/quit\n') |
	    timeout 20 script -qec "$bin --plain --demo --practice-script $tmp/quit-late" /dev/null >"$tmp/out" 2>"$tmp/err"
}
if script -qec true /dev/null >/dev/null 2>&1 </dev/null; then
	t "/quit at a terminal (--plain) waits for the 221" quit_at_terminal
	t "  shown" both out '^S clear 221 2\.0\.0 Bye'
else
	echo "ok $((n += 1)) # SKIP script(1) is not installed"
	echo "ok $((n += 1)) # SKIP script(1) is not installed"
fi
# quit_never SCRIPT [ARGS]: exit 0 within $want_secs against a silent QUIT.
quit_never() {
	local start=$SECONDS script=$1
	shift
	run 0 "$@" --demo --practice-script "$tmp/quit-never" --script "$script" &&
	    [ $((SECONDS - start)) -le "$want_secs" ]
}
want_secs=9
t "/quit, no 221 ever: leaves after 5 s, exit 0" quit_never "$tmp/s7"
t "  says so" both out '^!       no reply to "QUIT" within 5 seconds; leaving without it$'
printf 'EHLO c.test\n' >"$tmp/s8"
want_secs=5
t "end of input, no 221 ever, --timeout 2: leaves after 2 s, exit 0" quit_never "$tmp/s8" --timeout 2
t "  says so" both out '^!       no reply to "QUIT" within 2 seconds; leaving without it$'
t "--help lists --stop-on-error" run 0 --help
t "  with what it does" both out '^      --stop-on-error +line mode: at the first 4xx or 5xx'

# The slow scenario cuts off a client that talks before the greeting.
if serve 127.0.0.1 --scenario slow; then
	pregreet() {
		exec 3<>/dev/tcp/127.0.0.1/$port || return 1
		printf 'EHLO early.test\r\n' >&3
		timeout 10 cat <&3 >"$tmp/out"
		exec 3<&-
		grep -q '^554 5.5.0 ' "$tmp/out"
	}
	t "slow scenario: a client talking first gets 554 5.5.0" pregreet
else
	t "slow practice server started" false
fi

# --tls and --tls-on-connect together: a usage error, in either order.
t "--tls --tls-on-connect: exit 2" run 2 --tls --tls-on-connect 127.0.0.1
t "  says they cannot go together" both err '^smtpscope: --tls and --tls-on-connect cannot go together'
t "--tls-on-connect --starttls: exit 2" run 2 --tls-on-connect --starttls -p 465 127.0.0.1

# A port that wants TLS from the first byte, used without --tls-on-connect:
# no greeting ever comes in clear.  Within seconds smtpscope says the port
# may want implicit TLS, how to ask for it, and that lines are queued;
# then --timeout ends the wait.
printf 'set tls-on-connect yes\n' >"$tmp/implicit"
if serve 127.0.0.1 --practice-script "$tmp/implicit"; then
	start=$(date +%s)
	t "implicit-TLS port without --tls-on-connect: exit 3 at --timeout" run 3 --plain --tls --timeout 8 --script "$tmp/s1" 127.0.0.1:$port
	t "  gave up within 20 seconds" [ $(($(date +%s) - start)) -lt 20 ]
	t "  says the port may want TLS from the first byte, before giving up" both bash -c "grep -n '' '$tmp/out' | grep -E '^[0-9]+:\\*       no greeting after 5 seconds\\. If this port wants TLS from the first byte' | cut -d: -f1 >'$tmp/hint.at' && [ -s '$tmp/hint.at' ] && [ \$(cat '$tmp/hint.at') -lt \$(grep -n '^!       error: no greeting' '$tmp/out' | cut -d: -f1) ]"
	t "  how to ask for it" both out 'run the same command with --tls-on-connect instead of --tls\.'
	t "  the typed lines are queued" both out 'lines you type are queued \(3 so far\) and sent once it greets'
	t "--tls-on-connect to the same port: the greeting comes" run 0 --plain --tls-on-connect --insecure --script "$tmp/s1" 127.0.0.1:$port
	t "  and no hint" both bash -c "! grep -q 'no greeting after' '$tmp/out'"
else
	t "implicit-TLS practice server started" false
fi

# After a failed certificate check: what to run to go on.
if serve 127.0.0.1; then
	t "STARTTLS to an untrusted certificate: exit 6" run 6 --plain --tls --script "$tmp/s1" 127.0.0.1:$port
	t "  says what to run to go on" both out '^!       error: certificate check failed: .*not going on, and connecting again fails the same way.*run the same command again with --insecure .*add --cafile FILE$'
else
	t "practice server started" false
fi

# --pipe: a process speaking SMTP on stdin/stdout, STARTTLS included.
printf 'EHLO c.test\nSTARTTLS\nEHLO c.test\nQUIT\n' >"$tmp/s2"
t "--pipe with STARTTLS over the pipe" run 0 --insecure --script "$tmp/s2" --pipe "$bin --serve -"
t "  TLS came up over the pipe" both out '^S tls!  221 2\.0\.0'

# --unix through socat, when it is installed.
if command -v socat >/dev/null 2>&1 && serve 127.0.0.1; then
	socat UNIX-LISTEN:"$tmp/smtp.sock",fork TCP:127.0.0.1:$port &
	pids+=($!)
	for i in $(seq 50); do [ -S "$tmp/smtp.sock" ] && break; sleep 0.05; done
	t "--unix socket" run 0 --unix "$tmp/smtp.sock" --script "$tmp/s1"
else
	echo "ok $((n += 1)) # SKIP socat is not installed"
fi
echo "1..$n"
exit 0
