#!/bin/bash
# SPDX-License-Identifier: MIT
# ci/shard-report.sh DIR: DIR/report/ (report.html, junit.xml) of one
# results directory (the GitLab test jobs' after_script: reports:junit and
# the artifacts read them there), unless the lane already wrote it at the
# end of its run. Never fails the job: a missing report is said.
set -u
. "$(dirname "$0")/common.sh"
dir=${1:?usage: ci/shard-report.sh RESULTS_DIR}
REPORT=$HU_BUILD/report/hotunplug-report
[ -s "$dir/results.json" ] || { echo "[report] no results.json in $dir: no report"; exit 0; }
[ -s "$dir/report/junit.xml" ] && [ -s "$dir/report/report.html" ] && exit 0
[ -x "$REPORT" ] || { echo "[report] $REPORT not built: no report"; exit 0; }
"$REPORT" -o "$dir/report" "$dir" || echo "[report] hotunplug-report failed on $dir"
exit 0
