// SPDX-License-Identifier: MIT
/* filter: hu_filter_parse(_list) and hu_bdf_normalise, good and bad input. */
#include <errno.h>
#include <string.h>

#include "hu_check.h"
#include "hu_filter.h"

static void good(const char *s, enum hu_filter_type type, int vendor,
		 int device, int card, const char *slot, const char *path)
{
	struct hu_filter f;
	char err[256];
	int ret = hu_filter_parse(s, &f, err, sizeof(err));

	if (!check_eq(ret, 0, "'%s' parses", s)) {
		printf("# error: %s\n", err);
		return;
	}
	check(f.type == type && f.vendor == vendor && f.device == device &&
	      f.card == card, "'%s': type %d vendor %#x device %#x card %d",
	      s, f.type, f.vendor, f.device, f.card);
	check_streq(f.slot, slot, "'%s': slot", s);
	check_streq(f.path, path, "'%s': path", s);
}

static void bad(const char *s, const char *needle)
{
	struct hu_filter f;
	char err[256] = "";
	int ret = hu_filter_parse(s, &f, err, sizeof(err));

	check_eq(ret, -EINVAL, "'%s' is rejected", s);
	if (!check(strstr(err, needle) != NULL, "'%s': message mentions '%s'",
		   s, needle))
		printf("# message: %s\n", err);
}

static void bdf(const char *in, const char *want)
{
	char out[32] = "";
	bool ok = hu_bdf_normalise(in, out);

	if (want)
		check(ok && !strcmp(out, want), "bdf '%s' -> '%s' (got '%s')",
		      in, want, ok ? out : "rejected");
	else
		check(!ok, "bdf '%s' rejected", in);
}

int main(void)
{
	const int A = HU_FILTER_ANY;
	struct hu_filter f[HU_FILTER_MAX];
	char err[256];

	good("sys:/sys/devices/pci0000:00/0000:00:02.0", HU_FILTER_SYS, A, A, A,
	     "", "/sys/devices/pci0000:00/0000:00:02.0");
	good("drm:/dev/dri/card0", HU_FILTER_DRM, A, A, A, "", "/dev/dri/card0");
	good("pci:", HU_FILTER_PCI, A, A, A, "", "");
	good("pci:vendor=8086", HU_FILTER_PCI, 0x8086, A, A, "", "");
	good("pci:vendor=0x8086,device=56A0", HU_FILTER_PCI, 0x8086, 0x56a0, A, "", "");
	good("pci:vendor=intel,device=56a0,card=1", HU_FILTER_PCI, 0x8086, 0x56a0, 1, "", "");
	good("pci:vendor=Intel", HU_FILTER_PCI, 0x8086, A, A, "", "");
	good("pci:vendor=amd", HU_FILTER_PCI, 0x1002, A, A, "", "");
	good("pci:vendor=nvidia", HU_FILTER_PCI, 0x10de, A, A, "", "");
	good("pci:vendor=virtio", HU_FILTER_PCI, 0x1af4, A, A, "", "");
	good("pci:vendor=redhat", HU_FILTER_PCI, 0x1af4, A, A, "", "");
	good("pci:vendor=qxl", HU_FILTER_PCI, 0x1b36, A, A, "", "");
	good("pci:vendor=bochs", HU_FILTER_PCI, 0x1234, A, A, "", "");
	good("pci:vendor=cirrus", HU_FILTER_PCI, 0x1013, A, A, "", "");
	good("pci:vendor=intel,card=all", HU_FILTER_PCI, 0x8086, A, HU_FILTER_CARD_ALL, "", "");
	good("pci:card=*", HU_FILTER_PCI, A, A, HU_FILTER_CARD_ALL, "", "");
	good("pci:slot=0000:01:00.0", HU_FILTER_PCI, A, A, A, "0000:01:00.0", "");
	good("pci:slot=1:0.0", HU_FILTER_PCI, A, A, A, "0000:01:00.0", "");
	good("pci:vendor=1af4,slot=0000:00:02.0", HU_FILTER_PCI, 0x1af4, A, A,
	     "0000:00:02.0", "");

	bad("", "empty");
	bad("foo:bar", "unknown filter type 'foo'");
	bad("sriov:pf=0", "unknown filter type 'sriov'");
	bad("/dev/dri/card0", "no type");
	bad("drm:card0", "absolute path");
	bad("sys:", "absolute path");
	bad("pci:vendor=xyz", "bad vendor id 'xyz'");
	bad("pci:vendor=12345", "bad vendor id");
	bad("pci:vendor=", "bad vendor id");
	bad("pci:device=g00d", "bad device id");
	bad("pci:card=-1", "bad card");
	bad("pci:card=one", "bad card");
	bad("pci:slot=00:02", "bad PCI slot");
	bad("pci:slot=0000:00:20.0", "bad PCI slot");	/* device > 0x1f */
	bad("pci:colour=red", "unknown key 'colour'");
	bad("pci:vendor", "key=value");
	bad("pci:vendor=8086,vendor=1002", "twice");
	bad("pci:vendor=8086,", "trailing");

	bdf("0000:00:02.0", "0000:00:02.0");
	bdf("00:02.0", "0000:00:02.0");
	bdf("1:0.0", "0000:01:00.0");
	bdf("ABCD:EF:1f.7", "abcd:ef:1f.7");
	bdf("0000:00:02.8", NULL);
	bdf("0000:00:02", NULL);
	bdf("0:0:0:0.0", NULL);
	bdf("10000:00:00.0", NULL);
	bdf("000:100:00.0", NULL);
	bdf("00:02.0x", NULL);
	bdf("0x00:02.0", NULL);
	bdf("", NULL);

	check_eq(hu_filter_parse_list("pci:vendor=intel;drm:/dev/dri/card1", f,
				      HU_FILTER_MAX, err, sizeof(err)), 2,
		 "two filters in a ';' list");
	check(f[0].type == HU_FILTER_PCI && f[0].vendor == 0x8086 &&
	      f[1].type == HU_FILTER_DRM && !strcmp(f[1].path, "/dev/dri/card1"),
	      "list entries parsed in order");
	check_eq(hu_filter_parse_list("pci:;;drm:/x", f, HU_FILTER_MAX, err,
				      sizeof(err)), -EINVAL, "empty list entry rejected");
	check_eq(hu_filter_parse_list("pci:;pci:;pci:", f, 2, err, sizeof(err)),
		 -EINVAL, "more than max filters rejected");
	check(strstr(err, "too many") != NULL, "too-many message: %s", err);
	check_eq(hu_filter_parse_list("pci:;foo:x", f, HU_FILTER_MAX, err,
				      sizeof(err)), -EINVAL, "bad second entry rejected");
	check(strstr(err, "foo") != NULL, "second entry's error reported: %s", err);
	return check_done();
}
