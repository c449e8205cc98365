// SPDX-License-Identifier: MIT
/*
 * The IGT test protocol: fixtures, subtests, dynamic subtests, results and
 * exit codes, printed exactly as igt_runner parses them from stdout.
 *
 * igt_runner can also talk to tests over a socket (IGT_RUNNER_SOCKET_FD);
 * we ignore that variable on purpose: when a test does not use the socket
 * the runner falls back to parsing stdout, which is what we speak.
 */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hu_config.h"
#include "hu_core_priv.h"
#include "hu_filter.h"

#define NAME_MAX_LEN 256

const char *__hu_name = "hu_test";
bool __hu_plain_output = true;
bool __hu_sentinel;
bool __hu_listing;

static struct hu_cmdline cl;
static bool with_subtests;
static pthread_t main_thread;

/* Where we are. */
static bool in_fixture;
static bool in_subtest, in_dynamic;
static char subtest_name[NAME_MAX_LEN], dynamic_name[NAME_MAX_LEN];
static struct timespec test_start, subtest_start, dynamic_start;
static sigjmp_buf top_jmp, subtest_jmp, dynamic_jmp;
static int dynamic_executed = -1;	/* -1: not in a dynamic container */
static bool dynamic_failed;
static bool run_found;
static volatile int thread_failed;

/* What fixtures decided for the subtests that follow (per group). */
enum { GO_ON, SKIP_REST, FAIL_REST };
static int henceforth = GO_ON;
#define MAX_GROUP_DEPTH 16
static int group_save[MAX_GROUP_DEPTH];
static int group_depth;

/* Descriptions for --describe: the group stack and the pending one. */
static const char *group_desc[MAX_GROUP_DEPTH];
static bool group_has_desc[MAX_GROUP_DEPTH];
static const char *pending_desc;

/* Outcome of the whole run. */
static bool skipped_one, succeeded_one, failed_one;
static int exit_code = HU_EXIT_SUCCESS;
static bool is_child;
static char *abort_after;	/* hu_abort_after_subtest()'s reason */

__attribute__((noreturn, format(printf, 1, 2)))
static void internal_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "hu_core: ");
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see lib/hu_core.h)\n");
	abort();
}

void __hu_now(struct timespec *ts)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
}

double __hu_elapsed(const struct timespec *since)
{
	struct timespec now;

	__hu_now(&now);
	return (now.tv_sec - since->tv_sec) +
	       (now.tv_nsec - since->tv_nsec) * 1e-9;
}

bool __hu_is_main_thread(void)
{
	return pthread_equal(pthread_self(), main_thread);
}

enum hu_level __hu_level(void)
{
	if (in_dynamic)
		return HU_LEVEL_DYNAMIC;
	if (in_subtest)
		return HU_LEVEL_SUBTEST;
	return HU_LEVEL_TOP;
}

bool hu_only_list_subtests(void)
{
	return __hu_listing;
}

bool hu_in_subtest(void)
{
	return in_subtest;
}

const char *hu_subtest_name(void)
{
	return in_subtest ? subtest_name : NULL;
}

const char *hu_dynamic_name(void)
{
	return in_dynamic ? dynamic_name : NULL;
}

const char *hu_test_name(void)
{
	return __hu_name;
}

const char *hu_device_filter_string(void)
{
	return cl.device;
}

bool hu_is_child(void)
{
	return is_child;
}

void __hu_subtest_start(struct timespec *ts)
{
	*ts = subtest_start;
}

void __hu_mark_child(void)
{
	is_child = true;
}

const char *__hu_current_name(bool *dynamic, struct timespec *start)
{
	if (in_dynamic) {
		*dynamic = true;
		*start = dynamic_start;
		return dynamic_name;
	}
	*dynamic = false;
	if (in_subtest) {
		*start = subtest_start;
		return subtest_name;
	}
	*start = test_start;
	return NULL;
}

/* --- output ------------------------------------------------------------ */

int __hu_format_result(char *buf, size_t len, bool dynamic, const char *name,
		       const char *result, double secs, bool bold)
{
	return snprintf(buf, len, "%s%s %s: %s (%.3fs)%s\n",
			bold ? "\x1b[1m" : "",
			dynamic ? "Dynamic subtest" : "Subtest",
			name, result, secs < 0 ? 0.0 : secs,
			bold ? "\x1b[0m" : "");
}

static void result_line(bool dynamic, const char *name, const char *result,
			double secs)
{
	char line[NAME_MAX_LEN + 64];

	__hu_format_result(line, sizeof(line), dynamic, name, result, secs,
			   !__hu_plain_output);
	fputs(line, stdout);
	fflush(stdout);
	if (__hu_sentinel) {
		__hu_format_result(line, sizeof(line), dynamic, name, result,
				   secs, false);
		fputs(line, stderr);
		fflush(stderr);
	}
}

static void starting_line(bool dynamic, const char *name)
{
	hu_info("Starting %s: %s\n", dynamic ? "dynamic subtest" : "subtest",
		name);
	if (__hu_sentinel) {
		fprintf(stderr, "Starting %s: %s\n",
			dynamic ? "dynamic subtest" : "subtest", name);
		fflush(stderr);
	}
}

/* --- init and exit ----------------------------------------------------- */

static unsigned int random_seed;

unsigned int hu_random_seed(void)
{
	return random_seed;
}

static void common_init(int argc, char **argv, const struct hu_opts *opts)
{
	const char *slash;

	main_thread = pthread_self();
	__hu_now(&test_start);
	__hu_name = argv[0];
	slash = strrchr(argv[0], '/');
	if (slash)
		__hu_name = slash + 1;

	__hu_plain_output = !isatty(STDOUT_FILENO) || getenv("IGT_PLAIN_OUTPUT");
	__hu_sentinel = getenv("IGT_SENTINEL_ON_STDERR") != NULL;
	/* Children and crash paths must not lose buffered lines. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	__hu_log_init();

	__hu_parse_opts(argc, argv, opts, with_subtests, &cl);
	__hu_listing = cl.list || cl.show_testlist;

	__hu_signals_init();
	__hu_timeout_init();

	if (!__hu_listing) {
		const char *seed_env = getenv("IGT_SRANDOM");
		unsigned int seed = seed_env ? (unsigned int)atoi(seed_env) :
					       (unsigned int)time(NULL);
		FILE *oom;

		hu_kmsg(6, "executing\n");
		__hu_print_version();
		srandom(seed);
		random_seed = seed;
		hu_info("Using IGT_SRANDOM=%d for randomisation\n", (int)seed);
		/* Under memory pressure, the test dies, not the runner. */
		oom = fopen("/proc/self/oom_score_adj", "w");
		if (oom) {
			fputs("1000", oom);
			fclose(oom);
		}
	}
	__hu_now(&test_start);
	errno = 0;
}

void __hu_init(int argc, char **argv, const struct hu_opts *opts)
{
	with_subtests = true;
	common_init(argc, argv, opts);
}

void __hu_init_simple(int argc, char **argv, const struct hu_opts *opts)
{
	with_subtests = false;
	common_init(argc, argv, opts);
}

void hu_exit(void)
{
	const char *result;

	if (cl.run_pattern && !run_found) {
		hu_critical("Unknown subtest: %s\n", cl.run_pattern);
		exit(HU_EXIT_INVALID);
	}
	if (__hu_listing)
		exit(HU_EXIT_SUCCESS);

	if (with_subtests && !failed_one)
		exit_code = succeeded_one ? HU_EXIT_SUCCESS : HU_EXIT_SKIP;
	if (!with_subtests && thread_failed && !failed_one)
		exit_code = HU_EXIT_FAILURE;

	hu_kmsg(6, "exiting, ret=%d\n", exit_code);
	hu_debug("Exiting with status code %d\n", exit_code);
	__hu_kill_children();

	if (!with_subtests) {
		switch (exit_code) {
		case HU_EXIT_SUCCESS:
			result = "SUCCESS";
			break;
		case HU_EXIT_SKIP:
			result = "SKIP";
			break;
		default:
			result = "FAIL";
			break;
		}
		printf("%s (%.3fs)\n", result, __hu_elapsed(&test_start));
	}
	fflush(stdout);
	exit(exit_code);
}

/* --- fixtures, groups, subtests ---------------------------------------- */

sigjmp_buf *__hu_jmpbuf(void)
{
	if (in_dynamic)
		return &dynamic_jmp;
	if (in_subtest)
		return &subtest_jmp;
	return &top_jmp;
}

bool __hu_fixture(void)
{
	if (in_fixture)
		internal_error("hu_fixture cannot be nested");
	if (in_subtest)
		internal_error("hu_fixture cannot be inside a subtest");
	if (!with_subtests)
		internal_error("hu_fixture is not allowed in hu_simple_main");
	if (__hu_listing || henceforth != GO_ON)
		return false;
	in_fixture = true;
	errno = 0;
	return true;
}

void __hu_fixture_end(void)
{
	in_fixture = false;
	__hu_timeout_leave(HU_LEVEL_TOP);
}

void __hu_group_begin(void)
{
	if (!with_subtests)
		internal_error("hu_subtest_group is not allowed in hu_simple_main");
	if (group_depth >= MAX_GROUP_DEPTH)
		internal_error("hu_subtest_group nested too deep");
	group_save[group_depth] = henceforth;
	group_has_desc[group_depth] = pending_desc != NULL;
	group_desc[group_depth] = pending_desc;
	pending_desc = NULL;
	group_depth++;
}

void __hu_group_end(void)
{
	group_depth--;
	henceforth = group_save[group_depth];
}

bool hu_valid_name(const char *name)
{
	if (!*name || strlen(name) >= NAME_MAX_LEN)
		return false;
	for (; *name; name++)
		if (!isalnum((unsigned char)*name) && *name != '_' &&
		    *name != '-')
			return false;
	return true;
}

static void print_description(const char *name, const char *file, int line)
{
	bool any = false;

	printf("SUB %s %s:%d:\n", name, file, line);
	for (int i = 0; i < group_depth; i++) {
		if (!group_has_desc[i])
			continue;
		__hu_print_wrapped("  ", group_desc[i]);
		printf("\n");
		any = true;
	}
	if (pending_desc) {
		__hu_print_wrapped("  ", pending_desc);
		printf("\n");
		any = true;
	}
	if (!any)
		printf("  NO DOCUMENTATION!\n\n");
}

bool __hu_run_subtest(const char *name, const char *file, int line)
{
	if (in_subtest || in_fixture)
		internal_error("hu_subtest is only allowed in hu_main or a hu_subtest_group");
	if (!with_subtests)
		internal_error("hu_subtest is not allowed in hu_simple_main");
	if (!hu_valid_name(name)) {
		hu_critical("Invalid subtest name \"%s\".\n", name);
		exit(HU_EXIT_INVALID);
	}

	if (cl.run_pattern) {
		if (!hu_wildmat(name, cl.run_pattern)) {
			pending_desc = NULL;
			return false;
		}
		run_found = true;
	}

	if (cl.describe) {
		print_description(name, file, line);
		pending_desc = NULL;
		return false;
	}
	pending_desc = NULL;
	if (cl.show_testlist) {
		printf("igt@%s@%s\n", __hu_name, name);
		return false;
	}
	if (cl.list) {
		printf("%s\n", name);
		return false;
	}

	if (henceforth != GO_ON) {
		result_line(false, name,
			    henceforth == SKIP_REST ? "SKIP" : "FAIL", 0.0);
		return false;
	}

	hu_kmsg(6, "starting subtest %s\n", name);
	__hu_kmsg_subtest_started();
	starting_line(false, name);
	__hu_log_reset();
	thread_failed = 0;
	strcpy(subtest_name, name);
	in_subtest = true;
	errno = 0;
	__hu_now(&subtest_start);
	return true;
}

bool __hu_enter_dynamic_container(void)
{
	dynamic_executed = 0;
	dynamic_failed = false;
	return true;
}

bool __hu_run_dynamic(const char *name)
{
	if (!in_subtest || dynamic_executed < 0)
		internal_error("hu_dynamic is only allowed in hu_subtest_with_dynamic");
	if (in_dynamic)
		internal_error("hu_dynamic cannot be nested");
	if (!hu_valid_name(name)) {
		hu_critical("Invalid dynamic subtest name \"%s\".\n", name);
		exit(HU_EXIT_INVALID);
	}
	if (cl.dyn_pattern && !hu_wildmat(name, cl.dyn_pattern))
		return false;

	hu_kmsg(6, "starting dynamic subtest %s\n", name);
	__hu_kmsg_subtest_started();
	starting_line(true, name);
	__hu_log_reset();
	thread_failed = 0;
	dynamic_executed++;
	strcpy(dynamic_name, name);
	in_dynamic = true;
	errno = 0;
	__hu_now(&dynamic_start);
	return true;
}

/* Ends the innermost (dynamic) subtest and jumps back to its macro. */
__attribute__((noreturn)) static void exit_subtest(const char *result)
{
	bool dyn = in_dynamic;
	const char *name = dyn ? dynamic_name : subtest_name;

	__hu_timeout_leave(dyn ? HU_LEVEL_DYNAMIC : HU_LEVEL_SUBTEST);
	result_line(dyn, name, result,
		    __hu_elapsed(dyn ? &dynamic_start : &subtest_start));
	hu_kmsg(6, "finished %s %s, %s\n", dyn ? "dynamic subtest" : "subtest",
		name, result);
	/* A subtest that bailed out may have left children behind. */
	__hu_kill_children();

	if (dyn) {
		in_dynamic = false;
		/* The parent would print this text again otherwise. */
		__hu_log_reset();
		siglongjmp(dynamic_jmp, 1);
	}
	dynamic_executed = -1;
	in_subtest = false;
	if (abort_after) {
		/* info, not <3>: the abort must not turn the verdict above */
		hu_kmsg(6, "exiting after subtest %s, ret=%d\n", name,
			HU_EXIT_ABORT);
		hu_critical("Test abort after subtest %s\n", name);
		hu_critical("%s", abort_after);
		fflush(NULL);
		exit(HU_EXIT_ABORT);
	}
	siglongjmp(subtest_jmp, 1);
}

void hu_abort_after_subtest(const char *fmt, ...)
{
	va_list ap;

	free(abort_after);
	va_start(ap, fmt);
	if (vasprintf(&abort_after, fmt, ap) < 0)
		abort_after = NULL;
	va_end(ap);
	hu_info("the run ends after this subtest: %s",
		abort_after ? abort_after : "\n");
}

void hu_describe(const char *text)
{
	pending_desc = text;
}

void __hu_set_test_description(const char *text)
{
	__hu_test_description = text;
}

const char *__hu_fmt_name(const char *fmt, ...)
{
	static char buf[NAME_MAX_LEN + 1];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return buf;
}

/* --- results ----------------------------------------------------------- */

/* "Subtest x failed." and the log ring, on stderr. */
static void dump_log(void)
{
	char title[NAME_MAX_LEN + 64];

	if (in_dynamic)
		snprintf(title, sizeof(title), "Dynamic subtest %s failed.",
			 dynamic_name);
	else if (in_subtest)
		snprintf(title, sizeof(title), "Subtest %s failed.", subtest_name);
	else
		snprintf(title, sizeof(title), "Test %s failed.", __hu_name);
	__hu_log_dump(title);
}

static bool in_dynamic_container(void)
{
	return in_subtest && !in_dynamic && dynamic_executed >= 0;
}

void hu_success(void)
{
	if (thread_failed)
		hu_fail(HU_EXIT_FAILURE);
	if (in_dynamic_container()) {
		if (dynamic_failed)
			hu_fail(HU_EXIT_FAILURE);
		if (dynamic_executed == 0)
			hu_skip("No dynamic tests executed.\n");
	}
	if (!in_dynamic)
		succeeded_one = true;
	if (in_subtest)
		exit_subtest("SUCCESS");
	if (!with_subtests)
		hu_exit();
	internal_error("hu_success outside a subtest");
}

void hu_skip(const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;

	if (!__hu_is_main_thread())
		internal_error("hu_skip/hu_require are only allowed in the main thread");
	skipped_one = true;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (msg && !__hu_listing) {
		size_t len = strlen(msg);

		/* The reason goes to stdout, as IGT does. */
		printf("%s%s", msg, len && msg[len - 1] != '\n' ? "\n" : "");
		fflush(stdout);
	}
	free(msg);

	if (is_child) {
		/* A skip cannot be forwarded from a child: it fails it. */
		fflush(NULL);
		_exit(HU_EXIT_SKIP);
	}
	if (in_subtest) {
		/* A skipped dynamic subtest does not count as executed. */
		if (in_dynamic)
			dynamic_executed--;
		exit_subtest("SKIP");
	}
	if (with_subtests) {
		if (!in_fixture)
			internal_error("hu_skip outside a fixture or subtest");
		henceforth = SKIP_REST;
		in_fixture = false;
		__hu_timeout_leave(HU_LEVEL_TOP);
		siglongjmp(top_jmp, 1);
	}
	exit_code = HU_EXIT_SKIP;
	hu_exit();
}

void __hu_skip_check(const char *file, int line, const char *func,
		     const char *expr, const char *fmt, ...)
{
	/* Static: hu_skip() does not return, so nothing could free it. */
	static char msg[2048];
	int err = errno;
	char errstr[160] = "";
	size_t len;
	va_list ap;

	if (err)
		snprintf(errstr, sizeof(errstr), "Last errno: %d, %s\n", err,
			 strerror(err));
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg) - 1, fmt, ap);
	va_end(ap);
	len = strlen(msg);
	if (len && msg[len - 1] != '\n')
		strcpy(msg + len, "\n");
	hu_skip("Test requirement not met in function %s, file %s:%d:\n"
		"Test requirement: %s\n%s%s",
		func, file, line, expr, msg, errstr);
}

void hu_fail(int code)
{
	if (code == HU_EXIT_SUCCESS || code == HU_EXIT_SKIP)
		code = HU_EXIT_FAILURE;
	if (!__hu_is_main_thread()) {
		/* Other threads cannot jump: the subtest fails at its end. */
		thread_failed = 1;
		pthread_exit(NULL);
	}
	/* An assert in an exit handler: no way back. */
	if (__hu_in_exit_handler())
		_exit(HU_EXIT_FAILURE);

	if (in_dynamic) {
		dynamic_failed = true;
	} else {
		if (!failed_one)
			exit_code = code;
		failed_one = true;
	}

	if (in_dynamic_container()) {
		/* The failed dynamic subtest already printed why. */
		__hu_log_reset();
	} else {
		dump_log();
	}

	if (is_child) {
		fflush(NULL);
		_exit(code);
	}
	if (in_subtest)
		exit_subtest("FAIL");
	if (in_fixture) {
		henceforth = FAIL_REST;
		in_fixture = false;
		__hu_timeout_leave(HU_LEVEL_TOP);
		siglongjmp(top_jmp, 1);
	}
	hu_exit();
}

void __hu_fail_assert(const char *file, int line, const char *func,
		      const char *expr, const char *fmt, ...)
{
	int err = errno;
	char *msg = NULL;
	va_list ap;

	hu_critical("Test assertion failure function %s, file %s:%d:\n",
		    func, file, line);
	hu_critical("Failed assertion: %s\n", expr);
	if (err)
		hu_critical("Last errno: %d, %s\n", err, strerror(err));
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (msg && *msg)
		hu_critical("%s", msg);
	free(msg);
	hu_fail(HU_EXIT_FAILURE);
}

static void vabort(const char *file, int line, const char *func,
		   const char *expr, const char *fmt, va_list ap)
{
	int err = errno;
	char *msg = NULL;

	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	if (func)
		hu_kmsg(3, "Abort in function %s, file %s:%d, %s\n", func,
			file, line, expr);
	else
		hu_kmsg(3, "Abort: %s\n", msg ? msg : "");
	if (func) {
		hu_critical("Test abort in function %s, file %s:%d:\n", func,
			    file, line);
		hu_critical("abort condition: %s\n", expr);
	} else {
		hu_critical("Test abort\n");
	}
	if (err)
		hu_critical("Last errno: %d, %s\n", err, strerror(err));
	if (msg && *msg)
		hu_critical("%s", msg);
	free(msg);
	/* hu_abort_after_subtest()'s reason holds for this abort too */
	if (abort_after)
		hu_critical("%s", abort_after);
	__hu_kill_children();
	dump_log();
	fflush(NULL);
	exit(HU_EXIT_ABORT);
}

void hu_abort(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vabort(NULL, 0, NULL, NULL, fmt, ap);
	va_end(ap);
	exit(HU_EXIT_ABORT);
}

void __hu_abort(const char *file, int line, const char *func,
		const char *expr, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vabort(file, line, func, expr, fmt, ap);
	va_end(ap);
	exit(HU_EXIT_ABORT);
}

/* Crash signal inside the main thread: CRASH the subtest, go on. */
void __hu_crash(int sig)
{
	if (!failed_one)
		exit_code = 128 + sig;
	failed_one = true;
	if (is_child || !__hu_is_main_thread() || !in_subtest)
		return;
	if (in_dynamic)
		dynamic_failed = true;
	exit_subtest("CRASH");
}
