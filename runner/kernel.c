// SPDX-License-Identifier: MIT
/*
 * The guest kernel: a Debian suite's kernel fetched by runner/kernel.sh, a
 * debug kernel built from Debian's source by runner/debug-kernel.sh, or
 * a local bzImage + modules (the bisect case), plus the small initramfs
 * that mounts the root over 9p, cached by kernel and recipe.
 */
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
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

/*
 * Does this ELF kernel carry Xen's PHYS32_ENTRY note (type 18), i.e. can
 * QEMU boot it through the PVH entry?
 */
static bool elf_has_pvh(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	bool found = false;
	Elf64_Ehdr eh;

	if (fd < 0)
		return false;
	if (pread(fd, &eh, sizeof(eh), 0) != sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum > 64)
		goto out;
	for (int i = 0; i < eh.e_phnum && !found; i++) {
		char notes[4096];
		Elf64_Phdr ph;
		size_t off = 0, len;

		if (pread(fd, &ph, sizeof(ph), eh.e_phoff + i * sizeof(ph)) != sizeof(ph) ||
		    ph.p_type != PT_NOTE)
			continue;
		len = ph.p_filesz < sizeof(notes) ? ph.p_filesz : sizeof(notes);
		if (pread(fd, notes, len, ph.p_offset) != (ssize_t)len)
			continue;
		while (off + sizeof(Elf64_Nhdr) <= len) {
			Elf64_Nhdr *n = (Elf64_Nhdr *)(notes + off);
			size_t name = off + sizeof(*n);

			if (n->n_namesz == 4 && name + 4 <= len &&
			    !memcmp(notes + name, "Xen", 4) && n->n_type == 18) {
				found = true;
				break;
			}
			off = name + ((n->n_namesz + 3) & ~3u) + ((n->n_descsz + 3) & ~3u);
		}
	}
out:
	close(fd);
	return found;
}

static int suite_kernel(const struct vm_opts *o, struct vm_kernel *k)
{
	/* "debug" or "debug-SUITE": debug-kernel.sh builds it (once, ~1 h) */
	bool debug = !strcmp(o->kernel, "debug") || !strncmp(o->kernel, "debug-", 6);
	const char *suite = !debug ? o->kernel : o->kernel[5] ? o->kernel + 6 : "trixie";
	char script[PATH_MAX], dir[PATH_MAX], ver[PATH_MAX + 16];
	char *argv[] = { script, (char *)suite,
			 o->offline ? "--offline" : NULL, NULL };
	char *v;

	vm_fmt(script, sizeof(script), "%s/runner/%s", vm_source_dir(),
	       debug ? "debug-kernel.sh" : "kernel.sh");
	if (vm_run(argv, dir, sizeof(dir), debug ? 4 * 3600 : 600) != 0 || !*dir) {
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
	/* the decompressed kernel boots about 1 s faster (kernel.sh) */
	vm_fmt(k->vmlinuz, sizeof(k->vmlinuz), "%s/vmlinux", dir);
	if (!elf_has_pvh(k->vmlinuz))
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

/*
 * The initramfs cache keeps the newest INITRAMFS_KEEP images of a kernel
 * version (by last use: each run touches its image), and of the older ones
 * only those used within INITRAMFS_GRACE_S (another checkout's runs may
 * still use them; deleting costs them a 1-2 s rebuild, not a failure).
 */
#define INITRAMFS_KEEP		3
#define INITRAMFS_GRACE_S	(24 * 3600)

struct image {
	char name[256];
	time_t used;
};

static int newest_first(const void *a, const void *b)
{
	const struct image *x = a, *y = b;

	return (x->used < y->used) - (x->used > y->used);
}

static void prune_initramfs(const char *dir, const char *version)
{
	struct image img[64];
	size_t vl = strlen(version);
	time_t now = time(NULL);
	struct dirent *de;
	int n = 0;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((de = readdir(d)) && n < 64) {
		char path[PATH_MAX + 256];
		struct stat st;

		/* VERSION-<16 hex>.cpio.gz: not another version's, no temporaries */
		if (strlen(de->d_name) != vl + 1 + 16 + 8 ||
		    strncmp(de->d_name, version, vl) || de->d_name[vl] != '-' ||
		    strcmp(de->d_name + vl + 17, ".cpio.gz"))
			continue;
		vm_fmt(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (stat(path, &st))
			continue;
		snprintf(img[n].name, sizeof(img[n].name), "%s", de->d_name);
		img[n++].used = st.st_mtime;
	}
	closedir(d);
	qsort(img, n, sizeof(img[0]), newest_first);
	for (int i = INITRAMFS_KEEP; i < n; i++) {
		char path[PATH_MAX + 256];

		if (now - img[i].used < INITRAMFS_GRACE_S)
			continue;
		vm_fmt(path, sizeof(path), "%s/%s", dir, img[i].name);
		if (!unlink(path))
			vm_msg("initramfs cache: removed %s (unused for %ld h)",
			       img[i].name, (long)(now - img[i].used) / 3600);
	}
}

static int make_initramfs(struct vm_kernel *k)
{
	char base[PATH_MAX], dir[PATH_MAX + 16], script[PATH_MAX + 32];
	char init[PATH_MAX + 32], dep[PATH_MAX + 16];
	char *argv[] = { script, k->moddir, k->initramfs, NULL };
	char *gz[] = { "gzip", "-tq", k->initramfs, NULL };
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
	/* a damaged image (a full disk, a killed copy) boots into a panic */
	if (!access(k->initramfs, R_OK) && vm_run(gz, NULL, 0, 60) != 0) {
		vm_msg("initramfs cache: %s is damaged (gzip -t), building it again",
		       k->initramfs);
		unlink(k->initramfs);
	}
	if (access(k->initramfs, R_OK)) {
		if (vm_run(argv, NULL, 0, 300) != 0) {
			fprintf(stderr, "hotunplug-vm: building the initramfs failed\n");
			return -1;
		}
	} else if (utimensat(AT_FDCWD, k->initramfs, NULL, 0)) {
		/* last use, for the pruning */
		vm_msg("cannot touch %s: %s", k->initramfs, strerror(errno));
	}
	prune_initramfs(dir, k->version);
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
