#!/bin/sh
# SPDX-License-Identifier: MIT
# apt_private SUITE ARGS...: apt-get against another Debian suite without
# touching the host's sources. The mirror is taken at run time from the
# host's own deb822 sources, never written into the repository.
# Sourced by the other ci/ and runner/ scripts.

HU_CACHE=${HU_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/hotunplug}

debian_mirror() {
	awk '/^URIs:/ && $2 !~ /security/ { print $2; exit }' \
		/etc/apt/sources.list.d/debian.sources 2>/dev/null
}

apt_private() {
	suite=$1; shift
	d=$HU_CACHE/apt/$suite
	mkdir -p "$d/lists/partial" "$d/archives/partial"
	mirror=$(debian_mirror)
	[ -n "$mirror" ] || { echo "apt_private: no mirror in /etc/apt/sources.list.d/debian.sources" >&2; return 1; }
	echo "deb $mirror $suite main" > "$d/sources.list"
	apt-get -q -o Dir::Etc::sourcelist="$d/sources.list" \
		-o Dir::Etc::sourceparts=- \
		-o Dir::State::lists="$d/lists" \
		-o Dir::Cache::archives="$d/archives" \
		-o APT::Get::List-Cleanup=0 "$@"
}
