// SPDX-License-Identifier: MIT
/*
 * hu_tracefs on a fake instance directory: the exact text the IOMMU
 * oracle writes into tracefs files (filters, triggers and their removal,
 * enable, markers) and reading files larger than the first buffer.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hu_check.h"
#include "hu_tracefs.h"

static char dir[] = "/tmp/hu-tracefs-XXXXXX";

static void touch(const char *rel)
{
	char p[512];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	fd = open(p, O_CREAT | O_WRONLY | O_TRUNC, 0600);
	if (fd >= 0)
		close(fd);
}

static char *content(const char *rel)
{
	static char *last;
	char sub[512];
	const char *slash = strrchr(rel, '/');

	free(last);
	last = NULL;
	snprintf(sub, sizeof(sub), "%s/%.*s", dir,
		 slash ? (int)(slash - rel) : 0, rel);
	if (hu_tracefs_read(sub, slash ? slash + 1 : rel, &last, NULL))
		return NULL;
	return last;
}

int main(void)
{
	const char *ev = "events/dma/dma_unmap_sg";
	char p[512], *big, *text;
	size_t len;
	int r;

	if (!mkdtemp(dir)) {
		printf("# mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	snprintf(p, sizeof(p), "%s/events", dir);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/events/dma", dir);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/%s", dir, ev);
	mkdir(p, 0700);
	touch("events/dma/dma_unmap_sg/filter");
	touch("events/dma/dma_unmap_sg/trigger");
	touch("events/dma/dma_unmap_sg/enable");
	touch("trace_marker");

	r = hu_tracefs_event_filter(dir, "dma", "dma_unmap_sg",
				    "device == \"0000:01:00.0\"");
	check(r == 0, "filter written");
	check_streq(content("events/dma/dma_unmap_sg/filter"),
		    "device == \"0000:01:00.0\"", "filter text");
	hu_tracefs_event_filter(dir, "dma", "dma_unmap_sg", "");
	check_streq(content("events/dma/dma_unmap_sg/filter"), "0",
		    "an empty filter clears it with 0");

	r = hu_tracefs_event_trigger(dir, "dma", "dma_unmap_sg",
				     "stacktrace if device == \"d\"", true);
	check(r == 0, "trigger written");
	r = hu_tracefs_event_trigger(dir, "dma", "dma_unmap_sg",
				     "stacktrace if device == \"d\"", false);
	/* the file is appended to, as tracefs trigger files must be */
	check_streq(content("events/dma/dma_unmap_sg/trigger"),
		    "stacktrace if device == \"d\"!stacktrace",
		    "trigger, then its removal by command name");

	hu_tracefs_event_enable(dir, "dma", "dma_unmap_sg", true);
	check_streq(content("events/dma/dma_unmap_sg/enable"), "1", "enable");
	hu_tracefs_event_enable(dir, "dma", "dma_unmap_sg", false);
	check_streq(content("events/dma/dma_unmap_sg/enable"), "0", "disable");

	hu_tracefs_marker(dir, "hu_iommu: unbound 0000:01:00.0\n");
	check_streq(content("trace_marker"), "hu_iommu: unbound 0000:01:00.0\n",
		    "marker");

	r = hu_tracefs_event_enable(dir, "dma", "dma_nope", true);
	check_eq(r, -ENOENT, "a missing event is -ENOENT");
	r = hu_tracefs_read(dir, "nope", &text, NULL);
	check_eq(r, -ENOENT, "reading a missing file is -ENOENT");

	/* a trace larger than the first read buffer (64 KiB) comes whole */
	len = 300000;
	big = malloc(len + 1);
	for (size_t i = 0; big && i < len; i++)
		big[i] = i % 80 == 79 ? '\n' : 'a' + i % 26;
	if (big) {
		big[len] = '\0';
		touch("trace");
		r = hu_tracefs_write(dir, "trace", big, false);
		check(r == 0, "large write");
		r = hu_tracefs_read(dir, "trace", &text, &len);
		check(r == 0 && len == 300000 && !strcmp(text, big),
		      "large read: %zu bytes, intact", len);
		if (!r)
			free(text);
		free(big);
	}

	snprintf(p, sizeof(p), "rm -rf '%s'", dir);
	if (system(p))
		printf("# could not remove %s\n", dir);
	return check_done();
}
