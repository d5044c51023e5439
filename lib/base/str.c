/*
 * str.c - bounded strings: copying, growing a buffer, percent- and
 * hex-encoding, and the control-byte check every header value passes.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ghauth-int.h"

char *
ghauthp_strndup(const char *s, size_t n)
{
	char	*p;

	if (s == NULL || n == SIZE_MAX)
		return NULL;
	if ((p = malloc(n + 1)) == NULL)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
ghauthp_strdup(const char *s)
{
	return s == NULL ? NULL : ghauthp_strndup(s, strlen(s));
}

/* True if s[0..n) holds a control byte (C0, DEL) - never allowed in headers. */
int
ghauthp_has_ctl(const char *s, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] == 0x7f)
			return 1;
	return 0;
}

/*
 * Appends n bytes of s to the growing NUL-terminated buffer *buf (length
 * *len, capacity *cap).  Returns 1, or 0 on overflow or allocation failure
 * (the buffer is then left as it was).
 */
int
ghauthp_str_append(char **buf, size_t *len, size_t *cap, const char *s,
    size_t n)
{
	size_t	 need, ncap;
	char	*p;

	if (n > SIZE_MAX / 2 - *len - 1)
		return 0;
	need = *len + n + 1;
	if (need > *cap) {
		ncap = *cap ? *cap : 64;
		while (ncap < need)
			ncap *= 2;
		if ((p = realloc(*buf, ncap)) == NULL)
			return 0;
		*buf = p;
		*cap = ncap;
	}
	memcpy(*buf + *len, s, n);
	*len += n;
	(*buf)[*len] = '\0';
	return 1;
}

/* RFC 3986 percent-encoding of everything but unreserved characters. */
int
ghauthp_pct_encode(char **buf, size_t *len, size_t *cap, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char		 e[3];
	unsigned char	 c;

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~') {
			if (!ghauthp_str_append(buf, len, cap, (const char *)s, 1))
				return 0;
			continue;
		}
		e[0] = '%';
		e[1] = hex[c >> 4];
		e[2] = hex[c & 15];
		if (!ghauthp_str_append(buf, len, cap, e, 3))
			return 0;
	}
	return 1;
}

void
ghauthp_hex(const unsigned char *in, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t	 i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hex[in[i] >> 4];
		out[2 * i + 1] = hex[in[i] & 15];
	}
	out[2 * n] = '\0';
}
