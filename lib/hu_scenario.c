// SPDX-License-Identifier: MIT
/* hu_scenario: the scenario engine (see hu_scenario.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hu_drm.h"
#include "hu_scenario.h"

#define SCENARIO_TIMEOUT_S 300

const char *const hu_close_names[HU_CLOSE_COUNT] = {
	[HU_CLOSE_EARLY] = "earlyclose",
	[HU_CLOSE_LATE] = "lateclose",
};

/* --- what a scenario holds, kept for cleanup after a failure ----------- */

static struct {
	const struct hu_trigger *trigger;	/* last trigger fired */
	struct hu_ctx ctx;
	int n;
	const struct hu_holder_ops *ops[HU_MAX_HOLDERS];
	void *priv[HU_MAX_HOLDERS];
	struct hu_oracle_set oracles;
	char scope[128];			/* the subtest's name */
	/* the row's and its holders' kmsg_ignore, NULL-ended */
	const char *ignore[HU_MAX_HOLDERS + 9];
} active;

static int release_all(void)
{
	int err = 0;

	for (int i = active.n - 1; i >= 0; i--) {
		int e = active.ops[i]->release(&active.ctx, active.priv[i]);

		if (e) {
			hu_warn("release of %s: %s\n", active.ops[i]->name,
				strerror(-e));
			err = err ? err : e;
		}
		free(active.priv[i]);
	}
	active.n = 0;
	return err;
}

void hu_scenario_cleanup(struct hu_device *dev)
{
	if (active.n) {
		hu_info("releasing %d holders left by a failed subtest\n",
			active.n);
		release_all();
	}
	hu_oracle_set_free(&active.oracles);
	if (dev) {
		hu_scenario_restore(dev, active.trigger);
		/* only the record of this device: another may still be away */
		__hu_scenario_state_end(dev);
	}
}

/* --- the run ---------------------------------------------------------- */

int hu_scenario_setup(struct hu_device *devs, int max, bool all)
{
	char line[256];
	int n;

	hu_require_f(geteuid() == 0, "hot-unplug needs root\n");
	hu_scenario_seed();	/* before anything draws from random() */
	/* a device a killed run left removed: back, or exit 112 */
	hu_scenario_repair_previous();
	n = hu_device_select(devs, max, all);
	for (int i = 0; i < n; i++)
		hu_info("device: %s\n", hu_device_str(&devs[i], line, sizeof(line)));
	return n;
}

void hu_scenario_require(const struct hu_device *dev,
			 const struct hu_scenario *sc)
{
	const char *why = hu_trigger_unsupported(sc->trigger, dev);

	hu_require_f(!why, "%s: %s\n", sc->trigger->name, why);
	for (int i = 0; i < sc->nholders; i++) {
		const struct hu_holder_ops *h = sc->holders[i];

		why = hu_holder_unsupported(h, dev);
		hu_require_f(!why, "%s: %s\n", h->name, why);
	}
}

static void step(const char *fmt, const char *arg)
{
	hu_debug(fmt, arg);
	hu_kmsg(7, fmt, arg);
}

/* Every armed oracle at @stage: it prints what it finds. */
static void at(enum hu_stage stage)
{
	hu_oracle_set_at(&active.oracles, stage);
}

static void probe_all(enum hu_stage stage)
{
	active.ctx.stage = stage;
	for (int i = 0; i < active.n; i++) {
		hu_debug("probing %s %s\n", active.ops[i]->name,
			 hu_stage_name(stage));
		active.ops[i]->probe(&active.ctx, active.priv[i]);
	}
}

static void close_all(const char *when)
{
	int err;

	step("closing everything held (%s)\n", when);
	err = release_all();
	hu_assert_f(!err, "%s close failed: %s\n", when, strerror(-err));
}

/* The generic health check, then the row's driver check if it has one. */
static void health(const struct hu_device *dev, const struct hu_scenario *sc,
		   const char *when)
{
	char why[256] = "";

	hu_health_check(dev);
	hu_assert_f(!sc->health || !sc->health(dev, why, sizeof(why)),
		    "health check of %s %s: %s\n", dev->card, when, why);
}

/*
 * Brings the device back and checks it. false: it comes back only with the
 * next boot (the trigger has ended the run after this subtest), so what
 * needs it is left out.
 */
static bool recover(struct hu_device *dev, const struct hu_scenario *sc,
		    const char *when)
{
	const struct hu_trigger *t = sc->trigger;
	char line[256];
	int err;

	step("recovering with %s\n", t->name);
	err = t->recover(dev);
	if (err == HU_BACK_NEXT_BOOT) {
		hu_info("%s is back only at the next boot: the checks of the "
			"new instance are left out\n", dev->name);
		return false;
	}
	if (err) {
		hu_warn("%s recovery failed: %s; trying every other way\n",
			t->name, strerror(-err));
		hu_scenario_restore(dev, t);	/* aborts if it cannot */
		hu_assert_f(!err, "%s recovery failed: %s\n", t->name,
			    strerror(-err));
	}
	hu_info("back: %s\n", hu_device_str(dev, line, sizeof(line)));
	__hu_scenario_state_end(dev);
	health(dev, sc, when);
	at(HU_STAGE_RECOVERED);
	return true;
}

/* HU_KEEP_REMOVED: leave the device away for inspection. */
static bool keep_removed(void)
{
	const char *e = getenv("HU_KEEP_REMOVED");

	return e && *e && strcmp(e, "0");
}

/*
 * Releases what is held (its final close may splat: judged and printed
 * first) and exits 112 with the device away and its record kept in the
 * state file, so that the next run brings it back too.
 */
__attribute__((noreturn))
static void leave_removed(struct hu_device *dev, const struct hu_trigger *t)
{
	char line[256], cmd[HU_PATH_MAX], failed[128];

	step("HU_KEEP_REMOVED: leaving the device removed by %s\n", t->name);
	if (active.n)
		release_all();
	at(HU_STAGE_LEFT_REMOVED);
	if (hu_oracle_set_fold(&active.oracles, failed, sizeof(failed)) ==
	    HU_FAIL)
		hu_warn("the oracles failed before (above): %s\n", failed);
	hu_scenario_restore_hint(dev, t, cmd, sizeof(cmd));
	errno = 0;	/* no stale "Last errno" under the message */
	hu_abort("HU_KEEP_REMOVED: %s was left removed by %s on purpose. "
		 "Bring it back with: %s (or run %s again: it restores the "
		 "devices recorded in %s)\n",
		 hu_device_str(dev, line, sizeof(line)), t->name, cmd,
		 program_invocation_short_name, hu_scenario_state_file());
}

static void acquire_all(const struct hu_scenario *sc, unsigned int jitter_ms)
{
	step("acquiring %s\n", sc->nholders ? "holders" : "nothing");
	for (int i = 0; i < sc->nholders; i++) {
		active.priv[i] = calloc(1, sc->holders[i]->priv_size);
		hu_assert(active.priv[i]);
		active.ops[i] = sc->holders[i];
		active.n = i + 1;
		sc->holders[i]->acquire(&active.ctx, active.priv[i]);
	}
	if (jitter_ms) {
		unsigned int us = random() % (jitter_ms * 1000u + 1);

		hu_debug("jitter: %u us before the trigger\n", us);
		usleep(us);
	}
}

/* One acquire, fire, close, recover cycle; false: the device stays away. */
static bool cycle(struct hu_device *dev, const struct hu_scenario *sc,
		  unsigned int jitter_ms)
{
	const struct hu_trigger *t = sc->trigger;
	bool late = sc->close == HU_CLOSE_LATE, back;
	int err;

	active.ctx = (struct hu_ctx){ .dev = dev, .trigger = t,
				      .stage = HU_STAGE_ACQUIRE,
				      .seed = (uint32_t)random() };
	acquire_all(sc, jitter_ms);
	/* the holders assert their work is still in flight */
	active.ctx.stage = HU_STAGE_BEFORE_FIRE;
	for (int i = 0; i < active.n; i++)
		if (active.ops[i]->before_fire)
			active.ops[i]->before_fire(&active.ctx, active.priv[i]);
	at(HU_STAGE_BEFORE_FIRE);

	step("firing %s\n", t->name);
	active.trigger = t;
	__hu_scenario_state_begin(dev, t);
	err = t->fire(dev);
	hu_assert_f(!err, "%s failed: %s\n", t->name,
		    err == -EPROTO ? "the module unloaded while held" :
		    strerror(-err));
	active.ctx.gone = t->removes;
	/* splats of the trigger itself are shown before any probe can fail */
	at(HU_STAGE_FIRED);
	probe_all(HU_STAGE_FIRED);

	if (!t->removes) {
		if (late) {
			health(dev, sc, "next to the held objects");
			probe_all(HU_STAGE_NEW_USER);
			at(HU_STAGE_NEW_USER);
		}
		close_all(late ? "late" : "early");
		at(HU_STAGE_RELEASED);
		step("firing %s with nothing held\n", t->name);
		err = t->fire_unheld(dev);
		hu_assert_f(!err, "%s after the last close failed: %s\n",
			    t->name, strerror(-err));
		if (keep_removed())
			leave_removed(dev, t);
		return recover(dev, sc, "after the reload");
	}
	if (!late)
		close_all("early");
	if (keep_removed())
		leave_removed(dev, t);
	back = recover(dev, sc, "after recovery");
	if (late) {
		if (back)
			probe_all(HU_STAGE_RECOVERED);
		/* not back: the late close still runs with the device gone */
		close_all("late");
		if (back && sc->health)	/* the driver's work after the last close */
			health(dev, sc, "after the late close");
	}
	at(HU_STAGE_RELEASED);
	return back;
}

/* @sc without the holders @dev does not support, each said. */
static void supported_only(const struct hu_device *dev,
			   const struct hu_scenario *sc, struct hu_scenario *own)
{
	*own = *sc;
	own->nholders = 0;
	for (int i = 0; i < sc->nholders; i++) {
		const struct hu_holder_ops *h = sc->holders[i];
		const char *why = hu_holder_unsupported(h, dev);

		if (why)
			hu_info("without %s: %s\n", h->name, why);
		else
			own->holders[own->nholders++] = h;
	}
}

/* The row's kernel log lines to ignore, then its holders'. */
static const char *const *kmsg_ignore(const struct hu_scenario *sc)
{
	int n = 0;

	for (int i = 0; sc->kmsg_ignore && sc->kmsg_ignore[i] && n < 8; i++)
		active.ignore[n++] = sc->kmsg_ignore[i];
	for (int i = 0; i < sc->nholders; i++)
		if (sc->holders[i]->kmsg_ignore)
			active.ignore[n++] = sc->holders[i]->kmsg_ignore;
	active.ignore[n] = NULL;
	return active.ignore;
}

/*
 * The row's oracles; with need_iommu_oracle, the IOMMU-lifetime one among
 * them and armed, or the subtest skips.
 */
static void arm_oracles(const struct hu_device *dev,
			const struct hu_scenario *sc, const struct hu_octx *octx)
{
	const struct hu_oracle_ops *ops[HU_MAX_ORACLES + 1];
	int n = sc->noracles;
	bool armed = false;
	const char *why;

	memcpy(ops, sc->oracles, n * sizeof(ops[0]));
	if (sc->need_iommu_oracle) {
		why = hu_oracle_unsupported(&hu_oracle_iommu, dev);
		hu_require_f(!why, "the IOMMU-lifetime oracle cannot watch "
			     "%s: %s\n", dev->name, why);
		for (int i = 0; !n && hu_oracles[i]; i++)
			ops[n++] = hu_oracles[i];	/* none named: all */
		for (int i = 0; i < n; i++)
			armed |= ops[i] == &hu_oracle_iommu;
		if (!armed && n < HU_MAX_ORACLES)
			ops[n++] = &hu_oracle_iommu;
	}
	hu_oracle_set_arm(&active.oracles, ops, n, octx);
	for (int i = 0; sc->need_iommu_oracle && i < active.oracles.n; i++)
		if (active.oracles.ops[i] == &hu_oracle_iommu)
			return;
	hu_require_f(!sc->need_iommu_oracle, "the IOMMU-lifetime oracle "
		     "cannot be armed (above)\n");
}

void hu_scenario_run(struct hu_device *dev, const struct hu_scenario *given)
{
	const struct hu_scenario *sc = given;
	unsigned int iterations, jitter_ms;
	struct hu_scenario own;
	enum hu_verdict verdict;
	struct hu_octx octx;
	char why[256] = "", failed[128];

	/* a failed subtest's leftovers first: the probes need the device */
	hu_scenario_cleanup(dev);
	if (given->supported_holders_only) {
		supported_only(dev, given, &own);
		sc = &own;
	}
	hu_scenario_require(dev, sc);
	hu_scenario_knobs_resolve(sc, &iterations, &jitter_ms);
	hu_set_timeout(SCENARIO_TIMEOUT_S * iterations, "hot-unplug scenario");
	hu_require_f(__hu_health_check(dev, why, sizeof(why)) == 0 &&
		     (!sc->health || sc->health(dev, why, sizeof(why)) == 0),
		     "%s is unhealthy before the test: %s\n", dev->card, why);
	if (hu_scenario_name(active.scope, sizeof(active.scope), sc))
		hu_fmt(active.scope, sizeof(active.scope), "%s",
		       sc->trigger->name);
	octx = (struct hu_octx){ .dev = dev, .trigger = sc->trigger,
				 .scope = active.scope, .cycles = iterations,
				 .kmsg_ignore = kmsg_ignore(sc) };
	arm_oracles(dev, sc, &octx);

	for (unsigned int i = 0; i < iterations; i++) {
		if (iterations > 1)
			hu_info("cycle %u of %u\n", i + 1, iterations);
		active.oracles.ctx.cycle = i;
		if (!cycle(dev, sc, jitter_ms)) {
			if (i + 1 < iterations)
				hu_info("cycles %u to %u left out: no device "
					"until the next boot\n", i + 2,
					iterations);
			break;
		}
	}

	at(HU_STAGE_END);
	hu_set_timeout(0, NULL);
	verdict = hu_oracle_set_fold(&active.oracles, failed, sizeof(failed));
	hu_oracle_set_free(&active.oracles);
	hu_assert_f(verdict != HU_FAIL, "the oracles found problems: %s "
		    "(above)\n", failed);
}
