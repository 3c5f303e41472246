# SPDX-License-Identifier: ISC
# Start a private Postfix on loopback ports, for tests/mta/postfix.sh and
# bench/run.sh.  Sourced; needs root, the postfix package and openssl(1).
#
#   postfix_server_start DIR [MAIN.CF LINES]  start it with its own
#       configuration, queue and self-signed certificate under DIR; sets
#       $postfix_port (SMTP with STARTTLS) and $postfix_tport (implicit
#       TLS); returns 1 after writing why to DIR/start.log
#   postfix_server_stop DIR                    stop it by pid and put the
#       system main.cf back
#
# Mail is never relayed: local delivery is discarded and every other
# transport is "error:".  Extra main.cf lines (say message_size_limit)
# are appended to the configuration.

. "$(dirname "${BASH_SOURCE[0]}")/../port.sh"

# Why Postfix cannot run here, or nothing.
postfix_server_missing() {
	[ "$(id -u)" = 0 ] || { echo "Postfix needs root"; return; }
	command -v postfix >/dev/null 2>&1 || [ -x /usr/sbin/postfix ] ||
	    { echo "postfix is not installed"; return; }
	command -v openssl >/dev/null 2>&1 ||
	    { echo "openssl(1) is not installed"; return; }
	getent passwd postfix >/dev/null || echo "no postfix user"
}

postfix_server_start() {
	local dir=$1 extra=${2:-} i
	PATH=$PATH:/usr/sbin
	postfix_port=$(free_port)
	postfix_tport=$(free_port)
	if [ -z "$postfix_port" ] || [ -z "$postfix_tport" ] ||
	    [ "$postfix_port" = "$postfix_tport" ]; then
		echo "no free port" >"$dir/start.log"
		return 1
	fi
	mkdir -p "$dir/conf" "$dir/queue" "$dir/data"
	chmod 755 "$dir"
	chown postfix "$dir/data"
	if ! openssl req -x509 -newkey rsa:2048 -nodes -days 2 \
	    -subj "/CN=localhost" \
	    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
	    -keyout "$dir/conf/key.pem" -out "$dir/conf/cert.pem" \
	    >"$dir/start.log" 2>&1; then
		echo "cannot make a certificate" >>"$dir/start.log"
		return 1
	fi
	cat >"$dir/conf/main.cf" <<CONF
compatibility_level = 3.6
queue_directory = $dir/queue
data_directory = $dir/data
maillog_file = $dir/maillog
maillog_file_prefixes = $dir
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = mta.smtpscope.test
mydomain = smtpscope.test
myorigin = \$myhostname
mydestination = \$myhostname
mynetworks = 192.0.2.1/32
local_recipient_maps = unix:passwd.byname
alias_maps =
alias_database =
local_transport = discard:
default_transport = error:smtpscope test server never relays
relay_transport = error:smtpscope test server never relays
smtpd_relay_restrictions = reject_unauth_destination
disable_vrfy_command = no
smtpd_banner = \$myhostname ESMTP Postfix (smtpscope test)
smtpd_tls_cert_file = $dir/conf/cert.pem
smtpd_tls_key_file = $dir/conf/key.pem
smtpd_tls_security_level = may
smtpd_peername_lookup = no
biff = no
$extra
CONF
	cat >"$dir/conf/master.cf" <<CONF
127.0.0.1:$postfix_port inet n - n - - smtpd
127.0.0.1:$postfix_tport inet n - n - - smtpd -o smtpd_tls_wrappermode=yes
pickup    unix  n - n 60 1 pickup
cleanup   unix  n - n - 0 cleanup
qmgr      unix  n - n 300 1 qmgr
tlsmgr    unix  - - n 1000? 1 tlsmgr
rewrite   unix  - - n - - trivial-rewrite
bounce    unix  - - n - 0 bounce
defer     unix  - - n - 0 bounce
trace     unix  - - n - 0 bounce
verify    unix  - - n - 1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n - - proxymap
smtp      unix  - - n - - smtp
relay     unix  - - n - - smtp
showq     unix  n - n - - showq
error     unix  - - n - - error
retry     unix  - - n - - error
discard   unix  - - n - - discard
local     unix  - n n - - local
anvil     unix  - - n - 1 anvil
scache    unix  - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
CONF
	# Postfix only accepts a -c directory listed in the default instance.
	cp /etc/postfix/main.cf "$dir/main.cf.system"
	postconf -c /etc/postfix -e "alternate_config_directories = $dir/conf"
	if ! postfix -c "$dir/conf" start >>"$dir/start.log" 2>&1; then
		postfix_server_stop "$dir"
		return 1
	fi
	for i in $(seq 50); do
		(echo >/dev/tcp/127.0.0.1/$postfix_port) 2>/dev/null && return 0
		sleep 0.1
	done
	echo "Postfix did not listen on 127.0.0.1:$postfix_port" >>"$dir/start.log"
	return 1
}

postfix_server_stop() {
	local dir=$1 pid
	PATH=$PATH:/usr/sbin
	postfix -c "$dir/conf" stop >/dev/null 2>&1
	if [ -f "$dir/queue/pid/master.pid" ]; then
		pid=$(tr -d ' ' <"$dir/queue/pid/master.pid")
		[ -n "$pid" ] && kill "$pid" 2>/dev/null
	fi
	if [ -f "$dir/main.cf.system" ]; then
		cp "$dir/main.cf.system" /etc/postfix/main.cf
		rm -f "$dir/main.cf.system"
	fi
}
