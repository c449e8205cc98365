#!/bin/bash
# SPDX-License-Identifier: MIT
# ci/igt-runner-proof.sh: the real igt_runner (Debian sid's igt-gpu-tools,
# in the root from ci/sidroot.sh) runs our example binaries as if they were
# IGT tests; every verdict in results.json must be the one IGT gives for
# that behaviour. Prints a table (expected vs got), exits 1 on a mismatch.
#
# Five runner calls, each on its own test list:
#   main     as root: pass, skip, fail, crash, dynamic, runner timeout,
#            the binary's own timeouts, dmesg-warn, a failing child, fixture
#            skip, a binary without subtests, the root-only subtest
#   nonroot  as nobody (--allow-non-root): the root-only subtest skips
#   abort    exit 112 stops the run: the test after it is notrun
#   after    exit 112 after a SUCCESS line: igt_runner still says abort
#            (the VM lane's planned reboots give the row its verdict back,
#            runner/nextboot.c)
#   multi    --multiple-mode: one execution per binary (--run-subtest a,b,c),
#            the runner slices out/err/dmesg per subtest
# A group fixture that fails writes to stderr before the next subtest
# starts; run alone, that subtest is "warn" (as for an IGT binary); in one
# execution with the group's subtests, the stderr belongs to them.
# Binaries come from $HU_EXAMPLES (default $HU_BUILD/lib/tests/examples);
# raw results are copied to $HU_BUILD/igt-runner-proof/.
#
# On the host: the dmesg-warn example writes a <4> line to the host's
# /dev/kmsg (it only logs), and no taint abort is requested (the host
# kernel may already be tainted).
set -u
. "$(dirname "$0")/common.sh"

examples=${HU_EXAMPLES:-$HU_BUILD/lib/tests/examples}
bins="hu_example hu_example_simple hu_example_root hu_example_fixture"
per_test_timeout=5
tr=/opt/hotunplug/examples	# test root inside the sid root
res=/var/tmp/hu-proof		# results inside the sid root
out=$HU_BUILD/igt-runner-proof

# Expected verdicts: "run test verdict", one per line.
expected="
main	igt@hu_example@pass			pass
main	igt@hu_example@skip			skip
main	igt@hu_example@fail			fail
main	igt@hu_example@crash			crash
main	igt@hu_example@dynamic@dyn-pass		pass
main	igt@hu_example@dynamic@dyn-skip		skip
main	igt@hu_example@dynamic@dyn-fail		fail
main	igt@hu_example@dynamic			fail
main	igt@hu_example@timeout			timeout
main	igt@hu_example@set-timeout		fail
main	igt@hu_example@dmesg-warn		dmesg-warn
main	igt@hu_example@dmesg-ignored		pass
main	igt@hu_example@platform-noise		pass
main	igt@hu_example@fork-fail		fail
main	igt@hu_example@fork-hang		fail
main	igt@hu_example@fork-crash		fail
main	igt@hu_example@thread-fail		fail
main	igt@hu_example@log-ring			fail
main	igt@hu_example@dynamic-timeout@dyn-block	fail
main	igt@hu_example@dynamic-timeout@dyn-after	pass
main	igt@hu_example@dynamic-timeout		fail
main	igt@hu_example@fixture-skip		skip
main	igt@hu_example@set-timeout-blocked	fail
main	igt@hu_example_simple			pass
main	igt@hu_example_root@needs-root		pass
main	igt@hu_example_fixture@in-group-1	fail
main	igt@hu_example_fixture@in-group-2	fail
main	igt@hu_example_fixture@after-group	warn
nonroot	igt@hu_example_root@needs-root		skip
abort	igt@hu_example@abort			abort
abort	igt@hu_example@pass			notrun
after	igt@hu_example@abort-after		abort
after	igt@hu_example_simple			notrun
multi	igt@hu_example_fixture@in-group-1	fail
multi	igt@hu_example_fixture@in-group-2	fail
multi	igt@hu_example_fixture@after-group	pass
multi	igt@hu_example@pass			pass
multi	igt@hu_example@skip			skip
multi	igt@hu_example@dmesg-warn		dmesg-warn
multi	igt@hu_example@platform-noise		dmesg-warn
multi	igt@hu_example@dynamic@dyn-fail		fail
multi	igt@hu_example@dynamic			fail
"

# Test list of one run: its tests in order, dynamic ones via their parent.
test_list() {
	echo "$expected" | awk -v r="$1" '$1 == r { print $2 }' |
		sed -E 's/^(igt@[^@]+@[^@]+)@.*/\1/' | awk '!seen[$0]++'
}

root=$("$HU_REPO/ci/sidroot.sh" --offline) || {
	echo "igt-runner-proof: no sid root, run ci/setup.sh" >&2
	exit 1
}
for b in $bins; do
	[ -x "$examples/$b" ] || {
		echo "igt-runner-proof: $examples/$b missing, build first" >&2
		exit 1
	}
done
command -v jq > /dev/null || { echo "igt-runner-proof: needs jq (ci/setup.sh)" >&2; exit 1; }

# One proof at a time: the test root inside the sid root is shared.
exec 8>"$HU_CACHE/igt-runner-proof.lock"
flock -w 600 8 || { echo "igt-runner-proof: lock busy" >&2; exit 1; }

rm -rf "${root:?}$tr" "${root:?}$res" "$out"
mkdir -p "$root$tr" "$root$res" "$out"
chmod 1777 "$root$res"
for b in $bins; do
	install -m 755 "$examples/$b" "$root$tr/$b"
done
echo "$bins" > "$root$tr/test-list.txt"
for run in main nonroot abort after multi; do
	test_list $run > "$root$tr/$run.testlist"
done

# run_runner RUN [RUNNER FLAGS...] [-- sid-chroot FLAGS]: one igt_runner
# call, bounded.
run_runner() {
	local run=$1 t0 rc flags=() chroot_flags=()
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		flags+=("$1")
		shift
	done
	[ $# -gt 0 ] && shift && chroot_flags=("$@")
	t0=$(hu_now)
	timeout -k 10 300 "$HU_REPO/ci/sid-chroot.sh" "${chroot_flags[@]}" \
		igt_runner -s -l verbose --per-test-timeout $per_test_timeout \
		"${flags[@]}" --test-list "$tr/$run.testlist" \
		"$tr" "$res/$run" > "$out/$run.log" 2>&1
	rc=$?
	echo "[proof] igt_runner $run: exit $rc ($(hu_since "$t0") s), log $out/$run.log"
	cp -a "$root$res/$run" "$out/$run" 2>/dev/null
}
# main: platform noise (HU_DMESG_IGNORE, as the VM lane sets it for TCG) is
# ignored, a test's own regex still works next to it; multi: without it the
# same line is a dmesg-warn.
run_runner main -e "HU_DMESG_IGNORE=hu platform noise [0-9]+ ns"
run_runner nonroot --allow-non-root -- --user nobody
run_runner abort
run_runner after
run_runner multi --multiple-mode

bad=0
printf '%-8s %-44s %-11s %-11s\n' run test expected got
while read -r run t want; do
	[ -n "$run" ] || continue
	got=$(jq -r --arg t "$t" '.tests[$t].result // "missing"' \
		"$out/$run/results.json" 2>/dev/null) || got="no-results.json"
	[ -n "$got" ] || got="no-results.json"
	mark=ok
	[ "$got" = "$want" ] || { mark=MISMATCH; bad=$((bad + 1)); }
	printf '%-8s %-44s %-11s %-11s %s\n' "$run" "$t" "$want" "$got" "$mark"
done <<< "$expected"

n=$(echo "$expected" | grep -c .)
if [ $bad -ne 0 ]; then
	echo "[proof] $bad of $n verdicts differ; results in $out"
	exit 1
fi
echo "[proof] all $n verdicts as expected"
