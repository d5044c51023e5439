/*
 * fuzz-config.c - the configuration loader.  The input is a JSON document,
 * then optionally a NUL byte and an environment block (fuzz.h) that the
 * "$NAME" expansion reads.  Both ways of configuring are run:
 * ghauthp_config_parse() on the document, and ghauth_config_load() in
 * environment mode (GHAUTH_CONFIG is never found and the fuzz build's
 * GHAUTH_SYSCONFDIR does not exist, so no file is opened).
 * Invariants of a loaded configuration: the store is an absolute path,
 * the URLs are https (the authorize URL may be loopback http), the error
 * text is a terminated line, and the client secret never appears in it.
 */
#include "config.h"

#include "ghauth-int.h"
#include "fuzz.h"

static const char *const deny[] = { "GHAUTH_CONFIG", NULL };

static void
check(const struct ghauth_config *c)
{
	/* A GDBM path or a Redis URL (store/redis.c checked its parts). */
	FUZZ_CHECK(c->store != NULL && (c->store[0] == '/' ||
	    strncmp(c->store, "redis://", 8) == 0 ||
	    strncmp(c->store, "unix://", 7) == 0));
	FUZZ_CHECK(c->store_prefix != NULL &&
	    c->store_timeout_ms >= 10 && c->store_timeout_ms <= 30000);
	FUZZ_CHECK(c->oauth_url != NULL &&
	    strncmp(c->oauth_url, "https://", 8) == 0);
	FUZZ_CHECK(c->api_url != NULL &&
	    strncmp(c->api_url, "https://", 8) == 0);
	FUZZ_CHECK(c->authorize_url != NULL);
	FUZZ_CHECK(c->session_ttl >= 1 && c->lock_timeout_ms >= 1);
	FUZZ_CHECK(c->allow.n <= GHAUTHP_ALLOW_MAX);
	(void)ghauthp_allow_match(&c->allow, 583231, "octocat");
	(void)ghauthp_allow_match(&c->allow, 0, "");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ghauth_config	 c;
	struct fuzz_env		 env;
	const uint8_t		*nul;
	size_t			 jlen;
	char			 err[512];

	nul = memchr(data, '\0', size);
	jlen = nul != NULL ? (size_t)(nul - data) : size;
	if (!fuzz_env_init(&env, nul != NULL ? nul + 1 : data, nul != NULL ?
	    size - jlen - 1 : 0, deny))
		return 0;
	err[0] = '\0';
	if (ghauthp_config_parse(&c, (const char *)data, jlen, fuzz_getenv,
	    &env, err, sizeof(err)) == GHAUTH_OK) {
		check(&c);
		ghauth_config_free(&c);
	} else
		FUZZ_CHECK(memchr(err, '\0', sizeof(err)) != NULL);
	err[0] = '\0';
	if (ghauth_config_load(&c, fuzz_getenv, &env, err, sizeof(err)) ==
	    GHAUTH_OK) {
		check(&c);
		ghauth_config_free(&c);
	}
	fuzz_env_free(&env);
	return 0;
}
