#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Each forwarding mode x family end to end, with real traffic between network namespaces
# (tools/topology.sh in far mode: the segment's client, dispatcher and b1..b3; a second segment
# on the dispatcher's eth1 with a router on it, and b4 behind the router). One test a case,
# test_MODE4 / test_MODE6, on the one topology they share (both families live on it); each
# starts xlbd with the case's config (on the pins the case before left, as a restart would) and
# checks:
#   - http: N_REQ requests through the VIP, each on a new connection (a new source port, so a
#     new flow for Maglev), are all answered, and each backend's share of them is within ±15%
#     (relative) of its weight's share;
#   - client: every request a backend logged (xlb-http serve --log) came from the client's own
#     address, and each backend logged as many as the client counted from it;
#   - xfer: XFER_MB of random bytes each way on one TCP connection through a second VIP (port
#     XFER_PORT, one backend: the far one in tun) arrive intact: sha256 of what each side sent
#     equals sha256 of what the other got (tools/xlb-xfer).
# The cases:
#   dr    b1 b2 b3 (weights 1:1:2) on the dispatcher's segment, the VIPs on their lo, ARP for
#         the IPv4 VIP neither answered nor used on eth0 (the topology's backends); xfer via b3.
#   tun   b1 b2 (on the segment) and b4 behind the router (weights 1:1:2), reached by IPIP or
#         IP6IP6 from the dispatcher's own address, the next hop from the FIB: for b4 the
#         router's eth1 out of the dispatcher's eth1 (XDP_REDIRECT), b1 and b2 out of eth0
#         (XDP_TX); `xlbctl decap attach` on each backend strips the outer header. The
#         dispatcher forwards (the FIB answers only then). xfer via b4, which must have
#         stripped at least as many packets as the upload has segments. The upload's
#         full-sized segments do not fit the tunnel: the dispatcher answers them with ICMP
#         fragmentation-needed / packet-too-big (icmp_too_big counted), and the client must
#         have learnt the path MTU from it (its route to the VIP cached with the MTU less the
#         outer header, which each case first flushes).
#   nat   n1 n2 n3 (weights 1:1:2) on the second segment, their default route via the
#         dispatcher's eth1; xlbd on eth0 and eth1. The web VIP's backends serve on port 8000
#         (a backend port: keepalived's real_server ADDR PORT), the transfer's on the VIP's;
#         requests in on eth0 leave translated out of eth1 (XDP_REDIRECT), the replies come
#         back in on eth1 and leave with the VIP's address and port out of eth0. The
#         dispatcher forwards (the FIB answers only then). xfer via n3.
# Adding a mode: a mode_MODE function that sets the case up as the others do (what they set is
# listed above mode_dr) and test_MODE4 / test_MODE6 calling mode_case MODE 4 / 6.
#
#   tests/netns/modes.sh [test_name ...]     (default: every test_* function)
set -u

TIER=modes
# shellcheck source=tests/netns/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
XLB_XFER=$BUILD/xlb-xfer
# 2400 requests at weights 1:1:2: 600 expected for each small backend, binomial sigma
# sqrt(2400 * 1/4 * 3/4) = 21, so ±15% (90) is 4.2 sigma: a fair test that does not flake. Few
# enough connections that the client's source ports hardly repeat (a repeated 5-tuple hashes to
# the same backend again: one sample counted twice); the PASS line counts the distinct ones.
N_REQ=2400
XFER_PORT=8080
XFER_MB=50
WHY=			# what a failed setup or check saw

# ---- the shared topology ----------------------------------------------------------------------

# shared_up NAME: the topology every case runs on (built by the first case, kept in KEEP_ID and
# torn down at the end), with the transfer's payloads; sets ID. FAIL NAME and 1 if it cannot be.
shared_up()
{
	if [ -n "$KEEP_ID" ]; then
		ID=$KEEP_ID
		topo_vars "$ID"
		return 0
	fi
	need "$1" "$XLBD" "$XLBCTL" "$XLB_HTTP" "$XLB_XFER" || return 1
	SEQ=$((SEQ + 1))
	ID=$RUN-$SEQ
	KEEP_ID=$ID
	if ! TOPO_FAR=1 topo_up "$ID"; then
		fail "$1" "could not build the topology"
		return 1
	fi
	# What each side of a transfer sends, and its checksum.
	if ! head -c $((XFER_MB << 20)) /dev/urandom >"$TMP/down.bin" ||
	   ! head -c $((XFER_MB << 20)) /dev/urandom >"$TMP/up.bin"; then
		fail "$1" "could not write the transfer's payloads"
		return 1
	fi
	SUM_DOWN=$(sha256_of "$TMP/down.bin")
	SUM_UP=$(sha256_of "$TMP/up.bin")
}

sha256_of()
{
	sha256sum "$1" | cut -d' ' -f1
}

# ---- the modes: each sets the case up ---------------------------------------------------------
#
# MODE_BACKENDS  the VIP's backends, NODE=WEIGHT
# MODE_XFER      the transfer VIP's one backend
# MODE_CONFIG    more xlb_config KEY=VALUE words, an array (the forwarding, its settings)
# On failure WHY says what went wrong, and the mode returns 1.
# and whatever the data path needs in the namespaces (the routes of the client included: each
# mode sets them, so a case does not depend on the one before).

# client_route FAMILY [MTU]: the client's route to the VIP via the dispatcher, with that MTU.
client_route()
{
	local vip=$TOPO_VIP4 via=${TOPO_ADDR4[dispatcher]} fam=-4

	if [ "$1" = 6 ]; then
		vip=$TOPO_VIP6 via=${TOPO_ADDR6[dispatcher]} fam=-6
	fi
	if ! topo_exec "$ID" client ip "$fam" route replace "$vip" via "$via" ${2:+mtu "$2"}; then
		WHY="cannot route the client's $vip via $via"
		return 1
	fi
}

# dispatcher_forwarding 0|1: whether the dispatcher's kernel forwards, both families.
dispatcher_forwarding()
{
	if ! topo_exec "$ID" dispatcher sysctl -qw net.ipv4.conf.all.forwarding="$1" \
		net.ipv6.conf.all.forwarding="$1" >/dev/null; then
		WHY="cannot set the dispatcher's forwarding to $1"
		return 1
	fi
}

mode_dr()
{
	MODE_BACKENDS="b1=100 b2=100 b3=200"
	MODE_XFER=b3
	MODE_CONFIG=(fwd=dr)
	dispatcher_forwarding 0 || return 1
	client_route "$1"
}

# decap_attached NODE: `xlbctl decap attach eth0` on NODE, unless a case before did it.
decap_attached()
{
	local root=$TOPO_PIN_DIR/decap-$1

	[ -e "$root/eth0" ] && return 0
	topo_exec "$ID" "$1" "$XLBCTL" decap attach eth0 --pin-root "$root" >"$TMP/decap-$1.out" 2>&1
}

# decap_stripped NODE: how many packets NODE's decap program stripped.
decap_stripped()
{
	topo_exec "$ID" "$1" "$XLBCTL" decap stats eth0 --pin-root "$TOPO_PIN_DIR/decap-$1" --json |
		json_in stripped packets
}

mode_tun()
{
	local b

	MODE_BACKENDS="b1=100 b2=100 b4=200"
	MODE_XFER=b4
	MODE_CONFIG=(fwd=tun "tunnel4=${TOPO_ADDR4[dispatcher]}" "tunnel6=${TOPO_ADDR6[dispatcher]}")
	for b in b1 b2 b4; do
		if ! decap_attached $b; then
			WHY="decap attach on $b: $(cat "$TMP/decap-$b.out")"
			return 1
		fi
	done
	dispatcher_forwarding 1 || return 1
	# What a case before learnt of the path MTU: this one's upload must learn it again.
	if ! topo_exec "$ID" client ip -"$1" route flush cache >/dev/null; then
		WHY="cannot flush the client's route cache"
		return 1
	fi
	client_route "$1"
}

# too_big_sent: how many ICMP too-big answers the dispatcher's programs have sent.
too_big_sent()
{
	topo_xlbctl "$ID" dispatcher --json stats | json_in icmp_too_big packets
}

# pmtu_learnt FAMILY: has the client cached the VIP's path MTU less the outer header (20 bytes
# for IPIP, 40 for IP6IP6)? WHY if not.
pmtu_learnt()
{
	local vip=$TOPO_VIP4 want=1480 route

	[ "$1" = 6 ] && vip=$TOPO_VIP6 want=1460
	route=$(topo_exec "$ID" client ip -"$1" route get "$vip" | tr -s ' \n' ' ')
	if [[ $route != *" mtu $want "* ]]; then
		WHY="the client's route to $vip after the transfer: '$route', want mtu $want"
		return 1
	fi
}

mode_nat()
{
	MODE_BACKENDS="n1=100 n2=100 n3=200"
	MODE_XFER=n3
	MODE_CONFIG=(fwd=nat "beport=${TOPO_PORT[n1]}"
		     "ifaces=$(printf '  - name: eth0\n  - name: eth1')")
	dispatcher_forwarding 1 || return 1
	client_route "$1"
}

# ---- the checks -------------------------------------------------------------------------------

# access_lines NODE: how many requests NODE's server has logged.
access_lines()
{
	wc -l <"$TOPO_DIR/$1.access"
}

# check_http FAMILY: N_REQ requests to the VIP, all answered, the shares within ±15% of the
# weights', each backend's log naming the client and no one else. SHARES: what was measured.
# WHY says what went wrong; returns 1 then.
check_http()
{
	local fam=$1 vip=$TOPO_VIP4 client=${TOPO_ADDR4[client]} out be node w sum=0 got want lo hi
	local -A mark
	local lines addrs ports=0

	if [ "$fam" = 6 ]; then
		vip=$TOPO_VIP6 client=${TOPO_ADDR6[client]}
	fi
	for be in $MODE_BACKENDS; do
		node=${be%%=*}
		mark[$node]=$(access_lines "$node")
		sum=$((sum + ${be#*=}))
	done
	out=$(topo_exec "$ID" client "$XLB_HTTP" get --url-host "$vip" --port 80 \
		--count $N_REQ --concurrency 8 --timeout-ms 2000 --json)
	if [ "$(json_num ok <<<"$out")" != $N_REQ ] || [ "$(json_num failed <<<"$out")" != 0 ]; then
		WHY="http: not all $N_REQ requests answered: $out"
		return 1
	fi
	SHARES=
	for be in $MODE_BACKENDS; do
		node=${be%%=*} w=${be#*=}
		got=$(json_num "$node" <<<"$out")
		got=${got:-0}
		want=$((N_REQ * w / sum))
		lo=$((want * 85 / 100)) hi=$((want * 115 / 100))
		SHARES+="$node $got/$want "
		if ((got < lo || got > hi)); then
			WHY="http: $node answered $got of $N_REQ, want $lo..$hi (weight $w of $sum): $out"
			return 1
		fi
		lines=$(tail -n +$((mark[$node] + 1)) "$TOPO_DIR/$node.access")
		if [ "$(grep -c . <<<"$lines")" != "$got" ]; then
			WHY="client: $node logged $(grep -c . <<<"$lines") requests,"
			WHY+=" the client counted $got from it"
			return 1
		fi
		addrs=$(cut -d' ' -f1 <<<"$lines" | sort -u | tr '\n' ' ')
		if [ "$addrs" != "$client " ]; then
			WHY="client: $node logged requests from '$addrs', want only $client"
			return 1
		fi
		ports=$((ports + $(cut -d' ' -f2 <<<"$lines" | sort -u | wc -l)))
	done
	SHARES+="(got/want; $ports distinct source ports)"
}

# check_xfer FAMILY: XFER_MB each way between the client and MODE_XFER through the transfer
# VIP, both intact. XFER: what was measured. WHY says what went wrong; returns 1 then.
check_xfer()
{
	local fam=$1 vip=$TOPO_VIP4 ns pid i t0 ms down up

	[ "$fam" = 6 ] && vip=$TOPO_VIP6
	ns=$(topo_ns "$ID" "$MODE_XFER")
	# Gone before the start: the child truncates it only once it runs, so the loop below could
	# read the previous case's "listening" and connect before this listener listens (refused).
	rm -f "$TMP/xfer-listen.err"
	ip netns exec "$ns" "$XLB_XFER" listen --port $XFER_PORT --timeout-ms 10000 \
		<"$TMP/down.bin" >"$TMP/up.got" 2>"$TMP/xfer-listen.err" &
	pid=$!
	BG_PIDS+=("$pid")
	# Seconds, on a loaded machine: a connect before the listen would be refused.
	for ((i = 0; i < 500; i++)); do
		grep -qs '^xlb-xfer: listening' "$TMP/xfer-listen.err" && break
		sleep 0.02
	done
	if ((i == 500)); then
		WHY="xfer: $MODE_XFER's listener not listening after 10 s:"
		WHY+=" $(tail -n1 "$TMP/xfer-listen.err")"
		return 1
	fi
	t0=${EPOCHREALTIME/./}
	if ! topo_exec "$ID" client "$XLB_XFER" connect --addr "$vip" --port $XFER_PORT \
		--timeout-ms 10000 <"$TMP/up.bin" >"$TMP/down.got" 2>"$TMP/xfer-connect.err"; then
		WHY="xfer: client: $(tail -n1 "$TMP/xfer-connect.err");"
		WHY+=" $MODE_XFER: $(tail -n1 "$TMP/xfer-listen.err")"
		return 1
	fi
	if ! bg_wait "$pid"; then
		WHY="xfer: $MODE_XFER: $(tail -n1 "$TMP/xfer-listen.err")"
		return 1
	fi
	ms=$(((${EPOCHREALTIME/./} - t0) / 1000))
	down=$(sha256_of "$TMP/down.got")
	up=$(sha256_of "$TMP/up.got")
	rm -f "$TMP/down.got" "$TMP/up.got"
	if [ "$down" != "$SUM_DOWN" ]; then
		WHY="xfer: $MODE_XFER sent sha256 $SUM_DOWN, the client got $down"
		WHY+=" ($(tail -n1 "$TMP/xfer-connect.err"))"
		return 1
	fi
	if [ "$up" != "$SUM_UP" ]; then
		WHY="xfer: the client sent sha256 $SUM_UP, $MODE_XFER got $up"
		WHY+=" ($(tail -n1 "$TMP/xfer-listen.err"))"
		return 1
	fi
	XFER="$XFER_MB MB each way via $MODE_XFER in $ms ms, sha256 ${SUM_DOWN:0:12}... down"
	XFER+=" and ${SUM_UP:0:12}... up intact"
}

# ---- a case -----------------------------------------------------------------------------------

# xfer_vip MODE FAMILY: the transfer VIP's YAML, for xlb_config's extra.
xfer_vip()
{
	local vip=$TOPO_VIP4 addr=${TOPO_ADDR4[$MODE_XFER]}

	if [ "$2" = 6 ]; then
		vip=$TOPO_VIP6 addr=${TOPO_ADDR6[$MODE_XFER]}
	fi
	printf '  - name: xfer\n    address: %s\n    port: %s\n    protocol: tcp\n' \
		"$vip" $XFER_PORT
	# No health check: the listener takes one connection, the transfer's.
	printf '    forwarding: %s\n    health: {type: none}\n    backends:\n' "$1"
	printf '      - address: %s\n' "$addr"
}

# dispatcher_neighbours: the dispatcher's neighbour entries for every backend's next hop, which
# the FIB answers from and XDP cannot make itself (xlbd's MAC probes make them for dr).
dispatcher_neighbours()
{
	local be node

	for be in $MODE_BACKENDS; do
		node=${be%%=*}
		topo_exec "$ID" dispatcher ping -q -c1 -W1 "${TOPO_ADDR4[$node]}" >/dev/null &&
			topo_exec "$ID" dispatcher ping -q -c1 -W1 "${TOPO_ADDR6[$node]}" >/dev/null ||
			return 1
	done
}

# mode_case MODE FAMILY: one case, reported as test_MODEFAMILY.
mode_case()
{
	local mode=$1 fam=$2 t=test_$1$2 cfg=$TMP/$1$2.yaml t0 n0 n1 tb0 tb1

	t0=${EPOCHREALTIME/./}
	shared_up "$t" || return 0
	topo_xlbd_stop dispatcher TERM 5
	if ! "mode_$mode" "$fam"; then
		fail "$t" "setting $mode up: $WHY"
		return 0
	fi
	xlb_config "$cfg" what="the $mode case, IPv$fam" vip="$mode$fam" family="$fam" health=none \
		backends="$MODE_BACKENDS" extra="$(xfer_vip "$mode" "$fam")" "${MODE_CONFIG[@]}"
	topo_xlbd_start "$ID" dispatcher "$cfg"
	if ! topo_xlbd_wait_ready dispatcher 10; then
		fail "$t" "xlbd did not print 'xlbd: ready' within 10 s"
		return 0
	fi
	if ! dispatcher_neighbours; then
		fail "$t" "the dispatcher cannot ping every backend"
		return 0
	fi
	if ! check_http "$fam"; then
		fail "$t" "$WHY"
		return 0
	fi
	if [ "$mode" = tun ]; then
		n0=$(decap_stripped "$MODE_XFER")
		tb0=$(too_big_sent)
	fi
	if ! check_xfer "$fam"; then
		fail "$t" "$WHY"
		return 0
	fi
	if [ "$mode" = tun ]; then
		n1=$(decap_stripped "$MODE_XFER")
		if ((${n1:-0} - ${n0:-0} < (XFER_MB << 20) / 1500)); then
			fail "$t" "$MODE_XFER stripped $((${n1:-0} - ${n0:-0})) packets during the" \
				"transfer, fewer than its upload's segments"
			return 0
		fi
		tb1=$(too_big_sent)
		if ((${tb1:-0} - ${tb0:-0} < 1)); then
			fail "$t" "path MTU discovery: no ICMP too-big sent during the transfer"
			return 0
		fi
		if ! pmtu_learnt "$fam"; then
			fail "$t" "path MTU discovery: $WHY"
			return 0
		fi
		XFER+=", path MTU learnt from $((${tb1:-0} - ${tb0:-0})) ICMP too-big"
	fi
	topo_xlbd_stop dispatcher TERM 5
	pass "$t" "$N_REQ requests: $SHARES; $XFER; $(((${EPOCHREALTIME/./} - t0) / 1000)) ms"
}

test_dr4() { mode_case dr 4; }
test_dr6() { mode_case dr 6; }
test_tun4() { mode_case tun 4; }
test_tun6() { mode_case tun 6; }
test_nat4() { mode_case nat 4; }
test_nat6() { mode_case nat 6; }

tier_main "$@"
