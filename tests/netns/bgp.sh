#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# An active fleet behind BGP and ECMP (announce: {mode: bgp}): three dispatchers, each running
# xlbd with the same Maglev VIP (direct server return) and its own BIRD (bird2), which learns
# xlbd's routes from kernel table 100 and exports them over BGP to a router that runs BIRD too
# and installs the VIP as one multipath route (merge paths; L4 hashing,
# fib_multipath_hash_policy=1). A client behind the router holds long-lived connections; they
# spread over the dispatchers, each flow's backend is the same whichever dispatcher it crosses,
# and when one dispatcher's xlbd stops its route leaves the router within the BGP hold time
# while its flows go on through the others, to the same backends, without a reset.
#
#    client .2 ── eth1 router eth0 .1 ──┬── br0 (198.51.100.0/24) ──┬─────┬─────┐
#    (192.0.2.0/24, .1 the router)       d1 .11  d2 .12  d3 .13     b1 .21 b2 .22 b3 .23
#
# Names and helpers come from tools/topology.sh (namespaces xlb$ID-r, -c, -d1.., -b1.., -sw;
# _topo_wire, _topo_add_backend); the tree differs from topo_up's, so it is built here.
#
#   tests/netns/bgp.sh [test_name ...]     (default: every test)
#
# Environment: BUILD (build dir, default build/), XLB_RUN_ID (run id prefix, default $$),
# BIRD, BIRDC (default bird, birdc: Debian's bird2, tools/deps.sh installs it).
set -u

TIER=${TIER:-bgp}
# shellcheck source=tests/netns/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BIRD=${BIRD:-bird}
BIRDC=${BIRDC:-birdc}
FLEET="d1 d2 d3"
TABLE=100
HOLD_S=3
CONNS=48
ROUTER_AS=65000 FLEET_AS=65001

# This tree's addresses and MACs, over topology.sh's (its own tree is never built here).
TOPO_ADDR4+=([router]=198.51.100.1 [d1]=198.51.100.11 [d2]=198.51.100.12 [d3]=198.51.100.13
	     [b1]=198.51.100.21 [b2]=198.51.100.22 [b3]=198.51.100.23)
TOPO_ADDR6+=([router]=2001:db8:51::1 [d1]=2001:db8:51::11 [d2]=2001:db8:51::12
	     [d3]=2001:db8:51::13 [b1]=2001:db8:51::21 [b2]=2001:db8:51::22 [b3]=2001:db8:51::23)
TOPO_MAC+=([d1]=02:00:00:00:05:11 [d2]=02:00:00:00:05:12 [d3]=02:00:00:00:05:13
	   [client]=02:00:00:00:05:02)
CLIENT4=192.0.2.2 CLIENT_GW4=192.0.2.1

declare -A BIRD_PID=()
BGP_ID=

# ---- the tree ----------------------------------------------------------------------------------

# A node's pin dir and control socket, and xlbctl there.
pin_dir() { echo "$TOPO_DIR/bpf-$1"; }
ctl_sock() { echo "$TOPO_DIR/xlbd-$1.sock"; }
ctl()
{
	local node=$1

	shift
	topo_exec "$BGP_ID" "$node" "$XLBCTL" --pin-dir "$(pin_dir "$node")" \
		--control "$(ctl_sock "$node")" "$@"
}

fleet_build()
{
	local id=$1 sw r c node

	topo_vars "$id" || return 1
	sw=$TOPO_NS_SWITCH r=$(topo_ns "$id" router) c=$TOPO_NS_CLIENT
	_topo_do mkdir -p "$TOPO_DIR" || return 1
	_topo_do ip netns add "$sw" || return 1
	_topo_sysctl "$sw" net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 ||
		return 1
	_topo_do ip -n "$sw" link add br0 type bridge stp_state 0 forward_delay 0 \
		mcast_snooping 0 || return 1
	_topo_do ip -n "$sw" link set br0 up || return 1
	for node in router $FLEET $TOPO_BACKENDS; do
		_topo_add_ns "$id" "$node" || return 1
		_topo_wire "$id" "$node" eth0 br0 "$node" "${TOPO_MAC[$node]}" \
			"${TOPO_ADDR4[$node]}/24" "${TOPO_ADDR6[$node]}/64" || return 1
	done
	# A frame for another dispatcher's MAC, flooded while the bridge does not know it, must
	# not reach an XDP program that would forward it (topology.sh's pair mode says why).
	for node in $FLEET; do
		_topo_do ip netns exec "$sw" bridge link set dev "$node" flood off || return 1
		_topo_do mkdir -p "$(pin_dir "$node")" || return 1
		_topo_do mount -t bpf bpf "$(pin_dir "$node")" || return 1
	done

	# The client, on a link of its own behind the router.
	_topo_add_ns "$id" client || return 1
	_topo_do ip -n "$r" link add name eth1 type veth peer name eth0 netns "$c" || return 1
	_topo_do ip netns exec "$r" ethtool -K eth1 tx off || return 1
	_topo_do ip netns exec "$c" ethtool -K eth0 tx off || return 1
	_topo_do ip -n "$r" addr add "$CLIENT_GW4/24" dev eth1 || return 1
	_topo_do ip -n "$c" addr add "$CLIENT4/24" dev eth0 || return 1
	_topo_do ip -n "$r" link set eth1 up || return 1
	_topo_do ip -n "$c" link set eth0 up || return 1
	_topo_do ip -n "$c" route add default via "$CLIENT_GW4" || return 1
	# The router: forwards, hashes flows on their ports, and sees the backends' replies (from
	# the VIP, which it routes to the dispatchers) come in on eth0.
	_topo_sysctl "$r" net.ipv4.conf.all.forwarding=1 net.ipv4.fib_multipath_hash_policy=1 \
		net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.eth0.rp_filter=0 \
		net.ipv4.conf.eth1.rp_filter=0 || return 1

	for node in $TOPO_BACKENDS; do
		_topo_add_backend "$id" "$node" || return 1
		_topo_do ip -n "$(topo_ns "$id" "$node")" route add default \
			via "${TOPO_ADDR4[router]}" || return 1
	done
	# shellcheck disable=SC2086 # a list of names
	_topo_wait_servers "$id" $TOPO_BACKENDS
}

# bird_conf NODE FILE: the router's BIRD (a BGP session to each dispatcher, their routes merged
# into one multipath route of the main table) or a dispatcher's (xlbd's table learnt, exported
# to the router). Timers short, so a test needs no minutes: hold 3 s, retries after 1 s.
bird_conf()
{
	local node=$1 d

	{
		echo "router id ${TOPO_ADDR4[$node]};"
		echo "log stderr all;"
		echo "protocol device { }"
		if [ "$node" = router ]; then
			echo "protocol kernel { merge paths on; ipv4 { import none; export all; }; }"
		else
			echo "protocol kernel { kernel table $TABLE; learn; scan time 10;"
			echo "	ipv4 { import all; export none; }; }"
		fi
		echo "template bgp peer {"
		echo "	hold time $HOLD_S; keepalive time 1; connect delay time 1;"
		echo "	connect retry time 1; error wait time 1, 2;"
		if [ "$node" = router ]; then
			echo "	local ${TOPO_ADDR4[router]} as $ROUTER_AS;"
			echo "	ipv4 { import all; export none; }; }"
			for d in $FLEET; do
				echo "protocol bgp $d from peer { neighbor ${TOPO_ADDR4[$d]} as $FLEET_AS; }"
			done
		else
			echo "	local ${TOPO_ADDR4[$node]} as $FLEET_AS;"
			echo "	ipv4 { import none; export all; }; }"
			echo "protocol bgp uplink from peer {"
			echo "	neighbor ${TOPO_ADDR4[router]} as $ROUTER_AS; }"
		fi
	} >"$2"
}

# bird_start NODE: BIRD in NODE's namespace, in the foreground (-f, so $! is bird), with its
# config, control socket and pid file in the run's directory.
bird_start()
{
	local node=$1 conf=$TOPO_DIR/bird-$1.conf

	bird_conf "$node" "$conf"
	ip netns exec "$(topo_ns "$BGP_ID" "$node")" "$BIRD" -f -c "$conf" \
		-s "$TOPO_DIR/bird-$node.ctl" -P "$TOPO_DIR/bird-$node.pid" \
		>>"$TOPO_DIR/bird-$node.log" 2>&1 </dev/null &
	BIRD_PID[$node]=$!
}

birdc_at()
{
	local node=$1

	shift
	topo_exec "$BGP_ID" "$node" "$BIRDC" -s "$TOPO_DIR/bird-$node.ctl" "$@"
}

# xlbd_start NODE: the fleet's config, the same on every node.
xlbd_start()
{
	local node=$1 ns

	ns=$(topo_ns "$BGP_ID" "$node")
	topo_xlbd_log_begin "$BGP_ID" "$node" "-c $TOPO_DIR/fleet.yaml" || return 1
	ip netns exec "$ns" "$XLBD" -c "$TOPO_DIR/fleet.yaml" --pin-dir "$(pin_dir "$node")" \
		--control "$(ctl_sock "$node")" >>"${TOPO_XLBD_LOG[$node]}" 2>&1 </dev/null &
	TOPO_XLBD_PID[$node]=$!
}

xlbd_log()
{
	tail -n +$((${TOPO_XLBD_MARK[$1]:-0} + 1)) "${TOPO_XLBD_LOG[$1]:-/dev/null}" 2>/dev/null
}

# xlbd_wait_ready NODE: "xlbd: ready" within 10 s.
xlbd_wait_ready()
{
	local i

	for ((i = 0; i < 500; i++)); do
		xlbd_log "$1" | grep -q 'xlbd: ready' && return 0
		_topo_alive "${TOPO_XLBD_PID[$1]:-}" || return 1
		sleep 0.02
	done
	return 1
}

xlbd_stop()
{
	_topo_stop TOPO_XLBD_PID xlbd "$1" "${2:-TERM}" 5
}

# fleet_down ID: every process by its pid, the pin dirs, the namespaces (topo_down's and the
# fleet's own), the run's directory.
fleet_down()
{
	local id=$1 node ns pid

	topo_vars "$id" || return 1
	for node in $FLEET; do
		_topo_alive "${TOPO_XLBD_PID[$node]:-}" && xlbd_stop "$node"
	done
	for node in "${!BIRD_PID[@]}"; do
		[ -n "${BIRD_PID[$node]}" ] && _topo_signal_wait "${BIRD_PID[$node]}" TERM 5
		BIRD_PID[$node]=
	done
	for node in $FLEET; do
		mountpoint -q "$(pin_dir "$node")" && umount "$(pin_dir "$node")"
		ns=$(topo_ns "$id" "$node")
		_topo_ns_exists "$ns" || continue
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			_topo_stop_pid "$pid"
		done
		ip netns del "$ns" 2>/dev/null
	done
	topo_down "$id"
}

# The tier's trap, with the fleet's teardown in it.
tier_cleanup()
{
	trap - EXIT INT TERM
	bg_stop_all
	[ -z "$BGP_ID" ] || fleet_down "$BGP_ID"
	rm -rf -- "$TMP"
}

# bgp_fail NAME WHY...: FAIL, with the last lines of every xlbd and BIRD log.
bgp_fail()
{
	local node

	fail "$@"
	for node in $FLEET; do
		_topo_tail "${TOPO_XLBD_LOG[$node]:-}" 15
	done
	for node in router $FLEET; do
		_topo_tail "$TOPO_DIR/bird-$node.log" 10
	done
	return 1
}

# nexthops: the router's next hops for the VIP, one address a line.
nexthops()
{
	# ip -n: no `ip netns exec` and its remount of /sys in a loop polled every 10 ms.
	ip -n "$(topo_ns "$BGP_ID" router)" route show "$TOPO_VIP4/32" |
		grep -o 'via [0-9.]*' | cut -d' ' -f2 | sort
}

# wait_nexthops N MS: until the router has N next hops for the VIP, for at most MS ms.
wait_nexthops()
{
	local end=$((${EPOCHREALTIME/./} + $2 * 1000))

	while [ "$(nexthops | grep -c .)" != "$1" ]; do
		((${EPOCHREALTIME/./} > end)) && return 1
		sleep 0.01
	done
}

# fleet_up NAME: the tree, BIRD on the router and every dispatcher, xlbd on each, and the
# router holding a 3-way route. On failure FAIL NAME, return 1.
fleet_up()
{
	local name=$1 node

	SEQ=$((SEQ + 1))
	BGP_ID=$RUN-$SEQ
	if ! command -v "$BIRD" >/dev/null || ! command -v "$BIRDC" >/dev/null; then
		fail "$name" "no $BIRD / $BIRDC: bird2 is missing (tools/deps.sh installs it)"
		return 1
	fi
	if ! fleet_build "$BGP_ID"; then
		bgp_fail "$name" "could not build the tree"
		return 1
	fi
	xlb_config "$TOPO_DIR/fleet.yaml" what="a member of an active fleet"
	printf 'announce: {mode: bgp, table: %s}\n' "$TABLE" >>"$TOPO_DIR/fleet.yaml"
	# A crashed run's route for an address no VIP has any more: the start removes it.
	topo_exec "$BGP_ID" d1 ip route add blackhole 203.0.113.99/32 table "$TABLE" proto 252
	for node in router $FLEET; do
		bird_start "$node"
	done
	for node in $FLEET; do
		xlbd_start "$node"
	done
	for node in $FLEET; do
		if ! xlbd_wait_ready "$node"; then
			bgp_fail "$name" "$node: xlbd not ready within 10 s"
			return 1
		fi
	done
	for node in router $FLEET; do
		if ! _topo_alive "${BIRD_PID[$node]}"; then
			bgp_fail "$name" "$node: bird exited: $(tail -n 2 "$TOPO_DIR/bird-$node.log")"
			return 1
		fi
	done
	FLEET_UP_US=${EPOCHREALTIME/./}
	if ! wait_nexthops 3 15000; then
		bgp_fail "$name" "the router has no 3-way route to $TOPO_VIP4 within 15 s:" \
			"$(topo_exec "$BGP_ID" router ip route show "$TOPO_VIP4/32" | tr '\n' ' ')"
		return 1
	fi
}

# ---- the tests --------------------------------------------------------------------------------

# flows NODE: "PORT BACKEND" for each of the client's flows in NODE's connection table (eth0's,
# not the SYNs').
flows()
{
	ctl "$1" --json conns --vip web | json_objects | grep '"table":"eth0"' |
		grep "\"client\":\"$CLIENT4:" |
		sed -n 's/.*"client":"[0-9.]*:\([0-9]*\)".*"backend":"\([0-9.]*\)".*/\1 \2/p'
}

# monitor_start: the router's route changes, each stamped, into $TMP/monitor (MON_PID).
monitor_start()
{
	ip -n "$(topo_ns "$BGP_ID" router)" -ts monitor route >"$TMP/monitor" 2>&1 </dev/null &
	MON_PID=$!
	BG_PIDS+=("$MON_PID")
	sleep 0.2
}

# monitor_change_ms T0_US: stop the monitor; the ms from T0_US to the first change of the VIP's
# route it saw ("[2026-12-02T14:17:53.714123] 203.0.113.100 proto bird ..."), or fail.
monitor_change_ms()
{
	local stamp t1

	kill "$MON_PID"
	bg_wait "$MON_PID"
	stamp=$(grep -m1 "$TOPO_VIP4" "$TMP/monitor" | sed -n 's/^\[\([^]]*\)\].*/\1/p')
	[ -n "$stamp" ] && t1=$(date -d "${stamp/T/ }" +%s%6N 2>/dev/null) || return 1
	echo $(((t1 - $1) / 1000))
}

# lookups NODE < "PORT ..." lines: "PORT BACKEND" for each, as NODE's xlbctl lookup says (one
# `ip netns exec` for all: it remounts /sys each time).
lookups()
{
	# shellcheck disable=SC2016 # expanded by the inner shell
	topo_exec "$BGP_ID" "$1" bash -c 'while read -r port _; do
		echo "$port $("$0" --pin-dir "$1" --control "$2" --json lookup tcp "$3:$port" "$4:80" |
			sed -n "s/.*\"backend\":\"\([0-9.]*\)\".*/\1/p")"
	done' "$XLBCTL" "$(pin_dir "$1")" "$(ctl_sock "$1")" "$CLIENT4" "$TOPO_VIP4"
}

# Test that the fleet spreads flows, that every node sends each flow to one backend, and that a
# stopped node's routes leave the router within the hold time while its flows live on.
test_fleet()
{
	local name=fleet node out=$TMP/hold.json err=$TMP/hold.err n total=0 spread='' port be
	local obe via bad=0 t0 t_ms t_poll n_d1 i hold_pid idle='' pids

	fleet_up "$name" || return
	pass "${name}_multipath" "the router's route to $TOPO_VIP4 has 3 next hops" \
		"($(nexthops | tr '\n' ' ')), $(( (${EPOCHREALTIME/./} - FLEET_UP_US) / 1000 )) ms after" \
		"the last xlbd was ready"
	if topo_exec "$BGP_ID" d1 ip route show table "$TABLE" | grep -q 203.0.113.99 ||
	   topo_exec "$BGP_ID" router ip route show | grep -q 203.0.113.99; then
		bgp_fail "${name}_stale" "d1 kept a crashed run's route to 203.0.113.99"
		return
	fi
	pass "${name}_stale" "a crashed run's route (203.0.113.99) removed at start"

	client_bg "$out" "$err" "$XLB_HTTP" hold --url-host "$TOPO_VIP4" --port 80 \
		--conns "$CONNS" --duration-ms 60000 --interval-ms 100 --timeout-ms 3000 --json
	hold_pid=$BG_PID
	for ((i = 0; i < 250; i++)); do
		grep -q "hold: $CONNS of $CONNS connections up" "$err" 2>/dev/null && break
		sleep 0.02
	done
	if ((i == 250)); then
		bgp_fail "$name" "the client's $CONNS connections were not up within 5 s: $(cat "$err")"
		return
	fi
	for node in $FLEET; do
		flows "$node" >"$TMP/flows-$node"
		n=$(grep -c . "$TMP/flows-$node")
		((n)) || idle=$node
		total=$((total + n)) spread="$spread $node=$n"
	done
	if ((total != CONNS)) || [ -n "$idle" ]; then
		bgp_fail "${name}_spread" "$CONNS flows over the fleet:$spread"
		return
	fi
	pass "${name}_spread" "$CONNS flows (source ports) over the fleet:$spread"

	# Each flow's backend as the node it crossed bound it, and as each other node's table says.
	for node in $FLEET; do
		sed "s/\$/ $node/" "$TMP/flows-$node"
	done >"$TMP/flows"
	pids=()
	for node in $FLEET; do
		lookups "$node" <"$TMP/flows" >"$TMP/lookup-$node" &
		pids+=($!)
	done
	wait "${pids[@]}"
	for node in $FLEET; do
		while read -r port be via; do
			[ "$via" = "$node" ] && continue
			obe=$(grep "^$port " "$TMP/lookup-$node" | cut -d' ' -f2)
			[ "$obe" = "$be" ] || { bad=$((bad + 1));
				echo "flow :$port: $via -> $be, $node -> ${obe:-?}" >&2; }
		done <"$TMP/flows"
	done
	if ((bad)); then
		bgp_fail "${name}_same_backend" "$bad flow/node pairs disagree on the backend"
		return
	fi
	pass "${name}_same_backend" "each of the $CONNS flows has one backend on all 3 nodes" \
		"($((CONNS * 2)) lookups on the nodes it did not cross)"

	# Timed from the signal to the router's kernel changing the route, as its route monitor
	# stamps it (polling would time the poll: xlbd's teardown keeps the 2 CPUs busy).
	n_d1=$(grep -c . "$TMP/flows-d1")
	monitor_start
	t0=${EPOCHREALTIME/./}
	kill -TERM "${TOPO_XLBD_PID[d1]}"
	if ! wait_nexthops 2 $((HOLD_S * 1000)) || nexthops | grep -qx "${TOPO_ADDR4[d1]}"; then
		bgp_fail "${name}_withdraw" "d1 still a next hop $HOLD_S s after its xlbd stopped:" \
			"$(nexthops | tr '\n' ' ')"
		return
	fi
	t_poll=$(( (${EPOCHREALTIME/./} - t0) / 1000 ))
	xlbd_stop d1
	if ! t_ms=$(monitor_change_ms "$t0"); then
		bgp_fail "${name}_withdraw" "the router's monitor saw no change: $(head -c 300 "$TMP/monitor")"
		return
	fi
	pass "${name}_withdraw" "d1's route left the router $t_ms ms after its xlbd got SIGTERM" \
		"(seen by polling after $t_poll ms; hold time ${HOLD_S} s); next hops now" \
		"$(nexthops | tr '\n' ' ')"

	# The flows d1 carried go on through d2 and d3: two more seconds of requests, then the end.
	sleep 2
	kill -TERM "$hold_pid"
	bg_wait "$hold_pid"
	if [ "$(json_num failed_conns <"$out")" != 0 ] || [ "$(json_num switched <"$out")" != 0 ] ||
	   [ "$(json_num resets <"$out")" != 0 ] || [ "$(json_num conns <"$out")" != "$CONNS" ]; then
		bgp_fail "${name}_flows_kept" "after d1 stopped: $(head -c 400 "$out")"
		return
	fi
	pass "${name}_flows_kept" "all $CONNS connections ($n_d1 of them through d1) kept their" \
		"backends with no reset: $(json_num requests_ok <"$out") requests answered," \
		"$(json_num requests_failed <"$out") failed"

	# A crash (kill -9) leaves d2's route and XDP program; the restart adopts the route, and
	# the router sees no change of it from the crash to the restarted xlbd's first look.
	monitor_start
	xlbd_stop d2 KILL
	xlbd_start d2
	if ! xlbd_wait_ready d2 || ! sleep 0.5 || [ "$(nexthops | grep -c .)" != 2 ]; then
		bgp_fail "${name}_crash_restart" "d2 after kill -9 and a restart: next hops" \
			"$(nexthops | tr '\n' ' ')"
		return
	fi
	if monitor_change_ms "${EPOCHREALTIME/./}" >/dev/null ||
	   ! xlbd_log d2 | grep -q "1 routes of an earlier run kept"; then
		bgp_fail "${name}_crash_restart" "the restart changed d2's route: $(cat "$TMP/monitor")"
		return
	fi
	pass "${name}_crash_restart" "d2's xlbd killed (-9) and restarted: its route adopted, the" \
		"router's route to $TOPO_VIP4 unchanged throughout"

	# No live backend on d3 (the operator's disable): d3 withdraws, d2 alone stays.
	for be in $TOPO_BACKENDS; do
		ctl d3 disable "${TOPO_ADDR4[$be]}" >/dev/null
	done
	if ! wait_nexthops 1 2000 || ! nexthops | grep -qx "${TOPO_ADDR4[d2]}" ||
	   ! ctl d3 --json state | grep -q '"announced":false,"reason":"no live backend"' ||
	   ! ctl d3 state | grep -q "web $TOPO_VIP4: not announced (no live backend)"; then
		bgp_fail "${name}_no_backend" "d3 with every backend disabled: next hops" \
			"$(nexthops | tr '\n' ' ')"
		return
	fi
	for be in $TOPO_BACKENDS; do
		ctl d3 enable "${TOPO_ADDR4[$be]}" >/dev/null
	done
	if ! wait_nexthops 2 2000 || ! ctl d3 --json state | grep -q '"announced":true'; then
		bgp_fail "${name}_no_backend" "d3's route did not come back with its backends"
		return
	fi
	pass "${name}_no_backend" "d3 withdrew while no backend was live, announced again after"

	# A node that drops off the segment (its eth0 down: nothing it says reaches the router, not
	# even its xlbd's withdrawal) is dropped when the router's hold time runs out.
	monitor_start
	t0=${EPOCHREALTIME/./}
	ip -n "$(topo_ns "$BGP_ID" d3)" link set eth0 down
	if ! wait_nexthops 1 $((HOLD_S * 1000 + 2000)) || ! t_ms=$(monitor_change_ms "$t0") ||
	   ((t_ms > HOLD_S * 1000 + 1000)); then
		bgp_fail "${name}_dead_node" "d3 off the segment: next hops $(nexthops | tr '\n' ' ')" \
			"after $(( (${EPOCHREALTIME/./} - t0) / 1000 )) ms"
		return
	fi
	if ! ctl d3 --json state | grep -q '"announced":false,"reason":"interface down"'; then
		bgp_fail "${name}_dead_node" "d3's xlbd kept its route with eth0 down"
		return
	fi
	pass "${name}_dead_node" "d3 off the segment (eth0 down): the router dropped it after" \
		"$t_ms ms (hold time ${HOLD_S} s); d3's xlbd withdrew its route (interface down)"
	fleet_down "$BGP_ID"
	BGP_ID=
}

tier_main "$@"
