// SPDX-License-Identifier: MIT
/*
 * The lane's verdict against expectations (expectations.c): which files
 * apply to this run (--expectations DIR: DRIVER-KERNEL-*.txt for each GPU
 * kind), the subtests that exist (the staged binaries' --list-subtests and
 * the test list), the rows to run once more, and the summary that keeps
 * expected failures, new failures, flakes and unexpected passes apart.
 * A new failure whose second run gives another verdict is a flake, as
 * deqp-runner decides it.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "testlist.h"
#include "triage.h"

/**
 * vm_triage_driver - drm-ci's driver name of a --gpu kind
 * @kind: virtio-gpu, bochs, qxl or cirrus
 *
 * The DRM driver's module name, the first word of the expectations files'
 * names (virtio_gpu-sid-fails.txt).
 */
const char *vm_triage_driver(const char *kind)
{
	if (!strcmp(kind, "virtio-gpu"))
		return "virtio_gpu";
	return kind;	/* bochs, qxl, cirrus */
}

static void load_one(struct vm_exp *e, const char *path, const char *prefix)
{
	char err[PATH_MAX + 256];
	struct stat st;
	int n;

	if (stat(path, &st))
		vm_die("--expectations %s: %s", path, strerror(errno));
	if (!S_ISDIR(st.st_mode)) {
		if (vm_exp_load_file(e, path, err, sizeof(err)))
			vm_die("expectations: %s", err);
		vm_msg("expectations: %s", path);
		return;
	}
	n = vm_exp_load_dir(e, path, prefix, err, sizeof(err));
	if (n < 0)
		vm_die("expectations: %s", err);
	vm_msg("expectations: %d file(s) %s/%s-*.txt", n, path, prefix);
}

/**
 * vm_triage_load - read the expectations that apply to this run
 * @e: zeroed expectations to fill
 * @paths: the --expectations arguments (directories or files)
 * @npaths: how many
 * @o: the run's options (GPU kinds, IOMMU)
 * @kernel: the kernel's name in file names: the suite (sid, trixie, ...)
 *	or, for a local kernel, its version
 *
 * From a directory: DRIVER-KERNEL-{fails,flakes,skips}.txt for each GPU
 * kind, and DRIVER-KERNEL-IOMMU-*.txt on top with --iommu intel|virtio.
 * A line that does not parse ends the run (exit 2) with file:line.
 */
void vm_triage_load(struct vm_exp *e, const char *const *paths, int npaths,
		    const struct vm_opts *o, const char *kernel)
{
	const char *iommu = o->iommu == VM_IOMMU_INTEL ? "intel-iommu" :
			    o->iommu == VM_IOMMU_VIRTIO ? "virtio-iommu" : NULL;

	for (int p = 0; p < npaths; p++) {
		for (int g = 0; g < o->ngpus; g++) {
			char prefix[256];
			bool seen = false;

			for (int h = 0; h < g; h++)
				seen |= o->gpus[h].kind == o->gpus[g].kind;
			if (seen)
				continue;
			vm_fmt(prefix, sizeof(prefix), "%s-%s",
			       vm_triage_driver(o->gpus[g].kind->name), kernel);
			load_one(e, paths[p], prefix);
			if (!iommu)
				continue;
			vm_fmt(prefix, sizeof(prefix), "%s-%s-%s",
			       vm_triage_driver(o->gpus[g].kind->name), kernel, iommu);
			load_one(e, paths[p], prefix);
		}
	}
	vm_msg("expectations: %d known failure(s), %d flake and %d skip regex(es)",
	       e->nfails, e->nflakes, e->nskips);
}

/**
 * vm_triage_check - every expectation names a subtest that exists
 * @e: the expectations
 * @known: the staged binaries' subtests (testlist.c)
 * @test_list: the --test-list file, or NULL (its names count too, and
 *	those of the suite's tests/testlists/: the dynamic subtests the
 *	binaries cannot list)
 *
 * Ends the run (exit 2) with file:line of the first entry that names no
 * subtest.
 */
void vm_triage_check(const struct vm_exp *e, const struct vm_names *known,
		     const char *test_list)
{
	char path[PATH_MAX + 300], list[PATH_MAX + 600], err[PATH_MAX + 600];
	struct vm_names k = *known;
	struct dirent *de;
	DIR *d;

	if (!e->nfails && !e->nflakes && !e->nskips)
		return;
	/* a copy of the names plus the lists': dynamic subtests */
	k.names = NULL;
	k.n = 0;
	for (int i = 0; i < known->n; i++)
		vm_names_add(&k, known->names[i]);
	vm_fmt(path, sizeof(path), "%s/tests/testlists", vm_source_dir());
	d = opendir(path);
	while (d && (de = readdir(d))) {
		if (!strstr(de->d_name, ".testlist"))
			continue;
		vm_fmt(list, sizeof(list), "%s/%s", path, de->d_name);
		vm_names_add_list(&k, list);
	}
	if (d)
		closedir(d);
	if (test_list)
		vm_names_add_list(&k, test_list);
	if (vm_exp_check_names(e, k.names, k.n, err, sizeof(err)))
		vm_die("expectations: %s", err);
	vm_names_free(&k);
}

/*
 * A row in which the guest died is a Crash, whatever igt_runner made of
 * it: a row that printed its FAIL line just before the guest went down
 * gets dmesg-fail (the console tail we add is at level 2), the same crash
 * a moment earlier incomplete. Two runs of one crash are not a flake.
 */
static const char *triage_word(const struct vm_result *r)
{
	if (r->guest_died && vm_exp_status_of(r->result) != VM_EXP_CRASH)
		return "crash";
	return r->result;
}

/**
 * vm_triage_first - classify the first run's results
 * @t: the triage (zeroed); new failures are collected in t->rerun
 * @e: the expectations
 * @r: results.json's rows
 * @n: how many
 */
void vm_triage_first(struct vm_triage *t, const struct vm_exp *e,
		     const struct vm_result *r, int n)
{
	for (int i = 0; i < n; i++) {
		const struct vm_exp_where *why;
		const char *word = triage_word(&r[i]);
		enum vm_exp_class c = vm_exp_classify(e, r[i].name, word, &why);

		if (c == VM_EXP_NEW_FAIL) {
			if (t->nrerun < VM_TRIAGE_MAX) {
				struct vm_triage_row *row = &t->rerun[t->nrerun++];

				snprintf(row->name, sizeof(row->name), "%s", r[i].name);
				snprintf(row->first, sizeof(row->first), "%s", word);
			} else {
				t->new_fail++;	/* beyond what is re-run */
			}
			continue;
		}
		t->count[c]++;
		if (c != VM_EXP_OK)
			printf("[vm] %-16s %s %s (%s:%d)\n", vm_exp_class_name(c),
			       r[i].name, word, why->file, why->line);
	}
}

/* a row whose dynamic subtests (NAME@...) are re-run too */
static bool rerun_parent(const struct vm_triage *t, const char *name)
{
	size_t n = strlen(name);

	for (int i = 0; i < t->nrerun; i++)
		if (!strncmp(t->rerun[i].name, name, n) && t->rerun[i].name[n] == '@')
			return true;
	return false;
}

/**
 * vm_triage_write_rerun - the test list of the rows to run once more
 * @t: the triage
 * @path: where to write it
 *
 * A parent subtest (igt@drm_hotunplug@stress) whose dynamic subtests are
 * re-run is not written: igt_runner would run all its dynamic subtests,
 * the blocklisted ones too (-b cannot name what a list entry runs), and
 * the children's jobs give the parent its second verdict anyway.
 * Returns how many rows were written, or -1 when it cannot be written.
 */
int vm_triage_write_rerun(const struct vm_triage *t, const char *path)
{
	char *text = calloc(t->nrerun + 1, sizeof(t->rerun[0].name) + 1);
	size_t used = 0;
	int ret, rows = 0;

	if (!text)
		return -1;
	for (int i = 0; i < t->nrerun; i++) {
		if (rerun_parent(t, t->rerun[i].name))
			continue;
		used += sprintf(text + used, "%s\n", t->rerun[i].name);
		rows++;
	}
	ret = vm_write_file(path, text) ? -1 : rows;
	free(text);
	return ret;
}

/**
 * vm_triage_second - the re-run's verdicts decide flake or new failure
 * @t: the triage
 * @r: the re-run's results.json rows (NULL: the re-run gave none)
 * @n: how many
 *
 * Another verdict the second time (as deqp-runner: passing, or failing
 * differently) makes a flake; the same verdict, or none, a new failure.
 */
void vm_triage_second(struct vm_triage *t, const struct vm_result *r, int n)
{
	for (int i = 0; i < t->nrerun; i++) {
		struct vm_triage_row *row = &t->rerun[i];

		snprintf(row->second, sizeof(row->second), "none");
		for (int j = 0; r && j < n; j++)
			if (!strcmp(r[j].name, row->name))
				snprintf(row->second, sizeof(row->second), "%s",
					 triage_word(&r[j]));
		row->flake = strcmp(row->second, "none") &&
			     vm_exp_status_of(row->second) != vm_exp_status_of(row->first);
		if (row->flake)
			t->count[VM_EXP_FLAKE]++;
		else
			t->new_fail++;
		printf("[vm] %-16s %s %s, then %s on the re-run\n",
		       row->flake ? "flake" : "new failure", row->name, row->first,
		       row->second);
	}
}

/**
 * vm_triage_summary - the expectations line of the summary
 * @t: the triage
 *
 * Returns 1 if something unexpected happened (a new failure or an
 * unexpected pass), else 0.
 */
int vm_triage_summary(const struct vm_triage *t)
{
	printf("[vm] expectations: %d expected failure(s), %d new failure(s), "
	       "%d flake(s), %d unexpected pass(es)\n",
	       t->count[VM_EXP_EXPECTED_FAIL], t->new_fail,
	       t->count[VM_EXP_FLAKE], t->count[VM_EXP_UNEXPECTED_PASS]);
	return t->new_fail || t->count[VM_EXP_UNEXPECTED_PASS] ? 1 : 0;
}

/**
 * vm_triage_prepare - every name checked, the expectations read, before booting
 * @e: the expectations to fill (zeroed)
 * @o: the options (test list, --tests, --expectations; the skips become one
 *	more blocklist)
 * @k: the kernel (its version names the files of a local kernel)
 * @ctl: the control directory with the staged tests/
 * @tmpdir: where the skips' igt_runner -b file goes
 *
 * Ends the run (exit 2) on the first bad name.
 */
void vm_triage_prepare(struct vm_exp *e, struct vm_opts *o,
		       const struct vm_kernel *k, const char *ctl, const char *tmpdir)
{
	char tests[PATH_MAX + 16], skips[PATH_MAX + 32];
	struct vm_names known;

	vm_fmt(tests, sizeof(tests), "%s/tests", ctl);
	vm_names_list(&known, tests);
	if (o->test_list)
		vm_testlist_check(o->test_list, &known);
	if (o->tests_regex)
		vm_tests_regex_check(o->tests_regex, &known);
	if (o->nexpect) {
		/* the kernel as files name it: the suite, else its version */
		vm_triage_load(e, o->expect, o->nexpect, o,
			       strchr(o->kernel, '/') ? k->version : o->kernel);
		vm_triage_check(e, &known, o->test_list);
	}
	vm_names_free(&known);
	if (!e->nskips)
		return;
	if (o->nblocklists == VM_MAX_BLOCKLISTS)
		vm_die("at most %d --blocklist with skips expectations",
		       VM_MAX_BLOCKLISTS - 1);
	vm_fmt(skips, sizeof(skips), "%s/skips.txt", tmpdir);
	if (vm_exp_write_blocklist(e, skips) < 0)
		vm_die("cannot write %s", skips);
	o->blocklists[o->nblocklists++] = strdup(skips);
}
