# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# What the netns suites (run.sh, failover.sh) share: paths, the PASS/FAIL/SKIP reporting, the
# cleanup trap that removes a failed test's topology and background processes, JSON without jq,
# the xlbd configs they run (xlb_config), and the runner. A suite sets TIER, sources this file,
# defines its test_* functions, and ends with `tier_main "$@"`.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
XLBD=$BUILD/xlbd
XLBCTL=$BUILD/xlbctl
XLB_HTTP=$BUILD/xlb-http
XLB_PROBE=$BUILD/xlb-probe
RUN=${XLB_RUN_ID:-$$}

# shellcheck source=tools/topology.sh
. "$ROOT/tools/topology.sh"

TMP=$(mktemp -d "/tmp/xlb$RUN-$TIER.XXXXXX") || exit 1
CUR_ID=			# the topology of the running test, torn down after it
KEEP_ID=		# a topology the tests share (modes.sh), torn down at the end
BG_PIDS=()		# the running test's background processes, stopped after it
SEQ=0
N_PASS=0 N_FAIL=0 N_SKIP=0

# Stop the background processes a test left running (it failed half-way), by their pids.
bg_stop_all()
{
	local pid

	for pid in "${BG_PIDS[@]}"; do
		_topo_stop_pid "$pid"
	done
	BG_PIDS=()
}

tier_cleanup()
{
	trap - EXIT INT TERM
	bg_stop_all
	[ -n "$CUR_ID" ] && topo_down "$CUR_ID"
	[ -n "$KEEP_ID" ] && topo_down "$KEEP_ID"
	rm -rf -- "$TMP"
}
trap tier_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# pass NAME [WHAT WAS MEASURED...]
pass()
{
	if [ $# -gt 1 ]; then
		echo "PASS $1: ${*:2}"
	else
		echo "PASS $1"
	fi
	N_PASS=$((N_PASS + 1))
}

# fail NAME WHY...: the last FAIL_LOG_LINES (20) lines of the logs of the test's xlbd on each
# dispatcher, and of keepalived, follow on stderr.
FAIL_LOG_LINES=20
fail()
{
	local node

	echo "FAIL $1: ${*:2}"
	N_FAIL=$((N_FAIL + 1))
	for node in dispatcher dispatcher2; do
		topo_xlbd_log_tail "$node" "$FAIL_LOG_LINES"
	done
	for node in "${!TOPO_KA_LOG[@]}"; do
		topo_keepalived_log_tail "$node" "$FAIL_LOG_LINES"
	done
	return 0
}

skip()
{
	echo "SKIP $1: $2"
	N_SKIP=$((N_SKIP + 1))
}

# need NAME FILE...: SKIP NAME unless every FILE is an executable; returns 1 then.
need()
{
	local name=$1 f

	shift
	for f in "$@"; do
		if [ ! -x "$f" ]; then
			skip "$name" "${f#"$ROOT"/} not built (run: make)"
			return 1
		fi
	done
}

now_us()
{
	echo "${EPOCHREALTIME/./}"
}

# scrape NAME NODE [PORT]: NODE's xlbd's metrics (127.0.0.1:PORT, default 9542) into the file
# SCRAPE, which promtool's strict parser and linter pass. FAIL NAME and 1 if not.
scrape()
{
	local lint

	SCRAPE=$TMP/metrics-$2.txt
	if ! command -v promtool >/dev/null; then
		fail "$1" "promtool is not installed (tools/deps.sh installs package prometheus)"
		return 1
	fi
	if ! topo_exec "$ID" "$2" "$XLB_HTTP" fetch --url-host 127.0.0.1 --port "${3:-9542}" \
		--timeout-ms 2000 >"$SCRAPE" 2>"$SCRAPE.err"; then
		fail "$1" "scraping $2's http://127.0.0.1:${3:-9542}/metrics: $(cat "$SCRAPE.err")"
		return 1
	fi
	if ! lint=$(promtool check metrics <"$SCRAPE" 2>&1) || [ -n "$lint" ]; then
		fail "$1" "promtool check metrics of $2's scrape: $lint"
		return 1
	fi
}

# metric FILE SERIES: the value of the sample SERIES ('name{labels}') in a scrape.
metric()
{
	awk -v s="$2" 'index($0, s " ") == 1 { print $2 }' "$1"
}

# JSON without jq: the documents are small and flat where it matters.
# json_num KEY < JSON: the first number (maybe with decimals) under "KEY".
json_num()
{
	grep -o "\"$1\"[[:space:]]*:[[:space:]]*[0-9.]*" | head -n1 | grep -o '[0-9.]*$'
}

# json_str KEY < OBJECT: the string under "KEY".
json_str()
{
	sed -n "s/.*\"$1\"[[:space:]]*:[[:space:]]*\"\([^\"]*\)\".*/\1/p" | head -n1
}

# json_objects < JSON: every innermost {...} object, one a line.
json_objects()
{
	tr -d '\n' | grep -o '{[^{}]*}'
}

# json_in OBJECT KEY < JSON: the number under "KEY" inside the flat object "OBJECT":{...}.
json_in()
{
	sed -n "s/.*\"$1\":{\([^{}]*\)}.*/\1/p" | json_num "$2"
}

# client_bg OUT ERR CMD...: CMD in the client's namespace in the background, stdout to OUT,
# stderr to ERR; its pid (ip execs it) in BG_PID and on BG_PIDS.
client_bg()
{
	local out=$1 err=$2

	shift 2
	ip netns exec "$TOPO_NS_CLIENT" "$@" >"$out" 2>"$err" </dev/null &
	BG_PID=$!
	BG_PIDS+=("$BG_PID")
}

# hold_start N DURATION_MS INTERVAL_MS OUT ERR [ARGS...]: N long-lived connections from the
# client to the VIP's port 80 (xlb-http hold with ARGS, in the background, its pid in HOLD_PID);
# returns 1 when they are not all up within 5 s.
hold_start()
{
	local i

	client_bg "$4" "$5" "$XLB_HTTP" hold --url-host "$TOPO_VIP4" --port 80 --conns "$1" \
		--duration-ms "$2" --interval-ms "$3" --timeout-ms 3000 --json "${@:6}"
	HOLD_PID=$BG_PID
	for ((i = 0; i < 250; i++)); do
		grep -q "hold: $1 of $1 connections up" "$5" 2>/dev/null && return 0
		sleep 0.02
	done
	return 1
}

# bg_wait PID: wait for a background process; its exit code. Off BG_PIDS once reaped.
bg_wait()
{
	local pid=$1 rc i

	wait "$pid"
	rc=$?
	for i in "${!BG_PIDS[@]}"; do
		[ "${BG_PIDS[$i]}" = "$pid" ] && unset 'BG_PIDS[i]'
	done
	return $rc
}

# xlb_config FILE [KEY=VALUE...]: the one generator of the suites' xlbd configs: one VIP on port
# 80 of the topology over its backends, and what a test adds. Keys (default):
#   by        the suite, for the header line (tests/netns/ and the script run); what: what it is
#   ifaces    the interfaces list's entries ("  - name: eth0")
#   vip       the VIP's name (web); family 4 or 6 (4) picks its address and its backends'
#   protocol  (tcp; "" leaves it out); sched, fwd: scheduler and forwarding (left out)
#   health    the health check's type (none: no health block), with interval, timeout (ms), rise,
#             fall (each left out when empty)
#   backends  NODE or NODE=WEIGHT, for each backend (b1 b2 b3)
#   beport    every backend's port (left out: the VIP's)
#   extra     YAML lines that follow the VIP in the vips list: more VIPs (none)
#   tunnel4, tunnel6   tun forwarding's outer sources, tunnel.source and source6 (left out)
#   vrid      with it, failover by VRRP: priority, advert (ms; $ADV_MS), preempt (left out),
#             vaddrs (the VIP, /24 or /64), unicast (one peer's address), track (IFACE=WEIGHT)
#   sync      LISTEN=PEER (addr:port each): flow sync, with key_file $KEY
xlb_config()
{
	local file=$1 kv be node w
	local -A c=([by]=tests/netns/${0##*/} [ifaces]="  - name: eth0" [vip]=web [family]=4
		    [protocol]=tcp [backends]="b1 b2 b3" [advert]=${ADV_MS:-100})

	shift
	for kv in "$@"; do
		[ -z "$kv" ] || c[${kv%%=*}]=${kv#*=}
	done
	local vip=$TOPO_VIP4 vaddrs="[$TOPO_VIP4/24]"
	if [ "${c[family]}" = 6 ]; then
		local -n addrs=TOPO_ADDR6
		vip=$TOPO_VIP6 vaddrs="[\"$TOPO_VIP6/64\"]"
	else
		local -n addrs=TOPO_ADDR4
	fi
	# A subshell: the failover part is left out by exit.
	(
		echo "# SPDX-License-Identifier: GPL-2.0-only"
		echo "# Written by ${c[by]}${c[what]:+: ${c[what]}}."
		printf 'interfaces:\n%s\nvips:\n' "${c[ifaces]}"
		printf '  - name: %s\n    address: %s\n    port: 80\n' "${c[vip]}" "$vip"
		[ -z "${c[protocol]}" ] || echo "    protocol: ${c[protocol]}"
		[ -z "${c[sched]:-}" ] || echo "    scheduler: ${c[sched]}"
		[ -z "${c[fwd]:-}" ] || echo "    forwarding: ${c[fwd]}"
		if [ -n "${c[health]:-}" ]; then
			printf '    health:\n      type: %s\n' "${c[health]}"
			[ -z "${c[interval]:-}" ] || echo "      interval: ${c[interval]}ms"
			[ -z "${c[timeout]:-}" ] || echo "      timeout: ${c[timeout]}ms"
			[ -z "${c[rise]:-}" ] || echo "      rise: ${c[rise]}"
			[ -z "${c[fall]:-}" ] || echo "      fall: ${c[fall]}"
		fi
		echo "    backends:"
		for be in ${c[backends]}; do
			node=${be%%=*} w=${be#*=}
			echo "      - address: ${addrs[$node]}"
			[ "$w" = "$be" ] || echo "        weight: $w"
			[ -z "${c[beport]:-}" ] || echo "        port: ${c[beport]}"
		done
		[ -z "${c[extra]:-}" ] || printf '%s\n' "${c[extra]}"
		if [ -n "${c[tunnel4]:-}${c[tunnel6]:-}" ]; then
			echo "tunnel:"
			[ -z "${c[tunnel4]:-}" ] || echo "  source: ${c[tunnel4]}"
			[ -z "${c[tunnel6]:-}" ] || echo "  source6: ${c[tunnel6]}"
		fi
		[ -n "${c[vrid]:-}" ] || exit 0
		printf 'failover:\n  mode: vrrp\n  vrrp:\n    interface: eth0\n'
		printf '    vrid: %s\n    priority: %s\n' "${c[vrid]}" "${c[priority]:-}"
		echo "    advert_interval: ${c[advert]}ms"
		[ -z "${c[preempt]:-}" ] || echo "    preempt: ${c[preempt]}"
		echo "    virtual_addresses: ${c[vaddrs]:-$vaddrs}"
		[ -z "${c[unicast]:-}" ] || echo "    unicast_peers: [\"${c[unicast]}\"]"
		[ -z "${c[track]:-}" ] ||
			printf '    track:\n      - interface: %s\n        weight: %s\n' \
				"${c[track]%%=*}" "${c[track]#*=}"
		[ -z "${c[sync]:-}" ] ||
			printf '  sync:\n    listen: %s\n    peer: %s\n    key_file: %s\n' \
				"${c[sync]%%=*}" "${c[sync]#*=}" "$KEY"
	) >"$file"
}

# topo_new NAME: a fresh topology, torn down after the test; sets ID. On failure reports FAIL
# NAME and returns 1.
topo_new()
{
	SEQ=$((SEQ + 1))
	ID=$RUN-$SEQ
	CUR_ID=$ID
	if ! topo_up "$ID"; then
		fail "$1" "could not build the topology"
		return 1
	fi
}

# up NAME CONFIG: a fresh topology with xlbd running CONFIG and ready; sets ID. On failure
# reports FAIL NAME and returns 1. (A suite whose tests need less defines its own.)
up()
{
	local name=$1 config=$2

	topo_new "$name" || return 1
	topo_xlbd_start "$ID" dispatcher "$config"
	if ! topo_xlbd_wait_ready dispatcher 10; then
		fail "$name" "xlbd did not print 'xlbd: ready' within 10 s"
		return 1
	fi
}

# run_test TEST: TEST, then what it left; its time, teardown included, goes into TEST_TIMES.
run_test()
{
	local t0=${EPOCHREALTIME/./}

	ID=
	CUR_ID=
	"$1"
	bg_stop_all
	if [ -n "$CUR_ID" ]; then
		topo_down "$CUR_ID"
		CUR_ID=
	fi
	TEST_TIMES+="$(((${EPOCHREALTIME/./} - t0) / 100000)) $1"$'\n'
}

# tier_main [TEST...]: the named tests, or every test_* function; exit 1 if any failed.
tier_main()
{
	local tests t

	if [ $# -gt 0 ]; then
		tests="$*"
	else
		tests=$(declare -F | awk '$3 ~ /^test_/ { print $3 }')
	fi
	for t in $tests; do
		if [ "$(type -t "$t")" != function ]; then
			echo "$TIER: no test '$t'" >&2
			exit 2
		fi
		if [ "$(id -u)" != 0 ]; then
			skip "$t" "needs root (network namespaces, XDP)"
			continue
		fi
		run_test "$t"
	done
	echo "$TIER: $N_PASS passed, $N_FAIL failed, $N_SKIP skipped"
	# where a suite's time goes, slowest first, in seconds
	echo "$TIER: times: $(sort -rn <<<"${TEST_TIMES:-}" |
		awk 'NF { printf "%s%s %d.%ds", n++ ? ", " : "", $2, $1 / 10, $1 % 10 }')"
	[ $N_FAIL = 0 ]
}
