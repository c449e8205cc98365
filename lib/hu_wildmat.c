// SPDX-License-Identifier: MIT
/*
 * RFC 3977 wildmat, as igt_runner uses for --run-subtest and resume
 * ("*,!done1,!done2"): a comma list of patterns, each optionally negated
 * with a leading '!'; the last pattern that matches decides. Within one
 * pattern: '*' any run, '?' one byte, '[...]' a class ('^' first negates,
 * ']' first is literal, a-z ranges), '\' escapes the next byte (also ',').
 */
#include <stdbool.h>
#include <stddef.h>

#include "hu_core.h"

/* Matches one class starting after '['; *@end is set past its ']'. */
static bool match_class(unsigned char c, const char *p, const char *pend,
			const char **end, bool *ok)
{
	bool neg = false, hit = false;
	bool first = true;

	if (p < pend && *p == '^') {
		neg = true;
		p++;
	}
	while (p < pend && (first || *p != ']')) {
		unsigned char lo = (unsigned char)*p, hi;

		first = false;
		if (lo == '\\' && p + 1 < pend)
			lo = (unsigned char)*++p;
		p++;
		hi = lo;
		if (p + 1 < pend && *p == '-' && p[1] != ']') {
			hi = (unsigned char)p[1];
			if (hi == '\\' && p + 2 < pend) {
				hi = (unsigned char)p[2];
				p++;
			}
			p += 2;
		}
		if (c >= lo && c <= hi)
			hit = true;
	}
	if (p >= pend) {	/* unterminated: the pattern cannot match */
		*ok = false;
		return false;
	}
	*ok = true;
	*end = p + 1;
	return hit != neg;
}

/* Matches @text against one pattern [p, pend) with '*' backtracking. */
static bool match_one(const char *text, const char *p, const char *pend)
{
	const char *star_p = NULL, *star_t = NULL;

	for (;;) {
		if (p < pend && *p == '*') {
			while (p < pend && *p == '*')
				p++;
			if (p == pend)
				return true;
			star_p = p;
			star_t = text;
			continue;
		}
		if (!*text) {
			if (p == pend)
				return true;
			return false;
		}
		if (p < pend) {
			const char *next = p + 1;
			bool hit, ok = true;

			if (*p == '?') {
				hit = true;
			} else if (*p == '[') {
				hit = match_class((unsigned char)*text, p + 1,
						  pend, &next, &ok);
				if (!ok)
					return false;
			} else if (*p == '\\' && p + 1 < pend) {
				hit = p[1] == *text;
				next = p + 2;
			} else {
				hit = *p == *text;
			}
			if (hit) {
				p = next;
				text++;
				continue;
			}
		}
		/* Mismatch: let the last '*' eat one more byte. */
		if (!star_p)
			return false;
		p = star_p;
		text = ++star_t;
		if (!*star_t && p != pend) {
			/* Only more '*'-free pattern left and no text. */
			return false;
		}
	}
}

/* End of the pattern starting at @p: the next ',' outside a class. */
static const char *pattern_end(const char *p)
{
	while (*p && *p != ',') {
		if (*p == '\\' && p[1]) {
			p += 2;
		} else if (*p == '[') {
			p++;
			if (*p == '^')
				p++;
			if (*p == ']')
				p++;
			while (*p && *p != ']') {
				if (*p == '\\' && p[1])
					p++;
				p++;
			}
			if (*p)
				p++;
		} else {
			p++;
		}
	}
	return p;
}

bool hu_wildmat(const char *text, const char *pattern)
{
	bool result = false;
	const char *p = pattern;

	for (;;) {
		const char *end = pattern_end(p);
		bool neg = *p == '!';

		if (match_one(text, p + neg, end))
			result = !neg;
		if (!*end)
			return result;
		p = end + 1;
	}
}
