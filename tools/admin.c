/*
 * admin.c - the operations behind ghauth-admin(8): list, revoke, purge,
 * stats, reorganize, check and recover the store, migrate it;
 * check-config.
 *
 * On a Redis store (store/redis.c) list, revoke, purge, stats and check
 * walk the keys through the storage interface (SCAN); there is no file to
 * reorganize or recover.  migrate copies live records between any two
 * stores through the same interface.
 *
 * Each operation takes the store's lock file exactly like the CGI programs
 * (shared to read, exclusive to change; ghauthp_store_lock()), then opens
 * the database itself so that a damaged file can still be examined or
 * rebuilt. Keys are always collected first and records deleted after the
 * walk, never while iterating (GDBM manual, "Sequential access"). Record
 * values are judged by their integrity tag (record.c): GDBM does not notice
 * a corrupted value (docs/SECURITY.md, promise 11). Nothing here prints:
 * the tool (tools/ghauth-admin.c) reports from struct ghauthp_admin_report,
 * and failures are logged once, where they happen.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <gdbm.h>

#include "ghauth-int.h"

/* GDBM keeps at least one 24-byte bucket entry per key. */
#define BUCKET_ENTRY	24

/* Decides, for one record, whether the walk deletes it (returns 1). */
typedef int	(*visit_fn)(void *, const datum *, enum ghauthp_akind,
		    const struct ghauthp_record *, int);

static enum ghauthp_akind
kind_of(const datum *k)
{
	if (k->dsize >= 5 && memcmp(k->dptr, "meta:", 5) == 0)
		return GHAUTHP_AK_META;
	if (k->dsize != GHAUTHP_KEY_LEN)
		return GHAUTHP_AK_OTHER;
	if (memcmp(k->dptr, GHAUTHP_KIND_STATE, 3) == 0)
		return GHAUTHP_AK_STATE;
	if (memcmp(k->dptr, GHAUTHP_KIND_SESSION, 3) == 0)
		return GHAUTHP_AK_SESSION;
	if (memcmp(k->dptr, GHAUTHP_KIND_HANDOFF, 3) == 0)
		return GHAUTHP_AK_HANDOFF;
	return GHAUTHP_AK_OTHER;
}

static enum ghauthp_rtype
rtype_of(enum ghauthp_akind k)
{
	switch (k) {
	case GHAUTHP_AK_STATE:
		return GHAUTHP_REC_STATE;
	case GHAUTHP_AK_SESSION:
		return GHAUTHP_REC_SESSION;
	case GHAUTHP_AK_HANDOFF:
		return GHAUTHP_REC_HANDOFF;
	default:
		return 0;
	}
}

/* 0 live, 1 past its absolute expiry, 2 (sessions) idle too long. */
static int
expiry(const struct ghauthp_admin_opts *o, const struct ghauthp_record *r)
{
	if ((int64_t)o->now >= r->expires)
		return 1;
	if (r->type == GHAUTHP_REC_SESSION && o->idle_ttl > 0 &&
	    (int64_t)o->now - r->last_seen >= o->idle_ttl)
		return 2;
	return 0;
}

static long long
file_size(const char *path)
{
	struct stat	 st;

	if (lstat(path, &st) == -1)
		return -1;
	return (long long)st.st_size;
}

/*
 * Locks the store (exclusive for GHAUTHP_STORE_WRITE) and opens its
 * database with the extra GDBM flags.  On GHAUTH_OK *sp holds the lock and,
 * unless the file is missing or empty (rep->exists 0), the database.  A
 * file GDBM will not open is GHAUTH_OK with rep->open_error set when
 * tolerate is set (check, recover), else GHAUTH_E_STORE.
 */
static enum ghauth_err
admin_open(const struct ghauthp_admin_opts *o, enum ghauthp_store_mode mode,
    int gflags, int tolerate, struct ghauthp_store **sp,
    struct ghauthp_admin_report *rep)
{
	struct ghauthp_store	*s;
	struct stat		 st;
	GDBM_FILE		 db;
	enum ghauthp_sres	 lrc;
	int			 fd, ge;

	*sp = NULL;
	if ((lrc = ghauthp_store_lock(&s, o->path, mode, o->timeout_ms)) !=
	    GHAUTHP_S_OK)
		return lrc == GHAUTHP_S_BUSY ? GHAUTH_E_BUSY : GHAUTH_E_STORE;
	rep->size_before = rep->size_after = -1;
	fd = open(o->path, (mode == GHAUTHP_STORE_WRITE ? O_RDWR : O_RDONLY) |
	    O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd == -1 && errno == ENOENT) {
		*sp = s;
		return GHAUTH_OK;
	}
	if (fd == -1) {
		ghauthp_log("admin: cannot open %s: %s", o->path,
		    errno == ELOOP ? "it is a symbolic link" : strerror(errno));
		ghauthp_store_abort(s);
		return GHAUTH_E_STORE;
	}
	if (!ghauthp_store_safe_file(fd, o->path) || fstat(fd, &st) == -1) {
		close(fd);
		ghauthp_store_abort(s);
		return GHAUTH_E_STORE;
	}
	rep->size_before = rep->size_after = (long long)st.st_size;
	if (st.st_size == 0) {
		close(fd);
		*sp = s;
		return GHAUTH_OK;
	}
	rep->exists = 1;
	db = gdbm_fd_open(fd, o->path, 0, (mode == GHAUTHP_STORE_WRITE ?
	    GDBM_WRITER : GDBM_READER) | GDBM_CLOEXEC | GDBM_CLOERROR | gflags,
	    NULL);
	if (db == NULL) {
		ge = gdbm_errno;
		ghauthp_log("admin: %s: %s", o->path, gdbm_strerror(ge));
		if (ge == GDBM_CANT_BE_READER || ge == GDBM_CANT_BE_WRITER) {
			ghauthp_log("admin: another process has the database "
			    "open without taking %s.lock", o->path);
			ghauthp_store_abort(s);
			return GHAUTH_E_BUSY;
		}
		rep->open_error = ge;
		if (!tolerate) {
			ghauthp_store_abort(s);
			return GHAUTH_E_STORE;
		}
		*sp = s;
		return GHAUTH_OK;
	}
	ghauthp_store_set_gdbm(s, db);
	if (gdbm_needs_recovery(db)) {
		rep->needs_recovery = 1;
		if (!tolerate) {
			ghauthp_log("admin: %s needs recovery: run ghauth-admin "
			    "recover", o->path);
			ghauthp_store_abort(s);
			return GHAUTH_E_STORE;
		}
	}
	*sp = s;
	return GHAUTH_OK;
}

/* Closes (the commit for a writer) and records the size afterwards. */
static enum ghauth_err
admin_close(const struct ghauthp_admin_opts *o, struct ghauthp_store *s,
    enum ghauth_err rc, struct ghauthp_admin_report *rep)
{
	if (rc != GHAUTH_OK)
		ghauthp_store_abort(s);
	else if (ghauthp_store_close(s) != GHAUTHP_S_OK)
		rc = GHAUTH_E_STORE;
	rep->size_after = file_size(o->path);
	return rc;
}

static void
free_keys(datum *keys, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		free(keys[i].dptr);
	free(keys);
}

/* A writer found the file damaged: it changes nothing. */
static enum ghauth_err
nothing_deleted(const struct ghauthp_admin_opts *o)
{
	ghauthp_log("admin: %s needs recovery: run ghauth-admin recover; "
	    "nothing was deleted", o->path);
	return GHAUTH_E_STORE;
}

/*
 * Walks every record: collects the keys, then fetches and decodes each and
 * asks visit whether to delete it (only when del is set), then deletes.
 * Counts go to rep; GDBM errors met while reading are rep->walk_errors (a
 * structural problem), not a failure of the walk.  Returns GHAUTH_OK, or
 * GHAUTH_E_NOMEM / GHAUTH_E_STORE (a delete failed).
 */
static enum ghauth_err
walk(const struct ghauthp_admin_opts *o, struct ghauthp_store *s,
    visit_fn visit, void *ctx, int del, struct ghauthp_admin_report *rep)
{
	GDBM_FILE		 db = ghauthp_store_gdbm(s);
	struct ghauthp_record	 r;
	datum			*keys = NULL, *tmp, k, next, v;
	size_t			 n = 0, cap = 0, max, i, j, ndead = 0;
	enum ghauthp_akind	 kind;
	enum ghauth_err		 rc = GHAUTH_OK;
	unsigned char		*dead = NULL;
	int			 ok, exp, sel;

	if (db == NULL)
		return GHAUTH_OK;
	/* A damaged directory must not make the walk unbounded. */
	max = rep->size_before > 0 ? (size_t)rep->size_before / BUCKET_ENTRY +
	    1 : 1;
	for (k = gdbm_firstkey(db); k.dptr != NULL; k = next) {
		if (n == max) {
			rep->walk_errors++;
			free(k.dptr);
			break;
		}
		if (n == cap) {
			cap = cap == 0 ? 256 : cap * 2;
			if ((tmp = reallocarray(keys, cap, sizeof(*keys))) ==
			    NULL) {
				free(k.dptr);
				rc = GHAUTH_E_NOMEM;
				goto out;
			}
			keys = tmp;
		}
		keys[n++] = k;
		next = gdbm_nextkey(db, k);
	}
	if (gdbm_errno != GDBM_ITEM_NOT_FOUND && gdbm_errno != GDBM_NO_ERROR)
		rep->walk_errors++;
	if (n > 0 && (dead = calloc(n, 1)) == NULL) {
		rc = GHAUTH_E_NOMEM;
		goto out;
	}
	for (i = 0; i < n; i++)
		rep->records[kind_of(&keys[i])]++;
	for (i = 0; i < n; i++) {
		/* Once GDBM has flagged the file, every read fails. */
		if (gdbm_needs_recovery(db)) {
			rep->needs_recovery = 1;
			rep->unread = n - i;
			break;
		}
		kind = kind_of(&keys[i]);
		if (kind == GHAUTHP_AK_META) {
			sel = visit(ctx, &keys[i], kind, NULL, 0);
			dead[i] = (unsigned char)(del && sel);
			continue;
		}
		v = gdbm_fetch(db, keys[i]);
		if (v.dptr == NULL && gdbm_needs_recovery(db)) {
			rep->needs_recovery = 1;
			rep->unread = n - i;
			break;
		}
		if (v.dptr == NULL)
			rep->walk_errors++;
		ok = v.dptr != NULL && kind != GHAUTHP_AK_OTHER &&
		    v.dsize > 0 && ghauthp_record_decode(
		    (unsigned char *)keys[i].dptr, (size_t)keys[i].dsize,
		    (unsigned char *)v.dptr, (size_t)v.dsize, &r) == 0;
		free(v.dptr);
		if (ok && r.type != rtype_of(kind)) {
			ghauthp_record_free(&r);
			ok = 0;
		}
		if (!ok) {
			rep->unreadable[kind]++;
			sel = visit(ctx, &keys[i], kind, NULL, 0);
			dead[i] = (unsigned char)(del && sel);
			continue;
		}
		if ((exp = expiry(o, &r)) != 0)
			rep->expired[kind]++;
		sel = visit(ctx, &keys[i], kind, &r, exp);
		dead[i] = (unsigned char)(del && sel);
		ghauthp_record_free(&r);
	}
	/* A writer changes nothing in a file it could not read whole. */
	if (del && (rep->needs_recovery || rep->walk_errors != 0)) {
		rc = nothing_deleted(o);
		goto out;
	}
	for (i = 0; i < n; i++)
		ndead += dead[i];
	for (i = j = 0; i < n; i++) {
		if (!dead[i])
			continue;
		if (gdbm_delete(db, keys[i]) == 0)
			rep->removed++;
		else if (gdbm_errno != GDBM_ITEM_NOT_FOUND) {
			ghauthp_log("admin: delete: %s (%zu of %zu records "
			    "deleted)", gdbm_strerror(gdbm_errno), j, ndead);
			rc = GHAUTH_E_STORE;
			goto out;
		}
		j++;
	}
out:
	free(dead);
	free_keys(keys, n);
	return rc;
}

/* ---- any backend, through the storage interface ------------------------ */

struct item {
	unsigned char	*k, *v;
	size_t		 klen, vlen;
};

struct items {
	struct item	*v;
	size_t		 n, cap;
	int		 nomem;
};

static int
collect(void *arg, const unsigned char *k, size_t klen,
    const unsigned char *v, size_t vlen)
{
	struct items	*c = arg;
	struct item	*tmp, *e;

	if (c->n == c->cap) {
		c->cap = c->cap == 0 ? 256 : c->cap * 2;
		if ((tmp = reallocarray(c->v, c->cap, sizeof(*tmp))) == NULL) {
			c->nomem = 1;
			return 0;
		}
		c->v = tmp;
	}
	e = &c->v[c->n];
	if ((e->k = malloc(klen)) == NULL || (e->v = malloc(vlen)) == NULL) {
		free(e->k);
		c->nomem = 1;
		return 0;
	}
	memcpy(e->k, k, klen);
	memcpy(e->v, v, vlen);
	e->klen = klen;
	e->vlen = vlen;
	c->n++;
	return 1;
}

static void
items_free(struct items *c)
{
	size_t	 i;

	for (i = 0; i < c->n; i++) {
		ghauthp_wipe(c->v[i].v, c->v[i].vlen);
		free(c->v[i].k);
		free(c->v[i].v);
	}
	free(c->v);
	memset(c, 0, sizeof(*c));
}

static enum ghauth_err
open_any(const struct ghauthp_admin_opts *o, const char *store,
    enum ghauthp_store_mode mode, struct ghauthp_store **s)
{
	struct ghauthp_store_spec	 sp;

	sp.store = store;
	sp.prefix = o->prefix;
	sp.lock_timeout_ms = o->timeout_ms;
	sp.timeout_ms = o->timeout_ms;
	switch (ghauthp_store_open_spec(s, &sp, mode)) {
	case GHAUTHP_S_OK:
		return GHAUTH_OK;
	case GHAUTHP_S_BUSY:
		return GHAUTH_E_BUSY;
	default:
		return GHAUTH_E_STORE;
	}
}

/* Every record of store s, copied (the walk must not change what it reads). */
static enum ghauth_err
read_all(struct ghauthp_store *s, struct items *c)
{
	memset(c, 0, sizeof(*c));
	if (ghauthp_store_each(s, collect, c) != GHAUTHP_S_OK) {
		items_free(c);
		return GHAUTH_E_STORE;
	}
	if (c->nomem) {
		items_free(c);
		return GHAUTH_E_NOMEM;
	}
	return GHAUTH_OK;
}

/*
 * walk() for a store reached through the interface (Redis): reads every
 * record, decodes it, asks visit, then deletes what visit chose.
 */
static enum ghauth_err
store_walk(const struct ghauthp_admin_opts *o, visit_fn visit, void *ctx,
    int del, struct ghauthp_admin_report *rep)
{
	struct ghauthp_store	*s;
	struct ghauthp_record	 r;
	struct items		 c;
	enum ghauthp_akind	 kind;
	enum ghauth_err		 rc;
	datum			 k;
	size_t			 i;
	int			 ok, exp, sel;

	rep->size_before = rep->size_after = -1;
	if ((rc = open_any(o, o->path, del ? GHAUTHP_STORE_WRITE :
	    GHAUTHP_STORE_READ, &s)) != GHAUTH_OK)
		return rc;
	rep->exists = 1;
	if ((rc = read_all(s, &c)) != GHAUTH_OK) {
		ghauthp_store_abort(s);
		return rc;
	}
	for (i = 0; i < c.n && rc == GHAUTH_OK; i++) {
		k.dptr = (char *)c.v[i].k;
		k.dsize = (int)c.v[i].klen;
		kind = kind_of(&k);
		rep->records[kind]++;
		ok = kind != GHAUTHP_AK_OTHER && kind != GHAUTHP_AK_META &&
		    ghauthp_record_decode(c.v[i].k, c.v[i].klen, c.v[i].v,
		    c.v[i].vlen, &r) == 0;
		if (ok && r.type != rtype_of(kind)) {
			ghauthp_record_free(&r);
			ok = 0;
		}
		if (!ok) {
			rep->unreadable[kind]++;
			sel = visit(ctx, &k, kind, NULL, 0);
		} else {
			if ((exp = expiry(o, &r)) != 0)
				rep->expired[kind]++;
			sel = visit(ctx, &k, kind, &r, exp);
			ghauthp_record_free(&r);
		}
		if (!del || !sel)
			continue;
		if (ghauthp_store_del(s, c.v[i].k, c.v[i].klen) == GHAUTHP_S_OK)
			rep->removed++;
		else
			rc = GHAUTH_E_STORE;
	}
	items_free(&c);
	if (rc != GHAUTH_OK) {
		ghauthp_store_abort(s);
		return rc;
	}
	return ghauthp_store_close(s) == GHAUTHP_S_OK ? GHAUTH_OK :
	    GHAUTH_E_STORE;
}

/* One walk on either backend: GDBM directly, Redis through the interface. */
static enum ghauth_err
run_walk(const struct ghauthp_admin_opts *o, enum ghauthp_store_mode mode,
    visit_fn visit, void *ctx, struct ghauthp_admin_report *rep)
{
	struct ghauthp_store	*s;
	GDBM_FILE		 db;
	enum ghauth_err		 rc;
	int			 del = mode == GHAUTHP_STORE_WRITE;

	if (ghauthp_store_is_redis(o->path))
		return store_walk(o, visit, ctx, del, rep);
	/* A writer first checks the file as ghauth-admin check does. */
	if ((rc = admin_open(o, mode, del ? GDBM_XVERIFY : 0, del, &s,
	    rep)) != GHAUTH_OK)
		return rc;
	if (del && rep->open_error != 0) {
		ghauthp_store_abort(s);
		return nothing_deleted(o);
	}
	if (del && (db = ghauthp_store_gdbm(s)) != NULL &&
	    gdbm_avail_verify(db) != 0)
		rep->walk_errors++;
	rc = walk(o, s, visit, ctx, del, rep);
	return admin_close(o, s, rc, rep);
}

/* ---- list ------------------------------------------------------------- */

struct list_ctx {
	struct ghauthp_admin_session	*v;
	size_t				 n, cap;
	int				 nomem;
};

static int
list_visit(void *arg, const datum *k, enum ghauthp_akind kind,
    const struct ghauthp_record *r, int exp)
{
	struct list_ctx			*c = arg;
	struct ghauthp_admin_session	*tmp, *e;

	if (kind != GHAUTHP_AK_SESSION || r == NULL || c->nomem)
		return 0;
	if (c->n == c->cap) {
		c->cap = c->cap == 0 ? 64 : c->cap * 2;
		if ((tmp = reallocarray(c->v, c->cap, sizeof(*tmp))) == NULL) {
			c->nomem = 1;
			return 0;
		}
		c->v = tmp;
	}
	e = &c->v[c->n];
	memset(e, 0, sizeof(*e));
	if ((e->login = ghauthp_strdup(r->login)) == NULL) {
		c->nomem = 1;
		return 0;
	}
	/* 4 bytes of SHA-256(token): names the session, reveals nothing. */
	ghauthp_hex((const unsigned char *)k->dptr + 3, 4, e->tag);
	e->uid = r->uid;
	e->created = r->created;
	e->last_seen = r->last_seen;
	e->expires = r->expires;
	e->expired = exp;
	c->n++;
	return 0;
}

static int
cmp_session(const void *a, const void *b)
{
	const struct ghauthp_admin_session *x = a, *y = b;
	int	 c = strcasecmp(x->login, y->login);

	if (c != 0)
		return c;
	if (x->created != y->created)
		return x->created < y->created ? -1 : 1;
	return strcmp(x->tag, y->tag);
}

/*
 * The readable session records, sorted by login then creation time, in a
 * malloc'd array (*out, *n; free with ghauthp_admin_list_free()).
 */
enum ghauth_err
ghauthp_admin_list(const struct ghauthp_admin_opts *o,
    struct ghauthp_admin_session **out, size_t *n,
    struct ghauthp_admin_report *rep)
{
	struct list_ctx		 c;
	enum ghauth_err		 rc;

	*out = NULL;
	*n = 0;
	memset(rep, 0, sizeof(*rep));
	memset(&c, 0, sizeof(c));
	rc = run_walk(o, GHAUTHP_STORE_READ, list_visit, &c, rep);
	if (rc == GHAUTH_OK && c.nomem)
		rc = GHAUTH_E_NOMEM;
	if (rc != GHAUTH_OK) {
		ghauthp_admin_list_free(c.v, c.n);
		return rc;
	}
	if (c.n > 0)
		qsort(c.v, c.n, sizeof(*c.v), cmp_session);
	*out = c.v;
	*n = c.n;
	return GHAUTH_OK;
}

void
ghauthp_admin_list_free(struct ghauthp_admin_session *v, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		free(v[i].login);
	free(v);
}

/* ---- stats, purge, revoke --------------------------------------------- */

static int
none_visit(void *arg GHAUTHP_UNUSED, const datum *k GHAUTHP_UNUSED,
    enum ghauthp_akind kind GHAUTHP_UNUSED,
    const struct ghauthp_record *r GHAUTHP_UNUSED, int exp GHAUTHP_UNUSED)
{
	return 0;
}

/* Counts per kind, expired and unreadable records, file size. */
enum ghauth_err
ghauthp_admin_stats(const struct ghauthp_admin_opts *o,
    struct ghauthp_admin_report *rep)
{
	memset(rep, 0, sizeof(*rep));
	return run_walk(o, GHAUTHP_STORE_READ, none_visit, NULL, rep);
}

/* Expired (absolute or idle) and unreadable records; meta keys stay. */
static int
purge_visit(void *arg GHAUTHP_UNUSED, const datum *k GHAUTHP_UNUSED,
    enum ghauthp_akind kind, const struct ghauthp_record *r, int exp)
{
	if (kind == GHAUTHP_AK_META)
		return 0;
	return r == NULL || exp != 0;
}

/* Deletes every expired or unreadable record; rep->removed counts them. */
enum ghauth_err
ghauthp_admin_purge(const struct ghauthp_admin_opts *o,
    struct ghauthp_admin_report *rep)
{
	memset(rep, 0, sizeof(*rep));
	return run_walk(o, GHAUTHP_STORE_WRITE, purge_visit, NULL, rep);
}

struct revoke_ctx {
	const char	*login;		/* NULL: every session */
	uint64_t	 uid;		/* 0: none */
	const char	*tag;		/* a session's tag (list), or NULL */
};

static int
revoke_visit(void *arg, const datum *k,
    enum ghauthp_akind kind, const struct ghauthp_record *r,
    int exp GHAUTHP_UNUSED)
{
	struct revoke_ctx	*c = arg;
	char			 tag[9];

	if (c->tag != NULL) {
		if (kind != GHAUTHP_AK_SESSION)
			return 0;
		ghauthp_hex((const unsigned char *)k->dptr + 3, 4, tag);
		return strcmp(tag, c->tag) == 0;
	}
	if (c->login == NULL)
		return kind == GHAUTHP_AK_SESSION || kind == GHAUTHP_AK_HANDOFF;
	if (kind != GHAUTHP_AK_SESSION || r == NULL)
		return 0;
	/* GitHub logins are case-insensitive ASCII. */
	return (c->uid != 0 && r->uid == c->uid) ||
	    strcasecmp(r->login, c->login) == 0;
}

/*
 * Deletes the sessions of user (a login, any case, or a numeric id; an
 * all-digit argument matches either), or with user NULL every session and
 * hand-off.  A user's hand-offs are left: they do not name the user, live
 * at most a minute and lead to the deleted session.  GHAUTH_E_BADREQ for
 * an argument that cannot be a login or an id.
 */
enum ghauth_err
ghauthp_admin_revoke(const struct ghauthp_admin_opts *o, const char *user,
    struct ghauthp_admin_report *rep)
{
	struct revoke_ctx	 c;
	size_t			 i, n;

	memset(rep, 0, sizeof(*rep));
	memset(&c, 0, sizeof(c));
	if (user != NULL) {
		if (!ghauthp_valid_login(user))
			return GHAUTH_E_BADREQ;
		c.login = user;
		n = strlen(user);
		for (i = 0; i < n && user[i] >= '0' && user[i] <= '9'; i++)
			;
		if (i == n && n <= 19)
			c.uid = strtoull(user, NULL, 10);
	}
	return run_walk(o, GHAUTHP_STORE_WRITE, revoke_visit, &c, rep);
}

/*
 * Deletes the session whose tag (8 hex digits of its key, as list shows
 * it) is tag.  GHAUTH_E_BADREQ for anything but 8 lower-case hex digits.
 */
enum ghauth_err
ghauthp_admin_revoke_tag(const struct ghauthp_admin_opts *o, const char *tag,
    struct ghauthp_admin_report *rep)
{
	struct revoke_ctx	 c;

	memset(rep, 0, sizeof(*rep));
	if (strlen(tag) != 8 || strspn(tag, "0123456789abcdef") != 8)
		return GHAUTH_E_BADREQ;
	memset(&c, 0, sizeof(c));
	c.tag = tag;
	return run_walk(o, GHAUTHP_STORE_WRITE, revoke_visit, &c, rep);
}

/* ---- migrate ----------------------------------------------------------- */

/*
 * Copies every live, intact state, hand-off and session from o->path to
 * the store to (a GDBM path or a Redis URL, either direction), keeping
 * each record as it is - so its expiry time - and writing only keys the
 * target does not have yet: running it again copies only what is new, and
 * never overwrites a session the target already serves.  Expired and
 * damaged records are left behind (counted in rep->expired and
 * rep->unreadable); rep->removed counts the records copied, rep->present
 * those already there.
 */
enum ghauth_err
ghauthp_admin_migrate(const struct ghauthp_admin_opts *o, const char *to,
    struct ghauthp_admin_report *rep)
{
	struct ghauthp_store	*from = NULL, *dst = NULL;
	struct ghauthp_record	 r;
	struct items		 c;
	enum ghauthp_akind	 kind;
	enum ghauth_err		 rc;
	enum ghauthp_sres	 pr;
	datum			 k;
	size_t			 i;
	int			 ok;

	memset(rep, 0, sizeof(*rep));
	memset(&c, 0, sizeof(c));
	if (strcmp(o->path, to) == 0)
		return GHAUTH_E_BADREQ;
	if ((rc = open_any(o, o->path, GHAUTHP_STORE_READ, &from)) != GHAUTH_OK)
		return rc;
	rc = read_all(from, &c);
	ghauthp_store_close(from);
	if (rc != GHAUTH_OK)
		return rc;
	if ((rc = open_any(o, to, GHAUTHP_STORE_WRITE, &dst)) != GHAUTH_OK) {
		items_free(&c);
		return rc;
	}
	for (i = 0; i < c.n && rc == GHAUTH_OK; i++) {
		k.dptr = (char *)c.v[i].k;
		k.dsize = (int)c.v[i].klen;
		kind = kind_of(&k);
		rep->records[kind]++;
		if (kind == GHAUTHP_AK_META)
			continue;
		ok = kind != GHAUTHP_AK_OTHER && ghauthp_record_decode(
		    c.v[i].k, c.v[i].klen, c.v[i].v, c.v[i].vlen, &r) == 0;
		if (ok && r.type != rtype_of(kind)) {
			ghauthp_record_free(&r);
			ok = 0;
		}
		if (!ok) {
			rep->unreadable[kind]++;
			continue;
		}
		if (expiry(o, &r) != 0) {
			rep->expired[kind]++;
			ghauthp_record_free(&r);
			continue;
		}
		pr = ghauthp_store_put(dst, c.v[i].k, c.v[i].klen, c.v[i].v,
		    c.v[i].vlen, r.expires, GHAUTHP_PUT_NEW);
		ghauthp_record_free(&r);
		if (pr == GHAUTHP_S_OK)
			rep->removed++;
		else if (pr == GHAUTHP_S_EXISTS)
			rep->present++;
		else
			rc = pr == GHAUTHP_S_BUSY ? GHAUTH_E_BUSY :
			    GHAUTH_E_STORE;
	}
	items_free(&c);
	if (rc != GHAUTH_OK) {
		ghauthp_store_abort(dst);
		return rc;
	}
	/* The commit: GDBM fsyncs here; Redis acknowledged every SET. */
	return ghauthp_store_close(dst) == GHAUTHP_S_OK ? GHAUTH_OK :
	    GHAUTH_E_STORE;
}

/* ---- reorganize, check, recover --------------------------------------- */

/*
 * Rebuilds the file without its free space (gdbm_reorganize).  GDBM writes
 * a new file and renames it over the old one: the inode changes, which is
 * why every process locks "<store>.lock", never the database itself.
 */
enum ghauth_err
ghauthp_admin_reorganize(const struct ghauthp_admin_opts *o,
    struct ghauthp_admin_report *rep)
{
	struct ghauthp_store	*s;
	enum ghauth_err		 rc;
	GDBM_FILE		 db;

	memset(rep, 0, sizeof(*rep));
	if ((rc = admin_open(o, GHAUTHP_STORE_WRITE, 0, 0, &s, rep)) !=
	    GHAUTH_OK)
		return rc;
	if ((db = ghauthp_store_gdbm(s)) != NULL && gdbm_reorganize(db) != 0) {
		/* gdbm_db_strerror() can say "No error" here (3.1). */
		ghauthp_log("admin: reorganize %s: %s", o->path,
		    gdbm_strerror(gdbm_errno));
		rc = GHAUTH_E_STORE;
	}
	return admin_close(o, s, rc, rep);
}

/*
 * Reads the whole store under a shared lock with GDBM's extra open checks
 * (GDBM_XVERIFY) and its free-space check, and decodes every record.
 * Returns GHAUTH_OK when the check ran; ghauthp_admin_problems() says
 * whether it found anything.  Nothing is written.
 */
enum ghauth_err
ghauthp_admin_check(const struct ghauthp_admin_opts *o,
    struct ghauthp_admin_report *rep)
{
	struct ghauthp_store	*s;
	enum ghauth_err		 rc;
	GDBM_FILE		 db;

	memset(rep, 0, sizeof(*rep));
	/* Redis: every record read and decoded; its files are Redis's own. */
	if (ghauthp_store_is_redis(o->path))
		return store_walk(o, none_visit, NULL, 0, rep);
	if ((rc = admin_open(o, GHAUTHP_STORE_READ, GDBM_XVERIFY, 1, &s,
	    rep)) != GHAUTH_OK)
		return rc;
	if ((db = ghauthp_store_gdbm(s)) != NULL) {
		if (gdbm_avail_verify(db) != 0)
			rep->walk_errors++;
		rc = walk(o, s, none_visit, NULL, 0, rep);
		if (gdbm_needs_recovery(db))
			rep->needs_recovery = 1;
	}
	/* A reader changed nothing: its close cannot fail the check. */
	(void)admin_close(o, s, GHAUTH_OK, rep);
	return rc;
}

/* Structural problems (open error, recovery needed, read errors). */
static int
structural(const struct ghauthp_admin_report *rep)
{
	return rep->open_error != 0 || rep->needs_recovery ||
	    rep->walk_errors != 0;
}

int
ghauthp_admin_problems(const struct ghauthp_admin_report *rep)
{
	size_t	 i, bad = 0;

	for (i = 0; i < GHAUTHP_AK__MAX; i++)
		bad += rep->unreadable[i];
	return structural(rep) || bad != 0;
}

/*
 * Moves an unusable database to "<store>.broken-<UTC time>" (link, then
 * unlink: never over an existing file) and creates an empty one in s.
 */
static enum ghauth_err
reset(const struct ghauthp_admin_opts *o, struct ghauthp_store *s,
    struct ghauthp_admin_report *rep)
{
	struct tm	 tm;
	char		 stamp[32];
	GDBM_FILE	 db;
	int		 fd, i, n;

	if ((db = ghauthp_store_gdbm(s)) != NULL) {
		ghauthp_store_set_gdbm(s, NULL);
		(void)gdbm_close(db);
	}
	if (gmtime_r(&o->now, &tm) == NULL ||
	    strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm) == 0)
		snprintf(stamp, sizeof(stamp), "%lld", (long long)o->now);
	if (access(o->path, F_OK) == 0) {
		for (i = 0; i < 100; i++) {
			n = i == 0 ? snprintf(rep->moved, sizeof(rep->moved),
			    "%s.broken-%s", o->path, stamp) :
			    snprintf(rep->moved, sizeof(rep->moved),
			    "%s.broken-%s.%d", o->path, stamp, i);
			if (n < 0 || (size_t)n >= sizeof(rep->moved)) {
				rep->moved[0] = '\0';
				return GHAUTH_E_STORE;
			}
			if (link(o->path, rep->moved) == 0)
				break;
			if (errno != EEXIST) {
				ghauthp_log("admin: cannot move %s aside: %s",
				    o->path, strerror(errno));
				rep->moved[0] = '\0';
				return GHAUTH_E_STORE;
			}
		}
		if (i == 100 || unlink(o->path) == -1) {
			ghauthp_log("admin: cannot move %s aside", o->path);
			return GHAUTH_E_STORE;
		}
	}
	fd = open(o->path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC |
	    O_NOCTTY, 0600);
	if (fd == -1) {
		ghauthp_log("admin: cannot create %s: %s", o->path,
		    strerror(errno));
		return GHAUTH_E_STORE;
	}
	db = gdbm_fd_open(fd, o->path, 0, GDBM_WRCREAT | GDBM_CLOEXEC |
	    GDBM_CLOERROR, NULL);
	if (db == NULL) {
		ghauthp_log("admin: cannot create %s: %s", o->path,
		    gdbm_strerror(gdbm_errno));
		return GHAUTH_E_STORE;
	}
	ghauthp_store_set_gdbm(s, db);
	rep->reset = 1;
	return GHAUTH_OK;
}

/* Unreadable records only (after a rebuild). */
static int
unreadable_visit(void *arg GHAUTHP_UNUSED, const datum *k GHAUTHP_UNUSED,
    enum ghauthp_akind kind, const struct ghauthp_record *r,
    int exp GHAUTHP_UNUSED)
{
	return kind != GHAUTHP_AK_META && r == NULL;
}

/*
 * Under the exclusive lock: a file GDBM will not open is moved aside and
 * replaced by an empty store.  Otherwise the store is checked and, when
 * that found a structural problem (or force is set), rebuilt with
 * gdbm_recover(GDBM_RCVR_BACKUP | GDBM_RCVR_FORCE), which keeps the
 * original as "<store>.~N~"; without one GDBM runs its own check and
 * rebuilds only if that fails.  If the rebuild fails the file is moved
 * aside and the store starts empty: everyone is signed out, which fails
 * safe.  Finally records that fail their integrity check are deleted.
 */
enum ghauth_err
ghauthp_admin_recover(const struct ghauthp_admin_opts *o, int force,
    struct ghauthp_admin_report *rep)
{
	struct ghauthp_store	*s;
	struct ghauthp_admin_report first;
	gdbm_recovery		 rcvr;
	enum ghauth_err		 rc;
	GDBM_FILE		 db;

	memset(rep, 0, sizeof(*rep));
	if ((rc = admin_open(o, GHAUTHP_STORE_WRITE, 0, 1, &s, rep)) !=
	    GHAUTH_OK)
		return rc;
	if (!rep->exists)
		return admin_close(o, s, GHAUTH_OK, rep);
	if (rep->open_error != 0) {
		rc = reset(o, s, rep);
		return admin_close(o, s, rc, rep);
	}
	db = ghauthp_store_gdbm(s);
	if ((rc = walk(o, s, none_visit, NULL, 0, rep)) != GHAUTH_OK)
		return admin_close(o, s, rc, rep);
	if (gdbm_needs_recovery(db))
		rep->needs_recovery = 1;
	memset(&rcvr, 0, sizeof(rcvr));
	if (gdbm_recover(db, &rcvr, GDBM_RCVR_BACKUP | (structural(rep) ||
	    force ? GDBM_RCVR_FORCE : 0)) != 0) {
		ghauthp_log("admin: recovery of %s failed: %s; starting empty",
		    o->path, gdbm_strerror(gdbm_errno));
		free(rcvr.backup_name);
		rc = reset(o, s, rep);
		return admin_close(o, s, rc, rep);
	}
	if (rcvr.backup_name != NULL) {
		rep->rebuilt = 1;
		snprintf(rep->backup, sizeof(rep->backup), "%s",
		    rcvr.backup_name);
		free(rcvr.backup_name);
	}
	rep->rcv_keys = rcvr.recovered_keys;
	rep->rcv_failed_keys = rcvr.failed_keys;
	rep->rcv_failed_buckets = rcvr.failed_buckets;
	/* The first walk's counts describe the store as it was found. */
	memset(&first, 0, sizeof(first));
	first.size_before = rep->size_before;
	rc = walk(o, s, unreadable_visit, NULL, 1, &first);
	rep->removed = first.removed;
	return admin_close(o, s, rc, rep);
}

/* ---- who may run it --------------------------------------------------- */

/*
 * The programs refuse a store that is not owned by their effective uid, so
 * ghauth-admin must run as that user too: files it creates (a reorganised
 * or recovered store, the lock file) would otherwise belong to someone
 * else and lock the programs out.  Looks at the store, else its lock file,
 * else its directory.  Returns 1 if the caller may proceed, else 0 with a
 * message in msg.
 */
int
ghauthp_admin_owner(const char *path, char *msg, size_t msgsz)
{
	struct stat	 st;
	struct passwd	*pw;
	char		 other[4200], owner[64], me[64];
	const char	*slash;
	uid_t		 euid = geteuid();

	if (lstat(path, &st) == -1) {
		snprintf(other, sizeof(other), "%s.lock", path);
		if (lstat(other, &st) == -1) {
			slash = strrchr(path, '/');
			if (slash == NULL || slash == path)
				snprintf(other, sizeof(other), "/");
			else
				snprintf(other, sizeof(other), "%.*s",
				    (int)(slash - path), path);
			if (stat(other, &st) == -1) {
				snprintf(msg, msgsz, "cannot reach the store "
				    "directory %s: %s", other, strerror(errno));
				return 0;
			}
		}
	}
	if (st.st_uid == euid)
		return 1;
	pw = getpwuid(st.st_uid);
	snprintf(owner, sizeof(owner), "%s", pw != NULL ? pw->pw_name : "?");
	pw = getpwuid(euid);
	snprintf(me, sizeof(me), "%s", pw != NULL ? pw->pw_name : "?");
	snprintf(msg, msgsz, "the store %s belongs to uid %u (%s) but this is "
	    "uid %u (%s); run ghauth-admin as the store's owner, e.g. "
	    "sudo -u %s ghauth-admin ...", path, (unsigned)st.st_uid, owner,
	    (unsigned)euid, me, owner);
	return 0;
}

/* Keeps one problem line, "<kind>: <text>". */
static void
cfg_add(struct ghauthp_admin_cfgcheck *r, const char *kind, const char *text)
{
	char	**v, *line;
	size_t	 n = strlen(kind) + strlen(text) + 3;

	if ((v = reallocarray(r->line, r->n + 1, sizeof(*v))) == NULL ||
	    (line = malloc(n)) == NULL) {
		if (v != NULL)
			r->line = v;
		r->nomem = 1;
		return;
	}
	r->line = v;
	snprintf(line, n, "%s: %s", kind, text);
	r->line[r->n++] = line;
}

static void
cfg_error(void *arg, const char *text)
{
	struct ghauthp_admin_cfgcheck	*r = arg;

	r->errors++;
	cfg_add(r, "error", text);
}

/*
 * Loads the configuration as the programs do (path NULL: GHAUTH_CONFIG,
 * the default file or the environment) or from path, and collects every
 * problem in r: the errors that make every endpoint answer 500, then what
 * loads but cannot be what the webmaster wants (sign-in not configured is
 * an error too: it fails every sign-in).  On GHAUTH_OK cfg is loaded.
 */
enum ghauth_err
ghauthp_admin_check_config(struct ghauth_config *cfg, const char *path,
    ghauth_getenv_fn fn, void *ctx, struct ghauthp_admin_cfgcheck *r)
{
	static const char *const need[] = {
	    "client_id", "client_secret", "redirect_uri" };
	const char	*val[3];
	char		 text[256];
	enum ghauth_err	 rc;
	size_t		 i;

	memset(r, 0, sizeof(*r));
	rc = ghauthp_config_check(cfg, path, fn, ctx, cfg_error, r, NULL, 0);
	if (rc != GHAUTH_OK)
		return rc;
	val[0] = cfg->client_id;
	val[1] = cfg->client_secret;
	val[2] = cfg->redirect_uri;
	for (i = 0; i < 3; i++)
		if (val[i] == NULL || val[i][0] == '\0') {
			snprintf(text, sizeof(text), "auth.github.%s is empty: "
			    "every sign-in answers \"GitHub OAuth not "
			    "configured\"", need[i]);
			cfg_error(r, text);
		}
	if (!cfg->enabled) {
		r->warnings++;
		cfg_add(r, "warning", "auth.enabled is false: sign-in is off "
		    "and nobody is signed in");
	}
	if (!cfg->allow.any && cfg->allow.n == 0) {
		r->warnings++;
		cfg_add(r, "warning", "auth.github.restrict_to is not set: any "
		    "GitHub account may sign in (list who may, or write \"*\" "
		    "to say so)");
	}
	return r->nomem ? GHAUTH_E_NOMEM : GHAUTH_OK;
}

void
ghauthp_admin_cfgcheck_free(struct ghauthp_admin_cfgcheck *r)
{
	size_t	 i;

	for (i = 0; i < r->n; i++)
		free(r->line[i]);
	free(r->line);
	memset(r, 0, sizeof(*r));
}

/* The store as printed: a Redis URL's user and password become "***". */
const char *
ghauthp_admin_shown_store(const char *store)
{
	static char	 buf[4200];
	const char	*p, *q, *at = NULL;

	if (!ghauthp_store_is_redis(store) || (p = strstr(store, "://")) ==
	    NULL)
		return store;
	p += 3;
	for (q = p; *q != '\0' && *q != '/'; q++)
		if (*q == '@')
			at = q;
	if (at == NULL)
		return store;
	snprintf(buf, sizeof(buf), "%.*s***%s", (int)(p - store), store, at);
	return buf;
}

/*
 * The effective value of key k in cfg as text; a secret only says whether
 * it is set, and a long allowlist is cut after 20 entries.
 */
void
ghauthp_admin_config_value(const struct ghauth_config *cfg,
    const struct ghauthp_ckey *k, char *buf, size_t sz)
{
	const void			*f = (const char *)cfg + k->off;
	const struct ghauth_allow	*a = f;
	const char			*s;
	char *const			*d;
	size_t				 i, len;

	switch (k->type) {
	case GHAUTHP_CT_BOOL:
		snprintf(buf, sz, "%s", *(const int *)f ? "true" : "false");
		break;
	case GHAUTHP_CT_LONG:
		snprintf(buf, sz, "%ld", *(const long *)f);
		break;
	case GHAUTHP_CT_STRING:
		s = *(char *const *)f;
		if (s == NULL || *s == '\0')
			snprintf(buf, sz, "(not set)");
		else if (k->flags & GHAUTHP_CK_SECRET)
			snprintf(buf, sz, "(set, not shown)");
		else if (k->flags & GHAUTHP_CK_STORE)
			snprintf(buf, sz, "%s", ghauthp_admin_shown_store(s));
		else
			snprintf(buf, sz, "%s", s);
		break;
	case GHAUTHP_CT_ALLOW:
		if (a->any)
			snprintf(buf, sz, "*");
		else if (a->n == 0)
			snprintf(buf, sz, "(not set)");
		else
			buf[0] = '\0';
		for (i = 0; i < a->n && i < 20; i++) {
			len = strlen(buf);
			if (a->login[i] != NULL)
				snprintf(buf + len, sz - len, "%s%s",
				    i ? ", " : "", a->login[i]);
			else
				snprintf(buf + len, sz - len, "%s%llu",
				    i ? ", " : "", (unsigned long long)a->id[i]);
		}
		if (a->n > 20) {
			len = strlen(buf);
			snprintf(buf + len, sz - len, ", ... (%zu more)",
			    a->n - 20);
		}
		break;
	case GHAUTHP_CT_DIRS:
		d = *(char **const *)f;
		if (d == NULL || d[0] == NULL)
			snprintf(buf, sz, "(not set)");
		else
			buf[0] = '\0';
		for (i = 0; d != NULL && d[i] != NULL; i++) {
			len = strlen(buf);
			snprintf(buf + len, sz - len, "%s%s", i ? ", " : "",
			    d[i]);
		}
		break;
	default:
		buf[0] = '\0';
	}
}
