// SPDX-License-Identifier: MIT
/*
 * hu_triggers: the trigger registry (one line per trigger), and the
 * restore that walks it by the triggers' own restore ranks.
 */
#include <errno.h>
#include <string.h>

#include "hu_core.h"
#include "hu_trigger.h"
#include "hu_vmhost.h"

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

/* Does the VM host hold @dev as a device kind @t says it cannot remove? */
static const char *host_refuses(const struct hu_trigger *t,
				const struct hu_device *dev)
{
	static char why[96];
	struct hu_vmhost_dev d;
	char id[32];

	if (!t->host_refuses ||
	    hu_vmhost_id_for_pci(NULL, dev->pci_path, true, id, sizeof(id)) ||
	    hu_vmhost_find(NULL, id, NULL, &d))
		return NULL;
	for (int i = 0; t->host_refuses[i]; i++) {
		if (strcmp(d.driver, t->host_refuses[i]))
			continue;
		hu_fmt(why, sizeof(why), "the VM host cannot remove a %s",
		       d.driver);
		return why;
	}
	return NULL;
}

const char *hu_trigger_unsupported(const struct hu_trigger *t,
				   const struct hu_device *dev)
{
	const char *why = hu_need_unmet(t->needs, NULL, dev);

	if (!why && (t->needs & HU_NEED_VMHOST))
		why = host_refuses(t, dev);
	if (!why && t->unsupported)
		why = t->unsupported(dev);
	return why;
}

int hu_trigger_restore(struct hu_device *dev, const struct hu_trigger *last)
{
	const struct hu_trigger *order[16];
	int n = 0, err = -ENODEV;

	if (hu_trigger_device_back(dev))
		return 0;
	if (last)
		order[n++] = last;
	/* then from the least to the most disruptive (insertion by rank) */
	for (int i = 0; hu_triggers[i] && n < 16; i++) {
		const struct hu_trigger *t = hu_triggers[i];
		int j = n;

		if (t == last || !t->restore_rank)
			continue;
		while (j > (last ? 1 : 0) &&
		       order[j - 1]->restore_rank > t->restore_rank) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = t;
		n++;
	}
	for (int i = 0; i < n; i++) {
		hu_info("restoring %s with %s recovery\n", dev->name,
			order[i]->name);
		err = order[i]->recover(dev);
		if (!err && hu_trigger_device_back(dev))
			return 0;
		/* the VM host re-creates it at the next boot: nothing else can */
		if (err == HU_BACK_NEXT_BOOT)
			return err;
	}
	return err ? err : -ENODEV;
}
