#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Flow sync of connection states and persistence templates (sync wire version 3), in the pair
# topology of failover.sh (whose helpers it sources): what the standby's maps hold, read with
# bpftool from its pins, and where a client goes once the standby has taken over.
#
#   test_sync_bulk_states_templates   A's conns and templates written straight into its pins
#     (flows in each state, templates of three clients); B starts, takes the bulk, and holds every
#     flow with its state byte and every template, in B's own VIP and backend ids.
#   test_sync_live_states_templates   a persistent VIP (persistence_timeout): the client's GETs
#     through A make A's data path report the flows' states and the client's template; B holds
#     them (a CLOSING state byte in its conns, the client's template); after A's link goes down,
#     the client's new connections go to the backend A gave it. This needs the data path that
#     produces state and template events and the persistence config (issue 10's other slices):
#     alone on the sync slice's branch it fails at xlbd's start (no rr, no persistence_timeout).
#
#   tests/netns/sync_states.sh [test_name ...]     (default: both)
set -u

TIER=${TIER:-sync_states}
# shellcheck source=tests/netns/failover.sh
. "$(dirname "${BASH_SOURCE[0]}")/failover.sh"

SYNC_STATES_TESTS="test_sync_bulk_states_templates test_sync_live_states_templates"

# map_bytes FIELD < JSON: the first "FIELD":[...] byte array of bpftool -j output, as bare hex.
map_bytes()
{
	grep -o "\"$1\":\[[^]]*\]" | head -n1 | sed 's/^[^[]*\[//; s/\]$//; s/"0x//g; s/"//g; s/,/ /g'
}

# map_get NODE PIN KEY...: the value (bare hex bytes) under KEY in the map pinned at PIN.
map_get()
{
	local node=$1 pin=$2

	shift 2
	topo_exec "$ID" "$node" bpftool -j map lookup pinned "$pin" key hex "$@" 2>/dev/null |
		map_bytes value
}

# map_put NODE PIN KEY_BYTES VALUE_BYTES (each one word of bare hex bytes, space-separated).
map_put()
{
	# shellcheck disable=SC2086 # the byte lists split into bpftool's arguments
	topo_exec "$ID" "$1" bpftool map update pinned "$2" key hex $3 value hex $4
}

# addr4_hex A.B.C.D: its four bytes as bare hex, network order.
addr4_hex()
{
	local IFS=.

	# shellcheck disable=SC2086
	printf '%02x %02x %02x %02x' $1
}

# wait_bulk NODE TIMEOUT_S: until NODE's sync reports a bulk received whole.
wait_bulk()
{
	local i

	for ((i = 0; i < $2 * 10; i++)); do
		[ "$(sync_field "$1" bulk_received)" = 1 ] && return 0
		sleep 0.1
	done
	return 1
}

# A's conns and templates are written by hand (the first flow of A's conns copied, in each state,
# and three clients' templates of its VIP and backend); a backup that starts afterwards holds all
# of them after its bulk sync, each flow with its state, each template under B's own ids.
test_sync_bulk_states_templates()
{
	local t=test_sync_bulk_states_templates pinA pinB s i key val k v bv tk tv got n=0

	need $t "$XLBD" "$XLBCTL" "$XLB_HTTP" || return 0
	master_with_a_flow $t || return 0
	pinA=$(topo_node_pin_dir "$A")
	pinB=$(topo_node_pin_dir "$B")
	val=$(topo_exec "$ID" $A bpftool -j map dump pinned "$pinA/eth0/conns" 2>/dev/null)
	key=$(map_bytes key <<<"$val")
	val=$(map_bytes value <<<"$val")
	read -ra k <<<"$key"
	read -ra v <<<"$val"
	if ((${#k[@]} != 40 || ${#v[@]} != 16)); then
		fail $t "A's conns holds no flow to copy (key '$key', value '$val')"
		return 0
	fi
	# struct xlb_flow: sport at 32-33; struct xlb_conn: vip_id at 4-5, state at 6.
	for s in 0 1 2; do
		map_put $A "$pinA/eth0/conns" "${k[*]:0:32} ee 0$s ${k[*]:34}" \
			"${v[*]:0:6} 0$s ${v[*]:7}" || { fail $t "bpftool update of A's conns"; return 0; }
	done
	# struct xlb_template_key: client (IPv4 in bytes 0-3), vip_id (u32), family, pad[3];
	# struct xlb_template: backend, pad, last_seen (the flow's: fresh).
	for i in 1 2 3; do
		map_put $A "$pinA/templates" \
			"${k[*]:0:3} f$i ${k[*]:4:12} ${v[4]} ${v[5]} 00 00 ${k[37]} 00 00 00" \
			"${v[*]:0:4} 00 00 00 00 ${v[*]:8}" ||
			{ fail $t "bpftool update of A's templates"; return 0; }
	done

	start_node $t $B "$CFG_B" || return 0
	if ! wait_bulk $B 10; then
		fail $t "B took no whole bulk within 10 s: $STATE"
		return 0
	fi
	for s in 0 1 2; do
		# shellcheck disable=SC2048,SC2086 # the byte lists split into bpftool's arguments
		got=$(map_get $B "$pinB/eth0/conns" ${k[*]:0:32} ee 0$s ${k[*]:34})
		read -ra bv <<<"$got"
		if [ "${bv[6]:-}" != "0$s" ]; then
			fail $t "B's conns entry of the flow A holds in state $s: '$got', want state" \
				"byte 0$s"
			return 0
		fi
	done
	# B's own ids: those of the copied flow as B installed it.
	got=$(map_get $B "$pinB/eth0/conns" "${k[@]}")
	read -ra bv <<<"$got"
	if ((${#bv[@]} != 16)); then
		fail $t "B's conns lacks the flow A copied from: '$got'"
		return 0
	fi
	for i in 1 2 3; do
		tk="${k[*]:0:3} f$i ${k[*]:4:12} ${bv[4]} ${bv[5]} 00 00 ${k[37]} 00 00 00"
		# shellcheck disable=SC2086
		got=$(map_get $B "$pinB/templates" $tk)
		read -ra tv <<<"$got"
		if [ "${tv[*]:0:4}" != "${bv[*]:0:4}" ]; then
			fail $t "B's template of client .$((0xf$i)): '$got', want backend ${bv[*]:0:4}" \
				"(B's id of the flow's backend)"
			return 0
		fi
		n=$((n + 1))
	done
	got=$(sync_field $B installed_templates)
	if ((${got:-0} < 3)); then
		fail $t "B's sync reports ${got:-0} templates installed, want >= 3: $STATE"
		return 0
	fi
	pass $t "B's bulk: 3 flows with state bytes 00/01/02 and $n templates under B's ids" \
		"(installed_templates $got; bulk $(sync_field $B bulk_last_flows) records in" \
		"$(sync_field $B bulk_last_ms) ms)"
}

# write_persist_config FILE PRIORITY SELF PEER: the pair's config with a persistent rr VIP: rr
# spreads a client's connections over the backends, persistence keeps them on one.
write_persist_config()
{
	xlb_config "$1" what="one of a pair, persistent VIP" sched=rr fwd=dr \
		backends="b1 b2 b3" vrid=51 priority="$2" preempt=true sync="$3:8849=$4:8849" \
		extra="    persistence_timeout: 600s"
}

# backends_of JSON: the backends an xlb-http get's report names ("b1 b2" ...).
backends_of()
{
	sed -n 's/.*"backends":{\([^}]*\)}.*/\1/p' | grep -o '"[^"]*":' | tr -d '":' | tr '\n' ' '
}

# The client's connections through A set its template (persistent VIP) and close (CLOSING); A's
# data path reports both, live; B holds them; after A's link goes down the client's new
# connections through B go to the backend of the synced template.
test_sync_live_states_templates()
{
	local t=test_sync_live_states_templates pinB before after c dump got

	need $t "$XLBD" "$XLBCTL" "$XLB_HTTP" || return 0
	topo_pair $t || return 0
	write_persist_config "$CFG_A" 150 "${TOPO_ADDR4[$A]}" "${TOPO_ADDR4[$B]}"
	write_persist_config "$CFG_B" 100 "${TOPO_ADDR4[$B]}" "${TOPO_ADDR4[$A]}"
	start_master $t || return 0
	start_node $t $B "$CFG_B" || return 0
	expect_vrrp $t $B BACKUP 2000 "B is not BACKUP of A within 2 s" || return 0
	wait_bulk $B 10 || { fail $t "B took no whole bulk within 10 s: $STATE"; return 0; }
	topo_exec "$ID" client ping -c 1 -W 1 "$TOPO_VIP4" >/dev/null 2>&1

	before=$(topo_exec "$ID" client "$XLB_HTTP" get --url-host "$TOPO_VIP4" --port 80 \
		--count 3 --timeout-ms 2000 --json 2>&1 | backends_of)
	before=${before% }
	if [ -z "$before" ] || [ "${before// /}" != "$before" ]; then
		fail $t "the client's 3 GETs through A went to '$before', want one backend" \
			"(persistence)"
		return 0
	fi
	sleep 0.5 # the live flush is 10 ms; the client's FINs came after the replies
	pinB=$(topo_node_pin_dir $B)
	c=$(addr4_hex "${TOPO_ADDR4[client]}")
	dump=$(topo_exec "$ID" $B bpftool -j map dump pinned "$pinB/templates" 2>/dev/null)
	if ! grep -q "\"key\":\[\"0x${c// /\",\"0x}\"" <<<"$dump"; then
		fail $t "B's templates hold no template of the client ${TOPO_ADDR4[client]}: $dump"
		return 0
	fi
	dump=$(topo_exec "$ID" $B bpftool map dump pinned "$pinB/eth0/conns" 2>/dev/null)
	if ! grep -q '"state": 1,' <<<"$dump"; then
		fail $t "B's conns holds no flow in state 1 (CLOSING) after the client's GETs closed"
		return 0
	fi
	got=$(sync_field $B installed_templates)

	cut_a_link $t || return 0
	after=$(topo_exec "$ID" client "$XLB_HTTP" get --url-host "$TOPO_VIP4" --port 80 \
		--count 3 --timeout-ms 2000 --json 2>&1 | backends_of)
	after=${after% }
	if [ "$after" != "$before" ]; then
		fail $t "after the failover the client's GETs went to '$after', want '$before'" \
			"(the synced template's backend)"
		return 0
	fi
	pass $t "the client's template ($before) and a CLOSING flow reached B live" \
		"(installed_templates ${got:-?}); after the failover (B MASTER in $TAKE_MS ms) its" \
		"new connections went to $after again"
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
	# shellcheck disable=SC2086 # the default list splits into test names
	if (($#)); then tier_main "$@"; else tier_main $SYNC_STATES_TESTS; fi
fi
