#!/bin/bash
# SPDX-License-Identifier: ISC
# make bench: every benchmark in one run (bench/README.md).  Starts the
# practice server (and, when run as root with Postfix installed, a private
# Postfix) on loopback ports, compares smtpscope with swaks on each, then
# times the DATA encoder, the explanation lookup and the full screen
# under a flood.  Servers are stopped by pid at the end.
#
# usage: bench/run.sh [BUILDDIR] [compare.py options...]
set -u
srcdir=$(cd "$(dirname "$0")/.." && pwd)
builddir=$(cd "${1:-.}" && pwd)
shift || true
bin=$builddir/src/smtpscope
[ -x "$bin" ] || { echo "bench: build smtpscope first ($bin)" >&2; exit 2; }
for tool in swaks socat python3; do
	command -v $tool >/dev/null 2>&1 ||
	    { echo "bench: $tool is not installed (./setup.sh --mta)" >&2; exit 2; }
done

tmp=$(mktemp -d /tmp/smtpscope-bench.XXXXXX)
# Postfix's daemons run as the postfix user and must reach their queue.
chmod 755 "$tmp"
spid=
pfdir=
cleanup() {
	[ -n "$spid" ] && kill "$spid" 2>/dev/null && wait "$spid" 2>/dev/null
	[ -n "$pfdir" ] && postfix_server_stop "$pfdir"
	rm -rf "$tmp"
}
trap cleanup EXIT

echo "smtpscope $("$bin" --version | sed 's/^smtpscope //'), $(swaks --version | head -1)"
echo "$(nproc) CPUs, $(uname -r), $(date -u '+%Y-%m-%d %H:%M UTC')"

# The practice server, taking messages of up to 1 GB.
echo "set size 1073741824" >"$tmp/practice"
for port in $(shuf -i 20000-60000 -n 20); do
	(echo >/dev/tcp/127.0.0.1/$port) 2>/dev/null && continue
	"$bin" --serve 127.0.0.1:$port --practice-script "$tmp/practice" \
	    >"$tmp/serve.log" 2>&1 &
	spid=$!
	for i in $(seq 50); do
		(echo >/dev/tcp/127.0.0.1/$port) 2>/dev/null && break
		sleep 0.1
	done
	kill -0 "$spid" 2>/dev/null && break
	spid=
done
[ -n "$spid" ] || { echo "bench: the practice server did not start" >&2; exit 1; }
servers=("practice=127.0.0.1:$port=alice@practice.smtpscope.test")

. "$srcdir/tests/mta/postfix-server.sh"
why=$(postfix_server_missing)
if [ -z "$why" ]; then
	pfdir=$tmp/postfix
	mkdir -p "$pfdir"
	if postfix_server_start "$pfdir" "message_size_limit = 1073741824"; then
		servers+=("postfix=127.0.0.1:$postfix_port=root@mta.smtpscope.test")
	else
		echo "bench: Postfix did not start:"; sed 's/^/  /' "$pfdir/start.log"
	fi
else
	echo "bench: no Postfix ($why)"
fi

status=0
python3 "$srcdir/bench/compare.py" "$@" "$bin" "${servers[@]}" || status=1
echo "encoder:"
"$builddir/bench/dotstuff" | sed 's/^/  /' || status=1
echo "explanations:"
"$builddir/bench/lookup" "$srcdir/tests/data/corpus.kb" | sed 's/^/  /' || status=1
echo "full screen under a flood:"
python3 "$srcdir/bench/tui-flood.py" "$bin" 1000000 100 1 | sed 's/^/  /' || status=1
python3 "$srcdir/bench/tui-flood.py" "$bin" 1000000 100000 3 | sed 's/^/  /' || status=1
exit $status
