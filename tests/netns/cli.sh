#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The CLI tells the truth: xlbctl against a stopped xlbd (exit 4, "xlbd is not running"), a
# wrong socket path (the same), a program detached with its maps still pinned (exit 5, "no xlb
# program is attached"; --stale shows them), -c FILE's control socket with --control winning;
# under --json each of these errors is one JSON object on stdout with the same exit status.
# stats --rate and -Z: rates while traffic flows, counters zeroed, counting again from zero.
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

# gt A B: A > B, decimals allowed.
gt()
{
	awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 > b + 0) }'
}

# vips_part < JSON: the members of "vips":[...] (rates, vips: flat objects).
vips_part()
{
	sed -n 's/.*"vips":\[\([^]]*\)\].*/\1/p'
}

# stats --rate while 4 connections each send a request every 20 ms: the forwarded reason's and
# the VIP's packets/s are well above 0 (>= 50; 200 requests/s are sent). -Z zeroes the VIP's,
# the backends' and the forwarded reason's counters; then 20 new connections count from zero:
# 20 new flows. stats -Z prints the counts it then zeroes.
test_rates_and_zero()
{
	local t=test_rates_and_zero out iv rate vrate nf

	need $t "$XLBD" "$XLBCTL" "$XLB_HTTP" || return 0
	xlb_config "$TMP/xlbd.yaml"
	up $t "$TMP/xlbd.yaml" || return 0
	if ! hold_start 4 4000 20 "$TMP/hold.json" "$TMP/hold.err"; then
		fail $t "hold: not all 4 connections up: $(cat "$TMP/hold.err")"
		return 0
	fi
	if ! out=$(topo_xlbctl "$ID" dispatcher --json stats --rate 0.5 2>&1); then
		fail $t "xlbctl --json stats --rate 0.5 failed: $out"
		return 0
	fi
	iv=$(json_num interval_s <<<"$out")
	rate=$(json_in forwarded packets_s <<<"$out")
	vrate=$(vips_part <<<"$out" | json_num packets_s)
	if ! gt "$iv" 0.49 || gt "$iv" 1.5 || ! gt "$rate" 50 || ! gt "$vrate" 50; then
		fail $t "rates over $iv s (want 0.5..1.5): forwarded $rate, VIP $vrate packets/s" \
			"(want >= 50): $out"
		return 0
	fi
	if ! out=$(topo_xlbctl "$ID" dispatcher stats --rate 0.2 2>&1) ||
	   ! grep -q '^forwarded .*[0-9] [KMG]*i*B$' <<<"$out" ||
	   ! grep -q "^web .*$TOPO_VIP4:80/tcp " <<<"$out"; then
		fail $t "xlbctl stats --rate 0.2: no forwarded rate in bytes units or no VIP web: $out"
		return 0
	fi
	kill "$HOLD_PID"
	bg_wait "$HOLD_PID"
	sleep 0.3

	expect $t 0 '' topo_xlbctl "$ID" dispatcher -Z || return 0
	if [ "$OUT" != "counters zeroed: eth0" ]; then
		fail $t "xlbctl -Z printed '$OUT' (want 'counters zeroed: eth0')"
		return 0
	fi
	out=$(topo_xlbctl "$ID" dispatcher --json vips)
	out+=$(topo_xlbctl "$ID" dispatcher --json backends 2>/dev/null)
	if [ -z "$out" ] || grep -oE '"(packets|bytes|new_flows)":[0-9]+' <<<"$out" | grep -qv ':0$'
	then
		fail $t "after -Z, a VIP or backend counter is not 0: $out"
		return 0
	fi
	out=$(topo_xlbctl "$ID" dispatcher --json stats)
	if [ "$(json_in forwarded packets <<<"$out")" != 0 ]; then
		fail $t "after -Z, forwarded packets is not 0: $out"
		return 0
	fi

	out=$(topo_exec "$ID" client "$XLB_HTTP" get --url-host "$TOPO_VIP4" --port 80 \
		--count 20 --concurrency 4 --timeout-ms 2000 --json)
	if [ "$(json_num ok <<<"$out")" != 20 ]; then
		fail $t "20 requests after -Z: $out"
		return 0
	fi
	out=$(topo_xlbctl "$ID" dispatcher --json vips)
	nf=$(json_num new_flows <<<"$out")
	if [ "$nf" != 20 ]; then
		fail $t "after -Z and 20 connections, the VIP has $nf new flows (want 20): $out"
		return 0
	fi
	# stats -Z: the counts, then zero.
	out=$(topo_xlbctl "$ID" dispatcher --json stats -Z)
	if ! gt "$(json_in forwarded packets <<<"$out")" 0 ||
	   [ "$(topo_xlbctl "$ID" dispatcher --json vips | json_num new_flows)" != 0 ]; then
		fail $t "stats -Z: forwarded packets before ($out) or VIP new flows after are wrong"
		return 0
	fi
	pass $t "forwarded $rate, VIP $vrate packets/s over $iv s; 20 new flows after -Z"
}

tier_main "$@"
