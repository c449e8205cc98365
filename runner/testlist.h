/* SPDX-License-Identifier: MIT */
/* testlist.c: the subtests that exist, and the test list checked against them */
#ifndef HU_VM_TESTLIST_H
#define HU_VM_TESTLIST_H

#include "vm.h"

struct vm_names {
	char **names;		/* drm-ci form: bin@subtest */
	int n;
	int nbins;		/* igt binaries that listed their subtests */
};

void vm_names_add(struct vm_names *k, const char *name);
void vm_names_list(struct vm_names *k, const char *tests);
void vm_names_add_list(struct vm_names *k, const char *path);
void vm_names_free(struct vm_names *k);
void vm_testlist_check(const char *path, const struct vm_names *k);
void vm_tests_regex_check(const char *re, const struct vm_names *k);

#endif
