/* SPDX-License-Identifier: MIT */
/*
 * xe_expect: what the kernel does when an Xe device goes away, by kernel
 * version, each row traced to the kernel source (docs/xe.md, "Kernel
 * behaviour by version", gives the file:line of every claim).
 *
 * A test asks hu_xe_expect(id, kver) before it decides what to assert:
 * HU_XE_EXPECT_YES means "assert the correct behaviour", NO means "the
 * source of this kernel lacks it" (log the row, assert only what still
 * holds), UNKNOWN means no source of that version was read (log, do not
 * assert). hu_xe_expect_errno() says which errno a held fd gets.
 */
#ifndef HU_XE_EXPECT_H
#define HU_XE_EXPECT_H

#include <stdbool.h>
#include <stdint.h>

/* Kernel versions as major << 16 | minor << 8 | patch. */
#define HU_KVER(a, b, c) (((uint32_t)(a) << 16) | ((b) << 8) | (c))

enum hu_xe_expect_id {
	HU_XE_EXP_UAPI,			/* the stable Xe uAPI */
	HU_XE_EXP_IOCTL_ERRNO,		/* held fds: hu_xe_expect_errno() */
	HU_XE_EXP_MMAP_ZAPPED,		/* old BO mmaps read zero, no SIGBUS */
	HU_XE_EXP_GGTT_NODE_REMOVE,	/* no NPD freeing GGTT nodes late */
	HU_XE_EXP_USERPTR_UNMAP,	/* userptrs unmapped by the notifier */
	HU_XE_EXP_LATECLOSE_MIGRATE,	/* late close after remove */
	HU_XE_EXP_BO_REMOVE,		/* BOs purged / moved at remove */
	HU_XE_EXP_DMABUF_KEEPS_DATA,	/* exported BOs moved to system */
	HU_XE_EXP_DMABUF_CPU_VIEW,	/* dma-buf mmaps zapped like BO mmaps */
	HU_XE_EXP_DMABUF_UNMAP,		/* dma-buf unmap after eviction */
	HU_XE_EXP_WEDGED_UNBIND,	/* unbind of a wedged device */
	HU_XE_EXP_NVM_REPROBE,		/* no duplicate nvm aux device */
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
	uint32_t since;		/* first mainline release with it, 0: not
				 * verified */
	uint32_t stable;	/* a stable point release read with it, older
				 * than @since: YES from there within its
				 * series; 0 if none */
	uint32_t absent;	/* newest series read without it and without a
				 * stable tag: NO up to its end; 0 if none */
	const char *commit;	/* id (12 hex) and subject, with where the
				 * id comes from, or "not verified" */
	const char *source;	/* file:line in the tagged sources read */
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

/* How the device went away, as far as a held fd can tell. */
enum hu_xe_gone {
	HU_XE_GONE_UNBIND,	/* driver unbound, the PCI device kept */
	HU_XE_GONE_REMOVE,	/* the PCI device deleted (sysfs or surprise) */
};

/**
 * hu_xe_expect_errno - the errno of every ioctl on a held fd once gone
 * @kver: kernel version (HU_KVER)
 * @how: unbind or PCI removal
 * @wedged: the device was declared wedged before it went away
 *
 * Mirrors xe_drm_ioctl(): a wedged device answers ECANCELED before
 * anything else; then the runtime-PM reference fails with EACCES once the
 * PCI device is deleted (runtime PM disabled); after an unbind drm_ioctl()
 * sees the unplugged device and gives ENODEV.
 *
 * Returns the positive errno, or 0 where no source of @kver was read
 * (log what came back, assert nothing).
 */
int hu_xe_expect_errno(uint32_t kver, enum hu_xe_gone how, bool wedged);

/**
 * hu_xe_errno_while_going - may a workload running across the trigger
 * end with @err?
 * @err: the -errno (or 0) a background ioctl ended with
 * @want: hu_xe_expect_errno() for the trigger (0: not verified)
 *
 * Between drm_dev_unplug() and the PCI device's deletion ioctls give
 * ENODEV, afterwards @want; a workload that stopped before sees 0.
 * With @want 0 only 0 and ENODEV are known good.
 */
bool hu_xe_errno_while_going(int err, int want);

#endif /* HU_XE_EXPECT_H */
