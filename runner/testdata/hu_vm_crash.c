// SPDX-License-Identifier: MIT
/*
 * Guest-only: crashes (or stalls) the guest on purpose, to prove that the VM
 * lane turns a panic or a hang into an incomplete test with the console
 * splat attached, boots again and resumes with the next test.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "hu_core.h"
#include "vm_guest.h"

HU_TEST_DESCRIPTION("VM lane self-test: a kernel panic mid-run.");

hu_main
{
	hu_describe("Crashes the kernel with sysrq-c: the run must record "
		    "incomplete with the splat and go on.");
	hu_subtest("sysrq-panic") {
		int fd;

		vm_require_guest();
		fd = open("/proc/sysrq-trigger", O_WRONLY | O_CLOEXEC);
		hu_assert(fd >= 0);
		sync();
		hu_assert_eq(write(fd, "c", 1), 1);
		/* only reached if the kernel survived */
		hu_assert_f(0, "the kernel survived sysrq-c");
	}

	hu_describe("Stops igt_runner (SIGSTOP) and waits: no output any more, "
		    "the host's watchdog must end the boot and resume.");
	hu_subtest("runner-stall") {
		vm_require_guest();
		hu_assert_eq(kill(getppid(), SIGSTOP), 0);
		/* bounded: the host kills the VM long before */
		sleep(900);
		kill(getppid(), SIGCONT);
		hu_assert_f(0, "the host did not stop the stalled guest");
	}

	hu_describe("Runs after the crash: must be on a fresh, untainted kernel.");
	hu_subtest("fresh-kernel") {
		unsigned long taint = ~0ul;
		FILE *f;

		vm_require_guest();
		f = fopen("/proc/sys/kernel/tainted", "r");
		hu_assert(f);
		hu_assert_eq(fscanf(f, "%lu", &taint), 1);
		fclose(f);
		hu_assert_eq(taint, 0);
	}
}
