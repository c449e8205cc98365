/* SPDX-License-Identifier: MIT */
/*
 * hu_iommu_trace: the IOMMU-lifetime oracle's judge. A pure function over
 * the text of a tracefs "trace" file, so it is unit-tested on recorded
 * traces (lib/tests/data/iommu-*.trace) without a device.
 *
 * Records it understands (per struct device, by its name):
 *   iommu/add_device_to_group, iommu/remove_device_from_group
 *	the device joins / leaves its IOMMU group;
 *   dma/dma_map_sg, dma_map_phys, dma_map_page, dma_map_resource,
 *   dma_alloc, dma_alloc_pages, dma_alloc_sgt, and their unmap / free
 *	a DMA mapping made or released, paired by address;
 *   kprobe events named hu_leave, hu_map_sg, hu_unmap_sg, hu_unmap_page,
 *   hu_unmap_phys, hu_unmap_res, hu_free with dev="NAME" (the fallback
 *   where the events above are missing, see hu_iommu_oracle.c);
 *   trace_marker lines "hu_iommu: unbound NAME" / "hu_iommu: bound NAME"
 *	written by the test once a driver unbind has returned;
 *   "<stack trace>" records and their " => func" lines, attached to the
 *	record of the same task just before them.
 *
 * Findings:
 *   UNMAP_AFTER_LEAVE  an unmap or free issued on a device after it left
 *			its IOMMU group (or of a mapping made before it left
 *			and released after it came back: the old incarnation
 *			was gone). This is the drm/xe NULL-deref class.
 *   MAPPED_AT_LEAVE    a mapping still alive when the device left its group.
 *   MAPPED_AT_UNBIND   a mapping still alive at an "unbound" marker.
 * The MAPPED_AT_* findings need every map and unmap: when the ring buffer
 * lost events (entries-in-buffer < entries-written) they are not judged
 * and @overflow says so.
 */
#ifndef HU_IOMMU_TRACE_H
#define HU_IOMMU_TRACE_H

#include <stdbool.h>
#include <stdio.h>

enum hu_iommu_kind {
	HU_IOMMU_UNMAP_AFTER_LEAVE,
	HU_IOMMU_MAPPED_AT_LEAVE,
	HU_IOMMU_MAPPED_AT_UNBIND,
	HU_IOMMU_DMA_DEBUG,	/* DMA-API debug (kernel log, dma-api/), not traces */
	HU_IOMMU_NUM_KINDS,
};

#define HU_IOMMU_MAX_FINDINGS 16
#define HU_IOMMU_LINE 320
#define HU_IOMMU_STACK 2048

struct hu_iommu_finding {
	enum hu_iommu_kind kind;
	char device[64];
	char record[HU_IOMMU_LINE];	/* the offending unmap, or the map */
	char cause[HU_IOMMU_LINE];	/* the group leave or unbind marker */
	char stack[HU_IOMMU_STACK];	/* " => f" lines of @record, or "" */
};

struct hu_iommu_report {
	unsigned int records;		/* trace records parsed */
	unsigned int maps, unmaps, leaves, joins, markers;
	unsigned int stacks;		/* <stack trace> records */
	bool overflow;			/* the ring buffer dropped events */
	unsigned int count[HU_IOMMU_NUM_KINDS];
	unsigned int nfindings;		/* all findings, even past the array */
	struct hu_iommu_finding findings[HU_IOMMU_MAX_FINDINGS];
};

/*
 * Judges @text. @devices is a NULL-terminated list of device names to judge
 * (NULL: every device). Returns the number of findings (also in
 * @r->nfindings), or -ENOMEM.
 */
int hu_iommu_trace_parse(const char *text, const char *const *devices,
			 struct hu_iommu_report *r);

/*
 * Judges DMA-API debug (CONFIG_DMA_API_DEBUG) reports in kernel log text:
 * @log holds /dev/kmsg records ("prio,seq,usec,flags;text", a record's own
 * newlines escaped as \x0a) or plain dmesg lines, one per line. Every
 * "DMA-API: DRIVER DEVICE: what" naming one of @devices (NULL: any) adds a
 * HU_IOMMU_DMA_DEBUG finding: the message is its record, the entry details
 * that follow it ("One of leaked entries details: ...") its cause, and its
 * call chain is the report's Call Trace followed by the "Mapped at:"
 * frames. A "DMA-API: ... disabling" line (the checker turned itself off)
 * is a finding too. @errors is how much dma-api/error_count grew over the
 * same span (-1: unknown): errors beyond the DMA-API messages in @log (the
 * kernel prints only num_errors of them) add one finding without a
 * message. Returns the number of findings added.
 */
int hu_iommu_dma_debug_parse(const char *log, const char *const *devices,
			     long errors, struct hu_iommu_report *r);

/* "unmap-after-leave" etc. */
const char *hu_iommu_kind_name(enum hu_iommu_kind kind);
/* A one-line explanation of @kind for humans. */
const char *hu_iommu_kind_text(enum hu_iommu_kind kind);

/* Adds a finding by hand (the DMA-API debug check uses it). */
void hu_iommu_report_add(struct hu_iommu_report *r, enum hu_iommu_kind kind,
			 const char *device, const char *record,
			 const char *cause, const char *stack);

/* Prints every finding kept in @r, with its evidence, @prefix on each line. */
void hu_iommu_report_print(const struct hu_iommu_report *r, FILE *f,
			   const char *prefix);

#endif /* HU_IOMMU_TRACE_H */
