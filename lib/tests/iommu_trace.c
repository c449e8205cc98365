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
	check_cap();
	return check_done();
}
