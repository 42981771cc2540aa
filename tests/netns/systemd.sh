#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# xlbd under a service manager's eyes: NOTIFY_SOCKET names a datagram socket this suite owns (a
# perl listener, as systemd's would be), and what xlbd sends there is checked: READY=1 once,
# after the maps are filled (the listener reads them, xlbctl backends, the moment READY=1 arrives),
# RELOADING=1 with MONOTONIC_USEC= then READY=1 around a SIGHUP reload, STOPPING=1 at SIGTERM.
# With JOURNAL_STREAM naming xlbd's stderr, its lines carry <N> priorities instead of stamps.
set -u

TIER=systemd
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# listen PATH OUT [CMD...]: every datagram to PATH into OUT, each followed by a "--" line; at
# the first READY=1, CMD's exit code and output as one "after-ready RC OUTPUT" record.
listen()
{
	perl -MIO::Socket::UNIX -e '
		my ($path, $out, @cmd) = @ARGV;
		my $s = IO::Socket::UNIX->new(Type => SOCK_DGRAM, Local => $path) or die "$path: $!";
		open(my $o, ">>", $out) or die "$out: $!";
		$o->autoflush(1);
		my $ran = 0;
		while (defined $s->recv(my $m, 4096)) {
			print $o "$m\n--\n";
			next if $ran || !@cmd || $m !~ /^READY=1$/m;
			$ran = 1;
			my $r = `@cmd 2>&1`;
			$r =~ s/\n/ /g;
			print $o "after-ready " . ($? >> 8) . " $r\n--\n";
		}' "$@" &
	BG_PIDS+=($!)
}

# msgs: the datagrams received so far, one per line ("\n" inside one shown as "|").
msgs()
{
	awk '/^--$/ { print m; m = ""; next } { m = m (m == "" ? "" : "|") $0 }' "$TMP/notify.out"
}

# up_notify NAME: a topology, the listener, xlbd started with NOTIFY_SOCKET; sets ID, SOCK.
up_notify()
{
	local name=$1 i ns

	topo_new "$name" || return 1
	xlb_config "$TMP/xlbd.yaml"
	topo_vars "$ID"
	ns=$(topo_ns "$ID" dispatcher)
	SOCK=$TMP/notify.sock
	: >"$TMP/notify.out"
	listen "$SOCK" "$TMP/notify.out" ip netns exec "$ns" "$XLBCTL" --pin-dir "$TOPO_PIN_DIR" \
		--control "$TOPO_CONTROL" --json backends
	for ((i = 0; i < 100; i++)); do
		[ -S "$SOCK" ] && break
		sleep 0.02
	done
	NOTIFY_SOCKET=$SOCK topo_xlbd_start "$ID" dispatcher "$TMP/xlbd.yaml"
	if ! topo_xlbd_wait_ready dispatcher 10; then
		fail "$name" "xlbd did not print 'xlbd: ready' within 10 s"
		return 1
	fi
}

# wait_msgs N: until N datagrams arrived (2 s).
wait_msgs()
{
	local i

	for ((i = 0; i < 100; i++)); do
		[ "$(msgs | grep -vc '^after-ready')" -ge "$1" ] && return 0
		sleep 0.02
	done
	return 1
}

test_notify_ready_reload_stop()
{
	local name=notify_ready_reload_stop b addr got rc

	up_notify "$name" || return
	if ! wait_msgs 1 || [ "$(msgs | head -1)" != READY=1 ]; then
		fail "$name" "no READY=1 first: $(msgs | tr '\n' ' ')"
		return
	fi
	for ((i = 0; i < 100; i++)); do
		msgs | grep -q '^after-ready' && break
		sleep 0.02
	done
	got=$(msgs | grep '^after-ready')
	rc=$(awk '{ print $2 }' <<<"$got")
	if [ "$rc" != 0 ] || ! grep -qF '"vip":"web"' <<<"$got"; then
		fail "$name" "at READY=1 xlbctl backends did not show VIP web: $got"
		return
	fi
	for b in $TOPO_BACKENDS; do
		addr=${TOPO_ADDR4[$b]}
		# In the maps with its MAC, live: the first packet to it would be forwarded.
		if ! grep -qE "\"address\":\"$addr\",[^}]*\"mac\":\"[0-9a-f:]{17}\",[^}]*\"datapath\":\"live\"" \
			<<<"$got"; then
			fail "$name" "at READY=1 the maps lacked a live backend $addr with a MAC: $got"
			return
		fi
	done
	kill -HUP "${TOPO_XLBD_PID[dispatcher]}"
	if ! wait_msgs 3; then
		fail "$name" "after SIGHUP: $(msgs | tr '\n' ' ')"
		return
	fi
	got=$(msgs | grep -v '^after-ready' | sed -n 2,3p | tr '\n' ' ')
	if ! grep -qE '^RELOADING=1\|MONOTONIC_USEC=[1-9][0-9]* READY=1 $' <<<"$got"; then
		fail "$name" "around the reload: '$got'"
		return
	fi
	if ! topo_xlbd_log dispatcher | grep -q 'xlbd: reload: 1 VIPs: nothing changed$'; then
		fail "$name" "xlbd logged no reload: $(topo_xlbd_log dispatcher | tail -3)"
		return
	fi
	topo_xlbd_stop dispatcher TERM 5
	if ! wait_msgs 4 || [ "$(msgs | grep -v '^after-ready' | sed -n 4p)" != STOPPING=1 ]; then
		fail "$name" "at SIGTERM: $(msgs | tr '\n' ' ')"
		return
	fi
	pass "$name" "READY=1 with $(wc -w <<<"$TOPO_BACKENDS") live backends and their MACs in the maps," \
		"RELOADING=1 + MONOTONIC_USEC / READY=1 at SIGHUP, STOPPING=1 at SIGTERM"
}

# xlbd's stderr as systemd's journal stream: JOURNAL_STREAM names the log file's dev:inode (it
# exists once topology wrote its header line), so xlbd's lines must carry <N>, no stamp, no name.
test_journal_priorities()
{
	local name=journal_priorities log i out

	topo_new "$name" || return
	topo_vars "$ID"
	log=$TOPO_DIR/xlbd-dispatcher.log
	: >>"$log"
	# -v: debug lines, at <7>, beside the <6> ones.
	xlb_config "$TMP/xlbd.yaml"
	JOURNAL_STREAM=$(stat -c '%d:%i' "$log") topo_xlbd_start "$ID" dispatcher "$TMP/xlbd.yaml" -v
	for ((i = 0; i < 500; i++)); do
		topo_xlbd_log dispatcher | grep -q '^<6>ready: ' && break
		sleep 0.02
	done
	out=$(topo_xlbd_log dispatcher | grep -v '^=== topology')
	if ! grep -q '^<6>ready: ' <<<"$out"; then
		fail "$name" "no '<6>ready:' line: $(tail -5 <<<"$out" | tr '\n' ' ')"
	elif grep -qv '^<[3467]>' <<<"$out"; then
		fail "$name" "a line without a priority: $(grep -v '^<[3467]>' <<<"$out" | head -2)"
	elif ! grep -q '^<7>debug: ' <<<"$out"; then
		fail "$name" "no '<7>debug:' line: $(tr '\n' ' ' <<<"$out")"
	else
		pass "$name" "$(wc -l <<<"$out") lines, each with its priority ($(grep -c '^<7>' \
			<<<"$out") debug), no stamp"
	fi
}

tier_main "$@"
