/* SPDX-License-Identifier: MIT */
/*
 * hu_iommu_oracle: IOMMU lifetime of a device's DMA mappings across an
 * unplug, on stock kernels (no debug options), through tracefs.
 *
 * Armed before the test maps anything, it records in its own tracefs
 * instance (instances/hu-iommu), filtered to the given devices:
 *   - when a device leaves (or joins) its IOMMU group:
 *     iommu/remove_device_from_group, or a kprobe on iommu_deinit_device /
 *     __iommu_group_remove_device / iommu_group_remove_device;
 *   - every DMA map and unmap/free: the "dma" events (7.x: dma_map_phys,
 *     6.12: dma_map_page, ...), or kprobes on dma_unmap_sg_attrs,
 *     dma_unmap_page_attrs, dma_unmap_phys, dma_unmap_resource,
 *     dma_free_attrs, __dma_map_sg_attrs where the events are missing;
 *   - the call chain of every unmap/free (a stacktrace trigger).
 * The verdict judges the trace with hu_iommu_trace_parse(): an unmap or
 * free after the device left its group, a mapping still alive when it left
 * or when its driver was unbound (hu_iommu_oracle_mark_unbound()).
 *
 * DMA-API debug reports (CONFIG_DMA_API_DEBUG) are another oracle's,
 * hu_oracle_part_dma_debug.c; the engine arms both as parts (hu_oracles.h).
 *
 * Needs root and tracefs. Only one oracle is armed at a time; it is
 * disarmed at exit (or by the next arm for other devices).
 */
#ifndef HU_IOMMU_ORACLE_H
#define HU_IOMMU_ORACLE_H

#include <stdbool.h>
#include <stddef.h>

#include "hu_iommu_trace.h"

enum {
	/* Use the kprobe fallbacks even where the events exist (to test them). */
	HU_IOMMU_FORCE_KPROBES = 1 << 0,
	/* No stacktrace trigger: findings come without their call chain. */
	HU_IOMMU_NO_STACKS = 1 << 1,
	/* Disarm at hu_iommu_oracle_free(), arm afresh each time (the cost). */
	HU_IOMMU_REARM = 1 << 2,
};

/* Where the oracle's time went, in seconds (CLOCK_MONOTONIC). */
struct hu_iommu_cost {
	double arm_s;		/* instance, buffer, filters, triggers, events */
	double read_s;		/* reading the trace back, every verdict */
	double parse_s;		/* judging it */
	double disarm_s;	/* events, triggers, instance, kprobes off */
	unsigned int reads;
	size_t read_bytes;
	bool kept;		/* armed before: arm_s only cleared the buffer */
};

struct hu_iommu_oracle;

/* Does @pci_bdf ("0000:01:00.0") sit in an IOMMU group? */
bool hu_iommu_has_group(const char *pci_bdf);

/*
 * Arms the oracle for the devices named in the NULL-terminated @devices
 * (at least one). Returns NULL with -errno in @err when it cannot be armed
 * (no tracefs, not root, nothing to probe), with the reason logged.
 */
struct hu_iommu_oracle *__hu_iommu_oracle_arm(const char *const *devices,
					      unsigned int flags, int *err);

/* What is armed, e.g. "events: iommu/remove_device_from_group ...". */
const char *hu_iommu_oracle_probes(const struct hu_iommu_oracle *o);

/*
 * Tells the oracle that the driver of @device was unbound (call it after
 * the unbind write returned) or bound again; goes into the trace.
 */
void hu_iommu_oracle_mark_unbound(struct hu_iommu_oracle *o,
				  const char *device);
void hu_iommu_oracle_mark_bound(struct hu_iommu_oracle *o,
				const char *device);

/*
 * Reads and judges what was traced since arming; fills @r. Returns the
 * number of findings or -errno. Never asserts and prints nothing.
 */
int __hu_iommu_oracle_verdict(struct hu_iommu_oracle *o,
			      struct hu_iommu_report *r);
/*
 * Same, printing every finding with its evidence and call chain (warn
 * level) and a summary line; @stage names the point ("after close").
 * Returns the number of findings; -1 if the trace could not be read.
 */
int hu_iommu_oracle_verdict(struct hu_iommu_oracle *o, const char *stage);

/* The report of the last hu_iommu_oracle_verdict() (zeroed before one). */
const struct hu_iommu_report *hu_iommu_oracle_report(
	const struct hu_iommu_oracle *o);

/* What arming, reading and judging took so far. */
const struct hu_iommu_cost *hu_iommu_oracle_cost(
	const struct hu_iommu_oracle *o);
/*
 * @c as one line, "arm 0.412 s, read 0.021 s (1 reads, 345 KiB), parse
 * 0.003 s, disarm 0.200 s" ("clear" for arm when @c->kept, "kept armed"
 * for the disarm when @kept); runner/bench-iommu.sh reads it.
 */
void hu_iommu_cost_text(const struct hu_iommu_cost *c, bool kept,
			char *buf, size_t len);

/*
 * The flags for the value of HU_IOMMU_ORACLE (@mode: NULL or "" the
 * default, "nostack", "rearm") and HU_IOMMU_KPROBES (@kprobes). Returns
 * 0, 1 for "off" (do not arm), -EINVAL for anything else.
 */
int hu_iommu_oracle_mode(const char *mode, bool kprobes, unsigned int *flags);

/* Writes the raw trace to @path, for a bug report or a unit-test sample. */
int hu_iommu_oracle_save(struct hu_iommu_oracle *o, const char *path);

/*
 * Ends the oracle's watch and prints its cost (struct hu_iommu_cost) as
 * an info line. It stays armed for the next __hu_iommu_oracle_arm() with
 * the same devices and flags (that arm then only clears the buffer);
 * events, triggers, instance and kprobes go away at the next arm for
 * others, at exit, or here with HU_IOMMU_REARM. NULL is fine.
 */
void hu_iommu_oracle_free(struct hu_iommu_oracle *o);

#endif /* HU_IOMMU_ORACLE_H */
