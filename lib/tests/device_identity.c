// SPDX-License-Identifier: MIT
/* The identity re-check made before every sysfs write. */
#include <errno.h>
#include <string.h>

#include "hu_check.h"
#include "hu_device.h"

static struct hu_identity id(const char *bdf, int v, int d, const char *name,
			     const char *drv)
{
	struct hu_identity i = { .vendor = v, .device = d };

	strcpy(i.bdf, bdf);
	strcpy(i.name, name);
	strcpy(i.driver, drv);
	return i;
}

int main(void)
{
	struct hu_identity rec = id("0000:01:00.0", 0x1af4, 0x1050,
				    "0000:01:00.0", "virtio-pci");
	struct hu_identity now;
	char why[256];

	now = rec;
	check(hu_identity_check(&rec, &now, HU_ID_BOUND, why, sizeof(why)),
	      "same device, bound: write allowed");
	check(!hu_identity_check(&rec, &now, HU_ID_UNBOUND, why, sizeof(why)),
	      "bind refused while still bound");
	check(strstr(why, "expected no driver") != NULL, "reason: %s", why);

	now = id("0000:01:00.0", 0x1af4, 0x1050, "0000:01:00.0", "");
	check(hu_identity_check(&rec, &now, HU_ID_UNBOUND, why, sizeof(why)),
	      "unbound: bind allowed");
	check(!hu_identity_check(&rec, &now, HU_ID_BOUND, why, sizeof(why)),
	      "unbind refused when nothing is bound");
	check(hu_identity_check(&rec, &now, HU_ID_ANY, why, sizeof(why)),
	      "any: unbound is fine");

	now = id("0000:02:00.0", 0x1af4, 0x1050, "0000:02:00.0", "virtio-pci");
	check(!hu_identity_check(&rec, &now, HU_ID_BOUND, why, sizeof(why)),
	      "another device at another address: refused");
	check(strstr(why, "0000:02:00.0") != NULL, "reason names it: %s", why);

	/* the address was reused by another card after a rescan */
	now = id("0000:01:00.0", 0x1234, 0x1111, "0000:01:00.0", "virtio-pci");
	check(!hu_identity_check(&rec, &now, HU_ID_BOUND, why, sizeof(why)),
	      "same address, other ids: refused");
	check(strstr(why, "1234:1111") != NULL, "reason has ids: %s", why);

	now = id("0000:01:00.0", 0x1af4, 0x1050, "0000:01:00.0", "vfio-pci");
	check(!hu_identity_check(&rec, &now, HU_ID_BOUND, why, sizeof(why)),
	      "bound to another driver: refused");
	check(!hu_identity_check(&rec, &now, HU_ID_ANY, why, sizeof(why)),
	      "any: another driver is still refused");

	/* the virtio device below the PCI function */
	rec = id("0000:01:00.0", 0x1af4, 0x1050, "virtio0", "virtio_gpu");
	now = id("0000:01:00.0", 0x1af4, 0x1050, "virtio1", "virtio_gpu");
	check(!hu_identity_check(&rec, &now, HU_ID_BOUND, why, sizeof(why)),
	      "renumbered virtio device: refused");
	now = id("0000:01:00.0", 0x1af4, 0x1050, "virtio0", "");
	check(hu_identity_check(&rec, &now, HU_ID_UNBOUND, why, sizeof(why)),
	      "virtio device unbound: bind allowed");

	/* not on PCI at all (vgem) */
	rec = id("", -1, -1, "vgem", "vgem");
	now = rec;
	check(hu_identity_check(&rec, &now, HU_ID_BOUND, why, sizeof(why)),
	      "platform device, same: allowed");
	rec.driver[0] = '\0';
	check(!hu_identity_check(&rec, &now, HU_ID_BOUND, why, sizeof(why)),
	      "a record without driver never allows an unbind");
	/* hu_fmt: a path that does not fit is never used cut short */
	{
		char small[8];

		check(hu_fmt(small, sizeof(small), "%s", "/sys/x") == 6 &&
		      !strcmp(small, "/sys/x"), "hu_fmt: fits: %s", small);
		check(hu_fmt(small, sizeof(small), "/sys/%s", "devices") ==
		      -ENAMETOOLONG, "hu_fmt: too long: -ENAMETOOLONG");
		check(small[0] == '\0', "hu_fmt: too long leaves it empty: '%s'",
		      small);
		check(hu_fmt(small, sizeof(small), "%s", "1234567") == 7,
		      "hu_fmt: exactly full fits");
	}

	return check_done();
}
