# SPDX-License-Identifier: ISC
# Sourced by the scripts that start a server of their own
# (tests/mta/*.sh, and bench/run.sh through tests/mta/postfix-server.sh).
#
#   free_port    print a TCP port in 20000-60000 on which nothing on
#                127.0.0.1 answers, or nothing after 20 tries
free_port() {
	local p
	for p in $(shuf -i 20000-60000 -n 20); do
		if ! (echo >/dev/tcp/127.0.0.1/$p) 2>/dev/null; then
			echo "$p"
			return
		fi
	done
}
