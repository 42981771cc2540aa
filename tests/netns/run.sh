#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The netns tier: xlbd, xlbctl and the XDP data path with real TCP/HTTP traffic between network
# namespaces (tools/topology.sh). Each test_* function prints one line, "PASS name",
# "FAIL name: why" or "SKIP name: why", and builds and removes a topology of its own, so no
# test sees another's flows or counters. Exit status: 1 when any test failed.
#
#   tests/netns/run.sh [test_name ...]     (default: every test_* function)
#
# Environment: BUILD (build dir, default build/), XLB_RUN_ID (run id prefix, default $$).
set -u

TIER=netns
# shellcheck source=tests/netns/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
DEMO_CONFIG=$ROOT/configs/demo.yaml

# ---- helpers -----------------------------------------------------------------------------------

# get NAME VIP COUNT: COUNT requests from the client to VIP:80; the JSON summary in OUT.
get()
{
	local name=$1 vip=$2 count=$3

	OUT=$(topo_exec "$ID" client "$XLB_HTTP" get --url-host "$vip" --port 80 \
		--count "$count" --concurrency 8 --timeout-ms 2000 --json)
	if [ -z "$(json_num ok <<<"$OUT")" ]; then
		fail "$name" "xlb-http get printed no summary: $OUT"
		return 1
	fi
}

# up_checked NAME CONFIG: up, then every backend has passed 2 health checks. FAIL NAME and 1 if
# not.
up_checked()
{
	local b

	up "$1" "$2" || return 1
	for b in $TOPO_BACKENDS; do
		if ! wait_checks "${TOPO_ADDR4[$b]}" 2; then
			fail "$1" "$b: no 2 passed health checks within 5 s: $STATE"
			return 1
		fi
	done
}

# set_backend NAME CMD ADDR STATE: `xlbctl CMD ADDR` (drain, enable) changes backend ADDR, which
# is in STATE afterwards. FAIL NAME and 1 if not.
set_backend()
{
	local out

	if ! out=$(topo_xlbctl "$ID" dispatcher --json "$2" "$3" 2>&1) ||
	   [ "$(json_num changed <<<"$out")" != 1 ]; then
		fail "$1" "xlbctl $2 $3: $out"
		return 1
	fi
	STATE=$(topo_xlbctl "$ID" dispatcher --json state 2>&1)
	if [ "$(be_field "$STATE" "$3" state)" != "$4" ]; then
		fail "$1" "state of $3 after $2 is not '$4': $STATE"
		return 1
	fi
}

# get_300 NAME BE WHEN [NF]: 300 new flows to the IPv4 VIP, all answered, GOT of them by backend
# BE (b1..). Without NF, BE is out and takes none; with NF, BE is back and takes some, and its
# new_flows grew from NF by 1 to GOT. At most, not exactly: a connection reusing the 5-tuple of
# an earlier one still in the connection table follows that entry and is not counted as a new
# flow (Linux hands out the same ports again after ~3k connections to one destination). FAIL
# NAME "get WHEN: ..." and 1 if not.
get_300()
{
	local failed nf

	get "$1" "$TOPO_VIP4" 300 || return 1
	failed=$(json_num failed <<<"$OUT")
	GOT=$(json_num "$2" <<<"$OUT")
	if [ "$failed" != 0 ] || { [ $# = 3 ] && [ -n "$GOT" ]; } ||
	   { [ $# -gt 3 ] && [ "${GOT:-0}" -lt 1 ]; }; then
		fail "$1" "get $3: $failed failed, ${GOT:-0} of 300 replies from $2: $OUT"
		return 1
	fi
	[ $# -gt 3 ] || return 0
	nf=$(new_flows "${TOPO_ADDR4[$2]}")
	if ((nf - $4 < 1 || nf - $4 > GOT)); then
		fail "$1" "$2 answered $GOT requests $3 but its new_flows grew by $((nf - $4))"
		return 1
	fi
}

# be_field JSON ADDR KEY: KEY of backend ADDR in an xlbctl --json document (state or backends),
# a string or a number; the first VIP that has ADDR. Bash regex, no fork: used in poll loops.
be_field()
{
	local re="\"address\":\"${2//./\\.}\"[^{}]*\"$3\":\"?([^\",}]*)"

	[[ $1 =~ $re ]] && echo "${BASH_REMATCH[1]}"
}

# wait_state ADDR STATE TIMEOUT_MS: poll `xlbctl --json state` every ~10 ms until backend ADDR is
# in STATE. Sets SEEN_US (wall clock right after the answer that showed it) and SINCE_MS (how
# long xlbd said it had been in STATE then). Returns 1 on timeout, with the last answer in STATE.
wait_state()
{
	local addr=$1 want=$2 end=$((${EPOCHREALTIME/./} + $3 * 1000)) now

	while :; do
		STATE=$(topo_xlbctl "$ID" dispatcher --json state 2>&1)
		now=${EPOCHREALTIME/./}
		if [ "$(be_field "$STATE" "$addr" state)" = "$want" ]; then
			SEEN_US=$now
			SINCE_MS=$(be_field "$STATE" "$addr" since_ms)
			return 0
		fi
		((now > end)) && return 1
		sleep 0.01
	done
}

# wait_checks ADDR N: until backend ADDR's checker has finished N checks, all passed (5 s).
wait_checks()
{
	local addr=$1 n=$2 i checks failed

	for ((i = 0; i < 250; i++)); do
		STATE=$(topo_xlbctl "$ID" dispatcher --json state 2>&1)
		checks=$(be_field "$STATE" "$addr" checks)
		failed=$(be_field "$STATE" "$addr" failed)
		[ "${checks:-0}" -ge "$n" ] && [ "$failed" = 0 ] && return 0
		sleep 0.02
	done
	return 1
}

# new_flows ADDR: the data path's new-flow count of backend ADDR, from `xlbctl --json backends`.
new_flows()
{
	local bj

	bj=$(topo_xlbctl "$ID" dispatcher --json backends 2>&1) || return 1
	be_field "$bj" "$1" new_flows
}

# wait_hold_up ERR N: until `xlb-http hold` (stderr in ERR) says all N connections are up (5 s).
wait_hold_up()
{
	local err=$1 n=$2 i line

	for ((i = 0; i < 250; i++)); do
		# One read: the line may land between two.
		line=$(grep -o 'hold: [0-9]* of [0-9]* connections up' "$err" 2>/dev/null)
		[ -n "$line" ] && [ "$line" = "hold: $n of $n connections up" ] && return 0
		[ -n "$line" ] && return 1
		sleep 0.02
	done
	return 1
}

# hold_check JSON SKIP: every connection of a hold run, but those whose first backend is SKIP,
# kept working to the end: no failure, no switch. Prints what went wrong; returns 1 then.
hold_check()
{
	local json=$1 skip=$2 obj be bad=0

	while read -r obj; do
		[[ $obj == *'"backend"'* ]] || continue
		be=$(json_str backend <<<"$obj")
		[ -n "$skip" ] && [ "$be" = "$skip" ] && continue
		if [[ $obj != *'"failed":0,"switched":false'* ]]; then
			echo "connection on '${be:-no reply}': $obj"
			bad=1
		fi
	done < <(json_objects <<<"$json")
	return $bad
}

# write_config FILE [B3_WEIGHT]: the topology's VIP over b1..b3 with fast HTTP health checks
# (HC_*); b3's weight (default 100).
write_config()
{
	xlb_config "$1" what="one VIP, fast HTTP health checks" health=http interval="$HC_INTERVAL" \
		timeout="$HC_TIMEOUT" rise="$HC_RISE" fall="$HC_FALL" backends="b1=100 b2=100 b3=${2:-100}"
}

# The health checks of the tests below: fast, so the tier stays fast.
HC_INTERVAL=200 HC_TIMEOUT=100 HC_RISE=2 HC_FALL=2

# ---- tests -------------------------------------------------------------------------------------

# Maglev spreads 1200 new flows evenly over 3 equal backends, every one is answered (DSR through
# XDP_TX), and xlbctl's per-backend new_flows agrees exactly with what the client saw, as do
# the Prometheus metrics, which a reload then moves to another address.
test_demo_spread()
{
	local t=test_demo_spread n=1200 want=400 lo hi b count addr nf sum=0 ok failed bj obj
	local config=$TMP/demo.yaml
	local -A got flows

	need $t "$XLBD" "$XLBCTL" "$XLB_HTTP" || return 0
	# A copy: the metrics' listen address is changed by a reload at the end.
	cp "$DEMO_CONFIG" "$config"
	up $t "$config" || return 0
	get $t "$TOPO_VIP4" $n || return 0

	ok=$(json_num ok <<<"$OUT")
	failed=$(json_num failed <<<"$OUT")
	if [ "$failed" != 0 ] || [ "$ok" != $n ]; then
		fail $t "$failed of $n requests failed: $OUT"
		return 0
	fi
	# ±15% of the fair share, relative.
	lo=$((want * 85 / 100))
	hi=$((want * 115 / 100))
	for b in $TOPO_BACKENDS; do
		got[$b]=$(json_num "$b" <<<"$OUT")
		count=${got[$b]:-0}
		if ((count < lo || count > hi)); then
			fail $t "$b got $count of $n replies, want $lo..$hi: $OUT"
			return 0
		fi
	done

	if ! bj=$(topo_xlbctl "$ID" dispatcher --json backends 2>&1); then
		fail $t "xlbctl --json backends failed: $bj"
		return 0
	fi
	while read -r obj; do
		addr=$(json_str address <<<"$obj")
		nf=$(json_num new_flows <<<"$obj")
		if [ -z "$addr" ] || [ -z "$nf" ]; then
			continue
		fi
		flows[$addr]=$((${flows[$addr]:-0} + nf))
		sum=$((sum + nf))
	done < <(json_objects <<<"$bj")
	for b in $TOPO_BACKENDS; do
		addr=${TOPO_ADDR4[$b]}
		if [ "${flows[$addr]:-missing}" != "${got[$b]}" ]; then
			fail $t "$b ($addr): xlbctl new_flows ${flows[$addr]:-missing}," \
				"client got ${got[$b]} replies"
			return 0
		fi
	done
	if ((sum != n)); then
		fail $t "xlbctl new_flows sum to $sum, want $n"
		return 0
	fi
	check_metrics $t flows got || return 0
	check_metrics_reload $t "$config" || return 0
	pass $t
}

# check_metrics_reload NAME CONFIG: a reload onto another metrics listen address serves there at
# once, with the reload counted, and no longer on the old one. FAIL NAME and 1 if not.
check_metrics_reload()
{
	local t=$1 out

	sed -i "s/listen: 127.0.0.1:9542/listen: '[::1]:9543'/" "$2"
	if ! out=$(topo_xlbctl "$ID" dispatcher reload 2>&1); then
		fail "$t" "xlbctl reload: $out"
		return 1
	fi
	out=$(topo_exec "$ID" dispatcher "$XLB_HTTP" fetch --url-host ::1 --port 9543 2>&1)
	if [ "$(metric <(echo "$out") 'xlb_reloads_total{result="ok"}')" != 1 ]; then
		fail "$t" "after the reload, [::1]:9543 answers no xlb_reloads_total 1: $out"
		return 1
	fi
	if out=$(topo_exec "$ID" dispatcher "$XLB_HTTP" fetch --url-host 127.0.0.1 --port 9542 \
		2>&1); then
		fail "$t" "after the reload, 127.0.0.1:9542 still serves metrics"
		return 1
	fi
}

# check_metrics NAME FLOWS GOT: the demo's metrics endpoint (configs/demo.yaml, inside the
# dispatcher) passes promtool's strict parser and linter, each backend's new flows there are
# xlbctl's (the array named FLOWS, by address) and the replies it served (GOT, by backend), the
# VIP's packets are xlbctl's, and another path is a 404. FAIL NAME and 1 if not.
check_metrics()
{
	local t=$1 scrape vj want b addr v tries
	local -n nflows=$2 served=$3

	# The VIP's counters as xlbctl read them just before and just after a scrape: a late
	# packet (a retransmit) moves them, so a scrape between two equal readings is compared.
	for tries in 1 2 3; do
		vj=$(topo_xlbctl "$ID" dispatcher --json vips 2>&1)
		want=$(json_num packets <<<"$vj")
		scrape "$t" dispatcher || return 1
		[ "$(json_num packets <<<"$(topo_xlbctl "$ID" dispatcher --json vips 2>&1)")" = "$want" ] &&
			break
	done
	scrape=$SCRAPE
	v=$(metric "$scrape" 'xlb_vip_packets_total{vip="web"}')
	if [ -z "$want" ] || [ "$v" != "$want" ]; then
		fail "$t" "xlb_vip_packets_total of web is '$v', xlbctl vips says '$want'"
		return 1
	fi
	for b in $TOPO_BACKENDS; do
		addr=${TOPO_ADDR4[$b]}
		v=$(metric "$scrape" "xlb_backend_new_flows_total{vip=\"web\",backend=\"$addr:80\"}")
		if [ "$v" != "${nflows[$addr]}" ] || [ "$v" != "${served[$b]}" ]; then
			fail "$t" "$b ($addr): xlb_backend_new_flows_total '$v', xlbctl" \
				"${nflows[$addr]}, served ${served[$b]}"
			return 1
		fi
	done
	if topo_exec "$ID" dispatcher "$XLB_HTTP" fetch --url-host 127.0.0.1 --port 9542 \
		--path /nope >/dev/null 2>"$scrape.err" || ! grep -q 'status 404' "$scrape.err"; then
		fail "$t" "GET /nope: $(cat "$scrape.err"), want a 404"
		return 1
	fi
}

# An IPv6 VIP: 300 requests to [2001:db8:100::100]:80 over IPv6 backends, all answered, none of
# the backends left out.
test_ipv6_vip()
{
	local t=test_ipv6_vip n=300 config=$TMP/web6.yaml b count failed

	need $t "$XLBD" "$XLB_HTTP" || return 0
	xlb_config "$config" what="the demo topology's IPv6 VIP" vip=web6 family=6
	up $t "$config" || return 0
	get $t "$TOPO_VIP6" $n || return 0

	failed=$(json_num failed <<<"$OUT")
	if [ "$failed" != 0 ]; then
		fail $t "$failed of $n requests failed: $OUT"
		return 0
	fi
	for b in $TOPO_BACKENDS; do
		count=$(json_num "$b" <<<"$OUT")
		if [ "${count:-0}" -lt 1 ]; then
			fail $t "$b got none of $n replies: $OUT"
			return 0
		fi
	done
	pass $t
}

# xlbd --check: the demo config is valid (exit 0); a bad address is reported as
# file:line:col: (exit 2), pointing at line 5 and at either the key (col 5) or the value (col 14).
test_xlbd_check()
{
	local t=test_xlbd_check bad=$TMP/bad.yaml out rc where

	need $t "$XLBD" || return 0
	if ! out=$("$XLBD" --check -c "$DEMO_CONFIG" 2>&1); then
		fail $t "xlbd --check rejects ${DEMO_CONFIG#"$ROOT"/}: $out"
		return 0
	fi

	cat >"$bad" <<'EOF'
interfaces:
  - name: eth0
vips:
  - name: web
    address: 203.0.113.300
    port: 80
    protocol: tcp
    backends:
      - address: 192.0.2.11
EOF
	out=$("$XLBD" --check -c "$bad" 2>&1)
	rc=$?
	if [ $rc != 2 ]; then
		fail $t "bad address: exit $rc, want 2: $out"
		return 0
	fi
	where=$(grep -o -m1 -F "$bad:5:" <<<"$out")
	if [ -z "$where" ]; then
		fail $t "bad address: no '$bad:5:COL:' in: $out"
		return 0
	fi
	if ! grep -qE "^$bad:5:(5|14): " <<<"$out"; then
		fail $t "bad address: want column 5 (key) or 14 (value): $out"
		return 0
	fi
	pass $t
}

# SIGTERM: xlbd exits 0 and takes its XDP program off eth0.
test_sigterm_detach()
{
	local t=test_sigterm_detach link rc

	need $t "$XLBD" "$XLB_HTTP" || return 0
	up $t "$DEMO_CONFIG" || return 0
	link=$(topo_exec "$ID" dispatcher ip -d link show dev eth0)
	if ! grep -q 'prog/xdp' <<<"$link"; then
		fail $t "no XDP program on eth0 while xlbd runs: $link"
		return 0
	fi

	topo_xlbd_stop dispatcher TERM 5
	rc=$?
	if [ $rc != 0 ]; then
		fail $t "xlbd exited $rc after SIGTERM, want 0"
		topo_xlbd_log_tail dispatcher 20
		return 0
	fi
	link=$(topo_exec "$ID" dispatcher ip -d link show dev eth0)
	if grep -qE 'prog/xdp|[[:space:]]xdp(generic|drv|offload)?[[:space:]]' <<<"$link"; then
		fail $t "XDP still attached after xlbd exited: $link"
		return 0
	fi
	pass $t
}

# A backend whose server dies is taken out within fall x interval + timeout + 100 ms; its VIP's
# other connections never notice, and no new flow reaches it afterwards. Restarted, it is back
# within rise x interval + timeout + 100 ms and takes new flows again.
#   - b2's server is SIGKILLed (a crash) under paced new flows (get --rate 200) and 30 long-lived
#     keep-alive connections (hold); `xlbctl --json state` is polled every ~10 ms until b2 is
#     "down": detection = that moment - the kill.
#   - hold connections on b1 and b3: no failure, no switch; those on b2 fail (the crash is seen).
#   - get: every failed request had started before the detection; a get after it: no failure,
#     no reply from b2; b2's new_flows does not move after it.
test_backend_down_detect()
{
	local t=test_backend_down_detect config=$TMP/detect.yaml b2=${TOPO_ADDR4[b2]}
	local bound=$((HC_FALL * HC_INTERVAL + HC_TIMEOUT + 100))
	local rise_bound=$((HC_RISE * HC_INTERVAL + HC_TIMEOUT + 100))
	local gpid hpid gout=$TMP/detect-get.json hout=$TMP/detect-hold.json
	local detect_ms xlbd_ms detect_abs nf0 nf1 out hold bad
	local start last n_fail rise_ms b n

	need $t "$XLBD" "$XLBCTL" "$XLB_HTTP" || return 0
	write_config "$config"
	up_checked $t "$config" || return 0

	client_bg "$gout" "$TMP/detect-get.err" "$XLB_HTTP" get --url-host "$TOPO_VIP4" --port 80 \
		--rate 200 --duration-ms 6000 --concurrency 16 --timeout-ms 2000 --json
	gpid=$BG_PID
	client_bg "$hout" "$TMP/detect-hold.err" "$XLB_HTTP" hold --url-host "$TOPO_VIP4" \
		--port 80 --conns 30 --duration-ms 6000 --interval-ms 100 --timeout-ms 2000 --json
	hpid=$BG_PID
	if ! wait_hold_up "$TMP/detect-hold.err" 30; then
		fail $t "hold: not all 30 connections up: $(cat "$TMP/detect-hold.err")"
		return 0
	fi
	sleep 0.5

	if ! topo_backend_kill "$ID" b2 KILL; then
		fail $t "could not kill b2's server"
		return 0
	fi
	if ! wait_state "$b2" down 3000; then
		fail $t "b2 not down 3 s after its server was killed: $STATE"
		return 0
	fi
	nf0=$(new_flows "$b2")
	detect_ms=$(((SEEN_US - TOPO_KILL_US) / 1000))
	# xlbd's own view: it has been down since_ms when we looked.
	xlbd_ms=$((detect_ms - SINCE_MS))
	detect_abs=$((SEEN_US / 1000))
	# The bound is on xlbd's own view (kill to its state change): the poll above runs an
	# xlbctl per round, whose latency on a loaded machine is the harness's, not xlbd's.
	if ((xlbd_ms > bound)); then
		fail $t "detect: $xlbd_ms ms by xlbd's since_ms (bound $bound ms; seen after $detect_ms ms)"
		return 0
	fi
	if ! grep -q "backend $b2:80 of web down: connection refused ($HC_FALL failures in a row)" \
		<(topo_xlbd_log dispatcher); then
		fail $t "no 'backend $b2:80 of web down: connection refused ($HC_FALL failures" \
			"in a row)' in the log"
		return 0
	fi

	# New flows after the detection: none to b2, none failing.
	get_300 $t b2 "after detection" || return 0

	bg_wait "$gpid"
	bg_wait "$hpid"
	nf1=$(new_flows "$b2")
	if [ -z "$nf0" ] || [ "$nf0" != "$nf1" ]; then
		fail $t "b2's new_flows went from $nf0 at detection to $nf1 afterwards"
		return 0
	fi

	# Background get: the failures are the kill window's, all started before the detection.
	out=$(cat "$gout")
	start=$(json_num start_unix_ms <<<"$out")
	last=$(json_num last_fail_start_ms <<<"$out")
	n_fail=$(json_num failed <<<"$out")
	if [ -z "$start" ]; then
		fail $t "background get printed no summary: $out $(cat "$TMP/detect-get.err")"
		return 0
	fi
	if [ -n "$last" ] && ((start + last > detect_abs)); then
		fail $t "a request started $((start + last - detect_abs)) ms after the detection" \
			"failed: $out"
		return 0
	fi

	# Long-lived connections: those on b1 and b3 untouched; those on b2 died with it.
	hold=$(cat "$hout")
	if [ -z "$(json_num conns <<<"$hold")" ]; then
		fail $t "hold printed no summary: $hold $(cat "$TMP/detect-hold.err")"
		return 0
	fi
	for b in b1 b3; do
		n=$(json_in per_backend "$b" <<<"$hold")
		if [ "${n:-0}" -lt 1 ]; then
			fail $t "no hold connection landed on $b, nothing to check: $hold"
			return 0
		fi
	done
	if ! bad=$(hold_check "$hold" b2); then
		fail $t "hold connections to live backends were hurt: $bad"
		return 0
	fi
	if [ "$(json_num switched <<<"$hold")" != 0 ]; then
		fail $t "a hold connection switched backend: $hold"
		return 0
	fi
	n=$(json_in per_backend b2 <<<"$hold")
	if [ "$(json_in per_backend_failed b2 <<<"$hold")" != "$n" ]; then
		fail $t "b2 died, yet some of its hold connections did not notice: $hold"
		return 0
	fi

	# Back: up after rise checks, and new flows reach it again.
	if ! topo_backend_start "$ID" b2; then
		fail $t "could not restart b2's server"
		return 0
	fi
	if ! wait_state "$b2" up 3000; then
		fail $t "b2 not up 3 s after its server came back: $STATE"
		return 0
	fi
	rise_ms=$(((SEEN_US - TOPO_START_US) / 1000 - SINCE_MS))
	if ((rise_ms > rise_bound)); then
		fail $t "rise: $rise_ms ms by xlbd's since_ms (bound $rise_bound ms; seen after" \
			"$(((SEEN_US - TOPO_START_US) / 1000)) ms)"
		return 0
	fi
	get_300 $t b2 "after b2 came back" "$nf1" || return 0
	pass $t "detect: $xlbd_ms ms by xlbd (bound $bound ms; seen after $detect_ms ms)," \
		"$n_fail requests failed before it, 0 after;" \
		"hold: $(json_in per_backend b1 <<<"$hold")+$(json_in per_backend b3 <<<"$hold")" \
		"conns on b1+b3 unharmed, ${n:-0} on b2 lost;" \
		"rise: $rise_ms ms by xlbd (bound $rise_bound ms), then b2 took $GOT of 300"
}

# `xlbctl drain` takes a backend out of the table for new flows only: its established
# connections keep working to the end, new ones never reach it; `xlbctl enable` brings it back.
#   - 30 hold connections, one request every 100 ms for 3 s; b1 drained 0.5 s in.
#   - state says drain; 300 new requests: none to b1, none failing, b1's new_flows unmoved.
#   - every hold connection, those on b1 too: no failure, no switch, replies to the end.
#   - enable: state up, and of 300 new requests b1 gets some, as its new_flows says.
test_drain()
{
	local t=test_drain config=$TMP/drain.yaml b1=${TOPO_ADDR4[b1]}
	local hpid hout=$TMP/drain-hold.json out nf0 nf1 hold bad n obj ok
	local dur=3000 iv=100 min_ok b

	need $t "$XLBD" "$XLBCTL" "$XLB_HTTP" || return 0
	write_config "$config"
	up_checked $t "$config" || return 0

	client_bg "$hout" "$TMP/drain-hold.err" "$XLB_HTTP" hold --url-host "$TOPO_VIP4" --port 80 \
		--conns 30 --duration-ms $dur --interval-ms $iv --timeout-ms 2000 --json
	hpid=$BG_PID
	if ! wait_hold_up "$TMP/drain-hold.err" 30; then
		fail $t "hold: not all 30 connections up: $(cat "$TMP/drain-hold.err")"
		return 0
	fi
	sleep 0.5

	set_backend $t drain "$b1" drain || return 0
	nf0=$(new_flows "$b1")
	get_300 $t b1 "while b1 drains" || return 0
	nf1=$(new_flows "$b1")
	if [ -z "$nf0" ] || [ "$nf0" != "$nf1" ]; then
		fail $t "b1's new_flows went from $nf0 to $nf1 while it drained"
		return 0
	fi
	if ! kill -0 "$hpid" 2>/dev/null; then
		fail $t "hold ended before the drained get was done; the check proves nothing"
		return 0
	fi

	bg_wait "$hpid"
	hold=$(cat "$hout")
	n=$(json_in per_backend b1 <<<"$hold")
	if [ "${n:-0}" -lt 1 ]; then
		fail $t "no hold connection landed on b1, nothing to check: $hold"
		return 0
	fi
	if ! bad=$(hold_check "$hold" ""); then
		fail $t "hold connections were hurt by the drain: $bad"
		return 0
	fi
	# Every connection kept its schedule to the end: dur/iv requests, give or take a few.
	min_ok=$((dur * 9 / 10 / iv))
	while read -r obj; do
		[[ $obj == *'"backend":"b1"'* ]] || continue
		ok=$(json_num ok <<<"$obj")
		if ((ok < min_ok)); then
			fail $t "a b1 hold connection got $ok replies, want >= $min_ok: $obj"
			return 0
		fi
	done < <(json_objects <<<"$hold")

	set_backend $t enable "$b1" up || return 0
	get_300 $t b1 "after enable" "$nf1" || return 0
	pass $t "30 hold conns, $n of them on b1, kept going through the drain" \
		"($(json_num requests_ok <<<"$hold") requests ok, 0 failed, 0 switched);" \
		"0 of 300 new flows to b1 while drained, $GOT of 300 after enable"
}

# storm_expect RELOADS ERRORS B3_WEIGHT: poll `xlbctl --json state` (2 s at most) until xlbd
# counts RELOADS reloads and ERRORS refused ones; then the running config must be the expected
# one: b1..b3, weights 100/100/B3_WEIGHT, all up. Prints what is wrong; returns 1 then.
storm_expect()
{
	local reloads=$1 errors=$2 w3=$3 i b want

	for ((i = 0; i < 200; i++)); do
		STATE=$(topo_xlbctl "$ID" dispatcher --json state 2>&1)
		[ "$(json_num reloads <<<"$STATE")" = "$reloads" ] &&
			[ "$(json_num reload_errors <<<"$STATE")" = "$errors" ] && break
		sleep 0.01
	done
	if ((i == 200)); then
		echo "want reloads $reloads, reload_errors $errors: $STATE"
		return 1
	fi
	for b in $TOPO_BACKENDS; do
		want=100
		[ "$b" = b3 ] && want=$w3
		if [ "$(be_field "$STATE" "${TOPO_ADDR4[$b]}" weight)" != "$want" ] ||
		   [ "$(be_field "$STATE" "${TOPO_ADDR4[$b]}" state)" != up ]; then
			echo "want $b up with weight $want: $STATE"
			return 1
		fi
	done
	if [ "$(grep -o '"address"' <<<"$STATE" | wc -l)" != 4 ]; then
		echo "want the VIP and 3 backends, no more: $STATE"
		return 1
	fi
}

# Reloads touch only what changed: 50 reloads alternating between config A (b1..b3, weight 100
# each) and B (b3 at weight 200; b1, b2 identical), with 10 invalid configs in between that must
# be refused, leaving the running one in place; a fifth of the valid ones and half of the
# invalid ones by SIGHUP, the rest by `xlbctl reload` (exit 0, or 1 when refused). All the while
# paced new flows (get --rate 200) and 30 long-lived connections (hold): since every backend
# stays up, not one request may fail and no connection may move.
test_reload_storm()
{
	local t=test_reload_storm cfg=$TMP/storm.yaml a=$TMP/storm-a.yaml b=$TMP/storm-b.yaml
	local gout=$TMP/storm-get.json hout=$TMP/storm-hold.json gpid hpid
	local -a bad
	local i k step v=0 reloads=0 errors=0 w3=100 hups=0 bad_hups=0 out rc why
	local t0 storm_ms get hold n_ok n_fail f

	need $t "$XLBD" "$XLBCTL" "$XLB_HTTP" || return 0
	write_config "$a" 100
	write_config "$b" 200
	# Ten ways to be wrong, each a one-line change to A.
	bad=(
		's/^    port: 80$/    port: [80/'				# YAML syntax
		's/192\.0\.2\.12$/192.0.2.312/'				# bad address
		'0,/weight: 100/s//weigth: 100/'			# unknown key
		'0,/weight: 100/s//weight: 70000/'			# weight out of range
		's/192\.0\.2\.13$/192.0.2.11/'				# duplicate backend
		's/192\.0\.2\.12$/2001:db8::12/'			# family mismatch
		's/interval: [0-9]*ms/interval: 200parsecs/'		# bad duration
		's/timeout: [0-9]*ms/timeout: 300ms/'			# timeout >= interval
		's/type: http/type: smtp/'				# unknown check type
		's/^vips:$/maglev:\n  table_size: 65536\nvips:/'	# table size not prime
	)
	for k in "${!bad[@]}"; do
		sed "${bad[$k]}" "$a" >"$TMP/storm-bad$k.yaml"
		if cmp -s "$a" "$TMP/storm-bad$k.yaml"; then
			fail $t "invalid config $k ('${bad[$k]}') is unchanged from A: the test is broken"
			return 0
		fi
		out=$("$XLBD" --check -c "$TMP/storm-bad$k.yaml" 2>&1)
		if [ $? != 2 ]; then
			fail $t "invalid config $k ('${bad[$k]}') passes xlbd --check: $out"
			return 0
		fi
	done
	for f in "$a" "$b"; do
		if ! out=$("$XLBD" --check -c "$f" 2>&1); then
			fail $t "xlbd --check rejects ${f##*/}: $out"
			return 0
		fi
	done

	cp "$a" "$cfg"
	up_checked $t "$cfg" || return 0
	client_bg "$gout" "$TMP/storm-get.err" "$XLB_HTTP" get --url-host "$TOPO_VIP4" --port 80 \
		--rate 200 --duration-ms 120000 --concurrency 16 --timeout-ms 2000 --json
	gpid=$BG_PID
	client_bg "$hout" "$TMP/storm-hold.err" "$XLB_HTTP" hold --url-host "$TOPO_VIP4" --port 80 \
		--conns 30 --duration-ms 120000 --interval-ms 100 --timeout-ms 2000 --json
	hpid=$BG_PID
	if ! wait_hold_up "$TMP/storm-hold.err" 30; then
		fail $t "hold: not all 30 connections up: $(cat "$TMP/storm-hold.err")"
		return 0
	fi

	t0=${EPOCHREALTIME/./}
	for ((step = 1; step <= 60; step++)); do
		if ((step % 6 == 0)); then
			k=$((step / 6 - 1))
			cp "$TMP/storm-bad$k.yaml" "$cfg"
			errors=$((errors + 1))
			if ((k % 2)); then
				bad_hups=$((bad_hups + 1))
				kill -HUP "${TOPO_XLBD_PID[dispatcher]}"
			else
				out=$(topo_xlbctl "$ID" dispatcher reload 2>&1)
				rc=$?
				if [ $rc != 1 ]; then
					fail $t "step $step: xlbctl reload of invalid config $k" \
						"('${bad[$k]}') exited $rc, want 1: $out"
					return 0
				fi
			fi
		else
			v=$((v + 1))
			if ((v % 2)); then
				cp "$b" "$cfg"
				w3=200
			else
				cp "$a" "$cfg"
				w3=100
			fi
			reloads=$((reloads + 1))
			if ((v % 5 == 0)); then
				hups=$((hups + 1))
				kill -HUP "${TOPO_XLBD_PID[dispatcher]}"
			else
				out=$(topo_xlbctl "$ID" dispatcher --json reload 2>&1)
				rc=$?
				if [ $rc != 0 ] || [[ $out != *'"ok":true'* ]]; then
					fail $t "step $step: xlbctl reload exited $rc: $out"
					return 0
				fi
				# b3's weight is the one difference between A and B: the reply says so.
				if [[ $out != *"\"summary\":\"backend ${TOPO_ADDR4[b3]}:80 of web weight $((300 - w3)) -> $w3\""* ]] ||
				   [ "$(json_num backends_reweighted <<<"$out")" != 1 ]; then
					fail $t "step $step: the reply does not say b3 went to weight $w3: $out"
					return 0
				fi
			fi
		fi
		if ! why=$(storm_expect $reloads $errors $w3); then
			fail $t "step $step: $why"
			return 0
		fi
	done
	storm_ms=$(((${EPOCHREALTIME/./} - t0) / 1000))

	kill -TERM "$gpid" "$hpid"
	bg_wait "$gpid"
	bg_wait "$hpid"
	get=$(cat "$gout")
	hold=$(cat "$hout")
	n_ok=$(json_num ok <<<"$get")
	n_fail=$(json_num failed <<<"$get")
	if [ -z "$n_ok" ] || [ "$n_fail" != 0 ] || [ "$n_ok" -lt 100 ]; then
		fail $t "get during the storm: ${n_ok:-?} ok, ${n_fail:-?} failed: $get" \
			"$(cat "$TMP/storm-get.err")"
		return 0
	fi
	if [ -z "$(json_num conns <<<"$hold")" ]; then
		fail $t "hold printed no summary: $hold $(cat "$TMP/storm-hold.err")"
		return 0
	fi
	if ! why=$(hold_check "$hold" "") || [ "$(json_num switched <<<"$hold")" != 0 ]; then
		fail $t "hold connections moved or failed during the storm: $why $hold"
		return 0
	fi
	if [ "$(topo_xlbd_log dispatcher | grep -c 'reload refused')" != 10 ] ||
	   [ "$(topo_xlbd_log dispatcher | grep -c 'reload: 1 VIPs: ')" != 50 ]; then
		fail $t "xlbd's log: $(topo_xlbd_log dispatcher | grep -c 'reload: 1 VIPs: ') reloads," \
			"$(topo_xlbd_log dispatcher | grep -c 'reload refused') refusals, want 50 and 10"
		return 0
	fi
	if ! kill -0 "${TOPO_XLBD_PID[dispatcher]}" 2>/dev/null; then
		fail $t "xlbd is gone after the storm"
		return 0
	fi
	pass $t "reload storm: $reloads reloads ($hups by SIGHUP), $errors refused" \
		"($bad_hups by SIGHUP) in $storm_ms ms, $((n_ok + n_fail)) requests, $n_fail failed;" \
		"hold: 30 conns, $(json_num requests_ok <<<"$hold") requests, 0 failed, 0 switched"
}

# write_big_config FILE PREFIX: one IPv6 VIP ($TOPO_VIP6:81) with 2100 backends PREFIX::1 ..
# PREFIX::834 (hex), no health checks (none of them is a host: nothing may probe them). Two
# such configs with different prefixes need 4200 backend ids together; the map has 4096. In tun
# mode: a dr backend must be on-link, and these have no route at all (so nothing probes them).
write_big_config()
{
	local i

	{
		echo "# SPDX-License-Identifier: GPL-2.0-only"
		echo "# Written by tests/netns/run.sh: 2100 backends that need not exist."
		echo "interfaces:"
		echo "  - name: eth0"
		echo "tunnel: {source6: \"${TOPO_ADDR6[dispatcher]}\"}"
		echo "metrics: {listen: 127.0.0.1:9542}"
		echo "vips:"
		echo "  - name: big"
		echo "    address: $TOPO_VIP6"
		echo "    port: 81"
		echo "    protocol: tcp"
		echo "    forwarding: tun"
		echo "    health: {type: none}"
		echo "    backends:"
		for ((i = 1; i <= 2100; i++)); do
			printf '      - {address: "%s::%x"}\n' "$2" "$i"
		done
	} >"$1"
}

# big_count PREFIX: how many backends of `xlbctl --json backends` are on PREFIX::/64.
big_count()
{
	local bj

	bj=$(topo_xlbctl "$ID" dispatcher --json backends 2>&1) || return 1
	grep -o "\"address\":\"$1::[0-9a-f]*\"" <<<"$bj" | sort -u | wc -l
}

# big_reload NAME FILE CFG TO PTO FROM PFROM: reload xlbd with FILE (config TO, backends on
# PTO::/64) in place of CFG (FROM's, on PFROM::/64): accepted, TO's 2100 backends in the maps and
# none of FROM's, RELOAD_MS after the reload began. FAIL NAME and 1 if not.
big_reload()
{
	local t0 out

	cp "$2" "$3"
	t0=${EPOCHREALTIME/./}
	if ! out=$(topo_xlbctl "$ID" dispatcher reload 2>&1); then
		fail "$1" "reload $6 -> $4 refused: $out"
		return 1
	fi
	RELOAD_MS=$(((${EPOCHREALTIME/./} - t0) / 1000))
	# 2100 removed and 2100 added: the reply's summary names the first 8.
	if [[ $out != "reload: ok: "*"; and 4192 more" ]]; then
		fail "$1" "reload $6 -> $4 does not say it changed 4200 backends: $out"
		return 1
	fi
	if [ "$(big_count "$7")" != 0 ] || [ "$(big_count "$5")" != 2100 ]; then
		fail "$1" "after $6 -> $4: $(big_count "$5") of $4's 2100 in the maps," \
			"$(big_count "$7") of $6's"
		return 1
	fi
}

# Two configs of 2100 backends each (no address in common) replace each other by reload, both
# ways, and a restart on the pins the second left starts with the first: each time the maps hold
# exactly the new 2100. Before, old and new had to fit the backends map together (ENOSPC).
test_reload_2100()
{
	local t=test_reload_2100 a=$TMP/big-a.yaml b=$TMP/big-b.yaml cfg=$TMP/big.yaml
	local pa=2001:db8:a pb=2001:db8:b ms1 ms2 t0 scrape_ms n

	need $t "$XLBD" "$XLBCTL" || return 0
	write_big_config "$a" $pa
	write_big_config "$b" $pb
	cp "$a" "$cfg"
	up $t "$cfg" || return 0
	if [ "$(big_count $pa)" != 2100 ]; then
		fail $t "config A: $(big_count $pa) of its 2100 backends in the maps"
		return 0
	fi
	# A scrape of 2100 backends: whole, promtool-clean, and what it took (one xlb-http fetch).
	t0=${EPOCHREALTIME/./}
	scrape $t dispatcher || return 0
	scrape_ms=$(((${EPOCHREALTIME/./} - t0) / 1000))
	n=$(grep -c '^xlb_backend_up{vip="big",' "$SCRAPE")
	if [ "$n" != 2100 ]; then
		fail $t "the scrape has xlb_backend_up for $n of the 2100 backends"
		return 0
	fi
	big_reload $t "$b" "$cfg" B $pb A $pa || return 0
	ms1=$RELOAD_MS
	big_reload $t "$a" "$cfg" A $pa B $pb || return 0
	ms2=$RELOAD_MS
	# A restart on these pins (A's state) with B.
	if ! topo_xlbd_stop dispatcher TERM 5; then
		fail $t "xlbd did not exit 0 on SIGTERM"
		return 0
	fi
	topo_xlbd_start "$ID" dispatcher "$b"
	if ! topo_xlbd_wait_ready dispatcher 20; then
		fail $t "restart with B on A's pins: xlbd did not get ready"
		return 0
	fi
	if [ "$(big_count $pa)" != 0 ] || [ "$(big_count $pb)" != 2100 ]; then
		fail $t "restart with B: $(big_count $pb) of B's 2100 in the maps," \
			"$(big_count $pa) of A's"
		return 0
	fi
	pass $t "2100 <-> 2100 backends: reload A -> B $ms1 ms, B -> A $ms2 ms;" \
		"restart on A's pins with B; a scrape of 2100 backends ($(wc -c <"$SCRAPE") bytes)" \
		"fetched and linted in $scrape_ms ms"
}

# drop_no_backend: the data path's drop_no_backend packets, from `xlbctl --json stats`.
drop_no_backend()
{
	local sj

	sj=$(topo_xlbctl "$ID" dispatcher --json stats 2>&1) || return 1
	grep -o '"drop_no_backend":{"packets":[0-9]*' <<<"$sj" | grep -o '[0-9]*$'
}

# Changing maglev.table_size (65537 <-> 1021, 12 reloads) under 500 new flows a second to web, the
# first of 9 VIPs: no packet dropped for want of a backend, every request answered. Before, the
# new tables were swapped in before the VIPs' ring_size changed, and new flows hashed past the
# end of the smaller table.
test_table_size_change()
{
	local t=test_table_size_change a=$TMP/ts-a.yaml b=$TMP/ts-b.yaml cfg=$TMP/ts.yaml
	local gout=$TMP/ts-get.json gpid d0 d1 i out ok failed

	need $t "$XLBD" "$XLBCTL" "$XLB_HTTP" || return 0
	write_config "$a"
	# More VIPs after web widen any window between a table swap and its VIP's update.
	for ((i = 1; i <= 8; i++)); do
		cat >>"$a" <<-EOF2
		  - name: extra$i
		    address: $TOPO_VIP4
		    port: $((8000 + i))
		    protocol: tcp
		    health: {type: none}
		    backends:
		      - address: ${TOPO_ADDR4[b1]}
		      - address: ${TOPO_ADDR4[b2]}
		EOF2
	done
	sed 's/^vips:$/maglev:\n  table_size: 1021\nvips:/' "$a" >"$b"
	cp "$a" "$cfg"
	up $t "$cfg" || return 0
	if ! wait_checks "${TOPO_ADDR4[b3]}" 2; then
		fail $t "b3's health checks did not pass"
		return 0
	fi
	d0=$(drop_no_backend)
	topo_exec "$ID" client "$XLB_HTTP" get --url-host "$TOPO_VIP4" --port 80 \
		--duration-ms 4000 --rate 500 --concurrency 16 --timeout-ms 2000 --json >"$gout" &
	gpid=$!
	sleep 0.5
	for ((i = 0; i < 12; i++)); do
		if ((i % 2)); then cp "$a" "$cfg"; else cp "$b" "$cfg"; fi
		if ! out=$(topo_xlbctl "$ID" dispatcher reload 2>&1); then
			fail $t "reload $i refused: $out"
			wait $gpid
			return 0
		fi
		sleep 0.2
	done
	wait $gpid
	d1=$(drop_no_backend)
	ok=$(json_num ok <"$gout")
	failed=$(json_num failed <"$gout")
	if [ -z "$d0" ] || [ -z "$d1" ] || [ -z "$ok" ]; then
		fail $t "no counters or no summary: drops '$d0' '$d1', get: $(cat "$gout")"
		return 0
	fi
	if [ "$d1" != "$d0" ] || [ "$failed" != 0 ]; then
		fail $t "$((d1 - d0)) packets dropped as drop_no_backend during 12 table_size" \
			"changes; $failed of $((ok + failed)) requests failed"
		return 0
	fi
	pass $t "12 table_size changes (65537 <-> 1021) under $((ok + failed)) new flows:" \
		"0 drop_no_backend, 0 failed"
}

# sched_spread NAME N WANT...: N requests to the VIP; backend b1, b2, b3 must answer WANT each,
# give or take 5% (each CPU walks the sequence on its own: a few flows either way).
sched_spread()
{
	local t=$1 n=$2 b i=0 count want lo hi failed
	shift 2
	local -a wants=("$@")

	get $t "$TOPO_VIP4" $n || return 1
	failed=$(json_num failed <<<"$OUT")
	if [ "$failed" != 0 ]; then
		fail $t "$failed of $n requests failed: $OUT"
		return 1
	fi
	for b in $TOPO_BACKENDS; do
		want=${wants[$i]}
		i=$((i + 1))
		count=$(json_num "$b" <<<"$OUT")
		lo=$((want * 95 / 100)) hi=$(((want * 105 + 99) / 100))
		if ((${count:-0} < lo || ${count:-0} > hi)); then
			fail $t "$b got ${count:-0} of $n replies, want $lo..$hi: $OUT"
			return 1
		fi
	done
}

# sched_shown NAME WANT: xlbctl names the VIP's scheduler WANT.
sched_shown()
{
	local got

	got=$(topo_xlbctl "$ID" dispatcher --json vips 2>&1 | json_str scheduler)
	if [ "$got" != "$2" ]; then
		fail $1 "xlbctl --json vips shows scheduler '$got', want '$2'"
		return 1
	fi
}

# The stateful schedulers end to end: wrr 1:2:3 over 600 connections answers 100/200/300; a
# reload to rr (keepalived's name) answers 100 each; a reload to lc keeps every request answered.
# xlbctl shows each scheduler's name.
test_sched_wrr_rr_lc()
{
	local t=test_sched_wrr_rr_lc cfg=$TMP/sched.yaml out s

	need $t "$XLBD" "$XLBCTL" "$XLB_HTTP" || return 0
	xlb_config "$cfg" what="wrr 1:2:3" sched=wrr backends="b1=1 b2=2 b3=3"
	up $t "$cfg" || return 0
	sched_shown $t wrr || return 0
	sched_spread $t 600 100 200 300 || return 0
	for s in rr lc; do
		xlb_config "$cfg" what="$s 1:2:3" sched=$s backends="b1=1 b2=2 b3=3"
		if ! out=$(topo_xlbctl "$ID" dispatcher reload 2>&1); then
			fail $t "reload to $s refused: $out"
			return 0
		fi
		sched_shown $t $s || return 0
	done
	get $t "$TOPO_VIP4" 300 || return 0
	if [ "$(json_num failed <<<"$OUT")" != 0 ]; then
		fail $t "lc: requests failed: $OUT"
		return 0
	fi
	xlb_config "$cfg" what="rr 1:2:3" sched=rr backends="b1=1 b2=2 b3=3"
	if ! out=$(topo_xlbctl "$ID" dispatcher reload 2>&1); then
		fail $t "reload to rr refused: $out"
		return 0
	fi
	sched_spread $t 300 100 100 100 || return 0
	pass $t "wrr 1:2:3 and rr over real connections; lc answered"
}

# ---- main --------------------------------------------------------------------------------------

# run_test NAME: run one test, then remove its topology whatever happened.
tier_main "$@"
