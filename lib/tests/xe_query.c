// SPDX-License-Identifier: MIT
/*
 * Query parsers, capability probes and placement choices, fed with query
 * blobs built per the uAPI structs for fake devices:
 *
 *	DG2 (Xe_HPG, 12.55, no GMD_ID): 256 MiB visible of 16 GiB VRAM at
 *	region instance 1, 64 KiB VRAM pages, fast copy only, PAT WB 0
 *	LNL (Xe2, 20.04): no VRAM, MEM_COPY, PAT WB 2
 *	BMG (Xe2, 20.01): VRAM, MEM_COPY; MTL (12.70): no VRAM, PAT WB 3
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hu_check.h"
#include "xe/xe_query.h"

struct fake {
	uint16_t devid;
	bool vram;
	uint16_t ip_major, ip_minor;
	bool vram_first;	/* list VRAM before system */
	bool copy_engine;
};

static void *config_blob(const struct fake *f, size_t *size)
{
	struct drm_xe_query_config *c;

	*size = sizeof(*c) + 5 * sizeof(uint64_t);
	c = calloc(1, *size);
	c->num_params = 5;
	c->info[DRM_XE_QUERY_CONFIG_REV_AND_DEVICE_ID] = 4ull << 16 | f->devid;
	c->info[DRM_XE_QUERY_CONFIG_FLAGS] =
		f->vram ? DRM_XE_QUERY_CONFIG_FLAG_HAS_VRAM : 0;
	c->info[DRM_XE_QUERY_CONFIG_MIN_ALIGNMENT] = f->vram ? 65536 : 4096;
	c->info[DRM_XE_QUERY_CONFIG_VA_BITS] = 48;
	c->info[DRM_XE_QUERY_CONFIG_MAX_EXEC_QUEUE_PRIORITY] = 2;
	return c;
}

static void *regions_blob(const struct fake *f, size_t *size)
{
	struct drm_xe_query_mem_regions *m;
	struct drm_xe_mem_region sys = {
		.mem_class = DRM_XE_MEM_REGION_CLASS_SYSMEM,
		.instance = 0,
		.min_page_size = 4096,
		.total_size = 32ull << 30,
	};
	struct drm_xe_mem_region vram = {
		.mem_class = DRM_XE_MEM_REGION_CLASS_VRAM,
		.instance = 1,
		.min_page_size = 65536,
		.total_size = 16ull << 30,
		.cpu_visible_size = 256ull << 20,
	};
	unsigned int n = f->vram ? 2 : 1;

	*size = sizeof(*m) + n * sizeof(m->mem_regions[0]);
	m = calloc(1, *size);
	m->num_mem_regions = n;
	if (f->vram && f->vram_first) {
		m->mem_regions[0] = vram;
		m->mem_regions[1] = sys;
	} else {
		m->mem_regions[0] = sys;
		if (f->vram)
			m->mem_regions[1] = vram;
	}
	return m;
}

static void *engines_blob(const struct fake *f, size_t *size)
{
	struct drm_xe_query_engines *e;
	/* class, instance, gt: RCS0, BCS8 (gt 0), BCS0 (gt 0), VCS0 (gt 1) */
	static const uint16_t list[][3] = {
		{ DRM_XE_ENGINE_CLASS_RENDER, 0, 0 },
		{ DRM_XE_ENGINE_CLASS_COPY, 8, 0 },
		{ DRM_XE_ENGINE_CLASS_COPY, 0, 0 },
		{ DRM_XE_ENGINE_CLASS_VIDEO_DECODE, 0, 1 },
	};
	unsigned int n = 4;

	*size = sizeof(*e) + n * sizeof(e->engines[0]);
	e = calloc(1, *size);
	e->num_engines = n;
	for (unsigned int i = 0; i < n; i++) {
		e->engines[i].instance.engine_class = list[i][0];
		e->engines[i].instance.engine_instance = list[i][1];
		e->engines[i].instance.gt_id = list[i][2];
		if (!f->copy_engine &&
		    list[i][0] == DRM_XE_ENGINE_CLASS_COPY)
			e->engines[i].instance.engine_class =
				DRM_XE_ENGINE_CLASS_COMPUTE;
	}
	return e;
}

static void *gts_blob(const struct fake *f, size_t *size)
{
	struct drm_xe_query_gt_list *g;

	*size = sizeof(*g) + 2 * sizeof(g->gt_list[0]);
	g = calloc(1, *size);
	g->num_gt = 2;
	/* The media GT first, to show the main one is picked by type. */
	g->gt_list[0].type = DRM_XE_QUERY_GT_TYPE_MEDIA;
	g->gt_list[0].gt_id = 1;
	g->gt_list[0].ip_ver_major = 13;
	g->gt_list[1].type = DRM_XE_QUERY_GT_TYPE_MAIN;
	g->gt_list[1].ip_ver_major = f->ip_major;
	g->gt_list[1].ip_ver_minor = f->ip_minor;
	g->gt_list[1].near_mem_regions = f->vram ? 1u << 1 : 0;
	g->gt_list[1].far_mem_regions = 1u << 0;
	return g;
}

static int build(const struct fake *f, struct hu_xe_info *info)
{
	void *(*makers[])(const struct fake *, size_t *) = {
		config_blob, regions_blob, engines_blob, gts_blob,
	};
	int (*parsers[])(struct hu_xe_info *, const void *, size_t) = {
		hu_xe_parse_config, hu_xe_parse_mem_regions,
		hu_xe_parse_engines, hu_xe_parse_gt_list,
	};
	int err = 0;

	memset(info, 0, sizeof(*info));
	for (int i = 0; i < 4 && !err; i++) {
		size_t size;
		void *blob = makers[i](f, &size);

		err = parsers[i](info, blob, size);
		free(blob);
	}
	return err ? err : hu_xe_info_finish(info);
}

static const struct fake dg2 = { 0x56a0, true, 0, 0, false, true };
static const struct fake lnl = { 0x64a0, false, 20, 4, false, true };
static const struct fake bmg = { 0xe20b, true, 20, 1, true, true };
static const struct fake mtl = { 0x7d55, false, 12, 70, false, true };
static const struct fake pvc = { 0x0bd5, true, 0, 0, false, true };

static void devices(void)
{
	struct hu_xe_info i;
	struct fake f;

	check_eq(build(&dg2, &i), 0, "DG2 blobs parse");
	check(i.devid == 0x56a0 && i.revid == 4, "DG2 devid and revid");
	check(hu_xe_has_vram(&i), "DG2 has VRAM");
	check(i.vram == 1 && i.regions[i.vram].instance == 1,
	      "DG2 VRAM is region instance 1");
	check(i.sys == 0, "DG2 system memory found");
	check_eq(hu_xe_visible_vram(&i), 256ull << 20,
		 "DG2 small BAR: 256 MiB visible");
	check(i.has_copy_engine && i.copy_engine.engine_instance == 0 &&
	      i.copy_engine.gt_id == 0,
	      "copy engine: BCS0 of GT0, not the first listed (BCS8)");
	check_eq(hu_xe_copy_cmd(&i), HU_XE_COPY_FAST_COPY,
		 "DG2 copies with XY_FAST_COPY_BLT");
	check_eq(hu_xe_pat_wb(&i), 0, "DG2 WB PAT index 0");
	check_eq(hu_xe_graphics_ver(&i), 0, "DG2 has no GMD_ID version");

	check_eq(build(&lnl, &i), 0, "LNL blobs parse");
	check(!hu_xe_has_vram(&i) && i.vram == -1, "LNL has no VRAM");
	check_eq(hu_xe_visible_vram(&i), 0, "LNL visible VRAM 0");
	check_eq(hu_xe_graphics_ver(&i), 2004,
		 "LNL main GT is 20.04 (not the media GT's 13)");
	check_eq(hu_xe_copy_cmd(&i), HU_XE_COPY_MEM_COPY, "LNL uses MEM_COPY");
	check_eq(hu_xe_pat_wb(&i), 2, "Xe2 WB PAT index 2");
	check_eq(hu_xe_mem_best(&i), HU_XE_MEM_SYS, "LNL best memory: system");

	check_eq(build(&bmg, &i), 0, "BMG blobs (VRAM listed first) parse");
	check(i.vram == 0 && i.sys == 1,
	      "region order is not assumed: VRAM index 0, system index 1");
	check_eq(hu_xe_copy_cmd(&i), HU_XE_COPY_MEM_COPY, "BMG uses MEM_COPY");
	check_eq(hu_xe_mem_best(&i), HU_XE_MEM_VRAM, "BMG best memory: VRAM");

	check_eq(build(&mtl, &i), 0, "MTL blobs parse");
	check_eq(hu_xe_copy_cmd(&i), HU_XE_COPY_FAST_COPY, "MTL: fast copy");
	check_eq(hu_xe_pat_wb(&i), 3, "MTL WB PAT index 3");

	/*
	 * A kernel whose GT query leaves ip_ver_* zero (reserved before):
	 * the device id decides, so Xe2 keeps MEM_COPY and PAT 2, MTL PAT 3.
	 */
	{
		static const struct fake old_lnl = { 0x64a0, false, 0, 0,
						     false, true };
		static const struct fake old_bmg = { 0xe20b, true, 0, 0,
						     true, true };
		static const struct fake old_mtl = { 0x7d55, false, 0, 0,
						     false, true };
		static const struct fake old_ptl = { 0xb0b0, false, 0, 0,
						     false, true };

		check_eq(build(&old_lnl, &i), 0, "LNL with a zero GT version");
		check(i.ip_from_devid && hu_xe_graphics_ver(&i) == 2004 &&
		      hu_xe_copy_cmd(&i) == HU_XE_COPY_MEM_COPY &&
		      hu_xe_pat_wb(&i) == 2,
		      "... is 20.04 by device id: MEM_COPY, PAT 2");
		check_eq(build(&old_bmg, &i), 0, "BMG with a zero GT version");
		check(i.ip_from_devid && i.ip_major == 20 &&
		      hu_xe_pat_wb(&i) == 2, "... Xe2 by device id");
		check_eq(build(&old_mtl, &i), 0, "MTL with a zero GT version");
		check(i.ip_from_devid && hu_xe_pat_wb(&i) == 3 &&
		      hu_xe_copy_cmd(&i) == HU_XE_COPY_FAST_COPY,
		      "... 12.70 by device id: fast copy, PAT 3");
		check_eq(build(&old_ptl, &i), 0, "PTL with a zero GT version");
		check(i.ip_major == 30 && hu_xe_pat_wb(&i) == 2,
		      "... Xe3 by device id: PAT 2");
		check_eq(build(&dg2, &i), 0, "DG2 again");
		check(!i.ip_from_devid && i.ip_major == 0,
		      "a pre-GMD_ID device keeps 0.0 (not in the table)");
		check_eq(build(&lnl, &i), 0, "LNL with its GT version");
		check(!i.ip_from_devid, "a GT version reported is kept");
	}

	check_eq(build(&pvc, &i), 0, "PVC blobs parse");
	check_eq(hu_xe_copy_cmd(&i), HU_XE_COPY_MEM_COPY,
		 "PVC (no GMD_ID) uses MEM_COPY by device id");
	check_eq(hu_xe_pat_wb(&i), 3, "PVC WB PAT index 3");

	/* Two tiles: VRAM instances 1 and 2; tile 0's main GT is near 2. */
	{
		size_t size;
		struct drm_xe_query_mem_regions *m;
		struct drm_xe_query_gt_list *gl;
		void *cfg;

		memset(&i, 0, sizeof(i));
		m = regions_blob(&dg2, &size);
		m = realloc(m, size + sizeof(m->mem_regions[0]));
		m->mem_regions[2] = m->mem_regions[1];
		m->mem_regions[2].instance = 2;
		m->num_mem_regions = 3;
		hu_xe_parse_mem_regions(&i, m, size + sizeof(m->mem_regions[0]));
		free(m);
		gl = gts_blob(&dg2, &size);
		gl->gt_list[1].near_mem_regions = 1u << 2;
		hu_xe_parse_gt_list(&i, gl, size);
		free(gl);
		cfg = config_blob(&dg2, &size);
		hu_xe_parse_config(&i, cfg, size);
		free(cfg);
		check(hu_xe_info_finish(&i) == 0 && i.vram == 2 &&
		      i.regions[i.vram].instance == 2,
		      "two tiles: VRAM is the one near tile 0's main GT");
	}

	f = dg2;
	f.copy_engine = false;
	check_eq(build(&f, &i), 0, "a device without copy engine parses");
	check(!i.has_copy_engine, "... and says it has none");
}

static void malformed(void)
{
	struct hu_xe_info i;
	size_t size;
	void *blob;

	memset(&i, 0, sizeof(i));
	blob = regions_blob(&dg2, &size);
	check_eq(hu_xe_parse_mem_regions(&i, blob, size - 1), -EINVAL,
		 "a mem_regions blob shorter than its count is refused");
	check_eq(hu_xe_parse_mem_regions(&i, blob, 4), -EINVAL,
		 "a blob shorter than the header is refused");
	((struct drm_xe_query_mem_regions *)blob)->mem_regions[1].instance = 40;
	check_eq(hu_xe_parse_mem_regions(&i, blob, size), -EINVAL,
		 "a region instance beyond the 32-bit placement is refused");
	free(blob);

	blob = config_blob(&dg2, &size);
	((struct drm_xe_query_config *)blob)->num_params = 3;
	check_eq(hu_xe_parse_config(&i, blob, size), -EINVAL,
		 "a config without VA_BITS is refused");
	free(blob);

	blob = engines_blob(&dg2, &size);
	check_eq(hu_xe_parse_engines(&i, blob, size - 8), -EINVAL,
		 "a truncated engines blob is refused");
	free(blob);

	blob = gts_blob(&dg2, &size);
	((struct drm_xe_query_gt_list *)blob)->gt_list[1].type =
		DRM_XE_QUERY_GT_TYPE_MEDIA;
	check_eq(hu_xe_parse_gt_list(&i, blob, size), -EINVAL,
		 "a GT list without a main GT on tile 0 is refused");
	free(blob);

	memset(&i, 0, sizeof(i));
	check_eq(hu_xe_info_finish(&i), -EINVAL,
		 "finish refuses an info with nothing parsed");
}

static void placement(void)
{
	struct hu_xe_bo_params p;
	struct hu_xe_info dgfx, igfx;

	build(&dg2, &dgfx);
	build(&lnl, &igfx);

	check_eq(hu_xe_bo_params(&dgfx, HU_XE_MEM_VRAM, 100, true, &p), 0,
		 "DG2 mapped VRAM BO");
	check(p.placement == 0x2 && p.cpu_caching == DRM_XE_GEM_CPU_CACHING_WC &&
	      p.flags == DRM_XE_GEM_CREATE_FLAG_NEEDS_VISIBLE_VRAM,
	      "VRAM: instance 1, WC, NEEDS_VISIBLE_VRAM when mapped");
	check_eq(p.size, 65536, "VRAM size rounded to its 64 KiB pages");
	hu_xe_bo_params(&dgfx, HU_XE_MEM_VRAM, 65537, false, &p);
	check(p.size == 131072 && p.flags == 0,
	      "65537 bytes -> 128 KiB; unmapped VRAM BO has no visible flag");
	hu_xe_bo_params(&dgfx, HU_XE_MEM_VRAM_OR_SYS, 4096, true, &p);
	check(p.placement == 0x3 && p.cpu_caching == DRM_XE_GEM_CPU_CACHING_WC &&
	      p.size == 65536, "VRAM|system: both bits, still WC, 64 KiB");
	hu_xe_bo_params(&dgfx, HU_XE_MEM_SYS, 100, true, &p);
	check(p.placement == 0x1 && p.cpu_caching == DRM_XE_GEM_CPU_CACHING_WB &&
	      p.size == 4096 && p.flags == 0,
	      "system only: instance 0, WB, 4 KiB pages, no flags");

	check_eq(hu_xe_bo_params(&igfx, HU_XE_MEM_VRAM, 4096, true, &p),
		 -ENODEV, "LNL: a VRAM BO is refused");
	check_eq(hu_xe_bo_params(&igfx, HU_XE_MEM_VRAM_OR_SYS, 4096, true, &p),
		 -ENODEV, "LNL: an evictable BO is refused");
	check_eq(hu_xe_bo_params(&igfx, HU_XE_MEM_SYS, 0, true, &p), -EINVAL,
		 "size 0 is refused");
	check_eq(hu_xe_bo_params(&igfx, HU_XE_MEM_SYS, 8192, true, &p), 0,
		 "LNL system BO");
	check(p.placement == 0x1 && p.cpu_caching == DRM_XE_GEM_CPU_CACHING_WB,
	      "LNL system BO: instance 0, WB");
}

int main(void)
{
	devices();
	malformed();
	placement();
	return check_done();
}
