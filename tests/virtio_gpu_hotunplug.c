// SPDX-License-Identifier: MIT
/*
 * virtio_gpu_hotunplug: virtio-gpu going away with work in flight on
 * DMA-mapped guest pages (transfers from several threads, mmaps, exported
 * dma-bufs), closed before or after recovery, with the IOMMU-lifetime
 * oracle armed when the device sits in an IOMMU group. Every subtest is a
 * row of the matrix below, run by the scenario engine (lib/hu_scenario.h):
 * one unplug/recover cycle, or --iterations N of them with a random delay of
 * 0..--jitter-ms before each trigger; one IOMMU verdict over all of them.
 * The engine arms the oracles named below; the IOMMU-lifetime one is left
 * out (said) where the device sits in no IOMMU group.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hu_core.h"
#include "hu_scenario.h"
#include "virtio_gpu/hu_vgpu_holder.h"

HU_TEST_DESCRIPTION("virtio-gpu hot-unplug with transfers, mmaps and "
		    "dma-bufs of resources backed by DMA-mapped guest pages; "
		    "checks ENODEV, data, thread exits, recovery, the kernel "
		    "log and, behind an IOMMU, that no DMA mapping is released "
		    "after the device left its IOMMU group.");

/* ---- the matrix: subtest = trigger x holders x close ----------------- */

static const struct hu_trigger *const triggers[] = {
	&hu_trigger_remove,	/* PCI remove + rescan: leaves its group */
	&hu_trigger_unbind,	/* PCI driver unbind + bind: stays in it */
	&hu_trigger_busunbind,	/* virtio_gpu unbind + bind: stays in it */
};

static const struct hu_holder_ops *const work[][3] = {
	{ &hu_vgpu_holder_transfers },
	{ &hu_vgpu_holder_mmap },
	{ &hu_vgpu_holder_dmabuf },
	{ &hu_vgpu_holder_transfers, &hu_vgpu_holder_mmap,
	  &hu_vgpu_holder_dmabuf },
};

static const enum hu_close closes[] = { HU_CLOSE_EARLY, HU_CLOSE_LATE };

static const struct hu_oracle_ops *const oracles[] = {
	&hu_oracle_kmsg,	/* kernel splats */
	&hu_oracle_taint,
	&hu_oracle_modref,	/* virtio_gpu refcount back to idle */
	&hu_oracle_iommu,	/* unmap after leave, mapped at leave */
	&hu_oracle_dma_debug,	/* DMA-API debug, on a debug kernel */
};

/* --------------------------------------------------------------------- */

#define N(a) (int)(sizeof(a) / sizeof((a)[0]))

static struct hu_device dev;
static bool have_dev;

static void run(struct hu_scenario *sc)
{
	hu_require_f(have_dev, "no virtio-gpu device\n");
	for (int i = 0; i < N(oracles); i++)
		sc->oracles[sc->noracles++] = oracles[i];
	hu_scenario_run(&dev, sc);
}

hu_main_args(&hu_scenario_opts)
{
	char name[128];

	hu_fixture {
		hu_scenario_setup(&dev, 1, false);
		hu_require_f(!strcmp(dev.driver, "virtio_gpu"),
			     "%s is driven by %s, not virtio_gpu\n", dev.card,
			     dev.driver);
		have_dev = true;
	}

	for (int t = 0; t < N(triggers); t++) {
		struct hu_scenario idle = { .trigger = triggers[t] };

		/* nothing held at the trigger: the oracle must stay clean */
		hu_subtest(hu_scenario_subtest(&idle, name, sizeof(name)))
			run(&idle);
		for (int w = 0; w < N(work); w++) {
			for (int c = 0; c < N(closes); c++) {
				struct hu_scenario sc = {
					.trigger = triggers[t],
					.close = closes[c],
				};

				while (sc.nholders < 3 && work[w][sc.nholders]) {
					sc.holders[sc.nholders] =
						work[w][sc.nholders];
					sc.nholders++;
				}
				hu_subtest(hu_scenario_subtest(&sc, name,
							       sizeof(name)))
					run(&sc);
			}
		}
	}

	hu_fixture {
		if (have_dev)
			hu_scenario_cleanup(&dev);
	}
}
