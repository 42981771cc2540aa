#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The NAT pair's side of failover, on the pair topology and helpers of tests/netns/failover.sh
# (sourced, so its tests are defined but only this file's run): the address NAT backends route
# through is a virtual address of the pair on a second interface, and moves with the VIP.
#
#   tests/netns/nat_pair.sh [test_name ...]     (default: this file's tests)
#
# Environment: BUILD (build dir, default build/), XLB_RUN_ID (run id prefix, default $$).
set -u

TIER=${TIER:-nat_pair}
# shellcheck source=tests/netns/failover.sh
. "$(dirname "${BASH_SOURCE[0]}")/failover.sh"

GW4=198.51.100.1 # the address NAT backends route through: a virtual address of the pair

# gw_on NODE: does NODE's gw0 hold the gateway address?
gw_on()
{
	ip -n "$(topo_ns "$ID" "$1")" -4 -o addr show dev gw0 2>/dev/null | grep -q " inet $GW4/24 "
}

# wait_gw NODE yes|no MS: until gw_on NODE says yes (or no), for at most MS ms.
wait_gw()
{
	local i want=$2

	for ((i = 0; i < $3 / 20; i++)); do
		if gw_on "$1"; then [ "$want" = yes ] && return 0; else [ "$want" = no ] && return 0; fi
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

[[ ${BASH_SOURCE[0]} != "$0" ]] || tier_main "${@:-test_vaddr_second_interface}"
