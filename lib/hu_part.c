// SPDX-License-Identifier: MIT
/* hu_part: the needs every part declares, and the engine's stages. */
#include <stdio.h>
#include <string.h>

#include "hu_iommu_oracle.h"
#include "hu_part.h"
#include "hu_vmhost.h"

const char *hu_need_unmet(unsigned int needs, const char *driver,
			  const struct hu_device *dev)
{
	static char why[128];
	char id[32];

	if (driver && strcmp(dev->driver, driver)) {
		snprintf(why, sizeof(why), "not a %s device (driver %s)",
			 driver, dev->driver);
		return why;
	}
	if ((needs & (HU_NEED_PCI | HU_NEED_IOMMU_GROUP)) && !dev->pci_path[0])
		return "the device is not on PCI";
	if ((needs & HU_NEED_RENDER) && !dev->render[0])
		return "the device has no render node";
	if ((needs & HU_NEED_MODULE) && !dev->module[0])
		return "the driver is built in";
	if ((needs & HU_NEED_IOMMU_GROUP) && !hu_iommu_has_group(dev->pci_id.bdf))
		return "the device is in no IOMMU group";
	if ((needs & HU_NEED_VMHOST) &&
	    hu_vmhost_id_for_pci(NULL, dev->pci_path, true, id, sizeof(id)))
		return "no VM host to remove the device (not in the VM lane, "
		       "or the GPU is not host-pluggable)";
	return NULL;
}

const char *hu_stage_name(enum hu_stage stage)
{
	static const char *const names[HU_STAGE_COUNT] = {
		[HU_STAGE_ACQUIRE] = "acquire",
		[HU_STAGE_BEFORE_FIRE] = "before the trigger",
		[HU_STAGE_FIRED] = "after trigger",
		[HU_STAGE_NEW_USER] = "next to a new user",
		[HU_STAGE_RECOVERED] = "after recovery",
		[HU_STAGE_RELEASED] = "all released",
		[HU_STAGE_END] = "the end",
		[HU_STAGE_LEFT_REMOVED] = "leaving it removed",
	};

	return stage < HU_STAGE_COUNT ? names[stage] : "?";
}

const char *hu_verdict_name(enum hu_verdict v)
{
	return v == HU_PASS ? "pass" : v == HU_WARN ? "warn" : "fail";
}
