// SPDX-License-Identifier: MIT
/*
 * The engine's seed (hu_scenario_seed()): IGT_SRANDOM read as the harness
 * reads it, else the seed the harness took from the clock, found again from
 * the generator's first outputs; the printed replay value round-trips.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "hu_check.h"
#include "hu_scenario.h"

/* What the harness does at start (lib/hu_core.c) without IGT_SRANDOM. */
static void harness_seed(unsigned int seed)
{
	srandom(seed);
}

int main(void)
{
	const unsigned int seeds[] = { 0, 1, 42, 2147483647u, 2147483648u,
				       4000000000u, 4294967295u };
	uint32_t found = 0;
	long a, b;
	char buf[32];
	int bad = 0;

	harness_seed(1000000);
	a = random();
	b = random();
	check_eq(hu_scenario_seed_find(a, b, 1000030, 600, &found), 0,
		 "a clock seed 30 s back is found");
	check_eq(found, 1000000, "and it is the harness's");
	check_eq(hu_scenario_seed_find(a, b, 1000000, 0, &found), 0,
		 "the same second is found with no window");
	check_eq(hu_scenario_seed_find(a, b, 1000700, 600, &found), -ENOENT,
		 "older than the window: not found");
	check_eq(hu_scenario_seed_find(a, b + 1, 1000030, 600, &found),
		 -ENOENT, "outputs that no seed in the window gives: not found");
	check_eq(hu_scenario_seed_find(a, b, 10, 600, &found), -ENOENT,
		 "a window reaching before 0 stops at 0");

	/* replay hint: IGT_SRANDOM=%d of the seed gives the seed back */
	for (unsigned int i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		snprintf(buf, sizeof(buf), "%d", (int)seeds[i]);
		setenv("IGT_SRANDOM", buf, 1);
		hu_scenario_seed();
		bad += hu_knobs.seed != seeds[i];
	}
	check_eq(bad, 0, "IGT_SRANDOM as printed replays every seed");

	setenv("IGT_SRANDOM", "42", 1);
	hu_scenario_seed();
	a = random();
	srandom(42);
	check_eq(hu_knobs.seed, 42, "IGT_SRANDOM=42 is the engine's seed");
	check_eq(a, random(), "and the generator runs from it");

	unsetenv("IGT_SRANDOM");
	harness_seed((unsigned int)time(NULL) - 3);
	found = (uint32_t)time(NULL) - 3;
	hu_scenario_seed();
	check_eq(hu_knobs.seed, found,
		 "without IGT_SRANDOM: the harness's clock seed");
	a = random();
	srandom(found);
	check_eq(a, random(), "and the generator runs from it");
	return check_done();
}
