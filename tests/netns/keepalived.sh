#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# xlbd beside keepalived 2.2 with its defaults: VRRPv2 (no vrrp_version line) and
# `authentication { auth_type PASS auth_pass 1111 }`, advert_int 1; xlbd with version: 2 and
# the same password. On the pair topology and helpers of tests/netns/failover.sh (sourced, so
# its tests are defined but only this file's run): each side holds the VIP alone when it
# outranks the other and takes over when the other's link goes down; a wrong password is
# refused and counted on both sides, and both become master.
#
#   tests/netns/keepalived.sh [test_name ...]     (default: this file's tests)
#
# Environment: BUILD (build dir, default build/), XLB_RUN_ID (run id prefix, default $$).
set -u

TIER=${TIER:-keepalived}
# shellcheck source=tests/netns/failover.sh
. "$(dirname "${BASH_SOURCE[0]}")/failover.sh"

ADV_MS=1000 # keepalived's advert_int 1: Master_Down_Interval ~3.6 s
TAKE_MS=6000 # a takeover's deadline: Master_Down_Interval and some

# write_ka2_config FILE PRIORITY: keepalived's VRRPv2 half, as its own sample config has it.
write_ka2_config()
{
	cat >"$1" <<EOF2
# Written by tests/netns/keepalived.sh: keepalived with its default VRRPv2 and PASS.
global_defs {
    router_id xlb-test-$ID
    script_user root
}
vrrp_instance web {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority $2
    advert_int 1
    authentication {
        auth_type PASS
        auth_pass 1111
    }
    virtual_ipaddress {
        $TOPO_VIP4/24 dev eth0
    }
}
EOF2
}

# write_xlb2_config FILE PRIORITY PASSWORD: xlbd's VRRPv2 half, its vrrp mapping last.
write_xlb2_config()
{
	write_pair_config "$1" "$2" "${TOPO_ADDR4[$A]}" ""
	printf '    version: 2\n    authentication: {type: pass, password: "%s"}\n' "$3" >>"$1"
}

# ka2_up NAME: the topology, an xlb-http server on keepalived's node B.
ka2_up()
{
	need "$1" "$XLBD" "$XLBCTL" "$XLB_HTTP" || return 1
	ka_pair "$1" || return 1
	if ! ka_server_start; then
		fail "$1" "xlb-http serve on keepalived's node does not listen"
		return 1
	fi
}

# ka2_start PRIORITY: keepalived on B.
ka2_start()
{
	write_ka2_config "$TOPO_DIR/keepalived.conf" "$1"
	topo_keepalived_start "$ID" $B "$TOPO_DIR/keepalived.conf"
}

# (a) xlbd (150) master, keepalived (100) its backup: the VIP on xlbd's node alone, no advert
# refused; xlbd's link down: keepalived takes the VIP.
test_ka2_xlbd_master()
{
	local t=test_ka2_xlbd_master

	ka2_up $t || return 0
	write_xlb2_config "$CFG_A" 150 1111
	start_node $t $A "$CFG_A" || return 0
	expect_vrrp $t $A MASTER $TAKE_MS "xlbd (150) not MASTER" || return 0
	ka2_start 100
	if ! ka_wait_log "Entering BACKUP STATE" 3000; then
		fail $t "keepalived did not enter BACKUP within 3 s"
		return 0
	fi
	if ! vip_stays A 3500; then
		fail $t "keepalived (backup, 100) took the VIP beside xlbd (150): on $WHERE"
		return 0
	fi
	if ! vrrp_get $A || [ "$(vfield version)" != 2 ] || [ "$(vfield authentication)" != pass ] ||
	   [ "$(vfield adverts_rejected)" != 0 ] || grep -q "Entering MASTER STATE" \
		"${TOPO_KA_LOG[$B]}"; then
		fail $t "want xlbd MASTER v2 pass, 0 rejected, keepalived never master: $STATE"
		return 0
	fi
	topo_exec "$ID" $A ip link set eth0 down
	if ! ka_wait_log "Entering MASTER STATE" $TAKE_MS || ! wait_vip_where B 1000; then
		fail $t "keepalived did not take over after xlbd's link went down: VIP on $WHERE"
		return 0
	fi
	pass $t "keepalived v2 PASS stayed BACKUP beside xlbd MASTER (v2 pass, 0 rejected);" \
		"xlbd's link down: keepalived MASTER with the VIP"
}

# (b) keepalived (150) master, xlbd (100) its backup hearing it; keepalived's link down: xlbd
# takes the VIP.
test_ka2_keepalived_master()
{
	local t=test_ka2_keepalived_master

	ka2_up $t || return 0
	ka2_start 150
	if ! wait_vip_where B $TAKE_MS; then
		fail $t "keepalived (150, alone) holds no VIP: VIP on $WHERE"
		return 0
	fi
	write_xlb2_config "$CFG_A" 100 1111
	start_node $t $A "$CFG_A" || return 0
	sleep 1.5 # an advert a second: the master is known after the first
	expect_vrrp $t $A BACKUP 3000 "xlbd not BACKUP of keepalived" "${TOPO_ADDR4[$B]}" ||
		return 0
	sleep 1
	if ! vrrp_get $A || [ "$VS" != BACKUP ] || [ "$(vfield adverts_rejected)" != 0 ] ||
	   [ "$(vfield adverts_received)" -lt 2 ] || ! vip_stays B 300; then
		fail $t "want xlbd BACKUP hearing keepalived's v2 adverts, 0 rejected, VIP on B:" \
			"VIP on $WHERE; $STATE"
		return 0
	fi
	topo_exec "$ID" $B ip link set eth0 down
	expect_vrrp $t $A MASTER $TAKE_MS "xlbd not MASTER after keepalived's link went down" ||
		return 0
	if ! vip_on $A; then
		fail $t "xlbd MASTER without the VIP"
		return 0
	fi
	pass $t "xlbd BACKUP of keepalived v2 PASS ($(vfield adverts_received) adverts, 0" \
		"rejected); keepalived's link down: xlbd MASTER with the VIP"
}

# (c) a wrong password on xlbd's side: each refuses the other's adverts (xlbd counts them as
# auth, keepalived logs them) and both become master: that is what a mismatch does.
test_ka2_wrong_password()
{
	local t=test_ka2_wrong_password auth

	ka2_up $t || return 0
	ka2_start 100
	write_xlb2_config "$CFG_A" 150 2222
	start_node $t $A "$CFG_A" || return 0
	expect_vrrp $t $A MASTER $TAKE_MS "xlbd not MASTER" || return 0
	if ! ka_wait_log "Entering MASTER STATE" $TAKE_MS; then
		fail $t "keepalived did not become master beside xlbd's refused adverts"
		return 0
	fi
	sleep 1
	vrrp_get $A
	auth=$(vfield auth)
	if [ "$VS" != MASTER ] || ((${auth:-0} < 1)); then
		fail $t "want xlbd MASTER with adverts_rejected_by.auth > 0: $STATE"
		return 0
	fi
	# keepalived 2.2.7's line for a PASS mismatch (vrrp.c, vrrp_check_packet())
	if ! grep -qF "received an invalid passwd" "${TOPO_KA_LOG[$B]}"; then
		fail $t "keepalived logged no authentication failure: $(tail -5 "${TOPO_KA_LOG[$B]}")"
		return 0
	fi
	pass $t "wrong password: xlbd MASTER refusing $auth adverts (auth), keepalived MASTER" \
		"logging '$(grep -F "invalid passwd" "${TOPO_KA_LOG[$B]}" | head -1 | sed 's/.*: //')'"
}

[[ ${BASH_SOURCE[0]} != "$0" ]] ||
	tier_main "${@:-test_ka2_xlbd_master test_ka2_keepalived_master test_ka2_wrong_password}"
