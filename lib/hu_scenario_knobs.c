// SPDX-License-Identifier: MIT
/*
 * hu_scenario_knobs: --iterations, --jitter-ms and --seed, resolved once
 * for every scenario (hu_scenario_knobs_resolve()).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hu_scenario.h"

struct hu_knobs hu_knobs;
static bool seed_given;

enum { OPT_ITERATIONS = 300, OPT_JITTER, OPT_SEED };

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 0);
	return errno || end == s || *end || *out > max || s[0] == '-' ? -1 : 0;
}

static int knob_handler(int opt, const char *arg, void *data)
{
	const char *name = opt == OPT_ITERATIONS ? "--iterations" :
			   opt == OPT_JITTER ? "--jitter-ms" : "--seed";
	unsigned long v;

	if (parse_uint(arg, opt == OPT_SEED ? 0xffffffffu : 1000000, &v) ||
	    (opt == OPT_ITERATIONS && v == 0)) {
		fprintf(stderr, "%s: bad value '%s' (%s)\n", name, arg,
			opt == OPT_SEED ? "0..4294967295" :
			opt == OPT_ITERATIONS ? "1..1000000" : "0..1000000");
		return -1;
	}
	switch (opt) {
	case OPT_ITERATIONS:
		hu_knobs.iterations = v;
		return 0;
	case OPT_JITTER:
		hu_knobs.jitter_ms = v;
		return 0;
	case OPT_SEED:
		hu_knobs.seed = v;
		seed_given = true;
		return 0;
	}
	return -1;
}

static const struct option knob_opts[] = {
	{ "iterations", required_argument, NULL, OPT_ITERATIONS },
	{ "jitter-ms", required_argument, NULL, OPT_JITTER },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ 0 },
};

const struct hu_opts hu_scenario_opts = {
	.short_opts = "",
	.long_opts = knob_opts,
	.help = "  --iterations N    unplug/recover cycles per subtest (default 1;\n"
		"                    drm_hotunplug's stress: 5)\n"
		"  --jitter-ms N     random delay of 0..N ms before each trigger\n"
		"                    (default 0; drm_hotunplug's stress: 20)\n"
		"  --seed N          seed of patterns and jitter (default: IGT_SRANDOM,\n"
		"                    else the harness's seed), printed for replay\n",
	.handler = knob_handler,
};

/*
 * The harness seeds srandom() at start from IGT_SRANDOM (read with atoi())
 * or else from time(NULL), and prints it as "Using IGT_SRANDOM=%d". The
 * engine takes the same value, so that the printed one replays the run
 * under igt_runner (-e IGT_SRANDOM=N), where --seed cannot be passed.
 */
void hu_scenario_seed(void)
{
	const char *env = getenv("IGT_SRANDOM");
	const char *from = "--seed";

	if (!seed_given) {
		hu_knobs.seed = hu_random_seed();
		from = env ? "IGT_SRANDOM" : "the harness's IGT_SRANDOM (clock)";
	}
	srandom(hu_knobs.seed);
	hu_info("Using seed %u from %s (replay: IGT_SRANDOM=%d, e.g. "
		"igt_runner -e IGT_SRANDOM=%d, or --seed %u)\n",
		hu_knobs.seed, from, (int)hu_knobs.seed, (int)hu_knobs.seed,
		hu_knobs.seed);
}

void hu_scenario_knobs_resolve(const struct hu_scenario *sc,
			       unsigned int *iterations, unsigned int *jitter_ms)
{
	*iterations = hu_knobs.iterations ? hu_knobs.iterations :
		      sc->iterations ? sc->iterations : 1;
	*jitter_ms = hu_knobs.jitter_ms ? hu_knobs.jitter_ms : sc->jitter_ms;
}
