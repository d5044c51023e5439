/*
 * ep_callback.c - GET /auth/github/callback: finish a sign-in.
 *
 * Three phases, never holding the store lock across the network:
 *   1. check the state is bound to this browser (cookie, constant time),
 *      then consume it - taken from the store in one atomic step
 *      (tokens.c), so two web servers racing on it cannot both win -
 *      before GitHub is contacted (RFC 9700 2.1, 4.2.4);
 *   2. exchange the code with the PKCE verifier and read the user (no lock);
 *   3. check the allowlist, store the session and a single-use hand-off,
 *      commit (tokens.c), and only then send the cookie and the redirect.
 * The URL the browser lands on carries the hand-off, never the session
 * token (RFC 6749 3.1.2.5, ASVS 5.0 14.2.1).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ghauth-int.h"

enum { Q_CODE, Q_STATE, Q_ERROR, Q__MAX };

static const struct ghauthp_qkey qkeys[Q__MAX] = {
	[Q_CODE] = { "code", ghauthp_valid_code },
	[Q_STATE] = { "state", ghauthp_valid_token },
	[Q_ERROR] = { "error", ghauthp_valid_error },
};

/* The state cookie must equal the state in the URL. */
static int
bound(const struct ghauth_config *cfg, const struct ghauthp_request *req,
    const char *state)
{
	char	 c[GHAUTHP_TOKEN_LEN + 2];
	int	 ok;

	ok = ghauthp_cookie_get(req->cookie, ghauthp_state_cookie(cfg), c,
	    sizeof(c)) == 1 && strlen(c) == GHAUTHP_TOKEN_LEN &&
	    ghauthp_ct_equal(c, state, GHAUTHP_TOKEN_LEN);
	ghauthp_wipe(c, sizeof(c));
	return ok;
}

static enum ghauth_err
github_error(const char *e)
{
	if (strcmp(e, "access_denied") == 0)
		return GHAUTH_E_GH_CANCELLED;
	if (strcmp(e, "application_suspended") == 0)
		return GHAUTH_E_GH_SUSPENDED;
	if (strcmp(e, "redirect_uri_mismatch") == 0)
		return GHAUTH_E_GH_REDIRECT_MISMATCH;
	return GHAUTH_E_GH_ERROR;
}

/* Location: origin + (redirect or "/") + ?session=<hand-off>. */
static char *
landing_url(const struct ghauth_config *cfg, const char *redirect,
    const char *handoff)
{
	char	*u = NULL;
	size_t	 len = 0, cap = 0;
	const char *path = redirect != NULL ? redirect : "/";
	int	 ok;

#define ADD(s)	ghauthp_str_append(&u, &len, &cap, (s), strlen(s))
	ok = ADD(cfg->origin) && ADD(path) &&
	    ADD(strchr(path, '?') != NULL ? "&session=" : "?session=") &&
	    ADD(handoff);
#undef ADD
	if (!ok) {
		free(u);
		return NULL;
	}
	return u;
}

int
ghauthp_ep_callback(struct ghauthp_call *c, struct ghauth_response *resp)
{
	const struct ghauth_config *cfg = c->cfg;
	const struct ghauthp_request *req = &c->req;
	struct ghauthp_qval	 q[Q__MAX];
	struct ghauthp_record	 rec;
	struct ghauthp_gh_user	 user;
	struct ghauthp_result	 res;
	char			 token[GHAUTHP_TOKEN_LEN + 1];
	char			 handoff[GHAUTHP_TOKEN_LEN + 1];
	char			 tag[9];
	char			*url = NULL, *groups = NULL;
	enum ghauth_err		 rc;
	int			 keep_state_cookie = 0;

	memset(q, 0, sizeof(q));
	memset(&rec, 0, sizeof(rec));
	memset(&user, 0, sizeof(user));
	ghauthp_result(&res, GHAUTH_OK, NULL);
	token[0] = handoff[0] = '\0';
	if (cfg->client_id == NULL || cfg->client_id[0] == '\0' ||
	    cfg->client_secret == NULL || cfg->client_secret[0] == '\0' ||
	    cfg->origin == NULL) {
		ghauthp_log("callback: client_id, client_secret or redirect_uri "
		    "is not set");
		res.err = GHAUTH_E_NOTCONFIGURED;
		goto out;
	}
	if ((res.err = ghauthp_query_parse(req->query, qkeys, Q__MAX, q)) !=
	    GHAUTH_OK)
		goto out;
	if (q[Q_ERROR].present) {
		/* GitHub sent an error instead of a code: do not contact it. */
		if (q[Q_STATE].valid && bound(cfg, req, q[Q_STATE].value) &&
		    ghauthp_state_take(cfg, q[Q_STATE].value, &rec) == GHAUTH_OK)
			ghauthp_record_free(&rec);
		res.err = q[Q_ERROR].valid ? github_error(q[Q_ERROR].value) :
		    GHAUTH_E_GH_ERROR;
		ghauthp_log("callback: GitHub returned error %s",
		    q[Q_ERROR].valid ? q[Q_ERROR].value : "(malformed)");
		goto out;
	}
	if (!q[Q_CODE].present || q[Q_CODE].empty || !q[Q_STATE].present ||
	    q[Q_STATE].empty) {
		res.err = GHAUTH_E_MISSING_CODE_STATE;
		goto out;
	}
	if (!q[Q_STATE].valid) {
		ghauthp_log("callback: malformed state");
		res.err = GHAUTH_E_BAD_STATE;
		goto out;
	}
	if (!q[Q_CODE].valid) {
		res.err = GHAUTH_E_BAD_CODE;
		goto out;
	}
	if (!bound(cfg, req, q[Q_STATE].value)) {
		ghauthp_log("callback: state cookie missing or different: the "
		    "sign-in did not start in this browser");
		res.err = GHAUTH_E_BAD_STATE;
		goto out;
	}
	if ((res.err = ghauthp_state_take(cfg, q[Q_STATE].value, &rec)) !=
	    GHAUTH_OK) {
		/* A busy store consumed nothing: the browser may retry. */
		keep_state_cookie = res.err == GHAUTH_E_BUSY ||
		    res.err == GHAUTH_E_STORE;
		goto out;
	}
	if ((rc = ghauthp_github_signin(cfg, q[Q_CODE].value, rec.verifier,
	    &user, &groups, &res)) != GHAUTH_OK) {
		res.err = rc;
		goto out;
	}
	/* groups: the org:/team: entries of which the user is a member. */
	if (groups == NULL &&
	    !ghauthp_allow_match(&cfg->allow, user.id, user.login)) {
		ghauthp_log("callback: access denied for user %s (id %llu): not "
		    "on the allowlist", user.login, (unsigned long long)user.id);
		ghauthp_result(&res, GHAUTH_E_DENIED, user.login);
		goto out;
	}
	if ((res.err = ghauthp_session_create(cfg, &user, groups, token,
	    handoff)) != GHAUTH_OK)
		goto out;
	if ((url = landing_url(cfg, rec.redirect, handoff)) == NULL) {
		res.err = GHAUTH_E_NOMEM;
		goto out;
	}
	ghauthp_token_tag(token, tag);
	ghauthp_log("callback: signed in %s (id %llu), session %s", user.login,
	    (unsigned long long)user.id, tag);
	if (!cfg->allow.any && cfg->allow.n == 0)
		ghauthp_log("callback: this site admits any GitHub account: "
		    "auth.github.restrict_to is not set (list who may sign in, "
		    "or write \"*\" to make it explicit)");
	ghauthp_response_cookie(resp, cfg, ghauthp_session_cookie(cfg), token,
	    cfg->session_ttl);
	ghauthp_response_redirect(resp, url);
out:
	/* Otherwise the state cookie has done its job, whatever happened. */
	if (!keep_state_cookie)
		ghauthp_response_cookie(resp, cfg, ghauthp_state_cookie(cfg), "",
		    0);
	if (res.err != GHAUTH_OK)
		ghauthp_response_error(resp, req, cfg, &res);
	if (url != NULL)
		ghauthp_wipe(url, strlen(url));
	free(url);
	ghauthp_wipe(token, sizeof(token));
	ghauthp_wipe(handoff, sizeof(handoff));
	ghauthp_gh_user_free(&user);
	free(groups);
	ghauthp_record_free(&rec);
	ghauthp_query_free(q, Q__MAX);
	return 0;
}
