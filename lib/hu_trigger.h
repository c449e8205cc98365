/* SPDX-License-Identifier: MIT */
/*
 * hu_trigger: ways to make a DRM device go away, and to bring it back.
 *
 *	remove		PCI remove; back with a bus rescan
 *	unbind		PCI driver unbind; back with bind
 *	busunbind	unbind on the device's own bus (virtio); back with bind
 *	slotoff		pciehp slot power off; back with power on
 *	rmmod		module unload while held: refused (EAGAIN/EBUSY) while
 *			files are open, done after the last close; back with load
 *	external	the VM host removes it (QEMU device_del): this side
 *			asks through hu_external_request() (lib/hu_vmhost.h
 *			protocol) and waits; it may come back at a new address
 *
 * fire() returns once the card node is gone (or, for rmmod, once the unload
 * was refused), recover() once it is back and @dev describes the new
 * instance (nodes may be renumbered), or HU_BACK_NEXT_BOOT when it can only
 * come back with the next boot of the machine (the VM host cannot hot-add
 * a cirrus-vga): recover() has then ended the run after the subtest
 * (hu_abort_after_subtest()). Every wait is a bounded wait on
 * uevents; every sysfs write re-checks the target's identity first.
 *
 * A trigger is one file (its struct and callbacks, with its facts: needs,
 * restore rank and hint, whether the device leaves its IOMMU group) and
 * one line in the registry, hu_triggers[] (lib/hu_triggers.c), which
 * restore and the tests walk. See docs/contributing.md.
 */
#ifndef HU_TRIGGER_H
#define HU_TRIGGER_H

#include <stdbool.h>
#include <stddef.h>

#include "hu_device.h"
#include "hu_part.h"
#include "hu_vmhost.h"

/* recover(): the device comes back only with the next boot */
#define HU_BACK_NEXT_BOOT	HU_VMHOST_NEXT_BOOT

struct hu_trigger {
	/* part of subtest names: [a-z]+ words joined by '-' */
	const char *name;
	const char *desc;	/* one line for --describe */
	bool removes;		/* false: the device stays until the last close */
	/*
	 * The PCI function is deleted (and leaves its IOMMU group), not
	 * only unbound from its driver: what the IOMMU oracle expects.
	 */
	bool leaves_iommu_group;
	unsigned int needs;	/* HU_NEED_* (hu_part.h) */
	/* QEMU device kinds the VM host cannot remove (HU_NEED_VMHOST) */
	const char *const *host_refuses;
	/*
	 * Restore after a failure tries the trigger that removed the device
	 * first, then the others from the lowest rank (least disruptive)
	 * up; 0: only ever tried as the one that removed it.
	 */
	int restore_rank;
	/* NULL if it can act on @dev, else why not (beyond its needs). */
	const char *(*unsupported)(const struct hu_device *dev);
	int (*fire)(struct hu_device *dev);		/* 0 or -errno */
	int (*recover)(struct hu_device *dev);		/* 0 or -errno */
	/* rmmod only: finish the removal once nothing holds the module. */
	int (*fire_unheld)(struct hu_device *dev);
	/* The command that brings @dev back, for a human (hu_fmt()'s return). */
	int (*restore_hint)(const struct hu_device *dev, char *buf, size_t len);
};

extern const struct hu_trigger hu_trigger_remove, hu_trigger_unbind,
	hu_trigger_busunbind, hu_trigger_slotoff, hu_trigger_rmmod,
	hu_trigger_external;

/* Every trigger, NULL-terminated, in the order subtests list them. */
extern const struct hu_trigger *const hu_triggers[];
const struct hu_trigger *hu_trigger_find(const char *name);

/* NULL if @t can act on @dev (its needs, then its own probe), else why not. */
const char *hu_trigger_unsupported(const struct hu_trigger *t,
				   const struct hu_device *dev);

/* Bounded waits (ms) for the card node to go / to come back. */
#define HU_GONE_TIMEOUT_MS	30000
#define HU_BACK_TIMEOUT_MS	60000
int hu_wait_gone(const struct hu_device *dev, int timeout_ms);
/* Refreshes @dev: true if its card (and render) node are back. */
bool hu_trigger_device_back(struct hu_device *dev);
/* Waits for the device to be back and refreshes @dev. */
int hu_wait_back(struct hu_device *dev, int timeout_ms);

/*
 * Brings @dev back whatever removed it (@last: the trigger that did, if
 * known; others are tried after it). 0, or -errno if it stays away: the
 * caller then aborts the run (exit 112).
 */
int hu_trigger_restore(struct hu_device *dev, const struct hu_trigger *last);

/*
 * The external trigger's request to whoever removes the device: @what is
 * "remove" or "add"; 0 once done, or -errno. The default speaks the VM
 * lane's protocol (lib/hu_vmhost.h); another lane may replace it. The
 * trigger is offered only where the lane maps the card to a host device.
 */
typedef int (*hu_external_request_t)(const struct hu_device *dev,
				     const char *what);
extern hu_external_request_t hu_external_request;


/* --- for the trigger files -------------------------------------------- */

/* Runs @act (0 or -errno) and waits for the device to go or be back. */
typedef int (*hu_action_t)(struct hu_device *dev, void *arg);
int __hu_act_and_wait(struct hu_device *dev, hu_action_t act, void *arg,
		      bool want_back, int timeout_ms);

/* Writes (identity-checked) and waits for the device to go; 0 or -errno. */
int __hu_write_and_wait_gone(const struct hu_device *dev, const char *path,
			     const char *val, const char *target,
			     const struct hu_identity *rec,
			     enum hu_id_expect expect, int timeout_ms);
/* Same for a recovery write: waits for the device to be back. */
int __hu_write_and_wait_back(struct hu_device *dev, const char *path,
			     const char *val, const char *target,
			     const struct hu_identity *rec,
			     enum hu_id_expect expect, int timeout_ms);

#endif /* HU_TRIGGER_H */
