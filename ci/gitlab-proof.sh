#!/bin/bash
# SPDX-License-Identifier: MIT
# ci/gitlab-proof.sh: runs ci/gitlab-ci.yml's jobs here, as a GitLab runner
# with the shell executor would, for a 3-shard pipeline of one
# configuration, and checks that the merged verdicts equal an unsharded
# run's. The YAML is parsed (Debian's python3-yaml) and every job's
# script lines are taken from it, never copied: build, the test jobs of
# the configuration (one per shard, from the parallel matrix), merge.
#
# What a runner does and this does too: a fresh clone of the commit as
# CI_PROJECT_DIR; variables in GitLab's order (predefined, the file's,
# the job's, the matrix entry's, then "project variables" from the
# environment below, which win as GitLab's CI/CD settings do); script
# lines in one bash with errexit, after_script apart; artifacts: the
# job's artifact paths are saved and only they are put back into the
# clone for the merge stage. What it does not: no Docker, no cache upload.
#
# Project variables: HU_CACHE (default the warm cache), HU_VM_TESTLIST
# (default tests/testlists/fast-feedback.testlist: minutes, not an
# hour), HU_VM_FBDEV (default 0: fbdev emulation off; with it on, F1's
# WARN lands on random rows and two runs never agree row by row: the
# full list, fbdev on, differed in 19 of 151 rows, all known flakes).
# A row that differs is accepted only if tests/expectations lists it as
# a flake of the configuration; anything else fails the proof. Knobs: HU_PROOF_CONFIG "kernel gpu iommu" (default "sid
# virtio-gpu none"), HU_PROOF_OUT (default $HU_BUILD/gitlab-proof).
# The test jobs and the reference run hold /tmp/hu-vm.lock together (one
# VM at a time on this machine; the times are the runs', not the wait).
# Exit 0: merged == unsharded.
set -u
. "$(dirname "$0")/common.sh"

OUT=${HU_PROOF_OUT:-$HU_BUILD/gitlab-proof}
PY=/usr/bin/python3
rm -rf "$OUT" && mkdir -p "$OUT" || exit 2
git -C "$HU_REPO" diff --quiet HEAD -- ci/gitlab-ci.yml ||
	echo "[proof] note: ci/gitlab-ci.yml has uncommitted changes; the clone runs the committed file"
git clone -q "$HU_REPO" "$OUT/project" || { echo "[proof] git clone failed"; exit 2; }
git -C "$OUT/project" checkout -q "$(git -C "$HU_REPO" rev-parse HEAD)"

exec "$PY" - "$OUT" "${HU_PROOF_CONFIG:-sid virtio-gpu none}" \
	"${HU_CACHE}" "${HU_VM_TESTLIST:-tests/testlists/fast-feedback.testlist}" \
	"${HU_VM_FBDEV:-0}" <<'EOF'
import fcntl, glob, itertools, json, os, re, shutil, subprocess, sys, time, yaml

out, config, cache, testlist, fbdev = sys.argv[1:]
proj = out + "/project"
kernel, gpu, iommu = config.split()
ci = yaml.safe_load(open(proj + "/ci/gitlab-ci.yml"))
stages = ci["stages"]
jobs = {k: v for k, v in ci.items() if isinstance(v, dict) and not k.startswith(".")
        and k not in ("variables", "default", "workflow", "include")}


def resolve(job):
    """extends: merged as GitLab does (hashes deep, the rest replaced)"""
    base = {}
    ext = job.get("extends", [])
    for e in [ext] if isinstance(ext, str) else ext:
        base = merge(base, resolve(ci[e]))
    return merge(base, {k: v for k, v in job.items() if k != "extends"})


def merge(a, b):
    r = dict(a)
    for k, v in b.items():
        r[k] = merge(r[k], v) if isinstance(v, dict) and isinstance(r.get(k), dict) else v
    return r


def expand(entry):
    """one parallel:matrix entry -> list of variable sets"""
    keys = list(entry)
    vals = [v if isinstance(v, list) else [v] for v in (entry[k] for k in keys)]
    return [dict(zip(keys, c)) for c in itertools.product(*vals)]


def lines(x):
    return [x] if isinstance(x, str) else list(x or [])


project_vars = {"HU_CACHE": cache,
                "HU_VM_TESTLIST": os.path.join(proj, testlist),
                "HU_VM_FBDEV": fbdev}
lock = open("/tmp/hu-vm.lock", "a")
record = []


def run_job(name, job, matrix={}):
    env = dict(os.environ)
    env.update({"CI": "true", "GITLAB_CI": "true", "CI_PROJECT_DIR": proj,
                "CI_JOB_NAME": name, "CI_JOB_STAGE": job.get("stage", "test"),
                "CI_COMMIT_REF_SLUG": "proof"})
    for scope in (ci.get("variables", {}), job.get("variables", {}), matrix):
        for k, v in scope.items():     # $VAR in a value: expanded, as GitLab does
            env[k] = subprocess.run(["bash", "-c", 'printf %s "' + str(v) + '"'],
                                    env=env, capture_output=True, text=True).stdout
    env.update(project_vars)
    d = ci.get("default", {})
    script = lines(d.get("before_script")) + lines(job.get("before_script", [])) \
        + lines(job["script"])
    log = open("%s/%s.log" % (out, name.replace(" ", "_").replace("/", "-")), "w")
    t0 = time.time()
    rc = subprocess.run(["bash", "-eo", "pipefail", "-c", "\n".join(script)], cwd=proj,
                        env=env, stdout=log, stderr=subprocess.STDOUT).returncode
    secs = time.time() - t0
    after = lines(job.get("after_script", d.get("after_script")))
    if after:
        subprocess.run(["bash", "-c", "\n".join(after)], cwd=proj, env=env,
                       stdout=log, stderr=subprocess.STDOUT)
    # artifacts: what the job publishes is all the next stage gets
    art = job.get("artifacts", {})
    if rc == 0 or art.get("when") in ("always", "on_failure"):
        dst = "%s/artifacts/%s" % (out, name.replace(" ", "_").replace("/", "-"))
        for pat in lines(art.get("paths")):
            for p in glob.glob(os.path.join(proj, pat)):
                to = os.path.join(dst, os.path.relpath(p, proj))
                os.makedirs(os.path.dirname(to), exist_ok=True)
                if os.path.isdir(p):
                    shutil.copytree(p, to, dirs_exist_ok=True)
                else:
                    shutil.copy2(p, to)
        junit = art.get("reports", {}).get("junit")
        if junit:
            found = [p for j in lines(junit) for p in glob.glob(os.path.join(proj, j))]
            print("[proof]   reports:junit %s: %s" % (junit, ", ".join(
                os.path.relpath(p, proj) for p in found) or "none"))
    print("[proof] job %-40s exit %d, %.1f s" % (name, rc, secs), flush=True)
    record.append({"job": name, "stage": job.get("stage"), "rc": rc, "seconds": round(secs, 1)})
    return rc


for stage in stages:
    for name, raw in jobs.items():
        job = resolve(raw)
        if job.get("stage", "test") != stage:
            continue
        if stage == "merge":    # a fresh stage: only the artifacts come back
            shutil.rmtree(proj + "/results", ignore_errors=True)
            for a in sorted(glob.glob(out + "/artifacts/*/results")):
                shutil.copytree(a, proj + "/results", dirs_exist_ok=True)
        matrix = job.get("parallel", {}).get("matrix") if isinstance(job.get("parallel"), dict) else None
        if not matrix:
            run_job(name, job)
            continue
        mine = [m for e in matrix for m in expand(e)
                if m.get("HU_VM_KERNEL") == kernel and m.get("HU_VM_GPUS") == gpu
                and m.get("HU_IOMMU") == iommu]
        total = sum(len(expand(e)) for e in matrix)
        print("[proof] %s: %d of the matrix's %d jobs are configuration %s" %
              (name, len(mine), total, config))
        if not mine:
            sys.exit("[proof] the matrix has no configuration " + config)
        if stage == "test":     # one VM at a time here: held to the reference run
            fcntl.flock(lock, fcntl.LOCK_EX)
        for m in mine:
            run_job("%s: [%s]" % (name, ", ".join(str(v) for v in m.values())), job, m)

# the reference: the same configuration unsharded, in the same lane
ref = out + "/unsharded"
env = dict(os.environ, HU_CACHE=cache, HU_BUILD=proj + "/build", HU_RESULTS=ref,
           HU_VM_KERNEL=kernel, HU_VM_GPUS=gpu, HU_VM_ARGS="--iommu " + iommu,
           HU_VM_TESTLIST=project_vars["HU_VM_TESTLIST"], HU_VM_FBDEV=fbdev)
t0 = time.time()
rc = subprocess.run([proj + "/ci/main.sh"], cwd=proj, env=env, stdout=open(out + "/unsharded.log", "w"),
                    stderr=subprocess.STDOUT).returncode
secs = time.time() - t0
fcntl.flock(lock, fcntl.LOCK_UN)
print("[proof] unsharded ci/main.sh exit %d, %.1f s" % (rc, secs))
record.append({"job": "unsharded", "stage": "reference", "rc": rc, "seconds": round(secs, 1)})


def verdicts(path):
    try:
        return {k: v["result"] for k, v in json.load(open(path))["tests"].items()}
    except (OSError, ValueError, KeyError) as e:
        print("[proof] %s: %s" % (path, e))
        return None


cfg = "%s-%s-%s" % (kernel, gpu, iommu)
merged = verdicts("%s/results/%s/merged/results.json" % (proj, cfg))
plain = verdicts(ref + "/results.json")
shard_s = [r["seconds"] for r in record if r["stage"] == "test"]
json.dump({"config": config, "testlist": testlist, "jobs": record,
           "shards_sum_s": round(sum(shard_s), 1), "shards_max_s": max(shard_s or [0]),
           "unsharded_s": round(secs, 1)}, open(out + "/times.json", "w"), indent=1)
print("[proof] times: unsharded %.1f s; %d shards: sum %.1f s, max %.1f s (%s/times.json)" %
      (secs, len(shard_s), sum(shard_s), max(shard_s or [0]), out))
if merged is None or plain is None:
    sys.exit(2)
# A row whose verdicts differ is a known flake when the expectations the
# lane reads list it (drm-ci's <driver>-<kernel>-flakes.txt: regexes of
# bin@subtest): the kernel bug picks random rows (F1), not the cut.
flakes = []
for f in glob.glob("%s/tests/expectations/%s-%s-flakes.txt" % (proj, gpu.replace("-", "_"), kernel)):
    flakes += [re.compile(l.strip()) for l in open(f) if l.strip() and not l.startswith("#")]
diff = sorted(k for k in set(merged) | set(plain) if merged.get(k) != plain.get(k))
unexplained = 0
for k in diff:
    flake = any(r.fullmatch(k.split("@", 1)[-1]) for r in flakes)
    unexplained += not flake
    print("[proof] DIFFERENT %-60s merged %-10s unsharded %-10s %s" % (
        k, merged.get(k), plain.get(k), "known flake" if flake else "NOT A KNOWN FLAKE"))
counts = {}
for v in merged.values():
    counts[v] = counts.get(v, 0) + 1
print("[proof] merged %d rows %s, unsharded %d rows: %s" % (
    len(merged), counts, len(plain), "the same verdicts" if not diff else
    "%d differ, %d of them not known flakes" % (len(diff), unexplained)))
sys.exit(1 if unexplained or set(merged) != set(plain) else 0)
EOF
