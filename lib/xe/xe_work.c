// SPDX-License-Identifier: MIT
/*
 * Workloads, data checks and the post-removal ioctl sweep.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <xf86drm.h>

#include "xe/xe_work.h"

/* --- where ------------------------------------------------------------- */

const char *hu_xe_where_name(enum hu_xe_where w)
{
	switch (w) {
	case HU_XE_AT_SYS:
		return "system";
	case HU_XE_AT_VRAM:
		return "vram";
	case HU_XE_AT_USERPTR_MALLOC:
		return "userptr-malloc";
	case HU_XE_AT_USERPTR_MMAP:
		return "userptr-mmap";
	}
	return "?";
}

bool hu_xe_where_ok(const struct hu_xe_info *info, enum hu_xe_where w)
{
	return w != HU_XE_AT_VRAM || hu_xe_has_vram(info);
}

int __hu_xe_buf_at(struct hu_xe_ctx *ctx, struct hu_xe_buf *buf,
		   enum hu_xe_where w, uint64_t size)
{
	switch (w) {
	case HU_XE_AT_SYS:
		return __hu_xe_buf_bo(ctx, buf, HU_XE_MEM_SYS, size, false);
	case HU_XE_AT_VRAM:
		return __hu_xe_buf_bo(ctx, buf, HU_XE_MEM_VRAM, size, false);
	case HU_XE_AT_USERPTR_MALLOC:
		return __hu_xe_buf_userptr(ctx, buf, HU_XE_BUF_USERPTR_MALLOC,
					   size);
	case HU_XE_AT_USERPTR_MMAP:
		return __hu_xe_buf_userptr(ctx, buf, HU_XE_BUF_USERPTR_MMAP,
					   size);
	}
	return -EINVAL;
}

/* --- patterns ------------------------------------------------------------ */

uint32_t hu_xe_pattern(uint32_t seed, uint64_t i)
{
	uint32_t x = seed * 0x9e3779b1u ^ (uint32_t)(i * 0x85ebca6bu) ^
		     (uint32_t)(i >> 32);

	x ^= x >> 15;
	x *= 0x2c1b3c6du;
	x ^= x >> 12;
	return x ? x : 1;
}

void hu_xe_fill(void *ptr, uint64_t size, uint32_t seed)
{
	uint32_t *p = ptr;

	for (uint64_t i = 0; i < size / 4; i++)
		p[i] = hu_xe_pattern(seed, i);
}

int64_t hu_xe_check(const void *ptr, uint64_t size, uint32_t seed)
{
	const volatile uint32_t *p = ptr;

	for (uint64_t i = 0; i < size / 4; i++)
		if (p[i] != hu_xe_pattern(seed, i))
			return (int64_t)i;
	return -1;
}

void hu_xe_fill_sparse(void *ptr, uint64_t size, uint32_t seed)
{
	uint32_t *p = ptr;

	for (uint64_t i = 0; i < size / 4; i += 1024)
		p[i] = hu_xe_pattern(seed, i);
}

int64_t hu_xe_check_sparse(const void *ptr, uint64_t size, uint32_t seed)
{
	const volatile uint32_t *p = ptr;

	for (uint64_t i = 0; i < size / 4; i += 1024)
		if (p[i] != hu_xe_pattern(seed, i))
			return (int64_t)i;
	return -1;
}

int64_t hu_xe_check_zero(const void *ptr, uint64_t size)
{
	const volatile uint32_t *p = ptr;

	for (uint64_t i = 0; i < size / 4; i++)
		if (p[i])
			return (int64_t)i;
	return -1;
}

int64_t hu_xe_check_or_zero(const void *ptr, uint64_t size, uint32_t seed)
{
	const volatile uint32_t *p = ptr;

	for (uint64_t i = 0; i < size / 4; i++)
		if (p[i] && p[i] != hu_xe_pattern(seed, i))
			return (int64_t)i;
	return -1;
}

/* --- one-shot copies ------------------------------------------------------ */

int __hu_xe_copy(struct hu_xe_ctx *ctx, const struct hu_xe_buf *src,
		 const struct hu_xe_buf *dst, uint64_t size, int timeout_ms)
{
	struct hu_xe_copy c = {
		.src = src->gpu,
		.dst = dst->gpu,
		.size = size,
		.src_mem = hu_xe_buf_copy_mem(src),
		.dst_mem = hu_xe_buf_copy_mem(dst),
	};
	size_t need = hu_xe_copy_dwords(ctx->copy_cmd, size), n;
	struct hu_xe_buf batch;
	struct drm_xe_sync sync;
	uint32_t syncobj;
	int err;

	if (!need)
		return -EINVAL;
	err = __hu_xe_buf_bo(ctx, &batch, HU_XE_MEM_SYS, (need + 1) * 4, false);
	if (err)
		return err;
	n = hu_xe_emit_copy(batch.cpu, need, ctx->copy_cmd, &c);
	hu_xe_emit_bb_end((uint32_t *)batch.cpu + n);

	err = __hu_xe_syncobj_create(ctx->fd, &syncobj);
	if (err)
		goto out;
	sync = hu_xe_sync_out(syncobj);
	err = __hu_xe_exec(ctx->fd, ctx->queue, batch.gpu, &sync, 1);
	if (!err)
		err = __hu_xe_syncobj_wait(ctx->fd, syncobj,
					   timeout_ms * 1000000ll);
	__hu_xe_syncobj_destroy(ctx->fd, syncobj);
out:
	hu_xe_buf_free(ctx, &batch);
	return err;
}

int hu_xe_copy_check(struct hu_xe_ctx *ctx, enum hu_xe_where from,
		     enum hu_xe_where to, uint64_t size, uint32_t seed,
		     char *why, int len)
{
	struct hu_xe_buf src = { 0 }, dst = { 0 };
	int64_t bad;
	int err;

	err = __hu_xe_buf_at(ctx, &src, from, size);
	if (err) {
		snprintf(why, len, "%s buffer: %s", hu_xe_where_name(from),
			 strerror(-err));
		return err;
	}
	err = __hu_xe_buf_at(ctx, &dst, to, size);
	if (err) {
		snprintf(why, len, "%s buffer: %s", hu_xe_where_name(to),
			 strerror(-err));
		goto out;
	}
	hu_xe_fill(src.cpu, size, seed);
	memset(dst.cpu, 0, size);
	err = __hu_xe_copy(ctx, &src, &dst, size, 10000);
	if (err) {
		snprintf(why, len, "%s copy %s -> %s: %s",
			 hu_xe_copy_cmd_name(ctx->copy_cmd),
			 hu_xe_where_name(from), hu_xe_where_name(to),
			 strerror(-err));
		goto out;
	}
	bad = hu_xe_check(dst.cpu, size, seed);
	if (bad >= 0) {
		snprintf(why, len, "%s copy %s -> %s: dword %" PRId64
			 " is %#x, want %#x",
			 hu_xe_copy_cmd_name(ctx->copy_cmd),
			 hu_xe_where_name(from), hu_xe_where_name(to), bad,
			 ((uint32_t *)dst.cpu)[bad], hu_xe_pattern(seed, bad));
		err = -EIO;
	}
out:
	hu_xe_buf_free(ctx, &dst);
	hu_xe_buf_free(ctx, &src);
	return err;
}

/* --- background workloads ---------------------------------------------- */

static const int64_t step_timeout = 10 * HU_XE_NSEC_PER_SEC;

uint64_t hu_mem_available(void)
{
	FILE *f = fopen("/proc/meminfo", "re");
	char line[128];
	unsigned long long kb = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1)
			break;
	fclose(f);
	return kb * 1024;
}

const char *hu_xe_bg_name(enum hu_xe_bg_kind kind)
{
	switch (kind) {
	case HU_XE_BG_PREFETCH:
		return "prefetch ping-pong";
	case HU_XE_BG_EVICT:
		return "VRAM overcommit";
	case HU_XE_BG_COPY:
		return "copy loop";
	}
	return "?";
}

int hu_xe_bg_prepare(struct hu_xe_ctx *ctx, struct hu_xe_bg *bg,
		     enum hu_xe_bg_kind kind, uint64_t size,
		     uint64_t sys_budget)
{
	uint64_t vram = hu_xe_visible_vram(&ctx->info), extra, each;
	unsigned int n;
	int err = 0;

	memset(bg, 0, sizeof(*bg));
	bg->kind = kind;
	bg->own = *ctx;
	bg->own.queue = 0;	/* PREFETCH and EVICT only bind */
	err = __hu_xe_vm_create(ctx->fd, 0, &bg->own.vm);
	if (err)
		return err;
	bg->ctx = &bg->own;
	/*
	 * COPY submits on an exec queue of its own: on the caller's queue
	 * its copies would wait behind the caller's endless spinner and
	 * nothing but the spinner would be in flight at the trigger.
	 */
	if (kind == HU_XE_BG_COPY) {
		err = __hu_xe_exec_queue_create(ctx->fd, bg->own.vm,
						&ctx->info.copy_engine,
						&bg->own.queue);
		if (err)
			goto err;
	}

	switch (kind) {
	case HU_XE_BG_PREFETCH:
		if (!vram) {
			err = -ENODEV;
			goto err;
		}
		n = 1;
		each = size;
		break;
	case HU_XE_BG_EVICT:
		if (!vram) {
			err = -ENODEV;
			goto err;
		}
		/* What does not fit in VRAM lives in system memory. */
		extra = vram / 2 < sys_budget ? vram / 2 : sys_budget;
		if (extra < vram / 8) {
			err = -ENOSPC;
			goto err;
		}
		n = 12;
		each = (vram + extra) / n;
		each = (each + (2u << 20) - 1) & ~((2ull << 20) - 1);
		break;
	case HU_XE_BG_COPY:
		n = 2;
		each = size;
		break;
	default:
		err = -EINVAL;
		goto err;
	}

	for (bg->num_bufs = 0; bg->num_bufs < n; bg->num_bufs++) {
		struct hu_xe_buf *b = &bg->bufs[bg->num_bufs];

		/* vm_id 0: own dma-resv, so each can be evicted alone. */
		err = __hu_xe_buf_bo(bg->ctx, b, kind == HU_XE_BG_COPY ?
				     hu_xe_mem_best(&ctx->info) :
				     HU_XE_MEM_VRAM_OR_SYS, each,
				     kind == HU_XE_BG_EVICT);
		if (err)
			break;
		hu_xe_fill_sparse(b->cpu, b->size, 0x100 + bg->num_bufs);
	}
	if (!err)
		return 0;
err:
	hu_xe_bg_free(bg);
	return err;
}

static int prefetch(struct hu_xe_bg *bg, const struct hu_xe_buf *b,
		    const struct hu_xe_region *to)
{
	struct hu_xe_bind bind = {
		.vm = bg->ctx->vm,
		.op = DRM_XE_VM_BIND_OP_PREFETCH,
		.addr = b->gpu,
		.range = b->size,
		.prefetch_region = to->instance,
	};

	return __hu_xe_vm_bind_sync(bg->ctx->fd, &bind, step_timeout);
}

/* One step of the workload: 0 or -errno, with the op in *op. */
static int bg_step(struct hu_xe_bg *bg, unsigned long i, const char **op)
{
	const struct hu_xe_info *info = &bg->ctx->info;
	const struct hu_xe_region *vram = &info->regions[info->vram];
	const struct hu_xe_region *sys = &info->regions[info->sys];

	switch (bg->kind) {
	case HU_XE_BG_PREFETCH:
		*op = i & 1 ? "prefetch to system" : "prefetch to vram";
		return prefetch(bg, &bg->bufs[0], i & 1 ? sys : vram);
	case HU_XE_BG_EVICT:
		*op = "prefetch to vram (evicting)";
		return prefetch(bg, &bg->bufs[i % bg->num_bufs], vram);
	case HU_XE_BG_COPY:
		*op = "copy";
		return __hu_xe_copy(bg->ctx, &bg->bufs[i & 1],
				    &bg->bufs[!(i & 1)], bg->bufs[0].size,
				    10000);
	}
	return -EINVAL;
}

int hu_xe_bg_round(struct hu_xe_bg *bg, char *why, int len)
{
	unsigned long steps = bg->kind == HU_XE_BG_COPY ? 1 :
			      bg->kind == HU_XE_BG_PREFETCH ? 2 : bg->num_bufs;
	const char *op = "";
	int err;

	for (unsigned long i = 0; i < steps; i++) {
		err = bg_step(bg, i, &op);
		if (err) {
			snprintf(why, len, "%s: %s", op, strerror(-err));
			return err;
		}
	}
	if (bg->kind == HU_XE_BG_COPY) {
		/* bufs[1] now holds bufs[0]'s pattern. */
		int64_t bad = hu_xe_check_sparse(bg->bufs[1].cpu,
						 bg->bufs[1].size, 0x100);

		if (bad >= 0) {
			snprintf(why, len, "copy: dword %" PRId64 " wrong", bad);
			return -EIO;
		}
		hu_xe_fill_sparse(bg->bufs[1].cpu, bg->bufs[1].size, 0x101);
		return 0;
	}
	for (unsigned int i = 0; i < bg->num_bufs; i++) {
		int64_t bad = hu_xe_check_sparse(bg->bufs[i].cpu,
						 bg->bufs[i].size, 0x100 + i);

		if (bad >= 0) {
			snprintf(why, len, "BO %u of %u lost data after "
				 "migration: dword %" PRId64, i, bg->num_bufs,
				 bad);
			return -EIO;
		}
	}
	return 0;
}

static void *bg_thread(void *arg)
{
	struct hu_xe_bg *bg = arg;

	for (unsigned long i = 0; !bg->stop; i++) {
		const char *op = "";
		int err = bg_step(bg, i, &op);

		if (err) {
			bg->err = err;
			bg->err_op = op;
			break;
		}
		bg->iterations = i + 1;
	}
	return NULL;
}

int hu_xe_bg_start(struct hu_xe_bg *bg)
{
	int err;

	bg->stop = false;
	bg->err = 0;
	bg->iterations = 0;
	err = pthread_create(&bg->thread, NULL, bg_thread, bg);
	if (err)
		return -err;
	bg->running = true;
	return 0;
}

int hu_xe_bg_stop(struct hu_xe_bg *bg)
{
	if (bg->running) {
		/* Each step is bounded by step_timeout, so the join is too. */
		bg->stop = true;
		pthread_join(bg->thread, NULL);
		bg->running = false;
	}
	return bg->err;
}

void hu_xe_bg_free(struct hu_xe_bg *bg)
{
	hu_xe_bg_stop(bg);
	for (unsigned int i = 0; i < bg->num_bufs; i++)
		hu_xe_buf_free(bg->ctx, &bg->bufs[i]);
	bg->num_bufs = 0;
	if (bg->own.queue)
		__hu_xe_exec_queue_destroy(bg->own.fd, bg->own.queue);
	bg->own.queue = 0;
	if (bg->own.vm)
		__hu_xe_vm_destroy(bg->own.fd, bg->own.vm);
	bg->own.vm = 0;
}

bool hu_xe_bg_wait_progress(struct hu_xe_bg *bg, unsigned long steps,
			    int timeout_ms)
{
	unsigned long from = bg->iterations;
	struct timespec ts;
	int64_t end;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	end = ts.tv_sec * 1000ll + ts.tv_nsec / 1000000 + timeout_ms;
	while (bg->iterations - from < steps) {
		if (!bg->running || bg->err)
			return false;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		if (ts.tv_sec * 1000ll + ts.tv_nsec / 1000000 >= end)
			return false;
		usleep(1000);
	}
	return true;
}

/* --- the ioctl sweep ---------------------------------------------------- */

#define SWEEP_MMAP "mmap"

int hu_xe_sweep_want(const char *item, int want)
{
	/* 6.12.117 drm_gem.c:1158 (drm_gem_mmap), 7.3.4 xe_device.c:354. */
	if (!strcmp(item, SWEEP_MMAP))
		return want ? ENODEV : 0;
	return want;
}

int hu_xe_ioctl_sweep(struct hu_xe_ctx *ctx, const struct hu_xe_buf *buf,
		      hu_xe_sweep_fn report, void *data)
{
	const int fd = ctx->fd;
	struct hu_xe_bo_params p = {
		.size = 4096 * 16,
		.placement = 1u << ctx->info.regions[ctx->info.sys].instance,
		.cpu_caching = DRM_XE_GEM_CPU_CACHING_WB,
	};
	struct hu_xe_bind unbind = {
		.vm = ctx->vm,
		.op = DRM_XE_VM_BIND_OP_UNMAP,
		.addr = buf->gpu,
		.range = buf->size,
	};
	struct drm_xe_exec_queue_get_property prop = {
		.exec_queue_id = ctx->queue,
		.property = DRM_XE_EXEC_QUEUE_GET_PROPERTY_BAN,
	};
	uint64_t ufence = 0, offset;
	uint32_t u32;
	int n = 0, dmabuf, err;
	void *blob;
	size_t size;

#define SWEEP(name, expr) do { report(name, (expr), data); n++; } while (0)
	SWEEP("DRM_IOCTL_VERSION", ({
		drmVersionPtr v = drmGetVersion(fd);
		err = v ? 0 : -errno;
		if (v)
			drmFreeVersion(v);
		err; }));
	SWEEP("XE_DEVICE_QUERY", ({
		err = __hu_xe_query_blob(fd, DRM_XE_DEVICE_QUERY_CONFIG,
					 &blob, &size);
		if (!err)
			free(blob);
		err; }));
	SWEEP("XE_GEM_CREATE", __hu_xe_bo_create(fd, 0, &p, &u32));
	SWEEP("XE_GEM_MMAP_OFFSET", buf->kind == HU_XE_BUF_BO ?
	      __hu_xe_mmap_offset(fd, buf->handle, &offset) :
	      __hu_xe_mmap_offset(fd, 1, &offset));
	SWEEP("XE_VM_CREATE", __hu_xe_vm_create(fd, 0, &u32));
	SWEEP("XE_VM_BIND", __hu_xe_vm_bind(fd, &unbind, NULL, 0));
	SWEEP("XE_EXEC_QUEUE_CREATE", __hu_xe_exec_queue_create(fd, ctx->vm,
			&ctx->info.copy_engine, &u32));
	SWEEP("XE_EXEC_QUEUE_GET_PROPERTY",
	      drmIoctl(fd, DRM_IOCTL_XE_EXEC_QUEUE_GET_PROPERTY, &prop) ?
	      -errno : 0);
	SWEEP("XE_EXEC", __hu_xe_exec(fd, ctx->queue, buf->gpu, NULL, 0));
	SWEEP("XE_WAIT_USER_FENCE", __hu_xe_wait_ufence(fd, &ufence, 1,
			ctx->queue, 1000000));
	SWEEP("SYNCOBJ_CREATE", __hu_xe_syncobj_create(fd, &u32));
	SWEEP("SYNCOBJ_WAIT", __hu_xe_syncobj_wait(fd, 1, 1000000));
	SWEEP("PRIME_HANDLE_TO_FD", ({
		err = __hu_xe_bo_export(fd, buf->kind == HU_XE_BUF_BO ?
					buf->handle : 1, &dmabuf);
		if (!err)
			close(dmabuf);
		err; }));
	if (buf->kind == HU_XE_BUF_BO)
		SWEEP(SWEEP_MMAP, ({
			/* A new CPU mapping of the BO is refused too. */
			void *ptr = mmap(NULL, 4096, PROT_READ, MAP_SHARED,
					 fd, buf->mmap_offset);
			err = ptr == MAP_FAILED ? -errno : 0;
			if (ptr != MAP_FAILED)
				munmap(ptr, 4096);
			err; }));
	/* Destructive ones last: they only matter if they succeed. */
	SWEEP("XE_EXEC_QUEUE_DESTROY", __hu_xe_exec_queue_destroy(fd,
			ctx->queue));
	SWEEP("XE_VM_DESTROY", __hu_xe_vm_destroy(fd, ctx->vm));
	SWEEP("GEM_CLOSE", __hu_xe_gem_close(fd, buf->kind == HU_XE_BUF_BO ?
					     buf->handle : 1));
#undef SWEEP
	return n;
}
