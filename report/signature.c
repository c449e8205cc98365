// SPDX-License-Identifier: MIT
/*
 * The signature of a finding: what stays the same when the same kernel bug
 * shows up again in another row, another run or another configuration.
 *
 * Kernel splats are found with the kmsg oracle's own classification and
 * grouping (lib/hu_oracle_kmsg.c); the signature is then built from the
 * splat's most specific line: a KASAN/UBSAN/lockdep/list/refcount/DMA-API
 * report first, else the WARN or BUG site (file:line and function), else
 * the Oops' kind and the faulting function (RIP), else a panic's message.
 * Numbers, addresses, offsets ("+0x42/0x60"), PIDs, CPUs and timestamps
 * never enter a signature, except the line number of a WARN/BUG site,
 * which tells two WARN_ON()s of one function apart. A site in a generic
 * helper (lib/, refcount, list debugging) also names its caller.
 *
 * The test's own oracles print to stderr: the IOMMU-lifetime oracle's
 * findings ("... [unmap-after-leave] on DEV" with a "=> fn" call chain)
 * and IGT's assertion failures give signatures too.
 */
#include <ctype.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hu_oracle.h"
#include "report.h"

/* signatures and command lines are cut at their buffer on purpose */
#pragma GCC diagnostic ignored "-Wformat-truncation"

#define MAX_RECS	4096
#define MAX_IGNORE	8

struct line {
	const char *at;		/* the line in the source text */
	size_t len;
};

/* Frames that say where the report was printed, not who caused it. */
static const char *const generic_frames[] = {
	"dump_stack", "print_report", "kasan_", "__kasan", "report_bug",
	"__warn", "warn_", "handle_bug", "exc_", "asm_exc", "__list_",
	"list_", "refcount_", "__refcount", "__pfx_", "lockdep_", "__lock",
	"lock_", "_raw_", "__mutex", "mutex_", "debug_dma", "check_unmap",
	"check_sync", "kfree", "__kmem", "kmem_", "__slab", "slab_",
	"__schedule", "schedule", "io_schedule", "__wait", "wait_for",
	"rcu_", "__rcu", "ubsan", "__ubsan", "panic", "__warn_printk",
	"iommu_", "__iommu", "intel_", "dma_", "__dma", "domain_", "viommu_",
	"trace_", "kprobe", "unmap_", "__unmap", "sg_", "swiotlb", "do_trace",
	"perf_", "ftrace", "__ftrace", "stack_trace", "arch_stack", "__bug",
	"bug_", "__might", "might_", "___might",
};

static bool generic_frame(const char *fn)
{
	for (size_t i = 0; i < sizeof(generic_frames) / sizeof(*generic_frames); i++)
		if (!strncmp(fn, generic_frames[i], strlen(generic_frames[i])))
			return true;
	return false;
}

/*
 * The function name at @s ("drm_mm_takedown+0x42/0x60 [drm]"), without
 * the offset and compiler suffixes (.part.0, .isra.0, .constprop.0, .cold).
 */
static void func_name(const char *s, char *out, size_t len)
{
	size_t n = strcspn(s, "+ \t\r\n,[(");
	char *dot;

	snprintf(out, len, "%.*s", (int)n, s);
	while ((dot = strrchr(out, '.')) && dot != out)
		*dot = '\0';
}

/* A "file.c:123" token in @s: copied to @out (no trailing ':' or '!'). */
static bool site(const char *s, char *out, size_t len)
{
	static regex_t re;
	static bool ready;
	regmatch_t m;

	if (!ready) {
		regcomp(&re, "[A-Za-z0-9_./-]+\\.[ch]:[0-9]+", REG_EXTENDED);
		ready = true;
	}
	if (regexec(&re, s, 1, &m, 0))
		return false;
	snprintf(out, len, "%.*s", (int)(m.rm_eo - m.rm_so), s + m.rm_so);
	return true;
}

/*
 * @in with numbers made placeholders: 0x.. and hex words of 6+ digits
 * become X, decimal runs N; blanks collapsed; at most @len - 1 bytes.
 */
static void normalize(const char *in, size_t n, char *out, size_t len)
{
	size_t o = 0;

	for (size_t i = 0; i < n && in[i] && o + 2 < len;) {
		const char *p = in + i;
		size_t hex = strspn(p, "0123456789abcdefABCDEF");
		bool word_start = i == 0 || !isalnum((unsigned char)p[-1]);

		if (word_start && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
			i += 2 + strspn(p + 2, "0123456789abcdefABCDEF");
			out[o++] = 'X';
		} else if (word_start && hex >= 6 && !isalnum((unsigned char)p[hex]) &&
			   strpbrk(p, "0123456789") && (size_t)(strpbrk(p, "0123456789") - p) < hex) {
			i += hex;
			out[o++] = 'X';
		} else if (isdigit((unsigned char)*p)) {
			i += strspn(p, "0123456789");
			out[o++] = 'N';
		} else if (isspace((unsigned char)*p)) {
			i += strspn(p, " \t\r\n\v\f");
			if (o && out[o - 1] != ' ')
				out[o++] = ' ';
		} else {
			out[o++] = in[i++];
		}
	}
	while (o && out[o - 1] == ' ')
		o--;
	out[o] = '\0';
}

/* --- the records --------------------------------------------------------- */

/*
 * One line of a row's dmesg as a kmsg record: "<4> [52.711640] text"
 * (results.json), "4,2001,80100001,-;text" (/dev/kmsg, dmesg.txt) or a
 * console line "[   25.239284] text" (level 4: it was on the console).
 */
static bool to_rec(const char *l, size_t n, struct hu_kmsg_rec *r)
{
	const char *t = l;
	int lvl = 4;

	memset(r, 0, sizeof(*r));
	if (n && l[0] == '<' && isdigit((unsigned char)l[1])) {
		lvl = atoi(l + 1);
		t = memchr(l, '>', n);
		if (!t)
			return false;
		t++;
		while (t < l + n && *t == ' ')
			t++;
	} else if (n && isdigit((unsigned char)l[0])) {
		return hu_kmsg_parse(l, n, r) == 0;
	}
	if (t < l + n && *t == '[') {
		const char *e = memchr(t, ']', l + n - t);

		if (e) {
			r->usec = (unsigned long long)(strtod(t + 1, NULL) * 1e6);
			t = e + 1;
			if (t < l + n && *t == ' ')
				t++;
		}
	}
	r->level = lvl & 7;
	snprintf(r->text, sizeof(r->text), "%.*s", (int)(l + n - t), t);
	return true;
}

/* "[IGT] add ignored dmesg regex: R": igt_runner drops what matches R */
static void add_ignore(const char *text, regex_t *re, int *nre)
{
	const char *m = strstr(text, "add ignored dmesg regex: ");

	if (m && *nre < MAX_IGNORE &&
	    !regcomp(&re[*nre], m + 25, REG_EXTENDED | REG_NOSUB))
		(*nre)++;
}

/* --- kernel splats -------------------------------------------------------- */

/* The first non-generic frame of the call trace in records [a, b]. */
static void caller(const struct hu_kmsg_rec *recs, int a, int b, char *out,
		   size_t len)
{
	bool trace = false;

	out[0] = '\0';
	for (int i = a; i <= b; i++) {
		const char *t = recs[i].text;

		if (strstr(t, "Call Trace:") || strstr(t, "call chain:")) {
			trace = true;
			continue;
		}
		t += strspn(t, " ");
		if (!trace || *t == '?' || *t == '<' || !strstr(t, "+0x"))
			continue;
		func_name(t, out, len);
		if (!generic_frame(out))
			return;
	}
	out[0] = '\0';
}

/* The function of "RIP: 0010:func+0x1a/0x90 [mod]" in records [a, b]. */
static void rip(const struct hu_kmsg_rec *recs, int a, int b, char *out,
		size_t len)
{
	out[0] = '\0';
	for (int i = a; i <= b; i++) {
		const char *t = strstr(recs[i].text, "RIP: ");

		if (t && (t = strchr(t, ':')) && (t = strchr(t + 1, ':'))) {
			func_name(t + 1, out, len);
			return;
		}
	}
}

/* "Tainted: G        W          7.2.13" -> "W"; "Not tainted" -> "" */
static void taint(const struct hu_kmsg_rec *recs, int a, int b, char *out,
		  size_t len)
{
	out[0] = '\0';
	for (int i = a; i <= b; i++) {
		const char *t = strstr(recs[i].text, "Tainted: ");
		size_t o = 0;

		if (!t)
			continue;
		for (t += 9; *t && o + 3 < len; t++) {
			if (*t == ' ')
				continue;
			if (!isupper((unsigned char)*t) || isalnum((unsigned char)t[1]))
				break;
			if (*t != 'G') {
				if (o)
					out[o++] = ' ';
				out[o++] = *t;
			}
		}
		out[o] = '\0';
		return;
	}
}

/* A line of the splat that names the bug more exactly than a WARN site. */
static bool specific(const char *t, char *sig, size_t len, char *kind,
		     const struct hu_kmsg_rec *recs, int a, int b)
{
	char fn[128], buf[HR_SIG_LEN];
	const char *m;

	if ((m = strstr(t, "BUG: KASAN: ")) || (m = strstr(t, "BUG: KFENCE: "))) {
		const char *in = strstr(m, " in ");

		normalize(m + 5, in ? (size_t)(in - m - 5) : strlen(m + 5), buf, 96);
		func_name(in ? in + 4 : "", fn, sizeof(fn));
		snprintf(sig, len, "%s in %s", buf, fn);
		strcpy(kind, "kasan");
	} else if ((m = strstr(t, "UBSAN: "))) {
		char where[160] = "";
		const char *in = strstr(m, " in ");

		normalize(m, in ? (size_t)(in - m) : strlen(m), buf, 96);
		site(m, where, sizeof(where));
		snprintf(sig, len, "%s in %s", buf, where);
		strcpy(kind, "ubsan");
	} else if (hu_kmsg_classify(t) == HU_KMSG_LOCKDEP) {
		const char *h = t + strspn(t, " ");

		if (!strncmp(h, "WARNING: ", 9))
			h += 9;
		normalize(h, strlen(h), buf, 96);
		/* the lock being taken and where: "(&x->lock){+.+.}-{3:3}, at: f+0x" */
		for (int i = a; i <= b; i++) {
			const char *at = strstr(recs[i].text, ", at: ");
			const char *lk = strchr(recs[i].text, '(');
			const char *le = lk ? strstr(lk, "){") : NULL;

			if (!at || !lk || !le || le > at)
				continue;
			func_name(at + 6, fn, sizeof(fn));
			snprintf(sig, len, "lockdep: %s: %.*s at %s", buf,
				 (int)(le - lk - 1), lk + 1, fn);
			strcpy(kind, "lockdep");
			return true;
		}
		snprintf(sig, len, "lockdep: %s", buf);
		strcpy(kind, "lockdep");
	} else if ((m = strstr(t, "list_add corruption")) ||
		   (m = strstr(t, "list_del corruption")) ||
		   (m = strstr(t, "list corruption"))) {
		caller(recs, a, b, fn, sizeof(fn));
		snprintf(sig, len, "%.*s in %s", (int)strcspn(m, "."), m,
			 fn[0] ? fn : "?");
		strcpy(kind, "list-corruption");
	} else if ((m = strstr(t, "refcount_t: "))) {
		caller(recs, a, b, fn, sizeof(fn));
		normalize(m, strcspn(m, ";."), buf, 96);
		snprintf(sig, len, "%s in %s", buf, fn[0] ? fn : "?");
		strcpy(kind, "refcount");
	} else if ((m = strstr(t, "DMA-API: "))) {
		/* "DMA-API: virtio-pci 0000:01:00.0: device driver frees ..." */
		const char *drv = m + 9, *msg = strstr(drv, ": ");
		size_t dl = strcspn(drv, " ");

		if (!msg)
			return false;
		normalize(msg + 2, strcspn(msg + 2, "["), buf, 160);
		snprintf(sig, len, "DMA-API: %.*s: %s", (int)dl, drv, buf);
		strcpy(kind, "dma-api");
	} else {
		return false;
	}
	return true;
}

/* The WARN/BUG/Oops line: its site or kind, and the function. */
static bool crash(const char *t, char *sig, size_t len, char *kind,
		  const struct hu_kmsg_rec *recs, int a, int b)
{
	char where[160], fn[128], call[128], buf[HR_SIG_LEN];
	const char *m;

	if (!strncmp(t, "WARNING: ", 9) && site(t, where, sizeof(where))) {
		const char *f = strstr(t, where) + strlen(where);

		/* "at file:line func+0x" or (newer) "file:line at func+0x" */
		f += strspn(f, " ");
		if (!strncmp(f, "at ", 3))
			f += 3;
		if (strstr(f, "+0x"))
			func_name(f, fn, sizeof(fn));
		else
			rip(recs, a, b, fn, sizeof(fn));
		snprintf(sig, len, "WARNING %s %s", where, fn);
		strcpy(kind, "warning");
	} else if ((m = strstr(t, "kernel BUG at ")) && site(m, where, sizeof(where))) {
		rip(recs, a, b, fn, sizeof(fn));
		snprintf(sig, len, "kernel BUG at %s %s", where, fn);
		strcpy(kind, "bug");
	} else if (!strncmp(t, "BUG: ", 5)) {
		size_t n = strcspn(t, ",");

		if (strstr(t, " for address"))
			n = strstr(t, " for address") - t;
		if (strstr(t, " at ") && site(t, where, sizeof(where))) {
			snprintf(sig, len, "%.*s", (int)(strstr(t, " at ") - t), t);
			snprintf(sig + strlen(sig), len - strlen(sig), " at %s", where);
		} else {
			normalize(t, n, buf, 160);
			rip(recs, a, b, fn, sizeof(fn));
			snprintf(sig, len, "%s in %s", buf, fn[0] ? fn : "?");
		}
		strcpy(kind, "bug");
	} else if (hu_kmsg_classify(t) == HU_KMSG_OOPS) {
		/*
		 * "Oops: int3: 0000 [#1]", "Oops: general protection fault,
		 * probably for ...": the kind is a name, numbers and all
		 * (int3); "Oops: 0000 [#1]" has none
		 */
		m = !strncmp(t, "Oops: ", 6) ? t + 6 : t;
		if (isdigit((unsigned char)*m))
			snprintf(buf, sizeof(buf), "Oops");
		else
			snprintf(buf, sizeof(buf), "%.*s", (int)strcspn(m, ",:"), m);
		rip(recs, a, b, fn, sizeof(fn));
		snprintf(sig, len, "%s in %s", buf, fn[0] ? fn : "?");
		strcpy(kind, "oops");
	} else {
		return false;
	}
	/* a helper's site says little: name who called it */
	if (!strcmp(kind, "warning") || !strcmp(kind, "bug")) {
		if (!strncmp(where, "lib/", 4) || !strncmp(fn, "refcount_", 9) ||
		    !strncmp(fn, "__list_", 7)) {
			caller(recs, a, b, call, sizeof(call));
			if (call[0])
				snprintf(sig + strlen(sig), len - strlen(sig),
					 " <= %s", call);
		}
	}
	return true;
}

/* What is left: panics, hung tasks, IOMMU faults, drm errors, leaks. */
static void other(const struct hu_kmsg_rec *recs, int a, int b,
		  enum hu_kmsg_class cls, char *sig, size_t len, char *kind)
{
	const char *t = recs[a].text;
	char fn[128], buf[HR_SIG_LEN];

	for (int i = a; i <= b; i++)
		if (hu_kmsg_classify(recs[i].text) == cls) {
			t = recs[i].text;
			break;
		}
	snprintf(kind, 24, "%s", hu_kmsg_class_name(cls));
	if (cls == HU_KMSG_HUNG) {
		const char *task = strstr(t, "INFO: task ");

		caller(recs, a, b, fn, sizeof(fn));
		if (!fn[0] && task) {
			/* "INFO: task kworker/u8:3:45 blocked": the comm, numbers out */
			const char *end = strstr(task, " blocked");

			normalize(task + 11, end ? (size_t)(end - task - 11) : 0, fn, 64);
			if (strrchr(fn, ':'))
				*strrchr(fn, ':') = '\0';
		}
		normalize(t, strcspn(t, ":"), buf, 96);
		snprintf(sig, len, "%s in %s", task ? "hung task" : buf,
			 fn[0] ? fn : "?");
		return;
	}
	if (cls == HU_KMSG_LEAK) {
		snprintf(sig, len, "kmemleak: suspected memory leak");
		return;
	}
	normalize(t, strlen(t), buf, 200);
	snprintf(sig, len, "%s", buf);
}

/*
 * The VM lane's own lines in a crashed job's dmesg (never the kernel's),
 * and lines the kmsg classes take for a report of their own.
 */
static bool own_marker(const char *t)
{
	return !strncmp(t, "hotunplug-vm: ", 14) || !strncmp(t, "HU-VM: ", 7) ||
	       /* the second half of a DMA-API report, not a report */
	       !strncmp(t, "DMA-API: Mapped at:", 19);
}

static int add_sig(struct hr_sig *out, int n, int max, const struct hr_sig *s)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(out[i].sig, s->sig))
			return n;
	if (n < max)
		out[n++] = *s;
	return n;
}

static int kernel_sigs(const char *dmesg, bool flagged, struct hr_sig *out,
		       int n, int max)
{
	static struct hu_kmsg_rec recs[MAX_RECS];
	static struct line lines[MAX_RECS];
	static bool ignored[MAX_RECS];
	struct hu_kmsg_finding f[32];
	regex_t re[MAX_IGNORE];
	int nrecs = 0, nre = 0, nf, warn = -1;

	for (const char *l = dmesg; l && *l && nrecs < MAX_RECS;) {
		size_t len = strcspn(l, "\n");

		if (len && l[0] != ' ' && to_rec(l, len, &recs[nrecs]) &&
		    !own_marker(recs[nrecs].text)) {
			ignored[nrecs] = false;
			for (int i = 0; i < nre; i++)
				if (!regexec(&re[i], recs[nrecs].text, 0, NULL, 0))
					ignored[nrecs] = true;
			add_ignore(recs[nrecs].text, re, &nre);
			/* what igt_runner's dmesg-warn level (4) flags */
			if (warn < 0 && !ignored[nrecs] && recs[nrecs].level <= 4 &&
			    strncmp(recs[nrecs].text, "[IGT] ", 6))
				warn = nrecs;
			lines[nrecs++] = (struct line){ l, len };
		}
		l += len + (l[len] == '\n');
	}
	nf = hu_kmsg_findings(recs, nrecs, ignored, f, 32);
	for (int i = 0; i < nf; i++) {
		struct hr_sig s = { 0 };
		bool done = false;

		/* oops=panic, panic_on_warn: the panic follows what caused it */
		if (f[i].cls == HU_KMSG_PANIC && n > 0)
			continue;
		for (int j = f[i].first; j <= f[i].last && !done; j++)
			done = specific(recs[j].text, s.sig, sizeof(s.sig), s.kind,
					recs, f[i].first, f[i].last);
		for (int j = f[i].first; j <= f[i].last && !done; j++)
			done = crash(recs[j].text, s.sig, sizeof(s.sig), s.kind,
				     recs, f[i].first, f[i].last);
		if (!done)
			other(recs, f[i].first, f[i].last, f[i].cls, s.sig,
			      sizeof(s.sig), s.kind);
		taint(recs, f[i].first, f[i].last, s.taint, sizeof(s.taint));
		s.from = lines[f[i].first].at;
		s.len = lines[f[i].last].at + lines[f[i].last].len - s.from;
		n = add_sig(out, n, max, &s);
	}
	/*
	 * igt_runner flagged the row for a line no kmsg class knows (a
	 * clocksource warning under TCG...): that line is the finding
	 */
	if (flagged && !n && warn >= 0) {
		struct hr_sig s = { .kind = "dmesg" };
		char buf[HR_SIG_LEN - 16];

		normalize(recs[warn].text, strlen(recs[warn].text), buf, sizeof(buf));
		snprintf(s.sig, sizeof(s.sig), "dmesg <%d>: %s", recs[warn].level, buf);
		s.from = lines[warn].at;
		s.len = lines[warn].len;
		n = add_sig(out, n, max, &s);
	}
	for (int i = 0; i < nre; i++)
		regfree(&re[i]);
	return n;
}

/* --- the test's oracles ---------------------------------------------------- */

/*
 * hu_iommu_report_print(): "<text> [unmap-after-leave] on DEV", then
 * "  unmap: ...", "  call chain:", "   => fn". One signature per kind and
 * first non-IOMMU caller.
 */
static const char *const iommu_kinds[] = {
	"unmap-after-leave", "mapped-at-leave", "mapped-at-unbind",
	"dma-api-debug",
};

/* The kind of the finding line "<text> [kind] on DEV", -1: not one. */
static int iommu_kind(const char *l, size_t len)
{
	for (size_t k = 0; k < sizeof(iommu_kinds) / sizeof(*iommu_kinds); k++) {
		char tag[40];

		snprintf(tag, sizeof(tag), " [%s] on ", iommu_kinds[k]);
		if (memmem(l, len, tag, strlen(tag)))
			return (int)k;
	}
	return -1;
}

/*
 * The event of a trace record "comm-pid [cpu] flags ts: event: ...": the
 * word after the timestamp's ": ".
 */
static void trace_event(const char *l, size_t len, char *out, size_t olen)
{
	for (const char *p = l; (p = memmem(p, l + len - p, ": ", 2)); p += 2) {
		const char *t = p;

		while (t > l && (isdigit((unsigned char)t[-1]) || t[-1] == '.'))
			t--;
		if (t == p || !memchr(t, '.', p - t) || (t > l && t[-1] != ' '))
			continue;
		p += 2;
		snprintf(out, olen, "%.*s", (int)strcspn(p, ": \n"), p);
		return;
	}
}

static int iommu_sigs(const char *err, struct hr_sig *out, int n, int max)
{
	for (const char *l = err; l && *l;) {
		size_t len = strcspn(l, "\n");
		const char *c = l + len + (l[len] == '\n');
		int k = iommu_kind(l, len);
		struct hr_sig s = { 0 };
		char fn[128] = "", event[64] = "";

		if (k < 0) {
			l = c;
			continue;
		}
		/*
		 * its call chain ("=> fn" lines), up to the next finding;
		 * without one (no stacktrace trigger) the trace event of its
		 * first record: "mapped: comm-pid [cpu] ... ts: dma_map_sg: ..."
		 */
		while (*c && iommu_kind(c, strcspn(c, "\n")) < 0) {
			size_t cl = strcspn(c, "\n");
			const char *arrow = memmem(c, cl, "=> ", 3);

			if (!event[0])
				trace_event(c, cl, event, sizeof(event));
			if (arrow && !fn[0]) {
				func_name(arrow + 3, fn, sizeof(fn));
				if (generic_frame(fn))
					fn[0] = '\0';
			}
			c += cl + (c[cl] == '\n');
		}
		if (fn[0])
			snprintf(s.sig, sizeof(s.sig), "iommu-lifetime: %s <= %s",
				 iommu_kinds[k], fn);
		else
			snprintf(s.sig, sizeof(s.sig), "iommu-lifetime: %s of %s",
				 iommu_kinds[k], event);
		strcpy(s.kind, "iommu-lifetime");
		s.from = l;
		s.len = (size_t)(c - l);
		n = add_sig(out, n, max, &s);
		l = c;
	}
	return n;
}

/*
 * IGT's "Test assertion failure function F, file X:N:" and the "Failed
 * assertion: EXPR" after it: the function and the expression (numbers
 * out) identify a failed check of the test itself.
 */
static int assert_sigs(const char *err, struct hr_sig *out, int n, int max)
{
	const char *m = err ? strstr(err, "Test assertion failure function ") : NULL;
	const char *e, *file;
	char fn[128], where[160] = "?", *slash;
	struct hr_sig s = { 0 };

	if (!m)
		return n;
	func_name(m + 32, fn, sizeof(fn));
	/* "file ../tests/x.c:143:": the check's place in the test's source */
	file = strstr(m, ", file ");
	if (file && file < m + strcspn(m, "\n") && site(file + 7, where, sizeof(where)) &&
	    (slash = strrchr(where, '/')))
		memmove(where, slash + 1, strlen(slash));
	e = strstr(m, "Failed assertion: ");
	/* the expression is source text, not values: kept as it is */
	snprintf(s.sig, sizeof(s.sig), "assertion %s %s: %.*s", where, fn,
		 e ? (int)strcspn(e + 18, "\n") : 1, e ? e + 18 : "?");
	strcpy(s.kind, "assertion");
	s.from = m;
	s.len = strcspn(m, "\n");
	if (e)
		s.len = e + 18 + strcspn(e + 18, "\n") - m;
	return add_sig(out, n, max, &s);
}

int hr_signatures(const char *dmesg, const char *err, bool flagged,
		  struct hr_sig *out, int max)
{
	int n = 0;

	if (dmesg)
		n = kernel_sigs(dmesg, flagged, out, n, max);
	if (err)
		n = iommu_sigs(err, out, n, max);
	if (err && !n)
		n = assert_sigs(err, out, n, max);
	return n;
}
