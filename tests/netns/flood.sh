#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The flood tier: a SYN flood must not empty the connection table. The client floods the VIP
# with spoofed SYNs from random sources in 198.51.100.0/24 (build/xlb-synflood: raw frames
# straight to the dispatcher's MAC); real connections through the VIP must keep their backends
# across it. On the one-dispatcher topology, and on the pair topology and helpers of
# tests/netns/failover.sh (sourced, so its tests are defined but only this file's run).
#
#   test_flood_idle_conns      one dispatcher: 100 idle connections, the backend set changed, a
#                              flood; all 100 then answer from their first backend, none reset
#   test_flood_pair_failover   a pair (failover.sh's): 50 connections open during a flood, the
#                              backend set changed, A's link cut; all 50 answer through B from
#                              their first backend, none reset, and no sync event was lost
#
# Both keep the connections idle (xlb-http hold --idle) from their first reply until after the
# flood (and the failover): an idle entry has no LRU reference bit to protect it, and a request
# after the event is what shows the entry was kept. The backend set changes before the flood so
# that a lost entry would show: Maglev would now send part of the connections elsewhere, where
# the backend answers with a reset.
#
#   tests/netns/flood.sh [test_name ...]     (default: both)
#
# Environment: BUILD (build dir, default build/), XLB_RUN_ID (run id prefix, default $$),
# FLOOD_SYNS (SYNs per flood, default 524288: twice XLB_MAX_CONNS, so a data path that took
# an entry for each SYN would have pushed every real connection out of the table).
set -u

TIER=${TIER:-flood}
# shellcheck source=tests/netns/failover.sh
. "$(dirname "${BASH_SOURCE[0]}")/failover.sh"
XLB_SYNFLOOD=$BUILD/xlb-synflood
FLOOD_SYNS=${FLOOD_SYNS:-524288}
FLOOD_NET=198.51.100.0/24
# The backends keep a silent connection for a minute (xlb-http's default, 5 s, is shorter than a
# flood here): tools/topology.sh reads it.
TOPO_SERVE_IDLE_MS=60000
HOLD_IV=100		# ms: the connections' first requests are spread over it

# ---- helpers -----------------------------------------------------------------------------------

# flood_start MAC: FLOOD_SYNS spoofed SYNs from the client to the IPv4 VIP's port 80, sent to MAC,
# in the background (FLOOD_PID).
flood_start()
{
	FLOOD_OUT=$TMP/flood-$SEQ.json
	client_bg "$FLOOD_OUT" "$TMP/flood-$SEQ.err" "$XLB_SYNFLOOD" --dev eth0 \
		--dst "$TOPO_VIP4:80" --dst-mac "$1" --src-net "$FLOOD_NET" --count "$FLOOD_SYNS" \
		--seed "$SEQ" --json
	FLOOD_PID=$BG_PID
}

# flood_wait: wait for the flood; FLOOD_MS and FLOOD_RATE (frames/s). 1 (why in FLOOD_WHY) when
# not every frame went.
flood_wait()
{
	local out

	bg_wait "$FLOOD_PID"
	out=$(cat "$FLOOD_OUT")
	FLOOD_MS=$(json_num ms <<<"$out")
	FLOOD_RATE=$(json_num frames_per_s <<<"$out")
	if [ "$(json_num frames <<<"$out")" != "$FLOOD_SYNS" ]; then
		FLOOD_WHY="xlb-synflood: $out $(cat "$TMP/flood-$SEQ.err")"
		return 1
	fi
}

# hold_idle_start NAME N: N connections from the client to the VIP, silent after their first
# reply until hold_wake (xlb-http hold --idle); their first backends in HOLD_UP ("b1 52, b2 48").
# FAIL NAME and 1 when they are not all up.
hold_idle_start()
{
	HOLD_OUT=$TMP/hold-$SEQ.json
	HOLD_ERR=$TMP/hold-$SEQ.err
	if ! hold_start "$2" 100000 $HOLD_IV "$HOLD_OUT" "$HOLD_ERR" --idle; then
		fail "$1" "hold: not all $2 connections up: $(cat "$HOLD_ERR")"
		return 1
	fi
	HOLD_UP=$(sed -n 's/.*connections up (\(.*\))$/\1/p' "$HOLD_ERR")
}

# hold_wake NAME N: one more request on each of hold_idle_start's N connections, then its report:
# every one answered by its first backend (failover.sh's hold_check, 2 replies), none reset.
# SURVIVED: how many were. FAIL NAME and 1 if not all.
hold_wake()
{
	local hold resets

	kill -USR1 "$HOLD_PID"
	bg_wait "$HOLD_PID"
	hold=$(cat "$HOLD_OUT")
	if [ -z "$(json_num conns <<<"$hold")" ]; then
		SURVIVED=0
		fail "$1" "hold printed no summary: $hold $(cat "$HOLD_ERR")"
		return 1
	fi
	if ! hold_check "$hold" 2 || ((SURVIVED != $2)); then
		resets=$(json_num resets <<<"$hold")
		fail "$1" "$SURVIVED of $2 connections kept their backend, $resets reset," \
			"$(json_num switched <<<"$hold") switched (before: $HOLD_UP); the others:" \
			"$HOLD_BAD"
		return 1
	fi
}

# wait_bulk NODE: until NODE has received its bulk sync (2 s at most).
wait_bulk()
{
	local i=0

	until [ "$(sync_field "$1" bulk_received)" = 1 ]; do
		((++i < 100)) || return 1
		sleep 0.02
	done
}

# reload NAME NODE: xlbctl reload on NODE. FAIL NAME and 1 unless it says ok.
reload()
{
	local out

	out=$(topo_xlbctl "$ID" "$2" --json reload 2>&1)
	if [[ $out != *'"ok":true'* ]]; then
		fail "$1" "xlbctl reload on $2: $out"
		return 1
	fi
}

# conns_of NODE: the entries in NODE's connection table (xlbctl --json stats).
conns_of()
{
	topo_xlbctl "$ID" "$1" --json stats 2>/dev/null | json_num conns
}

# sync_lost NODE: the flow sync events NODE's data path could not queue for xlbd (the
# program's sync_lost, in its .bss: no xlbctl figure has it), by bpftool.
sync_lost()
{
	local prog map

	prog=$(topo_exec "$ID" "$1" ip -d link show dev eth0 |
	       sed -n 's/.*prog\/xdp id \([0-9]*\).*/\1/p')
	[ -n "$prog" ] || return 1
	for map in $(bpftool prog show id "$prog" --json | grep -o '"map_ids":\[[0-9,]*\]' |
		     grep -o '[0-9]*'); do
		bpftool map show id "$map" --json | grep -q '"name":"[^"]*\.bss"' || continue
		bpftool map dump id "$map" --json | grep -o '"sync_lost":[0-9]*' | grep -o '[0-9]*$'
		return 0
	done
	return 1
}

# vip_packets NAME: the packets VIP NAME saw on the dispatcher's data path (xlbctl --json vips).
vip_packets()
{
	topo_xlbctl "$ID" dispatcher --json vips 2>/dev/null | json_objects |
		grep -F "\"name\":\"$1\"" | json_num packets
}

# flood_config FILE BACKENDS: the one-dispatcher config: the IPv4 VIP web over BACKENDS, and the
# IPv6 VIP web6 over b1..b3 for the IPv6 frames' check.
flood_config()
{
	local vip6 b

	vip6=$(printf '  - name: web6\n    address: %s\n    port: 80\n    protocol: tcp\n' \
		"$TOPO_VIP6"
	       echo "    backends:"
	       for b in $TOPO_BACKENDS; do
		       echo "      - address: ${TOPO_ADDR6[$b]}"
	       done)
	xlb_config "$1" what="a flood beside idle connections" backends="$2" extra="$vip6"
}

# flood6_check: FLOOD6_SYNS spoofed SYNs from 2001:db8:5::/48 to the IPv6 VIP: nine tenths at
# least reach web6 and the backends as TCP, none with a bad checksum. FLOOD6 says what came;
# returns 1 if not all that.
FLOOD6_SYNS=10000
flood6_check()
{
	local p0 p1 s0 s1 e0 e1 out

	p0=$(vip_packets web6)
	read -r s0 e0 < <(backends_tcp)
	out=$(topo_exec "$ID" client "$XLB_SYNFLOOD" --dev eth0 --dst "[$TOPO_VIP6]:80" \
		--dst-mac "${TOPO_MAC[dispatcher]}" --src-net 2001:db8:5::/48 \
		--count $FLOOD6_SYNS --seed "$SEQ" --json 2>&1)
	p1=$(vip_packets web6)
	read -r s1 e1 < <(backends_tcp)
	FLOOD6="$FLOOD6_SYNS IPv6 SYNs ($(json_num frames_per_s <<<"$out") frames/s): web6 saw"
	FLOOD6+=" $((p1 - p0)), the backends $((s1 - s0)) TCP segments, $((e1 - e0)) bad checksums"
	((${p1:-0} - ${p0:-0} >= FLOOD6_SYNS * 9 / 10 && s1 - s0 >= FLOOD6_SYNS * 9 / 10 &&
	  e1 == e0))
}

# backends_tcp: "SEGS ERRS", the TCP segments received and those with a bad checksum
# (TcpInSegs, TcpInCsumErrors), summed over b1..b3's kernels.
backends_tcp()
{
	local b segs=0 errs=0 s e

	for b in $TOPO_BACKENDS; do
		# -s: the counters as they are; no history file is read or written.
		read -r s e < <(topo_exec "$ID" "$b" nstat -asz TcpInSegs TcpInCsumErrors |
			awk '$1 == "TcpInSegs" { s = $2 } $1 == "TcpInCsumErrors" { e = $2 }
			     END { print s + 0, e + 0 }')
		segs=$((segs + s)) errs=$((errs + e))
	done
	echo "$segs $errs"
}

# ---- tests -------------------------------------------------------------------------------------

# One dispatcher over b1 and b2; 100 connections through the VIP, idle after their first reply.
# b3 joins by reload (new flows reach it: the Maglev table changed), then FLOOD_SYNS spoofed SYNs
# (nine tenths at least reach the VIP and the backends as TCP, not one with a bad checksum).
# Every connection then answers from the backend it began with; not one reset. Last, the
# generator's IPv6 frames pass the same check (flood6_check).
test_flood_idle_conns()
{
	local t=test_flood_idle_conns n=100 cfg c0 c1 b3 t0 p0 p1 s0 s1 e0 e1

	need $t "$XLBD" "$XLBCTL" "$XLB_HTTP" "$XLB_SYNFLOOD" || return 0
	t0=${EPOCHREALTIME/./}
	SEQ=$((SEQ + 1))
	ID=$RUN-fl$SEQ
	CUR_ID=$ID
	if ! topo_up "$ID"; then
		fail $t "could not build the topology"
		return 0
	fi
	cfg=$TOPO_DIR/flood.yaml
	flood_config "$cfg" "b1 b2"
	start_node $t dispatcher "$cfg" || return 0
	hold_idle_start $t $n || return 0

	flood_config "$cfg" "b1 b2 b3"
	reload $t dispatcher || return 0
	b3=$(topo_exec "$ID" client "$XLB_HTTP" get --url-host "$TOPO_VIP4" --port 80 --count 60 \
		--concurrency 8 --timeout-ms 2000 --json | json_in backends b3)
	if ((${b3:-0} == 0)); then
		fail $t "b3 took none of 60 new flows after it joined: the Maglev table did not change"
		return 0
	fi

	c0=$(conns_of dispatcher)
	p0=$(vip_packets web)
	read -r s0 e0 < <(backends_tcp)
	flood_start "${TOPO_MAC[dispatcher]}"
	flood_wait || { fail $t "$FLOOD_WHY"; return 0; }
	c1=$(conns_of dispatcher)
	p1=$(vip_packets web)
	read -r s1 e1 < <(backends_tcp)
	# The flood reached the data path, and the backends' kernels took it for TCP: good
	# checksums. A tenth is left for frames a busy veth may drop.
	if (((p1 - p0) * 10 < FLOOD_SYNS * 9 || (s1 - s0) * 10 < FLOOD_SYNS * 9 || e1 != e0)); then
		fail $t "of $FLOOD_SYNS SYNs the VIP saw $((p1 - p0)) packets, the backends" \
			"$((s1 - s0)) TCP segments and $((e1 - e0)) bad checksums"
		return 0
	fi
	if ! hold_wake $t $n; then
		echo "  flood: $FLOOD_SYNS SYNs in $FLOOD_MS ms ($FLOOD_RATE frames/s); conns" \
			"$c0 -> $c1 entries" >&2
		return 0
	fi
	if ! flood6_check; then
		fail $t "$FLOOD6"
		return 0
	fi
	pass $t "$n of $n idle connections kept their backends ($HOLD_UP) through $FLOOD_SYNS" \
		"spoofed SYNs ($FLOOD_MS ms, $FLOOD_RATE frames/s; the VIP saw $((p1 - p0))," \
		"the backends $((s1 - s0)) TCP segments, 0 bad checksums) after b3 joined (it" \
		"took $b3 of 60 new flows); conns $c0 -> $c1 entries; then $FLOOD6;" \
		"$(((${EPOCHREALTIME/./} - t0) / 1000)) ms"
}

# The pair, A MASTER with flow sync to B. FLOOD_SYNS spoofed SYNs to A; while they come, 50
# connections open through A, idle after their first reply. The flood over, b1's weight goes
# 100 -> 300 on both nodes (Maglev would move part of the connections), then A's link goes down.
# B MASTER, every connection answers through B from the backend it began with, none reset; B
# scheduled not one of them anew, and neither A's data path (sync_lost) nor the channel
# (lost_datagrams) lost a sync event.
test_flood_pair_failover()
{
	local t=test_flood_pair_failover n=50 inst0 inst1 w0 w1 nf0 nf1 lost_a lost_b t0 during
	local c0 c1

	need $t "$XLBD" "$XLBCTL" "$XLB_HTTP" "$XLB_SYNFLOOD" || return 0
	t0=${EPOCHREALTIME/./}
	pair_up $t || return 0
	wait_bulk $B
	inst0=$(sync_field $B installed_flows)
	w0=$(b1_share)

	c0=$(conns_of $B)
	flood_start "$(client_vip_mac)"
	sleep 0.2
	hold_idle_start $t $n || return 0
	during=no
	kill -0 "$FLOOD_PID" 2>/dev/null && during=yes
	flood_wait || { fail $t "$FLOOD_WHY"; return 0; }
	if [ $during != yes ]; then
		fail $t "the flood ($FLOOD_MS ms) was over before the $n connections were up"
		return 0
	fi
	c1=$(conns_of $B)
	inst1=$(sync_field $B installed_flows)
	lost_a=$(sync_lost $A)
	# The channel's losses show a little after the flood: let the last datagrams come.
	sleep 0.3
	lost_b=$(sync_field $B lost_datagrams)

	write_pair_config "$CFG_A" 150 "${TOPO_ADDR4[$A]}" "${TOPO_ADDR4[$B]}" true 300
	write_pair_config "$CFG_B" 100 "${TOPO_ADDR4[$B]}" "${TOPO_ADDR4[$A]}" true 300
	reload $t $A || return 0
	reload $t $B || return 0
	w1=$(b1_share)
	if ((${w1:-0} <= ${w0:-0} + 30)); then
		fail $t "b1 took $w0 of 300 new flows before its weight went 100 -> 300 and $w1" \
			"after: the reload did not change the Maglev table"
		return 0
	fi

	nf0=$(vip_new_flows $B)
	cut_a_link $t || return 0
	if ! hold_wake $t $n; then
		echo "  flood: $FLOOD_SYNS SYNs in $FLOOD_MS ms ($FLOOD_RATE frames/s); B's conns" \
			"$c0 -> $c1 entries, B installed $((inst1 - inst0)) synced flows;" \
			"sync_lost on A ${lost_a:-?}, lost_datagrams on B ${lost_b:-?}" >&2
		return 0
	fi
	nf1=$(vip_new_flows $B)
	if [ "$nf1" != "$nf0" ]; then
		fail $t "B scheduled $((nf1 - nf0)) new flows after the failover; want 0 (every" \
			"connection by its synced binding)"
		return 0
	fi
	if [ "${lost_a:-x}" != 0 ] || [ "${lost_b:-x}" != 0 ]; then
		fail $t "sync events lost: sync_lost on A ${lost_a:-?}, lost_datagrams on B" \
			"${lost_b:-?}; B installed $((inst1 - inst0)) synced flows"
		return 0
	fi
	pass $t "$n of $n connections opened during $FLOOD_SYNS spoofed SYNs ($FLOOD_MS ms," \
		"$FLOOD_RATE frames/s) kept their backends ($HOLD_UP) through b1's weight" \
		"100 -> 300 ($w0 -> $w1 of 300) and A's link going down (B MASTER after" \
		"$TAKE_MS ms); B installed $((inst1 - inst0)) synced flows, 0 lost; B's conns" \
		"$c0 -> $c1; $(((${EPOCHREALTIME/./} - t0) / 1000)) ms"
}

[[ ${BASH_SOURCE[0]} != "$0" ]] ||
	tier_main "${@:-test_flood_idle_conns test_flood_pair_failover}"
