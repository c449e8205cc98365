// SPDX-License-Identifier: MIT
/* hu_oracle: the kmsg reader and the taint check, scoped to a test stage. */
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hu_core.h"
#include "hu_oracle.h"

#define MAX_IGNORE 16
#define MAX_RECS 4096
#define MAX_FINDINGS 32

struct hu_oracle {
	char scope[128];
	int fd;
	unsigned long taint;
	int nignore;
	regex_t ignore[MAX_IGNORE];
	struct hu_kmsg_rec *recs;
};

unsigned long hu_taint_read(void)
{
	char buf[32] = "";
	FILE *f = fopen("/proc/sys/kernel/tainted", "r");

	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	return strtoul(buf, NULL, 10);
}

const char *hu_taint_str(unsigned long taint, char *buf, size_t len)
{
	static const char letters[] = "PFSRMBUDAWCIOELKXTNJ";
	size_t n = 0;

	for (size_t bit = 0; bit < sizeof(letters) - 1 && n + 1 < len; bit++)
		if (taint & (1ul << bit))
			buf[n++] = letters[bit];
	buf[n] = '\0';
	return buf;
}

struct hu_oracle *hu_oracle_arm(const char *scope)
{
	struct hu_oracle *o = calloc(1, sizeof(*o));

	if (!o)
		return NULL;
	o->fd = -1;
	o->recs = calloc(MAX_RECS, sizeof(*o->recs));
	o->fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (!o->recs || o->fd < 0) {
		hu_warn("kmsg oracle: cannot read /dev/kmsg (%s)\n",
			strerror(errno));
		hu_oracle_free(o);
		return NULL;
	}
	lseek(o->fd, 0, SEEK_END);
	snprintf(o->scope, sizeof(o->scope), "%s", scope);
	o->taint = hu_taint_read();
	return o;
}

void hu_oracle_ignore(struct hu_oracle *o, const char *regex)
{
	hu_emit_ignore_dmesg_regex(regex);
	if (!o || o->nignore >= MAX_IGNORE)
		return;
	if (regcomp(&o->ignore[o->nignore], regex, REG_EXTENDED | REG_NOSUB)) {
		hu_warn("kmsg oracle: bad ignore regex '%s'\n", regex);
		return;
	}
	hu_info("kmsg oracle: ignoring /%s/\n", regex);
	o->nignore++;
}

static bool is_ignored(struct hu_oracle *o, const char *text)
{
	for (int i = 0; i < o->nignore; i++)
		if (!regexec(&o->ignore[i], text, 0, NULL, 0))
			return true;
	return false;
}

/* Reads the records logged since the last call; returns how many. */
static int drain(struct hu_oracle *o, bool *lost)
{
	char buf[8192];
	int n = 0;

	*lost = false;
	while (n < MAX_RECS) {
		ssize_t len = read(o->fd, buf, sizeof(buf) - 1);

		if (len < 0 && errno == EPIPE) {
			*lost = true;	/* overwritten before we read it */
			continue;
		}
		if (len < 0 && errno == EINTR)
			continue;
		if (len <= 0)
			break;
		buf[len] = '\0';
		if (!hu_kmsg_parse(buf, len, &o->recs[n]))
			n++;
	}
	return n;
}

int hu_oracle_splats(struct hu_oracle *o, const char *stage)
{
	struct hu_kmsg_finding f[MAX_FINDINGS];
	bool *ignored, lost;
	int n, nf;

	if (!o)
		return 0;
	n = drain(o, &lost);
	if (lost)
		hu_warn("kmsg oracle: records were lost (log overrun) in %s\n",
			o->scope);
	ignored = calloc(n ? n : 1, sizeof(*ignored));
	for (int i = 0; i < n && ignored; i++)
		ignored[i] = is_ignored(o, o->recs[i].text);
	nf = hu_kmsg_findings(o->recs, n, ignored, f, MAX_FINDINGS);
	free(ignored);
	for (int k = 0; k < nf; k++) {
		hu_warn("kmsg oracle: %s at %s of %s, %d lines:\n",
			hu_kmsg_class_name(f[k].cls), stage, o->scope,
			f[k].last - f[k].first + 1);
		for (int i = f[k].first; i <= f[k].last; i++)
			hu_warn("  <%d>[%5llu.%06llu] %s\n", o->recs[i].level,
				(unsigned long long)(o->recs[i].usec / 1000000),
				(unsigned long long)(o->recs[i].usec % 1000000),
				o->recs[i].text);
	}
	hu_debug("kmsg oracle: %s of %s: %d records, %d findings\n",
		 stage, o->scope, n, nf);
	return nf;
}

int hu_taint_check(unsigned long *since, const char *stage, const char *scope)
{
	unsigned long taint = hu_taint_read(), fresh = taint & ~*since;
	char letters[32];
	int bad = 0;

	if (fresh & HU_TAINT_BAD) {
		hu_warn("taint oracle: kernel newly tainted '%s' (%#lx -> %#lx) at %s of %s\n",
			hu_taint_str(fresh, letters, sizeof(letters)),
			*since, taint, stage, scope);
		bad = 1;
	} else if (fresh) {
		hu_info("taint oracle: new harmless taint '%s'\n",
			hu_taint_str(fresh, letters, sizeof(letters)));
	}
	*since = taint;
	return bad;
}

int hu_oracle_verdict(struct hu_oracle *o, const char *stage)
{
	if (!o)
		return 0;
	return hu_oracle_splats(o, stage) +
	       hu_taint_check(&o->taint, stage, o->scope);
}

void hu_oracle_free(struct hu_oracle *o)
{
	if (!o)
		return;
	for (int i = 0; i < o->nignore; i++)
		regfree(&o->ignore[i]);
	if (o->fd >= 0)
		close(o->fd);
	free(o->recs);
	free(o);
}
