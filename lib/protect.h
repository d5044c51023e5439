/*
 * protect.h - declarations shared by the modules that put a site's own
 * content behind the session (docs/PROTECT.md): identify.c (the C API and
 * the sign-in/401 answer), guard_path.c and guard_http.c (the guard's path
 * walk and HTTP details), guard.c (the guard program), auth_request.c (the
 * nginx auth_request program).  Private to libghauth and its own programs:
 * prefix ghauthp_.
 */
#ifndef GHAUTH_PROTECT_H
#define GHAUTH_PROTECT_H

#include <sys/types.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <stddef.h>
#include <time.h>

#include "ghauth-int.h"

/* ---- identify.c ---------------------------------------------------------- */

#define GHAUTHP_DRAIN_MAX	(1024 * 1024)
void		 ghauthp_drain_body(void);

/*
 * The identity as CGI-style variables, one per index from 0 until NULL is
 * returned: *name gets the variable name, the value is returned (pointing
 * into id or into buf).  A NULL name or email is "".
 */
#define GHAUTHP_IDVAR_BUF	32
const char	*ghauthp_identity_var(const struct ghauth_identity *, size_t,
		    const char **, char[GHAUTHP_IDVAR_BUF]);

/* Does the request look like a browser navigation (GET/HEAD for HTML)? */
int		 ghauthp_is_browser(ghauth_getenv_fn, void *);

/* ---- guard_path.c -------------------------------------------------------- */


enum ghauthp_gp {
	GHAUTHP_GP_OK = 0,
	GHAUTHP_GP_NOTFOUND,	/* nothing there */
	GHAUTHP_GP_REFUSED,	/* outside the area, dot, symlink, special... */
	GHAUTHP_GP_ERROR	/* the area itself is unusable */
};

/* A file the guard may serve or run. */
struct ghauthp_gfile {
	int		 fd;		/* the file, read-only; -1: none */
	int		 dirfd;		/* its directory; -1: none */
	struct stat	 st;
	char		 path[GHAUTHP_GPATH_MAX];	/* root/rel */
	char		 rel[GHAUTHP_GPATH_MAX];	/* below the root */
	const char	*name;		/* last component, inside rel */
};

/* Files never served, whatever their name: dev and inode. */
struct ghauthp_ino {
	dev_t		 dev;
	ino_t		 ino;
};

int		 ghauthp_guard_under(const char *, const char *);
enum ghauthp_gp	 ghauthp_guard_open(const char *, const char *,
		    const struct ghauthp_ino *, size_t, struct ghauthp_gfile *,
		    char *, size_t);
void		 ghauthp_gfile_close(struct ghauthp_gfile *);

/* ---- guard_http.c -------------------------------------------------------- */

const char	*ghauthp_mime_type(const char *);
int		 ghauthp_ext_match(const char *, const char *);
int		 ghauthp_http_date(time_t, char *, size_t);
int		 ghauthp_http_date_parse(const char *, time_t *);
void		 ghauthp_etag(const struct stat *, char *, size_t);
int		 ghauthp_etag_match(const char *, const char *, int);
int		 ghauthp_not_modified(const char *, const char *, const char *,
		    time_t);
int		 ghauthp_if_range(const char *, const char *, time_t);
int		 ghauthp_range(const char *, long long, long long *,
		    long long *);

/* ---- the handlers of the programs (guard.c, auth_request.c) ------------- */

int		 ghauthp_guard(struct ghauthp_call *, struct ghauth_response *);
int		 ghauthp_auth_request(struct ghauthp_call *,
		    struct ghauth_response *);

#endif /* GHAUTH_PROTECT_H */
