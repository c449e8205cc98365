#!/bin/sh
# SPDX-License-Identifier: MIT
# PID 1 of the guest after switch_root (run from the control share; init
# mounted everything). Reads job.env written by hotunplug-vm, loads the GPU
# drivers, runs igt_runner (first boot) or igt_resume (after a crash) with
# its output on the second serial port, and powers off.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8
. /hu/ctl/job.env
echo "HU-VM: userspace $(cut -d' ' -f1 /proc/uptime)"
# One modprobe for all (each exec costs under TCG); "a|b": the first that
# exists (cirrus-qemu since 7.2, cirrus before). virtio_console: the
# host's request port (built in on some kernels).
mods=virtio_console
for m in $HU_MODULES; do
	case $m in
	*'|'*)
		for alt in $(echo "$m" | tr '|' ' '); do
			modprobe -n -q "$alt" && { mods="$mods $alt"; break; }
		done ;;
	*) mods="$mods $m" ;;
	esac
done
# -q: a built-in one is "not found" where modules.builtin is missing (sid)
modprobe -a -q $mods
echo "HU-VM: modules $(cut -d' ' -f1 /proc/uptime) $(ls /dev/dri 2>/dev/null | tr '\n' ' ')"
out=/dev/ttyS1
[ -c $out ] || out=/dev/console
rc=0
if [ "$HU_MODE" = resume ]; then
	echo "HU-VM: resume $(cut -d' ' -f1 /proc/uptime)"
	igt_resume $HU_RESUME_ARGS /hu/out > $out 2>&1
	rc=$?
elif [ "$HU_MODE" = run ]; then
	echo "HU-VM: run $(cut -d' ' -f1 /proc/uptime)"
	eval igt_runner $HU_RUNNER_ARGS /hu/ctl/tests /hu/out > $out 2>&1
	rc=$?
fi
echo "HU-VM: exited $(cut -d' ' -f1 /proc/uptime)"
if [ "${HU_SHELL:-0}" = 1 ] && [ -c /dev/hvc0 ]; then
	# --shell: an interactive shell on hvc0 (a virtio console the host
	# relays to the user's terminal), the test binaries on PATH, "dmesg -w"
	# one Up-arrow away
	tty=/dev/hvc0
	stty -F $tty sane rows "$HU_ROWS" cols "$HU_COLS" 2>/dev/null
	echo "dmesg -w" > /root/.bash_history
	echo "PS1='hu-vm:\w# '" > /root/.bashrc
	echo "HU-VM: shell $(cut -d' ' -f1 /proc/uptime)"
	{
		echo "hotunplug-vm shell, kernel $(uname -r), GPUs: $(ls /dev/dri | tr '\n' ' ')"
		echo "test binaries on PATH (/hu/ctl/tests), results in /hu/out;"
		echo "Up arrow: dmesg -w; exit or Ctrl-D powers the guest off"
	} > $tty
	TERM=$HU_TERM PATH=/hu/ctl/tests:$PATH IGT_TEST_ROOT=/hu/ctl/tests \
		setsid -c bash -i <> $tty > $tty 2>&1
	echo "HU-VM: shell exited $(cut -d' ' -f1 /proc/uptime)"
fi
sync
echo "HU-VM: done rc=$rc $(cut -d' ' -f1 /proc/uptime)"
# A driver whose shutdown blocks keeps the power-off below from ending:
# dump the blocked tasks to the console after 10 s (the host stops QEMU
# 30 s after "done" and keeps the console, hotunplug-vm's POWEROFF_S).
# (console loglevel 8 first: the task dumps are KERN_INFO, "quiet" hides them)
(sleep 10; echo "HU-VM: power-off stuck"; echo 8 > /proc/sys/kernel/printk
	echo w > /proc/sysrq-trigger) &
# PID 1 must not exit (that panics): reboot(2) POWER_OFF never returns;
# perl-base is essential in every Debian root
perl -e 'syscall(169, 0xfee1dead, 672274793, 0x4321fedc)'
echo o > /proc/sysrq-trigger
while :; do read -r _ < /dev/console; done
