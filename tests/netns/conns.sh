#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The connection table v2 end to end (tools/topology.sh, one topology the tests share, each
# test's xlbd on fresh pins): what xlbd's sweep and xlbctl say against what the client and the
# backends see.
#   test_counts       N_CONNS TCP connections through the VIP (xlb-http hold), N_FIN of them then
#                     closed by FIN (their client process ends), N_RST reset (ss -K on the
#                     client); after a sweep, each backend's active_conns in `xlbctl backends
#                     --json` is the number of connections `ss` finds open on it, and every
#                     entry is counted once (active + inactive = N_CONNS, the closed ones
#                     CLOSING until tcp_fin).
#   test_lookup       after requests through the VIP, `xlbctl conns` lists every client port a
#                     backend logged with that backend, `xlbctl lookup` of two per backend names
#                     it (its conns entry), and a flow never seen is answered from the table.
#   test_persistence  a port-0 VIP with persistence_timeout 3s: one client's connections to
#                     ports 80 and 8080 all land on one backend, `xlbctl conns --templates`
#                     shows the client's template, and once the client is idle past the
#                     timeout (tcp_fin 1s) a sweep has retired it.
#
#   tests/netns/conns.sh [test_name ...]     (default: every test_* function)
set -u

TIER=conns
# shellcheck source=tests/netns/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

N_CONNS=30 N_FIN=6 N_RST=6
CLIENT4=${TOPO_ADDR4[client]}

# fresh NAME CONFIG: xlbd on CONFIG, ready, on fresh pins, in the topology the tests share (built
# by the first, torn down at the end); sets ID. FAIL NAME and 1 when it cannot be.
fresh()
{
	if [ -z "$KEEP_ID" ]; then
		SEQ=$((SEQ + 1))
		ID=$RUN-$SEQ
		KEEP_ID=$ID
		if ! topo_up "$ID"; then
			fail "$1" "could not build the topology"
			return 1
		fi
	else
		ID=$KEEP_ID
		topo_vars "$ID"
		topo_xlbd_stop dispatcher
		# The tables of the test before are not this one's.
		rm -rf -- "${TOPO_PIN_DIR:?}"/*
	fi
	topo_xlbd_start "$ID" dispatcher "$2"
	if ! topo_xlbd_wait_ready dispatcher 10; then
		fail "$1" "xlbd did not print 'xlbd: ready' within 10 s"
		return 1
	fi
}

# open_on NODE: TCP connections from the client open on backend NODE's port PORT (default 80).
open_on()
{
	topo_exec "$ID" "$1" ss -Htn state established "( sport = :${2:-80} )" \
		dst "$CLIENT4" | wc -l
}

# be_count JSON ADDR KEY: KEY of the backend ADDR in `xlbctl --json backends`.
be_count()
{
	local obj

	while read -r obj; do
		[ "$(json_str address <<<"$obj")" = "$2" ] && json_num "$3" <<<"$obj" && return 0
	done < <(json_objects <<<"$1")
	echo missing
}

# counts_agree: each backend's active_conns is what ss finds open on it, and active + inactive
# over the backends is N_CONNS; WHY says what differed.
counts_agree()
{
	local bj b addr a i open sum=0

	WHY=
	bj=$(topo_xlbctl "$ID" dispatcher --json backends 2>&1) || { WHY=$bj; return 1; }
	for b in $TOPO_BACKENDS; do
		addr=${TOPO_ADDR4[$b]}
		a=$(be_count "$bj" "$addr" active_conns)
		i=$(be_count "$bj" "$addr" inactive_conns)
		open=$(open_on "$b")
		[ "$a" = "$open" ] || WHY+="$b: active_conns $a, $open open; "
		sum=$((sum + ${a//missing/0} + ${i//missing/0}))
	done
	((sum == N_CONNS)) || WHY+="active + inactive = $sum, want $N_CONNS entries; "
	[ -z "$WHY" ]
}

test_counts()
{
	local t=test_counts config=$TMP/counts.yaml keep fin ports p i end

	need $t "$XLBD" "$XLBCTL" "$XLB_HTTP" || return 0
	xlb_config "$config" what="connection counts"
	fresh $t "$config" || return 0
	# Two clients: the one whose connections end by FIN, the one some of whose are reset.
	if ! hold_start $((N_CONNS - N_FIN)) 60000 1000 "$TMP/keep.json" "$TMP/keep.err"; then
		fail $t "the connections did not come up: $(cat "$TMP/keep.err")"
		return 0
	fi
	keep=$HOLD_PID
	if ! hold_start $N_FIN 60000 1000 "$TMP/fin.json" "$TMP/fin.err"; then
		fail $t "the connections did not come up: $(cat "$TMP/fin.err")"
		return 0
	fi
	fin=$HOLD_PID
	kill -TERM "$fin"
	bg_wait "$fin"
	ports=$(topo_exec "$ID" client ss -Htnp state established dst "$TOPO_VIP4" |
		grep "pid=$keep," | awk '{ print $3 }' | sed 's/.*://' | head -n $N_RST)
	for p in $ports; do
		topo_exec "$ID" client ss -K -tn state established dst "$TOPO_VIP4" \
			"( sport = :$p )" >/dev/null
	done
	if [ "$(wc -w <<<"$ports")" != $N_RST ]; then
		fail $t "could not find $N_RST connections to reset: '$ports'"
		return 0
	fi
	# Polled: the counts agree only once a sweep after the closes has run (each sweep counts
	# anew; before it the closed connections still count active), 8 s at most.
	end=$((${EPOCHREALTIME/./} + 8000000))
	until counts_agree; do
		if ((${EPOCHREALTIME/./} > end)); then
			fail $t "after a sweep: $WHY (a data path without states and counts counts" \
				"every entry ACTIVE: the closed ones too)"
			return 0
		fi
		sleep 0.2
	done
	pass $t "$((N_CONNS - N_FIN - N_RST)) open, $N_FIN closed by FIN, $N_RST reset:" \
		"active_conns per backend = its open connections"
}

test_lookup()
{
	local t=test_lookup config=$TMP/lookup.yaml b line port out be reason n=0 k cj
	local -A seen

	need $t "$XLBD" "$XLBCTL" "$XLB_HTTP" || return 0
	xlb_config "$config" what="lookup"
	fresh $t "$config" || return 0
	for b in $TOPO_BACKENDS; do
		seen[$b]=$(wc -l <"$TOPO_DIR/$b.access")
	done
	out=$(topo_exec "$ID" client "$XLB_HTTP" get --url-host "$TOPO_VIP4" --port 80 \
		--count 30 --concurrency 4 --timeout-ms 2000 --json)
	if [ "$(json_num failed <<<"$out")" != 0 ]; then
		fail $t "requests failed: $out"
		return 0
	fi
	cj=$(topo_xlbctl "$ID" dispatcher --json conns 2>&1)
	for b in $TOPO_BACKENDS; do
		k=0
		while read -r line; do
			# "ADDR PORT ..." or "ADDR:PORT ...": the peer's port is the number after it.
			port=$(grep -o "$CLIENT4[: ][0-9]*" <<<"$line" | grep -o '[0-9]*$')
			[ -n "$port" ] || continue
			n=$((n + 1))
			if [[ $cj != *"\"client\":\"$CLIENT4:$port\",\"vip\":\"web\",\"vip_port\":80,\"backend\":\"${TOPO_ADDR4[$b]}\""* ]]; then
				fail $t "port $port went to $b; xlbctl conns: $cj"
				return 0
			fi
			# lookup is one xlbctl run each: two per backend.
			k=$((k + 1))
			((k <= 2)) || continue
			out=$(topo_xlbctl "$ID" dispatcher --json lookup tcp "$CLIENT4:$port" \
				"$TOPO_VIP4:80" 2>&1)
			be=$(json_str backend <<<"$out")
			reason=$(json_str reason <<<"$out")
			if [ "$be" != "${TOPO_ADDR4[$b]}" ] || [ "$reason" != conn ]; then
				fail $t "port $port went to $b, lookup says: $out"
				return 0
			fi
		done < <(tail -n +$((seen[$b] + 1)) "$TOPO_DIR/$b.access")
	done
	if ((n != 30)); then
		fail $t "found $n of 30 requests in the backends' access logs"
		return 0
	fi
	# A flow never seen: its slot names a backend of the VIP.
	out=$(topo_xlbctl "$ID" dispatcher --json lookup tcp "$CLIENT4:9" "$TOPO_VIP4:80" 2>&1)
	reason=$(json_str reason <<<"$out")
	be=$(json_str backend <<<"$out")
	if [ "$reason" != table ] || [[ " ${TOPO_ADDR4[b1]} ${TOPO_ADDR4[b2]} ${TOPO_ADDR4[b3]} " != *" $be "* ]]; then
		fail $t "lookup of a new flow: $out"
		return 0
	fi
	pass $t "xlbctl conns named the backend of all $n flows, lookup of 6 too; a new one: $be" \
		"(table)"
}

# serve_extra PORT: a second server on each backend, on PORT, stopped with the test.
serve_extra()
{
	local b

	for b in $TOPO_BACKENDS; do
		ip netns exec "$(topo_ns "$ID" "$b")" "$XLB_HTTP" serve --name "$b" --port "$1" \
			>>"$TMP/$b-$1.log" 2>&1 </dev/null &
		BG_PIDS+=($!)
	done
	sleep 0.3
}

# one_backend NAME GET_JSON...: every reply of the runs came from one backend, printed.
one_backend()
{
	local out b seen=

	for out in "${@:2}"; do
		for b in $TOPO_BACKENDS; do
			[ -n "$(json_num "$b" <<<"$out")" ] || continue
			[ -z "$seen" ] || [ "$seen" = "$b" ] || return 1
			seen=$b
		done
	done
	echo "$seen"
}

test_persistence()
{
	local t=test_persistence config=$TMP/persist.yaml o80 o8080 be tj i

	need $t "$XLBD" "$XLBCTL" "$XLB_HTTP" || return 0
	xlb_config "$config" what="persistence on a port-0 VIP" health=none \
		extra="    persistence_timeout: 3s
timeouts: {tcp_fin: 1s}"
	sed -i 's/^    port: 80$/    port: 0/' "$config"
	fresh $t "$config" || return 0
	serve_extra 8080
	o80=$(topo_exec "$ID" client "$XLB_HTTP" get --url-host "$TOPO_VIP4" --port 80 \
		--count 10 --concurrency 2 --timeout-ms 2000 --json)
	o8080=$(topo_exec "$ID" client "$XLB_HTTP" get --url-host "$TOPO_VIP4" --port 8080 \
		--count 10 --concurrency 2 --timeout-ms 2000 --json)
	if [ "$(json_num failed <<<"$o80")" != 0 ] || [ "$(json_num failed <<<"$o8080")" != 0 ]; then
		fail $t "requests failed: $o80 $o8080"
		return 0
	fi
	if ! be=$(one_backend $t "$o80" "$o8080"); then
		fail $t "one client's connections to ports 80 and 8080 went to several backends:" \
			"$o80 $o8080 (awaits the data path's persistence)"
		return 0
	fi
	tj=$(topo_xlbctl "$ID" dispatcher --json conns --templates 2>&1)
	if [[ $tj != *"\"client\":\"$CLIENT4\""*"\"backend\":\"${TOPO_ADDR4[$be]}\""* ]]; then
		fail $t "no template of $CLIENT4 on $be: $tj"
		return 0
	fi
	# Idle: closing entries go after tcp_fin, then the template after 3 s, at a sweep.
	for ((i = 0; i < 50; i++)); do
		sleep 0.2
		tj=$(topo_xlbctl "$ID" dispatcher --json conns --templates 2>&1)
		[[ $tj == *"\"client\":\"$CLIENT4\""* ]] || break
	done
	if ((i == 50)); then
		fail $t "the template outlived 10 s of idleness: $tj"
		return 0
	fi
	pass $t "20 connections to ports 80 and 8080 all on $be; template retired after $(((i + 1) * 2 / 10)) s idle"
}

tier_main "$@"
