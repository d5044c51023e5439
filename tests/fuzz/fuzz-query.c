/*
 * fuzz-query.c - ghauthp_query_parse() against a key table that uses every
 * validator, and the validators on the raw input.  Invariants: a kept
 * value is NUL-free, passes its validator again, and is only there when
 * the key was present and non-empty.
 */
#include "config.h"

#include "ghauth-int.h"
#include "fuzz.h"

static const struct ghauthp_qkey keys[] = {
	{ "state", ghauthp_valid_token },
	{ "session", ghauthp_valid_token },
	{ "code", ghauthp_valid_code },
	{ "error", ghauthp_valid_error },
	{ "redirect", ghauthp_valid_redirect },
};
#define NKEYS	(sizeof(keys) / sizeof(keys[0]))

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ghauthp_qval	 vals[NKEYS];
	enum ghauth_err		 rc;
	char			*qs;
	size_t			 i;

	/* The validators take (pointer, length) and may see any byte. */
	(void)ghauthp_valid_token((const char *)data, size);
	(void)ghauthp_valid_code((const char *)data, size);
	(void)ghauthp_valid_error((const char *)data, size);
	(void)ghauthp_valid_redirect((const char *)data, size);

	if ((qs = fuzz_cstr(data, size)) == NULL)
		return 0;
	rc = ghauthp_query_parse(qs, keys, NKEYS, vals);
	if (rc == GHAUTH_OK) {
		for (i = 0; i < NKEYS; i++) {
			if (vals[i].value == NULL) {
				FUZZ_CHECK(!vals[i].valid);
				continue;
			}
			FUZZ_CHECK(vals[i].present && vals[i].valid &&
			    !vals[i].empty);
			FUZZ_CHECK(keys[i].valid(vals[i].value,
			    strlen(vals[i].value)));
		}
		ghauthp_query_free(vals, NKEYS);
	} else {
		for (i = 0; i < NKEYS; i++)
			FUZZ_CHECK(vals[i].value == NULL);
	}
	free(qs);
	return 0;
}
