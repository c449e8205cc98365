// SPDX-License-Identifier: MIT
/*
 * Subtest names and the registries: every trigger x generic holder x
 * close name the engine composes matches [A-Za-z0-9_-]+ and is unique;
 * every part is found by its name in its registry, and its facts hold
 * together (restore ranks, hints); with a drm_hotunplug binary as
 * argument, every name its --list-subtests prints is valid and unique,
 * and the matrix is all there.
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
			if (hu_holders[nhold]->driver)
				continue;	/* not in drm_hotunplug's names */
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
	check(ntrig >= 6 && nhold >= 11, "%d triggers, %d holders", ntrig, nhold);
	{
		int pbad = 0, lost = 0, nhint = 0, nor = 0;

		for (int t = 0; hu_triggers[t]; t++) {
			pbad += !part_name(hu_triggers[t]->name);
			lost += hu_trigger_find(hu_triggers[t]->name) !=
				hu_triggers[t];
			nhint += hu_triggers[t]->restore_hint != NULL;
		}
		for (int h = 0; hu_holders[h]; h++) {
			pbad += !part_name(hu_holders[h]->name);
			lost += hu_holder_find(hu_holders[h]->driver,
					       hu_holders[h]->name) !=
				hu_holders[h];
		}
		for (; hu_oracles[nor]; nor++) {
			pbad += !part_name(hu_oracles[nor]->name);
			lost += hu_oracle_find(hu_oracles[nor]->name) !=
				hu_oracles[nor];
		}
		check_eq(pbad, 0, "trigger, holder and oracle names are [a-z]+ "
			 "words joined by '-'");
		check_eq(lost, 0, "every part is found by its name (and driver) "
			 "in its registry: no two share one");
		check_eq(nhint, ntrig, "every trigger says how to bring a "
			 "device back");
		for (int a = 0; hu_triggers[a]; a++)
			for (int b = a + 1; hu_triggers[b]; b++)
				lost += hu_triggers[a]->restore_rank &&
					hu_triggers[a]->restore_rank ==
					hu_triggers[b]->restore_rank;
		check_eq(lost, 0, "restore ranks (but 0: only as the last "
			 "trigger) tell the triggers apart: one order");
		check(nor >= 5 && hu_oracle_find("iommu") &&
		      hu_oracle_find("kmsg"), "%d oracles, iommu and kmsg "
		      "among them", nor);
		check(hu_holder_find("virtio_gpu", "mmap") ==
		      &hu_vgpu_holder_mmap &&
		      hu_holder_find(NULL, "mmap") == &hu_holder_mmap,
		      "a driver's holder and a generic one may share a name");
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
				for (int c = 0; c < HU_CLOSE_COUNT &&
				     !hu_holders[h]->driver; c++) {
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
