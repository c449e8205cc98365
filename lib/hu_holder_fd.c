// SPDX-License-Identifier: MIT
/* hu_holder_fd: idle card and render fds. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "hu_core.h"
#include "hu_drm.h"
#include "hu_holder.h"

struct fd_priv {
	int card, render;
};

static void fd_acquire(struct hu_ctx *ctx, void *p)
{
	struct fd_priv *s = p;

	s->card = s->render = -1;
	s->card = hu_drm_open(ctx->dev->card);
	hu_assert_f(s->card >= 0, "open %s: %s\n", ctx->dev->card,
		    strerror(-s->card));
	if (ctx->dev->render[0]) {
		s->render = hu_drm_open(ctx->dev->render);
		hu_assert_f(s->render >= 0, "open %s: %s\n", ctx->dev->render,
			    strerror(-s->render));
	}
}

static void fd_probe(struct hu_ctx *ctx, void *p)
{
	struct fd_priv *s = p;

	hu_probe_fd(s->card, true, ctx->gone, "held card fd");
	if (s->render >= 0)
		hu_probe_fd(s->render, false, ctx->gone, "held render fd");
}

static int fd_release(struct hu_ctx *ctx, void *p)
{
	struct fd_priv *s = p;
	int err = 0;

	hu_close(&s->render, &err);
	hu_close(&s->card, &err);
	return err;
}

const struct hu_holder_ops hu_holder_fd = {
	.name = "fd",
	.desc = "idle card and render fds",
	.priv_size = sizeof(struct fd_priv),
	.acquire = fd_acquire,
	.probe = fd_probe,
	.release = fd_release,
};
