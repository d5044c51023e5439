/*
 * test-base64.c - base64url without padding (tokens, PKCE) and standard
 * base64 (CSP hashes): RFC 4648 section 10 vectors, round trips for every
 * input length 0..64, buffer-size limits, and the strict decoder's
 * rejections (wrong length, characters outside the url alphabet, padding,
 * non-zero unused bits, NUL), which make every value have one spelling.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "ghauth-int.h"
#include "tap.h"

/* RFC 4648 section 10, and the same without padding in the url alphabet. */
static const struct {
	const char	*in;
	const char	*std;
	const char	*url;
} rfc4648[] = {
	{ "",		"",		"" },
	{ "f",		"Zg==",		"Zg" },
	{ "fo",		"Zm8=",		"Zm8" },
	{ "foo",	"Zm9v",		"Zm9v" },
	{ "foob",	"Zm9vYg==",	"Zm9vYg" },
	{ "fooba",	"Zm9vYmE=",	"Zm9vYmE" },
	{ "foobar",	"Zm9vYmFy",	"Zm9vYmFy" },
};

/* Where the alphabets differ: 0xfb 0xff / 0xfe encode to + / (std) or - _. */
static const struct {
	const unsigned char	 in[3];
	size_t			 n;
	const char		*std;
	const char		*url;
} alphabet[] = {
	{ { 0xfb, 0xff, 0xbf }, 3, "+/+/", "-_-_" },
	{ { 0xff, 0xff, 0xff }, 3, "////", "____" },
	{ { 0x00, 0x00, 0x00 }, 3, "AAAA", "AAAA" },
	{ { 0xff }, 1, "/w==", "_w" },
	{ { 0xff, 0xfe }, 2, "//4=", "__4" },
};

/* Strings the decoder must refuse for a given output size. */
static const struct {
	const char	*in;
	size_t		 outsz;
	const char	*why;
} bad[] = {
	{ "Zg=",	1, "padding '=' (wrong length)" },
	{ "Zg==",	1, "padding '==' (wrong length)" },
	{ "Z",		1, "too short" },
	{ "Zg",		2, "length of 1 byte for 2" },
	{ "Zm9",	1, "length of 2 bytes for 1" },
	{ "Zm9vY",	4, "5 characters (never a valid length)" },
	{ "Zh",		1, "non-zero unused bits (Zh)" },
	{ "Zm9",	2, "non-zero unused bits (Zm9)" },
	{ "Zm/",	2, "'/' (std alphabet)" },
	{ "Zm+",	2, "'+' (std alphabet)" },
	{ "Z=8",	2, "'=' inside" },
	{ "Zm.",	2, "'.'" },
	{ "Zm ",	2, "space" },
	{ "Zm\n",	2, "newline" },
	{ "Zm\xc3",	2, "high byte" },
	{ "Zm9v",	2, "too long for the buffer" },
	{ "A",		0, "one character for zero bytes" },
};

/* 43 characters ending in a character with its low two bits set. */
static const char *const bad_tail[] = {
	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB",
	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAC",
	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAD",
	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA_",
	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA-",
	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAz",
};

static void
test_vectors(void)
{
	char		 out[64];
	unsigned char	 raw[16];
	size_t		 i, n;

	for (i = 0; i < sizeof(rfc4648) / sizeof(rfc4648[0]); i++) {
		n = strlen(rfc4648[i].in);
		is_int((long long)ghauthp_b64_encode(
		    (const unsigned char *)rfc4648[i].in, n, out, sizeof(out)),
		    (long long)strlen(rfc4648[i].std),
		    "std length of \"%s\"", rfc4648[i].in);
		is_str(out, rfc4648[i].std, "std base64 of \"%s\"",
		    rfc4648[i].in);
		is_int((long long)ghauthp_b64url_encode(
		    (const unsigned char *)rfc4648[i].in, n, out, sizeof(out)),
		    (long long)strlen(rfc4648[i].url),
		    "url length of \"%s\"", rfc4648[i].in);
		is_str(out, rfc4648[i].url, "base64url of \"%s\"",
		    rfc4648[i].in);
		memset(raw, 0xaa, sizeof(raw));
		ok(ghauthp_b64url_decode(rfc4648[i].url,
		    strlen(rfc4648[i].url), raw, n) == 1 &&
		    memcmp(raw, rfc4648[i].in, n) == 0,
		    "decode \"%s\"", rfc4648[i].url);
	}
	for (i = 0; i < sizeof(alphabet) / sizeof(alphabet[0]); i++) {
		ghauthp_b64_encode(alphabet[i].in, alphabet[i].n, out,
		    sizeof(out));
		is_str(out, alphabet[i].std, "std alphabet, case %zu", i);
		ghauthp_b64url_encode(alphabet[i].in, alphabet[i].n, out,
		    sizeof(out));
		is_str(out, alphabet[i].url, "url alphabet, case %zu", i);
		ok(ghauthp_b64url_decode(alphabet[i].url,
		    strlen(alphabet[i].url), raw, alphabet[i].n) == 1 &&
		    memcmp(raw, alphabet[i].in, alphabet[i].n) == 0,
		    "decode %s", alphabet[i].url);
		ok(ghauthp_b64url_decode(alphabet[i].std,
		    strlen(alphabet[i].std), raw, alphabet[i].n) ==
		    (strcmp(alphabet[i].std, alphabet[i].url) == 0),
		    "decode of std spelling %s only if it is also url",
		    alphabet[i].std);
	}
}

static void
test_roundtrip(void)
{
	unsigned char	 in[64], back[64];
	char		 enc[128];
	size_t		 n, i, len, want;
	int		 fails = 0;

	for (n = 0; n <= 64; n++) {
		for (i = 0; i < n; i++)
			in[i] = (unsigned char)(i * 37 + n * 11 + 0x80);
		want = n / 3 * 4 + (n % 3 ? n % 3 + 1 : 0);
		len = ghauthp_b64url_encode(in, n, enc, sizeof(enc));
		if (len != want || strlen(enc) != want ||
		    strspn(enc, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstu"
		    "vwxyz0123456789-_") != want) {
			diag("length %zu: encoded to %zu chars \"%s\"", n, len,
			    enc);
			fails++;
			continue;
		}
		memset(back, 0x55, sizeof(back));
		if (ghauthp_b64url_decode(enc, len, back, n) != 1 ||
		    memcmp(in, back, n) != 0) {
			diag("length %zu: round trip failed", n);
			fails++;
		}
		/* The same text never decodes to a different size. */
		if (n > 0 && ghauthp_b64url_decode(enc, len, back, n - 1) != 0) {
			diag("length %zu: decoded as %zu bytes", n, n - 1);
			fails++;
		}
		if (ghauthp_b64url_decode(enc, len, back, n + 1) != 0) {
			diag("length %zu: decoded as %zu bytes", n, n + 1);
			fails++;
		}
	}
	is_int(fails, 0, "base64url round trips for 0..64 bytes");

	fails = 0;
	for (n = 0; n <= 64; n++) {
		for (i = 0; i < n; i++)
			in[i] = (unsigned char)(255 - i * 7);
		len = ghauthp_b64_encode(in, n, enc, sizeof(enc));
		if (len != (n + 2) / 3 * 4 || len % 4 != 0)
			fails++;
	}
	is_int(fails, 0, "std base64 lengths are padded to 4 for 0..64 bytes");
}

static void
test_sizes(void)
{
	const unsigned char	 raw[32] = { 1, 2, 3 };
	char			 out[64];

	/* Exactly the room for the text and its NUL. */
	is_int((long long)ghauthp_b64url_encode(raw, 32, out, 44), 43,
	    "url: 32 bytes fit in 44");
	is_int((long long)ghauthp_b64url_encode(raw, 32, out, 43), 0,
	    "url: 32 bytes do not fit in 43 (no room for NUL)");
	is_int((long long)ghauthp_b64_encode(raw, 32, out, 45), 44,
	    "std: 32 bytes fit in 45");
	is_int((long long)ghauthp_b64_encode(raw, 32, out, 44), 0,
	    "std: 32 bytes do not fit in 44");
	is_int((long long)ghauthp_b64url_encode(raw, 1, out, 2), 0,
	    "url: 1 byte does not fit in 2");
	memset(out, 'x', sizeof(out));
	is_int((long long)ghauthp_b64url_encode(raw, 0, out, 1), 0,
	    "url: 0 bytes encode to nothing");
	is_int(out[0], 0, "url: 0 bytes still NUL-terminate");
}

static void
test_reject(void)
{
	unsigned char	 raw[64];
	char		 tok[44];
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		is_int(ghauthp_b64url_decode(bad[i].in, strlen(bad[i].in), raw,
		    bad[i].outsz), 0, "decode rejects %s", bad[i].why);
	for (i = 0; i < sizeof(bad_tail) / sizeof(bad_tail[0]); i++)
		is_int(ghauthp_b64url_decode(bad_tail[i], 43, raw, 32), 0,
		    "43 chars ending in '%c' (low bits set) rejected",
		    bad_tail[i][42]);
	is_int(ghauthp_b64url_decode("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE",
	    43, raw, 32), 1, "43 chars ending in 'E' (low bits clear) accepted");
	/* A NUL inside the counted length. */
	memcpy(tok, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 44);
	tok[20] = '\0';
	is_int(ghauthp_b64url_decode(tok, 43, raw, 32), 0,
	    "NUL inside a 43-char token rejected");
	is_int(ghauthp_b64url_decode("Zg\0", 3, raw, 2), 0,
	    "trailing NUL counted in the length rejected");
	is_int(ghauthp_b64url_decode("", 0, raw, 0), 1,
	    "empty string decodes to zero bytes");
}

/* Every byte value: accepted exactly when it is in the url alphabet. */
static void
test_alphabet(void)
{
	static const char url[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	unsigned char	 raw[3];
	char		 in[4] = { 'A', 'A', 'A', 0 };
	int		 c, want, wrong = 0;

	for (c = 0; c < 256; c++) {
		in[3] = (char)c;
		want = c != 0 && memchr(url, c, 64) != NULL;
		if (ghauthp_b64url_decode(in, 4, raw, 3) != want) {
			diag("byte 0x%02x: decode gave %d", c, !want);
			wrong++;
		}
		if (want && raw[2] != (unsigned char)((const char *)memchr(url,
		    c, 64) - url)) {
			diag("byte 0x%02x: decoded to %u", c, raw[2]);
			wrong++;
		}
	}
	is_int(wrong, 0, "each of the 256 byte values decodes iff in [A-Za-z0-9_-]");
}

int
main(void)
{
	plan(92);
	test_vectors();
	test_alphabet();
	test_roundtrip();
	test_sizes();
	test_reject();
	return done_testing();
}
