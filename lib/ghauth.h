/*
 * ghauth.h - public interface of libghauth, GitHub OAuth sign-in for CGI.
 *
 * Every exported name starts with ghauth_ (GHAUTH_ for macros and enum
 * values).  The library never writes to stdout and never exits: it fills a
 * struct ghauth_response that a program in cgi-bin/ serialises.  Errors
 * cross the library boundary as enum ghauth_err, mapped once (error.c) to
 * an HTTP status and the user-facing message documented in
 * docs/TROUBLESHOOTING.md.
 */
#ifndef GHAUTH_H
#define GHAUTH_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Typed errors; error.c maps each to a status and a message. */
enum ghauth_err {
	GHAUTH_OK = 0,
	GHAUTH_E_NOMEM,
	GHAUTH_E_INTERNAL,
	GHAUTH_E_METHOD,
	GHAUTH_E_NOTFOUND,
	GHAUTH_E_BADREQ,
	GHAUTH_E_TOOLARGE,
	GHAUTH_E_DISABLED,
	GHAUTH_E_NOTCONFIGURED,
	GHAUTH_E_CONFIG,
	GHAUTH_E_MISSING_CODE_STATE,
	GHAUTH_E_BAD_CODE,
	GHAUTH_E_BAD_STATE,
	GHAUTH_E_GH_CANCELLED,
	GHAUTH_E_GH_SUSPENDED,
	GHAUTH_E_GH_REDIRECT_MISMATCH,
	GHAUTH_E_GH_ERROR,
	GHAUTH_E_OAUTH,
	GHAUTH_E_GH_UNREACHABLE,
	GHAUTH_E_GH_BADANSWER,
	GHAUTH_E_GH_RATELIMIT,
	GHAUTH_E_DENIED,
	GHAUTH_E_SESSION,
	GHAUTH_E_CROSS_SITE,
	GHAUTH_E_BUSY,
	GHAUTH_E_STORE,
	GHAUTH_E_AUTH_REQUIRED,	/* GET /auth without a session (llms.py v4) */
	GHAUTH_E__MAX
};

/* An error plus its optional detail (login, GitHub error_description). */
struct ghauthp_result {
	enum ghauth_err	 err;
	char		 detail[256];
};

int		 ghauthp_err_status(enum ghauth_err);
const char	*ghauthp_err_name(enum ghauth_err);
int		 ghauthp_err_message(const struct ghauthp_result *, char *, size_t);

/* Where the library reads its environment: getenv(3) for CGI. */
typedef const char *(*ghauth_getenv_fn)(void *ctx, const char *name);
const char	*ghauthp_getenv_process(void *, const char *);

/* ---- configuration (config.c) ------------------------------------------ */

#define GHAUTHP_ALLOW_MAX	1024
#define GHAUTHP_ALLOW_GROUPS_MAX	16	/* org: and team: entries */

/* What an allowlist entry names. */
enum ghauthp_allow_kind {
	GHAUTHP_ALLOW_LOGIN = 0,
	GHAUTHP_ALLOW_ID,
	GHAUTHP_ALLOW_ORG,		/* org:ORG */
	GHAUTHP_ALLOW_TEAM,		/* team:ORG/TEAM-SLUG */
	GHAUTHP_ALLOW__MAX
};

struct ghauth_allow {
	size_t		 n;
	char		**login;	/* lower-cased logins, or the canonical
					   "org:acme" / "team:acme/infra";
					   NULL for an id entry */
	uint64_t	*id;		/* numeric ids, 0 for any other entry */
	unsigned char	*kind;		/* enum ghauthp_allow_kind */
	size_t		 ngroups;	/* org: and team: entries among n */
	int		 any;		/* "*" was listed: any GitHub account */
};

struct ghauth_config {
	int		 enabled;
	char		*client_id;
	char		*client_secret;
	char		*redirect_uri;
	char		*oauth_url;
	char		*authorize_url;	/* browser-facing; default oauth_url/authorize */
	char		*api_url;
	char		*ca_file;
	char		*store;
	char		*origin;	/* scheme://host[:port] of redirect_uri */
	int		 secure;	/* redirect_uri is https */
	struct ghauth_allow allow;	/* any, or empty (not set): anyone */
	long		 session_ttl;
	long		 state_ttl;
	long		 session_idle_ttl;
	long		 handoff_ttl;
	long		 lock_timeout_ms;
	char		*store_prefix;	/* Redis key prefix, default "ghauth:" */
	long		 store_timeout_ms;	/* Redis connect/command deadline */
	long		 github_timeout;	/* seconds, per GitHub call */
	int		 revoke_token;	/* revoke GitHub's token after sign-in */
	char		 path[4096];	/* file read, "" in environment mode */
};

enum ghauth_err	 ghauth_config_load(struct ghauth_config *, ghauth_getenv_fn,
		    void *, char *, size_t);
enum ghauth_err	 ghauthp_config_load_file(struct ghauth_config *, const char *,
		    ghauth_getenv_fn, void *, char *, size_t);
enum ghauth_err	 ghauthp_config_parse(struct ghauth_config *, const char *,
		    size_t, ghauth_getenv_fn, void *, char *, size_t);
void		 ghauth_config_free(struct ghauth_config *);
int		 ghauthp_allow_parse(struct ghauth_allow *, const char *);
void		 ghauthp_allow_free(struct ghauth_allow *);
int		 ghauthp_allow_match(const struct ghauth_allow *, uint64_t,
		    const char *);

/* ---- the CGI request (request.c, query.c, cookie.c) --------------------- */

#define GHAUTHP_QUERY_MAX	4096
#define GHAUTHP_COOKIE_MAX	8192
#define GHAUTHP_HEADER_MAX	1024
#define GHAUTHP_BODY_MAX		1024
#define GHAUTHP_TOKEN_LEN	43	/* base64url of 32 bytes, no padding */

enum ghauthp_method {
	GHAUTHP_METHOD_NONE = 0,
	GHAUTHP_METHOD_GET,
	GHAUTHP_METHOD_HEAD,
	GHAUTHP_METHOD_POST,
	GHAUTHP_METHOD_OTHER
};

struct ghauthp_request {
	enum ghauthp_method method;
	int		 https;
	int		 path_info;	/* a non-empty PATH_INFO was given */
	long long	 content_length;	/* -1: absent */
	char		*query;
	char		*cookie;
	char		*accept;
	char		*origin;
	char		*sec_fetch_site;
	char		*session_token;	/* X-Session-Token, raw */
	int		 session_token_present;
};

enum ghauth_err	 ghauthp_request_read(struct ghauthp_request *,
		    ghauth_getenv_fn, void *);
void		 ghauthp_request_free(struct ghauthp_request *);
int		 ghauthp_request_wants_json(const struct ghauthp_request *);

/* Query parameters are declared up front; only declared keys are kept. */
typedef int	(*ghauthp_validator)(const char *, size_t);
struct ghauthp_qkey {
	const char	*name;
	ghauthp_validator valid;
};
struct ghauthp_qval {
	int		 present;	/* key seen (even if invalid or empty) */
	int		 empty;		/* seen with an empty value */
	int		 valid;		/* decoded value passed the validator */
	char		*value;		/* decoded, NUL-terminated; NULL unless valid */
};
enum ghauth_err	 ghauthp_query_parse(const char *, const struct ghauthp_qkey *,
		    size_t, struct ghauthp_qval *);
void		 ghauthp_query_free(struct ghauthp_qval *, size_t);

int		 ghauthp_valid_token(const char *, size_t);
int		 ghauthp_valid_code(const char *, size_t);
int		 ghauthp_valid_error(const char *, size_t);
int		 ghauthp_valid_redirect(const char *, size_t);

/* Returns 1 found (value copied), 0 absent, -1 malformed or repeated. */
int		 ghauthp_cookie_get(const char *, const char *, char *, size_t);

/* ---- the response (response.c) ----------------------------------------- */

#define GHAUTH_HEADERS_MAX	20

struct ghauth_response {
	int		 status;
	size_t		 nheaders;
	char		*hname[GHAUTH_HEADERS_MAX];
	char		*hvalue[GHAUTH_HEADERS_MAX];
	char		*body;
	size_t		 body_len;
	int		 failed;	/* a header was refused: send 500 */
};

void		 ghauth_response_init(struct ghauth_response *);
void		 ghauth_response_free(struct ghauth_response *);
int		 ghauthp_response_header(struct ghauth_response *, const char *,
		    const char *, ...) __attribute__((format(printf, 3, 4)));
int		 ghauthp_response_cookie(struct ghauth_response *,
		    const struct ghauth_config *, const char *, const char *,
		    long);
int		 ghauthp_response_body(struct ghauth_response *, const char *,
		    size_t);
int		 ghauthp_response_json(struct ghauth_response *, int, void *);
int		 ghauthp_response_redirect(struct ghauth_response *,
		    const char *);
void		 ghauthp_response_error(struct ghauth_response *,
		    const struct ghauthp_request *, const struct ghauth_config *,
		    const struct ghauthp_result *);
char		*ghauth_response_serialize(const struct ghauth_response *,
		    size_t *);

/* ---- tokens and hashing (random.c, sha256.c, base64.c) ------------------ */

int		 ghauthp_random(void *, size_t);
int		 ghauthp_token(char out[GHAUTHP_TOKEN_LEN + 1]);
size_t		 ghauthp_b64url_encode(const unsigned char *, size_t, char *,
		    size_t);
int		 ghauthp_b64url_decode(const char *, size_t, unsigned char *,
		    size_t);
size_t		 ghauthp_b64_encode(const unsigned char *, size_t, char *,
		    size_t);
void		 ghauthp_sha256(const void *, size_t, unsigned char[32]);
int		 ghauthp_ct_equal(const void *, const void *, size_t);

/* ---- sessions, as the endpoints and the C API see them (session.c) ------ */

struct ghauth_identity {
	uint64_t	 id;
	char		*login;
	char		*name;		/* may be NULL */
	char		*avatar_url;
	char		*email;		/* may be NULL */
	char		*groups;	/* the restrict_to org:/team: entries that
					   admitted the session and are still
					   listed, comma-separated ("org:acme,
					   team:acme/infra"); NULL: none */
	time_t		 created;
	time_t		 expires;
	time_t		 last_seen;
};

void		 ghauth_identity_free(struct ghauth_identity *);
enum ghauth_err	 ghauthp_session_lookup(const struct ghauth_config *,
		    const char *, struct ghauth_identity *);
enum ghauth_err	 ghauthp_request_token(const struct ghauth_config *,
		    const struct ghauthp_request *, char[GHAUTHP_TOKEN_LEN + 1],
		    int *);

/* ---- protecting a site's own content (identify.c, docs/PROTECT.md) ----- */

const char	*ghauth_getenv_cgi(void *, const char *);
enum ghauth_err	 ghauth_identify(struct ghauth_identity *);
enum ghauth_err	 ghauth_identify_env(const struct ghauth_config *,
		    ghauth_getenv_fn, void *, struct ghauth_identity *);
int		 ghauth_deny_response(const struct ghauth_config *,
		    ghauth_getenv_fn, void *, enum ghauth_err,
		    struct ghauth_response *);
int		 ghauth_deny(enum ghauth_err);

/* ---- endpoints (ep_*.c): fill resp from req and cfg --------------------- */

typedef void	(*ghauthp_endpoint)(const struct ghauth_config *,
		    const struct ghauthp_request *, struct ghauth_response *);
void		 ghauthp_ep_start(const struct ghauth_config *,
		    const struct ghauthp_request *, struct ghauth_response *);
void		 ghauthp_ep_callback(const struct ghauth_config *,
		    const struct ghauthp_request *, struct ghauth_response *);
void		 ghauthp_ep_session(const struct ghauth_config *,
		    const struct ghauthp_request *, struct ghauth_response *);
void		 ghauthp_ep_logout(const struct ghauth_config *,
		    const struct ghauthp_request *, struct ghauth_response *);
void		 ghauthp_ep_auth(const struct ghauth_config *,
		    const struct ghauthp_request *, struct ghauth_response *);

/* Runs one CGI request: harden, read, configure, handle, write stdout. */
int		 ghauthp_cgi_main(const char *, ghauthp_endpoint);

/* ---- logging (log.c): stderr only, never secrets ------------------------ */

void		 ghauthp_log_init(const char *);
void		 ghauthp_log(const char *, ...)
		    __attribute__((format(printf, 1, 2)));

#endif /* GHAUTH_H */
