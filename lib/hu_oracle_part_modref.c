// SPDX-License-Identifier: MIT
/*
 * The module-reference oracle: once nothing is held and the device is
 * there (HU_STAGE_RELEASED), the driver module's refcount is back to the
 * value it had before the subtest: no file, dma-buf or fence the subtest
 * made still pins the module.
 */
#include <errno.h>
#include <string.h>

#include "hu_core.h"
#include "hu_kmod.h"
#include "hu_oracles.h"

struct modref_priv {
	int idle;
};

static int modref_arm(struct hu_octx *ctx, void *p)
{
	struct modref_priv *s = p;

	s->idle = hu_kmod_refcnt(ctx->dev->module);
	return s->idle < 0 ? s->idle : 0;
}

static enum hu_verdict modref_at(struct hu_octx *ctx, void *p,
				 enum hu_stage stage)
{
	struct modref_priv *s = p;
	const char *module = ctx->dev->module;
	char holders[256];
	int now;

	if (stage != HU_STAGE_RELEASED)
		return HU_PASS;
	now = hu_kmod_refcnt(module);
	hu_info("module %s: %s (idle %d)\n", module,
		hu_kmod_holders(module, holders, sizeof(holders)), s->idle);
	if (now == s->idle)
		return HU_PASS;
	hu_warn("modref oracle: module %s refcount %d after the last close, "
		"idle was %d\n", module, now, s->idle);
	return HU_FAIL;
}

static void modref_free(void *p)
{
}

const struct hu_oracle_ops hu_oracle_modref = {
	.name = "modref",
	.desc = "the driver module's refcount back to idle once nothing is "
		"held",
	.priv_size = sizeof(struct modref_priv),
	.needs = HU_NEED_MODULE,
	.arm = modref_arm,
	.at = modref_at,
	.free = modref_free,
};
