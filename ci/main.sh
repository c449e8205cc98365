#!/bin/bash
# SPDX-License-Identifier: MIT
# ci/main.sh: the main job. Installs and builds everything (ci/setup.sh),
# then runs the suite's test list in the VM lane: build/runner/hotunplug-vm
# boots a Debian kernel under QEMU with a virtual GPU and runs the real
# igt_runner over the list inside. Prints the runner's live lines and
# summary table, then where results.json and report.html are (hotunplug-
# report: findings grouped by signature, docs/reports.md); exits with the
# runner's code (0: nothing unexpected, 1: a new failure or an unexpected
# pass against tests/expectations, 2: the lane itself failed).
#
# Knobs (environment):
#   HU_VM_KERNEL     Debian suite or bzImage (default sid)
#   HU_VM_GPUS       GPU kinds, one run each (default virtio-gpu; e.g.
#                    "virtio-gpu bochs": about twice the time and more,
#                    bochs also runs the host-side external rows)
#   HU_VM_TESTLIST   igt test list (default tests/testlists/full.testlist)
#   HU_VM_BLOCKLIST  igt_runner -b regexes (default
#                    tests/testlists/blocklist.txt; empty: none)
#   HU_VM_FBDEV      0: turn the guest's fbdev emulation off (see below)
#   HU_VM_EXPECT     expectations directory (default tests/expectations;
#                    empty: none, every failure fails the job)
#   HU_VM_MULTIPLE   0: one igt_runner job per subtest (see below)
#   HU_VM_APPEND     more guest kernel command line
#   HU_VM_TIMEOUT    whole run per GPU kind, s (default 1800)
#   HU_VM_SHARD      I/N: run the I-th of N balanced, contiguous slices of
#                    the list (hotunplug-vm --shard; docs/scale-out.md)
#   HU_VM_SHARD_TIMES  per-row times the slices balance (default
#                    ci/times/full-virtio-gpu-sid.txt when it exists)
#   HU_VM_ARGS       more hotunplug-vm options (word-split)
#   HU_RESULTS       results directory (default ./results); with several
#                    GPU kinds, one subdirectory per kind
set -u
. "$(dirname "$0")/common.sh"

KERNEL=${HU_VM_KERNEL:-sid}
GPUS=${HU_VM_GPUS:-virtio-gpu}
TESTLIST=${HU_VM_TESTLIST:-$HU_REPO/tests/testlists/full.testlist}
BLOCKLIST=${HU_VM_BLOCKLIST-$HU_REPO/tests/testlists/blocklist.txt}
RESULTS=${HU_RESULTS:-$HU_REPO/results}
VM=$HU_BUILD/runner/hotunplug-vm

t0=$(hu_now)
"$HU_REPO/ci/setup.sh" || { echo "[main] set-up failed"; exit 2; }
[ -x "$VM" ] || { echo "[main] $VM not built"; exit 2; }

args=(--kernel "$KERNEL" --test-list "$TESTLIST" --overwrite
	--timeout "${HU_VM_TIMEOUT:-1800}")
[ -n "$BLOCKLIST" ] && args+=(--blocklist "$BLOCKLIST")
# The kernel as Debian ships it: fbdev emulation on. Then virtio-gpu's
# final release WARNs "Memory manager not clean during takedown" in
# random rows (docs/drm_hotunplug.md, finding F1); tests/expectations
# lists it as a flake of those rows, so F1 shows as known and anything
# else fails the job. HU_VM_FBDEV=0 turns fbdev emulation off
# (drm_kms_helper.fbdev_emulation=0), which hides F1.
[ "${HU_VM_FBDEV:-1}" = 0 ] && args+=(--append "drm_kms_helper.fbdev_emulation=0")
EXPECT=${HU_VM_EXPECT-$HU_REPO/tests/expectations}
[ -n "$EXPECT" ] && args+=(--expectations "$EXPECT")
[ -n "${HU_VM_APPEND:-}" ] && args+=(--append "$HU_VM_APPEND")
# igt_runner -m, one job per binary: every job is an exec of the test
# binary from the 9p root under TCG, which costs about 0.6 s. Measured on
# full.testlist, virtio-gpu, load average 4: 109.5 s with -m against
# 184.4 s without, the same verdicts (99 pass, 32 skip). The price: after
# a guest crash igt_resume drops the rest of that binary; hotunplug-vm
# then lists those tests as "no result ... (not run)" and exits 1.
# HU_VM_MULTIPLE=0 runs every subtest as its own job instead.
[ "${HU_VM_MULTIPLE:-1}" = 0 ] || args+=(--multiple)
if [ -n "${HU_VM_SHARD:-}" ]; then
	args+=(--shard "$HU_VM_SHARD")
	times=${HU_VM_SHARD_TIMES-$HU_REPO/ci/times/full-virtio-gpu-sid.txt}
	[ -n "$times" ] && [ -f "$times" ] && args+=(--shard-times "$times")
fi
# shellcheck disable=SC2206 # word-split on purpose
[ -n "${HU_VM_ARGS:-}" ] && args+=($HU_VM_ARGS)

read -r -a kinds <<< "${GPUS//,/ }"
[ ${#kinds[@]} -gt 0 ] || { echo "[main] HU_VM_GPUS is empty"; exit 2; }
# A results directory from the other layout (one kind at the top, several
# in subdirectories) is cleared here; hotunplug-vm clears its own.
is_results() { [ -e "$1/metadata.txt" ] || [ -e "$1/vm" ]; }
if [ ${#kinds[@]} -eq 1 ]; then
	for d in "$RESULTS"/*/; do
		[ -d "$d" ] && is_results "$d" && rm -rf "$d"
	done
elif is_results "$RESULTS"; then
	find "$RESULTS" -mindepth 1 -maxdepth 1 -exec rm -rf {} +
fi

rc=0
paths=()
for kind in "${kinds[@]}"; do
	out=$RESULTS
	[ ${#kinds[@]} -gt 1 ] && out=$RESULTS/$kind
	echo "[main] VM lane: kernel $KERNEL, $kind, $(basename "$TESTLIST")," \
		"results in $out"
	t1=$(hu_now)
	"$VM" "${args[@]}" --gpu "$kind" --results "$out"
	r=$?
	echo "[main] $kind: hotunplug-vm exited $r after $(hu_since "$t1") s"
	[ $r -gt $rc ] && rc=$r
	paths+=("$out/results.json")
done
dirs=()
for p in "${paths[@]}"; do
	if [ -s "$p" ]; then
		echo "[main] results: $p"
		dirs+=("$(dirname "$p")")
	else
		echo "[main] no results: $p missing"
		rc=2
	fi
done
# hotunplug-vm wrote each run's report; several GPU kinds get one more
# over all of them (docs/reports.md)
if [ ${#kinds[@]} -gt 1 ] && [ ${#dirs[@]} -gt 0 ]; then
	"$HU_BUILD/report/hotunplug-report" -o "$RESULTS/report" "${dirs[@]}" \
		> /dev/null || rc=2
	[ -s "$RESULTS/report/report.html" ] &&
		echo "[main] report: $RESULTS/report/report.html"
else
	for d in "${dirs[@]}"; do
		if [ -s "$d/report/report.html" ]; then
			echo "[main] report: $d/report/report.html"
		else
			echo "[main] no report: $d/report/report.html missing"
			rc=2
		fi
	done
fi
echo "[main] done in $(hu_since "$t0") s, exit $rc"
exit $rc
