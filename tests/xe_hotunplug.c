// SPDX-License-Identifier: MIT
/*
 * xe_hotunplug: an Xe device goes away while applications keep it busy.
 *
 * Every subtest is one scenario:
 *
 *	health check -> hold fds, BOs, mmaps (+ dma-buf, userptrs) -> start
 *	the workload and a copy spinner on the blitter -> see it running ->
 *	TRIGGER -> probe what is held -> close (early, or late: after the new
 *	instance passed its health check) -> recover -> health check
 *
 * Names are trigger-workload-close: remove-copy-inflight removes the PCI
 * device while a copy runs and closes before recovery;
 * remove-lateclose-migrate closes the old fd after recovery (the sequence
 * of the Feb 2025 migrate bug). What must hold, by kernel version, comes
 * from lib/xe/xe_expect.c; docs/xe.md describes the whole thing.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hu_core.h"
#include "hu_device.h"
#include "hu_drm.h"
#include "hu_kmod.h"
#include "hu_oracle.h"
#include "hu_trigger.h"
#include "xe/xe_expect.h"
#include "xe/xe_ioctl.h"
#include "xe/xe_query.h"
#include "xe/xe_spin.h"
#include "xe/xe_work.h"

HU_TEST_DESCRIPTION("Hot-unplug of Xe devices with work in flight: copies, "
		    "migrations, evictions, userptrs, exported VRAM");

#define XE_DRIVER "xe"

/* Small sysfs/debugfs helpers for the wedged subtest's knobs. */
static int read_attr(const char *path, char *buf, size_t len)
{
	return hu_sysfs_read(path, buf, len);
}

static int write_attr(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	int err = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		err = -errno;
	close(fd);
	hu_debug("write '%s' > %s: %s\n", val, path, strerror(-err));
	return err;
}

/*
 * The Xe device to test, by sysfs only (no module loading, no device
 * access): the --device match, or the first DRM device whose driver is xe.
 * Returns NULL, or why there is none. A bad filter exits 79.
 */
static const char *find_xe(struct hu_device *out)
{
	static struct hu_device devs[16];
	static char why[192];
	const char *filter = hu_device_filter_string();
	char err[160] = "";
	/* Without a filter the scan gives one device; every Intel one here. */
	int n = hu_device_scan("/sys", filter ? filter : "pci:vendor=8086",
			       devs, 16, err, sizeof(err));

	if (n < 0) {
		hu_critical("--device '%s': %s\n", filter, err);
		exit(HU_EXIT_INVALID);
	}
	for (int i = 0; i < n; i++) {
		if (!strcmp(devs[i].driver, XE_DRIVER) && devs[i].render[0] &&
		    devs[i].pci_id.bdf[0]) {
			*out = devs[i];
			return NULL;
		}
	}
	snprintf(why, sizeof(why), "%s", n ?
		 "no DRM device bound to the xe driver among the matches" :
		 filter ? "no DRM device matches --device" :
		 "no Intel DRM device bound to the xe driver");
	return why;
}


#define SPIN_COPY	(256 * 1024)	/* bytes the spinner copies a loop */
#define BUF_SIZE	(1 << 20)
#define PROBE_SIZE	(64 * 1024)
#define FENCE_MS	10000		/* bound for fences after removal */

enum work {
	W_COPY,		/* one-shot copies checked, then a VRAM -> system spin */
	W_PREFETCH,	/* PREFETCH ping-pong on the migrate engine */
	W_EVICT,	/* VRAM overcommit, round-robin prefetch */
	W_USERPTR,	/* spinner copies malloc'd -> mmap'd userptr */
	W_DMABUF,	/* exported VRAM BO, mapped through the dma-buf */
	W_MIGRATE,	/* migrate work; the fd closed after recovery */
};

struct scenario {
	const char *name;
	const struct hu_trigger *trigger;
	enum work work;
	bool late_close;
	const char *desc;
};

static struct {
	bool ready;
	const char *skip;
	struct hu_device dev;
	uint32_t kver;
	const struct hu_trigger *last;	/* the last one fired */
	bool wedge_armed;	/* wedged_mode=2 set on the current instance */
} g;

struct run {
	const struct scenario *s;
	int fd;
	struct hu_xe_ctx ctx;
	struct hu_xe_buf src, dst, probe;
	struct hu_xe_spin spin;
	struct hu_xe_bg bg;
	int dmabuf;
	void *dmabuf_map;
	uint32_t seed;
	bool keep_dmabuf;	/* held across recovery, for the new instance */
	struct hu_oracle *oracle;
	int refcnt_before;
};

static void log_expect(enum hu_xe_expect_id id)
{
	const struct hu_xe_expect_row *r = hu_xe_expect_row(id);
	char since[16];

	hu_info("expect %s: %s on this kernel (%s%s; %s; %s)\n", r->name,
		hu_xe_verdict_name(hu_xe_expect(id, g.kver)),
		r->since ? "since " : "release not verified",
		r->since ? hu_kver_str(r->since, since, sizeof(since)) : "",
		r->commit, r->source);
}

static bool expected(enum hu_xe_expect_id id)
{
	return hu_xe_expect(id, g.kver) == HU_XE_EXPECT_YES;
}

static int open_render(const struct hu_device *d)
{
	int fd = open(d->render, O_RDWR | O_CLOEXEC);

	hu_assert_f(fd >= 0, "open %s: %s\n", d->render, strerror(errno));
	return fd;
}

/*
 * The health check: blitter copies between system, VRAM and a userptr
 * compared with their source, and a copy spinner that must start, stop
 * on request and leave the copied data behind.
 */
static void health_check(const struct hu_device *d, const char *when)
{
	const enum hu_xe_where best = HU_XE_AT_VRAM;
	static const enum hu_xe_where pairs[][2] = {
		{ HU_XE_AT_SYS, HU_XE_AT_VRAM },
		{ HU_XE_AT_VRAM, HU_XE_AT_SYS },
		{ HU_XE_AT_USERPTR_MALLOC, HU_XE_AT_SYS },
	};
	struct hu_xe_buf src, dst;
	struct hu_xe_spin spin;
	struct hu_xe_ctx ctx;
	char why[256];
	int fd = open_render(d), err;

	hu_xe_ctx_init(&ctx, fd, 0);
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		enum hu_xe_where from = pairs[i][0], to = pairs[i][1];

		if (!hu_xe_where_ok(&ctx.info, from))
			from = HU_XE_AT_SYS;
		if (!hu_xe_where_ok(&ctx.info, to))
			to = HU_XE_AT_SYS;
		err = hu_xe_copy_check(&ctx, from, to, BUF_SIZE, 0x4ea1 + i,
				       why, sizeof(why));
		hu_assert_f(err == 0, "health check %s: %s\n", when, why);
	}

	hu_xe_buf_bo(&ctx, &src, hu_xe_where_ok(&ctx.info, best) ?
		     HU_XE_MEM_VRAM : HU_XE_MEM_SYS, SPIN_COPY, false);
	hu_xe_buf_bo(&ctx, &dst, HU_XE_MEM_SYS, SPIN_COPY, false);
	hu_xe_fill(src.cpu, SPIN_COPY, 0x5917);
	memset(dst.cpu, 0, SPIN_COPY);
	hu_xe_spin_start(&ctx, &spin, &src, &dst, SPIN_COPY);
	hu_assert_f(hu_xe_spin_wait_started(&spin, 5000),
		    "health check %s: spinner did not start in 5 s\n", when);
	hu_xe_spin_stop(&spin);
	hu_assert_f(hu_xe_spin_wait(&spin, FENCE_MS) == 1,
		    "health check %s: spinner did not end cleanly\n", when);
	hu_assert_f(hu_xe_check(dst.cpu, SPIN_COPY, 0x5917) < 0,
		    "health check %s: spinner copy is wrong\n", when);
	hu_xe_spin_free(&spin);
	hu_xe_buf_free(&ctx, &dst);
	hu_xe_buf_free(&ctx, &src);
	hu_xe_ctx_fini(&ctx);
	hu_assert_f(close(fd) == 0, "close: %s\n", strerror(errno));
	hu_info("health check %s: ok (%s)\n", when,
		hu_xe_copy_cmd_name(ctx.copy_cmd));
}

/* What the sweep wants (0: not verified for this kernel) and saw. */
struct sweep {
	int want;
	int bad;
};

static void sweep_report(const char *ioctl, int err, void *data)
{
	struct sweep *sw = data;
	int want = hu_xe_sweep_want(ioctl, sw->want);

	if (want && err == -want) {
		hu_debug("after removal: %s -> %s\n", ioctl, strerror(want));
		return;
	}
	if (want)
		hu_warn("after removal: %s -> %s, want %s\n", ioctl,
			err ? strerror(-err) : "success", strerror(want));
	else
		hu_info("after removal: %s -> %s\n", ioctl,
			err ? strerror(-err) : "success");
	sw->bad += want != 0;
}

/* The errno the held fd gets now, per lib/xe/xe_expect.c. */
static int gone_errno(const struct run *r)
{
	return hu_xe_expect_errno(g.kver, r->s->trigger->removes ?
				  HU_XE_GONE_REMOVE : HU_XE_GONE_UNBIND,
				  g.wedge_armed);
}

/* Holds the buffers and starts the workload; the spinner comes last. */
static void setup_work(struct run *r)
{
	const struct hu_xe_info *info = &r->ctx.info;
	enum hu_xe_mem best = hu_xe_mem_best(info);
	char why[256];
	int err;

	/* A non-exported, mapped BO: its mapping must read zero afterwards. */
	hu_xe_buf_bo(&r->ctx, &r->probe, best, PROBE_SIZE, false);
	hu_xe_fill(r->probe.cpu, PROBE_SIZE, r->seed);

	switch (r->s->work) {
	case W_COPY:
		/* One-shot copies between every pair of placements, checked. */
		for (int from = HU_XE_AT_SYS; from <= HU_XE_AT_USERPTR_MMAP; from++) {
			for (int to = HU_XE_AT_SYS; to <= HU_XE_AT_USERPTR_MMAP;
			     to++) {
				if (!hu_xe_where_ok(info, from) ||
				    !hu_xe_where_ok(info, to))
					continue;
				err = hu_xe_copy_check(&r->ctx, from, to,
						       BUF_SIZE, r->seed + from,
						       why, sizeof(why));
				hu_assert_f(!err, "%s\n", why);
			}
		}
		hu_xe_buf_bo(&r->ctx, &r->src, best, BUF_SIZE, false);
		hu_xe_buf_bo(&r->ctx, &r->dst, HU_XE_MEM_SYS, BUF_SIZE, false);
		break;
	case W_PREFETCH:
	case W_EVICT:
	case W_MIGRATE:
		if (r->s->work != W_MIGRATE || hu_xe_has_vram(info)) {
			hu_require_f(hu_xe_has_vram(info), "%s needs VRAM; "
				     "this device has none\n",
				     hu_xe_bg_name(r->s->work == W_EVICT ?
						   HU_XE_BG_EVICT :
						   HU_XE_BG_PREFETCH));
			err = hu_xe_bg_prepare(&r->ctx, &r->bg,
					       r->s->work == W_EVICT ?
					       HU_XE_BG_EVICT : HU_XE_BG_PREFETCH,
					       8 << 20, hu_mem_available() / 2);
		} else {
			/* iGPU: no migration, keep the copy engine busy. */
			err = hu_xe_bg_prepare(&r->ctx, &r->bg, HU_XE_BG_COPY,
					       8 << 20, 0);
		}
		hu_require_f(err != -ENOSPC, "not enough free memory to "
			     "overcommit %" PRIu64 " MiB of VRAM\n",
			     hu_xe_visible_vram(info) >> 20);
		hu_assert_f(!err, "%s setup: %s\n", hu_xe_bg_name(r->bg.kind),
			    strerror(-err));
		hu_info("%s: %u BOs of %" PRIu64 " MiB\n",
			hu_xe_bg_name(r->bg.kind), r->bg.num_bufs,
			r->bg.bufs[0].size >> 20);
		err = hu_xe_bg_round(&r->bg, why, sizeof(why));
		hu_assert_f(!err, "%s before the trigger: %s\n",
			    hu_xe_bg_name(r->bg.kind), why);
		hu_xe_buf_bo(&r->ctx, &r->src, best, BUF_SIZE, false);
		hu_xe_buf_bo(&r->ctx, &r->dst, HU_XE_MEM_SYS, BUF_SIZE, false);
		break;
	case W_USERPTR:
		err = hu_xe_copy_check(&r->ctx, HU_XE_AT_USERPTR_MALLOC,
				       HU_XE_AT_USERPTR_MMAP, BUF_SIZE, r->seed,
				       why, sizeof(why));
		hu_assert_f(!err, "%s\n", why);
		hu_xe_buf_userptr(&r->ctx, &r->src, HU_XE_BUF_USERPTR_MALLOC,
				  BUF_SIZE);
		hu_xe_buf_userptr(&r->ctx, &r->dst, HU_XE_BUF_USERPTR_MMAP,
				  BUF_SIZE);
		break;
	case W_DMABUF:
		hu_require_f(hu_xe_has_vram(info),
			     "exporting VRAM needs VRAM; this device has none\n");
		hu_xe_buf_bo(&r->ctx, &r->src, HU_XE_MEM_VRAM, BUF_SIZE, true);
		hu_xe_buf_bo(&r->ctx, &r->dst, HU_XE_MEM_SYS, BUF_SIZE, false);
		err = __hu_xe_bo_export(r->fd, r->src.handle, &r->dmabuf);
		hu_assert_f(!err, "export: %s\n", strerror(-err));
		r->dmabuf_map = mmap(NULL, BUF_SIZE, PROT_READ, MAP_SHARED,
				     r->dmabuf, 0);
		hu_assert_f(r->dmabuf_map != MAP_FAILED, "mmap dma-buf: %s\n",
			    strerror(errno));
		break;
	}
	hu_xe_fill(r->src.cpu, BUF_SIZE, r->seed);
	memset(r->dst.cpu, 0, BUF_SIZE);
	if (r->s->work == W_DMABUF) {
		/* The pattern is visible through the dma-buf, before removal. */
		hu_assert_f(hu_xe_check(r->dmabuf_map, BUF_SIZE, r->seed) < 0,
			    "dma-buf mmap does not show the BO's data\n");
	}
}

/* Starts the spinner (and background work) and sees it running. */
static void start_inflight(struct run *r)
{
	hu_xe_spin_start(&r->ctx, &r->spin, &r->src, &r->dst, SPIN_COPY);
	hu_assert_f(hu_xe_spin_wait_started(&r->spin, 5000),
		    "spinner did not start within 5 s\n");
	if (r->bg.num_bufs) {
		int err = hu_xe_bg_start(&r->bg);

		hu_assert_f(!err, "background thread: %s\n", strerror(-err));
		/* In flight next to the spinner, not queued behind it. */
		hu_assert_f(hu_xe_bg_wait_progress(&r->bg, 2, 10000),
			    "%s: %lu steps in 10 s next to the spinner (%s)\n",
			    hu_xe_bg_name(r->bg.kind), r->bg.iterations,
			    r->bg.err ? strerror(-r->bg.err) : "stalled");
	}
	/* Still spinning: the trigger finds work in flight. */
	hu_assert_f(hu_xe_spin_busy(&r->spin),
		    "spinner ended before the trigger (job timeout?)\n");
}

/*
 * A CPU view of the exported BO after removal: its data or zeroes, never
 * anything else; zeroes where the table says the dma-buf mapping is
 * zapped with the DRM one (it shares the DRM address space).
 */
static void check_cpu_view(const uint32_t *copy, uint32_t seed,
			   const char *what)
{
	int64_t bad = hu_xe_check_or_zero(copy, BUF_SIZE, seed);
	int64_t nz = hu_xe_check_zero(copy, BUF_SIZE);

	hu_info("%s after removal: %s\n", what, nz < 0 ? "zero" :
		hu_xe_check(copy, BUF_SIZE, seed) < 0 ? "data intact" :
		"partly zero");
	hu_assert_f(bad < 0, "%s after removal: dword %" PRId64 " is %#x, "
		    "neither the BO's data nor zero\n", what, bad,
		    copy[bad < 0 ? 0 : bad]);
	if (expected(HU_XE_EXP_DMABUF_CPU_VIEW))
		hu_assert_f(nz < 0, "%s after removal: dword %" PRId64 " is "
			    "%#x, want the zero dummy page\n", what, nz,
			    copy[nz < 0 ? 0 : nz]);
}

/*
 * The old dma-buf seen from the recovered instance, observation only: a
 * GEM import (attach) is logged, never bound or copied from. Mapping it
 * would migrate the BO through the removed exporter: without peer-to-peer
 * xe_dma_buf_attach() refuses a VRAM-only BO (EOPNOTSUPP), with it the map
 * validates the BO back into the dead device's VRAM (docs/xe.md, point 3).
 */
static void check_dmabuf_after(struct run *r)
{
	int fd = open_render(&g.dev), err;
	uint32_t handle = 0;

	log_expect(HU_XE_EXP_DMABUF_KEEPS_DATA);
	err = __hu_xe_bo_import(fd, r->dmabuf, &handle);
	hu_info("import (attach only) of the old dma-buf into the new "
		"instance: %s\n", err ? strerror(-err) : "ok");
	if (!err)
		__hu_xe_gem_close(fd, handle);
	hu_assert_f(close(fd) == 0, "close: %s\n", strerror(errno));
	hu_assert_f(close(r->dmabuf) == 0, "close of the old dma-buf: %s\n",
		    strerror(errno));
	r->dmabuf = -1;
	r->keep_dmabuf = false;
}

/* What must hold right after the device went away. */
static void probe_gone(struct run *r)
{
	uint32_t *copy = malloc(BUF_SIZE);
	struct sweep sw = { .want = gone_errno(r) };
	int n, ret, sig;

	/* Fences: the spinner's and the background work's, bounded. */
	ret = hu_xe_spin_wait(&r->spin, FENCE_MS);
	hu_assert_f(ret != 0, "spinner fence not signalled %d ms after "
		    "removal\n", FENCE_MS);
	hu_info("spinner fence signalled, status %s\n",
		ret == 1 ? "ok" : strerror(-ret));
	if (r->bg.running) {
		int err = hu_xe_bg_stop(&r->bg);

		hu_info("%s: %lu iterations, ended with %s (%s)\n",
			hu_xe_bg_name(r->bg.kind), r->bg.iterations,
			err ? strerror(-err) : "no error",
			r->bg.err_op ? r->bg.err_op : "-");
		hu_assert_f(hu_xe_errno_while_going(err, sw.want),
			    "%s: %s: %s (a fence that does not signal within "
			    "10 s, or an error other than ENODEV/%s)\n",
			    hu_xe_bg_name(r->bg.kind), r->bg.err_op,
			    strerror(-err), sw.want ? strerror(sw.want) : "-");
	}

	/* Every ioctl on the held fd. */
	n = hu_xe_ioctl_sweep(&r->ctx, &r->probe, sweep_report, &sw);
	log_expect(HU_XE_EXP_IOCTL_ERRNO);
	if (sw.want)
		hu_assert_f(!sw.bad, "%d of %d ioctls did not fail with %s\n",
			    sw.bad, n, strerror(sw.want));

	/* The old mapping of a non-exported BO: zero, and no SIGBUS. */
	sig = hu_guarded_access(r->probe.cpu, PROBE_SIZE, copy, -1);
	hu_assert_f(!sig, "reading a BO mmap after removal raised signal %d\n",
		    sig);
	log_expect(HU_XE_EXP_MMAP_ZAPPED);
	if (expected(HU_XE_EXP_MMAP_ZAPPED)) {
		int64_t nz = hu_xe_check_zero(copy, PROBE_SIZE);

		hu_assert_f(nz < 0, "BO mmap after removal: dword %" PRId64
			    " is %#x, want the zero dummy page\n", nz,
			    copy[nz < 0 ? 0 : nz]);
	}

	switch (r->s->work) {
	case W_USERPTR:
		/* The process's own memory stays its own. */
		sig = hu_guarded_access(r->src.cpu, BUF_SIZE, copy, -1);
		hu_assert_f(!sig, "userptr memory raised signal %d\n", sig);
		hu_assert_f(hu_xe_check(copy, BUF_SIZE, r->seed) < 0,
			    "malloc'd userptr memory changed after removal\n");
		sig = hu_guarded_access(r->dst.cpu, BUF_SIZE, copy, -1);
		hu_assert_f(!sig, "userptr memory raised signal %d\n", sig);
		hu_info("mmap'd userptr after removal: %s\n",
			hu_xe_check(copy, BUF_SIZE, r->seed) < 0 ?
			"holds the copy" : "not (fully) copied");
		memset(r->dst.cpu, 0x5a, BUF_SIZE);
		break;
	case W_DMABUF: {
		void *fresh = mmap(NULL, BUF_SIZE, PROT_READ, MAP_SHARED,
				   r->dmabuf, 0);

		log_expect(HU_XE_EXP_DMABUF_CPU_VIEW);
		sig = hu_guarded_access(r->dmabuf_map, BUF_SIZE, copy, -1);
		hu_assert_f(!sig, "old dma-buf mmap raised signal %d\n", sig);
		check_cpu_view(copy, r->seed, "old dma-buf mmap");
		if (fresh == MAP_FAILED) {
			hu_info("new dma-buf mmap after removal: %s\n",
				strerror(errno));
		} else {
			sig = hu_guarded_access(fresh, BUF_SIZE, copy, -1);
			hu_assert_f(!sig, "new dma-buf mmap raised signal %d\n",
				    sig);
			check_cpu_view(copy, r->seed, "new dma-buf mmap");
			munmap(fresh, BUF_SIZE);
		}
		/* The data itself is checked by the new instance, later. */
		r->keep_dmabuf = true;
		break;
	}
	default:
		break;
	}
	free(copy);
}

/*
 * Releases everything held. With @check, close() of the fds must succeed;
 * without, it is the cleanup after a failed subtest and never asserts.
 */
static void release(struct run *r, bool check)
{
	int err = 0;

	hu_xe_bg_free(&r->bg);
	if (r->spin.bo.handle && hu_xe_spin_busy(&r->spin)) {
		hu_xe_spin_stop(&r->spin);
		hu_xe_spin_wait(&r->spin, FENCE_MS);
	}
	hu_xe_spin_free(&r->spin);
	hu_xe_buf_free(&r->ctx, &r->src);
	hu_xe_buf_free(&r->ctx, &r->dst);
	hu_xe_buf_free(&r->ctx, &r->probe);
	if (r->dmabuf_map && r->dmabuf_map != MAP_FAILED)
		munmap(r->dmabuf_map, BUF_SIZE);
	r->dmabuf_map = NULL;
	if (r->dmabuf >= 0 && (!check || !r->keep_dmabuf)) {
		if (close(r->dmabuf) && !err)
			err = -errno;
		r->dmabuf = -1;
	}
	hu_xe_ctx_fini(&r->ctx);
	if (r->fd >= 0 && close(r->fd) && !err)
		err = -errno;
	r->fd = -1;
	hu_assert_f(!check || !err, "close of a held fd: %s\n",
		    strerror(-err));
}

static void oracle_check(struct run *r, const char *stage,
			 enum hu_xe_expect_id known)
{
	int found = hu_oracle_verdict(r->oracle, stage);

	if (found && known != HU_XE_EXP_COUNT &&
	    hu_xe_expect(known, g.kver) == HU_XE_EXPECT_NO)
		log_expect(known);	/* a known bug: say which */
	hu_assert_f(found == 0, "%s: %d kernel problem(s), see above\n",
		    stage, found);
}

/*
 * The state of the running subtest. Static, so that after a failed assert
 * (which leaves the subtest by longjmp) a background thread still points
 * at live memory, and the next subtest can release what was left.
 */
static struct run r = { .fd = -1, .dmabuf = -1 };

static void begin_run(const struct run *init)
{
	release(&r, false);
	if (r.oracle)
		hu_oracle_free(r.oracle);
	r = *init;
}

/*
 * Brings the device back if a failed subtest left it removed, and rebinds
 * it if it was left wedged (or armed to wedge). Exits 112 if it cannot.
 */
static void reset_device(void)
{
	int err = 0;

	if (!hu_device_present(&g.dev)) {
		err = hu_trigger_restore(&g.dev, g.last);
	} else if (g.wedge_armed) {
		hu_info("rebinding %s: a failed subtest left it wedged\n",
			g.dev.pci_id.bdf);
		err = hu_trigger_unbind.fire(&g.dev);
		if (!err)
			err = hu_trigger_unbind.recover(&g.dev);
		if (err)
			err = hu_trigger_restore(&g.dev, &hu_trigger_unbind);
	}
	hu_abort_on_f(err, "%s cannot be brought back: %s\n",
		      g.dev.pci_id.bdf, strerror(-err));
	g.wedge_armed = false;
}

/*
 * Every subtest starts from a present device: a failed one may have left
 * it removed. Exits 112 if it cannot be brought back.
 */
static void require_device(const struct hu_trigger *t)
{
	const char *why;

	hu_require_f(g.ready, "%s\n", g.skip);
	why = t->unsupported ? t->unsupported(&g.dev) : NULL;
	hu_require_f(!why, "%s: %s\n", t->name, why);
	reset_device();
	g.last = t;
}

static void fire(const struct hu_trigger *t, const char *name)
{
	int err;

	hu_kmsg(6, "%s: %s with work in flight\n", name, t->name);
	err = t->fire(&g.dev);
	hu_assert_f(!err, "%s %s: %s\n", t->name, g.dev.pci_id.bdf,
		    strerror(-err));
}

static void recover(const struct hu_trigger *t)
{
	int err = t->recover(&g.dev);

	if (err) {
		hu_warn("%s recovery: %s; trying every other way\n", t->name,
			strerror(-err));
		err = hu_trigger_restore(&g.dev, t);
	}
	hu_abort_on_f(err, "%s did not come back after %s: %s\n",
		      g.dev.pci_id.bdf, t->name, strerror(-err));
}

static void check_refcnt(int before)
{
	char holders[256];
	int now = hu_kmod_refcnt(g.dev.module);

	hu_assert_f(now == before, "%s: %s after the last release, %d "
		    "before\n", g.dev.module,
		    hu_kmod_holders(g.dev.module, holders, sizeof(holders)),
		    before);
}

static void run_scenario(const struct scenario *s)
{
	enum hu_xe_expect_id known = s->late_close ?
		HU_XE_EXP_LATECLOSE_MIGRATE : HU_XE_EXP_BO_REMOVE;
	struct run r_init = { .s = s, .fd = -1, .dmabuf = -1, .seed = 0x1234 };

	require_device(s->trigger);
	begin_run(&r_init);
	hu_set_timeout(180, s->name);
	health_check(&g.dev, "before");

	r.refcnt_before = hu_kmod_refcnt(g.dev.module);
	r.fd = open_render(&g.dev);
	hu_xe_ctx_init(&r.ctx, r.fd, 0);
	setup_work(&r);
	r.oracle = hu_oracle_arm(s->name);

	start_inflight(&r);
	fire(s->trigger, s->name);
	probe_gone(&r);
	if (!s->late_close)
		release(&r, true);
	else
		hu_xe_bg_stop(&r.bg);	/* joined; the BOs stay open */

	recover(s->trigger);
	health_check(&g.dev, "after recovery");
	if (r.keep_dmabuf)
		check_dmabuf_after(&r);
	if (s->late_close) {
		/* The old instance's last references go now. */
		log_expect(HU_XE_EXP_LATECLOSE_MIGRATE);
		release(&r, true);
		health_check(&g.dev, "after the late close");
	}
	oracle_check(&r, s->name, known);
	hu_oracle_free(r.oracle);
	r.oracle = NULL;
	/* The held objects took their module references with them. */
	check_refcnt(r.refcnt_before);
	hu_set_timeout(0, NULL);
}

/* --- unbind-wedged ------------------------------------------------------ */

static char saved_timeout_path[PATH_MAX], saved_timeout[32];

static void restore_timeout(int sig)
{
	/* Only while the device it belongs to is still there. */
	if (saved_timeout[0] && !access(saved_timeout_path, W_OK))
		write_attr(saved_timeout_path, saved_timeout);
	saved_timeout[0] = '\0';
}

static void run_wedged(void)
{
	static const struct scenario s = { "unbind-wedged",
					   &hu_trigger_unbind };
	struct run r_init = { .s = &s, .fd = -1, .dmabuf = -1, .seed = 0x3ed9 };
	char mode_path[PATH_MAX], min_path[PATH_MAX], buf[32];
	const char *engines = "tile0/gt0/engines/bcs";
	int err, timeout = 100;
	uint32_t queue;

	require_device(s.trigger);
	begin_run(&r_init);
	snprintf(mode_path, sizeof(mode_path),
		 "/sys/kernel/debug/dri/%d/wedged_mode", g.dev.card_index);
	snprintf(saved_timeout_path, sizeof(saved_timeout_path),
		 "/sys/bus/pci/devices/%s/%s/job_timeout_ms",
		 g.dev.pci_id.bdf, engines);
	snprintf(min_path, sizeof(min_path),
		 "/sys/bus/pci/devices/%s/%s/job_timeout_min",
		 g.dev.pci_id.bdf, engines);
	hu_require_f(!access(mode_path, W_OK), "no %s (debugfs not mounted, "
		     "or a kernel without wedged_mode)\n", mode_path);
	hu_require_f(read_attr(saved_timeout_path, saved_timeout,
			       sizeof(saved_timeout)) > 0,
		     "no %s\n", saved_timeout_path);
	if (read_attr(min_path, buf, sizeof(buf)) > 0 && atoi(buf) > timeout)
		timeout = atoi(buf);
	log_expect(HU_XE_EXP_WEDGED_UNBIND);
	hu_set_timeout(180, s.name);
	health_check(&g.dev, "before");

	r.refcnt_before = hu_kmod_refcnt(g.dev.module);
	r.fd = open_render(&g.dev);
	hu_xe_ctx_init(&r.ctx, r.fd, 0);
	hu_xe_buf_bo(&r.ctx, &r.probe, hu_xe_mem_best(&r.ctx.info), PROBE_SIZE,
		     false);
	/* Only the refused exec's batch; no buffer for the hang to copy. */
	hu_xe_buf_bo(&r.ctx, &r.dst, hu_xe_mem_best(&r.ctx.info), 4096, false);
	hu_xe_fill(r.probe.cpu, PROBE_SIZE, r.seed);

	r.oracle = hu_oracle_arm(s.name);
	hu_oracle_ignore(r.oracle, "xe [0-9a-f:.]+: .*([Ww]edged|[Tt]imedout "
			 "job|[Tt]imeout|GT reset|banned|[Hh]ang)");
	/*
	 * Wedge on the first hang, and give only the spinner's queue the
	 * short timeout: queues take it from sysfs when they are created
	 * (the VM's bind queue, made above, keeps the default).
	 */
	hu_install_exit_handler(restore_timeout);
	g.wedge_armed = true;	/* until the rebind below */
	hu_assert_ok(write_attr(mode_path, "2"));
	snprintf(buf, sizeof(buf), "%d", timeout);
	hu_assert_ok(write_attr(saved_timeout_path, buf));
	err = __hu_xe_exec_queue_create(r.fd, r.ctx.vm,
					&r.ctx.info.copy_engine, &queue);
	restore_timeout(0);
	hu_assert_f(!err, "exec queue: %s\n", strerror(-err));
	__hu_xe_exec_queue_destroy(r.fd, r.ctx.queue);
	r.ctx.queue = queue;

	/*
	 * A spinner nobody stops hangs past the timeout: the device wedges.
	 * It copies nothing and lives in VRAM where there is VRAM: wedged
	 * mode 2 leaves the engine running, and the unbind below frees and
	 * DMA-unmaps the BOs under it.
	 */
	hu_xe_spin_start_hang(&r.ctx, &r.spin);
	hu_assert_f(hu_xe_spin_wait_started(&r.spin, 5000),
		    "spinner did not start within 5 s\n");
	err = hu_xe_spin_wait(&r.spin, FENCE_MS);
	hu_assert_f(err != 0, "the hung spinner's fence did not signal in %d "
		    "ms with a %d ms job timeout\n", FENCE_MS, timeout);
	hu_info("hung spinner: fence signalled with %s\n",
		err == 1 ? "success" : strerror(-err));

	/* The hung queue was reset: submissions to it are refused. */
	hu_xe_emit_bb_end(r.dst.cpu);
	err = __hu_xe_exec(r.fd, r.ctx.queue, r.dst.gpu, NULL, 0);
	hu_assert_f(err == -ECANCELED, "exec on the hung queue: %s, want "
		    "ECANCELED\n", err ? strerror(-err) : "success");
	/* What a new client meets on the wedged device (logged only). */
	err = __hu_xe_exec_queue_create(r.fd, r.ctx.vm, &r.ctx.info.copy_engine,
					&queue);
	hu_info("new exec queue on the wedged device: %s\n",
		err ? strerror(-err) : "created");
	if (!err) {
		err = __hu_xe_exec(r.fd, queue, r.dst.gpu, NULL, 0);
		hu_info("exec on it: %s\n", err ? strerror(-err) : "accepted");
		__hu_xe_exec_queue_destroy(r.fd, queue);
	}

	fire(s.trigger, s.name);
	probe_gone(&r);
	release(&r, true);
	recover(s.trigger);
	g.wedge_armed = false;	/* a new instance: default wedged_mode */
	health_check(&g.dev, "after rebind");
	oracle_check(&r, s.name, HU_XE_EXP_WEDGED_UNBIND);
	hu_oracle_free(r.oracle);
	r.oracle = NULL;
	check_refcnt(r.refcnt_before);
	hu_set_timeout(0, NULL);
}

/* --- rmmod-held --------------------------------------------------------- */

static void run_rmmod_held(void)
{
	static const struct scenario s = { "rmmod-held", &hu_trigger_rmmod };
	struct run r_init = { .s = &s, .fd = -1, .dmabuf = -1, .seed = 0x7a11 };
	char why[256];
	int refcnt, err;

	require_device(s.trigger);
	begin_run(&r_init);
	refcnt = hu_kmod_refcnt(g.dev.module);
	hu_require_f(refcnt == 0, "%s is in use by someone else (refcnt %d): "
		     "its unload cannot be tested here\n", g.dev.module,
		     refcnt);
	hu_set_timeout(180, s.name);
	health_check(&g.dev, "before");

	r.fd = open_render(&g.dev);
	hu_xe_ctx_init(&r.ctx, r.fd, 0);
	hu_xe_buf_bo(&r.ctx, &r.probe, hu_xe_mem_best(&r.ctx.info), PROBE_SIZE,
		     false);
	hu_xe_fill(r.probe.cpu, PROBE_SIZE, r.seed);
	hu_xe_buf_bo(&r.ctx, &r.src, hu_xe_mem_best(&r.ctx.info), BUF_SIZE,
		     true);
	hu_xe_buf_bo(&r.ctx, &r.dst, HU_XE_MEM_SYS, BUF_SIZE, false);
	hu_xe_fill(r.src.cpu, BUF_SIZE, r.seed);
	memset(r.dst.cpu, 0, BUF_SIZE);
	err = __hu_xe_bo_export(r.fd, r.src.handle, &r.dmabuf);
	hu_assert_f(!err, "export: %s\n", strerror(-err));
	r.oracle = hu_oracle_arm(s.name);
	start_inflight(&r);

	/* Refused while held (fire() returns 0 for that), and nothing moves. */
	fire(s.trigger, s.name);
	hu_assert_f(hu_device_present(&g.dev), "the device went away at a "
		    "refused unload\n");
	hu_assert_f(hu_xe_spin_busy(&r.spin), "the spinner stopped at the "
		    "refused unload\n");
	hu_xe_spin_stop(&r.spin);
	hu_assert_f(hu_xe_spin_wait(&r.spin, FENCE_MS) == 1,
		    "spinner did not end cleanly after the refused unload\n");
	hu_assert_f(hu_xe_check(r.dst.cpu, SPIN_COPY, r.seed) < 0,
		    "spinner copy wrong after the refused unload\n");
	err = hu_xe_copy_check(&r.ctx, HU_XE_AT_SYS, HU_XE_AT_SYS, BUF_SIZE,
			       r.seed, why, sizeof(why));
	hu_assert_f(!err, "after the refused unload: %s\n", why);

	/* Release step by step: each kind of holder keeps the module. */
	hu_xe_spin_free(&r.spin);
	hu_xe_ctx_fini(&r.ctx);
	hu_assert_f(close(r.fd) == 0, "close: %s\n", strerror(errno));
	r.fd = -1;
	refcnt = hu_kmod_refcnt(g.dev.module);
	hu_info("fd closed: refcnt %d (BO mmaps and a dma-buf held)\n", refcnt);
	hu_assert_f(refcnt > 0, "mmaps and a dma-buf are held, yet the %s "
		    "refcnt is %d\n", g.dev.module, refcnt);
	munmap(r.probe.cpu, r.probe.size);
	munmap(r.src.cpu, r.src.size);
	munmap(r.dst.cpu, r.dst.size);
	memset(&r.probe, 0, sizeof(r.probe));
	memset(&r.src, 0, sizeof(r.src));
	memset(&r.dst, 0, sizeof(r.dst));
	refcnt = hu_kmod_refcnt(g.dev.module);
	hu_info("mmaps gone: refcnt %d (a dma-buf held)\n", refcnt);
	hu_assert_f(refcnt > 0, "a dma-buf is held, yet the %s refcnt is %d\n",
		    g.dev.module, refcnt);
	hu_assert_f(close(r.dmabuf) == 0, "close dma-buf: %s\n",
		    strerror(errno));
	r.dmabuf = -1;
	check_refcnt(0);

	err = s.trigger->fire_unheld(&g.dev);
	hu_assert_f(!err, "unload of %s after the last release: %s\n",
		    g.dev.module, strerror(-err));
	recover(s.trigger);
	health_check(&g.dev, "after reload");
	oracle_check(&r, s.name, HU_XE_EXP_COUNT);
	hu_oracle_free(r.oracle);
	r.oracle = NULL;
	hu_set_timeout(0, NULL);
}

/* --- the matrix --------------------------------------------------------- */

#define INFLIGHT "with a blitter copy spinner running (seen started), "
#define PROBES "then checks the errno of every ioctl on the held fd (ENODEV " \
	"after unbind, EACCES after PCI remove, ECANCELED when wedged), zero reads " \
	"from old BO mmaps, fences signalled within 10 s, no kernel splat, " \
	"module references released and a blitter health check after recovery."

/* The triggers and what runs across them: subtest "<trigger>-<workload>". */
static const struct {
	const struct hu_trigger *trigger;
	const char *what;
} triggers[] = {
	{ &hu_trigger_remove, "PCI remove" },
	{ &hu_trigger_unbind, "Driver unbind" },
};

static const struct {
	const char *name;
	enum work work;
	bool late_close;
	const char *what;	/* follows the trigger's what */
} workloads[] = {
	{ "copy-inflight", W_COPY, false,
	  INFLIGHT "after checked copies between every pair of VRAM, system "
	  "BO, malloc'd and mmap'd userptr; " },
	{ "prefetch-inflight", W_PREFETCH, false,
	  INFLIGHT "and a PREFETCH ping-pong VRAM <-> system on the migrate "
	  "engine (dGPU); " },
	{ "evict-inflight", W_EVICT, false,
	  INFLIGHT "and VRAM overcommitted by 1.5x, every prefetch evicting "
	  "others (dGPU); " },
	{ "userptr-inflight", W_USERPTR, false,
	  INFLIGHT "copying a malloc'd userptr into an mmap'd one; the "
	  "process memory must stay intact; " },
	{ "dmabuf-vram", W_DMABUF, false,
	  INFLIGHT "reading a VRAM BO exported as dma-buf; its mmaps read "
	  "zeroes after the removal, and the recovered device's import of "
	  "the old dma-buf is only observed (attached, never mapped); " },
	{ "lateclose-migrate", W_MIGRATE, true,
	  "with migrate work (PREFETCH) and the fd open, closed only after the "
	  "device is back and the new instance passed a health check (the "
	  "sequence of the Feb 2025 migrate bug, seen with PCI remove, fixed "
	  "in 6.16 by the migrate switch to devm actions); " },
};

#define N_SCENARIOS (sizeof(triggers) / sizeof(triggers[0]) * \
		     sizeof(workloads) / sizeof(workloads[0]))

/* Composed once; run_scenario() keeps a pointer to its row. */
static struct scenario scenarios[N_SCENARIOS];
static char scenario_names[N_SCENARIOS][48];
static char scenario_descs[N_SCENARIOS][640];

static void compose_scenarios(void)
{
	const size_t nw = sizeof(workloads) / sizeof(workloads[0]);

	for (size_t i = 0; i < N_SCENARIOS; i++) {
		const struct hu_trigger *t = triggers[i / nw].trigger;
		size_t w = i % nw;
		int n, m;

		n = snprintf(scenario_names[i], sizeof(scenario_names[i]),
			     "%s-%s", t->name, workloads[w].name);
		m = snprintf(scenario_descs[i], sizeof(scenario_descs[i]),
			     "%s %s%s", triggers[i / nw].what,
			     workloads[w].what, PROBES);
		if (n >= (int)sizeof(scenario_names[i]) ||
		    m >= (int)sizeof(scenario_descs[i])) {
			hu_critical("scenario %zu: name or description cut\n", i);
			exit(HU_EXIT_INVALID);
		}
		scenarios[i] = (struct scenario){
			.name = scenario_names[i],
			.trigger = t,
			.work = workloads[w].work,
			.late_close = workloads[w].late_close,
			.desc = scenario_descs[i],
		};
	}
}

hu_main
{
	hu_fixture {
		g.kver = hu_kver_running();
		if (geteuid() != 0) {
			g.skip = "needs root (sysfs writes, /dev/kmsg, module "
				 "refcount)";
		} else if (!(g.skip = find_xe(&g.dev))) {
			char v[16];

			g.ready = true;
			hu_info("device %s %s %04x:%04x, kernel %s\n",
				g.dev.pci_id.bdf, g.dev.render,
				g.dev.pci_id.vendor, g.dev.pci_id.device,
				hu_kver_str(g.kver, v, sizeof(v)));
			if (hu_xe_expect(HU_XE_EXP_UAPI, g.kver) ==
			    HU_XE_EXPECT_NO) {
				g.ready = false;
				g.skip = "kernel older than 6.8: no stable Xe uAPI";
			}
		}
	}

	compose_scenarios();
	for (size_t i = 0; i < N_SCENARIOS; i++) {
		hu_describe(scenarios[i].desc);
		hu_subtest(scenarios[i].name)
			run_scenario(&scenarios[i]);
	}

	hu_describe("Hang a non-copying blitter spinner (in VRAM where there is "
		    "VRAM) with wedged_mode=2 and a short job timeout so the "
		    "device wedges (every ioctl then gives ECANCELED), then "
		    "unbind it with fds, BOs and mmaps held; " PROBES);
	hu_subtest("unbind-wedged")
		run_wedged();

	hu_describe("rmmod xe while an fd, BO mmaps and an exported dma-buf "
		    "are held and a copy spinner runs: refused (EAGAIN/EBUSY) "
		    "without disturbing the work (the spinner's copy and a new "
		    "copy check out); then release step by step (refcount > 0 "
		    "while mmaps or the dma-buf remain, back to 0 after), the "
		    "unload succeeds, reload, blitter health check.");
	hu_subtest("rmmod-held")
		run_rmmod_held();

	hu_fixture {
		/* Whatever a failed subtest left: released, device back. */
		release(&r, false);
		if (g.ready)
			reset_device();
	}
}
