/*
 * test-github-json.c - decoding GitHub's answers without the network:
 * the token endpoint (success, token types, error bodies with a capped and
 * cleaned description), GET /user (a realistic body, then every field
 * wrong in turn) and GET /user/emails (primary and verified, not merely
 * the first verified).  Duplicate keys, wrong types and truncated JSON are
 * refused everywhere.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ghauth-int.h"
#include "tap.h"

/* ---- POST /login/oauth/access_token ------------------------------------ */

static const struct {
	const char	*body;
	const char	*token;		/* expected access_token, or NULL */
} token_ok[] = {
	{ "{\"access_token\":\"gho_16C7e42F292c6912E7710c838347Ae178B4a\","
	  "\"token_type\":\"bearer\",\"scope\":\"read:user,user:email\"}",
	  "gho_16C7e42F292c6912E7710c838347Ae178B4a" },
	{ "{\"access_token\":\"gho_x\",\"token_type\":\"Bearer\"}", "gho_x" },
	{ "{\"access_token\":\"gho_x\",\"token_type\":\"BEARER\"}", "gho_x" },
	{ "{\"token_type\":\"bearer\",\"access_token\":\"a.b-c_d\"}",
	  "a.b-c_d" },
	{ " \n{\"access_token\":\"t\",\"token_type\":\"bearer\",\"extra\":"
	  "{\"nested\":[1,2,3]}}\n ", "t" },
};

static const char *const token_bad[] = {
	/* token_type */
	"{\"access_token\":\"gho_x\",\"token_type\":\"mac\"}",
	"{\"access_token\":\"gho_x\",\"token_type\":\"bearer \"}",
	"{\"access_token\":\"gho_x\",\"token_type\":\"\"}",
	"{\"access_token\":\"gho_x\",\"token_type\":null}",
	"{\"access_token\":\"gho_x\",\"token_type\":1}",
	"{\"access_token\":\"gho_x\"}",
	/* access_token */
	"{\"access_token\":\"gho x\",\"token_type\":\"bearer\"}",
	"{\"access_token\":\"gho\\rx\",\"token_type\":\"bearer\"}",
	"{\"access_token\":\"gho\\nx\",\"token_type\":\"bearer\"}",
	"{\"access_token\":\"gho\\\"x\",\"token_type\":\"bearer\"}",
	"{\"access_token\":\"gho+x\",\"token_type\":\"bearer\"}",
	"{\"access_token\":\"gh\\u00f6\",\"token_type\":\"bearer\"}",
	"{\"access_token\":\"\",\"token_type\":\"bearer\"}",
	"{\"access_token\":null,\"token_type\":\"bearer\"}",
	"{\"access_token\":5,\"token_type\":\"bearer\"}",
	"{\"access_token\":[\"x\"],\"token_type\":\"bearer\"}",
	"{\"token_type\":\"bearer\"}",
	"{\"access_token\":\"a\\u0000b\",\"token_type\":\"bearer\"}",
	/* duplicates */
	"{\"access_token\":\"a\",\"access_token\":\"b\",\"token_type\":"
	"\"bearer\"}",
	"{\"access_token\":\"a\",\"token_type\":\"bearer\",\"token_type\":"
	"\"bearer\"}",
	/* error bodies that are themselves malformed */
	"{\"error\":null}",
	"{\"error\":5}",
	"{\"error\":\"\"}",
	"{\"error\":\"Bad-Error\"}",
	"{\"error\":\"bad error\"}",
	"{\"error\":\"bad_verification_code\",\"error_description\":5}",
	"{\"error\":\"x\",\"error\":\"y\"}",
	/* not an object, not JSON, truncated */
	"",
	"[]",
	"[{\"access_token\":\"a\",\"token_type\":\"bearer\"}]",
	"\"access_token\"",
	"null",
	"5",
	"access_token=gho_x&token_type=bearer",
	"{\"access_token\":\"gho_x\",\"token_type\":\"bearer\"",
	"{\"access_token\":\"gho_x\",\"token_type\":\"bea",
	"{\"access_token\":\"gho_x\",\"token_type\":\"bearer\"}x",
	"{\"access_token\":\"gho_x\",\"token_type\":\"bearer\"}{}",
	"<html><body>Service unavailable</body></html>",
};

static void
test_token(void)
{
	struct ghauthp_token_reply	 r;
	char				 body[600], tok[300];
	size_t				 i;
	int				 rc;

	for (i = 0; i < sizeof(token_ok) / sizeof(token_ok[0]); i++) {
		rc = ghauthp_gh_parse_token(token_ok[i].body,
		    strlen(token_ok[i].body), &r);
		ok(rc == 0 && r.access_token != NULL &&
		    strcmp(r.access_token, token_ok[i].token) == 0 &&
		    r.error == NULL, "token reply %zu -> %s", i,
		    token_ok[i].token);
		ghauthp_token_reply_free(&r);
	}
	for (i = 0; i < sizeof(token_bad) / sizeof(token_bad[0]); i++) {
		memset(&r, 0x5a, sizeof(r));
		rc = ghauthp_gh_parse_token(token_bad[i], strlen(token_bad[i]),
		    &r);
		ok(rc == -1 && r.access_token == NULL && r.error == NULL &&
		    r.error_description == NULL, "token reply refused: %s",
		    tap_quote(token_bad[i], strlen(token_bad[i])));
		ghauthp_token_reply_free(&r);
	}

	/* Token length: 255 accepted, 256 refused. */
	memset(tok, 'a', sizeof(tok));
	snprintf(body, sizeof(body), "{\"access_token\":\"%.255s\","
	    "\"token_type\":\"bearer\"}", tok);
	rc = ghauthp_gh_parse_token(body, strlen(body), &r);
	ok(rc == 0 && strlen(r.access_token) == 255, "token of 255 chars");
	ghauthp_token_reply_free(&r);
	snprintf(body, sizeof(body), "{\"access_token\":\"%.256s\","
	    "\"token_type\":\"bearer\"}", tok);
	is_int(ghauthp_gh_parse_token(body, strlen(body), &r), -1,
	    "token of 256 chars refused");

	/* The length given is what is parsed. */
	is_int(ghauthp_gh_parse_token(token_ok[1].body, 10, &r), -1,
	    "only the given length is parsed");
}

static int
token_str(const char *s, struct ghauthp_token_reply *r)
{
	return ghauthp_gh_parse_token(s, strlen(s), r);
}

static void
test_token_errors(void)
{
	struct ghauthp_token_reply	 r;
	char				*body, *p;
	size_t				 i, n;
	int				 rc, clean;

	rc = token_str("{\"error\":\"bad_verification_code\","
	    "\"error_description\":\"The code passed is incorrect or expired.\","
	    "\"error_uri\":\"https://docs.github.com/apps/managing-oauth-apps/"
	    "troubleshooting-oauth-app-access-token-request-errors/"
	    "#bad-verification-code\"}", &r);
	ok(rc == 0 && r.access_token == NULL && r.error != NULL &&
	    strcmp(r.error, "bad_verification_code") == 0 &&
	    r.error_description != NULL && strcmp(r.error_description,
	    "The code passed is incorrect or expired.") == 0,
	    "error body: error and description");
	ghauthp_token_reply_free(&r);

	rc = token_str("{\"error\":\"incorrect_client_credentials\"}",
	    &r);
	ok(rc == 0 && strcmp(r.error, "incorrect_client_credentials") == 0 &&
	    r.error_description == NULL, "error without description");
	ghauthp_token_reply_free(&r);

	rc = token_str("{\"error\":\"x\",\"error_description\":"
	    "null}", &r);
	ok(rc == 0 && strcmp(r.error, "x") == 0 && r.error_description == NULL,
	    "error with null description");
	ghauthp_token_reply_free(&r);

	/* An error wins over a token in the same body. */
	rc = token_str("{\"access_token\":\"t\",\"token_type\":"
	    "\"bearer\",\"error\":\"access_denied\"}", &r);
	ok(rc == 0 && r.access_token == NULL && r.error != NULL,
	    "error and token: the error is taken, the token dropped");
	ghauthp_token_reply_free(&r);

	/* Non-printables (control, UTF-8) become '?'. */
	rc = token_str("{\"error\":\"e\",\"error_description\":"
	    "\"a\\tb\\r\\nc\\u0001d\\u00e9e<f>\"}", &r);
	if (!ok(rc == 0 && r.error_description != NULL &&
	    strcmp(r.error_description, "a?b??c?d??e<f>") == 0,
	    "description: control bytes and UTF-8 replaced by '?'") &&
	    r.error_description != NULL)
		diag("description: %s", r.error_description);
	ghauthp_token_reply_free(&r);

	/* Capped at 200 characters; 4096 is the most accepted at all. */
	for (n = 199; n <= 201; n++) {
		if ((body = malloc(n + 64)) == NULL)
			exit(1);
		p = body + sprintf(body, "{\"error\":\"e\",\"error_description\":\"");
		memset(p, 'd', n);
		strcpy(p + n, "\"}");
		rc = ghauthp_gh_parse_token(body, strlen(body), &r);
		ok(rc == 0 && strlen(r.error_description) == (n > 200 ? 200 : n),
		    "description of %zu chars -> %zu", n, n > 200 ? 200 : n);
		ghauthp_token_reply_free(&r);
		free(body);
	}
	for (n = 4096; n <= 4097; n++) {
		if ((body = malloc(n + 64)) == NULL)
			exit(1);
		p = body + sprintf(body, "{\"error\":\"e\",\"error_description\":\"");
		memset(p, 'd', n);
		strcpy(p + n, "\"}");
		rc = ghauthp_gh_parse_token(body, strlen(body), &r);
		if (n == 4096)
			ok(rc == 0 && strlen(r.error_description) == 200,
			    "description of 4096 chars capped at 200");
		else
			is_int(rc, -1, "description of 4097 chars refused");
		ghauthp_token_reply_free(&r);
		free(body);
	}
	/* Multi-byte characters cut at the cap are replaced, not split. */
	if ((body = malloc(1024)) == NULL)
		exit(1);
	p = body + sprintf(body, "{\"error\":\"e\",\"error_description\":\"");
	for (i = 0; i < 150; i++)
		p += sprintf(p, "\xc3\xa9");
	strcpy(p, "\"}");
	rc = ghauthp_gh_parse_token(body, strlen(body), &r);
	clean = rc == 0 && strlen(r.error_description) == 200;
	for (i = 0; clean && r.error_description[i] != '\0'; i++)
		if (r.error_description[i] != '?')
			clean = 0;
	ok(clean, "description of 150 x U+00E9: 200 x '?'");
	ghauthp_token_reply_free(&r);
	free(body);
}

/* ---- GET /user --------------------------------------------------------- */

#define USER_HEAD \
	"{\"login\":\"octocat\",\"id\":583231,\"node_id\":\"MDQ6VXNlcjU4MzIzMQ==\"," \
	"\"avatar_url\":\"https://avatars.githubusercontent.com/u/583231?v=4\"," \
	"\"gravatar_id\":\"\",\"url\":\"https://api.github.com/users/octocat\"," \
	"\"html_url\":\"https://github.com/octocat\",\"type\":\"User\"," \
	"\"site_admin\":false,\"company\":\"@github\",\"blog\":" \
	"\"https://github.blog\",\"location\":\"San Francisco\"," \
	"\"hireable\":null,\"bio\":null,\"twitter_username\":null," \
	"\"public_repos\":8,\"public_gists\":8,\"followers\":20000," \
	"\"following\":9,\"created_at\":\"2011-01-25T18:44:36Z\"," \
	"\"updated_at\":\"2024-01-22T12:00:00Z\""

static int
user_str(const char *s, struct ghauthp_gh_user *u)
{
	return ghauthp_gh_parse_user(s, strlen(s), u);
}

static void
test_user_ok(void)
{
	struct ghauthp_gh_user	 u;
	int			 rc;
	static const char	 full[] = USER_HEAD ",\"name\":\"The Octocat\","
	    "\"email\":\"octocat@github.com\"}";

	rc = user_str(full, &u);
	ok(rc == 0, "realistic /user body accepted");
	ok(u.id == 583231, "  id");
	is_str(u.login, "octocat", "  login");
	is_str(u.name, "The Octocat", "  name");
	is_str(u.avatar_url, "https://avatars.githubusercontent.com/u/583231"
	    "?v=4", "  avatar_url");
	is_str(u.email, "octocat@github.com", "  email");
	ghauthp_gh_user_free(&u);
	ok(u.login == NULL && u.name == NULL && u.id == 0,
	    "gh_user_free clears");

	rc = user_str(USER_HEAD ",\"name\":null,\"email\":null}", &u);
	ok(rc == 0 && u.name == NULL && u.email == NULL,
	    "name and email null -> NULL");
	ghauthp_gh_user_free(&u);
	rc = user_str(USER_HEAD "}", &u);
	ok(rc == 0 && u.name == NULL && u.email == NULL,
	    "name and email absent -> NULL");
	ghauthp_gh_user_free(&u);
	rc = user_str(USER_HEAD ",\"name\":\"\"}", &u);
	ok(rc == 0 && u.name == NULL, "name \"\" -> NULL");
	ghauthp_gh_user_free(&u);
	rc = user_str(USER_HEAD ",\"name\":\"Zo\\u00eb \\ud83d\\udc19 "
	    "\xe5\xb1\xb1\xe7\x94\xb0 <b>\"}", &u);
	ok(rc == 0 && u.name != NULL && strcmp(u.name, "Zo\xc3\xab \xf0\x9f"
	    "\x90\x99 \xe5\xb1\xb1\xe7\x94\xb0 <b>") == 0,
	    "unicode name kept as UTF-8 (escaping is the output's job)");
	ghauthp_gh_user_free(&u);
	rc = user_str("{\"id\":9007199254740993,\"login\":\"x\","
	    "\"avatar_url\":\"https://a/\"}", &u);
	ok(rc == 0 && u.id == 9007199254740993ULL,
	    "id beyond 2^53 kept exactly");
	ghauthp_gh_user_free(&u);
}

/*
 * The display name and the email are cosmetic: whatever GitHub sends
 * there, the sign-in goes on (issue 10: a TAB in a name locked its owner
 * out).  Control characters in a name become spaces; an unusable email is
 * no email.
 */
static const struct {
	const char	*fields;
	const char	*name;		/* NULL: no name */
	const char	*email;		/* NULL: no email */
	const char	*why;
} user_cosmetic[] = {
	{ "\"name\":\"Tab\\there\"", "Tab here", NULL, "TAB in name" },
	{ "\"name\":\"Bell\\u0007ring\"", "Bell ring", NULL, "BEL in name" },
	{ "\"name\":\"Line\\nbreak\"", "Line break", NULL, "LF in name" },
	{ "\"name\":\"a\\r\\nb\"", "a  b", NULL, "CRLF in name" },
	{ "\"name\":\"trailing\\t\"", "trailing ", NULL, "trailing TAB" },
	{ "\"name\":\"\\u001b[31mred\"", " [31mred", NULL,
	  "escape sequence in name" },
	{ "\"name\":\"a\\u0000b\"", "a b", NULL, "NUL in name" },
	{ "\"name\":\"a\\u007fb\\u0085c\"", "a b\xc2\x85" "c", NULL,
	  "DEL in name (C1 NEL kept, escaped on output)" },
	{ "\"name\":\"\\u00a0\\u00e9\"", "\xc2\xa0\xc3\xa9", NULL,
	  "NBSP and e-acute kept (not controls)" },
	{ "\"name\":5", NULL, NULL, "name a number" },
	{ "\"name\":[\"a\"]", NULL, NULL, "name an array" },
	{ "\"name\":{}", NULL, NULL, "name an object" },
	{ "\"name\":true", NULL, NULL, "name true" },
	{ "\"email\":\"\"", NULL, NULL, "email empty" },
	{ "\"email\":\"a@b\\r\\nBcc: c\"", NULL, NULL, "email with CRLF" },
	{ "\"email\":\"a@b\\u0000c\"", NULL, NULL, "email with NUL" },
	{ "\"email\":false", NULL, NULL, "email false" },
	{ "\"email\":[\"a@b\"]", NULL, NULL, "email an array" },
	{ "\"name\":\"N\\tM\",\"email\":\"n@x.example\"", "N M",
	  "n@x.example", "TAB in name, good email" },
};

static void
test_user_cosmetic(void)
{
	struct ghauthp_gh_user	 u;
	char			 body[2048], big[400];
	size_t			 i;
	int			 rc;

	for (i = 0; i < sizeof(user_cosmetic) / sizeof(user_cosmetic[0]);
	    i++) {
		snprintf(body, sizeof(body), USER_HEAD ",%s}",
		    user_cosmetic[i].fields);
		rc = ghauthp_gh_parse_user(body, strlen(body), &u);
		ok(rc == 0 && u.id == 583231 && strcmp(u.login, "octocat") == 0 &&
		    (user_cosmetic[i].name == NULL ? u.name == NULL :
		    u.name != NULL && strcmp(u.name, user_cosmetic[i].name) ==
		    0) && (user_cosmetic[i].email == NULL ? u.email == NULL :
		    u.email != NULL && strcmp(u.email, user_cosmetic[i].email) ==
		    0), "/user accepted: %s", user_cosmetic[i].why);
		if (rc == 0)
			ghauthp_gh_user_free(&u);
	}
	/* A long name is cut at a character boundary: 3-byte characters. */
	for (i = 0; i + 3 <= 390; i += 3)
		memcpy(big + i, "\xe5\xb1\xb1", 3);
	big[i] = '\0';
	snprintf(body, sizeof(body), USER_HEAD ",\"name\":\"%s\"}", big);
	rc = ghauthp_gh_parse_user(body, strlen(body), &u);
	ok(rc == 0 && u.name != NULL && strlen(u.name) == 255 &&
	    strncmp(u.name, big, 255) == 0, "130 CJK characters (390 bytes) "
	    "cut to 85 whole characters");
	if (rc == 0)
		ghauthp_gh_user_free(&u);
}

/* Each replaces one field of an otherwise good body. */
static const struct {
	const char	*fields;
	const char	*why;
} user_bad[] = {
	{ "\"id\":\"583231\",\"login\":\"octocat\"", "id as a string" },
	{ "\"id\":-1,\"login\":\"octocat\"", "id negative" },
	{ "\"id\":0,\"login\":\"octocat\"", "id 0" },
	{ "\"id\":1.0,\"login\":\"octocat\"", "id as a float" },
	{ "\"id\":583231.5,\"login\":\"octocat\"", "id fractional" },
	{ "\"id\":1e3,\"login\":\"octocat\"", "id in exponent form" },
	{ "\"id\":null,\"login\":\"octocat\"", "id null" },
	{ "\"id\":true,\"login\":\"octocat\"", "id true" },
	{ "\"login\":\"octocat\"", "id missing" },
	{ "\"id\":99999999999999999999,\"login\":\"octocat\"", "id overflow" },
	{ "\"id\":1,\"id\":1,\"login\":\"octocat\"", "duplicate id" },
	{ "\"id\":1,\"login\":\"a\",\"login\":\"b\"", "duplicate login" },
	{ "\"id\":1,\"login\":\"octo.cat\"", "login with '.'" },
	{ "\"id\":1,\"login\":\"octo cat\"", "login with space" },
	{ "\"id\":1,\"login\":\"\"", "login empty" },
	{ "\"id\":1,\"login\":null", "login null" },
	{ "\"id\":1,\"login\":5", "login a number" },
	{ "\"id\":1", "login missing" },
	{ "\"id\":1,\"login\":\"<script>\"", "login with markup" },
	{ "\"id\":1,\"login\":\"octo\\ncat\"", "login with newline" },
	{ "\"id\":1,\"login\":\"octo\\u0000cat\"", "login with NUL" },
	{ "\"id\":1,\"login\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaa\"", "login of 65 chars" },
};

static const struct {
	const char	*fields;
	const char	*why;
} user_bad_tail[] = {
	{ "\"avatar_url\":\"http://avatars.example/u/1\"", "avatar http://" },
	{ "\"avatar_url\":\"https://a/\\\"onerror=\\\"x\"", "avatar with '\"'" },
	{ "\"avatar_url\":\"https://a/'x\"", "avatar with '''" },
	{ "\"avatar_url\":\"https://a/<x>\"", "avatar with '<'" },
	{ "\"avatar_url\":\"https://a/ x\"", "avatar with a space" },
	{ "\"avatar_url\":\"https://a/\\\\x\"", "avatar with '\\'" },
	{ "\"avatar_url\":\"https://a/`x\"", "avatar with '`'" },
	{ "\"avatar_url\":\"https://a/\\u00e9\"", "avatar with non-ASCII" },
	{ "\"avatar_url\":\"javascript:alert(1)\"", "avatar javascript:" },
	{ "\"avatar_url\":\"//evil.example/x\"", "avatar scheme-relative" },
	{ "\"avatar_url\":\"\"", "avatar empty" },
	{ "\"avatar_url\":null", "avatar null" },
	{ "\"avatar_url\":1", "avatar a number" },
	{ "\"avatar_url\":\"https://a/\\u0000x\"", "avatar with NUL" },
	{ "\"avatar_url\":\"https://a/\",\"email\":\"a\",\"email\":\"b\"",
	  "duplicate email" },
};

static void
test_user_bad(void)
{
	struct ghauthp_gh_user	 u;
	char			 body[2048], big[1100];
	size_t			 i;
	static const char *const whole[] = {
		"", "[]", "null", "\"octocat\"", "{",
		"{\"id\":1,\"login\":\"x\",\"avatar_url\":\"https://a/\"",
		"{\"id\":1,\"login\":\"x\",\"avatar_url\":\"https://a/\"}]",
		"{\"id\":1,\"login\":\"x\",\"avatar_url\":\"https://a/\",}",
	};

	for (i = 0; i < sizeof(user_bad) / sizeof(user_bad[0]); i++) {
		snprintf(body, sizeof(body), "{%s,\"avatar_url\":\"https://a/\"}",
		    user_bad[i].fields);
		memset(&u, 0x5a, sizeof(u));
		ok(ghauthp_gh_parse_user(body, strlen(body), &u) == -1 &&
		    u.login == NULL && u.name == NULL && u.avatar_url == NULL &&
		    u.email == NULL, "/user refused: %s", user_bad[i].why);
	}
	for (i = 0; i < sizeof(user_bad_tail) / sizeof(user_bad_tail[0]);
	    i++) {
		snprintf(body, sizeof(body), "{\"id\":1,\"login\":\"octocat\",%s}",
		    user_bad_tail[i].fields);
		ok(ghauthp_gh_parse_user(body, strlen(body), &u) == -1 &&
		    u.login == NULL, "/user refused: %s", user_bad_tail[i].why);
	}
	for (i = 0; i < sizeof(whole) / sizeof(whole[0]); i++)
		is_int(ghauthp_gh_parse_user(whole[i], strlen(whole[i]), &u), -1,
		    "/user refused: %s", tap_quote(whole[i], strlen(whole[i])));

	/* Length caps: name 256 bytes, avatar 1024, email 320. */
	memset(big, 'n', sizeof(big));
	snprintf(body, sizeof(body), "{\"id\":1,\"login\":\"x\",\"avatar_url\":"
	    "\"https://a/\",\"name\":\"%.256s\"}", big);
	ok(ghauthp_gh_parse_user(body, strlen(body), &u) == 0 &&
	    strlen(u.name) == 256, "name of 256 bytes kept whole");
	ghauthp_gh_user_free(&u);
	snprintf(body, sizeof(body), "{\"id\":1,\"login\":\"x\",\"avatar_url\":"
	    "\"https://a/\",\"name\":\"%.600s\"}", big);
	ok(ghauthp_gh_parse_user(body, strlen(body), &u) == 0 &&
	    strlen(u.name) == 256, "name of 600 bytes: cut to 256, "
	    "sign-in goes on");
	ghauthp_gh_user_free(&u);
	snprintf(body, sizeof(body), "{\"id\":1,\"login\":\"x\",\"avatar_url\":"
	    "\"https://a/%.1014s\"}", big);
	ok(ghauthp_gh_parse_user(body, strlen(body), &u) == 0,
	    "avatar_url of 1024 bytes accepted");
	ghauthp_gh_user_free(&u);
	snprintf(body, sizeof(body), "{\"id\":1,\"login\":\"x\",\"avatar_url\":"
	    "\"https://a/%.1015s\"}", big);
	is_int(ghauthp_gh_parse_user(body, strlen(body), &u), -1,
	    "avatar_url of 1025 bytes refused");
	snprintf(body, sizeof(body), "{\"id\":1,\"login\":\"x\",\"avatar_url\":"
	    "\"https://a/\",\"email\":\"%.320s\"}", big);
	ok(ghauthp_gh_parse_user(body, strlen(body), &u) == 0,
	    "email of 320 bytes accepted");
	ghauthp_gh_user_free(&u);
	snprintf(body, sizeof(body), "{\"id\":1,\"login\":\"x\",\"avatar_url\":"
	    "\"https://a/\",\"email\":\"%.321s\"}", big);
	ok(ghauthp_gh_parse_user(body, strlen(body), &u) == 0 &&
	    u.email == NULL, "email of 321 bytes: no email, sign-in goes on");
	ghauthp_gh_user_free(&u);
}

/* ---- GET /user/emails -------------------------------------------------- */

static const struct {
	const char	*body;
	int		 rc;
	const char	*email;
} emails[] = {
	{ "[{\"email\":\"first@x.example\",\"primary\":false,\"verified\":true,"
	  "\"visibility\":null},{\"email\":\"main@x.example\",\"primary\":true,"
	  "\"verified\":true,\"visibility\":\"private\"}]", 0, "main@x.example" },
	{ "[{\"email\":\"main@x.example\",\"primary\":true,\"verified\":true}]",
	  0, "main@x.example" },
	{ "[{\"email\":\"p@x.example\",\"primary\":true,\"verified\":false},"
	  "{\"email\":\"v@x.example\",\"primary\":false,\"verified\":true}]", 0,
	  NULL },
	{ "[{\"email\":\"a@x.example\",\"primary\":false,\"verified\":false}]",
	  0, NULL },
	{ "[]", 0, NULL },
	{ "[{\"email\":\"a@x.example\",\"primary\":true,\"verified\":true},"
	  "{\"email\":\"b@x.example\",\"primary\":true,\"verified\":true}]", 0,
	  "a@x.example" },
	/* An unverified primary with a bad address is not looked at. */
	{ "[{\"email\":5,\"primary\":true,\"verified\":false}]", 0, NULL },
	/* An unusable primary address is no address (the sign-in goes on). */
	{ "[{\"email\":\"a@b\\u0000c\",\"primary\":true,\"verified\":true}]",
	  0, NULL },
	{ "[{\"primary\":true,\"verified\":true}]", 0, NULL },
	{ "[{\"email\":null,\"primary\":true,\"verified\":true}]", 0, NULL },
	{ "[{\"email\":\"\",\"primary\":true,\"verified\":true}]", 0, NULL },
	{ "[{\"email\":5,\"primary\":true,\"verified\":true}]", 0, NULL },
	{ "[{\"email\":\"a@b\\nc\",\"primary\":true,\"verified\":true}]", 0,
	  NULL },
	/* Malformed. */
	{ "[{\"email\":\"a@x.example\",\"primary\":\"true\",\"verified\":true}]",
	  -1, NULL },
	{ "[{\"email\":\"a@x.example\",\"primary\":true,\"verified\":1}]", -1,
	  NULL },
	{ "[{\"email\":\"a@x.example\",\"verified\":true}]", -1, NULL },
	{ "[{\"email\":\"a@x.example\",\"primary\":true}]", -1, NULL },
	{ "[{\"email\":\"a@x.example\",\"primary\":null,\"verified\":true}]",
	  -1, NULL },
	{ "[\"a@x.example\"]", -1, NULL },
	{ "[null]", -1, NULL },
	{ "[[]]", -1, NULL },
	{ "[{\"email\":\"a@x.example\",\"primary\":true,\"verified\":true},5]",
	  -1, NULL },
	{ "[{\"email\":\"a@x.example\",\"primary\":true,\"verified\":true},"
	  "{\"email\":\"b@x.example\"}]", -1, NULL },
	{ "[{\"email\":\"a@x.example\",\"email\":\"b@x.example\",\"primary\":"
	  "true,\"verified\":true}]", -1, NULL },
	{ "{\"email\":\"a@x.example\",\"primary\":true,\"verified\":true}", -1,
	  NULL },
	{ "{\"message\":\"Requires authentication\"}", -1, NULL },
	{ "", -1, NULL },
	{ "[", -1, NULL },
	{ "[{\"email\":\"a@x.example\",\"primary\":true,\"verified\":true}", -1,
	  NULL },
	{ "null", -1, NULL },
};

static void
test_emails(void)
{
	char	*email;
	size_t	 i;
	int	 rc;

	for (i = 0; i < sizeof(emails) / sizeof(emails[0]); i++) {
		email = (char *)(uintptr_t)"junk";
		rc = ghauthp_gh_parse_emails(emails[i].body,
		    strlen(emails[i].body), &email);
		ok(rc == emails[i].rc && (email == emails[i].email ||
		    (email != NULL && emails[i].email != NULL &&
		    strcmp(email, emails[i].email) == 0)),
		    "emails %zu -> %d %s", i, emails[i].rc,
		    emails[i].email ? emails[i].email : "NULL");
		if (rc != emails[i].rc)
			diag("%s", tap_quote(emails[i].body,
			    strlen(emails[i].body)));
		free(email);
	}
}

int
main(void)
{
	plan(171);
	test_token();
	test_token_errors();
	test_user_ok();
	test_user_bad();
	test_user_cosmetic();
	test_emails();
	return done_testing();
}
