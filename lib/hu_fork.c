// SPDX-License-Identifier: MIT
/*
 * hu_fork()/hu_waitchildren(): children that run part of a subtest. Their
 * failures and crashes fail the subtest; waiting is bounded with pidfds
 * and stragglers are killed, so a stuck child never hangs the run.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hu_core_priv.h"

#define MAX_CHILDREN 256

static pid_t children[MAX_CHILDREN];
static int n_children;

static void children_exit_handler(int sig)
{
	/* May run in a signal handler: kill and reap, nothing else. */
	for (int i = 0; i < n_children; i++) {
		if (children[i] > 0) {
			kill(children[i], SIGKILL);
			waitpid(children[i], NULL, 0);
			children[i] = 0;
		}
	}
	n_children = 0;
}

void __hu_kill_children_nowait(void)
{
	/* From the watchdog thread: no waiting, the process exits next. */
	for (int i = 0; i < n_children; i++)
		if (children[i] > 0)
			kill(children[i], SIGKILL);
}

void __hu_kill_children(void)
{
	if (hu_is_child())
		return;
	children_exit_handler(0);
}

bool __hu_fork(void)
{
	pid_t pid;

	if (hu_is_child()) {
		fprintf(stderr, "hu_core: hu_fork cannot be nested\n");
		abort();
	}
	if (n_children >= MAX_CHILDREN)
		hu_assert_f(n_children < MAX_CHILDREN, "too many children\n");
	hu_install_exit_handler(children_exit_handler);

	/* Otherwise the child would print the parent's buffered lines. */
	fflush(NULL);
	pid = fork();
	hu_assert_f(pid >= 0, "fork failed\n");
	if (pid == 0) {
		__hu_mark_child();
		__hu_log_after_fork();
		__hu_exit_handlers_reset();
		n_children = 0;
		return true;
	}
	children[n_children++] = pid;
	return false;
}

static int pidfd_open(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

/* Waits up to @ms for @pid to exit; -1 on timeout. Bounded either way. */
static int wait_one(pid_t pid, long ms, int *status)
{
	int fd = pidfd_open(pid);

	if (fd >= 0) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int ret;

		do {
			ret = poll(&pfd, 1, (int)ms);
		} while (ret < 0 && errno == EINTR);
		close(fd);
		if (ret == 0)
			return -1;
		return waitpid(pid, status, 0) == pid ? 0 : -1;
	}
	/* Kernels without pidfd (< 5.3): poll the child, 10 ms steps. */
	for (long waited = 0;; waited += 10) {
		pid_t r = waitpid(pid, status, WNOHANG);

		if (r == pid)
			return 0;
		if (r < 0 && errno == ECHILD) {
			/* Reaped behind our back: its status is lost. */
			hu_debug("child %d was already reaped\n", (int)pid);
			*status = 0;
			return 0;
		}
		if (r < 0 || waited >= ms)
			return -1;
		usleep(10 * 1000);
	}
}

int __hu_waitchildren(unsigned int timeout_s)
{
	struct timespec start;
	int err = 0;

	__hu_now(&start);
	for (int i = 0; i < n_children; i++) {
		long left = (long)timeout_s * 1000 - (long)(__hu_elapsed(&start) * 1000);
		int status = 0;

		if (left < 0)
			left = 0;
		if (wait_one(children[i], left, &status)) {
			hu_info("Timed out waiting for children (%us)\n", timeout_s);
			if (!err)
				err = HU_EXIT_FAILURE;
			break;
		}
		children[i] = 0;
		if (status == 0 || err)
			continue;
		if (WIFEXITED(status)) {
			hu_info("child %d failed with exit status %d\n", i,
				WEXITSTATUS(status));
			err = WEXITSTATUS(status);
		} else if (WIFSIGNALED(status)) {
			hu_info("child %d died with signal %d, %s\n", i,
				WTERMSIG(status), strsignal(WTERMSIG(status)));
			err = 128 + WTERMSIG(status);
		} else {
			err = HU_EXIT_FAILURE;
		}
		/* One bad child is enough: don't wait for the others. */
		children_exit_handler(0);
		break;
	}
	children_exit_handler(0);
	return err;
}

void hu_waitchildren(unsigned int timeout_s)
{
	int err = __hu_waitchildren(timeout_s);

	if (err)
		hu_fail(err);
}
