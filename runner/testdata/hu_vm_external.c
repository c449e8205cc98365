// SPDX-License-Identifier: MIT
/*
 * Guest-only: host-side unplug through hu_vmhost.h. The host removes the GPU
 * with QMP device_del (the guest sees a pciehp attention button) while we
 * hold an fd, then re-adds it on another root port.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <xf86drm.h>

#include "hu_core.h"
#include "hu_vmhost.h"
#include "vm_guest.h"

HU_TEST_DESCRIPTION("VM lane: host-driven removal and re-add of a GPU.");

static int open_card(int minor)
{
	char p[64];

	snprintf(p, sizeof(p), "/dev/dri/card%d", minor);
	return open(p, O_RDWR | O_CLOEXEC);
}

/* DRM_IOCTL_VERSION with name buffer: 0 or -errno */
static int drm_version(int fd, char *name, size_t len)
{
	struct drm_version v = { .name = name, .name_len = len - 1 };

	memset(name, 0, len);
	return ioctl(fd, DRM_IOCTL_VERSION, &v) ? -errno : 0;
}

hu_main
{
	hu_describe("Host removes the GPU (QMP device_del) with an fd held: "
		    "ioctls on it fail with ENODEV, close works, the re-added GPU "
		    "opens with the same driver.");
	hu_subtest("host-remove-readd") {
		char id[32] = "", why[256], drv[64], drv2[64], path[PATH_MAX];
		int minor = -1, fd, ret, newm = -1;
		struct dirent *de;
		DIR *d;

		vm_require_guest();
		d = opendir("/sys/class/drm");
		while (d && (de = readdir(d))) {
			int m;

			if (sscanf(de->d_name, "card%d", &m) == 1 &&
			    !strchr(de->d_name, '-') &&
			    !hu_vmhost_id_for_card(m, id, sizeof(id))) {
				minor = m;
				break;
			}
		}
		if (d)
			closedir(d);
		hu_require_f(minor >= 0, "no GPU on a host root port");
		fd = open_card(minor);
		hu_assert_f(fd >= 0, "open card%d: %m", minor);
		hu_assert_eq(drm_version(fd, drv, sizeof(drv)), 0);
		hu_info("card%d (%s) is %s; asking the host to remove it\n", minor, drv, id);

		ret = hu_vmhost_remove(id, 30000, why, sizeof(why));
		hu_require_f(ret != -EOPNOTSUPP, "%s", why);
		hu_assert_f(ret == 0, "removal of %s: %d %s", id, ret, why);
		snprintf(path, sizeof(path), "/sys/class/drm/card%d", minor);
		hu_assert_f(access(path, F_OK) && errno == ENOENT,
			    "card%d still in sysfs after its PCI device went", minor);
		hu_assert_eq(drm_version(fd, drv2, sizeof(drv2)), -ENODEV);
		hu_assert_eq(close(fd), 0);

		ret = hu_vmhost_add(id, 30000, id, sizeof(id), &newm, why, sizeof(why));
		hu_assert_f(ret == 0, "re-add: %d %s", ret, why);
		fd = open_card(newm);
		hu_assert_f(fd >= 0, "open card%d: %m", newm);
		hu_assert_eq(drm_version(fd, drv2, sizeof(drv2)), 0);
		hu_assert_f(!strcmp(drv, drv2), "driver %s after re-add, was %s", drv2, drv);
		close(fd);
		hu_info("%s back as card%d (%s)\n", id, newm, why);
	}
}
