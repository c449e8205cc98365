// SPDX-License-Identifier: MIT
/*
 * xe_holder_dmabuf: "dmabuf-vram", a VRAM BO exported as a dma-buf, mapped
 * through it and read by the copy spinner. After the removal its CPU views
 * (the old mapping and a new one) show the data or zeroes, never other
 * data, and zeroes where the expectation table says they are zapped; the
 * fd and the BOs are closed right then, the dma-buf alone is kept. Run
 * with a late close, the recovered instance then imports (attaches) the
 * old dma-buf, observed only: never mapped or copied from.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hu_core.h"
#include "hu_drm.h"
#include "xe/xe_holder.h"
#include "xe/xe_holder_priv.h"

static void dmabuf_acquire(struct hu_ctx *ctx, void *priv)
{
	struct hu_xe_hold *h = priv;
	int err;

	hu_xe_hold_open(ctx, h);
	hu_xe_buf_bo(&h->ctx, &h->src, HU_XE_MEM_VRAM, HU_XE_BUF_SIZE, true);
	hu_xe_buf_bo(&h->ctx, &h->dst, HU_XE_MEM_SYS, HU_XE_BUF_SIZE, false);
	err = __hu_xe_bo_export(h->fd, h->src.handle, &h->dmabuf);
	hu_assert_f(!err, "export: %s\n", strerror(-err));
	h->dmabuf_map = mmap(NULL, HU_XE_BUF_SIZE, PROT_READ, MAP_SHARED,
			     h->dmabuf, 0);
	hu_assert_f(h->dmabuf_map != MAP_FAILED, "mmap dma-buf: %s\n",
		    strerror(errno));
	hu_xe_hold_fill(h);
	/* The pattern is visible through the dma-buf, before removal. */
	hu_assert_f(hu_xe_check(h->dmabuf_map, HU_XE_BUF_SIZE, h->seed) < 0,
		    "dma-buf mmap does not show the BO's data\n");
	hu_xe_hold_start(h);
}

/*
 * A CPU view of the exported BO after removal, read into @copy: its data
 * or zeroes, never anything else; zeroes where the table says the dma-buf
 * mapping is zapped with the DRM one (it shares the DRM address space).
 */
static void check_cpu_view(void *view, uint32_t *copy, uint32_t seed,
			   const char *what)
{
	int sig = hu_guarded_access(view, HU_XE_BUF_SIZE, copy, -1);
	int64_t bad, nz;

	hu_assert_f(!sig, "%s raised signal %d\n", what, sig);
	bad = hu_xe_check_or_zero(copy, HU_XE_BUF_SIZE, seed);
	nz = hu_xe_check_zero(copy, HU_XE_BUF_SIZE);
	hu_info("%s after removal: %s\n", what, nz < 0 ? "zero" :
		hu_xe_check(copy, HU_XE_BUF_SIZE, seed) < 0 ? "data intact" :
		"partly zero");
	hu_assert_f(bad < 0, "%s after removal: dword %" PRId64 " is %#x, "
		    "neither the BO's data nor zero\n", what, bad,
		    copy[bad < 0 ? 0 : bad]);
	if (hu_xe_expected(HU_XE_EXP_DMABUF_CPU_VIEW))
		hu_assert_f(nz < 0, "%s after removal: dword %" PRId64 " is "
			    "%#x, want the zero dummy page\n", what, nz,
			    copy[nz < 0 ? 0 : nz]);
}

/* After the removal: the views, then everything but the dma-buf closed. */
static void views_and_close(struct hu_ctx *ctx, struct hu_xe_hold *h)
{
	uint32_t *copy = malloc(HU_XE_BUF_SIZE);
	void *fresh;
	int keep, err;

	hu_assert(copy);
	hu_xe_log_expect(HU_XE_EXP_DMABUF_CPU_VIEW);
	check_cpu_view(h->dmabuf_map, copy, h->seed, "old dma-buf mmap");
	fresh = mmap(NULL, HU_XE_BUF_SIZE, PROT_READ, MAP_SHARED, h->dmabuf, 0);
	if (fresh == MAP_FAILED) {
		hu_info("new dma-buf mmap after removal: %s\n",
			strerror(errno));
	} else {
		check_cpu_view(fresh, copy, h->seed, "new dma-buf mmap");
		munmap(fresh, HU_XE_BUF_SIZE);
	}
	free(copy);
	/* The data itself is checked by the new instance, later. */
	keep = h->dmabuf;
	h->dmabuf = -1;
	err = hu_xe_hold_release(ctx, h);
	h->dmabuf = keep;
	hu_assert_f(!err, "close of the held fd: %s\n", strerror(-err));
}

/*
 * The old dma-buf seen from the recovered instance, observation only: a
 * GEM import (attach) is logged, never bound or copied from. Mapping it
 * would migrate the BO through the removed exporter: without peer-to-peer
 * xe_dma_buf_attach() refuses a VRAM-only BO (EOPNOTSUPP), with it the map
 * validates the BO back into the dead device's VRAM (docs/xe.md, point 3).
 */
static void seen_by_new_instance(struct hu_ctx *ctx, struct hu_xe_hold *h)
{
	uint32_t handle = 0;
	int fd, err;

	hu_xe_log_expect(HU_XE_EXP_DMABUF_KEEPS_DATA);
	fd = open(ctx->dev->render, O_RDWR | O_CLOEXEC);
	hu_assert_f(fd >= 0, "open %s: %s\n", ctx->dev->render,
		    strerror(errno));
	err = __hu_xe_bo_import(fd, h->dmabuf, &handle);
	hu_info("import (attach only) of the old dma-buf into the new "
		"instance: %s\n", err ? strerror(-err) : "ok");
	if (!err)
		__hu_xe_gem_close(fd, handle);
	hu_assert_f(close(fd) == 0, "close: %s\n", strerror(errno));
	err = close(h->dmabuf) ? -errno : 0;
	h->dmabuf = -1;
	hu_assert_f(!err, "close of the old dma-buf: %s\n", strerror(-err));
}

static void dmabuf_probe(struct hu_ctx *ctx, void *priv)
{
	struct hu_xe_hold *h = priv;

	if (ctx->stage == HU_STAGE_RECOVERED) {
		seen_by_new_instance(ctx, h);
		return;
	}
	hu_xe_hold_probe_gone(ctx, h);
	views_and_close(ctx, h);
}

const struct hu_holder_ops hu_xe_holder_dmabuf =
	HU_XE_HOLDER("dmabuf-vram", hu_xe_unsupported_vram, dmabuf_acquire,
		     dmabuf_probe,
		     "an Xe VRAM BO exported as a dma-buf and mapped through "
		     "it, read by a copy spinner seen running right before "
		     "the trigger; after it the dma-buf's mappings (old and "
		     "new) read zeroes (data or zeroes where the kernel is "
		     "not verified), never other data, then the fd and the "
		     "BOs are closed and only the dma-buf is kept; with a "
		     "late close the recovered device's import of it is only "
		     "observed (attached, never mapped)");
