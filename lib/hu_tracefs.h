/* SPDX-License-Identifier: MIT */
/*
 * hu_tracefs: small helpers over the kernel's tracefs, for oracles that
 * record kernel events while a test runs.
 *
 * An oracle works in its own instance (instances/NAME) so it neither sees
 * nor disturbs other tracers. kprobe definitions are global (kprobe_events
 * of the top level); they are enabled only in the instance.
 *
 * Every function returns 0 or a negative errno; none asserts.
 */
#ifndef HU_TRACEFS_H
#define HU_TRACEFS_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The tracefs mount point: /sys/kernel/tracing (mounted there if it is
 * not yet, as root may), else /sys/kernel/debug/tracing. NULL if there is
 * none; the result is cached.
 */
const char *hu_tracefs_root(void);

/* Writes @text to @dir/@file, truncating (@append false) or appending. */
int hu_tracefs_write(const char *dir, const char *file, const char *text,
		     bool append);
/* Reads all of @dir/@file into a malloc'ed, NUL-terminated buffer. */
int hu_tracefs_read(const char *dir, const char *file, char **text,
		    size_t *len);

/* Creates (or reuses) instances/@name; its path goes to @path. */
int hu_tracefs_instance_create(const char *name, char *path, size_t len);
/* Removes an instance, after switching its events and tracing off. */
int hu_tracefs_instance_remove(const char *name);

/* Does events/@sys/@event exist at the top level? */
bool hu_tracefs_has_event(const char *sys, const char *event);
/* Is @func listed in available_filter_functions (so a kprobe can go on)? */
bool hu_tracefs_has_function(const char *func);

/*
 * Defines a kprobe event @group/@event on @func with fetch arguments
 * @args ("p:GROUP/EVENT FUNC ARGS" in kprobe_events), or removes it.
 */
int hu_tracefs_kprobe_add(const char *group, const char *event,
			  const char *func, const char *args);
int hu_tracefs_kprobe_del(const char *group, const char *event);

/*
 * In instance directory @inst: switches event @sys/@event on or off,
 * sets its filter ("" clears it) and adds/removes a trigger
 * (e.g. "stacktrace if device == \"0000:01:00.0\"").
 */
int hu_tracefs_event_enable(const char *inst, const char *sys,
			    const char *event, bool on);
int hu_tracefs_event_filter(const char *inst, const char *sys,
			    const char *event, const char *filter);
int hu_tracefs_event_trigger(const char *inst, const char *sys,
			     const char *event, const char *trigger, bool on);

/* Writes one line to the instance's trace_marker. */
int hu_tracefs_marker(const char *inst, const char *text);

#endif /* HU_TRACEFS_H */
