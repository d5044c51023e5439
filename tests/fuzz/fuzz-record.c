/*
 * fuzz-record.c - decoding store records.  The first 35 bytes are the key,
 * the rest the value.  The value is decoded twice: as it is (the tag then
 * almost never matches, which exercises the checks in front of it), and
 * with a correct tag written over its last TAGLEN bytes, so that the fuzzer
 * reaches the field parser behind the tag.  Invariants: decode and
 * ghauthp_record_expires() agree, and a decoded record encodes back to
 * exactly the same bytes (the format has one encoding per record).
 *
 * retag() repeats record.c's tag; the first call checks it against the
 * encoder, so a change of the record format stops every run at once
 * ("retag no longer matches") instead of silently fuzzing less.
 */
#include "config.h"

#include "ghauth-int.h"
#include "fuzz.h"

#define KEYLEN	GHAUTHP_KEY_LEN
#define TAGLEN	8

/* record.c's tag: SipHash-2-4 keyed "ghauth-record-v2" of key || value. */
static void
retag(const uint8_t *key, uint8_t *v, size_t n)
{
	static const unsigned char k[16] = "ghauth-record-v2";
	struct ghauthp_siphash	 h;
	uint64_t		 t;
	int			 i;

	ghauthp_siphash_init(&h, k);
	ghauthp_siphash_update(&h, key, KEYLEN);
	ghauthp_siphash_update(&h, v, n - TAGLEN);
	t = ghauthp_siphash_final(&h);
	for (i = 0; i < TAGLEN; i++)
		v[n - TAGLEN + i] = (uint8_t)(t >> (8 * i));
}

static void
selfcheck(void)
{
	static int		 done;
	struct ghauthp_record	 r;
	unsigned char		 key[KEYLEN], *enc, *copy;
	size_t			 n;

	if (done)
		return;
	done = 1;
	memset(&r, 0, sizeof(r));
	memset(key, 'k', sizeof(key));
	r.type = GHAUTHP_REC_HANDOFF;
	r.expires = 1;
	enc = ghauthp_record_encode(&r, key, sizeof(key), &n);
	if (enc == NULL || n < TAGLEN || (copy = malloc(n)) == NULL) {
		free(enc);
		return;		/* out of memory (fuzz-oom-record) */
	}
	memcpy(copy, enc, n);
	memset(copy + n - TAGLEN, 0, TAGLEN);
	retag(key, copy, n);
	if (memcmp(copy, enc, n) != 0) {
		fprintf(stderr, "fuzz-record: retag no longer matches "
		    "record.c's tag: update tests/fuzz/fuzz-record.c\n");
		abort();
	}
	free(copy);
	free(enc);
}

static void
one(const uint8_t *key, const uint8_t *v, size_t n)
{
	struct ghauthp_record	 r;
	unsigned char		*enc;
	size_t			 elen;
	int64_t			 exp;
	int			 rc;

	rc = ghauthp_record_decode(key, KEYLEN, v, n, &r);
	if (rc != 0) {
		FUZZ_CHECK(r.login == NULL && r.redirect == NULL);
		return;
	}
	FUZZ_CHECK(ghauthp_record_expires(key, KEYLEN, v, n, &exp) == 0);
	FUZZ_CHECK(exp == r.expires);
	enc = ghauthp_record_encode(&r, key, KEYLEN, &elen);
	FUZZ_CHECK(enc != NULL);
	/*
	 * A version 3 record re-encodes to the same bytes; a version 2 one
	 * (still read, written before sessions had groups) to version 3.
	 */
	if (enc != NULL && v[1] == 3)
		FUZZ_CHECK(elen == n && memcmp(enc, v, n) == 0);
	else if (enc != NULL) {
		struct ghauthp_record	 r2;

		FUZZ_CHECK(v[1] == 2 && enc[1] == 3);
		FUZZ_CHECK(ghauthp_record_decode(key, KEYLEN, enc, elen, &r2) ==
		    0 && r2.type == r.type && r2.expires == r.expires &&
		    r2.groups == NULL);
		ghauthp_record_free(&r2);
	}
	free(enc);
	ghauthp_record_free(&r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t		*v;
	size_t		 n;
	int64_t		 exp;

	selfcheck();
	if (size < KEYLEN)
		return 0;
	n = size - KEYLEN;
	(void)ghauthp_record_expires(data, KEYLEN, data + KEYLEN, n, &exp);
	one(data, data + KEYLEN, n);
	if (n < TAGLEN || n > GHAUTHP_RECORD_MAX || (v = malloc(n)) == NULL)
		return 0;
	memcpy(v, data + KEYLEN, n);
	retag(data, v, n);
	one(data, v, n);
	free(v);
	return 0;
}
