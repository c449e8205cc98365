// SPDX-License-Identifier: MIT
/*
 * hotunplug-merge: N results directories of one sharded configuration
 * (hotunplug-vm --shard I/N) into one igt results directory, so that
 * igt_results readers and hotunplug-report see one run.
 *
 * Each shard directory holds results.json (igt_runner's) and vm/shard.txt
 * (hotunplug-vm's: "shard I/N", one "row NAME [blocked]" per row it was
 * given, "exit RC" when it ended). Nothing is dropped in silence: a shard
 * that is missing, has no results.json or ended with a lane failure is
 * named, and every row it should have run and did not is written into the
 * merged results.json as "notrun" with the reason in "err". Exit 0: every
 * shard there and every row has a result; 2: something is missing.
 */
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_SHARDS 1000

struct shard {
	const char *dir;
	int index, total, exit_rc;	/* exit_rc -1: the run never ended */
	char **rows;			/* rows it had to run (not blocked) */
	int nrows;
	struct json_object *results;	/* results.json, NULL if none */
	bool missing;			/* no vm/shard.txt: never ran */
};

static void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "hotunplug-merge: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n");
	exit(2);
}

/* vm/shard.txt of @s->dir; -1 if there is none */
static int read_shard_txt(struct shard *s)
{
	char path[4096], line[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/vm/shard.txt", s->dir);
	f = fopen(path, "r");
	if (!f)
		return -1;
	s->exit_rc = -1;
	while (fgets(line, sizeof(line), f)) {
		char name[512], flag[32] = "";
		int rc;

		line[strcspn(line, "\n")] = 0;
		if (sscanf(line, "shard %d/%d", &s->index, &s->total) == 2)
			continue;
		if (sscanf(line, "exit %d", &rc) == 1) {
			s->exit_rc = rc;
			continue;
		}
		if (sscanf(line, "row %511s %31s", name, flag) < 1 || !strcmp(flag, "blocked"))
			continue;
		s->rows = realloc(s->rows, (s->nrows + 1) * sizeof(*s->rows));
		if (!s->rows || !(s->rows[s->nrows++] = strdup(name)))
			die("%s", "out of memory");
	}
	fclose(f);
	return s->index >= 1 && s->index <= s->total ? 0 : -1;
}

static struct json_object *tests_of(struct json_object *results)
{
	struct json_object *t = NULL;

	if (results && json_object_object_get_ex(results, "tests", &t) &&
	    json_object_is_type(t, json_type_object))
		return t;
	return NULL;
}

/* a "notrun" entry in results.json's shape, saying why */
static struct json_object *notrun(const char *why)
{
	struct json_object *o = json_object_new_object(), *t = json_object_new_object();

	json_object_object_add(t, "__type__", json_object_new_string("TimeAttribute"));
	json_object_object_add(t, "start", json_object_new_double(0));
	json_object_object_add(t, "end", json_object_new_double(0));
	json_object_object_add(o, "out", json_object_new_string(""));
	json_object_object_add(o, "err", json_object_new_string(why));
	json_object_object_add(o, "dmesg", json_object_new_string(""));
	json_object_object_add(o, "result", json_object_new_string("notrun"));
	json_object_object_add(o, "time", t);
	return o;
}

/* totals[""], totals["root"] and totals["igt@bin"]: verdict counts */
static void count(struct json_object *totals, const char *key, const char *result)
{
	struct json_object *t, *n;

	if (!json_object_object_get_ex(totals, key, &t)) {
		static const char *const all[] = {
			"pass", "fail", "skip", "warn", "crash", "timeout", "notrun",
			"incomplete", "abort", "dmesg-warn", "dmesg-fail",
		};

		t = json_object_new_object();
		for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
			json_object_object_add(t, all[i], json_object_new_int(0));
		json_object_object_add(totals, key, t);
	}
	if (!json_object_object_get_ex(t, result, &n)) {
		n = json_object_new_int(0);
		json_object_object_add(t, result, n);
	}
	json_object_set_int(n, json_object_get_int(n) + 1);
}

static struct json_object *totals_of(struct json_object *tests)
{
	struct json_object *totals = json_object_new_object(), *r;

	json_object_object_foreach(tests, name, test) {
		char bin[512];
		const char *result = "notrun";

		if (json_object_object_get_ex(test, "result", &r))
			result = json_object_get_string(r);
		snprintf(bin, sizeof(bin), "%s", name);
		if (strchr(bin + 4, '@'))
			*strchr(bin + 4, '@') = 0;
		count(totals, "", result);
		count(totals, "root", result);
		count(totals, bin, result);
	}
	return totals;
}

/* a number member, 0 if there is none (igt writes doubles, jq integers) */
static double num(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_double(v) : 0;
}

/* a TimeAttribute member ("time", "time_elapsed"), NULL if there is none */
static struct json_object *time_of(struct json_object *o, const char *key)
{
	struct json_object *t;

	return json_object_object_get_ex(o, key, &t) &&
	       json_object_is_type(t, json_type_object) ? t : NULL;
}

static void set_num(struct json_object *o, const char *key, double v)
{
	json_object_object_add(o, key, json_object_new_double(v));
}

/* time_elapsed: the earliest start and the latest end of the shards */
static void widen_time(struct json_object *into, struct json_object *from)
{
	struct json_object *a = time_of(into, "time_elapsed");
	struct json_object *b = time_of(from, "time_elapsed");

	if (!a || !b)
		return;
	if (num(b, "start") < num(a, "start"))
		set_num(a, "start", num(b, "start"));
	if (num(b, "end") > num(a, "end"))
		set_num(a, "end", num(b, "end"));
}

/*
 * A subtest whose dynamic subtests (NAME@...) are cut over several shards
 * has a result in each: igt_runner records the parent of the ones it ran.
 */
static bool is_parent(struct json_object *a, struct json_object *b,
		      const char *name)
{
	size_t len = strlen(name);

	json_object_object_foreach(a, ka, va)
		if (!strncmp(ka, name, len) && ka[len] == '@')
			return true;
	json_object_object_foreach(b, kb, vb)
		if (!strncmp(kb, name, len) && kb[len] == '@')
			return true;
	return false;
}

/* how bad a verdict is, for the parent of a split dynamic subtest */
static int severity(const char *r)
{
	static const char *const order[] = {
		"notrun", "skip", "pass", "warn", "dmesg-warn", "fail",
		"dmesg-fail", "timeout", "incomplete", "crash", "abort",
	};

	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (!strcmp(r, order[i]))
			return (int)i;
	return (int)(sizeof(order) / sizeof(order[0]));
}

static const char *member(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : "";
}

/*
 * The parent's results from two shards as the binary would give them in
 * one run: the worse verdict (a failed dynamic subtest fails the subtest,
 * one that passed beats skips), out, err and dmesg one after the other,
 * the times added.
 */
static void join_parent(struct json_object *have, struct json_object *more)
{
	static const char *const text[] = { "out", "err", "dmesg" };
	struct json_object *t1, *t2;

	if (severity(member(more, "result")) > severity(member(have, "result")))
		json_object_object_add(have, "result",
				       json_object_new_string(member(more, "result")));
	for (size_t i = 0; i < 3; i++) {
		char *both;

		if (asprintf(&both, "%s%s", member(have, text[i]),
			     member(more, text[i])) < 0)
			die("%s", "out of memory");
		json_object_object_add(have, text[i], json_object_new_string(both));
		free(both);
	}
	t1 = time_of(have, "time");
	t2 = time_of(more, "time");
	if (t1 && t2)
		set_num(t1, "end", num(t1, "end") + num(t2, "end") - num(t2, "start"));
}

/* runtimes: per binary, the shards' times added up */
static void add_runtimes(struct json_object *into, struct json_object *from)
{
	struct json_object *a, *b, *have, *t1, *t2;

	if (!json_object_object_get_ex(into, "runtimes", &a) ||
	    !json_object_object_get_ex(from, "runtimes", &b))
		return;
	json_object_object_foreach(b, bin, rt) {
		if (!json_object_object_get_ex(a, bin, &have)) {
			json_object_object_add(a, bin, json_object_get(rt));
			continue;
		}
		t1 = time_of(have, "time");
		t2 = time_of(rt, "time");
		if (t1 && t2)
			set_num(t1, "end", num(t1, "end") + num(t2, "end") -
				num(t2, "start"));
	}
}

static void usage(FILE *f)
{
	fprintf(f,
"Usage: hotunplug-merge [--shards N] --output DIR SHARD_DIR...\n"
"  Merges the results directories of hotunplug-vm --shard I/N runs of one\n"
"  configuration into DIR/results.json (igt_runner's format) and says which\n"
"  shard is missing or failed. --shards N: how many there must be (default:\n"
"  what the shards' vm/shard.txt say); with N directories, the i-th is shard\n"
"  i and may be absent. Exit 0 complete, 2 something missing or failed.\n");
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "shards", required_argument, NULL, 's' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct json_object *merged = NULL, *tests = json_object_new_object();
	struct shard *sh;
	const char *out = NULL;
	char path[4096], why[256];
	int total = 0, nsh, c, bad = 0, lost = 0, *seen;
	bool ordered;

	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 's':
			total = atoi(optarg);
			if (total < 1 || total > MAX_SHARDS)
				die("--shards %s: 1 to 1000", optarg);
			break;
		case 'o': out = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	nsh = argc - optind;
	if (!out || nsh < 1) {
		usage(stderr);
		return 2;
	}
	sh = calloc(nsh, sizeof(*sh));
	/* --shards N with N directories: the i-th is shard i, there or not */
	ordered = total && nsh == total;
	for (int i = 0; i < nsh; i++) {
		sh[i].dir = argv[optind + i];
		if (read_shard_txt(&sh[i])) {
			if (!ordered)
				die("%s: no vm/shard.txt (not a hotunplug-vm --shard "
				    "results directory)", sh[i].dir);
			sh[i].index = i + 1;
			sh[i].total = total;
			sh[i].exit_rc = -1;
			sh[i].missing = true;
			continue;
		}
		if (!total)
			total = sh[i].total;
		if (sh[i].total != total || (ordered && sh[i].index != i + 1)) {
			fprintf(stderr, "hotunplug-merge: %s is shard %d/%d, not %d/%d\n",
				sh[i].dir, sh[i].index, sh[i].total,
				ordered ? i + 1 : sh[i].index, total);
			return 2;
		}
		snprintf(path, sizeof(path), "%s/results.json", sh[i].dir);
		sh[i].results = json_object_from_file(path);
		if (sh[i].results && !tests_of(sh[i].results)) {
			fprintf(stderr, "hotunplug-merge: %s: no \"tests\" object\n", path);
			return 2;
		}
	}
	seen = calloc(total + 1, sizeof(*seen));
	for (int i = 0; i < nsh; i++) {
		struct shard *s = &sh[i];
		struct json_object *t = tests_of(s->results);
		int got = 0;
		bool empty;

		if (seen[s->index]++)
			die("shard %s given twice", s->dir);
		if (t) {
			json_object_object_foreach(t, name, test) {
				struct json_object *have;

				if (json_object_object_get_ex(tests, name, &have)) {
					if (!is_parent(tests, t, name)) {
						fprintf(stderr, "hotunplug-merge: %s in two shards\n",
							name);
						return 2;
					}
					join_parent(have, test);
					continue;
				}
				json_object_object_add(tests, name, json_object_get(test));
				got++;
			}
			if (!merged) {
				merged = json_object_get(s->results);
			} else {
				widen_time(merged, s->results);
				add_runtimes(merged, s->results);
			}
		}
		empty = !t && !s->nrows && !s->exit_rc;
		printf("[merge] shard %d/%d %s: %d rows, %d results, %s\n",
		       s->index, total, s->dir, s->nrows, got,
		       s->missing ? "MISSING (no vm/shard.txt: it never ran)" :
		       empty ? "empty (no rows to run)" :
		       !t ? "FAILED: no results.json" :
		       s->exit_rc < 0 ? "FAILED: the run did not end" :
		       s->exit_rc == 2 ? "FAILED: the lane failed (exit 2)" :
		       s->exit_rc == 1 ? "ended (exit 1: failures or rows without result)" :
		       "ended (exit 0)");
		bad += !empty && (!t || s->exit_rc < 0 || s->exit_rc == 2);
		snprintf(why, sizeof(why), "hotunplug-merge: no result from shard %d/%d (%s)",
			 s->index, total, s->dir);
		for (int r = 0; r < s->nrows; r++) {
			if (json_object_object_get_ex(tests, s->rows[r], NULL))
				continue;
			json_object_object_add(tests, s->rows[r], notrun(why));
			lost++;
		}
	}
	for (int i = 1; i <= total; i++) {
		if (seen[i])
			continue;
		printf("[merge] shard %d/%d: MISSING (no results directory given)\n", i, total);
		bad++;
	}
	if (!merged) {
		fprintf(stderr, "hotunplug-merge: no shard has a results.json\n");
		return 2;
	}
	json_object_object_add(merged, "tests", tests);
	json_object_object_add(merged, "totals", totals_of(tests));
	if (mkdir(out, 0755) && errno != EEXIST)
		die("cannot create %s", out);
	snprintf(path, sizeof(path), "%s/results.json", out);
	if (json_object_to_file_ext(path, merged, JSON_C_TO_STRING_PRETTY |
				    JSON_C_TO_STRING_NOSLASHESCAPE))
		die("cannot write %s", path);
	printf("[merge] %d of %d shards complete, %d tests, %d rows without a result; "
	       "results: %s\n", total - bad, total, json_object_object_length(tests),
	       lost, path);
	return bad || lost ? 2 : 0;
}
