// SPDX-License-Identifier: MIT
/* hu_holders: the holder registry, one line per holder. */
#include <string.h>

#include "hu_config.h"
#include "hu_holder.h"
#include "virtio_gpu/hu_vgpu_holder.h"
#ifdef HAVE_XE_DRM_H
#include "xe/xe_holder.h"
#endif

const struct hu_holder_ops *const hu_holders[] = {
	/* generic: any DRM driver */
	&hu_holder_fd,
	&hu_holder_mmap,
	&hu_holder_dmabuf,
	&hu_holder_import,
	&hu_holder_prime,
	&hu_holder_fence,
	&hu_holder_child,
	&hu_holder_hammer,
	&hu_holder_readers,
	/* virtio_gpu */
	&hu_vgpu_holder_transfers,
	&hu_vgpu_holder_mmap,
	&hu_vgpu_holder_dmabuf,
#ifdef HAVE_XE_DRM_H
	/* xe */
	&hu_xe_holder_copy,
	&hu_xe_holder_userptr,
	&hu_xe_holder_prefetch,
	&hu_xe_holder_evict,
	&hu_xe_holder_migrate,
	&hu_xe_holder_dmabuf,
	&hu_xe_holder_wedged,
	&hu_xe_holder_held,
#endif
	NULL,
};

const struct hu_holder_ops *hu_holder_find(const char *driver,
					   const char *name)
{
	for (int i = 0; hu_holders[i]; i++) {
		const struct hu_holder_ops *h = hu_holders[i];

		if (!strcmp(h->name, name) &&
		    (driver && h->driver ? !strcmp(driver, h->driver) :
					   driver == h->driver))
			return h;
	}
	return NULL;
}

const char *hu_holder_unsupported(const struct hu_holder_ops *h,
				  const struct hu_device *dev)
{
	const char *why = hu_need_unmet(h->needs, h->driver, dev);

	if (!why && h->unsupported)
		why = h->unsupported(dev);
	return why;
}
