/* SPDX-License-Identifier: MIT */
/*
 * hu_core: the IGT test protocol, spoken by every hotunplug test binary.
 *
 * A test is a main body made of fixtures and subtests:
 *
 *	hu_main {
 *		struct state st;
 *
 *		hu_fixture
 *			st.fd = open_device();		(skipped when listing)
 *
 *		hu_describe("Remove the device with an fd held.");
 *		hu_subtest("remove-fd") {
 *			hu_require(st.fd >= 0);
 *			hu_assert_eq(do_it(&st), 0);
 *		}
 *	}
 *
 * Every way out of a fixture or subtest (success, skip, fail) jumps back to
 * the macro with siglongjmp, so a failed assert never runs the rest of the
 * block. Subtest names must match [A-Za-z0-9_-]+.
 *
 * Stdout, stderr, /dev/kmsg and the exit code follow IGT exactly, so that
 * igt_runner cannot tell a hotunplug binary from an IGT test.
 */
#ifndef HU_CORE_H
#define HU_CORE_H

#include <errno.h>
#include <getopt.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <unistd.h>

/* Exit codes, with IGT's meaning. A crash exits 128 + signal. */
enum {
	HU_EXIT_SUCCESS = 0,
	HU_EXIT_SKIP = 77,
	HU_EXIT_INVALID = 79,	/* bad option, unknown subtest */
	HU_EXIT_FAILURE = 98,
	HU_EXIT_ABORT = 112,	/* the machine is unusable: igt_runner stops */
};

enum hu_log_level {
	HU_LOG_DEBUG,
	HU_LOG_INFO,
	HU_LOG_WARN,
	HU_LOG_CRITICAL,
	HU_LOG_NONE,
};

/*
 * Extra options of one binary, handled by @handler(opt, optarg, data);
 * it returns 0, or -1 for a bad value (exit 79). Long option values must be
 * below 500: the core's own options use 500 and up.
 */
typedef int (*hu_opt_handler_t)(int opt, const char *optarg, void *data);
struct hu_opts {
	const char *short_opts;
	const struct option *long_opts;
	const char *help;		/* lines appended to --help */
	hu_opt_handler_t handler;
	void *data;
};

/* --- entry points ------------------------------------------------------ */

void __hu_init(int argc, char **argv, const struct hu_opts *opts);
void __hu_init_simple(int argc, char **argv, const struct hu_opts *opts);
__attribute__((noreturn)) void hu_exit(void);

#define __hu_main_with(opts_ptr, initfn)				\
	static void __hu_main_body(void);				\
	int main(int argc, char **argv)					\
	{								\
		initfn(argc, argv, (opts_ptr));				\
		__hu_main_body();					\
		hu_exit();						\
	}								\
	static void __hu_main_body(void)

/* A binary with subtests; hu_main_args() adds test-specific options. */
#define hu_main			__hu_main_with(NULL, __hu_init)
#define hu_main_args(opts_ptr)	__hu_main_with(opts_ptr, __hu_init)
/* A binary without subtests: it ends with a bare result line. */
#define hu_simple_main		__hu_main_with(NULL, __hu_init_simple)
#define hu_simple_main_args(opts_ptr) __hu_main_with(opts_ptr, __hu_init_simple)

/* --- fixtures, subtests, dynamic subtests ------------------------------ */

sigjmp_buf *__hu_jmpbuf(void);
bool __hu_fixture(void);
void __hu_fixture_end(void);
bool __hu_run_subtest(const char *name, const char *file, int line);
bool __hu_enter_dynamic_container(void);
bool __hu_run_dynamic(const char *name);
__attribute__((noreturn)) void hu_success(void);

#define __hu_cat2(a, b) a##b
#define __hu_cat(a, b) __hu_cat2(a, b)
#define __hu_uniq(x) __hu_cat(x, __LINE__)

/* Setup and teardown: skipped when listing; a skip or failure in it skips or
 * fails every subtest that follows (within the enclosing group). */
#define hu_fixture							\
	for (int __hu_uniq(__f) = 0;					\
	     __hu_uniq(__f) < 1 && __hu_fixture() &&			\
	     sigsetjmp(*__hu_jmpbuf(), 1) == 0;			\
	     __hu_uniq(__f)++, __hu_fixture_end())

/* Groups scope fixtures: a fixture failure inside a group only affects it. */
void __hu_group_begin(void);
void __hu_group_end(void);
#define hu_subtest_group						\
	for (int __hu_uniq(__g) = (__hu_group_begin(), 0);		\
	     __hu_uniq(__g) < 1; __hu_uniq(__g)++, __hu_group_end())

#define hu_subtest(name)						\
	for (; __hu_run_subtest((name), __FILE__, __LINE__) &&		\
	       sigsetjmp(*__hu_jmpbuf(), 1) == 0; hu_success())

const char *__hu_fmt_name(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
#define hu_subtest_f(fmt, ...) hu_subtest(__hu_fmt_name(fmt, __VA_ARGS__))

/* A subtest whose body only runs hu_dynamic() blocks. */
#define hu_subtest_with_dynamic(name)					\
	for (; __hu_run_subtest((name), __FILE__, __LINE__) &&		\
	       __hu_enter_dynamic_container() &&			\
	       sigsetjmp(*__hu_jmpbuf(), 1) == 0; hu_success())
#define hu_subtest_with_dynamic_f(fmt, ...)				\
	hu_subtest_with_dynamic(__hu_fmt_name(fmt, __VA_ARGS__))

#define hu_dynamic(name)						\
	for (; __hu_run_dynamic(name) &&				\
	       sigsetjmp(*__hu_jmpbuf(), 1) == 0; hu_success())
#define hu_dynamic_f(fmt, ...) hu_dynamic(__hu_fmt_name(fmt, __VA_ARGS__))

/* Description of the next subtest, for --describe. */
void hu_describe(const char *text);

/*
 * The seed the harness gave srandom() at start: IGT_SRANDOM (atoi) if set,
 * else the clock; printed as "Using IGT_SRANDOM=%d". 0 before hu_main.
 */
unsigned int hu_random_seed(void);
#define HU_TEST_DESCRIPTION(text)					\
	__attribute__((constructor)) static void __hu_test_desc(void)	\
	{ __hu_set_test_description(text); }
void __hu_set_test_description(const char *text);

/*
 * Is @name a valid (dynamic) subtest name: [A-Za-z0-9_-]+, shorter than
 * the harness's limit? Composed names are checked with it too.
 */
bool hu_valid_name(const char *name);

/* State of the run. */
bool hu_only_list_subtests(void);
bool hu_in_subtest(void);
const char *hu_subtest_name(void);	/* NULL outside a subtest */
const char *hu_dynamic_name(void);	/* NULL outside a dynamic subtest */
const char *hu_test_name(void);		/* binary's basename */
bool hu_debug_enabled(void);
/* --device or IGT_DEVICE; NULL if neither. */
const char *hu_device_filter_string(void);

/* --- results ----------------------------------------------------------- */

__attribute__((noreturn, format(printf, 1, 2))) void hu_skip(const char *fmt, ...);
__attribute__((noreturn)) void hu_fail(int exitcode);
__attribute__((noreturn, format(printf, 1, 2))) void hu_abort(const char *fmt, ...);
/*
 * Exit 112 once the running subtest has printed its verdict: the machine
 * can only be restored by a reboot (a GPU the VM host brings back at its
 * next boot), so igt_runner must stop, but the subtest's own checks still
 * decide its "Subtest x: RESULT" line. The reason goes to stderr then, or
 * with an earlier hu_abort() (e.g. the restore after a failed subtest).
 */
__attribute__((format(printf, 1, 2))) void hu_abort_after_subtest(const char *fmt, ...);

__attribute__((noreturn, format(printf, 5, 6)))
void __hu_fail_assert(const char *file, int line, const char *func,
		      const char *expr, const char *fmt, ...);
__attribute__((noreturn, format(printf, 5, 6)))
void __hu_skip_check(const char *file, int line, const char *func,
		     const char *expr, const char *fmt, ...);

#define hu_assert_f(expr, ...) do {					\
	if (!(expr))							\
		__hu_fail_assert(__FILE__, __LINE__, __func__, #expr,	\
				 __VA_ARGS__);				\
} while (0)
#define hu_assert(expr) hu_assert_f(expr, "%s", "")

#define __hu_assert_cmp(type, pfmt, a, op, b) do {			\
	type __a = (a), __b = (b);					\
	if (!(__a op __b))						\
		__hu_fail_assert(__FILE__, __LINE__, __func__,		\
				 #a " " #op " " #b,			\
				 "error: " pfmt " " #op " " pfmt " is false", \
				 __a, __b);				\
} while (0)
#define hu_assert_eq(a, b)  __hu_assert_cmp(long long, "%lld", a, ==, b)
#define hu_assert_neq(a, b) __hu_assert_cmp(long long, "%lld", a, !=, b)
#define hu_assert_lt(a, b)  __hu_assert_cmp(long long, "%lld", a, <, b)
#define hu_assert_lte(a, b) __hu_assert_cmp(long long, "%lld", a, <=, b)
#define hu_assert_eq_u64(a, b) __hu_assert_cmp(unsigned long long, "%#llx", a, ==, b)
/* A syscall-style return: asserts it is 0 (prints errno otherwise). */
#define hu_assert_ok(expr) __hu_assert_cmp(long long, "%lld", expr, ==, 0)
/* Asserts a -errno style return, e.g. hu_assert_errno(ioctl_ret, -ENODEV). */
#define hu_assert_errno(a, err) __hu_assert_cmp(long long, "%lld", a, ==, err)

#define hu_require_f(expr, ...) do {					\
	if (!(expr))							\
		__hu_skip_check(__FILE__, __LINE__, __func__, #expr,	\
				__VA_ARGS__);				\
} while (0)
#define hu_require(expr) hu_require_f(expr, "%s", "")
#define hu_skip_on(expr) hu_require(!(expr))
/* Skips with "Test requires root" unless the effective uid is 0. */
#define hu_require_root() hu_require_f(geteuid() == 0, "Test requires root\n")
#define hu_skip_on_f(expr, ...) hu_require_f(!(expr), __VA_ARGS__)

/* Exit 112 (igt_runner stops the whole run) when @expr holds. */
#define hu_abort_on_f(expr, ...) do {					\
	if (expr)							\
		__hu_abort(__FILE__, __LINE__, __func__, #expr,		\
			   __VA_ARGS__);				\
} while (0)
__attribute__((noreturn, format(printf, 5, 6)))
void __hu_abort(const char *file, int line, const char *func,
		const char *expr, const char *fmt, ...);

/* --- logging ----------------------------------------------------------- */

/*
 * debug and info go to stdout (debug only with --debug or
 * IGT_LOG_LEVEL=debug), warn and critical to stderr. Every line, debug
 * included, is kept in a ring of the last 256 that is dumped on failure.
 * Each call is one line: a missing trailing newline is added.
 */
__attribute__((format(printf, 2, 3)))
void hu_log(enum hu_log_level level, const char *fmt, ...);
#define hu_debug(...)	 hu_log(HU_LOG_DEBUG, __VA_ARGS__)
#define hu_info(...)	 hu_log(HU_LOG_INFO, __VA_ARGS__)
#define hu_warn(...)	 hu_log(HU_LOG_WARN, __VA_ARGS__)
#define hu_critical(...) hu_log(HU_LOG_CRITICAL, __VA_ARGS__)
#define hu_warn_on_f(expr, ...) do {					\
	if (expr)							\
		hu_warn(__VA_ARGS__);					\
} while (0)

/* --- kernel log markers ------------------------------------------------ */

/*
 * Writes "<level>[IGT] <bin>: <text>" to /dev/kmsg (silently if it can't;
 * HU_KMSG_PATH names another file, for the harness's own tests).
 */
__attribute__((format(printf, 2, 3)))
void hu_kmsg(int level, const char *fmt, ...);
/* Tells igt_runner to ignore matching dmesg lines in the current subtest. */
void hu_emit_ignore_dmesg_regex(const char *regex);

/* --- exit handlers, timeouts ------------------------------------------- */

/* Run in reverse order at exit and on fatal signals; @sig is 0 at exit. */
typedef void (*hu_exit_handler_t)(int sig);
void hu_install_exit_handler(hu_exit_handler_t fn);

/*
 * Fails the current subtest after @seconds (0 disarms). Two stages: a
 * signal fails the subtest from wherever the main thread is interruptible;
 * if that thread is stuck in the kernel, a watchdog thread prints the FAIL
 * line, writes the kmsg marker, runs the exit handlers (with sig SIGALRM,
 * killed by SIGKILL if they take 20 s) and _exit()s, so a subtest never
 * hangs. Leaving the (dynamic) subtest or fixture that armed it disarms it.
 * In a hu_fork() child it does nothing: hu_waitchildren() bounds children.
 */
void hu_set_timeout(unsigned int seconds, const char *op);

/* --- processes --------------------------------------------------------- */

/*
 * hu_fork(child, n) { body } runs body in n children with child = 0..n-1.
 * A failed assert in a child exits it with the failure code;
 * hu_waitchildren() reaps them (bounded by @timeout_s, killing stragglers)
 * and fails the subtest if any child failed or crashed.
 */
bool __hu_fork(void);
#define hu_fork(child, num)						\
	for (int child = 0; child < (num); child++)			\
		for (; __hu_fork(); _exit(0))
void hu_waitchildren(unsigned int timeout_s);
int __hu_waitchildren(unsigned int timeout_s);	/* 0, or first bad status */
bool hu_is_child(void);

/* --- pattern matching (exported for unit tests) ------------------------ */

/* RFC 3977 wildmat: '*', '?', '[...]', ',' lists, '!' negation, last wins. */
bool hu_wildmat(const char *text, const char *pattern);

#endif /* HU_CORE_H */
