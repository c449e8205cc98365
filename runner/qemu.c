// SPDX-License-Identifier: MIT
/*
 * The QEMU command line of the VM lane and the QEMU process: TCG (no usable
 * KVM here), q35 with native PCIe hotplug, GPUs on root ports, optional
 * IOMMU, the Debian root and our files over 9p, every channel a unix
 * socket we listen on.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vm.h"

/*
 * Root port i is function i % 8 of slot 0x10 + i / 8 of pcie.0: the guest
 * finds its GPU's port there.
 */
void vm_port_bdf(int port, char *buf, size_t len)
{
	if (port < 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "0000:00:%02x.%d", 0x10 + port / 8, port % 8);
}

/* The guest kernel's command line: ours, then --append's words. */
void vm_guest_cmdline(const struct vm_opts *o, char *buf, size_t len)
{
	snprintf(buf, len, "console=ttyS0 quiet panic=-1%s%s%s%s%s",
		 o->keep_going_on_oops ? "" : " oops=panic",
		 o->iommu == VM_IOMMU_INTEL ? " intel_iommu=on iommu.strict=1" : "",
		 o->iommu == VM_IOMMU_VIRTIO ? " iommu.strict=1 hu.iommu=virtio" : "",
		 o->append && *o->append ? " " : "", o->append ? o->append : "");
}

#define ADD(...) do {							\
		if (n >= max - 1)					\
			return -E2BIG;					\
		if (asprintf(&argv[n++], __VA_ARGS__) < 0)		\
			return -ENOMEM;					\
	} while (0)

int vm_qemu_argv(const struct vm_opts *o, const struct vm_kernel *k,
		 const char *root, const char *ctl, const char *out,
		 const char *sockdir, char **argv, int max)
{
	const char *virtfs = "local,security_model=none,multidevs=remap";
	char cmdline[4096];
	int n = 0;

	ADD("%s", o->qemu);
	/*
	 * One host thread for both vCPUs by default: with a thread each, a
	 * vCPU ran a kernel text patch's int3 after the patch was done
	 * ("Oops: int3", hu_vm_textpoke: 3 of 3 runs within 500 tracepoint
	 * flips; single: none in 10000; docs/vm-lane.md).
	 */
	ADD("-accel"); ADD("tcg,thread=%s", o->tcg_multi ? "multi" : "single");
	ADD("-cpu"); ADD("max");
	ADD("-machine"); ADD("q35");
	ADD("-m"); ADD("%d", o->mem_mb);
	ADD("-smp"); ADD("2");
	ADD("-nodefaults"); ADD("-nographic"); ADD("-no-reboot");
	if (o->bios) {
		ADD("-bios"); ADD("%s", o->bios);
	}
	ADD("-monitor"); ADD("none");
	/* ttyS0: kernel console; ttyS1: igt_runner's output */
	ADD("-chardev"); ADD("socket,id=con,path=%s/con", sockdir);
	ADD("-serial"); ADD("chardev:con");
	ADD("-chardev"); ADD("socket,id=run,path=%s/run", sockdir);
	ADD("-serial"); ADD("chardev:run");
	ADD("-chardev"); ADD("socket,id=qmp,path=%s/qmp", sockdir);
	ADD("-mon"); ADD("chardev=qmp,mode=control");
	ADD("-kernel"); ADD("%s", k->vmlinuz);
	ADD("-initrd"); ADD("%s", k->initramfs);
	ADD("-append");
	vm_guest_cmdline(o, cmdline, sizeof(cmdline));
	ADD("%s", cmdline);
	/* native pciehp: ACPI hotplug would own the slots otherwise */
	ADD("-global"); ADD("ICH9-LPC.acpi-pci-hotplug-with-bridge-support=off");
	if (o->iommu == VM_IOMMU_INTEL) {
		ADD("-device"); ADD("intel-iommu");
	} else if (o->iommu == VM_IOMMU_VIRTIO) {
		ADD("-device"); ADD("virtio-iommu-pci");
	}
	/* the guest's request port for host-side unplugs (vmhost.c) */
	ADD("-device"); ADD("virtio-serial-pci,id=vser");
	ADD("-chardev"); ADD("socket,id=vmh,path=%s/vmh", sockdir);
	ADD("-device"); ADD("virtserialport,bus=vser.0,chardev=vmh,name=hu.vmhost");
	/*
	 * --shell's terminal: hvc0, a virtio console on the bus the request
	 * port already uses (a third ISA serial port, COM3, would share IRQ 4
	 * with the kernel console's COM1)
	 */
	if (o->shell) {
		ADD("-chardev"); ADD("socket,id=sh,path=%s/sh", sockdir);
		ADD("-device"); ADD("virtconsole,bus=vser.0,chardev=sh,name=hu.shell");
	}
	/* multi-function: 8 ports per slot, so many fit on pcie.0 */
	for (int i = 0; i < o->nports; i++) {
		ADD("-device");
		ADD("pcie-root-port,id=rp%d,bus=pcie.0,addr=0x%x.%d%s,chassis=%d,slot=%d",
		    i, 0x10 + i / 8, i % 8, i % 8 ? "" : ",multifunction=on",
		    i + 1, i + 1);
	}
	for (int i = 0; i < o->ngpus; i++) {
		char dev[512];

		/* its own bridge: device_del of it takes the GPU along */
		if (vm_gpu_on_bridge(&o->gpus[i])) {
			ADD("-device");
			ADD("pcie-pci-bridge,id=br%d,bus=rp%d", o->gpus[i].port,
			    o->gpus[i].port);
		}
		vm_gpu_device_arg(o, &o->gpus[i], dev, sizeof(dev));
		ADD("-device"); ADD("%s", dev);
	}
	ADD("-virtfs"); ADD("%s,path=%s,mount_tag=root,readonly=on", virtfs, root);
	ADD("-virtfs"); ADD("%s,path=%s,mount_tag=mods,readonly=on", virtfs, k->moddir);
	ADD("-virtfs"); ADD("%s,path=%s,mount_tag=ctl", virtfs, ctl);
	ADD("-virtfs"); ADD("%s,path=%s,mount_tag=out", virtfs, out);
	argv[n] = NULL;
	return n;
}

pid_t vm_qemu_spawn(char **argv, const char *logpath)
{
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	sigset_t none;

	/* blocked in the parent (signalfd): QEMU's SIGTERM must work */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* QEMU dies with us, whatever kills us */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	setpgid(0, 0);
	int fd = open(logpath, O_WRONLY | O_CREAT | O_APPEND, 0644);
	int nul = open("/dev/null", O_RDONLY);

	if (fd >= 0) {
		dup2(fd, 1);
		dup2(fd, 2);
	}
	if (nul >= 0)
		dup2(nul, 0);
	execvp(argv[0], argv);
	fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/* SIGTERM, then SIGKILL after grace_ms; returns the wait status or -1 */
int vm_qemu_stop(pid_t pid, int grace_ms)
{
	struct pollfd pfd = { .events = POLLIN };
	int status;

	if (pid <= 0)
		return -1;
	if (waitpid(pid, &status, WNOHANG) == pid)
		return status;
	kill(pid, SIGTERM);
	pfd.fd = syscall(SYS_pidfd_open, pid, 0);
	if (pfd.fd >= 0) {
		poll(&pfd, 1, grace_ms);
		close(pfd.fd);
	}
	if (waitpid(pid, &status, WNOHANG) == pid)
		return status;
	kill(pid, SIGKILL);
	return waitpid(pid, &status, 0) == pid ? status : -1;
}
