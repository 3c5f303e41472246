#!/bin/bash
# SPDX-License-Identifier: ISC
# TLS failures explained, end to end: the practice server (--serve, in its
# own process) presents the certificates tests/tls/certs.sh makes (expired,
# not yet valid, self-signed, unknown CA, wrong host name, RSA 1024,
# SHA-1), or offers only old protocol versions, and smtpscope --plain must
# say in plain words what failed, exit 6 and send nothing more; with
# --insecure it goes on and marks the lines tls!.  Only 127.0.0.1 is used.
set -u
top_srcdir=${top_srcdir:-.}
top_builddir=${top_builddir:-.}
bin=$(cd "$top_builddir" && pwd)/src/smtpscope
export SMTPSCOPE_LOCALEDIR=${SMTPSCOPE_LOCALEDIR:-$(cd "$top_builddir" && pwd)/po/locale}
# The words are checked in English.
export LC_ALL=C LANGUAGE=
if ! command -v openssl >/dev/null 2>&1; then
	echo "1..0 # SKIP openssl(1) is not installed"
	exit 0
fi
tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT

. "$top_srcdir/tests/lib.sh"
on_fail() {
	sed 's/^/# /' "$tmp/out" 2>/dev/null | grep -v '^# E ' | head -40
	sed 's/^/# stderr: /' "$tmp/err" 2>/dev/null | head -10
}
if ! bash "$top_srcdir/tests/tls/certs.sh" "$tmp/certs" 2>"$tmp/certs.err"; then
	echo "Bail out! tests/tls/certs.sh: $(head -3 "$tmp/certs.err" | tr '\n' ' ')"
	exit 1
fi
certs=$tmp/certs

# run EXPECTED-STATUS ARGS...: run smtpscope, keep its output, check status.
run() {
	local want=$1
	shift
	timeout 60 "$bin" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	local got=$?
	[ "$got" = "$want" ] || { echo "exit $got, expected $want" >>"$tmp/err"; return 1; }
}
out() { grep -qE -- "$1" "$tmp/out"; }
no_out() { ! grep -qE -- "$1" "$tmp/out"; }
both() { "$@"; }

# serve SCRIPT-TEXT: start a practice server following it; sets $port and
# $pid.  stop: stop that server by its pid.
serve() {
	local log=$tmp/serve.$n.log
	printf '%b' "$1" >"$tmp/script.$n"
	: >"$log"
	"$bin" --serve 127.0.0.1:0 --practice-script "$tmp/script.$n" \
	    >"$log" 2>&1 &
	pid=$!
	pids+=($pid)
	port=
	for i in $(seq 100); do
		port=$(sed -n 's/.*listening on .* port \([0-9]*\).*/\1/p' "$log")
		[ -n "$port" ] && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	sed 's/^/# serve: /' "$log"
	return 1
}
stop() { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; }
cert() { echo "set cert $certs/$1.pem\nset key $certs/${2:-$1}.key\n"; }

printf 'EHLO c.test\nNOOP\nQUIT\n' >"$tmp/client"
client() {	# client EXPECTED-STATUS HOST [ARGS...]
	local want=$1 host=$2
	shift 2
	run "$want" --plain --cafile "$certs/ca.pem" --script "$tmp/client" \
	    "$@" "$host:$port"
}

# A certificate that passes: by address and by name.
if serve "$(cert valid)"; then
	t "valid certificate, by address: exit 0" client 0 127.0.0.1 --tls
	t "  check:   OK" both out '^\*       check:   OK for 127\.0\.0\.1: the certificate is valid'
	t "  the session goes on under TLS, unmarked" both out '^C tls   NOOP$'
	t "valid certificate, by name: exit 0" client 0 localhost -4 --tls
	t "  check:   OK" both out '^\*       check:   OK for localhost: '
	stop
else
	for i in 1 2 3 4 5; do t "practice server with set cert started" false; done
fi

# bad NAME CERT[:KEY] HOST WORDS [SERVER-EXTRA]: a certificate the check
# must refuse with WORDS, and --insecure must get past.
bad() {
	local name=$1 c=$2 host=$3 words=$4 extra=${5:-} h
	h=$(echo "$host" | sed 's/\./\\./g')
	if ! serve "$(cert "${c%%:*}" "${c#*:}")$extra"; then
		for i in 1 2 3 4 5 6 7; do t "$name: practice server started" false; done
		return
	fi
	t "$name: exit 6" client 6 "$host" -4 --tls
	t "  check:   FAILED, in plain words" both out "^\\*       check:   FAILED for $h: $words"
	t "  the session stops, saying why" both out "^!       error: certificate check failed: $words.*not going on"
	t "  nothing sent after the failed check" both no_out '^C tls'
	t "$name --insecure: exit 0" client 0 "$host" -4 --tls --insecure
	t "  still shown as FAILED" both out "^\\*       check:   FAILED for $h: $words"
	t "  lines marked tls!" both bash -c "grep -q '^C tls!  NOOP\$' '$tmp/out' && grep -q '^S tls!  221 ' '$tmp/out'"
	stop
}

bad "expired" expired 127.0.0.1 'the certificate has expired: '
bad "not yet valid" notyet 127.0.0.1 'the certificate is not valid yet: check the clocks'
bad "self-signed" selfsigned 127.0.0.1 'the certificate is self-signed: .*the admin should install one issued by a CA'
bad "unknown CA" unknownca 127.0.0.1 "the certificate's issuer is unknown here: either a private CA"
bad "unknown CA, root sent along" unknownca-chain:unknownca 127.0.0.1 'the chain ends in a self-signed root that is not in the trust store'
bad "wrong host name, by address" wronghost 127.0.0.1 'the certificate does not list 127\.0\.0\.1, the address you connected to: it names DNS:mail\.example\.org; '
bad "wrong host name, by name" wronghost localhost 'the certificate does not name localhost, the host you connected to: it names DNS:mail\.example\.org; '
bad "RSA 1024 key" rsa1024 127.0.0.1 'a key in the chain is too small for the security level'
bad "RSA 1024 key over TLSv1.2" rsa1024 127.0.0.1 'a key in the chain is too small' 'set tls-max TLSv1.2\n'
bad "SHA-1 signature" sha1 127.0.0.1 'a certificate in the chain is signed with a digest considered broken \(MD5 or SHA-1\)'
bad "SHA-1 signature over TLSv1.2" sha1 127.0.0.1 'a certificate in the chain is signed with a digest considered broken' 'set tls-max TLSv1.2\n'

# --sni NAME: a failure names NAME and the names the certificate holds,
# its subject alternative names, or its CN when it has none.
sni_words='the certificate does not name mail\.example\.net, the name given with --sni: it names'
if serve "$(cert valid)"; then
	t "--sni with a name the certificate lacks: exit 6" client 6 127.0.0.1 --tls --sni mail.example.net
	t "  the check names NAME and the certificate's names" both out "^\*       check:   FAILED for mail\.example\.net: $sni_words DNS:localhost, IP:127\.0\.0\.1, IP:::1; give --sni one of those names"
	t "  so does the error" both out "^!       error: certificate check failed: $sni_words DNS:localhost, IP:127\.0\.0\.1, IP:::1; "
	stop
else
	for i in 1 2 3; do t "practice server with the valid certificate started" false; done
fi
if serve "$(cert nosan)"; then
	t "--sni, a certificate without SANs: exit 6" client 6 127.0.0.1 --tls --sni mail.example.net
	t "  its CN is named" both out "^!       error: certificate check failed: $sni_words CN=nosan\.smtpscope\.test; "
	stop
else
	for i in 1 2; do t "practice server with the nosan certificate started" false; done
fi

# Over --pipe there is no host: no name is checked unless --sni gives one,
# and the words must not say the certificate names this server.
printf '%b' "$(cert valid)" >"$tmp/pipe.script"
pipe_cmd="$bin --serve - --practice-script $tmp/pipe.script"
t "--pipe, a valid certificate, no --sni: exit 0" run 0 --plain --cafile "$certs/ca.pem" --script "$tmp/client" --tls --pipe "$pipe_cmd"
t "  says no name was checked" both out '^\*       check:   OK \(no host name to check it against\): the certificate is valid and signed by a trusted authority; no name was checked against it.*give --sni NAME'
t "  never that it names this server" both no_out 'names this server'
t "--pipe --sni NAME the certificate lacks: exit 6" run 6 --plain --cafile "$certs/ca.pem" --script "$tmp/client" --tls --sni mail.example.net --pipe "$pipe_cmd"
t "  names NAME and the certificate's names" both out "^!       error: certificate check failed: $sni_words DNS:localhost, IP:127\.0\.0\.1, IP:::1; "
t "--pipe --sni localhost: exit 0, checked" run 0 --plain --cafile "$certs/ca.pem" --script "$tmp/client" --tls --sni localhost --pipe "$pipe_cmd"
t "  OK for localhost" both out '^\*       check:   OK for localhost: the certificate is valid, signed by a trusted authority, and names this server'

# Implicit TLS (set tls-on-connect yes, --tls-on-connect): the same check.
if serve "$(cert expired)set tls-on-connect yes\n"; then
	t "implicit TLS, expired: exit 6" client 6 127.0.0.1 --tls-on-connect
	t "  check:   FAILED" both out '^\*       check:   FAILED for 127\.0\.0\.1: the certificate has expired'
	t "  no greeting read, nothing sent" both no_out '^[CS] '
	t "implicit TLS --insecure: exit 0" client 0 127.0.0.1 --tls-on-connect --insecure
	t "  greeting and replies marked tls!" both bash -c "grep -q '^S tls!  220 ' '$tmp/out' && grep -q '^C tls!  NOOP\$' '$tmp/out'"
	stop
else
	for i in 1 2 3 4 5; do t "implicit TLS practice server started" false; done
fi

# A server that offers only TLSv1.0 and TLSv1.1: no handshake at all, and
# --insecure does not bring the old versions back.
old_words='the server and smtpscope have no TLS version in common: smtpscope speaks TLSv1\.2 and TLSv1\.3'
if serve 'set tls-max TLSv1.1\n'; then
	t "TLSv1.0/1.1 only (STARTTLS): exit 6" client 6 127.0.0.1 --tls
	t "  OpenSSL's text and the plain words" both out "^!       error: TLS handshake failed: .*protocol version: $old_words"
	t "  what the admin should do" both out 'the admin should enable TLSv1\.2 and TLSv1\.3'
	t "  no certificate check, nothing sent under TLS" both bash -c "! grep -qE '^\\*       check:|^C tls' '$tmp/out'"
	t "TLSv1.0/1.1 only, --insecure: still exit 6" client 6 127.0.0.1 --tls --insecure
	t "  the same words" both out "^!       error: TLS handshake failed: .*$old_words"
	stop
else
	for i in 1 2 3 4 5 6; do t "old-protocol practice server started" false; done
fi
if serve 'set tls-min TLSv1\nset tls-max TLSv1\nset tls-on-connect yes\n'; then
	t "TLSv1.0 only (implicit TLS): exit 6" client 6 127.0.0.1 --tls-on-connect
	t "  the plain words" both out "^!       error: TLS handshake failed: .*$old_words"
	stop
else
	for i in 1 2; do t "TLSv1.0 practice server started" false; done
fi

# Plain text where the handshake should be: implicit TLS to a STARTTLS port.
if serve ''; then
	t "implicit TLS to a STARTTLS port: exit 6" client 6 127.0.0.1 --tls-on-connect
	t "  plain words: not TLS, try --tls" both out '^!       error: TLS handshake failed: .*wrong version number: what came back is not TLS: .*(--tls; ports 25 and 587 do)'
	stop
else
	for i in 1 2; do t "plain practice server started" false; done
fi

# A server that hangs up after 221 without a TLS close_notify, as
# OpenSMTPD does (set close-notify no): an ordinary end, exit 0, never a
# "handshake" failure.  The 221 and the close arrive together or apart
# depending on timing, so it is tried ten times.
quiet_close() {
	local i
	for i in $(seq 10); do
		run 0 --plain --cafile "$certs/ca.pem" --script "$tmp/client" \
		    --tls "127.0.0.1:$port" || return 1
		grep -q '^S tls   221 ' "$tmp/out" || return 1
		! grep -v '^E ' "$tmp/out" | grep -qiE 'handshake|^!' || return 1
	done
}
if serve "$(cert valid)set close-notify no\n"; then
	t "221, then a close without close_notify: exit 0, no failure (10 runs)" quiet_close
	stop
else
	t "practice server with set close-notify no started" false
fi
# The same close with no QUIT (close-after NOOP): the connection is lost,
# exit 3, and it is not called a handshake failure.  The input stays open
# past the close, so no QUIT of the script's (or smtpscope's own, at the
# end of the input) can cross it: that race made the outcome vary.
unasked_close() {
	{ printf 'EHLO c.test\nNOOP\n'; sleep 4; } | timeout 60 "$bin" --plain \
	    --cafile "$certs/ca.pem" --tls "127.0.0.1:$port" >"$tmp/out" \
	    2>"$tmp/err"
	local got=$?
	[ "$got" = 3 ] || { echo "exit $got, expected 3" >>"$tmp/err"; return 1; }
}
if serve "$(cert valid)set close-notify no\nclose-after NOOP\n"; then
	t "a close without close_notify, unasked: exit 3" unasked_close
	t "  said as it is, not as a handshake failure" both bash -c "grep -q '^!       error: the server closed the connection' '$tmp/out' && ! grep -v '^E ' '$tmp/out' | grep -qi handshake"
	stop
else
	for i in 1 2; do t "practice server with close-after started" false; done
fi

# A script naming a certificate that is not there: the server says so.
printf 'set cert %s/none.pem\n' "$certs" >"$tmp/nocert"
t "--serve with a missing set cert file: refused" run 1 --serve 127.0.0.1:0 --practice-script "$tmp/nocert"
t "  the file is named" bash -c "grep -q 'none\\.pem: cannot use the certificate chain' '$tmp/err' '$tmp/out'"

echo "1..$n"
[ "$fails" -eq 0 ]
