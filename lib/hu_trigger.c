// SPDX-License-Identifier: MIT
/* hu_trigger: the waits, the registry, restore, and the PCI-level triggers. */
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

static bool back(void *data)
{
	struct hu_device *dev = data;

	return hu_device_refresh(dev) == 0 &&
	       (!dev->render[0] || access(dev->render, F_OK) == 0);
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

static const char *need_pci(const struct hu_device *dev)
{
	return dev->pci_path[0] ? NULL : "the device is not on PCI";
}

static int remove_fire(struct hu_device *dev)
{
	char path[HU_PATH_MAX];

	hu_fmt(path, sizeof(path), "%s/remove", dev->pci_path);
	return __hu_write_and_wait_gone(dev, path, "1", dev->pci_path,
					&dev->pci_id, HU_ID_BOUND,
					HU_GONE_TIMEOUT_MS);
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
	.unsupported = need_pci,
	.fire = remove_fire,
	.recover = rescan,
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
	.unsupported = need_pci,
	.fire = unbind_fire,
	.recover = bind,
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
	.unsupported = need_bus,
	.fire = busunbind_fire,
	.recover = busbind,
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

	if (!dev->pci_path[0])
		return "the device is not on PCI";
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
	.unsupported = need_slot,
	.fire = slotoff_fire,
	.recover = slot_on,
};

/* --- registry and restore -------------------------------------------- */

const struct hu_trigger *const hu_triggers[] = {
	&hu_trigger_remove,
	&hu_trigger_unbind,
	&hu_trigger_busunbind,
	&hu_trigger_slotoff,
	&hu_trigger_rmmod,
	&hu_trigger_external,
	NULL,
};

const struct hu_trigger *hu_trigger_find(const char *name)
{
	for (int i = 0; hu_triggers[i]; i++)
		if (!strcmp(hu_triggers[i]->name, name))
			return hu_triggers[i];
	return NULL;
}

int hu_trigger_restore(struct hu_device *dev, const struct hu_trigger *last)
{
	const struct hu_trigger *order[8];
	int n = 0, err = -ENODEV;

	if (back(dev))
		return 0;
	if (last)
		order[n++] = last;
	/* then from the least to the most disruptive */
	order[n++] = &hu_trigger_busunbind;
	order[n++] = &hu_trigger_unbind;
	order[n++] = &hu_trigger_rmmod;
	order[n++] = &hu_trigger_slotoff;
	order[n++] = &hu_trigger_remove;
	for (int i = 0; i < n; i++) {
		if (i > 0 && order[i] == last)
			continue;
		if (order[i] == &hu_trigger_external && !last)
			continue;
		hu_info("restoring %s with %s recovery\n", dev->name,
			order[i]->name);
		err = order[i]->recover(dev);
		if (!err && back(dev))
			return 0;
	}
	return err ? err : -ENODEV;
}
