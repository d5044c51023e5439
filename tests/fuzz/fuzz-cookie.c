/*
 * fuzz-cookie.c - ghauthp_cookie_get() on a fuzzed Cookie header.  The
 * first byte picks the cookie name, the second the output buffer size;
 * the rest is the header.  Invariants: a found value fits the buffer and
 * holds no ';' (it never runs into the next pair).
 */
#include "config.h"

#include "ghauth-int.h"
#include "fuzz.h"

static const char *const names[] = {
	"__Host-ghauth_session", "ghauth_session", "__Host-ghauth_state",
	"ghauth_state", "a", "x y"
};
static const size_t sizes[] = { 1, 2, 8, GHAUTHP_TOKEN_LEN + 1,
	GHAUTHP_TOKEN_LEN + 2, GHAUTHP_COOKIE_MAX };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		*hdr, *out;
	const char	*name;
	size_t		 outsz;
	int		 rc;

	if (size < 2)
		return 0;
	name = names[data[0] % (sizeof(names) / sizeof(names[0]))];
	outsz = sizes[data[1] % (sizeof(sizes) / sizeof(sizes[0]))];
	if ((hdr = fuzz_cstr(data + 2, size - 2)) == NULL)
		return 0;
	if ((out = malloc(outsz)) == NULL) {
		free(hdr);
		return 0;
	}
	rc = ghauthp_cookie_get(hdr, name, out, outsz);
	FUZZ_CHECK(rc >= -1 && rc <= 1);
	if (rc == 1) {
		FUZZ_CHECK(memchr(out, '\0', outsz) != NULL);
		FUZZ_CHECK(strchr(out, ';') == NULL);
		FUZZ_CHECK(strstr(hdr, out) != NULL);
	}
	free(out);
	free(hdr);
	return 0;
}
