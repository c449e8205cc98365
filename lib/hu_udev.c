// SPDX-License-Identifier: MIT
/* hu_udev: bounded waits on kernel uevents (netlink "kernel" source). */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <time.h>

#include <libudev.h>

#include "hu_core.h"
#include "hu_udev.h"

struct hu_uwait {
	struct udev *udev;
	struct udev_monitor *mon;
};

long long hu_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

struct hu_uwait *hu_uwait_new(void)
{
	struct hu_uwait *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->udev = udev_new();
	if (!w->udev)
		goto err;
	w->mon = udev_monitor_new_from_netlink(w->udev, "kernel");
	if (!w->mon)
		goto err;
	/* A removal sends a burst of events; do not drop them. */
	udev_monitor_set_receive_buffer_size(w->mon, 4 << 20);
	if (udev_monitor_enable_receiving(w->mon) < 0)
		goto err;
	return w;
err:
	hu_uwait_free(w);
	errno = ENOTSUP;
	return NULL;
}

void hu_uwait_free(struct hu_uwait *w)
{
	if (!w)
		return;
	if (w->mon)
		udev_monitor_unref(w->mon);
	if (w->udev)
		udev_unref(w->udev);
	free(w);
}

int hu_uwait_until(struct hu_uwait *w, hu_ucond_t cond, void *data,
		   int timeout_ms, const char *what)
{
	long long start = hu_now_ms(), left;
	int events = 0;

	for (;;) {
		struct pollfd pfd = { .fd = udev_monitor_get_fd(w->mon),
				      .events = POLLIN };
		struct udev_device *ud;

		if (cond(data)) {
			hu_debug("wait '%s': done after %lld ms, %d uevents\n",
				 what, hu_now_ms() - start, events);
			return 0;
		}
		left = start + timeout_ms - hu_now_ms();
		if (left <= 0)
			break;
		if (poll(&pfd, 1, (int)left) < 0 && errno != EINTR)
			break;
		while ((ud = udev_monitor_receive_device(w->mon))) {
			hu_debug("uevent: %s %s\n", udev_device_get_action(ud),
				 udev_device_get_devpath(ud));
			events++;
			udev_device_unref(ud);
		}
	}
	hu_debug("wait '%s': timed out after %d ms, %d uevents\n",
		 what, timeout_ms, events);
	return -ETIMEDOUT;
}
