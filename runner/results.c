// SPDX-License-Identifier: MIT
/*
 * The igt results directory on the host: verdicts from results.json for the
 * summary, and the console splat of a crashed guest attached to the job
 * that was running, so that igt_resume's results carry it.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vm.h"

/* --- a small JSON walker: enough for results.json ---------------------- */

static const char *ws(const char *p)
{
	while (*p && isspace((unsigned char)*p))
		p++;
	return p;
}

/* string at p (at '"'): copy up to len (unescaped loosely); returns after */
static const char *str(const char *p, char *out, size_t len)
{
	size_t n = 0;

	if (*p != '"')
		return NULL;
	for (p++; *p && *p != '"'; p++) {
		if (*p == '\\' && p[1])
			p++;
		if (out && n + 1 < len)
			out[n++] = *p;
	}
	if (out && len)
		out[n] = 0;
	return *p ? p + 1 : NULL;
}

static const char *skip(const char *p, int depth)
{
	p = ws(p);
	if (depth > 64 || !*p)
		return NULL;
	if (*p == '"')
		return str(p, NULL, 0);
	if (*p == '{' || *p == '[') {
		char close = *p == '{' ? '}' : ']';

		p = ws(p + 1);
		while (p && *p != close) {
			if (close == '}') {
				p = str(ws(p), NULL, 0);
				if (!p || *(p = ws(p)) != ':')
					return NULL;
				p++;
			}
			p = skip(p, depth + 1);
			if (!p)
				return NULL;
			p = ws(p);
			if (*p == ',')
				p = ws(p + 1);
		}
		return p ? p + 1 : NULL;
	}
	while (*p && !strchr(",}] \t\r\n", *p))
		p++;
	return p;
}

/* Iterates an object at p: cb(key, value-start) for each member. */
typedef void (*member_cb)(void *data, const char *key, const char *val);
static const char *members(const char *p, member_cb cb, void *data)
{
	char key[512];

	p = ws(p);
	if (*p != '{')
		return NULL;
	p = ws(p + 1);
	while (p && *p && *p != '}') {
		p = str(p, key, sizeof(key));
		if (!p || *(p = ws(p)) != ':')
			return NULL;
		p = ws(p + 1);
		cb(data, key, p);
		p = skip(p, 0);
		if (!p)
			return NULL;
		p = ws(p);
		if (*p == ',')
			p = ws(p + 1);
	}
	return p && *p ? p + 1 : NULL;
}

struct collect {
	struct vm_result *res;
	int n, cap;
	const char **tests;
};

static void time_member(void *data, const char *key, const char *val)
{
	if (!strcmp(key, "end"))
		((struct vm_result *)data)->time = strtod(val, NULL);
}

static void test_member(void *data, const char *key, const char *val)
{
	struct vm_result *r = data;

	if (!strcmp(key, "result"))
		str(val, r->result, sizeof(r->result));
	else if (!strcmp(key, "time"))
		members(val, time_member, r);
}

static void tests_member(void *data, const char *key, const char *val)
{
	struct collect *c = data;
	struct vm_result *r;

	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 64;
		c->res = realloc(c->res, c->cap * sizeof(*c->res));
		if (!c->res)
			vm_die("out of memory");
	}
	r = &c->res[c->n++];
	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", key);
	members(val, test_member, r);
}

static void top_member(void *data, const char *key, const char *val)
{
	if (!strcmp(key, "tests"))
		members(val, tests_member, data);
}

/* 0 and the verdicts of DIR/results.json, -1 if there is none */
int vm_results_read(const char *dir, struct vm_result **res, int *n)
{
	struct collect c = { 0 };
	char path[4200];
	char *json;

	vm_fmt(path, sizeof(path), "%s/results.json", dir);
	json = vm_read_file(path, 256 << 20, NULL);
	if (!json)
		return -1;
	if (!members(json, top_member, &c)) {
		free(json);
		free(c.res);
		return -1;
	}
	free(json);
	*res = c.res;
	*n = c.n;
	return 0;
}

bool vm_result_is_bad(const char *r)
{
	static const char *const bad[] = {
		"fail", "dmesg-fail", "incomplete", "crash", "abort", "timeout",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (!strcmp(r, bad[i]))
			return true;
	return false;
}

/* --- the directory ------------------------------------------------------ */

/*
 * Creates the results directory @dir and puts its real path in @results;
 * dies if it holds something, unless @overwrite and it holds results (or
 * our logs): then it is emptied.
 */
void vm_results_prepare(const char *dir, bool overwrite, char *results,
			size_t len)
{
	char path[PATH_MAX + 32];
	DIR *d;
	struct dirent *de;
	bool empty = true;

	if (len < PATH_MAX)
		vm_die("vm_results_prepare: buffer under PATH_MAX");
	if (vm_mkdir_p(dir) || !realpath(dir, results))
		vm_die("--results %s: %s", dir, strerror(errno));
	d = opendir(results);
	while (d && (de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			empty = false;
	if (d)
		closedir(d);
	if (empty)
		return;
	if (!overwrite)
		vm_die("%s is not empty (use --overwrite)", results);
	/* never empty a directory that is not a results directory */
	vm_fmt(path, sizeof(path), "%s/metadata.txt", results);
	if (access(path, F_OK)) {
		vm_fmt(path, sizeof(path), "%s/vm", results);
		if (access(path, F_OK))
			vm_die("%s does not look like a results directory "
			       "(no metadata.txt, no vm/): not emptying it", results);
	}
	d = opendir(results);
	while (d && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		vm_fmt(path, sizeof(path), "%s/%s", results, de->d_name);
		vm_rm_rf(path);
	}
	if (d)
		closedir(d);
}

/* The run's logs (console, runner, QMP, QEMU) into @results/vm/. */
void vm_results_copy_logs(const char *results, const char *logdir)
{
	char dst[PATH_MAX + 16], src[PATH_MAX * 2], to[PATH_MAX * 2];
	struct dirent *de;
	DIR *d = opendir(logdir);

	vm_fmt(dst, sizeof(dst), "%s/vm", results);
	vm_mkdir_p(dst);
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		vm_fmt(src, sizeof(src), "%s/%s", logdir, de->d_name);
		vm_fmt(to, sizeof(to), "%s/%s", dst, de->d_name);
		vm_copy_file(src, to, 0644);
	}
	if (d)
		closedir(d);
}

/* --- crash attachment ---------------------------------------------------- */

/* The job directory igt_runner worked in last: the highest number. */
int vm_results_last_job(const char *dir, char *job, size_t len)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	long best = -1;

	if (!d)
		return -1;
	while ((de = readdir(d))) {
		char *end;
		long v = strtol(de->d_name, &end, 10);

		if (*de->d_name && !*end && v > best)
			best = v;
	}
	closedir(d);
	if (best < 0)
		return -1;
	vm_fmt(job, len, "%s/%ld", dir, best);
	return 0;
}

/*
 * The console tail goes next to the job's files (console-tail.txt) and into
 * its dmesg.txt as kmsg records ("prio,seq,usec,flags;text"): the kernel's
 * last words never reach /dev/kmsg readers after a panic, and this way
 * igt_resume puts them into the incomplete test's "dmesg" in results.json.
 */
int vm_results_attach(const char *job, const struct vm_chan *con,
		      const char *reason)
{
	char path[4200];
	unsigned int n = con->ntail < VM_TAIL_LINES ? con->ntail : VM_TAIL_LINES;
	unsigned long long usec = 0;
	unsigned int seq = 1000000;
	FILE *f;

	vm_fmt(path, sizeof(path), "%s/console-tail.txt", job);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fprintf(f, "hotunplug-vm: %s; last %u console lines:\n", reason, n);
	vm_chan_tail(con, f, VM_TAIL_LINES);
	fclose(f);

	vm_fmt(path, sizeof(path), "%s/dmesg.txt", job);
	f = fopen(path, "a");
	if (!f)
		return -1;
	fprintf(f, "2,%u,%llu,-;hotunplug-vm: %s, console tail follows\n",
		seq++, usec, reason);
	for (unsigned int i = con->ntail - n; i < con->ntail; i++) {
		const char *l = con->tail[i % VM_TAIL_LINES];
		double ts;

		/* "[   12.345678] text": keep the kernel's time */
		if (sscanf(l, "[ %lf]", &ts) == 1 && strchr(l, ']')) {
			usec = (unsigned long long)(ts * 1e6);
			l = strchr(l, ']') + 1;
			if (*l == ' ')
				l++;
		}
		if (!*l)
			continue;
		fprintf(f, "2,%u,%llu,-;%s\n", seq++, usec, l);
	}
	fclose(f);
	return 0;
}
