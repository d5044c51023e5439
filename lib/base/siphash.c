/*
 * siphash.c - SipHash-2-4 (Aumasson and Bernstein, 2012), the integrity
 * tag of store records.  The tag guards against corruption, not forgery
 * (whoever can write the store can read any key kept beside it), so a fast
 * keyed hash with a fixed key does the job at a tenth of SHA-256's cost on
 * the path every session check takes.  Checked against the reference
 * vectors in tests/unit/test-record.c.
 */
#include "config.h"

#include "ghauth-int.h"

#define ROTL(x, b)	(uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define ROUND(v0, v1, v2, v3) do {					\
	v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32);	\
	v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;				\
	v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;				\
	v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32);	\
} while (0)

static uint64_t
le64(const unsigned char *p)
{
	return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 |
	    (uint64_t)p[3] << 24 | (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 |
	    (uint64_t)p[6] << 48 | (uint64_t)p[7] << 56;
}

void
ghauthp_siphash_init(struct ghauthp_siphash *s, const unsigned char k[16])
{
	uint64_t	 k0 = le64(k), k1 = le64(k + 8);

	s->v[0] = 0x736f6d6570736575ULL ^ k0;
	s->v[1] = 0x646f72616e646f6dULL ^ k1;
	s->v[2] = 0x6c7967656e657261ULL ^ k0;
	s->v[3] = 0x7465646279746573ULL ^ k1;
	s->len = 0;
	s->n = 0;
}

static void
compress(struct ghauthp_siphash *s, uint64_t m)
{
	uint64_t	 v0 = s->v[0], v1 = s->v[1], v2 = s->v[2], v3 = s->v[3];

	v3 ^= m;
	ROUND(v0, v1, v2, v3);
	ROUND(v0, v1, v2, v3);
	v0 ^= m;
	s->v[0] = v0; s->v[1] = v1; s->v[2] = v2; s->v[3] = v3;
}

void
ghauthp_siphash_update(struct ghauthp_siphash *s, const void *data, size_t n)
{
	const unsigned char	*p = data;

	s->len += n;
	while (n > 0) {
		if (s->n == 0 && n >= 8) {
			compress(s, le64(p));
			p += 8;
			n -= 8;
			continue;
		}
		s->buf[s->n++] = *p++;
		n--;
		if (s->n == 8) {
			compress(s, le64(s->buf));
			s->n = 0;
		}
	}
}

uint64_t
ghauthp_siphash_final(struct ghauthp_siphash *s)
{
	uint64_t	 b = (uint64_t)(s->len & 0xff) << 56, v0, v1, v2, v3;
	size_t		 i;

	for (i = 0; i < s->n; i++)
		b |= (uint64_t)s->buf[i] << (8 * i);
	compress(s, b);
	v0 = s->v[0]; v1 = s->v[1]; v2 = s->v[2]; v3 = s->v[3];
	v2 ^= 0xff;
	ROUND(v0, v1, v2, v3);
	ROUND(v0, v1, v2, v3);
	ROUND(v0, v1, v2, v3);
	ROUND(v0, v1, v2, v3);
	return v0 ^ v1 ^ v2 ^ v3;
}
