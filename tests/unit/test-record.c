/*
 * test-record.c - the records kept in the store: encode/decode round trips
 * for each type, and that decoding refuses anything else - every
 * single-byte change (all positions, several bit masks), every truncation,
 * an appended byte, another key - plus hand-built values whose tag is
 * right but whose contents are not (bad magic, version, type, lengths,
 * NUL in a string, invalid verifier or redirect, uid 0, null login).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ghauth-int.h"
#include "tap.h"

#define VERIFIER	"dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
#define AVATAR		"https://avatars.githubusercontent.com/u/583231?v=4"

static unsigned char	 key[GHAUTHP_KEY_LEN];

/* ---- building values by hand, to reach decode's checks ---------------- */

struct b {
	unsigned char	 p[GHAUTHP_RECORD_MAX + 64];
	size_t		 n;
};

static void
b_raw(struct b *b, const void *d, size_t n)
{
	memcpy(b->p + b->n, d, n);
	b->n += n;
}

static void
b_u64(struct b *b, uint64_t v)
{
	int	 i;

	for (i = 0; i < 8; i++)
		b->p[b->n++] = (unsigned char)(v >> (56 - 8 * i));
}

/* NULL is the null string (length 0xffff). */
static void
b_str(struct b *b, const char *s)
{
	size_t	 n = s == NULL ? 0xffff : strlen(s);

	b->p[b->n++] = (unsigned char)(n >> 8);
	b->p[b->n++] = (unsigned char)n;
	if (s != NULL)
		b_raw(b, s, n);
}

static void
b_hdr(struct b *b, int magic, int version, int type, int zero)
{
	b->n = 0;
	b->p[b->n++] = (unsigned char)magic;
	b->p[b->n++] = (unsigned char)version;
	b->p[b->n++] = (unsigned char)type;
	b->p[b->n++] = (unsigned char)zero;
	b_u64(b, 1000);		/* created */
	b_u64(b, 2000);		/* expires */
	b_u64(b, 1500);		/* last_seen */
}

/* Appends SipHash-2-4 (key "ghauth-record-v2") of key || value, little-endian. */
static void
b_seal(struct b *b, const unsigned char *k, size_t klen)
{
	static const unsigned char sk[16] = "ghauth-record-v2";
	struct ghauthp_siphash	 h;
	uint64_t		 t;
	int			 i;

	ghauthp_siphash_init(&h, sk);
	ghauthp_siphash_update(&h, k, klen);
	ghauthp_siphash_update(&h, b->p, b->n);
	t = ghauthp_siphash_final(&h);
	for (i = 0; i < 8; i++)
		b->p[b->n++] = (unsigned char)(t >> (8 * i));
}

static int
zeroed(const struct ghauthp_record *r)
{
	return r->type == 0 && r->created == 0 && r->expires == 0 &&
	    r->redirect == NULL && r->login == NULL && r->name == NULL &&
	    r->avatar_url == NULL && r->email == NULL && r->uid == 0 &&
	    r->verifier[0] == '\0';
}

/* ---- sample records ---------------------------------------------------- */

static void
sample_state(struct ghauthp_record *r, const char *redirect)
{
	memset(r, 0, sizeof(*r));
	r->type = GHAUTHP_REC_STATE;
	r->created = 1700000000;
	r->expires = 1700000600;
	r->last_seen = 1700000000;
	memcpy(r->verifier, VERIFIER, sizeof(VERIFIER));
	r->redirect = (char *)(uintptr_t)redirect;
}

static void
sample_session(struct ghauthp_record *r, const char *name, const char *email)
{
	memset(r, 0, sizeof(*r));
	r->type = GHAUTHP_REC_SESSION;
	r->created = 1700000000;
	r->expires = 1700086400;
	r->last_seen = 1700000100;
	r->uid = 583231;
	r->login = (char *)(uintptr_t)"octocat";
	r->name = (char *)(uintptr_t)name;
	r->avatar_url = (char *)(uintptr_t)AVATAR;
	r->email = (char *)(uintptr_t)email;
}

static void
sample_handoff(struct ghauthp_record *r)
{
	size_t	 i;

	memset(r, 0, sizeof(*r));
	r->type = GHAUTHP_REC_HANDOFF;
	r->created = 1700000000;
	r->expires = 1700000060;
	r->last_seen = 1700000000;
	for (i = 0; i < sizeof(r->masked); i++)
		r->masked[i] = (unsigned char)(i * 7 + 3);
}

static int
same_str(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static int
same_record(const struct ghauthp_record *a, const struct ghauthp_record *b)
{
	return a->type == b->type && a->created == b->created &&
	    a->expires == b->expires && a->last_seen == b->last_seen &&
	    strcmp(a->verifier, b->verifier) == 0 &&
	    same_str(a->redirect, b->redirect) && a->uid == b->uid &&
	    same_str(a->login, b->login) && same_str(a->name, b->name) &&
	    same_str(a->avatar_url, b->avatar_url) &&
	    same_str(a->email, b->email) &&
	    memcmp(a->masked, b->masked, sizeof(a->masked)) == 0;
}

/* ---- tests ------------------------------------------------------------- */

static void
roundtrip(const char *what, const struct ghauthp_record *in)
{
	struct ghauthp_record	 out;
	unsigned char		*v;
	size_t			 n = 0;
	int64_t			 exp = 0;

	v = ghauthp_record_encode(in, key, sizeof(key), &n);
	if (!ok(v != NULL && n > 60 && n <= GHAUTHP_RECORD_MAX,
	    "%s: encodes (%zu bytes)", what, n))
		return;
	is_int(ghauthp_record_decode(key, sizeof(key), v, n, &out), 0,
	    "%s: decodes", what);
	ok(same_record(in, &out), "%s: same fields back", what);
	ghauthp_record_free(&out);
	ok(ghauthp_record_expires(key, sizeof(key), v, n, &exp) == 0 &&
	    exp == in->expires, "%s: record_expires = %lld", what,
	    (long long)in->expires);
	free(v);
}

static void
test_roundtrip(void)
{
	struct ghauthp_record	 r;

	sample_state(&r, NULL);
	roundtrip("state without redirect", &r);
	sample_state(&r, "/docs?page=2&x=%41");
	roundtrip("state with redirect", &r);
	sample_state(&r, "/");
	roundtrip("state with redirect /", &r);
	sample_session(&r, "The Octocat", "octocat@github.com");
	roundtrip("session", &r);
	sample_session(&r, NULL, NULL);
	roundtrip("session, null name and email", &r);
	sample_session(&r, "", "");
	roundtrip("session, empty name and email", &r);
	sample_session(&r, "Zo\xc3\xab \xf0\x9f\x90\x99 \xe5\xb1\xb1\xe7\x94\xb0",
	    NULL);
	roundtrip("session, unicode name", &r);
	sample_session(&r, NULL, NULL);
	r.uid = UINT64_MAX;
	roundtrip("session, uid 2^64-1", &r);
	sample_handoff(&r);
	roundtrip("hand-off", &r);
	sample_handoff(&r);
	r.created = -1;
	r.expires = INT64_MAX;
	r.last_seen = INT64_MIN;
	roundtrip("hand-off, extreme times", &r);
}

/* Any change to the value, or another key, and the record is gone. */
static void
tamper(const char *what, const struct ghauthp_record *in)
{
	static const unsigned char masks[] = {
		0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0xff
	};
	struct ghauthp_record	 out;
	unsigned char		*v, *w, k2[GHAUTHP_KEY_LEN];
	size_t			 n, pos, m, accepted, dirty, len;
	int64_t			 exp;

	if ((v = ghauthp_record_encode(in, key, sizeof(key), &n)) == NULL ||
	    (w = malloc(n + 1)) == NULL) {
		ok(0, "%s: encode", what);
		free(v);
		return;
	}
	for (m = 0; m < sizeof(masks); m++) {
		accepted = dirty = 0;
		for (pos = 0; pos < n; pos++) {
			memcpy(w, v, n);
			w[pos] ^= masks[m];
			if (ghauthp_record_decode(key, sizeof(key), w, n,
			    &out) == 0) {
				accepted++;
				ghauthp_record_free(&out);
			} else if (!zeroed(&out))
				dirty++;
			if (ghauthp_record_expires(key, sizeof(key), w, n,
			    &exp) == 0)
				accepted++;
		}
		ok(accepted == 0 && dirty == 0, "%s: all %zu bytes ^ 0x%02x "
		    "rejected", what, n, masks[m]);
	}
	accepted = 0;
	for (len = 0; len < n; len++) {
		if (ghauthp_record_decode(key, sizeof(key), v, len, &out) == 0) {
			accepted++;
			ghauthp_record_free(&out);
		}
		if (ghauthp_record_expires(key, sizeof(key), v, len, &exp) == 0)
			accepted++;
	}
	ok(accepted == 0, "%s: every truncation (0..%zu) rejected", what,
	    n - 1);
	memcpy(w, v, n);
	w[n] = 0;
	is_int(ghauthp_record_decode(key, sizeof(key), w, n + 1, &out), -1,
	    "%s: one byte appended -> rejected", what);
	memcpy(k2, key, sizeof(k2));
	k2[GHAUTHP_KEY_LEN - 1] ^= 1;
	is_int(ghauthp_record_decode(k2, sizeof(k2), v, n, &out), -1,
	    "%s: another key -> rejected", what);
	is_int(ghauthp_record_expires(k2, sizeof(k2), v, n, &exp), -1,
	    "%s: another key -> record_expires rejects", what);
	k2[GHAUTHP_KEY_LEN - 1] ^= 1;
	k2[0] = 's';	/* "se:" vs "st:": the kind is part of the key */
	k2[1] = key[1] == 't' ? 'e' : 't';
	is_int(ghauthp_record_decode(k2, sizeof(k2), v, n, &out), -1,
	    "%s: same hash under another kind -> rejected", what);
	is_int(ghauthp_record_decode(key, sizeof(key) - 1, v, n, &out), -1,
	    "%s: shorter key -> rejected", what);
	free(w);
	free(v);
}

static void
test_tamper(void)
{
	struct ghauthp_record	 r;

	sample_state(&r, "/docs?x=1");
	tamper("state+redirect", &r);
	sample_state(&r, NULL);
	tamper("state", &r);
	sample_session(&r, "The Octocat", "octocat@github.com");
	tamper("session", &r);
	sample_session(&r, NULL, NULL);
	tamper("session (nulls)", &r);
	sample_handoff(&r);
	tamper("hand-off", &r);
}

/* Values with a correct tag but contents decode must refuse. */
static void
test_crafted(void)
{
	struct ghauthp_record	 r, out;
	struct b		 b;
	unsigned char		*v;
	size_t			 n;
	int			 rc;

	/* The hand-built layout matches the encoder's, byte for byte. */
	sample_session(&r, NULL, "a@b.example");
	r.created = 1000;
	r.expires = 2000;
	r.last_seen = 1500;
	v = ghauthp_record_encode(&r, key, sizeof(key), &n);
	b_hdr(&b, 'g', 3, GHAUTHP_REC_SESSION, 0);
	b_u64(&b, 583231);
	b_str(&b, "octocat");
	b_str(&b, NULL);
	b_str(&b, AVATAR);
	b_str(&b, "a@b.example");
	b_str(&b, NULL);
	b_seal(&b, key, sizeof(key));
	ok(v != NULL && n == b.n && memcmp(v, b.p, n) == 0,
	    "hand-built session equals the encoder's bytes");
	rc = ghauthp_record_decode(key, sizeof(key), b.p, b.n, &out);
	ok(rc == 0 && out.uid == 583231 && out.name == NULL &&
	    out.groups == NULL, "hand-built session decodes");
	ghauthp_record_free(&out);
	free(v);
	/* Version 3: the admitting org:/team: entries. */
	r.groups = (char *)(uintptr_t)"org:acme,team:acme/infra";
	v = ghauthp_record_encode(&r, key, sizeof(key), &n);
	b_hdr(&b, 'g', 3, GHAUTHP_REC_SESSION, 0);
	b_u64(&b, 583231);
	b_str(&b, "octocat");
	b_str(&b, NULL);
	b_str(&b, AVATAR);
	b_str(&b, "a@b.example");
	b_str(&b, "org:acme,team:acme/infra");
	b_seal(&b, key, sizeof(key));
	ok(v != NULL && n == b.n && memcmp(v, b.p, n) == 0,
	    "session with groups equals the encoder's bytes");
	rc = ghauthp_record_decode(key, sizeof(key), b.p, b.n, &out);
	ok(rc == 0 && out.groups != NULL &&
	    strcmp(out.groups, "org:acme,team:acme/infra") == 0,
	    "session with groups decodes them");
	ghauthp_record_free(&out);
	free(v);
	r.groups = (char *)(uintptr_t)"";
	ok(ghauthp_record_encode(&r, key, sizeof(key), &n) == NULL,
	    "empty groups string is not encoded (null means none)");
	r.groups = NULL;
	/* Version 2 sessions, written before groups existed, still read. */
	b_hdr(&b, 'g', 2, GHAUTHP_REC_SESSION, 0);
	b_u64(&b, 583231);
	b_str(&b, "octocat");
	b_str(&b, "The Octocat");
	b_str(&b, AVATAR);
	b_str(&b, NULL);
	b_seal(&b, key, sizeof(key));
	rc = ghauthp_record_decode(key, sizeof(key), b.p, b.n, &out);
	ok(rc == 0 && out.uid == 583231 && out.groups == NULL &&
	    out.name != NULL && strcmp(out.name, "The Octocat") == 0,
	    "a version 2 session (no groups) still decodes");
	ghauthp_record_free(&out);

#define CRAFT(desc)	do {						\
	b_seal(&b, key, sizeof(key));					\
	is_int(ghauthp_record_decode(key, sizeof(key), b.p, b.n, &out), \
	    -1, "sealed but %s -> rejected", desc);			\
} while (0)

	b_hdr(&b, 'h', 2, GHAUTHP_REC_HANDOFF, 0);
	b_raw(&b, key, 32);
	CRAFT("magic 'h'");
	b_hdr(&b, 'g', 4, GHAUTHP_REC_HANDOFF, 0);
	b_raw(&b, key, 32);
	CRAFT("version 4");
	/* Version 3 sessions: the groups field. */
	b_hdr(&b, 'g', 3, GHAUTHP_REC_SESSION, 0);
	b_u64(&b, 583231);
	b_str(&b, "octocat");
	b_str(&b, NULL);
	b_str(&b, AVATAR);
	b_str(&b, NULL);
	CRAFT("version 3 session without its groups field");
	b_hdr(&b, 'g', 3, GHAUTHP_REC_SESSION, 0);
	b_u64(&b, 583231);
	b_str(&b, "octocat");
	b_str(&b, NULL);
	b_str(&b, AVATAR);
	b_str(&b, NULL);
	b_str(&b, "");
	CRAFT("version 3 session with empty groups");
	b_hdr(&b, 'g', 3, GHAUTHP_REC_SESSION, 0);
	b_u64(&b, 583231);
	b_str(&b, "octocat");
	b_str(&b, NULL);
	b_str(&b, AVATAR);
	b_str(&b, NULL);
	b_str(&b, "org:acme\r\nX: 1");
	CRAFT("version 3 session with a control byte in groups");
	b_hdr(&b, 'g', 2, GHAUTHP_REC_SESSION, 0);
	b_u64(&b, 583231);
	b_str(&b, "octocat");
	b_str(&b, NULL);
	b_str(&b, AVATAR);
	b_str(&b, NULL);
	b_str(&b, "org:acme");
	CRAFT("version 2 session with a groups field");
	b_hdr(&b, 'g', 1, GHAUTHP_REC_HANDOFF, 0);
	b_raw(&b, key, 32);
	CRAFT("version 1 (SHA-256 tags, before 0.1.0)");
	b_hdr(&b, 'g', 0, GHAUTHP_REC_HANDOFF, 0);
	b_raw(&b, key, 32);
	CRAFT("version 0");
	b_hdr(&b, 'g', 2, GHAUTHP_REC_HANDOFF, 1);
	b_raw(&b, key, 32);
	CRAFT("reserved byte 1");
	b_hdr(&b, 'g', 2, 0, 0);
	b_raw(&b, key, 32);
	CRAFT("type 0");
	b_hdr(&b, 'g', 2, 4, 0);
	b_raw(&b, key, 32);
	CRAFT("type 4");
	b_hdr(&b, 'g', 2, 255, 0);
	b_raw(&b, key, 32);
	CRAFT("type 255");
	/* Hand-off: exactly 32 bytes. */
	b_hdr(&b, 'g', 2, GHAUTHP_REC_HANDOFF, 0);
	b_raw(&b, key, 31);
	CRAFT("hand-off of 31 bytes");
	b_hdr(&b, 'g', 2, GHAUTHP_REC_HANDOFF, 0);
	b_raw(&b, key, 33);
	CRAFT("hand-off of 33 bytes");
	b_hdr(&b, 'g', 2, GHAUTHP_REC_HANDOFF, 0);
	CRAFT("hand-off with no payload");
	/* State. */
	b_hdr(&b, 'g', 2, GHAUTHP_REC_STATE, 0);
	b_raw(&b, "dBjftJeZ4CVP+mB92K27uhbUJU1p1r_wW1gFWFOEjXk", 43);
	b_str(&b, NULL);
	CRAFT("state verifier with '+'");
	b_hdr(&b, 'g', 2, GHAUTHP_REC_STATE, 0);
	b_raw(&b, "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXl", 43);
	b_str(&b, NULL);
	CRAFT("state verifier with unused bits set");
	b_hdr(&b, 'g', 2, GHAUTHP_REC_STATE, 0);
	b_raw(&b, VERIFIER, 43);
	b_str(&b, "//evil.example");
	CRAFT("state redirect //evil.example");
	b_hdr(&b, 'g', 2, GHAUTHP_REC_STATE, 0);
	b_raw(&b, VERIFIER, 43);
	b_str(&b, "https://evil.example/");
	CRAFT("state redirect to another site");
	b_hdr(&b, 'g', 2, GHAUTHP_REC_STATE, 0);
	b_raw(&b, VERIFIER, 43);
	b_str(&b, "");
	CRAFT("state redirect empty string");
	b_hdr(&b, 'g', 2, GHAUTHP_REC_STATE, 0);
	b_raw(&b, VERIFIER, 43);
	b_raw(&b, "\x00\x03/a\x00", 5);
	CRAFT("state redirect with a NUL");
	b_hdr(&b, 'g', 2, GHAUTHP_REC_STATE, 0);
	b_raw(&b, VERIFIER, 43);
	b_raw(&b, "\x00\x09/a", 4);
	CRAFT("state redirect length past the end");
	b_hdr(&b, 'g', 2, GHAUTHP_REC_STATE, 0);
	b_raw(&b, VERIFIER, 43);
	b_raw(&b, "\x00", 1);
	CRAFT("state redirect length cut in half");
	b_hdr(&b, 'g', 2, GHAUTHP_REC_STATE, 0);
	b_raw(&b, VERIFIER, 43);
	CRAFT("state without the redirect field");
	b_hdr(&b, 'g', 2, GHAUTHP_REC_STATE, 0);
	b_raw(&b, VERIFIER, 43);
	b_str(&b, NULL);
	b_raw(&b, "x", 1);
	CRAFT("state with a trailing byte");
	b_hdr(&b, 'g', 2, GHAUTHP_REC_STATE, 0);
	b_raw(&b, VERIFIER, 40);
	CRAFT("state with a short verifier");
	/* Session. */
	b_hdr(&b, 'g', 2, GHAUTHP_REC_SESSION, 0);
	b_u64(&b, 0);
	b_str(&b, "octocat");
	b_str(&b, NULL);
	b_str(&b, AVATAR);
	b_str(&b, NULL);
	CRAFT("session uid 0");
	b_hdr(&b, 'g', 2, GHAUTHP_REC_SESSION, 0);
	b_u64(&b, 1);
	b_str(&b, NULL);
	b_str(&b, NULL);
	b_str(&b, AVATAR);
	b_str(&b, NULL);
	CRAFT("session null login");
	b_hdr(&b, 'g', 2, GHAUTHP_REC_SESSION, 0);
	b_u64(&b, 1);
	b_str(&b, "octocat");
	b_str(&b, NULL);
	b_str(&b, NULL);
	b_str(&b, NULL);
	CRAFT("session null avatar_url");
	b_hdr(&b, 'g', 2, GHAUTHP_REC_SESSION, 0);
	b_u64(&b, 1);
	b_str(&b, "octocat");
	b_raw(&b, "\x00\x03" "a\x00" "b", 5);
	b_str(&b, AVATAR);
	b_str(&b, NULL);
	CRAFT("session name with a NUL");
	b_hdr(&b, 'g', 2, GHAUTHP_REC_SESSION, 0);
	b_u64(&b, 1);
	b_str(&b, "octocat");
	b_str(&b, NULL);
	b_str(&b, AVATAR);
	CRAFT("session without the email field");
	b_hdr(&b, 'g', 2, GHAUTHP_REC_SESSION, 0);
	b_u64(&b, 1);
	b_str(&b, "octocat");
	b_str(&b, NULL);
	b_str(&b, AVATAR);
	b_str(&b, NULL);
	b_raw(&b, "\x00", 1);
	CRAFT("session with a trailing byte");
	b_hdr(&b, 'g', 2, GHAUTHP_REC_SESSION, 0);
	b_u64(&b, 1);
	b_raw(&b, "\x7f\xff" "octocat", 9);
	CRAFT("session login length past the end");
#undef CRAFT

	/* The tag must be the one for this key, not any valid SipHash. */
	b_hdr(&b, 'g', 2, GHAUTHP_REC_HANDOFF, 0);
	b_raw(&b, key, 32);
	b_seal(&b, (const unsigned char *)"", 0);
	is_int(ghauthp_record_decode(key, sizeof(key), b.p, b.n, &out), -1,
	    "tag computed without the key -> rejected");
	/* Shorter than header + tag. */
	memset(b.p, 0, 59);
	is_int(ghauthp_record_decode(key, sizeof(key), b.p, 59, &out), -1,
	    "59 bytes -> rejected");
	is_int(ghauthp_record_decode(key, sizeof(key), b.p, 0, &out), -1,
	    "0 bytes -> rejected");
}

static void
test_encode_refusals(void)
{
	struct ghauthp_record	 r, out;
	struct b		 b;
	unsigned char		*v, k65[65];
	char			*big;
	size_t			 n;
	int64_t			 exp;

	if ((big = malloc(0x10000 + 1)) == NULL) {
		printf("Bail out! out of memory\n");
		exit(1);
	}
	/*
	 * With login "octocat", a 10-byte avatar and null groups, 8121 name
	 * bytes fit.
	 */
	memset(big, 'n', 8121);
	big[8121] = '\0';
	sample_session(&r, big, NULL);
	r.avatar_url = (char *)(uintptr_t)"https://a/";
	v = ghauthp_record_encode(&r, key, sizeof(key), &n);
	ok(v != NULL && n == GHAUTHP_RECORD_MAX,
	    "record of exactly %d bytes encodes", GHAUTHP_RECORD_MAX);
	ok(v != NULL && ghauthp_record_decode(key, sizeof(key), v, n,
	    &out) == 0 && out.name != NULL && strlen(out.name) == 8121,
	    "record of exactly %d bytes decodes", GHAUTHP_RECORD_MAX);
	if (v != NULL)
		ghauthp_record_free(&out);
	free(v);
	big[8121] = 'n';
	big[8122] = '\0';
	is_int(ghauthp_record_encode(&r, key, sizeof(key), &n) == NULL, 1,
	    "record of %d bytes refused", GHAUTHP_RECORD_MAX + 1);
	memset(big, 'n', 0x10000);
	big[0xffff] = '\0';
	is_int(ghauthp_record_encode(&r, key, sizeof(key), &n) == NULL, 1,
	    "string of 65535 bytes refused");
	big[0xffff] = 'n';
	big[0x10000] = '\0';
	is_int(ghauthp_record_encode(&r, key, sizeof(key), &n) == NULL, 1,
	    "string of 65536 bytes refused");
	sample_session(&r, NULL, NULL);
	r.email = big;
	big[0xfffe] = '\0';
	is_int(ghauthp_record_encode(&r, key, sizeof(key), &n) == NULL, 1,
	    "email of 65534 bytes refused (past the record size)");
	free(big);

	sample_session(&r, NULL, NULL);
	r.login = NULL;
	ok(ghauthp_record_encode(&r, key, sizeof(key), &n) == NULL,
	    "session without login refused");
	sample_session(&r, NULL, NULL);
	r.avatar_url = NULL;
	ok(ghauthp_record_encode(&r, key, sizeof(key), &n) == NULL,
	    "session without avatar_url refused");
	sample_state(&r, NULL);
	r.verifier[42] = '\0';
	ok(ghauthp_record_encode(&r, key, sizeof(key), &n) == NULL,
	    "state with a 42-char verifier refused");
	sample_state(&r, NULL);
	r.type = 0;
	ok(ghauthp_record_encode(&r, key, sizeof(key), &n) == NULL,
	    "type 0 refused");
	r.type = (enum ghauthp_rtype)4;
	ok(ghauthp_record_encode(&r, key, sizeof(key), &n) == NULL,
	    "type 4 refused");

	/*
	 * A long key is either refused or fully covered by the tag - never
	 * left unchecked (an all-zero dummy tag would match any such key).
	 */
	memset(k65, 'k', sizeof(k65));
	sample_handoff(&r);
	v = ghauthp_record_encode(&r, k65, sizeof(k65), &n);
	if (v == NULL) {
		/* Refused for its length, not for the record. */
		v = ghauthp_record_encode(&r, k65, 64, &n);
		ok(v != NULL, "65-byte key refused at encode (a 64-byte one "
		    "is not)");
		free(v);
	} else {
		k65[64] = 'K';
		ok(ghauthp_record_decode(k65, sizeof(k65), v, n, &out) == -1 &&
		    ghauthp_record_expires(k65, sizeof(k65), v, n, &exp) == -1,
		    "65-byte keys: the tag covers the whole key");
		k65[64] = 'k';
		free(v);
	}
	b_hdr(&b, 'g', 2, GHAUTHP_REC_HANDOFF, 0);
	b_raw(&b, key, 32);
	memset(b.p + b.n, 0, 8);
	b.n += 8;
	is_int(ghauthp_record_decode(k65, sizeof(k65), b.p, b.n, &out), -1,
	    "65-byte key and an all-zero tag -> rejected");
	b.n -= 8;
	b_seal(&b, k65, sizeof(k65));
	v = ghauthp_record_encode(&r, key, sizeof(key), &n);
	ok(v != NULL && ghauthp_record_decode(k65, sizeof(k65), v, n,
	    &out) == -1, "value of a 35-byte key refused under a 65-byte key");
	is_int(ghauthp_record_decode(key, sizeof(key), b.p, b.n, &out), -1,
	    "value sealed under a 65-byte key refused under a 35-byte key");
	free(v);
}

/* SipHash-2-4 reference vectors (key 00..0f, message 00..n-1), whole and
 * streamed a byte at a time. */
static void
test_siphash(void)
{
	static const struct {
		size_t			 n;
		unsigned long long	 want;
	} v[] = {
		{ 0, 0x726fdb47dd0e0e31ULL },
		{ 1, 0x74f839c593dc67fdULL },
		{ 15, 0xa129ca6149be45e5ULL },
		{ 63, 0x958a324ceb064572ULL },
	};
	struct ghauthp_siphash	 s;
	unsigned char		 k[16], m[64];
	size_t			 i, j;

	for (i = 0; i < 16; i++)
		k[i] = (unsigned char)i;
	for (i = 0; i < 64; i++)
		m[i] = (unsigned char)i;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		ghauthp_siphash_init(&s, k);
		ghauthp_siphash_update(&s, m, v[i].n);
		ok(ghauthp_siphash_final(&s) == v[i].want,
		    "SipHash-2-4 reference vector, %zu bytes", v[i].n);
		ghauthp_siphash_init(&s, k);
		for (j = 0; j < v[i].n; j++)
			ghauthp_siphash_update(&s, m + j, 1);
		ok(ghauthp_siphash_final(&s) == v[i].want,
		    "SipHash-2-4 streamed a byte at a time, %zu bytes", v[i].n);
	}
}

int
main(void)
{
	plan(180);
	ghauthp_key(GHAUTHP_KIND_SESSION, "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWF"
	    "OEjXk", key);
	test_siphash();
	test_roundtrip();
	test_tamper();
	test_crafted();
	test_encode_refusals();
	return done_testing();
}
