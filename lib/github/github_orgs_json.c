/*
 * github_orgs_json.c - what GitHub's membership and revocation answers
 * mean, without libcurl (so the unit tests and fuzzers reach it alone).
 *
 * Membership (github-api-facts 15, 16): GET /user/memberships/orgs/{org}
 * for org:ORG, GET /orgs/{org}/teams/{slug}/memberships/{login} for
 * team:ORG/SLUG - the targeted endpoints, not the paginated listings, and
 * the only ones that still answer for a member whose membership is
 * private.  Only "state": "active" is a member; "pending" (an invitation
 * not accepted yet) is not.  404 and 403 mean "not a member": GitHub
 * answers 403 to an app the organisation has not approved (OAuth App
 * access restrictions) or, for a GitHub App, when it is not installed
 * there with the Members permission - both logged with what to do.  Any
 * other answer (5xx, a rate limit, not JSON, a malformed body) is an
 * error: never an admission.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "ghauth-int.h"

/* The organisation of a canonical entry ("org:acme", "team:acme/infra"). */
static void
org_of(const char *entry, char org[65])
{
	const char	*p = strchr(entry, ':');
	size_t		 n;

	org[0] = '\0';
	if (p == NULL)
		return;
	p++;
	n = strcspn(p, "/");
	if (n > 64)
		n = 64;
	memcpy(org, p, n);
	org[n] = '\0';
}

/*
 * The REST path that tells whether login is an active member of entry.
 * Returns 1, or 0 when entry or login is not what allow.c and /user let
 * through (then nothing is asked).
 */
int
ghauthp_gh_member_path(const char *entry, const char *login, char *buf,
    size_t sz)
{
	char	 org[65];
	const char *slug;
	int	 n;

	if (login == NULL || !ghauthp_valid_login(login))
		return 0;
	org_of(entry, org);
	if (!ghauthp_valid_login(org))
		return 0;
	if (strncmp(entry, "org:", 4) == 0 && strchr(entry, '/') == NULL)
		n = snprintf(buf, sz, "/user/memberships/orgs/%s", org);
	else if (strncmp(entry, "team:", 5) == 0 &&
	    (slug = strchr(entry, '/')) != NULL && ghauthp_valid_slug(slug + 1))
		n = snprintf(buf, sz, "/orgs/%s/teams/%s/memberships/%s", org,
		    slug + 1, login);
	else
		return 0;
	return n > 0 && (size_t)n < sz;
}

/* A string member of GitHub's JSON object body, or NULL. */
static char *
member(const struct ghauthp_gh_reply *r, const char *key, size_t max,
    int *malformed)
{
	json_t	*root, *v;
	char	*s = NULL;

	*malformed = 1;
	if (r->body == NULL)
		return NULL;
	root = json_loadb(r->body, r->len, JSON_REJECT_DUPLICATES, NULL);
	if (json_is_object(root)) {
		*malformed = 0;
		v = json_object_get(root, key);
		if (json_is_string(v) && json_string_length(v) <= max &&
		    memchr(json_string_value(v), '\0',
		    json_string_length(v)) == NULL)
			s = ghauthp_strndup(json_string_value(v),
			    json_string_length(v));
		else if (v != NULL)
			*malformed = 1;
	}
	json_decref(root);
	return s;
}

/*
 * What GitHub's answer r to the membership request for entry says.
 * Returns GHAUTH_OK with *active 1 (an active member) or 0 (not a member,
 * logged), or GHAUTH_E_GH_RATELIMIT / GHAUTH_E_GH_BADANSWER (logged).
 */
enum ghauth_err
ghauthp_gh_member_verdict(const char *entry, const struct ghauthp_gh_reply *r,
    int *active)
{
	char	 org[65];
	char	*state, *msg;
	int	 malformed;

	*active = 0;
	org_of(entry, org);
	if ((r->status == 403 || r->status == 429) && r->ratelimited) {
		ghauthp_log("github: %s: rate limited (HTTP %ld)", entry,
		    r->status);
		return GHAUTH_E_GH_RATELIMIT;
	}
	if (r->status == 404) {
		ghauthp_log("github: %s: not a member (HTTP 404)", entry);
		return GHAUTH_OK;
	}
	if (r->status == 403) {
		msg = r->json ? member(r, "message", 4096, &malformed) : NULL;
		if (msg != NULL && strcasestr(msg,
		    "OAuth App access restrictions") != NULL)
			ghauthp_log("github: %s: HTTP 403: organisation %s "
			    "restricts OAuth App access and has not approved "
			    "this app, so nobody is found a member; an owner "
			    "must approve it (organisation settings, "
			    "Third-party access)", entry, org);
		else if (msg != NULL && strcasestr(msg,
		    "not accessible by integration") != NULL)
			ghauthp_log("github: %s: HTTP 403: this GitHub App "
			    "cannot read the members of %s; install it in %s "
			    "with the organisation permission Members: read",
			    entry, org, org);
		else
			ghauthp_log("github: %s: not a member (HTTP 403)",
			    entry);
		free(msg);
		return GHAUTH_OK;
	}
	if (r->status != 200 || !r->json) {
		ghauthp_log("github: %s: HTTP %ld%s", entry, r->status,
		    r->json ? "" : ", not JSON");
		return GHAUTH_E_GH_BADANSWER;
	}
	state = member(r, "state", 32, &malformed);
	if (state == NULL || malformed || (strcmp(state, "active") != 0 &&
	    strcmp(state, "pending") != 0)) {
		free(state);
		ghauthp_log("github: %s: malformed answer", entry);
		return GHAUTH_E_GH_BADANSWER;
	}
	*active = strcmp(state, "active") == 0;
	if (!*active)
		ghauthp_log("github: %s: invitation pending, not a member yet",
		    entry);
	free(state);
	return GHAUTH_OK;
}

/*
 * DELETE /applications/{client_id}/token (github-api-facts 17): the path,
 * the client id percent-encoded.  Returns 1 with *path malloc'd, or 0.
 */
int
ghauthp_gh_revoke_path(const char *client_id, char **path)
{
	size_t	 len = 0, cap = 0;

	*path = NULL;
	if (ghauthp_str_append(path, &len, &cap, "/applications/", 14) &&
	    ghauthp_pct_encode(path, &len, &cap, client_id) &&
	    ghauthp_str_append(path, &len, &cap, "/token", 6))
		return 1;
	free(*path);
	*path = NULL;
	return 0;
}

/* The revocation's JSON body {"access_token": ...}; wipe it after use. */
char *
ghauthp_gh_revoke_body(const char *token)
{
	char	*b = NULL;
	size_t	 len = 0, cap = 0;

	if (ghauthp_str_append(&b, &len, &cap, "{\"access_token\":", 16) &&
	    ghauthp_json_str(&b, &len, &cap, token) &&
	    ghauthp_str_append(&b, &len, &cap, "}", 1))
		return b;
	if (b != NULL)
		ghauthp_wipe(b, cap);
	free(b);
	return NULL;
}
