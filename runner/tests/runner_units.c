// SPDX-License-Identifier: MIT
/*
 * The VM lane's pure parts: QMP JSON (json-c), the GPU kinds' QEMU
 * properties, igt_runner's dmesg rule and its output parser, the re-run's
 * test list, a crash in both runs.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hu_check.h"
#include "triage.h"
#include "vm.h"

static void qmp_json(void)
{
	char s[64];

	check(!vm_json_str("{\"event\": \"DEVICE_DELETED\", \"data\": "
			   "{\"device\": \"gpu1\", \"path\": \"/x\"}}", "device",
			   s, sizeof(s)) && !strcmp(s, "gpu1"),
	      "QMP event: data.device is %s", s);
	check(!vm_json_str("{\"error\": {\"class\": \"GenericError\", \"desc\": "
			   "\"Bus 'rp0' does not support \\\"hotplugging\\\"\"}}",
			   "desc", s, sizeof(s)) &&
	      !strcmp(s, "Bus 'rp0' does not support \"hotplugging\""),
	      "QMP error: desc unescaped: %s", s);
	check(vm_json_str("{\"return\": {}}", "desc", s, sizeof(s)) == -1,
	      "no desc in a return");
	check(vm_json_str("{\"return\": ", "desc", s, sizeof(s)) == -1,
	      "a cut line is no JSON");
	vm_qmp_command(s, sizeof(s), "device_del", "id", "gp\"u0");
	check(!strcmp(s, "{\"execute\":\"device_del\",\"arguments\":{\"id\":\"gp\\\"u0\"}}"),
	      "device_del, the id escaped: %s", s);
	check(vm_qmp_has("{\"return\": {}}", "return") &&
	      !vm_qmp_has("{\"return\": {}}", "error") &&
	      !vm_qmp_has("{\"event\": \"x\", \"data\": {\"error\": 1}}", "error"),
	      "top-level members only");
}

static void gpu_props(void)
{
	struct vm_opts o = { .iommu = VM_IOMMU_INTEL };
	struct vm_gpu g = { .kind = vm_gpu_kind("virtio-gpu"), .id = "gpu0",
			    .port = 0 };
	char buf[512];

	check(vm_gpu_kind("nope") == NULL, "unknown kind");
	check(!strcmp(vm_gpu_kind_names(), "virtio-gpu, bochs, qxl, cirrus"),
	      "kind names: %s", vm_gpu_kind_names());
	vm_gpu_device_arg(&o, &g, buf, sizeof(buf));
	check(!strcmp(buf, "virtio-gpu-pci,id=gpu0,bus=rp0,iommu_platform=on,"
		      "disable-legacy=on"), "-device %s", buf);
	vm_gpu_device_add(&o, &g, "gpu2", 3, buf, sizeof(buf));
	check(!strcmp(buf, "{\"execute\":\"device_add\",\"arguments\":{\"driver\":"
		      "\"virtio-gpu-pci\",\"id\":\"gpu2\",\"bus\":\"rp3\","
		      "\"iommu_platform\":true,\"disable-legacy\":\"on\"}}"),
	      "device_add %s", buf);
	g.kind = vm_gpu_kind("bochs");
	vm_gpu_device_arg(&o, &g, buf, sizeof(buf));
	check(!strcmp(buf, "bochs-display,id=gpu0,bus=rp0"), "-device %s", buf);
	g.kind = vm_gpu_kind("cirrus");
	g.port = 2;
	o.iommu = VM_IOMMU_NONE;
	vm_gpu_device_arg(&o, &g, buf, sizeof(buf));
	check(!strcmp(buf, "cirrus-vga,id=gpu0,bus=br2,addr=1"), "-device %s", buf);
	g.port = -1;
	vm_gpu_device_arg(&o, &g, buf, sizeof(buf));
	check(!strcmp(buf, "cirrus-vga,id=gpu0,bus=pcie.0"), "-device %s", buf);
	check(vm_gpu_kind("cirrus")->behind_bridge && !vm_gpu_kind("bochs")->behind_bridge &&
	      !vm_gpu_kind("virtio-gpu")->host_unplug &&
	      vm_gpu_kind("bochs")->host_unplug, "port and unplug facts");
}

static void dmesg_rule(void)
{
	const char *text =
		"6,1,10,-;[IGT] t: starting subtest a\n"
		"4,2,11,-;noise before b\n"
		"6,3,12,-;[IGT] t: starting subtest b\n"
		"6,4,13,-;[IGT] t: starting dynamic subtest d1\n"
		"6,5,14,-;info only\n"
		"6,6,15,-;[IGT] t: starting dynamic subtest d2\n"
		"4,7,16,-;WARNING: CPU: 0 PID: 1 at x.c:1 f\n"
		" SUBSYSTEM=drm\n";
	char first[100];

	check(vm_dmesg_warns(text, "a", "", first, sizeof(first)) &&
	      !strcmp(first, "noise before b"), "a: %s", first);
	check(vm_dmesg_warns(text, "b", "d2", first, sizeof(first)) &&
	      !strncmp(first, "WARNING", 7), "b@d2 warns");
	check(!vm_dmesg_warns(text, "b", "d1", first, sizeof(first)), "b@d1 clean");
	check(!vm_dmesg_warns(text, "c", "", first, sizeof(first)), "c never ran");
}

static void output_parser(void)
{
	struct vm_progress p = { .results = "/nonexistent", .pend_job = -1 };
	int out, null;

	vm_progress_line(&p, "[12.3] [003/010] drm_hotunplug (remove-idle)");
	check(!strcmp(p.bin, "drm_hotunplug") && !strcmp(p.job, "003/010") &&
	      p.pend_job == 2, "job line: %s %s %d", p.bin, p.job, p.pend_job);
	vm_progress_line(&p, "Starting subtest: remove-idle");
	vm_progress_line(&p, "[12.9] Subtest remove-idle: FAIL (0.532s)");
	check(p.npend == 1 && !strcmp(p.pend[0].name, "igt@drm_hotunplug@remove-idle") &&
	      !strcmp(p.pend[0].result, "fail") && p.pend[0].secs > 0.53,
	      "result pending: %s %s", p.pend[0].name, p.pend[0].result);
	/* the live verdict lines the abort flushes are not TAP */
	fflush(stdout);
	out = dup(1);
	null = open("/dev/null", O_WRONLY);
	dup2(null, 1);
	vm_progress_line(&p, "Starting subtest: x");
	vm_progress_line(&p, "Test exited with IGT_EXIT_ABORT");
	fflush(stdout);
	dup2(out, 1);
	close(out);
	close(null);
	check(p.npend == 0 && p.ntests == 3 && p.aborted,
	      "abort flushes: %d printed", p.ntests);
}

/* the re-run list leaves out a parent whose dynamic subtests it has */
static void rerun_list(void)
{
	static const char *const names[] = {
		"igt@drm_hotunplug@stress", "igt@drm_hotunplug@stress@remove",
		"igt@drm_hotunplug@remove-idle", "igt@drm_hotunplug@unbind-idle",
		"igt@drm_hotunplug@unbind-idle-x",
	};
	static struct vm_triage t;
	char path[] = "/tmp/hu-rerun.XXXXXX", *text;
	int fd = mkstemp(path), rows;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		snprintf(t.rerun[t.nrerun++].name, sizeof(t.rerun[0].name), "%s", names[i]);
	rows = fd < 0 ? -1 : vm_triage_write_rerun(&t, path);
	text = vm_read_file(path, 4096, NULL);
	check(rows == 4, "4 rows written (%d)", rows);
	check_streq(text, "igt@drm_hotunplug@stress@remove\n"
		    "igt@drm_hotunplug@remove-idle\nigt@drm_hotunplug@unbind-idle\n"
		    "igt@drm_hotunplug@unbind-idle-x\n",
		    "stress left out: its dynamic subtest is re-run");
	free(text);
	if (fd >= 0) {
		close(fd);
		unlink(path);
	}
}

/* A crash in both runs is a new failure, however igt_runner worded each. */
static void crash_twice(void)
{
	static const char json[] = "{ \"tests\": {"
		"\"igt@a@x\": { \"result\": \"dmesg-fail\", \"dmesg\": "
		"\"<2> [9.1] " VM_GUEST_DIED_MARK "Oops: 0000, console tail follows\\n\" },"
		"\"igt@a@y\": { \"result\": \"pass\", \"dmesg\": \"\" },"
		"\"igt@a@z\": { \"result\": \"dmesg-fail\", \"dmesg\": \"<3> x\" } } }";
	static struct vm_triage t;
	static struct vm_exp e;
	struct vm_result first[] = {
		{ .name = "igt@a@x", .result = "incomplete" },
		{ .name = "igt@a@z", .result = "fail" },
	};
	char dir[] = "/tmp/hu-crash.XXXXXX", path[64];
	struct vm_result *r = NULL;
	int n = 0;

	if (!mkdtemp(dir)) {
		check(false, "mkdtemp: %m");
		return;
	}
	snprintf(path, sizeof(path), "%s/results.json", dir);
	check(!vm_write_file(path, json) && !vm_results_read(dir, &r, &n) &&
	      n == 3, "results.json read (%d rows)", n);
	for (int i = 0; i < n; i++)
		check(r[i].guest_died == !strcmp(r[i].name, "igt@a@x"),
		      "%s: guest_died %d", r[i].name, r[i].guest_died);
	vm_triage_first(&t, &e, first, 2);
	check(t.nrerun == 2, "two new failures re-run (%d)", t.nrerun);
	vm_triage_second(&t, r, n);
	check(!t.rerun[0].flake && !strcmp(t.rerun[0].second, "crash"),
	      "incomplete, then dmesg-fail with the guest dead: a crash, not a "
	      "flake (%s)", t.rerun[0].second);
	check(!t.rerun[1].flake && !strcmp(t.rerun[1].second, "dmesg-fail"),
	      "fail, then dmesg-fail with the guest alive: Fail twice, a new "
	      "failure (%s)", t.rerun[1].second);
	free(r);
	unlink(path);
	rmdir(dir);
}

/* nextboot.c: which aborts are planned reboots, and the journal after */
static void planned_abort(void)
{
	const char *err = "(drm_hotunplug:1) CRITICAL: Test abort after subtest "
			  "external-idle\n(drm_hotunplug:1) CRITICAL: HU-NEXT-BOOT: "
			  "the VM host brings card0 back\n";
	struct vm_unabort u = { .journal = NULL };

	check(!vm_journal_unabort("external-idle\nexit:112 (6.250s)\n",
				  "Starting subtest: external-idle\n"
				  "Subtest external-idle: SUCCESS (6.120s)\n", err, &u) &&
	      !strcmp(u.journal, "external-idle\nexit:0 (6.250s)\n") &&
	      !strcmp(u.row, "external-idle") && !strcmp(u.verdict, "SUCCESS") &&
	      !strcmp(u.why, "the VM host brings card0 back"),
	      "planned: the row's own exit code 0");
	free(u.journal);
	check(!vm_journal_unabort("a\nexit:112 (1.000s)\n",
				  "Subtest a: FAIL (0.900s)\n", err, &u) &&
	      !strcmp(u.journal, "a\nexit:98 (1.000s)\n"),
	      "planned after a FAIL: exit 98");
	free(u.journal);
	check(vm_journal_unabort("a\nexit:112 (1.000s)\n",
				 "Subtest a: SUCCESS (0.9s)\n",
				 "(t:1) CRITICAL: device could not be restored\n", &u),
	      "an abort without HU-NEXT-BOOT stays an abort");
	check(vm_journal_unabort("a\nexit:112 (1.000s)\n", "Starting subtest: a\n",
				 err, &u), "no verdict line: stays an abort");
	check(vm_journal_unabort("a\nb\nexit:112 (1.000s)\n",
				 "Subtest a: SUCCESS (0.9s)\n", err, &u),
	      "the verdict must be the last subtest's");
	check(vm_journal_unabort("a\nexit:0 (1.000s)\n", "Subtest a: SUCCESS (0.9s)\n",
				 err, &u), "no abort at all");
	check(vm_journal_unabort("exit:112 (1.000s)\n", "", err, &u),
	      "no subtest in the journal");
}

int main(void)
{
	qmp_json();
	gpu_props();
	dmesg_rule();
	output_parser();
	rerun_list();
	planned_abort();
	crash_twice();
	return check_done();
}
