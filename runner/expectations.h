/* SPDX-License-Identifier: MIT */
/*
 * Known results in the kernel's drm-ci format (drivers/gpu/drm/ci/xfails/):
 * DRIVER-KERNEL-fails.txt ("bin@subtest,Status" lines), -flakes.txt and
 * -skips.txt (regexes of bin@subtest names), '#' comments. See
 * docs/vm-lane.md, "Expectations".
 */
#ifndef HU_VM_EXPECTATIONS_H
#define HU_VM_EXPECTATIONS_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

/* deqp-runner's statuses for what one igt result means */
enum vm_exp_status {
	VM_EXP_PASS, VM_EXP_FAIL, VM_EXP_CRASH, VM_EXP_TIMEOUT, VM_EXP_WARN,
	VM_EXP_SKIP, VM_EXP_MISSING,
};

/* what one row of the run amounts to against the expectations */
enum vm_exp_class {
	VM_EXP_OK,		/* pass, skip or warn, nothing expected */
	VM_EXP_EXPECTED_FAIL,	/* the status the fails file names */
	VM_EXP_NEW_FAIL,	/* failing, not expected (or another status) */
	VM_EXP_FLAKE,		/* failing, listed in a flakes file */
	VM_EXP_UNEXPECTED_PASS,	/* passed where the fails file says it fails */
};

struct vm_exp_where {
	char *file;
	int line;
};

struct vm_exp_fail {
	char *name;		/* drm-ci form: bin@subtest[@dynamic] */
	enum vm_exp_status status;
	struct vm_exp_where at;
};

struct vm_exp_re {
	regex_t re;
	char *src;
	struct vm_exp_where at;
};

struct vm_exp {
	struct vm_exp_fail *fails;
	int nfails;
	struct vm_exp_re *flakes, *skips;
	int nflakes, nskips;
	int nfiles;		/* files loaded */
};

const char *vm_exp_status_name(enum vm_exp_status s);
enum vm_exp_status vm_exp_status_of(const char *igt_result);
bool vm_exp_is_failing(enum vm_exp_status s);

const char *vm_exp_drmci_name(const char *igt_name);
int vm_exp_igt_name(const char *drmci_name, char *buf, size_t len);
int vm_exp_igt_regex(const char *drmci_re, char *buf, size_t len);

int vm_exp_load_file(struct vm_exp *e, const char *path, char *err, size_t len);
int vm_exp_load_dir(struct vm_exp *e, const char *dir, const char *prefix,
		    char *err, size_t len);
int vm_exp_check_names(const struct vm_exp *e, char *const *known, int nknown,
		       char *err, size_t len);
int vm_exp_write_blocklist(const struct vm_exp *e, const char *path);
const struct vm_exp_re *vm_exp_skipped(const struct vm_exp *e, const char *igt_name);

enum vm_exp_class vm_exp_classify(const struct vm_exp *e, const char *igt_name,
				  const char *result, const struct vm_exp_where **why);
const char *vm_exp_class_name(enum vm_exp_class c);
void vm_exp_free(struct vm_exp *e);

#endif
