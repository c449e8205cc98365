// SPDX-License-Identifier: MIT
/*
 * Exit handlers and fatal signals. Handlers run once, in reverse order of
 * installation, at exit() and on SIGINT/HUP/PIPE/TERM/QUIT and crash signals
 * (after which the signal is re-raised with its default action). A crash
 * inside a subtest is reported as CRASH and the run goes on, as in IGT.
 */
#include <execinfo.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hu_core_priv.h"

#define MAX_EXIT_HANDLERS 32

static hu_exit_handler_t handlers[MAX_EXIT_HANDLERS];
static volatile int n_handlers;
static volatile sig_atomic_t in_handlers;

static const struct {
	int sig;
	const char *name;	/* NULL: quiet */
	bool crash;
} fatal[] = {
	{ SIGINT, NULL, false },
	{ SIGHUP, NULL, false },
	{ SIGPIPE, NULL, false },
	{ SIGTERM, NULL, false },
	{ SIGQUIT, "SIGQUIT", false },	/* igt_runner's timeout */
	{ SIGABRT, "SIGABRT", true },
	{ SIGSEGV, "SIGSEGV", true },
	{ SIGBUS, "SIGBUS", true },
	{ SIGFPE, "SIGFPE", true },
	{ SIGILL, "SIGILL", true },
};
#define N_FATAL (sizeof(fatal) / sizeof(fatal[0]))

bool __hu_in_exit_handler(void)
{
	return in_handlers;
}

void __hu_call_exit_handlers(int sig)
{
	int n = n_handlers;

	/* Each handler runs once even if another signal comes in. */
	n_handlers = 0;
	in_handlers = 1;
	for (int i = n - 1; i >= 0; i--)
		handlers[i](sig);
	in_handlers = 0;
}

void __hu_exit_handlers_reset(void)
{
	n_handlers = 0;
}

void hu_install_exit_handler(hu_exit_handler_t fn)
{
	for (int i = 0; i < n_handlers; i++)
		if (handlers[i] == fn)
			return;
	if (n_handlers >= MAX_EXIT_HANDLERS) {
		fprintf(stderr, "hu_core: too many exit handlers\n");
		abort();
	}
	handlers[n_handlers] = fn;
	n_handlers = n_handlers + 1;
}

static void write_str(const char *s)
{
	ssize_t ret = write(STDERR_FILENO, s, strlen(s));

	(void)ret;
}

/* glibc's backtrace_symbols_fd does not allocate: fine in a handler. */
static void print_backtrace(void)
{
	void *frames[32];
	int n = backtrace(frames, 32);

	write_str("Stack trace:\n");
	for (int i = 1; i < n; i++) {
		char idx[16];

		snprintf(idx, sizeof(idx), " #%d ", i - 1);
		write_str(idx);
		backtrace_symbols_fd(&frames[i], 1, STDERR_FILENO);
	}
}

static void restore_defaults(void)
{
	for (size_t i = 0; i < N_FATAL; i++)
		signal(fatal[i].sig, SIG_DFL);
}

static void fatal_handler(int sig)
{
	for (size_t i = 0; i < N_FATAL; i++) {
		if (fatal[i].sig != sig)
			continue;
		/*
		 * No stdio flush here: the signal may have interrupted a
		 * flush of stdout, which would then print its line twice.
		 * stdout is line buffered, so nothing whole is lost.
		 */
		if (fatal[i].name) {
			write_str("Received signal ");
			write_str(fatal[i].name);
			write_str(".\n");
			print_backtrace();
		}
		/* Jumps back into the run if a subtest crashed. */
		if (fatal[i].crash)
			__hu_crash(sig);
		break;
	}
	restore_defaults();
	__hu_call_exit_handlers(sig);
	syscall(SYS_tgkill, getpid(), (pid_t)syscall(SYS_gettid), sig);
	/* Blocked? Then the default action happens on return. */
}

static void atexit_handler(void)
{
	restore_defaults();
	__hu_call_exit_handlers(0);
}

void __hu_signals_init(void)
{
	/* A stack overflow's SIGSEGV needs a stack to be reported on. */
	static char altstack[64 * 1024];
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack) };
	struct sigaction sa;
	void *dummy[1];

	/* Loads libgcc's unwinder now, not inside a signal handler. */
	backtrace(dummy, 1);
	sigaltstack(&ss, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fatal_handler;
	sa.sa_flags = SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < N_FATAL; i++)
		sigaction(fatal[i].sig, &sa, NULL);
	atexit(atexit_handler);
}
