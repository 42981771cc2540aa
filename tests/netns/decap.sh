#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The backends' side of tun forwarding in network namespaces (tools/topology.sh): `xlbctl decap
# attach` puts bpf/decap.bpf.c on backend b1's eth0 (the kernel here has no ipip / ip6_tunnel
# modules loaded), the client sends it UDP datagrams to the VIP wrapped as the dispatcher wraps
# them in tun mode (IPIP, IP6IP6, 4in6, 6in4; tools/xlb-tun), and a listener bound to the VIP on
# b1 must receive each one with the client's own address; not before the attach, not after the
# detach, which must also leave no XDP program and no pins behind.
# Then xlbd itself in tun mode toward a backend behind a router, decap on that backend: the
# first datagram after xlbd is ready arrives (the router's neighbour entry resolved through the
# route), and so does one sent just after that entry is deleted.
#
#   tests/netns/decap.sh [test_name ...]     (default: every test_* function)
set -u

TIER=decap
# shellcheck source=tests/netns/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
XLB_TUN=$BUILD/xlb-tun
PORT=5353

# listen NODE NAME DST: a listener on NODE for one datagram to DST:PORT, ready; its pid in
# LISTEN_PID, its output in $TMP/NAME.out.
listen()
{
	local out=$TMP/$2.out i

	topo_exec "$ID" "$1" "$XLB_TUN" recv --bind "$3" --port $PORT --timeout-ms 1000 \
		>"$out" 2>&1 </dev/null &
	LISTEN_PID=$!
	BG_PIDS+=("$LISTEN_PID")
	for ((i = 0; i < 50; i++)); do
		grep -qs '^ready' "$out" && break
		sleep 0.05
	done
}

# tunnel NAME OUTER SRC DST: one datagram SRC -> DST:PORT inside a tunnel to OUTER; 0 when b1's
# listener got it from SRC. The listener's output in $TMP/NAME.out.
tunnel()
{
	local name=$1 outer=$2 src=$3 dst=$4

	listen b1 "$name" "$dst"
	topo_exec "$ID" client "$XLB_TUN" send --outer "$outer" --src "$src" --dst "$dst" \
		--port $PORT --token "$name" >/dev/null || return 1
	bg_wait "$LISTEN_PID" || return 1
	grep -qx "got $src $name" "$TMP/$name.out"
}

# Each tunnel kind (NAME:OUTER-FAMILY:INNER-FAMILY).
KINDS="ipip:4:4 ip6ip6:6:6 4in6:6:4 6in4:4:6"

# kinds_delivered WHEN: how many of KINDS reached the listener (names in $TMP/delivered).
kinds_delivered()
{
	local when=$1 k name of if outer src dst n=0

	: >"$TMP/delivered"
	for k in $KINDS; do
		IFS=: read -r name of if <<<"$k"
		outer=${TOPO_ADDR4[b1]} src=${TOPO_ADDR4[client]} dst=$TOPO_VIP4
		[ "$of" = 6 ] && outer=${TOPO_ADDR6[b1]}
		[ "$if" = 6 ] && src=${TOPO_ADDR6[client]} dst=$TOPO_VIP6
		if tunnel "$when-$name" "$outer" "$src" "$dst"; then
			n=$((n + 1))
			echo "$name" >>"$TMP/delivered"
		fi
	done
	echo $n
}

# up NAME: a fresh topology (no xlbd: only the client and b1 take part); sets ID.
up()
{
	need "$1" "$XLBCTL" "$XLB_TUN" "$XLB_HTTP" || return 1
	SEQ=$((SEQ + 1))
	ID=$RUN-$SEQ
	CUR_ID=$ID
	if ! topo_up "$ID"; then
		fail "$1" "could not build the topology"
		return 1
	fi
}

test_decap_attach_strip_detach()
{
	local t=test_decap_attach_strip_detach root n stats stripped kinds

	up $t || return
	root=$TOPO_PIN_DIR/decap
	kinds=$(echo "$KINDS" | wc -w)

	# Without the program the kernel has no tunnel to hand these to.
	n=$(kinds_delivered before)
	if [ "$n" != 0 ]; then
		fail $t "delivered before the attach: $(tr '\n' ' ' <"$TMP/delivered")"
		return
	fi
	if ! topo_exec "$ID" b1 "$XLBCTL" decap attach eth0 --pin-root "$root" \
		>"$TMP/attach.out" 2>&1; then
		fail $t "attach: $(cat "$TMP/attach.out")"
		return
	fi
	n=$(kinds_delivered attached)
	if [ "$n" != "$kinds" ]; then
		fail $t "attached: $n of $kinds kinds delivered ($(tr '\n' ' ' <"$TMP/delivered"))"
		return
	fi
	stats=$(topo_exec "$ID" b1 "$XLBCTL" decap stats eth0 --pin-root "$root" --json)
	stripped=$(json_in stripped packets <<<"$stats")
	if [ "${stripped:-0}" -lt "$kinds" ]; then
		fail $t "stats count $stripped stripped, want >= $kinds: $stats"
		return
	fi
	if ! topo_exec "$ID" b1 "$XLBCTL" decap detach eth0 --pin-root "$root" \
		>"$TMP/detach.out" 2>&1; then
		fail $t "detach: $(cat "$TMP/detach.out")"
		return
	fi
	if topo_exec "$ID" b1 ip link show dev eth0 | grep -q 'xdp'; then
		fail $t "an XDP program is still on eth0 after the detach"
		return
	fi
	if [ -e "$root/eth0" ]; then
		fail $t "pins left after the detach: $(ls "$root/eth0")"
		return
	fi
	n=$(kinds_delivered detached)
	if [ "$n" != 0 ]; then
		fail $t "delivered after the detach: $(tr '\n' ' ' <"$TMP/delivered")"
		return
	fi
	pass $t "$kinds kinds delivered attached, none before or after; $stripped stripped"
}

# Generic XDP, and only the IPv4 address accepted: the IPv6-outer kinds pass to the kernel,
# counted as not allowed, and are lost there as without the program.
test_decap_generic_addr_filter()
{
	local t=test_decap_generic_addr_filter root got stats denied

	up $t || return
	root=$TOPO_PIN_DIR/decap
	if ! topo_exec "$ID" b1 "$XLBCTL" decap attach eth0 --pin-root "$root" --xdp-mode generic \
		--addr "${TOPO_ADDR4[b1]}" >"$TMP/attach.out" 2>&1; then
		fail $t "attach: $(cat "$TMP/attach.out")"
		return
	fi
	if ! topo_exec "$ID" b1 ip link show dev eth0 | grep -q 'xdpgeneric'; then
		fail $t "no generic XDP program on eth0"
		return
	fi
	kinds_delivered filtered >/dev/null
	got=$(tr '\n' ' ' <"$TMP/delivered")
	if [ "$got" != "ipip 6in4 " ]; then
		fail $t "delivered '$got', want 'ipip 6in4 '"
		return
	fi
	stats=$(topo_exec "$ID" b1 "$XLBCTL" decap stats eth0 --pin-root "$root" --json)
	denied=$(json_in pass_not_allowed packets <<<"$stats")
	if [ "${denied:-0}" -lt 2 ]; then
		fail $t "pass_not_allowed $denied, want >= 2: $stats"
		return
	fi
	if topo_exec "$ID" b1 "$XLBCTL" decap attach eth0 --pin-root "$root" >/dev/null 2>&1; then
		fail $t "a second attach on eth0 succeeded"
		return
	fi
	if ! topo_exec "$ID" b1 "$XLBCTL" decap detach eth0 --pin-root "$root" >/dev/null 2>&1 ||
		topo_exec "$ID" b1 ip link show dev eth0 | grep -q 'xdp'; then
		fail $t "detach did not remove the program"
		return
	fi
	pass $t "ipip and 6in4 delivered, $denied IPv6-outer passed as not allowed"
}

# ---- xlbd in tun mode toward a backend behind a router ------------------------------------------

# Out of the topology's own namespaces, so topo_down removes them: b2 becomes a router between
# the dispatcher's second interface and b3's, and b3 the backend behind it (decap on its eth1).
#
#   dispatcher eth1 198.51.100.1/25 -- r0 .126 [b2: router] r1 .129/25 -- eth1 .130 [b3]
#
# xlbd runs on eth0 only: the encapsulated packets leave by eth1 (a redirect), whose next hop,
# the router, xlbd must make the kernel resolve through the route.
ROUTED_BE=198.51.100.130
ROUTED_GW=198.51.100.126

routed_up()
{
	local d=$TOPO_NS_DISPATCHER r=$TOPO_NS_B2 b=$TOPO_NS_B3

	ip -n "$d" link add eth1 type veth peer name r0 netns "$r" &&
	ip -n "$r" link add r1 type veth peer name eth1 netns "$b" &&
	ip -n "$d" addr add 198.51.100.1/25 dev eth1 && ip -n "$d" link set eth1 up &&
	ip -n "$r" addr add $ROUTED_GW/25 dev r0 && ip -n "$r" link set r0 up &&
	ip -n "$r" addr add 198.51.100.129/25 dev r1 && ip -n "$r" link set r1 up &&
	ip -n "$b" addr add $ROUTED_BE/25 dev eth1 && ip -n "$b" link set eth1 up &&
	ip -n "$d" route add 198.51.100.128/25 via $ROUTED_GW dev eth1 &&
	# The dispatcher's frames are redirected into eth1: its peer must run XDP to get them.
	ip -n "$r" link set dev r0 xdpdrv obj "$TOPO_PASS_OBJ" sec xdp &&
	# bpf_fib_lookup answers only for an ingress interface that forwards.
	ip netns exec "$d" sysctl -qw net.ipv4.conf.all.forwarding=1 &&
	ip netns exec "$r" sysctl -qw net.ipv4.conf.all.forwarding=1 \
		net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.r0.rp_filter=0 &&
	# The client's own address, decapsulated on eth1, is routed by eth0 on b3.
	ip netns exec "$b" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.eth1.rp_filter=0 &&
	topo_exec "$ID" b3 "$XLBCTL" decap attach eth1 --pin-root "$TOPO_PIN_DIR/decap" >/dev/null
}

# routed_delivered NAME: one UDP datagram from the client to the VIP reaches b3's listener, from
# the client's own address. 0 if so.
routed_delivered()
{
	listen b3 "$1" "$TOPO_VIP4"
	# shellcheck disable=SC2016
	topo_exec "$ID" client bash -c 'printf %s "$1" >"/dev/udp/$2/$3"' sh "$1" "$TOPO_VIP4" $PORT ||
		return 1
	bg_wait "$LISTEN_PID" || return 1
	grep -qx "got ${TOPO_ADDR4[client]} $1" "$TMP/$1.out"
}

# A tun backend behind a router gets the first datagram sent once xlbd is ready, and again one
# sent just after the router's neighbour entry was deleted: xlbd resolves the route's next hop
# before it says ready, and again as soon as the entry goes. No packet is dropped as
# drop_no_route.
test_tun_backend_behind_router()
{
	local t=test_tun_backend_behind_router cfg stats drops

	need $t "$XLBD" "$XLBCTL" "$XLB_TUN" "$XLB_HTTP" || return
	SEQ=$((SEQ + 1))
	ID=$RUN-$SEQ
	CUR_ID=$ID
	if ! topo_up "$ID" || ! routed_up; then
		fail $t "could not build the routed topology"
		return
	fi
	cfg=$TOPO_DIR/xlbd.yaml
	cat >"$cfg" <<EOC
# SPDX-License-Identifier: GPL-2.0-only
# Written by tests/netns/decap.sh: one tun VIP, its backend behind a router.
interfaces:
  - name: eth0
vips:
  - name: routed
    address: $TOPO_VIP4
    port: $PORT
    protocol: udp
    forwarding: tun
    backends:
      - address: $ROUTED_BE
tunnel:
  source: ${TOPO_ADDR4[dispatcher]}
EOC
	topo_xlbd_start "$ID" dispatcher "$cfg"
	if ! topo_xlbd_wait_ready dispatcher 10; then
		fail $t "xlbd did not get ready"
		return
	fi
	if ! routed_delivered first; then
		fail $t "the first datagram after ready did not reach $ROUTED_BE: $(cat "$TMP/first.out")"
		return
	fi
	if ! ip -n "$TOPO_NS_DISPATCHER" neigh del $ROUTED_GW dev eth1; then
		fail $t "cannot delete the router's neighbour entry"
		return
	fi
	sleep 0.5
	if ! routed_delivered again; then
		fail $t "the datagram 0.5 s after the router's entry went did not arrive:" \
			"$(cat "$TMP/again.out")"
		return
	fi
	stats=$(topo_xlbctl "$ID" dispatcher --json stats 2>&1)
	drops=$(json_in drop_no_route packets <<<"$stats")
	if [ "$drops" != 0 ]; then
		fail $t "$drops packets dropped as drop_no_route: $stats"
		return
	fi
	pass $t "first datagram after ready, and one 0.5 s after the router's entry went, delivered"
}

tier_main "$@"
