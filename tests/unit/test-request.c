/*
 * test-request.c - ghauthp_request_read over table-driven environments
 * (RFC 3875 meta-variables): method, PATH_INFO, HTTPS, CONTENT_LENGTH, the
 * length cap of every copied variable exactly at and one past its bound,
 * control bytes in each (a tab only in headers); plus
 * ghauthp_request_wants_json.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ghauth-int.h"
#include "tap.h"
#include "unit.h"

static void
test_method(void)
{
	static const struct {
		const char		*env;
		enum ghauthp_method	 m;
	} t[] = {
		{ "REQUEST_METHOD=GET", GHAUTHP_METHOD_GET },
		{ "REQUEST_METHOD=HEAD", GHAUTHP_METHOD_HEAD },
		{ "REQUEST_METHOD=POST", GHAUTHP_METHOD_POST },
		{ "REQUEST_METHOD=get", GHAUTHP_METHOD_OTHER },
		{ "REQUEST_METHOD=Post", GHAUTHP_METHOD_OTHER },
		{ "REQUEST_METHOD=PUT", GHAUTHP_METHOD_OTHER },
		{ "REQUEST_METHOD=DELETE", GHAUTHP_METHOD_OTHER },
		{ "REQUEST_METHOD=OPTIONS", GHAUTHP_METHOD_OTHER },
		{ "REQUEST_METHOD=GET ", GHAUTHP_METHOD_OTHER },
		{ "REQUEST_METHOD= GET", GHAUTHP_METHOD_OTHER },
		{ "REQUEST_METHOD=GETX", GHAUTHP_METHOD_OTHER },
		{ "REQUEST_METHOD=GET\r\n", GHAUTHP_METHOD_OTHER },
		{ "REQUEST_METHOD=G\x01T", GHAUTHP_METHOD_OTHER },
		{ "REQUEST_METHOD=", GHAUTHP_METHOD_NONE },
		{ "UNRELATED=1", GHAUTHP_METHOD_NONE },
	};
	struct ghauthp_request	 r;
	const char		*env[2];
	size_t			 i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		env[0] = t[i].env;
		env[1] = NULL;
		is_int(ghauthp_request_read(&r, fake_getenv, env), GHAUTH_OK,
		    "%s: read", tap_quote(t[i].env, strlen(t[i].env)));
		is_int(r.method, t[i].m, "%s: method %d",
		    tap_quote(t[i].env, strlen(t[i].env)), t[i].m);
		ghauthp_request_free(&r);
	}
}

static void
test_flags(void)
{
	static const struct {
		const char	*env;
		int		 https, path_info;
	} t[] = {
		{ "HTTPS=on", 1, 0 },
		{ "HTTPS=1", 1, 0 },
		{ "HTTPS=off", 0, 0 },
		{ "HTTPS=0", 0, 0 },
		{ "HTTPS=ON", 0, 0 },
		{ "HTTPS=", 0, 0 },
		{ "HTTPS=yes", 0, 0 },
		{ "PATH_INFO=/x", 0, 1 },
		{ "PATH_INFO=/", 0, 1 },
		{ "PATH_INFO=", 0, 0 },
		{ "SCRIPT_NAME=/auth/github", 0, 0 },
	};
	struct ghauthp_request	 r;
	const char		*env[3];
	size_t			 i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		env[0] = "REQUEST_METHOD=GET";
		env[1] = t[i].env;
		env[2] = NULL;
		ghauthp_request_read(&r, fake_getenv, env);
		ok(r.https == t[i].https && r.path_info == t[i].path_info,
		    "%s: https=%d path_info=%d", t[i].env, t[i].https,
		    t[i].path_info);
		ghauthp_request_free(&r);
	}
}

static void
test_content_length(void)
{
	static const struct {
		const char	*env;
		enum ghauth_err	 rc;
		long long	 len;
	} t[] = {
		{ NULL, GHAUTH_OK, -1 },
		{ "CONTENT_LENGTH=", GHAUTH_OK, -1 },
		{ "CONTENT_LENGTH=0", GHAUTH_OK, 0 },
		{ "CONTENT_LENGTH=123", GHAUTH_OK, 123 },
		{ "CONTENT_LENGTH=0001", GHAUTH_OK, 1 },
		{ "CONTENT_LENGTH=999999999999999999", GHAUTH_OK,
		    999999999999999999LL },
		{ "CONTENT_LENGTH=1000000000000000000", GHAUTH_E_BADREQ, -1 },
		{ "CONTENT_LENGTH=9223372036854775807", GHAUTH_E_BADREQ, -1 },
		{ "CONTENT_LENGTH=99999999999999999999", GHAUTH_E_BADREQ, -1 },
		{ "CONTENT_LENGTH=-1", GHAUTH_E_BADREQ, -1 },
		{ "CONTENT_LENGTH=+1", GHAUTH_E_BADREQ, -1 },
		{ "CONTENT_LENGTH=1e3", GHAUTH_E_BADREQ, -1 },
		{ "CONTENT_LENGTH=12a", GHAUTH_E_BADREQ, -1 },
		{ "CONTENT_LENGTH=0x10", GHAUTH_E_BADREQ, -1 },
		{ "CONTENT_LENGTH= 12", GHAUTH_E_BADREQ, -1 },
		{ "CONTENT_LENGTH=12 ", GHAUTH_E_BADREQ, -1 },
		{ "CONTENT_LENGTH=1.5", GHAUTH_E_BADREQ, -1 },
		{ "CONTENT_LENGTH=12\r\n", GHAUTH_E_BADREQ, -1 },
		{ "CONTENT_LENGTH=\x7f", GHAUTH_E_BADREQ, -1 },
	};
	struct ghauthp_request	 r;
	const char		*env[3], *desc;
	enum ghauth_err		 rc;
	size_t			 i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		env[0] = "REQUEST_METHOD=POST";
		env[1] = t[i].env;
		env[2] = NULL;
		rc = ghauthp_request_read(&r, fake_getenv, env);
		desc = t[i].env ? tap_quote(t[i].env, strlen(t[i].env)) :
		    "no CONTENT_LENGTH";
		if (t[i].rc == GHAUTH_OK)
			ok(rc == GHAUTH_OK && r.content_length == t[i].len,
			    "%s -> %lld", desc, t[i].len);
		else
			is_int(rc, t[i].rc, "%s -> %s", desc,
			    ghauthp_err_name(t[i].rc));
		is_int(r.method, GHAUTHP_METHOD_POST, "%s: method still set",
		    desc);
		ghauthp_request_free(&r);
	}
}

/* The variables copied with a cap, and where each lands. */
static const struct {
	const char	*name;
	size_t		 max;
} capped[] = {
	{ "QUERY_STRING", GHAUTHP_QUERY_MAX },
	{ "HTTP_COOKIE", GHAUTHP_COOKIE_MAX },
	{ "HTTP_ACCEPT", GHAUTHP_HEADER_MAX },
	{ "HTTP_ORIGIN", GHAUTHP_HEADER_MAX },
	{ "HTTP_SEC_FETCH_SITE", GHAUTHP_HEADER_MAX },
	{ "HTTP_X_SESSION_TOKEN", GHAUTHP_HEADER_MAX },
};

static const char *
field(const struct ghauthp_request *r, size_t i)
{
	switch (i) {
	case 0: return r->query;
	case 1: return r->cookie;
	case 2: return r->accept;
	case 3: return r->origin;
	case 4: return r->sec_fetch_site;
	default: return r->session_token;
	}
}

static void
test_caps(void)
{
	struct ghauthp_request	 r;
	const char		*env[4];
	char			*var;
	size_t			 i, n, nlen;
	enum ghauth_err		 rc;

	for (i = 0; i < sizeof(capped) / sizeof(capped[0]); i++) {
		nlen = strlen(capped[i].name);
		if ((var = malloc(nlen + 1 + capped[i].max + 2)) == NULL) {
			printf("Bail out! out of memory\n");
			exit(1);
		}
		for (n = capped[i].max; n <= capped[i].max + 1; n++) {
			memcpy(var, capped[i].name, nlen);
			var[nlen] = '=';
			memset(var + nlen + 1, 'a', n);
			var[nlen + 1 + n] = '\0';
			env[0] = "REQUEST_METHOD=GET";
			env[1] = var;
			env[2] = NULL;
			rc = ghauthp_request_read(&r, fake_getenv, env);
			if (n == capped[i].max)
				ok(rc == GHAUTH_OK && field(&r, i) != NULL &&
				    strlen(field(&r, i)) == n,
				    "%s of %zu bytes accepted", capped[i].name,
				    n);
			else if (strcmp(capped[i].name,
			    "HTTP_X_SESSION_TOKEN") == 0)
				/* No token is that long: an unknown one. */
				ok(rc == GHAUTH_OK && r.session_token_present &&
				    r.session_token != NULL &&
				    r.session_token[0] == '\0',
				    "%s of %zu bytes -> an empty (unknown) "
				    "token", capped[i].name, n);
			else
				is_int(rc, GHAUTH_E_TOOLARGE,
				    "%s of %zu bytes -> toolarge",
				    capped[i].name, n);
			is_int(r.method, GHAUTHP_METHOD_GET,
			    "%s of %zu bytes: method still set",
			    capped[i].name, n);
			ghauthp_request_free(&r);
		}
		free(var);
	}
}

static void
test_ctl(void)
{
	static const char *const bytes[] = { "\r", "\n", "\x01", "\x7f",
	    "\x1b", "\x1f", "\v" };
	struct ghauthp_request	 r;
	const char		*env[4];
	char			 var[128];
	size_t			 i, b;

	for (i = 0; i < sizeof(capped) / sizeof(capped[0]); i++)
		for (b = 0; b < sizeof(bytes) / sizeof(bytes[0]); b++) {
			snprintf(var, sizeof(var), "%s=ab%scd", capped[i].name,
			    bytes[b]);
			env[0] = "REQUEST_METHOD=GET";
			/* A good variable first, to check it is freed too. */
			env[1] = "HTTP_COOKIE=a=1";
			env[2] = var;
			env[3] = NULL;
			if (strcmp(capped[i].name, "HTTP_COOKIE") == 0)
				env[1] = "QUERY_STRING=a=1";
			is_int(ghauthp_request_read(&r, fake_getenv, env),
			    GHAUTH_E_BADREQ, "%s with %s -> badreq",
			    capped[i].name, tap_quote(bytes[b], 1));
			ghauthp_request_free(&r);
		}
	/* A tab is whitespace in a header (RFC 9110 5.5), not in the query. */
	for (i = 0; i < sizeof(capped) / sizeof(capped[0]); i++) {
		snprintf(var, sizeof(var), "%s=a\tb", capped[i].name);
		env[0] = var;
		env[1] = NULL;
		if (strncmp(capped[i].name, "HTTP_", 5) == 0)
			ok(ghauthp_request_read(&r, fake_getenv, env) ==
			    GHAUTH_OK && strcmp(field(&r, i), "a\tb") == 0,
			    "%s with a tab: kept", capped[i].name);
		else
			is_int(ghauthp_request_read(&r, fake_getenv, env),
			    GHAUTH_E_BADREQ, "%s with a tab -> badreq",
			    capped[i].name);
		ghauthp_request_free(&r);
	}
	/* High bytes are not control bytes (UTF-8 in a header is legal). */
	env[0] = "HTTP_ORIGIN=https://b\xc3\xbc" "cher.example";
	env[1] = NULL;
	is_int(ghauthp_request_read(&r, fake_getenv, env), GHAUTH_OK,
	    "UTF-8 bytes are not control bytes");
	ghauthp_request_free(&r);
}

static void
test_values(void)
{
	static const char *env[] = {
		"REQUEST_METHOD=POST",
		"QUERY_STRING=code=1&state=2",
		"HTTP_COOKIE=ghauth_session=abc",
		"HTTP_ACCEPT=application/json",
		"HTTP_ORIGIN=https://app.example",
		"HTTP_SEC_FETCH_SITE=same-origin",
		"HTTP_X_SESSION_TOKEN=tok",
		"CONTENT_LENGTH=0",
		"HTTPS=on",
		NULL
	};
	static const char *empty_token[] = {
		"REQUEST_METHOD=GET", "HTTP_X_SESSION_TOKEN=", NULL
	};
	struct ghauthp_request	 r;

	is_int(ghauthp_request_read(&r, fake_getenv, env), GHAUTH_OK,
	    "full request read");
	is_str(r.query, "code=1&state=2", "query copied");
	is_str(r.cookie, "ghauth_session=abc", "cookie copied");
	is_str(r.accept, "application/json", "accept copied");
	is_str(r.origin, "https://app.example", "origin copied");
	is_str(r.sec_fetch_site, "same-origin", "sec-fetch-site copied");
	is_str(r.session_token, "tok", "session token copied");
	ok(r.session_token_present, "session token present");
	ok(r.https && r.content_length == 0, "https and content length");
	ghauthp_request_free(&r);
	ok(r.query == NULL && r.cookie == NULL && r.session_token == NULL,
	    "request_free clears the struct");

	ghauthp_request_read(&r, fake_getenv, NULL);
	ok(r.method == GHAUTHP_METHOD_NONE && r.query == NULL &&
	    r.cookie == NULL && !r.session_token_present &&
	    r.content_length == -1 && !r.https && !r.path_info,
	    "empty environment: nothing set");
	ghauthp_request_free(&r);

	ghauthp_request_read(&r, fake_getenv, empty_token);
	ok(r.session_token_present && r.session_token != NULL &&
	    r.session_token[0] == '\0', "empty X-Session-Token is present");
	ghauthp_request_free(&r);
}

static void
test_wants_json(void)
{
	static const struct {
		const char	*accept;
		int		 json;
	} t[] = {
		{ NULL, 0 },
		{ "", 0 },
		{ "*/*", 0 },
		{ "text/html", 0 },
		{ "application/json", 1 },
		{ "application/json, text/plain, */*", 1 },
		{ "application/json;q=0.9", 1 },
		{ "text/html,application/json", 0 },
		{ "application/json, text/html", 0 },
		{ "text/html,application/xhtml+xml,application/xml;q=0.9,"
		  "*/*;q=0.8", 0 },
		{ "application/xml", 0 },
	};
	struct ghauthp_request	 r;
	size_t			 i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		memset(&r, 0, sizeof(r));
		r.accept = (char *)(uintptr_t)t[i].accept;
		is_int(ghauthp_request_wants_json(&r), t[i].json,
		    "Accept: %s -> %s", t[i].accept ? t[i].accept : "(none)",
		    t[i].json ? "JSON" : "HTML");
	}
}

int
main(void)
{
	plan(175);
	test_method();
	test_flags();
	test_content_length();
	test_caps();
	test_ctl();
	test_values();
	test_wants_json();
	return done_testing();
}
