/*
 * config.c - the configuration: the "auth" block of a JSON file (an
 * llms.json works as it is) or, with no file, the environment alone.
 *
 * Every key is one row of keys[] below: its path, the variable that sets it
 * in environment-only mode, its type, its default.  The parser reads the
 * rows, and a member of "auth" or "auth.github" that is no row is an error
 * naming the row it most resembles: a misspelt restrict_to must not open
 * the site (CONTRACT.md, "Configuration mistakes fail closed").  Other
 * top-level members (the rest of an llms.json, "guard") are not ours.
 *
 * A string value that is exactly "$NAME" or "${NAME}" is replaced by that
 * environment variable ("" when unset; for restrict_to that is an error).
 * Types, ranges and URL shapes are checked here, once; the endpoints only
 * read validated values.  Values that an endpoint needs but are empty
 * (client id, secret, redirect_uri) are not an error here: the endpoint
 * answers "GitHub OAuth not configured".
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
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

/*
 * The schema.  A row of type GHAUTHP_CT_OBJECT is a member that holds
 * other rows; only inside those are unknown members refused.
 */
#define F(m)	offsetof(struct ghauth_config, m)
static const struct ghauthp_ckey keys[] = {
	{ "auth", NULL, GHAUTHP_CT_OBJECT, 0, 0, 0, NULL, 0 },
	{ "auth.enabled", NULL, GHAUTHP_CT_BOOL, F(enabled), 0, 1, "true", 0 },
	{ "auth.store", "GHAUTH_STORE", GHAUTHP_CT_STRING, F(store), 0, 0,
	    GHAUTH_STOREDIR "/ghauth.db", GHAUTHP_CK_STORE },
	{ "auth.session_ttl", NULL, GHAUTHP_CT_LONG, F(session_ttl), 1,
	    31536000, "86400", 0 },
	{ "auth.state_ttl", NULL, GHAUTHP_CT_LONG, F(state_ttl), 1, 3600,
	    "600", 0 },
	{ "auth.session_idle_ttl", NULL, GHAUTHP_CT_LONG, F(session_idle_ttl),
	    0, 31536000, "0", 0 },
	{ "auth.lock_timeout_ms", NULL, GHAUTHP_CT_LONG, F(lock_timeout_ms), 1,
	    60000, "2000", 0 },
	{ "auth.store_prefix", "GHAUTH_STORE_PREFIX", GHAUTHP_CT_STRING,
	    F(store_prefix), 0, 0, GHAUTHP_STORE_PREFIX_DEFAULT, 0 },
	{ "auth.store_timeout_ms", "GHAUTH_STORE_TIMEOUT_MS", GHAUTHP_CT_LONG,
	    F(store_timeout_ms), 10, 30000, "2000", 0 },
	{ "auth.github", NULL, GHAUTHP_CT_OBJECT, 0, 0, 0, NULL, 0 },
	{ "auth.github.client_id", "GITHUB_CLIENT_ID", GHAUTHP_CT_STRING,
	    F(client_id), 0, 0, NULL, 0 },
	{ "auth.github.client_secret", "GITHUB_CLIENT_SECRET",
	    GHAUTHP_CT_STRING, F(client_secret), 0, 0, NULL, GHAUTHP_CK_SECRET },
	{ "auth.github.redirect_uri", "GHAUTH_REDIRECT_URI", GHAUTHP_CT_STRING,
	    F(redirect_uri), 0, 0, NULL, 0 },
	{ "auth.github.restrict_to", "GITHUB_USERS", GHAUTHP_CT_ALLOW,
	    F(allow), 0, 0, NULL, 0 },
	{ "auth.github.oauth_url", NULL, GHAUTHP_CT_STRING, F(oauth_url), 0, 0,
	    "https://github.com/login/oauth", 0 },
	{ "auth.github.authorize_url", NULL, GHAUTHP_CT_STRING,
	    F(authorize_url), 0, 0, NULL, 0 },
	{ "auth.github.api_url", NULL, GHAUTHP_CT_STRING, F(api_url), 0, 0,
	    "https://api.github.com", 0 },
	{ "auth.github.ca_file", NULL, GHAUTHP_CT_STRING, F(ca_file), 0, 0,
	    NULL, 0 },
	{ "auth.github.timeout", NULL, GHAUTHP_CT_LONG, F(github_timeout), 1,
	    30, "8", 0 },
	{ "auth.github.revoke_token", NULL, GHAUTHP_CT_BOOL, F(revoke_token),
	    0, 1, "true", 0 },
	{ "guard", NULL, GHAUTHP_CT_OBJECT, 0, 0, 0, NULL, 0 },
	{ "guard.roots", NULL, GHAUTHP_CT_DIRS, F(guard_roots), 0, 0, NULL,
	    0 },
	{ "guard.scripts", NULL, GHAUTHP_CT_STRING, F(guard_scripts), 0, 0,
	    NULL, 0 },
};
#undef F
#define NKEYS	(sizeof(keys) / sizeof(keys[0]))

struct env {
	ghauth_getenv_fn	 fn;
	void			*ctx;
	char			*err;
	size_t			 errsz;
	ghauthp_config_report_fn report;	/* every problem, or NULL */
	void			*rctx;
	int			 nerr;
	int			 literal;	/* environment mode: no "$NAME" */
};

static enum ghauth_err
fail(struct env *e, enum ghauth_err code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The first problem goes to err, every problem to the report function. */
static enum ghauth_err
fail(struct env *e, enum ghauth_err code, const char *fmt, ...)
{
	va_list	 ap;
	char	 line[768];

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (e->nerr++ == 0 && e->err != NULL && e->errsz > 0)
		snprintf(e->err, e->errsz, "%s", line);
	if (e->report != NULL)
		e->report(e->rctx, line);
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

/* 1 if v is exactly "$NAME" or "${NAME}"; the name goes to name. */
static int
ref_name(const char *v, char name[130])
{
	size_t	 n = strlen(v);

	if (n >= 2 && v[0] == '$' && valid_name(v + 1, n - 1)) {
		memcpy(name, v + 1, n - 1);
		name[n - 1] = '\0';
		return 1;
	}
	if (n >= 4 && v[0] == '$' && v[1] == '{' && v[n - 1] == '}' &&
	    valid_name(v + 2, n - 3)) {
		memcpy(name, v + 2, n - 3);
		name[n - 3] = '\0';
		return 1;
	}
	return 0;
}

/*
 * Expands "$NAME" / "${NAME}"; any other string is taken literally.
 * Returns a malloc'd string, or NULL on allocation failure.
 */
static char *
expand(struct env *e, const char *v)
{
	char	 name[130];

	if (!e->literal && ref_name(v, name))
		return ghauthp_strdup(env_get(e, name));
	return ghauthp_strdup(v);
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

/* Where row k's value lives in c. */
#define FIELD(c, k, type)	((type *)(void *)((char *)(c) + (k)->off))

static enum ghauth_err
read_string(struct env *e, struct ghauth_config *c,
    const struct ghauthp_ckey *k, json_t *v)
{
	char	**out = FIELD(c, k, char *), *s;
	size_t	 n;

	if (!json_is_string(v))
		return fail(e, GHAUTH_E_CONFIG, "%s must be a string", k->path);
	if ((s = expand(e, json_string_value(v))) == NULL)
		return GHAUTH_E_NOMEM;
	if ((n = strlen(s)) > GHAUTHP_URL_MAX * 2 || ghauthp_has_ctl(s, n)) {
		ghauthp_wipe(s, n);
		free(s);
		return fail(e, GHAUTH_E_CONFIG, n > GHAUTHP_URL_MAX * 2 ?
		    "%s is too long" : "%s contains control characters",
		    k->path);
	}
	free(*out);
	*out = s;
	return GHAUTH_OK;
}

/*
 * A number in [min, max], or for a boolean true/false (JSON) or 1/0; both
 * may be a string holding one ("$NAME" too).  For a number, "" keeps the
 * default.
 */
static enum ghauth_err
read_scalar(struct env *e, struct ghauth_config *c,
    const struct ghauthp_ckey *k, json_t *v)
{
	int		 isbool = k->type == GHAUTHP_CT_BOOL, ok = 0;
	long		 n = 0;
	json_int_t	 i;
	char		*s;

	if (isbool && json_is_boolean(v)) {
		n = json_is_true(v);
		ok = 1;
	} else if (!isbool && json_is_integer(v)) {
		i = json_integer_value(v);
		if (i < k->min || i > k->max)
			return fail(e, GHAUTH_E_CONFIG,
			    "%s must be between %ld and %ld", k->path, k->min,
			    k->max);
		n = (long)i;
		ok = 1;
	} else if (json_is_string(v)) {
		if ((s = expand(e, json_string_value(v))) == NULL)
			return GHAUTH_E_NOMEM;
		if (!isbool && *s == '\0') {
			free(s);
			return GHAUTH_OK;
		}
		ok = parse_long(s, k->min, k->max, &n) || (isbool &&
		    ((strcmp(s, "true") == 0 && (n = 1)) ||
		    (strcmp(s, "false") == 0 && (n = 0) == 0)));
		free(s);
		if (!ok && !isbool)
			return fail(e, GHAUTH_E_CONFIG, "%s must be a number "
			    "between %ld and %ld", k->path, k->min, k->max);
	}
	if (!ok)
		return fail(e, GHAUTH_E_CONFIG, isbool ?
		    "%s must be true or false" : "%s must be a number",
		    k->path);
	if (isbool)
		*FIELD(c, k, int) = (int)n;
	else
		*FIELD(c, k, long) = n;
	return GHAUTH_OK;
}

/*
 * One string of restrict_to, appended to *list with a separator.  Not
 * read_string(): tabs and newlines are separators here, as in GITHUB_USERS
 * ("$GITHUB_USERS" is the usual value), and ghauthp_allow_parse() refuses
 * any other control byte.  A "$NAME" that is unset or empty is an error:
 * under CGI it is nearly always a variable the server was not told to
 * pass, and an empty list would admit everyone.
 */
static enum ghauth_err
allow_item(struct env *e, const struct ghauthp_ckey *k, json_t *v,
    char **list, size_t *len, size_t *cap)
{
	const char	*s, *val;
	char		 name[130];

	if (!json_is_string(v))
		return fail(e, GHAUTH_E_CONFIG, "%s must hold strings", k->path);
	s = json_string_value(v);
	if (e->literal || !ref_name(s, name))
		val = s;
	else if ((val = e->fn(e->ctx, name)) == NULL || *val == '\0')
		return fail(e, GHAUTH_E_CONFIG, "%s is \"%s\" but %s is %s in "
		    "this program's environment: the web server must pass it "
		    "(Apache: SetEnv or PassEnv; lighttpd: "
		    "setenv.add-environment; nginx: fastcgi_param), or write "
		    "the list in the file (\"*\" for any GitHub account)",
		    k->path, s, name, val == NULL ? "not set" : "empty");
	if (!ghauthp_str_append(list, len, cap, val, strlen(val)) ||
	    !ghauthp_str_append(list, len, cap, ",", 1))
		return GHAUTH_E_NOMEM;
	return GHAUTH_OK;
}

/* A string or a list of strings; present, it must name someone or "*". */
static enum ghauth_err
read_allow(struct env *e, struct ghauth_config *c,
    const struct ghauthp_ckey *k, json_t *v)
{
	struct ghauth_allow	*a = FIELD(c, k, struct ghauth_allow);
	enum ghauth_err		 rc = GHAUTH_OK;
	json_t			*item;
	char			*list = NULL, why[400];
	size_t			 i, len = 0, cap = 0;
	int			 bad;

	if (json_is_array(v)) {
		json_array_foreach(v, i, item)
			if ((rc = allow_item(e, k, item, &list, &len, &cap)) !=
			    GHAUTH_OK)
				break;
	} else if (json_is_string(v))
		rc = allow_item(e, k, v, &list, &len, &cap);
	else
		rc = fail(e, GHAUTH_E_CONFIG,
		    "%s must be a string or a list of strings", k->path);
	if (rc != GHAUTH_OK)
		goto out;
	ghauthp_allow_free(a);
	if ((bad = ghauthp_allow_parse_msg(a, list == NULL ? "" : list, why,
	    sizeof(why))) < 0)
		rc = GHAUTH_E_NOMEM;
	else if (bad > 0)
		rc = fail(e, GHAUTH_E_CONFIG, "restrict_to/GITHUB_USERS: %s",
		    why);
	else if (a->any && a->n > 0)
		rc = fail(e, GHAUTH_E_CONFIG, "%s: \"*\" (any GitHub account) "
		    "cannot be combined with other entries", k->path);
	else if (!a->any && a->n == 0)
		rc = fail(e, GHAUTH_E_CONFIG, "%s lists nobody: name who may "
		    "sign in, or write \"*\" for any GitHub account", k->path);
out:
	free(list);
	return rc;
}

static void
dirs_free(char **v)
{
	size_t	 i;

	for (i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

/*
 * A list of absolute directories ("$NAME" expanded in each), kept
 * normalised (ghauthp_guard_root()): the guard's protected areas.
 */
static enum ghauth_err
read_dirs(struct env *e, struct ghauth_config *c,
    const struct ghauthp_ckey *k, json_t *v)
{
	char		***out = FIELD(c, k, char **), **dirs = NULL, *s;
	char		 norm[GHAUTHP_GPATH_MAX];
	size_t		 i, n = json_array_size(v);
	json_t		*item;
	int		 ok;

	if (!json_is_array(v) || n > GHAUTHP_DIRS_MAX)
		goto bad;
	if ((dirs = calloc(n + 1, sizeof(*dirs))) == NULL)
		return GHAUTH_E_NOMEM;
	json_array_foreach(v, i, item) {
		if (!json_is_string(item))
			goto bad;
		if ((s = expand(e, json_string_value(item))) == NULL)
			goto nomem;
		ok = ghauthp_guard_root(s, norm, sizeof(norm));
		free(s);
		if (!ok)
			goto bad;
		if ((dirs[i] = ghauthp_strdup(norm)) == NULL)
			goto nomem;
	}
	dirs_free(*out);
	*out = dirs;
	return GHAUTH_OK;
nomem:
	dirs_free(dirs);
	return GHAUTH_E_NOMEM;
bad:
	dirs_free(dirs);
	return fail(e, GHAUTH_E_CONFIG, "%s must be a list of absolute "
	    "directories (at most 64; not /, no . or .. components)", k->path);
}

static enum ghauth_err
read_key(struct env *e, struct ghauth_config *c, const struct ghauthp_ckey *k,
    json_t *v)
{
	switch (k->type) {
	case GHAUTHP_CT_BOOL:
	case GHAUTHP_CT_LONG:
		return read_scalar(e, c, k, v);
	case GHAUTHP_CT_STRING:
		return read_string(e, c, k, v);
	case GHAUTHP_CT_ALLOW:
		return read_allow(e, c, k, v);
	case GHAUTHP_CT_DIRS:
		return read_dirs(e, c, k, v);
	default:
		return GHAUTH_OK;
	}
}

/* The key an unknown member name of parent resembles (suggest.c). */
const char *
ghauthp_config_suggest(const char *parent, const char *name)
{
	return ghauthp_key_suggest(keys, NKEYS, parent, name);
}

/* The row of path, or NULL. */
static const struct ghauthp_ckey *
find_key(const char *path, size_t len)
{
	size_t	 i;

	for (i = 0; i < NKEYS; i++)
		if (strlen(keys[i].path) == len &&
		    memcmp(keys[i].path, path, len) == 0)
			return &keys[i];
	return NULL;
}

/* The JSON value at a dotted path below root, NULL if absent. */
static json_t *
lookup(json_t *root, const char *path)
{
	const char	*p = path, *dot;
	json_t		*v = root;

	for (;;) {
		dot = strchr(p, '.');
		if (!json_is_object(v))
			return NULL;
		v = json_object_getn(v, p, dot == NULL ? strlen(p) :
		    (size_t)(dot - p));
		if (dot == NULL)
			break;
		p = dot + 1;
	}
	return v;
}

/* Refuses every member of obj (the row k) that is no row of keys[]. */
static enum ghauth_err
unknown_members(struct env *e, const struct ghauthp_ckey *k, json_t *obj)
{
	const char	*name, *near;
	char		 path[160], shown[70];
	size_t		 nlen, plen = strlen(k->path), i;
	json_t		*v;
	enum ghauth_err	 rc = GHAUTH_OK;

	json_object_keylen_foreach(obj, name, nlen, v) {
		if (plen + 1 + nlen < sizeof(path)) {
			snprintf(path, sizeof(path), "%s.", k->path);
			memcpy(path + plen + 1, name, nlen);
			if (find_key(path, plen + 1 + nlen) != NULL)
				continue;
		}
		/* The name goes to a log: printable ASCII, bounded. */
		for (i = 0; i < nlen && i < 64; i++)
			shown[i] = name[i] > 0x20 && name[i] < 0x7f ?
			    name[i] : '?';
		snprintf(shown + i, sizeof(shown) - i, "%s",
		    nlen > 64 ? "..." : "");
		near = nlen == strlen(name) ?
		    ghauthp_config_suggest(k->path, name) : NULL;
		if (near != NULL && strncmp(near, k->path, plen) == 0 &&
		    near[plen] == '.' && strchr(near + plen + 1, '.') == NULL)
			near += plen + 1;
		rc = fail(e, GHAUTH_E_CONFIG, "%s.%s: unknown key%s%s%s",
		    k->path, shown, near ? " (did you mean " : "",
		    near ? near : "", near ? "?)" : "");
	}
	return rc;
}

/* Base URLs: https only, no query, trailing slash removed. */
static enum ghauth_err
check_base_url(struct env *e, char *u, const char *key)
{
	int	 secure;
	size_t	 n;

	if (ghauthp_url_origin(u, 0, &secure) == 0 || strchr(u, '?') != NULL)
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
	const char	*why;

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

		if (ghauthp_url_origin(c->authorize_url, 1, &sec) == 0 ||
		    strchr(c->authorize_url, '?') != NULL)
			return fail(e, GHAUTH_E_CONFIG,
			    "auth.github.authorize_url must be an https:// URL "
			    "(http:// only for localhost)");
	}
	if (c->store[0] == '\0') {
		free(c->store);
		if ((c->store = ghauthp_strdup(find_key("auth.store",
		    strlen("auth.store"))->def)) == NULL)
			return GHAUTH_E_NOMEM;
	}
	if (!ghauthp_store_spec_ok(c->store, &why))
		return fail(e, GHAUTH_E_CONFIG, "%s", why);
	if (c->store_prefix == NULL && (c->store_prefix =
	    ghauthp_strdup(GHAUTHP_STORE_PREFIX_DEFAULT)) == NULL)
		return GHAUTH_E_NOMEM;
	if (strlen(c->store_prefix) > 64 || strspn(c->store_prefix,
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789:._-/") != strlen(c->store_prefix))
		return fail(e, GHAUTH_E_CONFIG, "auth.store_prefix must be at "
		    "most 64 letters, digits and : . _ - /");
	if (c->guard_scripts != NULL &&
	    strlen(c->guard_scripts) >= GHAUTHP_SCRIPTS_MAX)
		return fail(e, GHAUTH_E_CONFIG, "%s is too long",
		    "guard.scripts");
	if (c->ca_file != NULL && c->ca_file[0] == '\0') {
		free(c->ca_file);
		c->ca_file = NULL;
	}
	if (c->ca_file != NULL && c->ca_file[0] != '/')
		return fail(e, GHAUTH_E_CONFIG,
		    "auth.github.ca_file must be an absolute path");
	if (c->redirect_uri != NULL && c->redirect_uri[0] != '\0') {
		olen = ghauthp_url_origin(c->redirect_uri, 1, &c->secure);
		if (olen == 0)
			return fail(e, GHAUTH_E_CONFIG,
			    "auth.github.redirect_uri must be an https:// URL "
			    "(http:// only for localhost)");
		if ((c->origin = ghauthp_strndup(c->redirect_uri, olen)) == NULL)
			return GHAUTH_E_NOMEM;
	}
	return GHAUTH_OK;
}

/* Every default of keys[], then the values no key sets. */
static enum ghauth_err
defaults(struct ghauth_config *c)
{
	const struct ghauthp_ckey	*k;

	memset(c, 0, sizeof(*c));
	c->handoff_ttl = 60;
	for (k = keys; k < keys + NKEYS; k++) {
		if (k->def == NULL)
			continue;
		if (k->type == GHAUTHP_CT_STRING) {
			if ((*FIELD(c, k, char *) = ghauthp_strdup(k->def)) ==
			    NULL)
				return GHAUTH_E_NOMEM;
		} else if (k->type == GHAUTHP_CT_BOOL)
			*FIELD(c, k, int) = strcmp(k->def, "true") == 0;
		else if (k->type == GHAUTHP_CT_LONG)
			*FIELD(c, k, long) = strtol(k->def, NULL, 10);
	}
	return GHAUTH_OK;
}

/*
 * Reads every key of the document into c, going on after a bad one so that
 * the report sees every problem.
 */
static enum ghauth_err
read_document(struct env *e, struct ghauth_config *c, json_t *root)
{
	const struct ghauthp_ckey	*k;
	enum ghauth_err			 rc;
	json_t				*v;

	if (!json_is_object(root) ||
	    !json_is_object(json_object_get(root, "auth")))
		return fail(e, GHAUTH_E_CONFIG,
		    "no \"auth\" object at top level");
	for (k = keys; k < keys + NKEYS; k++) {
		/*
		 * null is the default, except for restrict_to, where the
		 * default is everyone: a null there is a template's mistake.
		 */
		if ((v = lookup(root, k->path)) == NULL ||
		    (json_is_null(v) && k->type != GHAUTHP_CT_OBJECT &&
		    k->type != GHAUTHP_CT_ALLOW))
			continue;
		if (json_is_null(v) && k->type == GHAUTHP_CT_ALLOW)
			rc = fail(e, GHAUTH_E_CONFIG, "%s is null: name who may "
			    "sign in, or write \"*\" for any GitHub account",
			    k->path);
		else if (k->type == GHAUTHP_CT_OBJECT) {
			if (!json_is_object(v))
				rc = fail(e, GHAUTH_E_CONFIG,
				    "%s must be an object", k->path);
			else
				rc = unknown_members(e, k, v);
		} else
			rc = read_key(e, c, k, v);
		if (rc == GHAUTH_E_NOMEM)
			return rc;
	}
	return GHAUTH_OK;
}

/*
 * Parses a configuration document (buf, len) into c.  On error c is freed
 * and err holds a line for the log (never a secret's value).
 */
static enum ghauth_err
parse(struct env *e, struct ghauth_config *c, const char *buf, size_t len)
{
	json_error_t	 jerr;
	json_t		*root;
	enum ghauth_err	 rc;
	char		*near;

	if ((rc = defaults(c)) != GHAUTH_OK)
		goto out;
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		/*
		 * jansson quotes the text "near" the error, which can be
		 * (part of) the client secret: keep only the position.
		 */
		if ((near = strstr(jerr.text, " near '")) != NULL)
			*near = '\0';
		rc = fail(e, GHAUTH_E_CONFIG,
		    "JSON error at line %d column %d: %s", jerr.line,
		    jerr.column, jerr.text);
		goto out;
	}
	rc = read_document(e, c, root);
	json_decref(root);
	if (rc == GHAUTH_OK)
		rc = finish(c, e);
out:
	if (rc == GHAUTH_OK && e->nerr > 0)
		rc = GHAUTH_E_CONFIG;
	if (rc != GHAUTH_OK)
		ghauth_config_free(c);
	return rc;
}

enum ghauth_err
ghauthp_config_parse(struct ghauth_config *c, const char *buf, size_t len,
    ghauth_getenv_fn fn, void *ctx, char *err, size_t errsz)
{
	struct env	 e = { fn, ctx, err, errsz, NULL, NULL, 0, 0 };

	return parse(&e, c, buf, len);
}

/*
 * Environment-only mode: no file, the variables of keys[] (those of the
 * llms.py guide).  A variable that is unset or empty leaves its default;
 * values are taken as they are ("$X" is not expanded again).
 */
static enum ghauth_err
from_environment(struct env *e, struct ghauth_config *c)
{
	const struct ghauthp_ckey	*k;
	enum ghauth_err			 rc;
	const char			*v;
	json_t				*j;

	e->literal = 1;
	if ((rc = defaults(c)) != GHAUTH_OK)
		goto out;
	for (k = keys; k < keys + NKEYS; k++) {
		if (k->env == NULL || *(v = env_get(e, k->env)) == '\0')
			continue;
		/* nocheck: a variable need not be UTF-8; the readers check bytes. */
		if ((j = json_string_nocheck(v)) == NULL) {
			rc = GHAUTH_E_NOMEM;
			goto out;
		}
		rc = read_key(e, c, k, j);
		json_decref(j);
		if (rc == GHAUTH_E_NOMEM)
			goto out;
	}
	rc = finish(c, e);
out:
	if (rc == GHAUTH_OK && e->nerr > 0)
		rc = GHAUTH_E_CONFIG;
	if (rc != GHAUTH_OK)
		ghauth_config_free(c);
	return rc;
}

/* Reads the file at path into c (see parse()). */
static enum ghauth_err
load_file(struct env *e, struct ghauth_config *c, const char *path)
{
	struct stat	 st;
	char		*buf = NULL, tmp[512];
	size_t		 got = 0;
	ssize_t		 r;
	int		 fd;
	enum ghauth_err	 rc;

	memset(c, 0, sizeof(*c));
	/* O_NONBLOCK: a FIFO must not hang the request before fstat says no. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) ==
	    -1)
		return fail(e, GHAUTH_E_CONFIG, "cannot open %s: %s", path,
		    strerror(errno));
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		return fail(e, GHAUTH_E_CONFIG, "%s is not a regular file",
		    path);
	}
	if (st.st_size > CONFIG_FILE_MAX) {
		close(fd);
		return fail(e, GHAUTH_E_CONFIG, "%s is larger than %d bytes",
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
	rc = parse(e, c, buf, got);
	if (rc == GHAUTH_OK)
		snprintf(c->path, sizeof(c->path), "%s", path);
	else if (rc == GHAUTH_E_CONFIG && e->err != NULL && e->errsz > 0) {
		snprintf(tmp, sizeof(tmp), "%s", e->err);
		snprintf(e->err, e->errsz, "%s: %s", path, tmp);
	}
	ghauthp_wipe(buf, got);
	free(buf);
	return rc;
}

/* Loads the file at path; ENOENT is reported as such to the caller. */
enum ghauth_err
ghauthp_config_load_file(struct ghauth_config *c, const char *path,
    ghauth_getenv_fn fn, void *ctx, char *err, size_t errsz)
{
	struct env	 e = { fn, ctx, err, errsz, NULL, NULL, 0, 0 };

	return load_file(&e, c, path);
}

/*
 * The file the programs read: $GHAUTH_CONFIG, else the default file unless
 * it does not exist; NULL for the environment-only mode.
 */
const char *
ghauthp_config_path(ghauth_getenv_fn fn, void *ctx)
{
	const char	*path = fn(ctx, "GHAUTH_CONFIG");

	if (path != NULL && path[0] != '\0')
		return path;
	if (access(GHAUTH_SYSCONFDIR "/ghauth/ghauth.json", F_OK) == 0 ||
	    errno != ENOENT)
		return GHAUTH_SYSCONFDIR "/ghauth/ghauth.json";
	return NULL;
}

/* The configuration of this request (see ghauthp_config_path()). */
enum ghauth_err
ghauth_config_load(struct ghauth_config *c, ghauth_getenv_fn fn, void *ctx,
    char *err, size_t errsz)
{
	return ghauthp_config_check(c, NULL, fn, ctx, NULL, NULL, err, errsz);
}

/*
 * ghauth_config_load() (path NULL) or ghauthp_config_load_file(), with
 * every problem passed to report as well: ghauth-admin check-config.
 */
enum ghauth_err
ghauthp_config_check(struct ghauth_config *c, const char *path,
    ghauth_getenv_fn fn, void *ctx, ghauthp_config_report_fn report,
    void *rctx, char *err, size_t errsz)
{
	struct env	 e = { fn, ctx, err, errsz, report, rctx, 0, 0 };

	if (path == NULL)
		path = ghauthp_config_path(fn, ctx);
	return path != NULL ? load_file(&e, c, path) :
	    from_environment(&e, c);
}

/*
 * A program's configuration, as ghauthp_config_check() loads it (path
 * NULL: see ghauthp_config_path()), a failure logged: the one place the
 * programs and the C API say "configuration: ..." (never a value: the
 * messages name keys and files).
 */
enum ghauth_err
ghauthp_config_open(struct ghauth_config *c, const char *path,
    ghauth_getenv_fn fn, void *ctx)
{
	char		 err[768] = "";
	enum ghauth_err	 rc;

	rc = ghauthp_config_check(c, path, fn, ctx, NULL, NULL, err,
	    sizeof(err));
	if (rc != GHAUTH_OK)
		ghauthp_log("configuration: %s", err[0] ? err :
		    "out of memory");
	return rc;
}

/* The schema, for ghauth-admin check-config and the tests. */
const struct ghauthp_ckey *
ghauthp_config_keys(size_t *n)
{
	*n = NKEYS;
	return keys;
}

void
ghauth_config_free(struct ghauth_config *c)
{
	const struct ghauthp_ckey	*k;
	char				**s;

	for (k = keys; k < keys + NKEYS; k++) {
		if (k->type != GHAUTHP_CT_STRING)
			continue;
		s = FIELD(c, k, char *);
		/* Every string: a Redis URL in auth.store may hold a password. */
		if (*s != NULL)
			ghauthp_wipe(*s, strlen(*s));
		free(*s);
		*s = NULL;
	}
	free(c->origin);
	c->origin = NULL;
	ghauthp_allow_free(&c->allow);
	dirs_free(c->guard_roots);
	c->guard_roots = NULL;
}
