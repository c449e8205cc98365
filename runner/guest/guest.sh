#!/bin/sh
# SPDX-License-Identifier: MIT
# PID 1 of the guest after switch_root (run from the control share). Reads
# job.env written by hotunplug-vm, prepares the system the way igt_runner
# expects it, runs igt_runner (first boot) or igt_resume (after a crash) with
# its output on the second serial port, and powers off.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t tmpfs -o mode=0755 tmpfs /run
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
# Mounted before any test: else the first debugfs access logs a <4>
# "Automounting of tracing to debugfs is deprecated" line (dmesg-warn).
mount -t tracefs tracefs /sys/kernel/tracing
mount -t debugfs debugfs /sys/kernel/debug
mount -t configfs configfs /sys/kernel/config 2>/dev/null
. /hu/ctl/job.env
echo "HU-VM: userspace $(cut -d' ' -f1 /proc/uptime)"
for m in $HU_MODULES; do
	modprobe "$m" || echo "HU-VM: modprobe $m failed"
done
# the host's request channel (virtio-serial) if the host offered one
modprobe virtio_console 2>/dev/null
echo "HU-VM: modules $(cut -d' ' -f1 /proc/uptime) $(ls /dev/dri 2>/dev/null | tr '\n' ' ')"
out=/dev/ttyS1
[ -c $out ] || out=/dev/console
if [ "$HU_MODE" = resume ]; then
	echo "HU-VM: resume $(cut -d' ' -f1 /proc/uptime)"
	igt_resume $HU_RESUME_ARGS /hu/out > $out 2>&1
else
	echo "HU-VM: run $(cut -d' ' -f1 /proc/uptime)"
	eval igt_runner $HU_RUNNER_ARGS /hu/ctl/tests /hu/out > $out 2>&1
fi
rc=$?
sync
echo "HU-VM: done rc=$rc $(cut -d' ' -f1 /proc/uptime)"
echo o > /proc/sysrq-trigger
sleep 30
