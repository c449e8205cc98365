#!/bin/bash
# SPDX-License-Identifier: MIT
# Unit test of hotunplug-merge (TAP) on recorded shard directories
# (runner/tests/data/merge): shard 1 complete, shard 2 lost a row (a crash
# under -m), shard 3 complete; the dynamic subtests of stress are cut over
# shards 1 and 3, so both have a result for their parent.
# merge.sh MERGE_EXE DATA_DIR
set -u
MERGE=$1 DATA=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
n=0 bad=0
ok() {	# ok DESCRIPTION CMD...
	local d=$1
	shift
	n=$((n + 1))
	if "$@" >/dev/null 2>&1; then echo "ok $n - $d"; else echo "not ok $n - $d"; bad=$((bad + 1)); fi
}
q() { jq -e "$1" "$T/$2/results.json"; }

"$MERGE" --shards 3 --output "$T/a" "$DATA"/shard-{1,2,3} > "$T/a.out" 2>&1
ok "a row lost in a shard: exit 2" test $? -eq 2
ok "8 tests: 7 results and the lost row" q '.tests | length == 8' a
ok "the lost row is notrun, saying which shard" \
	q '.tests["igt@drm_hotunplug@rmmod-idle"] | .result == "notrun" and (.err | test("shard 2/3"))' a
ok "a blocklisted row is not added" q '.tests["igt@drm_hotunplug@slotoff-idle"] == null' a
ok "verdicts kept" q '.tests["igt@drm_hotunplug@unbind-idle"].result == "dmesg-warn" and .tests["igt@virtio_gpu_hotunplug@remove-bo"].result == "fail"' a
ok "totals recounted" q '.totals[""] | .pass == 2 and .fail == 1 and .skip == 1 and .notrun == 1 and ."dmesg-warn" == 1 and ."dmesg-fail" == 2' a
ok "a parent in two shards: the worse verdict" q '.tests["igt@drm_hotunplug@stress"].result == "dmesg-fail"' a
ok "a parent in two shards: both dmesg, times added" \
	q '.tests["igt@drm_hotunplug@stress"] | (.dmesg | test("WARNING")) and .time.end == 12' a
ok "per-binary totals" q '.totals["igt@virtio_gpu_hotunplug"] | .fail == 1 and .skip == 1' a
ok "time_elapsed spans the shards" q '.time_elapsed.start == 90 and .time_elapsed.end == 140' a
ok "runtimes added per binary" q '.runtimes["igt@virtio_gpu_hotunplug"].time.end == 4.5' a
ok "results_version kept" q '.results_version == 10' a
ok "shard 2's exit 1 said" grep -q "shard 2/3 .*exit 1" "$T/a.out"

"$MERGE" --shards 3 --output "$T/b" "$DATA/shard-1" "$T/nosuchdir" "$DATA/shard-3" > "$T/b.out" 2>&1
ok "a shard that never ran: exit 2" test $? -eq 2
ok "it is named MISSING" grep -q "shard 2/3 .*MISSING" "$T/b.out"
ok "the others merged" q '.tests | length == 6' b

"$MERGE" --output "$T/c" "$DATA/shard-1" "$DATA/shard-3" > "$T/c.out" 2>&1
ok "a shard not given: exit 2" test $? -eq 2
ok "it is named MISSING" grep -q "shard 2/3: MISSING" "$T/c.out"

"$MERGE" --shards 3 --output "$T/d" "$DATA/shard-1" "$DATA/shard-3" "$DATA/shard-2" > "$T/d.out" 2>&1
ok "shards out of order: exit 2" test $? -eq 2
ok "nothing written" test ! -e "$T/d/results.json"

cp -r "$DATA/shard-2" "$T/s2"
jq '.tests["igt@drm_hotunplug@rmmod-idle"] = .tests["igt@virtio_gpu_hotunplug@remove-bo"]' \
	"$DATA/shard-2/results.json" > "$T/s2/results.json"
sed -i 's/^exit 1$/exit 0/' "$T/s2/vm/shard.txt"
"$MERGE" --shards 3 --output "$T/e" "$DATA/shard-1" "$T/s2" "$DATA/shard-3" > "$T/e.out" 2>&1
ok "every shard complete: exit 0" test $? -eq 0
ok "8 results, none notrun" q '(.tests | length == 8) and ([.tests[].result] | index("notrun") == null)' e
ok "3 of 3 shards complete" grep -q "3 of 3 shards complete" "$T/e.out"

echo "1..$n"
[ $bad -eq 0 ]
