// SPDX-License-Identifier: MIT
/*
 * Xe ioctl wrappers, the ctx (fd + VM + copy queue) and CPU/GPU buffers.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/sync_file.h>
#include <xf86drm.h>

#include "hu_core.h"
#include "xe/xe_ioctl.h"

static int xioctl(int fd, unsigned long req, void *arg)
{
	return drmIoctl(fd, req, arg) ? -errno : 0;
}

int __hu_xe_bo_create(int fd, uint32_t vm, const struct hu_xe_bo_params *p,
		      uint32_t *handle)
{
	struct drm_xe_gem_create c = {
		.size = p->size,
		.placement = p->placement,
		.flags = p->flags,
		.vm_id = vm,
		.cpu_caching = p->cpu_caching,
	};
	int err = xioctl(fd, DRM_IOCTL_XE_GEM_CREATE, &c);

	if (!err)
		*handle = c.handle;
	return err;
}

int __hu_xe_gem_close(int fd, uint32_t handle)
{
	struct drm_gem_close c = { .handle = handle };

	return xioctl(fd, DRM_IOCTL_GEM_CLOSE, &c);
}

int __hu_xe_mmap_offset(int fd, uint32_t handle, uint64_t *offset)
{
	struct drm_xe_gem_mmap_offset m = { .handle = handle };
	int err = xioctl(fd, DRM_IOCTL_XE_GEM_MMAP_OFFSET, &m);

	if (!err)
		*offset = m.offset;
	return err;
}

void *__hu_xe_bo_map(int fd, uint32_t handle, size_t size)
{
	uint64_t offset;
	void *ptr;
	int err = __hu_xe_mmap_offset(fd, handle, &offset);

	if (err) {
		errno = -err;
		return NULL;
	}
	ptr = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, offset);
	return ptr == MAP_FAILED ? NULL : ptr;
}

int __hu_xe_bo_export(int fd, uint32_t handle, int *dmabuf_fd)
{
	struct drm_prime_handle p = {
		.handle = handle,
		.flags = DRM_CLOEXEC | DRM_RDWR,
		.fd = -1,
	};
	int err = xioctl(fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &p);

	if (!err)
		*dmabuf_fd = p.fd;
	return err;
}

int __hu_xe_bo_import(int fd, int dmabuf_fd, uint32_t *handle)
{
	struct drm_prime_handle p = { .fd = dmabuf_fd };
	int err = xioctl(fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &p);

	if (!err)
		*handle = p.handle;
	return err;
}

int __hu_xe_vm_create(int fd, uint32_t flags, uint32_t *vm)
{
	struct drm_xe_vm_create c = { .flags = flags };
	int err = xioctl(fd, DRM_IOCTL_XE_VM_CREATE, &c);

	if (!err)
		*vm = c.vm_id;
	return err;
}

int __hu_xe_vm_destroy(int fd, uint32_t vm)
{
	struct drm_xe_vm_destroy d = { .vm_id = vm };

	return xioctl(fd, DRM_IOCTL_XE_VM_DESTROY, &d);
}

int __hu_xe_vm_bind(int fd, const struct hu_xe_bind *b,
		    struct drm_xe_sync *syncs, uint32_t num_syncs)
{
	struct drm_xe_vm_bind v = {
		.vm_id = b->vm,
		.exec_queue_id = b->queue,
		.num_binds = 1,
		.bind = {
			.obj = b->bo,
			.pat_index = b->pat_index,
			.obj_offset = b->offset,
			.range = b->range,
			.addr = b->addr,
			.op = b->op,
			.flags = b->flags,
			.prefetch_mem_region_instance = b->prefetch_region,
		},
		.num_syncs = num_syncs,
		.syncs = (uintptr_t)syncs,
	};

	return xioctl(fd, DRM_IOCTL_XE_VM_BIND, &v);
}

int __hu_xe_vm_bind_sync(int fd, const struct hu_xe_bind *b,
			 int64_t timeout_ns)
{
	struct drm_xe_sync sync;
	uint32_t syncobj;
	int err = __hu_xe_syncobj_create(fd, &syncobj);

	if (err)
		return err;
	sync = hu_xe_sync_out(syncobj);
	err = __hu_xe_vm_bind(fd, b, &sync, 1);
	if (!err)
		err = __hu_xe_syncobj_wait(fd, syncobj, timeout_ns);
	__hu_xe_syncobj_destroy(fd, syncobj);
	return err;
}

int __hu_xe_exec_queue_create(int fd, uint32_t vm,
			      const struct drm_xe_engine_class_instance *eci,
			      uint32_t *queue)
{
	struct drm_xe_exec_queue_create c = {
		.width = 1,
		.num_placements = 1,
		.vm_id = vm,
		.instances = (uintptr_t)eci,
	};
	int err = xioctl(fd, DRM_IOCTL_XE_EXEC_QUEUE_CREATE, &c);

	if (!err)
		*queue = c.exec_queue_id;
	return err;
}

int __hu_xe_exec_queue_destroy(int fd, uint32_t queue)
{
	struct drm_xe_exec_queue_destroy d = { .exec_queue_id = queue };

	return xioctl(fd, DRM_IOCTL_XE_EXEC_QUEUE_DESTROY, &d);
}

int __hu_xe_exec(int fd, uint32_t queue, uint64_t batch_addr,
		 struct drm_xe_sync *syncs, uint32_t num_syncs)
{
	struct drm_xe_exec e = {
		.exec_queue_id = queue,
		.num_syncs = num_syncs,
		.syncs = (uintptr_t)syncs,
		.address = batch_addr,
		.num_batch_buffer = 1,
	};

	return xioctl(fd, DRM_IOCTL_XE_EXEC, &e);
}

int __hu_xe_wait_ufence(int fd, uint64_t *addr, uint64_t value,
			uint32_t queue, int64_t timeout_ns)
{
	struct drm_xe_wait_user_fence w = {
		.addr = (uintptr_t)addr,
		.op = DRM_XE_UFENCE_WAIT_OP_EQ,
		.value = value,
		.mask = ~0ull,
		.timeout = timeout_ns,
		.exec_queue_id = queue,
	};

	return xioctl(fd, DRM_IOCTL_XE_WAIT_USER_FENCE, &w);
}

int __hu_xe_syncobj_create(int fd, uint32_t *handle)
{
	struct drm_syncobj_create c = { 0 };
	int err = xioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, &c);

	if (!err)
		*handle = c.handle;
	return err;
}

int __hu_xe_syncobj_destroy(int fd, uint32_t handle)
{
	struct drm_syncobj_destroy d = { .handle = handle };

	return xioctl(fd, DRM_IOCTL_SYNCOBJ_DESTROY, &d);
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * HU_XE_NSEC_PER_SEC + ts.tv_nsec;
}

int __hu_xe_syncobj_wait(int fd, uint32_t handle, int64_t timeout_ns)
{
	struct drm_syncobj_wait w = {
		.handles = (uintptr_t)&handle,
		.timeout_nsec = now_ns() + timeout_ns,	/* absolute */
		.count_handles = 1,
		.flags = DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT,
	};

	return xioctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, &w);
}

int __hu_xe_syncobj_export(int fd, uint32_t handle, int *sync_file)
{
	struct drm_syncobj_handle h = {
		.handle = handle,
		.flags = DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE,
		.fd = -1,
	};
	int err = xioctl(fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &h);

	if (!err)
		*sync_file = h.fd;
	return err;
}

int hu_xe_fence_wait(int sync_file, int timeout_ms)
{
	struct pollfd p = { .fd = sync_file, .events = POLLIN };
	struct sync_file_info info;
	int64_t end = now_ns() + (int64_t)timeout_ms * 1000000;
	int ret;

	do {
		int left = (int)((end - now_ns()) / 1000000);

		ret = poll(&p, 1, left > 0 ? left : 0);
	} while (ret < 0 && errno == EINTR && now_ns() < end);
	if (ret <= 0)
		return 0;

	memset(&info, 0, sizeof(info));
	if (ioctl(sync_file, SYNC_IOC_FILE_INFO, &info))
		return -errno;
	if (info.status < 0)
		return info.status;
	return info.status == 1 ? 1 : 0;
}

/* --- ctx ---------------------------------------------------------------- */

int __hu_xe_ctx_init(struct hu_xe_ctx *ctx, int fd, uint32_t vm_flags)
{
	int err;

	memset(ctx, 0, sizeof(*ctx));
	ctx->fd = fd;
	err = __hu_xe_query(fd, &ctx->info);
	if (err)
		return err;
	if (!ctx->info.has_copy_engine)
		return -ENOENT;
	ctx->pat_wb = hu_xe_pat_wb(&ctx->info);
	ctx->copy_cmd = hu_xe_copy_cmd(&ctx->info);
	ctx->next_va = 2ull << 20;

	err = __hu_xe_vm_create(fd, vm_flags, &ctx->vm);
	if (err)
		return err;
	err = __hu_xe_exec_queue_create(fd, ctx->vm, &ctx->info.copy_engine,
					&ctx->queue);
	if (err) {
		__hu_xe_vm_destroy(fd, ctx->vm);
		ctx->vm = 0;
	}
	return err;
}

void hu_xe_ctx_init(struct hu_xe_ctx *ctx, int fd, uint32_t vm_flags)
{
	int err = __hu_xe_ctx_init(ctx, fd, vm_flags);

	hu_assert_f(err == 0, "xe ctx init: %s\n", strerror(-err));
}

void hu_xe_ctx_fini(struct hu_xe_ctx *ctx)
{
	if (ctx->queue)
		__hu_xe_exec_queue_destroy(ctx->fd, ctx->queue);
	if (ctx->vm)
		__hu_xe_vm_destroy(ctx->fd, ctx->vm);
	ctx->queue = 0;
	ctx->vm = 0;
}

uint64_t hu_xe_ctx_va(struct hu_xe_ctx *ctx, uint64_t size)
{
	const uint64_t align = 2ull << 20;
	uint64_t va = ctx->next_va;

	ctx->next_va += (size + align - 1) / align * align;
	return va;
}

/* --- buffers ------------------------------------------------------------ */

static const int64_t bind_timeout = 10 * HU_XE_NSEC_PER_SEC;

int __hu_xe_buf_bo(struct hu_xe_ctx *ctx, struct hu_xe_buf *buf,
		   enum hu_xe_mem mem, uint64_t size, bool exportable)
{
	struct hu_xe_bo_params p;
	struct hu_xe_bind b;
	int err;

	memset(buf, 0, sizeof(*buf));
	err = hu_xe_bo_params(&ctx->info, mem, size, true, &p);
	if (err)
		return err;
	err = __hu_xe_bo_create(ctx->fd, exportable ? 0 : ctx->vm, &p,
				&buf->handle);
	if (err)
		return err;
	buf->kind = HU_XE_BUF_BO;
	buf->mem = mem;
	buf->size = p.size;
	buf->exported = exportable;
	err = __hu_xe_mmap_offset(ctx->fd, buf->handle, &buf->mmap_offset);
	if (err)
		goto err_close;
	buf->cpu = mmap(NULL, buf->size, PROT_READ | PROT_WRITE, MAP_SHARED,
			ctx->fd, buf->mmap_offset);
	if (buf->cpu == MAP_FAILED) {
		buf->cpu = NULL;
		err = -errno;
		goto err_close;
	}
	buf->gpu = hu_xe_ctx_va(ctx, buf->size);
	b = (struct hu_xe_bind) {
		.vm = ctx->vm,
		.op = DRM_XE_VM_BIND_OP_MAP,
		.bo = buf->handle,
		.addr = buf->gpu,
		.range = buf->size,
		.pat_index = ctx->pat_wb,
	};
	err = __hu_xe_vm_bind_sync(ctx->fd, &b, bind_timeout);
	if (err)
		goto err_unmap;
	return 0;

err_unmap:
	munmap(buf->cpu, buf->size);
err_close:
	__hu_xe_gem_close(ctx->fd, buf->handle);
	memset(buf, 0, sizeof(*buf));
	return err;
}

int __hu_xe_buf_userptr(struct hu_xe_ctx *ctx, struct hu_xe_buf *buf,
			enum hu_xe_buf_kind kind, uint64_t size)
{
	struct hu_xe_bind b;
	int err;

	memset(buf, 0, sizeof(*buf));
	size = (size + 4095) & ~4095ull;
	if (kind == HU_XE_BUF_USERPTR_MALLOC) {
		buf->cpu = aligned_alloc(4096, size);
		if (!buf->cpu)
			return -ENOMEM;
	} else if (kind == HU_XE_BUF_USERPTR_MMAP) {
		buf->cpu = mmap(NULL, size, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (buf->cpu == MAP_FAILED) {
			buf->cpu = NULL;
			return -errno;
		}
	} else {
		return -EINVAL;
	}
	buf->kind = kind;
	buf->mem = HU_XE_MEM_SYS;
	buf->size = size;
	/* Fault the pages in before the kernel pins them. */
	memset(buf->cpu, 0, size);
	buf->gpu = hu_xe_ctx_va(ctx, size);
	b = (struct hu_xe_bind) {
		.vm = ctx->vm,
		.op = DRM_XE_VM_BIND_OP_MAP_USERPTR,
		.offset = (uintptr_t)buf->cpu,
		.addr = buf->gpu,
		.range = size,
		.pat_index = ctx->pat_wb,	/* userptr needs coherent PAT */
	};
	err = __hu_xe_vm_bind_sync(ctx->fd, &b, bind_timeout);
	if (err) {
		buf->gpu = 0;
		hu_xe_buf_free(ctx, buf);
	}
	return err;
}

void hu_xe_buf_bo(struct hu_xe_ctx *ctx, struct hu_xe_buf *buf,
		  enum hu_xe_mem mem, uint64_t size, bool exportable)
{
	int err = __hu_xe_buf_bo(ctx, buf, mem, size, exportable);

	hu_assert_f(err == 0, "BO of %llu bytes in %s: %s\n",
		    (unsigned long long)size, hu_xe_mem_name(mem),
		    strerror(-err));
}

void hu_xe_buf_userptr(struct hu_xe_ctx *ctx, struct hu_xe_buf *buf,
		       enum hu_xe_buf_kind kind, uint64_t size)
{
	int err = __hu_xe_buf_userptr(ctx, buf, kind, size);

	hu_assert_f(err == 0, "userptr of %llu bytes: %s\n",
		    (unsigned long long)size, strerror(-err));
}

void hu_xe_buf_free(struct hu_xe_ctx *ctx, struct hu_xe_buf *buf)
{
	if (buf->gpu && ctx->vm) {
		struct hu_xe_bind b = {
			.vm = ctx->vm,
			.op = DRM_XE_VM_BIND_OP_UNMAP,
			.addr = buf->gpu,
			.range = buf->size,
		};

		__hu_xe_vm_bind_sync(ctx->fd, &b, bind_timeout);
	}
	switch (buf->kind) {
	case HU_XE_BUF_BO:
		if (buf->cpu)
			munmap(buf->cpu, buf->size);
		if (buf->handle)
			__hu_xe_gem_close(ctx->fd, buf->handle);
		break;
	case HU_XE_BUF_USERPTR_MALLOC:
		free(buf->cpu);
		break;
	case HU_XE_BUF_USERPTR_MMAP:
		if (buf->cpu)
			munmap(buf->cpu, buf->size);
		break;
	}
	memset(buf, 0, sizeof(*buf));
}

const char *hu_xe_buf_name(const struct hu_xe_buf *buf)
{
	switch (buf->kind) {
	case HU_XE_BUF_BO:
		return hu_xe_mem_name(buf->mem);
	case HU_XE_BUF_USERPTR_MALLOC:
		return "userptr(malloc)";
	case HU_XE_BUF_USERPTR_MMAP:
		return "userptr(mmap)";
	}
	return "?";
}

enum hu_xe_copy_mem hu_xe_buf_copy_mem(const struct hu_xe_buf *buf)
{
	if (buf->kind == HU_XE_BUF_BO && buf->mem == HU_XE_MEM_VRAM)
		return HU_XE_COPY_MEM_LOCAL;
	return HU_XE_COPY_MEM_SYSTEM;
}
