#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The backends' side of tun forwarding in network namespaces (tools/topology.sh): `xlbctl decap
# attach` puts bpf/decap.bpf.c on backend b1's eth0 (the kernel here has no ipip / ip6_tunnel
# modules loaded), the client sends it UDP datagrams to the VIP wrapped as the dispatcher wraps
# them in tun mode (IPIP, IP6IP6, 4in6, 6in4; tools/xlb-tun), and a listener bound to the VIP on
# b1 must receive each one with the client's own address; not before the attach, not after the
# detach, which must also leave no XDP program and no pins behind.
#
#   tests/netns/decap.sh [test_name ...]     (default: every test_* function)
set -u

TIER=decap
# shellcheck source=tests/netns/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
XLB_TUN=$BUILD/xlb-tun
PORT=5353

# tunnel NAME OUTER SRC DST: one datagram SRC -> DST:PORT inside a tunnel to OUTER; 0 when b1's
# listener got it from SRC. The listener's output in $TMP/NAME.out.
tunnel()
{
	local name=$1 outer=$2 src=$3 dst=$4 out=$TMP/$1.out pid i

	ip netns exec "$TOPO_NS_B1" "$XLB_TUN" recv --bind "$dst" --port $PORT --timeout-ms 1000 \
		>"$out" 2>&1 </dev/null &
	pid=$!
	BG_PIDS+=("$pid")
	for ((i = 0; i < 50; i++)); do
		grep -qs '^ready' "$out" && break
		sleep 0.05
	done
	topo_exec "$ID" client "$XLB_TUN" send --outer "$outer" --src "$src" --dst "$dst" \
		--port $PORT --token "$name" >/dev/null || return 1
	bg_wait "$pid" || return 1
	grep -qx "got $src $name" "$out"
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

tier_main "$@"
