#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Holds user/ to its layout (README, Layout): a folder includes only the folders before it in
# the Makefile's LIB_DIRS (so its library links after them), and no file includes its way back
# to itself. Usage: tools/layout-check.sh [folder...]; without folders, LIB_DIRS is read from
# the Makefile, so a renamed or new folder is checked in the order the build links it.
set -eu
cd "$(dirname "$0")/.."

if [ $# -eq 0 ]; then
	set -- $(sed -n 's/^LIB_DIRS[[:space:]]*:=[[:space:]]*//p' Makefile)
fi
[ $# -gt 0 ] || { echo "layout-check: no LIB_DIRS in the Makefile" >&2; exit 1; }
order="$*"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# file:line:folder:included-path, for every #include "folder/name" of user/*/*.[ch].
grep -Hn '^[[:space:]]*#[[:space:]]*include[[:space:]]*"[^"/]*/[^"]*"' user/*/*.[ch] |
	sed 's|^user/\([^/]*\)/\([^:]*\):\([0-9]*\):[^"]*"\([^"]*\)".*|user/\1/\2:\3:\1:\4|' \
	>"$tmp/incs" || true

awk -F: -v order="$order" '
BEGIN { n = split(order, o, " "); for (i = 1; i <= n; i++) rank[o[i]] = i }
{
	split($4, p, "/"); to = p[1]; from = $3
	if (!(from in rank)) { printf "%s:%s: folder %s is not in LIB_DIRS (%s)\n", $1, $2, from, order; bad = 1; next }
	if (!(to in rank)) {
		if (system("test -d user/" to) == 0) {
			printf "%s:%s: includes %s, a folder not in LIB_DIRS (%s)\n", $1, $2, $4, order; bad = 1
		}
		next
	}
	if (rank[to] > rank[from]) {
		printf "%s:%s: %s includes %s, which comes after it (LIB_DIRS: %s)\n", $1, $2, from, $4, order
		bad = 1
	}
}
END { exit bad }' "$tmp/incs" || { echo "layout-check: a folder reaches one after it (above)"; exit 1; }

# No cycle, of files or of folders (tsort names the loop).
awk -F: '{ split($4, p, "/"); if (system("test -f user/" $4) == 0) print $1, "user/" $4 }' \
	"$tmp/incs" >"$tmp/files"
awk -F: '{ split($4, p, "/"); if (p[1] != $3 && system("test -d user/" p[1]) == 0) print $3, p[1] }' \
	"$tmp/incs" | sort -u >"$tmp/dirs"
for g in files dirs; do
	if ! tsort "$tmp/$g" >/dev/null 2>"$tmp/err"; then
		cat "$tmp/err"
		echo "layout-check: the includes of user/ form a cycle (above)"
		exit 1
	fi
done
echo "layout: user/ folders include only folders before them ($order); no cycle"
