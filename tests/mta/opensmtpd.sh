#!/bin/bash
# SPDX-License-Identifier: ISC
# smtpscope against a real OpenSMTPD: started here in the foreground (-d) on
# a loopback port with its own configuration file, and stopped by pid at
# the end.  Mail is never relayed: the only domain accepted is the test's
# own, its users' mail is handed to an "mda" command that appends it to a
# file in the temporary folder, and every other recipient is refused.
#
# A first session is in clear on one port; a second listener offers
# STARTTLS with a certificate made here by tests/tls/certs.sh, and a session
# there must end with 221 and exit 0: OpenSMTPD closes TCP after 221
# without a TLS close_notify, which OpenSSL 3 reports as an error that
# smtpscope once took for a failed handshake.  The STARTTLS part needs
# OpenSMTPD 7 (tests/mta/install.sh takes it from Debian 12's backports):
# Debian 12's own 6.8.0p2 fails every STARTTLS handshake with OpenSSL 3
# (the client sees "tlsv1 alert internal error", the server logs "missing
# private key"; OpenSMTPD issue #1171, fixed upstream in 2023 by pull
# request #1208), and with it those tests are skipped.  AUTH is left to
# postfix.sh and exim.sh.
#
# OpenSMTPD's queue (/var/spool/smtpd) and control socket (/run/smtpd.sock)
# are compiled in; the server runs in a mount namespace of its own where
# private folders are mounted over /var/spool and /run (and a resolv.conf
# naming only 127.0.0.1 over /etc/resolv.conf), so nothing outside the
# temporary folder is touched and no DNS query leaves the machine.
#
# Needs root and OpenSMTPD: the copy tests/mta/install.sh unpacks into
# /opt/smtpscope-mta/opensmtpd (Debian lets only one MTA package be
# installed, and Postfix is it), or a system smtpd, with its privilege
# separation users (Debian names them opensmtpd and opensmtpq); otherwise
# the test reports a skip.
set -u
top_srcdir=${top_srcdir:-.}
top_builddir=${top_builddir:-.}
bin=$(cd "$top_builddir" && pwd)/src/smtpscope

skip() { echo "1..0 # SKIP $*"; exit 0; }
[ "$(id -u)" = 0 ] || skip "OpenSMTPD tests need root"
prefix=${SMTPSCOPE_MTA_PREFIX:-/opt/smtpscope-mta}
smtpd=
for s in "$prefix/opensmtpd/usr/sbin/smtpd" /usr/sbin/smtpd; do
	[ -x "$s" ] && "$s" -h 2>&1 | grep -q OpenSMTPD && { smtpd=$s; break; }
done
[ -n "$smtpd" ] || skip "OpenSMTPD is not installed (run tests/mta/install.sh as root)"
command -v unshare >/dev/null 2>&1 || skip "unshare(1) is not installed"
for u in opensmtpd opensmtpq; do
	getent passwd $u >/dev/null || skip "no $u user (run tests/mta/install.sh)"
done
[ -d /var/lib/opensmtpd/empty ] || skip "no /var/lib/opensmtpd/empty (run tests/mta/install.sh)"
nobody=$(id -u nobody 2>/dev/null) || skip "no nobody user"
nogroup=$(id -g nobody)

dir=$(mktemp -d /tmp/smtpscope-opensmtpd.XXXXXX)
pid=
cleanup() {
	if [ -n "$pid" ] && kill "$pid" 2>/dev/null; then
		for i in $(seq 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
	fi
	[ -n "${SMTPSCOPE_KEEP:-}" ] || rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

. "$top_srcdir/tests/port.sh"
port=$(free_port)
[ -n "$port" ] || skip "no free port"
# STARTTLS on a second port, with OpenSMTPD 7 and openssl(1) to make the
# certificate (certs.sh: valid.pem names 127.0.0.1, signed by ca.pem).
version=$("$smtpd" -h 2>&1 | sed -n 's/^version: OpenSMTPD \([0-9][0-9]*\).*/\1/p')
tport=
tls_why=
if [ "${version:-0}" -lt 7 ]; then
	tls_why="OpenSMTPD ${version:-?} cannot do STARTTLS with OpenSSL 3 (tests/mta/install.sh fetches 7.x from backports)"
elif ! command -v openssl >/dev/null 2>&1; then
	tls_why="openssl(1) is not installed"
elif ! bash "$top_srcdir/tests/tls/certs.sh" "$dir/certs" >/dev/null 2>"$dir/certs.err"; then
	tls_why="tests/tls/certs.sh failed: $(head -1 "$dir/certs.err")"
else
	tport=$(free_port)
	[ -n "$tport" ] && [ "$tport" != "$port" ] || { tport=; tls_why="no second free port"; }
fi

mkdir -p "$dir/var-spool" "$dir/run" "$dir/mail"
chmod 755 "$dir" "$dir/var-spool" "$dir/run"
# Deliveries run as nobody (the userbase below), into this folder.
chown "$nobody:$nogroup" "$dir/mail"
echo "nameserver 127.0.0.1" >"$dir/resolv.conf"
# Local users: name, then uid:gid:home of the account that delivers.
printf 'alice %s:%s:%s\nbob %s:%s:%s\n' "$nobody" "$nogroup" "$dir/mail" \
    "$nobody" "$nogroup" "$dir/mail" >"$dir/users"
{
	echo "table users file:$dir/users"
	echo "listen on 127.0.0.1 port $port hostname mta.smtpscope.test"
	if [ -n "$tport" ]; then
		echo "pki mta.smtpscope.test cert \"$dir/certs/valid.pem\""
		echo "pki mta.smtpscope.test key \"$dir/certs/valid.key\""
		echo "listen on 127.0.0.1 port $tport tls pki mta.smtpscope.test hostname mta.smtpscope.test"
	fi
	echo "action \"local\" mda \"cat >>$dir/mail/delivered\" userbase <users>"
	echo "match from any for domain \"mta.smtpscope.test\" action \"local\""
} >"$dir/smtpd.conf"
chmod 644 "$dir/smtpd.conf" "$dir/users"
[ -z "$tport" ] || chmod 600 "$dir/certs/valid.key"

# In the server's own mount namespace: private /var/spool (its queue is
# /var/spool/smtpd), /run (its control socket) and resolv.conf, and for an
# unpacked copy its helpers (the mda action runs the compiled-in
# /usr/libexec/opensmtpd/mail.mda) mounted over /usr/libexec.
libexec=$(cd "$(dirname "$smtpd")/../libexec" 2>/dev/null && pwd)
[ -x "$libexec/opensmtpd/mail.mda" ] || skip "no $libexec/opensmtpd/mail.mda"
[ -d /usr/libexec ] || skip "no /usr/libexec to mount OpenSMTPD's helpers on"
setsid unshare --mount sh -c '
	mount --make-rprivate / &&
	mount --bind "$1/var-spool" /var/spool &&
	mount --bind "$1/run" /run &&
	mount --bind "$1/resolv.conf" /etc/resolv.conf &&
	if [ "$3" != /usr/libexec ]; then mount --bind "$3" /usr/libexec; fi &&
	exec "$2" -d -f "$1/smtpd.conf"' sh "$dir" "$smtpd" "$libexec" >"$dir/smtpd.log" 2>&1 &
pid=$!
up=
for i in $(seq 50); do
	# Connect without sending anything (an empty line would be logged as
	# a failed command).
	(: </dev/tcp/127.0.0.1/$port) 2>/dev/null && { up=yes; break; }
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
if [ -z "$up" ]; then
	echo "1..1"
	sed "s/^/# /" "$dir/smtpd.log"
	echo "not ok 1 - OpenSMTPD starts on 127.0.0.1:$port"
	exit 0
fi

. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/mta/check.sh"

# The unknown user is "ghost", not "nosuchuser": a Gmail pattern in
# data/patterns.kb matches that word anywhere in a reply.
cat >"$dir/script" <<'CMDS'
EHLO client.smtpscope.test
HELP
VRFY alice
EXPN team
MAIL FROM:<tester@client.smtpscope.test>
RCPT TO:<ghost@mta.smtpscope.test>
RCPT TO:<someone@elsewhere.example>
RCPT TO:<alice@mta.smtpscope.test>
DATA
Subject: smtpscope test
From: tester@client.smtpscope.test

.This line starts with a dot.
.
QUIT
CMDS
"$bin" --plain --script "$dir/script" \
    --log "$dir/transcript" 127.0.0.1:$port >"$dir/out" 2>"$dir/err"
status=$?

# Local delivery happens just after the 250; give it a moment.
for i in $(seq 50); do
	grep -q '^\.This line starts' "$dir/mail/delivered" 2>/dev/null && break
	sleep 0.1
done

# STARTTLS, a message, QUIT: ten times, since the 221 and the close
# without close_notify arrive together or apart depending on timing.
cat >"$dir/tscript" <<'CMDS'
EHLO client.smtpscope.test
MAIL FROM:<tester@client.smtpscope.test>
RCPT TO:<bob@mta.smtpscope.test>
DATA
Subject: smtpscope STARTTLS test

Sent under TLS.
.
QUIT
CMDS
tstatus=
if [ -n "$tport" ]; then
	for _ in $(seq 10); do
		"$bin" --plain --tls --cafile "$dir/certs/ca.pem" --script "$dir/tscript" \
		    127.0.0.1:$tport >"$dir/out.tls" 2>"$dir/err.tls"
		tstatus=$?
		[ "$tstatus" = 0 ] || break
		grep -q '^S tls   221 ' "$dir/out.tls" || break
		! grep -q '^!' "$dir/out.tls" || break
	done
fi

echo "1..26"
t "session exits 5: the refused RCPTs count, the 221 after them does not" [ "$status" = 5 ]
t "OpenSMTPD greeting" hasre "^S clear 220 mta\.smtpscope\.test ESMTP OpenSMTPD$"
t "greeting explained" has "E       220 Service ready | 2xx Positive Completion | answers the connection (greeting)"
t "server recognised as OpenSMTPD" has "E       server:  OpenSMTPD"
t "EHLO offers ENHANCEDSTATUSCODES and no STARTTLS (none configured)" bash -c "grep -q '^S clear 250-ENHANCEDSTATUSCODES' '$dir/out' && ! grep -q '^S .*STARTTLS' '$dir/out'"
t "HELP: 214 2.0.0 multi-line" bash -c "grep -q '^S clear 214-2.0.0 This is OpenSMTPD' '$dir/out' && grep -q '^S clear 214 2.0.0 End of HELP info' '$dir/out'"
t "VRFY not implemented: 500 5.5.1" bash -c "grep -A1 '^C clear VRFY alice' '$dir/out' | grep -q '^S clear 500 5.5.1 Invalid command: Command unrecognized'"
t "EXPN not implemented: 500 5.5.1" bash -c "grep -A1 '^C clear EXPN team' '$dir/out' | grep -q '^S clear 500 5.5.1 Invalid command: Command unrecognized'"
t "500 after VRFY explained: OpenSMTPD has no VRFY" bash -c "grep -A3 '^E       500 .* answers VRFY' '$dir/out' | grep -q '^E       here:    This server does not know VRFY at all (OpenSMTPD'"
t "sender accepted: 250 2.0.0 Ok" hasre "^S clear 250 2\.0\.0 Ok$"
t "unknown recipient rejected: 550 Invalid recipient" hasre "^S clear 550 Invalid recipient: <ghost@mta\.smtpscope\.test>$"
t "relay attempt refused: 550 Invalid recipient" hasre "^S clear 550 Invalid recipient: <someone@elsewhere\.example>$"
t "both refusals explained by OpenSMTPD's invalid-recipient pattern" bash -c "[ \$(grep -c '^E       pattern: OpenSMTPD refuses this recipient' '$dir/out') = 2 ]"
t "existing recipient accepted: 250 2.1.5" hasre "^S clear 250 2\.1\.5 Destination address valid: Recipient ok$"
t "DATA: 354" hasre "^S clear 354 Enter mail, end with \".\" on a line by itself$"
t "message accepted: 250 2.0.0 ... Message accepted for delivery" hasre "^S clear 250 2\.0\.0 [0-9a-f]{8} Message accepted for delivery$"
t "the dot line was stuffed" has "C clear ..This line starts with a dot."
t "message delivered to the local file, unstuffed" bash -c "grep -q '^Subject: smtpscope test' '$dir/mail/delivered' && grep -q '^\.This line starts with a dot\.' '$dir/mail/delivered'"
t "every reply explained with its code and enhanced code" explained
t "transcript written with mode 0600" bash -c "[ \"\$(stat -c %a '$dir/transcript')\" = 600 ] && grep -q ' S clear 221 2.0.0 Bye' '$dir/transcript'"
# tls DESCRIPTION COMMAND...: a STARTTLS check, skipped without OpenSMTPD 7.
tls() {
	if [ -z "$tport" ]; then
		n=$((n + 1))
		echo "ok $n - $1 # SKIP $tls_why"
		return
	fi
	t "$@"
}
tout() { grep -qE -- "$1" "$dir/out.tls"; }
tls "STARTTLS: OpenSMTPD offers it on the TLS port" tout '^S clear 250-STARTTLS$'
tls "  TLS is up, the certificate checked against --cafile" bash -c "grep -q '^\*       TLS is up: TLSv1\.[23]' '$dir/out.tls' && grep -q '^\*       check:   OK for 127\.0\.0\.1' '$dir/out.tls'"
tls "  the message is accepted under TLS" tout '^S tls   250 2\.0\.0 [0-9a-f]{8} Message accepted for delivery$'
tls "  QUIT answered 221 under TLS" tout '^S tls   221 2\.0\.0 Bye$'
tls "  exit 0 after 221 and a close without close_notify (10 runs)" [ "$tstatus" = 0 ]
tls "  no failure, no handshake words" bash -c "! grep -v '^E ' '$dir/out.tls' | grep -qiE '^!|handshake'"
if [ "$fails" -gt 0 ]; then
	sed 's/^/# /' "$dir/out" | head -200
	sed 's/^/# explained: /' "$dir/explained"
	sed 's/^/# stderr: /' "$dir/err"
	[ ! -f "$dir/out.tls" ] || grep -v '^E ' "$dir/out.tls" | sed 's/^/# tls: /' | tail -30
	sed 's/^/# smtpd: /' "$dir/smtpd.log" | tail -40
fi
exit 0
