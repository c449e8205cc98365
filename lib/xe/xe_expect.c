// SPDX-License-Identifier: MIT
/*
 * The expectations table. Each row cites the fix it is based on; when
 * hardware shows a row wrong, fix the row (and docs/xe.md), not the test.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/utsname.h>

#include "xe/xe_expect.h"

#define V(a, b) HU_KVER(a, b, 0)

static const struct hu_xe_expect_row rows[HU_XE_EXP_COUNT] = {
	[HU_XE_EXP_UAPI] = {
		HU_XE_EXP_UAPI, "uapi",
		"the Xe uAPI is the stable one this suite speaks",
		V(6, 8), 0, 0, "uAPI declared stable in v6.8",
	},
	[HU_XE_EXP_IOCTL_ENODEV] = {
		HU_XE_EXP_IOCTL_ENODEV, "ioctl-enodev",
		"every ioctl on a held fd fails with ENODEV (drm_ioctl checks "
		"drm_dev_is_unplugged)",
		V(6, 16), V(6, 8), 0,
		"drm core, once the driver calls drm_dev_unplug(): xe_device_"
		"remove() does from 6.16; 6.8-6.15 not checked",
	},
	[HU_XE_EXP_MMAP_ZAPPED] = {
		HU_XE_EXP_MMAP_ZAPPED, "mmap-zapped",
		"CPU mmaps of BOs are zapped and fault to a zero dummy page, "
		"no SIGBUS",
		V(6, 16), V(6, 8), 0,
		"drm_dev_unplug() unmap_mapping_range + xe_gem_fault dummy page "
		"(6.8-6.15: whether xe unplugs not checked)",
	},
	[HU_XE_EXP_GGTT_NODE_REMOVE] = {
		HU_XE_EXP_GGTT_NODE_REMOVE, "ggtt-node-remove",
		"GGTT-mapped BOs freed after unbind do not oops",
		V(6, 12), 0, 3,
		"c72084163cd2 drm/xe: Fix NPD in ggtt_node_remove()",
	},
	[HU_XE_EXP_USERPTR_UNMAP] = {
		HU_XE_EXP_USERPTR_UNMAP, "userptr-unmap",
		"userptr pages are DMA-unmapped when the MMU notifier fires",
		V(6, 14), V(6, 12), 5,
		"333b89063361 drm/xe/userptr: Unmap userptrs in the mmu "
		"notifier (v6.14-rc6; 6.12.y stable, point release unknown)",
	},
	[HU_XE_EXP_LATECLOSE_MIGRATE] = {
		HU_XE_EXP_LATECLOSE_MIGRATE, "lateclose-migrate",
		"closing the fd after PCI remove, with migrate work done, does "
		"not oops in the DMA unmap of the migrate PT BO",
		V(6, 16), 0, 1,
		"c045e03634ab drm/xe/migrate: Switch from drm to dev managed "
		"actions",
	},
	[HU_XE_EXP_BO_REMOVE] = {
		HU_XE_EXP_BO_REMOVE, "bo-remove",
		"user BOs are purged at removal (DMA mappings and VRAM "
		"released before the device goes)",
		V(6, 16), 0, 2,
		"3cbb651117ff drm/xe/bo: Add a bo remove callback",
	},
	[HU_XE_EXP_DMABUF_KEEPS_DATA] = {
		HU_XE_EXP_DMABUF_KEEPS_DATA, "dmabuf-keeps-data",
		"an exported VRAM BO is moved to system at removal and keeps "
		"its content",
		V(6, 16), 0, 2,
		"3cbb651117ff drm/xe/bo: Add a bo remove callback "
		"(exported BOs are evicted, not purged)",
	},
	[HU_XE_EXP_DMABUF_CPU_VIEW] = {
		HU_XE_EXP_DMABUF_CPU_VIEW, "dmabuf-cpu-view",
		"a CPU mmap of the exported BO's dma-buf still shows its data "
		"after removal",
		0, 0, 2,
		"unknown: the dma-buf mmap faults through xe_gem_fault, which "
		"may map the zero dummy page once unplugged; hardware decides",
	},
	[HU_XE_EXP_DMABUF_UNMAP] = {
		HU_XE_EXP_DMABUF_UNMAP, "dmabuf-unmap",
		"dma-buf attachments unmap correctly after (removal) eviction",
		V(6, 16), 0, 6,
		"d755887f8e5a drm/xe/dma_buf: stop relying on placement in "
		"unmap",
	},
	[HU_XE_EXP_WEDGED_UNBIND] = {
		HU_XE_EXP_WEDGED_UNBIND, "wedged-unbind",
		"a wedged device unbinds and rebinds cleanly",
		V(6, 16), 0, 11,
		"drm/xe: Fix taking invalid lock on wedge (v6.16 pull); "
		"follow-up \"Avoid memory allocations in "
		"xe_device_declare_wedged()\" (2026-03, release unknown)",
	},
	[HU_XE_EXP_NVM_REPROBE] = {
		HU_XE_EXP_NVM_REPROBE, "nvm-reprobe",
		"unbind/rebind loops do not leave a duplicate xe.nvm aux device",
		0, 0, 7,
		"11035eab1b7d (2026-01, xe_nvm_fini as devm; release unknown, "
		"stable backport)",
	},
};

static const char *number(const char *p, unsigned long *v)
{
	char *end;

	if (*p < '0' || *p > '9')
		return NULL;
	*v = strtoul(p, &end, 10);
	return *v > 255 ? NULL : end;
}

int hu_kver_parse(const char *release, uint32_t *kver)
{
	unsigned long major, minor, patch = 0;
	const char *p = number(release, &major);

	if (!p || *p != '.' || !(p = number(p + 1, &minor)))
		return -EINVAL;
	/* "6.16-rc3" has no patch level; "6.12.19-amd64" does. */
	if (*p == '.' && !number(p + 1, &patch))
		return -EINVAL;
	*kver = HU_KVER(major, minor, patch);
	return 0;
}

uint32_t hu_kver_running(void)
{
	struct utsname u;
	uint32_t kver;

	if (uname(&u) || hu_kver_parse(u.release, &kver))
		return 0;
	return kver;
}

const struct hu_xe_expect_row *hu_xe_expect_row(enum hu_xe_expect_id id)
{
	if ((unsigned int)id >= HU_XE_EXP_COUNT)
		return NULL;
	return &rows[id];
}

enum hu_xe_verdict hu_xe_expect(enum hu_xe_expect_id id, uint32_t kver)
{
	const struct hu_xe_expect_row *r = hu_xe_expect_row(id);

	if (!r || !kver)
		return HU_XE_EXPECT_UNKNOWN;
	/* Before the stable uAPI nothing here applies. */
	if (kver < rows[HU_XE_EXP_UAPI].since)
		return id == HU_XE_EXP_UAPI ? HU_XE_EXPECT_NO :
					      HU_XE_EXPECT_UNKNOWN;
	if (r->since && kver >= r->since)
		return HU_XE_EXPECT_YES;
	if (!r->since || (r->unsure_from && kver >= r->unsure_from))
		return HU_XE_EXPECT_UNKNOWN;
	return HU_XE_EXPECT_NO;
}

const char *hu_xe_verdict_name(enum hu_xe_verdict v)
{
	switch (v) {
	case HU_XE_EXPECT_YES:
		return "expected";
	case HU_XE_EXPECT_NO:
		return "known missing";
	case HU_XE_EXPECT_UNKNOWN:
		return "unknown";
	}
	return "?";
}

const char *hu_kver_str(uint32_t kver, char *buf, int len)
{
	if (kver & 0xff)
		snprintf(buf, len, "%u.%u.%u", kver >> 16, (kver >> 8) & 0xff,
			 kver & 0xff);
	else
		snprintf(buf, len, "%u.%u", kver >> 16, (kver >> 8) & 0xff);
	return buf;
}
