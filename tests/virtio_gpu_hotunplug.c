// SPDX-License-Identifier: MIT
/*
 * virtio_gpu_hotunplug: virtio-gpu going away with work in flight on
 * DMA-mapped guest pages (transfers from several threads, mmaps, exported
 * dma-bufs), closed before or after recovery, with the IOMMU-lifetime
 * oracle armed when the device sits in an IOMMU group. Every subtest is a
 * row of the matrix below, run by the scenario engine (lib/hu_scenario.h):
 * one unplug/recover cycle, or --iterations N of them with a random delay of
 * 0..--jitter-ms before each trigger; one IOMMU verdict over all of them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hu_core.h"
#include "hu_iommu_oracle.h"
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

/* --------------------------------------------------------------------- */

#define N(a) (int)(sizeof(a) / sizeof((a)[0]))

static struct hu_device dev;
static bool have_dev;
static struct hu_iommu_oracle *oracle;

static void run(struct hu_scenario *sc)
{
	const char *bdf = dev.pci_id.bdf;
	int err = 0, failures;

	hu_require_f(have_dev, "no virtio-gpu device\n");
	hu_scenario_require(&dev, sc);
	sc->iterations = hu_knobs.iterations;	/* 0: one cycle */
	sc->jitter_ms = hu_knobs.jitter_ms;
	hu_iommu_oracle_free(oracle);	/* a failed subtest may leave it */
	oracle = NULL;
	if (bdf[0] && hu_iommu_has_group(bdf)) {
		const char *devs[] = { bdf, NULL };

		/* HU_IOMMU_KPROBES=1: the fallbacks of kernels without
		 * the dma events, even where they exist */
		oracle = __hu_iommu_oracle_arm(devs,
				getenv("HU_IOMMU_KPROBES") ?
				HU_IOMMU_FORCE_KPROBES : 0, &err);
		if (oracle)
			hu_info("IOMMU oracle armed on %s: %s\n", bdf,
				hu_iommu_oracle_probes(oracle));
		else
			hu_info("IOMMU oracle not armed: %s\n", strerror(-err));
	} else {
		hu_info("%s is in no IOMMU group: IOMMU oracle not armed\n",
			bdf[0] ? bdf : dev.name);
	}
	hu_vgpu_iommu_begin(oracle, bdf, sc->trigger != &hu_trigger_remove,
			    sc->iterations);

	hu_scenario_run(&dev, sc);

	/* with nothing held no release took the verdict: take it now */
	if (oracle && !sc->nholders &&
	    hu_iommu_oracle_verdict(oracle, "after recovery") >= 0) {
		const struct hu_iommu_report *r = hu_iommu_oracle_report(oracle);

		failures = r->count[HU_IOMMU_UNMAP_AFTER_LEAVE] +
			   r->count[HU_IOMMU_MAPPED_AT_LEAVE] +
			   r->count[HU_IOMMU_DMA_DEBUG];
	} else {
		failures = hu_vgpu_iommu_failures();
	}
	hu_iommu_oracle_free(oracle);
	oracle = NULL;
	hu_assert_f(failures <= 0, "the IOMMU oracle found %d DMA mapping "
		    "lifetime problems (above)\n", failures);
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
		hu_iommu_oracle_free(oracle);
		if (have_dev)
			hu_scenario_cleanup(&dev);
	}
}
