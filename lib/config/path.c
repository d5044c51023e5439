/*
 * path.c - a protected directory's path as the guard compares it: absolute,
 * normalised, and refused when it could mean something else.
 */
#include "config.h"

#include <string.h>

#include "ghauth-int.h"

/*
 * Checks and normalises the configured root into out: an absolute path,
 * not "/", without "." or ".." components (duplicate and trailing slashes
 * are dropped).  Returns 1, or 0 if it is unusable.
 */
int
ghauthp_guard_root(const char *root, char *out, size_t sz)
{
	const char	*p = root;
	size_t		 n, len = 0;

	if (root == NULL || root[0] != '/' || sz < 2)
		return 0;
	while (*p != '\0') {
		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		n = strcspn(p, "/");
		if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' &&
		    p[1] == '.') || ghauthp_has_ctl(p, n))
			return 0;
		if (len + 1 + n >= sz)
			return 0;
		out[len++] = '/';
		memcpy(out + len, p, n);
		len += n;
		p += n;
	}
	out[len] = '\0';
	return len > 0;
}
