// SPDX-License-Identifier: MIT
/*
 * hotunplug-vm's command line: the options, their checks and what follows
 * from them (firmware, root ports).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shard.h"
#include "vm.h"

#define QBOOT_ROM "/usr/share/qemu/qboot.rom"

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
"                          it: about 1 s less boot than SeaBIOS; SeaBIOS with qxl)\n"
"  --tcg single|multi      TCG threads: one for all vCPUs (default), or one\n"
"                          each (then kernel text patching can Oops)\n"
"                          (docs/vm-lane.md, \"Oops: int3 under TCG\")\n"
"  --expectations DIR|FILE known results in drm-ci's format: DIR holds\n"
"                          DRIVER-KERNEL-{fails,flakes,skips}.txt (e.g.\n"
"                          virtio_gpu-sid-fails.txt); repeatable. New failures\n"
"                          run once more; the exit code is 0 unless something\n"
"                          unexpected happened\n"
"  --resume                go on with an interrupted run in DIR (igt_resume;\n"
"                          its test list and options are DIR's)\n"
"  --shell                 run the chosen rows (--test-list, --tests; none\n"
"                          without), then a shell in the guest on this\n"
"                          terminal: test binaries on PATH, Up arrow: dmesg -w,\n"
"                          host-side unplugs served; exit powers off, Ctrl-]\n"
"                          stops the guest\n"
"  --multiple              igt_runner -m: one exec per binary (faster; a crash\n"
"                          loses the rest of that binary's subtests); left out\n"
"                          with cirrus (its host-side unplug ends the boot)\n"
"  --verbose               echo igt_runner's output and the QEMU command line\n"
"  --dry-run               set up (kernel, initramfs, root), print the guest\n"
"                          kernel and QEMU command lines, boot nothing\n"
"  --shard I/N             run the I-th of N contiguous slices of --test-list,\n"
"                          balanced on expected times (--dry-run lists its rows)\n"
"  --shard-times FILE      per-row seconds to balance on (\"NAME SECONDS\" lines,\n"
"                          ci/shard-times.sh makes one from a results directory)\n");
}

static void add_gpu(struct vm_opts *o, const char *kind)
{
	const struct vm_gpu_kind *k = vm_gpu_kind(kind);
	struct vm_gpu *g;

	if (!k)
		vm_die("unknown --gpu %s (%s)", kind, vm_gpu_kind_names());
	if (o->ngpus == VM_CLI_GPUS)
		vm_die("at most %d GPUs", VM_CLI_GPUS);
	g = &o->gpus[o->ngpus];
	g->kind = k;
	snprintf(g->id, sizeof(g->id), "gpu%d", o->ngpus);
	g->present = true;
	o->ngpus++;
}

/* Each --append adds words to the guest command line, space-separated. */
static void add_append(struct vm_opts *o, const char *args)
{
	size_t n = strlen(o->append_buf);

	args += strspn(args, " \t");
	if (!*args)
		return;
	if (n + 1 + strlen(args) >= sizeof(o->append_buf))
		vm_die("--append: more than %zu characters in all",
		       sizeof(o->append_buf) - 1);
	snprintf(o->append_buf + n, sizeof(o->append_buf) - n, "%s%s",
		 n ? " " : "", args);
	o->append = o->append_buf;
}

/* A repeatable option's value @v into @list of @max; dies beyond that. */
static void push(const char **list, int *n, int max, const char *opt,
		 const char *v)
{
	if (*n == max)
		vm_die("at most %d %s", max, opt);
	list[(*n)++] = v;
}

static int positive(const char *opt, const char *v)
{
	char *end;
	long n = strtol(v, &end, 10);

	if (*end || n <= 0 || n > 1000000)
		vm_die("%s: not a positive number: %s", opt, v);
	return (int)n;
}

/* Fills @o from the command line; dies on a bad option. */
void vm_parse_args(struct vm_opts *o, int argc, char **argv)
{
	enum { O_KERNEL = 256, O_MODULES, O_GPU, O_IOMMU, O_TESTLIST, O_TESTS,
	       O_RESULTS, O_ROOT, O_BUILD, O_OFFLINE, O_TIMEOUT, O_PTT,
	       O_QEMU, O_APPEND, O_ENV, O_OVERWRITE, O_MAXBOOTS, O_MEM,
	       O_NOOOPS, O_VERBOSE, O_MULTIPLE, O_FIRMWARE, O_DRYRUN,
	       O_BLOCKLIST, O_SHARD, O_SHARD_TIMES, O_EXPECT, O_SHELL, O_RESUME,
	       O_TCG, O_HELP };
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
		{ "shard", required_argument, NULL, O_SHARD },
		{ "shard-times", required_argument, NULL, O_SHARD_TIMES },
		{ "expectations", required_argument, NULL, O_EXPECT },
		{ "shell", no_argument, NULL, O_SHELL },
		{ "resume", no_argument, NULL, O_RESUME },
		{ "tcg", required_argument, NULL, O_TCG },
		{ "help", no_argument, NULL, O_HELP },
		{ 0 }
	};
	bool no_qboot = false;
	int c;

	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case O_KERNEL: o->kernel = optarg; break;
		case O_MODULES: o->modules = optarg; break;
		case O_GPU: add_gpu(o, optarg); break;
		case O_IOMMU:
			if (!strcmp(optarg, "none"))
				o->iommu = VM_IOMMU_NONE;
			else if (!strcmp(optarg, "intel"))
				o->iommu = VM_IOMMU_INTEL;
			else if (!strcmp(optarg, "virtio"))
				o->iommu = VM_IOMMU_VIRTIO;
			else
				vm_die("--iommu: none, intel or virtio, not %s", optarg);
			break;
		case O_TESTLIST: o->test_list = optarg; break;
		case O_TESTS: o->tests_regex = optarg; break;
		case O_BLOCKLIST:
			push(o->blocklists, &o->nblocklists, VM_MAX_BLOCKLISTS,
			     "--blocklist", optarg);
			break;
		case O_RESULTS: o->results = optarg; break;
		case O_ROOT: o->root = optarg; break;
		case O_BUILD: o->build = optarg; break;
		case O_OFFLINE: o->offline = true; break;
		case O_TIMEOUT: o->timeout = positive("--timeout", optarg); break;
		case O_PTT:
			o->per_test_timeout = positive("--per-test-timeout", optarg);
			break;
		case O_QEMU: o->qemu = optarg; break;
		case O_APPEND: add_append(o, optarg); break;
		case O_ENV:
			if (!strchr(optarg, '=') || strchr(optarg, '\''))
				vm_die("--env KEY=VALUE without single quotes: %s", optarg);
			if (o->nrunner_env == VM_MAX_ENV)
				vm_die("too many --env");
			o->runner_env[o->nrunner_env++] = optarg;
			break;
		case O_OVERWRITE: o->overwrite = true; break;
		case O_MAXBOOTS: o->max_boots = positive("--max-boots", optarg); break;
		case O_MEM:
			o->mem_mb = positive("--memory", optarg);
			/* measured: docs/vm-lane.md, "Bad input" */
			if (o->mem_mb < VM_MIN_MEM_MB)
				vm_die("--memory %d: the guest needs at least %d MB",
				       o->mem_mb, VM_MIN_MEM_MB);
			break;
		case O_NOOOPS: o->keep_going_on_oops = true; break;
		case O_VERBOSE: o->verbose = true; break;
		case O_MULTIPLE: o->multiple = true; break;
		case O_FIRMWARE: o->firmware = optarg; break;
		case O_DRYRUN: o->dry_run = true; break;
		case O_SHARD:
			if (vm_shard_parse(optarg, &o->shard_index, &o->shard_total))
				vm_die("--shard I/N with 1 <= I <= N <= 1000, not %s", optarg);
			break;
		case O_SHARD_TIMES: o->shard_times = optarg; break;
		case O_EXPECT:
			push(o->expect, &o->nexpect, VM_MAX_EXPECT,
			     "--expectations", optarg);
			break;
		case O_SHELL: o->shell = true; break;
		case O_RESUME: o->resume = true; break;
		case O_TCG:
			if (strcmp(optarg, "single") && strcmp(optarg, "multi"))
				vm_die("--tcg: single or multi, not %s", optarg);
			o->tcg_multi = !strcmp(optarg, "multi");
			break;
		case 'h': case O_HELP: usage(stdout); exit(0);
		default: usage(stderr); exit(2);
		}
	}
	if (optind < argc)
		vm_die("unexpected argument: %s", argv[optind]);
	if (!o->results)
		vm_die("--results DIR is required (see --help)");
	if (o->test_list && o->tests_regex)
		vm_die("--test-list and --tests exclude each other");
	if ((o->shard_total || o->shard_times) && !o->test_list)
		vm_die("--shard and --shard-times cut a --test-list");
	if (o->tests_regex && strchr(o->tests_regex, '\''))
		vm_die("--tests: no single quotes please");
	if (o->resume && (o->overwrite || o->test_list || o->tests_regex))
		vm_die("--resume goes on with DIR's own run: no --overwrite, "
		       "--test-list or --tests");
	if (!o->ngpus)
		add_gpu(o, "virtio-gpu");
	for (int i = 0; i < o->ngpus; i++)
		no_qboot |= o->gpus[i].kind->no_qboot;
	if (no_qboot && o->firmware && !strcmp(o->firmware, "qboot"))
		vm_die("--firmware qboot cannot boot a qxl GPU (the guest never "
		       "prints a line); use seabios, the default for qxl");
	if (!o->firmware)
		o->bios = access(QBOOT_ROM, R_OK) || no_qboot ? NULL : QBOOT_ROM;
	else if (!strcmp(o->firmware, "qboot"))
		o->bios = QBOOT_ROM;
	else if (strcmp(o->firmware, "seabios"))
		o->bios = o->firmware;
	/* GPUs on root ports 0.., a kind without root_port on pcie.0 */
	for (int i = 0, p = 0; i < o->ngpus; i++) {
		bool on_port = o->gpus[i].kind->root_port;

		/*
		 * sid 7.2.13 with a virtio-iommu and cirrus behind its
		 * pcie-pci-bridge: no device probes after virtio_iommu comes
		 * up, the 9p root never mounts (4 of 4 boots; trixie 6.12
		 * boots; docs/vm-lane.md). cirrus stays on pcie.0 there.
		 */
		if (o->gpus[i].kind->behind_bridge && o->iommu == VM_IOMMU_VIRTIO) {
			vm_msg("%s on pcie.0 with --iommu virtio: no host-side "
			       "unplug (docs/vm-lane.md)", o->gpus[i].kind->name);
			on_port = false;
		}

		o->gpus[i].port = on_port ? p++ : -1;
		if (o->nports < p)
			o->nports = p;
		/*
		 * Spare ports for host-side re-adds (each takes a fresh one)
		 * only when QEMU can unplug and re-add one of the GPUs: every
		 * port costs boot time.
		 */
		if (on_port && o->gpus[i].kind->host_unplug &&
		    !o->gpus[i].kind->behind_bridge)
			o->nports = VM_MAX_PORTS;
	}
	/*
	 * A host-side unplug of such a GPU ends the boot (nextboot.c); with
	 * -m igt_resume would then drop the rest of that binary's subtests
	 * (measured, igt_runner 2.5): one job per subtest instead.
	 */
	for (int i = 0; i < o->ngpus && o->multiple; i++)
		if (vm_gpu_on_bridge(&o->gpus[i])) {
			vm_msg("--multiple left out: a host-side unplug of %s "
			       "ends the boot, and igt_resume would drop the "
			       "rest of the binary", o->gpus[i].kind->name);
			o->multiple = false;
		}
	memcpy(o->cli_gpus, o->gpus, sizeof(o->cli_gpus));
	o->cli_ngpus = o->ngpus;
}
