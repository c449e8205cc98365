#!/bin/bash
# SPDX-License-Identifier: MIT
# Unit test of results-to-lava.py (TAP): the verdict mapping and the
# lava-test-set/-case lines it gives for a recorded results.json
# (runner/tests/data/merge/shard-1), plus a listed row with no result.
# test-results-to-lava.sh SCRIPT DATA_DIR
set -u
PY=/usr/bin/python3
SCRIPT=$1 DATA=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
n=0 bad=0
ok() {
	local d=$1
	shift
	n=$((n + 1))
	if "$@" >/dev/null 2>&1; then echo "ok $n - $d"; else echo "not ok $n - $d"; bad=$((bad + 1)); fi
}
printf '%s\n' igt@drm_hotunplug@remove-idle igt@drm_hotunplug@unbind-idle \
	igt@drm_hotunplug@slotoff-idle igt@drm_hotunplug@rmmod-idle > "$T/list"
echo 'igt@drm_hotunplug@slotoff-.*' > "$T/block"
"$PY" "$SCRIPT" --dry-run --test-list "$T/list" --blocklist "$T/block" \
	"$DATA/shard-1/results.json" > "$T/out" 2>&1
ok "exit 0" test $? -eq 0
ok "one test set per binary" grep -qx '+ lava-test-set start drm_hotunplug' "$T/out"
ok "pass -> pass" grep -qx '+ lava-test-case remove-idle --result pass' "$T/out"
ok "dmesg-warn -> fail" grep -qx '+ lava-test-case unbind-idle --result fail' "$T/out"
ok "a listed row without result -> unknown" grep -qx '+ lava-test-case rmmod-idle --result unknown' "$T/out"
ok "a blocklisted row is not a case" bash -c "! grep -q slotoff '$T/out'"
ok "the set is closed" grep -qx '+ lava-test-set stop' "$T/out"
"$PY" "$SCRIPT" --dry-run --test-list "$T/list" "$T/nosuch.json" > "$T/out2" 2>&1
ok "no results.json: exit 1" test $? -eq 1
ok "no results.json: igt_runner fails" grep -qx '+ lava-test-case igt_runner --result fail' "$T/out2"
ok "no results.json: listed rows unknown" grep -qx '+ lava-test-case remove-idle --result unknown' "$T/out2"
"$PY" "$SCRIPT" --dry-run "$DATA/shard-3/results.json" > "$T/out3" 2>&1
ok "a failed row's kernel warning is in the log" grep -qx '  <4> WARNING: x' "$T/out3"
ok "dmesg-fail -> fail" grep -qx '+ lava-test-case stress@unbind --result fail' "$T/out3"
echo "1..$n"
[ $bad -eq 0 ]
