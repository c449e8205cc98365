// SPDX-License-Identifier: MIT
/*
 * The expectations table: version parsing and verdicts at the edges of
 * the releases that brought each fix (docs/xe.md, "Fixes by version").
 */
#include <errno.h>
#include <string.h>

#include "hu_check.h"
#include "xe/xe_expect.h"

static void parse(void)
{
	static const struct {
		const char *s;
		int ret;
		uint32_t v;
	} cases[] = {
		{ "6.16.0-rc3+", 0, 0x061000 },
		{ "6.12.19-amd64", 0, 0x060c13 },
		{ "6.16-rc1", 0, 0x061000 },
		{ "7.0.0", 0, 0x070000 },
		{ "6.8.0-45-generic", 0, 0x060800 },
		{ "abc", -EINVAL, 0 },
		{ "6", -EINVAL, 0 },
		{ "6.", -EINVAL, 0 },
		{ "6.300.1", -EINVAL, 0 },
		{ "6.1.x", -EINVAL, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t v = 0;
		int ret = hu_kver_parse(cases[i].s, &v);

		check(ret == cases[i].ret && (ret || v == cases[i].v),
		      "kernel release '%s' -> %d %#x", cases[i].s, ret, v);
	}
}

static void verdicts(void)
{
	char buf[16];

	check_eq(hu_xe_expect(HU_XE_EXP_LATECLOSE_MIGRATE, HU_KVER(6, 15, 9)),
		 HU_XE_EXPECT_NO, "late close after remove: broken in 6.15");
	check_eq(hu_xe_expect(HU_XE_EXP_LATECLOSE_MIGRATE, HU_KVER(6, 16, 0)),
		 HU_XE_EXPECT_YES, "... fixed in 6.16 (c045e03634ab)");
	check_eq(hu_xe_expect(HU_XE_EXP_LATECLOSE_MIGRATE, HU_KVER(7, 1, 0)),
		 HU_XE_EXPECT_YES, "... and later");

	check_eq(hu_xe_expect(HU_XE_EXP_DMABUF_KEEPS_DATA, HU_KVER(6, 15, 0)),
		 HU_XE_EXPECT_NO, "exported BOs not moved to system before 6.16");
	check_eq(hu_xe_expect(HU_XE_EXP_DMABUF_KEEPS_DATA, HU_KVER(6, 16, 1)),
		 HU_XE_EXPECT_YES, "... moved from 6.16 (3cbb651117ff)");

	check_eq(hu_xe_expect(HU_XE_EXP_USERPTR_UNMAP, HU_KVER(6, 11, 0)),
		 HU_XE_EXPECT_NO, "userptr notifier unmap missing in 6.11");
	check_eq(hu_xe_expect(HU_XE_EXP_USERPTR_UNMAP, HU_KVER(6, 12, 19)),
		 HU_XE_EXPECT_UNKNOWN, "6.12.y: stable backport, point unknown");
	check_eq(hu_xe_expect(HU_XE_EXP_USERPTR_UNMAP, HU_KVER(6, 14, 0)),
		 HU_XE_EXPECT_YES, "in mainline 6.14");

	check_eq(hu_xe_expect(HU_XE_EXP_GGTT_NODE_REMOVE, HU_KVER(6, 11, 0)),
		 HU_XE_EXPECT_NO, "ggtt_node_remove NPD fix not in 6.11");
	check_eq(hu_xe_expect(HU_XE_EXP_GGTT_NODE_REMOVE, HU_KVER(6, 12, 0)),
		 HU_XE_EXPECT_YES, "... in 6.12");

	check_eq(hu_xe_expect(HU_XE_EXP_NVM_REPROBE, HU_KVER(7, 3, 0)),
		 HU_XE_EXPECT_UNKNOWN, "nvm fix: release unknown, never asserted");
	check_eq(hu_xe_expect(HU_XE_EXP_NVM_REPROBE, HU_KVER(6, 16, 0)),
		 HU_XE_EXPECT_UNKNOWN, "... nor before it");

	check_eq(hu_xe_expect(HU_XE_EXP_IOCTL_ENODEV, HU_KVER(6, 8, 0)),
		 HU_XE_EXPECT_UNKNOWN, "ENODEV on held fds: 6.8-6.15 unchecked");
	check_eq(hu_xe_expect(HU_XE_EXP_IOCTL_ENODEV, HU_KVER(6, 16, 0)),
		 HU_XE_EXPECT_YES, "... asserted from 6.16 (drm_dev_unplug)");
	check_eq(hu_xe_expect(HU_XE_EXP_DMABUF_CPU_VIEW, HU_KVER(6, 18, 0)),
		 HU_XE_EXPECT_UNKNOWN, "dma-buf CPU view after removal: unknown");
	check_eq(hu_xe_expect(HU_XE_EXP_IOCTL_ENODEV, HU_KVER(6, 6, 0)),
		 HU_XE_EXPECT_UNKNOWN, "before 6.8 nothing is expected");
	check_eq(hu_xe_expect(HU_XE_EXP_UAPI, HU_KVER(6, 6, 0)),
		 HU_XE_EXPECT_NO, "6.6 lacks the stable Xe uAPI");
	check_eq(hu_xe_expect(HU_XE_EXP_UAPI, 0), HU_XE_EXPECT_UNKNOWN,
		 "an unparsable version gives unknown");
	check(hu_xe_expect_row(HU_XE_EXP_COUNT) == NULL,
	      "no row past the end");
	check_streq(hu_kver_str(HU_KVER(6, 16, 0), buf, sizeof(buf)), "6.16",
		    "6.16 prints without patch level");
	check_streq(hu_kver_str(HU_KVER(6, 12, 19), buf, sizeof(buf)),
		    "6.12.19", "6.12.19 prints with it");
}

static void table(void)
{
	for (int id = 0; id < HU_XE_EXP_COUNT; id++) {
		const struct hu_xe_expect_row *r = hu_xe_expect_row(id);

		check(r && (int)r->id == id && r->name && r->name[0] &&
		      r->what && r->what[0] && r->fix && r->fix[0],
		      "row %d (%s) is complete", id, r && r->name ? r->name : "?");
		check(!r->unsure_from || !r->since || r->unsure_from < r->since,
		      "row %s: the unsure range ends where the fix starts",
		      r->name);
	}
}

int main(void)
{
	parse();
	verdicts();
	table();
	return check_done();
}
