// SPDX-License-Identifier: MIT
/*
 * kmsg oracle: line classification and splat grouping on recorded and
 * written samples (lib/tests/data/kmsg-*.txt). Each sample states what it
 * must yield in "# expect <class> <count>" lines.
 */
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hu_check.h"
#include "hu_oracle.h"

#define MAX 512

static struct hu_kmsg_rec recs[MAX];

static void one_file(const char *dir, const char *name)
{
	int want[HU_KMSG_NCLASSES] = { 0 }, got[HU_KMSG_NCLASSES] = { 0 };
	struct hu_kmsg_finding f[32];
	char path[512], line[2048], cls[64];
	int n = 0, nf, cnt, bad = 0;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "r");
	if (!check(fp != NULL, "open %s", name))
		return;
	while (fgets(line, sizeof(line), fp) && n < MAX) {
		if (sscanf(line, "# expect %63s %d", cls, &cnt) == 2) {
			for (int c = 0; c < HU_KMSG_NCLASSES; c++)
				if (!strcmp(hu_kmsg_class_name(c), cls))
					want[c] = cnt;
			continue;
		}
		if (line[0] == '#' || line[0] == ' ' || line[0] == '\n')
			continue;
		if (hu_kmsg_parse(line, strlen(line), &recs[n]))
			bad++;
		else
			n++;
	}
	fclose(fp);
	check(bad == 0 && n > 0, "%s: %d records parsed, %d bad", name, n, bad);
	nf = hu_kmsg_findings(recs, n, NULL, f, 32);
	for (int i = 0; i < nf; i++) {
		got[f[i].cls]++;
		printf("# %s: %s, records %d..%d: %s\n", name,
		       hu_kmsg_class_name(f[i].cls), f[i].first, f[i].last,
		       recs[f[i].first].text);
	}
	for (int c = 1; c < HU_KMSG_NCLASSES; c++)
		if (want[c] || got[c])
			check_eq(got[c], want[c], "%s: %s findings", name,
				 hu_kmsg_class_name(c));
	if (!strcmp(name, "kmsg-benign.txt"))
		check_eq(nf, 0, "%s: no finding", name);
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : getenv("HU_TEST_DATA");
	struct hu_kmsg_rec r;
	struct hu_kmsg_finding f[4];
	bool ign[3] = { false, true, false };
	struct dirent **list;
	int n;

	/* record format */
	check_eq(hu_kmsg_parse("4,17,123456,-;WARNING: x\n", 24, &r), 0, "parse");
	check(r.level == 4 && r.seq == 17 && r.usec == 123456 && !r.cont,
	      "level, seq, usec, flags");
	check_streq(r.text, "WARNING: x", "text without newline");
	check_eq(hu_kmsg_parse("14,18,1,c;cont\n KEY=v\n", 22, &r), 0,
		 "facility 1, continuation, dictionary");
	check(r.level == 6 && r.cont, "level of prio 14 is 6");
	check_streq(r.text, "cont", "dictionary lines dropped");
	check(hu_kmsg_parse("no semicolon", 12, &r) != 0, "garbage refused");

	/* single lines */
	check_eq(hu_kmsg_classify("WARNING: CPU: 0 PID: 1 at foo.c:1 f+0x1"),
		 HU_KMSG_WARNING, "old WARN line");
	check_eq(hu_kmsg_classify("WARNING: drivers/gpu/drm/drm_mm.c:965 at x"),
		 HU_KMSG_WARNING, "7.x WARN line");
	check_eq(hu_kmsg_classify("ACPI Warning: foo"), HU_KMSG_NONE,
		 "ACPI Warning is no WARN");
	check_eq(hu_kmsg_classify("[IGT] drm_hotunplug: starting subtest BUG: x"),
		 HU_KMSG_NONE, "our own markers never match");
	check_eq(hu_kmsg_classify("general protection fault, probably for non-canonical address"),
		 HU_KMSG_OOPS, "GPF");
	check_eq(hu_kmsg_classify("BUG: KASAN: slab-use-after-free in f"),
		 HU_KMSG_KASAN, "KASAN before BUG");
	check_eq(hu_kmsg_classify("watchdog: BUG: soft lockup - CPU#0 stuck for 26s!"),
		 HU_KMSG_BUG, "soft lockup");
	check_eq(hu_kmsg_classify("Memory manager not clean during takedown."),
		 HU_KMSG_TAKEDOWN, "drm_mm takedown");

	/* ignored lines are not findings */
	{
		struct hu_kmsg_rec rr[3] = { 0 };

		strcpy(rr[0].text, "pciehp: Slot(1): Link Down");
		strcpy(rr[1].text, "DMAR: [DMA Read NO_PASID] Request device [01:00.0]");
		strcpy(rr[2].text, "done");
		check_eq(hu_kmsg_findings(rr, 3, NULL, f, 4), 1, "a fault line");
		check_eq(hu_kmsg_findings(rr, 3, ign, f, 4), 0, "ignored");
	}

	if (!check(dir != NULL, "data directory given"))
		return check_done();
	n = scandir(dir, &list, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		if (!strncmp(list[i]->d_name, "kmsg-", 5))
			one_file(dir, list[i]->d_name);
		free(list[i]);
	}
	if (n > 0)
		free(list);
	return check_done();
}
