/*
 * test-allow.c - the allowlist (restrict_to / GITHUB_USERS): separators,
 * case-insensitive logins, digit-only entries that match numeric ids only,
 * the entries refused (with their 1-based index), the 1024-entry cap, and
 * the empty list that admits everyone, "*" (any account, said explicitly)
 * and the plain-words summary ghauth-admin check-config prints.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ghauth-int.h"
#include "tap.h"

static const struct {
	const char	*list;
	int		 rc;	/* 0 ok, else index of the bad entry */
	size_t		 n;
} parses[] = {
	{ "", 0, 0 },
	{ " ", 0, 0 },
	{ ",,, ,\t\n", 0, 0 },
	{ "octocat", 0, 1 },
	{ "octocat,mythz", 0, 2 },
	{ " octocat, mythz ,,Alice\tbob", 0, 4 },
	{ "a\nb\rc\fd\ve", 0, 5 },
	{ ",octocat,", 0, 1 },
	{ "octocat octocat", 0, 2 },
	{ "583231", 0, 1 },
	{ "583231, octocat", 0, 2 },
	{ "007", 0, 1 },
	{ "18446744073709551", 0, 1 },
	{ "9999999999999999999", 0, 1 },	/* 19 digits, < 2^64 */
	{ "a-b_c", 0, 1 },
	{ "x1", 0, 1 },
	{ "1x", 0, 1 },
	{ "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 0,
	    1 },	/* 64 chars */
	/* Refused, with the index of the first bad entry. */
	{ "@x", 1, 0 },
	{ "ok, @x", 2, 0 },
	{ "ok,,  ok2 ,a.b", 3, 0 },
	{ "a.b", 1, 0 },
	{ "a/b", 1, 0 },
	{ "a;b", 1, 0 },
	{ "a:b", 1, 0 },
	{ "caf\xc3\xa9", 1, 0 },
	{ "\"octocat\"", 1, 0 },
	{ "0", 1, 0 },
	{ "00", 1, 0 },
	{ "ok 0", 2, 0 },
	{ "18446744073709551615", 1, 0 },	/* 20 digits */
	{ "99999999999999999999", 1, 0 },
	{ "123456789012345678901234567890", 1, 0 },
	{ "-1", 0, 1 },		/* a login (hyphen), not a negative id */
	{ "*", 0, 0 },		/* any: no entry, the flag */
	{ "*, bob", 0, 1 },	/* parsed; config.c refuses the mix */
	{ "**", 1, 0 },
	{ "*bob", 1, 0 },
	{ "+1", 1, 0 },
	{ "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 1,
	    0 },	/* 65 chars */
};

static void
test_parse(void)
{
	struct ghauth_allow	 a;
	size_t			 i;
	int			 rc;

	for (i = 0; i < sizeof(parses) / sizeof(parses[0]); i++) {
		rc = ghauth_allow_parse(&a, parses[i].list);
		if (parses[i].rc == 0)
			ok(rc == 0 && a.n == parses[i].n,
			    "\"%s\" -> %zu entries",
			    tap_quote(parses[i].list, strlen(parses[i].list)),
			    parses[i].n);
		else
			ok(rc == parses[i].rc && a.n == 0 && a.login == NULL &&
			    a.id == NULL, "\"%s\" -> bad entry %d, list freed",
			    tap_quote(parses[i].list, strlen(parses[i].list)),
			    parses[i].rc);
		if (rc != parses[i].rc)
			diag("returned %d", rc);
		ghauth_allow_free(&a);
	}
}

static const struct {
	const char	*list;
	uint64_t	 id;
	const char	*login;
	int		 want;
} matches[] = {
	/* Empty list: everyone. */
	{ "", 1, "anyone", 1 },
	{ "", 0, NULL, 1 },
	{ " , ", 42, "x", 1 },
	/* Logins, case-insensitive. */
	{ "octocat", 1, "octocat", 1 },
	{ "octocat", 1, "OctoCat", 1 },
	{ "OCTOCAT", 1, "octocat", 1 },
	{ " octocat, mythz ,,Alice\tbob", 7, "alice", 1 },
	{ " octocat, mythz ,,Alice\tbob", 7, "BOB", 1 },
	{ " octocat, mythz ,,Alice\tbob", 7, "mythz", 1 },
	{ " octocat, mythz ,,Alice\tbob", 7, "eve", 0 },
	{ "octocat", 1, "octocat2", 0 },
	{ "octocat", 1, "octoca", 0 },
	{ "octocat", 1, "", 0 },
	{ "octocat", 1, NULL, 0 },
	{ "octo-cat", 1, "octo_cat", 0 },
	/* Digit-only entries match the id, never a login. */
	{ "583231", 583231, "someone", 1 },
	{ "583231", 583231, NULL, 1 },
	{ "583231", 583232, "someone", 0 },
	{ "583231", 1, "583231", 0 },
	{ "583231", 0, "583231", 0 },
	{ "007", 7, "x", 1 },
	{ "9999999999999999999", 9999999999999999999ULL, "x", 1 },
	{ "octocat, 583231", 583231, "other", 1 },
	{ "octocat, 583231", 99, "octocat", 1 },
	{ "octocat, 583231", 99, "other", 0 },
	/* An id of 0 (unknown) never matches. */
	{ "octocat", 0, "octocat", 1 },
	{ "583231", 0, NULL, 0 },
	/* Mixed entries such as "1x" are logins. */
	{ "1x", 1, "1X", 1 },
	{ "1x", 1, "x", 0 },
};

static void
test_match(void)
{
	struct ghauth_allow	 a;
	size_t			 i;

	for (i = 0; i < sizeof(matches) / sizeof(matches[0]); i++) {
		if (ghauth_allow_parse(&a, matches[i].list) != 0) {
			ok(0, "parse \"%s\"", matches[i].list);
			continue;
		}
		is_int(ghauth_allow_match(&a, matches[i].id, matches[i].login),
		    matches[i].want, "\"%s\" %s (%llu, %s)",
		    tap_quote(matches[i].list, strlen(matches[i].list)),
		    matches[i].want ? "admits" : "refuses",
		    (unsigned long long)matches[i].id,
		    matches[i].login ? matches[i].login : "NULL");
		ghauth_allow_free(&a);
	}
}

static void
test_cap(void)
{
	struct ghauth_allow	 a;
	char			*list;
	size_t			 i, len = 0;
	int			 rc;

	/* "u0 u1 ... u1023": 1024 entries, then one more. */
	if ((list = malloc(GHAUTH_ALLOW_MAX * 8 + 16)) == NULL) {
		printf("Bail out! out of memory\n");
		exit(1);
	}
	for (i = 0; i < GHAUTH_ALLOW_MAX; i++)
		len += (size_t)sprintf(list + len, "u%zu ", i);
	rc = ghauth_allow_parse(&a, list);
	ok(rc == 0 && a.n == GHAUTH_ALLOW_MAX, "%d entries accepted",
	    GHAUTH_ALLOW_MAX);
	ok(ghauth_allow_match(&a, 0, "u0") && ghauth_allow_match(&a, 0,
	    "U1023") && !ghauth_allow_match(&a, 0, "u1024"),
	    "first and last entries match, others not");
	ghauth_allow_free(&a);
	sprintf(list + len, "u%d", GHAUTH_ALLOW_MAX);
	rc = ghauth_allow_parse(&a, list);
	ok(rc == GHAUTH_ALLOW_MAX + 1 && a.n == 0,
	    "%d entries refused at entry %d", GHAUTH_ALLOW_MAX + 1,
	    GHAUTH_ALLOW_MAX + 1);
	ghauth_allow_free(&a);
	/* Trailing separators do not count as entries. */
	memcpy(list + len, ",,, ", 5);
	rc = ghauth_allow_parse(&a, list);
	ok(rc == 0 && a.n == GHAUTH_ALLOW_MAX,
	    "%d entries and trailing separators accepted", GHAUTH_ALLOW_MAX);
	ghauth_allow_free(&a);
	ghauth_allow_free(&a);
	ok(a.n == 0 && a.login == NULL, "allow_free twice is harmless");
	free(list);
}

static void
test_valid_login(void)
{
	static const struct {
		const char	*s;
		int		 want;
	} t[] = {
		{ "octocat", 1 }, { "Octo-Cat_1", 1 }, { "a", 1 }, { "1", 1 },
		{ "", 0 }, { "a b", 0 }, { "a.b", 0 }, { "a@b", 0 },
		{ "<x>", 0 }, { "a\nb", 0 }, { "\xc3\xa9", 0 },
	};
	char	 buf[80];
	size_t	 i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		is_int(ghauthp_valid_login(t[i].s), t[i].want,
		    "valid_login \"%s\" -> %d", tap_quote(t[i].s,
		    strlen(t[i].s)), t[i].want);
	memset(buf, 'a', sizeof(buf));
	buf[64] = '\0';
	is_int(ghauthp_valid_login(buf), 1, "login of 64 chars valid");
	buf[64] = 'a';
	buf[65] = '\0';
	is_int(ghauthp_valid_login(buf), 0, "login of 65 chars invalid");
}

static void
test_any(void)
{
	static const struct {
		const char	*list;
		int		 any, open;
		const char	*words;
	} t[] = {
		{ "*", 1, 1, "any GitHub account (restrict_to is \"*\")" },
		{ " *\n", 1, 1, "any GitHub account (restrict_to is \"*\")" },
		{ "", 0, 1, "any GitHub account (restrict_to is not set)" },
		{ "bob", 0, 0, "1 login" },
		{ "bob alice carol 583231", 0, 0, "3 logins, 1 id" },
		{ "583231", 0, 0, "1 id" },
		{ "583231 1 2", 0, 0, "3 ids" },
		{ "bob 1 2", 0, 0, "1 login, 2 ids" },
	};
	struct ghauth_allow	 a;
	char			 buf[128];
	size_t			 i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (ghauth_allow_parse(&a, t[i].list) != 0) {
			ok(0, "parse \"%s\"", t[i].list);
			continue;
		}
		is_int(a.any, t[i].any, "\"%s\": any flag",
		    tap_quote(t[i].list, strlen(t[i].list)));
		is_int(ghauthp_allow_describe(&a, buf, sizeof(buf)), t[i].open,
		    "\"%s\": open to anyone", tap_quote(t[i].list,
		    strlen(t[i].list)));
		is_str(buf, t[i].words, "\"%s\": described", tap_quote(t[i].list,
		    strlen(t[i].list)));
		is_int(ghauth_allow_match(&a, 99, "stranger"), t[i].open,
		    "\"%s\": a stranger", tap_quote(t[i].list,
		    strlen(t[i].list)));
		ghauth_allow_free(&a);
	}
}

int
main(void)
{
	test_parse();
	test_match();
	test_cap();
	test_valid_login();
	test_any();
	return done_testing();
}
