/*
 * ghauth-int.h - declarations shared between libghauth's modules but not
 * part of its public interface (prefix ghauthp_ / GHAUTHP_).
 */
#ifndef GHAUTH_INT_H
#define GHAUTH_INT_H

#include <sys/types.h>
#include <sys/resource.h>

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "ghauth.h"

#define GHAUTHP_UNUSED	__attribute__((unused))

/* ---- errors (error.c) --------------------------------------------------- */

/* An error plus its optional detail (login, GitHub error_description);
 * error.c maps each error to a status and the user-facing message
 * documented in docs/TROUBLESHOOTING.md. */
struct ghauthp_result {
	enum ghauth_err	 err;
	char		 detail[256];
};

int		 ghauthp_err_status(enum ghauth_err);
const char	*ghauthp_err_name(enum ghauth_err);
int		 ghauthp_err_message(const struct ghauthp_result *, char *,
		    size_t);

/* ---- configuration (config.c, allow.c) -------------------------------- */

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

enum ghauth_err	 ghauthp_config_load_file(struct ghauth_config *, const char *,
		    ghauth_getenv_fn, void *, char *, size_t);
enum ghauth_err	 ghauthp_config_parse(struct ghauth_config *, const char *,
		    size_t, ghauth_getenv_fn, void *, char *, size_t);
int		 ghauthp_allow_parse(struct ghauth_allow *, const char *);
void		 ghauthp_allow_free(struct ghauth_allow *);
int		 ghauthp_allow_match(const struct ghauth_allow *, uint64_t,
		    const char *);

/* ---- the CGI request (request.c, query.c, cookie.c) --------------------- */

#define GHAUTHP_QUERY_MAX	4096
#define GHAUTHP_COOKIE_MAX	8192
#define GHAUTHP_HEADER_MAX	1024
#define GHAUTHP_BODY_MAX	1024
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

/* ---- building the response (response.c) --------------------------------- */

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
		    const struct ghauthp_request *,
		    const struct ghauth_config *, const struct ghauthp_result *);

/* ---- the process state every program starts with (harden.c) ------------ */

/* What ghauthp_harden() changed, for ghauthp_unharden(). */
struct ghauthp_saved {
	mode_t		 umask;
	struct rlimit	 core;
	int		 core_ok;
	void		(*sigpipe)(int);
	void		(*sigxfsz)(int);
};

void		 ghauthp_harden(struct ghauthp_saved *);
void		 ghauthp_unharden(const struct ghauthp_saved *);

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

/* ---- sessions, as the endpoints and the C API see them (session.c) ------ */

enum ghauth_err	 ghauthp_session_lookup(const struct ghauth_config *,
		    const char *, struct ghauth_identity *);
enum ghauth_err	 ghauthp_request_token(const struct ghauth_config *,
		    const struct ghauthp_request *, char[GHAUTHP_TOKEN_LEN + 1],
		    int *);

/* ---- endpoints (ep_*.c): fill resp from the call, return 0 -------------- */

struct ghauthp_call;
int		 ghauthp_ep_github(struct ghauthp_call *,
		    struct ghauth_response *);
int		 ghauthp_ep_callback(struct ghauthp_call *,
		    struct ghauth_response *);
int		 ghauthp_ep_session(struct ghauthp_call *,
		    struct ghauth_response *);
int		 ghauthp_ep_logout(struct ghauthp_call *,
		    struct ghauth_response *);
int		 ghauthp_ep_auth(struct ghauthp_call *,
		    struct ghauth_response *);

/* ---- logging (log.c): stderr only, never secrets ------------------------ */

void		 ghauthp_log_init(const char *);
void		 ghauthp_log(const char *, ...)
		    __attribute__((format(printf, 1, 2)));

/* ---- the configuration's schema (config.c) ------------------------------ */

enum ghauthp_ctype {
	GHAUTHP_CT_OBJECT,	/* holds other keys; unknown members refused */
	GHAUTHP_CT_BOOL,	/* int */
	GHAUTHP_CT_LONG,	/* long, in [min, max] */
	GHAUTHP_CT_STRING,	/* char *, "$NAME" expanded */
	GHAUTHP_CT_ALLOW,	/* struct ghauth_allow (restrict_to) */
	GHAUTHP_CT_DIRS		/* char **, NULL-ended: absolute directories */
};

#define GHAUTHP_CK_SECRET	0x01	/* never printed */
#define GHAUTHP_CK_STORE	0x02	/* printed without a URL's user:password */

/* One key: keys[] in config.c is the whole schema. */
struct ghauthp_ckey {
	const char	*path;		/* "auth.github.client_id" */
	const char	*env;		/* environment-only mode, or NULL */
	enum ghauthp_ctype type;
	size_t		 off;		/* offsetof(struct ghauth_config, ...) */
	long		 min, max;
	const char	*def;		/* default as text, NULL: none */
	int		 flags;
};

typedef void	(*ghauthp_config_report_fn)(void *, const char *);
const struct ghauthp_ckey *ghauthp_config_keys(size_t *);
#define GHAUTHP_GPATH_MAX	4096	/* a guard path, normalised */
#define GHAUTHP_DIRS_MAX	64	/* guard.roots entries */
#define GHAUTHP_SCRIPTS_MAX	256	/* guard.scripts, with its NUL */
const char	*ghauthp_config_suggest(const char *, const char *);
/* path.c, suggest.c, url.c */
int		 ghauthp_guard_root(const char *, char *, size_t);
const char	*ghauthp_key_suggest(const struct ghauthp_ckey *, size_t,
		    const char *, const char *);
#define GHAUTHP_URL_MAX		2048
size_t		 ghauthp_url_origin(const char *, int, int *);
const char	*ghauthp_config_path(ghauth_getenv_fn, void *);
enum ghauth_err	 ghauthp_config_open(struct ghauth_config *, const char *,
		    ghauth_getenv_fn, void *);
enum ghauth_err	 ghauthp_config_check(struct ghauth_config *, const char *,
		    ghauth_getenv_fn, void *, ghauthp_config_report_fn, void *,
		    char *, size_t);
int		 ghauthp_allow_describe(const struct ghauth_allow *, char *,
		    size_t);

/* ---- the store (store/store.h: the interface; one file per backend) ---- */

#include "store/store.h"

/* Key: 3-byte kind prefix + SHA-256 of the token string. */
#define GHAUTHP_KEY_LEN		35
#define GHAUTHP_KIND_STATE	"st:"
#define GHAUTHP_KIND_SESSION	"se:"
#define GHAUTHP_KIND_HANDOFF	"ho:"

void		 ghauthp_key(const char *, const char *, unsigned char
		    [GHAUTHP_KEY_LEN]);

/* ---- ghauth-admin's operations (admin.c) -------------------------------- */

/* What a store key names. */
enum ghauthp_akind {
	GHAUTHP_AK_STATE,
	GHAUTHP_AK_SESSION,
	GHAUTHP_AK_HANDOFF,
	GHAUTHP_AK_META,	/* "meta:" keys (the sweep cursor) */
	GHAUTHP_AK_OTHER,	/* no key ghauth writes: unreadable */
	GHAUTHP_AK__MAX
};

struct ghauthp_admin_opts {
	const char	*path;		/* the store: a GDBM path or a Redis URL */
	const char	*prefix;	/* Redis key prefix, NULL: the default */
	long		 timeout_ms;	/* lock deadline; Redis: command deadline */
	long		 idle_ttl;	/* session_idle_ttl, 0: none */
	time_t		 now;
};

struct ghauthp_admin_session {
	char		 tag[9];	/* 8 hex digits of the key, not the token */
	uint64_t	 uid;
	char		*login;
	int64_t		 created;
	int64_t		 last_seen;
	int64_t		 expires;
	int		 expired;	/* 0 live, 1 expired, 2 idle too long */
};

struct ghauthp_admin_report {
	int		 exists;	/* a non-empty database file */
	long long	 size_before;	/* bytes, -1: no file */
	long long	 size_after;
	size_t		 records[GHAUTHP_AK__MAX];
	size_t		 expired[GHAUTHP_AK__MAX];
	size_t		 unreadable[GHAUTHP_AK__MAX];
	size_t		 removed;
	size_t		 present;	/* migrate: already in the target */
	size_t		 walk_errors;	/* GDBM errors while reading */
	size_t		 unread;	/* records GDBM would no longer read */
	int		 needs_recovery;
	int		 open_error;	/* gdbm_errno when GDBM refused the file */
	int		 rebuilt;	/* recover: GDBM rebuilt the file */
	size_t		 rcv_keys;
	size_t		 rcv_failed_keys;
	size_t		 rcv_failed_buckets;
	int		 reset;		/* recover: started empty */
	char		 backup[4200];	/* recover: GDBM's copy of the original */
	char		 moved[4200];	/* recover: where the unusable file went */
};

enum ghauth_err	 ghauthp_admin_list(const struct ghauthp_admin_opts *,
		    struct ghauthp_admin_session **, size_t *,
		    struct ghauthp_admin_report *);
void		 ghauthp_admin_list_free(struct ghauthp_admin_session *,
		    size_t);
enum ghauth_err	 ghauthp_admin_stats(const struct ghauthp_admin_opts *,
		    struct ghauthp_admin_report *);
enum ghauth_err	 ghauthp_admin_purge(const struct ghauthp_admin_opts *,
		    struct ghauthp_admin_report *);
enum ghauth_err	 ghauthp_admin_revoke(const struct ghauthp_admin_opts *,
		    const char *, struct ghauthp_admin_report *);
enum ghauth_err	 ghauthp_admin_revoke_tag(const struct ghauthp_admin_opts *,
		    const char *, struct ghauthp_admin_report *);
enum ghauth_err	 ghauthp_admin_migrate(const struct ghauthp_admin_opts *,
		    const char *, struct ghauthp_admin_report *);
enum ghauth_err	 ghauthp_admin_reorganize(const struct ghauthp_admin_opts *,
		    struct ghauthp_admin_report *);
enum ghauth_err	 ghauthp_admin_check(const struct ghauthp_admin_opts *,
		    struct ghauthp_admin_report *);
enum ghauth_err	 ghauthp_admin_recover(const struct ghauthp_admin_opts *,
		    int, struct ghauthp_admin_report *);
int		 ghauthp_admin_problems(const struct ghauthp_admin_report *);

/* check-config: the problems of a configuration, errors first. */
struct ghauthp_admin_cfgcheck {
	char		**line;		/* "error: ..." / "warning: ..." */
	size_t		 n, errors, warnings;
	int		 nomem;
};
enum ghauth_err	 ghauthp_admin_check_config(struct ghauth_config *,
		    const char *, ghauth_getenv_fn, void *,
		    struct ghauthp_admin_cfgcheck *);
void		 ghauthp_admin_cfgcheck_free(struct ghauthp_admin_cfgcheck *);
const char	*ghauthp_admin_shown_store(const char *);
void		 ghauthp_admin_config_value(const struct ghauth_config *,
		    const struct ghauthp_ckey *, char *, size_t);
int		 ghauthp_admin_owner(const char *, char *, size_t);

/* ---- records (record.c): versioned, integrity-tagged values ------------ */

enum ghauthp_rtype {
	GHAUTHP_REC_STATE = 1,
	GHAUTHP_REC_SESSION = 2,
	GHAUTHP_REC_HANDOFF = 3
};

struct ghauthp_record {
	enum ghauthp_rtype type;
	int64_t		 created;
	int64_t		 expires;
	int64_t		 last_seen;
	/* state */
	char		 verifier[GHAUTHP_TOKEN_LEN + 1];
	char		*redirect;	/* NULL: none */
	/* session */
	uint64_t	 uid;
	char		*login;
	char		*name;
	char		*avatar_url;
	char		*email;
	char		*groups;	/* admitting org:/team: entries, or NULL */
	/* hand-off: the session token, masked by a pad derived from the hand-off */
	unsigned char	 masked[32];
};

#define GHAUTHP_RECORD_MAX	8192

void		 ghauthp_record_free(struct ghauthp_record *);
unsigned char	*ghauthp_record_encode(const struct ghauthp_record *,
		    const unsigned char *, size_t, size_t *);
/* decode: 0 ok, -1 malformed or integrity failure (logged by the caller) */
int		 ghauthp_record_decode(const unsigned char *, size_t,
		    const unsigned char *, size_t, struct ghauthp_record *);
int		 ghauthp_record_expires(const unsigned char *, size_t,
		    const unsigned char *, size_t, int64_t *);

/* ---- GitHub client (github.c needs libcurl; github_json.c does not) ----- */

struct ghauthp_token_reply {
	char		*access_token;
	char		*error;
	char		*error_description;
};

struct ghauthp_gh_user {
	uint64_t	 id;
	char		*login;
	char		*name;
	char		*avatar_url;
	char		*email;
};

int		 ghauthp_gh_parse_token(const char *, size_t,
		    struct ghauthp_token_reply *);
void		 ghauthp_token_reply_free(struct ghauthp_token_reply *);
int		 ghauthp_gh_parse_user(const char *, size_t,
		    struct ghauthp_gh_user *);
int		 ghauthp_gh_parse_emails(const char *, size_t, char **);
void		 ghauthp_gh_user_free(struct ghauthp_gh_user *);
int		 ghauthp_valid_login(const char *);

/* ---- the allowlist's org:/team: entries (allow.c) ------------------------ */

#define GHAUTHP_SLUG_MAX	100
/* The admitting entries of one session, comma-separated, at most: */
#define GHAUTHP_GROUPS_MAX	(GHAUTHP_ALLOW_GROUPS_MAX * (5 + 64 + 1 + \
				    GHAUTHP_SLUG_MAX + 1))

int		 ghauthp_valid_slug(const char *);
int		 ghauthp_allow_parse_msg(struct ghauth_allow *, const char *,
		    char *, size_t);
int		 ghauthp_allow_recheck(const struct ghauth_allow *, uint64_t,
		    const char *, const char *, char **);

/* The sign-in's calls, in order (github_signin.c). */
enum ghauth_err	 ghauthp_github_signin(const struct ghauth_config *,
		    const char *, const char *, struct ghauthp_gh_user *,
		    char **, struct ghauthp_result *);

/* The token exchange and the user (github.c). */
enum ghauth_err	 ghauthp_gh_exchange(const struct ghauth_config *,
		    const char *, const char *, char **,
		    struct ghauthp_result *);
enum ghauth_err	 ghauthp_gh_get_user(const struct ghauth_config *, const char *,
		    struct ghauthp_gh_user *);

/* One REST call (github.c), for the memberships and the revocation. */
struct ghauthp_gh_reply {
	char		*body;
	size_t		 len;
	long		 status;
	int		 json;		/* Content-Type application/...json */
	int		 ratelimited;	/* X-RateLimit-Remaining: 0, Retry-After */
};

enum ghauth_err	 ghauthp_gh_call(const struct ghauth_config *, const char *,
		    const char *, const char *, const char *, const char *,
		    const char *, size_t, const char *,
		    struct ghauthp_gh_reply *);
void		 ghauthp_gh_reply_free(struct ghauthp_gh_reply *);

/* ---- memberships and revocation (github_orgs.c, github_orgs_json.c) ---- */

#define GHAUTHP_MEMBER_BODY_MAX	(64 * 1024)

enum ghauth_err	 ghauthp_gh_memberships(const struct ghauth_config *,
		    const char *, const char *, char **);
void		 ghauthp_gh_revoke(const struct ghauth_config *, const char *);
int		 ghauthp_gh_member_path(const char *, const char *, char *,
		    size_t);
enum ghauth_err	 ghauthp_gh_member_verdict(const char *,
		    const struct ghauthp_gh_reply *, int *);
char		*ghauthp_gh_revoke_body(const char *);
int		 ghauthp_gh_revoke_path(const char *, char **);

/* ---- sessions (session.c) ---------------------------------------------- */

const char	*ghauthp_session_cookie(const struct ghauth_config *);
const char	*ghauthp_state_cookie(const struct ghauth_config *);
int		 ghauthp_identity_json(const struct ghauth_identity *,
		    const char *, struct ghauth_response *);

#define GHAUTHP_SWEEP_MAX	16

/* ---- the token lifecycle (tokens.c): all the endpoints' store work ------ */

void		 ghauthp_handoff_pad(const char *, unsigned char[32]);

enum ghauth_err	 ghauthp_state_create(const struct ghauth_config *,
		    const char *, char[GHAUTHP_TOKEN_LEN + 1],
		    char[GHAUTHP_TOKEN_LEN + 1]);
enum ghauth_err	 ghauthp_state_take(const struct ghauth_config *,
		    const char *, struct ghauthp_record *);
enum ghauth_err	 ghauthp_session_create(const struct ghauth_config *,
		    const struct ghauthp_gh_user *, char *,
		    char[GHAUTHP_TOKEN_LEN + 1], char[GHAUTHP_TOKEN_LEN + 1]);
enum ghauth_err	 ghauthp_handoff_take(const struct ghauth_config *,
		    const char *, char[GHAUTHP_TOKEN_LEN + 1]);
enum ghauth_err	 ghauthp_session_get(const struct ghauth_config *,
		    const char *, struct ghauthp_record *);
void		 ghauthp_session_touch(const struct ghauth_config *,
		    const char *, time_t, int64_t);
enum ghauth_err	 ghauthp_session_end(const struct ghauth_config *,
		    const char *);

/* ---- endpoint helpers (endpoint.c) ---------------------------------------- */

int		 ghauthp_ep_check(const struct ghauth_config *,
		    const struct ghauthp_request *, struct ghauth_response *,
		    enum ghauthp_method, const char *, int);
void		 ghauthp_ep_fail(const struct ghauth_config *,
		    const struct ghauthp_request *, struct ghauth_response *,
		    enum ghauth_err, const char *);

/* ---- one request variable, bounded and checked (request.c) ------------- */

enum ghauth_err	 ghauthp_request_var(ghauth_getenv_fn, void *, const char *,
		    size_t, char **);
enum ghauth_err	 ghauthp_request_token_var(ghauth_getenv_fn, void *, char **);

/* ---- the programs and their one driver (lib/driver/) -------------------- */

/*
 * One request, as the driver hands it to a program's handler: the
 * request's variables (env, ctx), the request read from them, the
 * configuration, and what hardening changed (for a handler that execs).
 */
struct ghauthp_call {
	ghauth_getenv_fn	 env;
	void			*ctx;
	struct ghauthp_request	 req;	/* empty for GHAUTHP_PROG_RAW */
	struct ghauth_config	*cfg;	/* a handler about to exec frees it
					   and sets NULL */
	struct ghauthp_saved	 saved;
};

/* Fills resp and returns 0, or returns 1 when it has answered on stdout. */
typedef int	(*ghauthp_handler)(struct ghauthp_call *,
		    struct ghauth_response *);

/* How the errors found before the handler runs are answered. */
enum ghauthp_errors {
	GHAUTHP_ERRORS_PAGE,	/* HTML, or JSON when only JSON is accepted */
	GHAUTHP_ERRORS_JSON,	/* always JSON: the API endpoints */
	GHAUTHP_ERRORS_DENY	/* as ghauth_deny_response(): protection */
};

/* Reads the variables itself and keeps the environment. */
#define GHAUTHP_PROG_RAW	0x01
/* Reads the request body before answering (Apache's mod_cgid). */
#define GHAUTHP_PROG_DRAIN	0x02

/*
 * A program: a row of the table in docs/HACKING.md.  Each main() holds its
 * own row, so that a program links only its own handler (only the
 * callback loads libcurl: tests/flow/test-linkage.sh).
 */
struct ghauthp_program {
	const char		*name;		/* the log tag */
	ghauthp_handler		 run;
	enum ghauthp_method	 method;	/* NONE: the handler checks */
	const char		*allow;		/* Allow of a 405 */
	enum ghauthp_errors	 errors;
	unsigned		 flags;		/* GHAUTHP_PROG_* */
	/* ghauthp_fastcgi_loop, or NULL for a CGI program only (then
	 * libfcgi is not linked in: tests/protect/test-linkage.sh) */
	int			(*fastcgi)(const struct ghauthp_program *);
};

/* Runs a program: once (CGI) or in a loop (FastCGI).  Its exit status. */
int		 ghauthp_main(const struct ghauthp_program *);
/* The FastCGI loop (fcgi.c): one request after another, as ghauthp_main. */
int		 ghauthp_fastcgi_loop(const struct ghauthp_program *);

/* ---- streaming SHA-256 (sha256.c) ---------------------------------------- */

struct ghauthp_sha256 {
	uint32_t	 h[8];
	uint64_t	 len;
	unsigned char	 buf[64];
	size_t		 n;
};

void		 ghauthp_sha256_init(struct ghauthp_sha256 *);
void		 ghauthp_sha256_update(struct ghauthp_sha256 *, const void *,
		    size_t);
void		 ghauthp_sha256_final(struct ghauthp_sha256 *, unsigned char[32]);

/* ---- SipHash-2-4, the record tag (siphash.c) ---------------------------- */

struct ghauthp_siphash {
	uint64_t	 v[4];
	uint64_t	 len;
	unsigned char	 buf[8];
	size_t		 n;
};

void		 ghauthp_siphash_init(struct ghauthp_siphash *,
		    const unsigned char[16]);
void		 ghauthp_siphash_update(struct ghauthp_siphash *, const void *,
		    size_t);
uint64_t	 ghauthp_siphash_final(struct ghauthp_siphash *);

/* ---- bounded strings (str.c) ------------------------------------------- */

char		*ghauthp_strdup(const char *);
char		*ghauthp_strndup(const char *, size_t);
int		 ghauthp_has_ctl(const char *, size_t);
int		 ghauthp_str_append(char **, size_t *, size_t *, const char *,
		    size_t);
int		 ghauthp_pct_encode(char **, size_t *, size_t *, const char *);
void		 ghauthp_hex(const unsigned char *, size_t, char *);
/* query.c */
long		 ghauthp_pct_decode(const char *, size_t, char *);

/* ---- secrets in memory (secret.c) -------------------------------------- */

void		 ghauthp_wipe(void *, size_t);
int		 ghauthp_ct_equal(const void *, const void *, size_t);
void		 ghauthp_token_tag(const char *, char[9]);

/* ---- JSON output (json_out.c), the clock (clock.c), stdout (response.c) */

char		*ghauthp_json_dump(void *);
int		 ghauthp_json_str(char **, size_t *, size_t *, const char *);
time_t		 ghauthp_now(void);
int		 ghauthp_write_all(int, const char *, size_t);

void		 ghauthp_result(struct ghauthp_result *, enum ghauth_err,
		    const char *);

#endif /* GHAUTH_INT_H */
