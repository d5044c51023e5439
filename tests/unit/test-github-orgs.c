/*
 * test-github-orgs.c - what github_orgs_json.c makes of GitHub's
 * membership answers (every status and body shape, the two 403s that get
 * a hint), the membership paths it builds (never from an entry or login
 * that allow.c or /user would refuse) and the revocation request's path
 * and body.  No network: github_orgs.c's calls are covered by
 * tests/flow/test-orgs.py against the mock.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ghauth-int.h"
#include "tap.h"

#define RESTRICTED "{\"message\":\"Although you appear to have the correct " \
	"authorization credentials, the `acme` organization has enabled " \
	"OAuth App access restrictions, meaning that data access to " \
	"third-parties is limited.\",\"documentation_url\":\"https://docs." \
	"github.com/articles/restricting-access-to-your-organization-s-data/\"}"

static const struct {
	long		 status;
	int		 json;
	int		 ratelimited;
	const char	*body;
	enum ghauth_err	 rc;
	int		 active;
	const char	*what;
} verdicts[] = {
	{ 200, 1, 0, "{\"state\":\"active\",\"role\":\"member\"}", GHAUTH_OK,
	    1, "200 active" },
	{ 200, 1, 0, "{\"role\":\"admin\",\"state\":\"active\",\"organization\":"
	    "{\"login\":\"acme\"}}", GHAUTH_OK, 1, "200 active admin" },
	{ 200, 1, 0, "{\"state\":\"pending\",\"role\":\"member\"}", GHAUTH_OK,
	    0, "200 pending: not a member" },
	{ 404, 1, 0, "{\"message\":\"Not Found\"}", GHAUTH_OK, 0,
	    "404: not a member" },
	{ 404, 0, 0, "", GHAUTH_OK, 0, "404 without a body" },
	{ 403, 1, 0, RESTRICTED, GHAUTH_OK, 0,
	    "403 access restrictions: not a member" },
	{ 403, 1, 0, "{\"message\":\"Resource not accessible by integration\"}",
	    GHAUTH_OK, 0, "403 GitHub App not installed: not a member" },
	{ 403, 1, 0, "{\"message\":\"Must have admin rights\"}", GHAUTH_OK, 0,
	    "403 other: not a member" },
	{ 403, 0, 0, "<html>", GHAUTH_OK, 0, "403 not JSON: not a member" },
	{ 403, 1, 1, "{\"message\":\"API rate limit exceeded\"}",
	    GHAUTH_E_GH_RATELIMIT, 0, "403 rate limited: 503, not a verdict" },
	{ 429, 1, 1, "{}", GHAUTH_E_GH_RATELIMIT, 0, "429 rate limited" },
	{ 429, 1, 0, "{}", GHAUTH_E_GH_BADANSWER, 0, "429 without the headers" },
	{ 500, 1, 0, "{\"message\":\"Server Error\"}", GHAUTH_E_GH_BADANSWER, 0,
	    "500" },
	{ 502, 0, 0, "<html>", GHAUTH_E_GH_BADANSWER, 0, "502" },
	{ 401, 1, 0, "{\"message\":\"Bad credentials\"}", GHAUTH_E_GH_BADANSWER,
	    0, "401" },
	{ 302, 0, 0, "", GHAUTH_E_GH_BADANSWER, 0, "302: never followed" },
	{ 204, 0, 0, "", GHAUTH_E_GH_BADANSWER, 0, "204" },
	{ 200, 0, 0, "{\"state\":\"active\"}", GHAUTH_E_GH_BADANSWER, 0,
	    "200 not JSON content type" },
	{ 200, 1, 0, "{\"state\":\"active\"", GHAUTH_E_GH_BADANSWER, 0,
	    "200 truncated" },
	{ 200, 1, 0, "", GHAUTH_E_GH_BADANSWER, 0, "200 empty" },
	{ 200, 1, 0, "[{\"state\":\"active\"}]", GHAUTH_E_GH_BADANSWER, 0,
	    "200 an array" },
	{ 200, 1, 0, "{\"role\":\"member\"}", GHAUTH_E_GH_BADANSWER, 0,
	    "200 no state" },
	{ 200, 1, 0, "{\"state\":null}", GHAUTH_E_GH_BADANSWER, 0,
	    "200 state null" },
	{ 200, 1, 0, "{\"state\":1}", GHAUTH_E_GH_BADANSWER, 0,
	    "200 state a number" },
	{ 200, 1, 0, "{\"state\":\"Active\"}", GHAUTH_E_GH_BADANSWER, 0,
	    "200 state Active (GitHub writes lower case)" },
	{ 200, 1, 0, "{\"state\":\"active \"}", GHAUTH_E_GH_BADANSWER, 0,
	    "200 state with a space" },
	{ 200, 1, 0, "{\"state\":\"inactive\"}", GHAUTH_E_GH_BADANSWER, 0,
	    "200 unknown state" },
	{ 200, 1, 0, "{\"state\":\"pending\",\"state\":\"active\"}",
	    GHAUTH_E_GH_BADANSWER, 0, "200 duplicate state" },
	{ 200, 1, 0, "{\"state\":\"act\\u0000ive\"}", GHAUTH_E_GH_BADANSWER, 0,
	    "200 state with a NUL" },
};

static void
test_verdicts(void)
{
	struct ghauthp_gh_reply	 r;
	enum ghauth_err		 rc;
	size_t			 i;
	int			 active;

	for (i = 0; i < sizeof(verdicts) / sizeof(verdicts[0]); i++) {
		memset(&r, 0, sizeof(r));
		r.status = verdicts[i].status;
		r.json = verdicts[i].json;
		r.ratelimited = verdicts[i].ratelimited;
		r.body = (char *)(uintptr_t)verdicts[i].body;
		r.len = strlen(verdicts[i].body);
		active = -1;
		rc = ghauthp_gh_member_verdict("team:acme/infra", &r, &active);
		ok(rc == verdicts[i].rc && active == verdicts[i].active,
		    "verdict: %s -> %s, %s", verdicts[i].what,
		    ghauthp_err_name(verdicts[i].rc),
		    verdicts[i].active ? "member" : "not a member");
		if (rc != verdicts[i].rc || active != verdicts[i].active)
			diag("got %s, active %d", ghauthp_err_name(rc), active);
	}
}

static const struct {
	const char	*entry;
	const char	*login;
	const char	*path;		/* NULL: refused */
} paths[] = {
	{ "org:acme", "octocat", "/user/memberships/orgs/acme" },
	{ "org:a-b_c", "x", "/user/memberships/orgs/a-b_c" },
	{ "team:acme/infra", "octocat",
	    "/orgs/acme/teams/infra/memberships/octocat" },
	{ "team:acme/infra_ops-2", "Alice-1",
	    "/orgs/acme/teams/infra_ops-2/memberships/Alice-1" },
	{ "org:acme", NULL, NULL },
	{ "org:acme", "", NULL },
	{ "team:acme/infra", "a/b", NULL },
	{ "team:acme/infra", "..", NULL },
	{ "team:acme/infra", "a?b", NULL },
	{ "org:", "octocat", NULL },
	{ "org:a/b", "octocat", NULL },
	{ "org:a.b", "octocat", NULL },
	{ "team:acme", "octocat", NULL },
	{ "team:acme/", "octocat", NULL },
	{ "team:/infra", "octocat", NULL },
	{ "team:acme/..", "octocat", NULL },
	{ "team:acme/a/b", "octocat", NULL },
	{ "team:acme/a%2f", "octocat", NULL },
	{ "acme", "octocat", NULL },
	{ "", "octocat", NULL },
};

static void
test_paths(void)
{
	char	 buf[300], small[20];
	size_t	 i;
	int	 rc;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		rc = ghauthp_gh_member_path(paths[i].entry, paths[i].login, buf,
		    sizeof(buf));
		if (paths[i].path != NULL)
			ok(rc == 1 && strcmp(buf, paths[i].path) == 0,
			    "path: %s for %s -> %s", paths[i].entry,
			    paths[i].login, paths[i].path);
		else
			ok(rc == 0, "path: %s for %s refused", paths[i].entry,
			    paths[i].login ? tap_quote(paths[i].login,
			    strlen(paths[i].login)) : "NULL");
	}
	ok(ghauthp_gh_member_path("team:acme/infra", "octocat", small,
	    sizeof(small)) == 0, "path: a buffer too small is refused");
}

static void
test_revoke(void)
{
	char	*p, *b;

	ok(ghauthp_gh_revoke_path("Iv1.8a61f9b3a7aba766", &p) == 1 &&
	    strcmp(p, "/applications/Iv1.8a61f9b3a7aba766/token") == 0,
	    "revoke path: /applications/{client_id}/token");
	free(p);
	ok(ghauthp_gh_revoke_path("a/b?c d", &p) == 1 &&
	    strcmp(p, "/applications/a%2Fb%3Fc%20d/token") == 0,
	    "revoke path: the client id is percent-encoded");
	free(p);
	b = ghauthp_gh_revoke_body("gho_16C7e42F292c6912E7710c838347Ae178B4a");
	is_str(b, "{\"access_token\":\"gho_16C7e42F292c6912E7710c838347Ae178B4a\"}",
	    "revoke body: {\"access_token\": ...}");
	free(b);
	b = ghauthp_gh_revoke_body("a\"b\\c");
	is_str(b, "{\"access_token\":\"a\\\"b\\\\c\"}",
	    "revoke body: JSON-escaped");
	free(b);
}

int
main(void)
{
	plan(54);
	ghauthp_log_init("test-github-orgs");
	test_verdicts();
	test_paths();
	test_revoke();
	return done_testing();
}
