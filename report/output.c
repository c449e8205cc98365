// SPDX-License-Identifier: MIT
/*
 * findings.json (json-c) and junit.xml (GitLab's artifacts:reports:junit,
 * checked against report/tests/junit.xsd).
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "report.h"

static const char *const verdicts[] = {
	"pass", "skip", "warn", "dmesg-warn", "fail", "dmesg-fail", "crash",
	"timeout", "incomplete", "abort", "notrun",
};
#define NVERDICTS (sizeof(verdicts) / sizeof(*verdicts))

static struct json_object *jstr(const char *s)
{
	return json_object_new_string(s ? s : "");
}

static struct json_object *row_ref(const struct hr_report *r, int i)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "name", jstr(r->rows[i].name));
	json_object_object_add(o, "configuration",
			       jstr(r->configs[r->rows[i].config].label));
	json_object_object_add(o, "result", jstr(r->rows[i].result));
	return o;
}

static bool row_has(const struct hr_row *row, int f)
{
	for (int k = 0; k < row->nfindings; k++)
		if (row->finding[k] == f)
			return true;
	return false;
}

/* The configurations where finding @f showed, and its rows' passes. */
static void seen_and_passed(const struct hr_report *r, int f,
			    struct json_object *seen, struct json_object *passed)
{
	const struct hr_finding *x = &r->findings[f];
	bool *cfg = calloc(r->nconfigs, sizeof(*cfg));
	bool *done = calloc(r->nrows, sizeof(*done));

	if (!cfg || !done) {
		fprintf(stderr, "hotunplug-report: out of memory\n");
		exit(2);
	}
	for (int k = 0; k < x->nrows; k++)
		cfg[r->rows[x->rows[k]].config] = true;
	for (int c = 0; c < r->nconfigs; c++)
		if (cfg[c])
			json_object_array_add(seen, jstr(r->configs[c].label));
	/* the same rows elsewhere (or another run) without it, passing */
	for (int k = 0; k < x->nrows; k++) {
		const char *name = r->rows[x->rows[k]].name;

		for (int i = 0; i < r->nrows; i++) {
			const struct hr_row *o = &r->rows[i];

			if (done[i] || strcmp(o->name, name) || row_has(o, f) ||
			    strcmp(o->result, "pass"))
				continue;
			done[i] = true;
			json_object_array_add(passed, row_ref(r, i));
		}
	}
	free(cfg);
	free(done);
}

static struct json_object *finding_json(const struct hr_report *r, int f)
{
	const struct hr_finding *x = &r->findings[f];
	struct json_object *o = json_object_new_object();
	struct json_object *rows = json_object_new_array();
	struct json_object *seen = json_object_new_array();
	struct json_object *passed = json_object_new_array();
	char repro[2048];

	json_object_object_add(o, "id", json_object_new_int(f));
	json_object_object_add(o, "signature", jstr(x->sig));
	json_object_object_add(o, "kind", jstr(x->kind));
	json_object_object_add(o, "count", json_object_new_int(x->nrows));
	json_object_object_add(o, "taint", jstr(x->taint));
	for (int k = 0; k < x->nrows; k++)
		json_object_array_add(rows, row_ref(r, x->rows[k]));
	seen_and_passed(r, f, seen, passed);
	json_object_object_add(o, "configurations", seen);
	json_object_object_add(o, "rows", rows);
	json_object_object_add(o, "passed_in", passed);
	json_object_object_add(o, "splat", jstr(x->splat));
	hr_reproducer(r, x->repr, repro, sizeof(repro));
	json_object_object_add(o, "reproducer", jstr(repro));
	return o;
}

int hr_put_json(struct json_object *o, FILE *f)
{
	int ret = fputs(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
			JSON_C_TO_STRING_NOSLASHESCAPE), f) < 0 || fputc('\n', f) < 0;

	json_object_put(o);
	return ret ? -1 : 0;
}

int hr_write_findings(const struct hr_report *r, FILE *f)
{
	struct json_object *top = json_object_new_object();
	struct json_object *configs = json_object_new_array();
	struct json_object *findings = json_object_new_array();
	struct json_object *rows = json_object_new_array();
	struct json_object *sum = json_object_new_object();
	struct json_object *counts = json_object_new_object();
	int bad = 0;

	json_object_object_add(top, "generator", jstr("hotunplug-report"));
	json_object_object_add(top, "format", json_object_new_int(1));
	for (int c = 0; c < r->nconfigs; c++) {
		const struct hr_config *x = &r->configs[c];
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "label", jstr(x->label));
		json_object_object_add(o, "dir", jstr(x->dir));
		json_object_object_add(o, "kernel", jstr(x->kernel));
		json_object_object_add(o, "suite", jstr(x->suite));
		json_object_object_add(o, "gpu", jstr(x->gpu));
		json_object_object_add(o, "iommu", jstr(x->iommu));
		json_object_object_add(o, "fbdev", jstr(x->fbdev));
		json_object_array_add(configs, o);
	}
	for (size_t v = 0; v < NVERDICTS; v++) {
		int n = 0;

		for (int i = 0; i < r->nrows; i++)
			n += !strcmp(r->rows[i].result, verdicts[v]);
		if (n)
			json_object_object_add(counts, verdicts[v], json_object_new_int(n));
	}
	for (int i = 0; i < r->nrows; i++) {
		struct json_object *o = row_ref(r, i), *fs = json_object_new_array();

		bad += hr_result_bad(r->rows[i].result);
		json_object_object_add(o, "time", json_object_new_double(r->rows[i].time));
		for (int k = 0; k < r->rows[i].nfindings; k++)
			json_object_array_add(fs, json_object_new_int(r->rows[i].finding[k]));
		json_object_object_add(o, "findings", fs);
		json_object_array_add(rows, o);
	}
	json_object_object_add(sum, "runs", json_object_new_int(r->nconfigs));
	json_object_object_add(sum, "rows", json_object_new_int(r->nrows));
	json_object_object_add(sum, "failures", json_object_new_int(bad));
	json_object_object_add(sum, "findings", json_object_new_int(r->nfindings));
	json_object_object_add(sum, "results", counts);
	for (int k = 0; k < r->nfindings; k++)
		json_object_array_add(findings, finding_json(r, k));
	json_object_object_add(top, "summary", sum);
	json_object_object_add(top, "configurations", configs);
	json_object_object_add(top, "findings", findings);
	json_object_object_add(top, "rows", rows);
	return hr_put_json(top, f);
}

/* --- junit.xml ------------------------------------------------------------- */

/*
 * XML text: & < > " escaped; control characters other than tab and
 * newline (a console's escape sequences) are not allowed in XML 1.0.
 */
static void xml(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = *s;

		if (c == '&')
			fputs("&amp;", f);
		else if (c == '<')
			fputs("&lt;", f);
		else if (c == '>')
			fputs("&gt;", f);
		else if (c == '"')
			fputs("&quot;", f);
		else if (c < 0x20 && c != '\t' && c != '\n')
			fputc('?', f);
		else
			fputc(c, f);
	}
}

static bool is_error(const char *r)
{
	return !strcmp(r, "incomplete") || !strcmp(r, "crash") ||
	       !strcmp(r, "timeout") || !strcmp(r, "abort");
}

static void testcase(const struct hr_report *r, int i, FILE *f)
{
	const struct hr_row *row = &r->rows[i];
	char bin[128] = "", repro[2048];

	sscanf(row->name, "igt@%127[^@]", bin);
	fprintf(f, "    <testcase name=\"");
	xml(f, row->name);
	fprintf(f, "\" classname=\"");
	xml(f, bin);
	fprintf(f, "\" time=\"%.3f\">\n", row->time);
	if (!strcmp(row->result, "skip") || !strcmp(row->result, "notrun")) {
		fprintf(f, "      <skipped message=\"%s\"/>\n", row->result);
	} else if (hr_result_bad(row->result)) {
		const char *el = is_error(row->result) ? "error" : "failure";

		fprintf(f, "      <%s type=\"%s\" message=\"", el, row->result);
		xml(f, row->result);
		for (int k = 0; k < row->nfindings; k++) {
			fputs(k ? "; " : ": ", f);
			xml(f, r->findings[row->finding[k]].sig);
		}
		fprintf(f, "\">");
		for (int k = 0; k < row->nfindings; k++) {
			xml(f, r->findings[row->finding[k]].sig);
			fputc('\n', f);
		}
		hr_reproducer(r, i, repro, sizeof(repro));
		fputs("reproduce: ", f);
		xml(f, repro);
		fprintf(f, "</%s>\n", el);
	}
	fputs("      <system-out>", f);
	xml(f, row->out);
	fputs("</system-out>\n      <system-err>", f);
	xml(f, row->err);
	if (row->dmesg && *row->dmesg) {
		fputs("\n--- dmesg ---\n", f);
		xml(f, row->dmesg);
	}
	fputs("</system-err>\n    </testcase>\n", f);
}

int hr_write_junit(const struct hr_report *r, FILE *f)
{
	int all[4] = { 0 };	/* tests, failures, errors, skipped */

	for (int i = 0; i < r->nrows; i++) {
		const char *v = r->rows[i].result;

		all[0]++;
		all[1] += hr_result_bad(v) && !is_error(v);
		all[2] += is_error(v);
		all[3] += !strcmp(v, "skip") || !strcmp(v, "notrun");
	}
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<testsuites name=\"hotunplug\" tests=\"%d\" failures=\"%d\" "
		"errors=\"%d\" skipped=\"%d\">\n", all[0], all[1], all[2], all[3]);
	for (int c = 0; c < r->nconfigs; c++) {
		int n[4] = { 0 };
		double t = 0;

		for (int i = 0; i < r->nrows; i++) {
			const char *v = r->rows[i].result;

			if (r->rows[i].config != c)
				continue;
			n[0]++;
			n[1] += hr_result_bad(v) && !is_error(v);
			n[2] += is_error(v);
			n[3] += !strcmp(v, "skip") || !strcmp(v, "notrun");
			t += r->rows[i].time;
		}
		fprintf(f, "  <testsuite name=\"");
		xml(f, r->configs[c].label);
		fprintf(f, "\" tests=\"%d\" failures=\"%d\" errors=\"%d\" "
			"skipped=\"%d\" time=\"%.3f\">\n", n[0], n[1], n[2], n[3], t);
		for (int i = 0; i < r->nrows; i++)
			if (r->rows[i].config == c)
				testcase(r, i, f);
		fputs("  </testsuite>\n", f);
	}
	fputs("</testsuites>\n", f);
	return ferror(f) ? -1 : 0;
}
