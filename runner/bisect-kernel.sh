#!/bin/sh
# SPDX-License-Identifier: MIT
# bisect-kernel.sh config|build TREE BUILDDIR [MODDIR]
#   One bisect step's kernel, out of TREE in BUILDDIR (kept between steps:
#   a step rebuilds what its commit changed).
#   config: `make defconfig kvm_guest.config` (or $HU_BISECT_CONFIG, a full
#     .config to start from), then runner/bisect-trim.config (what the lane
#     does not use), every line of runner/lane-kernel.config and of
#     $HU_BISECT_FRAGMENT (more lines, optional) with scripts/config,
#     then olddefconfig. Exit 3 naming each option the result lacks: the
#     lane cannot boot or test without it. Seconds, no compiling.
#   build: bzImage and modules at nice 10 with -j$HU_BISECT_JOBS (2),
#     through ccache when installed (cache in $HU_CACHE/ccache), then
#     modules_install into MODDIR (emptied first). Exit 4 when the build
#     fails (the log is BUILDDIR/build.log). Prints the kernel release.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../ci/apt-private.sh"

mode=${1:-} tree=${2:-} bdir=${3:-} moddir=${4:-}
say() { echo "bisect-kernel: $*" >&2; }
case $mode in
config|build) ;;
*) echo "usage: bisect-kernel.sh config|build TREE BUILDDIR [MODDIR]" >&2; exit 2 ;;
esac
[ -f "$tree/Makefile" ] && [ -f "$tree/Kconfig" ] ||
	{ say "$tree is not a kernel tree"; exit 2; }
mkdir -p "$bdir"
log=$bdir/build.log
# LOCALVERSION set (empty): no "+" for a tree that is not at a tag
mk() {
	nice -n 10 make -C "$tree" O="$bdir" LOCALVERSION= \
		-j"${HU_BISECT_JOBS:-2}" ${cc:+CC="$cc"} "$@" >>"$log" 2>&1
}
cc=
if command -v ccache >/dev/null; then
	cc="ccache gcc"
	export CCACHE_DIR=${CCACHE_DIR:-$HU_CACHE/ccache}
	# the dependency files of -Wp,-MMD instead of a second preprocessing
	export CCACHE_DEPEND=1
fi

if [ "$mode" = config ]; then
	: > "$log"
	if [ -n "${HU_BISECT_CONFIG:-}" ]; then
		cp "$HU_BISECT_CONFIG" "$bdir/.config"
	else
		mk defconfig || { say "make defconfig failed (see $log)"; exit 3; }
		mk kvm_guest.config || { say "make kvm_guest.config failed (see $log)"; exit 3; }
	fi
	opts() { grep -hE '^(CONFIG_[A-Z0-9_]+=|# CONFIG_[A-Z0-9_]+ is not set$)' "$@" || true; }
	frag=$(opts "$HERE/lane-kernel.config" ${HU_BISECT_FRAGMENT:+"$HU_BISECT_FRAGMENT"})
	# the trim first: the lane's needs win where they overlap
	{ opts "$HERE/bisect-trim.config"; echo "$frag"; } | while IFS= read -r l; do
		sc="$tree/scripts/config --file $bdir/.config"
		case $l in
		"# CONFIG_"*) o=${l#"# CONFIG_"}; $sc --disable "${o%" is not set"}" ;;
		CONFIG_*=y) o=${l%=y}; $sc --enable "${o#CONFIG_}" ;;
		CONFIG_*=m) o=${l%=m}; $sc --module "${o#CONFIG_}" ;;
		CONFIG_*=\"*) o=${l%%=*}; v=${l#*=\"}; $sc --set-str "${o#CONFIG_}" "${v%\"}" ;;
		CONFIG_*=*) o=${l%%=*}; $sc --set-val "${o#CONFIG_}" "${l#*=}" ;;
		esac
	done
	mk olddefconfig || { say "make olddefconfig failed (see $log)"; exit 3; }
	# Kconfig drops what the tree lacks or what a dependency forbids
	missing=
	for l in $(echo "$frag" | grep '^CONFIG_' | tr -d ' '); do
		grep -qxF "$l" "$bdir/.config" || missing="$missing $l"
	done
	for o in $(echo "$frag" | sed -n 's/^# \(CONFIG_[A-Z0-9_]*\) is not set$/\1/p'); do
		grep -q "^$o=" "$bdir/.config" && missing="$missing $o(unset)"
	done
	if [ -n "$missing" ]; then
		for m in $missing; do
			have=$(grep -E "^(# )?${m%%[=(]*}[= ]" "$bdir/.config" || echo "absent")
			say "the lane needs $m, the config has: $have"
		done
		exit 3
	fi
	exit 0
fi

[ -n "$moddir" ] || { say "build needs MODDIR"; exit 2; }
: > "$log"
mk bzImage modules || { say "build failed (see $log):"; tail -n 15 "$log" >&2; exit 4; }
rm -rf "$moddir"
mkdir -p "$moddir"
mk modules_install INSTALL_MOD_PATH="$moddir" INSTALL_MOD_STRIP=1 ||
	{ say "modules_install failed (see $log)"; exit 4; }
kver=$(make -s -C "$tree" O="$bdir" LOCALVERSION= kernelrelease)
# runner/kernel.c looks for lib/modules/VERSION below MODDIR
if [ -d "$moddir/usr/lib/modules/$kver" ]; then
	mkdir -p "$moddir/lib/modules"
	mv "$moddir/usr/lib/modules/$kver" "$moddir/lib/modules/$kver"
	rm -rf "$moddir/usr"
fi
rm -f "$moddir/lib/modules/$kver/build" "$moddir/lib/modules/$kver/source"
echo "$kver"
