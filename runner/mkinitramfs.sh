#!/bin/sh
# SPDX-License-Identifier: MIT
# mkinitramfs.sh MODDIR OUT.cpio.gz
#   MODDIR: the guest kernel's lib/modules/VERSION (with modules.dep).
#   Builds busybox-static + runner/guest/init + the modules needed to mount
#   a 9p root with an overlay (decompressed, with their own modules.dep).
#   Everything else comes from the 9p shares at boot.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
MODDIR=$1 OUT=$2
KVER=$(basename "$MODDIR")
[ -s "$MODDIR/modules.dep" ] || { echo "mkinitramfs: no $MODDIR/modules.dep" >&2; exit 1; }
BB=$(command -v busybox || true)
[ -n "$BB" ] && "$BB" --list >/dev/null 2>&1 ||
	{ echo "mkinitramfs: needs busybox-static (apt-get install busybox-static)" >&2; exit 1; }
S=$(mktemp -d "${TMPDIR:-/tmp}/hu-initramfs.XXXXXX")
trap 'rm -rf "$S"' EXIT
mkdir -p "$S/bin" "$S/dev" "$S/proc" "$S/sys" "$S/lib/modules/$KVER"
cp "$BB" "$S/bin/busybox"
for a in $("$BB" --list | grep -vx busybox); do ln -sf busybox "$S/bin/$a"; done
cp "$HERE/guest/init" "$S/init"
chmod +x "$S/init"
# virtio_pci is a module on 6.1; on newer kernels these may be built in.
# virtio-iommu: with one, every virtio device (9p too) waits for its driver.
for w in virtio_pci virtio-iommu netfs 9pnet 9pnet_virtio 9p overlay; do
	line=$(grep -E "/$w\.ko(\.xz|\.zst|\.gz)?:" "$MODDIR/modules.dep" || true)
	[ -n "$line" ] || continue
	for f in $(echo "$line" | tr -d ':'); do
		dst=$S/lib/modules/$KVER/${f%.ko*}.ko
		[ -e "$dst" ] && continue
		mkdir -p "$(dirname "$dst")"
		case $f in
		*.xz) xz -dc "$MODDIR/$f" > "$dst" ;;
		*.zst) zstd -qdc "$MODDIR/$f" > "$dst" ;;
		*.gz) gzip -dc "$MODDIR/$f" > "$dst" ;;
		*) cp "$MODDIR/$f" "$dst" ;;
		esac
	done
done
for f in modules.builtin modules.builtin.modinfo modules.order; do
	if [ -e "$MODDIR/$f" ]; then
		cp "$MODDIR/$f" "$S/lib/modules/$KVER/"
	else
		: > "$S/lib/modules/$KVER/$f"
	fi
done
depmod -b "$S" "$KVER"
# unique temporary name: two runs may build the same image at once
(cd "$S" && find . | cpio -o -H newc --quiet | gzip -1) > "$OUT.tmp.$$"
mv "$OUT.tmp.$$" "$OUT"
