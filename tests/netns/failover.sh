#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The failover tier: a hot-standby pair of xlbd, and keepalived 2.2 as a peer, in the pair mode
# of tools/topology.sh: dispatcher A ("dispatcher", 192.0.2.2, priority 150) and B
# ("dispatcher2", 192.0.2.3, priority 100) speak VRRPv3 (vrid 51, adverts every 100 ms) for the
# VIP 203.0.113.100 and sync flows; the client reaches the VIP on-link, so it goes wherever the
# last gratuitous ARP told it. What a client sees is measured by build/xlb-probe: a new
# connection and GET every 5 ms, 200 ms each to succeed; the outage ("gap") is the longest time
# between the starts of two successful probes in a row (5 ms when nothing happens).
#
# Each test_* function prints "PASS name: figures", "FAIL name: why" or "SKIP name: why", and
# builds and removes a topology of its own. Exit status: 1 when any test failed.
#
#   tests/netns/failover.sh [test_name ...]     (default: every test_* function)
#
# Environment: BUILD (build dir, default build/), XLB_RUN_ID (run id prefix, default $$).
# Sourced rather than run (tests/netns/sanitize.sh), it only defines its helpers and tests; TIER
# set beforehand names the sourcing tier.
set -u

TIER=${TIER:-failover}
# shellcheck source=tests/netns/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
XLB_VRRP_SEND=$BUILD/xlb-vrrp-send

A=dispatcher		# the node names of the pair, as topology.sh knows them
B=dispatcher2
ADV_MS=100		# advert_interval of every test
# RFC 5798 Master_Down_Interval of a backup of priority P at ADV_MS: 3 x ADV_MS + Skew_Time.
master_down_ms() { echo $((3 * ADV_MS + (256 - $1) * ADV_MS / 256)); }
skew_ms() { echo $(((256 - $1) * ADV_MS / 256)); }
FAIL_LOG_LINES=15	# of each log (xlbd on both nodes, keepalived) after a FAIL

# ---- helpers -----------------------------------------------------------------------------------

# The whole-ms part of a number of ms.
int_ms()
{
	echo "${1%.*}"
}

# vrrp_get NODE [INSTANCE]: `xlbctl --json state` of NODE's xlbd in STATE; its "vrrp" object (or
# instance INSTANCE's) in VRRP, the state in VS ("" when xlbd does not answer). Bash regexes, not
# grep: used in poll loops. The object holds one level of objects (adverts_rejected_by).
vrrp_get()
{
	local re='"vrrp":\{(([^{}]|\{[^{}]*\})*)\}'

	[ $# -lt 2 ] || re="\\{\"name\":\"$2\",(([^{}]|\\{[^{}]*\\})*)\\}"
	VS=
	VRRP=
	STATE=$(topo_xlbctl "$ID" "$1" --json state 2>&1) || return 1
	[[ $STATE =~ $re ]] || return 1
	VRRP=${BASH_REMATCH[1]}
	VS=$(vfield state)
}

# vfield KEY: KEY of the last vrrp_get's "vrrp" object, a string or a number.
vfield()
{
	local re="\"$1\":\"?([^\",}]*)"

	[[ $VRRP =~ $re ]] && echo "${BASH_REMATCH[1]}"
}

# sync_field NODE KEY: KEY of NODE's "sync" object.
sync_field()
{
	local re="\"sync\":\\{([^{}]*)\\}" obj

	STATE=$(topo_xlbctl "$ID" "$1" --json state 2>&1) || return 1
	[[ $STATE =~ $re ]] || return 1
	obj=${BASH_REMATCH[1]}
	re="\"$2\":([0-9]+)"
	[[ $obj =~ $re ]] && echo "${BASH_REMATCH[1]}"
}

# wait_vrrp NODE STATE TIMEOUT_MS [MASTER]: poll NODE's xlbd until its VRRP state is STATE (and it
# hears MASTER: a backup is BACKUP before any advert). SEEN_US: when the answer showed it; SINCE_US:
# when it entered it, by in_state_ms. 1 on timeout, the last answer in STATE.
wait_vrrp()
{
	local node=$1 want=$2 end=$((${EPOCHREALTIME/./} + $3 * 1000)) now

	while :; do
		vrrp_get "$node"
		now=${EPOCHREALTIME/./}
		if [ "$VS" = "$want" ] && { [ -z "${4:-}" ] || [ "$(vfield master)" = "$4" ]; }; then
			SEEN_US=$now
			SINCE_US=$((now - $(vfield in_state_ms) * 1000))
			return 0
		fi
		((now > end)) && return 1
		sleep 0.01
	done
}

# expect_vrrp NAME NODE STATE TIMEOUT_MS WHY [MASTER]: wait_vrrp NODE STATE TIMEOUT_MS MASTER; else
# FAIL NAME "WHY: <the last answer>" and 1.
expect_vrrp()
{
	if ! wait_vrrp "$2" "$3" "$4" "${6:-}"; then
		fail "$1" "$5: $STATE"
		return 1
	fi
}

# start_master NAME: xlbd on A with $CFG_A, MASTER within 3 s (alone, or A outranks B). FAIL NAME
# and 1 if not.
start_master()
{
	start_node "$1" $A "$CFG_A" || return 1
	expect_vrrp "$1" $A MASTER 3000 "A alone is not MASTER within 3 s"
}

# a_preempts NAME: with the VIP watched (watch_start), restart A's xlbd: MASTER again (it
# preempts) within 3 s, PRE_MS after T_START, its start, READY_MS of them to its ready.
a_preempts()
{
	watch_start
	T_START=${EPOCHREALTIME/./}
	start_node "$1" $A "$CFG_A" && READY_MS=$(((${EPOCHREALTIME/./} - T_START) / 1000)) || return 1
	expect_vrrp "$1" $A MASTER 3000 "restarted A did not preempt within 3 s" || return 1
	PRE_MS=$(((SINCE_US - T_START) / 1000))
}

# vip_on NODE: does NODE's eth0 hold the IPv4 VIP?
vip_on()
{
	ip -n "$(topo_ns "$ID" "$1")" -4 -o addr show dev eth0 | grep -q " inet $TOPO_VIP4/"
}

# vip_where: which of the dispatchers hold the VIP: A, B, A+B or none.
vip_where()
{
	local a=0 b=0

	vip_on $A && a=1
	vip_on $B && b=1
	case $a$b in
	10) echo A ;;
	01) echo B ;;
	11) echo A+B ;;
	*) echo none ;;
	esac
}

# wait_vip_where WHERE TIMEOUT_MS: until vip_where says WHERE; SEEN_US when it did. The last
# answer in WHERE.
wait_vip_where()
{
	local want=$1 end=$((${EPOCHREALTIME/./} + $2 * 1000))

	while :; do
		WHERE=$(vip_where)
		SEEN_US=${EPOCHREALTIME/./}
		[ "$WHERE" = "$want" ] && return 0
		((SEEN_US > end)) && return 1
		sleep 0.01
	done
}

# vip_stays WHERE MS: vip_where says WHERE every time it is asked for MS ms (about every 20 ms).
# Returns 1 at the first other answer, in WHERE.
vip_stays()
{
	local want=$1 end=$((${EPOCHREALTIME/./} + $2 * 1000))

	while ((${EPOCHREALTIME/./} < end)); do
		WHERE=$(vip_where)
		[ "$WHERE" = "$want" ] || return 1
		sleep 0.02
	done
}

# client_vip_mac: the MAC the client sends the VIP's packets to.
client_vip_mac()
{
	ip -n "$TOPO_NS_CLIENT" neigh show "$TOPO_VIP4" dev eth0 |
		sed -n 's/.* lladdr \([0-9a-f:]*\).*/\1/p'
}

# wait_client_mac MAC TIMEOUT_MS: until the client sends the VIP's packets to MAC.
wait_client_mac()
{
	local want=$1 end=$((${EPOCHREALTIME/./} + $2 * 1000))

	while [ "$(client_vip_mac)" != "$want" ]; do
		((${EPOCHREALTIME/./} > end)) && return 1
		sleep 0.01
	done
}

# probe_start DURATION_MS: xlb-probe from the client to the VIP, in the background.
probe_start()
{
	PROBE_OUT=$TMP/probe-$SEQ.json
	client_bg "$PROBE_OUT" "$TMP/probe-$SEQ.err" "$XLB_PROBE" --addr "$TOPO_VIP4" --port 80 \
		--interval-ms 5 --timeout-ms 200 --duration-ms "$1" --json
	PROBE_PID=$BG_PID
}

# probe_wait: wait for the probe; its report in PROBE and the figures in P_*. Returns 1 (having
# said why in PROBE_WHY) when it printed no report.
probe_wait()
{
	bg_wait "$PROBE_PID"
	PROBE=$(cat "$PROBE_OUT")
	P_PROBES=$(json_num probes <<<"$PROBE")
	P_FAILED=$(json_num failed <<<"$PROBE")
	P_GAP=$(json_num max_gap_ms <<<"$PROBE")
	P_GAP_START=$(json_num max_gap_start_ms <<<"$PROBE")
	P_T0_MS=$(json_num start_unix_ms <<<"$PROBE")
	P_RECOVERED=$(grep -o '"recovered":[a-z]*' <<<"$PROBE" | cut -d: -f2)
	if [ -z "$P_PROBES" ] || [ -z "$P_GAP" ]; then
		PROBE_WHY="xlb-probe printed no report: $PROBE $(cat "$TMP/probe-$SEQ.err")"
		return 1
	fi
}

# probe_gap_after EVENT_US: when the probe's longest gap began, in ms after EVENT_US (negative:
# before it; the last successful probe before an outage starts up to 5 ms before it).
probe_gap_after()
{
	echo $((P_T0_MS + P_GAP_START - $1 / 1000))
}

# write_pair_config FILE PRIORITY SELF PEER [PREEMPT] [B1_WEIGHT]: the pair's config for the
# node at SELF (IPv4) whose peer is at PEER; PEER "" means no flow sync (a keepalived peer).
write_pair_config()
{
	xlb_config "$1" what="one of a pair, as configs/pair-a.yaml" sched=maglev fwd=dr \
		backends="b1=${6:-100} b2=100 b3=100" vrid=51 priority="$2" preempt="${5:-true}" \
		"${4:+sync=$3:8849=$4:8849}"
}

# topo_pair NAME: a fresh pair-mode topology and a sync key; sets ID. FAIL NAME and 1 on failure.
topo_pair()
{
	SEQ=$((SEQ + 1))
	ID=$RUN-f$SEQ
	CUR_ID=$ID
	if ! TOPO_PAIR=1 topo_up "$ID"; then
		fail "$1" "could not build the pair topology"
		return 1
	fi
	KEY=$TOPO_DIR/sync.key
	(umask 077 && head -c 32 /dev/urandom >"$KEY")
	CFG_A=$TOPO_DIR/a.yaml
	CFG_B=$TOPO_DIR/b.yaml
}

# start_node NAME NODE CONFIG: start NODE's xlbd and wait until it is ready.
start_node()
{
	topo_xlbd_start "$ID" "$2" "$3"
	if ! topo_xlbd_wait_ready "$2" 10; then
		fail "$1" "xlbd on $2 did not print 'xlbd: ready' within 10 s"
		return 1
	fi
}

# pair_up NAME: topo_pair, then A (150) and B (100) with flow sync; A MASTER, B
# BACKUP hearing A's adverts, the VIP on A only, the client's ARP entry for it pointing at A.
pair_up()
{
	local name=$1

	topo_pair "$name" || return 1
	write_pair_config "$CFG_A" 150 "${TOPO_ADDR4[$A]}" "${TOPO_ADDR4[$B]}"
	write_pair_config "$CFG_B" 100 "${TOPO_ADDR4[$B]}" "${TOPO_ADDR4[$A]}"
	start_master "$name" || return 1
	start_node "$name" $B "$CFG_B" || return 1
	expect_vrrp "$name" $B BACKUP 2000 \
		"B is not BACKUP of A within 2 s" "${TOPO_ADDR4[$A]}" || return 1
	if ! wait_vip_where A 1000; then
		fail "$name" "the VIP is on $WHERE, want A only"
		return 1
	fi
	# The client learns where the VIP is (ARP), so the first probes do not pay for it.
	topo_exec "$ID" client ping -c 1 -W 1 "$TOPO_VIP4" >/dev/null 2>&1
	if ! wait_client_mac "${TOPO_MAC[$A]}" 1000; then
		fail "$name" "the client's ARP entry for the VIP is '$(client_vip_mac)', want A's"
		return 1
	fi
}

# vip_new_flows NODE: the VIP's new_flows on NODE's data path (xlbctl --json vips).
vip_new_flows()
{
	topo_xlbctl "$ID" "$1" --json vips 2>/dev/null | json_num new_flows
}

# ---- watching the VIP move ---------------------------------------------------------------------

# watch_start: from now on, record every add and delete of the IPv4 VIP on either dispatcher
# (`ip -ts monitor address` in both namespaces): exact times, not samples of a poll loop.
watch_start()
{
	local node

	WATCH_PIDS=()
	for node in $A $B; do
		ip netns exec "$(topo_ns "$ID" "$node")" ip -ts monitor address \
			>"$TMP/watch-$SEQ-$node" 2>&1 </dev/null &
		WATCH_PIDS+=($!)
		BG_PIDS+=($!)
	done
	sleep 0.2	# both subscribed before anything happens
	WATCH_T0=${EPOCHREALTIME/./}
	WATCH_INIT=$(vip_where)
}

# fmt_ms US: microseconds as milliseconds with one decimal.
fmt_ms()
{
	local us=$1 sign=

	((us < 0)) && sign=- us=$((-us))
	echo "$sign$((us / 1000)).$((us % 1000 / 100))"
}

# watch_stop: stop watching and sum up, times in us since WATCH_T0:
#   WATCH_EV[i], WATCH_EV_T[i]  every change in order ("+A", "-B", ...) and when
#   WATCH_EVENTS     the same as text, "+A@12.3 -B@12.9" (ms)
#   WATCH_STALE_US   how long the VIP stayed on both nodes when it was on both at WATCH_T0
#   WATCH_BOTH_US    the longest stretch with the VIP on both nodes that began later (a handover)
#   WATCH_NONE_US    the longest stretch with the VIP on neither node
watch_stop()
{
	local node label pid line re us a=0 b=0 t v both_since=-1 none_since=-1 len
	local -a ev

	# One block with stderr closed: bash would announce the killed jobs ("Terminated").
	{
		for pid in "${WATCH_PIDS[@]}"; do
			kill "$pid"
			bg_wait "$pid"
		done
	} 2>/dev/null
	WATCH_T1=${EPOCHREALTIME/./}
	# "[2026-01-31T12:00:00.123456] 2: eth0    inet 203.0.113.100/24 ...", or "Deleted 2: ..."
	re='^\[([0-9-]+)T([0-9:]+)\.([0-9]{6})\] (Deleted )?[0-9]+: +eth0 +inet '
	re+="${TOPO_VIP4//./\\.}/"
	for node in $A $B; do
		label=A
		[ "$node" = $B ] && label=B
		while IFS= read -r line; do
			[[ $line =~ $re ]] || continue
			us=$(date -d "${BASH_REMATCH[1]} ${BASH_REMATCH[2]}" +%s)${BASH_REMATCH[3]}
			v=1
			[ -n "${BASH_REMATCH[4]}" ] && v=0
			((us < WATCH_T0)) && continue
			ev+=("$us $label $v")
		done <"$TMP/watch-$SEQ-$node"
	done
	ev+=("$WATCH_T1 end 0")
	case $WATCH_INIT in
	A) a=1 ;;
	B) b=1 ;;
	A+B) a=1 b=1 ;;
	esac
	((a && b)) && both_since=0
	((!a && !b)) && none_since=0
	WATCH_EV=()
	WATCH_EV_T=()
	WATCH_EVENTS=
	WATCH_STALE_US=0
	WATCH_BOTH_US=0
	WATCH_NONE_US=0
	while read -r t node v; do
		t=$((t - WATCH_T0))
		if [ "$node" != end ]; then
			label=-$node
			[ "$v" = 1 ] && label=+$node
			WATCH_EV+=("$label")
			WATCH_EV_T+=("$t")
			WATCH_EVENTS+="$label@$(fmt_ms "$t") "
			if [ "$node" = A ]; then a=$v; else b=$v; fi
		fi
		if ((both_since >= 0)) && { ! ((a && b)) || [ "$node" = end ]; }; then
			len=$((t - both_since))
			if ((both_since == 0)); then
				WATCH_STALE_US=$len
			elif ((len > WATCH_BOTH_US)); then
				WATCH_BOTH_US=$len
			fi
			both_since=-1
		fi
		if ((none_since >= 0)) && { ((a || b)) || [ "$node" = end ]; }; then
			len=$((t - none_since))
			((len > WATCH_NONE_US)) && WATCH_NONE_US=$len
			none_since=-1
		fi
		[ "$node" = end ] && break
		# 1 us, not 0: a stretch that begins with the watch is told apart as stale.
		((a && b && both_since < 0)) && both_since=$((t > 0 ? t : 1))
		((!a && !b && none_since < 0)) && none_since=$t
	done < <(printf '%s\n' "${ev[@]}" | sort -n)
	WATCH_EVENTS=${WATCH_EVENTS% }
}

# ---- keepalived --------------------------------------------------------------------------------

# write_keepalived_config FILE PRIORITY: keepalived's half of the pair, VRRPv3 like xlbd's.
write_keepalived_config()
{
	cat >"$1" <<EOF
# Written by tests/netns/failover.sh: keepalived as the peer of an xlbd.
global_defs {
    router_id xlb-test-$ID
    vrrp_version 3
    script_user root
}
vrrp_instance web {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority $2
    advert_int $(printf '0.%d' $((ADV_MS / 100)))
    virtual_ipaddress {
        $TOPO_VIP4/24 dev eth0
    }
}
EOF
}

# ka_wait_log TEXT TIMEOUT_MS: until keepalived's log on B shows TEXT.
ka_wait_log()
{
	local end=$((${EPOCHREALTIME/./} + $2 * 1000))

	until grep -qF -- "$1" "${TOPO_KA_LOG[$B]}" 2>/dev/null; do
		((${EPOCHREALTIME/./} > end)) && return 1
		sleep 0.02
	done
}

# ka_pair NAME: the pair topology, keepalived's tests' way: SKIP NAME and 1 without keepalived.
ka_pair()
{
	if ! command -v "$KEEPALIVED" >/dev/null; then
		skip "$1" "keepalived is not installed (make deps installs it)"
		return 1
	fi
	topo_pair "$1"
}

# ka_start NAME PRIORITY: keepalived on B at PRIORITY (write_keepalived_config), with an
# xlb-http server beside it (ka_server_start). FAIL NAME and 1 when that does not listen.
ka_start()
{
	if ! ka_server_start; then
		fail "$1" "xlb-http serve on keepalived's node does not listen"
		return 1
	fi
	write_keepalived_config "$TOPO_DIR/keepalived.conf" "$2"
	topo_keepalived_start "$ID" $B "$TOPO_DIR/keepalived.conf"
}

# ka_server_start: keepalived's node is no load balancer: with the VIP it would refuse the
# client's connections, and a probe would see that as an outage. An xlb-http server of its own
# ("keepalived", on every address) answers whatever reaches it while it holds the VIP.
ka_server_start()
{
	local i

	ip netns exec "$(topo_ns "$ID" $B)" "$XLB_HTTP" serve --name keepalived --port 80 \
		>"$TMP/ka-serve-$SEQ.log" 2>&1 </dev/null &
	BG_PIDS+=($!)
	for ((i = 0; i < 100; i++)); do
		[ -n "$(topo_exec "$ID" $B ss -Htln 'sport = :80')" ] && return 0
		sleep 0.02
	done
	return 1
}

# cut_a_link NAME: A's eth0 goes down, and B is MASTER within 2 s. EV_US: the wall clock just
# before; TAKE_MS: when B took over, after it. FAIL NAME and 1 if B did not.
cut_a_link()
{
	EV_US=${EPOCHREALTIME/./}
	topo_exec "$ID" $A ip link set eth0 down
	expect_vrrp "$1" $B MASTER 2000 "B not MASTER 2 s after A's link went down" || return 1
	TAKE_MS=$(((SINCE_US - EV_US) / 1000))
}

# ---- tests -------------------------------------------------------------------------------------

# A's link dies: its adverts stop, B takes over after Master_Down_Interval (3 x 100 ms + skew
# 60 ms for priority 100) and sends gratuitous ARPs; the client follows them. The outage a client
# sees (the probe's longest gap) stays under 1 s and B carries the traffic afterwards.
test_failover_link_down()
{
	local t=test_failover_link_down bound ev take gap

	need $t "$XLBD" "$XLBCTL" "$XLB_HTTP" "$XLB_PROBE" || return 0
	pair_up $t || return 0
	bound=$(master_down_ms 100)
	probe_start 2000
	sleep 0.6

	cut_a_link $t || return 0
	ev=$EV_US take=$TAKE_MS
	# A's down eth0 keeps its addresses, the VIP too: only B's side is checked.
	if ! vip_on $B; then
		fail $t "B is MASTER without the VIP"
		return 0
	fi
	probe_wait || { fail $t "$PROBE_WHY"; return 0; }
	gap=$(int_ms "$P_GAP")
	if ((gap >= 1000)); then
		fail $t "link-down failover gap: $P_GAP ms, want < 1000 ms: $PROBE"
		return 0
	fi
	if [ "$P_RECOVERED" != true ] || [ "$(client_vip_mac)" != "${TOPO_MAC[$B]}" ]; then
		fail $t "the client did not move to B (ARP entry '$(client_vip_mac)'): $PROBE"
		return 0
	fi
	if [ "$(vip_new_flows $B)" -lt 1 ]; then
		fail $t "B's data path scheduled no flow: the probe did not go through B"
		return 0
	fi
	if ! vrrp_get $B || [ "$(vfield adverts_rejected)" != 0 ] ||
	   [ "$(vfield adverts_received)" -lt 5 ]; then
		fail $t "B: want A's adverts received, none rejected: $STATE"
		return 0
	fi
	if ((take > bound + ADV_MS)); then
		fail $t "B took over $take ms after the link went down, want <= $bound ms" \
			"(Master_Down_Interval) + $ADV_MS ms"
		return 0
	fi
	echo "  link-down failover gap: $gap ms"
	pass $t "link-down failover gap: $P_GAP ms (from $(probe_gap_after "$ev") ms after the" \
		"link went down); B MASTER after $take ms (Master_Down_Interval $bound ms);" \
		"$P_FAILED of $P_PROBES probes failed, the rest answered, through B at the end"
}

# A's link comes back after B took over. A was MASTER all along in its own eyes (its adverts just
# could not leave) and still holds the VIP; B yields on A's first advert: one MASTER (A), the VIP
# on A only, well within a second; no probe fails (B's XDP program forwards what still reaches
# it). Reported, not asserted: A's state during the outage (FAULT: xlbd watches its own link, as
# keepalived does) and where the client's ARP entry points afterwards.
test_link_back()
{
	local t=test_link_back down_state t_up conv_ms mac

	need $t "$XLBD" "$XLBCTL" "$XLB_HTTP" "$XLB_PROBE" || return 0
	pair_up $t || return 0
	topo_exec "$ID" $A ip link set eth0 down
	if ! wait_vrrp $B MASTER 2000 || ! wait_client_mac "${TOPO_MAC[$B]}" 1000; then
		fail $t "B did not take over after A's link went down: $STATE; client's ARP entry" \
			"'$(client_vip_mac)'"
		return 0
	fi
	vrrp_get $A
	down_state=$VS
	probe_start 1500
	sleep 0.3

	watch_start
	t_up=${EPOCHREALTIME/./}
	topo_exec "$ID" $A ip link set eth0 up
	expect_vrrp $t $B BACKUP 2000 "B not BACKUP 2 s after A's link came back" || return 0
	conv_ms=$(((SINCE_US - t_up) / 1000))
	if ! vrrp_get $A || [ "$VS" != MASTER ]; then
		fail $t "A is not MASTER after its link came back: $STATE"
		return 0
	fi
	if ! wait_vip_where A 1000 || ! vip_stays A 300; then
		fail $t "after the link came back the VIP is on '$WHERE', want A only"
		return 0
	fi
	watch_stop
	probe_wait || { fail $t "$PROBE_WHY"; return 0; }
	if ((conv_ms > 1000)) || [ "$P_FAILED" != 0 ]; then
		fail $t "B BACKUP $conv_ms ms after the link came back (want <= 1000 ms)," \
			"$P_FAILED probes failed (want 0): $PROBE"
		return 0
	fi
	mac=$(client_vip_mac)
	case $mac in
	"${TOPO_MAC[$A]}") mac="A's (A heard B and answered with GARPs)" ;;
	"${TOPO_MAC[$B]}") mac="still B's (no GARP from A: it heard no advert of B's)" ;;
	esac
	pass $t "A was $down_state while its link was down; link back: B BACKUP after $conv_ms" \
		"ms, VIP on A only (on both for $(fmt_ms $WATCH_STALE_US) ms after the link came" \
		"back); client's ARP entry: $mac; 0 of $P_PROBES probes failed"
}

# xlbd on A is SIGTERMed: it sends a priority-0 advert and removes the VIP; B takes over after
# its Skew_Time (60 ms) rather than the full Master_Down_Interval.
test_failover_graceful()
{
	local t=test_failover_graceful take gap rc bound

	need $t "$XLBD" "$XLBCTL" "$XLB_HTTP" "$XLB_PROBE" || return 0
	pair_up $t || return 0
	probe_start 1500
	sleep 0.6

	topo_xlbd_stop $A TERM 5
	rc=$TOPO_RC
	if [ "$rc" != 0 ]; then
		fail $t "A's xlbd exited $rc after SIGTERM, want 0"
		return 0
	fi
	expect_vrrp $t $B MASTER 2000 "B not MASTER 2 s after A's SIGTERM" || return 0
	take=$(((SINCE_US - TOPO_SIG_US) / 1000))
	if ! wait_vip_where B 500; then
		fail $t "after the handover the VIP is on '$WHERE', want B only"
		return 0
	fi
	if ! grep -q 'priority 0 sent' "${TOPO_XLBD_LOG[$A]}"; then
		fail $t "A's log does not say 'priority 0 sent'"
		return 0
	fi
	probe_wait || { fail $t "$PROBE_WHY"; return 0; }
	gap=$(int_ms "$P_GAP")
	# The priority-0 advert spares B the Master_Down_Interval: well under it, or it went unused.
	bound=$(master_down_ms 100)
	if ((take >= bound - ADV_MS)) || ((gap >= bound)); then
		fail $t "B took over after $take ms, gap $P_GAP ms: the priority-0 advert was" \
			"not acted on (Skew_Time $(skew_ms 100) ms, Master_Down_Interval" \
			"$bound ms): $PROBE"
		return 0
	fi
	if [ "$P_RECOVERED" != true ]; then
		fail $t "the probe did not recover: $PROBE"
		return 0
	fi
	echo "  graceful failover gap: $gap ms"
	pass $t "graceful failover gap: $P_GAP ms; B MASTER $take ms after SIGTERM" \
		"(Skew_Time $(skew_ms 100) ms); $P_FAILED of $P_PROBES probes failed"
}

# kill_a_and_take NAME: with a probe running, SIGKILL A's xlbd (no priority-0 advert: the VIP and
# the XDP program stay on A) and wait until B is MASTER with the VIP and the client follows B.
# TAKE_MS: B's takeover after the kill.
kill_a_and_take()
{
	local t=$1 link

	topo_xlbd_stop $A KILL 5
	expect_vrrp "$t" $B MASTER 2000 "B not MASTER 2 s after A's xlbd was killed" || return 1
	TAKE_MS=$(((SINCE_US - TOPO_SIG_US) / 1000))
	if ! wait_vip_where A+B 500; then
		fail "$t" "after kill -9 of A's xlbd, want the VIP on B and still on A (nobody" \
			"removed it), got '$WHERE'"
		return 1
	fi
	link=$(topo_exec "$ID" $A ip -d link show dev eth0)
	if ! grep -q 'prog/xdp' <<<"$link"; then
		fail "$t" "A's XDP program went away with its xlbd: $link"
		return 1
	fi
	if ! wait_client_mac "${TOPO_MAC[$B]}" 1000; then
		fail "$t" "the client did not follow B's GARP: ARP entry '$(client_vip_mac)'"
		return 1
	fi
}

# xlbd on A dies by SIGKILL: the orphaned XDP program on A keeps forwarding until B's GARPs move
# the client, so not one probe fails. Restarted (preempt: true), A removes the stale VIP at once
# as it starts as backup, then preempts B: the VIP ends on A only, having been on both for at
# most one advert interval during the handover (and not one probe failing meanwhile either).
test_failover_kill9()
{
	local t=test_failover_kill9 stale_ms gap

	need $t "$XLBD" "$XLBCTL" "$XLB_HTTP" "$XLB_PROBE" || return 0
	pair_up $t || return 0
	probe_start 3500
	sleep 0.5
	kill_a_and_take $t || return 0
	sleep 0.3

	a_preempts $t || return 0
	expect_vrrp $t $B BACKUP 1000 "B not BACKUP after A preempted" || return 0
	if ! wait_vip_where A 1000; then
		fail $t "after A preempted, the VIP is on '$WHERE', want A only"
		return 0
	fi
	if ! vip_stays A 300; then
		fail $t "the VIP moved to '$WHERE' after settling on A"
		return 0
	fi
	watch_stop
	probe_wait || { fail $t "$PROBE_WHY"; return 0; }

	# The stale VIP: present on A (and B) when the watch began, gone at A's start.
	if [ "$WATCH_INIT" != A+B ] || [ "${WATCH_EV[0]:-}" != -A ]; then
		fail $t "want the stale VIP on A removed first after the restart, got: start" \
			"$WATCH_INIT, then $WATCH_EVENTS"
		return 0
	fi
	stale_ms=$(fmt_ms $((WATCH_EV_T[0] - (T_START - WATCH_T0))))
	if ((WATCH_BOTH_US > ADV_MS * 1000)); then
		fail $t "the VIP was on both nodes for $(fmt_ms $WATCH_BOTH_US) ms during the" \
			"preemption (want <= $ADV_MS ms): $WATCH_EVENTS"
		return 0
	fi
	if [ "$P_FAILED" != 0 ]; then
		fail $t "$P_FAILED probes failed across the kill and the restart: $PROBE"
		return 0
	fi
	gap=$(int_ms "$P_GAP")
	pass $t "kill -9: 0 of $P_PROBES probes failed (longest gap $gap ms), B MASTER" \
		"$TAKE_MS ms after the kill; restarted A dropped the stale VIP $stale_ms ms after" \
		"its start and preempted after $PRE_MS ms; VIP on both for" \
		"$(fmt_ms $WATCH_BOTH_US) ms in the handover (VIP events, ms after the restart" \
		"began: $WATCH_EVENTS); now on A only"
}

# The same crash, but A comes back with preempt: false. It still removes the stale VIP as it
# starts, then stays BACKUP of B (well past its Master_Down_Interval): the VIP stays on B only.
test_failover_kill9_nopreempt()
{
	local t=test_failover_kill9_nopreempt t_start stale_ms cfg=$TMP/a-nopreempt.yaml

	need $t "$XLBD" "$XLBCTL" "$XLB_HTTP" "$XLB_PROBE" || return 0
	pair_up $t || return 0
	write_pair_config "$cfg" 150 "${TOPO_ADDR4[$A]}" "${TOPO_ADDR4[$B]}" false
	probe_start 3000
	sleep 0.5
	kill_a_and_take $t || return 0
	sleep 0.3

	watch_start
	t_start=${EPOCHREALTIME/./}
	start_node $t $A "$cfg" || return 0
	if ! wait_vip_where B 1000; then
		fail $t "restarted A did not drop the stale VIP: on '$WHERE'"
		return 0
	fi
	# Three Master_Down_Intervals of A's: a preempting node would have taken over by now.
	if ! vip_stays B $((3 * $(master_down_ms 150))); then
		fail $t "with preempt: false the VIP moved to '$WHERE'"
		return 0
	fi
	watch_stop
	if ! vrrp_get $A || [ "$VS" != BACKUP ] ||
	   [ "$(vfield master)" != "${TOPO_ADDR4[$B]}" ]; then
		fail $t "restarted A (preempt: false) is not BACKUP of B: $STATE"
		return 0
	fi
	if ! vrrp_get $B || [ "$VS" != MASTER ]; then
		fail $t "B is not MASTER any more: $STATE"
		return 0
	fi
	probe_wait || { fail $t "$PROBE_WHY"; return 0; }
	if [ "$WATCH_INIT" != A+B ] || [ "${#WATCH_EV[@]}" != 1 ] ||
	   [ "${WATCH_EV[0]}" != -A ]; then
		fail $t "want one change after the restart, the stale VIP leaving A; got: start" \
			"$WATCH_INIT, then $WATCH_EVENTS"
		return 0
	fi
	stale_ms=$(fmt_ms $((WATCH_EV_T[0] - (t_start - WATCH_T0))))
	if [ "$P_FAILED" != 0 ]; then
		fail $t "$P_FAILED probes failed: $PROBE"
		return 0
	fi
	pass $t "restarted A (preempt: false) dropped the stale VIP $stale_ms ms after its start" \
		"and stayed BACKUP; VIP on B only for $((3 * $(master_down_ms 150))) ms;" \
		"0 of $P_PROBES probes failed (longest gap $(int_ms "$P_GAP") ms)"
}

# A stopped (SIGTERM), B took over; A restarted with its higher priority and preempt: the VIP
# moves back to A once A's Master_Down_Interval has run out, B goes BACKUP, clients follow A.
test_preempt_back()
{
	local t=test_preempt_back bound

	need $t "$XLBD" "$XLBCTL" "$XLB_HTTP" "$XLB_PROBE" || return 0
	pair_up $t || return 0
	topo_xlbd_stop $A TERM 5
	if ! wait_vrrp $B MASTER 2000 || ! wait_vip_where B 500; then
		fail $t "B did not take over after A's SIGTERM: $STATE; VIP on ${WHERE:-?}"
		return 0
	fi
	wait_client_mac "${TOPO_MAC[$B]}" 1000
	probe_start 2000
	sleep 0.3

	a_preempts $t || return 0
	expect_vrrp $t $B BACKUP 1000 \
		"B not BACKUP of A after A preempted" "${TOPO_ADDR4[$A]}" || return 0
	if ! wait_vip_where A 1000 || ! wait_client_mac "${TOPO_MAC[$A]}" 1000; then
		fail $t "after preemption the VIP is on '$WHERE', the client's ARP entry" \
			"'$(client_vip_mac)'; want A for both"
		return 0
	fi
	vip_stays A 200
	watch_stop
	probe_wait || { fail $t "$PROBE_WHY"; return 0; }
	if ((WATCH_BOTH_US > ADV_MS * 1000)); then
		fail $t "the VIP was on both nodes for $(fmt_ms $WATCH_BOTH_US) ms" \
			"(want <= $ADV_MS ms): $WATCH_EVENTS"
		return 0
	fi
	# From its ready (a start's BPF load is as slow as the machine): its Master_Down_Interval.
	bound=$(($(master_down_ms 150) + 300))
	if ((PRE_MS - READY_MS > bound)); then
		fail $t "A preempted $((PRE_MS - READY_MS)) ms after its ready, want <= $bound ms"
		return 0
	fi
	if [ "$P_FAILED" != 0 ]; then
		fail $t "$P_FAILED probes failed while A took the VIP back: $PROBE"
		return 0
	fi
	pass $t "A MASTER again $PRE_MS ms after its start, $((PRE_MS - READY_MS)) after its ready" \
		"(Master_Down_Interval $(master_down_ms 150) ms), B BACKUP; VIP on both for" \
		"$(fmt_ms $WATCH_BOTH_US) ms (events, ms: $WATCH_EVENTS); 0 of $P_PROBES probes" \
		"failed (longest gap $(int_ms "$P_GAP") ms)"
}

# hold_check JSON MIN_OK: did every connection of a hold run keep working to the end, keep its
# backend and get at least MIN_OK replies? SURVIVED: how many did; HOLD_BAD: the others.
hold_check()
{
	local json=$1 min_ok=$2 obj ok

	SURVIVED=0
	HOLD_BAD=
	while read -r obj; do
		[[ $obj == *'"backend"'* ]] || continue
		ok=$(json_num ok <<<"$obj")
		if [[ $obj != *'"failed":0,"switched":false'* ]] || ((ok < min_ok)); then
			HOLD_BAD+="$obj "
		else
			SURVIVED=$((SURVIVED + 1))
		fi
	done < <(json_objects <<<"$json")
	[ -z "$HOLD_BAD" ]
}

# b1_share: of 300 new connections through the VIP, how many b1 answered.
b1_share()
{
	topo_exec "$ID" client "$XLB_HTTP" get --url-host "$TOPO_VIP4" --port 80 --count 300 \
		--concurrency 8 --timeout-ms 2000 --json | json_in backends b1
}

# 50 long-lived keep-alive connections through A; then the backend set changes on both nodes
# (b1's weight 100 -> 300, reloaded), so Maglev would now send a good part of them elsewhere;
# B has them by flow sync. A's link dies: every connection carries on through B, each reply
# from the backend it began with, none reset. B schedules not one of them anew (its new_flows
# stays 0): each packet follows a synced binding.
test_long_lived_survive()
{
	local t=test_long_lived_survive n=50 dur=5000 iv=100 hout=$TMP/hold.json hpid out
	local inst0 inst w0 w1 nf0 nf1 i hold min_ok pk

	need $t "$XLBD" "$XLBCTL" "$XLB_HTTP" || return 0
	pair_up $t || return 0
	for ((i = 0; i < 100; i++)); do
		[ "$(sync_field $B bulk_received)" = 1 ] && break
		sleep 0.02
	done
	inst0=$(sync_field $B installed_flows)

	if ! hold_start $n $dur $iv "$hout" "$TMP/hold.err"; then
		fail $t "hold: not all $n connections up: $(cat "$TMP/hold.err")"
		return 0
	fi
	hpid=$HOLD_PID
	# Flow sync: within 10 ms of each connection's first packet.
	for ((i = 0; i < 100; i++)); do
		inst=$(sync_field $B installed_flows)
		((${inst:-0} - ${inst0:-0} >= n)) && break
		sleep 0.02
	done
	if ((${inst:-0} - ${inst0:-0} < n)); then
		fail $t "B installed $((${inst:-0} - ${inst0:-0})) synced flows, want >= $n: $STATE"
		return 0
	fi

	# The backend set changes under the connections, on both nodes.
	w0=$(b1_share)
	write_pair_config "$CFG_A" 150 "${TOPO_ADDR4[$A]}" "${TOPO_ADDR4[$B]}" true 300
	write_pair_config "$CFG_B" 100 "${TOPO_ADDR4[$B]}" "${TOPO_ADDR4[$A]}" true 300
	for i in $A $B; do
		out=$(topo_xlbctl "$ID" "$i" --json reload 2>&1)
		if [[ $out != *'"ok":true'* ]]; then
			fail $t "xlbctl reload on $i: $out"
			return 0
		fi
	done
	w1=$(b1_share)
	if ((${w1:-0} <= ${w0:-0} + 30)); then
		fail $t "b1 took $w0 of 300 new flows before its weight went 100 -> 300 and $w1" \
			"after: the reload did not change the Maglev table"
		return 0
	fi
	if ! kill -0 "$hpid" 2>/dev/null; then
		fail $t "hold ended before the failover: $(cat "$hout")"
		return 0
	fi

	nf0=$(vip_new_flows $B)
	topo_exec "$ID" $A ip link set eth0 down
	expect_vrrp $t $B MASTER 2000 "B not MASTER after A's link went down" || return 0
	bg_wait "$hpid"
	hold=$(cat "$hout")
	nf1=$(vip_new_flows $B)
	pk=$(topo_xlbctl "$ID" $B --json vips 2>/dev/null | json_num packets)
	if [ -z "$(json_num conns <<<"$hold")" ]; then
		fail $t "hold printed no summary: $hold $(cat "$TMP/hold.err")"
		return 0
	fi
	# Every connection kept its schedule to the end, give or take the outage.
	min_ok=$((dur * 7 / (iv * 10)))
	if ! hold_check "$hold" $min_ok; then
		fail $t "long-lived connections surviving failover: $SURVIVED/$n; the others:" \
			"$HOLD_BAD"
		return 0
	fi
	if [ "$(json_num switched <<<"$hold")" != 0 ] || ((SURVIVED != n)); then
		fail $t "long-lived connections surviving failover: $SURVIVED/$n: $hold"
		return 0
	fi
	if ((${pk:-0} == 0)) || [ "$nf1" != "$nf0" ]; then
		fail $t "B forwarded ${pk:-0} packets and scheduled $((nf1 - nf0)) new flows" \
			"after the failover; want > 0 and 0 (all by synced bindings)"
		return 0
	fi
	echo "  long-lived connections surviving failover: $SURVIVED/$n"
	pass $t "long-lived connections surviving failover: $SURVIVED/$n" \
		"($(json_num requests_ok <<<"$hold") requests, 0 failed, 0 switched backend);" \
		"b1's share of new flows $w0 -> $w1 of 300 after the reload; B installed" \
		"$((inst - inst0)) synced flows before, then forwarded $pk packets with 0 new flows"
}

# Split brain: A and B cannot hear each other (bridge port isolation between their two ports;
# both still reach the client and the backends). B becomes MASTER too and both hold the VIP.
# Healed, they converge within one advert round to one MASTER, A (higher priority): B yields on
# A's first advert, and if A hears one of B's first it answers at once, with GARPs. The VIP ends
# on A only. Not asserted: that the client follows A. When B hears A before A hears B, nobody
# sends a GARP and the client keeps B's MAC until its ARP entry is next confirmed; B's XDP
# program still forwards, so nothing is lost while B's xlbd runs (garp_refresh bounds it).
test_split_brain()
{
	local t=test_split_brain sw split_ms conv_ms heal mac node

	need $t "$XLBD" "$XLBCTL" "$XLB_HTTP" "$XLB_PROBE" || return 0
	pair_up $t || return 0
	sw=$TOPO_NS_SWITCH
	probe_start 3000
	sleep 0.3

	for node in $A $B; do
		ip netns exec "$sw" bridge link set dev "$node" isolated on
	done
	heal=${EPOCHREALTIME/./}
	expect_vrrp $t $B MASTER 2000 "B not MASTER 2 s after it stopped hearing A" || return 0
	split_ms=$(((SINCE_US - heal) / 1000))
	if ! vrrp_get $A || [ "$VS" != MASTER ] || ! wait_vip_where A+B 500; then
		fail $t "during the split want both MASTER with the VIP: A is '$VS', VIP on $WHERE"
		return 0
	fi
	sleep 0.5

	watch_start
	for node in $A $B; do
		ip netns exec "$sw" bridge link set dev "$node" isolated off
	done
	heal=${EPOCHREALTIME/./}
	expect_vrrp $t $B BACKUP 2000 "B still not BACKUP 2 s after the split healed" || return 0
	conv_ms=$(((SINCE_US - heal) / 1000))
	if [ "$(vfield master)" != "${TOPO_ADDR4[$A]}" ] || ! vrrp_get $A ||
	   [ "$VS" != MASTER ]; then
		fail $t "after the heal want A MASTER, B its BACKUP: A is '$VS'; B's master" \
			"$(vrrp_get $B; vfield master)"
		return 0
	fi
	if ! wait_vip_where A 1000; then
		fail $t "after the heal the VIP is on '$WHERE', want A only"
		return 0
	fi
	for node in $A $B; do
		if ! vrrp_get "$node" || [ "$(vfield adverts_rejected)" != 0 ]; then
			fail $t "$node rejected adverts of its peer: $STATE"
			return 0
		fi
	done
	vip_stays A 300
	# Where the client sends now depends on whose advert crossed first: A answers a lower
	# advert from B with GARPs, but B may hear A first and yield without one. B's XDP program
	# forwards either way, so clients are served; see the header of this test.
	mac=$(client_vip_mac)
	case $mac in
	"${TOPO_MAC[$A]}") mac="A (A's GARPs)" ;;
	"${TOPO_MAC[$B]}") mac="still B (A heard no advert from B to answer)" ;;
	esac
	watch_stop
	probe_wait || { fail $t "$PROBE_WHY"; return 0; }
	if ((conv_ms > 1000)); then
		fail $t "converged $conv_ms ms after the heal, want <= 1000 ms"
		return 0
	fi
	pass $t "split: B MASTER too after $split_ms ms, VIP on both; healed: one MASTER (A)" \
		"after $conv_ms ms, VIP on A only (events, ms after the watch began:" \
		"$WATCH_EVENTS), client's ARP entry: $mac; $P_FAILED of $P_PROBES probes" \
		"failed throughout (longest gap $(int_ms "$P_GAP") ms)"
}

# keepalived 2.2 (VRRPv3) as B, xlbd as A (master, 150): keepalived accepts xlbd's adverts and
# stays BACKUP with no VIP, as long as xlbd runs; xlbd's SIGTERM (priority 0) hands it the VIP.
test_keepalived_backup()
{
	local t=test_keepalived_backup take gap

	need $t "$XLBD" "$XLBCTL" "$XLB_HTTP" "$XLB_PROBE" || return 0
	ka_pair $t || return 0
	write_pair_config "$CFG_A" 150 "${TOPO_ADDR4[$A]}" ""
	start_master $t || return 0
	ka_start $t 100 || return 0
	if ! ka_wait_log "Entering BACKUP STATE" 3000; then
		fail $t "keepalived did not enter BACKUP within 3 s"
		return 0
	fi
	# Its Master_Down_Interval 4 times over: had it refused xlbd's adverts it would be master.
	if ! vip_stays A $((4 * $(master_down_ms 100))); then
		fail $t "keepalived (backup, 100) took the VIP while xlbd (150) was master:" \
			"on $WHERE"
		return 0
	fi
	if grep -q "Entering MASTER STATE" "${TOPO_KA_LOG[$B]}"; then
		fail $t "keepalived was master for a while"
		return 0
	fi
	if ! vrrp_get $A || [ "$VS" != MASTER ] || [ "$(vfield adverts_rejected)" != 0 ]; then
		fail $t "xlbd: want MASTER, 0 adverts rejected: $STATE"
		return 0
	fi
	topo_exec "$ID" client ping -c 1 -W 1 "$TOPO_VIP4" >/dev/null 2>&1
	probe_start 1500
	sleep 0.5

	topo_xlbd_stop $A TERM 5
	if ! wait_vip_where B 2000; then
		fail $t "keepalived did not take the VIP within 2 s of xlbd's SIGTERM:" \
			"VIP on $WHERE"
		return 0
	fi
	take=$(((SEEN_US - TOPO_SIG_US) / 1000))
	probe_wait || { fail $t "$PROBE_WHY"; return 0; }
	gap=$(int_ms "$P_GAP")
	if ((take > 1000)) || [ "$P_RECOVERED" != true ]; then
		fail $t "keepalived held the VIP $take ms after xlbd's SIGTERM (want <= 1000 ms);" \
			"probe: $PROBE"
		return 0
	fi
	pass $t "keepalived stayed BACKUP beside xlbd MASTER for $((4 * $(master_down_ms 100)))" \
		"ms; xlbd SIGTERMed: VIP on keepalived's node within $take ms (seen by polling)," \
		"probe gap $gap ms, $P_FAILED of $P_PROBES probes failed"
}

# keepalived as B is master (150), xlbd as A (100) its backup: xlbd accepts keepalived's
# adverts (BACKUP, master = keepalived's address, adverts_received growing at 10/s, none
# rejected) and does not hold the VIP. keepalived's SIGTERM (priority 0): xlbd MASTER quickly.
test_keepalived_master()
{
	local t=test_keepalived_master r0 r1 take gap bound

	need $t "$XLBD" "$XLBCTL" "$XLB_HTTP" "$XLB_PROBE" || return 0
	ka_pair $t || return 0
	ka_start $t 150 || return 0
	if ! wait_vip_where B 3000; then
		fail $t "keepalived (150, alone) holds no VIP after 3 s: VIP on $WHERE"
		return 0
	fi
	write_pair_config "$CFG_A" 100 "${TOPO_ADDR4[$A]}" ""
	start_node $t $A "$CFG_A" || return 0
	expect_vrrp $t $A BACKUP 1000 "xlbd not BACKUP of keepalived (${TOPO_ADDR4[$B]})" \
		"${TOPO_ADDR4[$B]}" || return 0
	sleep 0.2
	vrrp_get $A
	r0=$(vfield adverts_received)
	sleep 0.5
	vrrp_get $A
	r1=$(vfield adverts_received)
	if [ "$VS" != BACKUP ] || [ "$(vfield master)" != "${TOPO_ADDR4[$B]}" ] ||
	   [ "$(vfield master_priority)" != 150 ] || ((r1 - r0 < 3)) ||
	   [ "$(vfield adverts_rejected)" != 0 ]; then
		fail $t "want xlbd BACKUP, master ${TOPO_ADDR4[$B]} priority 150, adverts" \
			"received growing ($r0 -> $r1 in 0.5 s), 0 rejected: $STATE"
		return 0
	fi
	if ! vip_stays B 300; then
		fail $t "xlbd (backup) and keepalived: the VIP is on $WHERE, want keepalived's node"
		return 0
	fi
	topo_exec "$ID" client ping -c 1 -W 1 "$TOPO_VIP4" >/dev/null 2>&1
	probe_start 2000
	sleep 0.5

	topo_keepalived_stop $B TERM 5
	expect_vrrp $t $A MASTER 2000 "xlbd not MASTER 2 s after keepalived's SIGTERM" || return 0
	take=$(((SINCE_US - TOPO_SIG_US) / 1000))
	if ! wait_vip_where A 1000; then
		fail $t "xlbd MASTER but the VIP is on '$WHERE'"
		return 0
	fi
	probe_wait || { fail $t "$PROBE_WHY"; return 0; }
	gap=$(int_ms "$P_GAP")
	bound=$(master_down_ms 100)
	if ((take >= bound)) || [ "$P_RECOVERED" != true ]; then
		fail $t "xlbd MASTER $take ms after keepalived's SIGTERM (want < $bound ms: its" \
			"priority-0 advert must cut the wait); probe: $PROBE"
		return 0
	fi
	pass $t "xlbd BACKUP of keepalived (master ${TOPO_ADDR4[$B]}, priority 150," \
		"$((r1 - r0)) adverts in 0.5 s, 0 rejected); keepalived SIGTERMed: xlbd MASTER" \
		"after $take ms (Skew_Time $(skew_ms 100) ms), probe gap $gap ms, $P_FAILED of" \
		"$P_PROBES probes failed"
}

# ---- main --------------------------------------------------------------------------------------

# write_pair6_config FILE PRIORITY [PEER]: an IPv6-only pair: VRRPv3 to ff02::12 (with PEER: to
# that link-local address only) from link-local sources, the IPv6 VIP as the virtual address,
# no flow sync.
write_pair6_config()
{
	xlb_config "$1" what="one of an IPv6 pair" vip=web6 family=6 protocol= vrid=52 \
		priority="$2" unicast="${3:-}"
}

# client_vip6_mac: the MAC the client's neighbour entry gives the IPv6 VIP.
client_vip6_mac()
{
	ip -n "$TOPO_NS_CLIENT" -6 neigh show "$TOPO_VIP6" dev eth0 |
		sed -n 's/.* lladdr \([0-9a-f:]*\).*/\1/p'
}

# The pair on IPv6 alone: adverts from link-local sources to ff02::12 are accepted (none
# rejected), A's link cut makes B MASTER with the VIP, its unsolicited NAs move the client's
# neighbour entry to B's MAC, and requests to the IPv6 VIP are answered through B.
test_failover_ipv6()
{
	local t=test_failover_ipv6 out ev take i mac=

	need $t "$XLBD" "$XLBCTL" "$XLB_HTTP" || return 0
	topo_pair $t || return 0
	write_pair6_config "$CFG_A" 150
	write_pair6_config "$CFG_B" 100
	start_master $t || return 0
	start_node $t $B "$CFG_B" || return 0
	expect_vrrp $t $B BACKUP 2000 "B is not BACKUP within 2 s" || return 0
	sleep 0.5
	vrrp_get $B
	if [ "$(vfield adverts_rejected)" != 0 ] || [ "$(vfield adverts_received)" -lt 3 ] ||
	   [[ $(vfield master) != fe80:* ]]; then
		fail $t "B: want A's link-local adverts received, none rejected: $STATE"
		return 0
	fi
	out=$(topo_exec "$ID" client "$XLB_HTTP" get --url-host "$TOPO_VIP6" --port 80 --count 50 \
		--json)
	if [ "$(json_num ok <<<"$out")" != 50 ]; then
		fail $t "through A: want 50 of 50 answered: $out"
		return 0
	fi

	cut_a_link $t || return 0
	ev=$EV_US take=$TAKE_MS
	if ! ip -n "$(topo_ns "$ID" $B)" -6 -o addr show dev eth0 | grep -q " $TOPO_VIP6/"; then
		fail $t "B is MASTER without the IPv6 VIP"
		return 0
	fi
	for ((i = 0; i < 100; i++)); do
		mac=$(client_vip6_mac)
		[ "$mac" = "${TOPO_MAC[$B]}" ] && break
		sleep 0.01
	done
	if [ "$mac" != "${TOPO_MAC[$B]}" ]; then
		fail $t "the client's neighbour entry for the VIP is '$mac', want B's ${TOPO_MAC[$B]}"
		return 0
	fi
	out=$(topo_exec "$ID" client "$XLB_HTTP" get --url-host "$TOPO_VIP6" --port 80 --count 50 \
		--json)
	if [ "$(json_num ok <<<"$out")" != 50 ]; then
		fail $t "through B: want 50 of 50 answered: $out"
		return 0
	fi
	pass $t "IPv6 pair: B MASTER $take ms after A's link went down, the client's neighbour" \
		"entry moved to B by unsolicited NA; 50 of 50 requests to $TOPO_VIP6 before, 50 of" \
		"50 after"
}

# write_unicast_config FILE PRIORITY PEER: a pair whose adverts go to PEER only (networks that
# drop multicast or protocol 112 to groups), no flow sync.
write_unicast_config()
{
	xlb_config "$1" what="one of a unicast pair" protocol= vrid=53 priority="$2" unicast="$3"
}

# link_local NODE: NODE's IPv6 link-local address on eth0.
link_local()
{
	ip -n "$(topo_ns "$ID" "$1")" -6 -o addr show dev eth0 scope link |
		sed -n 's|.* inet6 \(fe80:[0-9a-f:]*\)/.*|\1|p' | head -n1
}

# unicast_pair_up NAME [6]: topo_pair, then a unicast pair, A (150) and B (100) each the other's
# only peer (with 6: IPv6, peers by link-local address, the adverts' source): A MASTER, B BACKUP
# of A (PEER_A: A's address as B sees it), and for IPv4 the VIP on A. FAIL NAME and 1 otherwise.
unicast_pair_up()
{
	topo_pair "$1" || return 1
	if [ "${2:-4}" = 6 ]; then
		PEER_A=$(link_local $A)
		write_pair6_config "$CFG_A" 150 "$(link_local $B)"
		write_pair6_config "$CFG_B" 100 "$PEER_A"
	else
		PEER_A=${TOPO_ADDR4[$A]}
		write_unicast_config "$CFG_A" 150 "${TOPO_ADDR4[$B]}"
		write_unicast_config "$CFG_B" 100 "$PEER_A"
	fi
	start_master "$1" || return 1
	start_node "$1" $B "$CFG_B" || return 1
	expect_vrrp "$1" $B BACKUP 2000 \
		"B is not BACKUP of A ($PEER_A) within 2 s" "$PEER_A" || return 1
	if [ "${2:-4}" = 4 ] && ! wait_vip_where A 1000; then
		fail "$1" "the VIP is on $WHERE, want A only"
		return 1
	fi
}

# unicast_handover NAME: B hears A's adverts sent to it alone (none rejected); A's graceful stop
# sends its priority-0 advert to B too, so B takes over within about Skew_Time, not 3
# intervals (TAKE ms after the signal). FAIL NAME and 1 otherwise.
unicast_handover()
{
	sleep 0.5
	vrrp_get $B
	if [ "$(vfield adverts_rejected)" != 0 ] || [ "$(vfield adverts_received)" -lt 3 ]; then
		fail "$1" "B: want A's unicast adverts received, none rejected: $STATE"
		return 1
	fi
	topo_xlbd_stop $A >/dev/null
	expect_vrrp "$1" $B MASTER 1000 "B not MASTER within 1 s of A's graceful stop" || return 1
	TAKE=$(((SINCE_US - TOPO_SIG_US) / 1000))
	if ((TAKE > 4 * ADV_MS)); then
		fail "$1" "B took over $TAKE ms after A's stop: no priority-0 advert reached it"
		return 1
	fi
}

# unicast_peers: the IPv4 pair, adverts to the peer alone (unicast_handover).
test_unicast_peers()
{
	local t=test_unicast_peers

	need $t "$XLBD" "$XLBCTL" || return 0
	unicast_pair_up $t && unicast_handover $t || return 0
	pass $t "unicast adverts: B BACKUP of A with 0 rejected; A stopped: B MASTER after $TAKE ms"
}

# unicast_peers_ipv6: the same on IPv6, the peers given by link-local address.
test_unicast_peers_ipv6()
{
	local t=test_unicast_peers_ipv6

	need $t "$XLBD" "$XLBCTL" || return 0
	unicast_pair_up $t 6 && unicast_handover $t || return 0
	pass $t "IPv6 unicast peers by link-local address: B BACKUP of A ($PEER_A) with 0" \
		"rejected; A stopped: B MASTER after $TAKE ms"
}

# vrejected REASON: how many adverts the last vrrp_get's node refused for REASON.
vrejected()
{
	local re="\"adverts_rejected_by\":\\{[^{}]*\"$1\":([0-9]+)"

	[[ $VRRP =~ $re ]] && echo "${BASH_REMATCH[1]}"
}

# rogue_send OUT SRC PRIORITY COUNT DST...: the client's namespace, a third host on the segment,
# sends COUNT valid VRRPv3 adverts for the unicast pair's VRID and VIP (TTL 255, every 50 ms)
# from SRC to each DST, in the background (BG_PID); "sent N adverts" in OUT.
rogue_send()
{
	local out=$1 src=$2 prio=$3 count=$4 dst args=()

	shift 4
	for dst in "$@"; do
		args+=(--dst "$dst")
	done
	client_bg "$out" "$out.err" "$XLB_VRRP_SEND" --dev eth0 --src "$src" --vrid 53 \
		--priority "$prio" --vip "$TOPO_VIP4" --interval-cs $((ADV_MS / 10)) \
		--count "$count" --wait-ms 50 "${args[@]}"
}

# unicast_rogue: a unicast pair, and a host on the segment (the client) that sends TTL-255
# priority-254 adverts for the pair's VRID to 224.0.0.18 and to each node. Only the peers are
# heard: every one is refused as not_a_peer on both nodes, the VIP stays on A the whole time
# and B stays A's backup. Control: the same adverts with B's address as a (spoofed) source, at
# priority 1, are taken by A, so the source is all that the others were refused for.
test_unicast_rogue()
{
	local t=test_unicast_rogue n=40 rogue sent start_us held_ms ra rb rx0 rx1

	need $t "$XLBD" "$XLBCTL" "$XLB_VRRP_SEND" || return 0
	unicast_pair_up $t || return 0
	rogue=${TOPO_ADDR4[client]}
	start_us=${EPOCHREALTIME/./}
	rogue_send "$TMP/rogue.out" "$rogue" 254 $n 224.0.0.18 "${TOPO_ADDR4[$A]}" \
		"${TOPO_ADDR4[$B]}"
	# while it sends, and one Master_Down_Interval of B's after its last advert
	if ! vip_stays A $((n * 50 + $(master_down_ms 100) + 200)); then
		fail $t "the VIP moved to $WHERE $(((${EPOCHREALTIME/./} - start_us) / 1000)) ms after the" \
			"impostor started: $(vrrp_get $A; echo "A: $VRRP")"
		return 0
	fi
	held_ms=$(((${EPOCHREALTIME/./} - start_us) / 1000))
	if ! bg_wait "$BG_PID"; then
		fail $t "xlb-vrrp-send failed: $(cat "$TMP/rogue.out.err")"
		return 0
	fi
	sent=$(grep -o '[0-9]*' "$TMP/rogue.out")
	vrrp_get $A
	ra=$(vrejected not_a_peer)
	if [ "$VS" != MASTER ] || [ "$(vfield to_backup)" != 1 ] || [ "$ra" != $((2 * n)) ] ||
	   [ "$(vfield adverts_received)" != 0 ]; then
		fail $t "A: want MASTER, never backup since start, $((2 * n)) not_a_peer and 0" \
			"received: $VRRP"
		return 0
	fi
	vrrp_get $B
	rb=$(vrejected not_a_peer)
	if [ "$VS" != BACKUP ] || [ "$(vfield master)" != "${TOPO_ADDR4[$A]}" ] ||
	   [ "$rb" != $((2 * n)) ]; then
		fail $t "B: want BACKUP of A and $((2 * n)) not_a_peer: $VRRP"
		return 0
	fi
	if ! topo_xlbctl "$ID" $A state | grep -q "rejected $ra (not_a_peer $ra)"; then
		fail $t "xlbctl state does not name the reason: $(topo_xlbctl "$ID" $A state)"
		return 0
	fi

	vrrp_get $A
	rx0=$(vfield adverts_received)
	rogue_send "$TMP/spoof.out" "${TOPO_ADDR4[$B]}" 1 3 "${TOPO_ADDR4[$A]}"
	bg_wait "$BG_PID"
	sleep 0.1
	vrrp_get $A
	rx1=$(vfield adverts_received)
	if [ "$rx1" != $((rx0 + 3)) ] || [ "$(vrejected not_a_peer)" != "$ra" ]; then
		fail $t "control: 3 adverts with B's address as source should be received by A:" \
			"$rx0 -> $rx1: $VRRP"
		return 0
	fi
	pass $t "impostor on the segment sent $sent adverts (priority 254, TTL 255, to" \
		"224.0.0.18 and both nodes) over $((n * 50)) ms: refused as not_a_peer by A $ra," \
		"by B $rb, received 0; VIP on A only for the $held_ms ms watched, B BACKUP of A;" \
		"control: 3 with B's address spoofed were received by A"
}

# write_track_config FILE PRIORITY [TRACK]: a pair member; with TRACK it tracks the interface
# trk0 with weight 60.
write_track_config()
{
	xlb_config "$1" what="one of a pair, tracking trk0" protocol= backends=b1 vrid=54 \
		priority="$2" "${3:+track=trk0=60}"
}

# track: A (150) tracks a link of its own with weight 60. That link down: A advertises 90, and
# B (100, preempt) takes the VIP; the link back: A advertises 150 again and takes it back.
test_track_interface()
{
	local t=test_track_interface na

	need $t "$XLBD" "$XLBCTL" || return 0
	topo_pair $t || return 0
	na=$(topo_ns "$ID" $A)
	# A veth pair of its own (no dummy driver needed): trk0 is up while trk1 is.
	if ! ip -n "$na" link add name trk0 type veth peer name trk1 ||
	   ! ip -n "$na" link set trk0 up || ! ip -n "$na" link set trk1 up; then
		fail $t "could not make A's tracked link"
		return 0
	fi
	write_track_config "$CFG_A" 150 track
	write_track_config "$CFG_B" 100
	start_master $t || return 0
	start_node $t $B "$CFG_B" || return 0
	expect_vrrp $t $B BACKUP 2000 "B is not BACKUP within 2 s" || return 0
	ip -n "$na" link set trk0 down
	expect_vrrp $t $B MASTER 2000 \
		"B did not take over once A's tracked link went down" || return 0
	vrrp_get $A
	if [ "$VS" != BACKUP ] || [ "$(vfield effective_priority)" != 90 ]; then
		fail $t "A: want BACKUP at effective priority 90: $STATE"
		return 0
	fi
	ip -n "$na" link set trk0 up
	expect_vrrp $t $A MASTER 2000 \
		"A did not take the VIP back once its tracked link returned" || return 0
	expect_vrrp $t $B BACKUP 1000 "B is not BACKUP after A came back" || return 0
	pass $t "tracked link down: A 150 -> 90, B MASTER; link up: A 150, MASTER again"
}

# udp_rcvbuf_errors NODE: RcvbufErrors of UDP in NODE's namespace (/proc/net/snmp there).
udp_rcvbuf_errors()
{
	topo_exec "$ID" "$1" awk '$1 == "Udp:" { if (!h) { for (i = 2; i <= NF; i++) \
		if ($i == "RcvbufErrors") c = i; h = 1 } else print $c }' /proc/net/snmp
}

# master_with_a_flow NAME: topo_pair and both configs; A MASTER alone, one real flow through it
# (a VIP and a backend A knows, for a test to copy into A's pins); B not started.
master_with_a_flow()
{
	topo_pair "$1" || return 1
	write_pair_config "$CFG_A" 150 "${TOPO_ADDR4[$A]}" "${TOPO_ADDR4[$B]}"
	write_pair_config "$CFG_B" 100 "${TOPO_ADDR4[$B]}" "${TOPO_ADDR4[$A]}"
	start_master "$1" || return 1
	topo_exec "$ID" client "$XLB_HTTP" get --url-host "$TOPO_VIP4" --port 80 --count 1 \
		--timeout-ms 2000 >/dev/null 2>&1
}

# Bulk sync of a big table to a slow backup: A holds 200,000 flows (written straight into its
# pinned conns); B starts and asks for them, and is stopped for 100 ms out of every 200 while
# they come (SIGSTOP / SIGCONT: a backup too busy to read), so its socket buffer overflows
# (RcvbufErrors grows) unless the master waits for it. Afterwards B's conns holds every one of
# them, and both ends report the bulk complete, N of N flows.
test_bulk_sync_slow_backup()
{
	local t=test_bulk_sync_slow_backup n=200000 pinA pinB e0 e1 t0 t1 i pid got want stop=0
	local conns lost rtx fill ms

	need $t "$XLBD" "$XLBCTL" "$XLB_HTTP" "$BUILD/xlb-conns-fill" || return 0
	master_with_a_flow $t || return 0
	pinA=$(topo_node_pin_dir $A)/eth0/conns
	pinB=$(topo_node_pin_dir $B)/eth0/conns
	t0=${EPOCHREALTIME/./}
	if ! fill=$("$BUILD/xlb-conns-fill" "$pinA" $n 2>&1); then
		fail $t "could not fill A's conns: $fill"
		return 0
	fi
	fill=$(((${EPOCHREALTIME/./} - t0) / 1000))
	want=$(topo_xlbctl "$ID" $A --json stats 2>/dev/null | json_num conns)
	if ((${want:-0} < n)); then
		fail $t "A's conns holds ${want:-0} flows after the fill, want >= $n"
		return 0
	fi

	e0=$(udp_rcvbuf_errors $B)
	t0=${EPOCHREALTIME/./}
	start_node $t $B "$CFG_B" || return 0
	pid=${TOPO_XLBD_PID[$B]}
	# A slow backup: reading 100 ms of every 200, until its bulk is over (20 s at most).
	for ((i = 0; i < 100; i++)); do
		[ "$(sync_field $B bulk_received)" = 1 ] && break
		kill -STOP "$pid" && stop=$((stop + 1))
		sleep 0.1
		kill -CONT "$pid"
		sleep 0.1
	done
	t1=${EPOCHREALTIME/./}
	kill -CONT "$pid" 2>/dev/null
	e1=$(udp_rcvbuf_errors $B)
	sleep 0.2
	conns=$(topo_xlbctl "$ID" $B --json stats 2>/dev/null | json_num conns)
	got=$(sync_field $B bulk_last_flows)
	lost=$(sync_field $B lost_datagrams)
	rtx=$(sync_field $A bulk_retransmits)
	ms=$(sync_field $B bulk_last_ms)
	if [ "$(sync_field $B bulk_received)" != 1 ] || [ "${conns:-0}" -lt "$want" ]; then
		fail $t "B's conns holds ${conns:-0} of $want flows after the bulk" \
			"(RcvbufErrors $e0 -> $e1, $stop stops); B: $STATE"
		return 0
	fi
	if [ "${got:-0}" != "$want" ] || [ "$(sync_field $B bulk_last_expected)" != "$want" ]; then
		fail $t "B reports $got of $(sync_field $B bulk_last_expected) flows, want $want of $want"
		return 0
	fi
	if ! grep -q "bulk sync complete: $want of $want flows" "${TOPO_XLBD_LOG[$B]}" ||
	   ! grep -q "bulk sync complete: $want of $want flows" "${TOPO_XLBD_LOG[$A]}"; then
		fail $t "the logs do not say 'bulk sync complete: $want of $want flows' on both nodes"
		return 0
	fi
	if ! topo_xlbctl "$ID" $B state 2>&1 | grep -q "last: $want of $want flows"; then
		fail $t "xlbctl state on B does not say 'last: $want of $want flows':" \
			"$(topo_xlbctl "$ID" $B state 2>&1 | grep -A1 '^sync')"
		return 0
	fi
	if ((e1 <= e0)) || ((${rtx:-0} == 0)); then
		fail $t "no loss to repair: RcvbufErrors $e0 -> $e1, $rtx datagrams sent again;" \
			"the test did not slow the backup down enough"
		return 0
	fi
	pass $t "$want flows (filled in $fill ms) to a backup stopped 100 ms of every 200:" \
		"B's conns holds $conns; RcvbufErrors $e0 -> $e1, $lost datagrams lost and" \
		"$rtx sent again; bulk $ms ms by B, $(((t1 - t0) / 1000)) ms from B's start"
}

[[ ${BASH_SOURCE[0]} != "$0" ]] || tier_main "$@"
