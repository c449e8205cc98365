// SPDX-License-Identifier: MIT
/* wildmat: hu_wildmat() against a table of RFC 3977 / uwildmat cases. */
#include <stdbool.h>

#include "hu_check.h"
#include "hu_core.h"

static const struct {
	const char *text, *pattern;
	bool match;
} cases[] = {
	/* literals */
	{ "basic", "basic", true },
	{ "basic", "basi", false },
	{ "basi", "basic", false },
	{ "", "", true },
	{ "a", "", false },
	/* '*' */
	{ "basic-s3", "*", true },
	{ "", "*", true },
	{ "basic-s3", "basic*", true },
	{ "basic-s3", "*s3", true },
	{ "basic-s3", "*sic*", true },
	{ "basic-s3", "*x*", false },
	{ "aaab", "*a*ab", true },
	{ "abcabd", "*abd", true },
	{ "abcabc", "*abd", false },
	{ "remove-fd", "**-fd", true },
	/* '?' */
	{ "ab", "a?", true },
	{ "a", "a?", false },
	{ "abc", "a?", false },
	{ "abc", "?b?", true },
	/* classes and ranges */
	{ "basic-3", "basic-[0-9]", true },
	{ "basic-x", "basic-[0-9]", false },
	{ "basic-x", "basic-[^0-9]", true },
	{ "basic-5", "basic-[^0-9]", false },
	{ "b", "[abc]", true },
	{ "d", "[abc]", false },
	{ "]", "[]a]", true },
	{ "a", "[]a]", true },
	{ "-", "[a-]", true },
	{ "F", "[a-zA-Z]", true },
	{ "x", "[abc", false },		/* unterminated class */
	{ ",", "[,]", true },		/* ',' inside a class is literal */
	/* escapes */
	{ "a*", "a\\*", true },
	{ "ab", "a\\*", false },
	{ "a?", "a\\?", true },
	{ "a,b", "a\\,b", true },
	{ "[x]", "\\[x\\]", true },
	/* comma lists */
	{ "pass", "pass,fail", true },
	{ "fail", "pass,fail", true },
	{ "skip", "pass,fail", false },
	{ "fail", "pass,,fail", true },
	/* negation, last match wins */
	{ "done1", "*,!done1,!done2", false },
	{ "done2", "*,!done1,!done2", false },
	{ "todo", "*,!done1,!done2", true },
	{ "basic-x", "*,!basic*", false },
	{ "other", "*,!basic*", true },
	{ "basic-1", "!basic*,*", true },	/* later positive wins */
	{ "basic-1", "*,!basic*,basic-1", true },
	{ "basic-2", "*,!basic*,basic-1", false },
	{ "x", "!x", false },
	{ "y", "!x", false },		/* a lone negation matches nothing */
	{ "fail", "p*,f[a-z]il,!fa*,*-skip", false },
	{ "fixture-skip", "p*,f[a-z]il,!fa*,*-skip", true },
};

int main(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check(hu_wildmat(cases[i].text, cases[i].pattern) == cases[i].match,
		      "'%s' %s '%s'", cases[i].text,
		      cases[i].match ? "matches" : "does not match",
		      cases[i].pattern);
	return check_done();
}
