#!/bin/bash
# SPDX-License-Identifier: ISC
# The certificate as shown (src/net/tls.c, src/kb/format.c), end to end in line
# mode: certificates made here with openssl(1) are served by the practice
# server (--serve on 127.0.0.1, set cert / set key), and smtpscope --plain
# must show every name whole and escaped, refuse a name holding a NUL byte
# as malformed, and say when it cut the list of names or the chain.
#
#   nulsan     its only name is DNS:localhost\0.evil.test (written in DER)
#   nulcn      no SAN; CN=localhost\0.evil.test (a placeholder byte of a
#              CA-signed certificate changed to NUL, then signed again)
#   nulmixed   DNS:localhost, IP:127.0.0.1 and DNS:localhost\0.evil.test:
#              OpenSSL's own check passes it
#   many       DNS:localhost, IP:127.0.0.1 and 1,000 more names (33 kB)
#   long chain the valid leaf followed by 20 copies of the CA
set -u
top_srcdir=${top_srcdir:-.}
top_builddir=${top_builddir:-.}
bin=$(cd "$top_builddir" && pwd)/src/smtpscope
export SMTPSCOPE_LOCALEDIR=${SMTPSCOPE_LOCALEDIR:-$(cd "$top_builddir" && pwd)/po/locale}
export LC_ALL=C LANGUAGE=
if ! command -v openssl >/dev/null 2>&1 || ! command -v perl >/dev/null 2>&1
then
	echo "1..0 # SKIP openssl(1) or perl(1) is not installed"
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
	grep -v '^E ' "$tmp/out" 2>/dev/null | sed 's/^/# /' | head -30
	sed 's/^/# stderr: /' "$tmp/err" 2>/dev/null | head -10
}
if ! bash "$top_srcdir/tests/tls/certs.sh" "$tmp/certs" 2>"$tmp/certs.err"; then
	echo "Bail out! tests/tls/certs.sh: $(head -3 "$tmp/certs.err" | tr '\n' ' ')"
	exit 1
fi
certs=$tmp/certs
cd "$certs" || exit 1

ossl() {
	openssl "$@" >>openssl.log 2>&1 || {
		echo "Bail out! openssl $1 failed: $(tail -3 openssl.log | tr '\n' ' ')"
		exit 1
	}
}

# leaf NAME CN EXTRA-EXTENSION-LINE: a leaf signed by the test CA (RSA, so
# its signature is always 256 bytes), in NAME.pem and NAME.der.
leaf() {
	printf 'basicConstraints = critical,CA:FALSE\nextendedKeyUsage = serverAuth\n%s\n' \
	    "$3" >"$1.ext"
	ossl req -new -newkey ec:ec.param -nodes -keyout "$1.key" -out "$1.csr" \
	    -subj "/CN=$2"
	ossl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial \
	    -days 5 -sha256 -extfile "$1.ext" -out "$1.pem"
}

# The DER of "localhost\0.evil.test" as a dNSName ([2] IMPLICIT IA5String).
nul_dns=82146c6f63616c686f7374002e6576696c2e74657374
leaf nulsan nulsan.smtpscope.test "subjectAltName = DER:3016$nul_dns"
leaf nulmixed nulmixed.smtpscope.test \
    "subjectAltName = DER:30278209$(printf localhost | od -An -tx1 | tr -d ' \n')87047f000001$nul_dns"

# nulcn: no DER syntax reaches the subject, so the certificate is made with
# a placeholder Z, the Z becomes a NUL, and the to-be-signed part is signed
# again with the CA's key (same length: nothing else moves).
leaf nulcn localhostZ.evil.test ''
ossl x509 -in nulcn.pem -outform DER -out nulcn0.der
perl -e '
	undef $/; open(F, "<", $ARGV[0]) or die; binmode F; $d = <F>;
	$d =~ s/localhostZ/localhost\0/ or die "no placeholder\n";
	$h = substr($d, 4, 2);
	if ($h eq "\x30\x82") { $n = 4 + unpack("n", substr($d, 6, 2)) }
	elsif ($h eq "\x30\x81") { $n = 3 + ord(substr($d, 6, 1)) }
	else { die "unexpected DER\n" }
	open(T, ">", $ARGV[1]); binmode T; print T substr($d, 4, $n); close T;
	open(T, ">", $ARGV[2]); binmode T; print T $d; close T;
    ' nulcn0.der nulcn.tbs nulcn1.der ||
	{ echo "Bail out! cannot patch nulcn"; exit 1; }
ossl dgst -sha256 -sign ca.key -out nulcn.sig nulcn.tbs
{ head -c $(($(stat -c %s nulcn1.der) - 256)) nulcn1.der; cat nulcn.sig; } >nulcn.der
ossl x509 -inform DER -in nulcn.der -out nulcn.pem

names="DNS:localhost,IP:127.0.0.1"
for i in $(seq 1000); do names="$names,DNS:name$i.many.smtpscope.test"; done
leaf many many.smtpscope.test "subjectAltName = $names"
cp valid.pem chain.pem
for i in $(seq 20); do cat ca.pem >>chain.pem; done
cd - >/dev/null || exit 1

# OpenSSL's own check, for the record: a NUL name never matches localhost
# (the names are compared with their full length), but a certificate
# holding one next to a right name passes.
ocheck() { openssl verify -CAfile "$certs/ca.pem" -verify_hostname localhost "$certs/$1.pem" >/dev/null 2>&1; }
ofails() { ! ocheck "$1" && openssl verify -CAfile "$certs/ca.pem" "$certs/$1.pem" >/dev/null 2>&1; }
t "OpenSSL: DNS:localhost\\0.evil.test does not match localhost" ofails nulsan
t "OpenSSL: CN=localhost\\0.evil.test does not match localhost" ofails nulcn
t "OpenSSL: passes a certificate that also names localhost" ocheck nulmixed

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

# serve CERT [KEY]: a practice server presenting CERT; sets $port, $pid.
serve() {
	local log=$tmp/serve.$n.log
	printf 'set cert %s/%s.pem\nset key %s/%s.key\n' "$certs" "$1" \
	    "$certs" "${2:-$1}" >"$tmp/script.$n"
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
printf 'EHLO c.test\nNOOP\nQUIT\n' >"$tmp/client"
client() {	# client EXPECTED-STATUS [ARGS...]
	local want=$1
	shift
	run "$want" --plain --cafile "$certs/ca.pem" --script "$tmp/client" \
	    --tls "$@" "localhost:$port" -4
}
malformed='the certificate is malformed: a name in it holds a NUL \(zero\) byte'

# nul NAME CERT NAMES-LINE SUBJECT-LINE: a malformed certificate.
nul() {
	if ! serve "$2"; then
		for i in 1 2 3 4 5 6 7; do t "$1: practice server started" false; done
		return
	fi
	t "$1: exit 6" client 6
	t "  names shown whole, the NUL escaped" both out "$3"
	t "  subject shown whole" both out "$4"
	t "  check:   FAILED, malformed" both out "^\\*       check:   FAILED for localhost: $malformed"
	t "  the session stops" both out "^!       error: certificate check failed: $malformed"
	t "$1 --insecure: exit 0" client 0 --insecure
	t "  lines marked tls!" both out '^C tls!  NOOP$'
	stop
}
nul "NUL in a SAN" nulsan '^\*       names:   DNS:localhost\\x00\.evil\.test$' \
    '^\*       subject: CN=nulsan\.smtpscope\.test$'
nul "NUL in the CN" nulcn '^\*       names:   \(none\)$' \
    '^\*       subject: CN=localhost\\x00\.evil\.test$'
nul "NUL in a SAN next to localhost" nulmixed \
    '^\*       names:   DNS:localhost, IP:127\.0\.0\.1, DNS:localhost\\x00\.evil\.test$' \
    '^\*       subject: CN=nulmixed'

if serve many; then
	t "1,002 names: exit 0" client 0
	t "  the first names shown" both out '^\*       names:   DNS:localhost, IP:127\.0\.0\.1, DNS:name1\.many\.smtpscope\.test, DNS:name2\.'
	t "  the cut said, with the count" both out ', \.\.\. and [0-9]+ more names \(not shown\)$'
	t "  at most 16 kB of names" both bash -c "[ \$(grep '^\\*       names:' '$tmp/out' | wc -c) -lt 16600 ]"
	t "  shown + not shown = 1,002" both bash -c "s=\$(grep '^\\*       names:' '$tmp/out' | grep -o ', ' | wc -l); m=\$(sed -n 's/.* and \\([0-9]*\\) more names.*/\\1/p' '$tmp/out'); [ \$((s + m)) = 1002 ]"
	stop
else
	for i in 1 2 3 4 5; do t "practice server with many names started" false; done
fi

if serve chain valid; then
	t "a chain of 21 certificates: exit 0" client 0
	t "  15 chain lines after the leaf" both bash -c "[ \$(grep -c '^\\*       chain [0-9]*: ' '$tmp/out') = 15 ]"
	t "  the cut said" both out '^\*       chain cut at 16 of 21 certificates: the rest is not shown$'
	stop
else
	for i in 1 2 3; do t "practice server with a long chain started" false; done
fi

if serve valid; then
	t "an ordinary certificate: exit 0" client 0
	t "  no cut said" both no_out 'chain cut at|more names'
	t "  names as they are" both out '^\*       names:   DNS:localhost, IP:127\.0\.0\.1, IP:::1$'
	stop
else
	for i in 1 2 3; do t "practice server with the valid certificate started" false; done
fi

echo "1..$n"
[ "$fails" -eq 0 ]
