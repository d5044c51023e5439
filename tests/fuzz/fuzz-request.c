/*
 * fuzz-request.c - ghauthp_request_read() with a getenv over a fuzzed
 * environment block (fuzz.h), then what the endpoints do next with it: the
 * content negotiation and the query parse.  Invariants: every copied
 * variable is within its cap and free of control bytes (tabs allowed in
 * header values).
 */
#include "config.h"

#include "ghauth-int.h"
#include "fuzz.h"

static const struct ghauthp_qkey keys[] = {
	{ "state", ghauthp_valid_token },
	{ "code", ghauthp_valid_code },
	{ "error", ghauthp_valid_error },
	{ "redirect", ghauthp_valid_redirect },
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
	struct ghauthp_request	 r;
	struct ghauthp_qval	 vals[NKEYS];
	char			 cookie[GHAUTHP_TOKEN_LEN + 2];

	if (!fuzz_env_init(&env, data, size, NULL))
		return 0;
	if (ghauthp_request_read(&r, fuzz_getenv, &env) == GHAUTH_OK) {
		clean(r.query, GHAUTHP_QUERY_MAX, 0);
		clean(r.cookie, GHAUTHP_COOKIE_MAX, 1);
		clean(r.accept, GHAUTHP_HEADER_MAX, 1);
		clean(r.origin, GHAUTHP_HEADER_MAX, 1);
		clean(r.sec_fetch_site, GHAUTHP_HEADER_MAX, 1);
		clean(r.session_token, GHAUTHP_HEADER_MAX, 1);
		FUZZ_CHECK(r.content_length >= -1);
		FUZZ_CHECK(r.session_token_present == (r.session_token != NULL));
		(void)ghauthp_request_wants_json(&r);
		if (ghauthp_query_parse(r.query, keys, NKEYS, vals) == GHAUTH_OK)
			ghauthp_query_free(vals, NKEYS);
		(void)ghauthp_cookie_get(r.cookie, "__Host-ghauth_session",
		    cookie, sizeof(cookie));
	}
	ghauthp_request_free(&r);
	fuzz_env_free(&env);
	return 0;
}
