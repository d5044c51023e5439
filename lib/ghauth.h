/*
 * ghauth.h - the C API of libghauth (ghauth_identify(3), docs/PROTECT.md):
 * who is signed in on this CGI request, and the refusal when nobody is.
 *
 * This header is the whole interface: every function declared here is
 * documented in ghauth_identify(3), and tests/docs/test-api.sh checks that
 * the archive exports no other ghauth_ name.  The library's internals
 * (prefix ghauthp_, lib/ghauth-int.h) are in the archive too, but are not
 * an interface.  None of these functions exits, and only ghauth_deny()
 * writes to stdout; errors are an enum ghauth_err.
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

/* Where the library reads the request's CGI variables (getenv(3)-like). */
typedef const char *(*ghauth_getenv_fn)(void *ctx, const char *name);

/* ---- the configuration (config.c) --------------------------------------- */

/*
 * Defined here because callers hold a struct ghauth_config (and with it a
 * struct ghauth_allow) themselves; their members are not an interface:
 * only ghauth_config_load() fills them and ghauth_config_free() frees them.
 */
struct ghauth_allow {
	size_t		 n;
	char		**login;	/* lower-cased logins, or the canonical
					   "org:acme" / "team:acme/infra";
					   NULL for an id entry */
	uint64_t	*id;		/* numeric ids, 0 for any other entry */
	unsigned char	*kind;		/* what each entry names */
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
	char		**guard_roots;	/* the guard's areas, normalised; NULL-ended */
	char		*guard_scripts;	/* endings the guard runs, NULL: unset */
	char		 path[4096];	/* file read, "" in environment mode */
};

enum ghauth_err	 ghauth_config_load(struct ghauth_config *, ghauth_getenv_fn,
		    void *, char *, size_t);
void		 ghauth_config_free(struct ghauth_config *);

/* ---- a CGI response, for ghauth_deny_response() (response.c) ----------- */

#define GHAUTH_HEADERS_MAX	20

/*
 * Set up with ghauth_response_init(), filled by ghauth_deny_response(),
 * turned into bytes by ghauth_response_serialize(), released by
 * ghauth_response_free().  Defined here because callers hold one; its
 * members are not an interface.
 */
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
char		*ghauth_response_serialize(const struct ghauth_response *,
		    size_t *);

/* ---- who is signed in (identify.c, session.c) ---------------------------- */

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
const char	*ghauth_getenv_cgi(void *, const char *);
enum ghauth_err	 ghauth_identify(struct ghauth_identity *);
enum ghauth_err	 ghauth_identify_env(const struct ghauth_config *,
		    ghauth_getenv_fn, void *, struct ghauth_identity *);
int		 ghauth_deny_response(const struct ghauth_config *,
		    ghauth_getenv_fn, void *, enum ghauth_err,
		    struct ghauth_response *);
int		 ghauth_deny(enum ghauth_err);

#endif /* GHAUTH_H */
