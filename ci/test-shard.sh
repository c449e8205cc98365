#!/bin/bash
# SPDX-License-Identifier: MIT
# ci/test-shard.sh: hotunplug-vm --shard I/N --dry-run on the real lists:
# the N listings joined are the list's rows in order, each once; every
# shard is a contiguous block; with equal rows (no times file) shard I of
# N is the I-th block (fast-feedback's 27 rows: 2/3 is rows 10-18); the
# cut is the same on a second call. Needs what
# --dry-run needs (the sid root, the guest kernel: ci/setup.sh and the
# kernel cache). Prints one line per check; exit 0 when all pass.
set -u
. "$(dirname "$0")/common.sh"
VM=$HU_BUILD/runner/hotunplug-vm
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
bad=0
ok() {	# ok DESCRIPTION CMD...
	local d=$1
	shift
	if "$@" >/dev/null 2>&1; then echo "[shard] ok: $d"; else echo "[shard] FAILED: $d"; bad=$((bad + 1)); fi
}
shard_cut() {	# shard_cut LIST N TIMES OUTPREFIX
	local i
	for i in $(seq 1 "$2"); do
		timeout 600 "$VM" --kernel sid --test-list "$1" \
			--blocklist "$HU_REPO/tests/testlists/blocklist.txt" \
			${3:+--shard-times "$3"} --shard "$i/$2" --dry-run \
			--results "$T/r" > "$4.$i.log" 2>&1 || return 1
		grep '^igt@' "$4.$i.log" > "$4.$i"
	done
}
for list in full fast-feedback; do
	L=$HU_REPO/tests/testlists/$list.testlist
	grep -o '^igt@[^ #]*' "$L" > "$T/$list.rows"
	n=$(wc -l < "$T/$list.rows")
	ok "$list: 3 dry runs" shard_cut "$L" 3 "" "$T/$list"
	ok "$list: the 3 shards joined are the list, in order, each row once" \
		diff "$T/$list.rows" <(cat "$T/$list".[123])
	# with no times, every row that runs weighs the same: shard 2/3 is
	# the second block of the list (blocklisted rows weigh nothing)
	first=$(head -n 1 "$T/$list.2") last=$(tail -n 1 "$T/$list.2")
	ok "$list: shard 2/3 is one block of the list ($(wc -l < "$T/$list.2") of $n rows)" \
		diff "$T/$list.2" <(sed -n "/^${first//@/\\@}\$/,/^${last//@/\\@}\$/p" "$T/$list.rows")
	ok "$list: the cut is the same on a second call" shard_cut "$L" 3 "" "$T/again"
	ok "$list: same rows the second time" diff <(cat "$T/$list".[123]) <(cat "$T/again".[123])
done
# fast-feedback: 27 rows, none blocklisted: 2/3 is rows 10 to 18
ok "fast-feedback: shard 2/3 is exactly the second third (rows 10-18 of 27)" \
	diff "$T/fast-feedback.2" <(sed -n 10,18p "$T/fast-feedback.rows")
ok "full, timed by ci/times: the 3 shards joined are the list" \
	shard_cut "$HU_REPO/tests/testlists/full.testlist" 3 "$HU_REPO/ci/times/full-virtio-gpu-sid.txt" "$T/timed"
ok "full, timed: each row once, in order" diff "$T/full.rows" <(cat "$T/timed".[123])
echo "[shard] $bad failed"
[ $bad -eq 0 ]
