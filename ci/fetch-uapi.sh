#!/bin/sh
# SPDX-License-Identifier: MIT
# Newer kernel uAPI headers (drm/xe_drm.h needs linux-libc-dev >= 6.8;
# bookworm has 6.1), unpacked into the cache, not installed on the host.
# Prints the include directory. Usage: ci/fetch-uapi.sh [--offline]
set -eu
. "$(dirname "$0")/apt-private.sh"
suite=bookworm-backports
dest=$HU_CACHE/uapi
if [ ! -f "$dest/include/drm/xe_drm.h" ]; then
	[ "${1:-}" = --offline ] && { echo "fetch-uapi: not cached and --offline" >&2; exit 1; }
	apt_private $suite update >&2
	tmp=$(mktemp -d)
	(cd "$tmp" && apt_private $suite download linux-libc-dev >&2)
	rm -rf "$dest.new"
	mkdir -p "$dest.new"
	dpkg-deb -x "$tmp"/linux-libc-dev_*.deb "$dest.new/root"
	mv "$dest.new/root/usr/include" "$dest.new/include"
	# arch-specific asm/ lives under the multiarch dir
	cp -a "$dest.new/include/x86_64-linux-gnu/asm" "$dest.new/include/asm"
	rm -rf "$dest.new/root" "$tmp" "$dest"
	mv "$dest.new" "$dest"
fi
echo "$dest/include"
