# SPDX-License-Identifier: ISC
# Shared by tests/hostile/plain.sh and tui.sh: finds smtpscope and the
# hostile test server (compiling tests/hostile/hostile.c when it is not
# built or older than its source), starts and stops the server, and checks
# output for bytes a terminal would act on.  Sets $bin, $hostile, $tmp.
top_srcdir=${top_srcdir:-.}
top_builddir=${top_builddir:-.}
bin=$(cd "$top_builddir" && pwd)/src/smtpscope
hostile=$(cd "$top_builddir" && pwd)/tests/hostile/hostile
hostile_src=$top_srcdir/tests/hostile/hostile.c
export SMTPSCOPE_LOCALEDIR=${SMTPSCOPE_LOCALEDIR:-$(cd "$top_builddir" && pwd)/po/locale}
export LC_ALL=C.UTF-8

[ -x "$bin" ] || { echo "1..0 # SKIP $bin is not built"; exit 0; }
if [ ! -x "$hostile" ] || [ "$hostile_src" -nt "$hostile" ]; then
	mkdir -p "${hostile%/*}"
	# Build beside and rename, so that two scripts may race safely.
	if ! ${CC:-cc} -std=gnu11 -O2 -Wall -Wextra -o "$hostile.$$" \
	    "$hostile_src" -lssl -lcrypto || ! mv -f "$hostile.$$" "$hostile"; then
		rm -f "$hostile.$$"
		echo "Bail out! cannot compile $hostile_src"
		exit 1
	fi
fi

tmp=$(mktemp -d)
hpid=
hostile_stop() {
	local i
	[ -n "$hpid" ] || return 0
	for i in $(seq 30); do
		kill -0 "$hpid" 2>/dev/null || break
		sleep 0.1
	done
	kill "$hpid" 2>/dev/null
	wait "$hpid" 2>/dev/null
	hpid=
}

# hostile_start CASE: serve CASE once; sets $port.  What the client sent
# goes to $tmp/srv.
hostile_start() {
	local i
	hostile_stop
	rm -f "$tmp/port"
	"$hostile" "$1" "$tmp/port" 2>"$tmp/srv" &
	hpid=$!
	port=
	for i in $(seq 100); do
		[ -s "$tmp/port" ] && break
		sleep 0.05
	done
	port=$(cat "$tmp/port" 2>/dev/null)
	[ -n "$port" ]
}

# clean FILE: no byte a terminal acts on: C0 controls but TAB and LF,
# DEL, C1 controls (U+0080-U+009F), BiDi and zero-width characters, tag
# characters, variation selectors, Hangul fillers, U+180E, U+FFF9-FFFB,
# and nothing that is not UTF-8.
clean() {
	[ "$(LC_ALL=C tr -d '\011\012\040-\176\200-\377' <"$1" | wc -c)" = 0 ] &&
	    ! LC_ALL=C grep -q $'\xc2[\x80-\x9f]\|\xe2\x80[\x8b-\x8f\xaa-\xae]\|\xe2\x81[\xa6-\xa9]' "$1" &&
	    ! LC_ALL=C grep -q $'\xf3\xa0\|\xe1\xa0[\x8b-\x8f]\|\xef\xbf[\xb9-\xbb]\|\xef\xb8[\x80-\x8f]\|\xe1\x85[\x9f\xa0]\|\xe3\x85\xa4\|\xef\xbe\xa0' "$1" &&
	    iconv -f UTF-8 -t UTF-8 "$1" >/dev/null 2>&1
}

# no_sanitizer FILE: no AddressSanitizer or UBSan report in FILE.
no_sanitizer() {
	! grep -qE 'ERROR: [A-Za-z]*Sanitizer|runtime error:' "$1"
}
