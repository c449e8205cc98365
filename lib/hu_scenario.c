// SPDX-License-Identifier: MIT
/* hu_scenario: the scenario engine (see hu_scenario.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hu_drm.h"
#include "hu_iommu_oracle.h"
#include "hu_tracefs.h"
#include "hu_kmod.h"
#include "hu_oracle.h"
#include "hu_scenario.h"
#include "hu_udev.h"

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
	.help = "  --iterations N    unplug/recover cycles per subtest (default 1;\n"
		"                    drm_hotunplug's stress: 5)\n"
		"  --jitter-ms N     random delay of 0..N ms before each trigger\n"
		"                    (default 0; drm_hotunplug's stress: 20)\n"
		"  --seed N          seed of patterns and jitter (default: IGT_SRANDOM,\n"
		"                    else the harness's seed), printed for replay\n",
	.handler = knob_handler,
};

/*
 * The harness seeds srandom() at start from IGT_SRANDOM (read with atoi())
 * or else from time(NULL), and prints it as "Using IGT_SRANDOM=%d". The
 * engine takes the same value, so that the printed one replays the run
 * under igt_runner (-e IGT_SRANDOM=N), where --seed cannot be passed.
 */
void hu_scenario_seed(void)
{
	const char *env = getenv("IGT_SRANDOM");
	const char *from = "--seed";

	if (!seed_given) {
		hu_knobs.seed = hu_random_seed();
		from = env ? "IGT_SRANDOM" : "the harness's IGT_SRANDOM (clock)";
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

	if (sc->name) {
		n = snprintf(buf, len, "%s", sc->name);
		return n < 0 || (size_t)n >= len || !valid_name(buf) ?
		       -EINVAL : 0;
	}
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
 * One record per device, keyed by its sysfs path: two binaries on two GPUs
 * (or one on several) never drop each other's records. Every change is a
 * read-modify-write under flock(); the last record out unlinks the file.
 */
#define STATE_FILE "/run/hu-drm-hotunplug.state"
#define STATE_MAGIC "hu-drm2"	/* "hu-drm1": one record, no owner */
#define STATE_LOCK_MS 5000
#define STATE_MAX 64

static const char *state_path = STATE_FILE;

void hu_scenario_state_path(const char *path)
{
	state_path = path ? path : STATE_FILE;
}

/* Opens and locks the file (a bounded wait), or -errno. */
static int state_lock(const char *path, bool create)
{
	for (int tries = 0; tries < 10; tries++) {
		long long end = hu_now_ms() + STATE_LOCK_MS;
		struct stat a, b;
		int fd;

		fd = open(path, O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0),
			  0600);
		if (fd < 0)
			return -errno;
		while (flock(fd, LOCK_EX | LOCK_NB)) {
			int err = errno;

			if (err != EWOULDBLOCK || hu_now_ms() > end) {
				close(fd);
				return err == EWOULDBLOCK ? -ETIMEDOUT : -err;
			}
			usleep(10000);
		}
		/* its last user may have unlinked it while we waited */
		if (!fstat(fd, &a) && !stat(path, &b) && a.st_ino == b.st_ino &&
		    a.st_dev == b.st_dev)
			return fd;
		close(fd);
		if (!create)
			return -ENOENT;
	}
	return -EAGAIN;
}

static bool state_valid(struct hu_scenario_state *r)
{
	if (strcmp(r->magic, STATE_MAGIC))
		return false;
	r->trigger[sizeof(r->trigger) - 1] = '\0';
	r->dev.syspath[sizeof(r->dev.syspath) - 1] = '\0';
	return r->dev.syspath[0] != '\0';
}

/* The valid records of the locked file, at most @max. */
static int state_read(int fd, struct hu_scenario_state *recs, int max)
{
	int n = 0;

	for (off_t off = 0; n < max; off += sizeof(*recs)) {
		ssize_t got = pread(fd, &recs[n], sizeof(*recs), off);

		if (got < 0)
			return -errno;
		if (got < (ssize_t)sizeof(*recs))
			break;		/* the end, or a torn tail */
		if (state_valid(&recs[n]))
			n++;
	}
	return n;
}

static int state_write(int fd, const char *path,
		       const struct hu_scenario_state *recs, int n)
{
	size_t len = n * sizeof(*recs);
	ssize_t done;

	if (!n)
		return unlink(path) ? -errno : 0;
	if (ftruncate(fd, 0))
		return -errno;
	done = pwrite(fd, recs, len, 0);
	if (done < 0)
		return -errno;
	return done == (ssize_t)len ? 0 : -EIO;
}

/* Removes @syspath's record from @recs; the new count. */
static int state_remove(struct hu_scenario_state *recs, int n,
			const char *syspath)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(recs[i].dev.syspath, syspath))
			recs[i--] = recs[--n];
	return n;
}

int hu_scenario_state_load(struct hu_scenario_state *recs, int max)
{
	int fd = state_lock(state_path, false), n;

	if (fd == -ENOENT)
		return 0;
	if (fd < 0)
		return fd;
	n = state_read(fd, recs, max);
	close(fd);
	return n;
}

int hu_scenario_state_add(const struct hu_device *dev, const char *trigger)
{
	struct hu_scenario_state *recs = calloc(STATE_MAX, sizeof(*recs));
	int fd, n, err;

	if (!recs)
		return -ENOMEM;
	fd = state_lock(state_path, true);
	if (fd < 0) {
		free(recs);
		return fd;
	}
	n = state_read(fd, recs, STATE_MAX);
	if (n >= 0) {
		n = state_remove(recs, n, dev->syspath);
		if (n == STATE_MAX)
			n--;	/* full of other devices: the oldest goes */
		memmove(&recs[1], &recs[0], n * sizeof(*recs));
		memset(&recs[0], 0, sizeof(*recs));
		memcpy(recs[0].magic, STATE_MAGIC, sizeof(STATE_MAGIC));
		hu_fmt(recs[0].trigger, sizeof(recs[0].trigger), "%s", trigger);
		recs[0].pid = getpid();
		recs[0].start = hu_proc_start_time(recs[0].pid);
		recs[0].dev = *dev;
		/* last in, first: the newest removal is listed first */
		err = state_write(fd, state_path, recs, n + 1);
	} else {
		err = n;
	}
	close(fd);
	free(recs);
	return err;
}

unsigned long long hu_proc_start_time(int pid)
{
	char path[64], buf[1024], *p;
	unsigned long long start = 0;
	FILE *f;
	size_t n;

	hu_fmt(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* the name (field 2) may hold spaces and ')': count from the last */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u "
			 "%*u %*u %*u %*d %*d %*d %*d %*d %*d %llu", &start) != 1)
		return 0;
	return start;
}

bool hu_scenario_state_owner_alive(const struct hu_scenario_state *r)
{
	return r->pid > 0 && r->start &&
	       hu_proc_start_time(r->pid) == r->start;
}

int hu_scenario_state_drop(const char *syspath)
{
	struct hu_scenario_state *recs = calloc(STATE_MAX, sizeof(*recs));
	int fd, n, err;

	if (!recs)
		return -ENOMEM;
	fd = state_lock(state_path, false);
	if (fd < 0) {
		free(recs);
		return fd == -ENOENT ? 0 : fd;
	}
	n = state_read(fd, recs, STATE_MAX);
	err = n < 0 ? n : state_write(fd, state_path, recs,
				      state_remove(recs, n, syspath));
	close(fd);
	free(recs);
	return err;
}

/* The record of the removal in flight, dropped once its device is back. */
static struct {
	char syspath[HU_PATH_MAX];	/* its key: @dev may be re-found */
	const struct hu_device *dev;
} saved;

static void save_state(const struct hu_device *dev, const struct hu_trigger *t)
{
	int err = hu_scenario_state_add(dev, t->name);

	if (err)
		hu_warn("cannot record the removal in %s: %s\n", state_path,
			strerror(-err));
	hu_fmt(saved.syspath, sizeof(saved.syspath), "%s", dev->syspath);
	saved.dev = dev;
}

static void clear_state(void)
{
	int err;

	if (!saved.dev)
		return;
	err = hu_scenario_state_drop(saved.syspath);
	if (err)
		hu_warn("cannot drop the record of %s from %s: %s\n",
			saved.syspath, state_path, strerror(-err));
	saved.dev = NULL;
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
		/* only the record of this device: another may still be away */
		if (saved.dev == dev)
			clear_state();
	}
}

void hu_scenario_repair_previous(void)
{
	struct hu_scenario_state *recs = calloc(STATE_MAX, sizeof(*recs));
	char line[256];
	int n;

	hu_assert(recs);
	n = hu_scenario_state_load(recs, STATE_MAX);
	if (n < 0)
		hu_warn("cannot read %s: %s\n", state_path, strerror(-n));
	for (int i = 0; i < n; i++) {
		struct hu_scenario_state *r = &recs[i];
		char key[sizeof(r->dev.syspath)];
		int err;

		if (hu_scenario_state_owner_alive(r)) {
			hu_info("%s is being removed by %s in running process "
				"%d: left to it\n", hu_device_str(&r->dev, line,
				sizeof(line)), r->trigger, r->pid);
			continue;
		}
		hu_info("a previous run was stopped with %s removed by %s: "
			"restoring it\n",
			hu_device_str(&r->dev, line, sizeof(line)), r->trigger);
		active.trigger = hu_trigger_find(r->trigger);
		/* the key: restore() may re-find the device elsewhere */
		hu_fmt(key, sizeof(key), "%s", r->dev.syspath);
		restore(&r->dev);	/* exits 112 if it cannot: kept */
		err = hu_scenario_state_drop(key);
		if (err)
			hu_warn("cannot drop the record of %s from %s: %s\n",
				key, state_path, strerror(-err));
	}
	active.trigger = NULL;
	free(recs);
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

/* The generic health check, then the row's driver check if it has one. */
static void health(const struct hu_device *dev, const struct hu_scenario *sc,
		   const char *when)
{
	char why[256] = "";

	hu_health_check(dev);
	hu_assert_f(!sc->health || !sc->health(dev, why, sizeof(why)),
		    "health check of %s %s: %s\n", dev->card, when, why);
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

/* HU_KEEP_REMOVED: leave the device away for inspection. */

int hu_scenario_restore_hint(const struct hu_device *dev,
			     const struct hu_trigger *t, char *buf, size_t len)
{
	char slot[32];

	if (t == &hu_trigger_remove)
		return hu_fmt(buf, len, "echo 1 > /sys/bus/pci/rescan");
	if (t == &hu_trigger_unbind)
		return hu_fmt(buf, len, "echo %s > /sys/bus/pci/drivers/%s/bind",
			      dev->pci_id.bdf, dev->pci_driver);
	if (t == &hu_trigger_busunbind)
		return hu_fmt(buf, len, "echo %s > /sys/bus/%s/drivers/%s/bind",
			      dev->name, dev->bus, dev->driver);
	if (t == &hu_trigger_slotoff) {
		/* a slot's address is the BDF without the function */
		hu_fmt(slot, sizeof(slot), "%s", dev->pci_id.bdf);
		if (strrchr(slot, '.'))
			*strrchr(slot, '.') = '\0';
		return hu_fmt(buf, len, "for s in /sys/bus/pci/slots/*; do "
			      "[ \"$(cat $s/address)\" = %s ] && "
			      "echo 1 > $s/power; done", slot);
	}
	if (t == &hu_trigger_rmmod)
		return hu_fmt(buf, len, "modprobe %s", dev->module);
	return hu_fmt(buf, len, "ask the VM host to add it back (QEMU "
		      "device_add)");
}

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
	char line[256], cmd[HU_PATH_MAX];
	int findings;

	step("HU_KEEP_REMOVED: leaving the device removed by %s\n", t->name);
	if (active.n)
		release_all();
	findings = active.findings +
		   hu_oracle_verdict(active.oracle, "leaving it removed");
	hu_scenario_restore_hint(dev, t, cmd, sizeof(cmd));
	if (findings)
		hu_warn("the kernel reported %d problems before (above)\n",
			findings);
	errno = 0;	/* no stale "Last errno" under the message */
	hu_abort("HU_KEEP_REMOVED: %s was left removed by %s on purpose. "
		 "Bring it back with: %s (or run %s again: it restores the "
		 "devices recorded in %s)\n",
		 hu_device_str(dev, line, sizeof(line)), t->name, cmd,
		 program_invocation_short_name, state_path);
}

static void cycle(struct hu_device *dev, const struct hu_scenario *sc,
		  int idle_refs)
{
	const struct hu_trigger *t = sc->trigger;
	bool late = sc->close == HU_CLOSE_LATE;
	int err;

	active.ctx = (struct hu_ctx){ .dev = dev, .trigger = t,
				      .stage = "acquire",
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

	active.ctx.stage = "before fire";
	for (int i = 0; i < active.n; i++)
		if (active.ops[i]->before_fire)
			active.ops[i]->before_fire(&active.ctx, active.priv[i]);
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
			health(dev, sc, "next to the held objects");
			probe_all("next to a new user");
		}
		close_all(late ? "late" : "early");
		check_refcnt(dev, idle_refs);
		step("firing %s with nothing held\n", t->name);
		err = t->fire_unheld(dev);
		hu_assert_f(!err, "%s after the last close failed: %s\n",
			    t->name, strerror(-err));
		if (keep_removed())
			leave_removed(dev, t);
		recover(dev, t);
		clear_state();
		health(dev, sc, "after the reload");
		return;
	}
	if (!late)
		close_all("early");
	if (keep_removed())
		leave_removed(dev, t);
	recover(dev, t);
	clear_state();
	health(dev, sc, "after recovery");
	if (late) {
		probe_all("after recovery");
		close_all("late");
		if (sc->health)	/* the driver's work after the last close */
			health(dev, sc, "after the late close");
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

/* @sc without the holders @dev does not support, each said. */
static void supported_only(const struct hu_device *dev,
			   const struct hu_scenario *sc, struct hu_scenario *own)
{
	*own = *sc;
	own->nholders = 0;
	for (int i = 0; i < sc->nholders; i++) {
		const struct hu_holder_ops *h = sc->holders[i];
		const char *why = h->unsupported ? h->unsupported(dev) : NULL;

		if (why)
			hu_info("without %s: %s\n", h->name, why);
		else
			own->holders[own->nholders++] = h;
	}
}

void hu_scenario_run(struct hu_device *dev, const struct hu_scenario *given)
{
	unsigned int iterations = given->iterations ? given->iterations : 1;
	const struct hu_scenario *sc = given;
	struct hu_scenario own;
	char name[128], why[256] = "";
	int idle = -1, findings;

	/* a failed subtest's leftovers first: the probes need the device */
	hu_require_f(geteuid() == 0, "hot-unplug needs root\n");
	hu_scenario_cleanup(dev);
	if (given->supported_holders_only) {
		supported_only(dev, given, &own);
		sc = &own;
	}
	hu_scenario_require(dev, sc);
	hu_set_timeout(SCENARIO_TIMEOUT_S * iterations, "hot-unplug scenario");
	hu_require_f(__hu_health_check(dev, why, sizeof(why)) == 0 &&
		     (!sc->health || sc->health(dev, why, sizeof(why)) == 0),
		     "%s is unhealthy before the test: %s\n", dev->card, why);
	hu_require_f(!sc->need_iommu_oracle ||
		     (dev->pci_id.bdf[0] && hu_iommu_has_group(dev->pci_id.bdf) &&
		      !iommu_oracle_in_use()),
		     "%s: no IOMMU group (or its oracle is in use): nothing "
		     "for the IOMMU-lifetime oracle\n", dev->name);
	if (dev->module[0])
		idle = hu_kmod_refcnt(dev->module);
	if (hu_scenario_name(name, sizeof(name), sc))
		snprintf(name, sizeof(name), "%s", sc->trigger->name);
	active.oracle = hu_oracle_arm(name);
	active.findings = 0;
	for (int i = 0; i < sc->nholders; i++)
		if (sc->holders[i]->kmsg_ignore)
			hu_oracle_ignore(active.oracle,
					 sc->holders[i]->kmsg_ignore);
	if (dev->pci_id.bdf[0] && hu_iommu_has_group(dev->pci_id.bdf) &&
	    !iommu_oracle_in_use()) {
		const char *devices[] = { dev->pci_id.bdf, NULL };
		int err;

		/* the IOMMU lifetime of the device's DMA mappings, too */
		active.iommu = __hu_iommu_oracle_arm(devices, 0, &err);
		if (!active.iommu)
			hu_info("IOMMU oracle not armed: %s\n", strerror(-err));
		hu_require_f(active.iommu || !sc->need_iommu_oracle,
			     "the IOMMU-lifetime oracle cannot be armed: %s\n",
			     strerror(-err));
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
