// SPDX-License-Identifier: MIT
/*
 * The expectations table: version parsing, verdicts at the edges of the
 * releases read, and the held-fd errno by version and trigger (docs/xe.md,
 * "Kernel behaviour by version").
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
		 HU_XE_EXPECT_NO, "late close after remove: drmm in 6.15");
	check_eq(hu_xe_expect(HU_XE_EXP_LATECLOSE_MIGRATE, HU_KVER(6, 12, 117)),
		 HU_XE_EXPECT_NO, "... and in 6.12.117 (xe_migrate.c:458)");
	check_eq(hu_xe_expect(HU_XE_EXP_LATECLOSE_MIGRATE, HU_KVER(6, 16, 0)),
		 HU_XE_EXPECT_YES, "... devm from 6.16");
	check_eq(hu_xe_expect(HU_XE_EXP_LATECLOSE_MIGRATE, HU_KVER(7, 3, 4)),
		 HU_XE_EXPECT_YES, "... and in 7.3.4 (xe_migrate.c:517)");
	check_eq(hu_xe_expect(HU_XE_EXP_LATECLOSE_MIGRATE, HU_KVER(6, 8, 0)),
		 HU_XE_EXPECT_NO, "... no stable tag: missing in 6.8 too");

	check_eq(hu_xe_expect(HU_XE_EXP_DMABUF_KEEPS_DATA, HU_KVER(6, 15, 0)),
		 HU_XE_EXPECT_NO, "exported BOs not moved to system before 6.16");
	check_eq(hu_xe_expect(HU_XE_EXP_DMABUF_KEEPS_DATA, HU_KVER(6, 16, 1)),
		 HU_XE_EXPECT_YES, "... moved from 6.16 (bo remove callback)");

	check_eq(hu_xe_expect(HU_XE_EXP_USERPTR_UNMAP, HU_KVER(6, 11, 0)),
		 HU_XE_EXPECT_UNKNOWN, "userptr unmap in 6.11: not read "
		 "(stable-tagged fix, a backport may be there)");
	check_eq(hu_xe_expect(HU_XE_EXP_USERPTR_UNMAP, HU_KVER(6, 12, 19)),
		 HU_XE_EXPECT_UNKNOWN, "6.12.19: older than the 6.12.117 read");
	check_eq(hu_xe_expect(HU_XE_EXP_USERPTR_UNMAP, HU_KVER(6, 12, 117)),
		 HU_XE_EXPECT_YES, "6.12.117 has it (xe_vm.c:666)");
	check_eq(hu_xe_expect(HU_XE_EXP_USERPTR_UNMAP, HU_KVER(6, 13, 0)),
		 HU_XE_EXPECT_UNKNOWN, "6.13: the stable point of 6.12 says "
		 "nothing about 6.13");
	check_eq(hu_xe_expect(HU_XE_EXP_USERPTR_UNMAP, HU_KVER(6, 14, 0)),
		 HU_XE_EXPECT_YES, "in mainline 6.14");

	check_eq(hu_xe_expect(HU_XE_EXP_GGTT_NODE_REMOVE, HU_KVER(6, 11, 0)),
		 HU_XE_EXPECT_UNKNOWN, "ggtt_node_remove in 6.11: not read");
	check_eq(hu_xe_expect(HU_XE_EXP_GGTT_NODE_REMOVE, HU_KVER(6, 12, 0)),
		 HU_XE_EXPECT_YES, "... in 6.12");

	check_eq(hu_xe_expect(HU_XE_EXP_NVM_REPROBE, HU_KVER(6, 18, 9)),
		 HU_XE_EXPECT_UNKNOWN, "nvm fix: 6.18.y point not verified");
	check_eq(hu_xe_expect(HU_XE_EXP_NVM_REPROBE, HU_KVER(6, 19, 0)),
		 HU_XE_EXPECT_YES, "... in 6.19");

	check_eq(hu_xe_expect(HU_XE_EXP_IOCTL_ERRNO, HU_KVER(6, 8, 0)),
		 HU_XE_EXPECT_UNKNOWN, "held-fd errno: 6.8 not read");
	check_eq(hu_xe_expect(HU_XE_EXP_IOCTL_ERRNO, HU_KVER(6, 12, 0)),
		 HU_XE_EXPECT_YES, "... asserted from 6.12");
	check_eq(hu_xe_expect(HU_XE_EXP_DMABUF_CPU_VIEW, HU_KVER(6, 18, 0)),
		 HU_XE_EXPECT_YES, "dma-buf CPU view zapped: 6.18");
	check_eq(hu_xe_expect(HU_XE_EXP_DMABUF_CPU_VIEW, HU_KVER(6, 10, 0)),
		 HU_XE_EXPECT_UNKNOWN, "... 6.10 not read");
	check_eq(hu_xe_expect(HU_XE_EXP_IOCTL_ERRNO, HU_KVER(6, 6, 0)),
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

/*
 * The errno of a held fd, by version and trigger: xe_drm_ioctl() in
 * 6.12.117 (xe_device.c:200-205) and 7.3.4 (xe_device.c:227-233).
 */
static void errnos(void)
{
	static const uint32_t read[] = {
		HU_KVER(6, 12, 0), HU_KVER(6, 12, 117), HU_KVER(6, 16, 0),
		HU_KVER(6, 18, 9), HU_KVER(7, 3, 4),
	};

	for (size_t i = 0; i < sizeof(read) / sizeof(read[0]); i++) {
		uint32_t v = read[i];

		check_eq(hu_xe_expect_errno(v, HU_XE_GONE_REMOVE, false),
			 EACCES, "%#x PCI remove: EACCES (runtime PM off after "
			 "device_del)", v);
		check_eq(hu_xe_expect_errno(v, HU_XE_GONE_UNBIND, false),
			 ENODEV, "%#x unbind: ENODEV (drm_ioctl)", v);
		check_eq(hu_xe_expect_errno(v, HU_XE_GONE_UNBIND, true),
			 ECANCELED, "%#x wedged, unbind: ECANCELED first", v);
		check_eq(hu_xe_expect_errno(v, HU_XE_GONE_REMOVE, true),
			 ECANCELED, "%#x wedged, remove: ECANCELED first", v);
	}
	check_eq(hu_xe_expect_errno(HU_KVER(6, 8, 0), HU_XE_GONE_REMOVE, false),
		 0, "6.8: not verified, no errno expected");
	check_eq(hu_xe_expect_errno(HU_KVER(6, 11, 9), HU_XE_GONE_UNBIND, true),
		 0, "6.11: not verified either");

	check(hu_xe_errno_while_going(-ENODEV, EACCES) &&
	      hu_xe_errno_while_going(-EACCES, EACCES) &&
	      hu_xe_errno_while_going(0, EACCES),
	      "a workload across PCI remove may end with ENODEV or EACCES");
	check(!hu_xe_errno_while_going(-EIO, EACCES) &&
	      !hu_xe_errno_while_going(-EACCES, ENODEV) &&
	      !hu_xe_errno_while_going(-EACCES, 0),
	      "... nothing else, and EACCES only where the table says so");
}

static void table(void)
{
	for (int id = 0; id < HU_XE_EXP_COUNT; id++) {
		const struct hu_xe_expect_row *r = hu_xe_expect_row(id);

		check(r && (int)r->id == id && r->name && r->name[0] &&
		      r->what && r->what[0] && r->commit && r->commit[0] &&
		      r->source && r->source[0],
		      "row %d (%s) is complete", id, r && r->name ? r->name : "?");
		check(!r->stable || (r->since && r->stable < r->since),
		      "row %s: a stable point precedes the release", r->name);
		check(!r->absent || !r->since || r->absent < r->since,
		      "row %s: absent only before the release", r->name);
	}
}

int main(void)
{
	parse();
	verdicts();
	errnos();
	table();
	return check_done();
}
