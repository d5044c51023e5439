/*
 * ep_logout.c - POST /auth/logout: end the session named by the
 * X-Session-Token header or the session cookie, and expire the cookie.
 * Idempotent: an unknown or missing token is still a success.  With the
 * cookie alone the request must come from our own origin (Origin header or
 * Sec-Fetch-Site), since a cookie rides along on cross-site requests; a
 * custom header cannot be sent cross-site without CORS, which we never
 * grant.
 */
#include "config.h"

#include <string.h>

#include <jansson.h>

#include "ghauth-int.h"

static int
same_origin(const struct ghauth_config *cfg, const struct ghauthp_request *req)
{
	if (req->origin != NULL && (cfg->origin == NULL ||
	    strcmp(req->origin, cfg->origin) != 0))
		return 0;
	if (req->sec_fetch_site != NULL &&
	    strcmp(req->sec_fetch_site, "same-origin") != 0 &&
	    strcmp(req->sec_fetch_site, "none") != 0)
		return 0;
	return 1;
}

/* The session cookie alone, ignoring a malformed X-Session-Token. */
static int
cookie_token(const struct ghauth_config *cfg, const struct ghauthp_request *req,
    char tok[GHAUTHP_TOKEN_LEN + 1], int *from_cookie)
{
	struct ghauthp_request	 r = *req;

	r.session_token_present = 0;
	r.session_token = NULL;
	return ghauthp_request_token(cfg, &r, tok, from_cookie) == GHAUTH_OK;
}

static enum ghauth_err
end_session(const struct ghauth_config *cfg, const char *tok)
{
	enum ghauth_err	 rc;
	char		 tag[9];

	if ((rc = ghauthp_session_end(cfg, tok)) == GHAUTH_OK) {
		ghauthp_token_tag(tok, tag);
		ghauthp_log("logout: session %s ended", tag);
	}
	return rc;
}

int
ghauthp_ep_logout(struct ghauthp_call *c, struct ghauth_response *resp)
{
	const struct ghauth_config *cfg = c->cfg;
	const struct ghauthp_request *req = &c->req;
	char		 tok[GHAUTHP_TOKEN_LEN + 1];
	enum ghauth_err	 rc = GHAUTH_OK;
	int		 from_cookie = 0;
	json_t		*j;

	tok[0] = '\0';
	/* RFC 3875 4.2: the body is not needed, so a large one is refused. */
	if (req->content_length > GHAUTHP_BODY_MAX) {
		rc = GHAUTH_E_TOOLARGE;
		goto out;
	}
	/*
	 * Unlike a session check, logout falls back to the cookie when the
	 * header is malformed: answering "logged out" while the cookie's
	 * session lives on would mislead the user.
	 */
	if (ghauthp_request_token(cfg, req, tok, &from_cookie) == GHAUTH_OK ||
	    (req->session_token_present && cookie_token(cfg, req, tok,
	    &from_cookie))) {
		if (from_cookie && !same_origin(cfg, req)) {
			ghauthp_log("logout: cross-site request refused");
			rc = GHAUTH_E_CROSS_SITE;
			goto out;
		}
		if ((rc = end_session(cfg, tok)) != GHAUTH_OK)
			goto out;
	}
	ghauthp_response_cookie(resp, cfg, ghauthp_session_cookie(cfg), "", 0);
	if ((j = json_pack("{sb}", "success", 1)) == NULL ||
	    !ghauthp_response_json(resp, 200, j))
		rc = GHAUTH_E_NOMEM;
	json_decref(j);
out:
	if (rc != GHAUTH_OK)
		ghauthp_ep_fail(cfg, NULL, resp, rc, NULL);
	ghauthp_wipe(tok, sizeof(tok));
	return 0;
}
