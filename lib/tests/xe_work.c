// SPDX-License-Identifier: MIT
/*
 * Data patterns used by the Xe workloads: a check that cannot see a
 * zeroed or shifted buffer as intact would hide lost data.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hu_check.h"
#include "xe/xe_work.h"

int main(void)
{
	const uint64_t size = 64 * 1024;
	uint32_t *a = malloc(size), *b = malloc(size);
	int zero = 0;

	for (uint64_t i = 0; i < 1 << 20; i++)
		zero += !hu_xe_pattern(7, i) + !hu_xe_pattern(0, i);
	check_eq(zero, 0, "the pattern never has a zero dword");
	check(hu_xe_pattern(1, 0) != hu_xe_pattern(2, 0),
	      "seeds give different patterns");

	hu_xe_fill(a, size, 42);
	check_eq(hu_xe_check(a, size, 42), -1, "a filled buffer checks");
	check_eq(hu_xe_check(a, size, 43), 0, "another seed fails at dword 0");
	a[1000] ^= 1;
	check_eq(hu_xe_check(a, size, 42), 1000, "one flipped bit is found");
	memmove(b, a + 1, size - 4);
	b[size / 4 - 1] = 0;
	check(hu_xe_check(b, size, 42) == 0, "a shifted copy fails");

	memset(b, 0, size);
	check_eq(hu_xe_check_zero(b, size), -1, "zeroes are zero");
	check_eq(hu_xe_check(b, size, 42), 0, "a zeroed buffer fails the check");
	b[77] = 1;
	check_eq(hu_xe_check_zero(b, size), 77, "a non-zero dword is found");

	hu_xe_fill(a, size, 5);
	check_eq(hu_xe_check_or_zero(a, size, 5), -1, "intact is pattern-or-zero");
	memset(a, 0, size / 2);
	check_eq(hu_xe_check_or_zero(a, size, 5), -1,
		 "half zeroed is pattern-or-zero");
	a[size / 4 - 1] = 0xdead;
	check_eq(hu_xe_check_or_zero(a, size, 5), size / 4 - 1,
		 "a foreign dword is found");
	hu_xe_fill(b, size, 6);
	check_eq(hu_xe_check_or_zero(b, size, 5), 0,
		 "another buffer's pattern is foreign");

	hu_xe_fill_sparse(a, size, 9);
	check_eq(hu_xe_check_sparse(a, size, 9), -1, "sparse fill checks");
	a[1024 * 3] = 0;
	check_eq(hu_xe_check_sparse(a, size, 9), 1024 * 3,
		 "sparse check sees the first dword of page 3");
	free(a);
	free(b);
	return check_done();
}
