#!/bin/sh
# SPDX-License-Identifier: ISC
# The layering of src/ (../shared/ARCHITECTURE.md section 1): each folder
# is a layer, and the rule table below says which folders each one may
# use.  Checked:
#  1. every #include of ours names its folder ("dir/file.h"), and each
#     folder includes only itself and the folders its rule lists (so no
#     include runs from a lower layer to a higher one);
#  2. no folder that goes into a library (all but tui/ and main.c)
#     includes a curses or readline header;
#  3. the objects of each library, and of the program's front ends, use
#     no symbol defined in a folder their rule does not list (nm -u);
#  4. no library uses a curses or readline symbol.
# Tests 3 and 4 need the libraries built (make); they are skipped if not.
top_srcdir=${top_srcdir:-.}
top_builddir=${top_builddir:-.}

# The rule table: "folder: the folders below it that it may use".  Top to
# bottom: main -> tui, plain -> front -> record -> kb -> smtp -> net ->
# base, with practice beside them on base.  Where today's code breaks the
# target, the rule states what is true now, with a comment naming the
# arrow and the step that removes it, so this test passes now and is
# tightened as the arrows go.
rules='
base:
net:      base
# smtp -> kb: session.c calls explain_verb() (kb/explain.h); step 2 moves
# the verbs to smtp/ and removes it.  Target: "smtp: base net".
smtp:     base net kb
# kb -> net: format.c and its callers format a struct tls_info
# (net/tls.h).  Target: "kb: base smtp" (smtp/smtp.h and smtp/reply.h
# only; explain.c includes smtp/session.h for SESSION_FAIL_*, which step 2
# moves to smtp/smtp.h).  Inside kb/, kb.c and match.c include each other
# (the table cannot see it; step 2 removes the circle).
kb:       base net smtp
# record -> net: record.c, export.c and transcript.c show struct tls_info
# (net/tls.h).  Target: "record: base smtp kb".
record:   base net smtp kb
# practice uses base/ only (the target adds net/ once practice-server.c is
# built on net/conn.c).
practice: base
# front: today cmd.c uses base/ only.
front:    base net smtp kb record
tui:      base net smtp kb record front
plain:    base net smtp kb record front
'
# The folders that go into a library, and their archive.
libs='base:smtp/libsmtp.a net:smtp/libsmtp.a smtp:smtp/libsmtp.a
kb:kb/libkb.a record:record/librecord.a practice:practice/libpractice.a'

table=$(echo "$rules" | sed -e 's/#.*//' -e '/^[[:space:]]*$/d')
folders=" $(echo "$table" | sed 's/:.*//' | tr '\n' ' ') "
# allowed FOLDER: the folders FOLDER may use, itself first.
allowed() {
	echo "$1 $(echo "$table" | sed -n "s/^$1:[[:space:]]*//p")"
}

echo "1..4"

# 1. Includes against the table.
bad=
nfiles=0
for p in "$top_srcdir"/src/*/; do
	d=${p%/}
	d=${d##*/}
	case $folders in
	*" $d "*) ;;
	*)	bad="$bad
src/$d/: no rule for this folder in tests/layering.sh"
		continue ;;
	esac
	ok=" $(allowed "$d") "
	for f in "$top_srcdir/src/$d"/*.[ch]; do
		[ -f "$f" ] || continue
		nfiles=$((nfiles + 1))
		# shellcheck disable=SC2013
		for inc in $(sed -n 's/^#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f"); do
			case $inc in
			config.h) continue ;;
			*/*) ;;
			*)	bad="$bad
src/$d/${f##*/}: \"$inc\" does not name its folder"
				continue ;;
			esac
			case $ok in
			*" ${inc%%/*} "*) ;;
			*)	bad="$bad
src/$d/${f##*/}: includes \"$inc\", but the rule is \"$d:$(echo "$ok" | cut -d" " -f3- | sed "s/ *$//; s/^./ &/")\"" ;;
			esac
		done
	done
done
if [ -z "$bad" ] && [ "$nfiles" -gt 0 ]; then
	echo "ok 1 - every include follows the rule table ($nfiles files)"
else
	echo "not ok 1 - includes against the rule table:"
	echo "$bad" | sed '/^$/d; s/^/# /'
fi

# 2. No curses or readline header in a library's folder.
bad=
for l in $libs; do
	d=${l%%:*}
	for f in "$top_srcdir/src/$d"/*.[ch]; do
		[ -f "$f" ] || continue
		grep -qE '#[[:space:]]*include[[:space:]]*<(n?curses|ncursesw/|readline/|term\.h)' "$f" &&
		    bad="$bad src/$d/${f##*/}"
	done
done
if [ -z "$bad" ]; then
	echo "ok 2 - no curses or readline include in the libraries' folders"
else
	echo "not ok 2 - UI headers in a library:$bad"
fi

# 3. Undefined symbols against the table.  Each object is mapped to its
# folder by its source's name (unique across src/); the program's own
# objects carry automake's "smtpscope-" prefix.
archives=
for l in $libs; do
	a="$top_builddir/src/${l#*:}"
	case " $archives " in *" $a "*) continue ;; esac
	[ -f "$a" ] && archives="$archives $a"
done
if [ -z "$archives" ] || ! command -v nm >/dev/null 2>&1; then
	echo "ok 3 - # SKIP libraries not built or no nm"
	echo "ok 4 - # SKIP libraries not built or no nm"
	exit 0
fi
objs=$(ls "$top_builddir"/src/front/smtpscope-*.o \
    "$top_builddir"/src/tui/smtpscope-*.o \
    "$top_builddir"/src/plain/smtpscope-*.o 2>/dev/null)
map=$(for f in "$top_srcdir"/src/*/*.c; do
	d=${f%/*}
	b=${f##*/}
	echo "${b%.c} ${d##*/}"
done)
# Lines "folder U|D symbol", one per external symbol of each object.
# shellcheck disable=SC2086
syms=$( { nm -A -g $archives $objs 2>/dev/null; } | awk -v map="$map" '
	BEGIN {
		n = split(map, m, "\n")
		for (i = 1; i <= n; i++) {
			split(m[i], p, " ")
			folder[p[1]] = p[2]
		}
	}
	{
		# "archive:member.o:value T sym" or "file.o:value T sym"; an
		# undefined symbol has no value.
		line = $0
		k = index(line, ".o:")
		if (k == 0)
			next
		obj = substr(line, 1, k - 1)
		sub(/.*[\/:]/, "", obj)
		sub(/^smtpscope-/, "", obj)
		if (!(obj in folder))
			next
		nf = split(substr(line, k + 3), f, " ")
		type = f[nf - 1]
		sym = f[nf]
		print folder[obj], (type == "U" ? "U" : "D"), sym
	}')
bad=
# For each use of a symbol defined by one of ours in another folder, the
# rule must list that folder.
uses=$(echo "$syms" | awk '
	$2 == "D" { def[$3] = $1 }
	$2 == "U" { use[++n] = $1 " " $3 }
	END {
		for (i = 1; i <= n; i++) {
			split(use[i], u, " ")
			if ((u[2] in def) && def[u[2]] != u[1])
				print u[1], def[u[2]], u[2]
		}
	}' | sort -u)
while read -r from to sym; do
	[ -n "$from" ] || continue
	case " $(allowed "$from") " in
	*" $to "*) ;;
	*)	bad="$bad
src/$from uses $sym from src/$to" ;;
	esac
done <<EOF
$uses
EOF
if [ -z "$bad" ]; then
	echo "ok 3 - every library and front end uses only what its rule lists ($(echo "$uses" | sed '/^$/d' | wc -l) cross-folder symbols)"
else
	echo "not ok 3 - symbols against the rule table:"
	echo "$bad" | sed '/^$/d; s/^/# /'
fi

# 4. No curses or readline symbol in a library.
# shellcheck disable=SC2086
ui=$(nm -A -u $archives 2>/dev/null | grep -E ' (rl_|readline|wgetch|initscr|newterm|wrefresh|doupdate|add_history)')
if [ -z "$ui" ]; then
	echo "ok 4 - the libraries use no curses or readline symbol"
else
	echo "not ok 4 - curses or readline symbols in a library:"
	echo "$ui" | sed 's/^/# /'
fi
