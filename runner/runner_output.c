// SPDX-License-Identifier: MIT
/*
 * igt_runner's verbose output (-l verbose, on the guest's ttyS1) turned
 * into the lane's live verdict lines, with igt_runner's dmesg rule applied
 * to each result the way igt_runner applies it for results.json.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm.h"

#define PENDING_S	2.0

static const char *verdict(const char *word)
{
	static const char *const map[][2] = {
		{ "SUCCESS", "pass" }, { "SKIP", "skip" }, { "FAIL", "fail" },
		{ "CRASH", "crash" }, { "TIMEOUT", "timeout" }, { "WARN", "warn" },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(word, map[i][0]))
			return map[i][1];
	return "incomplete";
}

void vm_progress_print(struct vm_progress *p, const char *name,
		       const char *result, double secs, const char *note)
{
	bool bad = vm_result_is_bad(result);

	p->ntests++;
	p->nbad += bad;
	p->last_result = vm_now();
	snprintf(p->last_row, sizeof(p->last_row), "%s", name);
	printf("[%4d, job %-7s] %-58s %-10s %7.2f s%s%s\n", p->ntests, p->job,
	       name, result, secs, note ? "  " : "", note ? note : "");
	fflush(stdout);
}

/*
 * igt_runner's dmesg rule: first record at level <= 4 (its default
 * --dmesg-warn-level) in dmesg.txt @text logged while subtest @sub (and
 * dynamic subtest @dyn, if set) ran, after its "[IGT] bin: starting
 * (dynamic) subtest" record. Copies its message to @first; false: none.
 */
bool vm_dmesg_warns(const char *text, const char *sub, const char *dyn,
		    char *first, size_t len)
{
	char cur_sub[256] = "", cur_dyn[256] = "";
	const char *l = text;

	for (; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		const char *msg = strchr(l, ';'), *eol = strchr(l, '\n');
		const char *m;
		int prio, n;

		if (!msg || (eol && msg > eol) || sscanf(l, "%d,", &prio) != 1)
			continue;	/* a continuation line or garbage */
		msg++;
		n = eol ? (int)(eol - msg) : (int)strlen(msg);
		if (!strncmp(msg, "[IGT] ", 6) && (m = strstr(msg, ": starting ")) &&
		    m < msg + n) {
			const char *d = strstr(m, "dynamic subtest ");
			const char *t = strstr(m, "subtest ");

			if (d == m + 11 && d < msg + n)
				snprintf(cur_dyn, sizeof(cur_dyn), "%.*s",
					 (int)(msg + n - d - 16), d + 16);
			else if (t == m + 11 && t < msg + n) {
				snprintf(cur_sub, sizeof(cur_sub), "%.*s",
					 (int)(msg + n - t - 8), t + 8);
				cur_dyn[0] = 0;
			}
			continue;
		}
		if ((prio & 7) > 4 || strcmp(cur_sub, sub) ||
		    (dyn[0] && strcmp(cur_dyn, dyn)))
			continue;
		snprintf(first, len, "%.*s", n, msg);
		return true;
	}
	return false;
}

/*
 * A job's results are printed when the job is over (the next job starts,
 * the run ends), or PENDING_S after they came (with -m a job is a whole
 * binary): by then its dmesg.txt has their kernel messages. igt_runner
 * turns pass/warn into dmesg-warn and fail into dmesg-fail when the
 * test's share of it has a record at level 4 or more serious. The live
 * line applies that rule; igt_runner's own verdict (results.json, the
 * summary table) also filters a few benign messages.
 */
void vm_progress_flush(struct vm_progress *p)
{
	char path[4200], first[100];
	char *text = NULL;

	if (!p->npend)
		return;
	if (p->pend_job >= 0) {
		vm_fmt(path, sizeof(path), "%s/%d/dmesg.txt", p->results, p->pend_job);
		text = vm_read_file(path, 8 << 20, NULL);
	}
	for (int i = 0; i < p->npend; i++) {
		struct vm_pending *t = &p->pend[i];
		const char *r = t->result;
		bool warn = text && t->sub[0] &&
			    vm_dmesg_warns(text, t->sub, t->dyn, first, sizeof(first));

		if (warn && (!strcmp(r, "pass") || !strcmp(r, "warn")))
			r = "dmesg-warn";
		else if (warn && !strcmp(r, "fail"))
			r = "dmesg-fail";
		vm_progress_print(p, t->name, r, t->secs, r != t->result ? first : NULL);
	}
	free(text);
	p->npend = 0;
}

/* Flushes results that waited PENDING_S for their job's dmesg.txt. */
void vm_progress_tick(struct vm_progress *p, double now)
{
	if (p->npend && now - p->pend[0].at > PENDING_S)
		vm_progress_flush(p);
}

static void add_pending(struct vm_progress *p, const char *name,
			const char *result, double secs)
{
	struct vm_pending *t;

	if (p->npend == VM_MAX_PENDING)
		vm_progress_flush(p);
	t = &p->pend[p->npend++];
	snprintf(t->name, sizeof(t->name), "%s", name);
	snprintf(t->sub, sizeof(t->sub), "%s", p->sub);
	snprintf(t->dyn, sizeof(t->dyn), "%s", p->dyn);
	snprintf(t->result, sizeof(t->result), "%s", result);
	t->secs = secs;
	t->at = vm_now();
}

/* "Test exited with IGT_EXIT_ABORT" or "Aborting" */
static void on_abort(struct vm_progress *p)
{
	char name[700];

	/* the test's verdict line came first: the lane reboots (nextboot.c) */
	if (p->next_boot && !p->sub[0]) {
		vm_progress_flush(p);
		printf("[vm] igt_runner stopped: the VM host brings a GPU back "
		       "at the next boot\n");
		return;
	}
	/*
	 * igt_runner marks the subtest that was running "abort" and reports
	 * the stop itself as igt@runner@aborted: fail
	 */
	if (p->sub[0]) {
		snprintf(name, sizeof(name), "igt@%s@%s%s%s", p->bin, p->sub,
			 p->dyn[0] ? "@" : "", p->dyn);
		add_pending(p, name, "abort", 0);
		p->sub[0] = p->dyn[0] = 0;
	}
	if (!p->aborted) {
		p->sub[0] = 0;
		add_pending(p, "igt@runner@aborted", "fail", 0);
		p->aborted = true;
	}
	vm_progress_flush(p);
}

/* "Subtest x: RESULT (t)" or "Dynamic subtest x: RESULT (t)" */
static void on_result(struct vm_progress *p, const char *l)
{
	bool dyn = l[0] == 'D';
	const char *n = l + (dyn ? 16 : 8);
	const char *colon = strstr(n, ": ");
	char word[32], name[700];
	double secs = 0;

	if (!colon || sscanf(colon + 2, "%31s (%lfs)", word, &secs) < 1)
		return;
	if (dyn)
		snprintf(name, sizeof(name), "igt@%s@%s@%.*s", p->bin, p->sub,
			 (int)(colon - n), n);
	else
		snprintf(name, sizeof(name), "igt@%s@%.*s", p->bin,
			 (int)(colon - n), n);
	add_pending(p, name, verdict(word), secs);
	if (!dyn)
		p->sub[0] = 0;
	else
		p->dyn[0] = 0;
}

/*
 * igt_runner -l verbose: "[ts] [n/N] bin (subs)", "Starting subtest: x",
 * "[ts] Subtest x: RESULT (t)", "Test exited with IGT_EXIT_ABORT".
 * A vm_line_cb; @data is the struct vm_progress.
 */
void vm_progress_line(void *data, const char *line)
{
	struct vm_progress *p = data;
	const char *l = line;

	if (p->verbose)
		printf("  | %s\n", line);
	if (l[0] == '[' && strchr(l, ']') && l[1] != ' ')
		l = strchr(l, ']') + 1;
	while (*l == ' ')
		l++;
	if (l[0] == '[' && strchr(l, '/')) {
		const char *b = strchr(l, ']');

		vm_progress_flush(p);
		if (b && sscanf(b + 1, " %127s", p->bin) == 1) {
			p->sub[0] = p->dyn[0] = 0;
			snprintf(p->job, sizeof(p->job), "%.*s", (int)(b - l - 1), l + 1);
			p->pend_job = atoi(p->job) - 1;
		}
		return;
	}
	if (!strncmp(l, "Test exited with IGT_EXIT_ABORT", 31) ||
	    !strncmp(l, "Aborting", 8)) {
		on_abort(p);
	} else if (!strncmp(l, "Starting subtest: ", 18)) {
		snprintf(p->sub, sizeof(p->sub), "%s", l + 18);
		p->dyn[0] = 0;
		vm_fmt(p->last_started, sizeof(p->last_started), "igt@%s@%s",
		       p->bin, p->sub);
		if (!p->first_subtest)
			p->first_subtest = vm_now();
	} else if (!strncmp(l, "Starting dynamic subtest: ", 26)) {
		snprintf(p->dyn, sizeof(p->dyn), "%s", l + 26);
		vm_fmt(p->last_started, sizeof(p->last_started), "igt@%s@%s@%s",
		       p->bin, p->sub, p->dyn);
	} else if (!strncmp(l, "Subtest ", 8) || !strncmp(l, "Dynamic subtest ", 16)) {
		on_result(p, l);
	}
}
