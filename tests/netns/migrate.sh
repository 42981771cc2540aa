#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Migrating a keepalived pair to xlbd: issue 11's seed keepalived.conf
# (tests/data/keepalived-import/seed.conf: VRRP for the VIP on eth0 and for the backends'
# gateway on eth1 in one sync group, a wlc NAT virtual server with persistence over three real
# servers on the second subnet) is imported by `xlbctl import-keepalived` inside each dispatcher's
# namespace (node B: the same file with `state BACKUP` and `priority 100`), checked by
# `xlbd --check`, and run unedited by a pair of xlbd. Then, through the VIP, from several client
# addresses: every request is answered through NAT (the backends see the client's own address);
# one client's connections stay on one backend (persistence); new long-lived connections go to
# the least-connected backends (wlc); and when the master's client-side link goes down the backup
# takes the VIP and the gateway, and every long-lived connection goes on through it on its
# backend. Flow sync, which the seed lacks (keepalived would lose the connections: no
# lvs_sync_daemon), comes from the importer's --sync-peer and --sync-key. The two
# vrrp_instances become two of xlbd's in a sync group; the checks read what the pair does (every
# instance's state, where each address is), not the YAML.
#
# On the pair topology of tests/netns/failover.sh and the backends' segment of
# tests/netns/nat_pair.sh (sourced, so their tests are defined but only this file's run), with
# the addresses moved where the seed has them: the dispatchers' eth0 holds 203.0.113.2 (A) and .3
# (B) beside the topology's own, their eth1 198.51.100.2 and .3/24; the real servers n1 n2 n3 at
# 198.51.100.11-13 serve port 8080 and route through the gateway 198.51.100.1.
#
#   tests/netns/migrate.sh [test_name ...]     (default: this file's tests)
#
# Environment: BUILD (build dir, default build/), XLB_RUN_ID (run id prefix, default $$).
set -u

TIER=${TIER:-migrate}
# shellcheck source=tests/netns/nat_pair.sh
. "$(dirname "${BASH_SOURCE[0]}")/nat_pair.sh"

SEED=$ROOT/tests/data/keepalived-import/seed.conf
# Where the seed has them: the backends' subnet a /24, the real servers on port 8080.
GW_NET4=198.51.100.0/24
TOPO_NET2_4=$GW_NET4
TOPO_PORT[n1]=8080 TOPO_PORT[n2]=8080 TOPO_PORT[n3]=8080
# The servers keep a silent connection through a takeover: advert_int 1 makes it up to ~3.6 s
# (B's Master_Down_Interval; a sync group's priority-0 advert from A's other member shortens it),
# and a client's retransmissions back off beyond that.
TOPO_SERVE_IDLE_MS=30000
declare -gA EDGE4=([$A]=203.0.113.2 [$B]=203.0.113.3) # the dispatchers' client-side addresses
KA_TAKE_MS=8000 # a takeover's deadline at advert_int 1: Master_Down_Interval 3.6 s and some
HEALTH_MS=15000 # the backends up on both: delay_loop 6, rise 1, and xlbd's start

# client_src ADDR: the client's connections to the VIP leave from ADDR from now on (one already
# open keeps its own); ADDR is added to the client's eth0 first if it is not there.
client_src()
{
	if ! ip -n "$TOPO_NS_CLIENT" -4 -o addr show dev eth0 | grep -q " inet $1/"; then
		ip -n "$TOPO_NS_CLIENT" addr add "$1/24" dev eth0 || return 1
	fi
	ip -n "$TOPO_NS_CLIENT" route replace "$TOPO_VIP4/32" dev eth0 src "$1"
}

# mig_topology NAME: the pair topology, the dispatchers' client-side addresses, the backends'
# segment with n1 n2 n3. FAIL NAME and 1 if it cannot be built.
mig_topology()
{
	local node

	topo_pair "$1" || return 1
	for node in $A $B; do
		if ! ip -n "$(topo_ns "$ID" "$node")" addr add "${EDGE4[$node]}/24" dev eth0; then
			fail "$1" "cannot add ${EDGE4[$node]} to $node's eth0"
			return 1
		fi
	done
	if ! nat_segment || ! _topo_add_nat_backend "$ID" n3 || ! _topo_wait_servers "$ID" n3; then
		fail "$1" "the backends' segment: ${WHY:-n3 does not serve}"
		return 1
	fi
}

# mig_import NAME NODE CONF OUT PEER: import CONF inside NODE's namespace into OUT, with flow
# sync to PEER, and `xlbd --check` it there. FAIL NAME and 1 if either refuses.
mig_import()
{
	local name=$1 node=$2 conf=$3 out=$4 peer=$5 ns rc

	ns=$(topo_ns "$ID" "$node")
	ip netns exec "$ns" "$XLBCTL" import-keepalived --sync-peer "$peer" --sync-key "$KEY" \
		"$conf" >"$out" 2>"$out.err"
	rc=$?
	if [ $rc != 0 ] && [ $rc != 3 ]; then
		fail "$name" "import-keepalived on $node exited $rc: $(head -c 600 "$out.err")"
		return 1
	fi
	if ! ip netns exec "$ns" "$XLBD" --check -c "$out" >"$out.check" 2>&1; then
		fail "$name" "xlbd --check refuses $node's imported config:" \
			"$(head -c 600 "$out.check")"
		return 1
	fi
	echo "  $node: imported (exit $rc, warnings: $(wc -l <"$out.err")), xlbd --check ok"
}

# ---- what the pair says, whatever the number of VRRP instances ---------------------------------

# vrrp_states NODE: every VRRP state word (MASTER, BACKUP, FAULT, INIT) in NODE's
# `xlbctl --json state`, one instance or several, in VSTATES; the shortest in_state_ms in
# VSINCE_MS (when the last of them changed). The backends' states are lower case.
vrrp_states()
{
	STATE=$(topo_xlbctl "$ID" "$1" --json state 2>&1)
	VSTATES=$(grep -oE '"state":"[A-Z]+"' <<<"$STATE" | cut -d'"' -f4 | paste -sd' ')
	VSINCE_MS=$(grep -oE '"in_state_ms":[0-9]+' <<<"$STATE" | cut -d: -f2 | sort -n | head -1)
}

# all_vrrp NODE WANT: is every VRRP instance of NODE in state WANT (and there is one)?
all_vrrp()
{
	local s

	vrrp_states "$1"
	[ -n "$VSTATES" ] || return 1
	for s in $VSTATES; do
		[ "$s" = "$2" ] || return 1
	done
}

# wait_all_vrrp NODE WANT MS: until all_vrrp NODE WANT, for at most MS ms; SINCE_US: when the
# last instance got there, by xlbd's in_state_ms.
wait_all_vrrp()
{
	local end=$((${EPOCHREALTIME/./} + $3 * 1000))

	until all_vrrp "$1" "$2"; do
		((${EPOCHREALTIME/./} > end)) && return 1
		sleep 0.01
	done
	SINCE_US=$((${EPOCHREALTIME/./} - ${VSINCE_MS:-0} * 1000))
}

# backends_up NODE: how many of the VIP's backends NODE's xlbd has up.
backends_up()
{
	topo_xlbctl "$ID" "$1" --json state 2>/dev/null | grep -oE '"state":"up"' | wc -l
}

# ---- clients -----------------------------------------------------------------------------------

# access_marks: each real server's access log length now, in MARK[nN].
access_marks()
{
	local n

	declare -gA MARK=()
	for n in $TOPO_NAT_BACKENDS; do
		MARK[$n]=$(wc -l <"$TOPO_DIR/$n.access" 2>/dev/null || echo 0)
	done
}

# access_since NODE: what nN's server logged since access_marks ("ADDR PORT" a request).
access_since()
{
	tail -n +$((${MARK[$1]:-0} + 1)) "$TOPO_DIR/$1.access" 2>/dev/null
}

# mig_hold NAME SRC N: N long-lived connections from client address SRC (xlb-http hold, a
# request every 300 ms until stopped, each allowed 10 s: a takeover and TCP's backoff); its pid in
# HOLDS[SRC], its report in $TMP/hold-SRC.json; the backends that answered them in HELD ("nK C"
# ...). FAIL NAME and 1 unless all are up within 5 s.
mig_hold()
{
	local name=$1 src=$2 n=$3 err=$TMP/hold-$2.err i

	client_src "$src" || { fail "$name" "cannot make $src a client address"; return 1; }
	client_bg "$TMP/hold-$src.json" "$err" "$XLB_HTTP" hold --url-host "$TOPO_VIP4" \
		--port 80 --conns "$n" --duration-ms 60000 --interval-ms 300 --timeout-ms 10000 \
		--json
	HOLDS[$src]=$BG_PID
	for ((i = 0; i < 250; i++)); do
		if grep -q "hold: $n of $n connections up" "$err" 2>/dev/null; then
			HELD=$(sed -n 's/.*connections up (\(.*\))$/\1/p' "$err" | tr -d ,)
			return 0
		fi
		sleep 0.02
	done
	fail "$name" "not all $n connections from $src up through the VIP: $(cat "$err")"
	return 1
}

# ---- the pair ----------------------------------------------------------------------------------

# mig_pair_up NAME: the topology, the seed imported on A and (made node B's) on B, both xlbd
# running what was imported; A MASTER and B BACKUP of every instance, the VIP and the gateway on
# A only, the three backends up on both, B's bulk sync done. FAIL NAME and 1 if not.
mig_pair_up()
{
	local name=$1 conf_b i

	mig_topology "$name" || return 1
	# Node B of the pair, as its admin would make it.
	conf_b=$TOPO_DIR/seed-b.conf
	sed -e 's/^\( *state \)MASTER$/\1BACKUP/' -e 's/^\( *priority \)150$/\1100/' \
		"$SEED" >"$conf_b"
	if [ "$(grep -cE '^ *(state BACKUP|priority 100)$' "$conf_b")" != 4 ]; then
		fail "$name" "node B's keepalived.conf: want 2 x state BACKUP, 2 x priority 100"
		return 1
	fi
	mig_import "$name" $A "$SEED" "$CFG_A" "${ETH1_ADDR4[$B]}" || return 1
	mig_import "$name" $B "$conf_b" "$CFG_B" "${ETH1_ADDR4[$A]}" || return 1
	start_node "$name" $A "$CFG_A" || return 1
	start_node "$name" $B "$CFG_B" || return 1
	if ! wait_all_vrrp $A MASTER $KA_TAKE_MS || ! wait_all_vrrp $B BACKUP 2000; then
		vrrp_states $A
		i=$VSTATES
		vrrp_states $B
		fail "$name" "want A all MASTER, B all BACKUP: A $i, B $VSTATES"
		return 1
	fi
	vrrp_states $A
	echo "  VRRP: A $VSTATES (since ${VSINCE_MS} ms), B $(vrrp_states $B && echo "$VSTATES")"
	if ! wait_vip_where A 1000 || ! wait_gw_where $A 1000; then
		fail "$name" "want the VIP and the gateway $GW4 on A only: VIP on $(vip_where)," \
			"gateway on '$WHERE'"
		return 1
	fi
	for ((i = 0; i < HEALTH_MS / 50; i++)); do
		[ "$(backends_up $A)" = 3 ] && [ "$(backends_up $B)" = 3 ] && break
		sleep 0.05
	done
	if [ "$(backends_up $A)" != 3 ] || [ "$(backends_up $B)" != 3 ]; then
		fail "$name" "backends up after $((HEALTH_MS / 1000)) s: A $(backends_up $A)," \
			"B $(backends_up $B), want 3 each"
		return 1
	fi
	for ((i = 0; i < 250; i++)); do
		[ "$(sync_field $B bulk_received)" = 1 ] && return 0
		sleep 0.02
	done
	fail "$name" "B's bulk sync from A not received within 5 s: $STATE"
	return 1
}

# mig_nat NAME: 60 requests, 12 from each of 5 client addresses (each a connection of its own):
# all answered by the real servers, each address's by one server (persistence), and each server
# saw the client's own address (NAT, not SNAT). NAT_DIST: who answered whom. FAIL NAME, 1 if not.
mig_nat()
{
	local name=$1 k src out got be seen n lines re='^203\.0\.113\.(1[1-5]|2[1-5]) '

	NAT_DIST=
	access_marks
	for k in 21 22 23 24 25; do
		src=203.0.113.$k
		client_src "$src" || { fail "$name" "cannot make $src a client address"; return 1; }
		out=$(topo_exec "$ID" client "$XLB_HTTP" get --url-host "$TOPO_VIP4" --port 80 \
			--count 12 --concurrency 1 --timeout-ms 2000 --json)
		got=$(sed -n 's/.*"backends":{\([^}]*\)}.*/\1/p' <<<"$out" | tr -d '"')
		if [ "$(json_num ok <<<"$out")" != 12 ]; then
			fail "$name" "NAT: of 12 requests from $src, $(json_num ok <<<"$out")" \
				"answered: $out"
			return 1
		fi
		if [[ ! $got =~ ^n[123]:12$ ]]; then
			fail "$name" "persistence: the 12 connections of $src went to '$got'," \
				"want one real server (n1..n3) for all"
			return 1
		fi
		be=${got%%:*}
		seen=$(access_since "$be" | grep -c "^$src ")
		if [ "$seen" != 12 ]; then
			fail "$name" "NAT: $be logged $seen requests from $src, want 12 (the client's" \
				"own address, not the dispatcher's)"
			return 1
		fi
		NAT_DIST+="$src->$be "
	done
	for n in $TOPO_NAT_BACKENDS; do
		# The long-lived connections' (203.0.113.11-15) go on meanwhile.
		lines=$(access_since "$n" | grep -vE "$re")
		if [ -n "$lines" ]; then
			fail "$name" "NAT: $n logged requests from other addresses than the" \
				"clients': $(head -3 <<<"$lines" | tr '\n' ';')"
			return 1
		fi
	done
}

# mig_wlc NAME: client X holds 3 long-lived connections, all on one server bX (persistence);
# then Y's one goes to another (least connected: 0 against 3), Z's to the third (0 against 3
# and 1). WLC_DIST: the distribution. FAIL NAME and 1 if not.
mig_wlc()
{
	local name=$1 x=203.0.113.11 y=203.0.113.12 z=203.0.113.13 bx by bz

	mig_hold "$name" $x 3 || return 1
	if [[ ! $HELD =~ ^(n[123])\ 3$ ]]; then
		fail "$name" "persistence: X ($x)'s 3 connections went to '$HELD', want one server"
		return 1
	fi
	bx=${BASH_REMATCH[1]}
	mig_hold "$name" $y 1 || return 1
	by=${HELD% 1}
	if [[ ! $HELD =~ ^n[123]\ 1$ ]] || [ "$by" = "$bx" ]; then
		fail "$name" "wlc: Y ($y)'s connection went to '$HELD' with X's 3 on $bx, want" \
			"another server"
		return 1
	fi
	mig_hold "$name" $z 1 || return 1
	bz=${HELD% 1}
	if [[ ! $HELD =~ ^n[123]\ 1$ ]] || [ "$bz" = "$bx" ] || [ "$bz" = "$by" ]; then
		fail "$name" "wlc: Z ($z)'s connection went to '$HELD' with X's 3 on $bx and Y's" \
			"on $by, want the third server"
		return 1
	fi
	WLC_DIST="X 3 on $bx, then Y 1 on $by, Z 1 on $bz"
}

# held_conns: every long-lived connection (from the hold clients, 203.0.113.11-15) as the real
# servers logged them, "ADDR PORT SERVER" a line.
held_conns()
{
	local n

	for n in $TOPO_NAT_BACKENDS; do
		grep -E '^203\.0\.113\.1[1-5] ' "$TOPO_DIR/$n.access" | sort -u | sed "s/\$/ $n/"
	done
}

# mig_takeover NAME WANT: with WANT long-lived connections open (mig_hold), A's eth0 goes down:
# B is MASTER of every instance, the VIP and the gateway on B only, and each connection gets
# answers after it, through B, from its own server. TAKE_MS: when B took over after the link
# went down. FAIL NAME and 1 if not.
mig_takeover()
{
	local name=$1 want=$2 conns c i n left moved inst src rep end

	conns=$(held_conns)
	if [ "$(wc -l <<<"$conns")" != "$want" ] ||
	   [ "$(cut -d' ' -f1,2 <<<"$conns" | sort -u | wc -l)" != "$want" ]; then
		fail "$name" "the servers logged these long-lived connections, want $want each on" \
			"one: $(tr '\n' ';' <<<"$conns")"
		return 1
	fi
	for ((i = 0; i < 100; i++)); do
		inst=$(sync_field $B installed_flows)
		((${inst:-0} >= want)) && break
		sleep 0.02
	done
	if ((${inst:-0} < want)); then
		fail "$name" "B installed ${inst:-0} synced flows, want >= $want before the takeover"
		return 1
	fi

	EV_US=${EPOCHREALTIME/./}
	topo_exec "$ID" $A ip link set eth0 down
	if ! wait_all_vrrp $B MASTER $KA_TAKE_MS; then
		fail "$name" "B not MASTER of every instance $((KA_TAKE_MS / 1000)) s after A's" \
			"link went down: $VSTATES"
		return 1
	fi
	TAKE_MS=$(((SINCE_US - EV_US) / 1000))
	if ! wait_vip_where B 2000 || ! wait_gw_where $B 2000; then
		fail "$name" "after the takeover: VIP on $(vip_where), gateway $GW4 on '$WHERE'" \
			"(eth1); want both on B only"
		return 1
	fi

	vrrp_states $A
	A_AFTER=$VSTATES
	# From here on the client reaches only B (A's eth0 is down) and the servers' gateway is B's.
	access_marks
	end=$((${EPOCHREALTIME/./} + 15000000)) # TCP's backoff: a retransmission ~6.2 s after the cut
	while ((${EPOCHREALTIME/./} < end)); do
		left=
		moved=
		while read -r c; do
			if ! access_since "${c##* }" | grep -qx "${c% *}"; then
				left+="${c% *} on ${c##* }; "
			fi
			for n in $TOPO_NAT_BACKENDS; do
				[ "$n" = "${c##* }" ] && continue
				access_since "$n" | grep -qx "${c% *}" && moved+="${c% *} -> $n; "
			done
		done <<<"$conns"
		[ -z "$left" ] && break
		sleep 0.02
	done
	RESUME_MS=$(((${EPOCHREALTIME/./} - EV_US) / 1000))
	if [ -n "$left$moved" ]; then
		fail "$name" "long-lived connections after the takeover: none answered through B:" \
			"${left:-none}; answered by another server: ${moved:-none}"
		return 1
	fi
	for src in "${!HOLDS[@]}"; do
		kill -TERM "${HOLDS[$src]}" 2>/dev/null
		bg_wait "${HOLDS[$src]}"
		rep=$(cat "$TMP/hold-$src.json")
		if [ -z "$(json_num conns <<<"$rep")" ] || [ "$(json_num failed_conns <<<"$rep")" != 0 ] ||
		   [ "$(json_num switched <<<"$rep")" != 0 ]; then
			fail "$name" "the long-lived connections of $src: $rep $(cat "$TMP/hold-$src.err")"
			return 1
		fi
	done
	i=$(topo_xlbctl "$ID" $B --json stats | json_in nat_reply packets)
	if ((${i:-0} == 0)); then
		fail "$name" "B translated no reply (nat_reply 0) after the takeover"
		return 1
	fi
	TAKE_REPLIES=$i
}

# The whole migration: the seed imported and run unedited by a pair of xlbd, then NAT and
# persistence (mig_nat), wlc (mig_wlc), and the takeover with 11 long-lived connections from
# 5 client addresses open (mig_takeover).
test_migrate_seed_pair()
{
	local t=test_migrate_seed_pair k

	need $t "$XLBD" "$XLBCTL" "$XLB_HTTP" || return 0
	declare -gA HOLDS=()
	mig_pair_up $t || return 0
	mig_nat $t || return 0
	mig_wlc $t || return 0
	for k in 14 15; do
		mig_hold $t 203.0.113.$k 3 || return 0
		if [[ ! $HELD =~ ^n[123]\ 3$ ]]; then
			fail $t "persistence: the 3 connections of 203.0.113.$k went to '$HELD'"
			return 0
		fi
		WLC_DIST+=", 203.0.113.$k 3 on ${HELD% 3}"
	done
	echo "  NAT, persistence: 60 requests answered, each client on one server: $NAT_DIST"
	echo "  wlc: $WLC_DIST"
	mig_takeover $t 11 || return 0
	echo "  takeover: B MASTER $TAKE_MS ms after A's eth0 went down (A now $A_AFTER); every" \
		"long-lived connection answered through B within $RESUME_MS ms"
	pass $t "seed imported on both (xlbd --check ok) and run unedited; 60 of 60 requests" \
		"answered through NAT from the clients' own addresses, each client on one server;" \
		"wlc: $WLC_DIST; A's link down: B MASTER of all in $TAKE_MS ms with the VIP and" \
		"$GW4, 11 of 11 long-lived connections answered through B by their own servers" \
		"($TAKE_REPLIES replies translated by B)"
}

[[ ${BASH_SOURCE[0]} != "$0" ]] || tier_main "${@:-test_migrate_seed_pair}"
