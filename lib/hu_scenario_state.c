// SPDX-License-Identifier: MIT
/*
 * hu_scenario_state: the /run record of the removals in flight, and the
 * repair of what a killed run left removed (see hu_scenario.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hu_scenario.h"
#include "hu_udev.h"

/*
 * A removal in progress is written down, so that a run killed between the
 * trigger and the recovery (timeout, crash) is repaired by the next one.
 * One record per device, keyed by its sysfs path: two binaries on two GPUs
 * (or one on several) never drop each other's records. Every change is a
 * read-modify-write under flock(); the last record out unlinks the file.
 */
#define STATE_FILE "/run/hu-drm-hotunplug.state"
#define STATE_MAGIC "hu-drm2"	/* "hu-drm1": one record, no owner */
#define STATE_LOCK_MS 5000
#define STATE_MAX 64

static const char *state_path = STATE_FILE;

void hu_scenario_state_path(const char *path)
{
	state_path = path ? path : STATE_FILE;
}

/* Opens and locks the file (a bounded wait), or -errno. */
static int state_lock(const char *path, bool create)
{
	for (int tries = 0; tries < 10; tries++) {
		long long end = hu_now_ms() + STATE_LOCK_MS;
		struct stat a, b;
		int fd;

		fd = open(path, O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0),
			  0600);
		if (fd < 0)
			return -errno;
		while (flock(fd, LOCK_EX | LOCK_NB)) {
			int err = errno;

			if (err != EWOULDBLOCK || hu_now_ms() > end) {
				close(fd);
				return err == EWOULDBLOCK ? -ETIMEDOUT : -err;
			}
			usleep(10000);
		}
		/* its last user may have unlinked it while we waited */
		if (!fstat(fd, &a) && !stat(path, &b) && a.st_ino == b.st_ino &&
		    a.st_dev == b.st_dev)
			return fd;
		close(fd);
		if (!create)
			return -ENOENT;
	}
	return -EAGAIN;
}

static bool state_valid(struct hu_scenario_state *r)
{
	if (strcmp(r->magic, STATE_MAGIC))
		return false;
	r->trigger[sizeof(r->trigger) - 1] = '\0';
	r->dev.syspath[sizeof(r->dev.syspath) - 1] = '\0';
	return r->dev.syspath[0] != '\0';
}

/* The valid records of the locked file, at most @max. */
static int state_read(int fd, struct hu_scenario_state *recs, int max)
{
	int n = 0;

	for (off_t off = 0; n < max; off += sizeof(*recs)) {
		ssize_t got = pread(fd, &recs[n], sizeof(*recs), off);

		if (got < 0)
			return -errno;
		if (got < (ssize_t)sizeof(*recs))
			break;		/* the end, or a torn tail */
		if (state_valid(&recs[n]))
			n++;
	}
	return n;
}

static int state_write(int fd, const char *path,
		       const struct hu_scenario_state *recs, int n)
{
	size_t len = n * sizeof(*recs);
	ssize_t done;

	if (!n)
		return unlink(path) ? -errno : 0;
	if (ftruncate(fd, 0))
		return -errno;
	done = pwrite(fd, recs, len, 0);
	if (done < 0)
		return -errno;
	return done == (ssize_t)len ? 0 : -EIO;
}

/* Removes @syspath's record from @recs; the new count. */
static int state_remove(struct hu_scenario_state *recs, int n,
			const char *syspath)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(recs[i].dev.syspath, syspath))
			recs[i--] = recs[--n];
	return n;
}

int hu_scenario_state_load(struct hu_scenario_state *recs, int max)
{
	int fd = state_lock(state_path, false), n;

	if (fd == -ENOENT)
		return 0;
	if (fd < 0)
		return fd;
	n = state_read(fd, recs, max);
	close(fd);
	return n;
}

int hu_scenario_state_add(const struct hu_device *dev, const char *trigger)
{
	struct hu_scenario_state *recs = calloc(STATE_MAX, sizeof(*recs));
	int fd, n, err;

	if (!recs)
		return -ENOMEM;
	fd = state_lock(state_path, true);
	if (fd < 0) {
		free(recs);
		return fd;
	}
	n = state_read(fd, recs, STATE_MAX);
	if (n >= 0) {
		n = state_remove(recs, n, dev->syspath);
		if (n == STATE_MAX)
			n--;	/* full of other devices: the oldest goes */
		memmove(&recs[1], &recs[0], n * sizeof(*recs));
		memset(&recs[0], 0, sizeof(*recs));
		memcpy(recs[0].magic, STATE_MAGIC, sizeof(STATE_MAGIC));
		hu_fmt(recs[0].trigger, sizeof(recs[0].trigger), "%s", trigger);
		recs[0].pid = getpid();
		recs[0].start = hu_proc_start_time(recs[0].pid);
		recs[0].dev = *dev;
		/* last in, first: the newest removal is listed first */
		err = state_write(fd, state_path, recs, n + 1);
	} else {
		err = n;
	}
	close(fd);
	free(recs);
	return err;
}

unsigned long long hu_proc_start_time(int pid)
{
	char path[64], buf[1024], *p;
	unsigned long long start = 0;
	FILE *f;
	size_t n;

	hu_fmt(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* the name (field 2) may hold spaces and ')': count from the last */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u "
			 "%*u %*u %*u %*d %*d %*d %*d %*d %*d %llu", &start) != 1)
		return 0;
	return start;
}

bool hu_scenario_state_owner_alive(const struct hu_scenario_state *r)
{
	return r->pid > 0 && r->start &&
	       hu_proc_start_time(r->pid) == r->start;
}

int hu_scenario_state_drop(const char *syspath)
{
	struct hu_scenario_state *recs = calloc(STATE_MAX, sizeof(*recs));
	int fd, n, err;

	if (!recs)
		return -ENOMEM;
	fd = state_lock(state_path, false);
	if (fd < 0) {
		free(recs);
		return fd == -ENOENT ? 0 : fd;
	}
	n = state_read(fd, recs, STATE_MAX);
	err = n < 0 ? n : state_write(fd, state_path, recs,
				      state_remove(recs, n, syspath));
	close(fd);
	free(recs);
	return err;
}

/* The record of the removal in flight, dropped once its device is back. */
static struct {
	char syspath[HU_PATH_MAX];	/* its key: @dev may be re-found */
	const struct hu_device *dev;
} saved;

void __hu_scenario_state_begin(const struct hu_device *dev,
			       const struct hu_trigger *t)
{
	int err = hu_scenario_state_add(dev, t->name);

	if (err)
		hu_warn("cannot record the removal in %s: %s\n", state_path,
			strerror(-err));
	hu_fmt(saved.syspath, sizeof(saved.syspath), "%s", dev->syspath);
	saved.dev = dev;
}

void __hu_scenario_state_end(const struct hu_device *dev)
{
	int err;

	if (!saved.dev || saved.dev != dev)
		return;
	err = hu_scenario_state_drop(saved.syspath);
	if (err)
		hu_warn("cannot drop the record of %s from %s: %s\n",
			saved.syspath, state_path, strerror(-err));
	saved.dev = NULL;
}

void hu_scenario_restore(struct hu_device *dev, const struct hu_trigger *last)
{
	char line[256];
	int err;

	if (hu_device_present(dev) || hu_device_refresh(dev) == 0)
		return;
	err = hu_trigger_restore(dev, last);
	if (err)
		hu_abort("device %s could not be restored: %s\n",
			 hu_device_str(dev, line, sizeof(line)), strerror(-err));
	hu_info("restored %s\n", hu_device_str(dev, line, sizeof(line)));
}

void hu_scenario_repair_previous(void)
{
	struct hu_scenario_state *recs = calloc(STATE_MAX, sizeof(*recs));
	char line[256];
	int n;

	hu_assert(recs);
	n = hu_scenario_state_load(recs, STATE_MAX);
	if (n < 0)
		hu_warn("cannot read %s: %s\n", state_path, strerror(-n));
	for (int i = 0; i < n; i++) {
		struct hu_scenario_state *r = &recs[i];
		char key[sizeof(r->dev.syspath)];
		int err;

		if (hu_scenario_state_owner_alive(r)) {
			hu_info("%s is being removed by %s in running process "
				"%d: left to it\n", hu_device_str(&r->dev, line,
				sizeof(line)), r->trigger, r->pid);
			continue;
		}
		hu_info("a previous run was stopped with %s removed by %s: "
			"restoring it\n",
			hu_device_str(&r->dev, line, sizeof(line)), r->trigger);
		/* the key: the restore may re-find the device elsewhere */
		hu_fmt(key, sizeof(key), "%s", r->dev.syspath);
		/* exits 112 if it cannot: the record is kept */
		hu_scenario_restore(&r->dev, hu_trigger_find(r->trigger));
		err = hu_scenario_state_drop(key);
		if (err)
			hu_warn("cannot drop the record of %s from %s: %s\n",
				key, state_path, strerror(-err));
	}
	free(recs);
}

/* HU_KEEP_REMOVED and the abort messages: how to bring @dev back. */
int hu_scenario_restore_hint(const struct hu_device *dev,
			     const struct hu_trigger *t, char *buf, size_t len)
{
	if (t && t->restore_hint)
		return t->restore_hint(dev, buf, len);
	return hu_fmt(buf, len, "echo 1 > /sys/bus/pci/rescan");
}

const char *hu_scenario_state_file(void)
{
	return state_path;
}
