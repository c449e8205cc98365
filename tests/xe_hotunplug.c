// SPDX-License-Identifier: MIT
/*
 * xe_hotunplug: an Xe device goes away while applications keep it busy.
 * Every subtest is a row of the table below, run by the scenario engine
 * (lib/hu_scenario.h): the Xe holders (lib/xe/xe_holder.h) start their
 * work and see it running right before the trigger, probe what the kernel
 * promises afterwards (per kernel version, from lib/xe/xe_expect.c), and
 * the engine brings the device back, runs the Xe health check (blitter
 * copies) on the new instance, checks the module references and the
 * kernel log, and arms the IOMMU-lifetime oracle whenever the device sits
 * in an IOMMU group. docs/xe.md describes the whole thing.
 */
#include <stdio.h>
#include <string.h>

#include "hu_core.h"
#include "hu_scenario.h"
#include "xe/xe_holder.h"

HU_TEST_DESCRIPTION("Hot-unplug of Xe devices with work in flight: copies, "
		    "migrations, evictions, userptrs, exported VRAM");

/*
 * The rows, with the names they have had since before the engine:
 * <trigger>-<workload>-inflight closes before recovery,
 * <trigger>-lateclose-<workload> after the new instance's health check.
 * dmabuf-vram closes its fd at the probe and keeps the dma-buf for the
 * new instance (a late close of the dma-buf alone).
 */
#define E HU_CLOSE_EARLY
#define L HU_CLOSE_LATE
#define RM &hu_trigger_remove
#define UB &hu_trigger_unbind

static const struct row {
	const char *name;
	const struct hu_trigger *trigger;
	const struct hu_holder_ops *holder;
	enum hu_close close;
	bool iommu;	/* skips unless the IOMMU-lifetime oracle is armed */
} rows[] = {
	{ "remove-copy-inflight", RM, &hu_xe_holder_copy, E },
	{ "remove-prefetch-inflight", RM, &hu_xe_holder_prefetch, E },
	{ "remove-evict-inflight", RM, &hu_xe_holder_evict, E },
	{ "remove-userptr-inflight", RM, &hu_xe_holder_userptr, E },
	{ "remove-dmabuf-vram", RM, &hu_xe_holder_dmabuf, L },
	{ "remove-lateclose-migrate", RM, &hu_xe_holder_migrate, L },
	{ "unbind-copy-inflight", UB, &hu_xe_holder_copy, E },
	{ "unbind-prefetch-inflight", UB, &hu_xe_holder_prefetch, E },
	{ "unbind-evict-inflight", UB, &hu_xe_holder_evict, E },
	{ "unbind-userptr-inflight", UB, &hu_xe_holder_userptr, E },
	{ "unbind-dmabuf-vram", UB, &hu_xe_holder_dmabuf, L },
	{ "unbind-lateclose-migrate", UB, &hu_xe_holder_migrate, L },
	{ "unbind-wedged", UB, &hu_xe_holder_wedged, E },
	{ "rmmod-held", &hu_trigger_rmmod, &hu_xe_holder_held, E },
	/* late close of every in-flight workload (new with the engine) */
	{ "remove-lateclose-copy", RM, &hu_xe_holder_copy, L },
	{ "remove-lateclose-prefetch", RM, &hu_xe_holder_prefetch, L },
	{ "remove-lateclose-evict", RM, &hu_xe_holder_evict, L },
	{ "remove-lateclose-userptr", RM, &hu_xe_holder_userptr, L },
	{ "unbind-lateclose-copy", UB, &hu_xe_holder_copy, L },
	{ "unbind-lateclose-prefetch", UB, &hu_xe_holder_prefetch, L },
	{ "unbind-lateclose-evict", UB, &hu_xe_holder_evict, L },
	{ "unbind-lateclose-userptr", UB, &hu_xe_holder_userptr, L },
	/* the seed's sequence, watched by the IOMMU-lifetime oracle */
	{ "remove-lateclose-migrate-iommu", RM, &hu_xe_holder_migrate, L,
	  true },
	{ "remove-lateclose-evict-iommu", RM, &hu_xe_holder_evict, L, true },
};

/* What every removing row checks on top of the engine's generic text. */
#define XE_CHECKS " Xe: after the trigger the spinner's fence signals " \
	"within 10 s and every ioctl of the held fd fails with the errno " \
	"lib/xe/xe_expect.c gives for this kernel and trigger (ENODEV after " \
	"unbind, EACCES after PCI remove, ECANCELED when wedged), also after " \
	"recovery with a late close; old BO mmaps read without SIGBUS (zero " \
	"where the table says so); the health check also runs blitter " \
	"copies and a spinner."
#define IOMMU_CHECKS " The IOMMU-lifetime oracle must be armed (skips " \
	"without an IOMMU group): no DMA unmap after the device left its " \
	"group, no mapping alive when it left (the Feb 2025 migrate bug, " \
	"fixed in 6.16 by the migrate switch to devm actions)."

#define N(a) (int)(sizeof(a) / sizeof((a)[0]))

static struct hu_device dev;
static const char *no_dev = "no Xe device";

static void run(struct hu_scenario *sc)
{
	hu_require_f(!no_dev, "%s\n", no_dev);
	hu_scenario_run(&dev, sc);
}

hu_main_args(&hu_scenario_opts)
{
	static char desc[1536];
	char name[64];

	hu_fixture {
		hu_scenario_setup(&dev, 1, false);
		no_dev = hu_xe_unsupported(&dev);
		hu_require_f(!no_dev, "%s\n", no_dev);
	}

	for (int i = 0; i < N(rows); i++) {
		struct hu_scenario sc = {
			.name = rows[i].name,
			.trigger = rows[i].trigger,
			.holders = { rows[i].holder },
			.nholders = 1,
			.close = rows[i].close,
			.health = __hu_xe_health_check,
			.need_iommu_oracle = rows[i].iommu,
		};
		const char *sub = hu_scenario_subtest(&sc, name, sizeof(name));
		size_t n;

		hu_scenario_describe(desc, sizeof(desc), &sc);
		n = strlen(desc);
		hu_fmt(desc + n, sizeof(desc) - n, "%s%s",
		       sc.trigger->removes ? XE_CHECKS : "",
		       sc.need_iommu_oracle ? IOMMU_CHECKS : "");
		hu_describe(desc);
		hu_subtest(sub)
			run(&sc);
	}

	hu_fixture {
		if (!no_dev)
			hu_scenario_cleanup(&dev);
	}
}
