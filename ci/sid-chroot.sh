#!/bin/bash
# SPDX-License-Identifier: MIT
# ci/sid-chroot.sh [--user USER] CMD [ARGS...]: runs CMD in the sid root
# (ci/sidroot.sh) with /proc, /sys and /dev (incl. /dev/pts, /dev/kmsg)
# mounted, as root or as USER.
#
# The mounts are made in a private mount namespace (unshare), so they are
# never visible outside it and vanish with the last process in it, even on
# SIGKILL: the root on disk never has proc/sys/dev mounted (it can be
# exported over 9p while a chroot runs). /proc/sysrq-trigger is masked.
# The environment is reset; pass variables as `env VAR=value CMD`.
set -eu

if [ "${1:-}" = --inner ]; then
	root=$2 user=$3
	shift 3
	mount -t proc proc "$root/proc"
	mount --rbind /sys "$root/sys"
	mount --rbind /dev "$root/dev"
	# igt_runner's timeout path writes sysrq G, t, m: not on the host.
	if [ -e "$root/proc/sysrq-trigger" ]; then
		mount --bind /dev/null "$root/proc/sysrq-trigger"
	fi
	spec=()
	[ -n "$user" ] && spec=(--userspec="$user:$(chroot "$root" id -gn "$user")")
	exec env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LANG=C.UTF-8 ${CI:+CI=$CI} \
		chroot "${spec[@]}" "$root" "$@"
fi

user=
if [ "${1:-}" = --user ]; then
	user=$2
	shift 2
fi
[ $# -gt 0 ] || { echo "usage: $0 [--user USER] CMD [ARGS...]" >&2; exit 2; }
root=$("$(dirname "$0")/sidroot.sh" --offline)
exec unshare --mount --propagation private -- "$0" --inner "$root" "$user" "$@"
