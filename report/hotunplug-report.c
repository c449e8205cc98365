// SPDX-License-Identifier: MIT
/*
 * hotunplug-report: one or more igt results directories (the VM lane's or
 * a lab machine's igt_runner) -> findings.json, report.html, junit.xml;
 * with --base, a comparison A (--base) vs B -> compare.json, compare.txt.
 * Every input is read before anything is written, and every output is
 * written to a temporary file renamed into place at the end: bad input
 * leaves nothing behind, half-written or not. docs/reports.md.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report.h"

#define MAX_DIRS	64

enum { EXIT_BAD_INPUT = 1, EXIT_USAGE = 2 };

static void usage(FILE *f)
{
	fprintf(f,
"Usage: hotunplug-report [-o DIR] RESULTS...\n"
"       hotunplug-report [-o DIR] --base RESULTS [--base RESULTS]... RESULTS...\n"
"  RESULTS     an igt results directory (results.json, results_version %d)\n"
"  -o DIR      where to write (default: ./report); created if missing\n"
"  --base DIR  compare: the results before (A); the others are after (B).\n"
"              Writes compare.json and compare.txt (new findings, gone\n"
"              findings, rows whose verdict changed) and prints the text.\n"
"Without --base: findings.json, report.html and junit.xml.\n"
"Exit: 0 written, 1 bad input (nothing written), 2 usage.\n",
		HR_RESULTS_VERSION);
}

struct out {
	char tmp[4200], path[4200];
	FILE *f;
};

static int open_out(struct out *o, const char *dir, const char *name)
{
	int fd;

	snprintf(o->path, sizeof(o->path), "%s/%s", dir, name);
	snprintf(o->tmp, sizeof(o->tmp), "%s/.%s.XXXXXX", dir, name);
	fd = mkstemp(o->tmp);
	if (fd < 0 || fchmod(fd, 0644) || !(o->f = fdopen(fd, "w"))) {
		fprintf(stderr, "hotunplug-report: %s: %s\n", o->tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return 0;
}

/* Closes all; renames them into place only if every one was written. */
static int finish(struct out *o, int n, bool ok)
{
	for (int i = 0; i < n; i++)
		if (fclose(o[i].f))
			ok = false;
	for (int i = 0; i < n; i++) {
		if (ok && rename(o[i].tmp, o[i].path)) {
			fprintf(stderr, "hotunplug-report: %s: %s\n", o[i].path,
				strerror(errno));
			ok = false;
		}
		if (!ok)
			unlink(o[i].tmp);
	}
	return ok ? 0 : -1;
}

static int load_all(struct hr_report *r, char **dirs, int n)
{
	char err[8400];

	for (int i = 0; i < n; i++)
		if (hr_load(r, dirs[i], err, sizeof(err))) {
			fprintf(stderr, "hotunplug-report: %s\n", err);
			return -1;
		}
	hr_group(r);
	return 0;
}

static int mkdir_out(const char *dir)
{
	if (mkdir(dir, 0755) && errno != EEXIST) {
		fprintf(stderr, "hotunplug-report: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	return 0;
}

static int report(const char *dir, char **dirs, int n)
{
	struct hr_report r = { 0 };
	struct out o[3];
	bool ok;

	if (load_all(&r, dirs, n)) {
		hr_free(&r);
		return EXIT_BAD_INPUT;
	}
	if (mkdir_out(dir) || open_out(&o[0], dir, "findings.json"))
		return EXIT_BAD_INPUT;
	if (open_out(&o[1], dir, "report.html")) {
		finish(o, 1, false);
		return EXIT_BAD_INPUT;
	}
	if (open_out(&o[2], dir, "junit.xml")) {
		finish(o, 2, false);
		return EXIT_BAD_INPUT;
	}
	ok = !hr_write_findings(&r, o[0].f) && !hr_write_html(&r, o[1].f) &&
	     !hr_write_junit(&r, o[2].f);
	if (finish(o, 3, ok))
		return EXIT_BAD_INPUT;
	printf("%d run(s), %d rows, %d finding(s)\n", r.nconfigs, r.nrows,
	       r.nfindings);
	for (int k = 0; k < r.nfindings; k++)
		printf("  F%d %4d rows  %s\n", k + 1, r.findings[k].nrows,
		       r.findings[k].sig);
	printf("%s/report.html\n", dir);
	hr_free(&r);
	return 0;
}

static int compare(const char *dir, char **a, int na, char **b, int nb)
{
	struct hr_report ra = { 0 }, rb = { 0 };
	struct out o[2];
	int ret = EXIT_BAD_INPUT;

	if (load_all(&ra, a, na) || load_all(&rb, b, nb) || mkdir_out(dir) ||
	    open_out(&o[0], dir, "compare.json"))
		goto out;
	if (open_out(&o[1], dir, "compare.txt")) {
		finish(o, 1, false);
		goto out;
	}
	if (!finish(o, 2, !hr_write_compare(&ra, &rb, o[0].f, o[1].f))) {
		FILE *t = fopen(o[1].path, "r");
		char line[4096];

		while (t && fgets(line, sizeof(line), t))
			fputs(line, stdout);
		if (t)
			fclose(t);
		printf("%s/compare.json\n", dir);
		ret = 0;
	}
out:
	hr_free(&ra);
	hr_free(&rb);
	return ret;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "base", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	char *base[MAX_DIRS];
	const char *dir = "report";
	int nbase = 0, c;

	while ((c = getopt_long(argc, argv, "o:h", lo, NULL)) != -1) {
		switch (c) {
		case 'o': dir = optarg; break;
		case 'b':
			if (nbase == MAX_DIRS) {
				fprintf(stderr, "hotunplug-report: at most %d --base\n", MAX_DIRS);
				return EXIT_USAGE;
			}
			base[nbase++] = optarg;
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind == argc || argc - optind > MAX_DIRS) {
		fprintf(stderr, "hotunplug-report: %s\n", optind == argc ?
			"no results directory given" : "too many results directories");
		usage(stderr);
		return EXIT_USAGE;
	}
	if (nbase)
		return compare(dir, base, nbase, argv + optind, argc - optind);
	return report(dir, argv + optind, argc - optind);
}
