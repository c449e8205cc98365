/* SPDX-License-Identifier: MIT */
/*
 * Internals shared by the harness files (hu_core.c, hu_log.c, hu_fork.c,
 * hu_timeout.c, hu_opts.c). Tests never include this.
 */
#ifndef HU_CORE_PRIV_H
#define HU_CORE_PRIV_H

#include <stdbool.h>
#include <time.h>

#include "hu_core.h"

/* Where the main thread is: each level has its own jump buffer. */
enum hu_level {
	HU_LEVEL_TOP,		/* main body or fixture */
	HU_LEVEL_SUBTEST,
	HU_LEVEL_DYNAMIC,
};

/* hu_core.c */
extern const char *__hu_name;		/* basename of argv[0] */
extern bool __hu_plain_output;
extern bool __hu_sentinel;		/* IGT_SENTINEL_ON_STDERR */
extern bool __hu_listing;
void __hu_now(struct timespec *ts);
double __hu_elapsed(const struct timespec *since);
bool __hu_is_main_thread(void);
enum hu_level __hu_level(void);
/* Builds "Subtest x: FAIL (1.234s)\n" without touching stdio locks. */
int __hu_format_result(char *buf, size_t len, bool dynamic, const char *name,
		       const char *result, double secs, bool bold);
/* For the watchdog: the innermost running (dynamic) subtest, or NULL. */
const char *__hu_current_name(bool *dynamic, struct timespec *start);
void __hu_mark_child(void);
void __hu_subtest_start(struct timespec *ts);

/* hu_opts.c: parses the command line, exits on bad input. */
struct hu_cmdline {
	bool list, show_testlist, describe;
	const char *run_pattern;
	const char *dyn_pattern;
	const char *device;
};
void __hu_parse_opts(int argc, char **argv, const struct hu_opts *opts,
		     bool with_subtests, struct hu_cmdline *cl);
void __hu_print_version(void);
void __hu_print_test_description(void);
void __hu_print_wrapped(const char *indent, const char *text);
extern const char *__hu_test_description;

/* hu_log.c */
void __hu_log_init(void);
void __hu_log_set_level(enum hu_log_level level);
void __hu_log_reset(void);
void __hu_log_after_fork(void);
/* Prints "<title>" then the ring between **** DEBUG **** / ****  END  **** */
void __hu_log_dump(const char *title);

/* hu_kmsg.c */
void __hu_kmsg_raw(const char *line);	/* async-signal-safe */
void __hu_kmsg_subtest_started(void);	/* platform ignore regex, if any */

/* hu_fork.c */
void __hu_kill_children(void);		/* SIGKILL and reap every child */
void __hu_kill_children_nowait(void);

/* hu_timeout.c */
void __hu_timeout_leave(enum hu_level level);	/* disarm if armed at >= level */
void __hu_timeout_init(void);

/* hu_signal.c */
void __hu_signals_init(void);
void __hu_call_exit_handlers(int sig);
void __hu_exit_handlers_reset(void);	/* in a forked child */
bool __hu_in_exit_handler(void);
/* Called by the fatal signal handler for crash signals; may not return. */
void __hu_crash(int sig);

#endif /* HU_CORE_PRIV_H */
