# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
#
# What the netns suites (run.sh, failover.sh) share: paths, the PASS/FAIL/SKIP reporting, the
# cleanup trap that removes a failed test's topology and background processes, JSON without jq,
# and the runner. A suite sets TIER, sources this file, defines its test_* functions (and its own
# fail() if the default below does not fit), and ends with `tier_main "$@"`.

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

# fail NAME WHY...: xlbd's log, if one is running, follows on stderr. A suite whose xlbd run
# elsewhere (failover.sh: one per dispatcher) defines its own after sourcing this file.
fail()
{
	echo "FAIL $1: ${*:2}"
	N_FAIL=$((N_FAIL + 1))
	[ -n "$TOPO_XLBD_PID" ] && topo_xlbd_log_tail 20
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

run_test()
{
	ID=
	CUR_ID=
	"$1"
	bg_stop_all
	if [ -n "$CUR_ID" ]; then
		topo_down "$CUR_ID"
		CUR_ID=
	fi
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
	[ $N_FAIL = 0 ]
}
