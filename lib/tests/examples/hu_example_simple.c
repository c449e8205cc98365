// SPDX-License-Identifier: MIT
/*
 * hu_example_simple: a test without subtests; it ends with a bare result
 * line. It passes; --result=skip|fail shows the other two endings.
 */
#include <stdlib.h>
#include <string.h>

#include "hu_core.h"

static const char *result = "pass";

static int opt_handler(int opt, const char *arg, void *data)
{
	if (opt != 'r' || (strcmp(arg, "pass") && strcmp(arg, "skip") &&
			   strcmp(arg, "fail"))) {
		hu_warn("--result: expected pass, skip or fail, got '%s'\n", arg);
		return -1;
	}
	result = arg;
	return 0;
}

static const struct option long_opts[] = {
	{ "result", required_argument, NULL, 'r' },
	{ NULL, 0, NULL, 0 },
};

static struct hu_opts opts = {
	.long_opts = long_opts,
	.help = "  --result=pass|skip|fail\thow the test ends (default pass)\n",
	.handler = opt_handler,
};

HU_TEST_DESCRIPTION("A test without subtests that passes.");

hu_simple_main_args(&opts)
{
	char *p = strdup("hotunplug");

	hu_assert(p != NULL);
	hu_assert_eq(strlen(p), 9);
	free(p);
	hu_require_f(strcmp(result, "skip"), "asked to skip\n");
	hu_assert_f(strcmp(result, "fail"), "asked to fail\n");
}
