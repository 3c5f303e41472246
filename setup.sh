#!/bin/sh
# SPDX-License-Identifier: ISC
# Install what smtpscope needs on Debian or Ubuntu (only what is missing),
# then configure and build it.  With --mta, also install the tools the
# real-server tests, the memcheck pass and the benchmarks use (Postfix,
# tmux, socat, swaks, valgrind); Postfix's own service is not started by
# the install.
set -e
cd "$(dirname "$0")"

pkgs="build-essential autoconf automake pkg-config gettext libncurses-dev libreadline-dev libssl-dev libpcre2-dev"
mta=no
for arg in "$@"; do
	case $arg in
	--mta) mta=yes; pkgs="$pkgs postfix openssl tmux socat chromium poppler-utils swaks python3 valgrind" ;;
	*) echo "usage: ./setup.sh [--mta]" >&2; exit 2 ;;
	esac
done

missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
	    missing="$missing $p"
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" = 0 ]; then sudo=; else sudo=sudo; fi
	echo "setup.sh: installing$missing"
	# Keep a freshly installed MTA from starting on port 25.
	policy=
	if [ "$mta" = yes ] && [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
		$sudo chmod 755 /usr/sbin/policy-rc.d
		policy=yes
	fi
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y $missing ||
	    { $sudo apt-get update && $sudo env DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y $missing; }
	[ -n "$policy" ] && $sudo rm -f /usr/sbin/policy-rc.d
fi

[ -x configure ] || autoreconf -fi
[ -f Makefile ] || ./configure
make -j"$(nproc 2>/dev/null || echo 2)"
