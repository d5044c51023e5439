/*
 * response.c - building the CGI response (RFC 3875 section 6). One header
 * writer refuses control bytes in any value (no response splitting), every
 * response carries an explicit Status, no-store caching and the hardening
 * headers (docs/SECURITY.md, promises 15 and 16), and nothing from the
 * request reaches a header. Error bodies are JSON or a small self-contained
 * HTML page.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "ghauth-int.h"

void
ghauth_response_init(struct ghauth_response *r)
{
	memset(r, 0, sizeof(*r));
	r->status = 500;
}

void
ghauth_response_free(struct ghauth_response *r)
{
	size_t	 i;

	for (i = 0; i < r->nheaders; i++) {
		/* Set-Cookie values carry tokens. */
		ghauthp_wipe(r->hvalue[i], strlen(r->hvalue[i]));
		free(r->hname[i]);
		free(r->hvalue[i]);
	}
	if (r->body != NULL)
		ghauthp_wipe(r->body, r->body_len);
	free(r->body);
	memset(r, 0, sizeof(*r));
}

/*
 * Adds a header.  A value with a control byte, an overlong value or a full
 * table marks the response failed (it will be sent as a bare 500) and
 * returns 0; this is a bug guard, since values never come from requests.
 */
int
ghauthp_response_header(struct ghauth_response *r, const char *name,
    const char *fmt, ...)
{
	char	 buf[4096];
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf) ||
	    ghauthp_has_ctl(buf, (size_t)n) ||
	    r->nheaders == GHAUTH_HEADERS_MAX ||
	    ghauthp_has_ctl(name, strlen(name)) || strchr(name, ':') != NULL) {
		ghauthp_log("response: refused header %s", name);
		r->failed = 1;
		ghauthp_wipe(buf, n >= 0 && (size_t)n < sizeof(buf) ?
		    (size_t)n : sizeof(buf));
		return 0;
	}
	if ((r->hname[r->nheaders] = ghauthp_strdup(name)) == NULL ||
	    (r->hvalue[r->nheaders] = ghauthp_strndup(buf, (size_t)n)) ==
	    NULL) {
		free(r->hname[r->nheaders]);
		r->failed = 1;
		ghauthp_wipe(buf, (size_t)n);
		return 0;
	}
	r->nheaders++;
	/* Only the bytes written can hold a token (Set-Cookie). */
	ghauthp_wipe(buf, (size_t)n);
	return 1;
}

/*
 * Sets a cookie of ours: HttpOnly, SameSite=Lax (Strict would drop it on
 * GitHub's cross-site redirect back), Path=/, Secure on https.  value ""
 * with max_age 0 deletes it.
 */
int
ghauthp_response_cookie(struct ghauth_response *r,
    const struct ghauth_config *cfg, const char *name, const char *value,
    long max_age)
{
	return ghauthp_response_header(r, "Set-Cookie",
	    "%s=%s; Path=/; Max-Age=%ld;%s HttpOnly; SameSite=Lax%s", name,
	    value, max_age,
	    max_age == 0 ? " Expires=Thu, 01 Jan 1970 00:00:00 GMT;" : "",
	    cfg != NULL && cfg->secure ? "; Secure" : "");
}

int
ghauthp_response_body(struct ghauth_response *r, const char *body, size_t n)
{
	char	*p;

	if ((p = malloc(n + 1)) == NULL) {
		r->failed = 1;
		return 0;
	}
	memcpy(p, body, n);
	p[n] = '\0';
	free(r->body);
	r->body = p;
	r->body_len = n;
	return 1;
}

/* A JSON body (jansson value, not consumed) with the given status. */
int
ghauthp_response_json(struct ghauth_response *r, int status, void *json)
{
	char	*s;
	int	 ok;

	r->status = status;
	if ((s = ghauthp_json_dump(json)) == NULL) {
		r->failed = 1;
		return 0;
	}
	ok = ghauthp_response_header(r, "Content-Type",
	    "application/json; charset=utf-8") &&
	    ghauthp_response_body(r, s, strlen(s));
	ghauthp_wipe(s, strlen(s));
	free(s);
	return ok;
}

/* 303 See Other to an absolute URL the program built itself. */
int
ghauthp_response_redirect(struct ghauth_response *r, const char *location)
{
	r->status = 303;
	return ghauthp_response_header(r, "Location", "%s", location);
}

static int
html_escape(char **buf, size_t *len, size_t *cap, const char *s)
{
	const char	*rep;
	int		 ok = 1;

	for (; *s != '\0' && ok; s++) {
		switch (*s) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: rep = NULL; break;
		}
		ok = rep ? ghauthp_str_append(buf, len, cap, rep, strlen(rep)) :
		    ghauthp_str_append(buf, len, cap, s, 1);
	}
	return ok;
}

static const char error_style[] =
    "body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f6f8fa;"
    "color:#1f2328}main{max-width:32rem;margin:15vh auto;padding:2rem;"
    "background:#fff;border:1px solid #d0d7de;border-radius:12px}"
    "h1{font-size:1.25rem;margin:0 0 1rem}p.msg{padding:.75rem 1rem;"
    "border-radius:6px;background:#ffebe9;border:1px solid #ff818266}"
    "a{color:#0969da}@media(prefers-color-scheme:dark){body{background:"
    "#0d1117;color:#e6edf3}main{background:#161b22;border-color:#30363d}"
    "p.msg{background:#3d1b1f}a{color:#4493f8}}";

static const char *reason(int);

/*
 * llms.py v4's errorCode (ServiceStack's): the reason phrase of status
 * without its spaces ("Unauthorized", "BadRequest", "MethodNotAllowed").
 */
static void
error_code(int status, char *buf, size_t sz)
{
	const char	*p = reason(status);
	size_t		 n = 0;

	for (; *p != '\0' && n + 1 < sz; p++)
		if (*p != ' ')
			buf[n++] = *p;
	buf[n] = '\0';
}

/*
 * Fills r with the error in res: status, message as JSON {"error": msg,
 * "responseStatus": {"errorCode": code, "message": msg}} or as an HTML page with a "Try again" link to the site's root.  Headers
 * already set (Allow, Set-Cookie) are kept.
 */
void
ghauthp_response_error(struct ghauth_response *r,
    const struct ghauthp_request *req, const struct ghauth_config *cfg,
    const struct ghauthp_result *res)
{
	char		 msg[512], hash[32], csp[64], code[40];
	char		*page = NULL;
	size_t		 len = 0, cap = 0;
	json_t		*j;
	int		 ok;

	ghauthp_err_message(res, msg, sizeof(msg));
	r->status = ghauthp_err_status(res->err);
	if (res->err == GHAUTH_E_BUSY || res->err == GHAUTH_E_STORE)
		ghauthp_response_header(r, "Retry-After", "1");
	else if (res->err == GHAUTH_E_GH_RATELIMIT)
		ghauthp_response_header(r, "Retry-After", "60");
	if (req == NULL || ghauthp_request_wants_json(req)) {
		/* llms.py v2's shape and v4's, side by side. */
		error_code(r->status, code, sizeof(code));
		if ((j = json_pack("{sss{ssss}}", "error", msg,
		    "responseStatus", "errorCode", code, "message", msg)) ==
		    NULL) {
			r->failed = 1;
			return;
		}
		ghauthp_response_json(r, r->status, j);
		json_decref(j);
		return;
	}
	ghauthp_sha256(error_style, sizeof(error_style) - 1,
	    (unsigned char *)hash);
	ghauthp_b64_encode((unsigned char *)hash, 32, csp, sizeof(csp));
#define ADD(s)	ghauthp_str_append(&page, &len, &cap, (s), strlen(s))
	ok = ADD("<!DOCTYPE html>\n<html lang=\"en\"><head>"
	    "<meta charset=\"utf-8\"><meta name=\"viewport\" "
	    "content=\"width=device-width,initial-scale=1\">"
	    "<title>Sign-in problem</title><style>") &&
	    ADD(error_style) &&
	    ADD("</style></head><body><main class=\"ghauth-error\" "
	    "data-error=\"") &&
	    html_escape(&page, &len, &cap, ghauthp_err_name(res->err)) &&
	    ADD("\"><h1>Sign-in problem</h1><p class=\"msg\" "
	    "role=\"alert\">") &&
	    html_escape(&page, &len, &cap, msg) &&
	    ADD("</p><p><a href=\"") &&
	    html_escape(&page, &len, &cap, cfg != NULL && cfg->origin != NULL ?
	    cfg->origin : "") &&
	    ADD("/\">Try again</a></p></main></body></html>\n");
#undef ADD
	if (!ok) {
		free(page);
		r->failed = 1;
		return;
	}
	ghauthp_response_header(r, "Content-Type", "text/html; charset=utf-8");
	ghauthp_response_header(r, "Content-Security-Policy",
	    "default-src 'none'; style-src 'sha256-%s'; base-uri 'none'; "
	    "form-action 'none'; frame-ancestors 'none'", csp);
	free(r->body);
	r->body = page;
	r->body_len = len;
}

static const char *
reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 204: return "No Content";
	case 302: return "Found";
	case 303: return "See Other";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 413: return "Content Too Large";
	case 500: return "Internal Server Error";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	default: return "Unknown";
	}
}

/*
 * The whole response as bytes for stdout.  A failed response becomes a
 * fixed 500.  Returns a malloc'd buffer (length in *len) or NULL.
 */
char *
ghauth_response_serialize(const struct ghauth_response *r, size_t *len)
{
	static const char fallback[] =
	    "Status: 500 Internal Server Error\r\n"
	    "Content-Type: application/json; charset=utf-8\r\n"
	    "Cache-Control: no-store\r\n\r\n"
	    "{\"error\":\"Internal server error\",\"responseStatus\":"
	    "{\"errorCode\":\"InternalServerError\",\"message\":"
	    "\"Internal server error\"}}";
	char		 line[64];
	char		*out = NULL;
	size_t		 cap = 0, i;
	int		 ok;

	*len = 0;
	if (r->failed)
		return ghauthp_strndup(fallback, (*len = sizeof(fallback) - 1));
	snprintf(line, sizeof(line), "Status: %d %s\r\n", r->status,
	    reason(r->status));
	ok = ghauthp_str_append(&out, len, &cap, line, strlen(line));
	for (i = 0; ok && i < r->nheaders; i++)
		ok = ghauthp_str_append(&out, len, &cap, r->hname[i],
		    strlen(r->hname[i])) &&
		    ghauthp_str_append(&out, len, &cap, ": ", 2) &&
		    ghauthp_str_append(&out, len, &cap, r->hvalue[i],
		    strlen(r->hvalue[i])) &&
		    ghauthp_str_append(&out, len, &cap, "\r\n", 2);
#define FIXED	"Cache-Control: no-store\r\n" \
		"Referrer-Policy: no-referrer\r\n" \
		"X-Content-Type-Options: nosniff\r\n" \
		"X-Frame-Options: DENY\r\n"
	ok = ok && ghauthp_str_append(&out, len, &cap, FIXED,
	    sizeof(FIXED) - 1);
#undef FIXED
	if (ok && r->body == NULL)
		ok = ghauthp_str_append(&out, len, &cap,
		    "Content-Length: 0\r\n", 19);
	else if (ok) {
		snprintf(line, sizeof(line), "Content-Length: %zu\r\n",
		    r->body_len);
		ok = ghauthp_str_append(&out, len, &cap, line, strlen(line));
	}
	ok = ok && ghauthp_str_append(&out, len, &cap, "\r\n", 2);
	if (ok && r->body != NULL)
		ok = ghauthp_str_append(&out, len, &cap, r->body, r->body_len);
	if (!ok) {
		if (out != NULL)
			ghauthp_wipe(out, *len);
		free(out);
		return ghauthp_strndup(fallback, (*len = sizeof(fallback) - 1));
	}
	return out;
}

/* write(2) until done; 1, or 0 on error.  Shared by every program's output. */
int
ghauthp_write_all(int fd, const char *p, size_t n)
{
	ssize_t	 w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return 0;
		p += w;
		n -= (size_t)w;
	}
	return 1;
}
