/*
 * test-token.c - fresh tokens (43 base64url characters from getrandom, all
 * distinct) and the validators that guard every query value: token, code,
 * OAuth error and the post-sign-in redirect path, each with tables of
 * values to accept and to refuse.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ghauth-int.h"
#include "tap.h"

#define NTOKENS	1000

struct vcase {
	const char	*s;
	size_t		 n;	/* 0: strlen(s) */
	int		 want;
};

#define T	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"	/* 42 */

static const struct vcase tokens[] = {
	{ T "A", 0, 1 },
	{ T "E", 0, 1 },
	{ T "Q", 0, 1 },
	{ T "w", 0, 1 },
	{ "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN-_0", 0, 1 },
	{ "", 0, 0 },
	{ T, 0, 0 },			/* 42 */
	{ T "AA", 0, 0 },		/* 44 */
	{ T "B", 0, 0 },		/* unused bits set */
	{ T "_", 0, 0 },
	{ "+" T, 0, 0 },
	{ "/" T, 0, 0 },
	{ "=" T, 0, 0 },
	{ T "=", 0, 0 },
	{ " " T, 0, 0 },
	{ "." T, 0, 0 },
	{ "%41AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 0, 0 },
	{ "\xc3\xa9" "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 0, 0 },
	{ "AAAAAAAAAAAAAAAAAAAA\0AAAAAAAAAAAAAAAAAAAAAA", 43, 0 },
};

static const struct vcase codes[] = {
	{ "0123456789abcdef0123", 0, 1 },
	{ "a", 0, 1 },
	{ "A-b_c.d~e", 0, 1 },
	{ "", 0, 0 },
	{ "a b", 0, 0 },
	{ "a+b", 0, 0 },
	{ "a/b", 0, 0 },
	{ "a=b", 0, 0 },
	{ "a&b", 0, 0 },
	{ "a%20b", 0, 0 },
	{ "a\"b", 0, 0 },
	{ "a<b", 0, 0 },
	{ "a\rb", 0, 0 },
	{ "a\nb", 0, 0 },
	{ "a\x7f", 0, 0 },
	{ "caf\xc3\xa9", 0, 0 },
	{ "ab\0cd", 5, 0 },
};

static const struct vcase errors[] = {
	{ "access_denied", 0, 1 },
	{ "application_suspended", 0, 1 },
	{ "redirect_uri_mismatch", 0, 1 },
	{ "a", 0, 1 },
	{ "error2", 0, 1 },
	{ "", 0, 0 },
	{ "Access_denied", 0, 0 },
	{ "access-denied", 0, 0 },
	{ "access denied", 0, 0 },
	{ "access.denied", 0, 0 },
	{ "access%20denied", 0, 0 },
	{ "<script>", 0, 0 },
	{ "a\n", 0, 0 },
	{ "a\0b", 3, 0 },
};

static const struct vcase redirects[] = {
	{ "/", 0, 1 },
	{ "/a", 0, 1 },
	{ "/a?b=c", 0, 1 },
	{ "/a?b=c&d=e", 0, 1 },
	{ "/%41", 0, 1 },
	{ "/a/b/c.html", 0, 1 },
	{ "/?", 0, 1 },
	{ "/a%2Fb%2f", 0, 1 },
	{ "/~user/!$()*+,;=:@-._", 0, 1 },
	{ "/a/../b", 0, 1 },
	{ "", 0, 0 },
	{ "a", 0, 0 },
	{ "a/b", 0, 0 },
	{ "//evil", 0, 0 },
	{ "//", 0, 0 },
	{ "/\\evil", 0, 0 },
	{ "/a\\b", 0, 0 },
	{ "https://evil.example/", 0, 0 },
	{ "javascript:alert(1)", 0, 0 },
	{ " /a", 0, 0 },
	{ "\t/a", 0, 0 },
	{ "/a#b", 0, 0 },
	{ "/#", 0, 0 },
	{ "/a b", 0, 0 },
	{ "/a\tb", 0, 0 },
	{ "/a\rb", 0, 0 },
	{ "/a\nLocation: x", 0, 0 },
	{ "/\x7f", 0, 0 },
	{ "/\x01", 0, 0 },
	{ "/\xc3\xa9", 0, 0 },
	{ "/\x80", 0, 0 },
	{ "/%4", 0, 0 },
	{ "/%", 0, 0 },
	{ "/%zz", 0, 0 },
	{ "/%4g", 0, 0 },
	{ "/%g4", 0, 0 },
	{ "/a\"b", 0, 0 },
	{ "/a'b", 0, 0 },
	{ "/a<b", 0, 0 },
	{ "/a>b", 0, 0 },
	{ "/a`b", 0, 0 },
	{ "/a{b", 0, 0 },
	{ "/a}b", 0, 0 },
	{ "/a|b", 0, 0 },
	{ "/a^b", 0, 0 },
	{ "/a\0b", 4, 0 },
};

static void
run_table(const char *what, int (*fn)(const char *, size_t),
    const struct vcase *t, size_t n)
{
	size_t	 i, len;

	for (i = 0; i < n; i++) {
		len = t[i].n ? t[i].n : strlen(t[i].s);
		is_int(fn(t[i].s, len), t[i].want, "%s %s \"%s\"", what,
		    t[i].want ? "accepts" : "rejects", tap_quote(t[i].s, len));
	}
}

static int
cmp(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

static void
test_fresh_tokens(void)
{
	static char	 toks[NTOKENS][GHAUTHP_TOKEN_LEN + 1];
	size_t		 i, badfmt = 0, dups = 0, failed = 0;

	for (i = 0; i < NTOKENS; i++) {
		if (!ghauthp_token(toks[i])) {
			failed++;
			continue;
		}
		if (strlen(toks[i]) != GHAUTHP_TOKEN_LEN ||
		    strspn(toks[i], "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
		    "qrstuvwxyz0123456789-_") != GHAUTHP_TOKEN_LEN ||
		    !ghauthp_valid_token(toks[i], GHAUTHP_TOKEN_LEN))
			badfmt++;
	}
	is_int((long long)failed, 0, "ghauthp_token succeeded %d times",
	    NTOKENS);
	is_int((long long)badfmt, 0, "every token is 43 chars of [A-Za-z0-9_-] "
	    "and passes ghauthp_valid_token");
	qsort(toks, NTOKENS, sizeof(toks[0]), cmp);
	for (i = 1; i < NTOKENS; i++)
		if (strcmp(toks[i - 1], toks[i]) == 0)
			dups++;
	is_int((long long)dups, 0, "%d tokens are distinct", NTOKENS);
}

static void
test_lengths(void)
{
	char	 buf[1100];

	/* Length limits, exactly at and past the bound. */
	memset(buf, 'a', sizeof(buf));
	is_int(ghauthp_valid_code(buf, 256), 1, "code of 256 chars accepted");
	is_int(ghauthp_valid_code(buf, 257), 0, "code of 257 chars rejected");
	is_int(ghauthp_valid_error(buf, 64), 1, "error of 64 chars accepted");
	is_int(ghauthp_valid_error(buf, 65), 0, "error of 65 chars rejected");
	buf[0] = '/';
	is_int(ghauthp_valid_redirect(buf, 1024), 1,
	    "redirect of 1024 chars accepted");
	is_int(ghauthp_valid_redirect(buf, 1025), 0,
	    "redirect of 1025 chars rejected");
	/* The length argument is what counts, not a NUL. */
	is_int(ghauthp_valid_redirect("/abc", 1), 1,
	    "redirect checks only the given length");
	is_int(ghauthp_valid_code("abc", 0), 0, "code of length 0 rejected");
}

int
main(void)
{
	plan(107);
	test_fresh_tokens();
	run_table("token", ghauthp_valid_token, tokens,
	    sizeof(tokens) / sizeof(tokens[0]));
	run_table("code", ghauthp_valid_code, codes,
	    sizeof(codes) / sizeof(codes[0]));
	run_table("error", ghauthp_valid_error, errors,
	    sizeof(errors) / sizeof(errors[0]));
	run_table("redirect", ghauthp_valid_redirect, redirects,
	    sizeof(redirects) / sizeof(redirects[0]));
	test_lengths();
	return done_testing();
}
