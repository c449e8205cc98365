#!/bin/sh
# SPDX-License-Identifier: MIT
# igt-lava.sh ROOT RESULTS [TESTLIST [BLOCKLIST [PER_TEST_TIMEOUT [ENV]]]]
# Run by ci/lava/hotunplug.yaml on the device, from the unpacked test root
# ROOT (ci/pack.sh's hotunplug/ directory): igt_runner over
# ROOT/libexec/hotunplug with a list of ROOT/share/hotunplug/testlists/,
# results in RESULTS, then one lava-test-set per binary and one
# lava-test-case per row (results-to-lava.py). Exits 0 whatever the tests
# did (the verdicts are the cases); 1 when it could not run igt_runner.
set -u
root=$1 out=$2
list=$root/share/hotunplug/testlists/${3:-fast-feedback.testlist}
block=${4:-}
ptt=${5:-120}
env=${6:-}
tests=$root/libexec/hotunplug
here=$(dirname "$0")
[ -r "$list" ] || { echo "igt-lava: no test list $list" >&2; exit 1; }
command -v igt_runner >/dev/null ||
	{ echo "igt-lava: no igt_runner on this device (install igt-gpu-tools)" >&2; exit 1; }
set -- -s -m -l verbose --per-test-timeout "$ptt" --test-list "$list"
if [ -n "$block" ]; then
	block=$root/share/hotunplug/testlists/$block
	set -- "$@" -b "$block"
fi
[ -n "$env" ] && set -- "$@" -e "$env"
echo "igt-lava: igt_runner $* $tests $out"
igt_runner "$@" "$tests" "$out"
echo "igt-lava: igt_runner exited $?"
python3 "$here/results-to-lava.py" --test-list "$list" \
	${block:+--blocklist "$block"} "$out/results.json"
