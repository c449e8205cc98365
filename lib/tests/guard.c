// SPDX-License-Identifier: MIT
/*
 * hu_guarded_access / hu_guarded_write, the probes every holder runs on its
 * mappings after the trigger: copies and pattern writes on good memory, the
 * signal (not death) past the end of a file (SIGBUS) and on PROT_NONE
 * (SIGSEGV), bytes before the fault already done, and the caller's
 * SIGBUS/SIGSEGV handlers back afterwards.
 */
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hu_check.h"
#include "hu_drm.h"

static void own_handler(int sig)
{
	(void)sig;
}

static bool handler_is(int sig, void (*fn)(int))
{
	struct sigaction sa;

	return sigaction(sig, NULL, &sa) == 0 && sa.sa_handler == fn;
}

int main(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	unsigned char *mem, *file_map, *none, *src, *out;
	char path[] = "/tmp/hu-guard-XXXXXX";
	struct sigaction sa = { .sa_handler = own_handler };
	bool same;
	int fd, sig;

	src = malloc(2 * pg);
	out = malloc(2 * pg);
	mem = mmap(NULL, pg, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	none = mmap(NULL, pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	fd = mkstemp(path);
	if (!src || !out || mem == MAP_FAILED || none == MAP_FAILED || fd < 0 ||
	    ftruncate(fd, pg)) {
		printf("Bail out! set-up failed\n");
		return 1;
	}
	/* Two pages over a one-page file: the second one raises SIGBUS. */
	file_map = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	unlink(path);
	close(fd);
	if (file_map == MAP_FAILED) {
		printf("Bail out! mmap of the file failed\n");
		return 1;
	}
	for (long i = 0; i < 2 * pg; i++)
		src[i] = (unsigned char)(i * 7 + 1);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);

	memset(mem, 0x11, pg);
	sig = hu_guarded_access(mem, pg, out, 0x5a);
	check_eq(sig, 0, "access on good memory: no signal");
	same = true;
	for (long i = 0; i < pg; i++)
		same = same && out[i] == 0x11 && mem[i] == 0x5a;
	check(same, "access copies the old bytes out, then writes the pattern");

	memset(out, 0, pg);
	sig = hu_guarded_access(mem, pg, out, -1);
	check(sig == 0 && out[0] == 0x5a && mem[pg - 1] == 0x5a,
	      "pattern -1: read only");

	sig = hu_guarded_write(mem, src, pg);
	check(sig == 0 && !memcmp(mem, src, pg), "write copies @src over it");

	memset(out, 0, 2 * pg);
	memset(file_map, 0x22, pg);
	sig = hu_guarded_access(file_map, 2 * pg, out, -1);
	check_eq(sig, SIGBUS, "access past the end of the file: SIGBUS");
	check(out[0] == 0x22 && out[pg - 1] == 0x22 && out[pg] == 0,
	      "the bytes before the fault were copied, none after");

	sig = hu_guarded_write(file_map, src, 2 * pg);
	check_eq(sig, SIGBUS, "write past the end of the file: SIGBUS");
	check(!memcmp(file_map, src, pg), "the page before the fault was written");

	sig = hu_guarded_access(none, 1, out, -1);
	check_eq(sig, SIGSEGV, "read of PROT_NONE: SIGSEGV");
	sig = hu_guarded_write(none, src, 1);
	check_eq(sig, SIGSEGV, "write to PROT_NONE: SIGSEGV");

	check(handler_is(SIGBUS, own_handler) &&
	      handler_is(SIGSEGV, own_handler),
	      "the caller's SIGBUS and SIGSEGV handlers are back");

	/* Still armed correctly after a caught fault. */
	sig = hu_guarded_access(mem, pg, NULL, 0x33);
	check(sig == 0 && mem[0] == 0x33, "a later access works as before");

	munmap(file_map, 2 * pg);
	munmap(none, pg);
	munmap(mem, pg);
	free(src);
	free(out);
	return check_done();
}
