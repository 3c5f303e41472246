#!/bin/bash
# SPDX-License-Identifier: ISC
# Data-driven session tests: each tests/sessions/*.session file runs the
# real smtpscope in line mode against the built-in practice server and
# checks what it printed.  Sections of a .session file:
#   [options]  extra command-line arguments, one per line
#   [server]   practice-script directives for the server (see smtpscope(1))
#   [client]   the lines typed (given to --script)
#   [expect]   lines that must appear in the output, in this order (other
#              lines may come between them); a line ending in "..." matches
#              any line that starts with the rest
#   [absent]   text that must not appear anywhere in the output
#   [nolog]    text that must not appear in the --log transcript (the
#              session then runs with --log into a file of the test's own)
#   [exit]     the expected exit status (default 0)
# The output must never hold a raw ESC or other C0 control byte.  With
# SMTPSCOPE_VALGRIND=1 each session runs under Valgrind's memcheck and any
# error it reports fails that session (see tests/lib.sh).
set -u
top_srcdir=${top_srcdir:-.}
top_builddir=${top_builddir:-.}
bin=$top_builddir/src/smtpscope
dir=$top_srcdir/tests/sessions
tmp=$(mktemp -d)
. "$top_srcdir/tests/lib.sh"
trap 'rm -rf "$tmp" ${vg_dir:+"$vg_dir"}' EXIT

files=("$dir"/*.session)
echo "1..${#files[@]}"
n=0
for f in "${files[@]}"; do
	n=$((n + 1))
	name=$(basename "$f" .session)
	rm -f "$tmp"/sec.*
	awk -v d="$tmp" '
		/^\[[a-z]+\]$/ { sec = substr($0, 2, length($0) - 2); next }
		sec == "" && /^#/ { next }
		sec != "" { print > (d "/sec." sec) }
	' "$f"
	for s in options server client expect absent nolog exit; do
		[ -f "$tmp/sec.$s" ] || : >"$tmp/sec.$s"
	done
	mapfile -t opts <"$tmp/sec.options"
	want_exit=$(head -n1 "$tmp/sec.exit")
	want_exit=${want_exit:-0}
	args=(--demo --script "$tmp/sec.client" "${opts[@]}")
	[ -s "$tmp/sec.server" ] && args+=(--practice-script "$tmp/sec.server")
	rm -f "$tmp/log"
	[ -s "$tmp/sec.nolog" ] && args+=(--log "$tmp/log")
	# shellcheck disable=SC2086 # $vg is a command line or nothing
	timeout $((60 * slow)) $vg "$bin" "${args[@]}" >"$tmp/out" \
	    2>"$tmp/err" </dev/null
	got_exit=$?
	why=
	: >"$tmp/vgerr"
	if [ -n "$vg" ]; then
		grep -h . "$vg_dir"/vg.* >"$tmp/vgerr" 2>/dev/null
		[ -s "$tmp/vgerr" ] && why="memcheck found errors"
		rm -f "$vg_dir"/vg.*
	fi
	[ -n "$why" ] || [ "$got_exit" = "$want_exit" ] ||
	    why="exit status $got_exit, expected $want_exit"
	# Ordered subsequence match of the expected lines.
	if [ -z "$why" ]; then
		why=$(awk '
			NR == FNR { want[++nw] = $0; next }
			{
				if (i >= nw) next
				w = want[i + 1]
				if (w ~ /\.\.\.$/) {
					p = substr(w, 1, length(w) - 3)
					if (substr($0, 1, length(p)) == p) i++
				} else if ($0 == w) i++
			}
			END { if (i < nw) print "missing (in order): " want[i + 1] }
		' "$tmp/sec.expect" "$tmp/out")
	fi
	if [ -z "$why" ]; then
		while IFS= read -r a; do
			[ -n "$a" ] || continue
			if grep -qF -- "$a" "$tmp/out"; then
				why="must not appear: $a"
				break
			fi
		done <"$tmp/sec.absent"
	fi
	if [ -z "$why" ] && [ -s "$tmp/sec.nolog" ]; then
		if [ ! -s "$tmp/log" ]; then
			why="no --log transcript written"
		else
			while IFS= read -r a; do
				[ -n "$a" ] || continue
				if grep -qF -- "$a" "$tmp/log"; then
					why="must not appear in the log: $a"
					break
				fi
			done <"$tmp/sec.nolog"
		fi
	fi
	if [ -z "$why" ] && LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177]')" "$tmp/out"; then
		why="raw control byte in the output"
	fi
	if [ -z "$why" ]; then
		echo "ok $n - $name"
	else
		echo "not ok $n - $name: $why"
		sed 's/^/# memcheck: /' "$tmp/vgerr" | head -100
		sed 's/^/# /' "$tmp/out" | head -150
		sed 's/^/# stderr: /' "$tmp/err" | head -20
	fi
done
