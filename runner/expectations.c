// SPDX-License-Identifier: MIT
/*
 * Expectations in the kernel's drm-ci format (drivers/gpu/drm/ci/xfails/,
 * read by deqp-runner's igt-runner: --baseline, --flakes, --skips):
 *   DRIVER-KERNEL-fails.txt   "bin@subtest,Status" per line, Status one of
 *                             Fail, Crash, Timeout
 *   DRIVER-KERNEL-flakes.txt  a regex of bin@subtest names per line
 *   DRIVER-KERNEL-skips.txt   a regex of bin@subtest names per line
 * '#' starts a comment line. drm-ci names carry no "igt@" prefix;
 * igt_runner's do: vm_exp_drmci_name(), vm_exp_igt_name() and
 * vm_exp_igt_regex() are the only places that map between the two.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "expectations.h"

static const char *const status_names[] = {
	[VM_EXP_PASS] = "Pass", [VM_EXP_FAIL] = "Fail", [VM_EXP_CRASH] = "Crash",
	[VM_EXP_TIMEOUT] = "Timeout", [VM_EXP_WARN] = "Warn",
	[VM_EXP_SKIP] = "Skip", [VM_EXP_MISSING] = "Missing",
};

/**
 * vm_exp_status_name - deqp-runner's word for a status ("Fail", ...)
 * @s: the status
 */
const char *vm_exp_status_name(enum vm_exp_status s)
{
	return status_names[s];
}

/**
 * vm_exp_status_of - the deqp-runner status of an igt_runner result
 * @igt_result: results.json's word: pass, fail, dmesg-warn, incomplete, ...
 *
 * dmesg-fail counts as Fail and dmesg-warn as Warn (the kernel log made
 * them so); a guest crash (incomplete) and an abort count as Crash.
 */
enum vm_exp_status vm_exp_status_of(const char *igt_result)
{
	static const struct {
		const char *word;
		enum vm_exp_status s;
	} map[] = {
		{ "pass", VM_EXP_PASS }, { "skip", VM_EXP_SKIP },
		{ "warn", VM_EXP_WARN }, { "dmesg-warn", VM_EXP_WARN },
		{ "fail", VM_EXP_FAIL }, { "dmesg-fail", VM_EXP_FAIL },
		{ "crash", VM_EXP_CRASH }, { "incomplete", VM_EXP_CRASH },
		{ "abort", VM_EXP_CRASH }, { "timeout", VM_EXP_TIMEOUT },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(igt_result, map[i].word))
			return map[i].s;
	return VM_EXP_MISSING;	/* notrun, or nothing */
}

/**
 * vm_exp_is_failing - whether a status fails a run that does not expect it
 * @s: the status
 */
bool vm_exp_is_failing(enum vm_exp_status s)
{
	return s == VM_EXP_FAIL || s == VM_EXP_CRASH || s == VM_EXP_TIMEOUT;
}

/**
 * vm_exp_drmci_name - drm-ci's name for an igt_runner test name
 * @igt_name: "igt@bin@subtest"
 *
 * Returns a pointer into @igt_name past the "igt@" prefix.
 */
const char *vm_exp_drmci_name(const char *igt_name)
{
	return strncmp(igt_name, "igt@", 4) ? igt_name : igt_name + 4;
}

/**
 * vm_exp_igt_name - igt_runner's name for a drm-ci name
 * @drmci_name: "bin@subtest"
 * @buf: where "igt@bin@subtest" goes
 * @len: its size
 *
 * Returns 0, or -ENAMETOOLONG.
 */
int vm_exp_igt_name(const char *drmci_name, char *buf, size_t len)
{
	return (size_t)snprintf(buf, len, "igt@%s", drmci_name) < len ? 0 : -ENAMETOOLONG;
}

/**
 * vm_exp_igt_regex - an igt_runner -b regex that matches what a drm-ci regex does
 * @drmci_re: a line of a flakes or skips file, matched unanchored against
 *	"bin@subtest"
 * @buf: the regex for "igt@bin@subtest" names
 * @len: its size
 *
 * A leading '^' anchors at the start of the drm-ci name, so it moves past
 * "igt@"; otherwise the regex may match anywhere after it. Returns 0, or
 * -ENAMETOOLONG.
 */
int vm_exp_igt_regex(const char *drmci_re, char *buf, size_t len)
{
	int n;

	if (drmci_re[0] == '^')
		n = snprintf(buf, len, "^igt@(%s)", drmci_re + 1);
	else
		n = snprintf(buf, len, "^igt@.*(%s)", drmci_re);
	return n >= 0 && (size_t)n < len ? 0 : -ENAMETOOLONG;
}

/* A drm-ci test name: bin@subtest, optionally @dynamic; no spaces. */
static bool name_ok(const char *s)
{
	int parts = 1;

	if (!*s || *s == '@')
		return false;
	for (; *s; s++) {
		if (*s == '@') {
			if (s[1] == '@' || !s[1])
				return false;
			parts++;
		} else if (!strchr("abcdefghijklmnopqrstuvwxyz"
				   "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.", *s)) {
			return false;
		}
	}
	return parts == 2 || parts == 3;
}

enum file_kind { K_FAILS, K_FLAKES, K_SKIPS };

static int kind_of(const char *path)
{
	static const char *const suffix[] = {
		[K_FAILS] = "-fails.txt", [K_FLAKES] = "-flakes.txt",
		[K_SKIPS] = "-skips.txt",
	};
	size_t n = strlen(path);

	for (int k = 0; k < 3; k++) {
		size_t m = strlen(suffix[k]);

		if (n > m && !strcmp(path + n - m, suffix[k]))
			return k;
	}
	return -1;
}

static void *grow(void *arr, int n, size_t size)
{
	/* room for one more; doubling at powers of two */
	if (n && (n & (n - 1)))
		return arr;
	return realloc(arr, (n ? 2 * n : 8) * size);
}

#define FAIL_AT(fmt, ...) do {						\
		snprintf(err, len, "%s:%d: " fmt, path, line, ##__VA_ARGS__); \
		ret = -EINVAL;						\
		goto out;						\
	} while (0)

static int add_fail(struct vm_exp *e, const char *path, int line, char *l,
		    char *err, size_t len)
{
	char *comma = strchr(l, ',');
	struct vm_exp_fail *f;
	int ret = 0, st = -1;

	if (!comma)
		FAIL_AT("expected \"bin@subtest,Fail|Crash|Timeout\", got \"%s\"", l);
	*comma = 0;
	if (!strncmp(l, "igt@", 4))
		FAIL_AT("\"%s\": drm-ci names have no \"igt@\" prefix", l);
	if (!name_ok(l))
		FAIL_AT("\"%s\" is not a bin@subtest name", l);
	for (int s = VM_EXP_FAIL; s <= VM_EXP_TIMEOUT; s++)
		if (!strcmp(comma + 1, status_names[s]))
			st = s;
	if (st < 0)
		FAIL_AT("status \"%s\" of %s: Fail, Crash or Timeout", comma + 1, l);
	for (int i = 0; i < e->nfails; i++)
		if (!strcmp(e->fails[i].name, l))
			FAIL_AT("%s is listed twice (first at %s:%d)", l,
				e->fails[i].at.file, e->fails[i].at.line);
	f = grow(e->fails, e->nfails, sizeof(*f));
	if (!f)
		return -ENOMEM;
	e->fails = f;
	f = &e->fails[e->nfails];
	f->name = strdup(l);
	f->status = st;
	f->at.file = strdup(path);
	f->at.line = line;
	if (!f->name || !f->at.file)
		return -ENOMEM;
	e->nfails++;
out:
	return ret;
}

static int add_re(struct vm_exp_re **arr, int *n, const char *path, int line,
		  const char *l, char *err, size_t len)
{
	struct vm_exp_re *r;
	char why[128];
	int ret = 0, rc;

	if (!strncmp(l, "igt@", 4) || !strncmp(l, "^igt@", 5))
		FAIL_AT("\"%s\": drm-ci names have no \"igt@\" prefix", l);
	r = grow(*arr, *n, sizeof(*r));
	if (!r)
		return -ENOMEM;
	*arr = r;
	r = &r[*n];
	rc = regcomp(&r->re, l, REG_EXTENDED | REG_NOSUB);
	if (rc) {
		regerror(rc, &r->re, why, sizeof(why));
		FAIL_AT("regex \"%s\": %s", l, why);
	}
	r->src = strdup(l);
	r->at.file = strdup(path);
	r->at.line = line;
	if (!r->src || !r->at.file)
		return -ENOMEM;
	(*n)++;
out:
	return ret;
}

/**
 * vm_exp_load_file - add one expectations file
 * @e: the expectations (zeroed before the first file)
 * @path: a -fails.txt, -flakes.txt or -skips.txt file
 * @err: "file:line: what" on error
 * @len: its size
 *
 * Returns 0, -ENOENT/-EACCES if it cannot be read, -EINVAL if a line does
 * not parse (the first such line is in @err).
 */
int vm_exp_load_file(struct vm_exp *e, const char *path, char *err, size_t len)
{
	int kind = kind_of(path), line = 0, ret = 0;
	char *buf = NULL;
	size_t cap = 0;
	FILE *f;

	if (kind < 0) {
		line = 0;
		FAIL_AT("not an expectations file (-fails.txt, -flakes.txt, -skips.txt)");
	}
	f = fopen(path, "r");
	if (!f) {
		ret = -errno;
		snprintf(err, len, "%s: %s", path, strerror(errno));
		return ret;
	}
	while (getline(&buf, &cap, f) >= 0) {
		char *l = buf, *end;

		line++;
		l += strspn(l, " \t");
		end = l + strlen(l);
		while (end > l && strchr(" \t\r\n", end[-1]))
			*--end = 0;
		if (!*l || *l == '#')
			continue;
		if (kind == K_FAILS)
			ret = add_fail(e, path, line, l, err, len);
		else
			ret = add_re(kind == K_FLAKES ? &e->flakes : &e->skips,
				     kind == K_FLAKES ? &e->nflakes : &e->nskips,
				     path, line, l, err, len);
		if (ret)
			break;
	}
	if (ret == -ENOMEM)
		snprintf(err, len, "%s:%d: out of memory", path, line);
	free(buf);
	fclose(f);
	if (!ret)
		e->nfiles++;
out:
	return ret;
}

/**
 * vm_exp_load_dir - add PREFIX-fails.txt, -flakes.txt, -skips.txt of a directory
 * @e: the expectations
 * @dir: e.g. tests/expectations
 * @prefix: DRIVER-KERNEL, e.g. "virtio_gpu-sid"
 * @err: "file:line: what" on error
 * @len: its size
 *
 * Files that do not exist are no expectations. Returns how many files were
 * read, or a negative errno.
 */
int vm_exp_load_dir(struct vm_exp *e, const char *dir, const char *prefix,
		    char *err, size_t len)
{
	static const char *const kinds[] = { "fails", "flakes", "skips" };
	char path[4096];
	struct stat st;
	int n = 0;

	if (stat(dir, &st) || !S_ISDIR(st.st_mode)) {
		snprintf(err, len, "%s: not a directory", dir);
		return -ENOTDIR;
	}
	for (int k = 0; k < 3; k++) {
		int ret;

		if ((size_t)snprintf(path, sizeof(path), "%s/%s-%s.txt", dir, prefix,
				     kinds[k]) >= sizeof(path))
			return -ENAMETOOLONG;
		if (access(path, F_OK))
			continue;
		ret = vm_exp_load_file(e, path, err, len);
		if (ret)
			return ret;
		n++;
	}
	return n;
}

static bool known_name(char *const *known, int nknown, const char *name)
{
	const char *dyn = strchr(name, '@');
	size_t parent = 0;

	/* bin@sub@dyn: dynamic subtests cannot be listed, their parent can */
	if (dyn && (dyn = strchr(dyn + 1, '@')))
		parent = dyn - name;
	for (int i = 0; i < nknown; i++)
		if (!strcmp(known[i], name) ||
		    (parent && strlen(known[i]) == parent &&
		     !strncmp(known[i], name, parent)))
			return true;
	return false;
}

/**
 * vm_exp_check_names - every entry names (or matches) a subtest that exists
 * @e: the expectations
 * @known: drm-ci names of every subtest there is (the binaries'
 *	--list-subtests, plus the test list's dynamic subtests)
 * @nknown: how many
 * @err: "file:line: what" on error
 * @len: its size
 *
 * A fails entry bin@sub@dyn needs bin@sub; a regex must match one name.
 * Returns 0 or -ENOENT.
 */
int vm_exp_check_names(const struct vm_exp *e, char *const *known, int nknown,
		       char *err, size_t len)
{
	const struct vm_exp_re *sets[] = { e->flakes, e->skips };
	int nsets[] = { e->nflakes, e->nskips };

	for (int i = 0; i < e->nfails; i++) {
		if (known_name(known, nknown, e->fails[i].name))
			continue;
		snprintf(err, len, "%s:%d: no such subtest: %s", e->fails[i].at.file,
			 e->fails[i].at.line, e->fails[i].name);
		return -ENOENT;
	}
	for (int s = 0; s < 2; s++) {
		for (int i = 0; i < nsets[s]; i++) {
			bool hit = false;

			for (int j = 0; j < nknown && !hit; j++)
				hit = !regexec(&sets[s][i].re, known[j], 0, NULL, 0);
			if (hit)
				continue;
			snprintf(err, len, "%s:%d: matches no subtest: %s",
				 sets[s][i].at.file, sets[s][i].at.line, sets[s][i].src);
			return -ENOENT;
		}
	}
	return 0;
}

/**
 * vm_exp_write_blocklist - the skips as an igt_runner -b file
 * @e: the expectations
 * @path: the file to write
 *
 * Returns how many regexes were written, or a negative errno.
 */
int vm_exp_write_blocklist(const struct vm_exp *e, const char *path)
{
	FILE *f = fopen(path, "w");
	char re[4200];
	int ret = 0;

	if (!f)
		return -errno;
	for (int i = 0; i < e->nskips && !ret; i++) {
		ret = vm_exp_igt_regex(e->skips[i].src, re, sizeof(re));
		if (!ret && fprintf(f, "%s\n", re) < 0)
			ret = -EIO;
	}
	if (fclose(f) && !ret)
		ret = -EIO;
	return ret ? ret : e->nskips;
}

static const struct vm_exp_re *match(const struct vm_exp_re *set, int n,
				     const char *igt_name)
{
	const char *name = vm_exp_drmci_name(igt_name);

	for (int i = 0; i < n; i++)
		if (!regexec(&set[i].re, name, 0, NULL, 0))
			return &set[i];
	return NULL;
}

/**
 * vm_exp_skipped - the skips entry that keeps a test from running, if any
 * @e: the expectations
 * @igt_name: "igt@bin@subtest"
 */
const struct vm_exp_re *vm_exp_skipped(const struct vm_exp *e, const char *igt_name)
{
	return match(e->skips, e->nskips, igt_name);
}

/**
 * vm_exp_classify - what one result means against the expectations
 * @e: the expectations
 * @igt_name: "igt@bin@subtest" as in results.json
 * @result: its igt result word
 * @why: the entry that decided (NULL when none did)
 *
 * As deqp-runner: a flakes match never fails the run; a fails entry
 * expects exactly its status (another failing status is a new failure, a
 * pass an unexpected pass); any other Fail, Crash or Timeout is new. A row
 * in both a fails file and a flakes regex that fails with the listed
 * status is reported as the expected failure (both pass the run; the
 * known failure says more than the flake: F2 behind an IOMMU in rows F1
 * can hit).
 */
enum vm_exp_class vm_exp_classify(const struct vm_exp *e, const char *igt_name,
				  const char *result, const struct vm_exp_where **why)
{
	enum vm_exp_status st = vm_exp_status_of(result);
	const char *name = vm_exp_drmci_name(igt_name);
	const struct vm_exp_re *flake;

	*why = NULL;
	flake = match(e->flakes, e->nflakes, igt_name);
	for (int i = 0; i < e->nfails; i++) {
		if (!strcmp(e->fails[i].name, name) && st == e->fails[i].status) {
			*why = &e->fails[i].at;
			return VM_EXP_EXPECTED_FAIL;
		}
	}
	if (flake && vm_exp_is_failing(st)) {
		*why = &flake->at;
		return VM_EXP_FLAKE;
	}
	for (int i = 0; i < e->nfails; i++) {
		if (strcmp(e->fails[i].name, name))
			continue;
		*why = &e->fails[i].at;
		if (st == e->fails[i].status)
			return VM_EXP_EXPECTED_FAIL;
		if (st == VM_EXP_PASS || st == VM_EXP_WARN)
			return flake ? VM_EXP_OK : VM_EXP_UNEXPECTED_PASS;
		if (vm_exp_is_failing(st))
			return VM_EXP_NEW_FAIL;
		return VM_EXP_OK;	/* skipped or not run: nothing to compare */
	}
	return vm_exp_is_failing(st) ? VM_EXP_NEW_FAIL : VM_EXP_OK;
}

/**
 * vm_exp_class_name - the summary's words for a class
 * @c: the class
 */
const char *vm_exp_class_name(enum vm_exp_class c)
{
	static const char *const names[] = {
		[VM_EXP_OK] = "ok", [VM_EXP_EXPECTED_FAIL] = "expected failure",
		[VM_EXP_NEW_FAIL] = "new failure", [VM_EXP_FLAKE] = "flake",
		[VM_EXP_UNEXPECTED_PASS] = "unexpected pass",
	};

	return names[c];
}

/**
 * vm_exp_free - release what the loaders allocated
 * @e: the expectations; zeroed
 */
void vm_exp_free(struct vm_exp *e)
{
	struct vm_exp_re *sets[] = { e->flakes, e->skips };
	int nsets[] = { e->nflakes, e->nskips };

	for (int i = 0; i < e->nfails; i++) {
		free(e->fails[i].name);
		free(e->fails[i].at.file);
	}
	for (int s = 0; s < 2; s++) {
		for (int i = 0; i < nsets[s]; i++) {
			regfree(&sets[s][i].re);
			free(sets[s][i].src);
			free(sets[s][i].at.file);
		}
		free(sets[s]);
	}
	free(e->fails);
	memset(e, 0, sizeof(*e));
}
