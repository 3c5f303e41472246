# SPDX-License-Identifier: ISC
# Shared by the shell tests: t DESCRIPTION COMMAND... runs COMMAND and
# prints one TAP line for it; a script may define on_fail to print
# diagnostics after a failure.  $n counts the tests, $fails the failures.
n=0
fails=0
t() {
	local desc=$1
	shift
	n=$((n + 1))
	if "$@"; then
		echo "ok $n - $desc"
	else
		echo "not ok $n - $desc"
		fails=$((fails + 1))
		if declare -F on_fail >/dev/null; then on_fail; fi
	fi
}

# SMTPSCOPE_VALGRIND=1 runs smtpscope under Valgrind's memcheck in the
# scripts that honour it (tests/tui/tui.sh, tests/hostile/tui.sh,
# tests/run-sessions.sh): they put $vg before the program.  Every process
# logs to its own file in $vg_dir; vg_clean, their last test, fails if any
# log holds an error (an invalid read or write, a use of an uninitialised
# value, a definite leak).  $slow multiplies the waits of those scripts.
# Not for a sanitizer build: ASan and Valgrind do not mix.
vg=
vg_dir=
slow=1
if [ "${SMTPSCOPE_VALGRIND:-0}" = 1 ]; then
	if ! command -v valgrind >/dev/null 2>&1; then
		echo "Bail out! SMTPSCOPE_VALGRIND=1 but valgrind is not installed"
		exit 1
	fi
	vg_dir=$(mktemp -d "${TMPDIR:-/tmp}/smtpscope-vg.XXXXXX")
	vg="valgrind -q --error-exitcode=97 --leak-check=full"
	vg="$vg --show-leak-kinds=definite --errors-for-leak-kinds=definite"
	vg="$vg --log-file=$vg_dir/vg.%p"
	slow=4
fi
# vg_clean: no memcheck error in any log so far (always true without
# Valgrind); the logs with one are printed as TAP comments.  The scripts
# remove $vg_dir when they end.
vg_clean() {
	[ -n "$vg_dir" ] || return 0
	if grep -q . "$vg_dir"/vg.* 2>/dev/null; then
		grep -H . "$vg_dir"/vg.* | head -200 | sed 's/^/# /'
		return 1
	fi
	return 0
}
