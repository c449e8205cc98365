// SPDX-License-Identifier: MIT
/*
 * Filter -> device matching on a fake sysfs tree, built here in a temporary
 * directory with the shape of the real one (class/drm/cardN symlinks into
 * devices/, device/driver/subsystem/module links).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hu_check.h"
#include "hu_device.h"

static char root[256];

static void mkdirs(const char *fmt, ...)
{
	char path[512], *p;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	for (p = path + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			mkdir(path, 0755);
			*p = '/';
		}
	mkdir(path, 0755);
}

static void put(const char *rel, const char *val)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	if (f) {
		fprintf(f, "%s\n", val);
		fclose(f);
	}
}

static void link_to(const char *target_rel, const char *link_rel)
{
	char t[512], l[512];

	snprintf(t, sizeof(t), "%s/%s", root, target_rel);
	snprintf(l, sizeof(l), "%s/%s", root, link_rel);
	if (symlink(t, l))
		perror(l);
}

/* A PCI function with a DRM card; @virtio: the driver binds below it. */
static void pci_gpu(const char *bdf, const char *vendor, const char *device,
		    const char *pci_drv, const char *drm_drv, int card,
		    int render, bool virtio)
{
	char dev[256], p[512], c[512];

	snprintf(dev, sizeof(dev), "devices/pci0000:00/0000:00:0%c.0/%s",
		 bdf[6], bdf);
	mkdirs("%s/%s/drm/card%d", root, dev, card);
	snprintf(p, sizeof(p), "%s/vendor", dev);
	put(p, vendor);
	snprintf(p, sizeof(p), "%s/device", dev);
	put(p, device);
	snprintf(p, sizeof(p), "%s/subsystem", dev);
	link_to("bus/pci", p);
	mkdirs("%s/bus/pci/drivers/%s", root, pci_drv);
	snprintf(p, sizeof(p), "%s/driver", dev);
	snprintf(c, sizeof(c), "bus/pci/drivers/%s", pci_drv);
	link_to(c, p);
	if (render >= 0)
		mkdirs("%s/%s/drm/renderD%d", root, dev, render);
	if (virtio) {
		mkdirs("%s/%s/virtio%d", root, dev, card);
		mkdirs("%s/bus/virtio/drivers/%s", root, drm_drv);
		snprintf(p, sizeof(p), "%s/virtio%d/subsystem", dev, card);
		link_to("bus/virtio", p);
		snprintf(p, sizeof(p), "%s/virtio%d/driver", dev, card);
		snprintf(c, sizeof(c), "bus/virtio/drivers/%s", drm_drv);
		link_to(c, p);
		mkdirs("%s/module/%s", root, drm_drv);
		snprintf(p, sizeof(p), "bus/virtio/drivers/%s/module", drm_drv);
		snprintf(c, sizeof(c), "module/%s", drm_drv);
		link_to(c, p);
	} else {
		mkdirs("%s/module/%s", root, drm_drv);
		snprintf(p, sizeof(p), "bus/pci/drivers/%s/module", pci_drv);
		snprintf(c, sizeof(c), "module/%s", drm_drv);
		link_to(c, p);
	}
	snprintf(p, sizeof(p), "%s/drm/card%d/device", dev, card);
	link_to(dev, p);
	snprintf(p, sizeof(p), "class/drm/card%d", card);
	snprintf(c, sizeof(c), "%s/drm/card%d", dev, card);
	link_to(c, p);
	/* connectors are not cards */
	snprintf(p, sizeof(p), "class/drm/card%d-Virtual-1", card);
	link_to(c, p);
}

static void build_tree(void)
{
	char p[512];

	snprintf(root, sizeof(root), "/tmp/hu-fake-sysfs.XXXXXX");
	if (!mkdtemp(root))
		exit(1);
	mkdirs("%s/class/drm", root);
	mkdirs("%s/bus/pci", root);
	mkdirs("%s/bus/virtio", root);
	mkdirs("%s/bus/platform/drivers/vgem", root);
	pci_gpu("0000:01:00.0", "0x1af4", "0x1050", "virtio-pci", "virtio_gpu",
		0, 128, true);
	pci_gpu("0000:02:00.0", "0x1234", "0x1111", "bochs-drm", "bochs",
		1, -1, false);
	/* vgem: a platform device, card2 + renderD130 */
	mkdirs("%s/devices/platform/vgem/drm/card2", root);
	mkdirs("%s/devices/platform/vgem/drm/renderD130", root);
	link_to("bus/platform", "devices/platform/vgem/subsystem");
	link_to("bus/platform/drivers/vgem", "devices/platform/vgem/driver");
	link_to("devices/platform/vgem", "devices/platform/vgem/drm/card2/device");
	link_to("devices/platform/vgem/drm/card2", "class/drm/card2");
	snprintf(p, sizeof(p), "%s", root);
}

static int scan(const char *filter, struct hu_device *d, int max)
{
	char err[256] = "";
	int n = hu_device_scan(root, filter, d, max, err, sizeof(err));

	if (n < 0)
		printf("# %s: %s\n", filter, err);
	return n;
}

static int choose(const char *filter, bool all, char *msg, size_t len)
{
	struct hu_device d[8];
	int n = scan(filter, d, 8);

	return hu_device_choose(filter, d, n, all, msg, len);
}

/* Whether a run without a filter may take a device, and which. */
static void default_rule(struct hu_device *d)
{
	char msg[4096], f[512], c[512];

	check_eq(choose(NULL, true, msg, sizeof(msg)), 0,
		 "no filter, two GPUs: nothing is taken");
	check(strstr(msg, "2 DRM devices on PCI") != NULL, "... and says why");
	check(strstr(msg, "IGT_DEVICE=pci:slot=0000:01:00.0  (card0 ") &&
	      strstr(msg, "IGT_DEVICE=pci:slot=0000:02:00.0  (card1 "),
	      "... with the IGT_DEVICE line of each candidate");

	check_eq(choose("pci:vendor=1af4", false, msg, sizeof(msg)), 1,
		 "a filter naming one of the two: taken");
	check_eq(choose("pci:card=all", true, msg, sizeof(msg)), 2,
		 "card=all where several are wanted: both");
	check_eq(choose("pci:card=all", false, msg, sizeof(msg)), -EINVAL,
		 "card=all where one is wanted: exit 79");
	snprintf(f, sizeof(f), "sys:%s/devices/pci0000:00", root);
	check_eq(choose(f, true, msg, sizeof(msg)), -EINVAL,
		 "a filter matching two without card=all: exit 79");
	check(strstr(msg, "matches 2 devices") &&
	      strstr(msg, "IGT_DEVICE=pci:slot=0000:02:00.0"),
	      "... listing both");
	check_eq(choose("drm:/dev/dri/card1;drm:/dev/dri/card2", true, msg,
			sizeof(msg)), 2, "two filters: both, vgem included");
	check_eq(choose("drm:/dev/dri/card1;drm:/dev/dri/card2", false, msg,
			sizeof(msg)), -EINVAL, "two filters where one is wanted");
	check(strstr(msg, "IGT_DEVICE=drm:/dev/dri/card2") != NULL,
	      "... vgem named by its node");
	check_eq(choose("pci:vendor=10de", true, msg, sizeof(msg)), 0,
		 "a filter matching nothing: skip");
	check(strstr(msg, "matches filter pci:vendor=10de") != NULL,
	      "... naming the filter");

	/* the bochs card goes: one GPU on PCI, plus vgem */
	snprintf(c, sizeof(c), "%s/class/drm/card1", root);
	unlink(c);
	check_eq(choose(NULL, true, msg, sizeof(msg)), 1,
		 "no filter, one GPU on PCI (vgem aside): taken");
	check(scan(NULL, d, 8) == 1 && !strcmp(d[0].card, "/dev/dri/card0"),
	      "... and it is card0");
	snprintf(c, sizeof(c), "%s/class/drm/card0", root);
	unlink(c);
	check_eq(choose(NULL, true, msg, sizeof(msg)), 0,
		 "no filter, only vgem: nothing");
	check(strstr(msg, "no DRM device on PCI") != NULL, "... and says so");
}

int main(void)
{
	struct hu_device d[8];
	char f[512];
	int n;

	build_tree();

	n = scan(NULL, d, 8);
	check_eq(n, 2, "no filter: both cards on PCI, not vgem");
	check_streq(d[0].card, "/dev/dri/card0", "no filter: in card order");
	check_streq(d[0].render, "/dev/dri/renderD128", "its render node");
	check_streq(d[0].pci_id.bdf, "0000:01:00.0", "its PCI address");
	check_eq(d[0].pci_id.vendor, 0x1af4, "vendor id");
	check_eq(d[0].pci_id.device, 0x1050, "device id");
	check_streq(d[0].pci_driver, "virtio-pci", "PCI driver");
	check_streq(d[0].bus, "virtio", "virtio-gpu: the driver binds on virtio");
	check_streq(d[0].name, "virtio0", "driver device name");
	check_streq(d[0].driver, "virtio_gpu", "DRM driver");
	check_streq(d[0].module, "virtio_gpu", "its module");

	n = scan("pci:vendor=1234", d, 8);
	check(n == 1 && !strcmp(d[0].card, "/dev/dri/card1"), "pci:vendor=1234 -> card1");
	check_streq(d[0].render, "", "bochs: no render node");
	check_streq(d[0].bus, "pci", "bochs binds on PCI");
	check_streq(d[0].module, "bochs", "bochs module");

	n = scan("pci:slot=0000:02:00.0", d, 8);
	check(n == 1 && !strcmp(d[0].card, "/dev/dri/card1"), "pci:slot -> card1");
	n = scan("pci:slot=2:0.0", d, 8);
	check(n == 1 && !strcmp(d[0].card, "/dev/dri/card1"), "short slot form");

	n = scan("pci:vendor=1af4,device=1050", d, 8);
	check(n == 1 && !strcmp(d[0].card, "/dev/dri/card0"), "vendor+device -> card0");
	n = scan("pci:vendor=1af4,device=1051", d, 8);
	check_eq(n, 0, "wrong device id: nothing");

	n = scan("pci:card=1", d, 8);
	check(n == 1 && !strcmp(d[0].card, "/dev/dri/card1"), "pci:card=1 -> second PCI card");
	n = scan("pci:card=all", d, 8);
	check_eq(n, 2, "pci:card=all -> both PCI cards");
	n = scan("pci:vendor=1af4", d, 8);
	check_eq(n, 1, "one match without card=");

	snprintf(f, sizeof(f), "sys:%s/devices/pci0000:00", root);
	n = scan(f, d, 8);
	check_eq(n, 2, "sys: of a parent: every device below it");
	snprintf(f, sizeof(f), "sys:%s/devices/pci0000:00/0000:00:02.0/0000:02:00.0", root);
	n = scan(f, d, 8);
	check(n == 1 && !strcmp(d[0].card, "/dev/dri/card1"), "sys: of the device");
	snprintf(f, sizeof(f), "sys:%s/devices/pci0000:00/0000:00:0", root);
	check_eq(scan(f, d, 8), 0, "sys: matches whole path components only");
	snprintf(f, sizeof(f), "sys:%s/devices/platform/vgem", root);
	n = scan(f, d, 8);
	check(n == 1 && !strcmp(d[0].card, "/dev/dri/card2"), "vgem by sys: path");
	check_streq(d[0].pci_id.bdf, "", "vgem is not on PCI");

	n = scan("drm:/dev/dri/card1", d, 8);
	check(n == 1 && !strcmp(d[0].card, "/dev/dri/card1"), "drm: card node");
	n = scan("drm:/dev/dri/renderD128", d, 8);
	check(n == 1 && !strcmp(d[0].card, "/dev/dri/card0"), "drm: render node");
	n = scan("drm:/dev/dri/card1;pci:vendor=1af4", d, 8);
	check_eq(n, 2, "two filters: two devices");
	n = scan("drm:/dev/dri/card1;pci:vendor=1234", d, 8);
	check_eq(n, 1, "two filters naming one device: once");

	check_eq(scan("foo:bar", d, 8), -EINVAL, "unknown filter type");
	check_eq(scan("pci:vendor=zz", d, 8), -EINVAL, "bad vendor id");

	default_rule(d);

	if (fork() == 0)
		execlp("rm", "rm", "-rf", root, NULL);
	return check_done();
}
