/* SPDX-License-Identifier: MIT */
/*
 * hu_holder: things an application holds on a DRM device while it goes
 * away. A holder is acquired before the trigger, probed after it (what must
 * hold: ioctls fail with ENODEV, mappings do not SIGBUS, exported data
 * survives, fences signal), and released early (before recovery) or late
 * (after the new instance passed its health check: the old objects then
 * outlive the birth of the new device).
 *
 *	fd		idle card and render fds
 *	mmap		dumb BO with a CPU mmap holding a pattern
 *	dmabuf		PRIME export, dma-buf mmap, DMA_BUF_IOCTL_SYNC
 *	dmabuf-import	that dma-buf imported into vgem and mapped there
 *	prime-import	a dumb BO imported into a second real GPU (another
 *			card on PCI), mapped and scanned out there
 *	fence		syncobj holding a vgem fence, its sync_file, vgem
 *			dma-buf imported into the device
 *	child-process	a forked process with its own fds, BO mmap and dma-buf
 *	hammer		threads issuing ioctls through the trigger
 *	readers		threads reading sysfs, debugfs and fdinfo through it
 *
 * (C names: hu_holder_import, hu_holder_prime and hu_holder_child for the
 * long ones.)
 *
 * A holder is one file (its ops with its facts: needs, the driver it is
 * for) and one line in the registry, hu_holders[] (lib/hu_holders.c).
 * Driver holders (lib/virtio_gpu/, lib/xe/) are registered there too,
 * with their driver: drm_hotunplug takes the generic ones (driver NULL).
 *
 * Probes log what the kernel did ("mmap after unplug: data intact") and
 * assert what must hold. Release never asserts: it returns the first close
 * error, so it can also run as cleanup after a failure.
 */
#ifndef HU_HOLDER_H
#define HU_HOLDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hu_device.h"
#include "hu_drm.h"
#include "hu_part.h"

struct hu_trigger;

/* What the holders see of the scenario. */
struct hu_ctx {
	struct hu_device *dev;	/* refreshed after recovery */
	const struct hu_trigger *trigger;	/* the row's trigger */
	bool gone;		/* the device was removed (else still there) */
	enum hu_stage stage;	/* _BEFORE_FIRE, _FIRED, _NEW_USER, _RECOVERED */
	uint32_t seed;		/* for patterns */
};

struct hu_holder_ops {
	/* part of subtest names: [a-z]+ words joined by '-' */
	const char *name;
	const char *desc;	/* one line for --describe */
	size_t priv_size;	/* zeroed state handed to the callbacks */
	unsigned int needs;	/* HU_NEED_* (hu_part.h) */
	const char *driver;	/* only for this DRM driver; NULL: any */
	/* NULL if usable on @dev, else a skip reason (beyond its needs). */
	const char *(*unsupported)(const struct hu_device *dev);
	void (*acquire)(struct hu_ctx *ctx, void *priv);
	/*
	 * Optional: right before the trigger fires (after the jitter),
	 * asserts that the work acquire() started is still in flight.
	 */
	void (*before_fire)(struct hu_ctx *ctx, void *priv);
	void (*probe)(struct hu_ctx *ctx, void *priv);
	int (*release)(struct hu_ctx *ctx, void *priv);	/* 0 or -errno */
	/* Optional: kernel log lines the holder causes on purpose (regex). */
	const char *kmsg_ignore;
};

extern const struct hu_holder_ops hu_holder_fd, hu_holder_mmap,
	hu_holder_dmabuf, hu_holder_import, hu_holder_prime, hu_holder_fence,
	hu_holder_child, hu_holder_hammer, hu_holder_readers;

/* Every holder, NULL-terminated, in the order subtests list them. */
extern const struct hu_holder_ops *const hu_holders[];
/* The holder @name for @driver (NULL: a generic one), or NULL. */
const struct hu_holder_ops *hu_holder_find(const char *driver,
					   const char *name);
/* NULL if @h is usable on @dev (its needs, then its own probe), else why. */
const char *hu_holder_unsupported(const struct hu_holder_ops *h,
				  const struct hu_device *dev);

/* --- shared by the holder files (lib/hu_holder_probe.c) ---------------- */

/*
 * Probes a held DRM fd: with @gone, real calls (VERSION, GET_CAP,
 * GEM_CLOSE, SYNCOBJ_CREATE, CREATE_DUMB) and then all 256 DRM ioctl
 * numbers must fail with ENODEV; without, the calls must work. Asserts;
 * @what names the fd.
 */
void hu_probe_fd(int fd, bool card, bool gone, const char *what);

/*
 * Reads @len bytes of a mapping under the SIGBUS guard and checks them
 * against @seed's pattern. Asserts no signal; returns "intact", "zero" or
 * "changed" for the log. With @must_keep, anything but intact fails.
 */
const char *hu_probe_map(void *map, size_t len, uint32_t seed,
			 bool must_keep, const char *what);

/*
 * Maps @fd (a dma-buf) read-only afresh and logs "@label: new mmap ..."
 * whether it worked; where it maps, hu_probe_map() must find @seed's
 * pattern intact in its @len bytes.
 */
void hu_probe_new_map(int fd, size_t len, uint32_t seed, const char *label);

/*
 * Opens @dev's card into *@card, creates a @w x @h dumb BO there, maps it
 * into *@map and fills it with @seed's pattern. Skips if the driver has no
 * dumb buffers; asserts the rest.
 */
void hu_pattern_bo(const struct hu_device *dev, unsigned int w,
		   unsigned int h, uint32_t seed, int *card, struct hu_bo *bo,
		   void **map);

/*
 * Exports a small dumb BO of @dev and imports it into the DRM fd
 * @importer, keeping nothing: 0, or the -errno of the step that failed.
 * Before any trigger, for unsupported(): ENOSYS/EOPNOTSUPP/... there mean
 * the pair cannot share buffers.
 */
int hu_try_import(const struct hu_device *dev, int importer);

/* close() that keeps the first error: *err = -errno. */
void hu_close(int *fd, int *err);
void hu_unmap(void **map, size_t len);

#endif /* HU_HOLDER_H */
