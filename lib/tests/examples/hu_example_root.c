// SPDX-License-Identifier: MIT
/* hu_example_root: one subtest that needs root, for the non-root skip. */
#include <unistd.h>

#include "hu_core.h"

hu_main
{
	hu_describe("Skips unless run as root.");
	hu_subtest("needs-root") {
		hu_require_root();
		hu_assert_eq(geteuid(), 0);
	}
}
