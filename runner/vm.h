/* SPDX-License-Identifier: MIT */
/*
 * hotunplug-vm: shared declarations of the VM lane's host program.
 */
#ifndef HU_VM_H
#define HU_VM_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define VM_MAX_GPUS	40	/* --gpu (4 at most) + re-adds QEMU still holds */
#define VM_CLI_GPUS	4
/*
 * Root ports: GPUs + spares for host-side re-adds (QEMU 7.2 never frees a
 * removed device's port). 8 functions per slot from 00:10.0 on.
 */
#define VM_MAX_PORTS	32

#define VM_MAX_ENV	32
#define VM_MAX_BLOCKLISTS 8
#define VM_MAX_EXPECT	8
#define VM_MIN_MEM_MB	256	/* below, Debian's kernel + initramfs do not boot */

enum vm_iommu { VM_IOMMU_NONE, VM_IOMMU_INTEL, VM_IOMMU_VIRTIO };

/* What the lane knows about a kind of GPU (gpu.c's table). */
struct vm_gpu_kind {
	const char *name;	/* --gpu: virtio-gpu, bochs, qxl, cirrus */
	const char *qdev;	/* QEMU driver: virtio-gpu-pci, ... */
	const char *module;	/* guest module; "a|b": the first that loads */
	bool root_port;		/* PCIe hotplug: on a root port, else pcie.0 */
	bool host_unplug;	/* QEMU accepts device_del (host-side re-adds) */
	bool iommu_platform;	/* behind an IOMMU only with iommu_platform=on */
	bool no_qboot;		/* qboot does not boot it: SeaBIOS by default */
	/*
	 * Not hot-pluggable itself: sits on a pcie-pci-bridge (brN) on its
	 * root port rpN and leaves with the bridge (device_del brN), as a
	 * device in a pulled enclosure does; device_add refuses it, so it
	 * comes back only with the next boot (HU-OK NEXT-BOOT).
	 */
	bool behind_bridge;
};

/* One GPU of the guest, as QEMU knows it. */
struct vm_gpu {
	const struct vm_gpu_kind *kind;
	char id[16];		/* QOM id: gpu0, gpu1, ... */
	int port;		/* root port index (rpN), -1: on pcie.0 */
	bool present;		/* false once device_del was accepted */
	bool deleted;		/* QEMU said DEVICE_DELETED: id and port free */
	bool retired;		/* re-added under another id */
	bool next_boot;		/* promised back at the next boot */
};

struct vm_opts {
	const char *kernel;	/* suite name or bzImage path */
	const char *modules;	/* lib/modules/VER for a local kernel */
	struct vm_gpu gpus[VM_MAX_GPUS];
	int ngpus;
	int nports;		/* root ports rp0..: VM_MAX_PORTS at most */
	enum vm_iommu iommu;
	const char *test_list;
	const char *tests_regex;
	const char *results;
	const char *root;	/* Debian sid root; default ci/sidroot.sh */
	const char *build;	/* our build dir (test binaries) */
	const char *qemu;
	const char *append;	/* extra guest kernel command line (words) */
	const char *bios;	/* firmware file, NULL: QEMU's default (SeaBIOS) */
	bool offline;
	bool keep_going_on_oops; /* no oops=panic */
	int timeout;		/* whole run, s */
	int per_test_timeout;	/* s, given to igt_runner */
	int max_boots;
	int mem_mb;
	bool quiet;
	/* the rest of the command line (options.c) */
	struct vm_gpu cli_gpus[VM_CLI_GPUS];	/* as given: every boot starts so */
	int cli_ngpus;
	char *runner_env[VM_MAX_ENV];		/* igt_runner -e */
	int nrunner_env;
	const char *blocklists[VM_MAX_BLOCKLISTS];	/* igt_runner -b, in ctl/ */
	int nblocklists;
	bool overwrite, verbose, multiple, dry_run;
	int shard_index, shard_total;	/* --shard I/N; 0: the whole list */
	const char *shard_times;	/* --shard-times */
	char append_buf[2048];	/* every --append, space-separated */
	const char *firmware;
	const char *expect[VM_MAX_EXPECT];	/* --expectations DIR|FILE */
	int nexpect;
	bool shell;		/* --shell: a virtio console (hvc0) */
	bool resume;		/* --resume: igt_resume on --results DIR */
	bool tcg_multi;		/* --tcg multi: a host thread per vCPU */
};

/* What a guest kernel is made of on the host. */
struct vm_kernel {
	char version[128];
	char vmlinuz[4096];
	char moddir[4096];	/* .../lib/modules/VERSION */
	char initramfs[4096];
};

/* options.c */
void vm_parse_args(struct vm_opts *o, int argc, char **argv);

/* util.c */
double vm_now(void);
__attribute__((format(printf, 1, 2))) void vm_msg(const char *fmt, ...);
__attribute__((noreturn, format(printf, 1, 2))) void vm_die(const char *fmt, ...);
__attribute__((format(printf, 3, 4)))
void vm_fmt(char *buf, size_t len, const char *fmt, ...);
int vm_mkdir_p(const char *path);
int vm_rm_rf(const char *path);
int vm_copy_file(const char *src, const char *dst, mode_t mode);
int vm_write_file(const char *path, const char *text);
char *vm_read_file(const char *path, size_t max, size_t *len);
uint64_t vm_hash(uint64_t h, const void *buf, size_t len);
uint64_t vm_hash_file(uint64_t h, const char *path);
int vm_run(char *const argv[], char *out, size_t outlen, int timeout_s);
bool vm_is_exe(const char *path);
const char *vm_source_dir(void);

/* serial.c: a line channel from QEMU; QEMU connects to our socket */
#define VM_TAIL_LINES	200
struct vm_chan {
	const char *name;
	int lfd;		/* listening socket, -1 once accepted */
	int fd;			/* the connection, -1 before accept / after EOF */
	int log;		/* raw log file, -1 for none */
	char line[8192];
	size_t len;
	char *tail[VM_TAIL_LINES];
	unsigned int ntail;	/* lines seen; ring index = ntail % VM_TAIL_LINES */
	double last_rx;
};
typedef void (*vm_line_cb)(void *data, const char *line);
int vm_chan_listen(struct vm_chan *c, const char *name, const char *sock,
		   const char *logpath);
int vm_chan_accept(struct vm_chan *c);
int vm_chan_read(struct vm_chan *c, vm_line_cb cb, void *data);
int vm_chan_write(struct vm_chan *c, const char *s);
int vm_chan_wait(struct vm_chan *c, int timeout_ms);
void vm_chan_tail(const struct vm_chan *c, FILE *out, unsigned int max);
void vm_chan_close(struct vm_chan *c);

/* qmp.c: QEMU machine protocol over a vm_chan */
struct vm_qmp {
	struct vm_chan chan;
	vm_line_cb event_cb;	/* asynchronous events */
	void *event_data;
	bool ready;
};
int vm_qmp_handshake(struct vm_qmp *q, int timeout_ms);
int vm_qmp_cmd(struct vm_qmp *q, const char *json, char *reply, size_t len,
	       int timeout_ms);
int vm_json_str(const char *json, const char *key, char *out, size_t len);
bool vm_qmp_has(const char *json, const char *key);
void vm_qmp_command(char *buf, size_t len, const char *execute,
		    const char *key, const char *val);

/* qemu.c */
int vm_qemu_argv(const struct vm_opts *o, const struct vm_kernel *k,
		 const char *root, const char *ctl, const char *out,
		 const char *sockdir, char **argv, int max);
void vm_guest_cmdline(const struct vm_opts *o, char *buf, size_t len);
pid_t vm_qemu_spawn(char **argv, const char *logpath);
int vm_qemu_stop(pid_t pid, int grace_ms);
void vm_port_bdf(int port, char *buf, size_t len);

/* gpu.c: the GPU kinds and their QEMU properties */
#define VM_GPU_MAX_PROPS	8
struct vm_prop {
	const char *key;
	char val[48];
	bool boolean;		/* "on"/"off" on the command line, JSON bool in QMP */
};
const struct vm_gpu_kind *vm_gpu_kind(const char *name);
const char *vm_gpu_kind_names(void);
/* @g sits on its own pcie-pci-bridge brN (behind_bridge, on a root port) */
bool vm_gpu_on_bridge(const struct vm_gpu *g);
int vm_gpu_props(const struct vm_opts *o, const struct vm_gpu *g,
		 const char *id, int port, struct vm_prop *p);
void vm_gpu_device_arg(const struct vm_opts *o, const struct vm_gpu *g,
		       char *buf, size_t len);
void vm_gpu_device_add(const struct vm_opts *o, const struct vm_gpu *g,
		       const char *id, int port, char *buf, size_t len);

/* vmhost.c: the guest's requests for host-side removal and re-add */
struct vm_host {
	struct vm_opts *o;
	struct vm_qmp *qmp;
	struct vm_chan *req;
	char devfile[4200];
	int removed, deleted, added, refused;
	int next_boot;		/* GPUs promised back at the next boot */
};
void vm_host_init(struct vm_host *h, struct vm_opts *o, struct vm_qmp *q,
		  struct vm_chan *req, const char *ctl);
int vm_host_write_devices(const struct vm_host *h);
void vm_host_request(void *h, const char *line);
void vm_host_event(void *h, const char *line);

/* results.c */
struct vm_result {
	char name[256];
	char result[24];
	double time;
	bool guest_died;	/* the guest crashed in it (vm_results_attach) */
};
/* the start of the line vm_results_attach() adds to a crashed guest's job */
#define VM_GUEST_DIED_MARK	"hotunplug-vm: guest "
int vm_results_read(const char *dir, struct vm_result **res, int *n);
int vm_results_last_job(const char *dir, char *job, size_t len);
int vm_results_attach(const char *job, const struct vm_chan *console,
		      const char *reason);
bool vm_result_is_bad(const char *result);
#define VM_MIN_FREE_MB	64	/* results, logs, dmesg of a full run: ~10 MB */
void vm_results_prepare(const char *dir, bool overwrite, bool resume,
			char *results, size_t len);
void vm_results_copy_logs(const char *results, const char *logdir);
void vm_results_drop_unstarted(const char *results);
struct vm_progress;
void vm_results_poweroff_hang(const char *results, const char *logdir,
			      const struct vm_chan *con, const char *reason,
			      const struct vm_progress *prog);
struct vm_kernel;
int vm_results_write_config(const char *results, const struct vm_opts *o,
			    const struct vm_kernel *k, const char *cmdline);
int vm_results_report(const char *results, const char *build, char *html,
		      size_t len);

/* summary.c: the end of a run */
struct vm_summary {
	const char *results;
	const struct vm_progress *prog;
	const char *test_list;		/* --test-list or NULL */
	const char *const *blocklists;	/* --blocklist files */
	int nblocklists;
	int boots, crashes;
	double total;			/* s, the whole run */
};
int vm_results_summary(const struct vm_summary *s, int *missing);
int vm_blocklist_compile(const char *const *files, int nfiles, regex_t **out);
bool vm_blocklisted(const regex_t *re, int n, const char *name);

/* runner_output.c: igt_runner's output, live verdict lines */
#define VM_MAX_PENDING	64
struct vm_pending {
	char name[700], sub[256], dyn[256];
	char result[24];
	double secs;
	double at;		/* host time the result line came */
};
struct vm_progress {
	const char *results;	/* the results directory: jobs' dmesg.txt */
	bool verbose;		/* echo every line */
	char bin[128], sub[256], dyn[256];
	char job[32];		/* igt_runner's "n/N" of the current job */
	int ntests, nbad;
	double first_subtest;	/* host time of the first one, 0: none yet */
	double last_result;
	double first_boot;	/* host time of the first QEMU start */
	double setup;		/* seconds before it */
	bool aborted;		/* igt@runner@aborted reported */
	int planned;		/* planned reboots (nextboot.c) */
	bool next_boot;		/* the VM host promised a GPU back at the next boot */
	char last_row[700];	/* the last result printed */
	char last_started[700];	/* the last subtest igt_runner started */
	struct vm_pending pend[VM_MAX_PENDING];
	int npend, pend_job;	/* pend_job: igt_runner's job dir, -1: none */
};
void vm_progress_line(void *data, const char *line);
void vm_progress_flush(struct vm_progress *p);
void vm_progress_tick(struct vm_progress *p, double now);
void vm_progress_print(struct vm_progress *p, const char *name,
		       const char *result, double secs, const char *note);
bool vm_dmesg_warns(const char *text, const char *sub, const char *dyn,
		    char *first, size_t len);

/* nextboot.c: planned reboots for GPUs back only at the next boot */
struct vm_unabort {
	char row[300];		/* the journal's last subtest */
	char verdict[32];	/* its "Subtest x: RESULT" word */
	int code;		/* the binary's exit code for that */
	char why[256];		/* the test's HU-NEXT-BOOT reason */
	char *journal;		/* the journal with that code (malloc'd) */
};
int vm_journal_unabort(const char *journal, const char *out, const char *err,
		       struct vm_unabort *u);
bool vm_planned_abort(const char *results, int boot, char *why, size_t len);

/* kernel.c */
int vm_kernel_prepare(const struct vm_opts *o, struct vm_kernel *k);

#endif
