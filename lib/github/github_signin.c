/*
 * github_signin.c - what the callback asks of GitHub, in order: the token
 * for the code (github.c), the user, the memberships the allowlist needs
 * (github_orgs.c), and the revocation of the token whatever happened.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "ghauth-int.h"

/*
 * Exchanges code (with the PKCE verifier), reads the user and, when the
 * allowlist has org:/team: entries, the memberships (*groups: the entries
 * the user is an active member of, comma-separated, or NULL; free it).
 * Then the access token is revoked (github_orgs.c) whatever happened, so
 * none outlives the sign-in.  On error, u and *groups are empty and res
 * may hold a detail (OAuth error_description).
 */
enum ghauth_err
ghauthp_github_signin(const struct ghauth_config *cfg, const char *code,
    const char *verifier, struct ghauthp_gh_user *u, char **groups,
    struct ghauthp_result *res)
{
	char		*token = NULL;
	enum ghauth_err	 rc;

	memset(u, 0, sizeof(*u));
	*groups = NULL;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return GHAUTH_E_INTERNAL;
	rc = ghauthp_gh_exchange(cfg, code, verifier, &token, res);
	if (rc == GHAUTH_OK)
		rc = ghauthp_gh_get_user(cfg, token, u);
	if (rc == GHAUTH_OK && cfg->allow.ngroups > 0)
		rc = ghauthp_gh_memberships(cfg, token, u->login, groups);
	if (token != NULL) {
		if (cfg->revoke_token)
			ghauthp_gh_revoke(cfg, token);
		ghauthp_wipe(token, strlen(token));
		free(token);
	}
	if (rc != GHAUTH_OK) {
		ghauthp_gh_user_free(u);
		free(*groups);
		*groups = NULL;
	}
	curl_global_cleanup();
	return rc;
}
