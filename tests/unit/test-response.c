/*
 * test-response.c - building and serialising the CGI response: header
 * values with control bytes are refused and the whole response becomes
 * the fixed 500; the fixed headers and a Content-Length that matches;
 * cookie attributes; error pages as JSON or HTML (escaped message, CSP
 * hash that matches the inline style); Retry-After; JSON that is pure
 * ASCII with <, > and & escaped; and the table of every error.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "ghauth-int.h"
#include "tap.h"

#define FALLBACK_STATUS	"Status: 500 Internal Server Error\r\n"

/* The value of header name in a serialised response, or NULL. */
static char *
header_of(const char *out, const char *name)
{
	static char	 val[4096];
	const char	*p = out, *end, *eoh = strstr(out, "\r\n\r\n");
	size_t		 n = strlen(name);

	while (p != NULL && eoh != NULL && p < eoh) {
		end = strstr(p, "\r\n");
		if (strncmp(p, name, n) == 0 && p[n] == ':' && p[n + 1] == ' ') {
			snprintf(val, sizeof(val), "%.*s", (int)(end - p - n - 2),
			    p + n + 2);
			return val;
		}
		p = end + 2;
	}
	return NULL;
}

static int
count_of(const char *hay, const char *needle)
{
	int	 n = 0;

	for (; (hay = strstr(hay, needle)) != NULL; hay++)
		n++;
	return n;
}

static char *
serialize(const struct ghauth_response *r, size_t *len)
{
	char	*s = ghauth_response_serialize(r, len);

	if (s == NULL) {
		printf("Bail out! serialize returned NULL\n");
		exit(1);
	}
	return s;
}

static void
test_refused_headers(void)
{
	static const struct {
		const char	*name;
		const char	*value;
	} bad[] = {
		{ "X-Test", "a\rb" },
		{ "X-Test", "a\nb" },
		{ "X-Test", "a\r\nSet-Cookie: x=y" },
		{ "X-Test", "a\x01" },
		{ "X-Test", "\x7f" },
		{ "X-Test", "tab\there" },
		{ "X-Test", "nul\x1b" },
		{ "X-Te\nst", "v" },
		{ "X-Te\rst", "v" },
		{ "X-Test:", "v" },
		{ "Set-Cookie: a=b\r\nX", "v" },
	};
	struct ghauth_response	 r;
	char			*out;
	size_t			 i, len;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ghauth_response_init(&r);
		r.status = 200;
		ghauthp_response_header(&r, "Content-Type", "text/plain");
		ghauthp_response_body(&r, "hello", 5);
		is_int(ghauthp_response_header(&r, bad[i].name, "%s",
		    bad[i].value), 0, "header %s: %s refused",
		    tap_quote(bad[i].name, strlen(bad[i].name)),
		    tap_quote(bad[i].value, strlen(bad[i].value)));
		out = serialize(&r, &len);
		ok(r.failed && strncmp(out, FALLBACK_STATUS,
		    strlen(FALLBACK_STATUS)) == 0 && strstr(out, "hello") ==
		    NULL && strlen(out) == len && count_of(out, "\n") ==
		    count_of(out, "\r\n"), "  response becomes the fixed 500");
		free(out);
		ghauth_response_free(&r);
	}

	/* Too long a value, too many headers. */
	{
		char	 big[5000];

		memset(big, 'v', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		ghauth_response_init(&r);
		is_int(ghauthp_response_header(&r, "X-Big", "%s", big), 0,
		    "header value of 4999 bytes refused");
		ok(r.failed, "  response failed");
		ghauth_response_free(&r);
		big[4095] = '\0';
		ghauth_response_init(&r);
		is_int(ghauthp_response_header(&r, "X-Big", "%s", big), 1,
		    "header value of 4095 bytes accepted");
		ghauth_response_free(&r);
	}
	ghauth_response_init(&r);
	for (i = 0; i < GHAUTH_HEADERS_MAX; i++)
		ghauthp_response_header(&r, "X-N", "%zu", i);
	ok(!r.failed && r.nheaders == GHAUTH_HEADERS_MAX, "%d headers fit",
	    GHAUTH_HEADERS_MAX);
	is_int(ghauthp_response_header(&r, "X-N", "one more"), 0,
	    "header %d refused", GHAUTH_HEADERS_MAX + 1);
	ok(r.failed, "  response failed");
	ghauth_response_free(&r);
}

static void
test_serialize(void)
{
	struct ghauth_response	 r;
	char			*out, *body, *cl;
	size_t			 len;
	static const char	 bin[] = "a\0b\r\n\r\nc";

	ghauth_response_init(&r);
	is_int(r.status, 500, "a fresh response is a 500");
	r.status = 200;
	ghauthp_response_header(&r, "Content-Type", "text/plain");
	ghauthp_response_body(&r, "hello, world", 12);
	out = serialize(&r, &len);
	ok(strncmp(out, "Status: 200 OK\r\n", 16) == 0, "Status line first");
	is_str(header_of(out, "Content-Type"), "text/plain", "Content-Type");
	is_str(header_of(out, "Cache-Control"), "no-store",
	    "Cache-Control: no-store");
	is_str(header_of(out, "Referrer-Policy"), "no-referrer",
	    "Referrer-Policy: no-referrer");
	is_str(header_of(out, "X-Content-Type-Options"), "nosniff",
	    "X-Content-Type-Options: nosniff");
	is_str(header_of(out, "X-Frame-Options"), "DENY",
	    "X-Frame-Options: DENY");
	is_str(header_of(out, "Content-Length"), "12", "Content-Length 12");
	body = strstr(out, "\r\n\r\n");
	ok(body != NULL && strcmp(body + 4, "hello, world") == 0 &&
	    len == (size_t)(body + 4 - out) + 12, "body after a blank line, "
	    "length counted");
	free(out);
	ghauth_response_free(&r);

	/* A body with NUL and CRLFs: Content-Length is its real length. */
	ghauth_response_init(&r);
	r.status = 200;
	ghauthp_response_body(&r, bin, sizeof(bin) - 1);
	out = serialize(&r, &len);
	cl = header_of(out, "Content-Length");
	body = strstr(out, "\r\n\r\n") + 4;
	ok(cl != NULL && strtoul(cl, NULL, 10) == sizeof(bin) - 1 &&
	    len - (size_t)(body - out) == sizeof(bin) - 1 &&
	    memcmp(body, bin, sizeof(bin) - 1) == 0,
	    "binary body: Content-Length %zu matches", sizeof(bin) - 1);
	free(out);
	ghauth_response_free(&r);

	/* No body. */
	ghauth_response_init(&r);
	r.status = 204;
	out = serialize(&r, &len);
	ok(strncmp(out, "Status: 204 No Content\r\n", 24) == 0 &&
	    strcmp(header_of(out, "Content-Length"), "0") == 0 &&
	    len >= 4 && strcmp(out + len - 4, "\r\n\r\n") == 0,
	    "no body: Content-Length 0, ends after the headers");
	free(out);
	ghauth_response_free(&r);

	/* Status lines. */
	{
		static const struct {
			int		 status;
			const char	*line;
		} st[] = {
			{ 302, "Status: 302 Found\r\n" },
			{ 303, "Status: 303 See Other\r\n" },
			{ 400, "Status: 400 Bad Request\r\n" },
			{ 401, "Status: 401 Unauthorized\r\n" },
			{ 403, "Status: 403 Forbidden\r\n" },
			{ 405, "Status: 405 Method Not Allowed\r\n" },
			{ 413, "Status: 413 Content Too Large\r\n" },
			{ 502, "Status: 502 Bad Gateway\r\n" },
			{ 503, "Status: 503 Service Unavailable\r\n" },
			{ 418, "Status: 418 Unknown\r\n" },
		};
		size_t	 i;

		for (i = 0; i < sizeof(st) / sizeof(st[0]); i++) {
			ghauth_response_init(&r);
			r.status = st[i].status;
			out = serialize(&r, &len);
			ok(strncmp(out, st[i].line, strlen(st[i].line)) == 0,
			    "status %d line", st[i].status);
			free(out);
			ghauth_response_free(&r);
		}
	}

	/* Redirect and JSON helpers. */
	ghauth_response_init(&r);
	ghauthp_response_redirect(&r, "https://github.com/login/oauth/authorize"
	    "?client_id=x");
	out = serialize(&r, &len);
	ok(r.status == 303 && strcmp(header_of(out, "Location"),
	    "https://github.com/login/oauth/authorize?client_id=x") == 0,
	    "redirect: 303 with Location");
	free(out);
	ghauth_response_free(&r);
	ghauth_response_init(&r);
	is_int(ghauthp_response_redirect(&r, "/a\r\nSet-Cookie: x=y"), 0,
	    "redirect with CRLF refused");
	ghauth_response_free(&r);
}

static void
test_cookies(void)
{
	struct ghauth_config	 cfg;
	struct ghauth_response	 r;
	const char		*v;

	memset(&cfg, 0, sizeof(cfg));
	cfg.secure = 1;
	ghauth_response_init(&r);
	ghauthp_response_cookie(&r, &cfg, "__Host-ghauth_session", "TOKEN",
	    86400);
	v = r.hvalue[0];
	ok(r.nheaders == 1 && strcmp(r.hname[0], "Set-Cookie") == 0,
	    "cookie: one Set-Cookie header");
	ok(strncmp(v, "__Host-ghauth_session=TOKEN;", 28) == 0,
	    "cookie: name=value first");
	ok(strstr(v, "; Path=/;") != NULL, "cookie: Path=/");
	ok(strstr(v, "Max-Age=86400;") != NULL, "cookie: Max-Age=86400");
	ok(strstr(v, " HttpOnly;") != NULL, "cookie: HttpOnly");
	ok(strstr(v, "SameSite=Lax") != NULL, "cookie: SameSite=Lax");
	ok(strstr(v, "; Secure") != NULL, "cookie: Secure when cfg->secure");
	ok(strstr(v, "Expires=") == NULL, "cookie: no Expires when living");
	ok(strstr(v, "Domain") == NULL, "cookie: no Domain");
	ghauth_response_free(&r);

	cfg.secure = 0;
	ghauth_response_init(&r);
	ghauthp_response_cookie(&r, &cfg, "ghauth_session", "TOKEN", 600);
	ok(strstr(r.hvalue[0], "Secure") == NULL,
	    "cookie: no Secure when not cfg->secure");
	ok(strstr(r.hvalue[0], "HttpOnly") != NULL &&
	    strstr(r.hvalue[0], "SameSite=Lax") != NULL,
	    "cookie: HttpOnly and SameSite also without Secure");
	ghauth_response_free(&r);

	ghauth_response_init(&r);
	ghauthp_response_cookie(&r, NULL, "ghauth_session", "TOKEN", 600);
	ok(strstr(r.hvalue[0], "Secure") == NULL, "cookie: no cfg, no Secure");
	ghauth_response_free(&r);

	cfg.secure = 1;
	ghauth_response_init(&r);
	ghauthp_response_cookie(&r, &cfg, "__Host-ghauth_session", "", 0);
	v = r.hvalue[0];
	ok(strncmp(v, "__Host-ghauth_session=;", 23) == 0 &&
	    strstr(v, "Max-Age=0;") != NULL &&
	    strstr(v, "Expires=Thu, 01 Jan 1970 00:00:00 GMT;") != NULL &&
	    strstr(v, "; Secure") != NULL,
	    "deleting cookie: empty, Max-Age=0 and Expires in 1970");
	ghauth_response_free(&r);

	ghauth_response_init(&r);
	is_int(ghauthp_response_cookie(&r, &cfg, "c", "a\r\nX: y", 1), 0,
	    "cookie value with CRLF refused");
	ok(r.failed, "  response failed");
	ghauth_response_free(&r);
}

/* The CSP style hash in the header equals SHA-256 of the <style> text. */
static int
csp_matches(const char *csp, const char *body)
{
	const char	*a, *b;
	unsigned char	 h[32];
	char		 want[128], b64[64];

	if (csp == NULL || (a = strstr(body, "<style>")) == NULL ||
	    (b = strstr(a, "</style>")) == NULL)
		return 0;
	a += 7;
	ghauthp_sha256(a, (size_t)(b - a), h);
	ghauthp_b64_encode(h, sizeof(h), b64, sizeof(b64));
	snprintf(want, sizeof(want), "style-src 'sha256-%s'", b64);
	return strstr(csp, want) != NULL && count_of(body, "<style") == 1 &&
	    count_of(body, "<script") == 0 && count_of(body, " style=") == 0;
}

static void
test_errors(void)
{
	struct ghauth_config	 cfg;
	struct ghauthp_request	 req;
	struct ghauth_response	 r;
	struct ghauthp_result	 res;
	char			*out, *v, msg[512];
	size_t			 len;
	json_t			*j;
	json_error_t		 jerr;

	memset(&cfg, 0, sizeof(cfg));
	cfg.origin = (char *)(uintptr_t)"https://app.example";
	memset(&req, 0, sizeof(req));

	/* HTML for a browser. */
	req.accept = (char *)(uintptr_t)"text/html,application/xhtml+xml,*/*";
	ghauthp_result(&res, GHAUTH_E_DENIED, "<b>\"eve\"&'x'</b>");
	ghauth_response_init(&r);
	ghauthp_response_error(&r, &req, &cfg, &res);
	out = serialize(&r, &len);
	ok(strncmp(out, "Status: 403 Forbidden\r\n", 23) == 0,
	    "html error: 403 for denied");
	is_str(header_of(out, "Content-Type"), "text/html; charset=utf-8",
	    "html error: Content-Type");
	v = header_of(out, "Content-Security-Policy");
	ok(v != NULL && strstr(v, "default-src 'none'") != NULL &&
	    strstr(v, "frame-ancestors 'none'") != NULL &&
	    strstr(v, "script-src") == NULL, "html error: strict CSP, no script");
	ok(csp_matches(v, r.body), "html error: CSP hash matches the <style>");
	ok(strstr(r.body, "&lt;b&gt;&quot;eve&quot;&amp;&#39;x&#39;&lt;/b&gt;")
	    != NULL && strstr(r.body, "<b>") == NULL,
	    "html error: message HTML-escaped");
	ok(strstr(r.body, "Access denied. User '") == NULL &&
	    strstr(r.body, "Access denied. User &#39;") != NULL,
	    "html error: the message's own quotes escaped too");
	ok(strstr(r.body, "<a href=\"https://app.example/\">Try again</a>") !=
	    NULL, "html error: Try again links to the origin");
	ok(strstr(r.body, "data-error=\"denied\"") != NULL,
	    "html error: error name in data-error");
	ok(header_of(out, "Retry-After") == NULL, "html error: no Retry-After");
	ok(strtoul(header_of(out, "Content-Length"), NULL, 10) == r.body_len,
	    "html error: Content-Length matches");
	free(out);
	ghauth_response_free(&r);

	/* No origin known: a relative link. */
	cfg.origin = NULL;
	ghauthp_result(&res, GHAUTH_E_BAD_STATE, NULL);
	ghauth_response_init(&r);
	ghauthp_response_error(&r, &req, &cfg, &res);
	ok(r.status == 400 && strstr(r.body, "<a href=\"/\">Try again</a>") !=
	    NULL && strstr(r.body, "Invalid state parameter") != NULL,
	    "html error without origin: link to /");
	ghauth_response_free(&r);
	ghauth_response_init(&r);
	ghauthp_response_error(&r, &req, NULL, &res);
	ok(r.status == 400 && r.body != NULL && !r.failed,
	    "html error without config");
	ghauth_response_free(&r);

	/* JSON when asked for, and when there is no request. */
	req.accept = (char *)(uintptr_t)"application/json";
	ghauthp_result(&res, GHAUTH_E_DENIED, "<eve>&");
	ghauth_response_init(&r);
	ghauthp_response_error(&r, &req, &cfg, &res);
	out = serialize(&r, &len);
	is_str(header_of(out, "Content-Type"), "application/json; "
	    "charset=utf-8", "json error: Content-Type");
	ok(header_of(out, "Content-Security-Policy") == NULL,
	    "json error: no CSP needed");
	ok(strstr(r.body, "<") == NULL && strstr(r.body, "&") == NULL &&
	    strstr(r.body, "\\u003ceve\\u003e\\u0026") != NULL,
	    "json error: <, > and & escaped");
	j = json_loads(r.body, 0, &jerr);
	ghauthp_err_message(&res, msg, sizeof(msg));
	ok(j != NULL && json_object_size(j) == 2 &&
	    json_is_string(json_object_get(j, "error")) &&
	    strcmp(json_string_value(json_object_get(j, "error")), msg) == 0,
	    "json error: {\"error\": message, \"responseStatus\": ...}");
	ok(j != NULL && json_is_object(json_object_get(j, "responseStatus")) &&
	    json_object_size(json_object_get(j, "responseStatus")) == 2 &&
	    json_is_string(json_object_get(json_object_get(j,
	    "responseStatus"), "message")) &&
	    strcmp(json_string_value(json_object_get(json_object_get(j,
	    "responseStatus"), "message")), msg) == 0,
	    "json error: responseStatus.message is the message (llms.py v4)");
	json_decref(j);
	free(out);
	ghauth_response_free(&r);
	ghauthp_result(&res, GHAUTH_E_SESSION, NULL);
	ghauth_response_init(&r);
	ghauthp_response_error(&r, NULL, &cfg, &res);
	ok(r.status == 401 && r.body != NULL &&
	    strcmp(r.body, "{\"error\":\"Invalid or expired session\","
	    "\"responseStatus\":{\"errorCode\":\"Unauthorized\","
	    "\"message\":\"Invalid or expired session\"}}") == 0,
	    "no request: JSON error, v2 and v4 shapes");
	ghauth_response_free(&r);

	/* Headers set before the error are kept. */
	ghauth_response_init(&r);
	ghauthp_response_header(&r, "Allow", "GET, HEAD");
	ghauthp_result(&res, GHAUTH_E_METHOD, NULL);
	ghauthp_response_error(&r, &req, &cfg, &res);
	out = serialize(&r, &len);
	ok(strncmp(out, "Status: 405 Method Not Allowed\r\n", 32) == 0 &&
	    strcmp(header_of(out, "Allow"), "GET, HEAD") == 0,
	    "405 keeps the Allow header");
	free(out);
	ghauth_response_free(&r);

	/* Retry-After. */
	{
		static const struct {
			enum ghauth_err	 e;
			const char	*retry;
		} t[] = {
			{ GHAUTH_E_BUSY, "1" },
			{ GHAUTH_E_STORE, "1" },
			{ GHAUTH_E_GH_RATELIMIT, "60" },
			{ GHAUTH_E_GH_UNREACHABLE, NULL },
			{ GHAUTH_E_SESSION, NULL },
			{ GHAUTH_E_INTERNAL, NULL },
		};
		size_t	 i;
		int	 html;

		for (html = 0; html < 2; html++)
			for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
				req.accept = (char *)(uintptr_t)(html ?
				    "text/html" : "application/json");
				ghauthp_result(&res, t[i].e, NULL);
				ghauth_response_init(&r);
				ghauthp_response_error(&r, &req, &cfg, &res);
				out = serialize(&r, &len);
				is_str(header_of(out, "Retry-After"), t[i].retry,
				    "%s %s: Retry-After %s", html ? "html" :
				    "json", ghauthp_err_name(t[i].e),
				    t[i].retry ? t[i].retry : "absent");
				free(out);
				ghauth_response_free(&r);
			}
	}
}

static void
test_json_dump(void)
{
	json_t	*j;
	char	*s;
	size_t	 i;
	int	 ascii = 1;

	j = json_pack("{s:s}", "k", "a<b>c&d\xe2\x80\xa8" "e\xc3\xa9"
	    "\xf0\x9f\x90\x99</script>");
	s = ghauthp_json_dump(j);
	/* jansson's own escapes are upper-case hex. */
	if (!ok(s != NULL && strcasecmp(s, "{\"k\":\"a\\u003cb\\u003ec\\u0026d"
	    "\\u2028e\\u00e9\\ud83d\\udc19\\u003c/script\\u003e\"}") == 0,
	    "json_dump escapes <, >, &, U+2028 and non-ASCII") && s != NULL)
		diag("%s", s);
	for (i = 0; s != NULL && s[i] != '\0'; i++)
		if ((unsigned char)s[i] >= 0x80 || (unsigned char)s[i] < 0x20)
			ascii = 0;
	ok(s != NULL && ascii, "json_dump output is printable ASCII");
	free(s);
	json_decref(j);

	j = json_pack("{s:s, s:i, s:b, s:n}", "a", "x\ny\"z\\", "n", 5, "t", 1,
	    "z");
	s = ghauthp_json_dump(j);
	ok(s != NULL && strstr(s, "\"a\":\"x\\ny\\\"z\\\\\"") != NULL &&
	    strstr(s, " ") == NULL, "json_dump: compact, escapes kept");
	free(s);
	json_decref(j);

	j = json_object();
	s = ghauthp_json_dump(j);
	is_str(s, "{}", "json_dump of an empty object");
	free(s);
	json_decref(j);
}

static void
test_error_table(void)
{
	struct ghauthp_result	 res;
	char			 msg[512], names[GHAUTH_E__MAX][32];
	int			 e, bad = 0, dupnames = 0, k;

	for (e = 0; e < GHAUTH_E__MAX; e++) {
		int	 st = ghauthp_err_status((enum ghauth_err)e);
		const char *name = ghauthp_err_name((enum ghauth_err)e);

		ghauthp_result(&res, (enum ghauth_err)e, NULL);
		if (!ghauthp_err_message(&res, msg, sizeof(msg)) ||
		    msg[0] == '\0' || strchr(msg, '%') != NULL ||
		    name == NULL || name[0] == '\0' ||
		    st < (e == GHAUTH_OK ? 200 : 400) || st > 599) {
			diag("error %d (%s): status %d message \"%s\"", e,
			    name ? name : "NULL", st, msg);
			bad++;
		}
		snprintf(names[e], sizeof(names[e]), "%s", name ? name : "");
		for (k = 0; k < e; k++)
			if (strcmp(names[k], names[e]) == 0)
				dupnames++;
	}
	is_int(bad, 0, "all %d errors have a status, a name and a message",
	    GHAUTH_E__MAX);
	is_int(dupnames, 0, "error names are unique");

	ghauthp_result(&res, GHAUTH_E_OAUTH, "The code passed is incorrect.");
	ghauthp_err_message(&res, msg, sizeof(msg));
	is_str(msg, "OAuth error: The code passed is incorrect.",
	    "OAUTH includes its detail");
	ghauthp_result(&res, GHAUTH_E_DENIED, "eve");
	ghauthp_err_message(&res, msg, sizeof(msg));
	is_str(msg, "Access denied. User 'eve' is not authorized to access "
	    "this application.", "DENIED includes the login");
	ghauthp_result(&res, GHAUTH_E_SESSION, "ignored detail");
	ghauthp_err_message(&res, msg, sizeof(msg));
	is_str(msg, "Invalid or expired session",
	    "other errors ignore the detail");
	ghauthp_result(&res, GHAUTH_E_OAUTH, "%s%n%x");
	ghauthp_err_message(&res, msg, sizeof(msg));
	is_str(msg, "OAuth error: %s%n%x", "detail is data, not a format");

	/* Contract statuses. */
	is_int(ghauthp_err_status(GHAUTH_E_MISSING_CODE_STATE), 400,
	    "missing code/state: 400");
	is_int(ghauthp_err_status(GHAUTH_E_BAD_STATE), 400, "bad state: 400");
	is_int(ghauthp_err_status(GHAUTH_E_OAUTH), 400, "oauth: 400");
	is_int(ghauthp_err_status(GHAUTH_E_GH_BADANSWER), 502, "bad answer: 502");
	is_int(ghauthp_err_status(GHAUTH_E_DENIED), 403, "denied: 403");
	is_int(ghauthp_err_status(GHAUTH_E_SESSION), 401, "session: 401");
	is_int(ghauthp_err_status(GHAUTH_E_METHOD), 405, "method: 405");
	is_int(ghauthp_err_status(GHAUTH_E_BUSY), 503, "busy: 503");
	is_int(ghauthp_err_status(GHAUTH_E_NOTCONFIGURED), 500,
	    "not configured: 500");

	/* Out of range: the internal error, never a crash. */
	is_int(ghauthp_err_status(GHAUTH_E__MAX), 500, "E__MAX: status 500");
	is_int(ghauthp_err_status((enum ghauth_err)-1), 500, "-1: status 500");
	is_str(ghauthp_err_name(GHAUTH_E__MAX), "internal", "E__MAX: internal");
	ghauthp_result(&res, GHAUTH_E__MAX, NULL);
	ghauthp_err_message(&res, msg, sizeof(msg));
	is_str(msg, "Internal server error", "E__MAX: internal message");

	/* A small buffer: truncated, terminated, reported. */
	ghauthp_result(&res, GHAUTH_E_SESSION, NULL);
	memset(msg, 'x', sizeof(msg));
	is_int(ghauthp_err_message(&res, msg, 8), 0, "8-byte buffer: reported");
	ok(strlen(msg) == 7 && msg[8] == 'x', "  truncated and terminated");

	/* The detail is capped by ghauthp_result itself. */
	{
		char	 big[600];

		memset(big, 'd', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		ghauthp_result(&res, GHAUTH_E_OAUTH, big);
		is_int((long long)strlen(res.detail), sizeof(res.detail) - 1,
		    "detail capped at %zu bytes", sizeof(res.detail) - 1);
	}
}

int
main(void)
{
	plan(123);
	test_refused_headers();
	test_serialize();
	test_cookies();
	test_errors();
	test_json_dump();
	test_error_table();
	return done_testing();
}
