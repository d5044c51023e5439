/*
 * github.c - GitHub's HTTP API with libcurl: the token exchange, /user
 * (and /user/emails), and one REST call for github_orgs.c (the memberships
 * and the token revocation).  github_signin.c puts them in order.  Only
 * the callback program links this file (and so libcurl and OpenSSL).
 *
 * Hardening (docs/SECURITY.md, promise 14): https only, TLS 1.2+, peer and
 * host verified (ca_file replaces the system store when set), connect and
 * total timeouts, no redirects, no proxy whatever the environment says,
 * a User-Agent, response bodies and headers capped in the callbacks (the
 * max-size option does not stop chunked bodies), every status checked.
 * The code is exchanged once, never retried (RFC 6749 4.1.2); /user may be
 * retried once on a 5xx.  The access token is wiped after use and never
 * logged; verbose mode is never turned on.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "ghauth-int.h"

#define TOKEN_BODY_MAX	(64 * 1024)
#define USER_BODY_MAX	(256 * 1024)
#define HEADERS_MAX	(64 * 1024)

struct sink {
	char	*buf;
	size_t	 len, cap, max;
	size_t	 hlen;
	int	 overflow;
	int	 ratelimited;
	int	 json;
};

static size_t
on_body(char *p, size_t sz, size_t n, void *arg)
{
	struct sink	*s = arg;
	size_t		 got = sz * n;

	if (got > s->max - s->len) {
		s->overflow = 1;
		return 0;	/* CURLE_WRITE_ERROR */
	}
	if (!ghauthp_str_append(&s->buf, &s->len, &s->cap, p, got))
		return 0;
	return got;
}

static size_t
on_header(char *p, size_t sz, size_t n, void *arg)
{
	struct sink	*s = arg;
	size_t		 got = sz * n;

	s->hlen += got;
	if (s->hlen > HEADERS_MAX) {
		s->overflow = 1;
		return 0;
	}
	if (got >= 24 && strncasecmp(p, "x-ratelimit-remaining: 0", 24) == 0)
		s->ratelimited = 1;
	if (got >= 13 && strncasecmp(p, "retry-after:", 12) == 0)
		s->ratelimited = 1;
	if (got >= 13 && strncasecmp(p, "content-type:", 13) == 0) {
		const char *v = p + 13;

		while (v < p + got && (*v == ' ' || *v == '\t'))
			v++;
		/* application/json or application/vnd.github+json etc. */
		s->json = (size_t)(p + got - v) >= 12 &&
		    strncasecmp(v, "application/", 12) == 0 &&
		    memmem(v, (size_t)(p + got - v), "json", 4) != NULL;
	}
	return got;
}

static void
sink_reset(struct sink *s, size_t max)
{
	if (s->buf != NULL)
		ghauthp_wipe(s->buf, s->cap);
	free(s->buf);
	memset(s, 0, sizeof(*s));
	s->max = max;
}

static CURL *
handle(const struct ghauth_config *cfg, struct sink *s, char *errbuf)
{
	CURL	*c;
	long	 total = cfg->github_timeout * 1000L;
	int	 ok = 1;

	if ((c = curl_easy_init()) == NULL)
		return NULL;
	ok &= curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https") == CURLE_OK;
	ok &= curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "https") ==
	    CURLE_OK;
	ok &= curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L) == CURLE_OK;
	ok &= curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L) == CURLE_OK;
	ok &= curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L) == CURLE_OK;
	ok &= curl_easy_setopt(c, CURLOPT_SSLVERSION,
	    (long)CURL_SSLVERSION_TLSv1_2) == CURLE_OK;
	if (cfg->ca_file != NULL)
		ok &= curl_easy_setopt(c, CURLOPT_CAINFO, cfg->ca_file) ==
		    CURLE_OK;
	ok &= curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
	    total < 3000 ? total : 3000L) == CURLE_OK;
	ok &= curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, total) == CURLE_OK;
	ok &= curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) == CURLE_OK;
	ok &= curl_easy_setopt(c, CURLOPT_PROXY, "") == CURLE_OK;
	ok &= curl_easy_setopt(c, CURLOPT_USERAGENT,
	    "ghauth/" PACKAGE_VERSION) == CURLE_OK;
	ok &= curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)s->max) == CURLE_OK;
	ok &= curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body) == CURLE_OK;
	ok &= curl_easy_setopt(c, CURLOPT_WRITEDATA, s) == CURLE_OK;
	ok &= curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header) ==
	    CURLE_OK;
	ok &= curl_easy_setopt(c, CURLOPT_HEADERDATA, s) == CURLE_OK;
	ok &= curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf) == CURLE_OK;
	if (!ok) {
		curl_easy_cleanup(c);
		return NULL;
	}
	return c;
}

/* Maps a transfer result to our error, logging what happened. */
static enum ghauth_err
transfer(CURL *c, struct sink *s, const char *what, long *status,
    const char *errbuf)
{
	CURLcode	 rc;

	rc = curl_easy_perform(c);
	*status = 0;
	if (rc != CURLE_OK) {
		if (s->overflow) {
			ghauthp_log("github: %s: answer larger than %zu bytes",
			    what, s->max);
			return GHAUTH_E_GH_BADANSWER;
		}
		ghauthp_log("github: %s: %s", what, errbuf[0] != '\0' ? errbuf :
		    curl_easy_strerror(rc));
		return GHAUTH_E_GH_UNREACHABLE;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	return GHAUTH_OK;
}

/*
 * POST {oauth_url}/access_token: code and the PKCE verifier for the user's
 * access token (*token, malloc'd; the caller wipes and frees it).  Never
 * retried: a code is good once (RFC 6749 4.1.2).  GitHub's OAuth error
 * (a used or expired code) is GHAUTH_E_OAUTH with its description in res.
 */
enum ghauth_err
ghauthp_gh_exchange(const struct ghauth_config *cfg, const char *code,
    const char *verifier, char **token, struct ghauthp_result *res)
{
	struct ghauthp_token_reply r;
	struct sink	 s;
	struct curl_slist *hdr = NULL;
	char		 errbuf[CURL_ERROR_SIZE] = "";
	char		*url = NULL, *body = NULL;
	size_t		 ul = 0, uc = 0, bl = 0, bc = 0;
	long		 status;
	enum ghauth_err	 rc = GHAUTH_E_NOMEM;
	CURL		*c = NULL;

	memset(&s, 0, sizeof(s));
	sink_reset(&s, TOKEN_BODY_MAX);
	memset(&r, 0, sizeof(r));
#define ADD(b, l, cp, x) ghauthp_str_append(&b, &l, &cp, (x), strlen(x))
	if (!ADD(url, ul, uc, cfg->oauth_url) ||
	    !ADD(url, ul, uc, "/access_token") ||
	    !ADD(body, bl, bc, "client_id=") ||
	    !ghauthp_pct_encode(&body, &bl, &bc, cfg->client_id) ||
	    !ADD(body, bl, bc, "&client_secret=") ||
	    !ghauthp_pct_encode(&body, &bl, &bc, cfg->client_secret) ||
	    !ADD(body, bl, bc, "&code=") ||
	    !ghauthp_pct_encode(&body, &bl, &bc, code) ||
	    !ADD(body, bl, bc, "&redirect_uri=") ||
	    !ghauthp_pct_encode(&body, &bl, &bc, cfg->redirect_uri) ||
	    !ADD(body, bl, bc, "&code_verifier=") ||
	    !ghauthp_pct_encode(&body, &bl, &bc, verifier))
		goto out;
#undef ADD
	if ((hdr = curl_slist_append(NULL, "Accept: application/json")) == NULL ||
	    (c = handle(cfg, &s, errbuf)) == NULL ||
	    curl_easy_setopt(c, CURLOPT_URL, url) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body) != CURLE_OK)
		goto out;
	if ((rc = transfer(c, &s, "token exchange", &status, errbuf)) !=
	    GHAUTH_OK)
		goto out;
	if (status != 200 || !s.json) {
		ghauthp_log("github: token exchange: HTTP %ld%s", status,
		    s.json ? "" : ", not JSON");
		rc = (status == 403 || status == 429) && s.ratelimited ?
		    GHAUTH_E_GH_RATELIMIT : GHAUTH_E_GH_BADANSWER;
		goto out;
	}
	if (ghauthp_gh_parse_token(s.buf, s.len, &r) != 0) {
		ghauthp_log("github: token exchange: malformed answer");
		rc = GHAUTH_E_GH_BADANSWER;
		goto out;
	}
	if (r.error != NULL) {
		ghauthp_log("github: token exchange: error %s", r.error);
		ghauthp_result(res, GHAUTH_E_OAUTH, r.error_description != NULL ?
		    r.error_description : r.error);
		rc = GHAUTH_E_OAUTH;
		goto out;
	}
	*token = r.access_token;
	r.access_token = NULL;
	rc = GHAUTH_OK;
out:
	if (body != NULL)
		ghauthp_wipe(body, bl);
	free(body);
	free(url);
	curl_slist_free_all(hdr);
	if (c != NULL)
		curl_easy_cleanup(c);
	sink_reset(&s, 0);
	ghauthp_token_reply_free(&r);
	return rc;
}

/*
 * method (GET or DELETE) on {api_url}{path}, authenticated by bearer (a
 * user's token) or by Basic basic_user:basic_pass (the app's client id
 * and secret), with an optional JSON body; the answer is left in s.
 * Returns GHAUTH_OK when an HTTP answer came (any status, in *status),
 * else the transfer error, logged under what.  Every buffer that held a
 * credential is wiped.
 */
static enum ghauth_err
api_call(const struct ghauth_config *cfg, const char *method,
    const char *path, const char *bearer, const char *basic_user,
    const char *basic_pass, const char *json_body, const char *what,
    struct sink *s, long *status)
{
	struct curl_slist *hdr = NULL, *h;
	char		 errbuf[CURL_ERROR_SIZE] = "";
	char		 auth[300];
	char		*url = NULL;
	size_t		 ul = 0, uc = 0;
	enum ghauth_err	 rc = GHAUTH_E_NOMEM;
	CURL		*c = NULL;
	int		 ok;

	/* The token's charset was checked, so it cannot break the header. */
	auth[0] = '\0';
	if (bearer != NULL)
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", bearer);
	if (!ghauthp_str_append(&url, &ul, &uc, cfg->api_url,
	    strlen(cfg->api_url)) ||
	    !ghauthp_str_append(&url, &ul, &uc, path, strlen(path)))
		goto out;
	if ((hdr = curl_slist_append(NULL,
	    "Accept: application/vnd.github+json")) == NULL ||
	    (h = curl_slist_append(hdr, "X-GitHub-Api-Version: 2022-11-28")) ==
	    NULL || (auth[0] != '\0' && (h = curl_slist_append(hdr, auth)) ==
	    NULL) || (json_body != NULL && (h = curl_slist_append(hdr,
	    "Content-Type: application/json")) == NULL))
		goto out;
	if ((c = handle(cfg, s, errbuf)) == NULL)
		goto out;
	ok = curl_easy_setopt(c, CURLOPT_URL, url) == CURLE_OK &&
	    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr) == CURLE_OK &&
	    (strcmp(method, "GET") == 0 || curl_easy_setopt(c,
	    CURLOPT_CUSTOMREQUEST, method) == CURLE_OK) &&
	    (json_body == NULL || curl_easy_setopt(c, CURLOPT_POSTFIELDS,
	    json_body) == CURLE_OK) &&
	    (basic_user == NULL || (curl_easy_setopt(c, CURLOPT_HTTPAUTH,
	    (long)CURLAUTH_BASIC) == CURLE_OK && curl_easy_setopt(c,
	    CURLOPT_USERNAME, basic_user) == CURLE_OK && curl_easy_setopt(c,
	    CURLOPT_PASSWORD, basic_pass) == CURLE_OK));
	if (ok)
		rc = transfer(c, s, what, status, errbuf);
out:
	ghauthp_wipe(auth, sizeof(auth));
	/* The slist holds a copy of the Authorization header. */
	for (h = hdr; h != NULL; h = h->next)
		ghauthp_wipe(h->data, strlen(h->data));
	curl_slist_free_all(hdr);
	free(url);
	if (c != NULL)
		curl_easy_cleanup(c);
	return rc;
}

/* GET {api_url}{path} with the token; the body is left in s. */
static enum ghauth_err
api_get(const struct ghauth_config *cfg, const char *path, const char *token,
    struct sink *s, long *status)
{
	return api_call(cfg, "GET", path, token, NULL, NULL, NULL, path, s,
	    status);
}

/*
 * api_call() for github_orgs.c (the memberships, the revocation), the
 * answer capped at max bytes and left in r: free it with
 * ghauthp_gh_reply_free, which wipes it.
 */
enum ghauth_err
ghauthp_gh_call(const struct ghauth_config *cfg, const char *method,
    const char *path, const char *bearer, const char *basic_user,
    const char *basic_pass, const char *json_body, size_t max,
    const char *what, struct ghauthp_gh_reply *r)
{
	struct sink	 s;
	enum ghauth_err	 rc;

	memset(r, 0, sizeof(*r));
	memset(&s, 0, sizeof(s));
	sink_reset(&s, max);
	rc = api_call(cfg, method, path, bearer, basic_user, basic_pass,
	    json_body, what, &s, &r->status);
	if (rc == GHAUTH_OK) {
		r->body = s.buf;
		r->len = s.len;
		r->json = s.json;
		r->ratelimited = s.ratelimited;
		s.buf = NULL;
	}
	sink_reset(&s, 0);
	return rc;
}

void
ghauthp_gh_reply_free(struct ghauthp_gh_reply *r)
{
	if (r->body != NULL)
		ghauthp_wipe(r->body, r->len);
	free(r->body);
	memset(r, 0, sizeof(*r));
}

static enum ghauth_err
bad_status(const char *what, long status, const struct sink *s)
{
	ghauthp_log("github: %s: HTTP %ld%s", what, status,
	    s->json ? "" : ", not JSON");
	if ((status == 403 || status == 429) && s->ratelimited)
		return GHAUTH_E_GH_RATELIMIT;
	return GHAUTH_E_GH_BADANSWER;
}

/*
 * GET /user (retried once on a 5xx) and, when it has no public email,
 * /user/emails for the primary verified one.  On error u is empty.
 */
enum ghauth_err
ghauthp_gh_get_user(const struct ghauth_config *cfg, const char *token,
    struct ghauthp_gh_user *u)
{
	struct sink	 s;
	long		 status = 0;
	enum ghauth_err	 rc;
	int		 attempt;

	memset(&s, 0, sizeof(s));
	for (attempt = 0; attempt < 2; attempt++) {
		sink_reset(&s, USER_BODY_MAX);
		rc = api_get(cfg, "/user", token, &s, &status);
		if (rc != GHAUTH_OK || status < 500)
			break;
		ghauthp_log("github: /user: HTTP %ld, retrying once", status);
	}
	if (rc == GHAUTH_OK && (status != 200 || !s.json))
		rc = bad_status("/user", status, &s);
	if (rc == GHAUTH_OK && ghauthp_gh_parse_user(s.buf, s.len, u) != 0) {
		ghauthp_log("github: /user: malformed answer");
		rc = GHAUTH_E_GH_BADANSWER;
	}
	if (rc != GHAUTH_OK || u->email != NULL) {
		sink_reset(&s, 0);
		return rc;
	}
	/* No public email: the primary verified one, if the scope allows. */
	sink_reset(&s, USER_BODY_MAX);
	rc = api_get(cfg, "/user/emails", token, &s, &status);
	if (rc == GHAUTH_OK && (status == 403 || status == 404) &&
	    !s.ratelimited)
		ghauthp_log("github: /user/emails: HTTP %ld, no email", status);
	else if (rc == GHAUTH_OK && (status != 200 || !s.json))
		rc = bad_status("/user/emails", status, &s);
	else if (rc == GHAUTH_OK &&
	    ghauthp_gh_parse_emails(s.buf, s.len, &u->email) != 0) {
		ghauthp_log("github: /user/emails: malformed answer");
		rc = GHAUTH_E_GH_BADANSWER;
	}
	sink_reset(&s, 0);
	if (rc != GHAUTH_OK)
		ghauthp_gh_user_free(u);
	return rc;
}
