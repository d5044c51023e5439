/*
 * unit.h - helpers shared by the unit tests, header-only: a getenv over a
 * table of "NAME=value" strings (what ghauth_getenv_fn receives as ctx),
 * and a private temporary directory under $TMPDIR (or /tmp) removed at the
 * end of the test.
 */
#ifndef GHAUTH_UNIT_H
#define GHAUTH_UNIT_H

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define UNIT_UNUSED	__attribute__((unused))

/*
 * ctx is a NULL-terminated array of "NAME=value" strings; the first entry
 * for name wins.  A NULL ctx is an empty environment.
 */
static UNIT_UNUSED const char *
fake_getenv(void *ctx, const char *name)
{
	const char	**e = ctx;
	size_t		 n = strlen(name);

	for (; e != NULL && *e != NULL; e++)
		if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}

static char	 unit_tmpdir[PATH_MAX];

static void	 tmpdir_remove(void);

/*
 * Creates the test's temporary directory, removed at exit (also after a
 * "Bail out!"; forked children leave with _exit and so leave it alone).
 * Exits if it cannot.
 */
static UNIT_UNUSED const char *
tmpdir_create(const char *prefix)
{
	const char	*base = getenv("TMPDIR");

	if (base == NULL || base[0] != '/')
		base = "/tmp";
	if (snprintf(unit_tmpdir, sizeof(unit_tmpdir), "%s/%s.XXXXXX", base,
	    prefix) >= (int)sizeof(unit_tmpdir) || mkdtemp(unit_tmpdir) ==
	    NULL) {
		printf("Bail out! cannot create a temporary directory in %s\n",
		    base);
		exit(1);
	}
	atexit(tmpdir_remove);
	return unit_tmpdir;
}

/* Removes dir and everything in it (no symlinks followed). */
static void
tmpdir_rm(const char *dir)
{
	DIR		*d;
	struct dirent	*de;
	struct stat	 st;
	char		 p[PATH_MAX];

	if ((d = opendir(dir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			if (snprintf(p, sizeof(p), "%s/%s", dir, de->d_name) >=
			    (int)sizeof(p))
				continue;
			if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
				tmpdir_rm(p);
			else
				unlink(p);
		}
		closedir(d);
	}
	rmdir(dir);
}

static void
tmpdir_remove(void)
{
	if (unit_tmpdir[0] != '\0')
		tmpdir_rm(unit_tmpdir);
	unit_tmpdir[0] = '\0';
}

#endif /* GHAUTH_UNIT_H */
