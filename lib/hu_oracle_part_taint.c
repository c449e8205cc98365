// SPDX-License-Identifier: MIT
/* The taint oracle: no new bad taint flag (HU_TAINT_BAD) while it runs. */
#include "hu_oracle.h"
#include "hu_oracles.h"

struct taint_priv {
	unsigned long since;
};

static int taint_arm(struct hu_octx *ctx, void *p)
{
	struct taint_priv *s = p;

	s->since = hu_taint_read();
	return 0;
}

static enum hu_verdict taint_at(struct hu_octx *ctx, void *p,
				enum hu_stage stage)
{
	struct taint_priv *s = p;

	/* where the kmsg oracle reads, so the splat and its taint meet */
	if (stage != HU_STAGE_FIRED && stage != HU_STAGE_RECOVERED &&
	    stage != HU_STAGE_END && stage != HU_STAGE_LEFT_REMOVED)
		return HU_PASS;
	return hu_taint_check(&s->since, hu_stage_name(stage), ctx->scope) ?
		HU_FAIL : HU_PASS;
}

static void taint_free(void *p)
{
}

const struct hu_oracle_ops hu_oracle_taint = {
	.name = "taint",
	.desc = "the kernel not newly tainted M, B, D, W or L",
	.priv_size = sizeof(struct taint_priv),
	.arm = taint_arm,
	.at = taint_at,
	.free = taint_free,
};
