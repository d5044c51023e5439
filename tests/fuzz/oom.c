/*
 * oom.c - allocation failure for the fuzz harnesses: the fuzz-oom-<target>
 * programs of build.sh.  There the library's objects are rewritten
 * (objcopy --redefine-sym) to call fuzz_malloc, fuzz_calloc and
 * fuzz_realloc.  The first input byte N makes the Nth of those allocations
 * fail (0: none); the harness, compiled as fuzz_target, gets the rest of
 * the input.  What it finds: a failure path that crashes, leaks
 * (LeakSanitizer) or goes on as if nothing had failed.
 *
 * jansson's own allocations are not failed: its lexer asserts when one
 * does (load.c lex_unget_unsave, "c == d"; akheron/jansson#362, open in
 * 2.14), which aborts every run that fails inside json_loadb() and hides
 * everything else.  See docs/FUZZING.md.
 */
#include "config.h"

#define FUZZ_OOM 1
#include "fuzz.h"

int		 fuzz_oom_failed;
static int	 countdown;

int		 fuzz_target(const uint8_t *, size_t);

static int
fail_now(void)
{
	if (countdown > 0 && --countdown == 0) {
		fuzz_oom_failed = 1;
		return 1;
	}
	return 0;
}

void *
fuzz_malloc(size_t n)
{
	return fail_now() ? NULL : malloc(n);
}

void *
fuzz_calloc(size_t n, size_t m)
{
	return fail_now() ? NULL : calloc(n, m);
}

void *
fuzz_realloc(void *p, size_t n)
{
	return fail_now() ? NULL : realloc(p, n);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	fuzz_oom_failed = 0;
	countdown = data[0];
	(void)fuzz_target(data + 1, size - 1);
	countdown = 0;
	return 0;
}
