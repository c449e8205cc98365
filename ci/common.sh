#!/bin/bash
# SPDX-License-Identifier: MIT
# Helpers shared by the ci/ scripts: progress lines with timings.
# Sourced, never run.

. "$(dirname "${BASH_SOURCE[0]}")/apt-private.sh"
export HU_CACHE
HU_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HU_BUILD=${HU_BUILD:-$HU_REPO/build}

hu_now() { date +%s.%N; }
hu_since() { awk -v a="$1" -v b="$(hu_now)" 'BEGIN { printf "%.1f", b - a }'; }

# hu_step TAG TEXT CMD...: runs CMD, prints one line with its outcome and
# wall time; returns CMD's exit code.
hu_step() {
	local tag=$1 text=$2 t0 rc
	shift 2
	t0=$(hu_now)
	echo "[$tag] $text ..."
	# (not a bare command: set -e in the caller must not skip the report)
	"$@" && rc=0 || rc=$?
	if [ $rc -eq 0 ]; then
		echo "[$tag] $text: ok ($(hu_since "$t0") s)"
	else
		echo "[$tag] $text: FAILED, exit $rc ($(hu_since "$t0") s)"
	fi
	return $rc
}
