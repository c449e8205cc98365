/* SPDX-License-Identifier: MIT */
/*
 * Helpers of the guest-only test programs of the VM lane. They write to
 * sysfs remove/rescan and sysrq: vm_require_guest() makes sure they only
 * ever do that inside a hotunplug-vm guest.
 */
#ifndef VM_GUEST_H
#define VM_GUEST_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/netlink.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "hu_core.h"

static inline bool vm_file_has(const char *path, const char *text)
{
	char buf[256] = "";
	FILE *f = fopen(path, "r");

	if (!f)
		return false;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	return strstr(buf, text) != NULL;
}

/* Skips unless this is a QEMU guest started by hotunplug-vm. */
static inline void vm_require_guest(void)
{
	hu_require_f(access("/hu/ctl/vm-devices", R_OK) == 0,
		     "not in a hotunplug-vm guest (no /hu/ctl/vm-devices)");
	hu_require_f(vm_file_has("/sys/class/dmi/id/sys_vendor", "QEMU"),
		     "not a QEMU machine");
}

/* First /dev/dri/cardN whose driver is drv (NULL: any); the minor or -1. */
static inline int vm_find_card(const char *drv)
{
	struct dirent *de;
	DIR *d = opendir("/sys/class/drm");
	int minor = -1;

	while (d && (de = readdir(d))) {
		char p[PATH_MAX], real[PATH_MAX];
		int m;

		if (sscanf(de->d_name, "card%d", &m) != 1 || strchr(de->d_name, '-'))
			continue;
		snprintf(p, sizeof(p), "/sys/class/drm/%s/device/driver", de->d_name);
		if (!realpath(p, real))
			continue;
		if (!drv || !strcmp(strrchr(real, '/') + 1, drv)) {
			minor = m;
			break;
		}
	}
	if (d)
		closedir(d);
	return minor;
}

/* The PCI device of card minor (virtio-gpu's DRM parent is a virtio dev). */
static inline int vm_card_pci(int minor, char *path, size_t len)
{
	char link[PATH_MAX];

	snprintf(link, sizeof(link), "/sys/class/drm/card%d/device", minor);
	if (!realpath(link, path))
		return -errno;
	if (strstr(strrchr(path, '/'), "virtio"))
		*strrchr(path, '/') = 0;
	(void)len;
	return 0;
}

/* Kernel uevents (no udevd in the guest): a netlink socket, group 1. */
static inline int vm_uevent_open(void)
{
	struct sockaddr_nl a = { .nl_family = AF_NETLINK, .nl_groups = 1 };
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT);

	if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a))) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Waits for "add" of a drm cardN; devtmpfs made the node before the event
 * was sent. Returns the minor, or -1 after timeout_ms.
 */
static inline int vm_wait_card_add(int nl, int timeout_ms)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct pollfd p = { .fd = nl, .events = POLLIN };
		char buf[8192];
		const char *c;
		long left;
		ssize_t n;
		int m;

		clock_gettime(CLOCK_MONOTONIC, &t);
		left = timeout_ms - ((t.tv_sec - t0.tv_sec) * 1000 +
				     (t.tv_nsec - t0.tv_nsec) / 1000000);
		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			return -1;
		n = recv(nl, buf, sizeof(buf) - 1, 0);
		if (n <= 0)
			continue;
		buf[n] = 0;	/* "add@/devices/.../drm/card1" */
		if (strncmp(buf, "add@", 4))
			continue;
		c = strrchr(buf, '/');
		if (c && sscanf(c, "/card%d", &m) == 1 && !strchr(c, '-'))
			return m;
	}
}

static inline int vm_write_sysfs(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	n = n < 0 ? -errno : 0;
	close(fd);
	return (int)n;
}

static inline double vm_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

#endif
