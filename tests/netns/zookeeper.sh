#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Failover mode zookeeper: three xlbd elect their master through a three-server ZooKeeper
# ensemble (Debian's zookeeper package, each server in its own namespace, started here and
# stopped by pid). On the pair topology and helpers of tests/netns/failover.sh (sourced): its
# two dispatchers are A and B, and a third, C (xlb<id>-d3, 192.0.2.4), joins the segment. The
# servers (198.51.100.201-203) sit on a second segment, brz, which every xlbd and the client
# reach on eth1: cutting a node's brz port cuts it off from ZooKeeper only. session_timeout 4 s;
# the servers' tickTime 500 ms. A and B sync flows.
#
# One run, in steps, each its own PASS/FAIL line:
#   test_zk_one_master     A, B, C start in turn: A master alone, `xlbctl master --watch` says A
#   test_zk_graceful       A stops (SIGTERM, its session closed): B takes over at once; 50
#                          long-lived connections survive through B (flow sync); A rejoins
#   test_zk_dead_master    B dies (kill -9, its links down): C takes over when B's session
#                          expires; the gap a client sees, against session_timeout
#   test_zk_cut_off        C loses ZooKeeper only: it releases the VIP before its session
#                          expires (the margin), A takes over; never both (address events, polls)
#   test_zk_server_stop    the leader stops (the other two elect another): nothing changes for 5 s
#   test_zk_rejoin         C's link comes back: its session expired, it starts over as backup
#
#   tests/netns/zookeeper.sh [test_zookeeper]
#
# Environment: BUILD (build dir, default build/), XLB_RUN_ID (run id prefix, default $$).
set -u

TIER=${TIER:-zookeeper}
# shellcheck source=tests/netns/failover.sh
. "$(dirname "${BASH_SOURCE[0]}")/failover.sh"

SESSION_MS=4000
ZK_TICK_MS=500
ZK_PATH=/xlb/web
declare -A ZK_ADDR=([1]=198.51.100.201 [2]=198.51.100.202 [3]=198.51.100.203)
ZK_HOSTS="${ZK_ADDR[1]}:2181,${ZK_ADDR[2]}:2181,${ZK_ADDR[3]}:2181"
# brz addresses of the others
declare -A ZK_NET=([client]=198.51.100.1 [$A]=198.51.100.2 [$B]=198.51.100.3 [C]=198.51.100.4)
C_ADDR4=192.0.2.4
C_MAC=02:00:00:00:00:04
# Debian's zookeeper: its jar names the rest in its manifest's Class-Path; slf4j-simple (from
# libslf4j-java, which it depends on) logs to stderr, its file here.
ZK_CP=/usr/share/java/zookeeper.jar:/usr/share/java/slf4j-simple.jar
# A small, quick JVM: the three share two cores with everything else.
ZK_JVM="-Xms32m -Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss512k"

declare -A ZK_PID=()
C_PID=
C_NS=
C_LOG=

# ---- the ensemble and the third node --------------------------------------------------------

zk_ns() { echo "xlb$ID-z$1"; }

# zk_wire NS IFACE PORT BRIDGE MAC ADDR4/LEN ADDR6/LEN: NS's IFACE on the switch's BRIDGE, as
# tools/topology.sh wires a node (XDP_PASS on the switch side, full checksums).
zk_wire()
{
	local ns=$1 ifc=$2 port=$3 br=$4 sw

	sw=$(topo_ns "$ID" switch)
	_topo_do ip -n "$sw" link add name "$port" type veth peer name "$ifc" netns "$ns" &&
		_topo_do ip -n "$sw" link set dev "$port" master "$br" up &&
		_topo_do ip -n "$sw" link set dev "$port" xdpdrv obj "$TOPO_PASS_OBJ" sec xdp &&
		_topo_do ip netns exec "$ns" ethtool -K "$ifc" tx off &&
		_topo_do ip -n "$ns" link set "$ifc" address "$5" &&
		_topo_do ip -n "$ns" addr add "$6" dev "$ifc" &&
		_topo_do ip -n "$ns" addr add "$7" dev "$ifc" nodad &&
		_topo_do ip -n "$ns" link set "$ifc" up
}

# zk_net: brz, the servers' namespaces on it, and every xlbd's and the client's eth1; C.
zk_net()
{
	local sw n node ns i=10

	sw=$(topo_ns "$ID" switch)
	_topo_do ip -n "$sw" link add brz type bridge stp_state 0 forward_delay 0 || return 1
	_topo_do ip -n "$sw" link set brz up || return 1
	for n in 1 2 3; do
		ns=$(zk_ns $n)
		_topo_do ip netns add "$ns" && _topo_do ip -n "$ns" link set lo up || return 1
		zk_wire "$ns" eth0 "z$n" brz "02:00:00:00:05:0$n" "${ZK_ADDR[$n]}/24" \
			"2001:db8:5::20$n/64" || return 1
	done
	C_NS=xlb$ID-d3
	_topo_do ip netns add "$C_NS" && _topo_do ip -n "$C_NS" link set lo up || return 1
	_topo_sysctl "$C_NS" net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
		net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0 || return 1
	zk_wire "$C_NS" eth0 d3 br0 "$C_MAC" "$C_ADDR4/24" "2001:db8::4/64" || return 1
	# a real NIC's unicast filter, as the topology gives the two dispatchers
	_topo_do ip netns exec "$sw" bridge link set dev d3 flood off || return 1
	for node in client $A $B C; do
		i=$((i + 1))
		if [ "$node" = C ]; then ns=$C_NS; else ns=$(topo_ns "$ID" "$node"); fi
		zk_wire "$ns" eth1 "zc$i" brz "02:00:00:00:06:$i" "${ZK_NET[$node]}/24" \
			"2001:db8:5::$i/64" || return 1
		ZK_PORT[$node]=zc$i
	done
}
declare -A ZK_PORT=()

# zk_start_server N: server N of the ensemble, its config and data under $TMP/zN.
zk_start_server()
{
	local n=$1 dir=$TMP/z$1 ns

	ns=$(zk_ns "$n")
	mkdir -p "$dir/data"
	echo "$n" >"$dir/data/myid"
	cat >"$dir/zoo.cfg" <<EOF
# Written by tests/netns/zookeeper.sh: server $n of three.
tickTime=$ZK_TICK_MS
initLimit=10
syncLimit=4
dataDir=$dir/data
clientPort=2181
clientPortAddress=${ZK_ADDR[$n]}
maxClientCnxns=0
admin.enableServer=false
4lw.commands.whitelist=srvr,cons
server.1=${ZK_ADDR[1]}:2888:3888
server.2=${ZK_ADDR[2]}:2888:3888
server.3=${ZK_ADDR[3]}:2888:3888
EOF
	# shellcheck disable=SC2086 # ZK_JVM is a list of options
	ip netns exec "$ns" java $ZK_JVM -cp "$ZK_CP" -Dorg.slf4j.simpleLogger.showDateTime=true \
		-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS -Dzookeeper.log.dir="$dir" \
		org.apache.zookeeper.server.quorum.QuorumPeerMain "$dir/zoo.cfg" \
		>"$dir/zookeeper.log" 2>&1 </dev/null &
	ZK_PID[$n]=$!
}

# zk_word N WORD: server N's answer to a four-letter word.
zk_word()
{
	ip netns exec "$(zk_ns "$1")" timeout 2 bash -c \
		"exec 3<>/dev/tcp/${ZK_ADDR[$1]}/2181 && printf $2 >&3 && cat <&3" 2>/dev/null
}

# zk_mode N: leader, follower, or "" while it does not serve.
zk_mode() { zk_word "$1" srvr | sed -n 's/^Mode: //p'; }

# zk_ensemble_up: the three servers, in parallel; 0 once all serve (30 s at most).
zk_ensemble_up()
{
	local n i ok

	for n in 1 2 3; do
		zk_start_server $n
	done
	for ((i = 0; i < 300; i++)); do
		ok=0
		for n in 1 2 3; do
			[[ $(zk_mode $n) == @(leader|follower) ]] && ok=$((ok + 1))
		done
		((ok == 3)) && return 0
		sleep 0.1
	done
	return 1
}

zk_stop_server()
{
	[ -n "${ZK_PID[$1]:-}" ] || return 0
	_topo_stop_pid "${ZK_PID[$1]}"
	ZK_PID[$1]=
}

# zk_config FILE NAME [SYNC_SELF SYNC_PEER]: an xlbd of the fleet, named NAME.
zk_config()
{
	xlb_config "$1" what="node $2 of a ZooKeeper-mode fleet" sched=maglev fwd=dr
	cat >>"$1" <<EOF
metrics:
  listen: 127.0.0.1:9542
failover:
  mode: zookeeper
  zookeeper:
    hosts: "$ZK_HOSTS"
    path: $ZK_PATH
    session_timeout: ${SESSION_MS}ms
    interface: eth0
    name: $2
    virtual_addresses: [$TOPO_VIP4/24]
EOF
	[ $# -lt 4 ] ||
		printf '  sync:\n    listen: %s:8849\n    peer: %s:8849\n    key_file: %s\n' \
			"$3" "$4" "$KEY" >>"$1"
}

# C's xlbd, by hand: the topology runs two.
c_start()
{
	local pin=$TOPO_DIR/bpf3 i

	C_LOG=$TOPO_DIR/xlbd-d3.log
	mkdir -p "$pin"
	mountpoint -q "$pin" || mount -t bpf bpf "$pin" || return 1
	: >"$C_LOG"
	ip netns exec "$C_NS" "$XLBD" -c "$CFG_C" --pin-dir "$pin" --control "$TOPO_DIR/xlbd3.sock" \
		>>"$C_LOG" 2>&1 </dev/null &
	C_PID=$!
	for ((i = 0; i < 500; i++)); do
		grep -q 'xlbd: ready' "$C_LOG" && return 0
		kill -0 "$C_PID" 2>/dev/null || return 1
		sleep 0.02
	done
	return 1
}

c_xlbctl()
{
	ip netns exec "$C_NS" "$XLBCTL" --pin-dir "$TOPO_DIR/bpf3" --control "$TOPO_DIR/xlbd3.sock" "$@"
}

# zk_cleanup: what this file started beside the topology, before topo_down removes it.
zk_cleanup()
{
	local n ns

	[ -n "$C_PID" ] && _topo_stop_pid "$C_PID"
	C_PID=
	# the JVMs in parallel: each takes a moment to exit
	for n in 1 2 3; do
		[ -n "${ZK_PID[$n]:-}" ] && kill -TERM "${ZK_PID[$n]}" 2>/dev/null
	done
	for n in 1 2 3; do
		zk_stop_server $n
	done
	[ -n "${TOPO_DIR:-}" ] && mountpoint -q "$TOPO_DIR/bpf3" && umount "$TOPO_DIR/bpf3"
	[ -n "${ID:-}" ] || return 0
	for ns in "$(zk_ns 1)" "$(zk_ns 2)" "$(zk_ns 3)" "xlb$ID-d3"; do
		_topo_ns_exists "$ns" && ip netns del "$ns"
	done
	return 0
}
trap 'zk_cleanup; tier_cleanup' EXIT

# zfail NAME WHY: fail, with C's log and the servers' last lines.
zfail()
{
	local n

	fail "$@"
	_topo_tail "$C_LOG" "$FAIL_LOG_LINES"
	for n in 1 2 3; do
		_topo_tail "$TMP/z$n/zookeeper.log" 5
	done
}

# ---- reading the fleet ----------------------------------------------------------------------

# zk_get NODE (A, B or C): its "zookeeper" object in ZOBJ, its state in ZS ("" if no answer).
zk_get()
{
	local re='"zookeeper":\{([^{}]*)\}' out

	ZS=
	ZOBJ=
	if [ "$1" = C ]; then
		out=$(c_xlbctl --json state 2>&1) || return 1
	else
		out=$(topo_xlbctl "$ID" "$1" --json state 2>&1) || return 1
	fi
	[[ $out =~ $re ]] || return 1
	ZOBJ=${BASH_REMATCH[1]}
	ZS=$(zfield state)
}

# zfield KEY: of the last zk_get (failover.sh's vfield, on ZOBJ).
zfield()
{
	VRRP=$ZOBJ vfield "$1"
}

# wait_zk NODE STATE TIMEOUT_MS: until NODE's state is STATE; SEEN_US then, SINCE_US when it
# entered it (by xlbd's in_state_ms: polls under load are slow).
wait_zk()
{
	local end=$((${EPOCHREALTIME/./} + $3 * 1000))

	while :; do
		zk_get "$1"
		SEEN_US=${EPOCHREALTIME/./}
		if [ "$ZS" = "$2" ]; then
			SINCE_US=$((SEEN_US - $(zfield in_state_ms) * 1000))
			return 0
		fi
		((SEEN_US > end)) && return 1
		sleep 0.02
	done
}

holds()
{
	local ns

	if [ "$1" = C ]; then ns=$C_NS; else ns=$(topo_ns "$ID" "$1"); fi
	ip -n "$ns" -4 -o addr show dev eth0 2>/dev/null | grep -q " inet $TOPO_VIP4/"
}

# holders NODE...: which of them hold the VIP, as "A", "A+C", or "none".
holders()
{
	local n l out=''

	for n in "$@"; do
		l=$n
		[ "$n" = "$A" ] && l=A
		[ "$n" = "$B" ] && l=B
		holds "$n" && out+=${out:++}$l
	done
	echo "${out:-none}"
}

# watch_master: the last master `xlbctl master --watch --json` printed ("" for none).
watch_master()
{
	tail -n 1 "$TMP/master-watch.json" | json_str node
}

wait_watch_master()
{
	local i

	for ((i = 0; i < 100; i++)); do
		[ "$(watch_master)" = "$1" ] && return 0
		sleep 0.02
	done
	return 1
}

# ---- the steps ------------------------------------------------------------------------------

zk_up()
{
	local t=test_zk_one_master i n m out

	topo_pair $t || return 1
	zk_net || { zfail $t "could not wire the ZooKeeper segment and C"; return 1; }
	T0=${EPOCHREALTIME/./}
	if ! zk_ensemble_up; then
		zfail $t "the ensemble did not serve within 30 s: modes '$(zk_mode 1)'" \
			"'$(zk_mode 2)' '$(zk_mode 3)'"
		return 1
	fi
	ZK_UP_MS=$(((${EPOCHREALTIME/./} - T0) / 1000))
	CFG_C=$TOPO_DIR/c.yaml
	zk_config "$CFG_A" A "${TOPO_ADDR4[$A]}" "${TOPO_ADDR4[$B]}"
	zk_config "$CFG_B" B "${TOPO_ADDR4[$B]}" "${TOPO_ADDR4[$A]}"
	zk_config "$CFG_C" C
	# one after the other: their nodes' sequence numbers say A < B < C
	start_node $t $A "$CFG_A" || return 1
	if ! wait_zk $A master 5000; then
		zfail $t "A alone is not master within 5 s: $ZOBJ"
		return 1
	fi
	start_node $t $B "$CFG_B" || return 1
	wait_zk $B backup 5000 || { zfail $t "B is not backup within 5 s: $ZOBJ"; return 1; }
	c_start || { zfail $t "C's xlbd did not start"; return 1; }
	wait_zk C backup 5000 || { zfail $t "C is not backup within 5 s: $ZOBJ"; return 1; }
	client_bg "$TMP/master-watch.json" "$TMP/master-watch.err" "$XLBCTL" master \
		--zookeeper "$ZK_HOSTS" --path $ZK_PATH --watch --json
	if ! wait_watch_master A; then
		zfail $t "xlbctl master --watch says '$(watch_master)', want A:" \
			"$(cat "$TMP/master-watch.json" "$TMP/master-watch.err")"
		return 1
	fi
	for n in $B C; do
		zk_get "$n"
		m=$(zfield master)
		[ "$m" = A ] || { zfail $t "$n says the master is '$m', want A: $ZOBJ"; return 1; }
	done
	for ((i = 0; i < 25; i++)); do
		[ "$(holders $A $B C)" = A ] || { zfail $t "the VIP is on $(holders $A $B C)"; return 1; }
		sleep 0.02
	done
	# And as Prometheus sees it: A holds the addresses, B does not, both in a session.
	for n in $A $B; do
		scrape $t $n || return 1
		m=$(metric "$SCRAPE" xlb_zk_master)
		if [ "$m" != "$([ $n = $A ] && echo 1 || echo 0)" ] ||
		   [ "$(metric "$SCRAPE" xlb_zk_connected)" != 1 ]; then
			zfail $t "$n's metrics: xlb_zk_master '$m', xlb_zk_connected" \
				"'$(metric "$SCRAPE" xlb_zk_connected)'"
			return 1
		fi
	done
	out=$(topo_exec "$ID" client "$XLBCTL" master --zookeeper "$ZK_HOSTS" --path $ZK_PATH)
	pass $t "ensemble serving $ZK_UP_MS ms after the three JVMs started; A master, B and C" \
		"backup of A, the VIP on A only; xlbctl master: '$out'"
}

zk_graceful()
{
	local t=test_zk_graceful n=50 dur=4000 iv=100 hout=$TMP/hold.json inst0 inst i take hold

	for ((i = 0; i < 100; i++)); do
		[ "$(sync_field $B bulk_received)" -ge 1 ] 2>/dev/null && break
		sleep 0.02
	done
	inst0=$(sync_field $B installed_flows)
	if ! hold_start $n $dur $iv "$hout" "$TMP/hold.err"; then
		zfail $t "hold: not all $n connections up: $(cat "$TMP/hold.err")"
		return 1
	fi
	for ((i = 0; i < 100; i++)); do
		inst=$(sync_field $B installed_flows)
		((${inst:-0} - ${inst0:-0} >= n)) && break
		sleep 0.02
	done
	sleep 0.5
	topo_xlbd_stop $A TERM 5
	if ! wait_zk $B master 3000; then
		zfail $t "B not master 3 s after A stopped: $ZOBJ"
		return 1
	fi
	take=$(((SINCE_US - TOPO_SIG_US) / 1000))
	[ "$(holders $A $B C)" = B ] || { zfail $t "the VIP is on $(holders $A $B C)"; return 1; }
	wait_watch_master B || { zfail $t "xlbctl master --watch says '$(watch_master)'"; return 1; }
	bg_wait "$HOLD_PID"
	hold=$(cat "$hout")
	if ! hold_check "$hold" $((dur * 7 / (iv * 10))) || ((SURVIVED != n)); then
		zfail $t "long-lived connections surviving the master change: $SURVIVED/$n;" \
			"the others: $HOLD_BAD"
		return 1
	fi
	# A comes back: its new node is the highest, it is backup of B
	start_node $t $A "$CFG_A" || return 1
	wait_zk $A backup 5000 || { zfail $t "restarted A is not backup: $ZOBJ"; return 1; }
	pass $t "A stopped: B master $take ms later (A closed its session); long-lived" \
		"connections surviving the master change: $SURVIVED/$n (B had $((inst - inst0))" \
		"synced flows); restarted A is backup of $(zfield master)"
}

zk_dead_master()
{
	local t=test_zk_dead_master take gap

	probe_start $((SESSION_MS * 2 + 1000))
	sleep 0.5
	# a dead box: the process and its links at once, nothing sent to anyone
	topo_xlbd_stop $B KILL 5
	topo_exec "$ID" $B ip link set eth0 down
	topo_exec "$ID" $B ip link set eth1 down
	if ! wait_zk C master $((SESSION_MS * 3)); then
		zfail $t "C not master $((SESSION_MS * 3)) ms after B died: $ZOBJ"
		return 1
	fi
	take=$(((SINCE_US - TOPO_SIG_US) / 1000))
	[ "$(holders $A C)" = C ] || { zfail $t "the VIP is on $(holders $A C)"; return 1; }
	wait_watch_master C || { zfail $t "xlbctl master --watch says '$(watch_master)'"; return 1; }
	probe_wait || { zfail $t "$PROBE_WHY"; return 1; }
	gap=$(int_ms "$P_GAP")
	if ((gap < SESSION_MS / 2 || gap > 2 * SESSION_MS)) || [ "$P_RECOVERED" != true ]; then
		zfail $t "a client's gap $gap ms (recovered: $P_RECOVERED), want about" \
			"session_timeout $SESSION_MS ms: $PROBE"
		return 1
	fi
	pass $t "B killed with its links down: C master $take ms later; the gap a client sees" \
		"$gap ms against session_timeout $SESSION_MS ms ($P_FAILED of $P_PROBES probes failed)"
}

# mon_start NODE...: `ip -ts monitor address` in each NODE's namespace: every add and delete of
# an address, with the kernel's time, into $TMP/mon-NODE.
mon_start()
{
	local n ns

	MON_PIDS=()
	for n in "$@"; do
		if [ "$n" = C ]; then ns=$C_NS; else ns=$(topo_ns "$ID" "$n"); fi
		ip netns exec "$ns" ip -ts monitor address >"$TMP/mon-$n" 2>&1 </dev/null &
		MON_PIDS+=($!)
		BG_PIDS+=($!)
	done
	sleep 0.2 # subscribed before anything happens
}

# mon_events NODE: the VIP's adds (+) and deletes (-) on NODE, "US +|-" a line, in order.
mon_events()
{
	local re line us

	re='^\[([0-9-]+)T([0-9:]+)\.([0-9]{6})\] (Deleted )?[0-9]+: +eth0 +inet '
	re+="${TOPO_VIP4//./\\.}/"
	while IFS= read -r line; do
		[[ $line =~ $re ]] || continue
		us=$(date -d "${BASH_REMATCH[1]} ${BASH_REMATCH[2]}" +%s)${BASH_REMATCH[3]}
		if [ -n "${BASH_REMATCH[4]}" ]; then echo "$us -"; else echo "$us +"; fi
	done <"$TMP/mon-$1"
}

mon_stop()
{
	local pid

	{
		for pid in "${MON_PIDS[@]}"; do
			kill "$pid"
			bg_wait "$pid"
		done
	} 2>/dev/null
}

zk_cut_off()
{
	local t=test_zk_cut_off sw poll=$TMP/holders.txt pid t_cut t_rel='' t_take='' h both=0
	local n=0 ev

	sw=$(topo_ns "$ID" switch)
	mon_start C $A
	# and poll both, as fast as ip answers, from before the cut to after the takeover
	(
		while :; do
			echo "${EPOCHREALTIME/./} $(holders $A C)"
		done
	) >"$poll" 2>/dev/null &
	pid=$!
	BG_PIDS+=("$pid")
	sleep 0.3
	t_cut=${EPOCHREALTIME/./}
	ip -n "$sw" link set "${ZK_PORT[C]}" down
	if ! wait_zk $A master $((SESSION_MS * 3)); then
		zfail $t "A not master $((SESSION_MS * 3)) ms after C was cut off: $ZOBJ"
		return 1
	fi
	sleep 0.3
	{ kill "$pid"; bg_wait "$pid"; } 2>/dev/null
	mon_stop
	while read -r _ h; do
		n=$((n + 1))
		[[ $h == *+* ]] && both=$((both + 1))
	done <"$poll"
	# the kernel's own times: C's delete, then A's add, and nothing else
	ev=$(mon_events C | tr '\n' ' ')
	[[ $ev =~ ^([0-9]+)\ -\ $ ]] && t_rel=${BASH_REMATCH[1]}
	ev=$(mon_events $A | tr '\n' ' ')
	[[ $ev =~ ^([0-9]+)\ \+\ $ ]] && t_take=${BASH_REMATCH[1]}
	if [ -z "$t_rel" ] || [ -z "$t_take" ] || ((t_take <= t_rel)) || ((both)); then
		zfail $t "want C's VIP deleted once, then A's added once, never both: C" \
			"'$(mon_events C | tr '\n' ' ')', A '$ev'; $both of $n polls saw both"
		return 1
	fi
	zk_get C
	if [ "$ZS" != cut_off ] || [ "$(zfield released_cut_off)" != 1 ]; then
		zfail $t "C is not cut_off having released once: $ZOBJ"
		return 1
	fi
	wait_watch_master A || { zfail $t "xlbctl master --watch says '$(watch_master)'"; return 1; }
	CUT_MARGIN_MS=$(((t_take - t_rel) / 1000))
	pass $t "C cut off from ZooKeeper: released the VIP $(((t_rel - t_cut) / 1000)) ms after" \
		"the cut (2/3 of $SESSION_MS ms after its last answer), A added it" \
		"$CUT_MARGIN_MS ms after that (the margin: C's session expired in between);" \
		"never on both (the kernel's address events; 0 of $n polls of both)"
}

zk_server_stop()
{
	local t=test_zk_server_stop n s='' a_s='' mode m0 b0 lines0 end checks=0

	# the leader: the other two elect another, and drop their clients meanwhile; A's client,
	# whichever server it talks to, must find one again within its session
	for n in 1 2 3; do
		[ "$(zk_mode $n)" = leader ] && s=$n
		zk_word $n cons | grep -q "/${ZK_NET[$A]}:" && a_s=$n
	done
	[ -n "$s" ] || { zfail $t "no server is the leader"; return 1; }
	mode="the leader, $([ "${a_s:-}" = "$s" ] && echo "A's server" || echo "not A's")"
	zk_get $A
	m0=$(zfield to_master) b0=$(zfield to_backup)
	lines0=$(wc -l <"$TMP/master-watch.json")
	zk_stop_server "$s"
	end=$((${EPOCHREALTIME/./} + (SESSION_MS + 1000) * 1000))
	while ((${EPOCHREALTIME/./} < end)); do
		checks=$((checks + 1))
		zk_get $A
		if [ "$ZS" != master ] || [ "$(holders $A C)" != A ]; then
			zfail $t "server $s ($mode) stopped: A is '$ZS', the VIP on $(holders $A C)"
			return 1
		fi
		sleep 0.03
	done
	if [ "$(zfield to_master)" != "$m0" ] || [ "$(zfield to_backup)" != "$b0" ] ||
	   [ "$(wc -l <"$TMP/master-watch.json")" != "$lines0" ]; then
		zfail $t "something changed: $ZOBJ; watch: $(tail -n 2 "$TMP/master-watch.json")"
		return 1
	fi
	pass $t "server $s ($mode) stopped: A master with the VIP for $((SESSION_MS + 1000))" \
		"ms after ($checks checks), $(zfield disconnects) reconnect(s), no role change," \
		"xlbctl master --watch printed nothing new"
}

zk_rejoin()
{
	local t=test_zk_rejoin sw

	sw=$(topo_ns "$ID" switch)
	ip -n "$sw" link set "${ZK_PORT[C]}" up
	if ! wait_zk C backup $((SESSION_MS * 3)); then
		zfail $t "C not backup after its link came back: $ZOBJ"
		return 1
	fi
	if [ "$(zfield expired)" != 1 ] || [ "$(zfield sessions)" != 2 ] ||
	   [ "$(zfield master)" != A ] || [ "$(holders $A C)" != A ]; then
		zfail $t "want C on its second session, backup of A, the VIP on A only: $ZOBJ"
		return 1
	fi
	pass $t "C back: its session had expired, it started over (session $(zfield session))" \
		"and is backup of A; the VIP on A only"
}

test_zookeeper()
{
	local t0 t1 step

	need test_zookeeper "$XLBD" "$XLBCTL" "$XLB_HTTP" "$XLB_PROBE" || return 0
	t0=${EPOCHREALTIME/./}
	for step in zk_up zk_graceful zk_dead_master zk_cut_off zk_server_stop zk_rejoin; do
		t1=${EPOCHREALTIME/./}
		$step || break
		echo "  $step: $(((${EPOCHREALTIME/./} - t1) / 1000)) ms"
	done
	zk_cleanup
	echo "  test_zookeeper: $(((${EPOCHREALTIME/./} - t0) / 1000)) ms in all"
}

[[ ${BASH_SOURCE[0]} != "$0" ]] || tier_main "${@:-test_zookeeper}"
