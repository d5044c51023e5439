/*
 * test-guard-unit.c - the guard's parts one by one: the protected area's
 * root, the path walk (guard_path.c: traversal, dotfiles, symlinks in and
 * out, special files, ghauth's own files, directory index) and the HTTP
 * details (guard_http.c: types, script extensions, dates, entity-tags,
 * conditionals, ranges).  Every refusal has its case.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ghauth-int.h"
#include "protect.h"
#include "../unit/tap.h"
#include "../unit/unit.h"

static char	 area[1024];

static void	 xsnprintf(char *, size_t, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

/* snprintf that gives up the test on truncation. */
static void
xsnprintf(char *buf, size_t sz, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sz, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sz) {
		printf("Bail out! path too long\n");
		exit(1);
	}
}

static void
put(const char *rel, const char *text, mode_t mode)
{
	char	 p[PATH_MAX];
	int	 fd;

	xsnprintf(p, sizeof(p), "%s/%s", area, rel);
	if ((fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, mode)) == -1 ||
	    write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		printf("Bail out! cannot write %s: %s\n", p, strerror(errno));
		exit(1);
	}
	close(fd);
	chmod(p, mode);
}

static void
dir(const char *rel)
{
	char	 p[PATH_MAX];

	xsnprintf(p, sizeof(p), "%s/%s", area, rel);
	mkdir(p, 0755);
}

static void
link_to(const char *target, const char *rel)
{
	char	 p[PATH_MAX];

	xsnprintf(p, sizeof(p), "%s/%s", area, rel);
	if (symlink(target, p) == -1)
		diag("symlink %s: %s", p, strerror(errno));
}

/* Opens area + "/" + rel; returns the result, f closed unless wanted. */
static enum ghauthp_gp
try(const char *target, const struct ghauthp_ino *deny, size_t ndeny,
    char *rel, size_t relsz)
{
	struct ghauthp_gfile	 f;
	enum ghauthp_gp		 rc;
	char			 why[128];

	rc = ghauthp_guard_open(area, target, deny, ndeny, &f, why,
	    sizeof(why));
	if (rel != NULL)
		xsnprintf(rel, relsz, "%s", rc == GHAUTHP_GP_OK ? f.rel : why);
	if (rc == GHAUTHP_GP_OK && (f.fd < 0 || f.dirfd < 0 ||
	    strcmp(f.name, strrchr(f.path, '/') + 1) != 0))
		rc = GHAUTHP_GP_ERROR;
	ghauthp_gfile_close(&f);
	return rc;
}

static void
test_root(void)
{
	static const struct {
		const char	*in;
		const char	*out;	/* NULL: refused */
	} cases[] = {
		{ "/srv/www/private", "/srv/www/private" },
		{ "/srv/www/private/", "/srv/www/private" },
		{ "//srv//www///private//", "/srv/www/private" },
		{ "/", NULL },
		{ "///", NULL },
		{ "", NULL },
		{ "relative/dir", NULL },
		{ "/srv/www/../etc", NULL },
		{ "/srv/./www", NULL },
		{ "/srv/www/..", NULL },
		{ "/srv/\001www", NULL },
	};
	char	 out[256];
	size_t	 i;
	int	 r;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		r = ghauthp_guard_root(cases[i].in, out, sizeof(out));
		if (cases[i].out == NULL)
			is_int(r, 0, "root %s refused",
			    tap_quote(cases[i].in, strlen(cases[i].in)));
		else
			ok(r && strcmp(out, cases[i].out) == 0,
			    "root %s -> %s", cases[i].in, cases[i].out);
	}
	is_int(ghauthp_guard_root(NULL, out, sizeof(out)), 0, "root NULL");
	is_int(ghauthp_guard_root("/a/very/long/root", out, 8), 0,
	    "root longer than the buffer refused");
}

static void
test_walk(const char *top)
{
	static const struct {
		const char	*path;	/* below the area ("" = the area) */
		enum ghauthp_gp	 want;
		const char	*rel;	/* the file reached, for OK */
		const char	*what;
	} cases[] = {
		{ "/a.txt", GHAUTHP_GP_OK, "a.txt", "a file" },
		{ "//a.txt", GHAUTHP_GP_OK, "a.txt", "a doubled slash" },
		{ "/docs/b.html", GHAUTHP_GP_OK, "docs/b.html",
		    "a file in a directory" },
		{ "/docs/", GHAUTHP_GP_OK, "docs/index.html",
		    "a directory: its index.html" },
		{ "/docs", GHAUTHP_GP_OK, "docs/index.html",
		    "a directory without slash: its index.html" },
		{ "", GHAUTHP_GP_OK, "index.html", "the area itself" },
		{ "/", GHAUTHP_GP_OK, "index.html", "the area with a slash" },
		{ "/noindex/", GHAUTHP_GP_NOTFOUND, NULL,
		    "a directory without index.html (no listing)" },
		{ "/idxdir/", GHAUTHP_GP_NOTFOUND, NULL,
		    "index.html that is a directory" },
		{ "/missing.txt", GHAUTHP_GP_NOTFOUND, NULL, "a missing file" },
		{ "/a.txt/", GHAUTHP_GP_NOTFOUND, NULL,
		    "a file named as a directory" },
		{ "/a.txt/x", GHAUTHP_GP_NOTFOUND, NULL, "a path below a file" },
		{ "/../outside.txt", GHAUTHP_GP_REFUSED, NULL,
		    "../ out of the area" },
		{ "/docs/../../outside.txt", GHAUTHP_GP_REFUSED, NULL,
		    "../ deeper" },
		{ "/docs/../a.txt", GHAUTHP_GP_REFUSED, NULL,
		    "../ even when it stays inside" },
		{ "/./a.txt", GHAUTHP_GP_REFUSED, NULL, "a . component" },
		{ "/%2e%2e/outside.txt", GHAUTHP_GP_NOTFOUND, NULL,
		    "%2e%2e is a name, never decoded again" },
		{ "/docs%2fb.html", GHAUTHP_GP_NOTFOUND, NULL,
		    "an encoded slash is a name, not a separator" },
		{ "/.htaccess", GHAUTHP_GP_REFUSED, NULL, ".htaccess" },
		{ "/.git/config", GHAUTHP_GP_REFUSED, NULL,
		    "a dot directory" },
		{ "/docs/.secret", GHAUTHP_GP_REFUSED, NULL,
		    "a dotfile in a directory" },
		{ "/.missing", GHAUTHP_GP_REFUSED, NULL,
		    "a dotfile that does not exist is refused too" },
		{ "/out.txt", GHAUTHP_GP_REFUSED, NULL,
		    "a symlink out of the area" },
		{ "/in.txt", GHAUTHP_GP_REFUSED, NULL,
		    "a symlink inside the area (never followed)" },
		{ "/outdir/outside.txt", GHAUTHP_GP_REFUSED, NULL,
		    "a symlinked directory out of the area" },
		{ "/abs.txt", GHAUTHP_GP_REFUSED, NULL,
		    "a symlink to an absolute path" },
		{ "/dangling", GHAUTHP_GP_REFUSED, NULL, "a dangling symlink" },
		{ "/fifo", GHAUTHP_GP_REFUSED, NULL,
		    "a FIFO (never opened)" },
		{ "/ctl\001name", GHAUTHP_GP_REFUSED, NULL,
		    "a control byte in a name" },
		{ "/tab\tname", GHAUTHP_GP_REFUSED, NULL, "a tab in a name" },
	};
	char	 target[PATH_MAX], rel[256], real[PATH_MAX];
	size_t	 i;
	enum ghauthp_gp rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		xsnprintf(target, sizeof(target), "%s%s", area, cases[i].path);
		rc = try(target, NULL, 0, rel, sizeof(rel));
		if (!is_int(rc, cases[i].want, "walk: %s (%s)", cases[i].what,
		    tap_quote(cases[i].path, strlen(cases[i].path))))
			diag("reason/rel: %s", rel);
		if (cases[i].rel != NULL && rc == GHAUTHP_GP_OK)
			is_str(rel, cases[i].rel, "walk: %s reaches %s",
			    cases[i].what, cases[i].rel);
	}

	/* Outside the root by prefix alone. */
	xsnprintf(target, sizeof(target), "%s/outside.txt", top);
	is_int(try(target, NULL, 0, NULL, 0), GHAUTHP_GP_REFUSED,
	    "walk: a path that does not start with the root");
	xsnprintf(target, sizeof(target), "%sx/a.txt", area);
	is_int(try(target, NULL, 0, NULL, 0), GHAUTHP_GP_REFUSED,
	    "walk: a sibling whose name extends the root's (areax/)");
	is_int(try("relative/a.txt", NULL, 0, NULL, 0), GHAUTHP_GP_REFUSED,
	    "walk: a relative path");
	is_int(try(NULL, NULL, 0, NULL, 0), GHAUTHP_GP_REFUSED,
	    "walk: no path at all");
	is_int(try("/etc/passwd", NULL, 0, NULL, 0), GHAUTHP_GP_REFUSED,
	    "walk: /etc/passwd");
	memset(target, 'a', sizeof(target) - 1);
	target[0] = '/';
	target[sizeof(target) - 1] = '\0';
	is_int(try(target, NULL, 0, NULL, 0), GHAUTHP_GP_REFUSED,
	    "walk: an overlong path");
	xsnprintf(target, sizeof(target), "%s/%0300d", area, 7);
	is_int(try(target, NULL, 0, NULL, 0), GHAUTHP_GP_NOTFOUND,
	    "walk: a component longer than NAME_MAX");

	/* The server may name the area by its real path. */
	xsnprintf(target, sizeof(target), "%s/alias/a.txt", top);
	{
		char	 saved[sizeof(area)];

		xsnprintf(saved, sizeof(saved), "%s", area);
		xsnprintf(area, sizeof(area), "%s/alias", top);
		if (realpath(area, real) != NULL) {
			xsnprintf(target, sizeof(target), "%s/a.txt", real);
			is_int(try(target, NULL, 0, NULL, 0), GHAUTHP_GP_OK,
			    "walk: the root's realpath is accepted as its "
			    "prefix (symlinked document root)");
		}
		xsnprintf(area, sizeof(area), "%s", saved);
	}

	/* Choosing the area of a request (the configuration's roots). */
	xsnprintf(target, sizeof(target), "%s/a.txt", area);
	ok(ghauthp_guard_under(area, target), "under: a file in the area");
	ok(ghauthp_guard_under(area, area), "under: the area itself");
	xsnprintf(target, sizeof(target), "%sx/a.txt", area);
	ok(!ghauthp_guard_under(area, target), "under: not a sibling areax/");
	ok(!ghauthp_guard_under(area, "/etc/passwd"), "under: not elsewhere");
	xsnprintf(target, sizeof(target), "%s/alias", top);
	if (realpath(target, real) != NULL) {
		char	 t2[PATH_MAX];

		xsnprintf(t2, sizeof(t2), "%s/a.txt", real);
		ok(ghauthp_guard_under(target, t2),
		    "under: a root given through a symlink");
	}

	/* ghauth's own files, by inode, whatever the name. */
	{
		struct ghauthp_ino	 deny[1];
		struct stat		 st;

		xsnprintf(target, sizeof(target), "%s/ghauth.json", area);
		stat(target, &st);
		deny[0].dev = st.st_dev;
		deny[0].ino = st.st_ino;
		is_int(try(target, deny, 1, NULL, 0), GHAUTHP_GP_REFUSED,
		    "walk: the configuration file is refused");
		xsnprintf(target, sizeof(target), "%s/hardlink.json", area);
		is_int(try(target, deny, 1, NULL, 0), GHAUTHP_GP_REFUSED,
		    "walk: so is a hard link to it");
		xsnprintf(target, sizeof(target), "%s/a.txt", area);
		is_int(try(target, deny, 1, NULL, 0), GHAUTHP_GP_OK,
		    "walk: other files are not");
	}

	/* An unusable root. */
	{
		char	 saved[sizeof(area)];

		xsnprintf(saved, sizeof(saved), "%s", area);
		xsnprintf(area, sizeof(area), "%s/nonexistent", top);
		xsnprintf(target, sizeof(target), "%s/a.txt", area);
		is_int(try(target, NULL, 0, NULL, 0), GHAUTHP_GP_ERROR,
		    "walk: a root that does not exist is an error");
		xsnprintf(area, sizeof(area), "%s", saved);
	}

	/* Permission: an unreadable file (only meaningful when not root). */
	if (geteuid() != 0) {
		xsnprintf(target, sizeof(target), "%s/unreadable.txt", area);
		is_int(try(target, NULL, 0, NULL, 0), GHAUTHP_GP_REFUSED,
		    "walk: an unreadable file is refused");
	} else
		skip("running as root: every file is readable");
}

static void
test_http(void)
{
	struct stat	 st;
	char		 d[40], e[96], e2[96];
	time_t		 t;
	long long	 a, n;
	size_t		 i;
	static const struct {
		const char	*hdr;
		long long	 size;
		int		 want;
		long long	 start, len;
	} ranges[] = {
		{ "bytes=0-9", 100, 1, 0, 10 },
		{ "bytes=10-19", 100, 1, 10, 10 },
		{ "bytes=90-", 100, 1, 90, 10 },
		{ "bytes=-5", 100, 1, 95, 5 },
		{ "bytes=-500", 100, 1, 0, 100 },
		{ "bytes=50-500", 100, 1, 50, 50 },
		{ "bytes=99-99", 100, 1, 99, 1 },
		{ "BYTES=0-0", 100, 1, 0, 1 },
		{ "bytes= 0-1 ", 100, 1, 0, 2 },
		{ "bytes=100-", 100, -1, 0, 0 },
		{ "bytes=100-200", 100, -1, 0, 0 },
		{ "bytes=-0", 100, -1, 0, 0 },
		{ "bytes=0-1,5-6", 100, 0, 0, 0 },
		{ "bytes=5-1", 100, 0, 0, 0 },
		{ "bytes=", 100, 0, 0, 0 },
		{ "bytes=-", 100, 0, 0, 0 },
		{ "bytes=a-b", 100, 0, 0, 0 },
		{ "bytes=1-2x", 100, 0, 0, 0 },
		{ "bytes=+1-2", 100, 0, 0, 0 },
		{ "bytes=0x1-2", 100, 0, 0, 0 },
		{ "bytes=99999999999999999999-", 100, 0, 0, 0 },
		{ "items=0-1", 100, 0, 0, 0 },
		{ "0-1", 100, 0, 0, 0 },
		{ "bytes=0-0", 0, 0, 0, 0 },
	};

	is_str(ghauthp_mime_type("a.html"), "text/html; charset=utf-8",
	    "type: .html");
	is_str(ghauthp_mime_type("A.HTM"), "text/html; charset=utf-8",
	    "type: .HTM (case-insensitive)");
	is_str(ghauthp_mime_type("x.css"), "text/css; charset=utf-8",
	    "type: .css");
	is_str(ghauthp_mime_type("x.js"), "text/javascript; charset=utf-8",
	    "type: .js");
	is_str(ghauthp_mime_type("x.json"), "application/json", "type: .json");
	is_str(ghauthp_mime_type("x.png"), "image/png", "type: .png");
	is_str(ghauthp_mime_type("x.svg"), "image/svg+xml", "type: .svg");
	is_str(ghauthp_mime_type("x.tar.gz"), "application/gzip",
	    "type: the last extension counts");
	is_str(ghauthp_mime_type("README"), "application/octet-stream",
	    "type: no extension");
	is_str(ghauthp_mime_type("x.exe"), "application/octet-stream",
	    "type: unknown extension");
	is_str(ghauthp_mime_type("x."), "application/octet-stream",
	    "type: empty extension");

	ok(ghauthp_ext_match("run.cgi", ".cgi"), "script: .cgi");
	ok(ghauthp_ext_match("RUN.CGI", ".cgi"), "script: .CGI too");
	ok(ghauthp_ext_match("x.pl", ".cgi, .pl .sh"), "script: list");
	ok(!ghauthp_ext_match("x.cgi.txt", ".cgi"), "script: not x.cgi.txt");
	ok(!ghauthp_ext_match(".cgi", ".cgi"), "script: not a bare .cgi");
	ok(!ghauthp_ext_match("xcgi", ".cgi"), "script: not xcgi");
	ok(!ghauthp_ext_match("x.cgi", ""), "script: empty list runs nothing");
	ok(!ghauthp_ext_match("x.cgi", "cgi"), "script: entries need a dot");

	ok(ghauthp_http_date(784111777, d, sizeof(d)) &&
	    strcmp(d, "Sun, 06 Nov 1994 08:49:37 GMT") == 0,
	    "date: RFC 9110's example");
	ok(!ghauthp_http_date(784111777, d, 10), "date: short buffer");
	ok(ghauthp_http_date_parse("Sun, 06 Nov 1994 08:49:37 GMT", &t) &&
	    t == 784111777, "date: parse IMF-fixdate");
	ok(!ghauthp_http_date_parse("Sunday, 06-Nov-94 08:49:37 GMT", &t),
	    "date: rfc850 form ignored");
	ok(!ghauthp_http_date_parse("Sun Nov  6 08:49:37 1994", &t),
	    "date: asctime form ignored");
	ok(!ghauthp_http_date_parse("Sun, 06 Nov 1994 08:49:37 UTC", &t),
	    "date: not GMT");
	ok(!ghauthp_http_date_parse("Sun, 06 Foo 1994 08:49:37 GMT", &t),
	    "date: bad month");
	ok(!ghauthp_http_date_parse("Sun, 32 Nov 1994 08:49:37 GMT", &t),
	    "date: day 32");
	ok(!ghauthp_http_date_parse("Sun, 06 Nov 1994 24:49:37 GMT", &t),
	    "date: hour 24");
	ok(!ghauthp_http_date_parse("Sun, 06 Nov 1994 08:49:37 GMT ", &t),
	    "date: trailing space");
	ok(!ghauthp_http_date_parse("", &t), "date: empty");
	ok(!ghauthp_http_date_parse(NULL, &t), "date: NULL");

	memset(&st, 0, sizeof(st));
	st.st_ino = 0x1234;
	st.st_size = 100;
	st.st_mtim.tv_sec = 784111777;
	st.st_mtim.tv_nsec = 5;
	ghauthp_etag(&st, e, sizeof(e));
	is_str(e, "\"1234-64-2ebc98a1-5\"", "etag: inode-size-mtime-nsec");
	st.st_mtim.tv_nsec = 6;
	ghauthp_etag(&st, e2, sizeof(e2));
	ok(strcmp(e, e2) != 0, "etag: changes with the nanoseconds");

	ok(ghauthp_etag_match(e, e, 1), "etag: equal");
	ok(ghauthp_etag_match("*", e, 1), "etag: *");
	ok(ghauthp_etag_match(" * ", e, 1), "etag: * with spaces");
	ok(ghauthp_etag_match("\"x\", \"1234-64-2ebc98a1-5\"", e, 1),
	    "etag: in a list");
	ok(ghauthp_etag_match("W/\"1234-64-2ebc98a1-5\"", e, 1),
	    "etag: weak comparison accepts W/");
	ok(!ghauthp_etag_match("W/\"1234-64-2ebc98a1-5\"", e, 0),
	    "etag: strong comparison refuses W/");
	ok(!ghauthp_etag_match("\"1234-64-2ebc98a1-6\"", e, 1),
	    "etag: different");
	ok(!ghauthp_etag_match("1234-64-2ebc98a1-5", e, 1),
	    "etag: unquoted is malformed");
	ok(!ghauthp_etag_match("\"x\" junk, " "\"1234-64-2ebc98a1-5\"", e, 1),
	    "etag: junk in the list stops matching");
	ok(!ghauthp_etag_match("\"unterminated", e, 1), "etag: unterminated");
	ok(!ghauthp_etag_match("", e, 1), "etag: empty header");
	ok(!ghauthp_etag_match("*, \"x\"", e, 1), "etag: * in a list");

	ok(ghauthp_not_modified(e, NULL, e, 100), "304: If-None-Match");
	ok(!ghauthp_not_modified("\"other\"", "Sun, 06 Nov 2094 08:49:37 GMT",
	    e, 100), "304: If-None-Match decides over If-Modified-Since");
	ok(ghauthp_not_modified(NULL, "Sun, 06 Nov 1994 08:49:37 GMT", e,
	    784111777), "304: If-Modified-Since equal");
	ok(ghauthp_not_modified(NULL, "Sun, 06 Nov 1994 08:49:37 GMT", e,
	    784111700), "304: If-Modified-Since later than the file");
	ok(!ghauthp_not_modified(NULL, "Sun, 06 Nov 1994 08:49:37 GMT", e,
	    784111778), "200: file changed after If-Modified-Since");
	ok(!ghauthp_not_modified(NULL, "garbage", e, 0),
	    "200: unparsable If-Modified-Since");
	ok(!ghauthp_not_modified(NULL, NULL, e, 0), "200: no condition");

	ok(ghauthp_if_range(NULL, e, 0), "If-Range: absent");
	ok(ghauthp_if_range(e, e, 0), "If-Range: same etag");
	ok(!ghauthp_if_range("\"other\"", e, 0), "If-Range: other etag");
	ok(!ghauthp_if_range("W/\"1234-64-2ebc98a1-5\"", e, 0),
	    "If-Range: weak etag never matches");
	ok(ghauthp_if_range("Sun, 06 Nov 1994 08:49:37 GMT", e, 784111777),
	    "If-Range: same date");
	ok(!ghauthp_if_range("Sun, 06 Nov 1994 08:49:37 GMT", e, 784111778),
	    "If-Range: other date");
	ok(!ghauthp_if_range("garbage", e, 784111777), "If-Range: garbage");

	for (i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
		int	 r;

		a = n = -1;
		r = ghauthp_range(ranges[i].hdr, ranges[i].size, &a, &n);
		ok(r == ranges[i].want && (r != 1 || (a == ranges[i].start &&
		    n == ranges[i].len)), "range %s of %lld: %d",
		    ranges[i].hdr, ranges[i].size, ranges[i].want);
		if (r == 1 && r == ranges[i].want && (a != ranges[i].start ||
		    n != ranges[i].len))
			diag("got start %lld len %lld", a, n);
	}
	ok(ghauthp_range(NULL, 10, &a, &n) == 0, "range: none");
}

static void
test_idvars(void)
{
	struct ghauth_identity	 id;
	char			 buf[GHAUTHP_IDVAR_BUF];
	const char		*name, *v;
	size_t			 i;
	static const char *const names[] = {
		"GHAUTH_USER_LOGIN", "GHAUTH_USER_ID", "GHAUTH_USER_NAME",
		"GHAUTH_USER_EMAIL", "GHAUTH_USER_AVATAR", "GHAUTH_USER_GROUPS",
		"GHAUTH_SESSION_CREATED", "GHAUTH_SESSION_EXPIRES",
	};
	static const char *const values[] = {
		"octocat", "583231", "", "", "https://a/b", "team:acme/infra",
		"100", "200",
	};

	memset(&id, 0, sizeof(id));
	id.id = 583231;
	id.login = (char *)"octocat";
	id.avatar_url = (char *)"https://a/b";
	id.groups = (char *)"team:acme/infra";
	id.created = 100;
	id.expires = 200;
	for (i = 0; (v = ghauthp_identity_var(&id, i, &name, buf)) != NULL;
	    i++) {
		if (i >= sizeof(names) / sizeof(names[0]))
			break;
		ok(strcmp(name, names[i]) == 0 && strcmp(v, values[i]) == 0,
		    "identity variable %s=%s (NULL name/email: empty)",
		    names[i], values[i]);
	}
	is_int((long long)i, 8, "eight identity variables");
	ok(ghauthp_identity_var(&id, 99, &name, buf) == NULL && name == NULL,
	    "past the end: NULL");
}

int
main(void)
{
	const char	*top = tmpdir_create("ghauth-guard-unit");
	char		 p[PATH_MAX], q[PATH_MAX];

	plan(162);
	xsnprintf(area, sizeof(area), "%s/area", top);
	mkdir(area, 0755);
	put("a.txt", "CANARY a\n", 0644);
	dir("docs");
	put("docs/b.html", "<p>b</p>\n", 0644);
	put("docs/index.html", "docs index\n", 0644);
	put("docs/.secret", "CANARY secret\n", 0644);
	put("index.html", "area index\n", 0644);
	put(".htaccess", "SetHandler x\n", 0644);
	dir(".git");
	put(".git/config", "CANARY git\n", 0644);
	dir("noindex");
	dir("idxdir");
	dir("idxdir/index.html");
	put("ghauth.json", "{}\n", 0600);
	xsnprintf(p, sizeof(p), "%s/ghauth.json", area);
	xsnprintf(q, sizeof(q), "%s/hardlink.json", area);
	if (link(p, q) == -1)
		diag("link: %s", strerror(errno));
	put("unreadable.txt", "x\n", 0000);
	xsnprintf(p, sizeof(p), "%s/outside.txt", top);
	{
		int	 fd = open(p, O_WRONLY | O_CREAT, 0644);

		if (fd != -1) {
			if (write(fd, "CANARY outside\n", 15) != 15)
				diag("write outside.txt");
			close(fd);
		}
	}
	link_to("../outside.txt", "out.txt");
	link_to("a.txt", "in.txt");
	link_to("..", "outdir");
	link_to("/etc/passwd", "abs.txt");
	link_to("nothing-here", "dangling");
	xsnprintf(p, sizeof(p), "%s/fifo", area);
	if (mkfifo(p, 0644) == -1)
		diag("mkfifo: %s", strerror(errno));
	xsnprintf(p, sizeof(p), "%s/alias", top);
	if (symlink("area", p) == -1)
		diag("symlink alias: %s", strerror(errno));

	test_root();
	test_walk(top);
	test_http();
	test_idvars();
	tmpdir_remove();
	return done_testing();
}
