/* SPDX-License-Identifier: MIT */
/*
 * hu_oracle: what the kernel said. A kmsg oracle is armed at the start of a
 * scope (a subtest, a stage of it) and asked for a verdict at its end: it
 * reads the /dev/kmsg records logged in between, groups them into splats
 * (a WARNING with its stack, a KASAN report, a lockdep chain...) and prints
 * every finding with its lines, so the user sees the splat itself. The
 * taint mask is compared at the same points.
 *
 * Expected noise is declared with hu_oracle_ignore(), which also tells
 * igt_runner (hu_emit_ignore_dmesg_regex), so nothing is dropped silently.
 *
 * Line classification and splat grouping are pure functions, unit-tested
 * on recorded samples (lib/tests/data/kmsg-*.txt).
 */
#ifndef HU_ORACLE_H
#define HU_ORACLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum hu_kmsg_class {
	HU_KMSG_NONE,		/* not a finding */
	HU_KMSG_BUG,		/* BUG:, kernel BUG at, soft lockup */
	HU_KMSG_WARNING,	/* WARNING: CPU: ... at file:line */
	HU_KMSG_OOPS,		/* Oops, general protection fault, invalid opcode */
	HU_KMSG_PANIC,
	HU_KMSG_KASAN,		/* KASAN, KFENCE */
	HU_KMSG_UBSAN,
	HU_KMSG_LOCKDEP,	/* lockdep and RCU-usage reports */
	HU_KMSG_LIST,		/* list_add/list_del corruption */
	HU_KMSG_REFCOUNT,	/* refcount_t underflow / saturation */
	HU_KMSG_DMA_API,	/* DMA-API debug */
	HU_KMSG_IOMMU,		/* DMAR / AMD-Vi / virtio-iommu faults */
	HU_KMSG_TAKEDOWN,	/* "not clean during takedown", leaked objects */
	HU_KMSG_HUNG,		/* hung task, RCU stall */
	HU_KMSG_LEAK,		/* kmemleak */
	HU_KMSG_DRM_ERROR,	/* a driver's drm_err(): "[drm] *ERROR* ..." */
	HU_KMSG_NCLASSES
};

const char *hu_kmsg_class_name(enum hu_kmsg_class c);

/* Classifies the text of one record (no prefix). */
enum hu_kmsg_class hu_kmsg_classify(const char *text);

/* One /dev/kmsg record: "prio,seq,usec,flags;text" (+ " KEY=v" lines). */
struct hu_kmsg_rec {
	int level;		/* 0 (emerg) .. 7 (debug) */
	uint64_t seq;
	uint64_t usec;
	bool cont;		/* a continuation ('c' flag) */
	char text[1024];	/* \xNN escapes left as they are */
};

/* Parses one record; 0, or -EINVAL if it is not in kmsg format. */
int hu_kmsg_parse(const char *rec, size_t len, struct hu_kmsg_rec *r);

/* One finding: a class and the records [first, last] that show it. */
struct hu_kmsg_finding {
	enum hu_kmsg_class cls;
	int first, last;
};

/*
 * Groups records into findings: a splat's later lines (Call Trace, Oops
 * after BUG...) belong to the finding that started it. @ignored[i] marks
 * records the test said to ignore (may be NULL). Returns the count, at most
 * @max.
 */
int hu_kmsg_findings(const struct hu_kmsg_rec *recs, int n,
		     const bool *ignored, struct hu_kmsg_finding *out, int max);

/* --- taint ------------------------------------------------------------ */

/* Taints that mean the kernel went wrong: M B D W L (as igt_runner, + L). */
#define HU_TAINT_BAD ((1ul << 4) | (1ul << 5) | (1ul << 7) | (1ul << 9) | \
		      (1ul << 14))
unsigned long hu_taint_read(void);
/* Letters of the set bits, e.g. "DW" (see the kernel's tainted-kernels doc). */
const char *hu_taint_str(unsigned long taint, char *buf, size_t len);
/*
 * Prints a bad taint set since *@since (at @stage of @scope) and returns 1,
 * else 0; *@since becomes the taint now.
 */
int hu_taint_check(unsigned long *since, const char *stage, const char *scope);

/* --- the oracle ------------------------------------------------------- */

struct hu_oracle;

/* Starts listening at the current end of the log. NULL without /dev/kmsg. */
struct hu_oracle *hu_oracle_arm(const char *scope);

/* Declares expected noise (POSIX ERE) here and to igt_runner. */
void hu_oracle_ignore(struct hu_oracle *o, const char *regex);

/*
 * Reads what was logged since arming (or the last call), prints every
 * finding with its lines; returns their number. Never asserts.
 */
int hu_oracle_splats(struct hu_oracle *o, const char *stage);
/* Same, and a new bad taint since arming counts as one more finding. */
int hu_oracle_verdict(struct hu_oracle *o, const char *stage);

void hu_oracle_free(struct hu_oracle *o);

#endif /* HU_ORACLE_H */
