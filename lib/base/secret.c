/*
 * secret.c - secrets in memory: wiped when done with, compared in constant
 * time, and named in the log only by a tag that does not reveal them
 * (docs/SECURITY.md).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "ghauth-int.h"

void
ghauthp_wipe(void *p, size_t n)
{
	if (p != NULL)
		explicit_bzero(p, n);
}

int
ghauthp_ct_equal(const void *a, const void *b, size_t n)
{
	const volatile unsigned char *x = a, *y = b;
	unsigned char	 d = 0;
	size_t		 i;

	for (i = 0; i < n; i++)
		d |= x[i] ^ y[i];
	return d == 0;
}

/*
 * A log tag for a token: the first 8 hex digits of SHA-256("log:" token).
 * It identifies a token across log lines without revealing it or its key.
 */
void
ghauthp_token_tag(const char *token, char tag[9])
{
	unsigned char	 h[32];
	char		 buf[4 + GHAUTHP_TOKEN_LEN + 1];
	char		 hex[65];
	int		 n;

	n = snprintf(buf, sizeof(buf), "log:%s", token);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	ghauthp_sha256(buf, (size_t)n, h);
	ghauthp_hex(h, 4, hex);
	memcpy(tag, hex, 9);
	ghauthp_wipe(buf, sizeof(buf));
}
