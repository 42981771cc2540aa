#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The start-up tier: xlbd refusing to start, and what it leaves behind. Each refusal is tried
# twice in a row, the second on whatever the first left (pins, sockets, files), and each
# attempt must:
#   - exit non-zero, by itself (not a signal, not the 20 s timeout);
#   - print exactly one "xlbd: error:" line, naming the cause (a pattern per test), and no
#     sanitizer report;
#   - leave no virtual address on the dispatcher's interfaces and no XDP program attached;
#   - and the second attempt must fail the same way, with the same line.
# Then: a start after a refused one (with the cause fixed) serves, and the default pin dir
# works where /sys has no bpffs (a private mount namespace, so the host's is never touched).
#
#   tests/netns/startup.sh [test_name ...]     (default: every test_* function)
#
# Environment: BUILD (build dir, default build/), XLB_RUN_ID (run id prefix, default $$).
set -u

TIER=startup
# shellcheck source=tests/netns/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ATTEMPT_TIMEOUT_S=20
# What a sanitizer build (-fsanitize=address,undefined) prints when it finds something.
SANITIZER_RE='AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:'
SYNC_PORT=8849

# ---- helpers -----------------------------------------------------------------------------------

# begin NAME [CONFIG ARGS...]: the programs built (else SKIP), a new topology (single
# dispatcher) with ID, CFG and KEY set, and CFG written by write_config CONFIG ARGS. FAIL or SKIP
# NAME and 1 when that fails.
begin()
{
	need "$1" "$XLBD" "$XLBCTL" "$XLB_HTTP" || return 1
	fresh "$1" || return 1
	write_config "$CFG" "${@:2}"
}

# fresh NAME: a new topology (single dispatcher); sets ID and CFG. FAIL NAME and 1 on failure.
fresh()
{
	SEQ=$((SEQ + 1))
	ID=$RUN-s$SEQ
	CUR_ID=$ID
	if ! topo_up "$ID"; then
		fail "$1" "could not build the topology"
		return 1
	fi
	CFG=$TOPO_DIR/xlbd.yaml
	KEY=$TOPO_DIR/sync.key
}

# write_config FILE [vrrp] [sync] [IFACE_LINES]: one TCP VIP over b1..b3 with TCP health checks
# (timers in the loop when start-up fails); with vrrp, the dispatcher alone in VRRP holding the
# VIP as its virtual address; with sync, flow sync to dispatcher2's address with key $KEY.
# IFACE_LINES replaces the interfaces list's entries.
write_config()
{
	local vrrp=() a=${TOPO_ADDR4[dispatcher]} b=${TOPO_ADDR4[dispatcher2]}

	[ "${2:-}" = vrrp ] && vrrp=(vrid=51 priority=150 advert=100)
	[ "${3:-}" = sync ] && vrrp+=("sync=$a:$SYNC_PORT=$b:$SYNC_PORT")
	xlb_config "$1" "${4:+ifaces=$4}" health=tcp interval=200 timeout=100 "${vrrp[@]}"
}

# leftovers: what a stopped xlbd left on the dispatcher: virtual addresses, and XDP programs
# unless LIVE_XDP is set (a live xlbd's program is expected). Empty when clean.
LIVE_XDP=
leftovers()
{
	ip -n "$TOPO_NS_DISPATCHER" -o addr show | grep -F " $TOPO_VIP4/" |
		awk '{ print "address " $4 " on " $2 }'
	[ -n "$LIVE_XDP" ] && return 0
	ip -n "$TOPO_NS_DISPATCHER" -d -o link show | grep 'prog/xdp' | awk '{ print "XDP on " $2 }'
}

# attempt CMD...: run CMD (an xlbd command line, run in the dispatcher's namespace) in the
# foreground with a timeout; sets A_RC, A_ERR (its stderr, also in $TMP/attempt.err), A_LINE
# (its one error line, or the reason there is not exactly one) and A_WHY (what is wrong, or
# empty).
attempt()
{
	local n

	ip netns exec "$TOPO_NS_DISPATCHER" timeout -k 2 "$ATTEMPT_TIMEOUT_S" "$@" \
		>"$TMP/attempt.out" 2>"$TMP/attempt.err" </dev/null
	A_RC=$?
	# xlbd stamps its lines outside the journal: the error lines are compared without.
	A_ERR=$(sed "s/^[0-9T:.-]*Z //" "$TMP/attempt.err")
	n=$(grep -c '^xlbd: error: ' <<<"$A_ERR")
	A_LINE=$(grep '^xlbd: error: ' <<<"$A_ERR")
	A_WHY=
	if [ "$A_RC" = 0 ]; then
		A_WHY="exited 0"
	elif [ "$A_RC" = 124 ] || [ "$A_RC" = 137 ]; then
		A_WHY="still running after ${ATTEMPT_TIMEOUT_S} s"
	elif [ "$A_RC" -ge 128 ]; then
		A_WHY="killed by signal $((A_RC - 128))"
	elif grep -qE "$SANITIZER_RE" <<<"$A_ERR"; then
		A_WHY="sanitizer report"
	elif [ "$n" != 1 ]; then
		A_WHY="$n error lines, want 1"
	fi
	local left
	left=$(leftovers)
	[ -n "$left" ] && A_WHY="${A_WHY:+$A_WHY; }left behind: $(tr '\n' ';' <<<"$left")"
	return 0
}

# refused NAME CAUSE_RE CMD...: CMD refused twice, each attempt as the top of this file says,
# its error line matching CAUSE_RE. PASS NAME or FAIL NAME; returns 1 on FAIL.
refused()
{
	local name=$1 re=$2 try first_line first_rc

	shift 2
	for try in 1 2; do
		attempt "$@"
		if [ -z "$A_WHY" ] && ! grep -qE -- "$re" <<<"$A_LINE"; then
			A_WHY="error line does not name the cause (/$re/)"
		fi
		if [ -z "$A_WHY" ] && [ $try = 2 ] &&
		   { [ "$A_LINE" != "$first_line" ] || [ "$A_RC" != "$first_rc" ]; }; then
			A_WHY="second attempt differs: rc $A_RC '$A_LINE', first rc $first_rc '$first_line'"
		fi
		if [ -n "$A_WHY" ]; then
			fail "$name" "attempt $try: $A_WHY (rc $A_RC); stderr: $(tail -n 8 <<<"$A_ERR" |
				tr '\n' '|')"
			return 1
		fi
		first_line=$A_LINE
		first_rc=$A_RC
	done
	pass "$name" "rc $A_RC twice: ${A_LINE#xlbd: error: }"
}

# xlbd_cmd [ARGS...]: xlbd on $CFG with the topology's pins and control socket.
xlbd_cmd()
{
	echo "$XLBD" -c "$CFG" --pin-dir "$TOPO_PIN_DIR" --control "$TOPO_CONTROL"
}

# serves NAME: the running xlbd (topo_xlbd_start) forwards 30 requests to the VIP. FAIL and 1 if not.
serves()
{
	local out ok

	out=$(topo_exec "$ID" client "$XLB_HTTP" get --url-host "$TOPO_VIP4" --port 80 \
		--count 30 --concurrency 4 --timeout-ms 2000 --json 2>&1)
	ok=$(json_num ok <<<"$out")
	if [ "$ok" != 30 ]; then
		fail "$1" "$ok of 30 requests answered: $out"
		return 1
	fi
}

# stopped NAME: stop the running xlbd (topo_xlbd_start): exit 0, no sanitizer report in its log,
# nothing left behind. FAIL NAME and 1 if not.
stopped()
{
	local rc left

	topo_xlbd_stop dispatcher TERM 5
	rc=$?
	left=$(leftovers)
	if [ "$rc" != 0 ] || [ -n "$left" ] || topo_xlbd_log dispatcher | grep -qE "$SANITIZER_RE"; then
		fail "$1" "stop: rc $rc, left behind: '$left', log: $(topo_xlbd_log dispatcher |
			grep -E "$SANITIZER_RE" | head -n 3)"
		return 1
	fi
}

# ---- tests: the sync key -----------------------------------------------------------------------

# A key of mode 0644 is refused, twice, with timers of health checks and VRRP in the loop (the
# crash of issue 7: the second start died of a heap use-after-free in the timer heap).
test_key_mode_0644()
{
	local t=test_key_mode_0644

	begin $t vrrp sync || return 0
	head -c 32 /dev/urandom >"$KEY"
	chmod 0644 "$KEY"
	# shellcheck disable=SC2046
	refused $t 'sync: key .*(0644|mode|group|other)' $(xlbd_cmd)
}

test_key_missing()
{
	local t=test_key_missing

	begin $t vrrp sync || return 0
	# shellcheck disable=SC2046
	refused $t 'sync: key .*No such file' $(xlbd_cmd)
}

test_key_wrong_length()
{
	local t=test_key_wrong_length

	begin $t vrrp sync || return 0
	(umask 077 && head -c 31 /dev/urandom >"$KEY")
	# shellcheck disable=SC2046
	refused $t 'sync: key .*(32|bytes|length|size)' $(xlbd_cmd)
}

# After two refused starts (key 0644), the key fixed: xlbd starts on what they left, becomes
# MASTER alone, holds the VIP, serves through XDP, and stops cleanly (exit 0, nothing left).
test_restart_after_refused()
{
	local t=test_restart_after_refused i

	begin $t vrrp sync || return 0
	head -c 32 /dev/urandom >"$KEY"
	chmod 0644 "$KEY"
	# shellcheck disable=SC2046
	refused "$t (refused)" 'sync: key' $(xlbd_cmd) || return 0
	chmod 0600 "$KEY"
	topo_xlbd_start "$ID" dispatcher "$CFG"
	if ! topo_xlbd_wait_ready dispatcher 10; then
		fail $t "xlbd did not get ready after the refused starts"
		return 0
	fi
	for ((i = 0; i < 100; i++)); do
		ip -n "$TOPO_NS_DISPATCHER" -o addr show dev eth0 | grep -qF " $TOPO_VIP4/" && break
		sleep 0.05
	done
	if ((i == 100)); then
		fail $t "the VIP is not on eth0 5 s after start: $(topo_xlbctl "$ID" dispatcher state 2>&1)"
		return 0
	fi
	serves $t || return 0
	stopped $t || return 0
	pass $t "refused twice, then started, MASTER with the VIP, served 30 of 30, stopped clean"
}

# ---- tests: interfaces -------------------------------------------------------------------------

# An interface dropped from the config leaves its pin folder: kept, with a warning, while the
# XDP program there still uses its maps (a killed xlbd's: nobody updates it), removed at the
# next start once nothing does; the configured interface's folder is untouched.
test_stale_pin_folder()
{
	local t=test_stale_pin_folder dir ok

	need $t "$XLBD" "$XLBCTL" "$XLB_HTTP" || return 0
	fresh $t || return 0
	dir=$TOPO_PIN_DIR/gone0
	if ! ip -n "$TOPO_NS_DISPATCHER" link add gone0 type veth peer name gone1 ||
	   ! ip -n "$TOPO_NS_DISPATCHER" link set gone0 up; then
		fail $t "cannot add the veth gone0"
		return 0
	fi
	write_config "$CFG" "" "" "  - name: eth0
  - name: gone0
    xdp_mode: generic"
	topo_xlbd_start "$ID" dispatcher "$CFG"
	topo_xlbd_wait_ready dispatcher 10
	ok=$?
	# Killed: its programs stay attached, on the maps it pinned (exit 137 is the kill's).
	topo_xlbd_stop dispatcher KILL 5
	if [ $ok != 0 ] || [ ! -e "$dir/vips" ]; then
		fail $t "xlbd on eth0 and gone0 did not start, or left no pins in $dir"
		return 0
	fi
	write_config "$CFG"
	topo_xlbd_start "$ID" dispatcher "$CFG"
	if ! topo_xlbd_wait_ready dispatcher 10; then
		fail $t "xlbd on eth0 alone did not get ready"
		return 0
	fi
	if ! topo_xlbd_log dispatcher | grep -qF "interface gone0: not in the config, but the XDP \
program attached to it uses the maps in $dir" || [ ! -e "$dir/vips" ]; then
		fail $t "no warning for gone0's attached program, or its pins went: $(topo_xlbd_log \
			dispatcher | grep gone0)"
		return 0
	fi
	serves $t || return 0
	topo_xlbd_stop dispatcher TERM 5
	ip -n "$TOPO_NS_DISPATCHER" link set dev gone0 xdpgeneric off
	topo_xlbd_start "$ID" dispatcher "$CFG"
	if ! topo_xlbd_wait_ready dispatcher 10; then
		fail $t "xlbd did not get ready after gone0's program was detached"
		return 0
	fi
	if ! topo_xlbd_log dispatcher |
	     grep -qE "interface gone0: not in the config: removed its [0-9]+ maps in $dir\$" ||
	   [ -e "$dir" ] || [ ! -e "$TOPO_PIN_DIR/eth0/vips" ]; then
		fail $t "gone0's folder not removed, or eth0's touched: $(topo_xlbd_log dispatcher |
			grep gone0); $(ls "$TOPO_PIN_DIR" 2>&1 | tr '\n' ' ')"
		return 0
	fi
	serves $t || return 0
	stopped $t || return 0
	pass $t "kept while a program used it, removed once none did, eth0's kept"
}

# The second interface does not exist: the first one, already opened, gets no program either.
test_missing_interface()
{
	local t=test_missing_interface

	begin $t "" "" "  - name: eth0
  - name: xlbnosuch0" || return 0
	# shellcheck disable=SC2046
	refused $t 'interface xlbnosuch0: No such device' $(xlbd_cmd)
}

# xdp_mode native on a bridge device, whose driver has no native XDP (neither has a dummy, and
# this kernel has no dummy module), after eth0 (veth, which has): eth0's program, attached
# first, comes off again.
test_native_xdp_unsupported()
{
	local t=test_native_xdp_unsupported

	begin $t "" "" "  - name: eth0
  - name: xlbbr0
    xdp_mode: native" || return 0
	if ! ip -n "$TOPO_NS_DISPATCHER" link add xlbbr0 type bridge ||
	   ! ip -n "$TOPO_NS_DISPATCHER" link set xlbbr0 up; then
		fail $t "cannot add a bridge device"
		return 0
	fi
	# shellcheck disable=SC2046
	refused $t 'xlbbr0: cannot attach XDP \(native mode\)' $(xlbd_cmd)
}

# ---- tests: dr backends must be on-link ---------------------------------------------------------

OFFLINK_BE=198.51.100.20
OFFLINK_GW=192.0.2.254

# offlink_config FILE [IFACE_LINES]: write_config's VIP with a fourth backend, $OFFLINK_BE, which
# the dispatcher reaches through the router $OFFLINK_GW (a route the test adds); sets OFFLINK_AT
# to FILE:LINE:COL of that backend, and OFFLINK_MSG to the error xlbd must give for it.
offlink_config()
{
	local line

	write_config "$1" "" "" "${2:-}"
	sed -i "/address: ${TOPO_ADDR4[b3]}\$/a\      - address: $OFFLINK_BE" "$1"
	line=$(grep -n "address: $OFFLINK_BE\$" "$1" | cut -d: -f1)
	OFFLINK_AT=$1:$line:9
	OFFLINK_MSG="$OFFLINK_BE is not on-link: route via $OFFLINK_GW dev eth0; dr needs a backend"
	OFFLINK_MSG+=" on the interfaces' segment; use forwarding: tun or nat"
}

# A dr backend behind a router is a config error at its line:col, with the route that says why:
# in --check (exit 2), at start (exit 2, nothing attached, nothing left) and at reload (refused
# with the error in xlbctl's reply; the running config stays and serves). --check on a machine
# without the file's interfaces still validates the rest, and says the on-link check did not run.
test_dr_backend_offlink()
{
	local t=test_dr_backend_offlink good=$TMP/good.yaml out rc

	need $t "$XLBD" "$XLBCTL" "$XLB_HTTP" || return 0
	fresh $t || return 0
	if ! ip -n "$TOPO_NS_DISPATCHER" route add 198.51.100.0/24 via $OFFLINK_GW; then
		fail $t "cannot add the route via $OFFLINK_GW"
		return 0
	fi
	offlink_config "$CFG"
	attempt "$XLBD" --check -c "$CFG"
	if [ "$A_RC" != 2 ] || ! grep -qxF "$OFFLINK_AT: $OFFLINK_MSG" <<<"$A_ERR"; then
		fail $t "--check: rc $A_RC, want 2 and '$OFFLINK_AT: $OFFLINK_MSG': $A_ERR"
		return 0
	fi
	# shellcheck disable=SC2046
	attempt $(xlbd_cmd)
	if [ "$A_RC" != 2 ] || ! grep -qxF "$OFFLINK_AT: $OFFLINK_MSG" <<<"$A_ERR" ||
	   [ -n "$(leftovers)" ]; then
		fail $t "start: rc $A_RC, want 2 and the error, nothing left ($(leftovers)): $A_ERR"
		return 0
	fi

	write_config "$good"
	cp "$good" "$CFG"
	topo_xlbd_start "$ID" dispatcher "$CFG"
	if ! topo_xlbd_wait_ready dispatcher 10; then
		fail $t "xlbd did not get ready on the on-link backends"
		return 0
	fi
	offlink_config "$CFG"
	out=$(topo_xlbctl "$ID" dispatcher reload 2>&1)
	rc=$?
	if [ "$rc" = 0 ] || ! grep -qF "$OFFLINK_AT: $OFFLINK_MSG" <<<"$out"; then
		fail $t "reload: rc $rc, want refused with '$OFFLINK_AT: $OFFLINK_MSG': $out"
		return 0
	fi
	if topo_xlbctl "$ID" dispatcher state | grep -qF "$OFFLINK_BE"; then
		fail $t "the refused reload's backend $OFFLINK_BE is in xlbd's state"
		return 0
	fi
	serves $t || return 0
	stopped $t || return 0

	offlink_config "$CFG" "  - name: xlbnosuch0"
	attempt "$XLBD" --check -c "$CFG"
	if [ "$A_RC" != 0 ] ||
	   ! grep -q "interface xlbnosuch0 is not on this machine: dr backends are not checked" \
		<<<"$A_ERR"; then
		fail $t "--check without the interface: rc $A_RC, want 0 and a note: $A_ERR"
		return 0
	fi
	pass $t "--check and start exit 2, reload refused, each with '$OFFLINK_AT: ${OFFLINK_MSG%%;*}'"
}

# ---- tests: the control socket -----------------------------------------------------------------

test_control_not_creatable()
{
	local t=test_control_not_creatable

	begin $t || return 0
	refused $t 'control socket .*/no/such/xlbd.sock: No such file' \
		"$XLBD" -c "$CFG" --pin-dir "$TOPO_PIN_DIR" --control "$TOPO_DIR/no/such/xlbd.sock"
}

# live_refused NAME RE [SOCKET]: with an xlbd serving, a second one on its pins is refused twice
# with RE, and the live one still answers on its socket, keeps its program and serves. The second
# uses the topology's control socket, or SOCKET (a name in the topology's folder). PASS or FAIL.
live_refused()
{
	local t=$1 re=$2 rc ctl

	begin $t || return 0
	ctl=$TOPO_CONTROL
	[ -z "${3:-}" ] || ctl=$TOPO_DIR/$3
	topo_xlbd_start "$ID" dispatcher "$CFG"
	if ! topo_xlbd_wait_ready dispatcher 10; then
		fail $t "the first xlbd did not get ready"
		return 0
	fi
	LIVE_XDP=1
	refused "$t (refused)" "$re" "$XLBD" -c "$CFG" --pin-dir "$TOPO_PIN_DIR" --control "$ctl"
	rc=$?
	LIVE_XDP=
	[ $rc = 0 ] || return 0
	if [ ! -S "$TOPO_CONTROL" ] || ! topo_xlbctl "$ID" dispatcher state >/dev/null 2>&1; then
		fail $t "the live xlbd no longer answers on its socket"
		return 0
	fi
	if ! grep -q 'prog/xdp' <<<"$(ip -n "$TOPO_NS_DISPATCHER" -d -o link show dev eth0)"; then
		fail $t "the live xlbd's XDP program is gone"
		return 0
	fi
	serves $t || return 0
	stopped $t || return 0
	pass $t "the live xlbd still answers on its socket, keeps its program and serves"
}

# A second xlbd on the socket of a live one is refused, and the live one keeps its socket, its
# program and its traffic.
test_control_served_by_live_xlbd()
{
	live_refused test_control_served_by_live_xlbd 'control socket .*: a running xlbd serves it'
}

# A second xlbd on a live one's pins, with a control socket of its own, is refused by the pin
# dir's lock before it rewrites the live one's maps or replaces its program.
test_pins_held_by_live_xlbd()
{
	live_refused test_pins_held_by_live_xlbd 'pin dir .*: a running xlbd uses it' other.sock
}

# ---- tests: flow sync's port -------------------------------------------------------------------

# Another process holds the sync port (perl, from Debian's essential perl-base), with
# SO_REUSEADDR set: UDP would let a socket that sets it too share the port.
test_sync_port_in_use()
{
	local t=test_sync_port_in_use holder i

	begin $t vrrp sync || return 0
	(umask 077 && head -c 32 /dev/urandom >"$KEY")
	# shellcheck disable=SC2016
	ip netns exec "$TOPO_NS_DISPATCHER" perl -MIO::Socket::INET -e '
		$| = 1;
		my $s = IO::Socket::INET->new(LocalAddr => $ARGV[0], LocalPort => $ARGV[1],
			Proto => "udp", ReuseAddr => 1) or die "bind: $!\n";
		print "bound\n";
		sleep 600;' "${TOPO_ADDR4[dispatcher]}" "$SYNC_PORT" >"$TMP/holder.out" 2>&1 </dev/null &
	holder=$!
	BG_PIDS+=("$holder")
	for ((i = 0; i < 100; i++)); do
		grep -q bound "$TMP/holder.out" && break
		sleep 0.05
	done
	if ((i == 100)); then
		fail $t "the port holder did not bind: $(cat "$TMP/holder.out")"
		return 0
	fi
	# shellcheck disable=SC2046
	refused $t 'sync: cannot listen: Address already in use' $(xlbd_cmd)
}

# ---- tests: bpffs ------------------------------------------------------------------------------

# The pin dir cannot be made: a path under a regular file.
test_pin_dir_not_creatable()
{
	local t=test_pin_dir_not_creatable

	begin $t || return 0
	: >"$TOPO_DIR/afile"
	refused $t "cannot create $TOPO_DIR/afile/bpf: Not a directory" \
		"$XLBD" -c "$CFG" --pin-dir "$TOPO_DIR/afile/bpf" --control "$TOPO_CONTROL"
}

# bpffs cannot be mounted: the pin dir is on tmpfs and xlbd runs without CAP_SYS_ADMIN (a
# service whose capabilities were trimmed). setpriv is util-linux's, essential in Debian.
test_bpffs_not_mountable()
{
	local t=test_bpffs_not_mountable

	begin $t || return 0
	mkdir "$TOPO_DIR/plain"
	refused $t "cannot mount bpffs on $TOPO_DIR/plain: Operation not permitted" \
		setpriv --bounding-set -sys_admin --inh-caps -sys_admin -- \
		"$XLBD" -c "$CFG" --pin-dir "$TOPO_DIR/plain" --control "$TOPO_CONTROL"
}

# The default pin dir (/sys/fs/bpf/xlb) where /sys has no bpffs: xlbd mounts one on
# /sys/fs/bpf, then makes its folder, and serves. It runs in a mount namespace of its own
# (private, with a fresh sysfs), so the host's /sys/fs/bpf is never touched; checked after.
test_default_pin_dir_without_bpffs()
{
	local t=test_default_pin_dir_without_bpffs before after

	begin $t || return 0
	before=$(grep -c ' - bpf ' /proc/self/mountinfo; ls -a /sys/fs/bpf 2>&1)
	topo_xlbd_log_begin "$ID" dispatcher "-c $CFG --control $TOPO_CONTROL, unshared" || return 0
	# unshare and sh exec, so $! is xlbd. The same sysfs cannot be mounted twice on /sys:
	# off with the one `ip netns exec` mounted, on with a new one; no bpffs under it.
	# shellcheck disable=SC2016
	ip netns exec "$TOPO_NS_DISPATCHER" unshare -m --propagation private sh -c '
		umount -l /sys && mount -t sysfs sysfs /sys || exit 99
		[ "$(stat -f -c %T /sys/fs/bpf)" != bpf_fs ] || exit 98
		exec "$@"' sh "$XLBD" -c "$CFG" --control "$TOPO_CONTROL" \
		>>"${TOPO_XLBD_LOG[dispatcher]}" 2>&1 </dev/null &
	TOPO_XLBD_PID[dispatcher]=$!
	if ! topo_xlbd_wait_ready dispatcher 10; then
		fail $t "xlbd with the default pin dir did not get ready"
		return 0
	fi
	if ! topo_xlbd_log dispatcher | grep -q 'mounted bpffs on /sys/fs/bpf$' ||
	   ! topo_xlbd_log dispatcher | grep -q 'maps pinned in /sys/fs/bpf/xlb/eth0'; then
		fail $t "it did not mount bpffs on /sys/fs/bpf and pin under /sys/fs/bpf/xlb"
		return 0
	fi
	serves $t || return 0
	stopped $t || return 0
	after=$(grep -c ' - bpf ' /proc/self/mountinfo; ls -a /sys/fs/bpf 2>&1)
	if [ "$before" != "$after" ]; then
		fail $t "the host's bpffs mounts or /sys/fs/bpf changed: before '$before', after '$after'"
		return 0
	fi
	pass $t "mounted bpffs on /sys/fs/bpf in its own mount namespace, served, host untouched"
}

tier_main "$@"
