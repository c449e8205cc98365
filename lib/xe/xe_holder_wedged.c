// SPDX-License-Identifier: MIT
/*
 * xe_holder_wedged: "wedged", an Xe device wedged before the trigger. With
 * wedged_mode=2 (debugfs: wedge on any hang) and a short job timeout on the
 * blitter, a spinner nobody stops hangs and the device wedges; exec on the
 * hung queue must then give ECANCELED. The trigger finds the device wedged
 * with fds, BOs and mmaps held. A wedged device stays so until its driver
 * is rebound: a release before the trigger rebinds it.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hu_core.h"
#include "hu_trigger.h"
#include "xe/xe_holder.h"
#include "xe/xe_holder_priv.h"

#define ENGINES "tile0/gt0/engines/bcs"

/* The blitter's job timeout while it is shortened, put back at exit too. */
static char saved_path[PATH_MAX], saved_timeout[32];

static void restore_timeout(int sig)
{
	(void)sig;
	/* Only while the device it belongs to is still there. */
	if (saved_timeout[0] && !access(saved_path, W_OK))
		hu_sysfs_write(saved_path, saved_timeout, 0);
	saved_timeout[0] = '\0';
}

static void mode_path(const struct hu_device *dev, char *buf, size_t len)
{
	hu_fmt(buf, len, "/sys/kernel/debug/dri/%d/wedged_mode",
	       dev->card_index);
}

static void engine_attr(const struct hu_device *dev, const char *attr,
			char *buf, size_t len)
{
	hu_fmt(buf, len, "/sys/bus/pci/devices/%s/" ENGINES "/%s",
	       dev->pci_id.bdf, attr);
}

static const char *wedged_unsupported(const struct hu_device *dev)
{
	static char why[PATH_MAX + 64];
	const char *xe = hu_xe_unsupported(dev);
	char path[PATH_MAX], buf[32];

	if (xe)
		return xe;
	mode_path(dev, path, sizeof(path));
	if (access(path, W_OK)) {
		hu_fmt(why, sizeof(why), "no %s (debugfs not mounted, or a "
		       "kernel without wedged_mode)", path);
		return why;
	}
	engine_attr(dev, "job_timeout_ms", path, sizeof(path));
	if (hu_sysfs_read(path, buf, sizeof(buf)) <= 0) {
		hu_fmt(why, sizeof(why), "no %s", path);
		return why;
	}
	return NULL;
}

/* Queues take the job timeout from sysfs when they are created. */
static uint32_t short_timeout_queue(struct hu_xe_hold *h,
				    const struct hu_device *dev)
{
	static bool handler;
	char path[PATH_MAX], buf[32];
	int timeout = 100, err;
	uint32_t queue;

	engine_attr(dev, "job_timeout_min", path, sizeof(path));
	if (hu_sysfs_read(path, buf, sizeof(buf)) > 0 && atoi(buf) > timeout)
		timeout = atoi(buf);
	engine_attr(dev, "job_timeout_ms", saved_path, sizeof(saved_path));
	hu_assert_f(hu_sysfs_read(saved_path, saved_timeout,
				  sizeof(saved_timeout)) > 0,
		    "cannot read %s\n", saved_path);
	if (!handler)
		hu_install_exit_handler(restore_timeout);
	handler = true;
	hu_fmt(buf, sizeof(buf), "%d", timeout);
	err = hu_sysfs_write(saved_path, buf, 0);
	hu_assert_f(!err, "%s <- %s: %s\n", saved_path, buf, strerror(-err));
	hu_info("blitter job timeout %d ms for the spinner's queue\n", timeout);
	err = __hu_xe_exec_queue_create(h->fd, h->ctx.vm,
					&h->ctx.info.copy_engine, &queue);
	restore_timeout(0);
	hu_assert_f(!err, "exec queue: %s\n", strerror(-err));
	return queue;
}

static void wedged_acquire(struct hu_ctx *ctx, void *priv)
{
	struct hu_xe_hold *h = priv;
	char path[PATH_MAX];
	uint32_t queue;
	int err;

	hu_xe_log_expect(HU_XE_EXP_WEDGED_UNBIND);
	hu_xe_hold_open(ctx, h);
	/* Only the refused exec's batch; no buffer for the hang to copy. */
	hu_xe_buf_bo(&h->ctx, &h->dst, hu_xe_mem_best(&h->ctx.info), 4096,
		     false);

	/*
	 * Wedge on the first hang, and give only the spinner's queue the
	 * short timeout (the VM's bind queue, made above, keeps the default).
	 */
	mode_path(ctx->dev, path, sizeof(path));
	h->armed = true;	/* until the trigger or a rebind */
	err = hu_sysfs_write(path, "2", 0);
	hu_assert_f(!err, "%s <- 2: %s\n", path, strerror(-err));
	queue = short_timeout_queue(h, ctx->dev);
	__hu_xe_exec_queue_destroy(h->fd, h->ctx.queue);
	h->ctx.queue = queue;

	/*
	 * A spinner nobody stops hangs past the timeout: the device wedges.
	 * It copies nothing and lives in VRAM where there is VRAM: wedged
	 * mode 2 leaves the engine running, and the unbind frees and
	 * DMA-unmaps the BOs under it.
	 */
	hu_xe_spin_start_hang(&h->ctx, &h->spin);
	hu_assert_f(hu_xe_spin_wait_started(&h->spin, 5000),
		    "spinner did not start within 5 s\n");
	err = hu_xe_spin_wait(&h->spin, HU_XE_FENCE_MS);
	hu_assert_f(err != 0, "the hung spinner's fence did not signal in %d "
		    "ms\n", HU_XE_FENCE_MS);
	hu_info("hung spinner: fence signalled with %s\n",
		err == 1 ? "success" : strerror(-err));

	/* The hung queue was reset: submissions to it are refused. */
	hu_xe_emit_bb_end(h->dst.cpu);
	err = __hu_xe_exec(h->fd, h->ctx.queue, h->dst.gpu, NULL, 0);
	hu_assert_f(err == -ECANCELED, "exec on the hung queue: %s, want "
		    "ECANCELED\n", err ? strerror(-err) : "success");
	/* What a new client meets on the wedged device (logged only). */
	err = __hu_xe_exec_queue_create(h->fd, h->ctx.vm,
					&h->ctx.info.copy_engine, &queue);
	hu_info("new exec queue on the wedged device: %s\n",
		err ? strerror(-err) : "created");
	if (!err) {
		err = __hu_xe_exec(h->fd, queue, h->dst.gpu, NULL, 0);
		hu_info("exec on it: %s\n", err ? strerror(-err) : "accepted");
		__hu_xe_exec_queue_destroy(h->fd, queue);
	}
}

/* The device wedged right before the trigger (nothing is in flight). */
static void wedged_before_fire(struct hu_ctx *ctx, void *priv)
{
	struct hu_xe_hold *h = priv;

	hu_assert_f(!hu_xe_spin_busy(&h->spin), "the hung spinner runs "
		    "again at %s\n", hu_stage_name(ctx->stage));
	hu_info("device wedged at %s: every ioctl now gives ECANCELED\n",
		hu_stage_name(ctx->stage));
}

/* Releases; a device left wedged before its trigger is rebound. */
static int wedged_release(struct hu_ctx *ctx, void *priv)
{
	struct hu_xe_hold *h = priv;
	int err = hu_xe_hold_release(ctx, priv), e;

	if (!h->armed || ctx->gone)
		return err;	/* the trigger's rebind made a new instance */
	hu_info("rebinding %s: a failed subtest left it wedged\n",
		ctx->dev->pci_id.bdf);
	e = hu_trigger_unbind.fire(ctx->dev);
	if (!e)
		e = hu_trigger_unbind.recover(ctx->dev);
	if (e)
		e = hu_trigger_restore(ctx->dev, &hu_trigger_unbind);
	h->armed = false;
	return err ? err : e;
}

const struct hu_holder_ops hu_xe_holder_wedged = {
	.name = "wedged",
	.needs = HU_XE_NEEDS,
	.driver = "xe",
	.desc = "an Xe device wedged before the trigger: wedged_mode=2 "
		"(debugfs) and a short blitter job timeout make an unstopped "
		"non-copying spinner (in VRAM where there is VRAM) hang, exec "
		"on the hung queue must give ECANCELED; an fd, BOs and mmaps "
		"held",
	.priv_size = sizeof(struct hu_xe_hold),
	.unsupported = wedged_unsupported,
	.acquire = wedged_acquire,
	.before_fire = wedged_before_fire,
	.probe = hu_xe_hold_probe,
	.release = wedged_release,
	.kmsg_ignore = "xe [0-9a-f:.]+: .*([Ww]edged|[Tt]imedout job|"
		       "[Tt]imeout|GT reset|banned|[Hh]ang)",
};
