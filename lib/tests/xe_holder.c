// SPDX-License-Identifier: MIT
/*
 * The Xe holders without hardware: each is a complete part (name, text,
 * every callback, the before-fire check), refuses devices it cannot use
 * with a reason, the wedged holder's ignored kernel lines are the wedge
 * noise and not the bugs the suite looks for, and a holder's name makes
 * a subtest name the engine accepts. With an xe_hotunplug binary as
 * argument: its list keeps the 14 names it had before the engine and
 * adds the late-close and IOMMU rows.
 */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hu_check.h"
#include "hu_scenario.h"
#include "hu_trigger.h"
#include "xe/xe_expect.h"
#include "xe/xe_holder.h"
#include "xe/xe_holder_priv.h"

static const struct hu_holder_ops *const holders[] = {
	&hu_xe_holder_copy, &hu_xe_holder_userptr, &hu_xe_holder_prefetch,
	&hu_xe_holder_evict, &hu_xe_holder_migrate, &hu_xe_holder_dmabuf,
	&hu_xe_holder_wedged, &hu_xe_holder_held, NULL,
};

/* hu_holder.h: [a-z]+ words joined by '-' */
static int part_name(const char *s)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz-");

	return *s && n == strlen(s) && s[0] != '-' && s[n - 1] != '-' &&
	       !strstr(s, "--");
}

static void parts(void)
{
	int bad = 0, named = 0;
	char name[128];

	for (int i = 0; holders[i]; i++) {
		const struct hu_holder_ops *h = holders[i];
		struct hu_scenario sc = { .trigger = &hu_trigger_remove,
					  .holders = { h }, .nholders = 1,
					  .close = HU_CLOSE_LATE };

		if (!part_name(h->name) || !h->desc || strlen(h->desc) < 40 ||
		    h->priv_size != sizeof(struct hu_xe_hold) ||
		    !h->unsupported || !h->acquire || !h->before_fire ||
		    !h->probe || !h->release) {
			printf("# %s: incomplete\n", h->name);
			bad++;
		}
		named += hu_scenario_name(name, sizeof(name), &sc) == 0;
	}
	check_eq(bad, 0, "every Xe holder has a part name, a description, "
		 "its state size and every callback, before_fire included");
	for (int i = 0; holders[i]; i++) {
		bad += !holders[i]->driver || strcmp(holders[i]->driver, "xe") ||
		       (holders[i]->needs & HU_XE_NEEDS) != HU_XE_NEEDS ||
		       hu_holder_find("xe", holders[i]->name) != holders[i];
	}
	check_eq(bad, 0, "each is registered for the xe driver, needing PCI "
		 "and a render node");
	check_eq(named, 8, "the engine composes a valid name with each");
}

static void unsupported(void)
{
	struct hu_device d = { .card = "/dev/dri/card0" };
	const char *why;

	strcpy(d.driver, "virtio_gpu");
	why = hu_xe_unsupported(&d);
	check(why && strstr(why, "not a xe device"), "another driver: %s",
	      why ? why : "accepted");
	for (int i = 0; holders[i]; i++)
		if (!holders[i]->unsupported(&d))
			check(0, "%s takes a virtio_gpu device", holders[i]->name);
	strcpy(d.driver, "xe");
	why = hu_xe_unsupported(&d);
	check(why && strstr(why, "not on PCI"), "not on PCI: %s",
	      why ? why : "accepted");
	strcpy(d.pci_path, "/sys/devices/pci0000:00/0000:00:01.0/0000:03:00.0");
	strcpy(d.pci_id.bdf, "0000:03:00.0");
	why = hu_xe_unsupported(&d);
	check(why && strstr(why, "render node"), "no render node: %s",
	      why ? why : "accepted");
	strcpy(d.render, "/dev/dri/renderD128");
	why = hu_xe_unsupported(&d);
	if (hu_xe_expect(HU_XE_EXP_UAPI, hu_kver_running()) == HU_XE_EXPECT_NO)
		check(why && strstr(why, "6.8"), "kernel before 6.8: %s",
		      why ? why : "accepted");
	else
		check(!why, "an xe device with a render node on PCI: %s",
		      why ? why : "accepted");
}

/*
 * The wedge noise: "CRITICAL: Xe has declared device %s as wedged." is
 * drm_err() in xe_device_declare_wedged() (drivers/gpu/drm/xe/
 * xe_device.c, v6.12 and v6.18); "Timedout job"/"Check job timeout" are
 * xe_guc_submit.c's notices of the job timeout handler. The lines below
 * are the kernel's format with dev_name() and the [drm] prefix.
 */
static void wedged_ignore(void)
{
	static const char *const noise[] = {
		"xe 0000:03:00.0: [drm] *ERROR* CRITICAL: Xe has declared "
		"device 0000:03:00.0 as wedged.",
		"xe 0000:03:00.0: [drm] GT0: Timedout job: seqno=4, "
		"lrc_seqno=4, guc_id=2, flags=0x0 in hu [1234]",
		"xe 0000:0c:00.0: [drm] Tile0: GT0: Check job timeout: "
		"seqno=6, lrc_seqno=6, guc_id=0, not started",
	};
	static const char *const bugs[] = {
		"BUG: KASAN: slab-use-after-free in xe_bo_put+0x20/0x90",
		"WARNING: CPU: 1 PID: 880 at drivers/gpu/drm/xe/xe_bo.c:123 "
		"xe_ttm_bo_destroy+0x1c/0x200 [xe]",
		"DMAR: [DMA Write NO_PASID] Request device [03:00.0] fault "
		"addr 0xfff00000",
		"xe 0000:03:00.0: DMA-API: device driver frees DMA memory "
		"with wrong function",
	};
	const char *re = hu_xe_holder_wedged.kmsg_ignore;
	int matched = 0, swallowed = 0;
	regex_t r;

	if (!check(re && !regcomp(&r, re, REG_EXTENDED | REG_NOSUB),
		   "the wedged holder's ignore regex compiles"))
		return;
	for (size_t i = 0; i < sizeof(noise) / sizeof(noise[0]); i++)
		matched += !regexec(&r, noise[i], 0, NULL, 0);
	for (size_t i = 0; i < sizeof(bugs) / sizeof(bugs[0]); i++)
		swallowed += !regexec(&r, bugs[i], 0, NULL, 0);
	regfree(&r);
	check_eq(matched, 3, "it takes the wedge and job-timeout lines");
	check_eq(swallowed, 0, "it leaves KASAN, WARNING, DMAR faults and "
		 "DMA-API reports to the oracle");
	for (int i = 0; holders[i]; i++)
		if (holders[i] != &hu_xe_holder_wedged &&
		    holders[i]->kmsg_ignore)
			check(0, "%s ignores kernel lines", holders[i]->name);
}

/*
 * The errno a holder's probes want: how the trigger made the device go
 * (PCI device deleted, or only the driver unbound) and whether the holder
 * wedged it, handed to the expectation table for the running kernel.
 */
static void gone_errno(void)
{
	const struct { const struct hu_trigger *t; bool wedged;
		       enum hu_xe_gone how; } cases[] = {
		{ &hu_trigger_remove, false, HU_XE_GONE_REMOVE },
		{ &hu_trigger_slotoff, false, HU_XE_GONE_REMOVE },
		{ &hu_trigger_unbind, false, HU_XE_GONE_UNBIND },
		{ &hu_trigger_unbind, true, HU_XE_GONE_UNBIND },
	};
	uint32_t kver = hu_kver_running();
	int bad = 0;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct hu_ctx ctx = { .trigger = cases[i].t, .gone = true };
		struct hu_xe_hold h = { .armed = cases[i].wedged };
		int want = hu_xe_expect_errno(kver, cases[i].how,
					      cases[i].wedged);

		if (hu_xe_gone_errno(&ctx, &h) != want) {
			printf("# %s%s: %d, want %d\n", cases[i].t->name,
			       cases[i].wedged ? " wedged" : "",
			       hu_xe_gone_errno(&ctx, &h), want);
			bad++;
		}
	}
	check_eq(bad, 0, "remove and slotoff want the deleted-device errno, "
		 "unbind the unbound one, a wedged holder the wedged one");
	check(hu_xe_expect_errno(HU_KVER(6, 12, 117), HU_XE_GONE_REMOVE,
				 false) != hu_xe_expect_errno(HU_KVER(6, 12,
				 117), HU_XE_GONE_UNBIND, false),
	      "the two ways of going differ where the table knows (6.12.117)");
}

/* The binary's list: every name it had, then the rows the engine adds. */
static void listed(const char *bin)
{
	static const char *const want[] = {
		"remove-copy-inflight", "remove-prefetch-inflight",
		"remove-evict-inflight", "remove-userptr-inflight",
		"remove-dmabuf-vram", "remove-lateclose-migrate",
		"unbind-copy-inflight", "unbind-prefetch-inflight",
		"unbind-evict-inflight", "unbind-userptr-inflight",
		"unbind-dmabuf-vram", "unbind-lateclose-migrate",
		"unbind-wedged", "rmmod-held",
		"remove-lateclose-copy", "unbind-lateclose-evict",
		"remove-lateclose-migrate-iommu",
	};
	char cmd[1024], line[256], all[8192] = ",";
	int n = 0, missing = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "%s --list-subtests", bin);
	p = popen(cmd, "r");
	if (!check(p != NULL, "run %s", cmd))
		return;
	while (fgets(line, sizeof(line), p) && strlen(all) + 258 < sizeof(all)) {
		line[strcspn(line, "\n")] = '\0';
		strcat(all, line);
		strcat(all, ",");
		n++;
	}
	check_eq(pclose(p), 0, "--list-subtests exits 0");
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		snprintf(line, sizeof(line), ",%s,", want[i]);
		if (!strstr(all, line)) {
			printf("# not listed: %s\n", want[i]);
			missing++;
		}
	}
	check_eq(missing, 0, "the 14 names of before the engine and the new "
		 "rows are listed (%d in all)", n);
	check(!strncmp(all, ",remove-copy-inflight,", 22),
	      "in the order they always had");
}

int main(int argc, char **argv)
{
	parts();
	unsupported();
	wedged_ignore();
	gone_errno();
	if (argc > 1)
		listed(argv[1]);
	return check_done();
}
