#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# xlbd's and xlbctl's command lines, no root needed: --version from VERSION, --help on stdout
# with the exit status, xlbd alone is bad usage (2), every command in xlbctl's table has its own
# --help, and each kind of argument error prints that command's usage on stderr with exit 2.
#
#   tests/unit/cli_usage.sh        (make unit runs it; BUILD: build dir, default build/)
set -u

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
XLBD=$BUILD/xlbd
XLBCTL=$BUILD/xlbctl
VERSION=$(cat "$ROOT/VERSION")
N_PASS=0 N_FAIL=0

ok() { echo "PASS $1"; N_PASS=$((N_PASS + 1)); }
bad() { echo "FAIL $1: ${*:2}"; N_FAIL=$((N_FAIL + 1)); }

# run CMD...: RC, OUT (stdout) and ERR (stderr) of CMD.
run()
{
	OUT=$("$@" 2>"$TMP/err")
	RC=$?
	ERR=$(cat "$TMP/err")
}

TMP=$(mktemp -d) || exit 1
trap 'rm -rf "$TMP"' EXIT

for b in xlbd xlbctl; do
	run "$BUILD/$b" --version
	if [ "$RC" = 0 ] && [ "$OUT" = "$b $VERSION" ]; then
		ok "$b --version"
	else
		bad "$b --version" "rc $RC, '$OUT' (want 0 and '$b $VERSION')"
	fi
	run "$BUILD/$b" --help
	if [ "$RC" = 0 ] && grep -qi '^usage: ' <<<"$OUT" && grep -q '^Exit status' <<<"$OUT" &&
	   [ -z "$ERR" ]; then
		ok "$b --help: usage and exit status on stdout"
	else
		bad "$b --help" "rc $RC, stdout '$OUT', stderr '$ERR'"
	fi
done

run "$XLBD"
if [ "$RC" = 2 ] && grep -q '^usage: xlbd' <<<"$ERR" && [ -z "$OUT" ]; then
	ok "xlbd alone: usage on stderr, exit 2"
else
	bad "xlbd alone" "rc $RC (want 2), stderr '$ERR'"
fi
run "$XLBD" -c /dev/null extra
if [ "$RC" = 2 ] && grep -qxF "xlbd: unexpected argument 'extra'" <<<"$ERR"; then
	ok "xlbd with an extra argument: exit 2"
else
	bad "xlbd with an extra argument" "rc $RC (want 2), stderr '$ERR'"
fi

# The commands as the global help lists them (decap, master, import-keepalived parse their own).
cmds=$("$XLBCTL" --help | sed -n '/^Commands/,/^$/s/^  \([a-z-]*\).*/\1/p' |
	grep -vxE 'decap|master|import-keepalived')
n=0
for c in $cmds; do
	n=$((n + 1))
	run "$XLBCTL" "$c" --help
	if [ "$RC" != 0 ] || ! head -n 1 <<<"$OUT" | grep -q "^Usage: xlbctl \[OPTIONS\] $c\b" ||
	   [ "$(wc -l <<<"$OUT")" -lt 5 ]; then
		bad "xlbctl $c --help" "rc $RC, not its own usage: $OUT"
		continue
	fi
	run "$XLBCTL" "$c" --no-such-option
	if [ "$RC" != 2 ] || [ -n "$OUT" ] || ! grep -q "^Usage: xlbctl \[OPTIONS\] $c\b" <<<"$ERR"
	then
		bad "xlbctl $c --no-such-option" "rc $RC (want 2), not its usage on stderr: $ERR"
		continue
	fi
	ok "xlbctl $c: its own --help, its usage for a bad option"
done
[ "$n" -ge 10 ] || bad "xlbctl --help lists commands" "only $n: $cmds"

# Argument errors: the message, then the command's usage, exit 2.
while IFS='|' read -r args msg; do
	# shellcheck disable=SC2086
	run "$XLBCTL" $args
	if [ "$RC" = 2 ] && grep -qxF "$msg" <<<"$ERR" &&
	   { grep -q "^Usage: xlbctl \[OPTIONS\] ${args%% *}\b" <<<"$ERR" || [ "${args%% *}" = -c ]; }
	then
		ok "xlbctl $args: exit 2"
	else
		bad "xlbctl $args" "rc $RC (want 2), stderr '$ERR' (want '$msg' and the usage)"
	fi
done <<EOF_CASES
lookup tcp|xlbctl: wrong number of arguments for 'lookup'
vips extra|xlbctl: wrong number of arguments for 'vips'
state --vip web|xlbctl: --vip, --backend and --templates are options of 'conns'
conns --pin-dir|xlbctl: option '--pin-dir' needs a value
-c $TMP/none.yaml state|xlbctl: $TMP/none.yaml: No such file or directory
EOF_CASES

echo "cli_usage: $N_PASS passed, $N_FAIL failed"
[ "$N_FAIL" = 0 ]
