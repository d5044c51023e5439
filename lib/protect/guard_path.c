/*
 * guard_path.c - from the path a web server hands the guard to an open
 * file inside the protected area, or a refusal.
 *
 * The server's path (PATH_TRANSLATED after an Apache Action, SCRIPT_FILENAME
 * under lighttpd's cgi.assign) is not trusted: PATH_INFO arrives decoded and
 * unchecked (RFC 3875 4.1.5; docs/SECURITY.md, promise 15). So it must
 * begin with the configured root, and the rest is walked one component at a
 * time with openat(2) from a descriptor of the root, never as one string: a
 * component that is empty is skipped, one that starts with '.' ("..",
 * ".htaccess", ".git") or holds a control byte is refused, and O_NOFOLLOW
 * refuses every symbolic link, inside the area or not (a link is the usual
 * way out of one; the guard does not try to tell the harmless ones
 * apart). Only directories and regular files are opened (checked with
 * fstatat before open, so a FIFO or a device is never opened), a directory
 * means its index.html, and the files ghauth itself uses (the configuration,
 * the store, its lock, the guard's own binary) are refused by device and
 * inode, whatever name or hard link reaches them.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ghauth-int.h"
#include "protect.h"

#define INDEX_FILE	"index.html"

static int
refuse(char *why, size_t sz, const char *msg)
{
	if (sz > 0)
		snprintf(why, sz, "%s", msg);
	return 0;
}

/*
 * Is target (absolute) below root (normalised), or below root's realpath?
 * Used to pick the area of a request among several (guard_path.c's walk
 * makes the same test).
 */
int
ghauthp_guard_under(const char *root, const char *target)
{
	char		 real[PATH_MAX];
	size_t		 n = strlen(root);

	if (strncmp(target, root, n) == 0 &&
	    (target[n] == '\0' || target[n] == '/'))
		return 1;
	if (realpath(root, real) == NULL)
		return 0;
	n = strlen(real);
	return strncmp(target, real, n) == 0 &&
	    (target[n] == '\0' || target[n] == '/');
}

/* Does target start with the directory root?  *rest gets what follows. */
static int
under(const char *root, const char *target, const char **rest)
{
	size_t	 n = strlen(root);

	if (strncmp(target, root, n) != 0 ||
	    (target[n] != '\0' && target[n] != '/'))
		return 0;
	*rest = target + n;
	return 1;
}

static int
append(char *buf, size_t sz, const char *sep, const char *comp)
{
	size_t	 len = strlen(buf);
	int	 n;

	n = snprintf(buf + len, sz - len, "%s%s", len > 0 ? sep : "", comp);
	return n >= 0 && (size_t)n < sz - len;
}

void
ghauthp_gfile_close(struct ghauthp_gfile *f)
{
	if (f->fd != -1)
		close(f->fd);
	if (f->dirfd != -1)
		close(f->dirfd);
	f->fd = f->dirfd = -1;
}

/*
 * Opens target (absolute) below root (normalised by ghauthp_guard_root; the
 * prefix may also be the root's realpath, for servers that resolved a
 * symlinked document root).  deny lists files never served.  Returns
 * GHAUTHP_GP_OK with f open (close with ghauthp_gfile_close), or another
 * value with f closed and why set to a reason for the log (not for the
 * client).
 */
enum ghauthp_gp
ghauthp_guard_open(const char *root, const char *target,
    const struct ghauthp_ino *deny, size_t ndeny, struct ghauthp_gfile *f,
    char *why, size_t whysz)
{
	char		 real[PATH_MAX], comp[NAME_MAX + 1];
	const char	*rest, *p;
	struct stat	 st, st2;
	enum ghauthp_gp	 rc = GHAUTHP_GP_REFUSED;
	size_t		 n, i, name_at = 0;
	int		 dfd = -1, fd = -1, last, dir_wanted, index_tried = 0;

	memset(f, 0, sizeof(*f));
	f->fd = f->dirfd = -1;
	if (whysz > 0)
		why[0] = '\0';
	if (target == NULL || target[0] != '/' ||
	    strlen(target) >= GHAUTHP_GPATH_MAX) {
		refuse(why, whysz, "not an absolute path");
		goto out;
	}
	if (!under(root, target, &rest) && (realpath(root, real) == NULL ||
	    !under(real, target, &rest))) {
		refuse(why, whysz, "outside the protected area");
		goto out;
	}
	if ((dfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		snprintf(why, whysz, "cannot open the protected area: %s",
		    strerror(errno));
		rc = GHAUTHP_GP_ERROR;
		goto out;
	}
	if (!append(f->path, sizeof(f->path), "", root))
		goto out;
	p = rest;
	for (;;) {
		while (*p == '/')
			p++;
		if (*p == '\0') {
			/* Ended on a directory: its index, never a listing. */
			if (index_tried) {
				rc = GHAUTHP_GP_NOTFOUND;
				refuse(why, whysz, "no " INDEX_FILE);
				goto out;
			}
			index_tried = 1;
			memcpy(comp, INDEX_FILE, sizeof(INDEX_FILE));
			last = 1;
			dir_wanted = 0;
		} else {
			n = strcspn(p, "/");
			if (n > NAME_MAX) {
				rc = GHAUTHP_GP_NOTFOUND;
				refuse(why, whysz, "name too long");
				goto out;
			}
			memcpy(comp, p, n);
			comp[n] = '\0';
			p += n;
			/* ".", "..", dotfiles (.htaccess, .git, .env) */
			if (comp[0] == '.') {
				refuse(why, whysz, "a path component starts "
				    "with a dot");
				goto out;
			}
			if (ghauthp_has_ctl(comp, n)) {
				refuse(why, whysz, "control byte in the path");
				goto out;
			}
			dir_wanted = *p == '/';
			for (i = 0; p[i] == '/'; i++)
				;
			last = p[i] == '\0';
		}
		if (fstatat(dfd, comp, &st, AT_SYMLINK_NOFOLLOW) == -1) {
			rc = errno == ENOENT || errno == ENOTDIR ?
			    GHAUTHP_GP_NOTFOUND : GHAUTHP_GP_REFUSED;
			snprintf(why, whysz, "%s", strerror(errno));
			goto out;
		}
		if (S_ISLNK(st.st_mode)) {
			refuse(why, whysz, "symbolic link");
			goto out;
		}
		if (!S_ISDIR(st.st_mode) && (!last || dir_wanted)) {
			rc = GHAUTHP_GP_NOTFOUND;
			refuse(why, whysz, "not a directory");
			goto out;
		}
		if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) {
			refuse(why, whysz, "not a regular file");
			goto out;
		}
		fd = openat(dfd, comp, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
		    O_CLOEXEC | O_NOCTTY | (S_ISDIR(st.st_mode) ?
		    O_DIRECTORY : 0));
		if (fd == -1) {
			rc = errno == ENOENT ? GHAUTHP_GP_NOTFOUND :
			    GHAUTHP_GP_REFUSED;
			snprintf(why, whysz, "open: %s", strerror(errno));
			goto out;
		}
		/* Replaced between fstatat and openat: refuse. */
		if (fstat(fd, &st2) == -1 || st2.st_dev != st.st_dev ||
		    st2.st_ino != st.st_ino ||
		    (st2.st_mode & S_IFMT) != (st.st_mode & S_IFMT)) {
			refuse(why, whysz, "changed while opening");
			goto out;
		}
		name_at = strlen(f->rel) + (f->rel[0] != '\0');
		if (!append(f->rel, sizeof(f->rel), "/", comp) ||
		    !append(f->path, sizeof(f->path), "/", comp)) {
			rc = GHAUTHP_GP_NOTFOUND;
			refuse(why, whysz, "path too long");
			goto out;
		}
		if (S_ISDIR(st2.st_mode)) {
			if (index_tried) {
				rc = GHAUTHP_GP_NOTFOUND;
				refuse(why, whysz, INDEX_FILE " is a "
				    "directory");
				goto out;
			}
			close(dfd);
			dfd = fd;
			fd = -1;
			continue;
		}
		break;
	}
	/* dfd stays open: the directory of the file, a script's cwd. */
	for (i = 0; i < ndeny; i++)
		if (deny[i].dev == st2.st_dev && deny[i].ino == st2.st_ino) {
			refuse(why, whysz, "one of ghauth's own files");
			goto out;
		}
	/* Regular files ignore O_NONBLOCK, but a script must not see it. */
	(void)fcntl(fd, F_SETFL, 0);
	f->fd = fd;
	f->dirfd = dfd;
	f->st = st2;
	f->name = f->rel + name_at;
	return GHAUTHP_GP_OK;
out:
	if (fd != -1)
		close(fd);
	if (dfd != -1)
		close(dfd);
	f->fd = f->dirfd = -1;
	return rc;
}
