/*
 * test-config.c - the configuration: documents given as strings with a
 * fake environment (ghauthp_config_parse), files (ghauthp_config_load_file)
 * and the environment-only mode (ghauth_config_load without
 * GHAUTH_CONFIG).  Defaults, "$VAR" / "${VAR}" expansion and what is
 * taken literally, numbers and their ranges, types, duplicate keys, URL
 * rules (https, loopback-only http, origin), paths, restrict_to; and the
 * error line: always filled, never holding the client secret.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ghauth-int.h"
#include "tap.h"
#include "unit.h"

#define SECRET	"S3CR3T-value-XYZ"

static const char *env[] = {
	"GH_ID=id-from-env",
	"GH_SECRET=" SECRET,
	"EMPTY=",
	"X=ex",
	"_U1=underscore",
	"TTL=7200",
	"BAD=abc",
	"NEG=-5",
	"EN_FALSE=false",
	"EN_ONE=1",
	"USERS=octocat mythz",
	"STORE=/srv/ghauth/sessions.db",
	"REDIR=https://app.example/auth/github/callback",
	"CTL=a\nb",
	NULL
};

static char	 err[512];

static enum ghauth_err
parse(const char *doc, struct ghauth_config *c)
{
	err[0] = '\0';
	return ghauthp_config_parse(c, doc, strlen(doc), fake_getenv, env, err,
	    sizeof(err));
}

static void
test_defaults(void)
{
	static const char *const docs[] = {
		"{\"auth\": {}}",
		"{\"auth\": {\"github\": {}}}",
		"{\"auth\": {\"github\": {\"client_id\": null}, \"store\": null}}",
	};
	struct ghauth_config	 c;
	size_t			 i;

	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		if (!is_int(parse(docs[i], &c), GHAUTH_OK, "defaults: %s",
		    docs[i])) {
			diag("err: %s", err);
			continue;
		}
		ok(c.enabled == 1, "default enabled");
		ok(c.session_ttl == 86400 && c.state_ttl == 600 &&
		    c.session_idle_ttl == 0, "default ttls 86400/600/0");
		ok(c.handoff_ttl == 60 && c.lock_timeout_ms == 2000 &&
		    c.github_timeout == 8, "default hand-off 60, lock 2000 ms, "
		    "GitHub timeout 8 s");
		is_str(c.oauth_url, "https://github.com/login/oauth",
		    "default oauth_url");
		is_str(c.api_url, "https://api.github.com", "default api_url");
		is_str(c.store, GHAUTH_STOREDIR "/ghauth.db", "default store");
		ok(c.client_id == NULL && c.client_secret == NULL &&
		    c.redirect_uri == NULL && c.ca_file == NULL &&
		    c.origin == NULL && c.secure == 0,
		    "unset strings stay NULL, not secure");
		ok(c.allow.n == 0 && ghauthp_allow_match(&c.allow, 1, "anyone"),
		    "no allowlist: anyone");
		is_str(c.path, "", "path empty for a parsed document");
		ghauth_config_free(&c);
		ghauth_config_free(&c);
		ok(c.client_id == NULL && c.store == NULL && c.allow.n == 0,
		    "config_free twice is harmless");
	}
}

/* client_id as a probe for how strings are expanded. */
static void
test_expansion(void)
{
	static const struct {
		const char	*json;	/* the JSON string literal */
		const char	*want;
	} t[] = {
		{ "\"$GH_ID\"", "id-from-env" },
		{ "\"${GH_ID}\"", "id-from-env" },
		{ "\"$_U1\"", "underscore" },
		{ "\"${_U1}\"", "underscore" },
		{ "\"$UNSET\"", "" },
		{ "\"${UNSET}\"", "" },
		{ "\"$EMPTY\"", "" },
		{ "\"$gh_id\"", "" },
		{ "\"plain\"", "plain" },
		{ "\"\"", "" },
		/* Taken literally. */
		{ "\"$\"", "$" },
		{ "\"$1abc\"", "$1abc" },
		{ "\"${1abc}\"", "${1abc}" },
		{ "\"a$X\"", "a$X" },
		{ "\"${X\"", "${X" },
		{ "\"$X}\"", "$X}" },
		{ "\"${}\"", "${}" },
		{ "\"$$X\"", "$$X" },
		{ "\"${X}x\"", "${X}x" },
		{ "\"$X-Y\"", "$X-Y" },
		{ "\"$X.Y\"", "$X.Y" },
		{ "\" $X\"", " $X" },
		{ "\"$X \"", "$X " },
		{ "\"${ X}\"", "${ X}" },
		{ "\"{X}\"", "{X}" },
		{ "\"$X$X\"", "$X$X" },
		{ "\"\\u0024X\"", "ex" },
	};
	struct ghauth_config	 c;
	char			 doc[512];
	char			 name[200];
	size_t			 i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(doc, sizeof(doc),
		    "{\"auth\": {\"github\": {\"client_id\": %s}}}", t[i].json);
		if (is_int(parse(doc, &c), GHAUTH_OK, "client_id %s parses",
		    t[i].json))
			is_str(c.client_id, t[i].want, "client_id %s -> \"%s\"",
			    t[i].json, t[i].want);
		else
			diag("err: %s", err);
		ghauth_config_free(&c);
	}

	/* Variable names up to 128 characters are expanded. */
	memset(name, 'N', sizeof(name));
	snprintf(doc, sizeof(doc), "{\"auth\": {\"github\": {\"client_id\": "
	    "\"$%.128s\"}}}", name);
	parse(doc, &c);
	is_str(c.client_id, "", "$NAME of 128 chars expanded");
	ghauth_config_free(&c);
	snprintf(doc, sizeof(doc), "{\"auth\": {\"github\": {\"client_id\": "
	    "\"${%.128s}\"}}}", name);
	parse(doc, &c);
	is_str(c.client_id, "", "${NAME} of 128 chars expanded");
	ghauth_config_free(&c);
	snprintf(doc, sizeof(doc), "{\"auth\": {\"github\": {\"client_id\": "
	    "\"$%.129s\"}}}", name);
	parse(doc, &c);
	ok(c.client_id != NULL && strlen(c.client_id) == 130,
	    "$NAME of 129 chars taken literally");
	ghauth_config_free(&c);

	/* Every string key expands. */
	is_int(parse("{\"auth\": {\"store\": \"$STORE\", \"github\": {"
	    "\"client_id\": \"${GH_ID}\", \"client_secret\": \"$GH_SECRET\", "
	    "\"redirect_uri\": \"$REDIR\", \"restrict_to\": \"$USERS\"}}}",
	    &c), GHAUTH_OK, "all keys from the environment");
	is_str(c.client_id, "id-from-env", "client_id expanded");
	is_str(c.client_secret, SECRET, "client_secret expanded");
	is_str(c.redirect_uri, "https://app.example/auth/github/callback",
	    "redirect_uri expanded");
	is_str(c.store, "/srv/ghauth/sessions.db", "store expanded");
	is_int((long long)c.allow.n, 2, "restrict_to expanded");
	ghauth_config_free(&c);

	/* A control byte arriving through the environment is refused. */
	is_int(parse("{\"auth\": {\"github\": {\"client_id\": \"$CTL\"}}}",
	    &c), GHAUTH_E_CONFIG, "control byte via $CTL -> config error");
	ok(strstr(err, "client_id") != NULL, "err names client_id: %s", err);
}

static void
test_numbers(void)
{
	static const struct {
		const char	*where;	/* "auth" or "github" */
		const char	*key;
		const char	*json;
		enum ghauth_err	 rc;
		long		 want;
	} t[] = {
		{ "auth", "session_ttl", "3600", GHAUTH_OK, 3600 },
		{ "auth", "session_ttl", "\"3600\"", GHAUTH_OK, 3600 },
		{ "auth", "session_ttl", "\"$TTL\"", GHAUTH_OK, 7200 },
		{ "auth", "session_ttl", "\"${TTL}\"", GHAUTH_OK, 7200 },
		{ "auth", "session_ttl", "\"$UNSET\"", GHAUTH_OK, 86400 },
		{ "auth", "session_ttl", "\"\"", GHAUTH_OK, 86400 },
		{ "auth", "session_ttl", "null", GHAUTH_OK, 86400 },
		{ "auth", "session_ttl", "1", GHAUTH_OK, 1 },
		{ "auth", "session_ttl", "31536000", GHAUTH_OK, 31536000 },
		{ "auth", "session_ttl", "0", GHAUTH_E_CONFIG, 0 },
		{ "auth", "session_ttl", "-1", GHAUTH_E_CONFIG, 0 },
		{ "auth", "session_ttl", "31536001", GHAUTH_E_CONFIG, 0 },
		{ "auth", "session_ttl", "9223372036854775807", GHAUTH_E_CONFIG,
		    0 },
		{ "auth", "session_ttl", "\"0\"", GHAUTH_E_CONFIG, 0 },
		{ "auth", "session_ttl", "\"-1\"", GHAUTH_E_CONFIG, 0 },
		{ "auth", "session_ttl", "\"$NEG\"", GHAUTH_E_CONFIG, 0 },
		{ "auth", "session_ttl", "\"$BAD\"", GHAUTH_E_CONFIG, 0 },
		{ "auth", "session_ttl", "\"12x\"", GHAUTH_E_CONFIG, 0 },
		{ "auth", "session_ttl", "\" 12\"", GHAUTH_E_CONFIG, 0 },
		{ "auth", "session_ttl", "\"12 \"", GHAUTH_E_CONFIG, 0 },
		{ "auth", "session_ttl", "\"+12\"", GHAUTH_E_CONFIG, 0 },
		{ "auth", "session_ttl", "\"1e3\"", GHAUTH_E_CONFIG, 0 },
		{ "auth", "session_ttl", "\"0x10\"", GHAUTH_E_CONFIG, 0 },
		{ "auth", "session_ttl", "\"99999999999999999999\"",
		    GHAUTH_E_CONFIG, 0 },
		{ "auth", "session_ttl", "\"31536001\"", GHAUTH_E_CONFIG, 0 },
		{ "auth", "session_ttl", "1.5", GHAUTH_E_CONFIG, 0 },
		{ "auth", "session_ttl", "3600.0", GHAUTH_E_CONFIG, 0 },
		{ "auth", "session_ttl", "true", GHAUTH_E_CONFIG, 0 },
		{ "auth", "session_ttl", "[]", GHAUTH_E_CONFIG, 0 },
		{ "auth", "session_ttl", "{}", GHAUTH_E_CONFIG, 0 },
		{ "auth", "state_ttl", "3600", GHAUTH_OK, 3600 },
		{ "auth", "state_ttl", "3601", GHAUTH_E_CONFIG, 0 },
		{ "auth", "state_ttl", "0", GHAUTH_E_CONFIG, 0 },
		{ "auth", "session_idle_ttl", "0", GHAUTH_OK, 0 },
		{ "auth", "session_idle_ttl", "1800", GHAUTH_OK, 1800 },
		{ "auth", "session_idle_ttl", "-1", GHAUTH_E_CONFIG, 0 },
		{ "auth", "session_idle_ttl", "31536001", GHAUTH_E_CONFIG, 0 },
		{ "auth", "lock_timeout_ms", "1", GHAUTH_OK, 1 },
		{ "auth", "lock_timeout_ms", "60000", GHAUTH_OK, 60000 },
		{ "auth", "lock_timeout_ms", "0", GHAUTH_E_CONFIG, 0 },
		{ "auth", "lock_timeout_ms", "60001", GHAUTH_E_CONFIG, 0 },
		{ "github", "timeout", "1", GHAUTH_OK, 1 },
		{ "github", "timeout", "30", GHAUTH_OK, 30 },
		{ "github", "timeout", "0", GHAUTH_E_CONFIG, 0 },
		{ "github", "timeout", "31", GHAUTH_E_CONFIG, 0 },
	};
	struct ghauth_config	 c;
	char			 doc[256];
	enum ghauth_err		 rc;
	long			 got = 0;
	size_t			 i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (strcmp(t[i].where, "auth") == 0)
			snprintf(doc, sizeof(doc), "{\"auth\": {\"%s\": %s}}",
			    t[i].key, t[i].json);
		else
			snprintf(doc, sizeof(doc), "{\"auth\": {\"github\": "
			    "{\"%s\": %s}}}", t[i].key, t[i].json);
		rc = parse(doc, &c);
		if (rc == GHAUTH_OK) {
			if (strcmp(t[i].key, "session_ttl") == 0)
				got = c.session_ttl;
			else if (strcmp(t[i].key, "state_ttl") == 0)
				got = c.state_ttl;
			else if (strcmp(t[i].key, "session_idle_ttl") == 0)
				got = c.session_idle_ttl;
			else if (strcmp(t[i].key, "lock_timeout_ms") == 0)
				got = c.lock_timeout_ms;
			else
				got = c.github_timeout;
		}
		if (t[i].rc == GHAUTH_OK)
			ok(rc == GHAUTH_OK && got == t[i].want,
			    "%s: %s -> %ld", t[i].key, t[i].json, t[i].want);
		else
			ok(rc == GHAUTH_E_CONFIG && strstr(err, t[i].key) !=
			    NULL, "%s: %s -> config error naming the key",
			    t[i].key, t[i].json);
		if (rc != t[i].rc)
			diag("rc %s, err \"%s\"", ghauthp_err_name(rc), err);
		ghauth_config_free(&c);
	}
}

static void
test_enabled(void)
{
	static const struct {
		const char	*json;
		enum ghauth_err	 rc;
		int		 want;
	} t[] = {
		{ "true", GHAUTH_OK, 1 },
		{ "false", GHAUTH_OK, 0 },
		{ "null", GHAUTH_OK, 1 },
		{ "\"true\"", GHAUTH_OK, 1 },
		{ "\"false\"", GHAUTH_OK, 0 },
		{ "\"1\"", GHAUTH_OK, 1 },
		{ "\"0\"", GHAUTH_OK, 0 },
		{ "\"$EN_FALSE\"", GHAUTH_OK, 0 },
		{ "\"${EN_ONE}\"", GHAUTH_OK, 1 },
		{ "\"yes\"", GHAUTH_E_CONFIG, 0 },
		{ "\"no\"", GHAUTH_E_CONFIG, 0 },
		{ "\"TRUE\"", GHAUTH_E_CONFIG, 0 },
		{ "\"$BAD\"", GHAUTH_E_CONFIG, 0 },
		{ "1", GHAUTH_E_CONFIG, 0 },
		{ "0", GHAUTH_E_CONFIG, 0 },
		{ "[]", GHAUTH_E_CONFIG, 0 },
		{ "{}", GHAUTH_E_CONFIG, 0 },
	};
	struct ghauth_config	 c;
	char			 doc[128];
	enum ghauth_err		 rc;
	size_t			 i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(doc, sizeof(doc), "{\"auth\": {\"enabled\": %s}}",
		    t[i].json);
		rc = parse(doc, &c);
		if (t[i].rc == GHAUTH_OK)
			ok(rc == GHAUTH_OK && c.enabled == t[i].want,
			    "enabled: %s -> %d", t[i].json, t[i].want);
		else
			ok(rc == GHAUTH_E_CONFIG && strstr(err, "enabled"),
			    "enabled: %s -> config error", t[i].json);
		ghauth_config_free(&c);
	}
}

/* github.revoke_token: a boolean, default true, errors name the key. */
static void
test_revoke_token(void)
{
	static const struct {
		const char	*json;
		enum ghauth_err	 rc;
		int		 want;
	} t[] = {
		{ NULL, GHAUTH_OK, 1 },
		{ "true", GHAUTH_OK, 1 },
		{ "false", GHAUTH_OK, 0 },
		{ "null", GHAUTH_OK, 1 },
		{ "\"0\"", GHAUTH_OK, 0 },
		{ "\"$EN_FALSE\"", GHAUTH_OK, 0 },
		{ "\"no\"", GHAUTH_E_CONFIG, 0 },
		{ "0", GHAUTH_E_CONFIG, 0 },
	};
	struct ghauth_config	 c;
	char			 doc[160];
	enum ghauth_err		 rc;
	size_t			 i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (t[i].json == NULL)
			snprintf(doc, sizeof(doc), "{\"auth\": {\"github\": {}}}");
		else
			snprintf(doc, sizeof(doc), "{\"auth\": {\"github\": "
			    "{\"revoke_token\": %s}}}", t[i].json);
		rc = parse(doc, &c);
		if (t[i].rc == GHAUTH_OK)
			ok(rc == GHAUTH_OK && c.revoke_token == t[i].want,
			    "revoke_token: %s -> %d", t[i].json ? t[i].json :
			    "(absent)", t[i].want);
		else
			ok(rc == GHAUTH_E_CONFIG && strcmp(err,
			    "auth.github.revoke_token must be true or false") ==
			    0, "revoke_token: %s -> config error naming it",
			    t[i].json);
		ghauth_config_free(&c);
	}
}

/* Documents that are refused as a whole, and a word the error must hold. */
/*
 * The guard object: read and checked with the rest of the file, roots
 * normalised, anything malformed refused with the key's name (every
 * program, not only the guard, refuses such a file).
 */
static void
test_guard(void)
{
	static const struct {
		const char	*guard;
		const char	*errword;	/* NULL: accepted */
	} bad[] = {
		{ "5", "guard must be an object" },
		{ "[\"/srv\"]", "guard must be an object" },
		{ "{\"roots\": \"/srv\"}", "guard.roots must be a list" },
		{ "{\"roots\": [\"srv\"]}", "guard.roots must be a list" },
		{ "{\"roots\": [\"/\"]}", "guard.roots must be a list" },
		{ "{\"roots\": [\"///\"]}", "guard.roots must be a list" },
		{ "{\"roots\": [\"/srv/../etc\"]}", "guard.roots must be" },
		{ "{\"roots\": [\"/srv/./x\"]}", "guard.roots must be" },
		{ "{\"roots\": [\"/srv\", 5]}", "guard.roots must be" },
		{ "{\"roots\": [\"/s\\u0001rv\"]}", "guard.roots must be" },
		{ "{\"roots\": [\"$EMPTY\"]}", "guard.roots must be" },
		{ "{\"roots\": [\"$CTL\"]}", "guard.roots must be" },
		{ "{\"scripts\": 3}", "guard.scripts must be a string" },
		{ "{\"root\": [\"/srv\"]}", "guard.root: unknown key" },
	};
	struct ghauth_config	 c;
	enum ghauth_err		 rc;
	char			 doc[600], longs[300];
	size_t			 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(doc, sizeof(doc), "{\"auth\": {}, \"guard\": %s}",
		    bad[i].guard);
		rc = parse(doc, &c);
		ok(rc == GHAUTH_E_CONFIG && strstr(err, bad[i].errword) != NULL,
		    "guard %s -> \"%s\"", bad[i].guard, bad[i].errword);
		if (rc != GHAUTH_E_CONFIG)
			ghauth_config_free(&c);
		else if (strstr(err, bad[i].errword) == NULL)
			diag("err \"%s\"", err);
	}

	rc = parse("{\"auth\": {}}", &c);
	ok(rc == GHAUTH_OK && c.guard_roots == NULL && c.guard_scripts == NULL,
	    "no guard object: no roots, no scripts");
	if (rc == GHAUTH_OK)
		ghauth_config_free(&c);

	rc = parse("{\"auth\": {}, \"guard\": {\"roots\": [\"/srv//www/\", "
	    "\"$STORE\", \"/a\"], \"scripts\": \".pl .cgi\"}}", &c);
	ok(rc == GHAUTH_OK, "a guard object is accepted");
	if (rc != GHAUTH_OK) {
		diag("err \"%s\"", err);
		return;
	}
	ok(c.guard_roots != NULL && c.guard_roots[0] != NULL &&
	    c.guard_roots[1] != NULL && c.guard_roots[2] != NULL &&
	    c.guard_roots[3] == NULL, "three roots, NULL-ended");
	if (c.guard_roots != NULL && c.guard_roots[2] != NULL) {
		is_str(c.guard_roots[0], "/srv/www", "a root normalised");
		is_str(c.guard_roots[1], "/srv/ghauth/sessions.db",
		    "a root from $STORE");
		is_str(c.guard_roots[2], "/a", "a short root kept");
	}
	is_str(c.guard_scripts, ".pl .cgi", "guard.scripts read");
	ghauth_config_free(&c);
	ok(c.guard_roots == NULL && c.guard_scripts == NULL,
	    "ghauth_config_free clears them");

	memset(longs, 'x', sizeof(longs) - 1);
	longs[sizeof(longs) - 1] = '\0';
	snprintf(doc, sizeof(doc), "{\"auth\": {}, \"guard\": {\"scripts\": "
	    "\"%s\"}}", longs);
	rc = parse(doc, &c);
	ok(rc == GHAUTH_E_CONFIG && strcmp(err, "guard.scripts is too long") == 0,
	    "guard.scripts of %zu bytes: too long", strlen(longs));
	if (rc == GHAUTH_OK)
		ghauth_config_free(&c);
}

static void
test_bad_documents(void)
{
	static const struct {
		const char	*doc;
		const char	*errword;
	} t[] = {
		/* Not JSON. */
		{ "", "JSON" },
		{ "{", "JSON" },
		{ "{\"auth\":", "JSON" },
		{ "{\"auth\": {}} x", "JSON" },
		{ "{\"auth\": {},}", "JSON" },
		{ "{'auth': {}}", "JSON" },
		{ "{\"auth\": {\"github\": {\"client_id\": \"a\\u0000b\"}}}",
		    "JSON" },
		{ "{\"auth\": {\"github\": {\"client_id\": \"\t\"}}}", "JSON" },
		/* Duplicate keys, at any depth. */
		{ "{\"auth\": {}, \"auth\": {}}", "JSON" },
		{ "{\"auth\": {\"github\": {}, \"github\": {}}}", "JSON" },
		{ "{\"auth\": {\"github\": {\"client_id\": \"a\", "
		  "\"client_id\": \"b\"}}}", "JSON" },
		{ "{\"auth\": {\"session_ttl\": 5, \"session_ttl\": 5}}",
		  "JSON" },
		{ "{\"x\": {\"y\": 1, \"y\": 2}, \"auth\": {}}", "JSON" },
		/* No auth object. */
		{ "{}", "auth" },
		{ "{\"other\": {}}", "auth" },
		{ "{\"Auth\": {}}", "auth" },
		{ "{\"auth\": null}", "auth" },
		{ "{\"auth\": 5}", "auth" },
		{ "{\"auth\": \"x\"}", "auth" },
		{ "{\"auth\": []}", "auth" },
		{ "[]", "auth" },
		{ "[{\"auth\": {}}]", "auth" },
		{ "\"auth\"", "JSON" },
		{ "5", "JSON" },
		{ "null", "JSON" },
		/* auth.github not an object. */
		{ "{\"auth\": {\"github\": 5}}", "github" },
		{ "{\"auth\": {\"github\": \"x\"}}", "github" },
		{ "{\"auth\": {\"github\": []}}", "github" },
		{ "{\"auth\": {\"github\": null}}", "github" },
		/* Wrong types. */
		{ "{\"auth\": {\"github\": {\"client_id\": 5}}}", "client_id" },
		{ "{\"auth\": {\"github\": {\"client_id\": true}}}",
		  "client_id" },
		{ "{\"auth\": {\"github\": {\"client_secret\": []}}}",
		  "client_secret" },
		{ "{\"auth\": {\"github\": {\"redirect_uri\": {}}}}",
		  "redirect_uri" },
		{ "{\"auth\": {\"github\": {\"oauth_url\": 1}}}", "oauth_url" },
		{ "{\"auth\": {\"github\": {\"api_url\": 1}}}", "api_url" },
		{ "{\"auth\": {\"github\": {\"ca_file\": 1}}}", "ca_file" },
		{ "{\"auth\": {\"store\": 1}}", "store" },
		{ "{\"auth\": {\"store\": [\"/a\"]}}", "store" },
		{ "{\"auth\": {\"github\": {\"restrict_to\": 5}}}",
		  "restrict_to" },
		{ "{\"auth\": {\"github\": {\"restrict_to\": {}}}}",
		  "restrict_to" },
		{ "{\"auth\": {\"github\": {\"restrict_to\": true}}}",
		  "restrict_to" },
		{ "{\"auth\": {\"github\": {\"restrict_to\": [5]}}}",
		  "restrict_to" },
		{ "{\"auth\": {\"github\": {\"restrict_to\": [null]}}}",
		  "restrict_to" },
		{ "{\"auth\": {\"github\": {\"restrict_to\": [[\"a\"]]}}}",
		  "restrict_to" },
		{ "{\"auth\": {\"enabled\": \"yes\"}}", "enabled" },
		/* Control bytes in values (JSON escapes are decoded). */
		{ "{\"auth\": {\"github\": {\"client_id\": \"a\\nb\"}}}",
		  "client_id" },
		{ "{\"auth\": {\"github\": {\"client_secret\": \"a\\rb\"}}}",
		  "client_secret" },
		{ "{\"auth\": {\"store\": \"/a\\u007fb\"}}", "store" },
		{ "{\"auth\": {\"github\": {\"redirect_uri\": "
		  "\"https://a.example/\\u0001\"}}}", "redirect_uri" },
	};
	struct ghauth_config	 c;
	enum ghauth_err		 rc;
	size_t			 i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		rc = parse(t[i].doc, &c);
		ok(rc == GHAUTH_E_CONFIG && strstr(err, t[i].errword) != NULL,
		    "%s -> config error with \"%s\"", t[i].doc, t[i].errword);
		if (rc != GHAUTH_E_CONFIG || strstr(err, t[i].errword) == NULL)
			diag("rc %s, err \"%s\"", ghauthp_err_name(rc), err);
		ok(c.client_id == NULL && c.store == NULL &&
		    c.oauth_url == NULL && c.allow.n == 0,
		    "nothing left allocated after the error");
	}

	/* A NUL byte inside the document. */
	rc = ghauthp_config_parse(&c, "{\"auth\": {}}\0", 13, fake_getenv, env,
	    err, sizeof(err));
	is_int(rc, GHAUTH_E_CONFIG, "NUL byte in the document -> config error");

	/* A long value is refused. */
	{
		char	*doc;
		size_t	 n = 5000;

		if ((doc = malloc(n + 64)) == NULL) {
			printf("Bail out! out of memory\n");
			exit(1);
		}
		memcpy(doc, "{\"auth\": {\"github\": {\"client_id\": \"", 35);
		memset(doc + 35, 'a', n);
		memcpy(doc + 35 + n, "\"}}}", 5);
		is_int(parse(doc, &c), GHAUTH_E_CONFIG,
		    "client_id of %zu bytes -> config error", n);
		ok(strstr(err, "client_id") != NULL, "err names client_id");
		free(doc);
	}
}

static void
test_redirect_uri(void)
{
	static const struct {
		const char	*uri;
		enum ghauth_err	 rc;
		const char	*origin;
		int		 secure;
	} t[] = {
		{ "https://app.example/auth/github/callback", GHAUTH_OK,
		    "https://app.example", 1 },
		{ "https://app.example:8443/auth/github/callback", GHAUTH_OK,
		    "https://app.example:8443", 1 },
		{ "https://app.example", GHAUTH_OK, "https://app.example", 1 },
		{ "https://app.example/", GHAUTH_OK, "https://app.example", 1 },
		{ "https://app.example?x=1", GHAUTH_OK,
		    "https://app.example", 1 },
		{ "https://sub.app-1.example/a/b?c=d", GHAUTH_OK,
		    "https://sub.app-1.example", 1 },
		{ "https://[2001:db8::1]:8443/cb", GHAUTH_OK,
		    "https://[2001:db8::1]:8443", 1 },
		{ "http://localhost:8080", GHAUTH_OK,
		    "http://localhost:8080", 0 },
		{ "http://localhost:8080/auth/github/callback", GHAUTH_OK,
		    "http://localhost:8080", 0 },
		{ "http://localhost/cb", GHAUTH_OK, "http://localhost", 0 },
		{ "http://127.0.0.1:9/x", GHAUTH_OK, "http://127.0.0.1:9", 0 },
		{ "http://127.0.0.1/x", GHAUTH_OK, "http://127.0.0.1", 0 },
		{ "http://[::1]:8080/cb", GHAUTH_OK, "http://[::1]:8080", 0 },
		{ "http://[::1]/cb", GHAUTH_OK, "http://[::1]", 0 },
		{ "", GHAUTH_OK, NULL, 0 },
		{ "$UNSET", GHAUTH_OK, NULL, 0 },
		{ "$REDIR", GHAUTH_OK, "https://app.example", 1 },
		/* Plain http only for loopback (RFC 9700 section 2.6). */
		{ "http://example.com", GHAUTH_E_CONFIG, NULL, 0 },
		{ "http://example.com/cb", GHAUTH_E_CONFIG, NULL, 0 },
		{ "http://localhost.example.com/cb", GHAUTH_E_CONFIG, NULL, 0 },
		{ "http://localhostx/cb", GHAUTH_E_CONFIG, NULL, 0 },
		{ "http://127.0.0.2/cb", GHAUTH_E_CONFIG, NULL, 0 },
		{ "http://127.0.0.1.example/cb", GHAUTH_E_CONFIG, NULL, 0 },
		{ "http://[::2]/cb", GHAUTH_E_CONFIG, NULL, 0 },
		{ "http://localhost@evil.example/cb", GHAUTH_E_CONFIG, NULL, 0 },
		{ "http://evil.example@localhost/cb", GHAUTH_E_CONFIG, NULL, 0 },
		/* Not an absolute http(s) URL of a plain host. */
		{ "https://user:pw@app.example/cb", GHAUTH_E_CONFIG, NULL, 0 },
		{ "ftp://app.example/cb", GHAUTH_E_CONFIG, NULL, 0 },
		{ "app.example/cb", GHAUTH_E_CONFIG, NULL, 0 },
		{ "/auth/github/callback", GHAUTH_E_CONFIG, NULL, 0 },
		{ "//app.example/cb", GHAUTH_E_CONFIG, NULL, 0 },
		{ "https:app.example", GHAUTH_E_CONFIG, NULL, 0 },
		{ "https://", GHAUTH_E_CONFIG, NULL, 0 },
		{ "https:///cb", GHAUTH_E_CONFIG, NULL, 0 },
		{ "https://?x", GHAUTH_E_CONFIG, NULL, 0 },
		{ "https://app example/cb", GHAUTH_E_CONFIG, NULL, 0 },
		/* The authority: a plain host, a bracketed address, a port of digits. */
		{ "http://localhost:80:x/cb", GHAUTH_E_CONFIG, NULL, 0 },
		{ "http://[::1]evil/cb", GHAUTH_E_CONFIG, NULL, 0 },
		{ "https://a.example:abc/cb", GHAUTH_E_CONFIG, NULL, 0 },
		{ "https://a.example:/cb", GHAUTH_E_CONFIG, NULL, 0 },
		{ "https://a.example:123456/cb", GHAUTH_E_CONFIG, NULL, 0 },
		{ "https://[]/cb", GHAUTH_E_CONFIG, NULL, 0 },
		{ "https://[::1/cb", GHAUTH_E_CONFIG, NULL, 0 },
		{ "https://a_b.example/cb", GHAUTH_E_CONFIG, NULL, 0 },
		{ "https://a.example:8443/cb", GHAUTH_OK, "https://a.example:8443", 1 },
		{ "http://[::1]:8080/cb", GHAUTH_OK, "http://[::1]:8080", 0 },
		{ "https://app.example/a b", GHAUTH_E_CONFIG, NULL, 0 },
		{ "https://app.example/#frag", GHAUTH_E_CONFIG, NULL, 0 },
		{ "https://app.example/\"x", GHAUTH_E_CONFIG, NULL, 0 },
		{ "https://app.example/<x>", GHAUTH_E_CONFIG, NULL, 0 },
		{ "https://app.example\\@evil/", GHAUTH_E_CONFIG, NULL, 0 },
		{ "https://app_x.example/", GHAUTH_E_CONFIG, NULL, 0 },
		{ "https://b\xc3\xbc" "cher.example/", GHAUTH_E_CONFIG, NULL,
		    0 },
		{ "javascript:alert(1)", GHAUTH_E_CONFIG, NULL, 0 },
	};
	struct ghauth_config	 c;
	char			 doc[512], lit[256];
	enum ghauth_err		 rc;
	size_t			 i, j, o;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		/* As a JSON string literal: escape '"' and '\'. */
		for (j = o = 0; t[i].uri[j] != '\0' && o + 3 < sizeof(lit);
		    j++) {
			if (t[i].uri[j] == '"' || t[i].uri[j] == '\\')
				lit[o++] = '\\';
			lit[o++] = t[i].uri[j];
		}
		lit[o] = '\0';
		snprintf(doc, sizeof(doc), "{\"auth\": {\"github\": {"
		    "\"client_secret\": \"%s\", \"redirect_uri\": \"%s\"}}}",
		    SECRET, lit);
		rc = parse(doc, &c);
		if (t[i].rc == GHAUTH_OK) {
			ok(rc == GHAUTH_OK, "redirect_uri %s accepted",
			    tap_quote(t[i].uri, strlen(t[i].uri)));
			if (rc != GHAUTH_OK)
				diag("err: %s", err);
			is_str(c.origin, t[i].origin, "  origin %s",
			    t[i].origin ? t[i].origin : "NULL");
			is_int(c.secure, t[i].secure, "  secure %d",
			    t[i].secure);
		} else {
			ok(rc == GHAUTH_E_CONFIG &&
			    strstr(err, "redirect_uri") != NULL,
			    "redirect_uri %s -> config error",
			    tap_quote(t[i].uri, strlen(t[i].uri)));
			ok(strstr(err, SECRET) == NULL,
			    "  err does not hold the secret");
		}
		ghauth_config_free(&c);
	}
}

static void
test_base_urls(void)
{
	static const struct {
		const char	*url;
		const char	*want;	/* NULL: config error */
	} t[] = {
		{ "https://github.com/login/oauth", "https://github.com/login/oauth" },
		{ "https://ghe.example/login/oauth/",
		    "https://ghe.example/login/oauth" },
		{ "https://ghe.example/login/oauth//",
		    "https://ghe.example/login/oauth" },
		{ "https://ghe.example///", "https://ghe.example" },
		{ "https://ghe.example/", "https://ghe.example" },
		{ "https://ghe.example", "https://ghe.example" },
		{ "https://127.0.0.1:8443", "https://127.0.0.1:8443" },
		{ "https://localhost:8443/api/v3/", "https://localhost:8443/api/v3" },
		{ "http://github.com/login/oauth", NULL },
		{ "http://localhost:9/x", NULL },
		{ "http://127.0.0.1:8080", NULL },
		{ "https://ghe.example/?x=1", NULL },
		{ "https://ghe.example/login/oauth?x", NULL },
		{ "https://ghe.example/#x", NULL },
		{ "https://user@ghe.example", NULL },
		{ "ftp://ghe.example", NULL },
		{ "ghe.example", NULL },
		{ "https://", NULL },
		{ "https:///x", NULL },
		{ "https://ghe example", NULL },
	};
	static const char *const keys[] = { "oauth_url", "api_url" };
	struct ghauth_config	 c;
	char			 doc[512];
	enum ghauth_err		 rc;
	size_t			 i, k;

	for (k = 0; k < 2; k++)
		for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
			snprintf(doc, sizeof(doc), "{\"auth\": {\"github\": "
			    "{\"%s\": \"%s\"}}}", keys[k], t[i].url);
			rc = parse(doc, &c);
			if (t[i].want != NULL)
				ok(rc == GHAUTH_OK && strcmp(k == 0 ?
				    c.oauth_url : c.api_url, t[i].want) == 0,
				    "%s %s -> %s", keys[k], t[i].url,
				    t[i].want);
			else
				ok(rc == GHAUTH_E_CONFIG &&
				    strstr(err, keys[k]) != NULL,
				    "%s %s -> config error", keys[k], t[i].url);
			ghauth_config_free(&c);
		}
}

static void
test_paths(void)
{
	static const struct {
		const char	*key;
		const char	*json;
		enum ghauth_err	 rc;
		const char	*want;
	} t[] = {
		{ "store", "\"/var/lib/ghauth/x.db\"", GHAUTH_OK,
		    "/var/lib/ghauth/x.db" },
		{ "store", "\"$STORE\"", GHAUTH_OK, "/srv/ghauth/sessions.db" },
		{ "store", "\"\"", GHAUTH_OK, GHAUTH_STOREDIR "/ghauth.db" },
		{ "store", "\"$UNSET\"", GHAUTH_OK, GHAUTH_STOREDIR "/ghauth.db" },
		{ "store", "\"relative.db\"", GHAUTH_E_CONFIG, NULL },
		{ "store", "\"./x.db\"", GHAUTH_E_CONFIG, NULL },
		{ "store", "\"~/x.db\"", GHAUTH_E_CONFIG, NULL },
		{ "store", "\"$X\"", GHAUTH_E_CONFIG, NULL },
		{ "ca_file", "\"/etc/ssl/private-ca.pem\"", GHAUTH_OK,
		    "/etc/ssl/private-ca.pem" },
		{ "ca_file", "\"\"", GHAUTH_OK, NULL },
		{ "ca_file", "\"$UNSET\"", GHAUTH_OK, NULL },
		{ "ca_file", "null", GHAUTH_OK, NULL },
		{ "ca_file", "\"ca.pem\"", GHAUTH_E_CONFIG, NULL },
		{ "ca_file", "\"./ca.pem\"", GHAUTH_E_CONFIG, NULL },
	};
	struct ghauth_config	 c;
	char			 doc[512];
	enum ghauth_err		 rc;
	size_t			 i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (strcmp(t[i].key, "store") == 0)
			snprintf(doc, sizeof(doc), "{\"auth\": {\"store\": %s}}",
			    t[i].json);
		else
			snprintf(doc, sizeof(doc), "{\"auth\": {\"github\": "
			    "{\"ca_file\": %s}}}", t[i].json);
		rc = parse(doc, &c);
		if (t[i].rc == GHAUTH_OK) {
			ok(rc == GHAUTH_OK, "%s %s accepted", t[i].key,
			    t[i].json);
			is_str(strcmp(t[i].key, "store") == 0 ? c.store :
			    c.ca_file, t[i].want, "  %s is %s", t[i].key,
			    t[i].want ? t[i].want : "NULL");
		} else
			ok(rc == GHAUTH_E_CONFIG && strstr(err, t[i].key) !=
			    NULL && strstr(err, "absolute") != NULL,
			    "%s %s -> config error (absolute path)", t[i].key,
			    t[i].json);
		ghauth_config_free(&c);
	}

	/* A path longer than 4000 bytes is refused. */
	{
		char	 big[4100], bigdoc[4200];

		memset(big, 'p', sizeof(big));
		big[0] = '/';
		snprintf(bigdoc, sizeof(bigdoc), "{\"auth\": {\"store\": "
		    "\"%.4001s\"}}", big);
		is_int(parse(bigdoc, &c), GHAUTH_E_CONFIG,
		    "store of 4001 bytes -> config error");
		snprintf(bigdoc, sizeof(bigdoc), "{\"auth\": {\"store\": "
		    "\"%.4000s\"}}", big);
		is_int(parse(bigdoc, &c), GHAUTH_OK,
		    "store of 4000 bytes accepted");
		ghauth_config_free(&c);
	}
}

static void
test_restrict_to(void)
{
	static const struct {
		const char	*json;
		enum ghauth_err	 rc;
		size_t		 n;
		const char	*member;	/* OK: a login that must match;
						   error: in the message */
	} t[] = {
		{ "\"octocat\"", GHAUTH_OK, 1, "octocat" },
		{ "\"octocat, mythz\"", GHAUTH_OK, 2, "mythz" },
		{ "\" octocat, mythz ,,Alice\\tbob\"", GHAUTH_OK, 4, "alice" },
		{ "\"$USERS\"", GHAUTH_OK, 2, "mythz" },
		{ "\"*\"", GHAUTH_OK, 0, "anyone" },
		{ "\" * \"", GHAUTH_OK, 0, "anyone" },
		{ "[\"*\"]", GHAUTH_OK, 0, "anyone" },
		{ "[\"octocat\"]", GHAUTH_OK, 1, "OctoCat" },
		{ "[\"octocat\", \"mythz\"]", GHAUTH_OK, 2, "mythz" },
		{ "[\"octocat, mythz\", \"12345\"]", GHAUTH_OK, 3, "mythz" },
		{ "[\"$USERS\", \"bob\"]", GHAUTH_OK, 3, "bob" },
		{ "[\"\", \"bob\", \"\"]", GHAUTH_OK, 1, "bob" },
		/* Mistakes that would open the site fail closed. */
		{ "\"\"", GHAUTH_E_CONFIG, 0, "restrict_to lists nobody" },
		{ "\" ,\\t\"", GHAUTH_E_CONFIG, 0, "lists nobody" },
		{ "[]", GHAUTH_E_CONFIG, 0, "lists nobody" },
		{ "[\"\"]", GHAUTH_E_CONFIG, 0, "lists nobody" },
		{ "null", GHAUTH_E_CONFIG, 0, "restrict_to is null" },
		{ "\"$UNSET\"", GHAUTH_E_CONFIG, 0,
		    "is \"$UNSET\" but UNSET is not set" },
		{ "\"${UNSET}\"", GHAUTH_E_CONFIG, 0, "UNSET is not set" },
		{ "\"$EMPTY\"", GHAUTH_E_CONFIG, 0, "EMPTY is empty" },
		{ "[\"$UNSET\", \"bob\"]", GHAUTH_E_CONFIG, 0, "UNSET is not set" },
		{ "\"$UNSET\"", GHAUTH_E_CONFIG, 0, "SetEnv or PassEnv" },
		{ "\"$UNSET\"", GHAUTH_E_CONFIG, 0, "setenv.add-environment" },
		{ "\"$UNSET\"", GHAUTH_E_CONFIG, 0, "fastcgi_param" },
		{ "\"*, bob\"", GHAUTH_E_CONFIG, 0, "cannot be combined" },
		{ "[\"bob\", \"*\"]", GHAUTH_E_CONFIG, 0, "cannot be combined" },
		{ "\"**\"", GHAUTH_E_CONFIG, 0, "entry 1" },
		{ "\"@bad\"", GHAUTH_E_CONFIG, 0, "entry 1" },
		{ "\"ok, a.b\"", GHAUTH_E_CONFIG, 0, "entry 2" },
		{ "[\"ok\", \"a.b\"]", GHAUTH_E_CONFIG, 0, "entry 2" },
		{ "\"0\"", GHAUTH_E_CONFIG, 0, "entry 1" },
		{ "5", GHAUTH_E_CONFIG, 0, "a string or a list of strings" },
		{ "[5]", GHAUTH_E_CONFIG, 0, "must hold strings" },
	};
	struct ghauth_config	 c;
	char			 doc[512];
	enum ghauth_err		 rc;
	size_t			 i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(doc, sizeof(doc), "{\"auth\": {\"github\": "
		    "{\"restrict_to\": %s}}}", t[i].json);
		rc = parse(doc, &c);
		if (t[i].rc == GHAUTH_OK)
			ok(rc == GHAUTH_OK && c.allow.n == t[i].n &&
			    c.allow.any == (t[i].n == 0) &&
			    ghauthp_allow_match(&c.allow, 0, t[i].member) &&
			    (t[i].n == 0) == ghauthp_allow_match(&c.allow, 0,
			    "someone-else"),
			    "restrict_to %s -> %zu entries", t[i].json, t[i].n);
		else
			ok(rc == GHAUTH_E_CONFIG && strstr(err, t[i].member) !=
			    NULL, "restrict_to %s -> config error \"%s\"",
			    t[i].json, t[i].member);
		if (rc != t[i].rc)
			diag("rc %s, err \"%s\"", ghauthp_err_name(rc), err);
		ghauth_config_free(&c);
	}
	/* Absent: anyone (llms.py), without the explicit flag. */
	if (is_int(parse("{\"auth\": {\"github\": {}}}", &c), GHAUTH_OK,
	    "restrict_to absent: loads"))
		ok(c.allow.n == 0 && !c.allow.any &&
		    ghauthp_allow_match(&c.allow, 1, "anyone"),
		    "restrict_to absent: any account, not marked explicit");
	ghauth_config_free(&c);
}

/*
 * Unknown keys inside auth and auth.github are errors naming the nearest
 * known key; other top-level members and the guard object are not ours.
 */
static void
test_unknown_keys(void)
{
	static const struct {
		const char	*json;
		const char	*msg;	/* NULL: loads */
	} t[] = {
		{ "{\"auth\": {\"github\": {\"restrict-to\": \"alice\"}}}",
		    "auth.github.restrict-to: unknown key (did you mean "
		    "restrict_to?)" },
		{ "{\"auth\": {\"restrict_to\": \"alice\"}}",
		    "auth.restrict_to: unknown key (did you mean "
		    "auth.github.restrict_to?)" },
		{ "{\"auth\": {\"github\": {\"Restrict_To\": \"alice\"}}}",
		    "did you mean restrict_to?" },
		{ "{\"auth\": {\"github\": {\"restirct_to\": \"alice\"}}}",
		    "did you mean restrict_to?" },
		{ "{\"auth\": {\"github\": {\"store\": \"/x\"}}}",
		    "auth.github.store: unknown key (did you mean auth.store?)" },
		{ "{\"auth\": {\"SOTRE\": \"/x\"}}",
		    "auth.SOTRE: unknown key (did you mean store?)" },
		{ "{\"auth\": {\"sesion_ttl\": 5}}",
		    "auth.sesion_ttl: unknown key (did you mean session_ttl?)" },
		{ "{\"auth\": {\"gihtub\": {}}}",
		    "auth.gihtub: unknown key (did you mean github?)" },
		{ "{\"auth\": {\"allowed_users\": \"bob\"}}",
		    "auth.allowed_users: unknown key" },
		{ "{\"auth\": {\"github\": {\"x\\u0001y\": 1}}}",
		    "auth.github.x?y: unknown key" },
		{ "{\"auth\": {\"github\": {\"restrict_to\\u0000\": \"a\"}}}",
		    "NUL byte in object key" },
		{ "{\"auth\": {}, \"restrict_to\": 1, \"guard\": {\"roots\": "
		    "[]}, \"providers\": {}}", NULL },
		{ "{\"auth\": {\"github\": {\"restrict_to\": \"*\"}}, "
		    "\"github\": {\"x\": 1}}", NULL },
	};
	struct ghauth_config	 c;
	enum ghauth_err		 rc;
	size_t			 i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		rc = parse(t[i].json, &c);
		if (t[i].msg == NULL)
			is_int(rc, GHAUTH_OK, "loads: %s", t[i].json);
		else if (!ok(rc == GHAUTH_E_CONFIG && strstr(err, t[i].msg) !=
		    NULL && strchr(err, '\001') == NULL, "%s -> %s",
		    t[i].json, t[i].msg))
			diag("rc %s, err \"%s\"", ghauthp_err_name(rc), err);
		if (rc == GHAUTH_OK)
			ghauth_config_free(&c);
	}
	/* Long names are cut; no suggestion past 64 characters. */
	rc = parse("{\"auth\": {\"" "restrict_to_restrict_to_restrict_to_"
	    "restrict_to_restrict_to_restrict_to_x" "\": 1}}", &c);
	ok(rc == GHAUTH_E_CONFIG && strstr(err, "...: unknown key") != NULL &&
	    strstr(err, "did you") == NULL, "long unknown key cut, no guess");
}

/* Every row of the schema: a value of the wrong type is refused. */
static void
test_schema(void)
{
	const struct ghauthp_ckey	*k;
	struct ghauth_config		 c;
	char				 doc[512], parent[64];
	const char			*leaf;
	size_t				 n, i;

	k = ghauthp_config_keys(&n);
	ok(n >= 15, "schema has %zu keys", n);
	for (i = 0; i < n; i++) {
		if (k[i].type == GHAUTHP_CT_OBJECT)
			continue;
		leaf = strrchr(k[i].path, '.') + 1;
		/* An object is the wrong type for every value key. */
		if (strncmp(k[i].path, "auth.github.", 12) == 0)
			snprintf(doc, sizeof(doc), "{\"auth\": {\"github\": "
			    "{\"%s\": {}}}}", leaf);
		else if (strncmp(k[i].path, "auth.", 5) == 0)
			snprintf(doc, sizeof(doc), "{\"auth\": {\"%s\": {}}}",
			    leaf);
		else	/* a top-level object of its own (guard) */
			snprintf(doc, sizeof(doc), "{\"auth\": {}, \"%.*s\": "
			    "{\"%s\": {}}}", (int)(leaf - 1 - k[i].path),
			    k[i].path, leaf);
		ok(parse(doc, &c) == GHAUTH_E_CONFIG &&
		    strncmp(err, k[i].path, strlen(k[i].path)) == 0,
		    "%s: wrong type refused, named", k[i].path);
		snprintf(parent, sizeof(parent), "%.*s",
		    (int)(leaf - 1 - k[i].path), k[i].path);
		is_str(ghauthp_config_suggest(parent, leaf), k[i].path,
		    "%s suggests itself", k[i].path);
	}
	ok(ghauthp_config_suggest("auth.github", "restrict-to") != NULL &&
	    strcmp(ghauthp_config_suggest("auth.github", "restrict-to"),
	    "auth.github.restrict_to") == 0, "suggest: one edit");
	ok(ghauthp_config_suggest("auth", "allowed_users") == NULL,
	    "suggest: nothing close, nothing suggested");
	ok(ghauthp_config_suggest("auth", "x") == NULL ||
	    strlen(ghauthp_config_suggest("auth", "x")) > 0,
	    "suggest: one letter does not crash");
}

/* Every problem is reported, not only the first. */
static void
report(void *arg, const char *line)
{
	int	*n = arg;

	(*n)++;
	ok(strstr(line, SECRET) == NULL, "reported line holds no secret: %s",
	    line);
}

static void
test_report_all(void)
{
	struct ghauth_config	 c;
	char			 path[] = "/tmp/ghauth-test-config-XXXXXX";
	static const char	 doc[] = "{\"auth\": {\"restrict_to\": 1, "
	    "\"state_ttl\": 0, \"github\": {\"client_secret\": \"" SECRET
	    "\", \"restrict-to\": \"a\", \"timeout\": 99}}}";
	int			 fd, n = 0;

	if ((fd = mkstemp(path)) == -1 || write(fd, doc, sizeof(doc) - 1) !=
	    (ssize_t)sizeof(doc) - 1) {
		ok(0, "temporary file");
		return;
	}
	close(fd);
	err[0] = '\0';
	is_int(ghauthp_config_check(&c, path, fake_getenv, env, report, &n,
	    err, sizeof(err)), GHAUTH_E_CONFIG, "check: config error");
	is_int(n, 4, "check: all four problems reported");
	ok(strstr(err, "auth.restrict_to: unknown key") != NULL,
	    "check: err holds the first: %s", err);
	unlink(path);
}

static void
test_llms_json(void)
{
	static const char doc[] =
	    "{\n"
	    "  \"defaults\": {\n"
	    "    \"headers\": {\"Content-Type\": \"application/json\"},\n"
	    "    \"text\": {\"model\": \"kimi-k2\", \"messages\": "
	    "[{\"role\": \"user\", \"content\": \"\"}]}\n"
	    "  },\n"
	    "  \"convert\": {\"image\": {\"max_size\": \"1536x1024\"}},\n"
	    "  \"providers\": {\n"
	    "    \"openrouter_free\": {\"enabled\": true, \"type\": "
	    "\"OpenAiProvider\", \"api_key\": \"$OPENROUTER_API_KEY\", "
	    "\"models\": {\"kimi-k2\": \"moonshotai/kimi-k2:free\"}},\n"
	    "    \"ollama\": {\"enabled\": false, \"auth\": 5}\n"
	    "  },\n"
	    "  \"auth\": {\n"
	    "    \"enabled\": true,\n"
	    "    \"github\": {\n"
	    "      \"client_id\": \"$GH_ID\",\n"
	    "      \"client_secret\": \"$GH_SECRET\",\n"
	    "      \"redirect_uri\": "
	    "\"http://localhost:8000/auth/github/callback\",\n"
	    "      \"restrict_to\": \"$USERS\"\n"
	    "    }\n"
	    "  }\n"
	    "}\n";
	struct ghauth_config	 c;

	if (!is_int(parse(doc, &c), GHAUTH_OK, "llms.json-shaped document")) {
		diag("err: %s", err);
		return;
	}
	ok(c.enabled, "llms.json: enabled");
	is_str(c.client_id, "id-from-env", "llms.json: client_id");
	is_str(c.client_secret, SECRET, "llms.json: client_secret");
	is_str(c.origin, "http://localhost:8000", "llms.json: origin");
	ok(!c.secure, "llms.json: not secure (http on localhost)");
	ok(c.allow.n == 2 && ghauthp_allow_match(&c.allow, 0, "octocat") &&
	    !ghauthp_allow_match(&c.allow, 0, "other"),
	    "llms.json: restrict_to from $GITHUB_USERS-style variable");
	ghauth_config_free(&c);
}

static void
test_err_buffer(void)
{
	static const char *const docs[] = {
		/* Errors after the secret was read. */
		"{\"auth\": {\"github\": {\"client_secret\": \"" SECRET "\", "
		"\"redirect_uri\": \"http://example.com/cb\"}}}",
		"{\"auth\": {\"github\": {\"client_secret\": \"" SECRET "\", "
		"\"oauth_url\": \"http://x\"}}}",
		"{\"auth\": {\"github\": {\"client_secret\": \"" SECRET "\"}, "
		"\"session_ttl\": 0}}",
		"{\"auth\": {\"github\": {\"client_secret\": \"$GH_SECRET\", "
		"\"restrict_to\": \"@x\"}}}",
		/* JSON syntax errors right at or inside the secret. */
		"{\"auth\": {\"github\": {\"client_secret\" \"" SECRET "\"}}}",
		"{\"auth\": {\"github\": {\"client_secret\": \"" SECRET "\" "
		"\"client_id\": \"x\"}}}",
		"{\"auth\": {\"github\": {\"client_secret\": \"S3CR3T\tvalue\"}}}",
		"{\"auth\": {\"github\": {\"client_secret\": \"S3CR3T\\qvalue\"}}}",
		"{\"auth\": {\"github\": {\"client_secret\": \"S3CR3T\\u00\"}}}",
		"{\"auth\": {\"github\": {\"client_secret\": \"S3CR3T",
		"{\"auth\": {\"github\": {\"client_secret\": S3CR3T}}}",
		"{\"auth\": {\"github\": {\"client_secret\": \"" SECRET "\", "
		"\"client_secret\": \"" SECRET "\"}}}",
		"{\"auth\": {\"github\": {\"client_secret\": \"S3CR3T\xff\"}}}",
	};
	struct ghauth_config	 c;
	enum ghauth_err		 rc;
	size_t			 i;

	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		rc = parse(docs[i], &c);
		ok(rc == GHAUTH_E_CONFIG && err[0] != '\0' &&
		    strstr(err, "S3CR3T") == NULL,
		    "bad document %zu: err filled, no secret in it", i);
		if (rc != GHAUTH_E_CONFIG || strstr(err, "S3CR3T") != NULL)
			diag("rc %s, err \"%s\"", ghauthp_err_name(rc), err);
	}

	/* No err buffer, or a tiny one: still an error, no overflow. */
	rc = ghauthp_config_parse(&c, "{", 1, fake_getenv, env, NULL, 0);
	is_int(rc, GHAUTH_E_CONFIG, "NULL err buffer");
	memset(err, 'x', sizeof(err));
	rc = ghauthp_config_parse(&c, "{", 1, fake_getenv, env, err, 8);
	ok(rc == GHAUTH_E_CONFIG && strlen(err) == 7 && err[8] == 'x',
	    "8-byte err buffer: truncated, NUL-terminated, not overrun");
}

#define GOOD_DOC	"{\"auth\": {\"github\": {\"client_id\": \"abc\"}}}"

static void
write_file(const char *path, const char *data, size_t n)
{
	FILE	*f;

	if ((f = fopen(path, "w")) == NULL || fwrite(data, 1, n, f) != n ||
	    fclose(f) != 0) {
		printf("Bail out! cannot write %s\n", path);
		exit(1);
	}
}

static void
test_files(const char *dir)
{
	struct ghauth_config	 c;
	char			 path[4096], *big;
	enum ghauth_err		 rc;
	size_t			 n = 1024 * 1024;

	snprintf(path, sizeof(path), "%s/good.json", dir);
	write_file(path, GOOD_DOC, sizeof(GOOD_DOC) - 1);
	rc = ghauthp_config_load_file(&c, path, fake_getenv, env, err,
	    sizeof(err));
	ok(rc == GHAUTH_OK && c.client_id != NULL &&
	    strcmp(c.client_id, "abc") == 0, "load_file: a good file");
	is_str(c.path, path, "load_file: path recorded");
	ghauth_config_free(&c);

	snprintf(path, sizeof(path), "%s/missing.json", dir);
	rc = ghauthp_config_load_file(&c, path, fake_getenv, env, err,
	    sizeof(err));
	ok(rc == GHAUTH_E_CONFIG && strstr(err, path) != NULL,
	    "load_file: missing file -> config error naming it");

	rc = ghauthp_config_load_file(&c, dir, fake_getenv, env, err,
	    sizeof(err));
	ok(rc == GHAUTH_E_CONFIG && strstr(err, "regular") != NULL,
	    "load_file: a directory -> config error");

	rc = ghauthp_config_load_file(&c, "/dev/null", fake_getenv, env, err,
	    sizeof(err));
	ok(rc == GHAUTH_E_CONFIG && strstr(err, "regular") != NULL,
	    "load_file: /dev/null -> config error");

	snprintf(path, sizeof(path), "%s/bad.json", dir);
	write_file(path, "{\"auth\": ", 9);
	rc = ghauthp_config_load_file(&c, path, fake_getenv, env, err,
	    sizeof(err));
	ok(rc == GHAUTH_E_CONFIG && strncmp(err, path, strlen(path)) == 0 &&
	    strstr(err, "JSON") != NULL,
	    "load_file: invalid JSON -> config error prefixed with the path");

	snprintf(path, sizeof(path), "%s/empty.json", dir);
	write_file(path, "", 0);
	rc = ghauthp_config_load_file(&c, path, fake_getenv, env, err,
	    sizeof(err));
	is_int(rc, GHAUTH_E_CONFIG, "load_file: empty file -> config error");

	/* 1 MiB is the limit: a valid document padded to it, then one more. */
	if ((big = malloc(n + 1)) == NULL) {
		printf("Bail out! out of memory\n");
		exit(1);
	}
	memset(big, ' ', n + 1);
	memcpy(big, "{\"auth\": {}}", 12);
	snprintf(path, sizeof(path), "%s/big.json", dir);
	write_file(path, big, n);
	rc = ghauthp_config_load_file(&c, path, fake_getenv, env, err,
	    sizeof(err));
	is_int(rc, GHAUTH_OK, "load_file: 1 MiB file accepted");
	ghauth_config_free(&c);
	write_file(path, big, n + 1);
	rc = ghauthp_config_load_file(&c, path, fake_getenv, env, err,
	    sizeof(err));
	ok(rc == GHAUTH_E_CONFIG && strstr(err, "larger") != NULL,
	    "load_file: 1 MiB + 1 byte -> config error");
	free(big);
}

static void
test_load(const char *dir)
{
	static const char *full[] = {
		"GITHUB_CLIENT_ID=env-id",
		"GITHUB_CLIENT_SECRET=" SECRET,
		"GITHUB_USERS=octocat, 583231",
		"GHAUTH_REDIRECT_URI=https://app.example/auth/github/callback",
		"GHAUTH_STORE=/srv/ghauth/x.db",
		NULL
	};
	static const char *literal[] = {
		"GITHUB_CLIENT_ID=$OTHER",
		"OTHER=expanded",
		"GHAUTH_CONFIG=",
		NULL
	};
	static const char *bad_users[] = { "GITHUB_USERS=ok,@bad", NULL };
	static const char *latin1[] = { "GITHUB_CLIENT_ID=caf\xe9", NULL };
	static const char *star[] = { "GITHUB_USERS= * ", NULL };
	static const char *bad_redirect[] = {
		"GITHUB_CLIENT_SECRET=" SECRET,
		"GHAUTH_REDIRECT_URI=http://example.com/cb", NULL
	};
	static const char *bad_store[] = { "GHAUTH_STORE=x.db", NULL };
	const char		*with_file[3];
	char			 path[4096], var[4200];
	struct ghauth_config	 c;
	enum ghauth_err		 rc;
	int			 i;

	if (access(GHAUTH_SYSCONFDIR "/ghauth/ghauth.json", F_OK) == 0 ||
	    errno != ENOENT) {
		/* As many as the rest of this function runs: the plan holds. */
		for (i = 0; i < 20; i++)
			skip(GHAUTH_SYSCONFDIR "/ghauth/ghauth.json exists: "
			    "environment-only mode not reachable");
		return;
	}
	rc = ghauth_config_load(&c, fake_getenv, full, err, sizeof(err));
	if (is_int(rc, GHAUTH_OK, "environment only: loads")) {
		is_str(c.client_id, "env-id", "env: GITHUB_CLIENT_ID");
		is_str(c.client_secret, SECRET, "env: GITHUB_CLIENT_SECRET");
		is_str(c.redirect_uri,
		    "https://app.example/auth/github/callback",
		    "env: GHAUTH_REDIRECT_URI");
		is_str(c.origin, "https://app.example", "env: origin");
		ok(c.secure, "env: secure");
		is_str(c.store, "/srv/ghauth/x.db", "env: GHAUTH_STORE");
		ok(c.allow.n == 2 && ghauthp_allow_match(&c.allow, 583231,
		    "x") && ghauthp_allow_match(&c.allow, 1, "OctoCat") &&
		    !ghauthp_allow_match(&c.allow, 1, "x"), "env: GITHUB_USERS");
		is_str(c.path, "", "env: no path");
		ok(c.enabled && c.session_ttl == 86400 && c.state_ttl == 600,
		    "env: defaults");
		is_str(c.oauth_url, "https://github.com/login/oauth",
		    "env: default oauth_url");
	} else
		diag("err: %s", err);
	ghauth_config_free(&c);

	rc = ghauth_config_load(&c, fake_getenv, NULL, err, sizeof(err));
	ok(rc == GHAUTH_OK && c.client_id == NULL &&
	    c.origin == NULL && c.allow.n == 0 && !c.allow.any &&
	    strcmp(c.store, GHAUTH_STOREDIR "/ghauth.db") == 0,
	    "empty environment: loads, not configured, default store");
	ghauth_config_free(&c);

	rc = ghauth_config_load(&c, fake_getenv, literal, err, sizeof(err));
	ok(rc == GHAUTH_OK && strcmp(c.client_id, "$OTHER") == 0,
	    "env: GHAUTH_CONFIG empty -> environment, values not expanded");
	ghauth_config_free(&c);

	is_int(ghauth_config_load(&c, fake_getenv, bad_users, err,
	    sizeof(err)), GHAUTH_E_CONFIG, "env: bad GITHUB_USERS -> config");
	rc = ghauth_config_load(&c, fake_getenv, latin1, err, sizeof(err));
	ok(rc == GHAUTH_OK && strcmp(c.client_id, "caf\xe9") == 0,
	    "env: a value that is not UTF-8 is taken as bytes");
	if (rc == GHAUTH_OK)
		ghauth_config_free(&c);
	rc = ghauth_config_load(&c, fake_getenv, star, err, sizeof(err));
	ok(rc == GHAUTH_OK && c.allow.any && c.allow.n == 0,
	    "env: GITHUB_USERS=* is any account, explicitly");
	if (rc == GHAUTH_OK)
		ghauth_config_free(&c);
	rc = ghauth_config_load(&c, fake_getenv, bad_redirect, err,
	    sizeof(err));
	ok(rc == GHAUTH_E_CONFIG && strstr(err, SECRET) == NULL,
	    "env: http redirect off localhost -> config, no secret in err");
	is_int(ghauth_config_load(&c, fake_getenv, bad_store, err,
	    sizeof(err)), GHAUTH_E_CONFIG, "env: relative GHAUTH_STORE -> "
	    "config");

	/* GHAUTH_CONFIG names the file; a missing one is not ignored. */
	snprintf(path, sizeof(path), "%s/good.json", dir);
	snprintf(var, sizeof(var), "GHAUTH_CONFIG=%s", path);
	with_file[0] = var;
	with_file[1] = "GITHUB_CLIENT_ID=ignored";
	with_file[2] = NULL;
	rc = ghauth_config_load(&c, fake_getenv, with_file, err, sizeof(err));
	ok(rc == GHAUTH_OK && strcmp(c.client_id, "abc") == 0 &&
	    strcmp(c.path, path) == 0, "GHAUTH_CONFIG file wins over the "
	    "environment");
	ghauth_config_free(&c);
	snprintf(var, sizeof(var), "GHAUTH_CONFIG=%s/nope.json", dir);
	is_int(ghauth_config_load(&c, fake_getenv, with_file, err,
	    sizeof(err)), GHAUTH_E_CONFIG, "GHAUTH_CONFIG missing file -> "
	    "config error, no fallback");
}

int
main(void)
{
	const char	*dir;

	plan(634);
	dir = tmpdir_create("ghauth-test-config");
	test_defaults();
	test_expansion();
	test_numbers();
	test_enabled();
	test_revoke_token();
	test_bad_documents();
	test_guard();
	test_redirect_uri();
	test_base_urls();
	test_paths();
	test_restrict_to();
	test_unknown_keys();
	test_schema();
	test_report_all();
	test_llms_json();
	test_err_buffer();
	test_files(dir);
	test_load(dir);
	tmpdir_remove();
	return done_testing();
}
