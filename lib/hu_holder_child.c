// SPDX-License-Identifier: MIT
/*
 * hu_holder_child: a forked process holding its own card and render fds, a
 * mapped dumb BO and a mapped dma-buf. It probes itself when told to and
 * reports back over a pipe; it never runs harness code (no asserts), so a
 * problem in it is a report, not a second copy of the subtest.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hu_core.h"
#include "hu_drm.h"
#include "hu_holder.h"

#define CHILD_TIMEOUT_MS 10000

struct report {
	int err;		/* acquire: 0 or -errno */
	char what[64];		/* which step failed */
	int version;		/* probe: VERSION result on card and render */
	int rversion;
	int map_sig, dmap_sig;	/* signal reading the mappings */
	int map_state, dmap_state;	/* 0 intact, 1 zero, 2 changed */
};

struct child_priv {
	pid_t pid;
	int cmd, res;		/* our ends of the pipes */
};

static int state_of(const void *p, size_t len, uint32_t seed)
{
	return hu_check_pattern(p, len, seed) ? 0 : hu_all_zero(p, len) ? 1 : 2;
}

static const char *const states[] = { "intact", "zero", "changed" };

static void child_main(const struct hu_device *dev, uint32_t seed, int cmd,
		       int res)
{
	struct report r = { 0 };
	int card, render = -1, dmabuf = -1;
	void *map, *dmap = MAP_FAILED, *copy;
	struct hu_bo bo;
	char c, name[64];

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	card = hu_drm_open(dev->card);
	if (card < 0) {
		r.err = card;
		strcpy(r.what, "open card");
		goto out;
	}
	if (dev->render[0])
		render = hu_drm_open(dev->render);
	r.err = hu_drm_dumb_create(card, 256, 256, &bo);
	if (!r.err)
		r.err = hu_drm_dumb_map_offset(card, &bo);
	map = r.err ? MAP_FAILED : hu_drm_mmap_bo(card, &bo);
	if (map == MAP_FAILED) {
		r.err = r.err ? r.err : -errno;
		strcpy(r.what, "dumb BO mmap");
		goto out;
	}
	hu_fill_pattern(map, bo.size, seed);
	r.err = hu_drm_prime_export(card, bo.handle, &dmabuf);
	if (r.err) {
		strcpy(r.what, "PRIME export");
		goto out;
	}
	dmap = mmap(NULL, bo.size, PROT_READ, MAP_SHARED, dmabuf, 0);
	if (dmap == MAP_FAILED) {
		r.err = -errno;
		strcpy(r.what, "dma-buf mmap");
		goto out;
	}
	copy = malloc(bo.size);
	if (write(res, &r, sizeof(r)) != sizeof(r))
		_exit(1);
	while (read(cmd, &c, 1) == 1 && c == 'P' && copy) {
		r.version = hu_drm_driver_name(card, name, sizeof(name));
		r.rversion = render >= 0 ?
			hu_drm_driver_name(render, name, sizeof(name)) : 0;
		r.map_sig = hu_guarded_access(map, bo.size, copy, -1);
		r.map_state = state_of(copy, bo.size, seed);
		r.dmap_sig = hu_guarded_access(dmap, bo.size, copy, -1);
		r.dmap_state = state_of(copy, bo.size, seed);
		if (write(res, &r, sizeof(r)) != sizeof(r))
			_exit(1);
	}
	/* 'R' or the parent went away: the late close of everything */
	munmap(dmap, bo.size);
	munmap(map, bo.size);
	_exit(close(dmabuf) || close(card) || (render >= 0 && close(render)));
out:
	if (write(res, &r, sizeof(r)) != sizeof(r))
		_exit(1);
	_exit(2);
}

static int get_report(struct child_priv *s, struct report *r)
{
	struct pollfd p = { .fd = s->res, .events = POLLIN };

	if (poll(&p, 1, CHILD_TIMEOUT_MS) <= 0)
		return -ETIMEDOUT;
	return read(s->res, r, sizeof(*r)) == sizeof(*r) ? 0 : -EPIPE;
}

/*
 * One command byte to the child, which may be gone (it exits after a
 * failed acquire): EPIPE then, not a SIGPIPE that kills the test binary.
 */
static int send_cmd(int fd, char c)
{
	struct timespec now = { 0 };
	sigset_t pipe_set, old;
	int ret;

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	ret = write(fd, &c, 1) == 1 ? 0 : -errno;
	if (ret == -EPIPE && !sigismember(&old, SIGPIPE))
		sigtimedwait(&pipe_set, NULL, &now);	/* drop ours */
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return ret;
}

/* Bounded wait for the child's exit (a pidfd polls readable on exit). */
static bool child_exited(pid_t pid, int timeout_ms)
{
	int pfd = syscall(SYS_pidfd_open, pid, 0);
	struct pollfd p = { .fd = pfd, .events = POLLIN };
	bool done;

	if (pfd < 0)	/* old kernel: the pipe's hang-up has to do */
		return true;
	done = poll(&p, 1, timeout_ms) > 0;
	close(pfd);
	return done;
}

/*
 * After a failed acquire the child has reported and exits by itself: reap
 * it here, so that no holder is left for the next subtest to release.
 */
static void reap_failed(struct child_priv *s)
{
	if (!child_exited(s->pid, CHILD_TIMEOUT_MS))
		kill(s->pid, SIGKILL);
	waitpid(s->pid, NULL, 0);
	s->pid = 0;
	hu_close(&s->cmd, NULL);
	hu_close(&s->res, NULL);
}

static void child_acquire(struct hu_ctx *ctx, void *p)
{
	struct child_priv *s = p;
	int cmd[2], res[2];
	struct report r;

	s->cmd = s->res = -1;
	s->pid = 0;
	hu_assert_ok(pipe2(cmd, O_CLOEXEC));
	hu_assert_ok(pipe2(res, O_CLOEXEC));
	fflush(NULL);
	s->pid = fork();
	hu_assert(s->pid >= 0);
	if (s->pid == 0) {
		close(cmd[1]);
		close(res[0]);
		child_main(ctx->dev, ctx->seed, cmd[0], res[1]);
	}
	close(cmd[0]);
	close(res[1]);
	s->cmd = cmd[1];
	s->res = res[0];
	hu_assert_f(get_report(s, &r) == 0, "the child did not report in\n");
	if (r.err)
		reap_failed(s);
	/* as the dmabuf holders: a driver without PRIME export skips */
	hu_require_f(!r.err || strcmp(r.what, "PRIME export"),
		     "child: PRIME export: %s\n", strerror(-r.err));
	hu_assert_f(r.err == 0, "child: %s: %s\n", r.what, strerror(-r.err));
}

static void child_probe(struct hu_ctx *ctx, void *p)
{
	struct child_priv *s = p;
	struct report r;

	hu_assert_f(send_cmd(s->cmd, 'P') == 0, "the child is gone\n");
	hu_assert_f(get_report(s, &r) == 0, "the child did not answer a probe\n");
	hu_info("child: VERSION %s/%s, BO mmap %s, dma-buf mmap %s\n",
		r.version ? strerror(-r.version) : "ok",
		r.rversion ? strerror(-r.rversion) : "ok",
		r.map_sig ? strsignal(r.map_sig) : states[r.map_state],
		r.dmap_sig ? strsignal(r.dmap_sig) : states[r.dmap_state]);
	hu_assert_f(!r.map_sig && !r.dmap_sig,
		    "the child's mappings raised a signal\n");
	hu_assert_f(ctx->gone ? r.version == -ENODEV : r.version == 0,
		    "child card fd VERSION: %s\n", strerror(-r.version));
	hu_assert_f(ctx->gone ? r.rversion == -ENODEV || !ctx->dev->render[0]
			      : r.rversion == 0,
		    "child render fd VERSION: %s\n", strerror(-r.rversion));
	hu_assert_f(r.dmap_state == 0, "the child's dma-buf data is %s\n",
		    states[r.dmap_state]);
	hu_assert_f(ctx->gone || r.map_state == 0,
		    "the child's BO data is %s\n", states[r.map_state]);
}

static int child_release(struct hu_ctx *ctx, void *p)
{
	struct child_priv *s = p;
	struct pollfd pf = { .fd = s->res, .events = POLLIN };
	int status = 0, err = 0;
	char buf[sizeof(struct report)];

	if (s->pid <= 0)
		goto out;
	if (s->cmd >= 0 && send_cmd(s->cmd, 'R'))
		err = -EPIPE;
	/* the child's exit closes its end: POLLHUP, bounded */
	while (s->res >= 0 && poll(&pf, 1, CHILD_TIMEOUT_MS) > 0 &&
	       read(s->res, buf, sizeof(buf)) > 0)
		;
	if (!child_exited(s->pid, CHILD_TIMEOUT_MS)) {
		hu_warn("child %d did not exit on request, killing it\n", s->pid);
		kill(s->pid, SIGKILL);
		waitpid(s->pid, &status, 0);
		err = -ETIMEDOUT;
	}
	if (!err && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
		err = -EIO;
	s->pid = 0;
out:
	hu_close(&s->cmd, NULL);
	hu_close(&s->res, NULL);
	return err;
}

const struct hu_holder_ops hu_holder_child = {
	.name = "child-process",
	.desc = "a forked process holding its own fds, BO mmap and mapped "
		"dma-buf, probed and closed on request",
	.priv_size = sizeof(struct child_priv),
	.acquire = child_acquire,
	.probe = child_probe,
	.release = child_release,
};
