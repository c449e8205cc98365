// SPDX-License-Identifier: MIT
/*
 * hotunplug-vm: runs IGT-style tests inside Debian kernels under QEMU (TCG)
 * with virtual GPUs. Boots once and runs the real igt_runner over the whole
 * test list; after a guest panic, oops or hang it attaches the console
 * splat to the interrupted test (incomplete), boots again and continues
 * with igt_resume. Host-side unplugs are served to the guest over a
 * virtio-serial port (vmhost.c; the guest side is lib/hu_vmhost.c). See docs/vm-lane.md.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <dirent.h>
#include <regex.h>

#include "vm.h"

#define BOOT_TIMEOUT_S	120	/* QEMU start to igt_runner start */
#define MAX_INFRA_RETRY	2	/* crashes before igt_runner started */

static struct vm_opts opts = {
	.qemu = "qemu-system-x86_64",
	.kernel = "sid",
	.timeout = 3600,
	.per_test_timeout = 120,
	.max_boots = 20,
	.mem_mb = 1536,
};
static struct vm_gpu cli_gpus[VM_CLI_GPUS];	/* as given: every boot starts so */
static int cli_ngpus;
static char *runner_env[32];
static int nrunner_env;
#define MAX_BLOCKLISTS 8
static const char *blocklists[MAX_BLOCKLISTS];	/* igt_runner -b, in ctl/ */
static int nblocklists;
static bool overwrite, verbose, multiple, dry_run;
static char append[2048];	/* every --append, space-separated */
static char guest_cmdline[4096];	/* what the guest kernel must get */
static const char *firmware;
#define QBOOT_ROM "/usr/share/qemu/qboot.rom"

/* --- per-run state ------------------------------------------------------- */

static char tmpdir[PATH_MAX], ctl[PATH_MAX + 8], sockdir[PATH_MAX + 8];
static char logdir[PATH_MAX + 8], results[PATH_MAX];
static pid_t qemu_pid = -1;
static double t_start;

/* progress, from igt_runner's verbose output on ttyS1 */
struct progress {
	char bin[128], sub[256], dyn[256];
	char job[32];		/* igt_runner's "n/N" of the current job */
	int ntests, nbad;
	double first_subtest;	/* host time of the first one, 0: none yet */
	double last_result;
	double first_boot;	/* host time of the first QEMU start */
	double setup;		/* seconds before it */
	bool aborted;		/* igt@runner@aborted reported */
};
static struct progress prog;

/* what one boot ended with */
struct outcome {
	bool reached_run, done, crashed, hung, timed_out, signalled, qemu_failed;
	int done_rc;
	double t_userspace;	/* guest clock */
	char reason[256];
};

static void cleanup(void)
{
	if (qemu_pid > 0)
		vm_qemu_stop(qemu_pid, 2000);
	qemu_pid = -1;
	if (tmpdir[0] && !getenv("HU_VM_KEEP_TMP"))
		vm_rm_rf(tmpdir);
}

#define TCG_DMESG_NOISE "HU_DMESG_IGNORE=hrtimer: interrupt took [0-9]+ ns"

static bool has_env(const char *key)
{
	size_t n = strlen(key);

	for (int i = 0; i < nrunner_env; i++)
		if (!strncmp(runner_env[i], key, n) && runner_env[i][n] == '=')
			return true;
	return false;
}

static void usage(FILE *f)
{
	fprintf(f,
"Usage: hotunplug-vm [options]\n"
"  --kernel SUITE|BZIMAGE  bookworm, trixie, sid, backports, debug[-SUITE] (a debug\n"
"                          kernel built from SUITE's linux-source, default trixie)\n"
"                          or a local bzImage (default sid)\n"
"  --modules DIR           lib/modules/VERSION of a local kernel (with modules.dep)\n"
"  --gpu KIND              virtio-gpu, bochs, qxl, cirrus; repeatable (default virtio-gpu)\n"
"  --iommu none|intel|virtio  IOMMU in front of the GPUs (default none)\n"
"  --test-list FILE        igt@bin@subtest lines (igt_runner --test-list)\n"
"  --tests REGEX           igt_runner -t REGEX (default: everything)\n"
"  --blocklist FILE        igt_runner -b FILE: regexes of tests not to run;\n"
"                          repeatable\n"
"  --results DIR           igt results directory (results.json); required\n"
"  --overwrite             clear DIR if it already holds results\n"
"  --root DIR              Debian root with igt_runner (default: ci/sidroot.sh)\n"
"  --build DIR             build directory with the test binaries (default: this build)\n"
"  --env KEY=VAL           environment for the tests (igt_runner -e), repeatable;\n"
"                          HU_DMESG_IGNORE defaults to TCG's hrtimer noise\n"
"  --append ARGS           extra guest kernel command line; repeatable (joined\n"
"                          with spaces)\n"
"  --no-oops-panic         let an oops continue (default: oops=panic, test incomplete)\n"
"  --offline               use cached kernels/roots only\n"
"  --timeout S             whole run (default 3600)\n"
"  --per-test-timeout S    igt_runner --per-test-timeout (default 120)\n"
"  --max-boots N           boots (1 + resumes after crashes) at most (default 20)\n"
"  --memory MB             guest memory (default 1536)\n"
"  --qemu PATH             qemu-system-x86_64 to use\n"
"  --firmware qboot|seabios|FILE  guest firmware (default qboot when QEMU ships\n"
"                          it: about 1 s less boot than SeaBIOS)\n"
"  --multiple              igt_runner -m: one exec per binary (faster; a crash\n"
"                          loses the rest of that binary's subtests)\n"
"  --verbose               echo igt_runner's output and the QEMU command line\n"
"  --dry-run               set up (kernel, initramfs, root), print the guest\n"
"                          kernel and QEMU command lines, boot nothing\n");
}

static void add_gpu(const char *kind)
{
	struct vm_gpu *g;
	const char *qdev = vm_gpu_qdev(kind);

	if (!qdev)
		vm_die("unknown --gpu %s (virtio-gpu, bochs, qxl, cirrus)", kind);
	if (opts.ngpus == VM_CLI_GPUS)
		vm_die("at most %d GPUs", VM_CLI_GPUS);
	g = &opts.gpus[opts.ngpus];
	snprintf(g->kind, sizeof(g->kind), "%s", kind);
	snprintf(g->qdev, sizeof(g->qdev), "%s", qdev);
	snprintf(g->id, sizeof(g->id), "gpu%d", opts.ngpus);
	g->present = true;
	opts.ngpus++;
}

/* Each --append adds words to the guest command line, space-separated. */
static void add_append(const char *args)
{
	size_t n = strlen(append);

	args += strspn(args, " \t");
	if (!*args)
		return;
	if (n + 1 + strlen(args) >= sizeof(append))
		vm_die("--append: more than %zu characters in all", sizeof(append) - 1);
	snprintf(append + n, sizeof(append) - n, "%s%s", n ? " " : "", args);
	opts.append = append;
}

static int positive(const char *opt, const char *v)
{
	char *end;
	long n = strtol(v, &end, 10);

	if (*end || n <= 0 || n > 1000000)
		vm_die("%s: not a positive number: %s", opt, v);
	return (int)n;
}

static void parse_args(int argc, char **argv)
{
	enum { O_KERNEL = 256, O_MODULES, O_GPU, O_IOMMU, O_TESTLIST, O_TESTS,
	       O_RESULTS, O_ROOT, O_BUILD, O_OFFLINE, O_TIMEOUT, O_PTT,
	       O_QEMU, O_APPEND, O_ENV, O_OVERWRITE, O_MAXBOOTS, O_MEM,
	       O_NOOOPS, O_VERBOSE, O_MULTIPLE, O_FIRMWARE, O_DRYRUN,
	       O_BLOCKLIST, O_HELP };
	static const struct option lo[] = {
		{ "kernel", required_argument, NULL, O_KERNEL },
		{ "modules", required_argument, NULL, O_MODULES },
		{ "gpu", required_argument, NULL, O_GPU },
		{ "iommu", required_argument, NULL, O_IOMMU },
		{ "test-list", required_argument, NULL, O_TESTLIST },
		{ "tests", required_argument, NULL, O_TESTS },
		{ "blocklist", required_argument, NULL, O_BLOCKLIST },
		{ "results", required_argument, NULL, O_RESULTS },
		{ "root", required_argument, NULL, O_ROOT },
		{ "build", required_argument, NULL, O_BUILD },
		{ "offline", no_argument, NULL, O_OFFLINE },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "per-test-timeout", required_argument, NULL, O_PTT },
		{ "qemu", required_argument, NULL, O_QEMU },
		{ "append", required_argument, NULL, O_APPEND },
		{ "env", required_argument, NULL, O_ENV },
		{ "overwrite", no_argument, NULL, O_OVERWRITE },
		{ "max-boots", required_argument, NULL, O_MAXBOOTS },
		{ "memory", required_argument, NULL, O_MEM },
		{ "no-oops-panic", no_argument, NULL, O_NOOOPS },
		{ "verbose", no_argument, NULL, O_VERBOSE },
		{ "multiple", no_argument, NULL, O_MULTIPLE },
		{ "firmware", required_argument, NULL, O_FIRMWARE },
		{ "dry-run", no_argument, NULL, O_DRYRUN },
		{ "help", no_argument, NULL, O_HELP },
		{ 0 }
	};
	int c;

	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case O_KERNEL: opts.kernel = optarg; break;
		case O_MODULES: opts.modules = optarg; break;
		case O_GPU: add_gpu(optarg); break;
		case O_IOMMU:
			if (!strcmp(optarg, "none"))
				opts.iommu = VM_IOMMU_NONE;
			else if (!strcmp(optarg, "intel"))
				opts.iommu = VM_IOMMU_INTEL;
			else if (!strcmp(optarg, "virtio"))
				opts.iommu = VM_IOMMU_VIRTIO;
			else
				vm_die("--iommu: none, intel or virtio, not %s", optarg);
			break;
		case O_TESTLIST: opts.test_list = optarg; break;
		case O_TESTS: opts.tests_regex = optarg; break;
		case O_BLOCKLIST:
			if (nblocklists == MAX_BLOCKLISTS)
				vm_die("at most %d --blocklist", MAX_BLOCKLISTS);
			blocklists[nblocklists++] = optarg;
			break;
		case O_RESULTS: opts.results = optarg; break;
		case O_ROOT: opts.root = optarg; break;
		case O_BUILD: opts.build = optarg; break;
		case O_OFFLINE: opts.offline = true; break;
		case O_TIMEOUT: opts.timeout = positive("--timeout", optarg); break;
		case O_PTT:
			opts.per_test_timeout = positive("--per-test-timeout", optarg);
			break;
		case O_QEMU: opts.qemu = optarg; break;
		case O_APPEND: add_append(optarg); break;
		case O_ENV:
			if (!strchr(optarg, '=') || strchr(optarg, '\''))
				vm_die("--env KEY=VALUE without single quotes: %s", optarg);
			if (nrunner_env == 32)
				vm_die("too many --env");
			runner_env[nrunner_env++] = optarg;
			break;
		case O_OVERWRITE: overwrite = true; break;
		case O_MAXBOOTS: opts.max_boots = positive("--max-boots", optarg); break;
		case O_MEM: opts.mem_mb = positive("--memory", optarg); break;
		case O_NOOOPS: opts.keep_going_on_oops = true; break;
		case O_VERBOSE: verbose = true; break;
		case O_MULTIPLE: multiple = true; break;
		case O_FIRMWARE: firmware = optarg; break;
		case O_DRYRUN: dry_run = true; break;
		case 'h': case O_HELP: usage(stdout); exit(0);
		default: usage(stderr); exit(2);
		}
	}
	if (optind < argc)
		vm_die("unexpected argument: %s", argv[optind]);
	if (!opts.results)
		vm_die("--results DIR is required (see --help)");
	if (opts.test_list && opts.tests_regex)
		vm_die("--test-list and --tests exclude each other");
	if (opts.tests_regex && strchr(opts.tests_regex, '\''))
		vm_die("--tests: no single quotes please");
	if (!opts.ngpus)
		add_gpu("virtio-gpu");
	if (!firmware)
		opts.bios = access(QBOOT_ROM, R_OK) ? NULL : QBOOT_ROM;
	else if (!strcmp(firmware, "qboot"))
		opts.bios = QBOOT_ROM;
	else if (strcmp(firmware, "seabios"))
		opts.bios = firmware;
	/* GPUs on root ports 0.., cirrus (no PCIe hotplug) on pcie.0 */
	for (int i = 0, p = 0; i < opts.ngpus; i++) {
		bool on_port = strcmp(opts.gpus[i].kind, "cirrus");

		opts.gpus[i].port = on_port ? p++ : -1;
		if (opts.nports < p)
			opts.nports = p;
		/*
		 * Spare ports for host-side re-adds (each takes a fresh one)
		 * only when QEMU can unplug one of the GPUs: it refuses for
		 * virtio-gpu-pci, and every port costs boot time.
		 */
		if (on_port && strcmp(opts.gpus[i].kind, "virtio-gpu"))
			opts.nports = VM_MAX_PORTS;
	}
	memcpy(cli_gpus, opts.gpus, sizeof(cli_gpus));
	cli_ngpus = opts.ngpus;
}

/* --- set-up ------------------------------------------------------------ */

static void get_root(char *root, size_t len)
{
	char script[PATH_MAX];
	char *argv[] = { script, opts.offline ? "--offline" : NULL, NULL };

	if (opts.root) {
		if (!realpath(opts.root, root))
			vm_die("--root %s: %s", opts.root, strerror(errno));
	} else {
		vm_fmt(script, sizeof(script), "%s/ci/sidroot.sh", vm_source_dir());
		if (vm_run(argv, root, len, 3600) != 0 || !*root)
			vm_die("no Debian sid root (ci/sidroot.sh failed)");
	}
	vm_fmt(script, sizeof(script), "%s/usr/bin/igt_runner", root);
	if (access(script, X_OK))
		vm_die("%s has no igt_runner (install igt-gpu-tools there)", root);
}

/* Copies every test binary of the build into ctl/tests + test-list.txt. */
static int stage_tests(void)
{
	static const char *const dirs[] = {
		"tests", "lib/tests/examples", "runner/testdata",
	};
	char list[8192] = "", src[PATH_MAX * 2], dst[PATH_MAX * 2], dir[PATH_MAX + 64];
	int n = 0;

	vm_fmt(dst, sizeof(dst), "%s/tests", ctl);
	if (vm_mkdir_p(dst))
		return -1;
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		struct dirent *de;
		DIR *d;

		vm_fmt(dir, sizeof(dir), "%s/%s", opts.build, dirs[i]);
		d = opendir(dir);
		if (!d)
			continue;
		while ((de = readdir(d))) {
			vm_fmt(src, sizeof(src), "%s/%s", dir, de->d_name);
			if (de->d_name[0] == '.' || !vm_is_exe(src) ||
			    strstr(de->d_name, ".so") || strstr(de->d_name, ".p"))
				continue;
			vm_fmt(dst, sizeof(dst), "%s/tests/%s", ctl, de->d_name);
			if (vm_copy_file(src, dst, 0755))
				vm_die("cannot copy %s", src);
			strncat(list, de->d_name, sizeof(list) - strlen(list) - 2);
			strcat(list, "\n");
			n++;
		}
		closedir(d);
	}
	vm_fmt(dst, sizeof(dst), "%s/tests/test-list.txt", ctl);
	vm_write_file(dst, list);
	return n;
}

static void write_job(bool resume)
{
	char env[8192], args[4096] = "", mods[256] = "", path[PATH_MAX + 16];
	/* vm_fmt() dies rather than truncate or overrun args */
#define ARGS_ADD(...) vm_fmt(args + strlen(args), sizeof(args) - strlen(args), \
			     __VA_ARGS__)

	if (opts.iommu == VM_IOMMU_VIRTIO)
		strcat(mods, "virtio-iommu ");
	for (int i = 0; i < opts.ngpus; i++) {
		const char *m = vm_gpu_module(opts.gpus[i].kind);

		if (!strstr(mods, m)) {
			strncat(mods, m, sizeof(mods) - strlen(mods) - 2);
			strcat(mods, " ");
		}
	}
	/*
	 * Without -m every subtest is its own job: after a crash igt_resume
	 * goes on with the next subtest. With -m it drops the rest of the
	 * crashed binary's subtests.
	 */
	snprintf(args, sizeof(args), "-s%s -l verbose --per-test-timeout %d",
		 multiple ? " -m" : "", opts.per_test_timeout);
	for (int i = 0; i < nrunner_env; i++)
		ARGS_ADD(" -e '%s'", runner_env[i]);
	/*
	 * TCG on a loaded host: the guest kernel logs "hrtimer: interrupt
	 * took N ns" at <4> at random, which igt_runner would turn into a
	 * dmesg-warn of whatever test ran. It is the emulator's, not the
	 * test's: the harness re-emits this as the ignore regex after each
	 * subtest start (lib/hu_kmsg.c). --env HU_DMESG_IGNORE= overrides.
	 */
	if (!has_env("HU_DMESG_IGNORE"))
		ARGS_ADD(" -e '%s'", TCG_DMESG_NOISE);
	if (opts.test_list)
		ARGS_ADD(" --test-list /hu/ctl/testlist");
	if (opts.tests_regex)
		ARGS_ADD(" -t '%s'", opts.tests_regex);
	for (int i = 0; i < nblocklists; i++)
		ARGS_ADD(" -b /hu/ctl/blocklist-%d", i);
#undef ARGS_ADD
	snprintf(env, sizeof(env),
		 "HU_MODE=%s\nHU_MODULES=\"%s\"\nHU_RUNNER_ARGS=\"%s\"\n",
		 resume ? "resume" : "run", mods, args);
	vm_fmt(path, sizeof(path), "%s/job.env", ctl);
	if (vm_write_file(path, env))
		vm_die("cannot write %s", path);
}

static void prepare_results(void)
{
	char path[PATH_MAX + 32];
	DIR *d;
	struct dirent *de;
	bool empty = true;

	if (vm_mkdir_p(opts.results) || !realpath(opts.results, results))
		vm_die("--results %s: %s", opts.results, strerror(errno));
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

/* --- one boot ------------------------------------------------------------ */

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

static void print_test(const char *name, const char *result, double secs,
		       const char *note)
{
	bool bad = vm_result_is_bad(result);

	prog.ntests++;
	prog.nbad += bad;
	prog.last_result = vm_now();
	printf("[%4d, job %-7s] %-58s %-10s %7.2f s%s%s\n", prog.ntests, prog.job,
	       name, result, secs, note ? "  " : "", note ? note : "");
	fflush(stdout);
}

/*
 * A job's results are printed when the job is over (the next job starts,
 * the run ends), or PENDING_S after they came (with -m a job is a whole
 * binary): by then its dmesg.txt has their kernel messages. igt_runner
 * turns pass/warn into dmesg-warn and fail into dmesg-fail when the
 * test's share of it has a record at level 4 (its default
 * --dmesg-warn-level) or more serious. The live line applies that rule;
 * igt_runner's own verdict (results.json, the summary table) also filters
 * a few benign messages.
 */
#define MAX_PENDING	64
#define PENDING_S	2.0
struct pending {
	char name[700], sub[256], dyn[256];
	char result[24];
	double secs;
	double at;		/* host time the result line came */
};
static struct pending pend[MAX_PENDING];
static int npend, pend_job = -1;	/* pend_job: igt_runner's job dir */

/*
 * First record at level <= 4 in dmesg.txt text logged while subtest sub
 * (and dynamic subtest dyn, if set) ran, after its "[IGT] bin: starting
 * (dynamic) subtest" record. Copies its message to first; false: none.
 */
static bool dmesg_warns(const char *text, const char *sub, const char *dyn,
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

static void flush_job(void)
{
	char path[PATH_MAX + 32], first[100];
	char *text = NULL;

	if (!npend)
		return;
	if (pend_job >= 0) {
		vm_fmt(path, sizeof(path), "%s/%d/dmesg.txt", results, pend_job);
		text = vm_read_file(path, 8 << 20, NULL);
	}
	for (int i = 0; i < npend; i++) {
		struct pending *p = &pend[i];
		const char *r = p->result;
		bool warn = text && p->sub[0] &&
			    dmesg_warns(text, p->sub, p->dyn, first, sizeof(first));

		if (warn && (!strcmp(r, "pass") || !strcmp(r, "warn")))
			r = "dmesg-warn";
		else if (warn && !strcmp(r, "fail"))
			r = "dmesg-fail";
		print_test(p->name, r, p->secs, r != p->result ? first : NULL);
	}
	free(text);
	npend = 0;
}

static void add_pending(const char *name, const char *result, double secs)
{
	struct pending *p;

	if (npend == MAX_PENDING)
		flush_job();
	p = &pend[npend++];
	snprintf(p->name, sizeof(p->name), "%s", name);
	snprintf(p->sub, sizeof(p->sub), "%s", prog.sub);
	snprintf(p->dyn, sizeof(p->dyn), "%s", prog.dyn);
	snprintf(p->result, sizeof(p->result), "%s", result);
	p->secs = secs;
	p->at = vm_now();
}

/*
 * igt_runner -l verbose: "[ts] [n/N] bin (subs)", "Starting subtest: x",
 * "[ts] Subtest x: RESULT (t)", "Test exited with IGT_EXIT_ABORT".
 */
static void on_runner_line(void *data, const char *line)
{
	const char *l = line;
	char word[32], name[700];
	double secs = 0;

	if (verbose)
		printf("  | %s\n", line);
	if (l[0] == '[' && strchr(l, ']') && l[1] != ' ')
		l = strchr(l, ']') + 1;
	while (*l == ' ')
		l++;
	if (l[0] == '[' && strchr(l, '/')) {
		const char *b = strchr(l, ']');

		flush_job();
		if (b && sscanf(b + 1, " %127s", prog.bin) == 1) {
			prog.sub[0] = prog.dyn[0] = 0;
			snprintf(prog.job, sizeof(prog.job), "%.*s",
				 (int)(b - l - 1), l + 1);
			pend_job = atoi(prog.job) - 1;
		}
		return;
	}
	if (!strncmp(l, "Test exited with IGT_EXIT_ABORT", 31) ||
	    !strncmp(l, "Aborting", 8)) {
		/*
		 * igt_runner marks the subtest that was running "abort" and
		 * reports the stop itself as igt@runner@aborted: fail
		 */
		if (prog.sub[0]) {
			snprintf(name, sizeof(name), "igt@%s@%s%s%s", prog.bin,
				 prog.sub, prog.dyn[0] ? "@" : "", prog.dyn);
			add_pending(name, "abort", 0);
			prog.sub[0] = prog.dyn[0] = 0;
		}
		if (!prog.aborted) {
			prog.sub[0] = 0;
			add_pending("igt@runner@aborted", "fail", 0);
			prog.aborted = true;
		}
		flush_job();
		return;
	}
	if (!strncmp(l, "Starting subtest: ", 18)) {
		snprintf(prog.sub, sizeof(prog.sub), "%s", l + 18);
		prog.dyn[0] = 0;
		if (!prog.first_subtest)
			prog.first_subtest = vm_now();
		return;
	}
	if (!strncmp(l, "Starting dynamic subtest: ", 26)) {
		snprintf(prog.dyn, sizeof(prog.dyn), "%s", l + 26);
		return;
	}
	if (!strncmp(l, "Subtest ", 8) || !strncmp(l, "Dynamic subtest ", 16)) {
		bool dyn = l[0] == 'D';
		const char *n = l + (dyn ? 16 : 8);
		const char *colon = strstr(n, ": ");

		if (!colon || sscanf(colon + 2, "%31s (%lfs)", word, &secs) < 1)
			return;
		if (dyn)
			snprintf(name, sizeof(name), "igt@%s@%s@%.*s", prog.bin, prog.sub,
				 (int)(colon - n), n);
		else
			snprintf(name, sizeof(name), "igt@%s@%.*s", prog.bin,
				 (int)(colon - n), n);
		add_pending(name, verdict(word), secs);
		if (!dyn)
			prog.sub[0] = 0;
		else
			prog.dyn[0] = 0;
	}
}

static void on_console_line(void *data, const char *line)
{
	struct outcome *oc = data;
	const char *m;

	if ((m = strstr(line, "HU-VM: "))) {
		if (verbose)
			printf("  > %s\n", m);
		if (!strncmp(m, "HU-VM: userspace ", 17))
			oc->t_userspace = strtod(m + 17, NULL);
		else if (!strncmp(m, "HU-VM: cmdline ", 15) &&
			 strcmp(m + 15, guest_cmdline))
			vm_msg("the guest's /proc/cmdline differs from ours: %s", m + 15);
		else if (!strncmp(m, "HU-VM: run ", 11) || !strncmp(m, "HU-VM: resume ", 14))
			oc->reached_run = true;
		else if (!strncmp(m, "HU-VM: done rc=", 15)) {
			oc->done = true;
			oc->done_rc = atoi(m + 15);
		} else if (!strncmp(m, "HU-VM: init failed", 18)) {
			snprintf(oc->reason, sizeof(oc->reason), "%s", m);
		}
		return;
	}
	if (oc->crashed)
		return;
	if ((m = strstr(line, "Kernel panic - not syncing")) ||
	    (m = strstr(line, "Oops: ")) || (m = strstr(line, "BUG: "))) {
		oc->crashed = true;
		snprintf(oc->reason, sizeof(oc->reason), "guest %s", m);
	}
}

struct boot {
	struct vm_chan con, run, vmh;
	struct vm_qmp qmp;
	struct vm_host host;
};

static void qmp_lines(void *data, const char *line)
{
	struct vm_host *h = data;

	if (strstr(line, "\"event\""))
		vm_host_event(h, line);
}

/* @argv joined by spaces after @prefix (if any), one line. */
static void put_argv(FILE *f, const char *prefix, char *const *argv)
{
	fputs(prefix, f);
	for (int i = 0; argv[i]; i++)
		fprintf(f, "%s%s", i || *prefix ? " " : "", argv[i]);
	fputc('\n', f);
}

static void boot_once(int n, bool resume, const struct vm_kernel *k,
		      const char *root, int sigfd, struct outcome *oc)
{
	char *argv[160], path[PATH_MAX + 64], sock[PATH_MAX + 16];
	double t0 = vm_now(), hang_s = opts.per_test_timeout + 90;
	struct boot b;
	int pidfd, status = 0;

	memset(oc, 0, sizeof(*oc));
	/* host-side unplugs of the last boot changed the device list */
	memset(opts.gpus, 0, sizeof(opts.gpus));
	memcpy(opts.gpus, cli_gpus, sizeof(cli_gpus));
	opts.ngpus = cli_ngpus;
	write_job(resume);
	vm_fmt(sock, sizeof(sock), "%s/con", sockdir);
	vm_fmt(path, sizeof(path), "%s/console-%d.log", logdir, n);
	if (vm_chan_listen(&b.con, "console", sock, path))
		vm_die("cannot listen on %s", sock);
	vm_fmt(sock, sizeof(sock), "%s/run", sockdir);
	vm_fmt(path, sizeof(path), "%s/runner-%d.log", logdir, n);
	if (vm_chan_listen(&b.run, "runner", sock, path))
		vm_die("cannot listen on %s", sock);
	vm_fmt(sock, sizeof(sock), "%s/qmp", sockdir);
	vm_fmt(path, sizeof(path), "%s/qmp-%d.log", logdir, n);
	memset(&b.qmp, 0, sizeof(b.qmp));
	if (vm_chan_listen(&b.qmp.chan, "qmp", sock, path))
		vm_die("cannot listen on %s", sock);
	vm_fmt(sock, sizeof(sock), "%s/vmh", sockdir);
	if (vm_chan_listen(&b.vmh, "vmhost", sock, NULL))
		vm_die("cannot listen on %s", sock);
	vm_host_init(&b.host, &opts, &b.qmp, &b.vmh, ctl);
	b.qmp.event_cb = vm_host_event;
	b.qmp.event_data = &b.host;
	vm_host_write_devices(&b.host);

	if (vm_qemu_argv(&opts, k, root, ctl, results, sockdir, argv, 160) < 0)
		vm_die("QEMU command line too long");
	if (n == 1) {
		FILE *f;

		vm_fmt(path, sizeof(path), "%s/qemu-cmdline.txt", logdir);
		f = fopen(path, "w");
		if (f) {
			put_argv(f, "", argv);
			fclose(f);
		}
		if (verbose)
			put_argv(stdout, "[vm] QEMU command line:", argv);
	}
	vm_fmt(path, sizeof(path), "%s/qemu.log", logdir);
	if (!prog.first_boot) {
		prog.first_boot = vm_now();
		prog.setup = prog.first_boot - t_start;
	}
	qemu_pid = vm_qemu_spawn(argv, path);
	for (int i = 0; argv[i]; i++)
		free(argv[i]);
	if (qemu_pid < 0)
		vm_die("cannot start QEMU");
	pidfd = syscall(SYS_pidfd_open, qemu_pid, 0);
	if (pidfd < 0)
		vm_die("pidfd_open: %s", strerror(errno));

	for (;;) {
		struct vm_chan *chans[] = { &b.con, &b.run, &b.vmh, &b.qmp.chan };
		struct pollfd p[6];
		double now = vm_now(), idle;
		int np = 0;

		p[np++] = (struct pollfd){ .fd = pidfd, .events = POLLIN };
		p[np++] = (struct pollfd){ .fd = sigfd, .events = POLLIN };
		for (int i = 0; i < 4; i++)
			p[np++] = (struct pollfd){
				.fd = chans[i]->fd >= 0 ? chans[i]->fd : chans[i]->lfd,
				.events = POLLIN };
		if (poll(p, np, 500) < 0 && errno != EINTR)
			vm_die("poll: %s", strerror(errno));
		if (p[1].revents) {
			struct signalfd_siginfo si;

			if (read(sigfd, &si, sizeof(si)) > 0)
				snprintf(oc->reason, sizeof(oc->reason),
					 "stopped by signal %d", (int)si.ssi_signo);
			oc->signalled = true;
			break;
		}
		for (int i = 0; i < 4; i++) {
			struct vm_chan *c = chans[i];

			if (!p[2 + i].revents)
				continue;
			if (c->fd < 0) {
				vm_chan_accept(c);
				if (c == &b.qmp.chan && vm_qmp_handshake(&b.qmp, 10000))
					vm_msg("QMP handshake failed");
				continue;
			}
			if (c == &b.con)
				vm_chan_read(c, on_console_line, oc);
			else if (c == &b.run)
				vm_chan_read(c, on_runner_line, NULL);
			else if (c == &b.vmh)
				vm_chan_read(c, vm_host_request, &b.host);
			else
				vm_chan_read(c, qmp_lines, &b.host);
		}
		if (npend && now - pend[0].at > PENDING_S)
			flush_job();
		if (p[0].revents)
			break;	/* QEMU exited; channels drained above */
		idle = now - (b.run.last_rx > b.con.last_rx ? b.run.last_rx : b.con.last_rx);
		if (!oc->reached_run && now - t0 > BOOT_TIMEOUT_S) {
			oc->hung = true;
			snprintf(oc->reason, sizeof(oc->reason),
				 "no igt_runner start within %d s of boot", BOOT_TIMEOUT_S);
			break;
		}
		if (oc->reached_run && !oc->done && idle > hang_s) {
			oc->hung = true;
			snprintf(oc->reason, sizeof(oc->reason),
				 "guest hang: no output for %.0f s", idle);
			break;
		}
		if (now - t_start > opts.timeout) {
			oc->timed_out = true;
			snprintf(oc->reason, sizeof(oc->reason),
				 "overall --timeout %d s reached", opts.timeout);
			break;
		}
		/* panic=-1 reboots and -no-reboot exits: QEMU ends by itself */
	}
	status = vm_qemu_stop(qemu_pid, 3000);
	qemu_pid = -1;
	close(pidfd);
	/* what QEMU wrote last */
	vm_chan_read(&b.con, on_console_line, oc);
	vm_chan_read(&b.run, on_runner_line, NULL);
	flush_job();	/* before a crash splat joins the last job's dmesg */
	if (!oc->done && !oc->crashed && !oc->hung && !oc->timed_out &&
	    !oc->signalled && !oc->reason[0])
		snprintf(oc->reason, sizeof(oc->reason), "QEMU exited (status %d) "
			 "before the guest finished", status);
	if (oc->reached_run && !oc->done && !oc->signalled && !oc->timed_out) {
		char job[PATH_MAX + 32];

		if (!vm_results_last_job(results, job, sizeof(job)))
			vm_results_attach(job, &b.con, oc->reason);
		if (prog.bin[0]) {
			char name[700];

			snprintf(name, sizeof(name), "igt@%s%s%s%s%s", prog.bin,
				 prog.sub[0] ? "@" : "", prog.sub,
				 prog.dyn[0] ? "@" : "", prog.dyn);
			print_test(name, "incomplete", vm_now() - t0, oc->reason);
		}
	}
	if (!oc->done) {
		printf("[vm] boot %d: %s; console tail:\n", n, oc->reason);
		vm_chan_tail(&b.con, stdout, 12);
	}
	if (!b.con.ntail && !oc->signalled && !oc->hung && !oc->timed_out) {
		/* QEMU exited without running the guest: its own words say why */
		char *log;

		snprintf(path, sizeof(path), "%s/qemu.log", logdir);
		log = vm_read_file(path, 4096, NULL);
		printf("[vm] QEMU printed: %s\n", log && *log ? log : "nothing");
		free(log);
		oc->qemu_failed = true;
	}
	prog.sub[0] = prog.dyn[0] = 0;
	vm_chan_close(&b.con);
	vm_chan_close(&b.run);
	vm_chan_close(&b.vmh);
	vm_chan_close(&b.qmp.chan);
	if (b.host.removed || b.host.added || b.host.refused)
		vm_msg("boot %d: host-side device_del %d (DEVICE_DELETED %d), "
		       "device_add %d, refused %d", n, b.host.removed,
		       b.host.deleted, b.host.added, b.host.refused);
}

/* --- summary ------------------------------------------------------------- */

/*
 * The lines of every --blocklist file (igt_runner: unanchored regexes),
 * compiled once; lines that do not compile are left out. How many.
 */
static int blocklist_compile(regex_t **out)
{
	regex_t *re = NULL;
	int n = 0, cap = 0;

	for (int i = 0; i < nblocklists; i++) {
		char *text = vm_read_file(blocklists[i], 1 << 20, NULL), *save, *l;

		for (l = text ? strtok_r(text, "\n", &save) : NULL; l;
		     l = strtok_r(NULL, "\n", &save)) {
			l += strspn(l, " \t");
			if (!*l || *l == '#')
				continue;
			if (n == cap) {
				regex_t *nre = realloc(re, (cap = cap ? 2 * cap : 64) *
						       sizeof(*re));

				if (!nre)
					vm_die("out of memory");
				re = nre;
			}
			if (!regcomp(&re[n], l, REG_EXTENDED | REG_NOSUB))
				n++;
		}
		free(text);
	}
	*out = re;
	return n;
}

static bool blocklisted(const regex_t *re, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!regexec(&re[i], name, 0, NULL, 0))
			return true;
	return false;
}

/*
 * Names of --test-list that have no result at all: under --multiple,
 * igt_resume drops the rest of a binary that crashed, so they would
 * vanish from results.json without a word. Returns how many.
 */
static int missing_from_list(const struct vm_result *r, int n)
{
	char *text, *save, *l;
	int missing = 0, nblock;
	regex_t *block;

	if (!opts.test_list || !(text = vm_read_file(opts.test_list, 1 << 20, NULL)))
		return 0;
	nblock = blocklist_compile(&block);
	for (l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		bool found = false;

		l[strcspn(l, "#")] = 0;
		l += strspn(l, " \t");
		l[strcspn(l, " \t\r")] = 0;
		/* patterns are igt_runner's to expand */
		if (strncmp(l, "igt@", 4) || strpbrk(l, "*?[") ||
		    blocklisted(block, nblock, l))
			continue;
		for (int i = 0; i < n && !found; i++)
			found = !strcmp(r[i].name, l);
		if (found)
			continue;
		if (++missing <= 20)
			printf("[vm] no result for %s (not run)\n", l);
	}
	if (missing > 20)
		printf("[vm] ... %d in all\n", missing);
	for (int i = 0; i < nblock; i++)
		regfree(&block[i]);
	free(block);
	free(text);
	return missing;
}

static int summary(int boots, int crashes)
{
	static const char *const order[] = {
		"pass", "skip", "warn", "dmesg-warn", "fail", "dmesg-fail",
		"crash", "timeout", "incomplete", "abort", "notrun",
	};
	struct vm_result *r = NULL;
	int n = 0, bad = 0, missing, count[11] = { 0 };
	double total = vm_now() - t_start;

	if (vm_results_read(results, &r, &n)) {
		printf("[vm] no results.json in %s\n", results);
		return 2;
	}
	printf("\n%-68s %-10s %8s\n", "test", "result", "time");
	for (int i = 0; i < n; i++) {
		printf("%-68s %-10s %7.2fs\n", r[i].name, r[i].result, r[i].time);
		bad += vm_result_is_bad(r[i].result);
		for (int j = 0; j < 11; j++)
			count[j] += !strcmp(r[i].result, order[j]);
	}
	printf("\n[vm] %d tests:", n);
	for (int j = 0; j < 11; j++)
		if (count[j])
			printf(" %s %d", order[j], count[j]);
	printf("\n[vm] %d boot(s), %d crash(es), %.1f s in all, %.2f s per test; "
	       "results: %s/results.json\n", boots, crashes, total,
	       n ? total / n : 0.0, results);
	missing = missing_from_list(r, n);
	if (missing)
		printf("[vm] %d tests of %s have no result\n", missing, opts.test_list);
	if (prog.first_subtest && prog.ntests > 1)
		printf("[vm] timing: set-up %.1f s, boot to first subtest %.2f s, "
		       "%d results in %.2f s from there: %.2f s per subtest\n",
		       prog.setup, prog.first_subtest - prog.first_boot, prog.ntests,
		       prog.last_result - prog.first_subtest,
		       (prog.last_result - prog.first_subtest) / (prog.ntests - 1));
	free(r);
	return bad || missing ? 1 : 0;
}

static void copy_logs(void)
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

int main(int argc, char **argv)
{
	char root[PATH_MAX], build[PATH_MAX], tl[PATH_MAX + 16];
	struct vm_kernel k;
	struct outcome oc;
	int boots = 0, crashes = 0, infra = 0, ntests, ret, sigfd;
	bool resume = false, finished = false;
	sigset_t ss;

	setvbuf(stdout, NULL, _IOLBF, 0);
	parse_args(argc, argv);
	t_start = vm_now();

	/* signals only through signalfd: QEMU is stopped on every way out */
	sigemptyset(&ss);
	sigaddset(&ss, SIGINT);
	sigaddset(&ss, SIGTERM);
	sigaddset(&ss, SIGHUP);
	sigprocmask(SIG_BLOCK, &ss, NULL);
	sigfd = signalfd(-1, &ss, SFD_CLOEXEC);
	signal(SIGPIPE, SIG_IGN);
	atexit(cleanup);

	if (!realpath(opts.build ? opts.build : HU_BUILD_DIR, build))
		vm_die("build dir %s: %s", opts.build ? opts.build : HU_BUILD_DIR,
		       strerror(errno));
	opts.build = build;
	if (!dry_run)
		prepare_results();
	else if (!realpath(opts.results, results))
		vm_fmt(results, sizeof(results), "%s", opts.results);
	get_root(root, sizeof(root));
	if (vm_kernel_prepare(&opts, &k))
		vm_die("kernel set-up failed");
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/hu-vm.XXXXXX");
	if (!mkdtemp(tmpdir))
		vm_die("mkdtemp: %s", strerror(errno));
	snprintf(ctl, sizeof(ctl), "%s/ctl", tmpdir);
	snprintf(sockdir, sizeof(sockdir), "%s/s", tmpdir);
	snprintf(logdir, sizeof(logdir), "%s/log", tmpdir);
	if (vm_mkdir_p(ctl) || vm_mkdir_p(sockdir) || vm_mkdir_p(logdir))
		vm_die("cannot create %s", tmpdir);
	/* QEMU's -virtfs takes comma-separated options */
	if (strchr(results, ',') || strchr(root, ',') || strchr(k.moddir, ','))
		vm_die("paths with a comma cannot be shared with QEMU");
	ntests = stage_tests();
	if (ntests <= 0)
		vm_die("no test binaries under %s", build);
	vm_fmt(tl, sizeof(tl), "%s/guest.sh", ctl);
	{
		char src[PATH_MAX];

		vm_fmt(src, sizeof(src), "%s/runner/guest/guest.sh", vm_source_dir());
		if (vm_copy_file(src, tl, 0755))
			vm_die("cannot copy %s", src);
	}
	if (opts.test_list) {
		vm_fmt(tl, sizeof(tl), "%s/testlist", ctl);
		if (vm_copy_file(opts.test_list, tl, 0644))
			vm_die("--test-list %s: cannot read", opts.test_list);
	}
	for (int i = 0; i < nblocklists; i++) {
		vm_fmt(tl, sizeof(tl), "%s/blocklist-%d", ctl, i);
		if (vm_copy_file(blocklists[i], tl, 0644))
			vm_die("--blocklist %s: cannot read", blocklists[i]);
	}
	vm_msg("kernel %s, root %s, %d test binaries, GPUs:%s%s%s%s%s, iommu %s, "
	       "set-up %.1f s", k.version, root, ntests,
	       opts.ngpus > 0 ? " " : "", opts.ngpus > 0 ? opts.gpus[0].kind : "",
	       opts.ngpus > 1 ? " " : "", opts.ngpus > 1 ? opts.gpus[1].kind : "",
	       opts.ngpus > 2 ? " ..." : "",
	       opts.iommu == VM_IOMMU_INTEL ? "intel" :
	       opts.iommu == VM_IOMMU_VIRTIO ? "virtio" : "none",
	       vm_now() - t_start);
	vm_guest_cmdline(&opts, guest_cmdline, sizeof(guest_cmdline));
	vm_msg("guest kernel command line: %s", guest_cmdline);
	if (dry_run) {
		char *argv[160];

		if (vm_qemu_argv(&opts, &k, root, ctl, results, sockdir, argv, 160) < 0)
			vm_die("QEMU command line too long");
		put_argv(stdout, "[vm] QEMU command line:", argv);
		for (int i = 0; argv[i]; i++)
			free(argv[i]);
		return 0;
	}

	while (boots < opts.max_boots) {
		double tb = vm_now();

		boots++;
		boot_once(boots, resume, &k, root, sigfd, &oc);
		vm_msg("boot %d: userspace at %.2f s (guest clock), %s after %.1f s",
		       boots, oc.t_userspace,
		       oc.done ? "finished" : "ended", vm_now() - tb);
		if (oc.signalled || oc.timed_out)
			break;
		if (oc.done) {
			finished = true;
			break;
		}
		if (oc.qemu_failed)
			break;
		if (!oc.reached_run) {
			/* e.g. TCG's early int3 oops: not the tests' fault */
			if (++infra > MAX_INFRA_RETRY)
				break;
			vm_msg("infrastructure failure before igt_runner started, "
			       "booting again (%d/%d)", infra, MAX_INFRA_RETRY);
			continue;
		}
		crashes++;
		resume = true;
	}
	copy_logs();
	if (!finished)
		printf("[vm] run did not finish: %s\n", oc.reason);
	ret = summary(boots, crashes);
	if (!finished && ret == 0)
		ret = 2;
	if (finished && oc.done_rc && ret == 0)
		printf("[vm] igt_runner exited %d\n", oc.done_rc);
	return oc.signalled ? 130 : ret;
}
