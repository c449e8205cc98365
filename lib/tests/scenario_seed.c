// SPDX-License-Identifier: MIT
/*
 * The engine's seed (hu_scenario_seed()): without --seed it is the
 * harness's (hu_random_seed()), the generator runs from it, and the replay
 * value printed with %d reads back through atoi(), as the harness reads
 * IGT_SRANDOM, to the same seed.
 */
#include <stdio.h>
#include <stdlib.h>

#include "hu_check.h"
#include "hu_core.h"
#include "hu_scenario.h"

int main(void)
{
	const unsigned int seeds[] = { 0, 1, 42, 2147483647u, 2147483648u,
				       4000000000u, 4294967295u };
	char buf[32];
	int bad = 0;
	long a;

	/* hu_main() did not run: the harness's seed is still 0 */
	hu_scenario_seed();
	check_eq(hu_knobs.seed, hu_random_seed(), "the harness's seed is taken");
	a = random();
	srandom(hu_random_seed());
	check_eq(a, random(), "and the generator runs from it");

	for (unsigned int i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		snprintf(buf, sizeof(buf), "%d", (int)seeds[i]);
		bad += (unsigned int)atoi(buf) != seeds[i];
	}
	check_eq(bad, 0, "IGT_SRANDOM as printed replays every seed");
	return check_done();
}
