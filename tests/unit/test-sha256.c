/*
 * test-sha256.c - ghauthp_sha256 against the FIPS 180-4 example vectors, the
 * streaming interface against the one-shot digest, and, where libcrypto is
 * installed, against OpenSSL for every length around the
 * block and padding boundaries and 2,000 random inputs of 0..300 bytes at
 * random alignments.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef TEST_WITH_LIBCRYPTO
#include <openssl/evp.h>
#endif

#include "ghauth-int.h"
#include "tap.h"

static const struct {
	const char	*in;
	const char	*hex;
} vectors[] = {
	{ "",
	  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
	{ "abc",
	  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
	/* 448 bits: the padding spills into a second block. */
	{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	/* 896 bits. */
	{ "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
	  "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
	  "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" },
};

static void
hex_of(const void *in, size_t n, char out[65])
{
	unsigned char	 h[32];

	ghauthp_sha256(in, n, h);
	ghauthp_hex(h, sizeof(h), out);
}

/* xorshift64*: reproducible inputs, so a failure can be replayed. */
static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

/*
 * The streaming interface gives the one-shot digest whatever the split:
 * every cut point of a 200-byte input, and random chunk sizes.
 */
static void
test_streaming(void)
{
	struct ghauthp_sha256	 h;
	unsigned char		 in[200], one[32], two[32];
	uint64_t		 seed = 42;
	size_t			 cut, off, step, bad = 0;
	int			 k;

	for (off = 0; off < sizeof(in); off++)
		in[off] = (unsigned char)(rnd(&seed) >> 56);
	ghauthp_sha256(in, sizeof(in), one);
	for (cut = 0; cut <= sizeof(in); cut++) {
		ghauthp_sha256_init(&h);
		ghauthp_sha256_update(&h, in, cut);
		ghauthp_sha256_update(&h, in + cut, sizeof(in) - cut);
		ghauthp_sha256_final(&h, two);
		if (memcmp(one, two, 32) != 0)
			bad++;
	}
	is_int((long long)bad, 0, "streamed in two parts at every cut point");
	bad = 0;
	for (k = 0; k < 200; k++) {
		ghauthp_sha256_init(&h);
		for (off = 0; off < sizeof(in); off += step) {
			step = (size_t)(rnd(&seed) % 70);
			if (step > sizeof(in) - off)
				step = sizeof(in) - off;
			ghauthp_sha256_update(&h, in + off, step);
		}
		ghauthp_sha256_final(&h, two);
		if (memcmp(one, two, 32) != 0)
			bad++;
	}
	is_int((long long)bad, 0, "streamed in random chunks (0..69 bytes)");
	ghauthp_sha256_init(&h);
	ghauthp_sha256_final(&h, two);
	ghauthp_sha256("", 0, one);
	ok(memcmp(one, two, 32) == 0, "streamed empty input");
}

#ifdef TEST_WITH_LIBCRYPTO
static int
same_as_openssl(const unsigned char *in, size_t n)
{
	unsigned char	 ours[32], theirs[EVP_MAX_MD_SIZE];
	unsigned int	 tlen = 0;

	ghauthp_sha256(in, n, ours);
	if (EVP_Digest(in, n, theirs, &tlen, EVP_sha256(), NULL) != 1 ||
	    tlen != 32)
		return 0;
	return memcmp(ours, theirs, 32) == 0;
}

static void
test_openssl(void)
{
	unsigned char	 buf[300 + 16];
	uint64_t	 seed = 0x9e3779b97f4a7c15ULL;
	size_t		 i, n, off, bad = 0, first = 0;
	int		 k;

	/* Every length up to 300: covers 55/56/63/64/119/120 boundaries. */
	for (n = 0; n <= 300; n++) {
		for (i = 0; i < n; i++)
			buf[i] = (unsigned char)(rnd(&seed) >> 56);
		if (!same_as_openssl(buf, n) && bad++ == 0)
			first = n;
	}
	ok(bad == 0, "every length 0..300 matches OpenSSL");
	if (bad)
		diag("%zu mismatches, first at length %zu", bad, first);

	bad = 0;
	for (k = 0; k < 2000; k++) {
		n = (size_t)(rnd(&seed) % 301);
		off = (size_t)(rnd(&seed) % 16);
		for (i = 0; i < n; i++)
			buf[off + i] = (unsigned char)(rnd(&seed) >> 56);
		if (!same_as_openssl(buf + off, n) && bad++ == 0)
			first = n;
	}
	ok(bad == 0, "2000 random inputs (0..300 bytes, any alignment) "
	    "match OpenSSL");
	if (bad)
		diag("%zu mismatches, first at length %zu", bad, first);

	/* All byte values, including 0x00 and 0x80 (the padding byte). */
	for (i = 0; i < 256; i++)
		buf[i] = (unsigned char)i;
	ok(same_as_openssl(buf, 256), "bytes 0x00..0xff match OpenSSL");
}
#endif

int
main(void)
{
	char		 hex[65];
	unsigned char	 h1[32], h2[32];
	unsigned char	*big;
	size_t		 i;

#ifdef TEST_WITH_LIBCRYPTO
	plan(13);
#else
	plan(11);
#endif
	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		hex_of(vectors[i].in, strlen(vectors[i].in), hex);
		is_str(hex, vectors[i].hex, "FIPS 180-4 vector %zu (%zu bytes)",
		    i, strlen(vectors[i].in));
	}

	if ((big = malloc(1000000)) == NULL) {
		printf("Bail out! out of memory\n");
		return 1;
	}
	memset(big, 'a', 1000000);
	hex_of(big, 1000000, hex);
	is_str(hex, "cdc76e5c9914fb9281a1c7e284d73e67"
	    "f1809a48a497200e046d39ccc7112cd0", "one million 'a'");
	free(big);

	/* The length is what counts, not a terminating NUL. */
	ghauthp_sha256("abc\0def", 7, h1);
	ghauthp_sha256("abc", 3, h2);
	ok(memcmp(h1, h2, 32) != 0, "embedded NUL is hashed, not a terminator");

	/* Deterministic: the same input twice gives the same digest. */
	ghauthp_sha256("ghauth", 6, h1);
	ghauthp_sha256("ghauth", 6, h2);
	ok(memcmp(h1, h2, 32) == 0, "same input, same digest");

	test_streaming();
#ifdef TEST_WITH_LIBCRYPTO
	test_openssl();
#else
	skip("libcrypto not installed: no OpenSSL cross-check");
#endif
	return done_testing();
}
