/* SPDX-License-Identifier: MIT */
/*
 * hu_device: the DRM device a test was given, as sysfs sees it.
 *
 * A DRM card hangs off a parent device: a PCI function for most GPUs (and
 * for virtio-gpu), a platform device for vgem. The DRM driver binds to that
 * parent, except on virtio, where it binds to the virtio device below the
 * PCI function. Hot-unplug triggers act on the PCI function or on the
 * device the DRM driver binds to, so both are recorded:
 *
 *	card0 -> /sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0
 *		 driver device: virtio0, bus virtio, driver virtio_gpu,
 *				module virtio_gpu
 *		 pci:		0000:01:00.0, 1af4:1050, driver virtio-pci
 *
 * After a removal and recovery the nodes may come back renumbered (card1,
 * renderD129): hu_device_refresh() finds them again by PCI address.
 *
 * Before every sysfs write a trigger re-reads the target's identity and
 * compares it with the recorded one (hu_identity_check()), so a test never
 * writes to a device it was not given.
 */
#ifndef HU_DEVICE_H
#define HU_DEVICE_H

#include <stdbool.h>
#include <stddef.h>

#define HU_PATH_MAX 512

/* What identifies the target of a sysfs write. */
struct hu_identity {
	char bdf[32];		/* PCI address, "" if not on PCI */
	int vendor, device;	/* PCI ids, -1 if not on PCI */
	char name[64];		/* sysfs name of the target (= bdf for PCI) */
	char driver[64];	/* driver bound to the target, "" if unbound */
};

/* What the driver field must look like for a write to go ahead. */
enum hu_id_expect {
	HU_ID_BOUND,		/* bound to the recorded driver (unbind, remove) */
	HU_ID_UNBOUND,		/* bound to nothing (bind) */
	HU_ID_ANY,		/* either (slot power, where the device is away) */
};

struct hu_device {
	int card_index;			/* N of cardN */
	char card[64];			/* /dev/dri/cardN */
	char render[64];		/* /dev/dri/renderDN, "" if none */
	char syspath[HU_PATH_MAX];	/* the card's parent device (realpath) */
	char drv_path[HU_PATH_MAX];	/* the device the DRM driver binds to */
	char bus[32];			/* its subsystem: pci, virtio, platform */
	char name[64];			/* its sysfs name: 0000:01:00.0, virtio0 */
	char driver[64];		/* its driver: virtio_gpu, bochs-drm */
	char module[64];		/* the driver's module, "" if built in */
	char pci_path[HU_PATH_MAX];	/* PCI function at or above it, or "" */
	char pci_driver[64];		/* driver of that function: virtio-pci */
	struct hu_identity pci_id;	/* identity of the PCI function */
	struct hu_identity parent_id;	/* identity of the driver device */
};

/* --- pure helpers (unit-tested) --------------------------------------- */

/*
 * hu_fmt - snprintf for paths, names and commands, never truncated: a
 * path cut short can name another file. What does not fit leaves @buf
 * empty, logs a warning and returns -ENAMETOOLONG (the VM lane's vm_fmt()
 * dies instead: the same rule, a host program's way of keeping it).
 * Returns the length written otherwise. Messages that may be cut use
 * snprintf.
 */
__attribute__((format(printf, 3, 4)))
int hu_fmt(char *buf, size_t len, const char *fmt, ...);

/*
 * Compares the identity recorded at selection with a fresh one. Returns
 * true if they name the same device in the state @expect asks for;
 * otherwise false with the reason in @why.
 */
bool hu_identity_check(const struct hu_identity *rec,
		       const struct hu_identity *now, enum hu_id_expect expect,
		       char *why, size_t whylen);

/* --- sysfs ------------------------------------------------------------ */

/* Reads the identity of the device at @syspath; -errno if it is gone. */
int hu_identity_read(const char *syspath, struct hu_identity *id);

/*
 * Fills @dev from a card's sysfs directory (@root/class/drm/cardN; @root is
 * "/sys" except in unit tests). Returns 0 or -errno.
 */
int hu_device_describe(const char *root, const char *card_dir,
		       struct hu_device *dev);

/* Reads a sysfs attribute, trailing newline stripped. Returns length or -errno. */
int hu_sysfs_read(const char *path, char *buf, size_t len);
/*
 * Writes @val to a sysfs or tracefs file in one write(), as such a file
 * takes one write as one command; @flags: 0, O_APPEND or O_TRUNC. Returns 0,
 * -errno, or -EIO if the kernel took only part of it.
 */
int hu_sysfs_write(const char *path, const char *val, int flags);
/* Basename of the symlink @dir/@link ("" and -errno if there is none). */
int hu_sysfs_link_name(const char *dir, const char *link, char *buf, size_t len);

/*
 * Writes @val to @path, but only after @target's identity (re-read now)
 * passes hu_identity_check() against @rec. Logs the write. Returns 0,
 * -ESTALE if the identity check failed, or the write's -errno.
 */
int hu_sysfs_write_checked(const char *path, const char *val,
			   const char *target, const struct hu_identity *rec,
			   enum hu_id_expect expect);
/* For bus-wide files only (rescan; a slot whose address was checked). */
int __hu_sysfs_write_bus(const char *path, const char *val);

/* --- selection -------------------------------------------------------- */

/*
 * Devices matching the filter string @filter (IGT syntax, see hu_filter.h),
 * or, with @filter NULL, every DRM device on PCI or virtio (the candidates
 * of the default rule; vgem and other platform devices must be asked for
 * by filter). Returns the count (0 if none), or -EINVAL for a bad filter
 * (message in @err). @root is "/sys" except in unit tests, where the
 * devices are read from a fake tree instead of libudev.
 */
int hu_device_scan(const char *root, const char *filter,
		   struct hu_device *devs, int max, char *err, size_t errlen);

/*
 * The selection rule, on the @n devices hu_device_scan() found for @filter.
 * Without a filter a device is taken only if it is the only candidate:
 * with two GPUs the first one may drive the display, so nothing is taken
 * (IGT takes the first card node). With a filter, several matches are
 * refused unless @all (the caller can take several) and the filter asked
 * for them (card=all, or several filters). Returns how many of @found to
 * take; 0 to skip, or -EINVAL for exit 79, with the reason and one
 * "IGT_DEVICE=..." line per candidate in @msg.
 */
int hu_device_choose(const char *filter, const struct hu_device *found,
		     int n, bool all, char *msg, size_t len);

/*
 * The device(s) of --device / IGT_DEVICE, by hu_device_choose(): skips if
 * there is none or the choice is not ours; exit 79 for a bad or ambiguous
 * filter. Returns the count (<= @max).
 */
int hu_device_select(struct hu_device *devs, int max, bool all);

/*
 * Looks the device up again after a recovery (nodes may be renumbered).
 * 0 if its card node is back, -ENODEV if not (yet).
 */
int hu_device_refresh(struct hu_device *dev);

/* True while the card node of @dev still exists and belongs to it. */
bool hu_device_present(const struct hu_device *dev);

/* One line for logs: "card0 renderD128 0000:01:00.0 1af4:1050 virtio_gpu". */
const char *hu_device_str(const struct hu_device *dev, char *buf, size_t len);

#endif /* HU_DEVICE_H */
