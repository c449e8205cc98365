// SPDX-License-Identifier: MIT
/*
 * xe_holder_held: "held", what keeps the xe module loaded: an fd, BO mmaps,
 * an exported dma-buf and a running copy spinner. For rmmod: the unload is
 * refused while they are held and must not disturb the work (the spinner's
 * copy and a new copy check out); then they are released one kind at a
 * time, the module's references checked after each (above idle while mmaps
 * or the dma-buf remain). For an early close only: the probe releases.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hu_core.h"
#include "hu_kmod.h"
#include "xe/xe_holder.h"
#include "xe/xe_holder_priv.h"

static const char *held_unsupported(const struct hu_device *dev)
{
	static char why[160];
	const char *xe = hu_xe_unsupported(dev);
	int refcnt;

	if (xe)
		return xe;
	refcnt = hu_kmod_refcnt(dev->module);
	if (refcnt) {
		hu_fmt(why, sizeof(why), "%s is in use by someone else "
		       "(refcnt %d): its unload cannot be tested here",
		       dev->module[0] ? dev->module : "xe (built in)", refcnt);
		return why;
	}
	return NULL;
}

static void held_acquire(struct hu_ctx *ctx, void *priv)
{
	struct hu_xe_hold *h = priv;
	int err;

	h->idle_refs = hu_kmod_refcnt(ctx->dev->module);
	hu_xe_hold_open(ctx, h);
	hu_xe_buf_bo(&h->ctx, &h->src, hu_xe_mem_best(&h->ctx.info),
		     HU_XE_BUF_SIZE, true);
	hu_xe_buf_bo(&h->ctx, &h->dst, HU_XE_MEM_SYS, HU_XE_BUF_SIZE, false);
	hu_xe_hold_fill(h);
	err = __hu_xe_bo_export(h->fd, h->src.handle, &h->dmabuf);
	hu_assert_f(!err, "export: %s\n", strerror(-err));
	hu_xe_hold_start(h);
}

/* The module's references with what is still held, above idle. */
static void refs_held(const struct hu_ctx *ctx, const struct hu_xe_hold *h,
		      const char *what)
{
	int refcnt = hu_kmod_refcnt(ctx->dev->module);

	hu_info("%s: refcnt %d (idle %d)\n", what, refcnt, h->idle_refs);
	hu_assert_f(refcnt > h->idle_refs, "%s, yet the %s refcnt is %d "
		    "(idle %d)\n", what, ctx->dev->module, refcnt,
		    h->idle_refs);
}

static void unmap_buf(struct hu_xe_buf *b)
{
	if (b->cpu)
		munmap(b->cpu, b->size);
	memset(b, 0, sizeof(*b));
}

static void held_probe(struct hu_ctx *ctx, void *priv)
{
	struct hu_xe_hold *h = priv;
	char why[256];
	int err;

	if (ctx->stage != HU_STAGE_FIRED)
		return;		/* released by the first probe */
	/* Refused (fire() returned 0 for that), and nothing moves. */
	hu_assert_f(!ctx->gone && hu_device_present(ctx->dev), "the device "
		    "went away at a refused unload\n");
	hu_assert_f(hu_xe_spin_busy(&h->spin), "the spinner stopped at the "
		    "refused unload\n");
	hu_xe_spin_stop(&h->spin);
	hu_assert_f(hu_xe_spin_wait(&h->spin, HU_XE_FENCE_MS) == 1,
		    "spinner did not end cleanly after the refused unload\n");
	hu_assert_f(hu_xe_check(h->dst.cpu, HU_XE_SPIN_COPY, h->seed) < 0,
		    "spinner copy wrong after the refused unload\n");
	err = hu_xe_copy_check(&h->ctx, HU_XE_AT_SYS, HU_XE_AT_SYS,
			       HU_XE_BUF_SIZE, h->seed, why, sizeof(why));
	hu_assert_f(!err, "after the refused unload: %s\n", why);

	/* Release step by step: each kind of holder keeps the module. */
	hu_xe_spin_free(&h->spin);
	hu_xe_ctx_fini(&h->ctx);
	h->have_ctx = false;
	err = close(h->fd) ? -errno : 0;
	h->fd = -1;
	hu_assert_f(!err, "close: %s\n", strerror(-err));
	refs_held(ctx, h, "fd closed, BO mmaps and a dma-buf held");
	unmap_buf(&h->probe);
	unmap_buf(&h->src);
	unmap_buf(&h->dst);
	refs_held(ctx, h, "mmaps gone, a dma-buf held");
	err = close(h->dmabuf) ? -errno : 0;
	h->dmabuf = -1;
	hu_assert_f(!err, "close dma-buf: %s\n", strerror(-err));
	/* back to idle: the engine checks it after the close */
}

const struct hu_holder_ops hu_xe_holder_held =
	HU_XE_HOLDER("held", held_unsupported, held_acquire,
		     held_probe,
		     "an Xe render fd, BO mmaps, an exported dma-buf and a "
		     "copy spinner seen running; after a refused unload the "
		     "spinner's copy and a new copy check out, then they are "
		     "released one kind at a time with the module refcount "
		     "above idle while mmaps or the dma-buf remain");
