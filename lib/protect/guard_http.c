/*
 * guard_http.c - the HTTP details of serving a static file (RFC 9110):
 * Content-Type from a small built-in table, Last-Modified and ETag,
 * conditional requests (section 13: If-None-Match before If-Modified-Since)
 * and a single byte range (section 14), with If-Range.  Every parser is
 * strict and bounded; anything it does not understand is ignored, which
 * always leaves a correct answer: the whole file with 200.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "ghauth-int.h"
#include "protect.h"

#define HDR_MAX		1024	/* longest conditional/range header read */
#define DIGITS_MAX	18	/* fits a long long */

static const struct {
	const char	*ext;
	const char	*type;
} types[] = {
	{ "html", "text/html; charset=utf-8" },
	{ "htm", "text/html; charset=utf-8" },
	{ "txt", "text/plain; charset=utf-8" },
	{ "md", "text/markdown; charset=utf-8" },
	{ "csv", "text/csv; charset=utf-8" },
	{ "css", "text/css; charset=utf-8" },
	{ "js", "text/javascript; charset=utf-8" },
	{ "mjs", "text/javascript; charset=utf-8" },
	{ "json", "application/json" },
	{ "map", "application/json" },
	{ "xml", "application/xml" },
	{ "pdf", "application/pdf" },
	{ "wasm", "application/wasm" },
	{ "zip", "application/zip" },
	{ "gz", "application/gzip" },
	{ "tar", "application/x-tar" },
	{ "svg", "image/svg+xml" },
	{ "png", "image/png" },
	{ "jpg", "image/jpeg" },
	{ "jpeg", "image/jpeg" },
	{ "gif", "image/gif" },
	{ "webp", "image/webp" },
	{ "avif", "image/avif" },
	{ "ico", "image/vnd.microsoft.icon" },
	{ "woff", "font/woff" },
	{ "woff2", "font/woff2" },
	{ "ttf", "font/ttf" },
	{ "otf", "font/otf" },
	{ "mp3", "audio/mpeg" },
	{ "ogg", "audio/ogg" },
	{ "wav", "audio/wav" },
	{ "mp4", "video/mp4" },
	{ "webm", "video/webm" },
};

/* The Content-Type for a file name (case-insensitive extension). */
const char *
ghauthp_mime_type(const char *name)
{
	const char	*dot = strrchr(name, '.');
	size_t		 i;

	if (dot != NULL && dot != name)
		for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
			if (strcasecmp(dot + 1, types[i].ext) == 0)
				return types[i].type;
	return "application/octet-stream";
}

/*
 * Does name end with one of the extensions in list (".cgi .pl", separated
 * by commas and/or spaces; case-insensitive)?  A bare name (".cgi" itself)
 * does not count.
 */
int
ghauthp_ext_match(const char *name, const char *list)
{
	size_t	 n = strlen(name), e;

	while (list != NULL && *list != '\0') {
		list += strspn(list, ", \t");
		e = strcspn(list, ", \t");
		if (e > 1 && list[0] == '.' && n > e &&
		    strncasecmp(name + n - e, list, e) == 0)
			return 1;
		list += e;
	}
	return 0;
}

static const char wdays[7][4] = {
	"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
};
static const char months[12][4] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};

/* IMF-fixdate (RFC 9110 5.6.7), independent of the locale. */
int
ghauthp_http_date(time_t t, char *buf, size_t sz)
{
	struct tm	 tm;
	int		 n;

	if (gmtime_r(&t, &tm) == NULL || tm.tm_wday < 0 || tm.tm_wday > 6 ||
	    tm.tm_mon < 0 || tm.tm_mon > 11)
		return 0;
	n = snprintf(buf, sz, "%s, %02d %s %04d %02d:%02d:%02d GMT",
	    wdays[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
	return n > 0 && (size_t)n < sz;
}

/* 1*DIGIT into a long long; 0 on anything else or more than 18 digits. */
static int
digits(const char *s, size_t n, long long *out)
{
	long long	 v = 0;
	size_t		 i;

	if (n == 0 || n > DIGITS_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return 0;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 1;
}

/* A fixed-width decimal field of a date (at most 4 digits) into an int. */
static int
num(const char *s, size_t n, int *out)
{
	long long	 v;

	if (!digits(s, n, &v))
		return 0;
	*out = (int)v;
	return 1;
}

/*
 * Parses an IMF-fixdate, "Sun, 06 Nov 1994 08:49:37 GMT", exactly.  The two
 * obsolete formats are not understood: the header is then ignored, which
 * only costs a full response.  Returns 1 with *t set, or 0.
 */
int
ghauthp_http_date_parse(const char *s, time_t *t)
{
	struct tm	 tm;
	int		 day, year, hh, mm, ss, mon, wday;

	if (s == NULL || strlen(s) != 29 || s[3] != ',' || s[4] != ' ' ||
	    s[7] != ' ' || s[11] != ' ' || s[16] != ' ' || s[19] != ':' ||
	    s[22] != ':' || strcmp(s + 25, " GMT") != 0)
		return 0;
	for (wday = 0; wday < 7; wday++)
		if (strncmp(s, wdays[wday], 3) == 0)
			break;
	for (mon = 0; mon < 12; mon++)
		if (strncmp(s + 8, months[mon], 3) == 0)
			break;
	if (wday == 7 || mon == 12 || !num(s + 5, 2, &day) ||
	    !num(s + 12, 4, &year) || !num(s + 17, 2, &hh) ||
	    !num(s + 20, 2, &mm) || !num(s + 23, 2, &ss) || day < 1 ||
	    day > 31 || year < 1970 || hh > 23 || mm > 59 || ss > 60)
		return 0;
	memset(&tm, 0, sizeof(tm));
	tm.tm_mday = day;
	tm.tm_mon = mon;
	tm.tm_year = year - 1900;
	tm.tm_hour = hh;
	tm.tm_min = mm;
	tm.tm_sec = ss;
	if ((*t = timegm(&tm)) == (time_t)-1)
		return 0;
	return 1;
}

/*
 * A strong validator from inode, size and modification time (with
 * nanoseconds): it changes whenever the file is replaced or rewritten.
 */
void
ghauthp_etag(const struct stat *st, char *buf, size_t sz)
{
	snprintf(buf, sz, "\"%llx-%llx-%llx-%lx\"",
	    (unsigned long long)st->st_ino, (unsigned long long)st->st_size,
	    (unsigned long long)st->st_mtim.tv_sec,
	    (unsigned long)st->st_mtim.tv_nsec);
}

/*
 * Does the entity-tag list hdr ("*", or comma-separated, each optionally
 * W/) match etag?  weak: weak comparison (If-None-Match), else strong (a
 * W/ tag never matches).  A malformed list matches nothing.
 */
int
ghauthp_etag_match(const char *hdr, const char *etag, int weak)
{
	const char	*p = hdr, *q;
	size_t		 elen = strlen(etag);
	int		 w;

	if (hdr == NULL || strlen(hdr) > HDR_MAX)
		return 0;
	p += strspn(p, " \t");
	if (p[0] == '*' && p[1 + strspn(p + 1, " \t")] == '\0')
		return 1;
	while (*p != '\0') {
		w = 0;
		if (p[0] == 'W' && p[1] == '/') {
			w = 1;
			p += 2;
		}
		if (*p != '"' || (q = strchr(p + 1, '"')) == NULL)
			return 0;
		if ((weak || !w) && (size_t)(q - p + 1) == elen &&
		    strncmp(p, etag, elen) == 0)
			return 1;
		p = q + 1;
		p += strspn(p, " \t");
		if (*p == ',')
			p++;
		else if (*p != '\0')
			return 0;
		p += strspn(p, " \t");
	}
	return 0;
}

/*
 * RFC 9110 13.2.2: If-None-Match decides when present (weak comparison);
 * only without it does If-Modified-Since count.  Returns 1 for 304.
 */
int
ghauthp_not_modified(const char *inm, const char *ims, const char *etag,
    time_t mtime)
{
	time_t	 t;

	if (inm != NULL)
		return ghauthp_etag_match(inm, etag, 1);
	if (ims != NULL && ghauthp_http_date_parse(ims, &t))
		return mtime <= t;
	return 0;
}

/*
 * If-Range (RFC 9110 13.1.5): the range applies only if the validator
 * still matches - an entity-tag by strong comparison, or a date equal to
 * Last-Modified.  No If-Range: 1.
 */
int
ghauthp_if_range(const char *hdr, const char *etag, time_t mtime)
{
	time_t	 t;

	if (hdr == NULL)
		return 1;
	if (hdr[0] == '"' || strncmp(hdr, "W/", 2) == 0)
		return strchr(hdr, ',') == NULL &&
		    ghauthp_etag_match(hdr, etag, 0);
	return ghauthp_http_date_parse(hdr, &t) && t == mtime;
}


/*
 * A Range header for a file of size bytes: "bytes=a-b", "bytes=a-" or
 * "bytes=-n" (RFC 9110 14.1.2).  Returns 1 with *start and *len set, 0 to
 * ignore it (malformed, another unit, several ranges, an empty file: the
 * whole file is sent with 200), or -1 when it cannot be satisfied (416).
 */
int
ghauthp_range(const char *hdr, long long size, long long *start,
    long long *len)
{
	const char	*p, *dash;
	long long	 a, b;
	size_t		 n;

	if (hdr == NULL || strlen(hdr) > HDR_MAX || size <= 0 ||
	    strncasecmp(hdr, "bytes=", 6) != 0)
		return 0;
	p = hdr + 6;
	p += strspn(p, " \t");
	n = strcspn(p, " \t,");
	if (p[n + strspn(p + n, " \t")] != '\0')
		return 0;	/* several ranges, or trailing junk */
	if ((dash = memchr(p, '-', n)) == NULL)
		return 0;
	if (dash == p) {
		/* suffix: the last b bytes */
		if (!digits(p + 1, n - 1, &b))
			return 0;
		if (b == 0)
			return -1;
		*start = b >= size ? 0 : size - b;
		*len = size - *start;
		return 1;
	}
	if (!digits(p, (size_t)(dash - p), &a))
		return 0;
	if ((size_t)(dash - p) + 1 == n)
		b = size - 1;		/* "a-": to the end */
	else if (!digits(dash + 1, n - (size_t)(dash - p) - 1, &b) || b < a)
		return 0;
	if (a >= size)
		return -1;
	if (b >= size)
		b = size - 1;
	*start = a;
	*len = b - a + 1;
	return 1;
}
