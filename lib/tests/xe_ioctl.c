// SPDX-License-Identifier: MIT
/*
 * The ioctl layer against a fake kernel: this binary defines ioctl(), so
 * libdrm's drmIoctl() lands here for the fake device fd. Checks that the
 * wrappers fill the uAPI structs as the header documents them (two-call
 * DEVICE_QUERY, gem_create placement/caching/flags, bind ops, exec queue
 * placement, exec), and that once the device is gone (unbound, or its PCI
 * device deleted; wedged or not) every ioctl gets the errno the kernel
 * gives (fake_gate(), each branch citing the source it mirrors) and the
 * expectation table agrees.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <drm/drm.h>
#include <linux/sync_file.h>
#include <sys/eventfd.h>

#include "hu_check.h"
#include "xe/xe_expect.h"
#include "xe/xe_ioctl.h"
#include "xe/xe_spin.h"
#include "xe/xe_work.h"

/* What happened to the fake device. */
enum fake_gone {
	FAKE_PRESENT,
	FAKE_UNBOUND,	/* driver unbound, PCI device still there */
	FAKE_REMOVED,	/* PCI device deleted */
};

static struct {
	int fd;			/* the fake device */
	uint32_t kver;		/* the version modelled (fake_gate()) */
	enum fake_gone gone;
	bool wedged;
	int next_queue;
	int queries, bad_queries;
	struct drm_xe_gem_create create;
	struct drm_xe_vm_bind bind;
	struct drm_xe_exec_queue_create queue;
	struct drm_xe_engine_class_instance eci;
	struct drm_xe_exec exec;
	struct drm_xe_sync exec_sync;
	int binds, execs, waits, vms;
	int execs_on[8];	/* per exec queue id - 5 */
	int prefetches, prefetch_to[2];	/* count, and per region instance */
	uint32_t prefetch_vm;
	uint32_t next_handle;
	struct { uint64_t addr; uint32_t handle; } map[32];	/* BO binds */
	int nmap;
	uint32_t batch[16];	/* the first dwords of the last exec'd batch */
	int fence;		/* an eventfd plays the exported sync_file */
	int fence_status;	/* what SYNC_IOC_FILE_INFO reports once readable */
} k = { .fd = -1, .fence = -1, .kver = HU_KVER(6, 12, 117) };

/* Reads the first dwords of the BO bound at @addr (its memfd offset). */
static void read_batch(uint64_t addr)
{
	memset(k.batch, 0, sizeof(k.batch));
	for (int i = 0; i < k.nmap; i++)
		if (k.map[i].addr == addr &&
		    pread(k.fd, k.batch, sizeof(k.batch),
			  (off_t)k.map[i].handle << 23) != sizeof(k.batch))
			memset(k.batch, 0, sizeof(k.batch));
}

/* A DG2: system instance 0, VRAM instance 1 (24 MiB visible: a small fake). */
static size_t blob(uint32_t query, void *out)
{
	static union {
		struct drm_xe_query_config c;
		uint8_t b[4096];
	} u;
	size_t size = 0;

	memset(&u, 0, sizeof(u));
	switch (query) {
	case DRM_XE_DEVICE_QUERY_CONFIG:
		u.c.num_params = 5;
		u.c.info[0] = 0x56a0;
		u.c.info[1] = DRM_XE_QUERY_CONFIG_FLAG_HAS_VRAM;
		u.c.info[2] = 65536;
		u.c.info[3] = 48;
		size = sizeof(u.c) + 5 * 8;
		break;
	case DRM_XE_DEVICE_QUERY_MEM_REGIONS: {
		struct drm_xe_query_mem_regions *m = (void *)u.b;

		m->num_mem_regions = 2;
		m->mem_regions[0].min_page_size = 4096;
		m->mem_regions[1].mem_class = DRM_XE_MEM_REGION_CLASS_VRAM;
		m->mem_regions[1].instance = 1;
		m->mem_regions[1].min_page_size = 65536;
		m->mem_regions[1].cpu_visible_size = 24 << 20;	/* small */
		size = sizeof(*m) + 2 * sizeof(m->mem_regions[0]);
		break;
	}
	case DRM_XE_DEVICE_QUERY_ENGINES: {
		struct drm_xe_query_engines *e = (void *)u.b;

		e->num_engines = 2;
		e->engines[1].instance.engine_class = DRM_XE_ENGINE_CLASS_COPY;
		size = sizeof(*e) + 2 * sizeof(e->engines[0]);
		break;
	}
	case DRM_XE_DEVICE_QUERY_GT_LIST: {
		struct drm_xe_query_gt_list *g = (void *)u.b;

		g->num_gt = 1;
		g->gt_list[0].near_mem_regions = 1 << 1;
		size = sizeof(*g) + sizeof(g->gt_list[0]);
		break;
	}
	}
	if (out)
		memcpy(out, u.b, size);
	return size;
}

/*
 * xe_drm_ioctl(), the entry of every ioctl on an xe fd, in the versions
 * read: Debian's 6.12.117 and 7.3.4 sources and drm-kmod's replay of
 * 6.12 .. 7.0 (the same three steps in each). Older kernels were not
 * read: the fake refuses to stand for them (EDOM).
 */
static int fake_gate(void)
{
	if (k.kver < HU_KVER(6, 12, 0))
		return EDOM;
	/* The wedged check comes first: 6.12.117 xe_device.c:200-201,
	 * 7.3.4 xe_device.c:227-228; unbind does not clear the flag (set at
	 * 6.12.117 xe_device.c:1026, never cleared). */
	if (k.wedged)
		return ECANCELED;
	/* The runtime-PM reference (6.12.117 xe_device.c:203, xe_pm.c:590;
	 * 7.3.4 xe_device.c:230-231, xe_pm.h:48): device_del() (core.c:3964)
	 * -> device_pm_remove() -> pm_runtime_remove() disabled runtime PM
	 * and set the device suspended (runtime.c:1883-1887, 1862-1863), so
	 * rpm_resume() answers EACCES (runtime.c:775-780; 7.3.4: 798-805). */
	if (k.gone == FAKE_REMOVED)
		return EACCES;
	/* drm_ioctl(): the device was unplugged by xe_device_remove()
	 * (6.12.117 xe_device.c:788, 7.3.4 xe_device.c:1168), so
	 * drm_dev_is_unplugged() -> ENODEV (drm_ioctl.c:778; 7.3.4: 850). */
	if (k.gone == FAKE_UNBOUND)
		return ENODEV;
	return 0;
}

static int fake(unsigned long req, void *arg)
{
	int gate = fake_gate();

	if (gate) {
		errno = gate;
		return -1;
	}
	/*
	 * By number: struct sizes differ between libdrm's drm.h and newer
	 * uAPI headers (SYNCOBJ_WAIT grew), and the kernel takes both.
	 */
#define NR(r) _IOC_NR(r)
	switch (NR(req)) {
	case NR(DRM_IOCTL_XE_DEVICE_QUERY): {
		struct drm_xe_device_query *q = arg;
		size_t need = blob(q->query, NULL);

		k.queries++;
		if (!q->size) {
			k.bad_queries += q->data != 0;
			q->size = need;
			return 0;
		}
		if (q->size != need) {
			k.bad_queries++;
			errno = EINVAL;
			return -1;
		}
		blob(q->query, (void *)(uintptr_t)q->data);
		return 0;
	}
	case NR(DRM_IOCTL_XE_GEM_CREATE):
		k.create = *(struct drm_xe_gem_create *)arg;
		((struct drm_xe_gem_create *)arg)->handle = ++k.next_handle;
		return 0;
	case NR(DRM_IOCTL_XE_GEM_MMAP_OFFSET): {
		struct drm_xe_gem_mmap_offset *m = arg;

		m->offset = (uint64_t)m->handle << 23;
		return 0;
	}
	case NR(DRM_IOCTL_XE_VM_CREATE):
		((struct drm_xe_vm_create *)arg)->vm_id = 3 + k.vms++;
		return 0;
	case NR(DRM_IOCTL_XE_VM_BIND):
		k.bind = *(struct drm_xe_vm_bind *)arg;
		k.binds++;
		if (k.bind.bind.op == DRM_XE_VM_BIND_OP_PREFETCH) {
			k.prefetches++;
			k.prefetch_to[k.bind.bind.prefetch_mem_region_instance & 1]++;
			k.prefetch_vm = k.bind.vm_id;
		}
		if (k.bind.bind.op == DRM_XE_VM_BIND_OP_MAP && k.nmap < 32) {
			k.map[k.nmap].addr = k.bind.bind.addr;
			k.map[k.nmap++].handle = k.bind.bind.obj;
		}
		return 0;
	case NR(DRM_IOCTL_XE_EXEC_QUEUE_CREATE):
		k.queue = *(struct drm_xe_exec_queue_create *)arg;
		k.eci = *(struct drm_xe_engine_class_instance *)(uintptr_t)
			k.queue.instances;
		((struct drm_xe_exec_queue_create *)arg)->exec_queue_id =
			5 + k.next_queue++;
		return 0;
	case NR(DRM_IOCTL_XE_EXEC):
		k.exec = *(struct drm_xe_exec *)arg;
		if (k.exec.num_syncs)
			k.exec_sync = *(struct drm_xe_sync *)(uintptr_t)
				k.exec.syncs;
		k.execs++;
		if (k.exec.exec_queue_id >= 5 && k.exec.exec_queue_id < 13)
			k.execs_on[k.exec.exec_queue_id - 5]++;
		read_batch(k.exec.address);
		return 0;
	case NR(DRM_IOCTL_SYNCOBJ_CREATE):
		((struct drm_syncobj_create *)arg)->handle = 9;
		return 0;
	case NR(DRM_IOCTL_SYNCOBJ_WAIT):
		k.waits++;
		return 0;
	case NR(DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD): {
		struct drm_syncobj_handle *h = arg;

		if (h->flags != DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE) {
			errno = EINVAL;
			return -1;
		}
		k.fence = eventfd(0, EFD_CLOEXEC);
		h->fd = k.fence;
		return k.fence < 0 ? -1 : 0;
	}
	case NR(DRM_IOCTL_GEM_CLOSE):
		/* The newest handle is reused, so the memfd offsets of
		 * short-lived batch BOs (one per copy) stay bounded. */
		if (((struct drm_gem_close *)arg)->handle == k.next_handle)
			k.next_handle--;
		return 0;
	case NR(DRM_IOCTL_SYNCOBJ_DESTROY):
	case NR(DRM_IOCTL_XE_VM_DESTROY):
	case NR(DRM_IOCTL_XE_EXEC_QUEUE_DESTROY):
		return 0;
	}
#undef NR
	printf("# fake xe: unexpected ioctl %#lx\n", req);
	errno = ENOTTY;
	return -1;
}

int ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (fd == k.fd)
		return fake(req, arg);
	if (fd == k.fence && req == SYNC_IOC_FILE_INFO) {
		((struct sync_file_info *)arg)->status = k.fence_status;
		return 0;
	}
	return (int)syscall(SYS_ioctl, fd, req, arg);
}

/*
 * Copy commands (blitter client, 2 << 29) in a batch, found by walking the
 * command lengths up to MI_BATCH_BUFFER_END; -1 on a dword that is no
 * command this suite emits.
 */
static int batch_copies(const uint32_t *b, int n)
{
	int copies = 0;

	for (int i = 0; i < n;) {
		uint32_t dw = b[i], op = (dw >> 23) & 0x3f;

		if (dw >> 29 == 2) {
			copies++;
			i += (dw & 0xff) + 2;
			continue;
		}
		if (dw >> 29)
			return -1;
		if (op == 0x0a)		/* MI_BATCH_BUFFER_END */
			break;
		i += op == 0x00 || op == 0x05 ? 1 : (int)(dw & 0xff) + 2;
	}
	return copies;
}

struct tally {
	int want;	/* the ioctls' errno */
	int ok, n;
};

static void sweep_tally(const char *name, int err, void *data)
{
	struct tally *t = data;
	int want = hu_xe_sweep_want(name, t->want);

	t->n++;
	if (want && err == -want)
		t->ok++;
	else
		printf("# %s: %d, want %d\n", name, err, -want);
}

/*
 * After the device is gone: for each version read and each way it went,
 * the table's errno is the one the fake kernel gives to every ioctl (the
 * new mmap: ENODEV), and it is the literal one the source says.
 */
static void gone(struct hu_xe_ctx *ctx, const struct hu_xe_buf *bo)
{
	static const struct {
		enum fake_gone gone;
		bool wedged;
		enum hu_xe_gone how;
		int want;
		const char *what;
	} cases[] = {
		{ FAKE_UNBOUND, false, HU_XE_GONE_UNBIND, ENODEV, "unbind" },
		{ FAKE_REMOVED, false, HU_XE_GONE_REMOVE, EACCES, "PCI remove" },
		{ FAKE_UNBOUND, true, HU_XE_GONE_UNBIND, ECANCELED,
		  "wedged, unbind" },
		{ FAKE_REMOVED, true, HU_XE_GONE_REMOVE, ECANCELED,
		  "wedged, PCI remove" },
	};
	static const uint32_t kvers[] = {
		HU_KVER(6, 12, 117), HU_KVER(6, 16, 0), HU_KVER(6, 18, 9),
		HU_KVER(7, 3, 4),
	};
	int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	char v[16];

	/* mmap on /dev/null fails with ENODEV, as drm_gem_mmap() does. */
	check(devnull >= 0 && dup2(devnull, k.fd) == k.fd, "fake unplug");
	close(devnull);
	for (size_t i = 0; i < sizeof(kvers) / sizeof(kvers[0]); i++) {
		for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
			int want = hu_xe_expect_errno(kvers[i], cases[c].how,
						      cases[c].wedged);
			struct tally t = { .want = want };

			hu_kver_str(kvers[i], v, sizeof(v));
			check_eq(want, cases[c].want, "%s, %s: the table says "
				 "%s", v, cases[c].what, strerror(cases[c].want));
			k.kver = kvers[i];
			k.gone = cases[c].gone;
			k.wedged = cases[c].wedged;
			hu_xe_ioctl_sweep(ctx, bo, sweep_tally, &t);
			check(t.n >= 16 && t.ok == t.n, "%s, %s: %d of %d sweep "
			      "items as the table says", v, cases[c].what, t.ok,
			      t.n);
		}
	}
	/* Older kernels were not read: no expectation, no model. */
	check_eq(hu_xe_expect_errno(HU_KVER(6, 10, 0), HU_XE_GONE_REMOVE,
				    false), 0, "6.10: not verified, nothing "
		 "expected");
	k.kver = HU_KVER(6, 10, 0);
	check_eq(__hu_xe_vm_create(k.fd, 0, &(uint32_t){ 0 }), -EDOM,
		 "the fake does not stand for 6.10");
	k.kver = HU_KVER(6, 12, 117);
	k.gone = FAKE_UNBOUND;
	k.wedged = false;
}

/*
 * The background copies run on an exec queue and VM of their own, never
 * on the spinner's queue, and make progress next to it.
 */
static void bg_copy(struct hu_xe_ctx *ctx)
{
	struct hu_xe_bg bg;
	int before;

	check_eq(hu_xe_bg_prepare(ctx, &bg, HU_XE_BG_COPY, 1 << 20, 0), 0,
		 "background copies prepared");
	check(bg.ctx->queue && bg.ctx->queue != ctx->queue &&
	      bg.ctx->vm && bg.ctx->vm != ctx->vm,
	      "their own exec queue (%u, spinner's %u) and VM", bg.ctx->queue,
	      ctx->queue);
	check(k.queue.vm_id == bg.ctx->vm &&
	      k.eci.engine_class == DRM_XE_ENGINE_CLASS_COPY,
	      "the queue is on the copy engine, in their VM");
	before = k.execs_on[ctx->queue - 5];
	k.execs_on[bg.ctx->queue - 5] = 0;
	check_eq(hu_xe_bg_start(&bg), 0, "background copy thread");
	check(hu_xe_bg_wait_progress(&bg, 5, 5000), "five copies completed");
	check_eq(hu_xe_bg_stop(&bg), 0, "stopped without error");
	check(k.execs_on[bg.ctx->queue - 5] >= 5 &&
	      k.execs_on[ctx->queue - 5] == before,
	      "every copy on their queue (%d), none on the spinner's",
	      k.execs_on[bg.ctx->queue - 5]);
	hu_xe_bg_free(&bg);
	check(!hu_xe_bg_wait_progress(&bg, 1, 10),
	      "no progress reported from a stopped workload");
}

int main(void)
{
	struct hu_xe_buf bo, exp, up;
	struct hu_xe_ctx ctx;
	struct hu_xe_bind pf;
	struct drm_xe_sync sync;

	/* A memfd stands for the device: BO mmaps at handle << 23 work. */
	k.fd = memfd_create("fake-xe", MFD_CLOEXEC);
	check(k.fd >= 0 && ftruncate(k.fd, 512 << 20) == 0, "fake device fd");

	check_eq(__hu_xe_ctx_init(&ctx, k.fd, 0), 0, "ctx on the fake DG2");
	check(k.queries == 8 && k.bad_queries == 0,
	      "four queries, each asked for its size first");
	check(ctx.info.has_vram && ctx.info.vram == 1 && ctx.info.devid == 0x56a0,
	      "query parsed through the ioctl");
	check(k.queue.width == 1 && k.queue.num_placements == 1 &&
	      k.queue.vm_id == 3, "exec queue: width 1, one placement, our VM");
	check(k.eci.engine_class == DRM_XE_ENGINE_CLASS_COPY &&
	      k.eci.engine_instance == 0 && k.eci.gt_id == 0,
	      "exec queue on BCS0 of GT0");
	check_eq(ctx.queue, 5, "exec queue id returned");

	check_eq(__hu_xe_buf_bo(&ctx, &bo, HU_XE_MEM_VRAM, 100, false), 0,
		 "mapped VRAM BO");
	check(k.create.size == 65536 && k.create.placement == 0x2 &&
	      k.create.flags == DRM_XE_GEM_CREATE_FLAG_NEEDS_VISIBLE_VRAM &&
	      k.create.cpu_caching == DRM_XE_GEM_CPU_CACHING_WC &&
	      k.create.vm_id == 3,
	      "gem_create: 64 KiB, VRAM bit, visible, WC, VM-private");
	check(k.bind.num_binds == 1 && k.bind.vm_id == 3 &&
	      k.bind.bind.op == DRM_XE_VM_BIND_OP_MAP &&
	      k.bind.bind.obj == bo.handle && k.bind.bind.obj_offset == 0 &&
	      k.bind.bind.range == 65536 && k.bind.bind.addr == bo.gpu &&
	      k.bind.bind.pat_index == 0,
	      "bind: MAP of the whole BO at its VA, DG2 WB PAT 0");
	check(k.bind.num_syncs == 1 && k.waits == 1,
	      "bind waited on its syncobj out-fence");
	check(bo.cpu && bo.mmap_offset == (uint64_t)bo.handle << 23,
	      "mapped at the offset MMAP_OFFSET gave");

	check_eq(__hu_xe_buf_bo(&ctx, &exp, HU_XE_MEM_SYS, 5000, true), 0,
		 "exportable system BO");
	check(k.create.vm_id == 0 && k.create.placement == 0x1 &&
	      k.create.cpu_caching == DRM_XE_GEM_CPU_CACHING_WB &&
	      k.create.size == 8192 && k.create.flags == 0,
	      "exportable: vm_id 0, system bit, WB, 8 KiB, no flags");
	check(exp.gpu >= bo.gpu + bo.size, "VAs do not overlap");

	check_eq(__hu_xe_buf_userptr(&ctx, &up, HU_XE_BUF_USERPTR_MALLOC, 5000),
		 0, "userptr");
	check(k.bind.bind.op == DRM_XE_VM_BIND_OP_MAP_USERPTR &&
	      k.bind.bind.obj == 0 &&
	      k.bind.bind.userptr == (uintptr_t)up.cpu &&
	      k.bind.bind.range == 8192 && ((uintptr_t)up.cpu & 4095) == 0,
	      "bind: MAP_USERPTR of the page-aligned malloc, 8 KiB");

	pf = (struct hu_xe_bind) { .vm = 3, .op = DRM_XE_VM_BIND_OP_PREFETCH,
				   .addr = bo.gpu, .range = bo.size,
				   .prefetch_region = 1 };
	check_eq(__hu_xe_vm_bind(k.fd, &pf, NULL, 0), 0, "prefetch");
	check(k.bind.bind.op == DRM_XE_VM_BIND_OP_PREFETCH &&
	      k.bind.bind.obj == 0 &&
	      k.bind.bind.prefetch_mem_region_instance == 1,
	      "bind: PREFETCH names the region instance, no object");

	sync = hu_xe_sync_out(9);
	check_eq(__hu_xe_exec(k.fd, ctx.queue, bo.gpu, &sync, 1), 0, "exec");
	check(k.exec.exec_queue_id == 5 && k.exec.address == bo.gpu &&
	      k.exec.num_batch_buffer == 1 && k.exec.num_syncs == 1 &&
	      k.exec_sync.type == DRM_XE_SYNC_TYPE_SYNCOBJ &&
	      k.exec_sync.flags == DRM_XE_SYNC_FLAG_SIGNAL &&
	      k.exec_sync.handle == 9,
	      "exec: queue, batch address, one batch, syncobj out-fence");

	/*
	 * A one-shot copy VRAM -> system on DG2: the exec'd batch is one
	 * XY_FAST_COPY_BLT between the two VAs (src local, dst system hint)
	 * and MI_BATCH_BUFFER_END.
	 */
	check_eq(__hu_xe_copy(&ctx, &bo, &exp, 4096, 1000), 0, "copy");
	check(k.batch[0] == 0x50800008 && k.batch[1] == 0x13001000 &&
	      k.batch[3] == 0x00010400,
	      "copy batch: fast copy, 4 KiB pitch, dst system, one row");
	check(k.batch[4] == (uint32_t)exp.gpu && k.batch[8] == (uint32_t)bo.gpu,
	      "copy batch: dst and src are the buffers' VAs");
	check_eq(k.batch[10], 0x05000000, "copy batch ends with BB_END");

	/*
	 * The spinner: its batch marks it started at +0x800 (the fake runs
	 * that first store), loops copying, and ends on the dword at +0x808,
	 * which the CPU sets to run and then to stop; its exported fence
	 * (an eventfd here) tells busy from done, and the status is passed on.
	 */
	{
		struct hu_xe_spin spin;
		uint32_t dw[2];

		check_eq(__hu_xe_spin_start(&ctx, &spin, &bo, &exp, 4096), 0,
			 "spinner submitted");
		check(k.batch[0] == 0x10000002 &&
		      k.batch[1] == (uint32_t)(spin.bo.gpu + 0x800) &&
		      k.batch[3] == HU_XE_SPIN_STARTED &&
		      k.batch[4] == 0x02800000 && k.batch[5] == 0x50800008,
		      "spinner batch: mark started, ARB_CHECK, fast copy");
		check_eq(batch_copies(k.batch, 16), 1,
			 "the decoder finds the copy spinner's copy");
		check(!hu_xe_spin_started(&spin) &&
		      !hu_xe_spin_wait_started(&spin, 20),
		      "not started until the GPU writes the marker");
		((uint32_t *)spin.bo.cpu)[0x800 / 4] = k.batch[3];
		check(hu_xe_spin_wait_started(&spin, 20), "started");
		check(pread(k.fd, dw, 8, ((off_t)spin.bo.handle << 23) + 0x808) ==
		      8 && dw[0] == HU_XE_SPIN_RUN, "end dword says run");
		check(hu_xe_spin_busy(&spin) && hu_xe_spin_wait(&spin, 10) == 0,
		      "an unsignalled fence: busy, the wait times out");
		hu_xe_spin_stop(&spin);
		check(pread(k.fd, dw, 8, ((off_t)spin.bo.handle << 23) + 0x808) ==
		      8 && dw[0] == HU_XE_SPIN_STOP, "stop writes the end dword");
		k.fence_status = -ECANCELED;
		check(write(k.fence, &(uint64_t){ 1 }, 8) == 8, "fence signals");
		check(!hu_xe_spin_busy(&spin) &&
		      hu_xe_spin_wait(&spin, 1000) == -ECANCELED,
		      "a signalled fence: not busy, its error status returned");
		k.fence_status = 1;
		check_eq(hu_xe_spin_wait(&spin, 1000), 1, "status 1: signalled ok");
		hu_xe_spin_free(&spin);
		check(fcntl(k.fence, F_GETFD) < 0, "the exported fence is closed");
	}

	/*
	 * Background work. Overcommit: visible VRAM (24 MiB) + half of it in
	 * 12 evictable BOs of 4 MiB (rounded to 2 MiB), exportable, bound in
	 * a VM of their own; a round prefetches each to VRAM once.
	 */
	{
		struct hu_xe_bg bg;
		char why[128] = "";
		int64_t end;

		check_eq(hu_xe_bg_prepare(&ctx, &bg, HU_XE_BG_EVICT, 0, 1 << 20),
			 -ENOSPC, "overcommit refused without the system memory");
		check_eq(hu_xe_bg_prepare(&ctx, &bg, HU_XE_BG_EVICT, 0, 1ull << 30),
			 0, "overcommit set");
		check(bg.num_bufs == 12 && bg.bufs[0].size == 4 << 20 &&
		      k.create.placement == 0x3 && k.create.vm_id == 0 &&
		      bg.ctx->vm != ctx.vm,
		      "12 x 4 MiB, VRAM|system, exportable, own VM");
		k.prefetches = k.prefetch_to[0] = k.prefetch_to[1] = 0;
		check_eq(hu_xe_bg_round(&bg, why, sizeof(why)), 0,
			 "a round of evictions, data intact");
		check(k.prefetches == 12 && k.prefetch_to[1] == 12 &&
		      k.prefetch_vm == bg.ctx->vm,
		      "the round prefetched every BO to VRAM, in the own VM");
		((uint32_t *)bg.bufs[5].cpu)[1024 * 3] ^= 1;
		check_eq(hu_xe_bg_round(&bg, why, sizeof(why)), -EIO,
			 "a BO that lost data is reported: %s", why);
		hu_xe_bg_free(&bg);

		check_eq(hu_xe_bg_prepare(&ctx, &bg, HU_XE_BG_PREFETCH, 4 << 20,
					  0), 0, "ping-pong BO");
		k.prefetches = k.prefetch_to[0] = k.prefetch_to[1] = 0;
		check(hu_xe_bg_start(&bg) == 0, "ping-pong thread");
		end = time(NULL) + 5;
		while (bg.iterations < 20 && time(NULL) < end)
			usleep(1000);
		/*
		 * Unplug under it: the next bind fails, the thread ends. Let it
		 * get there (bounded) before asking it to stop, which it would
		 * otherwise honour first, ENODEV unseen.
		 */
		k.gone = FAKE_UNBOUND;
		end = time(NULL) + 5;
		while (!bg.err && time(NULL) < end)
			usleep(1000);
		check_eq(hu_xe_bg_stop(&bg), -ENODEV,
			 "the thread stops on ENODEV (after %lu steps)",
			 bg.iterations);
		k.gone = FAKE_PRESENT;
		check(k.prefetches >= 20 &&
		      abs(k.prefetch_to[0] - k.prefetch_to[1]) <= 1,
		      "ping-pong alternates VRAM and system (%d/%d)",
		      k.prefetch_to[1], k.prefetch_to[0]);
		hu_xe_bg_free(&bg);
	}

	/*
	 * The spinner unbind-wedged hangs: no copy in its batch (store the
	 * marker, ARB_CHECK, conditional end, jump back), its BO in VRAM.
	 */
	{
		struct hu_xe_spin spin;

		check_eq(__hu_xe_spin_start_hang(&ctx, &spin), 0,
			 "hang spinner submitted");
		check(k.create.placement == 0x2 &&
		      k.exec.address == spin.bo.gpu,
		      "hang spinner: its BO (the batch) in VRAM on the DG2");
		check_eq(batch_copies(k.batch, 16), 0,
			 "hang spinner: no copy command in the batch");
		check(k.batch[0] == 0x10000002 && k.batch[4] == 0x02800000 &&
		      k.batch[5] == 0x1b200002 && k.batch[9] == 0x18800101 &&
		      k.batch[10] == (uint32_t)(spin.bo.gpu + 16) &&
		      k.batch[12] == 0x05000000,
		      "hang spinner: marker, ARB_CHECK, cond. end, jump back");
		hu_xe_spin_stop(&spin);
		hu_xe_spin_free(&spin);
	}
	bg_copy(&ctx);

	gone(&ctx, &bo);
	hu_xe_buf_free(&ctx, &up);
	hu_xe_buf_free(&ctx, &exp);
	hu_xe_buf_free(&ctx, &bo);
	hu_xe_ctx_fini(&ctx);
	check(!bo.cpu && !up.cpu, "buffers released after unplug");
	close(k.fd);
	return check_done();
}
