#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# xlb's demo and test topology, as network namespaces joined by one Linux bridge.
#
#                      xlb$ID-sw (br0)
#       ┌──────────┬──────────┼──────────┬──────────┐
#    xlb$ID-c   xlb$ID-d   xlb$ID-b1  xlb$ID-b2  xlb$ID-b3
#    client     dispatcher backend    backend    backend
#    .1 / ::1   .2 / ::2   .11 / ::11 .12 / ::12 .13 / ::13     (192.0.2.0/24, 2001:db8::/64)
#
# Every node's interface is called eth0 inside its namespace; its switch-side peer is named after
# the node (client, dispatcher, b1, ...). The client routes the VIPs (203.0.113.100,
# 2001:db8:100::100) to the dispatcher; the backends hold them on lo and answer the client
# directly (direct server return, one L2 segment). Each backend runs `xlb-http serve --name bN
# --log $TOPO_DIR/bN.access` (a line per request answered: the peer's address and port).
#
# Source it and call:
#   topo_up ID            build everything, start the backend servers; on failure tears down
#   topo_down ID          remove everything topo_up made; idempotent, safe from a trap
#   topo_exec ID NODE CMD...   run CMD in NODE's namespace (NODE: switch client dispatcher b1 b2 b3)
#   topo_ns ID NODE       print NODE's namespace name
#   topo_vars ID          set TOPO_DIR, TOPO_PIN_DIR, TOPO_NS_* for ID (topo_up does it too)
#   topo_xlbd_start ID NODE CONFIG [ARGS...], topo_xlbd_wait_ready NODE [S],
#   topo_xlbd_stop NODE [SIG] [S], topo_xlbd_log NODE, topo_xlbd_log_tail NODE [N],
#   topo_xlbctl ID NODE ARGS...
#                         xlbd on a dispatcher (NODE: dispatcher, or in pair mode dispatcher2;
#                         one each) and xlbctl beside it, on that node's pins and socket
#   topo_backend_kill ID NODE [SIG], topo_backend_start ID NODE
#                         stop a backend's server (a crash, with KILL) and start it again
# or run it: tools/topology.sh up|down [ID]   (TOPO_PAIR=1 in the environment: pair mode)
#
# Pair mode, TOPO_PAIR=1 topo_up ID: a second dispatcher, dispatcher2 (xlb$ID-d2, .3 / ::3,
# 02:00:00:00:00:03), wired like the first, with a pin dir and a control socket of its own
# (TOPO_PIN_DIR2, TOPO_CONTROL2). The client then reaches the VIPs on-link (a route "dev eth0",
# so it ARPs / NDs for them and follows the gratuitous ARPs and unsolicited NAs of whichever
# dispatcher holds them) instead of through the first dispatcher. The backends do not change.
#   topo_keepalived_start ID NODE CONFIG, topo_keepalived_stop NODE [SIG] [S]
#                         keepalived (VRRP only) in NODE's namespace
# topo_down stops all of these by their pids and removes pair mode's extras too.
#
# Far mode, TOPO_FAR=1 topo_up ID: a second segment, br1 in the switch's namespace
# (198.51.100.0/25, 2001:db8:1::/64; TOPO_NET2_*), with the dispatcher's eth1 (.1 / ::1,
# 02:00:00:00:01:02) and a router, xlb$ID-r (.126 / ::fe, 02:00:00:00:01:fe), whose eth0 is on
# the first segment too (192.0.2.254 / 2001:db8::fe). Behind the router, on a link of their own
# (198.51.100.128/25, 2001:db8:2::/64; the router .129 / 2001:db8:2::1), a fourth backend b4
# (xlb$ID-b4, .130 / 2001:db8:2::14) set up like the others but for its default route via the
# router. The dispatcher routes that link via the router's eth1: reaching b4 takes the FIB's
# next hop and another egress interface (tun forwarding's XDP_REDIRECT); b4 answers the client
# through the router's eth0. On br1 too, NAT's backends n1 n2 n3 (xlb$ID-n1.., .11-.13 /
# 2001:db8:1::11-13, 02:00:00:00:01:11-13): no VIP on lo, their default route via the
# dispatcher's eth1, their server on port TOPO_PORT[nN] (8000: NAT's backend port, not the
# VIP's).
#
# ID is a short run id ([A-Za-z0-9_-], e.g. $$); every name topo_up creates carries it.
# State (server pids and logs, xlbd's log and control socket, the bpffs pin dir) lives in
# /tmp/xlb$ID.
#
# veth and XDP, as measured on 6.18: a frame an XDP program
# sends with XDP_TX reaches the peer only when the peer runs an XDP program of its own. Turning
# GRO on at the peer, which the veth driver advertises as enough, is not: the frame is counted as
# sent and lost. Every switch-side port therefore carries an XDP_PASS program.
# And a veth leaves TCP/UDP checksums to "hardware" (CHECKSUM_PARTIAL); a frame that an XDP
# program bounces has lost that note and arrives with a bad checksum. Every node's eth0 has tx
# checksum offload off, so frames on this wire carry full checksums, as from a real NIC.
#
# `ip netns exec` remounts /sys, so a bpffs under /sys/fs/bpf mounted by one command is not seen
# by the next. The topology therefore mounts a bpffs of its own at $TOPO_PIN_DIR (in the host mount
# namespace, which every `ip netns exec` inherits); give xlbd and xlbctl `--pin-dir $TOPO_PIN_DIR`.

TOPO_ROOT=${TOPO_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
XLB_HTTP=${XLB_HTTP:-$TOPO_ROOT/build/xlb-http}
# The switch ports' XDP_PASS program (bpf/peer_pass.bpf.c).
TOPO_PASS_OBJ=${TOPO_PASS_OBJ:-$TOPO_ROOT/build/peer_pass.bpf.o}

TOPO_NODES="client dispatcher b1 b2 b3"
TOPO_BACKENDS="b1 b2 b3"

TOPO_VIP4=203.0.113.100
TOPO_VIP6=2001:db8:100::100
TOPO_NET4_LEN=24
TOPO_NET6_LEN=64

declare -gA TOPO_ADDR4=([client]=192.0.2.1 [dispatcher]=192.0.2.2 [dispatcher2]=192.0.2.3
		       [b1]=192.0.2.11 [b2]=192.0.2.12 [b3]=192.0.2.13 [router]=192.0.2.254
		       [b4]=198.51.100.130 [n1]=198.51.100.11 [n2]=198.51.100.12
		       [n3]=198.51.100.13)
declare -gA TOPO_ADDR6=([client]=2001:db8::1 [dispatcher]=2001:db8::2 [dispatcher2]=2001:db8::3
		       [b1]=2001:db8::11 [b2]=2001:db8::12 [b3]=2001:db8::13 [router]=2001:db8::fe
		       [b4]=2001:db8:2::14 [n1]=2001:db8:1::11 [n2]=2001:db8:1::12
		       [n3]=2001:db8:1::13)
# Far mode's second segment (br1: the dispatcher's eth1, the router's eth1) and the link behind
# the router (its eth2, b4): prefixes and addresses.
TOPO_NET2_4=198.51.100.0/25 TOPO_NET2_6=2001:db8:1::/64
declare -gA TOPO_NET2_ADDR4=([dispatcher]=198.51.100.1 [router]=198.51.100.126)
declare -gA TOPO_NET2_ADDR6=([dispatcher]=2001:db8:1::1 [router]=2001:db8:1::fe)
TOPO_FAR_NET4=198.51.100.128/25 TOPO_FAR_GW4=198.51.100.129
TOPO_FAR_NET6=2001:db8:2::/64 TOPO_FAR_GW6=2001:db8:2::1

# Fixed, locally administered MACs: output and captures read the same every run.
declare -gA TOPO_MAC=([client]=02:00:00:00:00:01 [dispatcher]=02:00:00:00:00:02
		     [dispatcher2]=02:00:00:00:00:03
		     [b1]=02:00:00:00:00:11 [b2]=02:00:00:00:00:12 [b3]=02:00:00:00:00:13
		     [router]=02:00:00:00:00:fe [b4]=02:00:00:00:00:14
		     [dispatcher-eth1]=02:00:00:00:01:02 [router-eth1]=02:00:00:00:01:fe
		     [n1]=02:00:00:00:01:11 [n2]=02:00:00:00:01:12 [n3]=02:00:00:00:01:13)
# Far mode's NAT backends: their servers' port (every other server's is 80).
declare -gA TOPO_PORT=([n1]=8000 [n2]=8000 [n3]=8000)
TOPO_NAT_BACKENDS="n1 n2 n3"

topo_log()
{
	echo "topology: $*" >&2
}

# Is there a namespace of exactly this name?
_topo_ns_exists()
{
	ip netns list | awk '{ print $1 }' | grep -qxF -- "$1"
}

_topo_check_id()
{
	if [[ ! $1 =~ ^[A-Za-z0-9_-]{1,24}$ ]]; then
		topo_log "bad run id '$1' (want [A-Za-z0-9_-], at most 24 chars)"
		return 1
	fi
}

# topo_ns ID NODE: the namespace NODE lives in.
topo_ns()
{
	local ns

	_topo_ns_v ns "$1" "$2" && echo "$ns"
}

# _topo_ns_v VAR ID NODE: topo_ns into VAR, without the fork of $(...): the polls call it
# through topo_exec and topo_xlbctl hundreds of times a suite, and a fork of this shell
# costs ~15 ms on a loaded 2-core machine.
_topo_ns_v()
{
	local id=$2 node=$3

	case $node in
	switch|sw)		printf -v "$1" %s "xlb$id-sw" ;;
	client|c)		printf -v "$1" %s "xlb$id-c" ;;
	dispatcher|disp|d)	printf -v "$1" %s "xlb$id-d" ;;
	dispatcher2|d2)		printf -v "$1" %s "xlb$id-d2" ;;
	d[0-9]*)		printf -v "$1" %s "xlb$id-$node" ;;	# a fleet's (tests/netns/bgp.sh)
	router|r)		printf -v "$1" %s "xlb$id-r" ;;
	b[0-9]*|n[0-9]*)	printf -v "$1" %s "xlb$id-$node" ;;
	*)
		topo_log "unknown node '$node'"
		return 1
		;;
	esac
}

# Callers use these; shellcheck cannot see that from here.
# shellcheck disable=SC2034
topo_vars()
{
	local id=$1

	_topo_check_id "$id" || return 1
	# the same id gives the same names: set already (the polls call this on every answer)
	[ "${TOPO_ID:-}" != "$id" ] || [ -z "${TOPO_NS_B3:-}" ] || return 0
	TOPO_ID=$id
	TOPO_DIR=/tmp/xlb$id
	TOPO_PIN_DIR=$TOPO_DIR/bpf
	# xlbd's control socket: the default under /run is shared by every namespace.
	TOPO_CONTROL=$TOPO_DIR/xlbd.sock
	# Pair mode's second dispatcher: two xlbd must never share pins or a socket.
	TOPO_PIN_DIR2=$TOPO_DIR/bpf2
	TOPO_CONTROL2=$TOPO_DIR/xlbd2.sock
	_topo_ns_v TOPO_NS_DISPATCHER2 "$id" dispatcher2
	_topo_ns_v TOPO_NS_SWITCH "$id" switch
	_topo_ns_v TOPO_NS_CLIENT "$id" client
	_topo_ns_v TOPO_NS_DISPATCHER "$id" dispatcher
	_topo_ns_v TOPO_NS_B1 "$id" b1
	_topo_ns_v TOPO_NS_B2 "$id" b2
	_topo_ns_v TOPO_NS_B3 "$id" b3
}

# topo_exec ID NODE CMD...
topo_exec()
{
	local id=$1 node=$2 ns

	shift 2
	_topo_ns_v ns "$id" "$node" || return 1
	ip netns exec "$ns" "$@"
}

# Run a command; on failure say which and fail, so topo_up reads as a list of steps.
_topo_do()
{
	local out

	if ! out=$("$@" 2>&1); then
		topo_log "failed: $*"
		[ -n "$out" ] && topo_log "  $out"
		return 1
	fi
}

# Set sysctls in a namespace; quiet, all or nothing.
_topo_sysctl()
{
	local ns=$1

	shift
	_topo_do ip netns exec "$ns" sysctl -qw "$@"
}

# Make a node's namespace, lo up.
_topo_add_ns()
{
	local ns

	ns=$(topo_ns "$1" "$2") || return 1
	_topo_do ip netns add "$ns" || return 1
	_topo_do ip -n "$ns" link set lo up || return 1
	# Before eth0 exists, so it inherits them: no DAD, no RAs, no router solicitations.
	_topo_sysctl "$ns" net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
		net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0 \
		net.ipv6.conf.default.router_solicitations=0
}

# Make a node namespace and wire its eth0 to the segment (br0).
_topo_add_node()
{
	local id=$1 node=$2

	_topo_add_ns "$id" "$node" || return 1
	_topo_wire "$id" "$node" eth0 br0 "$node" "${TOPO_MAC[$node]}" \
		"${TOPO_ADDR4[$node]}/$TOPO_NET4_LEN" "${TOPO_ADDR6[$node]}/$TOPO_NET6_LEN"
}

# _topo_wire ID NODE IFACE BRIDGE PORT MAC ADDR4/LEN ADDR6/LEN: NODE's IFACE on BRIDGE, through
# a switch-side port named PORT, with that MAC and those addresses.
_topo_wire()
{
	local id=$1 node=$2 ifc=$3 br=$4 port=$5 mac=$6 a4=$7 a6=$8 sw ns

	sw=$(topo_ns "$id" switch)
	ns=$(topo_ns "$id" "$node")
	# Create the pair in the switch namespace with the peer born in the node's: nothing ever
	# appears in the host's namespace.
	# "name": a bare "ip link add b1" would be fine, but "ip link add a" means "address".
	_topo_do ip -n "$sw" link add name "$port" type veth peer name "$ifc" netns "$ns" ||
		return 1
	_topo_do ip -n "$sw" link set dev "$port" master "$br" up || return 1
	# XDP_TX on the node's side lands in this peer, which must run XDP for it to be delivered
	# (see the top of this file), and so must the peer of an XDP_REDIRECT's target. Every
	# port gets it, so any node can run an XDP program.
	_topo_do ip -n "$sw" link set dev "$port" xdpdrv obj "$TOPO_PASS_OBJ" sec xdp ||
		return 1
	# Full checksums on the wire (see the top of this file).
	_topo_do ip netns exec "$ns" ethtool -K "$ifc" tx off || return 1

	_topo_do ip -n "$ns" link set "$ifc" address "$mac" || return 1
	_topo_do ip -n "$ns" addr add "$a4" dev "$ifc" || return 1
	_topo_do ip -n "$ns" addr add "$a6" dev "$ifc" nodad || return 1
	_topo_do ip -n "$ns" link set "$ifc" up || return 1
}

_topo_add_backend()
{
	local id=$1 node=$2 ns

	ns=$(topo_ns "$id" "$node")
	# DSR: the VIPs live on lo so the backend accepts them, but it must neither answer ARP for
	# the IPv4 VIP on eth0 (arp_ignore) nor source ARP requests from it (arp_announce). IPv6
	# needs nothing: Linux answers NS only for addresses on the receiving interface.
	_topo_sysctl "$ns" net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2 \
		net.ipv4.conf.eth0.arp_ignore=1 net.ipv4.conf.eth0.arp_announce=2 || return 1
	_topo_do ip -n "$ns" addr add "$TOPO_VIP4/32" dev lo || return 1
	_topo_do ip -n "$ns" addr add "$TOPO_VIP6/128" dev lo nodad || return 1
	_topo_serve "$ns" "$node"
}

# _topo_serve NS NODE: NODE's server (on port TOPO_PORT[NODE], default 80), its output appended
# to $TOPO_DIR/NODE.log, its pid in $TOPO_DIR/NODE.pid and in TOPO_SERVE_PID. TOPO_SERVE_IDLE_MS
# set: how long it keeps a silent keep-alive connection (xlb-http's default, 5 s, otherwise).
_topo_serve()
{
	local ns=$1 node=$2

	ip netns exec "$ns" "$XLB_HTTP" serve --name "$node" --port "${TOPO_PORT[$node]:-80}" \
		--log "$TOPO_DIR/$node.access" ${TOPO_SERVE_IDLE_MS:+--idle-ms "$TOPO_SERVE_IDLE_MS"} \
		>>"$TOPO_DIR/$node.log" 2>&1 </dev/null &
	TOPO_SERVE_PID=$!
	echo "$TOPO_SERVE_PID" >"$TOPO_DIR/$node.pid"
}

# Far mode (see the top): the second segment (br1) with the dispatcher's eth1 and the router on
# it, b4 behind the router, the routes.
_topo_add_far()
{
	local id=$1 sw r b4 d n4=${TOPO_NET2_4#*/} n6=${TOPO_NET2_6#*/} f4=${TOPO_FAR_NET4#*/}
	local f6=${TOPO_FAR_NET6#*/} n

	sw=$(topo_ns "$id" switch)
	r=$(topo_ns "$id" router)
	b4=$(topo_ns "$id" b4)
	d=$(topo_ns "$id" dispatcher)
	_topo_do ip -n "$sw" link add br1 type bridge stp_state 0 forward_delay 0 \
		mcast_snooping 0 || return 1
	_topo_do ip -n "$sw" link set br1 up || return 1
	_topo_wire "$id" dispatcher eth1 br1 dispatcher-eth1 "${TOPO_MAC[dispatcher-eth1]}" \
		"${TOPO_NET2_ADDR4[dispatcher]}/$n4" "${TOPO_NET2_ADDR6[dispatcher]}/$n6" || return 1
	_topo_add_node "$id" router || return 1
	_topo_wire "$id" router eth1 br1 router-eth1 "${TOPO_MAC[router-eth1]}" \
		"${TOPO_NET2_ADDR4[router]}/$n4" "${TOPO_NET2_ADDR6[router]}/$n6" || return 1

	# b4's link to the router: a veth pair of their own.
	_topo_add_ns "$id" b4 || return 1
	_topo_do ip -n "$r" link add name eth2 type veth peer name eth0 netns "$b4" || return 1
	# Full checksums on the wire here too (see the top of this file).
	_topo_do ip netns exec "$r" ethtool -K eth2 tx off || return 1
	_topo_do ip netns exec "$b4" ethtool -K eth0 tx off || return 1
	_topo_do ip -n "$b4" link set eth0 address "${TOPO_MAC[b4]}" || return 1
	_topo_do ip -n "$r" addr add "$TOPO_FAR_GW4/$f4" dev eth2 || return 1
	_topo_do ip -n "$r" addr add "$TOPO_FAR_GW6/$f6" dev eth2 nodad || return 1
	_topo_do ip -n "$b4" addr add "${TOPO_ADDR4[b4]}/$f4" dev eth0 || return 1
	_topo_do ip -n "$b4" addr add "${TOPO_ADDR6[b4]}/$f6" dev eth0 nodad || return 1
	_topo_do ip -n "$r" link set eth2 up || return 1
	_topo_do ip -n "$b4" link set eth0 up || return 1
	# A router: it forwards, and neither the tunnelled packets (from the dispatcher's eth0
	# address, in on eth1) nor b4's replies (from the VIP) may fail a reverse-path check.
	_topo_sysctl "$r" net.ipv4.conf.all.forwarding=1 net.ipv6.conf.all.forwarding=1 \
		net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.eth0.rp_filter=0 \
		net.ipv4.conf.eth1.rp_filter=0 net.ipv4.conf.eth2.rp_filter=0 || return 1
	_topo_do ip -n "$b4" route add default via "$TOPO_FAR_GW4" || return 1
	_topo_do ip -n "$b4" -6 route add default via "$TOPO_FAR_GW6" || return 1
	_topo_do ip -n "$d" route add "$TOPO_FAR_NET4" via "${TOPO_NET2_ADDR4[router]}" ||
		return 1
	_topo_do ip -n "$d" -6 route add "$TOPO_FAR_NET6" via "${TOPO_NET2_ADDR6[router]}" ||
		return 1
	_topo_add_backend "$id" b4 || return 1
	for n in $TOPO_NAT_BACKENDS; do
		_topo_add_nat_backend "$id" "$n" || return 1
	done
}

# _topo_add_nat_backend ID NODE: a NAT backend on br1, routing everything via the dispatcher.
_topo_add_nat_backend()
{
	local id=$1 node=$2 ns

	ns=$(topo_ns "$id" "$node")
	_topo_add_ns "$id" "$node" || return 1
	_topo_wire "$id" "$node" eth0 br1 "$node" "${TOPO_MAC[$node]}" \
		"${TOPO_ADDR4[$node]}/${TOPO_NET2_4#*/}" "${TOPO_ADDR6[$node]}/${TOPO_NET2_6#*/}" ||
		return 1
	_topo_do ip -n "$ns" route add default via "${TOPO_NET2_ADDR4[dispatcher]}" || return 1
	_topo_do ip -n "$ns" -6 route add default via "${TOPO_NET2_ADDR6[dispatcher]}" || return 1
	_topo_serve "$ns" "$node"
}

# Is far mode asked for (TOPO_FAR=1)?
_topo_far()
{
	[ "${TOPO_FAR:-0}" = 1 ]
}

# The pid of NODE's server from its pid file, if that process still is xlb-http.
_topo_server_pid()
{
	local node=$1 pid

	pid=$(cat "$TOPO_DIR/$node.pid" 2>/dev/null) || return 1
	[[ $pid =~ ^[0-9]+$ ]] && grep -qa xlb-http "/proc/$pid/cmdline" 2>/dev/null || return 1
	echo "$pid"
}

# Callers read TOPO_KILL_US / TOPO_START_US; shellcheck cannot see that from here.
# shellcheck disable=SC2034
# topo_backend_kill ID NODE [SIG]: stop NODE's server by its saved pid with SIG (default KILL,
# a crash: the kernel closes its sockets, nothing is said to the clients first) and wait until
# it is gone (3 s at most). TOPO_KILL_US is the wall-clock time, in us, just before the signal.
topo_backend_kill()
{
	local id=$1 node=$2 sig=${3:-KILL} pid i

	topo_vars "$id" || return 1
	if ! pid=$(_topo_server_pid "$node"); then
		topo_log "$node: no xlb-http server running"
		return 1
	fi
	# A job of this shell that dies of a signal is announced on stderr ("Killed"); one
	# disowned is not, and is still reaped. Not our job (started in a subshell): no matter.
	disown "$pid" 2>/dev/null
	TOPO_KILL_US=${EPOCHREALTIME/./}
	kill -"$sig" "$pid" || return 1
	for ((i = 0; i < 300; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.01
	done
	topo_log "$node: server $pid still running 3 s after SIG$sig"
	return 1
}

# shellcheck disable=SC2034
# topo_backend_start ID NODE: start NODE's server again, as topo_up does (its log appended to),
# and wait until it listens (5 s at most). TOPO_START_US is the wall-clock time, in us, just
# before it was started.
topo_backend_start()
{
	local id=$1 node=$2 ns pid i

	topo_vars "$id" || return 1
	ns=$(topo_ns "$id" "$node") || return 1
	if pid=$(_topo_server_pid "$node"); then
		topo_log "$node: server $pid is already running"
		return 1
	fi
	TOPO_START_US=${EPOCHREALTIME/./}
	_topo_serve "$ns" "$node"
	pid=$TOPO_SERVE_PID
	for ((i = 0; i < 250; i++)); do
		_topo_listening "$id" "$node" && return 0
		if ! kill -0 "$pid" 2>/dev/null; then
			topo_log "$node: xlb-http serve died: $(tail -n 3 "$TOPO_DIR/$node.log")"
			return 1
		fi
		sleep 0.02
	done
	topo_log "$node: xlb-http serve not listening after 5 s"
	return 1
}

# _topo_listening ID NODE: does NODE's server listen on its port?
_topo_listening()
{
	[ -n "$(topo_exec "$1" "$2" ss -Htln "sport = :${TOPO_PORT[$2]:-80}")" ]
}

# _topo_wait_servers ID NODE...: wait until each backend listens on its port (5 s at most).
_topo_wait_servers()
{
	local id=$1 node i

	shift
	for node in "$@"; do
		# Polled every 20 ms: a topology starts three servers, each up in a few ms.
		for ((i = 0; i < 250; i++)); do
			_topo_listening "$id" "$node" && break
			if ! kill -0 "$(cat "$TOPO_DIR/$node.pid")" 2>/dev/null; then
				topo_log "$node: xlb-http serve died: $(cat "$TOPO_DIR/$node.log")"
				return 1
			fi
			sleep 0.02
		done
		if ((i == 250)); then
			topo_log "$node: xlb-http serve not listening after 5 s"
			return 1
		fi
	done
}

# Is pair mode asked for (TOPO_PAIR=1)?
_topo_pair()
{
	[ "${TOPO_PAIR:-0}" = 1 ]
}

_topo_build()
{
	local id=$1 node sw nodes=$TOPO_NODES

	topo_vars "$id" || return 1
	sw=$TOPO_NS_SWITCH
	_topo_do mkdir -p "$TOPO_PIN_DIR" || return 1
	_topo_do mount -t bpf bpf "$TOPO_PIN_DIR" || return 1
	if _topo_pair; then
		nodes="$nodes dispatcher2"
		_topo_do mkdir -p "$TOPO_PIN_DIR2" || return 1
		_topo_do mount -t bpf bpf "$TOPO_PIN_DIR2" || return 1
	fi
	if [ ! -f "$TOPO_PASS_OBJ" ]; then
		topo_log "missing $TOPO_PASS_OBJ (make builds it)"
		return 1
	fi

	_topo_do ip netns add "$sw" || return 1
	_topo_do ip -n "$sw" link set lo up || return 1
	# The switch is pure L2: no IPv6 of its own chattering on the segment.
	_topo_sysctl "$sw" net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 ||
		return 1
	# No STP delay before ports forward; no multicast snooping, which would hold back ND and
	# VRRP multicast until a querier shows up.
	_topo_do ip -n "$sw" link add br0 type bridge stp_state 0 forward_delay 0 \
		mcast_snooping 0 || return 1
	_topo_do ip -n "$sw" link set br0 up || return 1

	for node in $nodes; do
		_topo_add_node "$id" "$node" || return 1
	done

	if _topo_pair; then
		# A veth takes frames for any MAC, and XDP sees them before the kernel's MAC
		# check; a NIC drops them in hardware. A unicast frame for the other dispatcher's
		# MAC, flooded while the bridge does not know where that lives (say after its port
		# went down), would be forwarded by this one's XDP program: no outage would ever
		# show. So the bridge floods no unknown unicast to the dispatchers, as if each had
		# a real NIC.
		for node in dispatcher dispatcher2; do
			_topo_do ip netns exec "$sw" bridge link set dev "$node" flood off ||
				return 1
		done
		# On-link: whoever holds the VIP answers ARP / ND for it.
		_topo_do ip -n "$TOPO_NS_CLIENT" route add "$TOPO_VIP4/32" dev eth0 || return 1
		_topo_do ip -n "$TOPO_NS_CLIENT" -6 route add "$TOPO_VIP6/128" dev eth0 || return 1
	else
		_topo_do ip -n "$TOPO_NS_CLIENT" route add "$TOPO_VIP4/32" \
			via "${TOPO_ADDR4[dispatcher]}" || return 1
		_topo_do ip -n "$TOPO_NS_CLIENT" -6 route add "$TOPO_VIP6/128" \
			via "${TOPO_ADDR6[dispatcher]}" || return 1
	fi

	for node in $TOPO_BACKENDS; do
		_topo_add_backend "$id" "$node" || return 1
	done
	# shellcheck disable=SC2086 # a list of names
	if _topo_far; then
		_topo_add_far "$id" || return 1
		_topo_wait_servers "$id" $TOPO_BACKENDS b4 $TOPO_NAT_BACKENDS
	else
		_topo_wait_servers "$id" $TOPO_BACKENDS
	fi
}

# topo_up ID: build the topology and start the backend servers. Returns non-zero (having torn
# down whatever it built) on failure.
topo_up()
{
	local id=$1

	topo_vars "$id" || return 1
	# Refuse before building anything: tearing down now would hit someone else's run.
	if _topo_ns_exists "$TOPO_NS_SWITCH" || [ -e "$TOPO_DIR" ]; then
		topo_log "run id $id in use ($TOPO_NS_SWITCH or $TOPO_DIR exists)"
		return 1
	fi
	if [ ! -x "$XLB_HTTP" ]; then
		topo_log "no xlb-http at $XLB_HTTP (build it, or set XLB_HTTP)"
		return 1
	fi
	if ! _topo_build "$id"; then
		topo_down "$id"
		return 1
	fi
}

# Stop a pid we started: SIGTERM, up to 3 s, then SIGKILL. Reaps it when it is our child.
_topo_stop_pid()
{
	local pid=$1 i

	kill -TERM "$pid" 2>/dev/null || return 0
	# Polled every 10 ms: most exit within a few, and every test stops several.
	for ((i = 0; i < 300; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.01
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

# topo_down ID: undo topo_up, whatever state it got to. Idempotent.
topo_down()
{
	local id=$1 node ns pidfile pid cmd

	_topo_check_id "$id" || return 1
	topo_vars "$id"

	# Each dispatcher's xlbd started here and not stopped, then keepalived, by their pids:
	# xlbd first, so it detaches cleanly.
	for node in "${!TOPO_XLBD_PID[@]}"; do
		[ -n "${TOPO_XLBD_PID[$node]}" ] && [ "${TOPO_XLBD_ID[$node]}" = "$id" ] &&
			topo_xlbd_stop "$node" TERM 5
	done
	for node in "${!TOPO_KA_PID[@]}"; do
		[ -n "${TOPO_KA_PID[$node]}" ] && [ "${TOPO_KA_ID[$node]}" = "$id" ] &&
			topo_keepalived_stop "$node" TERM 5
	done

	# The servers topo_up started, by their saved pids, if those still are xlb-http.
	for pidfile in "$TOPO_DIR"/*.pid; do
		[ -f "$pidfile" ] || continue
		pid=$(cat "$pidfile")
		if [[ $pid =~ ^[0-9]+$ ]] &&
		   grep -qa xlb-http "/proc/$pid/cmdline" 2>/dev/null; then
			_topo_stop_pid "$pid"
		fi
		rm -f "$pidfile"
	done

	# dispatcher2, router, b4 and the NAT backends whatever the mode: only what exists is
	# touched.
	for node in $TOPO_NODES dispatcher2 router b4 $TOPO_NAT_BACKENDS switch; do
		ns=$(topo_ns "$id" "$node")
		_topo_ns_exists "$ns" || continue
		# Anything else left running in our namespaces (an xlbd whose script died) would
		# keep the namespace alive after its name is gone.
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)
			topo_log "$node: stopping leftover pid $pid ($cmd)"
			_topo_stop_pid "$pid"
		done
		ip netns del "$ns" 2>/dev/null
	done

	if [ -d "$TOPO_DIR" ]; then
		mountpoint -q "$TOPO_PIN_DIR" && umount "$TOPO_PIN_DIR"
		mountpoint -q "$TOPO_PIN_DIR2" && umount "$TOPO_PIN_DIR2"
		# Only what we made: the pin dirs must be unmounted before anything is removed.
		if mountpoint -q "$TOPO_PIN_DIR"; then
			topo_log "could not unmount $TOPO_PIN_DIR; left in place"
		elif mountpoint -q "$TOPO_PIN_DIR2"; then
			topo_log "could not unmount $TOPO_PIN_DIR2; left in place"
		else
			rm -rf -- "$TOPO_DIR"
		fi
	fi
	return 0
}

# ---- xlbd on a dispatcher, keepalived --------------------------------------------------------

XLBD=${XLBD:-$TOPO_ROOT/build/xlbd}
XLBCTL=${XLBCTL:-$TOPO_ROOT/build/xlbctl}
KEEPALIVED=${KEEPALIVED:-keepalived}

# Per dispatcher node (dispatcher; dispatcher2 in pair mode): xlbd's pid (empty once stopped),
# its log (appended to across restarts), the log's length in lines when it was last started, and
# the run id it belongs to. keepalived's pid, run id and log per node.
declare -gA TOPO_XLBD_PID=() TOPO_XLBD_LOG=() TOPO_XLBD_MARK=() TOPO_XLBD_ID=()
declare -gA TOPO_KA_PID=() TOPO_KA_ID=() TOPO_KA_LOG=()

# _topo_dispatcher NODE: the dispatcher's canonical name (dispatcher, dispatcher2), or fail.
_topo_dispatcher()
{
	case $1 in
	dispatcher|disp|d)	echo dispatcher ;;
	dispatcher2|d2)		echo dispatcher2 ;;
	*)
		topo_log "not a dispatcher: '$1'"
		return 1
		;;
	esac
}

# topo_node_pin_dir NODE, topo_node_control NODE: a dispatcher's pin dir and control socket
# (after topo_vars).
topo_node_pin_dir()
{
	_topo_node_pick "$1" "$TOPO_PIN_DIR" "$TOPO_PIN_DIR2"
}

topo_node_control()
{
	_topo_node_pick "$1" "$TOPO_CONTROL" "$TOPO_CONTROL2"
}

# _topo_node_pick NODE FIRST SECOND: FIRST for the dispatcher, SECOND for dispatcher2.
_topo_node_pick()
{
	local node

	node=$(_topo_dispatcher "$1") || return 1
	if [ "$node" = dispatcher2 ]; then
		echo "$3"
	else
		echo "$2"
	fi
}

# Is pid (a process this shell started) still running?
_topo_alive()
{
	[ -n "$1" ] && kill -0 "$1" 2>/dev/null
}

# _topo_signal_wait PID SIG TIMEOUT_S: signal a child of this shell and reap it, SIGKILL after
# TIMEOUT_S. TOPO_SIG_US: the wall clock, in us, just before the signal; TOPO_RC: its exit code.
# Returns 1 when it had to be killed. All in one block with stderr to /dev/null: bash announces
# a job that died of a signal ("Killed") at the next command, unless it is reaped first.
# Callers read TOPO_SIG_US; shellcheck cannot see that from here.
# shellcheck disable=SC2034
_topo_signal_wait()
{
	local pid=$1 sig=$2 timeout=$3 i killed=0

	{
		TOPO_SIG_US=${EPOCHREALTIME/./}
		kill -"$sig" "$pid"
		for ((i = 0; i < timeout * 100; i++)); do
			_topo_alive "$pid" || break
			sleep 0.01
		done
		if _topo_alive "$pid"; then
			killed=1
			kill -KILL "$pid"
		fi
		wait "$pid"
		TOPO_RC=$?
	} 2>/dev/null
	return $killed
}

# _topo_tail FILE N: FILE's last N lines, indented, on stderr (nothing when there is no FILE).
_topo_tail()
{
	[ -f "$1" ] || return 0
	echo "  --- last lines of $1:" >&2
	tail -n "$2" "$1" | sed 's/^/  | /' >&2
}

# topo_xlbd_log_begin ID NODE WHAT: the log of NODE's next xlbd, $TOPO_DIR/xlbd-NODE.log, marked
# where this start begins; for a caller that starts xlbd its own way (then appends to
# TOPO_XLBD_LOG[NODE] and sets TOPO_XLBD_PID[NODE]). Fails if NODE's xlbd still runs.
topo_xlbd_log_begin()
{
	local id=$1 node=$2 log

	topo_vars "$id" || return 1
	if _topo_alive "${TOPO_XLBD_PID[$node]:-}"; then
		topo_log "$node: xlbd ${TOPO_XLBD_PID[$node]} is already running"
		return 1
	fi
	log=$TOPO_DIR/xlbd-$node.log
	echo "=== topology: xlbd $3 (${EPOCHREALTIME})" >>"$log"
	TOPO_XLBD_LOG[$node]=$log
	TOPO_XLBD_MARK[$node]=$(wc -l <"$log")
	TOPO_XLBD_ID[$node]=$id
}

# topo_xlbd_start ID NODE CONFIG [XLBD ARGS...]: start xlbd on dispatcher NODE with that node's
# pin dir and control socket. Its pid in TOPO_XLBD_PID[NODE], its log TOPO_XLBD_LOG[NODE]
# (topo_xlbd_log_begin). Call it directly, never in $(...): the stop needs xlbd to be this
# shell's child to learn its exit code.
topo_xlbd_start()
{
	local id=$1 node config=$3 ns

	node=$(_topo_dispatcher "$2") || return 1
	shift 3
	topo_xlbd_log_begin "$id" "$node" "-c $config $*" || return 1
	ns=$(topo_ns "$id" "$node")
	# `ip netns exec` itself, not topo_exec: a function would run in a forked subshell and $!
	# would be that shell's pid, not xlbd's. ip execs the command, so $! is xlbd.
	ip netns exec "$ns" "$XLBD" -c "$config" --pin-dir "$(topo_node_pin_dir "$node")" \
		--control "$(topo_node_control "$node")" "$@" >>"${TOPO_XLBD_LOG[$node]}" 2>&1 \
		</dev/null &
	TOPO_XLBD_PID[$node]=$!
}

# topo_xlbd_log NODE: what NODE's xlbd logged since its last start.
topo_xlbd_log()
{
	local node

	node=$(_topo_dispatcher "$1") || return 1
	tail -n +$((${TOPO_XLBD_MARK[$node]:-0} + 1)) "${TOPO_XLBD_LOG[$node]:-/dev/null}" 2>/dev/null
}

# topo_xlbd_wait_ready NODE [TIMEOUT_S]: wait for "xlbd: ready" in what NODE's xlbd logged since
# its last start. Fails when it exits first or the time runs out (default 10 s).
topo_xlbd_wait_ready()
{
	local node timeout=${2:-10} i pid

	node=$(_topo_dispatcher "$1") || return 1
	pid=${TOPO_XLBD_PID[$node]:-}
	for ((i = 0; i < timeout * 50; i++)); do
		topo_xlbd_log "$node" | grep -q 'xlbd: ready' && return 0
		if ! _topo_alive "$pid"; then
			topo_log "$node: xlbd exited before it was ready"
			return 1
		fi
		sleep 0.02
	done
	topo_log "$node: xlbd not ready after ${timeout} s"
	return 1
}

# topo_xlbd_stop NODE [SIG] [TIMEOUT_S]: send SIG (default TERM; KILL is a crash: no priority-0
# advert, the virtual addresses and the XDP program stay behind) and wait until xlbd is gone
# (default 5 s, then SIGKILL). TOPO_SIG_US is the wall clock, in us, just before the signal.
# Returns xlbd's exit code (128 + signal when a signal ended it).
topo_xlbd_stop()
{
	local node

	node=$(_topo_dispatcher "$1") || return 1
	_topo_stop TOPO_XLBD_PID xlbd "$node" "${2:-TERM}" "${3:-5}"
}

# _topo_stop PIDS WHAT NODE SIG TIMEOUT_S: stop NODE's WHAT, whose pid is PIDS[NODE] (then
# empty), with _topo_signal_wait. Returns its exit code.
_topo_stop()
{
	local -n pids=$1
	local what=$2 node=$3 sig=$4 timeout=$5 pid=${pids[$3]:-}

	[ -n "$pid" ] || return 0
	# shellcheck disable=SC2004 # pids names an associative array
	pids[$node]=
	_topo_signal_wait "$pid" "$sig" "$timeout" || topo_log "$node: $what still running" \
		"${timeout} s after SIG$sig; killed it"
	return $TOPO_RC
}

# topo_xlbd_log_tail NODE [N]: the last N (20) lines of NODE's xlbd log, indented, on stderr.
topo_xlbd_log_tail()
{
	local node

	node=$(_topo_dispatcher "$1") || return 1
	_topo_tail "${TOPO_XLBD_LOG[$node]:-}" "${2:-20}"
}

# topo_xlbctl ID NODE ARGS...: xlbctl in dispatcher NODE, on that node's pins and socket.
topo_xlbctl()
{
	local id=$1 node pin ctl

	topo_vars "$id" || return 1
	case $2 in
	dispatcher|disp|d)	node=dispatcher pin=$TOPO_PIN_DIR ctl=$TOPO_CONTROL ;;
	dispatcher2|d2)		node=dispatcher2 pin=$TOPO_PIN_DIR2 ctl=$TOPO_CONTROL2 ;;
	*)
		_topo_dispatcher "$2"
		return 1
		;;
	esac
	shift 2
	topo_exec "$id" "$node" "$XLBCTL" --pin-dir "$pin" --control "$ctl" "$@"
}

# topo_keepalived_start ID NODE CONFIG: keepalived's VRRP subsystem in NODE's namespace, in the
# foreground (-n), logging to $TOPO_DIR/keepalived-NODE.log (TOPO_KA_LOG[NODE]), with pid files
# of its own under $TOPO_DIR so it neither reads nor writes anything of the host's keepalived. Its
# pid (the parent; it forks the VRRP child) in TOPO_KA_PID[NODE]. Call it directly, not in $(...).
# shellcheck disable=SC2034
topo_keepalived_start()
{
	local id=$1 node=$2 config=$3 ns log

	topo_vars "$id" || return 1
	ns=$(topo_ns "$id" "$node") || return 1
	if _topo_alive "${TOPO_KA_PID[$node]:-}"; then
		topo_log "$node: keepalived ${TOPO_KA_PID[$node]} is already running"
		return 1
	fi
	if ! command -v "$KEEPALIVED" >/dev/null; then
		topo_log "no $KEEPALIVED (apt-get install keepalived)"
		return 1
	fi
	log=$TOPO_DIR/keepalived-$node.log
	TOPO_KA_LOG[$node]=$log
	TOPO_KA_ID[$node]=$id
	echo "=== topology: keepalived -f $config (${EPOCHREALTIME})" >>"$log"
	# -P: VRRP only; -n: no daemonising, so $! stays the parent; -l -D -G: detailed log on
	# the console, nothing to syslog.
	ip netns exec "$ns" "$KEEPALIVED" -P -n -l -D -G -f "$config" \
		-p "$TOPO_DIR/keepalived-$node.pid" -r "$TOPO_DIR/keepalived-vrrp-$node.pid" \
		>>"$log" 2>&1 </dev/null &
	TOPO_KA_PID[$node]=$!
}

# topo_keepalived_log_tail NODE [N]: the last N (20) lines of NODE's keepalived log, on stderr.
topo_keepalived_log_tail()
{
	_topo_tail "${TOPO_KA_LOG[$1]:-}" "${2:-20}"
}

# topo_keepalived_stop NODE [SIG] [TIMEOUT_S]: SIG (TERM: its VRRP child sends priority 0 and
# removes the addresses) to the parent, then wait until it has gone (default 5 s, then SIGKILL).
# TOPO_SIG_US as topo_xlbd_stop. Returns keepalived's exit code.
topo_keepalived_stop()
{
	_topo_stop TOPO_KA_PID keepalived "$1" "${2:-TERM}" "${3:-5}"
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
	cmd=${1:-}
	id=${2:-$$}
	case $cmd in
	up)
		topo_up "$id" && echo "topology $id up; tear down with: $0 down $id"
		;;
	down)
		topo_down "$id"
		;;
	*)
		echo "usage: $0 up|down [ID]" >&2
		exit 2
		;;
	esac
fi
