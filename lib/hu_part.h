/* SPDX-License-Identifier: MIT */
/*
 * hu_part: what the three kinds of parts of a scenario (triggers,
 * hu_trigger.h; holders, hu_holder.h; oracles, hu_oracles.h) have in
 * common: the facts a part declares about what it needs of a device, and
 * the stages of the engine they are called at.
 *
 * A part's needs are checked in one place, hu_need_unmet(), before the
 * part's own unsupported() probe (which is only for what a fact cannot
 * say, like "vgem cannot import this driver's dma-buf"). Root is not a
 * need: every binary on the engine needs it, and hu_scenario_setup()
 * checks it once.
 */
#ifndef HU_PART_H
#define HU_PART_H

#include "hu_device.h"

enum hu_need {
	HU_NEED_PCI = 1 << 0,		/* a PCI function (sysfs remove, BDF) */
	HU_NEED_RENDER = 1 << 1,	/* a render node */
	HU_NEED_MODULE = 1 << 2,	/* a loadable driver module */
	HU_NEED_IOMMU_GROUP = 1 << 3,	/* the PCI function in an IOMMU group */
	HU_NEED_VMHOST = 1 << 4,	/* a VM host that can remove the device */
};

/*
 * NULL if @dev has what @needs names and is driven by @driver (NULL: any
 * driver), else the reason it has not, for a skip or a log line.
 */
const char *hu_need_unmet(unsigned int needs, const char *driver,
			  const struct hu_device *dev);

/*
 * The stages of one unplug/recover cycle, in order. Holders see the stage
 * they are probed at (struct hu_ctx), oracles are called at each one
 * (struct hu_oracle_ops). Never compared as strings: hu_stage_name() is
 * for logs only.
 */
enum hu_stage {
	HU_STAGE_ACQUIRE,	/* holders being acquired */
	HU_STAGE_BEFORE_FIRE,	/* everything held, right before the trigger */
	HU_STAGE_FIRED,		/* the trigger returned: the device is gone
				 * (rmmod: the unload was refused) */
	HU_STAGE_NEW_USER,	/* rmmod, late close: a health check ran next
				 * to the held objects */
	HU_STAGE_RECOVERED,	/* back, and its health check passed */
	HU_STAGE_RELEASED,	/* nothing held any more and the device there
				 * (rmmod: before the unload of the unheld
				 * module; else after recovery and the close) */
	HU_STAGE_END,		/* after the last cycle */
	HU_STAGE_LEFT_REMOVED,	/* HU_KEEP_REMOVED: left away, all closed */
	HU_STAGE_COUNT
};

const char *hu_stage_name(enum hu_stage stage);

/* An oracle's verdict; the worst one of a subtest decides it. */
enum hu_verdict {
	HU_PASS,
	HU_WARN,	/* printed with hu_warn(), the subtest still passes */
	HU_FAIL,
};

const char *hu_verdict_name(enum hu_verdict v);

#endif /* HU_PART_H */
