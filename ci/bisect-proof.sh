#!/bin/bash
# SPDX-License-Identifier: MIT
# ci/bisect-proof.sh [--history-only | OPTIONS]: runner/hotunplug-bisect on a real
# kernel build. Opt-in (not part of ci/test.sh): the first kernel build
# takes 30-60 min on 2 cores. After ci/setup.sh.
#  1. Debian's linux-source of trixie (the package runner/debug-kernel.sh
#     downloads, from its cache when there), unpacked once into
#     $HU_CACHE/bisect-proof/linux and made a git repository (tag
#     hu-proof-base: the release as Debian ships it);
#  2. seven commits on top, fixed authors and dates (the same ids on every
#     machine for the same package), exactly one of which breaks
#     virtio-gpu's removal: drm_dev_unregister() instead of
#     drm_dev_unplug(), so held fds keep working after a PCI remove;
#  3. the bad input checks on that tree (a fragment option the tree lacks);
#  4. runner/hotunplug-bisect from hu-proof-base (good) to the branch
#     hu-proof (bad) on igt@drm_hotunplug@remove-fd-lateclose, virtio-gpu,
#     and checks that it names the injected commit.
# OPTIONS go to hotunplug-bisect (e.g. --no-verify: two VM runs fewer).
# Output in $HU_CACHE/bisect-proof/out/. Exits 0 when the bisect found it.
# HU_VM_LOCK=FILE: VM runs under flock FILE (a machine shared by several
# users); HU_BISECT_JOBS: make -j (2).
set -u
. "$(dirname "$0")/common.sh"

SUITE=trixie
DIR=$HU_CACHE/bisect-proof
TREE=$DIR/linux
OUT=$DIR/out
ROW=igt@drm_hotunplug@remove-fd-lateclose
BISECT=$HU_REPO/runner/hotunplug-bisect
say() { echo "[bisect-proof] $*"; }
die() { say "FAILED: $*"; exit 1; }

# 1. the source, as runner/debug-kernel.sh caches it
source_deb() {
	local q="-o APT::Sandbox::User=root" tmp dep pkg pver deb
	apt_private "$SUITE" $q update >/dev/null || return 1
	tmp=$(mktemp -d) || return 1
	(cd "$tmp" && apt_private "$SUITE" $q download linux-source >/dev/null) ||
		{ rm -rf "$tmp"; return 1; }
	dep=$(dpkg-deb -f "$tmp"/linux-source_*.deb Depends |
		sed -n 's/.*\(linux-source-[0-9.]*\) *(= *\([^)]*\)).*/\1 \2/p')
	pkg=${dep% *} pver=${dep#* }
	deb=$HU_CACHE/debug-kernel/src/${pkg}_$pver.deb
	if [ ! -e "$deb" ]; then
		mkdir -p "$(dirname "$deb")"
		(cd "$tmp" && apt_private "$SUITE" $q download "$pkg=$pver" >/dev/null) ||
			{ rm -rf "$tmp"; return 1; }
		mv "$tmp"/${pkg}_*.deb "$deb"
	fi
	rm -rf "$tmp"
	echo "$deb"
}

# the same ids everywhere: fixed identities and dates
gcommit() {
	local date=$1
	shift
	GIT_AUTHOR_DATE=$date GIT_COMMITTER_DATE=$date \
		git -C "$TREE" -c user.name="$NAME" -c user.email="$MAIL" \
		commit -q -a "$@"
}

make_tree() {
	local deb tmp b pver
	deb=$(source_deb) || die "cannot get the linux-source package of $SUITE"
	say "unpacking $(basename "$deb") into $TREE"
	rm -rf "$TREE"
	tmp=$(mktemp -d "$DIR/.tmp.XXXXXX") || return 1
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" --wildcards '*usr/src/linux-source-*.tar.*' &&
		tar -x -C "$tmp" -f "$tmp"/usr/src/linux-source-*.tar.* &&
		mv "$tmp"/linux-source-* "$TREE" || { rm -rf "$tmp"; die "unpacking failed"; }
	rm -rf "$tmp"
	# Debian's top-level .gitignore ignores everything of the upstream tree
	sed -i '/^# Debian packaging: ignore everything/,/^!\/debian\/$/d' "$TREE/.gitignore"
	git -C "$TREE" init -q -b master &&
		git -C "$TREE" add -f -A . || die "git init failed"
	b=$(basename "$deb" .deb)
	pver=${b#*_}
	NAME="Debian kernel" MAIL="debian-kernel@lists.debian.org" \
		gcommit 2025-11-20T10:00:00Z -m "Linux ${pver%-*} (Debian ${b%_*} $pver)" ||
		die "first commit failed"
	git -C "$TREE" tag hu-proof-base
}

# edit FILE PERL-EXPR CHECK-REGEX: an edit that must have applied
edit() {
	perl -0pi -e "$2" "$TREE/$1" && grep -qE "$3" "$TREE/$1" ||
		die "the edit of $1 did not apply (another linux-source version?)"
}

# change WHO DATE FILE PERL-EXPR CHECK-REGEX SUBJECT [BODY]: one commit
change() {
	local who=$1 date=$2 msg=(-m "$6")
	edit "$3" "$4" "$5"
	[ $# -ge 7 ] && msg+=(-m "$7")
	NAME=${who% <*} MAIL=${who#*<} MAIL=${MAIL%>} \
		gcommit "$date" "${msg[@]}" -m "Signed-off-by: $who" || die "commit failed"
}

# 2. the history: harmless changes around one real regression (the 4th)
make_history() {
	local ada="Ada Lind <ada.lind@example.org>" bo="Bo Chen <bo.chen@example.org>"

	git -C "$TREE" checkout -q -B hu-proof hu-proof-base &&
		git -C "$TREE" reset -q --hard hu-proof-base || die "cannot reset $TREE"
	change "$ada" 2025-11-21T09:12:00Z drivers/gpu/drm/virtio/virtgpu_vq.c \
		's/this assumes a vbuf contains a command that starts with a/every vbuf holds a command that starts with a/' \
		'every vbuf holds a command' \
		"drm/virtio: reword the comment on vbuf command headers" \
		"The comment reads as if the layout were an assumption; it is the
protocol: both the control and the cursor queues carry commands that
start with a virtio_gpu_ctrl_hdr."
	change "$bo" 2025-11-22T14:40:00Z drivers/gpu/drm/vgem/vgem_fence.c \
		's/#define VGEM_FENCE_TIMEOUT \(10\*HZ\)/#define VGEM_FENCE_TIMEOUT_MS 10000/; s/jiffies \+ VGEM_FENCE_TIMEOUT\)/jiffies + msecs_to_jiffies(VGEM_FENCE_TIMEOUT_MS))/' \
		'msecs_to_jiffies\(VGEM_FENCE_TIMEOUT_MS\)' \
		"drm/vgem: give the fence timeout in milliseconds" \
		"A timeout in jiffies reads differently on every HZ; say what it is.
No functional change."
	change "$ada" 2025-11-24T08:03:00Z Documentation/gpu/drm-uapi.rst \
		's/expects that the very least the machine does not crash/expects that at the very least the machine does not crash/' \
		'expects that at the very least' \
		"Documentation/gpu: fix a missing word in the hot-unplug section"
	# the regression: the device is never marked unplugged, so
	# drm_dev_enter() keeps succeeding on the fds userspace still holds
	change "Cai Moreau <cai.moreau@example.org>" 2025-11-25T16:27:00Z \
		drivers/gpu/drm/virtio/virtgpu_drv.c \
		's/(static void virtio_gpu_remove\(struct virtio_device \*vdev\)\n\{\n\tstruct drm_device \*dev = vdev->priv;\n\n)\tdrm_dev_unplug\(dev\);/$1\tdrm_dev_unregister(dev);/' \
		'^	drm_dev_unregister\(dev\);' \
		"drm/virtio: let the atomic shutdown finish on removal" \
		"drm_dev_unplug() in virtio_gpu_remove() makes every drm_dev_enter()
of the shutdown that follows fail, so the final modeset of
drm_atomic_helper_shutdown() is cut short and the scanout is left
pointing at resources that are about to go. Unregister the device
instead: userspace loses the nodes, and the shutdown still runs."
	change "$bo" 2025-11-26T11:55:00Z drivers/gpu/drm/tiny/bochs.c \
		's/MODULE_PARM_DESC\(defy, "default y resolution"\);/MODULE_PARM_DESC(defy, "default y resolution (pixels)");/; s/MODULE_PARM_DESC\(defx, "default x resolution"\);/MODULE_PARM_DESC(defx, "default x resolution (pixels)");/' \
		'default y resolution \(pixels\)' \
		"drm/bochs: say the unit of defx and defy"
	change "Dee Okafor <dee.okafor@example.org>" 2025-11-27T10:18:00Z \
		drivers/gpu/drm/qxl/qxl_drv.c \
		's|\t/\* Complete initialization. \*/\n\tret = drm_dev_register|\t/* Complete initialization: userspace may open the device now. */\n\tret = drm_dev_register|' \
		'userspace may open the device now' \
		"drm/qxl: say what registering the device means"
	change "$ada" 2025-11-28T13:31:00Z drivers/gpu/drm/virtio/virtgpu_vq.c \
		's|/\* Create sg_table from a vmalloc.d buffer. \*/|/* Create an sg_table from a vmalloc()ed buffer, one entry per page. */|' \
		'one entry per page' \
		"drm/virtio: document vmalloc_to_sgt()"
}

mkdir -p "$DIR" "$OUT" || exit 1
if ! git -C "$TREE" rev-parse -q --verify hu-proof-base >/dev/null 2>&1; then
	make_tree
fi
make_history
bad=$(git -C "$TREE" log --format=%H -1 --grep='^drm/virtio: let the atomic shutdown finish on removal$' hu-proof)
[ -n "$bad" ] || die "the injected commit is not in the history"
say "history: $(git -C "$TREE" rev-list --count hu-proof-base..hu-proof) commits on hu-proof-base, injected: $bad"
git -C "$TREE" log --format='  %h %s' hu-proof-base..hu-proof
[ "${1:-}" = --history-only ] && exit 0

# 3. the config check names what the tree cannot give
frag=$OUT/no-such.config
echo "CONFIG_DRM_HU_NO_SUCH_DRIVER=m" > "$frag"
out=$(HU_BISECT_FRAGMENT=$frag "$BISECT" --tree "$TREE" --good hu-proof-base \
	--bad hu-proof "$ROW" 2>&1)
rc=$?
echo "$out" | tail -n 3
[ $rc -ne 0 ] && grep -q 'CONFIG_DRM_HU_NO_SUCH_DRIVER' <<< "$out" ||
	die "a missing option was not named (exit $rc)"
say "a fragment option the tree lacks: exit $rc, named"

# 4. the bisect. One run per step: the row's known flake (F1 in
# virtio_gpu-sid-flakes.txt) needs fbdev emulation, off here.
t0=$(hu_now)
"$BISECT" --tree "$TREE" --good hu-proof-base --bad hu-proof \
	--gpu virtio-gpu --append drm_kms_helper.fbdev_emulation=0 --repeat 1 \
	--work "$OUT/run" ${HU_VM_LOCK:+--vm-lock "$HU_VM_LOCK"} "$@" "$ROW" 2>&1 |
	tee "$OUT/bisect.out"
rc=${PIPESTATUS[0]}
say "hotunplug-bisect exited $rc after $(hu_since "$t0") s"
found=$(sed -n 's/^\[bisect\] first bad commit: \([0-9a-f]*\).*/\1/p' "$OUT/bisect.out")
[ $rc -eq 0 ] && [ -n "$found" ] || die "no first bad commit"
[ "$(git -C "$TREE" rev-parse "$found")" = "$bad" ] ||
	die "named $found, the injected commit is $bad"
say "ok: named the injected commit $bad"
