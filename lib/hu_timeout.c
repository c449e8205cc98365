// SPDX-License-Identifier: MIT
/*
 * hu_set_timeout(): a watchdog thread waits for the deadline, then
 *  1. sends SIGALRM to the main thread, whose handler fails the subtest
 *     (works wherever the main thread is interruptible);
 *  2. if the subtest has not ended GRACE_S later (main thread stuck in the
 *     kernel, or SIGALRM blocked), prints the FAIL line itself with plain
 *     write()s, writes the kmsg markers, runs the exit handlers (they
 *     restore the machine) under a SIGKILL timer of HANDLERS_S, and
 *     _exit()s.
 * The main thread holds the lock only with SIGALRM blocked, and the
 * watchdog never waits for anything the main thread holds.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hu_core_priv.h"

#define GRACE_S 2
#define HANDLERS_S 20

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond;
static pthread_t main_tid, watchdog;
static bool started;
static bool armed;
static unsigned long gen;
static enum hu_level armed_level;
static struct timespec deadline;
static char op[128];
static volatile sig_atomic_t pending;

static void alarm_handler(int sig)
{
	if (!pending)
		return;		/* stale: the subtest already ended */
	pending = 0;
	if (op[0])
		hu_info("Timed out: %s\n", op);
	else
		hu_info("Timed out\n");
	hu_fail(HU_EXIT_FAILURE);
}

void __hu_timeout_init(void)
{
	struct sigaction sa;
	pthread_condattr_t attr;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = alarm_handler;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);

	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&cond, &attr);
	pthread_condattr_destroy(&attr);
	main_tid = pthread_self();
}

static void out(int fd, const char *s)
{
	ssize_t ret = write(fd, s, strlen(s));

	(void)ret;
}

/*
 * Exit handlers may block on whatever stuck the main thread: a timer
 * delivers SIGKILL if they take longer than HANDLERS_S.
 */
static void run_exit_handlers_bounded(void)
{
	struct sigevent sev = {
		.sigev_notify = SIGEV_SIGNAL,
		.sigev_signo = SIGKILL,
	};
	struct itimerspec its = { .it_value = { .tv_sec = HANDLERS_S } };
	timer_t t;

	if (timer_create(CLOCK_MONOTONIC, &sev, &t) ||
	    timer_settime(t, 0, &its, NULL)) {
		out(STDERR_FILENO, "watchdog: no SIGKILL timer, exit handlers skipped\n");
		return;
	}
	__hu_call_exit_handlers(SIGALRM);
}

/* Stage 2: no stdio, no locks the main thread may hold. */
__attribute__((noreturn)) static void watchdog_exit(void)
{
	struct timespec start;
	bool dyn;
	const char *name = __hu_current_name(&dyn, &start);
	char line[512];

	snprintf(line, sizeof(line), "Timed out: %s\n", op[0] ? op : "(no op)");
	out(STDOUT_FILENO, line);
	snprintf(line, sizeof(line),
		 "(%s:%d) CRITICAL: Timeout: the main thread did not react to SIGALRM within %ds, exiting from the watchdog\n",
		 __hu_name, (int)getpid(), GRACE_S);
	out(STDERR_FILENO, line);
	if (name) {
		__hu_format_result(line, sizeof(line), dyn, name, "FAIL",
				   __hu_elapsed(&start), !__hu_plain_output);
		out(STDOUT_FILENO, line);
		if (__hu_sentinel) {
			__hu_format_result(line, sizeof(line), dyn, name, "FAIL",
					   __hu_elapsed(&start), false);
			out(STDERR_FILENO, line);
		}
		snprintf(line, sizeof(line), "<6>[IGT] %s: finished %s %s, FAIL\n",
			 __hu_name, dyn ? "dynamic subtest" : "subtest", name);
		__hu_kmsg_raw(line);
		if (dyn) {
			const char *parent = hu_subtest_name();
			struct timespec pstart;

			__hu_subtest_start(&pstart);
			if (parent) {
				__hu_format_result(line, sizeof(line), false,
						   parent, "FAIL",
						   __hu_elapsed(&pstart),
						   !__hu_plain_output);
				out(STDOUT_FILENO, line);
			}
		}
	} else if (!hu_in_subtest()) {
		snprintf(line, sizeof(line), "FAIL (%.3fs)\n", __hu_elapsed(&start));
		out(STDOUT_FILENO, line);
	}
	__hu_kill_children_nowait();
	run_exit_handlers_bounded();
	snprintf(line, sizeof(line), "<6>[IGT] %s: exiting, ret=%d\n",
		 __hu_name, HU_EXIT_FAILURE);
	__hu_kmsg_raw(line);
	_exit(HU_EXIT_FAILURE);
}

static bool before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec ||
	       (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

static void *watchdog_fn(void *arg)
{
	pthread_mutex_lock(&lock);
	for (;;) {
		struct timespec now, grace;
		unsigned long g;

		while (!armed)
			pthread_cond_wait(&cond, &lock);
		pthread_cond_timedwait(&cond, &lock, &deadline);
		__hu_now(&now);
		if (!armed || before(&now, &deadline))
			continue;

		g = gen;
		pending = 1;
		pthread_kill(main_tid, SIGALRM);
		grace = now;
		grace.tv_sec += GRACE_S;
		while (armed && gen == g && before(&now, &grace)) {
			pthread_cond_timedwait(&cond, &lock, &grace);
			__hu_now(&now);
		}
		if (armed && gen == g)
			watchdog_exit();
	}
	return NULL;
}

static void set_locked(unsigned int seconds, const char *what)
{
	gen++;
	armed = seconds > 0;
	pending = 0;
	if (armed) {
		__hu_now(&deadline);
		deadline.tv_sec += seconds;
		armed_level = __hu_level();
		snprintf(op, sizeof(op), "%s", what ? what : "");
	}
	pthread_cond_broadcast(&cond);
}

void hu_set_timeout(unsigned int seconds, const char *what)
{
	sigset_t all, old;

	if (hu_is_child())
		return;		/* the watchdog thread lives in the parent */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	pthread_mutex_lock(&lock);
	if (!started && seconds) {
		/* Created with every signal blocked: it inherits the mask. */
		if (pthread_create(&watchdog, NULL, watchdog_fn, NULL) == 0) {
			pthread_detach(watchdog);
			started = true;
		}
	}
	set_locked(seconds, what);
	pthread_mutex_unlock(&lock);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

void __hu_timeout_leave(enum hu_level level)
{
	sigset_t all, old;

	if (!started || hu_is_child())
		return;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	pthread_mutex_lock(&lock);
	if (armed && armed_level >= level)
		set_locked(0, NULL);
	pthread_mutex_unlock(&lock);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}
