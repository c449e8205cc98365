// SPDX-License-Identifier: MIT
/* hu_scenario_name: subtest names and descriptions composed from the parts. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hu_scenario.h"

int hu_scenario_name(char *buf, size_t len, const struct hu_scenario *sc)
{
	size_t off;
	int n;

	if (sc->name) {
		n = snprintf(buf, len, "%s", sc->name);
		return n < 0 || (size_t)n >= len || !hu_valid_name(buf) ?
		       -EINVAL : 0;
	}
	n = snprintf(buf, len, "%s", sc->trigger->name);
	if (!sc->nholders)
		n = snprintf(buf, len, "%s-idle", sc->trigger->name);
	for (int i = 0; i < sc->nholders && n >= 0 && (size_t)n < len; i++) {
		off = strlen(buf);
		n = snprintf(buf + off, len - off, "-%s", sc->holders[i]->name);
	}
	if (sc->nholders && n >= 0 && (size_t)n < len) {
		off = strlen(buf);
		n = snprintf(buf + off, len - off, "-%s",
			     hu_close_names[sc->close]);
	}
	if (n < 0 || (size_t)n >= len || !hu_valid_name(buf))
		return -EINVAL;
	return 0;
}

/*
 * What the row checks, per kind of trigger: see cycle(). A trigger that
 * removes the device must leave held fds saying ENODEV; rmmod is refused
 * while anything is held, so everything held must keep working.
 */
const char *hu_scenario_describe(char *buf, size_t len,
				 const struct hu_scenario *sc)
{
	bool late = sc->close == HU_CLOSE_LATE;
	size_t off;

	snprintf(buf, len, "Trigger: %s.", sc->trigger->desc);
	for (int i = 0; i < sc->nholders; i++) {
		off = strlen(buf);
		snprintf(buf + off, len - off, "%s%s", i ? "; " : " Held: ",
			 sc->holders[i]->desc);
	}
	off = strlen(buf);
	if (!sc->nholders)
		snprintf(buf + off, len - off,
			 " Nothing held. Checks: %s, health check with real "
			 "work, module refcount back to idle, no kernel splat "
			 "or taint.",
			 sc->trigger->removes ? "nodes go and come back" :
			 "the unload works, load brings the nodes back");
	else if (sc->trigger->removes)
		snprintf(buf + off, len - off,
			 ". Closed %s. Checks: the nodes go; each held object "
			 "is probed (held fds give ENODEV, mappings raise no "
			 "SIGBUS, exported data and fences survive)%s; nodes "
			 "come back, health check with real work, module "
			 "refcount back to idle, no kernel splat or taint.",
			 late ? "after the new instance's health check" :
				"before recovery",
			 late ? ", and again after recovery (still ENODEV, "
				"not the new instance)" : "");
	else
		snprintf(buf + off, len - off,
			 ". Closed %s. Checks: the unload is refused "
			 "(EAGAIN/EBUSY) and nothing goes away; each held "
			 "object is probed and still works (held fds answer "
			 "ioctls, mappings keep their data, fences signal)%s; "
			 "after the last close the module refcount is back to "
			 "idle and the unload works; load brings the nodes "
			 "back, health check with real work, no kernel splat "
			 "or taint.",
			 late ? "after a health check next to them" :
				"right after the refused unload",
			 late ? ", and again after that health check" : "");
	return buf;
}

const char *hu_scenario_subtest(const struct hu_scenario *sc, char *name,
				size_t len)
{
	static char desc[1024];

	if (hu_scenario_name(name, len, sc)) {
		hu_critical("bad subtest name for %s\n", sc->trigger->name);
		exit(HU_EXIT_INVALID);
	}
	hu_describe(hu_scenario_describe(desc, sizeof(desc), sc));
	return name;
}
