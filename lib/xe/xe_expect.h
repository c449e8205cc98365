/* SPDX-License-Identifier: MIT */
/*
 * xe_expect: what the kernel should do on removal of an Xe device, by
 * kernel version. One row per behaviour the suite checks, with the
 * mainline release that brought it (from the bug list in
 * /work/shared/notes/xe-uapi.md section 3, summarised in docs/xe.md).
 *
 * A test asks hu_xe_expect(id, kver) before it decides what to assert:
 * HU_XE_EXPECT_YES means "assert the correct behaviour", NO means "this
 * kernel is known not to have it" (log the row, assert only what still
 * holds), UNKNOWN means nobody could tell (log, do not assert).
 */
#ifndef HU_XE_EXPECT_H
#define HU_XE_EXPECT_H

#include <stdbool.h>
#include <stdint.h>

/* Kernel versions as major << 16 | minor << 8 | patch. */
#define HU_KVER(a, b, c) (((uint32_t)(a) << 16) | ((b) << 8) | (c))

enum hu_xe_expect_id {
	HU_XE_EXP_UAPI,			/* the stable Xe uAPI */
	HU_XE_EXP_IOCTL_ENODEV,		/* held fds: every ioctl -ENODEV */
	HU_XE_EXP_MMAP_ZAPPED,		/* old BO mmaps read zero, no SIGBUS */
	HU_XE_EXP_GGTT_NODE_REMOVE,	/* bug 3: no NPD freeing GGTT nodes late */
	HU_XE_EXP_USERPTR_UNMAP,	/* bug 5: userptrs unmapped by notifier */
	HU_XE_EXP_LATECLOSE_MIGRATE,	/* bug 1: late close after remove */
	HU_XE_EXP_BO_REMOVE,		/* bug 2: BOs purged / moved at remove */
	HU_XE_EXP_DMABUF_KEEPS_DATA,	/* bug 2: exported BOs moved to system */
	HU_XE_EXP_DMABUF_CPU_VIEW,	/* ... and a CPU mmap of it shows that */
	HU_XE_EXP_DMABUF_UNMAP,		/* bug 6: dma-buf unmap after eviction */
	HU_XE_EXP_WEDGED_UNBIND,	/* bug 11: unbind of a wedged device */
	HU_XE_EXP_NVM_REPROBE,		/* bug 7: no duplicate nvm aux device */
	HU_XE_EXP_COUNT,
};

enum hu_xe_verdict {
	HU_XE_EXPECT_UNKNOWN,
	HU_XE_EXPECT_YES,
	HU_XE_EXPECT_NO,
};

struct hu_xe_expect_row {
	enum hu_xe_expect_id id;
	const char *name;
	const char *what;	/* the behaviour, when present */
	uint32_t since;		/* first mainline release with it; 0: unknown */
	uint32_t unsure_from;	/* from here to @since: stable backports, or
				 * unknown; 0 if none */
	int bug;		/* number in the note's bug list, 0 if none */
	const char *fix;	/* commit and title, or where it is tracked */
};

/*
 * Parses a `uname -r` string ("6.16.0-rc3+", "6.12.19-amd64") into
 * HU_KVER form. A -rcN counts as its release, as fixes merged for a
 * release are in its rc1. Returns 0 or -EINVAL.
 */
int hu_kver_parse(const char *release, uint32_t *kver);
/* The running kernel's version (uname), 0 if unparsable. */
uint32_t hu_kver_running(void);

const struct hu_xe_expect_row *hu_xe_expect_row(enum hu_xe_expect_id id);
enum hu_xe_verdict hu_xe_expect(enum hu_xe_expect_id id, uint32_t kver);
const char *hu_xe_verdict_name(enum hu_xe_verdict v);
/* "6.16" style text of a HU_KVER value into @buf (>= 16 bytes). */
const char *hu_kver_str(uint32_t kver, char *buf, int len);

#endif /* HU_XE_EXPECT_H */
