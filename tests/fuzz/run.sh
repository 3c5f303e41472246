#!/bin/sh
# SPDX-License-Identifier: ISC
#
# Build and run the libFuzzer targets in tests/fuzz/ (STYLE.md 5.6).
#
# Run from the top of a configured and built tree (config.h and the
# generated src/kb/kb-data.c must exist):
#	make && sh tests/fuzz/run.sh
#
# The targets are built with clang directly, not through automake: the core
# sources each target needs are compiled again with the fuzzer and sanitizer
# instrumentation (the libraries, built by the configured compiler without
# it, cannot be linked into a fuzzer).
#
# Environment:
#	FUZZ_BUILD	build and scratch directory (default ./fuzz-build)
#	FUZZ_SECONDS	seconds each target runs (default 30; 0: build and
#			replay the known inputs only)
#	FUZZ_TARGETS	targets to run (default: all of them)
#	FUZZ_CC		compiler (default clang)
#	FUZZ_FLAGS	extra libFuzzer options, e.g. "-jobs=2"
#
# Each target's seed corpus (tests/fuzz/corpus/NAME/) is copied to a scratch
# directory, so the source tree is never written.  Reproducers of past
# findings (tests/fuzz/crashes/NAME-*) are replayed first.  Exits 0 when
# every target built and nothing crashed, 1 otherwise; skips (exit 0) when
# clang or libFuzzer's runtime is missing.

set -u

top=$(pwd)
fuzzdir=$(cd "$(dirname "$0")" && pwd)
srcdir=$(cd "$fuzzdir/../.." && pwd)
build=${FUZZ_BUILD:-./fuzz-build}
seconds=${FUZZ_SECONDS:-30}
cc=${FUZZ_CC:-clang}
extra=${FUZZ_FLAGS:-}
all_targets="reply caps kb replay escape cert settings practice script compare \
    raw"
targets=${FUZZ_TARGETS:-$all_targets}

# The core sources each target needs (beyond $common), and the longest
# input it is given.
common="src/base/buf.c src/base/xmalloc.c src/base/log.c src/base/text.c
	src/base/file.c"
target_sources() {
	case $1 in
	reply)	echo src/smtp/reply.c src/kb/explain.c src/kb/kb.c \
		    src/kb/kb-data.c src/kb/match.c src/kb/format.c \
		    src/base/width.c ;;
	caps)	echo src/smtp/reply.c src/smtp/caps.c ;;
	kb)	echo src/kb/kb.c src/kb/kb-data.c src/kb/match.c \
		    src/kb/explain.c src/smtp/reply.c src/kb/format.c \
		    src/base/width.c ;;
	replay)	echo src/record/replay.c src/smtp/reply.c src/smtp/caps.c \
		    src/base/b64.c src/kb/explain.c src/kb/kb.c src/kb/kb-data.c \
		    src/kb/match.c ;;
	escape)	echo src/smtp/dotstuff.c ;;
	cert)	echo src/net/tls.c src/kb/format.c src/kb/explain.c \
		    src/kb/kb.c src/kb/kb-data.c src/kb/match.c \
		    src/smtp/reply.c src/base/width.c ;;
	settings) echo src/tui/settings.c ;;
	practice|script)
		echo src/practice/practice.c src/practice/practice-server.c ;;
	compare) echo src/kb/explain.c src/kb/kb.c src/kb/kb-data.c \
		    src/kb/match.c src/smtp/reply.c src/kb/format.c \
		    src/base/width.c ;;
	raw)	echo src/record/replay.c src/smtp/reply.c src/smtp/caps.c \
		    src/base/b64.c src/kb/explain.c src/kb/kb.c src/kb/kb-data.c \
		    src/kb/match.c ;;
	esac
}
target_maxlen() {
	case $1 in
	kb)	echo 65536 ;;
	replay)	echo 32768 ;;
	escape|raw) echo 4096 ;;
	compare) echo 512 ;;
	practice) echo 36000 ;;
	*)	echo 16384 ;;
	esac
}

cflags="-g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined
	-fno-sanitize-recover=undefined -Wall -Wextra -Wno-unused-parameter
	-Wno-sign-compare"
libs="-lssl -lcrypto -lpthread -lpcre2-8"

skip() {
	echo "fuzz: SKIP: $*"
	exit 0
}

if ! command -v "$cc" >/dev/null 2>&1; then
	skip "$cc not found (install clang and libclang-rt-dev to fuzz)"
fi
if [ ! -f config.h ] || [ ! -f src/kb/kb-data.c ]; then
	echo "fuzz: run from the top of a configured, built tree" \
	    "(config.h and src/kb/kb-data.c are missing in $top)" >&2
	exit 2
fi

mkdir -p "$build" || exit 2
build=$(cd "$build" && pwd)

# Is libFuzzer's runtime there?  (Debian: libclang-rt-NN-dev.)
probe="$build/probe.c"
cat >"$probe" <<'EOF'
#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }
EOF
if ! "$cc" -fsanitize=fuzzer,address,undefined "$probe" \
    -o "$build/probe" >"$build/probe.log" 2>&1; then
	skip "$cc cannot link -fsanitize=fuzzer (libFuzzer runtime missing," \
	    "e.g. Debian package libclang-rt-NN-dev); see $build/probe.log"
fi
rm -f "$build/probe" "$build/probe.c" "$build/probe.log"

# Seconds since the epoch with a fraction, for build times.
now() {
	date +%s.%N 2>/dev/null | sed 's/N$/0/'
}

# Print the first report of a libFuzzer log: what failed and where.
show() {
	awk '
	/^Running: / { print "    " $0; next }
	frames && !/^ +#[0-9]+ 0x/ { done = 1 }
	/ERROR: |runtime error:|invariant failed|^SUMMARY:/ {
		if (!seen++ || !/^SUMMARY:/) print "    " $0
		next
	}
	/^ +#[0-9]+ 0x/ && seen && !done && frames < 8 {
		if ($0 ~ /fuzzer::|libc_start|_start |in main /) next
		frames++
		sub(/ \(BuildId: [0-9a-f]+\)/, "")
		print "    " $0
	}' "$1" | head -16
}

failed=0
summary=""
note() {
	summary="$summary$*
"
}

for t in $targets; do
	case " $all_targets " in
	*" $t "*) ;;
	*)	echo "fuzz: unknown target $t" >&2
		note "$t: unknown target"
		failed=1
		continue ;;
	esac
	srcs=$(target_sources "$t")
	maxlen=$(target_maxlen "$t")
	bin="$build/$t-fuzzer"
	log="$build/$t-build.log"

	# Build.
	start=$(now)
	# shellcheck disable=SC2086,SC2046
	if ! (cd "$top" && "$cc" $cflags -I. -Isrc -I"$srcdir/src" \
	    -I"$srcdir/tests" -include config.h \
	    -DPKGDATADIR='"/nonexistent"' -DLOCALEDIR='"/nonexistent"' \
	    -o "$bin" "$fuzzdir/$t-fuzzer.c" \
	    $(for s in $common $srcs; do
		if [ -f "$s" ]; then echo "$s"; else echo "$srcdir/$s"; fi
	    done) $libs) >"$log" 2>&1; then
		echo "fuzz: $t: BUILD FAILED (see $log)"
		tail -20 "$log"
		note "$t: build failed"
		failed=1
		continue
	fi
	secs=$(echo "$start $(now)" | awk '{ printf "%.1f", $2 - $1 }')
	echo "fuzz: $t: built in ${secs}s"

	work="$build/work/$t"
	rm -rf "$work"
	mkdir -p "$work/corpus" "$work/artifacts" || exit 2
	if [ -d "$fuzzdir/corpus/$t" ]; then
		cp -R "$fuzzdir/corpus/$t/." "$work/corpus/"
	fi
	dict="$fuzzdir/$t.dict"
	[ -f "$dict" ] || dict="$fuzzdir/smtp.dict"

	# Reproducers of earlier findings must not crash any more.
	for f in "$fuzzdir/crashes/$t"-*; do
		[ -f "$f" ] || continue
		klog="$work/known-$(basename "$f").log"
		if "$bin" -timeout=10 -rss_limit_mb=2048 "$f" >"$klog" 2>&1
		then
			echo "fuzz: $t: known input $(basename "$f"): passes"
		else
			echo "fuzz: $t: KNOWN INPUT $(basename "$f") STILL" \
			    "FAILS (see $klog):"
			show "$klog"
			note "$t: known reproducer $(basename "$f") still fails"
			failed=1
		fi
	done

	if [ "$seconds" -le 0 ] 2>/dev/null; then
		note "$t: built in ${secs}s; not run (FUZZ_SECONDS=0)"
		continue
	fi

	# Fuzz.
	out="$work/fuzz.log"
	# shellcheck disable=SC2086
	UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1} \
	"$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
	    -max_len="$maxlen" -dict="$dict" -print_final_stats=1 \
	    -artifact_prefix="$work/artifacts/" $extra "$work/corpus" \
	    >"$out" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out" |
	    tail -1)
	if [ -z "$execs" ]; then
		execs=$(sed -n 's/^#\([0-9][0-9]*\).*/\1/p' "$out" | tail -1)
	fi
	execs=${execs:-?}
	arts=$(cd "$work/artifacts" && find . -type f | sed 's|^\./||' |
	    tr '\n' ' ')
	if [ "$rc" -ne 0 ] || [ -n "$arts" ]; then
		echo "fuzz: $t: FOUND A PROBLEM after $execs executions" \
		    "(exit $rc); log: $out"
		show "$out"
		for a in $arts; do
			echo "fuzz: $t: input: $work/artifacts/$a"
		done
		note "$t: ${secs}s build, $execs execs, PROBLEM: $arts"
		failed=1
	else
		echo "fuzz: $t: $execs executions in ${seconds}s, no crash"
		note "$t: ${secs}s build, $execs execs, ok"
	fi
done

echo "fuzz: summary"
printf '%s' "$summary" | sed 's/^/fuzz:   /'
exit $failed
