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

static const struct ghauth_qkey qkeys[Q__MAX] = {
	[Q_SESSION] = { "session", ghauth_valid_token },
};

/*
 * Consumes the hand-off and recovers the session token it stands for into
 * token.  Returns GHAUTH_OK, GHAUTH_E_SESSION or a store error.
 */
static enum ghauth_err
exchange(const struct ghauth_config *cfg, const char *handoff,
    char token[GHAUTH_TOKEN_LEN + 1])
{
	struct ghauthp_store	*st;
	struct ghauthp_record	 r;
	unsigned char		 key[GHAUTHP_KEY_LEN], pad[32], raw[32];
	unsigned char		*v = NULL;
	size_t			 vlen = 0, i;
	enum ghauth_err		 rc, grc;
	time_t			 now = ghauthp_now();
	int			 ok;

	ghauthp_key(GHAUTHP_KIND_HANDOFF, handoff, key);
	if ((rc = ghauthp_store_open(&st, cfg->store, GHAUTHP_STORE_WRITE,
	    cfg->lock_timeout_ms)) != GHAUTH_OK)
		return rc;
	grc = ghauthp_store_get(st, key, sizeof(key), &v, &vlen);
	if (grc == GHAUTH_OK)
		rc = ghauthp_store_del(st, key, sizeof(key));
	else if (grc != GHAUTH_E_SESSION)
		rc = grc;
	if (rc != GHAUTH_OK) {
		free(v);
		ghauthp_store_abort(st);
		return rc;
	}
	if ((rc = ghauthp_store_close(st)) != GHAUTH_OK || grc != GHAUTH_OK) {
		free(v);
		if (rc == GHAUTH_OK)
			ghauth_log("session: hand-off unknown or already used");
		return rc != GHAUTH_OK ? rc : GHAUTH_E_SESSION;
	}
	ok = ghauthp_record_decode(key, sizeof(key), v, vlen, &r) == 0;
	free(v);
	if (!ok || r.type != GHAUTHP_REC_HANDOFF || now >= r.expires) {
		ghauth_log("session: hand-off %s", ok ? "expired" :
		    "failed its integrity check");
		if (ok)
			ghauthp_record_free(&r);
		return GHAUTH_E_SESSION;
	}
	ghauthp_handoff_pad(handoff, pad);
	for (i = 0; i < sizeof(raw); i++)
		raw[i] = r.masked[i] ^ pad[i];
	ghauth_b64url_encode(raw, sizeof(raw), token, GHAUTH_TOKEN_LEN + 1);
	ghauthp_wipe(raw, sizeof(raw));
	ghauthp_wipe(pad, sizeof(pad));
	ghauthp_record_free(&r);
	return GHAUTH_OK;
}

/*
 * GET /auth/session (with_token) and GET /auth (without): the same checks,
 * the same hand-off exchange, and the same identity, except that /auth
 * never writes the session token into the answer and calls a missing
 * session "Authentication required" (llms.py v4's).  /auth takes a
 * ?session= hand-off too, so a page that signs in with the cookie alone
 * can burn the hand-off in its URL without ever holding the token.
 */
static void
identity(const struct ghauth_config *cfg, const struct ghauth_request *req,
    struct ghauth_response *resp, int with_token)
{
	struct ghauth_qval	 q[Q__MAX];
	struct ghauth_identity	 id;
	char			 tok[GHAUTH_TOKEN_LEN + 1];
	char			 mine[GHAUTH_TOKEN_LEN + 1];
	enum ghauth_err		 rc, trc;
	int			 from_cookie = 0;

	memset(q, 0, sizeof(q));
	memset(&id, 0, sizeof(id));
	tok[0] = mine[0] = '\0';
	if (!ghauthp_ep_check(cfg, req, resp, GHAUTH_METHOD_GET, "GET", 1))
		return;
	if ((rc = ghauth_query_parse(req->query, qkeys, Q__MAX, q)) !=
	    GHAUTH_OK)
		goto out;
	trc = ghauth_request_token(cfg, req, mine, &from_cookie);
	if (q[Q_SESSION].present) {
		if (!q[Q_SESSION].valid) {
			rc = GHAUTH_E_SESSION;
			goto out;
		}
		if ((rc = exchange(cfg, q[Q_SESSION].value, tok)) !=
		    GHAUTH_OK)
			goto out;
		/* The hand-off is bound to the browser that signed in. */
		if (trc != GHAUTH_OK ||
		    !ghauth_ct_equal(tok, mine, GHAUTH_TOKEN_LEN)) {
			ghauth_log("session: hand-off presented without its "
			    "session cookie");
			rc = GHAUTH_E_SESSION;
			goto out;
		}
	} else if ((rc = trc) != GHAUTH_OK)
		goto out;
	else
		memcpy(tok, mine, sizeof(tok));
	if ((rc = ghauth_session_lookup(cfg, tok, &id)) != GHAUTH_OK)
		goto out;
	if (!ghauthp_identity_json(&id, with_token ? tok : NULL, resp))
		rc = GHAUTH_E_NOMEM;
out:
	if (rc != GHAUTH_OK) {
		/* A dead session cookie (not a bad hand-off) is dropped. */
		if (rc == GHAUTH_E_SESSION && from_cookie &&
		    !q[Q_SESSION].present)
			ghauth_response_cookie(resp, cfg,
			    ghauthp_session_cookie(cfg), "", 0);
		if (rc == GHAUTH_E_SESSION && !with_token)
			rc = GHAUTH_E_AUTH_REQUIRED;
		ghauthp_ep_fail(cfg, NULL, resp, rc, NULL);
	}
	ghauth_identity_free(&id);
	ghauth_query_free(q, Q__MAX);
	ghauthp_wipe(tok, sizeof(tok));
	ghauthp_wipe(mine, sizeof(mine));
}

void
ghauth_ep_session(const struct ghauth_config *cfg,
    const struct ghauth_request *req, struct ghauth_response *resp)
{
	identity(cfg, req, resp, 1);
}

void
ghauth_ep_auth(const struct ghauth_config *cfg,
    const struct ghauth_request *req, struct ghauth_response *resp)
{
	identity(cfg, req, resp, 0);
}
