// SPDX-License-Identifier: MIT
/* hu_trigger_module: module unload while held. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hu_core.h"
#include "hu_device.h"
#include "hu_kmod.h"
#include "hu_trigger.h"

/* --- rmmod ----------------------------------------------------------- */

/* With files open the unload must be refused, and nothing may go away. */
static int rmmod_fire(struct hu_device *dev)
{
	char holders[256];
	int err = __hu_kmod_unload(dev->module);

	hu_info("unload of %s while held: %s (%s)\n", dev->module,
		err ? strerror(-err) : "done",
		hu_kmod_holders(dev->module, holders, sizeof(holders)));
	if (err == -EAGAIN || err == -EBUSY)
		return 0;
	return err ? err : -EPROTO;	/* an unload that went through */
}

static int unload(struct hu_device *dev, void *arg)
{
	return __hu_kmod_unload(dev->module);
}

static int rmmod_unheld(struct hu_device *dev)
{
	return __hu_act_and_wait(dev, unload, NULL, false, HU_GONE_TIMEOUT_MS);
}

static int load(struct hu_device *dev, void *arg)
{
	return __hu_kmod_load(dev->module, NULL);
}

static int modprobe_hint(const struct hu_device *dev, char *buf, size_t len)
{
	return hu_fmt(buf, len, "modprobe %s", dev->module);
}

static int rmmod_recover(struct hu_device *dev)
{
	if (!dev->module[0] || hu_kmod_is_loaded(dev->module))
		return -EALREADY;
	return __hu_act_and_wait(dev, load, NULL, true, HU_BACK_TIMEOUT_MS);
}

const struct hu_trigger hu_trigger_rmmod = {
	.name = "rmmod",
	.desc = "module unload: refused while held, done after the last close, "
		"back by load",
	.removes = false,
	.needs = HU_NEED_MODULE,
	.restore_rank = 3,
	.fire = rmmod_fire,
	.recover = rmmod_recover,
	.fire_unheld = rmmod_unheld,
	.restore_hint = modprobe_hint,
};
