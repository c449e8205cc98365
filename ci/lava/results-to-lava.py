#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""results-to-lava.py [--test-list F] [--blocklist F] [--dry-run] RESULTS.JSON

igt_runner's results.json to LAVA results: one `lava-test-set start BIN`
... `lava-test-set stop` per test binary, one `lava-test-case SUBTEST
--result R` per row. LAVA knows pass, fail, skip and unknown; IGT's
verdicts map so (docs/scale-out.md):

  pass                                   -> pass
  skip, notrun                           -> skip
  warn, dmesg-warn                       -> fail  (a warning the test or the
        kernel log raised during the row: for a hot-unplug suite a WARN
        at unplug is the finding; the lane's exit code does not count
        them, LAVA has no level between pass and fail)
  fail, dmesg-fail, crash, timeout,
  incomplete, abort                      -> fail
  a row of --test-list with no result    -> unknown  (not run: a crash
        under -m drops the rest of its binary)

Every case's IGT verdict is printed next to it in the log, and for a
case that is not pass or skip the row's kernel lines at warning level or
worse (up to 8) and the last lines of its err, so the log says why.
Without
lava-test-case on PATH (not under LAVA) or with --dry-run the commands
are printed, not run. Exit 0; 1 if RESULTS.JSON is not readable JSON
(then one case `igt_runner` fails and every listed row is unknown).
"""
import argparse
import json
import re
import shutil
import subprocess
import sys

LAVA = {
    "pass": "pass",
    "skip": "skip", "notrun": "skip",
    "warn": "fail", "dmesg-warn": "fail",
    "fail": "fail", "dmesg-fail": "fail", "crash": "fail",
    "timeout": "fail", "incomplete": "fail", "abort": "fail",
}


def split(name):
    """igt@bin@subtest[@dynamic] -> (bin, subtest[@dynamic])"""
    parts = name.split("@", 2)
    if len(parts) < 3 or parts[0] != "igt":
        return None, None
    return parts[1], parts[2]


def why(test):
    """the kernel lines <0>..<4> and the end of err of a row that failed"""
    lines = [l for l in test.get("dmesg", "").splitlines() if re.match(r"<[0-4]>", l)]
    lines = lines[:8] + test.get("err", "").strip().splitlines()[-3:]
    return ["  " + l for l in lines]


def list_rows(path, blocklist):
    """exact names of a test list, minus what a blocklist regex matches"""
    block = []
    if blocklist:
        with open(blocklist) as f:
            for line in f:
                line = line.strip()
                if line and not line.startswith("#"):
                    block.append(re.compile(line))
    rows = []
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if not line.startswith("igt@") or any(c in line for c in "*?["):
                continue
            if not any(b.search(line) for b in block):
                rows.append(line)
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[2])
    ap.add_argument("--test-list")
    ap.add_argument("--blocklist")
    ap.add_argument("--dry-run", action="store_true")
    ap.add_argument("results")
    a = ap.parse_args()
    run = not a.dry_run and shutil.which("lava-test-case")

    def lava(*argv):
        print("+ " + " ".join(argv), flush=True)
        if run:
            subprocess.run(argv, check=False)

    rc = 0
    try:
        with open(a.results) as f:
            tests = json.load(f)["tests"]
    except (OSError, ValueError, KeyError) as e:
        print("results-to-lava: %s: %s" % (a.results, e), file=sys.stderr)
        lava("lava-test-case", "igt_runner", "--result", "fail")
        tests, rc = {}, 1
    rows = {}
    for name, t in tests.items():
        rows[name] = t.get("result", "notrun")
        if rows[name] not in ("pass", "skip", "notrun"):
            print("results-to-lava: %s: %s" % (name, rows[name]))
            print("\n".join(why(t)), flush=True)
    if a.test_list:
        for name in list_rows(a.test_list, a.blocklist):
            rows.setdefault(name, None)
    binaries = {}
    for name in rows:
        b, sub = split(name)
        if b:
            binaries.setdefault(b, []).append((sub, name))
    for b in sorted(binaries):
        lava("lava-test-set", "start", b)
        for sub, name in sorted(binaries[b]):
            igt = rows[name]
            res = LAVA.get(igt, "unknown") if igt else "unknown"
            print("results-to-lava: %s: igt %s -> lava %s" % (name, igt or "no result", res))
            lava("lava-test-case", sub, "--result", res)
        lava("lava-test-set", "stop")
    return rc


if __name__ == "__main__":
    sys.exit(main())
