#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Install the Debian packages xlb builds and tests with. Idempotent: does nothing when all are there.
set -eu

# libclang-rt-14-dev: clang's libFuzzer and sanitizer runtimes (make fuzz, make fuzz-smoke).
PKGS="make gcc libc6-dev clang llvm libclang-rt-14-dev libbpf-dev bpftool libelf-dev zlib1g-dev libyaml-dev
      libcmocka-dev libjson-c-dev libsodium-dev pkg-config iproute2 iputils-ping procps ethtool keepalived
      perl-base valgrind"

missing=
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
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
