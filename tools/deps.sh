#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Install the Debian packages xlb builds and tests with: every program the build, the tests, the
# demo, the bench and the tools call, also those reached through exec. Idempotent and quick: one
# dpkg-query when all are there, else one `apt-get update` and one `apt-get install`.
#
# Usage: tools/deps.sh [GROUP...]   (default: build tests demo; `fresh` adds what
# tools/test-fresh.sh needs on the host and is not part of `make test`)
set -eu

# Compilers and libraries: the Makefile (gcc, ar from binutils, clang -target bpf, bpftool gen
# skeleton) and the -l flags it links with. llvm brings llvm-symbolizer, which the sanitizers
# use to name source lines in their reports. libmnl-dev: xlbd's rtnetlink (netlink message
# building, attribute validation, the subscribed socket), as iproute2 and nftables use it.
# libzookeeper-st-dev: failover mode zookeeper's client, the single-threaded one: xlbd drives
# it from its own loop (zookeeper_interest / zookeeper_process); the -mt one runs callbacks on
# threads of its own. (The two -dev packages ship the same headers: one of them.)
# libmicrohttpd-dev: xlbd's Prometheus endpoint, in its external epoll mode on xlbd's own loop
# (no thread of its own; agent/metrics_http.c).
PKGS_build="make gcc libc6-dev binutils clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev
	libyaml-dev libcmocka-dev libjson-c-dev libsodium-dev pkg-config libmnl-dev
	libzookeeper-st-dev libmicrohttpd-dev"

# The sanitizer tier (valgrind on xlbd) and the fuzz tier (libFuzzer's runtime for clang).
PKGS_check="valgrind libclang-rt-14-dev"

# tests/netns/*.sh, tools/topology.sh and the C tests. Most of these are in any Debian root, but
# "most" is how a fresh machine failed: each is named for the program it brings.
#   iproute2: ip, bridge, ss          iputils-ping: ping (the client's ARP entry for the VIP)
#   procps: sysctl                    ethtool: offloads off on the veths
#   keepalived: the interop tests     coreutils: timeout, mktemp, sleep, head, tail, cut, sort...
#   mawk: awk   sed, grep             util-linux: mountpoint   mount: mount, umount
#   diffutils: cmp                    bash: the scripts        dash: /bin/sh for exec checks,
#   notify scripts and the C tests' system()
#   perl-base: perl (holds the sync port in startup.sh)
#   util-linux also: setpriv, unshare (startup.sh)   findutils: find (tools/fuzz.sh)
#   zookeeper: the ensemble of tests/netns/zookeeper.sh (its jars, run by the test with java
#   from default-jre-headless, which zookeeper's default-jre depends on)
#   bird2: bird, birdc (bgp.sh: the router and each dispatcher's BGP speaker)
#   tests/install.sh (the unit tier): groff-base: groff -ww on the man pages; man-db: man -l;
#   systemd: systemd-analyze verify / security on the installed unit (a fresh root has none)
#   prometheus: promtool; `promtool check metrics` is the strict exposition-format parser and
#   linter run.sh's test_demo_spread holds xlbd's scrape to (without recommends: no server runs)
PKGS_tests="iproute2 iputils-ping procps ethtool keepalived coreutils mawk sed grep util-linux
	mount diffutils bash dash perl-base
	findutils zookeeper default-jre-headless bird2 groff-base man-db systemd prometheus"

# tools/demo.sh: nothing beyond the tests' programs, but the group keeps `make demo` honest.
PKGS_demo="iproute2 coreutils grep sed"

# tools/test-fresh.sh on the host: debootstrap builds the root, git clones the checkout into it,
# util-linux brings unshare and mount, coreutils chroot.
PKGS_fresh="debootstrap git util-linux mount coreutils tar"

groups=${*:-build check tests demo}
PKGS=
for g in $groups; do
	case $g in
	build | check | tests | demo | fresh) eval "PKGS=\"\$PKGS \$PKGS_$g\"" ;;
	*)
		echo "deps: unknown group '$g' (build check tests demo fresh)" >&2
		exit 2
		;;
	esac
done

# One dpkg-query for all: it prints the installed ones, and names the unknown ones on stderr.
# shellcheck disable=SC2086
installed=$(dpkg-query -W -f='${Package} ${Status}\n' $PKGS 2>/dev/null |
	awk '$NF == "installed" { print $1 }') || true
missing=
for p in $PKGS; do
	case " $missing " in *" $p "*) continue ;; esac
	echo "$installed" | grep -qx "$p" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "deps: missing packages:$missing (run as root, or: apt-get install$missing)" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
