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
 * The IOMMU-lifetime oracle (hu_oracles.h) watches their mappings: it is
 * armed by the engine, not by them.
 */
#ifndef HU_VGPU_HOLDER_H
#define HU_VGPU_HOLDER_H

#include "hu_holder.h"

extern const struct hu_holder_ops hu_vgpu_holder_transfers,
	hu_vgpu_holder_mmap, hu_vgpu_holder_dmabuf;

#endif /* HU_VGPU_HOLDER_H */
