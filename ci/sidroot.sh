#!/bin/bash
# SPDX-License-Identifier: MIT
# A Debian sid root with the real igt_runner (igt-gpu-tools needs glibc
# >= 2.38, so it does not run on the bookworm host itself). Built once with
# debootstrap, cached under $HU_CACHE keyed by the package list, and its path
# printed on stdout (progress goes to stderr).
# Usage: ci/sidroot.sh [--offline]   (--offline: fail instead of building)
# Enter it with ci/sid-chroot.sh.

# Packages on top of minbase; append to this one line.
SID_PACKAGES="igt-gpu-tools kmod"

set -eu
. "$(dirname "$0")/common.sh"

# Bump when the recipe below changes in a way the package list does not show.
recipe=1
key=$(printf '%s\n' "$recipe" $SID_PACKAGES | sha256sum | cut -c1-12)
root=$HU_CACHE/sidroot-$key
stamp=$root/.hu-sidroot

# A stamped root must still have what the lane runs from it (a copy cut
# short or files removed by hand: the guest would fail in the middle).
whole() {
	local f
	for f in usr/bin/igt_runner usr/bin/igt_resume usr/bin/kmod usr/bin/bash \
		usr/bin/perl usr/bin/setsid; do
		[ -x "$root/$f" ] || { echo "sidroot: $root has no $f" >&2; return 1; }
	done
}
if [ -f "$stamp" ] && whole; then
	echo "$root"
	exit 0
fi
if [ "${1:-}" = --offline ]; then
	if [ -f "$stamp" ]; then
		echo "sidroot: $root is damaged and --offline: run once online to" \
			"build it again" >&2
	else
		echo "sidroot: $root not built and --offline" >&2
	fi
	exit 1
fi

mkdir -p "$HU_CACHE"
# One builder at a time; a second caller waits, then finds the stamp.
exec 9>"$HU_CACHE/sidroot.lock"
flock -w 1800 9 || { echo "sidroot: lock busy for 30 min" >&2; exit 1; }
if [ -f "$stamp" ] && whole 2> /dev/null; then
	echo "$root"
	exit 0
fi

tmp=$root.tmp
# debootstrap leaves proc/sys mounted in the target when it fails; never
# rm -rf across a mount point.
unmount_under() {
	awk -v p="$1/" 'index($5, p) == 1 { print $5 }' /proc/self/mountinfo |
		sort -r | while read -r m; do umount -l "$m" || true; done
}
clean_tmp() {
	unmount_under "$tmp"
	rm -rf --one-file-system "$tmp"
}
trap clean_tmp EXIT
clean_tmp

mirror=$(debian_mirror)
[ -n "$mirror" ] || { echo "sidroot: no Debian mirror in the host's apt sources" >&2; exit 1; }
mkdir -p "$HU_CACHE/debootstrap-debs"
t0=$(hu_now)
echo "[sidroot] debootstrap sid: minbase + $SID_PACKAGES ..." >&2
# The host's debian-archive-keyring verifies sid's Release file (gpgv, no
# --no-check-gpg): bookworm's 2023.3+deb12u2 carries the 13/trixie archive
# key, and sid's Release is signed with it (subkey ...78DBA3BC47EF2265,
# measured). Once sid is signed only by keys newer than the host's package,
# update debian-archive-keyring from bookworm-updates/backports.
log=$HU_CACHE/sidroot-$key.log
bootstrap() {
	debootstrap --variant=minbase --include="${SID_PACKAGES// /,}" \
		--keyring=/usr/share/keyrings/debian-archive-keyring.gpg \
		--cache-dir="$HU_CACHE/debootstrap-debs" \
		sid "$tmp" "$mirror" >> "$log" 2>&1
}
: > "$log"
# One retry from scratch: a mirror hiccup should not fail a CI run.
if ! bootstrap; then
	echo "[sidroot] debootstrap failed, retrying once" >&2
	clean_tmp
	bootstrap || {
		echo "sidroot: debootstrap failed, last lines of $log:" >&2
		tail -n 20 "$log" >&2
		exit 1
	}
fi
unmount_under "$tmp"
chroot "$tmp" apt-get clean
if [ -d "$root" ]; then
	echo "[sidroot] replacing the damaged $root" >&2
	unmount_under "$root"
	rm -rf --one-file-system "$root"
fi
for p in $SID_PACKAGES; do
	chroot "$tmp" dpkg-query -W -f='${Package} ${Version}\n' "$p"
done > "$tmp/.hu-sidroot.tmp"
mv "$tmp/.hu-sidroot.tmp" "$tmp/.hu-sidroot"
mv "$tmp" "$root"
trap - EXIT
ln -sfn "$(basename "$root")" "$HU_CACHE/sidroot"
# Roots of older package lists: not used any more.
for old in "$HU_CACHE"/sidroot-*; do
	[ "$old" != "$root" ] && [ -f "$old/.hu-sidroot" ] &&
		{ unmount_under "$old"; rm -rf --one-file-system "$old"; }
done
echo "[sidroot] built $root: $(du -sm "$root" | cut -f1) MB in $(hu_since "$t0") s" >&2
echo "$root"
