/*
 * cookie.c - reading one cookie from HTTP_COOKIE (RFC 6265 section 5.4
 * cookie-string: pairs separated by ";" and optional spaces).  A name that
 * appears twice is an error, not a choice: a sibling sub-domain or another
 * Path can plant a second cookie of the same name (docs/SECURITY.md,
 * promises 7 and 15).
 */
#include "config.h"

#include <string.h>

#include "ghauth-int.h"

int
ghauthp_cookie_get(const char *hdr, const char *name, char *out, size_t outsz)
{
	const char	*p, *end, *eq, *v;
	size_t		 nlen = strlen(name), vlen;
	int		 found = 0;

	if (hdr == NULL)
		return 0;
	for (p = hdr; *p != '\0'; p = *end ? end + 1 : end) {
		while (*p == ' ' || *p == '\t')
			p++;
		end = p + strcspn(p, ";");
		eq = memchr(p, '=', (size_t)(end - p));
		if (eq == NULL || (size_t)(eq - p) != nlen ||
		    memcmp(p, name, nlen) != 0)
			continue;
		if (found)
			return -1;
		v = eq + 1;
		vlen = (size_t)(end - v);
		while (vlen > 0 && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
			vlen--;
		if (vlen >= 2 && v[0] == '"' && v[vlen - 1] == '"') {
			v++;
			vlen -= 2;
		}
		if (vlen >= outsz)
			return -1;
		memcpy(out, v, vlen);
		out[vlen] = '\0';
		found = 1;
	}
	return found;
}
