// SPDX-License-Identifier: MIT
/*
 * The engine's state file of removals in progress (hu_scenario_state_*):
 * one record per device, replaced by its own device, dropped alone, the
 * file unlinked with the last one; a torn, foreign or old-format record is
 * skipped; two processes updating it at once lose nothing (flock); a record
 * knows whether the run that wrote it is still going. And the command
 * HU_KEEP_REMOVED prints to bring a device back, per trigger.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hu_check.h"
#include "hu_scenario.h"

#define MAX 64

static char path[64];

static struct hu_device dev(const char *syspath)
{
	struct hu_device d = { .card_index = 0 };

	snprintf(d.syspath, sizeof(d.syspath), "%s", syspath);
	snprintf(d.card, sizeof(d.card), "/dev/dri/card0");
	return d;
}

/* The trigger recorded for @syspath, or NULL. */
static const char *find(const char *syspath)
{
	static struct hu_scenario_state recs[MAX];
	int n = hu_scenario_state_load(recs, MAX);

	for (int i = 0; i < n; i++)
		if (!strcmp(recs[i].dev.syspath, syspath))
			return recs[i].trigger;
	return NULL;
}

static int count(void)
{
	struct hu_scenario_state recs[MAX];

	return hu_scenario_state_load(recs, MAX);
}

/* Records @n devices "@who-<i>", starting when @go is readable. */
static int add_many(const char *who, int n, int go)
{
	char c, name[64];
	int err = 0;

	if (read(go, &c, 1) != 1)
		return -EIO;
	for (int i = 0; i < n && !err; i++) {
		struct hu_device d;

		snprintf(name, sizeof(name), "/sys/devices/%s-%d", who, i);
		d = dev(name);
		err = hu_scenario_state_add(&d, "remove");
	}
	return err;
}

/*
 * Two processes record 30 devices each at the same time; all 60 must be
 * there (without the lock, read-modify-write loses some: checked by
 * removing the flock, which fails this).
 */
static int race_round(void)
{
	int go[2], status, n, err;
	pid_t pid;

	if (pipe(go))
		return -errno;
	pid = fork();
	if (pid == 0)
		_exit(add_many("child", 30, go[0]) ? 1 : 0);
	if (write(go[1], "gg", 2) != 2)
		return -EIO;
	err = add_many("parent", 30, go[0]);
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		err = err ? err : -ECHILD;
	close(go[0]);
	close(go[1]);
	n = count();
	unlink(path);
	return err ? err : n;
}

int main(void)
{
	struct hu_device a = dev("/sys/devices/pci0000:00/0000:00:02.0");
	struct hu_device b = dev("/sys/devices/pci0000:00/0000:00:03.0");
	struct hu_scenario_state one = { .magic = "hu-drm2",
					 .trigger = "slotoff" };
	char dir[] = "/tmp/hu-state-XXXXXX";
	int fd;

	if (!check(mkdtemp(dir) != NULL, "temporary directory"))
		return check_done();
	snprintf(path, sizeof(path), "%s/state", dir);
	hu_scenario_state_path(path);

	check_eq(count(), 0, "no file: no record");
	check_eq(hu_scenario_state_drop(a.syspath), 0,
		 "dropping from no file is fine");

	check_eq(hu_scenario_state_add(&a, "remove"), 0, "record A");
	check_eq(hu_scenario_state_add(&b, "unbind"), 0, "record B");
	check_eq(count(), 2, "two devices, two records");
	check_streq(find(a.syspath), "remove", "A's trigger");
	check_streq(find(b.syspath), "unbind", "B's trigger");

	check_eq(hu_scenario_state_add(&a, "rmmod"), 0, "record A again");
	check_eq(count(), 2, "A's own record replaced, not added");
	check_streq(find(a.syspath), "rmmod", "A's new trigger");

	check_eq(hu_scenario_state_drop(a.syspath), 0, "drop A");
	check(!find(a.syspath), "A is gone");
	check_streq(find(b.syspath), "unbind", "B's record kept");
	check_eq(hu_scenario_state_drop("/sys/devices/other"), 0,
		 "dropping an unknown device");
	check_eq(count(), 1, "and B still there");
	check_eq(hu_scenario_state_drop(b.syspath), 0, "drop B");
	check_eq(access(path, F_OK), -1, "the last record out unlinks the file");

	/* one record written by hand, with a torn record behind it */
	one.dev = dev("/sys/devices/old");
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	check(fd >= 0 && write(fd, &one, sizeof(one)) == sizeof(one) &&
	      write(fd, &one, 100) == 100, "write a record and a torn tail");
	close(fd);
	check_streq(find("/sys/devices/old"), "slotoff", "the record is read");
	check_eq(count(), 1, "the torn tail is not a record");
	check_eq(hu_scenario_state_add(&a, "remove"), 0, "record A next to it");
	check_eq(count(), 2, "both there, the tail dropped");

	/* foreign and old-format records are skipped, dropped on rewrite */
	memcpy(one.magic, "garbage", 8);
	fd = open(path, O_WRONLY | O_APPEND);
	check(fd >= 0 && write(fd, &one, sizeof(one)) == sizeof(one),
	      "append a record with a bad magic");
	memcpy(one.magic, "hu-drm1", 8);	/* no owner: another layout */
	check(fd >= 0 && write(fd, &one, sizeof(one)) == sizeof(one),
	      "append a record of the old format");
	close(fd);
	check_eq(count(), 2, "both are skipped");
	check_eq(hu_scenario_state_drop("/sys/devices/old"), 0, "drop the old");
	check_eq(hu_scenario_state_drop(a.syspath), 0, "drop A");
	check_eq(access(path, F_OK), -1, "and the file is gone");

	/* two processes at once: no update lost */
	{
		int lost = 0, err = 0;

		for (int r = 0; r < 20 && !err; r++) {
			int n = race_round();

			if (n < 0)
				err = n;
			else
				lost += 60 - n;
		}
		check_eq(err, 0, "20 rounds of two processes adding 30 each");
		check_eq(lost, 0, "no record lost");
	}

	/* the owner of a record: this process, alive, until it is not */
	{
		struct hu_scenario_state recs[MAX];
		unsigned long long me = hu_proc_start_time(getpid());
		int up[2], down[2], status, n;
		pid_t pid;

		check_eq(hu_scenario_state_add(&a, "remove"), 0, "record A");
		n = hu_scenario_state_load(recs, MAX);
		check(n == 1 && recs[0].pid == getpid() && recs[0].start == me &&
		      me != 0, "the record names this process and its start");
		check(hu_scenario_state_owner_alive(&recs[0]),
		      "a running owner is alive");
		recs[0].start++;
		check(!hu_scenario_state_owner_alive(&recs[0]),
		      "the same pid with another start time (reused) is not");
		hu_scenario_state_drop(a.syspath);

		/* a child with ') S 1 2 (' in its name, then dead */
		if (pipe(up) || pipe(down))
			return check_done();
		pid = fork();
		if (pid == 0) {
			char c;

			close(down[1]);
			prctl(PR_SET_NAME, "x) S 1 2 (y");
			/* renamed; then wait until the parent closes down[] */
			if (write(up[1], "r", 1) != 1 || read(down[0], &c, 1) < 0)
				_exit(1);
			_exit(0);
		}
		{
			char c;
			unsigned long long st;
			struct hu_scenario_state r = { .pid = pid };

			close(up[1]);
			close(down[0]);
			check(read(up[0], &c, 1) == 1, "child renamed itself");
			st = hu_proc_start_time(pid);
			check(st >= me && st < me + 100 * 3600,
			      "start time read past a name with ')' and spaces "
			      "(%llu, parent %llu)", st, me);
			r.start = st;
			check(hu_scenario_state_owner_alive(&r), "child alive");
			close(down[1]);
			waitpid(pid, &status, 0);
			check(!hu_scenario_state_owner_alive(&r),
			      "an owner that exited is not");
			close(up[0]);
		}
	}

	unlink(path);
	rmdir(dir);

	{
		struct hu_device v = dev("/sys/devices/pci0000:00/0000:00:02.0/0000:01:00.0");
		char cmd[512];

		snprintf(v.pci_id.bdf, sizeof(v.pci_id.bdf), "0000:01:00.0");
		snprintf(v.pci_driver, sizeof(v.pci_driver), "virtio-pci");
		snprintf(v.name, sizeof(v.name), "virtio0");
		snprintf(v.bus, sizeof(v.bus), "virtio");
		snprintf(v.driver, sizeof(v.driver), "virtio_gpu");
		snprintf(v.module, sizeof(v.module), "virtio_gpu");
		hu_scenario_restore_hint(&v, &hu_trigger_remove, cmd, sizeof(cmd));
		check_streq(cmd, "echo 1 > /sys/bus/pci/rescan", "remove");
		hu_scenario_restore_hint(&v, &hu_trigger_unbind, cmd, sizeof(cmd));
		check_streq(cmd, "echo 0000:01:00.0 > /sys/bus/pci/drivers/"
			    "virtio-pci/bind", "unbind");
		hu_scenario_restore_hint(&v, &hu_trigger_busunbind, cmd,
					 sizeof(cmd));
		check_streq(cmd, "echo virtio0 > /sys/bus/virtio/drivers/"
			    "virtio_gpu/bind", "busunbind");
		hu_scenario_restore_hint(&v, &hu_trigger_slotoff, cmd, sizeof(cmd));
		check_streq(cmd, "for s in /sys/bus/pci/slots/*; do [ \"$(cat "
			    "$s/address)\" = 0000:01:00 ] && echo 1 > $s/power; "
			    "done", "slotoff: the slot whose address is the BDF "
			    "without the function");
		hu_scenario_restore_hint(&v, &hu_trigger_rmmod, cmd, sizeof(cmd));
		check_streq(cmd, "modprobe virtio_gpu", "rmmod");
		hu_scenario_restore_hint(&v, &hu_trigger_external, cmd,
					 sizeof(cmd));
		check(strstr(cmd, "device_add") != NULL, "external: %s", cmd);
	}
	return check_done();
}
