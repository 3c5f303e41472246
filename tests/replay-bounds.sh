#!/bin/bash
# SPDX-License-Identifier: ISC
# --replay in memory and time (issue 11): a generated transcript of 8.6 MB
# (100,000 NOOPs and their one-line replies in --log form) and one of half
# that are replayed in line mode with --scrollback 1M.  The peak resident
# memory (GNU time's %M) over that of a tiny transcript stays under three
# times the file's size plus 8 MB (it was twelve times the file: every
# line parsed, paired and kept as events), and twice the file takes at
# most three times the CPU time of the half (linear, with room for noise).
# Not measured under AddressSanitizer, whose quarantine keeps what is freed.
set -u
top_srcdir=${top_srcdir:-.}
top_builddir=${top_builddir:-.}
bin=$top_builddir/src/smtpscope
. "$top_srcdir/tests/lib.sh"
[ -x /usr/bin/time ] || { echo "1..0 # SKIP no GNU time"; exit 0; }
grep -qa __asan_init "$bin" &&
    { echo "1..0 # SKIP memory is not measured under ASan"; exit 0; }
tmp=$(mktemp -d /tmp/smtpscope-replay-bounds.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
export LC_ALL=C.UTF-8

# gen FILE N: a greeting, then N NOOPs each with its one-line reply.
gen() {
	awk -v n="$2" 'BEGIN {
		t = "2026-11-22T16:39:15.396Z"
		print t " S clear 220 mx.replay.test ESMTP"
		for (i = 0; i < n; i++) {
			print t " C clear NOOP"
			print t " S clear 250 2.0.0 ok " i
		}
	}' >"$1"
}
# measure FILE: "KIB SECONDS" of a line-mode replay, or nothing when it
# did not end with exit status 0.
measure() {
	/usr/bin/time -f '%M %U %S' -o "$tmp/time" timeout 300 "$bin" \
	    --replay "$1" --plain --scrollback 1M >/dev/null 2>&1 || return
	awk '{ printf "%d %.2f\n", $1, $2 + $3 }' "$tmp/time"
}
gen "$tmp/tiny.log" 10
gen "$tmp/half.log" 50000
gen "$tmp/full.log" 100000
read -r tiny_kb _ <<<"$(measure "$tmp/tiny.log")"
read -r half_kb half_s <<<"$(measure "$tmp/half.log")"
read -r full_kb full_s <<<"$(measure "$tmp/full.log")"
size_kb=$(( $(wc -c <"$tmp/full.log") / 1024 ))
echo "# file ${size_kb} KiB; peak ${tiny_kb:-?} KiB tiny, ${half_kb:-?} KiB half, ${full_kb:-?} KiB full"
echo "# CPU ${half_s:-?} s half, ${full_s:-?} s full"
t "the replays ran" test -n "${tiny_kb:-}" -a -n "${half_kb:-}" -a -n "${full_kb:-}"
t "memory under 3 times the file plus 8 MB" \
    test "${full_kb:-999999}" -le $(( ${tiny_kb:-0} + 3 * size_kb + 8192 ))
t "twice the file takes at most 3 times the CPU time" \
    awk -v a="${half_s:-0}" -v b="${full_s:-999}" 'BEGIN { exit !(b <= 3 * a + 0.3) }'
echo "1..$n"
