/*
 * store/gdbm.c - the GDBM backend of the store (store.h), the default: one
 * file, used by many short-lived CGI processes at once.
 *
 * GDBM 1.23's own locks never wait (a second writer fails at once), so
 * every access first takes flock(2) on a separate lock file ("<store>.lock",
 * never replaced, so a reorganise that renames the database cannot strand
 * a lock), with a deadline: busy past it is GHAUTHP_S_BUSY (503 +
 * Retry-After), with nothing written.  Readers share the lock, writers hold
 * it alone, and nobody holds it across a network call.  GDBM's own lock
 * stays on as a tripwire against a foreign process (gdbmtool) working on the
 * file without our lock.  A writer's gdbm_close() fsyncs; callers send a
 * token only after ghauthp_store_close() returned GHAUTHP_S_OK.
 *
 * Files are opened with O_NOFOLLOW and must be regular, owned by us, mode
 * 0600 (no group/other bits) and have one link (docs/SECURITY.md, promise 12).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <gdbm.h>

#include "ghauth-int.h"

static const struct ghauthp_store_ops gdbm_ops;

#define SWEEP_KEY	"meta:sweep"

struct gdbm_store {
	struct ghauthp_store base;
	int		 lockfd;
	GDBM_FILE	 db;		/* NULL: reader of a missing/empty store */
	enum ghauthp_store_mode mode;
	int		 failed;
	int		 masked;
	int		 cached;	/* db belongs to the reader cache */
	sigset_t	 oldmask;
	char		 path[4096];
};

/*
 * FastCGI mode keeps one reader handle across requests (opening GDBM is
 * most of a session check's cost).  It is valid while the generation
 * number in the lock file is unchanged: every writer bumps it under the
 * exclusive lock before it changes anything, so a reader that sees the same
 * number sees the same file.  The cached handle is opened GDBM_NOLOCK,
 * since it outlives our shared lock and must not keep writers out.
 */
static struct {
	int		 enabled;
	GDBM_FILE	 db;
	uint64_t	 gen;
	char		 path[4096];
} readers;

void
ghauthp_gdbm_cache_readers(int on)
{
	readers.enabled = on;
	if (!on && readers.db != NULL) {
		gdbm_close(readers.db);
		readers.db = NULL;
	}
}

static uint64_t
generation(int lockfd)
{
	unsigned char	 b[8];
	uint64_t	 g = 0;
	int		 i;

	if (pread(lockfd, b, sizeof(b), 0) != (ssize_t)sizeof(b))
		return 0;
	for (i = 0; i < 8; i++)
		g = g << 8 | b[i];
	return g;
}

/* Under the exclusive lock: the file is about to change. */
static int
bump_generation(int lockfd)
{
	unsigned char	 b[8];
	uint64_t	 g = generation(lockfd) + 1;
	int		 i;

	for (i = 0; i < 8; i++)
		b[i] = (unsigned char)(g >> (56 - 8 * i));
	return pwrite(lockfd, b, sizeof(b), 0) == (ssize_t)sizeof(b);
}

static volatile sig_atomic_t alarmed;

static void
on_alarm(int sig)
{
	(void)sig;
	alarmed = 1;
}

/* Regular file, ours, no group/other access, one link. */
static int
safe_file(int fd, const char *what, const char *path)
{
	struct stat	 st;

	if (fstat(fd, &st) == -1) {
		ghauthp_log("store: fstat %s: %s", path, strerror(errno));
		return 0;
	}
	if (!S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 077) != 0 || st.st_nlink != 1) {
		ghauthp_log("store: refusing %s %s: must be a regular file owned "
		    "by uid %u with mode 0600 and one link", what, path,
		    (unsigned)geteuid());
		return 0;
	}
	return 1;
}

/*
 * flock with a deadline: a non-blocking try, then a blocking flock that
 * SIGALRM (installed without SA_RESTART) interrupts.  A deadline of 0 or
 * less is just the non-blocking try.
 */
static enum ghauthp_sres
lock_deadline(int fd, int op, long timeout_ms)
{
	struct sigaction	 sa, osa;
	struct itimerval	 it, oit;
	int			 rc, err;

	if (flock(fd, op | LOCK_NB) == 0)
		return GHAUTHP_S_OK;
	if (errno != EWOULDBLOCK) {
		ghauthp_log("store: flock: %s", strerror(errno));
		return GHAUTHP_S_FAILED;
	}
	if (timeout_ms <= 0) {
		/* A zero timer would disarm, not expire: never wait. */
		ghauthp_log("store: lock busy");
		return GHAUTHP_S_BUSY;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	alarmed = 0;
	if (sigaction(SIGALRM, &sa, &osa) == -1)
		return GHAUTHP_S_FAILED;
	memset(&it, 0, sizeof(it));
	it.it_value.tv_sec = timeout_ms / 1000;
	it.it_value.tv_usec = (timeout_ms % 1000) * 1000;
	/*
	 * Then every 10 ms: a signal that lands before flock() sleeps would
	 * be lost, and the wait unbounded.
	 */
	it.it_interval.tv_usec = 10000;
	setitimer(ITIMER_REAL, &it, &oit);
	do {
		rc = flock(fd, op);
		err = errno;
	} while (rc == -1 && err == EINTR && !alarmed);
	/*
	 * Put back the caller's timer and handler (the library also runs
	 * inside other programs: the C API, FastCGI).  Time spent waiting is
	 * not taken off the caller's timer.
	 */
	sigaction(SIGALRM, &osa, NULL);
	setitimer(ITIMER_REAL, &oit, NULL);
	if (rc == 0)
		return GHAUTHP_S_OK;
	if (err == EINTR) {
		ghauthp_log("store: lock busy for %ld ms", timeout_ms);
		return GHAUTHP_S_BUSY;
	}
	ghauthp_log("store: flock: %s", strerror(err));
	return GHAUTHP_S_FAILED;
}

static void
block_signals(struct gdbm_store *s)
{
	sigset_t	 set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGPIPE);
	if (sigprocmask(SIG_BLOCK, &set, &s->oldmask) == 0)
		s->masked = 1;
}

static void
release(struct gdbm_store *s)
{
	if (s->lockfd != -1)
		close(s->lockfd);
	if (s->masked)
		sigprocmask(SIG_SETMASK, &s->oldmask, NULL);
	free(s);
}

/*
 * Takes the store's lock (shared for GHAUTHP_STORE_READ, exclusive for
 * GHAUTHP_STORE_WRITE, waiting at most timeout_ms) without opening the
 * database: ghauthp_store_open() continues from here, and ghauth-admin
 * (admin.c) opens the file itself, so that it can look at a damaged one.
 * ghauthp_store_close() releases the lock.
 */
static enum ghauthp_sres
lock_store(struct gdbm_store **out, const char *path,
    enum ghauthp_store_mode mode, long timeout_ms)
{
	struct gdbm_store	*s;
	char			 lockpath[4200];
	enum ghauthp_sres	 rc;

	*out = NULL;
	/* Not calloc: zeroing the 4 KiB path on every request is measurable. */
	if ((s = malloc(sizeof(*s))) == NULL)
		return GHAUTHP_S_FAILED;
	memset(s, 0, offsetof(struct gdbm_store, path));
	s->base.ops = &gdbm_ops;
	s->path[0] = '\0';
	s->lockfd = -1;
	s->mode = mode;
	if (snprintf(s->path, sizeof(s->path), "%s", path) >=
	    (int)sizeof(s->path) || snprintf(lockpath, sizeof(lockpath),
	    "%s.lock", path) >= (int)sizeof(lockpath)) {
		release(s);
		return GHAUTHP_S_FAILED;
	}
	if (mode == GHAUTHP_STORE_WRITE)
		block_signals(s);
	s->lockfd = open(lockpath, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC |
	    O_NOCTTY, 0600);
	/*
	 * A reader needs no write access to share the lock: on a read-only
	 * store (a filesystem remounted read-only after errors, an immutable
	 * or mode 0400 lock file) session checks go on while writers answer
	 * 503.
	 */
	if (s->lockfd == -1 && mode == GHAUTHP_STORE_READ &&
	    (errno == EROFS || errno == EACCES || errno == EPERM))
		s->lockfd = open(lockpath, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
		    O_NOCTTY);
	if (s->lockfd == -1) {
		ghauthp_log("store: cannot open lock file %s: %s", lockpath,
		    errno == ELOOP ? "it is a symbolic link" : strerror(errno));
		release(s);
		return GHAUTHP_S_FAILED;
	}
	if (!safe_file(s->lockfd, "lock file", lockpath)) {
		release(s);
		return GHAUTHP_S_FAILED;
	}
	rc = lock_deadline(s->lockfd,
	    mode == GHAUTHP_STORE_WRITE ? LOCK_EX : LOCK_SH, timeout_ms);
	if (rc != GHAUTHP_S_OK) {
		release(s);
		return rc;
	}
	if (mode == GHAUTHP_STORE_WRITE && !bump_generation(s->lockfd)) {
		ghauthp_log("store: cannot write lock file %s: %s", lockpath,
		    strerror(errno));
		release(s);
		return GHAUTHP_S_FAILED;
	}
	*out = s;
	return GHAUTHP_S_OK;
}

enum ghauthp_sres
ghauthp_store_lock(struct ghauthp_store **out, const char *path,
    enum ghauthp_store_mode mode, long timeout_ms)
{
	struct gdbm_store	*s = NULL;
	enum ghauthp_sres	 rc;

	rc = lock_store(&s, path, mode, timeout_ms);
	*out = s != NULL ? &s->base : NULL;
	return rc;
}

/*
 * Opens the store at path for reading or writing, waiting for the lock at
 * most timeout_ms.  A reader of a store that does not exist yet gets an
 * empty store.  Returns GHAUTHP_S_OK, GHAUTHP_S_BUSY or GHAUTHP_S_FAILED.
 */
enum ghauthp_sres
ghauthp_gdbm_open(struct ghauthp_store **out, const char *path,
    enum ghauthp_store_mode mode, long timeout_ms)
{
	struct gdbm_store	*s;
	enum ghauthp_sres	 rc;
	int			 fd, flags;
	struct stat		 st;
	uint64_t		 gen = 0;

	*out = NULL;
	if ((rc = lock_store(&s, path, mode, timeout_ms)) != GHAUTHP_S_OK)
		return rc;
	if (mode == GHAUTHP_STORE_READ && readers.enabled) {
		gen = generation(s->lockfd);
		if (readers.db != NULL && readers.gen == gen &&
		    strcmp(readers.path, path) == 0) {
			s->db = readers.db;
			s->cached = 1;
			*out = &s->base;
			return GHAUTHP_S_OK;
		}
		if (readers.db != NULL) {	/* stale: a writer came by */
			gdbm_close(readers.db);
			readers.db = NULL;
		}
	}
	flags = mode == GHAUTHP_STORE_WRITE ? O_RDWR | O_CREAT : O_RDONLY;
	fd = open(path, flags | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
	if (fd == -1 && mode == GHAUTHP_STORE_READ && errno == ENOENT) {
		*out = &s->base;
		return GHAUTHP_S_OK;
	}
	if (fd == -1) {
		ghauthp_log("store: cannot open %s: %s", path,
		    errno == ELOOP ? "it is a symbolic link" : strerror(errno));
		release(s);
		return GHAUTHP_S_FAILED;
	}
	if (!safe_file(fd, "store", path)) {
		close(fd);
		release(s);
		return GHAUTHP_S_FAILED;
	}
	if (mode == GHAUTHP_STORE_READ && fstat(fd, &st) == 0 &&
	    st.st_size == 0) {
		close(fd);
		*out = &s->base;
		return GHAUTHP_S_OK;
	}
	s->db = gdbm_fd_open(fd, path, 0, (mode == GHAUTHP_STORE_WRITE ?
	    GDBM_WRCREAT : GDBM_READER) | GDBM_CLOEXEC | GDBM_CLOERROR |
	    (mode == GHAUTHP_STORE_READ && readers.enabled ? GDBM_NOLOCK : 0) |
	    /*
	     * Readers use read(2), not mmap: a check touches a few blocks,
	     * and mapping a large file costs more than reading them - with
	     * mmap a check on a 1M-session store took twice as long as on a
	     * 1k one (bench/run, "store at scale").
	     */
	    (mode == GHAUTHP_STORE_READ ? GDBM_NOMMAP : 0),
	    NULL);
	if (s->db == NULL) {
		int	 ge = gdbm_errno;

		ghauthp_log("store: %s: %s", path, gdbm_strerror(ge));
		release(s);
		return ge == GDBM_CANT_BE_READER || ge == GDBM_CANT_BE_WRITER ?
		    GHAUTHP_S_BUSY : GHAUTHP_S_FAILED;
	}
	if (gdbm_needs_recovery(s->db)) {
		ghauthp_log("store: %s needs recovery: run ghauth-admin recover",
		    path);
		gdbm_close(s->db);
		release(s);
		return GHAUTHP_S_FAILED;
	}
	if (mode == GHAUTHP_STORE_READ && readers.enabled &&
	    strlen(path) < sizeof(readers.path)) {
		readers.db = s->db;
		readers.gen = gen;
		snprintf(readers.path, sizeof(readers.path), "%s", path);
		s->cached = 1;
	}
	*out = &s->base;
	return GHAUTHP_S_OK;
}

/*
 * Closes the store.  For a writer this is the commit: GDBM fsyncs here, and
 * only GHAUTHP_S_OK means every put/del before it is durable.
 */
#define G(b)	((struct gdbm_store *)(void *)(b))

/*
 * Closes the store.  For a writer this is the commit: GDBM fsyncs here, and
 * only GHAUTHP_S_OK means every put/del before it is durable.  failed: an
 * error path, the outcome is already a failure.
 */
static enum ghauthp_sres
gdbm_close_store(struct ghauthp_store *b, int failed)
{
	struct gdbm_store	*s = G(b);
	int			 rc = 0;

	if (failed)
		s->failed = 1;
	if (s->db != NULL && !s->cached && gdbm_close(s->db) != 0) {
		ghauthp_log("store: closing %s: %s", s->path,
		    gdbm_strerror(gdbm_errno));
		rc = -1;
	}
	if (rc != 0 || s->failed) {
		release(s);
		return GHAUTHP_S_FAILED;
	}
	release(s);
	return GHAUTHP_S_OK;
}

static enum ghauthp_sres
gdbm_get(struct ghauthp_store *b, const void *key, size_t klen,
    unsigned char **val, size_t *vlen)
{
	struct gdbm_store	*s = G(b);
	datum			 k, v;

	if (s->db == NULL)
		return GHAUTHP_S_ABSENT;
	k.dptr = (char *)(uintptr_t)key;
	k.dsize = (int)klen;
	v = gdbm_fetch(s->db, k);
	if (v.dptr == NULL) {
		if (gdbm_errno == GDBM_ITEM_NOT_FOUND)
			return GHAUTHP_S_ABSENT;
		ghauthp_log("store: fetch: %s", gdbm_strerror(gdbm_errno));
		s->failed = 1;
		return GHAUTHP_S_FAILED;
	}
	if (v.dsize <= 0 || v.dsize > GHAUTHP_RECORD_MAX) {
		free(v.dptr);
		return GHAUTHP_S_ABSENT;
	}
	*val = (unsigned char *)v.dptr;
	*vlen = (size_t)v.dsize;
	return GHAUTHP_S_OK;
}

static enum ghauthp_sres
gdbm_del(struct ghauthp_store *b, const void *key, size_t klen)
{
	struct gdbm_store	*s = G(b);
	datum			 k;

	if (s->db == NULL || s->mode != GHAUTHP_STORE_WRITE)
		return GHAUTHP_S_FAILED;
	k.dptr = (char *)(uintptr_t)key;
	k.dsize = (int)klen;
	if (gdbm_delete(s->db, k) == 0 || gdbm_errno == GDBM_ITEM_NOT_FOUND)
		return GHAUTHP_S_OK;
	ghauthp_log("store: delete: %s", gdbm_strerror(gdbm_errno));
	s->failed = 1;
	return GHAUTHP_S_FAILED;
}

/* Under the exclusive lock a fetch and a delete are one step. */
static enum ghauthp_sres
gdbm_take(struct ghauthp_store *b, const void *key, size_t klen,
    unsigned char **val, size_t *vlen)
{
	enum ghauthp_sres	 rc;

	if (G(b)->mode != GHAUTHP_STORE_WRITE)
		return GHAUTHP_S_FAILED;
	if ((rc = gdbm_get(b, key, klen, val, vlen)) != GHAUTHP_S_OK)
		return rc;
	if ((rc = gdbm_del(b, key, klen)) != GHAUTHP_S_OK) {
		ghauthp_wipe(*val, *vlen);
		free(*val);
		*val = NULL;
		*vlen = 0;
	}
	return rc;
}

/* GDBM keeps no expiry: the sweep below does the cleaning. */
static enum ghauthp_sres
gdbm_put(struct ghauthp_store *b, const void *key, size_t klen,
    const void *val, size_t vlen, int64_t expires GHAUTHP_UNUSED,
    enum ghauthp_put how)
{
	struct gdbm_store	*s = G(b);
	datum			 k, v;
	int			 rc;

	if (s->db == NULL || s->mode != GHAUTHP_STORE_WRITE)
		return GHAUTHP_S_FAILED;
	k.dptr = (char *)(uintptr_t)key;
	k.dsize = (int)klen;
	v.dptr = (char *)(uintptr_t)val;
	v.dsize = (int)vlen;
	if (how == GHAUTHP_PUT_REPLACE && !gdbm_exists(s->db, k)) {
		if (gdbm_errno == GDBM_ITEM_NOT_FOUND ||
		    gdbm_errno == GDBM_NO_ERROR)
			return GHAUTHP_S_ABSENT;
		ghauthp_log("store: fetch: %s", gdbm_strerror(gdbm_errno));
		s->failed = 1;
		return GHAUTHP_S_FAILED;
	}
	rc = gdbm_store(s->db, k, v, how == GHAUTHP_PUT_NEW ? GDBM_INSERT :
	    GDBM_REPLACE);
	if (rc == 1)
		return GHAUTHP_S_EXISTS;
	if (rc != 0) {
		ghauthp_log("store: store: %s", gdbm_strerror(gdbm_errno));
		s->failed = 1;
		return GHAUTHP_S_FAILED;
	}
	return GHAUTHP_S_OK;
}

static int
is_meta(datum k)
{
	return k.dsize >= 5 && memcmp(k.dptr, "meta:", 5) == 0;
}

/* Every record but our own "meta:" keys, in GDBM's order. */
static enum ghauthp_sres
gdbm_each(struct ghauthp_store *b, int (*fn)(void *, const unsigned char *,
    size_t, const unsigned char *, size_t), void *ctx)
{
	struct gdbm_store	*s = G(b);
	datum			 k, next, v;
	int			 go = 1;

	if (s->db == NULL)
		return GHAUTHP_S_OK;
	k = gdbm_firstkey(s->db);
	while (k.dptr != NULL && go) {
		if (!is_meta(k)) {
			v = gdbm_fetch(s->db, k);
			if (v.dptr != NULL)
				go = fn(ctx, (unsigned char *)k.dptr,
				    (size_t)k.dsize, (unsigned char *)v.dptr,
				    (size_t)v.dsize);
			free(v.dptr);
		}
		next = gdbm_nextkey(s->db, k);
		free(k.dptr);
		k = next;
	}
	free(k.dptr);
	if (gdbm_errno != GDBM_ITEM_NOT_FOUND && gdbm_errno != GDBM_NO_ERROR &&
	    go) {
		ghauthp_log("store: reading %s: %s", s->path,
		    gdbm_strerror(gdbm_errno));
		return GHAUTHP_S_FAILED;
	}
	return GHAUTHP_S_OK;
}

/*
 * Incremental expiry: continues from the key saved by the previous sweep,
 * visits at most max records, then deletes the expired (or unreadable)
 * ones it saw - never while iterating (GDBM manual, "Sequential access").
 * The cursor wraps at the end, so repeated small sweeps cover the file and
 * no request pays for a full scan.  *removed counts deletions.
 */
static enum ghauthp_sres
gdbm_sweep(struct ghauthp_store *b, time_t now, int max, int *removed)
{
	struct gdbm_store	*s = G(b);
	datum		 ck, k, next, v;
	datum		*dead = NULL;
	int		 ndead = 0, visited = 0, i;
	int64_t		 exp;
	enum ghauthp_sres	 rc = GHAUTHP_S_OK;

	*removed = 0;
	if (s->db == NULL || s->mode != GHAUTHP_STORE_WRITE || max <= 0)
		return GHAUTHP_S_OK;
	if ((dead = calloc((size_t)max, sizeof(*dead))) == NULL)
		return GHAUTHP_S_FAILED;
	ck.dptr = SWEEP_KEY;
	ck.dsize = sizeof(SWEEP_KEY) - 1;
	k = gdbm_fetch(s->db, ck);
	if (k.dptr != NULL && !gdbm_exists(s->db, k)) {
		free(k.dptr);
		k.dptr = NULL;
	}
	if (k.dptr == NULL)
		k = gdbm_firstkey(s->db);
	while (k.dptr != NULL && visited < max) {
		if (!is_meta(k)) {
			visited++;
			v = gdbm_fetch(s->db, k);
			if (v.dptr == NULL || ghauthp_record_expires(
			    (unsigned char *)k.dptr, (size_t)k.dsize,
			    (unsigned char *)v.dptr, (size_t)v.dsize, &exp) != 0 ||
			    exp <= (int64_t)now) {
				dead[ndead].dptr = malloc((size_t)k.dsize);
				if (dead[ndead].dptr != NULL) {
					memcpy(dead[ndead].dptr, k.dptr,
					    (size_t)k.dsize);
					dead[ndead++].dsize = k.dsize;
				}
			}
			free(v.dptr);
		}
		next = gdbm_nextkey(s->db, k);
		free(k.dptr);
		k = next;
	}
	if (k.dptr != NULL) {
		if (gdbm_store(s->db, ck, k, GDBM_REPLACE) != 0)
			rc = GHAUTHP_S_FAILED;
		free(k.dptr);
	} else
		(void)gdbm_delete(s->db, ck);
	for (i = 0; i < ndead; i++) {
		if (gdbm_delete(s->db, dead[i]) == 0)
			(*removed)++;
		free(dead[i].dptr);
	}
	free(dead);
	if (rc != GHAUTHP_S_OK)
		s->failed = 1;
	return rc;
}

/*
 * For ghauth-admin (admin.c), which opens and replaces the database itself
 * while holding the lock of ghauthp_store_lock(): the handle (NULL when
 * none), setting it (the store then owns it and closes it), and the checks
 * the programs apply to the file.
 */
GDBM_FILE
ghauthp_store_gdbm(struct ghauthp_store *b)
{
	return G(b)->db;
}

void
ghauthp_store_set_gdbm(struct ghauthp_store *b, GDBM_FILE db)
{
	G(b)->db = db;
}

int
ghauthp_store_safe_file(int fd, const char *path)
{
	return safe_file(fd, "store", path);
}

static const struct ghauthp_store_ops gdbm_ops = {
	"gdbm", gdbm_get, gdbm_take, gdbm_put, gdbm_del, gdbm_sweep,
	gdbm_each, gdbm_close_store
};
