// SPDX-License-Identifier: MIT
/*
 * The DMA-API debug oracle: on a kernel with CONFIG_DMA_API_DEBUG (the VM
 * lane's --kernel debug) every "DMA-API: ..." report naming the device's
 * PCI function in the kernel log since arming is a finding, with the
 * report's call chain and the mapping's ("Mapped at:"), and growth of
 * dma-api/error_count beyond the printed reports one more
 * (hu_iommu_dma_debug_parse()). While armed it raises dma-api/num_errors
 * (the kernel prints one report per boot by default) and restores it when
 * disarmed, or at exit.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "hu_core.h"
#include "hu_iommu_trace.h"
#include "hu_oracles.h"
#include "hu_tracefs.h"

#define DMA_DEBUG "/sys/kernel/debug/dma-api"
/* DMA-API reports printed while armed (the kernel's default: 1 per boot) */
#define DMA_DEBUG_SHOW "16"
#define DMA_LOG_MAX (4 << 20)

struct dma_priv {
	char bdf[32];
	long errors;		/* error_count when armed */
	long shown;		/* num_errors before arming, -1: untouched */
	int kmsg_fd;		/* the kernel log since arming, or -1 */
	char *log;		/* its records so far, one a line */
	size_t len;
};

static struct dma_priv *armed;	/* for the exit handler */

static long read_long(const char *path)
{
	char buf[32];
	FILE *f = fopen(path, "re");
	long v = -1;

	if (!f)
		return -1;
	if (fgets(buf, sizeof(buf), f))
		v = strtol(buf, NULL, 10);
	fclose(f);
	return v;
}

static bool debugfs_mounted(void)
{
	char line[512];
	bool found = false;
	FILE *f = fopen("/proc/self/mounts", "re");

	if (!f)
		return true;	/* cannot tell: do not mount over it */
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, " /sys/kernel/debug debugfs ") != NULL;
	fclose(f);
	return found;
}

static const char *dma_unsupported(const struct hu_device *dev)
{
	/* debugfs may not be mounted yet (a bare initramfs) */
	if (access(DMA_DEBUG, F_OK) && !debugfs_mounted())
		mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	return read_long(DMA_DEBUG "/error_count") < 0 ?
		"no DMA-API debug (CONFIG_DMA_API_DEBUG) in this kernel" : NULL;
}

static void restore_shown(struct dma_priv *s)
{
	char val[32];

	if (s->shown < 0)
		return;
	snprintf(val, sizeof(val), "%ld", s->shown);
	hu_tracefs_write(DMA_DEBUG, "num_errors", val, false);
	s->shown = -1;
}

static void exit_handler(int sig)
{
	if (armed)
		restore_shown(armed);
	armed = NULL;
}

static int dma_arm(struct hu_octx *ctx, void *p)
{
	static bool handler;
	struct dma_priv *s = p;

	hu_fmt(s->bdf, sizeof(s->bdf), "%s", ctx->dev->pci_id.bdf);
	s->errors = read_long(DMA_DEBUG "/error_count");
	if (s->errors < 0)
		return -ENOENT;
	/* its reports go to the kernel log, only num_errors per boot */
	s->shown = read_long(DMA_DEBUG "/num_errors");
	if (hu_tracefs_write(DMA_DEBUG, "num_errors", DMA_DEBUG_SHOW, false))
		s->shown = -1;
	s->kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (s->kmsg_fd >= 0)
		lseek(s->kmsg_fd, 0, SEEK_END);
	else
		hu_info("dma-debug oracle: no /dev/kmsg, counting errors only\n");
	armed = s;
	if (!handler)
		hu_install_exit_handler(exit_handler);
	handler = true;
	return 0;
}

/* Appends the kernel log records written since the last call to s->log. */
static void read_kmsg(struct dma_priv *s)
{
	char rec[8192];

	/* bounded: what one call can find is what was logged so far */
	for (int n = 0; s->kmsg_fd >= 0 && n < 1000000; n++) {
		ssize_t len = read(s->kmsg_fd, rec, sizeof(rec) - 1);
		size_t l;
		char *nl;

		if (len < 0 && errno == EPIPE)
			continue;	/* records overwritten meanwhile */
		if (len <= 0)
			break;
		rec[len] = '\0';
		l = strcspn(rec, "\n");	/* the rest: KEY=value lines */
		if (s->len + l + 2 > DMA_LOG_MAX)
			continue;	/* error_count still tells */
		nl = realloc(s->log, s->len + l + 2);
		if (!nl)
			continue;
		s->log = nl;
		memcpy(s->log + s->len, rec, l);
		s->len += l;
		s->log[s->len++] = '\n';
		s->log[s->len] = '\0';
	}
}

static enum hu_verdict dma_at(struct hu_octx *ctx, void *p,
			      enum hu_stage stage)
{
	struct dma_priv *s = p;
	const char *const devices[] = { s->bdf, NULL };
	struct hu_iommu_report *r;
	long now;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int n;

	read_kmsg(s);	/* at every stage: less for the log to overwrite */
	if (stage != HU_STAGE_END && stage != HU_STAGE_LEFT_REMOVED)
		return HU_PASS;
	r = calloc(1, sizeof(*r));
	if (!r)
		return HU_WARN;
	now = read_long(DMA_DEBUG "/error_count");
	n = hu_iommu_dma_debug_parse(s->log ? s->log : "", devices,
				     now >= 0 ? now - s->errors : -1, r);
	f = open_memstream(&buf, &len);
	if (f) {
		hu_iommu_report_print(r, f, "");
		fclose(f);
	}
	if (n)
		hu_warn("dma-debug oracle (%s): %d finding(s)\n%s",
			hu_stage_name(stage), n, buf ? buf : "");
	else
		hu_info("dma-debug oracle (%s): clean\n", hu_stage_name(stage));
	free(buf);
	free(r);
	return n ? HU_FAIL : HU_PASS;
}

static void dma_free(void *p)
{
	struct dma_priv *s = p;

	restore_shown(s);
	if (armed == s)
		armed = NULL;
	if (s->kmsg_fd >= 0)
		close(s->kmsg_fd);
	free(s->log);
}

const struct hu_oracle_ops hu_oracle_dma_debug = {
	.name = "dma-debug",
	.desc = "no DMA-API debug report (CONFIG_DMA_API_DEBUG) naming the "
		"device",
	.priv_size = sizeof(struct dma_priv),
	.needs = HU_NEED_PCI,
	.unsupported = dma_unsupported,
	.arm = dma_arm,
	.at = dma_at,
	.free = dma_free,
};
