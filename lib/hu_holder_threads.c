// SPDX-License-Identifier: MIT
/*
 * hu_holder_threads: work in flight through the trigger. "hammer" threads
 * issue ioctls on held card and render fds; "readers" threads read sysfs
 * (through files opened before the trigger and by path), debugfs and
 * /proc/self/fdinfo. The probe waits (bounded) until every thread has gone
 * round after the trigger, stops them, and joins them with a deadline: a
 * thread stuck in the kernel is a failure.
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <drm.h>

#include "hu_core.h"
#include "hu_device.h"
#include "hu_drm.h"
#include "hu_holder.h"

#define NTHREADS 4
#define ROUND_TIMEOUT_MS 5000
#define JOIN_TIMEOUT_MS 10000
#define MAX_PATHS 16

struct worker {
	struct threads_priv *s;
	int idx;
	pthread_t t;
	bool running;
	atomic_ulong rounds, ok, enodev, other;
	atomic_int last_errno;
};

struct threads_priv {
	int card, render;
	atomic_bool stop;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct worker w[NTHREADS];
	int npaths, held[MAX_PATHS];
	char paths[MAX_PATHS][160];
	bool stopped;
};

static void count(struct worker *w, int r)
{
	if (r == 0)
		w->ok++;
	else if (r == -ENODEV)
		w->enodev++;
	else {
		w->other++;
		w->last_errno = -r;
	}
}

static void round_done(struct worker *w)
{
	pthread_mutex_lock(&w->s->lock);
	w->rounds++;
	pthread_cond_broadcast(&w->s->cond);
	pthread_mutex_unlock(&w->s->lock);
}

static void *hammer_thread(void *arg)
{
	struct worker *w = arg;
	int fd = (w->idx & 1) && w->s->render >= 0 ? w->s->render : w->s->card;
	bool card = fd == w->s->card;
	char name[64];

	while (!w->s->stop) {
		uint64_t cap;
		struct hu_bo bo;
		int r;

		count(w, hu_drm_driver_name(fd, name, sizeof(name)));
		count(w, hu_drm_get_cap(fd, DRM_CAP_PRIME, &cap));
		if (card) {
			r = hu_drm_dumb_create(fd, 64, 64, &bo);
			count(w, r);
			if (!r)
				count(w, hu_drm_dumb_destroy(fd, bo.handle));
		}
		round_done(w);
	}
	return NULL;
}

static int read_path(const char *path)
{
	char buf[4096];
	int fd = open(path, O_RDONLY | O_CLOEXEC), r = 0;

	if (fd < 0)
		return -errno;
	while (r == 0) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n < 0)
			r = -errno;
		if (n <= 0)
			break;
	}
	close(fd);
	return r;
}

static void *reader_thread(void *arg)
{
	struct worker *w = arg;
	struct threads_priv *s = w->s;
	char buf[4096];

	while (!s->stop) {
		for (int i = 0; i < s->npaths; i++) {
			if (w->idx & 1) {
				count(w, read_path(s->paths[i]));
			} else if (s->held[i] >= 0) {
				ssize_t n = pread(s->held[i], buf, sizeof(buf), 0);

				count(w, n < 0 ? -errno : 0);
			}
		}
		round_done(w);
	}
	return NULL;
}

static void open_fds(struct hu_ctx *ctx, struct threads_priv *s)
{
	s->card = s->render = -1;
	for (int i = 0; i < MAX_PATHS; i++)
		s->held[i] = -1;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->cond, NULL);
	s->card = hu_drm_open(ctx->dev->card);
	hu_assert_f(s->card >= 0, "open %s: %s\n", ctx->dev->card,
		    strerror(-s->card));
	if (ctx->dev->render[0])
		s->render = hu_drm_open(ctx->dev->render);
}

static void start(struct threads_priv *s, void *(*fn)(void *))
{
	for (int i = 0; i < NTHREADS; i++) {
		s->w[i].s = s;
		s->w[i].idx = i;
		hu_assert_ok(pthread_create(&s->w[i].t, NULL, fn, &s->w[i]));
		s->w[i].running = true;
	}
}

/* Every thread goes round twice more (bounded); true if they all did. */
static bool wait_rounds(struct threads_priv *s)
{
	unsigned long want[NTHREADS];
	struct timespec ts;
	bool all = false;

	for (int i = 0; i < NTHREADS; i++)
		want[i] = s->w[i].rounds + 2;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ROUND_TIMEOUT_MS / 1000;
	pthread_mutex_lock(&s->lock);
	for (;;) {
		all = true;
		for (int i = 0; i < NTHREADS; i++)
			all &= s->w[i].rounds >= want[i];
		if (all || pthread_cond_timedwait(&s->cond, &s->lock, &ts))
			break;
	}
	pthread_mutex_unlock(&s->lock);
	return all;
}

/* Stops and joins the threads; the number still stuck after the deadline. */
static int stop(struct threads_priv *s)
{
	struct timespec ts;
	int stuck = 0;

	s->stop = true;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += JOIN_TIMEOUT_MS / 1000;
	for (int i = 0; i < NTHREADS; i++) {
		if (!s->w[i].running)
			continue;
		if (pthread_timedjoin_np(s->w[i].t, NULL, &ts)) {
			stuck++;
			continue;
		}
		s->w[i].running = false;
	}
	return stuck;
}

static void probe_threads(struct hu_ctx *ctx, struct threads_priv *s,
			  const char *what, bool strict)
{
	bool went_round;
	int stuck;

	if (s->stopped) {
		hu_info("%s: stopped at the first probe\n", what);
		return;
	}
	went_round = wait_rounds(s);
	stuck = stop(s);
	s->stopped = true;
	for (int i = 0; i < NTHREADS; i++)
		hu_info("%s thread %d: %lu rounds, %lu ok, %lu ENODEV, %lu other (last %s)\n",
			what, i, (unsigned long)s->w[i].rounds,
			(unsigned long)s->w[i].ok,
			(unsigned long)s->w[i].enodev,
			(unsigned long)s->w[i].other,
			s->w[i].other ? strerror(s->w[i].last_errno) : "-");
	hu_assert_f(!stuck, "%d %s threads still stuck after %d ms\n", stuck,
		    what, JOIN_TIMEOUT_MS);
	hu_assert_f(went_round, "%s threads did not go round after the trigger\n",
		    what);
	for (int i = 0; i < NTHREADS && strict; i++) {
		hu_assert_f(!s->w[i].other, "%s thread %d got %s, expected "
			    "success or ENODEV\n", what, i,
			    strerror(s->w[i].last_errno));
		hu_assert_f(!ctx->gone || s->w[i].enodev,
			    "%s thread %d never saw ENODEV\n", what, i);
		hu_assert_f(ctx->gone || !s->w[i].enodev,
			    "%s thread %d saw ENODEV with the device present\n",
			    what, i);
	}
}

static int threads_release(struct hu_ctx *ctx, void *p)
{
	struct threads_priv *s = p;
	int err = 0;

	if (stop(s))	/* cannot free what a thread may still use */
		return -EBUSY;
	for (int i = 0; i < s->npaths; i++)
		hu_close(&s->held[i], &err);
	hu_close(&s->render, &err);
	hu_close(&s->card, &err);
	return err;
}

static void hammer_acquire(struct hu_ctx *ctx, void *p)
{
	open_fds(ctx, p);
	start(p, hammer_thread);
}

static void hammer_probe(struct hu_ctx *ctx, void *p)
{
	probe_threads(ctx, p, "ioctl hammer", true);
}

const struct hu_holder_ops hu_holder_hammer = {
	.name = "hammer",
	.desc = "threads issuing ioctls on held card and render fds through "
		"the trigger",
	.priv_size = sizeof(struct threads_priv),
	.acquire = hammer_acquire,
	.probe = hammer_probe,
	.release = threads_release,
};

static void add_path(struct threads_priv *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void add_path(struct threads_priv *s, const char *fmt, ...)
{
	va_list ap;
	char *p = s->paths[s->npaths];

	if (s->npaths >= MAX_PATHS)
		return;
	va_start(ap, fmt);
	vsnprintf(p, sizeof(s->paths[0]), fmt, ap);
	va_end(ap);
	if (access(p, R_OK))
		return;
	s->held[s->npaths] = open(p, O_RDONLY | O_CLOEXEC);
	s->npaths++;
}

static void readers_acquire(struct hu_ctx *ctx, void *p)
{
	struct threads_priv *s = p;
	static const char *const card_files[] = {
		"uevent", "dev", "device/uevent", "device/vendor",
		"device/device", "device/modalias", "power/runtime_status",
	};
	static const char *const debugfs_files[] = {
		"name", "clients", "gem_names",
	};
	int n = ctx->dev->card_index;

	open_fds(ctx, s);
	for (size_t i = 0; i < sizeof(card_files) / sizeof(*card_files); i++)
		add_path(s, "/sys/class/drm/card%d/%s", n, card_files[i]);
	for (size_t i = 0; i < sizeof(debugfs_files) / sizeof(*debugfs_files); i++)
		add_path(s, "/sys/kernel/debug/dri/%d/%s", n, debugfs_files[i]);
	add_path(s, "/proc/self/fdinfo/%d", s->card);
	start(s, reader_thread);
	hu_info("readers: %d files (sysfs, debugfs, fdinfo)\n", s->npaths);
}

static void readers_probe(struct hu_ctx *ctx, void *p)
{
	struct threads_priv *s = p;
	int fdinfo = s->npaths - 1;
	char buf[1024];
	ssize_t n = pread(s->held[fdinfo], buf, sizeof(buf) - 1, 0);

	hu_info("readers: fdinfo of the held card fd: %s\n",
		n < 0 ? strerror(errno) : "readable");
	probe_threads(ctx, p, "sysfs/debugfs/fdinfo reader", false);
}

const struct hu_holder_ops hu_holder_readers = {
	.name = "readers",
	.desc = "threads reading sysfs (held open and by path), debugfs and "
		"fdinfo through the trigger",
	.priv_size = sizeof(struct threads_priv),
	.acquire = readers_acquire,
	.probe = readers_probe,
	.release = threads_release,
};
