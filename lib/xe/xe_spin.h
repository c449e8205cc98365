/* SPDX-License-Identifier: MIT */
/*
 * xe_spin: a copy spinner on the blitter. Its batch marks itself started,
 * then loops: MI_ARB_CHECK, copy src -> dst (real data every iteration),
 * conditional end on a dword the CPU writes, jump back. The CPU stops it by
 * writing HU_XE_SPIN_STOP into that dword.
 *
 *	spin BO:  0x000 batch | 0x800 start dword | 0x808 end dword
 *
 * The job runs until stopped or until the scheduler's job timeout (a plain
 * VM, so it has a syncobj out-fence that can be exported as a sync_file);
 * tests fire their trigger well inside that timeout.
 */
#ifndef HU_XE_SPIN_H
#define HU_XE_SPIN_H

#include <stdbool.h>
#include <stdint.h>

#include "xe/xe_cmd.h"
#include "xe/xe_ioctl.h"

#define HU_XE_SPIN_BATCH_OFF	0x000u
#define HU_XE_SPIN_BATCH_MAX	(0x800u / 4)	/* dwords */
#define HU_XE_SPIN_START_OFF	0x800u
#define HU_XE_SPIN_END_OFF	0x808u
#define HU_XE_SPIN_SIZE		0x1000u

#define HU_XE_SPIN_STARTED	0x5717ed00u	/* written by the batch */
#define HU_XE_SPIN_RUN		0xffffffffu	/* end dword while running */
#define HU_XE_SPIN_STOP		0u		/* end dword to stop */

/*
 * Emits the spinner batch for a spin BO at GPU address @spin_addr, copying
 * @copy (NULL: no copy) with @cmd. Returns the dword count, 0 if the copy
 * cannot be encoded or the batch would not fit in @max dwords.
 */
size_t hu_xe_spin_emit(uint32_t *cs, size_t max, uint64_t spin_addr,
		       enum hu_xe_copy_cmd cmd, const struct hu_xe_copy *copy);

struct hu_xe_spin {
	struct hu_xe_ctx *ctx;
	struct hu_xe_buf bo;		/* batch + start/end dwords */
	uint32_t syncobj;		/* out-fence of the exec */
	int sync_file;			/* exported out-fence, or -1 */
	bool submitted;
};

/*
 * Builds and submits a spinner copying @src -> @dst (both may be NULL for
 * a plain spinner); exports its out-fence. 0 or -errno.
 */
int __hu_xe_spin_start(struct hu_xe_ctx *ctx, struct hu_xe_spin *spin,
		       const struct hu_xe_buf *src, const struct hu_xe_buf *dst,
		       uint64_t copy_size);
void hu_xe_spin_start(struct hu_xe_ctx *ctx, struct hu_xe_spin *spin,
		      const struct hu_xe_buf *src, const struct hu_xe_buf *dst,
		      uint64_t copy_size);
/*
 * The spinner a test hangs on purpose (to wedge the device): it copies
 * nothing, and its BO is in VRAM where there is VRAM, so an engine left
 * running after the hang (wedged_mode=2) reads only its own batch and
 * writes nothing the kernel frees and DMA-unmaps at unbind. Only the
 * start marker is written, before the hang. 0 or -errno.
 */
int __hu_xe_spin_start_hang(struct hu_xe_ctx *ctx, struct hu_xe_spin *spin);
void hu_xe_spin_start_hang(struct hu_xe_ctx *ctx, struct hu_xe_spin *spin);
/* Polls the start dword (the batch runs) for up to @timeout_ms. */
bool hu_xe_spin_wait_started(struct hu_xe_spin *spin, int timeout_ms);
bool hu_xe_spin_started(const struct hu_xe_spin *spin);
/* Still running: its out-fence has not signalled. */
bool hu_xe_spin_busy(const struct hu_xe_spin *spin);
/* Writes the stop dword (through the CPU mapping; harmless if gone). */
void hu_xe_spin_stop(struct hu_xe_spin *spin);
/*
 * Waits for the out-fence through the sync_file: 1 signalled ok, -errno
 * signalled with error, 0 not in time. Usable after removal.
 */
int hu_xe_spin_wait(struct hu_xe_spin *spin, int timeout_ms);
/* Closes the sync_file, releases the BO (ioctl errors ignored). */
void hu_xe_spin_free(struct hu_xe_spin *spin);

#endif /* HU_XE_SPIN_H */
