/* SPDX-License-Identifier: MIT */
/*
 * hu_kmod: kernel modules through libkmod: load with dependencies, unload
 * without waiting, reference count and holders.
 */
#ifndef HU_KMOD_H
#define HU_KMOD_H

#include <stdbool.h>
#include <stddef.h>

bool hu_kmod_is_loaded(const char *name);

/* The module's reference count, or -errno (-ENOENT if not loaded). */
int hu_kmod_refcnt(const char *name);

/*
 * Names of the modules that depend on @name (comma separated) and its
 * refcount, for reports: "refcnt 1, holders: drm_ttm_helper".
 */
const char *hu_kmod_holders(const char *name, char *buf, size_t len);

/*
 * Unloads @name (not its dependencies). Never waits: a busy module gives
 * -EAGAIN (the kernel's answer while a file of it is open) or -EBUSY.
 * Returns 0 or -errno.
 */
int __hu_kmod_unload(const char *name);

/* Loads @name and its dependencies, like modprobe. 0 or -errno. */
int __hu_kmod_load(const char *name, const char *options);

#endif /* HU_KMOD_H */
