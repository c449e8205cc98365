// SPDX-License-Identifier: MIT
/*
 * Kernel log markers: igt_runner splits dmesg per subtest on
 * "<bin>: starting subtest <x>" and honours "add ignored dmesg regex: ".
 * HU_KMSG_PATH redirects them to a file (the harness's own tests use it, so
 * they do not write into the host's kernel log).
 */
#include <fcntl.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hu_core_priv.h"

static const char *kmsg_path(void)
{
	static const char *path;

	if (!path) {
		path = getenv("HU_KMSG_PATH");
		if (!path || !*path)
			path = "/dev/kmsg";
	}
	return path;
}

void __hu_kmsg_raw(const char *line)
{
	int fd = open(kmsg_path(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	ssize_t ret;

	if (fd < 0)
		return;
	/* One write() is one kmsg record. */
	ret = write(fd, line, strlen(line));
	(void)ret;
	close(fd);
}

void hu_kmsg(int level, const char *fmt, ...)
{
	char line[1024];
	int n, m;
	va_list ap;

	n = snprintf(line, sizeof(line), "<%d>[IGT] %s: ", level, __hu_name);
	va_start(ap, fmt);
	m = vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	va_end(ap);
	if (m < 0)
		return;
	n = strlen(line);
	if (n && line[n - 1] != '\n') {
		line[n] = '\n';
		line[n + 1] = '\0';
	}
	__hu_kmsg_raw(line);
}

/*
 * HU_DMESG_IGNORE=RE: expected noise of the platform the tests run on, not
 * of a test (the VM lane sets it for TCG's "hrtimer: interrupt took N ns",
 * a <4> line that a loaded emulator prints at random). igt_runner keeps one
 * ignore regex and forgets it at each subtest start: so it is emitted after
 * every start marker and joined to a test's own regex.
 */
static const char *platform_ignore(void)
{
	const char *re = getenv("HU_DMESG_IGNORE");

	return re && *re ? re : NULL;
}

static void emit_ignore(const char *re)
{
	char line[1024];
	regex_t rx;

	/* The runner compiles it with GLib; ERE is close enough to warn. */
	if (regcomp(&rx, re, REG_EXTENDED | REG_NOSUB))
		hu_warn("dmesg regex may not compile: '%s'\n", re);
	else
		regfree(&rx);
	snprintf(line, sizeof(line), "<6>[IGT] add ignored dmesg regex: %s\n", re);
	__hu_kmsg_raw(line);
}

void hu_emit_ignore_dmesg_regex(const char *re)
{
	const char *platform = platform_ignore();
	char both[900];

	if (platform && (size_t)snprintf(both, sizeof(both), "(%s)|(%s)",
					 re, platform) < sizeof(both))
		re = both;
	else if (platform)
		hu_warn("HU_DMESG_IGNORE not joined to a too long regex: "
			"its noise counts in this subtest\n");
	emit_ignore(re);
}

void __hu_kmsg_subtest_started(void)
{
	const char *platform = platform_ignore();

	if (platform)
		emit_ignore(platform);
}
