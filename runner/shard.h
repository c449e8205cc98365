/* SPDX-License-Identifier: MIT */
/*
 * Sharding a test list: which rows one of N machines runs (runner/shard.c).
 */
#ifndef HU_SHARD_H
#define HU_SHARD_H

#include <stdbool.h>

/* One row of a test list, as sharding sees it. */
struct vm_shard_row {
	char *name;		/* igt@bin@subtest (or a pattern igt_runner expands) */
	double weight;		/* s it is expected to take; 0: does not run */
	int shard;		/* 1..N once assigned */
};

int vm_shard_parse(const char *spec, int *index, int *total);
int vm_shard_rows(const char *text, struct vm_shard_row **rows, int *n);
int vm_shard_times(struct vm_shard_row *rows, int n, const char *text);
void vm_shard_assign(struct vm_shard_row *rows, int n, int total);
void vm_shard_free(struct vm_shard_row *rows, int n);

/* What vm_shard_select() cuts, and how. */
struct vm_shard_spec {
	int index, total;	/* I/N */
	const char *list;	/* --test-list: its name and text */
	char *list_text;
	const char *times;	/* --shard-times or NULL: name and text */
	char *times_text;
	/* true for a row igt_runner will not run (blocklist): it weighs 0 */
	bool (*blocked)(void *data, const char *name);
	void *data;
	bool print;		/* list the shard's rows on stdout (--dry-run) */
};

int vm_shard_select(const struct vm_shard_spec *sp, const char *list_out,
		    const char *record_out);

#endif
