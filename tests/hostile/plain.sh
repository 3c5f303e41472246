#!/bin/bash
# SPDX-License-Identifier: ISC
# Hostile servers against line mode: for each case of tests/hostile/hostile.c
# smtpscope --plain --script runs against it and must end with the
# documented exit status, without a sanitizer report, print nothing a
# terminal would act on, explain what went wrong, and keep in its --log
# every server line that arrived.  Only 127.0.0.1 is used.
set -u
. "${top_srcdir:-.}/tests/lib.sh"
. "${top_srcdir:-.}/tests/hostile/common.sh"
trap 'hostile_stop; rm -rf "$tmp"' EXIT

on_fail() {
	echo "# exit status $got after ${elapsed}s; stdout (first and last lines):"
	cut -c1-300 "$tmp/out" 2>/dev/null | head -15 | sed 's/^/#   /'
	echo "#   ..."
	cut -c1-300 "$tmp/out" 2>/dev/null | tail -12 | sed 's/^/#   /'
	head -c 2000 "$tmp/err" 2>/dev/null | sed 's/^/# stderr: /'
	sed 's/^/# server got: /' "$tmp/srv" 2>/dev/null | head -12
}

# run CASE STATUS CLIENT [ARGS...]: CLIENT (printf %b) is the --script;
# checks what every case must do.
run() {
	local name=$1 want=$2 start
	shift 2
	printf '%b' "$1" >"$tmp/client"
	shift
	rm -f "$tmp/log" "$tmp/out" "$tmp/err"
	cname=$name
	got=none
	elapsed=0
	if ! hostile_start "$name"; then
		t "$cname: the hostile server started" false
		return
	fi
	start=$SECONDS
	timeout 60 "$bin" --plain --timeout 5 --log "$tmp/log" \
	    --script "$tmp/client" "$@" "127.0.0.1:$port" \
	    >"$tmp/out" 2>"$tmp/err" </dev/null
	got=$?
	elapsed=$((SECONDS - start))
	hostile_stop
	t "$cname: ends with exit status $want" test "$got" = "$want"
	t "$cname: no sanitizer report" no_sanitizer "$tmp/err"
	t "$cname: stdout holds nothing a terminal acts on" clean "$tmp/out"
	t "$cname: the log holds nothing a terminal acts on" clean "$tmp/log"
}
# says ERE: stdout matches.  logs ERE: the --log transcript matches.
says() { grep -qE -- "$1" "$tmp/out"; }
logs() { grep -qE -- "$1" "$tmp/log"; }
# sent ERE: the server received a line matching ERE; unsent: it did not.
sent() { grep -qE -- "$1" "$tmp/srv"; }
unsent() { ! grep -qE -- "$1" "$tmp/srv"; }
within() { [ "$elapsed" -le "$1" ]; }
# The seconds between the first log lines matching ERE1 and ERE2.
log_gap() {
	local a b
	a=$(grep -m1 -E -- "$1" "$tmp/log" | cut -c12-23)
	b=$(grep -m1 -E -- "$2" "$tmp/log" | cut -c12-23)
	[ -n "$a" ] && [ -n "$b" ] || { echo -1; return; }
	echo "$a $b" | awk '{ split($1, x, ":"); split($2, y, ":");
	    print int((y[1]*3600 + y[2]*60 + y[3]) - (x[1]*3600 + x[2]*60 + x[3])) }'
}
gap_at_least() { [ "$(log_gap "$1" "$2")" -ge "$3" ]; }

std='EHLO client.test\nNOOP\nQUIT\n'
tls='EHLO client.test\nSTARTTLS\nNOOP\nQUIT\n'
msg='EHLO client.test\nMAIL FROM:<a@client.test>\nRCPT TO:<b@hostile.test>\nDATA\nSubject: secret body\n\nthe body\n.\nQUIT\n'

run no-greeting 3 "$std"
t "$cname: explained" says '^!       error: no greeting from the server in time'
t "$cname: ...with the --timeout in force, not RFC 5321's 5 minutes" says 'none came within the 5 seconds that --timeout allows$'
t "$cname: gave up after --timeout" within 12

run endless-greeting 3 "$std"
t "$cname: explained" says '^!       error: no greeting from the server in time'
t "$cname: gave up after --timeout though lines kept coming" within 15
t "$cname: the log holds the lines received" logs 'S clear 220-hostile\.test endless greeting line 1$'

run huge-line 0 "$std"
t "$cname: says the line was cut" says '^\*       \([0-9]+ bytes of lines longer than 4096 were not kept\)$'
t "$cname: the session went on" says '^S clear 221 2\.0\.0 bye'
t "$cname: the log holds the head of the line" logs 'S clear 220 hostile\.test AAAAAAAA'
t "$cname: the log says the line was cut" logs 'not kept'

run huge-line-close 3 "$std"
t "$cname: explained" says '^!       error: the server closed the connection before its greeting'
t "$cname: the unfinished reply is shown" says '220 hostile\.test AAAAAAAA'
t "$cname: ...with the bytes that really arrived, and how many are shown" says '^!       the connection ended in the middle of a reply; 10485777 bytes of it arrived, and the first 4096 follow, escaped:$'
t "$cname: ...and logged" logs '220 hostile\.test AAAAAAAA'
t "$cname: ...not as a process's standard error (there is none)" bash -c "! grep -q 'standard error' '$tmp/out'"

run nul-bytes 0 "$std"
t "$cname: NUL shown escaped" says '^S clear 220 hostile\.test\\x00NUL in the greeting ESMTP$'
t "$cname: the text after a NUL is kept" says '^S clear 250 2\.0\.0 ok\\x00hidden after NUL\\x00$'
t "$cname: logged escaped" logs 'S clear 220 hostile\.test\\x00NUL'
t "$cname: the replies after it are read as they came" says '^S clear 250-hostile\.test greets you$'
t "$cname: ...to the end" says '^S clear 221 2\.0\.0 bye$'

run bad-utf8 0 "$std"
t "$cname: bytes shown as \\xHH" says '^S clear 220 hostile\.test \\xff\\xfe ff fe, \\xc0\\xaf overlong'
t "$cname: explained" says 'not valid UTF-8'
t "$cname: logged" logs '\\xff\\xfe ff fe'

run escapes 0 "$std"
t "$cname: shown escaped" says '\\e\[1234Z unique, \\u009b1234Z c1, \\x9b raw c1'
t "$cname: OSC 52 shown escaped" says '^S clear 250-X-\\e\]52;c;aGFja2Vk\\x07$'
t "$cname: a CR inside a line shown escaped" says 'carriage\\rreturn'
t "$cname: explained" says 'control or invisible characters'
t "$cname: logged escaped" logs 'S clear 250 2\.0\.0 \\e\[2J\\e\[H clear, \\e\]0;owned\\x07 title'

run bare-lf 0 "$std"
t "$cname: explained" says 'bare LF'
t "$cname: the session went on" says '^S clear 221 2\.0\.0 bye'
t "$cname: logged" logs 'S clear 250 SIZE 1000000$'

run bare-cr 3 "$std"
t "$cname: explained" says '^!       error: the server closed the connection before its greeting'
t "$cname: the bytes received are shown" says '220 hostile\.test ESMTP\\r250-hostile\.test bare CR\\r250 after it\\r'
t "$cname: ...and logged" logs '220 hostile\.test ESMTP\\r250-hostile\.test bare CR'

run partial-stall 3 "$std"
t "$cname: explained" says '^!       error: no greeting from the server in time'
t "$cname: the half line received is shown" says '220 hostile\.test half a greeting'
t "$cname: ...all of it, counted" says '^!       the time ran out in the middle of a reply; the 32 bytes received of it follow, escaped:$'
t "$cname: ...and logged" logs '220 hostile\.test half a greeting'

run huge-reply 0 "$std"
t "$cname: says lines were dropped" says 'lines in the middle were dropped'
t "$cname: the session went on" says '^S clear 221 2\.0\.0 bye'
t "$cname: the log holds the first line" logs 'S clear 250-line 1 of a huge reply$'
t "$cname: the log holds line 100000" logs 'S clear 250-line 100000 of a huge reply$'
t "$cname: the log holds the last line" logs 'S clear 250 end of the huge reply$'

run mixed-codes 0 "$std"
t "$cname: explained" says 'do not all carry the same code'
t "$cname: logged" logs 'S clear 550-a refusal inside$'

run bad-codes 0 "$std"
t "$cname: malformed lines explained" says '^E       Not an SMTP reply'
t "$cname: code above 5 explained" says 'second digit is above 5'
t "$cname: every line logged" bash -c "grep -q 'S clear 099 too low' '$tmp/log' && grep -q 'S clear 600 too high' '$tmp/log' && grep -q 'S clear 2x0 letters' '$tmp/log' && grep -q 'S clear 25$' '$tmp/log' && grep -q 'S clear 250x no separator' '$tmp/log'"
t "$cname: the session went on" says '^S clear 221 2\.0\.0 bye'

run empty-text 0 "$std"
t "$cname: a bare 220 greeting accepted" says '^E       220 Service ready'
t "$cname: a bare 250 answers NOOP" says '^E       250 .*answers NOOP'
t "$cname: logged" logs 'S clear 250$'

run early-talker 0 "$std"
t "$cname: explained" says 'No command was waiting for this reply'
t "$cname: EHLO still paired with its own reply" says '^E       250 .*answers EHLO'
t "$cname: logged" logs 'extra reply before any command'

run greeting-mixed 0 "$std"
t "$cname: explained" says 'No command was waiting for this reply'
t "$cname: logged" logs 'S clear 250 2\.0\.0 interrupting'

# The unasked 550 counts: a 5xx nobody expected (exit 5).
run unasked 5 "$std"
t "$cname: explained" says 'No command was waiting for this reply'
t "$cname: an unasked 354 does not start a message" sent '^C: NOOP$'
t "$cname: ...nor an unasked 334 an AUTH exchange" says '^E       250 .*answers NOOP'
t "$cname: logged" bash -c "grep -q 'reply to nothing' '$tmp/log' && grep -q '354 go ahead (nobody sent DATA)' '$tmp/log' && grep -q '334 VXNlcm5hbWU6' '$tmp/log'"

run reset-mid-reply 3 "$std"
t "$cname: explained" says '^!       error: .*(reset|Connection reset by peer)'
t "$cname: the lines before the reset are logged" logs 'S clear 250-PIPELINING$'
t "$cname: the unfinished line is shown" says '250-SIZE 10'
t "$cname: the reply is marked incomplete" says '^!       \(the reply above is incomplete'
t "$cname: ...and logged" logs '250-SIZE 10'

run reset-at-once 3 "$std"
t "$cname: explained" says '^!       error: .*(reset|Connection reset by peer)'

run half-close 3 "$std"
t "$cname: explained" says '^!       error: the server closed the connection'
t "$cname: the greeting is logged" logs 'S clear 220 hostile\.test ESMTP$'

run starttls-injection 7 "$tls"
t "$cname: explained" says '^!       error: STARTTLS response injection'
t "$cname: the injected bytes shown escaped" says '^!       250 injected \\e\]52;c;aGFja2Vk\\x07\\r\\n$'
t "$cname: ...and logged" logs '250 injected \\e\]52;c;aGFja2Vk\\x07\\r\\n'
t "$cname: nothing sent after the 220" unsent '^C: NOOP'

run starttls-injection 7 'EHLO client.test\nNOOP\nQUIT\n' --tls
cname="starttls-injection --tls"
t "$cname: explained" says '^!       error: STARTTLS response injection'
t "$cname: nothing sent in clear after the 220" unsent '^C: NOOP'

run starttls-plaintext 6 "$tls"
t "$cname: explained" says '^!       error: TLS handshake failed'
t "$cname: ...in plain words" says 'not TLS|plain text'
t "$cname: nothing sent after" unsent '^C: NOOP'

run handshake-stall 6 "$tls"
t "$cname: explained" says '^!       error: the TLS handshake did not finish in time'
t "$cname: gave up after --timeout" within 12

run late-handshake-stall 6 "$tls"
t "$cname: explained" says '^!       error: the TLS handshake did not finish in time'
t "$cname: the handshake had its own --timeout (not what was left since connect)" \
    gap_at_least ' C clear STARTTLS$' 'TLS handshake did not finish' 4

run handshake-close 6 "$tls"
t "$cname: explained" says '^!       error: TLS handshake failed'

run slowloris 0 'QUIT\n' --timeout 10
t "$cname: the slow greeting and 221 arrive whole" bash -c "grep -q '^S clear 220 s$' '$tmp/out' && grep -q '^S clear 221 b$' '$tmp/out'"

run slowloris-endless 3 "$std"
t "$cname: explained" says '^!       error: no greeting from the server in time'
t "$cname: a line a second does not keep it waiting" within 10
t "$cname: logged" logs 'S clear 220-slow$'

run bidi 0 "$std"
t "$cname: BiDi controls shown as \\uHHHH" says '\\u202alre \\u202brle \\u202cpdf \\u202dlro \\u202erlo \\u2066lri \\u2067rli \\u2068fsi \\u2069pdi \\u200bzwsp \\u200czwnj \\u200dzwj'
t "$cname: explained" says 'control or invisible characters'
t "$cname: logged escaped" logs '\\u202erlo'

run invisible 0 "$std"
inv='tag \\U000e0001\\U000e0041\\U000e007f mvs a\\u180eb annot \\ufff9x\\ufffay\\ufffb vs a\\ufe0fa\\U000e0100 hangul \\u115f\\u1160\\u3164\\uffa0 cgj a\\u034fb mark \\u0301x'
t "$cname: the greeting's invisible code points shown as escapes" says "^S clear 220 hostile\\.test $inv ESMTP\$"
t "$cname: ...and a reply's" says "^S clear 250 2\\.0\\.0 $inv\$"
t "$cname: explained" says 'control or invisible characters'
t "$cname: logged escaped" logs "S clear 250 2\\.0\\.0 $inv\$"
t "$cname: no mark on a space, on stdout or in the log" \
    bash -c "! LC_ALL=C grep -q \$' \\xcc\\x81' '$tmp/out' '$tmp/log'"
# The same server, its session written to a handout with --export.
export_invisible() {
	hostile_start invisible || return 1
	printf 'NOOP\nQUIT\n' >"$tmp/client"
	timeout 60 "$bin" --plain --timeout 5 --script "$tmp/client" \
	    --export "$tmp/inv.html" "127.0.0.1:$port" >/dev/null 2>&1
	hostile_stop
	grep -qF "annot \\ufff9x" "$tmp/inv.html" &&
	    grep -qF "tag \\U000e0001" "$tmp/inv.html" && clean "$tmp/inv.html"
}
t "$cname: --export's handout holds them escaped" export_invisible

run no-starttls 6 "$std" --tls
t "$cname: explained" says '^!       error: --tls: the server does not offer STARTTLS'
t "$cname: nothing sent in clear" unsent '^C: (NOOP|MAIL|QUIT)'

for code in 454 502 354; do
	run starttls-$code 6 "$std" --tls
	t "$cname: explained" says "^!       error: --tls: the server answered STARTTLS with $code"
	t "$cname: nothing sent in clear" unsent '^C: NOOP'
done
run starttls-354 0 "$tls"
cname="starttls-354 without --tls"
t "$cname: explained" says 'STARTTLS was not accepted'
t "$cname: the next line is a command, not a message line" says '^E       250 .*answers NOOP'

# The refused RCPT (550) decides the exit status, not the 221 at the end.
run data-no-rcpt 5 "$msg"
t "$cname: explained" says '354 although no recipient was accepted'
t "$cname: only a lone \".\" sent after the 354 (RFC 2920 3.1)" \
    bash -c "grep -A1 '^C: DATA$' '$tmp/srv' | tail -1 | grep -qx 'C: \.'"
t "$cname: the message body was not sent" unsent 'secret body'

run close-after-dot 3 "$msg"
t "$cname: explained" says '^!       error: the server closed the connection while a reply to \. was due'

run caps-overflow 0 'EHLO client.test\n/caps\nQUIT\n'
t "$cname: an escaped keyword stays escaped" says '250-X-\\e\[1234Z-KEYWORD \\e\]0;owned\\x07'
t "$cname: /caps lists STARTTLS (the last of 3000 keywords) or says keywords were left out" \
    says '^\*       STARTTLS$|^[*!]       .*(keyword|capabilit).*(not kept|dropped|left out|ignored)'
t "$cname: logged" logs 'S clear 250 STARTTLS$'
run caps-overflow 6 "$std" --tls
cname="caps-overflow --tls"
t "$cname: STARTTLS (offered last) is sent" sent '^C: STARTTLS$'
t "$cname: explained" says '^!       error: --tls: the server answered STARTTLS with 500'

run auth-challenge 0 'EHLO client.test\n/auth login user secretpw\nQUIT\n'
t "$cname: decoded challenge shown escaped" says '^E       decoded: \\e\]52;c;aGFja2Vk\\x07User:$'
t "$cname: the password is in no output" bash -c "! grep -q 'secretpw\|c2VjcmV0cHc' '$tmp/out' '$tmp/log'"

run binary-garbage 0 "$std"
t "$cname: explained" says '^E       Not an SMTP reply'
t "$cname: NOOP still gets its reply" says '^E       250 .*answers NOOP'
t "$cname: the session went on" says '^S clear 221 2\.0\.0 bye'

run reply-flood 0 "$std"
t "$cname: explained" says 'No command was waiting for this reply'
t "$cname: logged" logs 'S clear 250 2\.0\.0 flood reply 2$'

run long-lines 0 "$std"
t "$cname: says lines were cut" says 'not kept'
t "$cname: logged" logs 'S clear 250-LLLLLLLL'

# Memory bounded in bytes (issue 11): a 32 MB reply against
# --scrollback 1M.  The notice is said once, in the output and in the
# handout, and the peak resident memory (GNU time's %M) is at most 10 MB
# over that of a short session: unbounded, the store alone takes 32 MB.
# Not measured under AddressSanitizer, whose quarantine keeps what is freed.
run memory-flood 0 "$std" --scrollback 1M --export "$tmp/flood.html"
t "$cname: the whole reply arrived" says '^S clear 250 2\.0\.0 flood done'
t "$cname: the drop is said once" \
    test "$(grep -c 'keeps at most 1 MiB (--scrollback): its oldest [0-9]* lines' "$tmp/out")" = 1
t "$cname: ...and in the handout" \
    test "$(grep -c 'keeps at most 1 MiB' "$tmp/flood.html")" = 1
# peak_kb CASE ARGS...: the peak resident memory of a session, in KiB;
# nothing when it did not end with exit status 0.
peak_kb() {
	local name=$1 rc
	shift
	hostile_start "$name" || return
	/usr/bin/time -f %M -o "$tmp/peak" timeout 60 "$bin" --plain \
	    --timeout 5 --script "$tmp/client" "$@" "127.0.0.1:$port" \
	    >/dev/null 2>&1 </dev/null
	rc=$?
	hostile_stop
	[ $rc = 0 ] && tail -1 "$tmp/peak"
}
if [ ! -x /usr/bin/time ]; then
	n=$((n + 1)); echo "ok $n # SKIP memory-flood: no GNU time"
elif grep -qa __asan_init "$bin"; then
	n=$((n + 1)); echo "ok $n # SKIP memory-flood: memory under ASan"
else
	small=$(peak_kb long-lines --scrollback 1M)
	big=$(peak_kb memory-flood --scrollback 1M)
	echo "# peak: $small KiB for a short session, $big KiB for the flood"
	t "memory-flood: peak memory within 10 MB of a short session's" \
	    test "${big:-999999}" -le $((${small:-0} + 10240))
fi

run greeting-421 4 "$std"
t "$cname: explained" says '^!       421: the server is closing the connection'
t "$cname: logged" logs 'S clear 421 4\.3\.2 hostile\.test busy'

run tls-on-connect-plain 6 "$std" --tls-on-connect
t "$cname: explained" says '^!       error: TLS handshake failed'
t "$cname: ...in plain words" says 'not TLS|plain text'

run tls-on-connect-stall 6 "$std" --tls-on-connect
t "$cname: explained" says '^!       error: the TLS handshake did not finish in time'
t "$cname: gave up after --timeout" within 12

# A TLS 1.2 server asking to renegotiate after its greeting: refused,
# said, and the session it then breaks off is a TLS failure.
run renegotiate 6 "$std" --tls-on-connect --insecure
t "$cname: the request is shown, refused" says '^!       the server asked to renegotiate TLS .*refused with a no_renegotiation alert'
t "$cname: ...after the greeting it came with" bash -c "grep -n '' '$tmp/out' | grep -E '^[0-9]+:(S tls!  220 renegotiating|!       the server asked to renegotiate)' | cut -d: -f2 | head -2 | tr '\n' '|' | grep -q '^S tls!  220 renegotiating ESMTP|!  '"
t "$cname: in the log" logs ' ! -     the server asked to renegotiate TLS'
t "$cname: the server got the refusal" sent 'no renegotiation'
t "$cname: explained" says '^!       error: the server ended the session after its TLS renegotiation was refused: TLS read failed: '

echo "1..$n"
