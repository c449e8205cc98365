/* SPDX-License-Identifier: MIT */
/*
 * The virtio-gpu uAPI: the kernel's drm/virtgpu_drm.h when the build has
 * it (the uapi_include option), else libdrm's older copy, which lacks the
 * blob and context ioctls; those are then declared here from the uAPI's
 * documented layout so the code builds (and probes) the same everywhere.
 */
#ifndef HU_VGPU_UAPI_H
#define HU_VGPU_UAPI_H

#if __has_include(<drm/virtgpu_drm.h>)
#include <drm/virtgpu_drm.h>
#else
#include <virtgpu_drm.h>
#endif

#include <linux/types.h>

#ifndef VIRTGPU_PARAM_RESOURCE_BLOB
#define VIRTGPU_PARAM_RESOURCE_BLOB 3
#define VIRTGPU_PARAM_HOST_VISIBLE 4
#define VIRTGPU_PARAM_CROSS_DEVICE 5
#endif
#ifndef VIRTGPU_PARAM_CONTEXT_INIT
#define VIRTGPU_PARAM_CONTEXT_INIT 6
#define VIRTGPU_PARAM_SUPPORTED_CAPSET_IDs 7
#endif

#ifndef DRM_VIRTGPU_RESOURCE_CREATE_BLOB
#define DRM_VIRTGPU_RESOURCE_CREATE_BLOB 0x0a
#define VIRTGPU_BLOB_MEM_GUEST 0x0001
#define VIRTGPU_BLOB_FLAG_USE_MAPPABLE 0x0001
#define VIRTGPU_BLOB_FLAG_USE_SHAREABLE 0x0002
struct drm_virtgpu_resource_create_blob {
	__u32 blob_mem;
	__u32 blob_flags;
	__u32 bo_handle;
	__u32 res_handle;
	__u64 size;
	__u32 pad;
	__u32 cmd_size;
	__u64 cmd;
	__u64 blob_id;
};
#define DRM_IOCTL_VIRTGPU_RESOURCE_CREATE_BLOB				\
	DRM_IOWR(DRM_COMMAND_BASE + DRM_VIRTGPU_RESOURCE_CREATE_BLOB,	\
		 struct drm_virtgpu_resource_create_blob)
#endif

#endif /* HU_VGPU_UAPI_H */
