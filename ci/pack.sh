#!/bin/bash
# SPDX-License-Identifier: MIT
# ci/pack.sh [OUT.tar.gz]: the test root other machines fetch, as one
# artifact (what drm-ci's jobs do with IGT's tarball). `meson install
# --destdir` of the build ($HU_BUILD) into a scratch directory, then the
# prefix packed under one top directory, hotunplug/:
#   hotunplug/libexec/hotunplug/   igt_runner's test root: the binaries and
#                                  test-list.txt
#   hotunplug/share/hotunplug/     testlists/ (lists, blocklists),
#                                  expectations/ when the tree has them,
#                                  lava/ (the LAVA test's helpers)
# Nothing in it names the prefix: unpack it anywhere. Default OUT:
# $HU_BUILD/hotunplug-testroot.tar.gz. Prints the path and the contents.
set -eu
. "$(dirname "$0")/common.sh"

OUT=${1:-$HU_BUILD/hotunplug-testroot.tar.gz}
[ -f "$HU_BUILD/build.ninja" ] || { echo "[pack] no build in $HU_BUILD (run ci/setup.sh)" >&2; exit 2; }
opt() {
	meson introspect --buildoptions "$HU_BUILD" |
		jq -r --arg n "$1" '.[] | select(.name == $n) | .value'
}
prefix=$(opt prefix)
libexec=$(opt libexecdir)
case $prefix in /*) ;; *) echo "[pack] prefix '$prefix' is not absolute" >&2; exit 2 ;; esac
stage=$(mktemp -d "${TMPDIR:-/tmp}/hu-pack.XXXXXX")
trap 'rm -rf "$stage"' EXIT
ninja -C "$HU_BUILD" >/dev/null
meson install -C "$HU_BUILD" --destdir "$stage/dest" --quiet
mv "$stage/dest$prefix" "$stage/hotunplug"
# what igt_runner needs: every binary test-list.txt names, executable
root=$stage/hotunplug/$libexec/hotunplug
[ -s "$root/test-list.txt" ] || { echo "[pack] no test-list.txt in $root" >&2; exit 1; }
while read -r bin; do
	[ -x "$root/$bin" ] || { echo "[pack] test-list.txt names $bin, not installed" >&2; exit 1; }
done < "$root/test-list.txt"
mkdir -p "$(dirname "$OUT")"
tar -C "$stage" --owner=0 --group=0 -czf "$OUT.tmp" hotunplug
mv "$OUT.tmp" "$OUT"
tar -tzf "$OUT" | sort | sed 's/^/[pack]   /'
echo "[pack] test root: $OUT ($(du -k "$OUT" | cut -f1) KiB; igt_runner's test" \
	"root inside: hotunplug/$libexec/hotunplug)"
