#!/bin/sh
# SPDX-License-Identifier: ISC
# The session core has no UI code: no curses or readline header in any
# source of libsmtp.a (src/base, src/net, src/smtp), and no curses or
# readline symbol in the library.
top_srcdir=${top_srcdir:-.}
top_builddir=${top_builddir:-.}
echo "1..2"
srcs=$(cd "$top_srcdir" && ls src/base/*.[ch] src/net/*.[ch] src/smtp/*.[ch])
bad=
for f in $srcs; do
	grep -lE '#include <(n?curses|ncursesw/|readline/|term\.h)' "$top_srcdir/$f" >/dev/null 2>&1 &&
	    bad="$bad $f"
done
if [ -z "$bad" ] && [ -n "$srcs" ]; then
	echo "ok 1 - no curses or readline include in the core ($(echo $srcs | wc -w) files)"
else
	echo "not ok 1 - UI headers in the core:$bad"
fi
syms=$(nm -u "$top_builddir/src/smtp/libsmtp.a" 2>/dev/null | grep -E ' (rl_|readline|wgetch|initscr|newterm|wrefresh|doupdate|add_history)' )
if [ -z "$syms" ]; then
	echo "ok 2 - libsmtp.a uses no curses or readline symbol"
else
	echo "not ok 2 - libsmtp.a uses:"; echo "$syms" | sed 's/^/# /'
fi
