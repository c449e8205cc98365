// SPDX-License-Identifier: MIT
/* hu_oracle_kmsg: classifying kmsg records and grouping them into splats. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hu_oracle.h"

static const char *const class_names[HU_KMSG_NCLASSES] = {
	[HU_KMSG_NONE] = "none",
	[HU_KMSG_BUG] = "BUG",
	[HU_KMSG_WARNING] = "WARNING",
	[HU_KMSG_OOPS] = "Oops",
	[HU_KMSG_PANIC] = "panic",
	[HU_KMSG_KASAN] = "KASAN",
	[HU_KMSG_UBSAN] = "UBSAN",
	[HU_KMSG_LOCKDEP] = "lockdep",
	[HU_KMSG_LIST] = "list-corruption",
	[HU_KMSG_REFCOUNT] = "refcount",
	[HU_KMSG_DMA_API] = "DMA-API",
	[HU_KMSG_IOMMU] = "IOMMU-fault",
	[HU_KMSG_TAKEDOWN] = "unclean-takedown",
	[HU_KMSG_HUNG] = "hang",
	[HU_KMSG_LEAK] = "leak",
	[HU_KMSG_DRM_ERROR] = "drm-error",
};

const char *hu_kmsg_class_name(enum hu_kmsg_class c)
{
	return c < HU_KMSG_NCLASSES ? class_names[c] : "?";
}

/* Checked in order: the more specific patterns come first. */
static const struct {
	const char *needle;
	bool at_start;		/* must start the text */
	enum hu_kmsg_class cls;
} patterns[] = {
	{ "BUG: KASAN:", false, HU_KMSG_KASAN },
	{ "BUG: KFENCE:", false, HU_KMSG_KASAN },
	{ "UBSAN:", false, HU_KMSG_UBSAN },
	{ "possible circular locking dependency", false, HU_KMSG_LOCKDEP },
	{ "possible recursive locking detected", false, HU_KMSG_LOCKDEP },
	{ "inconsistent lock state", false, HU_KMSG_LOCKDEP },
	{ "possible irq lock inversion", false, HU_KMSG_LOCKDEP },
	{ "suspicious RCU usage", false, HU_KMSG_LOCKDEP },
	{ "bad unlock balance detected", false, HU_KMSG_LOCKDEP },
	{ "held lock freed", false, HU_KMSG_LOCKDEP },
	{ "lock held when returning to user space", false, HU_KMSG_LOCKDEP },
	{ "BUG: sleeping function called from invalid context", false, HU_KMSG_BUG },
	{ "list_add corruption", false, HU_KMSG_LIST },
	{ "list_del corruption", false, HU_KMSG_LIST },
	{ "list corruption", false, HU_KMSG_LIST },
	{ "refcount_t: ", false, HU_KMSG_REFCOUNT },
	{ "DMA-API: ", false, HU_KMSG_DMA_API },
	{ "DMAR: [DMA ", false, HU_KMSG_IOMMU },
	{ "DMAR: [INTR-REMAP", false, HU_KMSG_IOMMU },
	{ "IO_PAGE_FAULT", false, HU_KMSG_IOMMU },
	{ "iommu fault", false, HU_KMSG_IOMMU },
	{ "viommu_fault_handler", false, HU_KMSG_IOMMU },
	{ "not clean during takedown", false, HU_KMSG_TAKEDOWN },
	{ "leaked drm_mm", false, HU_KMSG_TAKEDOWN },
	{ "kmemleak: ", false, HU_KMSG_LEAK },
	{ "Kernel panic", false, HU_KMSG_PANIC },
	{ "BUG: ", true, HU_KMSG_BUG },
	{ "kernel BUG at", false, HU_KMSG_BUG },
	{ "watchdog: BUG: soft lockup", false, HU_KMSG_BUG },
	{ "WARNING: ", true, HU_KMSG_WARNING },
	{ "Oops: ", true, HU_KMSG_OOPS },
	{ "Oops ", true, HU_KMSG_OOPS },
	{ "general protection fault", false, HU_KMSG_OOPS },
	{ "invalid opcode: ", true, HU_KMSG_OOPS },
	{ "Unable to handle kernel", false, HU_KMSG_OOPS },
	{ "INFO: task ", true, HU_KMSG_HUNG },
	{ "*ERROR* ", false, HU_KMSG_DRM_ERROR },
	{ "detected stall", false, HU_KMSG_HUNG },
	{ "self-detected stall", false, HU_KMSG_HUNG },
};

enum hu_kmsg_class hu_kmsg_classify(const char *text)
{
	/* our own markers quote subtest names, never findings */
	if (!strncmp(text, "[IGT] ", 6))
		return HU_KMSG_NONE;
	for (size_t i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++) {
		const char *hit = strstr(text, patterns[i].needle);

		if (!hit)
			continue;
		if (patterns[i].at_start && hit != text)
			continue;
		return patterns[i].cls;
	}
	return HU_KMSG_NONE;
}

int hu_kmsg_parse(const char *rec, size_t len, struct hu_kmsg_rec *r)
{
	unsigned long long prio, seq, usec;
	const char *semi, *end;
	char flags[8] = "";
	size_t n;

	memset(r, 0, sizeof(*r));
	semi = memchr(rec, ';', len);
	if (!semi)
		return -EINVAL;
	if (sscanf(rec, "%llu,%llu,%llu,%7[^;,]", &prio, &seq, &usec, flags) < 3)
		return -EINVAL;
	r->level = prio & 7;
	r->seq = seq;
	r->usec = usec;
	r->cont = flags[0] == 'c';
	semi++;
	end = memchr(semi, '\n', len - (semi - rec));
	n = end ? (size_t)(end - semi) : len - (semi - rec);
	if (n >= sizeof(r->text))
		n = sizeof(r->text) - 1;
	memcpy(r->text, semi, n);
	r->text[n] = '\0';
	return 0;
}

static bool ends_splat(const char *t)
{
	return strstr(t, "---[ end trace") || strstr(t, "---[ end Kernel panic");
}

static bool is_rule(const char *t)
{
	size_t n = strspn(t, "=");

	return n >= 20 && t[n] == '\0';
}

#define SPLAT_MAX_LINES 120

/* Classes whose report is one line: they never absorb what follows. */
static bool single_line(enum hu_kmsg_class c)
{
	return c == HU_KMSG_IOMMU || c == HU_KMSG_LEAK ||
	       c == HU_KMSG_DRM_ERROR;
}

/*
 * A generic splat (WARN, BUG, Oops) names what it is about further down;
 * a WARN's own message ("Memory manager not clean during takedown.") comes
 * just before its "WARNING:" line and opens the splat itself.
 */
static bool generic(enum hu_kmsg_class c)
{
	return c == HU_KMSG_WARNING || c == HU_KMSG_BUG || c == HU_KMSG_OOPS;
}

int hu_kmsg_findings(const struct hu_kmsg_rec *recs, int n,
		     const bool *ignored, struct hu_kmsg_finding *out, int max)
{
	int count = 0, open = -1;	/* index in out[] of the open splat */

	for (int i = 0; i < n; i++) {
		const char *t = recs[i].text;
		enum hu_kmsg_class c;

		if (open >= 0) {
			struct hu_kmsg_finding *f = &out[open];

			/* a new "cut here" after a whole splat, or a marker */
			if ((strstr(t, "[ cut here ]") && i - f->first > 2) ||
			    !strncmp(t, "[IGT] ", 6) ||
			    i - f->first >= SPLAT_MAX_LINES) {
				open = -1;
			} else {
				c = hu_kmsg_classify(t);
				if (generic(f->cls) && c != HU_KMSG_NONE &&
				    !generic(c) && !single_line(c))
					f->cls = c;
				f->last = i;
				if (ends_splat(t) ||
				    (is_rule(t) && f->cls == HU_KMSG_KASAN))
					open = -1;
				continue;
			}
		}
		if (ignored && ignored[i])
			continue;
		c = hu_kmsg_classify(t);
		if (c == HU_KMSG_NONE || count >= max)
			continue;
		out[count] = (struct hu_kmsg_finding){ c, i, i };
		/* a "cut here" just before belongs to it */
		if (i > 0 && strstr(recs[i - 1].text, "[ cut here ]"))
			out[count].first = i - 1;
		open = single_line(c) ? -1 : count;
		count++;
	}
	return count;
}
