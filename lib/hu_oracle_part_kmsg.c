// SPDX-License-Identifier: MIT
/*
 * The kmsg oracle as a part: splats in the kernel log (hu_oracle.h), read
 * at every stage so that a splat is printed next to the step that caused
 * it, before a later probe can fail the subtest.
 */
#include <errno.h>

#include "hu_oracle.h"
#include "hu_oracles.h"

struct kmsg_priv {
	struct hu_oracle *o;
};

static int kmsg_arm(struct hu_octx *ctx, void *p)
{
	struct kmsg_priv *s = p;

	s->o = hu_oracle_arm(ctx->scope);
	if (!s->o)
		return -ENOENT;
	for (int i = 0; ctx->kmsg_ignore && ctx->kmsg_ignore[i]; i++)
		hu_oracle_ignore(s->o, ctx->kmsg_ignore[i]);
	return 0;
}

static enum hu_verdict kmsg_at(struct hu_octx *ctx, void *p,
			       enum hu_stage stage)
{
	struct kmsg_priv *s = p;

	switch (stage) {
	case HU_STAGE_FIRED:
	case HU_STAGE_RECOVERED:
	case HU_STAGE_END:
	case HU_STAGE_LEFT_REMOVED:
		return hu_oracle_splats(s->o, hu_stage_name(stage)) ?
			HU_FAIL : HU_PASS;
	default:
		return HU_PASS;
	}
}

static void kmsg_free(void *p)
{
	struct kmsg_priv *s = p;

	hu_oracle_free(s->o);
}

const struct hu_oracle_ops hu_oracle_kmsg = {
	.name = "kmsg",
	.desc = "no kernel splat (WARNING, BUG, Oops, KASAN, lockdep, DMA-API, "
		"IOMMU fault, drm *ERROR*...) in the kernel log",
	.priv_size = sizeof(struct kmsg_priv),
	.arm = kmsg_arm,
	.at = kmsg_at,
	.free = kmsg_free,
};
