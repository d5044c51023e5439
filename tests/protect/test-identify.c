/*
 * test-identify.c - the C API of docs/PROTECT.md (identify.c):
 * ghauth_identify_env() applies /auth/session's rules (header or cookie,
 * never the URL; expiry, idle expiry, the allowlist re-checked; malformed
 * and repeated cookies), ghauth_identify() reads the process environment
 * (also Apache's REDIRECT_ copies) and leaves it as it was, and
 * ghauth_deny_response() builds the refusal: 303 to sign-in for a browser,
 * 401 JSON for everyone else, 503/500 for server trouble.
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ghauth-int.h"
#include "protect.h"
#include "../unit/tap.h"
#include "../unit/unit.h"

#define TOK_A	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
#define TOK_B	"BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBA"
#define TOK_OLD	"CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCA"
#define TOK_IDLE "DDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDA"
#define TOK_NONE "EEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEA"
#define TOK_TEAM "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFA"

static char	 store[PATH_MAX + 64];
static const char *seed_groups;	/* the admitting entries of the next seed */

/* A session record straight into the store, as tests/tools/seed does. */
static int
seed(const char *token, uint64_t uid, const char *login, const char *email,
    long ttl, long idle)
{
	struct ghauthp_record	 r;
	struct ghauthp_store	*st;
	unsigned char		 key[GHAUTHP_KEY_LEN], *v;
	size_t			 n;
	time_t			 now = ghauthp_now();
	int			 ok;

	memset(&r, 0, sizeof(r));
	r.type = GHAUTHP_REC_SESSION;
	r.created = now - (ttl < 0 ? 100 : 0);
	r.expires = now + ttl;
	r.last_seen = now - idle;
	r.uid = uid;
	r.login = (char *)login;
	r.avatar_url = (char *)"https://avatars.example/u/1";
	r.name = (char *)"Name 'quoted' <b>";
	r.email = (char *)email;
	r.groups = (char *)seed_groups;
	ghauthp_key(GHAUTHP_KIND_SESSION, token, key);
	if ((v = ghauthp_record_encode(&r, key, sizeof(key), &n)) == NULL)
		return 0;
	ok = ghauthp_store_open(&st, store, GHAUTHP_STORE_WRITE, 2000) ==
	    GHAUTHP_S_OK;
	ok = ok && ghauthp_store_put(st, key, sizeof(key), v, n, 0,
	    GHAUTHP_PUT_ANY) ==
	    GHAUTHP_S_OK;
	ok = ok && ghauthp_store_close(st) == GHAUTHP_S_OK;
	free(v);
	return ok;
}

static int
config(struct ghauth_config *cfg, const char *extra_github,
    const char *extra_auth)
{
	char	 doc[8192], err[512];
	int	 n;

	n = snprintf(doc, sizeof(doc), "{\"auth\": {\"store\": \"%s\"%s, "
	    "\"github\": {\"client_id\": \"x\", \"client_secret\": \"y\""
	    "%s}}}", store, extra_auth, extra_github);
	if (n < 0 || (size_t)n >= sizeof(doc))
		return 0;
	err[0] = '\0';
	if (ghauthp_config_parse(cfg, doc, (size_t)n, fake_getenv, NULL, err,
	    sizeof(err)) != GHAUTH_OK) {
		diag("config: %s", err);
		return 0;
	}
	return 1;
}

#define LOCAL	", \"redirect_uri\": \"http://localhost:8080/auth/github/callback\""
#define SECURE	", \"redirect_uri\": \"https://example.org/auth/github/callback\""

static void
test_rules(void)
{
	struct ghauth_config	 cfg, cfg2;
	struct ghauth_identity	 id;
	char			 big[GHAUTHP_COOKIE_MAX + 64];
	size_t			 i;
	static const struct {
		const char	*env[4];
		enum ghauth_err	 want;
		const char	*login;
		const char	*what;
	} cases[] = {
		{ { "HTTP_COOKIE=ghauth_session=" TOK_A }, GHAUTH_OK,
		    "octocat", "the session cookie" },
		{ { "HTTP_COOKIE=a=1; ghauth_session=" TOK_A "; b=2" },
		    GHAUTH_OK, "octocat", "among other cookies" },
		{ { "HTTP_X_SESSION_TOKEN=" TOK_B }, GHAUTH_OK, "alice",
		    "the X-Session-Token header" },
		{ { "HTTP_X_SESSION_TOKEN=" TOK_B,
		    "HTTP_COOKIE=ghauth_session=" TOK_A }, GHAUTH_OK, "alice",
		    "the header wins over the cookie" },
		{ { "HTTP_X_SESSION_TOKEN=short",
		    "HTTP_COOKIE=ghauth_session=" TOK_A }, GHAUTH_E_SESSION,
		    NULL, "a malformed header is not replaced by the cookie" },
		{ { "HTTP_X_SESSION_TOKEN=" TOK_A ", " TOK_A },
		    GHAUTH_E_SESSION, NULL, "a repeated header (a, b)" },
		{ { NULL }, GHAUTH_E_SESSION, NULL, "nothing" },
		{ { "HTTP_COOKIE=other=1" }, GHAUTH_E_SESSION, NULL,
		    "other cookies only" },
		{ { "HTTP_COOKIE=ghauth_session=" TOK_NONE },
		    GHAUTH_E_SESSION, NULL, "an unknown token" },
		{ { "HTTP_COOKIE=ghauth_session=" TOK_OLD },
		    GHAUTH_E_SESSION, NULL, "an expired session" },
		{ { "HTTP_COOKIE=ghauth_session=" TOK_A
		    "; ghauth_session=" TOK_B }, GHAUTH_E_SESSION, NULL,
		    "a repeated session cookie" },
		{ { "HTTP_COOKIE=ghauth_session=" TOK_A "x" },
		    GHAUTH_E_SESSION, NULL, "a token of the wrong length" },
		{ { "HTTP_COOKIE=__Host-ghauth_session=" TOK_A },
		    GHAUTH_E_SESSION, NULL, "the https cookie name over http" },
		{ { "QUERY_STRING=session=" TOK_A }, GHAUTH_E_SESSION, NULL,
		    "never from the URL" },
		{ { "HTTP_COOKIE=ghauth_session=" TOK_A "\001" },
		    GHAUTH_E_BADREQ, NULL, "a control byte in the cookie" },
		/* As for /auth/session (request.c): tabs are header whitespace. */
		{ { "HTTP_COOKIE=theme=dark;\tghauth_session=" TOK_A },
		    GHAUTH_OK, "octocat", "a tab before the session cookie" },
	};

	if (!config(&cfg, LOCAL, "")) {
		printf("Bail out! no configuration\n");
		exit(1);
	}
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum ghauth_err	 rc;

		rc = ghauth_identify_env(&cfg, fake_getenv,
		    (void *)cases[i].env, &id);
		is_str(ghauthp_err_name(rc), ghauthp_err_name(cases[i].want),
		    "identify: %s", cases[i].what);
		if (cases[i].login != NULL)
			is_str(rc == GHAUTH_OK ? id.login : NULL,
			    cases[i].login, "identify: %s: the login",
			    cases[i].what);
		else
			ok(id.login == NULL && id.id == 0,
			    "identify: %s: identity left empty", cases[i].what);
		ghauth_identity_free(&id);
	}

	{
		const char *e[] = { "HTTP_COOKIE=ghauth_session=" TOK_A, NULL };

		ghauth_identify_env(&cfg, fake_getenv, e, &id);
		ok(id.id == 583231 && strcmp(id.email, "octo@example.org") ==
		    0 && strcmp(id.name, "Name 'quoted' <b>") == 0 &&
		    strcmp(id.avatar_url, "https://avatars.example/u/1") == 0 &&
		    id.expires > id.created, "identify: every field");
		ghauth_identity_free(&id);
	}

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "HTTP_COOKIE=a=", 14);
	{
		const char *e[] = { big, NULL };

		is_str(ghauthp_err_name(ghauth_identify_env(&cfg, fake_getenv,
		    e, &id)), "toolarge", "identify: a Cookie header over "
		    "8 KiB is 413, not a sign-in loop");
	}
	ghauth_config_free(&cfg);

	/* Idle timeout, allowlist, disabled, https cookie name. */
	{
		const char *idle[] = { "HTTP_COOKIE=ghauth_session=" TOK_IDLE,
		    NULL };
		const char *a[] = { "HTTP_COOKIE=ghauth_session=" TOK_A, NULL };
		const char *b[] = { "HTTP_COOKIE=ghauth_session=" TOK_B, NULL };
		const char *host[] = {
		    "HTTP_COOKIE=__Host-ghauth_session=" TOK_A, NULL };

		if (config(&cfg2, LOCAL, ", \"session_idle_ttl\": 600")) {
			is_str(ghauthp_err_name(ghauth_identify_env(&cfg2,
			    fake_getenv, idle, &id)), "session",
			    "identify: idle too long");
			is_str(ghauthp_err_name(ghauth_identify_env(&cfg2,
			    fake_getenv, a, &id)), "ok",
			    "identify: recently used, with an idle limit");
			ghauth_identity_free(&id);
			ghauth_config_free(&cfg2);
		}
		if (config(&cfg2, LOCAL ", \"restrict_to\": \"alice\"", "")) {
			is_str(ghauthp_err_name(ghauth_identify_env(&cfg2,
			    fake_getenv, a, &id)), "session",
			    "identify: a user no longer on the allowlist is "
			    "signed out at once");
			is_str(ghauthp_err_name(ghauth_identify_env(&cfg2,
			    fake_getenv, b, &id)), "ok",
			    "identify: a user on the allowlist");
			ghauth_identity_free(&id);
			ghauth_config_free(&cfg2);
		}
		if (config(&cfg2, LOCAL ", \"restrict_to\": "
		    "\"octocat TEAM:acme/infra\"", "")) {
			const char *t[] = { "HTTP_COOKIE=ghauth_session="
			    TOK_TEAM, NULL };

			is_str(ghauthp_err_name(ghauth_identify_env(&cfg2,
			    fake_getenv, t, &id)), "ok",
			    "identify: admitted by a team entry still listed");
			is_str(id.groups, "team:acme/infra",
			    "identify: groups, the entries still listed");
			ghauth_identity_free(&id);
			is_str(ghauthp_err_name(ghauth_identify_env(&cfg2,
			    fake_getenv, a, &id)), "ok",
			    "identify: admitted by login");
			ok(id.groups == NULL, "identify: no groups then");
			ghauth_identity_free(&id);
			ghauth_config_free(&cfg2);
		}
		if (config(&cfg2, LOCAL ", \"restrict_to\": \"octocat\"", "")) {
			const char *t[] = { "HTTP_COOKIE=ghauth_session="
			    TOK_TEAM, NULL };

			is_str(ghauthp_err_name(ghauth_identify_env(&cfg2,
			    fake_getenv, t, &id)), "session",
			    "identify: the team entry removed: signed out");
			ghauth_config_free(&cfg2);
		}
		if (config(&cfg2, LOCAL ", \"restrict_to\": [\"583231\"]",
		    "")) {
			is_str(ghauthp_err_name(ghauth_identify_env(&cfg2,
			    fake_getenv, a, &id)), "ok",
			    "identify: allowlisted by numeric id");
			ghauth_identity_free(&id);
			ghauth_config_free(&cfg2);
		}
		if (config(&cfg2, LOCAL, ", \"enabled\": false")) {
			is_str(ghauthp_err_name(ghauth_identify_env(&cfg2,
			    fake_getenv, a, &id)), "disabled",
			    "identify: sign-in disabled means nobody is "
			    "signed in (never open)");
			ghauth_config_free(&cfg2);
		}
		if (config(&cfg2, SECURE, "")) {
			is_str(ghauthp_err_name(ghauth_identify_env(&cfg2,
			    fake_getenv, host, &id)), "ok",
			    "identify: __Host-ghauth_session on https");
			ghauth_identity_free(&id);
			is_str(ghauthp_err_name(ghauth_identify_env(&cfg2,
			    fake_getenv, a, &id)), "session",
			    "identify: the plain cookie name is not taken on "
			    "https");
			ghauth_config_free(&cfg2);
		}
	}
}

static void
test_store_errors(const char *dir)
{
	struct ghauth_config	 cfg;
	struct ghauth_identity	 id;
	const char *a[] = { "HTTP_COOKIE=ghauth_session=" TOK_A, NULL };
	char			 saved[sizeof(store)];

	snprintf(saved, sizeof(saved), "%s", store);
	if (chmod(store, 0644) == 0 && config(&cfg, LOCAL, "")) {
		is_str(ghauthp_err_name(ghauth_identify_env(&cfg, fake_getenv,
		    a, &id)), "store", "identify: a store readable by others "
		    "is refused (503), not used");
		ghauth_config_free(&cfg);
	}
	chmod(store, 0600);
	snprintf(store, sizeof(store), "%s/missing.db", dir);
	if (config(&cfg, LOCAL, "")) {
		is_str(ghauthp_err_name(ghauth_identify_env(&cfg, fake_getenv,
		    a, &id)), "session", "identify: no store yet: nobody is "
		    "signed in");
		ghauth_config_free(&cfg);
	}
	snprintf(store, sizeof(store), "%s/nodir/s.db", dir);
	if (config(&cfg, LOCAL, "")) {
		is_str(ghauthp_err_name(ghauth_identify_env(&cfg, fake_getenv,
		    a, &id)), "store", "identify: an unusable store "
		    "directory is 503");
		ghauth_config_free(&cfg);
	}
	snprintf(store, sizeof(store), "%s", saved);
}

/* ghauth_identify(): the process environment, left as it was. */
static void
test_process(const char *dir)
{
	struct ghauth_identity	 id;
	char			 conf[PATH_MAX + 64];
	FILE			*f;
	mode_t			 um;

	snprintf(conf, sizeof(conf), "%s/ghauth.json", dir);
	if ((f = fopen(conf, "w")) == NULL) {
		printf("Bail out! cannot write %s\n", conf);
		exit(1);
	}
	fprintf(f, "{\"auth\": {\"store\": \"%s\", \"github\": {"
	    "\"redirect_uri\": \"http://localhost:8080/auth/github/callback\""
	    "}}}\n", store);
	fclose(f);

	setenv("GHAUTH_CONFIG", conf, 1);
	setenv("HTTP_COOKIE", "ghauth_session=" TOK_A, 1);
	setenv("PROTECT_TEST_MARKER", "kept", 1);
	um = umask(022);
	umask(um);
	is_str(ghauthp_err_name(ghauth_identify(&id)), "ok",
	    "ghauth_identify: signed in from the process environment");
	is_str(id.login, "octocat", "ghauth_identify: the login");
	ghauth_identity_free(&id);
	ok(getenv("HTTP_COOKIE") != NULL && getenv("GHAUTH_CONFIG") != NULL &&
	    getenv("PROTECT_TEST_MARKER") != NULL,
	    "ghauth_identify: the caller's environment is not cleared");
	ok(umask(um) == um, "ghauth_identify: the umask is not changed");

	unsetenv("GHAUTH_CONFIG");
	setenv("REDIRECT_GHAUTH_CONFIG", conf, 1);
	is_str(ghauthp_err_name(ghauth_identify(&id)), "ok",
	    "ghauth_identify: REDIRECT_GHAUTH_CONFIG after an Apache "
	    "internal redirect");
	ghauth_identity_free(&id);
	unsetenv("REDIRECT_GHAUTH_CONFIG");

	setenv("GHAUTH_CONFIG", "/nonexistent/ghauth.json", 1);
	is_str(ghauthp_err_name(ghauth_identify(&id)), "config",
	    "ghauth_identify: a configuration that does not load");
	ok(id.login == NULL, "ghauth_identify: no identity on error");

	unsetenv("HTTP_COOKIE");
	setenv("GHAUTH_CONFIG", conf, 1);
	is_str(ghauthp_err_name(ghauth_identify(&id)), "session",
	    "ghauth_identify: no cookie");
	unsetenv("GHAUTH_CONFIG");

	setenv("REDIRECT_HTTP_COOKIE", "ghauth_session=" TOK_A, 1);
	ok(ghauth_getenv_cgi(NULL, "HTTP_COOKIE") == NULL,
	    "getenv_cgi: no REDIRECT_ fallback for request headers");
	setenv("REDIRECT_GITHUB_USERS", "alice", 1);
	is_str(ghauth_getenv_cgi(NULL, "GITHUB_USERS"), "alice",
	    "getenv_cgi: REDIRECT_GITHUB_USERS");
	setenv("GITHUB_USERS", "bob", 1);
	is_str(ghauth_getenv_cgi(NULL, "GITHUB_USERS"), "bob",
	    "getenv_cgi: the plain name wins");
	ok(ghauth_getenv_cgi(NULL, "GHAUTH_NOT_SET_ANYWHERE") == NULL,
	    "getenv_cgi: unset stays unset");
	unsetenv("REDIRECT_HTTP_COOKIE");
	unsetenv("REDIRECT_GITHUB_USERS");
	unsetenv("GITHUB_USERS");
}

static char *
serialized(const struct ghauth_response *r)
{
	size_t	 len;

	return ghauth_response_serialize(r, &len);
}

static void
deny_case(const struct ghauth_config *cfg, const char **env,
    enum ghauth_err e, int status, const char *pattern, const char *what)
{
	struct ghauth_response	 r;
	char			*out;

	ghauth_response_init(&r);
	ghauth_deny_response(cfg, fake_getenv, env, e, &r);
	out = serialized(&r);
	is_int(r.status, status, "deny: %s: status", what);
	if (!ok(out != NULL && strstr(out, pattern) != NULL,
	    "deny: %s: %s", what, tap_quote(pattern, strlen(pattern))))
		diag("%s", out != NULL ? tap_quote(out, strlen(out)) : "NULL");
	ok(out != NULL && strstr(out, "Cache-Control: no-store\r\n") != NULL,
	    "deny: %s: never cached", what);
	free(out);
	ghauth_response_free(&r);
}

static void
test_deny(void)
{
	struct ghauth_config	 cfg, nouri;
	const char *browser[] = { "REQUEST_METHOD=GET",
	    "HTTP_ACCEPT=text/html,application/xhtml+xml,*/*;q=0.8",
	    "REQUEST_URI=/private/page.html?a=1&b=%20", NULL };
	const char *head[] = { "REQUEST_METHOD=HEAD", "HTTP_ACCEPT=text/html",
	    "REQUEST_URI=/private/", NULL };
	const char *post[] = { "REQUEST_METHOD=POST", "HTTP_ACCEPT=text/html",
	    "REQUEST_URI=/private/form.cgi", NULL };
	const char *api[] = { "REQUEST_METHOD=GET",
	    "HTTP_ACCEPT=application/json", "REQUEST_URI=/private/x", NULL };
	const char *any[] = { "REQUEST_METHOD=GET", "HTTP_ACCEPT=*/*",
	    "REQUEST_URI=/private/x", NULL };
	const char *quote[] = { "REQUEST_METHOD=GET", "HTTP_ACCEPT=text/html",
	    "REQUEST_URI=/private/a.html?q='x'", NULL };
	const char *evil[] = { "REQUEST_METHOD=GET", "HTTP_ACCEPT=text/html",
	    "REQUEST_URI=//evil.example/x", NULL };
	const char *none[] = { "REQUEST_METHOD=GET", "HTTP_ACCEPT=text/html",
	    NULL };
	const char *html503[] = { "REQUEST_METHOD=GET",
	    "HTTP_ACCEPT=text/html", NULL };

	if (!config(&cfg, LOCAL, "") || !config(&nouri, "", "")) {
		printf("Bail out! no configuration\n");
		exit(1);
	}
	deny_case(&cfg, browser, GHAUTH_E_SESSION, 303,
	    "Location: http://localhost:8080/auth/github?redirect="
	    "%2Fprivate%2Fpage.html%3Fa%3D1%26b%3D%2520\r\n",
	    "a browser goes to sign-in and comes back to the page");
	deny_case(&cfg, head, GHAUTH_E_SESSION, 303,
	    "Location: http://localhost:8080/auth/github?redirect=%2Fprivate"
	    "%2F\r\n", "HEAD from a browser too");
	deny_case(&cfg, post, GHAUTH_E_SESSION, 401,
	    "{\"error\":\"Invalid or expired session\",\"responseStatus\":"
	    "{\"errorCode\":\"Unauthorized\",\"message\":"
	    "\"Invalid or expired session\"}}",
	    "a POST gets 401, not a redirect");
	deny_case(&cfg, api, GHAUTH_E_SESSION, 401,
	    "Content-Type: application/json",
	    "an API client gets 401 JSON");
	deny_case(&cfg, any, GHAUTH_E_SESSION, 401,
	    "{\"error\":\"Invalid or expired session\",\"responseStatus\":"
	    "{\"errorCode\":\"Unauthorized\",\"message\":"
	    "\"Invalid or expired session\"}}",
	    "Accept: */* is not a browser");
	deny_case(&cfg, quote, GHAUTH_E_SESSION, 303,
	    "redirect=%2Fprivate%2Fa.html\r\n",
	    "a query /auth/github would refuse is dropped, the path kept");
	deny_case(&cfg, evil, GHAUTH_E_SESSION, 303,
	    "Location: http://localhost:8080/auth/github\r\n",
	    "//evil.example is no return path");
	deny_case(&cfg, none, GHAUTH_E_SESSION, 303,
	    "Location: http://localhost:8080/auth/github\r\n",
	    "no REQUEST_URI: sign-in lands on /");
	deny_case(&nouri, browser, GHAUTH_E_SESSION, 401,
	    "{\"error\":\"Invalid or expired session\",\"responseStatus\":"
	    "{\"errorCode\":\"Unauthorized\",\"message\":"
	    "\"Invalid or expired session\"}}",
	    "no redirect_uri configured: 401 even for a browser");
	deny_case(&cfg, api, GHAUTH_E_BUSY, 503, "Retry-After: 1\r\n",
	    "a busy store is 503 with Retry-After");
	deny_case(&cfg, html503, GHAUTH_E_STORE, 503, "<!DOCTYPE html>",
	    "server trouble for a browser is an HTML page");
	deny_case(NULL, api, GHAUTH_E_SESSION, 500,
	    "Server configuration error",
	    "no configuration: 500 whatever the error");
	deny_case(&cfg, api, GHAUTH_OK, 401, "Invalid or expired session",
	    "GHAUTH_OK passed by mistake still refuses");
	ghauth_config_free(&cfg);
	ghauth_config_free(&nouri);
}

int
main(void)
{
	const char	*dir = tmpdir_create("ghauth-identify");

	plan(101);
	ghauthp_log_init("test-identify");
	snprintf(store, sizeof(store), "%s/s.db", dir);
	if (!seed(TOK_A, 583231, "octocat", "octo@example.org", 3600, 0) ||
	    !seed(TOK_B, 1001, "alice", NULL, 3600, 0) ||
	    !seed(TOK_OLD, 1002, "old", NULL, -10, 0) ||
	    !seed(TOK_IDLE, 1003, "idle", NULL, 3600, 900) ||
	    !(seed_groups = "org:acme,team:acme/infra") ||
	    !seed(TOK_TEAM, 1004, "carol", NULL, 3600, 0)) {
		printf("Bail out! cannot seed the store\n");
		return 1;
	}
	test_rules();
	test_store_errors(dir);
	test_process(dir);
	test_deny();
	tmpdir_remove();
	return done_testing();
}
