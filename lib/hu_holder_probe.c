// SPDX-License-Identifier: MIT
/* hu_holder_probe: the probes and closes the holder files share. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <drm.h>

#include "hu_core.h"
#include "hu_drm.h"
#include "hu_holder.h"

void hu_pattern_bo(const struct hu_device *dev, unsigned int w,
		   unsigned int h, uint32_t seed, int *card, struct hu_bo *bo,
		   void **map)
{
	int err;

	*card = hu_drm_open(dev->card);
	hu_assert_f(*card >= 0, "open %s: %s\n", dev->card, strerror(-*card));
	err = hu_drm_dumb_create(*card, w, h, bo);
	hu_require_f(!err, "no dumb buffers: %s\n", strerror(-err));
	hu_assert_ok(hu_drm_dumb_map_offset(*card, bo));
	*map = hu_drm_mmap_bo(*card, bo);
	hu_assert_f(*map != MAP_FAILED, "mmap of a dumb BO: %s\n",
		    strerror(errno));
	hu_fill_pattern(*map, bo->size, seed);
}

int hu_try_import(const struct hu_device *dev, int importer)
{
	int card, dmabuf = -1, err, cerr = 0;
	struct hu_bo bo;
	uint32_t h;

	card = hu_drm_open(dev->card);
	if (card < 0)
		return card;
	err = hu_drm_dumb_create(card, 64, 64, &bo);
	if (!err) {
		err = hu_drm_prime_export(card, bo.handle, &dmabuf);
		if (!err) {
			err = hu_drm_prime_import(importer, dmabuf, &h);
			if (!err)
				hu_drm_gem_close(importer, h);
		}
		hu_drm_dumb_destroy(card, bo.handle);
	}
	hu_close(&dmabuf, &cerr);
	hu_close(&card, &cerr);
	return err;
}

void hu_close(int *fd, int *err)
{
	if (*fd >= 0 && close(*fd) && err && !*err)
		*err = -errno;
	*fd = -1;
}

void hu_unmap(void **map, size_t len)
{
	if (*map && *map != MAP_FAILED)
		munmap(*map, len);
	*map = NULL;
}

/*
 * Once the device is gone, every DRM ioctl number, core and driver range,
 * must answer ENODEV: drm_ioctl() checks for an unplugged device before it
 * looks at the command, so a zero-sized argument is safe to send. Never on a
 * live device.
 */
static void sweep_ioctls(int fd, const char *what)
{
	int other = 0, first_nr = -1, first_err = 0;

	for (unsigned int nr = 0; nr < 0x100; nr++) {
		unsigned long req = _IOC(_IOC_READ | _IOC_WRITE, DRM_IOCTL_BASE,
					 nr, 0);
		int r = ioctl(fd, req, NULL) ? -errno : 0;

		if (r != -ENODEV && other++ == 0) {
			first_nr = nr;
			first_err = r;
		}
	}
	hu_debug("%s: %d of 256 ioctl numbers did not give ENODEV\n", what,
		 other);
	hu_assert_f(!other, "%s: %d ioctl numbers did not give ENODEV, the "
		    "first 0x%02x: %s\n", what, other, first_nr,
		    first_err ? strerror(-first_err) : "success");
}

void hu_probe_fd(int fd, bool card, bool gone, const char *what)
{
	uint64_t cap;
	char name[64];
	struct hu_bo bo;
	uint32_t h;
	int r;

	r = hu_drm_driver_name(fd, name, sizeof(name));
	hu_debug("%s: VERSION -> %s\n", what, r ? strerror(-r) : name);
	if (gone)
		hu_assert_f(r == -ENODEV, "%s: VERSION gave %s, not ENODEV\n",
			    what, r ? strerror(-r) : "success");
	else
		hu_assert_f(r == 0, "%s: VERSION failed: %s\n", what,
			    strerror(-r));

	r = hu_drm_get_cap(fd, DRM_CAP_DUMB_BUFFER, &cap);
	if (gone)
		hu_assert_f(r == -ENODEV, "%s: GET_CAP gave %s, not ENODEV\n",
			    what, r ? strerror(-r) : "success");

	r = hu_drm_ioctl(fd, DRM_IOCTL_GEM_CLOSE,
			 &(struct drm_gem_close){ .handle = 0x7fffffff });
	hu_assert_f(gone ? r == -ENODEV : r != 0,
		    "%s: GEM_CLOSE of no handle gave %s\n", what,
		    r ? strerror(-r) : "success");

	r = hu_drm_syncobj_create(fd, true, &h);
	if (gone)
		hu_assert_f(r == -ENODEV,
			    "%s: SYNCOBJ_CREATE gave %s, not ENODEV\n", what,
			    r ? strerror(-r) : "success");
	else if (!r)
		hu_drm_syncobj_destroy(fd, h);

	if (card) {
		r = hu_drm_dumb_create(fd, 64, 64, &bo);
		if (gone)
			hu_assert_f(r == -ENODEV,
				    "%s: CREATE_DUMB gave %s, not ENODEV\n",
				    what, r ? strerror(-r) : "success");
		else if (!r)
			hu_drm_dumb_destroy(fd, bo.handle);
	}
	if (gone)
		sweep_ioctls(fd, what);
}

const char *hu_probe_map(void *map, size_t len, uint32_t seed,
			 bool must_keep, const char *what)
{
	void *copy = malloc(len);
	const char *state;
	int sig;

	hu_assert(copy);
	sig = hu_guarded_access(map, len, copy, -1);
	if (sig) {
		free(copy);
		hu_assert_f(!sig, "%s: reading the mapping raised %s\n", what,
			    strsignal(sig));
	}
	state = hu_check_pattern(copy, len, seed) ? "intact" :
		hu_all_zero(copy, len) ? "zero" : "changed";
	free(copy);
	hu_info("%s: mapping readable, data %s\n", what, state);
	hu_assert_f(!must_keep || !strcmp(state, "intact"),
		    "%s: data %s, must be intact\n", what, state);
	return state;
}

void hu_probe_new_map(int fd, size_t len, uint32_t seed, const char *label)
{
	void *map = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	char what[128];

	hu_info("%s: new mmap %s\n", label,
		map == MAP_FAILED ? strerror(errno) : "works");
	if (map == MAP_FAILED)
		return;
	hu_fmt(what, sizeof(what), "new %s mmap", label);
	hu_probe_map(map, len, seed, true, what);
	munmap(map, len);
}
