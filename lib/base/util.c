/*
 * util.c - small helpers shared by the modules: wiping, bounded string
 * building, percent-encoding, JSON output that is safe to embed anywhere.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "ghauth-int.h"

void
ghauthp_wipe(void *p, size_t n)
{
	if (p != NULL)
		explicit_bzero(p, n);
}

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

/*
 * Serialises a jansson value as compact ASCII JSON and escapes <, > and & as
 * \u003c, \u003e, \u0026 so the text is inert even if a browser sniffs it as
 * HTML (docs/SECURITY.md, promise 17). Those bytes only occur inside
 * strings. Returns a malloc'd string or NULL.
 */
char *
ghauthp_json_dump(void *value)
{
	char	*raw, *out = NULL;
	size_t	 len = 0, cap = 0;
	const char *p;

	raw = json_dumps((json_t *)value, JSON_COMPACT | JSON_ENSURE_ASCII);
	if (raw == NULL)
		return NULL;
	for (p = raw; *p != '\0'; p++) {
		const char *rep = NULL;

		if (*p == '<')
			rep = "\\u003c";
		else if (*p == '>')
			rep = "\\u003e";
		else if (*p == '&')
			rep = "\\u0026";
		if (!ghauthp_str_append(&out, &len, &cap, rep ? rep : p,
		    rep ? 6 : 1)) {
			free(out);
			out = NULL;
			break;
		}
	}
	if (out == NULL && *raw == '\0')
		out = ghauthp_strdup("");
	free(raw);
	return out;
}

time_t
ghauthp_now(void)
{
	struct timespec	 ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) == -1)
		return time(NULL);
	return ts.tv_sec;
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

void
ghauthp_result(struct ghauthp_result *r, enum ghauth_err e, const char *detail)
{
	r->err = e;
	r->detail[0] = '\0';
	if (detail != NULL)
		snprintf(r->detail, sizeof(r->detail), "%s", detail);
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

/* write(2) until done; 1, or 0 on error.  Shared by every program's output. */
int
ghauthp_write_all(int fd, const char *p, size_t n)
{
	ssize_t	 w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return 0;
		p += w;
		n -= (size_t)w;
	}
	return 1;
}
