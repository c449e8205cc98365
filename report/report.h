/* SPDX-License-Identifier: MIT */
/*
 * hotunplug-report: igt results directories (results.json, as igt_runner
 * and the VM lane write them) read into runs, rows and findings, and
 * written out as findings.json, report.html and junit.xml (docs/reports.md).
 */
#ifndef HR_REPORT_H
#define HR_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define HR_RESULTS_VERSION	10	/* igt_runner's results.json */
#define HR_SIG_LEN		256
#define HR_MAX_SIGS		8	/* findings one row can show */

/* --- signature.c: what a row's kernel log and oracles say -------------- */

/* One finding in one row's texts. */
struct hr_sig {
	char sig[HR_SIG_LEN];	/* "WARNING drivers/gpu/drm/drm_mm.c:965 drm_mm_takedown" */
	char kind[24];		/* warning, bug, kasan, lockdep, iommu-lifetime, ... */
	char taint[32];		/* "W", "D W", "" for none or unknown */
	const char *from;	/* the splat: a pointer into the row's text... */
	size_t len;		/* ...and its length */
};

/*
 * The findings in a row's @dmesg (results.json's "<L> [ts] text" lines,
 * /dev/kmsg records or console lines "[ts] text") and @err (the test's
 * oracles). Offsets, addresses, PIDs, CPUs and timestamps never change a
 * signature; the WARN site (file:line) and the function always do.
 * @flagged: igt_runner gave dmesg-warn or dmesg-fail; with no known kind
 * of splat, the first line at level 4 or worse is the finding then.
 * Returns how many were written to @out (at most @max).
 */
int hr_signatures(const char *dmesg, const char *err, bool flagged,
		  struct hr_sig *out, int max);

/* --- load.c: results directories -------------------------------------- */

/* One configuration: one results directory. */
struct hr_config {
	char dir[4096];
	char label[192];	/* "7.2.13+deb14-amd64 virtio-gpu iommu=intel fbdev=on" */
	char kernel[96];	/* release, from vm/config.json or results.json's uname */
	char suite[32];		/* the lane's --kernel, "" for a lab machine */
	char gpu[64];		/* GPU kinds, "" unknown */
	char iommu[16];		/* none, intel, virtio, "" unknown */
	char fbdev[8];		/* on, off, "" unknown */
	char append[512];	/* the lane's --append words */
	bool lane;		/* written by hotunplug-vm */
	int rank;		/* smaller: cheaper to reproduce on */
};

/* One row: a test in one configuration. */
struct hr_row {
	char *name;		/* igt@bin@subtest[@dynamic] */
	int config;
	char result[24];
	double time;
	char *out, *err, *dmesg;
	int finding[HR_MAX_SIGS];	/* indices into hr_report.findings */
	int nfindings;
};

/* One finding: a signature and every row that showed it. */
struct hr_finding {
	char sig[HR_SIG_LEN];
	char kind[24];
	char taint[32];
	int *rows;		/* indices into hr_report.rows */
	int nrows;
	int repr;		/* the row whose splat represents it */
	char *splat;
};

struct hr_report {
	struct hr_config *configs;
	int nconfigs;
	struct hr_row *rows;
	int nrows;
	struct hr_finding *findings;
	int nfindings;
};

/*
 * Adds the results directory @dir to @r. 0, or -1 with a message naming
 * the path in @err (no results.json, not JSON, another results_version).
 */
int hr_load(struct hr_report *r, const char *dir, char *err, size_t len);
/* Groups every row's signatures into findings (by signature). */
void hr_group(struct hr_report *r);
void hr_free(struct hr_report *r);

bool hr_result_bad(const char *result);
/* The rows of @name in config @c, -1 if it did not run there. */
int hr_find_row(const struct hr_report *r, const char *name, int c);
/* The hotunplug-vm (or igt_runner) line that reproduces row @i. */
void hr_reproducer(const struct hr_report *r, int i, char *buf, size_t len);

/* --- output ------------------------------------------------------------ */

struct json_object;
/* Writes @o pretty-printed to @f and frees it; 0 or -1. */
int hr_put_json(struct json_object *o, FILE *f);

int hr_write_findings(const struct hr_report *r, FILE *f);
int hr_write_html(const struct hr_report *r, FILE *f);
int hr_write_junit(const struct hr_report *r, FILE *f);
/* A vs B: new findings, gone findings, rows whose verdict changed. */
int hr_write_compare(const struct hr_report *a, const struct hr_report *b,
		     FILE *json, FILE *text);

#endif
