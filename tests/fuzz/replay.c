/*
 * replay.c - a main() for the fuzz harnesses without libFuzzer: feeds every
 * file named on the command line (or found in a directory named there) to
 * LLVMFuzzerTestOneInput() once.  Built by gcc in `make check` (and so
 * under --enable-sanitizers too), it keeps the seed corpora and any saved
 * crash inputs passing in every build.  Prints TAP: one line per file.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

#define INPUT_MAX	(1024 * 1024)

static int	 n;

static int
one(const char *path)
{
	FILE		*f;
	uint8_t		*buf;
	size_t		 len;

	if ((buf = malloc(INPUT_MAX)) == NULL)
		return 0;
	if ((f = fopen(path, "rb")) == NULL) {
		printf("not ok %d - %s: %s\n", ++n, path, strerror(errno));
		free(buf);
		return 0;
	}
	len = fread(buf, 1, INPUT_MAX, f);
	fclose(f);
	/* A harness that fails aborts here, and the TAP plan is short. */
	LLVMFuzzerTestOneInput(buf, len);
	printf("ok %d - %s (%zu bytes)\n", ++n, path, len);
	free(buf);
	return 1;
}

static int
cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Files of a directory, in name order. */
static int
dir(const char *path)
{
	DIR		*d;
	struct dirent	*e;
	char		**names = NULL, **tmp, p[4096];
	size_t		 nn = 0, i;
	int		 ok = 1;

	if ((d = opendir(path)) == NULL) {
		printf("not ok %d - %s: %s\n", ++n, path, strerror(errno));
		return 0;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if ((tmp = realloc(names, (nn + 1) * sizeof(*names))) == NULL ||
		    (tmp[nn] = strdup(e->d_name)) == NULL) {
			if (tmp != NULL)
				names = tmp;
			ok = 0;
			break;
		}
		names = tmp;
		nn++;
	}
	closedir(d);
	if (nn > 0)
		qsort(names, nn, sizeof(*names), cmp);
	for (i = 0; i < nn; i++) {
		if (ok && snprintf(p, sizeof(p), "%s/%s", path, names[i]) <
		    (int)sizeof(p))
			ok = one(p) && ok;
		free(names[i]);
	}
	free(names);
	return ok;
}

int
main(int argc, char *argv[])
{
	struct stat	 st;
	int		 i, ok = 1;

	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
			ok = dir(argv[i]) && ok;
		else
			ok = one(argv[i]) && ok;
	}
	printf("1..%d\n", n);
	return ok ? 0 : 1;
}
