#!/bin/sh
# SPDX-License-Identifier: MIT
# kernel.sh SUITE [--offline]
#   Fetches the newest Debian amd64 kernel of SUITE (bookworm, trixie, sid,
#   backports = bookworm-backports) as its -unsigned binary package (sid:
#   linux-binary + linux-modules + linux-base), unpacks
#   it under $HU_CACHE/kernels/VERSION/ with a modules.dep, and prints that
#   directory (vmlinuz + lib/modules/VERSION, GPU/virtio/9p modules
#   decompressed). Cached by version; the suite name is a symlink to the
#   last version seen, used as is with --offline or for 6 hours.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../ci/apt-private.sh"

suite=${1:?usage: kernel.sh SUITE [--offline]}
offline=${2:-}
case $suite in
backports) suite=bookworm-backports ;;
esac
kdir=$HU_CACHE/kernels
mkdir -p "$kdir"
# private dirs are root's: apt's _apt sandbox user cannot write them
quiet="-o APT::Sandbox::User=root"

# DIR/vmlinux: the bzImage's payload, decompressed once here. QEMU boots it
# through its PVH entry, which saves the guest's decompression (about 1 s
# of zstd/xz under TCG). hotunplug-vm uses it only if it has the PVH note.
ensure_vmlinux() {
	if [ -e "$1/vmlinux" ] || [ -e "$1/vmlinux.none" ]; then
		return 0
	fi
	for c in zstd xz gzip; do
		case $c in
		zstd) pat='\x28\xb5\x2f\xfd'; dec="zstd -qdc" ;;
		xz) pat='\xfd7zXZ\x00'; dec="xz -qdc --single-stream" ;;
		gzip) pat='\x1f\x8b\x08'; dec="gzip -qdc" ;;
		esac
		off=$(LC_ALL=C grep -obUaP "$pat" "$1/vmlinuz" | head -n 1 | cut -d: -f1)
		[ -n "$off" ] || continue
		# trailing bytes after the payload make the tools complain: ignored
		tail -c +$((off + 1)) "$1/vmlinuz" | $dec > "$1/vmlinux.$$" 2>/dev/null || true
		if [ "$(head -c 4 "$1/vmlinux.$$" | od -An -c | tr -d ' ')" = 177ELF ]; then
			mv "$1/vmlinux.$$" "$1/vmlinux"
			return 0
		fi
		rm -f "$1/vmlinux.$$"
	done
	: > "$1/vmlinux.none"
}
done_with() {
	ensure_vmlinux "$1"
	# the checksums of what the guest boots, written once it is whole
	if [ -e "$1/vmlinux" ] && [ ! -e "$1/vmlinux.sha256" ]; then
		(cd "$1" && sha256sum vmlinux > vmlinux.sha256.$$ &&
			mv vmlinux.sha256.$$ vmlinux.sha256)
	fi
	echo "$1"
	exit 0
}
# cache_ok DIR: the cached kernel is whole. Written with checksums
# (sha256: vmlinuz, modules.dep; vmlinux.sha256) since they exist; an older
# entry must at least have a bzImage header ("HdrS" at 0x202) and a
# modules.dep. A truncated or damaged entry would boot into a silent hang.
cache_ok() {
	[ -s "$1/vmlinuz" ] && [ -s "$1/lib/modules/$(cat "$1/version" 2>/dev/null)/modules.dep" ] ||
		return 1
	if [ -e "$1/sha256" ]; then
		(cd "$1" && sha256sum -c --quiet --status sha256) || return 1
	else
		bzimage_whole "$1/vmlinuz" || return 1
	fi
	[ ! -e "$1/vmlinux.sha256" ] || (cd "$1" && sha256sum -c --quiet --status vmlinux.sha256)
}
# bzimage_whole FILE: a bzImage header ("HdrS" at 0x202) and at least the
# size it declares: (setup_sects + 1) * 512 + syssize * 16 (x86 boot
# protocol, Documentation/arch/x86/boot.rst: setup_sects at 0x1f1, 0 means
# 4; syssize at 0x1f4, in 16-byte units)
bzimage_whole() {
	[ "$(dd if="$1" bs=1 skip=514 count=4 2>/dev/null)" = HdrS ] || return 1
	set -- "$1" $(od -An -tu1 -j 497 -N 1 "$1") $(od -An -tu4 -j 500 -N 4 "$1")
	[ "$2" -eq 0 ] && set -- "$1" 4 "$3"
	[ "$(stat -c %s "$1")" -ge $((($2 + 1) * 512 + $3 * 16)) ]
}
# use_cached DIR: done with DIR if it is whole; else say so and drop it
# (offline: fail), so that it is fetched again below
use_cached() {
	if cache_ok "$1"; then
		done_with "$1"
	fi
	if [ "$offline" = --offline ]; then
		echo "kernel.sh: the cached kernel $1 is damaged (checksum, size or" \
			"header): run once online to fetch it again" >&2
		exit 1
	fi
	echo "kernel.sh: the cached kernel $1 is damaged, fetching it again" >&2
	rm -rf "$1"
}

if [ "$offline" = --offline ]; then
	[ -e "$kdir/$suite/vmlinuz" ] ||
		{ echo "kernel.sh: no cached kernel for $suite (run once online)" >&2; exit 1; }
	use_cached "$(readlink -f "$kdir/$suite")"
fi

# Asked the registry less than 6 h ago: use that answer.
if [ -e "$kdir/$suite/vmlinuz" ] &&
	[ -n "$(find "$kdir/$suite" -maxdepth 0 -mmin -360 2>/dev/null)" ]; then
	use_cached "$(readlink -f "$kdir/$suite")"
fi
# one fetch at a time (parallel runs share the cache)
exec 9>"$kdir/.lock"
flock -w 900 9 || { echo "kernel.sh: $kdir/.lock busy for 15 min" >&2; exit 1; }
apt_private "$suite" $quiet update >/dev/null ||
	{ echo "kernel.sh: apt update for $suite failed" >&2; exit 1; }
tmp=$(mktemp -d "$kdir/.fetch.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# The metapackage names the versioned image (signed); its -unsigned twin has
# the same vmlinuz without the PE signature and the same modules.
(cd "$tmp" && apt_private "$suite" $quiet download linux-image-amd64 >/dev/null)
meta=$(ls "$tmp"/linux-image-amd64_*.deb)
img=$(dpkg-deb -f "$meta" Depends | tr ',' '\n' | sed -n 's/^ *\(linux-image-[^ ]*\).*/\1/p' | head -1)
[ -n "$img" ] || { echo "kernel.sh: cannot read the image name from $meta" >&2; exit 1; }
kver=${img#linux-image-}
out=$kdir/$kver
if [ ! -e "$out/vmlinuz" ]; then
	# Older suites: one -unsigned image package. Sid: a signed image
	# package that depends on linux-binary-V (vmlinuz) + linux-modules-V.
	get() { (cd "$tmp" && apt_private "$suite" $quiet download "$@" >/dev/null 2>&1); }
	get "$img-unsigned" || get "$img" ||
		{ echo "kernel.sh: cannot download $img" >&2; exit 1; }
	x=$tmp/x
	for d in "$tmp"/*.deb; do dpkg-deb -x "$d" "$x"; done
	# 6.1 keeps modules in lib/modules, merged-/usr kernels in usr/lib/modules
	mods=$x/usr/lib/modules/$kver
	[ -d "$x/lib/modules/$kver" ] && mods=$x/lib/modules/$kver
	if [ ! -e "$x/boot/vmlinuz-$kver" ] && [ ! -e "$mods/vmlinuz" ]; then
		# linux-base-V has modules.builtin/order: kmod needs them to
		# tell a built-in driver (virtio_pci) from a missing module
		get "linux-binary-$kver" "linux-modules-$kver" "linux-base-$kver" ||
			{ echo "kernel.sh: cannot download linux-binary/modules/base-$kver" >&2; exit 1; }
		for d in "$tmp"/linux-binary-*.deb "$tmp"/linux-modules-*.deb \
			"$tmp"/linux-base-*.deb; do
			dpkg-deb -x "$d" "$x"
		done
	fi
	rm -rf "$out.new"
	mkdir -p "$out.new/lib/modules"
	if [ -e "$mods/vmlinuz" ]; then
		mv "$mods/vmlinuz" "$out.new/vmlinuz"
	else
		cp "$x/boot/vmlinuz-$kver" "$out.new/vmlinuz"
	fi
	mv "$mods" "$out.new/lib/modules/$kver"
	cp "$x/boot/config-$kver" "$out.new/config" 2>/dev/null || true
	# Modules the guest loads are decompressed once here: xz under TCG
	# cost seconds per boot.
	for d in drivers/gpu drivers/virtio drivers/char drivers/iommu \
		drivers/video drivers/dma-buf fs/9p net/9p fs/netfs fs/overlayfs; do
		[ -d "$out.new/lib/modules/$kver/kernel/$d" ] || continue
		find "$out.new/lib/modules/$kver/kernel/$d" -name '*.ko.xz' -exec xz -d {} +
		find "$out.new/lib/modules/$kver/kernel/$d" -name '*.ko.zst' \
			-exec sh -c 'for f; do zstd -qd --rm "$f"; done' - {} +
	done
	# depmod wants these; a local tree may lack them
	for f in modules.builtin modules.builtin.modinfo modules.order; do
		[ -e "$out.new/lib/modules/$kver/$f" ] || : > "$out.new/lib/modules/$kver/$f"
	done
	depmod -b "$out.new" "$kver"
	echo "$kver" > "$out.new/version"
	(cd "$out.new" && sha256sum vmlinuz "lib/modules/$kver/modules.dep" > sha256)
	mv "$out.new" "$out"
fi
ln -sfn "$kver" "$kdir/$suite"
use_cached "$out"
echo "kernel.sh: $out is damaged right after it was built" >&2
exit 1
