// SPDX-License-Identifier: MIT
/*
 * hu_iommu_trace: see hu_iommu_trace.h. Two passes: split the text into
 * records (attaching stack traces to their owners), then replay them per
 * device, pairing maps with unmaps.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hu_iommu_trace.h"

enum op {
	OP_NONE,
	OP_MAP,
	OP_UNMAP,
	OP_JOIN,
	OP_LEAVE,
	OP_UNBOUND,
	OP_BOUND,
	OP_STACK,
};

struct rec {
	char *line;		/* the whole line, NUL-terminated */
	char task[64];		/* "comm-pid" */
	char event[64];
	const char *rest;	/* after "event: " */
	enum op op;
	char dev[64];
	char key[48];		/* pairs a map with its unmap */
	char **stack;		/* its " => f" lines */
	int nstack;
};

struct live {
	char dev[64];
	char key[48];
	int rec;		/* the map record */
	unsigned int gen;	/* device incarnation it was made on */
	bool unbind_reported;
};

struct devst {
	char name[64];
	unsigned int gen;	/* bumped at each group leave */
	bool left;
	int cause;		/* record of the leave */
};

static const struct {
	const char *event;
	enum op op;
	char key;		/* 's': first phys of an sg, 'a', 'c': address */
	const char *field;
} events[] = {
	{ "add_device_to_group", OP_JOIN, 0, NULL },
	{ "remove_device_from_group", OP_LEAVE, 0, NULL },
	{ "dma_map_sg", OP_MAP, 's', "phys_addrs=" },
	{ "dma_unmap_sg", OP_UNMAP, 's', "phys_addrs=" },
	{ "dma_map_phys", OP_MAP, 'a', "dma_addr=" },
	{ "dma_unmap_phys", OP_UNMAP, 'a', "dma_addr=" },
	{ "dma_map_page", OP_MAP, 'a', "dma_addr=" },
	{ "dma_unmap_page", OP_UNMAP, 'a', "dma_addr=" },
	{ "dma_map_resource", OP_MAP, 'a', "dma_addr=" },
	{ "dma_unmap_resource", OP_UNMAP, 'a', "dma_addr=" },
	{ "dma_alloc", OP_MAP, 'c', "dma_addr=" },
	{ "dma_free", OP_UNMAP, 'c', "dma_addr=" },
	{ "dma_alloc_pages", OP_MAP, 'c', "dma_addr=" },
	{ "dma_free_pages", OP_UNMAP, 'c', "dma_addr=" },
	{ "dma_alloc_sgt", OP_MAP, 'c', "dma_addr=" },
	{ "dma_free_sgt", OP_UNMAP, 'c', "dma_addr=" },
	/* kprobe fallbacks (hu_iommu_oracle.c defines them) */
	{ "hu_leave", OP_LEAVE, 0, NULL },
	{ "hu_map_sg", OP_MAP, 'k', "sg=" },
	{ "hu_unmap_sg", OP_UNMAP, 'k', "sg=" },
	{ "hu_unmap_page", OP_UNMAP, 'a', "addr=" },
	{ "hu_unmap_phys", OP_UNMAP, 'a', "addr=" },
	{ "hu_unmap_res", OP_UNMAP, 'a', "addr=" },
	{ "hu_free", OP_UNMAP, 'c', "addr=" },
};

#define MARKER "hu_iommu: "

static void copy_token(char *dst, size_t len, const char *src,
		       const char *stop)
{
	size_t n = strcspn(src, stop);

	if (n >= len)
		n = len - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static void copy_trunc(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src ? src : "");
}

/* "value" of `name=value` in @s (quotes stripped), "" if absent. */
static void field(const char *s, const char *name, char *dst, size_t len)
{
	const char *p = s;
	size_t n = strlen(name);

	dst[0] = '\0';
	while ((p = strstr(p, name))) {
		if (p == s || p[-1] == ' ') {
			p += n;
			if (*p == '"')
				p++;
			if (*p == '{')
				p++;
			copy_token(dst, len, p, " \",}");
			return;
		}
		p += n;
	}
}

/* Splits "task-pid [cpu] flags ts: event: rest". */
static bool parse_record(char *line, struct rec *rc)
{
	char *p = line, *q;
	int i;

	for (;;) {
		p = strstr(p, " [");
		if (!p)
			return false;
		q = p + 2;
		if (isdigit((unsigned char)*q)) {
			while (isdigit((unsigned char)*q))
				q++;
			if (*q == ']')
				break;
		}
		p++;
	}
	/* task: the text before " [", without leading blanks */
	{
		char *t = line;
		size_t n;

		while (*t == ' ')
			t++;
		n = p - t;
		while (n && t[n - 1] == ' ')
			n--;
		if (n >= sizeof(rc->task))
			n = sizeof(rc->task) - 1;
		memcpy(rc->task, t, n);
		rc->task[n] = '\0';
	}
	/* up to two tokens (flags, timestamp); the timestamp ends in ':' */
	q++;
	for (i = 0; i < 3; i++) {
		size_t n;

		while (*q == ' ')
			q++;
		n = strcspn(q, " ");
		if (n && q[n - 1] == ':' && isdigit((unsigned char)*q)) {
			q += n;
			break;
		}
		q += n;
	}
	if (i == 3)
		return false;
	while (*q == ' ')
		q++;
	p = strstr(q, ": ");
	if (!p) {
		copy_trunc(rc->event, sizeof(rc->event), q);
		rc->rest = "";
	} else {
		size_t n = p - q;

		if (n >= sizeof(rc->event))
			n = sizeof(rc->event) - 1;
		memcpy(rc->event, q, n);
		rc->event[n] = '\0';
		rc->rest = p + 2;
	}
	rc->line = line;
	return true;
}

static void classify(struct rec *rc)
{
	unsigned int i;

	if (!strcmp(rc->event, "<stack trace>")) {
		rc->op = OP_STACK;
		return;
	}
	if (!strcmp(rc->event, "tracing_mark_write")) {
		const char *m = strstr(rc->rest, MARKER);

		if (!m)
			return;
		m += strlen(MARKER);
		if (!strncmp(m, "unbound ", 8)) {
			rc->op = OP_UNBOUND;
			copy_token(rc->dev, sizeof(rc->dev), m + 8, " \n");
		} else if (!strncmp(m, "bound ", 6)) {
			rc->op = OP_BOUND;
			copy_token(rc->dev, sizeof(rc->dev), m + 6, " \n");
		}
		return;
	}
	for (i = 0; i < sizeof(events) / sizeof(events[0]); i++) {
		char val[40];

		if (strcmp(rc->event, events[i].event))
			continue;
		rc->op = events[i].op;
		if (!strncmp(rc->event, "hu_", 3))
			field(rc->rest, "dev=", rc->dev, sizeof(rc->dev));
		else if (strstr(rc->rest, "device="))
			field(rc->rest, "device=", rc->dev, sizeof(rc->dev));
		else
			copy_token(rc->dev, sizeof(rc->dev), rc->rest, " ");
		if (events[i].key) {
			field(rc->rest, events[i].field, val, sizeof(val));
			/* strip a 0x prefix so both spellings pair */
			snprintf(rc->key, sizeof(rc->key), "%c:%s", events[i].key,
				 strncmp(val, "0x", 2) ? val : val + 2);
		}
		return;
	}
}

static bool wanted(const char *const *devices, const char *dev)
{
	if (!devices)
		return true;
	for (; *devices; devices++)
		if (!strcmp(*devices, dev))
			return true;
	return false;
}

const char *hu_iommu_kind_name(enum hu_iommu_kind kind)
{
	static const char *const names[] = {
		[HU_IOMMU_UNMAP_AFTER_LEAVE] = "unmap-after-leave",
		[HU_IOMMU_MAPPED_AT_LEAVE] = "mapped-at-leave",
		[HU_IOMMU_MAPPED_AT_UNBIND] = "mapped-at-unbind",
		[HU_IOMMU_DMA_DEBUG] = "dma-api-debug",
	};

	return kind < HU_IOMMU_NUM_KINDS ? names[kind] : "?";
}

const char *hu_iommu_kind_text(enum hu_iommu_kind kind)
{
	static const char *const texts[] = {
		[HU_IOMMU_UNMAP_AFTER_LEAVE] =
			"DMA unmap/free on a device that already left its IOMMU group",
		[HU_IOMMU_MAPPED_AT_LEAVE] =
			"DMA mapping still alive when the device left its IOMMU group",
		[HU_IOMMU_MAPPED_AT_UNBIND] =
			"DMA mapping still alive when the driver was unbound",
		[HU_IOMMU_DMA_DEBUG] = "DMA-API debug reported an error",
	};

	return kind < HU_IOMMU_NUM_KINDS ? texts[kind] : "?";
}

static void stack_text(const struct rec *rc, char *dst, size_t len)
{
	size_t used = 0;
	int i;

	dst[0] = '\0';
	for (i = 0; i < rc->nstack && used + 2 < len; i++) {
		int n = snprintf(dst + used, len - used, "%s%s",
				 used ? "\n" : "", rc->stack[i]);

		if (n < 0)
			break;
		used += n;
	}
	if (used >= len)
		dst[len - 1] = '\0';
}

void hu_iommu_report_add(struct hu_iommu_report *r, enum hu_iommu_kind kind,
			 const char *device, const char *record,
			 const char *cause, const char *stack)
{
	struct hu_iommu_finding *f;

	r->count[kind]++;
	if (r->nfindings++ >= HU_IOMMU_MAX_FINDINGS)
		return;
	f = &r->findings[r->nfindings - 1];
	f->kind = kind;
	copy_trunc(f->device, sizeof(f->device), device);
	/* records are kept without the trace's column padding */
	copy_trunc(f->record, sizeof(f->record), record + strspn(record, " "));
	copy_trunc(f->cause, sizeof(f->cause), cause + strspn(cause, " "));
	copy_trunc(f->stack, sizeof(f->stack), stack);
}

static void add_rec(struct hu_iommu_report *r, enum hu_iommu_kind kind,
		    const struct rec *rec, const struct rec *cause)
{
	static char stack[HU_IOMMU_STACK];	/* pure, but not reentrant */

	stack_text(rec, stack, sizeof(stack));
	hu_iommu_report_add(r, kind, rec->dev, rec->line,
			    cause ? cause->line : "", stack);
}

static struct devst *devst(struct devst **devs, int *ndevs, const char *name)
{
	struct devst *d;
	int i;

	for (i = 0; i < *ndevs; i++)
		if (!strcmp((*devs)[i].name, name))
			return &(*devs)[i];
	d = realloc(*devs, (*ndevs + 1) * sizeof(*d));
	if (!d)
		return NULL;
	*devs = d;
	d = &d[(*ndevs)++];
	memset(d, 0, sizeof(*d));
	copy_trunc(d->name, sizeof(d->name), name);
	d->cause = -1;
	return d;
}

/* Reads "entries-in-buffer/entries-written: A/B" from the header. */
static bool header_overflow(const char *text)
{
	const char *p = strstr(text, "entries-in-buffer/entries-written:");
	unsigned long a, b;

	if (!p || sscanf(p, "entries-in-buffer/entries-written: %lu/%lu",
			 &a, &b) != 2)
		return false;
	return a < b;
}

static int replay(struct rec *recs, int nrecs, const char *const *devices,
		  struct hu_iommu_report *r)
{
	struct live *live = NULL;
	struct devst *devs = NULL;
	int nlive = 0, caplive = 0, ndevs = 0, i, j, err = 0;

	for (i = 0; i < nrecs; i++) {
		struct rec *rc = &recs[i];
		struct devst *d;

		if (rc->op == OP_NONE || rc->op == OP_STACK ||
		    !wanted(devices, rc->dev))
			continue;
		d = devst(&devs, &ndevs, rc->dev);
		if (!d) {
			err = -ENOMEM;
			break;
		}
		switch (rc->op) {
		case OP_JOIN:
			r->joins++;
			d->left = false;
			break;
		case OP_LEAVE:
			r->leaves++;
			for (j = 0; j < nlive && !r->overflow; j++)
				if (live[j].gen == d->gen &&
				    !strcmp(live[j].dev, d->name))
					add_rec(r, HU_IOMMU_MAPPED_AT_LEAVE,
						&recs[live[j].rec], rc);
			d->left = true;
			d->gen++;
			d->cause = i;
			break;
		case OP_UNBOUND:
		case OP_BOUND:
			r->markers++;
			if (rc->op == OP_BOUND)
				break;
			for (j = 0; j < nlive && !r->overflow; j++)
				if (live[j].gen == d->gen &&
				    !live[j].unbind_reported &&
				    !strcmp(live[j].dev, d->name)) {
					live[j].unbind_reported = true;
					add_rec(r, HU_IOMMU_MAPPED_AT_UNBIND,
						&recs[live[j].rec], rc);
				}
			break;
		case OP_MAP:
			r->maps++;
			if (nlive == caplive) {
				struct live *nl;

				caplive = caplive ? caplive * 2 : 64;
				nl = realloc(live, caplive * sizeof(*nl));
				if (!nl) {
					err = -ENOMEM;
					goto out;
				}
				live = nl;
			}
			memset(&live[nlive], 0, sizeof(live[nlive]));
			copy_trunc(live[nlive].dev, sizeof(live[nlive].dev),
				   rc->dev);
			copy_trunc(live[nlive].key, sizeof(live[nlive].key),
				   rc->key);
			live[nlive].rec = i;
			live[nlive].gen = d->gen;
			nlive++;
			break;
		case OP_UNMAP: {
			bool stale = false;

			r->unmaps++;
			/* newest first: a key may be reused after an unmap */
			for (j = nlive - 1; j >= 0; j--)
				if (!strcmp(live[j].key, rc->key) &&
				    !strcmp(live[j].dev, rc->dev))
					break;
			if (j >= 0) {
				stale = live[j].gen != d->gen;
				live[j] = live[--nlive];
			}
			if (d->left || stale)
				add_rec(r, HU_IOMMU_UNMAP_AFTER_LEAVE, rc,
					d->cause >= 0 ? &recs[d->cause] : NULL);
			break;
		}
		default:
			break;
		}
	}
out:
	free(live);
	free(devs);
	return err;
}

int hu_iommu_trace_parse(const char *text, const char *const *devices,
			 struct hu_iommu_report *r)
{
	struct rec *recs = NULL;
	int nrecs = 0, cap = 0, cur_stack = -1, err;
	char *copy, *line, *save = NULL;

	memset(r, 0, sizeof(*r));
	r->overflow = header_overflow(text);
	copy = strdup(text);
	if (!copy)
		return -ENOMEM;
	for (line = strtok_r(copy, "\r\n", &save); line;
	     line = strtok_r(NULL, "\r\n", &save)) {
		const char *t = line;
		struct rec rc;

		if (line[0] == '#')
			continue;
		while (*t == ' ' || *t == '\t')
			t++;
		if (!strncmp(t, "=> ", 3)) {
			/* a frame of the current stack trace's owner */
			struct rec *o = cur_stack >= 0 ? &recs[cur_stack] : NULL;
			char **ns;

			if (!o)
				continue;
			ns = realloc(o->stack, (o->nstack + 1) * sizeof(*ns));
			if (!ns)
				goto nomem;
			o->stack = ns;
			o->stack[o->nstack++] = (char *)t;
			continue;
		}
		memset(&rc, 0, sizeof(rc));
		if (!parse_record(line, &rc))
			continue;
		classify(&rc);
		if (rc.op == OP_STACK) {
			int j;

			r->stacks++;
			/* the owner: the last record of the same task */
			cur_stack = -1;
			for (j = nrecs - 1; j >= 0 && j >= nrecs - 64; j--)
				if (!strcmp(recs[j].task, rc.task)) {
					cur_stack = j;
					break;
				}
			continue;
		}
		cur_stack = -1;
		if (nrecs == cap) {
			struct rec *nr;

			cap = cap ? cap * 2 : 256;
			nr = realloc(recs, cap * sizeof(*nr));
			if (!nr)
				goto nomem;
			recs = nr;
		}
		recs[nrecs++] = rc;
	}
	r->records = nrecs;
	err = replay(recs, nrecs, devices, r);
	goto out;
nomem:
	err = -ENOMEM;
out:
	for (int i = 0; i < nrecs; i++)
		free(recs[i].stack);
	free(recs);
	free(copy);
	return err ? err : (int)r->nfindings;
}

void hu_iommu_report_print(const struct hu_iommu_report *r, FILE *f,
			   const char *prefix)
{
	unsigned int i, kept = r->nfindings < HU_IOMMU_MAX_FINDINGS ?
		r->nfindings : HU_IOMMU_MAX_FINDINGS;

	for (i = 0; i < kept; i++) {
		const struct hu_iommu_finding *x = &r->findings[i];
		const char *s = x->stack;

		fprintf(f, "%s%s [%s] on %s\n", prefix,
			hu_iommu_kind_text(x->kind),
			hu_iommu_kind_name(x->kind), x->device);
		fprintf(f, "%s  %s: %s\n", prefix,
			x->kind == HU_IOMMU_UNMAP_AFTER_LEAVE ? "unmap" :
			x->kind == HU_IOMMU_DMA_DEBUG ? "debug" : "mapped",
			x->record);
		if (x->cause[0])
			fprintf(f, "%s  %s: %s\n", prefix,
				x->kind == HU_IOMMU_MAPPED_AT_UNBIND ? "unbind" :
				x->kind == HU_IOMMU_DMA_DEBUG ? "details" : "left",
				x->cause);
		if (*s)
			fprintf(f, "%s  call chain:\n", prefix);
		while (*s) {
			size_t n = strcspn(s, "\n");

			fprintf(f, "%s   %.*s\n", prefix, (int)n, s);
			s += n;
			if (*s)
				s++;
		}
	}
	if (r->nfindings > kept)
		fprintf(f, "%s... and %u more\n", prefix, r->nfindings - kept);
	if (r->overflow)
		fprintf(f, "%sthe trace buffer overflowed: mappings alive at leave/unbind not judged\n",
			prefix);
}

/* --- DMA-API debug reports in the kernel log -------------------------- */

/* The text of a log line: without a kmsg "6,12,345,-;" or dmesg "<4> [1.2] " prefix. */
static const char *log_text(const char *line)
{
	const char *p = line;
	int commas = 0;

	while (isdigit((unsigned char)*p) || *p == ',' || *p == '-' ||
	       (commas >= 3 && (isalpha((unsigned char)*p) || *p == '=' ||
				*p == '+')))
		commas += *p++ == ',';
	if (commas >= 3 && *p == ';')
		return p + 1;
	p = line;
	if (*p == '<' && (p = strchr(p, '>')))
		p += 1 + (p[1] == ' ');
	else
		p = line;
	if (*p == '[' && strchr(p, ']'))
		p = strchr(p, ']') + 1 + (strchr(p, ']')[1] == ' ');
	return p;
}

/*
 * "DMA-API: DRIVER DEVICE: what": the device, or false when the line is
 * not a report about a device (boot messages, "... disabling").
 */
static bool dma_debug_device(const char *msg, char *dev, size_t len)
{
	const char *d = strchr(msg, ' '), *end;

	if (!d || d == msg)
		return false;
	d++;
	end = d + strcspn(d, " ");
	if (end == d || end[-1] != ':' || *end != ' ')
		return false;
	snprintf(dev, len, "%.*s", (int)(end - 1 - d), d);
	return true;
}

/* Appends "=> frame" to @dst unless it is a marker or an unreliable "? " frame. */
static void add_frame(char *dst, size_t len, const char *t)
{
	size_t used = strlen(dst);

	t += strspn(t, " \t");
	if (!*t || *t == '<' || !strncmp(t, "? ", 2) || used + 4 >= len)
		return;
	snprintf(dst + used, len - used, "%s=> %s", used ? "\n" : "", t);
}

/* @text up to an escaped (\x0a) or real line end. */
static void first_line(char *dst, size_t len, const char *text)
{
	const char *esc = strstr(text, "\\x0a");
	size_t n = esc ? (size_t)(esc - text) : strcspn(text, "\r\n");

	snprintf(dst, len, "%.*s", (int)n, text);
}

int hu_iommu_dma_debug_parse(const char *log, const char *const *devices,
			     long errors, struct hu_iommu_report *r)
{
	char *copy = strdup(log ? log : ""), **lines = NULL, *p;
	int nlines = 0, cap = 0, added = 0, reports = 0;

	if (!copy)
		return 0;
	for (p = strtok(copy, "\n"); p; p = strtok(NULL, "\n")) {
		if (nlines == cap) {
			char **nl = realloc(lines, (cap = cap ? cap * 2 : 256) *
					    sizeof(*lines));

			if (!nl)
				break;
			lines = nl;
		}
		p[strcspn(p, "\r")] = '\0';
		lines[nlines++] = p;
	}
	for (int i = 0; i < nlines; i++) {
		const char *t = log_text(lines[i]), *msg = strstr(t, "DMA-API: ");
		char dev[64], rec[HU_IOMMU_LINE], cause[HU_IOMMU_LINE] = "";
		char mapped[HU_IOMMU_STACK] = "", trace[HU_IOMMU_STACK] = "";
		char stack[HU_IOMMU_STACK];
		const char *esc;
		int mode = 0;	/* 1: in the Call Trace, 2: in "Mapped at:" */

		if (!msg)
			continue;
		first_line(rec, sizeof(rec), msg);
		if (!dma_debug_device(msg + 9, dev, sizeof(dev))) {
			if (strstr(msg, "disabl")) {
				hu_iommu_report_add(r, HU_IOMMU_DMA_DEBUG,
						    devices && devices[0] ? devices[0] : "",
						    rec, "DMA-API debug checks nothing from here on", "");
				added++;
			}
			continue;
		}
		reports++;
		if (!wanted(devices, dev))
			continue;
		/* the details: the rest of the record, or the next line */
		esc = strstr(msg, "\\x0a");
		if (esc)
			first_line(cause, sizeof(cause), esc + 4);
		else if (i + 1 < nlines && !strncmp(log_text(lines[i + 1]), "One of", 6))
			first_line(cause, sizeof(cause), log_text(lines[i + 1]));
		for (int j = i + 1; j < nlines && j < i + 400; j++) {
			const char *u = log_text(lines[j]);

			/* "Mapped at:" carries the prefix too (pr_fmt) */
			if (strstr(u, "Mapped at:")) {
				mode = 2;
			} else if (strstr(u, "DMA-API: ") || strstr(u, "cut here")) {
				break;
			} else if (strstr(u, "Call Trace:")) {
				mode = 1;
			} else if (mode == 1 && (strstr(u, "</TASK>") ||
						 strstr(u, "---[ end trace"))) {
				mode = 0;
			} else if (mode && *u != ' ' && *u != '\t') {
				if (mode == 2)
					break;	/* the mapping's frames ended */
			} else if (mode) {
				add_frame(mode == 1 ? trace : mapped,
					  sizeof(trace), u);
			}
		}
		snprintf(stack, sizeof(stack), "%s%s%s%s%s",
			 *mapped ? "mapped at:\n" : "", mapped,
			 *mapped && *trace ? "\n" : "",
			 *trace ? "reported from:\n" : "", trace);
		hu_iommu_report_add(r, HU_IOMMU_DMA_DEBUG, dev, rec, cause, stack);
		added++;
	}
	if (errors > reports) {
		char rec[HU_IOMMU_LINE];

		snprintf(rec, sizeof(rec),
			 "dma-api/error_count grew by %ld, %d report(s) in the log",
			 errors, reports);
		hu_iommu_report_add(r, HU_IOMMU_DMA_DEBUG,
				    devices && devices[0] ? devices[0] : "", rec,
				    "the kernel prints only dma-api/num_errors reports: the rest only count", "");
		added++;
	}
	free(lines);
	free(copy);
	return added;
}
