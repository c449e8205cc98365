// SPDX-License-Identifier: MIT
/*
 * hu_tracefs: see hu_tracefs.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hu_device.h"
#include "hu_tracefs.h"

static bool is_tracefs(const char *dir)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/available_events", dir);
	return access(p, R_OK) == 0;
}

const char *hu_tracefs_root(void)
{
	static const char *root;

	if (root)
		return root;
	if (is_tracefs("/sys/kernel/tracing"))
		return root = "/sys/kernel/tracing";
	/* Mounting tracefs where it belongs also keeps the kernel from
	 * logging the debugfs automount deprecation notice. */
	if (mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, NULL) == 0 &&
	    is_tracefs("/sys/kernel/tracing"))
		return root = "/sys/kernel/tracing";
	if (is_tracefs("/sys/kernel/debug/tracing"))
		return root = "/sys/kernel/debug/tracing";
	return NULL;
}

int hu_tracefs_write(const char *dir, const char *file, const char *text,
		     bool append)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", dir, file);
	return hu_sysfs_write(p, text, append ? O_APPEND : O_TRUNC);
}

int hu_tracefs_read(const char *dir, const char *file, char **text,
		    size_t *len)
{
	size_t cap = 1 << 16, used = 0;
	char p[PATH_MAX], *buf;
	int fd;

	snprintf(p, sizeof(p), "%s/%s", dir, file);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	buf = malloc(cap);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		ssize_t n;

		if (cap - used < 4096) {
			char *nb = realloc(buf, cap * 2);

			if (!nb) {
				free(buf);
				close(fd);
				return -ENOMEM;
			}
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + used, cap - used - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int err = -errno;

			free(buf);
			close(fd);
			return err;
		}
		if (n == 0)
			break;
		used += n;
	}
	close(fd);
	buf[used] = '\0';
	*text = buf;
	if (len)
		*len = used;
	return 0;
}

int hu_tracefs_instance_create(const char *name, char *path, size_t len)
{
	const char *root = hu_tracefs_root();

	if (!root)
		return -ENOENT;
	snprintf(path, len, "%s/instances/%s", root, name);
	if (mkdir(path, 0750) && errno != EEXIST)
		return -errno;
	return 0;
}

int hu_tracefs_instance_remove(const char *name)
{
	const char *root = hu_tracefs_root();
	char path[PATH_MAX];

	if (!root)
		return -ENOENT;
	snprintf(path, sizeof(path), "%s/instances/%s", root, name);
	if (access(path, F_OK))
		return 0;
	hu_tracefs_write(path, "tracing_on", "0", false);
	hu_tracefs_write(path, "events/enable", "0", false);
	if (rmdir(path))
		return -errno;
	return 0;
}

bool hu_tracefs_has_event(const char *sys, const char *event)
{
	const char *root = hu_tracefs_root();
	char p[PATH_MAX];

	if (!root)
		return false;
	snprintf(p, sizeof(p), "%s/events/%s/%s/enable", root, sys, event);
	return access(p, F_OK) == 0;
}

bool hu_tracefs_has_function(const char *func)
{
	static char *funcs;	/* the list is large: read it once */
	const char *root = hu_tracefs_root();
	size_t n = strlen(func);
	const char *p;

	if (!root)
		return false;
	if (!funcs && hu_tracefs_read(root, "available_filter_functions",
				      &funcs, NULL))
		return false;
	/* One function a line, possibly followed by " [module]". */
	for (p = funcs; (p = strstr(p, func)); p += n) {
		if ((p == funcs || p[-1] == '\n') &&
		    (p[n] == '\n' || p[n] == ' ' || p[n] == '\0'))
			return true;
	}
	return false;
}

int hu_tracefs_kprobe_add(const char *group, const char *event,
			  const char *func, const char *args)
{
	const char *root = hu_tracefs_root();
	char def[512];

	if (!root)
		return -ENOENT;
	snprintf(def, sizeof(def), "p:%s/%s %s %s\n", group, event, func,
		 args ? args : "");
	return hu_tracefs_write(root, "kprobe_events", def, true);
}

int hu_tracefs_kprobe_del(const char *group, const char *event)
{
	const char *root = hu_tracefs_root();
	char def[256];

	if (!root)
		return -ENOENT;
	snprintf(def, sizeof(def), "-:%s/%s\n", group, event);
	return hu_tracefs_write(root, "kprobe_events", def, true);
}

static int event_file(const char *inst, const char *sys, const char *event,
		      const char *file, const char *text, bool append)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s/events/%s/%s", inst, sys, event);
	return hu_tracefs_write(dir, file, text, append);
}

int hu_tracefs_event_enable(const char *inst, const char *sys,
			    const char *event, bool on)
{
	return event_file(inst, sys, event, "enable", on ? "1" : "0", false);
}

int hu_tracefs_event_filter(const char *inst, const char *sys,
			    const char *event, const char *filter)
{
	return event_file(inst, sys, event, "filter",
			  filter && *filter ? filter : "0", false);
}

int hu_tracefs_event_trigger(const char *inst, const char *sys,
			     const char *event, const char *trigger, bool on)
{
	char text[512];

	/* A trigger is removed by writing its command prefixed with '!'. */
	if (on)
		snprintf(text, sizeof(text), "%s", trigger);
	else
		snprintf(text, sizeof(text), "!%.*s",
			 (int)strcspn(trigger, " :"), trigger);
	return event_file(inst, sys, event, "trigger", text, true);
}

int hu_tracefs_marker(const char *inst, const char *text)
{
	return hu_tracefs_write(inst, "trace_marker", text, false);
}
