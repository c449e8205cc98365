// SPDX-License-Identifier: MIT
/*
 * hu_vgpu: parameters, resources, transfers, waits and mmaps of virtio-gpu.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xf86drm.h>

#include "hu_core.h"
#include "hu_vgpu.h"
#include "hu_vgpu_uapi.h"

/* drmIoctl restarts on EINTR/EAGAIN; turn its -1/errno into -errno. */
static int vgpu_ioctl(int fd, unsigned long req, void *arg)
{
	return drmIoctl(fd, req, arg) ? -errno : 0;
}

bool hu_vgpu_is_virtio_gpu(int fd)
{
	drmVersionPtr v = drmGetVersion(fd);
	bool is;

	if (!v)
		return false;
	is = v->name && !strcmp(v->name, "virtio_gpu");
	drmFreeVersion(v);
	return is;
}

void hu_vgpu_require(int fd)
{
	hu_require_f(hu_vgpu_is_virtio_gpu(fd), "not a virtio-gpu device\n");
}

int __hu_vgpu_getparam(int fd, uint64_t param, uint64_t *value)
{
	/* the kernel writes the answer through a user pointer in .value */
	struct drm_virtgpu_getparam gp = {
		.param = param,
		.value = (uintptr_t)value,
	};

	*value = 0;
	return vgpu_ioctl(fd, DRM_IOCTL_VIRTGPU_GETPARAM, &gp);
}

static bool param(int fd, uint64_t p, uint64_t *raw)
{
	uint64_t v;

	if (__hu_vgpu_getparam(fd, p, &v))
		return false;
	if (raw)
		*raw = v;
	return v != 0;
}

void hu_vgpu_get_features(int fd, struct hu_vgpu_caps *caps)
{
	memset(caps, 0, sizeof(*caps));
	caps->virgl_3d = param(fd, VIRTGPU_PARAM_3D_FEATURES, NULL);
	caps->capset_fix = param(fd, VIRTGPU_PARAM_CAPSET_QUERY_FIX, NULL);
	caps->blob = param(fd, VIRTGPU_PARAM_RESOURCE_BLOB, NULL);
	caps->host_visible = param(fd, VIRTGPU_PARAM_HOST_VISIBLE, NULL);
	caps->cross_device = param(fd, VIRTGPU_PARAM_CROSS_DEVICE, NULL);
	caps->context_init = param(fd, VIRTGPU_PARAM_CONTEXT_INIT, NULL);
	param(fd, VIRTGPU_PARAM_SUPPORTED_CAPSET_IDs, &caps->capset_ids);
}

int __hu_vgpu_get_caps(int fd, uint32_t id, uint32_t ver, void *buf,
		       uint32_t size)
{
	struct drm_virtgpu_get_caps gc = {
		.cap_set_id = id,
		.cap_set_ver = ver,
		.addr = (uintptr_t)buf,
		.size = size,
	};

	return vgpu_ioctl(fd, DRM_IOCTL_VIRTGPU_GET_CAPS, &gc);
}

int __hu_vgpu_create_2d(int fd, uint32_t w, uint32_t h, struct hu_vgpu_bo *bo)
{
	struct drm_virtgpu_resource_create rc = {
		.target = HU_VGPU_TARGET_2D,
		.format = HU_VGPU_FORMAT_B8G8R8A8,
		.bind = HU_VGPU_BIND_RENDER_TARGET,
		.width = w,
		.height = h,
		.depth = 1,
		.array_size = 1,
		.stride = w * 4,
		.size = w * h * 4,	/* the guest backing store */
	};
	int err;

	memset(bo, 0, sizeof(*bo));
	err = vgpu_ioctl(fd, DRM_IOCTL_VIRTGPU_RESOURCE_CREATE, &rc);
	if (err)
		return err;
	bo->handle = rc.bo_handle;
	bo->res_handle = rc.res_handle;
	bo->width = w;
	bo->height = h;
	bo->stride = w * 4;
	bo->size = rc.size;
	return 0;
}

void hu_vgpu_create_2d(int fd, uint32_t w, uint32_t h, struct hu_vgpu_bo *bo)
{
	int err = __hu_vgpu_create_2d(fd, w, h, bo);

	hu_assert_f(err == 0, "RESOURCE_CREATE %ux%u: %s\n", w, h,
		    strerror(-err));
}

int __hu_vgpu_create_blob(int fd, uint64_t size, uint32_t blob_flags,
			  struct hu_vgpu_bo *bo)
{
	struct drm_virtgpu_resource_create_blob rc = {
		.blob_mem = VIRTGPU_BLOB_MEM_GUEST,
		.blob_flags = blob_flags,
		.size = size,
	};
	int err;

	memset(bo, 0, sizeof(*bo));
	err = vgpu_ioctl(fd, DRM_IOCTL_VIRTGPU_RESOURCE_CREATE_BLOB, &rc);
	if (err)
		return err;
	bo->handle = rc.bo_handle;
	bo->res_handle = rc.res_handle;
	bo->size = size;
	bo->blob = true;
	return 0;
}

int __hu_vgpu_resource_info(int fd, uint32_t handle, uint32_t *res,
			    uint32_t *size)
{
	struct drm_virtgpu_resource_info ri = { .bo_handle = handle };
	int err = vgpu_ioctl(fd, DRM_IOCTL_VIRTGPU_RESOURCE_INFO, &ri);

	if (!err) {
		if (res)
			*res = ri.res_handle;
		if (size)
			*size = ri.size;
	}
	return err;
}

int __hu_vgpu_bo_mmap(int fd, struct hu_vgpu_bo *bo)
{
	struct drm_virtgpu_map m = { .handle = bo->handle };
	void *p;
	int err;

	err = vgpu_ioctl(fd, DRM_IOCTL_VIRTGPU_MAP, &m);
	if (err)
		return err;
	p = mmap(NULL, bo->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 m.offset);
	if (p == MAP_FAILED)
		return -errno;
	bo->map = p;
	return 0;
}

void hu_vgpu_bo_mmap(int fd, struct hu_vgpu_bo *bo)
{
	int err = __hu_vgpu_bo_mmap(fd, bo);

	hu_assert_f(err == 0, "VIRTGPU_MAP/mmap of handle %u: %s\n",
		    bo->handle, strerror(-err));
}

void hu_vgpu_bo_munmap(struct hu_vgpu_bo *bo)
{
	if (bo->map)
		munmap(bo->map, bo->size);
	bo->map = NULL;
}

int __hu_vgpu_bo_close(int fd, struct hu_vgpu_bo *bo)
{
	struct drm_gem_close c = { .handle = bo->handle };
	int err;

	if (!bo->handle)
		return 0;
	err = vgpu_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &c);
	bo->handle = 0;
	return err;
}

int __hu_vgpu_bo_export(int fd, const struct hu_vgpu_bo *bo)
{
	int dmabuf;

	if (drmPrimeHandleToFD(fd, bo->handle, DRM_CLOEXEC | DRM_RDWR, &dmabuf))
		return -errno;
	return dmabuf;
}

int __hu_vgpu_transfer_to_host(int fd, const struct hu_vgpu_bo *bo)
{
	struct drm_virtgpu_3d_transfer_to_host t = {
		.bo_handle = bo->handle,
		.box = { .w = bo->blob ? bo->size : bo->width,
			 .h = bo->blob ? 1 : bo->height, .d = 1 },
	};

	return vgpu_ioctl(fd, DRM_IOCTL_VIRTGPU_TRANSFER_TO_HOST, &t);
}

int __hu_vgpu_transfer_from_host(int fd, const struct hu_vgpu_bo *bo)
{
	struct drm_virtgpu_3d_transfer_from_host t = {
		.bo_handle = bo->handle,
		.box = { .w = bo->blob ? bo->size : bo->width,
			 .h = bo->blob ? 1 : bo->height, .d = 1 },
	};

	return vgpu_ioctl(fd, DRM_IOCTL_VIRTGPU_TRANSFER_FROM_HOST, &t);
}

int __hu_vgpu_wait(int fd, uint32_t handle, bool nowait)
{
	struct drm_virtgpu_3d_wait w = {
		.handle = handle,
		.flags = nowait ? VIRTGPU_WAIT_NOWAIT : 0,
	};

	return vgpu_ioctl(fd, DRM_IOCTL_VIRTGPU_WAIT, &w);
}
