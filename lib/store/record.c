/*
 * record.c - the values kept in the store. GDBM does not notice corrupted
 * values (43% of random corruptions came back as wrong values with no error;
 * docs/SECURITY.md, promise 11), so each record carries a magic byte, a
 * version, a fixed layout with explicit lengths, and a 64-bit SipHash-2-4
 * tag over the key and the value (a corruption check: see siphash.c for why
 * not SHA-256). Decoding is strict: any mismatch is "no record".
 *
 *   0  'g'  1 version  2 type  3 zero
 *   4  created  12 expires  20 last_seen     (int64, big-endian)
 *   28 payload by type
 *      state:   verifier[43]  str redirect
 *      session: uid(u64)  str login  str name  str avatar_url  str email
 *               str groups  (version 3 only)
 *      handoff: masked session token[32]
 *   end-8   SipHash-2-4, key "ghauth-record-v2", of key || value-before-tag
 *           (little-endian)
 *
 * str: u16 big-endian length then bytes; 0xffff means null.
 *
 * Version 3 added "groups" to sessions: the allowlist's org:/team: entries
 * that admitted it, comma-separated (null: none).  Records are written as
 * version 3; version 2 records (written before) still decode, with no
 * groups, so an upgrade signs nobody out.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ghauth-int.h"

#define MAGIC		'g'
#define REC_VERSION	3
#define REC_VERSION_OLD	2	/* still read: sessions without groups */
#define HDR		28
#define TAG		8
#define STR_NULL	0xffff

struct buf {
	unsigned char	*p;
	size_t		 len, cap;
	int		 bad;
};

static void
put(struct buf *b, const void *d, size_t n)
{
	if (b->bad || n > GHAUTHP_RECORD_MAX || b->len + n > GHAUTHP_RECORD_MAX) {
		b->bad = 1;
		return;
	}
	memcpy(b->p + b->len, d, n);
	b->len += n;
}

static void
put_u64(struct buf *b, uint64_t v)
{
	unsigned char	 x[8];
	int		 i;

	for (i = 0; i < 8; i++)
		x[i] = (unsigned char)(v >> (56 - 8 * i));
	put(b, x, 8);
}

static void
put_str(struct buf *b, const char *s)
{
	unsigned char	 x[2];
	size_t		 n = s == NULL ? STR_NULL : strlen(s);

	if (s != NULL && n >= STR_NULL) {
		b->bad = 1;
		return;
	}
	x[0] = (unsigned char)(n >> 8);
	x[1] = (unsigned char)n;
	put(b, x, 2);
	if (s != NULL)
		put(b, s, n);
}

/*
 * The tag of value v under key.  Returns 1, or 0 for sizes it cannot hash
 * (then there is no tag: callers refuse, never compare against a dummy).
 */
static int
tag(const unsigned char *key, size_t klen, const unsigned char *v, size_t n,
    unsigned char out[TAG])
{
	static const unsigned char k[16] = "ghauth-record-v2";
	struct ghauthp_siphash	 h;
	uint64_t		 t;
	int			 i;

	if (klen > 64 || n > GHAUTHP_RECORD_MAX)
		return 0;
	ghauthp_siphash_init(&h, k);
	ghauthp_siphash_update(&h, key, klen);
	ghauthp_siphash_update(&h, v, n);
	t = ghauthp_siphash_final(&h);
	for (i = 0; i < TAG; i++)
		out[i] = (unsigned char)(t >> (8 * i));
	return 1;
}

/* Encodes r for key.  Returns a malloc'd value (length in *len) or NULL. */
unsigned char *
ghauthp_record_encode(const struct ghauthp_record *r, const unsigned char *key,
    size_t klen, size_t *len)
{
	struct buf	 b;
	unsigned char	 hdr[4] = { MAGIC, REC_VERSION, 0, 0 };
	unsigned char	 t[TAG];

	memset(&b, 0, sizeof(b));
	if ((b.p = malloc(GHAUTHP_RECORD_MAX)) == NULL)
		return NULL;
	hdr[2] = (unsigned char)r->type;
	put(&b, hdr, 4);
	put_u64(&b, (uint64_t)r->created);
	put_u64(&b, (uint64_t)r->expires);
	put_u64(&b, (uint64_t)r->last_seen);
	switch (r->type) {
	case GHAUTHP_REC_STATE:
		if (strlen(r->verifier) != GHAUTHP_TOKEN_LEN)
			b.bad = 1;
		put(&b, r->verifier, GHAUTHP_TOKEN_LEN);
		put_str(&b, r->redirect);
		break;
	case GHAUTHP_REC_SESSION:
		if (r->login == NULL || r->avatar_url == NULL)
			b.bad = 1;
		put_u64(&b, r->uid);
		put_str(&b, r->login);
		put_str(&b, r->name);
		put_str(&b, r->avatar_url);
		put_str(&b, r->email);
		if (r->groups != NULL && (r->groups[0] == '\0' ||
		    strlen(r->groups) > GHAUTHP_GROUPS_MAX))
			b.bad = 1;
		put_str(&b, r->groups);
		break;
	case GHAUTHP_REC_HANDOFF:
		put(&b, r->masked, sizeof(r->masked));
		break;
	default:
		b.bad = 1;
	}
	if (!b.bad && b.len + TAG <= GHAUTHP_RECORD_MAX &&
	    tag(key, klen, b.p, b.len, t))
		put(&b, t, TAG);
	else
		b.bad = 1;
	if (b.bad) {
		ghauthp_wipe(b.p, GHAUTHP_RECORD_MAX);
		free(b.p);
		return NULL;
	}
	*len = b.len;
	return b.p;
}

struct rd {
	const unsigned char	*p;
	size_t			 left;
	int			 bad;
};

static const unsigned char *
take(struct rd *r, size_t n)
{
	const unsigned char	*p = r->p;

	if (r->bad || n > r->left) {
		r->bad = 1;
		return NULL;
	}
	r->p += n;
	r->left -= n;
	return p;
}

static uint64_t
get_u64(struct rd *r)
{
	const unsigned char	*p = take(r, 8);
	uint64_t		 v = 0;
	int			 i;

	if (p == NULL)
		return 0;
	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* A str field: NULL for null, "" never for a malformed one (r->bad set). */
static char *
get_str(struct rd *r, int *isnull)
{
	const unsigned char	*p = take(r, 2), *s;
	char			*str;
	size_t			 n;

	*isnull = 0;
	if (p == NULL)
		return NULL;
	n = (size_t)p[0] << 8 | p[1];
	if (n == STR_NULL) {
		*isnull = 1;
		return NULL;
	}
	if ((s = take(r, n)) == NULL || memchr(s, '\0', n) != NULL) {
		r->bad = 1;
		return NULL;
	}
	/* Out of memory must not pass for a null field. */
	if ((str = ghauthp_strndup((const char *)s, n)) == NULL)
		r->bad = 1;
	return str;
}

/* Checks magic, version and tag; returns the payload length or -1. */
static long
verify(const unsigned char *key, size_t klen, const unsigned char *v,
    size_t n)
{
	unsigned char	 t[TAG];

	if (n < HDR + TAG || n > GHAUTHP_RECORD_MAX || v[0] != MAGIC ||
	    (v[1] != REC_VERSION && v[1] != REC_VERSION_OLD) || v[3] != 0)
		return -1;
	if (!tag(key, klen, v, n - TAG, t) ||
	    !ghauthp_ct_equal(t, v + n - TAG, TAG))
		return -1;
	return (long)(n - TAG);
}

int
ghauthp_record_expires(const unsigned char *key, size_t klen,
    const unsigned char *v, size_t n, int64_t *expires)
{
	struct rd	 r;

	if (verify(key, klen, v, n) < 0)
		return -1;
	r.p = v + 12;
	r.left = 8;
	r.bad = 0;
	*expires = (int64_t)get_u64(&r);
	return 0;
}

/* Decodes v (stored under key) into out.  Returns 0, or -1 (out zeroed). */
int
ghauthp_record_decode(const unsigned char *key, size_t klen,
    const unsigned char *v, size_t n, struct ghauthp_record *out)
{
	struct rd		 r;
	const unsigned char	*p;
	long			 plen;
	int			 isnull;

	memset(out, 0, sizeof(*out));
	if ((plen = verify(key, klen, v, n)) < 0)
		return -1;
	r.p = v + 4;
	r.left = (size_t)plen - 4;
	r.bad = 0;
	out->type = (enum ghauthp_rtype)v[2];
	out->created = (int64_t)get_u64(&r);
	out->expires = (int64_t)get_u64(&r);
	out->last_seen = (int64_t)get_u64(&r);
	switch (out->type) {
	case GHAUTHP_REC_STATE:
		if ((p = take(&r, GHAUTHP_TOKEN_LEN)) == NULL ||
		    !ghauthp_valid_token((const char *)p, GHAUTHP_TOKEN_LEN)) {
			r.bad = 1;
			break;
		}
		memcpy(out->verifier, p, GHAUTHP_TOKEN_LEN);
		out->verifier[GHAUTHP_TOKEN_LEN] = '\0';
		out->redirect = get_str(&r, &isnull);
		if (!isnull && out->redirect != NULL &&
		    !ghauthp_valid_redirect(out->redirect,
		    strlen(out->redirect)))
			r.bad = 1;
		break;
	case GHAUTHP_REC_SESSION:
		out->uid = get_u64(&r);
		out->login = get_str(&r, &isnull);
		if (isnull || out->login == NULL || out->uid == 0)
			r.bad = 1;
		out->name = get_str(&r, &isnull);
		out->avatar_url = get_str(&r, &isnull);
		if (isnull)
			r.bad = 1;
		out->email = get_str(&r, &isnull);
		if (v[1] == REC_VERSION_OLD)
			break;
		out->groups = get_str(&r, &isnull);
		if (!isnull && (out->groups == NULL || out->groups[0] == '\0' ||
		    strlen(out->groups) > GHAUTHP_GROUPS_MAX ||
		    ghauthp_has_ctl(out->groups, strlen(out->groups))))
			r.bad = 1;
		break;
	case GHAUTHP_REC_HANDOFF:
		if ((p = take(&r, sizeof(out->masked))) != NULL)
			memcpy(out->masked, p, sizeof(out->masked));
		break;
	default:
		r.bad = 1;
	}
	if (r.bad || r.left != 0) {
		ghauthp_record_free(out);
		return -1;
	}
	return 0;
}

void
ghauthp_record_free(struct ghauthp_record *r)
{
	free(r->redirect);
	free(r->login);
	free(r->name);
	free(r->avatar_url);
	free(r->email);
	free(r->groups);
	ghauthp_wipe(r, sizeof(*r));
}
