/*
 * auth_request.c - cgi-bin/auth-request, for nginx's auth_request (through
 * fcgiwrap): nginx asks it, in a subrequest, whether the request it is
 * about to serve has a session.
 *
 *   - Signed in: 200, no body, with X-Auth-Request-User (the login),
 *     X-Auth-Request-Email (when known and plain printable ASCII),
 *     X-Auth-Request-Id (the numeric GitHub id) and X-Auth-Request-Groups
 *     (the restrict_to org:/team: entries that admitted the session,
 *     comma-separated, when there are any); nginx copies them with
 *     auth_request_set.
 *   - Not signed in: 401.  nginx then answers the client with 401 itself,
 *     or, with "error_page 401 = @name", runs this program once more with
 *     GHAUTH_AUTH_REQUEST_DENY=1 for the refusal every protected resource
 *     gives (ghauth_deny_response: 303 to sign-in for a browser, 401 JSON).
 *   - Server trouble: 5xx (nginx turns any other status into 500).
 *
 * Any method is answered: nginx's subrequest carries the method of the
 * request it protects.  The body is never read.  The rules are those of
 * /auth/session (identify.c); no libcurl.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ghauth-int.h"
#include "protect.h"

/* A value safe in a header that other software parses: printable ASCII. */
static int
plain(const char *s, size_t max)
{
	size_t	 i, n;

	if (s == NULL || (n = strlen(s)) == 0 || n > max)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return 0;
	return 1;
}

static void
allowed(const struct ghauth_identity *id, struct ghauth_response *resp)
{
	resp->status = 200;
	/* The login was checked at sign-in; checked again for the header. */
	if (!ghauthp_valid_login(id->login)) {
		ghauthp_log("stored login is not a GitHub login");
		resp->failed = 1;
		return;
	}
	ghauthp_response_header(resp, "X-Auth-Request-User", "%s", id->login);
	ghauthp_response_header(resp, "X-Auth-Request-Id", "%llu",
	    (unsigned long long)id->id);
	if (plain(id->email, 254))
		ghauthp_response_header(resp, "X-Auth-Request-Email", "%s",
		    id->email);
	/* Entries allow.c checked: letters, digits and ":/-_,". */
	if (plain(id->groups, GHAUTHP_HEADER_MAX))
		ghauthp_response_header(resp, "X-Auth-Request-Groups", "%s",
		    id->groups);
}

/*
 * The answer to nginx's subrequest c (the driver has loaded the
 * configuration: lib/driver/cgi.c).  Always fills resp: returns 0.
 */
int
ghauthp_auth_request(struct ghauthp_call *c, struct ghauth_response *resp)
{
	struct ghauth_identity	 id;
	struct ghauthp_result	 res;
	enum ghauth_err		 rc;
	const char		*deny;

	memset(&id, 0, sizeof(id));
	deny = c->env(c->ctx, "GHAUTH_AUTH_REQUEST_DENY");
	if (deny != NULL && strcmp(deny, "1") == 0) {
		/* nginx's error_page after a 401: nobody is signed in. */
		ghauth_deny_response(c->cfg, c->env, c->ctx, GHAUTH_E_SESSION,
		    resp);
		return 0;
	}
	rc = ghauth_identify_env(c->cfg, c->env, c->ctx, &id);
	if (rc == GHAUTH_OK)
		allowed(&id, resp);
	else {
		/* Malformed cookies are "not signed in" here, not a 4xx
		 * nginx would turn into 500. */
		if (ghauthp_err_status(rc) < 500)
			rc = GHAUTH_E_SESSION;
		ghauthp_result(&res, rc, NULL);
		ghauthp_response_error(resp, NULL, c->cfg, &res);
	}
	ghauth_identity_free(&id);
	return 0;
}
