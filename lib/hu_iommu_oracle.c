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

static void disarm(struct hu_iommu_oracle *o)
{
	int i;

	for (i = 0; i < o->narmed; i++) {
		struct armed *a = &o->armed[i];

		hu_tracefs_event_enable(o->inst, a->sys, a->event, false);
		if (a->unmap)
			hu_tracefs_event_trigger(o->inst, a->sys, a->event,
						 "stacktrace", false);
		hu_tracefs_event_filter(o->inst, a->sys, a->event, "");
	}
	hu_tracefs_instance_remove(INSTANCE);
	for (i = 0; i < o->narmed; i++)
		if (o->armed[i].kprobe)
			hu_tracefs_kprobe_del(KGROUP, o->armed[i].event);
	o->narmed = 0;
}

static void exit_handler(int sig)
{
	if (armed_oracle)
		disarm(armed_oracle);
	armed_oracle = NULL;
}

struct hu_iommu_oracle *__hu_iommu_oracle_arm(const char *const *devices,
					      unsigned int flags, int *err)
{
	bool force = flags & HU_IOMMU_FORCE_KPROBES;
	struct hu_iommu_oracle *o;
	bool have_leave = false, have_unmap = false, have_dma_events;
	int n = 0, i, ret;
	unsigned int e;

	*err = 0;
	if (!devices || !devices[0]) {
		*err = -EINVAL;
		return NULL;
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
	hu_debug("iommu oracle: armed for %s: %s\n", o->filter, o->probes);
	return o;
fail:
	hu_iommu_oracle_free(o);
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
	char *text;
	int ret;

	ret = hu_tracefs_read(o->inst, "trace", &text, NULL);
	if (ret)
		return ret;
	ret = hu_iommu_trace_parse(text, (const char *const *)o->devices, r);
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

void hu_iommu_oracle_free(struct hu_iommu_oracle *o)
{
	int i;

	if (!o)
		return;
	disarm(o);
	if (armed_oracle == o)
		armed_oracle = NULL;
	for (i = 0; o->devices && o->devices[i]; i++)
		free(o->devices[i]);
	free(o->devices);
	free(o);
}
