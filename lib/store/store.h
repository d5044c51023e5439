/*
 * store/store.h - the storage interface under the token-lifecycle layer
 * (tokens.c): opaque keys to opaque values, with its own results.  It
 * knows nothing of HTTP, tokens or record formats; callers give it the
 * key (ghauthp_key()) and the expiry time of what they write.
 *
 * Backends, each in its own file, chosen by the store's spec:
 *   an absolute path            GDBM file (gdbm.c), the default;
 *   redis://... or unix://...   Redis (redis.c), for several web servers.
 */
#ifndef GHAUTH_STORE_H
#define GHAUTH_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* The results of every store operation. */
enum ghauthp_sres {
	GHAUTHP_S_OK = 0,	/* found (get/take) or done */
	GHAUTHP_S_ABSENT,	/* no such key (or it must be replaced and is gone) */
	GHAUTHP_S_EXISTS,	/* insert-only put: the key is taken */
	GHAUTHP_S_BUSY,		/* lock deadline passed, nothing done */
	GHAUTHP_S_FAILED	/* the store failed (logged), nothing to trust */
};

enum ghauthp_store_mode {
	GHAUTHP_STORE_READ,
	GHAUTHP_STORE_WRITE
};

/* How put treats an existing key. */
enum ghauthp_put {
	GHAUTHP_PUT_NEW,	/* only a new key; else GHAUTHP_S_EXISTS */
	GHAUTHP_PUT_REPLACE,	/* only an existing key; else GHAUTHP_S_ABSENT */
	GHAUTHP_PUT_ANY		/* create or replace */
};

/* Where and how to reach a store (from the configuration). */
struct ghauthp_store_spec {
	const char	*store;		/* path or redis:// / unix:// URL */
	const char	*prefix;	/* Redis key prefix, NULL: "ghauth:" */
	long		 lock_timeout_ms;	/* GDBM lock deadline */
	long		 timeout_ms;	/* Redis connect and command deadline */
};

#define GHAUTHP_STORE_PREFIX_DEFAULT	"ghauth:"
#define GHAUTHP_STORE_TIMEOUT_DEFAULT	2000

struct ghauthp_store;

/* Every store handle starts with the backend's operations. */
struct ghauthp_store_ops {
	const char	*name;
	enum ghauthp_sres (*get)(struct ghauthp_store *, const void *, size_t,
			    unsigned char **, size_t *);
	enum ghauthp_sres (*take)(struct ghauthp_store *, const void *, size_t,
			    unsigned char **, size_t *);
	enum ghauthp_sres (*put)(struct ghauthp_store *, const void *, size_t,
			    const void *, size_t, int64_t, enum ghauthp_put);
	enum ghauthp_sres (*del)(struct ghauthp_store *, const void *, size_t);
	enum ghauthp_sres (*sweep)(struct ghauthp_store *, time_t, int, int *);
	enum ghauthp_sres (*each)(struct ghauthp_store *,
			    int (*)(void *, const unsigned char *, size_t,
			    const unsigned char *, size_t), void *);
	enum ghauthp_sres (*close)(struct ghauthp_store *, int);
};

struct ghauthp_store {
	const struct ghauthp_store_ops *ops;
};

/* Is this spec a Redis URL (else a GDBM path)? */
int		 ghauthp_store_is_redis(const char *);
/* Checks a spec's syntax for the configuration: 1 ok, 0 with *why set. */
int		 ghauthp_store_spec_ok(const char *, const char **);

/*
 * Open for reading or writing.  A writer's close is its commit: only
 * GHAUTHP_S_OK from close means every put/del before it is durable
 * (GDBM: fsynced; Redis: every command was acknowledged as it ran).
 */
enum ghauthp_sres ghauthp_store_open_spec(struct ghauthp_store **,
		    const struct ghauthp_store_spec *, enum ghauthp_store_mode);
/* The same with default prefix and timeouts (tools and tests). */
enum ghauthp_sres ghauthp_store_open(struct ghauthp_store **, const char *,
		    enum ghauthp_store_mode, long);
enum ghauthp_sres ghauthp_store_close(struct ghauthp_store *);
void		 ghauthp_store_abort(struct ghauthp_store *);
/* get/take: GHAUTHP_S_OK with *val malloc'd; take also deletes, atomically. */
enum ghauthp_sres ghauthp_store_get(struct ghauthp_store *, const void *,
		    size_t, unsigned char **, size_t *);
enum ghauthp_sres ghauthp_store_take(struct ghauthp_store *, const void *,
		    size_t, unsigned char **, size_t *);
/* put: expires is the record's expiry (Unix time, 0: none). */
enum ghauthp_sres ghauthp_store_put(struct ghauthp_store *, const void *,
		    size_t, const void *, size_t, int64_t, enum ghauthp_put);
enum ghauthp_sres ghauthp_store_del(struct ghauthp_store *, const void *,
		    size_t);
/* Bounded incremental expiry (GDBM); Redis expires keys itself. */
enum ghauthp_sres ghauthp_store_sweep(struct ghauthp_store *, time_t, int,
		    int *);
/* Every record (keys without a Redis prefix); fn returns 0 to stop. */
enum ghauthp_sres ghauthp_store_each(struct ghauthp_store *,
		    int (*)(void *, const unsigned char *, size_t,
		    const unsigned char *, size_t), void *);
const char	*ghauthp_store_backend(const struct ghauthp_store *);

/* FastCGI: keep per-process handles (GDBM reader, Redis connection). */
void		 ghauthp_store_cache_readers(int);

/* ---- the backends (gdbm.c, redis.c) ------------------------------------- */

enum ghauthp_sres ghauthp_gdbm_open(struct ghauthp_store **, const char *,
		    enum ghauthp_store_mode, long);
void		 ghauthp_gdbm_cache_readers(int);
enum ghauthp_sres ghauthp_redis_open(struct ghauthp_store **,
		    const struct ghauthp_store_spec *);
void		 ghauthp_redis_cache(int);
int		 ghauthp_redis_spec_ok(const char *, const char **);

/*
 * ghauth-admin's access to a GDBM store (admin.c): the lock alone, then
 * the GDBM handle (GDBM_FILE is a struct gdbm_file_info *).
 */
struct gdbm_file_info;
enum ghauthp_sres ghauthp_store_lock(struct ghauthp_store **, const char *,
		    enum ghauthp_store_mode, long);
struct gdbm_file_info *ghauthp_store_gdbm(struct ghauthp_store *);
void		 ghauthp_store_set_gdbm(struct ghauthp_store *,
		    struct gdbm_file_info *);
int		 ghauthp_store_safe_file(int, const char *);

#endif /* GHAUTH_STORE_H */
