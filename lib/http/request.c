/*
 * request.c - the CGI request (RFC 3875 section 4.1): the few
 * meta-variables ghauth uses are copied once, bounded and checked here.
 * Nothing else from the environment is read, and every value that could
 * reach a decision has passed a length cap and a control-byte check.  The
 * environment itself is read through ghauth_getenv_cgi() alone.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ghauth-int.h"

/*
 * Copies an optional variable; TOOLARGE past max, BADREQ on a control byte.
 * Header values (HTTP_*) may hold horizontal tabs (RFC 9110 5.5 OWS).
 */
enum ghauth_err
ghauthp_request_var(ghauth_getenv_fn fn, void *ctx, const char *name,
    size_t max, char **out)
{
	const char	*v = fn(ctx, name);
	size_t		 n, i;
	int		 tab_ok = strncmp(name, "HTTP_", 5) == 0;

	*out = NULL;
	if (v == NULL)
		return GHAUTH_OK;
	if ((n = strlen(v)) > max) {
		ghauthp_log("request: %s longer than %zu bytes", name, max);
		return GHAUTH_E_TOOLARGE;
	}
	for (i = 0; i < n; i++)
		if (((unsigned char)v[i] < 0x20 && !(tab_ok && v[i] == '\t')) ||
		    (unsigned char)v[i] == 0x7f)
			break;
	if (i < n) {
		ghauthp_log("request: control byte in %s", name);
		return GHAUTH_E_BADREQ;
	}
	return (*out = ghauthp_strndup(v, n)) == NULL ? GHAUTH_E_NOMEM :
	    GHAUTH_OK;
}

/*
 * X-Session-Token: like ghauthp_request_var, except that a value past the
 * cap is no reason to refuse the request.  No token is that long, so it is
 * an unknown token: *out is set to "" (present, never valid), and the
 * endpoint answers it as it answers any unknown token (401 on
 * /auth/session).  A control byte stays a bad request.
 */
enum ghauth_err
ghauthp_request_token_var(ghauth_getenv_fn fn, void *ctx, char **out)
{
	enum ghauth_err	 rc;

	rc = ghauthp_request_var(fn, ctx, "HTTP_X_SESSION_TOKEN",
	    GHAUTHP_HEADER_MAX, out);
	if (rc == GHAUTH_E_TOOLARGE)
		rc = (*out = ghauthp_strdup("")) == NULL ? GHAUTH_E_NOMEM :
		    GHAUTH_OK;
	return rc;
}

/*
 * The one reader of the process environment (every program, the C API,
 * ghauth-admin): getenv(3), with a fallback for programs reached through
 * an Apache internal redirect (Action, ErrorDocument): Apache renames the
 * variables of the first request to REDIRECT_<name>, so SetEnv
 * GHAUTH_CONFIG in a .htaccess arrives as REDIRECT_GHAUTH_CONFIG.  Only
 * ghauth's own names (GHAUTH_*, GITHUB_*) fall back that way; a client
 * cannot set either form (its headers all become HTTP_*).
 */
const char *
ghauth_getenv_cgi(void *ctx GHAUTHP_UNUSED, const char *name)
{
	const char	*v;
	char		 buf[160];
	int		 n;

	if ((v = getenv(name)) != NULL)
		return v;
	if (strncmp(name, "GHAUTH_", 7) != 0 && strncmp(name, "GITHUB_", 7) != 0)
		return NULL;
	n = snprintf(buf, sizeof(buf), "REDIRECT_%s", name);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return NULL;
	return getenv(buf);
}

static enum ghauthp_method
method(const char *m)
{
	if (m == NULL || *m == '\0')
		return GHAUTHP_METHOD_NONE;
	/* RFC 3875 4.1.12: the method is case-sensitive. */
	if (strcmp(m, "GET") == 0)
		return GHAUTHP_METHOD_GET;
	if (strcmp(m, "HEAD") == 0)
		return GHAUTHP_METHOD_HEAD;
	if (strcmp(m, "POST") == 0)
		return GHAUTHP_METHOD_POST;
	return GHAUTHP_METHOD_OTHER;
}

/* CONTENT_LENGTH: absent (-1) or 1*DIGIT without overflow. */
static enum ghauth_err
content_length(const char *v, long long *out)
{
	long long	 n = 0;

	*out = -1;
	if (v == NULL || *v == '\0')
		return GHAUTH_OK;
	if (strlen(v) > 18)
		return GHAUTH_E_BADREQ;
	for (; *v != '\0'; v++) {
		if (!isdigit((unsigned char)*v))
			return GHAUTH_E_BADREQ;
		n = n * 10 + (*v - '0');
	}
	*out = n;
	return GHAUTH_OK;
}

/*
 * Reads the request.  On error the struct is still safe to free and the
 * method is set, so the caller can answer 405 before anything else.
 */
enum ghauth_err
ghauthp_request_read(struct ghauthp_request *r, ghauth_getenv_fn fn, void *ctx)
{
	enum ghauth_err	 rc;
	const char	*pi, *https;

	memset(r, 0, sizeof(*r));
	r->content_length = -1;
	r->method = method(fn(ctx, "REQUEST_METHOD"));
	pi = fn(ctx, "PATH_INFO");
	r->path_info = pi != NULL && *pi != '\0';
	https = fn(ctx, "HTTPS");
	r->https = https != NULL && (strcmp(https, "on") == 0 ||
	    strcmp(https, "1") == 0);
	if ((rc = ghauthp_request_var(fn, ctx, "QUERY_STRING",
	    GHAUTHP_QUERY_MAX, &r->query)) ||
	    (rc = ghauthp_request_var(fn, ctx, "HTTP_COOKIE",
	    GHAUTHP_COOKIE_MAX, &r->cookie)) ||
	    (rc = ghauthp_request_var(fn, ctx, "HTTP_ACCEPT",
	    GHAUTHP_HEADER_MAX, &r->accept)) ||
	    (rc = ghauthp_request_var(fn, ctx, "HTTP_ORIGIN",
	    GHAUTHP_HEADER_MAX, &r->origin)) ||
	    (rc = ghauthp_request_var(fn, ctx, "HTTP_SEC_FETCH_SITE",
	    GHAUTHP_HEADER_MAX, &r->sec_fetch_site)) ||
	    (rc = ghauthp_request_token_var(fn, ctx, &r->session_token)) ||
	    (rc = content_length(fn(ctx, "CONTENT_LENGTH"),
	    &r->content_length)))
		return rc;
	r->session_token_present = r->session_token != NULL;
	return GHAUTH_OK;
}

void
ghauthp_request_free(struct ghauthp_request *r)
{
	if (r->session_token != NULL)
		ghauthp_wipe(r->session_token, strlen(r->session_token));
	if (r->cookie != NULL)
		ghauthp_wipe(r->cookie, strlen(r->cookie));
	if (r->query != NULL)
		ghauthp_wipe(r->query, strlen(r->query));
	free(r->query);
	free(r->cookie);
	free(r->accept);
	free(r->origin);
	free(r->sec_fetch_site);
	free(r->session_token);
	memset(r, 0, sizeof(*r));
}

/* JSON errors when the client asks for JSON and not for HTML. */
int
ghauthp_request_wants_json(const struct ghauthp_request *r)
{
	return r->accept != NULL && strstr(r->accept, "application/json") &&
	    strstr(r->accept, "text/html") == NULL;
}
