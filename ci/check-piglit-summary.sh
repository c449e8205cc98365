#!/bin/bash
# SPDX-License-Identifier: MIT
# ci/check-piglit-summary.sh RESULTS: does Debian's piglit still render a
# results directory of the lane (IGT's own report path, `piglit summary
# html`)? Downloads the piglit and python3-mako packages of the host's
# suite into the cache (apt-get download, nothing installed), runs
# `piglit summary html` on RESULTS and checks that its index.html has a
# page for every test of results.json. Not in ci/test.sh (piglit's
# package is 34 MB for this); see docs/reports.md. Exit 0: it renders.
set -u
. "$(dirname "$0")/common.sh"

RESULTS=${1:?usage: ci/check-piglit-summary.sh RESULTS}
D=$HU_CACHE/piglit
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

[ -s "$RESULTS/results.json" ] || { echo "[piglit] no $RESULTS/results.json"; exit 2; }
if [ ! -x "$D/root/usr/bin/piglit" ]; then
	mkdir -p "$D" && (cd "$D" && chmod 0777 . &&
		apt-get download -q piglit python3-mako python3-markupsafe > download.log 2>&1) ||
		{ echo "[piglit] cannot download piglit (see $D/download.log)"; exit 2; }
	for deb in "$D"/*.deb; do dpkg -x "$deb" "$D/root"; done
fi
echo "[piglit] $(cd "$D" && ls piglit_*.deb)"
PYTHONPATH=$D/root/usr/lib/python3/dist-packages timeout 600 python3 \
	"$D/root/usr/bin/piglit" summary html --overwrite "$OUT/html" "$RESULTS" \
	> "$OUT/piglit.log" 2>&1 || { echo "[piglit] summary html failed:"; tail -n 5 "$OUT/piglit.log"; exit 1; }
want=$(jq '.tests | length' "$RESULTS/results.json")
got=$(grep -o 'href="out/igt@[^"]*\.html"' "$OUT/html/index.html" | sort -u | wc -l)
echo "[piglit] index.html links $got test pages, results.json has $want tests"
[ "$got" = "$want" ]
