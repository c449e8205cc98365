/* SPDX-License-Identifier: MIT */
/*
 * What the Xe holder files share (xe_holder.c): the state every holder
 * keeps, opening it, the spinner, the probe after a removal, the release.
 * Not for tests: they use xe_holder.h.
 */
#ifndef HU_XE_HOLDER_PRIV_H
#define HU_XE_HOLDER_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "hu_holder.h"
#include "hu_part.h"
#include "xe/xe_expect.h"
#include "xe/xe_ioctl.h"
#include "xe/xe_spin.h"
#include "xe/xe_work.h"

#define HU_XE_SPIN_COPY		(256 * 1024)	/* the spinner copies a loop */
#define HU_XE_BUF_SIZE		(1 << 20)
#define HU_XE_PROBE_SIZE	(64 * 1024)
#define HU_XE_FENCE_MS		10000	/* bound for fences after removal */

/* One holder's state: the engine hands it zeroed, hold_open() sets it up. */
struct hu_xe_hold {
	int fd;				/* render node, -1 when closed */
	bool have_ctx;
	struct hu_xe_ctx ctx;
	struct hu_xe_buf src, dst;	/* what the spinner copies */
	struct hu_xe_buf probe;		/* a non-exported mapped BO */
	struct hu_xe_spin spin;
	struct hu_xe_bg bg;
	int dmabuf;			/* -1 when none */
	void *dmabuf_map;
	uint32_t seed;
	int idle_refs;			/* module refcount before opening */
	bool armed;			/* wedged: wedged_mode=2 set */
};

/*
 * The ops of a holder whose work is in flight at the trigger: the spinner
 * seen running right before it, released by hu_xe_hold_release().
 */
#define HU_XE_HOLDER(_name, _unsupported, _acquire, _probe, _desc) {\
	.name = _name,							\
	.desc = _desc,							\
	.priv_size = sizeof(struct hu_xe_hold),				\
	.needs = HU_XE_NEEDS,						\
	.driver = "xe",							\
	.unsupported = _unsupported,					\
	.acquire = _acquire,						\
	.before_fire = hu_xe_hold_before_fire,				\
	.probe = _probe,						\
	.release = hu_xe_hold_release,					\
}

/* What every Xe holder needs of a device, besides the xe driver. */
#define HU_XE_NEEDS (HU_NEED_PCI | HU_NEED_RENDER)

/* The running kernel's version, read once. */
uint32_t hu_xe_kver(void);
/*
 * The errno every ioctl on @h's fd gets once @ctx's trigger fired, per
 * lib/xe/xe_expect.c (0: not verified for this kernel: log only).
 */
int hu_xe_gone_errno(const struct hu_ctx *ctx, const struct hu_xe_hold *h);
/* The table says @id holds on this kernel: assert it. */
bool hu_xe_expected(enum hu_xe_expect_id id);
/* Logs what the table says of @id for this kernel, with its fix. */
void hu_xe_log_expect(enum hu_xe_expect_id id);

/* hu_xe_unsupported(), and the device must have VRAM (queried). */
const char *hu_xe_unsupported_vram(const struct hu_device *dev);

/*
 * Opens the render node of @ctx's device, a VM and copy queue on it, and
 * a mapped BO holding @ctx's pattern (its mapping is probed after removal).
 */
void hu_xe_hold_open(struct hu_ctx *ctx, struct hu_xe_hold *h);
/* The spinner's source gets the pattern, its destination zeroes. */
void hu_xe_hold_fill(struct hu_xe_hold *h);
/* Starts the spinner src -> dst, sees it started, then the background work. */
void hu_xe_hold_start(struct hu_xe_hold *h);
/* before_fire of the in-flight holders: the spinner is still running. */
void hu_xe_hold_before_fire(struct hu_ctx *ctx, void *priv);
/*
 * After a removal: the fences signal in time, the background work ended
 * (with what xe_expect says at worst), every ioctl on the held fd fails as
 * the table says, the old BO mapping reads zero without SIGBUS. At
 * HU_STAGE_RECOVERED (late close) only the ioctls: they must still fail
 * the same way, the old fd must not reach the new instance.
 */
void hu_xe_hold_probe_gone(struct hu_ctx *ctx, struct hu_xe_hold *h);
/* The probe of the in-flight holders: hu_xe_hold_probe_gone(). */
void hu_xe_hold_probe(struct hu_ctx *ctx, void *priv);
/* Closes everything held (never asserts): 0 or the first close's -errno. */
int hu_xe_hold_release(struct hu_ctx *ctx, void *priv);

#endif /* HU_XE_HOLDER_PRIV_H */
