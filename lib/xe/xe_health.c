// SPDX-License-Identifier: MIT
/*
 * xe_health: the Xe health check of the scenario engine's rows
 * (struct hu_scenario.health): real blitter work on the device, not just
 * an open, so a recovered instance that cannot copy fails the subtest.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hu_core.h"
#include "xe/xe_holder.h"
#include "xe/xe_holder_priv.h"

/* Copies between system, VRAM and a malloc'd userptr, each compared. */
static int copies(struct hu_xe_ctx *ctx, char *why, size_t len)
{
	static const enum hu_xe_where pairs[][2] = {
		{ HU_XE_AT_SYS, HU_XE_AT_VRAM },
		{ HU_XE_AT_VRAM, HU_XE_AT_SYS },
		{ HU_XE_AT_USERPTR_MALLOC, HU_XE_AT_SYS },
	};
	int err = 0;

	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]) && !err; i++) {
		enum hu_xe_where from = pairs[i][0], to = pairs[i][1];

		if (!hu_xe_where_ok(&ctx->info, from))
			from = HU_XE_AT_SYS;
		if (!hu_xe_where_ok(&ctx->info, to))
			to = HU_XE_AT_SYS;
		err = hu_xe_copy_check(ctx, from, to, HU_XE_BUF_SIZE,
				       0x4ea1 + i, why, (int)len);
	}
	return err;
}

/* A copy spinner that starts, stops on request and leaves its copy. */
static int spinner(struct hu_xe_ctx *ctx, char *why, size_t len)
{
	struct hu_xe_buf src = { 0 }, dst = { 0 };
	struct hu_xe_spin spin = { 0 };
	int err;

	err = __hu_xe_buf_bo(ctx, &src, hu_xe_mem_best(&ctx->info),
			     HU_XE_SPIN_COPY, false);
	if (!err)
		err = __hu_xe_buf_bo(ctx, &dst, HU_XE_MEM_SYS, HU_XE_SPIN_COPY,
				     false);
	if (err) {
		hu_fmt(why, len, "spinner buffers: %s", strerror(-err));
		goto out;
	}
	hu_xe_fill(src.cpu, HU_XE_SPIN_COPY, 0x5917);
	memset(dst.cpu, 0, HU_XE_SPIN_COPY);
	err = __hu_xe_spin_start(ctx, &spin, &src, &dst, HU_XE_SPIN_COPY);
	if (err) {
		hu_fmt(why, len, "spinner submit: %s", strerror(-err));
		goto out;
	}
	if (!hu_xe_spin_wait_started(&spin, 5000)) {
		err = -ETIME;
		hu_fmt(why, len, "spinner did not start in 5 s");
		goto out;
	}
	hu_xe_spin_stop(&spin);
	if (hu_xe_spin_wait(&spin, HU_XE_FENCE_MS) != 1) {
		err = -EIO;
		hu_fmt(why, len, "spinner did not end cleanly");
	} else if (hu_xe_check(dst.cpu, HU_XE_SPIN_COPY, 0x5917) >= 0) {
		err = -EIO;
		hu_fmt(why, len, "spinner copy is wrong");
	}
out:
	if (spin.bo.handle && hu_xe_spin_busy(&spin)) {
		hu_xe_spin_stop(&spin);
		hu_xe_spin_wait(&spin, HU_XE_FENCE_MS);
	}
	hu_xe_spin_free(&spin);
	hu_xe_buf_free(ctx, &dst);
	hu_xe_buf_free(ctx, &src);
	return err;
}

int __hu_xe_health_check(const struct hu_device *dev, char *why, size_t len)
{
	struct hu_xe_ctx ctx;
	int fd, err;

	fd = open(dev->render, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		hu_fmt(why, len, "open %s: %s", dev->render, strerror(-err));
		return err;
	}
	memset(&ctx, 0, sizeof(ctx));
	err = __hu_xe_ctx_init(&ctx, fd, 0);
	if (err)
		hu_fmt(why, len, "VM and copy queue: %s", strerror(-err));
	if (!err)
		err = copies(&ctx, why, len);
	if (!err)
		err = spinner(&ctx, why, len);
	hu_xe_ctx_fini(&ctx);
	if (close(fd) && !err) {
		err = -errno;
		hu_fmt(why, len, "close: %s", strerror(-err));
	}
	if (!err)
		hu_info("Xe health check: ok (%s)\n",
			hu_xe_copy_cmd_name(ctx.copy_cmd));
	return err;
}
