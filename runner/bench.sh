#!/bin/sh
# SPDX-License-Identifier: MIT
# bench.sh [BUILD_DIR] [KERNEL] [iommu]: the VM lane's numbers on this machine.
#   cold set-up      kernel fetch + module prep + initramfs into an empty cache
#                    (the sid root comes from ci/sidroot.sh and is not rebuilt)
#   boot to first subtest, amortised seconds per generic subtest
#                    (20 hu_example subtests in one boot, three times)
#   remove+rescan+reopen cycles per minute on virtio-gpu (hu_vm_cycles)
# Targets: boot <= 5 s, <= 1 s per subtest, >= 150 cycles/min.
# With "iommu" (runner/bench-iommu.sh): the IOMMU-lifetime oracle's cost
# per row instead (target: it adds <= 0.3 s per row).
set -eu
[ "${3:-}" = iommu ] && exec "$(dirname "$0")/bench-iommu.sh" "${1:-}" "${2:-}"
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=${1:-$HERE/../build}
KERNEL=${2:-sid}
VM=$BUILD/runner/hotunplug-vm
[ -x "$VM" ] || { echo "bench: no $VM (build first)" >&2; exit 1; }
. "$HERE/../ci/apt-private.sh"
ROOT=$("$HERE/../ci/sidroot.sh")
W=$(mktemp -d /tmp/hu-bench.XXXXXX)
# HU_BENCH_KEEP=1 keeps the results directories
[ -n "${HU_BENCH_KEEP:-}" ] && echo "[bench] work dir: $W" || trap 'rm -rf "$W"' EXIT
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

echo "[bench] load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
t=$(now)
kdir=$(HU_CACHE=$W/cache "$HERE/kernel.sh" "$KERNEL")
t_kernel=$(since "$t")
kver=$(cat "$kdir/version")
t=$(now)
"$HERE/mkinitramfs.sh" "$kdir/lib/modules/$kver" "$W/initrd.gz"
t_initrd=$(since "$t")
echo "[bench] cold set-up: kernel $kver ${t_kernel} s + initramfs ${t_initrd} s (sid root: cached by ci/sidroot.sh)"

for i in 1 2 3 4 5; do
	for s in pass skip fail dmesg-warn; do echo "igt@hu_example@$s"; done
done > "$W/generic.testlist"
# three boots: the machine is shared, one number says little
for i in 1 2 3; do
	"$VM" --root "$ROOT" --kernel "$KERNEL" --test-list "$W/generic.testlist" \
		--results "$W/r1-$i" --per-test-timeout 60 > "$W/r1-$i.log" 2>&1 || true
	grep -E '^\[vm\] timing' "$W/r1-$i.log" | sed "s/^\[vm\] timing: /[bench] generic run $i: /"
done

echo "igt@hu_vm_cycles@remove-rescan-reopen" > "$W/cycles.testlist"
"$VM" --root "$ROOT" --kernel "$KERNEL" --gpu virtio-gpu --env HU_VM_CYCLES=30 \
	--test-list "$W/cycles.testlist" --results "$W/r2" --per-test-timeout 300 \
	> "$W/r2.log" 2>&1 || true
res=$(grep 'igt@hu_vm_cycles@remove-rescan-reopen' "$W/r2.log" | tail -1)
echo "[bench] cycles: $res"
jq -r '.tests["igt@hu_vm_cycles@remove-rescan-reopen"].out' "$W/r2/results.json" |
	grep -o 'HU-BENCH.*' | sed 's/^/[bench] cycles: /'
jq -r '.tests[]."dmesg-warnings" // empty' "$W/r2/results.json" | sed 's/^/[bench] cycles dmesg: /'
