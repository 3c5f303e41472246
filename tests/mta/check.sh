# SPDX-License-Identifier: ISC
# Sourced by tests/mta/postfix.sh, exim.sh and opensmtpd.sh after
# tests/lib.sh: checks on $dir/out, the line-mode output of a session.
#
#   has TEXT       $dir/out holds TEXT
#   hasre ERE      $dir/out matches ERE
#   explained      every reply line that ends a reply is followed by an
#                  explanation of the same code, with the same enhanced
#                  code when the reply carries one; what is wrong goes to
#                  $dir/explained
has() { grep -qF -- "$1" "$dir/out"; }
hasre() { grep -qE -- "$1" "$dir/out"; }
explained() {
	awk '
		/^S / {
			code = substr($3, 1, 3); sep = substr($3, 4, 1)
			if (sep == "-") next
			enh = ($4 ~ /^[245]\.[0-9]+\.[0-9]+$/) ? $4 : ""
			want = 1; next
		}
		want && /^E       [0-9][0-9][0-9] / {
			if (substr($2, 1, 3) != code) { print "code " code; bad = 1 }
			want = 0; wenh = enh; next
		}
		wenh != "" && /^E       enhanced / {
			if ($3 != wenh ":") { print "enhanced " wenh; bad = 1 }
			wenh = ""
		}
		want && /^[SC*!] / { print "no explanation for " code; bad = 1; want = 0 }
		END { exit bad }
	' "$dir/out" >"$dir/explained" 2>&1
}
