/*
 * store/redis.c - the Redis backend of the store (store.h), so that
 * several web servers share one set of sessions.
 *
 *   redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]
 *   unix://[[USER]:PASSWORD@]/PATH/TO/redis.sock[?db=DB]
 *
 * Keys are the store's keys (kind + SHA-256 of the token) after the
 * configured prefix; values are the same integrity-tagged records.  Every
 * write sets a TTL (the record's expiry plus a grace period, so that an
 * expired record still reads as "expired" for a while, as on GDBM, and
 * then disappears without any sweep).  Single use is atomic on the server:
 * a take is GETDEL, so of two web servers racing on one state exactly one
 * gets it; a new key is SET NX, a touch SET XX (a logout in between wins).
 * Each command waits for its reply, so a token leaves the program only
 * after Redis acknowledged its record.
 *
 * One connection per process (FastCGI keeps it across requests), opened
 * on first use with the store timeout for connect and every command; any
 * error drops it and the next use reconnects.  A stale kept connection
 * (Redis restarted) is retried once on a fresh one.  Failures are
 * GHAUTHP_S_FAILED (503 + Retry-After) with one log line naming the
 * server, never the password.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <hiredis/hiredis.h>

#include "ghauth-int.h"

/* Seconds an expired record stays readable (so logs say "expired"). */
#define GRACE		300
#define KEY_MAX		256
#define DB_MAX		1000000

struct rspec {
	int		 is_unix;
	char		 host[256];
	int		 port;
	char		 path[1024];
	long		 db;
	char		 user[256];
	char		 pass[512];
	int		 has_pass;
	char		 where[1100];	/* for logs: host:port or the socket */
};

struct redis_store {
	struct ghauthp_store base;
	char		 prefix[65];
	size_t		 plen;
	int		 masked;
	sigset_t	 oldmask;
};

/* The process's connection. */
static struct {
	redisContext	*c;
	char		 spec[4200];	/* store value + timeout it was made for */
	char		 where[1100];
	long		 timeout_ms;
	int		 used;		/* served a command already */
	int		 timed_out;	/* the last failure was the deadline */
	int		 atexit;	/* drop() registered to run at exit */
} conn;

static const struct ghauthp_store_ops redis_ops;

#define R(b)	((struct redis_store *)(void *)(b))

/* Percent-decodes src[0..n) into dst (size sz); 0 on a bad escape. */
static int
pct_decode(const char *src, size_t n, char *dst, size_t sz)
{
	return n < sz && ghauthp_pct_decode(src, n, dst) >= 0;
}

static int
parse_db(const char *s, size_t n, long *db)
{
	long	 v = 0;
	size_t	 i;

	if (n == 0 || n > 7)
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (s[i] - '0');
	}
	if (v > DB_MAX)
		return 0;
	*db = v;
	return 1;
}

/* [USER]:PASSWORD, percent-decoded. */
static int
parse_userinfo(const char *s, size_t n, struct rspec *r, const char **why)
{
	const char	*colon = memchr(s, ':', n);

	if (colon == NULL) {
		*why = "auth.store: the user part of a Redis URL must be "
		    "[USER]:PASSWORD";
		return 0;
	}
	if (!pct_decode(s, (size_t)(colon - s), r->user, sizeof(r->user)) ||
	    !pct_decode(colon + 1, n - (size_t)(colon - s) - 1, r->pass,
	    sizeof(r->pass))) {
		*why = "auth.store: bad percent-encoding or length in the user "
		    "or password of the Redis URL";
		return 0;
	}
	r->has_pass = 1;
	return 1;
}

static int
parse_spec(const char *spec, struct rspec *r, const char **why)
{
	const char	*p, *slash, *at, *q, *end;
	size_t		 n;
	char		*e;
	long		 port;

	memset(r, 0, sizeof(*r));
	r->port = 6379;
	*why = NULL;
	if (ghauthp_has_ctl(spec, strlen(spec)) || strchr(spec, ' ') != NULL) {
		*why = "auth.store: a Redis URL may not contain spaces or "
		    "control characters";
		return 0;
	}
	if (strncmp(spec, "unix://", 7) == 0) {
		r->is_unix = 1;
		p = spec + 7;
		if ((slash = strchr(p, '/')) == NULL) {
			*why = "auth.store: unix:// needs an absolute socket path";
			return 0;
		}
		if (slash > p) {
			if (slash[-1] != '@' || !parse_userinfo(p,
			    (size_t)(slash - p - 1), r, why)) {
				if (*why == NULL)
					*why = "auth.store: unix:// is "
					    "unix://[[USER]:PASSWORD@]/PATH[?db=N]";
				return 0;
			}
		}
		q = strchr(slash, '?');
		n = q != NULL ? (size_t)(q - slash) : strlen(slash);
		if (n >= sizeof(r->path)) {
			*why = "auth.store: the socket path is too long";
			return 0;
		}
		memcpy(r->path, slash, n);
		r->path[n] = '\0';
		if (q != NULL && (strncmp(q, "?db=", 4) != 0 ||
		    !parse_db(q + 4, strlen(q + 4), &r->db))) {
			*why = "auth.store: the only query of a unix:// store "
			    "is ?db=N (0 to 1000000)";
			return 0;
		}
		snprintf(r->where, sizeof(r->where), "%s", r->path);
		return 1;
	}
	if (strncmp(spec, "redis://", 8) != 0) {
		*why = "auth.store: not a redis:// or unix:// URL";
		return 0;
	}
	p = spec + 8;
	end = p + strcspn(p, "/?#");
	if (*end == '?' || *end == '#') {
		*why = "auth.store: a redis:// URL takes no query or fragment";
		return 0;
	}
	/* The last '@' of the authority ends the userinfo. */
	at = NULL;
	for (q = p; q < end; q++)
		if (*q == '@')
			at = q;
	if (at != NULL) {
		if (!parse_userinfo(p, (size_t)(at - p), r, why))
			return 0;
		p = at + 1;
	}
	if (*p == '[') {
		q = memchr(p, ']', (size_t)(end - p));
		if (q == NULL || q == p + 1 || (size_t)(q - p - 1) >=
		    sizeof(r->host)) {
			*why = "auth.store: bad IPv6 address in the Redis URL";
			return 0;
		}
		memcpy(r->host, p + 1, (size_t)(q - p - 1));
		r->host[q - p - 1] = '\0';
		p = q + 1;
	} else {
		n = strcspn(p, ":/");
		if (p + n > end)
			n = (size_t)(end - p);
		if (n == 0 || n >= sizeof(r->host)) {
			*why = "auth.store: the Redis URL has no host";
			return 0;
		}
		memcpy(r->host, p, n);
		r->host[n] = '\0';
		if (strspn(r->host, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_") != n) {
			*why = "auth.store: bad host name in the Redis URL";
			return 0;
		}
		p += n;
	}
	if (*p == ':') {
		errno = 0;
		port = strtol(p + 1, &e, 10);
		if (e == p + 1 || e != end || errno != 0 || port < 1 ||
		    port > 65535) {
			*why = "auth.store: bad port in the Redis URL";
			return 0;
		}
		r->port = (int)port;
		p = e;
	}
	if (p != end) {
		*why = "auth.store: bad host or port in the Redis URL";
		return 0;
	}
	if (*end == '/' && end[1] != '\0' &&
	    !parse_db(end + 1, strlen(end + 1), &r->db)) {
		*why = "auth.store: the path of a redis:// URL is the database "
		    "number (0 to 1000000)";
		return 0;
	}
	snprintf(r->where, sizeof(r->where), strchr(r->host, ':') != NULL ?
	    "[%s]:%d" : "%s:%d", r->host, r->port);
	return 1;
}

int
ghauthp_redis_spec_ok(const char *spec, const char **why)
{
	struct rspec	 r;
	int		 ok;

	ok = parse_spec(spec, &r, why);
	ghauthp_wipe(&r, sizeof(r));
	return ok;
}

static void
drop(void)
{
	if (conn.c != NULL)
		redisFree(conn.c);
	conn.c = NULL;
	conn.used = 0;
	ghauthp_wipe(conn.spec, sizeof(conn.spec));
}

void
ghauthp_redis_cache(int on)
{
	if (!on)
		drop();
}

/* A server's error reply, for the log: printable, bounded. */
static void
log_reply_error(const char *what, const redisReply *rp)
{
	char	 msg[160];
	size_t	 i, n = rp->len < sizeof(msg) - 1 ? rp->len : sizeof(msg) - 1;

	for (i = 0; i < n; i++)
		msg[i] = rp->str[i] >= 0x20 && rp->str[i] < 0x7f ?
		    rp->str[i] : '?';
	msg[n] = '\0';
	if (strncmp(msg, "OOM", 3) == 0)
		ghauthp_log("store: redis %s: out of memory (maxmemory): %s",
		    conn.where, msg);
	else if (strncmp(msg, "READONLY", 8) == 0)
		ghauthp_log("store: redis %s: read-only (a replica): point the "
		    "store at the primary", conn.where);
	else if (strncmp(msg, "WRONGPASS", 9) == 0 ||
	    strncmp(msg, "NOAUTH", 6) == 0 || strncmp(msg, "NOPERM", 6) == 0 ||
	    strncmp(msg, "ERR AUTH", 8) == 0 ||
	    strncmp(msg, "ERR invalid password", 20) == 0)
		ghauthp_log("store: redis %s: access refused (%s): check the "
		    "user and password of the store URL and the ACL", conn.where,
		    what);
	else if (strncmp(msg, "LOADING", 7) == 0)
		ghauthp_log("store: redis %s: still loading its data set",
		    conn.where);
	else
		ghauthp_log("store: redis %s: %s refused: %s", conn.where, what,
		    msg);
}

/* The connection failed (c->err): one line, and the connection goes. */
static void
log_conn_error(const char *what, int err, const char *errstr, int saved,
    long timeout_ms)
{
	conn.timed_out = err == REDIS_ERR_IO && (saved == EAGAIN ||
	    saved == EWOULDBLOCK || saved == ETIMEDOUT || saved == EINPROGRESS);
	if (conn.timed_out)
		ghauthp_log("store: redis %s: no answer within %ld ms (%s)",
		    conn.where, timeout_ms, what);
	else if (err == REDIS_ERR_EOF)
		ghauthp_log("store: redis %s: connection closed by the server "
		    "(%s)", conn.where, what);
	else
		ghauthp_log("store: redis %s: %s failed: %s", conn.where, what,
		    errstr);
}

static redisReply *
command(int argc, const char **argv, const size_t *lens, const char *what)
{
	redisReply	*rp;

	errno = 0;
	rp = redisCommandArgv(conn.c, argc, argv, lens);
	if (rp == NULL) {
		log_conn_error(what, conn.c->err, conn.c->errstr, errno,
		    conn.timeout_ms);
		drop();
	}
	return rp;
}

static int
connect_to(const struct rspec *r, long timeout_ms)
{
	struct timeval	 tv;
	redisReply	*rp;
	const char	*argv[3];
	size_t		 lens[3];
	char		 db[16];
	int		 n;

	tv.tv_sec = timeout_ms / 1000;
	tv.tv_usec = (timeout_ms % 1000) * 1000;
	/* The connection outlives the request; it is closed at exit. */
	if (!conn.atexit && atexit(drop) == 0)
		conn.atexit = 1;
	snprintf(conn.where, sizeof(conn.where), "%s", r->where);
	conn.timeout_ms = timeout_ms;
	errno = 0;
	conn.c = r->is_unix ? redisConnectUnixWithTimeout(r->path, tv) :
	    redisConnectWithTimeout(r->host, r->port, tv);
	if (conn.c == NULL) {
		ghauthp_log("store: redis %s: out of memory", conn.where);
		return 0;
	}
	if (conn.c->err) {
		int	 saved = errno;

		if (conn.c->err == REDIS_ERR_IO && saved != EAGAIN &&
		    saved != EINPROGRESS && saved != ETIMEDOUT && saved != 0)
			ghauthp_log("store: redis %s: cannot connect: %s",
			    conn.where, strerror(saved));
		else
			log_conn_error("connect", conn.c->err,
			    conn.c->errstr, saved, timeout_ms);
		drop();
		return 0;
	}
	if (redisSetTimeout(conn.c, tv) != REDIS_OK) {
		ghauthp_log("store: redis %s: cannot set the timeout",
		    conn.where);
		drop();
		return 0;
	}
	if (r->has_pass) {
		n = 0;
		argv[n] = "AUTH";
		lens[n++] = 4;
		if (r->user[0] != '\0') {
			argv[n] = r->user;
			lens[n++] = strlen(r->user);
		}
		argv[n] = r->pass;
		lens[n++] = strlen(r->pass);
		if ((rp = command(n, argv, lens, "AUTH")) == NULL)
			return 0;
		if (rp->type == REDIS_REPLY_ERROR) {
			log_reply_error("AUTH", rp);
			freeReplyObject(rp);
			drop();
			return 0;
		}
		freeReplyObject(rp);
	}
	if (r->db != 0) {
		snprintf(db, sizeof(db), "%ld", r->db);
		argv[0] = "SELECT";
		lens[0] = 6;
		argv[1] = db;
		lens[1] = strlen(db);
		if ((rp = command(2, argv, lens, "SELECT")) == NULL)
			return 0;
		if (rp->type == REDIS_REPLY_ERROR) {
			log_reply_error("SELECT", rp);
			freeReplyObject(rp);
			drop();
			return 0;
		}
		freeReplyObject(rp);
	}
	return 1;
}

/* Connects unless the process already holds a connection to this store. */
static int
ensure(const struct ghauthp_store_spec *sp)
{
	struct rspec	 r;
	char		 id[sizeof(conn.spec)];
	const char	*why;
	int		 n, ok;

	n = snprintf(id, sizeof(id), "%ld %s", sp->timeout_ms, sp->store);
	if (n < 0 || (size_t)n >= sizeof(id))
		return 0;
	if (conn.c != NULL && strcmp(conn.spec, id) == 0) {
		ghauthp_wipe(id, sizeof(id));
		return 1;
	}
	drop();
	if (!parse_spec(sp->store, &r, &why)) {
		ghauthp_log("store: %s", why);
		ghauthp_wipe(id, sizeof(id));
		return 0;
	}
	ok = connect_to(&r, sp->timeout_ms > 0 ? sp->timeout_ms :
	    GHAUTHP_STORE_TIMEOUT_DEFAULT);
	if (ok)
		memcpy(conn.spec, id, sizeof(id));
	ghauthp_wipe(&r, sizeof(r));
	ghauthp_wipe(id, sizeof(id));
	return ok;
}

/*
 * A write to a socket the server closed raises SIGPIPE, which would kill
 * the program: blocked while the handle is open, and one that arrived in
 * the meantime is taken off before the old mask comes back.
 */
static void
mask_sigpipe(struct redis_store *s)
{
	sigset_t	 set;

	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	if (sigprocmask(SIG_BLOCK, &set, &s->oldmask) == 0)
		s->masked = !sigismember(&s->oldmask, SIGPIPE);
}

static void
unmask_sigpipe(struct redis_store *s)
{
	sigset_t		 set, pend;
	struct timespec		 zero = { 0, 0 };

	if (!s->masked)
		return;
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	if (sigpending(&pend) == 0 && sigismember(&pend, SIGPIPE))
		(void)sigtimedwait(&set, NULL, &zero);
	sigprocmask(SIG_SETMASK, &s->oldmask, NULL);
}

static struct ghauthp_store_spec spec_now;

enum ghauthp_sres
ghauthp_redis_open(struct ghauthp_store **out,
    const struct ghauthp_store_spec *sp)
{
	struct redis_store	*s;
	const char		*prefix = sp->prefix != NULL ? sp->prefix :
				    GHAUTHP_STORE_PREFIX_DEFAULT;

	*out = NULL;
	if (strlen(prefix) >= sizeof(s->prefix))
		return GHAUTHP_S_FAILED;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return GHAUTHP_S_FAILED;
	s->base.ops = &redis_ops;
	s->plen = strlen(prefix);
	memcpy(s->prefix, prefix, s->plen + 1);
	mask_sigpipe(s);
	if (!ensure(sp)) {
		unmask_sigpipe(s);
		free(s);
		return GHAUTHP_S_FAILED;
	}
	spec_now = *sp;
	*out = &s->base;
	return GHAUTHP_S_OK;
}

static enum ghauthp_sres
redis_close(struct ghauthp_store *b, int failed GHAUTHP_UNUSED)
{
	struct redis_store	*s = R(b);

	unmask_sigpipe(s);
	free(s);
	return GHAUTHP_S_OK;
}

/*
 * Runs one command on the store's key.  A kept connection that turns out
 * dead (Redis restarted since) is replaced once; a fresh one is not
 * retried, nor one that timed out (the wait stays one store_timeout_ms).
 * NULL: failed and logged.
 */
static redisReply *
run(struct redis_store *s, const char *what, int argc, const char **argv,
    size_t *lens, const void *key, size_t klen)
{
	char		 k[KEY_MAX];
	redisReply	*rp;
	int		 kept;

	if (s->plen + klen > sizeof(k)) {
		ghauthp_log("store: redis %s: key too long", conn.where);
		return NULL;
	}
	memcpy(k, s->prefix, s->plen);
	memcpy(k + s->plen, key, klen);
	argv[1] = k;
	lens[1] = s->plen + klen;
	if (conn.c == NULL && !ensure(&spec_now))
		return NULL;
	kept = conn.used;
	rp = command(argc, argv, lens, what);
	if (rp == NULL && kept && !conn.timed_out) {
		if (!ensure(&spec_now))
			return NULL;
		rp = command(argc, argv, lens, what);
	}
	if (rp == NULL)
		return NULL;
	conn.used = 1;
	if (rp->type == REDIS_REPLY_ERROR) {
		log_reply_error(what, rp);
		freeReplyObject(rp);
		return NULL;
	}
	return rp;
}

static enum ghauthp_sres
fetch(struct ghauthp_store *b, const char *cmd, const void *key, size_t klen,
    unsigned char **val, size_t *vlen)
{
	const char	*argv[2];
	size_t		 lens[2];
	redisReply	*rp;
	enum ghauthp_sres rc = GHAUTHP_S_ABSENT;

	argv[0] = cmd;
	lens[0] = strlen(cmd);
	if ((rp = run(R(b), cmd, 2, argv, lens, key, klen)) == NULL)
		return GHAUTHP_S_FAILED;
	if (rp->type == REDIS_REPLY_STRING && rp->len > 0 &&
	    rp->len <= GHAUTHP_RECORD_MAX) {
		if ((*val = malloc(rp->len)) == NULL)
			rc = GHAUTHP_S_FAILED;
		else {
			memcpy(*val, rp->str, rp->len);
			*vlen = rp->len;
			rc = GHAUTHP_S_OK;
		}
		ghauthp_wipe(rp->str, rp->len);
	} else if (rp->type != REDIS_REPLY_NIL &&
	    rp->type != REDIS_REPLY_STRING) {
		ghauthp_log("store: redis %s: unexpected answer to %s",
		    conn.where, cmd);
		rc = GHAUTHP_S_FAILED;
	}
	freeReplyObject(rp);
	return rc;
}

static enum ghauthp_sres
redis_get(struct ghauthp_store *b, const void *key, size_t klen,
    unsigned char **val, size_t *vlen)
{
	return fetch(b, "GET", key, klen, val, vlen);
}

/* GETDEL (Redis 6.2): read and delete in one step on the server. */
static enum ghauthp_sres
redis_take(struct ghauthp_store *b, const void *key, size_t klen,
    unsigned char **val, size_t *vlen)
{
	return fetch(b, "GETDEL", key, klen, val, vlen);
}

static enum ghauthp_sres
redis_put(struct ghauthp_store *b, const void *key, size_t klen,
    const void *val, size_t vlen, int64_t expires, enum ghauthp_put how)
{
	const char	*argv[6];
	size_t		 lens[6];
	char		 at[24];
	redisReply	*rp;
	int		 n = 3;
	int64_t		 now = (int64_t)ghauthp_now();
	enum ghauthp_sres rc;

	argv[0] = "SET";
	lens[0] = 3;
	argv[2] = val;
	lens[2] = vlen;
	if (expires > 0) {
		snprintf(at, sizeof(at), "%lld", (long long)((expires > now ?
		    expires : now) + GRACE));
		argv[n] = "EXAT";
		lens[n++] = 4;
		argv[n] = at;
		lens[n++] = strlen(at);
	}
	if (how != GHAUTHP_PUT_ANY) {
		argv[n] = how == GHAUTHP_PUT_NEW ? "NX" : "XX";
		lens[n++] = 2;
	}
	if ((rp = run(R(b), "SET", n, argv, lens, key, klen)) == NULL)
		return GHAUTHP_S_FAILED;
	if (rp->type == REDIS_REPLY_STATUS)
		rc = GHAUTHP_S_OK;
	else if (rp->type == REDIS_REPLY_NIL)
		rc = how == GHAUTHP_PUT_NEW ? GHAUTHP_S_EXISTS :
		    GHAUTHP_S_ABSENT;
	else {
		ghauthp_log("store: redis %s: unexpected answer to SET",
		    conn.where);
		rc = GHAUTHP_S_FAILED;
	}
	freeReplyObject(rp);
	return rc;
}

static enum ghauthp_sres
redis_del(struct ghauthp_store *b, const void *key, size_t klen)
{
	const char	*argv[2] = { "DEL", NULL };
	size_t		 lens[2] = { 3, 0 };
	redisReply	*rp;

	if ((rp = run(R(b), "DEL", 2, argv, lens, key, klen)) == NULL)
		return GHAUTHP_S_FAILED;
	freeReplyObject(rp);
	return GHAUTHP_S_OK;
}

/* Redis expires keys itself (the TTL of every write). */
static enum ghauthp_sres
redis_sweep(struct ghauthp_store *b GHAUTHP_UNUSED, time_t now GHAUTHP_UNUSED,
    int max GHAUTHP_UNUSED, int *removed)
{
	*removed = 0;
	return GHAUTHP_S_OK;
}

/* SCAN for "<prefix>*" (the prefix's glob characters escaped). */
static enum ghauthp_sres
redis_each(struct ghauthp_store *b, int (*fn)(void *, const unsigned char *,
    size_t, const unsigned char *, size_t), void *ctx)
{
	struct redis_store	*s = R(b);
	char			 pat[2 * sizeof(s->prefix) + 2];
	char			 cursor[32] = "0";
	const char		*argv[6];
	size_t			 lens[6], i, n = 0;
	redisReply		*rp, *kr;
	unsigned char		*v;
	size_t			 vlen;
	enum ghauthp_sres	 rc = GHAUTHP_S_OK;
	int			 go = 1;

	for (i = 0; i < s->plen; i++) {
		if (strchr("*?[]\\", s->prefix[i]) != NULL)
			pat[n++] = '\\';
		pat[n++] = s->prefix[i];
	}
	pat[n++] = '*';
	do {
		argv[0] = "SCAN";
		lens[0] = 4;
		argv[1] = cursor;
		lens[1] = strlen(cursor);
		argv[2] = "MATCH";
		lens[2] = 5;
		argv[3] = pat;
		lens[3] = n;
		argv[4] = "COUNT";
		lens[4] = 5;
		argv[5] = "1000";
		lens[5] = 4;
		if (conn.c == NULL && !ensure(&spec_now))
			return GHAUTHP_S_FAILED;
		if ((rp = command(6, argv, lens, "SCAN")) == NULL)
			return GHAUTHP_S_FAILED;
		if (rp->type == REDIS_REPLY_ERROR) {
			log_reply_error("SCAN", rp);
			freeReplyObject(rp);
			return GHAUTHP_S_FAILED;
		}
		if (rp->type != REDIS_REPLY_ARRAY || rp->elements != 2 ||
		    rp->element[0]->type != REDIS_REPLY_STRING ||
		    rp->element[0]->len >= sizeof(cursor) ||
		    rp->element[1]->type != REDIS_REPLY_ARRAY) {
			ghauthp_log("store: redis %s: unexpected answer to SCAN",
			    conn.where);
			freeReplyObject(rp);
			return GHAUTHP_S_FAILED;
		}
		memcpy(cursor, rp->element[0]->str, rp->element[0]->len);
		cursor[rp->element[0]->len] = '\0';
		for (i = 0; go && i < rp->element[1]->elements; i++) {
			kr = rp->element[1]->element[i];
			if (kr->type != REDIS_REPLY_STRING || kr->len <= s->plen)
				continue;
			v = NULL;
			rc = redis_get(b, kr->str + s->plen, kr->len - s->plen,
			    &v, &vlen);
			if (rc == GHAUTHP_S_ABSENT) {	/* expired meanwhile */
				rc = GHAUTHP_S_OK;
				continue;
			}
			if (rc != GHAUTHP_S_OK)
				break;
			go = fn(ctx, (unsigned char *)kr->str + s->plen,
			    kr->len - s->plen, v, vlen);
			ghauthp_wipe(v, vlen);
			free(v);
		}
		freeReplyObject(rp);
	} while (rc == GHAUTHP_S_OK && go && strcmp(cursor, "0") != 0);
	return rc;
}

static const struct ghauthp_store_ops redis_ops = {
	"redis", redis_get, redis_take, redis_put, redis_del, redis_sweep,
	redis_each, redis_close
};
