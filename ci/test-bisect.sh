#!/bin/bash
# SPDX-License-Identifier: MIT
# ci/test-bisect.sh: runner/hotunplug-bisect without a kernel build, in
# seconds. 1. Bad input is refused before any build: --help, not a kernel
# tree, refs that do not exist, good and bad swapped, a row that does not
# exist, no space, a dirty tree, an in-tree build (the build directory
# stays empty). 2. The glue end to end with a stand-in make (no compiler)
# and a stand-in hotunplug-vm: a bisect over commits that build or not,
# skip, do not boot, pass and fail names the first bad one and leaves the
# tree where it was; the ends are verified (a failing good end, a passing
# bad end); a missing config option is named; a lane failure stops the
# bisect; a running git bisect goes on. After ci/setup.sh (the row check
# lists the subtests of build/tests/drm_hotunplug). The real run:
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
# and no kernel configured or built (unless BUILT is set)
expect() {
	local name=$1 want=$2 re=$3 out rc t0
	shift 3
	t0=$(hu_now)
	out=$(HU_CACHE=$T/cache timeout 30 "$B" --build-dir "$T/bdir" --work "$T/work" "$@" 2>&1)
	rc=$?
	if [ $rc -eq "$want" ] && grep -qE -e "$re" <<< "$out" &&
		{ [ -n "${BUILT:-}" ] || { [ ! -e "$T/bdir/.config" ] && [ ! -e "$T/bdir/build.log" ]; }; }; then
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
mkdir -p "$T/expect"
printf '# F1\ndrm_hotunplug@(remove|unbind)-.*\n' > "$T/expect/virtio_gpu-sid-flakes.txt"
HU_BISECT_EXPECTATIONS=$T/expect expect "a known flake of the GPU: --repeat 3" 2 \
	"known flake \($T/expect/virtio_gpu-sid-flakes.txt: drm_hotunplug@\(remove\|unbind\)-\.\*\): --repeat 3" \
	--tree "$K" --good HEAD~1 --bad HEAD --min-free-gb 999999 "$ROW"
echo z >> "$K/Kconfig"
expect "uncommitted changes" 2 'uncommitted changes' \
	--tree "$K" --good HEAD~1 --bad HEAD "$ROW"
g checkout -q Kconfig
touch "$K/.config"
expect "built in place" 2 'make mrproper' --tree "$K" --good HEAD~1 --bad HEAD "$ROW"
rm -f "$K/.config"

# The glue end to end, with a stand-in make (no compiler) and a stand-in
# hotunplug-vm: each commit of the tree says in STATE what its "kernel"
# does (good, bad, skip, noboot), BROKEN makes its build fail;
# STUB_LANE_FAILS=1: hotunplug-vm cannot start.
S=$T/stub
mkdir -p "$S/bin" "$S/hub/runner" "$S/hub/tests"
ln -s "$HU_BUILD/tests/drm_hotunplug" "$S/hub/tests/drm_hotunplug"
for t in flex bison bc gcc; do printf '#!/bin/sh\nexit 0\n' > "$S/bin/$t"; done
cat > "$S/bin/make" <<'EOS'
#!/bin/bash
# stand-in make: the targets runner/bisect-kernel.sh uses
tree=. O= mp= targets=()
while [ $# -gt 0 ]; do
	case $1 in
	-C) tree=$2; shift ;;
	O=*) O=${1#O=} ;;
	INSTALL_MOD_PATH=*) mp=${1#*=} ;;
	-*|*=*) ;;
	*) targets+=("$1") ;;
	esac
	shift
done
for t in "${targets[@]}"; do
	case $t in
	defconfig) : > "$O/.config" ;;
	kvm_guest.config) ;;
	olddefconfig) grep -hE '^(CONFIG_|# CONFIG_)' "$STUB_LANE" |
		grep -vF "${STUB_DROP:-no option dropped}" >> "$O/.config" ;;
	bzImage) [ -e "$tree/BROKEN" ] && { echo "stub: error: broken"; exit 2; }
		mkdir -p "$O/arch/x86/boot" && cp "$tree/STATE" "$O/arch/x86/boot/bzImage" ;;
	modules) ;;
	modules_install) mkdir -p "$mp/lib/modules/6.0.0-stub" &&
		: > "$mp/lib/modules/6.0.0-stub/modules.dep" ;;
	kernelrelease) echo 6.0.0-stub ;;
	*) echo "stub make: $t?"; exit 2 ;;
	esac
done
EOS
cat > "$S/hub/runner/hotunplug-vm" <<'EOS'
#!/bin/bash
# stand-in hotunplug-vm: the verdict is the "kernel"'s STATE
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) k=$2; shift ;;
	--results) res=$2; shift ;;
	--test-list) row=$(cat "$2"); shift ;;
	--env) echo "$2" >> "$STUB_LOG"; shift ;;
	--*) [[ $2 != --* ]] && [ $# -gt 1 ] && shift ;;
	esac
	shift
done
state=$(cat "$k")
[ -n "${STUB_LANE_FAILS:-}" ] && { echo "hotunplug-vm: no root" >&2; exit 2; }
echo "[vm] boot 1: userspace at 1.00 s (guest clock), ended after 2.0 s"
[ "$state" = noboot ] && { echo "[vm] run did not finish: no igt_runner start"; exit 2; }
mkdir -p "$res"
case $state in good) r=pass ;; bad) r=fail ;; *) r=$state ;; esac
printf '{"tests": {"%s": {"result": "%s"}}}\n' "$row" "$r" > "$res/results.json"
[ $r = pass ] || exit 1
EOS
chmod +x "$S"/bin/* "$S/hub/runner/hotunplug-vm"
mkdir -p "$K/scripts" && printf '#!/bin/sh\nexit 0\n' > "$K/scripts/config" &&
	chmod +x "$K/scripts/config"
i=0
for st in good good:BROKEN skip good bad noboot bad bad; do
	i=$((i + 1))
	echo "${st%%:*}" > "$K/STATE"
	rm -f "$K/BROKEN"
	[ "${st#*:}" = BROKEN ] && : > "$K/BROKEN"
	g add -A && g commit -q --allow-empty -m "c$i ${st%%:*}"
	g tag "c$i"
done
export STUB_LANE=$HU_REPO/runner/lane-kernel.config STUB_LOG=$T/env.log
# the first bad commit is c5: c2 does not build, c3 skips (both 125)
first=$(git -C "$K" rev-parse c5)
rm -rf "$T/bdir" "$T/work"
out=$(PATH=$S/bin:$PATH HU_CACHE=$T/cache timeout 120 "$B" --build-dir "$T/bdir" \
	--work "$T/work" --tree "$K" --hu-build "$S/hub" --repeat 2 \
	--good c1 --bad c8 "$ROW" 2>&1)
rc=$?
if [ $rc -eq 0 ] && grep -q "^\[bisect\] first bad commit: $first c5 bad" <<< "$out" &&
	[ "$(grep -c '^\[bisect\] step ' <<< "$out")" -ge 3 ] &&
	grep -q "step $(git -C "$K" rev-parse --short=12 c1) build [0-9]* s: pass(seed [0-9]*) pass(seed [0-9]*) -> good" <<< "$out" &&
	grep -q "step $(git -C "$K" rev-parse --short=12 c8) build [0-9]* s: fail(seed [0-9]*) -> bad" <<< "$out" &&
	[ "$(git -C "$K" rev-parse HEAD)" = "$(git -C "$K" rev-parse master)" ] &&
	grep -q '^IGT_SRANDOM=[0-9]*$' "$STUB_LOG"; then
	echo "[bisect-test] ok: stand-in bisect c1..c8 names c5, the ends verified, the tree back on master"
	passed=$((passed + 1))
else
	echo "[bisect-test] FAILED: stand-in bisect (exit $rc):"
	sed 's/^/    /' <<< "$out" | tail -n 25
	failed=$((failed + 1))
fi
# stub CASE RC REGEX ARGS...: expect with the stand-ins
stub() {
	rm -rf "$T/bdir" "$T/work"
	PATH=$S/bin:$PATH BUILT=1 expect "$@" --tree "$K" --hu-build "$S/hub" "$ROW"
}
stub "good end fails: swapped" 4 'good end c5 fails .*good and bad swapped' --good c5 --bad c8
stub "bad end passes" 4 'bad end c4 passes' --good c1 --bad c4
STUB_DROP=CONFIG_DRM_VGEM stub "a needed option missing" 3 \
	'the lane needs CONFIG_DRM_VGEM=m, the config has: absent' --good c1 --bad c8
stub "skipped commits next to the change: candidates" 1 'candidate: .* c3 skip' \
	--good c2 --bad c4 --no-verify
STUB_LANE_FAILS=1 stub "a lane failure stops the bisect" 5 \
	'the lane or the host failed' --good c1 --bad c8 --no-verify
git -C "$K" bisect start c8 c1 >/dev/null 2>&1
stub "a bisect running and --good/--bad" 2 'already running' --good c1 --bad c8
stub "going on with a running bisect" 0 'first bad commit: [0-9a-f]* c5 bad'

echo "[bisect-test] $passed passed, $failed failed"
[ $failed -eq 0 ]
