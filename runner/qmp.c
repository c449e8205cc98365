// SPDX-License-Identifier: MIT
/*
 * QMP: QEMU sends one JSON object per line; a command is answered by a line
 * with "return" or "error", events may come in between and go to the
 * event callback. Every wait is bounded.
 */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "vm.h"

/*
 * The string member @key of the JSON object @json (one QMP line), or of
 * its "data" or "error" object (events, errors): 0 and @out, -1 if none.
 */
int vm_json_str(const char *json, const char *key, char *out, size_t len)
{
	static const char *const inner[] = { NULL, "data", "error" };
	struct json_object *top = json_tokener_parse(json), *o, *v;
	int ret = -1;

	for (size_t i = 0; top && ret && i < sizeof(inner) / sizeof(inner[0]); i++) {
		o = top;
		if (inner[i] && !json_object_object_get_ex(top, inner[i], &o))
			continue;
		if (json_object_object_get_ex(o, key, &v) &&
		    json_object_is_type(v, json_type_string)) {
			snprintf(out, len, "%s", json_object_get_string(v));
			ret = 0;
		}
	}
	json_object_put(top);
	return ret;
}

/*
 * The QMP command @execute with one string argument @key = @val (json-c:
 * the value is escaped whatever the guest sent).
 */
void vm_qmp_command(char *buf, size_t len, const char *execute,
		    const char *key, const char *val)
{
	struct json_object *cmd = json_object_new_object();
	struct json_object *args = json_object_new_object();

	json_object_object_add(args, key, json_object_new_string(val));
	json_object_object_add(cmd, "execute", json_object_new_string(execute));
	json_object_object_add(cmd, "arguments", args);
	vm_fmt(buf, len, "%s", json_object_to_json_string_ext(cmd,
	       JSON_C_TO_STRING_PLAIN));
	json_object_put(cmd);
}

/* Whether the QMP line @json is an object with the top-level member @key. */
bool vm_qmp_has(const char *json, const char *key)
{
	struct json_object *top = json_tokener_parse(json);
	bool has = top && json_object_is_type(top, json_type_object) &&
		   json_object_object_get_ex(top, key, NULL);

	json_object_put(top);
	return has;
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

	if (vm_qmp_has(line, "event")) {
		if (r->q->event_cb)
			r->q->event_cb(r->q->event_data, line);
		return;
	}
	if (r->done || !(vm_qmp_has(line, "return") || vm_qmp_has(line, "error") ||
			 vm_qmp_has(line, "QMP")))
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
	return reply && vm_qmp_has(reply, "error") ? 1 : 0;
}
