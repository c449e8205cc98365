// SPDX-License-Identifier: MIT
/*
 * The command line every test binary accepts (IGT's common options, values
 * 500 and up) plus the binary's own (struct hu_opts, values below 500).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "hu_config.h"
#include "hu_core_priv.h"
#include "hu_filter.h"

#if defined(__x86_64__)
#define HU_CPU "x86_64"
#elif defined(__aarch64__)
#define HU_CPU "aarch64"
#elif defined(__i386__)
#define HU_CPU "i386"
#else
#define HU_CPU "unknown"
#endif

const char *__hu_test_description;

enum {
	OPT_LIST = 500,
	OPT_SHOW_TESTLIST,
	OPT_RUN,
	OPT_DYNAMIC,
	OPT_DEBUG,
	OPT_DESCRIBE,
	OPT_HELP_DESCRIPTION,
	OPT_DEVICE,
	OPT_VERSION,
	OPT_HELP,
};

static const struct option core_opts[] = {
	{ "list-subtests", no_argument, NULL, OPT_LIST },
	{ "show-testlist", no_argument, NULL, OPT_SHOW_TESTLIST },
	{ "run-subtest", required_argument, NULL, OPT_RUN },
	{ "dynamic-subtest", required_argument, NULL, OPT_DYNAMIC },
	{ "debug", optional_argument, NULL, OPT_DEBUG },
	{ "describe", optional_argument, NULL, OPT_DESCRIBE },
	{ "help-description", no_argument, NULL, OPT_HELP_DESCRIPTION },
	{ "device", required_argument, NULL, OPT_DEVICE },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};
#define N_CORE_OPTS (sizeof(core_opts) / sizeof(core_opts[0]) - 1)

static void usage(FILE *f, const struct hu_opts *opts)
{
	fprintf(f, "Usage: %s [OPTIONS]\n", __hu_name);
	fprintf(f, "  --list-subtests\n"
		   "  --show-testlist\n"
		   "  --run-subtest <pattern>\n"
		   "  --dynamic-subtest <pattern>\n"
		   "  --debug[=log-domain]\n"
		   "  --help-description\n"
		   "  --describe[=pattern]\n"
		   "  --device filters\n"
		   "  --version\n"
		   "  --help|-h\n");
	if (opts && opts->help)
		fprintf(f, "%s%s", opts->help,
			opts->help[0] && opts->help[strlen(opts->help) - 1] == '\n' ?
			"" : "\n");
}

void __hu_print_version(void)
{
	struct utsname uts;

	if (__hu_listing)
		return;
	uname(&uts);
	hu_info("IGT-Version: %s (%s) (%s: %s %s)\n", HU_VERSION, HU_CPU,
		uts.sysname, uts.release, uts.machine);
}

void __hu_print_wrapped(const char *indent, const char *text)
{
	const int width = 80 - (int)strlen(indent);
	const char *p = text;
	int col = 0;

	printf("%s", indent);
	while (*p) {
		const char *sp = strchr(p, ' ');
		int len = sp ? (int)(sp - p) : (int)strlen(p);

		if (col && col + 1 + len > width) {
			printf("\n%s", indent);
			col = 0;
		}
		printf("%s%.*s", col ? " " : "", len, p);
		col += (col ? 1 : 0) + len;
		p += len;
		while (*p == ' ')
			p++;
	}
	printf("\n");
}

void __hu_print_test_description(void)
{
	if (__hu_test_description)
		__hu_print_wrapped("", __hu_test_description);
}

/* Core and extra options must not collide: a bug in the test, not input. */
static void check_conflicts(const struct hu_opts *opts)
{
	for (const struct option *o = opts->long_opts; o && o->name; o++) {
		for (size_t i = 0; i < N_CORE_OPTS; i++) {
			if (!strcmp(o->name, core_opts[i].name) ||
			    o->val == core_opts[i].val) {
				fprintf(stderr, "hu_core: option --%s conflicts with a core option\n",
					o->name);
				abort();
			}
		}
		if (o->val == 'h') {
			fprintf(stderr, "hu_core: option --%s uses -h\n", o->name);
			abort();
		}
	}
	if (opts->short_opts && strchr(opts->short_opts, 'h')) {
		fprintf(stderr, "hu_core: short option -h is reserved\n");
		abort();
	}
}

static void check_filter(const char *what, const char *str)
{
	struct hu_filter f[HU_FILTER_MAX];
	char err[256];

	if (hu_filter_parse_list(str, f, HU_FILTER_MAX, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: bad device filter '%s' (%s): %s\n",
			__hu_name, str, what, err);
		exit(HU_EXIT_INVALID);
	}
}

void __hu_parse_opts(int argc, char **argv, const struct hu_opts *opts,
		     bool with_subtests, struct hu_cmdline *cl)
{
	struct option *all;
	size_t n_extra = 0;
	char *short_opts;
	bool help = false, version = false, help_desc = false;
	int c;

	memset(cl, 0, sizeof(*cl));
	if (opts) {
		check_conflicts(opts);
		for (const struct option *o = opts->long_opts; o && o->name; o++)
			n_extra++;
	}
	all = calloc(n_extra + N_CORE_OPTS + 1, sizeof(*all));
	if (!all)
		abort();
	if (n_extra)
		memcpy(all, opts->long_opts, n_extra * sizeof(*all));
	memcpy(all + n_extra, core_opts, (N_CORE_OPTS + 1) * sizeof(*all));
	if (asprintf(&short_opts, "%sh",
		     opts && opts->short_opts ? opts->short_opts : "") < 0)
		abort();

	while ((c = getopt_long(argc, argv, short_opts, all, NULL)) != -1) {
		switch (c) {
		case OPT_LIST:
			/* As IGT: ignored after --run-subtest. */
			if (!cl->run_pattern)
				cl->list = true;
			break;
		case OPT_SHOW_TESTLIST:
			cl->show_testlist = true;
			break;
		case OPT_RUN:
			if (!optarg[0]) {
				fprintf(stderr, "%s: --run-subtest needs a non-empty pattern\n",
					__hu_name);
				exit(HU_EXIT_INVALID);
			}
			if (!cl->list && !cl->show_testlist)
				cl->run_pattern = optarg;
			break;
		case OPT_DYNAMIC:
			if (!optarg[0]) {
				fprintf(stderr, "%s: --dynamic-subtest needs a non-empty pattern\n",
					__hu_name);
				exit(HU_EXIT_INVALID);
			}
			if (!cl->list && !cl->show_testlist)
				cl->dyn_pattern = optarg;
			break;
		case OPT_DEBUG:
			/* Log domains are accepted; we log in one domain. */
			__hu_log_set_level(HU_LOG_DEBUG);
			break;
		case OPT_DESCRIBE:
			if (optarg && optarg[0])
				cl->run_pattern = optarg;
			cl->list = true;
			cl->describe = true;
			break;
		case OPT_HELP_DESCRIPTION:
			help_desc = true;
			break;
		case OPT_DEVICE:
			cl->device = optarg;
			break;
		case OPT_VERSION:
			version = true;
			break;
		case 'h':
		case OPT_HELP:
			help = true;
			break;
		case '?':
			usage(stderr, opts);
			exit(HU_EXIT_INVALID);
		default:
			if (!opts || !opts->handler ||
			    opts->handler(c, optarg, opts->data)) {
				exit(HU_EXIT_INVALID);
			}
			break;
		}
		if (help || version || help_desc)
			break;
	}
	free(all);
	free(short_opts);

	if (!help && !version && !help_desc && optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", __hu_name,
			argv[optind]);
		usage(stderr, opts);
		exit(HU_EXIT_INVALID);
	}

	if (!with_subtests) {
		if (cl->run_pattern) {
			hu_warn("Unknown subtest: %s\n", cl->run_pattern);
			exit(HU_EXIT_INVALID);
		}
		if (cl->show_testlist) {
			printf("igt@%s\n", __hu_name);
			exit(HU_EXIT_SUCCESS);
		}
		if (cl->list)
			exit(HU_EXIT_INVALID);
	}
	if (help) {
		usage(stdout, opts);
		exit(HU_EXIT_SUCCESS);
	}
	if (version) {
		__hu_print_version();
		exit(HU_EXIT_SUCCESS);
	}
	if (help_desc) {
		__hu_print_test_description();
		exit(HU_EXIT_SUCCESS);
	}

	if (cl->device) {
		check_filter("--device", cl->device);
	} else {
		const char *env = getenv("IGT_DEVICE");

		/* An empty variable is as good as unset. */
		if (env && *env) {
			check_filter("IGT_DEVICE", env);
			cl->device = env;
		}
	}

	if (cl->describe && __hu_test_description) {
		__hu_print_test_description();
		printf("\n");
	}
}
