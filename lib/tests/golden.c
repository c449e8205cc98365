// SPDX-License-Identifier: MIT
/*
 * golden: runs the example binaries with IGT arguments and compares their
 * stdout, stderr, kmsg markers and exit status with lib/tests/golden/<case>.
 * Times, pids, the IGT-Version line, backtraces and build paths are
 * normalised. HU_GOLDEN_UPDATE=1 rewrites the files instead (review them).
 *
 * Env: HU_EXAMPLES (directory of the binaries), HU_GOLDEN_DIR,
 * HU_GOLDEN_CASE (run only that case).
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hu_check.h"

#define RUN_LIMIT_S 30
#define MAX_ARGS 8

struct gcase {
	const char *name;
	const char *bin;
	const char *args[MAX_ARGS];
	const char *env[4];		/* "K=V" */
	bool nobody;			/* run as uid 65534 */
	int kill_sig;			/* sent once the subtest sleeps ... */
	bool kill_early;		/* ... or right after its Starting line */
	const char *timed;		/* stdout line whose "(1.234s)" ... */
	double min_s, max_s;		/* ... must be within these bounds */
};

static const struct gcase cases[] = {
	{ "pass", "hu_example", { "--run-subtest", "pass" } },
	{ "skip", "hu_example", { "--run-subtest", "skip" } },
	{ "fail", "hu_example", { "--run-subtest", "fail" } },
	{ "crash", "hu_example", { "--run-subtest", "crash" } },
	{ "crash-stack", "hu_example",
	  { "--run-subtest", "crash-stack,timeout", "--sleep-ms", "1" } },
	{ "dynamic", "hu_example", { "--run-subtest", "dynamic" } },
	{ "dynamic-filter", "hu_example",
	  { "--run-subtest", "dynamic", "--dynamic-subtest", "dyn-pass,dyn-s*" } },
	{ "dynamic-none", "hu_example",
	  { "--run-subtest", "dynamic", "--dynamic-subtest", "nope" } },
	{ "fixture-skip", "hu_example", { "--run-subtest", "fixture-skip" } },
	{ "set-timeout", "hu_example", { "--run-subtest", "set-timeout" },
	  .timed = "Subtest set-timeout: FAIL (", .min_s = 0.95, .max_s = 2.0 },
	{ "set-timeout-blocked", "hu_example",
	  { "--run-subtest", "set-timeout-blocked" },
	  .timed = "Subtest set-timeout-blocked: FAIL (", .min_s = 2.95, .max_s = 4.0 },
	{ "set-timeout-blocked-handlers", "hu_example",
	  { "--exit-handlers", "--run-subtest", "set-timeout-blocked" },
	  .timed = "Subtest set-timeout-blocked: FAIL (", .min_s = 2.95, .max_s = 4.0 },
	{ "set-timeout-stuck", "hu_example", { "--run-subtest", "set-timeout-stuck" },
	  .timed = "Subtest set-timeout-stuck: FAIL (", .min_s = 2.95, .max_s = 3.9 },
	{ "dmesg-ignored", "hu_example", { "--run-subtest", "dmesg-ignored" } },
	/* The platform's regex after every start marker, joined to the test's. */
	{ "dmesg-ignore-platform", "hu_example",
	  { "--run-subtest", "pass,dmesg-ignored" },
	  { "HU_DMESG_IGNORE=hrtimer: interrupt took [0-9]+ ns" } },
	{ "fork-fail", "hu_example", { "--run-subtest", "fork-fail" } },
	{ "abort", "hu_example", { "--run-subtest", "abort" } },
	{ "abort-after", "hu_example", { "--run-subtest", "abort-after,pass" } },
	{ "abort-pending", "hu_example", { "--run-subtest", "abort-pending" } },
	{ "fork-hang", "hu_example", { "--run-subtest", "fork-hang" },
	  .timed = "Subtest fork-hang: FAIL (", .min_s = 0.95, .max_s = 2.0 },
	{ "fork-crash", "hu_example", { "--run-subtest", "fork-crash" } },
	{ "thread-fail", "hu_example", { "--run-subtest", "thread-fail" } },
	{ "log-ring", "hu_example", { "--run-subtest", "log-ring" } },
	{ "dynamic-timeout", "hu_example", { "--run-subtest", "dynamic-timeout" },
	  .timed = "Dynamic subtest dyn-block: FAIL (", .min_s = 0.95, .max_s = 2.0 },
	{ "fixture-fail", "hu_example_fixture", { NULL } },
	{ "fixture-fail-list", "hu_example_fixture", { "--list-subtests" } },
	{ "describe-nodoc", "hu_example_fixture", { "--describe" } },
	{ "debug", "hu_example", { "--debug", "--run-subtest", "skip" } },
	{ "sleep-ms", "hu_example", { "--run-subtest", "timeout", "--sleep-ms", "10" } },
	{ "sleep-ms-bad", "hu_example", { "--sleep-ms", "ten" } },
	{ "wildmat", "hu_example", { "--run-subtest", "p*,f[a-z]il,!fa*,*-skip" } },
	{ "unknown-subtest", "hu_example", { "--run-subtest", "nope" } },
	{ "empty-pattern", "hu_example", { "--run-subtest", "" } },
	{ "list-subtests", "hu_example", { "--list-subtests" } },
	{ "list-after-run", "hu_example",
	  { "--run-subtest", "pass", "--list-subtests" } },
	{ "show-testlist", "hu_example", { "--show-testlist" } },
	{ "describe", "hu_example", { "--describe" } },
	{ "describe-pattern", "hu_example", { "--describe=*skip*" } },
	{ "help", "hu_example", { "--help" } },
	{ "unknown-option", "hu_example", { "--nope" } },
	{ "stray-argument", "hu_example", { "pass" } },
	{ "device-bad", "hu_example", { "--device", "foo:bar", "--run-subtest", "pass" } },
	{ "device-env-bad", "hu_example", { "--run-subtest", "pass" },
	  { "IGT_DEVICE=pci:vendor=zz" } },
	{ "device-env-empty", "hu_example", { "--run-subtest", "pass" },
	  { "IGT_DEVICE=" } },
	{ "device-good", "hu_example",
	  { "--device", "pci:vendor=intel,card=all;sys:/sys/devices/pci0000:00",
	    "--run-subtest", "pass" } },
	{ "sentinel", "hu_example", { "--run-subtest", "pass,skip,fail,dynamic" },
	  { "IGT_SENTINEL_ON_STDERR=1" } },
	{ "exit-handlers", "hu_example",
	  { "--exit-handlers", "--run-subtest", "pass" } },
	{ "sigterm", "hu_example",
	  { "--exit-handlers", "--run-subtest", "timeout" }, .kill_sig = SIGTERM },
	{ "sigquit", "hu_example",
	  { "--exit-handlers", "--run-subtest", "timeout" }, .kill_sig = SIGQUIT },
	/*
	 * The signal lands anywhere between the Starting line and the sleep:
	 * the output must not depend on where (a handler that flushed stdout
	 * printed the line twice, about one run in five under load).
	 */
	{ "sigquit-early", "hu_example",
	  { "--exit-handlers", "--run-subtest", "timeout" }, .kill_sig = SIGQUIT,
	  .kill_early = true },
	{ "simple", "hu_example_simple", { NULL } },
	{ "simple-skip", "hu_example_simple", { "--result=skip" } },
	{ "simple-fail", "hu_example_simple", { "--result=fail" } },
	{ "simple-bad-option", "hu_example_simple", { "--result=maybe" } },
	{ "simple-list", "hu_example_simple", { "--list-subtests" } },
	{ "simple-run-subtest", "hu_example_simple", { "--run-subtest", "x" } },
	{ "simple-show-testlist", "hu_example_simple", { "--show-testlist" } },
	{ "nonroot", "hu_example_root", { NULL }, .nobody = true },
};

struct buf {
	char *p;
	size_t len, cap;
};

static void buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->p = realloc(b->p, b->cap);
		if (!b->p)
			abort();
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void buf_str(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Can uid 65534 execute @path? */
static bool nobody_can_exec(const char *path)
{
	int status = -1;
	pid_t pid;

	pid = fork();
	if (pid == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(1);
		_exit(access(path, X_OK) ? 1 : 0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return false;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/*
 * Copies @src to a new @dst, mode 0755. The build directory may be where
 * uid 65534 cannot reach (a clone under /root, mode 0700): the uid 65534
 * case runs a copy in our own 0755 directory under /tmp instead.
 */
static bool copy_exec(const char *src, const char *dst)
{
	char chunk[65536];
	bool ok = true;
	ssize_t n;
	int in, out;

	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return false;
	out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
	if (out < 0) {
		close(in);
		return false;
	}
	while (ok && (n = read(in, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		ok = n > 0 && write(out, chunk, n) == n;
	}
	/* fchmod: the umask may have cleared bits of 0755. */
	ok = !fchmod(out, 0755) && ok;
	ok = !close(out) && ok;
	close(in);
	if (!ok)
		unlink(dst);
	return ok;
}

static char *read_file(const char *path)
{
	struct buf b = { 0 };
	char chunk[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return NULL;
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		buf_add(&b, chunk, n);
	close(fd);
	if (!b.p)
		buf_add(&b, "", 0);
	return b.p;
}

/*
 * Is the (single-threaded) child blocked in nanosleep, i.e. parked in the
 * timeout subtest's sleep? /proc/<pid>/syscall says "running" or the number
 * of the syscall it waits in.
 */
static bool child_sleeping(pid_t pid)
{
	char path[64], line[128];
	long nr = -1;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, line, sizeof(line) - 1);
	close(fd);
	if (n <= 0)
		return false;
	line[n] = '\0';
	if (sscanf(line, "%ld", &nr) != 1)
		return false;
#ifdef SYS_nanosleep
	if (nr == SYS_nanosleep)
		return true;
#endif
	return nr == SYS_clock_nanosleep;
}

/* Runs one case; returns false if it could not be run in bounds. */
static bool run(const struct gcase *c, const char *dir, const char *kmsg,
		struct buf *out, struct buf *err, int *status, double *secs)
{
	int po[2], pe[2];
	char path[4096];
	const char *argv[MAX_ARGS + 2];
	double start, deadline;
	bool sent = false, ok = true;
	pid_t pid;
	int n = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, c->bin);
	argv[n++] = path;
	for (int i = 0; i < MAX_ARGS && c->args[i]; i++)
		argv[n++] = c->args[i];
	argv[n] = NULL;

	if (pipe2(po, O_CLOEXEC) || pipe2(pe, O_CLOEXEC))
		return false;
	start = now_s();
	pid = fork();
	if (pid < 0)
		return false;
	if (pid == 0) {
		dup2(po[1], STDOUT_FILENO);
		dup2(pe[1], STDERR_FILENO);
		unsetenv("IGT_SENTINEL_ON_STDERR");
		unsetenv("IGT_DEVICE");
		unsetenv("IGT_LOG_LEVEL");
		unsetenv("IGT_PLAIN_OUTPUT");
		/* The platform's own kmsg ignore regex (the VM lane's). */
		unsetenv("HU_DMESG_IGNORE");
		setenv("IGT_SRANDOM", "1", 1);
		setenv("HU_KMSG_PATH", kmsg, 1);
		for (int i = 0; i < 4 && c->env[i]; i++)
			putenv((char *)c->env[i]);
		if (c->nobody && geteuid() == 0) {
			/* Also leaves a cwd that uid 65534 may not search. */
			if (chdir("/") || setgroups(0, NULL) || setgid(65534) ||
			    setuid(65534)) {
				perror("setuid");
				_exit(126);
			}
		}
		execv(path, (char **)argv);
		perror("execv");
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);

	deadline = start + RUN_LIMIT_S;
	/* Until both pipes hit EOF and the child exited, or the deadline. */
	struct pollfd pfd[3] = {
		{ .fd = po[0], .events = POLLIN },
		{ .fd = pe[0], .events = POLLIN },
		{ .fd = (int)syscall(SYS_pidfd_open, pid, 0), .events = POLLIN },
	};
	if (pfd[2].fd < 0) {
		printf("# pidfd_open: %s\n", strerror(errno));
		kill(pid, SIGKILL);
		ok = false;
	}
	while (ok && (pfd[0].fd >= 0 || pfd[1].fd >= 0 || pfd[2].fd >= 0)) {
		double left = deadline - now_s();
		int ret, wait_ms = (int)(left * 1000) + 1;

		/*
		 * Where the signal lands must not change the output: unless
		 * the case is about landing early, wait until the child is
		 * parked in its sleep (polled, bounded by the deadline).
		 */
		if (c->kill_sig && !sent && out->p &&
		    strstr(out->p, "Starting subtest:")) {
			if (c->kill_early || child_sleeping(pid)) {
				kill(pid, c->kill_sig);
				sent = true;
			} else {
				wait_ms = 1;
			}
		}
		if (left <= 0) {
			printf("# %s: still running after %ds, killed\n", c->name,
			       RUN_LIMIT_S);
			if (c->kill_sig && !sent)
				printf("# %s never seen sleeping in /proc/%d/syscall\n",
				       c->name, (int)pid);
			kill(pid, SIGKILL);
			ok = false;
			break;
		}
		ret = poll(pfd, 3, wait_ms);
		if (ret < 0 && errno != EINTR)
			break;
		for (int i = 0; i < 3; i++) {
			char chunk[4096];
			ssize_t r;

			if (pfd[i].fd < 0 || !pfd[i].revents)
				continue;
			r = i < 2 ? read(pfd[i].fd, chunk, sizeof(chunk)) : 0;
			if (r > 0) {
				buf_add(i ? err : out, chunk, r);
				continue;
			}
			/* EOF, or the child exited: poll ignores fd -1. */
			close(pfd[i].fd);
			pfd[i].fd = -1;
		}
	}
	for (int i = 0; i < 3; i++)
		if (pfd[i].fd >= 0)
			close(pfd[i].fd);
	/* Exited (or SIGKILLed above): this wait does not block for long. */
	waitpid(pid, status, 0);
	*secs = now_s() - start;
	return ok;
}

/* Replaces every @from in @s by @to. */
static char *replace_all(char *s, const char *from, const char *to)
{
	struct buf b = { 0 };
	size_t fl = strlen(from);
	char *p = s, *q;

	if (!fl)
		return s;
	while ((q = strstr(p, from))) {
		buf_add(&b, p, q - p);
		buf_str(&b, to);
		p = q + fl;
	}
	buf_str(&b, p);
	free(s);
	return b.p;
}

/*
 * __FILE__ is relative to the build directory ("../lib/tests/...", or
 * "../../src/lib/tests/..."): drop whatever precedes lib/tests/examples/.
 */
static void strip_source_prefix(char *s)
{
	static const char mark[] = "lib/tests/examples/";
	char *p = s;

	while ((p = strstr(p, mark))) {
		char *start = p;

		while (start > s && !strchr(" \n'(", start[-1]))
			start--;
		if (start != p)
			memmove(start, p, strlen(p) + 1);
		p = start + strlen(mark);
	}
}

/* Line-wise normalisation of what varies between runs and machines. */
static char *normalise(char *s)
{
	struct buf b = { 0 };
	bool in_trace = false;
	char *line = s;

	buf_add(&b, "", 0);
	while (*line) {
		char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line + 1) : strlen(line);
		char l[4096];
		char *p;

		snprintf(l, sizeof(l), "%.*s", (int)len, line);
		line += len;

		if (in_trace && l[0] == ' ' && l[1] == '#')
			continue;
		in_trace = false;
		if (!strncmp(l, "Stack trace:", 12)) {
			buf_str(&b, "Stack trace:\n #N (frames)\n");
			in_trace = true;
			continue;
		}
		p = strstr(l, "IGT-Version: ");
		if (p)	/* also inside the DEBUG dump, after a log prefix */
			snprintf(p, sizeof(l) - (p - l), "IGT-Version: VERSION\n");
		for (p = l; *p; p++) {
			double d;
			int used = 0;

			/* "(1.234s)" -> "(N.NNNs)" */
			if (*p == '(' && sscanf(p, "(%lf%n", &d, &used) == 1 &&
			    used > 4 && p[used] == 's' && p[used + 1] == ')' &&
			    p[used - 4] == '.') {
				buf_str(&b, "(N.NNNs)");
				p += used + 1;
				continue;
			}
			/* "(bin:1234)" -> "(bin:PID)" */
			if (*p == '(') {
				char *e = p + 1, *colon;

				while (*e && !strchr(" ():", *e))
					e++;
				colon = e;
				if (*colon == ':' && colon > p + 1 &&
				    colon[1] >= '0' && colon[1] <= '9') {
					e = colon + 1;
					while (*e >= '0' && *e <= '9')
						e++;
					if (*e == ')') {
						buf_add(&b, p, colon - p);
						buf_str(&b, ":PID)");
						p = e;
						continue;
					}
				}
			}
			buf_add(&b, p, 1);
		}
	}
	free(s);
	return b.p;
}

static char *render(const struct gcase *c, const char *dir, char *out,
		    char *err, char *kmsg, int status)
{
	struct buf b = { 0 };
	char tmp[512];
	char prefix[4200];

	snprintf(tmp, sizeof(tmp), "# golden case '%s': %s", c->name, c->bin);
	buf_str(&b, tmp);
	for (int i = 0; i < MAX_ARGS && c->args[i]; i++) {
		snprintf(tmp, sizeof(tmp), " '%s'", c->args[i]);
		buf_str(&b, tmp);
	}
	buf_str(&b, "\n");
	for (int i = 0; i < 4 && c->env[i]; i++) {
		snprintf(tmp, sizeof(tmp), "# env %s\n", c->env[i]);
		buf_str(&b, tmp);
	}
	if (c->nobody)
		buf_str(&b, "# run as uid 65534\n");
	if (c->kill_sig) {
		snprintf(tmp, sizeof(tmp), "# %s sent %s\n",
			 strsignal(c->kill_sig), c->kill_early ?
			 "after 'Starting subtest:'" : "once the subtest sleeps");
		buf_str(&b, tmp);
	}
	if (WIFEXITED(status))
		snprintf(tmp, sizeof(tmp), "--- exit %d\n", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(tmp, sizeof(tmp), "--- killed by signal %d\n",
			 WTERMSIG(status));
	else
		snprintf(tmp, sizeof(tmp), "--- status %#x\n", status);
	buf_str(&b, tmp);
	buf_str(&b, "--- stdout\n");
	buf_str(&b, out);
	buf_str(&b, "--- stderr\n");
	buf_str(&b, err);
	buf_str(&b, "--- kmsg\n");
	buf_str(&b, kmsg);
	buf_str(&b, "--- end\n");

	/* Build paths: keep the part from lib/tests/examples/ on. */
	snprintf(prefix, sizeof(prefix), "%s/", dir);
	b.p = replace_all(b.p, prefix, "");
	strip_source_prefix(b.p);
	return normalise(b.p);
}

static void show_diff(const char *want, const char *got)
{
	int line = 1;

	while (*want && *got) {
		const char *wn = strchr(want, '\n'), *gn = strchr(got, '\n');
		size_t wl = wn ? (size_t)(wn - want) : strlen(want);
		size_t gl = gn ? (size_t)(gn - got) : strlen(got);

		if (wl != gl || memcmp(want, got, wl)) {
			printf("# line %d differs:\n#  want: %.*s\n#  got:  %.*s\n",
			       line, (int)wl, want, (int)gl, got);
			return;
		}
		want += wl + (wn ? 1 : 0);
		got += gl + (gn ? 1 : 0);
		line++;
	}
	printf("# outputs differ in length after line %d\n", line);
}

int main(void)
{
	const char *dir = getenv("HU_EXAMPLES");
	const char *gdir = getenv("HU_GOLDEN_DIR");
	bool update = getenv("HU_GOLDEN_UPDATE") && *getenv("HU_GOLDEN_UPDATE") &&
		      strcmp(getenv("HU_GOLDEN_UPDATE"), "0");
	const char *only = getenv("HU_GOLDEN_CASE");	/* run just this one */
	char tmpdir[] = "/tmp/hu-golden-XXXXXX";

	if (!dir || !gdir) {
		printf("Bail out! HU_EXAMPLES and HU_GOLDEN_DIR must be set\n");
		return 1;
	}
	if (!mkdtemp(tmpdir)) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	chmod(tmpdir, 0755);

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct gcase *c = &cases[i];
		struct buf out = { 0 }, err = { 0 };
		char kpath[256], gpath[4096], copy[256];
		const char *rundir;
		char *got, *want, *kmsg;
		int status = 0, fd;
		double secs = 0;
		bool ran, same;

		if (only && strcmp(only, c->name))
			continue;
		rundir = dir;
		copy[0] = '\0';
		if (c->nobody && geteuid() == 0) {
			snprintf(gpath, sizeof(gpath), "%s/%s", dir, c->bin);
			snprintf(copy, sizeof(copy), "%s/%s", tmpdir, c->bin);
			if (!check(copy_exec(gpath, copy), "%s: %s copied to %s",
				   c->name, gpath, copy))
				continue;
			/* Fails rather than skips: the verdict is the point. */
			if (!check(nobody_can_exec(copy),
				   "%s: uid 65534 can execute %s", c->name,
				   copy)) {
				printf("# is /tmp mounted noexec?\n");
				unlink(copy);
				continue;
			}
			rundir = tmpdir;
		}
		snprintf(kpath, sizeof(kpath), "%s/%s.kmsg", tmpdir, c->name);
		fd = open(kpath, O_CREAT | O_TRUNC | O_WRONLY, 0666);
		if (fd >= 0) {
			fchmod(fd, 0666);	/* the uid 65534 case writes it */
			close(fd);
		}
		buf_add(&out, "", 0);
		buf_add(&err, "", 0);
		ran = run(c, rundir, kpath, &out, &err, &status, &secs);
		if (copy[0])
			unlink(copy);
		check(ran, "%s: ran within %ds", c->name, RUN_LIMIT_S);
		if (c->timed) {
			/* The time the test reports, before normalisation. */
			const char *t = strstr(out.p, c->timed);
			double reported = -1;

			if (t)
				sscanf(t + strlen(c->timed), "%lf", &reported);
			check(reported >= c->min_s && reported <= c->max_s,
			      "%s: '%s' reports %.3fs, expected %.2f-%.2fs",
			      c->name, c->timed, reported, c->min_s, c->max_s);
		}

		kmsg = read_file(kpath);
		got = render(c, rundir, out.p, err.p, kmsg ? kmsg : "", status);
		unlink(kpath);
		free(kmsg);
		free(out.p);
		free(err.p);

		snprintf(gpath, sizeof(gpath), "%s/%s", gdir, c->name);
		if (update) {
			FILE *f = fopen(gpath, "w");

			check(f && fputs(got, f) >= 0 && !fclose(f),
			      "%s: golden file updated", c->name);
			free(got);
			continue;
		}
		want = read_file(gpath);
		if (!want) {
			printf("# %s missing (HU_GOLDEN_UPDATE=1 creates it); got:\n",
			       gpath);
			for (char *l = strtok(got, "\n"); l; l = strtok(NULL, "\n"))
				printf("#  %s\n", l);
			check(false, "%s: golden file exists", c->name);
			free(got);
			continue;
		}
		same = !strcmp(want, got);
		if (!same) {
			show_diff(want, got);
			printf("# got:\n");
			for (char *l = strtok(got, "\n"); l; l = strtok(NULL, "\n"))
				printf("#  %s\n", l);
		}
		check(same, "%s: output matches golden/%s", c->name, c->name);
		free(want);
		free(got);
	}
	rmdir(tmpdir);
	return check_done();
}
