// SPDX-License-Identifier: MIT
/* hu_scenario: the scenario engine (see hu_scenario.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hu_drm.h"
#include "hu_iommu_oracle.h"
#include "hu_tracefs.h"
#include "hu_kmod.h"
#include "hu_oracle.h"
#include "hu_scenario.h"

#define SCENARIO_TIMEOUT_S 300

const char *const hu_close_names[HU_CLOSE_COUNT] = {
	[HU_CLOSE_EARLY] = "earlyclose",
	[HU_CLOSE_LATE] = "lateclose",
};

/* --- knobs ------------------------------------------------------------ */

struct hu_knobs hu_knobs;
static bool seed_given;

enum { OPT_ITERATIONS = 300, OPT_JITTER, OPT_SEED };

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 0);
	return errno || end == s || *end || *out > max || s[0] == '-' ? -1 : 0;
}

static int knob_handler(int opt, const char *arg, void *data)
{
	const char *name = opt == OPT_ITERATIONS ? "--iterations" :
			   opt == OPT_JITTER ? "--jitter-ms" : "--seed";
	unsigned long v;

	if (parse_uint(arg, opt == OPT_SEED ? 0xffffffffu : 1000000, &v) ||
	    (opt == OPT_ITERATIONS && v == 0)) {
		fprintf(stderr, "%s: bad value '%s' (%s)\n", name, arg,
			opt == OPT_SEED ? "0..4294967295" :
			opt == OPT_ITERATIONS ? "1..1000000" : "0..1000000");
		return -1;
	}
	switch (opt) {
	case OPT_ITERATIONS:
		hu_knobs.iterations = v;
		return 0;
	case OPT_JITTER:
		hu_knobs.jitter_ms = v;
		return 0;
	case OPT_SEED:
		hu_knobs.seed = v;
		seed_given = true;
		return 0;
	}
	return -1;
}

static const struct option knob_opts[] = {
	{ "iterations", required_argument, NULL, OPT_ITERATIONS },
	{ "jitter-ms", required_argument, NULL, OPT_JITTER },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ 0 },
};

const struct hu_opts hu_scenario_opts = {
	.short_opts = "",
	.long_opts = knob_opts,
	.help = "  --iterations N    unplug/recover cycles per subtest (stress: default 5)\n"
		"  --jitter-ms N     random delay of 0..N ms before each trigger\n"
		"  --seed N          seed of patterns and jitter (default: IGT_SRANDOM,\n"
		"                    else the harness's seed), printed for replay\n",
	.handler = knob_handler,
};

int hu_scenario_seed_find(long first, long second, uint32_t now,
			  unsigned int window, uint32_t *seed)
{
	for (unsigned int back = 0; back <= window && back <= now; back++) {
		srandom(now - back);
		if (random() == first && random() == second) {
			*seed = now - back;
			return 0;
		}
	}
	return -ENOENT;
}

/*
 * The harness seeds srandom() at start from IGT_SRANDOM (read with atoi())
 * or else from time(NULL), and prints it as "Using IGT_SRANDOM=%d". The
 * engine takes the same value, so that the printed one replays the run
 * under igt_runner (-e IGT_SRANDOM=N), where --seed cannot be passed.
 */
#define HARNESS_SEED_WINDOW_S 600

void hu_scenario_seed(void)
{
	const char *env = getenv("IGT_SRANDOM");
	const char *from = "--seed";

	if (!seed_given && env) {
		hu_knobs.seed = (unsigned int)atoi(env);	/* as the harness */
		from = "IGT_SRANDOM";
	} else if (!seed_given) {
		/* nothing drew from the generator since the harness seeded it */
		long first = random(), second = random();
		uint32_t now = (uint32_t)time(NULL);

		from = "the harness's IGT_SRANDOM";
		if (hu_scenario_seed_find(first, second, now,
					  HARNESS_SEED_WINDOW_S,
					  &hu_knobs.seed)) {
			struct timespec ts;

			clock_gettime(CLOCK_REALTIME, &ts);
			hu_knobs.seed = (uint32_t)(ts.tv_sec ^ ts.tv_nsec ^
						   getpid());
			from = "the clock: not the IGT_SRANDOM printed above";
		}
	}
	srandom(hu_knobs.seed);
	hu_info("Using seed %u from %s (replay: IGT_SRANDOM=%d, e.g. "
		"igt_runner -e IGT_SRANDOM=%d, or --seed %u)\n",
		hu_knobs.seed, from, (int)hu_knobs.seed, (int)hu_knobs.seed,
		hu_knobs.seed);
}

/* --- names ------------------------------------------------------------ */

static bool valid_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!(('a' <= *s && *s <= 'z') || ('A' <= *s && *s <= 'Z') ||
		      ('0' <= *s && *s <= '9') || *s == '_' || *s == '-'))
			return false;
	return true;
}

int hu_scenario_name(char *buf, size_t len, const struct hu_scenario *sc)
{
	size_t off;
	int n;

	n = snprintf(buf, len, "%s", sc->trigger->name);
	if (!sc->nholders)
		n = snprintf(buf, len, "%s-idle", sc->trigger->name);
	for (int i = 0; i < sc->nholders && n >= 0 && (size_t)n < len; i++) {
		off = strlen(buf);
		n = snprintf(buf + off, len - off, "-%s", sc->holders[i]->name);
	}
	if (sc->nholders && n >= 0 && (size_t)n < len) {
		off = strlen(buf);
		n = snprintf(buf + off, len - off, "-%s",
			     hu_close_names[sc->close]);
	}
	if (n < 0 || (size_t)n >= len || !valid_name(buf))
		return -EINVAL;
	return 0;
}

/*
 * What the row checks, per kind of trigger: see cycle(). A trigger that
 * removes the device must leave held fds saying ENODEV; rmmod is refused
 * while anything is held, so everything held must keep working.
 */
const char *hu_scenario_describe(char *buf, size_t len,
				 const struct hu_scenario *sc)
{
	bool late = sc->close == HU_CLOSE_LATE;
	size_t off;

	snprintf(buf, len, "Trigger: %s.", sc->trigger->desc);
	for (int i = 0; i < sc->nholders; i++) {
		off = strlen(buf);
		snprintf(buf + off, len - off, "%s%s", i ? "; " : " Held: ",
			 sc->holders[i]->desc);
	}
	off = strlen(buf);
	if (!sc->nholders)
		snprintf(buf + off, len - off,
			 " Nothing held. Checks: %s, health check with real "
			 "work, module refcount back to idle, no kernel splat "
			 "or taint.",
			 sc->trigger->removes ? "nodes go and come back" :
			 "the unload works, load brings the nodes back");
	else if (sc->trigger->removes)
		snprintf(buf + off, len - off,
			 ". Closed %s. Checks: the nodes go; each held object "
			 "is probed (held fds give ENODEV, mappings raise no "
			 "SIGBUS, exported data and fences survive)%s; nodes "
			 "come back, health check with real work, module "
			 "refcount back to idle, no kernel splat or taint.",
			 late ? "after the new instance's health check" :
				"before recovery",
			 late ? ", and again after recovery (still ENODEV, "
				"not the new instance)" : "");
	else
		snprintf(buf + off, len - off,
			 ". Closed %s. Checks: the unload is refused "
			 "(EAGAIN/EBUSY) and nothing goes away; each held "
			 "object is probed and still works (held fds answer "
			 "ioctls, mappings keep their data, fences signal)%s; "
			 "after the last close the module refcount is back to "
			 "idle and the unload works; load brings the nodes "
			 "back, health check with real work, no kernel splat "
			 "or taint.",
			 late ? "after a health check next to them" :
				"right after the refused unload",
			 late ? ", and again after that health check" : "");
	return buf;
}

const char *hu_scenario_subtest(const struct hu_scenario *sc, char *name,
				size_t len)
{
	static char desc[1024];

	if (hu_scenario_name(name, len, sc)) {
		hu_critical("bad subtest name for %s\n", sc->trigger->name);
		exit(HU_EXIT_INVALID);
	}
	hu_describe(hu_scenario_describe(desc, sizeof(desc), sc));
	return name;
}

/*
 * A removal in progress is written down, so that a run killed between the
 * trigger and the recovery (timeout, crash) is repaired by the next one.
 */
#define STATE_FILE "/run/hu-drm-hotunplug.state"

struct saved_state {
	char magic[8];
	char trigger[32];
	struct hu_device dev;
};

static void save_state(const struct hu_device *dev, const struct hu_trigger *t)
{
	struct saved_state st = { .magic = "hu-drm1" };
	FILE *f = fopen(STATE_FILE, "w");

	if (!f)
		return;
	hu_fmt(st.trigger, sizeof(st.trigger), "%s", t->name);
	st.dev = *dev;
	if (fwrite(&st, sizeof(st), 1, f) != 1)
		hu_debug("cannot save %s\n", STATE_FILE);
	fclose(f);
}

static void clear_state(void)
{
	unlink(STATE_FILE);
}

/* --- what a scenario holds, kept for cleanup after a failure ----------- */

static struct {
	const struct hu_trigger *trigger;	/* last trigger fired */
	struct hu_ctx ctx;
	int n;
	const struct hu_holder_ops *ops[HU_MAX_HOLDERS];
	void *priv[HU_MAX_HOLDERS];
	struct hu_oracle *oracle;
	struct hu_iommu_oracle *iommu;	/* when the device has an IOMMU group */
	int findings;
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

static void restore(struct hu_device *dev)
{
	char line[256];
	int err;

	if (hu_device_present(dev) || hu_device_refresh(dev) == 0)
		return;
	err = hu_trigger_restore(dev, active.trigger);
	if (err)
		hu_abort("device %s could not be restored: %s\n",
			 hu_device_str(dev, line, sizeof(line)), strerror(-err));
	hu_info("restored %s\n", hu_device_str(dev, line, sizeof(line)));
}

void hu_scenario_cleanup(struct hu_device *dev)
{
	if (active.n) {
		hu_info("releasing %d holders left by a failed subtest\n",
			active.n);
		release_all();
	}
	hu_oracle_free(active.oracle);
	active.oracle = NULL;
	hu_iommu_oracle_free(active.iommu);
	active.iommu = NULL;
	if (dev) {
		restore(dev);
		clear_state();
	}
}

void hu_scenario_repair_previous(void)
{
	struct saved_state st;
	char line[256];
	FILE *f = fopen(STATE_FILE, "r");
	bool ok;

	if (!f)
		return;
	ok = fread(&st, sizeof(st), 1, f) == 1 && !strcmp(st.magic, "hu-drm1");
	fclose(f);
	clear_state();
	if (!ok)
		return;
	st.trigger[sizeof(st.trigger) - 1] = '\0';
	hu_info("a previous run was stopped with %s removed by %s: restoring it\n",
		hu_device_str(&st.dev, line, sizeof(line)), st.trigger);
	active.trigger = hu_trigger_find(st.trigger);
	restore(&st.dev);	/* exits 112 if it cannot */
}

/* --- the run ---------------------------------------------------------- */

void hu_scenario_require(const struct hu_device *dev,
			 const struct hu_scenario *sc)
{
	const char *why;

	hu_require_f(geteuid() == 0, "hot-unplug needs root\n");
	why = sc->trigger->unsupported ? sc->trigger->unsupported(dev) : NULL;
	hu_require_f(!why, "%s: %s\n", sc->trigger->name, why);
	for (int i = 0; i < sc->nholders; i++) {
		const struct hu_holder_ops *h = sc->holders[i];

		why = h->unsupported ? h->unsupported(dev) : NULL;
		hu_require_f(!why, "%s: %s\n", h->name, why);
	}
}

static void step(const char *fmt, const char *arg)
{
	hu_debug(fmt, arg);
	hu_kmsg(7, fmt, arg);
}

static void probe_all(const char *stage)
{
	active.ctx.stage = stage;
	for (int i = 0; i < active.n; i++) {
		hu_debug("probing %s %s\n", active.ops[i]->name, stage);
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

static void recover(struct hu_device *dev, const struct hu_trigger *t)
{
	char line[256];
	int err;

	step("recovering with %s\n", t->name);
	err = t->recover(dev);
	if (err) {
		hu_warn("%s recovery failed: %s; trying every other way\n",
			t->name, strerror(-err));
		restore(dev);	/* aborts if it cannot */
		hu_assert_f(!err, "%s recovery failed: %s\n", t->name,
			    strerror(-err));
	}
	hu_info("back: %s\n", hu_device_str(dev, line, sizeof(line)));
}

static void check_refcnt(const struct hu_device *dev, int idle)
{
	char holders[256];
	int now;

	if (idle < 0)
		return;
	now = hu_kmod_refcnt(dev->module);
	hu_info("module %s: %s (idle %d)\n", dev->module,
		hu_kmod_holders(dev->module, holders, sizeof(holders)), idle);
	hu_assert_f(now == idle, "module %s refcount %d after the last close, "
		    "idle was %d\n", dev->module, now, idle);
}

static void cycle(struct hu_device *dev, const struct hu_scenario *sc,
		  int idle_refs)
{
	const struct hu_trigger *t = sc->trigger;
	bool late = sc->close == HU_CLOSE_LATE;
	int err;

	active.ctx = (struct hu_ctx){ .dev = dev, .stage = "acquire",
				      .seed = (uint32_t)random() };
	step("acquiring %s\n", sc->nholders ? "holders" : "nothing");
	for (int i = 0; i < sc->nholders; i++) {
		active.priv[i] = calloc(1, sc->holders[i]->priv_size);
		hu_assert(active.priv[i]);
		active.ops[i] = sc->holders[i];
		active.n = i + 1;
		sc->holders[i]->acquire(&active.ctx, active.priv[i]);
	}
	if (sc->jitter_ms) {
		unsigned int us = random() % (sc->jitter_ms * 1000u + 1);

		hu_debug("jitter: %u us before the trigger\n", us);
		usleep(us);
	}

	step("firing %s\n", t->name);
	active.trigger = t;
	save_state(dev, t);
	err = t->fire(dev);
	hu_assert_f(!err, "%s failed: %s\n", t->name,
		    err == -EPROTO ? "the module unloaded while held" :
		    strerror(-err));
	active.ctx.gone = t->removes;
	/* splats of the trigger itself are shown before any probe can fail */
	active.findings += hu_oracle_verdict(active.oracle, "trigger");
	probe_all("after trigger");

	if (!t->removes) {
		if (late) {
			hu_health_check(dev);
			probe_all("next to a new user");
		}
		close_all(late ? "late" : "early");
		check_refcnt(dev, idle_refs);
		step("firing %s with nothing held\n", t->name);
		err = t->fire_unheld(dev);
		hu_assert_f(!err, "%s after the last close failed: %s\n",
			    t->name, strerror(-err));
		recover(dev, t);
		clear_state();
		hu_health_check(dev);
		return;
	}
	if (!late)
		close_all("early");
	recover(dev, t);
	clear_state();
	hu_health_check(dev);
	if (late) {
		probe_all("after recovery");
		close_all("late");
	}
	check_refcnt(dev, idle_refs);
}

/*
 * A test that arms the IOMMU oracle itself (virtio_gpu_hotunplug) owns it:
 * only one can be armed, and it lives in tracefs instances/hu-iommu.
 */
static bool iommu_oracle_in_use(void)
{
	const char *root = hu_tracefs_root();
	char path[HU_PATH_MAX];

	if (!root)
		return false;
	hu_fmt(path, sizeof(path), "%s/instances/hu-iommu", root);
	return access(path, F_OK) == 0;
}

void hu_scenario_run(struct hu_device *dev, const struct hu_scenario *sc)
{
	unsigned int iterations = sc->iterations ? sc->iterations : 1;
	char name[128], why[256] = "";
	int idle = -1, findings;

	hu_scenario_require(dev, sc);
	hu_scenario_cleanup(dev);
	hu_set_timeout(SCENARIO_TIMEOUT_S * iterations, "hot-unplug scenario");
	hu_require_f(__hu_health_check(dev, why, sizeof(why)) == 0,
		     "%s is unhealthy before the test: %s\n", dev->card, why);
	if (dev->module[0])
		idle = hu_kmod_refcnt(dev->module);
	if (hu_scenario_name(name, sizeof(name), sc))
		snprintf(name, sizeof(name), "%s", sc->trigger->name);
	active.oracle = hu_oracle_arm(name);
	active.findings = 0;
	if (dev->pci_id.bdf[0] && hu_iommu_has_group(dev->pci_id.bdf) &&
	    !iommu_oracle_in_use()) {
		const char *devices[] = { dev->pci_id.bdf, NULL };
		int err;

		/* the IOMMU lifetime of the device's DMA mappings, too */
		active.iommu = __hu_iommu_oracle_arm(devices, 0, &err);
		if (!active.iommu)
			hu_info("IOMMU oracle not armed: %s\n", strerror(-err));
	}

	for (unsigned int i = 0; i < iterations; i++) {
		if (iterations > 1)
			hu_info("cycle %u of %u\n", i + 1, iterations);
		cycle(dev, sc, idle);
	}

	findings = active.findings +
		   hu_oracle_verdict(active.oracle, "the end");
	hu_oracle_free(active.oracle);
	active.oracle = NULL;
	if (active.iommu) {
		int n = hu_iommu_oracle_verdict(active.iommu, "the end");

		findings += n > 0 ? n : 0;
		hu_iommu_oracle_free(active.iommu);
		active.iommu = NULL;
	}
	hu_set_timeout(0, NULL);
	hu_assert_f(!findings, "the kernel reported %d problems (above)\n",
		    findings);
}
