// SPDX-License-Identifier: MIT
/* hu_trigger_external: removal by someone else, the VM lane's host. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hu_core.h"
#include "hu_device.h"
#include "hu_trigger.h"
#include "hu_udev.h"
#include "hu_vmhost.h"

#define HU_EXTERNAL_TIMEOUT_MS 60000

/* --- external: the VM lane's host (hu_vmhost.h) --------------------- */

/*
 * The GPU's QOM id is looked up from where @dev sits (its root port) each
 * time, never kept: a re-add gives the device a new id and a new address,
 * and the restore after a failed subtest, or in the next run (the /run
 * record), must find it just as the normal recovery does.
 */
static int vmhost_request(const struct hu_device *dev, const char *what)
{
	bool remove = !strcmp(what, "remove");
	char id[32], why[256] = "";
	int minor, err;

	err = hu_vmhost_id_for_pci(NULL, dev->pci_path, remove, id, sizeof(id));
	if (err) {
		hu_info("VM host %s of %s: the VM host lists no %s GPU under "
			"the root port of %s\n", what, dev->name,
			remove ? "present" : "removed", dev->pci_path);
		return err;
	}
	if (remove)
		err = hu_vmhost_remove(id, HU_EXTERNAL_TIMEOUT_MS, why,
				       sizeof(why));
	else
		err = hu_vmhost_add(id, HU_EXTERNAL_TIMEOUT_MS, NULL, 0, &minor,
				    why, sizeof(why));
	if (err == HU_VMHOST_NEXT_BOOT) {
		struct hu_vmhost_dev d;

		/* "HU-NEXT-BOOT": how the lane tells this abort is planned */
		hu_abort_after_subtest("HU-NEXT-BOOT: the VM host brings %s "
				       "back at the next boot (QEMU cannot "
				       "hot-add a %s; %s)\n", dev->name,
				       hu_vmhost_find(NULL, id, NULL, &d) ?
				       "device of this kind" : d.driver, why);
		return err;
	}
	hu_info("VM host %s of %s: %s (%s)\n", what, dev->name,
		err ? strerror(-err) : "done", why);
	return err;
}

hu_external_request_t hu_external_request = vmhost_request;

/* QEMU 7.2 and 11.1 refuse device_del for virtio-gpu-pci (measured) */
static const char *const host_refuses[] = { "virtio-gpu-pci", NULL };

static int device_add_hint(const struct hu_device *dev, char *buf, size_t len)
{
	return hu_fmt(buf, len, "ask the VM host to add it back (QEMU "
		      "device_add; a cirrus-vga, which QEMU cannot hot-add, "
		      "comes back with the next boot)");
}

static int request(struct hu_device *dev, void *arg)
{
	return hu_external_request(dev, arg);
}

static int external_fire(struct hu_device *dev)
{
	return __hu_act_and_wait(dev, request, "remove", false,
				 HU_EXTERNAL_TIMEOUT_MS);
}

/* The same kind of device as @old: it may come back at another address. */
static bool new_instance(void *data)
{
	struct hu_device *dev = data, d;
	char card[64];

	for (int i = 0; i < 64; i++) {
		hu_fmt(card, sizeof(card), "/sys/class/drm/card%d", i);
		if (hu_device_describe("/sys", card, &d) ||
		    d.pci_id.vendor != dev->pci_id.vendor ||
		    d.pci_id.device != dev->pci_id.device ||
		    strcmp(d.driver, dev->driver) || access(d.card, F_OK) ||
		    (d.render[0] && access(d.render, F_OK)))
			continue;
		if (strcmp(d.pci_id.bdf, dev->pci_id.bdf))
			hu_info("device came back at %s (was %s)\n",
				d.pci_id.bdf, dev->pci_id.bdf);
		*dev = d;
		return true;
	}
	return false;
}

static int external_recover(struct hu_device *dev)
{
	struct hu_uwait *w = hu_uwait_new();
	int err;

	if (!w)
		return -errno;
	err = hu_external_request(dev, "add");
	if (!err)
		err = hu_uwait_until(w, new_instance, dev,
				     HU_EXTERNAL_TIMEOUT_MS, "new instance");
	hu_uwait_free(w);
	return err;
}

const struct hu_trigger hu_trigger_external = {
	.name = "external",
	.desc = "removal by the VM host (QEMU device_del, pciehp attention "
		"button), asked for over the lane's virtio-serial port; back "
		"by device_add on another root port (cirrus-vga: removed with "
		"its bridge, back at the next boot, the run ends after the "
		"subtest)",
	.removes = true,
	.leaves_iommu_group = true,
	.needs = HU_NEED_PCI | HU_NEED_VMHOST,
	.host_refuses = host_refuses,
	.restore_rank = 0,	/* only the host can: never a guess */
	.fire = external_fire,
	.recover = external_recover,
	.restore_hint = device_add_hint,
};
