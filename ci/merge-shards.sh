#!/bin/bash
# SPDX-License-Identifier: MIT
# ci/merge-shards.sh RESULTS N: the merge job of ci/gitlab-ci.yml (and of
# a sharded run by hand). RESULTS/<configuration>/shard-<I>/ are the
# results directories of `HU_VM_SHARD=I/N ci/main.sh` runs; for each
# configuration, hotunplug-merge writes RESULTS/<configuration>/merged/
# (one results.json, a missing or failed shard named, its rows "notrun"),
# then hotunplug-report, when the build has it, reads every merged
# directory and writes RESULTS/report/ (report.html, junit.xml).
# Exit 0: every shard of every configuration complete; 2 otherwise.
set -u
. "$(dirname "$0")/common.sh"

RESULTS=${1:?usage: ci/merge-shards.sh RESULTS N}
N=${2:?usage: ci/merge-shards.sh RESULTS N}
MERGE=$HU_BUILD/runner/hotunplug-merge
REPORT=$HU_BUILD/report/hotunplug-report
[ -x "$MERGE" ] || { echo "[merge] $MERGE not built (ci/setup.sh)"; exit 2; }
rc=0
merged=()
for cfg in "$RESULTS"/*/; do
	cfg=${cfg%/}
	case $(basename "$cfg") in report) continue ;; esac
	compgen -G "$cfg/shard-*" >/dev/null || continue
	dirs=()
	for i in $(seq 1 "$N"); do dirs+=("$cfg/shard-$i"); done
	echo "[merge] $(basename "$cfg"): $N shards"
	"$MERGE" --shards "$N" --output "$cfg/merged" "${dirs[@]}" || rc=2
	# the configuration (kernel, GPU, IOMMU) the report groups by
	for d in "${dirs[@]}"; do
		[ -s "$d/vm/config.json" ] || continue
		mkdir -p "$cfg/merged/vm" && cp "$d/vm/config.json" "$cfg/merged/vm/"
		break
	done
	[ -s "$cfg/merged/results.json" ] && merged+=("$cfg/merged")
done
[ ${#merged[@]} -gt 0 ] || { echo "[merge] no shard results under $RESULTS"; exit 2; }
if [ -x "$REPORT" ]; then
	"$REPORT" -o "$RESULTS/report" "${merged[@]}" || rc=2
else
	echo "[merge] $REPORT not built: no combined report"
fi
echo "[merge] ${#merged[@]} configuration(s) merged, exit $rc"
exit $rc
