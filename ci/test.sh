#!/bin/bash
# SPDX-License-Identifier: MIT
# ci/test.sh: the suite's tests, from a fresh Debian 12 machine (as root).
#  1. ci/setup.sh (packages, uAPI headers, sid root, build)
#  2. meson test: the library's unit tests
#  3. every build/tests/*_hotunplug binary speaks IGT's command line:
#     --list-subtests exits 0 with valid names, an unknown subtest exits 79,
#     and run by an unprivileged user its first subtest skips (77), saying why
#     docs/test-plan.md is what ci/testplan.sh makes of their --describe
#  4. ci/test-report-browser.sh: hotunplug-report's report.html in headless
#     Chromium (screenshot in build/artifacts/report)
#  5. ci/igt-runner-proof.sh: the real igt_runner gives IGT's verdicts
#     ci/test-bisect.sh: runner/hotunplug-bisect refuses bad input fast
#     ci/test-shard.sh: hotunplug-vm --shard I/N --dry-run cuts the lists
#     into contiguous blocks that cover them once
#  6. ci/test-vm-lane.sh, if present (HU_VM_LANE_SKIP=1: not here; the
#     GitLab pipeline's test stage runs the lane instead)
#  7. ci/lava-proof.sh only with HU_LAVA_PROOF=1 (lava-dispatcher, slow)
# Each step or check counts once; the last line is "N passed, N failed".
set -u
. "$(dirname "$0")/common.sh"

passed=0
failed=0
t_all=$(hu_now)

# check NAME CMD...: one counted check.
check() {
	if hu_step test "$@"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
	fi
}

summary() {
	echo "[test] total $(hu_since "$t_all") s"
	echo "$passed passed, $failed failed"
	[ $failed -eq 0 ]
	exit
}

# --list-subtests: exit 0, at least one name, every name [A-Za-z0-9_-]+.
list_ok() {
	local out rc
	out=$(timeout 60 "$1" --list-subtests)
	rc=$?
	[ $rc -eq 0 ] || { echo "exit $rc, want 0"; return 1; }
	[ -n "$out" ] || { echo "no subtests listed"; return 1; }
	if grep -Ev '^[A-Za-z0-9_-]+$' <<< "$out"; then
		echo "^ invalid subtest names"
		return 1
	fi
	echo "$(wc -l <<< "$out") subtests"
}

# --run-subtest nope: exit 79 and "Unknown subtest: nope" (IGT logs it as
# critical: "(bin:pid) CRITICAL: Unknown subtest: nope").
unknown_ok() {
	local out rc
	out=$(timeout 120 "$1" --run-subtest nope 2>&1)
	rc=$?
	[ $rc -eq 79 ] || { echo "exit $rc, want 79"; echo "$out" | tail -n 5; return 1; }
	grep -qE '(^|: )Unknown subtest: nope$' <<< "$out" ||
		{ echo "no 'Unknown subtest: nope' line"; echo "$out" | tail -n 5; return 1; }
}

# As user nobody, the first subtest: exit 77 with a "Test requirement" reason
# and a SKIP line, never a run. The binary is copied to a fresh 0755
# directory: the build may sit below /root (0700), which nobody cannot enter.
nonroot_ok() {
	local dir out rc first
	first=$(timeout 60 "$1" --list-subtests | head -n 1)
	[ -n "$first" ] || { echo "no subtest to run"; return 1; }
	dir=$(mktemp -d) || return 1
	chmod 0755 "$dir" && cp "$1" "$dir/" && chmod 0755 "$dir/$(basename "$1")"
	out=$(cd "$dir" && timeout 60 setpriv --reuid=nobody --regid=nogroup \
		--clear-groups "./$(basename "$1")" --run-subtest "$first" 2>&1)
	rc=$?
	rm -rf "$dir"
	[ $rc -eq 77 ] || { echo "exit $rc, want 77"; echo "$out" | tail -n 5; return 1; }
	grep -q '^Test requirement' <<< "$out" &&
		grep -qx "Subtest $first: SKIP (.*)" <<< "$out" ||
		{ echo "no requirement or SKIP line"; echo "$out" | tail -n 5; return 1; }
	grep -A1 '^Test requirement:' <<< "$out" | tail -n 1
}

check "set-up (ci/setup.sh)" timeout 1800 "$HU_REPO/ci/setup.sh"
[ $failed -eq 0 ] || summary

check "unit tests (meson test)" \
	timeout 1200 meson test -C "$HU_BUILD" --print-errorlogs

for bin in "$HU_BUILD"/tests/*_hotunplug; do
	[ -f "$bin" ] && [ -x "$bin" ] || continue
	name=$(basename "$bin")
	check "$name --list-subtests" list_ok "$bin"
	check "$name --run-subtest nope" unknown_ok "$bin"
	check "$name as a non-root user" nonroot_ok "$bin"
done

check "report.html in headless Chromium (ci/test-report-browser.sh)" \
	timeout 900 bash "$HU_REPO/ci/test-report-browser.sh"

check "docs/test-plan.md matches --describe (ci/testplan.sh --check)" \
	"$HU_REPO/ci/testplan.sh" --check "$HU_BUILD"

check "igt_runner proof (ci/igt-runner-proof.sh)" "$HU_REPO/ci/igt-runner-proof.sh"

check "hotunplug-bisect bad input (ci/test-bisect.sh)" \
	timeout 600 bash "$HU_REPO/ci/test-bisect.sh"

check "hotunplug-vm --shard I/N covers the lists once (ci/test-shard.sh)" \
	timeout 900 bash "$HU_REPO/ci/test-shard.sh"

if [ -f "$HU_REPO/ci/test-vm-lane.sh" ] && [ "${HU_VM_LANE_SKIP:-0}" != 1 ]; then
	check "VM lane (ci/test-vm-lane.sh)" \
		timeout "${HU_VM_LANE_TIMEOUT:-4200}" bash "$HU_REPO/ci/test-vm-lane.sh"
fi

if [ "${HU_LAVA_PROOF:-0}" = 1 ]; then
	check "LAVA proof (ci/lava-proof.sh)" timeout 3600 "$HU_REPO/ci/lava-proof.sh"
fi

summary
