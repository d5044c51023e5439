/*
 * fuzz-request.c - ghauth_request_read() with a getenv over a fuzzed
 * environment block (fuzz.h), then what the endpoints do next with it: the
 * content negotiation and the query parse.  Invariants: every copied
 * variable is within its cap and free of control bytes (tabs allowed in
 * header values).
 */
#include "config.h"

#include "ghauth.h"
#include "fuzz.h"

static const struct ghauth_qkey keys[] = {
	{ "state", ghauth_valid_token },
	{ "code", ghauth_valid_code },
	{ "error", ghauth_valid_error },
	{ "redirect", ghauth_valid_redirect },
};
#define NKEYS	(sizeof(keys) / sizeof(keys[0]))

/* Header values may hold tabs (RFC 9110 5.5 OWS); nothing else below 0x20. */
static void
clean(const char *s, size_t max, int tab_ok)
{
	size_t	 i, n;

	if (s == NULL)
		return;
	n = strlen(s);
	FUZZ_CHECK(n <= max);
	for (i = 0; i < n; i++)
		FUZZ_CHECK(((unsigned char)s[i] >= 0x20 ||
		    (tab_ok && s[i] == '\t')) && s[i] != 0x7f);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_env		 env;
	struct ghauth_request	 r;
	struct ghauth_qval	 vals[NKEYS];
	char			 cookie[GHAUTH_TOKEN_LEN + 2];

	if (!fuzz_env_init(&env, data, size, NULL))
		return 0;
	if (ghauth_request_read(&r, fuzz_getenv, &env) == GHAUTH_OK) {
		clean(r.query, GHAUTH_QUERY_MAX, 0);
		clean(r.cookie, GHAUTH_COOKIE_MAX, 1);
		clean(r.accept, GHAUTH_HEADER_MAX, 1);
		clean(r.origin, GHAUTH_HEADER_MAX, 1);
		clean(r.sec_fetch_site, GHAUTH_HEADER_MAX, 1);
		clean(r.session_token, GHAUTH_HEADER_MAX, 1);
		FUZZ_CHECK(r.content_length >= -1);
		FUZZ_CHECK(r.session_token_present == (r.session_token != NULL));
		(void)ghauth_request_wants_json(&r);
		if (ghauth_query_parse(r.query, keys, NKEYS, vals) == GHAUTH_OK)
			ghauth_query_free(vals, NKEYS);
		(void)ghauth_cookie_get(r.cookie, "__Host-ghauth_session",
		    cookie, sizeof(cookie));
	}
	ghauth_request_free(&r);
	fuzz_env_free(&env);
	return 0;
}
