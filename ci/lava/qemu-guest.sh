#!/bin/sh
# SPDX-License-Identifier: MIT
# PID 1 of the guest of ci/lava/job-qemu.yaml after the lane's initramfs
# switched to the Debian sid root (it runs /hu/ctl/guest.sh: this file,
# put there by ci/lava-proof.sh). Loads the GPU driver (hu.modules= on
# the kernel command line, comma-separated; default virtio_gpu), gives
# LAVA what its test shell expects of a booted board, then a root shell
# on the serial console with the prompt the job waits for.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8
read -r cmdline < /proc/cmdline
mods=virtio_gpu
for w in $cmdline; do
	case $w in hu.modules=*) mods=$(echo "${w#hu.modules=}" | tr ',' ' ') ;; esac
done
# LAVA's overlay comes on a virtio disk (guestfs, ext2) that its test
# shell mounts by /dev/disk/by-uuid/: no udev here, so make those links
# (the disk may show up a moment after its driver loads: 5 s at most).
modprobe -a -q $mods virtio_blk ext4
mkdir -p /dev/disk/by-uuid
i=0
while [ $i -lt 50 ] && ! ls /sys/block/vd* >/dev/null 2>&1; do
	sleep 0.1
	i=$((i + 1))
done
for b in /sys/block/vd*; do
	[ -e "$b" ] || continue
	dev=/dev/${b##*/}
	uuid=$(blkid -s UUID -o value "$dev") && [ -n "$uuid" ] &&
		ln -sf "$dev" "/dev/disk/by-uuid/$uuid"
done
echo "HU-VM: lava shell $(cut -d' ' -f1 /proc/uptime), /dev/dri: $(ls /dev/dri 2>/dev/null | tr '\n' ' ')"
# PID 1 must not exit: a new shell whenever one ends
while :; do
	setsid -c env PS1='hu-lava# ' /bin/bash --norc --noprofile -i \
		< /dev/ttyS0 > /dev/ttyS0 2>&1
done
