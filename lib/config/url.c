/*
 * url.c - the URLs a configuration may hold: absolute, https (http only
 * for a loopback host: RFC 9700 section 2.6), with a plain host[:port]
 * authority - no user:password@, no fragment, nothing that needs escaping.
 */
#include "config.h"

#include <ctype.h>
#include <string.h>

#include "ghauth-int.h"

static int
is_loopback_host(const char *h, size_t n)
{
	return (n == 9 && strncmp(h, "localhost", 9) == 0) ||
	    (n == 9 && strncmp(h, "127.0.0.1", 9) == 0) ||
	    (n == 5 && strncmp(h, "[::1]", 5) == 0);
}

/*
 * host[:port] or [IPv6][:port]: a name of letters, digits, '-' and '.', or a
 * bracketed address of hex digits, ':' and '.'; a port of 1-5 digits.
 */
static int
valid_authority(const char *h, size_t n)
{
	size_t	 i = 0, hend, digits;

	if (h[0] == '[') {
		for (i = 1; i < n && h[i] != ']'; i++)
			if (!isxdigit((unsigned char)h[i]) && h[i] != ':' &&
			    h[i] != '.')
				return 0;
		if (i == n || i == 1)
			return 0;
		hend = ++i;
	} else {
		for (; i < n && h[i] != ':'; i++)
			if (!isalnum((unsigned char)h[i]) && h[i] != '-' &&
			    h[i] != '.')
				return 0;
		if (i == 0)
			return 0;
		hend = i;
	}
	if (hend == n)
		return 1;
	if (h[hend] != ':')
		return 0;
	for (digits = 0, i = hend + 1; i < n; i++, digits++)
		if (!isdigit((unsigned char)h[i]))
			return 0;
	return digits >= 1 && digits <= 5;
}

/*
 * Checks an absolute http(s) URL and returns the length of its origin
 * (scheme://host[:port]) or 0.  http is accepted only when allow_http is
 * set and the host is a loopback name (RFC 9700 section 2.6).
 */
size_t
ghauthp_url_origin(const char *u, int allow_http, int *secure)
{
	const char	*host;
	size_t		 i, n = strlen(u), hlen;

	if (n == 0 || n > GHAUTHP_URL_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)u[i] <= 0x20 || (unsigned char)u[i] >= 0x7f ||
		    u[i] == '#' || u[i] == '\\' || u[i] == '"' || u[i] == '<' ||
		    u[i] == '>')
			return 0;
	if (strncmp(u, "https://", 8) == 0) {
		host = u + 8;
		*secure = 1;
	} else if (allow_http && strncmp(u, "http://", 7) == 0) {
		host = u + 7;
		*secure = 0;
	} else
		return 0;
	hlen = strcspn(host, "/?");
	if (hlen == 0 || memchr(host, '@', hlen) != NULL)
		return 0;
	if (!valid_authority(host, hlen))
		return 0;
	if (!*secure) {
		size_t	 namelen = hlen;
		const char *colon = host[0] == '[' ?
		    memchr(host, ']', hlen) : memchr(host, ':', hlen);

		if (colon != NULL && host[0] == '[')
			namelen = (size_t)(colon - host) + 1;
		else if (colon != NULL)
			namelen = (size_t)(colon - host);
		if (!is_loopback_host(host, namelen))
			return 0;
	}
	return (size_t)(host - u) + hlen;
}
