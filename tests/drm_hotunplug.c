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

/*
 * ---- the matrix: subtest = trigger x holder x close -------------------
 * Every registered trigger (hu_triggers[], lib/hu_triggers.c) x every
 * generic holder (hu_holders[] without a driver, lib/hu_holders.c) x both
 * closes, every oracle armed (hu_oracles[]).
 */

static const enum hu_close closes[] = { HU_CLOSE_EARLY, HU_CLOSE_LATE };

#define STRESS_ITERATIONS 5
#define STRESS_JITTER_MS 20

/* --------------------------------------------------------------------- */

#define N(a) (int)(sizeof(a) / sizeof((a)[0]))

#define MAX_DEVICES 8

/* One device, or every match of a card=all filter, each in turn. */
static struct hu_device devs[MAX_DEVICES];
static int ndevs;

static void run(const struct hu_scenario *sc)
{
	hu_require_f(ndevs > 0, "no device\n");
	for (int i = 0; i < ndevs; i++)
		hu_scenario_run(&devs[i], sc);
}

hu_main_args(&hu_scenario_opts)
{
	char name[128];

	hu_fixture {
		ndevs = hu_scenario_setup(devs, MAX_DEVICES, true);
	}

	for (int t = 0; hu_triggers[t]; t++) {
		struct hu_scenario idle = { .trigger = hu_triggers[t] };

		/* with nothing held an unload just works: no rmmod-idle */
		if (hu_triggers[t]->removes) {
			hu_subtest(hu_scenario_subtest(&idle, name,
						       sizeof(name)))
				run(&idle);
		}
		for (int h = 0; hu_holders[h]; h++) {
			if (hu_holders[h]->driver)
				continue;	/* a driver's: its own binary */
			for (int c = 0; c < N(closes); c++) {
				struct hu_scenario sc = {
					.trigger = hu_triggers[t],
					.holders = { hu_holders[h] },
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
		for (int t = 0; hu_triggers[t]; t++) {
			hu_dynamic(hu_triggers[t]->name) {
				struct hu_scenario sc = {
					.trigger = hu_triggers[t],
					.close = HU_CLOSE_LATE,
					.iterations = STRESS_ITERATIONS,
					.jitter_ms = STRESS_JITTER_MS,
					.supported_holders_only = true,
				};

				for (int h = 0; hu_holders[h]; h++)
					if (!hu_holders[h]->driver &&
					    sc.nholders < HU_MAX_HOLDERS)
						sc.holders[sc.nholders++] =
							hu_holders[h];
				run(&sc);
			}
		}
	}

	hu_fixture {
		for (int i = 0; i < ndevs; i++)
			hu_scenario_cleanup(&devs[i]);
	}
}
