// SPDX-License-Identifier: MIT
/*
 * Guest-only: the VM lane's speed reference. Bare PCI remove + rescan +
 * reopen cycles with an fd held across the removal; every cycle checks the
 * old fd gets ENODEV and the new node answers. HU_VM_CYCLES (default 20).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <xf86drm.h>

#include "hu_core.h"
#include "vm_guest.h"

HU_TEST_DESCRIPTION("VM lane: remove/rescan/reopen cycle rate.");

static int version_errno(int fd)
{
	char name[64] = "";
	struct drm_version v = { .name = name, .name_len = sizeof(name) - 1 };

	return ioctl(fd, DRM_IOCTL_VERSION, &v) ? -errno : 0;
}

hu_main
{
	hu_describe("PCI remove with an fd held, rescan, reopen: N cycles, "
		    "prints cycles per minute.");
	hu_subtest("remove-rescan-reopen") {
		const char *env = getenv("HU_VM_CYCLES");
		int n = env ? atoi(env) : 20, minor, fd;
		char pci[PATH_MAX], p[PATH_MAX + 16];
		double t0;

		vm_require_guest();
		hu_require_f(n > 0 && n <= 10000, "HU_VM_CYCLES=%s", env);
		minor = vm_find_card("virtio_gpu");
		if (minor < 0)
			minor = vm_find_card(NULL);
		hu_require_f(minor >= 0, "no DRM card");
		t0 = vm_now();
		for (int i = 0; i < n; i++) {
			int nl = vm_uevent_open();

			hu_assert(nl >= 0);
			snprintf(p, sizeof(p), "/dev/dri/card%d", minor);
			fd = open(p, O_RDWR | O_CLOEXEC);
			hu_assert_f(fd >= 0, "cycle %d: open %s: %m", i, p);
			hu_assert_eq(vm_card_pci(minor, pci, sizeof(pci)), 0);
			snprintf(p, sizeof(p), "%s/remove", pci);
			hu_assert_eq(vm_write_sysfs(p, "1"), 0);
			hu_assert_eq(version_errno(fd), -ENODEV);
			hu_assert_eq(vm_write_sysfs("/sys/bus/pci/rescan", "1"), 0);
			minor = vm_wait_card_add(nl, 10000);
			close(nl);
			hu_assert_f(minor >= 0, "cycle %d: no card within 10 s", i);
			snprintf(p, sizeof(p), "/dev/dri/card%d", minor);
			hu_assert_eq(close(fd), 0);
			fd = open(p, O_RDWR | O_CLOEXEC);
			hu_assert_f(fd >= 0, "cycle %d: reopen %s: %m", i, p);
			hu_assert_eq(version_errno(fd), 0);
			close(fd);
		}
		hu_info("HU-BENCH cycles=%d seconds=%.2f per-minute=%.0f\n", n,
			vm_now() - t0, n * 60 / (vm_now() - t0));
	}
}
