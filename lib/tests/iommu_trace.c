// SPDX-License-Identifier: MIT
/*
 * The IOMMU-lifetime judge on recorded traces (lib/tests/data/iommu-*):
 * real ones from QEMU guests with virtio-gpu behind intel-iommu or
 * virtio-iommu (PCI remove or unbind, BOs closed before or after), and
 * constructed ones (marked "# CONSTRUCTED" in their first line), plus
 * small inline traces for the parsing details.
 */
#include <stdlib.h>
#include <string.h>

#include "hu_check.h"
#include "hu_iommu_trace.h"

#ifndef HU_DATA_DIR
#error "HU_DATA_DIR must name lib/tests/data"
#endif

static char *slurp(const char *name)
{
	char path[512];
	size_t cap = 1 << 16, len = 0, n;
	char *buf = malloc(cap);
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", HU_DATA_DIR, name);
	f = fopen(path, "r");
	if (!f || !buf) {
		printf("# cannot read %s\n", path);
		if (f)
			fclose(f);
		free(buf);
		return NULL;
	}
	while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (cap - len < 4096) {
			cap *= 2;
			buf = realloc(buf, cap);
			if (!buf)
				break;
		}
	}
	fclose(f);
	if (buf)
		buf[len] = '\0';
	return buf;
}

static const struct sample {
	const char *file;
	int after_leave, at_leave, at_unbind;
	bool overflow;
	const char *caller;	/* a frame every after-leave unmap must show */
} samples[] = {
	/* recorded: early close is clean on every kernel */
	{ "iommu-7.2-intel-remove-early.trace", 0, 0, 0, false, NULL },
	{ "iommu-6.1-intel-remove-early.trace", 0, 0, 0, false, NULL },
	/* recorded: late close after PCI remove unmaps the 4 BOs' pages
	 * after the device left its group (events, kprobes, 3 kernels) */
	{ "iommu-7.2-intel-remove-late.trace", 4, 4, 0, false,
	  "virtio_gpu_free_object" },
	{ "iommu-7.2-intel-remove-late-kprobes.trace", 4, 4, 0, false,
	  "virtio_gpu_free_object" },
	{ "iommu-7.2-viommu-remove-late.trace", 4, 4, 0, false,
	  "virtio_gpu_free_object" },
	{ "iommu-6.12-intel-remove-late.trace", 4, 4, 0, false,
	  "virtio_gpu_free_object" },
	{ "iommu-6.1-intel-remove-late.trace", 4, 4, 0, false,
	  "virtio_gpu_free_object" },
	/* recorded: after an unbind the device stays in its group */
	{ "iommu-7.2-intel-unbind-late.trace", 0, 0, 4, false, NULL },
	/* constructed */
	{ "iommu-constructed-early-unmap-moved.trace", 1, 1, 0, false,
	  "virtio_gpu_dequeue_ctrl_func" },
	{ "iommu-constructed-rejoin.trace", 4, 4, 0, false,
	  "virtio_gpu_free_object" },
	{ "iommu-constructed-overflow.trace", 4, 0, 0, true,
	  "virtio_gpu_free_object" },
};

static void check_sample(const struct sample *s)
{
	static const char *const gpu[] = { "0000:01:00.0", NULL };
	static const char *const other[] = { "0000:02:00.0", NULL };
	struct hu_iommu_report r;
	char *text = slurp(s->file);
	int n;

	if (!check(text != NULL, "%s: readable", s->file))
		return;
	n = hu_iommu_trace_parse(text, gpu, &r);
	check_eq(n, s->after_leave + s->at_leave + s->at_unbind,
		 "%s: findings", s->file);
	check_eq(r.count[HU_IOMMU_UNMAP_AFTER_LEAVE], s->after_leave,
		 "%s: unmap-after-leave", s->file);
	check_eq(r.count[HU_IOMMU_MAPPED_AT_LEAVE], s->at_leave,
		 "%s: mapped-at-leave", s->file);
	check_eq(r.count[HU_IOMMU_MAPPED_AT_UNBIND], s->at_unbind,
		 "%s: mapped-at-unbind", s->file);
	check_eq(r.overflow, s->overflow, "%s: overflow", s->file);
	check(r.maps > 0 && r.unmaps > 0 && r.stacks > 0,
	      "%s: maps %u, unmaps %u, stacks %u seen", s->file, r.maps,
	      r.unmaps, r.stacks);

	for (unsigned int i = 0; i < r.nfindings && i < HU_IOMMU_MAX_FINDINGS;
	     i++) {
		const struct hu_iommu_finding *f = &r.findings[i];
		bool ok = !strcmp(f->device, "0000:01:00.0");

		switch (f->kind) {
		case HU_IOMMU_UNMAP_AFTER_LEAVE:
			ok = ok && strstr(f->record, "unmap") &&
			     strstr(f->stack, "dma_unmap_sg_attrs") &&
			     strstr(f->stack, s->caller) &&
			     (strstr(f->cause, "remove_device_from_group") ||
			      strstr(f->cause, "hu_leave"));
			break;
		case HU_IOMMU_MAPPED_AT_LEAVE:
			ok = ok && (strstr(f->record, "dma_map_sg") ||
				    strstr(f->record, "hu_map_sg")) &&
			     (strstr(f->cause, "remove_device_from_group") ||
			      strstr(f->cause, "hu_leave"));
			break;
		case HU_IOMMU_MAPPED_AT_UNBIND:
			ok = ok && strstr(f->record, "dma_map_sg") &&
			     strstr(f->cause, "hu_iommu: unbound 0000:01:00.0");
			break;
		default:
			ok = false;
		}
		check(ok, "%s: finding %u (%s) carries its evidence", s->file,
		      i, hu_iommu_kind_name(f->kind));
	}

	/* the same trace judged for another device finds nothing */
	n = hu_iommu_trace_parse(text, other, &r);
	check(n == 0 && r.maps == 0 && r.unmaps == 0,
	      "%s: nothing for another device", s->file);
	free(text);
}

/* Parsing details on a small inline trace. */
static void check_inline(void)
{
	const char *t =
		"# entries-in-buffer/entries-written: 9/9   #P:2\r\n"
		"  kworker/u4:1 x-34 [001] d..1.  1.000001: dma_map_sg: d0 dir=BIDIRECTIONAL nents=1/1 ents=1/1 dma_addrs={0xf000} sizes={0x1000} phys_addrs={0x1000} attrs=\r\n"
		"  app-7   [000] .....  1.000002: hu_map_sg: (__dma_map_sg_attrs+0x0/0x1d0) dev=\"d0\" sg=0xffff0001\r\n"
		"  app-7   [000] .....  1.000003: dma_alloc: d0 dir=BIDIRECTIONAL dma_addr=fff0 size=64 virt_addr=0 flags=none attrs=\r\n"
		"  app-7   [000] .....  1.000004: tracing_mark_write: hu_iommu: unbound d0\r\n"
		"  app-7   [000] .....  1.000005: tracing_mark_write: hu_iommu: bound d0\r\n"
		"  app-7   [000] .....  1.000006: hu_unmap_sg: (dma_unmap_sg_attrs+0x4/0x180) dev=\"d0\" sg=ffff0001\r\n"
		"  other-9 [001] .....  1.000007: remove_device_from_group: IOMMU: groupID=4 device=d0\r\n"
		"  app-7   [000] .....  1.000008: dma_free: d0 dir=BIDIRECTIONAL dma_addr=fff0 size=64 virt_addr=0 attrs=\r\n"
		"  app-7   [000] .....  1.000009: <stack trace>\r\n"
		" => dma_free_attrs\r\n"
		" => my_driver_release\r\n";
	struct hu_iommu_report r;
	int n = hu_iommu_trace_parse(t, NULL, &r);

	check_eq(r.records, 8, "inline: records (stack record not counted)");
	check_eq(r.maps, 3, "inline: maps (event, kprobe, alloc)");
	check_eq(r.unmaps, 2, "inline: unmaps");
	check_eq(r.markers, 2, "inline: markers");
	/* at unbind: 3 live; at leave: the sg map (0x1000) and the alloc */
	check_eq(r.count[HU_IOMMU_MAPPED_AT_UNBIND], 3, "inline: at unbind");
	check_eq(r.count[HU_IOMMU_MAPPED_AT_LEAVE], 2, "inline: at leave");
	check_eq(r.count[HU_IOMMU_UNMAP_AFTER_LEAVE], 1, "inline: after leave");
	check_eq(n, 6, "inline: findings");
	check(r.nfindings == 6 &&
	      r.findings[5].kind == HU_IOMMU_UNMAP_AFTER_LEAVE &&
	      !strcmp(r.findings[5].stack, "=> dma_free_attrs\n=> my_driver_release") &&
	      !strncmp(r.findings[5].record, "app-7", 5),
	      "inline: the free carries its own stack, without padding");

	n = hu_iommu_trace_parse("", NULL, &r);
	check(n == 0 && r.records == 0, "empty trace");
	n = hu_iommu_trace_parse("garbage\nno records here [x]\n", NULL, &r);
	check(n == 0 && r.records == 0, "garbage is ignored");
}

/*
 * DMA-API debug reports in the kernel log (hu_iommu_dma_debug_parse), on
 * a report written in 6.12's format (kernel/dma/debug.c: err_printk's
 * WARN, then dump_entry_trace's "Mapped at:"), as /dev/kmsg records.
 */
static const char dma_kmsg[] =
	"6,880,4900000,-;DMA-API: preallocated 65536 debug entries\n"
	"4,900,5000000,-;------------[ cut here ]------------\n"
	"4,901,5000001,-;DMA-API: virtio-pci 0000:01:00.0: device driver has pending DMA allocations while released from device [count=4]\\x0aOne of leaked entries details: [device address=0x00000000fffb0000] [size=65536 bytes] [mapped with DMA_BIDIRECTIONAL] [mapped as scatter-gather]\n"
	"4,902,5000002,-;WARNING: CPU: 1 PID: 120 at kernel/dma/debug.c:870 dma_debug_device_change+0x2a8/0x3c0\n"
	"4,903,5000003,-;Modules linked in: virtio_gpu\n"
	"4,904,5000004,-;RIP: 0010:dma_debug_device_change+0x2a8/0x3c0\n"
	"4,905,5000005,-;Call Trace:\n"
	"4,906,5000006,-; <TASK>\n"
	"4,907,5000007,-; ? __warn+0xc8/0x2b0\n"
	"4,908,5000008,-; notifier_call_chain+0xbf/0x280\n"
	"4,909,5000009,-; device_release_driver_internal+0x3c9/0x590\n"
	"4,910,5000010,-; pci_stop_bus_device+0x11e/0x190\n"
	"4,911,5000011,-; </TASK>\n"
	"4,912,5000012,-;irq event stamp: 12345\n"
	"4,913,5000013,-;---[ end trace 0000000000000000 ]---\n"
	"4,914,5000014,-;DMA-API: Mapped at:\n"
	"4,915,5000015,-; debug_dma_map_sg+0x6d/0x9e0\n"
	"4,916,5000016,-; __dma_map_sg_attrs+0xf1/0x1a0\n"
	"4,917,5000017,-; virtio_gpu_object_create+0x2b5/0x790 [virtio_gpu]\n"
	"6,918,5000018,-;[IGT] virtio_gpu_hotunplug: finished subtest remove-mmap-lateclose\n"
	"4,919,5000019,-;------------[ cut here ]------------\n"
	"4,920,5000020,-;DMA-API: e1000e 0000:00:03.0: device driver frees DMA memory with wrong function [device address=0x1000] [size=4096 bytes] [mapped as single] [unmapped as page]\n"
	"4,921,5000021,-;Call Trace:\n"
	"4,922,5000022,-; e1000_clean+0x10/0x20\n";

static void check_dma_debug(void)
{
	const char *gpu[] = { "0000:01:00.0", NULL }, *nic[] = { "0000:00:03.0", NULL };
	const char *vgpu[] = { "0000:08:00.0", NULL };
	char *text;
	const char *plain =
		"<4> [5.000001] DMA-API: virtio-pci 0000:01:00.0: device driver has pending DMA allocations while released from device [count=1]\n"
		"<4> [5.000001] One of leaked entries details: [device address=0x1000]\n"
		"<4> [5.000002] Mapped at:\n"
		"<4> [5.000003]  debug_dma_map_sg+0x6d/0x9e0\n"
		"<4> [5.000004] Call Trace:\n";
	struct hu_iommu_report r;
	const struct hu_iommu_finding *f = &r.findings[0];
	int n;

	memset(&r, 0, sizeof(r));
	n = hu_iommu_dma_debug_parse(dma_kmsg, gpu, 2, &r);
	check_eq(n, 1, "dma-api: one report for the GPU (the NIC's is not ours)");
	check(r.nfindings == 1 && f->kind == HU_IOMMU_DMA_DEBUG &&
	      !strcmp(f->device, "0000:01:00.0") &&
	      !strcmp(f->record, "DMA-API: virtio-pci 0000:01:00.0: device driver has pending DMA allocations while released from device [count=4]") &&
	      !strncmp(f->cause, "One of leaked entries details: [device address=0x00000000fffb0000]", 66),
	      "dma-api: the report's message and entry details");
	check(!strcmp(f->stack, "mapped at:\n=> debug_dma_map_sg+0x6d/0x9e0\n"
		      "=> __dma_map_sg_attrs+0xf1/0x1a0\n"
		      "=> virtio_gpu_object_create+0x2b5/0x790 [virtio_gpu]\n"
		      "reported from:\n=> notifier_call_chain+0xbf/0x280\n"
		      "=> device_release_driver_internal+0x3c9/0x590\n"
		      "=> pci_stop_bus_device+0x11e/0x190"),
	      "dma-api: call chains without markers or unreliable frames");

	/* recorded: remove-idle on the debug kernel, the fbdev buffer */
	text = slurp("dma-debug-6.12-intel-remove-idle.txt");
	memset(&r, 0, sizeof(r));
	n = text ? hu_iommu_dma_debug_parse(text, vgpu, 1, &r) : -1;
	check(n == 1 && !strcmp(f->device, "0000:08:00.0") &&
	      !strcmp(f->record, "DMA-API: pci 0000:08:00.0: device driver has pending DMA allocations while released from device [count=1]") &&
	      strstr(f->cause, "[size=4096000 bytes]") &&
	      !strncmp(f->stack, "mapped at:\n=> debug_dma_map_sg+0x31f/0xaf0\n", 41) &&
	      strstr(f->stack, "=> virtio_gpu_object_create+0x188/0xb00 [virtio_gpu]\nreported from:\n=> notifier_call_chain") &&
	      strstr(f->stack, "=> remove_store+0xd7/0xf0\n") && !strstr(f->stack, "__pfx"),
	      "dma-api: recorded report, its details and both call chains");
	memset(&r, 0, sizeof(r));
	n = text ? hu_iommu_dma_debug_parse(text, gpu, 1, &r) : -1;
	check(n == 0 && r.nfindings == 0,
	      "dma-api: recorded, judged for another device: nothing (the one error has its report)");
	free(text);

	memset(&r, 0, sizeof(r));
	n = hu_iommu_dma_debug_parse(dma_kmsg, gpu, 5, &r);
	check(n == 2 && r.count[HU_IOMMU_DMA_DEBUG] == 2 &&
	      strstr(r.findings[1].record, "grew by 5, 2 report(s)"),
	      "dma-api: errors beyond the printed reports are one more finding");

	memset(&r, 0, sizeof(r));
	n = hu_iommu_dma_debug_parse(dma_kmsg, nic, 2, &r);
	check(n == 1 && !strcmp(f->device, "0000:00:03.0") &&
	      !strcmp(f->stack, "reported from:\n=> e1000_clean+0x10/0x20"),
	      "dma-api: the other device's report, for that device");

	memset(&r, 0, sizeof(r));
	n = hu_iommu_dma_debug_parse(plain, gpu, -1, &r);
	check(n == 1 && strstr(f->record, "[count=1]") &&
	      !strcmp(f->cause, "One of leaked entries details: [device address=0x1000]") &&
	      !strcmp(f->stack, "mapped at:\n=> debug_dma_map_sg+0x6d/0x9e0"),
	      "dma-api: dmesg lines (results.json) as well as kmsg records");

	memset(&r, 0, sizeof(r));
	n = hu_iommu_dma_debug_parse("3,1,1,-;DMA-API: debugging out of memory - disabling\n",
				     gpu, 0, &r);
	check(n == 1 && strstr(f->cause, "checks nothing"),
	      "dma-api: the checker switching itself off is a finding");

	memset(&r, 0, sizeof(r));
	n = hu_iommu_dma_debug_parse("6,880,4900000,-;DMA-API: preallocated 65536 debug entries\n",
				     gpu, 0, &r);
	check(n == 0 && r.nfindings == 0, "dma-api: boot messages are no finding");
	n = hu_iommu_dma_debug_parse("", gpu, 0, &r);
	check(n == 0, "dma-api: nothing logged, no error counted: clean");
}

static void check_cap(void)
{
	struct hu_iommu_report r;

	memset(&r, 0, sizeof(r));
	for (int i = 0; i < HU_IOMMU_MAX_FINDINGS + 3; i++)
		hu_iommu_report_add(&r, HU_IOMMU_DMA_DEBUG, "d", "rec", "", "");
	check(r.nfindings == HU_IOMMU_MAX_FINDINGS + 3 &&
	      r.count[HU_IOMMU_DMA_DEBUG] == HU_IOMMU_MAX_FINDINGS + 3,
	      "findings past the array are still counted");
}

int main(void)
{
	for (unsigned int i = 0; i < sizeof(samples) / sizeof(samples[0]); i++)
		check_sample(&samples[i]);
	check_inline();
	check_dma_debug();
	check_cap();
	return check_done();
}
