// SPDX-License-Identifier: MIT
/*
 * The igt results directory on the host: verdicts from results.json for the
 * summary, and the console splat of a crashed guest attached to the job
 * that was running, so that igt_resume's results carry it.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <json-c/json.h>

#include "vm.h"

/*
 * 0 and the verdicts of DIR/results.json (json-c, as igt_runner writes it),
 * -1 if there is none or it does not parse.
 */
int vm_results_read(const char *dir, struct vm_result **res, int *n)
{
	struct json_object *top, *tests, *time, *end, *v;
	struct vm_result *r;
	char path[4200];
	int i = 0;

	vm_fmt(path, sizeof(path), "%s/results.json", dir);
	top = json_object_from_file(path);
	if (!top)
		return -1;
	if (!json_object_object_get_ex(top, "tests", &tests) ||
	    !json_object_is_type(tests, json_type_object)) {
		json_object_put(top);
		return -1;
	}
	r = calloc(json_object_object_length(tests) + 1, sizeof(*r));
	if (!r)
		vm_die("out of memory");
	json_object_object_foreach(tests, name, t) {
		snprintf(r[i].name, sizeof(r[i].name), "%s", name);
		if (json_object_object_get_ex(t, "result", &v))
			snprintf(r[i].result, sizeof(r[i].result), "%s",
				 json_object_get_string(v));
		/* a verdict line may come before the crash: see triage.c */
		if (json_object_object_get_ex(t, "dmesg", &v) &&
		    strstr(json_object_get_string(v) ?: "", VM_GUEST_DIED_MARK))
			r[i].guest_died = true;
		if (json_object_object_get_ex(t, "time", &time) &&
		    json_object_object_get_ex(time, "end", &end))
			r[i].time = json_object_get_double(end);
		i++;
	}
	json_object_put(top);
	*res = r;
	*n = i;
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
void vm_results_prepare(const char *dir, bool overwrite, bool resume,
			char *results, size_t len)
{
	char path[PATH_MAX + 32];
	struct statvfs sv;
	DIR *d;
	struct dirent *de;
	bool empty = true;

	if (len < PATH_MAX)
		vm_die("vm_results_prepare: buffer under PATH_MAX");
	if (vm_mkdir_p(dir) || !realpath(dir, results))
		vm_die("--results %s: %s", dir, strerror(errno));
	if (access(results, W_OK))
		vm_die("--results %s: not writable", results);
	/* a full disk would lose the results in the middle of the run */
	if (!statvfs(results, &sv) &&
	    (double)sv.f_bavail * sv.f_frsize < VM_MIN_FREE_MB * 1048576.0)
		vm_die("--results %s: %.1f MB free, a run needs %d MB", results,
		       (double)sv.f_bavail * sv.f_frsize / 1048576.0, VM_MIN_FREE_MB);
	if (resume) {
		vm_fmt(path, sizeof(path), "%s/metadata.txt", results);
		if (access(path, F_OK))
			vm_die("--resume: %s holds no igt_runner run (no metadata.txt)",
			       results);
		return;
	}
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

/*
 * vm/config.json: what this run was (kernel, GPUs, IOMMU, fbdev, the guest
 * command line), for hotunplug-report's configurations and reproducers.
 * fbdev is false only when the command line turns the emulation off.
 */
int vm_results_write_config(const char *results, const struct vm_opts *o,
			    const struct vm_kernel *k, const char *cmdline)
{
	static const char *const iommu[] = { "none", "intel", "virtio" };
	struct json_object *c = json_object_new_object(), *gpus;
	char path[4200];
	int ret;

	json_object_object_add(c, "kernel", json_object_new_string(o->kernel));
	json_object_object_add(c, "kernel_version", json_object_new_string(k->version));
	gpus = json_object_new_array();
	for (int i = 0; i < o->ngpus; i++)
		json_object_array_add(gpus, json_object_new_string(o->gpus[i].kind->name));
	json_object_object_add(c, "gpus", gpus);
	json_object_object_add(c, "iommu", json_object_new_string(iommu[o->iommu]));
	json_object_object_add(c, "fbdev", json_object_new_boolean(
		!strstr(cmdline, "fbdev_emulation=0")));
	json_object_object_add(c, "append", json_object_new_string(
		o->append ? o->append : ""));
	json_object_object_add(c, "guest_cmdline", json_object_new_string(cmdline));
	json_object_object_add(c, "multiple", json_object_new_boolean(o->multiple));
	vm_fmt(path, sizeof(path), "%s/vm", results);
	vm_mkdir_p(path);
	vm_fmt(path, sizeof(path), "%s/vm/config.json", results);
	ret = json_object_to_file_ext(path, c, JSON_C_TO_STRING_PRETTY);
	json_object_put(c);
	return ret;
}

/*
 * hotunplug-report over @results into @results/report: 0 and the path of
 * report.html in @html, -1 if the report program is missing or failed.
 */
int vm_results_report(const char *results, const char *build, char *html,
		      size_t len)
{
	char prog[4200], out[4200], msg[2048];
	char *argv[] = { prog, "-o", out, (char *)results, NULL };

	vm_fmt(prog, sizeof(prog), "%s/report/hotunplug-report", build);
	vm_fmt(out, sizeof(out), "%s/report", results);
	if (!vm_is_exe(prog)) {
		vm_msg("no report: %s is not built", prog);
		return -1;
	}
	if (vm_run(argv, msg, sizeof(msg), 300)) {
		vm_msg("hotunplug-report failed: %s", msg);
		return -1;
	}
	vm_fmt(html, len, "%s/report.html", out);
	return 0;
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

/*
 * --resume after Ctrl-C: a job directory with an empty journal never
 * started its test, and igt_resume would record it as notrun (measured);
 * without it, igt_resume runs that job.
 */
void vm_results_drop_unstarted(const char *results)
{
	char job[PATH_MAX + 32], path[PATH_MAX + 64];
	struct stat st;

	if (vm_results_last_job(results, job, sizeof(job)))
		return;
	vm_fmt(path, sizeof(path), "%s/journal.txt", job);
	if (stat(path, &st) || st.st_size)
		return;
	vm_msg("resume: %s never started its test (empty journal): it runs again", job);
	vm_rm_rf(job);
}

/*
 * The guest did not power off after igt_runner's end: a kernel finding.
 * The console (the guest's blocked-task dump) goes to
 * logdir/poweroff-hang.txt with the row igt_runner started last.
 */
void vm_results_poweroff_hang(const char *results, const char *logdir,
			      const struct vm_chan *con, const char *reason,
			      const struct vm_progress *prog)
{
	char path[PATH_MAX + 32];
	FILE *f;

	vm_fmt(path, sizeof(path), "%s/poweroff-hang.txt", logdir);
	f = fopen(path, "w");
	if (f) {
		fprintf(f, "%s; the last row started was %s, the last result %s\n",
			reason, prog->last_started, prog->last_row);
		vm_chan_tail(con, f, VM_TAIL_LINES);
		fclose(f);
	}
	printf("[vm] kernel finding: %s (the last row started: %s); the blocked "
	       "tasks are in %s/vm/poweroff-hang.txt\n", reason,
	       prog->last_started[0] ? prog->last_started : "none", results);
}
