// SPDX-License-Identifier: MIT
/*
 * Subtest names: every trigger x holder x close name the engine composes
 * matches [A-Za-z0-9_-]+ and is unique; with a drm_hotunplug binary as
 * argument, so is every name its --list-subtests prints, and the matrix is
 * all there.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hu_check.h"
#include "hu_scenario.h"
#include "virtio_gpu/hu_vgpu_holder.h"

#define MAX_NAMES 1024

static char *names[MAX_NAMES];
static int nnames;

static int add(const char *name)
{
	for (int i = 0; i < nnames; i++)
		if (!strcmp(names[i], name))
			return 0;
	if (nnames < MAX_NAMES)
		names[nnames++] = strdup(name);
	return 1;
}

/* What hu_holder.h and hu_trigger.h promise of a part: [a-z]+(-[a-z]+)* */
static int part_name(const char *s)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz-");

	return *s && n == strlen(s) && s[0] != '-' && s[n - 1] != '-' &&
	       !strstr(s, "--");
}

static int valid(const char *s)
{
	return *s && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP"
			       "QRSTUVWXYZ0123456789_-") == strlen(s);
}

int main(int argc, char **argv)
{
	int ntrig = 0, nhold = 0, bad = 0, dup = 0, listed = 0;
	char name[128];

	for (; hu_triggers[ntrig]; ntrig++) {
		struct hu_scenario sc = { .trigger = hu_triggers[ntrig] };

		bad += hu_scenario_name(name, sizeof(name), &sc) != 0 || !valid(name);
		dup += !add(name);
		for (nhold = 0; hu_holders[nhold]; nhold++) {
			for (int c = 0; c < HU_CLOSE_COUNT; c++) {
				sc.holders[0] = hu_holders[nhold];
				sc.nholders = 1;
				sc.close = c;
				bad += hu_scenario_name(name, sizeof(name), &sc) != 0 ||
				       !valid(name);
				dup += !add(name);
			}
		}
	}
	check(ntrig >= 6 && nhold >= 8, "%d triggers, %d holders", ntrig, nhold);
	{
		const struct hu_holder_ops *const vgpu[] = {
			&hu_vgpu_holder_transfers, &hu_vgpu_holder_mmap,
			&hu_vgpu_holder_dmabuf, NULL };
		int pbad = 0;

		for (int t = 0; hu_triggers[t]; t++)
			pbad += !part_name(hu_triggers[t]->name);
		for (int h = 0; hu_holders[h]; h++)
			pbad += !part_name(hu_holders[h]->name);
		for (int h = 0; vgpu[h]; h++)
			pbad += !part_name(vgpu[h]->name);
		check_eq(pbad, 0, "trigger and holder names are [a-z]+ words "
			 "joined by '-'");
		check(!part_name("Remove") && !part_name("-fd") &&
		      !part_name("dmabuf--import") && !part_name("child-") &&
		      !part_name("") && part_name("dmabuf-import"),
		      "the part-name rule refuses what it should");
	}
	check_eq(bad, 0, "every composed name is [A-Za-z0-9_-]+");
	check_eq(dup, 0, "every composed name is unique (%d)", nnames);

	{
		struct hu_scenario sc = { .trigger = &hu_trigger_remove,
					  .holders = { &hu_holder_mmap },
					  .nholders = 1, .close = HU_CLOSE_LATE };

		hu_scenario_name(name, sizeof(name), &sc);
		check_streq(name, "remove-mmap-lateclose", "the issue's example");
		sc.trigger = &hu_trigger_unbind;
		sc.holders[0] = &hu_holder_import;
		sc.close = HU_CLOSE_EARLY;
		hu_scenario_name(name, sizeof(name), &sc);
		check_streq(name, "unbind-dmabuf-import-earlyclose", "import");
		check_eq(hu_scenario_name(name, 8, &sc), -EINVAL,
			 "too long for the buffer: refused");
	}

	if (argc > 1) {
		char cmd[1024], line[256];
		int lbad = 0, ldup = 0, missing = 0;
		FILE *p;

		nnames = 0;
		snprintf(cmd, sizeof(cmd), "%s --list-subtests", argv[1]);
		p = popen(cmd, "r");
		if (!check(p != NULL, "run %s", cmd))
			return check_done();
		while (fgets(line, sizeof(line), p)) {
			line[strcspn(line, "\n")] = '\0';
			lbad += !valid(line);
			ldup += !add(line);
			listed++;
		}
		check_eq(pclose(p), 0, "--list-subtests exits 0");
		check_eq(lbad, 0, "listed names are [A-Za-z0-9_-]+");
		check_eq(ldup, 0, "listed names are unique (%d)", listed);
		/* the whole matrix, with rmmod-idle the one row left out */
		for (int t = 0; hu_triggers[t]; t++)
			for (int h = 0; hu_holders[h]; h++)
				for (int c = 0; c < HU_CLOSE_COUNT; c++) {
					struct hu_scenario sc = {
						.trigger = hu_triggers[t],
						.holders = { hu_holders[h] },
						.nholders = 1, .close = c };

					hu_scenario_name(name, sizeof(name), &sc);
					missing += add(name);
				}
		check_eq(missing, 0, "every trigger x holder x close is listed");
		check(!add("stress"), "the stress subtest is listed");
	}
	return check_done();
}
