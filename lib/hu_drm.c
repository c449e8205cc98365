// SPDX-License-Identifier: MIT
/* hu_drm: generic DRM, PRIME, syncobj, sync_file and vgem calls. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <drm.h>
#include <drm_mode.h>
#include <linux/dma-buf.h>
#include <linux/sync_file.h>

#include "hu_core.h"
#include "hu_device.h"
#include "hu_drm.h"
#include "hu_kmod.h"
#include "hu_udev.h"

/* vgem's uAPI (drm/vgem_drm.h is missing from older libdrm-dev). */
struct hu_vgem_fence_attach {
	uint32_t handle;
	uint32_t flags;		/* 1: write fence */
	uint32_t out_fence;
	uint32_t pad;
};
struct hu_vgem_fence_signal {
	uint32_t fence;
	uint32_t flags;
};
#define HU_IOCTL_VGEM_FENCE_ATTACH \
	DRM_IOWR(DRM_COMMAND_BASE + 1, struct hu_vgem_fence_attach)
#define HU_IOCTL_VGEM_FENCE_SIGNAL \
	DRM_IOW(DRM_COMMAND_BASE + 2, struct hu_vgem_fence_signal)

int hu_drm_ioctl(int fd, unsigned long req, void *arg)
{
	for (int i = 0; i < 1000; i++) {
		if (ioctl(fd, req, arg) == 0)
			return 0;
		if (errno != EINTR && errno != EAGAIN)
			break;
	}
	return -errno;
}

int hu_drm_open(const char *node)
{
	int fd = open(node, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int hu_drm_driver_name(int fd, char *buf, size_t len)
{
	struct drm_version v = { .name = buf, .name_len = len - 1 };

	memset(buf, 0, len);
	return hu_drm_ioctl(fd, DRM_IOCTL_VERSION, &v);
}

/* The vgem card, whatever bus it sits on (platform, faux since 6.15). */
static bool vgem_card(void *data)
{
	char *out = data, node[64], name[64];
	struct dirent *de;
	DIR *d = opendir("/sys/class/drm");
	bool found = false;

	if (!d)
		return false;
	while (!found && (de = readdir(d))) {
		int fd;

		if (strncmp(de->d_name, "card", 4) || strchr(de->d_name, '-'))
			continue;
		hu_fmt(node, sizeof(node), "/dev/dri/%s", de->d_name);
		fd = hu_drm_open(node);
		if (fd < 0)
			continue;
		if (!hu_drm_driver_name(fd, name, sizeof(name)) &&
		    !strcmp(name, "vgem")) {
			hu_fmt(out, 64, "%s", node);
			found = true;
		}
		close(fd);
	}
	closedir(d);
	return found;
}

int hu_drm_open_vgem(void)
{
	char node[64] = "";
	struct hu_uwait *w;
	int err;

	if (vgem_card(node))
		return hu_drm_open(node);
	w = hu_uwait_new();
	err = __hu_kmod_load("vgem", NULL);
	if (!err && w)
		err = hu_uwait_until(w, vgem_card, node, 10000, "vgem card");
	hu_uwait_free(w);
	if (err)
		return err;
	return node[0] ? hu_drm_open(node) : -ENODEV;
}

int hu_drm_dumb_create(int fd, unsigned int w, unsigned int h,
		       struct hu_bo *bo)
{
	struct drm_mode_create_dumb c = { .width = w, .height = h, .bpp = 32 };
	int err = hu_drm_ioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &c);

	if (err)
		return err;
	bo->handle = c.handle;
	bo->size = c.size;
	bo->pitch = c.pitch;
	bo->offset = 0;
	return 0;
}

int hu_drm_dumb_map_offset(int fd, struct hu_bo *bo)
{
	struct drm_mode_map_dumb m = { .handle = bo->handle };
	int err = hu_drm_ioctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &m);

	if (!err)
		bo->offset = m.offset;
	return err;
}

int hu_drm_dumb_destroy(int fd, uint32_t handle)
{
	struct drm_mode_destroy_dumb d = { .handle = handle };

	return hu_drm_ioctl(fd, DRM_IOCTL_MODE_DESTROY_DUMB, &d);
}

int hu_drm_gem_close(int fd, uint32_t handle)
{
	struct drm_gem_close c = { .handle = handle };

	return hu_drm_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &c);
}

void *hu_drm_mmap_bo(int fd, const struct hu_bo *bo)
{
	return mmap(NULL, bo->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		    bo->offset);
}

int hu_drm_get_cap(int fd, uint64_t cap, uint64_t *value)
{
	struct drm_get_cap c = { .capability = cap };
	int err = hu_drm_ioctl(fd, DRM_IOCTL_GET_CAP, &c);

	*value = err ? 0 : c.value;
	return err;
}

int hu_drm_prime_export(int fd, uint32_t handle, int *dmabuf)
{
	struct drm_prime_handle p = { .handle = handle,
				      .flags = DRM_CLOEXEC | DRM_RDWR };
	int err = hu_drm_ioctl(fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &p);

	*dmabuf = err ? -1 : p.fd;
	return err;
}

int hu_drm_prime_import(int fd, int dmabuf, uint32_t *handle)
{
	struct drm_prime_handle p = { .fd = dmabuf };
	int err = hu_drm_ioctl(fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &p);

	*handle = err ? 0 : p.handle;
	return err;
}

int hu_dmabuf_sync(int dmabuf, bool end)
{
	struct dma_buf_sync s = {
		.flags = (end ? DMA_BUF_SYNC_END : DMA_BUF_SYNC_START) |
			 DMA_BUF_SYNC_RW,
	};

	return hu_drm_ioctl(dmabuf, DMA_BUF_IOCTL_SYNC, &s);
}

int hu_dmabuf_export_sync_file(int dmabuf, int *sync_file)
{
	struct dma_buf_export_sync_file e = { .flags = DMA_BUF_SYNC_WRITE,
					      .fd = -1 };
	int err = hu_drm_ioctl(dmabuf, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &e);

	*sync_file = err ? -1 : e.fd;
	return err;
}

int hu_drm_syncobj_create(int fd, bool signaled, uint32_t *handle)
{
	struct drm_syncobj_create c = {
		.flags = signaled ? DRM_SYNCOBJ_CREATE_SIGNALED : 0,
	};
	int err = hu_drm_ioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, &c);

	*handle = err ? 0 : c.handle;
	return err;
}

int hu_drm_syncobj_destroy(int fd, uint32_t handle)
{
	struct drm_syncobj_destroy d = { .handle = handle };

	return hu_drm_ioctl(fd, DRM_IOCTL_SYNCOBJ_DESTROY, &d);
}

int hu_drm_syncobj_import_sync_file(int fd, uint32_t handle, int sync_file)
{
	struct drm_syncobj_handle h = {
		.handle = handle,
		.flags = DRM_SYNCOBJ_FD_TO_HANDLE_FLAGS_IMPORT_SYNC_FILE,
		.fd = sync_file,
	};

	return hu_drm_ioctl(fd, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, &h);
}

int hu_vgem_fence_attach(int vgem, uint32_t handle, uint32_t *fence)
{
	struct hu_vgem_fence_attach a = { .handle = handle, .flags = 1 };
	int err = hu_drm_ioctl(vgem, HU_IOCTL_VGEM_FENCE_ATTACH, &a);

	*fence = err ? 0 : a.out_fence;
	return err;
}

int hu_vgem_fence_signal(int vgem, uint32_t fence)
{
	struct hu_vgem_fence_signal s = { .fence = fence };

	return hu_drm_ioctl(vgem, HU_IOCTL_VGEM_FENCE_SIGNAL, &s);
}

int hu_sync_file_wait(int sync_file, int timeout_ms, int *status)
{
	struct pollfd p = { .fd = sync_file, .events = POLLIN };
	struct sync_file_info info = { 0 };
	int r = poll(&p, 1, timeout_ms);

	if (r < 0)
		return -errno;
	*status = 0;
	if (ioctl(sync_file, SYNC_IOC_FILE_INFO, &info) == 0)
		*status = info.status;
	return r > 0;
}

/* --- the guard ------------------------------------------------------- */

static __thread sigjmp_buf guard_jmp;
static __thread volatile sig_atomic_t guard_armed;

static void guard_handler(int sig)
{
	if (guard_armed)
		siglongjmp(guard_jmp, sig);
	signal(sig, SIG_DFL);
	raise(sig);
}

/*
 * Per byte: copied to @out (if not NULL), then overwritten with @src[i] (if
 * not NULL) or @pattern (if >= 0). 0, or the signal that stopped it.
 */
static int guarded(volatile unsigned char *b, size_t len, unsigned char *out,
		   const unsigned char *src, int pattern)
{
	struct sigaction sa = { .sa_handler = guard_handler }, obus, osegv;
	int sig;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, &obus);
	sigaction(SIGSEGV, &sa, &osegv);
	sig = sigsetjmp(guard_jmp, 1);
	if (sig == 0) {
		guard_armed = 1;
		for (size_t i = 0; i < len; i++) {
			if (out)
				out[i] = b[i];
			if (src)
				b[i] = src[i];
			else if (pattern >= 0)
				b[i] = (unsigned char)pattern;
		}
	}
	guard_armed = 0;
	sigaction(SIGBUS, &obus, NULL);
	sigaction(SIGSEGV, &osegv, NULL);
	return sig;
}

int hu_guarded_access(volatile void *p, size_t len, void *out, int pattern)
{
	return guarded(p, len, out, NULL, pattern);
}

int hu_guarded_write(volatile void *p, const void *src, size_t len)
{
	return guarded(p, len, NULL, src, -1);
}

void hu_fill_pattern(void *p, size_t len, uint32_t seed)
{
	uint32_t *w = p;

	for (size_t i = 0; i < len / 4; i++)
		w[i] = seed ^ (uint32_t)(i * 2654435761u);
}

bool hu_check_pattern(const void *p, size_t len, uint32_t seed)
{
	const uint32_t *w = p;

	for (size_t i = 0; i < len / 4; i++)
		if (w[i] != (seed ^ (uint32_t)(i * 2654435761u)))
			return false;
	return true;
}

bool hu_all_zero(const void *p, size_t len)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < len; i++)
		if (b[i])
			return false;
	return true;
}
