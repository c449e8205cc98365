// SPDX-License-Identifier: MIT
/* hu_drm_health: a health check that does real work on the device. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <drm.h>

#include "hu_core.h"
#include "hu_device.h"
#include "hu_drm.h"

#define FAIL(step, e) do {						\
	err = (e);							\
	snprintf(why, len, "%s: %s", step, strerror(-err));		\
	goto out;							\
} while (0)

/*
 * PRIME is checked where the driver has it. Before 6.6 DRM_CAP_PRIME says
 * which directions a driver supports (bochs on 6.1, with the VRAM helpers,
 * has none: every export is ENOSYS); since 6.6 both are always advertised
 * (include/uapi/drm/drm.h, DRM_CAP_PRIME).
 */
int __hu_health_check(const struct hu_device *dev, char *why, size_t len)
{
	int card = -1, render = -1, dmabuf = -1, importer, err = 0;
	uint64_t caps;
	void *map = MAP_FAILED, *dmap = MAP_FAILED;
	struct hu_bo bo = { 0 };
	uint32_t seed = 0x600df00d, h;
	char name[64];

	card = hu_drm_open(dev->card);
	if (card < 0)
		FAIL("open card", card);
	if (dev->render[0]) {
		render = hu_drm_open(dev->render);
		if (render < 0)
			FAIL("open render", render);
	}
	err = hu_drm_driver_name(card, name, sizeof(name));
	if (err)
		FAIL("DRM_IOCTL_VERSION", err);
	err = hu_drm_dumb_create(card, 128, 128, &bo);
	if (err)
		FAIL("create dumb BO", err);
	err = hu_drm_dumb_map_offset(card, &bo);
	if (err)
		FAIL("map dumb BO", err);
	map = hu_drm_mmap_bo(card, &bo);
	if (map == MAP_FAILED)
		FAIL("mmap dumb BO", -errno);
	hu_fill_pattern(map, bo.size, seed);
	if (!hu_check_pattern(map, bo.size, seed))
		FAIL("read back through the mmap", -EIO);
	err = hu_drm_get_cap(card, DRM_CAP_PRIME, &caps);
	if (err)
		FAIL("DRM_CAP_PRIME", err);
	if (!(caps & DRM_PRIME_CAP_EXPORT)) {
		hu_debug("health check of %s (%s): ok, no PRIME export to check\n",
			 dev->card, name);
		goto out;
	}
	err = hu_drm_prime_export(card, bo.handle, &dmabuf);
	if (err)
		FAIL("PRIME export", err);
	importer = render >= 0 ? render : card;
	err = hu_drm_get_cap(importer, DRM_CAP_PRIME, &caps);
	if (err)
		FAIL("DRM_CAP_PRIME", err);
	if (caps & DRM_PRIME_CAP_IMPORT) {
		err = hu_drm_prime_import(importer, dmabuf, &h);
		if (err)
			FAIL("PRIME import", err);
	}
	dmap = mmap(NULL, bo.size, PROT_READ, MAP_SHARED, dmabuf, 0);
	if (dmap == MAP_FAILED)
		FAIL("dma-buf mmap", -errno);
	if (!hu_check_pattern(dmap, bo.size, seed))
		FAIL("read back through the dma-buf", -EIO);
	hu_debug("health check of %s (%s): ok\n", dev->card, name);
out:
	if (dmap != MAP_FAILED)
		munmap(dmap, bo.size);
	if (map != MAP_FAILED)
		munmap(map, bo.size);
	if (dmabuf >= 0)
		close(dmabuf);
	if (render >= 0)
		close(render);
	if (card >= 0)
		close(card);
	return err;
}

void hu_health_check(const struct hu_device *dev)
{
	char why[256] = "";
	int err = __hu_health_check(dev, why, sizeof(why));

	hu_assert_f(!err, "health check of %s failed at %s\n", dev->card, why);
}
