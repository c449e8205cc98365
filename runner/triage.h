/* SPDX-License-Identifier: MIT */
/*
 * triage.c: a run's results against drm-ci expectations (expectations.h),
 * with one re-run of the new failures.
 */
#ifndef HU_VM_TRIAGE_H
#define HU_VM_TRIAGE_H

#include "expectations.h"
#include "vm.h"

#define VM_TRIAGE_MAX	64	/* new failures re-run at most */

struct vm_triage_row {
	char name[256];
	char first[24], second[24];	/* igt results of the two runs */
	bool flake;
};

struct vm_triage {
	int count[5];			/* by enum vm_exp_class */
	int new_fail;			/* after the re-run */
	struct vm_triage_row rerun[VM_TRIAGE_MAX];
	int nrerun;
};

const char *vm_triage_driver(const char *kind);
void vm_triage_load(struct vm_exp *e, const char *const *paths, int npaths,
		    const struct vm_opts *o, const char *kernel);
struct vm_names;
void vm_triage_check(const struct vm_exp *e, const struct vm_names *known,
		     const char *test_list);
void vm_triage_first(struct vm_triage *t, const struct vm_exp *e,
		     const struct vm_result *r, int n);
int vm_triage_write_rerun(const struct vm_triage *t, const char *path);
void vm_triage_second(struct vm_triage *t, const struct vm_result *r, int n);
int vm_triage_summary(const struct vm_triage *t);
void vm_triage_prepare(struct vm_exp *e, struct vm_opts *o,
		       const struct vm_kernel *k, const char *ctl, const char *tmpdir);

#endif
