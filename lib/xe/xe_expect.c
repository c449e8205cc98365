// SPDX-License-Identifier: MIT
/*
 * The expectations table. Each row cites the source lines it is read
 * from; when hardware shows a row wrong, fix the row (and docs/xe.md),
 * not the test.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/utsname.h>

#include "xe/xe_expect.h"

#define V(a, b) HU_KVER(a, b, 0)

/*
 * Sources read: the Debian source packages linux-source-6.12 6.12.117-1
 * ("6.12.117") and linux-source-7.3 7.3.4-1~bpo13+1 ("7.3.4"), and the
 * drm-kmod branches pr/6.12 .. pr/7.0-deprecated, which replay Linux's
 * drm commits release by release ("drm-kmod pr/6.16"). Mainline ids that
 * could not be checked against a tree say so.
 */
static const struct hu_xe_expect_row rows[HU_XE_EXP_COUNT] = {
	[HU_XE_EXP_UAPI] = {
		HU_XE_EXP_UAPI, "uapi",
		"the Xe uAPI is the stable one this suite speaks",
		V(6, 8), 0, 0,
		"dd08ebf6c352 drm/xe: Introduce a new DRM driver for Intel "
		"GPUs (id from the Fixes: tags of later fixes, which go to "
		"stable '# v6.8+')",
		"not read: no 6.8 tree here",
	},
	[HU_XE_EXP_IOCTL_ERRNO] = {
		HU_XE_EXP_IOCTL_ERRNO, "ioctl-errno",
		"every ioctl on a held fd fails: ENODEV after unbind, EACCES "
		"after PCI removal, ECANCELED on a wedged device",
		V(6, 12), 0, 0,
		"not verified (xe_drm_ioctl() predates the 6.12 trees read)",
		"6.12.117 xe_device.c:200-205, xe_pm.c:590, base/power/"
		"runtime.c:775-780,1883-1887, drm_ioctl.c:778; 7.3.4 "
		"xe_device.c:227-233, xe_pm.h:48; drm-kmod pr/6.12 "
		"xe_device.c:204",
	},
	[HU_XE_EXP_MMAP_ZAPPED] = {
		HU_XE_EXP_MMAP_ZAPPED, "mmap-zapped",
		"CPU mmaps of BOs are zapped and fault to a zero dummy page, "
		"no SIGBUS",
		V(6, 12), 0, 0,
		"not verified (drm_dev_unplug() in xe predates the trees read)",
		"6.12.117 xe_device.c:788, drm_drv.c:504, xe_bo.c:1210,1233; "
		"7.3.4 xe_device.c:1168, xe_bo.c:2199-2200",
	},
	[HU_XE_EXP_GGTT_NODE_REMOVE] = {
		HU_XE_EXP_GGTT_NODE_REMOVE, "ggtt-node-remove",
		"GGTT-mapped BOs freed after unbind do not oops",
		V(6, 12), 0, 0,
		"drm/xe: Fix NPD in ggtt_node_remove() (mainline id not "
		"verified; drm-kmod 4fa6d74b3e, 2024-08-28)",
		"6.12.117 xe_ggtt.c:340",
	},
	[HU_XE_EXP_USERPTR_UNMAP] = {
		HU_XE_EXP_USERPTR_UNMAP, "userptr-unmap",
		"userptr pages are DMA-unmapped when the MMU notifier fires",
		V(6, 14), HU_KVER(6, 12, 117), 0,
		"drm/xe/userptr: Unmap userptrs in the mmu notifier "
		"(cherry-picked from ba767b9d01a2; stable '# v6.10+'; mainline "
		"id not verified)",
		"drm-kmod pr/6.14 xe_vm.c:634 (pr/6.13: absent); 6.12.117 "
		"xe_vm.c:666, xe_hmm.h:17",
	},
	[HU_XE_EXP_LATECLOSE_MIGRATE] = {
		HU_XE_EXP_LATECLOSE_MIGRATE, "lateclose-migrate",
		"closing the fd after PCI remove, with migrate work done, does "
		"not oops in the DMA unmap of the migrate PT BO",
		V(6, 16), 0, V(6, 15),
		"drm/xe/migrate: Switch from drm to dev managed actions "
		"(mainline id not verified; no stable tag)",
		"6.12.117 xe_migrate.c:458 (drmm); drm-kmod pr/6.15 "
		"xe_migrate.c:458 (drmm), pr/6.16 :457 (devm); 7.3.4 "
		"xe_migrate.c:517 (devm)",
	},
	[HU_XE_EXP_BO_REMOVE] = {
		HU_XE_EXP_BO_REMOVE, "bo-remove",
		"user BOs are purged at removal (DMA mappings and VRAM "
		"released before the device goes)",
		V(6, 16), 0, V(6, 15),
		"drm/xe/bo: Add a bo remove callback (mainline id not "
		"verified; no stable tag)",
		"drm-kmod pr/6.16 xe_device.c:957 (pr/6.15 and 6.12.117: "
		"absent); 7.3.4 xe_device.c:1170, xe_bo_evict.c:298",
	},
	[HU_XE_EXP_DMABUF_KEEPS_DATA] = {
		HU_XE_EXP_DMABUF_KEEPS_DATA, "dmabuf-keeps-data",
		"an exported VRAM BO is moved to system at removal (not "
		"observable from user space without an import that migrates "
		"through the removed device: logged only)",
		V(6, 16), 0, V(6, 15),
		"drm/xe/bo: Add a bo remove callback (as bo-remove)",
		"7.3.4 xe_bo_evict.c:286-317",
	},
	[HU_XE_EXP_DMABUF_CPU_VIEW] = {
		HU_XE_EXP_DMABUF_CPU_VIEW, "dmabuf-cpu-view",
		"CPU mmaps of an exported BO's dma-buf are zapped with the BO's "
		"own and read zero after removal: the dma-buf file shares the "
		"DRM mapping",
		V(6, 12), 0, 0,
		"not verified (drm core, older than the trees read)",
		"6.12.117 drm_prime.c:254, drm_drv.c:504, xe_bo.c:1233; "
		"7.3.4 drm_prime.c:251, drm_drv.c:510, xe_bo.c:2199-2200",
	},
	[HU_XE_EXP_DMABUF_UNMAP] = {
		HU_XE_EXP_DMABUF_UNMAP, "dmabuf-unmap",
		"dma-buf attachments unmap correctly after (removal) eviction",
		V(6, 15), HU_KVER(6, 12, 117), 0,
		"drm/xe/dma_buf: stop relying on placement in unmap "
		"(cherry-picked from d755887f8e5a; stable '# v6.8+')",
		"drm-kmod pr/6.15 (91dc38ea35); 6.12.117 xe_dma_buf.c:148; "
		"7.3.4 xe_dma_buf.c:157",
	},
	[HU_XE_EXP_WEDGED_UNBIND] = {
		HU_XE_EXP_WEDGED_UNBIND, "wedged-unbind",
		"a wedged device unbinds and rebinds cleanly",
		V(6, 16), HU_KVER(6, 12, 117), 0,
		"drm/xe: Fix taking invalid lock on wedge (mainline id not "
		"verified; drm-kmod 0d400dfcee)",
		"drm-kmod pr/6.16 xe_guc_submit.c:854 (pr/6.15: absent); "
		"6.12.117 xe_guc_submit.c:865; 7.3.4 xe_guc_submit.c:1333",
	},
	[HU_XE_EXP_NVM_REPROBE] = {
		HU_XE_EXP_NVM_REPROBE, "nvm-reprobe",
		"unbind/rebind loops do not leave a duplicate xe.nvm aux device",
		V(6, 19), 0, 0,
		"2da8fbb8f1c1 drm/xe/nvm: Manage nvm aux cleanup with devres "
		"(upstream id from the 6.18.y backport; 6.18.y point release "
		"not verified)",
		"drm-kmod pr/6.19-deprecated xe_nvm.c:172 (pr/6.18: absent); "
		"7.3.4 xe_nvm.c:182",
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

/* The series (major.minor) of a HU_KVER value. */
static uint32_t series(uint32_t kver)
{
	return kver & ~0xffu;
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
	if (r->stable && series(kver) == series(r->stable) &&
	    kver >= r->stable)
		return HU_XE_EXPECT_YES;
	if (r->absent && series(kver) <= series(r->absent))
		return HU_XE_EXPECT_NO;
	return HU_XE_EXPECT_UNKNOWN;
}

int hu_xe_expect_errno(uint32_t kver, enum hu_xe_gone how, bool wedged)
{
	if (hu_xe_expect(HU_XE_EXP_IOCTL_ERRNO, kver) != HU_XE_EXPECT_YES)
		return 0;
	/* xe_drm_ioctl(): the wedged check comes first. */
	if (wedged)
		return ECANCELED;
	/*
	 * device_del() -> pm_runtime_remove() disables runtime PM and sets
	 * the device suspended, so rpm_resume() refuses with EACCES.
	 */
	if (how == HU_XE_GONE_REMOVE)
		return EACCES;
	/* drm_ioctl(): drm_dev_is_unplugged() after xe_device_remove(). */
	return ENODEV;
}

bool hu_xe_errno_while_going(int err, int want)
{
	return err == 0 || err == -ENODEV || (want && err == -want);
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
