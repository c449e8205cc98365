// SPDX-License-Identifier: MIT
/*
 * Unit test of runner/shard.c: the spec parser, the test-list and times
 * readers, and the cut: every row in exactly one shard, contiguous, in
 * order, equal rows in equal thirds, timed rows balanced within the
 * longest row, and the same cut on every call.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hu_check.h"
#include "shard.h"

static void parse(void)
{
	int i = 0, n = 0;

	check(!vm_shard_parse("2/3", &i, &n) && i == 2 && n == 3, "2/3");
	check(!vm_shard_parse("1/1", &i, &n) && i == 1 && n == 1, "1/1");
	check(vm_shard_parse("0/3", &i, &n), "0/3 refused");
	check(vm_shard_parse("4/3", &i, &n), "4/3 refused");
	check(vm_shard_parse("1/0", &i, &n), "1/0 refused");
	check(vm_shard_parse("2", &i, &n), "2 refused");
	check(vm_shard_parse("2/3x", &i, &n), "2/3x refused");
	check(vm_shard_parse("/3", &i, &n), "/3 refused");
	check(vm_shard_parse("1/1001", &i, &n), "1/1001 refused");
}

/* "igt@t@r0\n..." for n rows, with a comment and a blank line */
static char *list_of(int n)
{
	char *text = malloc(32 * (n + 2));
	size_t len = 0;

	len += sprintf(text, "# a list\n\n");
	for (int i = 0; i < n; i++)
		len += sprintf(text + len, "igt@t@r%d  # row %d\n", i, i);
	return text;
}

/* every row in one shard 1..total, shards contiguous and non-decreasing */
static int well_cut(const struct vm_shard_row *r, int n, int total)
{
	for (int i = 0; i < n; i++) {
		if (r[i].shard < 1 || r[i].shard > total)
			return 0;
		if (i && r[i].shard < r[i - 1].shard)
			return 0;
	}
	return 1;
}

static void equal_rows(void)
{
	struct vm_shard_row *r;
	char *text = list_of(30);
	int n, count[4] = { 0 };

	check(!vm_shard_rows(text, &r, &n), "30-row list read");
	check_eq(n, 30, "comments and blanks are not rows");
	check_streq(r[7].name, "igt@t@r7", "row name without its comment");
	check_eq(vm_shard_times(r, n, NULL), 0, "no times file: nothing timed");
	check(r[0].weight == 1.0, "untimed rows weigh 1 s");
	vm_shard_assign(r, n, 3);
	check(well_cut(r, n, 3), "contiguous cut in order");
	for (int i = 0; i < n; i++)
		count[r[i].shard]++;
	check(count[1] == 10 && count[2] == 10 && count[3] == 10,
	      "equal rows: thirds (%d %d %d)", count[1], count[2], count[3]);
	check(r[10].shard == 2 && r[19].shard == 2 && r[9].shard == 1 &&
	      r[20].shard == 3, "2/3 is rows 10..19");
	vm_shard_assign(r, n, 1);
	check(r[0].shard == 1 && r[29].shard == 1, "1/1: everything");
	vm_shard_assign(r, n, 31);
	check(well_cut(r, n, 31), "more shards than rows: still a cut");
	vm_shard_free(r, n);
	free(text);
}

static void timed_rows(void)
{
	/* ten rows: one long, then short ones; r9 not timed */
	const char *times =
		"# recorded\n"
		"igt@t@r0 20\n"
		"igt@t@r1 1\nigt@t@r2 1\nigt@t@r3 1\nigt@t@r4 1\n"
		"igt@t@r5 1.5\nigt@t@r6 2\nigt@t@r7 2\nigt@t@r8 2.5\n"
		"igt@t@nosuchrow 99\n";
	struct vm_shard_row *r, *again;
	char *text = list_of(10);
	double load[4] = { 0 }, sum = 0, longest = 0;
	int n, m, same = 1;

	vm_shard_rows(text, &r, &n);
	r[4].weight = 0;	/* blocklisted: does not run */
	check_eq(vm_shard_times(r, n, times), 8, "8 rows timed from the file");
	check(r[4].weight == 0, "a weight set before (blocklisted) is kept");
	check(r[9].weight == 31.0 / 8, "an untimed row weighs the mean (%g)",
	      r[9].weight);
	vm_shard_assign(r, n, 3);
	check(well_cut(r, n, 3), "timed cut contiguous");
	for (int i = 0; i < n; i++) {
		load[r[i].shard] += r[i].weight;
		sum += r[i].weight;
		if (r[i].weight > longest)
			longest = r[i].weight;
	}
	for (int s = 1; s <= 3; s++)
		check(load[s] - sum / 3 <= longest && sum / 3 - load[s] <= longest,
		      "shard %d: %g s, ideal %g s, within the longest row", s,
		      load[s], sum / 3);
	check(r[0].shard == 1 && r[1].shard == 2 && r[7].shard == 3,
	      "the long row alone in shard 1, the rest halved (r7 in %d)", r[7].shard);
	vm_shard_rows(text, &again, &m);
	again[4].weight = 0;
	vm_shard_times(again, m, times);
	vm_shard_assign(again, m, 3);
	for (int i = 0; i < n; i++)
		same &= again[i].shard == r[i].shard;
	check(same, "the same input gives the same cut");
	vm_shard_free(again, m);

	check_eq(vm_shard_times(r, n, "igt@t@r0 1\nigt@t@r1\n"), -2,
		 "a row without seconds: its line number");
	check_eq(vm_shard_times(r, n, "igt@t@r0 -1\n"), -1, "negative seconds");
	check_eq(vm_shard_times(r, n, "igt@t@r0 1s\n"), -1, "junk after seconds");
	vm_shard_free(r, n);
	free(text);
}

static void all_blocked(void)
{
	struct vm_shard_row *r;
	char *text = list_of(6);
	int n;

	vm_shard_rows(text, &r, &n);
	for (int i = 0; i < n; i++)
		r[i].weight = 0;
	vm_shard_times(r, n, NULL);
	vm_shard_assign(r, n, 2);
	check(r[2].shard == 1 && r[3].shard == 2,
	      "nothing runs: rows counted equal, halves");
	vm_shard_free(r, n);
	free(text);

	check(!vm_shard_rows("# only comments\n", &r, &n) && n == 0,
	      "empty list: no rows");
	vm_shard_assign(r, n, 3);
	vm_shard_free(r, n);
}

/* with at least as many rows as shards, no shard is empty, even skewed */
static void never_empty(void)
{
	int bad = 0;

	for (int n = 1; n <= 12; n++) {
		char *text = list_of(n);

		for (int total = 1; total <= n; total++) {
			struct vm_shard_row *r;
			int m, seen[13] = { 0 };

			vm_shard_rows(text, &r, &m);
			for (int i = 0; i < m; i++)
				r[i].weight = i == 0 ? 100 : 1;
			vm_shard_assign(r, m, total);
			for (int i = 0; i < m; i++)
				seen[r[i].shard]++;
			for (int s = 1; s <= total; s++)
				bad += !seen[s] || !well_cut(r, m, total);
			vm_shard_free(r, m);
		}
		free(text);
	}
	check_eq(bad, 0, "1..12 rows, one long, 1..n shards: none empty");
}

int main(void)
{
	parse();
	equal_rows();
	timed_rows();
	all_blocked();
	never_empty();
	return check_done();
}
