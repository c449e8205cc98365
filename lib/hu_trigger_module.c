// SPDX-License-Identifier: MIT
/* hu_trigger_module: module unload while held, and removal by someone else. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hu_core.h"
#include "hu_device.h"
#include "hu_kmod.h"
#include "hu_trigger.h"

/* --- rmmod ----------------------------------------------------------- */

static const char *need_module(const struct hu_device *dev)
{
	return dev->module[0] ? NULL : "the driver is built in";
}

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
	.unsupported = need_module,
	.fire = rmmod_fire,
	.recover = rmmod_recover,
	.fire_unheld = rmmod_unheld,
};

/* --- external -------------------------------------------------------- */

static int default_request(const struct hu_device *dev, const char *what)
{
	const char *id = dev->pci_id.bdf[0] ? dev->pci_id.bdf : dev->name;

	printf("HU-EXTERNAL: %s %s\n", what, id);
	fflush(stdout);
	hu_kmsg(6, "HU-EXTERNAL: %s %s\n", what, id);
	return 0;
}

hu_external_request_t hu_external_request = default_request;

static const char *need_agent(const struct hu_device *dev)
{
	const char *e = getenv("HU_EXTERNAL");

	return e && !strcmp(e, "1") ? NULL
		: "no external agent removes devices here (HU_EXTERNAL=1 unset)";
}

static int request(struct hu_device *dev, void *arg)
{
	return hu_external_request(dev, arg);
}

#define HU_EXTERNAL_TIMEOUT_MS 120000

static int external_fire(struct hu_device *dev)
{
	return __hu_act_and_wait(dev, request, "remove", false,
				 HU_EXTERNAL_TIMEOUT_MS);
}

static int external_recover(struct hu_device *dev)
{
	return __hu_act_and_wait(dev, request, "add", true,
				 HU_EXTERNAL_TIMEOUT_MS);
}

const struct hu_trigger hu_trigger_external = {
	.name = "external",
	.desc = "removal by someone else (the VM host), asked for and waited "
		"for; back likewise",
	.removes = true,
	.unsupported = need_agent,
	.fire = external_fire,
	.recover = external_recover,
};
