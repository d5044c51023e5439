/*
 * store/store.c - the storage interface: picks the backend from the
 * store's spec (a path: GDBM; redis:// or unix://: Redis) and passes each
 * operation to it.  Also the store key of a token.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ghauth-int.h"

int
ghauthp_store_is_redis(const char *spec)
{
	return spec != NULL && (strncmp(spec, "redis://", 8) == 0 ||
	    strncmp(spec, "unix://", 7) == 0);
}

int
ghauthp_store_spec_ok(const char *spec, const char **why)
{
	*why = NULL;
	if (spec == NULL || strlen(spec) > 4000) {
		*why = "auth.store is too long";
		return 0;
	}
	if (ghauthp_store_is_redis(spec))
		return ghauthp_redis_spec_ok(spec, why);
	if (spec[0] != '/') {
		*why = "auth.store must be an absolute path or a redis:// or "
		    "unix:// URL";
		return 0;
	}
	return 1;
}

enum ghauthp_sres
ghauthp_store_open_spec(struct ghauthp_store **out,
    const struct ghauthp_store_spec *sp, enum ghauthp_store_mode mode)
{
	*out = NULL;
	if (ghauthp_store_is_redis(sp->store))
		return ghauthp_redis_open(out, sp);
	return ghauthp_gdbm_open(out, sp->store, mode, sp->lock_timeout_ms);
}

enum ghauthp_sres
ghauthp_store_open(struct ghauthp_store **out, const char *spec,
    enum ghauthp_store_mode mode, long timeout_ms)
{
	struct ghauthp_store_spec	 sp;

	sp.store = spec;
	sp.prefix = NULL;
	sp.lock_timeout_ms = timeout_ms;
	sp.timeout_ms = timeout_ms;
	return ghauthp_store_open_spec(out, &sp, mode);
}

enum ghauthp_sres
ghauthp_store_close(struct ghauthp_store *s)
{
	if (s == NULL)
		return GHAUTHP_S_OK;
	return s->ops->close(s, 0);
}

/* Closes after an error path; the outcome is already a failure. */
void
ghauthp_store_abort(struct ghauthp_store *s)
{
	if (s != NULL)
		(void)s->ops->close(s, 1);
}

enum ghauthp_sres
ghauthp_store_get(struct ghauthp_store *s, const void *key, size_t klen,
    unsigned char **val, size_t *vlen)
{
	*val = NULL;
	*vlen = 0;
	return s->ops->get(s, key, klen, val, vlen);
}

enum ghauthp_sres
ghauthp_store_take(struct ghauthp_store *s, const void *key, size_t klen,
    unsigned char **val, size_t *vlen)
{
	*val = NULL;
	*vlen = 0;
	return s->ops->take(s, key, klen, val, vlen);
}

enum ghauthp_sres
ghauthp_store_put(struct ghauthp_store *s, const void *key, size_t klen,
    const void *val, size_t vlen, int64_t expires, enum ghauthp_put how)
{
	return s->ops->put(s, key, klen, val, vlen, expires, how);
}

enum ghauthp_sres
ghauthp_store_del(struct ghauthp_store *s, const void *key, size_t klen)
{
	return s->ops->del(s, key, klen);
}

enum ghauthp_sres
ghauthp_store_sweep(struct ghauthp_store *s, time_t now, int max,
    int *removed)
{
	*removed = 0;
	return s->ops->sweep(s, now, max, removed);
}

enum ghauthp_sres
ghauthp_store_each(struct ghauthp_store *s, int (*fn)(void *,
    const unsigned char *, size_t, const unsigned char *, size_t), void *ctx)
{
	return s->ops->each(s, fn, ctx);
}

const char *
ghauthp_store_backend(const struct ghauthp_store *s)
{
	return s->ops->name;
}

void
ghauthp_store_cache_readers(int on)
{
	ghauthp_gdbm_cache_readers(on);
	ghauthp_redis_cache(on);
}

/* The store key of a token: kind prefix + SHA-256 of the token string. */
void
ghauthp_key(const char *kind, const char *token, unsigned char out[35])
{
	memcpy(out, kind, 3);
	ghauthp_sha256(token, strlen(token), out + 3);
}
