// SPDX-License-Identifier: MIT
/*
 * The end of a run: every result of results.json in a table, the counts
 * per verdict, the tests of --test-list without a result (not blocklisted)
 * and the timing of the run.
 */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm.h"

/**
 * vm_blocklist_compile() - the lines of every --blocklist file (igt_runner:
 * unanchored regexes), compiled once; lines that do not compile are left
 * out.
 * @files: the files
 * @nfiles: how many
 * @out: the regexes (free each with regfree(), then the array)
 *
 * Returns how many.
 */
int vm_blocklist_compile(const char *const *files, int nfiles, regex_t **out)
{
	regex_t *re = NULL;
	int n = 0, cap = 0;

	for (int i = 0; i < nfiles; i++) {
		char *text = vm_read_file(files[i], 1 << 20, NULL), *save, *l;

		for (l = text ? strtok_r(text, "\n", &save) : NULL; l;
		     l = strtok_r(NULL, "\n", &save)) {
			l += strspn(l, " \t");
			if (!*l || *l == '#')
				continue;
			if (n == cap) {
				regex_t *nre = realloc(re, (cap = cap ? 2 * cap : 64) *
						       sizeof(*re));

				if (!nre)
					vm_die("out of memory");
				re = nre;
			}
			if (!regcomp(&re[n], l, REG_EXTENDED | REG_NOSUB))
				n++;
		}
		free(text);
	}
	*out = re;
	return n;
}

/**
 * vm_blocklisted() - whether a test name matches a compiled blocklist.
 * @re: from vm_blocklist_compile()
 * @n: how many
 * @name: igt@bin@subtest
 */
bool vm_blocklisted(const regex_t *re, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!regexec(&re[i], name, 0, NULL, 0))
			return true;
	return false;
}

/*
 * Names of --test-list that have no result at all: under --multiple,
 * igt_resume drops the rest of a binary that crashed, so they would
 * vanish from results.json without a word. Returns how many.
 */
static int missing_from_list(const struct vm_summary *s,
			     const struct vm_result *r, int n)
{
	char *text, *save, *l;
	int missing = 0, nblock;
	regex_t *block;

	if (!s->test_list || !(text = vm_read_file(s->test_list, 1 << 20, NULL)))
		return 0;
	nblock = vm_blocklist_compile(s->blocklists, s->nblocklists, &block);
	for (l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		bool found = false;

		l[strcspn(l, "#")] = 0;
		l += strspn(l, " \t");
		l[strcspn(l, " \t\r")] = 0;
		/* patterns are igt_runner's to expand */
		if (strncmp(l, "igt@", 4) || strpbrk(l, "*?[") ||
		    vm_blocklisted(block, nblock, l))
			continue;
		for (int i = 0; i < n && !found; i++)
			found = !strcmp(r[i].name, l);
		if (found)
			continue;
		if (++missing <= 20)
			printf("[vm] no result for %s (not run)\n", l);
	}
	if (missing > 20)
		printf("[vm] ... %d in all\n", missing);
	for (int i = 0; i < nblock; i++)
		regfree(&block[i]);
	free(block);
	free(text);
	return missing;
}

/*
 * The table of every result in results.json, the counts, what the test
 * list has no result for (in @nmissing, if set), the timing. 0: all good,
 * 1: bad results or missing ones, 2: no results.json.
 */
int vm_results_summary(const struct vm_summary *s, int *nmissing)
{
	const struct vm_progress *prog = s->prog;
	static const char *const order[] = {
		"pass", "skip", "warn", "dmesg-warn", "fail", "dmesg-fail",
		"crash", "timeout", "incomplete", "abort", "notrun",
	};
	struct vm_result *r = NULL;
	int n = 0, bad = 0, missing, count[11] = { 0 };
	double total = s->total;

	if (vm_results_read(s->results, &r, &n)) {
		printf("[vm] no results.json in %s\n", s->results);
		return 2;
	}
	printf("\n%-68s %-10s %8s\n", "test", "result", "time");
	for (int i = 0; i < n; i++) {
		printf("%-68s %-10s %7.2fs\n", r[i].name, r[i].result, r[i].time);
		bad += vm_result_is_bad(r[i].result);
		for (int j = 0; j < 11; j++)
			count[j] += !strcmp(r[i].result, order[j]);
	}
	printf("\n[vm] %d tests:", n);
	for (int j = 0; j < 11; j++)
		if (count[j])
			printf(" %s %d", order[j], count[j]);
	printf("\n[vm] %d boot(s), %d crash(es), %d planned reboot(s), %.1f s "
	       "in all, %.2f s per test; results: %s/results.json\n", s->boots,
	       s->crashes, prog->planned, total, n ? total / n : 0.0, s->results);
	if (prog->planned)
		printf("[vm] planned reboots: a GPU back only at the next boot "
		       "(%s/vm/planned-aborts.txt)\n", s->results);
	missing = missing_from_list(s, r, n);
	if (nmissing)
		*nmissing = missing;
	if (missing)
		printf("[vm] %d tests of %s have no result\n", missing, s->test_list);
	if (prog->first_subtest && prog->ntests > 1)
		printf("[vm] timing: set-up %.1f s, boot to first subtest %.2f s, "
		       "%d results in %.2f s from there: %.2f s per subtest\n",
		       prog->setup, prog->first_subtest - prog->first_boot, prog->ntests,
		       prog->last_result - prog->first_subtest,
		       (prog->last_result - prog->first_subtest) / (prog->ntests - 1));
	free(r);
	return bad || missing ? 1 : 0;
}
