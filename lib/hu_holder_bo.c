// SPDX-License-Identifier: MIT
/*
 * hu_holder_bo: buffer holders. mmap (a dumb BO mapped through the card fd),
 * dmabuf (its PRIME export, mapped), import (that dma-buf in vgem, mapped
 * there). They share one state; each acquires one step further.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hu_core.h"
#include "hu_drm.h"
#include "hu_holder.h"

#define BO_W 256
#define BO_H 256

struct bo_priv {
	int card, dmabuf, vgem;
	struct hu_bo bo;
	uint32_t vhandle;
	void *map, *dmap, *vmap;
};

static void bo_acquire(struct hu_ctx *ctx, struct bo_priv *s)
{
	s->card = s->dmabuf = s->vgem = -1;
	hu_pattern_bo(ctx->dev, BO_W, BO_H, ctx->seed, &s->card, &s->bo,
		      &s->map);
}

static void dmabuf_acquire(struct hu_ctx *ctx, struct bo_priv *s)
{
	int err;

	bo_acquire(ctx, s);
	err = hu_drm_prime_export(s->card, s->bo.handle, &s->dmabuf);
	hu_require_f(!err, "PRIME export: %s\n", strerror(-err));
	s->dmap = mmap(NULL, s->bo.size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       s->dmabuf, 0);
	hu_require_f(s->dmap != MAP_FAILED, "dma-buf mmap: %s\n",
		     strerror(errno));
	hu_assert_ok(hu_dmabuf_sync(s->dmabuf, false));
	hu_assert_f(hu_check_pattern(s->dmap, s->bo.size, ctx->seed),
		    "dma-buf mapping does not show the BO's data\n");
	hu_assert_ok(hu_dmabuf_sync(s->dmabuf, true));
}

static void import_acquire(struct hu_ctx *ctx, struct bo_priv *s)
{
	int err;

	dmabuf_acquire(ctx, s);
	s->vgem = hu_drm_open_vgem();
	hu_require_f(s->vgem >= 0, "no vgem: %s\n", strerror(-s->vgem));
	err = hu_drm_prime_import(s->vgem, s->dmabuf, &s->vhandle);
	/*
	 * Before any trigger: an exporter whose BOs cannot be attached by
	 * another device (bochs on 6.12: VRAM BOs have no sg table, ENOSYS)
	 * lacks a capability, which is a skip, not a hot-unplug failure.
	 */
	hu_require_f(err != -ENOSYS && err != -EOPNOTSUPP,
		     "vgem cannot import this driver's dma-buf: %s\n",
		     strerror(-err));
	hu_assert_ok(err);
}

static int bo_release(struct hu_ctx *ctx, void *p)
{
	struct bo_priv *s = p;
	int err = 0;

	hu_unmap(&s->vmap, s->bo.size);
	hu_unmap(&s->dmap, s->bo.size);
	hu_unmap(&s->map, s->bo.size);
	hu_close(&s->vgem, &err);
	hu_close(&s->dmabuf, &err);
	hu_close(&s->card, &err);
	return err;
}

/* The BO's own mapping: never SIGBUS; a new mmap must fail once gone. */
static void probe_cpu_map(struct hu_ctx *ctx, struct bo_priv *s)
{
	size_t len = s->bo.size;
	void *copy = malloc(len), *again;
	int sig;

	hu_assert(copy);
	hu_probe_map(s->map, len, ctx->seed, !ctx->gone, "BO CPU mmap");
	hu_fill_pattern(copy, len, ctx->seed);
	sig = hu_guarded_write(s->map, copy, len);
	free(copy);
	hu_assert_f(!sig, "writing the BO mapping raised %s\n", strsignal(sig));

	again = hu_drm_mmap_bo(s->card, &s->bo);
	hu_info("BO CPU mmap: writable; new mmap %s\n",
		again == MAP_FAILED ? strerror(errno) : "works");
	if (again != MAP_FAILED)
		munmap(again, len);
	hu_assert_f(!ctx->gone || again == MAP_FAILED,
		    "a new mmap of the unplugged device's BO succeeded\n");
}

static void probe_dmabuf(struct hu_ctx *ctx, struct bo_priv *s)
{
	int r;

	hu_probe_map(s->dmap, s->bo.size, ctx->seed, true, "dma-buf mmap");
	r = hu_dmabuf_sync(s->dmabuf, false);
	if (!r)
		r = hu_dmabuf_sync(s->dmabuf, true);
	hu_info("dma-buf: DMA_BUF_IOCTL_SYNC %s\n", r ? strerror(-r) : "works");
	hu_assert_f(!r, "DMA_BUF_IOCTL_SYNC on the exported buffer: %s\n",
		    strerror(-r));
	hu_probe_new_map(s->dmabuf, s->bo.size, ctx->seed, "dma-buf");
}

static void mmap_acquire(struct hu_ctx *ctx, void *p)
{
	bo_acquire(ctx, p);
}

static void mmap_probe(struct hu_ctx *ctx, void *p)
{
	struct bo_priv *s = p;

	hu_probe_fd(s->card, true, ctx->gone, "card fd of the BO");
	probe_cpu_map(ctx, s);
}

const struct hu_holder_ops hu_holder_mmap = {
	.name = "mmap",
	.desc = "a dumb BO with a CPU mmap holding a pattern",
	.priv_size = sizeof(struct bo_priv),
	.acquire = mmap_acquire,
	.probe = mmap_probe,
	.release = bo_release,
};

static void dmabuf_acquire_cb(struct hu_ctx *ctx, void *p)
{
	dmabuf_acquire(ctx, p);
}

static void dmabuf_probe(struct hu_ctx *ctx, void *p)
{
	probe_dmabuf(ctx, p);
}

const struct hu_holder_ops hu_holder_dmabuf = {
	.name = "dmabuf",
	.desc = "a PRIME-exported dumb BO, mapped through the dma-buf, with "
		"DMA_BUF_IOCTL_SYNC",
	.priv_size = sizeof(struct bo_priv),
	.acquire = dmabuf_acquire_cb,
	.probe = dmabuf_probe,
	.release = bo_release,
};

static void import_acquire_cb(struct hu_ctx *ctx, void *p)
{
	import_acquire(ctx, p);
}

/*
 * What an importer can still do with the buffer of a device that is gone:
 * hand it on (re-export, map, read the data) and fence it (vgem attaches a
 * fence to the exporter's reservation object; it must signal).
 */
static void import_probe(struct hu_ctx *ctx, void *p)
{
	struct bo_priv *s = p;
	int fd, sync_file, err, status, r;
	uint32_t fence;

	probe_dmabuf(ctx, s);
	err = hu_drm_prime_export(s->vgem, s->vhandle, &fd);
	hu_info("vgem importer: re-export %s\n", err ? strerror(-err) : "works");
	hu_assert_f(!err, "vgem cannot re-export the import: %s\n",
		    strerror(-err));
	hu_probe_new_map(fd, s->bo.size, ctx->seed, "vgem importer's re-export");
	close(fd);

	err = hu_vgem_fence_attach(s->vgem, s->vhandle, &fence);
	hu_info("vgem importer: fence on the import %s\n",
		err ? strerror(-err) : "attached");
	hu_assert_f(!err, "vgem cannot fence the import: %s\n", strerror(-err));
	err = hu_dmabuf_export_sync_file(s->dmabuf, &sync_file);
	if (!err) {
		r = hu_sync_file_wait(sync_file, 0, &status);
		hu_assert_f(r == 0, "the importer's fence is signalled early\n");
	}
	r = hu_vgem_fence_signal(s->vgem, fence);
	hu_assert_f(!r || r == -ETIMEDOUT, "VGEM_FENCE_SIGNAL: %s\n",
		    strerror(-r));	/* ETIMEDOUT: vgem's 10 s timer did */
	if (!err) {
		r = hu_sync_file_wait(sync_file, 2000, &status);
		close(sync_file);
		hu_info("vgem importer: exporter's sync_file %s, status %d\n",
			r > 0 ? "signalled" : "NOT signalled", status);
		hu_assert_f(r > 0 && status == 1, "the exporter's sync_file "
			    "did not signal the importer's fence\n");
	}
}

/*
 * A real import of a small exported BO, before anything is held: some
 * exporters' BOs cannot be attached by another device (bochs on 6.12: VRAM
 * BOs have no sg table, ENOSYS). Other errors are left to the row.
 */
static const char *import_unsupported(const struct hu_device *dev)
{
	static char why[160];
	int vgem = hu_drm_open_vgem(), err, cerr = 0;

	err = vgem < 0 ? vgem : hu_try_import(dev, vgem);
	hu_close(&vgem, &cerr);
	if (err != -ENOSYS && err != -EOPNOTSUPP)
		return NULL;
	snprintf(why, sizeof(why), "vgem cannot import %s's dma-buf: %s",
		 dev->driver, strerror(-err));
	return why;
}

const struct hu_holder_ops hu_holder_import = {
	.name = "dmabuf-import",
	.desc = "the exported dma-buf imported into vgem, re-exported, mapped "
		"and fenced from there",
	.priv_size = sizeof(struct bo_priv),
	.unsupported = import_unsupported,
	.acquire = import_acquire_cb,
	.probe = import_probe,
	.release = bo_release,
};
