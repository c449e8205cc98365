// SPDX-License-Identifier: MIT
/*
 * xe_holder_copy: the blitter holders. "copy" checks one-shot copies
 * between every pair of placements first, then keeps a copy spinner
 * running VRAM -> system; "userptr" has the spinner copy a malloc'd
 * userptr into an mmap'd one, and after the removal the process memory
 * must still be its own.
 */
#include <stdlib.h>
#include <string.h>

#include "hu_core.h"
#include "hu_drm.h"
#include "xe/xe_holder.h"
#include "xe/xe_holder_priv.h"

static void copy_acquire(struct hu_ctx *ctx, void *priv)
{
	struct hu_xe_hold *h = priv;
	const struct hu_xe_info *info;
	char why[256];
	int err;

	hu_xe_hold_open(ctx, h);
	info = &h->ctx.info;
	for (int from = HU_XE_AT_SYS; from <= HU_XE_AT_USERPTR_MMAP; from++) {
		for (int to = HU_XE_AT_SYS; to <= HU_XE_AT_USERPTR_MMAP; to++) {
			if (!hu_xe_where_ok(info, from) ||
			    !hu_xe_where_ok(info, to))
				continue;
			err = hu_xe_copy_check(&h->ctx, from, to,
					       HU_XE_BUF_SIZE, h->seed + from,
					       why, sizeof(why));
			hu_assert_f(!err, "%s\n", why);
		}
	}
	hu_xe_buf_bo(&h->ctx, &h->src, hu_xe_mem_best(info), HU_XE_BUF_SIZE,
		     false);
	hu_xe_buf_bo(&h->ctx, &h->dst, HU_XE_MEM_SYS, HU_XE_BUF_SIZE, false);
	hu_xe_hold_fill(h);
	hu_xe_hold_start(h);
}

const struct hu_holder_ops hu_xe_holder_copy =
	HU_XE_HOLDER("copy", hu_xe_unsupported, copy_acquire,
		     hu_xe_hold_probe,
		     "an Xe render fd with a VM and a copy queue, checked "
		     "one-shot blitter copies between every pair of VRAM, "
		     "system BO, malloc'd and mmap'd userptr, then a copy "
		     "spinner VRAM -> system seen running right before the "
		     "trigger");

static void userptr_acquire(struct hu_ctx *ctx, void *priv)
{
	struct hu_xe_hold *h = priv;
	char why[256];
	int err;

	hu_xe_hold_open(ctx, h);
	err = hu_xe_copy_check(&h->ctx, HU_XE_AT_USERPTR_MALLOC,
			       HU_XE_AT_USERPTR_MMAP, HU_XE_BUF_SIZE, h->seed,
			       why, sizeof(why));
	hu_assert_f(!err, "%s\n", why);
	hu_xe_buf_userptr(&h->ctx, &h->src, HU_XE_BUF_USERPTR_MALLOC,
			  HU_XE_BUF_SIZE);
	hu_xe_buf_userptr(&h->ctx, &h->dst, HU_XE_BUF_USERPTR_MMAP,
			  HU_XE_BUF_SIZE);
	hu_xe_hold_fill(h);
	hu_xe_hold_start(h);
}

/* The process's own memory stays its own: readable, its data, writable. */
static void userptr_probe(struct hu_ctx *ctx, void *priv)
{
	struct hu_xe_hold *h = priv;
	uint32_t *copy;
	bool intact;
	int sig;

	hu_xe_hold_probe_gone(ctx, h);
	if (ctx->stage == HU_STAGE_RECOVERED)
		return;
	copy = malloc(HU_XE_BUF_SIZE);
	hu_assert(copy);
	sig = hu_guarded_access(h->src.cpu, HU_XE_BUF_SIZE, copy, -1);
	intact = !sig && hu_xe_check(copy, HU_XE_BUF_SIZE, h->seed) < 0;
	if (!sig)
		sig = hu_guarded_access(h->dst.cpu, HU_XE_BUF_SIZE, copy, -1);
	if (sig)
		free(copy);
	hu_assert_f(!sig, "userptr memory raised signal %d\n", sig);
	hu_info("mmap'd userptr after removal: %s\n",
		hu_xe_check(copy, HU_XE_BUF_SIZE, h->seed) < 0 ?
		"holds the copy" : "not (fully) copied");
	free(copy);
	hu_assert_f(intact, "malloc'd userptr memory changed after removal\n");
	memset(h->dst.cpu, 0x5a, HU_XE_BUF_SIZE);
}

const struct hu_holder_ops hu_xe_holder_userptr =
	HU_XE_HOLDER("userptr", hu_xe_unsupported, userptr_acquire,
		     userptr_probe,
		     "an Xe render fd with a checked userptr copy, then a "
		     "copy spinner copying a malloc'd userptr into an mmap'd "
		     "one, seen running right before the trigger; afterwards "
		     "the process memory must be intact, readable and "
		     "writable");
