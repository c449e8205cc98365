/* SPDX-License-Identifier: MIT */
/*
 * hu_filter: IGT device filters, as given to --device or IGT_DEVICE.
 *
 *	sys:/sys/devices/pci0000:00/0000:00:02.0	a device or a parent of it
 *	drm:/dev/dri/card0				a DRM node
 *	pci:vendor=8086,device=56a0,card=0		ids (hex or an alias), card
 *	pci:slot=0000:01:00.0				a PCI BDF
 *
 * Several filters are separated by ';'. Parsing is pure (no sysfs access),
 * so it is unit-tested without a device; matching is in hu_device.
 */
#ifndef HU_FILTER_H
#define HU_FILTER_H

#include <stdbool.h>
#include <stdint.h>

#define HU_FILTER_MAX 8
#define HU_FILTER_CARD_ALL (-2)	/* card=all or card=* */
#define HU_FILTER_ANY (-1)	/* field not given */

enum hu_filter_type {
	HU_FILTER_SYS,
	HU_FILTER_DRM,
	HU_FILTER_PCI,
};

struct hu_filter {
	enum hu_filter_type type;
	char path[256];		/* sys: and drm: */
	int vendor;		/* pci: HU_FILTER_ANY or 0..0xffff */
	int device;
	int card;		/* HU_FILTER_ANY, HU_FILTER_CARD_ALL or N */
	char slot[32];		/* pci:slot=, normalised DDDD:BB:DD.F; "" if none */
};

/*
 * Parses one filter. Returns 0, or -EINVAL with a message for the user in
 * @err (e.g. "unknown filter type 'foo'", "bad vendor id 'xyz'").
 */
int hu_filter_parse(const char *str, struct hu_filter *f, char *err, int errlen);

/* Parses a ';'-separated list; returns the count (>= 1) or -EINVAL. */
int hu_filter_parse_list(const char *str, struct hu_filter *f, int max,
			 char *err, int errlen);

/* Normalises a BDF ("1:0.0" -> "0000:01:00.0"); false if malformed. */
bool hu_bdf_normalise(const char *in, char out[32]);

#endif /* HU_FILTER_H */
