#!/bin/bash
# SPDX-License-Identifier: ISC
# Install Exim and OpenSMTPD for the real-MTA tests (tests/mta/exim.sh,
# tests/mta/opensmtpd.sh) on Debian, next to the Postfix that apt installed.
#
# OpenSMTPD comes from Debian 12's backports (7.x) when they can be reached:
# the 6.8 of bookworm itself fails every STARTTLS handshake with OpenSSL 3,
# and tests/mta/opensmtpd.sh tests STARTTLS.  A sources file for
# bookworm-backports is added under /etc/apt/sources.list.d (same mirror as
# the existing Debian sources) when none names it; backports keep apt's low
# priority, so nothing else is upgraded from them.  Elsewhere, or when
# backports cannot be had, the release's own opensmtpd is unpacked.
#
# Debian allows one package providing mail-transport-agent at a time, and
# Postfix is it; so exim4-daemon-light (with exim4-base and exim4-config)
# and opensmtpd are fetched with "apt-get download" and unpacked with
# "dpkg -x" into a private prefix, one folder each:
#   $SMTPSCOPE_MTA_PREFIX/exim       (default /opt/smtpscope-mta/exim)
#   $SMTPSCOPE_MTA_PREFIX/opensmtpd  (default /opt/smtpscope-mta/opensmtpd)
# Their library dependencies (libgnutls30, libevent-2.1-7, ...) do not
# conflict with anything and are installed normally.  The maintainer scripts
# do not run with dpkg -x, so the system users the daemons need are created
# here: Debian-exim, and opensmtpd/opensmtpq (Debian's names for upstream's
# _smtpd/_smtpq), plus OpenSMTPD's compiled-in chroot /var/lib/opensmtpd/empty.
#
# Nothing is started: no service is installed by dpkg -x, and apt-get runs
# under a policy-rc.d that forbids service starts.  Run as root; running it
# again does only what is missing.
set -euo pipefail

prefix=${SMTPSCOPE_MTA_PREFIX:-/opt/smtpscope-mta}
say() { echo "mta/install.sh: $*"; }

[ "$(id -u)" = 0 ] || { echo "mta/install.sh: must run as root" >&2; exit 1; }
command -v apt-get >/dev/null 2>&1 || { echo "mta/install.sh: needs apt-get (Debian)" >&2; exit 1; }
export DEBIAN_FRONTEND=noninteractive

# Forbid service starts while apt-get installs anything, as setup.sh does:
# keep an existing policy-rc.d, put ours only where there is none.
policy=
restore_policy() {
	if [ -n "$policy" ]; then rm -f /usr/sbin/policy-rc.d; fi
	policy=
}
trap restore_policy EXIT
forbid_starts() {
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod 755 /usr/sbin/policy-rc.d
		policy=yes
	fi
}

updated=
apt_update() {
	[ -n "$updated" ] && return 0
	say "apt-get update"
	apt-get update -qq
	updated=yes
}

# backports: on Debian 12, make bookworm-backports known to apt if no
# source names it yet; succeeds when apt offers packages from it.
backports() {
	local codename='' mirror added=''
	local file=/etc/apt/sources.list.d/smtpscope-bookworm-backports.sources
	[ -r /etc/os-release ] && codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
	[ "$codename" = bookworm ] || return 1
	local sources="/etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources"
	# shellcheck disable=SC2086
	if ! grep -qs 'bookworm-backports' $sources; then
		# The mirror the existing Debian sources use.
		# shellcheck disable=SC2086
		mirror=$(grep -hsE '^(URIs:|deb) ' $sources | grep -v security |
		    grep -oE 'https?://[^ ]*/debian/?( |$)' | tr -d ' ' | head -1)
		[ -n "$mirror" ] || mirror=http://deb.debian.org/debian
		say "adding bookworm-backports ($mirror) to apt's sources"
		cat >"$file" <<-EOF
		Types: deb
		URIs: $mirror
		Suites: bookworm-backports
		Components: main
		Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
		EOF
		updated=
		added=yes
	fi
	apt-cache madison opensmtpd 2>/dev/null | grep -q 'bookworm-backports' && return 0
	apt_update
	apt-cache madison opensmtpd 2>/dev/null | grep -q 'bookworm-backports' && return 0
	# Unreachable: take the source out again rather than leave apt a
	# mirror it cannot use.
	if [ -n "$added" ]; then
		say "bookworm-backports cannot be reached; removing $file"
		rm -f "$file"
		updated=
	fi
	return 1
}

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'; }

# install_libs DEB...: install the lib* packages the .debs depend on.
install_libs() {
	local deb dep missing=
	for deb in "$@"; do
		for dep in $(dpkg-deb -f "$deb" Depends | tr ',' '\n' |
		    sed 's/|.*//; s/(.*)//; s/:.*//; s/ //g' | grep '^lib' || true); do
			installed "$dep" || case " $missing " in
			*" $dep "*) ;;
			*) missing="$missing $dep" ;;
			esac
		done
	done
	if [ -z "$missing" ]; then
		say "libraries already installed"
		return
	fi
	say "installing libraries:$missing"
	forbid_starts
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null ||
	    { apt_update && apt-get install -y -qq --no-install-recommends $missing >/dev/null; }
	restore_policy
}

# version PACKAGE[/SUITE]: the version apt would fetch (from SUITE if given).
version() {
	local p=${1%%/*} suite=
	case $1 in */*) suite=${1#*/} ;; esac
	if [ -n "$suite" ]; then
		apt-cache madison "$p" 2>/dev/null |
		    awk -F' *[|] *' -v s=" $suite/" 'index($3, s) { print $2; exit }'
	else
		apt-cache policy "$p" 2>/dev/null | awk '/Candidate:/ { print $2 }'
	fi
}

# unpack NAME PACKAGE[/SUITE]...: download the packages and unpack them into
# $prefix/NAME, unless the same versions are already there.
unpack() {
	local name=$1 dest=$prefix/$1 want p v tmp
	shift
	want=
	for p in "$@"; do
		v=$(version "$p")
		if [ -z "$v" ] || [ "$v" = "(none)" ]; then
			apt_update
			v=$(version "$p")
		fi
		p=${p%%/*}
		[ -n "$v" ] && [ "$v" != "(none)" ] || { echo "mta/install.sh: no package $p" >&2; exit 1; }
		want="$want $p=$v"
	done
	if [ -f "$dest/.smtpscope-packages" ] && [ "$(cat "$dest/.smtpscope-packages")" = "$want" ]; then
		say "$name already unpacked in $dest:$want"
		install_libs "$dest"/.debs/*.deb
		return
	fi
	tmp=$(mktemp -d /tmp/smtpscope-mta-install.XXXXXX)
	# apt-get download fetches as the _apt user where it can write.
	getent passwd _apt >/dev/null && chown _apt "$tmp"
	say "downloading$want"
	# shellcheck disable=SC2086
	(cd "$tmp" && apt-get download -qq $want 2>/dev/null) ||
	    { apt_update && (cd "$tmp" && apt-get download -qq $want); }
	rm -rf "$dest"
	mkdir -p "$dest/.debs"
	for p in "$tmp"/*.deb; do
		say "unpacking $(basename "$p") into $dest"
		dpkg -x "$p" "$dest"
		mv "$p" "$dest/.debs/"
	done
	rm -rf "$tmp"
	install_libs "$dest"/.debs/*.deb
	echo "$want" >"$dest/.smtpscope-packages"
}

# system_user NAME GROUP HOME: a system user with its own group, no login.
system_user() {
	local user=$1 group=$2 home=$3
	if ! getent group "$group" >/dev/null; then
		say "adding group $group"
		groupadd --system "$group"
	fi
	if getent passwd "$user" >/dev/null; then
		say "user $user exists"
	else
		say "adding user $user"
		useradd --system --gid "$group" --home-dir "$home" --no-create-home \
		    --shell /usr/sbin/nologin --comment "$user (smtpscope tests)" "$user"
	fi
}

mkdir -p "$prefix"
unpack exim exim4-daemon-light exim4-base exim4-config
if backports; then
	unpack opensmtpd opensmtpd/bookworm-backports
else
	say "bookworm-backports not available: OpenSMTPD from the release (no STARTTLS test)"
	unpack opensmtpd opensmtpd
fi

system_user Debian-exim Debian-exim /var/spool/exim4
system_user opensmtpd opensmtpd /var/lib/opensmtpd/empty
system_user opensmtpq opensmtpq /var/lib/opensmtpd/empty
# smtpd chroots its unprivileged processes into this compiled-in folder,
# which must belong to root and be writable by no one else.
if [ ! -d /var/lib/opensmtpd/empty ]; then
	say "creating /var/lib/opensmtpd/empty"
fi
install -d -o root -g root -m 755 /var/lib/opensmtpd /var/lib/opensmtpd/empty

"$prefix/exim/usr/sbin/exim4" -bV 2>/dev/null | head -1 | sed 's/^/mta\/install.sh: /' || true
"$prefix/opensmtpd/usr/sbin/smtpd" -h 2>&1 | head -1 | sed 's/^/mta\/install.sh: /' || true
say "done"
