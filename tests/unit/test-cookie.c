/*
 * test-cookie.c - ghauthp_cookie_get over HTTP_COOKIE values (RFC 6265
 * section 5.4 cookie-string): found, absent, whitespace and quoting
 * variants, a repeated name (refused: a sibling domain or another Path
 * could plant it), values too long for the buffer, and names that only
 * look alike.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "ghauth-int.h"
#include "tap.h"

#define NAME	"ghauth_session"

static const struct {
	const char	*hdr;
	int		 rc;
	const char	*value;		/* when rc == 1 */
} cases[] = {
	/* Found. */
	{ NAME "=abc", 1, "abc" },
	{ NAME "=abc;", 1, "abc" },
	{ "a=1; " NAME "=abc", 1, "abc" },
	{ "a=1;" NAME "=abc", 1, "abc" },
	{ NAME "=abc; a=1", 1, "abc" },
	{ "a=1; " NAME "=abc; b=2", 1, "abc" },
	{ "   " NAME "=abc", 1, "abc" },
	{ "\t" NAME "=abc\t", 1, "abc" },
	{ "a=1;  \t " NAME "=abc  ;b=2", 1, "abc" },
	{ NAME "=abc ", 1, "abc" },
	{ NAME "=", 1, "" },
	{ NAME "=; a=1", 1, "" },
	{ NAME "=a=b", 1, "a=b" },
	{ NAME "=a b", 1, "a b" },
	/* DQUOTE cookie-octets DQUOTE: the quotes are not the value. */
	{ NAME "=\"abc\"", 1, "abc" },
	{ NAME "=\"\"", 1, "" },
	{ NAME "=\"abc\" ; a=1", 1, "abc" },
	{ NAME "=\"abc", 1, "\"abc" },
	{ NAME "=abc\"", 1, "abc\"" },
	{ NAME "=\"", 1, "\"" },
	/* Absent. */
	{ "", 0, NULL },
	{ ";", 0, NULL },
	{ " ; ;; ", 0, NULL },
	{ "a=1", 0, NULL },
	{ "a=1; b=2", 0, NULL },
	{ NAME, 0, NULL },
	{ NAME ";", 0, NULL },
	{ "x" NAME "=abc", 0, NULL },
	{ "__Host-" NAME "=abc", 0, NULL },
	{ NAME "x=abc", 0, NULL },
	{ NAME "_2=abc", 0, NULL },
	{ "ghauth_sessio=abc", 0, NULL },
	{ "GHAUTH_SESSION=abc", 0, NULL },
	{ NAME " =abc", 0, NULL },
	{ "a=" NAME "=abc", 0, NULL },
	{ "a=1," NAME "=abc", 0, NULL },
	/* Repeated: refused, whichever comes first. */
	{ NAME "=a; " NAME "=b", -1, NULL },
	{ NAME "=a; " NAME "=a", -1, NULL },
	{ NAME "=a;" NAME "=", -1, NULL },
	{ "x=1; " NAME "=; y=2; " NAME "=b", -1, NULL },
	{ NAME "=\"a\"; " NAME "=a", -1, NULL },
	/* A repeated look-alike is not a repeat. */
	{ NAME "=a; x" NAME "=b; " NAME "x=c", 1, "a" },
	{ NAME "=a; " NAME, 1, "a" },
};

static void
test_cases(void)
{
	char	 out[64];
	size_t	 i;
	int	 rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(out, 'Z', sizeof(out));
		out[sizeof(out) - 1] = '\0';
		rc = ghauthp_cookie_get(cases[i].hdr, NAME, out, sizeof(out));
		if (cases[i].rc == 1) {
			ok(rc == 1 && strcmp(out, cases[i].value) == 0,
			    "\"%s\" -> \"%s\"", cases[i].hdr, cases[i].value);
			if (rc != 1 || strcmp(out, cases[i].value) != 0)
				diag("got rc %d, value \"%s\"", rc, out);
		} else
			is_int(rc, cases[i].rc, "\"%s\" -> %s", cases[i].hdr,
			    cases[i].rc == 0 ? "absent" : "refused");
	}
	is_int(ghauthp_cookie_get(NULL, NAME, out, sizeof(out)), 0,
	    "NULL header -> absent");
}

static void
test_sizes(void)
{
	char	 hdr[256], out[44];
	int	 rc;

	/* 43 characters fit a 44-byte buffer; 44 do not. */
	snprintf(hdr, sizeof(hdr), NAME "=%.43s",
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	rc = ghauthp_cookie_get(hdr, NAME, out, sizeof(out));
	ok(rc == 1 && strlen(out) == 43, "value of 43 chars in 44 bytes");
	snprintf(hdr, sizeof(hdr), NAME "=%.44s",
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	is_int(ghauthp_cookie_get(hdr, NAME, out, sizeof(out)), -1,
	    "value of 44 chars in 44 bytes -> refused");
	/* Quotes do not count against the buffer. */
	snprintf(hdr, sizeof(hdr), NAME "=\"%.43s\"",
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	rc = ghauthp_cookie_get(hdr, NAME, out, sizeof(out));
	ok(rc == 1 && strlen(out) == 43, "quoted value of 43 chars in 44 bytes");
	/* A long value of another cookie does not matter. */
	snprintf(hdr, sizeof(hdr), "other=%0200d; " NAME "=abc", 7);
	rc = ghauthp_cookie_get(hdr, NAME, out, sizeof(out));
	ok(rc == 1 && strcmp(out, "abc") == 0,
	    "long other cookie does not matter");
	is_int(ghauthp_cookie_get(NAME "=", NAME, out, 0), -1,
	    "zero-sized buffer -> refused");
	is_int(ghauthp_cookie_get(NAME "=a", NAME, out, 1), -1,
	    "one-byte buffer for one char -> refused");
	rc = ghauthp_cookie_get(NAME "=", NAME, out, 1);
	ok(rc == 1 && out[0] == '\0', "one-byte buffer for empty value");
	/* The __Host- name is looked up as such. */
	rc = ghauthp_cookie_get("ghauth_session=x; __Host-ghauth_session=y",
	    "__Host-ghauth_session", out, sizeof(out));
	ok(rc == 1 && strcmp(out, "y") == 0, "__Host- name found exactly");
}

int
main(void)
{
	plan(52);
	test_cases();
	test_sizes();
	return done_testing();
}
