/* SPDX-License-Identifier: MIT */
/*
 * hu_vgpu: virtio-gpu parts. Resources with guest backing pages (the
 * pages the device DMAs from, mapped through the IOMMU when there is one),
 * blob resources where the host offers them, transfers, waits and mmaps.
 *
 * What works without 3D (virgl) is measured, not assumed: see
 * docs/virtio_gpu.md. On a 2D-only device RESOURCE_CREATE takes only
 * target 2 (a 2D texture), depth 1, one level and no samples;
 * TRANSFER_FROM_HOST, EXECBUFFER and GET_CAPS are 3D-only.
 *
 * __name() returns 0 or -errno; name() asserts.
 */
#ifndef HU_VGPU_H
#define HU_VGPU_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

/* virtio-gpu 2D formats (virtio spec, "virtio_gpu_formats") */
#define HU_VGPU_FORMAT_B8G8R8A8 1
#define HU_VGPU_FORMAT_B8G8R8X8 2
#define HU_VGPU_TARGET_2D 2		/* PIPE_TEXTURE_2D */
#define HU_VGPU_BIND_RENDER_TARGET 2

struct hu_vgpu_caps {
	bool virgl_3d;		/* VIRTGPU_PARAM_3D_FEATURES */
	bool capset_fix;
	bool blob;		/* RESOURCE_CREATE_BLOB */
	bool host_visible;	/* host blobs mappable */
	bool cross_device;
	bool context_init;
	uint64_t capset_ids;	/* bitmask, 0 if not reported */
};

struct hu_vgpu_bo {
	uint32_t handle;	/* GEM handle */
	uint32_t res_handle;	/* host resource id */
	uint32_t width, height, stride;
	uint64_t size;
	bool blob;
	void *map;		/* CPU mapping, NULL until hu_vgpu_bo_mmap() */
};

/* Is @fd a virtio-gpu DRM fd? */
bool hu_vgpu_is_virtio_gpu(int fd);
/* Skips unless @fd is virtio-gpu. */
void hu_vgpu_require(int fd);

int __hu_vgpu_getparam(int fd, uint64_t param, uint64_t *value);
/* Fills @caps with every GETPARAM answer (a failed query reads as false). */
void hu_vgpu_get_features(int fd, struct hu_vgpu_caps *caps);
/* GET_CAPS into @buf (@size bytes). */
int __hu_vgpu_get_caps(int fd, uint32_t id, uint32_t ver, void *buf,
		       uint32_t size);

/* A 2D resource of @w x @h B8G8R8A8 pixels with guest backing pages. */
int __hu_vgpu_create_2d(int fd, uint32_t w, uint32_t h, struct hu_vgpu_bo *bo);
void hu_vgpu_create_2d(int fd, uint32_t w, uint32_t h, struct hu_vgpu_bo *bo);
/* A guest-memory blob (VIRTGPU_BLOB_MEM_GUEST) of @size bytes. */
int __hu_vgpu_create_blob(int fd, uint64_t size, uint32_t blob_flags,
			  struct hu_vgpu_bo *bo);
/* RESOURCE_INFO: checks the kernel still knows the BO; fills @res/@size. */
int __hu_vgpu_resource_info(int fd, uint32_t handle, uint32_t *res,
			    uint32_t *size);

/* VIRTGPU_MAP + mmap: @bo->map. */
int __hu_vgpu_bo_mmap(int fd, struct hu_vgpu_bo *bo);
void hu_vgpu_bo_mmap(int fd, struct hu_vgpu_bo *bo);
void hu_vgpu_bo_munmap(struct hu_vgpu_bo *bo);
/* GEM_CLOSE; the mapping (if any) stays until munmap. */
int __hu_vgpu_bo_close(int fd, struct hu_vgpu_bo *bo);
/* PRIME export; returns the dma-buf fd or -errno. */
int __hu_vgpu_bo_export(int fd, const struct hu_vgpu_bo *bo);

/* Transfers the whole resource to / from the host. */
int __hu_vgpu_transfer_to_host(int fd, const struct hu_vgpu_bo *bo);
int __hu_vgpu_transfer_from_host(int fd, const struct hu_vgpu_bo *bo);
/* VIRTGPU_WAIT on the BO (@nowait: -EBUSY if still busy). */
int __hu_vgpu_wait(int fd, uint32_t handle, bool nowait);

/* --- work in flight: transfer loops from several threads -------------- */

#define HU_VGPU_HAMMER_MAX 8

enum {
	HU_VGPU_OP_TO_HOST = 1 << 0,
	HU_VGPU_OP_FROM_HOST = 1 << 1,	/* 3D only */
	HU_VGPU_OP_WAIT = 1 << 2,
};

struct hu_vgpu_thread_stats {
	unsigned long ok;		/* ioctls that succeeded */
	unsigned long enodev;		/* ioctls that said the device is gone */
	int bad_errno;			/* first other errno, 0 if none */
	const char *bad_op;		/* the ioctl that got it */
	bool done;			/* the thread returned */
};

struct hu_vgpu_hammer;
struct hu_vgpu_hammer_arg {
	struct hu_vgpu_hammer *h;
	int idx;
};

struct hu_vgpu_hammer {
	int fd;
	struct hu_vgpu_bo *bos;
	int nbos, nthreads;
	unsigned int ops;
	bool stop;			/* atomic */
	pthread_t threads[HU_VGPU_HAMMER_MAX];
	struct hu_vgpu_hammer_arg args[HU_VGPU_HAMMER_MAX];
	bool started[HU_VGPU_HAMMER_MAX];
	struct hu_vgpu_thread_stats stats[HU_VGPU_HAMMER_MAX];
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned long min_ok;		/* signal once every thread did this */
};

/*
 * Starts @nthreads threads looping @ops over @bos on @fd until stopped or
 * until the device is gone (a thread ends at its first ENODEV).
 */
int __hu_vgpu_hammer_start(struct hu_vgpu_hammer *h, int fd,
			   struct hu_vgpu_bo *bos, int nbos, int nthreads,
			   unsigned int ops);
/* Waits until every thread did @min_ok ioctls; -ETIMEDOUT after @ms. */
int hu_vgpu_hammer_wait_busy(struct hu_vgpu_hammer *h, unsigned long min_ok,
			     unsigned int ms);
/* Waits until every thread ended by itself (ENODEV); -ETIMEDOUT after @ms. */
int hu_vgpu_hammer_wait_done(struct hu_vgpu_hammer *h, unsigned int ms);
/*
 * Stops and joins the threads, each within @ms. Returns the number of
 * threads still stuck (in the kernel) after that; they are left behind.
 */
int hu_vgpu_hammer_stop(struct hu_vgpu_hammer *h, unsigned int ms);

#endif /* HU_VGPU_H */
