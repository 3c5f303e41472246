#!/bin/bash
# SPDX-License-Identifier: ISC
# Make the certificates the TLS failure tests serve, with openssl(1), into
# the directory given (made if missing).  Nothing here is committed: every
# private key is made fresh at test time and lives only in that directory.
#
#   ca.pem            the test CA the client is given with --cafile
#   other-ca.pem      a second CA the client never hears of
#   NAME.pem NAME.key for each NAME below (the leaf alone):
#     valid        names localhost and 127.0.0.1, signed by ca, SHA-256
#     expired      as valid, but its validity ended ten days ago
#     notyet       as valid, but it starts being valid in ten days
#     selfsigned   as valid, but signed by its own key
#     unknownca    as valid, but signed by other-ca
#   unknownca-chain.pem  the unknownca leaf followed by other-ca, as a
#                  server that sends its (unknown) root along would
#     wronghost    names only mail.example.org
#     nosan        no subject alternative name: only its CN,
#                  nosan.smtpscope.test, names it
#     rsa1024      as valid, with an RSA 1024-bit key
#     sha1         as valid, signed with SHA-1
#
# Usage: certs.sh DIR.  Exits non-zero, saying why, if openssl fails.
set -eu
dir=${1:?usage: certs.sh DIR}
mkdir -p "$dir"
cd "$dir"

ossl() {
	openssl "$@" >>openssl.log 2>&1 || {
		echo "certs.sh: openssl $1 failed:" >&2
		tail -5 openssl.log >&2
		exit 1
	}
}

# A CA: self-signed, RSA 2048, CA:TRUE.
make_ca() {	# make_ca NAME CN
	ossl req -x509 -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.pem" \
	    -days 30 -sha256 -subj "/O=smtpscope tests/CN=$2" \
	    -addext "basicConstraints=critical,CA:TRUE" \
	    -addext "keyUsage=critical,keyCertSign,cRLSign" \
	    -addext "subjectKeyIdentifier=hash"
}

# openssl ca, for start and end dates in the past or the future.
mkdir -p db
: >db/index.txt
echo 1000 >db/serial
cat >ca.cnf <<'EOF'
[ca]
default_ca = test_ca
[test_ca]
dir = .
database = $dir/db/index.txt
serial = $dir/db/serial
new_certs_dir = $dir/db
default_md = sha256
policy = anything
unique_subject = no
copy_extensions = none
email_in_dn = no
[anything]
commonName = supplied
organizationName = optional
EOF
utc() { date -u -d "$1" +%Y%m%d%H%M%SZ; }

# A leaf: its key, then the certificate signed by ISSUER between START and
# END with DIGEST, naming SAN (none if empty).  NAME.pem holds the leaf
# alone.
make_leaf() {	# make_leaf NAME KEYSPEC ISSUER START END DIGEST SAN
	local name=$1 keyspec=$2 issuer=$3 start=$4 end=$5 md=$6 san=$7
	cat >"$name.ext" <<-EOF
	basicConstraints = critical,CA:FALSE
	keyUsage = critical,digitalSignature,keyEncipherment
	extendedKeyUsage = serverAuth
	subjectKeyIdentifier = hash
	authorityKeyIdentifier = keyid
	EOF
	[ -z "$san" ] || echo "subjectAltName = $san" >>"$name.ext"
	ossl req -new -newkey "$keyspec" -nodes -keyout "$name.key" \
	    -out "$name.csr" -subj "/O=smtpscope tests/CN=$name.smtpscope.test"
	ossl ca -batch -config ca.cnf -cert "$issuer.pem" -keyfile "$issuer.key" \
	    -in "$name.csr" -out "$name.pem" -notext -md "$md" \
	    -startdate "$(utc "$start")" -enddate "$(utc "$end")" \
	    -extfile "$name.ext"
}

ossl ecparam -name prime256v1 -out ec.param
ec=ec:ec.param
good='DNS:localhost,IP:127.0.0.1,IP:::1'

make_ca ca "smtpscope test CA"
make_ca other-ca "smtpscope other CA"
make_leaf valid "$ec" ca '-1 hour' '+20 days' sha256 "$good"
make_leaf expired "$ec" ca '-40 days' '-10 days' sha256 "$good"
make_leaf notyet "$ec" ca '+10 days' '+40 days' sha256 "$good"
make_leaf unknownca "$ec" other-ca '-1 hour' '+20 days' sha256 "$good"
cat unknownca.pem other-ca.pem >unknownca-chain.pem
make_leaf wronghost "$ec" ca '-1 hour' '+20 days' sha256 \
    'DNS:mail.example.org'
make_leaf nosan "$ec" ca '-1 hour' '+20 days' sha256 ''
make_leaf rsa1024 rsa:1024 ca '-1 hour' '+20 days' sha256 "$good"
make_leaf sha1 "$ec" ca '-1 hour' '+20 days' sha1 "$good"

# Self-signed: names the right host, vouched for by nobody.
ossl req -x509 -newkey "$ec" -nodes -keyout selfsigned.key \
    -out selfsigned.pem -days 20 -sha256 \
    -subj "/O=smtpscope tests/CN=selfsigned.smtpscope.test" \
    -addext "basicConstraints=critical,CA:FALSE" \
    -addext "extendedKeyUsage=serverAuth" \
    -addext "subjectAltName=$good"
exit 0
