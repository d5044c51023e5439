/*
 * base64.c - base64url without padding (RFC 4648 section 5) for tokens and
 * the PKCE challenge (RFC 7636 appendix A), and standard base64 for CSP
 * hashes.
 */
#include "config.h"

#include <string.h>

#include "ghauth-int.h"

static const char b64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
static const char b64std[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static size_t
encode(const char *alpha, int pad, const unsigned char *in, size_t n,
    char *out, size_t sz)
{
	size_t	 i, o = 0, need;
	uint32_t v;

	need = pad ? (n + 2) / 3 * 4 : n / 3 * 4 + (n % 3 ? n % 3 + 1 : 0);
	if (need + 1 > sz)
		return 0;
	for (i = 0; i + 2 < n; i += 3) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		out[o++] = alpha[v >> 18 & 63];
		out[o++] = alpha[v >> 12 & 63];
		out[o++] = alpha[v >> 6 & 63];
		out[o++] = alpha[v & 63];
	}
	if (n - i == 1) {
		v = (uint32_t)in[i] << 16;
		out[o++] = alpha[v >> 18 & 63];
		out[o++] = alpha[v >> 12 & 63];
		if (pad) {
			out[o++] = '=';
			out[o++] = '=';
		}
	} else if (n - i == 2) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
		out[o++] = alpha[v >> 18 & 63];
		out[o++] = alpha[v >> 12 & 63];
		out[o++] = alpha[v >> 6 & 63];
		if (pad)
			out[o++] = '=';
	}
	out[o] = '\0';
	return o;
}

/* Returns the length written (excluding NUL), or 0 if sz is too small. */
size_t
ghauthp_b64url_encode(const unsigned char *in, size_t n, char *out, size_t sz)
{
	return encode(b64url, 0, in, n, out, sz);
}

size_t
ghauthp_b64_encode(const unsigned char *in, size_t n, char *out, size_t sz)
{
	return encode(b64std, 1, in, n, out, sz);
}

/* Value of a base64url character, or -1 (no strchr: this runs per request). */
static int
val(char c)
{
	unsigned char	 u = (unsigned char)c;

	if (u >= 'A' && u <= 'Z')
		return u - 'A';
	if (u >= 'a' && u <= 'z')
		return u - 'a' + 26;
	if (u >= '0' && u <= '9')
		return u - '0' + 52;
	if (u == '-')
		return 62;
	if (u == '_')
		return 63;
	return -1;
}

/*
 * Strict decoding of unpadded base64url: the length must be exactly that of
 * an encoding of outsz bytes and unused trailing bits must be zero, so each
 * value has one spelling.  Returns 1 or 0.
 */
int
ghauthp_b64url_decode(const char *in, size_t n, unsigned char *out,
    size_t outsz)
{
	size_t	 i, o = 0;
	uint32_t v = 0;
	int	 bits = 0, d;

	if (n != outsz / 3 * 4 + (outsz % 3 ? outsz % 3 + 1 : 0))
		return 0;
	for (i = 0; i < n; i++) {
		if ((d = val(in[i])) < 0)
			return 0;
		v = v << 6 | (uint32_t)d;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(v >> bits);
			v &= (1u << bits) - 1;
		}
	}
	return v == 0 && o == outsz;
}
