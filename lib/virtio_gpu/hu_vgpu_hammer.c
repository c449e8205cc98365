// SPDX-License-Identifier: MIT
/*
 * hu_vgpu_hammer: transfers and waits looping from several threads, so the
 * unplug lands while the device has work queued on DMA-mapped pages.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "hu_vgpu.h"

static bool all_reached(struct hu_vgpu_hammer *h)
{
	for (int i = 0; i < h->nthreads; i++)
		if (!h->stats[i].done && h->stats[i].ok < h->min_ok)
			return false;
	return true;
}

static bool all_done(struct hu_vgpu_hammer *h)
{
	for (int i = 0; i < h->nthreads; i++)
		if (!h->stats[i].done)
			return false;
	return true;
}

/* Counts one ioctl; false when the thread must end. */
static bool account(struct hu_vgpu_hammer *h, int idx, int err,
		    const char *op)
{
	struct hu_vgpu_thread_stats *s = &h->stats[idx];
	bool go_on = true;

	pthread_mutex_lock(&h->lock);
	if (!err) {
		s->ok++;
	} else if (err == -ENODEV) {
		s->enodev++;
		go_on = false;	/* the device is gone: nothing left to do */
	} else if (err != -EBUSY && err != -EINTR) {
		if (!s->bad_errno) {
			s->bad_errno = -err;
			s->bad_op = op;
		}
		go_on = false;
	}
	if (s->ok == h->min_ok || !go_on)
		pthread_cond_broadcast(&h->cond);
	pthread_mutex_unlock(&h->lock);
	return go_on;
}

static void *hammer_thread(void *data)
{
	struct hu_vgpu_hammer_arg *a = data;
	struct hu_vgpu_hammer *h = a->h;
	unsigned long n;

	for (n = a->idx; !__atomic_load_n(&h->stop, __ATOMIC_ACQUIRE); n++) {
		const struct hu_vgpu_bo *bo = &h->bos[n % h->nbos];

		if ((h->ops & HU_VGPU_OP_TO_HOST) &&
		    !account(h, a->idx, __hu_vgpu_transfer_to_host(h->fd, bo),
			     "TRANSFER_TO_HOST"))
			break;
		if ((h->ops & HU_VGPU_OP_FROM_HOST) &&
		    !account(h, a->idx,
			     __hu_vgpu_transfer_from_host(h->fd, bo),
			     "TRANSFER_FROM_HOST"))
			break;
		if ((h->ops & HU_VGPU_OP_WAIT) &&
		    !account(h, a->idx, __hu_vgpu_wait(h->fd, bo->handle, false),
			     "WAIT"))
			break;
	}
	pthread_mutex_lock(&h->lock);
	h->stats[a->idx].done = true;
	pthread_cond_broadcast(&h->cond);
	pthread_mutex_unlock(&h->lock);
	return NULL;
}

int __hu_vgpu_hammer_start(struct hu_vgpu_hammer *h, int fd,
			   struct hu_vgpu_bo *bos, int nbos, int nthreads,
			   unsigned int ops)
{
	pthread_condattr_t ca;
	int i, err;

	if (nthreads < 1 || nthreads > HU_VGPU_HAMMER_MAX || nbos < 1 || !ops)
		return -EINVAL;
	memset(h, 0, sizeof(*h));
	h->fd = fd;
	h->bos = bos;
	h->nbos = nbos;
	h->nthreads = nthreads;
	h->ops = ops;
	pthread_mutex_init(&h->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&h->cond, &ca);
	pthread_condattr_destroy(&ca);
	for (i = 0; i < nthreads; i++) {
		h->args[i].h = h;
		h->args[i].idx = i;
		err = pthread_create(&h->threads[i], NULL, hammer_thread,
				     &h->args[i]);
		if (err) {
			h->nthreads = i;
			hu_vgpu_hammer_stop(h, 1000);
			return -err;
		}
		h->started[i] = true;
	}
	return 0;
}

static void deadline(struct timespec *ts, unsigned int ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000;
	if (ts->tv_nsec >= 1000000000) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000;
	}
}

static int wait_for(struct hu_vgpu_hammer *h,
		    bool (*cond)(struct hu_vgpu_hammer *), unsigned int ms)
{
	struct timespec ts;
	int err = 0;

	deadline(&ts, ms);
	pthread_mutex_lock(&h->lock);
	while (!cond(h) && err != ETIMEDOUT)
		err = pthread_cond_timedwait(&h->cond, &h->lock, &ts);
	err = cond(h) ? 0 : -ETIMEDOUT;
	pthread_mutex_unlock(&h->lock);
	return err;
}

int hu_vgpu_hammer_wait_busy(struct hu_vgpu_hammer *h, unsigned long min_ok,
			     unsigned int ms)
{
	pthread_mutex_lock(&h->lock);
	h->min_ok = min_ok;
	pthread_mutex_unlock(&h->lock);
	return wait_for(h, all_reached, ms);
}

int hu_vgpu_hammer_wait_done(struct hu_vgpu_hammer *h, unsigned int ms)
{
	return wait_for(h, all_done, ms);
}

int hu_vgpu_hammer_stop(struct hu_vgpu_hammer *h, unsigned int ms)
{
	int i, stuck = 0;

	__atomic_store_n(&h->stop, true, __ATOMIC_RELEASE);
	wait_for(h, all_done, ms);
	for (i = 0; i < h->nthreads; i++) {
		if (!h->started[i])
			continue;
		if (h->stats[i].done) {
			pthread_join(h->threads[i], NULL);
			h->started[i] = false;
		} else {
			stuck++;	/* blocked in an ioctl: leave it */
		}
	}
	return stuck;
}
