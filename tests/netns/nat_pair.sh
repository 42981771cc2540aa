#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The NAT pair's side of failover, on the pair topology and helpers of tests/netns/failover.sh
# (sourced, so its tests are defined but only this file's run): the address NAT backends route
# through is a virtual address of the pair on a second interface, and moves with the VIP; and a
# NAT pair end to end (a second segment, br1, with both dispatchers' eth1 and the NAT backends
# n1 n2 on it): 50 long-lived connections survive the master's link loss.
#
#   tests/netns/nat_pair.sh [test_name ...]     (default: this file's tests)
#
# Environment: BUILD (build dir, default build/), XLB_RUN_ID (run id prefix, default $$).
set -u

TIER=${TIER:-nat_pair}
# shellcheck source=tests/netns/failover.sh
. "$(dirname "${BASH_SOURCE[0]}")/failover.sh"

GW4=198.51.100.1 # the address NAT backends route through: a virtual address of the pair

# gw_on NODE [IFACE]: does NODE's IFACE (gw0) hold the gateway address?
gw_on()
{
	ip -n "$(topo_ns "$ID" "$1")" -4 -o addr show dev "${2:-gw0}" 2>/dev/null |
		grep -q " inet $GW4/"
}

# wait_gw NODE yes|no MS [IFACE]: until gw_on NODE IFACE says yes (or no), for at most MS ms.
wait_gw()
{
	local i want=$2

	for ((i = 0; i < $3 / 20; i++)); do
		if gw_on "$1" "${4:-}"; then
			[ "$want" = yes ] && return 0
		else
			[ "$want" = no ] && return 0
		fi
		sleep 0.02
	done
	return 1
}

# nat_flows_pinned PIN_DIR: NAT's reply map is pinned once, at PIN_DIR/nat_flows, and in no
# interface's folder. With xlbd ready on two interfaces that is one map for both: the second
# program's load reused that pin (libbpf refuses to load on a pin of another shape). WHY if not.
nat_flows_pinned()
{
	local pin=$1

	if ! bpftool map show pinned "$pin/nat_flows" 2>/dev/null | grep -q " name nat_flows "; then
		WHY="no nat_flows map pinned at $pin/nat_flows: $(ls "$pin" | tr '\n' ' ')"
		return 1
	fi
	if [ -n "$(find "$pin" -mindepth 2 -name nat_flows)" ]; then
		WHY="nat_flows pinned in an interface's folder too: $(find "$pin" -name nat_flows)"
		return 1
	fi
}

# write_gw_config FILE PRIORITY: a pair member whose virtual addresses are the VIP on eth0 and
# the gateway on gw0, in keepalived's "ADDR dev IFNAME" (gw0 is an interface xlbd drives).
write_gw_config()
{
	xlb_config "$1" what="one of a NAT pair, the backends' gateway on gw0" protocol= \
		backends=b1 ifaces="$(printf '  - name: eth0\n  - name: gw0')" vrid=55 \
		priority="$2" vaddrs="[$TOPO_VIP4/24, \"$GW4/24 dev gw0\"]"
}

# The gateway of a NAT pair moves with the VIP: A (150) holds it on its own gw0, B's gw0 has none;
# A's SIGTERM (graceful: it releases) and B takes it onto B's gw0 while A's gw0 loses it. On the
# way, A's two programs share one nat_flows, pinned at the pin root.
test_vaddr_second_interface()
{
	local t=test_vaddr_second_interface node ns

	need $t "$XLBD" "$XLBCTL" || return 0
	topo_pair $t || return 0
	for node in $A $B; do
		ns=$(topo_ns "$ID" $node)
		# A veth pair of its own stands for the backends' side.
		if ! ip -n "$ns" link add name gw0 type veth peer name gw1 ||
		   ! ip -n "$ns" link set gw0 up || ! ip -n "$ns" link set gw1 up; then
			fail $t "could not make $node's backend-side link"
			return 0
		fi
	done
	write_gw_config "$CFG_A" 150
	write_gw_config "$CFG_B" 100
	start_master $t || return 0
	start_node $t $B "$CFG_B" || return 0
	expect_vrrp $t $B BACKUP 2000 "B is not BACKUP within 2 s" || return 0
	if ! wait_gw $A yes 1000 || gw_on $B; then
		fail $t "master A: the gateway $GW4 is on A's gw0: $(gw_on $A && echo yes || echo no)," \
			"on B's: $(gw_on $B && echo yes || echo no); want A's only"
		return 0
	fi
	if ! nat_flows_pinned "$TOPO_PIN_DIR"; then
		fail $t "A: $WHY"
		return 0
	fi
	topo_xlbd_stop $A TERM 5
	expect_vrrp $t $B MASTER 2000 "B not MASTER 2 s after A's SIGTERM" || return 0
	if ! wait_gw $B yes 1000 || ! wait_gw $A no 1000; then
		fail $t "after the takeover the gateway is on A's gw0: $(gw_on $A && echo yes || echo no)," \
			"on B's: $(gw_on $B && echo yes || echo no); want B's only"
		return 0
	fi
	if ! wait_vip_where B 500; then
		fail $t "after the takeover the VIP is on '$WHERE', want B only"
		return 0
	fi
	pass $t "gateway $GW4 on the master's gw0 only, before and after a takeover"
}

# ---- a NAT pair end to end --------------------------------------------------------------------

GW_NET4=198.51.100.0/25 # the backends' segment (br1): A's eth1 .2, B's .3, the gateway .1
declare -gA ETH1_ADDR4=([$A]=198.51.100.2 [$B]=198.51.100.3)
declare -gA ETH1_MAC=([$A]=02:00:00:00:01:02 [$B]=02:00:00:00:01:03)
declare -gA ETH1_PORT=([$A]=d-eth1 [$B]=d2-eth1) # their switch-side ports (15 bytes at most)

# nat_segment: the backends' segment of the pair, br1: each dispatcher's eth1 and the NAT
# backends n1 n2 (tools/topology.sh's, their server on port 8000, their default route via the
# gateway GW4); both dispatchers forward. WHY and 1 if it cannot be built.
nat_segment()
{
	local sw node

	sw=$(topo_ns "$ID" switch)
	if ! _topo_do ip -n "$sw" link add br1 type bridge stp_state 0 forward_delay 0 \
		mcast_snooping 0 || ! _topo_do ip -n "$sw" link set br1 up; then
		WHY="cannot make br1"
		return 1
	fi
	for node in $A $B; do
		# As on br0 (tools/topology.sh, pair mode): no unknown unicast flooded to a
		# dispatcher, whose XDP program would forward frames for the other's MAC.
		if ! _topo_wire "$ID" "$node" eth1 br1 "${ETH1_PORT[$node]}" "${ETH1_MAC[$node]}" \
			"${ETH1_ADDR4[$node]}/${GW_NET4#*/}" "2001:db8:1::${ETH1_ADDR4[$node]##*.}/64" ||
		   ! _topo_do ip netns exec "$sw" bridge link set dev "${ETH1_PORT[$node]}" flood off ||
		   ! _topo_sysctl "$(topo_ns "$ID" "$node")" net.ipv4.conf.all.forwarding=1; then
			WHY="cannot wire $node's eth1"
			return 1
		fi
	done
	for node in n1 n2; do
		if ! _topo_add_nat_backend "$ID" $node; then
			WHY="cannot add the NAT backend $node"
			return 1
		fi
	done
	if ! _topo_wait_servers "$ID" n1 n2; then
		WHY="the NAT backends' servers do not listen"
		return 1
	fi
}

# write_nat_pair_config FILE PRIORITY SELF PEER: a NAT pair member on eth0 and eth1, flow sync
# to PEER; its virtual addresses the VIP on eth0 and the backends' gateway on eth1.
write_nat_pair_config()
{
	xlb_config "$1" what="one of a NAT pair, the backends' gateway on eth1" fwd=nat \
		backends="n1 n2" beport="${TOPO_PORT[n1]}" health=none \
		ifaces="$(printf '  - name: eth0\n  - name: eth1')" vrid=51 priority="$2" \
		vaddrs="[$TOPO_VIP4/24, {address: $GW4/${GW_NET4#*/}, interface: eth1}]" \
		sync="$3:8849=$4:8849"
}

# nat_flows_count PIN_DIR: how many entries the nat_flows pinned there holds (bpftool prints a
# map with BTF as a JSON list, each element's "key" at the second level).
nat_flows_count()
{
	bpftool map dump pinned "$1/nat_flows" 2>/dev/null | grep -c '^        "key": '
}

# A NAT pair: 50 long-lived connections survive the master's link loss. A (150) and B (100)
# sync flows; the client-side VIP and the backends' gateway are both virtual. 50 keep-alive
# connections go through A to n1 / n2 (port 80 -> 8000), B installs their flows and, for each,
# its nat_flows entry. A's eth0 goes down: B takes the VIP and the gateway, the backends' replies
# reach B, and every connection goes on, each reply from its backend and translated back to the
# VIP's address and port by B (a reply untranslated would be refused by the client: the hold's
# connection fails). A probe of new connections every 5 ms measures the outage.
test_nat_pair_long_lived()
{
	local t=test_nat_pair_long_lived n=50 dur=4000 iv=100 hout=$TMP/nat-hold.json hpid i
	local inst0 inst nf0 nf1 hold min_ok

	need $t "$XLBD" "$XLBCTL" "$XLB_HTTP" "$XLB_PROBE" || return 0
	topo_pair $t || return 0
	if ! nat_segment; then
		fail $t "$WHY"
		return 0
	fi
	write_nat_pair_config "$CFG_A" 150 "${TOPO_ADDR4[$A]}" "${TOPO_ADDR4[$B]}"
	write_nat_pair_config "$CFG_B" 100 "${TOPO_ADDR4[$B]}" "${TOPO_ADDR4[$A]}"
	start_master $t || return 0
	start_node $t $B "$CFG_B" || return 0
	expect_vrrp $t $B BACKUP 2000 "B is not BACKUP of A within 2 s" "${TOPO_ADDR4[$A]}" ||
		return 0
	if ! wait_gw_where $A 1000 || ! wait_vip_where A 1000; then
		fail $t "the gateway is on '$WHERE' and the VIP on '$(vip_where)', want A only"
		return 0
	fi
	topo_exec "$ID" client ping -c 1 -W 1 "$TOPO_VIP4" >/dev/null 2>&1
	for ((i = 0; i < 100; i++)); do
		[ "$(sync_field $B bulk_received)" = 1 ] && break
		sleep 0.02
	done
	inst0=$(sync_field $B installed_flows)
	nf0=$(nat_flows_count "$TOPO_PIN_DIR2")

	if ! hold_start $n $dur $iv "$hout" "$TMP/nat-hold.err"; then
		fail $t "hold: not all $n connections up through A: $(cat "$TMP/nat-hold.err")"
		return 0
	fi
	hpid=$HOLD_PID
	for ((i = 0; i < 100; i++)); do
		inst=$(sync_field $B installed_flows)
		nf1=$(nat_flows_count "$TOPO_PIN_DIR2")
		((${inst:-0} - ${inst0:-0} >= n && ${nf1:-0} - ${nf0:-0} >= n)) && break
		sleep 0.02
	done
	if ((${inst:-0} - ${inst0:-0} < n || ${nf1:-0} - ${nf0:-0} < n)); then
		fail $t "B installed $((${inst:-0} - ${inst0:-0})) synced flows and holds" \
			"$((${nf1:-0} - ${nf0:-0})) new nat_flows entries, want >= $n of each"
		return 0
	fi

	# The replies' next hop, the client, is not in B's neighbour table, and XDP cannot resolve
	# it: B's first reply names it on neigh_wants and B's xlbd probes it (README, NAT).
	i=$(topo_exec "$ID" $B ip neigh show "${TOPO_ADDR4[client]}" nud reachable nud stale \
		nud delay nud probe nud permanent)
	if [ -n "$i" ]; then
		fail $t "B knows the client's neighbour before the failover ($i): nothing to prove"
		return 0
	fi
	probe_start 2500
	sleep 0.6
	cut_a_link $t || return 0
	if ! wait_gw $B yes 1000 eth1; then
		fail $t "B is MASTER without the gateway $GW4 on its eth1"
		return 0
	fi
	bg_wait "$hpid"
	hold=$(cat "$hout")
	probe_wait || { fail $t "$PROBE_WHY"; return 0; }
	if [ -z "$(json_num conns <<<"$hold")" ]; then
		fail $t "hold printed no summary: $hold $(cat "$TMP/nat-hold.err")"
		return 0
	fi
	min_ok=$((dur * 7 / (iv * 10)))
	if ! hold_check "$hold" $min_ok; then
		fail $t "NAT connections surviving failover: $SURVIVED/$n; the others: ${HOLD_BAD:0:300}"
		return 0
	fi
	if [ "$(json_num switched <<<"$hold")" != 0 ] || ((SURVIVED != n)); then
		fail $t "NAT connections surviving failover: $SURVIVED/$n: $hold"
		return 0
	fi
	if [ "$P_RECOVERED" != true ]; then
		fail $t "new connections through B did not recover: $PROBE"
		return 0
	fi
	i=$(topo_xlbctl "$ID" $B --json stats | json_in nat_reply packets)
	if ((${i:-0} == 0)); then
		fail $t "B translated no reply (nat_reply 0) after the failover"
		return 0
	fi
	echo "  NAT connections surviving failover: $SURVIVED/$n, gap $(int_ms "$P_GAP") ms"
	pass $t "NAT connections surviving failover: $SURVIVED/$n" \
		"($(json_num requests_ok <<<"$hold") requests, 0 failed, 0 switched backend);" \
		"B held $((nf1 - nf0)) synced nat_flows entries before, MASTER $TAKE_MS ms after A's" \
		"link went down, translated $i replies; new connections' longest gap" \
		"$P_GAP ms ($P_FAILED of $P_PROBES probes failed)"
}

# wait_gw_where NODE MS: the gateway on NODE's eth1 and not on the other's, within MS ms. WHERE
# says where it is when not.
wait_gw_where()
{
	local i other=$B

	[ "$1" = $B ] && other=$A
	for ((i = 0; i < $2 / 20; i++)); do
		gw_on "$1" eth1 && ! gw_on $other eth1 && return 0
		sleep 0.02
	done
	WHERE="$(gw_on $A eth1 && echo A) $(gw_on $B eth1 && echo B)"
	return 1
}

[[ ${BASH_SOURCE[0]} != "$0" ]] ||
	tier_main "${@:-test_vaddr_second_interface test_nat_pair_long_lived}"
