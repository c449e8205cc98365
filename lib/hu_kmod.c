// SPDX-License-Identifier: MIT
/* hu_kmod: module load, unload, refcount and holders via libkmod. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <libkmod.h>

#include "hu_core.h"
#include "hu_kmod.h"

/* libkmod's own messages ("could not remove ...: busy") go to the debug log:
 * a refused unload is a measurement here, not an error. */
static void log_fn(void *data, int prio, const char *file, int line,
		   const char *fn, const char *fmt, va_list args)
{
	char buf[512];

	vsnprintf(buf, sizeof(buf), fmt, args);
	hu_debug("libkmod: %s", buf);
}

static struct kmod_ctx *ctx(void)
{
	static struct kmod_ctx *c;

	if (!c) {
		c = kmod_new(NULL, NULL);
		if (c) {
			kmod_set_log_fn(c, log_fn, NULL);
			kmod_load_resources(c);
		}
	}
	return c;
}

static struct kmod_module *get(const char *name)
{
	struct kmod_module *m = NULL;

	if (!ctx() || kmod_module_new_from_name(ctx(), name, &m) < 0)
		return NULL;
	return m;
}

int hu_kmod_refcnt(const char *name)
{
	struct kmod_module *m = get(name);
	int r;

	if (!m)
		return -ENOMEM;
	r = kmod_module_get_refcnt(m);
	kmod_module_unref(m);
	return r;
}

bool hu_kmod_is_loaded(const char *name)
{
	struct kmod_module *m = get(name);
	bool live;

	if (!m)
		return false;
	live = kmod_module_get_initstate(m) == KMOD_MODULE_LIVE;
	kmod_module_unref(m);
	return live;
}

const char *hu_kmod_holders(const char *name, char *buf, size_t len)
{
	struct kmod_module *m = get(name);
	struct kmod_list *l, *it;
	size_t off;

	snprintf(buf, len, "refcnt %d, holders:", hu_kmod_refcnt(name));
	if (!m)
		return buf;
	l = kmod_module_get_holders(m);
	kmod_list_foreach(it, l) {
		struct kmod_module *h = kmod_module_get_module(it);

		off = strlen(buf);
		snprintf(buf + off, len - off, " %s", kmod_module_get_name(h));
		kmod_module_unref(h);
	}
	if (!l) {
		off = strlen(buf);
		snprintf(buf + off, len - off, " none");
	}
	kmod_module_unref_list(l);
	kmod_module_unref(m);
	return buf;
}

int __hu_kmod_unload(const char *name)
{
	struct kmod_module *m = get(name);
	int r;

	if (!m)
		return -ENOMEM;
	hu_kmsg(7, "unloading module %s\n", name);
	r = kmod_module_remove_module(m, KMOD_REMOVE_NOWAIT);
	kmod_module_unref(m);
	hu_debug("kmod: unload %s -> %s\n", name, r ? strerror(-r) : "ok");
	return r;
}

int __hu_kmod_load(const char *name, const char *options)
{
	struct kmod_module *m = NULL;
	struct kmod_list *l = NULL, *it;
	int r;

	if (!ctx())
		return -ENOMEM;
	r = kmod_module_new_from_lookup(ctx(), name, &l);
	if (r < 0)
		return r;
	if (!l)
		return -ENOENT;
	hu_kmsg(7, "loading module %s\n", name);
	kmod_list_foreach(it, l) {
		m = kmod_module_get_module(it);
		r = kmod_module_probe_insert_module(m, 0, options, NULL, NULL,
						    NULL);
		kmod_module_unref(m);
		if (r < 0)
			break;
	}
	kmod_module_unref_list(l);
	hu_debug("kmod: load %s -> %s\n", name, r < 0 ? strerror(-r) : "ok");
	return r < 0 ? r : 0;
}
