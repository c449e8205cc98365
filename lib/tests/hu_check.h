/* SPDX-License-Identifier: MIT */
/*
 * hu_check: a TAP producer for the library's unit tests. It is deliberately
 * independent of hu_core, so a broken harness cannot hide its own bugs.
 *
 *	int main(void)
 *	{
 *		check(1 + 1 == 2, "addition");
 *		check_streq(s, "x", "name of %d", n);
 *		return check_done();
 *	}
 */
#ifndef HU_CHECK_H
#define HU_CHECK_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int __check_n, __check_failed;

__attribute__((format(printf, 4, 5)))
static inline int __check(int ok, const char *file, int line,
			  const char *fmt, ...)
{
	va_list ap;

	__check_n++;
	if (!ok)
		__check_failed++;
	printf("%sok %d - ", ok ? "" : "not ", __check_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	if (!ok)
		printf(" (%s:%d)", file, line);
	printf("\n");
	fflush(stdout);
	return ok;
}

#define check(expr, ...) __check(!!(expr), __FILE__, __LINE__, __VA_ARGS__)

#define check_streq(got, want, ...) ({					\
	const char *__g = (got), *__w = (want);				\
	int __ok = __g && __w && !strcmp(__g, __w);			\
	if (!__ok)							\
		printf("# got '%s', want '%s'\n",			\
		       __g ? __g : "(null)", __w ? __w : "(null)");	\
	__check(__ok, __FILE__, __LINE__, __VA_ARGS__);			\
})

#define check_eq(got, want, ...) ({					\
	long long __g = (got), __w = (want);				\
	if (__g != __w)							\
		printf("# got %lld, want %lld\n", __g, __w);		\
	__check(__g == __w, __FILE__, __LINE__, __VA_ARGS__);		\
})

static inline int check_done(void)
{
	printf("1..%d\n", __check_n);
	if (__check_failed)
		printf("# %d of %d checks failed\n", __check_failed, __check_n);
	return __check_failed ? 1 : 0;
}

#endif /* HU_CHECK_H */
