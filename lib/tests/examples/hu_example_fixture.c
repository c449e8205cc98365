// SPDX-License-Identifier: MIT
/*
 * hu_example_fixture: a group whose fixture fails. Its subtests report FAIL
 * without a "Starting subtest" line; the subtest after the group runs.
 * Separate from hu_example because a failing fixture writes to stderr in
 * every run, which igt_runner would count against any subtest as "warn".
 */
#include <unistd.h>

#include "hu_core.h"

hu_main
{
	hu_subtest_group {
		hu_fixture {
			hu_info("group fixture runs\n");
			hu_assert_f(getpid() < 0, "group fixture fails\n");
		}

		hu_subtest("in-group-1")
			hu_assert_lt(0, getpid());
		hu_subtest("in-group-2")
			hu_assert_lt(0, getpid());
	}

	hu_subtest("after-group")
		hu_assert_lt(0, getpid());
}
