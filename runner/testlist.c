// SPDX-License-Identifier: MIT
/*
 * The test list checked on the host before anything boots: every staged
 * binary lists its subtests (--list-subtests lists and touches no device),
 * and every --test-list line must name a binary and a subtest that exist
 * (an igt_runner pattern must match one; a dynamic subtest needs its
 * parent). A typo is then a message with file:line in a second, not an
 * empty results.json after a boot.
 */
#include <dirent.h>
#include <fnmatch.h>
#include <limits.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlist.h"

/**
 * vm_names_add - one more name
 * @k: the names
 * @name: drm-ci form
 */
void vm_names_add(struct vm_names *k, const char *name)
{
	if (k->n % 256 == 0) {
		char **nn = realloc(k->names, (k->n + 256) * sizeof(*nn));

		if (!nn)
			vm_die("out of memory");
		k->names = nn;
	}
	k->names[k->n] = strdup(name);
	if (!k->names[k->n])
		vm_die("out of memory");
	k->n++;
}

/**
 * vm_names_list - the subtests of every igt binary in a test directory
 * @k: filled with "bin@subtest" names (drm-ci form) and, for a binary
 *	without subtests, "bin"; k->nbins counts the binaries
 * @tests: the staged igt test directory
 */
void vm_names_list(struct vm_names *k, const char *tests)
{
	static char out[1 << 17];
	char path[PATH_MAX + 300], name[600], *save, *l;
	struct dirent *de;
	DIR *d = opendir(tests);

	memset(k, 0, sizeof(*k));
	while (d && (de = readdir(d))) {
		char *argv[] = { path, "--list-subtests", NULL };

		vm_fmt(path, sizeof(path), "%s/%s", tests, de->d_name);
		if (de->d_name[0] == '.' || !vm_is_exe(path))
			continue;
		if (vm_run(argv, out, sizeof(out), 30) != 0)
			continue;	/* not an igt binary */
		k->nbins++;
		if (!out[0])
			vm_names_add(k, de->d_name);
		for (l = strtok_r(out, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
			vm_fmt(name, sizeof(name), "%s@%s", de->d_name, l);
			vm_names_add(k, name);
		}
	}
	if (d)
		closedir(d);
}

/**
 * vm_names_add_list - add the igt@ names of a test list (drm-ci form)
 * @k: the names
 * @path: a test list
 */
void vm_names_add_list(struct vm_names *k, const char *path)
{
	char *text = vm_read_file(path, 1 << 20, NULL), *save, *l;

	for (l = text ? strtok_r(text, "\n", &save) : NULL; l;
	     l = strtok_r(NULL, "\n", &save)) {
		l[strcspn(l, "# \t\r")] = 0;
		if (!strncmp(l, "igt@", 4))
			vm_names_add(k, l + 4);
	}
	free(text);
}

/**
 * vm_names_free - release the names
 * @k: the names; zeroed
 */
void vm_names_free(struct vm_names *k)
{
	for (int i = 0; i < k->n; i++)
		free(k->names[i]);
	free(k->names);
	memset(k, 0, sizeof(*k));
}

/* does bin@sub[@dyn] (or a pattern of it) name something that exists? */
static bool exists(const struct vm_names *k, const char *name, bool *bin_ok)
{
	size_t blen = strcspn(name, "@");
	const char *dyn = name[blen] ? strchr(name + blen + 1, '@') : NULL;
	size_t parent = dyn ? (size_t)(dyn - name) : 0;

	*bin_ok = false;
	for (int i = 0; i < k->n; i++) {
		const char *kn = k->names[i];

		if (!strncmp(kn, name, blen) && (kn[blen] == '@' || !kn[blen]))
			*bin_ok = true;
		if (!strcmp(kn, name) || !fnmatch(name, kn, 0))
			return true;
		if (parent && strlen(kn) == parent && !strncmp(kn, name, parent))
			return true;
	}
	return false;
}

/**
 * vm_testlist_check - every line of a test list names a test that exists
 * @path: the --test-list file
 * @k: the staged binaries' subtests (vm_names_list())
 *
 * Ends the run (exit 2) with file:line at the first bad line, or when the
 * list has no test at all.
 */
void vm_testlist_check(const char *path, const struct vm_names *k)
{
	char *text = vm_read_file(path, 1 << 20, NULL), *l, *next;
	int line = 0, tests = 0;
	bool bin_ok;

	if (!text)
		vm_die("--test-list %s: cannot read it", path);
	for (l = text; l; l = next) {
		next = strchr(l, '\n');
		if (next)
			*next++ = 0;
		line++;
		l += strspn(l, " \t");
		l[strcspn(l, "#\r")] = 0;
		l[strcspn(l, " \t")] = 0;
		if (!*l)
			continue;
		if (strncmp(l, "igt@", 4) || !l[4])
			vm_die("--test-list %s:%d: \"%s\" is not an igt@binary@subtest "
			       "name", path, line, l);
		if (!exists(k, l + 4, &bin_ok)) {
			if (!bin_ok)
				vm_die("--test-list %s:%d: no test binary \"%.*s\" in the "
				       "build", path, line, (int)strcspn(l + 4, "@"), l + 4);
			vm_die("--test-list %s:%d: %s: no such subtest", path, line, l);
		}
		tests++;
	}
	free(text);
	if (!tests)
		vm_die("--test-list %s: no tests in it (only comments or blank lines)",
		       path);
}

/**
 * vm_tests_regex_check - --tests must match a test that exists
 * @re: the igt_runner -t regex (of igt@bin@subtest names)
 * @k: the staged binaries' subtests
 *
 * Checked as a POSIX extended regex; one that does not compile as such is
 * left to igt_runner (GLib's regexes are a superset).
 */
void vm_tests_regex_check(const char *re, const struct vm_names *k)
{
	char name[700];
	regex_t rx;
	bool hit = false;

	if (regcomp(&rx, re, REG_EXTENDED | REG_NOSUB))
		return;
	for (int i = 0; i < k->n && !hit; i++) {
		vm_fmt(name, sizeof(name), "igt@%s", k->names[i]);
		hit = !regexec(&rx, name, 0, NULL, 0);
	}
	regfree(&rx);
	if (!hit)
		vm_die("--tests '%s' matches no test of the build's %d binaries",
		       re, k->nbins);
}
