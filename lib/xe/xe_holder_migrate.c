// SPDX-License-Identifier: MIT
/*
 * xe_holder_migrate: holders with work on the migrate path from a thread
 * of their own (xe_work.h's background work), next to the copy spinner:
 * "prefetch" ping-pongs a BO VRAM <-> system, "evict" overcommits VRAM so
 * every prefetch evicts others, "migrate" does whichever migrate work the
 * device has (PREFETCH on a dGPU, back-to-back copies on an iGPU) for the
 * sequence of the Feb 2025 migrate bug: remove, late close.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "hu_core.h"
#include "xe/xe_holder.h"
#include "xe/xe_holder_priv.h"

#define BG_BUF_SIZE (8 << 20)

/*
 * On the opened @h: prepares @kind, checks one round of it, then starts
 * the spinner and the thread.
 */
static void bg_start(struct hu_xe_hold *h, enum hu_xe_bg_kind kind)
{
	enum hu_xe_mem best;
	char why[256];
	int err;

	best = hu_xe_mem_best(&h->ctx.info);
	err = hu_xe_bg_prepare(&h->ctx, &h->bg, kind, BG_BUF_SIZE,
			       kind == HU_XE_BG_COPY ? 0 :
			       hu_mem_available() / 2);
	hu_require_f(err != -ENOSPC, "not enough free memory to overcommit "
		     "%" PRIu64 " MiB of VRAM\n",
		     hu_xe_visible_vram(&h->ctx.info) >> 20);
	hu_assert_f(!err, "%s setup: %s\n", hu_xe_bg_name(kind),
		    strerror(-err));
	hu_info("%s: %u BOs of %" PRIu64 " MiB\n", hu_xe_bg_name(kind),
		h->bg.num_bufs, h->bg.bufs[0].size >> 20);
	err = hu_xe_bg_round(&h->bg, why, sizeof(why));
	hu_assert_f(!err, "%s before the trigger: %s\n", hu_xe_bg_name(kind),
		    why);
	hu_xe_buf_bo(&h->ctx, &h->src, best, HU_XE_BUF_SIZE, false);
	hu_xe_buf_bo(&h->ctx, &h->dst, HU_XE_MEM_SYS, HU_XE_BUF_SIZE, false);
	hu_xe_hold_fill(h);
	hu_xe_hold_start(h);
}

static void prefetch_acquire(struct hu_ctx *ctx, void *priv)
{
	hu_xe_hold_open(ctx, priv);
	bg_start(priv, HU_XE_BG_PREFETCH);
}

static void evict_acquire(struct hu_ctx *ctx, void *priv)
{
	hu_xe_hold_open(ctx, priv);
	bg_start(priv, HU_XE_BG_EVICT);
}

static void migrate_acquire(struct hu_ctx *ctx, void *priv)
{
	struct hu_xe_hold *h = priv;

	hu_xe_hold_open(ctx, h);
	/* an iGPU has no migration: keep the copy engine busy instead */
	bg_start(h, hu_xe_has_vram(&h->ctx.info) ? HU_XE_BG_PREFETCH :
						    HU_XE_BG_COPY);
}

const struct hu_holder_ops hu_xe_holder_prefetch =
	HU_XE_HOLDER("prefetch", hu_xe_unsupported_vram, prefetch_acquire,
		     hu_xe_hold_probe,
		     "an Xe render fd with a thread ping-ponging an 8 MiB BO "
		     "VRAM <-> system with PREFETCH binds on the migrate "
		     "engine (one round checked first) next to a copy "
		     "spinner, both seen running right before the trigger");

const struct hu_holder_ops hu_xe_holder_evict =
	HU_XE_HOLDER("evict", hu_xe_unsupported_vram, evict_acquire,
		     hu_xe_hold_probe,
		     "an Xe render fd with VRAM overcommitted by up to 1.5x "
		     "(bounded by half of MemAvailable) and a thread "
		     "prefetching the BOs round-robin so every step evicts "
		     "others (data checked after one round), next to a copy "
		     "spinner seen running right before the trigger");

const struct hu_holder_ops hu_xe_holder_migrate =
	HU_XE_HOLDER("migrate", hu_xe_unsupported, migrate_acquire,
		     hu_xe_hold_probe,
		     "an Xe render fd with migrate work from a thread "
		     "(PREFETCH ping-pong on a dGPU, back-to-back blitter "
		     "copies on an iGPU) next to a copy spinner seen running "
		     "right before the trigger (with PCI remove and a late "
		     "close: the sequence of the Feb 2025 migrate bug, fixed "
		     "in 6.16 by the migrate switch to devm actions)");
