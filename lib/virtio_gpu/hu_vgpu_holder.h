/* SPDX-License-Identifier: MIT */
/*
 * hu_vgpu_holder: virtio-gpu holders for the scenario engine
 * (hu_scenario.h), all on resources with guest backing pages, i.e. pages
 * DMA-mapped for the device (through the IOMMU when it has one):
 *
 *	transfers  4 resources, 2 of them mmapped (VIRTGPU_MAP) with a
 *		   pattern, TRANSFER_TO_HOST (+ FROM_HOST with 3D) and WAIT
 *		   looping from 3 threads through the trigger
 *	mmap	   a resource mmapped through VIRTGPU_MAP with a pattern
 *	dmabuf	   a resource exported as a dma-buf, the dma-buf mmapped
 *
 * They also feed the IOMMU-lifetime oracle when the test armed one: after
 * a trigger that keeps the device in its IOMMU group (an unbind) the first
 * probe of each cycle marks the driver unbound, and the last release of the
 * last cycle (when every buffer is closed) asks for the verdict, so it is
 * printed even when the kmsg oracle fails the subtest afterwards.
 */
#ifndef HU_VGPU_HOLDER_H
#define HU_VGPU_HOLDER_H

#include <stdbool.h>

#include "hu_holder.h"
#include "hu_iommu_oracle.h"

extern const struct hu_holder_ops hu_vgpu_holder_transfers,
	hu_vgpu_holder_mmap, hu_vgpu_holder_dmabuf;

/*
 * Hands the holders the oracle for the next scenario (NULL: none), the
 * PCI function it watches, whether the trigger leaves that function in
 * its IOMMU group (then the driver unbind is marked in the trace) and the
 * scenario's unplug/recover cycles (0 counts as 1).
 */
void hu_vgpu_iommu_begin(struct hu_iommu_oracle *o, const char *bdf,
			 bool stays_in_group, unsigned int cycles);
/*
 * Findings that fail a subtest (unmap after leave, mapped at leave,
 * DMA-API debug) of the verdict the last release took; -1 if no verdict
 * was taken. Mappings alive at an unbind are printed, not counted: the
 * device is still in its group and DRM lets buffers outlive the driver.
 */
int hu_vgpu_iommu_failures(void);

#endif /* HU_VGPU_HOLDER_H */
