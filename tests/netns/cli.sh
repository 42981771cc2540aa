#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The CLI tells the truth: xlbctl against a stopped xlbd (exit 4, "xlbd is not running"), a
# wrong socket path (the same), a program detached with its maps still pinned (exit 5, "no xlb
# program is attached"; --stale shows them), -c FILE's control socket with --control winning;
# under --json each of these errors is one JSON object on stdout with the same exit status.
# The command lines themselves (--version, --help, usage errors) need no root:
# tests/unit/cli_usage.sh, in make unit.
#
#   tests/netns/cli.sh [test_name ...]     (default: every test_* function)
#
# Environment: BUILD (build dir, default build/), XLB_RUN_ID (run id prefix, default $$).
set -u

TIER=cli
# shellcheck source=tests/netns/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# expect NAME WANT_RC WANT_LINE CMD...: run CMD; FAIL NAME and 1 unless it exits WANT_RC and
# prints WANT_LINE (a whole line, fixed string) on stderr. Its stdout in OUT.
expect()
{
	local name=$1 want_rc=$2 want=$3 err rc

	shift 3
	OUT=$("$@" 2>"$TMP/err")
	rc=$?
	err=$(cat "$TMP/err")
	if [ "$rc" != "$want_rc" ] || ! grep -qxF -- "$want" <<<"$err"; then
		fail "$name" "${*##*/}: rc $rc (want $want_rc), stderr '$err' (want the line '$want')"
		return 1
	fi
}

# expect_json NAME WANT_RC WANT_ERROR CMD...: run CMD (with --json); FAIL NAME and 1 unless it
# exits WANT_RC, prints nothing on stderr and on stdout the one error object,
# {"ok":false,"error":WANT_ERROR,"errors":[WANT_ERROR,...],"exit":WANT_RC}.
expect_json()
{
	local name=$1 want_rc=$2 want=$3 out err rc head

	shift 3
	out=$("$@" 2>"$TMP/err")
	rc=$?
	err=$(cat "$TMP/err")
	head="{\"ok\":false,\"error\":\"$want\",\"errors\":[\"$want\""
	if [ "$rc" != "$want_rc" ] || [ -n "$err" ] || [ "${out#"$head"}" = "$out" ] ||
	   [ "${out%"],\"exit\":$want_rc}"}" = "$out" ] || [ "$(wc -l <<<"$out")" != 1 ]; then
		fail "$name" "${*##*/}: rc $rc (want $want_rc), stdout '$out' (want '$head...'), stderr '$err'"
		return 1
	fi
}

# ---- tests: against xlbd -----------------------------------------------------------------------

# While xlbd runs: -c FILE finds its socket, a wrong --control beats it and is "not running";
# killed, its socket refuses (4) and its program, still attached, keeps the maps live (0).
test_config_and_wrong_socket()
{
	local t=test_config_and_wrong_socket cfg

	need $t "$XLBD" "$XLBCTL" "$XLB_HTTP" || return 0
	SEQ=$((SEQ + 1))
	ID=$RUN-$SEQ
	CUR_ID=$ID
	if ! topo_up "$ID"; then
		fail $t "could not build the topology"
		return 0
	fi
	# The topology's own socket, named by the config: xlbctl -c finds it there.
	cfg=$TMP/xlbd.yaml
	xlb_config "$cfg" "extra=control:
  socket: $TOPO_CONTROL"
	topo_xlbd_start "$ID" dispatcher "$cfg"
	if ! topo_xlbd_wait_ready dispatcher 10; then
		fail $t "xlbd did not print 'xlbd: ready' within 10 s"
		return 0
	fi
	expect $t 0 '' topo_exec "$ID" dispatcher "$XLBCTL" --pin-dir "$TOPO_PIN_DIR" -c "$cfg" \
		state || return 0
	if ! grep -q '^web ' <<<"$OUT"; then
		fail $t "xlbctl -c FILE state: no backend of web: $OUT"
		return 0
	fi
	expect $t 4 "xlbctl: xlbd is not running (socket $TMP/wrong.sock: No such file or directory)" \
		topo_exec "$ID" dispatcher "$XLBCTL" -c "$cfg" --control "$TMP/wrong.sock" state ||
		return 0
	expect_json $t 4 "xlbd is not running (socket $TMP/wrong.sock: No such file or directory)" \
		topo_exec "$ID" dispatcher "$XLBCTL" --json --control "$TMP/wrong.sock" state ||
		return 0
	# Refused by a running xlbd: exit 1, xlbd's reason.
	expect_json $t 1 "drain: no backend 192.0.2.99" \
		topo_exec "$ID" dispatcher "$XLBCTL" -c "$cfg" --json drain 192.0.2.99 || return 0
	# A killed xlbd leaves its socket file, nobody listening, and its program attached: the
	# maps are still the data path's.
	topo_xlbd_stop dispatcher KILL 5
	expect $t 4 "xlbctl: xlbd is not running (socket $TOPO_CONTROL: Connection refused)" \
		topo_exec "$ID" dispatcher "$XLBCTL" -c "$cfg" reload || return 0
	expect $t 0 '' topo_xlbctl "$ID" dispatcher vips || return 0
	# backends: the data path's columns, and why xlbd's are empty.
	expect $t 0 "xlbctl: xlbd is not running (socket $TOPO_CONTROL: Connection refused)" \
		topo_xlbctl "$ID" dispatcher backends || return 0
	if ! grep -q "^web  *${TOPO_ADDR4[b1]} .* live " <<<"$OUT"; then
		fail $t "xlbctl backends with xlbd killed: no live b1: $OUT"
		return 0
	fi
	pass $t
}

# After xlbd stopped: its socket is gone (4), its maps pinned with no program (5, --stale: 0).
test_stopped_and_detached()
{
	local t=test_stopped_and_detached detached c

	need $t "$XLBD" "$XLBCTL" "$XLB_HTTP" || return 0
	xlb_config "$TMP/xlbd.yaml"
	up $t "$TMP/xlbd.yaml" || return 0
	if ! topo_xlbd_stop dispatcher TERM 5; then
		fail $t "xlbd did not stop"
		return 0
	fi
	for c in state reload "drain ${TOPO_ADDR4[b1]}"; do
		# shellcheck disable=SC2086
		expect $t 4 "xlbctl: xlbd is not running (socket $TOPO_CONTROL: No such file or directory)" \
			topo_xlbctl "$ID" dispatcher $c || return 0
		# shellcheck disable=SC2086
		expect_json $t 4 "xlbd is not running (socket $TOPO_CONTROL: No such file or directory)" \
			topo_xlbctl "$ID" dispatcher --json $c || return 0
	done
	detached="no xlb program is attached to eth0 (maps in $TOPO_PIN_DIR/eth0 are from a stopped xlbd)"
	for c in vips backends stats conns; do
		expect $t 5 "xlbctl: $detached" \
			topo_xlbctl "$ID" dispatcher $c || return 0
		if [ -n "$OUT" ]; then
			fail $t "xlbctl $c of a detached program printed data without --stale: $OUT"
			return 0
		fi
		expect_json $t 5 "$detached" topo_xlbctl "$ID" dispatcher --json $c || return 0
	done
	expect $t 0 "xlbctl: warning: $detached" \
		topo_xlbctl "$ID" dispatcher --stale vips || return 0
	if ! grep -q "^web .*$TOPO_VIP4:80/tcp" <<<"$OUT"; then
		fail $t "xlbctl --stale vips: no VIP web: $OUT"
		return 0
	fi
	pass $t
}

tier_main "$@"
