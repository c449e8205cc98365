/* SPDX-License-Identifier: MIT */
/*
 * xe_ioctl: thin wrappers of the Xe ioctls (libdrm drmIoctl).
 *
 * __hu_xe_*() return 0 or -errno and never assert, so they are usable
 * after a removal, where every ioctl must fail with -ENODEV;
 * hu_xe_*() assert success (a failed subtest) and return the result.
 */
#ifndef HU_XE_IOCTL_H
#define HU_XE_IOCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <drm/xe_drm.h>

#include "xe/xe_query.h"

/* Timeouts are nanoseconds, relative. */
#define HU_XE_NSEC_PER_SEC	1000000000ll

/* --- BOs --------------------------------------------------------------- */
int __hu_xe_bo_create(int fd, uint32_t vm, const struct hu_xe_bo_params *p,
		      uint32_t *handle);
int __hu_xe_gem_close(int fd, uint32_t handle);
int __hu_xe_mmap_offset(int fd, uint32_t handle, uint64_t *offset);
/* mmap()s the BO read/write; NULL with errno set on failure. */
void *__hu_xe_bo_map(int fd, uint32_t handle, size_t size);
/* PRIME export (O_RDWR | O_CLOEXEC): 0 and *dmabuf_fd, or -errno. */
int __hu_xe_bo_export(int fd, uint32_t handle, int *dmabuf_fd);
/* PRIME import: 0 and *handle, or -errno. */
int __hu_xe_bo_import(int fd, int dmabuf_fd, uint32_t *handle);

/* --- VMs and binds ----------------------------------------------------- */
int __hu_xe_vm_create(int fd, uint32_t flags, uint32_t *vm);
int __hu_xe_vm_destroy(int fd, uint32_t vm);

struct hu_xe_bind {
	uint32_t vm;
	uint32_t queue;		/* 0: the default bind queue */
	uint32_t op;		/* DRM_XE_VM_BIND_OP_* */
	uint32_t flags;		/* DRM_XE_VM_BIND_FLAG_* */
	uint32_t bo;		/* MAP only */
	uint64_t offset;	/* MAP: BO offset; MAP_USERPTR: CPU address */
	uint64_t addr, range;	/* GPU VA range */
	uint16_t pat_index;
	uint32_t prefetch_region;	/* PREFETCH: region instance */
};

int __hu_xe_vm_bind(int fd, const struct hu_xe_bind *b,
		    struct drm_xe_sync *syncs, uint32_t num_syncs);
/*
 * Binds with a syncobj out-fence and waits for it up to @timeout_ns:
 * 0, -ETIME if it did not signal in time, or the ioctl's -errno.
 */
int __hu_xe_vm_bind_sync(int fd, const struct hu_xe_bind *b,
			 int64_t timeout_ns);

/* --- exec queues and exec ---------------------------------------------- */
int __hu_xe_exec_queue_create(int fd, uint32_t vm,
			      const struct drm_xe_engine_class_instance *eci,
			      uint32_t *queue);
int __hu_xe_exec_queue_destroy(int fd, uint32_t queue);
int __hu_xe_exec(int fd, uint32_t queue, uint64_t batch_addr,
		 struct drm_xe_sync *syncs, uint32_t num_syncs);
int __hu_xe_wait_ufence(int fd, uint64_t *addr, uint64_t value,
			uint32_t queue, int64_t timeout_ns);

/* --- syncobjs and sync_files ------------------------------------------- */
int __hu_xe_syncobj_create(int fd, uint32_t *handle);
int __hu_xe_syncobj_destroy(int fd, uint32_t handle);
/* 0 once signalled, -ETIME after @timeout_ns, or -errno. */
int __hu_xe_syncobj_wait(int fd, uint32_t handle, int64_t timeout_ns);
/* Exports the syncobj's current fence as a sync_file fd. */
int __hu_xe_syncobj_export(int fd, uint32_t handle, int *sync_file);
/*
 * Waits up to @timeout_ms for a sync_file to signal: 1 if signalled ok,
 * -errno if signalled with an error status (e.g. -ECANCELED), 0 if it
 * did not signal in time. Works after the device is gone: the file
 * does not need the DRM device.
 */
int hu_xe_fence_wait(int sync_file, int timeout_ms);

/* A syncobj out-fence entry for exec/bind. */
static inline struct drm_xe_sync hu_xe_sync_out(uint32_t syncobj)
{
	return (struct drm_xe_sync) {
		.type = DRM_XE_SYNC_TYPE_SYNCOBJ,
		.flags = DRM_XE_SYNC_FLAG_SIGNAL,
		.handle = syncobj,
	};
}

/* --- a context: one fd, one VM, one copy queue ------------------------- */

struct hu_xe_ctx {
	int fd;
	struct hu_xe_info info;
	uint32_t vm;
	uint32_t queue;		/* on info.copy_engine */
	uint16_t pat_wb;
	enum hu_xe_copy_cmd copy_cmd;
	uint64_t next_va;
};

/*
 * Queries the device, creates a VM (@vm_flags) and an exec queue on the
 * first copy engine: 0 or -errno (-ENOENT: no copy engine).
 */
int __hu_xe_ctx_init(struct hu_xe_ctx *ctx, int fd, uint32_t vm_flags);
void hu_xe_ctx_init(struct hu_xe_ctx *ctx, int fd, uint32_t vm_flags);
/* Destroys queue and VM; errors (-ENODEV after removal) are ignored. */
void hu_xe_ctx_fini(struct hu_xe_ctx *ctx);
/* Reserves @size bytes of GPU VA, 2 MiB aligned. */
uint64_t hu_xe_ctx_va(struct hu_xe_ctx *ctx, uint64_t size);

/*
 * A buffer the GPU and the CPU both reach: a BO (mmapped, bound) or a
 * userptr (malloc'd or mmap'd anonymous memory, bound).
 */
enum hu_xe_buf_kind {
	HU_XE_BUF_BO,
	HU_XE_BUF_USERPTR_MALLOC,
	HU_XE_BUF_USERPTR_MMAP,
};

struct hu_xe_buf {
	enum hu_xe_buf_kind kind;
	enum hu_xe_mem mem;	/* BO only */
	uint32_t handle;	/* BO only */
	uint64_t size;
	uint64_t gpu;		/* GPU VA */
	void *cpu;		/* CPU mapping */
	uint64_t mmap_offset;	/* BO only: the fake offset it was mapped at */
	bool exported;		/* vm_id 0, so it can be a dma-buf */
};

/* Creates, maps and binds: 0 or -errno. @exportable: vm_id = 0. */
int __hu_xe_buf_bo(struct hu_xe_ctx *ctx, struct hu_xe_buf *buf,
		   enum hu_xe_mem mem, uint64_t size, bool exportable);
int __hu_xe_buf_userptr(struct hu_xe_ctx *ctx, struct hu_xe_buf *buf,
			enum hu_xe_buf_kind kind, uint64_t size);
void hu_xe_buf_bo(struct hu_xe_ctx *ctx, struct hu_xe_buf *buf,
		  enum hu_xe_mem mem, uint64_t size, bool exportable);
void hu_xe_buf_userptr(struct hu_xe_ctx *ctx, struct hu_xe_buf *buf,
		       enum hu_xe_buf_kind kind, uint64_t size);
/*
 * Unbinds (best effort), unmaps and closes; CPU memory of userptrs is
 * freed. Safe after removal, where the ioctls fail.
 */
void hu_xe_buf_free(struct hu_xe_ctx *ctx, struct hu_xe_buf *buf);
const char *hu_xe_buf_name(const struct hu_xe_buf *buf);

/* The memory-type hint of a buffer for the pre-Xe2 fast copy. */
enum hu_xe_copy_mem hu_xe_buf_copy_mem(const struct hu_xe_buf *buf);

#endif /* HU_XE_IOCTL_H */
