/*
 * query.c - strict QUERY_STRING parsing against a table of declared keys
 * (docs/SECURITY.md, promise 15). Undeclared keys are skipped; a declared
 * key seen twice, a bad percent escape or a decoded NUL rejects the whole
 * query. '+' is not turned into a space: no value ghauth accepts contains
 * one, so the validators refuse it.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ghauth-int.h"

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Percent-decodes s[0..n) into out (room for n + 1); %00 is refused.
 * Returns the length or -1.  Also used for the userinfo of a Redis URL.
 */
long
ghauthp_pct_decode(const char *s, size_t n, char *out)
{
	size_t	 i, o = 0;
	int	 hi, lo;

	for (i = 0; i < n; i++) {
		if (s[i] != '%') {
			out[o++] = s[i];
			continue;
		}
		if (i + 2 >= n)
			return -1;
		if ((hi = hexval(s[i + 1])) < 0 || (lo = hexval(s[i + 2])) < 0)
			return -1;
		if (hi == 0 && lo == 0)
			return -1;
		out[o++] = (char)(hi << 4 | lo);
		i += 2;
	}
	out[o] = '\0';
	return (long)o;
}

enum ghauth_err
ghauthp_query_parse(const char *qs, const struct ghauthp_qkey *keys,
    size_t nkeys, struct ghauthp_qval *vals)
{
	const char	*p, *amp, *eq;
	char		*kbuf = NULL, *vbuf = NULL;
	size_t		 qlen, seglen, i;
	long		 klen, vlen;
	enum ghauth_err	 rc = GHAUTH_OK;

	memset(vals, 0, nkeys * sizeof(*vals));
	if (qs == NULL || *qs == '\0')
		return GHAUTH_OK;
	if ((qlen = strlen(qs)) > GHAUTHP_QUERY_MAX)
		return GHAUTH_E_TOOLARGE;
	if ((kbuf = malloc(qlen + 1)) == NULL ||
	    (vbuf = malloc(qlen + 1)) == NULL) {
		free(kbuf);
		return GHAUTH_E_NOMEM;
	}
	for (p = qs; *p != '\0'; p = *amp ? amp + 1 : amp) {
		amp = p + strcspn(p, "&");
		seglen = (size_t)(amp - p);
		if (seglen == 0)
			continue;
		eq = memchr(p, '=', seglen);
		klen = ghauthp_pct_decode(p, eq ? (size_t)(eq - p) : seglen,
		    kbuf);
		vlen = eq ? ghauthp_pct_decode(eq + 1, seglen - (size_t)(eq - p) - 1,
		    vbuf) : 0;
		if (!eq)
			vbuf[0] = '\0';
		if (klen < 0 || vlen < 0) {
			rc = GHAUTH_E_BADREQ;
			goto out;
		}
		for (i = 0; i < nkeys; i++)
			if (strcmp(keys[i].name, kbuf) == 0)
				break;
		if (i == nkeys)
			continue;
		if (vals[i].present) {
			rc = GHAUTH_E_BADREQ;
			goto out;
		}
		vals[i].present = 1;
		vals[i].empty = vlen == 0;
		if (vlen > 0 && keys[i].valid(vbuf, (size_t)vlen)) {
			if ((vals[i].value = ghauthp_strndup(vbuf,
			    (size_t)vlen)) == NULL) {
				rc = GHAUTH_E_NOMEM;
				goto out;
			}
			vals[i].valid = 1;
		}
	}
out:
	if (vbuf != NULL)
		ghauthp_wipe(vbuf, qlen + 1);
	if (kbuf != NULL)
		ghauthp_wipe(kbuf, qlen + 1);
	free(kbuf);
	free(vbuf);
	if (rc != GHAUTH_OK)
		ghauthp_query_free(vals, nkeys);
	return rc;
}

void
ghauthp_query_free(struct ghauthp_qval *vals, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (vals[i].value != NULL)
			ghauthp_wipe(vals[i].value, strlen(vals[i].value));
		free(vals[i].value);
		vals[i].value = NULL;
		vals[i].valid = 0;
	}
}

static int
charset(const char *s, size_t n, const char *extra)
{
	size_t	 i;
	char	 c;

	for (i = 0; i < n; i++) {
		c = s[i];
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9'))
			continue;
		if (c == '\0' || strchr(extra, c) == NULL)
			return 0;
	}
	return 1;
}

/* A token (state, session, hand-off): the canonical base64url of 32 bytes. */
int
ghauthp_valid_token(const char *s, size_t n)
{
	unsigned char	 raw[32];

	return n == GHAUTHP_TOKEN_LEN && charset(s, n, "-_") &&
	    ghauthp_b64url_decode(s, n, raw, sizeof(raw));
}

/* GitHub's code: opaque, in practice 20 hex digits. */
int
ghauthp_valid_code(const char *s, size_t n)
{
	return n >= 1 && n <= 256 && charset(s, n, "-_.~");
}

/* An OAuth error code (RFC 6749 4.1.2.1): we accept [a-z0-9_]. */
int
ghauthp_valid_error(const char *s, size_t n)
{
	size_t	 i;

	if (n < 1 || n > 64)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' &&
		    s[i] <= '9') || s[i] == '_'))
			return 0;
	return 1;
}

/*
 * A post-sign-in target: a same-site relative path.  It starts with exactly
 * one '/' (not "//" or "/\"), holds printable ASCII only, no fragment, no
 * backslash or quote, and percent signs only as escapes.
 */
int
ghauthp_valid_redirect(const char *s, size_t n)
{
	size_t	 i;

	if (n < 1 || n > 1024 || s[0] != '/' || (n > 1 && (s[1] == '/' ||
	    s[1] == '\\')))
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= 0x20 || c >= 0x7f || strchr("\\\"#<>`{}|^'", c))
			return 0;
		if (c == '%' && (i + 2 >= n || hexval(s[i + 1]) < 0 ||
		    hexval(s[i + 2]) < 0))
			return 0;
	}
	return 1;
}
