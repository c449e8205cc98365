// SPDX-License-Identifier: MIT
/*
 * Device queries and the platform choices made from them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <xf86drm.h>

#include "xe/xe_query.h"

int hu_xe_parse_config(struct hu_xe_info *info, const void *blob, size_t size)
{
	const struct drm_xe_query_config *c = blob;
	uint64_t rev_devid;

	if (size < sizeof(*c) ||
	    size < sizeof(*c) + (size_t)c->num_params * sizeof(c->info[0]))
		return -EINVAL;
	if (c->num_params <= DRM_XE_QUERY_CONFIG_VA_BITS)
		return -EINVAL;

	rev_devid = c->info[DRM_XE_QUERY_CONFIG_REV_AND_DEVICE_ID];
	info->devid = rev_devid & 0xffff;
	info->revid = (rev_devid >> 16) & 0xff;
	info->has_vram = c->info[DRM_XE_QUERY_CONFIG_FLAGS] &
			 DRM_XE_QUERY_CONFIG_FLAG_HAS_VRAM;
	info->min_alignment = c->info[DRM_XE_QUERY_CONFIG_MIN_ALIGNMENT];
	info->va_bits = c->info[DRM_XE_QUERY_CONFIG_VA_BITS];
	info->have_config = true;
	return 0;
}

int hu_xe_parse_mem_regions(struct hu_xe_info *info, const void *blob,
			    size_t size)
{
	const struct drm_xe_query_mem_regions *m = blob;

	if (size < sizeof(*m) ||
	    size < sizeof(*m) + (size_t)m->num_mem_regions *
				sizeof(m->mem_regions[0]))
		return -EINVAL;
	if (!m->num_mem_regions || m->num_mem_regions > HU_XE_MAX_REGIONS)
		return -EINVAL;

	info->num_regions = m->num_mem_regions;
	for (unsigned int i = 0; i < m->num_mem_regions; i++) {
		const struct drm_xe_mem_region *r = &m->mem_regions[i];

		/* instance is a bit index of a 32-bit placement mask. */
		if (r->instance >= 32)
			return -EINVAL;
		info->regions[i] = (struct hu_xe_region) {
			.mem_class = r->mem_class,
			.instance = r->instance,
			.min_page_size = r->min_page_size,
			.total_size = r->total_size,
			.cpu_visible_size = r->cpu_visible_size,
			.used = r->used,
		};
	}
	info->have_regions = true;
	return 0;
}

int hu_xe_parse_engines(struct hu_xe_info *info, const void *blob,
			size_t size)
{
	const struct drm_xe_query_engines *e = blob;

	if (size < sizeof(*e) ||
	    size < sizeof(*e) + (size_t)e->num_engines * sizeof(e->engines[0]))
		return -EINVAL;

	info->num_engines = e->num_engines;
	info->has_copy_engine = false;
	for (unsigned int i = 0; i < e->num_engines; i++) {
		const struct drm_xe_engine_class_instance *ci =
			&e->engines[i].instance;

		if (ci->engine_class != DRM_XE_ENGINE_CLASS_COPY)
			continue;
		/* Prefer GT0, then the lowest instance. */
		if (!info->has_copy_engine ||
		    ci->gt_id < info->copy_engine.gt_id ||
		    (ci->gt_id == info->copy_engine.gt_id &&
		     ci->engine_instance < info->copy_engine.engine_instance)) {
			info->copy_engine = *ci;
			info->has_copy_engine = true;
		}
	}
	info->have_engines = true;
	return 0;
}

int hu_xe_parse_gt_list(struct hu_xe_info *info, const void *blob,
			size_t size)
{
	const struct drm_xe_query_gt_list *g = blob;
	bool found = false;

	if (size < sizeof(*g) ||
	    size < sizeof(*g) + (size_t)g->num_gt * sizeof(g->gt_list[0]))
		return -EINVAL;

	for (unsigned int i = 0; i < g->num_gt; i++) {
		const struct drm_xe_gt *gt = &g->gt_list[i];

		if (gt->type != DRM_XE_QUERY_GT_TYPE_MAIN || gt->tile_id != 0)
			continue;
		info->ip_major = gt->ip_ver_major;
		info->ip_minor = gt->ip_ver_minor;
		info->near_mem_regions = gt->near_mem_regions;
		found = true;
		break;
	}
	if (!found)
		return -EINVAL;
	info->have_gts = true;
	return 0;
}

/*
 * Graphics IP of the GMD_ID platforms by PCI device id (the ids of
 * INTEL_MTL/ARL/LNL/BMG/PTL/WCL_IDS in include/drm/intel/pciids.h, 7.3.4),
 * for kernels whose GT query leaves ip_ver_* zero. In 6.12.117 the fields
 * sit where reserved[8] became ip_ver_* + reserved[7] (xe_drm.h:466-474),
 * so an older kernel reports zeroes; the release that brought them was
 * not verified. Only "12.7x" and "major >= 20" matter here (PAT, copy
 * command), so each family gets one version. The BMG, PTL and WCL ranges
 * hold no other id of that file.
 */
static const struct {
	uint16_t first, last;
	uint8_t major, minor;
} gmdid_ids[] = {
	{ 0x7d40, 0x7d41, 12, 70 },	/* MTL-U, ARL-U */
	{ 0x7d45, 0x7d45, 12, 70 },	/* MTL */
	{ 0x7d51, 0x7d51, 12, 70 },	/* ARL-H */
	{ 0x7d55, 0x7d55, 12, 70 },	/* MTL */
	{ 0x7d60, 0x7d60, 12, 70 },	/* MTL */
	{ 0x7d67, 0x7d67, 12, 70 },	/* ARL-S */
	{ 0x7dd1, 0x7dd1, 12, 70 },	/* ARL-H */
	{ 0x7dd5, 0x7dd5, 12, 70 },	/* MTL */
	{ 0xb640, 0xb640, 12, 70 },	/* ARL-S */
	{ 0x6420, 0x6420, 20, 4 },	/* LNL */
	{ 0x64a0, 0x64a0, 20, 4 },
	{ 0x64b0, 0x64b0, 20, 4 },
	{ 0xe202, 0xe223, 20, 1 },	/* BMG */
	{ 0xb080, 0xb0b0, 30, 0 },	/* PTL */
	{ 0xfd80, 0xfd81, 30, 0 },	/* WCL */
};

static void ip_from_devid(struct hu_xe_info *info)
{
	if (info->ip_major)
		return;
	for (size_t i = 0; i < sizeof(gmdid_ids) / sizeof(gmdid_ids[0]); i++) {
		if (info->devid >= gmdid_ids[i].first &&
		    info->devid <= gmdid_ids[i].last) {
			info->ip_major = gmdid_ids[i].major;
			info->ip_minor = gmdid_ids[i].minor;
			info->ip_from_devid = true;
			return;
		}
	}
}

int hu_xe_info_finish(struct hu_xe_info *info)
{
	int best_vram = -1;

	if (!info->have_config || !info->have_regions || !info->have_gts)
		return -EINVAL;
	ip_from_devid(info);

	info->sys = -1;
	for (unsigned int i = 0; i < info->num_regions; i++) {
		const struct hu_xe_region *r = &info->regions[i];

		if (r->mem_class == DRM_XE_MEM_REGION_CLASS_SYSMEM &&
		    info->sys < 0)
			info->sys = i;
		/* The lowest VRAM instance near the main GT of tile 0. */
		if (r->mem_class == DRM_XE_MEM_REGION_CLASS_VRAM &&
		    (info->near_mem_regions >> r->instance) & 1 &&
		    (best_vram < 0 ||
		     r->instance < info->regions[best_vram].instance))
			best_vram = i;
	}
	info->vram = info->has_vram ? best_vram : -1;
	if (info->sys < 0)
		return -EINVAL;
	if (info->has_vram && info->vram < 0)
		return -EINVAL;
	return 0;
}

int __hu_xe_query_blob(int fd, uint32_t query, void **blob, size_t *size)
{
	struct drm_xe_device_query q = { .query = query };
	void *buf;

	if (drmIoctl(fd, DRM_IOCTL_XE_DEVICE_QUERY, &q))
		return -errno;
	if (!q.size)
		return -EINVAL;
	buf = calloc(1, q.size);
	if (!buf)
		return -ENOMEM;
	q.data = (uintptr_t)buf;
	if (drmIoctl(fd, DRM_IOCTL_XE_DEVICE_QUERY, &q)) {
		int err = -errno;

		free(buf);
		return err;
	}
	*blob = buf;
	*size = q.size;
	return 0;
}

int __hu_xe_query(int fd, struct hu_xe_info *info)
{
	static const struct {
		uint32_t query;
		int (*parse)(struct hu_xe_info *, const void *, size_t);
	} queries[] = {
		{ DRM_XE_DEVICE_QUERY_CONFIG, hu_xe_parse_config },
		{ DRM_XE_DEVICE_QUERY_MEM_REGIONS, hu_xe_parse_mem_regions },
		{ DRM_XE_DEVICE_QUERY_ENGINES, hu_xe_parse_engines },
		{ DRM_XE_DEVICE_QUERY_GT_LIST, hu_xe_parse_gt_list },
	};

	memset(info, 0, sizeof(*info));
	for (size_t i = 0; i < sizeof(queries) / sizeof(queries[0]); i++) {
		void *blob;
		size_t size;
		int err = __hu_xe_query_blob(fd, queries[i].query, &blob, &size);

		if (err)
			return err;
		err = queries[i].parse(info, blob, size);
		free(blob);
		if (err)
			return err;
	}
	return hu_xe_info_finish(info);
}

unsigned int hu_xe_graphics_ver(const struct hu_xe_info *info)
{
	return info->ip_major * 100u + info->ip_minor;
}

bool hu_xe_is_pvc(const struct hu_xe_info *info)
{
	return info->devid >= 0x0bd0 && info->devid <= 0x0bdb;
}

enum hu_xe_copy_cmd hu_xe_copy_cmd(const struct hu_xe_info *info)
{
	if (hu_xe_is_pvc(info) || info->ip_major >= 20)
		return HU_XE_COPY_MEM_COPY;
	return HU_XE_COPY_FAST_COPY;
}

uint16_t hu_xe_pat_wb(const struct hu_xe_info *info)
{
	unsigned int ver = hu_xe_graphics_ver(info);

	if (info->ip_major >= 20)
		return 2;
	if (hu_xe_is_pvc(info) || (ver >= 1270 && ver < 2000))
		return 3;
	return 0;	/* TGL .. DG2: index 0 is WB */
}

uint64_t hu_xe_visible_vram(const struct hu_xe_info *info)
{
	if (!hu_xe_has_vram(info))
		return 0;
	return info->regions[info->vram].cpu_visible_size;
}

static uint64_t round_up_u64(uint64_t v, uint64_t to)
{
	return to ? (v + to - 1) / to * to : v;
}

int hu_xe_bo_params(const struct hu_xe_info *info, enum hu_xe_mem mem,
		    uint64_t size, bool mmap, struct hu_xe_bo_params *p)
{
	const struct hu_xe_region *sys = &info->regions[info->sys];
	uint64_t page = 4096;

	if (!size)
		return -EINVAL;
	if (mem != HU_XE_MEM_SYS && !hu_xe_has_vram(info))
		return -ENODEV;

	memset(p, 0, sizeof(*p));
	if (mem == HU_XE_MEM_SYS || mem == HU_XE_MEM_VRAM_OR_SYS) {
		p->placement |= 1u << sys->instance;
		if (sys->min_page_size > page)
			page = sys->min_page_size;
	}
	if (mem == HU_XE_MEM_VRAM || mem == HU_XE_MEM_VRAM_OR_SYS) {
		const struct hu_xe_region *vram = &info->regions[info->vram];

		p->placement |= 1u << vram->instance;
		if (vram->min_page_size > page)
			page = vram->min_page_size;
		if (mmap)
			p->flags |= DRM_XE_GEM_CREATE_FLAG_NEEDS_VISIBLE_VRAM;
	}
	p->cpu_caching = mem == HU_XE_MEM_SYS ? DRM_XE_GEM_CPU_CACHING_WB :
						DRM_XE_GEM_CPU_CACHING_WC;
	p->size = round_up_u64(size, page);
	return 0;
}

enum hu_xe_mem hu_xe_mem_best(const struct hu_xe_info *info)
{
	return hu_xe_has_vram(info) ? HU_XE_MEM_VRAM : HU_XE_MEM_SYS;
}

const char *hu_xe_mem_name(enum hu_xe_mem mem)
{
	switch (mem) {
	case HU_XE_MEM_SYS:
		return "system";
	case HU_XE_MEM_VRAM:
		return "vram";
	case HU_XE_MEM_VRAM_OR_SYS:
		return "vram|system";
	}
	return "?";
}
