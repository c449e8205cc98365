// SPDX-License-Identifier: MIT
/*
 * expectations: the drm-ci format parser, its file:line errors, the name
 * and regex mapping to igt_runner's names, and the classification of
 * results (deqp-runner's rules), on files written here.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../lib/tests/hu_check.h"
#include "../expectations.h"

static char dir[64];

static void put(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

/* loads dir/name into a fresh set; the error text in err */
static int load(const char *name, struct vm_exp *e, char *err, size_t len)
{
	char path[256];

	memset(e, 0, sizeof(*e));
	err[0] = 0;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return vm_exp_load_file(e, path, err, len);
}

static void bad_file(const char *name, const char *text, const char *where,
		     const char *what)
{
	char err[512];
	struct vm_exp e;
	int ret;

	put(name, text);
	ret = load(name, &e, err, sizeof(err));
	check(ret < 0, "%s is refused", name);
	check(strstr(err, where) != NULL, "%s: error names %s (%s)", name, where, err);
	check(strstr(err, what) != NULL, "%s: error says \"%s\"", name, what);
	vm_exp_free(&e);
}

static char *known[] = {
	"drm_hotunplug@remove-idle", "drm_hotunplug@remove-fd-earlyclose",
	"drm_hotunplug@unbind-fd-lateclose", "drm_hotunplug@stress",
	"virtio_gpu_hotunplug@remove-transfers-earlyclose",
	"drm_hotunplug@unbind-hammer-earlyclose",
};

/* what results mean against the set of main() (deqp-runner's rules) */
static const struct {
	const char *name, *result;
	enum vm_exp_class want;
	const char *why;
} cases[] = {
	{ "igt@drm_hotunplug@remove-idle", "fail", VM_EXP_EXPECTED_FAIL,
	  "listed Fail: expected" },
	{ "igt@drm_hotunplug@remove-idle", "dmesg-fail", VM_EXP_EXPECTED_FAIL,
	  "dmesg-fail counts as Fail" },
	{ "igt@drm_hotunplug@remove-idle", "incomplete", VM_EXP_NEW_FAIL,
	  "listed Fail, a crash: new" },
	{ "igt@drm_hotunplug@remove-idle", "pass", VM_EXP_UNEXPECTED_PASS,
	  "listed Fail, passed" },
	{ "igt@drm_hotunplug@remove-idle", "skip", VM_EXP_OK,
	  "listed Fail, skipped: nothing to say" },
	{ "igt@drm_hotunplug@stress@remove", "incomplete", VM_EXP_EXPECTED_FAIL,
	  "dynamic subtest listed Crash" },
	{ "igt@drm_hotunplug@unbind-fd-lateclose", "dmesg-fail", VM_EXP_FLAKE,
	  "flakes regex" },
	{ "igt@drm_hotunplug@unbind-fd-lateclose", "pass", VM_EXP_OK,
	  "a flake that passed" },
	{ "igt@drm_hotunplug@remove-fd-earlyclose", "fail", VM_EXP_NEW_FAIL,
	  "unlisted fail" },
	{ "igt@drm_hotunplug@remove-fd-earlyclose", "timeout", VM_EXP_NEW_FAIL,
	  "unlisted timeout" },
	{ "igt@drm_hotunplug@remove-fd-earlyclose", "dmesg-warn", VM_EXP_OK,
	  "unlisted warn: as igt_runner's exit code" },
	{ "igt@drm_hotunplug@unbind-hammer-earlyclose", "fail", VM_EXP_EXPECTED_FAIL,
	  "listed Fail and a flake: the expected failure" },
	{ "igt@drm_hotunplug@unbind-hammer-earlyclose", "timeout", VM_EXP_FLAKE,
	  "listed Fail and a flake, another status: the flake" },
	{ "igt@drm_hotunplug@unbind-hammer-earlyclose", "pass", VM_EXP_OK,
	  "listed Fail and a flake, passed: nothing to say" },
};

/* a file that parses but names what does not exist: file:line */
static void unknown_name(const char *name, const char *text, const char *want)
{
	char err[512];
	struct vm_exp e;

	put(name, text);
	load(name, &e, err, sizeof(err));
	check(vm_exp_check_names(&e, known, 6, err, sizeof(err)) < 0 &&
	      strstr(err, want), "%s: \"%s\" (%s)", name, want, err);
	vm_exp_free(&e);
}

int main(void)
{
	const struct vm_exp_where *why;
	char err[512], buf[256], path[256];
	struct vm_exp e;
	int n;

	snprintf(dir, sizeof(dir), "/tmp/hu-exp.XXXXXX");
	if (!mkdtemp(dir))
		return 1;

	/* mapping between the two naming schemes */
	check_streq(vm_exp_drmci_name("igt@drm_hotunplug@remove-idle"),
		    "drm_hotunplug@remove-idle", "igt@ prefix dropped");
	check_streq(vm_exp_drmci_name("drm_hotunplug@remove-idle"),
		    "drm_hotunplug@remove-idle", "drm-ci name kept");
	vm_exp_igt_name("drm_hotunplug@remove-idle", buf, sizeof(buf));
	check_streq(buf, "igt@drm_hotunplug@remove-idle", "igt@ prefix added");
	check(vm_exp_igt_name("x@y", buf, 6) < 0, "too long a name is an error");
	vm_exp_igt_regex("drm_hotunplug@remove-.*", buf, sizeof(buf));
	check_streq(buf, "^igt@.*(drm_hotunplug@remove-.*)", "unanchored regex");
	vm_exp_igt_regex("^drm_hotunplug@remove-.*$", buf, sizeof(buf));
	check_streq(buf, "^igt@(drm_hotunplug@remove-.*$)", "anchored regex");

	/* statuses */
	check_eq(vm_exp_status_of("dmesg-fail"), VM_EXP_FAIL, "dmesg-fail is Fail");
	check_eq(vm_exp_status_of("dmesg-warn"), VM_EXP_WARN, "dmesg-warn is Warn");
	check_eq(vm_exp_status_of("incomplete"), VM_EXP_CRASH, "incomplete is Crash");
	check_eq(vm_exp_status_of("timeout"), VM_EXP_TIMEOUT, "timeout is Timeout");
	check_eq(vm_exp_status_of("notrun"), VM_EXP_MISSING, "notrun is Missing");

	/* a good set, as drm-ci writes it */
	put("virtio_gpu-sid-fails.txt",
	    "# F9, 7.2.13, docs/x.md\n"
	    "drm_hotunplug@remove-idle,Fail\n"
	    "drm_hotunplug@unbind-hammer-earlyclose,Fail\n"
	    "drm_hotunplug@stress@remove,Crash\r\n");
	put("virtio_gpu-sid-flakes.txt",
	    "# F1\n"
	    "drm_hotunplug@unbind-.*\n");
	put("virtio_gpu-sid-skips.txt", "# why\nvirtio_gpu_hotunplug@.*-transfers-\n");
	memset(&e, 0, sizeof(e));
	n = vm_exp_load_dir(&e, dir, "virtio_gpu-sid", err, sizeof(err));
	check_eq(n, 3, "three files loaded (%s)", err);
	check_eq(e.nfails, 3, "three fails");
	check_eq(e.nflakes, 1, "one flake regex");
	check_eq(e.nskips, 1, "one skip regex");
	check_eq(e.fails[2].status, VM_EXP_CRASH, "CRLF line parsed");
	check_eq(e.fails[2].at.line, 4, "line numbers count the comment");
	check_eq(vm_exp_check_names(&e, known, 6, err, sizeof(err)), 0,
		 "all names exist (dynamic via its parent) (%s)", err);
	check_eq(vm_exp_load_dir(&e, dir, "bochs-sid", err, sizeof(err)), 0,
		 "no files for another driver: no expectations");

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_eq(vm_exp_classify(&e, cases[i].name, cases[i].result, &why),
			 cases[i].want, "%s %s: %s", cases[i].name, cases[i].result,
			 cases[i].why);
	vm_exp_classify(&e, "igt@drm_hotunplug@remove-idle", "fail", &why);
	check(why && why->line == 2, "decided by line 2 of the fails file");
	vm_exp_classify(&e, "igt@drm_hotunplug@unbind-fd-lateclose", "dmesg-fail", &why);
	check(why && strstr(why->file, "flakes") && why->line == 2,
	      "decided by line 2 of the flakes file");
	check(vm_exp_skipped(&e, "igt@virtio_gpu_hotunplug@remove-transfers-earlyclose") != NULL,
	      "skips regex matches the drm-ci name of an igt name");
	check(vm_exp_skipped(&e, "igt@drm_hotunplug@remove-idle") == NULL,
	      "skips regex does not match others");
	snprintf(path, sizeof(path), "%s/blocklist", dir);
	check_eq(vm_exp_write_blocklist(&e, path), 1, "blocklist written");
	{
		FILE *f = fopen(path, "r");

		buf[0] = 0;
		if (f) {
			if (!fgets(buf, sizeof(buf), f))
				buf[0] = 0;
			fclose(f);
		}
		check_streq(buf, "^igt@.*(virtio_gpu_hotunplug@.*-transfers-)\n",
			    "blocklist in igt_runner's names");
	}
	vm_exp_free(&e);

	/* names that do not exist */
	unknown_name("x-y-fails.txt", "# c\ndrm_hotunplug@remove-nothing,Fail\n",
		     "x-y-fails.txt:2: no such subtest: drm_hotunplug@remove-nothing");
	unknown_name("x-y-flakes.txt", "drm_hotunplug@remove-idle\nnope@.*\n",
		     "x-y-flakes.txt:2: matches no subtest: nope@.*");

	/* lines that do not parse */
	bad_file("a-b-fails.txt", "# ok\ndrm_hotunplug@remove-idle\n", ":2:", "expected");
	bad_file("c-d-fails.txt", "igt@drm_hotunplug@remove-idle,Fail\n", ":1:", "igt@");
	bad_file("e-f-fails.txt", "drm_hotunplug@remove-idle,Broken\n", ":1:", "Fail, Crash or Timeout");
	bad_file("g-h-fails.txt", "drm_hotunplug,Fail\n", ":1:", "not a bin@subtest");
	bad_file("i-j-fails.txt", "a@b,Fail\n\na@b,Crash\n", ":3:", "twice (first at");
	bad_file("k-l-flakes.txt", "\n\n(unclosed\n", ":3:", "regex");
	bad_file("m-n-skips.txt", "igt@drm_hotunplug@.*\n", ":1:", "igt@");
	bad_file("o-p.txt", "a@b,Fail\n", "o-p.txt", "not an expectations file");
	load("missing-fails.txt", &e, err, sizeof(err));
	check(strstr(err, "missing-fails.txt") != NULL, "unreadable file named (%s)", err);

	snprintf(buf, sizeof(buf), "rm -rf %s", dir);
	if (system(buf))
		printf("# could not remove %s\n", dir);
	return check_done();
}
