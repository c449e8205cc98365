// SPDX-License-Identifier: MIT
/* hu_example_simple: a test without subtests; it ends with a bare result. */
#include <stdlib.h>
#include <string.h>

#include "hu_core.h"

HU_TEST_DESCRIPTION("A test without subtests that passes.");

hu_simple_main
{
	char *p = strdup("hotunplug");

	hu_assert(p != NULL);
	hu_assert_eq(strlen(p), 9);
	free(p);
}
