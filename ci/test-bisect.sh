#!/bin/bash
# SPDX-License-Identifier: MIT
# ci/test-bisect.sh: runner/hotunplug-bisect refuses bad input before any
# build, in seconds: --help, not a kernel tree, refs that do not exist,
# good and bad swapped, a row that does not exist, no space, a dirty tree,
# an in-tree build. The tree is a stand-in (a git repository with a
# kernel's top-level files): every case must stop before make runs, which
# the empty build directory shows. After ci/setup.sh (the row check lists
# the subtests of build/tests/drm_hotunplug). The real run:
# ci/bisect-proof.sh.
set -u
. "$(dirname "$0")/common.sh"

B=$HU_REPO/runner/hotunplug-bisect
ROW=igt@drm_hotunplug@remove-fd-lateclose
passed=0
failed=0
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT

# expect NAME RC REGEX ARGS...: exit RC, REGEX in the output, within 30 s,
# and no kernel configured or built
expect() {
	local name=$1 want=$2 re=$3 out rc t0
	shift 3
	t0=$(hu_now)
	out=$(HU_CACHE=$T/cache timeout 30 "$B" --build-dir "$T/bdir" --work "$T/work" "$@" 2>&1)
	rc=$?
	if [ $rc -eq "$want" ] && grep -qE -e "$re" <<< "$out" &&
		[ ! -e "$T/bdir/.config" ] && [ ! -e "$T/bdir/build.log" ]; then
		echo "[bisect-test] ok: $name: exit $rc in $(hu_since "$t0") s: $(grep -E -e "$re" <<< "$out" | head -n 1)"
		passed=$((passed + 1))
	else
		echo "[bisect-test] FAILED: $name: exit $rc (want $want), output:"
		sed 's/^/    /' <<< "$out" | tail -n 8
		failed=$((failed + 1))
	fi
}

# a stand-in kernel tree with two commits
K=$T/linux
mkdir -p "$K/arch/x86"
printf 'VERSION = 6\nPATCHLEVEL = 12\n' > "$K/Makefile"
echo 'mainmenu "stand-in"' > "$K/Kconfig"
echo 'x' > "$K/arch/x86/Kconfig"
g() { git -C "$K" -c user.name=ci -c user.email=ci@example.org "$@"; }
g init -q -b master && g add -A && g commit -q -m one &&
	echo 'y' >> "$K/arch/x86/Kconfig" && g commit -q -a -m two || exit 1
mkdir -p "$T/notkernel" && git -C "$T/notkernel" init -q

expect "--help" 0 '^usage: hotunplug-bisect' --help
expect "no row" 2 'no row given' --tree "$K" --good HEAD~1 --bad HEAD
expect "not a kernel tree" 2 'is not a kernel tree' \
	--tree "$T/notkernel" --good HEAD~1 --bad HEAD "$ROW"
expect "no such directory" 2 'no such directory' \
	--tree "$T/nowhere" --good HEAD~1 --bad HEAD "$ROW"
expect "good ref does not exist" 2 '--good v0.0-nope: no such commit' \
	--tree "$K" --good v0.0-nope --bad HEAD "$ROW"
expect "bad ref does not exist" 2 '--bad nope: no such commit' \
	--tree "$K" --good HEAD~1 --bad nope "$ROW"
expect "good and bad swapped" 2 'good and bad swapped' \
	--tree "$K" --good HEAD --bad HEAD~1 "$ROW"
expect "--good without --bad" 2 'go together' --tree "$K" --good HEAD~1 "$ROW"
expect "no bisect running" 2 'no git bisect running' --tree "$K" "$ROW"
expect "row of no binary" 2 'no test binary nope_hotunplug' \
	--tree "$K" --good HEAD~1 --bad HEAD igt@nope_hotunplug@remove-idle
expect "row of no subtest" 2 'drm_hotunplug has no subtest no-such-subtest' \
	--tree "$K" --good HEAD~1 --bad HEAD igt@drm_hotunplug@no-such-subtest
expect "not a row" 2 'not igt@BINARY@SUBTEST' \
	--tree "$K" --good HEAD~1 --bad HEAD drm_hotunplug/remove-idle
expect "no space" 2 'no space for the build: [0-9]+ GB free' \
	--tree "$K" --good HEAD~1 --bad HEAD --min-free-gb 999999 "$ROW"
expect "bad --repeat" 2 '--repeat: not a positive number' \
	--tree "$K" --good HEAD~1 --bad HEAD --repeat 0 "$ROW"
expect "bad --gpu" 2 '--gpu: virtio-gpu, bochs, qxl or cirrus' \
	--tree "$K" --good HEAD~1 --bad HEAD --gpu i915 "$ROW"
echo z >> "$K/Kconfig"
expect "uncommitted changes" 2 'uncommitted changes' \
	--tree "$K" --good HEAD~1 --bad HEAD "$ROW"
g checkout -q Kconfig
touch "$K/.config"
expect "built in place" 2 'make mrproper' --tree "$K" --good HEAD~1 --bad HEAD "$ROW"
rm -f "$K/.config"

echo "[bisect-test] $passed passed, $failed failed"
[ $failed -eq 0 ]
