// SPDX-License-Identifier: MIT
/*
 * xe_holder: what the Xe holders share (xe_holder_priv.h): opening, the
 * spinner seen running before the trigger, the probe after a removal and
 * the release that also serves as cleanup after a failed subtest.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hu_core.h"
#include "hu_drm.h"
#include "hu_part.h"
#include "hu_trigger.h"
#include "xe/xe_holder.h"
#include "xe/xe_holder_priv.h"

uint32_t hu_xe_kver(void)
{
	static uint32_t kver;

	if (!kver)
		kver = hu_kver_running();
	return kver;
}

bool hu_xe_expected(enum hu_xe_expect_id id)
{
	return hu_xe_expect(id, hu_xe_kver()) == HU_XE_EXPECT_YES;
}

void hu_xe_log_expect(enum hu_xe_expect_id id)
{
	const struct hu_xe_expect_row *r = hu_xe_expect_row(id);
	char since[16];

	hu_info("expect %s: %s on this kernel (%s%s; %s; %s)\n", r->name,
		hu_xe_verdict_name(hu_xe_expect(id, hu_xe_kver())),
		r->since ? "since " : "release not verified",
		r->since ? hu_kver_str(r->since, since, sizeof(since)) : "",
		r->commit, r->source);
}

int hu_xe_gone_errno(const struct hu_ctx *ctx, const struct hu_xe_hold *h)
{
	/*
	 * The PCI device deleted (remove, slotoff, external) or only the
	 * driver unbound: every trigger here "removes" the nodes.
	 */
	return hu_xe_expect_errno(hu_xe_kver(),
				  ctx->trigger->leaves_iommu_group ?
				  HU_XE_GONE_REMOVE : HU_XE_GONE_UNBIND,
				  h->armed);
}

const char *hu_xe_unsupported(const struct hu_device *dev)
{
	const char *why = hu_need_unmet(HU_XE_NEEDS, "xe", dev);

	if (why)
		return why;
	if (hu_xe_expect(HU_XE_EXP_UAPI, hu_xe_kver()) == HU_XE_EXPECT_NO)
		return "kernel older than 6.8: no stable Xe uAPI";
	return NULL;
}

const char *hu_xe_unsupported_vram(const struct hu_device *dev)
{
	const char *why = hu_xe_unsupported(dev);
	struct hu_xe_info info;
	int fd, err;

	if (why)
		return why;
	fd = open(dev->render, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return "cannot open the render node to query VRAM";
	memset(&info, 0, sizeof(info));
	err = __hu_xe_query(fd, &info);
	close(fd);
	if (err)
		return "DEVICE_QUERY failed: VRAM unknown";
	return hu_xe_has_vram(&info) ? NULL :
	       "needs VRAM; this device has none";
}

void hu_xe_hold_open(struct hu_ctx *ctx, struct hu_xe_hold *h)
{
	h->fd = -1;
	h->dmabuf = -1;
	h->seed = ctx->seed;
	h->fd = open(ctx->dev->render, O_RDWR | O_CLOEXEC);
	hu_assert_f(h->fd >= 0, "open %s: %s\n", ctx->dev->render,
		    strerror(errno));
	hu_xe_ctx_init(&h->ctx, h->fd, 0);
	h->have_ctx = true;
	/* A non-exported, mapped BO: its mapping must read zero afterwards. */
	hu_xe_buf_bo(&h->ctx, &h->probe, hu_xe_mem_best(&h->ctx.info),
		     HU_XE_PROBE_SIZE, false);
	hu_xe_fill(h->probe.cpu, HU_XE_PROBE_SIZE, h->seed);
}

void hu_xe_hold_fill(struct hu_xe_hold *h)
{
	hu_xe_fill(h->src.cpu, h->src.size, h->seed);
	memset(h->dst.cpu, 0, h->dst.size);
}

void hu_xe_hold_start(struct hu_xe_hold *h)
{
	hu_xe_spin_start(&h->ctx, &h->spin, &h->src, &h->dst, HU_XE_SPIN_COPY);
	hu_assert_f(hu_xe_spin_wait_started(&h->spin, 5000),
		    "spinner did not start within 5 s\n");
	if (h->bg.num_bufs) {
		int err = hu_xe_bg_start(&h->bg);

		hu_assert_f(!err, "background thread: %s\n", strerror(-err));
		/* In flight next to the spinner, not queued behind it. */
		hu_assert_f(hu_xe_bg_wait_progress(&h->bg, 2, 10000),
			    "%s: %lu steps in 10 s next to the spinner (%s)\n",
			    hu_xe_bg_name(h->bg.kind), h->bg.iterations,
			    h->bg.err ? strerror(-h->bg.err) : "stalled");
	}
}

void hu_xe_hold_before_fire(struct hu_ctx *ctx, void *priv)
{
	struct hu_xe_hold *h = priv;

	/* Still spinning: the trigger finds work in flight. */
	hu_assert_f(hu_xe_spin_busy(&h->spin),
		    "spinner ended before the trigger (job timeout?)\n");
	hu_info("spinner seen running at %s%s\n", hu_stage_name(ctx->stage),
		h->bg.running ? ", with the background work" : "");
}

/* What the sweep wants (0: not verified for this kernel) and saw. */
struct sweep {
	int want;
	int bad;
	const char *when;
};

static void sweep_report(const char *ioctl, int err, void *data)
{
	struct sweep *sw = data;
	int want = hu_xe_sweep_want(ioctl, sw->want);

	if (want && err == -want) {
		hu_debug("%s: %s -> %s\n", sw->when, ioctl, strerror(want));
		return;
	}
	if (want)
		hu_warn("%s: %s -> %s, want %s\n", sw->when, ioctl,
			err ? strerror(-err) : "success", strerror(want));
	else
		hu_info("%s: %s -> %s\n", sw->when, ioctl,
			err ? strerror(-err) : "success");
	sw->bad += want != 0;
}

/* Every ioctl on the held fd gives what lib/xe/xe_expect.c says. */
static void sweep(struct hu_ctx *ctx, struct hu_xe_hold *h, const char *when)
{
	struct sweep sw = { .want = hu_xe_gone_errno(ctx, h), .when = when };
	int n = hu_xe_ioctl_sweep(&h->ctx, &h->probe, sweep_report, &sw);

	hu_xe_log_expect(HU_XE_EXP_IOCTL_ERRNO);
	if (sw.want)
		hu_assert_f(!sw.bad, "%s: %d of %d ioctls did not fail with "
			    "%s\n", when, sw.bad, n, strerror(sw.want));
}

void hu_xe_hold_probe_gone(struct hu_ctx *ctx, struct hu_xe_hold *h)
{
	int want = hu_xe_gone_errno(ctx, h);
	uint32_t *copy;
	int ret, sig;

	hu_assert_f(ctx->gone, "the Xe in-flight holders need a trigger that "
		    "removes the device\n");
	if (ctx->stage == HU_STAGE_RECOVERED) {
		/* late close: the old fd next to the new instance */
		hu_xe_log_expect(HU_XE_EXP_LATECLOSE_MIGRATE);
		sweep(ctx, h, "old fd after recovery");
		return;
	}
	hu_xe_log_expect(HU_XE_EXP_BO_REMOVE);
	/* Fences: the spinner's and the background work's, bounded. */
	ret = hu_xe_spin_wait(&h->spin, HU_XE_FENCE_MS);
	hu_assert_f(ret != 0, "spinner fence not signalled %d ms after "
		    "removal\n", HU_XE_FENCE_MS);
	hu_info("spinner fence signalled, status %s\n",
		ret == 1 ? "ok" : strerror(-ret));
	if (h->bg.running) {
		int err = hu_xe_bg_stop(&h->bg);

		hu_info("%s: %lu iterations, ended with %s (%s)\n",
			hu_xe_bg_name(h->bg.kind), h->bg.iterations,
			err ? strerror(-err) : "no error",
			h->bg.err_op ? h->bg.err_op : "-");
		hu_assert_f(hu_xe_errno_while_going(err, want),
			    "%s: %s: %s (a fence that does not signal within "
			    "10 s, or an error other than ENODEV/%s)\n",
			    hu_xe_bg_name(h->bg.kind), h->bg.err_op,
			    strerror(-err), want ? strerror(want) : "-");
	}

	sweep(ctx, h, "after removal");

	/* The old mapping of a non-exported BO: zero, and no SIGBUS. */
	copy = malloc(HU_XE_PROBE_SIZE);
	hu_assert(copy);
	sig = hu_guarded_access(h->probe.cpu, HU_XE_PROBE_SIZE, copy, -1);
	if (sig)
		free(copy);
	hu_assert_f(!sig, "reading a BO mmap after removal raised signal "
		    "%d\n", sig);
	hu_xe_log_expect(HU_XE_EXP_MMAP_ZAPPED);
	if (hu_xe_expected(HU_XE_EXP_MMAP_ZAPPED)) {
		int64_t nz = hu_xe_check_zero(copy, HU_XE_PROBE_SIZE);
		uint32_t v = copy[nz < 0 ? 0 : nz];

		free(copy);
		hu_assert_f(nz < 0, "BO mmap after removal: dword %" PRId64
			    " is %#x, want the zero dummy page\n", nz, v);
	} else {
		free(copy);
	}
}

void hu_xe_hold_probe(struct hu_ctx *ctx, void *priv)
{
	hu_xe_hold_probe_gone(ctx, priv);
}

int hu_xe_hold_release(struct hu_ctx *ctx, void *priv)
{
	struct hu_xe_hold *h = priv;
	int err = 0;

	(void)ctx;
	hu_xe_bg_free(&h->bg);
	if (h->spin.bo.handle && hu_xe_spin_busy(&h->spin)) {
		hu_xe_spin_stop(&h->spin);
		hu_xe_spin_wait(&h->spin, HU_XE_FENCE_MS);
	}
	hu_xe_spin_free(&h->spin);
	hu_xe_buf_free(&h->ctx, &h->src);
	hu_xe_buf_free(&h->ctx, &h->dst);
	hu_xe_buf_free(&h->ctx, &h->probe);
	memset(&h->src, 0, sizeof(h->src));
	memset(&h->dst, 0, sizeof(h->dst));
	memset(&h->probe, 0, sizeof(h->probe));
	if (h->dmabuf_map && h->dmabuf_map != MAP_FAILED)
		munmap(h->dmabuf_map, HU_XE_BUF_SIZE);
	h->dmabuf_map = NULL;
	if (h->dmabuf >= 0 && close(h->dmabuf) && !err)
		err = -errno;
	h->dmabuf = -1;
	if (h->have_ctx)
		hu_xe_ctx_fini(&h->ctx);
	h->have_ctx = false;
	if (h->fd >= 0 && close(h->fd) && !err)
		err = -errno;
	h->fd = -1;
	return err;
}
