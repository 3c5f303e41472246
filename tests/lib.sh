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
