#!/bin/bash
# SPDX-License-Identifier: MIT
# hotunplug-report end to end on recorded results directories
# (report/tests/data/results-*: the VM lane's results.json and
# vm/config.json of real runs, trimmed to a few rows): findings.json
# against what the results say (counted here with jq, not by the
# program), junit.xml against junit.xsd, report.html self-contained,
# compare mode, and bad input: a clear message naming the path, exit 1,
# nothing written. TAP output.
# Usage: e2e.sh HOTUNPLUG-REPORT DATA-DIR
set -u
REPORT=$1
DATA=$2
XSD=$(dirname "$0")/junit.xsd
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
n=0
failed=0

ok() { n=$((n + 1)); echo "ok $n - $*"; }
bad() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
fails() { ! "$@"; }

mapfile -t DIRS < <(ls -d "$DATA"/results-* | sort)
[ ${#DIRS[@]} -ge 2 ] && ok "${#DIRS[@]} recorded results directories" ||
	bad "recorded results directories in $DATA"

"$REPORT" -o "$T/out" "${DIRS[@]}" > "$T/stdout" 2> "$T/stderr"
check "exit 0 on good input" [ $? -eq 0 ]
for f in findings.json report.html junit.xml; do
	check "$f written" [ -s "$T/out/$f" ]
done
check "no temporary file left" [ -z "$(ls -A "$T/out" | grep -v -x -e findings.json -e report.html -e junit.xml)" ]
F=$T/out/findings.json

# rows: every test of every results.json, once
want=0
for d in "${DIRS[@]}"; do
	want=$((want + $(jq '.tests | length' "$d/results.json")))
done
got=$(jq '.summary.rows' "$F")
check "rows: $got, results.json files have $want" [ "$got" = "$want" ]
check "runs: one per directory" [ "$(jq '.summary.runs' "$F")" = "${#DIRS[@]}" ]
fails=0
for d in "${DIRS[@]}"; do
	fails=$((fails + $(jq '[.tests[] | select(.result | test("^(fail|dmesg-fail|dmesg-warn|warn|incomplete|crash|abort|timeout)$"))] | length' "$d/results.json")))
done
check "failures: $(jq '.summary.failures' "$F"), results say $fails" [ "$(jq '.summary.failures' "$F")" = "$fails" ]

# the drm_mm takedown WARN: one finding, as many rows as dmesg shows it in
warn=0
for d in "${DIRS[@]}"; do
	warn=$((warn + $(jq '[.tests[] | select(.dmesg | test("WARNING: .*drm_mm.c:[0-9]+ .*drm_mm_takedown"))] | length' "$d/results.json")))
done
sigs=$(jq '[.findings[] | select(.signature | test("^WARNING drivers/gpu/drm/drm_mm.c:[0-9]+ drm_mm_takedown$"))] | length' "$F")
count=$(jq '[.findings[] | select(.signature | test("^WARNING drivers/gpu/drm/drm_mm.c:[0-9]+ drm_mm_takedown$")) | .count] | add // 0' "$F")
same_warn() { [ "$warn" -gt 1 ] && [ "$count" = "$warn" ] && [ "$sigs" -ge 1 ]; }
check "drm_mm takedown WARN in $warn rows: $sigs finding(s) (one per line), count $count" same_warn
check "every finding's count is its number of rows" \
	[ "$(jq '[.findings[] | select(.count != (.rows | length))] | length' "$F")" = 0 ]
check "every finding has a splat, configurations and a reproducer" \
	[ "$(jq '[.findings[] | select((.splat | length) == 0 or (.configurations | length) == 0 or (.reproducer | test("^build/runner/hotunplug-vm --kernel [^ ]+ --gpu .* --tests .*--results") | not))] | length' "$F")" = 0 ]
check "signatures carry no addresses or PIDs" \
	[ "$(jq '[.findings[].signature | select(test("0x[0-9a-f]|ffff[0-9a-f]{8}|PID: [0-9]"))] | length' "$F")" = 0 ]
check "signatures are unique" \
	[ "$(jq '[.findings[].signature] | (length == (unique | length))' "$F")" = true ]
check "passed_in rows passed and do not show the finding" \
	[ "$(jq '[.findings[] as $f | $f.passed_in[] | select(.result != "pass")] | length' "$F")" = 0 ]

# a lane run from before vm/config.json: the QEMU command line says it
label=$(jq -r '.configurations[] | select(.dir | endswith("results-sid-bochs-cmdline")) | .label' "$F")
check "configuration from vm/qemu-cmdline.txt: '$label'" \
	[ "$label" = "7.2.13+deb14-amd64 bochs iommu=none fbdev=on" ]
only=$(jq --arg l "$label" '[.findings[] | select(.configurations == [$l])]' "$F")
check "its own findings ($(jq length <<< "$only")) have reproducers that ask for the suite" \
	[ "$(jq 'length > 0 and all(.reproducer | test("--kernel SUITE .*# SUITE: the Debian suite of 7.2.13"))' <<< "$only")" = true ]

# junit.xml: valid, and the schema is not a check that cannot fail
validates() { xmllint --noout --schema "$XSD" "$1" 2> "$T/xmllint.txt"; }
check "junit.xml validates against junit.xsd" validates "$T/out/junit.xml"
check "one testcase per row" [ "$(grep -c '<testcase ' "$T/out/junit.xml")" = "$want" ]
sed 's/<testcase name="[^"]*"/<testcase/' "$T/out/junit.xml" > "$T/broken.xml"
check "a testcase without a name does not validate" \
	fails validates "$T/broken.xml"

# report.html: one file, nothing fetched
H=$T/out/report.html
check "report.html fetches nothing (no src=, no link, no URL)" \
	fails grep -Eq '<script[^>]+src=|<link |<img |https?://|url\(' "$H"
check "report.html: one matrix cell per row" [ "$(grep -o 'data-result=' "$H" | wc -l)" = "$want" ]
check "report.html: one finding line per finding" \
	[ "$(grep -o '<tr class="finding"' "$H" | wc -l)" = "$(jq '.findings | length' "$F")" ]
check "report.html: every row's details" [ "$(grep -o '<details id="r' "$H" | wc -l)" = "$want" ]

# compare: B = the first directory with one row failing anew with a new WARN
B=$T/b
mkdir -p "$B"
cp -r "${DIRS[0]}/vm" "$B/"
row=$(jq -r '[.tests | to_entries[] | select(.value.result == "pass")][0].key' "${DIRS[0]}/results.json")
jq --arg r "$row" '.tests[$r].result = "dmesg-warn" |
	.tests[$r].dmesg += "<4> [99.000001] WARNING: CPU: 0 PID: 9 at drivers/gpu/drm/e2e_test.c:42 e2e_check+0x1/0x2 [drm]\n"' \
	"${DIRS[0]}/results.json" > "$B/results.json"
"$REPORT" -o "$T/cmp" --base "${DIRS[0]}" "$B" > "$T/cmp.out" 2>&1
check "compare exits 0" [ $? -eq 0 ]
C=$T/cmp/compare.json
check "compare: the new WARN is the one new finding" \
	[ "$(jq -r '[.new_findings[].signature] | join(",")' "$C")" = "WARNING drivers/gpu/drm/e2e_test.c:42 e2e_check" ]
check "compare: nothing gone" [ "$(jq '.gone_findings | length' "$C")" = 0 ]
check "compare: $row changed pass -> dmesg-warn" \
	[ "$(jq -r '[.changed_rows[] | "\(.name) \(.a) \(.b)"] | join(",")' "$C")" = "$row pass dmesg-warn" ]
check "compare: reversed, the finding is gone" \
	sh -c "'$REPORT' -o '$T/cmp2' --base '$B' '${DIRS[0]}' > /dev/null &&
	       [ \"\$(jq '.gone_findings | length' '$T/cmp2/compare.json')\" = 1 ]"

# bad input: message with the path, exit 1, nothing written
mkdir -p "$T/bad/trunc" "$T/bad/notjson" "$T/bad/version" "$T/bad/empty"
head -c 2000 "${DIRS[0]}/results.json" > "$T/bad/trunc/results.json"
echo "this is not JSON" > "$T/bad/notjson/results.json"
jq '.results_version = 9' "${DIRS[0]}/results.json" > "$T/bad/version/results.json"
for b in trunc notjson version empty missing; do
	out=$T/badout-$b
	"$REPORT" -o "$out" "${DIRS[0]}" "$T/bad/$b" > /dev/null 2> "$T/err-$b"
	rc=$?
	check "bad input ($b): exit 1" [ $rc -eq 1 ]
	check "bad input ($b): the message names $T/bad/$b" grep -q "$T/bad/$b" "$T/err-$b"
	check "bad input ($b): nothing written" [ ! -e "$out" ]
done
grep -q 'not valid JSON' "$T/err-trunc" && grep -q 'not valid JSON' "$T/err-notjson" &&
	grep -q 'results_version 9' "$T/err-version" && grep -q 'No such file' "$T/err-empty" &&
	ok "bad input: each message says what is wrong" || bad "bad input messages: $(cat "$T"/err-*)"
# an earlier report survives a bad run untouched
cp -r "$T/out" "$T/keep"
"$REPORT" -o "$T/keep" "$T/bad/trunc" > /dev/null 2>&1
check "bad input leaves an earlier report as it was" diff -r "$T/out" "$T/keep"
"$REPORT" > /dev/null 2>&1
check "no directory: usage, exit 2" [ $? -eq 2 ]

echo "1..$n"
[ "$failed" -eq 0 ]
