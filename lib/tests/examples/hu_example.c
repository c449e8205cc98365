// SPDX-License-Identifier: MIT
/*
 * hu_example: one subtest per IGT outcome, for the harness's golden tests
 * and the igt_runner proof. Not installed. The last five subtests end the
 * process (two watchdog exits, three aborts), so they come last.
 */
#include <fcntl.h>
#include <pthread.h>
#include <regex.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "hu_core.h"

static long sleep_ms = 60 * 1000;
static bool exit_handlers;

static int opt_handler(int opt, const char *arg, void *data)
{
	char *end;

	switch (opt) {
	case 's':
		sleep_ms = strtol(arg, &end, 10);
		if (*end || sleep_ms < 0) {
			hu_warn("--sleep-ms: bad value '%s'\n", arg);
			return -1;
		}
		return 0;
	case 'e':
		exit_handlers = true;
		return 0;
	default:
		return -1;
	}
}

static const struct option long_opts[] = {
	{ "sleep-ms", required_argument, NULL, 's' },
	{ "exit-handlers", no_argument, NULL, 'e' },
	{ NULL, 0, NULL, 0 },
};

static struct hu_opts opts = {
	.short_opts = "s:",
	.long_opts = long_opts,
	.help = "  --sleep-ms N\thow long the timeout subtest sleeps (default 60000)\n"
		"  --exit-handlers\tinstall two exit handlers that print when they run\n",
	.handler = opt_handler,
};

/* Plain write(): exit handlers may run inside a signal handler. */
static void say(const char *s)
{
	ssize_t ret = write(STDOUT_FILENO, s, strlen(s));

	(void)ret;
}

static void first_handler(int sig)
{
	say(sig ? "exit handler 1 (signal)\n" : "exit handler 1\n");
}

static void second_handler(int sig)
{
	say(sig ? "exit handler 2 (signal)\n" : "exit handler 2\n");
}

static void *failing_thread(void *arg)
{
	int *fds = arg;

	hu_assert_f(fds[0] < 0, "asserted in a thread\n");
	return NULL;
}

/*
 * Recurses until the stack runs out (2^30 frames of 256+ bytes never fit);
 * the array defeats tail calls.
 */
static volatile int recurse_limit = 1 << 30;
static int __attribute__((noinline)) recurse(int depth)
{
	volatile char pad[256];

	if (depth >= recurse_limit)
		return 0;
	pad[0] = (char)depth;
	return recurse(depth + 1) + pad[0];
}

static void sleep_for_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts))
		;
}

HU_TEST_DESCRIPTION("Examples of every IGT outcome, for the harness's own tests.");

hu_main_args(&opts)
{
	int fds[2] = { -1, -1 };

	hu_fixture {
		hu_assert_eq(pipe(fds), 0);
		if (exit_handlers) {
			hu_install_exit_handler(first_handler);
			hu_install_exit_handler(second_handler);
		}
	}

	hu_describe("Real asserts that hold.");
	hu_subtest("pass") {
		char buf[4];

		/* Armed and disarmed: must not fire in a later subtest. */
		hu_set_timeout(1, "pass");
		hu_assert_eq(write(fds[1], "abc", 3), 3);
		hu_assert_eq(read(fds[0], buf, 3), 3);
		hu_assert(memcmp(buf, "abc", 3) == 0);
	}

	hu_describe("A requirement that does not hold.");
	hu_subtest("skip") {
		/* Fails with ENOENT, so the skip also shows "Last errno". */
		int fd = open("/nonexistent/hu_example", O_RDONLY);

		hu_require_f(fd >= 0, "example reason: %s\n", "no such file");
		close(fd);
	}

	hu_describe("A comparison that does not hold.");
	hu_subtest("fail") {
		hu_info("about to compare\n");
		hu_assert_eq(1 + 1, 3);
	}

	hu_describe("The subtest raises SIGSEGV.");
	hu_subtest("crash") {
		raise(SIGSEGV);
	}

	hu_describe("The subtest overflows its stack: reported as CRASH.");
	hu_subtest("crash-stack") {
		hu_assert_eq(recurse(0), 0);
	}

	hu_describe("Dynamic subtests: one passes, one skips, one fails.");
	hu_subtest_with_dynamic("dynamic") {
		hu_dynamic("dyn-pass")
			hu_assert_eq(getpid(), getpid());
		hu_dynamic("dyn-skip")
			hu_skip("dynamic example skip\n");
		hu_dynamic("dyn-fail")
			hu_assert_f(fds[0] < 0, "fd %d is open\n", fds[0]);
	}

	hu_describe("Sleeps (--sleep-ms, default 60 s): igt_runner's timeout must kill it.");
	hu_subtest("timeout") {
		sleep_for_ms(sleep_ms);
		hu_assert(sleep_ms >= 0);
	}

	hu_describe("hu_set_timeout(1) then blocks: the SIGALRM stage fails it.");
	hu_subtest("set-timeout") {
		char buf[1];

		hu_set_timeout(1, "blocking read");
		hu_assert_eq(read(fds[0], buf, 1), 1);	/* nothing to read */
	}

	hu_describe("Writes a <4> line to the kernel log and passes: dmesg-warn.");
	hu_subtest("dmesg-warn") {
		hu_require_f(access("/dev/kmsg", W_OK) == 0,
			     "/dev/kmsg is not writable\n");
		hu_kmsg(4, "WARNING test line\n");
	}

	hu_describe("Emits an ignore regex, then a <4> line it matches: igt_runner keeps it pass.");
	hu_subtest("dmesg-ignored") {
		const char *re_str = "expected noise [0-9]+";
		regex_t re;

		hu_assert_eq(regcomp(&re, re_str, REG_EXTENDED | REG_NOSUB), 0);
		regfree(&re);
		hu_emit_ignore_dmesg_regex(re_str);
		hu_kmsg(4, "expected noise %d\n", 42);
	}

	hu_describe("Writes a <4> line of platform noise: pass when HU_DMESG_IGNORE matches it, dmesg-warn otherwise.");
	hu_subtest("platform-noise") {
		hu_require_f(access("/dev/kmsg", W_OK) == 0,
			     "/dev/kmsg is not writable\n");
		hu_kmsg(4, "hu platform noise %d ns\n", 1234);
	}

	hu_describe("Children: one fails, so the subtest fails.");
	hu_subtest("fork-fail") {
		hu_fork(child, 2) {
			hu_assert_eq(child, 0);
		}
		hu_waitchildren(10);
	}

	hu_describe("A child hangs: hu_waitchildren(1) kills it and fails.");
	hu_subtest("fork-hang") {
		hu_fork(child, 1)
			sleep_for_ms(60 * 1000);
		hu_waitchildren(1);
	}

	hu_describe("A child crashes: the subtest fails.");
	hu_subtest("fork-crash") {
		hu_fork(child, 1)
			raise(SIGSEGV);
		hu_waitchildren(10);
	}

	hu_describe("An assert fails in another thread: the subtest fails at its end.");
	hu_subtest("thread-fail") {
		pthread_t t;

		hu_assert_eq(pthread_create(&t, NULL, failing_thread, fds), 0);
		hu_assert_eq(pthread_join(t, NULL), 0);
	}

	hu_describe("300 debug lines, then a failure: the dump keeps the last 256.");
	hu_subtest("log-ring") {
		for (int i = 0; i < 300; i++)
			hu_debug("log line %d\n", i);
		hu_assert_eq(fds[0], -1);
	}

	hu_describe("A dynamic subtest times out; the next one still runs.");
	hu_subtest_with_dynamic("dynamic-timeout") {
		hu_dynamic("dyn-block") {
			char buf[1];

			hu_set_timeout(1, "blocking read in a dynamic subtest");
			hu_assert_eq(read(fds[0], buf, 1), 1);
		}
		hu_dynamic("dyn-after")
			hu_assert_lte(0, fds[0]);
	}

	hu_describe("A group whose fixture skips.");
	hu_subtest_group {
		hu_fixture
			hu_require_f(fds[0] < 0, "group fixture skips\n");

		hu_subtest("fixture-skip")
			hu_assert(false);
	}

	hu_describe("hu_set_timeout(1) with SIGALRM blocked: the signal stage "
		    "cannot act, so the watchdog thread prints the FAIL line, "
		    "runs the exit handlers and exits with 98.");
	hu_subtest("set-timeout-blocked") {
		sigset_t set;
		char buf[1];

		sigemptyset(&set);
		sigaddset(&set, SIGALRM);
		hu_assert_eq(sigprocmask(SIG_BLOCK, &set, NULL), 0);
		hu_set_timeout(1, "read with SIGALRM blocked");
		hu_assert_eq(read(fds[0], buf, 1), 1);
	}

	hu_describe("hu_set_timeout(1) while the main thread waits in the kernel "
		    "(vfork parent, not interruptible by SIGALRM for 4 s): the "
		    "watchdog stage fails it.");
	hu_subtest("set-timeout-stuck") {
		pid_t pid;

		hu_set_timeout(1, "main thread stuck in vfork");
		pid = vfork();
		if (pid == 0) {
			/* Only syscalls here: the parent's memory is shared. */
			struct timespec ts = { 4, 0 };

			syscall(SYS_nanosleep, &ts, NULL);
			_exit(0);
		}
		hu_assert_lt(pid, 0);	/* not reached if vfork worked */
	}

	hu_describe("hu_abort: the run must stop (exit 112).");
	hu_subtest("abort") {
		hu_abort_on_f(fds[0] >= 0, "example abort, fd %d\n", fds[0]);
	}

	hu_describe("hu_abort_after_subtest: the subtest passes, then the run "
		    "must stop (exit 112).");
	hu_subtest("abort-after") {
		hu_abort_after_subtest("example: restored only by a reboot\n");
		hu_assert(fds[0] >= 0);
	}

	hu_describe("hu_abort_after_subtest, then an abort before the "
		    "subtest's end: the reason goes with that abort.");
	hu_subtest("abort-pending") {
		hu_abort_after_subtest("example: restored only by a reboot\n");
		hu_abort_on_f(fds[0] >= 0, "example: cannot restore\n");
	}

	hu_fixture {
		close(fds[0]);
		close(fds[1]);
	}
}
