/*
 * error.c - the one place where a library error becomes an HTTP status and
 * the message a user reads.  Every message here is listed, with its cause
 * and fix, in docs/TROUBLESHOOTING.md (a test checks that).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "ghauth-int.h"

static const struct {
	int		 status;
	const char	*name;
	const char	*message;
} errors[GHAUTH_E__MAX] = {
	[GHAUTH_OK] = { 200, "ok", "OK" },
	[GHAUTH_E_NOMEM] = { 500, "nomem", "Internal server error" },
	[GHAUTH_E_INTERNAL] = { 500, "internal", "Internal server error" },
	[GHAUTH_E_METHOD] = { 405, "method", "Method not allowed" },
	[GHAUTH_E_NOTFOUND] = { 404, "notfound", "Not found" },
	[GHAUTH_E_BADREQ] = { 400, "badreq", "Bad request" },
	[GHAUTH_E_TOOLARGE] = { 413, "toolarge", "Request too large" },
	[GHAUTH_E_DISABLED] = { 404, "disabled",
	    "GitHub sign-in is disabled" },
	[GHAUTH_E_NOTCONFIGURED] = { 500, "notconfigured",
	    "GitHub OAuth not configured" },
	[GHAUTH_E_CONFIG] = { 500, "config", "Server configuration error" },
	[GHAUTH_E_MISSING_CODE_STATE] = { 400, "missing",
	    "Missing code or state parameter" },
	[GHAUTH_E_BAD_CODE] = { 400, "badcode", "Invalid code parameter" },
	[GHAUTH_E_BAD_STATE] = { 400, "badstate", "Invalid state parameter" },
	[GHAUTH_E_GH_CANCELLED] = { 403, "cancelled",
	    "Sign-in was cancelled on GitHub" },
	[GHAUTH_E_GH_SUSPENDED] = { 403, "suspended",
	    "This application is suspended on GitHub" },
	[GHAUTH_E_GH_REDIRECT_MISMATCH] = { 400, "redirectmismatch",
	    "GitHub rejected the redirect_uri of this application" },
	[GHAUTH_E_GH_ERROR] = { 400, "gherror",
	    "GitHub could not complete the sign-in" },
	[GHAUTH_E_OAUTH] = { 400, "oauth", "OAuth error: %s" },
	[GHAUTH_E_GH_UNREACHABLE] = { 502, "unreachable",
	    "Could not reach GitHub" },
	[GHAUTH_E_GH_BADANSWER] = { 502, "badanswer",
	    "Unexpected answer from GitHub" },
	[GHAUTH_E_GH_RATELIMIT] = { 503, "ratelimit",
	    "GitHub rate limit reached, try again later" },
	[GHAUTH_E_DENIED] = { 403, "denied",
	    "Access denied. User '%s' is not authorized to access this application." },
	[GHAUTH_E_SESSION] = { 401, "session", "Invalid or expired session" },
	[GHAUTH_E_CROSS_SITE] = { 403, "crosssite",
	    "Cross-site request refused" },
	[GHAUTH_E_BUSY] = { 503, "busy", "Service busy, try again shortly" },
	[GHAUTH_E_STORE] = { 503, "store", "Session store unavailable" },
	[GHAUTH_E_AUTH_REQUIRED] = { 401, "authrequired",
	    "Authentication required" },
};

static int
valid(enum ghauth_err e)
{
	return (int)e >= 0 && e < GHAUTH_E__MAX;
}

int
ghauthp_err_status(enum ghauth_err e)
{
	return valid(e) ? errors[e].status : 500;
}

const char *
ghauthp_err_name(enum ghauth_err e)
{
	return valid(e) ? errors[e].name : "internal";
}

/*
 * Formats the user-facing message of r into buf.  Only OAUTH and DENIED
 * take a detail; it was validated where it was produced (printable, capped).
 * Returns 1, or 0 if buf was too small (buf then holds a truncated message).
 */
int
ghauthp_err_message(const struct ghauthp_result *r, char *buf, size_t sz)
{
	enum ghauth_err	 e = valid(r->err) ? r->err : GHAUTH_E_INTERNAL;
	int		 n;

	/* Literal formats, so the compiler checks them. */
	if (e == GHAUTH_E_OAUTH)
		n = snprintf(buf, sz, "OAuth error: %s", r->detail);
	else if (e == GHAUTH_E_DENIED)
		n = snprintf(buf, sz, "Access denied. User '%s' is not "
		    "authorized to access this application.", r->detail);
	else
		n = snprintf(buf, sz, "%s", errors[e].message);
	return n >= 0 && (size_t)n < sz;
}

/* Sets r to the error e, with detail (may be NULL) for the log. */
void
ghauthp_result(struct ghauthp_result *r, enum ghauth_err e, const char *detail)
{
	r->err = e;
	r->detail[0] = '\0';
	if (detail != NULL)
		snprintf(r->detail, sizeof(r->detail), "%s", detail);
}
