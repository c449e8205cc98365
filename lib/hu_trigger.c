// SPDX-License-Identifier: MIT
/* hu_trigger: the waits, and the PCI-level triggers. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hu_core.h"
#include "hu_device.h"
#include "hu_trigger.h"
#include "hu_udev.h"

static bool gone(void *data)
{
	const struct hu_device *dev = data;

	return !hu_device_present(dev) &&
	       (!dev->render[0] || access(dev->render, F_OK));
}

bool hu_trigger_device_back(struct hu_device *dev)
{
	return hu_device_refresh(dev) == 0 &&
	       (!dev->render[0] || access(dev->render, F_OK) == 0);
}

static bool back(void *data)
{
	return hu_trigger_device_back(data);
}

int hu_wait_gone(const struct hu_device *dev, int timeout_ms)
{
	struct hu_uwait *w = hu_uwait_new();
	int err;

	if (!w)
		return -errno;
	err = hu_uwait_until(w, gone, (void *)dev, timeout_ms, "device gone");
	hu_uwait_free(w);
	return err;
}

int hu_wait_back(struct hu_device *dev, int timeout_ms)
{
	struct hu_uwait *w = hu_uwait_new();
	int err;

	if (!w)
		return -errno;
	err = hu_uwait_until(w, back, dev, timeout_ms, "device back");
	hu_uwait_free(w);
	return err;
}

int __hu_act_and_wait(struct hu_device *dev, hu_action_t act, void *arg,
		      bool want_back, int timeout_ms)
{
	struct hu_uwait *w = hu_uwait_new();	/* before the action */
	int err;

	if (!w)
		return -errno;
	err = act(dev, arg);
	if (!err)
		err = hu_uwait_until(w, want_back ? back : gone, dev,
				     timeout_ms,
				     want_back ? "device back" : "device gone");
	hu_uwait_free(w);
	return err;
}

struct sysfs_write {
	const char *path, *val, *target;
	const struct hu_identity *rec;
	enum hu_id_expect expect;
};

static int do_write(struct hu_device *dev, void *arg)
{
	struct sysfs_write *sw = arg;

	return sw->target ? hu_sysfs_write_checked(sw->path, sw->val,
						   sw->target, sw->rec,
						   sw->expect)
			  : __hu_sysfs_write_bus(sw->path, sw->val);
}

int __hu_write_and_wait_gone(const struct hu_device *dev, const char *path,
			     const char *val, const char *target,
			     const struct hu_identity *rec,
			     enum hu_id_expect expect, int timeout_ms)
{
	struct sysfs_write sw = { path, val, target, rec, expect };

	return __hu_act_and_wait((struct hu_device *)dev, do_write, &sw, false,
				 timeout_ms);
}

int __hu_write_and_wait_back(struct hu_device *dev, const char *path,
			     const char *val, const char *target,
			     const struct hu_identity *rec,
			     enum hu_id_expect expect, int timeout_ms)
{
	struct sysfs_write sw = { path, val, target, rec, expect };

	return __hu_act_and_wait(dev, do_write, &sw, true, timeout_ms);
}

/* --- remove / rescan ------------------------------------------------- */

static int remove_fire(struct hu_device *dev)
{
	char path[HU_PATH_MAX];

	hu_fmt(path, sizeof(path), "%s/remove", dev->pci_path);
	return __hu_write_and_wait_gone(dev, path, "1", dev->pci_path,
					&dev->pci_id, HU_ID_BOUND,
					HU_GONE_TIMEOUT_MS);
}

static int rescan_hint(const struct hu_device *dev, char *buf, size_t len)
{
	return hu_fmt(buf, len, "echo 1 > /sys/bus/pci/rescan");
}

static int rescan(struct hu_device *dev)
{
	return __hu_write_and_wait_back(dev, "/sys/bus/pci/rescan", "1", NULL,
					NULL, HU_ID_ANY, HU_BACK_TIMEOUT_MS);
}

const struct hu_trigger hu_trigger_remove = {
	.name = "remove",
	.desc = "PCI remove of the device (sysfs remove), back by a bus rescan",
	.removes = true,
	.leaves_iommu_group = true,
	.needs = HU_NEED_PCI,
	.restore_rank = 5,
	.fire = remove_fire,
	.recover = rescan,
	.restore_hint = rescan_hint,
};

/* --- PCI driver unbind / bind ---------------------------------------- */

static int unbind_fire(struct hu_device *dev)
{
	char path[HU_PATH_MAX];

	hu_fmt(path, sizeof(path), "/sys/bus/pci/drivers/%s/unbind",
		 dev->pci_driver);
	return __hu_write_and_wait_gone(dev, path, dev->pci_id.bdf,
					dev->pci_path, &dev->pci_id,
					HU_ID_BOUND, HU_GONE_TIMEOUT_MS);
}

static int bind_hint(const struct hu_device *dev, char *buf, size_t len)
{
	return hu_fmt(buf, len, "echo %s > /sys/bus/pci/drivers/%s/bind",
		      dev->pci_id.bdf, dev->pci_driver);
}

static int bind(struct hu_device *dev)
{
	char path[HU_PATH_MAX];

	hu_fmt(path, sizeof(path), "/sys/bus/pci/drivers/%s/bind",
		 dev->pci_driver);
	return __hu_write_and_wait_back(dev, path, dev->pci_id.bdf,
					dev->pci_path, &dev->pci_id,
					HU_ID_UNBOUND, HU_BACK_TIMEOUT_MS);
}

const struct hu_trigger hu_trigger_unbind = {
	.name = "unbind",
	.desc = "PCI driver unbind of the device, back by bind",
	.removes = true,
	.needs = HU_NEED_PCI,
	.restore_rank = 2,
	.fire = unbind_fire,
	.recover = bind,
	.restore_hint = bind_hint,
};

/* --- unbind on the parent's own bus (virtio) ------------------------- */

static const char *need_bus(const struct hu_device *dev)
{
	char path[HU_PATH_MAX];

	if (!strcmp(dev->bus, "pci"))
		return "the DRM driver binds to the PCI device: same as unbind";
	hu_fmt(path, sizeof(path), "/sys/bus/%s/drivers/%s/unbind",
		 dev->bus, dev->driver);
	return access(path, W_OK) ? "the device's bus has no driver unbind" : NULL;
}

static int busunbind_fire(struct hu_device *dev)
{
	char path[HU_PATH_MAX];

	hu_fmt(path, sizeof(path), "/sys/bus/%s/drivers/%s/unbind",
		 dev->bus, dev->driver);
	return __hu_write_and_wait_gone(dev, path, dev->name, dev->drv_path,
					&dev->parent_id, HU_ID_BOUND,
					HU_GONE_TIMEOUT_MS);
}

static int busbind_hint(const struct hu_device *dev, char *buf, size_t len)
{
	return hu_fmt(buf, len, "echo %s > /sys/bus/%s/drivers/%s/bind",
		      dev->name, dev->bus, dev->driver);
}

static int busbind(struct hu_device *dev)
{
	char path[HU_PATH_MAX];

	hu_fmt(path, sizeof(path), "/sys/bus/%s/drivers/%s/bind",
		 dev->bus, dev->driver);
	return __hu_write_and_wait_back(dev, path, dev->name, dev->drv_path,
					&dev->parent_id, HU_ID_UNBOUND,
					HU_BACK_TIMEOUT_MS);
}

const struct hu_trigger hu_trigger_busunbind = {
	.name = "busunbind",
	.desc = "driver unbind on the device's own bus (virtio), back by bind",
	.removes = true,
	.restore_rank = 1,
	.unsupported = need_bus,
	.fire = busunbind_fire,
	.recover = busbind,
	.restore_hint = busbind_hint,
};

/* --- pciehp slot power ----------------------------------------------- */

/* The slot holding the device: its "address" is the BDF without ".F". */
static int find_slot(const struct hu_device *dev, char *out, size_t len)
{
	char want[32], path[HU_PATH_MAX], addr[64];
	struct dirent *de;
	DIR *d;
	int err = -ENOENT;

	hu_fmt(want, sizeof(want), "%s", dev->pci_id.bdf);
	if (strrchr(want, '.'))
		*strrchr(want, '.') = '\0';
	d = opendir("/sys/bus/pci/slots");
	if (!d)
		return -ENOENT;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		hu_fmt(path, sizeof(path), "/sys/bus/pci/slots/%s/address",
			 de->d_name);
		if (hu_sysfs_read(path, addr, sizeof(addr)) > 0 &&
		    !strcmp(addr, want)) {
			hu_fmt(out, len, "/sys/bus/pci/slots/%s", de->d_name);
			err = 0;
			break;
		}
	}
	closedir(d);
	return err;
}

/*
 * Is the device below a QEMU pcie-root-port (1b36:000c)? QEMU unplugs a
 * device when the guest powers its slot off (measured with QEMU 7.2: power
 * on then fails with ENODEV, the slot is empty), so slotoff would only end
 * in an abort there.
 */
static bool qemu_port(const struct hu_device *dev)
{
	char port[HU_PATH_MAX], val[16];
	int vendor = -1, device = -1;

	hu_fmt(port, sizeof(port), "%s/../vendor", dev->pci_path);
	if (hu_sysfs_read(port, val, sizeof(val)) > 0)
		vendor = (int)strtol(val, NULL, 16);
	hu_fmt(port, sizeof(port), "%s/../device", dev->pci_path);
	if (hu_sysfs_read(port, val, sizeof(val)) > 0)
		device = (int)strtol(val, NULL, 16);
	return vendor == 0x1b36 && device == 0x000c &&
	       !getenv("HU_SLOTOFF_ON_QEMU");
}

static const char *need_slot(const struct hu_device *dev)
{
	char slot[HU_PATH_MAX], power[HU_PATH_MAX + 8];

	if (find_slot(dev, slot, sizeof(slot)))
		return "the device is in no hotplug slot";
	hu_fmt(power, sizeof(power), "%s/power", slot);
	if (access(power, W_OK))
		return "its slot has no power control (pciehp)";
	if (qemu_port(dev))
		return "QEMU's pcie-root-port drops a device whose slot the "
		       "guest powers off: it could not come back "
		       "(HU_SLOTOFF_ON_QEMU=1 runs it anyway)";
	return NULL;
}

static int slot_power(struct hu_device *dev, bool on)
{
	char slot[HU_PATH_MAX], power[HU_PATH_MAX + 8], state[8];

	/* re-found every time: this is the identity check of a slot */
	if (find_slot(dev, slot, sizeof(slot))) {
		hu_warn("no slot holds %s any more\n", dev->pci_id.bdf);
		return -ESTALE;
	}
	hu_fmt(power, sizeof(power), "%s/power", slot);
	if (on && hu_sysfs_read(power, state, sizeof(state)) > 0 &&
	    !strcmp(state, "1"))
		return -EALREADY;
	if (on) {
		int err = __hu_write_and_wait_back(dev, power, "1", NULL, NULL,
						   HU_ID_ANY, HU_BACK_TIMEOUT_MS);
		char adapter[HU_PATH_MAX + 16], present[8] = "";

		hu_fmt(adapter, sizeof(adapter), "%s/adapter", slot);
		if (err && hu_sysfs_read(adapter, present, sizeof(present)) > 0 &&
		    !strcmp(present, "0"))
			hu_warn("slot %s is empty after its power-off: the "
				"platform took the device away (QEMU does), "
				"only the host can bring it back\n", slot);
		return err;
	}
	return __hu_write_and_wait_gone(dev, power, "0", dev->pci_path,
					&dev->pci_id, HU_ID_BOUND,
					HU_GONE_TIMEOUT_MS);
}

/* A slot's address is the BDF without the function. */
static int slot_on_hint(const struct hu_device *dev, char *buf, size_t len)
{
	char slot[32];

	hu_fmt(slot, sizeof(slot), "%s", dev->pci_id.bdf);
	if (strrchr(slot, '.'))
		*strrchr(slot, '.') = '\0';
	return hu_fmt(buf, len, "for s in /sys/bus/pci/slots/*; do "
		      "[ \"$(cat $s/address)\" = %s ] && "
		      "echo 1 > $s/power; done", slot);
}

static int slotoff_fire(struct hu_device *dev)
{
	return slot_power(dev, false);
}

static int slot_on(struct hu_device *dev)
{
	return slot_power(dev, true);
}

const struct hu_trigger hu_trigger_slotoff = {
	.name = "slotoff",
	.desc = "pciehp slot power off, back by power on",
	.removes = true,
	.leaves_iommu_group = true,
	.needs = HU_NEED_PCI,
	.restore_rank = 4,
	.unsupported = need_slot,
	.fire = slotoff_fire,
	.recover = slot_on,
	.restore_hint = slot_on_hint,
};
