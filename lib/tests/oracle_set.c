// SPDX-License-Identifier: MIT
/*
 * The engine's oracle set (hu_oracle_set_*): oracles a device cannot
 * serve (their needs, their own probe, a failing arm) are left out; the
 * armed ones are called at every stage in order; the worst verdict of each
 * is kept and folded into the subtest's, with the failed ones named; a
 * scenario naming none gets every registered oracle; free disarms each.
 * Also the knobs' resolution (hu_scenario_knobs_resolve()) and the needs
 * every part declares (hu_need_unmet()).
 */
#include <errno.h>
#include <string.h>

#include "hu_check.h"
#include "hu_scenario.h"

static int calls[HU_STAGE_COUNT], freed;

static int fake_arm(struct hu_octx *ctx, void *p)
{
	return 0;
}

static enum hu_verdict fake_at(struct hu_octx *ctx, void *p,
			       enum hu_stage stage)
{
	calls[stage]++;
	return stage == HU_STAGE_FIRED ? HU_FAIL : HU_PASS;
}

static enum hu_verdict warn_at(struct hu_octx *ctx, void *p,
			       enum hu_stage stage)
{
	return stage == HU_STAGE_END ? HU_WARN : HU_PASS;
}

static int arm_fails(struct hu_octx *ctx, void *p)
{
	return -EOPNOTSUPP;
}

static const char *never(const struct hu_device *dev)
{
	return "never here";
}

static void fake_free(void *p)
{
	freed++;
}

static const struct hu_oracle_ops failing = {
	.name = "failing", .arm = fake_arm, .at = fake_at, .free = fake_free,
}, warning = {
	.name = "warning", .arm = fake_arm, .at = warn_at, .free = fake_free,
}, unarmed = {
	.name = "unarmed", .arm = arm_fails, .at = fake_at, .free = fake_free,
}, needy = {
	.name = "needy", .needs = HU_NEED_MODULE, .arm = fake_arm,
	.at = fake_at, .free = fake_free,
}, picky = {
	.name = "picky", .unsupported = never, .arm = fake_arm,
	.at = fake_at, .free = fake_free,
};

int main(void)
{
	const struct hu_oracle_ops *const ops[] = {
		&warning, &unarmed, &needy, &failing, &picky };
	struct hu_device dev = { .driver = "virtio_gpu" };	/* built in */
	struct hu_octx ctx = { .dev = &dev, .trigger = &hu_trigger_remove,
			       .scope = "remove-idle" };
	struct hu_scenario sc = { .trigger = &hu_trigger_remove };
	static struct hu_oracle_set s;
	unsigned int it, jit;
	char failed[64];
	int n = 0;

	hu_oracle_set_arm(&s, ops, 5, &ctx);
	check_eq(s.n, 2, "needs, own probe and a failing arm leave 3 out");
	check(s.ops[0] == &warning && s.ops[1] == &failing,
	      "the armed ones keep the scenario's order");
	for (int st = HU_STAGE_BEFORE_FIRE; st <= HU_STAGE_END; st++)
		hu_oracle_set_at(&s, st);
	check(calls[HU_STAGE_FIRED] == 1 && calls[HU_STAGE_END] == 1 &&
	      calls[HU_STAGE_RECOVERED] == 1, "each armed one at each stage");
	check_eq(hu_oracle_set_fold(&s, failed, sizeof(failed)), HU_FAIL,
		 "a failure at one stage fails the subtest");
	check_streq(failed, "failing", "and names the oracle");
	check(s.verdict[0] == HU_WARN && s.verdict[1] == HU_FAIL,
	      "each keeps its worst verdict");
	hu_oracle_set_free(&s);
	check(freed == 2 && s.n == 0, "free disarms the armed ones only");

	hu_oracle_set_arm(&s, ops, 1, &ctx);
	hu_oracle_set_at(&s, HU_STAGE_END);
	check_eq(hu_oracle_set_fold(&s, failed, sizeof(failed)), HU_WARN,
		 "a warning alone does not fail");
	check_streq(failed, "", "and names no oracle");
	hu_oracle_set_free(&s);

	while (hu_oracles[n])
		n++;
	hu_oracle_set_arm(&s, NULL, 0, &ctx);
	check(s.n >= 1 && s.n <= n && s.ops[0] == &hu_oracle_kmsg,
	      "none named: every registered oracle the device allows (%d "
	      "of %d here)", s.n, n);
	hu_oracle_set_free(&s);

	check(hu_need_unmet(0, NULL, &dev) == NULL, "no needs: usable");
	check(hu_need_unmet(0, "xe", &dev) != NULL &&
	      hu_need_unmet(0, "virtio_gpu", &dev) == NULL,
	      "a driver's part only on that driver");
	check(hu_need_unmet(HU_NEED_PCI, NULL, &dev) != NULL &&
	      hu_need_unmet(HU_NEED_IOMMU_GROUP, NULL, &dev) != NULL,
	      "not on PCI: no PCI, no IOMMU group");
	check(hu_need_unmet(HU_NEED_RENDER, NULL, &dev) != NULL &&
	      hu_need_unmet(HU_NEED_MODULE, NULL, &dev) != NULL,
	      "no render node, built in: said");
	hu_fmt(dev.render, sizeof(dev.render), "/dev/dri/renderD128");
	hu_fmt(dev.module, sizeof(dev.module), "virtio_gpu");
	check(hu_need_unmet(HU_NEED_RENDER | HU_NEED_MODULE, NULL, &dev) ==
	      NULL, "and met once there");
	check(hu_trigger_unsupported(&hu_trigger_remove, &dev) != NULL &&
	      hu_trigger_unsupported(&hu_trigger_rmmod, &dev) == NULL,
	      "a trigger's needs are checked (remove needs PCI, rmmod a "
	      "module)");

	hu_scenario_knobs_resolve(&sc, &it, &jit);
	check(it == 1 && jit == 0, "no knob, no default: one cycle, no jitter");
	sc.iterations = 5;
	sc.jitter_ms = 20;
	hu_scenario_knobs_resolve(&sc, &it, &jit);
	check(it == 5 && jit == 20, "the row's own defaults");
	hu_knobs.iterations = 2;
	hu_knobs.jitter_ms = 3;
	hu_scenario_knobs_resolve(&sc, &it, &jit);
	check(it == 2 && jit == 3, "the knobs override them");
	return check_done();
}
