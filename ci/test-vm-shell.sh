#!/bin/bash
# SPDX-License-Identifier: MIT
# ci/test-vm-shell.sh: hotunplug-vm --shell driven like a user, through
# tmux (send-keys, capture-pane): one row runs, the shell comes up on the
# terminal with the test binaries on PATH, a host-side unplug and re-add
# works from it (bochs), "dmesg -w" is the Up arrow, exit powers off and
# the lane exits 0 with the row's results.json. Skips without tmux.
# Prints one line per check; exits non-zero if any failed.
set -u
. "$(dirname "$0")/common.sh"

KERNEL=${HU_VM_KERNEL:-sid}
VM=$HU_BUILD/runner/hotunplug-vm
OUT=${HU_VM_RESULTS:-$HU_BUILD/vm-shell-results}
S=hu-shell-$$
passed=0
failed=0

ok() { echo "[vm-shell] ok: $*"; passed=$((passed + 1)); }
bad() { echo "[vm-shell] FAILED: $*"; failed=$((failed + 1)); }
finish() {
	tmux kill-session -t "$S" 2> /dev/null
	echo "[vm-shell] $passed checks passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
}
command -v tmux > /dev/null || { echo "[vm-shell] skipped: no tmux"; exit 0; }
[ -x "$VM" ] || { bad "$VM not built"; finish; }

screen() { tmux capture-pane -p -J -S -200 -t "$S"; }
# wait_for TEXT SECONDS: until the pane shows TEXT
wait_for() {
	local i
	for ((i = 0; i < $2 * 2; i++)); do
		screen | grep -qF -- "$1" && return 0
		sleep 0.5
	done
	return 1
}
step() {	# step NAME TEXT SECONDS: report whether TEXT showed up
	if wait_for "$2" "$3"; then ok "$1"; else bad "$1 (no \"$2\" within $3 s)"; screen | tail -15; fi
}

t0=$(hu_now)
tmux new-session -d -s "$S" -x 160 -y 50 \
	"timeout --foreground 900 $VM --kernel $KERNEL --gpu bochs --shell --overwrite \
	--tests 'igt@hu_example@pass\$' --results $OUT --timeout 850; \
	echo LANE-EXIT=\$?; sleep 300"
step "shell prompt after the row" "hu-vm:" 300
tmux send-keys -t "$S" Up Enter
step "dmesg -w from the history (Up arrow)" "[IGT] hu_example: exiting" 30
tmux send-keys -t "$S" C-c
sleep 1
# outputs that the typed line itself cannot show
tmux send-keys -t "$S" 'command -v drm_hotunplug && ls /dev/dri && echo SHELL-$((6 * 7))' Enter
step "test binaries on PATH" "SHELL-42" 30
screen | grep -q "/hu/ctl/tests/drm_hotunplug" && ok "drm_hotunplug from /hu/ctl/tests" ||
	bad "drm_hotunplug not found on PATH"
tmux send-keys -t "$S" 'hu_vm_external --run-subtest host-remove-readd; echo EXT-$?-RC' Enter
step "host-side remove + re-add from the shell" "EXT-0-RC" 120
tmux send-keys -t "$S" 'exit' Enter
step "exit powers off, the lane exits 0" "LANE-EXIT=0" 90
if [ "$(jq -r '.tests["igt@hu_example@pass"].result' "$OUT/results.json" 2> /dev/null)" = pass ]; then
	ok "the row's result kept (pass)"
else
	bad "igt@hu_example@pass not pass in $OUT/results.json"
fi
pgrep -f -- "path=$OUT,mount_tag=out" > /dev/null && bad "QEMU left behind" ||
	ok "no QEMU left behind"
echo "[vm-shell] $(hu_since "$t0") s"
finish
