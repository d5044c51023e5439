/*
 * json_out.c - JSON output, all of it: a small string writer for the
 * responses on the hot path (/auth/session answers on every page load;
 * building it with jansson cost a quarter of the request), and
 * ghauthp_json_dump() for the jansson values of the other answers, escaped
 * the same way.  Output is pure ASCII: every non-ASCII
 * code point becomes \uXXXX (surrogate pairs above U+FFFF), invalid UTF-8
 * becomes U+FFFD, and <, >, & are escaped too so the text stays inert if
 * something sniffs it as HTML (docs/SECURITY.md, promise 17;
 * U+2028/2029 included).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ghauth-int.h"

/* Decodes one UTF-8 sequence at s (n bytes left); returns its length. */
static size_t
utf8(const unsigned char *s, size_t n, unsigned long *cp)
{
	size_t		 len, i;
	unsigned long	 c;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		c = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		c = s[0] & 0x07;
	} else
		goto bad;
	if (len > n)
		goto bad;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			goto bad;
		c = c << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates, beyond U+10FFFF. */
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		goto bad;
	*cp = c;
	return len;
bad:
	*cp = 0xfffd;
	return 1;
}

/* Appends s as a JSON string literal (or null).  Returns 1, or 0. */
int
ghauthp_json_str(char **buf, size_t *len, size_t *cap, const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 n, k;
	unsigned long		 cp;
	char			 e[16];
	int			 ok = 1;

	if (s == NULL)
		return ghauthp_str_append(buf, len, cap, "null", 4);
	n = strlen(s);
	ok = ghauthp_str_append(buf, len, cap, "\"", 1);
	while (ok && n > 0) {
		/* Runs of plain characters in one copy. */
		for (k = 0; k < n && p[k] >= 0x20 && p[k] < 0x7f &&
		    p[k] != '"' && p[k] != '\\' && p[k] != '<' && p[k] != '>' &&
		    p[k] != '&'; k++)
			;
		if (k > 0) {
			ok = ghauthp_str_append(buf, len, cap, (const char *)p,
			    k);
			p += k;
			n -= k;
			continue;
		}
		k = utf8(p, n, &cp);
		p += k;
		n -= k;
		if (cp == '"' || cp == '\\')
			snprintf(e, sizeof(e), "\\%c", (int)cp);
		else if (cp >= 0x10000)
			snprintf(e, sizeof(e), "\\u%04lx\\u%04lx",
			    0xd800 + ((cp - 0x10000) >> 10),
			    0xdc00 + ((cp - 0x10000) & 0x3ff));
		else
			snprintf(e, sizeof(e), "\\u%04lx", cp);
		ok = ghauthp_str_append(buf, len, cap, e, strlen(e));
	}
	return ok && ghauthp_str_append(buf, len, cap, "\"", 1);
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
