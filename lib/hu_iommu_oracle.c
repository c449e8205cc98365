// SPDX-License-Identifier: MIT
/*
 * hu_iommu_oracle: see hu_iommu_oracle.h. Arming probes what this kernel
 * has (events first, kprobes where they are missing) and says what it
 * armed; the judging is hu_iommu_trace.c.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hu_core.h"
#include "hu_iommu_oracle.h"
#include "hu_tracefs.h"
#include "hu_udev.h"

#define INSTANCE "hu-iommu"
#define KGROUP "hu_iommu"
/* Ring buffer: 8 MiB per CPU (transfer loops trace a lot), but no more
 * than 64 MiB in all on big machines and no less than 1 MiB per CPU. */
#define BUFFER_KB_CPU 8192
#define BUFFER_KB_ALL 65536
#define MAX_ARMED 32

struct armed {
	char sys[32];
	char event[48];
	bool unmap;		/* has a stacktrace trigger */
	bool kprobe;
};

struct hu_iommu_oracle {
	char inst[PATH_MAX];
	char **devices;		/* NULL-terminated copy */
	char filter[512];	/* device == "A" || ... */
	char kfilter[512];	/* dev == "A" || ... (kprobe field) */
	struct armed armed[MAX_ARMED];
	int narmed;
	char probes[1024];
	struct hu_iommu_report last;	/* of the last printed verdict */
	struct hu_iommu_cost cost;
	unsigned int flags;		/* HU_IOMMU_* */
	bool traced;			/* arming completed */
};

/* Event candidates: the map side is optional, the leave and unmap sides
 * fall back to kprobes. */
static const struct {
	const char *sys, *event;
	bool unmap;
} event_list[] = {
	{ "iommu", "add_device_to_group", false },
	{ "iommu", "remove_device_from_group", false },
	{ "dma", "dma_map_sg", false },
	{ "dma", "dma_unmap_sg", true },
	{ "dma", "dma_map_phys", false },
	{ "dma", "dma_unmap_phys", true },
	{ "dma", "dma_map_page", false },
	{ "dma", "dma_unmap_page", true },
	{ "dma", "dma_map_resource", false },
	{ "dma", "dma_unmap_resource", true },
	{ "dma", "dma_alloc", false },
	{ "dma", "dma_free", true },
	{ "dma", "dma_alloc_pages", false },
	{ "dma", "dma_free_pages", true },
	{ "dma", "dma_alloc_sgt", false },
	{ "dma", "dma_free_sgt", true },
};

/* kprobe fallbacks; $argN is the Nth argument at function entry. */
#define DEV_ARG "dev=+0(+0($arg1)):string"	/* dev->kobj.name */
static const struct {
	const char *event;
	const char *funcs[3];	/* the first that exists is probed */
	const char *args;
	bool unmap;
} kprobe_list[] = {
	{ "hu_leave", { "iommu_deinit_device", "__iommu_group_remove_device",
			"iommu_group_remove_device" }, DEV_ARG, false },
	{ "hu_map_sg", { "__dma_map_sg_attrs", "dma_map_sg_attrs" },
	  DEV_ARG " sg=$arg2:x64", false },
	{ "hu_unmap_sg", { "dma_unmap_sg_attrs" }, DEV_ARG " sg=$arg2:x64", true },
	{ "hu_unmap_page", { "dma_unmap_page_attrs" },
	  DEV_ARG " addr=$arg2:x64", true },
	{ "hu_unmap_phys", { "dma_unmap_phys" }, DEV_ARG " addr=$arg2:x64", true },
	{ "hu_unmap_res", { "dma_unmap_resource" },
	  DEV_ARG " addr=$arg2:x64", true },
	{ "hu_free", { "dma_free_attrs" }, DEV_ARG " addr=$arg4:x64", true },
};

static struct hu_iommu_oracle *armed_oracle;	/* for the exit handler */
/*
 * The oracle stays armed after hu_iommu_oracle_free() until the process
 * ends, or another arm names other devices or flags: the next arm for the
 * same devices then only clears the ring buffer. Arming is what costs
 * under emulation (an instance, its ring buffer, a text patch per event:
 * docs/vm-lane.md, "IOMMU oracle cost"), and every text patch is a chance
 * for TCG's stale-int3 Oops (docs/vm-lane.md, "Oops: int3 under TCG").
 */
static struct hu_iommu_oracle *parked;
static pid_t armed_pid;		/* a forked child must not disarm it */

/* the cost line's clock: milliseconds are all it prints */
static double now_s(void)
{
	return hu_now_ms() / 1000.0;
}

static bool exit_handler_installed;

bool hu_iommu_has_group(const char *pci_bdf)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/iommu_group", pci_bdf);
	return access(p, F_OK) == 0;
}

static void build_filter(char *dst, size_t len, const char *field,
			 char *const *devices)
{
	size_t used = 0;

	dst[0] = '\0';
	for (; *devices && used < len; devices++)
		used += snprintf(dst + used, len - used, "%s%s == \"%s\"",
				 used ? " || " : "", field, *devices);
}

static void note_probe(struct hu_iommu_oracle *o, const char *what)
{
	size_t used = strlen(o->probes);

	snprintf(o->probes + used, sizeof(o->probes) - used, "%s%s",
		 used ? " " : "", what);
}

static int arm_event(struct hu_iommu_oracle *o, const char *sys,
		     const char *event, bool unmap, bool kprobe)
{
	const char *filter = kprobe ? o->kfilter : o->filter;
	struct armed *a;
	char trig[600];
	int err;

	if (o->narmed == MAX_ARMED)
		return -ENOSPC;
	if (o->flags & HU_IOMMU_NO_STACKS)
		unmap = false;
	err = hu_tracefs_event_filter(o->inst, sys, event, filter);
	if (err)
		return err;
	if (unmap) {
		snprintf(trig, sizeof(trig), "stacktrace if %s", filter);
		err = hu_tracefs_event_trigger(o->inst, sys, event, trig, true);
		if (err)
			return err;
	}
	err = hu_tracefs_event_enable(o->inst, sys, event, true);
	if (err) {
		if (unmap)
			hu_tracefs_event_trigger(o->inst, sys, event,
						 "stacktrace", false);
		return err;
	}
	a = &o->armed[o->narmed++];
	snprintf(a->sys, sizeof(a->sys), "%s", sys);
	snprintf(a->event, sizeof(a->event), "%s", event);
	a->unmap = unmap;
	a->kprobe = kprobe;
	return 0;
}

static bool arm_kprobe(struct hu_iommu_oracle *o, int k)
{
	unsigned int i;

	for (i = 0; i < 3 && kprobe_list[k].funcs[i]; i++) {
		const char *fn = kprobe_list[k].funcs[i];
		char what[128];
		int err;

		if (!hu_tracefs_has_function(fn))
			continue;
		err = hu_tracefs_kprobe_add(KGROUP, kprobe_list[k].event, fn,
					    kprobe_list[k].args);
		if (err) {
			hu_debug("iommu oracle: kprobe on %s: %s\n", fn,
				 strerror(-err));
			continue;
		}
		err = arm_event(o, KGROUP, kprobe_list[k].event,
				kprobe_list[k].unmap, true);
		if (err) {
			hu_debug("iommu oracle: enabling kprobe on %s: %s\n",
				 fn, strerror(-err));
			hu_tracefs_kprobe_del(KGROUP, kprobe_list[k].event);
			continue;
		}
		snprintf(what, sizeof(what), "kprobe:%s", fn);
		note_probe(o, what);
		return true;
	}
	return false;
}

/*
 * Removing the instance switches its events off, drops their triggers and
 * filters and waits for running probes once (kernel/trace/trace_events.c,
 * event_trace_del_tracer()). Clearing each filter first cost a grace
 * period per event on kernels whose apply_event_filter()
 * (trace_events_filter.c) frees the old filter after
 * tracepoint_synchronize_unregister() (newer ones defer the free with
 * call_rcu_tasks_trace(); from which version: not verified). Only if the
 * instance cannot go are the events cleaned one by one.
 */
static void disarm(struct hu_iommu_oracle *o)
{
	int i;

	if (hu_tracefs_instance_remove(INSTANCE)) {
		for (i = 0; i < o->narmed; i++) {
			struct armed *a = &o->armed[i];

			hu_tracefs_event_enable(o->inst, a->sys, a->event,
						false);
			if (a->unmap)
				hu_tracefs_event_trigger(o->inst, a->sys,
							 a->event, "stacktrace",
							 false);
			hu_tracefs_event_filter(o->inst, a->sys, a->event, "");
		}
		hu_tracefs_instance_remove(INSTANCE);
	}
	for (i = 0; i < o->narmed; i++)
		if (o->armed[i].kprobe)
			hu_tracefs_kprobe_del(KGROUP, o->armed[i].event);
	o->narmed = 0;
}

static void exit_handler(int sig)
{
	if (armed_oracle && getpid() == armed_pid)
		disarm(armed_oracle);
	armed_oracle = NULL;
	parked = NULL;
}

static void destroy(struct hu_iommu_oracle *o);

/* Was @o armed for exactly @devices with @flags (and may it be kept)? */
static bool same_setup(const struct hu_iommu_oracle *o,
		       const char *const *devices, unsigned int flags)
{
	int i;

	if (o->flags != flags || (flags & HU_IOMMU_REARM))
		return false;
	for (i = 0; devices[i] && o->devices[i]; i++)
		if (strcmp(devices[i], o->devices[i]))
			return false;
	return !devices[i] && !o->devices[i];
}

/* Starts a kept oracle afresh: an empty buffer, a zeroed report and cost. */
static int rearm(struct hu_iommu_oracle *o, double t0)
{
	int ret;

	if (access(o->inst, F_OK))
		return -ENOENT;	/* someone removed the instance */
	ret = hu_tracefs_write(o->inst, "trace", "", false);
	if (ret)
		return ret;
	memset(&o->last, 0, sizeof(o->last));
	memset(&o->cost, 0, sizeof(o->cost));
	o->cost.kept = true;
	o->cost.arm_s = now_s() - t0;
	hu_debug("iommu oracle: kept armed for %s, buffer cleared\n",
		 o->filter);
	return 0;
}

struct hu_iommu_oracle *__hu_iommu_oracle_arm(const char *const *devices,
					      unsigned int flags, int *err)
{
	bool force = flags & HU_IOMMU_FORCE_KPROBES;
	double t0 = now_s();
	struct hu_iommu_oracle *o;
	bool have_leave = false, have_unmap = false, have_dma_events;
	int n = 0, i, ret;
	unsigned int e;

	*err = 0;
	if (!devices || !devices[0]) {
		*err = -EINVAL;
		return NULL;
	}
	if (parked) {
		o = parked;
		if (same_setup(o, devices, flags) && !rearm(o, t0)) {
			parked = NULL;
			return o;
		}
		hu_debug("iommu oracle: re-arming from scratch\n");
		destroy(o);
	}
	if (armed_oracle) {
		hu_warn("iommu oracle: already armed\n");
		*err = -EBUSY;
		return NULL;
	}
	if (!hu_tracefs_root()) {
		hu_debug("iommu oracle: no tracefs\n");
		*err = -ENOENT;
		return NULL;
	}
	o = calloc(1, sizeof(*o));
	while (devices[n])
		n++;
	if (o)
		o->devices = calloc(n + 1, sizeof(char *));
	if (!o || !o->devices) {
		free(o);
		*err = -ENOMEM;
		return NULL;
	}
	o->flags = flags;
	for (i = 0; i < n; i++)
		o->devices[i] = strdup(devices[i]);
	build_filter(o->filter, sizeof(o->filter), "device", o->devices);
	build_filter(o->kfilter, sizeof(o->kfilter), "dev", o->devices);

	/* A previous run that died armed leaves its instance and kprobes. */
	hu_tracefs_instance_remove(INSTANCE);
	for (e = 0; e < sizeof(kprobe_list) / sizeof(kprobe_list[0]); e++)
		hu_tracefs_kprobe_del(KGROUP, kprobe_list[e].event);

	ret = hu_tracefs_instance_create(INSTANCE, o->inst, sizeof(o->inst));
	if (ret) {
		hu_debug("iommu oracle: instance: %s\n", strerror(-ret));
		*err = ret;
		goto fail;
	}
	armed_oracle = o;
	armed_pid = getpid();
	if (!exit_handler_installed) {
		hu_install_exit_handler(exit_handler);
		exit_handler_installed = true;
	}
	hu_tracefs_write(o->inst, "tracing_on", "0", false);
	{
		long cpus = sysconf(_SC_NPROCESSORS_CONF);
		long kb = BUFFER_KB_ALL / (cpus > 0 ? cpus : 1);
		char val[32];

		kb = kb > BUFFER_KB_CPU ? BUFFER_KB_CPU : kb < 1024 ? 1024 : kb;
		snprintf(val, sizeof(val), "%ld", kb);
		hu_tracefs_write(o->inst, "buffer_size_kb", val, false);
	}

	for (e = 0; e < sizeof(event_list) / sizeof(event_list[0]); e++) {
		const char *sys = event_list[e].sys, *ev = event_list[e].event;
		char what[96];

		/* joins are always taken from the event; the rest may be
		 * forced off to exercise the kprobe fallbacks */
		if ((force && strcmp(ev, "add_device_to_group")) ||
		    !hu_tracefs_has_event(sys, ev))
			continue;
		ret = arm_event(o, sys, ev, event_list[e].unmap, false);
		if (ret) {
			hu_debug("iommu oracle: event %s/%s: %s\n", sys, ev,
				 strerror(-ret));
			continue;
		}
		snprintf(what, sizeof(what), "%s/%s", sys, ev);
		note_probe(o, what);
		if (!strcmp(ev, "remove_device_from_group"))
			have_leave = true;
		if (event_list[e].unmap)
			have_unmap = true;
	}
	have_dma_events = have_unmap;
	for (e = 0; e < sizeof(kprobe_list) / sizeof(kprobe_list[0]); e++) {
		bool leave = !strcmp(kprobe_list[e].event, "hu_leave");

		if (leave ? have_leave : have_dma_events)
			continue;
		if (arm_kprobe(o, e)) {
			if (leave)
				have_leave = true;
			else if (kprobe_list[e].unmap)
				have_unmap = true;
		}
	}
	if (!have_leave || !have_unmap) {
		hu_debug("iommu oracle: cannot trace %s\n",
			 have_leave ? "DMA unmaps" : "IOMMU group removal");
		*err = -EOPNOTSUPP;
		goto fail;
	}
	hu_tracefs_write(o->inst, "trace", "", false);	/* clear */
	ret = hu_tracefs_write(o->inst, "tracing_on", "1", false);
	if (ret) {
		*err = ret;
		goto fail;
	}
	o->cost.arm_s = now_s() - t0;
	o->traced = true;
	hu_debug("iommu oracle: armed for %s: %s\n", o->filter, o->probes);
	return o;
fail:
	destroy(o);
	return NULL;
}

const char *hu_iommu_oracle_probes(const struct hu_iommu_oracle *o)
{
	return o ? o->probes : "";
}

static void mark(struct hu_iommu_oracle *o, const char *what,
		 const char *device)
{
	char text[128];

	if (!o)
		return;
	snprintf(text, sizeof(text), "hu_iommu: %s %s\n", what, device);
	hu_tracefs_marker(o->inst, text);
}

void hu_iommu_oracle_mark_unbound(struct hu_iommu_oracle *o,
				  const char *device)
{
	mark(o, "unbound", device);
}

void hu_iommu_oracle_mark_bound(struct hu_iommu_oracle *o, const char *device)
{
	mark(o, "bound", device);
}

int __hu_iommu_oracle_verdict(struct hu_iommu_oracle *o,
			      struct hu_iommu_report *r)
{
	double t = now_s();
	size_t len;
	char *text;
	int ret;

	ret = hu_tracefs_read(o->inst, "trace", &text, &len);
	o->cost.read_s += now_s() - t;
	if (ret)
		return ret;
	o->cost.reads++;
	o->cost.read_bytes += len;
	t = now_s();
	ret = hu_iommu_trace_parse(text, (const char *const *)o->devices, r);
	o->cost.parse_s += now_s() - t;
	free(text);
	if (ret < 0)
		return ret;
	return r->nfindings;
}

int hu_iommu_oracle_verdict(struct hu_iommu_oracle *o, const char *stage)
{
	struct hu_iommu_report r;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int n;

	if (!o)
		return 0;
	n = __hu_iommu_oracle_verdict(o, &r);
	if (n < 0) {
		hu_warn("iommu oracle (%s): cannot read the trace: %s\n",
			stage, strerror(-n));
		return -1;
	}
	f = open_memstream(&buf, &len);
	if (f) {
		hu_iommu_report_print(&r, f, "");
		fclose(f);
	}
	o->last = r;
	if (n)
		hu_warn("iommu oracle (%s): %d finding(s)\n%s", stage, n,
			buf ? buf : "");
	else
		hu_info("iommu oracle (%s): clean (%u maps, %u unmaps, %u group leaves)%s\n",
			stage, r.maps, r.unmaps, r.leaves,
			r.overflow ? "; buffer overflowed" : "");
	free(buf);
	return n;
}

const struct hu_iommu_report *hu_iommu_oracle_report(
	const struct hu_iommu_oracle *o)
{
	return &o->last;
}

int hu_iommu_oracle_save(struct hu_iommu_oracle *o, const char *path)
{
	char *text;
	size_t len;
	FILE *f;
	int ret;

	ret = hu_tracefs_read(o->inst, "trace", &text, &len);
	if (ret)
		return ret;
	f = fopen(path, "we");
	if (!f) {
		ret = -errno;
	} else {
		if (fwrite(text, 1, len, f) != len)
			ret = -EIO;
		if (fclose(f) && !ret)
			ret = -errno;
	}
	free(text);
	return ret;
}

const struct hu_iommu_cost *hu_iommu_oracle_cost(
	const struct hu_iommu_oracle *o)
{
	return &o->cost;
}

void hu_iommu_cost_text(const struct hu_iommu_cost *c, bool kept,
			char *buf, size_t len)
{
	char end[48] = "kept armed";

	if (!kept)
		snprintf(end, sizeof(end), "disarm %.3f s", c->disarm_s);
	snprintf(buf, len, "%s %.3f s, read %.3f s (%u reads, %zu KiB), parse %.3f s, %s",
		 c->kept ? "clear" : "arm", c->arm_s, c->read_s, c->reads,
		 c->read_bytes / 1024, c->parse_s, end);
}

static void print_cost(const struct hu_iommu_oracle *o, bool kept)
{
	char text[160];

	hu_iommu_cost_text(&o->cost, kept, text, sizeof(text));
	hu_info("iommu oracle cost: %s\n", text);
}

int hu_iommu_oracle_mode(const char *mode, bool kprobes, unsigned int *flags)
{
	*flags = kprobes ? HU_IOMMU_FORCE_KPROBES : 0;
	if (!mode || !*mode)
		return 0;
	if (!strcmp(mode, "off"))
		return 1;
	if (!strcmp(mode, "nostack"))
		*flags |= HU_IOMMU_NO_STACKS;
	else if (!strcmp(mode, "rearm"))
		*flags |= HU_IOMMU_REARM;
	else
		return -EINVAL;
	return 0;
}

/* Disarms @o for good and frees it. */
static void destroy(struct hu_iommu_oracle *o)
{
	bool was_kept = parked == o;
	double t = now_s();
	int i;

	if (parked == o)
		parked = NULL;
	disarm(o);
	o->cost.disarm_s = now_s() - t;
	if (o->traced && !was_kept)
		print_cost(o, false);
	else if (o->traced)	/* its cost line is out already */
		hu_debug("iommu oracle: disarmed in %.3f s\n", o->cost.disarm_s);
	if (armed_oracle == o)
		armed_oracle = NULL;
	for (i = 0; o->devices && o->devices[i]; i++)
		free(o->devices[i]);
	free(o->devices);
	free(o);
}

void hu_iommu_oracle_free(struct hu_iommu_oracle *o)
{
	if (!o)
		return;
	if (o->traced && !(o->flags & HU_IOMMU_REARM) && armed_oracle == o &&
	    getpid() == armed_pid) {
		parked = o;
		print_cost(o, true);
		return;
	}
	destroy(o);
}
