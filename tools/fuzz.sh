#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Run each libFuzzer harness: first replay its regression inputs (tests/fuzz/regress/<h>/, each
# a crash once found), then fuzz for SECONDS from the committed seeds (tests/fuzz/corpus/<h>/)
# plus what earlier runs found (BUILD/corpus/<h>/, where new inputs go). One process each, one
# after the other: the machine has 2 cores. Prints the inputs executed per harness; fails if any
# harness crashed or broke a property, leaving the input in BUILD/crash-<h>-*.
# usage: tools/fuzz.sh BUILD SECONDS HARNESS...
set -u

build=$1 secs=$2
shift 2
rc=0
for h in "$@"; do
	bin=$build/fuzz_$h log=$build/fuzz-$h.log
	mkdir -p "$build/corpus/$h"
	set -- tests/fuzz/regress/"$h"/*
	if [ -e "$1" ] && ! "$bin" "$@" >"$log" 2>&1; then
		echo "fuzz: $h: a regression input fails again:" >&2
		tail -n 30 "$log" >&2
		rc=1
		continue
	fi
	"$bin" -max_total_time="$secs" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$build/crash-$h-" "$build/corpus/$h" tests/fuzz/corpus/"$h" \
		>"$log" 2>&1
	st=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	seeds=$(find tests/fuzz/corpus/"$h" -type f | wc -l)
	found=$(find "$build/corpus/$h" -type f | wc -l)
	if [ "$st" != 0 ]; then
		echo "fuzz: $h: FAIL after ${runs:-?} inputs (log $log):" >&2
		grep -E 'ERROR|property failed|SUMMARY|Test unit written' "$log" | head -n 10 >&2
		rc=1
		continue
	fi
	echo "fuzz: $h: ${runs:-?} inputs in ${secs} s, no crash; corpus $seeds seeds + $found found"
done
exit $rc
