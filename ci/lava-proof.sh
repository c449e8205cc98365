#!/bin/bash
# SPDX-License-Identifier: MIT
# ci/lava-proof.sh: runs ci/lava/job-qemu.yaml with Debian's lava-dispatcher
# (lava-run: local, no LAVA server) on this machine, then the same rows in
# the VM lane, and compares the verdicts row by row through the mapping
# LAVA reports (ci/lava/results-to-lava.py). Opt-in: ci/test.sh runs it
# only with HU_LAVA_PROOF=1 (lava-dispatcher and its guestfs appliance
# are heavy: docs/scale-out.md has the time); run by hand it runs.
#
# The LAVA job boots the lane's kernel and initramfs with the lane's QEMU
# devices and 9p shares (taken from hotunplug-vm --dry-run, so the two
# cannot drift apart), LAVA's test shell overlay on a guestfs disk, and
# the test definition ci/lava/hotunplug.yaml over the test root
# ci/pack.sh makes. Knobs: HU_LAVA_KERNEL (default sid), HU_LAVA_TESTLIST
# (a list of tests/testlists/, default fast-feedback.testlist),
# HU_LAVA_OUT (default $HU_BUILD/lava-proof). Both VM runs hold
# /tmp/hu-vm.lock together. Exit 0: same verdicts; 1: they differ; 2: could not run.
set -u
. "$(dirname "$0")/common.sh"

KERNEL=${HU_LAVA_KERNEL:-sid}
LIST=${HU_LAVA_TESTLIST:-fast-feedback.testlist}
OUT=${HU_LAVA_OUT:-$HU_BUILD/lava-proof}
PY=/usr/bin/python3	# Debian's: lava-dispatcher, python3-yaml, guestfs
VM=$HU_BUILD/runner/hotunplug-vm
APPEND="drm_kms_helper.fbdev_emulation=0"
t0=$(hu_now)

die() { echo "[lava] $*" >&2; exit 2; }

if ! command -v lava-run >/dev/null; then
	[ "$(id -u)" = 0 ] || die "lava-run missing (apt-get install lava-dispatcher, as root)"
	echo "[lava] installing lava-dispatcher (Debian package)"
	DEBIAN_FRONTEND=noninteractive apt-get -q -y -o Acquire::Retries=3 \
		--no-install-recommends install lava-dispatcher >/dev/null ||
		die "cannot install lava-dispatcher"
fi
echo "[lava] $(dpkg-query -W -f='${Package} ${Version}' lava-dispatcher)"
[ -x "$VM" ] || die "$VM not built (ci/setup.sh)"
rm -rf "$OUT" && mkdir -p "$OUT/ctl" "$OUT/out" "$OUT/lava" || die "cannot make $OUT"

# the test root, as a lab board would fetch it
"$HU_REPO/ci/pack.sh" "$OUT/ctl/hotunplug-testroot.tar.gz" > "$OUT/pack.log" ||
	die "ci/pack.sh failed: $OUT/pack.log"
cp "$HU_REPO/ci/lava/qemu-guest.sh" "$OUT/ctl/guest.sh"

# the lane's kernel, initramfs, command line and QEMU devices
timeout 900 "$VM" --kernel "$KERNEL" --append "$APPEND" --results "$OUT/dry" \
	--dry-run > "$OUT/dry-run.log" 2>&1 || die "hotunplug-vm --dry-run failed: $OUT/dry-run.log"

# lava-run needs guestfs for its overlay disk; its appliance boots a
# kernel: this machine's /boot is empty, so the lane's kernel serves,
# and KVM does not work here (TCG).
kdir=$(sed -n 's/.* -kernel \([^ ]*\)\/vmlinu[xz] .*/\1/p' "$OUT/dry-run.log")
kver=$(cat "$kdir/version" 2>/dev/null)
[ -n "$kver" ] && [ -d "$kdir/lib/modules/$kver" ] || die "no kernel modules under $kdir"
export SUPERMIN_KERNEL=$kdir/vmlinuz SUPERMIN_KERNEL_VERSION=$kver
export SUPERMIN_MODULES=$kdir/lib/modules/$kver
export LIBGUESTFS_BACKEND=direct LIBGUESTFS_BACKEND_SETTINGS=force_tcg

# device dictionary and job, filled from the dry run (python3-yaml)
"$PY" - "$HU_REPO" "$OUT" "$LIST" "$APPEND" <<'EOF' || die "cannot write the LAVA job"
import re, sys, yaml
repo, out, tlist, append = sys.argv[1:]
log = open(out + "/dry-run.log").read()
argv = re.search(r"^\[vm\] QEMU command line: (.*)$", log, re.M).group(1).split()
cmdline = re.search(r"^\[vm\] guest kernel command line: (.*)$", log, re.M).group(1)
kernel = initrd = None
extra, i = [], 1
drop_ids = ("con", "run", "qmp", "vmh")
while i < len(argv):
    a, v = argv[i], argv[i + 1] if i + 1 < len(argv) else ""
    if a == "-append":          # LAVA's image_arg carries it
        i += 2
        while i < len(argv) and not argv[i].startswith("-"):
            i += 1
        continue
    if a == "-kernel":
        kernel = v
    elif a == "-initrd":
        initrd = v
    elif a in ("-nographic",):
        i += 1
        continue
    elif a == "-monitor" or (a == "-chardev" and v.split(",")[1][3:] in drop_ids) \
            or (a == "-serial" and v.startswith("chardev:")) \
            or (a == "-mon") or (a == "-device" and v.split(",")[0] in
                                 ("virtio-serial-pci", "virtserialport")):
        pass                    # the lane's sockets: LAVA has the console
    elif a == "-virtfs" and "mount_tag=ctl" in v:
        extra.append("-virtfs " + re.sub(r"path=[^,]*", "path=" + out + "/ctl", v))
    elif a == "-virtfs" and "mount_tag=out" in v:
        extra.append("-virtfs " + re.sub(r"path=[^,]*", "path=" + out + "/out", v))
    elif v and not v.startswith("-"):
        extra.append(a + " " + v)
    else:
        extra.append(a)
        i += 1
        continue
    i += 2
dev = yaml.safe_load(open(repo + "/ci/lava/device-qemu.yaml"))
dev["actions"]["boot"]["methods"]["qemu"]["parameters"]["extra"] = extra
yaml.safe_dump(dev, open(out + "/lava/device.yaml", "w"), sort_keys=False)
job = open(repo + "/ci/lava/job-qemu.yaml").read()
for k, v in (("KERNEL", kernel), ("INITRD", initrd), ("TESTLIST", tlist),
             ("APPEND", cmdline + " loglevel=1 hu.modules=virtio_gpu"),
             ("CONFIG", "(virtio-gpu, " + tlist + ")")):
    job = job.replace("@%s@" % k, v)
job = yaml.safe_load(job)
test = job["actions"][2]["test"]["definitions"][0]
test["repository"] = yaml.safe_load(open(repo + "/ci/lava/hotunplug.yaml"))
yaml.safe_dump(job, open(out + "/lava/job.yaml", "w"), sort_keys=False)
EOF

# one VM at a time on this machine: the lock is held for both runs
exec 9>>/tmp/hu-vm.lock
flock 9
echo "[lava] lava-run $OUT/lava/job.yaml (device $OUT/lava/device.yaml)"
t1=$(hu_now)
timeout 1200 lava-run --job-id 1 --output-dir "$OUT/lava/run" \
	--device "$OUT/lava/device.yaml" "$OUT/lava/job.yaml" > "$OUT/lava-run.log" 2>&1
rc=$?
lava_s=$(hu_since "$t1")
echo "[lava] lava-run exited $rc after $lava_s s (log: $OUT/lava-run.log)"

echo "[lava] the same rows in the VM lane"
# the list and blocklist of the test root LAVA ran, not the tree's: the
# tree may have moved on since ci/pack.sh
mkdir -p "$OUT/testroot" && tar -xzf "$OUT/ctl/hotunplug-testroot.tar.gz" -C "$OUT/testroot"
lists=$OUT/testroot/hotunplug/share/hotunplug/testlists
t2=$(hu_now)
timeout 600 "$VM" --kernel "$KERNEL" --append "$APPEND" \
	--test-list "$lists/$LIST" --blocklist "$lists/blocklist.txt" --multiple \
	--results "$OUT/lane" --overwrite > "$OUT/lane.log" 2>&1
echo "[lava] lane exited $? after $(hu_since "$t2") s (log: $OUT/lane.log)"
flock -u 9

# LAVA's results (lava-run logs YAML, one record a line) against the lane's
# verdicts mapped as the test definition maps them
"$PY" - "$HU_REPO" "$OUT" <<'EOF'
import importlib.util, json, sys, yaml
repo, out = sys.argv[1:]
spec = importlib.util.spec_from_file_location("r2l", repo + "/ci/lava/results-to-lava.py")
r2l = importlib.util.module_from_spec(spec)
spec.loader.exec_module(r2l)
lava = {}
for line in open(out + "/lava-run.log", errors="replace"):
    if '"results"' not in line:
        continue
    try:
        rec = yaml.safe_load(line.lstrip("- "))
    except yaml.YAMLError:
        continue
    msg = rec.get("msg", {}) if isinstance(rec, dict) else {}
    # the definition's results come as "<index>_hotunplug"
    if rec.get("lvl") == "results" and \
            str(msg.get("definition", "")).split("_", 1)[-1] == "hotunplug":
        lava[(msg.get("set"), msg["case"])] = msg["result"]
lane = {}
try:
    for name, t in json.load(open(out + "/lane/results.json"))["tests"].items():
        b, sub = r2l.split(name)
        lane[(b, sub)] = r2l.LAVA.get(t["result"], "unknown")
except (OSError, ValueError, KeyError) as e:
    print("[lava] no lane results: %s" % e)
    sys.exit(2)
same = 0
for key in sorted(set(lava) | set(lane)):
    a, b = lava.get(key, "-"), lane.get(key, "-")
    same += a == b
    print("[lava] %-55s lava %-8s lane %-8s %s" % ("%s@%s" % key, a, b,
          "" if a == b else "DIFFERENT"))
n = len(set(lava) | set(lane))
print("[lava] %d rows: %d the same, %d different; LAVA reported %d cases"
      % (n, same, n - same, len(lava)))
sys.exit(0 if lava and same == n else 1)
EOF
rc=$?
echo "[lava] done in $(hu_since "$t0") s (lava-run $lava_s s), exit $rc"
exit $rc
