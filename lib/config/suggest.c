/*
 * suggest.c - "did you mean ...?": the known key an unknown configuration
 * member most resembles, so that a misspelt key is named in the error
 * that refuses it.
 */
#include "config.h"

#include <ctype.h>
#include <stdint.h>
#include <string.h>

#include "ghauth-int.h"

/* Optimal string alignment distance, ASCII case ignored; n, m <= 64. */
static size_t
distance(const char *a, size_t n, const char *b, size_t m)
{
	size_t	 d[65][65], i, j, best;
#define LC(c)	tolower((unsigned char)(c))

	for (i = 0; i <= n; i++)
		d[i][0] = i;
	for (j = 0; j <= m; j++)
		d[0][j] = j;
	for (i = 1; i <= n; i++)
		for (j = 1; j <= m; j++) {
			int	 same = LC(a[i - 1]) == LC(b[j - 1]);

			best = d[i - 1][j - 1] + !same;
			if (d[i - 1][j] + 1 < best)
				best = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && LC(a[i - 1]) == LC(b[j - 2]) &&
			    LC(a[i - 2]) == LC(b[j - 1]) &&
			    d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	return d[n][m];
#undef LC
}

/*
 * The key of keys[0..nkeys) that an unknown member name of object parent most
 * resembles (its full path), or NULL when none is reasonably close: at
 * most one edit per five characters, at least one.  A key of parent wins
 * a tie, so "restrict_to" one level too high names auth.github.restrict_to.
 */
const char *
ghauthp_key_suggest(const struct ghauthp_ckey *keys, size_t nkeys,
    const char *parent, const char *name)
{
	const char	*best = NULL, *last;
	size_t		 i, d, bestd = SIZE_MAX, n = strlen(name), plen;
	int		 here, besthere = 0;

	if (n > 64)
		return NULL;
	plen = strlen(parent);
	for (i = 0; i < nkeys; i++) {
		last = strrchr(keys[i].path, '.');
		last = last == NULL ? keys[i].path : last + 1;
		if (strlen(last) > 64)
			continue;
		d = distance(name, n, last, strlen(last));
		here = (size_t)(last - keys[i].path) == plen + 1 &&
		    strncmp(keys[i].path, parent, plen) == 0;
		if (d < bestd || (d == bestd && here && !besthere)) {
			best = keys[i].path;
			bestd = d;
			besthere = here;
		}
	}
	if (best == NULL || bestd > (n + 4) / 5)
		return NULL;
	return best;
}
