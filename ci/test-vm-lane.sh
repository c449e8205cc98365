#!/bin/bash
# SPDX-License-Identifier: MIT
# ci/test-vm-lane.sh: the VM lane end to end, after ci/setup.sh.
# One Debian kernel (HU_VM_KERNEL, default sid; trixie works too), one
# virtio-gpu, the real igt_runner inside, over:
#   - hu_example pass/skip/fail (the verdicts must come out as such),
#   - hu_vm_crash: a kernel panic must give "incomplete" with the console
#     splat in its dmesg, and the next test must run on a fresh kernel,
#   - tests/testlists/fast-feedback.testlist if present: pass or skip only,
#     on a guest without fbdev emulation (the list's condition: with it,
#     virtio-gpu WARNs at takedown, docs/drm_hotunplug.md finding F1).
#   - Ctrl-C in the middle of a run, then --resume.
# Prints one line per check; exits non-zero if any check failed.
set -u
. "$(dirname "$0")/common.sh"

KERNEL=${HU_VM_KERNEL:-sid}
VM=$HU_BUILD/runner/hotunplug-vm
OUT=${HU_VM_RESULTS:-$HU_BUILD/vm-lane-results}
LIST=$HU_BUILD/vm-lane.testlist
FF=$HU_REPO/tests/testlists/fast-feedback.testlist
passed=0
failed=0

ok() { echo "[vm-lane] ok: $*"; passed=$((passed + 1)); }
bad() { echo "[vm-lane] FAILED: $*"; failed=$((failed + 1)); }
finish() {
	echo "[vm-lane] $passed checks passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
}

for need in qemu-system-x86_64 busybox jq; do
	command -v "$need" > /dev/null || { bad "$need not installed (run ci/setup.sh)"; finish; }
done
[ -x "$VM" ] || { bad "$VM not built (run ci/setup.sh)"; finish; }
[ -x "$HU_BUILD/lib/tests/examples/hu_example" ] ||
	{ bad "hu_example not built"; finish; }

# Bad input, refused before anything boots (exit 2, file:line where
# there is one): seconds, no VM.
refused() {	# refused NAME EXPECTED-TEXT ARGS...
	local name=$1 want=$2 out rc
	shift 2
	out=$(timeout 120 "$VM" --offline --kernel "$KERNEL" "$@" 2>&1)
	rc=$?
	if [ $rc -eq 2 ] && grep -qF -- "$want" <<< "$out"; then
		ok "refused: $name"
	else
		bad "$name: exit $rc, expected 2 with \"$want\": $(tail -n 2 <<< "$out")"
	fi
}
BAD=$HU_BUILD/vm-lane-bad
rm -rf "$BAD"
mkdir -p "$BAD"
printf '# nothing\n\n' > "$BAD/empty.testlist"
printf 'igt@hu_example@pass\nigt@no_such_binary@x\n' > "$BAD/bin.testlist"
printf 'igt@hu_example@pass\n\nigt@hu_example@no-such-subtest\n' > "$BAD/sub.testlist"
printf '# F0\nhu_example@no-such-subtest,Fail\n' > "$BAD/virtio_gpu-$KERNEL-fails.txt"
mkdir -p "$BAD/exp-parse"
printf 'hu_example@pass,Broken\n' > "$BAD/exp-parse/virtio_gpu-$KERNEL-fails.txt"
refused "empty test list" "no tests in it" --test-list "$BAD/empty.testlist" \
	--results "$BAD/r" --dry-run
refused "unknown binary in a test list" "bin.testlist:2: no test binary" \
	--test-list "$BAD/bin.testlist" --results "$BAD/r" --dry-run
refused "unknown subtest in a test list" "sub.testlist:3: igt@hu_example@no-such-subtest" \
	--test-list "$BAD/sub.testlist" --results "$BAD/r" --dry-run
refused "--tests matching nothing" "matches no test" --tests 'igt@no_such_binary@' \
	--results "$BAD/r" --dry-run
refused "expectation naming no subtest" "fails.txt:2: no such subtest" \
	--expectations "$BAD" --tests 'igt@hu_example@pass$' --results "$BAD/r" --dry-run
refused "expectation that does not parse" "fails.txt:1: status" \
	--expectations "$BAD/exp-parse" --tests 'igt@hu_example@pass$' \
	--results "$BAD/r" --dry-run
refused "--memory too small" "needs at least" --memory 64 --results "$BAD/r"
refused "--resume without a run" "holds no igt_runner run" --resume --results "$BAD/r"
refused "qxl with qboot" "cannot boot a qxl" --gpu qxl --firmware qboot --results "$BAD/r"
# cirrus sits behind its own pcie-pci-bridge (the host removes the bridge)
# and --multiple is left out with it (a host-side unplug ends the boot)
out=$(timeout 120 "$VM" --offline --kernel "$KERNEL" --gpu cirrus --multiple \
	--tests 'igt@hu_example@pass$' --results "$BAD/r" --dry-run 2>&1)
if grep -q -- "-device pcie-pci-bridge,id=br0,bus=rp0 -device cirrus-vga,id=gpu0,bus=br0,addr=1 " <<< "$out" &&
	grep -q -- "--multiple left out" <<< "$out"; then
	ok "cirrus behind its bridge, without --multiple"
else
	bad "cirrus --dry-run: $(grep -o 'pcie-pci-bridge[^ ]*' <<< "$out") $(tail -n 2 <<< "$out")"
fi
# ... but on pcie.0 behind a virtio-iommu (sid does not boot it behind one)
out=$(timeout 120 "$VM" --offline --kernel "$KERNEL" --gpu cirrus --iommu virtio \
	--tests 'igt@hu_example@pass$' --results "$BAD/r" --dry-run 2>&1)
if grep -q -- "-device cirrus-vga,id=gpu0,bus=pcie.0 " <<< "$out" &&
	! grep -q pcie-pci-bridge <<< "$out"; then
	ok "cirrus on pcie.0 with --iommu virtio"
else
	bad "cirrus --iommu virtio --dry-run: $(grep -o 'cirrus-vga[^ ]*' <<< "$out")"
fi
# A damaged cache, in a copy of it (hard links; damaged files are new
# files): a truncated kernel, a truncated initramfs (rebuilt), a sid root
# without igt_runner. The kernel cache keeps no .deb (kernel.sh unpacks
# them in a temporary directory), so a truncated .deb cannot be left.
kdir=$(readlink -f "$HU_CACHE/kernels/$KERNEL" 2> /dev/null)
root=$(bash "$HU_REPO/ci/sidroot.sh" --offline 2> /dev/null)
if [ -n "$kdir" ] && [ -s "$kdir/vmlinuz" ] && [ -n "$root" ]; then
	C=$BAD/cache
	mkdir -p "$C/kernels"
	cp -al "$kdir" "$C/kernels/"
	ln -sfn "$(basename "$kdir")" "$C/kernels/$KERNEL"
	rm -f "$C/kernels/$(basename "$kdir")/vmlinuz"
	head -c 1000000 "$kdir/vmlinuz" > "$C/kernels/$(basename "$kdir")/vmlinuz"
	HU_CACHE=$C refused "truncated cached kernel" "is damaged" --root "$root" \
		--tests 'igt@hu_example@pass$' --results "$BAD/r" --dry-run
	rm -f "$C/kernels/$(basename "$kdir")/vmlinuz"
	cp "$kdir/vmlinuz" "$C/kernels/$(basename "$kdir")/vmlinuz"
	HU_CACHE=$C timeout 120 "$VM" --offline --kernel "$KERNEL" --root "$root" \
		--dry-run --results "$BAD/r" > /dev/null 2>&1
	img=$(ls "$C"/initramfs/*.cpio.gz 2> /dev/null | head -n 1)
	if [ -n "$img" ]; then
		head -c 100000 "$img" > "$img.x" && mv "$img.x" "$img"
		out=$(HU_CACHE=$C timeout 120 "$VM" --offline --kernel "$KERNEL" \
			--root "$root" --dry-run --results "$BAD/r" 2>&1)
		if grep -q "is damaged (gzip -t), building it again" <<< "$out" &&
			gzip -tq "$img"; then
			ok "truncated cached initramfs: built again"
		else
			bad "truncated cached initramfs: $(tail -n 2 <<< "$out")"
		fi
	else
		bad "no initramfs built in $C"
	fi
	sroot=$(HU_CACHE=$C bash "$HU_REPO/ci/sidroot.sh" --offline 2>&1 |
		sed -n 's/^sidroot: \(.*\) not built.*/\1/p')
	mkdir -p "$sroot/usr/bin"
	: > "$sroot/.hu-sidroot"
	HU_CACHE=$C refused "half-built sid root" "is damaged and --offline" \
		--tests 'igt@hu_example@pass$' --results "$BAD/r" --dry-run
else
	echo "[vm-lane] skipped: damaged caches (no cached $KERNEL kernel or sid root)"
fi
# a results directory on a full disk: a small tmpfs (a private mount
# namespace: no root needed where user namespaces are allowed)
if unshare -rm true 2> /dev/null; then
	out=$(unshare -rm sh -c 'mount -t tmpfs -o size=8m tmpfs "$1" && shift &&
		"$@"' sh "$BAD" timeout 60 "$VM" --offline --kernel "$KERNEL" \
		--tests 'igt@hu_example@pass$' --results "$BAD/r" 2>&1)
	rc=$?
	if [ $rc -eq 2 ] && grep -q "MB free, a run needs" <<< "$out"; then
		ok "refused: results directory on a full disk"
	else
		bad "results directory on a full disk: exit $rc: $out"
	fi
else
	echo "[vm-lane] skipped: results on a full disk (no user namespaces)"
fi

{
	echo "igt@hu_example@pass"
	echo "igt@hu_example@skip"
	echo "igt@hu_example@fail"
	echo "igt@hu_vm_crash@sysrq-panic"
	echo "igt@hu_vm_crash@fresh-kernel"
	[ -f "$FF" ] && sed 's/#.*//; /^[[:space:]]*$/d' "$FF"
} > "$LIST"
echo "[vm-lane] kernel $KERNEL, virtio-gpu, $(wc -l < "$LIST") tests, results in $OUT"

t0=$(hu_now)
timeout 3600 "$VM" --kernel "$KERNEL" --gpu virtio-gpu --test-list "$LIST" \
	--append "drm_kms_helper.fbdev_emulation=0" \
	--results "$OUT" --overwrite --per-test-timeout 120 --timeout 3300
rc=$?
echo "[vm-lane] hotunplug-vm exited $rc after $(hu_since "$t0") s"
# 1 is expected (the fail and the panic); 2 or more: the run broke
[ "$rc" -le 1 ] && ok "run finished (exit $rc)" || bad "run broke (exit $rc)"
[ -s "$OUT/results.json" ] || { bad "no $OUT/results.json"; finish; }
ok "results.json written"

result() { jq -r --arg n "$1" '.tests[$n].result // "missing"' "$OUT/results.json"; }
expect() {
	local got
	got=$(result "$1")
	[ "$got" = "$2" ] && ok "$1: $got" || bad "$1: $got, expected $2"
}
expect igt@hu_example@pass pass
expect igt@hu_example@skip skip
expect igt@hu_example@fail fail
expect igt@hu_vm_crash@sysrq-panic incomplete
expect igt@hu_vm_crash@fresh-kernel pass
if jq -e '.tests["igt@hu_vm_crash@sysrq-panic"].dmesg | test("Kernel panic")' \
	"$OUT/results.json" > /dev/null; then
	ok "panic splat attached to igt@hu_vm_crash@sysrq-panic"
else
	bad "no panic splat in igt@hu_vm_crash@sysrq-panic's dmesg"
fi
if [ -f "$FF" ]; then
	while read -r t; do
		case $t in igt@*) ;; *) continue ;; esac
		case $t in *'*'*|*'?'*|*'['*) continue ;; esac	# patterns
		got=$(result "$t")
		case $got in
		pass|skip) ok "$t: $got" ;;
		*) bad "$t: $got, expected pass or skip" ;;
		esac
	done < <(sed 's/#.*//' "$FF")
fi
# the report hotunplug-vm writes at the end of the run (docs/reports.md)
if [ "$(jq -r '[.findings[].signature] | map(select(test("^Kernel panic - not syncing: sysrq triggered crash$"))) | length' \
	"$OUT/report/findings.json" 2> /dev/null)" = 1 ] && [ -s "$OUT/report/report.html" ]; then
	ok "report written: $OUT/report/report.html (the panic is a finding)"
else
	bad "no report in $OUT/report, or no panic finding in its findings.json"
fi
if pgrep -f -- "path=$OUT,mount_tag=out" > /dev/null; then
	bad "a QEMU of this run is still running"
else
	ok "no QEMU left behind"
fi

# Ctrl-C in the middle of a run: exit 130, QEMU gone, the results so far
# kept, and --resume finishes the run (igt_resume on the same directory).
INT=$OUT-int
printf 'igt@hu_example@pass\nigt@hu_example@skip\nigt@hu_vm_crash@fresh-kernel\n' \
	> "$LIST.int"
"$VM" --kernel "$KERNEL" --test-list "$LIST.int" --results "$INT" --overwrite \
	--timeout 300 > "$INT.log" 2>&1 &
pid=$!
for _ in $(seq 1 600); do
	grep -q "hu_example@pass " "$INT.log" && break
	kill -0 $pid 2> /dev/null || break
	sleep 0.5
done
kill -INT $pid
wait $pid
rc=$?
sleep 1
[ $rc -eq 130 ] && ok "Ctrl-C: exit 130" || bad "Ctrl-C: exit $rc, expected 130"
pgrep -f -- "path=$INT,mount_tag=out" > /dev/null && bad "Ctrl-C: QEMU left behind" ||
	ok "Ctrl-C: no QEMU left behind"
[ -s "$INT/0/journal.txt" ] && ok "Ctrl-C: the first job's journal kept" ||
	bad "Ctrl-C: no $INT/0/journal.txt"
timeout 300 "$VM" --kernel "$KERNEL" --results "$INT" --resume --timeout 280 \
	> "$INT.resume.log" 2>&1
rc=$?
# Every row has a result and none is notrun; the row Ctrl-C cut (the
# second or the third, whichever ran) is incomplete, as igt_resume leaves
# it, or has its verdict, and each other row has its own verdict.
got=$(jq -r '[.tests["igt@hu_example@pass", "igt@hu_example@skip",
	"igt@hu_vm_crash@fresh-kernel"] | .result // "none"] | join(" ")' \
	"$INT/results.json" 2> /dev/null)
case "$got" in
"pass skip pass" | "pass incomplete pass" | "pass skip incomplete") good=1 ;;
*) good= ;;
esac
if [ -n "$good" ]; then
	ok "--resume after Ctrl-C: the run finished ($got; exit $rc)"
else
	bad "--resume after Ctrl-C: exit $rc, results: ${got:-none}"
fi
finish
