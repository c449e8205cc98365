// SPDX-License-Identifier: MIT
/*
 * Small host helpers of hotunplug-vm: messages, files, bounded child runs.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vm.h"

double vm_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

void vm_msg(const char *fmt, ...)
{
	va_list ap;

	fputs("[vm] ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
}

void vm_die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("hotunplug-vm: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

int vm_mkdir_p(const char *path)
{
	char buf[4096];
	size_t n = strlen(path);

	if (n == 0 || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, path, n + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	return remove(path) ? -errno : 0;
}

int vm_rm_rf(const char *path)
{
	if (access(path, F_OK))
		return 0;
	return nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

int vm_copy_file(const char *src, const char *dst, mode_t mode)
{
	char buf[65536];
	ssize_t n;
	int in, out, ret = 0;

	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -errno;
	out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (out < 0) {
		ret = -errno;
		close(in);
		return ret;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0) {
		if (write(out, buf, n) != n) {
			ret = -EIO;
			break;
		}
	}
	if (n < 0)
		ret = -errno;
	close(in);
	if (close(out) && !ret)
		ret = -errno;
	return ret;
}

int vm_write_file(const char *path, const char *text)
{
	char tmp[4200];
	FILE *f;

	/* write + rename: the guest never reads a half-written file */
	vm_fmt(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return -errno;
	fputs(text, f);
	if (fclose(f))
		return -errno;
	return rename(tmp, path) ? -errno : 0;
}

char *vm_read_file(const char *path, size_t max, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf;
	size_t n;

	if (!f)
		return NULL;
	buf = malloc(max + 1);
	if (!buf) {
		fclose(f);
		return NULL;
	}
	n = fread(buf, 1, max, f);
	fclose(f);
	buf[n] = 0;
	if (len)
		*len = n;
	return buf;
}

/* FNV-1a, 64 bit: cache keys, not security */
uint64_t vm_hash(uint64_t h, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	if (!h)
		h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

uint64_t vm_hash_file(uint64_t h, const char *path)
{
	char buf[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return vm_hash(h, path, strlen(path));
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		h = vm_hash(h, buf, n);
	close(fd);
	return h;
}

/*
 * Runs argv with stdout captured into out (NUL-terminated, trailing
 * newlines dropped), stderr passed through. Killed after timeout_s.
 * Returns the exit status, or -1 (could not run, killed).
 */
int vm_run(char *const argv[], char *out, size_t outlen, int timeout_s)
{
	double deadline = vm_now() + timeout_s;
	size_t used = 0;
	int pfd[2], status;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		sigset_t none;

		/* the parent takes them through a signalfd; a child dies of them */
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(pfd[1], 1);
		execvp(argv[0], argv);
		fprintf(stderr, "hotunplug-vm: cannot run %s: %m\n", argv[0]);
		_exit(127);
	}
	close(pfd[1]);
	for (;;) {
		struct pollfd p = { .fd = pfd[0], .events = POLLIN };
		int left = (int)((deadline - vm_now()) * 1000);
		char tmp[4096];
		ssize_t n;

		if (left <= 0) {
			fprintf(stderr, "hotunplug-vm: %s: timed out after %d s\n",
				argv[0], timeout_s);
			kill(pid, SIGKILL);
			break;
		}
		if (poll(&p, 1, left) <= 0)
			continue;
		n = read(pfd[0], tmp, sizeof(tmp));
		if (n <= 0)
			break;
		if (out && used + 1 < outlen) {
			size_t c = (size_t)n < outlen - 1 - used ? (size_t)n : outlen - 1 - used;

			memcpy(out + used, tmp, c);
			used += c;
		}
	}
	close(pfd[0]);
	if (out && outlen) {
		out[used] = 0;
		while (used && out[used - 1] == '\n')
			out[--used] = 0;
	}
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return -1;
}

bool vm_is_exe(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISREG(st.st_mode) && (st.st_mode & 0111);
}

/* The repository: runner scripts, runner/guest/, ci/sidroot.sh */
const char *vm_source_dir(void)
{
	const char *env = getenv("HU_SOURCE_DIR");

	return env && *env ? env : HU_SOURCE_DIR;
}

/*
 * snprintf for paths and command lines: too long is an error, not a cut.
 * The library's hu_fmt() keeps the same rule: it empties the buffer and
 * returns -ENAMETOOLONG where a test must not die.
 */
void vm_fmt(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len)
		vm_die("too long: %.80s...", buf);
}
