#!/bin/bash
# SPDX-License-Identifier: MIT
# ci/test-report-browser.sh: report.html in a real browser, offline.
# hotunplug-report writes the report of the recorded results directories
# (report/tests/data/results-*); Debian's headless Chromium
# (chromium-headless-shell, installed here if missing) opens it from the
# file system with the network switched off, takes a screenshot and dumps
# the DOM after the page's script ran. The DOM's counts (rows, failures,
# findings: the script counts them from the rendered tables) must equal
# findings.json's, and "#filter=NAME" must leave the rows of that test.
# The screenshot and the report stay in $HU_ARTIFACTS (default
# $HU_BUILD/artifacts/report). Prints one line per check.
set -u
. "$(dirname "$0")/common.sh"

ART=${HU_ARTIFACTS:-$HU_BUILD/artifacts}/report
REPORT=$HU_BUILD/report/hotunplug-report
BROWSER=chromium-headless-shell
passed=0
failed=0

ok() { echo "[browser] ok: $*"; passed=$((passed + 1)); }
bad() { echo "[browser] FAILED: $*"; failed=$((failed + 1)); }
finish() {
	echo "[browser] $passed checks passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
}

if ! command -v $BROWSER > /dev/null; then
	[ "$(id -u)" = 0 ] || { bad "$BROWSER missing and not root to install it"; finish; }
	t0=$(hu_now)
	export DEBIAN_FRONTEND=noninteractive
	# as ci/setup.sh: fresh package lists first
	{ apt-get -q -o Acquire::Retries=3 update &&
	  apt-get install -y -q -o Acquire::Retries=3 --no-install-recommends \
		$BROWSER; } > "$HU_BUILD/browser-install.log" 2>&1 ||
		{ bad "apt-get install $BROWSER (see $HU_BUILD/browser-install.log)"; finish; }
	echo "[browser] installed $BROWSER in $(hu_since "$t0") s"
fi
[ -x "$REPORT" ] || { bad "$REPORT not built"; finish; }
command -v jq > /dev/null || { bad "jq missing (ci/setup.sh)"; finish; }

rm -rf "$ART"
mkdir -p "$ART"
mapfile -t DIRS < <(ls -d "$HU_REPO"/report/tests/data/results-* | sort)
"$REPORT" -o "$ART" "${DIRS[@]}" > "$ART/hotunplug-report.txt" 2>&1 ||
	{ bad "hotunplug-report failed: $(tail -n 3 "$ART/hotunplug-report.txt")"; finish; }
F=$ART/findings.json
URL=file://$ART/report.html

# --proxy-server to nowhere: anything the page tried to fetch would fail
browse() {
	timeout 120 $BROWSER --no-sandbox --disable-gpu --no-first-run \
		--proxy-server=127.0.0.1:9 --proxy-bypass-list='<-loopback>' \
		--window-size=1400,1800 "$@" 2> "$ART/browser-stderr.txt"
}

t0=$(hu_now)
browse --screenshot="$ART/screenshot.png" "$URL" > /dev/null
if [ -s "$ART/screenshot.png" ] &&
   [ "$(head -c 8 "$ART/screenshot.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]; then
	ok "screenshot $ART/screenshot.png ($(stat -c %s "$ART/screenshot.png") bytes, $(hu_since "$t0") s)"
else
	bad "no screenshot: $(tail -n 3 "$ART/browser-stderr.txt")"
fi

browse --dump-dom "$URL" > "$ART/dom.html"
attr() { grep -o "<span id=\"dom-counts\"[^>]*>" "$ART/dom.html" | grep -o " data-$1=\"[0-9]*\"" | grep -o '[0-9]*'; }
[ -n "$(attr rows)" ] && ok "the page's script ran (#dom-counts filled)" ||
	bad "#dom-counts empty: the script did not run"
for k in rows:.summary.rows failures:.summary.failures 'findings:.findings | length'; do
	name=${k%%:*}
	want=$(jq "${k#*:}" "$F")
	got=$(attr "$name")
	[ "$got" = "$want" ] && ok "DOM $name: $got, findings.json: $want" ||
		bad "DOM $name: ${got:-none}, findings.json: $want"
done

# the filter box, through the address: the rows of the first finding's test
name=$(jq -r '.findings[0].rows[0].name // empty' "$F")
if [ -n "$name" ]; then
	want=$(jq --arg n "$name" '[.rows[].name | select(ascii_downcase | contains($n | ascii_downcase))] | unique | length' "$F")
	browse --dump-dom "$URL#filter=$name" > "$ART/dom-filter.html"
	got=$(grep -o '<span id="dom-counts"[^>]*>' "$ART/dom-filter.html" | grep -o ' data-shown="[0-9]*"' | grep -o '[0-9]*')
	[ "$got" = "$want" ] && ok "filter '$name': $got test(s) shown, $want expected" ||
		bad "filter '$name': ${got:-none} shown, $want expected"
else
	bad "findings.json has no finding to filter on"
fi
finish
