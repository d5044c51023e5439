/*
 * fcgi.c - FastCGI mode: the same programs, started by a FastCGI server
 * (lighttpd mod_fastcgi, Apache mod_fcgid, spawn-fcgi for nginx), answer
 * many requests in one process with libfcgi.
 *
 * Nothing of a request survives it: the request, the response and every
 * buffer are freed (and secrets wiped) before the next accept.  The only
 * thing kept is the parsed configuration, reloaded when the file's identity,
 * size or times change.  The process environment is copied once and then
 * cleared (libcurl and OpenSSL read variables); "$VAR" in the configuration
 * is looked up in the request's parameters first, then in that copy.
 * GHAUTH_FCGI_MAX_REQUESTS=N in the process environment makes the process
 * exit cleanly after N requests (the server starts a new one).  It stops
 * listening as soon as it has accepted the last one: a server connecting
 * after that is refused (and tries another process) instead of having its
 * request queued on a socket that is about to close (a reset: a 500).
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "driver.h"

#ifdef HAVE_LIBFCGI

#include <fcgiapp.h>

extern char	**environ;

struct snapshot {
	char	**vars;
	size_t	 n;
};

struct lookup {
	FCGX_ParamArray		 params;
	const struct snapshot	*snap;
};

struct cache {
	int			 valid;
	char			 path[4096];
	struct stat		 st;
	struct ghauth_config	 cfg;
};

static const char *
from_params(void *arg, const char *name)
{
	struct lookup	*l = arg;

	return FCGX_GetParam(name, l->params);
}

static const char *
from_both(void *arg, const char *name)
{
	struct lookup	*l = arg;
	const char	*v;
	size_t		 i, n = strlen(name);

	if ((v = FCGX_GetParam(name, l->params)) != NULL)
		return v;
	for (i = 0; i < l->snap->n; i++)
		if (strncmp(l->snap->vars[i], name, n) == 0 &&
		    l->snap->vars[i][n] == '=')
			return l->snap->vars[i] + n + 1;
	return NULL;
}

static int
snapshot_take(struct snapshot *s)
{
	size_t	 i, n = 0;

	memset(s, 0, sizeof(*s));
	while (environ != NULL && environ[n] != NULL)
		n++;
	if ((s->vars = calloc(n + 1, sizeof(char *))) == NULL)
		return 0;
	for (i = 0; i < n; i++)
		if ((s->vars[s->n] = ghauthp_strdup(environ[i])) != NULL)
			s->n++;
	return 1;
}

static void
snapshot_free(struct snapshot *s)
{
	size_t	 i;

	for (i = 0; i < s->n; i++) {
		ghauthp_wipe(s->vars[i], strlen(s->vars[i]));
		free(s->vars[i]);
	}
	free(s->vars);
	memset(s, 0, sizeof(*s));
}

static int
same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
	    a->st_size == b->st_size &&
	    a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	    a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	    a->st_ctim.tv_sec == b->st_ctim.tv_sec &&
	    a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/*
 * The configuration for this request, from the cache when the file has not
 * changed.  Environment-only mode (no file) is cheap and loaded each time
 * into *tmp (the caller frees it when *tmp_used).
 */
static enum ghauth_err
config_for(struct cache *c, struct lookup *l, struct ghauth_config **out,
    struct ghauth_config *tmp, int *tmp_used)
{
	const char	*path = ghauthp_config_path(from_both, l);
	struct stat	 st;
	enum ghauth_err	 rc;

	*tmp_used = 0;
	if (path == NULL) {
		rc = ghauthp_config_open(tmp, NULL, from_both, l);
		if (rc == GHAUTH_OK) {
			*tmp_used = 1;
			*out = tmp;
		}
		return rc;
	}
	/* A file that cannot be stat'ed is read again, and its error logged. */
	if (stat(path, &st) == -1)
		memset(&st, 0, sizeof(st));
	else if (c->valid && strcmp(c->path, path) == 0 &&
	    same_file(&st, &c->st)) {
		*out = &c->cfg;
		return GHAUTH_OK;
	}
	if (c->valid) {
		ghauth_config_free(&c->cfg);
		c->valid = 0;
	}
	/* Stat before reading: a change during the read means a reload. */
	if ((rc = ghauthp_config_open(&c->cfg, path, from_both, l)) !=
	    GHAUTH_OK)
		return rc;
	snprintf(c->path, sizeof(c->path), "%s", path);
	c->st = st;
	c->valid = 1;
	*out = &c->cfg;
	return GHAUTH_OK;
}

/*
 * Closes the listening socket (fd stays taken, by /dev/null): this process
 * accepts nothing more.  Where others keep the socket open (spawn-fcgi's
 * loop, forked children) only this process's copy goes.
 */
static void
stop_listening(int fd)
{
	int	 null = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (null == -1 || dup2(null, fd) == -1)
		(void)close(fd);
	if (null != -1 && null != fd)
		(void)close(null);
}

static long
max_requests(const struct snapshot *s)
{
	struct lookup	 l = { NULL, s };
	const char	*v;
	char		*end;
	long		 n;

	l.params = NULL;
	if ((v = from_both(&l, "GHAUTH_FCGI_MAX_REQUESTS")) == NULL)
		return 0;
	n = strtol(v, &end, 10);
	return *end == '\0' && n > 0 ? n : 0;
}

int
ghauthp_fastcgi_loop(const struct ghauthp_program *p)
{
	FCGX_Request		 rq;
	struct snapshot		 snap;
	struct cache		 cache;
	struct lookup		 l;
	struct ghauthp_call	 c;
	struct ghauth_config	 tmp;
	enum ghauth_err		 rrc, crc;
	char			*out;
	size_t			 len;
	long			 max, served = 0;
	int			 tmp_used, last;

	memset(&cache, 0, sizeof(cache));
	if (!snapshot_take(&snap))
		return 1;
	(void)clearenv();
	max = max_requests(&snap);
	if (FCGX_Init() != 0 || FCGX_InitRequest(&rq, 0, 0) != 0) {
		ghauthp_log("fastcgi: cannot initialise libfcgi");
		snapshot_free(&snap);
		return 1;
	}
	l.snap = &snap;
	ghauthp_store_cache_readers(1);
	while (FCGX_Accept_r(&rq) >= 0) {
		if ((last = max > 0 && ++served >= max))
			stop_listening(rq.listen_sock);
		l.params = rq.envp;
		memset(&tmp, 0, sizeof(tmp));
		memset(&c, 0, sizeof(c));
		c.env = from_params;
		c.ctx = &l;
		rrc = ghauthp_request_read(&c.req, from_params, &l);
		crc = config_for(&cache, &l, &c.cfg, &tmp, &tmp_used);
		/* The programs whose row names this loop (the endpoints)
		 * always answer in resp, never on stdout themselves. */
		(void)ghauthp_respond(p, &c, rrc, crc, &out, &len);
		if (out != NULL) {
			FCGX_PutStr(out, (int)len, rq.out);
			ghauthp_wipe(out, len);
			free(out);
		}
		ghauthp_request_free(&c.req);
		if (tmp_used)
			ghauth_config_free(&tmp);
		FCGX_Finish_r(&rq);
		if (last)
			break;
	}
	FCGX_Free(&rq, 1);
	ghauthp_store_cache_readers(0);
	if (cache.valid)
		ghauth_config_free(&cache.cfg);
	snapshot_free(&snap);
	return 0;
}

#else /* !HAVE_LIBFCGI */

int
ghauthp_fastcgi_loop(const struct ghauthp_program *p)
{
	ghauthp_log("%s: started by a FastCGI server, but built without "
	    "FastCGI support (libfcgi-dev)", p->name);
	return 1;
}

#endif
