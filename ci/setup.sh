#!/bin/bash
# SPDX-License-Identifier: MIT
# ci/setup.sh: everything the suite needs on a Debian 12 host, as root.
# Idempotent; a re-run with everything cached takes seconds.
#  1. host packages (apt only if one is missing)
#  2. newer kernel uAPI headers (ci/fetch-uapi.sh)
#  3. the Debian sid root with igt_runner (ci/sidroot.sh)
#  4. meson setup + ninja in $HU_BUILD (default ./build)
# Caches live in $HU_CACHE (default ~/.cache/hotunplug).
set -eu
. "$(dirname "$0")/common.sh"

# build: compiler, meson, libraries the suite links
# sid root: debootstrap (+ wget, gpgv, keyring); chroot entry: util-linux
# VM lane: qemu, busybox initramfs, cpio, xz/zstd for modules, socat (QMP), kmod (depmod)
# results: jq
HOST_PACKAGES="meson ninja-build pkg-config gcc libc6-dev libdrm-dev
	libkmod-dev libudev-dev debootstrap wget gpgv debian-archive-keyring
	util-linux qemu-system-x86 busybox-static cpio xz-utils zstd socat kmod
	jq libjson-c-dev libxml2-utils"

t_all=$(hu_now)

missing_packages() {
	local ok
	# one dpkg-query for all; unknown packages are left out of its output
	ok=$(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' $HOST_PACKAGES \
		2>/dev/null | awk '$2 == "ii" { print $1 }')
	comm -23 <(printf '%s\n' $HOST_PACKAGES | sort -u) <(sort -u <<< "$ok")
}

install_packages() {
	local missing
	missing=$(missing_packages)
	if [ -z "$missing" ]; then
		echo "[setup] all host packages installed"
		return 0
	fi
	echo "[setup] installing:" $missing
	[ "$(id -u)" = 0 ] || { echo "[setup] must run as root to install packages" >&2; return 1; }
	export DEBIAN_FRONTEND=noninteractive
	apt-get -q -o Acquire::Retries=3 update &&
		apt-get -q -y -o Acquire::Retries=3 --no-install-recommends \
			install $missing
}

build() {
	local inc
	inc=$("$HU_REPO/ci/fetch-uapi.sh" --offline)
	if [ ! -f "$HU_BUILD/build.ninja" ]; then
		meson setup "$HU_BUILD" "$HU_REPO" -Duapi_include="$inc" || return
	fi
	ninja -C "$HU_BUILD"
}

hu_step setup "host packages" install_packages
# (both print a path we do not need here)
quiet() { "$@" > /dev/null; }

hu_step setup "kernel uAPI headers" quiet "$HU_REPO/ci/fetch-uapi.sh"
hu_step setup "sid root with igt_runner" quiet "$HU_REPO/ci/sidroot.sh"
hu_step setup "build in $HU_BUILD" build
echo "[setup] done in $(hu_since "$t_all") s"
