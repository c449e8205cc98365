/* SPDX-License-Identifier: MIT */
/*
 * hu_drm: the generic DRM calls the holders and the health check make:
 * dumb buffers, PRIME, syncobjs, sync_files, vgem fences, and a guard that
 * touches a mapping without dying of SIGBUS/SIGSEGV.
 *
 * All return 0 or -errno (never assert), since after an unplug the errors
 * are the measurement.
 */
#ifndef HU_DRM_H
#define HU_DRM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ioctl() restarted on EINTR/EAGAIN (bounded); 0 or -errno. */
int hu_drm_ioctl(int fd, unsigned long req, void *arg);

int hu_drm_open(const char *node);			/* fd or -errno */
/* Driver name from DRM_IOCTL_VERSION; 0 or -errno. */
int hu_drm_driver_name(int fd, char *buf, size_t len);
/* Opens the vgem card (loading the module if needed); fd or -errno. */
int hu_drm_open_vgem(void);

struct hu_bo {
	uint32_t handle;
	uint64_t size;
	uint64_t offset;	/* fake mmap offset from MAP_DUMB */
	uint32_t pitch;		/* bytes per row (dumb BOs: 32 bpp) */
};
int hu_drm_dumb_create(int fd, unsigned int w, unsigned int h,
		       struct hu_bo *bo);
int hu_drm_dumb_map_offset(int fd, struct hu_bo *bo);
int hu_drm_dumb_destroy(int fd, uint32_t handle);
int hu_drm_gem_close(int fd, uint32_t handle);
/* mmap of @bo through @fd; MAP_FAILED with errno on failure. */
void *hu_drm_mmap_bo(int fd, const struct hu_bo *bo);

/* DRM_IOCTL_GET_CAP of @cap (DRM_CAP_*) into *@value (0 on failure). */
int hu_drm_get_cap(int fd, uint64_t cap, uint64_t *value);
int hu_drm_prime_export(int fd, uint32_t handle, int *dmabuf);
int hu_drm_prime_import(int fd, int dmabuf, uint32_t *handle);
/* DMA_BUF_IOCTL_SYNC start (@end false) or end, read+write. */
int hu_dmabuf_sync(int dmabuf, bool end);
/* An unsignalled-or-not sync_file of the dma-buf's write fences. */
int hu_dmabuf_export_sync_file(int dmabuf, int *sync_file);

int hu_drm_syncobj_create(int fd, bool signaled, uint32_t *handle);
int hu_drm_syncobj_destroy(int fd, uint32_t handle);
int hu_drm_syncobj_import_sync_file(int fd, uint32_t handle, int sync_file);

/* vgem: attach an unsignalled write fence to a BO, and signal it. */
int hu_vgem_fence_attach(int vgem, uint32_t handle, uint32_t *fence);
int hu_vgem_fence_signal(int vgem, uint32_t fence);

/*
 * Waits up to @timeout_ms for @sync_file; returns 1 if signalled, 0 if not,
 * -errno. @status gets the fence status: 1 signalled ok, <0 error, 0 active.
 */
int hu_sync_file_wait(int sync_file, int timeout_ms, int *status);

/*
 * Touches @len bytes at @p without dying: copies them to @out (if not
 * NULL) and, if @pattern >= 0, writes that byte over them. Returns 0, or the
 * signal (SIGBUS, SIGSEGV) the access raised.
 */
int hu_guarded_access(volatile void *p, size_t len, void *out, int pattern);

/* Copies @src over @p under the same guard; 0 or the signal. */
int hu_guarded_write(volatile void *p, const void *src, size_t len);

/* Fills @p with a pattern derived from @seed / checks it; true if intact. */
void hu_fill_pattern(void *p, size_t len, uint32_t seed);
bool hu_check_pattern(const void *p, size_t len, uint32_t seed);
bool hu_all_zero(const void *p, size_t len);

/*
 * Does real work on a (new) instance: opens card and render, creates a dumb
 * BO, maps it, writes a pattern, exports it, imports it back (through the
 * render node if there is one), maps the dma-buf and reads the pattern.
 * Returns 0 or -errno with the failed step in @why. Takes a struct
 * hu_device (hu_device.h).
 */
struct hu_device;
int __hu_health_check(const struct hu_device *dev, char *why, size_t len);
/* Asserts it. */
void hu_health_check(const struct hu_device *dev);

#endif /* HU_DRM_H */
