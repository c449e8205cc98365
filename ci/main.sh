#!/bin/bash
# SPDX-License-Identifier: MIT
# ci/main.sh: set up, build, and list the suite: every subtest of every
# build/tests/*_hotunplug binary, as igt_runner names it (igt@bin@subtest).
# (The VM lane will take over this job: it runs the suite under QEMU.)
set -eu
. "$(dirname "$0")/common.sh"

"$HU_REPO/ci/setup.sh"
n=0
for bin in "$HU_BUILD"/tests/*_hotunplug; do
	[ -f "$bin" ] && [ -x "$bin" ] || continue
	name=$(basename "$bin")
	subs=$(timeout 60 "$bin" --list-subtests)
	sed "s/^/igt@$name@/" <<< "$subs"
	n=$((n + $(grep -c . <<< "$subs")))
done
echo "[main] $n subtests"
