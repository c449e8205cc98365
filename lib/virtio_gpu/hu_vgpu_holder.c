// SPDX-License-Identifier: MIT
/*
 * hu_vgpu_holder: see hu_vgpu_holder.h.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hu_core.h"
#include "hu_drm.h"
#include "hu_vgpu.h"
#include "hu_vgpu_holder.h"

#define NBOS 4
#define THREADS 3
#define BUSY_OPS 4		/* ioctls per thread before the trigger */
#define BUSY_MS 20000
#define DONE_MS 15000		/* threads must see the device gone by then */

struct vgpu_priv {
	int fd;
	struct hu_vgpu_bo bos[NBOS];
	int nbos;
	int dmabuf;
	void *dmap;
	struct hu_vgpu_hammer h;
	bool hammer, hammer_checked;
};

/* --- common ----------------------------------------------------------- */

static void open_dev(struct hu_ctx *ctx, struct vgpu_priv *s)
{
	s->dmabuf = -1;
	s->fd = hu_drm_open(ctx->dev->card);
	hu_assert_f(s->fd >= 0, "open %s: %s\n", ctx->dev->card,
		    strerror(-s->fd));
}

static void new_bo(struct hu_ctx *ctx, struct vgpu_priv *s, uint32_t w,
		   uint32_t h, bool map)
{
	struct hu_vgpu_bo *bo = &s->bos[s->nbos];

	hu_vgpu_create_2d(s->fd, w, h, bo);
	s->nbos++;
	if (map) {
		hu_vgpu_bo_mmap(s->fd, bo);
		hu_fill_pattern(bo->map, bo->size, ctx->seed + s->nbos);
	}
}

/* What every held virtio-gpu fd must answer once the device is gone. */
static void probe_ioctls(struct vgpu_priv *s)
{
	const struct hu_vgpu_bo *bo = &s->bos[0];
	uint64_t v;
	int r;

	r = __hu_vgpu_getparam(s->fd, 1, &v);
	hu_assert_f(r == -ENODEV, "GETPARAM after unplug: %s\n", strerror(-r));
	r = __hu_vgpu_resource_info(s->fd, bo->handle, NULL, NULL);
	hu_assert_f(r == -ENODEV, "RESOURCE_INFO after unplug: %s\n",
		    strerror(-r));
	r = __hu_vgpu_transfer_to_host(s->fd, bo);
	hu_assert_f(r == -ENODEV, "TRANSFER_TO_HOST after unplug: %s\n",
		    strerror(-r));
	r = __hu_vgpu_wait(s->fd, bo->handle, false);
	hu_assert_f(r == -ENODEV, "WAIT after unplug: %s\n", strerror(-r));
	hu_info("virtio-gpu ioctls after unplug: ENODEV\n");
}

static void probe_maps(struct hu_ctx *ctx, struct vgpu_priv *s)
{
	for (int i = 0; i < s->nbos; i++) {
		struct hu_vgpu_bo *bo = &s->bos[i];
		char what[64];

		if (!bo->map)
			continue;
		snprintf(what, sizeof(what), "resource %u mmap", bo->res_handle);
		/* guest backing pages are shmem: the data cannot go away */
		hu_probe_map(bo->map, bo->size, ctx->seed + i + 1, true, what);
	}
}

static int release_common(struct vgpu_priv *s)
{
	int err = 0;

	if (s->hammer) {
		int stuck = hu_vgpu_hammer_stop(&s->h, 2000);

		if (stuck) {
			hu_warn("%d transfer threads stuck in the kernel\n",
				stuck);
			err = -EBUSY;
		}
		s->hammer = false;
	}
	for (int i = 0; i < s->nbos; i++)
		hu_vgpu_bo_munmap(&s->bos[i]);
	if (s->dmap)
		hu_unmap(&s->dmap, s->bos[0].size);
	hu_close(&s->dmabuf, &err);
	hu_close(&s->fd, &err);	/* the GEM handles go with the fd */
	return err;
}

static int vgpu_release(struct hu_ctx *ctx, void *p)
{
	return release_common(p);
}

/* --- transfers -------------------------------------------------------- */

static void transfers_acquire(struct hu_ctx *ctx, void *p)
{
	struct vgpu_priv *s = p;
	struct hu_vgpu_caps caps;
	unsigned int ops = HU_VGPU_OP_TO_HOST | HU_VGPU_OP_WAIT;
	int err;

	open_dev(ctx, s);
	hu_vgpu_get_features(s->fd, &caps);
	if (caps.virgl_3d)
		ops |= HU_VGPU_OP_FROM_HOST;	/* 3D only */
	for (int i = 0; i < NBOS; i++)
		new_bo(ctx, s, 256, 256, i < 2);
	err = __hu_vgpu_hammer_start(&s->h, s->fd, s->bos, s->nbos, THREADS,
				     ops);
	hu_assert_f(!err, "starting transfer threads: %s\n", strerror(-err));
	s->hammer = true;
	err = hu_vgpu_hammer_wait_busy(&s->h, BUSY_OPS, BUSY_MS);
	hu_assert_f(!err, "transfer threads did not get %d ioctls each done "
		    "within %d ms\n", BUSY_OPS, BUSY_MS);
	for (int i = 0; i < THREADS; i++)
		hu_assert_f(!s->h.stats[i].bad_errno, "thread %d: %s: %s\n", i,
			    s->h.stats[i].bad_op,
			    strerror(s->h.stats[i].bad_errno));
}

static void transfers_probe(struct hu_ctx *ctx, void *p)
{
	struct vgpu_priv *s = p;

	if (!ctx->gone) {
		hu_assert_f(__hu_vgpu_resource_info(s->fd, s->bos[0].handle,
						    NULL, NULL) == 0,
			    "RESOURCE_INFO on a device still present failed\n");
		return;
	}
	if (s->hammer && !s->hammer_checked) {
		int err = hu_vgpu_hammer_wait_done(&s->h, DONE_MS);

		hu_assert_f(!err, "transfer threads still running %d ms after "
			    "the device went away\n", DONE_MS);
		for (int i = 0; i < THREADS; i++) {
			const struct hu_vgpu_thread_stats *t = &s->h.stats[i];

			hu_info("transfer thread %d: %lu ioctls, then %s\n", i,
				t->ok, t->enodev ? "ENODEV" :
				t->bad_errno ? strerror(t->bad_errno) : "stop");
			hu_assert_f(!t->bad_errno, "thread %d: %s failed with "
				    "%s (want ENODEV)\n", i, t->bad_op,
				    strerror(t->bad_errno));
			hu_assert_f(t->enodev, "thread %d ended without "
				    "seeing ENODEV\n", i);
		}
		hu_assert_eq(hu_vgpu_hammer_stop(&s->h, 2000), 0);
		s->hammer = false;
		s->hammer_checked = true;
	}
	probe_ioctls(s);
	probe_maps(ctx, s);
}

const struct hu_holder_ops hu_vgpu_holder_transfers = {
	.name = "transfers",
	.desc = "virtio-gpu resources with guest pages, two of them mmapped, "
		"TRANSFER_TO_HOST and WAIT looping from 3 threads",
	.priv_size = sizeof(struct vgpu_priv),
	.driver = "virtio_gpu",
	.acquire = transfers_acquire,
	.probe = transfers_probe,
	.release = vgpu_release,
};

/* --- mmap ------------------------------------------------------------- */

static void mmap_acquire(struct hu_ctx *ctx, void *p)
{
	struct vgpu_priv *s = p;

	open_dev(ctx, s);
	new_bo(ctx, s, 512, 512, true);
}

static void mmap_probe(struct hu_ctx *ctx, void *p)
{
	struct vgpu_priv *s = p;
	struct hu_vgpu_bo again = s->bos[0];
	int r, sig;

	probe_maps(ctx, s);
	/* still writable: the pages belong to the BO, not the device */
	sig = hu_guarded_access(s->bos[0].map, s->bos[0].size, NULL, 0x5a);
	hu_assert_f(!sig, "writing the resource mmap raised %s\n",
		    strsignal(sig));
	hu_fill_pattern(s->bos[0].map, s->bos[0].size, ctx->seed + 1);
	again.map = NULL;
	r = __hu_vgpu_bo_mmap(s->fd, &again);
	hu_info("resource: new VIRTGPU_MAP %s\n", r ? strerror(-r) : "works");
	if (!r)
		hu_vgpu_bo_munmap(&again);
	hu_assert_f(!ctx->gone || r == -ENODEV,
		    "VIRTGPU_MAP after unplug: %s (want ENODEV)\n",
		    r ? strerror(-r) : "works");
}

const struct hu_holder_ops hu_vgpu_holder_mmap = {
	.name = "mmap",
	.desc = "a 1 MiB virtio-gpu resource mmapped through VIRTGPU_MAP "
		"holding a pattern",
	.priv_size = sizeof(struct vgpu_priv),
	.driver = "virtio_gpu",
	.acquire = mmap_acquire,
	.probe = mmap_probe,
	.release = vgpu_release,
};

/* --- dmabuf ----------------------------------------------------------- */

static void dmabuf_acquire(struct hu_ctx *ctx, void *p)
{
	struct vgpu_priv *s = p;
	struct hu_vgpu_bo *bo = &s->bos[0];
	int r;

	open_dev(ctx, s);
	new_bo(ctx, s, 256, 256, true);
	r = __hu_vgpu_transfer_to_host(s->fd, bo);
	hu_assert_f(!r, "TRANSFER_TO_HOST: %s\n", strerror(-r));
	r = __hu_vgpu_bo_export(s->fd, bo);
	hu_assert_f(r >= 0, "PRIME export of a resource: %s\n", strerror(-r));
	s->dmabuf = r;
	s->dmap = mmap(NULL, bo->size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       s->dmabuf, 0);
	hu_assert_f(s->dmap != MAP_FAILED, "mmap of the dma-buf: %m\n");
	hu_assert_f(hu_check_pattern(s->dmap, bo->size, ctx->seed + 1),
		    "the dma-buf mmap does not show the resource's data\n");
}

static void dmabuf_probe(struct hu_ctx *ctx, void *p)
{
	struct vgpu_priv *s = p;
	int r;

	probe_maps(ctx, s);
	hu_probe_map(s->dmap, s->bos[0].size, ctx->seed + 1, true,
		     "dma-buf mmap");
	r = hu_dmabuf_sync(s->dmabuf, false);
	if (!r)
		r = hu_dmabuf_sync(s->dmabuf, true);
	hu_assert_f(!r, "DMA_BUF_IOCTL_SYNC on the exported resource: %s\n",
		    strerror(-r));
}

const struct hu_holder_ops hu_vgpu_holder_dmabuf = {
	.name = "dmabuf",
	.desc = "a virtio-gpu resource exported as a dma-buf, both mmapped",
	.priv_size = sizeof(struct vgpu_priv),
	.driver = "virtio_gpu",
	.acquire = dmabuf_acquire,
	.probe = dmabuf_probe,
	.release = vgpu_release,
};
