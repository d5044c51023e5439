/*
 * identify.c - "who is signed in?" for a site's own programs: the C API of
 * docs/PROTECT.md, also used by the guard, the nginx auth_request program
 * and ghauth-check.
 *
 * ghauth_identify() applies exactly the rules of GET /auth/session
 * (ghauthp_request_token + ghauthp_session_lookup: X-Session-Token or the
 * session cookie, never a URL; absolute and idle expiry; the allowlist
 * re-checked on every use) but leaves the caller's process alone: it does
 * not clear the environment, change the umask or write to stdout, and it
 * pulls in nothing that needs libcurl.  ghauth_deny_response() turns a
 * failure into the answer every protected resource gives: 303 to sign-in
 * for a browser, 401 JSON for an API client, 503/500 for server trouble.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ghauth-int.h"
#include "protect.h"

/*
 * Reads and discards the request body before a refusal is written.  A
 * CGI program may answer without reading it, but Apache's mod_cgid then
 * fails writing the body (EPIPE) and drops the response.  At most
 * GHAUTHP_DRAIN_MAX bytes, never more than CONTENT_LENGTH (RFC 3875 4.2),
 * and for at most a few seconds: past that, the response is simply sent.
 */
void
ghauthp_drain_body(void)
{
	char		 buf[8192];
	const char	*cl = getenv("CONTENT_LENGTH");
	long long	 left = 0;
	ssize_t		 n;
	struct pollfd	 p;
	time_t		 end = ghauthp_now() + 5;
	size_t		 i;

	if (cl == NULL || cl[0] == '\0' || strlen(cl) > 18)
		return;
	for (i = 0; cl[i] != '\0'; i++) {
		if (cl[i] < '0' || cl[i] > '9')
			return;
		left = left * 10 + (cl[i] - '0');
	}
	if (left > GHAUTHP_DRAIN_MAX)
		left = GHAUTHP_DRAIN_MAX;
	while (left > 0 && ghauthp_now() < end) {
		p.fd = STDIN_FILENO;
		p.events = POLLIN;
		p.revents = 0;
		if (poll(&p, 1, 1000) < 0 && errno != EINTR)
			return;
		if (!(p.revents & (POLLIN | POLLHUP)))
			continue;
		n = read(STDIN_FILENO, buf, left > (long long)sizeof(buf) ?
		    sizeof(buf) : (size_t)left);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return;
		left -= n;
	}
}

/*
 * The session of the request described by fn/ctx under configuration cfg.
 * Only the session cookie and X-Session-Token are read: the query string,
 * the body and the method do not matter here (the page they belong to is
 * the caller's).  Returns GHAUTH_OK with id filled (free it with
 * ghauth_identity_free), GHAUTH_E_SESSION (no valid session),
 * GHAUTH_E_DISABLED, GHAUTH_E_TOOLARGE or GHAUTH_E_BADREQ (a malformed
 * header), or a store error (GHAUTH_E_BUSY, GHAUTH_E_STORE).  On error id
 * is zeroed.
 */
enum ghauth_err
ghauth_identify_env(const struct ghauth_config *cfg, ghauth_getenv_fn fn,
    void *ctx, struct ghauth_identity *id)
{
	struct ghauthp_request	 req;
	char			 tok[GHAUTHP_TOKEN_LEN + 1];
	enum ghauth_err		 rc;
	int			 from_cookie;

	memset(id, 0, sizeof(*id));
	memset(&req, 0, sizeof(req));
	tok[0] = '\0';
	if (!cfg->enabled) {
		ghauthp_log("identify: sign-in is disabled (auth.enabled is "
		    "false): nobody is signed in");
		rc = GHAUTH_E_DISABLED;
		goto out;
	}
	if ((rc = ghauthp_request_var(fn, ctx, "HTTP_COOKIE",
	    GHAUTHP_COOKIE_MAX, &req.cookie)) != GHAUTH_OK ||
	    (rc = ghauthp_request_token_var(fn, ctx, &req.session_token)) !=
	    GHAUTH_OK)
		goto out;
	req.session_token_present = req.session_token != NULL;
	if ((rc = ghauthp_request_token(cfg, &req, tok, &from_cookie)) !=
	    GHAUTH_OK)
		goto out;
	rc = ghauthp_session_lookup(cfg, tok, id);
out:
	ghauthp_wipe(tok, sizeof(tok));
	ghauthp_request_free(&req);
	return rc;
}

/*
 * The session of this process's CGI request: the configuration is loaded
 * as the endpoints load it ($GHAUTH_CONFIG, the default file, or the
 * environment), then ghauth_identify_env().  A configuration that does not
 * load is GHAUTH_E_CONFIG (logged to stderr).
 */
enum ghauth_err
ghauth_identify(struct ghauth_identity *id)
{
	struct ghauth_config	 cfg;
	enum ghauth_err		 rc;

	memset(id, 0, sizeof(*id));
	if ((rc = ghauthp_config_open(&cfg, NULL, ghauth_getenv_cgi,
	    NULL)) != GHAUTH_OK)
		return rc == GHAUTH_E_NOMEM ? rc : GHAUTH_E_CONFIG;
	rc = ghauth_identify_env(&cfg, ghauth_getenv_cgi, NULL, id);
	ghauth_config_free(&cfg);
	return rc;
}

const char *
ghauthp_identity_var(const struct ghauth_identity *id, size_t i,
    const char **name, char buf[GHAUTHP_IDVAR_BUF])
{
	buf[0] = '\0';
	switch (i) {
	case 0:
		*name = "GHAUTH_USER_LOGIN";
		return id->login != NULL ? id->login : "";
	case 1:
		*name = "GHAUTH_USER_ID";
		snprintf(buf, GHAUTHP_IDVAR_BUF, "%llu",
		    (unsigned long long)id->id);
		return buf;
	case 2:
		*name = "GHAUTH_USER_NAME";
		return id->name != NULL ? id->name : "";
	case 3:
		*name = "GHAUTH_USER_EMAIL";
		return id->email != NULL ? id->email : "";
	case 4:
		*name = "GHAUTH_USER_AVATAR";
		return id->avatar_url != NULL ? id->avatar_url : "";
	case 5:
		/* The org:/team: entries that admitted the session. */
		*name = "GHAUTH_USER_GROUPS";
		return id->groups != NULL ? id->groups : "";
	case 6:
		*name = "GHAUTH_SESSION_CREATED";
		snprintf(buf, GHAUTHP_IDVAR_BUF, "%lld", (long long)id->created);
		return buf;
	case 7:
		*name = "GHAUTH_SESSION_EXPIRES";
		snprintf(buf, GHAUTHP_IDVAR_BUF, "%lld", (long long)id->expires);
		return buf;
	default:
		*name = NULL;
		return NULL;
	}
}

/*
 * A browser navigation: GET or HEAD whose Accept names text/html.  Those
 * are sent to sign-in; anything else (fetch/XHR asking for JSON, a POST, a
 * script) gets 401, which a redirect would only confuse.
 */
int
ghauthp_is_browser(ghauth_getenv_fn fn, void *ctx)
{
	const char	*m = fn(ctx, "REQUEST_METHOD");
	const char	*a = fn(ctx, "HTTP_ACCEPT");

	if (m == NULL || (strcmp(m, "GET") != 0 && strcmp(m, "HEAD") != 0))
		return 0;
	return a != NULL && strlen(a) <= GHAUTHP_HEADER_MAX &&
	    strstr(a, "text/html") != NULL;
}

/*
 * The path (and query) to come back to after sign-in: REQUEST_URI as the
 * client sent it (Apache, lighttpd and nginx all pass the original one,
 * also across an internal redirect) when it is a same-site relative path
 * that /auth/github will accept as ?redirect=; else the path without the
 * query; else nothing (sign-in then lands on "/").
 */
static int
return_path(ghauth_getenv_fn fn, void *ctx, char *buf, size_t sz)
{
	const char	*u = fn(ctx, "REQUEST_URI");
	size_t		 n;

	buf[0] = '\0';
	if (u == NULL || (n = strlen(u)) == 0 || n >= sz)
		return 0;
	if (ghauthp_valid_redirect(u, n)) {
		memcpy(buf, u, n + 1);
		return 1;
	}
	n = strcspn(u, "?");
	if (n > 0 && ghauthp_valid_redirect(u, n)) {
		memcpy(buf, u, n);
		buf[n] = '\0';
		return 1;
	}
	return 0;
}

/*
 * Fills resp with the refusal for error e (what ghauth_identify returned):
 * for GHAUTH_E_SESSION, a 303 to {origin}/auth/github?redirect=<this page>
 * for a browser navigation (when redirect_uri is configured), else 401
 * {"error": "Invalid or expired session", "responseStatus": {...}}; for
 * any other error its status and message (error.c), as HTML or JSON by
 * the Accept header.  cfg may be NULL (the configuration did not load):
 * 500.  Every response carries Cache-Control: no-store
 * (ghauth_response_serialize).  Returns 1, or 0
 * when resp could not be built (it then serialises as a bare 500).
 */
int
ghauth_deny_response(const struct ghauth_config *cfg, ghauth_getenv_fn fn,
    void *ctx, enum ghauth_err e, struct ghauth_response *resp)
{
	struct ghauthp_request	 req;
	struct ghauthp_result	 res;
	char			 back[1100];
	char			*loc = NULL;
	size_t			 len = 0, cap = 0;
	int			 ok;

	memset(&req, 0, sizeof(req));
	if (cfg == NULL)
		e = GHAUTH_E_CONFIG;
	if (e == GHAUTH_OK)
		e = GHAUTH_E_SESSION;
	if (e == GHAUTH_E_SESSION && cfg->origin != NULL &&
	    ghauthp_is_browser(fn, ctx)) {
		ok = ghauthp_str_append(&loc, &len, &cap, cfg->origin,
		    strlen(cfg->origin)) &&
		    ghauthp_str_append(&loc, &len, &cap, "/auth/github", 12);
		if (ok && return_path(fn, ctx, back, sizeof(back)))
			ok = ghauthp_str_append(&loc, &len, &cap,
			    "?redirect=", 10) &&
			    ghauthp_pct_encode(&loc, &len, &cap, back);
		ok = ok && ghauthp_response_redirect(resp, loc);
		free(loc);
		if (!ok)
			resp->failed = 1;
		return ok;
	}
	/* The 401 is for programs: always JSON.  Other errors as usual. */
	if (e != GHAUTH_E_SESSION && ghauthp_request_var(fn, ctx, "HTTP_ACCEPT",
	    GHAUTHP_HEADER_MAX, &req.accept) == GHAUTH_E_NOMEM) {
		resp->failed = 1;
		return 0;
	}
	ghauthp_result(&res, e, NULL);
	ghauthp_response_error(resp, e == GHAUTH_E_SESSION ? NULL : &req, cfg,
	    &res);
	ghauthp_request_free(&req);
	return !resp->failed;
}

/*
 * For a CGI program: writes the refusal for e to stdout as a complete CGI
 * response (the configuration is loaded again, as ghauth_identify does).
 * The request body, if any, is read and discarded first (at most 1 MiB):
 * Apache drops the answer of a CGI program that left it unread.
 * Returns 0, or -1 if stdout failed.
 */
int
ghauth_deny(enum ghauth_err e)
{
	struct ghauth_config	 cfg;
	struct ghauth_response	 resp;
	enum ghauth_err		 crc;
	char			*out;
	size_t			 len;
	int			 ok;

	ghauthp_drain_body();
	ghauth_response_init(&resp);
	crc = ghauthp_config_open(&cfg, NULL, ghauth_getenv_cgi, NULL);
	ghauth_deny_response(crc == GHAUTH_OK ? &cfg : NULL, ghauth_getenv_cgi,
	    NULL, e, &resp);
	out = ghauth_response_serialize(&resp, &len);
	ok = out != NULL && ghauthp_write_all(STDOUT_FILENO, out, len);
	free(out);
	ghauth_response_free(&resp);
	if (crc == GHAUTH_OK)
		ghauth_config_free(&cfg);
	return ok ? 0 : -1;
}
