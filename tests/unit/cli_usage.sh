#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# xlbd's and xlbctl's command lines, no root needed: --version from VERSION, --help on stdout
# with the exit status, xlbd alone is bad usage (2), every command in xlbctl's table has its own
# --help, and each kind of argument error prints that command's usage on stderr with exit 2;
# errors that need no xlbd (no socket, no maps, bad usage) as text and, under --json, as JSON.
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
stats --rate 0.05|xlbctl: --rate wants SECONDS from 0.1 to 60, not '0.05'
stats --rate=61|xlbctl: --rate wants SECONDS from 0.1 to 60, not '61'
stats 1|xlbctl: wrong number of arguments for 'stats'
vips -Z|xlbctl: --rate and -Z are options of 'stats' (-Z also alone)
EOF_CASES

# Errors under --json: one object on stdout, {"ok":false,"error":FIRST,"errors":[...],"exit":N},
# N the exit status as documented, nothing on stderr but usage text; as text, the same message
# on stderr and nothing on stdout.
mkdir "$TMP/pins"
sock=$TMP/none.sock noent='No such file or directory'
while IFS='|' read -r want_rc args msg; do
	want="{\"ok\":false,\"error\":\"$msg\",\"errors\":[\"$msg\"],\"exit\":$want_rc}"
	# shellcheck disable=SC2086
	run "$XLBCTL" --json $args
	if [ "$RC" = "$want_rc" ] && [ "$OUT" = "$want" ] && ! grep -q '^xlbctl' <<<"$ERR"; then
		ok "xlbctl --json $args: exit $want_rc, the error as JSON"
	else
		bad "xlbctl --json $args" "rc $RC (want $want_rc), stdout '$OUT' (want '$want')," \
			"stderr '$ERR'"
	fi
	# shellcheck disable=SC2086
	run "$XLBCTL" $args
	if [ "$RC" = "$want_rc" ] && [ -z "$OUT" ] && grep -qxF "xlbctl: $msg" <<<"$ERR"; then
		ok "xlbctl $args: exit $want_rc, the error on stderr"
	else
		bad "xlbctl $args" "rc $RC (want $want_rc), stdout '$OUT', stderr '$ERR'" \
			"(want 'xlbctl: $msg')"
	fi
done <<EOF_CASES
4|--control $sock state|xlbd is not running (socket $sock: $noent)
4|--control $sock drain 192.0.2.1|xlbd is not running (socket $sock: $noent)
2|no-such-command|unknown command 'no-such-command'
2|vips extra|wrong number of arguments for 'vips'
1|--pin-dir $TMP/pins vips|no xlb maps under $TMP/pins (is xlbd running?)
1|--pin-dir $TMP/pins -i eth9 stats|no xlb maps under $TMP/pins/eth9 (is xlbd running?)
EOF_CASES

# decap has its own command line and prefix; its errors are JSON under its --json too.
want="{\"ok\":false,\"error\":\"$TMP/pins/lo/decap_stats: $noent (not attached?)\","
run "$XLBCTL" decap stats lo --pin-root "$TMP/pins" --json
if [ "$RC" = 1 ] && [ "${OUT#"$want"}" != "$OUT" ] && [ "${OUT%\"exit\":1\}}" != "$OUT" ]; then
	ok "xlbctl decap stats --json, not attached: exit 1, the error as JSON"
else
	bad "xlbctl decap stats --json" "rc $RC (want 1), stdout '$OUT' (want '$want...\"exit\":1}')"
fi

echo "cli_usage: $N_PASS passed, $N_FAIL failed"
[ "$N_FAIL" = 0 ]
