// SPDX-License-Identifier: MIT
/*
 * hu_vmhost_find() on devices files as runner/vmhost.c writes them: by QOM
 * id (present or not), by root-port address (present ones only), and the
 * failures (no file, no entry, malformed lines).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
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

int main(void)
{
	struct hu_vmhost_dev d;
	int fd = mkstemp(file);

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

	unlink(file);
	check_eq(hu_vmhost_find(file, "gpu1", NULL, &d), -ENOENT,
		 "no devices file: not in the VM lane");
	return check_done();
}
