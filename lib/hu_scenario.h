/* SPDX-License-Identifier: MIT */
/*
 * hu_scenario: the engine every hot-unplug subtest runs.
 *
 *	arm oracles -> { acquire holders -> [jitter] -> BEFORE_FIRE ->
 *	TRIGGER -> FIRED, probe holders -> early close -> recover ->
 *	health check -> RECOVERED, probe again, late close -> RELEASED }
 *	x iterations -> END -> fold the oracles' verdicts
 *
 * The capitals are the stages (hu_part.h) every armed oracle is called at
 * (hu_oracles.h). The oracles are armed first on purpose: the IOMMU
 * oracle sees no mapping made before it was armed, and a splat while
 * acquiring counts too.
 *
 * For a trigger that does not remove the device while it is held (rmmod),
 * the middle is: unload refused -> probe (all still works) -> [late: health
 * check next to the held objects, probe again] -> close -> unload works ->
 * load -> health check.
 *
 * Oracles: those the scenario names (none named: every registered one);
 * each one that cannot watch the device (the IOMMU oracle without an IOMMU
 * group, DMA-API debug without CONFIG_DMA_API_DEBUG...) is left out, said.
 * Any oracle failing fails the subtest once the scenario is over.
 *
 * A subtest is a row: trigger x holders x close timing, and its name is
 * composed from the parts: "remove-mmap-lateclose". The device is restored
 * after every subtest (hu_scenario_cleanup() also runs before the next one
 * and at exit); if it cannot be, the binary exits 112 so igt_runner stops.
 *
 * HU_KEEP_REMOVED=1 (off by default, for a kernel developer) leaves the
 * device away after the first removal: held objects are closed, the
 * oracles' verdicts are printed, and the binary exits 112 saying it did so on purpose
 * and how to bring the device back (hu_scenario_restore_hint(); the state
 * file keeps its record, so the next run restores it too). For rmmod, the
 * removal is the unload after the last close.
 */
#ifndef HU_SCENARIO_H
#define HU_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hu_core.h"
#include "hu_device.h"
#include "hu_holder.h"
#include "hu_oracles.h"
#include "hu_trigger.h"

#define HU_MAX_HOLDERS 12

enum hu_close {
	HU_CLOSE_EARLY,		/* before recovery */
	HU_CLOSE_LATE,		/* after the new instance's health check */
	HU_CLOSE_COUNT,
};
extern const char *const hu_close_names[HU_CLOSE_COUNT];

struct hu_scenario {
	const struct hu_trigger *trigger;
	const struct hu_holder_ops *holders[HU_MAX_HOLDERS];
	int nholders;
	enum hu_close close;
	/* the oracles to arm; none named: every one in hu_oracles[] */
	const struct hu_oracle_ops *oracles[HU_MAX_ORACLES];
	int noracles;
	/* kernel log lines the kmsg oracle ignores (EREs, NULL-ended) */
	const char *const *kmsg_ignore;
	/* the row's defaults; --iterations / --jitter-ms override them */
	unsigned int iterations;	/* unplug/recover cycles; 0: 1 */
	unsigned int jitter_ms;		/* random delay before each trigger */
	/* drop the holders a device does not support instead of skipping */
	bool supported_holders_only;
	/* the subtest name when not composed from the parts (NULL: composed) */
	const char *name;
	/*
	 * Optional: the driver's own health check (real work, e.g. blitter
	 * copies), run after the generic one: before the test (skips if it
	 * fails), after every recovery and after a late close. 0 or -errno
	 * with the reason in @why.
	 */
	int (*health)(const struct hu_device *dev, char *why, size_t len);
	/* skip unless the IOMMU-lifetime oracle can be armed (it is added) */
	bool need_iommu_oracle;
};

/* Knobs of --iterations, --jitter-ms, --seed (hu_scenario_opts). */
struct hu_knobs {
	unsigned int iterations;	/* 0: each subtest's own default */
	unsigned int jitter_ms;
	uint32_t seed;
};
extern struct hu_knobs hu_knobs;
extern const struct hu_opts hu_scenario_opts;
/*
 * Seeds the generator and prints the seed with how to replay it. The seed:
 * --seed N, else the harness's (hu_random_seed(): IGT_SRANDOM, else the
 * clock, printed as "Using IGT_SRANDOM=N"), so IGT_SRANDOM=N replays a run
 * either way. Called first in the fixture.
 */
void hu_scenario_seed(void);
/*
 * The cycles and jitter @sc runs with: the knob if given, else the
 * scenario's own value (iterations: else 1). The engine's only reading.
 */
void hu_scenario_knobs_resolve(const struct hu_scenario *sc,
			       unsigned int *iterations, unsigned int *jitter_ms);

/*
 * The fixture of a binary built on the engine: root required (the only
 * root check: parts need it all), seed, repair of what a killed run left
 * removed (or exit 112), then hu_device_select() with each device printed.
 * Returns the count.
 */
int hu_scenario_setup(struct hu_device *devs, int max, bool all);

/*
 * "<trigger>[-<holder>...][-<close>]" ("idle" with no holders, no close
 * part); -EINVAL if the result is not [A-Za-z0-9_-]+ or does not fit.
 */
int hu_scenario_name(char *buf, size_t len, const struct hu_scenario *sc);
/* A one-paragraph description for --describe. */
const char *hu_scenario_describe(char *buf, size_t len,
				 const struct hu_scenario *sc);
/*
 * For hu_subtest(): composes @sc's name into @name and makes its description
 * the next subtest's (hu_describe; a static buffer, read by the very next
 * subtest). A name that does not compose is the binary's bug: exits 79.
 */
const char *hu_scenario_subtest(const struct hu_scenario *sc, char *name,
				size_t len);

/* Skips (with the reason) unless @sc's trigger and holders can act on @dev. */
void hu_scenario_require(const struct hu_device *dev,
			 const struct hu_scenario *sc);

/* Runs @sc on @dev: asserts every check; aborts if @dev cannot come back. */
void hu_scenario_run(struct hu_device *dev, const struct hu_scenario *sc);

/*
 * Releases what a failed scenario left held and brings @dev back.
 * Exits 112 if it cannot.
 */
void hu_scenario_cleanup(struct hu_device *dev);

/*
 * Repairs what a killed run left behind: a removal in progress is recorded
 * in /run/hu-drm-hotunplug.state at the trigger (one record per device,
 * with the run that made it) and dropped at recovery; every record still
 * there whose run is gone is a device brought back now, and its record
 * dropped (or exit 112, the record kept). Records of a run still going
 * (another binary on another GPU) are left alone.
 * Call it before selecting the device.
 */
void hu_scenario_repair_previous(void);

/*
 * The command that brings @dev back after @t removed it, for a human:
 * "echo 1 > /sys/bus/pci/rescan", a bind, a slot power-on, modprobe (the
 * trigger's restore_hint). Returns what hu_fmt() returns (-ENAMETOOLONG:
 * @buf too small, left empty).
 */
int hu_scenario_restore_hint(const struct hu_device *dev,
			     const struct hu_trigger *t, char *buf, size_t len);

/*
 * Brings @dev back if it is away (@last: the trigger that removed it, if
 * known), or exits 112 saying it could not.
 */
void hu_scenario_restore(struct hu_device *dev, const struct hu_trigger *last);

/* --- the state file (lib/hu_scenario_state.c; its file logic unit-tested) */

/* The engine's record of a removal in flight: at the trigger, at recovery. */
void __hu_scenario_state_begin(const struct hu_device *dev,
			       const struct hu_trigger *t);
/* Drops the record begun for @dev, if any (another device's stays). */
void __hu_scenario_state_end(const struct hu_device *dev);
/* Where the records are kept (for messages). */
const char *hu_scenario_state_file(void);

struct hu_scenario_state {
	char magic[8];		/* "hu-drm2" */
	char trigger[32];	/* what removed it */
	int pid;		/* the run that did, and when it started */
	unsigned long long start;	/* (/proc/PID/stat field 22) */
	struct hu_device dev;	/* keyed by dev.syspath */
};

/* Another file than /run/hu-drm-hotunplug.state (NULL: that one again). */
void hu_scenario_state_path(const char *path);
/* Records @dev as removed by @trigger, replacing its own record: 0/-errno. */
int hu_scenario_state_add(const struct hu_device *dev, const char *trigger);
/* Drops the record of @syspath only; the last one unlinks the file. */
int hu_scenario_state_drop(const char *syspath);
/* The valid records (newest first), at most @max: count or -errno. */
int hu_scenario_state_load(struct hu_scenario_state *recs, int max);
/*
 * Is the run that wrote @r still running (same pid, same start time)? Its
 * removal is then in progress, not left behind: repair leaves it alone.
 */
bool hu_scenario_state_owner_alive(const struct hu_scenario_state *r);
/* Start time of @pid in clock ticks since boot, 0 if there is no such process. */
unsigned long long hu_proc_start_time(int pid);

#endif /* HU_SCENARIO_H */
