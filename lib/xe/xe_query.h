/* SPDX-License-Identifier: MIT */
/*
 * xe_query: what an Xe device is (DEVICE_QUERY), and the per-platform
 * choices derived from it (copy command, PAT index, BO placement).
 *
 * The parsers take the raw query blobs, so they are unit-tested with
 * blobs built per the uAPI structs; only __hu_xe_query() touches a device.
 */
#ifndef HU_XE_QUERY_H
#define HU_XE_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <drm/xe_drm.h>

#include "xe/xe_cmd.h"

#define HU_XE_MAX_REGIONS	16

struct hu_xe_region {
	uint16_t mem_class;	/* DRM_XE_MEM_REGION_CLASS_* */
	uint16_t instance;	/* bit index for gem_create.placement */
	uint32_t min_page_size;
	uint64_t total_size;
	uint64_t cpu_visible_size;
	uint64_t used;		/* 0 unless CAP_PERFMON / CAP_SYS_ADMIN */
};

struct hu_xe_info {
	/* CONFIG */
	uint16_t devid;
	uint8_t revid;
	bool has_vram;
	uint32_t min_alignment;
	uint32_t va_bits;
	/* MEM_REGIONS */
	unsigned int num_regions;
	struct hu_xe_region regions[HU_XE_MAX_REGIONS];
	int sys;		/* index in regions[], -1 if none */
	int vram;		/* index in regions[] of GT0's near VRAM, or -1 */
	/* ENGINES: the first copy engine of GT0 */
	bool has_copy_engine;
	struct drm_xe_engine_class_instance copy_engine;
	unsigned int num_engines;
	/* GT_LIST: the main GT of tile 0 */
	uint16_t ip_major, ip_minor;	/* 0.0 before GMD_ID (TGL..DG2) */
	bool ip_from_devid;	/* the GT query left them 0 on a GMD_ID
				 * platform: taken from the device id */
	uint64_t near_mem_regions;
	bool have_config, have_regions, have_engines, have_gts;
};

/*
 * Parsers of one query blob each: return 0, or -EINVAL if the blob is
 * shorter than its header claims or lacks what the suite needs.
 */
int hu_xe_parse_config(struct hu_xe_info *info, const void *blob, size_t size);
int hu_xe_parse_mem_regions(struct hu_xe_info *info, const void *blob,
			    size_t size);
int hu_xe_parse_engines(struct hu_xe_info *info, const void *blob,
			size_t size);
int hu_xe_parse_gt_list(struct hu_xe_info *info, const void *blob,
			size_t size);
/* Resolves sys/vram once all four are parsed; 0 or -EINVAL. */
int hu_xe_info_finish(struct hu_xe_info *info);

/* Runs the four queries on @fd: 0 or -errno. */
int __hu_xe_query(int fd, struct hu_xe_info *info);
/* Raw query into a malloc'd buffer (free it); 0 or -errno. */
int __hu_xe_query_blob(int fd, uint32_t query, void **blob, size_t *size);

static inline bool hu_xe_has_vram(const struct hu_xe_info *info)
{
	return info->has_vram && info->vram >= 0;
}

/* Graphics IP as major * 100 + minor (2004 for LNL); 0 if unknown. */
unsigned int hu_xe_graphics_ver(const struct hu_xe_info *info);
bool hu_xe_is_pvc(const struct hu_xe_info *info);
/* The copy command for this platform (MEM_COPY on PVC and Xe2+). */
enum hu_xe_copy_cmd hu_xe_copy_cmd(const struct hu_xe_info *info);
/* The PAT index of 1-way coherent WB, required for userptr binds. */
uint16_t hu_xe_pat_wb(const struct hu_xe_info *info);
/* VRAM the CPU can map (total on full-BAR), 0 without VRAM. */
uint64_t hu_xe_visible_vram(const struct hu_xe_info *info);

/* --- buffer placement ------------------------------------------------- */

enum hu_xe_mem {
	HU_XE_MEM_SYS,
	HU_XE_MEM_VRAM,
	HU_XE_MEM_VRAM_OR_SYS,	/* evictable: VRAM preferred, system allowed */
};

struct hu_xe_bo_params {
	uint64_t size;		/* rounded up to the regions' min_page_size */
	uint32_t placement;	/* bitmask of region instances */
	uint32_t flags;		/* DRM_XE_GEM_CREATE_FLAG_* */
	uint16_t cpu_caching;	/* DRM_XE_GEM_CPU_CACHING_* */
};

/*
 * gem_create arguments for @size bytes in @mem: WC whenever VRAM may hold
 * it (the kernel rejects WB there), WB for system only, NEEDS_VISIBLE_VRAM
 * when the CPU will @mmap a VRAM placement. Returns 0, -ENODEV if @mem
 * needs VRAM the device lacks, -EINVAL for size 0.
 */
int hu_xe_bo_params(const struct hu_xe_info *info, enum hu_xe_mem mem,
		    uint64_t size, bool mmap, struct hu_xe_bo_params *p);
/* VRAM if the device has it, else system. */
enum hu_xe_mem hu_xe_mem_best(const struct hu_xe_info *info);
const char *hu_xe_mem_name(enum hu_xe_mem mem);

#endif /* HU_XE_QUERY_H */
