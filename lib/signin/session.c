/*
 * session.c - finding the session of a request, shared by /auth/session, the
 * C API and the guard: the token comes from X-Session-Token or the session
 * cookie (never from a URL), its record is read (tokens.c), and expiry
 * (absolute and idle) and the allowlist are checked on every use. The
 * allowlist check means removing a user from restrict_to ends their sessions
 * at once, and removing an org:/team: entry ends the sessions it admitted
 * (the record remembers those entries).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ghauth-int.h"

const char *
ghauthp_session_cookie(const struct ghauth_config *cfg)
{
	/* __Host- requires Secure, hence https (RFC 6265bis 4.1.3.2). */
	return cfg->secure ? "__Host-ghauth_session" : "ghauth_session";
}

const char *
ghauthp_state_cookie(const struct ghauth_config *cfg)
{
	return cfg->secure ? "__Host-ghauth_state" : "ghauth_state";
}

/*
 * The token of this request: X-Session-Token when sent (a malformed header
 * is not silently replaced by the cookie), else the session cookie.
 * Returns GHAUTH_OK or GHAUTH_E_SESSION (absent, malformed, duplicated).
 */
enum ghauth_err
ghauthp_request_token(const struct ghauth_config *cfg,
    const struct ghauthp_request *req, char tok[GHAUTHP_TOKEN_LEN + 1],
    int *from_cookie)
{
	char	 buf[GHAUTHP_TOKEN_LEN + 2];
	int	 rc;

	tok[0] = '\0';
	*from_cookie = 0;
	if (req->session_token_present) {
		if (!ghauthp_valid_token(req->session_token,
		    strlen(req->session_token)))
			return GHAUTH_E_SESSION;
		memcpy(tok, req->session_token, GHAUTHP_TOKEN_LEN + 1);
		return GHAUTH_OK;
	}
	rc = ghauthp_cookie_get(req->cookie, ghauthp_session_cookie(cfg), buf,
	    sizeof(buf));
	if (rc <= 0 || !ghauthp_valid_token(buf, strlen(buf))) {
		if (rc < 0)
			ghauthp_log("session: session cookie repeated or too "
			    "long");
		ghauthp_wipe(buf, sizeof(buf));
		return GHAUTH_E_SESSION;
	}
	memcpy(tok, buf, GHAUTHP_TOKEN_LEN + 1);
	ghauthp_wipe(buf, sizeof(buf));
	*from_cookie = 1;
	return GHAUTH_OK;
}

void
ghauth_identity_free(struct ghauth_identity *id)
{
	free(id->login);
	free(id->name);
	free(id->avatar_url);
	free(id->email);
	free(id->groups);
	memset(id, 0, sizeof(*id));
}

/*
 * Is the session record usable now?  Logs why not.  *still receives the
 * admitting org:/team: entries the current allowlist still holds (NULL:
 * none); -1 is out of memory.
 */
static int
usable(const struct ghauth_config *cfg, const struct ghauthp_record *r,
    time_t now, const char *token, char **still)
{
	const char	*why = NULL;
	char		 tag[9];
	int		 in;

	*still = NULL;
	if (r->type != GHAUTHP_REC_SESSION)
		why = "not a session record";
	else if (now >= r->expires)
		why = "expired";
	else if (cfg->session_idle_ttl > 0 &&
	    now - r->last_seen >= cfg->session_idle_ttl)
		why = "idle too long";
	else if ((in = ghauthp_allow_recheck(&cfg->allow, r->uid, r->login,
	    r->groups, still)) < 0)
		return -1;
	else if (in == 0) {
		ghauthp_token_tag(token, tag);
		ghauthp_log("session %s: user %s (id %llu) no longer on the "
		    "allowlist", tag, r->login, (unsigned long long)r->uid);
		return 0;
	}
	if (why == NULL)
		return 1;
	/* The tag (a hash) is computed only when there is something to log. */
	ghauthp_token_tag(token, tag);
	ghauthp_log("session %s: %s", tag, why);
	return 0;
}

/*
 * Looks up the session of token.  Returns GHAUTH_OK with id filled (free
 * with ghauth_identity_free), GHAUTH_E_SESSION, or a store error.
 */
enum ghauth_err
ghauthp_session_lookup(const struct ghauth_config *cfg, const char *token,
    struct ghauth_identity *id)
{
	struct ghauthp_record	 r;
	enum ghauth_err		 rc;
	char			*still = NULL;
	time_t			 now = ghauthp_now();
	int			 use;

	memset(id, 0, sizeof(*id));
	if (!ghauthp_valid_token(token, strlen(token)))
		return GHAUTH_E_SESSION;
	if ((rc = ghauthp_session_get(cfg, token, &r)) != GHAUTH_OK)
		return rc;
	if ((use = usable(cfg, &r, now, token, &still)) != 1) {
		ghauthp_record_free(&r);
		return use < 0 ? GHAUTH_E_NOMEM : GHAUTH_E_SESSION;
	}
	if (cfg->session_idle_ttl > 0)
		ghauthp_session_touch(cfg, token, now, r.last_seen);
	id->id = r.uid;
	id->login = r.login;
	id->name = r.name;
	id->avatar_url = r.avatar_url;
	id->email = r.email;
	id->groups = still;
	id->created = (time_t)r.created;
	id->expires = (time_t)r.expires;
	id->last_seen = (time_t)r.last_seen;
	r.login = r.name = r.avatar_url = r.email = NULL;
	ghauthp_record_free(&r);
	return GHAUTH_OK;
}

/*
 * The session JSON of the contract (llms.py keys) as a 200 response: with
 * token, /auth/session's (email, sessionToken, created); with token NULL,
 * /auth's (llms.py v4: no token, "authProvider": "github").
 */
int
ghauthp_identity_json(const struct ghauth_identity *id, const char *token,
    struct ghauth_response *resp)
{
	char	*b = NULL;
	char	 num[64];
	size_t	 len = 0, cap = 512;
	int	 ok;

	if ((b = malloc(cap)) == NULL)
		return 0;
	b[0] = '\0';
#define ADD(s)	ghauthp_str_append(&b, &len, &cap, (s), strlen(s))
#define STR(s)	ghauthp_json_str(&b, &len, &cap, (s))
	snprintf(num, sizeof(num), "{\"userId\":\"%llu\",\"userName\":",
	    (unsigned long long)id->id);
	ok = ADD(num) && STR(id->login) &&
	    ADD(",\"displayName\":") && STR(id->name) &&
	    ADD(",\"profileUrl\":") && STR(id->avatar_url);
	if (token != NULL) {
		ok = ok && ADD(",\"email\":") && STR(id->email) &&
		    ADD(",\"sessionToken\":") && STR(token);
		snprintf(num, sizeof(num), ",\"created\":%lld}",
		    (long long)id->created);
		ok = ok && ADD(num);
	} else
		/* GET /auth: llms.py v4's identity, without the token. */
		ok = ok && ADD(",\"authProvider\":\"github\"}");
#undef ADD
#undef STR
	resp->status = 200;
	ok = ok && ghauthp_response_header(resp, "Content-Type",
	    "application/json; charset=utf-8");
	if (ok) {
		free(resp->body);
		resp->body = b;
		resp->body_len = len;
		return 1;
	}
	ghauthp_wipe(b, cap);
	free(b);
	return 0;
}
