// SPDX-License-Identifier: MIT
/* hu_device: finding the DRM device of --device, and finding it again. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libudev.h>

#include "hu_core.h"
#include "hu_device.h"
#include "hu_filter.h"

#define MAX_CARDS 64

static int by_index(const void *a, const void *b)
{
	const struct hu_device *x = a, *y = b;

	return x->card_index - y->card_index;
}

/* Every DRM card under @root, sorted by card index. */
static int enumerate(const char *root, struct hu_device *devs, int max)
{
	char dir[HU_PATH_MAX];
	int n = 0;

	if (!strcmp(root, "/sys")) {
		struct udev *udev = udev_new();
		struct udev_enumerate *e;
		struct udev_list_entry *l;

		if (!udev)
			return -ENOMEM;
		e = udev_enumerate_new(udev);
		udev_enumerate_add_match_subsystem(e, "drm");
		udev_enumerate_add_match_sysname(e, "card[0-9]*");
		udev_enumerate_scan_devices(e);
		udev_list_entry_foreach(l, udev_enumerate_get_list_entry(e)) {
			const char *sp = udev_list_entry_get_name(l);

			if (n < max && !hu_device_describe(root, sp, &devs[n]))
				n++;
		}
		udev_enumerate_unref(e);
		udev_unref(udev);
	} else {
		struct dirent *de;
		DIR *d;

		hu_fmt(dir, sizeof(dir), "%s/class/drm", root);
		d = opendir(dir);
		if (!d)
			return 0;
		while ((de = readdir(d)) && n < max) {
			char card[HU_PATH_MAX];

			if (strncmp(de->d_name, "card", 4))
				continue;
			hu_fmt(card, sizeof(card), "%s/%s", dir, de->d_name);
			if (!hu_device_describe(root, card, &devs[n]))
				n++;
		}
		closedir(d);
	}
	qsort(devs, n, sizeof(*devs), by_index);
	return n;
}

static bool path_under(const char *path, const char *top)
{
	size_t len = strlen(top);

	while (len > 1 && top[len - 1] == '/')
		len--;
	return !strncmp(path, top, len) && (path[len] == '\0' || path[len] == '/');
}

static bool match_one(const struct hu_filter *f, const struct hu_device *d)
{
	char real[PATH_MAX];

	switch (f->type) {
	case HU_FILTER_SYS:
		if (!realpath(f->path, real))
			hu_fmt(real, sizeof(real), "%s", f->path);
		return path_under(d->syspath, real);
	case HU_FILTER_DRM:
		if (!realpath(f->path, real))
			hu_fmt(real, sizeof(real), "%s", f->path);
		return !strcmp(real, d->card) || !strcmp(f->path, d->card) ||
		       (d->render[0] && (!strcmp(real, d->render) ||
					 !strcmp(f->path, d->render)));
	case HU_FILTER_PCI:
		if (!d->pci_path[0])
			return false;
		if (f->vendor != HU_FILTER_ANY && f->vendor != d->pci_id.vendor)
			return false;
		if (f->device != HU_FILTER_ANY && f->device != d->pci_id.device)
			return false;
		if (f->slot[0] && strcmp(f->slot, d->pci_id.bdf))
			return false;
		return true;
	}
	return false;
}

static bool listed(const struct hu_device *devs, int n, const struct hu_device *d)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(devs[i].card, d->card))
			return true;
	return false;
}

int hu_device_scan(const char *root, const char *filter,
		   struct hu_device *devs, int max, char *err, size_t errlen)
{
	struct hu_filter f[HU_FILTER_MAX];
	struct hu_device *all;
	int nf = 0, na, n = 0;

	if (filter) {
		nf = hu_filter_parse_list(filter, f, HU_FILTER_MAX, err, errlen);
		if (nf < 0)
			return -EINVAL;
	}
	all = calloc(MAX_CARDS, sizeof(*all));
	if (!all)
		return -ENOMEM;
	na = enumerate(root, all, MAX_CARDS);
	if (!filter) {
		/*
		 * Every candidate: what can be hot-unplugged is on PCI; vgem
		 * and other platform devices must be asked for.
		 */
		for (int i = 0; i < na && n < max; i++)
			if (all[i].pci_path[0])
				devs[n++] = all[i];
	}
	for (int k = 0; k < nf; k++) {
		int seen = 0;

		for (int i = 0; i < na && n < max; i++) {
			if (!match_one(&f[k], &all[i]))
				continue;
			/* pci:...,card=N picks the Nth match */
			if (f[k].type == HU_FILTER_PCI && f[k].card >= 0 &&
			    seen++ != f[k].card)
				continue;
			if (!listed(devs, n, &all[i]))
				devs[n++] = all[i];
		}
	}
	free(all);
	return n;
}

/* The IGT_DEVICE value that names @d alone: its PCI slot, else its node. */
static const char *filter_for(const struct hu_device *d, char *buf, size_t len)
{
	if (d->pci_id.bdf[0])
		hu_fmt(buf, len, "pci:slot=%s", d->pci_id.bdf);
	else
		hu_fmt(buf, len, "drm:%s", d->card);
	return buf;
}

__attribute__((format(printf, 4, 5)))
static size_t put(char *msg, size_t len, size_t at, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (at >= len)
		return at;
	va_start(ap, fmt);
	n = vsnprintf(msg + at, len - at, fmt, ap);
	va_end(ap);
	return n < 0 ? at : at + n;
}

/* One "IGT_DEVICE=... (card0 ...)" line per device, to copy from. */
static void list_devices(const struct hu_device *devs, int n, char *msg,
			 size_t len, size_t at)
{
	char f[HU_PATH_MAX], line[256];

	for (int i = 0; i < n; i++)
		at = put(msg, len, at, "  IGT_DEVICE=%s  (%s)\n",
			 filter_for(&devs[i], f, sizeof(f)),
			 hu_device_str(&devs[i], line, sizeof(line)));
}

int hu_device_choose(const char *filter, const struct hu_device *found,
		     int n, bool all, char *msg, size_t len)
{
	struct hu_filter f[HU_FILTER_MAX];
	bool asked_all = false;
	char err[256];
	int nf;

	msg[0] = '\0';
	if (n <= 0) {
		hu_fmt(msg, len, "no DRM device %s%s\n",
		       filter ? "matches filter " : "on PCI or virtio found",
		       filter ? filter : "");
		return 0;
	}
	if (!filter) {
		if (n == 1)
			return 1;
		/* IGT would open the first card node: maybe the display's */
		list_devices(found, n, msg, len,
			     put(msg, len, 0, "%d DRM devices on PCI and no "
				 "--device or IGT_DEVICE: not choosing one "
				 "(the first may drive the display); run again "
				 "with the one to unplug:\n", n));
		return 0;
	}
	nf = hu_filter_parse_list(filter, f, HU_FILTER_MAX, err, sizeof(err));
	for (int i = 0; i < nf; i++)
		asked_all |= f[i].card == HU_FILTER_CARD_ALL;
	asked_all |= nf > 1;
	if (n > 1 && !(all && asked_all)) {
		list_devices(found, n, msg, len,
			     put(msg, len, 0, "device filter '%s' matches %d "
				 "devices; name one%s:\n", filter, n,
				 all ? " or add card=all" : ""));
		return -EINVAL;
	}
	return n;
}

int hu_device_select(struct hu_device *devs, int max, bool all)
{
	const char *filter = hu_device_filter_string();
	static char msg[4096];
	struct hu_device *found;
	char err[256] = "";
	int n;

	/* count every match, not just @max, to refuse an ambiguous filter */
	found = calloc(MAX_CARDS, sizeof(*found));
	hu_assert(found);
	n = hu_device_scan("/sys", filter, found, MAX_CARDS, err, sizeof(err));
	if (n == -EINVAL) {
		hu_critical("bad device filter '%s': %s\n", filter, err);
		exit(HU_EXIT_INVALID);
	}
	n = hu_device_choose(filter, found, n, all, msg, sizeof(msg));
	if (n < 0) {
		hu_critical("%s", msg);
		exit(HU_EXIT_INVALID);
	}
	if (!n)
		free(found);
	hu_require_f(n > 0, "%s", msg);
	if (n > max) {
		hu_warn("%d devices match, using the first %d\n", n, max);
		n = max;
	}
	memcpy(devs, found, n * sizeof(*devs));
	free(found);
	return n;
}

static bool same_device(const struct hu_device *old, const struct hu_device *d)
{
	if (old->pci_id.bdf[0])
		return !strcmp(old->pci_id.bdf, d->pci_id.bdf) &&
		       old->pci_id.vendor == d->pci_id.vendor &&
		       old->pci_id.device == d->pci_id.device &&
		       !strcmp(old->bus, d->bus) &&
		       !strcmp(old->driver, d->driver);
	return !strcmp(old->syspath, d->syspath);
}

int hu_device_refresh(struct hu_device *dev)
{
	struct hu_device *all = calloc(MAX_CARDS, sizeof(*all));
	int n, ret = -ENODEV;

	if (!all)
		return -ENOMEM;
	n = enumerate("/sys", all, MAX_CARDS);
	for (int i = 0; i < n; i++) {
		if (!same_device(dev, &all[i]) || access(all[i].card, F_OK))
			continue;
		if (strcmp(all[i].card, dev->card))
			hu_info("device came back renumbered: %s -> %s\n",
				dev->card, all[i].card);
		*dev = all[i];
		ret = 0;
		break;
	}
	free(all);
	return ret;
}

bool hu_device_present(const struct hu_device *dev)
{
	char path[HU_PATH_MAX], real[PATH_MAX];

	if (access(dev->card, F_OK))
		return false;
	hu_fmt(path, sizeof(path), "/sys/class/drm/card%d/device",
		 dev->card_index);
	return realpath(path, real) && !strcmp(real, dev->syspath);
}

const char *hu_device_str(const struct hu_device *dev, char *buf, size_t len)
{
	/* a description for messages: cut rather than lost */
	snprintf(buf, len, "%s %s %s %04x:%04x %s (module %s, pci driver %s)",
		 dev->card + 9, dev->render[0] ? dev->render + 9 : "-",
		 dev->pci_id.bdf[0] ? dev->pci_id.bdf : dev->name,
		 dev->pci_id.vendor & 0xffff, dev->pci_id.device & 0xffff,
		 dev->driver[0] ? dev->driver : "(unbound)",
		 dev->module[0] ? dev->module : "built-in",
		 dev->pci_driver[0] ? dev->pci_driver : "-");
	return buf;
}
