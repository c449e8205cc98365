// SPDX-License-Identifier: MIT
/*
 * Logging: info and debug on stdout, warnings and criticals on stderr, every
 * line (printed or not) kept in a ring of the last 256 that is dumped to
 * stderr when a (dynamic) subtest fails, so the runner's err has context.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hu_core_priv.h"

#define RING_SIZE 256

static struct {
	char *line[RING_SIZE];
	unsigned int start, count;
} ring;
/*
 * Recursive: a failing subtest's signal handler (timeout, crash) logs from
 * the main thread, possibly while that thread was inside hu_log.
 */
static pthread_mutex_t ring_lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
static pthread_mutex_t print_lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
static enum hu_log_level log_level = HU_LOG_INFO;

static const char *const level_name[] = {
	[HU_LOG_DEBUG] = "DEBUG",
	[HU_LOG_INFO] = "INFO",
	[HU_LOG_WARN] = "WARNING",
	[HU_LOG_CRITICAL] = "CRITICAL",
	[HU_LOG_NONE] = "NONE",
};

void __hu_log_init(void)
{
	const char *env = getenv("IGT_LOG_LEVEL");

	if (!env)
		return;
	if (!strcmp(env, "debug"))
		log_level = HU_LOG_DEBUG;
	else if (!strcmp(env, "info"))
		log_level = HU_LOG_INFO;
	else if (!strcmp(env, "warn"))
		log_level = HU_LOG_WARN;
	else if (!strcmp(env, "critical"))
		log_level = HU_LOG_CRITICAL;
	else if (!strcmp(env, "none"))
		log_level = HU_LOG_NONE;
}

/* In a forked child: a lock held by another parent thread stays held. */
void __hu_log_after_fork(void)
{
	pthread_mutexattr_t attr;

	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&ring_lock, &attr);
	pthread_mutex_init(&print_lock, &attr);
	pthread_mutexattr_destroy(&attr);
}

void __hu_log_set_level(enum hu_log_level level)
{
	log_level = level;
}

bool hu_debug_enabled(void)
{
	return log_level <= HU_LOG_DEBUG;
}

static void ring_append(char *line)
{
	unsigned int slot;

	pthread_mutex_lock(&ring_lock);
	slot = (ring.start + ring.count) % RING_SIZE;
	if (ring.count == RING_SIZE) {
		free(ring.line[slot]);
		ring.start = (ring.start + 1) % RING_SIZE;
	} else {
		ring.count++;
	}
	ring.line[slot] = line;
	pthread_mutex_unlock(&ring_lock);
}

void __hu_log_reset(void)
{
	pthread_mutex_lock(&ring_lock);
	for (unsigned int i = 0; i < ring.count; i++) {
		free(ring.line[(ring.start + i) % RING_SIZE]);
		ring.line[(ring.start + i) % RING_SIZE] = NULL;
	}
	ring.start = ring.count = 0;
	pthread_mutex_unlock(&ring_lock);
}

void __hu_log_dump(const char *title)
{
	fflush(stdout);
	pthread_mutex_lock(&ring_lock);
	fprintf(stderr, "%s\n", title);
	if (!ring.count) {
		fprintf(stderr, "No log.\n");
	} else {
		fprintf(stderr, "**** DEBUG ****\n");
		for (unsigned int i = 0; i < ring.count; i++)
			fputs(ring.line[(ring.start + i) % RING_SIZE], stderr);
		fprintf(stderr, "****  END  ****\n");
	}
	fflush(stderr);
	pthread_mutex_unlock(&ring_lock);
	__hu_log_reset();
}

/*
 * Callers may or may not end @fmt with a newline (IGT style does); every
 * call is one line, so a missing newline is added.
 */
static void hu_vlog(enum hu_log_level level, const char *fmt, va_list ap)
{
	char *msg, *full;
	size_t len;
	FILE *out;

	if (level >= HU_LOG_NONE)
		return;
	/* Listing prints names only: stdout is parsed by the runner. */
	if (__hu_listing && level <= HU_LOG_WARN)
		return;
	if (vasprintf(&msg, fmt, ap) < 0)
		return;
	len = strlen(msg);
	if (asprintf(&full, "(%s:%d) %s: %s%s", __hu_name, (int)getpid(),
		     level_name[level], msg,
		     len && msg[len - 1] == '\n' ? "" : "\n") < 0) {
		free(msg);
		return;
	}

	if (level >= log_level) {
		out = level >= HU_LOG_WARN ? stderr : stdout;
		pthread_mutex_lock(&print_lock);
		if (level == HU_LOG_INFO)
			fprintf(out, "%s%s", msg,
				len && msg[len - 1] == '\n' ? "" : "\n");
		else
			fputs(full, out);
		fflush(out);
		pthread_mutex_unlock(&print_lock);
	}
	free(msg);
	ring_append(full);
}

void hu_log(enum hu_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	hu_vlog(level, fmt, ap);
	va_end(ap);
}
