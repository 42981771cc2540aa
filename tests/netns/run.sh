#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The netns tier: xlbd, xlbctl and the XDP data path with real TCP/HTTP traffic between network
# namespaces (tools/topology.sh). Each test_* function prints one line, "PASS name",
# "FAIL name: why" or "SKIP name: why", and builds and removes a topology of its own, so no
# test sees another's flows or counters. Exit status: 1 when any test failed.
#
#   tests/netns/run.sh [test_name ...]     (default: every test_* function)
#
# Environment: BUILD (build dir, default build/), XLB_RUN_ID (run id prefix, default $$).
set -u

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
XLBD=$BUILD/xlbd
XLBCTL=$BUILD/xlbctl
XLB_HTTP=$BUILD/xlb-http
DEMO_CONFIG=$ROOT/configs/demo.yaml
RUN=${XLB_RUN_ID:-$$}

# shellcheck source=tools/topology.sh
. "$ROOT/tools/topology.sh"

TMP=$(mktemp -d "/tmp/xlb$RUN-netns.XXXXXX") || exit 1
CUR_ID=			# the topology of the running test, torn down after it
SEQ=0
N_PASS=0 N_FAIL=0 N_SKIP=0

cleanup()
{
	trap - EXIT INT TERM
	[ -n "$CUR_ID" ] && topo_down "$CUR_ID"
	rm -rf -- "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- reporting ---------------------------------------------------------------------------------

pass()
{
	echo "PASS $1"
	N_PASS=$((N_PASS + 1))
}

# fail NAME WHY...: xlbd's log, if one is running, follows on stderr.
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

# ---- helpers -----------------------------------------------------------------------------------

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

# JSON without jq: the documents are small and flat where it matters.
# json_num KEY < JSON: the first number under "KEY".
json_num()
{
	grep -o "\"$1\"[[:space:]]*:[[:space:]]*[0-9]*" | head -n1 | grep -o '[0-9]*$'
}

# json_objects < JSON: every innermost {...} object, one a line.
json_objects()
{
	tr -d '\n' | grep -o '{[^{}]*}'
}

# json_str KEY < OBJECT: the string under "KEY".
json_str()
{
	sed -n "s/.*\"$1\"[[:space:]]*:[[:space:]]*\"\([^\"]*\)\".*/\1/p" | head -n1
}

# up NAME CONFIG: a fresh topology with xlbd running CONFIG and ready; sets ID. On failure
# reports FAIL NAME and returns 1.
up()
{
	local name=$1 config=$2

	SEQ=$((SEQ + 1))
	ID=$RUN-$SEQ
	CUR_ID=$ID
	if ! topo_up "$ID"; then
		fail "$name" "could not build the topology"
		return 1
	fi
	topo_xlbd_start "$ID" "$config"
	if ! topo_xlbd_wait_ready 10; then
		fail "$name" "xlbd did not print 'xlbd: ready' within 10 s"
		return 1
	fi
}

# get NAME VIP COUNT: COUNT requests from the client to VIP:80; the JSON summary in OUT.
get()
{
	local name=$1 vip=$2 count=$3

	OUT=$(topo_exec "$ID" client "$XLB_HTTP" get --url-host "$vip" --port 80 \
		--count "$count" --concurrency 8 --timeout-ms 2000 --json)
	if [ -z "$(json_num ok <<<"$OUT")" ]; then
		fail "$name" "xlb-http get printed no summary: $OUT"
		return 1
	fi
}

# ---- tests -------------------------------------------------------------------------------------

# Maglev spreads 1200 new flows evenly over 3 equal backends, every one is answered (DSR through
# XDP_TX), and xlbctl's per-backend new_flows agrees exactly with what the client saw.
test_demo_spread()
{
	local t=test_demo_spread n=1200 want=400 lo hi b count addr nf sum=0 ok failed bj obj
	local -A got flows

	need $t "$XLBD" "$XLBCTL" "$XLB_HTTP" || return 0
	up $t "$DEMO_CONFIG" || return 0
	get $t "$TOPO_VIP4" $n || return 0

	ok=$(json_num ok <<<"$OUT")
	failed=$(json_num failed <<<"$OUT")
	if [ "$failed" != 0 ] || [ "$ok" != $n ]; then
		fail $t "$failed of $n requests failed: $OUT"
		return 0
	fi
	# ±15% of the fair share, relative.
	lo=$((want * 85 / 100))
	hi=$((want * 115 / 100))
	for b in $TOPO_BACKENDS; do
		got[$b]=$(json_num "$b" <<<"$OUT")
		count=${got[$b]:-0}
		if ((count < lo || count > hi)); then
			fail $t "$b got $count of $n replies, want $lo..$hi: $OUT"
			return 0
		fi
	done

	if ! bj=$(topo_xlbctl "$ID" --json backends 2>&1); then
		fail $t "xlbctl --json backends failed: $bj"
		return 0
	fi
	while read -r obj; do
		addr=$(json_str address <<<"$obj")
		nf=$(json_num new_flows <<<"$obj")
		if [ -z "$addr" ] || [ -z "$nf" ]; then
			continue
		fi
		flows[$addr]=$((${flows[$addr]:-0} + nf))
		sum=$((sum + nf))
	done < <(json_objects <<<"$bj")
	for b in $TOPO_BACKENDS; do
		addr=${TOPO_ADDR4[$b]}
		if [ "${flows[$addr]:-missing}" != "${got[$b]}" ]; then
			fail $t "$b ($addr): xlbctl new_flows ${flows[$addr]:-missing}," \
				"client got ${got[$b]} replies"
			return 0
		fi
	done
	if ((sum != n)); then
		fail $t "xlbctl new_flows sum to $sum, want $n"
		return 0
	fi
	pass $t
}

# An IPv6 VIP: 300 requests to [2001:db8:100::100]:80 over IPv6 backends, all answered, none of
# the backends left out.
test_ipv6_vip()
{
	local t=test_ipv6_vip n=300 config=$TMP/web6.yaml b count failed

	need $t "$XLBD" "$XLB_HTTP" || return 0
	cat >"$config" <<EOF
# SPDX-License-Identifier: GPL-2.0-only
# Written by tests/netns/run.sh: the demo topology's IPv6 VIP.
interfaces:
  - name: eth0
vips:
  - name: web6
    address: $TOPO_VIP6
    port: 80
    protocol: tcp
    backends:
      - address: ${TOPO_ADDR6[b1]}
      - address: ${TOPO_ADDR6[b2]}
      - address: ${TOPO_ADDR6[b3]}
EOF
	up $t "$config" || return 0
	get $t "$TOPO_VIP6" $n || return 0

	failed=$(json_num failed <<<"$OUT")
	if [ "$failed" != 0 ]; then
		fail $t "$failed of $n requests failed: $OUT"
		return 0
	fi
	for b in $TOPO_BACKENDS; do
		count=$(json_num "$b" <<<"$OUT")
		if [ "${count:-0}" -lt 1 ]; then
			fail $t "$b got none of $n replies: $OUT"
			return 0
		fi
	done
	pass $t
}

# xlbd --check: the demo config is valid (exit 0); a bad address is reported as
# file:line:col: (exit 2), pointing at line 5 and at either the key (col 5) or the value (col 14).
test_xlbd_check()
{
	local t=test_xlbd_check bad=$TMP/bad.yaml out rc where

	need $t "$XLBD" || return 0
	if ! out=$("$XLBD" --check -c "$DEMO_CONFIG" 2>&1); then
		fail $t "xlbd --check rejects ${DEMO_CONFIG#"$ROOT"/}: $out"
		return 0
	fi

	cat >"$bad" <<'EOF'
interfaces:
  - name: eth0
vips:
  - name: web
    address: 203.0.113.300
    port: 80
    protocol: tcp
    backends:
      - address: 192.0.2.11
EOF
	out=$("$XLBD" --check -c "$bad" 2>&1)
	rc=$?
	if [ $rc != 2 ]; then
		fail $t "bad address: exit $rc, want 2: $out"
		return 0
	fi
	where=$(grep -o -m1 -F "$bad:5:" <<<"$out")
	if [ -z "$where" ]; then
		fail $t "bad address: no '$bad:5:COL:' in: $out"
		return 0
	fi
	if ! grep -qE "^$bad:5:(5|14): " <<<"$out"; then
		fail $t "bad address: want column 5 (key) or 14 (value): $out"
		return 0
	fi
	pass $t
}

# SIGTERM: xlbd exits 0 and takes its XDP program off eth0.
test_sigterm_detach()
{
	local t=test_sigterm_detach link rc

	need $t "$XLBD" "$XLB_HTTP" || return 0
	up $t "$DEMO_CONFIG" || return 0
	link=$(topo_exec "$ID" dispatcher ip -d link show dev eth0)
	if ! grep -q 'prog/xdp' <<<"$link"; then
		fail $t "no XDP program on eth0 while xlbd runs: $link"
		return 0
	fi

	topo_xlbd_stop 5
	rc=$?
	if [ $rc != 0 ]; then
		fail $t "xlbd exited $rc after SIGTERM, want 0"
		topo_xlbd_log_tail 20
		return 0
	fi
	link=$(topo_exec "$ID" dispatcher ip -d link show dev eth0)
	if grep -qE 'prog/xdp|[[:space:]]xdp(generic|drv|offload)?[[:space:]]' <<<"$link"; then
		fail $t "XDP still attached after xlbd exited: $link"
		return 0
	fi
	pass $t
}

# ---- main --------------------------------------------------------------------------------------

# run_test NAME: run one test, then remove its topology whatever happened.
run_test()
{
	ID=
	CUR_ID=
	"$1"
	if [ -n "$CUR_ID" ]; then
		topo_down "$CUR_ID"
		CUR_ID=
	fi
}

main()
{
	local tests t

	if [ $# -gt 0 ]; then
		tests="$*"
	else
		tests=$(declare -F | awk '$3 ~ /^test_/ { print $3 }')
	fi

	for t in $tests; do
		if [ "$(type -t "$t")" != function ]; then
			echo "run.sh: no test '$t'" >&2
			exit 2
		fi
		if [ "$(id -u)" != 0 ]; then
			skip "$t" "needs root (network namespaces, XDP)"
			continue
		fi
		run_test "$t"
	done

	echo "netns: $N_PASS passed, $N_FAIL failed, $N_SKIP skipped"
	[ $N_FAIL = 0 ]
}

main "$@"
