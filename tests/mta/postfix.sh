#!/bin/bash
# SPDX-License-Identifier: ISC
# smtpscope against a real Postfix: started here on a loopback port with
# its own configuration directory, queue and self-signed certificate, and
# stopped by pid at the end.  Mail is never relayed: local delivery is
# discarded and every other transport is "error:".
#
# Needs root (Postfix's master runs as root) and the postfix package;
# otherwise the test reports a skip.
set -u
top_srcdir=${top_srcdir:-.}
top_builddir=${top_builddir:-.}
bin=$(cd "$top_builddir" && pwd)/src/smtpscope

skip() { echo "1..0 # SKIP $*"; exit 0; }
. "$top_srcdir/tests/mta/postfix-server.sh"
why=$(postfix_server_missing)
[ -z "$why" ] || skip "$why"

dir=$(mktemp -d /tmp/smtpscope-postfix.XXXXXX)
cleanup() {
	postfix_server_stop "$dir"
	[ -n "${SMTPSCOPE_KEEP:-}" ] || rm -rf "$dir"
}
trap cleanup EXIT

if ! postfix_server_start "$dir"; then
	echo "1..1"
	sed "s/^/# /" "$dir/start.log"
	echo "not ok 1 - postfix starts on 127.0.0.1"
	exit 0
fi
port=$postfix_port
tport=$postfix_tport

. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/mta/check.sh"

cat >"$dir/script" <<'CMDS'
EHLO client.smtpscope.test
STARTTLS
EHLO client.smtpscope.test
VRFY root
VRFY nosuchuser
MAIL FROM:<tester@client.smtpscope.test>
RCPT TO:<nosuchuser@mta.smtpscope.test>
RCPT TO:<someone@elsewhere.example>
RCPT TO:<root@mta.smtpscope.test>
DATA
Subject: smtpscope test
From: tester@client.smtpscope.test

.This line starts with a dot.
.
QUIT
CMDS
"$bin" --plain --cafile "$dir/conf/cert.pem" --script "$dir/script" \
    --log "$dir/transcript" 127.0.0.1:$port >"$dir/out" 2>"$dir/err"
status=$?

printf 'EHLO client.smtpscope.test\nQUIT\n' >"$dir/short"
"$bin" --tls-on-connect --cafile "$dir/conf/cert.pem" --script "$dir/short" \
    -p "$tport" 127.0.0.1 >"$dir/out.implicit" 2>&1
istatus=$?
"$bin" --tls --script "$dir/short" 127.0.0.1:$port >"$dir/out.untrusted" 2>&1
ustatus=$?

echo "1..17"
t "session exits 5: the refused RCPTs count, the 221 after them does not" [ "$status" = 5 ]
t "Postfix greeting explained" has "E       220 Service ready | 2xx Positive Completion | answers the connection (greeting)"
t "STARTTLS accepted by Postfix" hasre "^S clear 220 2\.0\.0 Ready to start TLS"
t "certificate verified against --cafile" hasre "^\*       check:   OK for 127\.0\.0\.1"
t "after TLS, EHLO no longer offers STARTTLS" bash -c "! grep -q '^S tls   250-STARTTLS' '$dir/out'"
t "VRFY of an existing user: 252" hasre "^S tls   252 2\.0\.0 root"
t "VRFY of an unknown user: 550 5.1.1" hasre "^S tls   550 5\.1\.1 .*nosuchuser.*User unknown"
t "unknown recipient rejected with 550 5.1.1" hasre "^E       550 .* answers RCPT"
t "relay attempt refused with 554 5.7.1" hasre "^S tls   554 5\.7\.1 .*Relay access denied"
t "existing recipient accepted" hasre "^S tls   250 2\.1\.5"
t "message accepted and queued" hasre "^S tls   250 2\.0\.0 Ok: queued as"
t "the dot line was stuffed" has "C tls   ..This line starts with a dot."
t "every reply explained with its code and enhanced code" explained
t "transcript written with mode 0600" bash -c "[ \"\$(stat -c %a '$dir/transcript')\" = 600 ] && grep -q ' S tls   250 2.0.0 Ok: queued as' '$dir/transcript'"
t "implicit TLS (--tls-on-connect): greeting inside TLS, exit 0" bash -c "[ $istatus = 0 ] && grep -q '^S tls   220 mta.smtpscope.test' '$dir/out.implicit'"
t "certificate not trusted: explained, exit 6" bash -c "[ $ustatus = 6 ] && grep -q '^\*       check:   FAILED for 127.0.0.1: the certificate is self-signed' '$dir/out.untrusted'"
t "nothing sent after the failed check" bash -c "! grep -q '^C tls' '$dir/out.untrusted'"
if [ "$fails" -gt 0 ]; then
	sed 's/^/# implicit: /' "$dir/out.implicit" | grep -v '^# implicit: E' | head -30
	sed 's/^/# untrusted: /' "$dir/out.untrusted" | grep -v '^# untrusted: E' | head -30
	sed 's/^/# /' "$dir/out" | head -120
	sed 's/^/# explained: /' "$dir/explained"
	sed 's/^/# stderr: /' "$dir/err"
	[ -f "$dir/maillog" ] && sed 's/^/# maillog: /' "$dir/maillog" | tail -20
fi
exit 0
