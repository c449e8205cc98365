/* SPDX-License-Identifier: MIT */
/*
 * hu_udev: bounded waits on kernel uevents.
 *
 * A waiter is created BEFORE the action whose effect it waits for, so no
 * event is lost; hu_uwait_until() then re-checks a condition each time a
 * uevent arrives (and once at the start), until it holds or the time is
 * up. It listens to the "kernel" netlink source, which works whether or not
 * udevd runs (a bare VM guest has none); the condition looks at sysfs and
 * /dev itself, so it does not depend on udevd having finished.
 */
#ifndef HU_UDEV_H
#define HU_UDEV_H

#include <stdbool.h>

struct hu_uwait;

/* NULL (errno set) if no netlink socket can be had. */
struct hu_uwait *hu_uwait_new(void);
void hu_uwait_free(struct hu_uwait *w);

typedef bool (*hu_ucond_t)(void *data);

/*
 * Waits until @cond(@data) is true, for at most @timeout_ms. Returns 0, or
 * -ETIMEDOUT. @what names the wait in debug logs, with the events seen.
 */
int hu_uwait_until(struct hu_uwait *w, hu_ucond_t cond, void *data,
		   int timeout_ms, const char *what);

/* Milliseconds on the monotonic clock. */
long long hu_now_ms(void);

#endif /* HU_UDEV_H */
