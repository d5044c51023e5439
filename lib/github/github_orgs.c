/*
 * github_orgs.c - the two things the callback asks GitHub once it knows
 * who signed in, with the user's own token: the memberships behind the
 * allowlist's org:/team: entries, and then the revocation of that token.
 *
 * Every org:/team: entry is asked (not only until one matches), so the
 * session can tell a protected application every entry the user belongs
 * to.  A 5xx is retried once, as for /user; any failure ends the sign-in
 * with 502 - never an admission.  The revocation (DELETE
 * /applications/{client_id}/token, Basic client_id:client_secret, body
 * {"access_token": ...}) runs on success, denial and failure alike; when
 * it fails it is logged and nothing else changes.  Neither the token nor
 * the secret is ever logged.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ghauth-int.h"

/*
 * Asks every org:/team: entry of cfg's allowlist for login (with token).
 * Returns GHAUTH_OK with *groups the entries login is an active member
 * of, comma-separated (malloc'd; NULL when none), or an error (*groups
 * NULL).
 */
enum ghauth_err
ghauthp_gh_memberships(const struct ghauth_config *cfg, const char *token,
    const char *login, char **groups)
{
	const struct ghauth_allow *a = &cfg->allow;
	struct ghauthp_gh_reply	 r;
	char			 path[300];
	size_t			 i, len = 0, cap = 0;
	enum ghauth_err		 rc = GHAUTH_OK;
	int			 attempt, active;

	*groups = NULL;
	memset(&r, 0, sizeof(r));
	for (i = 0; i < a->n && rc == GHAUTH_OK; i++) {
		if (a->kind[i] != GHAUTHP_ALLOW_ORG &&
		    a->kind[i] != GHAUTHP_ALLOW_TEAM)
			continue;
		if (!ghauthp_gh_member_path(a->login[i], login, path,
		    sizeof(path))) {
			rc = GHAUTH_E_INTERNAL;
			break;
		}
		for (attempt = 0; attempt < 2; attempt++) {
			ghauthp_gh_reply_free(&r);
			rc = ghauthp_gh_call(cfg, "GET", path, token, NULL, NULL,
			    NULL, GHAUTHP_MEMBER_BODY_MAX, a->login[i], &r);
			if (rc != GHAUTH_OK || r.status < 500)
				break;
			ghauthp_log("github: %s: HTTP %ld, retrying once",
			    a->login[i], r.status);
		}
		if (rc == GHAUTH_OK)
			rc = ghauthp_gh_member_verdict(a->login[i], &r, &active);
		if (rc == GHAUTH_OK && active && ((len > 0 &&
		    !ghauthp_str_append(groups, &len, &cap, ",", 1)) ||
		    !ghauthp_str_append(groups, &len, &cap, a->login[i],
		    strlen(a->login[i]))))
			rc = GHAUTH_E_NOMEM;
	}
	ghauthp_gh_reply_free(&r);
	if (rc != GHAUTH_OK) {
		free(*groups);
		*groups = NULL;
	}
	return rc;
}

/*
 * Revokes token at GitHub.  Nothing is returned: a failed revocation is
 * logged and the sign-in goes on (the token then lives until it expires
 * or the user revokes the app).
 */
void
ghauthp_gh_revoke(const struct ghauth_config *cfg, const char *token)
{
	struct ghauthp_gh_reply	 r;
	char			*path = NULL, *body = NULL;

	memset(&r, 0, sizeof(r));
	if (!ghauthp_gh_revoke_path(cfg->client_id, &path) ||
	    (body = ghauthp_gh_revoke_body(token)) == NULL) {
		ghauthp_log("github: token revocation: out of memory, the token "
		    "was not revoked");
		goto out;
	}
	if (ghauthp_gh_call(cfg, "DELETE", path, NULL, cfg->client_id,
	    cfg->client_secret, body, GHAUTHP_MEMBER_BODY_MAX,
	    "token revocation", &r) != GHAUTH_OK) {
		ghauthp_log("github: token revocation failed: the token stays "
		    "valid at GitHub until it expires or the user revokes "
		    "the app");
		goto out;
	}
	if (r.status != 204 && r.status != 200)
		ghauthp_log("github: token revocation: HTTP %ld: the token stays "
		    "valid at GitHub until it expires or the user revokes "
		    "the app", r.status);
out:
	ghauthp_gh_reply_free(&r);
	if (body != NULL)
		ghauthp_wipe(body, strlen(body));
	free(body);
	free(path);
}
