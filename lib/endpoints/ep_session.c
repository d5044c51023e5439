/*
 * ep_session.c - GET /auth/session and GET /auth: who is signed in?
 *
 * The token comes from X-Session-Token or the session cookie.  In
 * ?session= only a hand-off is accepted: it is consumed on first use, must
 * not be expired (60 s), and must belong to the session whose cookie (or
 * header) the same request carries, so a hand-off URL sent to someone else
 * signs nobody in.  A session token itself is never taken from a URL.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ghauth-int.h"

enum { Q_SESSION, Q__MAX };

static const struct ghauthp_qkey qkeys[Q__MAX] = {
	[Q_SESSION] = { "session", ghauthp_valid_token },
};

/*
 * GET /auth/session (with_token) and GET /auth (without): the same checks,
 * the same hand-off exchange, and the same identity, except that /auth
 * never writes the session token into the answer and calls a missing
 * session "Authentication required" (llms.py v4's).  /auth takes a
 * ?session= hand-off too, so a page that signs in with the cookie alone
 * can burn the hand-off in its URL without ever holding the token.
 */
static void
identity(const struct ghauth_config *cfg, const struct ghauthp_request *req,
    struct ghauth_response *resp, int with_token)
{
	struct ghauthp_qval	 q[Q__MAX];
	struct ghauth_identity	 id;
	char			 tok[GHAUTHP_TOKEN_LEN + 1];
	char			 mine[GHAUTHP_TOKEN_LEN + 1];
	enum ghauth_err		 rc, trc;
	int			 from_cookie = 0;

	memset(q, 0, sizeof(q));
	memset(&id, 0, sizeof(id));
	tok[0] = mine[0] = '\0';
	if ((rc = ghauthp_query_parse(req->query, qkeys, Q__MAX, q)) !=
	    GHAUTH_OK)
		goto out;
	trc = ghauthp_request_token(cfg, req, mine, &from_cookie);
	if (q[Q_SESSION].present) {
		if (!q[Q_SESSION].valid) {
			rc = GHAUTH_E_SESSION;
			goto out;
		}
		if ((rc = ghauthp_handoff_take(cfg, q[Q_SESSION].value, tok)) !=
		    GHAUTH_OK)
			goto out;
		/* The hand-off is bound to the browser that signed in. */
		if (trc != GHAUTH_OK ||
		    !ghauthp_ct_equal(tok, mine, GHAUTHP_TOKEN_LEN)) {
			ghauthp_log("session: hand-off presented without its "
			    "session cookie");
			rc = GHAUTH_E_SESSION;
			goto out;
		}
	} else if ((rc = trc) != GHAUTH_OK)
		goto out;
	else
		memcpy(tok, mine, sizeof(tok));
	if ((rc = ghauthp_session_lookup(cfg, tok, &id)) != GHAUTH_OK)
		goto out;
	if (!ghauthp_identity_json(&id, with_token ? tok : NULL, resp))
		rc = GHAUTH_E_NOMEM;
out:
	if (rc != GHAUTH_OK) {
		/* A dead session cookie (not a bad hand-off) is dropped. */
		if (rc == GHAUTH_E_SESSION && from_cookie &&
		    !q[Q_SESSION].present)
			ghauthp_response_cookie(resp, cfg,
			    ghauthp_session_cookie(cfg), "", 0);
		if (rc == GHAUTH_E_SESSION && !with_token)
			rc = GHAUTH_E_AUTH_REQUIRED;
		ghauthp_ep_fail(cfg, NULL, resp, rc, NULL);
	}
	ghauth_identity_free(&id);
	ghauthp_query_free(q, Q__MAX);
	ghauthp_wipe(tok, sizeof(tok));
	ghauthp_wipe(mine, sizeof(mine));
}

int
ghauthp_ep_session(struct ghauthp_call *c, struct ghauth_response *resp)
{
	identity(c->cfg, &c->req, resp, 1);
	return 0;
}

int
ghauthp_ep_auth(struct ghauthp_call *c, struct ghauth_response *resp)
{
	identity(c->cfg, &c->req, resp, 0);
	return 0;
}
