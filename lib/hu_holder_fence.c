// SPDX-License-Identifier: MIT
/*
 * hu_holder_fence: fences across the removal. vgem makes an unsignalled
 * fence (VGEM_FENCE_ATTACH) on its BO; the device holds that BO (PRIME
 * import) and the fence (a syncobj fed its sync_file). After the trigger the
 * fence is signalled from vgem: the sync_file must report it within a
 * bounded time, whatever happened to the device holding it.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <drm.h>

#include "hu_core.h"
#include "hu_drm.h"
#include "hu_holder.h"
#include "hu_udev.h"

#define SIGNAL_TIMEOUT_MS 2000

struct fence_priv {
	int card, vgem, vdmabuf, sync_file;
	uint32_t vhandle, fence, dhandle, syncobj;
	bool signalled;
};

static void fence_acquire(struct hu_ctx *ctx, void *p)
{
	struct fence_priv *s = p;
	struct hu_bo vbo;
	int err, status;

	s->card = s->vgem = s->vdmabuf = s->sync_file = -1;
	s->signalled = true;	/* until there is a fence to signal */
	s->card = hu_drm_open(ctx->dev->card);
	hu_assert_f(s->card >= 0, "open %s: %s\n", ctx->dev->card,
		    strerror(-s->card));
	s->vgem = hu_drm_open_vgem();
	hu_require_f(s->vgem >= 0, "no vgem: %s\n", strerror(-s->vgem));
	hu_assert_ok(hu_drm_dumb_create(s->vgem, 64, 64, &vbo));
	s->vhandle = vbo.handle;
	err = hu_vgem_fence_attach(s->vgem, s->vhandle, &s->fence);
	hu_require_f(!err, "VGEM_FENCE_ATTACH: %s\n", strerror(-err));
	s->signalled = false;
	hu_assert_ok(hu_drm_prime_export(s->vgem, s->vhandle, &s->vdmabuf));
	err = hu_dmabuf_export_sync_file(s->vdmabuf, &s->sync_file);
	hu_require_f(!err, "DMA_BUF_IOCTL_EXPORT_SYNC_FILE: %s\n",
		     strerror(-err));
	hu_assert_f(hu_sync_file_wait(s->sync_file, 0, &status) == 0,
		    "the vgem fence is signalled before anyone signalled it\n");

	err = hu_drm_prime_import(s->card, s->vdmabuf, &s->dhandle);
	hu_info("fence: device imports the fenced vgem BO: %s\n",
		err ? strerror(-err) : "yes");
	err = hu_drm_syncobj_create(s->card, false, &s->syncobj);
	if (!err)
		err = hu_drm_syncobj_import_sync_file(s->card, s->syncobj,
						      s->sync_file);
	hu_info("fence: device syncobj holds the fence: %s\n",
		err ? strerror(-err) : "yes");
}

static void fence_probe(struct hu_ctx *ctx, void *p)
{
	struct fence_priv *s = p;
	struct drm_syncobj_wait wait = {
		.handles = (uintptr_t)&s->syncobj,
		.count_handles = 1,
		.timeout_nsec = 0,
	};
	long long t0;
	int r, status;

	if (s->syncobj) {
		r = hu_drm_ioctl(s->card, DRM_IOCTL_SYNCOBJ_WAIT, &wait);
		hu_info("fence: SYNCOBJ_WAIT on the held syncobj: %s\n",
			r ? strerror(-r) : "signalled");
		if (ctx->gone)
			hu_assert_f(r == -ENODEV,
				    "SYNCOBJ_WAIT gave %s, not ENODEV\n",
				    r ? strerror(-r) : "success");
	}
	r = hu_sync_file_wait(s->sync_file, 0, &status);
	hu_info("fence: sync_file %s (status %d) %s\n",
		r > 0 ? "signalled" : "pending", status,
		hu_stage_name(ctx->stage));
	if (!s->signalled) {
		r = hu_vgem_fence_signal(s->vgem, s->fence);
		/* vgem signals a fence by itself after 10 s (ETIMEDOUT then) */
		if (r == -ETIMEDOUT)
			hu_info("fence: vgem's own 10 s timer signalled it first\n");
		else
			hu_assert_f(!r, "VGEM_FENCE_SIGNAL: %s\n", strerror(-r));
		s->signalled = true;
	}
	t0 = hu_now_ms();
	r = hu_sync_file_wait(s->sync_file, SIGNAL_TIMEOUT_MS, &status);
	hu_info("fence: sync_file signalled %s after %lld ms, status %d\n",
		r > 0 ? "yes" : "NO", hu_now_ms() - t0, status);
	hu_assert_f(r > 0, "the sync_file did not signal within %d ms\n",
		    SIGNAL_TIMEOUT_MS);
	hu_assert_f(status == 1, "the sync_file signalled with error %d\n",
		    status);
}

static int fence_release(struct hu_ctx *ctx, void *p)
{
	struct fence_priv *s = p;
	int err = 0;

	if (!s->signalled && s->vgem >= 0)
		hu_vgem_fence_signal(s->vgem, s->fence);
	s->signalled = true;
	hu_close(&s->sync_file, &err);
	hu_close(&s->vdmabuf, &err);
	hu_close(&s->vgem, &err);
	hu_close(&s->card, &err);
	return err;
}

const struct hu_holder_ops hu_holder_fence = {
	.name = "fence",
	.desc = "an unsignalled vgem fence held by the device (syncobj, "
		"imported BO) and as a sync_file; signalled after the trigger",
	.priv_size = sizeof(struct fence_priv),
	.acquire = fence_acquire,
	.probe = fence_probe,
	.release = fence_release,
};
