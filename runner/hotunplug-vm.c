// SPDX-License-Identifier: MIT
/*
 * hotunplug-vm: runs IGT-style tests inside Debian kernels under QEMU (TCG)
 * with virtual GPUs. Boots once and runs the real igt_runner over the whole
 * test list; after a guest panic, oops or hang it attaches the console
 * splat to the interrupted test (incomplete), boots again and continues
 * with igt_resume. Host-side unplugs are served to the guest over a
 * virtio-serial port (vmhost.c; the guest side is lib/hu_vmhost.c). The
 * command line is options.c, igt_runner's output runner_output.c, the end
 * of a run summary.c. See docs/vm-lane.md.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <dirent.h>

#include "shard.h"
#include "vm.h"
#include "shell.h"
#include "testlist.h"
#include "triage.h"

#define BOOT_TIMEOUT_S	120	/* QEMU start to igt_runner start */
#define MAX_INFRA_RETRY	2	/* crashes before igt_runner started */
/*
 * From the guest's "done" to QEMU's exit: powering off takes well under a
 * second; a driver whose shutdown blocks must not hold the lane (the
 * guest dumps its blocked tasks 10 s after "done", guest.sh).
 */
#define POWEROFF_S	30
/*
 * Not one console line this long after QEMU started: the firmware or the
 * kernel's first steps hang (the guest's init speaks at 2-11 s of guest
 * time even at load 9, docs/vm-lane.md).
 */
#define SILENT_S	60

static struct vm_opts opts = {
	.qemu = "qemu-system-x86_64",
	.kernel = "sid",
	.timeout = 3600,
	.per_test_timeout = 120,
	.max_boots = 20,
	.mem_mb = 1536,
};
static char guest_cmdline[4096];	/* what the guest kernel must get */
static struct vm_exp expect;		/* --expectations */

/* --- per-run state ------------------------------------------------------- */

static char tmpdir[PATH_MAX], ctl[PATH_MAX + 8], sockdir[PATH_MAX + 8];
static char logdir[PATH_MAX + 8], results[PATH_MAX];
static pid_t qemu_pid = -1;
static double t_start;

/* progress, from igt_runner's verbose output on ttyS1 */
static struct vm_progress prog = { .pend_job = -1 };

/* what one boot ended with */
struct outcome {
	bool reached_run, done, crashed, hung, timed_out, signalled, qemu_failed;
	bool poweroff_hung;	/* done, but QEMU still ran POWEROFF_S later */
	bool in_shell;		/* --shell: the user has the guest's shell */
	bool no_memory;		/* out of memory before igt_runner started */
	int done_rc;
	double t_done;		/* host time of "done" */
	double t_userspace;	/* guest clock */
	char reason[256];
};

static void cleanup(void)
{
	vm_shell_restore();
	if (qemu_pid > 0)
		vm_qemu_stop(qemu_pid, 2000);
	qemu_pid = -1;
	if (tmpdir[0] && !getenv("HU_VM_KEEP_TMP"))
		vm_rm_rf(tmpdir);
}

#define TCG_DMESG_NOISE "HU_DMESG_IGNORE=hrtimer: interrupt took [0-9]+ ns|" \
	"clocksource: |TSC found unstable after boot"

static bool has_env(const char *key)
{
	size_t n = strlen(key);

	for (int i = 0; i < opts.nrunner_env; i++)
		if (!strncmp(opts.runner_env[i], key, n) && opts.runner_env[i][n] == '=')
			return true;
	return false;
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
		const char *m = opts.gpus[i].kind->module;

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
		 opts.multiple ? " -m" : "", opts.per_test_timeout);
	for (int i = 0; i < opts.nrunner_env; i++)
		ARGS_ADD(" -e '%s'", opts.runner_env[i]);
	/*
	 * TCG on a loaded host: the guest kernel logs "hrtimer: interrupt
	 * took N ns" and the clocksource watchdog's "Marking clocksource tsc
	 * unstable" lines at <4> at random (both measured at load 13), which
	 * igt_runner would turn into a dmesg-warn of whatever test ran. It is the emulator's, not the
	 * test's: the harness re-emits this as the ignore regex after each
	 * subtest start (lib/hu_kmsg.c). --env HU_DMESG_IGNORE= overrides.
	 */
	if (!has_env("HU_DMESG_IGNORE"))
		ARGS_ADD(" -e '%s'", TCG_DMESG_NOISE);
	if (opts.test_list)
		ARGS_ADD(" --test-list /hu/ctl/testlist");
	if (opts.tests_regex)
		ARGS_ADD(" -t '%s'", opts.tests_regex);
	for (int i = 0; i < opts.nblocklists; i++)
		ARGS_ADD(" -b /hu/ctl/blocklist-%d", i);
#undef ARGS_ADD
	snprintf(env, sizeof(env),
		 "HU_MODE=%s\nHU_MODULES=\"%s\"\nHU_RUNNER_ARGS=\"%s\"\n",
		 resume ? "resume" : opts.shell && !opts.test_list &&
		 !opts.tests_regex ? "none" : "run", mods, args);
	if (opts.shell) {
		const char *term;
		int rows, cols;

		vm_shell_term(&rows, &cols, &term);
		vm_fmt(env + strlen(env), sizeof(env) - strlen(env),
		       "HU_SHELL=1\nHU_ROWS=%d\nHU_COLS=%d\nHU_TERM=%s\n",
		       rows, cols, term);
	}
	vm_fmt(path, sizeof(path), "%s/job.env", ctl);
	if (vm_write_file(path, env))
		vm_die("cannot write %s", path);
}

/* --- one boot ------------------------------------------------------------ */

static void on_console_line(void *data, const char *line)
{
	struct outcome *oc = data;
	const char *m;

	if ((m = strstr(line, "HU-VM: "))) {
		if (opts.verbose)
			printf("  > %s\n", m);
		if (!strncmp(m, "HU-VM: userspace ", 17))
			oc->t_userspace = strtod(m + 17, NULL);
		else if (!strncmp(m, "HU-VM: cmdline ", 15) &&
			 strcmp(m + 15, guest_cmdline))
			vm_msg("the guest's /proc/cmdline differs from ours: %s", m + 15);
		else if (!strncmp(m, "HU-VM: run ", 11) || !strncmp(m, "HU-VM: resume ", 14) ||
			 !strncmp(m, "HU-VM: exited ", 14))
			oc->reached_run = true;
		else if (!strncmp(m, "HU-VM: shell ", 13))
			oc->in_shell = true;
		else if (!strncmp(m, "HU-VM: done rc=", 15)) {
			oc->done = true;
			oc->done_rc = atoi(m + 15);
			oc->t_done = vm_now();
		} else if (!strncmp(m, "HU-VM: init failed", 18)) {
			snprintf(oc->reason, sizeof(oc->reason), "%s", m);
		}
		return;
	}
	if (oc->crashed)
		return;
	if (!oc->reached_run && (strstr(line, "Out of memory") ||
				 strstr(line, "Initramfs unpacking failed") ||
				 strstr(line, "deadlocked on memory"))) {
		oc->crashed = oc->no_memory = true;
		snprintf(oc->reason, sizeof(oc->reason), "the guest ran out of memory "
			 "while booting (--memory %d MB): %s", opts.mem_mb, line);
		return;
	}
	if ((m = strstr(line, "Kernel panic - not syncing")) ||
	    (m = strstr(line, "Oops: ")) || (m = strstr(line, "BUG: "))) {
		oc->crashed = true;
		snprintf(oc->reason, sizeof(oc->reason), "guest %s", m);
	}
}

struct boot {
	struct vm_shell sh;
	struct vm_chan con, run, vmh;
	struct vm_qmp qmp;
	struct vm_host host;
};

static void qmp_lines(void *data, const char *line)
{
	struct vm_host *h = data;

	if (vm_qmp_has(line, "event"))
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
	memcpy(opts.gpus, opts.cli_gpus, sizeof(opts.cli_gpus));
	opts.ngpus = opts.cli_ngpus;
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
	memset(&b.sh, 0, sizeof(b.sh));
	b.sh.chan.fd = b.sh.chan.lfd = -1;
	vm_fmt(sock, sizeof(sock), "%s/sh", sockdir);
	if (opts.shell && vm_chan_listen(&b.sh.chan, "shell", sock, NULL))
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
		if (opts.verbose)
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
		struct pollfd p[8];
		double now = vm_now(), idle;
		int np = 0, nsh = 0;

		prog.next_boot = b.host.next_boot > 0;	/* for an abort's line */
		p[np++] = (struct pollfd){ .fd = pidfd, .events = POLLIN };
		p[np++] = (struct pollfd){ .fd = sigfd, .events = POLLIN };
		for (int i = 0; i < 4; i++)
			p[np++] = (struct pollfd){
				.fd = chans[i]->fd >= 0 ? chans[i]->fd : chans[i]->lfd,
				.events = POLLIN };
		if (opts.shell)
			nsh = vm_shell_pollfds(&b.sh, p, &np);
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
				vm_chan_read(c, vm_progress_line, &prog);
			else if (c == &b.vmh)
				vm_chan_read(c, vm_host_request, &b.host);
			else
				vm_chan_read(c, qmp_lines, &b.host);
		}
		if (nsh && vm_shell_pump(&b.sh, &p[nsh])) {
			oc->signalled = true;
			snprintf(oc->reason, sizeof(oc->reason), "shell ended with Ctrl-]");
			break;
		}
		if (oc->in_shell && !b.sh.active) {
			vm_progress_flush(&prog);	/* the rows' lines first */
			vm_shell_start(&b.sh);
		}
		vm_progress_tick(&prog, now);
		if (p[0].revents)
			break;	/* QEMU exited; channels drained above */
		idle = now - (b.run.last_rx > b.con.last_rx ? b.run.last_rx : b.con.last_rx);
		if (!b.con.ntail && now - t0 > SILENT_S) {
			oc->hung = true;
			snprintf(oc->reason, sizeof(oc->reason), "no console output "
				 "within %d s of QEMU's start (firmware %s)", SILENT_S,
				 opts.bios ? opts.bios : "SeaBIOS");
			break;
		}
		if (oc->done && now - oc->t_done > POWEROFF_S) {
			oc->poweroff_hung = true;
			snprintf(oc->reason, sizeof(oc->reason), "the guest did not "
				 "power off within %d s after igt_runner finished",
				 POWEROFF_S);
			break;
		}
		if (!oc->reached_run && now - t0 > BOOT_TIMEOUT_S) {
			oc->hung = true;
			snprintf(oc->reason, sizeof(oc->reason),
				 "no igt_runner start within %d s of boot", BOOT_TIMEOUT_S);
			break;
		}
		if (oc->reached_run && !oc->done && !oc->in_shell && idle > hang_s) {
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
	vm_shell_restore();
	if (b.sh.active)
		printf("\r\n");
	close(pidfd);
	/* what QEMU wrote last */
	vm_chan_read(&b.con, on_console_line, oc);
	vm_chan_read(&b.run, vm_progress_line, &prog);
	vm_progress_flush(&prog);	/* before a crash splat joins the last job's dmesg */
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
			vm_progress_print(&prog, name, "incomplete", vm_now() - t0, oc->reason);
		}
	}
	if (!oc->done || oc->poweroff_hung) {
		printf("[vm] boot %d: %s; console tail:\n", n, oc->reason);
		vm_chan_tail(&b.con, stdout, 12);
	}
	if (oc->poweroff_hung)	/* a kernel finding: the blocked tasks */
		vm_results_poweroff_hang(results, logdir, &b.con, oc->reason, &prog);
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
	if (b.sh.chan.fd >= 0)
		close(b.sh.chan.fd);
	if (b.sh.chan.lfd >= 0)
		close(b.sh.chan.lfd);
	vm_chan_close(&b.qmp.chan);
	if (b.host.removed || b.host.added || b.host.refused)
		vm_msg("boot %d: host-side device_del %d (DEVICE_DELETED %d), "
		       "device_add %d, next boot %d, refused %d", n, b.host.removed,
		       b.host.deleted, b.host.added, b.host.next_boot, b.host.refused);
}

/* --shard: blocklisted rows weigh nothing (igt_runner will not run them) */
struct shard_block {
	regex_t *re;
	int n;
};

static bool shard_blocked(void *data, const char *name)
{
	const struct shard_block *b = data;

	return vm_blocklisted(b->re, b->n, name);
}

/*
 * --shard I/N: ctl/testlist becomes this shard's rows, logdir/shard.txt
 * the record hotunplug-merge reads; --test-list now names the shard's
 * list, so rows without a result are counted against it. Returns how
 * many rows the shard has.
 */
static int cut_shard(const char *tl)
{
	static char list[PATH_MAX + 16];
	char rec[PATH_MAX + 16];
	struct shard_block b;
	struct vm_shard_spec sp = {
		.index = opts.shard_index, .total = opts.shard_total,
		.list = opts.test_list, .times = opts.shard_times,
		.blocked = shard_blocked, .data = &b, .print = opts.dry_run,
	};
	int n;

	sp.list_text = vm_read_file(opts.test_list, 4 << 20, NULL);
	if (!sp.list_text)
		vm_die("--test-list %s: cannot read", opts.test_list);
	if (opts.shard_times &&
	    !(sp.times_text = vm_read_file(opts.shard_times, 4 << 20, NULL)))
		vm_die("--shard-times %s: cannot read", opts.shard_times);
	b.n = vm_blocklist_compile(opts.blocklists, opts.nblocklists, &b.re);
	vm_fmt(rec, sizeof(rec), "%s/shard.txt", logdir);
	n = vm_shard_select(&sp, tl, rec);
	for (int i = 0; i < b.n; i++)
		regfree(&b.re[i]);
	free(b.re);
	free(sp.list_text);
	free(sp.times_text);
	if (n < 0)
		vm_die("--shard %d/%d: cannot cut %s", opts.shard_index,
		       opts.shard_total, opts.test_list);
	vm_fmt(list, sizeof(list), "%s", tl);
	opts.test_list = list;
	return n;
}

/* the lane's exit code at the end of vm/shard.txt: the merge reads it */
static int shard_exit(int rc)
{
	char path[PATH_MAX + 32], *text, *all;

	if (!opts.shard_total)
		return rc;
	vm_fmt(path, sizeof(path), "%s/vm/shard.txt", results);
	text = vm_read_file(path, 1 << 20, NULL);
	if (text && asprintf(&all, "%sexit %d\n", text, rc) > 0) {
		vm_write_file(path, all);
		free(all);
	}
	free(text);
	return rc;
}

/*
 * Boots until igt_runner finished (resuming after crashes), the run is
 * stopped, or --max-boots. Whether it finished.
 */
static bool run_boots(const struct vm_kernel *k, const char *root, int sigfd,
		      struct outcome *oc, int *boots, int *crashes, bool resume)
{
	int infra = 0;

	/* planned reboots (nextboot.c) do not count against --max-boots */
	while (*boots - prog.planned < opts.max_boots) {
		double tb = vm_now();

		(*boots)++;
		boot_once(*boots, resume, k, root, sigfd, oc);
		vm_msg("boot %d: userspace at %.2f s (guest clock), %s after %.1f s",
		       *boots, oc->t_userspace,
		       oc->done ? "finished" : "ended", vm_now() - tb);
		if (oc->done && prog.next_boot && !oc->signalled &&
		    vm_planned_abort(results, *boots, oc->reason, sizeof(oc->reason))) {
			vm_msg("planned reboot %d: %s", ++prog.planned, oc->reason);
			resume = true;
			continue;
		}
		if (oc->done)
			return true;
		if (oc->signalled || oc->timed_out || oc->qemu_failed || oc->no_memory)
			return false;
		if (!oc->reached_run) {
			/* e.g. TCG's early int3 oops: not the tests' fault */
			if (++infra > MAX_INFRA_RETRY)
				return false;
			vm_msg("infrastructure failure before igt_runner started, "
			       "booting again (%d/%d)", infra, MAX_INFRA_RETRY);
			continue;
		}
		(*crashes)++;
		resume = true;
	}
	return false;
}

/*
 * The run against --expectations: new failures run once more, in
 * DIR/rerun (a results directory of its own). The exit code: 1 if
 * something unexpected happened or a test-list entry has no result.
 */
static int judge(const struct vm_kernel *k, const char *root, int sigfd,
		 struct outcome *oc, int *boots, int *crashes, int missing)
{
	static struct vm_triage t;
	struct vm_result *r = NULL;
	char path[PATH_MAX + 32];
	int n = 0, ret;

	printf("\n");
	if (vm_results_read(results, &r, &n))
		return 2;
	vm_triage_first(&t, &expect, r, n);
	free(r);
	if (t.nrerun) {
		vm_fmt(path, sizeof(path), "%s/testlist", ctl);
		if (vm_triage_write_rerun(&t, path) < 0)
			vm_die("cannot write %s", path);
		vm_msg("re-running %d new failure(s) once, results in %s/rerun",
		       t.nrerun, results);
		opts.test_list = path;
		opts.tests_regex = NULL;
		vm_fmt(path, sizeof(path), "%s/rerun", results);
		if (vm_mkdir_p(path))
			vm_die("cannot create %s", path);
		vm_fmt(results, sizeof(results), "%s", path);
		prog.bin[0] = 0;
		prog.aborted = false;
		r = NULL;
		n = 0;
		if (!run_boots(k, root, sigfd, oc, boots, crashes, false))
			vm_msg("the re-run did not finish: %s", oc->reason);
		if (vm_results_read(results, &r, &n))
			r = NULL;
		vm_triage_second(&t, r, n);
		free(r);
		*strrchr(results, '/') = 0;
		vm_results_copy_logs(results, logdir);
	}
	ret = vm_triage_summary(&t);
	if (oc->signalled)
		return 130;
	return ret || missing ? 1 : 0;
}

int main(int argc, char **argv)
{
	char root[PATH_MAX], build[PATH_MAX], tl[PATH_MAX + 16];
	struct vm_kernel k;
	struct outcome oc;
	int boots = 0, crashes = 0, ntests, ret, sigfd, missing = 0;
	bool finished;
	sigset_t ss;

	setvbuf(stdout, NULL, _IOLBF, 0);
	vm_parse_args(&opts, argc, argv);
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
	prog.results = results;
	prog.verbose = opts.verbose;
	if (!opts.dry_run)
		vm_results_prepare(opts.results, opts.overwrite, opts.resume,
				   results, sizeof(results));
	if (opts.resume)
		vm_results_drop_unstarted(results);
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
		if (opts.shard_total && cut_shard(tl) == 0 && !opts.dry_run) {
			printf("[vm] shard %d/%d has no rows: nothing to run\n",
			       opts.shard_index, opts.shard_total);
			vm_results_copy_logs(results, logdir);
			return shard_exit(0);
		}
		if (!opts.shard_total && vm_copy_file(opts.test_list, tl, 0644))
			vm_die("--test-list %s: cannot read", opts.test_list);
	}
	vm_triage_prepare(&expect, &opts, &k, ctl, tmpdir);
	for (int i = 0; i < opts.nblocklists; i++) {
		vm_fmt(tl, sizeof(tl), "%s/blocklist-%d", ctl, i);
		if (vm_copy_file(opts.blocklists[i], tl, 0644))
			vm_die("--blocklist %s: cannot read", opts.blocklists[i]);
	}
	vm_msg("kernel %s, root %s, %d test binaries, GPUs:%s%s%s%s%s, iommu %s, "
	       "set-up %.1f s", k.version, root, ntests,
	       opts.ngpus > 0 ? " " : "", opts.ngpus > 0 ? opts.gpus[0].kind->name : "",
	       opts.ngpus > 1 ? " " : "", opts.ngpus > 1 ? opts.gpus[1].kind->name : "",
	       opts.ngpus > 2 ? " ..." : "",
	       opts.iommu == VM_IOMMU_INTEL ? "intel" :
	       opts.iommu == VM_IOMMU_VIRTIO ? "virtio" : "none",
	       vm_now() - t_start);
	vm_guest_cmdline(&opts, guest_cmdline, sizeof(guest_cmdline));
	vm_msg("guest kernel command line: %s", guest_cmdline);
	if (!opts.dry_run && vm_results_write_config(results, &opts, &k, guest_cmdline))
		vm_die("cannot write %s/vm/config.json", results);
	if (opts.dry_run) {
		char *argv[160];

		if (vm_qemu_argv(&opts, &k, root, ctl, results, sockdir, argv, 160) < 0)
			vm_die("QEMU command line too long");
		put_argv(stdout, "[vm] QEMU command line:", argv);
		for (int i = 0; argv[i]; i++)
			free(argv[i]);
		return 0;
	}

	finished = run_boots(&k, root, sigfd, &oc, &boots, &crashes, opts.resume);
	vm_results_copy_logs(results, logdir);
	if (!finished)
		printf("[vm] run did not finish: %s\n", oc.reason);
	if (opts.shell && !opts.test_list && !opts.tests_regex) {
		/* no rows, no results.json: how the session ended is all */
		vm_msg("shell session ended: %s", finished ? "guest powered off" : oc.reason);
		return oc.signalled ? 130 : finished ? 0 : 2;
	}
	ret = vm_results_summary(&(struct vm_summary){
		.results = results, .prog = &prog, .test_list = opts.test_list,
		.blocklists = opts.blocklists, .nblocklists = opts.nblocklists,
		.boots = boots, .crashes = crashes, .total = vm_now() - t_start },
		&missing);
	if (opts.nexpect && ret < 2 && finished)
		ret = judge(&k, root, sigfd, &oc, &boots, &crashes, missing);
	if (!finished && ret == 0)
		ret = 2;
	if (!vm_results_report(results, opts.build, tl, sizeof(tl)))
		printf("[vm] report: %s\n", tl);
	if (oc.poweroff_hung && ret == 0)
		ret = 1;
	if (finished && oc.done_rc && ret == 0)
		printf("[vm] igt_runner exited %d\n", oc.done_rc);
	return shard_exit(oc.signalled ? 130 : ret);
}
