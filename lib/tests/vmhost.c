// SPDX-License-Identifier: MIT
/*
 * hu_vmhost_find() on devices files as runner/vmhost.c writes them: by QOM
 * id (present or not), by root-port address (present ones only), and the
 * failures (no file, no entry, malformed lines). hu_vmhost_id_for_pci()
 * through a remove and a re-add: the id for either request comes from the
 * device's (recorded) PCI path alone, as the restore after a failed
 * subtest or in the next run has nothing else.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hu_check.h"
#include "hu_vmhost.h"

static char file[] = "/tmp/hu-vmhost-XXXXXX";

static void write_devices(const char *text)
{
	FILE *f = fopen(file, "w");

	if (!f || fputs(text, f) < 0 || fclose(f)) {
		perror(file);
		exit(2);
	}
}

/* @devices written, the id for @path (NULL: none) is @want */
static void id_is(const char *devices, const char *path, bool present,
		  const char *want, const char *what)
{
	char id[32] = "";
	int ret;

	write_devices(devices);
	ret = hu_vmhost_id_for_pci(file, path, present, id, sizeof(id));
	check(want ? !ret && !strcmp(id, want) : ret == -ENOENT, "%s: %s",
	      what, want ? id : "no id");
}

int main(void)
{
	const char *gpu0 = "/sys/devices/pci0000:00/0000:00:10.0/0000:01:00.0";
	const char *gpu2 = "/sys/devices/pci0000:00/0000:00:10.1/0000:02:00.0";
	const char *cirrus = "/sys/devices/pci0000:00/0000:00:10.1/0000:02:00.0/"
			     "0000:03:00.0";
	struct hu_vmhost_dev d;
	int fd = mkstemp(file);
	char id[32];

	if (fd < 0) {
		perror("mkstemp");
		return 2;
	}
	close(fd);
	/* gpu0 removed and re-added as gpu1 on rp1; cirrus on pcie.0 */
	write_devices("gpu0 bochs-display rp0 0000:00:10.0 0\n"
		      "garbage line\n"
		      "gpu1 bochs-display rp1 0000:00:11.0 1\n"
		      "gpu2 cirrus-vga - - 1\n");

	check_eq(hu_vmhost_find(file, "gpu1", NULL, &d), 0, "gpu1 by id");
	check_streq(d.driver, "bochs-display", "gpu1's driver");
	check_streq(d.port, "rp1", "gpu1's port");
	check_streq(d.port_bdf, "0000:00:11.0", "gpu1's port address");
	check(d.present, "gpu1 present");

	check_eq(hu_vmhost_find(file, "gpu0", NULL, &d), 0, "gpu0 by id");
	check(!d.present, "gpu0 not present");
	check_streq(d.port_bdf, "0000:00:10.0", "gpu0's port address");

	check_eq(hu_vmhost_find(file, NULL, "0000:00:11.0", &d), 0,
		 "the present GPU under 00:11.0");
	check_streq(d.id, "gpu1", "is gpu1");
	check_eq(hu_vmhost_find(file, NULL, "0000:00:10.0", &d), -ENOENT,
		 "no present GPU under 00:10.0 (gpu0 was removed)");
	check_eq(hu_vmhost_find(file, NULL, NULL, &d), -ENOENT,
		 "neither id nor port: nothing");
	check_eq(hu_vmhost_find(file, "gpu9", NULL, &d), -ENOENT, "no gpu9");
	check_eq(hu_vmhost_find(file, "garbage", NULL, &d), -ENOENT,
		 "a malformed line is no entry");
	check_eq(hu_vmhost_find(file, "gpu2", NULL, &d), 0, "gpu2 by id");
	check_streq(d.port, "-", "gpu2 on pcie.0");

	/* as the host writes it: boot, after device_del, after device_add */
	write_devices("gpu0 bochs-display rp0 0000:00:10.0 1\n"
		      "gpu1 cirrus-vga - - 1\n");
	check_eq(hu_vmhost_id_for_pci(file, gpu0, true, id, sizeof(id)), 0,
		 "present GPU at %s", gpu0);
	check_streq(id, "gpu0", "is gpu0");
	check_eq(hu_vmhost_id_for_pci(file, gpu0, false, id, sizeof(id)),
		 -ENOENT, "gpu0 is not removed yet: nothing to re-add");
	check_eq(hu_vmhost_id_for_pci(file, "/sys/devices/pci0000:00/"
				      "0000:00:02.0", true, id, sizeof(id)),
		 -ENOENT, "a GPU on pcie.0 (cirrus) is not host-pluggable");
	check_eq(hu_vmhost_id_for_pci(file, "", true, id, sizeof(id)), -ENOENT,
		 "not on PCI");
	check_eq(hu_vmhost_id_for_pci(file, NULL, true, id, sizeof(id)),
		 -ENOENT, "no path");

	write_devices("gpu0 bochs-display rp0 0000:00:10.0 0\n"
		      "gpu1 cirrus-vga - - 1\n");
	check_eq(hu_vmhost_id_for_pci(file, gpu0, false, id, sizeof(id)), 0,
		 "the recorded path of the removed GPU");
	check_streq(id, "gpu0", "re-add gpu0");
	check_eq(hu_vmhost_id_for_pci(file, gpu0, true, id, sizeof(id)),
		 -ENOENT, "removed: no longer offered for removal");

	/* gpu0 retired (QEMU 7.2 never deleted it), back as gpu2 on rp1 */
	write_devices("gpu1 cirrus-vga - - 1\n"
		      "gpu2 bochs-display rp1 0000:00:10.1 1\n");
	check_eq(hu_vmhost_id_for_pci(file, gpu2, true, id, sizeof(id)), 0,
		 "the re-added GPU at its new address");
	check_streq(id, "gpu2", "is gpu2, not the stale gpu0");
	check_eq(hu_vmhost_id_for_pci(file, gpu0, false, id, sizeof(id)),
		 -ENOENT, "the old path names nothing once re-added");

	/* QEMU 11.1: gpu0 deleted and its port reused while gpu3 is away */
	write_devices("gpu0 bochs-display rp0 0000:00:10.0 1\n"
		      "gpu3 bochs-display rp0 0000:00:10.0 0\n");
	check_eq(hu_vmhost_id_for_pci(file, gpu0, true, id, sizeof(id)), 0,
		 "the present GPU on a shared port");
	check_streq(id, "gpu0", "is gpu0");
	check_eq(hu_vmhost_id_for_pci(file, gpu0, false, id, sizeof(id)), 0,
		 "the removed GPU on a shared port");
	check_streq(id, "gpu3", "is gpu3");

	/* cirrus behind its pcie-pci-bridge on rp1: the root port decides */
	id_is("gpu1 cirrus-vga rp1 0000:00:10.1 1\n", cirrus, true, "gpu1",
	      "a GPU behind a bridge, by its root port 00:10.1");
	id_is("gpu1 cirrus-vga rp1 0000:00:10.1 1\n",
	      "/sys/devices/pci0000:00/0000:00:10.1", true, NULL,
	      "the root port itself is no GPU");
	id_is("gpu1 cirrus-vga rp1 0000:00:10.1 0\n", cirrus, false, "gpu1",
	      "the removed GPU behind its bridge, to re-add");

	unlink(file);
	check_eq(hu_vmhost_find(file, "gpu1", NULL, &d), -ENOENT,
		 "no devices file: not in the VM lane");
	check_eq(hu_vmhost_id_for_pci(file, gpu0, true, id, sizeof(id)),
		 -ENOENT, "no devices file: no id");
	return check_done();
}
