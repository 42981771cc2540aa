#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# `make test-fresh`: run `make test` on a bare Debian 12, as a new user's machine would be.
#
# The bare root is `debootstrap --variant=minbase bookworm` plus what the README's quick start
# says a bare machine needs before make exists (`apt-get install make`), built once and cached as
# $FRESH_DIR/base.tar. Every run unpacks that pristine root into a new work root, so every run
# really starts from bare: nothing another run installed is there. Only the downloaded .deb files
# are kept between runs ($FRESH_DIR/archives, bound onto the root's apt cache), to spare the
# mirror; apt still installs every package afresh.
#
# Into the work root go a clone of this checkout's HEAD (committed work only: a fresh machine
# gets what a clone gives, and uncommitted edits plus untracked files would make a tree nobody
# can clone) and the host's /etc/resolv.conf. Then, in a private mount namespace so nothing leaks
# onto the host's mounts: the root bound onto itself (`ip netns` needs / to be a mount point),
# proc, sysfs, bpffs at /sys/fs/bpf (systemd mounts it on a real Debian 12 host; the tests mount
# per-run pin dirs of their own), a bind of /dev with a devpts and a /dev/shm of its own, and a
# tmpfs on /run and /tmp; `make test` runs there under chroot, as root, with a clean environment.
# The exit code is make test's. A trap stops what was left running in the root, by pid, and
# removes the work root, also on failure or Ctrl-C.
#
# The mirror is the host's: the URIs of its bookworm main suite in /etc/apt/sources.list or
# /etc/apt/sources.list.d/, read at run time.
#
# Usage: tools/test-fresh.sh [MAKE-TARGET...]   (default: test)
#   FRESH_DIR      cache and work roots (default /var/tmp/xlb-fresh)
#   FRESH_REBUILD  1: build the base root again even when cached
#   FRESH_REV      the commit to test (default HEAD), e.g. to see an old defect fail
set -eu

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
FRESH_DIR=${FRESH_DIR:-/var/tmp/xlb-fresh}
BASE=$FRESH_DIR/base.tar
ARCHIVES=$FRESH_DIR/archives
SUITE=bookworm
TARGETS=("${@:-test}")
WORK=

log() { echo "test-fresh: $*" >&2; }
now() { date +%s; }

# The first URI of a "deb" source for $SUITE with component main, deb822 files first.
mirror_uri()
{
	local f

	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk -v suite="$SUITE" 'BEGIN { RS = "" }
		{
			uris = suites = comps = types = ""; enabled = "yes"
			n = split($0, line, "\n")
			for (i = 1; i <= n; i++) {
				if (line[i] ~ /^[ \t]*#/ || line[i] !~ /:/)
					continue
				k = tolower(line[i]); sub(/:.*/, "", k)
				v = line[i]; sub(/^[^:]*:[ \t]*/, "", v)
				if (k == "uris") uris = v
				else if (k == "suites") suites = v
				else if (k == "components") comps = v
				else if (k == "types") types = v
				else if (k == "enabled") enabled = tolower(v)
			}
			if (enabled != "no" && (" " types " ") ~ / deb / &&
			    (" " suites " ") ~ (" " suite " ") && (" " comps " ") ~ / main /) {
				split(uris, u, " "); print u[1]; exit
			}
		}' "$f"
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		awk -v suite="$SUITE" '$1 == "deb" {
			i = 2
			if ($i ~ /^\[/) { while (i < NF && $i !~ /\]$/) i++; i++ }
			if ($(i + 1) != suite) next
			for (j = i + 2; j <= NF; j++) if ($j == "main") { print $i; exit }
		}' "$f"
	done
}

# Mount what a booted host has, under $1, in the current (private) mount namespace.
mount_root()
{
	local r=$1

	mount --bind "$r" "$r"
	mount -t proc proc "$r/proc"
	mount -t sysfs sysfs "$r/sys"
	mount -t bpf bpf "$r/sys/fs/bpf"
	mount --bind /dev "$r/dev"
	mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts "$r/dev/pts"
	mount -t tmpfs -o mode=1777 tmpfs "$r/dev/shm"
	mount -t tmpfs -o mode=0755 tmpfs "$r/run"
	mount -t tmpfs -o mode=1777 tmpfs "$r/tmp"
	mkdir -p "$ARCHIVES" "$r/var/cache/apt/archives"
	mount --bind "$ARCHIVES" "$r/var/cache/apt/archives"
}

# Run a command in root $1 with mounts that vanish with it, as root, with a clean environment.
in_root()
{
	local r=$1

	shift
	unshare --mount --propagation private -- bash -c '
		set -e
		'"$(declare -f mount_root); ARCHIVES=$(printf %q "$ARCHIVES")"'
		mount_root "$1"
		r=$1; shift
		exec chroot "$r" /usr/bin/env -i HOME=/root TERM="${TERM:-dumb}" \
			PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"
	' in_root "$r" "$@" 9>&-
}

# Stop what is still running with its root in $1 (a test that left a process behind), by pid.
stop_root_procs()
{
	local r=$1 p pids=()

	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/root" 2>/dev/null)" = "$r" ] && pids+=("${p#/proc/}")
	done
	[ ${#pids[@]} -eq 0 ] && return 0
	log "stopping what was left running in the root: ${pids[*]}"
	kill -TERM "${pids[@]}" 2>/dev/null || true
	sleep 1
	kill -KILL "${pids[@]}" 2>/dev/null || true
}

cleanup()
{
	local rc=$?

	trap - EXIT INT TERM
	if [ -n "$WORK" ] && [ -d "$WORK" ]; then
		stop_root_procs "$WORK/root"
		# The mounts lived in the private namespace only; refuse to remove through one anyway.
		if findmnt -rn -o TARGET | grep -q "^$WORK/"; then
			log "$WORK still has mounts; left in place"
		else
			rm -rf --one-file-system -- "$WORK"
		fi
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

build_base()
{
	local uri t0 tmp

	uri=$(mirror_uri | head -n 1)
	if [ -z "$uri" ]; then
		log "no '$SUITE main' source in the host's apt configuration"
		return 1
	fi
	t0=$(now)
	log "building the base root (debootstrap --variant=minbase $SUITE, from the host's mirror)"
	tmp=$(mktemp -d "$FRESH_DIR/base.XXXXXX")
	WORK=$tmp
	mkdir "$tmp/root"
	debootstrap --variant=minbase "$SUITE" "$tmp/root" "$uri" >"$tmp/debootstrap.log" 2>&1 || {
		tail -n 20 "$tmp/debootstrap.log" >&2
		return 1
	}
	cp /etc/resolv.conf "$tmp/root/etc/resolv.conf"
	# The README's quick start for a bare machine, word for word.
	in_root "$tmp/root" sh -c 'apt-get update -qq && apt-get install -y -qq make' >&2
	rm -f "$tmp/root/etc/resolv.conf"
	tar -C "$tmp/root" --numeric-owner --xattrs -cpf "$BASE.tmp" .
	mv "$BASE.tmp" "$BASE"
	rm -rf --one-file-system -- "$tmp"
	WORK=
	log "base root cached in $BASE ($(($(now) - t0)) s)"
}

main()
{
	local t0 t1 head rc

	if [ "$(id -u)" != 0 ]; then
		log "needs root (debootstrap, chroot, mounts)"
		exit 1
	fi
	"$SRC/tools/deps.sh" fresh
	mkdir -p "$FRESH_DIR"
	# One run at a time: they share the base root and apt's download cache (and its lock).
	exec 9>"$FRESH_DIR/lock"
	if ! flock -n 9; then
		log "another test-fresh holds $FRESH_DIR/lock; waiting"
		flock 9
	fi
	t0=$(now)
	if [ ! -f "$BASE" ] || [ "${FRESH_REBUILD:-0}" = 1 ]; then
		build_base
	fi

	head=$(git -C "$SRC" rev-parse --verify "${FRESH_REV:-HEAD}^{commit}")
	if [ -z "${FRESH_REV:-}" ] && [ -n "$(git -C "$SRC" status --porcelain)" ]; then
		log "uncommitted changes in $SRC are NOT included: testing HEAD $head"
	fi
	WORK=$(mktemp -d "$FRESH_DIR/run.XXXXXX")
	mkdir "$WORK/root"
	tar -C "$WORK/root" --numeric-owner --xattrs -xpf "$BASE"
	cp /etc/resolv.conf "$WORK/root/etc/resolv.conf"
	# The chroot shares the host's network: no daemon a package installs (keepalived) may start.
	printf '#!/bin/sh\nexit 101\n' >"$WORK/root/usr/sbin/policy-rc.d"
	chmod 0755 "$WORK/root/usr/sbin/policy-rc.d"
	git clone -q --no-checkout "$SRC" "$WORK/root/root/xlb"
	git -C "$WORK/root/root/xlb" checkout -q --detach "$head"
	t1=$(now)
	log "fresh root ready in $WORK/root ($((t1 - t0)) s); make ${TARGETS[*]} at $head"

	rc=0
	in_root "$WORK/root" sh -c 'cd /root/xlb && exec make "$@"' make "${TARGETS[@]}" || rc=$?
	log "make ${TARGETS[*]} exited $rc after $(($(now) - t1)) s ($(($(now) - t0)) s in all)"
	return "$rc"
}

main
