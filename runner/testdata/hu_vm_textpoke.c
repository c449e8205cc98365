// SPDX-License-Identifier: MIT
/*
 * Guest-only: the "Oops: int3" under TCG (issue 13). Every tracepoint
 * switched on or off patches kernel text through an int3 breakpoint
 * (x86 text_poke_bp via static keys, arch/x86/kernel/alternative.c);
 * this flips busy tracepoints many times while a second thread keeps
 * the other vCPU passing through them. On a sane CPU nothing happens; a
 * CPU that still executes the int3 after the patcher removed it takes
 * an Oops (incomplete, splat attached). The measure of the lane's
 * -accel choice (docs/vm-lane.md, "Oops: int3 under TCG").
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "hu_core.h"
#include "vm_guest.h"

HU_TEST_DESCRIPTION("VM lane self-test: kernel text patching under the emulator.");

/* hit on every context switch, wakeup, timer and interrupt */
static const char *const events[] = {
	"sched/sched_switch", "sched/sched_wakeup", "timer/hrtimer_start",
	"timer/hrtimer_expire_entry", "irq/irq_handler_entry",
};

static atomic_bool stop;

static void *churn(void *arg)
{
	struct timespec ts = { 0, 50000 };

	while (!atomic_load(&stop)) {
		sched_yield();
		nanosleep(&ts, NULL);
	}
	return NULL;
}

static void set_event(const char *ev, const char *v)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/kernel/tracing/events/%s/enable", ev);
	f = fopen(path, "w");
	hu_assert_f(f, "%s: %m", path);
	hu_assert_f(fputs(v, f) >= 0 && fclose(f) == 0, "%s: %m", path);
}

hu_main
{
	hu_describe("Switches 5 busy tracepoints on and off HU_VM_TEXTPOKE "
		    "times (default 500) with a second thread context-switching "
		    "on the other vCPU: the guest must survive (no int3 Oops).");
	hu_subtest("tracepoint-flips") {
		const char *env = getenv("HU_VM_TEXTPOKE");
		int n = env ? atoi(env) : 500;
		struct timespec t0, t1;
		pthread_t th[2];

		vm_require_guest();
		hu_require_f(access("/sys/kernel/tracing/events/sched", R_OK) == 0,
			     "no tracefs events");
		for (int i = 0; i < 2; i++)
			hu_assert_eq(pthread_create(&th[i], NULL, churn, NULL), 0);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (int i = 0; i < n; i++) {
			for (size_t e = 0; e < sizeof(events) / sizeof(events[0]); e++)
				set_event(events[e], i % 2 ? "0" : "1");
			/* how far it got, should the guest die or time run out */
			if (i % 100 == 99) {
				clock_gettime(CLOCK_MONOTONIC, &t1);
				hu_info("HU-BENCH textpoke progress flips=%d seconds=%.2f\n",
					(i + 1) * (int)(sizeof(events) / sizeof(events[0])),
					(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
			}
		}
		for (size_t e = 0; e < sizeof(events) / sizeof(events[0]); e++)
			set_event(events[e], "0");
		atomic_store(&stop, true);
		for (int i = 0; i < 2; i++)
			pthread_join(th[i], NULL);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		hu_info("HU-BENCH textpoke flips=%d seconds=%.2f\n",
			n * (int)(sizeof(events) / sizeof(events[0])),
			(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	}
}
