#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The sanitize tier: the userspace built a second time with ASan and UBSan (`make sanitize`
# builds it into build-asan/ and runs this with BUILD pointing there), and xlbd under valgrind.
#   test_unit_sanitized    every unit test and the packet test, sanitized
#   test_pair_sanitized    a hot-standby pair of sanitized xlbd under traffic, in the failover
#                          tier's topology: a refused start (0644 sync key), start, reload,
#                          refused reload, drain, failover (A's link down) and back, SIGTERM
#                          of both
#   test_valgrind          the uninstrumented xlbd under memcheck: start, reload, refused reload,
#                          SIGTERM; no error, no leak
# Any sanitizer report fails the test that produced it; each report is printed whole.
#
#   tests/netns/sanitize.sh [test_name ...]     (default: the three above)
#
# Environment: BUILD (the sanitized build, default build-asan/), XLBD_PLAIN (the xlbd valgrind
# runs, default build/xlbd), SAN_TESTS (the test binaries to run, default every test_* in BUILD),
# XLB_RUN_ID (run id prefix, default $$).
set -u

TIER=sanitize
BUILD=${BUILD:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build-asan}
# The switch ports' XDP_PASS program, from the same build as everything else.
TOPO_PASS_OBJ=${TOPO_PASS_OBJ:-$BUILD/peer_pass.bpf.o}
# The failover tier's pair helpers (pair_up, wait_vrrp, ...) and lib.sh; it runs nothing sourced.
# shellcheck source=tests/netns/failover.sh
. "$(dirname "${BASH_SOURCE[0]}")/failover.sh"
XLBD_PLAIN=${XLBD_PLAIN:-$ROOT/build/xlbd}
XLBCTL_SAN=$XLBCTL
VALGRIND=${VALGRIND:-valgrind}

# ---- sanitizer reports -------------------------------------------------------------------------

# san_begin NAME: a fresh report folder for test NAME; every sanitized process started from now
# on reports there. ASan and LSan honour log_path (one file per process, asan.PID). gcc 12's
# combined runtime writes UBSan's reports to stderr whatever log_path says (strace: write(2, ...)),
# so every sanitized program's stderr must land in a file that san_reports reads: xlbctl's goes
# through a wrapper that keeps a copy.
san_begin()
{
	SAN_DIR=$TMP/san-$1
	mkdir -p "$SAN_DIR"
	export ASAN_OPTIONS=log_path=$SAN_DIR/asan:detect_leaks=1:abort_on_error=0
	export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:log_path=$SAN_DIR/ubsan
	XLBCTL=$SAN_DIR/xlbctl
	cat >"$XLBCTL" <<EOF
#!/bin/bash
# Written by tests/netns/sanitize.sh: the sanitized xlbctl, a copy of its stderr kept.
"$XLBCTL_SAN" "\$@" 2> >(tee -a "$SAN_DIR/xlbctl.stderr" >&2)
EOF
	chmod +x "$XLBCTL"
}

# san_reports FILE...: print every sanitizer report: the report files of the current SAN_DIR,
# and each FILE (a captured stderr or log) that holds one. Returns 1 when there is none.
san_reports()
{
	local f found=1

	for f in "$SAN_DIR"/asan.* "$SAN_DIR"/ubsan.* "$SAN_DIR"/xlbctl.stderr "$@"; do
		[ -f "$f" ] || continue
		case $f in
		"$SAN_DIR"/asan.* | "$SAN_DIR"/ubsan.*) ;;
		*) grep -qE 'runtime error:|ERROR: (Address|Leak)Sanitizer|UndefinedBehaviorSanitizer' \
			"$f" || continue ;;
		esac
		echo "  --- sanitizer report in $f:"
		sed 's/^/  | /' "$f"
		found=0
	done
	return $found
}

# ---- tests -------------------------------------------------------------------------------------

# Every test binary of the sanitized build, one PASS / FAIL line each: it must exit 0 and leave no
# report. SAN_TESTS (from the Makefile) names them, so a binary an older tree left in the build
# folder is not run; without it, every test_* there.
test_unit_sanitized()
{
	local bin name rc n=0 t0 bins=()

	if [ -n "${SAN_TESTS:-}" ]; then
		for name in $SAN_TESTS; do bins+=("$BUILD/$name"); done
	else
		bins=("$BUILD"/test_*)
	fi
	for bin in "${bins[@]}"; do
		name=${bin##*/}
		if [ ! -x "$bin" ]; then
			[ -z "${SAN_TESTS:-}" ] || fail "$name" "not built in $BUILD"
			continue
		fi
		san_begin "$name"
		t0=${EPOCHREALTIME/./}
		"$bin" >"$SAN_DIR/out" 2>&1
		rc=$?
		n=$((n + 1))
		if san_reports "$SAN_DIR/out"; then
			fail "$name" "sanitizer reports (exit $rc)"
		elif [ $rc != 0 ]; then
			fail "$name" "exit $rc: $(tail -n 5 "$SAN_DIR/out")"
		else
			pass "$name" "sanitized, no report ($(fmt_ms $((${EPOCHREALTIME/./} - t0))) ms)"
		fi
	done
	((n > 0)) || fail test_unit_sanitized "no test binary in $BUILD (run: make sanitize)"
}

# pair_extras FILE: give the pair's config fast HTTP health checks and a VRRP notify script
# (NOTIFY, slow enough to be running still at SIGTERM), so the checkers and spawn run too.
pair_extras()
{
	local health='    health:\n      type: http\n      interval: 200ms\n      timeout: 100ms\n'

	health+='      rise: 1\n      fall: 2'
	sed -i -e "s/^    protocol: tcp\$/&\\n$health/" -e "s|^    preempt: .*\$|&\\n    notify: $NOTIFY|" \
		"$1"
}

# state_has NODE TEXT TIMEOUT_MS: until NODE's `xlbctl --json state` contains TEXT.
state_has()
{
	local end=$((${EPOCHREALTIME/./} + $3 * 1000))

	until STATE=$(topo_xlbctl "$ID" "$1" --json state 2>&1) && [[ $STATE == *"$2"* ]]; do
		((${EPOCHREALTIME/./} > end)) && return 1
		sleep 0.02
	done
}

# The pair's life, every step checked; SCEN_WHAT says what it saw. Returns 1 (having said why)
# at the first step that goes wrong.
pair_scenario()
{
	local t=$1 b1=${TOPO_ADDR4[b1]} out rc n_ok n_fail node gout=$TMP/san-get.json gpid
	local rcs took='' i

	topo_pair "$t" || return 1
	NOTIFY=$TOPO_DIR/notify.sh
	# shellcheck disable=SC2016 # for the script to expand
	printf '#!/bin/sh\necho "$XLB_VRRP_STATE" >>%s\nsleep 2\n' "$TOPO_DIR/notified" >"$NOTIFY"
	chmod +x "$NOTIFY"
	write_pair_config "$CFG_A" 150 "${TOPO_ADDR4[$A]}" "${TOPO_ADDR4[$B]}"
	write_pair_config "$CFG_B" 100 "${TOPO_ADDR4[$B]}" "${TOPO_ADDR4[$A]}"
	pair_extras "$CFG_A"
	pair_extras "$CFG_B"
	start_master "$t" || return 1
	# B's first start is refused (a sync key others may read): it must exit non-zero, not die
	# of a signal, within 10 s; the real start then runs on whatever it left behind.
	cp "$KEY" "$TOPO_DIR/open.key"
	chmod 0644 "$TOPO_DIR/open.key"
	sed "s|key_file: .*|key_file: $TOPO_DIR/open.key|" "$CFG_B" >"$TOPO_DIR/b-open.yaml"
	topo_xlbd_start "$ID" $B "$TOPO_DIR/b-open.yaml"
	for ((i = 0; i < 100; i++)); do
		_topo_alive "${TOPO_XLBD_PID[$B]}" || break
		sleep 0.1
	done
	topo_xlbd_stop $B TERM 1
	if [ "$TOPO_RC" = 0 ] || ((TOPO_RC >= 128)); then
		fail "$t" "B's start with a 0644 sync key exited $TOPO_RC, want refused (1..127)"
		return 1
	fi
	start_node "$t" $B "$CFG_B" || return 1
	if ! wait_vrrp $B BACKUP 3000; then
		fail "$t" "B is not BACKUP within 3 s: $STATE"
		return 1
	fi
	topo_exec "$ID" client ping -c 1 -W 1 "$TOPO_VIP4" >/dev/null 2>&1
	client_bg "$gout" "$TMP/san-get.err" "$XLB_HTTP" get --url-host "$TOPO_VIP4" --port 80 \
		--rate 100 --duration-ms 60000 --concurrency 8 --timeout-ms 1000 --json
	gpid=$BG_PID

	# Reload: b1's weight 100 -> 200 on both.
	write_pair_config "$CFG_A" 150 "${TOPO_ADDR4[$A]}" "${TOPO_ADDR4[$B]}" true 200
	write_pair_config "$CFG_B" 100 "${TOPO_ADDR4[$B]}" "${TOPO_ADDR4[$A]}" true 200
	pair_extras "$CFG_A"
	pair_extras "$CFG_B"
	for node in $A $B; do
		if ! out=$(topo_xlbctl "$ID" "$node" --json reload 2>&1) ||
		   [[ $out != *'"ok":true'* ]]; then
			fail "$t" "xlbctl reload on $node: $out"
			return 1
		fi
	done
	# Refused: a YAML syntax error, by xlbctl on A and by SIGHUP on B; both keep running.
	cp "$CFG_A" "$TMP/a.good"
	cp "$CFG_B" "$TMP/b.good"
	sed -i 's/^    port: 80$/    port: [80/' "$CFG_A" "$CFG_B"
	out=$(topo_xlbctl "$ID" $A reload 2>&1)
	rc=$?
	if [ $rc != 1 ]; then
		fail "$t" "xlbctl reload of an invalid config on A exited $rc, want 1: $out"
		return 1
	fi
	kill -HUP "${TOPO_XLBD_PID[$B]}"
	if ! state_has $B '"reload_errors":1' 3000; then
		fail "$t" "B did not count the refused SIGHUP reload: $STATE"
		return 1
	fi
	cp "$TMP/a.good" "$CFG_A"
	cp "$TMP/b.good" "$CFG_B"

	# Drain b1 on the master, then take it back.
	if ! out=$(topo_xlbctl "$ID" $A --json drain "$b1" 2>&1) ||
	   ! state_has $A '"state":"drain"' 2000; then
		fail "$t" "xlbctl drain $b1 on A: $out; state: $STATE"
		return 1
	fi
	sleep 0.3
	if ! out=$(topo_xlbctl "$ID" $A --json enable "$b1" 2>&1); then
		fail "$t" "xlbctl enable $b1 on A: $out"
		return 1
	fi

	# Failover: A's link goes down, B takes over; the link comes back, A preempts.
	topo_exec "$ID" $A ip link set eth0 down
	if ! wait_vrrp $B MASTER 3000; then
		fail "$t" "B not MASTER 3 s after A's link went down: $STATE"
		return 1
	fi
	sleep 0.3
	topo_exec "$ID" $A ip link set eth0 up
	if ! wait_vrrp $A MASTER 3000 || ! wait_vrrp $B BACKUP 3000; then
		fail "$t" "A did not take the VIP back once its link returned: $STATE"
		return 1
	fi
	sleep 0.3

	# SIGTERM of both: the master first (B takes over on its priority-0 advert), then B. Both
	# are stopped before any exit code is judged: LSan reports leaks at exit, and exits 1 then.
	topo_xlbd_stop $A TERM 10
	rcs="A $TOPO_RC"
	wait_vrrp $B MASTER 3000 || took="B not MASTER after A's SIGTERM: $STATE"
	topo_xlbd_stop $B TERM 10
	rcs+=", B $TOPO_RC"
	if [ "$rcs" != "A 0, B 0" ] || [ -n "$took" ]; then
		fail "$t" "exit codes after SIGTERM: $rcs, want 0 ${took:+; $took}"
		return 1
	fi
	if ! grep -qx MASTER "$TOPO_DIR/notified" 2>/dev/null; then
		fail "$t" "the notify script never ran for MASTER: $(cat "$TOPO_DIR/notified" 2>&1)"
		return 1
	fi
	kill -TERM "$gpid"
	bg_wait "$gpid"
	n_ok=$(json_num ok <"$gout")
	n_fail=$(json_num failed <"$gout")
	if [ -z "$n_ok" ] || [ "$n_ok" -lt 50 ]; then
		fail "$t" "the traffic got ${n_ok:-no} answers: $(cat "$gout" "$TMP/san-get.err")"
		return 1
	fi
	SCEN_WHAT="a refused start (0644 key), start, 2 reloads, 2 refused, drain, link-down failover and back, SIGTERM of"
	SCEN_WHAT+=" both; under traffic: $n_ok requests answered, $n_fail failed"
}

# The pair scenario with every process sanitized; then everything is stopped (reports of leaks
# come at exit) and the logs are read for UBSan's reports.
test_pair_sanitized()
{
	local t=test_pair_sanitized ok=0 node logs=() t0

	need $t "$XLBD" "$XLBCTL" "$XLB_HTTP" || return 0
	t0=${EPOCHREALTIME/./}
	san_begin pair
	SCEN_WHAT=
	pair_scenario $t && ok=1
	for node in $A $B; do
		topo_xlbd_stop "$node" TERM 10
	done
	bg_stop_all
	if [ -n "$CUR_ID" ]; then
		for node in $TOPO_BACKENDS; do
			topo_backend_kill "$ID" "$node" TERM >/dev/null 2>&1
		done
		cp "$TOPO_DIR"/*.log "$SAN_DIR/" 2>/dev/null
	fi
	logs=("$SAN_DIR"/*.log "$TMP"/*.err)
	if san_reports "${logs[@]}"; then
		echo "FAIL $t: sanitizer reports (above)"
		N_FAIL=$((N_FAIL + 1))
	elif ((ok)); then
		pass $t "$SCEN_WHAT; no sanitizer report ($(fmt_ms $((${EPOCHREALTIME/./} - t0))) ms)"
	fi
}

# valgrind's memcheck on the uninstrumented xlbd (a sanitized binary cannot run under it), one
# of a pair whose peer never comes, so it goes MASTER: start, a reload, a refused reload,
# SIGTERM. Any memcheck error or a definite or indirect leak fails it (--error-exitcode); only
# valgrind's own limitations with bpf(2) are suppressed (tests/netns/valgrind.supp). valgrind
# 3.19 does not know pidfd_open (ENOSYS): children (health checks, the notify script) are
# polled for instead.
test_valgrind()
{
	local t=test_valgrind cfg vlog xlog pid rc out i t0

	need $t "$XLBD_PLAIN" "$XLBCTL_SAN" "$XLB_HTTP" || return 0
	t0=${EPOCHREALTIME/./}
	if ! command -v "$VALGRIND" >/dev/null; then
		fail $t "no $VALGRIND (tools/deps.sh installs it)"
		return 0
	fi
	san_begin valgrind
	SEQ=$((SEQ + 1))
	ID=$RUN-v$SEQ
	CUR_ID=$ID
	if ! topo_up "$ID"; then
		fail $t "could not build the topology"
		return 0
	fi
	KEY=$TOPO_DIR/sync.key
	(umask 077 && head -c 32 /dev/urandom >"$KEY")
	NOTIFY=/bin/true
	cfg=$TOPO_DIR/v.yaml
	write_pair_config "$cfg" 150 "${TOPO_ADDR4[$A]}" "${TOPO_ADDR4[$B]}"
	pair_extras "$cfg"
	vlog=$SAN_DIR/valgrind.log
	xlog=$SAN_DIR/xlbd.log
	ip netns exec "$TOPO_NS_DISPATCHER" "$VALGRIND" --leak-check=full \
		--errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
		--suppressions="$ROOT/tests/netns/valgrind.supp" --log-file="$vlog" \
		"$XLBD_PLAIN" -c "$cfg" --pin-dir "$TOPO_PIN_DIR" --control "$TOPO_CONTROL" \
		>"$xlog" 2>&1 </dev/null &
	pid=$!
	BG_PIDS+=("$pid")
	for ((i = 0; i < 600; i++)); do
		grep -q 'xlbd: ready' "$xlog" && break
		_topo_alive "$pid" || break
		sleep 0.1
	done
	if ! grep -q 'xlbd: ready' "$xlog"; then
		fail $t "xlbd under valgrind not ready within 60 s: $(tail -n 5 "$xlog" "$vlog")"
		return 0
	fi
	for ((i = 0; i < 500; i++)); do
		STATE=$(topo_xlbctl "$ID" dispatcher --json state 2>&1)
		[[ $STATE == *'"state":"MASTER"'* ]] && break
		sleep 0.02
	done
	write_pair_config "$cfg" 150 "${TOPO_ADDR4[$A]}" "${TOPO_ADDR4[$B]}" true 200
	pair_extras "$cfg"
	if ! out=$(topo_xlbctl "$ID" dispatcher --json reload 2>&1) || [[ $out != *'"ok":true'* ]]; then
		fail $t "xlbctl reload: $out"
		return 0
	fi
	sed -i 's/^    port: 80$/    port: [80/' "$cfg"
	out=$(topo_xlbctl "$ID" dispatcher reload 2>&1)
	rc=$?
	if [ $rc != 1 ]; then
		fail $t "xlbctl reload of an invalid config exited $rc, want 1: $out"
		return 0
	fi
	_topo_signal_wait "$pid" TERM 60
	rc=$TOPO_RC
	BG_PIDS=("${BG_PIDS[@]/#$pid}")
	if [ $rc != 0 ] || ! grep -q 'ERROR SUMMARY: 0 errors' "$vlog"; then
		fail $t "xlbd under valgrind exited $rc (99: memcheck errors):"
		sed 's/^/  | /' "$vlog"
		return 0
	fi
	if san_reports; then
		fail $t "sanitizer reports (above)"
		return 0
	fi
	if ! grep -q 'reload: [0-9]* VIPs: ' "$xlog" || ! grep -q 'reload refused' "$xlog"; then
		fail $t "xlbd's log shows no reload and no refused one: $(tail -n 5 "$xlog")"
		return 0
	fi
	pass $t "start, reload, refused reload, SIGTERM: 0 memcheck errors;" \
		"$(grep -o 'in use at exit: .*' "$vlog") ($(fmt_ms $((${EPOCHREALTIME/./} - t0))) ms)"
}

tier_main "${@:-test_unit_sanitized test_pair_sanitized test_valgrind}"
