/* SPDX-License-Identifier: MIT */
/*
 * xe_work: workloads that keep an Xe device busy the way applications do,
 * so a removal finds work in flight, and the data checks around them.
 *
 *  - one-shot blitter copies between VRAM, system BOs and userptrs, with
 *    the result compared to a pattern (also the post-recovery health check)
 *  - PREFETCH ping-pong of a BO between VRAM and system (migrate engine)
 *  - VRAM overcommit: round-robin prefetch of BOs that together exceed
 *    VRAM, so every step evicts others through migrate copies
 *  - the ioctl sweep run on held fds after removal
 *
 * Background workloads run in a thread that stops on request or on the
 * first failing ioctl (-ENODEV after removal); every wait in it is bounded.
 */
#ifndef HU_XE_WORK_H
#define HU_XE_WORK_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "xe/xe_ioctl.h"

/* Where a buffer lives. */
enum hu_xe_where {
	HU_XE_AT_SYS,
	HU_XE_AT_VRAM,
	HU_XE_AT_USERPTR_MALLOC,
	HU_XE_AT_USERPTR_MMAP,
};
const char *hu_xe_where_name(enum hu_xe_where w);
bool hu_xe_where_ok(const struct hu_xe_info *info, enum hu_xe_where w);
int __hu_xe_buf_at(struct hu_xe_ctx *ctx, struct hu_xe_buf *buf,
		   enum hu_xe_where w, uint64_t size);

/* --- patterns (pure) ----------------------------------------------------- */

/* The pattern dword at index @i for @seed; never 0, so zeroes show. */
uint32_t hu_xe_pattern(uint32_t seed, uint64_t i);
void hu_xe_fill(void *ptr, uint64_t size, uint32_t seed);
/* Index of the first dword that differs, or -1 if all match. */
int64_t hu_xe_check(const void *ptr, uint64_t size, uint32_t seed);
/* Only the first dword of each 4 KiB page: fast on GiB-sized buffers. */
void hu_xe_fill_sparse(void *ptr, uint64_t size, uint32_t seed);
int64_t hu_xe_check_sparse(const void *ptr, uint64_t size, uint32_t seed);
/* Index of the first non-zero dword, or -1 if all zero. */
int64_t hu_xe_check_zero(const void *ptr, uint64_t size);
/*
 * Index of the first dword that is neither the pattern nor zero, or -1:
 * a mapping that lost the data may read zero, never someone else's data.
 */
int64_t hu_xe_check_or_zero(const void *ptr, uint64_t size, uint32_t seed);

/* --- one-shot copies ------------------------------------------------------ */

/* Copies with the blitter and waits: 0, -ETIME, or the ioctl's -errno. */
int __hu_xe_copy(struct hu_xe_ctx *ctx, const struct hu_xe_buf *src,
		 const struct hu_xe_buf *dst, uint64_t size, int timeout_ms);
/*
 * Fills a @from buffer with a pattern, copies it to a zeroed @to buffer
 * and compares. 0, -EIO on a data mismatch (described in @why), or the
 * -errno of the step that failed (in @why).
 */
int hu_xe_copy_check(struct hu_xe_ctx *ctx, enum hu_xe_where from,
		     enum hu_xe_where to, uint64_t size, uint32_t seed,
		     char *why, int len);

/* --- background workloads ---------------------------------------------- */

enum hu_xe_bg_kind {
	HU_XE_BG_PREFETCH,	/* ping-pong one BO VRAM <-> system */
	HU_XE_BG_EVICT,		/* round-robin prefetch of an overcommit set */
	HU_XE_BG_COPY,		/* back-to-back one-shot copies */
};

#define HU_XE_BG_MAX_BUFS 32

struct hu_xe_bg {
	enum hu_xe_bg_kind kind;
	struct hu_xe_ctx *ctx;		/* &own */
	struct hu_xe_ctx own;		/* same fd, a VM of its own (COPY:
					 * and an exec queue of its own) */
	struct hu_xe_buf bufs[HU_XE_BG_MAX_BUFS];
	unsigned int num_bufs;
	pthread_t thread;
	bool running;
	volatile bool stop;
	volatile unsigned long iterations;
	int err;		/* first error of the thread, 0 if none */
	const char *err_op;
};

/*
 * Sets up the buffers of a workload: PREFETCH one evictable BO of @size;
 * every kind binds in a VM of its own, so the caller's execs do not have
 * to validate (or wait for) the overcommitted set, and COPY submits on an
 * exec queue of its own, so it runs next to the caller's spinner;
 * EVICT enough evictable BOs to exceed visible VRAM by up to half of it,
 * bounded by @sys_budget bytes of system memory (-ENOSPC if that is not
 * enough to overcommit at all); COPY two BOs of @size. 0 or -errno.
 */
int hu_xe_bg_prepare(struct hu_xe_ctx *ctx, struct hu_xe_bg *bg,
		     enum hu_xe_bg_kind kind, uint64_t size,
		     uint64_t sys_budget);
/*
 * Runs one full round in the caller (every BO prefetched, or one copy)
 * and checks the BOs' patterns survived: 0, -EIO, -errno.
 */
int hu_xe_bg_round(struct hu_xe_bg *bg, char *why, int len);
int hu_xe_bg_start(struct hu_xe_bg *bg);
/*
 * Waits up to @timeout_ms for the running thread to complete @steps more
 * steps: proof that the workload is in flight, not queued behind another.
 */
bool hu_xe_bg_wait_progress(struct hu_xe_bg *bg, unsigned long steps,
			    int timeout_ms);
/* Stops and joins the thread; returns its first error (0 if none). */
int hu_xe_bg_stop(struct hu_xe_bg *bg);
void hu_xe_bg_free(struct hu_xe_bg *bg);
const char *hu_xe_bg_name(enum hu_xe_bg_kind kind);

/* MemAvailable from /proc/meminfo in bytes, 0 if unknown. */
uint64_t hu_mem_available(void);

/* --- after removal -------------------------------------------------------- */

/*
 * Issues every Xe ioctl and the core ones a client uses (query, create,
 * mmap offset, bind, exec, waits, syncobj, prime, close, destroy) on the
 * held @ctx with real handles from @buf, calling @report for each with
 * the -errno it got (0 if it succeeded). Returns how many were issued.
 */
typedef void (*hu_xe_sweep_fn)(const char *ioctl, int err, void *data);
int hu_xe_ioctl_sweep(struct hu_xe_ctx *ctx, const struct hu_xe_buf *buf,
		      hu_xe_sweep_fn report, void *data);

/**
 * hu_xe_sweep_want - what one sweep item should give once the device is gone
 * @item: the name hu_xe_ioctl_sweep() reported
 * @want: the ioctls' errno, hu_xe_expect_errno() (0: not verified)
 *
 * Every ioctl goes through xe_drm_ioctl() and gets @want; the new mmap is
 * refused by the mmap handler's own unplug check with ENODEV, wedged or
 * not (docs/xe.md, point 1). Returns the positive errno, 0 if unknown.
 */
int hu_xe_sweep_want(const char *item, int want);

#endif /* HU_XE_WORK_H */
