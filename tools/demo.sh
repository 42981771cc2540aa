#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# `make demo`: xlb balancing real HTTP traffic between network namespaces.
#
# Builds nothing (make has built build/xlbd, build/xlbctl, build/xlb-http). Brings up the
# topology of tools/topology.sh, starts xlbd in the dispatcher with configs/demo.yaml, sends
# requests from the client to the VIP, shows where they went, what xlbctl says and a few of the
# metrics xlbd serves to Prometheus, stops xlbd and removes everything it made, also when
# interrupted or when a step fails.
#
# Environment: BUILD (build dir), XLB_DEMO_CONFIG, XLB_DEMO_REQUESTS, XLB_RUN_ID.
set -u

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
XLBD=$BUILD/xlbd
XLBCTL=$BUILD/xlbctl
XLB_HTTP=$BUILD/xlb-http
CONFIG=${XLB_DEMO_CONFIG:-$ROOT/configs/demo.yaml}
REQUESTS=${XLB_DEMO_REQUESTS:-600}
ID=${XLB_RUN_ID:-$$}

# shellcheck source=tools/topology.sh
. "$ROOT/tools/topology.sh"

# Bold headings on a terminal, plain ones in a log.
if [ -t 1 ]; then
	BOLD=$'\033[1m' PLAIN=$'\033[0m'
else
	BOLD='' PLAIN=''
fi

heading()
{
	printf '\n%s== %s%s\n' "$BOLD" "$*" "$PLAIN"
}

die()
{
	echo "demo: $*" >&2
	exit 1
}

cleanup()
{
	local rc=$?

	trap - EXIT INT TERM
	if [ -n "${TOPO_XLBD_PID[dispatcher]:-}" ]; then
		# Failed half-way: show why before the log goes with the topology.
		topo_xlbd_log_tail dispatcher 20
		topo_xlbd_stop dispatcher TERM 5
	fi
	topo_down "$ID"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

[ "$(id -u)" = 0 ] || die "needs root (network namespaces, XDP)"
for bin in "$XLBD" "$XLBCTL" "$XLB_HTTP"; do
	[ -x "$bin" ] || die "missing $bin (run: make demo)"
done
[ -f "$CONFIG" ] || die "missing $CONFIG"

heading "Topology (run id $ID)"
topo_up "$ID" || die "could not build the topology"
cat <<EOF
  client      ${TOPO_ADDR4[client]}  ${TOPO_ADDR6[client]}   routes $TOPO_VIP4 via the dispatcher
  dispatcher  ${TOPO_ADDR4[dispatcher]}  ${TOPO_ADDR6[dispatcher]}   xlbd, XDP on eth0
  b1 b2 b3    ${TOPO_ADDR4[b1]}-13 ${TOPO_ADDR6[b1]}-13  xlb-http; VIPs on lo;
                                             reply straight to the client (DSR)
  namespaces: $TOPO_NS_CLIENT $TOPO_NS_DISPATCHER ${TOPO_NS_B1%1}{1,2,3}, bridge in $TOPO_NS_SWITCH
EOF

heading "Starting xlbd"
echo "  xlbd -c ${CONFIG#"$ROOT"/} --pin-dir $TOPO_PIN_DIR --control $TOPO_CONTROL"
echo "  (log: $TOPO_DIR/xlbd-dispatcher.log)"
topo_xlbd_start "$ID" dispatcher "$CONFIG"
topo_xlbd_wait_ready dispatcher 10 || die "xlbd did not come up"
topo_xlbd_log dispatcher | grep -m1 'xlbd: ready' | sed 's/^/  /'
topo_exec "$ID" dispatcher ip -d link show dev eth0 | grep -o 'prog/xdp.*' | sed 's/^/  eth0: /'

heading "Traffic: $REQUESTS HTTP requests from the client to $TOPO_VIP4:80, one connection each"
topo_exec "$ID" client "$XLB_HTTP" get --url-host "$TOPO_VIP4" --port 80 --count "$REQUESTS" |
	sed 's/^/  /'
rc=${PIPESTATUS[0]}
[ "$rc" = 0 ] || echo "  (some requests failed)"

heading "xlbctl backends"
topo_xlbctl "$ID" dispatcher backends | sed 's/^/  /'

heading "xlbctl stats"
topo_xlbctl "$ID" dispatcher stats | sed 's/^/  /'

# The config's metrics.listen (configs/demo.yaml has one), scraped from inside the dispatcher.
listen=$(sed -n '/^metrics:/,/^[a-z]/s/^ *listen: *["'\'']*\([^"'\'' ]*\).*/\1/p' "$CONFIG")
if [ -n "$listen" ]; then
	host=${listen%:*} host=${host#[} host=${host%]}
	heading "Prometheus metrics: http://$listen/metrics (a few of them)"
	topo_exec "$ID" dispatcher "$XLB_HTTP" fetch --url-host "$host" --port "${listen##*:}" |
		grep -E '^xlb_(vip_new_flows_total|backend_new_flows_total|backend_up|packets_total)' |
		grep -v ' 0$' | sed 's/^/  /'
fi

heading "Stopping xlbd (SIGTERM)"
topo_xlbd_stop dispatcher TERM 5
xrc=$?
if [ "$xrc" != 0 ]; then
	topo_xlbd_log_tail dispatcher 20
	die "xlbd exited with $xrc"
fi
echo "  xlbd exited 0"
if topo_exec "$ID" dispatcher ip -d link show dev eth0 | grep -q 'prog/xdp'; then
	die "XDP program still attached to eth0 after xlbd stopped"
fi
echo "  eth0: no XDP program attached"

heading "Teardown"
topo_down "$ID"
echo "  namespaces and $TOPO_DIR removed"
[ "$rc" = 0 ] || die "$REQUESTS requests: not all answered"

# ---- The hot-standby pair: configs/pair-a.yaml and pair-b.yaml, the master's link cut --------
ID=$ID-pair
heading "The pair (run id $ID): dispatchers A ${TOPO_ADDR4[dispatcher]} and B ${TOPO_ADDR4[dispatcher2]}"
TOPO_PAIR=1 topo_up "$ID" || die "could not build the pair topology"
(umask 077 && head -c 32 /dev/urandom >"$TOPO_DIR/sync.key")
sed "s|/etc/xlb/sync.key|$TOPO_DIR/sync.key|" "$ROOT/configs/pair-a.yaml" >"$TOPO_DIR/a.yaml"
sed "s|/etc/xlb/sync.key|$TOPO_DIR/sync.key|" "$ROOT/configs/pair-b.yaml" >"$TOPO_DIR/b.yaml"
echo "  the client reaches $TOPO_VIP4 on-link: whoever holds it (VRRP master) answers ARP"
topo_xlbd_start "$ID" dispatcher "$TOPO_DIR/a.yaml"
topo_xlbd_wait_ready dispatcher 10 || die "xlbd on A did not come up"
topo_xlbd_start "$ID" dispatcher2 "$TOPO_DIR/b.yaml"
topo_xlbd_wait_ready dispatcher2 10 || die "xlbd on B did not come up"
for ((i = 0; i < 50; i++)); do
	topo_xlbctl "$ID" dispatcher --json state | grep -q '"state":"MASTER"' && break
	sleep 0.1
done
echo "  A: $(topo_xlbctl "$ID" dispatcher state | head -1)"
echo "  B: $(topo_xlbctl "$ID" dispatcher2 state | head -1)"

heading "A client probes the VIP every 5 ms for 3 s; after 1 s A's link goes down"
topo_exec "$ID" client "$BUILD/xlb-probe" --addr "$TOPO_VIP4" --port 80 --interval-ms 5 \
	--duration-ms 3000 --json >"$TOPO_DIR/probe.json" &
probe=$!
sleep 1
topo_exec "$ID" dispatcher ip link set eth0 down
wait "$probe"
sed -n 's/.*"probes":\([0-9]*\),"ok":\([0-9]*\),"failed":\([0-9]*\).*"max_gap_ms":\([0-9.]*\).*/  \1 probes: \2 answered, \3 failed; longest gap without an answer: \4 ms/p' \
	"$TOPO_DIR/probe.json"
echo "  B: $(topo_xlbctl "$ID" dispatcher2 state | head -1)"
topo_xlbctl "$ID" dispatcher2 --json state | grep -o '"sync":{[^}]*}' | sed 's/^/  B /'

heading "Teardown"
topo_xlbd_stop dispatcher >/dev/null
topo_xlbd_stop dispatcher2 >/dev/null
topo_down "$ID"
echo "  namespaces and $TOPO_DIR removed"
echo
echo "demo: ok"
