// SPDX-License-Identifier: MIT
/*
 * The guest kernel: a Debian suite's kernel fetched by runner/kernel.sh, or
 * a local bzImage + modules (the bisect case), plus the small initramfs
 * that mounts the root over 9p, cached by kernel and recipe.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vm.h"

static const char *cache_dir(char *buf, size_t len)
{
	const char *c = getenv("HU_CACHE");
	const char *x = getenv("XDG_CACHE_HOME");
	const char *h = getenv("HOME");

	if (c && *c)
		snprintf(buf, len, "%s", c);
	else if (x && *x)
		snprintf(buf, len, "%s/hotunplug", x);
	else
		snprintf(buf, len, "%s/.cache/hotunplug", h ? h : "/root");
	return buf;
}

static int suite_kernel(const struct vm_opts *o, struct vm_kernel *k)
{
	char script[PATH_MAX], dir[PATH_MAX], ver[PATH_MAX + 16];
	char *argv[] = { script, (char *)o->kernel,
			 o->offline ? "--offline" : NULL, NULL };
	char *v;

	vm_fmt(script, sizeof(script), "%s/runner/kernel.sh", vm_source_dir());
	if (vm_run(argv, dir, sizeof(dir), 600) != 0 || !*dir) {
		fprintf(stderr, "hotunplug-vm: cannot get the %s kernel\n", o->kernel);
		return -1;
	}
	vm_fmt(ver, sizeof(ver), "%s/version", dir);
	v = vm_read_file(ver, 127, NULL);
	if (!v)
		return -1;
	v[strcspn(v, "\n")] = 0;
	vm_fmt(k->version, sizeof(k->version), "%s", v);
	free(v);
	vm_fmt(k->vmlinuz, sizeof(k->vmlinuz), "%s/vmlinuz", dir);
	vm_fmt(k->moddir, sizeof(k->moddir), "%s/lib/modules/%s", dir, k->version);
	return 0;
}

/* --kernel PATH --modules DIR: DIR is lib/modules/VERSION, or holds one */
static int local_kernel(const struct vm_opts *o, struct vm_kernel *k)
{
	char path[PATH_MAX + 32];
	struct dirent *de;
	DIR *d;

	if (!o->modules) {
		fprintf(stderr, "hotunplug-vm: --kernel PATH needs --modules DIR "
			"(the kernel's lib/modules/VERSION)\n");
		return -1;
	}
	if (!realpath(o->kernel, k->vmlinuz) || access(k->vmlinuz, R_OK)) {
		fprintf(stderr, "hotunplug-vm: kernel %s: %m\n", o->kernel);
		return -1;
	}
	if (!realpath(o->modules, k->moddir)) {
		fprintf(stderr, "hotunplug-vm: modules %s: %m\n", o->modules);
		return -1;
	}
	vm_fmt(path, sizeof(path), "%s/modules.dep", k->moddir);
	if (access(path, R_OK)) {
		/* an INSTALL_MOD_PATH: look for lib/modules/<one version> */
		vm_fmt(path, sizeof(path), "%s/lib/modules", k->moddir);
		d = opendir(path);
		if (!d) {
			fprintf(stderr, "hotunplug-vm: %s has no modules.dep "
				"(run depmod)\n", k->moddir);
			return -1;
		}
		while ((de = readdir(d)))
			if (de->d_name[0] != '.')
				break;
		if (!de) {
			closedir(d);
			return -1;
		}
		vm_fmt(k->moddir + strlen(k->moddir),
			 sizeof(k->moddir) - strlen(k->moddir),
			 "/lib/modules/%s", de->d_name);
		closedir(d);
	}
	vm_fmt(k->version, sizeof(k->version), "%s", strrchr(k->moddir, '/') + 1);
	return 0;
}

static int make_initramfs(struct vm_kernel *k)
{
	char base[PATH_MAX], dir[PATH_MAX + 16], script[PATH_MAX + 32];
	char init[PATH_MAX + 32], dep[PATH_MAX + 16];
	char *argv[] = { script, k->moddir, k->initramfs, NULL };
	uint64_t h = 0;

	vm_fmt(script, sizeof(script), "%s/runner/mkinitramfs.sh", vm_source_dir());
	vm_fmt(init, sizeof(init), "%s/runner/guest/init", vm_source_dir());
	vm_fmt(dep, sizeof(dep), "%s/modules.dep", k->moddir);
	/* a rebuilt local kernel keeps its version: key on its modules too */
	h = vm_hash_file(h, script);
	h = vm_hash_file(h, init);
	h = vm_hash_file(h, dep);
	h = vm_hash(h, k->vmlinuz, strlen(k->vmlinuz));
	vm_fmt(dir, sizeof(dir), "%s/initramfs", cache_dir(base, sizeof(base)));
	if (vm_mkdir_p(dir))
		return -1;
	vm_fmt(k->initramfs, sizeof(k->initramfs), "%s/%s-%016llx.cpio.gz",
		 dir, k->version, (unsigned long long)h);
	if (!access(k->initramfs, R_OK))
		return 0;
	if (vm_run(argv, NULL, 0, 300) != 0) {
		fprintf(stderr, "hotunplug-vm: building the initramfs failed\n");
		return -1;
	}
	return 0;
}

int vm_kernel_prepare(const struct vm_opts *o, struct vm_kernel *k)
{
	int ret;

	if (strchr(o->kernel, '/') || !access(o->kernel, F_OK))
		ret = local_kernel(o, k);
	else
		ret = suite_kernel(o, k);
	return ret ? ret : make_initramfs(k);
}
