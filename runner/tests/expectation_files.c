// SPDX-License-Identifier: MIT
/*
 * The expectations the suite ships (tests/expectations/): every file is
 * named so that hotunplug-vm --expectations DIR picks it for a GPU kind
 * (DRIVER-KERNEL[-IOMMU]-{fails,flakes,skips}.txt, triage.c), parses, and
 * names only subtests the built binaries list (or the test lists' dynamic
 * subtests). A lane run checks the files of its own kernel and GPU before
 * it boots; this checks all of them without a VM.
 */
#include <ctype.h>
#include <dirent.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "hu_check.h"
#include "testlist.h"
#include "triage.h"

/* the driver of a file name, if a --gpu kind has it; NULL otherwise */
static const char *file_driver(const char *file)
{
	static const char *const kinds[] = {
		"virtio-gpu", "bochs", "qxl", "cirrus",
	};

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		const char *drv = vm_triage_driver(kinds[i]);
		size_t n = strlen(drv);

		if (!vm_gpu_kind(kinds[i]))
			check(0, "%s is no --gpu kind any more", kinds[i]);
		if (!strncmp(file, drv, n) && file[n] == '-')
			return drv;
	}
	return NULL;
}

/* "F" and a number, as a word */
static bool has_finding(const char *text)
{
	for (const char *p = strchr(text, 'F'); p; p = strchr(p + 1, 'F'))
		if ((p == text || !isalnum((unsigned char)p[-1])) &&
		    isdigit((unsigned char)p[1]))
			return true;
	return false;
}

/* DRIVER-KERNEL[-intel-iommu|-virtio-iommu]-KIND.txt: KERNEL not empty */
static bool good_name(const char *file)
{
	static const char *const kinds[] = {
		"-fails.txt", "-flakes.txt", "-skips.txt",
	};
	static const char *const iommus[] = { "-intel-iommu", "-virtio-iommu" };
	const char *drv = file_driver(file);
	size_t len = strlen(file), start, end = 0;

	if (!drv)
		return false;
	start = strlen(drv) + 1;
	for (int i = 0; i < 3; i++) {
		size_t n = strlen(kinds[i]);

		if (len > n && !strcmp(file + len - n, kinds[i]))
			end = len - n;
	}
	for (int i = 0; i < 2 && end; i++) {
		size_t n = strlen(iommus[i]);

		if (end > n && !strncmp(file + end - n, iommus[i], n))
			end -= n;
	}
	return end > start;
}

/*
 * drm-ci's files say why each line is there: the comment block right above
 * every entry names the finding (F1, F2, ...) and where it is documented.
 */
static bool commented(const char *path, char *why, size_t len)
{
	char line[1024], block[4096] = "";
	FILE *f = fopen(path, "r");
	int n = 0;

	if (!f) {
		snprintf(why, len, "cannot open");
		return false;
	}
	while (fgets(line, sizeof(line), f)) {
		n++;
		if (line[0] == '#') {
			if (strlen(block) + strlen(line) < sizeof(block))
				strcat(block, line);
			continue;
		}
		if (line[strspn(line, " \t\r\n")] == 0) {
			block[0] = 0;
			continue;
		}
		if (!has_finding(block) || !strstr(block, "docs/")) {
			snprintf(why, len, "line %d: no comment above it naming the finding (F<n>) and docs/",
				 n);
			fclose(f);
			return false;
		}
		block[0] = 0;
	}
	fclose(f);
	return true;
}

int main(void)
{
	char dir[PATH_MAX], path[PATH_MAX + 300], err[PATH_MAX + 600];
	struct vm_names known;
	struct dirent *de;
	int files = 0;
	DIR *d;

	/* the subtests of the build's binaries and of the test lists */
	vm_fmt(dir, sizeof(dir), "%s/tests", HU_BUILD_DIR);
	vm_names_list(&known, dir);
	check(known.nbins >= 2, "%d igt binaries listed their subtests in %s",
	      known.nbins, dir);
	vm_fmt(dir, sizeof(dir), "%s/tests/testlists", vm_source_dir());
	d = opendir(dir);
	while (d && (de = readdir(d)))
		if (strstr(de->d_name, ".testlist")) {
			vm_fmt(path, sizeof(path), "%s/%s", dir, de->d_name);
			vm_names_add_list(&known, path);
		}
	if (d)
		closedir(d);

	vm_fmt(dir, sizeof(dir), "%s/tests/expectations", vm_source_dir());
	d = opendir(dir);
	check(d != NULL, "%s exists", dir);
	while (d && (de = readdir(d))) {
		struct vm_exp e = { 0 };

		if (de->d_name[0] == '.')
			continue;
		files++;
		check(good_name(de->d_name),
		      "%s: named DRIVER-KERNEL[-IOMMU]-{fails,flakes,skips}.txt",
		      de->d_name);
		vm_fmt(path, sizeof(path), "%s/%s", dir, de->d_name);
		err[0] = 0;
		check(commented(path, err, sizeof(err)),
		      "%s: every entry under a comment with its finding %s",
		      de->d_name, err);
		err[0] = 0;
		if (check(!vm_exp_load_file(&e, path, err, sizeof(err)),
			  "%s parses %s", de->d_name, err))
			check(!vm_exp_check_names(&e, known.names, known.n, err,
						  sizeof(err)),
			      "%s names existing subtests %s", de->d_name, err);
		vm_exp_free(&e);
	}
	if (d)
		closedir(d);
	check(files > 0, "%d expectations files", files);
	vm_names_free(&known);
	return check_done();
}
