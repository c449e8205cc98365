// SPDX-License-Identifier: MIT
/*
 * Sharding a test list over N machines (hotunplug-vm --shard I/N).
 *
 * Every row of the list goes to exactly one shard, and the shards are
 * contiguous runs of the list: a shard keeps the list's order, so
 * igt_runner -m still runs a binary's rows in one exec, and shard 2/3 of
 * a list of equal rows is its second third. The cut points balance the
 * rows' expected times (a times file recorded from an earlier run, see
 * ci/shard-times.sh): a row belongs to the shard its midpoint on the
 * cumulative time axis falls into (the rows left shared again after each
 * cut), so no shard is off its share by more than the longest row.
 * Nothing depends on the machine: every job of a pipeline computes the
 * same cut.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shard.h"


/**
 * vm_shard_parse() - reads "I/N" (1 <= I <= N <= 1000).
 * @spec: the text, e.g. "2/3"
 * @index: out, I
 * @total: out, N
 *
 * Returns 0, or -EINVAL for anything else.
 */
int vm_shard_parse(const char *spec, int *index, int *total)
{
	char *end;
	long i, n;

	errno = 0;
	i = strtol(spec, &end, 10);
	if (end == spec || *end != '/' || errno)
		return -EINVAL;
	spec = end + 1;
	n = strtol(spec, &end, 10);
	if (end == spec || *end || errno || n < 1 || n > 1000 || i < 1 || i > n)
		return -EINVAL;
	*index = (int)i;
	*total = (int)n;
	return 0;
}

/* the first word of a line, comments ('#' on) and blanks dropped */
static char *first_word(char *line)
{
	line[strcspn(line, "#")] = 0;
	line += strspn(line, " \t");
	line[strcspn(line, " \t\r")] = 0;
	return line;
}

/**
 * vm_shard_rows() - the rows of a test list, in order.
 * @text: the list (igt_runner --test-list: one name a line, '#' comments)
 * @rows: out, an array of @n rows (weight -1: not known yet, shard 0)
 * @n: out
 *
 * Returns 0 or -ENOMEM. Free with vm_shard_free().
 */
int vm_shard_rows(const char *text, struct vm_shard_row **rows, int *n)
{
	struct vm_shard_row *r = NULL;
	char *copy = strdup(text), *save, *l;
	int cap = 0, k = 0;

	if (!copy)
		return -ENOMEM;
	for (l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		l = first_word(l);
		if (!*l)
			continue;
		if (k == cap) {
			struct vm_shard_row *nr;

			cap = cap ? 2 * cap : 64;
			nr = realloc(r, cap * sizeof(*r));
			if (!nr)
				goto oom;
			r = nr;
		}
		r[k].name = strdup(l);
		if (!r[k].name)
			goto oom;
		r[k].weight = -1;
		r[k].shard = 0;
		k++;
	}
	free(copy);
	*rows = r;
	*n = k;
	return 0;
oom:
	vm_shard_free(r, k);
	free(copy);
	return -ENOMEM;
}

/**
 * vm_shard_times() - gives every row whose weight is not known its time.
 * @rows: the rows; a weight >= 0 (e.g. 0 for a blocklisted row) is kept
 * @n: how many
 * @text: a times file, "NAME SECONDS" a line, '#' comments; NULL: none
 *
 * Rows the file does not name get the mean of the rows it does (1 s if
 * it names none), so a new row counts as an ordinary one.
 * Returns how many rows the file timed, or -(line number) of a line that
 * is not "NAME SECONDS" with SECONDS >= 0.
 */
int vm_shard_times(struct vm_shard_row *rows, int n, const char *text)
{
	char *copy = text ? strdup(text) : NULL, *save, *l;
	double sum = 0, mean;
	int known = 0, line = 0, ret = 0;

	for (l = copy ? strtok_r(copy, "\n", &save) : NULL; l && !ret;
	     l = strtok_r(NULL, "\n", &save)) {
		char name[512], *end;
		double secs;
		int used;

		line++;
		l[strcspn(l, "#")] = 0;
		l += strspn(l, " \t");
		if (!*l)
			continue;
		if (sscanf(l, "%511s %n", name, &used) != 1 || !l[used]) {
			ret = -line;
			break;
		}
		secs = strtod(l + used, &end);
		end += strspn(end, " \t\r");
		if (*end || !isfinite(secs) || secs < 0) {
			ret = -line;
			break;
		}
		for (int i = 0; i < n; i++) {
			if (rows[i].weight >= 0 || strcmp(rows[i].name, name))
				continue;
			rows[i].weight = secs;
			sum += secs;
			known++;
		}
	}
	free(copy);
	if (ret)
		return ret;
	mean = known ? sum / known : 1.0;
	if (mean <= 0)
		mean = 1.0;
	for (int i = 0; i < n; i++)
		if (rows[i].weight < 0)
			rows[i].weight = mean;
	return known;
}

/**
 * vm_shard_assign() - cuts the list into @total contiguous shards.
 * @rows: the rows, weights set (vm_shard_times()); shard set here, 1..@total
 * @n: how many
 * @total: N
 *
 * Shard by shard, the target is what is left divided by the shards left;
 * a shard takes rows while their midpoint stays within its target, at
 * least one row, and leaves one for each shard after it while there are
 * rows enough. The last shard takes the rest. With no weight at all
 * (everything blocklisted) every row counts 1.
 */
static double weight(const struct vm_shard_row *row, bool flat)
{
	return flat ? 1 : row->weight > 0 ? row->weight : 0;
}

void vm_shard_assign(struct vm_shard_row *rows, int n, int total)
{
	double left = 0;
	bool flat;
	int i = 0;

	for (int k = 0; k < n; k++)
		left += weight(&rows[k], false);
	flat = left <= 0;
	if (flat)
		left = n;
	for (int s = 1; s <= total; s++) {
		double target = left / (total - s + 1), took = 0;
		int first = i;

		while (i < n) {
			bool must = i == first, last = s == total;

			if (!last && !must && (took + weight(&rows[i], flat) / 2 > target ||
					       n - i <= total - s))
				break;
			rows[i].shard = s;
			took += weight(&rows[i], flat);
			i++;
		}
		left -= took;
	}
}

/**
 * vm_shard_free() - frees what vm_shard_rows() made.
 * @rows: the array (NULL is fine)
 * @n: how many
 */
void vm_shard_free(struct vm_shard_row *rows, int n)
{
	for (int i = 0; rows && i < n; i++)
		free(rows[i].name);
	free(rows);
}

/**
 * vm_shard_select() - the lane's side of --shard I/N.
 * @sp: the shard, the list and times (texts read by the caller), the
 *	blocklist predicate and whether to print the rows
 * @list_out: where the shard's rows go, the test list igt_runner gets
 * @record_out: the record hotunplug-merge reads ("shard I/N", "row NAME
 *	[blocked]" per row); the lane appends "exit RC" when it ends
 *
 * Returns how many rows the shard has (0 is possible with more shards
 * than rows), or -1 after a message on stderr.
 */
int vm_shard_select(const struct vm_shard_spec *sp, const char *list_out,
		    const char *record_out)
{
	struct vm_shard_row *rows = NULL;
	double mine = 0, all = 0;
	FILE *lo = NULL, *ro = NULL;
	int n = 0, k = 0, ret = -1, timed;

	if (vm_shard_rows(sp->list_text, &rows, &n))
		goto out;
	for (int i = 0; i < n; i++)
		if (sp->blocked && sp->blocked(sp->data, rows[i].name))
			rows[i].weight = 0;
	timed = vm_shard_times(rows, n, sp->times_text);
	if (timed < 0) {
		fprintf(stderr, "[vm] --shard-times %s:%d: not \"NAME SECONDS\"\n",
			sp->times, -timed);
		goto out;
	}
	vm_shard_assign(rows, n, sp->total);
	lo = fopen(list_out, "w");
	ro = fopen(record_out, "w");
	if (!lo || !ro) {
		fprintf(stderr, "[vm] cannot write %s: %s\n", !lo ? list_out : record_out,
			strerror(errno));
		goto out;
	}
	fprintf(ro, "shard %d/%d\n", sp->index, sp->total);
	for (int i = 0; i < n; i++) {
		all += rows[i].weight;
		if (rows[i].shard != sp->index)
			continue;
		mine += rows[i].weight;
		k++;
		fprintf(lo, "%s\n", rows[i].name);
		fprintf(ro, "row %s%s\n", rows[i].name, rows[i].weight == 0 &&
			sp->blocked && sp->blocked(sp->data, rows[i].name) ?
			" blocked" : "");
		if (sp->print)
			printf("%s\n", rows[i].name);
	}
	printf("[vm] shard %d/%d: %d of %d rows of %s, %.1f of %.1f s expected "
	       "(%d rows timed%s%s)\n", sp->index, sp->total, k, n, sp->list,
	       mine, all, timed, sp->times ? " by " : "", sp->times ? sp->times : "");
	ret = ferror(lo) || ferror(ro) ? -1 : k;
out:
	if (lo && fclose(lo))
		ret = -1;
	if (ro && fclose(ro))
		ret = -1;
	vm_shard_free(rows, n);
	return ret;
}
