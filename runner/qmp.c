// SPDX-License-Identifier: MIT
/*
 * QMP: QEMU sends one JSON object per line; a command is answered by a line
 * with "return" or "error", events may come in between and go to the
 * event callback. Every wait is bounded.
 */
#include <stdio.h>
#include <string.h>

#include "vm.h"

/*
 * The string value of the first "key" in a one-line JSON object. Enough
 * for QMP's flat fields (event, device, desc, class); escapes are kept.
 */
int vm_json_str(const char *json, const char *key, char *out, size_t len)
{
	char pat[64];
	const char *p;
	size_t n = 0;

	snprintf(pat, sizeof(pat), "\"%s\"", key);
	p = strstr(json, pat);
	if (!p)
		return -1;
	p += strlen(pat);
	while (*p == ' ' || *p == ':')
		p++;
	if (*p++ != '"')
		return -1;
	while (*p && *p != '"' && n + 1 < len) {
		if (*p == '\\' && p[1])
			out[n++] = *p++;
		out[n++] = *p++;
	}
	out[n] = 0;
	return 0;
}

struct reply {
	struct vm_qmp *q;
	char *buf;
	size_t len;
	bool done;
};

static void on_line(void *data, const char *line)
{
	struct reply *r = data;

	if (strstr(line, "\"event\"")) {
		if (r->q->event_cb)
			r->q->event_cb(r->q->event_data, line);
		return;
	}
	if (r->done || !(strstr(line, "\"return\"") || strstr(line, "\"error\"") ||
			 strstr(line, "\"QMP\"")))
		return;
	if (r->buf)
		snprintf(r->buf, r->len, "%s", line);
	r->done = true;
}

static int wait_reply(struct vm_qmp *q, struct reply *r, int timeout_ms)
{
	double deadline = vm_now() + timeout_ms / 1000.0;

	while (!r->done) {
		int left = (int)((deadline - vm_now()) * 1000);

		if (left <= 0 || vm_chan_wait(&q->chan, left) <= 0)
			return -1;
		if (vm_chan_read(&q->chan, on_line, r) < 0 && !r->done)
			return -1;
	}
	return 0;
}

int vm_qmp_handshake(struct vm_qmp *q, int timeout_ms)
{
	struct reply r = { .q = q };
	char buf[512];

	if (q->chan.fd < 0) {
		if (vm_chan_wait(&q->chan, timeout_ms) <= 0 || vm_chan_accept(&q->chan))
			return -1;
	}
	if (wait_reply(q, &r, timeout_ms))	/* the greeting */
		return -1;
	if (vm_qmp_cmd(q, "{\"execute\":\"qmp_capabilities\"}", buf,
		       sizeof(buf), timeout_ms))
		return -1;
	q->ready = true;
	return 0;
}

/* 0 and the reply line on "return"; 1 on "error"; -1 no answer in time */
int vm_qmp_cmd(struct vm_qmp *q, const char *json, char *reply, size_t len,
	       int timeout_ms)
{
	struct reply r = { .q = q, .buf = reply, .len = len };

	if (reply && len)
		reply[0] = 0;
	if (vm_chan_write(&q->chan, json) || vm_chan_write(&q->chan, "\n"))
		return -1;
	if (wait_reply(q, &r, timeout_ms))
		return -1;
	return reply && strstr(reply, "\"error\"") ? 1 : 0;
}
