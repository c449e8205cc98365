// SPDX-License-Identifier: MIT
/* hu_device_sysfs: identities and descriptions read straight from sysfs. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hu_core.h"
#include "hu_device.h"

int hu_fmt(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < len)
		return n;
	/* the runner's vm_fmt() dies here with the same words */
	hu_warn("too long: %.80s...\n", len ? buf : "");
	if (len)
		buf[0] = '\0';
	return -ENAMETOOLONG;
}

bool hu_identity_check(const struct hu_identity *rec,
		       const struct hu_identity *now, enum hu_id_expect expect,
		       char *why, size_t whylen)
{
	if (strcmp(rec->name, now->name)) {
		snprintf(why, whylen, "device name is '%s', expected '%s'",
			 now->name, rec->name);
		return false;
	}
	if (strcmp(rec->bdf, now->bdf)) {
		snprintf(why, whylen, "PCI address is '%s', expected '%s'",
			 now->bdf, rec->bdf);
		return false;
	}
	if (rec->vendor != now->vendor || rec->device != now->device) {
		snprintf(why, whylen, "%s ids are %04x:%04x, expected %04x:%04x",
			 now->name, now->vendor & 0xffff, now->device & 0xffff,
			 rec->vendor & 0xffff, rec->device & 0xffff);
		return false;
	}
	switch (expect) {
	case HU_ID_BOUND:
		if (!rec->driver[0] || strcmp(rec->driver, now->driver)) {
			snprintf(why, whylen, "%s is bound to '%s', expected '%s'",
				 now->name, now->driver, rec->driver);
			return false;
		}
		break;
	case HU_ID_UNBOUND:
		if (now->driver[0]) {
			snprintf(why, whylen, "%s is bound to '%s', expected no driver",
				 now->name, now->driver);
			return false;
		}
		break;
	case HU_ID_ANY:
		if (now->driver[0] && strcmp(rec->driver, now->driver)) {
			snprintf(why, whylen, "%s is bound to '%s', expected '%s' or none",
				 now->name, now->driver, rec->driver);
			return false;
		}
		break;
	}
	if (whylen)
		why[0] = '\0';
	return true;
}

int hu_sysfs_read(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	if (!len)
		return -EINVAL;
	buf[0] = '\0';
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0) {
		n = -errno;
		close(fd);
		return n;
	}
	close(fd);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		n--;
	buf[n] = '\0';
	return n;
}

int hu_sysfs_link_name(const char *dir, const char *link, char *buf, size_t len)
{
	char path[HU_PATH_MAX], target[HU_PATH_MAX];
	const char *base;
	ssize_t n;

	buf[0] = '\0';
	hu_fmt(path, sizeof(path), "%s/%s", dir, link);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	hu_fmt(buf, len, "%s", base);
	return 0;
}

static int read_hex(const char *dir, const char *attr)
{
	char path[HU_PATH_MAX], val[32];

	hu_fmt(path, sizeof(path), "%s/%s", dir, attr);
	if (hu_sysfs_read(path, val, sizeof(val)) <= 0)
		return -1;
	return (int)strtol(val, NULL, 16);
}

/* The PCI function at or above @syspath, into @out ("" if none). */
static void find_pci(const char *syspath, char *out, size_t len)
{
	char p[HU_PATH_MAX], sub[64];
	char *slash;

	hu_fmt(p, sizeof(p), "%s", syspath);
	out[0] = '\0';
	while (p[0] && strcmp(p, "/")) {
		if (hu_sysfs_link_name(p, "subsystem", sub, sizeof(sub)) == 0 &&
		    !strcmp(sub, "pci")) {
			hu_fmt(out, len, "%s", p);
			return;
		}
		slash = strrchr(p, '/');
		if (!slash)
			break;
		*slash = '\0';
	}
}

static const char *base_name(const char *path)
{
	const char *b = strrchr(path, '/');

	return b ? b + 1 : path;
}

int hu_identity_read(const char *syspath, struct hu_identity *id)
{
	char pci[HU_PATH_MAX];

	memset(id, 0, sizeof(*id));
	id->vendor = id->device = -1;
	if (access(syspath, F_OK))
		return -errno;
	hu_fmt(id->name, sizeof(id->name), "%s", base_name(syspath));
	find_pci(syspath, pci, sizeof(pci));
	if (pci[0]) {
		hu_fmt(id->bdf, sizeof(id->bdf), "%s", base_name(pci));
		id->vendor = read_hex(pci, "vendor");
		id->device = read_hex(pci, "device");
	}
	hu_sysfs_link_name(syspath, "driver", id->driver, sizeof(id->driver));
	return 0;
}

static void find_render(const char *syspath, char *out, size_t len)
{
	char dir[HU_PATH_MAX];
	struct dirent *de;
	DIR *d;

	out[0] = '\0';
	hu_fmt(dir, sizeof(dir), "%s/drm", syspath);
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d)))
		if (!strncmp(de->d_name, "renderD", 7)) {
			hu_fmt(out, len, "/dev/dri/%s", de->d_name);
			break;
		}
	closedir(d);
}

/*
 * virtio-gpu's card hangs off the PCI function, but virtio_gpu binds to the
 * virtio device below it: that one, if there is one with a driver.
 */
static void find_driver_device(const char *syspath, char *out, size_t len)
{
	char sub[64], drv[64], child[HU_PATH_MAX];
	struct dirent *de;
	DIR *d = opendir(syspath);

	hu_fmt(out, len, "%s", syspath);
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "virtio", 6))
			continue;
		hu_fmt(child, sizeof(child), "%s/%s", syspath, de->d_name);
		if (!hu_sysfs_link_name(child, "subsystem", sub, sizeof(sub)) &&
		    !strcmp(sub, "virtio") &&
		    !hu_sysfs_link_name(child, "driver", drv, sizeof(drv))) {
			hu_fmt(out, len, "%s", child);
			break;
		}
	}
	closedir(d);
}

int hu_device_describe(const char *root, const char *card_dir,
		       struct hu_device *dev)
{
	char path[HU_PATH_MAX], drvdir[HU_PATH_MAX];
	const char *base = base_name(card_dir);

	(void)root;
	memset(dev, 0, sizeof(*dev));
	if (sscanf(base, "card%d", &dev->card_index) != 1 ||
	    strchr(base, '-'))
		return -EINVAL;
	hu_fmt(dev->card, sizeof(dev->card), "/dev/dri/%s", base);
	hu_fmt(path, sizeof(path), "%s/device", card_dir);
	if (!realpath(path, dev->syspath))
		return -errno;
	find_driver_device(dev->syspath, dev->drv_path, sizeof(dev->drv_path));
	hu_fmt(dev->name, sizeof(dev->name), "%s", base_name(dev->drv_path));
	hu_sysfs_link_name(dev->drv_path, "subsystem", dev->bus, sizeof(dev->bus));
	hu_sysfs_link_name(dev->drv_path, "driver", dev->driver,
			   sizeof(dev->driver));
	hu_fmt(drvdir, sizeof(drvdir), "%s/driver", dev->drv_path);
	hu_sysfs_link_name(drvdir, "module", dev->module, sizeof(dev->module));
	find_render(dev->syspath, dev->render, sizeof(dev->render));
	find_pci(dev->syspath, dev->pci_path, sizeof(dev->pci_path));
	if (dev->pci_path[0]) {
		hu_sysfs_link_name(dev->pci_path, "driver", dev->pci_driver,
				   sizeof(dev->pci_driver));
		hu_identity_read(dev->pci_path, &dev->pci_id);
	} else {
		dev->pci_id.vendor = dev->pci_id.device = -1;
	}
	return hu_identity_read(dev->drv_path, &dev->parent_id);
}

int hu_sysfs_write(const char *path, const char *val, int flags)
{
	size_t len = strlen(val);
	ssize_t n;
	int fd, err = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC | flags);
	if (fd < 0)
		return -errno;
	n = write(fd, val, len);
	if (n < 0)
		err = -errno;
	else if ((size_t)n != len)
		err = -EIO;
	close(fd);
	return err;
}

/* Every write that changes a device is in the debug log and the kernel's. */
static int logged_write(const char *path, const char *val)
{
	int err;

	hu_debug("sysfs: %s <- %s\n", path, val);
	hu_kmsg(7, "writing '%s' to %s\n", val, path);
	err = hu_sysfs_write(path, val, 0);
	if (err)
		hu_debug("sysfs: %s: %s\n", path, strerror(-err));
	return err;
}

int hu_sysfs_write_checked(const char *path, const char *val,
			   const char *target, const struct hu_identity *rec,
			   enum hu_id_expect expect)
{
	struct hu_identity now;
	char why[256];
	int err;

	err = hu_identity_read(target, &now);
	if (err) {
		hu_warn("not writing '%s' to %s: %s is gone (%s)\n", val, path,
			target, strerror(-err));
		return -ESTALE;
	}
	if (!hu_identity_check(rec, &now, expect, why, sizeof(why))) {
		hu_warn("not writing '%s' to %s: %s\n", val, path, why);
		return -ESTALE;
	}
	return logged_write(path, val);
}

/* Bus-wide files (rescan, a slot whose address the caller checked). */
int __hu_sysfs_write_bus(const char *path, const char *val)
{
	return logged_write(path, val);
}
