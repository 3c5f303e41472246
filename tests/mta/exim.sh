#!/bin/bash
# SPDX-License-Identifier: ISC
# smtpscope against a real Exim: started here on a loopback port with its
# own configuration file, spool, log folder and self-signed certificate,
# and stopped by pid at the end.  Mail is never relayed: the only domain
# routed is the test's own, its users' mail is appended to a file in the
# temporary folder, and there is no remote transport at all.
#
# Needs root and Exim: the copy tests/mta/install.sh unpacks into
# /opt/smtpscope-mta/exim (Debian lets only one MTA package be installed,
# and Postfix is it), or a system exim4; otherwise the test reports a skip.
set -u
top_srcdir=${top_srcdir:-.}
top_builddir=${top_builddir:-.}
bin=$(cd "$top_builddir" && pwd)/src/smtpscope

skip() { echo "1..0 # SKIP $*"; exit 0; }
[ "$(id -u)" = 0 ] || skip "Exim tests need root"
prefix=${SMTPSCOPE_MTA_PREFIX:-/opt/smtpscope-mta}
exim=
for e in "$prefix/exim/usr/sbin/exim4" /usr/sbin/exim4; do
	[ -x "$e" ] && { exim=$e; break; }
done
[ -n "$exim" ] || skip "exim4 is not installed (run tests/mta/install.sh as root)"
"$exim" -bV >/dev/null 2>&1 || "$exim" -bV 2>&1 | grep -q '^Exim version' ||
    skip "$exim does not run (missing libraries?)"
command -v openssl >/dev/null 2>&1 || skip "openssl(1) is not installed"
command -v unshare >/dev/null 2>&1 || skip "unshare(1) is not installed"
getent passwd Debian-exim >/dev/null || skip "no Debian-exim user (run tests/mta/install.sh)"

dir=$(mktemp -d /tmp/smtpscope-exim.XXXXXX)
# Exim keeps root for deliveries only with a -C file listed in its
# compiled-in TRUSTED_CONFIG_LIST (Debian: /etc/exim4/trusted_configs);
# without it every delivery fails with "exim user lost privilege".  The
# config is listed there for the length of the test and the list put back.
trusted=/etc/exim4/trusted_configs
made_etc=
[ -d /etc/exim4 ] || made_etc=yes
cleanup() {
	if [ -f "$dir/exim.pid" ]; then
		pid=$(tr -d ' \n' <"$dir/exim.pid")
		if [ -n "$pid" ] && kill "$pid" 2>/dev/null; then
			for i in $(seq 30); do
				kill -0 "$pid" 2>/dev/null || break
				sleep 0.1
			done
		fi
	fi
	if [ -f "$dir/trusted_configs.system" ]; then
		cp "$dir/trusted_configs.system" "$trusted"
	else
		rm -f "$trusted"
		[ -n "$made_etc" ] && rmdir /etc/exim4 2>/dev/null
	fi
	[ -n "${SMTPSCOPE_KEEP:-}" ] || rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

. "$top_srcdir/tests/port.sh"
port=$(free_port)
[ -n "$port" ] || skip "no free port"

mkdir -p "$dir/spool" "$dir/log" "$dir/mail"
chmod 755 "$dir"
chown Debian-exim:Debian-exim "$dir/spool" "$dir/log" "$dir/mail"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=localhost" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$dir/key.pem" -out "$dir/cert.pem" >/dev/null 2>&1 ||
    skip "cannot make a certificate"
chgrp Debian-exim "$dir/key.pem"
chmod 640 "$dir/key.pem"
# The resolver the server sees (in its own mount namespace) is loopback
# only: no stray DNS query leaves the machine.
echo "nameserver 127.0.0.1" >"$dir/resolv.conf"

printf 'alice: yes\nbob: yes\n' >"$dir/users"
printf 'team: alice, bob\n' >"$dir/aliases"
cat >"$dir/exim.conf" <<CONF
exim_path = $exim
keep_environment =
primary_hostname = mta.smtpscope.test
qualify_domain = mta.smtpscope.test
domainlist local_domains = mta.smtpscope.test
local_interfaces = <; 127.0.0.1
spool_directory = $dir/spool
log_file_path = $dir/log/%slog
host_lookup =
rfc1413_hosts =
recipient_unqualified_hosts = 127.0.0.1
never_users = root
tls_certificate = $dir/cert.pem
tls_privatekey = $dir/key.pem
tls_advertise_hosts = *
acl_smtp_rcpt = acl_check_rcpt
acl_smtp_vrfy = accept
acl_smtp_expn = accept

begin acl

acl_check_rcpt:
  deny    message = relay not permitted
          domains = !+local_domains
  require verify = recipient
  accept

begin routers

lists:
  driver = redirect
  domains = +local_domains
  data = \${lookup{\$local_part}lsearch{$dir/aliases}}

users:
  driver = accept
  domains = +local_domains
  local_parts = lsearch;$dir/users
  transport = mailfile

begin transports

mailfile:
  driver = appendfile
  file = $dir/mail/delivered
  user = Debian-exim
  envelope_to_add
  return_path_add

begin retry

*  *  F,1h,10m

begin authenticators

plain:
  driver = plaintext
  public_name = PLAIN
  server_prompts = :
  server_condition = \${if and{{eq{\$auth2}{tester}}{eq{\$auth3}{s3cret-pass}}}}
  server_set_id = \$auth2
  server_advertise_condition = \${if def:tls_in_cipher}
CONF
chmod 644 "$dir/exim.conf"

# List the config as trusted (see above), keeping any list already there.
mkdir -p /etc/exim4
[ -f "$trusted" ] && cp "$trusted" "$dir/trusted_configs.system"
echo "$dir/exim.conf" >>"$trusted"
chown root:root "$trusted"
chmod 644 "$trusted"

if ! setsid unshare --mount sh -c 'mount --bind "$1/resolv.conf" /etc/resolv.conf &&
    exec "$2" -C "$1/exim.conf" -bd -oX "$3" -oP "$1/exim.pid"' sh "$dir" "$exim" "$port" \
    >"$dir/start.log" 2>&1; then
	echo "1..1"
	sed "s/^/# /" "$dir/start.log"
	echo "not ok 1 - exim starts on 127.0.0.1:$port"
	exit 0
fi
# Connect without sending anything until the daemon listens.
for i in $(seq 50); do
	(: </dev/tcp/127.0.0.1/$port) 2>/dev/null && break
	sleep 0.1
done

. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/mta/check.sh"

# The unknown user is "ghost", not "nosuchuser": a Gmail pattern in
# data/patterns.kb matches that word anywhere in a reply.
cat >"$dir/script" <<'CMDS'
EHLO client.smtpscope.test
STARTTLS
EHLO client.smtpscope.test
HELP
VRFY alice
VRFY ghost
EXPN team
/auth plain tester wrong-pass
/auth plain tester s3cret-pass
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
"$bin" --plain --cafile "$dir/cert.pem" --script "$dir/script" \
    --log "$dir/transcript" 127.0.0.1:$port >"$dir/out" 2>"$dir/err"
status=$?

# Local delivery happens just after the 250; give it a moment.
for i in $(seq 50); do
	grep -q '^\.This line starts' "$dir/mail/delivered" 2>/dev/null && break
	sleep 0.1
done

echo "1..23"
t "session exits 5: the refused RCPTs count, the 221 after them does not" [ "$status" = 5 ]
t "Exim greeting explained" hasre "^S clear 220 mta\.smtpscope\.test ESMTP Exim 4\.[0-9]+ "
t "server recognised as Exim" has "E       server:  Exim"
t "STARTTLS accepted by Exim" hasre "^S clear 220 TLS go ahead"
t "certificate verified against --cafile" hasre "^\*       check:   OK for 127\.0\.0\.1"
t "AUTH PLAIN offered only after TLS" bash -c "! grep -q '^S clear 250-AUTH' '$dir/out' && grep -q '^S tls   250-AUTH PLAIN' '$dir/out'"
t "HELP: 214 multi-line" bash -c "grep -q '^S tls   214-' '$dir/out' && grep -q '^S tls   214 ' '$dir/out'"
t "VRFY of a known user: 250 is deliverable" hasre "^S tls   250 <alice@mta\.smtpscope\.test> is deliverable"
t "VRFY of an unknown user: 550 <user@domain> Unrouteable address" hasre "^S tls   550 <ghost@mta\.smtpscope\.test> Unrouteable address"
t "EXPN of a list: 250 with both members" bash -c "grep -q '^S tls   250-<alice@mta.smtpscope.test>' '$dir/out' && grep -q '^S tls   250 <bob@mta.smtpscope.test>' '$dir/out'"
t "wrong AUTH password: 535 Incorrect authentication data" hasre "^S tls   535 Incorrect authentication data"
t "right AUTH password: 235 Authentication succeeded" hasre "^S tls   235 Authentication succeeded"
t "the password never appears" bash -c "! grep -q 's3cret-pass' '$dir/out' '$dir/transcript'"
t "unknown recipient rejected: 550 Unrouteable address" hasre "^S tls   550 Unrouteable address"
t "unknown user explained by Exim's unrouteable pattern" bash -c "[ \$(grep -c '^E       pattern: Exim cannot route this address' '$dir/out') = 2 ]"
t "relay attempt refused: 550 relay not permitted" hasre "^S tls   550 relay not permitted"
t "relay refusal explained by its Exim pattern" has "E       pattern: Exim will not relay for you"
t "existing recipient accepted: 250 Accepted" hasre "^S tls   250 Accepted"
t "message accepted: 250 OK id=" hasre "^S tls   250 OK id=[0-9A-Za-z]{6}-[0-9A-Za-z]{6}-[0-9A-Za-z]{2}"
t "the dot line was stuffed" has "C tls   ..This line starts with a dot."
t "message delivered to the local file, unstuffed" bash -c "grep -q '^Subject: smtpscope test' '$dir/mail/delivered' && grep -q '^\.This line starts with a dot\.' '$dir/mail/delivered'"
t "every reply explained with its code and enhanced code" explained
t "transcript written with mode 0600" bash -c "[ \"\$(stat -c %a '$dir/transcript')\" = 600 ] && grep -q ' S tls   250 OK id=' '$dir/transcript'"
if [ "$fails" -gt 0 ]; then
	sed 's/^/# /' "$dir/out" | head -200
	sed 's/^/# explained: /' "$dir/explained"
	sed 's/^/# stderr: /' "$dir/err"
	sed 's/^/# start: /' "$dir/start.log"
	for f in "$dir"/log/*; do
		[ -f "$f" ] && sed "s/^/# $(basename "$f"): /" "$f" | tail -20
	done
fi
exit 0
