/* SPDX-License-Identifier: MIT */
/*
 * hu_oracles: oracles as parts of a scenario. An oracle watches what the
 * kernel does while a subtest runs and judges it: the engine arms the
 * oracles a scenario names (before anything is acquired), calls each at
 * every stage of every cycle (enum hu_stage), and folds their verdicts
 * (pass / warn / fail) into the subtest's: any fail fails it, each finding
 * is printed by the oracle that made it.
 *
 *	kmsg		splats in the kernel log (hu_oracle.h)
 *	taint		new bad taint flags (M B D W L)
 *	modref		the driver module's refcount back to its idle value
 *			once nothing is held
 *	iommu		IOMMU lifetime of the device's DMA mappings
 *			(hu_iommu_oracle.h), when it sits in an IOMMU group
 *	dma-debug	DMA-API debug reports (CONFIG_DMA_API_DEBUG)
 *
 * An oracle is one file (lib/hu_oracle_part_*.c: its ops with its facts)
 * and one line in the registry, hu_oracles[] (lib/hu_oracles.c). An
 * oracle that cannot watch a device (its needs, its unsupported() probe,
 * or arm() failing) is left out with the reason printed: it never skips
 * the subtest. Oracles and holders share no state: what an oracle needs to
 * know of the scenario is in struct hu_octx.
 */
#ifndef HU_ORACLES_H
#define HU_ORACLES_H

#include <stddef.h>

#include "hu_device.h"
#include "hu_part.h"
#include "hu_trigger.h"

/* What the oracles see of the scenario. */
struct hu_octx {
	struct hu_device *dev;		/* refreshed after recovery */
	const struct hu_trigger *trigger;
	const char *scope;		/* the subtest's name */
	unsigned int cycle, cycles;	/* this cycle (from 0), how many */
	/* POSIX EREs of kernel log lines the test expects (NULL-ended) */
	const char *const *kmsg_ignore;
};

struct hu_oracle_ops {
	const char *name;	/* [a-z]+ words joined by '-' */
	const char *desc;	/* one line for --describe */
	size_t priv_size;	/* zeroed state handed to the callbacks */
	unsigned int needs;	/* HU_NEED_* (hu_part.h) */
	/* NULL if it can watch @dev, else why not (beyond its needs). */
	const char *(*unsupported)(const struct hu_device *dev);
	/* Starts watching: 0, or -errno (then left out, said why). */
	int (*arm)(struct hu_octx *ctx, void *priv);
	/*
	 * Called at every stage, in order: prints each finding (hu_warn)
	 * and returns the verdict of what it found at this stage.
	 */
	enum hu_verdict (*at)(struct hu_octx *ctx, void *priv,
			      enum hu_stage stage);
	void (*free)(void *priv);	/* disarms; never asserts */
};

extern const struct hu_oracle_ops hu_oracle_kmsg, hu_oracle_taint,
	hu_oracle_modref, hu_oracle_iommu, hu_oracle_dma_debug;

/* Every oracle, NULL-terminated: what a scenario naming none gets. */
extern const struct hu_oracle_ops *const hu_oracles[];
const struct hu_oracle_ops *hu_oracle_find(const char *name);

/* NULL if @o can watch @dev (its needs, then its own probe), else why. */
const char *hu_oracle_unsupported(const struct hu_oracle_ops *o,
				  const struct hu_device *dev);

/* --- the armed oracles of one scenario (the engine's) ----------------- */

#define HU_MAX_ORACLES 8

struct hu_oracle_set {
	struct hu_octx ctx;
	int n;
	const struct hu_oracle_ops *ops[HU_MAX_ORACLES];
	void *priv[HU_MAX_ORACLES];
	enum hu_verdict verdict[HU_MAX_ORACLES];	/* the worst so far */
};

/*
 * Arms @ops (@n of them; 0: every registered oracle) on @ctx->dev; those
 * that cannot watch it are left out, each said. @s must be zeroed or
 * freed.
 */
void hu_oracle_set_arm(struct hu_oracle_set *s,
		       const struct hu_oracle_ops *const *ops, int n,
		       const struct hu_octx *ctx);
/* Calls every armed oracle at @stage; returns the worst verdict of it. */
enum hu_verdict hu_oracle_set_at(struct hu_oracle_set *s, enum hu_stage stage);
/*
 * The subtest's verdict: prints each oracle's, writes the names of the
 * failed ones into @failed ("kmsg, iommu"), returns the worst.
 */
enum hu_verdict hu_oracle_set_fold(const struct hu_oracle_set *s,
				   char *failed, size_t len);
/* Disarms and frees every armed oracle; @s is then empty. */
void hu_oracle_set_free(struct hu_oracle_set *s);

#endif /* HU_ORACLES_H */
