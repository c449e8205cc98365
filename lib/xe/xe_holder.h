/* SPDX-License-Identifier: MIT */
/*
 * xe_holder: Xe workloads as holders of the scenario engine (hu_holder.h).
 * Each keeps the device busy the way an application does, sees its work in
 * flight right before the trigger (before_fire: the blitter copy spinner
 * still running) and probes afterwards what the kernel promises, reading
 * per kernel version what must hold from lib/xe's expectation table
 * (xe_expect.h):
 *
 *	copy		checked one-shot copies between every pair of VRAM,
 *			system BO and userptrs, then a copy spinner VRAM ->
 *			system (xe_holder_copy.c)
 *	userptr		a spinner copying a malloc'd userptr into an mmap'd
 *			one; the process memory stays its own (ditto)
 *	prefetch	PREFETCH ping-pong VRAM <-> system on the migrate
 *			engine from a thread (xe_holder_migrate.c)
 *	evict		VRAM overcommitted, round-robin prefetch (ditto)
 *	migrate		migrate work (PREFETCH; back-to-back copies on an
 *			iGPU) for the late close after PCI remove (ditto)
 *	dmabuf-vram	a VRAM BO exported as a dma-buf and mapped through it;
 *			fd and BOs closed at the first probe, the dma-buf kept
 *			for the new instance to import (xe_holder_dmabuf.c)
 *	wedged		the device wedged by a hung spinner (wedged_mode=2, a
 *			short job timeout) before the trigger
 *			(xe_holder_wedged.c)
 *	held		fd, BO mmaps, an exported dma-buf and a running
 *			spinner for rmmod; released step by step, the module
 *			references checked at each step (xe_holder_held.c)
 *
 * Every probe after a removal checks the spinner's fence (signalled within
 * 10 s), the background work (ended, ENODEV at worst), every ioctl of the
 * held fd and the old mapping of a BO (zero, no SIGBUS).
 */
#ifndef HU_XE_HOLDER_H
#define HU_XE_HOLDER_H

#include <stddef.h>

#include "hu_device.h"
#include "hu_holder.h"

extern const struct hu_holder_ops hu_xe_holder_copy, hu_xe_holder_userptr,
	hu_xe_holder_prefetch, hu_xe_holder_evict, hu_xe_holder_migrate,
	hu_xe_holder_dmabuf, hu_xe_holder_wedged, hu_xe_holder_held;

/*
 * The Xe health check (struct hu_scenario.health): blitter copies between
 * system, VRAM and a userptr compared with their source, and a copy
 * spinner that must start, stop on request and leave its copy behind.
 * 0, or -errno with the failing step in @why.
 */
int __hu_xe_health_check(const struct hu_device *dev, char *why, size_t len);

/*
 * NULL if @dev is an Xe device the holders can use on this kernel (bound
 * to xe, a render node, on PCI, kernel >= 6.8), else why not.
 */
const char *hu_xe_unsupported(const struct hu_device *dev);

#endif /* HU_XE_HOLDER_H */
