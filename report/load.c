// SPDX-License-Identifier: MIT
/*
 * Results directories into rows: results.json through json-c (igt_runner's
 * own format, results_version 10), the configuration from the VM lane's
 * vm/config.json or, for a lab machine, from results.json's uname.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <json-c/json.h>

#include "report.h"

/* signatures and command lines are cut at their buffer on purpose */
#pragma GCC diagnostic ignored "-Wformat-truncation"

static void *grow(void *p, int n, size_t size)
{
	/* powers of two: grow when n reaches one */
	if (n && (n & (n - 1)))
		return p;
	p = realloc(p, (n ? 2 * n : 1) * size);
	if (!p) {
		fprintf(stderr, "hotunplug-report: out of memory\n");
		exit(2);
	}
	return p;
}

static const char *str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return "";
	return json_object_get_string(v);
}

static char *dup_str(struct json_object *o, const char *key)
{
	char *s = strdup(str(o, key));

	if (!s) {
		fprintf(stderr, "hotunplug-report: out of memory\n");
		exit(2);
	}
	return s;
}

/*
 * A lane run from before vm/config.json: GPU kinds, IOMMU and fbdev from
 * vm/qemu-cmdline.txt (the QEMU command line, arguments joined by spaces).
 * The Debian suite is not in it: the reproducer says so.
 */
static void lane_cmdline(struct hr_config *c)
{
	static const char *const qdevs[][2] = {
		{ "virtio-gpu-pci,", "virtio-gpu" }, { "bochs-display,", "bochs" },
		{ "qxl,", "qxl" }, { "cirrus-vga,", "cirrus" },
	};
	char path[4200], *text, *save, *w;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/vm/qemu-cmdline.txt", c->dir);
	f = fopen(path, "r");
	if (!f)
		return;
	text = calloc(1, 1 << 16);
	n = text ? (long)fread(text, 1, (1 << 16) - 1, f) : 0;
	fclose(f);
	if (n <= 0) {
		free(text);
		return;
	}
	c->lane = true;
	snprintf(c->iommu, sizeof(c->iommu), "%s", strstr(text, " intel-iommu") ?
		 "intel" : strstr(text, " virtio-iommu-pci") ? "virtio" : "none");
	snprintf(c->fbdev, sizeof(c->fbdev), "%s",
		 strstr(text, "fbdev_emulation=0") ? "off" : "on");
	if (!strcmp(c->fbdev, "off"))
		snprintf(c->append, sizeof(c->append), "drm_kms_helper.fbdev_emulation=0");
	for (w = strtok_r(text, " \n", &save); w; w = strtok_r(NULL, " \n", &save))
		for (size_t i = 0; i < sizeof(qdevs) / sizeof(*qdevs); i++)
			if (!strncmp(w, qdevs[i][0], strlen(qdevs[i][0]))) {
				snprintf(c->gpu + strlen(c->gpu), sizeof(c->gpu) - strlen(c->gpu),
					 "%s%s", c->gpu[0] ? "+" : "", qdevs[i][1]);
				c->rank += 10;
			}
	/* its suite unknown, its reproducer is not one command: last resort */
	c->rank += (strcmp(c->iommu, "none") ? 1 : 0) + 100;
	free(text);
}

/* The lane's vm/config.json, if there is one. */
static void lane_config(struct hr_config *c)
{
	char path[4200];
	struct json_object *j, *gpus, *v;

	snprintf(path, sizeof(path), "%s/vm/config.json", c->dir);
	j = json_object_from_file(path);
	if (!j) {
		lane_cmdline(c);
		return;
	}
	c->lane = true;
	snprintf(c->suite, sizeof(c->suite), "%s", str(j, "kernel"));
	if (*str(j, "kernel_version"))
		snprintf(c->kernel, sizeof(c->kernel), "%s", str(j, "kernel_version"));
	if (json_object_object_get_ex(j, "gpus", &gpus) &&
	    json_object_is_type(gpus, json_type_array)) {
		c->gpu[0] = '\0';
		for (size_t i = 0; i < json_object_array_length(gpus); i++)
			snprintf(c->gpu + strlen(c->gpu), sizeof(c->gpu) - strlen(c->gpu),
				 "%s%s", i ? "+" : "",
				 json_object_get_string(json_object_array_get_idx(gpus, i)));
		c->rank += 10 * (int)json_object_array_length(gpus);
	}
	snprintf(c->iommu, sizeof(c->iommu), "%s", str(j, "iommu"));
	if (json_object_object_get_ex(j, "fbdev", &v))
		snprintf(c->fbdev, sizeof(c->fbdev), "%s",
			 json_object_get_boolean(v) ? "on" : "off");
	snprintf(c->append, sizeof(c->append), "%s", str(j, "append"));
	/* an IOMMU costs boot time and DMA mapping work: reproduce without */
	c->rank += strcmp(c->iommu, "none") ? 1 : 0;
	json_object_put(j);
}

/* "Linux host 7.2.13+deb14-amd64 #1 SMP ..." -> "7.2.13+deb14-amd64" */
static void uname_release(const char *uname, char *out, size_t len)
{
	const char *p = strchr(uname, ' ');

	p = p ? strchr(p + 1, ' ') : NULL;
	if (!p) {
		snprintf(out, len, "%s", *uname ? uname : "?");
		return;
	}
	p++;
	snprintf(out, len, "%.*s", (int)strcspn(p, " "), p);
}

static void add_rows(struct hr_report *r, int c, struct json_object *tests)
{
	json_object_object_foreach(tests, name, t) {
		struct json_object *time, *end;
		struct hr_row *row;

		r->rows = grow(r->rows, r->nrows, sizeof(*r->rows));
		row = &r->rows[r->nrows++];
		memset(row, 0, sizeof(*row));
		row->name = strdup(name);
		row->config = c;
		snprintf(row->result, sizeof(row->result), "%s", str(t, "result"));
		if (json_object_object_get_ex(t, "time", &time) &&
		    json_object_object_get_ex(time, "end", &end))
			row->time = json_object_get_double(end);
		row->out = dup_str(t, "out");
		row->err = dup_str(t, "err");
		row->dmesg = dup_str(t, "dmesg");
		if (!row->name) {
			fprintf(stderr, "hotunplug-report: out of memory\n");
			exit(2);
		}
	}
}

int hr_load(struct hr_report *r, const char *dir, char *err, size_t len)
{
	struct json_object *top, *v, *tests;
	struct hr_config *c;
	char path[4200];
	struct stat st;

	snprintf(path, sizeof(path), "%s/results.json", dir);
	if (stat(dir, &st) || !S_ISDIR(st.st_mode)) {
		snprintf(err, len, "%s: not a directory", dir);
		return -1;
	}
	if (stat(path, &st)) {
		snprintf(err, len, "%s: %s (not an igt results directory, or "
			 "the run has not finished: igt_resume writes it)",
			 path, strerror(errno));
		return -1;
	}
	top = json_object_from_file(path);
	if (!top) {
		snprintf(err, len, "%s: not valid JSON (%s)", path,
			 json_util_get_last_err() ? json_util_get_last_err() : "?");
		return -1;
	}
	if (!json_object_object_get_ex(top, "results_version", &v) ||
	    json_object_get_int(v) != HR_RESULTS_VERSION) {
		snprintf(err, len, "%s: results_version %s, this reads %d",
			 path, v ? json_object_get_string(v) : "missing",
			 HR_RESULTS_VERSION);
		json_object_put(top);
		return -1;
	}
	if (!json_object_object_get_ex(top, "tests", &tests) ||
	    !json_object_is_type(tests, json_type_object)) {
		snprintf(err, len, "%s: no \"tests\" object", path);
		json_object_put(top);
		return -1;
	}
	r->configs = grow(r->configs, r->nconfigs, sizeof(*r->configs));
	c = &r->configs[r->nconfigs];
	memset(c, 0, sizeof(*c));
	snprintf(c->dir, sizeof(c->dir), "%s", dir);
	uname_release(str(top, "uname"), c->kernel, sizeof(c->kernel));
	lane_config(c);
	snprintf(c->label, sizeof(c->label), "%s%s%s%s%s%s%s", c->kernel,
		 c->gpu[0] ? " " : "", c->gpu,
		 c->iommu[0] ? " iommu=" : "", c->iommu,
		 c->fbdev[0] ? " fbdev=" : "", c->fbdev);
	/* the same configuration twice (two runs of one day): tell them apart */
	for (int i = 0; i < r->nconfigs; i++)
		if (!strcmp(r->configs[i].label, c->label))
			snprintf(c->label + strlen(c->label),
				 sizeof(c->label) - strlen(c->label), " #%d",
				 r->nconfigs + 1);
	add_rows(r, r->nconfigs, tests);
	r->nconfigs++;
	json_object_put(top);
	return 0;
}

bool hr_result_bad(const char *result)
{
	static const char *const bad[] = {
		"fail", "dmesg-fail", "incomplete", "crash", "abort", "timeout",
		"dmesg-warn", "warn",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		if (!strcmp(result, bad[i]))
			return true;
	return false;
}

int hr_find_row(const struct hr_report *r, const char *name, int c)
{
	for (int i = 0; i < r->nrows; i++)
		if (r->rows[i].config == c && !strcmp(r->rows[i].name, name))
			return i;
	return -1;
}

/* Groups every row's signatures into findings, in first-seen order. */
void hr_group(struct hr_report *r)
{
	for (int i = 0; i < r->nrows; i++) {
		struct hr_row *row = &r->rows[i];
		struct hr_sig s[HR_MAX_SIGS];
		bool flagged = !strncmp(row->result, "dmesg-", 6);
		int n = hr_signatures(row->dmesg, row->err, flagged, s, HR_MAX_SIGS);

		for (int k = 0; k < n; k++) {
			struct hr_finding *f = NULL;
			int j;

			for (j = 0; j < r->nfindings; j++)
				if (!strcmp(r->findings[j].sig, s[k].sig))
					break;
			if (j == r->nfindings) {
				r->findings = grow(r->findings, r->nfindings,
						   sizeof(*r->findings));
				f = &r->findings[r->nfindings++];
				memset(f, 0, sizeof(*f));
				snprintf(f->sig, sizeof(f->sig), "%s", s[k].sig);
				snprintf(f->kind, sizeof(f->kind), "%s", s[k].kind);
				f->repr = -1;
			}
			f = &r->findings[j];
			f->rows = grow(f->rows, f->nrows, sizeof(*f->rows));
			f->rows[f->nrows++] = i;
			row->finding[row->nfindings++] = j;
			/* the cheapest configuration, then the shortest splat */
			if (f->repr < 0 ||
			    r->configs[row->config].rank <
			    r->configs[r->rows[f->repr].config].rank ||
			    (r->configs[row->config].rank ==
			     r->configs[r->rows[f->repr].config].rank &&
			     s[k].len < strlen(f->splat))) {
				free(f->splat);
				f->splat = strndup(s[k].from, s[k].len);
				f->repr = i;
				snprintf(f->taint, sizeof(f->taint), "%s", s[k].taint);
			}
		}
	}
}

/* A shell word: single-quoted unless plain. */
static void quote(char *buf, size_t len, const char *w)
{
	size_t o = strlen(buf);

	if (w[strspn(w, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		      "0123456789@_+-=./:,")] == '\0') {
		snprintf(buf + o, len - o, " %s", w);
		return;
	}
	snprintf(buf + o, len - o, " '");
	for (; *w && strlen(buf) + 5 < len; w++) {
		o = strlen(buf);
		if (*w == '\'')
			snprintf(buf + o, len - o, "'\\''");
		else
			snprintf(buf + o, len - o, "%c", *w);
	}
	o = strlen(buf);
	snprintf(buf + o, len - o, "'");
}

void hr_reproducer(const struct hr_report *r, int i, char *buf, size_t len)
{
	const struct hr_row *row = &r->rows[i];
	const struct hr_config *c = &r->configs[row->config];
	char re[600], gpu[64], *g, *save;

	snprintf(re, sizeof(re), "^%s$", row->name);
	if (!c->lane) {
		/* a lab machine: the test binary itself, that subtest */
		char bin[256], sub[256], dyn[256] = "";

		if (sscanf(row->name, "igt@%255[^@]@%255[^@]@%255s", bin, sub, dyn) < 2) {
			snprintf(buf, len, "igt_runner -t '%s' TESTDIR OUTDIR", re);
			return;
		}
		snprintf(buf, len, "%s --run-subtest %s", bin, sub);
		if (dyn[0])
			snprintf(buf + strlen(buf), len - strlen(buf),
				 " --dynamic-subtest %s", dyn);
		return;
	}
	snprintf(buf, len, "build/runner/hotunplug-vm --kernel");
	/* no vm/config.json: the suite that ships this release is for the user */
	quote(buf, len, c->suite[0] ? c->suite : "SUITE");
	snprintf(gpu, sizeof(gpu), "%s", c->gpu);
	for (g = strtok_r(gpu, "+", &save); g; g = strtok_r(NULL, "+", &save))
		snprintf(buf + strlen(buf), len - strlen(buf), " --gpu %s", g);
	if (c->iommu[0] && strcmp(c->iommu, "none"))
		snprintf(buf + strlen(buf), len - strlen(buf), " --iommu %s", c->iommu);
	if (c->append[0]) {
		snprintf(buf + strlen(buf), len - strlen(buf), " --append");
		quote(buf, len, c->append);
	}
	snprintf(buf + strlen(buf), len - strlen(buf), " --tests");
	quote(buf, len, re);
	snprintf(buf + strlen(buf), len - strlen(buf),
		 " --results /tmp/hu-repro --overwrite");
	if (!c->suite[0])
		snprintf(buf + strlen(buf), len - strlen(buf),
			 "  # SUITE: the Debian suite of %s", c->kernel);
}

void hr_free(struct hr_report *r)
{
	for (int i = 0; i < r->nrows; i++) {
		free(r->rows[i].name);
		free(r->rows[i].out);
		free(r->rows[i].err);
		free(r->rows[i].dmesg);
	}
	for (int i = 0; i < r->nfindings; i++) {
		free(r->findings[i].rows);
		free(r->findings[i].splat);
	}
	free(r->rows);
	free(r->findings);
	free(r->configs);
	memset(r, 0, sizeof(*r));
}
