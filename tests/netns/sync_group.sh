#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Several VRRP instances and a sync group (keepalived's vrrp_sync_group), on the NAT pair's
# topology of tests/netns/nat_pair.sh (sourced, so its tests are defined but only this file's
# run): VI_1 holds the VIP on eth0, VI_GW the backends' gateway on eth1, two virtual routers on
# two links. With the group, A's eth0 link loss moves both to B (VI_GW, whose own link is fine,
# leaves because its group faulted) and the link's return brings both back to A; without it,
# the same loss splits them, the VIP on B and the gateway on A: the group is what keeps a NAT
# pair's two addresses on one node.
#
#   tests/netns/sync_group.sh [test_name ...]     (default: this file's tests)
#
# Environment: BUILD (build dir, default build/), XLB_RUN_ID (run id prefix, default $$).
set -u

TIER=${TIER:-sync_group}
# shellcheck source=tests/netns/nat_pair.sh
. "$(dirname "${BASH_SOURCE[0]}")/nat_pair.sh"

# write_group_config FILE PRIORITY GROUP: two instances, VI_1 (vrid 51, the VIP on eth0) and
# VI_GW (vrid 52, the gateway on eth1); with GROUP=yes in sync group VG1.
write_group_config()
{
	xlb_config "$1" what="two VRRP instances${3/yes/ in a sync group}" fwd=nat backends=n1 \
		beport="${TOPO_PORT[n1]}" health=none \
		ifaces="$(printf '  - name: eth0\n  - name: eth1')"
	cat >>"$1" <<EOF2
failover:
  mode: vrrp
  vrrp:
    - name: VI_1
      interface: eth0
      vrid: 51
      priority: $2
      advert_interval: 100ms
      virtual_addresses: [$TOPO_VIP4/24]
    - name: VI_GW
      interface: eth1
      vrid: 52
      priority: $2
      advert_interval: 100ms
      virtual_addresses: [$GW4/${GW_NET4#*/}]
EOF2
	[ "$3" != yes ] || printf '  sync_groups:\n    - {name: VG1, members: [VI_1, VI_GW]}\n' >>"$1"
	# Each node in its own namespace: one address for all.
	printf 'metrics:\n  listen: 127.0.0.1:9542\n' >>"$1"
}

# vrrp_metrics NAME NODE INSTANCE STATE: NODE's scrape (promtool-clean) says INSTANCE is in
# STATE, and in no other, and counts a transition to MASTER. FAIL NAME and 1 if not.
vrrp_metrics()
{
	local s v

	scrape "$1" "$2" || return 1
	for s in INIT BACKUP MASTER FAULT; do
		v=$(metric "$SCRAPE" "xlb_vrrp_state{instance=\"$3\",state=\"$s\"}")
		if [ "$v" != "$([ $s = "$4" ] && echo 1 || echo 0)" ]; then
			fail "$1" "$2's metrics: $3 $s is '$v', want it in $4:" \
				"$(grep "instance=\"$3\"" "$SCRAPE" | tr '\n' ' ')"
			return 1
		fi
	done
	# Both nodes have been master of it by now: A first, B at A's link loss.
	v=$(metric "$SCRAPE" "xlb_vrrp_transitions_total{instance=\"$3\",state=\"MASTER\"}")
	if [ -z "$v" ] || [ "$v" -lt 1 ]; then
		fail "$1" "$2's metrics: no transitions to MASTER of $3:" \
			"$(grep xlb_vrrp_transitions_total "$SCRAPE" | tr '\n' ' ')"
		return 1
	fi
}

# wait_inst NODE NAME STATE MS: until NODE's instance NAME is in STATE, for at most MS ms.
wait_inst()
{
	local end=$((${EPOCHREALTIME/./} + $4 * 1000))

	while :; do
		vrrp_get "$1" "$2"
		[ "$VS" = "$3" ] && return 0
		((${EPOCHREALTIME/./} > end)) && return 1
		sleep 0.01
	done
}

# insts NODE: "VI_1=STATE VI_GW=STATE" of NODE, for messages.
insts()
{
	local n s=

	for n in VI_1 VI_GW; do
		vrrp_get "$1" $n
		s+="$n=${VS:-?} "
	done
	echo "${s% }"
}

# group_pair NAME GROUP: the NAT topology, A (150) and B (100) with write_group_config GROUP;
# A master of both, B backup of both, the VIP and the gateway on A only. FAIL NAME, 1 if not.
group_pair()
{
	local n

	topo_pair "$1" || return 1
	if ! nat_segment; then
		fail "$1" "$WHY"
		return 1
	fi
	write_group_config "$CFG_A" 150 "$2"
	write_group_config "$CFG_B" 100 "$2"
	start_node "$1" $A "$CFG_A" || return 1
	start_node "$1" $B "$CFG_B" || return 1
	for n in VI_1 VI_GW; do
		if ! wait_inst $A $n MASTER 3000 || ! wait_inst $B $n BACKUP 2000; then
			fail "$1" "want A master and B backup of both: A $(insts $A), B $(insts $B)"
			return 1
		fi
	done
	if ! wait_vip_where A 1000 || ! wait_gw_where $A 1000; then
		fail "$1" "VIP on $(vip_where), gateway on $WHERE; want both on A only"
		return 1
	fi
}

# A's eth0 goes down: VI_1 faults on A, VI_GW leaves with it (priority 0, so B's VI_GW takes over
# without waiting out its down timer), and B is master of both, the VIP and the gateway on B
# only. The link back: A rejoins as backup and preempts both.
test_sync_group_link_loss()
{
	local t=test_sync_group_link_loss t0 take n

	need $t "$XLBD" "$XLBCTL" || return 0
	group_pair $t yes || return 0
	t0=${EPOCHREALTIME/./}
	topo_exec "$ID" $A ip link set eth0 down
	for n in VI_1 VI_GW; do
		if ! wait_inst $B $n MASTER 2000; then
			fail $t "2 s after A's eth0 went down: B $(insts $B), A $(insts $A)"
			return 0
		fi
	done
	take=$(((${EPOCHREALTIME/./} - t0) / 1000))
	if ! wait_vip_where B 1000 || ! wait_gw_where $B 1000; then
		fail $t "after A's link loss: VIP on $(vip_where), gateway on $WHERE; want B only"
		return 0
	fi
	vrrp_get $A VI_1
	if [ "$VS" != FAULT ] || [ "$(vfield fault)" != own ]; then
		fail $t "A's VI_1: state $VS fault $(vfield fault), want FAULT own: $VRRP"
		return 0
	fi
	vrrp_get $A VI_GW
	if [ "$VS" != FAULT ] || [ "$(vfield fault)" != sync_group ]; then
		fail $t "A's VI_GW: state $VS fault $(vfield fault), want FAULT sync_group: $VRRP"
		return 0
	fi
	vrrp_get $B VI_1
	if [ "$(vfield sync_group_followed)" -lt 1 ]; then
		fail $t "B's group followed no member's change: $VRRP"
		return 0
	fi
	# What Prometheus sees of it: A's instances FAULT (the one for its group too), B's MASTER.
	vrrp_metrics $t $A VI_GW FAULT || return 0
	vrrp_metrics $t $B VI_GW MASTER || return 0
	topo_exec "$ID" $A ip link set eth0 up
	for n in VI_1 VI_GW; do
		if ! wait_inst $A $n MASTER 3000 || ! wait_inst $B $n BACKUP 1000; then
			fail $t "3 s after A's eth0 came back: A $(insts $A), B $(insts $B)"
			return 0
		fi
	done
	if ! wait_vip_where A 1000 || ! wait_gw_where $A 1000; then
		fail $t "after A's link returned: VIP on $(vip_where), gateway on $WHERE; want A only"
		return 0
	fi
	pass $t "A's eth0 down: B master of VI_1 and VI_GW after $take ms, the VIP and the" \
		"gateway on B only, A's VI_GW FAULT for its group (so its metrics); eth0 up: both back on A"
}

# The same link loss without the group: VI_GW's link is fine, so A keeps the gateway while B
# takes the VIP. This is the split the group prevents (and what the test above would see if
# the group did nothing).
test_no_group_splits()
{
	local t=test_no_group_splits

	need $t "$XLBD" "$XLBCTL" || return 0
	group_pair $t no || return 0
	topo_exec "$ID" $A ip link set eth0 down
	if ! wait_inst $B VI_1 MASTER 2000; then
		fail $t "B did not take VI_1 2 s after A's eth0 went down: B $(insts $B)"
		return 0
	fi
	# a second more than the group needed above: long enough for a VI_GW takeover to show
	sleep 1
	vrrp_get $A VI_GW
	if [ "$VS" != MASTER ] || ! wait_gw_where $A 100; then
		fail $t "without a group A's VI_GW should stay MASTER with the gateway: A $(insts $A)," \
			"B $(insts $B), gateway on $WHERE"
		return 0
	fi
	pass $t "without a sync group A's eth0 loss splits the pair: the VIP on B, the gateway" \
		"still on A"
}

[[ ${BASH_SOURCE[0]} != "$0" ]] ||
	tier_main "${@:-test_sync_group_link_loss test_no_group_splits}"
