// SPDX-License-Identifier: MIT
/*
 * Guest-only: what the debug kernel's checkers (runner/debug-kernel.sh)
 * hold at the end of a run. Put it last in a test list: kmemleak scans
 * only when asked (no automatic scan, which would land in whatever subtest
 * ran then), and DMA-API debug keeps counting over the whole boot. Both
 * skip on a kernel without them.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hu_core.h"
#include "hu_tracefs.h"
#include "vm_guest.h"

HU_TEST_DESCRIPTION("VM lane: kmemleak and DMA-API debug at the end of a run.");

#define DEBUGFS "/sys/kernel/debug"
#define KMEMLEAK DEBUGFS "/kmemleak"
#define DMA_API DEBUGFS "/dma-api"
#define MAX_LEAKS 512

/* Frames that make a leak ours: GPU, dma-buf, DMA mapping, IOMMU paths. */
static const char *const our_paths[] = {
	"drm", "virtio_gpu", "virtgpu", "dma_buf", "dma_fence", "dma_resv",
	"ttm_", "bochs", "qxl", "vgem", "cirrus", "iommu", "iova", "dma_map",
	"dma_alloc",
};

/* A number in a DMA-API debug file, -1 if unreadable. */
static long dma_api_long(const char *file)
{
	char *s;
	long v;

	if (hu_tracefs_read(DMA_API, file, &s, NULL))
		return -1;
	v = strtol(s, NULL, 10);
	free(s);
	return v;
}

static bool leak_is_ours(const char *entry, size_t len)
{
	const char *bt = memmem(entry, len, "backtrace", 9);

	if (!bt)
		return false;
	for (size_t i = 0; i < sizeof(our_paths) / sizeof(our_paths[0]); i++) {
		size_t n = strlen(our_paths[i]);

		for (const char *p = bt; p + n <= entry + len; p++)
			if (!memcmp(p, our_paths[i], n))
				return true;
	}
	return false;
}

static void kmemleak(void)
{
	int all = 0, ours = 0, shown = 0, ret;
	char *text, *p;

	vm_require_guest();
	hu_require_f(access(KMEMLEAK, F_OK) == 0,
		     "no %s: not a kernel with CONFIG_DEBUG_KMEMLEAK\n", KMEMLEAK);
	/* Twice, 2 s apart: an object referenced only from a register or a
	 * list in flux at the first scan is not reported by the second. */
	ret = vm_write_sysfs(KMEMLEAK, "scan");
	hu_assert_f(ret == 0, "kmemleak scan: %s (kmemleak is off: an early "
		    "error in the boot log?)\n", strerror(-ret));
	sleep(2);
	ret = vm_write_sysfs(KMEMLEAK, "scan");
	hu_assert_f(ret == 0, "kmemleak scan: %s\n", strerror(-ret));
	ret = hu_tracefs_read(DEBUGFS, "kmemleak", &text, NULL);
	hu_assert_f(ret == 0, "cannot read %s: %s\n", KMEMLEAK, strerror(-ret));

	/* entries: "unreferenced object 0x... (size N):" + comm, hex, backtrace */
	p = strstr(text, "unreferenced object");
	while (p) {
		char *next = strstr(p + 1, "unreferenced object");
		size_t len = next ? (size_t)(next - p) : strlen(p);
		bool mine = leak_is_ours(p, len);

		all++;
		ours += mine;
		/* ours in full, then a few others */
		if (mine || shown < 3) {
			hu_log(mine ? HU_LOG_WARN : HU_LOG_INFO,
			       "kmemleak%s:\n%.*s", mine ? " (GPU/DMA path)" : "",
			       (int)len, p);
			shown += !mine;
		}
		if (all >= MAX_LEAKS)
			break;
		p = next;
	}
	free(text);
	hu_info("kmemleak: %d unreferenced object(s), %d allocated in GPU, "
		"dma-buf, DMA or IOMMU paths\n", all, ours);
	hu_assert_f(ours == 0, "kmemleak: %d leak(s) from the paths under test "
		    "(above)\n", ours);
}

/* Does a device of that name exist on some bus? */
static bool device_exists(const char *name)
{
	char path[512];
	struct dirent *de;
	bool found = false;
	DIR *d = opendir("/sys/bus");

	while (d && !found && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/bus/%s/devices/%s", de->d_name, name);
		found = access(path, F_OK) == 0;
	}
	if (d)
		closedir(d);
	return found;
}

/* Non-printable bytes (a freed device's name is garbage) as '?'. */
static void printable(char *s)
{
	for (; *s; s++)
		if (*s < 0x20 || *s > 0x7e)
			*s = '?';
}

static void dma_api(void)
{
	long errors, disabled, free_min, total;
	char *dump, *line, *save = NULL;
	struct { char who[96]; int n; bool stale; } dev[32];
	int ndev = 0, entries = 0, stale = 0, ret;

	vm_require_guest();
	hu_require_f(access(DMA_API "/error_count", F_OK) == 0,
		     "no %s: not a kernel with CONFIG_DMA_API_DEBUG\n", DMA_API);
	errors = dma_api_long("error_count");
	free_min = dma_api_long("min_free_entries");
	total = dma_api_long("nr_total_entries");
	{
		/* a bool: "Y" or "N" */
		char *s;

		ret = hu_tracefs_read(DMA_API, "disabled", &s, NULL);
		hu_assert_f(ret == 0, "cannot read %s/disabled: %s\n", DMA_API,
			    strerror(-ret));
		disabled = s[0] == 'Y';
		free(s);
	}
	/*
	 * "DRIVER DEVICE TYPE idx N P=... D=... L=... cln=... DIR ERR", one
	 * line per live mapping. The kernel prints the device's names
	 * through the entry's device pointer: an entry of a device that was
	 * freed reads freed memory here (KASAN reports it).
	 */
	ret = hu_tracefs_read(DMA_API, "dump", &dump, NULL);
	hu_assert_f(ret == 0, "cannot read %s/dump: %s\n", DMA_API,
		    strerror(-ret));
	for (line = strtok_r(dump, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char drv[48] = "", name[48] = "", who[96];
		int i;

		if (sscanf(line, "%47s %47s", drv, name) != 2 ||
		    !strstr(line, " idx "))
			continue;
		entries++;
		snprintf(who, sizeof(who), "%s %s", drv, name);
		printable(who);
		for (i = 0; i < ndev && strcmp(dev[i].who, who); i++)
			;
		if (i == ndev && ndev < 32) {
			snprintf(dev[ndev].who, sizeof(dev[0].who), "%s", who);
			dev[ndev].n = 0;
			/* the DEVICE column is a name only if the line has
			 * both a driver and a name before the type */
			dev[ndev].stale = !device_exists(name);
			ndev++;
		}
		if (i < ndev) {
			dev[i].n++;
			stale += dev[i].stale;
		}
	}
	free(dump);
	hu_info("dma-api: error_count %ld, disabled %ld, entries %ld, "
		"min free %ld, %d live mapping(s)\n", errors, disabled, total,
		free_min, entries);
	for (int i = 0; i < ndev; i++)
		hu_log(dev[i].stale ? HU_LOG_WARN : HU_LOG_INFO,
		       "dma-api: %d live mapping(s) of %s%s\n", dev[i].n,
		       dev[i].who, dev[i].stale ? ": no such device any more" : "");
	/* the errors themselves were reported where they happened (kernel
	 * log, the IOMMU oracle); here: did the checker stay on, and does
	 * every live mapping belong to a device that still exists? */
	hu_warn_on_f(errors > 0, "dma-api: %ld error(s) in this boot "
		     "(reported by the subtests that made them)\n", errors);
	hu_assert_f(disabled == 0, "DMA-API debug disabled itself during the "
		    "run: its checks did not cover all of it\n");
	hu_assert_f(stale == 0, "%d live DMA mapping(s) of devices that no "
		    "longer exist (leaked by a removed device's driver)\n", stale);
}

hu_main
{
	hu_describe("Scans for kernel memory leaks (twice) and fails on "
		    "objects allocated in GPU, dma-buf, DMA or IOMMU paths.");
	hu_subtest("kmemleak")
		kmemleak();

	hu_describe("DMA-API debug's counters and live mappings per device; "
		    "fails if the checker switched itself off or a live "
		    "mapping belongs to a device that no longer exists.");
	hu_subtest("dma-api")
		dma_api();
}
