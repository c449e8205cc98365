// SPDX-License-Identifier: MIT
/*
 * drm_hotunplug: what the kernel does when a DRM device disappears while it
 * is in use, for any driver. Every subtest is one row of the matrix below,
 * run by the scenario engine (lib/hu_scenario.h): hold X, trigger Y, close
 * early or late, expect Z.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hu_core.h"
#include "hu_scenario.h"

HU_TEST_DESCRIPTION("Driver-generic DRM hot-unplug: remove, unbind, bus "
		    "unbind, slot power-off, module unload and external "
		    "removal, each with fds, mappings, dma-bufs, fences, a "
		    "child process and threads in flight; checks ENODEV, "
		    "no SIGBUS, data and fences, recovery with a real health "
		    "check, module references and the kernel log.");

/* ---- the matrix: subtest = trigger x holder x close ------------------ */

static const struct hu_trigger *const triggers[] = {
	&hu_trigger_remove,	/* PCI remove + rescan */
	&hu_trigger_unbind,	/* PCI driver unbind + bind */
	&hu_trigger_busunbind,	/* virtio bus unbind + bind */
	&hu_trigger_slotoff,	/* pciehp slot power off + on */
	&hu_trigger_rmmod,	/* module unload: EAGAIN while held */
	&hu_trigger_external,	/* VM host: QEMU device_del / device_add */
};

static const struct hu_holder_ops *const holders[] = {
	&hu_holder_fd,		/* idle card + render fds */
	&hu_holder_mmap,	/* dumb BO CPU mmap with a pattern */
	&hu_holder_dmabuf,	/* PRIME export, dma-buf mmap, SYNC */
	&hu_holder_import,	/* ... imported into vgem */
	&hu_holder_fence,	/* vgem fence: syncobj, sync_file, import */
	&hu_holder_child,	/* forked process with its own fds + maps */
	&hu_holder_hammer,	/* threads issuing ioctls */
	&hu_holder_readers,	/* threads reading sysfs, debugfs, fdinfo */
};

static const enum hu_close closes[] = { HU_CLOSE_EARLY, HU_CLOSE_LATE };

#define STRESS_ITERATIONS 5
#define STRESS_JITTER_MS 20

/* --------------------------------------------------------------------- */

#define N(a) (int)(sizeof(a) / sizeof((a)[0]))

#define MAX_DEVICES 8

/* One device, or every match of a card=all filter, each in turn. */
static struct hu_device devs[MAX_DEVICES];
static int ndevs;

static void run(struct hu_scenario *sc)
{
	hu_require_f(ndevs > 0, "no device\n");
	if (!sc->iterations)
		sc->iterations = hu_knobs.iterations;
	if (!sc->jitter_ms)
		sc->jitter_ms = hu_knobs.jitter_ms;
	for (int i = 0; i < ndevs; i++)
		hu_scenario_run(&devs[i], sc);
}

hu_main_args(&hu_scenario_opts)
{
	char name[128];

	hu_fixture {
		ndevs = hu_scenario_setup(devs, MAX_DEVICES, true);
	}

	for (int t = 0; t < N(triggers); t++) {
		struct hu_scenario idle = { .trigger = triggers[t] };

		/* with nothing held an unload just works: no rmmod-idle */
		if (triggers[t]->removes) {
			hu_subtest(hu_scenario_subtest(&idle, name,
						       sizeof(name)))
				run(&idle);
		}
		for (int h = 0; h < N(holders); h++) {
			for (int c = 0; c < N(closes); c++) {
				struct hu_scenario sc = {
					.trigger = triggers[t],
					.holders = { holders[h] },
					.nholders = 1,
					.close = closes[c],
				};

				hu_subtest(hu_scenario_subtest(&sc, name,
							       sizeof(name)))
					run(&sc);
			}
		}
	}

	hu_describe("Repeated unplug/recover cycles (--iterations, default 5) "
		    "with every holder acquired and released late, a random "
		    "delay before each trigger (--jitter-ms, default 20), one "
		    "dynamic subtest per trigger.");
	hu_subtest_with_dynamic("stress") {
		for (int t = 0; t < N(triggers); t++) {
			hu_dynamic(triggers[t]->name) {
				struct hu_scenario sc = {
					.trigger = triggers[t],
					.close = HU_CLOSE_LATE,
					.iterations = hu_knobs.iterations ?
						hu_knobs.iterations : STRESS_ITERATIONS,
					.jitter_ms = hu_knobs.jitter_ms ?
						hu_knobs.jitter_ms : STRESS_JITTER_MS,
					.supported_holders_only = true,
				};

				for (int h = 0; h < N(holders); h++)
					sc.holders[sc.nholders++] = holders[h];
				run(&sc);
			}
		}
	}

	hu_fixture {
		for (int i = 0; i < ndevs; i++)
			hu_scenario_cleanup(&devs[i]);
	}
}
