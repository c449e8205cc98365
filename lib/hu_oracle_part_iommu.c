// SPDX-License-Identifier: MIT
/*
 * The IOMMU-lifetime oracle as a part (hu_iommu_oracle.h), armed on the
 * device's PCI function when it sits in an IOMMU group.
 *
 * After a trigger that unbinds the driver but leaves the function in its
 * group (the trigger's leaves_iommu_group fact), the trace gets an
 * "unbound" marker, and a "bound" one at recovery: mappings still alive at
 * the unbind are then printed (a warning: DRM lets a buffer outlive its
 * driver), never counted. The verdict is taken once, at the end, over
 * every cycle since arming: an unmap after the device left its group, or a
 * mapping still alive when it left, fails the subtest.
 *
 * HU_IOMMU_KPROBES=1 uses the kprobe fallbacks of kernels without the dma
 * events, even where they exist (to test them). For measuring what the
 * oracle costs (runner/bench.sh iommu), HU_IOMMU_ORACLE=off leaves it out
 * (rows that need it skip), =nostack arms it without the stacktrace
 * trigger (same verdicts, findings without call chains), =rearm arms and
 * disarms it for every subtest instead of keeping it armed in between.
 */
#include <errno.h>
#include <stdlib.h>

#include "hu_core.h"
#include "hu_iommu_oracle.h"
#include "hu_oracles.h"

struct iommu_priv {
	struct hu_iommu_oracle *o;
	bool marked;		/* unbound marker written, no bound yet */
};

/* HU_IOMMU_ORACLE and HU_IOMMU_KPROBES as flags; 1 for "off" */
static int mode(unsigned int *flags)
{
	const char *m = getenv("HU_IOMMU_ORACLE");
	int ret = hu_iommu_oracle_mode(m, getenv("HU_IOMMU_KPROBES"), flags);

	if (ret < 0)
		hu_warn("HU_IOMMU_ORACLE=%s: not off, nostack or rearm; ignored\n",
			m);
	return ret;
}

static const char *iommu_unsupported(const struct hu_device *dev)
{
	unsigned int flags;

	return mode(&flags) == 1 ? "HU_IOMMU_ORACLE=off" : NULL;
}

static int iommu_arm(struct hu_octx *ctx, void *p)
{
	struct iommu_priv *s = p;
	const char *bdf = ctx->dev->pci_id.bdf;
	const char *devices[] = { bdf, NULL };
	unsigned int flags;
	int err;

	mode(&flags);
	s->o = __hu_iommu_oracle_arm(devices, flags, &err);
	if (!s->o)
		return err;
	hu_info("IOMMU oracle armed on %s: %s\n", bdf,
		hu_iommu_oracle_probes(s->o));
	return 0;
}

static enum hu_verdict judge(struct iommu_priv *s, const char *stage)
{
	const struct hu_iommu_report *r;
	int n = hu_iommu_oracle_verdict(s->o, stage);

	if (n < 0)
		return HU_WARN;	/* said why; nothing to judge */
	r = hu_iommu_oracle_report(s->o);
	if (r->count[HU_IOMMU_UNMAP_AFTER_LEAVE] ||
	    r->count[HU_IOMMU_MAPPED_AT_LEAVE])
		return HU_FAIL;
	return n ? HU_WARN : HU_PASS;
}

static enum hu_verdict iommu_at(struct hu_octx *ctx, void *p,
				enum hu_stage stage)
{
	struct iommu_priv *s = p;
	const char *bdf = ctx->dev->pci_id.bdf;

	switch (stage) {
	case HU_STAGE_FIRED:
		if (ctx->trigger->removes &&
		    !ctx->trigger->leaves_iommu_group) {
			hu_iommu_oracle_mark_unbound(s->o, bdf);
			s->marked = true;
		}
		return HU_PASS;
	case HU_STAGE_RECOVERED:
		if (s->marked)
			hu_iommu_oracle_mark_bound(s->o, bdf);
		s->marked = false;
		return HU_PASS;
	case HU_STAGE_END:
	case HU_STAGE_LEFT_REMOVED:
		return judge(s, hu_stage_name(stage));
	default:
		return HU_PASS;
	}
}

static void iommu_free(void *p)
{
	struct iommu_priv *s = p;

	hu_iommu_oracle_free(s->o);
}

const struct hu_oracle_ops hu_oracle_iommu = {
	.name = "iommu",
	.desc = "no DMA mapping of the device released after it left its "
		"IOMMU group, none still alive when it left",
	.priv_size = sizeof(struct iommu_priv),
	.needs = HU_NEED_PCI | HU_NEED_IOMMU_GROUP,
	.unsupported = iommu_unsupported,
	.arm = iommu_arm,
	.at = iommu_at,
	.free = iommu_free,
};
