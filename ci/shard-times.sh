#!/bin/bash
# SPDX-License-Identifier: MIT
# ci/shard-times.sh RESULTS_DIR...: the per-row times hotunplug-vm
# --shard-times balances on, from igt results directories (results.json:
# each row's time.end - time.start), "NAME SECONDS" a line, sorted by
# name. A row in several directories gets its longest time.
set -eu
[ $# -gt 0 ] || { echo "usage: ci/shard-times.sh RESULTS_DIR..." >&2; exit 2; }
for d in "$@"; do
	[ -s "$d/results.json" ] || { echo "ci/shard-times.sh: no $d/results.json" >&2; exit 2; }
done
echo "# per-row seconds for hotunplug-vm --shard-times (ci/shard-times.sh, $# results directories)"
for d in "$@"; do
	jq -r '.tests | to_entries[] |
		"\(.key) \((.value.time.end // 0) - (.value.time.start // 0))"' \
		"$d/results.json"
done | awk '{ if (!($1 in t) || $2 > t[$1]) t[$1] = $2 }
	END { for (n in t) printf "%s %.2f\n", n, t[n] }' | LC_ALL=C sort
