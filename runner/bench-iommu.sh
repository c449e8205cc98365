#!/bin/sh
# SPDX-License-Identifier: MIT
# bench-iommu.sh [BUILD_DIR] [KERNEL]: what the IOMMU-lifetime oracle costs
# per row (runner/bench.sh BUILD KERNEL iommu). The 27 rows of
# virtio_gpu_hotunplug, one boot (igt_runner -m) per configuration:
#   none      no IOMMU (the oracle cannot arm)
#   off       --iommu intel, HU_IOMMU_ORACLE=off: the emulated IOMMU alone
#   nostack   the oracle without its stacktrace trigger
#   full      the oracle as shipped (kept armed between rows)
#   rearm     the oracle armed and disarmed for every row (as before)
# and the oracle's own phases from its "iommu oracle cost:" lines.
# HU_BENCH_IOMMU_CONFIGS picks configurations (default: all five).
# Target: full - off <= 0.3 s per row.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=${1:-$HERE/../build}
KERNEL=${2:-sid}
VM=$BUILD/runner/hotunplug-vm
[ -x "$VM" ] || { echo "bench-iommu: no $VM (build first)" >&2; exit 1; }
command -v jq > /dev/null || { echo "bench-iommu: needs jq" >&2; exit 1; }
W=$(mktemp -d /tmp/hu-bench-iommu.XXXXXX)
# HU_BENCH_KEEP=1 keeps the results directories
if [ -n "${HU_BENCH_KEEP:-}" ]; then
	echo "[bench] work dir: $W"
else
	trap 'rm -rf "$W"' EXIT
fi
"$BUILD/tests/virtio_gpu_hotunplug" --list-subtests |
	sed 's/^/igt@virtio_gpu_hotunplug@/' > "$W/rows.testlist"

echo "[bench] load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
for c in ${HU_BENCH_IOMMU_CONFIGS:-none off nostack full rearm}; do
	case $c in
	none) set -- ;;
	off|nostack|rearm) set -- --iommu intel --env "HU_IOMMU_ORACLE=$c" ;;
	full) set -- --iommu intel ;;
	*) echo "bench-iommu: unknown configuration $c" >&2; exit 1 ;;
	esac
	r=$W/$c
	"$VM" --kernel "$KERNEL" --gpu virtio-gpu --multiple \
		--test-list "$W/rows.testlist" --results "$r" \
		--per-test-timeout 120 "$@" > "$r.log" 2>&1 || true
	[ -s "$r/results.json" ] || { echo "[bench] $c: no results.json ($r.log)"; continue; }
	# seconds per row inside the test binary (igt_runner's start/end)
	jq -r '.tests | to_entries[] | select(.key | startswith("igt@virtio_gpu_hotunplug@")) |
		"\(.value.result) \(.value.time.end - .value.time.start)"' \
		"$r/results.json" > "$r.rows"
	awk -v c="$c" '{ n++; s += $2; v[$1]++ }
		END { printf "[bench] %-8s %2d rows, %.2f s per row (", c, n, n ? s / n : 0
		      sep = ""; for (k in v) { printf "%s%d %s", sep, v[k], k; sep = ", " }
		      print ")" }' "$r.rows"
	grep -E '^\[vm\] timing' "$r.log" | sed "s/^\[vm\] timing: /[bench] $c timing: /" || true
	# the oracle's own phases, summed over the rows and per row
	jq -r '.tests[].out' "$r/results.json" | grep -o 'iommu oracle cost: .*' |
		awk -v c="$c" '{ n++; arm += $5; read += $8; kib += $12; parse += $15
			if ($17 == "disarm") dis += $18 }
		END { if (n) printf "[bench] %-8s oracle per row (%d rows): arm/clear %.3f s, read %.3f s (%d KiB), parse %.3f s, disarm %.3f s\n",
			c, n, arm / n, read / n, kib / n, parse / n, dis / n }' || true
done
