/*
 * test-allow.c - the allowlist (restrict_to / GITHUB_USERS): separators,
 * case-insensitive logins, digit-only entries that match numeric ids only,
 * the entries refused (with their 1-based index), the 1024-entry cap, and
 * the empty list that admits everyone; "*" (any account, said
 * explicitly) and the plain-words summary ghauth-admin check-config prints; org:ORG and team:ORG/TEAM-SLUG
 * entries (grammar, messages, the 16-entry cap) and the re-check of the
 * entries a session remembers against the current list.
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
	/* Organisations and teams. */
	{ "org:acme", 0, 1 },
	{ "ORG:Acme", 0, 1 },
	{ "team:acme/infra", 0, 1 },
	{ "Team:ACME/Infra_Ops-2", 0, 1 },
	{ "team:acme/infra, octocat, 583231, org:github", 0, 4 },
	{ "org:acme org:ACME Org:acme", 0, 1 },	/* repeats dropped */
	{ "org:acme team:acme/infra", 0, 2 },
	{ "org:", 1, 0 },
	{ "org:a/b", 1, 0 },
	{ "org:a.b", 1, 0 },
	{ "org:a:b", 1, 0 },
	{ "team:", 1, 0 },
	{ "team:acme", 1, 0 },
	{ "team:/infra", 1, 0 },
	{ "team:acme/", 1, 0 },
	{ "team:acme/a/b", 1, 0 },
	{ "team:acme/..", 1, 0 },
	{ "team:acme/a.b", 1, 0 },
	{ "team:acme/a%2fb", 1, 0 },
	{ "team:a@b/infra", 1, 0 },
	{ "ok, group:acme", 2, 0 },
	{ "orgs:acme", 1, 0 },
	{ ":acme", 1, 0 },
	{ "user:octocat", 1, 0 },
};

static void
test_parse(void)
{
	struct ghauth_allow	 a;
	size_t			 i;
	int			 rc;

	for (i = 0; i < sizeof(parses) / sizeof(parses[0]); i++) {
		rc = ghauthp_allow_parse(&a, parses[i].list);
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
		ghauthp_allow_free(&a);
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
		if (ghauthp_allow_parse(&a, matches[i].list) != 0) {
			ok(0, "parse \"%s\"", matches[i].list);
			continue;
		}
		is_int(ghauthp_allow_match(&a, matches[i].id, matches[i].login),
		    matches[i].want, "\"%s\" %s (%llu, %s)",
		    tap_quote(matches[i].list, strlen(matches[i].list)),
		    matches[i].want ? "admits" : "refuses",
		    (unsigned long long)matches[i].id,
		    matches[i].login ? matches[i].login : "NULL");
		ghauthp_allow_free(&a);
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
	if ((list = malloc(GHAUTHP_ALLOW_MAX * 8 + 16)) == NULL) {
		printf("Bail out! out of memory\n");
		exit(1);
	}
	for (i = 0; i < GHAUTHP_ALLOW_MAX; i++)
		len += (size_t)sprintf(list + len, "u%zu ", i);
	rc = ghauthp_allow_parse(&a, list);
	ok(rc == 0 && a.n == GHAUTHP_ALLOW_MAX, "%d entries accepted",
	    GHAUTHP_ALLOW_MAX);
	ok(ghauthp_allow_match(&a, 0, "u0") && ghauthp_allow_match(&a, 0,
	    "U1023") && !ghauthp_allow_match(&a, 0, "u1024"),
	    "first and last entries match, others not");
	ghauthp_allow_free(&a);
	sprintf(list + len, "u%d", GHAUTHP_ALLOW_MAX);
	rc = ghauthp_allow_parse(&a, list);
	ok(rc == GHAUTHP_ALLOW_MAX + 1 && a.n == 0,
	    "%d entries refused at entry %d", GHAUTHP_ALLOW_MAX + 1,
	    GHAUTHP_ALLOW_MAX + 1);
	ghauthp_allow_free(&a);
	/* Trailing separators do not count as entries. */
	memcpy(list + len, ",,, ", 5);
	rc = ghauthp_allow_parse(&a, list);
	ok(rc == 0 && a.n == GHAUTHP_ALLOW_MAX,
	    "%d entries and trailing separators accepted", GHAUTHP_ALLOW_MAX);
	ghauthp_allow_free(&a);
	ghauthp_allow_free(&a);
	ok(a.n == 0 && a.login == NULL, "allow_free twice is harmless");
	free(list);
}

static const struct {
	const char	*list;
	const char	*msg;
} msgs[] = {
	{ "org:", "entry 1 (\"org:\"): organisation name missing after "
	    "\"org:\"" },
	{ "octocat org:acme/infra", "entry 2 (\"org:acme/infra\"): org:ORG "
	    "names a whole organisation; for a team write team:ORG/TEAM-SLUG" },
	{ "team:acme", "entry 1 (\"team:acme\"): a team is written "
	    "team:ORG/TEAM-SLUG" },
	{ "team:/infra", "entry 1 (\"team:/infra\"): organisation name missing "
	    "before the '/'" },
	{ "team:acme/", "entry 1 (\"team:acme/\"): team slug missing after "
	    "the '/'" },
	{ "team:acme/a.b", "entry 1 (\"team:acme/a.b\"): not a team slug "
	    "(letters, digits, '-' and '_': the team's name as in its URL)" },
	{ "a b Group:x", "entry 3 (\"group:x\"): unknown prefix: only org:ORG "
	    "and team:ORG/TEAM-SLUG are known" },
	{ "a.b", "entry 1 (\"a.b\"): not a GitHub login (letters, digits and "
	    "'-'), numeric id, org:ORG or team:ORG/TEAM-SLUG" },
	{ "0", "entry 1 (\"0\"): not a GitHub user id (1 to 19 digits, not 0)" },
	{ "caf\xc3\xa9", "entry 1: not a GitHub login (letters, digits and "
	    "'-'), numeric id, org:ORG or team:ORG/TEAM-SLUG" },
};

static void
test_messages(void)
{
	struct ghauth_allow	 a;
	char			 msg[400];
	size_t			 i;

	for (i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
		(void)ghauthp_allow_parse_msg(&a, msgs[i].list, msg,
		    sizeof(msg));
		is_str(msg, msgs[i].msg, "message for \"%s\"",
		    tap_quote(msgs[i].list, strlen(msgs[i].list)));
		ghauthp_allow_free(&a);
	}
}

static void
test_groups(void)
{
	struct ghauth_allow	 a;
	char			 list[2048];
	size_t			 i, len = 0;
	int			 rc;

	rc = ghauthp_allow_parse(&a, "Team:ACME/Infra org:Acme octocat 42");
	ok(rc == 0 && a.n == 4 && a.ngroups == 2 &&
	    strcmp(a.login[0], "team:acme/infra") == 0 &&
	    a.kind[0] == GHAUTHP_ALLOW_TEAM &&
	    strcmp(a.login[1], "org:acme") == 0 &&
	    a.kind[1] == GHAUTHP_ALLOW_ORG && a.kind[2] == GHAUTHP_ALLOW_LOGIN &&
	    a.kind[3] == GHAUTHP_ALLOW_ID,
	    "entries kept lower-cased, canonical, with their kind");
	/* An org or team entry never matches a login or id by itself. */
	ok(!ghauthp_allow_match(&a, 7, "acme") &&
	    !ghauthp_allow_match(&a, 7, "infra") &&
	    !ghauthp_allow_match(&a, 7, "org:acme") &&
	    ghauthp_allow_match(&a, 7, "OctoCat") &&
	    ghauthp_allow_match(&a, 42, "x"),
	    "org:/team: entries are no logins; logins and ids still match");
	ghauthp_allow_free(&a);
	rc = ghauthp_allow_parse(&a, "org:acme");
	ok(rc == 0 && !ghauthp_allow_match(&a, 1, "octocat"),
	    "a list of only org:acme admits nobody without membership");
	ghauthp_allow_free(&a);
	/* 16 org/team entries, then a 17th. */
	for (i = 0; i < GHAUTHP_ALLOW_GROUPS_MAX; i++)
		len += (size_t)sprintf(list + len, "team:acme/t%zu ", i);
	rc = ghauthp_allow_parse(&a, list);
	ok(rc == 0 && a.ngroups == GHAUTHP_ALLOW_GROUPS_MAX,
	    "%d org:/team: entries accepted", GHAUTHP_ALLOW_GROUPS_MAX);
	ghauthp_allow_free(&a);
	sprintf(list + len, "octocat org:acme");
	rc = ghauthp_allow_parse(&a, list);
	ok(rc == GHAUTHP_ALLOW_GROUPS_MAX + 2 && a.n == 0,
	    "the 17th org:/team: entry is refused");
	ghauthp_allow_free(&a);
}

static const struct {
	const char	*list;
	uint64_t	 id;
	const char	*login;
	const char	*groups;	/* remembered at sign-in */
	int		 want;
	const char	*still;
} rechecks[] = {
	{ "team:acme/infra, octocat", 1, "alice", "team:acme/infra", 1,
	    "team:acme/infra" },
	{ "team:acme/infra, octocat", 583231, "octocat", NULL, 1, NULL },
	{ "team:acme/infra, octocat", 583231, "octocat", "team:acme/infra", 1,
	    "team:acme/infra" },
	/* The team entry removed: the session it admitted ends. */
	{ "octocat", 1, "alice", "team:acme/infra", 0, NULL },
	{ "org:acme", 1, "alice", "team:acme/infra", 0, NULL },
	{ "team:acme/ops", 1, "alice", "team:acme/infra", 0, NULL },
	{ "", 1, "alice", "team:acme/infra", 1, NULL },
	/* Case does not matter; only the entries still listed are given. */
	{ "ORG:ACME", 1, "alice", "org:acme,team:acme/infra", 1, "org:acme" },
	{ "org:acme team:acme/infra", 1, "alice", "org:acme,team:acme/infra",
	    1, "org:acme,team:acme/infra" },
	{ "team:acme/infra", 1, "alice", "org:acme,team:acme/infra", 1,
	    "team:acme/infra" },
	/* Malformed remembered lists never admit by accident. */
	{ "org:acme", 1, "alice", ",,", 0, NULL },
	{ "org:acme", 1, "alice", "", 0, NULL },
	{ "org:acme", 1, "alice", "org:acm", 0, NULL },
	{ "org:acme", 1, "alice", "org:acmex", 0, NULL },
	{ "org:acme", 1, "alice", "acme", 0, NULL },
	{ "acme", 1, "alice", "acme", 0, NULL },
	{ "org:acme", 1, "alice", ",org:acme,", 1, "org:acme" },
};

static void
test_recheck(void)
{
	struct ghauth_allow	 a;
	char			*still;
	size_t			 i;
	int			 rc;

	for (i = 0; i < sizeof(rechecks) / sizeof(rechecks[0]); i++) {
		if (ghauthp_allow_parse(&a, rechecks[i].list) != 0) {
			ok(0, "parse \"%s\"", rechecks[i].list);
			continue;
		}
		rc = ghauthp_allow_recheck(&a, rechecks[i].id,
		    rechecks[i].login, rechecks[i].groups, &still);
		ok(rc == rechecks[i].want && (rechecks[i].still == NULL ?
		    still == NULL : still != NULL &&
		    strcmp(still, rechecks[i].still) == 0),
		    "recheck \"%s\" with %s (%s): %s, still %s",
		    rechecks[i].list, rechecks[i].login,
		    rechecks[i].groups ? rechecks[i].groups : "none",
		    rechecks[i].want ? "admitted" : "refused",
		    rechecks[i].still ? rechecks[i].still : "none");
		if (still != NULL)
			diag("still: %s", still);
		free(still);
		ghauthp_allow_free(&a);
	}
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
		if (ghauthp_allow_parse(&a, t[i].list) != 0) {
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
		is_int(ghauthp_allow_match(&a, 99, "stranger"), t[i].open,
		    "\"%s\": a stranger", tap_quote(t[i].list,
		    strlen(t[i].list)));
		ghauthp_allow_free(&a);
	}
}

int
main(void)
{
	plan(175);
	test_parse();
	test_match();
	test_cap();
	test_messages();
	test_groups();
	test_recheck();
	test_valid_login();
	test_any();
	return done_testing();
}
