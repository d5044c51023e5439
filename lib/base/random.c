/*
 * random.c - randomness from the kernel only (getrandom(2)), failing
 * closed, and the 43-character base64url tokens built from it (RFC 6749
 * section 10.10: 256 bits, well past the 2^-160 guessing bound).
 */
#include "config.h"

#include <errno.h>
#include <sys/random.h>

#include "ghauth-int.h"

/* Fills buf with n random bytes.  Returns 1, or 0 (nothing usable). */
int
ghauthp_random(void *buf, size_t n)
{
	unsigned char	*p = buf;
	ssize_t		 r;

	while (n > 0) {
		r = getrandom(p, n, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			ghauthp_log("getrandom failed: errno %d", errno);
			return 0;
		}
		p += r;
		n -= (size_t)r;
	}
	return 1;
}

/* A fresh 32-byte token as 43 base64url characters.  Returns 1 or 0. */
int
ghauthp_token(char out[GHAUTHP_TOKEN_LEN + 1])
{
	unsigned char	 raw[32];
	int		 ok;

	ok = ghauthp_random(raw, sizeof(raw)) &&
	    ghauthp_b64url_encode(raw, sizeof(raw), out, GHAUTHP_TOKEN_LEN + 1) ==
	    GHAUTHP_TOKEN_LEN;
	ghauthp_wipe(raw, sizeof(raw));
	if (!ok)
		out[0] = '\0';
	return ok;
}
