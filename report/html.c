// SPDX-License-Identifier: MIT
/*
 * report.html: one self-contained file (inline style and script, nothing
 * fetched), readable offline. A summary, the findings with the rows behind
 * each, the matrix rows x configurations coloured by verdict with a filter
 * box, and every row's out/err/dmesg in a <details> one click away. Tables
 * have captions and scoped headers; verdicts are words, not only colours.
 *
 * The script counts what the page shows into #dom-counts (rows, failures,
 * findings) and applies "#filter=TEXT" from the address: the browser test
 * (ci/test-report-browser.sh) reads both from the DOM.
 */
#include <string.h>

#include "report.h"

static void esc(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default: fputc(*s, f);
		}
	}
}

static const char style[] =
"body{font-family:sans-serif;margin:1em 2em;color:#111;background:#fff}\n"
"table{border-collapse:collapse;margin:.5em 0}\n"
"th,td{border:1px solid #999;padding:2px 6px;text-align:left;vertical-align:top}\n"
"thead th{background:#e8e8e8;position:sticky;top:0}\n"
"caption{text-align:left;font-weight:bold;padding:4px 0}\n"
"pre{white-space:pre-wrap;background:#f6f6f6;border:1px solid #ccc;padding:4px;"
"max-height:30em;overflow:auto;font-size:85%}\n"
".v-pass{background:#b7e1b0}.v-skip,.v-notrun{background:#ddd}\n"
".v-warn,.v-dmesg-warn{background:#f5e08a}\n"
".v-fail,.v-dmesg-fail{background:#f0a0a0}\n"
".v-incomplete,.v-crash,.v-timeout,.v-abort{background:#c98bd6}\n"
".v-none{background:#fff;color:#777}\n"
"td.cell a{color:#000}\n"
"a:focus,summary:focus,input:focus{outline:3px solid #1a5fb4}\n"
".hidden{display:none}\n"
"code{font-size:90%}\n";

static const char script[] =
"(function(){\n"
"var q=document.getElementById('filter');\n"
"function apply(){var t=q.value.toLowerCase();\n"
" document.querySelectorAll('#matrix tbody tr').forEach(function(tr){\n"
"  tr.classList.toggle('hidden',t!==''&&tr.textContent.toLowerCase().indexOf(t)<0);});\n"
" count();}\n"
"function count(){var c=document.getElementById('dom-counts');\n"
" var shown=document.querySelectorAll('#matrix tbody tr:not(.hidden)').length;\n"
" c.setAttribute('data-rows',document.querySelectorAll('#matrix td.cell[data-result]').length);\n"
" c.setAttribute('data-failures',document.querySelectorAll('#matrix td.cell[data-bad=\"1\"]').length);\n"
" c.setAttribute('data-findings',document.querySelectorAll('#findings tbody tr.finding').length);\n"
" c.setAttribute('data-shown',shown);\n"
" c.textContent=shown+' of '+document.querySelectorAll('#matrix tbody tr').length+' tests shown';}\n"
"q.addEventListener('input',apply);\n"
"function open(){var id=location.hash.slice(1);\n"
" if(id.indexOf('filter=')===0){q.value=decodeURIComponent(id.slice(7));apply();return;}\n"
" var d=document.getElementById(id);if(d&&d.tagName==='DETAILS'){d.open=true;d.scrollIntoView();}}\n"
"window.addEventListener('hashchange',open);open();count();\n"
"})();\n";

static void summary(const struct hr_report *r, FILE *f)
{
	static const char *const order[] = {
		"pass", "skip", "warn", "dmesg-warn", "fail", "dmesg-fail",
		"crash", "timeout", "incomplete", "abort", "notrun",
	};
	int bad = 0;

	for (int i = 0; i < r->nrows; i++)
		bad += hr_result_bad(r->rows[i].result);
	fprintf(f, "<section aria-labelledby=\"h-sum\"><h2 id=\"h-sum\">Summary</h2>\n"
		"<p>%d run(s), %d rows, %d failure(s), %d finding(s).</p>\n<ul>\n",
		r->nconfigs, r->nrows, bad, r->nfindings);
	for (size_t v = 0; v < sizeof(order) / sizeof(*order); v++) {
		int n = 0;

		for (int i = 0; i < r->nrows; i++)
			n += !strcmp(r->rows[i].result, order[v]);
		if (n)
			fprintf(f, "<li><span class=\"v-%s\">%s</span>: %d</li>\n",
				order[v], order[v], n);
	}
	fputs("</ul>\n<table><caption>Configurations</caption><thead><tr>"
	      "<th scope=\"col\">#</th><th scope=\"col\">Configuration</th>"
	      "<th scope=\"col\">Results directory</th></tr></thead><tbody>\n", f);
	for (int c = 0; c < r->nconfigs; c++) {
		fprintf(f, "<tr><th scope=\"row\">C%d</th><td>", c + 1);
		esc(f, r->configs[c].label);
		fputs("</td><td><code>", f);
		esc(f, r->configs[c].dir);
		fputs("</code></td></tr>\n", f);
	}
	fputs("</tbody></table></section>\n", f);
}

/* "Seen in C1, C3; the same tests passed in C2." */
static void where(const struct hr_report *r, int k, FILE *f)
{
	const struct hr_finding *x = &r->findings[k];
	const char *sep = "";

	fputs("<p>Seen in", f);
	for (int c = 0; c < r->nconfigs; c++)
		for (int j = 0; j < x->nrows; j++)
			if (r->rows[x->rows[j]].config == c) {
				fprintf(f, "%s C%d", sep, c + 1);
				sep = ",";
				break;
			}
	sep = "; the same tests passed in";
	for (int c = 0; c < r->nconfigs; c++)
		for (int j = 0; j < x->nrows; j++) {
			int i = hr_find_row(r, r->rows[x->rows[j]].name, c);

			bool has = false;

			for (int m = 0; i >= 0 && m < r->rows[i].nfindings; m++)
				has |= r->rows[i].finding[m] == k;
			if (i >= 0 && !has && !strcmp(r->rows[i].result, "pass")) {
				fprintf(f, "%s C%d", sep, c + 1);
				sep = ",";
				break;
			}
		}
	fputs(".</p>", f);
}

static void findings(const struct hr_report *r, FILE *f)
{
	char repro[2048];

	fputs("<section id=\"findings\" aria-labelledby=\"h-find\">"
	      "<h2 id=\"h-find\">Findings</h2>\n<table><caption>Findings, grouped "
	      "by signature</caption><thead><tr><th scope=\"col\">#</th>"
	      "<th scope=\"col\">Signature</th><th scope=\"col\">Kind</th>"
	      "<th scope=\"col\">Rows</th><th scope=\"col\">Taint</th>"
	      "<th scope=\"col\">Details</th></tr></thead><tbody>\n", f);
	for (int k = 0; k < r->nfindings; k++) {
		const struct hr_finding *x = &r->findings[k];

		fprintf(f, "<tr class=\"finding\" id=\"f%d\"><th scope=\"row\">F%d</th>"
			"<td><code>", k + 1, k + 1);
		esc(f, x->sig);
		fputs("</code></td><td>", f);
		esc(f, x->kind);
		fprintf(f, "</td><td>%d</td><td>", x->nrows);
		esc(f, x->taint[0] ? x->taint : "-");
		fputs("</td><td><details><summary>rows, splat, reproducer</summary>"
		      "<ul>\n", f);
		for (int j = 0; j < x->nrows; j++) {
			const struct hr_row *row = &r->rows[x->rows[j]];

			fprintf(f, "<li><a href=\"#r%d\">", x->rows[j]);
			esc(f, row->name);
			fprintf(f, "</a> C%d <span class=\"v-%s\">%s</span></li>\n",
				row->config + 1, row->result, row->result);
		}
		fputs("</ul>", f);
		where(r, k, f);
		fputs("<p>Reproduce:</p><pre>", f);
		hr_reproducer(r, x->repr, repro, sizeof(repro));
		esc(f, repro);
		fputs("</pre><pre>", f);
		esc(f, x->splat);
		fputs("</pre></details></td></tr>\n", f);
	}
	fputs("</tbody></table></section>\n", f);
}

static void matrix(const struct hr_report *r, FILE *f)
{
	fputs("<section id=\"matrix\" aria-labelledby=\"h-mat\">"
	      "<h2 id=\"h-mat\">Matrix</h2>\n<p><label for=\"filter\">Filter tests "
	      "(name, verdict or finding): </label><input id=\"filter\" "
	      "type=\"search\" size=\"40\"> <span id=\"dom-counts\" "
	      "role=\"status\" aria-live=\"polite\"></span></p>\n"
	      "<table><caption>Rows by configuration, coloured by verdict; a "
	      "verdict links to the row's output</caption><thead><tr>"
	      "<th scope=\"col\">Test</th>", f);
	for (int c = 0; c < r->nconfigs; c++) {
		fprintf(f, "<th scope=\"col\" title=\"");
		esc(f, r->configs[c].label);
		fprintf(f, "\">C%d ", c + 1);
		esc(f, r->configs[c].label);
		fputs("</th>", f);
	}
	fputs("</tr></thead><tbody>\n", f);
	for (int i = 0; i < r->nrows; i++) {
		bool first = true;

		/* one line per test name, at its first row */
		for (int j = 0; j < i && first; j++)
			first = strcmp(r->rows[j].name, r->rows[i].name);
		if (!first)
			continue;
		fputs("<tr><th scope=\"row\">", f);
		esc(f, r->rows[i].name);
		fputs("</th>", f);
		for (int c = 0; c < r->nconfigs; c++) {
			int k = hr_find_row(r, r->rows[i].name, c);
			const struct hr_row *row = k >= 0 ? &r->rows[k] : NULL;

			if (!row) {
				fputs("<td class=\"cell v-none\">not run</td>", f);
				continue;
			}
			fprintf(f, "<td class=\"cell v-%s\" data-result=\"%s\" "
				"data-bad=\"%d\"><a href=\"#r%d\">%s</a>", row->result,
				row->result, hr_result_bad(row->result), k, row->result);
			for (int j = 0; j < row->nfindings; j++)
				fprintf(f, " <a href=\"#f%d\" title=\"finding F%d\">F%d</a>",
					row->finding[j], row->finding[j] + 1,
					row->finding[j] + 1);
			fputs("</td>", f);
		}
		fputs("</tr>\n", f);
	}
	fputs("</tbody></table></section>\n", f);
}

static void details(const struct hr_report *r, FILE *f)
{
	static const char *const parts[] = { "out", "err", "dmesg" };

	fputs("<section aria-labelledby=\"h-rows\"><h2 id=\"h-rows\">Rows</h2>\n", f);
	for (int i = 0; i < r->nrows; i++) {
		const struct hr_row *row = &r->rows[i];
		const char *text[] = { row->out, row->err, row->dmesg };

		fprintf(f, "<details id=\"r%d\"><summary>", i);
		esc(f, row->name);
		fprintf(f, " C%d <span class=\"v-%s\">%s</span> %.2f s</summary>\n",
			row->config + 1, row->result, row->result, row->time);
		for (int p = 0; p < 3; p++) {
			fprintf(f, "<h3>%s</h3><pre>", parts[p]);
			esc(f, text[p]);
			fputs("</pre>\n", f);
		}
		fputs("</details>\n", f);
	}
	fputs("</section>\n", f);
}

int hr_write_html(const struct hr_report *r, FILE *f)
{
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		"<meta name=\"viewport\" content=\"width=device-width\">"
		"<title>hotunplug report</title>\n<style>\n%s</style></head>\n"
		"<body><header><h1>hotunplug report</h1></header><main>\n", style);
	summary(r, f);
	findings(r, f);
	matrix(r, f);
	details(r, f);
	fprintf(f, "</main>\n<script>\n%s</script>\n</body></html>\n", script);
	return ferror(f) ? -1 : 0;
}
