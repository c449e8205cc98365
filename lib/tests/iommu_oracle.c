// SPDX-License-Identifier: MIT
/*
 * The IOMMU-lifetime oracle's knobs and cost line: HU_IOMMU_ORACLE's
 * values as flags, and the exact "iommu oracle cost:" text that
 * runner/bench-iommu.sh takes apart by field position.
 */
#include <errno.h>

#include "hu_check.h"
#include "hu_iommu_oracle.h"

static void modes(void)
{
	unsigned int f = 99;

	check_eq(hu_iommu_oracle_mode(NULL, false, &f), 0, "unset: arm");
	check_eq(f, 0, "unset: default flags (kept armed, stacks, events)");
	check_eq(hu_iommu_oracle_mode("", true, &f), 0, "empty: arm");
	check_eq(f, HU_IOMMU_FORCE_KPROBES, "HU_IOMMU_KPROBES forces kprobes");
	check_eq(hu_iommu_oracle_mode("off", false, &f), 1, "off: do not arm");
	check_eq(hu_iommu_oracle_mode("nostack", false, &f), 0, "nostack");
	check_eq(f, HU_IOMMU_NO_STACKS, "nostack: no stacktrace trigger");
	check_eq(hu_iommu_oracle_mode("rearm", true, &f), 0, "rearm");
	check_eq(f, HU_IOMMU_REARM | HU_IOMMU_FORCE_KPROBES,
		 "rearm with kprobes");
	check_eq(hu_iommu_oracle_mode("Off", false, &f), -EINVAL,
		 "values are case-sensitive");
	check_eq(hu_iommu_oracle_mode("nostack,rearm", false, &f), -EINVAL,
		 "one value only");
	check_eq(f, 0, "a bad value leaves the defaults");
}

static void cost_lines(void)
{
	struct hu_iommu_cost c = {
		.arm_s = 0.4124, .read_s = 0.0216, .parse_s = 0.003,
		.disarm_s = 0.2, .reads = 1, .read_bytes = 345 * 1024 + 1000,
	};
	char buf[160];

	hu_iommu_cost_text(&c, false, buf, sizeof(buf));
	check_streq(buf, "arm 0.412 s, read 0.022 s (1 reads, 345 KiB), "
		    "parse 0.003 s, disarm 0.200 s", "armed and disarmed");
	c.kept = true;
	c.arm_s = 0.0125;
	hu_iommu_cost_text(&c, true, buf, sizeof(buf));
	check_streq(buf, "clear 0.013 s, read 0.022 s (1 reads, 345 KiB), "
		    "parse 0.003 s, kept armed", "kept: cleared, left armed");
	hu_iommu_cost_text(&c, false, buf, 12);
	check_streq(buf, "clear 0.013", "truncated, terminated");
}

int main(void)
{
	modes();
	cost_lines();
	return check_done();
}
