/*
 * fuzz-github-json.c - decoding GitHub's answers: the token endpoint's,
 * GET /user and GET /user/emails, all three on the same input.
 * Invariants: a token answer has exactly one of access_token and error;
 * a user has a positive id, a valid login and an https avatar URL; an
 * e-mail address is non-empty.
 */
#include "config.h"

#include "ghauth-int.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ghauthp_token_reply	 t;
	struct ghauthp_gh_user		 u;
	char				*email;

	if (ghauthp_gh_parse_token((const char *)data, size, &t) == 0) {
		FUZZ_CHECK((t.access_token != NULL) != (t.error != NULL));
		if (t.error_description != NULL)
			FUZZ_CHECK(strlen(t.error_description) <= 200);
		ghauthp_token_reply_free(&t);
	} else
		FUZZ_CHECK(t.access_token == NULL && t.error == NULL);
	if (ghauthp_gh_parse_user((const char *)data, size, &u) == 0) {
		FUZZ_CHECK(u.id > 0 && u.login != NULL &&
		    ghauthp_valid_login(u.login));
		FUZZ_CHECK(u.avatar_url != NULL &&
		    strncmp(u.avatar_url, "https://", 8) == 0);
		FUZZ_CHECK(u.name == NULL || (u.name[0] != '\0' &&
		    strlen(u.name) <= 256 &&
		    !ghauthp_has_ctl(u.name, strlen(u.name))));
		FUZZ_CHECK(u.email == NULL || (u.email[0] != '\0' &&
		    !ghauthp_has_ctl(u.email, strlen(u.email))));
		ghauthp_gh_user_free(&u);
	}
	if (ghauthp_gh_parse_emails((const char *)data, size, &email) == 0) {
		FUZZ_CHECK(email == NULL || (email[0] != '\0' &&
		    !ghauthp_has_ctl(email, strlen(email))));
		free(email);
	} else
		FUZZ_CHECK(email == NULL);
	return 0;
}
