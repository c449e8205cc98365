// SPDX-License-Identifier: MIT
/*
 * The copy spinner.
 */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hu_core.h"
#include "xe/xe_spin.h"

size_t hu_xe_spin_emit(uint32_t *cs, size_t max, uint64_t spin_addr,
		       enum hu_xe_copy_cmd cmd, const struct hu_xe_copy *copy)
{
	const uint64_t start = spin_addr + HU_XE_SPIN_START_OFF;
	const uint64_t end = spin_addr + HU_XE_SPIN_END_OFF;
	size_t n = 0, k, loop;

	/* Worst case without the copy: 4 + 1 + 4 + 3 + 1 dwords. */
	if (max < 13)
		return 0;
	n += hu_xe_emit_store_dw(cs + n, start, HU_XE_SPIN_STARTED);
	loop = n;
	n += hu_xe_emit_arb_check(cs + n);
	if (copy) {
		k = hu_xe_emit_copy(cs + n, max - n - 8, cmd, copy);
		if (!k)
			return 0;
		n += k;
	}
	/* Ends when end <= HU_XE_SPIN_STOP, i.e. once the CPU wrote 0. */
	n += hu_xe_emit_cond_bb_end(cs + n, end, HU_XE_SPIN_STOP);
	n += hu_xe_emit_bb_start(cs + n, spin_addr + HU_XE_SPIN_BATCH_OFF +
				 loop * 4);
	/* Not reached; keeps a parser that looks ahead happy. */
	n += hu_xe_emit_bb_end(cs + n);
	return n;
}

static volatile uint32_t *dword(const struct hu_xe_spin *spin, uint32_t off)
{
	return (volatile uint32_t *)((char *)spin->bo.cpu + off);
}

int __hu_xe_spin_start(struct hu_xe_ctx *ctx, struct hu_xe_spin *spin,
		       const struct hu_xe_buf *src, const struct hu_xe_buf *dst,
		       uint64_t copy_size)
{
	struct hu_xe_copy copy;
	struct drm_xe_sync sync;
	size_t n;
	int err;

	memset(spin, 0, sizeof(*spin));
	spin->ctx = ctx;
	spin->sync_file = -1;
	err = __hu_xe_buf_bo(ctx, &spin->bo, hu_xe_mem_best(&ctx->info),
			     HU_XE_SPIN_SIZE, false);
	if (err)
		return err;

	if (src && dst) {
		copy = (struct hu_xe_copy) {
			.src = src->gpu,
			.dst = dst->gpu,
			.size = copy_size,
			.src_mem = hu_xe_buf_copy_mem(src),
			.dst_mem = hu_xe_buf_copy_mem(dst),
		};
	}
	n = hu_xe_spin_emit(spin->bo.cpu, HU_XE_SPIN_BATCH_MAX, spin->bo.gpu,
			    ctx->copy_cmd, src && dst ? &copy : NULL);
	if (!n) {
		err = -EINVAL;
		goto err_free;
	}
	*dword(spin, HU_XE_SPIN_START_OFF) = 0;
	*dword(spin, HU_XE_SPIN_END_OFF) = HU_XE_SPIN_RUN;

	err = __hu_xe_syncobj_create(ctx->fd, &spin->syncobj);
	if (err)
		goto err_free;
	sync = hu_xe_sync_out(spin->syncobj);
	err = __hu_xe_exec(ctx->fd, ctx->queue, spin->bo.gpu, &sync, 1);
	if (err)
		goto err_free;
	spin->submitted = true;
	err = __hu_xe_syncobj_export(ctx->fd, spin->syncobj, &spin->sync_file);
	if (err) {
		hu_xe_spin_stop(spin);
		__hu_xe_syncobj_wait(ctx->fd, spin->syncobj,
				     5 * HU_XE_NSEC_PER_SEC);
		goto err_free;
	}
	return 0;

err_free:
	hu_xe_spin_free(spin);
	return err;
}

void hu_xe_spin_start(struct hu_xe_ctx *ctx, struct hu_xe_spin *spin,
		      const struct hu_xe_buf *src, const struct hu_xe_buf *dst,
		      uint64_t copy_size)
{
	int err = __hu_xe_spin_start(ctx, spin, src, dst, copy_size);

	hu_assert_f(err == 0, "spinner (%s, %llu bytes a loop): %s\n",
		    hu_xe_copy_cmd_name(ctx->copy_cmd),
		    (unsigned long long)copy_size, strerror(-err));
}

int __hu_xe_spin_start_hang(struct hu_xe_ctx *ctx, struct hu_xe_spin *spin)
{
	/* __hu_xe_spin_start() places the BO with hu_xe_mem_best(). */
	return __hu_xe_spin_start(ctx, spin, NULL, NULL, 0);
}

void hu_xe_spin_start_hang(struct hu_xe_ctx *ctx, struct hu_xe_spin *spin)
{
	int err = __hu_xe_spin_start_hang(ctx, spin);

	hu_assert_f(err == 0, "hang spinner: %s\n", strerror(-err));
}

bool hu_xe_spin_started(const struct hu_xe_spin *spin)
{
	return spin->bo.cpu &&
	       *dword(spin, HU_XE_SPIN_START_OFF) == HU_XE_SPIN_STARTED;
}

bool hu_xe_spin_wait_started(struct hu_xe_spin *spin, int timeout_ms)
{
	struct timespec ts;
	int64_t end;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	end = ts.tv_sec * 1000ll + ts.tv_nsec / 1000000 + timeout_ms;
	/* The GPU writes memory: nothing to wait on but the dword itself. */
	for (;;) {
		if (hu_xe_spin_started(spin))
			return true;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		if (ts.tv_sec * 1000ll + ts.tv_nsec / 1000000 >= end)
			return false;
		usleep(1000);
	}
}

bool hu_xe_spin_busy(const struct hu_xe_spin *spin)
{
	return spin->sync_file >= 0 && hu_xe_fence_wait(spin->sync_file, 0) == 0;
}

void hu_xe_spin_stop(struct hu_xe_spin *spin)
{
	if (spin->bo.cpu) {
		*dword(spin, HU_XE_SPIN_END_OFF) = HU_XE_SPIN_STOP;
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
	}
}

int hu_xe_spin_wait(struct hu_xe_spin *spin, int timeout_ms)
{
	if (spin->sync_file < 0)
		return -EBADF;
	return hu_xe_fence_wait(spin->sync_file, timeout_ms);
}

void hu_xe_spin_free(struct hu_xe_spin *spin)
{
	if (!spin->ctx)
		return;		/* never started */
	if (spin->sync_file >= 0)
		close(spin->sync_file);
	if (spin->syncobj)
		__hu_xe_syncobj_destroy(spin->ctx->fd, spin->syncobj);
	if (spin->bo.handle)
		hu_xe_buf_free(spin->ctx, &spin->bo);
	spin->sync_file = -1;
	spin->syncobj = 0;
	spin->submitted = false;
	spin->ctx = NULL;
}
