/*
 * ep_github.c - GET /auth/github: start a sign-in (RFC 6749 4.1.1 with
 * RFC 7636 PKCE).  A fresh state and PKCE verifier are stored (keyed by the
 * state's hash) and the state is also set as an HttpOnly cookie, binding it
 * to this browser (RFC 6749 10.12, RFC 9700 2.1).  The browser then goes
 * to GitHub's authorize page.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ghauth-int.h"

enum { Q_REDIRECT, Q__MAX };

static const struct ghauthp_qkey qkeys[Q__MAX] = {
	[Q_REDIRECT] = { "redirect", ghauthp_valid_redirect },
};

/* The authorize URL; returns a malloc'd string or NULL. */
static char *
authorize_url(const struct ghauth_config *cfg, const char *state,
    const char *challenge)
{
	char	*u = NULL;
	size_t	 len = 0, cap = 0;
	int	 ok;

#define ADD(s)	ghauthp_str_append(&u, &len, &cap, (s), strlen(s))
	ok = ADD(cfg->authorize_url) && ADD("?client_id=") &&
	    ghauthp_pct_encode(&u, &len, &cap, cfg->client_id) &&
	    ADD("&redirect_uri=") &&
	    ghauthp_pct_encode(&u, &len, &cap, cfg->redirect_uri) &&
	    ADD("&scope=read%3Auser%20user%3Aemail") &&
	    /* Memberships need read:org; ask for it only when used. */
	    (cfg->allow.ngroups == 0 || ADD("%20read%3Aorg")) &&
	    ADD("&state=") && ADD(state) &&
	    ADD("&code_challenge=") && ADD(challenge) &&
	    ADD("&code_challenge_method=S256");
#undef ADD
	if (!ok) {
		free(u);
		return NULL;
	}
	return u;
}

int
ghauthp_ep_github(struct ghauthp_call *c, struct ghauth_response *resp)
{
	const struct ghauth_config *cfg = c->cfg;
	const struct ghauthp_request *req = &c->req;
	struct ghauthp_qval	 q[Q__MAX];
	char			 state[GHAUTHP_TOKEN_LEN + 1];
	char			 challenge[GHAUTHP_TOKEN_LEN + 1];
	char			*url = NULL;
	enum ghauth_err		 rc;

	memset(q, 0, sizeof(q));
	state[0] = '\0';
	if (cfg->client_id == NULL || cfg->client_id[0] == '\0' ||
	    cfg->origin == NULL) {
		ghauthp_log("start: client_id or redirect_uri is not set");
		rc = GHAUTH_E_NOTCONFIGURED;
		goto out;
	}
	if ((rc = ghauthp_query_parse(req->query, qkeys, Q__MAX, q)) !=
	    GHAUTH_OK)
		goto out;
	/* Committed (fsync, or acknowledged) before the state leaves. */
	if ((rc = ghauthp_state_create(cfg, q[Q_REDIRECT].valid ?
	    q[Q_REDIRECT].value : NULL, state, challenge)) != GHAUTH_OK)
		goto out;
	if ((url = authorize_url(cfg, state, challenge)) == NULL) {
		rc = GHAUTH_E_NOMEM;
		goto out;
	}
	ghauthp_response_cookie(resp, cfg, ghauthp_state_cookie(cfg), state,
	    cfg->state_ttl);
	ghauthp_response_redirect(resp, url);
	rc = GHAUTH_OK;
out:
	if (rc != GHAUTH_OK)
		ghauthp_ep_fail(cfg, req, resp, rc, NULL);
	if (url != NULL)
		ghauthp_wipe(url, strlen(url));
	free(url);
	ghauthp_query_free(q, Q__MAX);
	ghauthp_wipe(state, sizeof(state));
	return 0;
}
