#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# `make install` into two DESTDIRs, PREFIX=/usr and PREFIX=/usr/local: the tree is exactly the
# one README's "Running under systemd" lists (below, per prefix), the unit's paths follow the
# prefix and `systemd-analyze verify` accepts it (and refuses it with the other prefix's binary
# path), a second install keeps an edited /etc/xlb/xlbd.yaml, and every man page renders with
# no warning from groff -ww nor from man -l. No root needed: everything is under a temp dir.
# Usage: tests/install.sh   (from the checkout; build/xlbd and build/xlbctl are made if needed)
set -u
cd "$(dirname "$0")/.." || exit 1
TMP=$(mktemp -d /tmp/xlb-install.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
fails=0
pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1"; fails=$((fails + 1)); }

# The documented tree for PREFIX $1 (unit dir: /lib/systemd/system for /usr, else PREFIX's).
tree_for()
{
	local p=$1 unitdir=$1/lib/systemd/system
	[ "$p" = /usr ] && unitdir=/lib/systemd/system
	printf '%s\n' /etc/xlb/xlbd.yaml "$unitdir/xlbd.service" "$p/sbin/xlbd" "$p/sbin/xlbctl" \
		"$p/share/man/man5/xlb.yaml.5" "$p/share/man/man8/xlbd.8" \
		"$p/share/man/man8/xlbctl.8" "$p/share/bash-completion/completions/xlbctl" \
		"$p/share/doc/xlb/README.md" "$p/share/doc/xlb/example.yaml" \
		"$p/share/doc/xlb/pair-a.yaml" "$p/share/doc/xlb/pair-b.yaml" | sort
}

# A root systemd-analyze can verify the unit in: the installed tree, the host's targets the
# unit orders itself against, and /bin/kill of ExecReload.
verify_root()
{
	local d=$1 v=$2 u
	cp -a "$d" "$v" && mkdir -p "$v/bin" "$v/lib/systemd/system" && cp /bin/kill "$v/bin/" &&
		for u in /lib/systemd/system/*.target; do cp -P "$u" "$v/lib/systemd/system/"; done
}

for prefix in /usr /usr/local; do
	d=$TMP/dest${prefix//\//_} v=$TMP/verify${prefix//\//_}
	unitdir=$prefix/lib/systemd/system
	[ "$prefix" = /usr ] && unitdir=/lib/systemd/system
	other=/usr/local
	[ "$prefix" = /usr/local ] && other=/usr
	if ! make -s --no-print-directory install PREFIX="$prefix" DESTDIR="$d" >"$TMP/make.out" 2>&1; then
		fail "install PREFIX=$prefix: make install failed: $(tail -3 "$TMP/make.out")"
		continue
	fi
	got=$(cd "$d" && find . -type f -o -type l | sed 's|^\.||' | sort)
	if [ "$got" = "$(tree_for "$prefix")" ]; then
		pass "install PREFIX=$prefix: the documented tree"
	else
		fail "install PREFIX=$prefix: tree differs: $(diff <(tree_for "$prefix") <(echo "$got") | tr '\n' ' ')"
	fi
	unit=$d$unitdir/xlbd.service
	if grep -qx "ExecStart=$prefix/sbin/xlbd -c /etc/xlb/xlbd.yaml" "$unit" &&
	   grep -qx "Type=notify" "$unit" && ! grep -q '@[A-Z]*@' "$unit" &&
	   ! grep -q "$other/sbin" "$unit"; then
		pass "install PREFIX=$prefix: the unit's paths follow the prefix, Type=notify"
	else
		fail "install PREFIX=$prefix: unit paths: $(grep -E '^Exec|^Type|@' "$unit" | tr '\n' ' ')"
	fi
	verify_root "$d" "$v"
	# MANPATH: verify runs man for Documentation=, so the installed pages must be found.
	if out=$(MANPATH=$d$prefix/share/man systemd-analyze verify --root="$v" \
		"$unitdir/xlbd.service" 2>&1) && [ -z "$out" ]; then
		pass "install PREFIX=$prefix: systemd-analyze verify accepts the unit"
	else
		fail "install PREFIX=$prefix: systemd-analyze verify: $out"
	fi
	# The same check must see a unit that names the other prefix's binary, as before this test.
	sed -i "s|$prefix/sbin|$other/sbin|g" "$v$unitdir/xlbd.service"
	if MANPATH=$d$prefix/share/man systemd-analyze verify --root="$v" "$unitdir/xlbd.service" \
		>/dev/null 2>&1; then
		fail "install PREFIX=$prefix: verify accepts a unit naming $other/sbin/xlbd"
	else
		pass "install PREFIX=$prefix: verify refuses a unit naming $other/sbin/xlbd"
	fi
	echo "# edited" >>"$d/etc/xlb/xlbd.yaml"
	make -s --no-print-directory install PREFIX="$prefix" DESTDIR="$d" >"$TMP/make.out" 2>&1
	if tail -1 "$d/etc/xlb/xlbd.yaml" | grep -qx '# edited'; then
		pass "install PREFIX=$prefix: a second install keeps /etc/xlb/xlbd.yaml"
	else
		fail "install PREFIX=$prefix: a second install overwrote /etc/xlb/xlbd.yaml"
	fi
	if bash -c ". '$d$prefix/share/bash-completion/completions/xlbctl' && complete -p xlbctl" \
		>/dev/null 2>&1; then
		pass "install PREFIX=$prefix: the completion loads and completes xlbctl"
	else
		fail "install PREFIX=$prefix: the completion does not load"
	fi
done

# Every page, rendered by groff with every warning and by man as a reader gets it.
for page in man/*.[1-8]; do
	w=$(groff -ww -mandoc -z "$page" 2>&1)
	w2=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
	if [ -z "$w$w2" ] && [ -n "$(MANWIDTH=80 man -l "$page" 2>/dev/null)" ]; then
		pass "man: $page renders with no warning"
	else
		fail "man: $page: $w $w2"
	fi
done

# The systemd sandbox's score, for the record (lower is better; README quotes it).
d=$TMP/dest_usr
if score=$(MANPATH=$d/usr/share/man systemd-analyze security --offline=yes --root="$TMP/verify_usr" \
	/lib/systemd/system/xlbd.service 2>/dev/null | grep -o 'exposure level for xlbd.service: [0-9.]*'); then
	echo "install: systemd-analyze security: $score"
fi
[ "$fails" = 0 ] && echo "install: every check passed" || echo "install: $fails failed"
[ "$fails" = 0 ]
