/*
 * guard.c - the guard (cgi-bin/guard, ghauth-guard(8)): a CGI program the
 * web server runs for every request below a protected directory, so that
 * nothing there is sent without a session.
 *
 * It is reached two ways.  Apache's mod_actions ("Action ghauth-guard
 * /url/of/guard virtual" + "SetHandler ghauth-guard", which a .htaccess may
 * say) runs it with the requested file in PATH_TRANSLATED and the guard
 * itself as SCRIPT_FILENAME; lighttpd's cgi.assign runs it as the
 * "interpreter" of the requested file, which is then SCRIPT_FILENAME.  The
 * guard tells the two apart by whether SCRIPT_FILENAME is its own binary.
 *
 * In order (after the driver has hardened the process and loaded the
 * configuration, lib/driver/), check the session (the rules of
 * /auth/session, identify.c).  Without one, the answer is the refusal
 * of ghauth_deny_response() and no file below the area is even opened.
 * With one, the path is walked inside GHAUTH_GUARD_ROOT (guard_path.c) and
 * the file is either run, when its name ends in one of GHAUTH_GUARD_SCRIPTS
 * (default ".cgi") and it is executable, with REMOTE_USER and GHAUTH_USER_*
 * set and the session cookie and any header that could fake an identity
 * removed; or refused, when it is executable but not a script (its source
 * is never sent); or sent as a static file (guard_http.c).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>


#include "ghauth-int.h"
#include "protect.h"

#define DEFAULT_SCRIPTS	".cgi"
#define CHUNK		(1 << 20)

extern char **environ;

struct guard {
	struct ghauthp_call	*c;	/* the driver's: config, hardening */
	struct ghauth_identity	 id;
	struct ghauthp_gfile	 f;
	int			 action;	/* reached through an Action */
	char			 scripts[GHAUTHP_SCRIPTS_MAX];	/* run as scripts */
};

static const char *
env(const char *name)
{
	return ghauth_getenv_cgi(NULL, name);
}

static void
deny_add(struct ghauthp_ino *deny, size_t *n, const char *path)
{
	struct stat	 st;

	if (path != NULL && path[0] != '\0' && stat(path, &st) == 0) {
		deny[*n].dev = st.st_dev;
		deny[*n].ino = st.st_ino;
		(*n)++;
	}
}

/*
 * The "guard" object of the configuration file (guard.roots, guard.scripts:
 * read and checked with the rest of it, roots normalised), for servers
 * that cannot pass GHAUTH_GUARD_ROOT (suEXEC drops the variables SetEnv
 * sets).  Sets root to the longest of the roots that contains target
 * (returns 1, else 0), and g->scripts when guard.scripts is set.
 */
static int
config_guard(struct guard *g, const char *target, char *root, size_t sz)
{
	char	**d = g->c->cfg->guard_roots;
	size_t	 i, n, best = 0;

	for (i = 0; d != NULL && d[i] != NULL; i++) {
		n = strlen(d[i]);
		if (n > best && n < sz && ghauthp_guard_under(d[i], target)) {
			best = n;
			memcpy(root, d[i], n + 1);
		}
	}
	if (g->c->cfg->guard_scripts != NULL)
		snprintf(g->scripts, sizeof(g->scripts), "%s",
		    g->c->cfg->guard_scripts);
	return best > 0;
}

/*
 * Finds and opens the requested file.  Returns GHAUTH_OK, or the error for
 * the client (GHAUTH_E_NOTFOUND for every refusal: nothing tells an
 * outsider whether a path exists, is a link or is a dotfile; the log does).
 */
static enum ghauth_err
locate(struct guard *g)
{
	struct ghauthp_ino	 deny[4];
	struct stat		 self, sf;
	char			 root[GHAUTHP_GPATH_MAX], why[128];
	char			 lock[4200];
	const char		*r = env("GHAUTH_GUARD_ROOT");
	const char		*sc = env("GHAUTH_GUARD_SCRIPTS");
	const char		*sfn = env("SCRIPT_FILENAME");
	const char		*target;
	size_t			 ndeny = 0;
	int			 self_ok, cr;
	enum ghauthp_gp		 gp;

	/* Which file: an Action runs the guard itself as SCRIPT_FILENAME. */
	self_ok = stat("/proc/self/exe", &self) == 0;
	if (self_ok)
		g->action = sfn != NULL && stat(sfn, &sf) == 0 &&
		    sf.st_dev == self.st_dev && sf.st_ino == self.st_ino;
	else
		g->action = env("PATH_TRANSLATED") != NULL &&
		    env("PATH_TRANSLATED")[0] != '\0';
	if (g->action)
		target = env("PATH_TRANSLATED");
	else if (env("PATH_INFO") != NULL && env("PATH_INFO")[0] != '\0') {
		ghauthp_log("no path below a file (PATH_INFO is set)");
		return GHAUTH_E_NOTFOUND;
	} else
		target = sfn;
	if (target == NULL || target[0] != '/') {
		ghauthp_log("the server named no file (%s is empty or relative)",
		    g->action ? "PATH_TRANSLATED" : "SCRIPT_FILENAME");
		return GHAUTH_E_NOTFOUND;
	}

	/* Which area: GHAUTH_GUARD_ROOT, else the configuration's roots. */
	snprintf(g->scripts, sizeof(g->scripts), "%s", DEFAULT_SCRIPTS);
	cr = config_guard(g, target, root, sizeof(root));
	if (r != NULL && !ghauthp_guard_root(r, root, sizeof(root))) {
		ghauthp_log("GHAUTH_GUARD_ROOT is not usable: it must be the "
		    "absolute path of the protected directory");
		return GHAUTH_E_CONFIG;
	}
	if (r == NULL && cr == 0) {
		ghauthp_log("no protected area for %s: set GHAUTH_GUARD_ROOT "
		    "(or \"guard\": {\"roots\"} in %s)", target,
		    g->c->cfg->path[0] ? g->c->cfg->path :
		    "the configuration file");
		return GHAUTH_E_CONFIG;
	}
	if (sc != NULL)
		snprintf(g->scripts, sizeof(g->scripts), "%s", sc);

	/* ghauth's own files are never served, whatever their name. */
	if (self_ok) {
		deny[ndeny].dev = self.st_dev;
		deny[ndeny].ino = self.st_ino;
		ndeny++;
	}
	deny_add(deny, &ndeny, g->c->cfg->path);
	deny_add(deny, &ndeny, g->c->cfg->store);
	snprintf(lock, sizeof(lock), "%s.lock", g->c->cfg->store);
	deny_add(deny, &ndeny, lock);
	gp = ghauthp_guard_open(root, target, deny, ndeny, &g->f, why,
	    sizeof(why));
	if (gp == GHAUTHP_GP_OK)
		return GHAUTH_OK;
	ghauthp_log("%s %s: %s", gp == GHAUTHP_GP_NOTFOUND ?
	    "not found:" : gp == GHAUTHP_GP_REFUSED ? "refused:" : "error at",
	    target, why);
	return gp == GHAUTHP_GP_ERROR ? GHAUTH_E_CONFIG : GHAUTH_E_NOTFOUND;
}

/* ---- running a script ---------------------------------------------------- */

/*
 * Variables a script must not inherit: identities only the guard may set
 * (also as headers a client could send: Remote-User, X-Forwarded-User,
 * X-Auth-Request-User...), the session token header, the guard's own
 * settings.  Apache's REDIRECT_ copies are judged by the name they copy.
 */
static int
dropped(const char *kv, int action)
{
	static const char *const names[] = {
		"REMOTE_USER=", "AUTH_TYPE=", "SCRIPT_FILENAME=",
		"HTTP_COOKIE=", "HTTP_X_SESSION_TOKEN=", "HTTP_REMOTE_USER=",
		"HTTP_X_REMOTE_USER=", "HTTP_X_USER=", "HTTP_X_FORWARDED_USER=",
		"HTTP_X_FORWARDED_EMAIL=", "HTTP_X_FORWARDED_PREFERRED_USERNAME=",
		"HTTP_GHAUTH_", "HTTP_X_GHAUTH_", "HTTP_X_AUTH_REQUEST_",
		"GHAUTH_USER_", "GHAUTH_SESSION_", "GHAUTH_GUARD_",
	};
	size_t	 i;

	while (strncmp(kv, "REDIRECT_", 9) == 0)
		kv += 9;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strncmp(kv, names[i], strlen(names[i])) == 0)
			return 1;
	return action && (strncmp(kv, "SCRIPT_NAME=", 12) == 0 ||
	    strncmp(kv, "PATH_INFO=", 10) == 0 ||
	    strncmp(kv, "PATH_TRANSLATED=", 16) == 0);
}

static char *
kv(const char *name, const char *value)
{
	size_t	 n = strlen(name), m = strlen(value);
	char	*s;

	if (n > 4096 || m > 65536 || (s = malloc(n + m + 2)) == NULL)
		return NULL;
	memcpy(s, name, n);
	s[n] = '=';
	memcpy(s + n + 1, value, m + 1);
	return s;
}

static int
ours_cookie(const char *s, size_t n)
{
	static const char *const ours[] = {
		"ghauth_session", "__Host-ghauth_session",
		"ghauth_state", "__Host-ghauth_state",
	};
	size_t	 i;

	for (i = 0; i < sizeof(ours) / sizeof(ours[0]); i++)
		if (strlen(ours[i]) == n && strncmp(s, ours[i], n) == 0)
			return 1;
	return 0;
}

/*
 * The Cookie header without ghauth's own cookies: the script learns who is
 * signed in from REMOTE_USER, and never holds the session token.  Other
 * cookies pass unchanged.  Returns a malloc'd "HTTP_COOKIE=..." (NULL with
 * *empty set when nothing is left), or NULL on allocation failure.
 */
static char *
filtered_cookie(const char *hdr, int *empty)
{
	char		*out = NULL;
	size_t		 len = 0, cap = 0, n, nl;
	const char	*p = hdr;
	int		 ok = 1;

	*empty = 1;
	if (hdr == NULL)
		return NULL;
	ok = ghauthp_str_append(&out, &len, &cap, "HTTP_COOKIE=", 12);
	while (ok && *p != '\0') {
		p += strspn(p, " \t;");	/* as ghauthp_cookie_get() */
		n = strcspn(p, ";");
		if (n == 0)
			break;
		nl = strcspn(p, "=;");
		if (!ours_cookie(p, nl)) {
			ok = (*empty || ghauthp_str_append(&out, &len, &cap,
			    "; ", 2)) && ghauthp_str_append(&out, &len, &cap,
			    p, n);
			*empty = 0;
		}
		p += n;
	}
	if (!ok || *empty) {
		if (out != NULL)
			ghauthp_wipe(out, len);
		free(out);
		return NULL;
	}
	return out;
}

static void
free_env(char **e)
{
	size_t	 i;

	if (e == NULL)
		return;
	for (i = 0; e[i] != NULL; i++) {
		ghauthp_wipe(e[i], strlen(e[i]));
		free(e[i]);
	}
	free(e);
}

/* The script's environment: the request's, filtered, plus the identity. */
static char **
script_env(const struct guard *g)
{
	char		 buf[GHAUTHP_IDVAR_BUF];
	const char	*name, *val, *sn;
	char		**e;
	size_t		 n, i, k = 0;
	int		 empty;

	for (n = 0; environ[n] != NULL; n++)
		;
	if (n > 4096 || (e = calloc(n + 16, sizeof(char *))) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if (dropped(environ[i], g->action))
			continue;
		if ((e[k++] = ghauthp_strdup(environ[i])) == NULL)
			goto fail;
	}
	if ((e[k++] = kv("REMOTE_USER", g->id.login)) == NULL ||
	    (e[k++] = kv("SCRIPT_FILENAME", g->f.path)) == NULL)
		goto fail;
	/* After an Action, the script's URL is the path the client asked. */
	sn = env("PATH_INFO");
	if (g->action && (e[k++] = kv("SCRIPT_NAME", sn != NULL ? sn : "")) ==
	    NULL)
		goto fail;
	for (i = 0; (val = ghauthp_identity_var(&g->id, i, &name, buf)) !=
	    NULL; i++)
		if ((e[k++] = kv(name, val)) == NULL)
			goto fail;
	e[k] = filtered_cookie(getenv("HTTP_COOKIE"), &empty);
	if (e[k] == NULL && !empty)
		goto fail;
	return e;
fail:
	free_env(e);
	return NULL;
}

/*
 * Runs the script in place of the guard: its stdin (a POST body) and
 * stdout are the server's, its working directory is its own directory
 * (RFC 3875 7.2), the process state is what the server gave the guard.
 * Returns only on failure.
 */
static enum ghauth_err
run_script(struct guard *g)
{
	char	**e;
	char	*argv[2];

	if (faccessat(g->f.dirfd, g->f.name, X_OK, AT_EACCESS) == -1) {
		ghauthp_log("refused %s: a script that is not "
		    "executable (its source is never sent)", g->f.path);
		return GHAUTH_E_NOTFOUND;
	}
	if ((e = script_env(g)) == NULL)
		return GHAUTH_E_NOMEM;
	if (fchdir(g->f.dirfd) == -1) {
		ghauthp_log("chdir %s: %s", g->f.path, strerror(errno));
		free_env(e);
		return GHAUTH_E_INTERNAL;
	}
	/* Nothing of ghauth's survives: the secret is wiped before exec. */
	ghauth_config_free(g->c->cfg);
	g->c->cfg = NULL;
	ghauth_identity_free(&g->id);
	argv[0] = g->f.path;
	argv[1] = NULL;
	ghauthp_unharden(&g->c->saved);
	execve(g->f.path, argv, e);
	ghauthp_harden(&g->c->saved);
	ghauthp_log("cannot run %s: %s", g->f.path, strerror(errno));
	free_env(e);
	return GHAUTH_E_INTERNAL;
}

/* ---- sending a file ------------------------------------------------------ */

static const char *
reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 206: return "Partial Content";
	case 304: return "Not Modified";
	case 416: return "Range Not Satisfiable";
	default: return "Unknown";
	}
}

/*
 * The head of a file response.  Unlike the auth endpoints' responses it
 * may be cached, but only by the browser and only after revalidation
 * (private, no-cache), which goes through the guard again: a signed-out
 * browser gets the sign-in redirect, not its cached copy.
 */
static int
send_head(const struct ghauth_response *r)
{
	char	*out = NULL;
	char	 line[64];
	size_t	 len = 0, cap = 0, i;
	int	 ok;

	if (r->failed)
		return 0;
	snprintf(line, sizeof(line), "Status: %d %s\r\n", r->status,
	    reason(r->status));
	ok = ghauthp_str_append(&out, &len, &cap, line, strlen(line));
	for (i = 0; ok && i < r->nheaders; i++)
		ok = ghauthp_str_append(&out, &len, &cap, r->hname[i],
		    strlen(r->hname[i])) &&
		    ghauthp_str_append(&out, &len, &cap, ": ", 2) &&
		    ghauthp_str_append(&out, &len, &cap, r->hvalue[i],
		    strlen(r->hvalue[i])) &&
		    ghauthp_str_append(&out, &len, &cap, "\r\n", 2);
	ok = ok && ghauthp_str_append(&out, &len, &cap, "\r\n", 2) &&
	    ghauthp_write_all(STDOUT_FILENO, out, len);
	free(out);
	return ok;
}

static int
wait_writable(void)
{
	struct pollfd	 p = { STDOUT_FILENO, POLLOUT, 0 };

	return poll(&p, 1, 30000) == 1 && (p.revents & POLLOUT);
}

/* len bytes of fd from off to stdout: sendfile(2), else read/write. */
static int
send_body(int fd, long long off, long long len)
{
	char	 buf[65536];
	off_t	 o = (off_t)off;
	ssize_t	 n;
	int	 use_sendfile = 1;

	while (len > 0) {
		if (use_sendfile) {
			n = sendfile(STDOUT_FILENO, fd, &o, len > CHUNK ?
			    CHUNK : (size_t)len);
			if (n < 0 && (errno == EINVAL || errno == ENOSYS)) {
				use_sendfile = 0;
				continue;
			}
		} else {
			n = pread(fd, buf, len > (long long)sizeof(buf) ?
			    sizeof(buf) : (size_t)len, o);
			if (n > 0 && !ghauthp_write_all(STDOUT_FILENO, buf,
			    (size_t)n))
				return 0;
			if (n > 0)
				o += n;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN && wait_writable())
			continue;
		if (n <= 0)
			return 0;	/* error, or the file shrank */
		len -= n;
	}
	return 1;
}

/*
 * Sends g->f: 200, 206 for one satisfiable range, 416, or 304.  Returns 1
 * when it wrote the response (even if the client went away mid-body), 0
 * with resp holding the error to send instead.
 */
static int
serve_file(struct guard *g, struct ghauth_response *resp, enum ghauth_err *e)
{
	const char	*m = env("REQUEST_METHOD");
	const struct stat *st = &g->f.st;
	char		 etag[96], date[40];
	long long	 start = 0, len = (long long)st->st_size;
	int		 head, rr = 0, ok;

	head = m != NULL && strcmp(m, "HEAD") == 0;
	if (m == NULL || (!head && strcmp(m, "GET") != 0)) {
		ghauthp_response_header(resp, "Allow", "GET, HEAD");
		*e = GHAUTH_E_METHOD;
		return 0;
	}
	ghauthp_etag(st, etag, sizeof(etag));
	if (!ghauthp_http_date(st->st_mtim.tv_sec, date, sizeof(date))) {
		*e = GHAUTH_E_INTERNAL;
		return 0;
	}
	if (ghauthp_not_modified(env("HTTP_IF_NONE_MATCH"),
	    env("HTTP_IF_MODIFIED_SINCE"), etag, st->st_mtim.tv_sec))
		resp->status = 304;
	else {
		if (env("HTTP_RANGE") != NULL && ghauthp_if_range(
		    env("HTTP_IF_RANGE"), etag, st->st_mtim.tv_sec))
			rr = ghauthp_range(env("HTTP_RANGE"),
			    (long long)st->st_size, &start, &len);
		resp->status = rr == 1 ? 206 : rr < 0 ? 416 : 200;
	}
	if (resp->status == 206)
		ghauthp_response_header(resp, "Content-Range",
		    "bytes %lld-%lld/%lld", start, start + len - 1,
		    (long long)st->st_size);
	else if (resp->status == 416) {
		ghauthp_response_header(resp, "Content-Range", "bytes */%lld",
		    (long long)st->st_size);
		len = 0;
	}
	if (resp->status != 304) {
		ghauthp_response_header(resp, "Content-Type", "%s",
		    ghauthp_mime_type(g->f.name));
		ghauthp_response_header(resp, "Content-Length", "%lld", len);
		ghauthp_response_header(resp, "Accept-Ranges", "bytes");
	}
	ghauthp_response_header(resp, "Last-Modified", "%s", date);
	ghauthp_response_header(resp, "ETag", "%s", etag);
	ghauthp_response_header(resp, "Cache-Control", "private, no-cache");
	ghauthp_response_header(resp, "X-Content-Type-Options", "nosniff");
	ghauthp_drain_body();
	if (!send_head(resp)) {
		ghauthp_log("could not write the response head");
		return 1;
	}
	if (head || resp->status == 304 || resp->status == 416)
		return 1;
	ok = send_body(g->f.fd, start, len);
	if (!ok)
		ghauthp_log("%s: body cut short: %s", g->f.rel,
		    strerror(errno));
	return 1;
}

/* ---- the handler ------------------------------------------------------- */

/*
 * The guard's answer to the request of c (the driver has hardened the
 * process and loaded the configuration: lib/driver/cgi.c).  Returns 1 when
 * it has answered itself (a file sent), else 0 with the refusal in resp.
 */
int
ghauthp_guard(struct ghauthp_call *c, struct ghauth_response *resp)
{
	struct guard		 g;
	enum ghauth_err		 rc;
	int			 done = 0;

	memset(&g, 0, sizeof(g));
	g.c = c;
	g.f.fd = g.f.dirfd = -1;
	/* No session: refuse before any file of the area is looked at. */
	if ((rc = ghauth_identify_env(c->cfg, c->env, c->ctx, &g.id)) !=
	    GHAUTH_OK) {
		ghauth_deny_response(c->cfg, c->env, c->ctx, rc, resp);
		goto out;
	}
	if ((rc = locate(&g)) != GHAUTH_OK)
		goto fail;
	if (ghauthp_ext_match(g.f.name, g.scripts)) {
		rc = run_script(&g);
		goto fail;
	}
	if (g.f.st.st_mode & (S_IXUSR | S_IXGRP | S_IXOTH)) {
		ghauthp_log("refused %s: executable but not named as a "
		    "script (GHAUTH_GUARD_SCRIPTS); a program's source is "
		    "never sent", g.f.path);
		rc = GHAUTH_E_NOTFOUND;
		goto fail;
	}
	if ((done = serve_file(&g, resp, &rc)))
		goto out;
fail:
	/* 404, 405 or 500, as HTML or JSON by the Accept header.  After a
	 * failed exec the configuration is gone: a 500. */
	if (rc != GHAUTH_OK)
		ghauth_deny_response(c->cfg, c->env, c->ctx, rc, resp);
out:
	ghauthp_gfile_close(&g.f);
	ghauth_identity_free(&g.id);
	return done;
}
