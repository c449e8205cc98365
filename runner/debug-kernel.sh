#!/bin/sh
# SPDX-License-Identifier: MIT
# debug-kernel.sh [SUITE] [--offline]
#   Builds, once, the VM lane's debug kernel (KASAN, DMA_API_DEBUG,
#   PROVE_LOCKING, KMEMLEAK: runner/debug-kernel.config) from the Debian
#   linux-source package of SUITE (default trixie, whose stock kernel the
#   lane also boots; backports = bookworm-backports), and prints its
#   directory in runner/kernel.sh's layout: vmlinuz, vmlinux, config,
#   version, lib/modules/VERSION (with modules.dep).
#   Cached in $HU_CACHE/debug-kernel/<package version>-<hash>/, the hash
#   covering the config fragment and the recipe; the suite name is a
#   symlink to the last build, trusted for 6 hours (forever with --offline).
#   Installs the build dependencies with apt-get if some are missing.
#   Takes 30-60 min on 2 cores (niced); the log is build-KEY.log in the
#   cache directory, then KEY/build.log.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../ci/apt-private.sh"

# Bump when the steps below change what gets built.
RECIPE=1
BUILD_DEPS="gcc make bc bison flex libelf-dev libssl-dev cpio kmod xz-utils"
FRAG=$HERE/debug-kernel.config
JOBS=${HU_DEBUG_JOBS:-2}

suite=trixie offline=
for a; do
	case $a in
	--offline) offline=1 ;;
	-*) echo "usage: debug-kernel.sh [SUITE] [--offline]" >&2; exit 2 ;;
	*) suite=$a ;;
	esac
done
case $suite in
backports) suite=bookworm-backports ;;
esac
ddir=$HU_CACHE/debug-kernel
mkdir -p "$ddir"
quiet="-o APT::Sandbox::User=root"
say() { echo "debug-kernel: $*" >&2; }
die() { say "$*"; exit 1; }

if [ -n "$offline" ]; then
	[ -e "$ddir/$suite/vmlinuz" ] ||
		die "no cached debug kernel for $suite (run once online)"
	readlink -f "$ddir/$suite"
	exit 0
fi
if [ -e "$ddir/$suite/vmlinuz" ] &&
	[ -n "$(find "$ddir/$suite" -maxdepth 0 -mmin -360 2>/dev/null)" ]; then
	readlink -f "$ddir/$suite"
	exit 0
fi

# Which linux-source-X.Y, which version: the suite's metapackage says.
apt_private "$suite" $quiet update >/dev/null || die "apt update for $suite failed"
tmp=$(mktemp -d "$ddir/.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP	# so that the EXIT trap cleans up
(cd "$tmp" && apt_private "$suite" $quiet download linux-source >/dev/null) ||
	die "cannot download linux-source of $suite"
dep=$(dpkg-deb -f "$tmp"/linux-source_*.deb Depends |
	sed -n 's/.*\(linux-source-[0-9.]*\) *(= *\([^)]*\)).*/\1 \2/p')
pkg=${dep% *}
pver=${dep#* }
[ -n "$pkg" ] && [ "$pkg" != "$dep" ] || die "cannot read the source package from linux-source"
hash=$( (cat "$FRAG"; echo "recipe $RECIPE") | sha256sum | cut -c1-12)
key=$pver-$hash
out=$ddir/$key
if [ -e "$out/vmlinuz" ]; then
	ln -sfn "$key" "$ddir/$suite"
	echo "$out"
	exit 0
fi

# One build at a time; a second caller waits for it (bounded) and finds it.
exec 9>"$ddir/.lock"
if ! flock -n 9; then
	say "waiting for $ddir/.lock (another build)"
	flock -w 10800 9 || die "$ddir/.lock busy for 3 h"
fi
if [ -e "$out/vmlinuz" ]; then
	ln -sfn "$key" "$ddir/$suite"
	echo "$out"
	exit 0
fi

missing=
for p in $BUILD_DEPS; do
	dpkg-query -W -f '${db:Status-Abbrev}' "$p" 2>/dev/null | grep -q '^ii' ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	say "installing the kernel build dependencies:$missing"
	[ "$(id -u)" = 0 ] || die "must be root to install them (or install them yourself)"
	DEBIAN_FRONTEND=noninteractive apt-get -q -y -o Acquire::Retries=3 \
		--no-install-recommends install $missing >&2 ||
		die "apt-get install$missing failed"
fi

# The source package (150 MB) is kept: another config reuses it.
src=$ddir/src/${pkg}_$pver.deb
if [ ! -e "$src" ]; then
	mkdir -p "$ddir/src"
	say "downloading $pkg $pver"
	(cd "$tmp" && apt_private "$suite" $quiet download "$pkg=$pver" >/dev/null) ||
		die "cannot download $pkg=$pver"
	mv "$tmp"/${pkg}_*.deb "$src"
fi

# Build in a scratch tree next to the cache (several GB), removed after.
tree=$ddir/.build-$key
rm -rf "$tree" "$out.new"
mkdir -p "$tree" "$out.new"
trap 'rm -rf "$tmp" "$tree" "$out.new"' EXIT
# the log outlives a failed build
log=$ddir/build-$key.log
: > "$log"
say "unpacking $pkg $pver"
dpkg-deb --fsys-tarfile "$src" | tar -x -C "$tmp" --wildcards '*usr/src/linux-source-*.tar.*'
tar -x -C "$tree" -f "$tmp"/usr/src/linux-source-*.tar.*
rm -rf "$tmp/usr"
ksrc=$(echo "$tree"/linux-source-*)
[ -f "$ksrc/Makefile" ] || die "no kernel tree in $src"

mk() { nice -n 19 make -C "$ksrc" -j"$JOBS" "$@" >>"$log" 2>&1; }
mk defconfig || die "make defconfig failed (see $log)"
mk kvm_guest.config || die "make kvm_guest.config failed (see $log)"
# scripts/config per line of the fragment, then let Kconfig settle
grep -E '^(CONFIG_|# CONFIG_)' "$FRAG" | while IFS= read -r l; do
	case $l in
	"# CONFIG_"*" is not set")
		o=${l#"# CONFIG_"}; o=${o%" is not set"}
		"$ksrc/scripts/config" --file "$ksrc/.config" --disable "$o" ;;
	CONFIG_*=y) o=${l%=y}; "$ksrc/scripts/config" --file "$ksrc/.config" --enable "${o#CONFIG_}" ;;
	CONFIG_*=m) o=${l%=m}; "$ksrc/scripts/config" --file "$ksrc/.config" --module "${o#CONFIG_}" ;;
	CONFIG_*=\"*) o=${l%%=*}; v=${l#*=\"}; v=${v%\"}
		"$ksrc/scripts/config" --file "$ksrc/.config" --set-str "${o#CONFIG_}" "$v" ;;
	CONFIG_*=*) o=${l%%=*}; "$ksrc/scripts/config" --file "$ksrc/.config" --set-val "${o#CONFIG_}" "${l#*=}" ;;
	esac
done
mk olddefconfig || die "make olddefconfig failed (see $log)"
# Every line of the fragment must have survived olddefconfig.
bad=0
for l in $(grep -E '^CONFIG_' "$FRAG" | tr -d ' '); do
	grep -qxF "$l" "$ksrc/.config" || { say "not in .config: $l"; bad=1; }
done
for o in $(sed -n 's/^# \(CONFIG_[A-Z0-9_]*\) is not set$/\1/p' "$FRAG"); do
	grep -q "^$o=" "$ksrc/.config" && { say "still set: $(grep "^$o=" "$ksrc/.config")"; bad=1; }
done
[ $bad = 0 ] || die "the config fragment does not apply to $pkg $pver"
say "config: $(grep -cE '^(CONFIG_|# CONFIG_)' "$FRAG") fragment lines all in .config"

say "building $pkg $pver with -j$JOBS at nice 19: 30-60 min on 2 cores; log $log"
t0=$(date +%s)
mk bzImage modules || die "build failed (tail of $log):$(tail -n 20 "$log")"
t1=$(date +%s)
kver=$(make -s -C "$ksrc" kernelrelease)
mk modules_install INSTALL_MOD_PATH="$out.new" INSTALL_MOD_STRIP=1 ||
	die "modules_install failed (see $log)"
# kernel.sh's layout: lib/modules/VERSION, whatever the tree's default
if [ -d "$out.new/usr/lib/modules/$kver" ]; then
	mkdir -p "$out.new/lib/modules"
	mv "$out.new/usr/lib/modules/$kver" "$out.new/lib/modules/$kver"
	rm -rf "$out.new/usr"
fi
rm -f "$out.new/lib/modules/$kver/build" "$out.new/lib/modules/$kver/source"
[ -s "$out.new/lib/modules/$kver/modules.dep" ] || depmod -b "$out.new" "$kver"
cp "$ksrc/arch/x86/boot/bzImage" "$out.new/vmlinuz"
# what the bzImage carries, uncompressed: QEMU boots it through PVH
objcopy -R .comment -S "$ksrc/vmlinux" "$out.new/vmlinux"
cp "$ksrc/.config" "$out.new/config"
echo "$kver" > "$out.new/version"
echo "$pkg $pver, fragment $hash, -j$JOBS, $((t1 - t0)) s" > "$out.new/build-info"
mv "$log" "$out.new/build.log"
mv "$out.new" "$out"
ln -sfn "$key" "$ddir/$suite"
say "built $kver in $((t1 - t0)) s: $out"
echo "$out"
