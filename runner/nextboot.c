// SPDX-License-Identifier: MIT
/*
 * Planned reboots: a GPU the VM host can remove but not hot-add (cirrus-vga,
 * behind its own pcie-pci-bridge, vmhost.c) comes back only with the next
 * boot. The test that removed it prints its verdict, then exits 112 with
 * "HU-NEXT-BOOT: ..." on stderr (lib/hu_trigger_external.c); igt_runner
 * stops the run as it does for any abort. The lane then boots again and
 * goes on with igt_resume, as Intel's CI reboots after an abort.
 *
 * igt_runner 2.5 (Debian sid; measured with ci/sid-chroot.sh) records the
 * row as "abort" whatever its "Subtest x: RESULT" line said (igt-gpu-tools
 * runner/resultgen.c, fill_from_journal(): exit 112 overrides the last
 * subtest's result; read at commit 2c9202bdbe7a of a mirror) and
 * adds igt@runner@aborted from aborted.txt. For a planned reboot the lane
 * gives the row its own verdict back the IGT way: the job's journal gets
 * the exit code the binary has for that verdict instead of 112, aborted.txt
 * moves to vm/, and igt_resume's resultgen writes results.json again
 * (measured: the row is then "pass", igt@runner@aborted is gone, also when
 * the row was the last one). The original lines are kept in
 * vm/planned-aborts.txt. Any other abort stays an abort.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vm.h"

#define NEXT_BOOT_MARK	"HU-NEXT-BOOT: "

/* The exit code lib/hu_core.c's hu_exit() gives a one-subtest run. */
static int own_exit_code(const char *word)
{
	if (!strcmp(word, "SUCCESS"))
		return 0;
	if (!strcmp(word, "SKIP"))
		return 77;
	return 98;
}

/**
 * vm_journal_unabort() - a journal.txt with the row's own exit code.
 * @journal: the job's journal.txt ("subtest" lines, "exit:112 (t)")
 * @out: the job's out.txt (the "Subtest x: RESULT (t)" lines)
 * @err: the job's err.txt (the test's "HU-NEXT-BOOT: reason" line)
 * @u: what was found; u->journal is malloc'd
 *
 * Planned: the journal ends in exit 112, err.txt names the next boot, and
 * out.txt holds the verdict of the journal's last subtest. Returns 0 and
 * fills @u then, else -1.
 */
int vm_journal_unabort(const char *journal, const char *out, const char *err,
		       struct vm_unabort *u)
{
	const char *exitl = strstr(journal, "exit:112"), *mark, *l, *last = NULL;
	char want[320];

	memset(u, 0, sizeof(*u));
	if (!exitl || (exitl != journal && exitl[-1] != '\n') ||
	    !(mark = strstr(err, NEXT_BOOT_MARK)))
		return -1;
	/* the last subtest the journal names before the exit line */
	for (l = journal; l < exitl; l = strchr(l, '\n') + 1) {
		if (strncmp(l, "timeout:", 8))
			last = l;
		if (!strchr(l, '\n'))
			break;
	}
	if (!last || sscanf(last, "%299[^\n]", u->row) != 1)
		return -1;
	snprintf(want, sizeof(want), "Subtest %s: ", u->row);
	for (l = out; (l = strstr(l, want)); l++)
		if ((l == out || l[-1] == '\n') &&
		    sscanf(l + strlen(want), "%31s", u->verdict) == 1)
			break;
	if (!l)
		return -1;
	mark += strlen(NEXT_BOOT_MARK);
	snprintf(u->why, sizeof(u->why), "%.*s", (int)strcspn(mark, "\n"), mark);
	u->code = own_exit_code(u->verdict);
	if (asprintf(&u->journal, "%.*sexit:%d%s", (int)(exitl - journal),
		     journal, u->code, exitl + 8) < 0) {
		u->journal = NULL;
		return -1;
	}
	return 0;
}

/* @dir/@job/@name, read (empty if missing); free() it. */
static char *job_file(const char *dir, const char *job, const char *name)
{
	char path[4200];
	char *text;

	vm_fmt(path, sizeof(path), "%s/%s/%s", dir, job, name);
	text = vm_read_file(path, 16 << 20, NULL);
	return text ? text : strdup("");
}

/* The planned abort among the job directories of @results: 0, or -1. */
static int find_planned(const char *results, struct vm_unabort *u,
			char *job, size_t len)
{
	struct dirent *de;
	int ret = -1;
	DIR *d = opendir(results);

	while (d && ret && (de = readdir(d))) {
		char *j, *o, *e;

		if (strspn(de->d_name, "0123456789") != strlen(de->d_name))
			continue;
		j = job_file(results, de->d_name, "journal.txt");
		o = job_file(results, de->d_name, "out.txt");
		e = job_file(results, de->d_name, "err.txt");
		ret = vm_journal_unabort(j, o, e, u);
		snprintf(job, len, "%s", de->d_name);
		free(j);
		free(o);
		free(e);
	}
	if (d)
		closedir(d);
	return ret;
}

/**
 * vm_planned_abort() - turns a planned abort of the run in @results into a
 * reboot: the aborted row keeps its verdict, igt@runner@aborted goes.
 * @results: the results directory
 * @boot: the boot that ended, for the file names
 * @why: the test's reason
 *
 * Only called when the VM host promised a GPU back at the next boot.
 * Returns true if igt_runner stopped for that (go on with igt_resume).
 */
bool vm_planned_abort(const char *results, int boot, char *why, size_t len)
{
	char path[4200], dst[4200], job[32];
	struct vm_unabort u;
	FILE *f;
	int err;

	vm_fmt(path, sizeof(path), "%s/aborted.txt", results);
	if (access(path, F_OK) || find_planned(results, &u, job, sizeof(job)))
		return false;
	vm_fmt(dst, sizeof(dst), "%s/%s/journal.txt", results, job);
	err = vm_write_file(dst, u.journal);
	free(u.journal);
	vm_fmt(dst, sizeof(dst), "%s/vm", results);
	err = err ?: vm_mkdir_p(dst);	/* a re-run's directory has none yet */
	vm_fmt(dst, sizeof(dst), "%s/vm/planned-abort-%d.txt", results, boot);
	if (err || rename(path, dst))
		return false;
	snprintf(why, len, "%s", u.why);
	vm_fmt(path, sizeof(path), "%s/vm/planned-aborts.txt", results);
	f = fopen(path, "a");
	if (f) {
		fprintf(f, "boot %d, job %s, %s: %s, exit 112 -> %d; %s\n", boot,
			job, u.row, u.verdict, u.code, u.why);
		fclose(f);
	}
	return true;
}
