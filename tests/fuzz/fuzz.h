/*
 * fuzz.h - shared by the fuzz harnesses (tests/fuzz/fuzz-*.c): a fuzzed
 * environment block for the library's getenv callback, and a check that
 * aborts (a crash libFuzzer reports) when an invariant does not hold.
 *
 * An environment block is the input text split at '\n' into NAME=VALUE
 * entries; the first entry for a name wins, a line without '=' is skipped.
 * Names listed in deny are never found (GHAUTH_CONFIG: a fuzzed path must
 * not make the config loader open files).
 */
#ifndef GHAUTH_FUZZ_H
#define GHAUTH_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_ENV_MAX	64

/*
 * In the allocation-failure build (oom.c, build.sh) an invariant is only
 * checked while no allocation has failed; crashes, leaks and undefined
 * behaviour on the failure paths are what that build looks for.
 */
#ifdef FUZZ_OOM
extern int	 fuzz_oom_failed;
void		*fuzz_malloc(size_t);
void		*fuzz_calloc(size_t, size_t);
void		*fuzz_realloc(void *, size_t);
#define FUZZ_OOM_FAILED()	(fuzz_oom_failed)
#else
#define FUZZ_OOM_FAILED()	0
#endif

#define FUZZ_CHECK(c) do {						\
	if (!(c) && !FUZZ_OOM_FAILED()) {				\
		fprintf(stderr, "%s:%d: invariant failed: %s\n",	\
		    __FILE__, __LINE__, #c);				\
		abort();						\
	}								\
} while (0)

struct fuzz_env {
	char		*buf;		/* the block, NUL-terminated entries */
	size_t		 n;
	const char	*name[FUZZ_ENV_MAX];
	const char	*value[FUZZ_ENV_MAX];
	const char	*const *deny;
};

/* Splits data[0..size) into e; returns 0 on allocation failure. */
static inline int
fuzz_env_init(struct fuzz_env *e, const uint8_t *data, size_t size,
    const char *const *deny)
{
	char	*p, *end, *nl, *eq;

	memset(e, 0, sizeof(*e));
	e->deny = deny;
	if ((e->buf = malloc(size + 1)) == NULL)
		return 0;
	memcpy(e->buf, data, size);
	e->buf[size] = '\0';
	end = e->buf + size;
	for (p = e->buf; p < end && e->n < FUZZ_ENV_MAX; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		*nl = '\0';
		/* An embedded NUL ends the value, as in a real environment. */
		if ((eq = strchr(p, '=')) == NULL)
			continue;
		*eq = '\0';
		e->name[e->n] = p;
		e->value[e->n++] = eq + 1;
	}
	return 1;
}

static inline const char *
fuzz_getenv(void *ctx, const char *name)
{
	struct fuzz_env	*e = ctx;
	size_t		 i;

	for (i = 0; e->deny != NULL && e->deny[i] != NULL; i++)
		if (strcmp(e->deny[i], name) == 0)
			return NULL;
	for (i = 0; i < e->n; i++)
		if (strcmp(e->name[i], name) == 0)
			return e->value[i];
	return NULL;
}

static inline void
fuzz_env_free(struct fuzz_env *e)
{
	free(e->buf);
	memset(e, 0, sizeof(*e));
}

/* A NUL-terminated copy of the input (text parsers take C strings). */
static inline char *
fuzz_cstr(const uint8_t *data, size_t size)
{
	char	*s;

	if ((s = malloc(size + 1)) == NULL)
		return NULL;
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#endif /* GHAUTH_FUZZ_H */
