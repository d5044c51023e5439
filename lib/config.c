/*
 * config.c - the configuration: the "auth" block of a JSON file (an
 * llms.json works as it is) or, with no file, the environment alone.
 *
 * A string value that is exactly "$NAME" or "${NAME}" is replaced by that
 * environment variable ("" when unset).  Types, ranges and URL shapes are
 * checked here, once; the endpoints only read validated values.  Values
 * that an endpoint needs but are empty (client id, secret, redirect_uri)
 * are not an error here: the endpoint answers "GitHub OAuth not configured".
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "ghauth-int.h"

#define CONFIG_FILE_MAX		(1024 * 1024)
#define URL_MAX			2048

struct env {
	ghauth_getenv_fn	 fn;
	void			*ctx;
	char			*err;
	size_t			 errsz;
};

static enum ghauth_err
fail(struct env *e, enum ghauth_err code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static enum ghauth_err
fail(struct env *e, enum ghauth_err code, const char *fmt, ...)
{
	va_list	 ap;

	if (e->err != NULL && e->errsz > 0) {
		va_start(ap, fmt);
		vsnprintf(e->err, e->errsz, fmt, ap);
		va_end(ap);
	}
	return code;
}

static const char *
env_get(struct env *e, const char *name)
{
	const char	*v = e->fn(e->ctx, name);

	return v == NULL ? "" : v;
}

static int
valid_name(const char *s, size_t n)
{
	size_t	 i;

	if (n == 0 || n > 128 || isdigit((unsigned char)s[0]))
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return 0;
	return 1;
}

/*
 * Expands "$NAME" / "${NAME}"; any other string is taken literally.
 * Returns a malloc'd string, or NULL on allocation failure.
 */
static char *
expand(struct env *e, const char *v)
{
	size_t	 n = strlen(v);
	char	 name[130];

	if (n >= 2 && v[0] == '$' && valid_name(v + 1, n - 1)) {
		memcpy(name, v + 1, n - 1);
		name[n - 1] = '\0';
		return ghauthp_strdup(env_get(e, name));
	}
	if (n >= 4 && v[0] == '$' && v[1] == '{' && v[n - 1] == '}' &&
	    valid_name(v + 2, n - 3)) {
		memcpy(name, v + 2, n - 3);
		name[n - 3] = '\0';
		return ghauthp_strdup(env_get(e, name));
	}
	return ghauthp_strdup(v);
}

/* Reads an optional string member, expanded; *out stays NULL if absent. */
static enum ghauth_err
get_string(struct env *e, json_t *obj, const char *key, const char *where,
    char **out)
{
	json_t	*v;

	if (obj == NULL || (v = json_object_get(obj, key)) == NULL ||
	    json_is_null(v))
		return GHAUTH_OK;
	if (!json_is_string(v))
		return fail(e, GHAUTH_E_CONFIG, "%s.%s must be a string",
		    where, key);
	free(*out);
	if ((*out = expand(e, json_string_value(v))) == NULL)
		return GHAUTH_E_NOMEM;
	if (strlen(*out) > URL_MAX * 2)
		return fail(e, GHAUTH_E_CONFIG, "%s.%s is too long", where, key);
	if (ghauthp_has_ctl(*out, strlen(*out)))
		return fail(e, GHAUTH_E_CONFIG,
		    "%s.%s contains control characters", where, key);
	return GHAUTH_OK;
}

/* Parses a decimal number in [min, max] with nothing around it. */
static int
parse_long(const char *s, long min, long max, long *out)
{
	char		*end;
	long long	 v;

	if (*s == '\0' || !isdigit((unsigned char)*s))
		return 0;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return 0;
	*out = (long)v;
	return 1;
}

static enum ghauth_err
get_long(struct env *e, json_t *obj, const char *key, const char *where,
    long min, long max, long *out)
{
	json_t		*v;
	char		*s;
	int		 ok;

	if (obj == NULL || (v = json_object_get(obj, key)) == NULL ||
	    json_is_null(v))
		return GHAUTH_OK;
	if (json_is_integer(v)) {
		json_int_t i = json_integer_value(v);

		if (i < min || i > max)
			return fail(e, GHAUTH_E_CONFIG,
			    "%s.%s must be between %ld and %ld", where, key,
			    min, max);
		*out = (long)i;
		return GHAUTH_OK;
	}
	if (!json_is_string(v))
		return fail(e, GHAUTH_E_CONFIG, "%s.%s must be a number",
		    where, key);
	if ((s = expand(e, json_string_value(v))) == NULL)
		return GHAUTH_E_NOMEM;
	ok = *s == '\0' || parse_long(s, min, max, out);
	free(s);
	if (!ok)
		return fail(e, GHAUTH_E_CONFIG,
		    "%s.%s must be a number between %ld and %ld", where, key,
		    min, max);
	return GHAUTH_OK;
}

static enum ghauth_err
get_bool(struct env *e, json_t *obj, const char *key, const char *where,
    int *out)
{
	json_t	*v;
	char	*s;
	int	 rc = 1;

	if (obj == NULL || (v = json_object_get(obj, key)) == NULL ||
	    json_is_null(v))
		return GHAUTH_OK;
	if (json_is_boolean(v)) {
		*out = json_is_true(v);
		return GHAUTH_OK;
	}
	if (!json_is_string(v))
		return fail(e, GHAUTH_E_CONFIG, "%s.%s must be true or false",
		    where, key);
	if ((s = expand(e, json_string_value(v))) == NULL)
		return GHAUTH_E_NOMEM;
	if (strcmp(s, "true") == 0 || strcmp(s, "1") == 0)
		*out = 1;
	else if (strcmp(s, "false") == 0 || strcmp(s, "0") == 0)
		*out = 0;
	else
		rc = 0;
	free(s);
	return rc ? GHAUTH_OK : fail(e, GHAUTH_E_CONFIG,
	    "%s.%s must be true or false", where, key);
}

static int
is_loopback_host(const char *h, size_t n)
{
	return (n == 9 && strncmp(h, "localhost", 9) == 0) ||
	    (n == 9 && strncmp(h, "127.0.0.1", 9) == 0) ||
	    (n == 5 && strncmp(h, "[::1]", 5) == 0);
}

/*
 * host[:port] or [IPv6][:port]: a name of letters, digits, '-' and '.', or a
 * bracketed address of hex digits, ':' and '.'; a port of 1-5 digits.
 */
static int
valid_authority(const char *h, size_t n)
{
	size_t	 i = 0, hend, digits;

	if (h[0] == '[') {
		for (i = 1; i < n && h[i] != ']'; i++)
			if (!isxdigit((unsigned char)h[i]) && h[i] != ':' &&
			    h[i] != '.')
				return 0;
		if (i == n || i == 1)
			return 0;
		hend = ++i;
	} else {
		for (; i < n && h[i] != ':'; i++)
			if (!isalnum((unsigned char)h[i]) && h[i] != '-' &&
			    h[i] != '.')
				return 0;
		if (i == 0)
			return 0;
		hend = i;
	}
	if (hend == n)
		return 1;
	if (h[hend] != ':')
		return 0;
	for (digits = 0, i = hend + 1; i < n; i++, digits++)
		if (!isdigit((unsigned char)h[i]))
			return 0;
	return digits >= 1 && digits <= 5;
}

/*
 * Checks an absolute http(s) URL and returns the length of its origin
 * (scheme://host[:port]) or 0.  http is accepted only when allow_http is
 * set and the host is a loopback name (RFC 9700 section 2.6).
 */
static size_t
url_origin(const char *u, int allow_http, int *secure)
{
	const char	*host;
	size_t		 i, n = strlen(u), hlen;

	if (n == 0 || n > URL_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)u[i] <= 0x20 || (unsigned char)u[i] >= 0x7f ||
		    u[i] == '#' || u[i] == '\\' || u[i] == '"' || u[i] == '<' ||
		    u[i] == '>')
			return 0;
	if (strncmp(u, "https://", 8) == 0) {
		host = u + 8;
		*secure = 1;
	} else if (allow_http && strncmp(u, "http://", 7) == 0) {
		host = u + 7;
		*secure = 0;
	} else
		return 0;
	hlen = strcspn(host, "/?");
	if (hlen == 0 || memchr(host, '@', hlen) != NULL)
		return 0;
	if (!valid_authority(host, hlen))
		return 0;
	if (!*secure) {
		size_t	 namelen = hlen;
		const char *colon = host[0] == '[' ?
		    memchr(host, ']', hlen) : memchr(host, ':', hlen);

		if (colon != NULL && host[0] == '[')
			namelen = (size_t)(colon - host) + 1;
		else if (colon != NULL)
			namelen = (size_t)(colon - host);
		if (!is_loopback_host(host, namelen))
			return 0;
	}
	return (size_t)(host - u) + hlen;
}

/* Base URLs: https only, no query, trailing slash removed. */
static enum ghauth_err
check_base_url(struct env *e, char *u, const char *key)
{
	int	 secure;
	size_t	 n;

	if (url_origin(u, 0, &secure) == 0 || strchr(u, '?') != NULL)
		return fail(e, GHAUTH_E_CONFIG,
		    "auth.github.%s must be an https:// URL", key);
	n = strlen(u);
	while (n > 8 && u[n - 1] == '/')
		u[--n] = '\0';
	return GHAUTH_OK;
}

static enum ghauth_err
finish(struct ghauth_config *c, struct env *e)
{
	enum ghauth_err	 rc;
	size_t		 olen;

	if (c->oauth_url == NULL &&
	    (c->oauth_url = ghauthp_strdup("https://github.com/login/oauth")) ==
	    NULL)
		return GHAUTH_E_NOMEM;
	if (c->api_url == NULL &&
	    (c->api_url = ghauthp_strdup("https://api.github.com")) == NULL)
		return GHAUTH_E_NOMEM;
	if ((rc = check_base_url(e, c->oauth_url, "oauth_url")) != GHAUTH_OK ||
	    (rc = check_base_url(e, c->api_url, "api_url")) != GHAUTH_OK)
		return rc;
	/*
	 * The authorize URL is only put in a Location header, never fetched
	 * by us, so http is tolerated there for a loopback host (the demo).
	 */
	if (c->authorize_url != NULL && c->authorize_url[0] == '\0') {
		free(c->authorize_url);
		c->authorize_url = NULL;
	}
	if (c->authorize_url == NULL) {
		size_t	 n = strlen(c->oauth_url) + sizeof("/authorize");

		if ((c->authorize_url = malloc(n)) == NULL)
			return GHAUTH_E_NOMEM;
		snprintf(c->authorize_url, n, "%s/authorize", c->oauth_url);
	} else {
		int	 sec;

		if (url_origin(c->authorize_url, 1, &sec) == 0 ||
		    strchr(c->authorize_url, '?') != NULL)
			return fail(e, GHAUTH_E_CONFIG,
			    "auth.github.authorize_url must be an https:// URL "
			    "(http:// only for localhost)");
	}
	if (c->store == NULL || c->store[0] == '\0') {
		free(c->store);
		if ((c->store = ghauthp_strdup(GHAUTH_STOREDIR "/ghauth.db")) ==
		    NULL)
			return GHAUTH_E_NOMEM;
	}
	if (c->store[0] != '/' || strlen(c->store) > 4000)
		return fail(e, GHAUTH_E_CONFIG,
		    "auth.store must be an absolute path");
	if (c->ca_file != NULL && c->ca_file[0] == '\0') {
		free(c->ca_file);
		c->ca_file = NULL;
	}
	if (c->ca_file != NULL && c->ca_file[0] != '/')
		return fail(e, GHAUTH_E_CONFIG,
		    "auth.github.ca_file must be an absolute path");
	if (c->redirect_uri != NULL && c->redirect_uri[0] != '\0') {
		olen = url_origin(c->redirect_uri, 1, &c->secure);
		if (olen == 0)
			return fail(e, GHAUTH_E_CONFIG,
			    "auth.github.redirect_uri must be an https:// URL "
			    "(http:// only for localhost)");
		if ((c->origin = ghauthp_strndup(c->redirect_uri, olen)) == NULL)
			return GHAUTH_E_NOMEM;
	}
	return GHAUTH_OK;
}

static void
defaults(struct ghauth_config *c)
{
	memset(c, 0, sizeof(*c));
	c->enabled = 1;
	c->session_ttl = 86400;
	c->state_ttl = 600;
	c->session_idle_ttl = 0;
	c->handoff_ttl = 60;
	c->lock_timeout_ms = 2000;
	c->github_timeout = 8;
	c->revoke_token = 1;
}

static enum ghauth_err
set_allow(struct env *e, struct ghauth_config *c, const char *list)
{
	char	 why[400];
	int	 bad;

	ghauth_allow_free(&c->allow);
	if ((bad = ghauthp_allow_parse_msg(&c->allow, list, why,
	    sizeof(why))) != 0) {
		if (bad < 0)
			return GHAUTH_E_NOMEM;
		return fail(e, GHAUTH_E_CONFIG, "restrict_to/GITHUB_USERS: %s",
		    why);
	}
	return GHAUTH_OK;
}

/*
 * Parses a configuration document (buf, len) into c.  On error c is freed
 * and err holds a line for the log (never a secret's value).
 */
enum ghauth_err
ghauth_config_parse(struct ghauth_config *c, const char *buf, size_t len,
    ghauth_getenv_fn fn, void *ctx, char *err, size_t errsz)
{
	struct env	 e = { fn, ctx, err, errsz };
	json_error_t	 jerr;
	json_t		*root, *auth, *gh, *v;
	enum ghauth_err	 rc;
	char		*restrict_to = NULL, *near;

	defaults(c);
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		/*
		 * jansson quotes the text "near" the error, which can be
		 * (part of) the client secret: keep only the position.
		 */
		if ((near = strstr(jerr.text, " near '")) != NULL)
			*near = '\0';
		rc = fail(&e, GHAUTH_E_CONFIG,
		    "JSON error at line %d column %d: %s", jerr.line,
		    jerr.column, jerr.text);
		goto out;
	}
	if (!json_is_object(root) ||
	    !json_is_object(auth = json_object_get(root, "auth"))) {
		rc = fail(&e, GHAUTH_E_CONFIG, "no \"auth\" object at top level");
		goto out;
	}
	gh = json_object_get(auth, "github");
	if (gh != NULL && !json_is_object(gh)) {
		rc = fail(&e, GHAUTH_E_CONFIG, "auth.github must be an object");
		goto out;
	}
	if ((rc = get_bool(&e, auth, "enabled", "auth", &c->enabled)) ||
	    (rc = get_bool(&e, gh, "revoke_token", "auth.github",
	    &c->revoke_token)) ||
	    (rc = get_string(&e, gh, "client_id", "auth.github",
	    &c->client_id)) ||
	    (rc = get_string(&e, gh, "client_secret", "auth.github",
	    &c->client_secret)) ||
	    (rc = get_string(&e, gh, "redirect_uri", "auth.github",
	    &c->redirect_uri)) ||
	    (rc = get_string(&e, gh, "oauth_url", "auth.github",
	    &c->oauth_url)) ||
	    (rc = get_string(&e, gh, "api_url", "auth.github", &c->api_url)) ||
	    (rc = get_string(&e, gh, "authorize_url", "auth.github",
	    &c->authorize_url)) ||
	    (rc = get_string(&e, gh, "ca_file", "auth.github", &c->ca_file)) ||
	    (rc = get_long(&e, gh, "timeout", "auth.github", 1, 30,
	    &c->github_timeout)) ||
	    (rc = get_string(&e, auth, "store", "auth", &c->store)) ||
	    (rc = get_long(&e, auth, "session_ttl", "auth", 1, 31536000,
	    &c->session_ttl)) ||
	    (rc = get_long(&e, auth, "state_ttl", "auth", 1, 3600,
	    &c->state_ttl)) ||
	    (rc = get_long(&e, auth, "session_idle_ttl", "auth", 0, 31536000,
	    &c->session_idle_ttl)) ||
	    (rc = get_long(&e, auth, "lock_timeout_ms", "auth", 1, 60000,
	    &c->lock_timeout_ms)))
		goto out;
	v = gh == NULL ? NULL : json_object_get(gh, "restrict_to");
	if (json_is_array(v)) {
		size_t	 i, len2 = 0, cap = 0;
		json_t	*item;

		json_array_foreach(v, i, item) {
			char	*s;
			int	 ok;

			if (!json_is_string(item)) {
				rc = fail(&e, GHAUTH_E_CONFIG,
				    "auth.github.restrict_to must hold strings");
				goto out;
			}
			if ((s = expand(&e, json_string_value(item))) == NULL) {
				rc = GHAUTH_E_NOMEM;
				goto out;
			}
			ok = ghauthp_str_append(&restrict_to, &len2, &cap, s,
			    strlen(s)) && ghauthp_str_append(&restrict_to,
			    &len2, &cap, ",", 1);
			free(s);
			if (!ok) {
				rc = GHAUTH_E_NOMEM;
				goto out;
			}
		}
	} else if (v != NULL && !json_is_null(v)) {
		/*
		 * Not get_string(): tabs and newlines are separators here,
		 * as in GITHUB_USERS ("$GITHUB_USERS" is the usual value),
		 * and ghauth_allow_parse() refuses any other control byte.
		 */
		if (!json_is_string(v)) {
			rc = fail(&e, GHAUTH_E_CONFIG, "auth.github.restrict_to "
			    "must be a string or a list of strings");
			goto out;
		}
		if ((restrict_to = expand(&e, json_string_value(v))) == NULL) {
			rc = GHAUTH_E_NOMEM;
			goto out;
		}
	}
	if (restrict_to != NULL && (rc = set_allow(&e, c, restrict_to)))
		goto out;
	rc = finish(c, &e);
out:
	free(restrict_to);
	json_decref(root);
	if (rc != GHAUTH_OK)
		ghauth_config_free(c);
	return rc;
}

/* Environment-only mode: no file, the variables of the llms.py guide. */
static enum ghauth_err
from_environment(struct ghauth_config *c, struct env *e)
{
	enum ghauth_err	 rc;
	const char	*store = env_get(e, "GHAUTH_STORE");

	defaults(c);
	if ((c->client_id = ghauthp_strdup(env_get(e, "GITHUB_CLIENT_ID"))) ==
	    NULL || (c->client_secret =
	    ghauthp_strdup(env_get(e, "GITHUB_CLIENT_SECRET"))) == NULL ||
	    (c->redirect_uri =
	    ghauthp_strdup(env_get(e, "GHAUTH_REDIRECT_URI"))) == NULL ||
	    (*store != '\0' && (c->store = ghauthp_strdup(store)) == NULL))
		rc = GHAUTH_E_NOMEM;
	else if ((rc = set_allow(e, c, env_get(e, "GITHUB_USERS"))) ==
	    GHAUTH_OK)
		rc = finish(c, e);
	if (rc != GHAUTH_OK)
		ghauth_config_free(c);
	return rc;
}

/* Loads the file at path; ENOENT is reported as such to the caller. */
enum ghauth_err
ghauth_config_load_file(struct ghauth_config *c, const char *path,
    ghauth_getenv_fn fn, void *ctx, char *err, size_t errsz)
{
	struct env	 e = { fn, ctx, err, errsz };
	struct stat	 st;
	char		*buf = NULL;
	size_t		 got = 0;
	ssize_t		 r;
	int		 fd;
	enum ghauth_err	 rc;

	defaults(c);
	/* O_NONBLOCK: a FIFO must not hang the request before fstat says no. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) ==
	    -1)
		return fail(&e, GHAUTH_E_CONFIG, "cannot open %s: %s", path,
		    strerror(errno));
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		return fail(&e, GHAUTH_E_CONFIG, "%s is not a regular file",
		    path);
	}
	if (st.st_size > CONFIG_FILE_MAX) {
		close(fd);
		return fail(&e, GHAUTH_E_CONFIG, "%s is larger than %d bytes",
		    path, CONFIG_FILE_MAX);
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		close(fd);
		return GHAUTH_E_NOMEM;
	}
	while (got < (size_t)st.st_size) {
		r = read(fd, buf + got, (size_t)st.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	rc = ghauth_config_parse(c, buf, got, fn, ctx, err, errsz);
	if (rc == GHAUTH_OK)
		snprintf(c->path, sizeof(c->path), "%s", path);
	else if (rc == GHAUTH_E_CONFIG && err != NULL && errsz > 0) {
		char	 tmp[512];

		snprintf(tmp, sizeof(tmp), "%s", err);
		snprintf(err, errsz, "%s: %s", path, tmp);
	}
	ghauthp_wipe(buf, got);
	free(buf);
	return rc;
}

/*
 * The configuration of this request: $GHAUTH_CONFIG, else the default
 * file, else (when the default file does not exist) the environment.
 */
enum ghauth_err
ghauth_config_load(struct ghauth_config *c, ghauth_getenv_fn fn, void *ctx,
    char *err, size_t errsz)
{
	struct env	 e = { fn, ctx, err, errsz };
	const char	*path = fn(ctx, "GHAUTH_CONFIG");

	if (path != NULL && path[0] != '\0')
		return ghauth_config_load_file(c, path, fn, ctx, err, errsz);
	if (access(GHAUTH_SYSCONFDIR "/ghauth/ghauth.json", F_OK) == 0 ||
	    errno != ENOENT)
		return ghauth_config_load_file(c,
		    GHAUTH_SYSCONFDIR "/ghauth/ghauth.json", fn, ctx, err, errsz);
	return from_environment(c, &e);
}

void
ghauth_config_free(struct ghauth_config *c)
{
	if (c->client_secret != NULL)
		ghauthp_wipe(c->client_secret, strlen(c->client_secret));
	free(c->client_id);
	free(c->client_secret);
	free(c->redirect_uri);
	free(c->oauth_url);
	free(c->authorize_url);
	free(c->api_url);
	free(c->ca_file);
	free(c->store);
	free(c->origin);
	ghauth_allow_free(&c->allow);
	c->client_id = c->client_secret = c->redirect_uri = NULL;
	c->oauth_url = c->api_url = c->ca_file = c->store = c->origin = NULL;
	c->authorize_url = NULL;
}
